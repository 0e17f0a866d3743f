#!/bin/bash
# Build the test fixtures (tests/fixtures.md) into OUTDIR with ONE
# appliance launch: hives from tests/mkhive, disks from guestfish, then
# qemu-img converts each to VHD, VMDK and qcow2.  OUTDIR/stamp is written
# last, so an interrupted build is never taken for a finished one.
#
# Usage: make-fixtures.sh OUTDIR MKHIVE
set -euo pipefail

out=$1
mkhive=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/fixture-values.sh"
: "${LIBGUESTFS_BACKEND_SETTINGS:=force_tcg}"
export LIBGUESTFS_BACKEND_SETTINGS

tmp="$out.tmp"
rm -rf "$tmp"
mkdir -p "$tmp/h"
h="$tmp/h"

# ---- hives ---------------------------------------------------------------
software_spec () {   # $1 system root in Windows form, $2 users dir, $3 product,
                     # $4 version, $5 SMS GUID, $6 MachineGuid, $7 SusClientId
  cat <<EOF
[Microsoft\\Windows NT\\CurrentVersion]
"ProductName"=sz:$3
"CurrentVersion"=sz:$4
"CurrentBuildNumber"=sz:7601
"EditionID"=sz:ServerStandard
"InstallationType"=sz:Server
"SystemRoot"=sz:$1
[Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\S-1-5-18]
"ProfileImagePath"=expand_sz:%SystemRoot%\\system32\\config\\systemprofile
[Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\S-1-5-21-1004336348-1177238915-682003330-1001]
"ProfileImagePath"=expand_sz:%SystemDrive%\\$2\\alice
[Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\S-1-5-21-1004336348-1177238915-682003330-1002]
"ProfileImagePath"=expand_sz:%SystemDrive%\\$2\\bob
[Microsoft\\Windows\\CurrentVersion]
"ProgramFilesDir"=sz:C:\\Program Files
"CommonFilesDir"=sz:C:\\Program Files\\Common Files
[Microsoft\\Cryptography]
"MachineGuid"=sz:$6
[Microsoft\\Windows\\CurrentVersion\\WindowsUpdate]
"SusClientId"=sz:$7
"SusClientIdValidation"=hex:06,02,00,00,36,00,00,00,51,a4
"PingID"=sz:7d3e1f20-5c4b-4a39-8f2e-1d0c9b8a7f6e
"AccountDomainSid"=sz:S-1-5-21-1004336348-1177238915-682003330
"LastWaitTimeout"=sz:2026-11-01 10:00:00
[Microsoft\\SystemCertificates\\SMS\\Certificates\\$SMS_CERT_THUMBPRINT]
"Blob"=hex:30,82,01,0a,02,82,01,01
[Microsoft\\SystemCertificates\\My\\Certificates\\0123456789ABCDEF0123456789ABCDEF01234567]
"Blob"=hex:30,82,02,0b
[Microsoft\\SMS\\Client\\Configuration\\Client Properties]
"SMS Unique Identifier"=sz:$5
"SMS Client Version"=sz:2.00.1493.0000
"Site Code"=sz:ABC
[Microsoft\\NAL\\Client\\AbExprtDB]
"Version"=dword:0x2
[Microsoft\\NAL\\Client\\AbExprtDB\\Entry1]
"Id"=sz:$5
[Microsoft\\NAL\\Client\\AbExprtDB\\Entry1\\Nested]
"Level"=dword:0x2
[Microsoft\\NAL\\Client\\AbExprtDB\\Entry1\\Nested\\Deeper]
"Level"=dword:0x3
[Microsoft\\NAL\\Client\\AbExprtDB\\Entry2]
"Id"=sz:second
[Microsoft\\NAL\\Client\\Sibling]
"Keep"=sz:sibling must survive
EOF
}

