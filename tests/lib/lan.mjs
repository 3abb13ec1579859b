// `tether app-server --lan` (TLS on loopback) for browser tests that pair over https.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import readline from "node:readline";
import { TOKEN, tetherBin } from "./runtime.mjs";

/** Flags for headless Debian Chromium in these tests. */
export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"];

/**
 * Starts `tether app-server --lan` on wss://127.0.0.1:0; resolves with its port and pairing
 * link. `webDist` serves a built web UI (default: none).
 */
export async function startLan({ webDist } = {}) {
  const bin = tetherBin();
  const dataDir = mkdtempSync(path.join(tmpdir(), "tether-lan-"));
  const workspace = mkdtempSync(path.join(tmpdir(), "tether-ws-"));
  const child = spawn(bin, ["app-server", "--lan", "--listen", "wss://127.0.0.1:0", "--token", TOKEN,
    "--data-dir", dataDir, "--cwd", workspace, "--web-dist", webDist ?? path.join(dataDir, "no-ui")], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, TETHER_MODEL: "", OPENAI_API_KEY: "", ANTHROPIC_API_KEY: "" },
  });
  const lines = readline.createInterface({ input: child.stdout });
  const seen = [];
  const { port, link } = await new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`tether exited early with ${code}: ${seen.join("\n")}`)));
    let link;
    lines.on("line", (line) => {
      seen.push(line);
      link ??= /^\s+(https:\/\/\S+\/pair#\S+)$/.exec(line)?.[1];
      // The fingerprint comes after the link and its QR code.
      if (link && /^\s+([0-9A-F]{2}:){31}[0-9A-F]{2}$/.test(line)) {
        resolve({ port: Number(/^Listening on wss:\/\/127\.0\.0\.1:(\d+)$/.exec(seen[0])[1]), link });
      }
    });
  });
  return {
    port, link, output: seen, dataDir,
    async stop() {
      child.kill("SIGKILL");
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", resolve)));
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(workspace, { recursive: true, force: true });
    },
  };
}
