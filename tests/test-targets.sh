#!/bin/sh
# --target: scrub the linux fixture (and a copy whose size is not a
# whole MiB) for every target, then check each output with a reader
# that is not imgscrub: virt-v2v for the OVA (which verifies its .mf),
# vmdkinfo for the stream VMDK, vhdiinfo for the VHD and VHDX, the
# Azure footer by hand, GNU tar for the GCE tar.gz; read every disk
# back with guestfish to show it is scrubbed; and break one output on
# purpose to show the rule check fails it and leaves nothing behind.
# Needs libvmdk-utils, libvhdi-utils and virt-v2v (.ci/debian-packages).
. "$top_srcdir/tests/functions.sh"

for tool in vmdkinfo vhdiinfo virt-v2v tar od; do
  command -v $tool > /dev/null || { echo "$TEST_NAME: skipped: no $tool"; exit 77; }
done

no_scratch () {
  [ -z "$(find "$1" -name '.imgscrub-*' -o -name '*.tmp-*' -o -name '*.disk' 2>/dev/null)" ] ||
    fail "scratch files left in $1"
}

# A copy 1536 bytes past a whole MiB: Azure's rounding has work to do.
cp --sparse=always "$FIXTURES/linux.raw" "$WORK/odd.raw"
chmod u+w "$WORK/odd.raw"
truncate -s +1536 "$WORK/odd.raw"
odd_size=$(stat -c %s "$WORK/odd.raw")
mib=1048576
inputs="$FIXTURES/linux.raw $WORK/odd.raw"
before=$(cat $FIXTURES/linux.raw "$WORK/odd.raw" | sha256sum)

# One run a target (each run takes one target), both inputs in each.
for t in vsphere azure gce aws hyperv; do
  extra=
  [ $t = azure ] && extra="--archive $WORK/azure.tar"
  expect_status 0 "$IMGSCRUB" scrub -p linux-clone-prep --target $t \
    -o "$WORK/$t" $extra $inputs > "$WORK/$t.out" 2> "$WORK/$t.err"
  no_scratch "$WORK/$t"
  validate_manifest "$WORK/$t/manifest.json"
  jq -e --arg t $t '[.images[] | select(.status == "ok" and .target.name == $t
      and .target.kind == "target" and (.target.checks | length) > 0)] | length == 2' \
    "$WORK/$t/manifest.json" > /dev/null || fail "$t: manifest does not record the target and its checks"
  for f in $(jq -r '.images[].output' "$WORK/$t/manifest.json"); do
    [ "$(jq -r --arg f "$f" '.images[] | select(.output == $f) | .output_sha256' "$WORK/$t/manifest.json")" = \
      "$(sha256 "$f")" ] || fail "$t: output_sha256 of $f is not the shipped file's"
  done
done
[ "$(cat $FIXTURES/linux.raw "$WORK/odd.raw" | sha256sum)" = "$before" ] || fail "an input changed"

# ---- vsphere: an OVA virt-v2v reads, .ovf first, ustar, SHA256 .mf ----
ova="$WORK/vsphere/linux.ova"
[ -f "$ova" ] && [ -f "$WORK/vsphere/odd.ova" ] || fail "vsphere: $(ls "$WORK/vsphere")"
[ "$(tar -tf "$ova" | tr '\n' ' ')" = "linux.ovf linux.mf linux-disk1.vmdk " ] ||
  fail "vsphere: members $(tar -tf "$ova" | tr '\n' ' ')"
# ustar magic ("ustar\0" "00") in every header, no pax or GNU headers.
[ "$(dd if="$ova" bs=1 skip=257 count=8 2>/dev/null | od -An -c | tr -s ' ')" = " u s t a r \0 0 0" ] ||
  fail "vsphere: the first header is not ustar"
tar -tvf "$ova" | grep -q -e '^[^-]' && fail "vsphere: a member that is not a regular file"
mkdir "$WORK/ova"
tar -xf "$ova" -C "$WORK/ova"
grep -Eq '^SHA256\(linux-disk1\.vmdk\)= [0-9a-f]{64}$' "$WORK/ova/linux.mf" || fail "vsphere: .mf line form"
(cd "$WORK/ova" && sed 's/^SHA256(\(.*\))= \(.*\)$/\2  \1/' linux.mf | sha256sum -c --quiet) ||
  fail "vsphere: .mf does not match the members"
[ "$(sed -n 's/.*ovf:size="\([0-9]*\)".*/\1/p' "$WORK/ova/linux.ovf")" = \
  "$(stat -c %s "$WORK/ova/linux-disk1.vmdk")" ] || fail "vsphere: ovf:size is not the disk's size"
