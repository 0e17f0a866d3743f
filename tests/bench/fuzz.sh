#!/usr/bin/env bash
# Benchmark of the fuzz harnesses: each one, alone and niced, runs
# -runs=RUNS (default 10^6) from the seed corpora, and the table gives
# its executions, libFuzzer's final coverage (cov: edges, ft: features),
# exec/s and the wall-clock seconds those runs took.  Any finding
# (crash, leak, timeout, sanitizer report) is reported and fails.
#   tests/bench/fuzz.sh [BUILD-TREE [HARNESS...]]
# BUILD-TREE: configured with --enable-fuzzing and built (default .);
# FUZZ_FIXTURES: the fixture images to take seeds from (default
# BUILD-TREE/tests/fixtures); RUNS: runs per harness.
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-.}" && pwd)
shift $(( $# > 0 ? 1 : 0 ))
runs=${RUNS:-1000000}
work=$(mktemp -d /dev/shm/imgscrub-bench-fuzz.XXXXXX 2>/dev/null || mktemp -d)
trap 'rm -rf "$work"' EXIT

harnesses=("$@")
if [ ${#harnesses[@]} -eq 0 ]; then
  for f in "$build"/tests/fuzz/fuzz-*; do
    [ -x "$f" ] && [ "${f%.o}" = "$f" ] && harnesses+=("${f##*/fuzz-}")
  done
fi
if [ ${#harnesses[@]} -eq 0 ]; then
  echo "no harness in $build/tests/fuzz: configure with --enable-fuzzing CC=clang and make" >&2
  exit 77
fi
bash "$src/tests/fuzz/make-seeds.sh" "$work/seeds" \
  "${FUZZ_FIXTURES:-$build/tests/fixtures}" || exit 1
export IMGSCRUB_PROFILE_PATH="$src/profiles"

printf '%-10s %10s %7s %7s %9s %10s  %s\n' harness runs cov ft exec/s seconds result
failed=0
for name in "${harnesses[@]}"; do
  d=$work/$name
  mkdir -p "$d/corpus" "$d/tmp"
  seeds=()
  for s in "$src/tests/fuzz/corpus/$name" "$work/seeds/$name"; do
    [ -d "$s" ] && seeds+=("$s")
  done
  opts=()
  [ "$name" = format ] && opts+=(-max_len=70000)
  start=$(date +%s.%N)
  TMPDIR=$d/tmp nice -n 10 "$build/tests/fuzz/fuzz-$name" -runs="$runs" \
    -detect_leaks=1 -rss_limit_mb=2048 -timeout=30 -print_final_stats=1 \
    -artifact_prefix="$d/" "${opts[@]}" "$d/corpus" "${seeds[@]}" \
    > "$d/log" 2>&1
  st=$?
  end=$(date +%s.%N)
  done_line=$(grep -a 'DONE ' "$d/log" | tail -n 1)
  n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/log")
  eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$d/log")
  cov=$(echo "$done_line" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$done_line" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
  result=clean
  if [ "$st" -ne 0 ] || grep -aq 'ERROR: .*Sanitizer\|runtime error:' "$d/log"; then
    result="FINDING (exit $st)"
    failed=1
    cp "$d/log" "$build/bench-fuzz-$name.log"
    for a in "$d"/crash-* "$d"/leak-* "$d"/timeout-* "$d"/oom-*; do
      [ -f "$a" ] && cp "$a" "$build/" && result="$result: $build/${a##*/}"
    done
  fi
  printf '%-10s %10s %7s %7s %9s %10.1f  %s\n' "$name" "${n:-?}" "${cov:-?}" \
    "${ft:-?}" "${eps:-?}" "$(echo "$end - $start" | bc)" "$result"
done
exit "$failed"
