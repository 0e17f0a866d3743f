#!/bin/bash
# Benchmark: how imgscrub's cost grows with the number of images in one
# run (issue 15).  For each size, N qcow2 overlays of
# tests/fixtures/win.raw go through `imgscrub -v scrub -p sms2-clone-prep`;
# it prints wall time, appliance launches and per-image cost, and a
# per-step breakdown parsed from -v's timestamped lines:
#   launch   from "Launching an appliance" to that appliance's first
#            "Working on" (summed over launches)
#   work     from "Working on IMAGE" to IMAGE's next step (inspect,
#            mount, actions, unmount, flush: -v does not split them)
#   write    from "Writing" to "[k/N] IMAGE: ok" (conversion and hash)
# Not part of `make check`; the machine must not be busy with other work
# for the figures to mean anything.
#
# Usage: tests/bench/scaling.sh [SIZE...]   (default: 8 16 32 64 128)
#   IMGSCRUB_ARGS   extra scrub options, e.g. "--drives-per-appliance 8"
set -euo pipefail

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(8 16 32 64 128)
. "$(dirname "$0")/common.sh"
base="$top_builddir/tests/fixtures/win.raw"

echo "imgscrub scaling benchmark: $(nproc) cores, LIBGUESTFS_BACKEND_SETTINGS=$LIBGUESTFS_BACKEND_SETTINGS"
echo "load: $(uptime)"
printf '%6s %9s %8s %10s %10s %10s %12s %12s\n' images wall_s launches per_image marginal launch_s work_per_img write_per_img
prev_n=0 prev_wall=0
for n in "${sizes[@]}"; do
  rm -rf "$work/in" "$work/out"
  mkdir -p "$work/in" "$work/out"
  for i in $(seq -w 1 "$n"); do
    cp --sparse=always "$base" "$work/in/win-$i.raw"
  done
  t0=$(now)
  # shellcheck disable=SC2086
  "$imgscrub" -v scrub -p sms2-clone-prep ${IMGSCRUB_ARGS:-} -o "$work/out" \
    "$work/in"/*.raw > /dev/null 2> "$work/log-$n" || true
  t1=$(now)
  wall=$(echo "$t1 - $t0" | bc)
  ok=$(grep -c '^\[ *[0-9.]*\] \[[0-9]*/[0-9]*\] .*: ok$' "$work/log-$n" || true)
  if [ "$ok" -ne "$n" ]; then
    echo "warning: $ok of $n images ok; the log ends:" >&2
    tail -n 5 "$work/log-$n" >&2
  fi
  awk -v n="$n" -v wall="$wall" -v pn="$prev_n" -v pw="$prev_wall" '
    function t(line) { s = line; sub(/^\[ */, "", s); sub(/\].*/, "", s); return s + 0 }
    /\] Launching an appliance/ { launches++; pending[launches] = t($0); next }
    /\] Working on / {
      name = $0; sub(/^[^]]*\] Working on /, "", name)
      for (k in pending) { launch += t($0) - pending[k]; delete pending[k] }
      working[name] = t($0); next
    }
    /\] Writing / {
      name = $0; sub(/^[^]]*\] Writing /, "", name); sub(/.*\//, "", name)
      writing[name] = t($0)
      for (w in working) { b = w; sub(/.*\//, "", b); if (b == name) { work += t($0) - working[w]; delete working[w] } }
      next
    }
    /\] \[[0-9]*\/[0-9]*\] / {
      name = $0; sub(/^[^]]*\] \[[0-9]*\/[0-9]*\] /, "", name); sub(/: [a-z-]*$/, "", name)
      b = name; sub(/.*\//, "", b)
      if (b in writing) { write += t($0) - writing[b]; delete writing[b] }
      for (w in working) if (w == name) { work += t($0) - working[w]; delete working[w] }
    }
    END {
      marginal = pn > 0 ? sprintf ("%.2f", (wall - pw) / (n - pn)) : "-"
      printf "%6d %9.1f %8d %10.2f %10s %10.1f %12.2f %12.2f\n", n, wall, launches, wall / n, marginal, launch, work / n, write / n
    }' "$work/log-$n"
  prev_n=$n prev_wall=$wall
done
echo "per_image: wall / images; marginal: extra wall time per image over the previous size"
echo "launch_s: summed over launches; work_per_img, write_per_img: summed over images / images"
echo "(appliances and images overlap in time: the sums exceed the wall time)"
echo "load after: $(uptime)"
