#!/usr/bin/env bash
# Interleaved A/B runs of two builds of the pipeline driver
# (`cargo build --release -p flowpath-core --example pipeline_profile`, copied aside
# before and after a change): ROUNDS rounds, each running A then B best of RUNS, and a
# last line with the rounds each won and the fastest run of each.
#
# On a shared machine whose speed changes from one minute to the next, single timings
# of two builds taken minutes apart compare the minutes, not the builds; alternating
# them round by round, and comparing the fastest runs, does not.
#
#   bench/ab.sh A B [ROUNDS=12] [RUNS=25] [DRIVER ARGS: v2|v5 [--inventory]]
#
# Example:
#   cp target/release/examples/pipeline_profile /tmp/before
#   ...change, rebuild...
#   bench/ab.sh /tmp/before target/release/examples/pipeline_profile 12 25 v2
set -euo pipefail

if [[ $# -lt 2 ]]; then
    sed -n '2,16p' "$0" >&2
    exit 2
fi
A=$1
B=$2
ROUNDS=${3:-12}
RUNS=${4:-25}
shift $(($# < 4 ? $# : 4))
ARGS=("$@")
if [[ ${#ARGS[@]} -eq 0 ]]; then
    ARGS=(v2)
fi

# The driver prints "... best 33.58 ms, ...": the best time of its runs, in ms.
best() { "$1" "${ARGS[0]}" "$RUNS" "${ARGS[@]:1}" | sed -E 's/.*best ([0-9.]+) ms.*/\1/'; }

echo "A B (best of $RUNS, ms)"
for _ in $(seq "$ROUNDS"); do
    echo "$(best "$A") $(best "$B")"
done | awk '
    { print; if ($1 < $2) a++; else b++
      if (NR == 1 || $1 < ma) ma = $1
      if (NR == 1 || $2 < mb) mb = $2 }
    END { printf "A won %d rounds, B won %d; fastest run: A %.2f ms, B %.2f ms\n", a, b, ma, mb }'
