#!/usr/bin/env bash
# End-to-end benchmark: generate seeded gzip flow logs, then time
#   (a) zcat FILES > /dev/null          the decompression floor, one core
#   (b) flowpath summarize DIR --out OUT the whole job, all cores, and --threads 1
#   (c) with INVENTORY=1, (b) again with --inventory INV: the generated records' VPC
#       inventory (genflowlogs --inventory), each run beside its plain one
# and print a Markdown table ready to paste into BENCHMARKS.md.
#
# Environment (all optional):
#   RECORDS=10000000  FILES=40  SEED=1   what to generate
#   REPEAT=3          runs of each measurement; the fastest wall time is reported
#   WORKDIR=DIR       where to generate (kept; reused if it already holds the same
#                     RECORDS/FILES/SEED); default: a temp dir removed at exit
#   KEEP=1            keep the temp dir
#   SKIP_BUILD=1      use the binaries already in the target dir
#   INPUT_MODE=dir    pass the directory to flowpath (default), or `files` to pass
#                     every file on the command line
#   PROC_RSS=1        read peak RSS from /proc/<pid>/status even if /usr/bin/time exists
#   QUIET_MAX=15      before each measurement, wait until the machine's CPU use by
#   QUIET_WAIT=900    others is below QUIET_MAX % (over 2 s), for at most QUIET_WAIT s;
#                     the table notes the load seen (shared build machines are noisy)
#   INVENTORY=1       also time summarize --inventory (doubles the flowpath runs)
set -euo pipefail

RECORDS=${RECORDS:-10000000}
FILES=${FILES:-40}
SEED=${SEED:-1}
REPEAT=${REPEAT:-3}
INPUT_MODE=${INPUT_MODE:-dir}
QUIET_MAX=${QUIET_MAX:-15}
QUIET_WAIT=${QUIET_WAIT:-900}
INVENTORY=${INVENTORY:-0}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
GEN=$TARGET_DIR/release/examples/genflowlogs
FLOWPATH=$TARGET_DIR/release/flowpath

log() { printf '%s\n' "$*" >&2; }
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; } # calc EXPR: floating-point arithmetic
now() { date +%s.%N; }

if [[ -n ${WORKDIR:-} ]]; then
    mkdir -p "$WORKDIR"
else
    WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/flowpath-e2e.XXXXXX")
    if [[ ${KEEP:-0} != 1 ]]; then
        trap 'rm -rf "$WORKDIR"' EXIT
    fi
fi
DATA=$WORKDIR/data
OUT=$WORKDIR/out
INV=$WORKDIR/inventory

