#!/usr/bin/env bash
# Installs what building Lectern needs, skipping whatever is already there:
# the wasm32 target, cargo-leptos, wasm-bindgen-cli and the npm tools (Tailwind, wasm-opt,
# Playwright). With --test, also Debian's Chromium and a running PostgreSQL for the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=0.2.129 # must equal the wasm-bindgen pin in Cargo.toml

step() { printf '\n==> %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=false
apt_install() {
  if ! $apt_updated; then as_root apt-get update -qq; apt_updated=true; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo leptos --version 2>/dev/null)" != "cargo-leptos $CARGO_LEPTOS_VERSION" ]; then
  step "installing cargo-leptos $CARGO_LEPTOS_VERSION (10-30 minutes, once)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  step "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --locked
fi

# npm ci only when package-lock.json changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "installing npm tools (Tailwind, wasm-opt, Playwright)"
  npm ci --no-audit --no-fund
fi

if [ "${1:-}" = "--test" ]; then
  # The notebook client's tests run real IPython kernels in a virtualenv.
  if ! command -v python3 >/dev/null || ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    if ! command -v pip3 >/dev/null && ! python3 -m pip --version >/dev/null 2>&1; then
      step "installing Python for the notebook client's tests"
      apt_install python3 python3-venv
    fi
  fi
  if [ ! -x /usr/bin/chromium ]; then
    step "installing Chromium for the browser tests"
    apt_install chromium
  fi
  if ! command -v pg_isready >/dev/null || ! pg_isready -q -h 127.0.0.1 -p 5432; then
    if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
      step "installing PostgreSQL for the database tests"
      apt_install postgresql
      # A fresh cluster asks for a password over TCP; give the test user one
      # (the default LECTERN_TEST_POSTGRES_URL of scripts/test.sh).
      as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start || true
      as_root su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\""
    fi
    step "starting PostgreSQL"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start || true
  fi
fi