system_spec () {     # $1 current control set number, $2 hostname
  cat <<EOF
[Select]
"Current"=dword:$1
"Default"=dword:$1
"LastKnownGood"=dword:1
"Failed"=dword:0
[ControlSet00$1\\Control\\ComputerName\\ComputerName]
"ComputerName"=sz:$2
[ControlSet00$1\\Services\\Tcpip\\Parameters]
"Hostname"=sz:$2
"Domain"=sz:example.test
[MountedDevices]
EOF
  if [ "$1" != 1 ]; then
    cat <<EOF
[ControlSet001\\Control\\ComputerName\\ComputerName]
"ComputerName"=sz:$WIN_STALE_HOSTNAME
[ControlSet001\\Services\\Tcpip\\Parameters]
"Hostname"=sz:$WIN_STALE_HOSTNAME
EOF
  fi
}

user_spec () {
  printf '[Software\\Imgscrub\\Test]\n"PerUserId"=sz:%s\n' "$1"
}

# The Windows agents (tests/fixture-values.sh), `win` only: each key at
# its native place and under WOW6432Node.  Backslashes are doubled as
# the spec format wants.
esc () { sed 's/\\/\\\\/g'; }
agents_software_spec () {
  local where prefix key removed decoy v
  for where in native wow64; do
    prefix=
    [ $where = wow64 ] && prefix='WOW6432Node\'
    while IFS='|' read -r key removed decoy; do
      printf '[%s%s]\n' "$prefix" "$key" | esc
      for v in $removed; do
        printf '"%s"=sz:%s:%s:%s\n' "$v" "$WIN_AGENT_TAG" $where "$v"
      done
      printf '"%s"=sz:keep %s\n' "$decoy" "$decoy"
    done <<EOF
$WIN_AGENT_VALUES
EOF
    while IFS= read -r key; do
      printf '[%s%s]\n' "$prefix" "$key" | esc
      printf '"Id"=sz:%s:%s:deleted key\n' "$WIN_AGENT_TAG" $where
    done <<EOF
$WIN_AGENT_KEYS
EOF
    printf '[%s%s]\n' "$prefix" "$WIN_MSMQ_PARAMETERS" | esc
    printf '"MachineQuota"=dword:0x100000\n'
  done
}

agents_system_spec () {
  local key
  for key in "$WIN_CS_KEY" "$WIN_CS_SIM_KEY"; do
    printf '[%s]\n' "$key" | esc
    printf '"AG"=hex:%s\n"CU"=hex:%s\n' "$WIN_CS_AG" "$WIN_CS_CU"
  done
}

software_spec 'C:\Windows' Users "$WIN_PRODUCT" 6.1 "$SMS_GUID" \
  "$MACHINE_GUID" "$SUS_CLIENT_ID" > "$h/software.spec"
software_spec 'C:\WINNT' 'Documents and Settings' "$WINNT_PRODUCT" 5.0 "$WINNT_SMS_GUID" \
  "$WINNT_MACHINE_GUID" "$WINNT_SUS_CLIENT_ID" > "$h/software-nt.spec"
system_spec 2 "$WIN_HOSTNAME" > "$h/system.spec"
agents_software_spec >> "$h/software.spec"
agents_system_spec >> "$h/system.spec"
system_spec 1 "$WINNT_HOSTNAME" > "$h/system-nt.spec"
user_spec "$ALICE_ID" > "$h/alice.spec"
user_spec "$BOB_ID" > "$h/bob.spec"
# Padded user hives: alice's over 1 MiB goes in several messages, bob's
# over 4 MiB streams (download and upload), see lib/transfer.c.
padding () {           # $1 keys of 50 values of 12000 bytes
  local pad k i
  pad=$(printf '%6000s' '' | tr ' ' x)
  for k in $(seq "$1"); do
    printf '[Software\\Imgscrub\\Padding\\Part%d]\n' "$k"
    for i in $(seq 50); do printf '"Pad%02d"=sz:%s\n' "$i" "$pad"; done
  done
}
padding 4 >> "$h/alice.spec"
padding 9 >> "$h/bob.spec"
printf '[Software\\Imgscrub\\Test]\n"DefaultId"=sz:%s\n' "$DEFAULT_ID" > "$h/default.spec"
printf '[SAM\\Domains]\n' > "$h/sam.spec"
printf '[Policy]\n' > "$h/security.spec"

