// The npm package built into pkg/ by scripts/build-pkg.sh: its manifest, and what
// `npm pack` would publish.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const pkgDir = path.join(root, "pkg");

test("pkg/package.json names the package, its entry and its types", () => {
  const pkg = JSON.parse(readFileSync(path.join(pkgDir, "package.json"), "utf8"));
  assert.equal(pkg.name, "tether-client");
  assert.match(pkg.version, /^\d+\.\d+\.\d+/);
  assert.equal(pkg.types, "tether_client.d.ts");
  assert.ok(pkg.files.includes("tether_client_bg.wasm"));
});

test("npm pack lists the .wasm, the .js glue and the .d.ts", () => {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json"], { cwd: pkgDir, encoding: "utf8" });
  const [{ files }] = JSON.parse(out);
  const names = files.map((f) => f.path);
  for (const suffix of [".wasm", ".js", ".d.ts"]) {
    assert.ok(names.some((n) => n.endsWith(suffix)), `no ${suffix} in ${names}`);
  }
  assert.ok(names.includes("package.json"));
});
