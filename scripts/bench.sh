#!/usr/bin/env bash
# Builds the release server and prints the live classroom's performance figures
# (SPEC §7) on SQLite and PostgreSQL, then measures the seeds' FastAPI design with the
# same load and the WASM bundle as served; `scripts/bench.sh sqlite|postgres|seed|wasm`
# runs one part.
# Same flags as cargo-leptos, so a release site build is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
export RUSTFLAGS="--cfg erase_components" LEPTOS_OUTPUT_NAME=lectern
cargo build --release --features ssr --bin lectern --bin lectern-bench
if [ $# -eq 0 ] || [[ " $* " == *" wasm "* ]]; then
  # The site the release server sends: the WASM bundle compressed as it is served.
  ./scripts/setup.sh
  env -u RUSTFLAGS cargo leptos build --release --precompress --frontend-only
fi

# The seeds' stack (FastAPI, SQLAlchemy, uvicorn from PyPI) in its own virtualenv.
if [ $# -eq 0 ] || [[ " $* " == *" seed "* ]]; then
  venv="$HOME/.cache/lectern/seed-venv"
  if "$venv/bin/python" -c 'import fastapi, sqlalchemy, uvicorn' 2>/dev/null \
    || { echo "bench.sh: installing the seeds' stack into $venv" >&2 \
      && rm -rf "$venv" && python3 -m venv "$venv" \
      && "$venv/bin/pip" install -q -r bench/seed/requirements.txt; }; then
    export LECTERN_BENCH_SEED_PYTHON="$venv/bin/python"
  else
    echo "bench.sh: could not install the seeds' stack (python3-venv and PyPI needed); it is not measured" >&2
  fi
fi
"${CARGO_TARGET_DIR:-target}/release/lectern-bench" "$@"
