#!/bin/sh
# scrub beyond the happy path: failures isolated per image (dirty hive,
# hibernated NTFS, guest the profile is not for), --output-format,
# --dry-run, --in-place, the launch deadline, SIGINT, --resume, and -j2
# giving the same results as -j1.
. "$top_srcdir/tests/functions.sh"

no_scratch () {
  [ -z "$(find "$1" -name '.imgscrub-*' 2>/dev/null)" ] || fail "scratch files left in $1"
}

# ---- one bad image never stops a batch -------------------------------
a="$WORK/a"
expect_status 1 "$IMGSCRUB" scrub -p sms2-clone-prep --output-format qcow2 -o "$a" \
  "$FIXTURES/win.vmdk" "$FIXTURES/win-dirty.raw" "$FIXTURES/win-hiber.raw" \
  "$FIXTURES/linux.raw" > "$WORK/a.out" 2> "$WORK/a.err"
no_scratch "$a"
[ "$(ls "$a" | sort | tr '\n' ' ')" = "manifest.json win.qcow2 " ] ||
  fail "outputs: $(ls "$a")"
qemu-img info --output=json -f qcow2 "$a/win.qcow2" | jq -e '.format == "qcow2"' > /dev/null ||
  fail "--output-format qcow2 did not write qcow2"
m="$a/manifest.json"
validate_manifest "$m"
jq -e '.images[0].status == "ok" and .images[0].output_format == "qcow2"' "$m" > /dev/null || fail "win.vmdk not ok"
jq -e '.images[1].status == "failed" and (.images[1].error | test("dirty"))' "$m" > /dev/null ||
  fail "dirty hive not reported: $(jq -r '.images[1].error' "$m")"
grep -q "'$FIXTURES/win-dirty.raw': .*registry hive is dirty" "$WORK/a.err" || fail "dirty hive message on stderr"
jq -e '.images[2].status == "failed" and (.images[2].error | test("hibernated"))' "$m" > /dev/null ||
  fail "hibernation not reported: $(jq -r '.images[2].error' "$m")"
jq -e '.images[3].status == "skipped" and (.images[3].error | test("no profile applies to linux"))' "$m" > /dev/null ||
  fail "linux guest not skipped"
jq -e '.summary == {"ok": 1, "failed": 2, "skipped": 1}' "$m" > /dev/null || fail "summary"

# ---- --dry-run: changes nothing, reports would-* ---------------------
before=$(sha256 "$FIXTURES/win.vhd")
expect_status 0 "$IMGSCRUB" scrub -p sms2-clone-prep --dry-run --manifest "$WORK/dry.json" \
  "$FIXTURES/win.vhd" > "$WORK/dry.out"
[ "$(sha256 "$FIXTURES/win.vhd")" = "$before" ] || fail "dry run changed the input"
jq -e '[.images[0].actions[] | select(.result == "would-delete")] | length == 11' "$WORK/dry.json" > /dev/null ||
  fail "dry run did not report 11 would-delete: $(jq -c '[.images[0].actions[].result]' "$WORK/dry.json")"
jq -e '[.images[0].actions[] | select(.result == "deleted")] | length == 0' "$WORK/dry.json" > /dev/null ||
  fail "dry run reports deletions"
jq -e '.images[0] | has("output") | not' "$WORK/dry.json" > /dev/null || fail "dry run names an output"

# ---- --in-place: the image itself changes ----------------------------
cp --sparse=always "$FIXTURES/win.raw" "$WORK/inplace.raw"
chmod u+w "$WORK/inplace.raw"
before=$(sha256 "$WORK/inplace.raw")
expect_status 0 "$IMGSCRUB" scrub -p sms2-clone-prep --in-place --manifest "$WORK/inplace.json" \
  "$WORK/inplace.raw" > /dev/null
[ "$(sha256 "$WORK/inplace.raw")" != "$before" ] || fail "--in-place did not change the image"
[ "$(jq -r '.images[0].output_sha256' "$WORK/inplace.json")" = "$(sha256 "$WORK/inplace.raw")" ] ||
  fail "--in-place: manifest hash is not the edited image's"
validate_manifest "$WORK/dry.json" "$WORK/inplace.json"
COLLECT_FILES="$WIN_SOFTWARE" collect "$WORK/rb" "$WORK/inplace.raw"
! hive_value "$WORK/rb/0.SOFTWARE" 'Microsoft\SMS\Client\Configuration\Client Properties' \
  'SMS Unique Identifier' > /dev/null || fail "--in-place left the SMS GUID"
