#!/bin/sh
# Issue 22, guest side: what an unprivileged guest user can plant in
# their own folders must neither redirect a rule nor make the image
# unscrubbable.
#  - A symlink a user made (in their home, or in their Windows profile:
#    C:\Users\bob\AppData\Local -> ..\..\..\Projects) is not followed by
#    any kind (delete-files, empty-folder, delete-folder, truncate-file,
#    write-file, delete-lines, %USERPROFILE%): the decoy behind it keeps
#    its bytes, the manifest names the link as not followed.
#  - A root-owned link in a folder a user owns is not followed either.
#  - System links still are: /var/run -> ../run, /lib -> usr/lib.
#  - /etc/machine-id hard-linked to /etc/shadow: truncate-file replaces
#    the file, shadow keeps its bytes.
#  - A path over 4096 bytes under /var/tmp is recorded and skipped by
#    backup-files-var; the image does not fail.
# One Linux guest made without an appliance (mkfs.ext4 -d), one Windows
# guest copied from the fixture with a link added by guestfish; one
# imgscrub run for both, one guestfish --ro to read the results.
. "$top_srcdir/tests/functions.sh"

for t in python3 mkfs.ext4 sfdisk jq guestfish; do
  command -v "$t" > /dev/null || { echo "$TEST_NAME: skipped: no $t"; exit 77; }
done
[ "$(id -u)" = 0 ] || { echo "$TEST_NAME: skipped: making a guest with a user's files needs root (chown)"; exit 77; }
[ -f "$FIXTURES/win.raw" ] || { echo "$TEST_NAME: skipped: no fixture $FIXTURES/win.raw"; exit 77; }

# ---- the Linux guest -----------------------------------------------------
r="$WORK/root"
mkdir -p "$r/etc" "$r/bin" "$r/sbin" "$r/root" "$r/run" "$r/var/tmp" \
  "$r/usr/lib/cache" "$r/home/alice" "$r/srv/precious/tmp" "$r/srv/precious/tmp2" \
  "$r/proc"
printf 'NAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n' > "$r/etc/os-release"
echo 12.8 > "$r/etc/debian_version"
echo linkhost > "$r/etc/hostname"
echo '/dev/sda1 / ext4 defaults 0 1' > "$r/etc/fstab"
printf 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n' > "$r/etc/passwd"
echo 'root:$6$secret:19000:0:99999:7:::' > "$r/etc/shadow"
chmod 0640 "$r/etc/shadow"
# C: machine-id is a second name of shadow.
ln "$r/etc/shadow" "$r/etc/machine-id"
# System links, root's, in root's folders.
ln -s ../run "$r/var/run"
ln -s usr/lib "$r/lib"
ln -s ../proc/self/mounts "$r/etc/mtab"
echo 1234 > "$r/run/test.pid"
echo stale > "$r/usr/lib/cache/stale.tmp"
# Decoys an unprivileged user points links at.
echo keep > "$r/decoy.bak"
echo keep > "$r/srv/precious/tmp/keep.txt"
echo keep > "$r/srv/precious/tmp2/keep.txt"
# alice's links: hers, in her folder.
ln -s ../.. "$r/home/alice/Explorer"
ln -s /srv/precious "$r/home/alice/.cache"
# root's link in alice's folder (she could have moved it there).
ln -s /etc "$r/home/alice/.config"
chown -h 1000:1000 "$r/home/alice" "$r/home/alice/Explorer" "$r/home/alice/.cache"
chmod 0755 "$r/home/alice"
# B: a path over 4096 bytes under world-writable /var/tmp.
chmod 1777 "$r/var/tmp"
echo short > "$r/var/tmp/short.bak"
# Made with dir_fd: no path this long reaches a system call.
python3 - "$r/var/tmp" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
for i in range(22):
    os.mkdir("d" * 200, dir_fd=fd)
    nfd = os.open("d" * 200, os.O_RDONLY, dir_fd=fd)
    os.fchown(nfd, 1000, 1000)
    os.close(fd)
    fd = nfd