"$mkhive" "$h/software.spec" "$h/SOFTWARE"
"$mkhive" --dirty "$h/software.spec" "$h/SOFTWARE.dirty"
"$mkhive" "$h/software-nt.spec" "$h/SOFTWARE.nt"
"$mkhive" "$h/system.spec" "$h/SYSTEM"
"$mkhive" "$h/system-nt.spec" "$h/SYSTEM.nt"
"$mkhive" "$h/alice.spec" "$h/NTUSER.alice"
"$mkhive" "$h/bob.spec" "$h/NTUSER.bob"
"$mkhive" "$h/default.spec" "$h/DEFAULT"
"$mkhive" "$h/sam.spec" "$h/SAM"
"$mkhive" "$h/security.spec" "$h/SECURITY"
"$mkhive" --pe "$h/cmd.exe"
# A real dirty Windows 10 SYSTEM hive with its transaction logs
# (tests/data/regipy): 12 MiB + 6 MiB of logs, the disk holds 64 MiB.
xz -dc "$here/data/regipy/SYSTEM_B.xz" > "$h/SYSTEM.dirtylog"
xz -dc "$here/data/regipy/SYSTEM_B.LOG1.xz" > "$h/SYSTEM.LOG1"
xz -dc "$here/data/regipy/SYSTEM_B.LOG2.xz" > "$h/SYSTEM.LOG2"
# A hibernation file's header: ntfs-3g refuses read-write mounts.
{ printf 'hibr'; head -c 4092 /dev/zero; } > "$h/hiberfil.sys"

# SSH host keys for the Linux guest (fixed text when ssh-keygen is absent).
for t in rsa ed25519; do
  if command -v ssh-keygen > /dev/null; then
    ssh-keygen -q -t $t -N '' -C "root@$LINUX_HOSTNAME" -f "$h/ssh_host_${t}_key"
  else
    echo "-----BEGIN OPENSSH PRIVATE KEY----- test $t" > "$h/ssh_host_${t}_key"
    echo "ssh-$t AAAAtest root@$LINUX_HOSTNAME" > "$h/ssh_host_${t}_key.pub"
  fi
done

# ---- disks ---------------------------------------------------------------
fish="$tmp/build.fish"
: > "$fish"
disks="win winnt win-dirty win-hiber linux linux-lvm win-dirtylog rhel debian"
for d in $disks; do
  truncate -s 64M "$tmp/$d.raw"
  echo "add-drive-opts $tmp/$d.raw format:raw" >> "$fish"
done
echo run >> "$fish"

# windows_disk DEV ROOT SYSTEM32 USERS SOFTWARE SYSTEM SMSUIDS SMS1X SMSCFG GUID
windows_disk () {
  local dev=$1 root=$2 sys32=$3 users=$4 software=$5 system=$6
  local smsuids=$7 sms1x=$8 smscfg=$9 guid=${10}
  cat >> "$fish" <<EOF
part-disk $dev mbr
mkfs ntfs ${dev}1
mount ${dev}1 /
mkdir-p "$sys32/config"
upload $h/$software "$sys32/config/$(basename "$software" | sed 's/\..*//')"
upload $h/$system "$sys32/config/SYSTEM"
upload $h/DEFAULT "$sys32/config/DEFAULT"
upload $h/SAM "$sys32/config/SAM"
upload $h/SECURITY "$sys32/config/SECURITY"
upload $h/cmd.exe "$sys32/cmd.exe"
mkdir-p "/$users/alice/AppData/Local/SMS"
mkdir-p "/$users/bob/Documents"
upload $h/NTUSER.alice "/$users/alice/NTUSER.DAT"
upload $h/NTUSER.bob "/$users/bob/NTUSER.DAT"
mkdir-p "/Program Files/SMS"
mkdir-p /ProgramData/Microsoft
write "$smscfg" "[Configuration - Client Properties]\r\nSMS Unique Identifier=$guid\r\n"
EOF
  local IFS='|'
  for f in $smsuids; do
    echo "write \"$f\" \"$guid\"" >> "$fish"
  done
  for f in $sms1x; do
    echo "write \"$f\" \"[SMS]\\r\\nSMSID=$guid\\r\\n\"" >> "$fish"
  done
}

