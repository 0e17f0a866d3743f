#!/bin/sh
# linux-cloud-init side by side with cloud-init's own
# `cloud-init clean --logs --machine-id --configs all`, on the same
# seeded state: what cloud-init removes, imgscrub must remove too, but
# for what the profile keeps on purpose (KEPT_ON_PURPOSE, each said in
# profiles/linux-cloud-init.conf).  The difference is computed here
# from the two trees, never written down.
#
# cloud-init runs from Debian's own package: a Debian trixie root made
# by debootstrap (cloud-init 25.x; bookworm's 22.4 has no --configs),
# built once into $FIXTURES/cloud-init-root (about 5 minutes and 400 MB
# the first time, through the apt mirror of /etc/apt/sources.list*),
# then reused.  Each run copies it, seeds the state (an Ubuntu-like
# netplan file, NetworkManager, networkd, interfaces.d and sshd files,
# /var/lib/cloud with instance, data, sem and seed, logs) and runs
# clean in a chroot: cloud-init clean only deletes files, needs no
# network, and is told systemd runs through /run/systemd/system (its
# own test for writing "uninitialized").  imgscrub scrubs a small image
# of the same seeded state, made with mkfs.ext4 -d.
#
# Appliance launches: one imgscrub run, one guestfish read.
. "$top_srcdir/tests/functions.sh"

for t in mkfs.ext4 sfdisk guestfish jq chroot; do
  command -v "$t" > /dev/null || { echo "$TEST_NAME: skipped: no $t"; exit 77; }
done
[ "$(id -u)" = 0 ] || { echo "$TEST_NAME: skipped: chroot and debootstrap need root"; exit 77; }

# Removed by cloud-init, kept by imgscrub on purpose (see the profile).
KEPT_ON_PURPOSE="/var/lib/cloud/scripts"

