#!/bin/bash
# Benchmark: what --target costs beyond its conversion floor (issue 24).
# A 4 GiB raw image holding 1 GiB of data (tests/fixtures/linux.raw,
# grown, with 1 GiB of pseudo-random bytes written after its partitions:
# incompressible, the worst case for the compressing targets) is
# scrubbed once to qcow2; that scrubbed image is the common source.
# Then, in the same run, for each target:
#   target_s  the target's own steps (convert, check, package) as the
#             engine reports them (-v "Steps" lines) for a scrub of the
#             same input: everything the target does after the scrub
#   floor_s   `qemu-img convert` of the scrubbed image to the same
#             format with the same -o (gce: to raw)
#   ratio     target_s / floor_s (the goal: at most 1.15)
# and for gce also `tar --format=oldgnu -Sczf` of that raw file, the
# packaging GCE's documentation gives, as a second floor.
# Not part of `make check`; the machine must be otherwise idle for the
# figures to mean anything.
#
# Usage: tests/bench/targets.sh [TARGET...]   (default: all five)
set -euo pipefail

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(vsphere azure gce aws hyperv)
. "$(dirname "$0")/common.sh"

in="$work/big.raw"
cp --sparse=always "$top_builddir/tests/fixtures/linux.raw" "$in"
chmod u+w "$in"
truncate -s 4G "$in"
# 1 GiB of data from 1 GiB on: repeatable, incompressible.
# (openssl dies of SIGPIPE once head has its fill.)
set +o pipefail
openssl enc -aes-128-ctr -pass pass:imgscrub -nosalt -pbkdf2 < /dev/zero 2>/dev/null |
  head -c 1G | dd of="$in" bs=1M seek=1024 conv=notrunc status=none
set -o pipefail

"$imgscrub" scrub -p linux-clone-prep --output-format qcow2 -o "$work/scrubbed" "$in" \
  > /dev/null 2>&1
src="$work/scrubbed/big.qcow2"

# The -o of each target's disk (lib/image/target.c).
stream="subformat=streamOptimized,adapter_type=lsilogic,hwversion=6,toolsversion=2147483647"
floor_args () {
  case $1 in
    vsphere|aws) echo "-O vmdk -o $stream" ;;
    azure) echo "-O vpc -o subformat=fixed,force_size=on" ;;
    gce) echo "-O raw" ;;
    hyperv) echo "-O vhdx" ;;
  esac
}

printf '%-8s %9s %9s %6s\n' target floor_s target_s ratio
for t in "${targets[@]}"; do
  rm -rf "$work/out" "$work/floor"*
  "$imgscrub" -v scrub -p linux-clone-prep --target "$t" -o "$work/out" "$in" \
    > /dev/null 2> "$work/log-$t" || { tail -3 "$work/log-$t"; exit 1; }
  # "Steps IMAGE: name=seconds ...": the target's steps.
  target_s=$(grep -o 'Steps .*' "$work/log-$t" | tr ' ' '\n' |
    awk -F= '$1 == "convert" || $1 == "check" || $1 == "package" { s += $2 } END { printf "%.2f", s }')
  # The size rounding lives in the engine's overlay: give the floor the
  # same virtual size.
  cp "$src" "$work/floor-src.qcow2"
  case $t in
    azure) qemu-img resize -q -f qcow2 "$work/floor-src.qcow2" \
             $(( ($(qemu-img info --output=json "$work/floor-src.qcow2" | jq '."virtual-size"') + 1048575) / 1048576 * 1048576 )) ;;
    gce) qemu-img resize -q -f qcow2 "$work/floor-src.qcow2" 4G ;;
  esac
  t0=$(now)
  # shellcheck disable=SC2046
  qemu-img convert -t writeback -S 4k -f qcow2 "$work/floor-src.qcow2" $(floor_args "$t") "$work/floor.out"
  t1=$(now)
  floor_s=$(elapsed "$t0" "$t1")
  printf '%-8s %9.2f %9.2f %6s\n' "$t" "$floor_s" "$target_s" "$(ratio "$target_s" "$floor_s")"
  if [ "$t" = gce ]; then
    mv "$work/floor.out" "$work/disk.raw"
    t0=$(now)
    tar --format=oldgnu -Sczf "$work/floor.tar.gz" -C "$work" disk.raw
    t1=$(now)
    tar_s=$(echo "$floor_s + $(elapsed "$t0" "$t1")" | bc)
    printf '%-8s %9.2f %9.2f %6s   (floor: qemu-img convert + GNU tar --format=oldgnu -Sczf)\n' \
      gce-tar "$tar_s" "$target_s" "$(ratio "$target_s" "$tar_s")"
  fi
done
