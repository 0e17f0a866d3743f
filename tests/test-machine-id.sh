#!/bin/sh
# --machine-id empty|uninitialized|absent|keep (profiles/systemd-machine-id.conf,
# through linux-machine-id) on three layouts made with mkfs.ext4 -d:
# Debian-like (/etc/default/grub, grub.cfg, the D-Bus link), Fedora-like
# with BLS entries and /etc/kernel/cmdline, and ostree-like (a
# deployment's own /etc, /boot/loader a link to loader.1).  What a user
# checks: the old ID is gone from the file and from every kernel command
# line, "uninitialized" is written mode 0444 but never in an ostree
# deployment, keep changes nothing, the decoys (other words on the lines,
# other lines, look-alike words, /usr/etc) stay byte for byte, and the
# inputs' checksums are unchanged.
#
# Appliance launches: one imgscrub run per mode (the three layouts in
# one appliance each), one guestfish reading the twelve outputs back.
. "$top_srcdir/tests/functions.sh"

for t in mkfs.ext4 sfdisk guestfish jq; do
  command -v "$t" > /dev/null || { echo "$TEST_NAME: skipped: no $t"; exit 77; }
done

ID=5f2c0e6bd1b84b8aa3a0c4b1e2d3f4a5
DECOY_ID=0a1b2c3d4e5f60718293a4b5c6d7e8f9

# mkimage NAME ROOTDIR: a one-partition raw image of ROOTDIR.
mkimage () {
  truncate -s 33M "$WORK/$1.raw"
  echo 'start=2048, type=83' | sfdisk -q "$WORK/$1.raw"
  mkfs.ext4 -q -F -E offset=1048576 -d "$2" "$WORK/$1.raw" 32M
}
common_root () {          # DIR ID NAME
  mkdir -p "$1/etc" "$1/bin" "$1/sbin" "$1/root" "$1/var/lib/dbus" "$1/boot"
  echo "/dev/sda1 / ext4 defaults 0 1" > "$1/etc/fstab"
  echo "$3" > "$1/etc/hostname"
}

# ---- Debian-like -------------------------------------------------------------
r="$WORK/debian"
common_root "$r" debian deb1
printf 'NAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n' > "$r/etc/os-release"
echo 12.8 > "$r/etc/debian_version"
echo "$ID" > "$r/etc/machine-id"
ln -s /etc/machine-id "$r/var/lib/dbus/machine-id"
mkdir -p "$r/etc/default" "$r/boot/grub"
cat > "$r/etc/default/grub" <<EOT
GRUB_DEFAULT=0
GRUB_CMDLINE_LINUX_DEFAULT="systemd.machine_id=$ID quiet"
GRUB_CMDLINE_LINUX="console=ttyS0 systemd.machine_id=$ID"
# GRUB_CMDLINE_LINUX_X="systemd.machine_id=$DECOY_ID"
GRUB_DISTRIBUTOR="rd.systemd.machine_id=$DECOY_ID"
EOT
cat > "$r/boot/grub/grub.cfg" <<EOT
menuentry 'Debian GNU/Linux' {
	linux	/boot/vmlinuz-6.1.0-28-amd64 root=UUID=1234 ro systemd.machine_id=$ID quiet
	initrd	/boot/initrd.img-6.1.0-28-amd64
}
EOT
mkimage debian "$r"

# ---- Fedora-like: BLS entries and kernel-install's cmdline -------------------
r="$WORK/fedora"
common_root "$r" fedora fed1
printf 'NAME="Fedora Linux"\nVERSION_ID=40\nID=fedora\n' > "$r/etc/os-release"
echo "$ID" > "$r/etc/machine-id"
echo "$ID" > "$r/var/lib/dbus/machine-id"
mkdir -p "$r/boot/loader/entries" "$r/etc/kernel"
cat > "$r/boot/loader/entries/$ID-6.8.5-301.fc40.x86_64.conf" <<EOT
title Fedora Linux (6.8.5-301.fc40.x86_64) 40
version 6.8.5-301.fc40.x86_64
linux /vmlinuz-6.8.5-301.fc40.x86_64
options root=UUID=abcd ro systemd.machine_id=$ID rhgb quiet
grub_users \$grub_users
EOT
cat > "$r/boot/loader/entries/$ID-0-rescue.conf" <<EOT
title Fedora Linux (0-rescue-$ID) 40
linux /vmlinuz-0-rescue-$ID
options root=UUID=abcd ro
EOT
printf 'root=UUID=abcd ro systemd.machine_id=%s\n' "$ID" > "$r/etc/kernel/cmdline"
mkimage fedora "$r"

