#!/bin/bash
# linux-clone-prep on the RHEL-family and Debian-family templates, side
# by side with virt-sysprep's default operations on copies of the same
# fixtures.  The set of files virt-sysprep removes is computed here, by
# diffing file lists before and after, never written down: imgscrub must
# remove each of them too (or the test names it, KEPT_ON_PURPOSE, and the
# README says why).  Besides: every artefact of tests/fixture-values.sh
# is gone, every decoy is byte for byte the same, /etc/machine-id is
# empty, the ifcfg HWADDR and HOSTNAME lines are gone with every other
# byte kept, the guards skip on the other family, and --skip leaves a
# rule out and says so in the manifest.
#
# Appliance launches: one imgscrub run for both images, one virt-sysprep
# run per image (it takes one guest at a time), one dry run with --skip,
# one guestfish reading all six disks back.
. "$top_srcdir/tests/functions.sh"

for f in rhel debian; do
  if [ ! -f "$FIXTURES/$f.raw" ]; then
    echo "$TEST_NAME: skipped: no fixture $FIXTURES/$f.raw"
    exit 77
  fi
done
command -v jq > /dev/null || { echo "$TEST_NAME: skipped: no jq"; exit 77; }
command -v virt-sysprep > /dev/null ||
  { echo "$TEST_NAME: skipped: no virt-sysprep (guestfs-tools)"; exit 77; }
. "$top_srcdir/tests/fixture-values.sh"

# Files virt-sysprep removes that imgscrub keeps on purpose (README.md,
# "linux-clone-prep and virt-sysprep"): none today.
KEPT_ON_PURPOSE=""

overlay () {
  qemu-img create -q -f qcow2 -F raw -b "$FIXTURES/$1.raw" "$WORK/$2.qcow2"
}
# imgscrub takes no image with a backing file: plain copies for it.
for d in rhel debian; do
  cp --sparse=always "$FIXTURES/$d.raw" "$WORK/$d-isc.raw"
  chmod u+w "$WORK/$d-isc.raw"
  overlay $d $d-vs
done
sha_before=$(sha256sum "$FIXTURES/rhel.raw" "$FIXTURES/debian.raw")

# ---- imgscrub: both images, one appliance ----------------------------------
"$IMGSCRUB" scrub -p linux-clone-prep --in-place --manifest "$WORK/m.json" \
  "$WORK/rhel-isc.raw" "$WORK/debian-isc.raw" 2> "$WORK/err" ||
  fail "scrub failed: $(cat "$WORK/err")"
validate_manifest "$WORK/m.json"
for i in 0 1; do
  [ "$(jq -r ".images[$i].status" "$WORK/m.json")" = ok ] ||
    fail "image $i: $(jq -c ".images[$i]" "$WORK/m.json")"
done
result () {          # image index, profile, title: its results
  jq -r ".images[$1].actions[] | select(.profile == \"$2\" and .title == \"$3\") | .result" \
    "$WORK/m.json" | sort -u | tr '\n' ' '
}
[ "$(result 0 linux-sysprep net-hwaddr)" = "changed " ] ||
  fail "rhel net-hwaddr: $(result 0 linux-sysprep net-hwaddr)"
[ "$(result 1 linux-sysprep net-hwaddr)" = "skipped " ] ||
  fail "debian net-hwaddr is not skipped by its distro guard"
[ "$(result 0 linux-sysprep rpm-db)" = "deleted " ] ||
  fail "rhel rpm-db: $(result 0 linux-sysprep rpm-db)"
[ "$(result 1 linux-sysprep rpm-db)" = "skipped " ] ||
  fail "debian rpm-db is not skipped by its package-format guard"
[ "$(result 1 linux-sysprep pacct-log-debian)" = "deleted " ] ||
  fail "debian pacct-log: $(result 1 linux-sysprep pacct-log-debian)"
! grep -q '//' <(jq -r '.images[].actions[].target' "$WORK/m.json") ||
  fail "a manifest target holds '//'"

