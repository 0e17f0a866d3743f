#!/bin/sh
# --export-tree of a guest with a hard link, a socket, a symlink to /etc
# and a directory symlink: the hard link stored as a hard link in a tar
# (one inode when extracted) and as a full copy in a zip, the socket
# reported as not stored, the symlinks stored as symlinks and never
# followed.  The guest is made without an appliance (mkfs.ext4 -d).
. "$top_srcdir/tests/functions.sh"

for t in python3 mkfs.ext4 sfdisk; do
  command -v "$t" > /dev/null || { echo "$TEST_NAME: skipped: no $t to make the guest"; exit 77; }
done
r="$WORK/root"
mkdir -p "$r/etc" "$r/bin" "$r/sbin" "$r/root" "$r/data/sub" "$r/run"
printf 'NAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n' > "$r/etc/os-release"
echo 12.8 > "$r/etc/debian_version"
echo linkhost > "$r/etc/hostname"
echo 0123456789abcdef0123456789abcdef > "$r/etc/machine-id"
echo '/dev/sda1 / ext4 defaults 0 1' > "$r/etc/fstab"
echo 'one content, two names' > "$r/data/a"
ln "$r/data/a" "$r/data/sub/b"
ln -s /etc "$r/link"
ln -s ../etc "$r/data/dirlink"
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$r/run/sock"
[ -S "$r/run/sock" ] || fail "could not make the socket"
img="$WORK/links.raw"
truncate -s 33M "$img"
echo 'start=2048, type=83' | sfdisk -q "$img"
mkfs.ext4 -q -F -E offset=1048576 -d "$r" "$img" 32M
before=$(sha256 "$img")

expect_status 0 "$IMGSCRUB" scrub -p linux-machine-id --export-tree "$WORK/t.tar" "$img" > /dev/null
bsdtar -tvf "$WORK/t.tar" > "$WORK/t.list"
grep -q ' links/data/sub/b link to links/data/a$\| links/data/a link to links/data/sub/b$' "$WORK/t.list" ||
  fail "the hard link is not a hard link: $(grep 'data/' "$WORK/t.list")"
grep -q '^l.* links/link -> /etc$' "$WORK/t.list" || fail "links/link is not a symlink to /etc"
grep -q '^l.* links/data/dirlink -> \.\./etc$' "$WORK/t.list" || fail "dirlink is not a symlink"
! grep -q 'links/link/\|links/data/dirlink/' "$WORK/t.list" || fail "a symlink was followed"
! grep -q 'run/sock' "$WORK/t.list" || fail "a socket in the tar"
bsdtar -tf "$WORK/t.tar" > "$WORK/t.names"
! grep -v '^links/' "$WORK/t.names" | grep -qvx 'manifest.json' ||
  fail "a name outside links/: $(grep -v '^links/' "$WORK/t.names" | head -n 2)"
! grep -q '^links/\.\?/\|/\./\|/\.\./' "$WORK/t.names" || fail "a ./ or .. in a name"
mkdir "$WORK/x"
bsdtar -xf "$WORK/t.tar" -C "$WORK/x"
[ "$(stat -c %i "$WORK/x/links/data/a")" = "$(stat -c %i "$WORK/x/links/data/sub/b")" ] ||
  fail "extracted, the two names are not one file"
[ "$(cat "$WORK/x/links/data/sub/b")" = 'one content, two names' ] || fail "hard link content"
[ ! -s "$WORK/x/links/etc/machine-id" ] || fail "the tree's machine-id is not empty"
validate_manifest "$WORK/x/manifest.json"
jq -e '[.images[0].tree.unrepresentable[] | select(.name | endswith("run/sock")) | .reason] == ["socket: archives cannot hold one"]' \
  "$WORK/x/manifest.json" > /dev/null ||
  fail "the socket is not reported: $(jq -c '.images[0].tree' "$WORK/x/manifest.json")"

# A zip has no hard links: both names hold the content.
expect_status 0 "$IMGSCRUB" scrub -p linux-machine-id --export-tree "$WORK/t.zip" "$img" > /dev/null
unzip -tq "$WORK/t.zip" > /dev/null || fail "unzip rejects the zip tree"
[ "$(unzip -p "$WORK/t.zip" links/data/sub/b)" = 'one content, two names' ] ||
  fail "the zip's copy of the hard link is not the content"
[ "$(unzip -p "$WORK/t.zip" links/data/a)" = 'one content, two names' ] || fail "the zip lost the target"
[ "$(sha256 "$img")" = "$before" ] || fail "the input image changed"
echo "$TEST_NAME: ok"
