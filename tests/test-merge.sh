#!/bin/sh
# imgscrub merge: shard manifests written by hand make one manifest.json
# listing every image once, with each shard's archive; every way shards
# can fail to make one run is refused, naming what is wrong, with
# nothing written.  Then one real sharded scrub (two shards, two
# launches) is merged and its outputs read back.
. "$top_srcdir/tests/functions.sh"

SHA_A=$(printf a | sha256sum | cut -d' ' -f1)
SHA_B=$(printf b | sha256sum | cut -d' ' -f1)

# shard DIR K N INPUTS [PROFILE_SHA [N_IN_FIELD]]: write
# DIR/manifest.shard-K-of-N.json listing INPUTS (space-separated; an
# input ending in "!" failed) out of 6 inputs in all.
shard () {
  jq -n --argjson k "$2" --argjson n "${6:-$3}" --arg inputs "$4" \
    --arg sha "${5:-$SHA_A}" '
    ($inputs | split(" ") | map(select(. != ""))) as $in |
    {tool: "imgscrub", version: "0", mode: "output",
     started: "2026-12-01T10:0\($k):00Z", finished: "2026-12-01T11:0\($k):00Z",
     profiles: [{name: "sms2-clone-prep", path: "/p", reference: "KB", sha256: $sha}],
     shard: {index: $k, count: $n, inputs: 6},
     archive: {path: "out/r.shard-\($k)-of-\($n).tar", format: "tar"},
     images: [$in[] | if endswith("!") then {input: rtrimstr("!"), status: "failed", error: "truncated"}
                      else {input: ., status: "ok", output_sha256: "00"} end],
     summary: {ok: ([$in[] | select(endswith("!") | not)] | length),
               failed: ([$in[] | select(endswith("!"))] | length), skipped: 0}}' \
    > "$1/manifest.shard-$2-of-$3.json"
}

# refused DIR PATTERN: merge must exit 2, name PATTERN and write nothing.
refused () {
  expect_status 2 "$IMGSCRUB" merge "$1" 2> "$WORK/err"
  grep -q "$2" "$WORK/err" || fail "merge $1: no message '$2': $(cat "$WORK/err")"
  grep -q "no manifest written" "$WORK/err" || fail "merge $1 does not say it wrote nothing"
  [ ! -e "$1/manifest.json" ] || fail "merge $1 wrote a manifest although refused"
}

d="$WORK/good"
mkdir -p "$d"
shard "$d" 1 3 "in/f.vhd in/c.vhd"
shard "$d" 2 3 "in/e.vhd in/b.vhd!"
shard "$d" 3 3 "in/a.vhd in/d.vhd"
expect_status 1 "$IMGSCRUB" merge "$d" 2> "$WORK/err"
m="$d/manifest.json"
[ "$(jq -r '[.images[].input] | join(" ")' "$m")" = "in/a.vhd in/b.vhd in/c.vhd in/d.vhd in/e.vhd in/f.vhd" ] ||
  fail "merged images: $(jq -c '[.images[].input]' "$m")"
jq -e '.summary == {"ok": 5, "failed": 1, "skipped": 0}' "$m" > /dev/null || fail "summary $(jq -c .summary "$m")"
jq -e '[.archives[] | [.shard, .path, .kind]] == [[1, "out/r.shard-1-of-3.tar", "archive"],
  [2, "out/r.shard-2-of-3.tar", "archive"], [3, "out/r.shard-3-of-3.tar", "archive"]]' "$m" > /dev/null ||
  fail "archives: $(jq -c .archives "$m")"
jq -e '.started == "2026-12-01T10:01:00Z" and .finished == "2026-12-01T11:03:00Z"
  and ([.shards[].manifest] == ["manifest.shard-1-of-3.json", "manifest.shard-2-of-3.json", "manifest.shard-3-of-3.json"])
  and .profiles[0].sha256 == "'"$SHA_A"'" and (has("shard") | not)' "$m" > /dev/null ||
  fail "merged header: $(jq -c 'del(.images)' "$m")"
grep -q "merged 3 shards: 5 ok, 1 failed" "$WORK/err" || fail "merge summary line: $(cat "$WORK/err")"
# All ok: exit 0; merging again replaces the manifest.
shard "$d" 2 3 "in/e.vhd in/b.vhd"
expect_status 0 "$IMGSCRUB" merge "$d" 2> /dev/null
jq -e '.summary.failed == 0 and (.images | length) == 6' "$m" > /dev/null || fail "second merge"

# A missing shard, named.
d="$WORK/missing"
mkdir -p "$d"
shard "$d" 1 3 "in/a.vhd in/b.vhd"
refused "$d" "2 of 3 shards missing: manifest.shard-2-of-3.json, manifest.shard-3-of-3.json"

