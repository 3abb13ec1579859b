// A tether app-server that can be killed and started again on the same port with the same
// data directory (for reconnect tests); complements runtime.mjs's one-shot startRuntime.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import readline from "node:readline";
import { root, TOKEN } from "./runtime.mjs";

/** Starts tether; `start()` again after `kill()` reuses the port, store and workspace. */
export async function restartableRuntime({ args = [] } = {}) {
  const bin = process.env.TETHER_BIN ?? path.join(root, "target/debug/tether");
  const dataDir = mkdtempSync(path.join(tmpdir(), "tether-data-"));
  const workspace = mkdtempSync(path.join(tmpdir(), "tether-ws-"));
  let child;
  let port = 0;
  const self = {
    dataDir,
    workspace,
    get port() { return port; },
    async start() {
      child = spawn(bin, ["app-server", "--listen", `ws://127.0.0.1:${port}`, "--data-dir", dataDir, "--cwd", workspace,
        "--token", TOKEN, ...args], {
        stdio: ["ignore", "pipe", "inherit"],
        env: { ...process.env, TETHER_MODEL: "scripted", OPENAI_API_KEY: "", ANTHROPIC_API_KEY: "" },
      });
      const lines = readline.createInterface({ input: child.stdout });
      const first = await new Promise((resolve, reject) => {
        lines.once("line", resolve);
        child.once("exit", (code) => reject(new Error(`tether exited early with ${code}`)));
      });
      const match = /^Listening on ws:\/\/(.+):(\d+)$/.exec(first);
      if (!match) throw new Error(`unexpected first line: ${first}`);
      lines.on("line", () => {});
      port = Number(match[2]);
    },
    async kill() {
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      await self.kill();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(workspace, { recursive: true, force: true });
    },
  };
  await self.start();
  return self;
}
