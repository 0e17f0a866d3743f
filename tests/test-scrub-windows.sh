#!/bin/sh
# windows-clone-prep and windows-hygiene applied together, in ONE scrub
# run (one appliance) to every format of the Windows fixture, the
# Windows 2000 one and a Linux guest; the results are read back in ONE
# guestfish launch, independently of imgscrub (hivexget on the hives,
# the file list and checksums):
#   - every agent value (native and WOW6432Node), deleted key, file and
#     hygiene leftover planted in `win` is gone; every decoy beside them
#     is intact, byte for byte; emptied folders stay;
#   - CrowdStrike's customer ID CU stays, MSMQ gets SysPrep=1;
#   - the inputs are unchanged.
# Then ONE audit of two input clones and two scrubbed copies: each
# identity declared by windows-clone-prep is shared by the two clones
# and by no scrubbed copy.  Three appliance launches in all.
. "$top_srcdir/tests/functions.sh"

profiles="-p windows-clone-prep -p windows-hygiene"
inputs="$FIXTURES/win.raw $FIXTURES/win.vhd $FIXTURES/win.vmdk $FIXTURES/win.qcow2 \
$FIXTURES/winnt.vhd $FIXTURES/linux.qcow2"
for f in $inputs; do sha256 "$f"; done > "$WORK/before"

# ---- one scrub run ---------------------------------------------------------
out=$WORK/out
# shellcheck disable=SC2086
expect_status 0 "$IMGSCRUB" -v scrub $profiles -o "$out" $inputs > "$WORK/scrub.out" 2> "$WORK/scrub.err"
[ "$(grep -c 'Launching an appliance' "$WORK/scrub.err")" -eq 1 ] ||
  fail "expected one appliance for 6 images: $(grep -c 'Launching' "$WORK/scrub.err")"
for f in $inputs; do sha256 "$f"; done > "$WORK/after"
cmp -s "$WORK/before" "$WORK/after" || fail "scrub changed an input image"
# -v times each image's steps, on the host and in the appliance.
for f in $FIXTURES/win.raw $FIXTURES/win.vhd $FIXTURES/win.vmdk $FIXTURES/win.qcow2 $FIXTURES/winnt.vhd; do
  grep "Steps $f: " "$WORK/scrub.err" | grep " hash-input=[0-9.]* " | grep " inspect=[0-9.]* " |
    grep " delete-value=[0-9.]* " | grep -q " hash=[0-9.]*" || fail "no step timings for $f"
done
m=$out/manifest.json
validate_manifest "$m"
# The Linux guest is skipped (no profile applies), the others end ok.
[ "$(jq -r '[.images[].status] | join(" ")' "$m")" = "ok ok ok ok ok skipped" ] ||
  fail "image results: $(jq -c '[.images[] | {input, status, error}]' "$m")"
[ "$(jq '[.images[].actions[] | select(.result == "failed")] | length' "$m")" -eq 0 ] ||
  fail "failed actions: $(jq -c '[.images[].actions[] | select(.result == "failed")]' "$m")"

# ---- read back: the input win.raw (0) and the four win outputs (1-4) --------
rb=$WORK/rb
mkdir -p "$rb"
imgs="$FIXTURES/win.raw $out/win.raw $out/win.vhd $out/win.vmdk $out/win.qcow2"
fish=$rb/readback.fish
: > "$fish"
for img in $imgs; do
  echo "add-drive-opts $img format:$(image_format "$img") readonly:true" >> "$fish"
done
echo run >> "$fish"
n=0
for img in $imgs; do
  dev=/dev/sd$(echo abcde | cut -c$((n + 1)))1
  {
    echo "mount-ro $dev /"
    echo "find0 / $rb/$n.find0"
    echo "download $WIN_SOFTWARE $rb/$n.SOFTWARE"
    echo "download $WIN_SYSTEM $rb/$n.SYSTEM"
    echo "$WIN_AGENT_DECOYS" | while IFS= read -r f; do
      echo "-echo \"@@ $n $f\""
      echo "-checksum sha256 \"$f\""
    done
    echo "umount-all"
  } >> "$fish"
  n=$((n + 1))
done
guestfish --ro -f "$fish" > "$rb/sums.out" 2> "$rb/readback.err" ||
  { cat "$rb/readback.err" >&2; fail "guestfish could not read the images back"; }
# "N PATH<TAB>SHA256" per decoy and image.
awk '/^@@ / { n = $2; sub(/^@@ [0-9]+ /, ""); path = $0; next }
     { print n " " path "\t" $1 }' "$rb/sums.out" > "$rb/sums"

# key_values N HIVE KEY: KEY's values in image N, one per line, as
# hivexget prints them; fails when KEY is absent.
key_values () {
  hivexget "$rb/$1.$2" "$3" 2> /dev/null
}

n=0
for img in $imgs; do
  tr '\0' '\n' < "$rb/$n.find0" | sed 's|^|/|' > "$rb/$n.files"
  n=$((n + 1))
done

# The input carries every artefact, so each check below can fail.
while IFS='|' read -r key removed decoy; do
  for p in '' 'WOW6432Node\'; do
    for v in $removed; do
      w=native
      [ -n "$p" ] && w=wow64
      key_values 0 SOFTWARE "$p$key" | grep -qxF "\"$v\"=\"$WIN_AGENT_TAG:$w:$v\"" ||
        fail "fixture lacks $p$key $v"
    done
  done