# ---- machine -------------------------------------------------------------------
CPU=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || echo unknown)
NPROC=$(nproc)
MEM=$(awk '/^MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)
RUSTC=$(rustc --version 2>/dev/null || echo unknown)
log "machine: $NPROC cores, $CPU, $MEM RAM; $RUSTC; $(uname -sr)"

# ---- build ---------------------------------------------------------------------
HAVE_CLI=1
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    log "building the generator (release)..."
    cargo build --release --manifest-path "$ROOT/Cargo.toml" -p flowpath-core --example genflowlogs
    log "building flowpath (release)..."
    if ! cargo build --release --manifest-path "$ROOT/Cargo.toml" -p flowpath --bin flowpath; then
        log "WARNING: flowpath did not build; only the generator and zcat are measured"
        HAVE_CLI=0
    fi
fi
[[ -x $GEN ]] || { log "no generator at $GEN"; exit 1; }
[[ -x $FLOWPATH ]] || HAVE_CLI=0

# ---- generate ------------------------------------------------------------------
STAMP=$DATA/.generated-$RECORDS-$FILES-$SEED
if [[ -f $STAMP ]]; then
    log "reusing $DATA"
else
    rm -rf "$DATA"
    log "generating $RECORDS records in $FILES files (seed $SEED)..."
    gen_start=$(now)
    "$GEN" --out "$DATA" --records "$RECORDS" --files "$FILES" --seed "$SEED"
    log "generated in $(printf '%.1f' "$(calc "$(now) - $gen_start")") s"
    touch "$STAMP"
fi
mapfile -t INPUTS < <(find "$DATA" -type f -name '*.log.gz' | LC_ALL=C sort)
[[ ${#INPUTS[@]} -gt 0 ]] || { log "no input files under $DATA"; exit 1; }
GZ_BYTES=$(cat "${INPUTS[@]}" | wc -c)
TEXT_BYTES=$(gzip -lq "${INPUTS[@]}" | awk '{ s += $2 } END { print s }')
log "inputs: ${#INPUTS[@]} files, $((GZ_BYTES / 1000000)) MB gzip, $((TEXT_BYTES / 1000000)) MB text"
cat "${INPUTS[@]}" > /dev/null # warm the page cache

if [[ $INVENTORY == 1 ]]; then
    # The inventory depends on the seed only (the world, not the records): write it
    # fresh with a throw-away set of empty files.
    rm -rf "$INV" "$WORKDIR/inventory-gen"
    "$GEN" --out "$WORKDIR/inventory-gen" --records 0 --files 1 --seed "$SEED" --inventory "$INV"
    rm -rf "$WORKDIR/inventory-gen"
    INV_DESC="$(find "$INV" -name '*.json' | wc -l) describe-* documents, $(($(cat "$INV"/*.json | wc -c) / 1000)) kB"
    log "inventory: $INV_DESC, under $INV"
fi

# ---- measuring -----------------------------------------------------------------
# busy_pct: CPU use of the whole machine over 2 s, in percent.
busy_pct() {
    local a b
    read -ra a < <(grep '^cpu ' /proc/stat)
    sleep 2
    read -ra b < <(grep '^cpu ' /proc/stat)
    local total=0 i
    for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
    ((total > 0)) || total=1
    echo $((100 - 100 * (b[4] - a[4]) / total))
}
# wait_quiet: wait (at most QUIET_WAIT s) until others use less than QUIET_MAX % CPU.
MAX_BUSY_SEEN=0
wait_quiet() {
    local waited=0 busy
    busy=$(busy_pct)
    while ((busy > QUIET_MAX && waited < QUIET_WAIT)); do
        ((waited == 0)) && log "  the machine is busy ($busy% CPU); waiting up to $QUIET_WAIT s..."
        sleep 8
        waited=$((waited + 10))
        busy=$(busy_pct)
    done
    ((busy > QUIET_MAX)) && log "  WARNING: still $busy% busy; measuring anyway"
    ((busy > MAX_BUSY_SEEN)) && MAX_BUSY_SEEN=$busy
    return 0
}

# measure NAME CMD...: runs CMD $REPEAT times (stdout to /dev/null), calling the
# function named in $BEFORE (if any) before each run, untimed; sets BEST_WALL (seconds,
# fastest run) and PEAK_KB (largest peak RSS over the runs, KiB).
if [[ -x /usr/bin/time && ${PROC_RSS:-0} != 1 ]]; then TIMER=/usr/bin/time; else TIMER=; fi
measure() {
    local name=$1
    shift
    BEST_WALL=
    PEAK_KB=0
    local i t0 t1 wall kb tf
    tf=$(mktemp)
    for ((i = 1; i <= REPEAT; i++)); do
        [[ -n ${BEFORE:-} ]] && "$BEFORE"
        wait_quiet
        t0=$(now)
        if [[ -n $TIMER ]]; then
            if ! "$TIMER" -f '%M' -o "$tf" "$@" > /dev/null; then
                log "  $name failed: $(head -n1 "$tf")"
                rm -f "$tf"
                return 1
            fi
            kb=$(tail -n1 "$tf")
        else
            # No /usr/bin/time: poll the process's high-water mark.
            "$@" > /dev/null &
            local pid=$! hwm
            kb=0
            while kill -0 "$pid" 2> /dev/null; do
                hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status" 2> /dev/null || true)
                [[ -n $hwm && $hwm -gt $kb ]] && kb=$hwm
                sleep 0.02
            done
            if ! wait "$pid"; then
                log "  $name failed"
                rm -f "$tf"
                return 1
            fi
        fi
        t1=$(now)
        wall=$(calc "$t1 - $t0")
        if [[ -z $BEST_WALL ]] || [[ $(calc "($wall < $BEST_WALL)") == 1.000000 ]]; then
            BEST_WALL=$wall
        fi
        ((kb > PEAK_KB)) && PEAK_KB=$kb
        log "  $name run $i: $(printf '%.2f' "$wall") s, peak RSS $((kb / 1024)) MB"
    done
    rm -f "$tf"
}

ROWS=()
row() { # row WHAT THREADS
    local rps
    rps=$(calc "$RECORDS / $BEST_WALL / 1000000")
    ROWS+=("$(printf '| %s | %s | %.2f | %.2f M | %d MB |' "$1" "$2" "$BEST_WALL" "$rps" $(((PEAK_KB + 1023) / 1024)))")
}

log "measuring zcat..."
measure zcat zcat "${INPUTS[@]}"
ZCAT_WALL=$BEST_WALL
row '`zcat FILES > /dev/null`' 1

FLOWPATH_STATUS="not run (the CLI did not build)"
INVENTORY_STATUS=
INVENTORY_RATIOS=
if ((HAVE_CLI)) && [[ $INVENTORY == 1 ]] && ! "$FLOWPATH" summarize --help 2> /dev/null | grep -q -- '--inventory'; then
    log "WARNING: $FLOWPATH has no summarize --inventory; the inventory runs are skipped"
    INVENTORY_STATUS="inventory runs skipped: this flowpath has no --inventory"
    INVENTORY=0
fi
# inventory_run NAME WHAT THREADS PLAIN_WALL [ARGS...]: with INVENTORY=1, times
# summarize --inventory, adds its row and the ratio to the plain run.
inventory_run() {
    local name=$1 what=$2 threads=$3 plain=$4
    shift 4
    [[ $INVENTORY == 1 ]] || return 0
    log "measuring flowpath summarize --inventory ($threads threads)..."
    if measure "$name" "$FLOWPATH" summarize "${ARGS[@]}" --out "$OUT" --inventory "$INV" "$@"; then
        row "$what" "$threads"
        INVENTORY_RATIOS+="${INVENTORY_RATIOS:+; }$threads thread(s) $(printf '%.2f' "$(calc "$BEST_WALL / $plain")")"
    else
        INVENTORY_RATIOS+="${INVENTORY_RATIOS:+; }$threads thread(s) failed"
    fi
}
if ((HAVE_CLI)); then
    if [[ $INPUT_MODE == files ]]; then ARGS=("${INPUTS[@]}"); else ARGS=("$DATA"); fi
    fresh_out() { rm -rf "$OUT"; } # every run writes into an empty output dir
    BEFORE=fresh_out
    log "measuring flowpath summarize ($NPROC threads)..."
    if measure flowpath "$FLOWPATH" summarize "${ARGS[@]}" --out "$OUT"; then
        FP_WALL=$BEST_WALL
        row '`flowpath summarize DIR --out OUT`' "$NPROC"
        inventory_run flowpath-inv '`flowpath summarize DIR --out OUT --inventory INV`' "$NPROC" "$FP_WALL"
        log "measuring flowpath summarize --threads 1..."
        measure flowpath-1 "$FLOWPATH" summarize "${ARGS[@]}" --out "$OUT" --threads 1
        row '`flowpath summarize DIR --out OUT --threads 1`' 1
        inventory_run flowpath-inv-1 '`flowpath summarize DIR --out OUT --inventory INV --threads 1`' 1 "$BEST_WALL" --threads 1
        FLOWPATH_STATUS="flowpath wall time / zcat wall time: $(printf '%.2f' "$(calc "$FP_WALL / $ZCAT_WALL")") (target: at most 1.00)"
        if [[ -n $INVENTORY_RATIOS ]]; then
            INVENTORY_STATUS="flowpath wall time with --inventory ($INV_DESC) / without: $INVENTORY_RATIOS"
        fi
    else
        FLOWPATH_STATUS="flowpath summarize failed"
    fi
    BEFORE=
fi

cat << EOF

Machine: $NPROC cores, $CPU, $MEM RAM; $RUSTC
Input: $RECORDS records (seed $SEED) in ${#INPUTS[@]} gzip files, $((GZ_BYTES / 1000000)) MB gzip / $((TEXT_BYTES / 1000000)) MB text; best of $REPEAT runs, warm page cache; CPU use by others just before a run: at most $MAX_BUSY_SEEN%.

| what | threads | wall (s) | records/s | peak RSS |
|---|---:|---:|---:|---:|
EOF
printf '%s\n' "${ROWS[@]}"
printf '\n%s\n' "$FLOWPATH_STATUS"
if [[ -n $INVENTORY_STATUS ]]; then printf '%s\n' "$INVENTORY_STATUS"; fi
