#!/bin/sh
# The installed program (make installcheck, after make install, with or
# without DESTDIR): it runs, reports its libraries, finds its own
# installed profiles and not the source tree's (which are moved out of
# the way meanwhile), checks every shipped profile, and its man pages and
# bash completion are installed and work.  Launches no appliance.
#
# Not in TESTS: moving the source tree's profiles aside would break the
# tests running beside it.  .ci/run runs it after `make install
# DESTDIR=...`; make distcheck runs it through installcheck.
set -eu
: "${bindir:?run through make installcheck}"
: "${pkgdatadir:?}" "${mandir:?}" "${bashcompletiondir:?}" "${top_srcdir:?}"
D=${DESTDIR:-}
TEST_NAME=test-install
prog="$D$bindir/imgscrub"
profdir="$D$pkgdatadir/profiles"
# What a user's environment would not have.
unset IMGSCRUB_PROFILE_PATH

fail () {
  echo "$TEST_NAME: FAIL: $*" >&2
  exit 1
}

[ -x "$prog" ] || fail "$prog is not installed"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/imgscrub-installcheck.XXXXXX")

# The source tree's profiles go aside for the duration (when the tree is
# writable: make distcheck's is not, and its build tree is elsewhere).
src="$top_srcdir/profiles"
aside="$top_srcdir/profiles.installcheck-aside"
restore () {
  if [ -d "$aside" ] && [ ! -e "$src" ]; then
    mv "$aside" "$src"
  fi
  rm -rf "$WORK"
}
if [ ! -e "$src" ] && [ -d "$aside" ]; then    # an earlier run was killed
  mv "$aside" "$src"
fi
trap restore EXIT
trap 'restore; exit 130' INT TERM HUP
shipped=$(cd "$src" && ls *.conf | sed 's/\.conf$//' | sort)
[ -n "$shipped" ] || fail "no profile in $src"
if [ -w "$top_srcdir" ] && [ ! -e "$aside" ]; then
  mv "$src" "$aside"
fi

# --version: imgscrub and each library.
"$prog" --version > "$WORK/version" || fail "--version failed"
head -n 1 "$WORK/version" | grep -q '^imgscrub [0-9]' || fail "--version: $(head -n 1 "$WORK/version")"
for lib in libguestfs hivex libarchive libconfuse jansson; do
  grep -q "^$lib [0-9]" "$WORK/version" || fail "--version does not give the $lib version"
done

# profiles list: exactly the shipped profiles, from the installed folder.
"$prog" -v profiles list > "$WORK/list" 2> "$WORK/list.err" ||
  fail "profiles list failed: $(cat "$WORK/list.err")"
[ ! -s "$WORK/list.err" ] || fail "profiles list warns: $(cat "$WORK/list.err")"
want=$(readlink -f "$profdir")
found=no
for dir in $(sed -n 's/^#   //p' "$WORK/list"); do
  [ "$(readlink -f "$dir" 2>/dev/null || echo "$dir")" = "$want" ] && found=yes
  case $dir in "$src"|"$aside") fail "the search path has the source tree: $dir" ;; esac
done
[ "$found" = yes ] || fail "the search path lacks $profdir: $(sed -n 's/^#   //p' "$WORK/list" | tr '\n' ' ')"
listed=$(grep -v '^#' "$WORK/list" | cut -f1 | sort)
[ "$listed" = "$shipped" ] ||
  fail "profiles list gives '$(echo $listed)', shipped are '$(echo $shipped)'"

# Each shipped profile: found by name in the installed folder, and valid.
for name in $shipped; do
  "$prog" profiles show "$name" > "$WORK/show" || fail "profiles show $name failed"
  file=$(sed -n 's/^file: *//p' "$WORK/show")
  [ "$(readlink -f "$file")" = "$want/$name.conf" ] ||
    fail "profile $name was read from $file, not $profdir"
  "$prog" profiles check "$profdir/$name.conf" > "$WORK/check" 2>&1 ||
    fail "profiles check $name: $(cat "$WORK/check")"
done

# The man pages and the completion.
for page in man1/imgscrub.1 man5/imgscrub-profile.5; do
  [ -f "$D$mandir/$page" ] || fail "$mandir/$page is not installed"
  if command -v man > /dev/null; then
    MANWIDTH=80 man -l "$D$mandir/$page" 2> /dev/null | grep -q '^NAME' ||
      fail "man -l $D$mandir/$page shows nothing"
  fi
done
completion="$D$bashcompletiondir/imgscrub"
[ -f "$completion" ] || fail "$bashcompletiondir/imgscrub is not installed"
if command -v bash > /dev/null; then
  got=$(bash -c '. "$1"; COMP_WORDS=("$2" scrub -p sms); COMP_CWORD=3; _imgscrub;
                 printf "%s\n" "${COMPREPLY[@]}"' complete "$completion" "$prog")
  [ "$got" = sms2-clone-prep ] || fail "installed completion of -p sms gives '$got'"
fi

# The manifest's schema, once the source tree has one.
if [ -f "$top_srcdir/doc/manifest.schema.json" ]; then
  [ -f "$D$pkgdatadir/manifest.schema.json" ] || fail "the manifest schema is not installed"
fi
echo "$TEST_NAME: ok ($prog, $(echo $shipped | wc -w) profiles)"