# Two shards claiming one image.
d="$WORK/twice"
mkdir -p "$d"
shard "$d" 1 2 "in/a.vhd in/b.vhd in/c.vhd"
shard "$d" 2 2 "in/c.vhd in/d.vhd in/e.vhd"
refused "$d" "'in/c.vhd': listed by two shards: 1 and 2"

# Shards of two runs with different N.
d="$WORK/n"
mkdir -p "$d"
shard "$d" 1 2 "in/a.vhd in/b.vhd in/c.vhd"
shard "$d" 2 2 "in/d.vhd in/e.vhd in/f.vhd"
shard "$d" 1 3 "in/a.vhd in/b.vhd"
refused "$d" "disagree on N"
# A shard whose content says another N than its name.
d="$WORK/n-field"
mkdir -p "$d"
shard "$d" 1 2 "in/a.vhd in/b.vhd in/c.vhd"
shard "$d" 2 2 "in/d.vhd in/e.vhd in/f.vhd" "$SHA_A" 3
refused "$d" "manifest.shard-2-of-2.json.*does not say shard 2 of 2"

# Different profiles (same name, other content).
d="$WORK/profiles"
mkdir -p "$d"
shard "$d" 1 2 "in/a.vhd in/b.vhd in/c.vhd"
shard "$d" 2 2 "in/d.vhd in/e.vhd in/f.vhd" "$SHA_B"
refused "$d" "disagree on the profiles: manifest.shard-1-of-2.json used sms2-clone-prep $SHA_A; manifest.shard-2-of-2.json used sms2-clone-prep $SHA_B"

# A shard that is not JSON; an image lost (5 listed of 6 split).
d="$WORK/broken"
mkdir -p "$d"
shard "$d" 1 2 "in/a.vhd in/b.vhd in/c.vhd"
echo '{"images": [' > "$d/manifest.shard-2-of-2.json"
refused "$d" "manifest.shard-2-of-2.json': not a manifest"
shard "$d" 2 2 "in/d.vhd in/e.vhd"
refused "$d" "the shards list 5 images, but split 6"
expect_status 2 "$IMGSCRUB" merge "$WORK" 2> /dev/null

# ---- --shard and --shard auto, on images refused before any launch ------
expect_status 2 "$IMGSCRUB" scrub -p sms2-clone-prep --shard auto -o "$WORK/u" x.img 2> "$WORK/err"
grep -q "no array job variable is set (SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX)" "$WORK/err" ||
  fail "--shard auto outside an array: $(cat "$WORK/err")"
expect_status 2 env JOB_COMPLETION_INDEX=0 "$IMGSCRUB" scrub -p sms2-clone-prep --shard auto -o "$WORK/u" x.img 2> "$WORK/err"
grep -q "give --shard-count N or set IMGSCRUB_SHARD_COUNT" "$WORK/err" || fail "no count: $(cat "$WORK/err")"
expect_status 2 "$IMGSCRUB" scrub -p sms2-clone-prep --shard 0/3 -o "$WORK/u" x.img 2> /dev/null
expect_status 2 "$IMGSCRUB" scrub -p sms2-clone-prep --shard 1/3 --dry-run x.img 2> /dev/null
expect_status 2 "$IMGSCRUB" scrub -p sms2-clone-prep --shard 1/3 --shard-count 3 -o "$WORK/u" x.img 2> /dev/null
expect_status 2 "$IMGSCRUB" audit --shard 4/3 x.img 2> /dev/null
expect_status 2 "$IMGSCRUB" inspect --shard 1/3 x.img 2> /dev/null
[ ! -e "$WORK/u" ] || fail "a usage error created the output folder"

# Random bytes named .img fail their check, so no appliance starts.
bad=$WORK/bad
mkdir -p "$bad"
for i in 1 2 3 4 5; do head -c $((i * 65536)) /dev/urandom > "$bad/b$i.img"; done
u=$WORK/u
# Slurm's task 6 of an array 5-7: shard 2 of 3.
expect_status 1 env SLURM_ARRAY_TASK_ID=6 SLURM_ARRAY_TASK_MIN=5 SLURM_ARRAY_TASK_COUNT=3 \
  "$IMGSCRUB" -q scrub --shard auto -p sms2-clone-prep -o "$u" "$bad" > /dev/null 2>&1
# Kubernetes' index 0 and AWS Batch's index 2, N from the variable and
# the option.
expect_status 1 env JOB_COMPLETION_INDEX=0 IMGSCRUB_SHARD_COUNT=3 \
  "$IMGSCRUB" -q scrub --shard auto -p sms2-clone-prep -o "$u" "$bad" > /dev/null 2>&1
expect_status 1 env AWS_BATCH_JOB_ARRAY_INDEX=2 \
  "$IMGSCRUB" -q scrub --shard auto --shard-count 3 -p sms2-clone-prep -o "$u" "$bad" > /dev/null 2>&1