# ---- ostree-like: the deployment's /etc, /boot/loader -> loader.1 -------------
r="$WORK/ostree"
common_root "$r" fedora iot1
printf 'NAME="Fedora Linux"\nVERSION_ID=40\nID=fedora\nVARIANT_ID=iot\n' > "$r/etc/os-release"
echo "$ID" > "$r/etc/machine-id"
dep="$r/ostree/deploy/fedora-iot/deploy/7c1e9a0b.0"
mkdir -p "$dep/etc" "$dep/usr/etc" "$r/boot/loader.1/entries"
echo "$ID" > "$dep/etc/machine-id"
echo "$DECOY_ID" > "$dep/usr/etc/machine-id"
ln -s loader.1 "$r/boot/loader"
cat > "$r/boot/loader.1/entries/ostree-1-fedora-iot.conf" <<EOT
title Fedora Linux 40 (IoT Edition) (ostree:0)
options root=UUID=abcd rw ostree=/ostree/boot.1/fedora-iot/x/0 systemd.machine_id=$ID
EOT
mkimage ostree "$r"

before=$(sha256sum "$WORK"/debian.raw "$WORK"/fedora.raw "$WORK"/ostree.raw)
imgs=""
for mode in empty uninitialized absent keep; do
  mkdir "$WORK/$mode"
  args="--machine-id $mode"
  # The default is "empty": that run gives no option.
  [ $mode = empty ] && args=
  "$IMGSCRUB" scrub -p linux-machine-id $args -o "$WORK/$mode" \
    "$WORK"/debian.raw "$WORK"/fedora.raw "$WORK"/ostree.raw 2> "$WORK/$mode.err" ||
    fail "$mode: scrub failed: $(cat "$WORK/$mode.err")"
  validate_manifest "$WORK/$mode/manifest.json"
  imgs="$imgs $WORK/$mode/debian.raw $WORK/$mode/fedora.raw $WORK/$mode/ostree.raw"
done
[ "$(sha256sum "$WORK"/debian.raw "$WORK"/fedora.raw "$WORK"/ostree.raw)" = "$before" ] ||
  fail "an input image changed"

# One guestfish: each output's whole tree as a tar, extracted on the host.
script="$WORK/read.fish"
: > "$script"
for i in $imgs; do echo "add-drive-opts $i format:raw readonly:true" >> "$script"; done
echo run >> "$script"
n=0
for i in $imgs; do
  dev=/dev/sd$(echo abcdefghijklmnopqrstuvwxyz | cut -c$((n + 1)))1
  printf 'mount-ro %s /\ntar-out / %s/%s.tar\numount-all\n' "$dev" "$WORK" $n >> "$script"
  n=$((n + 1))
done
guestfish --ro -f "$script" 2> "$WORK/read.err" || fail "guestfish: $(cat "$WORK/read.err")"
n=0
for mode in empty uninitialized absent keep; do
  for lay in debian fedora ostree; do
    mkdir -p "$WORK/t/$mode/$lay"
    tar -xpf "$WORK/$n.tar" -C "$WORK/t/$mode/$lay"
    n=$((n + 1))
  done
done

