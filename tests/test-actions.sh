#!/bin/sh
# The action kinds on the fixture images, through lib/guest.c alone
# (tests/guest-apply, no engine): sms2-clone-prep (KB Q257808 steps 3-7),
# every registry value type, HKCU and %USERPROFILE% for every user, a dry
# run, dirty hives, re-creation in one pass, and linux-machine-id.
# Everything is read back independently of imgscrub, with guestfish and
# hivexget.  Two appliance launches: one applies (seven drives), one
# reads back (ten drives).
. "$top_srcdir/tests/functions.sh"

for f in win winnt win-dirty linux; do
  if [ ! -f "$FIXTURES/$f.raw" ]; then
    echo "$TEST_NAME: skipped: no fixture $FIXTURES/$f.raw"
    exit 77
  fi
done
command -v jq > /dev/null || { echo "$TEST_NAME: skipped: no jq"; exit 77; }

T="$top_srcdir/tests"
R="$WORK/results.json"
overlay () {
  qemu-img create -q -f qcow2 -F raw -b "$FIXTURES/$1.raw" "$WORK/$2.qcow2"
}
overlay win a
overlay win dry
overlay win-dirty dirty
overlay win-dirty dirty-ok
overlay linux lin
overlay win re
overlay linux lin-dry
overlay winnt nt

"$top_builddir/tests/guest-apply" "$R" \
  "$WORK/a.qcow2|qcow2|-|sms2-clone-prep,$T/test-actions.conf" \
  "$WORK/dry.qcow2|qcow2|dry-run|sms2-clone-prep,$T/test-actions.conf" \
  "$WORK/dirty.qcow2|qcow2|-|sms2-clone-prep,$T/test-actions.conf" \
  "$WORK/dirty-ok.qcow2|qcow2|allow-dirty-hives|sms2-clone-prep" \
  "$WORK/lin.qcow2|qcow2|-|linux-machine-id" \
  "$WORK/re.qcow2|qcow2|-|sms2-clone-prep,$T/test-recreate.conf" \
  "$WORK/lin-dry.qcow2|qcow2|dry-run|linux-machine-id" \
  "$WORK/nt.qcow2|qcow2|-|sms2-clone-prep" \
  || fail "guest-apply did not run"

# ---- the results ----------------------------------------------------------
status () { jq -r ".[$1].status" "$R"; }
error () { jq -r ".[$1].error" "$R"; }
results () { jq -r ".[$1].actions[] | select(.title == \"$2\") | .result" "$R"; }
for i in 0 1 3 4 6 7; do
  [ "$(status $i)" = ok ] || fail "image $i: $(error $i)"
done
[ "$(status 2)" = failed ] || fail "a dirty hive was edited"
# Replayed by default, but this one has no logs: said exactly so.
error 2 | grep -q "registry hive is dirty and has no transaction log" ||
  fail "dirty hive: message is '$(error 2)'"
error 2 | grep -q -- "--dirty-hives=discard" || fail "dirty hive: the option is not named"
[ "$(status 5)" = failed ] || fail "re-creating the SMS GUID was allowed"
error 5 | grep -q "would re-create what .*sms2-clone-prep.conf:[0-9]* removed earlier" ||
  fail "re-creation: message is '$(error 5)'"

[ "$(results 0 step-3)" = deleted ] || fail "step-3: $(results 0 step-3)"
[ "$(results 0 step-5)" = deleted ] || fail "step-5: $(results 0 step-5)"
for s in step-4 step-6 step-7; do
  results 0 $s | grep -q deleted || fail "$s deleted nothing"
  [ -z "$(results 0 $s | grep -v deleted)" ] || fail "$s: $(results 0 $s)"
done
[ "$(results 0 per-user | grep -c changed)" -ge 2 ] || fail "per-user: not every user"
[ "$(results 0 tmp-key-gone)" = deleted ] || fail "tmp-key-gone: $(results 0 tmp-key-gone)"
[ "$(results 0 value-list | tr '\n' ' ')" = "deleted deleted absent " ] ||
  fail "value-list: $(results 0 value-list)"
# A dry run reports what it would do, and only that.
bad=$(jq -r '.[1].actions[].result' "$R" | grep -v -e '^would-' -e '^absent$' || true)
[ -z "$bad" ] || fail "dry run reported: $bad"
[ "$(results 1 step-3)" = would-delete ] || fail "dry run step-3: $(results 1 step-3)"
# The rules of the other --machine-id modes are "skipped" by their guard.
bad=$(jq -r '.[6].actions[] | select((.reason // "") | startswith("guard: the machine-id mode") | not) | .result' \
        "$R" | grep -v -e '^would-' -e '^absent$' || true)
