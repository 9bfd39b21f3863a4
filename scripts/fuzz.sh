#!/usr/bin/env bash
# The fuzz targets in fuzz/ (cargo fuzz, on the nightly toolchain): build them, then
# run each in turn for a given time.
#
#   scripts/fuzz.sh 60               build, then run every target for 60 s
#   scripts/fuzz.sh 300 line ranges  only the targets named
#   scripts/fuzz.sh --build          build every target but `trigger` (what CI does)
#   scripts/fuzz.sh --build-all      build every target
#
# - Installs cargo-fuzz (cargo install --locked) when it is missing.
# - `trigger` (Lambda event payloads) needs flowpath-functions and so the AWS SDK,
#   which makes a cold build several times longer; it is built (cargo feature
#   `lambda`) whenever it is to run, and by --build-all.
# - Targets are built without a sanitizer and with debug assertions: the code they
#   reach is safe Rust (flowpath-core forbids unsafe), so an address sanitizer would
#   mostly cost executions, while overflow checks catch arithmetic that wraps.
#   `FUZZ_SANITIZER=address scripts/fuzz.sh ...` builds with ASan instead.
# - Seeds are made from fixtures/ at every run into fuzz/corpus/<target>/ (git-ignored,
#   where the corpus then grows); nothing is copied into the repository.
# - A finding stops its target, leaves the input in fuzz/artifacts/<target>/ and makes
#   the script exit 1 once every target has run. Reproduce one with
#   `cd fuzz && cargo +nightly fuzz run -s none -a [--features lambda] <target> artifacts/<target>/<file>`.
set -euo pipefail
cd "$(dirname "$0")/.."

toolchain=${FUZZ_TOOLCHAIN:-nightly}
flags=(--sanitizer "${FUZZ_SANITIZER:-none}" --debug-assertions)
all_targets=(lines line format summarize ranges inventory parquet trigger)

usage() {
  sed -n '5,8p' "$0" >&2
  exit 2
}
[ $# -ge 1 ] || usage

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "scripts/fuzz.sh: installing cargo-fuzz" >&2
  cargo install cargo-fuzz --locked
fi

case $1 in
  --build)
    (cd fuzz && cargo "+$toolchain" fuzz build "${flags[@]}")
    exit 0
    ;;
  --build-all)
    (cd fuzz && cargo "+$toolchain" fuzz build "${flags[@]}" --features lambda)
    exit 0
    ;;
  '' | *[!0-9]*) usage ;;
esac
seconds=$1
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
for target in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $target "* ]] || { echo "unknown target: $target" >&2; usage; }
  [ "$target" != trigger ] || flags+=(--features lambda)
done
(cd fuzz && cargo "+$toolchain" fuzz build "${flags[@]}")

# seed TARGET PREFIX FILE...: each file, after PREFIX (printf syntax), is a seed.
seed() {
  local target=$1 prefix=$2 file
  shift 2
  mkdir -p "fuzz/corpus/$target"
  for file in "$@"; do
    [ -f "$file" ] || continue
    { printf "$prefix"; cat "$file"; } >"fuzz/corpus/$target/seed-$(basename "$file")"
  done
}
logs=(fixtures/flowlogs/*.log fixtures/bad/* $(find fixtures/flowlogs/AWSLogs -type f))
seed lines '' "${logs[@]}"
# line: a first byte of 0 selects the v2 format.
seed line '\0' "${logs[@]}"
# summarize: the first byte sets the small chunk size; gzip inputs too.
seed summarize '\0' "${logs[@]}"
for file in fixtures/flowlogs/*.log; do
  gzip -c "$file" >"fuzz/corpus/summarize/seed-gz-$(basename "$file")"
  printf '\0' | cat - "fuzz/corpus/summarize/seed-gz-$(basename "$file")" \
    >"fuzz/corpus/summarize/seed-gz0-$(basename "$file")"
done
mkdir -p fuzz/corpus/format
for file in fixtures/flowlogs/*.log fixtures/bad/bad-header.log; do
  head -n 1 "$file" >"fuzz/corpus/format/seed-header-$(basename "$file")"
  # The same names in AWS's `${field}` syntax.
  head -n 1 "$file" | sed -E 's/([a-z][a-z0-9_-]*)/${\1}/g' \
    >"fuzz/corpus/format/seed-dollar-$(basename "$file")"
done
seed ranges '' fixtures/ip-ranges/*.json
seed inventory '' fixtures/inventory/*.json
seed parquet '' fixtures/flowlogs-parquet/*.parquet
seed trigger '' fixtures/events/*.json

failed=()
for target in "${targets[@]}"; do
  echo "== $target: $seconds s"
  mkdir -p "fuzz/artifacts/$target"
  if ! (cd fuzz && nice -n 5 cargo "+$toolchain" fuzz run "${flags[@]}" "$target" -- \
    -max_total_time="$seconds" -timeout=10 -print_final_stats=1); then
    failed+=("$target")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "scripts/fuzz.sh: findings in: ${failed[*]} (inputs under fuzz/artifacts/)" >&2
  exit 1
fi
echo "scripts/fuzz.sh: ${targets[*]}: $seconds s each, no finding"
