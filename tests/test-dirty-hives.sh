#!/bin/sh
# --dirty-hives on the win-dirtylog fixture, whose SYSTEM is the real
# dirty Windows 10 hive SYSTEM_B with SYSTEM.LOG1 and system.log2:
#  - replay (the default): the logs are applied before the hive is read
#    (the profile deletes a value only the logs hold), the edit is made,
#    the logs are emptied; the output's hive holds the recovered keys;
#  - refuse: the image fails, no output;
#  - discard: the hive is read as it is, recorded in the manifest and on
#    stderr;
#  - audit reads the recovered view and says so.
# Read back with guestfish and hivex, not imgscrub.  Seven appliance
# launches (and one guestfish).
. "$top_srcdir/tests/functions.sh"

IMG="$FIXTURES/win-dirtylog.raw"
[ -f "$IMG" ] || { echo "$TEST_NAME: skipped: no fixture $IMG"; exit 77; }
command -v jq > /dev/null || { echo "$TEST_NAME: skipped: no jq"; exit 77; }
WALK="$top_builddir/tests/hivewalk"
CONF="$top_srcdir/tests/test-dirtylog.conf"
CFG='/Windows/System32/config'
CLASS='\ControlSet001\Control\Class\{4d36e96c-e325-11ce-bfc1-08002be10318}\0013'
in_sum=$(sha256 "$IMG")

# readback IMAGE DEST: the guest's SYSTEM and its logs.
readback () {
  mkdir -p "$2"
  guestfish --ro -a "$1" -i <<EOF > /dev/null
download $CFG/SYSTEM $2/SYSTEM
download $CFG/SYSTEM.LOG1 $2/SYSTEM.LOG1
download $CFG/system.log2 $2/system.log2
EOF
}
# hive_entry MANIFEST: the SYSTEM hive's entry of image 0.
hive_entry () {
  jq -c --arg p "$CFG/SYSTEM" '.images[0].hives[] | select(.path == $p)' "$1"
}

# ---- replay (default) ---------------------------------------------------
out="$WORK/replay"
"$IMGSCRUB" scrub -p "$CONF" -o "$out" "$IMG" > "$WORK/replay.out" 2> "$WORK/replay.err" ||
  { cat "$WORK/replay.err"; fail "scrub of the dirty image failed"; }
m="$out/manifest.json"
validate_manifest "$m"
e=$(hive_entry "$m")
echo "SYSTEM: $e"
echo "$e" | jq -e '.state == "dirty" and .dirty_hives == "replay" and
  .log_entries_replayed == 24 and .logs == "reset" and
  (.log_files | length) == 2' > /dev/null || fail "hive entry: $e"
jq -e '.images[0].status == "ok" and
  ([.images[0].actions[] | select(.title == "driver-desc") | .result] == ["deleted"])' "$m" > /dev/null ||
  fail "the value only the logs hold was not deleted: $(jq -c '.images[0].actions' "$m")"
# The other hives are clean and say so.
jq -e '[.images[0].hives[] | select(.path != "'"$CFG/SYSTEM"'") | .state] | all(. == "clean")' "$m" > /dev/null ||
  fail "hive states: $(jq -c '.images[0].hives' "$m")"
grep -q "registry hive '$CFG/SYSTEM' was dirty: 24 transaction log entries replayed" "$WORK/replay.err" ||
  fail "replay not said on stderr: $(cat "$WORK/replay.err")"
[ "$(sha256 "$IMG")" = "$in_sum" ] || fail "the input changed"

R="$WORK/rb-replay"
readback "$out/win-dirtylog.raw" "$R"
[ ! -s "$R/SYSTEM.LOG1" ] && [ ! -s "$R/system.log2" ] || fail "the logs were not emptied"
set -- $(od -An -tu4 -j4 -N8 "$R/SYSTEM")
[ "$1" -eq "$2" ] || fail "the written hive is dirty ($1 / $2)"
hivexget "$R/SYSTEM" "$CLASS" DriverDesc > /dev/null 2>&1 && fail "DriverDesc is still there"
[ "$(hivexget "$R/SYSTEM" "$CLASS" ProviderName)" = "NVIDIA Corporation" ] ||
  fail "a value the logs added is missing from the output"
