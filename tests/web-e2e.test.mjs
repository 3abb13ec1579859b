// The web UI in headless Debian Chromium against a real `tether app-server` serving
// web/dist: sign in by link, chat, approve a Write with its diff, watch a second device,
// stop a slow turn — at a desktop size and at 360×740 (screenshots in tests/artifacts/).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { root, startRuntime, TOKEN } from "./lib/runtime.mjs";
import { launch } from "./lib/browser.mjs";

const dist = path.join(root, "web/dist");
const WAIT = 20000;

let runtime;
before(async () => {
  assert.ok(existsSync(path.join(dist, "index.html")), "build the UI first: scripts/build-web.sh");
  runtime = await startRuntime({ args: ["--web-dist", dist, "--model", "scripted"] });
});
after(async () => { await runtime?.stop(); });

const base = () => `http://127.0.0.1:${runtime.port}`;

/** Opens the sign-in link and starts a conversation; returns its `#/c/…` route. */
async function signInAndStart(browser) {
  const { page } = browser;
  await page.goto(`${base()}/#token=${TOKEN}`);
  await page.getByRole("button", { name: "Start a conversation" }).click();
  await page.getByRole("textbox", { name: "Message" }).waitFor({ timeout: WAIT });
  await page.waitForFunction(() => location.hash.startsWith("#/c/"), null, { timeout: WAIT });
  const url = new URL(page.url());
  assert.equal(url.hash.includes("token"), false, "the token left the address bar");
  return url.hash;
}

async function send(page, text) {
  const box = page.getByRole("textbox", { name: "Message" });
  await box.fill(text);
  await box.press("Enter");
}

for (const size of [{ name: "desktop", width: 1280, height: 800 }, { name: "phone", width: 360, height: 740 }]) {
  test(`chat, approve a Write, second device, stop — ${size.name}`, async () => {
    const one = await launch(size);
    const two = await launch(size);
    try {
      const { page } = one;
      const route = await signInAndStart(one);

      // A plain message streams the demo reply, rendered as Markdown (inline code).
      await send(page, "hello");
      await page.locator(".msg.assistant", { hasText: "scripted demo model" }).waitFor({ timeout: WAIT });
      await page.locator(".msg.assistant code", { hasText: "tool: <ToolName>" }).waitFor({ timeout: WAIT }); // Markdown

      // A second device (its own cookie jar) opens the shared link and follows live.
      await two.page.goto(`${base()}/#token=${TOKEN}`);
      await two.page.getByText("Start a conversation").waitFor({ timeout: WAIT });
      await two.page.goto("about:blank");
      await two.page.goto(`${base()}/${route}`);
      await two.page.locator(".msg.assistant", { hasText: "scripted demo model" }).waitFor({ timeout: WAIT });

      // Write in standard mode asks for approval, with a diff, on both devices.
      const file = path.join(runtime.workspace, `hello-${size.name}.txt`);
      await send(page, `tool: Write ${JSON.stringify({ file_path: file, content: "hi\n" })}`);
      const card = page.getByRole("group", { name: `Approve Write ${file}` });
      await card.waitFor({ timeout: WAIT });
      await card.locator(".diff-line.add", { hasText: "hi" }).waitFor();
      const otherCard = two.page.getByRole("group", { name: `Approve Write ${file}` });
      await otherCard.waitFor({ timeout: WAIT });
      await page.locator(".tool[data-status=running]").first().waitFor();
      await one.screenshot(`web-${size.name}-approval.png`);

      await card.getByRole("button", { name: "Allow", exact: true }).click();
      await card.waitFor({ state: "detached", timeout: WAIT });
      await otherCard.waitFor({ state: "detached", timeout: WAIT });
      const done = page.getByRole("article", { name: "Tool Write" }).and(page.locator("[data-status=done]"));
      await done.waitFor({ timeout: WAIT });
      await done.locator(".tool-result", { hasText: "Created" }).waitFor();
      assert.equal(readFileSync(file, "utf8"), "hi\n");
      await page.locator(".msg.assistant", { hasText: "Write returned" }).waitFor({ timeout: WAIT });
      await two.page.locator(".msg.assistant", { hasText: "Write returned" }).waitFor({ timeout: WAIT });

      // Stop aborts a slow turn; a message sent meanwhile waits in the queue, paused, until Resume.
      await send(page, "sleep: 2000\nslow please");
      const stop = page.getByRole("button", { name: "Stop", exact: true });
      await stop.waitFor({ timeout: WAIT });
      await send(page, "queued after stop");
      await page.getByRole("region", { name: "Queue" }).getByText("queued after stop").waitFor({ timeout: WAIT });
      await stop.click();
      await stop.waitFor({ state: "detached", timeout: WAIT });
      await page.getByText("Stopped.").waitFor({ timeout: WAIT });
      const resume = page.getByRole("button", { name: "Resume", exact: true });
      await resume.waitFor({ timeout: WAIT });
      await resume.click();
      await page.locator(".msg.user", { hasText: "queued after stop" }).waitFor({ timeout: WAIT });

      // Reload returns to the same conversation with its history, without duplicates.
      await page.reload();
      await page.locator(".msg.user", { hasText: "queued after stop" }).waitFor({ timeout: WAIT });
      assert.equal(await page.locator(".msg.user", { hasText: /^hello$/ }).count(), 1);
      assert.equal(new URL(page.url()).hash, route);
      await page.locator(".msg.assistant").last().waitFor();
      await page.waitForFunction(() => {
        const el = document.querySelector("main.scroller");
        return el.scrollHeight - el.scrollTop - el.clientHeight < 2;
      }, null, { timeout: WAIT }); // follows the conversation to its end
      await one.screenshot(`web-${size.name}-chat.png`);

      if (size.name === "phone") {
        await page.getByRole("button", { name: "Menu" }).click();
        await page.getByRole("button", { name: "New conversation" }).waitFor();
        await one.screenshot("web-phone-menu.png");
        await page.getByRole("button", { name: "Menu" }).click();
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
        assert.equal(overflow, false, "no horizontal scroll at 360 px");
        const small = await page.evaluate(() =>
          [...document.querySelectorAll("button, select, textarea")]
            .filter((el) => el.offsetParent !== null)
            .map((el) => ({ el: el.textContent || el.getAttribute("aria-label"), h: el.getBoundingClientRect().height }))
            .filter((b) => b.h < 44));
        assert.deepEqual(small, [], "tap targets are at least 44 px high");
      }
      assert.deepEqual(one.errors, []);
      assert.deepEqual(two.errors, []);
    } finally {
      await one.close();
      await two.close();
    }
  });
}