for name in ("x.bak", "keep.txt"):
    f = os.open(name, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
    os.write(f, b"deep\n")
    os.close(f)
PY
img="$WORK/links.raw"
truncate -s 40M "$img"
echo 'start=2048, type=83' | sfdisk -q "$img"
mkfs.ext4 -q -F -E offset=1048576 -d "$r" "$img" 39M

# ---- the Windows guest ---------------------------------------------------
# ntfs-3g makes a symlink reparse point (guestfish ln-s): what a user's
# mklink /D or junction in their profile reads as through ntfs-3g.
win="$WORK/win.raw"
cp "$FIXTURES/win.raw" "$win"
guestfish -a "$win" -m /dev/sda1 <<'EOF'
mkdir-p /Projects/Temp
write /Projects/Temp/keep.txt "keep"
mv /Users/bob/AppData/Local /Users/bob/AppData/Local.old
ln-s ../../../Projects /Users/bob/AppData/Local
mkdir-p /Users/alice/AppData/Local/Temp
write /Users/alice/AppData/Local/Temp/junk.txt "junk"
EOF

cat > "$WORK/links.conf" <<'EOF'
name = "links"
description = "rules an unprivileged user's links must not redirect"
os = "linux"

delete-file "var-run" {
  path = "/var/run/test.pid"
}
delete-files "merged-lib" {
  name = "stale.tmp"
  under = "/lib/cache"
}
delete-files "explorer" {
  name = "decoy.bak"
  under = "/home/alice/Explorer"
}
empty-folder "cache-tmp" {
  path = "/home/alice/.cache/tmp"
}
delete-folder "cache-tmp2" {
  path = "/home/alice/.cache/tmp2"
}
truncate-file "config-hostname" {
  path = "/home/alice/.config/hostname"
}
write-file "config-motd" {
  path = "/home/alice/.config/motd"
  content = "owned\n"
}
delete-lines "config-passwd" {
  path = "/home/alice/.config/passwd"
  prefix = "root:"
}
EOF

before_lin=$(sha256 "$img")
before_win=$(sha256 "$win")
out="$WORK/out"
set +e
timeout 600 "$IMGSCRUB" scrub -p linux-sysprep -p linux-machine-id -p "$WORK/links.conf" \
  -p windows-hygiene -o "$out" "$img" "$win" > "$WORK/scrub.out" 2> "$WORK/scrub.err"
status=$?
set -e
m="$out/manifest.json"
[ -f "$m" ] || { cat "$WORK/scrub.err"; fail "no manifest (exit $status)"; }
[ "$(sha256 "$img")" = "$before_lin" ] || fail "the Linux input changed"
[ "$(sha256 "$win")" = "$before_win" ] || fail "the Windows input changed"

failures=0
check () {
  # check WHAT CONDITION...: record a failed case, go on with the others.
  what=$1
  shift
  if ! "$@"; then
    echo "$TEST_NAME: FAIL: $what" >&2
    failures=$((failures + 1))
  fi
}
lin () { jq -c --arg t "$1" '.images[] | select(.input | endswith("links.raw")) | .actions[] | select(.title == $t)' "$m"; }
winr () { jq -c --arg t "$1" '.images[] | select(.input | endswith("win.raw")) | .actions[] | select(.title == $t)' "$m"; }
status_of () { jq -r --arg s "$1" '.images[] | select(.input | endswith($s)) | .status' "$m"; }
unfollowed () { "$1" "$2" | jq -e 'select(.result == "absent" and (.reason // "" | test("not followed")))' | grep -q . ; }

check "B: the Linux image failed ($(status_of links.raw)): $(grep -i fail "$WORK/scrub.err" | head -n 3)" \
  test "$(status_of links.raw)" = ok
check "the Windows image failed ($(status_of win.raw))" test "$(status_of win.raw)" = ok
check "B: the overlong path is not recorded as skipped: $(lin backup-files-var | head -c 600)" \
  sh -c "$(printf '%s' "jq -e '[.images[] | select(.input | endswith(\"links.raw\")) | .actions[] | select(.title == \"backup-files-var\" and .result == \"skipped\")] | length == 1' '$m' > /dev/null")"
for t in explorer cache-tmp cache-tmp2 config-hostname config-motd config-passwd; do
  check "A: $t: the link is not reported as not followed: $(lin $t)" unfollowed lin $t
done
check "A: user-temp: bob's AppData\\Local link not reported as not followed: $(winr user-temp)" \
  unfollowed winr user-temp

# ---- read back -------------------------------------------------------------
lo=$(ls "$out"/links* 2> /dev/null) || fail "no scrubbed Linux image ($failures case(s) failed already)"
wo=$(ls "$out"/win* 2> /dev/null) || fail "no scrubbed Windows image ($failures case(s) failed already)"
guestfish --ro -a "$lo" -a "$wo" > "$WORK/back" 2>&1 <<'EOF' || true
run
mount /dev/sda1 /
echo decoy.bak:
-cat /decoy.bak
echo srv-tmp:
-cat /srv/precious/tmp/keep.txt
echo srv-tmp2:
-cat /srv/precious/tmp2/keep.txt
echo hostname:
-cat /etc/hostname
echo motd:
-exists /etc/motd
echo passwd-root:
-cat /etc/passwd
echo shadow:
-cat /etc/shadow
echo machine-id-size:
-filesize /etc/machine-id
echo machine-id-links:
-lstatns /etc/machine-id
echo shadow-mode:
-lstatns /etc/shadow
echo test.pid:
-exists /run/test.pid
echo stale.tmp:
-exists /usr/lib/cache/stale.tmp
echo short.bak:
-exists /var/tmp/short.bak
umount-all
mount /dev/sdb1 /
echo projects-keep:
-cat /Projects/Temp/keep.txt
echo alice-junk:
-exists /Users/alice/AppData/Local/Temp/junk.txt
echo bob-link:
-is-symlink /Users/bob/AppData/Local
EOF
after () { sed -n "/^$1:\$/{n;p;}" "$WORK/back"; }
field () { sed -n "/^$1:\$/,/^[a-z.-]*:\$/p" "$WORK/back" | sed -n "s/^$2: //p"; }

check "A: delete-files under a user's link reached /decoy.bak" test "$(after decoy.bak)" = keep
check "A: empty-folder through a user's link emptied /srv/precious/tmp" test "$(after srv-tmp)" = keep
check "A: delete-folder through a user's link removed /srv/precious/tmp2" test "$(after srv-tmp2)" = keep
check "A: truncate-file through root's link in a user's folder emptied /etc/hostname" \
  test "$(after hostname)" = linkhost
check "A: write-file through a link wrote /etc/motd" test "$(after motd)" = false
check "A: delete-lines through a link edited /etc/passwd" test "$(after passwd-root)" = 'root:x:0:0:root:/root:/bin/sh'
check "C: truncate-file through a hard link emptied /etc/shadow ($(after shadow))" \
  test "$(after shadow)" = 'root:$6$secret:19000:0:99999:7:::'
check "C: /etc/machine-id is not empty" test "$(after machine-id-size)" = 0
check "C: /etc/machine-id still shares shadow's inode" test "$(field machine-id-links st_nlink)" = 1
check "C: the new machine-id lost shadow's mode" \
  test "$(field machine-id-links st_mode)" = "$(field shadow-mode st_mode)"
check "system link /var/run -> ../run not followed: /run/test.pid kept" test "$(after test.pid)" = false
check "system link /lib -> usr/lib not followed: stale.tmp kept" test "$(after stale.tmp)" = false
check "B: backup-files-var left /var/tmp/short.bak" test "$(after short.bak)" = false
check "A: user-temp through bob's AppData\\Local link emptied /Projects/Temp" \
  test "$(after projects-keep)" = keep
check "user-temp left alice's Temp alone" test "$(after alice-junk)" = false
check "bob's link is gone" test "$(after bob-link)" = true

if [ "$failures" -ne 0 ]; then
  sed -n 1,80p "$WORK/back" >&2
  fail "$failures case(s) failed"
fi
echo "$TEST_NAME: ok"
