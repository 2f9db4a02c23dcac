#!/usr/bin/env bash
# Runs the Python client's tests: unit tests, and end-to-end tests with real
# ipykernels against the Lectern binary at $LECTERN_BIN (default: target/debug/lectern
# of this checkout; those tests are skipped when it is missing, or fail with
# LECTERN_REQUIRE_BIN=1). Extra arguments go to pytest.
#
# The virtualenv lives at ${LECTERN_PY_VENV:-$HOME/.cache/lectern/py-venv} and is reused;
# the client is installed into it editable, with its [test] extra, and installed again
# only when pyproject.toml or the Python version changes. Needs python3 (3.9+) with
# `venv`; where `venv` has no ensurepip (Debian without python3-venv), pip is brought
# into the virtualenv by the system's pip (`pip --python`), or else the script says
# to install python3-venv.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${LECTERN_PY_VENV:-$HOME/.cache/lectern/py-venv}"
python="${PYTHON:-python3}"
export LECTERN_BIN="${LECTERN_BIN:-$repo/target/debug/lectern}"

say() { printf '==> %s\n' "$*"; }

make_venv() {
  say "creating the virtualenv $venv"
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  if "$python" -m venv "$venv" >/dev/null 2>&1 && "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
    return
  fi
  # No ensurepip: a virtualenv without pip, then pip from the system's pip.
  rm -rf "$venv"
  if "$python" -m venv --without-pip "$venv" \
    && "$python" -m pip --python "$venv/bin/python" install -q pip; then
    return
  fi
  rm -rf "$venv"
  echo "error: cannot create a virtualenv with pip using $python." >&2
  echo "On Debian or Ubuntu: apt-get install python3-venv (or python3-pip), then run this again." >&2
  exit 1
}

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
  make_venv
fi

# What the installed copy was made from: this checkout's pyproject and the Python.
stamp_file="$venv/.lectern-client-stamp"
stamp="$(sha256sum <"$here/pyproject.toml" | cut -d" " -f1) $here $("$venv/bin/python" -V 2>&1)"
installed_here() {
  # The editable install must point at this checkout, with the test tools present.
  "$venv/bin/python" - "$here" <<'EOF' >/dev/null 2>&1
import os, sys
import lectern_client, pytest, ipykernel, jupyter_client
here = os.path.realpath(sys.argv[1])
sys.exit(0 if os.path.realpath(lectern_client.__file__).startswith(here + os.sep) else 1)
EOF
}
if [ "$(cat "$stamp_file" 2>/dev/null)" != "$stamp" ] || ! installed_here; then
  say "installing lectern-client[test] into $venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -e "$here[test]"
  echo "$stamp" >"$stamp_file"
fi

say "pytest clients/python/tests (LECTERN_BIN=$LECTERN_BIN)"
cd "$here"
exec "$venv/bin/python" -m pytest "$here/tests" "$@"
