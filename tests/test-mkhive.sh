#!/bin/sh
# The fixtures' hive writer (tests/mkhive): a regf file written from
# scratch, filled through hivex, read back here with hivex's own tools.
# Launches no appliance: runs in make distcheck too.
ISC_NO_APPLIANCE=1
. "$top_srcdir/tests/functions.sh"
mkhive="$top_builddir/tests/mkhive"

# An empty spec gives a valid hive with an empty root.
: > "$WORK/empty.spec"
"$mkhive" "$WORK/empty.spec" "$WORK/empty.hive"
[ "$(echo ls | hivexsh "$WORK/empty.hive")" = "" ] || fail "empty hive has keys"
[ "$(head -c 4 "$WORK/empty.hive")" = regf ] || fail "no regf signature"

cat > "$WORK/t.spec" <<'SPEC'
# comment
[Top\Middle\Leaf]
"Text"=sz:héllo wörld
"Expand"=expand_sz:%SystemRoot%\x
"Number"=dword:0x2a
"Big"=qword:0x100000001
"List"=multi_sz:a|b|c
"Bytes"=hex:de,ad,be,ef
@=sz:the default
[Top\Other]
"V"=sz:other
SPEC
"$mkhive" "$WORK/t.spec" "$WORK/t.hive"
h="$WORK/t.hive"
[ "$(hivexget "$h" 'Top\Middle\Leaf' Text)" = "héllo wörld" ] || fail "sz"
[ "$(hivexget "$h" 'Top\Middle\Leaf' Expand)" = '%SystemRoot%\x' ] || fail "expand_sz"
[ "$(hivexget "$h" 'Top\Middle\Leaf' Number)" = 42 ] || fail "dword"
hivexget "$h" 'Top\Middle\Leaf' | grep -qx '"List"=hex(7):61,00,00,00,62,00,00,00,63,00,00,00,00,00' || fail "multi_sz"
hivexget "$h" 'Top\Middle\Leaf' | grep -qx '"Big"=hex(11):01,00,00,00,01,00,00,00' || fail "qword"
hivexget "$h" 'Top\Middle\Leaf' | grep -qx '"Bytes"=hex(3):de,ad,be,ef' || fail "binary"
hivexget "$h" 'Top\Middle\Leaf' | grep -qx '"@"="the default"' || fail "default value"
[ "$(hive_subkeys "$h" 'Top' | sort | tr '\n' ,)" = "Middle,Other," ] || fail "nested keys"

# The two sequence numbers: equal for a clean hive, unequal with --dirty,
# and the header checksum (XOR of the first 127 dwords) still valid.
seq () { od -A n -t u4 -j "$2" -N 4 "$1" | tr -d ' '; }
[ "$(seq "$h" 4)" = "$(seq "$h" 8)" ] || fail "clean hive has unequal sequence numbers"
"$mkhive" --dirty "$WORK/t.spec" "$WORK/d.hive"
[ "$(seq "$WORK/d.hive" 4)" != "$(seq "$WORK/d.hive" 8)" ] || fail "--dirty hive has equal sequence numbers"
[ "$(hivexget "$WORK/d.hive" 'Top\Other' V)" = other ] || fail "dirty hive unreadable (bad checksum?)"
xor=$(od -A n -t u4 -N 508 -v "$WORK/d.hive" | tr -s ' ' '\n' | grep . |
      { x=0; while read -r v; do x=$((x ^ v)); done; echo $x; })
[ "$xor" = "$(seq "$WORK/d.hive" 508)" ] || fail "header checksum wrong after --dirty"

# A bad spec line is an error naming the line; no hive is left.
printf '[K]\n"x"=bogus:1\n' > "$WORK/bad.spec"
expect_status 1 "$mkhive" "$WORK/bad.spec" "$WORK/bad.hive" 2> "$WORK/err"
grep -q "bad.spec:2: unknown type" "$WORK/err" || fail "bad spec message: $(cat "$WORK/err")"
[ ! -e "$WORK/bad.hive" ] || fail "a hive was left after a bad spec"
echo "$TEST_NAME: ok"
