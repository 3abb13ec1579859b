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
