#!/usr/bin/env bash
# Benchmarks tether (one command, a few minutes): builds the release runtime and the
# benchmark, runs the protocol crate's criterion benches briefly, then starts real
# `tether app-server` processes and measures them over real sockets against an instant
# fake model. Prints a table; writes <target>/bench/results-<timestamp>.json and latest.json.
# Extra arguments go to tether-bench (e.g. --text-turns 200; see `tether-bench --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${CARGO_TARGET_DIR:-$PWD/target}
export PATH="$PWD/tests/node_modules/.bin:$HOME/.cargo/bin:$PATH"   # wasm-opt 132 shadows Debian's

# criterion: enough to be stable to a few percent, short enough that the run stays < 5 min.
CRITERION_ARGS=(--warm-up-time 1 --measurement-time 2)

step() { printf '\n==> %s\n' "$*" >&2; }

step "release build: tether and tether-bench"
cargo build --locked --offline --release -q -p tether -p tether-bench

if ! ls pkg/*.wasm >/dev/null 2>&1; then
  step "npm package (pkg/) is missing: building it"
  scripts/build-pkg.sh pkg
fi
if [ ! -f web/dist/index.html ]; then
  step "web UI (web/dist) is missing: building it"
  scripts/build-web.sh
fi

step "protocol frames (criterion)"
cargo bench --locked --offline -q -p tether-protocol --bench frames -- "${CRITERION_ARGS[@]}" >&2

step "runtime (tether-bench)"
exec "$TARGET/release/tether-bench" --tether "$TARGET/release/tether" --root . \
  --out "$TARGET/bench" --criterion "$TARGET/criterion" "$@"
