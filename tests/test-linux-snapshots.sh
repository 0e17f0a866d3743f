#!/bin/bash
# linux-clone-prep on an openSUSE-style btrfs guest with two snapper
# snapshots (/.snapshots/N/snapshot, the second read-only as snapper
# makes them), each with its own machine-id and SSH host keys.  What a
# user checks afterwards: by default every snapshot is scrubbed like the
# root (machine-id empty, host keys gone) and the read-only one is
# read-only again; with --snapshots remove the snapshots and snapper's
# info.xml are gone; a subvolume that holds no root (/home) and decoys
# are untouched; a symlink in a snapshot that points out of it (at
# /srv/keep from the top level) is never followed; the manifest lists
# each snapshot; a dry run changes nothing; the input never changes.
#
# Appliance launches: one guestfish building the guest, three imgscrub
# runs (scrub, remove, dry run), one guestfish reading everything back.
. "$top_srcdir/tests/functions.sh"

command -v jq > /dev/null || { echo "$TEST_NAME: skipped: no jq"; exit 77; }
command -v guestfish > /dev/null ||
  { echo "$TEST_NAME: skipped: no guestfish"; exit 77; }
guestfish -a /dev/null run : available btrfs > /dev/null 2>&1 ||
  { echo "$TEST_NAME: skipped: the libguestfs appliance has no btrfs"; exit 77; }

IMG="$WORK/suse.raw"
MID_ROOT=11111111111111111111111111111111
MID_S1=22222222222222222222222222222222
MID_S2=33333333333333333333333333333333

# ---- the guest: one guestfish session --------------------------------------
tree () {             # PREFIX MACHINE-ID: a root tree under PREFIX
  cat <<FISH
mkdir-p $1/etc/ssh
mkdir-p $1/var/lib/dbus
write $1/etc/os-release "NAME=\"openSUSE Leap\"\nVERSION=\"15.5\"\nID=\"opensuse-leap\"\nID_LIKE=\"suse opensuse\"\nVERSION_ID=\"15.5\"\n"
write $1/etc/machine-id "$2\n"
write $1/var/lib/dbus/machine-id "$2\n"
write $1/etc/ssh/ssh_host_ed25519_key "private key $2\n"
write $1/etc/ssh/ssh_host_ed25519_key.pub "ssh-ed25519 AAAA $2\n"
write $1/etc/decoy.conf "keep me $2\n"
FISH
}
{
  echo "disk-create $IMG raw 400M"
  echo "add-drive $IMG format:raw"
  echo run
  echo "part-disk /dev/sda mbr"
  echo "mkfs btrfs /dev/sda1"
  echo "mount /dev/sda1 /"
  tree "" $MID_ROOT
  echo "mkdir-p /srv/keep"
  echo "write /srv/keep/ssh_host_rsa_key \"not this guest's key\n\""
  echo "btrfs-subvolume-create /home"
  echo "mkdir-p /home/etc"
  echo "write /home/etc/machine-id \"$MID_ROOT\n\""
  echo "btrfs-subvolume-create /.snapshots"
  echo "mkdir /.snapshots/1"
  echo "write /.snapshots/1/info.xml \"<snapshot><num>1</num></snapshot>\n\""
  echo "btrfs-subvolume-create /.snapshots/1/snapshot"
  tree /.snapshots/1/snapshot $MID_S1
  # From the top level this link leads to /srv/keep; inside the
  # snapshot it leads nowhere.
  echo "mkdir-p /.snapshots/1/snapshot/var/lib/keys"
  echo "ln-s ../../../../../../srv/keep /.snapshots/1/snapshot/var/lib/keys/out"
  echo "mkdir /.snapshots/2"
  echo "write /.snapshots/2/info.xml \"<snapshot><num>2</num></snapshot>\n\""
  echo "btrfs-subvolume-create /src"
  tree /src $MID_S2
  echo "btrfs-subvolume-snapshot /src /.snapshots/2/snapshot ro:true"
  echo "btrfs-subvolume-delete /src"
  echo "umount-all"
} > "$WORK/build.fish"
guestfish -f "$WORK/build.fish" > "$WORK/build.log" 2>&1 ||
  fail "building the guest: $(tail -n 5 "$WORK/build.log")"
sha_before=$(sha256 "$IMG")

# A rule that would follow var/lib/keys/out out of snapshot 1.
cat > "$WORK/out-link.conf" <<'CONF'
name = "out-link"
description = "test: a rule whose path goes through a link out of a snapshot"
reference = "tests/test-linux-snapshots.sh"
os = "linux"
delete-files "keys" {
  name = { "ssh_host_*_key" }
  under = "/var/lib/keys/out"
}
CONF

# ---- imgscrub: scrub (default), remove, dry run ------------------------------
"$IMGSCRUB" scrub -p linux-clone-prep -p "$WORK/out-link.conf" -o "$WORK/scrub" \
  "$IMG" 2> "$WORK/err" || fail "scrub failed: $(cat "$WORK/err")"
"$IMGSCRUB" scrub -p linux-clone-prep --snapshots remove -o "$WORK/remove" \
  "$IMG" 2> "$WORK/err" || fail "scrub --snapshots remove failed: $(cat "$WORK/err")"
