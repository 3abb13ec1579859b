// A tether app-server that can be killed and started again on the same port with the same
// data directory (for reconnect tests); complements runtime.mjs's one-shot startRuntime.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawnAppServer } from "./runtime.mjs";

/** Starts tether; `start()` again after `kill()` reuses the port, store and workspace. */
export async function restartableRuntime({ args = [] } = {}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), "tether-data-"));
  const workspace = mkdtempSync(path.join(tmpdir(), "tether-ws-"));
  let child;
  let port = 0;
  const self = {
    dataDir,
    workspace,
    get port() { return port; },
    async start() {
      ({ child, port } = await spawnAppServer({
        dataDir, workspace, args: ["--listen", `ws://127.0.0.1:${port}`, ...args], env: { TETHER_MODEL: "scripted" },
      }));
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
