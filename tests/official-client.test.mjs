// The official Letta Code client (@letta-ai/letta-code, dist/app-server-client.js), run
// unchanged against a real tether runtime.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { pathToFileURL } from "node:url";
import WebSocket from "ws";
import { root, startRuntime, TOKEN, waitFor, collectUntil } from "./lib/runtime.mjs";

const clientPath = path.join(root, "tests/node_modules/.letta-code-0.32.18/package/dist/app-server-client.js");
const { createAppServerClient } = await import(pathToFileURL(clientPath).href);

let runtime;
before(async () => { runtime = await startRuntime(); });
after(async () => { await runtime?.stop(); });

async function connect() {
  const client = createAppServerClient({ url: runtime.url, authToken: TOKEN, WebSocket, requestTimeoutMs: 20000 });
  await client.connect();
  return client;
}

test("info, runtimeStart, a text turn, sync and abort", async () => {
  const client = await connect();
  try {
    const info = await client.info();
    assert.equal(info.backend, "local");
    assert.equal(info.protocol_version, 1);
    assert.equal(info.capabilities.runtime_start, true);
    assert.equal(info.capabilities.split_channels, false);

    const started = await client.runtimeStart({
      create_agent: { body: { name: "official-client agent", model: "scripted" } },
      create_conversation: {},
    });
    assert.equal(started.success, true);
    assert.deepEqual(started.created, { agent: true, conversation: true });
    const runtimeScope = started.runtime;
    assert.ok(runtimeScope.agent_id && runtimeScope.conversation_id);

    const finished = waitFor(client, (m) => m.type === "turn_finished");
    const accepted = await client.submitInput({
      runtime: runtimeScope,
      payload: { kind: "create_message", messages: [{ role: "user", content: "hello from the official client" }] },
    });
    assert.equal(accepted.accepted, true);
    assert.equal(accepted.disposition, "started");
    const done = await finished;
    assert.equal(done.stop_reason, "end_turn");

    const synced = await client.sync({ runtime: runtimeScope });
    assert.equal(synced.success, true);

    const streaming = waitFor(client, (m) => m.type === "stream_delta" && m.delta.message_type === "assistant_message");
    const cancelled = waitFor(client, (m) => m.type === "turn_finished");
    client.input({
      runtime: runtimeScope,
      payload: { kind: "create_message", messages: [{ role: "user", content: "sleep: 1500\nslow please" }] },
    });
    await streaming;
    const aborted = await client.abort({ runtime: runtimeScope });
    assert.equal(aborted.aborted, true);
    assert.equal((await cancelled).stop_reason, "cancelled");

    const list = await client.conversationList();
    assert.equal(list.success, true);
    assert.ok(list.conversations.some((c) => c.id === runtimeScope.conversation_id));
  } finally {
    client.close();
  }
});

test("a wrong token is refused before any frame", async () => {
  const client = createAppServerClient({ url: runtime.url, authToken: "wrong", WebSocket });
  await assert.rejects(client.connect());
});

test("onExternalToolCall answers the runtime's calls; an unanswered call times out", async () => {
  const slow = await startRuntime({ env: { TETHER_EXTERNAL_TOOL_TIMEOUT_MS: "1000" } });
  const client = createAppServerClient({ url: slow.url, authToken: TOKEN, WebSocket, requestTimeoutMs: 20000 });
  await client.connect();
  try {
    const tools = [{ tools: [
      { name: "lookup", description: "Looks a word up.", parameters: { type: "object", properties: { q: { type: "string" } } } },
      { name: "never", description: "Never answers.", parameters: { type: "object", properties: {} } },
    ] }];
    const started = await client.runtimeStart({
      create_agent: { body: { name: "external", model: "scripted" } },
      create_conversation: {},
      mode: "unrestricted",
      external_tools: tools,
    });
    assert.equal(started.success, true);
    const seen = [];
    client.onExternalToolCall(async (request) => {
      seen.push(request);
      if (request.tool_name === "never") return new Promise(() => {});
      return { content: [{ type: "text", text: `definition of ${request.input.q}` }] };
    });

    const returns = [];
    const off = client.onMessage((m) => {
      if (m.type === "stream_delta" && m.delta.message_type === "tool_return_message") returns.push(m.delta);
    });
    const turn = (content) => {
      const finished = waitFor(client, (m) => m.type === "turn_finished");
      client.input({ runtime: started.runtime, payload: { kind: "create_message", messages: [{ role: "user", content }] } });
      return finished;
    };
    assert.equal((await turn('tool: lookup {"q":"tether"}')).stop_reason, "end_turn");
    assert.equal(seen[0].tool_name, "lookup");
    assert.equal(returns[0].tool_return, "definition of tether");

    assert.equal((await turn("tool: never {}")).stop_reason, "end_turn");
    assert.equal(returns[1].status, "error");
    assert.match(returns[1].tool_return, /did not answer/);
    off();
  } finally {
    client.close();
    await slow.stop();
  }
});
