#!/usr/bin/env bash
# Builds the tether-client npm package from client-wasm/ into OUT (default pkg/).
# usage: scripts/build-pkg.sh [OUT]
#
# One wasm-bindgen `web` build serves every host, chosen by `exports` conditions:
#   "node"    -> node.js:  initSync() with the .wasm bytes read from disk (Node >= 20, ESM)
#   "default" -> index.js: `await init()` (browsers with or without a bundler)
# (An older first argument naming a wasm-bindgen target is accepted and ignored.)
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in bundler|web|nodejs) shift ;; esac
OUT=${1:-pkg}
NAME=tether_client
TARGET_DIR=${CARGO_TARGET_DIR:-target}
export PATH="$PWD/tests/node_modules/.bin:$PATH"   # wasm-opt 132 from npm, never Debian's 108

cargo build --locked --offline -q -p tether-client --target wasm32-unknown-unknown --profile wasm-release
mkdir -p "$OUT"
rm -rf "$OUT"/${NAME}* "$OUT"/snippets "$OUT"/index.js "$OUT"/node.js
wasm-bindgen --target web --out-dir "$OUT" --out-name "$NAME" \
  "$TARGET_DIR/wasm32-unknown-unknown/wasm-release/$NAME.wasm"
if [ "$(wasm-opt --version 2>/dev/null | awk '{print $3}')" = "132" ]; then
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-reference-types \
    --enable-multivalue --enable-mutable-globals \
    -o "$OUT/${NAME}_bg.wasm" "$OUT/${NAME}_bg.wasm"
else
  echo "build-pkg: wasm-opt 132 not found (run scripts/setup.sh); package left unoptimised" >&2
fi

cat > "$OUT/index.js" <<JS
// Browsers (with or without a bundler): fetch and instantiate the wasm next to this file.
import init from "./${NAME}.js";
await init({ module_or_path: new URL("./${NAME}_bg.wasm", import.meta.url) });
export * from "./${NAME}.js";
JS
cat > "$OUT/node.js" <<JS
// Node >= 20: instantiate the wasm from disk, synchronously, at import.
import { readFileSync } from "node:fs";
import { initSync } from "./${NAME}.js";
initSync({ module: readFileSync(new URL("./${NAME}_bg.wasm", import.meta.url)) });
export * from "./${NAME}.js";
JS

VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
node - "$OUT" "$VERSION" "$NAME" <<'JS'
const [out, version, name] = process.argv.slice(2);
const fs = require("fs");
const files = ["index.js", "node.js", `${name}.js`, `${name}.d.ts`, `${name}_bg.wasm`, "README.md"]
  .filter((f) => fs.existsSync(`${out}/${f}`));
const pkg = {
  name: "tether-client",
  version,
  description: "Client for tether and Letta Code's v2 WebSocket protocol, written in Rust, compiled to wasm",
  license: "MIT OR Apache-2.0",
  type: "module",
  files,
  types: `${name}.d.ts`,
  main: "node.js",
  browser: "index.js",
  exports: {
    ".": {
      types: `./${name}.d.ts`,
      node: "./node.js",
      default: "./index.js",
    },
  },
  sideEffects: ["./index.js", "./node.js"],
  engines: { node: ">=20" },
};
fs.writeFileSync(`${out}/package.json`, JSON.stringify(pkg, null, 2) + "\n");
JS
echo "build-pkg: $OUT: $(wc -c < "$OUT/${NAME}_bg.wasm") bytes of wasm, $(gzip -9 -c "$OUT/${NAME}_bg.wasm" | wc -c) gzipped"
