#!/bin/bash
# Issue 22, third round, the host side: what a user hands imgscrub on
# the host (a hive and its logs, shard manifests, identity tables) is
# hostile too.  A small log may not grow a hive past the pages it
# carries; merge counts the images' statuses itself; audit --merge
# refuses a table cut at a line boundary; a FIFO is refused at once and
# a symbolic link is not followed.  Each case: the exit status, the
# message names the file and the cause, nothing written, inputs
# unchanged.  No appliance (the tree folder names are in
# tests/unit/test-archiver.c).
ISC_NO_APPLIANCE=1
. "$(dirname "$0")/functions.sh"

command -v xz > /dev/null || { echo "$TEST_NAME: skipped: no xz"; exit 77; }
command -v jq > /dev/null || { echo "$TEST_NAME: skipped: no jq"; exit 77; }
command -v python3 > /dev/null || { echo "$TEST_NAME: skipped: no python3"; exit 77; }

# run_to STATUS CMD...: CMD within 20 s (a hang is a failure), stderr in
# $WORK/err, exit STATUS.
run_to () {
  want=$1
  shift
  set +e
  timeout 20 "$@" > "$WORK/out" 2> "$WORK/err"
  got=$?
  set -e
  [ "$got" -ne 124 ] || fail "hung (killed after 20 s): $*"
  [ "$got" -eq "$want" ] || fail "expected exit $want, got $got: $* ($(head -c 600 "$WORK/err"))"
}

# says PATTERN...: every PATTERN is in the error output.
says () {
  for p in "$@"; do
    grep -qF -- "$p" "$WORK/err" || fail "no '$p' in: $(head -c 600 "$WORK/err")"
  done
}

# ---- 1. a 5 KiB hive log growing a hive to 64 MiB --------------------------
h=$WORK/hive
mkdir -p "$h"
xz -dc "$top_srcdir/tests/data/regipy/SYSTEM_B.xz" > "$h/SYSTEM"
# grow.LOG1: a valid new-format log, one HvLE entry whose hive bins size
# is 64 MiB more and whose one 4 KiB page is a new bin with a single free
# cell spanning the new space (so the result would open strictly).
python3 - "$h/SYSTEM" "$h/grow.LOG1" <<'PY'
import struct, sys
M = 0xffffffff
def rotl(x, n): return ((x << n) | (x >> (32 - n))) & M
def marvin(data, seed=0x82EF4D887A4E55C5):
    lo, hi = seed & M, seed >> 32
    def mix(lo, hi, v):
        lo = (lo + v) & M; hi ^= lo
        lo = (rotl(lo, 20) + hi) & M; hi = rotl(hi, 9) ^ lo
        lo = (rotl(lo, 27) + hi) & M; hi = rotl(hi, 19)
        return lo, hi
    i = 0
    while len(data) - i >= 4:
        lo, hi = mix(lo, hi, struct.unpack_from('<I', data, i)[0]); i += 4
    final = 0x80
    for b in reversed(data[i:]): final = (final << 8) | b
    lo, hi = mix(lo, hi, final); lo, hi = mix(lo, hi, 0)
    return (hi << 32) | lo
def checksum(b):
    c = 0
    for i in range(0, 508, 4): c ^= struct.unpack_from('<I', b, i)[0]
    return {M: M - 1, 0: 1}.get(c, c)
