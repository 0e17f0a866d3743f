#!/bin/sh
# Hostile inputs (issue 14): symlinks that lead qemu to host files, an
# input swapped after its check, a refused VMDK descriptor hiding other
# images, and guest-controlled bytes reaching the terminal.
. "$top_srcdir/tests/functions.sh"

# no_control FILE WHAT: FILE holds no byte below 0x20 but newlines.
no_control () {
  n=$(LC_ALL=C tr -d '\n\040-\377' < "$1" | wc -c)
  [ "$n" -eq 0 ] || { od -c "$1" | head -40; fail "$2: $n control bytes reached it"; }
}

# ---- hole 1: a symlinked VMDK descriptor -------------------------------
# The descriptor's extent is checked beside the file the link leads to,
# where qemu looks for it: there it is a symlink to a host file (or a
# FIFO), refused before any appliance or qemu-img runs.
h1="$WORK/h1"
mkdir -p "$h1/in" "$h1/real"
truncate -s 1M "$h1/in/ext.img"
printf '# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType="monolithicFlat"\nRW 2048 FLAT "ext.img" 0\n' \
  > "$h1/real/desc.vmdk"
ln -s /etc/hostname "$h1/real/ext.img"
ln -s ../real/desc.vmdk "$h1/in/disk.vmdk"
cp "$h1/real/desc.vmdk" "$h1/real/fdesc.vmdk"
sed -i 's/"ext.img"/"fifo.img"/' "$h1/real/fdesc.vmdk"
mkfifo "$h1/real/fifo.img"
truncate -s 1M "$h1/in/fifo.img"
ln -s ../real/fdesc.vmdk "$h1/in/fifo.vmdk"
set +e
timeout 120 "$IMGSCRUB" -v inspect "$h1/in/disk.vmdk" "$h1/in/fifo.vmdk" \
  > "$WORK/h1.out" 2> "$WORK/h1.err"
status=$?
set -e
[ "$status" -eq 1 ] || { cat "$WORK/h1.err"; fail "symlinked descriptors: exit $status, want 1"; }
! grep -q "Launching" "$WORK/h1.err" || fail "an appliance opened a symlinked descriptor"
grep "'$h1/in/disk.vmdk'" "$WORK/h1.err" | grep -q "refusing VMDK extent ('ext.img'): not a regular file" ||
  { cat "$WORK/h1.err"; fail "the extent beside the link's target was not checked"; }
grep "'$h1/in/fifo.vmdk'" "$WORK/h1.err" | grep -q "refusing VMDK extent ('fifo.img')" ||
  { cat "$WORK/h1.err"; fail "the FIFO extent beside the link's target was not refused"; }

# ---- hole 3: symlinks named on the command line ------------------------
# Followed only to a regular file: a link to a FIFO is refused.  (Folder
# scans are below, with the scrub.)
ln -s "$h1/real/fifo.img" "$WORK/pipe-link.img"
set +e
timeout 60 "$IMGSCRUB" -v inspect "$WORK/pipe-link.img" \
  > "$WORK/h3.out" 2> "$WORK/h3.err"
status=$?
set -e
[ "$status" -eq 1 ] || fail "a link to a FIFO: exit $status, want 1"
! grep -q "Launching" "$WORK/h3.err" || fail "an appliance opened a link to a FIFO"
grep "pipe-link.img'" "$WORK/h3.err" | grep -q "not a regular file" ||
  { cat "$WORK/h3.err"; fail "the link to a FIFO was not refused"; }

# ---- minor (7): no qemu-img without a time limit ------------------------
# libguestfs runs its own qemu-img create, unbounded, for a read-only
# drive: inspect hands it only overlays made by imgscrub's bounded
# qemu-img, in a scratch folder removed afterwards.  (The launch is cut
# short: only the drives it was given matter.)
mkdir -p "$WORK/tmp"
set +e
# (libguestfs's own folders stay where they were.)
LIBGUESTFS_CACHEDIR=${LIBGUESTFS_CACHEDIR:-${TMPDIR:-/var/tmp}} \
LIBGUESTFS_TMPDIR=${LIBGUESTFS_TMPDIR:-${TMPDIR:-/tmp}} \
TMPDIR="$WORK/tmp" timeout 120 "$IMGSCRUB" -x inspect --launch-timeout 1 \
  "$FIXTURES/linux.raw" > "$WORK/x.out" 2> "$WORK/x.err"
