#!/bin/sh
# The manifest tells the truth and follows doc/manifest.schema.json: a
# failed image claims no deletion (written "no"); a failed --in-place
# image claims exactly what is gone from the input; paths have no "//";
# action sources are absolute; the schema rejects any field it does not
# describe.  With --manifest - and audit --json, stdout is one JSON
# document.
. "$top_srcdir/tests/functions.sh"

command -v jq > /dev/null || { echo "$TEST_NAME: jq missing"; exit 77; }

# A file deletion that succeeds, then an edit of the DEFAULT hive, which
# is dirty, with no transaction log, in dirty.raw: that image fails
# after the first action.  (DEFAULT is read only when an action needs
# it; a dirty SOFTWARE would fail the image before any action, at
# inspection.)
cat > "$WORK/files-then-hive.conf" <<'CONF'
name = "files-then-hive"
os = "windows"
delete-file "ini" {
  path = '%SystemRoot%\Smscfg.ini'
}
delete-value "default-id" {
  key = 'HKU\.DEFAULT\Software\Imgscrub\Test'
  value = "DefaultId"
}
CONF

# dirty.raw: win.raw whose DEFAULT hive has unequal sequence numbers
# (base block checksum recomputed, so it is dirty, not corrupt).
cat > "$WORK/make-dirty.py" <<'PY'
import struct, sys
with open(sys.argv[1], "r+b") as f:
    base = bytearray(f.read(4096))
    assert base[:4] == b"regf"
    seq1 = struct.unpack_from("<I", base, 4)[0]
    struct.pack_into("<I", base, 4, seq1 + 1)
    csum = 0
    for i in range(0, 508, 4):
        csum ^= struct.unpack_from("<I", base, i)[0]
    struct.pack_into("<I", base, 508, csum)
    f.seek(0)
    f.write(base)
PY
cp --sparse=always "$FIXTURES/win.raw" "$WORK/dirty.raw"
chmod u+w "$WORK/dirty.raw"
guestfish -a "$WORK/dirty.raw" -m /dev/sda1 <<FISH || fail "cannot make dirty.raw"
download /Windows/System32/config/DEFAULT $WORK/DEFAULT
! python3 $WORK/make-dirty.py $WORK/DEFAULT
upload $WORK/DEFAULT /Windows/System32/config/DEFAULT
FISH

# ---- -o DIR/ and --manifest -: one JSON document on stdout ------------
expect_status 1 "$IMGSCRUB" scrub -p "$WORK/files-then-hive.conf" -o "$WORK/out/" --manifest - \
  "$FIXTURES/win.raw" "$WORK//dirty.raw" > "$WORK/m.json" 2> "$WORK/m.err"
jq -e . "$WORK/m.json" > /dev/null || fail "stdout is not JSON: $(head -c 300 "$WORK/m.json")"
[ "$(jq -s length "$WORK/m.json")" -eq 1 ] || fail "stdout holds more than one document"
validate_manifest "$WORK/m.json"
grep -q "^ok  *$FIXTURES/win.raw -> $WORK/out/win.raw " "$WORK/m.err" ||
  fail "report line (on stderr) does not name $WORK/out/win.raw: $(cat "$WORK/m.err")"
! grep -q '//' "$WORK/m.json" "$WORK/m.err" || fail "a path with // : $(grep '//' "$WORK/m.json" "$WORK/m.err")"
[ "$(jq -r '.images[0].output' "$WORK/m.json")" = "$WORK/out/win.raw" ] || fail "output path"
[ "$(jq -r '.images[1].input' "$WORK/m.json")" = "$WORK/dirty.raw" ] || fail "input path not normalised"
[ ! -e "$WORK/out/manifest.json" ] || fail "--manifest - also wrote out/manifest.json"
# Sources are absolute, like profiles[].path.
jq -e --arg p "$(realpath "$WORK/files-then-hive.conf")" \
  '.profiles[0].path == $p and ([.images[].actions[].source | startswith($p + ":")] | all)' \
  "$WORK/m.json" > /dev/null || fail "sources: $(jq -c '[.images[].actions[].source]' "$WORK/m.json")"