virt-v2v -i ova "$ova" --print-source > "$WORK/v2v.out" 2> "$WORK/v2v.err" ||
  { cat "$WORK/v2v.err" >&2; fail "vsphere: virt-v2v does not accept the OVA"; }
grep -q 'source name: linux' "$WORK/v2v.out" || fail "vsphere: virt-v2v: no source name"
grep -q '\[scsi\]' "$WORK/v2v.out" || fail "vsphere: virt-v2v: the disk is not on SCSI"
vmdkinfo "$WORK/ova/linux-disk1.vmdk" | grep -q 'Disk type:.*Stream optimized' ||
  fail "vsphere: the OVA's disk is not stream optimized"
# A wrong .mf is what virt-v2v refuses (so the check above means something).
mkdir "$WORK/badova"
sed 's/= ./= 0/' "$WORK/ova/linux.mf" > "$WORK/badova/linux.mf"
cp "$WORK/ova/linux.ovf" "$WORK/ova/linux-disk1.vmdk" "$WORK/badova/"
(cd "$WORK/badova" && tar --format=ustar -cf bad.ova linux.ovf linux.mf linux-disk1.vmdk)
! virt-v2v -i ova "$WORK/badova/bad.ova" --print-source > /dev/null 2>&1 ||
  fail "virt-v2v accepted a wrong .mf"

# ---- aws: a stream VMDK --------------------------------------------------
for f in linux odd; do
  vmdkinfo "$WORK/aws/$f.vmdk" | grep -q 'Disk type:.*Stream optimized' ||
    fail "aws: $f.vmdk is not stream optimized"
done
jq -e '.images[0].output_format == "vmdk" and .images[0].target.disk_format == "vmdk-stream"' \
  "$WORK/aws/manifest.json" > /dev/null || fail "aws: manifest formats"