win_decoys () {
  local IFS='|' f
  for f in $(echo "$WIN_DECOYS" | sed 's| /|\|/|g'); do
    echo "write \"$f\" \"decoy $(basename "$f") keep me\"" >> "$fish"
  done
}

# win_agent_files: the agents' and windows-hygiene's files and their
# decoys (tests/fixture-values.sh), each in a folder of its own making.
win_agent_files () {
  local f
  while IFS= read -r f; do
    printf 'mkdir-p "%s"\nwrite "%s" "%s %s"\n' "$(dirname "$f")" "$f" \
      "$WIN_AGENT_TAG" "$(basename "$f")" >> "$fish"
  done <<EOF
$WIN_AGENT_FILES
EOF
  while IFS= read -r f; do
    printf 'mkdir-p "%s"\nwrite "%s" "keep %s"\n' "$(dirname "$f")" "$f" \
      "$(basename "$f")" >> "$fish"
  done <<EOF
$WIN_AGENT_DECOYS
EOF
}

bar () { echo "$1" | sed 's| /|\|/|g'; }
for d in win win-dirty win-hiber win-dirtylog; do
  case $d in
    win) dev=/dev/sda ;; win-dirty) dev=/dev/sdc ;; win-hiber) dev=/dev/sdd ;;
    win-dirtylog) dev=/dev/sdg ;;
  esac
  software=SOFTWARE
  system=SYSTEM
  [ $d = win-dirty ] && software=SOFTWARE.dirty
  [ $d = win-dirtylog ] && system=SYSTEM.dirtylog
  windows_disk $dev /Windows /Windows/System32 Users $software $system \
    "$(bar "$WIN_SMSUID_COPIES")" "$(bar "$WIN_SMS1X_COPIES")" "$WIN_SMSCFG" "$SMS_GUID"
  win_decoys
  [ $d = win ] && win_agent_files
  [ $d = win-hiber ] && echo "upload $h/hiberfil.sys /hiberfil.sys" >> "$fish"
  # The logs as Windows 10 names them, one in another letter case.
  if [ $d = win-dirtylog ]; then
    echo "upload $h/SYSTEM.LOG1 /Windows/System32/config/SYSTEM.LOG1" >> "$fish"
    echo "upload $h/SYSTEM.LOG2 /Windows/System32/config/system.log2" >> "$fish"
  fi
  echo "umount-all" >> "$fish"
done
windows_disk /dev/sdb /WINNT /WINNT/system32 "Documents and Settings" SOFTWARE.nt SYSTEM.nt \
  "$(bar "$WINNT_SMSUID_COPIES")" "$(bar "$WINNT_SMS1X_COPIES")" "$WINNT_SMSCFG" "$WINNT_SMS_GUID"
# Windows 2000 names the hive in lower case: rename what windows_disk wrote.
cat >> "$fish" <<EOF
mv /WINNT/system32/config/SOFTWARE $WINNT_SOFTWARE
umount-all
EOF

