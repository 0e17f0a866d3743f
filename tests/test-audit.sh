#!/bin/sh
# audit: in ONE appliance launch, two byte-identical Windows clones are
# flagged on every identity they share, a distinct Windows machine is
# not paired with them (beyond the values the fixtures plant in both),
# two Linux clones are flagged on machine-id and SSH host keys, and an
# unreadable image in the folder is reported while the others are still
# audited; the images are not written.  Then, after scrub, an audit of
# the outputs finds none of the identities the profiles remove, and an
# audit of images that share nothing exits 0.  Four launches in all.
. "$top_srcdir/tests/functions.sh"

# Usage errors, before any appliance.
expect_status 2 "$IMGSCRUB" audit 2> /dev/null
expect_status 2 "$IMGSCRUB" audit --no-such-option x.raw 2> /dev/null
expect_status 2 "$IMGSCRUB" audit -p no-such-profile x.raw 2> "$WORK/err"
grep -q "no-such-profile" "$WORK/err" || fail "bad profile not named: $(cat "$WORK/err")"
"$IMGSCRUB" audit --help | grep -q "^Exit status" || fail "--help lacks the exit status"

imgs=$WORK/images
mkdir -p "$imgs/linux"
cp --sparse=always "$FIXTURES/win.raw" "$imgs/win-a.raw"
cp --sparse=always "$FIXTURES/win.raw" "$imgs/win-b.raw"
cp --sparse=always "$FIXTURES/winnt.raw" "$imgs/winnt.raw"
cp --sparse=always "$FIXTURES/linux.raw" "$imgs/linux/linux-a.raw"
cp --sparse=always "$FIXTURES/linux.raw" "$imgs/linux/linux-b.raw"
head -c 1048576 /dev/urandom > "$imgs/bad.img"
chmod u+w "$imgs"/*.raw "$imgs"/linux/*.raw
for f in "$imgs"/*.raw "$imgs"/linux/*.raw; do sha256 "$f"; done > "$WORK/before"

# ---- one audit of the folder (-r reaches linux/) -------------------------
expect_status 1 "$IMGSCRUB" -v audit -r -j1 --json "$imgs" > "$WORK/out.json" 2> "$WORK/err"
[ "$(grep -c 'Launching an appliance' "$WORK/err")" -eq 1 ] ||
  fail "expected one appliance launch for 6 images: $(grep -c 'Launching' "$WORK/err")"
for f in "$imgs"/*.raw "$imgs"/linux/*.raw; do sha256 "$f"; done > "$WORK/after"
cmp -s "$WORK/before" "$WORK/after" || fail "audit changed an input image"

q () { jq -r "$@" "$WORK/out.json"; }
A=$imgs/win-a.raw B=$imgs/win-b.raw NT=$imgs/winnt.raw
LA=$imgs/linux/linux-a.raw LB=$imgs/linux/linux-b.raw BAD=$imgs/bad.img

[ "$(q '.images | length')" -eq 6 ] || fail "expected 6 images"
# The unreadable image is reported, the others still audited.
[ "$(q --arg i "$BAD" '.images[] | select(.input == $i) | .status')" = failed ] ||
  fail "bad.img not reported failed"
[ -n "$(q --arg i "$BAD" '.images[] | select(.input == $i) | .error // empty')" ] ||
  fail "bad.img has no error"
grep -q "bad.img" "$WORK/err" || fail "bad.img not reported on stderr"
[ "$(q '[.images[] | select(.status == "ok")] | length')" -eq 5 ] ||
  fail "the other images were not all audited"

# value IMAGE IDENTITY: the identity's value in IMAGE (one line each).
value () {
  q --arg i "$1" --arg n "$2" \
    '.images[] | select(.input == $i) | .identities[] | select(.identity == $n) | .value'
}
# shared IDENTITY VALUE IMAGE...: a duplicate names exactly these images.
shared () {
  n=$1 v=$2
  shift 2
  want=$(printf '%s\n' "$@" | sort)
  got=$(q --arg n "$n" --arg v "$v" \
    '.duplicates[] | select(.identity == $n and .value == $v) | .images[]' | sort)
  [ "$got" = "$want" ] || fail "$n = $v: shared by '$got', want '$want'"
}

# What the fixtures planted, read where the profiles and built-ins say.
[ "$(value "$A" sms-unique-identifier)" = "$SMS_GUID" ] || fail "SMS GUID not read"
[ "$(value "$A" smsuid-dat)" = "$SMS_GUID" ] || fail "Smsuid.dat not read"
[ "$(value "$A" sccm-client-id)" = "$SMS_GUID" ] || fail "SMSCFG.ini client ID not read"
[ "$(value "$A" machine-guid)" = "$MACHINE_GUID" ] || fail "MachineGuid not read"
[ "$(value "$A" sus-client-id)" = "$SUS_CLIENT_ID" ] || fail "SusClientId not read"
# CurrentControlSet is ControlSet002: not ControlSet001's stale name.
[ "$(value "$A" computer-name)" = "$WIN_HOSTNAME" ] || fail "computer name not read"
value "$A" smscfg-ini | grep -q "SMS Unique Identifier=$SMS_GUID" || fail "Smscfg.ini not read"
[ -n "$(value "$A" filesystem-uuid)" ] || fail "NTFS UUID not read"
[ "$(value "$NT" sms-unique-identifier)" = "$WINNT_SMS_GUID" ] || fail "winnt SMS GUID"
[ "$(value "$NT" smsuid-dat)" = "$WINNT_SMS_GUID" ] || fail "winnt Smsuid.dat"
[ "$(value "$NT" computer-name)" = "$WINNT_HOSTNAME" ] || fail "winnt computer name"
[ "$(value "$LA" machine-id)" = "$LINUX_MACHINE_ID" ] || fail "machine-id not read"
[ "$(value "$LA" computer-name)" = "$LINUX_HOSTNAME" ] || fail "/etc/hostname not read"
[ "$(value "$LA" ssh-host-key | grep -c '^SHA256:[A-Za-z0-9+/]\{43\}$')" -eq 2 ] ||
  fail "expected two SSH host key fingerprints: $(value "$LA" ssh-host-key)"
[ "$(value "$LA" filesystem-uuid)" = 0c1e5b7a-3f2d-4e6b-9a8c-7d6e5f4a3b2c ] ||
  fail "ext4 UUID not read"
[ "$(q '[.images[].identities[] | select(.error)] | length')" -eq 0 ] ||
  fail "some identity could not be read: $(q '[.images[].identities[] | select(.error)]')"

# The clones: every identity value of one is shared with the other;
# winnt, a distinct machine, shares nothing with them.
for name in sms-unique-identifier smsuid-dat smscfg-ini sccm-client-id \
            machine-guid sus-client-id computer-name filesystem-uuid; do
  v=$(value "$A" $name)
  [ -n "$v" ] || fail "win-a has no $name"
  [ "$(value "$NT" $name)" != "$v" ] || fail "winnt has win's $name"
  shared $name "$v" "$A" "$B"
done
[ "$(q --arg a "$A" '.images[] | select(.input == $a) | [.identities[] | select(.value != "")] | length')" -eq \
  "$(q --arg a "$A" --arg b "$B" '[.duplicates[] | select(.images | index($a) and index($b))] | length')" ] ||
  fail "some identity of win-a is not flagged as shared with win-b"
[ "$(q --arg nt "$NT" '[.duplicates[] | select(.images | index($nt))] | length')" -eq 0 ] ||
  fail "winnt flagged as a duplicate: $(q --arg nt "$NT" '[.duplicates[] | select(.images | index($nt))]')"

# The Linux clones: machine-id (and its D-Bus copy), both host keys,
# hostname, filesystem UUID; never paired with Windows or bad.img.
shared machine-id "$LINUX_MACHINE_ID" "$LA" "$LB"
shared dbus-machine-id "$LINUX_MACHINE_ID" "$LA" "$LB"
shared computer-name "$LINUX_HOSTNAME" "$LA" "$LB"
for fp in $(value "$LA" ssh-host-key); do shared ssh-host-key "$fp" "$LA" "$LB"; done
[ "$(q --arg l "$LA" '[.duplicates[] | select(.images | index($l))] | length')" -eq 6 ] ||
  fail "linux-a: expected 6 shared values"
[ "$(q --arg b "$BAD" '[.duplicates[] | select(.images | index($b))] | length')" -eq 0 ] ||
  fail "bad.img in a duplicate"
[ "$(q '[.duplicates[] | select((.images | length) < 2 or .value == "")] | length')" -eq 0 ] ||
  fail "a duplicate with fewer than two images or an empty value"

# ---- scrub the clones, audit the outputs ---------------------------------
out=$WORK/out
expect_status 0 "$IMGSCRUB" -q scrub -p sms2-clone-prep -p windows-machine-guid \
  -p wsus-client-id -p linux-machine-id -o "$out" "$A" "$B" "$LA" "$LB" > /dev/null
expect_status 1 "$IMGSCRUB" -q audit "$out" > "$WORK/after.txt" 2> "$WORK/after.err"
# Every identity those profiles remove is gone from both outputs...
for v in "$SMS_GUID" "$MACHINE_GUID" "$SUS_CLIENT_ID"; do
  ! grep -qF -- "$v" "$WORK/after.txt" || fail "$v survived the scrub"
done
! grep -qE '^  (sms-unique-identifier|smsuid-dat|smscfg-ini|sccm-client-id|machine-guid|sus-client-id) ' \
  "$WORK/after.txt" || fail "an identity survived the scrub: $(cat "$WORK/after.txt")"
# ...while the computer name, which they leave, is still shared.
[ "$(grep -c "^  computer-name  *$WIN_HOSTNAME  " "$WORK/after.txt")" -eq 2 ] ||
  fail "computer name not listed for both outputs"
grep -A2 "^  computer-name = $WIN_HOSTNAME\$" "$WORK/after.txt" > "$WORK/dup.txt" ||
  fail "computer name not reported shared: $(cat "$WORK/after.txt")"
grep -qx "    $out/win-a.raw" "$WORK/dup.txt" && grep -qx "    $out/win-b.raw" "$WORK/dup.txt" ||
  fail "shared computer name does not name both outputs"
[ ! -s "$WORK/after.err" ] || fail "unexpected errors: $(cat "$WORK/after.err")"
# The Linux outputs: machine-id emptied (listed, not shared), D-Bus copy
# and host keys gone; their hostname is still shared.
[ "$(grep -c '^  machine-id  *(empty)  */etc/machine-id$' "$WORK/after.txt")" -eq 2 ] ||
  fail "emptied machine-id not listed for both Linux outputs"
! grep -qE '^  (machine-id|dbus-machine-id|ssh-host-key) =|^  (dbus-machine-id|ssh-host-key) ' \
  "$WORK/after.txt" || fail "a Linux identity survived the scrub: $(cat "$WORK/after.txt")"
grep -q "^  computer-name = $LINUX_HOSTNAME\$" "$WORK/after.txt" ||
  fail "Linux hostname not reported shared"

# ---- no duplicates: exit 0 -------------------------------------------------
# A scrubbed clone and the Windows 2000 machine share nothing any more.
expect_status 0 "$IMGSCRUB" -q audit "$out/win-a.raw" "$NT" > "$WORK/none.txt"
grep -q "^No identity is shared" "$WORK/none.txt" || fail "no-duplicates summary missing"
echo "$TEST_NAME: ok"
