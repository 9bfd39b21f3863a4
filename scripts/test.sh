#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what the tests need and runs them.
#
# - DuckDB (Python wheel, in .venv/): tests read the Parquet summaries with it the way
#   Athena would (hive partitioning). The Rust duckdb crate would compile ~370 C++ files.
# - Then `cargo test` over the workspace, with FLOWPATH_PYTHON pointing at that venv.
#
# Extra arguments go to cargo test (e.g. `scripts/test.sh -p flowpath-core`).
set -euo pipefail
cd "$(dirname "$0")/.."

DUCKDB_VERSION=2.0.1
venv=.venv
if ! "$venv/bin/python" -c "import duckdb, sys; sys.exit(duckdb.__version__ != '$DUCKDB_VERSION')" 2>/dev/null; then
  echo "scripts/test.sh: installing duckdb $DUCKDB_VERSION into $venv/" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "duckdb==$DUCKDB_VERSION"
fi
export FLOWPATH_PYTHON="$PWD/$venv/bin/python"
export FLOWPATH_REQUIRE_DUCKDB=1

cargo test --workspace --locked "$@"
