#!/bin/bash
# Benchmark: imgscrub on a folder of images versus what people do today
# (one guestfish appliance per image), and imgscrub on one large image
# versus the floor for that work.  Not part of `make check`: it prints
# figures; compare them side by side, they are measured in the same run.
#
# Needs hivexregedit (libwin-hivex-perl) for the baseline.
#
# Usage: tests/bench/batch.sh [-n N] [--skip-large]   (from the build tree,
# after `make`; builds the test fixtures when missing)
#   -n N           number of small Windows images (default 16)
#   -j N           imgscrub's -j (default: its own default)
#   --skip-small   skip the small images case
#   --skip-large   skip the 4 GiB image case
set -euo pipefail

n=16
large=1
small=1
jobs=
while [ $# -gt 0 ]; do
  case "$1" in
    -n) n=$2; shift 2 ;;
    -j) jobs="-j$2"; shift 2 ;;
    --skip-large) large=0; shift ;;
    --skip-small) small=0; shift ;;
    *) echo "usage: $0 [-n N] [-j N] [--skip-small] [--skip-large]" >&2; exit 2 ;;
  esac
done

. "$(dirname "$0")/common.sh"

echo "imgscrub batch benchmark: $(nproc) cores, LIBGUESTFS_BACKEND_SETTINGS=$LIBGUESTFS_BACKEND_SETTINGS"

# ---- case 1: N small Windows images ----------------------------------
if [ "$small" -eq 1 ]; then
mkdir -p "$work/in"
for i in $(seq -w 1 "$n"); do
  cp --sparse=always "$top_builddir/tests/fixtures/win.vhd" "$work/in/win-$i.vhd"
done

# Baseline: the usual per-image script.  Copy the image, open it in its
# own guestfish appliance, edit the SOFTWARE hive on the host with
# hivexregedit, delete the KB Q257808 files, checksum input and output.
cat > "$work/delete.reg" <<'REG'
Windows Registry Editor Version 5.00

[HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\SMS\Client\Configuration\Client Properties]
"SMS Unique Identifier"=-

[-HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\NAL\Client\AbExprtDB]
REG
baseline_one () {
  local in=$1 out=$2 tmp=$3
  sha256sum "$in" > /dev/null
  qemu-img convert -q -f vpc -O vpc -o subformat=dynamic "$in" "$out"
  guestfish --format=vpc -a "$out" -i <<FISH
download /Windows/System32/config/SOFTWARE $tmp/SOFTWARE
! hivexregedit --merge --prefix 'HKEY_LOCAL_MACHINE\SOFTWARE' $tmp/SOFTWARE $work/delete.reg
upload $tmp/SOFTWARE /Windows/System32/config/SOFTWARE
-rm /Windows/Smscfg.ini
-rm /Windows/Smsuid.dat
-rm /Windows/System32/SMSUID.DAT
-rm /Windows/Sms1x.ini
FISH
  sha256sum "$out" > /dev/null
}
mkdir -p "$work/base-out" "$work/tmp"
t0=$(now)
for f in "$work"/in/*.vhd; do
  baseline_one "$f" "$work/base-out/$(basename "$f")" "$work/tmp"
done
t1=$(now)
baseline=$(elapsed "$t0" "$t1")

t0=$(now)
"$imgscrub" -q scrub $jobs -p sms2-clone-prep -o "$work/out" "$work/in" > /dev/null
t1=$(now)
ours=$(elapsed "$t0" "$t1")

# Marginal cost per extra image: the same run on half the folder.
mkdir -p "$work/half"
ls "$work"/in/*.vhd | head -n $((n / 2)) | xargs -I{} ln -s {} "$work/half/"
t0=$(now)
"$imgscrub" -q scrub $jobs -p sms2-clone-prep -o "$work/out-half" "$work"/half/*.vhd > /dev/null
t1=$(now)
half=$(elapsed "$t0" "$t1")
marginal=$(echo "scale=2; ($ours - $half) / ($n - $n / 2)" | bc)

printf '\ncase 1: %d small Windows images (VHD)\n' "$n"
printf '  baseline (guestfish per image)  %8.1f s\n' "$baseline"
printf '  imgscrub scrub on the folder    %8.1f s\n' "$ours"
printf '  speed-up                        %8.2fx   (target >= 8x)\n' "$(ratio "$baseline" "$ours")"
printf '  imgscrub on %d images            %8.1f s\n' "$((n / 2))" "$half"
printf '  marginal cost per extra image   %8.2f s   (target <= 1.5 s)\n' "$marginal"
fi

[ "$large" -eq 1 ] || exit 0

# ---- case 2: one 4 GiB image with 1 GiB of data ----------------------
big="$work/big.raw"
head -c 1G /dev/urandom > "$work/data.bin"
guestfish -N "$big"=fs:ext4:4G <<FISH
mount /dev/sda1 /
mkdir /etc
write /etc/machine-id "$LINUX_MACHINE_ID\n"
write /etc/os-release "ID=debian\nVERSION_ID=12\nNAME=\"Debian GNU/Linux\"\n"
write /etc/hostname "big\n"
mkdir-p /usr/bin
mkdir /bin
upload $work/data.bin /data.bin
FISH
rm -f "$work/data.bin"
sync

t0=$(now)
"$imgscrub" -q scrub -p linux-machine-id -o "$work/big-out" "$big" > "$work/big.out" ||
  { cat "$work/big.out" >&2; echo "imgscrub failed on the large image" >&2; exit 1; }
t1=$(now)
ours=$(elapsed "$t0" "$t1")

t0=$(now)
openssl dgst -sha256 "$big" > /dev/null
qemu-img convert -q -t writeback -f raw -O raw "$big" "$work/floor.raw"
sync "$work/floor.raw"
openssl dgst -sha256 "$work/floor.raw" > /dev/null
guestfish -a /dev/null run
t1=$(now)
floor=$(elapsed "$t0" "$t1")

printf '\ncase 2: one 4 GiB raw image holding 1 GiB of data\n'
printf '  floor (openssl sha256 in, convert, sha256 out, launch) %8.1f s\n' "$floor"
printf '  imgscrub scrub                                      %8.1f s\n' "$ours"
printf '  ratio                                               %8.2fx   (target <= 1.3x)\n' "$(ratio "$ours" "$floor")"
