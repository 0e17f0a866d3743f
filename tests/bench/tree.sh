#!/bin/bash
# Benchmark: --export-tree against guestfish tar-out of the same guest,
# and a bare launch, measured in the same run.  Not part of `make check`.
#
# The guest (a minimal Debian root plus N small files in N/100 folders)
# is built once without an appliance: mkfs.ext4 -d populates the
# partition straight from a host folder.  It is cached under
# $BENCH_CACHE (default tests/bench/cache in the build tree).
#
# Usage: tests/bench/tree.sh            (from the build tree, after make)
#   BENCH_FILES=N   small files besides the 5 of the root (default 20000;
#                   100000 for the large case)
#   BENCH_OLD_IMGSCRUB=PATH  also time another build's --export-tree (the
#                   one before a change), in the same run
set -euo pipefail

files=${BENCH_FILES:-20000}
top_builddir=$(cd "$(dirname "$0")/../.." && pwd)
imgscrub="$top_builddir/cmd/imgscrub"
cache=${BENCH_CACHE:-$top_builddir/tests/bench/cache}
: "${LIBGUESTFS_BACKEND_SETTINGS:=force_tcg}"
export LIBGUESTFS_BACKEND_SETTINGS
export IMGSCRUB_PROFILE_PATH="$top_builddir/profiles:$(cd "$(dirname "$0")/../../profiles" && pwd)"
[ -x "$imgscrub" ] || { echo "build imgscrub first (make)" >&2; exit 2; }

folders=$(( (files + 99) / 100 ))
img="$cache/tree-$files.raw"
if [ ! -f "$img" ]; then
  mkdir -p "$cache"
  root=$(mktemp -d "$cache/root.XXXXXX")
  mkdir -p "$root/etc" "$root/bin" "$root/sbin" "$root/usr/bin" "$root/root" "$root/data"
  printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n' > "$root/etc/os-release"
  echo 12.8 > "$root/etc/debian_version"
  echo benchhost > "$root/etc/hostname"
  echo 0123456789abcdef0123456789abcdef > "$root/etc/machine-id"
  echo '/dev/sda1 / ext4 defaults 0 1' > "$root/etc/fstab"
  payload=$(head -c 1500 /dev/urandom | base64 -w 76)
  made=0
  for d in $(seq 1 "$folders"); do
    mkdir "$root/data/d$d"
    for f in $(seq 1 100); do
      [ "$made" -lt "$files" ] || break
      printf '%s %s\n%s\n' "$d" "$f" "$payload" > "$root/data/d$d/f$f"
      made=$((made + 1))
    done
  done
  # Room for the files (4 KiB blocks) and their inodes, plus slack.
  mib=$(( files * 6 / 1024 + 64 ))
  truncate -s "$((mib + 1))M" "$img.tmp"
  echo 'start=2048, type=83' | sfdisk -q "$img.tmp"
  mkfs.ext4 -q -F -N $((files + 10000)) -E offset=1048576 -d "$root" "$img.tmp" "${mib}M"
  rm -rf "$root"
  mv "$img.tmp" "$img"
fi

work=$(mktemp -d "${TMPDIR:-/var/tmp}/imgscrub-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

now () { date +%s.%N; }
elapsed () { echo "$2 - $1" | bc; }
ratio () { echo "scale=2; $1 / $2" | bc; }

echo "imgscrub tree benchmark: $(nproc) cores, LIBGUESTFS_BACKEND_SETTINGS=$LIBGUESTFS_BACKEND_SETTINGS"
echo "guest: $img, $files small files in $folders folders, plus 5 in /etc"
echo "load: $(uptime)"

t0=$(now)
guestfish --ro --format=raw -a "$img" run : mount /dev/sda1 / : cat /etc/hostname > /dev/null
t1=$(now)
guestfish --ro --format=raw -a "$img" run : mount /dev/sda1 / : tar-out / "$work/tar-out.tar"
t2=$(now)
"$imgscrub" -q scrub -p linux-machine-id --export-tree "$work/tree.tar" "$img" > /dev/null
t3=$(now)
if [ -n "${BENCH_OLD_IMGSCRUB:-}" ]; then
  "$BENCH_OLD_IMGSCRUB" -q scrub -p linux-machine-id --export-tree "$work/old.tar" "$img" > /dev/null
  t4=$(now)
fi

bare=$(elapsed "$t0" "$t1")
tarout=$(elapsed "$t1" "$t2")
export=$(elapsed "$t2" "$t3")
n_tar=$(tar -tf "$work/tar-out.tar" | wc -l)
n_tree=$(tar -tf "$work/tree.tar" | wc -l)
printf '%-44s %8.1f s\n' "bare launch (guestfish run, cat)" "$bare"
printf '%-44s %8.1f s  (%d members)\n' "guestfish tar-out /" "$tarout" "$n_tar"
printf '%-44s %8.1f s  (%d members)\n' "imgscrub scrub --export-tree" "$export" "$n_tree"
if [ -n "${BENCH_OLD_IMGSCRUB:-}" ]; then
  printf '%-44s %8.1f s  (%d members)\n' "$BENCH_OLD_IMGSCRUB --export-tree" \
    "$(elapsed "$t3" "$t4")" "$(tar -tf "$work/old.tar" | wc -l)"
fi
printf 'export / tar-out: %.2fx (target <= 1.2x)\n' "$(ratio "$export" "$tarout")"
printf 'beyond a bare launch: export %.1f s, tar-out %.1f s\n' "$(elapsed "$bare" "$export")" "$(elapsed "$bare" "$tarout")"
echo "load after: $(uptime)"
