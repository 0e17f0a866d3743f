#!/bin/sh
# SIGINT and SIGTERM in every subcommand: inspect and audit (scrub has
# its own checks in test-scrub-modes.sh and test-isolation.sh) stop every
# appliance and worker, leave no temporary file, and exit 130.  Each run
# has its own TMPDIR, so its scratch space and its qemu processes (whose
# command lines name files under it) are told apart from other runs on
# the machine.
. "$top_srcdir/tests/functions.sh"

# libguestfs keeps its appliance cache in TMPDIR unless told otherwise:
# keep using the usual one.
LIBGUESTFS_CACHEDIR=${LIBGUESTFS_CACHEDIR:-${TMPDIR:-/var/tmp}}
export LIBGUESTFS_CACHEDIR

# descendants PID: every process below PID, one per line.
descendants () {
  for c in $(pgrep -P "$1" || true); do
    echo "$c"
    descendants "$c"
  done
}

# interrupt NAME SIGNAL SUBCOMMAND ARGS...: start imgscrub -v SUBCOMMAND,
# send SIGNAL once its appliance is launching, then check what is left.
interrupt () {
  name=$1 sig=$2
  shift 2
  tmp="$WORK/$name.tmp"
  mkdir -p "$tmp"
  TMPDIR="$tmp" "$IMGSCRUB" -v "$@" > "$WORK/$name.out" 2> "$WORK/$name.err" &
  pid=$!
  wait_for_line "$WORK/$name.err" "Launching an appliance" 30 "$name: no appliance started"
  sleep 3
  kids=$(descendants "$pid")
  [ -n "$kids" ] || fail "$name: no worker running when interrupted"
  [ -n "$(ls -A "$tmp")" ] || fail "$name: nothing in TMPDIR while running (the check below would prove nothing)"
  # As root libguestfs puts its sockets in /tmp/libguestfsXXXXXX whatever
  # TMPDIR says; qemu's command line names that folder.
  socks=$(for k in $kids; do tr '\0' '\n' < /proc/$k/cmdline 2>/dev/null; done |
    sed -n 's|.*socket,path=\([^,]*\)/guestfsd.sock.*|\1|p' | sort -u)
  signal_and_wait "$pid" "$sig"
  # SIGKILL is delivered at once, but give the kernel a moment to reap.
  n=0
  while :; do
    alive=
    for k in $kids; do
      kill -0 "$k" 2> /dev/null && alive="$alive $k"
    done
    [ -n "$alive" ] || break
    n=$((n + 1))
    [ $n -lt 25 ] || fail "$name: processes survived SIG$sig:$(ps -o pid=,args= -p "$(echo $alive | tr ' ' ,)")"
    sleep 0.2
  done
  [ -z "$(pgrep -f "$tmp" || true)" ] || fail "$name: a process still names $tmp: $(pgrep -af "$tmp")"
  [ -z "$(ls -A "$tmp")" ] || fail "$name: temporary files left: $(ls -A "$tmp")"
  for s in $socks; do
    [ ! -e "$s" ] || fail "$name: libguestfs's socket folder $s is left"
  done
}

interrupt inspect-int INT inspect "$FIXTURES/win.raw" "$FIXTURES/linux.raw"
interrupt inspect-term TERM inspect --json "$FIXTURES/win.raw"
jq -e '.images[0].error == "interrupted"' "$WORK/inspect-term.out" > /dev/null ||
  fail "inspect --json after SIGTERM: $(head -c 300 "$WORK/inspect-term.out")"
interrupt audit-term TERM audit --json -p sms2-clone-prep "$FIXTURES/win.raw" "$FIXTURES/linux.raw"
jq -e '[.images[].status] == ["failed", "failed"]' "$WORK/audit-term.out" > /dev/null ||
  fail "audit --json after SIGTERM: $(head -c 300 "$WORK/audit-term.out")"
interrupt audit-int INT audit -p sms2-clone-prep "$FIXTURES/win.raw"
echo "$TEST_NAME: ok"
