# Sourced by every shell test.  Sets up paths and small helpers.
set -eu

: "${top_srcdir:?run through make check}"
: "${top_builddir:?run through make check}"

IMGSCRUB="$top_builddir/cmd/imgscrub"
FIXTURES="$top_builddir/tests/fixtures"
export IMGSCRUB_PROFILE_PATH="$top_srcdir/profiles"
: "${LIBGUESTFS_BACKEND_SETTINGS:=force_tcg}"
export LIBGUESTFS_BACKEND_SETTINGS

# A private scratch folder for this test, removed on exit.
TEST_NAME=$(basename "$0" .sh)
WORK="$top_builddir/tests/work/$TEST_NAME"
rm -rf "$WORK"
mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT

skip_if_env () {
  var="SKIP_$(echo "$TEST_NAME" | tr 'a-z-' 'A-Z_')"
  if eval "[ -n \"\${$var:-}\" ]"; then
    echo "$TEST_NAME: skipped because $var is set"
    exit 77
  fi
}
skip_if_env

# Configured with --disable-appliance-tests (make distcheck): only the
# tests that set ISC_NO_APPLIANCE=1 before sourcing this file run.
if [ "${IMGSCRUB_APPLIANCE_TESTS:-yes}" = no ] && [ -z "${ISC_NO_APPLIANCE:-}" ]; then
  echo "$TEST_NAME: skipped: it launches an appliance (--disable-appliance-tests)"
  exit 77
fi

fail () {
  echo "$TEST_NAME: FAIL: $*" >&2
  exit 1
}

# expect_status N CMD...: run CMD, require exit status N.
expect_status () {
  want=$1
  shift
  set +e
  "$@"
  got=$?
  set -e
  [ "$got" -eq "$want" ] || fail "expected exit $want, got $got: $*"
}

sha256 () {
  sha256sum "$1" | cut -d' ' -f1
}

# Fixture values (SMS GUID, hostnames, ...) known to the tests.
. "$top_srcdir/tests/fixture-values.sh"

# image_format FILE: the qemu format name for a fixture file, by extension.
image_format () {
  case "$1" in
    *.vhd) echo vpc ;;
    *.vmdk) echo vmdk ;;
    *.qcow2) echo qcow2 ;;
    *) echo raw ;;
  esac
}

# collect DEST IMAGE...: read every IMAGE back independently of imgscrub,
# in ONE read-only guestfish launch.  For image number N (from 0), mounts
# its first partition and writes:
#   DEST/N.files   every path in the guest, one per line ("/Windows/...")
#   DEST/N.sums    "sha256  path" for each path listed in $COLLECT_SUMS
#   DEST/N.<base>  a copy of each guest file listed in $COLLECT_FILES
#                  (by its base name), if it exists
collect () {
  dest=$1
  shift
  mkdir -p "$dest"
  script="$dest/collect.fish"
  : > "$script"
  for img in "$@"; do
    echo "add-drive-opts $img format:$(image_format "$img") readonly:true" >> "$script"
  done
  echo run >> "$script"
  n=0
  letters=abcdefghijklmnopqrstuvwxyz
  for img in "$@"; do
    dev=/dev/sd$(echo "$letters" | cut -c$((n + 1)))1
    echo "mount-ro $dev /" >> "$script"
    echo "find0 / $dest/$n.find0" >> "$script"
    for f in ${COLLECT_SUMS:-}; do
      echo "-echo @@ $f" >> "$script"
      echo "-checksum sha256 \"$f\"" >> "$script"
    done
    for f in ${COLLECT_FILES:-}; do
      echo "-download \"$f\" $dest/$n.$(basename "$f")" >> "$script"
    done
    echo "umount-all" >> "$script"
    n=$((n + 1))
  done
  guestfish --ro -f "$script" > "$dest/sums.out" 2> "$dest/collect.err" ||
    { cat "$dest/collect.err" >&2; fail "guestfish could not read the images back"; }
  n=0
  for img in "$@"; do
    tr '\0' '\n' < "$dest/$n.find0" | sed 's|^|/|' > "$dest/$n.files"
    n=$((n + 1))
  done
  # Split the checksums per image: each image's block starts again at the
  # first summed path.
  awk -v dest="$dest" -v first="$(echo ${COLLECT_SUMS:-} | cut -d' ' -f1)" '
    /^@@ / { path = $2; if (path == first) n++; next }
    { print $1 "  " path > (dest "/" (n - 1) ".sums") }' "$dest/sums.out"
}

# hive_value HIVE KEY VALUE: print a registry value read with hivexget
# (not imgscrub); fails when the value is absent.
hive_value () {
  hivexget "$1" "$2" "$3" 2>/dev/null
}

# hive_subkeys HIVE KEY: names of KEY's subkeys, one per line.
hive_subkeys () {
  printf 'cd %s\nls\n' "$2" | hivexsh "$1" 2>/dev/null
}

# wait_for_line LOG PATTERN SECONDS WHAT: wait until LOG (a background
# run's stderr) has a line matching PATTERN; fail with "WHAT" after
# SECONDS.
wait_for_line () {
  n=0
  until grep -q "$2" "$1" 2>/dev/null; do
    sleep 0.2
    n=$((n + 1))
    [ $n -lt $(($3 * 5)) ] || fail "$4"
  done
}

# interrupt_after_launch PID LOG [SIGNAL]: once the imgscrub run PID
# (started in the background with -v, stderr to LOG) has launched its
# appliance and worked 2 s, send it SIGNAL (default INT); it must exit
# 130.
interrupt_after_launch () {
  wait_for_line "$2" "Launching an appliance" 20 "scrub never started its appliance"
  sleep 2
  signal_and_wait "$1" "${3:-INT}"
}

# signal_and_wait PID SIGNAL: send SIGNAL to the background run PID,
# which must then exit 130.
signal_and_wait () {
  kill -"$2" "$1"
  set +e
  wait "$1"
  status=$?
  set -e
  [ "$status" -eq 130 ] || fail "interrupted run exited $status after SIG$2, want 130"
}

# validate_manifest FILE...: each FILE must validate against the
# published schema, doc/manifest.schema.json (python3-jsonschema).
MANIFEST_SCHEMA="$top_srcdir/doc/manifest.schema.json"
validate_manifest () {
  for f in "$@"; do
    python3 "$top_srcdir/tests/validate-manifest.py" "$MANIFEST_SCHEMA" "$f" ||
      fail "$f does not validate against doc/manifest.schema.json"
  done
}

# start_guestfish: a guestfish server for reading images back (gf ARGS
# runs one command in it); it exits, and $WORK goes, with the test.
start_guestfish () {
  GUESTFISH_PID=
  eval "$(guestfish --listen)"
  [ -n "$GUESTFISH_PID" ] || fail "guestfish --listen"
  trap 'guestfish --remote -- exit 2>/dev/null || true; rm -rf "$WORK"' EXIT
}
gf () { guestfish --remote -- "$@"; }