# The ok image: both actions done and written.
jq -e '.images[0] | .status == "ok" and .written == "yes" and
  ([.actions[].result] == ["deleted", "deleted"])' "$WORK/m.json" > /dev/null ||
  fail "ok image: $(jq -c '.images[0] | {status, written, r: [.actions[].result]}' "$WORK/m.json")"
# The failed image: no output, and nothing claims a deletion.
jq -e '.images[1] | .status == "failed" and .written == "no" and (has("output") | not) and
  ([.actions[].result] == ["would-delete", "failed"])' "$WORK/m.json" > /dev/null ||
  fail "failed image: $(jq -c '.images[1] | {status, written, r: [.actions[].result]}' "$WORK/m.json")"
[ "$(ls "$WORK/out")" = "win.raw" ] || fail "outputs: $(ls -A "$WORK/out")"

# ---- --in-place, failing after the first action: the input did change -
before=$(sha256 "$WORK/dirty.raw")
expect_status 1 "$IMGSCRUB" scrub -p "$WORK/files-then-hive.conf" --in-place --manifest "$WORK/ip.json" \
  "$WORK/dirty.raw" > /dev/null 2>&1
validate_manifest "$WORK/ip.json"
jq -e '.images[0] | .status == "failed" and .written == "yes" and
  ([.actions[].result] == ["deleted", "failed"])' "$WORK/ip.json" > /dev/null ||
  fail "failed in-place image: $(jq -c '.images[0] | {status, written, r: [.actions[].result]}' "$WORK/ip.json")"
[ "$(sha256 "$WORK/dirty.raw")" != "$before" ] || fail "the in-place image did not change, yet claims a deletion"
collect "$WORK/rb" "$WORK/dirty.raw"
! grep -qix '/Windows/Smscfg.ini' "$WORK/rb/0.files" || fail "Smscfg.ini is still in the in-place image"
grep -qix '/Windows/System32/config/SOFTWARE' "$WORK/rb/0.files" || fail "read-back lists no SOFTWARE hive"

# ---- the schema rejects what it does not describe ----------------------
for path in '.extra' '.images[0].extra' '.images[0].actions[0].extra' \
            '.images[0].os.extra' '.profiles[0].extra' '.summary.extra'; do
  jq "$path = 1" "$WORK/m.json" > "$WORK/bad.json"
  if python3 "$top_srcdir/tests/validate-manifest.py" "$MANIFEST_SCHEMA" "$WORK/bad.json" 2> "$WORK/bad.err"; then
    fail "the schema accepts an undescribed field $path"
  fi
  grep -q "extra" "$WORK/bad.err" || fail "no message names the field $path: $(cat "$WORK/bad.err")"
done
# ... and a failed image that claims a deletion.
jq '.images[1].actions[0].result = "deleted"' "$WORK/m.json" > "$WORK/bad.json"
! python3 "$top_srcdir/tests/validate-manifest.py" "$MANIFEST_SCHEMA" "$WORK/bad.json" 2> /dev/null ||
  fail "the schema accepts a deletion in an image that was not written"

# ---- audit --json: one document on stdout ------------------------------
expect_status 0 "$IMGSCRUB" audit --json -p sms2-clone-prep "$FIXTURES/win.raw" \
  "$FIXTURES/linux.raw" > "$WORK/audit.json" 2> "$WORK/audit.err"
jq -e '(.images | length == 2) and (.duplicates | type == "array")' "$WORK/audit.json" > /dev/null ||
  fail "audit --json: $(head -c 300 "$WORK/audit.json")"
[ "$(jq -s length "$WORK/audit.json")" -eq 1 ] || fail "audit --json printed more than one document"
cat "$WORK/audit.json" | jq -e '.images[0].status == "ok"' > /dev/null || fail "audit --json | jq -e"
echo "$TEST_NAME: ok"
