#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what is missing, builds every
# artifact (runtime, npm package, web UI) and runs every test runner.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$PWD/tests/node_modules/.bin:$HOME/.cargo/bin:$PATH"   # wasm-opt 132 shadows Debian's
export CHROMEDRIVER=/usr/bin/chromedriver
# A one-shot build gains nothing from incremental caches; they would double the disk it needs.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

step() { printf '\n==> %s\n' "$*"; }

step "protocol crate for wasm32"
cargo build --locked --offline -q -p tether-protocol --target wasm32-unknown-unknown

step "npm package (pkg/)"
scripts/build-pkg.sh pkg

step "web UI (web/dist)"
scripts/build-web.sh

step "runtime binary"
cargo build --locked --offline -q -p tether

step "tether-client wasm-bindgen tests (Node + headless Chromium, against a real runtime)"
node client-wasm/tests/harness.mjs

step "web UI logic (native) and components (wasm-bindgen, headless Chromium)"
cargo test --locked --offline -p tether-web --lib
cargo test --locked --offline -p tether-web --target wasm32-unknown-unknown --test browser

step "Node end-to-end tests (tests/, incl. the web UI in headless Chromium)"
node --test tests/

step "Rust tests (protocol, runtime)"
cargo test --locked --offline