set -e
grep -a 'trace: add_drive ' "$WORK/x.err" > "$WORK/x.drives" ||
  { cat "$WORK/x.err"; fail "no drive was added"; }
! grep -q '"readonly:true"' "$WORK/x.drives" ||
  fail "libguestfs got a read-only drive (and would run its own qemu-img)"
grep -q "\"$WORK/tmp/[^\"]*/overlay-0.qcow2\" \"readonly:false\"" "$WORK/x.drives" ||
  { cat "$WORK/x.drives"; fail "the drive is not imgscrub's own overlay"; }
[ -z "$(ls -d "$WORK/tmp"/.imgscrub-* 2>/dev/null)" ] ||
  fail "inspect left its scratch folder behind"

# ---- holes 3, 4, 5: one scrub over a hostile folder --------------------
in="$WORK/in"
mkdir -p "$in"
esc=$(printf '\033]0;pwned\007\033[31m')
# A guest image whose name holds terminal escapes: its output path and
# -v steps show the name, escaped.
cp --sparse=always "$FIXTURES/linux.raw" "$in/lin${esc}ux.raw"
# A guest whose fstab names a mountpoint made of terminal escapes: the
# libguestfs mount error quotes it.
cp --sparse=always "$FIXTURES/linux.raw" "$in/fstab.raw"
printf 'UUID=0c1e5b7a-3f2d-4e6b-9a8c-7d6e5f4a3b2c / ext4 errors=remount-ro 0 1\n/dev/sda1 /mnt%sx ext4 defaults 0 2\n' \
  "$esc" > "$WORK/fstab"
# And, outside the folder, a guest whose machine-id is a symlink, which
# audit must report, not pass over.
cp --sparse=always "$FIXTURES/linux.raw" "$WORK/mid.raw"
guestfish -a "$in/fstab.raw" -a "$WORK/mid.raw" run : \
  mount /dev/sda1 / : upload "$WORK/fstab" /etc/fstab : umount-all : \
  mount /dev/sdb1 / : rm /etc/machine-id : ln-s /run/machine-id /etc/machine-id
# A symlink to a host file: never followed by a folder scan.
ln -s /etc/shadow "$in/zz-shadow.img"
# A refused descriptor claiming another image as its extent: it hides
# nothing.  A valid one's extent is left out, and said so.
printf '# Disk DescriptorFile\nversion=1\ncreateType="bogus"\nRW 1 SPARSE "important-clone.img"\n' \
  > "$in/aaa.vmdk"
truncate -s 1M "$in/important-clone.img"
qemu-img create -q -f vmdk -o subformat=monolithicFlat "$in/flat.vmdk" 1M
[ -f "$in/flat-flat.vmdk" ] || fail "qemu-img did not write the flat extent"

set +e
timeout 900 "$IMGSCRUB" -v scrub -r -p linux-machine-id -o "$WORK/out" "$in" \
  > "$WORK/scrub.out" 2> "$WORK/scrub.err"
status=$?
set -e
[ "$status" -eq 1 ] || { cat "$WORK/scrub.err"; fail "hostile folder: exit $status, want 1"; }
m="$WORK/out/manifest.json"
[ -f "$m" ] || fail "no manifest"
validate_manifest "$m"

# Hole 3: the symlink is named, never opened.
grep "zz-shadow.img'" "$WORK/scrub.err" | grep -q "symlink" ||
  { cat "$WORK/scrub.err"; fail "the skipped symlink is not named on stderr"; }
[ "$(jq -r '.symlinks_skipped[].path' "$m")" = "$in/zz-shadow.img" ] ||
  fail "the manifest does not list the skipped symlink"
