#!/usr/bin/env bash
# Seed inputs for the fuzz harnesses that are not committed:
#   make-seeds.sh OUTDIR [FIXTURES]
# OUTDIR/format/: the headers of the fixture images (first bytes, VHD
# footer, real file size) when FIXTURES holds them, tiny images of every
# format and subformat made with qemu-img, and VMDK descriptors naming
# every kind of extent fuzz-format.c keeps beside the image; each behind
# fuzz-format.c's 6-byte prefix.  OUTDIR/profile/: the shipped profiles
# and the test suite's.  OUTDIR/target/: qemu-img's fixed VHD, stream
# and sparse VMDK and VHDX, behind fuzz-target.c's rules byte.  Nothing
# here launches an appliance.
set -eu
out=$1
fixtures=${2:-}
src=$(cd "$(dirname "$0")/../.." && pwd)

rm -rf "$out"
mkdir -p "$out/format" "$out/profile"
cp "$src"/profiles/*.conf "$src"/tests/*.conf "$out/profile/"

# fuzz-format.c's prefix: byte 0 = extension index << 3 (format
# detected), byte 1 = flags, bytes 2-5 = file size in sectors (LE).
ext_index () {
  case "$1" in
    *.img) echo 0 ;; *.vhd) echo 1 ;; *.vmdk) echo 2 ;; *.qcow2) echo 3 ;;
    *.vhdx) echo 4 ;; *.raw) echo 5 ;; *) echo 7 ;;
  esac
}
byte () { printf "\\$(printf %03o "$1")"; }
prefix () {                     # FILE-NAME FLAGS SIZE-IN-BYTES
  local s=$(( ($3 + 511) / 512 ))
  byte $(( $(ext_index "$1") << 3 ))
  byte "$2"
  byte $(( s & 255 )); byte $(( (s >> 8) & 255 ))
  byte $(( (s >> 16) & 255 )); byte $(( (s >> 24) & 255 ))
}
# seed NAME IMAGE HEAD-BYTES: the image's head, and for a VHD its footer
# again at the end of a file of the image's size.
seed () {
  local size flags=0
  size=$(stat -c %s "$2")
  case "$2" in *.vhd) flags=16 ;; *.vhdx) flags=15 ;; esac
  {
    prefix "$2" "$flags" "$size"
    head -c "$3" "$2"
    [ "$flags" -ne 16 ] || tail -c 512 "$2"
  } > "$out/format/$1"
}

if [ -n "$fixtures" ] && [ -d "$fixtures" ]; then
  for f in "$fixtures"/*.qcow2 "$fixtures"/*.vhd "$fixtures"/*.vmdk \
           "$fixtures"/linux.raw; do
    [ -f "$f" ] || continue
    seed "fixture-$(basename "$f")" "$f" 12288
  done
fi

if command -v qemu-img > /dev/null; then
  t=$(mktemp -d)
  trap 'rm -rf "$t"' EXIT
  mk () { qemu-img create -q -f "$@"; }
  mk qcow2 -o compat=0.10 "$t/v2.qcow2" 16M
  mk qcow2 -o compat=1.1,cluster_size=4096 "$t/v3.qcow2" 16M
  mk vpc -o subformat=fixed "$t/fixed.vhd" 1M
  mk vpc -o subformat=dynamic "$t/dynamic.vhd" 16M
  mk vhdx "$t/disk.vhdx" 16M
  mk vmdk -o subformat=monolithicSparse "$t/sparse.vmdk" 16M
  mk vmdk -o subformat=streamOptimized "$t/stream.vmdk" 16M
  mk vmdk -o subformat=monolithicFlat "$t/flat.vmdk" 1M
  mk vmdk -o subformat=twoGbMaxExtentSparse "$t/split.vmdk" 1M
  for f in "$t"/*.qcow2 "$t"/*.vhd "$t"/*.vhdx; do
    seed "qemu-$(basename "$f")" "$f" 4096
  done
  seed qemu-sparse.vmdk "$t/sparse.vmdk" 12288
  seed qemu-stream.vmdk "$t/stream.vmdk" 12288
  # Descriptors, their extents renamed to files fuzz-format.c provides.
  sed 's/"flat-flat.vmdk"/"ext.img"/' "$t/flat.vmdk" > "$t/flat-desc.vmdk"
  sed 's/"split-s001.vmdk"/"sparse.vmdk"/' "$t/split.vmdk" > "$t/split-desc.vmdk"
  seed qemu-flat-desc.vmdk "$t/flat-desc.vmdk" 4096
  seed qemu-split-desc.vmdk "$t/split-desc.vmdk" 4096
  # fuzz-target.c: a rules byte (0xff: all), then the file itself (the
  # heads of a VMDK and a VHDX, a whole fixed VHD with its footer).
  mkdir -p "$out/target"
  mk vhdx "$t/small.vhdx" 4M
  for f in "$t/stream.vmdk" "$t/sparse.vmdk" "$t/small.vhdx"; do
    { printf '\377'; head -c 262144 "$f"; } > "$out/target/$(basename "$f")"
  done
  { printf '\377'; head -c 4096 "$t/fixed.vhd"; tail -c 512 "$t/fixed.vhd"; } \
    > "$out/target/fixed.vhd"
fi

# Hand-written descriptors: one line per kind of extent and reference.
desc () {                       # NAME LINES...
  local name=$1
  shift
  { prefix "$name" 0 0
    printf '# Disk DescriptorFile\nversion=1\nCID=fffffffe\n'
    printf 'parentCID=ffffffff\ncreateType="monolithicFlat"\n\n'
    printf '%s\n' "$@"
    printf '\nddb.adapterType = "ide"\n'; } > "$out/format/$name"
}
desc desc-flat.vmdk 'RW 2048 FLAT "ext.img" 0'
desc desc-kinds.vmdk 'RW 2048 SPARSE "sparse.vmdk"' 'RW 8 ZERO' \
  'RDONLY 8 VMFS "ext.img"' 'NOACCESS 8 VMFSSPARSE "embedded.vmdk"'
desc desc-refused.vmdk 'RW 8 FLAT "link" 0' 'RW 8 FLAT "../ext.img" 0' \
  'RW 8 FLAT "/etc/passwd" 0' 'RW 8 FLAT "a:b" 0' 'RW 8 FLAT "fifo" 0' \
  'RW 8 FLAT "dir" 0' 'RW 8 SPARSE "short"' 'RW 8 VMFSRAW "ext.img" 0'
desc desc-parent.vmdk 'parentFileNameHint="base.vmdk"' 'parentCID = 0x1234' \
  'RW 8 FLAT "ext.img" 0'
{ prefix bare.vmdk 0 0; printf 'version=1\r\nRW 8 FLAT "ext.img" 0\r\n'; } \
  > "$out/format/desc-version.vmdk"
