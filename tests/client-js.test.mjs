// tether-client's own JavaScript behaviour beyond the official client's: timeouts, a
// dropped socket (requests reject, onDisconnect runs, the client reconnects), close().
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { pathToFileURL } from "node:url";
import WebSocket from "ws";
import { root, startRuntime, TOKEN } from "./lib/runtime.mjs";

const { createClient } = await import(pathToFileURL(path.join(root, "pkg/node.js")).href);

/** Resolves when `client` reports `state`. */
function stateReached(client, state) {
  return new Promise((resolve) => {
    if (client.state === state) return resolve();
    const off = client.onStateChange((s) => { if (s === state) { off(); resolve(); } });
  });
}

test("a request nobody answers times out; the client stays usable", async () => {
  const runtime = await startRuntime();
  const client = createClient({ url: runtime.url, authToken: TOKEN, WebSocket, requestTimeoutMs: 300 });
  try {
    await client.connect();
    assert.equal(client.state, "open");
    // tether ignores `pong`, so no answer comes.
    await assert.rejects(client.request({ type: "pong", request_id: "silent-1" }), /timed out waiting for the answer to silent-1/);
    assert.equal((await client.info()).type, "app_server_info_response");
  } finally {
    client.close();
    await runtime.stop();
  }
});

test("a dropped socket rejects waiting requests, calls onDisconnect and reconnects; close() ends it", async () => {
  const runtime = await startRuntime();
  const client = createClient({ url: runtime.url, authToken: TOKEN, WebSocket, requestTimeoutMs: 20000 });
  try {
    await client.connect();
    const started = await client.runtimeStart({ create_agent: { body: { name: "drop", model: "scripted" } }, create_conversation: {} });
    const disconnects = [];
    client.onDisconnect((event) => disconnects.push(event));
    const streaming = new Promise((resolve) => {
      const off = client.onMessage((m) => { if (m.type === "stream_delta") { off(); resolve(); } });
    });
    const turn = client.runTurn({ runtime: started.runtime,
      payload: { kind: "create_message", messages: [{ role: "user", content: "sleep: 5000\nslow" }] } });
    const turnFails = assert.rejects(turn, /dropped before input-/); // handled before the drop
    await streaming;
    await runtime.stop();
    await turnFails;
    await stateReached(client, "reconnecting");
    assert.equal(disconnects.length, 1);
    assert.equal(disconnects[0].channel, "control");
    assert.equal(typeof disconnects[0].code, "number");
    client.close();
    assert.equal(client.state, "closed");
    await assert.rejects(client.info(), /closed/);
  } finally {
    client.close();
  }
});

test("reconnect: false closes the client on the first drop", async () => {
  const runtime = await startRuntime();
  const client = createClient({ url: runtime.url, authToken: TOKEN, WebSocket, reconnect: false });
  await client.connect();
  await runtime.stop();
  await stateReached(client, "closed");
  assert.throws(() => client.input({ runtime: { agent_id: null, conversation_id: "c" },
    payload: { kind: "create_message", messages: [] } }), /closed/);
});

test("runTurn of a queued input resolves with its own turn, not the one in progress", async () => {
  const runtime = await startRuntime();
  const client = createClient({ url: runtime.url, authToken: TOKEN, WebSocket, requestTimeoutMs: 20000 });
  try {
    await client.connect();
    const { runtime: scope } = await client.runtimeStart({ create_agent: { body: { name: "queue", model: "scripted" } }, create_conversation: {} });
    const say = (content) => ({ runtime: scope, payload: { kind: "create_message", messages: [{ role: "user", content }] } });
    const accepted = [];
    client.onMessage((m) => { if (m.type === "input_accepted") accepted.push(m.disposition); });
    const finishedIds = [];
    client.onMessage((m) => { if (m.type === "turn_finished") finishedIds.push(m.turn_id); });
    const first = client.runTurn(say("sleep: 300\nfirst"));
    const second = client.runTurn(say("second"));
    const [a, b] = await Promise.all([first, second]);
    assert.deepEqual(accepted, ["started", "queued"]);
    assert.notEqual(a.turn_id, b.turn_id);
    assert.deepEqual(finishedIds, [a.turn_id, b.turn_id], "each resolves with its own turn, in order");
  } finally {
    client.close();
    await runtime.stop();
  }
});