# ---- azure: a fixed VHD, size a MiB multiple, footer by hand ----------
footer_field () { # FILE OFFSET LEN: big-endian unsigned from the footer
  od -An -tx1 -j $(($(stat -c %s "$1") - 512 + $2)) -N $3 "$1" | tr -d ' \n'
}
for f in linux odd; do
  v="$WORK/azure/$f.vhd"
  vhdiinfo "$v" | grep -q 'Disk type.*: Fixed' || fail "azure: vhdiinfo: $f.vhd not fixed"
  size=$(stat -c %s "$v")
  [ "$(dd if="$v" bs=1 skip=$((size - 512)) count=8 2>/dev/null)" = conectix ] || fail "azure: $f.vhd cookie"
  [ $((0x$(footer_field "$v" 60 4))) -eq 2 ] || fail "azure: $f.vhd disk type"
  current=$((0x$(footer_field "$v" 48 8)))
  [ $current -eq $((size - 512)) ] || fail "azure: $f.vhd current size $current, data $((size - 512))"
  [ $((current % mib)) -eq 0 ] || fail "azure: $f.vhd size $current not a MiB multiple"
  # The checksum: one's complement of the byte sum, the field left out.
  sum=$(dd if="$v" bs=1 skip=$((size - 512)) count=512 2>/dev/null | od -An -v -tu1 |
        awk '{ for (i = 1; i <= NF; i++) { if (n < 64 || n >= 68) s += $i; n++ } }
             END { printf "%08x", 4294967295 - (s % 4294967296) }')
  [ "$sum" = "$(footer_field "$v" 64 4)" ] || fail "azure: $f.vhd footer checksum"
done
[ $(($(stat -c %s "$WORK/azure/odd.vhd") - 512)) -eq $(( (odd_size + mib - 1) / mib * mib )) ] ||
  fail "azure: odd.vhd not rounded up to the next MiB"
# --archive: SHA256SUMS covers the shipped files.
mkdir "$WORK/arch"
tar -xf "$WORK/azure.tar" -C "$WORK/arch"
grep -q ' linux.vhd$' "$WORK/arch/SHA256SUMS" && grep -q ' odd.vhd$' "$WORK/arch/SHA256SUMS" ||
  fail "azure: SHA256SUMS: $(cat "$WORK/arch/SHA256SUMS")"
(cd "$WORK/arch" && sha256sum -c --quiet SHA256SUMS) || fail "azure: SHA256SUMS does not check"
cmp -s "$WORK/arch/linux.vhd" "$WORK/azure/linux.vhd" || fail "azure: archived image differs"

# ---- hyperv: VHDX --------------------------------------------------------
for f in linux odd; do
  vhdiinfo "$WORK/hyperv/$f.vhdx" | grep -q 'Format.*: VHDX' || fail "hyperv: $f.vhdx not VHDX"
done

# ---- gce: tar.gz with only disk.raw, GNU header, a GiB -----------------
for f in linux odd; do
  g="$WORK/gce/$f.tar.gz"
  [ "$(tar -tzf "$g")" = disk.raw ] || fail "gce: $f.tar.gz members: $(tar -tzf "$g" | tr '\n' ' ')"
  # GNU tar's magic "ustar  \0" at 257 of the first header.
  [ "$(gzip -dc "$g" | dd bs=1 skip=257 count=8 2>/dev/null | od -An -c | tr -s ' ')" = " u s t a r \0" ] ||
    fail "gce: $f.tar.gz: no GNU tar header"
done
# Extracted (one of them: a GiB each) for the read-back below.
mkdir "$WORK/gce-odd"
tar -xSzf "$WORK/gce/odd.tar.gz" -C "$WORK/gce-odd"
[ $(($(stat -c %s "$WORK/gce-odd/disk.raw") % (1024 * mib))) -eq 0 ] || fail "gce: disk.raw not a whole GiB"

# ---- every disk read back, scrubbed: host keys gone, decoy kept --------
fish="$WORK/rb.fish"
: > "$fish"
set -- "$FIXTURES/linux.raw:raw" "$WORK/ova/linux-disk1.vmdk:vmdk" "$WORK/aws/linux.vmdk:vmdk" \
  "$WORK/azure/odd.vhd:vpc" "$WORK/hyperv/linux.vhdx:vhdx" "$WORK/gce-odd/disk.raw:raw"
for d in "$@"; do
  echo "add-drive-opts ${d%:*} format:${d##*:} readonly:true" >> "$fish"
done
echo run >> "$fish"
n=0
for d in "$@"; do
  dev=/dev/sd$(echo abcdefgh | cut -c$((n + 1)))1
  printf 'mount-ro %s /\n-echo @@ %s\nls /etc/ssh\n-echo @@ sum\nchecksum sha256 /etc/ssh/ssh_config\numount-all\n' \
    "$dev" "$n" >> "$fish"
  n=$((n + 1))
done
guestfish --ro -f "$fish" > "$WORK/rb.out" 2> "$WORK/rb.err" ||
  { cat "$WORK/rb.err" >&2; fail "guestfish could not read the outputs back"; }
awk '/^@@ [0-9]/ { n = $2; next } /^@@ sum/ { s = 1; next }
     s { print > ("'"$WORK"'/rb." n ".sum"); s = 0; next }
     { print > ("'"$WORK"'/rb." n ".ls") }' "$WORK/rb.out"
grep -q ssh_host_ "$WORK/rb.0.ls" || fail "the input fixture has no SSH host keys"
for n in 1 2 3 4 5; do
  ! grep -q ssh_host_ "$WORK/rb.$n.ls" || fail "output $n ($(eval echo \${$((n + 1))})) keeps SSH host keys"
  grep -q ssh_config "$WORK/rb.$n.ls" || fail "output $n lost the decoy ssh_config"
  cmp -s "$WORK/rb.0.sum" "$WORK/rb.$n.sum" || fail "output $n changed the decoy ssh_config"
done

# ---- a broken rule fails the image, and nothing is left ----------------
# IMGSCRUB_TEST_DAMAGE_DISK flips the converted disk's last byte (lib/archive/ship.c):
# for a fixed VHD that is the footer, so its checksum no longer holds.
IMGSCRUB_TEST_DAMAGE_DISK=1 expect_status 1 "$IMGSCRUB" scrub -p linux-clone-prep \
  --output-format vhd-fixed -o "$WORK/broken" $inputs > "$WORK/broken.out" 2> "$WORK/broken.err"
grep -q "breaks the rule vhd-checksum" "$WORK/broken.err" || fail "broken: no message naming the rule: $(tail -3 "$WORK/broken.err")"
[ "$(ls "$WORK/broken")" = manifest.json ] || fail "broken: left $(ls "$WORK/broken")"
no_scratch "$WORK/broken"
validate_manifest "$WORK/broken/manifest.json"
jq -e '[.images[] | select(.status == "failed" and (.error | test("vhd-checksum"))
    and (has("output") or has("target") | not))] | length == 2' "$WORK/broken/manifest.json" > /dev/null ||
  fail "broken: the manifest does not fail both images by the rule"

# ---- usage ---------------------------------------------------------------
expect_status 2 "$IMGSCRUB" scrub -p linux-clone-prep --target nope -o "$WORK/x" "$WORK/odd.raw" 2> /dev/null
expect_status 2 "$IMGSCRUB" scrub -p linux-clone-prep --target gce --output-format vhdx \
  -o "$WORK/x" "$WORK/odd.raw" 2> /dev/null
expect_status 2 "$IMGSCRUB" scrub -p linux-clone-prep --target gce --in-place "$WORK/odd.raw" 2> /dev/null
exit 0
