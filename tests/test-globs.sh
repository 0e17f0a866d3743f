#!/bin/sh
# Globs and exclude patterns on real guests, through the whole program:
# tests/test-globs.conf applied by ONE scrub run (one appliance) to the
# Windows and RHEL fixtures, read back in ONE guestfish launch: each
# file a glob names is gone, each file exclude leaves out, and each one
# the glob does not match, is there byte for byte; the inputs are
# unchanged.
. "$top_srcdir/tests/functions.sh"

for f in win rhel; do
  [ -f "$FIXTURES/$f.raw" ] || { echo "$TEST_NAME: skipped: no fixture $FIXTURES/$f.raw"; exit 77; }
done
inputs="$FIXTURES/win.raw $FIXTURES/rhel.raw"
for f in $inputs; do sha256 "$f"; done > "$WORK/before"

out=$WORK/out
# shellcheck disable=SC2086
expect_status 0 "$IMGSCRUB" scrub -p "$top_srcdir/tests/test-globs.conf" \
  -o "$out" $inputs > "$WORK/scrub.out" 2> "$WORK/scrub.err"
for f in $inputs; do sha256 "$f"; done > "$WORK/after"
cmp -s "$WORK/before" "$WORK/after" || fail "scrub changed an input image"
m=$out/manifest.json
validate_manifest "$m"
targets () {                        # IMAGE TITLE RESULT: its targets, sorted
  jq -r --argjson i "$1" --arg t "$2" --arg r "$3" \
    '.images[$i].actions[] | select(.title == $t and .result == $r) | .target' "$m" | sort | tr '\n' ' '
}
[ "$(targets 0 evtx-but-security deleted)" = "/Windows/System32/winevt/Logs/System.evtx " ] ||
  fail "Windows glob deleted: '$(targets 0 evtx-but-security deleted)'"
[ "$(targets 1 nested-logs deleted)" = "/var/log/audit/audit.log /var/log/sssd/sssd.log " ] ||
  fail "Linux glob deleted: '$(targets 1 nested-logs deleted)'"
# A Windows path narrows its rule to Windows: skipped on Linux.
[ "$(jq -r '.images[1].actions[] | select(.title == "evtx-but-security") | .result' "$m")" = skipped ] ||
  fail "the Windows rule was not skipped on Linux"

# ---- read back -------------------------------------------------------------
start_guestfish
gf add-drive-opts "$out/win.raw" format:raw readonly:true
gf add-drive-opts "$out/rhel.raw" format:raw readonly:true
gf add-drive-opts "$FIXTURES/win.raw" format:raw readonly:true
gf add-drive-opts "$FIXTURES/rhel.raw" format:raw readonly:true
gf run
# sum DEV PATH: the file's SHA-256, or "gone"
sum () {
  gf mount-ro "$1" /
  if [ "$(gf exists "$2")" = true ]; then gf checksum sha256 "$2"; else echo gone; fi
  gf umount-all
}
L=/Windows/System32/winevt/Logs
[ "$(sum /dev/sda1 $L/System.evtx)" = gone ] || fail "System.evtx is still there"
for p in $L/Security.evtx $L/README.evtx.txt /Windows/Temp/setup.tmp; do
  [ "$(sum /dev/sda1 $p)" = "$(sum /dev/sdc1 $p)" ] || fail "$p changed or went"
done
for p in /var/log/audit/audit.log /var/log/sssd/sssd.log; do
  [ "$(sum /dev/sdb1 $p)" = gone ] || fail "$p is still there"
done
for p in /var/log/puppet/agent.log /var/log/samba/log.smbd /var/log/boot.log; do
  [ "$(sum /dev/sdb1 $p)" = "$(sum /dev/sdd1 $p)" ] || fail "$p changed or went"
done
echo "$TEST_NAME: ok"