# ---- --skip: one rule left out, recorded ------------------------------------
"$IMGSCRUB" scrub -p linux-clone-prep --dry-run --skip linux-sysprep:ssh-hostkeys \
  --manifest "$WORK/skip.json" "$FIXTURES/debian.raw" 2> "$WORK/err" ||
  fail "dry run with --skip failed: $(cat "$WORK/err")"
validate_manifest "$WORK/skip.json"
jq -e '.skipped_rules == [{"profile": "linux-sysprep", "title": "ssh-hostkeys",
  "action": "delete-file", "source": .skipped_rules[0].source, "reason": "--skip"}]' \
  "$WORK/skip.json" > /dev/null || fail "skipped_rules: $(jq -c .skipped_rules "$WORK/skip.json")"
[ "$(jq -r '[.images[0].actions[] | select(.title == "ssh-hostkeys")] | map(.result + "|" + .reason) | join(",")' "$WORK/skip.json")" = \
  "skipped|left out with --skip linux-sysprep:ssh-hostkeys" ] ||
  fail "--skip result: $(jq -c '.images[0].actions[] | select(.title == "ssh-hostkeys")' "$WORK/skip.json")"
[ "$(jq -r '[.images[0].actions[] | select(.title == "ssh-userdir-root")][0].result' "$WORK/skip.json")" = would-delete ] ||
  fail "--skip left out more than its rule"
expect_status 2 "$IMGSCRUB" scrub -p linux-clone-prep --dry-run --skip nocolon \
  "$FIXTURES/debian.raw" 2> "$WORK/err"
grep -q "PROFILE:TITLE" "$WORK/err" || fail "--skip without a colon: $(cat "$WORK/err")"
expect_status 2 "$IMGSCRUB" scrub -p linux-clone-prep --dry-run \
  --skip linux-sysprep:no-such-rule "$FIXTURES/debian.raw" 2> "$WORK/err"
grep -q "no such rule" "$WORK/err" || fail "--skip of a missing rule: $(cat "$WORK/err")"

# ---- virt-sysprep: its default operations, one guest at a time -------------
for d in rhel debian; do
  virt-sysprep --format qcow2 -a "$WORK/$d-vs.qcow2" > "$WORK/vs-$d.log" 2>&1 ||
    fail "virt-sysprep $d: $(tail -n 5 "$WORK/vs-$d.log")"
done
[ "$(sha256sum "$FIXTURES/rhel.raw" "$FIXTURES/debian.raw")" = "$sha_before" ] ||
  fail "a fixture changed"

# ---- read all six disks back in one appliance --------------------------------
RB="$WORK/rb"
mkdir -p "$RB"
start_guestfish
disks="rhel debian rhel-isc debian-isc rhel-vs debian-vs"
for d in "$FIXTURES/rhel" "$FIXTURES/debian" "$WORK/rhel-isc" "$WORK/debian-isc"; do
  gf add-drive-opts "$d.raw" format:raw readonly:true
done
for d in rhel-vs debian-vs; do
  gf add-drive-opts "$WORK/$d.qcow2" format:qcow2 readonly:true
done
gf run
k=0
for d in $disks; do
  dev=$(gf list-devices | sed -n "$((k + 1))p")
  k=$((k + 1))
  gf mount-ro "${dev}1" /
  gf find0 / "$RB/$d.find0"
  tr '\0' '\n' < "$RB/$d.find0" | sed 's|^|/|' | LC_ALL=C sort > "$RB/$d.files"
  case $d in
    *-vs) ;;
    *)
      for f in $CLONE_DECOYS $CLONE_RHEL_DECOYS $CLONE_DEB_DECOYS; do
        if grep -qxF "$f" "$RB/$d.files"; then
          echo "$f $(gf checksum sha256 "$f")"
        fi
      done > "$RB/$d.decoys"
      for f in /etc/machine-id /var/lib/dbus/machine-id; do
        echo "$f $(gf filesize "$f")"
      done > "$RB/$d.sizes"
      for n in 0 1 2; do
        f=/etc/sysconfig/network-scripts/ifcfg-eth$n
        ! grep -qxF "$f" "$RB/$d.files" || gf download "$f" "$RB/$d.ifcfg-eth$n"
      done
      ;;
  esac
  gf umount-all