done <<EOF
$WIN_AGENT_VALUES
EOF
echo "$WIN_AGENT_FILES" | while IFS= read -r f; do
  grep -qxF "$f" "$rb/0.files" || fail "fixture lacks $f"
done
key_values 0 SYSTEM "$WIN_CS_KEY" | grep -q '^"AG"=' || fail "fixture lacks CrowdStrike AG"
key_values 0 SYSTEM "$WIN_CS_SIM_KEY" | grep -q '^"AG"=' || fail "fixture lacks CSAgent\\Sim AG"

cs_cu="\"CU\"=hex(3):$WIN_CS_CU"
for n in 1 2 3 4; do
  what="output $n ($(echo $imgs | cut -d' ' -f$((n + 1))))"
  # Registry: each key keeps exactly its decoy value, at both places.
  while IFS='|' read -r key removed decoy; do
    for p in '' 'WOW6432Node\'; do
      got=$(key_values $n SOFTWARE "$p$key") || fail "$what: key $p$key was deleted"
      [ "$got" = "\"$decoy\"=\"keep $decoy\"" ] ||
        fail "$what: $p$key holds '$got', want only the decoy $decoy"
    done
  done <<EOF
$WIN_AGENT_VALUES
EOF
  echo "$WIN_AGENT_KEYS" | while IFS= read -r key; do
    for p in '' 'WOW6432Node\'; do
      ! key_values $n SOFTWARE "$p$key" > /dev/null || fail "$what: key $p$key survived"
    done
  done
  for p in '' 'WOW6432Node\'; do
    [ "$(key_values $n SOFTWARE "$p$WIN_MSMQ_PARAMETERS" | sort)" = \
      "$(printf '"MachineQuota"=dword:00100000\n"SysPrep"=dword:00000001')" ] ||
      fail "$what: MSMQ Parameters: $(key_values $n SOFTWARE "$p$WIN_MSMQ_PARAMETERS")"
  done
  for key in "$WIN_CS_KEY" "$WIN_CS_SIM_KEY"; do
    [ "$(key_values $n SYSTEM "$key")" = "$cs_cu" ] ||
      fail "$what: $key holds '$(key_values $n SYSTEM "$key")', want only CU"
  done
  # The identities of the profiles that were there before.
  ! hivexget "$rb/$n.SOFTWARE" 'Microsoft\Cryptography' MachineGuid > /dev/null 2>&1 ||
    fail "$what: MachineGuid survived"
  ! hivexget "$rb/$n.SOFTWARE" 'Microsoft\SMS\Client\Configuration\Client Properties' \
    'SMS Unique Identifier' > /dev/null 2>&1 || fail "$what: SMS Unique Identifier survived"

  # Files: every artefact gone, every decoy and emptied folder kept.
  echo "$WIN_AGENT_FILES" | while IFS= read -r f; do
    ! grep -qxiF "$f" "$rb/$n.files" || fail "$what: $f survived"
  done
  echo "$WIN_AGENT_KEPT_DIRS" | while IFS= read -r d; do
    grep -qxF "$d" "$rb/$n.files" || fail "$what: folder $d was deleted"
    [ "$(grep -c "^$d/" "$rb/$n.files")" -eq 0 ] || fail "$what: $d not emptied"
  done
  echo "$WIN_AGENT_DECOYS" | while IFS= read -r f; do
    want=$(grep -F "0 $f	" "$rb/sums" | cut -f2)
    got=$(grep -F "$n $f	" "$rb/sums" | cut -f2)
    [ -n "$want" ] && [ "$got" = "$want" ] || fail "$what: decoy $f lost or changed"
  done
  echo "$WIN_DECOYS" | sed 's| /|\n/|g' | while IFS= read -r f; do
    grep -qxF "$f" "$rb/$n.files" || fail "$what: decoy $f deleted"
  done
done

# ---- one audit: two clones, two scrubbed copies ----------------------------
A=$FIXTURES/win.raw B=$FIXTURES/win.qcow2 SA=$out/win.raw SB=$out/win.qcow2
expect_status 1 "$IMGSCRUB" -q audit -p windows-clone-prep --json "$A" "$B" "$SA" "$SB" \
  > "$WORK/audit.json"
# The identities declared in windows-clone-prep and what it includes.
ids=$("$IMGSCRUB" profiles show windows-clone-prep |
  sed -n 's/^  \([^ ]*\) (\(.*\.conf\), sha256 .*/\2/p' |
  xargs sed -n 's/^identity "\(.*\)" {$/\1/p' | sort -u)
[ "$(echo "$ids" | wc -l)" -ge 40 ] || fail "too few declared identities: $ids"
for id in $ids; do
  got=$(jq -r --arg n "$id" '[.duplicates[] | select(.identity == $n) | .images[]] | sort | join(" ")' \
    "$WORK/audit.json")
  [ "$got" = "$(printf '%s\n' "$A" "$B" | sort | tr '\n' ' ' | sed 's/ $//')" ] ||
    fail "identity $id: shared by '$got', want the two clones only"
done
[ "$(jq --arg a "$SA" --arg b "$SB" \
  '[.duplicates[] | select(.images | index($a) or index($b)) | .identity] | map(select(. != "computer-name" and . != "filesystem-uuid")) | length' \
  "$WORK/audit.json")" -eq 0 ] ||
  fail "a scrubbed copy still shares an identity: $(jq -c --arg a "$SA" '[.duplicates[] | select(.images | index($a))]' "$WORK/audit.json")"
echo "$TEST_NAME: ok"