"$IMGSCRUB" scrub -p linux-clone-prep --dry-run --manifest "$WORK/dry.json" \
  "$IMG" 2> "$WORK/err" || fail "dry run failed: $(cat "$WORK/err")"
expect_status 2 "$IMGSCRUB" scrub -p linux-clone-prep --snapshots maybe \
  --dry-run "$IMG" 2> "$WORK/err"
grep -q "not scrub, remove or keep" "$WORK/err" ||
  fail "--snapshots maybe: $(cat "$WORK/err")"
[ "$(sha256 "$IMG")" = "$sha_before" ] || fail "the input changed"

M1="$WORK/scrub/manifest.json" M2="$WORK/remove/manifest.json"
validate_manifest "$M1" "$M2" "$WORK/dry.json"
snaps () {            # manifest: "path mode result readonly" per snapshot
  jq -r '.images[0].snapshots[] | "\(.path) \(.mode) \(.result) \(.readonly)"' "$1" |
    tr '\n' ';'
}
[ "$(snaps "$M1")" = "/.snapshots/1/snapshot scrub changed false;/.snapshots/2/snapshot scrub changed true;" ] ||
  fail "scrub: snapshots in the manifest: $(snaps "$M1")"
[ "$(snaps "$M2")" = "/.snapshots/1/snapshot remove deleted false;/.snapshots/2/snapshot remove deleted true;" ] ||
  fail "remove: snapshots in the manifest: $(snaps "$M2")"
[ "$(snaps "$WORK/dry.json")" = "/.snapshots/1/snapshot scrub would-change false;/.snapshots/2/snapshot scrub would-change true;" ] ||
  fail "dry run: snapshots in the manifest: $(snaps "$WORK/dry.json")"
in_snap () {          # manifest snapshot title: results of that rule there
  jq -r --arg s "$2" --arg t "$3" '[.images[0].actions[] |
    select(.snapshot == $s and .title == $t) | .result] | unique | join(",")' "$1"
}
for s in 1 2; do
  [ "$(in_snap "$M1" "/.snapshots/$s/snapshot" machine-id)" = changed ] ||
    fail "scrub: machine-id in snapshot $s: $(in_snap "$M1" "/.snapshots/$s/snapshot" machine-id)"
  [ "$(in_snap "$WORK/dry.json" "/.snapshots/$s/snapshot" ssh-hostkeys)" = would-delete ] ||
    fail "dry run: host keys in snapshot $s: $(in_snap "$WORK/dry.json" "/.snapshots/$s/snapshot" ssh-hostkeys)"
done
[ "$(jq '[.images[0].actions[] | select(.snapshot != null and .profile != "out-link")] | length' "$M2")" = 0 ] ||
  fail "remove: actions ran inside removed snapshots"
[ "$(jq '[.images[0].actions[] | select(.snapshot == "/home")] | length' "$M1")" = 0 ] ||
  fail "/home, which holds no root, was scrubbed"

# ---- read the outputs back, top level mounted ------------------------------
start_guestfish
gf add-drive-opts "$WORK/scrub/suse.raw" format:raw readonly:true
gf add-drive-opts "$WORK/remove/suse.raw" format:raw readonly:true
gf run
gf mount-options ro,subvolid=5 /dev/sda1 /
for t in "" /.snapshots/1/snapshot /.snapshots/2/snapshot; do
  [ "$(gf filesize "$t/etc/machine-id")" = 0 ] ||
    fail "scrub: ${t:-/}: machine-id not emptied: $(gf cat "$t/etc/machine-id")"
  [ "$(gf exists "$t/etc/ssh/ssh_host_ed25519_key")" = false ] ||
    fail "scrub: ${t:-/}: host key left"
  [ "$(gf filesize "$t/var/lib/dbus/machine-id")" = 0 ] ||
    fail "scrub: ${t:-/}: D-Bus machine-id left"
  gf cat "$t/etc/decoy.conf" | grep -q "^keep me" ||
    fail "scrub: ${t:-/}: the decoy changed"
done
[ "$(gf cat /home/etc/machine-id)" = "$MID_ROOT" ] ||
  fail "scrub: /home (no root tree) was touched"
[ "$(gf exists /srv/keep/ssh_host_rsa_key)" = true ] ||
  fail "scrub: a rule followed a link out of snapshot 1"
gf btrfs-subvolume-show /.snapshots/2/snapshot | grep -q "Flags:.*readonly" ||
  fail "scrub: snapshot 2 is no longer read-only"
gf btrfs-subvolume-show /.snapshots/1/snapshot | grep -q "Flags:.*readonly" &&
  fail "scrub: snapshot 1 became read-only"
gf umount-all
gf mount-options ro,subvolid=5 /dev/sdb1 /
for s in 1 2; do
  [ "$(gf exists /.snapshots/$s)" = false ] ||
    fail "remove: /.snapshots/$s is still there: $(gf ls /.snapshots/$s | tr '\n' ' ')"
done
gf btrfs-subvolume-list / | grep -q "btrfssubvolume_path: home$" ||
  fail "remove: /home went too: $(gf btrfs-subvolume-list /)"
[ "$(gf filesize /etc/machine-id)" = 0 ] || fail "remove: the root was not scrubbed"
gf cat /etc/decoy.conf | grep -q "^keep me" || fail "remove: the decoy changed"
gf umount-all
exit 0
