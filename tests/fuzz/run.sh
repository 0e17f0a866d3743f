#!/usr/bin/env bash
# `make fuzz`: run each harness given (tests/fuzz/fuzz-NAME, relative to
# top_builddir) for FUZZ_SECONDS, FUZZ_JOBS at a time, niced.  A harness
# passes when libFuzzer exits 0 with no sanitizer report: any crash,
# leak (-detect_leaks=1), timeout, RSS over FUZZ_RSS_MB or failed
# assertion fails it.  Per harness, tests/fuzz/work/NAME/ keeps the
# corpus it grew (reused by the next run), its log and any crashing
# input.  Ends with "fuzz: N passed, N failed"; tests/fuzz/fuzz-suite.log
# has the counts as automake's test-suite.log does.
set -u
: "${top_srcdir:?run through make fuzz}" "${top_builddir:?run through make fuzz}"
secs=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-2}
rss=${FUZZ_RSS_MB:-2048}
work=$top_builddir/tests/fuzz/work

bash "$top_srcdir/tests/fuzz/make-seeds.sh" "$work/seeds" "${FUZZ_FIXTURES:-}" ||
  { echo "fuzz: cannot make the seed corpora"; exit 1; }
# Included profiles are found on the search path.
export IMGSCRUB_PROFILE_PATH="$top_srcdir/profiles"

# Options of one harness: the format harness reads up to 64 KiB heads.
fuzz_options () {
  case "$1" in
    format) echo "-max_len=70000" ;;
    target) echo "-max_len=270000" ;;
  esac
}

run_one () {
  local name=$1 d=$work/$1 seeds=() tmp
  rm -f "$d"/crash-* "$d"/leak-* "$d"/timeout-* "$d"/oom-*
  mkdir -p "$d/corpus"
  # The harnesses write their inputs as files: on tmpfs when there is one.
  tmp=$(mktemp -d /dev/shm/imgscrub-fuzz.XXXXXX 2>/dev/null || mktemp -d)
  for s in "$top_srcdir/tests/fuzz/corpus/$name" "$work/seeds/$name"; do
    [ -d "$s" ] && seeds+=("$s")
  done
  # shellcheck disable=SC2046
  TMPDIR=$tmp nice -n 10 "$top_builddir/tests/fuzz/fuzz-$name" \
    -max_total_time="$secs" -detect_leaks=1 -rss_limit_mb="$rss" \
    -timeout=30 -print_final_stats=1 -artifact_prefix="$d/" \
    $(fuzz_options "$name") "$d/corpus" "${seeds[@]}" > "$d/log" 2>&1
  echo $? > "$d/status"
  rm -rf "$tmp"
}

names=()
for prog in "$@"; do
  names+=("${prog##*/fuzz-}")
done
echo "fuzz: ${#names[@]} harnesses, ${secs} s each, ${jobs} at a time"
running=0
for name in "${names[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
  run_one "$name" &
  running=$((running + 1))
done
wait

pass=0 fail=0
for name in "${names[@]}"; do
  d=$work/$name
  st=$(cat "$d/status" 2>/dev/null || echo 1)
  stats=$(grep -a ' DONE \| cov: ' "$d/log" | tail -n 1 |
          sed -n 's/^#\([0-9]*\).*\(cov: [0-9]*\) \(ft: [0-9]*\).*/\1 runs, \2, \3/p')
  if [ "$st" = 0 ] &&
     ! grep -aq 'ERROR: .*Sanitizer\|runtime error:\|^SUMMARY: ' "$d/log"; then
    pass=$((pass + 1))
    echo "PASS: fuzz-$name (${stats:-no stats})"
  else
    fail=$((fail + 1))
    echo "FAIL: fuzz-$name: exit $st (${stats:-no stats}); log $d/log"
    grep -a -m 1 -A 12 'assertion failed\|unescaped byte\|ERROR: \|runtime error:' "$d/log" |
      sed 's/^/    /'
    for a in "$d"/crash-* "$d"/leak-* "$d"/timeout-* "$d"/oom-*; do
      [ -f "$a" ] && echo "    input: $a"
    done
  fi
done
printf '# PASS: %d\n# FAIL: %d\n' "$pass" "$fail" > "$top_builddir/tests/fuzz/fuzz-suite.log"
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
