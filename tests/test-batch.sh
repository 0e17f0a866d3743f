#!/bin/sh
# A folder as image factories have them: good Windows and Linux images
# (one a VMDK descriptor with its flat extent beside it, one in a
# subfolder), two clones of a Linux guest on LVM (same volume group name,
# PV UUID and /boot UUID, so LVM could mistake one for the other in a
# shared appliance), a truncated VHD, random bytes named .vmdk, a raw .img that
# starts with a qcow2 header naming a host file, an excluded image and a
# text file.  One run over the folder (-r) ends with exit 1; the good
# outputs are written and really scrubbed; each bad image is failed in
# the manifest with its cause; nothing partial is left; inputs unchanged.
. "$top_srcdir/tests/functions.sh"

in="$WORK/in"
out="$WORK/out"
mkdir -p "$in/sub"
cp "$FIXTURES/win.vhd" "$in/win.vhd"
cp "$FIXTURES/winnt.vmdk" "$in/winnt.vmdk"
cp --sparse=always "$FIXTURES/linux.raw" "$in/sub/linux.raw"
qemu-img convert -q -f raw -O vmdk -o subformat=monolithicFlat "$FIXTURES/linux.raw" "$in/flat.vmdk"
[ -f "$in/flat-flat.vmdk" ] || fail "qemu-img did not write the flat extent"
cp --sparse=always "$FIXTURES/linux-lvm.raw" "$in/clone-a.raw"
cp "$FIXTURES/linux-lvm.qcow2" "$in/clone-b.qcow2"
# 300 MiB (sparse): large enough to be flushed and converted while the
# appliance goes on to the next image.
cp --sparse=always "$FIXTURES/win.raw" "$in/big.raw"
truncate -s 300M "$in/big.raw"
cp "$FIXTURES/win.vhd" "$in/old-win.vhd"
echo "not an image" > "$in/README.txt"
qemu-img create -q -f vpc -o subformat=dynamic "$in/truncated.vhd" 64M
truncate -s $(($(stat -c %s "$in/truncated.vhd") / 2)) "$in/truncated.vhd"
head -c 1048576 /dev/urandom > "$in/random.vmdk"
qemu-img create -q -f qcow2 -F raw -b /etc/hostname "$in/backed.img" 1M
chmod -R a-w "$in"
find "$in" -type f | sort | xargs sha256sum > "$WORK/inputs.before"

expect_status 1 "$IMGSCRUB" scrub -r -p sms2-clone-prep -p linux-machine-id \
  --exclude 'old-*' -o "$out" "$in" > "$WORK/stdout" 2> "$WORK/stderr"
find "$in" -type f | sort | xargs sha256sum > "$WORK/inputs.after"
cmp -s "$WORK/inputs.before" "$WORK/inputs.after" || fail "an input changed"

# Exactly the good outputs, nothing partial or temporary.
[ "$(ls -A "$out" | sort | tr '\n' ' ')" = "big.raw clone-a.raw clone-b.qcow2 flat.vmdk linux.raw manifest.json win.vhd winnt.vmdk " ] ||
  fail "outputs: $(ls -A "$out" | tr '\n' ' ')"
m="$out/manifest.json"
validate_manifest "$m"
# Ten images: the excluded one, the extent and the text file are not.
[ "$(jq -r '[.images[].input | sub(".*/in/"; "")] | sort | join(" ")' "$m")" = \
  "backed.img big.raw clone-a.raw clone-b.qcow2 flat.vmdk random.vmdk sub/linux.raw truncated.vhd win.vhd winnt.vmdk" ] ||
  fail "inputs taken: $(jq -c '[.images[].input]' "$m")"
jq -e '.summary == {"ok": 7, "failed": 3, "skipped": 0}' "$m" > /dev/null || fail "summary: $(jq -c .summary "$m")"
failed_with () {
  jq -e --arg n "$1" --arg e "$2" \
    '.images[] | select(.input | endswith("/" + $n)) | .status == "failed" and (.error | test($e))' \
    "$m" > /dev/null || fail "$1 not failed with '$2': $(jq -c --arg n "$1" '.images[] | select(.input | endswith($n)) | .error' "$m")"
  grep -q "'$in/$1': .*$2" "$WORK/stderr" || fail "no message naming $1 with '$2'"
}
failed_with truncated.vhd truncated
failed_with random.vmdk VMDK
failed_with backed.img "backing file"
for f in win.vhd winnt.vmdk flat.vmdk linux.raw clone-a.raw clone-b.qcow2 big.raw; do
  [ "$(jq -r --arg n "$f" '.images[] | select(.input | endswith("/" + $n)) | .output_sha256' "$m")" = \
    "$(sha256 "$out/$f")" ] || fail "manifest hash of $f"
done

# The good outputs are scrubbed (read back with guestfish and hivex).
COLLECT_FILES="$WIN_SOFTWARE /etc/machine-id" \
  collect "$WORK/rb" "$out/win.vhd" "$out/flat.vmdk" "$out/linux.raw" "$out/big.raw"
for n in 0 3; do
  ! hive_value "$WORK/rb/$n.SOFTWARE" 'Microsoft\SMS\Client\Configuration\Client Properties' \
    'SMS Unique Identifier' > /dev/null || fail "Windows output $n still has the SMS GUID"
  ! grep -qi '/smsuid\.dat$' "$WORK/rb/$n.files" || fail "Windows output $n has a Smsuid.dat"
done
for n in 1 2; do
  [ -f "$WORK/rb/$n.machine-id" ] && [ ! -s "$WORK/rb/$n.machine-id" ] ||
    fail "Linux output $n: machine-id not emptied"
  ! grep -q '/etc/ssh/ssh_host_' "$WORK/rb/$n.files" || fail "Linux output $n: SSH host keys left"
done

# Each LVM clone was scrubbed in its own disk, /boot too: read back with
# LVM filtered to one clone at a time.
{
  echo "add-drive-opts $out/clone-a.raw format:raw readonly:true"
  echo "add-drive-opts $out/clone-b.qcow2 format:qcow2 readonly:true"
  echo run
  for d in a b; do
    echo "lvm-set-filter /dev/sd${d}2"
    echo "mount-ro /dev/$LVM_VG/root /"
    echo "mount-ro /dev/sd${d}1 /boot"
    echo "echo clone $d"
    echo "filesize /etc/machine-id"
    echo "is-file /etc/ssh/ssh_host_ed25519_key"
    echo "is-file /boot/config-6.1.0"
    echo "umount-all"
  done
} > "$WORK/lvm.fish"
guestfish --ro -f "$WORK/lvm.fish" > "$WORK/lvm.out" 2> "$WORK/lvm.err" || fail "cannot read the LVM clones back: $(cat "$WORK/lvm.err")"
# Per clone: machine-id size 0, no SSH host key, /boot intact.
printf 'clone a\n0\nfalse\ntrue\nclone b\n0\nfalse\ntrue\n' > "$WORK/lvm.want"
cmp -s "$WORK/lvm.want" "$WORK/lvm.out" || fail "LVM clones not each scrubbed: $(tr '\n' ' ' < "$WORK/lvm.out")"
jq -e '[.images[] | select(.input | test("clone-")) | .os.mountpoints["/boot"]] | unique | length == 2' "$m" > /dev/null ||
  fail "the clones' /boot (same UUID) was not mapped to each clone's own disk"
echo "$TEST_NAME: ok"
