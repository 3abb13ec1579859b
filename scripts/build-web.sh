#!/usr/bin/env bash
# Builds the web UI (web/) into web/dist with the pinned, locally installed Trunk tools.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/tests/node_modules/.bin:$HOME/.cargo/bin:$PATH"   # wasm-opt 132 first
trunk build --release=true --offline "$@"
wasm=$(ls web/dist/*_bg.wasm)
echo "build-web: $(wc -c < "$wasm") bytes of wasm, $(gzip -9 -c "$wasm" | wc -c) gzipped"
