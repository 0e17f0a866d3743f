#!/bin/bash
# imgscrub hive recover on real dirty Windows hives (tests/data/regipy,
# from the regipy project): the result is clean (equal sequence numbers,
# valid checksum), opens strictly with hivex, and its keys and values
# before/after, added/removed, are exactly the reference recovery's
# figures (yarp's, in tests/data/regipy/README.md).  Then damaged logs:
# recovery stops at the first bad entry, never crashes; inputs are never
# modified.  No appliance.
. "$(dirname "$0")/functions.sh"

DATA="$top_srcdir/tests/data/regipy"
WALK="$top_builddir/tests/hivewalk"
command -v xz > /dev/null || { echo "$TEST_NAME: skipped: no xz"; exit 77; }

unpack () {
  mkdir -p "$2"
  xz -dc "$DATA/$1.xz" > "$2/$1"
}

# The command line.
"$IMGSCRUB" --help | grep -q '^  hive ' || fail "--help does not list hive"
"$IMGSCRUB" hive --help | grep -q 'Usage: imgscrub hive recover' || fail "hive --help"
expect_status 2 "$IMGSCRUB" hive 2> /dev/null
expect_status 2 "$IMGSCRUB" hive frobnicate x 2> /dev/null
expect_status 2 "$IMGSCRUB" hive recover x 2> "$WORK/err"
grep -q 'no output given' "$WORK/err" || fail "hive recover without -o"
expect_status 2 "$IMGSCRUB" hive recover -o y 2> /dev/null
expect_status 2 "$IMGSCRUB" hive recover --log a --log b --log c --log d x -o y 2> /dev/null

# The two base block sequence numbers, and whether the XOR-32 checksum
# of the first 508 bytes is the one stored.
seqs () {
  od -An -tu4 -j4 -N8 "$1" | tr -s ' ' | sed 's/^ //'
}
checksum_ok () {
  set -- $(od -An -tu4 -N512 -v "$1")
  c=0
  i=0
  for w; do
    [ $i -lt 127 ] && c=$((c ^ w))
    i=$((i + 1))
    stored=$w
  done
  [ $c -eq 4294967295 ] && c=4294967294
  [ $c -eq 0 ] && c=1
  [ $c -eq "$stored" ]
}

# counts BEFORE AFTER: "keys B A +ADD -REM values B A +ADD -REM", by
# walking both hives with hivex (keys as paths, values as (path, name)).
counts () {
  "$WALK" "$1" | sort -u > "$WORK/before.list" || fail "hivex cannot walk $1"
  "$WALK" "$2" | sort -u > "$WORK/after.list" || fail "hivex cannot walk $2"
  out=
  for t in K V; do
    grep "^$t" "$WORK/before.list" > "$WORK/b" || :
    grep "^$t" "$WORK/after.list" > "$WORK/a" || :
    out="$out $(wc -l < "$WORK/b") $(wc -l < "$WORK/a")"
    out="$out +$(comm -13 "$WORK/b" "$WORK/a" | wc -l)"
    out="$out -$(comm -23 "$WORK/b" "$WORK/a" | wc -l)"
  done
  echo $out
}

# check_clean HIVE: equal sequence numbers, valid checksum.
check_clean () {
  set -- "$1" $(seqs "$1")
  [ "$2" -eq "$3" ] || fail "$1: sequence numbers $2 / $3 differ"
  checksum_ok "$1" || fail "$1: wrong base block checksum"
}

# ---- transactions_NTUSER.DAT: its logs have lowercase names ---------
T="$WORK/ntuser"
for f in transactions_NTUSER.DAT transactions_ntuser.dat.log1 \
         transactions_ntuser.dat.log2; do
  unpack "$f" "$T"
done
before=$(cd "$T" && sha256sum *)
set -- $(seqs "$T/transactions_NTUSER.DAT")
[ "$1" -ne "$2" ] || fail "transactions_NTUSER.DAT is not dirty"
"$IMGSCRUB" hive recover "$T/transactions_NTUSER.DAT" -o "$WORK/ntuser.rec" \
  > "$WORK/ntuser.out" || fail "hive recover failed on transactions_NTUSER.DAT"