! jq -r '.images[].input' "$m" | grep -q zz-shadow ||
  fail "the symlink to a host file was taken as an image"

# Hole 4: the refused descriptor hides nothing; the valid one's extent is
# named where it was left out.
jq -e --arg p "$in/important-clone.img" '.images[] | select(.input == $p)' "$m" > /dev/null ||
  fail "a refused descriptor hid important-clone.img"
jq -e --arg p "$in/flat-flat.vmdk" --arg d "$in/flat.vmdk" \
  '.extents_excluded[] | select(.path == $p and .descriptor == $d)' "$m" > /dev/null ||
  fail "the manifest does not list the extent left out"
grep "flat-flat.vmdk'" "$WORK/scrub.err" | grep -q "extent of VMDK" ||
  { cat "$WORK/scrub.err"; fail "the extent left out is not named on stderr"; }

# Hole 5: the hostile-named guest was scrubbed and its output written
# (so its name went through the summary and the "Writing" step), the
# fstab one produced its mount error, and no control byte got through.
jq -e '.images[] | select(.input | endswith("ux.raw")) | select(.status == "ok")' "$m" > /dev/null ||
  { cat "$WORK/scrub.err"; fail "the guest with a hostile name was not scrubbed"; }
grep -q 'Writing .*lin\\x1b' "$WORK/scrub.err" || fail "no escaped Writing step"
grep -q 'mnt\\x1b' "$WORK/scrub.err" "$WORK/scrub.out" ||
  { cat "$WORK/scrub.err"; fail "the hostile mountpoint was never reported"; }
no_control "$WORK/scrub.out" "scrub's stdout"
no_control "$WORK/scrub.err" "scrub's stderr"

# ---- minor (7): audit reports a machine-id that is a symlink -----------
# (with the hostile fstab guest: its error goes through report_errors)
set +e
timeout 900 "$IMGSCRUB" audit "$WORK/mid.raw" "$in/fstab.raw" > "$WORK/audit.out" 2> "$WORK/audit.err"
status=$?
set -e
grep "mid.raw'" "$WORK/audit.err" | grep -q "machine-id.*symbolic link" ||
  { cat "$WORK/audit.err"; fail "audit is silent about a symlinked machine-id"; }
[ "$status" -eq 1 ] || fail "audit with an unreadable identity: exit $status, want 1"
no_control "$WORK/audit.out" "audit's stdout"
no_control "$WORK/audit.err" "audit's stderr"

# ---- hole 2: an input swapped after its check --------------------------
# The victim is checked with the whole batch, then waits for the first
# image's appliance; renamed over meanwhile by a qcow2 whose backing file
# is a host file, it must fail, not reach qemu, and leave no output.
r="$WORK/race"
mkdir -p "$r"
cp --sparse=always "$FIXTURES/linux.raw" "$r/first.raw"
cp "$FIXTURES/linux.qcow2" "$r/victim.qcow2"
qemu-img create -q -f qcow2 -F raw -b /etc/hostname "$r/evil.qcow2" 1M
"$IMGSCRUB" -v scrub -j 1 --drives-per-appliance 1 -p linux-machine-id \
  -o "$WORK/race-out" "$r/first.raw" "$r/victim.qcow2" \
  > "$WORK/race.out" 2> "$WORK/race.err" &
pid=$!
wait_for_line "$WORK/race.err" "Checked .*victim.qcow2" 120 "the victim was never checked"
mv "$r/evil.qcow2" "$r/victim.qcow2"
set +e
wait $pid
status=$?
set -e
[ "$status" -eq 1 ] || { cat "$WORK/race.err"; fail "swapped input: exit $status, want 1"; }
grep "victim.qcow2'" "$WORK/race.err" | grep -q "replaced after it was checked" ||
  { cat "$WORK/race.err"; fail "the swapped input was not caught"; }
[ ! -e "$WORK/race-out/victim.qcow2" ] || fail "an output was written for the swapped input"
[ -f "$WORK/race-out/first.raw" ] || fail "the first image was not scrubbed"