# Largest first, each to the lightest shard: b5 b4 b3 to 1 2 3, then
# b2 to 3 (3 < 4 < 5), b1 to 2 (4 < 5 = 3 + 2, the lower index on a tie).
for want in "1 b5" "2 b1 b4" "3 b2 b3"; do
  k=${want%% *}
  got=$(jq -r '[.images[].input | sub(".*/"; "") | sub(".img"; "")] | join(" ")' "$u/manifest.shard-$k-of-3.json")
  [ "$k $got" = "$want" ] || fail "shard $k holds $got, want ${want#* }"
  jq -e --argjson k "$k" '.shard == {"index": $k, "count": 3, "inputs": 5}' "$u/manifest.shard-$k-of-3.json" > /dev/null ||
    fail "shard $k: $(jq -c .shard "$u/manifest.shard-$k-of-3.json")"
done
expect_status 1 "$IMGSCRUB" merge "$u" 2> /dev/null
jq -e '(.images | length) == 5 and .summary.failed == 5' "$u/manifest.json" > /dev/null || fail "merge of the failed shards"
validate_manifest "$u"/manifest.shard-*-of-3.json "$u/manifest.json"
# More shards than images: the last is empty, and still merges.
u=$WORK/u6
for k in 1 2 3 4 5 6; do
  "$IMGSCRUB" -q scrub --shard $k/6 -p sms2-clone-prep -o "$u" "$bad" > /dev/null 2>&1 || true
done
jq -e '.images == [] and .summary.ok == 0' "$u/manifest.shard-6-of-6.json" > /dev/null || fail "empty shard 6"
expect_status 1 "$IMGSCRUB" merge "$u" 2> /dev/null
[ "$(jq '.images | length' "$u/manifest.json")" -eq 5 ] || fail "merge with an empty shard"

# ---- one real sharded scrub: two shards, each its own appliance -------
in="$WORK/in"
out="$WORK/out"
mkdir -p "$in" "$out"
cp "$FIXTURES/win.vhd" "$FIXTURES/winnt.vmdk" "$FIXTURES/linux.qcow2" "$in/"
chmod a-w "$in"/*
for k in 1 2; do
  expect_status 0 "$IMGSCRUB" -q scrub --shard $k/2 -p sms2-clone-prep -p linux-machine-id \
    -o "$out" --archive "$out/bundle.tar" "$in" > "$WORK/scrub$k.out" 2>&1
  [ -f "$out/manifest.shard-$k-of-2.json" ] || fail "shard $k wrote no shard manifest"
  [ -f "$out/bundle.shard-$k-of-2.tar" ] || fail "shard $k wrote no archive of its own"
done
[ ! -e "$out/manifest.json" ] && [ ! -e "$out/bundle.tar" ] || fail "a shard wrote the run's manifest or archive"
# By size: win.vhd (18 MiB) alone, winnt.vmdk and linux.qcow2 together.
jq -e '[.images[].input | sub(".*/"; "")] == ["win.vhd"] and .shard == {"index": 1, "count": 2, "inputs": 3}' \
  "$out/manifest.shard-1-of-2.json" > /dev/null || fail "shard 1: $(jq -c '[.shard, [.images[].input]]' "$out/manifest.shard-1-of-2.json")"
expect_status 0 "$IMGSCRUB" merge "$out" 2> /dev/null
m="$out/manifest.json"
validate_manifest "$out"/manifest.shard-*-of-2.json "$m"
[ "$(jq -r '[.images[].input | sub(".*/"; "")] | join(" ")' "$m")" = "linux.qcow2 win.vhd winnt.vmdk" ] ||
  fail "real merge: $(jq -c '[.images[].input]' "$m")"
jq -e '[.archives[].path | sub(".*/"; "")] == ["bundle.shard-1-of-2.tar", "bundle.shard-2-of-2.tar"]' "$m" > /dev/null ||
  fail "real merge archives: $(jq -c .archives "$m")"
for f in win.vhd winnt.vmdk linux.qcow2; do
  [ "$(jq -r --arg n "$f" '.images[] | select(.input | endswith("/" + $n)) | .output_sha256' "$m")" = "$(sha256 "$out/$f")" ] ||
    fail "merged manifest hash of $f"
done
COLLECT_FILES="$WIN_SOFTWARE /etc/machine-id" collect "$WORK/rb" "$out/win.vhd" "$out/winnt.vmdk" "$out/linux.qcow2"
for n in 0 1; do
  ! hive_value "$WORK/rb/$n.SOFTWARE" 'Microsoft\SMS\Client\Configuration\Client Properties' \
    'SMS Unique Identifier' > /dev/null || fail "Windows output $n still has the SMS GUID"
done
[ -f "$WORK/rb/2.machine-id" ] && [ ! -s "$WORK/rb/2.machine-id" ] || fail "linux.qcow2: machine-id not emptied"
exit 0
