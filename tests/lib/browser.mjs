// Headless Debian Chromium for UI tests: playwright-core with /usr/bin/chromium and a
// fresh profile per browser (never a downloaded browser).
import { mkdtempSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { root } from "./runtime.mjs";

const FLAGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
];

/** Where screenshots go (git-ignored). */
export const artifacts = path.join(root, "tests/artifacts");

/** Launches a persistent context (its own profile, so its own cookies) of the given size. */
export async function launch({ width = 1280, height = 800, args = [], colorScheme = "light" } = {}) {
  const profile = mkdtempSync(path.join(tmpdir(), "tether-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [...FLAGS, ...args],
    viewport: { width, height },
    colorScheme,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  return {
    context,
    page,
    errors,
    async screenshot(name) {
      mkdirSync(artifacts, { recursive: true });
      const file = path.join(artifacts, name);
      await page.screenshot({ path: file, fullPage: false });
      return file;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