cat >> "$fish" <<EOF
part-disk /dev/sde mbr
mkfs ext4 /dev/sde1
set-uuid /dev/sde1 0c1e5b7a-3f2d-4e6b-9a8c-7d6e5f4a3b2c
mount /dev/sde1 /
mkdir-p /etc/ssh
mkdir-p /var/lib/dbus
mkdir-p /usr/bin
mkdir-p /usr/sbin
mkdir-p /bin
mkdir-p /sbin
mkdir-p /root
write /etc/os-release "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nID=debian\n"
write /etc/debian_version "12.8\n"
write /etc/hostname "$LINUX_HOSTNAME\n"
write /etc/machine-id "$LINUX_MACHINE_ID\n"
write /var/lib/dbus/machine-id "$LINUX_MACHINE_ID\n"
write /etc/fstab "UUID=0c1e5b7a-3f2d-4e6b-9a8c-7d6e5f4a3b2c / ext4 errors=remount-ro 0 1\n"
write /etc/ssh/ssh_config "Host *\n  SendEnv LANG LC_*\n"
write /etc/machine-info "PRETTY_HOSTNAME=decoy\n"
upload $h/ssh_host_rsa_key /etc/ssh/ssh_host_rsa_key
upload $h/ssh_host_rsa_key.pub /etc/ssh/ssh_host_rsa_key.pub
upload $h/ssh_host_ed25519_key /etc/ssh/ssh_host_ed25519_key
upload $h/ssh_host_ed25519_key.pub /etc/ssh/ssh_host_ed25519_key.pub
chmod 0600 /etc/ssh/ssh_host_rsa_key
chmod 0600 /etc/ssh/ssh_host_ed25519_key
ln-s /etc /link
ln-s ../etc/hostname /root/hostname-link
mkfifo 0644 /root/fifo
write "/root/caf\xc3\xa9.txt" "utf-8 name\n"
write "/root/latin1-caf\xe9.txt" "latin-1 name\n"
umount-all
EOF

# A Linux guest on LVM, as clones of one template are: /boot on a
# partition mounted by UUID, / on a logical volume of the volume group
# "$LVM_VG".  The tests copy it: the copies share the VG name, the PV
# UUID and the /boot UUID.
cat >> "$fish" <<EOF
part-init /dev/sdf mbr
part-add /dev/sdf p 2048 34815
part-add /dev/sdf p 34816 -2048
mkfs ext4 /dev/sdf1
set-uuid /dev/sdf1 $LVM_BOOT_UUID
pvcreate /dev/sdf2
vgcreate $LVM_VG /dev/sdf2
lvcreate-free root $LVM_VG 100
mkfs ext4 /dev/$LVM_VG/root
mount /dev/$LVM_VG/root /
mkdir-p /boot
mount /dev/sdf1 /boot
write /boot/config-6.1.0 "boot partition marker\n"
mkdir-p /etc/ssh
mkdir-p /var/lib/dbus
write /etc/os-release "NAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n"
write /etc/hostname "$LVM_HOSTNAME\n"
write /etc/machine-id "$LVM_MACHINE_ID\n"
write /etc/fstab "/dev/mapper/$LVM_VG-root / ext4 defaults 0 1\nUUID=$LVM_BOOT_UUID /boot ext4 defaults 0 2\n"
upload $h/ssh_host_ed25519_key /etc/ssh/ssh_host_ed25519_key
umount-all
vg-activate false $LVM_VG
EOF

