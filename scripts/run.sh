#!/usr/bin/env bash
# Installs what is missing, builds tether and its web UI, and runs `tether app-server`.
# Extra arguments go to `tether app-server` (e.g. --listen ws://127.0.0.1:8787).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build-web.sh
cargo build --locked --offline --release -q -p tether
exec target/release/tether app-server --web-dist web/dist "$@"
