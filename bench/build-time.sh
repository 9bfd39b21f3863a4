#!/usr/bin/env bash
# The cold build of the quick start, then the test suite's build after it, in one fresh
# target directory (default target-cold/, removed first): their times, and which
# crates the quick start compiled that the test build compiled again (should be only
# the workspace's own, as test targets). BENCHMARKS.md records the results.
#
#   bash bench/build-time.sh [TARGET_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-target-cold}
rm -rf "$dir"
mkdir -p "$dir"
start=$(date +%s.%N)
CARGO_TARGET_DIR=$dir cargo build --locked -p flowpath --no-default-features 2> "$dir/quick.log"
middle=$(date +%s.%N)
CARGO_TARGET_DIR=$dir cargo test --workspace --locked --no-run 2> "$dir/test.log"
end=$(date +%s.%N)
compiled() { grep 'Compiling' "$1" | sed 's/^ *Compiling //' | awk '{print $1" "$2}' | sort; }
echo "quick start build: $(echo "$middle - $start" | bc) s, $(compiled "$dir/quick.log" | wc -l) crates"
echo "test build after it: $(echo "$end - $middle" | bc) s, $(compiled "$dir/test.log" | wc -l) crates"
echo "compiled by both:"
comm -12 <(compiled "$dir/quick.log") <(compiled "$dir/test.log")
