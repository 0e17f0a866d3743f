#!/bin/sh
# The man pages: imgscrub(1) documents every command and option that
# --help lists, and nothing that --help does not; every environment
# variable the program reads; the exit statuses.  imgscrub-profile(5)
# holds every action kind.  Both render with man(1) without a warning.
# Generic: a new option or command needs its text in doc/imgscrub.pod,
# not an edit here.
ISC_NO_APPLIANCE=1
. "$top_srcdir/tests/functions.sh"

pod="$top_srcdir/doc/imgscrub.pod"
man1="$top_builddir/doc/imgscrub.1"
man5="$top_builddir/doc/imgscrub-profile.5"
[ -f "$man1" ] && [ -f "$man5" ] || fail "the man pages are not built (make)"

# help_options: the options defined by --help text on stdin, one per
# line: the -x and --long words of the option lines (indented at most 4
# columns, unlike usage and description continuations), before
# the description.
help_options () {
  sed -n 's/^ \{1,4\}\(-[^ ].*\)$/\1/p' |
    sed 's/  .*//' | tr ', ' '\n\n' | grep -E '^--?[A-Za-z0-9]' |
    sed 's/=.*//' | sort -u
}

# pod_options SECTION: the options of the =item lines of a section of
# the POD (SECTION is the =head1 or =head2 title), one per line.
pod_options () {
  awk -v want="$1" '
    /^=head[12] / { t = $0; sub(/^=head[12] /, "", t); on = (t == want); next }
    on && /^=item / { print }' "$pod" |
    grep -oE 'B<--?[A-Za-z0-9][A-Za-z0-9-]*>' | sed 's/^B<//; s/>$//' | sort -u
}

# compare WHAT HELP-OPTIONS POD-OPTIONS
compare () {
  missing=$(comm -23 "$2" "$3" | tr '\n' ' ')
  extra=$(comm -13 "$2" "$3" | tr '\n' ' ')
  [ -z "$missing" ] ||
    fail "$1: in --help but not in doc/imgscrub.pod: $missing"
  [ -z "$extra" ] ||
    fail "$1: in doc/imgscrub.pod but not in --help: $extra"
}

"$IMGSCRUB" --help > "$WORK/help"
help_options < "$WORK/help" > "$WORK/help.opts"
[ -s "$WORK/help.opts" ] || fail "no option found in imgscrub --help"
pod_options OPTIONS > "$WORK/pod.opts"
compare "imgscrub" "$WORK/help.opts" "$WORK/pod.opts"

# The commands: --help's "Commands:" list against the =head2 sections of
# COMMANDS.
sed -n '/^Commands:/,/^$/p' "$WORK/help" | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' |
  sort -u > "$WORK/commands"
[ -s "$WORK/commands" ] || fail "no command found in imgscrub --help"
awk '/^=head1 / { on = ($0 == "=head1 COMMANDS"); next }
     on && /^=head2 / { print $2 }' "$pod" | sort -u > "$WORK/pod.commands"
compare "commands" "$WORK/commands" "$WORK/pod.commands"

n=0
for cmd in $(cat "$WORK/commands"); do
  "$IMGSCRUB" "$cmd" --help > "$WORK/help-$cmd" || fail "$cmd --help failed"
  help_options < "$WORK/help-$cmd" > "$WORK/help-$cmd.opts"
  [ -s "$WORK/help-$cmd.opts" ] || fail "no option found in $cmd --help"
  pod_options "$cmd" > "$WORK/pod-$cmd.opts"
  compare "imgscrub $cmd" "$WORK/help-$cmd.opts" "$WORK/pod-$cmd.opts"
  # Its subcommands ("imgscrub profiles show ..." usage lines), if any,
  # are items of its section.
  sed -n "s/^\(Usage:\)\{0,1\} *imgscrub $cmd \([a-z][a-z0-9-]*\).*/\2/p" \
    "$WORK/help-$cmd" | sort -u > "$WORK/help-$cmd.subs"
  awk -v want="$cmd" '
    /^=head[12] / { t = $0; sub(/^=head[12] /, "", t); on = (t == want); next }
    on && /^=item B<[a-z]/ { print }' "$pod" |
    sed -n 's/^=item B<\([a-z][a-z0-9-]*\)>.*/\1/p' | sort -u > "$WORK/pod-$cmd.subs"
  missing=$(comm -23 "$WORK/help-$cmd.subs" "$WORK/pod-$cmd.subs" | tr '\n' ' ')
  [ -z "$missing" ] ||
    fail "imgscrub $cmd: subcommands in --help but not in doc/imgscrub.pod: $missing"
  n=$((n + $(wc -l < "$WORK/help-$cmd.opts")))
