// The web UI in headless Chromium survives its socket being cut mid-turn: a TCP proxy
// between the browser and the runtime is severed while the scripted model streams slowly
// (or while an approval waits), then restored. The transcript must end with every message
// exactly once and complete, the queue and the Stop button as the runtime says, and a
// pending approval still answerable. A second client, connected straight to the runtime,
// sees the whole stream and plays "another device".
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import WebSocket from "ws";
import { root, startRuntime, TOKEN } from "./lib/runtime.mjs";
import { launch } from "./lib/browser.mjs";
import { startProxy } from "./lib/proxy.mjs";

const dist = path.join(root, "web/dist");
const WAIT = 30000;
/** Delay before each scripted chunk: slow enough that a cut lands between two of them. */
const SLOW_MS = 2500;

let runtime;
before(async () => {
  assert.ok(existsSync(path.join(dist, "index.html")), "build the UI first: scripts/build-web.sh");
  runtime = await startRuntime({ args: ["--web-dist", dist, "--model", "scripted"] });
});
after(async () => { await runtime?.stop(); });

/** Signs in through `origin` and starts a conversation; returns `{agent_id, conversation_id}`. */
async function signInAndStart(page, origin) {
  await page.goto(`${origin}/#token=${TOKEN}`);
  await page.getByRole("button", { name: "Start a conversation" }).click();
  await page.getByRole("textbox", { name: "Message" }).waitFor({ timeout: WAIT });
  await page.waitForFunction(() => location.hash.startsWith("#/c/"), null, { timeout: WAIT });
  const [agent, conversation] = new URL(page.url()).hash.slice("#/c/".length).split("/");
  return { agent_id: decodeURIComponent(agent), conversation_id: decodeURIComponent(conversation) };
}

async function send(page, text) {
  const box = page.getByRole("textbox", { name: "Message" });
  await box.fill(text);
  await box.press("Enter");
}

/** A client straight to the runtime, watching `scope`; `until(pred)` resolves on a frame. */
async function otherDevice(scope) {
  const ws = new WebSocket(`ws://127.0.0.1:${runtime.port}/ws`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  await new Promise((resolve, reject) => { ws.once("open", resolve); ws.once("error", reject); });
  const frames = [];
  const waiters = new Set();
  ws.on("message", (data) => {
    const frame = JSON.parse(String(data));
    frames.push(frame);
    for (const waiter of [...waiters]) if (waiter.pred(frame, frames)) { waiters.delete(waiter); waiter.resolve(frame); }
  });
  const sendFrame = (frame) => ws.send(JSON.stringify(frame));
  const started = new Promise((resolve) => waiters.add({ pred: (f) => f.type === "runtime_start_response", resolve }));
  sendFrame({ type: "runtime_start", request_id: "other-start", ...scope });
  await started;
  return {
    frames,
    until(pred) {
      const hit = frames.find((f) => pred(f, frames));
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve) => waiters.add({ pred, resolve }));
    },
    say(text) {
      sendFrame({ type: "input", runtime: scope,
        payload: { kind: "create_message", messages: [{ role: "user", content: text }] } });
    },
    close() { ws.close(); },
  };
}

const assistantChunks = (frames) => frames.filter((f) => f.type === "stream_delta" && f.delta.message_type === "assistant_message");

/** Visible texts of every element matching `selector`. */
const texts = (page, selector) => page.locator(selector).evaluateAll((els) => els.map((el) => el.innerText.trim()));

test("a socket cut mid-stream: the reply once and complete, another device's message, queue and Stop right", async () => {
  const link = await startProxy(runtime.port);
  const browser = await launch({ width: 1280, height: 800 });
  let other;
  try {
    const { page } = browser;
    const scope = await signInAndStart(page, `http://127.0.0.1:${link.port}`);
    other = await otherDevice(scope);

    await send(page, `sleep: ${SLOW_MS}\nslow hello`);
    await page.locator(".msg.assistant", { hasText: "Hi! I'm" }).waitFor({ timeout: WAIT }); // the first chunk
    link.cut();
    await page.getByText("Connection lost — reconnecting").waitFor({ timeout: WAIT });
    // The second chunk streams while the page is cut off, and another device sends a
    // message, which waits in the queue behind the running turn.
    await other.until((_, frames) => assistantChunks(frames).length >= 2);
    other.say("from the other device");
    await other.until((f) => f.type === "update_queue" && f.queue.some((q) => JSON.stringify(q.content).includes("from the other device")));
    link.restore();

    await page.getByText("Connection lost").waitFor({ state: "detached", timeout: WAIT });
    // Right after the reconnect: the turn still runs (Stop) and the queue shows the message.
    await page.getByRole("region", { name: "Queue" }).getByText("from the other device").waitFor({ timeout: WAIT });
    await page.getByRole("button", { name: "Stop", exact: true }).waitFor({ timeout: WAIT });

    // Both turns end; the page settles.
    await other.until((_, frames) => frames.filter((f) => f.type === "turn_finished").length >= 2);
    await page.getByRole("button", { name: "Stop", exact: true }).waitFor({ state: "detached", timeout: WAIT });
    await page.getByRole("region", { name: "Queue" }).waitFor({ state: "detached", timeout: WAIT });
    await page.locator(".msg.assistant").nth(1).waitFor({ timeout: WAIT });

    const firstRun = assistantChunks(other.frames)[0].delta.run_id;
    const streamed = assistantChunks(other.frames).filter((f) => f.delta.run_id === firstRun).map((f) => f.delta.content).join("");
    const expected = streamed.replaceAll("`", ""); // inline code shows without its backticks
    await page.waitForFunction((want) => document.querySelector(".msg.assistant")?.innerText.trim() === want, expected, { timeout: WAIT })
      .catch(() => {});
    await browser.screenshot("web-reconnect-mid-stream.png");
    assert.deepEqual(await texts(page, ".msg.user"), [`sleep: ${SLOW_MS}\nslow hello`, "from the other device"]);
    assert.deepEqual(await texts(page, ".msg.assistant"), [expected, expected]);
    assert.deepEqual(browser.errors, []);
  } finally {
    other?.close();
    await browser.close();
    await link.close();
  }
});

