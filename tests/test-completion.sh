#!/bin/sh
# The bash completion (completion/imgscrub): sourced in bash, its
# function called with COMP_WORDS/COMP_CWORD set as bash sets them, the
# COMPREPLY it gives checked against what the program's --help and
# `profiles list` say.
ISC_NO_APPLIANCE=1
. "$top_srcdir/tests/functions.sh"

command -v bash > /dev/null || { echo "$TEST_NAME: skipped: no bash"; exit 77; }
comp="$top_srcdir/completion/imgscrub"

# complete WORD...: the words offered, sorted, one a line, when the
# cursor is at the end of the last WORD (give "" for a new word).
complete_words () {
  bash -c '
    . "$1" || exit 9
    shift
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    _imgscrub || exit 9
    printf "%s\n" "${COMPREPLY[@]}"' complete "$comp" "$IMGSCRUB" "$@" |
    grep . | sort
}

# expect WANT WORD...: the words offered are exactly WANT (space-separated).
expect () {
  want=$(printf '%s\n' $1 | sort)
  shift
  got=$(complete_words "$@")
  [ "$got" = "$want" ] ||
    fail "imgscrub $*: offered '$(echo $got)', want '$(echo $want)'"
}

# The commands, from --help.
"$IMGSCRUB" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' > "$WORK/commands"
[ "$(wc -l < "$WORK/commands")" -ge 4 ] || fail "could not read the commands from --help"
expect "$(cat "$WORK/commands")" ""
expect "scrub" sc
expect "--verbose --version" --ver
# Global options before the command do not hide it.
expect "--dry-run" -v scrub --dry
expect "--output-dir --output-format" scrub --out

# Every option of every command's --help is offered after "--".
for cmd in $(cat "$WORK/commands"); do
  "$IMGSCRUB" "$cmd" --help | sed -n 's/^ \{1,4\}\(-[^ ].*\)$/\1/p' | sed 's/  .*//' |
    tr ', ' '\n\n' | grep -E '^--[a-z]' | sort -u > "$WORK/$cmd.opts"
  [ -s "$WORK/$cmd.opts" ] || fail "no option in $cmd --help"
  complete_words "$cmd" -- > "$WORK/$cmd.offered"
  cmp -s "$WORK/$cmd.opts" "$WORK/$cmd.offered" ||
    fail "imgscrub $cmd --: offered $(echo $(cat "$WORK/$cmd.offered")), --help has $(echo $(cat "$WORK/$cmd.opts"))"
done

# Argument words, from the options' descriptions.
expect "raw qcow2 vmdk vhd vmdk-stream vhd-fixed vhdx" scrub --output-format ""
expect "vsphere azure gce aws hyperv" scrub --target ""
expect "scrub remove keep" scrub --snapshots ""
expect "vhd vmdk vhdx" scrub --format v
expect "tar tar.gz tar.xz tar.zst zip" scrub --archive-format ""
expect "qcow2" scrub --output-format = q
expect "" scrub --jobs ""
# Every option whose argument is a word list (not a file, folder, number,
# glob or profile) offers at least two words, each named in its --help
# (so --dirty-hives and the like are covered once they exist).
for cmd in $(cat "$WORK/commands"); do
  "$IMGSCRUB" "$cmd" --help > "$WORK/$cmd.help"
  sed -n 's/^ \{1,4\}\(-[^ ].*\)$/\1/p' "$WORK/$cmd.help" | sed 's/  .*//' |
    sed -n 's/^.*\(--[a-z][a-z0-9-]*\) \([A-Z][A-Z]*\)$/\1 \2/p' |
    while read -r opt arg; do
      case $arg in FILE|DIR|OUTDIR|N|SECS|GLOB) continue ;; esac
      words=$(complete_words "$cmd" "$opt" "")
      [ "$(echo "$words" | grep -c .)" -ge 2 ] ||
        fail "imgscrub $cmd $opt: offered '$(echo $words)', want its values"
      for w in $words; do
        grep -q -- "$w" "$WORK/$cmd.help" || fail "imgscrub $cmd $opt: '$w' is not in --help"
      done
    done
done

# Profile names for -p, from the search path.
"$IMGSCRUB" profiles list | cut -f1 > "$WORK/profiles"
grep -qx sms2-clone-prep "$WORK/profiles" || fail "profiles list has no sms2-clone-prep"
expect "sms2-clone-prep" scrub -p sms
expect "sms2-clone-prep" audit --profile sms
mkdir "$WORK/path"
sed 's/^name = .*/name = "zz-completion-test"/' "$top_srcdir/profiles/linux-machine-id.conf" \
  > "$WORK/path/zz-completion-test.conf"
(IMGSCRUB_PROFILE_PATH="$WORK/path:$IMGSCRUB_PROFILE_PATH"
 export IMGSCRUB_PROFILE_PATH
 expect "zz-completion-test" scrub -p zz) || exit 1
(cd "$WORK" && expect "" scrub -p zz) || exit 1
# ... and profile files.
(cd "$WORK/path" && expect "./zz-completion-test.conf" scrub -p ./zz) || exit 1

# Images (any file) and folders for arguments, folders for -o.
mkdir "$WORK/imgs" "$WORK/imgs/sub"
: > "$WORK/imgs/a.vhd"
: > "$WORK/imgs/b.qcow2"
expect "$WORK/imgs/a.vhd $WORK/imgs/b.qcow2 $WORK/imgs/sub" inspect "$WORK/imgs/"
expect "$WORK/imgs/a.vhd" scrub -p sms2-clone-prep -o "$WORK/out" "$WORK/imgs/a"
expect "$WORK/imgs/sub" scrub -o "$WORK/imgs/"

# Subcommands of profiles, from its usage lines; then their arguments.
expect "actions check list show" profiles ""
expect "sms2-clone-prep" profiles show sms
expect "--markdown" profiles actions --mark
echo "$TEST_NAME: ok"
