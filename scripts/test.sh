#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what the tests need and runs them.
#
# - Python tools pinned in scripts/requirements-test.txt, in .venv/: DuckDB (tests read
#   the Parquet summaries with it the way Athena would; the Rust duckdb crate would compile
#   ~370 C++ files) and cfn-lint (the SAM template). The S3-compatible server the S3 and
#   Lambda tests talk to runs in-process (flowpath-testkit), on loopback.
# - Chromium (Debian package `chromium`), when neither FLOWPATH_CHROMIUM nor
#   /usr/bin/chromium is there: the `report --html` test renders the page headless.
# - The CLI's local-only build (the quick start's), which must compile without warnings.
# - Then `cargo test` over the workspace, with FLOWPATH_PYTHON pointing at that venv.
#
# Extra arguments go to cargo test (e.g. `scripts/test.sh -p flowpath-core`).
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv
requirements=scripts/requirements-test.txt
stamp="$venv/.flowpath-requirements"
if ! cmp -s "$requirements" "$stamp" 2>/dev/null || ! "$venv/bin/python" -c "import duckdb, cfnlint" 2>/dev/null; then
  echo "scripts/test.sh: installing $requirements into $venv/" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$stamp"
fi
export FLOWPATH_PYTHON="$PWD/$venv/bin/python"

if [ -z "${FLOWPATH_CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium ]; then
  echo "scripts/test.sh: installing chromium (apt-get)" >&2
  if [ "$(id -u)" -eq 0 ]; then
    as_root=""
  elif command -v sudo >/dev/null; then
    as_root=sudo
  else
    echo "scripts/test.sh: chromium is missing and this user cannot install it; install the chromium package or set FLOWPATH_CHROMIUM" >&2
    exit 1
  fi
  $as_root apt-get update -qq
  $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
export FLOWPATH_REQUIRE_TOOLS=1

# The quick start's local-only build (README: `--no-default-features`, no AWS SDK) must
# keep compiling without a warning; it shares every dependency with the test build
# below (tools/tests/build.rs), so this costs the two crates that differ.
local_log=$(mktemp)
trap 'rm -f "$local_log"' EXIT
if ! cargo build -p flowpath --no-default-features --locked 2> "$local_log"; then
  cat "$local_log" >&2
  exit 1
fi
if grep -q '^warning' "$local_log"; then
  cat "$local_log" >&2
  echo "scripts/test.sh: the local-only build (--no-default-features) has warnings" >&2
  exit 1
fi

cargo test --workspace --locked "$@"