cat "$WORK/ntuser.out"
check_clean "$WORK/ntuser.rec"
hivexsh -w "$WORK/ntuser.rec" < /dev/null > /dev/null 2>&1 ||
  fail "hivexsh does not open the recovered NTUSER.DAT"
# README: log1 only; keys 2590 -> 3105 (+521 / -6), values 4119 -> 4695
# (+595 / -19).
got=$(counts "$T/transactions_NTUSER.DAT" "$WORK/ntuser.rec")
[ "$got" = "2590 3105 +521 -6 4119 4695 +595 -19" ] ||
  fail "transactions_NTUSER.DAT: keys/values $got, the reference recovery gives 2590 3105 +521 -6 4119 4695 +595 -19"
grep -q 'log1: [1-9][0-9]* entries applied' "$WORK/ntuser.out" ||
  fail "log1 not applied"
grep -q 'log2: not applicable' "$WORK/ntuser.out" ||
  fail "log2 (older entries) should not be applied"
[ "$before" = "$(cd "$T" && sha256sum *)" ] || fail "an input was modified"
ls "$WORK" | grep -q 'tmp-' && fail "a temporary file was left behind"

# The recovered hive is clean: said so, exit 0, an identical copy.
"$IMGSCRUB" hive recover "$WORK/ntuser.rec" --log "$T/transactions_ntuser.dat.log1" \
  -o "$WORK/again" > "$WORK/again.out" || fail "hive recover failed on a clean hive"
grep -q ': clean' "$WORK/again.out" || fail "a clean hive was not said to be clean"
cmp -s "$WORK/ntuser.rec" "$WORK/again" || fail "a clean hive's output differs"

# The output is never an input.
expect_status 2 "$IMGSCRUB" hive recover "$T/transactions_NTUSER.DAT" \
  -o "$T/transactions_ntuser.dat.log2"
[ "$before" = "$(cd "$T" && sha256sum *)" ] || fail "an input was overwritten"

# ---- SYSTEM_B: both logs, the hive grows ------------------------------
S="$WORK/system"
for f in SYSTEM_B SYSTEM_B.LOG1 SYSTEM_B.LOG2; do
  unpack "$f" "$S"
done
"$IMGSCRUB" hive recover "$S/SYSTEM_B" -o "$WORK/system.rec" --json \
  > "$WORK/system.json" || fail "hive recover failed on SYSTEM_B"
check_clean "$WORK/system.rec"
python3 - "$WORK/system.json" "$WORK/system.rec" <<'EOF' || fail "SYSTEM_B: --json output"
import json, os, sys
j = json.load(open(sys.argv[1]))
assert j["state"] == "dirty" and j["recovered"] is True, j
assert j["format"] == "new", j
assert [l["entries"] > 0 for l in j["logs"]] == [True, True], j["logs"]
assert j["entries"] == sum(l["entries"] for l in j["logs"]), j
# README: hive bins data 12398592 -> 12591104 bytes.
assert j["hive_bins_size_before"] == 12398592, j
assert j["hive_bins_size_after"] == 12591104, j
assert os.path.getsize(sys.argv[2]) == 4096 + 12591104
print("SYSTEM_B: %d entries, %d pages" % (j["entries"], j["pages"]))
EOF
got=$(counts "$S/SYSTEM_B" "$WORK/system.rec")
[ "$got" = "33123 35595 +2472 -0 74957 78901 +3944 -0" ] ||
  fail "SYSTEM_B: keys/values $got, the reference recovery gives 33123 35595 +2472 -0 74957 78901 +3944 -0"

# ---- damaged logs --------------------------------------------------------
# Each is recovered to the last good entry or refused; never a crash,
# and what is written opens with hivex.
keys_of () { "$WALK" "$1" | grep -c '^K'; }
full_keys=$(keys_of "$WORK/system.rec")
D="$WORK/damaged"
mkdir -p "$D"
cp "$S/SYSTEM_B" "$D/"