# Two templates as an image factory leaves them, for linux-clone-prep
# and the side-by-side run of virt-sysprep: a RHEL-family guest and a
# Debian-family one, each with every artefact (tests/fixture-values.sh)
# and decoys beside them.  /var/run is a relative link to /run.
put () {               # $1 guest path, $2 content (default: names it)
  printf 'mkdir-p "%s"\nwrite "%s" "%s"\n' "$(dirname "$1")" "$1" \
    "${2-artefact $1\\n}" >> "$fish"
}
clone_disk () {        # $1 device, $2 hostname, $3 machine-id
  cat >> "$fish" <<EOF
part-disk $1 mbr
mkfs ext4 ${1}1
set-label ${1}1 root
mount ${1}1 /
mkdir-p /usr/bin
mkdir-p /usr/sbin
mkdir-p /bin
mkdir-p /sbin
mkdir-p /run
mkdir-p /var
ln-s ../run /var/run
mkdir-p /var/lib/dbus
mkdir-p /etc
write /etc/hostname "$2\n"
write /etc/machine-id "$3\n"
write /var/lib/dbus/machine-id "$3\n"
write /etc/fstab "LABEL=root / ext4 defaults 0 1\n"
EOF
  local f t
  for f in $CLONE_ARTEFACTS $CLONE_DECOYS; do put "$f"; done
  put /var/spool/at/.SEQ '0002a\n'
  # The instance link, as cloud-init leaves it.
  echo "rm /var/lib/cloud/instance" >> "$fish"
  echo "ln-s /var/lib/cloud/instances/i-0abc123 /var/lib/cloud/instance" >> "$fish"
  for t in rsa ed25519; do
    echo "upload $h/ssh_host_${t}_key /etc/ssh/ssh_host_${t}_key" >> "$fish"
    echo "upload $h/ssh_host_${t}_key.pub /etc/ssh/ssh_host_${t}_key.pub" >> "$fish"
  done
}
clone_disk /dev/sdh "$RHEL_HOSTNAME" "$RHEL_MACHINE_ID"
for f in $CLONE_RHEL_ARTEFACTS $CLONE_RHEL_DECOYS; do put "$f"; done
put /etc/os-release 'NAME=\"Red Hat Enterprise Linux\"\nVERSION=\"9.4 (Plow)\"\nID=\"rhel\"\nID_LIKE=\"fedora\"\nVERSION_ID=\"9.4\"\nPRETTY_NAME=\"Red Hat Enterprise Linux 9.4 (Plow)\"\n'
put /etc/redhat-release 'Red Hat Enterprise Linux release 9.4 (Plow)\n'
# ifcfg files: the HWADDR and HOSTNAME lines go, every other byte stays
# (eth1 has CRLF endings, eth2 no final newline).
put /etc/sysconfig/network-scripts/ifcfg-eth0 "DEVICE=eth0\nHWADDR=$RHEL_HWADDR\nBOOTPROTO=dhcp\nHOSTNAME=$RHEL_HOSTNAME\nDHCP_HOSTNAME=$RHEL_HOSTNAME\nONBOOT=yes\n# HWADDR=kept-comment\n"
put /etc/sysconfig/network-scripts/ifcfg-eth1 "DEVICE=eth1\r\nHWADDR=$RHEL_HWADDR\r\nONBOOT=no\r\n"
put /etc/sysconfig/network-scripts/ifcfg-eth2 "DEVICE=eth2\nHWADDR=$RHEL_HWADDR"
echo umount-all >> "$fish"
clone_disk /dev/sdi "$DEB_HOSTNAME" "$DEB_MACHINE_ID"
for f in $CLONE_DEB_ARTEFACTS $CLONE_DEB_DECOYS; do put "$f"; done
put /etc/os-release 'PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n'
put /etc/debian_version '12.8\n'
echo umount-all >> "$fish"

guestfish -f "$fish"

# ---- formats ---------------------------------------------------------------
for d in win winnt linux linux-lvm; do
  qemu-img convert -q -f raw -O vpc -o subformat=dynamic,force_size=on "$tmp/$d.raw" "$tmp/$d.vhd"
  qemu-img convert -q -f raw -O vmdk -o subformat=monolithicSparse "$tmp/$d.raw" "$tmp/$d.vmdk"
  qemu-img convert -q -f raw -O qcow2 "$tmp/$d.raw" "$tmp/$d.qcow2"
done
rm -rf "$h" "$fish"
chmod a-w "$tmp"/*
rm -rf "$out"
mv "$tmp" "$out"
touch "$out/stamp"
