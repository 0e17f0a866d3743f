#!/bin/sh
# The command line: help, usage errors and their exit status (2), before
# any image is opened.
# Launches no appliance: runs in make distcheck too.
ISC_NO_APPLIANCE=1
. "$top_srcdir/tests/functions.sh"

"$IMGSCRUB" --help > "$WORK/help"
grep -q '^  scrub ' "$WORK/help" || fail "--help does not list scrub"
grep -q '^  inspect ' "$WORK/help" || fail "--help does not list inspect"
"$IMGSCRUB" --version | grep -q '^imgscrub [0-9]' || fail "--version"
for lib in libguestfs hivex libarchive libconfuse jansson; do
  "$IMGSCRUB" --version | grep -q "^$lib [0-9]" || fail "--version gives no $lib version"
done
grep -q '130 interrupted' "$WORK/help" || fail "--help does not give exit status 130"
for cmd in inspect scrub profiles; do
  "$IMGSCRUB" $cmd --help > "$WORK/help-$cmd" || fail "$cmd --help failed"
  grep -q "Usage: imgscrub $cmd" "$WORK/help-$cmd" || fail "$cmd --help has no usage line"
done

expect_status 2 "$IMGSCRUB" --no-such-option 2> "$WORK/err"
grep -q "Try 'imgscrub --help'" "$WORK/err" || fail "bad option: no hint"
expect_status 2 "$IMGSCRUB" 2> "$WORK/err"
expect_status 2 "$IMGSCRUB" frobnicate 2> "$WORK/err"
grep -q "unknown command 'frobnicate'" "$WORK/err" || fail "unknown command message"
expect_status 2 "$IMGSCRUB" inspect 2> "$WORK/err"
grep -q "no image given" "$WORK/err" || fail "inspect without image"
expect_status 2 "$IMGSCRUB" inspect --jobs 0 x.img 2> "$WORK/err"
grep -q -- "--jobs: '0' is not a number" "$WORK/err" || fail "bad --jobs"
expect_status 2 "$IMGSCRUB" inspect --format floppy x.img 2> "$WORK/err"
grep -q "unknown format 'floppy'" "$WORK/err" || fail "bad --format"

: > "$WORK/x.img"
expect_status 2 "$IMGSCRUB" scrub -o "$WORK/out" "$WORK/x.img" 2> "$WORK/err"
grep -q "no profile given" "$WORK/err" || fail "scrub without -p"
expect_status 2 "$IMGSCRUB" scrub -p sms2-clone-prep "$WORK/x.img" 2> "$WORK/err"
grep -q "say where the result goes" "$WORK/err" || fail "scrub without -o"
expect_status 2 "$IMGSCRUB" scrub -p sms2-clone-prep --in-place -o "$WORK/out" "$WORK/x.img" 2> "$WORK/err"
# imgscrub's appliance cannot be had: the run says why, and goes on
# with the stock one (x.img, empty, then fails its own check).
IMGSCRUB_APPLIANCE=bogus "$IMGSCRUB" scrub --dry-run -p sms2-clone-prep "$WORK/x.img" 2> "$WORK/err" || true
grep -q "warning: 'bogus': IMGSCRUB_APPLIANCE is neither 'imgscrub' nor 'stock'; booting libguestfs's stock appliance" "$WORK/err" ||
  fail "a bad IMGSCRUB_APPLIANCE is not reported"
grep -q "x.img" "$WORK/err" || fail "the run stopped at the appliance warning"
expect_status 2 "$IMGSCRUB" scrub -p no-such-profile -o "$WORK/out" "$WORK/x.img" 2> "$WORK/err"
grep -q "no-such-profile" "$WORK/err" || fail "missing profile not named"
# A profile error stops the run before any image is opened: no output.
[ ! -e "$WORK/out" ] || fail "output folder created despite a usage error"
echo "$TEST_NAME: ok"
