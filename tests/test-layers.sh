#!/bin/sh
# lib/'s layers (tests/layers.py): no file includes a higher layer or a
# peer, cmd/ includes no private header of lib/, no include circle.
# Then the same check on a copy of the tree with wrong includes planted
# in it, each of which it must name: an upward include, a peer include,
# a private header in cmd/, and a circle.
ISC_NO_APPLIANCE=1
. "$top_srcdir/tests/functions.sh"

command -v python3 > /dev/null || { echo "$TEST_NAME: skipped: no python3"; exit 77; }
layers="$top_srcdir/tests/layers.py"

python3 "$layers" --root "$top_srcdir" > "$WORK/tree.out" ||
  { cat "$WORK/tree.out"; fail "the tree breaks its layers"; }

copy="$WORK/copy"
mkdir -p "$copy"
(cd "$top_srcdir" && tar cf - lib cmd) | (cd "$copy" && tar xf -)
python3 "$layers" --root "$copy" > /dev/null || fail "the copy differs from the tree"

# plant FILE LINE: add the include LINE at the top of the copy's FILE.
plant () {
  { echo "$2"; cat "$copy/$1"; } > "$copy/$1.new" && mv "$copy/$1.new" "$copy/$1"
}
plant lib/util/time.c '#include "outputs/shard.h"'
plant lib/actions/delete_key.c '#include "audit/audit.h"'
plant cmd/main.c '#include "guest/private.h"'
plant lib/guest/path.c '#include "guest/targets.h"'
set +e
python3 "$layers" --root "$copy" > "$WORK/planted.out"
status=$?
set -e
cat "$WORK/planted.out"
[ "$status" -eq 1 ] || fail "planted wrong includes: exit $status, want 1"
grep -q '^lib/util/time.c:1: includes "outputs/shard.h": outputs is above util$' "$WORK/planted.out" ||
  fail "the upward include was not named"
grep -q '^lib/actions/delete_key.c:1: includes "audit/audit.h": audit and actions are peers$' "$WORK/planted.out" ||
  fail "the peer include was not named"
grep -q '^cmd/main.c:1: includes "guest/private.h", a private header of lib/$' "$WORK/planted.out" ||
  fail "the private header in cmd/ was not named"
grep -q '^include circle: lib/guest/path lib/guest/reg lib/guest/targets$' "$WORK/planted.out" ||
  fail "the circle was not named"
[ "$(wc -l < "$WORK/planted.out")" -eq 4 ] || fail "more than the planted problems were named"
echo "$TEST_NAME: ok"
