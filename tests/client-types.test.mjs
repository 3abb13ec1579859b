// tether-client's TypeScript declarations (pkg/tether_client.d.ts, written in
// client-wasm/ts/frames.d.ts next to the Rust types) cannot drift from the protocol:
// every golden frame of protocol/tests/golden whose type the package declares must
// type-check against it under `tsc --strict` (excess members and missing required ones
// are errors), and a sample program using the client's methods must compile.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { root } from "./lib/runtime.mjs";

const SERVER = ["app_server_info_response", "runtime_start_response", "sync_response", "input_accepted",
  "abort_message_response", "resume_queue_response", "conversation_list_response", "turn_finished", "stream_delta",
  "update_loop_status", "update_queue", "update_device_status", "control_request", "external_tool_call_request"];
const CLIENT = ["app_server_info", "runtime_start", "sync", "input", "abort_message", "resume_queue",
  "conversation_list", "external_tool_call_response"];

function goldens(side, declared) {
  const dir = path.join(root, "protocol/tests/golden", side);
  const frames = readdirSync(dir).filter((f) => f.endsWith(".json"))
    .map((f) => ({ file: f, text: readFileSync(path.join(dir, f), "utf8") }))
    .filter(({ text }) => declared.includes(JSON.parse(text).type));
  for (const type of declared) {
    assert.ok(frames.some(({ text }) => JSON.parse(text).type === type), `no golden ${side} frame of type ${type}`);
  }
  return frames;
}

const SAMPLE = `
import { createClient, type ServerFrame, type TurnFinished } from "./client.js";
export async function sample(): Promise<string> {
  const client = createClient({ url: "http://127.0.0.1:4500", authToken: "t", requestTimeoutMs: 5000 });
  await client.connect();
  const info = await client.info();
  const version: number = info.protocol_version;
  const started = await client.runtimeStart({ create_agent: { body: { model: "scripted" } }, create_conversation: {}, mode: "standard" });
  if (!started.runtime) return started.error ?? "failed";
  const runtime = started.runtime;
  const finished: TurnFinished = await client.runTurn({ runtime, payload: { kind: "create_message", messages: [{ role: "user", content: "hi" }] } });
  const off = client.onMessage((m: ServerFrame) => {
    if (m.type === "control_request") {
      client.input({ runtime, payload: { kind: "approval_response", request_id: m.request_id, decision: { behavior: "allow" } } });
    }
    if (m.type === "turn_finished") { const reason: string = m.stop_reason; void reason; }
  });
  const stop = client.onExternalToolCall((request) => ({ content: [{ type: "text", text: String(request.input.q) }] }));
  const synced: boolean = (await client.sync({ runtime })).success;
  const aborted: boolean = (await client.abort({ runtime })).aborted;
  const ids: string[] = (await client.conversationList()).conversations.map((c) => c.id);
  // @ts-expect-error: an input needs a payload
  client.input({ runtime });
  // @ts-expect-error: the state is one of four names
  const state: "open" | "closed" = client.state;
  off(); stop(); client.close();
  return [version, finished.turn_id, synced, aborted, ids.length, state].join();
}
`;

test("the package's declarations accept every golden frame of a declared type, and a sample", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "tether-client-types-"));
  try {
    copyFileSync(path.join(root, "pkg/tether_client.d.ts"), path.join(dir, "client.d.ts"));
    const lines = ['import type { ClientFrame, ServerFrame } from "./client.js";'];
    goldens("server", SERVER).forEach(({ file, text }, i) => lines.push(`// ${file}\nexport const s${i}: ServerFrame = ${text};`));
    goldens("client", CLIENT).forEach(({ file, text }, i) => lines.push(`// ${file}\nexport const c${i}: ClientFrame = ${text};`));
    writeFileSync(path.join(dir, "goldens.ts"), lines.join("\n"));
    writeFileSync(path.join(dir, "sample.ts"), SAMPLE);
    const tsc = path.join(root, "tests/node_modules/typescript/bin/tsc");
    try {
      execFileSync(process.execPath, [tsc, "--noEmit", "--strict", "--target", "es2022", "--module", "esnext",
        "--moduleResolution", "bundler", "--lib", "esnext,dom", "goldens.ts", "sample.ts"], { cwd: dir, encoding: "utf8" });
    } catch (error) {
      assert.fail(`tsc found type errors:\n${error.stdout}${error.stderr}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the declarations catch a drifted frame", () => {
  // Guards the guard: a member the types do not have, or a missing one, must fail tsc.
  const dir = mkdtempSync(path.join(tmpdir(), "tether-client-types-"));
  try {
    copyFileSync(path.join(root, "pkg/tether_client.d.ts"), path.join(dir, "client.d.ts"));
    writeFileSync(path.join(dir, "drift.ts"), `import type { ServerFrame } from "./client.js";
export const extra: ServerFrame = { type: "sync_response", request_id: "r", runtime: { agent_id: null, conversation_id: "c" }, success: true, surprise: 1 };
export const missing: ServerFrame = { type: "input_accepted", request_id: "r", accepted: true };`);
    const tsc = path.join(root, "tests/node_modules/typescript/bin/tsc");
    let output = "";
    try {
      execFileSync(process.execPath, [tsc, "--noEmit", "--strict", "--target", "es2022", "--module", "esnext", "--moduleResolution", "bundler", "--lib", "esnext,dom", "drift.ts"], { cwd: dir, encoding: "utf8" });
    } catch (error) {
      output = `${error.stdout}`;
    }
    assert.match(output, /surprise/);
    assert.match(output, /runtime/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
