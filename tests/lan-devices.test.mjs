// The web UI's Devices panel over https on loopback (headless Debian Chromium): two
// browsers pair, the first sees both with "This device" on its own, revokes the second,
// and the second page shows that it is signed out; then the first revokes itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, request } from "playwright-core";
import { root, TOKEN } from "./lib/runtime.mjs";
import { artifacts as ARTIFACTS } from "./lib/browser.mjs";
import { CHROMIUM_ARGS, startLan } from "./lib/lan.mjs";

/** Guard against a hang (not a timing assertion). */
const WAIT = 20000;
/** A phone's user agent, so the second browser gets its own name ("Chrome on Android"). */
const PHONE_UA = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36";
const WEB_DIST = path.join(root, "web/dist");

/** A browser with its own profile (own cookies) at phone size; pairs from `link`. */
async function pairedBrowser(t, link, { userAgent } = {}) {
  const profile = mkdtempSync(path.join(tmpdir(), "tether-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS, ignoreHTTPSErrors: true,
    viewport: { width: 360, height: 740 }, userAgent,
  });
  t.after(async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems = [];
  page.on("console", (m) => { if (/Content Security Policy/i.test(m.text())) problems.push(m.text()); });
  page.on("pageerror", (e) => problems.push(String(e)));
  await page.goto(link);
  await page.waitForURL(new URL("/", link).href);
  // Connected: the welcome offers to start a conversation.
  await page.getByRole("button", { name: "Start a conversation" }).waitFor({ timeout: WAIT });
  return { page, problems };
}

test("a paired phone lists devices and revokes another, which is signed out at once", { skip: !existsSync(path.join(WEB_DIST, "index.html")) && "web UI not built (scripts/build-web.sh)" }, async (t) => {
  const server = await startLan({ webDist: WEB_DIST });
  t.after(() => server.stop());
  const first = await pairedBrowser(t, server.link);

  // A second pairing code, as `tether pair` asks for it.
  const api = await request.newContext({ ignoreHTTPSErrors: true });
  t.after(() => api.dispose());
  const issued = await api.post(`https://127.0.0.1:${server.port}/auth/pair-code`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.equal(issued.status(), 200);
  const second = await pairedBrowser(t, (await issued.json()).url, { userAgent: PHONE_UA });

  // The first opens Devices from the menu (a drawer at phone size).
  const page = first.page;
  await page.getByRole("button", { name: "Menu" }).click();
  await page.getByRole("button", { name: "Devices" }).click();
  const rows = page.locator("li.device");
  await rows.nth(1).waitFor({ timeout: WAIT });
  assert.equal(await rows.count(), 2);
  const names = await page.locator(".device-name").allTextContents();
  assert.deepEqual(names, ["Chrome on Linux", "Chrome on Android"]);
  assert.equal(await page.getByText("This device", { exact: true }).count(), 1, "one device is this one");
  assert.equal(await rows.nth(0).getByText("This device", { exact: true }).count(), 1, "and it is the first browser");
  assert.match(await rows.nth(1).locator(".device-seen").textContent(), /^Last seen (just now|\d+ minutes? ago)$/);

  // Every tap target is at least 44 px and nothing scrolls sideways at 360 px.
  const layout = await page.evaluate(() => ({
    small: [...document.querySelectorAll(".devices button")].filter((b) => b.checkVisibility()).map((b) => b.getBoundingClientRect())
      .filter((r) => r.width < 44 || r.height < 44).length,
    overflow: document.documentElement.scrollWidth > window.innerWidth,
  }));
  assert.deepEqual(layout, { small: 0, overflow: false });
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, "devices-phone.png") });

  // Revoke asks first; Cancel keeps the device.
  await page.getByRole("button", { name: "Revoke Chrome on Android" }).click();
  await page.getByText("Revoke Chrome on Android? It is signed out at once.").waitFor();
  await page.getByRole("button", { name: "Cancel" }).click();
  await page.getByRole("button", { name: "Revoke Chrome on Android" }).click();
  await page.screenshot({ path: path.join(ARTIFACTS, "devices-phone-confirm.png") });
  await page.getByRole("button", { name: "Yes, revoke" }).click();

  // Gone from the list; the second page is signed out (its socket closed with 4401).
  await page.waitForFunction(() => document.querySelectorAll("li.device").length === 1, null, { timeout: WAIT });
  assert.deepEqual(await page.locator(".device-name").allTextContents(), ["Chrome on Linux"]);
  const banner = second.page.locator(".banner.error");
  await banner.waitFor({ timeout: WAIT });
  assert.match(await banner.textContent(), /Not signed in/);
  assert.equal(await second.page.getByRole("button", { name: "Start a conversation" }).count(), 0, "no longer connected");
  await second.page.screenshot({ path: path.join(ARTIFACTS, "devices-phone-revoked.png") });
  // On a wide screen Devices sits in the sidebar; the revoked page is told why it sees none.
  await second.page.setViewportSize({ width: 1280, height: 800 });
  await second.page.getByRole("button", { name: "Devices" }).click();
  await second.page.getByText("This device is not signed in (or was revoked).").waitFor({ timeout: WAIT });
  await second.page.screenshot({ path: path.join(ARTIFACTS, "devices-desktop-revoked.png") });
  // The first keeps working.
  assert.equal(await page.locator(".banner").count(), 0, "no sign-in or connection banner");

  // Revoking this device itself signs this page out too.
  await page.getByRole("button", { name: "Revoke Chrome on Linux" }).click();
  await page.getByText("Revoke this device? You will be signed out here.").waitFor();
  await page.getByRole("button", { name: "Yes, revoke" }).click();
  await page.getByText("This device was revoked and is signed out.").waitFor({ timeout: WAIT });
  await page.locator(".banner.error").waitFor({ timeout: WAIT });
  assert.match(await page.locator(".banner.error").textContent(), /Not signed in/);
  assert.equal(await page.locator("li.device").count(), 0);
  await page.screenshot({ path: path.join(ARTIFACTS, "devices-phone-self-revoked.png") });
  assert.deepEqual([...first.problems, ...second.problems], [], "no CSP violations or page errors");
});
