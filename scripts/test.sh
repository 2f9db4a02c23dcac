#!/usr/bin/env bash
# Sets up and runs every test: unit tests, HTTP and CLI tests on SQLite and on PostgreSQL,
# the notebook client's tests with real IPython kernels, and browser tests in Chromium
# (hydrated and without JavaScript).
# CI=true makes the PostgreSQL and browser tests mandatory: missing parts fail the run.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh --test
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"

export LECTERN_TEST_POSTGRES_URL="${LECTERN_TEST_POSTGRES_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}"
if ! psql "$LECTERN_TEST_POSTGRES_URL" -qtAc 'SELECT 1' >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ]; then
    echo "error: PostgreSQL is not reachable at LECTERN_TEST_POSTGRES_URL ($LECTERN_TEST_POSTGRES_URL)" >&2
    exit 1
  fi
  echo "warning: PostgreSQL is not reachable; its tests are skipped (set LECTERN_TEST_POSTGRES_URL)" >&2
  export LECTERN_TEST_POSTGRES_URL=""
fi

printf '\n==> building the site (server and WASM)\n'
cargo leptos build

printf '\n==> unit, HTTP and CLI tests (SQLite and PostgreSQL)\n'
# The same flags as cargo-leptos, so the test build reuses its artifacts.
RUSTFLAGS="--cfg erase_components" LEPTOS_OUTPUT_NAME=lectern cargo test --features ssr

printf '\n==> notebook client tests (real IPython kernels against the lectern binary)\n'
LECTERN_BIN="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/debug/lectern" LECTERN_REQUIRE_BIN=1 \
  clients/python/run-tests.sh -q

printf '\n==> browser tests\n'
e2e_data="$(mktemp -d)"
trap 'rm -rf "$e2e_data"' EXIT
# A free port of its own and a throwaway database, so a running Lectern (even one left on
# an earlier run's port) is left alone and never answers these tests.
# LECTERN_BIN lets browser tests run `lectern create-admin` against the same database.
e2e_port="$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"
DATABASE_URL="sqlite://$e2e_data/lectern.db" LECTERN_LISTEN="127.0.0.1:$e2e_port" LECTERN_REGISTRATIONS_PER_IP_HOUR=1000 \
  LECTERN_BIN="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/debug/lectern" \
  LECTERN_E2E_URL="http://127.0.0.1:$e2e_port" LECTERN_LOG=warn \
  cargo leptos end-to-end