ROOT="$FIXTURES/cloud-init-root"
if [ ! -f "$ROOT.stamp" ]; then
  command -v debootstrap > /dev/null ||
    { echo "$TEST_NAME: skipped: no debootstrap to make the cloud-init guest"; exit 77; }
  mirror=$(sed -n 's/^URIs: *\([^ ]*debian\)$/\1/p; s/^deb \(http[^ ]*debian\) .*/\1/p' \
             /etc/apt/sources.list /etc/apt/sources.list.d/* 2> /dev/null | head -n 1)
  : "${mirror:=http://deb.debian.org/debian}"
  rm -rf "$ROOT"
  echo "$TEST_NAME: making $ROOT with debootstrap from $mirror (once, some minutes)" >&2
  # python3-cffi-backend: debootstrap does not resolve the virtual
  # package python3-cryptography depends on.
  if ! debootstrap --variant=minbase --include=cloud-init,systemd,python3-cffi-backend \
         trixie "$ROOT" "$mirror" > "$WORK/debootstrap.log" 2>&1; then
    tail -n 5 "$WORK/debootstrap.log" >&2
    rm -rf "$ROOT"
    echo "$TEST_NAME: skipped: debootstrap could not make the cloud-init guest from $mirror"
    exit 77
  fi
  touch "$ROOT.stamp"
fi
chroot "$ROOT" cloud-init clean --help 2> /dev/null | grep -q -- '--configs' ||
  { echo "$TEST_NAME: skipped: this cloud-init has no clean --configs"; exit 77; }

# seed DIR: the state of a cloud-init instance, as an Ubuntu-like
# guest has it after its first boot.
seed () {
  d=$1
  mkdir -p "$d/etc/netplan" "$d/etc/NetworkManager/conf.d" \
    "$d/etc/NetworkManager/system-connections" "$d/etc/systemd/network" \
    "$d/etc/network/interfaces.d" "$d/etc/ssh/sshd_config.d" \
    "$d/var/lib/cloud/instances/i-0abc123/sem" "$d/var/lib/cloud/data" \
    "$d/var/lib/cloud/sem" "$d/var/lib/cloud/handlers" \
    "$d/var/lib/cloud/seed/nocloud" "$d/var/lib/cloud/scripts/per-boot" \
    "$d/var/log"
  cat > "$d/etc/netplan/50-cloud-init.yaml" <<EOT
network:
  version: 2
  ethernets:
    ens3:
      match: {macaddress: "52:54:00:12:34:56"}
      set-name: ens3
      dhcp4: true
EOT
  echo 'decoy: the admin'"'"'s own' > "$d/etc/netplan/01-admin.yaml"
  printf '[main]\ndns=none\n' > "$d/etc/NetworkManager/conf.d/99-cloud-init.conf"
  printf '[connection]\nipv6.addr-gen-mode=0\n' > "$d/etc/NetworkManager/conf.d/30-cloud-init-ip6-addr-gen-mode.conf"
  printf '[connection]\nid=cloud-init ens3\n' > "$d/etc/NetworkManager/system-connections/cloud-init-ens3.nmconnection"
  printf '[connection]\nid=office\n' > "$d/etc/NetworkManager/system-connections/office.nmconnection"
  printf '[Match]\nMACAddress=52:54:00:12:34:56\n' > "$d/etc/systemd/network/10-cloud-init-ens3.network"
  printf '[Match]\nName=br0\n' > "$d/etc/systemd/network/20-admin.network"
  printf 'auto ens3\niface ens3 inet dhcp\n' > "$d/etc/network/interfaces.d/50-cloud-init.cfg"
  printf 'PasswordAuthentication no\n' > "$d/etc/ssh/sshd_config.d/50-cloud-init.conf"
  printf 'X11Forwarding no\n' > "$d/etc/ssh/sshd_config.d/60-admin.conf"
  echo 'pickled' > "$d/var/lib/cloud/instances/i-0abc123/obj.pkl"
  echo 'ud' > "$d/var/lib/cloud/instances/i-0abc123/user-data.txt"
  : > "$d/var/lib/cloud/instances/i-0abc123/sem/config_ssh"
  ln -s /var/lib/cloud/instances/i-0abc123 "$d/var/lib/cloud/instance"
  echo i-0abc123 > "$d/var/lib/cloud/data/instance-id"
  echo i-0abc123 > "$d/var/lib/cloud/data/previous-instance-id"
  echo '{"v1": {}}' > "$d/var/lib/cloud/data/status.json"
  echo nocloud > "$d/var/lib/cloud/data/previous-datasource"
  : > "$d/var/lib/cloud/sem/config_scripts_per_once.once"
  echo 'instance-id: i-0abc123' > "$d/var/lib/cloud/seed/nocloud/meta-data"
  printf '#!/bin/sh\necho booted\n' > "$d/var/lib/cloud/scripts/per-boot/keep.sh"
  echo 'log' > "$d/var/log/cloud-init.log"
  echo 'out' > "$d/var/log/cloud-init-output.log"
  echo 'decoy' > "$d/var/log/dpkg.log"
  echo 0123456789abcdef0123456789abcdef > "$d/etc/machine-id"
}

# The paths both sides are compared on: everything seeded.
mkdir "$WORK/seeded"
seed "$WORK/seeded"
(cd "$WORK/seeded" && find . -mindepth 1 | sed 's|^\.||' | sort) > "$WORK/scope"

# ---- cloud-init's side: a copy of the root, seeded, cleaned in a chroot -----
cp -a "$ROOT" "$WORK/ci"
seed "$WORK/ci"
mkdir -p "$WORK/ci/run/systemd/system"
chroot "$WORK/ci" cloud-init clean --logs --machine-id --configs all > "$WORK/ci.out" 2>&1 ||
  fail "cloud-init clean failed: $(cat "$WORK/ci.out")"
while read -r p; do
  if [ -e "$WORK/ci$p" ] || [ -L "$WORK/ci$p" ]; then echo "$p"; fi
done < "$WORK/scope" > "$WORK/ci.left"
mid_ci=$(cat "$WORK/ci/etc/machine-id")
mode_ci=$(stat -c %a "$WORK/ci/etc/machine-id")
rm -rf "$WORK/ci"

# ---- imgscrub's side: a small image of the seeded state ----------------------
r="$WORK/seeded"
mkdir -p "$r/bin" "$r/sbin" "$r/root"
printf 'NAME="Debian GNU/Linux"\nVERSION_ID="13"\nID=debian\n' > "$r/etc/os-release"
echo 13.0 > "$r/etc/debian_version"
echo '/dev/sda1 / ext4 defaults 0 1' > "$r/etc/fstab"
img="$WORK/ci.raw"
truncate -s 33M "$img"
echo 'start=2048, type=83' | sfdisk -q "$img"
mkfs.ext4 -q -F -E offset=1048576 -d "$r" "$img" 32M
before=$(sha256 "$img")
mkdir "$WORK/out"
"$IMGSCRUB" scrub -p linux-cloud-init -p systemd-machine-id --machine-id uninitialized \
  -o "$WORK/out" "$img" 2> "$WORK/scrub.err" || fail "scrub: $(cat "$WORK/scrub.err")"
validate_manifest "$WORK/out/manifest.json"
[ "$(sha256 "$img")" = "$before" ] || fail "the input image changed"
guestfish --ro -a "$WORK/out/ci.raw" run : mount-ro /dev/sda1 / : \
  tar-out / "$WORK/isc.tar" 2> "$WORK/gf.err" || fail "guestfish: $(cat "$WORK/gf.err")"
mkdir "$WORK/isc"
tar -xpf "$WORK/isc.tar" -C "$WORK/isc"
while read -r p; do
  if [ -e "$WORK/isc$p" ] || [ -L "$WORK/isc$p" ]; then echo "$p"; fi
done < "$WORK/scope" > "$WORK/isc.left"

# ---- the difference -----------------------------------------------------------
# Left by imgscrub, removed by cloud-init: each must be kept on purpose.
comm -13 "$WORK/ci.left" "$WORK/isc.left" > "$WORK/only-isc"
kept_on_purpose () {
  for k in $KEPT_ON_PURPOSE; do
    case "$1" in "$k"|"$k"/*) return 0 ;; esac
  done
  return 1
}
missed=""
while read -r p; do
  kept_on_purpose "$p" || missed="$missed $p"
done < "$WORK/only-isc"
[ -z "$missed" ] || fail "cloud-init clean removes, imgscrub keeps:$missed"
# Every exception still is one: else it is no longer needed.
for k in $KEPT_ON_PURPOSE; do
  grep -qx "$k" "$WORK/only-isc" || fail "KEPT_ON_PURPOSE $k: cloud-init no longer removes it"
done
[ -s "$WORK/ci.left" ] || fail "cloud-init left nothing: the comparison is empty"
# Removed by imgscrub, kept by cloud-init: reported, and none expected.
comm -23 "$WORK/ci.left" "$WORK/isc.left" > "$WORK/only-ci"
[ ! -s "$WORK/only-ci" ] || fail "imgscrub removes what cloud-init keeps: $(tr '\n' ' ' < "$WORK/only-ci")"

# The machine-id: the same bytes and mode as cloud-init writes.
[ "$(cat "$WORK/isc/etc/machine-id")" = "$mid_ci" ] ||
  fail "machine-id: imgscrub wrote '$(cat "$WORK/isc/etc/machine-id")', cloud-init '$mid_ci'"
[ "$(stat -c %a "$WORK/isc/etc/machine-id")" = "$mode_ci" ] ||
  fail "machine-id mode: $(stat -c %a "$WORK/isc/etc/machine-id"), cloud-init $mode_ci"
# Decoys beside the generated files stay, byte for byte.
for p in /etc/netplan/01-admin.yaml /etc/NetworkManager/system-connections/office.nmconnection \
         /etc/systemd/network/20-admin.network /etc/ssh/sshd_config.d/60-admin.conf \
         /var/log/dpkg.log /var/lib/cloud/seed/nocloud/meta-data \
         /var/lib/cloud/scripts/per-boot/keep.sh; do
  cmp -s "$WORK/seeded$p" "$WORK/isc$p" || fail "decoy $p changed or went"
done
echo "$TEST_NAME: cloud-init $(cat "$ROOT/usr/lib/python3/dist-packages/cloudinit/version.py" 2>/dev/null |
  sed -n 's/^__VERSION__ = "\(.*\)"/\1/p') left $(wc -l < "$WORK/ci.left") of $(wc -l < "$WORK/scope") seeded paths; imgscrub the same plus: $KEPT_ON_PURPOSE"
echo "$TEST_NAME: ok"