done

# ---- what virt-sysprep removed, imgscrub removed --------------------------------
for d in rhel debian; do
  [ -s "$RB/$d.files" ] || fail "$d: no file list"
  comm -23 "$RB/$d.files" "$RB/$d-vs.files" > "$RB/$d.vs-removed"
  [ -s "$RB/$d.vs-removed" ] || fail "$d: virt-sysprep removed nothing"
  while read -r f; do
    case " $KEPT_ON_PURPOSE " in *" $f "*) continue ;; esac
    ! grep -qxF "$f" "$RB/$d-isc.files" ||
      fail "$d: virt-sysprep removes $f, imgscrub kept it"
  done < "$RB/$d.vs-removed"
  echo "$TEST_NAME: $d: virt-sysprep removed $(wc -l < "$RB/$d.vs-removed") paths; imgscrub removed each, and $(comm -23 "$RB/$d.files" "$RB/$d-isc.files" | wc -l) in all"
done

# ---- the fixtures' own expectations ----------------------------------------------
check_gone () {      # disk, paths
  local d=$1 f
  shift
  for f in "$@"; do
    grep -qxF "$f" "$RB/$d.files" || fail "$d: artefact $f is not in the fixture"
    ! grep -qxF "$f" "$RB/$d-isc.files" || fail "$d: $f survived linux-clone-prep"
  done
}
check_gone rhel $CLONE_ARTEFACTS $CLONE_RHEL_ARTEFACTS
check_gone debian $CLONE_ARTEFACTS $CLONE_DEB_ARTEFACTS
for d in rhel debian; do
  [ "$(wc -l < "$RB/$d.decoys")" -ge 20 ] || fail "$d: decoys missing from the fixture"
  cmp -s "$RB/$d.decoys" "$RB/$d-isc.decoys" ||
    fail "$d: a decoy changed or went: $(diff "$RB/$d.decoys" "$RB/$d-isc.decoys" | head -n 3)"
  grep -qx "/etc/machine-id 33" "$RB/$d.sizes" || fail "$d: fixture machine-id"
  grep -qx "/etc/machine-id 0" "$RB/$d-isc.sizes" || fail "$d: /etc/machine-id is not empty"
  grep -qx "/var/lib/dbus/machine-id 0" "$RB/$d-isc.sizes" ||
    fail "$d: /var/lib/dbus/machine-id is not empty"
  # Folders that hold identities stay (empty-folder keeps the folder).
  grep -qxF /var/lib/cloud "$RB/$d-isc.files" || fail "$d: /var/lib/cloud went"
  grep -qxF /tmp "$RB/$d-isc.files" || fail "$d: /tmp went"
done
printf 'DEVICE=eth0\nBOOTPROTO=dhcp\nONBOOT=yes\n# HWADDR=kept-comment\n' |
  cmp -s - "$RB/rhel-isc.ifcfg-eth0" || fail "ifcfg-eth0: $(cat -A "$RB/rhel-isc.ifcfg-eth0")"
printf 'DEVICE=eth1\r\nONBOOT=no\r\n' | cmp -s - "$RB/rhel-isc.ifcfg-eth1" ||
  fail "ifcfg-eth1 (CRLF): $(cat -A "$RB/rhel-isc.ifcfg-eth1")"
printf 'DEVICE=eth2\n' | cmp -s - "$RB/rhel-isc.ifcfg-eth2" ||
  fail "ifcfg-eth2: $(cat -A "$RB/rhel-isc.ifcfg-eth2")"
grep -q "HWADDR=$RHEL_HWADDR" "$RB/rhel.ifcfg-eth0" || fail "fixture ifcfg-eth0 lacks HWADDR"
echo "$TEST_NAME: ok"
