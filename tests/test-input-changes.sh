#!/bin/sh
# An input that changes while scrub works on it: its output would not be
# the scrubbed input, so the image fails, says why, and leaves nothing;
# the other images of the batch are done.  The inputs are hashed while
# the appliance boots and checked again before each output is renamed
# into place: both must catch it.  big.raw, 32 GiB of holes, keeps its
# hasher busy for many seconds, so the change reaches the hasher itself:
# its manifest entry then has no input hash.
. "$top_srcdir/tests/functions.sh"

in="$WORK/in" out="$WORK/out"
mkdir -p "$in"
for n in kept touched replaced; do
  cp --sparse=always "$FIXTURES/win.raw" "$in/$n.raw"
done
cp --sparse=always "$FIXTURES/win.raw" "$in/big.raw"
truncate -s 32G "$in/big.raw"
kept_sha=$(sha256 "$in/kept.raw")

"$IMGSCRUB" -v scrub -p sms2-clone-prep -o "$out" \
  "$in/kept.raw" "$in/touched.raw" "$in/replaced.raw" "$in/big.raw" \
  > "$WORK/out.txt" 2> "$WORK/err" &
pid=$!
wait_for_line "$WORK/err" "Launching an appliance" 30 "scrub never started its appliance"
# The appliance needs far longer than this to boot: both changes come
# after the check and the overlay, before any output exists.
touch -d '2001-01-01' "$in/touched.raw"
mv "$in/replaced.raw" "$in/replaced.old"
cp --sparse=always "$in/replaced.old" "$in/replaced.raw"
touch -d '2001-01-01' "$in/big.raw"
set +e
wait "$pid"
status=$?
set -e
[ "$status" -eq 1 ] || { cat "$WORK/err"; fail "exit $status, want 1"; }

m="$out/manifest.json"
validate_manifest "$m"
[ "$(ls "$out" | sort | tr '\n' ' ')" = "kept.raw manifest.json " ] ||
  fail "outputs: $(ls -A "$out" | tr '\n' ' ')"
jq -e '.images[0].status == "ok"' "$m" > /dev/null || fail "kept.raw not ok"
[ "$(jq -r '.images[0].input_sha256' "$m")" = "$kept_sha" ] ||
  fail "kept.raw: manifest input_sha256 is not the input's"
[ "$(jq -r '.images[0].output_sha256' "$m")" = "$(sha256 "$out/kept.raw")" ] ||
  fail "kept.raw: manifest output_sha256 is not the output's"
jq -e '.images[1].status == "failed" and (.images[1].error | test("changed after it was checked"))' "$m" > /dev/null ||
  fail "touched.raw: $(jq -c '.images[1] | [.status, .error]' "$m")"
jq -e '.images[2].status == "failed" and (.images[2].error | test("replaced after it was checked"))' "$m" > /dev/null ||
  fail "replaced.raw: $(jq -c '.images[2] | [.status, .error]' "$m")"
jq -e '.images[3].status == "failed" and (.images[3].error | test("changed after it was checked")) and (.images[3] | has("input_sha256") | not)' "$m" > /dev/null ||
  fail "big.raw: $(jq -c '.images[3] | [.status, .error, .input_sha256]' "$m")"
jq -e '[.images[1,2,3] | has("output") or has("output_sha256")] | any | not' "$m" > /dev/null ||
  fail "a failed image claims an output"
grep -q "'$in/touched.raw': .*changed after it was checked" "$WORK/err" ||
  fail "no message names touched.raw and the cause"
[ -z "$(find "$out" -name '.imgscrub-*')" ] || fail "scratch files left in $out"
echo "$TEST_NAME: ok"
