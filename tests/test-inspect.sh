#!/bin/sh
# inspect: every fixture in every format, in ONE appliance launch; each
# reports its format, OS, product, hostname, architecture and system root.
. "$top_srcdir/tests/functions.sh"

set --
for f in win winnt linux; do
  for ext in raw vhd vmdk qcow2; do set -- "$@" "$FIXTURES/$f.$ext"; done
done
expect_status 0 "$IMGSCRUB" -v inspect -j1 --json "$@" > "$WORK/out.json" 2> "$WORK/err"
[ "$(grep -c 'Launching an appliance' "$WORK/err")" -eq 1 ] ||
  fail "expected one appliance launch for 12 images: $(grep -c 'Launching' "$WORK/err")"

check () {   # INDEX KEY EXPECTED
  got=$(jq -r ".images[$1].$2" "$WORK/out.json")
  [ "$got" = "$3" ] || fail "image $1 ($(jq -r ".images[$1].input" "$WORK/out.json")): $2 is '$got', want '$3'"
}
i=0
for f in win winnt linux; do
  for fmt in raw vpc vmdk qcow2; do
    check $i status ok
    check $i input_format $fmt
    check $i virtual_size 67108864
    case $f in
      win)
        check $i os.os windows
        check $i os.product_name "$WIN_PRODUCT"
        check $i os.hostname "$WIN_HOSTNAME"
        check $i os.arch x86_64
        check $i os.version 6.1
        check $i os.windows_systemroot /Windows
        check $i os.windows_current_control_set ControlSet002 ;;
      winnt)
        check $i os.product_name "$WINNT_PRODUCT"
        check $i os.hostname "$WINNT_HOSTNAME"
        check $i os.windows_systemroot /WINNT ;;
      linux)
        check $i os.os linux
        check $i os.distro debian
        check $i os.hostname "$LINUX_HOSTNAME" ;;
    esac
    # Each image is mounted from its own disk, even where clones share
    # filesystem UUIDs (the Linux fstab mounts / by UUID).
    dev=$(jq -r ".images[$i].os.mountpoints[\"/\"]" "$WORK/out.json")
    letter=$(printf "\\$(printf '%03o' $((97 + i)))")
    [ "$dev" = "/dev/sd${letter}1" ] || fail "image $i mounted from $dev, not its own disk"
    i=$((i + 1))
  done
done

# The human-readable form names each image and its facts.
"$IMGSCRUB" inspect "$FIXTURES/win.vhd" > "$WORK/out.txt"
grep -q "^  hostname: *$WIN_HOSTNAME$" "$WORK/out.txt" || fail "text output lacks the hostname"
grep -q "^  format: *vpc (dynamic), 64.0 MiB virtual$" "$WORK/out.txt" || fail "text output format line"

# On a terminal: a live line per appliance and an overall bar, all
# cleared at the end.  script(1) gives the run a terminal.  The image
# names are long UTF-8 (two bytes a character, starting at offsets of
# either parity) and the terminal is narrower, so that each appliance
# line is cut, one of the cuts inside a character: none may split one.
e=$(printf '\303\251%.0s' $(seq 60))
ln -s "$FIXTURES/win.raw" "$WORK/win-$e.raw"
ln -s "$FIXTURES/linux.raw" "$WORK/linux-x$e.raw"
cols=$((${#WORK} + 70))
script -qec "stty cols $cols; '$IMGSCRUB' inspect -j2 --drives-per-appliance 1 '$WORK/win-$e.raw' '$WORK/linux-x$e.raw' > /dev/null" \
  "$WORK/tty.out" > /dev/null || fail "inspect on a terminal failed"
tr '\r' '\n' < "$WORK/tty.out" > "$WORK/tty.lines"
grep -q "appliance [12]: .*win-$e" "$WORK/tty.lines" && fail "an appliance line was not cut to the width"
grep -q "appliance [12]: .*win-\($(printf '\303\251')\)\{10\}" "$WORK/tty.lines" || fail "no appliance line naming win-..."
grep -q "appliance [12]: .*linux-x\($(printf '\303\251')\)\{10\}" "$WORK/tty.lines" || fail "no appliance line naming linux-x..."
iconv -f UTF-8 -t UTF-8 "$WORK/tty.out" > /dev/null || fail "a status line split a UTF-8 character"
awk -v max=$((cols - 1)) '{ i = index($0, "  appliance ") }
  i && length(substr($0, i)) > max { bad = 1 } END { exit bad }' "$WORK/tty.lines" ||
  fail "an appliance line is wider than the terminal"
grep -q "\[##########\.\.\.\.\.\.\.\.\.\.\] 1/2 images" "$WORK/tty.lines" || fail "no overall bar at 1/2"
grep -q "\[####################\] 2/2 images" "$WORK/tty.lines" || fail "no overall bar at 2/2"
# After the last bar the whole block is erased (cursor up, clear).
perl -0777 -ne 'exit (/2\/2 images[^\n]*(\e\[\d+A)?\r\e\[J/ ? 0 : 1)' "$WORK/tty.out" ||
  fail "the status block is not cleared at the end"
echo "$TEST_NAME: ok"
