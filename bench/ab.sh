#!/usr/bin/env bash
# Interleaved A/B runs of two builds: ROUNDS rounds, each running A then B best of
# RUNS, and a last line with the rounds each won and the fastest run of each.
#
# On a shared machine whose speed changes from one minute to the next, single timings
# of two builds taken minutes apart compare the minutes, not the builds; alternating
# them round by round, and comparing the fastest runs, does not.
#
#   bench/ab.sh A B [ROUNDS=12] [RUNS=25] [DRIVER ARGS: v2|v5 [--inventory]]
#       the per-core driver (`cargo build --release -p flowpath-core --example
#       pipeline_profile`, copied aside before and after a change); times in ms
#   bench/ab.sh --job A B DIR [ROUNDS=6] [RUNS=1] [SUMMARIZE ARGS...]
#       the whole job: two `flowpath` binaries each running `summarize DIR --out TMP`
#       (all cores; e.g. 40 gzip files from bench/e2e.sh's genflowlogs), wall time in ms
#
# Example:
#   cp target/release/examples/pipeline_profile /tmp/before
#   ...change, rebuild...
#   bench/ab.sh /tmp/before target/release/examples/pipeline_profile 12 25 v2
set -euo pipefail

usage() { sed -n '2,18p' "$0" >&2; exit 2; }

JOB=0
if [[ ${1:-} == --job ]]; then
    JOB=1
    shift
    [[ $# -ge 3 ]] || usage
    A=$1 B=$2 DIR=$3
    ROUNDS=${4:-6}
    RUNS=${5:-1}
    shift $(($# < 5 ? $# : 5))
    ARGS=("$@")
    OUT=$(mktemp -d "${TMPDIR:-/tmp}/flowpath-ab.XXXXXX")
    trap 'rm -rf "$OUT"' EXIT
else
    [[ $# -ge 2 ]] || usage
    A=$1 B=$2
    ROUNDS=${3:-12}
    RUNS=${4:-25}
    shift $(($# < 4 ? $# : 4))
    ARGS=("$@")
    if [[ ${#ARGS[@]} -eq 0 ]]; then
        ARGS=(v2)
    fi
fi

# The best time of RUNS runs of binary $1, in ms.
best() {
    if [[ $JOB == 0 ]]; then
        # The driver prints "... best 33.58 ms, ...".
        "$1" "${ARGS[0]}" "$RUNS" "${ARGS[@]:1}" | sed -E 's/.*best ([0-9.]+) ms.*/\1/'
        return
    fi
    local fastest="" start end ms
    for _ in $(seq "$RUNS"); do
        rm -rf "$OUT/out"
        start=$(date +%s%N)
        "$1" summarize "$DIR" --out "$OUT/out" "${ARGS[@]}" >/dev/null 2>&1 ||
            { echo "bench/ab.sh: $1 summarize $DIR failed" >&2; exit 1; }
        end=$(date +%s%N)
        ms=$(((end - start) / 1000000))
        if [[ -z $fastest || $ms -lt $fastest ]]; then fastest=$ms; fi
    done
    echo "$fastest"
}

echo "A B (best of $RUNS, ms)"
for _ in $(seq "$ROUNDS"); do
    a=$(best "$A")
    b=$(best "$B")
    echo "$a $b"
done | awk '
    { print; if ($1 < $2) a++; else b++
      if (NR == 1 || $1 < ma) ma = $1
      if (NR == 1 || $2 < mb) mb = $2 }
    END { printf "A won %d rounds, B won %d; fastest run: A %.2f ms, B %.2f ms\n", a, b, ma, mb }'
