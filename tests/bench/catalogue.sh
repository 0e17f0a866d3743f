#!/bin/bash
# Benchmark: the clone-prep catalogue.  Prints, in one run:
#  1. the per-image cost of linux-clone-prep and windows-clone-prep (when
#     that profile is on the search path) inside a shared appliance,
#     beside sms2-clone-prep: the "seconds" the manifest records for each
#     image, averaged;
#  2. N Linux images through one `imgscrub scrub -p linux-clone-prep`
#     against N runs of virt-sysprep, one image at a time (how it is
#     used: it takes one guest per run and edits it in place).
# Not part of `make check`: compare the figures side by side, they are
# measured in the same run.
#
# Usage: tests/bench/catalogue.sh [-n N] [-j N]   (from the build tree,
# after `make`; builds the test fixtures when missing)
#   -n N   Linux images (default 16), and as many of each for case 1
#   -j N   imgscrub's -j (default: its own default)
set -euo pipefail

n=16
jobs=
while [ $# -gt 0 ]; do
  case "$1" in
    -n) n=$2; shift 2 ;;
    -j) jobs="-j$2"; shift 2 ;;
    *) echo "usage: $0 [-n N] [-j N]" >&2; exit 2 ;;
  esac
done

. "$(dirname "$0")/common.sh"
fixtures="$top_builddir/tests/fixtures"
command -v jq > /dev/null || { echo "needs jq" >&2; exit 2; }
command -v virt-sysprep > /dev/null || { echo "needs virt-sysprep (guestfs-tools)" >&2; exit 2; }

echo "imgscrub catalogue benchmark: $(nproc) cores, $n images a case, LIBGUESTFS_BACKEND_SETTINGS=$LIBGUESTFS_BACKEND_SETTINGS"

# copies FIXTURE PREFIX: N copies of a fixture in $work/PREFIX/
copies () {
  mkdir -p "$work/$2"
  for i in $(seq -w 1 "$n"); do
    cp --sparse=always "$fixtures/$1" "$work/$2/$2-$i.${1##*.}"
  done
}

# ---- case 1: per-image cost in a shared appliance ---------------------------
# per_image PROFILE FOLDER: one scrub run; the mean of the images'
# seconds in their appliance (the manifest's), and the run's wall time
# per image (launches included).
per_image () {
  local out="$work/out-$1" t0 t1 n_img
  t0=$(now)
  "$imgscrub" -q scrub $jobs -p "$1" -o "$out" "$work/$2" > /dev/null
  t1=$(now)
  n_img=$(jq '.images | length' "$out/manifest.json")
  echo "$(jq -r '[.images[].seconds] | add / length | . * 100 | round / 100' \
    "$out/manifest.json") s in its appliance, $(echo "scale=2; ($t1 - $t0) / $n_img" | bc) s of wall time"
}
copies rhel.raw lin-a
copies debian.raw lin-b
mkdir -p "$work/lin"
mv "$work"/lin-a/* "$work"/lin-b/* "$work/lin/"
copies win.raw win
echo "per image, inside a shared appliance (manifest seconds, mean):"
echo "  linux-clone-prep  ($n RHEL + $n Debian): $(per_image linux-clone-prep lin)"
echo "  sms2-clone-prep   ($n Windows):          $(per_image sms2-clone-prep win)"
if "$imgscrub" profiles show windows-clone-prep > /dev/null 2>&1; then
  echo "  windows-clone-prep ($n Windows):         $(per_image windows-clone-prep win)"
else
  echo "  windows-clone-prep: not on the search path"
fi

# ---- case 2: N Linux images, imgscrub against virt-sysprep -----------------
rm -rf "$work"/lin "$work"/out-*
copies rhel.raw vs
copies rhel.raw isc
t0=$(now)
"$imgscrub" -q scrub $jobs -p linux-clone-prep -o "$work/out" "$work/isc" > /dev/null
t1=$(now)
for f in "$work"/vs/*.raw; do
  virt-sysprep -q --format raw -a "$f" > /dev/null
done
t2=$(now)
isc=$(elapsed "$t0" "$t1")
vs=$(elapsed "$t1" "$t2")
echo "$n Linux images:"
echo "  imgscrub scrub -p linux-clone-prep -o: $isc s"
echo "  virt-sysprep, one image at a time:     $vs s"
echo "  imgscrub is $(ratio "$vs" "$isc")x faster"
