// Starts a real `tether app-server` (the debug build) for a Node test, and stops it.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const TOKEN = "node-test-token-0123456789";

/** The tether binary the tests run (`TETHER_BIN`, else the workspace's debug build). */
export const tetherBin = () => process.env.TETHER_BIN ?? path.join(root, "target/debug/tether");

/**
 * Spawns `tether app-server` with the test token on `dataDir` and `workspace`, no model keys
 * from the environment; resolves with the child and the port of its `Listening on` line.
 */
export async function spawnAppServer({ dataDir, workspace, args = [], env = {} }) {
  const child = spawn(tetherBin(), ["app-server", "--data-dir", dataDir, "--cwd", workspace, "--token", TOKEN, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, TETHER_MODEL: "", OPENAI_API_KEY: "", ANTHROPIC_API_KEY: "", ...env },
  });
  const lines = readline.createInterface({ input: child.stdout });
  const first = await new Promise((resolve, reject) => {
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`tether exited early with ${code}`)));
  });
  const match = /^Listening on ws:\/\/(.+):(\d+)$/.exec(first);
  if (!match) throw new Error(`unexpected first line: ${first}`);
  lines.on("line", () => {});
  return { child, port: Number(match[2]) };
}

/** Spawns tether on 127.0.0.1:0 and resolves once it printed its `Listening on` line. */
export async function startRuntime({ args = [], env = {} } = {}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), "tether-data-"));
  const workspace = mkdtempSync(path.join(tmpdir(), "tether-ws-"));
  const { child, port } = await spawnAppServer({ dataDir, workspace, args, env });
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    dataDir,
    workspace,
    async stop() {
      child.kill("SIGKILL");
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", resolve)));
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(workspace, { recursive: true, force: true });
    },
  };
}

/** Resolves with the first message `predicate` accepts (rejects after `ms`, a guard against hangs). */
export function waitFor(client, predicate, ms = 20000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error("timed out waiting for a message")); }, ms);
    const off = client.onMessage((message) => {
      if (predicate(message)) { clearTimeout(timer); off(); resolve(message); }
    });
  });
}

/** Collects every message until `predicate` accepts one (inclusive). */
export function collectUntil(client, predicate, ms = 20000) {
  const seen = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`timed out; saw ${seen.map((m) => m.type)}`)); }, ms);
    const off = client.onMessage((message) => {
      seen.push(message);
      if (predicate(message)) { clearTimeout(timer); off(); resolve(seen); }
    });
  });
}
