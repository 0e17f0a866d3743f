#!/bin/bash
# Benchmark: how imgscrub's cost grows with the number of images in one
# run (issue 15).  For each size, N copies of tests/fixtures/win.raw go
# through `imgscrub -v scrub -p sms2-clone-prep`.  It prints, per size:
#   wall_s     the run's wall time, and launches: appliances started
#   per_image  wall_s / images
#   launch_s   mean, over appliances, from "Launching an appliance #K"
#              to its first "Working on"
#   beyond_1st mean wall time of each image after the first in an
#              appliance: from one "Working on" to the next in the same
#              appliance (the last image's own cost is not in it)
#   drives     images per appliance (the largest)
# then the mean seconds per image of each step, from the engine's own
# "Steps IMAGE: name=seconds ..." lines (-v): host side (check,
# hash-input, overlay, convert, hash) and appliance side (inspect, mount,
# each action kind, hive-open, hive-commit, unmount, flush).
# Not part of `make check`; the machine must not be busy with other work
# for the figures to mean anything.
#
# Usage: tests/bench/scaling.sh [SIZE...]   (default: 8 16 32 64 128)
#   IMGSCRUB_ARGS   extra scrub options, e.g. "--drives-per-appliance 8"
#   FLAT_ROUNDS     after the sizes, 64 images run at 8 and then at 32
#                   images to an appliance, this many times alternately
#                   (default 2; 0 leaves it out), and the mean beyond_1st
#                   of each is compared: both in the same stretch of time
#   BASELINE        another imgscrub binary (say, a build of the previous
#                   commit): each size then runs it first, then this
#                   tree's, and both rows are printed ("base" and "this"),
#                   since this machine's speed varies between runs
set -euo pipefail

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(8 16 32 64 128)
flat_rounds=${FLAT_ROUNDS:-2}
. "$(dirname "$0")/common.sh"
base="$top_builddir/tests/fixtures/win.raw"

# One run of BIN over the N images in $work/in with EXTRA scrub options:
# prints its row and writes its steps line to $work/steps-LABEL-N.
measure () {
  local label=$1 bin=$2 n=$3 extra=$4 t0 t1 wall ok

  rm -rf "$work/out"
  mkdir -p "$work/out"
  t0=$(now)
  # shellcheck disable=SC2086
  "$bin" -v scrub -p sms2-clone-prep ${IMGSCRUB_ARGS:-} $extra -o "$work/out" \
    "$work/in"/*.raw > /dev/null 2> "$work/log-$n" || true
  t1=$(now)
  wall=$(elapsed "$t0" "$t1")
  ok=$(grep -c '^\[ *[0-9.]*\] \[[0-9]*/[0-9]*\] .*: ok$' "$work/log-$n" || true)
  if [ "$ok" -ne "$n" ]; then
    echo "warning: $ok of $n images ok; the log ends:" >&2
    tail -n 5 "$work/log-$n" >&2
  fi
  awk -v n="$n" -v wall="$wall" -v label="$label" -v steps="$work/steps-$label-$n" '
    function t(line) { s = line; sub(/^\[ */, "", s); sub(/\].*/, "", s); return s + 0 }
    function close_app(k) {
      if (count[k] > 1) { beyond += last[k] - first[k]; nbeyond += count[k] - 1 }
      if (count[k] > drives) drives = count[k]
      count[k] = 0
    }
    /\] Launching an appliance #/ {
      k = $0; sub(/.*#/, "", k); sub(/ .*/, "", k)
      close_app(k); launches++; launched[k] = t($0); next
    }
    /\] Working on .*\(appliance #[0-9]*\)$/ {
      k = $0; sub(/.*#/, "", k); sub(/\)$/, "", k)
      if (count[k] == 0) { launch += t($0) - launched[k]; first[k] = t($0) }
      last[k] = t($0); count[k]++; next
    }
    /\] Steps / {
      images++
      for (i = 1; i <= NF; i++) {
        if ($i !~ /^[a-z-]+=[0-9.]+$/) continue
        split($i, kv, "="); if (!(kv[1] in sum)) order[++nsteps] = kv[1]
        sum[kv[1]] += kv[2]
      }
    }
    END {
      for (k in count) close_app(k)
      printf "%4s %6d %7.1f %8d %9.2f %8.1f %10s %6d\n", label, n, wall, launches, wall / n,
        launches ? launch / launches : 0,
        nbeyond ? sprintf ("%.2f", beyond / nbeyond) : "-", drives
      line = sprintf ("%4s %6d steps/image:", label, n)
      for (i = 1; i <= nsteps; i++)
        line = line sprintf (" %s=%.3f", order[i], sum[order[i]] / (images ? images : 1))
      print line > steps
    }' "$work/log-$n"
}

# N copies of the fixture in $work/in.
make_inputs () {
  rm -rf "$work/in"
  mkdir -p "$work/in"
  for i in $(seq -w 1 "$1"); do
    cp --sparse=always "$base" "$work/in/win-$i.raw"
  done
}

echo "imgscrub scaling benchmark: $(nproc) cores, LIBGUESTFS_BACKEND_SETTINGS=$LIBGUESTFS_BACKEND_SETTINGS, IMGSCRUB_ARGS=${IMGSCRUB_ARGS:-}"
echo "load: $(uptime)"
runs=("this:$imgscrub")
[ -z "${BASELINE:-}" ] || runs=("base:$BASELINE" "${runs[@]}")
header () {
  printf '%4s %6s %7s %8s %9s %8s %10s %6s\n' run images wall_s launches per_image launch_s beyond_1st drives
}
header
for n in "${sizes[@]}"; do
  make_inputs "$n"
  for run in "${runs[@]}"; do
    measure "${run%%:*}" "${run#*:}" "$n" ""
  done
done
echo "per-step mean seconds per image (engine timestamps, imgscrub -v):"
for n in "${sizes[@]}"; do
  for run in "${runs[@]}"; do cat "$work/steps-${run%%:*}-$n"; done
done
echo "beyond_1st: the wall time each image after an appliance's first one"
echo "costs inside it; appliances run side by side, so per_image is lower"

# Flatness: the same 64 images at 8 and at 32 to an appliance, alternated,
# so that the machine's drift weighs on both alike.
if [ "$flat_rounds" -gt 0 ]; then
  echo "flat: 64 images at 8 (d8) and at 32 (d32) to an appliance, alternated $flat_rounds times, this tree's imgscrub:"
  header
  make_inputs 64
  for r in $(seq 1 "$flat_rounds"); do
    for d in 8 32; do
      measure "d$d" "$imgscrub" 64 "--drives-per-appliance $d"
    done
  done | tee "$work/flat"
  awk '{ sum[$1] += $7; cnt[$1]++ }
    END { a = sum["d8"] / cnt["d8"]; b = sum["d32"] / cnt["d32"]
          printf "beyond_1st, mean: %.2f s at 8 to an appliance, %.2f s at 32: 32/8 = %.2f\n", a, b, b / a }' "$work/flat"
fi
echo "load after: $(uptime)"
