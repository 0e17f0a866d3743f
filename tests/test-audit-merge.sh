#!/bin/sh
# audit --merge: identity tables written by hand for three shards give
# the duplicates across shards (images sorted, empty values never
# compared, unreadable ones reported); every way the tables can fail to
# make one audit is refused, naming what is wrong.  Then a real audit in
# two shards (two launches) finds, merged, exactly what one unsharded
# audit of the same images finds (one launch).
. "$top_srcdir/tests/functions.sh"

SHA_A=$(printf a | sha256sum | cut -d' ' -f1)
SHA_B=$(printf b | sha256sum | cut -d' ' -f1)

# table FILE K N [PROFILE_SHA [INPUTS]]: a header, then rows read from
# stdin as "IMAGE IDENTITY VALUE" (value "-": unreadable; "EMPTY": "").
table () {
  {
    jq -cn --argjson k "$2" --argjson n "$3" --arg sha "${4:-$SHA_A}" --argjson t "${5:-6}" \
      '{identities: 1, tool: "imgscrub", version: "0", shard: {index: $k, count: $n, inputs: $t},
        profiles: [{name: "linux-machine-id", sha256: $sha}]}'
    last=
    while read -r img id value; do
      [ "$img" = "$last" ] || jq -cn --arg i "$img" '{input: $i, status: "ok"}'
      last=$img
      if [ "$value" = "-" ]; then
        jq -cn --arg i "$img" --arg n "$id" '{input: $i, identity: $n, where: "/etc/x", error: "cannot read"}'
      else
        [ "$value" != EMPTY ] || value=
        jq -cn --arg i "$img" --arg n "$id" --arg v "$value" '{input: $i, identity: $n, where: "/etc/x", value: $v}'
      fi
    done
  } > "$1"
}

t=$WORK/t
mkdir -p "$t"
table "$t/1" 1 3 <<'R'
img/f machine-id m1
img/f computer-name web
img/c machine-id m2
img/c ssh-host-key k1
R
table "$t/2" 2 3 <<'R'
img/e machine-id m1
img/e computer-name web
img/e ssh-host-key k1
img/b machine-id EMPTY
R
table "$t/3" 3 3 <<'R'
img/a machine-id m3
img/a computer-name db
img/a ssh-host-key k1
img/d machine-id EMPTY
img/d ssh-host-key -
R
expect_status 1 "$IMGSCRUB" audit --merge --json "$t/3" "$t/1" "$t/2" > "$WORK/m.json" 2> "$WORK/err"
jq -e '.duplicates == [
  {"identity": "computer-name", "value": "web", "images": ["img/e", "img/f"]},
  {"identity": "machine-id", "value": "m1", "images": ["img/e", "img/f"]},
  {"identity": "ssh-host-key", "value": "k1", "images": ["img/a", "img/c", "img/e"]}]' "$WORK/m.json" > /dev/null ||
  fail "duplicates: $(jq -c .duplicates "$WORK/m.json")"
jq -e '.counts == {"shards": 3, "images": 6, "rows": 12, "distinct": 6}' "$WORK/m.json" > /dev/null ||
  fail "counts: $(jq -c .counts "$WORK/m.json")"
grep -q "'img/d': identity ssh-host-key at /etc/x: cannot read" "$WORK/err" || fail "unreadable identity not reported: $(cat "$WORK/err")"
"$IMGSCRUB" audit --merge "$t/1" "$t/2" "$t/3" > "$WORK/m.txt" 2> /dev/null || true
grep -q "^3 identity values shared by two or more images" "$WORK/m.txt" || fail "text report: $(cat "$WORK/m.txt")"
# Nothing shared, nothing unreadable: 0.
table "$t/solo" 1 1 "$SHA_A" 2 <<'R'
img/a machine-id m1
img/b machine-id m2
R
expect_status 0 "$IMGSCRUB" audit --merge "$t/solo" > /dev/null

# refused MSG FILE...: exit 2, MSG named, nothing compared.
refused () {
  msg=$1
  shift
  expect_status 2 "$IMGSCRUB" audit --merge "$@" > "$WORK/out" 2> "$WORK/err"
  grep -q -- "$msg" "$WORK/err" || fail "audit --merge $*: no message '$msg': $(cat "$WORK/err")"
  [ ! -s "$WORK/out" ] || fail "audit --merge $* printed a report although refused"
}
refused "2 of 3 shards missing: shards 2, 3 " "$t/1"
refused "1 of 3 shards missing: shard 2" "$t/1" "$t/3"
refused "shard 1 of 3 was read already" "$t/1" "$t/2" "$t/3" "$t/1"
table "$t/2b" 2 3 <<'R'
img/f machine-id m9
R
refused "'img/f': listed by two shards: 1 ('$t/1') and 2" "$t/1" "$t/2b" "$t/3"
table "$t/n4" 2 4 <<'R'
img/e machine-id m1
R
refused "disagree on N: this is shard 2 of 4" "$t/1" "$t/n4" "$t/3"
table "$t/pb" 2 3 "$SHA_B" <<'R'
img/e machine-id m1
R
refused "'$t/pb': the shards disagree on the profiles" "$t/1" "$t/pb" "$t/3"
table "$t/in7" 2 3 "$SHA_A" 7 <<'R'
img/e machine-id m1
R
refused "disagree on the inputs" "$t/1" "$t/in7" "$t/3"
echo '{"images": []}' > "$t/bad"
refused "not an identity table" "$t/bad"
printf '%s\n{"input": ' "$(head -1 "$t/2")" > "$t/cut"
refused "line 2: not a JSON object" "$t/1" "$t/cut" "$t/3"
refused "cannot open" "$WORK/none"
expect_status 2 "$IMGSCRUB" audit --merge -p linux-machine-id "$t/1" 2> /dev/null
expect_status 2 "$IMGSCRUB" audit --merge 2> /dev/null

# ---- a real audit in two shards ------------------------------------------
imgs=$WORK/images
mkdir -p "$imgs"
cp --sparse=always "$FIXTURES/linux.raw" "$imgs/linux-a.raw"
cp "$FIXTURES/linux.qcow2" "$imgs/linux-b.qcow2"
for k in 1 2; do
  expect_status 0 "$IMGSCRUB" -q audit -p linux-machine-id --shard $k/2 \
    --identities-out "$WORK/ids.$k" "$imgs" > /dev/null 2> "$WORK/err.$k"
  [ "$(head -1 "$WORK/ids.$k" | jq -c .shard)" = "{\"index\":$k,\"count\":2,\"inputs\":2,\"images\":1}" ] ||
    fail "table $k header: $(head -1 "$WORK/ids.$k")"
done
expect_status 1 "$IMGSCRUB" audit --merge --json "$WORK/ids.1" "$WORK/ids.2" > "$WORK/sharded.json" 2> /dev/null
expect_status 1 "$IMGSCRUB" -q audit -p linux-machine-id --json "$imgs" > "$WORK/whole.json" 2> /dev/null
jq -e '.duplicates | map(.identity) | index("machine-id") != null' "$WORK/sharded.json" > /dev/null ||
  fail "the clones' machine-id not found across shards: $(jq -c .duplicates "$WORK/sharded.json")"
[ "$(jq -cS .duplicates "$WORK/sharded.json")" = "$(jq -cS .duplicates "$WORK/whole.json")" ] ||
  fail "sharded and whole audits differ: $(jq -c .duplicates "$WORK/sharded.json") vs $(jq -c .duplicates "$WORK/whole.json")"
exit 0
