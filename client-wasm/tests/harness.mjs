#!/usr/bin/env node
// Runs the client's wasm-bindgen tests (Node and headless Chromium) against a real
// `tether app-server`: starts it on a free port with a token, serves
// `GET /restart` (kill and restart it on the same port and data dir, so the client's
// socket drops for real), passes the addresses to the tests at compile time, then
// runs `cargo test -p tether-client --target wasm32-unknown-unknown [ARGS...]`.
//
// usage: node client-wasm/tests/harness.mjs [extra cargo test args]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(root, "target");
const bin = process.env.TETHER_BIN ?? path.join(targetDir, "debug/tether");
const token = "wasm-test-token-0123456789";

async function freePort() {
  const server = net.createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const runtimePort = await freePort();
const pagePort = await freePort(); // wasm-bindgen-test-runner's page server: its origin is allowed
const dataDir = mkdtempSync(path.join(tmpdir(), "tether-client-data-"));
const workspace = mkdtempSync(path.join(tmpdir(), "tether-client-ws-"));
let child;

async function startRuntime() {
  for (let attempt = 0; ; attempt++) {
    child = spawn(bin, ["app-server", "--listen", `ws://127.0.0.1:${runtimePort}`, "--data-dir", dataDir,
      "--cwd", workspace, "--token", token, "--allow-origin", `http://127.0.0.1:${pagePort}`], {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, TETHER_MODEL: "", OPENAI_API_KEY: "", ANTHROPIC_API_KEY: "" },
    });
    const lines = readline.createInterface({ input: child.stdout });
    const first = await new Promise((resolve) => {
      lines.once("line", resolve);
      child.once("exit", () => resolve(null));
    });
    if (first?.startsWith("Listening on ")) {
      lines.on("line", () => {});
      return;
    }
    if (attempt >= 20) throw new Error(`tether did not start on port ${runtimePort}`);
    await new Promise((resolve) => setTimeout(resolve, 250)); // the port may still be held
  }
}

async function stopRuntime() {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

await startRuntime();
const control = http.createServer(async (req, res) => {
  res.setHeader("Access-Control-Allow-Origin", "*");
  if (req.url === "/restart") {
    await stopRuntime();
    await startRuntime();
    res.end("restarted");
  } else {
    res.statusCode = 404;
    res.end();
  }
});
await new Promise((resolve) => control.listen(0, "127.0.0.1", resolve));

const cargo = spawn("cargo", ["test", "--locked", "--offline", "-p", "tether-client", "--target", "wasm32-unknown-unknown",
  ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  env: {
    ...process.env,
    TETHER_TEST_URL: `ws://127.0.0.1:${runtimePort}`,
    TETHER_TEST_TOKEN: token,
    TETHER_TEST_CONTROL: `http://127.0.0.1:${control.address().port}`,
    WASM_BINDGEN_TEST_ADDRESS: `127.0.0.1:${pagePort}`,
    WASM_BINDGEN_TEST_TIMEOUT: process.env.WASM_BINDGEN_TEST_TIMEOUT ?? "120",
    NODE_ARGS: "--experimental-websocket",
    CHROMEDRIVER: process.env.CHROMEDRIVER ?? "/usr/bin/chromedriver",
  },
});
const code = await new Promise((resolve) => cargo.once("exit", (c) => resolve(c ?? 1)));
await stopRuntime();
control.close();
rmSync(dataDir, { recursive: true, force: true });
rmSync(workspace, { recursive: true, force: true });
process.exit(code);