test("without a session the page says how to sign in; a wrong link says so", async () => {
  const browser = await launch({ width: 360, height: 740 });
  try {
    await browser.page.goto(`${base()}/`);
    await browser.page.getByText("Not signed in — open the link printed by `tether app-server`").waitFor({ timeout: WAIT });
    await browser.page.goto("about:blank"); // a hash-only change would not reload the app
    await browser.page.goto(`${base()}/#token=wrong-token`);
    await browser.page.getByText("That sign-in link is wrong or expired").waitFor({ timeout: WAIT });
    await browser.screenshot("web-phone-signed-out.png");
  } finally {
    await browser.close();
  }
});

test("a runtime restart: reconnecting state, then the same conversation without duplicates", async () => {
  const { restartableRuntime } = await import("./lib/restartable.mjs");
  const server = await restartableRuntime({ args: ["--web-dist", dist] });
  const browser = await launch({ width: 360, height: 740, colorScheme: "dark" });
  try {
    const { page } = browser;
    await page.goto(`http://127.0.0.1:${server.port}/#token=${TOKEN}`);
    await page.getByRole("button", { name: "Start a conversation" }).click();
    await send(page, "before restart");
    await page.locator(".msg.assistant").first().waitFor({ timeout: WAIT });

    await server.kill();
    await page.getByText("Connection lost — reconnecting").waitFor({ timeout: WAIT });
    await page.locator(".online.off").waitFor();
    await browser.screenshot("web-phone-reconnecting.png");
    await server.start();
    await page.getByText("Connection lost").waitFor({ state: "detached", timeout: 60000 });
    await page.locator(".online.on").waitFor({ timeout: WAIT });

    await send(page, "after restart");
    await page.locator(".msg.user", { hasText: "after restart" }).waitFor({ timeout: WAIT });
    await page.locator(".msg.assistant").nth(1).waitFor({ timeout: WAIT });
    await page.getByRole("button", { name: "Stop", exact: true }).waitFor({ state: "detached", timeout: WAIT });
    assert.equal(await page.locator(".msg.user", { hasText: "before restart" }).count(), 1);
    assert.equal(await page.locator(".msg.user").count(), 2);
    assert.equal(await page.locator(".msg.assistant").count(), 2);
    await browser.screenshot("web-phone-dark-after-restart.png");
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
    await server.stop();
  }
});

test("under a strict CSP (no inline script or style); acceptEdits mode runs a Write without asking", async () => {
  // A document fulfilled by the test (to add the header) trips Chromium's local-network
  // checks on the socket; they are not what this test is about.
  const browser = await launch({ width: 360, height: 740, args: ["--disable-features=LocalNetworkAccessChecks"] });
  const csp = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'";
  const violations = [];
  try {
    const { page } = browser;
    page.on("console", (m) => { if (/Content.Security.Policy/i.test(m.text())) violations.push(m.text()); });
    await page.route(`${base()}/`, async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), "content-security-policy": csp } });
    });
    await page.goto(`${base()}/#token=${TOKEN}`);
    await page.getByRole("button", { name: "Start a conversation" }).click();
    await send(page, "hello under CSP");
    await page.locator(".msg.assistant").first().waitFor({ timeout: WAIT });

    // Permission mode acceptEdits: a Write runs without asking.
    await page.getByRole("combobox", { name: "Permission mode" }).selectOption("acceptEdits");
    const file = path.join(runtime.workspace, "accepted.txt");
    await send(page, `tool: Write ${JSON.stringify({ file_path: file, content: "ok\n" })}`);
    await page.locator(".msg.assistant", { hasText: "Write returned" }).waitFor({ timeout: WAIT });
    assert.equal(await page.getByRole("group", { name: /^Approve/ }).count(), 0);
    assert.equal(readFileSync(file, "utf8"), "ok\n");
    assert.deepEqual(violations, []);
  } finally {
    await browser.close();
  }
});
