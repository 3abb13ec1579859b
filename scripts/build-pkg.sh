#!/usr/bin/env bash
# Builds the tether-client npm package from client-wasm/ into OUT (default pkg/).
# usage: scripts/build-pkg.sh [bundler|web|nodejs] [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${1:-bundler}
OUT=${2:-pkg}
NAME=tether_client
export PATH="$PWD/tests/node_modules/.bin:$PATH"   # wasm-opt 132 from npm, never Debian's 108

cargo build --locked --offline -q -p tether-client --target wasm32-unknown-unknown --profile wasm-release
mkdir -p "$OUT"
rm -f "$OUT"/${NAME}*
wasm-bindgen --target "$TARGET" --out-dir "$OUT" --out-name "$NAME" \
  "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/wasm-release/$NAME.wasm"
if [ "$(wasm-opt --version 2>/dev/null | awk '{print $3}')" = "132" ]; then
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-reference-types \
    --enable-multivalue --enable-mutable-globals \
    -o "$OUT/${NAME}_bg.wasm" "$OUT/${NAME}_bg.wasm"
else
  echo "build-pkg: wasm-opt 132 not found (run scripts/setup.sh); package left unoptimised" >&2
fi
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
node - "$OUT" "$TARGET" "$VERSION" "$NAME" <<'JS'
const [out, target, version, name] = process.argv.slice(2);
const fs = require("fs");
const files = fs.readdirSync(out).filter((f) => f.startsWith(name) || f === "snippets" || f === "README.md");
const pkg = {
  name: "tether-client",
  version,
  description: "Client for tether and Letta Code's v2 WebSocket protocol, written in Rust, compiled to wasm",
  license: "MIT OR Apache-2.0",
  files,
  types: `${name}.d.ts`,
};
if (target === "nodejs") {
  pkg.main = `${name}.js`;
} else {
  pkg.type = "module";
  pkg.main = `${name}.js`;
  pkg.module = `${name}.js`;
  pkg.exports = { ".": { types: `./${name}.d.ts`, default: `./${name}.js` } };
  pkg.sideEffects = [`./${name}.js`, "./snippets/*"];
}
fs.writeFileSync(`${out}/package.json`, JSON.stringify(pkg, null, 2) + "\n");
JS
echo "build-pkg: $OUT ($TARGET): $(gzip -c "$OUT/${NAME}_bg.wasm" | wc -c) bytes of wasm gzipped"
