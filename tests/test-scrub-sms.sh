#!/bin/sh
# KB Q257808 end to end: scrub the Windows fixtures (raw, VHD, VMDK and
# the Windows 2000 layout) with sms2-clone-prep in one run, then read the
# outputs back with guestfish and hivex (not imgscrub) and check each of
# the article's steps, that neighbours and decoys survive, that the inputs
# are unchanged and that the manifest tells the truth.
. "$top_srcdir/tests/functions.sh"

out="$WORK/out"
inputs="$FIXTURES/win.raw $FIXTURES/win.vhd $FIXTURES/win.vmdk $FIXTURES/winnt.raw"
for f in $inputs; do sha256 "$f"; done > "$WORK/inputs.before"

expect_status 0 "$IMGSCRUB" scrub -p sms2-clone-prep -o "$out" $inputs > "$WORK/stdout"
for f in $inputs; do sha256 "$f"; done > "$WORK/inputs.after"
cmp -s "$WORK/inputs.before" "$WORK/inputs.after" || fail "an input image changed"
for f in win.raw win.vhd win.vmdk winnt.raw manifest.json; do
  [ -f "$out/$f" ] || fail "missing output $f"
done
[ -z "$(find "$out" -name '.imgscrub-*')" ] || fail "scratch files left in $out"
# Output formats follow the inputs.
qemu-img info --output=json -f vpc "$out/win.vhd" | jq -e '.format == "vpc"' > /dev/null || fail "win.vhd not VHD"
qemu-img info --output=json -f vmdk "$out/win.vmdk" | jq -e '.format == "vmdk"' > /dev/null || fail "win.vmdk not VMDK"

# Read back: the three Windows outputs, the Windows 2000 output, and the
# input itself (so decoys can be compared byte for byte).
COLLECT_SUMS="" COLLECT_FILES="$WIN_SOFTWARE $WINNT_SOFTWARE" \
  collect "$WORK/rb" "$FIXTURES/win.raw" "$out/win.raw" "$out/win.vhd" "$out/win.vmdk" "$out/winnt.raw"

key='Microsoft\SMS\Client\Configuration\Client Properties'
nal='Microsoft\NAL\Client'
# The input still has everything (so the checks below can fail).
[ "$(hive_value "$WORK/rb/0.SOFTWARE" "$key" 'SMS Unique Identifier')" = "$SMS_GUID" ] ||
  fail "input fixture lacks the SMS GUID"
[ -n "$(hive_subkeys "$WORK/rb/0.SOFTWARE" "$nal\\AbExprtDB")" ] || fail "input lacks AbExprtDB subkeys"
grep -qi '/smsuid\.dat$' "$WORK/rb/0.files" || fail "input lacks Smsuid.dat"

for n in 1 2 3 4; do
  if [ $n = 4 ]; then hive="$WORK/rb/$n.software"; else hive="$WORK/rb/$n.SOFTWARE"; fi
  [ -f "$hive" ] || fail "image $n: SOFTWARE hive not found"
  # Step 3: the value is gone, its neighbours remain.
  ! hive_value "$hive" "$key" 'SMS Unique Identifier' > /dev/null ||
    fail "image $n: SMS Unique Identifier still there"
  [ "$(hive_value "$hive" "$key" 'SMS Client Version')" = "2.00.1493.0000" ] ||
    fail "image $n: neighbour value SMS Client Version lost"
  [ "$(hive_value "$hive" "$key" 'Site Code')" = "ABC" ] || fail "image $n: Site Code lost"
  # Step 6: AbExprtDB has no subkeys but is still there with its value;
  # its sibling key is untouched.
  [ -z "$(hive_subkeys "$hive" "$nal\\AbExprtDB")" ] || fail "image $n: AbExprtDB still has subkeys"
  hivexget "$hive" "$nal\\AbExprtDB" Version > /dev/null || fail "image $n: AbExprtDB key or its value gone"
  [ "$(hive_value "$hive" "$nal\\Sibling" Keep)" = "sibling must survive" ] ||
    fail "image $n: sibling key damaged"
  # Steps 4 and 7: no Smsuid.dat or Sms1x.ini in any folder, any letter case.
  ! grep -qi '/smsuid\.dat$' "$WORK/rb/$n.files" || fail "image $n: a Smsuid.dat survived: $(grep -i '/smsuid\.dat$' "$WORK/rb/$n.files")"
  ! grep -qi '/sms1x\.ini$' "$WORK/rb/$n.files" || fail "image $n: a Sms1x.ini survived"
  # Step 5: Smscfg.ini gone from the system root.
  ! grep -qi '^/\(windows\|winnt\)/smscfg\.ini$' "$WORK/rb/$n.files" || fail "image $n: Smscfg.ini survived"
done

# Decoys survive in the Windows outputs with identical content.
echo "$WIN_DECOYS" | sed 's| /|\n/|g' > "$WORK/decoys"
while IFS= read -r d; do
  for n in 1 2 3; do
    grep -qxF "$d" "$WORK/rb/$n.files" || fail "image $n: decoy $d deleted"
  done
done < "$WORK/decoys"
{
  echo "add-drive-opts $FIXTURES/win.raw format:raw readonly:true"
  echo "add-drive-opts $out/win.vhd format:vpc readonly:true"
  echo run
  for dev in /dev/sda1 /dev/sdb1; do
    echo "mount-ro $dev /"
    while IFS= read -r d; do echo "checksum sha256 \"$d\""; done < "$WORK/decoys"
    echo umount-all
  done
} > "$WORK/decoys.fish"
guestfish --ro -f "$WORK/decoys.fish" > "$WORK/decoys.sums" || fail "cannot checksum decoys"
count=$(wc -l < "$WORK/decoys")
head -n "$count" "$WORK/decoys.sums" > "$WORK/decoys.in"
tail -n "$count" "$WORK/decoys.sums" > "$WORK/decoys.out"
cmp -s "$WORK/decoys.in" "$WORK/decoys.out" || fail "a decoy's content changed"

# The manifest: every image ok, hashes match the files, every action there.
m="$out/manifest.json"
validate_manifest "$m"
jq -e '.tool == "imgscrub" and (.profiles[0].name == "sms2-clone-prep")' "$m" > /dev/null || fail "manifest header"
[ "$(jq -r '.profiles[0].sha256' "$m")" = "$(sha256 "$top_srcdir/profiles/sms2-clone-prep.conf")" ] ||
  fail "manifest: profile SHA-256 wrong"
i=0
for f in $inputs; do
  name=$(basename "$f")
  [ "$(jq -r ".images[$i].status" "$m")" = ok ] || fail "manifest: $name not ok"
  [ "$(jq -r ".images[$i].input_sha256" "$m")" = "$(sha256 "$f")" ] || fail "manifest: $name input hash"
  [ "$(jq -r ".images[$i].output_sha256" "$m")" = "$(sha256 "$out/$name")" ] || fail "manifest: $name output hash"
  [ "$(jq -r ".images[$i].os.os" "$m")" = windows ] || fail "manifest: $name os facts"
  jq -e ".images[$i].actions | map(select(.result == \"deleted\" and (.target | test(\"SMS Unique Identifier\")))) | length == 1" "$m" > /dev/null ||
    fail "manifest: $name does not record the deleted value"
  jq -e ".images[$i].actions | map(select(.action == \"delete-files\" and .result == \"deleted\")) | length >= 3" "$m" > /dev/null ||
    fail "manifest: $name does not record the deleted files"
  i=$((i + 1))
done
echo "$TEST_NAME: ok"