hive = open(sys.argv[1], 'rb').read()
seq2 = struct.unpack_from('<I', hive, 8)[0]
old = struct.unpack_from('<I', hive, 40)[0]
new = old + (64 << 20)
base = bytearray(hive[:512])
struct.pack_into('<II', base, 4, seq2, seq2)
struct.pack_into('<I', base, 28, 6)
struct.pack_into('<I', base, 508, checksum(base))
page = bytearray(4096)
page[0:4] = b'hbin'
struct.pack_into('<III', page, 4, old, new - old, 0)
struct.pack_into('<i', page, 32, new - old - 32)
size = 512 * ((40 + 8 + 4096 + 511) // 512)
e = bytearray(size)
e[0:4] = b'HvLE'
struct.pack_into('<IIIII', e, 4, size, 0, seq2, new, 1)
struct.pack_into('<II', e, 40, old, 4096)
e[48:48 + 4096] = page
struct.pack_into('<Q', e, 24, marvin(bytes(e[40:])))
struct.pack_into('<Q', e, 32, marvin(bytes(e[:32])))
open(sys.argv[2], 'wb').write(bytes(base) + bytes(e))
PY
[ "$(stat -c %s "$h/grow.LOG1")" -le 5120 ] || fail "the growing log is over 5 KiB"
sum_hive=$(sha256 "$h/SYSTEM")
sum_log=$(sha256 "$h/grow.LOG1")
run_to 1 "$IMGSCRUB" hive recover --log "$h/grow.LOG1" "$h/SYSTEM" -o "$h/out"
says "grow.LOG1" "grows past the dirty pages"
[ ! -e "$h/out" ] || fail "hive recover wrote $(stat -c %s "$h/out") bytes from a 5 KiB log"
[ -z "$(ls "$h" | grep -v '^SYSTEM$\|^grow.LOG1$')" ] || fail "left behind: $(ls "$h")"
[ "$(sha256 "$h/SYSTEM")" = "$sum_hive" ] && [ "$(sha256 "$h/grow.LOG1")" = "$sum_log" ] ||
  fail "hive recover changed its inputs"

# ---- 5. a FIFO or a symbolic link as a log ---------------------------------
mkfifo "$h/SYSTEM.LOG1"
run_to 1 "$IMGSCRUB" hive recover "$h/SYSTEM" -o "$h/out"
says "SYSTEM.LOG1" "not a regular file"
[ ! -e "$h/out" ] || fail "hive recover wrote an output beside a FIFO log"
rm "$h/SYSTEM.LOG1"
ln -s grow.LOG1 "$h/SYSTEM.LOG1"
run_to 1 "$IMGSCRUB" hive recover "$h/SYSTEM" -o "$h/out"
says "SYSTEM.LOG1" "is a symbolic link"
[ ! -e "$h/out" ] || fail "hive recover followed a symbolic link log"
run_to 1 "$IMGSCRUB" hive recover --log "$h/SYSTEM.LOG1" "$h/SYSTEM" -o "$h/out"
says "SYSTEM.LOG1" "is a symbolic link"
rm "$h/SYSTEM.LOG1"
[ "$(sha256 "$h/SYSTEM")" = "$sum_hive" ] || fail "hive recover changed the hive"

# ---- 2. merge counts the images' statuses ----------------------------------
# shard DIR K SUMMARY_FAILED [STATUS_OF_B]: shard K of 2 of inputs a-d,
# with "failed" in its summary as given (JSON text).
shard () {
  jq -n --argjson k "$2" --argjson failed "$3" --arg st "${4:-ok}" '
    {tool: "imgscrub", version: "0", mode: "output",
     started: "2026-12-01T10:00:00Z", finished: "2026-12-01T11:00:00Z",
     profiles: [{name: "p", path: "/p", reference: "KB", sha256: "00"}],
     shard: {index: $k, count: 2, inputs: 4},
     images: [{input: "img/a\($k)", status: "ok", output_sha256: "00"},
              {input: "img/b\($k)", status: $st, output_sha256: "00"}],
     summary: {ok: (if $st == "ok" then 2 else 1 end), failed: $failed, skipped: 0}}' \
    > "$1/manifest.shard-$2-of-2.json"
}
# refused_merge DIR PATTERN...: exit 2, the patterns named, nothing written.
refused_merge () {
  d=$1
  shift
  # Regular files only: cat would block on a FIFO shard.
  before=$(find "$d" -maxdepth 1 -type f -name 'manifest.shard-*' -exec sha256sum {} + | sort)
  run_to 2 "$IMGSCRUB" merge "$d"
  says "$@" "no manifest written"
  [ ! -e "$d/manifest.json" ] || fail "merge $d wrote a manifest although refused"
  [ "$(find "$d" -maxdepth 1 -type f -name 'manifest.shard-*' -exec sha256sum {} + | sort)" = "$before" ] ||
    fail "merge changed a shard"
}
m=$WORK/merge
for case in minus max real zero; do
  mkdir -p "$m/$case"
  shard "$m/$case" 2 1 failed
done
shard "$m/minus" 1 -1 failed
refused_merge "$m/minus" "manifest.shard-1-of-2.json" "not a count"
# jq would print these as floats: put them in as text.
shard "$m/max" 1 1 failed
sed -i 's/"failed": 1,/"failed": 9223372036854775807,/' "$m/max/manifest.shard-1-of-2.json"
refused_merge "$m/max" "manifest.shard-1-of-2.json" "summary says 9223372036854775807 failed, its images say 1"
shard "$m/real" 1 1 failed
sed -i 's/"failed": 1,/"failed": 1.0,/' "$m/real/manifest.shard-1-of-2.json"
refused_merge "$m/real" "manifest.shard-1-of-2.json" "not a count"
shard "$m/zero" 1 0 failed
refused_merge "$m/zero" "manifest.shard-1-of-2.json" "summary says 0 failed, its images say 1"
# The counts agree: merged, the failures counted, exit 1.
mkdir -p "$m/good"
shard "$m/good" 1 1 failed
shard "$m/good" 2 0
run_to 1 "$IMGSCRUB" merge "$m/good"
says "1 failed"
jq -e '.summary == {"ok": 3, "failed": 1, "skipped": 0}' "$m/good/manifest.json" > /dev/null ||
  fail "merged summary: $(jq -c .summary "$m/good/manifest.json")"

# ---- 5. a FIFO or a symbolic link as a shard -------------------------------
mkdir -p "$m/fifo" "$m/link"
shard "$m/fifo" 1 0
mkfifo "$m/fifo/manifest.shard-2-of-2.json"
refused_merge "$m/fifo" "manifest.shard-2-of-2.json" "not a regular file"
shard "$m/link" 1 0
echo 'SECRET-FIRST-TOKEN of a file the shard points to' > "$WORK/secret"
ln -s "$WORK/secret" "$m/link/manifest.shard-2-of-2.json"
refused_merge "$m/link" "manifest.shard-2-of-2.json" "is a symbolic link"
! grep -q SECRET "$WORK/err" || fail "merge printed the link target's content: $(cat "$WORK/err")"

# ---- 3. audit --merge: a table cut at a line boundary ----------------------
t=$WORK/tables
mkdir -p "$t"
# table FILE K IMAGE...: shard K of 2 of 4 inputs, each IMAGE with
# machine-id "m1" (so images of the two shards share it).
table () {
  f=$1 k=$2
  shift 2
  {
    jq -cn --argjson k "$k" --argjson i "$#" \
      '{identities: 1, tool: "imgscrub", version: "0",
        shard: {index: $k, count: 2, inputs: 4, images: $i},
        profiles: [{name: "linux-machine-id", sha256: "00"}]}'
    for img in "$@"; do
      jq -cn --arg i "$img" '{input: $i, status: "ok"}'
      jq -cn --arg i "$img" '{input: $i, identity: "machine-id", where: "/etc/machine-id", value: "m1"}'
    done
  } > "$f"
}
table "$t/1" 1 img/a img/b
table "$t/2" 2 img/c img/d
run_to 1 "$IMGSCRUB" audit --merge "$t/1" "$t/2"
head -1 "$t/2" > "$t/2cut"
sum_cut=$(sha256 "$t/2cut")
run_to 2 "$IMGSCRUB" audit --merge "$t/1" "$t/2cut"
says "$t/2cut" "lists 0 images, its header says 2"
[ ! -s "$WORK/out" ] || fail "audit --merge reported on a cut table"
head -3 "$t/2" > "$t/2cut1"
run_to 2 "$IMGSCRUB" audit --merge "$t/1" "$t/2cut1"
says "$t/2cut1" "lists 1 images, its header says 2"
[ "$(sha256 "$t/2cut")" = "$sum_cut" ] || fail "audit --merge changed a table"
# A table of before the "images" count, cut: the total is checked.
jq -c 'del(.shard.images)' "$t/2cut" > "$t/2old"
run_to 2 "$IMGSCRUB" audit --merge "$t/1" "$t/2old"
says "list 2 images, their headers say 4"

# ---- 5. a FIFO or a symbolic link as an identity table ---------------------
mkfifo "$t/fifo"
run_to 2 "$IMGSCRUB" audit --merge "$t/1" "$t/fifo"
says "$t/fifo" "not a regular file"
ln -s 2 "$t/link"
run_to 2 "$IMGSCRUB" audit --merge "$t/1" "$t/link"
says "$t/link" "is a symbolic link"

echo "$TEST_NAME: ok"
