#!/bin/bash
# Benchmark: imgscrub's own appliance (lib/appliance-path.h: the storage
# udev rules without scsi_id and ata_id) against libguestfs's stock one
# (IMGSCRUB_APPLIANCE=stock), launched alternately in the same run.
# Each round starts one appliance of N copies of tests/fixtures/win.raw
# (`imgscrub -v scrub --dry-run -j 1 --drives-per-appliance N`, stopped
# there) with each appliance in turn, and reads its launch time from the
# engine's log: from "Launching an appliance" to its first "Working on".  It prints
# each launch, then per appliance the mean and the seconds per drive
# beyond a 1-drive launch (measured the same way).
# Not part of `make check`; the machine must not be busy with other work.
#
# Usage: tests/bench/appliance.sh [DRIVES [ROUNDS]]   (default: 64 3)
set -euo pipefail

drives=${1:-64}
rounds=${2:-3}
. "$(dirname "$0")/common.sh"
base="$top_builddir/tests/fixtures/win.raw"

mkdir -p "$work/in"
for i in $(seq -w 1 "$drives"); do
  cp --sparse=always "$base" "$work/in/win-$i.raw"
done

# One launch of the first N images with appliance CHOICE: prints the
# launch seconds.  The run is stopped (SIGTERM, which imgscrub cleans up
# after) once its appliance works on its first image.
launch () {
  local choice=$1 n=$2 log="$work/log" pid i

  rm -f "$log"
  # shellcheck disable=SC2046
  IMGSCRUB_APPLIANCE=$choice "$imgscrub" -v scrub --dry-run -j 1 \
    --drives-per-appliance "$n" -p sms2-clone-prep \
    $(ls "$work/in"/*.raw | head -n "$n") > /dev/null 2> "$log" &
  pid=$!
  for i in $(seq 1 6000); do
    grep -qs 'Working on' "$log" && break
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.1
  done
  kill -TERM "$pid" 2> /dev/null || true
  wait "$pid" || true
  grep -q 'Working on' "$log" || { echo "no appliance started ($choice):" >&2; tail -n 5 "$log" >&2; exit 1; }
  awk 'function t(line) { s = line; sub(/^\[ */, "", s); sub(/\].*/, "", s); return s + 0 }
       /\] Launching an appliance #1 / { start = t($0) }
       /\] Working on / { printf "%.1f\n", t($0) - start; exit }' "$log"
}

echo "imgscrub appliance benchmark: $(nproc) cores, $drives drives, $rounds rounds, LIBGUESTFS_BACKEND_SETTINGS=$LIBGUESTFS_BACKEND_SETTINGS"
echo "load: $(uptime)"
# The first launch of each builds its appliance (supermin): not timed.
launch imgscrub 1 > /dev/null
launch stock 1 > /dev/null
printf '%5s %9s %8s %8s\n' round appliance drives launch_s
declare -A sum one
for r in $(seq 1 "$rounds"); do
  for choice in stock imgscrub; do
    s=$(launch "$choice" 1)
    one[$choice]=$(echo "${one[$choice]:-0} + $s" | bc)
    printf '%5d %9s %8d %8s\n' "$r" "$choice" 1 "$s"
    s=$(launch "$choice" "$drives")
    sum[$choice]=$(echo "${sum[$choice]:-0} + $s" | bc)
    printf '%5d %9s %8d %8s\n' "$r" "$choice" "$drives" "$s"
  done
done
printf '%9s %13s %13s %15s\n' appliance "mean_1_s" "mean_${drives}_s" "s_per_drive"
for choice in stock imgscrub; do
  awk -v c="$choice" -v one="${one[$choice]}" -v sum="${sum[$choice]}" -v r="$rounds" -v d="$drives" \
    'BEGIN { printf "%9s %13.2f %13.2f %15.3f\n", c, one / r, sum / r, (sum - one) / r / (d - 1) }'
done
echo "load after: $(uptime)"
