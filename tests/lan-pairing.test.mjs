// Pairing a browser over https:// on loopback (headless Debian Chromium): the printed
// one-time link sets the device cookie, and the page's own WebSocket then runs a full
// turn with an approval.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { artifacts as ARTIFACTS } from "./lib/browser.mjs";
import { CHROMIUM_ARGS, startLan } from "./lib/lan.mjs";

test("a phone pairs from the printed link and runs a turn with an approval over wss", async (t) => {
  const server = await startLan();
  t.after(() => server.stop());
  assert.match(server.output[0], /^Listening on wss:\/\/127\.0\.0\.1:\d+$/);
  assert.ok(server.output.some((l) => /^\s+([0-9A-F]{2}:){31}[0-9A-F]{2}$/.test(l)), "fingerprint printed");
  assert.ok(server.link.startsWith(`https://127.0.0.1:${server.port}/pair#`), server.link);

  const profile = path.join(server.dataDir, "chromium");
  mkdirSync(profile);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS, ignoreHTTPSErrors: true,
  });
  t.after(() => context.close());
  const page = context.pages()[0] ?? (await context.newPage());
  const violations = [];
  page.on("console", (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });

  await page.goto(server.link);
  await page.waitForURL(`https://127.0.0.1:${server.port}/`);
  const cookie = (await context.cookies()).find((c) => c.name === "tether_session");
  assert.ok(cookie, "session cookie set");
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.secure, true);
  assert.equal(cookie.sameSite, "Strict");
  assert.equal(await page.evaluate(() => document.cookie), "", "the page cannot read the cookie");

  // The same link cannot pair a second browser.
  const again = await context.newPage();
  await again.goto(server.link);
  await again.waitForFunction(() => document.body.dataset.failed !== undefined);
  assert.equal(await again.evaluate(() => document.body.dataset.failed), "401");
  assert.match(await again.textContent("#status"), /expired or was already used/);
  // Styled by its own stylesheet (allowed by the CSP): one card, the failure in red.
  await again.setViewportSize({ width: 360, height: 740 });
  const styled = await again.evaluate(() => ({
    card: getComputedStyle(document.querySelector("main.card")).borderTopStyle,
    status: getComputedStyle(document.getElementById("status")).color,
    body: getComputedStyle(document.body).color,
    scrolls: document.documentElement.scrollWidth > window.innerWidth,
  }));
  assert.equal(styled.card, "solid", "the pairing page's stylesheet applies");
  assert.notEqual(styled.status, styled.body, "a failed pairing stands out");
  assert.equal(styled.scrolls, false, "no horizontal scroll on a phone");
  mkdirSync(ARTIFACTS, { recursive: true });
  await again.screenshot({ path: path.join(ARTIFACTS, "pair-phone-used-link.png") });
  await again.close();

  // The page's own WebSocket, authenticated by the cookie alone.
  const result = await page.evaluate(async () => {
    const ws = new WebSocket(`wss://${location.host}/ws`);
    const frames = [];
    const waiters = [];
    ws.onmessage = (event) => {
      const frame = JSON.parse(event.data);
      frames.push(frame);
      for (const w of [...waiters]) if (w.pred(frame)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(frame); }
    };
    const next = (pred) => new Promise((resolve, reject) => {
      const found = frames.find(pred);
      if (found) return resolve(found);
      waiters.push({ pred, resolve });
      setTimeout(() => reject(new Error(`timed out; saw ${frames.map((f) => f.type)}`)), 20000);
    });
    await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = () => reject(new Error("socket refused")); });
    ws.send(JSON.stringify({ type: "runtime_start", request_id: "start", mode: "standard",
      create_agent: { body: { name: "phone agent", model: "scripted" } }, create_conversation: {} }));
    const started = await next((f) => f.request_id === "start" && f.type !== "control_request");
    const scope = { agent_id: started.runtime.agent_id, conversation_id: started.runtime.conversation_id };
    ws.send(JSON.stringify({ type: "input", request_id: "in", runtime: scope, payload: { kind: "create_message",
      messages: [{ role: "user", content: 'tool: Bash {"command":"echo paired-from-the-sofa"}', client_message_id: "cm-1" }] } }));
    const asked = await next((f) => f.type === "control_request");
    ws.send(JSON.stringify({ type: "input", request_id: "ans", runtime: scope, payload: { kind: "approval_response",
      request_id: asked.request_id, decision: { behavior: "allow" } } }));
    await next((f) => f.type === "turn_finished");
    ws.close();
    return { started: started.success, subtype: asked.request.subtype, tool: asked.request.tool_name, frames };
  });
  assert.equal(result.started, true);
  assert.equal(result.subtype, "can_use_tool");
  assert.equal(result.tool, "Bash");
  const returns = result.frames.filter((f) => f.type === "stream_delta" && f.delta?.message_type === "tool_return_message");
  assert.ok(returns.some((f) => JSON.stringify(f.delta).includes("paired-from-the-sofa")), "the approved command ran");
  assert.deepEqual(violations, [], "no CSP violations on the pairing path");
});
