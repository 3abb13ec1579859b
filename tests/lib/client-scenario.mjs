// One controller scenario, written once and run against any client with the
// `createAppServerClient` shape (tether-client from npm, the official Letta Code client),
// so both are held to one behaviour. `makeClient(options)` returns a client with
// connect/info/runtimeStart/input/submitInput/runTurn/sync/abort/conversationList/
// onMessage/onExternalToolCall/close.
import assert from "node:assert/strict";
import { waitFor } from "./runtime.mjs";

/** The reference client has no `runTurn`: submit an input and wait for its turn's end. */
export function withRunTurn(client) {
  if (typeof client.runTurn === "function") return client;
  client.runTurn = async (command) => {
    const request_id = command.request_id ?? client.nextRequestId("input");
    // Armed by the acceptance in frame order: `ws` may deliver it and the turn's end in
    // one task, before `await submitInput` would resume.
    let accepted = false;
    const finished = waitFor(client, (m) => {
      if (m.type === "input_accepted" && m.request_id === request_id) accepted = m.accepted;
      return accepted && m.type === "turn_finished" && m.runtime.conversation_id === command.runtime.conversation_id;
    }, 30000);
    const ack = await client.submitInput({ ...command, request_id });
    if (!ack.accepted) throw new Error(ack.error ?? "input refused");
    return finished;
  };
  return client;
}

const message = (text) => ({ kind: "create_message", messages: [{ role: "user", content: text }] });

/** The assistant text streamed for one runtime, concatenated, until `stop` resolves. */
function assistantText(client, runtime) {
  let text = "";
  const off = client.onMessage((m) => {
    if (m.type === "stream_delta" && m.runtime.conversation_id === runtime.conversation_id &&
        m.delta.message_type === "assistant_message") {
      text += typeof m.delta.content === "string" ? m.delta.content : JSON.stringify(m.delta.content);
    }
  });
  return { stop: () => { off(); return text; } };
}

/**
 * Registers the scenario's steps as subtests of `t`. `connect()` returns a connected,
 * runTurn-capable client; `externalTools` says whether the runtime serves external tools.
 */
export async function controllerScenario(t, { connect, connectWithToken, externalTools }) {
  const client = await connect();
  let runtime;
  try {
    await t.test("info", async () => {
      const info = await client.info();
      assert.equal(info.type, "app_server_info_response");
      assert.equal(info.backend, "local");
      assert.equal(info.protocol_version, 1);
      assert.equal(info.capabilities.runtime_start, true);
    });

    await t.test("runtimeStart creates an agent and a conversation", async () => {
      const started = await client.runtimeStart({
        create_agent: { body: { name: "controller agent", model: "scripted" } },
        create_conversation: {},
        mode: "standard",
        external_tools: [{ tools: [{ name: "lookup", description: "Looks a word up",
          parameters: { type: "object", properties: { q: { type: "string" } } } }] }],
      });
      assert.equal(started.success, true, started.error);
      assert.deepEqual(started.created, { agent: true, conversation: true });
      runtime = started.runtime;
      assert.ok(runtime.agent_id && runtime.conversation_id);
    });

    await t.test("runTurn with a text message", async () => {
      const text = assistantText(client, runtime);
      const finished = await client.runTurn({ runtime, payload: message("hello from a controller") });
      assert.equal(finished.type, "turn_finished");
      assert.equal(finished.stop_reason, "end_turn");
      assert.equal(typeof finished.turn_id, "string");
      assert.equal(finished.runtime.conversation_id, runtime.conversation_id);
      assert.ok(text.stop().length > 0, "the model streamed an answer");
    });

    await t.test("a tool call approved through input(approval_response)", async () => {
      const asked = waitFor(client, (m) => m.type === "control_request" && m.request.subtype === "can_use_tool");
      const text = assistantText(client, runtime);
      const turn = client.runTurn({ runtime, payload: message('tool: Bash {"command":"echo hi-from-approval"}') });
      const request = await asked;
      assert.equal(request.request.tool_name, "Bash");
      assert.deepEqual(request.request.input, { command: "echo hi-from-approval" });
      client.input({ runtime, payload: { kind: "approval_response", request_id: request.request_id, decision: { behavior: "allow" } } });
      const finished = await turn;
      assert.equal(finished.stop_reason, "end_turn");
      assert.match(text.stop(), /hi-from-approval/, "the model quotes the tool's output");
    });

    await t.test("an external tool answered through onExternalToolCall",
      externalTools ? {} : { todo: "external tools land in runtime" }, async () => {
        const calls = [];
        const off = client.onExternalToolCall(async (request) => {
          calls.push(request);
          return { content: [{ type: "text", text: `found ${request.input.q}` }] };
        });
        try {
          const text = assistantText(client, runtime);
          const finished = await client.runTurn({ runtime, payload: message('tool: lookup {"q":"x"}') });
          assert.equal(finished.stop_reason, "end_turn");
          assert.equal(calls.length, 1);
          assert.equal(calls[0].tool_name, "lookup");
          assert.deepEqual(calls[0].input, { q: "x" });
          assert.match(text.stop(), /found x/);
        } finally {
          off();
        }
      });

    await t.test("sync", async () => {
      const synced = await client.sync({ runtime });
      assert.equal(synced.type, "sync_response");
      assert.equal(synced.success, true);
      assert.equal(synced.runtime.conversation_id, runtime.conversation_id);
    });

    await t.test("abort of a slow turn", async () => {
      const streaming = waitFor(client, (m) => m.type === "stream_delta" && m.delta.message_type === "assistant_message");
      const turn = client.runTurn({ runtime, payload: message("sleep: 2000\nslow please") });
      await streaming;
      const aborted = await client.abort({ runtime });
      assert.equal(aborted.aborted, true);
      assert.equal((await turn).stop_reason, "cancelled");
    });

    await t.test("conversationList", async () => {
      const list = await client.conversationList();
      assert.equal(list.success, true);
      assert.ok(list.conversations.some((c) => c.id === runtime.conversation_id));
    });
  } finally {
    client.close();
  }

  await t.test("a wrong token is refused at connect", async () => {
    await assert.rejects(connectWithToken("wrong-token"));
  });
}