# Every recovered key (tests/data/regipy/README.md: 35595 after the
# logs) and every recovered value but the one deleted (78901 - 1).
"$WALK" "$R/SYSTEM" | sort -u > "$WORK/after.list" || fail "hivex cannot walk the output's SYSTEM"
[ "$(grep -c '^K' "$WORK/after.list")" -eq 35595 ] || fail "keys: $(grep -c '^K' "$WORK/after.list")"
[ "$(grep -c '^V' "$WORK/after.list")" -eq 78900 ] || fail "values: $(grep -c '^V' "$WORK/after.list")"

# ---- refuse -------------------------------------------------------------
out="$WORK/refuse"
expect_status 1 "$IMGSCRUB" scrub --dirty-hives=refuse -p "$CONF" -o "$out" "$IMG" \
  > /dev/null 2> "$WORK/refuse.err"
[ ! -e "$out/win-dirtylog.raw" ] || fail "refuse wrote an output"
grep -q "registry hive is dirty: .*--dirty-hives=refuse" "$WORK/refuse.err" ||
  fail "refuse: $(cat "$WORK/refuse.err")"
jq -e '.images[0].status == "failed"' "$out/manifest.json" > /dev/null || fail "refuse: not failed"
validate_manifest "$out/manifest.json"
hive_entry "$out/manifest.json" | jq -e '.dirty_hives == "refuse" and .logs == "untouched"' > /dev/null ||
  fail "refuse: hive entry $(hive_entry "$out/manifest.json")"

# ---- discard (and its old name) -------------------------------------------
out="$WORK/discard"
"$IMGSCRUB" scrub --allow-dirty-hives -p "$CONF" -o "$out" "$IMG" > /dev/null 2> "$WORK/discard.err" ||
  fail "discard: scrub failed"
grep -q "registry hive '$CFG/SYSTEM' is dirty: read as it is.*--dirty-hives=discard" "$WORK/discard.err" ||
  fail "discard not said on stderr: $(cat "$WORK/discard.err")"
validate_manifest "$out/manifest.json"
e=$(hive_entry "$out/manifest.json")
echo "$e" | jq -e '.state == "dirty" and .dirty_hives == "discard" and
  .log_entries_replayed == 0 and .logs == "untouched"' > /dev/null || fail "discard: hive entry $e"
# Without the logs the value is not there to delete.
jq -e '[.images[0].actions[] | select(.title == "driver-desc") | .result] == ["absent"]' \
  "$out/manifest.json" > /dev/null || fail "discard: $(jq -c '.images[0].actions' "$out/manifest.json")"
expect_status 2 "$IMGSCRUB" scrub --dirty-hives=maybe -p "$CONF" -o "$out" "$IMG" 2> /dev/null

# ---- audit reads the recovered view ---------------------------------------
"$IMGSCRUB" audit --json "$IMG" > "$WORK/audit.json" 2> "$WORK/audit.err" || :
jq -e --arg p "$CFG/SYSTEM" '.images[0].status == "ok" and
  ([.images[0].hives[] | select(.path == $p) | .log_entries_replayed] == [24])' \
  "$WORK/audit.json" > /dev/null || fail "audit: $(jq -c '.images[0]' "$WORK/audit.json")"
grep -q "was dirty: 24 transaction log entries replayed" "$WORK/audit.err" ||
  fail "audit did not say it replayed the logs"

# ---- inspect too, and says so ---------------------------------------------
"$IMGSCRUB" inspect --json "$IMG" > "$WORK/inspect.json" 2> "$WORK/inspect.err" ||
  fail "inspect failed: $(cat "$WORK/inspect.err")"
jq -e --arg p "$CFG/SYSTEM" '.images[0].status == "ok" and
  (.images[0].os | has("registry_dirty") | not) and (.images[0].os.hostname | length) > 0 and
  ([.images[0].hives[] | select(.path == $p) | .log_entries_replayed] == [24])' \
  "$WORK/inspect.json" > /dev/null || fail "inspect: $(jq -c '.images[0]' "$WORK/inspect.json")"
"$IMGSCRUB" inspect "$IMG" 2> /dev/null | grep -q "registry: .*SYSTEM: dirty, read after replaying 24 transaction log entries" ||
  fail "inspect's text does not say the logs were replayed"
expect_status 1 "$IMGSCRUB" inspect --dirty-hives=refuse "$IMG" > /dev/null 2> "$WORK/inspect-refuse.err"
grep -q "dirty-hives=refuse" "$WORK/inspect-refuse.err" || fail "inspect refuse: $(cat "$WORK/inspect-refuse.err")"
[ "$(sha256 "$IMG")" = "$in_sum" ] || fail "the input changed"
echo "$TEST_NAME: ok"
