#!/usr/bin/env bash
# Builds the release server and prints the live classroom's performance figures
# (SPEC §7) on SQLite and PostgreSQL; `scripts/bench.sh sqlite` runs one of them.
# Same flags as cargo-leptos, so a release site build is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
export RUSTFLAGS="--cfg erase_components" LEPTOS_OUTPUT_NAME=lectern
cargo build --release --features ssr --bin lectern --bin lectern-bench
"${CARGO_TARGET_DIR:-target}/release/lectern-bench" "$@"
