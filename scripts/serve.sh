#!/usr/bin/env bash
# Sets up and serves Lectern on http://127.0.0.1:3000 (release build, SQLite in ./data/).
# Settings come from the environment or a .env file; see .env.example.
# `serve.sh demo` adds a class of simulated students (its sign-in is printed in the log).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
if [ "${1:-}" = "demo" ]; then export LECTERN_DEMO=true; fi
exec cargo leptos serve --release --precompress