test("an approval pending across a cut: one card, one tool card, and Allow still runs the tool", async () => {
  const link = await startProxy(runtime.port);
  const browser = await launch({ width: 360, height: 740 });
  try {
    const { page } = browser;
    await signInAndStart(page, `http://127.0.0.1:${link.port}`);
    const file = path.join(runtime.workspace, "across-the-cut.txt");
    await send(page, `tool: Write ${JSON.stringify({ file_path: file, content: "still here\n" })}`);
    const card = page.getByRole("group", { name: `Approve Write ${file}` });
    await card.waitFor({ timeout: WAIT });
    await page.locator(".tool[data-status=running]").waitFor({ timeout: WAIT });

    link.cut();
    await page.getByText("Connection lost — reconnecting").waitFor({ timeout: WAIT });
    link.restore();
    await page.getByText("Connection lost").waitFor({ state: "detached", timeout: WAIT });
    // A message sent now is queued behind the waiting turn; once the page shows it, the
    // runtime has answered everything the reconnect asked for (one connection, in order).
    await send(page, "after the cut");
    await page.getByRole("region", { name: "Queue" }).getByText("after the cut").waitFor({ timeout: WAIT });
    await browser.screenshot("web-reconnect-approval.png");
    assert.equal(await page.getByRole("group", { name: /^Approve/ }).count(), 1);
    assert.equal(await page.getByRole("article", { name: "Tool Write" }).count(), 1);

    await card.getByRole("button", { name: "Allow", exact: true }).click();
    await card.waitFor({ state: "detached", timeout: WAIT });
    await page.locator(".msg.assistant", { hasText: "Write returned" }).waitFor({ timeout: WAIT });
    await page.locator(".msg.user", { hasText: "after the cut" }).waitFor({ timeout: WAIT });
    await page.getByRole("button", { name: "Stop", exact: true }).waitFor({ state: "detached", timeout: WAIT });
    assert.equal(readFileSync(file, "utf8"), "still here\n");
    assert.equal(await page.getByRole("article", { name: "Tool Write" }).and(page.locator("[data-status=done]")).count(), 1);
    assert.equal(await page.locator(".tool").count(), 1);
    assert.equal(await page.locator(".msg.user").count(), 2);
    assert.equal(await page.locator(".msg.assistant").count(), 2);
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
    await link.close();
  }
});

test("turns that end during the cut (one another device sent): each message once and whole, the page idle", async () => {
  const link = await startProxy(runtime.port);
  const browser = await launch({ width: 360, height: 740, colorScheme: "dark" });
  let other;
  try {
    const { page } = browser;
    const scope = await signInAndStart(page, `http://127.0.0.1:${link.port}`);
    other = await otherDevice(scope);
    await send(page, "sleep: 1000\nshort outage");
    await page.locator(".msg.assistant", { hasText: "Hi! I'm" }).waitFor({ timeout: WAIT });
    link.cut();
    await page.getByText("Connection lost — reconnecting").waitFor({ timeout: WAIT });
    const finished = await other.until((f) => f.type === "turn_finished");
    other.say("while you were away");
    await other.until((_, frames) => frames.filter((f) => f.type === "turn_finished").length >= 2);
    link.restore();
    await page.getByText("Connection lost").waitFor({ state: "detached", timeout: WAIT });
    await page.getByRole("button", { name: "Stop", exact: true }).waitFor({ state: "detached", timeout: WAIT });

    const streamed = assistantChunks(other.frames).filter((f) => f.delta.run_id === finished.run_id)
      .map((f) => f.delta.content).join("");
    const expected = streamed.replaceAll("`", "");
    await page.waitForFunction((want) => document.querySelector(".msg.assistant")?.innerText.trim() === want, expected, { timeout: WAIT })
      .catch(() => {});
    await page.locator(".msg.assistant").nth(1).waitFor({ timeout: WAIT });
    await browser.screenshot("web-reconnect-turn-ended.png");
    assert.deepEqual(await texts(page, ".msg.user"), ["sleep: 1000\nshort outage", "while you were away"]);
    assert.deepEqual(await texts(page, ".msg.assistant"), [expected, expected]);
    assert.deepEqual(browser.errors, []);
  } finally {
    other?.close();
    await browser.close();
    await link.close();
  }
});
