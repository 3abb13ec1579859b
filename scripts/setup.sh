#!/usr/bin/env bash
# Installs everything tether's build and tests need on a fresh machine of this kind.
# Idempotent: when everything is already there it finishes in seconds.
# Nothing is downloaded from outside the package registries (crates.io, npm, Debian apt).
set -euo pipefail
cd "$(dirname "$0")/.."

# Pinned versions: wasm-bindgen-cli must equal the `wasm-bindgen` crate pinned in Cargo.toml.
WASM_BINDGEN_VERSION=0.2.129
TRUNK_VERSION=0.21.14

log() { printf 'setup: %s\n' "$*" >&2; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if ! { command -v chromium && command -v chromedriver; } >/dev/null 2>&1; then
  log "installing Debian chromium and chromium-driver"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes)"
  cargo install --locked wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  log "installing trunk $TRUNK_VERSION (about 8 minutes)"
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi

# npm dev dependencies: playwright-core (drives Debian chromium), binaryen 132 (wasm-opt),
# and the official Letta Code client for interoperability tests. Never a downloaded browser.
if [ -f tests/package-lock.json ]; then
  if [ ! -d tests/node_modules ] || [ tests/package-lock.json -nt tests/node_modules/.package-lock.json ]; then
    log "installing npm dev dependencies in tests/"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix tests --no-audit --no-fund --silent
  fi
fi

# The official Letta Code client (for interoperability tests). `npm install` of the whole
# CLI fails on one of its dependencies; its app-server client is one self-contained file,
# so the registry tarball is unpacked under tests/node_modules (never committed).
LETTA_CODE_VERSION=0.32.18
LETTA_DIR=tests/node_modules/.letta-code-$LETTA_CODE_VERSION
if [ ! -f "$LETTA_DIR/package/dist/app-server-client.js" ]; then
  log "fetching @letta-ai/letta-code@$LETTA_CODE_VERSION from the npm registry"
  mkdir -p "$LETTA_DIR"
  tarball=$(cd "$LETTA_DIR" && npm pack --silent "@letta-ai/letta-code@$LETTA_CODE_VERSION" 2>/dev/null | tail -1)
  tar xzf "$LETTA_DIR/$tarball" -C "$LETTA_DIR" package/dist/app-server-client.js package/package.json
  rm -f "$LETTA_DIR/$tarball"
fi

if [ -f Cargo.lock ]; then
  # Trunk's offline mode passes --offline to cargo, so the registry must be warm.
  cargo fetch --locked -q
fi
log "done"