[ -z "$bad" ] || fail "linux dry run reported: $bad"
# Guest text goes into the manifest losslessly: source is FILE:LINE.
jq -e '.[0].actions[0] | (.profile == "sms2-clone-prep") and
  (.source | test("sms2-clone-prep.conf:[0-9]+$")) and (.action == "delete-value")' \
  "$R" > /dev/null || fail "result object: $(jq -c '.[0].actions[0]' "$R")"
SYSROOT=$(jq -r '.[0].systemroot' "$R")
NT_SYSROOT=$(jq -r '.[7].systemroot' "$R")
[ "$SYSROOT" = /Windows ] || fail "win: system root $SYSROOT"
[ "$NT_SYSROOT" = /WINNT ] || fail "winnt: system root $NT_SYSROOT"

# ---- read back, independently ------------------------------------------------
RB="$WORK/rb"
mkdir -p "$RB"
start_guestfish
# 0 win, 1 a, 2 dry, 3 win-dirty, 4 dirty, 5 linux, 6 lin, 7 lin-dry,
# 8 dirty-ok, 9 re, 10 winnt, 11 nt
for img in "$FIXTURES/win.raw" a dry "$FIXTURES/win-dirty.raw" dirty \
           "$FIXTURES/linux.raw" lin lin-dry dirty-ok re \
           "$FIXTURES/winnt.raw" nt; do
  case "$img" in
    /*) gf add-drive-opts "$img" format:raw readonly:true ;;
    *) gf add-drive-opts "$WORK/$img.qcow2" format:qcow2 readonly:true ;;
  esac
done
gf run
gf inspect-os > "$RB/roots"
root_of () {                        # the root on drive N
  while read -r r; do
    [ "$(gf device-index "$(gf part-to-dev "$r")")" = "$1" ] && { echo "$r"; return; }
  done < "$RB/roots"
  fail "no root on drive $1"
}
# readback N SYSROOT: N.files (every path), N.<HIVE> and N.user.K (with
# N.users), N.sums (checksums of files named *sms*).
readback () {
  sysroot=$2
  gf mount-ro "$(root_of "$1")" /
  gf find0 / "$RB/$1.find0"
  tr '\0' '\n' < "$RB/$1.find0" | sed 's|^|/|' | LC_ALL=C sort > "$RB/$1.files"
  for h in SOFTWARE SYSTEM DEFAULT; do
    p=$(grep -i "^$sysroot/system32/config/$h\$" "$RB/$1.files" || true)
    [ -z "$p" ] || gf download "$p" "$RB/$1.$h"
  done
  grep -i '/ntuser\.dat$' "$RB/$1.files" > "$RB/$1.users" || true
  k=0
  while read -r p; do
    gf download "$p" "$RB/$1.user.$k"
    k=$((k + 1))
  done < "$RB/$1.users"
  # Files that look like SMS artefacts but are not: decoys, kept intact.
  grep -i 'sms' "$RB/$1.files" | while read -r p; do
    [ "$(gf is-file "$p")" = true ] && echo "$(gf checksum sha256 "$p")  $p"
  done > "$RB/$1.sums" || true
  gf umount-all
}
for n in 0 1 2 3 4 8 9; do readback $n "$SYSROOT"; done
for n in 10 11; do readback $n "$NT_SYSROOT"; done
for n in 5 6 7; do
  gf mount-ro "$(root_of $n)" /
  gf find0 / "$RB/$n.find0"
  tr '\0' '\n' < "$RB/$n.find0" | sed 's|^|/|' | LC_ALL=C sort > "$RB/$n.files"
  if [ "$(gf is-file /etc/machine-id)" = true ]; then
    gf filesize /etc/machine-id > "$RB/$n.machine-id-size"
  fi
  for p in $(grep -e '^/etc/ssh/' -e '^/etc/machine-info$' "$RB/$n.files"); do
    [ "$(gf is-file "$p")" = true ] && echo "$(gf checksum sha256 "$p")  $p"
  done > "$RB/$n.sums" || true
  gf umount-all
done
gf exit
trap 'rm -rf "$WORK"' EXIT

# ---- files: exactly the expected ones gone, decoys intact --------------------
sysroot_lc=$(echo "$SYSROOT" | tr 'A-Z' 'a-z')
{
  grep -i -e '/smsuid\.dat$' -e '/sms1x\.ini$' "$RB/0.files" || true
  awk -v s="$sysroot_lc/smscfg.ini" 'tolower($0) == s' "$RB/0.files"
  awk -v s="$sysroot_lc/temp/" 'index(tolower($0), s) == 1' "$RB/0.files"
} | LC_ALL=C sort -u > "$RB/removed"
grep -qi '/smsuid\.dat$' "$RB/removed" || fail "the fixture has no Smsuid.dat"
grep -qi '/sms1x\.ini$' "$RB/removed" || fail "the fixture has no Sms1x.ini"
grep -qi '/smscfg\.ini$' "$RB/removed" || fail "the fixture has no Smscfg.ini"
# %USERPROFILE%: one file per user of ProfileList with an NTUSER.DAT.
jq -r '.[0].actions[] | select(.title == "per-user-file" and .result == "changed")
  | .target' "$R" | LC_ALL=C sort > "$RB/added"
[ "$(wc -l < "$RB/added")" -ge 2 ] || fail "%USERPROFILE%: fewer than 2 users"
LC_ALL=C comm -23 "$RB/0.files" "$RB/removed" | cat - "$RB/added" |
  LC_ALL=C sort > "$RB/expected"
if ! cmp -s "$RB/expected" "$RB/1.files"; then
  diff "$RB/expected" "$RB/1.files" >&2 || true
  fail "files after sms2-clone-prep differ from the expected (- expected, + found)"
fi
! grep -i -e '/smsuid\.dat$' -e '/sms1x\.ini$' "$RB/1.files" ||
  fail "a copy of Smsuid.dat or Sms1x.ini is left"
if grep -qi "^$SYSROOT/temp\$" "$RB/0.files"; then
  grep -qi "^$SYSROOT/temp\$" "$RB/1.files" || fail "empty-folder removed the folder"
fi
# Decoys (names with "sms" that are not artefacts) keep their content.
grep -v -i -e '/smsuid\.dat$' -e '/sms1x\.ini$' -e '/smscfg\.ini$' "$RB/0.sums" > "$RB/decoys"
[ -s "$RB/decoys" ] || echo "$TEST_NAME: note: the fixture has no decoy files"
grep -v -i -e '/smsuid\.dat$' -e '/sms1x\.ini$' -e '/smscfg\.ini$' "$RB/1.sums" |
  cmp -s - "$RB/decoys" || fail "a decoy file changed"

# The fixture's own list of copies and decoys (tests/fixture-values.sh).
sum_of () { awk -v p="$2" 'substr($0, index($0, "  ") + 2) == p { print $1 }' "$RB/$1.sums"; }
echo "$WIN_SMSUID_COPIES" | sed 's| /|\n/|g' > "$RB/copies"
echo "$WIN_SMS1X_COPIES" | sed 's| /|\n/|g' >> "$RB/copies"
echo "$WIN_SMSCFG" >> "$RB/copies"
while read -r p; do
  grep -qxF "$p" "$RB/0.files" || fail "the fixture lacks $p"
  ! grep -qxF "$p" "$RB/1.files" || fail "$p survived sms2-clone-prep"
done < "$RB/copies"
echo "$WIN_DECOYS" | sed 's| /|\n/|g' | while read -r p; do
  grep -qxF "$p" "$RB/1.files" || fail "decoy $p was deleted"
  [ -n "$(sum_of 0 "$p")" ] && [ "$(sum_of 0 "$p")" = "$(sum_of 1 "$p")" ] ||
    fail "decoy $p changed"
done

# ---- registry -----------------------------------------------------------------
SMS='Microsoft\SMS\Client\Configuration\Client Properties'
hivexget "$RB/0.SOFTWARE" "$SMS" > "$RB/sms.before"
hivexget "$RB/1.SOFTWARE" "$SMS" > "$RB/sms.after" || fail "the SMS key is gone"
[ "$(hive_value "$RB/0.SOFTWARE" "$SMS" "SMS Unique Identifier")" = "$SMS_GUID" ] ||
  fail "the fixture has no SMS GUID"
sed '/^"SMS Unique Identifier"=/d' "$RB/sms.before" | cmp -s - "$RB/sms.after" ||
  fail "step 3: not exactly the SMS Unique Identifier removed"
hive_value "$RB/1.SOFTWARE" "$SMS" "SMS Unique Identifier" > /dev/null &&
  fail "step 3: the SMS Unique Identifier is still there"

AB='Microsoft\NAL\Client\AbExprtDB'
[ -n "$(hive_subkeys "$RB/0.SOFTWARE" "$AB")" ] || fail "the fixture's AbExprtDB has no subkeys"
[ -z "$(hive_subkeys "$RB/1.SOFTWARE" "$AB")" ] || fail "step 6: AbExprtDB still has subkeys"
[ "$(hivexget "$RB/0.SOFTWARE" "$AB")" = "$(hivexget "$RB/1.SOFTWARE" "$AB")" ] ||
  fail "step 6: AbExprtDB's own values changed"
[ "$(hive_subkeys "$RB/0.SOFTWARE" 'Microsoft\NAL\Client')" = \
  "$(hive_subkeys "$RB/1.SOFTWARE" 'Microsoft\NAL\Client')" ] ||
  fail "step 6: AbExprtDB or its siblings changed"

cat > "$RB/types.expected" <<'REG'
"@"="the default"
"sz"="héllo wörld"
"expand"=str(2):"%SystemRoot%\\x"
"multi"=hex(7):61,00,00,00,62,00,20,00,63,00,00,00,00,00
"dword"=dword:12345678
"qword"=hex(11):cb,04,fb,71,1f,01,00,00
"binary"=hex(3):de,ad,be,ef
REG
WU='Microsoft\Windows\CurrentVersion\WindowsUpdate'
hivexget "$RB/0.SOFTWARE" "$WU" | grep -v -e '^"PingID"=' -e '^"LastWaitTimeout"=' \
  > "$RB/wu.expected"
[ "$(wc -l < "$RB/wu.expected")" -eq 3 ] || fail "fixture WindowsUpdate values"
hivexget "$RB/1.SOFTWARE" "$WU" | cmp -s - "$RB/wu.expected" ||
  fail "value-list: $(hivexget "$RB/1.SOFTWARE" "$WU")"
hivexget "$RB/1.SOFTWARE" 'Imgscrub\Types' | LC_ALL=C sort > "$RB/types"
LC_ALL=C sort "$RB/types.expected" | cmp -s - "$RB/types" || {
  cat "$RB/types" >&2
  fail "set-value: the values read back wrong"
}
hivexget "$RB/1.SOFTWARE" 'Imgscrub\Tmp' > /dev/null 2>&1 &&
  fail "delete-key left Imgscrub\\Tmp"
ccs=$(printf 'ControlSet%03d' "$(hivexget "$RB/0.SYSTEM" Select Current)")
[ "$(hivexget "$RB/1.SYSTEM" "$ccs\\Services\\ImgscrubTest" Start)" = 4 ] ||
  fail "CurrentControlSet did not resolve to $ccs"

# HKCU: every user whose folder got the %USERPROFILE% file; find its
# NTUSER.DAT among those read back.
while read -r f; do
  k=$(awk -v p="$(echo "${f%/*}/ntuser.dat" | tr 'A-Z' 'a-z')" \
        'tolower($0) == p { print NR - 1 }' "$RB/0.users")
  [ -n "$k" ] || fail "HKCU: no NTUSER.DAT in ${f%/*}"
  [ "$(hive_value "$RB/1.user.$k" 'Software\Imgscrub\Test' PerUserId)" = scrubbed ] ||
    fail "HKCU: PerUserId of ${f%/*} not set"
  [ "$(hive_value "$RB/0.user.$k" 'Software\Imgscrub\Test' PerUserId)" != scrubbed ] ||
    fail "HKCU: the fixture's PerUserId of ${f%/*} is already the new one"
  hivexget "$RB/0.user.$k" 'Software\Imgscrub\Test' | sed '/^"PerUserId"=/d' > "$RB/u.before"
  hivexget "$RB/1.user.$k" 'Software\Imgscrub\Test' | sed '/^"PerUserId"=/d' |
    cmp -s - "$RB/u.before" || fail "HKCU: other values of ${f%/*} changed"
done < "$RB/added"

# The padded user hives: over 1 MiB (several messages) and over 4 MiB
# (streamed), see lib/transfer.c.  Their edit is checked above with the
# others; their bulk must come back whole.
sizes=
for f in "$RB"/0.user.*; do
  k=${f##*.}
  p=1
  while hivexget "$f" "Software\\Imgscrub\\Padding\\Part$p" > "$RB/pad.$k.$p" 2>/dev/null; do
    hivexget "$RB/1.user.$k" "Software\\Imgscrub\\Padding\\Part$p" |
      cmp -s - "$RB/pad.$k.$p" || fail "HKCU: the padding of user hive $k changed"
    p=$((p + 1))
  done
  [ "$p" = 1 ] || sizes="$sizes $(stat -c %s "$f")"
done
for range in "$((1 << 20)) $((4 << 20))" "$((4 << 20)) $((64 << 20))"; do
  set -- $range
  for s in $sizes; do [ "$s" -gt "$1" ] && [ "$s" -le "$2" ] && continue 2; done
  fail "no padded user hive between $1 and $2 bytes (sizes:$sizes)"
done

# HKU\.DEFAULT is the DEFAULT hive.
[ "$(hive_value "$RB/0.DEFAULT" 'Software\Imgscrub\Test' DefaultId)" = "$DEFAULT_ID" ] ||
  fail "the fixture's DEFAULT hive has no DefaultId"
hive_value "$RB/1.DEFAULT" 'Software\Imgscrub\Test' DefaultId > /dev/null &&
  fail "HKU\\.DEFAULT: DefaultId not deleted"

# ---- the Windows 2000 layout --------------------------------------------------
for p in $WINNT_SMS1X_COPIES $WINNT_SMSUID_COPIES $WINNT_SMSCFG; do
  grep -qxF "$p" "$RB/10.files" || fail "winnt fixture lacks $p"
  ! grep -qxF "$p" "$RB/11.files" || fail "winnt: $p survived"
done
[ "$(hive_value "$RB/10.SOFTWARE" "$SMS" "SMS Unique Identifier")" = "$WINNT_SMS_GUID" ] ||
  fail "the winnt fixture has no SMS GUID"
hive_value "$RB/11.SOFTWARE" "$SMS" "SMS Unique Identifier" > /dev/null &&
  fail "winnt: the SMS GUID survived"

# ---- what must not have changed -------------------------------------------------
sha () { sha256sum "$1" | cut -d' ' -f1; }
cmp -s "$RB/0.files" "$RB/2.files" || fail "the dry run changed files"
for h in SOFTWARE SYSTEM $(cd "$RB" && ls 0.user.* | sed 's/^0\.//'); do
  [ "$(sha "$RB/0.$h")" = "$(sha "$RB/2.$h")" ] || fail "the dry run changed $h"
  [ "$(sha "$RB/3.$h")" = "$(sha "$RB/4.$h")" ] || fail "a dirty image's $h changed"
done
cmp -s "$RB/3.files" "$RB/4.files" || fail "a failed dirty image's files changed"
hive_value "$RB/8.SOFTWARE" "$SMS" "SMS Unique Identifier" > /dev/null &&
  fail "--allow-dirty-hives did not edit the dirty hive"
hive_value "$RB/9.SOFTWARE" "$SMS" "SMS Unique Identifier" > /dev/null &&
  fail "a later action re-created the SMS GUID"

# ---- linux-machine-id ------------------------------------------------------------
[ "$(cat "$RB/6.machine-id-size" 2>/dev/null)" = 0 ] || fail "/etc/machine-id not emptied"
[ "$(cat "$RB/5.machine-id-size")" != 0 ] || fail "the fixture's machine-id is empty"
{
  grep -x '/var/lib/dbus/machine-id' "$RB/5.files" || true
  grep -e '^/etc/ssh/ssh_host_.*_key$' -e '^/etc/ssh/ssh_host_.*_key\.pub$' "$RB/5.files"
} | LC_ALL=C sort > "$RB/lremoved"
grep -q _key.pub "$RB/lremoved" || fail "the linux fixture has no SSH host keys"
LC_ALL=C comm -23 "$RB/5.files" "$RB/lremoved" | cmp -s - "$RB/6.files" ||
  fail "linux-machine-id removed other files"
grep -v -e '/ssh_host_.*_key$' -e '/ssh_host_.*_key\.pub$' "$RB/5.sums" |
  cmp -s - "$RB/6.sums" || fail "other files in /etc/ssh changed"
cmp -s "$RB/5.files" "$RB/7.files" || fail "the linux dry run changed files"
echo "$TEST_NAME: ok"