done

# Every --option the page mentions anywhere (prose, examples) exists.
cat "$WORK"/help*.opts | sort -u > "$WORK/all.opts"
grep -oE -- '--[a-z][a-z0-9-]+' "$pod" | sort -u > "$WORK/mentioned"
stale=$(comm -13 "$WORK/all.opts" "$WORK/mentioned" | tr '\n' ' ')
[ -z "$stale" ] || fail "doc/imgscrub.pod mentions options no --help has: $stale"

# Every environment variable the program reads is in ENVIRONMENT.
grep -ohE 'getenv \("[A-Z_]+"\)' "$top_srcdir"/cmd/*.c "$top_srcdir"/lib/*.c \
    "$top_srcdir"/lib/*/*.c 2>/dev/null | sed 's/.*"\(.*\)".*/\1/' | sort -u > "$WORK/env"
[ -s "$WORK/env" ] || fail "found no getenv call in the sources"
awk '/^=head1 / { on = ($0 == "=head1 ENVIRONMENT"); next }
     on && /^=item / { print }' "$pod" | grep -oE 'B<[A-Z_]+>' |
  sed 's/^B<//; s/>$//' | sort -u > "$WORK/pod.env"
missing=$(comm -23 "$WORK/env" "$WORK/pod.env" | tr '\n' ' ')
[ -z "$missing" ] || fail "environment variables read but not documented: $missing"

# The exit statuses --help names (including 130) are all in EXIT STATUS.
grep -q '130 interrupted' "$WORK/help" || fail "imgscrub --help does not give exit status 130"
sed -n '/^Exit status:/,/^$/p' "$WORK"/help* | grep -oE '(^|[ ;,])[0-9]{1,3} ' |
  tr -dc '0-9\n ' | tr ' ' '\n' | grep . | sort -un > "$WORK/statuses"
awk '/^=head1 / { on = ($0 == "=head1 EXIT STATUS"); next }
     on && /^=item / { print }' "$pod" | grep -oE 'B<[0-9]+>' | tr -dc '0-9\n' |
  sort -un > "$WORK/pod.statuses"
grep -qx 130 "$WORK/statuses" || fail "parsed no 130 from the Exit status lines"
missing=$(comm -23 "$WORK/statuses" "$WORK/pod.statuses" | tr '\n' ' ')
[ -z "$missing" ] || fail "exit statuses in --help but not in EXIT STATUS: $missing"

# Both pages render, without warnings; the generated section is there.
command -v man > /dev/null || fail "man(1) is not installed (Debian package man-db)"
for page in "$man1" "$man5"; do
  MANWIDTH=80 man --warnings -l "$page" > "$WORK/page.txt" 2> "$WORK/page.err" ||
    fail "man -l $page failed: $(cat "$WORK/page.err")"
  [ ! -s "$WORK/page.err" ] || fail "man -l $page warns: $(cat "$WORK/page.err")"
  grep -q '^NAME' "$WORK/page.txt" || fail "man -l $page: no NAME section"
  grep -q 'SEE ALSO' "$WORK/page.txt" || fail "man -l $page: no SEE ALSO section"
done
MANWIDTH=80 man -l "$man1" > "$WORK/imgscrub.txt" 2>/dev/null
grep -q '^EXIT STATUS' "$WORK/imgscrub.txt" || fail "imgscrub(1) has no EXIT STATUS"
sed -n '/^EXIT STATUS/,/^[A-Z]/p' "$WORK/imgscrub.txt" | grep -q '^ *130 ' || fail "imgscrub(1) does not show exit status 130"
MANWIDTH=80 man -l "$man5" > "$WORK/profile.txt" 2>/dev/null
kinds=$("$IMGSCRUB" profiles actions --markdown | sed -n 's/^### `\(.*\)`$/\1/p')
[ -n "$kinds" ] || fail "profiles actions --markdown lists no kind"
for k in $kinds; do
  grep -q "^   $k\$" "$WORK/profile.txt" ||
    fail "imgscrub-profile(5) has no section for the action kind $k"
  # Each of the kind's options, from the descriptors, is an item under it.
  for opt in $("$IMGSCRUB" profiles actions --markdown |
                 sed -n "/^### \`$k\`\$/,/^### /p" | sed -n 's/^| `\([a-z-]*\)` |.*/\1/p'); do
    sed -n "/^   $k\$/,/^   [a-z]/p" "$WORK/profile.txt" | grep -qE "^       $opt( |\$)" ||
      fail "imgscrub-profile(5): $k has no option $opt"
  done
done
echo "$TEST_NAME: ok ($(wc -l < "$WORK/commands") commands, $n command options)"