# check MODE LAYOUT: the old ID is nowhere on a kernel command line.
no_id_on_cmdlines () {
  t="$WORK/t/$1/$2"
  for f in etc/default/grub boot/grub/grub.cfg etc/kernel/cmdline \
           boot/loader/entries/*.conf boot/loader.1/entries/*.conf; do
    [ -f "$t/$f" ] || continue
    ! grep -q "systemd.machine_id=$ID" "$t/$f" || fail "$1/$2: $f still has the ID"
  done
}
same () {            # MODE LAYOUT PATH: byte for byte the input's
  cmp -s "$WORK/$2/$3" "$WORK/t/$1/$2/$3" || fail "$1/$2: $3 changed: $(cat "$WORK/t/$1/$2/$3")"
}
line_is () {         # MODE LAYOUT PATH LINE-NUMBER TEXT
  got=$(sed -n "$4p" "$WORK/t/$1/$2/$3")
  [ "$got" = "$5" ] || fail "$1/$2: $3 line $4 is '$got', want '$5'"
}
mid () { echo "$WORK/t/$1/$2/etc/machine-id"; }

for mode in empty uninitialized absent; do
  for lay in debian fedora ostree; do
    no_id_on_cmdlines $mode $lay
  done
  line_is $mode debian etc/default/grub 1 'GRUB_DEFAULT=0'
  line_is $mode debian etc/default/grub 2 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"'
  line_is $mode debian etc/default/grub 3 'GRUB_CMDLINE_LINUX="console=ttyS0"'
  line_is $mode debian etc/default/grub 4 "# GRUB_CMDLINE_LINUX_X=\"systemd.machine_id=$DECOY_ID\""
  line_is $mode debian etc/default/grub 5 "GRUB_DISTRIBUTOR=\"rd.systemd.machine_id=$DECOY_ID\""
  line_is $mode debian boot/grub/grub.cfg 2 '	linux	/boot/vmlinuz-6.1.0-28-amd64 root=UUID=1234 ro quiet'
  line_is $mode debian boot/grub/grub.cfg 3 '	initrd	/boot/initrd.img-6.1.0-28-amd64'
  line_is $mode fedora "boot/loader/entries/$ID-6.8.5-301.fc40.x86_64.conf" 4 'options root=UUID=abcd ro rhgb quiet'
  line_is $mode fedora "boot/loader/entries/$ID-6.8.5-301.fc40.x86_64.conf" 5 'grub_users $grub_users'
  same $mode fedora "boot/loader/entries/$ID-0-rescue.conf"
  line_is $mode fedora etc/kernel/cmdline 1 'root=UUID=abcd ro'
  line_is $mode ostree boot/loader.1/entries/ostree-1-fedora-iot.conf 2 \
    'options root=UUID=abcd rw ostree=/ostree/boot.1/fedora-iot/x/0'
  [ -L "$WORK/t/$mode/ostree/boot/loader" ] || fail "$mode: /boot/loader is no longer a link"
  # The deployment's own ID: empty whatever the mode, /usr/etc's kept.
  d=ostree/deploy/fedora-iot/deploy/7c1e9a0b.0
  [ -f "$WORK/t/$mode/ostree/$d/etc/machine-id" ] && [ ! -s "$WORK/t/$mode/ostree/$d/etc/machine-id" ] ||
    fail "$mode: the ostree deployment's machine-id is not an empty file"
  same $mode ostree $d/usr/etc/machine-id
  # D-Bus's copy goes (linux-machine-id deletes it, link or file).
  for lay in debian fedora; do
    [ ! -e "$WORK/t/$mode/$lay/var/lib/dbus/machine-id" ] &&
      [ ! -L "$WORK/t/$mode/$lay/var/lib/dbus/machine-id" ] ||
      fail "$mode/$lay: /var/lib/dbus/machine-id is still there"
  done
done

for lay in debian fedora ostree; do
  f=$(mid empty $lay)
  [ -f "$f" ] && [ ! -s "$f" ] || fail "empty/$lay: /etc/machine-id is not an empty file"
  f=$(mid uninitialized $lay)
  [ "$(cat "$f")" = uninitialized ] && [ "$(wc -c < "$f")" = 14 ] ||
    fail "uninitialized/$lay: /etc/machine-id is '$(cat "$f")'"
  [ "$(stat -c %a "$f")" = 444 ] || fail "uninitialized/$lay: mode $(stat -c %a "$f")"
  [ ! -e "$(mid absent $lay)" ] || fail "absent/$lay: /etc/machine-id is still there"
  # keep: nothing of the machine's identity changed.
  for p in etc/machine-id etc/default/grub boot/grub/grub.cfg etc/kernel/cmdline \
           "boot/loader/entries/$ID-6.8.5-301.fc40.x86_64.conf" \
           ostree/deploy/fedora-iot/deploy/7c1e9a0b.0/etc/machine-id \
           boot/loader.1/entries/ostree-1-fedora-iot.conf; do
    [ -e "$WORK/$lay/$p" ] || continue
    same keep $lay "$p"
  done
done
[ "$(readlink "$WORK/t/keep/debian/var/lib/dbus/machine-id")" = /etc/machine-id ] ||
  fail "keep: the D-Bus link changed"

# The manifest says what was done, and why the other modes' rules did not run.
m="$WORK/uninitialized/manifest.json"
jq -e '[.images[] | .actions[] | select(.title == "machine-id" and .profile == "systemd-machine-id")
        | .result == "skipped" and (.reason | test("machine-id mode is uninitialized"))] | all' \
  "$m" > /dev/null || fail "uninitialized: the empty rule is not skipped with the mode"
[ "$(jq '[.images[0].actions[] | select(.title == "grub-default-machine-id") | .result] == ["changed"]' "$m")" = true ] ||
  fail "the manifest does not record the /etc/default/grub edit"
jq -e '[.images[].actions[] | select(.profile == "systemd-machine-id") | .result] | all(. == "skipped")' \
  "$WORK/keep/manifest.json" > /dev/null || fail "keep: a machine-id rule ran"

# A bad mode is a usage error.
expect_status 2 "$IMGSCRUB" scrub -p linux-machine-id --machine-id random --dry-run \
  "$WORK/debian.raw" 2> "$WORK/usage.err"
grep -q "machine-id" "$WORK/usage.err" || fail "no message for a bad --machine-id"
echo "$TEST_NAME: ok"
