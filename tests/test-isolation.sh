#!/bin/sh
# One bad image never stops a batch.  In one appliance: a blank disk (no
# operating system), a Windows image whose SOFTWARE hive is corrupt, and
# one whose output does not fit on the output filesystem each fail with
# their own cause and leave nothing behind, while the good image beside
# them is written.  Then an appliance killed while it works: its images
# are retried once in a fresh appliance and end ok, and the manifest
# says they were.  SIGTERM stops a batch cleanly.  Four launches, and
# one to read the outputs back.
. "$top_srcdir/tests/functions.sh"

for f in win.vhd win.raw; do
  [ -f "$FIXTURES/$f" ] || { echo "$TEST_NAME: skipped: no fixture $f"; exit 77; }
done
command -v jq > /dev/null || { echo "$TEST_NAME: skipped: no jq"; exit 77; }

in="$WORK/in"
out="$WORK/out"
mkdir -p "$in" "$out"
cp "$FIXTURES/win.vhd" "$in/a-good.vhd"
cp "$FIXTURES/win.vhd" "$in/z-full.vhd"
truncate -s 64M "$in/blank.raw"
# Clobber the magic of the SOFTWARE hive (the one naming the SMS GUID)
# inside the NTFS filesystem of a copy of win.raw.
cp --sparse=always "$FIXTURES/win.raw" "$in/corrupt.raw"
perl -e '
  open my $fh, "+<:raw", $ARGV[0] or die "$ARGV[0]: $!\n";
  my ($size, @found) = (-s $fh);
  for (my $off = 0; $off < $size; $off += 4096) {
    seek $fh, $off, 0;
    read $fh, my $magic, 4;
    next unless $magic eq "regf";
    seek $fh, $off, 0;
    read $fh, my $hive, 65536;
    push @found, $off if index ($hive, "SMS Unique Identifier") >= 0;
  }
  die "found " . scalar (@found) . " SOFTWARE hives, want 1\n" unless @found == 1;
  seek $fh, $found[0], 0;
  print $fh "XXXX";
  close $fh or die "$ARGV[0]: $!\n";' "$in/corrupt.raw" || fail "cannot corrupt the hive"
