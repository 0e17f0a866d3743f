#!/bin/sh
# `imgscrub profiles`: list, show, check and actions, without any image;
# and profiles/README.md holds the current `profiles actions --markdown`.
# Launches no appliance: runs in make distcheck too.
ISC_NO_APPLIANCE=1
. "$top_srcdir/tests/functions.sh"

"$IMGSCRUB" profiles list > "$WORK/list"
for p in sms2-clone-prep windows-machine-guid wsus-client-id sccm-client \
         linux-machine-id; do
  grep -q "^$p	" "$WORK/list" || fail "profiles list lacks $p"
done
grep -q "^sms2-clone-prep	windows	Microsoft KB Q257808	" "$WORK/list" ||
  fail "profiles list: sms2-clone-prep's os or reference"
# Every shipped profile is listed, and profiles/README.md's table is the
# current `profiles list`.
for f in "$top_srcdir"/profiles/*.conf; do
  grep -q "^$(basename "$f" .conf)	" "$WORK/list" || fail "profiles list lacks $(basename "$f")"
done
awk -F'\t' 'BEGIN { print "| profile | os | removes | source |"; print "| --- | --- | --- | --- |" }
  { printf "| `%s` | %s | %s | %s |\n", $1, $2, $4, $3 }' "$WORK/list" > "$WORK/table.md"
sed -n '/^<!-- BEGIN imgscrub profiles list -->$/,/^<!-- END/p' \
  "$top_srcdir/profiles/README.md" | sed '1d;$d' > "$WORK/readme-table.md"
cmp -s "$WORK/table.md" "$WORK/readme-table.md" ||
  fail "profiles/README.md's profile table is out of date: $(diff "$WORK/readme-table.md" "$WORK/table.md")"
# windows-clone-prep includes every Windows profile but the hygiene one.
awk -F'\t' '$2 == "windows" && $1 != "windows-clone-prep" && $1 != "windows-hygiene" { print $1 }' \
  "$WORK/list" | sort > "$WORK/win-profiles"
"$IMGSCRUB" profiles show windows-clone-prep | sed -n 's/^  \([^ ]*\) (.*\.conf, sha256 .*/\1/p' |
  sort > "$WORK/win-included"
cmp -s "$WORK/win-profiles" "$WORK/win-included" ||
  fail "windows-clone-prep does not include every Windows profile: $(diff "$WORK/win-profiles" "$WORK/win-included")"
"$IMGSCRUB" profiles list -v | grep -q "^#   $top_srcdir/profiles\$" ||
  fail "profiles list -v does not show the search path"

"$IMGSCRUB" profiles show sms2-clone-prep > "$WORK/show"
grep -q '^sha256:      [0-9a-f]\{64\}$' "$WORK/show" || fail "show: no SHA-256"
[ "$(grep -c 'sms2-clone-prep.conf:[0-9]*	delete' "$WORK/show")" -eq 5 ] ||
  fail "show: not 5 actions with file:line"
grep "	delete" "$WORK/show" | cut -f2 > "$WORK/kinds"
printf '%s\n' "delete-value 'step-3'" "delete-files 'step-4'" \
  "delete-file 'step-5'" "delete-subkeys 'step-6'" "delete-files 'step-7'" |
  cmp -s - "$WORK/kinds" || fail "show: actions not in KB Q257808 order"

# check: valid files exit 0; any invalid one exits 2 with FILE:LINE.
"$IMGSCRUB" profiles check "$top_srcdir"/profiles/*.conf > "$WORK/out" 2> "$WORK/err" ||
  fail "shipped profiles do not check"
[ ! -s "$WORK/err" ] || fail "check printed on stderr for valid profiles"
cat > "$WORK/bad.conf" <<'CONF'
name = "bad"
os = "windows"
delete-value "a" {
  key = 'HKLM\SOFTWARE\X'
  value = "v"
  bogus = 1
}
CONF
expect_status 2 "$IMGSCRUB" profiles check "$top_srcdir/profiles/wsus-client-id.conf" "$WORK/bad.conf" 2> "$WORK/err"
grep -qx "imgscrub: $WORK/bad.conf:6: delete-value 'a': no such option 'bogus'" "$WORK/err" ||
  fail "check: message is $(cat "$WORK/err")"
expect_status 2 "$IMGSCRUB" profiles show no-such-profile 2> "$WORK/err"
grep -q "no-such-profile" "$WORK/err" || fail "show: missing profile not named"
expect_status 2 "$IMGSCRUB" profiles frob 2> "$WORK/err"
expect_status 2 "$IMGSCRUB" profiles 2> "$WORK/err"

# actions: every kind of the table in lib/actions/table.c, each from
# its own file and Makefile.am line, every option documented.
"$IMGSCRUB" profiles actions > "$WORK/actions"
sed -n 's/^  &isc_action_\([a-z_]*\),$/\1/p' "$top_srcdir/lib/actions/table.c" \
  > "$WORK/table"
[ "$(wc -l < "$WORK/table")" -ge 11 ] || fail "cannot read the kinds table"
while read -r sym; do
  k=$(echo "$sym" | tr _ -)
  grep -q "^$k (" "$WORK/actions" || fail "profiles actions lacks $k"
  grep -q "lib/actions/$sym.c" "$top_srcdir/Makefile.am" ||
    fail "kind $k has no Makefile.am line"
  grep -q "^const struct isc_action_kind isc_action_$sym = {" \
    "$top_srcdir/lib/actions/$sym.c" || fail "kind $k is not in lib/actions/$sym.c"
done < "$WORK/table"
[ "$(grep -c '^[a-z-]* (' "$WORK/actions")" -eq "$(wc -l < "$WORK/table")" ] ||
  fail "profiles actions lists kinds that are not in the table"
! grep -q '(undocumented)' "$WORK/actions" || fail "an option is undocumented"
"$IMGSCRUB" profiles actions --markdown > "$WORK/actions.md"
sed -n '/^<!-- BEGIN imgscrub profiles actions --markdown -->$/,/^<!-- END/p' \
  "$top_srcdir/profiles/README.md" | sed '1d;$d' > "$WORK/readme.md"
cmp -s "$WORK/actions.md" "$WORK/readme.md" ||
  fail "profiles/README.md is out of date: paste 'imgscrub profiles actions --markdown'"
echo "$TEST_NAME: ok"
