#!/usr/bin/env bash
# Sets up and serves Lectern on http://127.0.0.1:3000 (release build, SQLite in ./data/).
# Settings come from the environment or a .env file; see .env.example.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
exec cargo leptos serve --release