[ "$(hive_value "$WORK/rb/0.SOFTWARE" 'Microsoft\SMS\Client\Configuration\Client Properties' 'Site Code')" = ABC ] ||
  fail "--in-place damaged a neighbour value"

# ---- an appliance that does not start in time is killed ---------------
expect_status 1 "$IMGSCRUB" scrub -p sms2-clone-prep --launch-timeout 1 -o "$WORK/d" \
  "$FIXTURES/win.raw" > /dev/null 2> "$WORK/d.err"
grep -q "appliance did not start within 1 s" "$WORK/d.err" || fail "no launch deadline message: $(cat "$WORK/d.err")"
[ "$(ls "$WORK/d")" = "manifest.json" ] || fail "a timed-out run left outputs"
no_scratch "$WORK/d"

# ---- SIGINT: stops cleanly, nothing partial --------------------------
"$IMGSCRUB" -v scrub -p sms2-clone-prep -o "$WORK/i" "$FIXTURES/win.raw" \
  "$FIXTURES/win.vhd" > /dev/null 2> "$WORK/i.err" &
interrupt_after_launch $! "$WORK/i.err"
[ "$(ls "$WORK/i")" = "manifest.json" ] || fail "interrupted run left: $(ls -A "$WORK/i")"
no_scratch "$WORK/i"
jq -e '.interrupted == true and ([.images[] | select(.error == "interrupted")] | length == 2)' \
  "$WORK/i/manifest.json" > /dev/null || fail "manifest of the interrupted run"
validate_manifest "$WORK/d/manifest.json" "$WORK/i/manifest.json"
[ -z "$(pgrep -f "qemu.*$WORK" || true)" ] || fail "an appliance survived the interrupt"

# ---- --resume: done images are skipped, changed ones redone -----------
mkdir -p "$WORK/in"
cp --sparse=always "$FIXTURES/win.raw" "$WORK/in/a.raw"
cp --sparse=always "$FIXTURES/winnt.raw" "$WORK/in/b.raw"
chmod u+w "$WORK/in"/*.raw
expect_status 0 "$IMGSCRUB" scrub -j1 -p sms2-clone-prep -o "$WORK/e" "$WORK/in" > /dev/null
a_out=$(sha256 "$WORK/e/a.raw")
cp --sparse=always "$FIXTURES/win.raw" "$WORK/in/b.raw"       # b changed
expect_status 0 "$IMGSCRUB" -v scrub --resume -p sms2-clone-prep -o "$WORK/e" "$WORK/in" \
  > /dev/null 2> "$WORK/e.err"
[ "$(grep -c 'Working on' "$WORK/e.err")" -eq 1 ] || fail "--resume redid more than the changed image"
grep -q "Working on $WORK/in/b.raw" "$WORK/e.err" || fail "--resume did not redo the changed image"
[ "$(sha256 "$WORK/e/a.raw")" = "$a_out" ] || fail "--resume rewrote a finished output"
jq -e '.images[0].resumed == true and .images[0].status == "ok"' "$WORK/e/manifest.json" > /dev/null ||
  fail "resumed image not recorded"
jq -e '(.images[1] | has("resumed") | not) and .images[1].input_sha256 != null' "$WORK/e/manifest.json" > /dev/null ||
  fail "redone image recorded as resumed"
[ "$(jq -r '.images[1].input_sha256' "$WORK/e/manifest.json")" = "$(sha256 "$WORK/in/b.raw")" ] ||
  fail "redone image's input hash"
validate_manifest "$WORK/e/manifest.json"

# ---- -j2 gives the same per-image results as -j1 ---------------------
expect_status 0 "$IMGSCRUB" -v scrub -j2 --drives-per-appliance 1 -p sms2-clone-prep \
  -o "$WORK/f" "$WORK/in" > /dev/null 2> "$WORK/f.err"
[ "$(grep -c 'Launching an appliance' "$WORK/f.err")" -eq 2 ] || fail "-j2 did not run two appliances"
expect_status 0 "$IMGSCRUB" scrub -j1 -p sms2-clone-prep -o "$WORK/g" "$WORK/in" > /dev/null
results () { jq -c '[.images[] | {input, status, actions: [.actions[] | {action, target, result}]}]' "$1"; }
[ "$(results "$WORK/f/manifest.json")" = "$(results "$WORK/g/manifest.json")" ] ||
  fail "-j2 and -j1 results differ"
validate_manifest "$WORK/f/manifest.json" "$WORK/g/manifest.json"
echo "$TEST_NAME: ok"