# LOG2 cut in the middle of its entries: LOG1 whole, LOG2 in part.
cp "$S/SYSTEM_B.LOG1" "$D/"
head -c 1000000 "$S/SYSTEM_B.LOG2" > "$D/SYSTEM_B.LOG2"
"$IMGSCRUB" hive recover "$D/SYSTEM_B" -o "$D/cut.rec" > "$D/cut.out" ||
  fail "recovery with a truncated LOG2 failed"
grep -q 'LOG2: [0-9]* entries applied .*runs past the end of the log' "$D/cut.out" ||
  { cat "$D/cut.out"; fail "a truncated LOG2 did not stop at the cut entry"; }
check_clean "$D/cut.rec"
n=$(keys_of "$D/cut.rec") || fail "hivex cannot walk the hive recovered from a cut log"
[ "$n" -ge 33123 ] && [ "$n" -le "$full_keys" ] || fail "cut log: $n keys"

# A byte of LOG1's third entry flipped: its first two entries only, and
# LOG2 (which would skip the rest) not at all.
cp "$S/SYSTEM_B.LOG2" "$D/"
cp "$S/SYSTEM_B.LOG1" "$D/SYSTEM_B.LOG1"
third=$(python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read()
pos = 512
for i in range(2):
    pos += struct.unpack_from("<I", d, pos + 4)[0]
print(pos)' "$D/SYSTEM_B.LOG1")
printf '\x55' | dd of="$D/SYSTEM_B.LOG1" bs=1 seek=$((third + 100)) conv=notrunc 2> /dev/null
"$IMGSCRUB" hive recover "$D/SYSTEM_B" -o "$D/bad.rec" > "$D/bad.out" ||
  fail "recovery with a corrupted LOG1 failed"
grep -q "LOG1: 2 entries applied .*offset $third: wrong hash" "$D/bad.out" ||
  { cat "$D/bad.out"; fail "a corrupted entry did not stop recovery"; }
grep -q 'LOG2: not applied' "$D/bad.out" || fail "LOG2 applied past a gap"
"$WALK" "$D/bad.rec" > /dev/null || fail "hivex cannot walk the partly recovered hive"

# LOG1's first entry broken: nothing can be applied, exit 1, no output.
printf '\x55' | dd of="$D/SYSTEM_B.LOG1" bs=1 seek=600 conv=notrunc 2> /dev/null
expect_status 1 "$IMGSCRUB" hive recover "$D/SYSTEM_B" -o "$D/none.rec" 2> "$D/none.err"
grep -q 'no transaction log can recover it' "$D/none.err" || fail "message: $(cat "$D/none.err")"
[ ! -e "$D/none.rec" ] || fail "an output was written for an unrecoverable hive"

# No log at all: said exactly so.
mkdir "$D/alone"
cp "$S/SYSTEM_B" "$D/alone/"
expect_status 1 "$IMGSCRUB" hive recover "$D/alone/SYSTEM_B" -o "$D/alone.rec" 2> "$D/alone.err"
grep -q 'dirty and has no transaction log' "$D/alone.err" || fail "message: $(cat "$D/alone.err")"

# Garbage logs of every small size: no crash (exit 0 or 1 only).
for n in 0 1 511 512 513 4096 8192; do
  head -c $n /dev/urandom > "$D/alone/SYSTEM_B.LOG1"
  head -c $n "$S/SYSTEM_B.LOG2" > "$D/alone/SYSTEM_B.LOG2"
  set +e
  "$IMGSCRUB" hive recover "$D/alone/SYSTEM_B" -o "$D/g.rec" > /dev/null 2>&1
  st=$?
  set -e
  [ $st -le 1 ] || fail "garbage logs of $n bytes: exit $st"
done

# Valgrind on one whole recovery, when installed (about 2 s).
if command -v valgrind > /dev/null; then
  valgrind -q --error-exitcode=9 --leak-check=full "$IMGSCRUB" hive recover \
    "$T/transactions_NTUSER.DAT" -o "$WORK/vg.rec" > /dev/null ||
    fail "valgrind reports errors in hive recover"
fi
echo "$TEST_NAME: ok"
