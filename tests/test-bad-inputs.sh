#!/bin/sh
# Images that must be refused before any qemu process or appliance sees
# them: each is reported with its name and the cause, the exit status is
# 1, nothing hangs, no host file is exposed and nothing partial is left.
# Launches no appliance: runs in make distcheck too.
ISC_NO_APPLIANCE=1
. "$top_srcdir/tests/functions.sh"

bad="$WORK/bad"
mkdir -p "$bad"
: > "$bad/empty.img"
qemu-img create -q -f vpc -o subformat=dynamic "$bad/truncated.vhd" 64M
size=$(stat -c %s "$bad/truncated.vhd")
truncate -s $((size / 2)) "$bad/truncated.vhd"
head -c 1048576 /dev/urandom > "$bad/random.vmdk"
# A file named .img that is really a qcow2 whose backing file is a host file.
qemu-img create -q -f qcow2 -F raw -b /etc/hostname "$bad/backed.img" 1M
# A VMDK descriptor whose extent is a host file, and one whose extent is a FIFO.
cat > "$bad/hostfile.vmdk" <<'DESC'
# Disk DescriptorFile
version=1
CID=fffffffe
parentCID=ffffffff
createType="monolithicFlat"
RW 2048 FLAT "/etc/hostname" 0
DESC
mkfifo "$bad/fifo-flat.vmdk"
sed 's|"/etc/hostname"|"fifo-flat.vmdk"|' "$bad/hostfile.vmdk" > "$bad/fifo.vmdk"
# The image itself a FIFO.
mkfifo "$bad/pipe.img"

images="empty.img truncated.vhd random.vmdk backed.img hostfile.vmdk fifo.vmdk pipe.img"
set --
for i in $images; do set -- "$@" "$bad/$i"; done

set +e
timeout 120 "$IMGSCRUB" -v inspect "$@" > "$WORK/out" 2> "$WORK/err"
status=$?
set -e
[ "$status" -eq 1 ] || { cat "$WORK/err"; fail "inspect of bad images: exit $status, want 1"; }
# None of them reached an appliance.
! grep -q "Launching" "$WORK/err" || fail "an appliance was launched for refused images"
check_msg () {
  grep "'$bad/$1'" "$WORK/err" | grep -q "$2" ||
    { cat "$WORK/err"; fail "no message naming $1 with '$2'"; }
}
check_msg empty.img "empty"
check_msg truncated.vhd "truncated"
check_msg random.vmdk "VMDK"
check_msg backed.img "backing file"
check_msg hostfile.vmdk "extent"
check_msg fifo.vmdk "extent"
check_msg pipe.img "not a regular file"

# scrub: the same refusals, a manifest that records each, no output image.
set +e
timeout 120 "$IMGSCRUB" scrub -p sms2-clone-prep -o "$WORK/scrubbed" "$@" \
  > "$WORK/out" 2> "$WORK/err"
status=$?
set -e
[ "$status" -eq 1 ] || { cat "$WORK/err"; fail "scrub of bad images: exit $status, want 1"; }
[ "$(ls -A "$WORK/scrubbed")" = "manifest.json" ] ||
  fail "scrub left more than the manifest: $(ls -A "$WORK/scrubbed")"
[ "$(jq '[.images[] | select(.status == "failed" and (.error | length) > 0)] | length' \
    "$WORK/scrubbed/manifest.json")" -eq 7 ] || fail "manifest does not record 7 failures"
[ "$(jq -r '.summary.failed' "$WORK/scrubbed/manifest.json")" -eq 7 ] || fail "summary"
validate_manifest "$WORK/scrubbed/manifest.json"
echo "$TEST_NAME: ok"