sha256sum "$in"/* > "$WORK/inputs.before"

# The output folder: a filesystem with room for the good output and the
# overlays, not for a second output.  Mounting needs root; without it
# z-full is simply a second good image.
full=0
if mount -t tmpfs -o size=16m tmpfs "$out" 2> /dev/null; then
  full=1
  trap 'umount "$out" 2> /dev/null || true; rm -rf "$WORK"' EXIT
else
  echo "$TEST_NAME: note: cannot mount a tmpfs here, the full-disk case is not tested"
fi

# -j1: one appliance, and outputs converted one after the other, in
# input order, so that a-good.vhd is written before z-full.vhd.
expect_status 1 "$IMGSCRUB" scrub -j1 -p sms2-clone-prep -o "$out" "$in" \
  > "$WORK/stdout" 2> "$WORK/stderr"
sha256sum "$in"/* | cmp -s "$WORK/inputs.before" - || fail "an input changed"
m="$out/manifest.json"
validate_manifest "$m"
failed_with () {
  jq -e --arg n "$1" --arg e "$2" \
    '.images[] | select(.input | endswith("/" + $n)) | .status == "failed" and (.error | test($e))' \
    "$m" > /dev/null || fail "$1 not failed with '$2': $(jq -c --arg n "$1" '.images[] | select(.input | endswith($n)) | .error' "$m")"
  grep -q "'$in/$1': .*$2" "$WORK/stderr" || fail "no message naming $1 with '$2'"
}
failed_with blank.raw "no operating system found"
failed_with corrupt.raw "SOFTWARE': not a registry hive"
if [ $full = 1 ]; then
  failed_with z-full.vhd "No space left on device"
  good="a-good.vhd manifest.json"
else
  good="a-good.vhd manifest.json z-full.vhd"
fi
[ "$(ls -A "$out" | sort | tr '\n' ' ')" = "$good " ] ||
  fail "outputs: $(ls -A "$out" | tr '\n' ' '), want $good"
[ "$(jq -r '.images[] | select(.input | endswith("/a-good.vhd")) | .output_sha256' "$m")" = \
  "$(sha256 "$out/a-good.vhd")" ] || fail "manifest hash of a-good.vhd"
cp "$out/a-good.vhd" "$WORK/a-good.vhd"
if [ $full = 1 ]; then
  umount "$out"
  trap 'rm -rf "$WORK"' EXIT
fi

# ---- an appliance dies: its images are retried in a fresh one -----------
k="$WORK/k"
mkdir -p "$k"
cp "$FIXTURES/win.vhd" "$k/a.vhd"
cp "$FIXTURES/win.vhd" "$k/b.vhd"
"$IMGSCRUB" -v scrub -j1 -p sms2-clone-prep -o "$WORK/k-out" "$k" \
  > "$WORK/k.stdout" 2> "$WORK/k.stderr" &
pid=$!
wait_for_line "$WORK/k.stderr" "Working on $k/a.vhd" 600 "the appliance never started work"
pkill -KILL -f "qemu-system.*$WORK/k-out/" || fail "no qemu to kill"
set +e
wait $pid
status=$?
set -e
[ $status -eq 0 ] || fail "the retried run exited $status: $(grep -v '^libguestfs' "$WORK/k.stderr" | tail -5)"
[ "$(grep -c 'Launching an appliance' "$WORK/k.stderr")" -eq 2 ] ||
  fail "not exactly one fresh appliance after the first died"
for f in a b; do
  grep -q "'$k/$f.vhd': the appliance died unexpectedly; retrying in a fresh appliance" "$WORK/k.stderr" ||
    fail "no message that $f.vhd is retried"
  jq -e --arg n "/$f.vhd" '.images[] | select(.input | endswith($n)) |
    .status == "ok" and .attempts == 2' "$WORK/k-out/manifest.json" > /dev/null ||
    fail "$f.vhd not ok after 2 attempts: $(jq -c .images "$WORK/k-out/manifest.json")"
done
validate_manifest "$WORK/k-out/manifest.json"
[ "$(ls -A "$WORK/k-out" | sort | tr '\n' ' ')" = "a.vhd b.vhd manifest.json " ] ||
  fail "outputs after the retry: $(ls -A "$WORK/k-out" | tr '\n' ' ')"

# ---- SIGTERM stops a batch as SIGINT does: nothing partial is left -----
"$IMGSCRUB" -v scrub -j1 -p sms2-clone-prep -o "$WORK/t-out" "$k" \
  > /dev/null 2> "$WORK/t.stderr" &
interrupt_after_launch $! "$WORK/t.stderr" TERM
[ "$(ls -A "$WORK/t-out")" = "manifest.json" ] ||
  fail "the terminated run left: $(ls -A "$WORK/t-out" | tr '\n' ' ')"
jq -e '.interrupted == true and ([.images[] | select(.error == "interrupted")] | length == 2)' \
  "$WORK/t-out/manifest.json" > /dev/null || fail "manifest of the terminated run"
validate_manifest "$WORK/t-out/manifest.json"
[ -z "$(pgrep -f "qemu.*$WORK/t-out" || true)" ] || fail "an appliance survived SIGTERM"

# The outputs written are scrubbed (read back with guestfish and hivex).
COLLECT_FILES="$WIN_SOFTWARE" \
  collect "$WORK/rb" "$WORK/a-good.vhd" "$WORK/k-out/a.vhd" "$WORK/k-out/b.vhd"
for n in 0 1 2; do
  [ -f "$WORK/rb/$n.SOFTWARE" ] || fail "output $n has no SOFTWARE hive"
  ! hive_value "$WORK/rb/$n.SOFTWARE" 'Microsoft\SMS\Client\Configuration\Client Properties' \
    'SMS Unique Identifier' > /dev/null || fail "output $n still has the SMS GUID"
  [ "$(hive_value "$WORK/rb/$n.SOFTWARE" 'Microsoft\SMS\Client\Configuration\Client Properties' \
    'Site Code')" = ABC ] || fail "output $n lost the Site Code"
  ! grep -qi '/smsuid\.dat$' "$WORK/rb/$n.files" || fail "output $n has a Smsuid.dat"
done
echo "$TEST_NAME: ok"
