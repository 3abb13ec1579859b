// The built web UI (web/dist) still boots under tether's Content-Security-Policy, served
// over https:// (headless Debian Chromium): Trunk's inline bootstrap script is allowed by
// its hash, the wasm by 'wasm-unsafe-eval', and nothing is refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import readline from "node:readline";
import { chromium } from "playwright-core";
import { root, TOKEN, tetherBin } from "./lib/runtime.mjs";

const dist = path.join(root, "web/dist");

test("the web UI boots under the CSP with no violation", { skip: !existsSync(path.join(dist, "index.html")) && "web/dist not built" }, async (t) => {
  const bin = tetherBin();
  const dataDir = mkdtempSync(path.join(tmpdir(), "tether-csp-"));
  const child = spawn(bin, ["app-server", "--listen", "wss://127.0.0.1:0", "--token", TOKEN, "--data-dir", dataDir,
    "--cwd", dataDir, "--web-dist", dist], { stdio: ["ignore", "pipe", "inherit"] });
  t.after(() => { child.kill("SIGKILL"); rmSync(dataDir, { recursive: true, force: true }); });
  const lines = readline.createInterface({ input: child.stdout });
  const first = await new Promise((resolve) => lines.once("line", resolve));
  lines.on("line", () => {});
  const port = /^Listening on wss:\/\/127\.0\.0\.1:(\d+)$/.exec(first)?.[1];
  assert.ok(port, first);

  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"] });
  t.after(() => browser.close());
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const violations = [];
  page.on("console", (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
  page.on("pageerror", (err) => violations.push(`page error: ${err}`));
  const response = await page.goto(`https://127.0.0.1:${port}/#token=${TOKEN}`);
  const csp = response.headers()["content-security-policy"];
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  // The body is empty until the wasm app has mounted.
  await page.waitForFunction(() => document.body.innerText.trim().length > 0, null, { timeout: 20000 });
  assert.deepEqual(violations, []);
});
