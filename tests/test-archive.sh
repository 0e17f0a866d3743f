#!/bin/sh
# --archive and --export-tree: every format read back by the standard
# tools (GNU tar, bsdtar, unzip), checksums verified with sha256sum -c,
# the image inside the bundle scrubbed (checked with guestfish and hivex,
# not imgscrub), the tree holding the guest's files minus the deleted
# ones, a guest symlink to /etc stored as a symlink (never followed into
# the appliance), names a format cannot hold reported, and no archive or
# temporary left by a failed or interrupted run.
. "$top_srcdir/tests/functions.sh"

no_leftovers () {
  left=$(find "$1" -name '.imgscrub-*' -o -name '*.tmp-*' | head -n 3)
  [ -z "$left" ] || fail "temporaries left: $left"
}
key='Microsoft\SMS\Client\Configuration\Client Properties'
for f in win.vhd linux.raw linux.qcow2; do sha256 "$FIXTURES/$f"; done > "$WORK/inputs.before"

# ---- only archives: a tar.zst bundle and a tar.gz tree -----------------
a="$WORK/a"
mkdir "$a"
expect_status 0 "$IMGSCRUB" scrub -p sms2-clone-prep -p linux-machine-id \
  --archive "$a/bundle.tar.zst" --export-tree "$a/tree.tar.gz" \
  "$FIXTURES/win.vhd" "$FIXTURES/linux.raw" > "$WORK/a.out"
[ "$(ls -A "$a" | tr '\n' ' ')" = "bundle.tar.zst tree.tar.gz " ] ||
  fail "only the two archives should be there: $(ls -A "$a")"
grep -q "^archive  *$a/bundle.tar.zst" "$WORK/a.out" || fail "archive not announced"

# The bundle: GNU tar reads it, sha256sum -c agrees, the manifest inside
# names each member.
mkdir "$a/x"
tar --zstd -xf "$a/bundle.tar.zst" -C "$a/x" || fail "GNU tar cannot read the tar.zst bundle"
[ "$(ls "$a/x" | tr '\n' ' ')" = "SHA256SUMS linux.raw manifest.json win.vhd " ] ||
  fail "bundle members: $(ls "$a/x")"
(cd "$a/x" && sha256sum -c --quiet SHA256SUMS) || fail "SHA256SUMS does not verify"
m="$a/x/manifest.json"
validate_manifest "$m"
jq -e '.archive.format == "tar.zst" and ([.images[].archive_member] == ["win.vhd", "linux.raw"])' "$m" > /dev/null ||
  fail "bundle manifest: $(jq -c '{archive, m: [.images[].archive_member]}' "$m")"
[ "$(jq -r '.images[0].output_sha256' "$m")" = "$(sha256 "$a/x/win.vhd")" ] || fail "manifest hash of win.vhd"
# The raw image stayed sparse in the tar: far smaller than its 64 MiB.
[ "$(stat -c %s "$a/bundle.tar.zst")" -lt $((8 * 1048576)) ] || fail "bundle not sparse or not compressed"

# The image inside is scrubbed, read back independently.
COLLECT_FILES="$WIN_SOFTWARE" collect "$WORK/rb" "$a/x/win.vhd"
[ -f "$WORK/rb/0.SOFTWARE" ] || fail "no SOFTWARE hive in the bundled image"
! hive_value "$WORK/rb/0.SOFTWARE" "$key" 'SMS Unique Identifier' > /dev/null ||
  fail "bundled image still has the SMS GUID"
[ "$(hive_value "$WORK/rb/0.SOFTWARE" "$key" 'Site Code')" = ABC ] || fail "bundled image lost Site Code"
! grep -qi '/smsuid\.dat$' "$WORK/rb/0.files" || fail "bundled image has a Smsuid.dat"

# The tree: bsdtar reads it; deleted files absent, decoys present, the
# hive inside scrubbed, the symlink a symlink, nothing of the appliance.
bsdtar -tvf "$a/tree.tar.gz" > "$WORK/tree.list" || fail "bsdtar cannot read the tree"
bsdtar -tf "$a/tree.tar.gz" > "$WORK/tree.names"
grep -qx 'win/Windows/System32/config/SOFTWARE' "$WORK/tree.names" || fail "tree lacks the SOFTWARE hive"
grep -qx 'linux/etc/os-release' "$WORK/tree.names" || fail "tree lacks /etc/os-release"
echo "$WIN_DECOYS" | sed 's| /|\n/|g' | while IFS= read -r d; do
  grep -qxF "win$d" "$WORK/tree.names" || fail "decoy $d missing from the tree"
done
! grep -qi '/smsuid\.dat$\|/sms1x\.ini$\|^win/windows/smscfg\.ini$' "$WORK/tree.names" ||
  fail "a deleted file is in the tree: $(grep -i '/smsuid\.dat$\|/sms1x\.ini$' "$WORK/tree.names")"
! grep -q 'ssh_host_' "$WORK/tree.names" || fail "SSH host keys are in the tree"
grep -q '^l.* linux/link -> /etc$' "$WORK/tree.list" || fail "linux/link is not stored as a symlink to /etc"
! grep -q '^linux/link/' "$WORK/tree.names" || fail "the walk followed /link into the appliance's /etc"
grep -q '^p.* linux/root/fifo$' "$WORK/tree.list" || fail "the FIFO is not in the tree"
grep -q '^drwx------ .* linux/lost+found/\?$' "$WORK/tree.list" || fail "lost+found lost its mode 0700"
grep -q '^-rw-r--r-- *0 *0 .* linux/etc/os-release$' "$WORK/tree.list" ||
  fail "os-release lost its owner or mode: $(grep 'linux/etc/os-release' "$WORK/tree.list")"
! grep -q '^/\|\(^\|/\)\.\.\(/\|$\)' "$WORK/tree.names" || fail "an absolute or .. name in the tree"
mkdir "$a/t"
bsdtar -xf "$a/tree.tar.gz" -C "$a/t" win/Windows/System32/config/SOFTWARE linux/etc/machine-id manifest.json
! hive_value "$a/t/win/Windows/System32/config/SOFTWARE" "$key" 'SMS Unique Identifier' > /dev/null ||
  fail "the tree's SOFTWARE hive still has the SMS GUID"
[ ! -s "$a/t/linux/etc/machine-id" ] || fail "the tree's machine-id is not empty"
jq -e '[.images[].tree.folder] == ["win", "linux"] and .images[1].tree.entries > 10' \
  "$a/t/manifest.json" > /dev/null || fail "tree manifest: $(jq -c '[.images[].tree]' "$a/t/manifest.json")"

# ---- with -o: outputs and a tar.xz bundle; a zip tree -------------------
b="$WORK/b"
expect_status 0 "$IMGSCRUB" scrub -p linux-machine-id -o "$b" --archive "$b.tar.xz" \
  --export-tree "$b.zip" --compression-level 9 --compression-threads 2 "$FIXTURES/linux.qcow2" > /dev/null
mkdir "$WORK/bx"
tar -xJf "$b.tar.xz" -C "$WORK/bx" || fail "GNU tar cannot read the tar.xz bundle"
cmp -s "$WORK/bx/linux.qcow2" "$b/linux.qcow2" || fail "bundled image differs from the -o output"
(cd "$WORK/bx" && sha256sum -c --quiet SHA256SUMS) || fail "tar.xz SHA256SUMS does not verify"
jq -e '.archive.format == "tar.xz" and (.images[0].output | endswith("/b/linux.qcow2"))' \
  "$b/manifest.json" > /dev/null || fail "manifest with -o and --archive"
unzip -tq "$b.zip" > /dev/null || fail "unzip rejects the zip tree"
unzip -Z1 "$b.zip" > "$WORK/zip.names"
grep -qx 'linux/root/café.txt' "$WORK/zip.names" || fail "UTF-8 name not kept exactly in zip"
! grep -q 'latin1' "$WORK/zip.names" || fail "a non-UTF-8 name was mangled into the zip"
unzip -p "$b.zip" manifest.json > "$WORK/zip.json"
validate_manifest "$a/t/manifest.json" "$b/manifest.json" "$WORK/zip.json"
jq -e '[.images[0].tree.unrepresentable[].name] | (index("linux/root/latin1-caf\\xe9.txt") != null) and (index("linux/root/fifo") != null)' \
  "$WORK/zip.json" > /dev/null ||
  fail "unrepresentable names not reported: $(jq -c '.images[0].tree.unrepresentable' "$WORK/zip.json")"
no_leftovers "$WORK"

for f in win.vhd linux.raw linux.qcow2; do sha256 "$FIXTURES/$f"; done > "$WORK/inputs.after"
cmp -s "$WORK/inputs.before" "$WORK/inputs.after" || fail "an input image changed"

# ---- failures leave no archive ------------------------------------------
# Every image bad: nothing to ship, so no archive (and no launch).
printf 'not a disk image' > "$WORK/bad.vhd"
expect_status 1 "$IMGSCRUB" scrub -p sms2-clone-prep --archive "$WORK/c.tar" "$WORK/bad.vhd" \
  > /dev/null 2> "$WORK/c.err"
grep -q "no archive written" "$WORK/c.err" || fail "no message for the missing archive"
[ ! -e "$WORK/c.tar" ] || fail "an archive of nothing was written"
# Bad archive options fail before any image is opened.
expect_status 2 "$IMGSCRUB" scrub -p sms2-clone-prep --archive "$WORK/c.rar" "$FIXTURES/win.raw" 2> "$WORK/c.err"
grep -q "cannot tell the format" "$WORK/c.err" || fail "unknown archive format not explained"
expect_status 2 "$IMGSCRUB" scrub -p sms2-clone-prep --archive "$WORK/c.tar" --compression-level 5 \
  "$FIXTURES/win.raw" 2> "$WORK/c.err"
grep -q "not compressed" "$WORK/c.err" || fail "a level for plain tar not refused"
expect_status 2 "$IMGSCRUB" scrub -p sms2-clone-prep --archive "$WORK/no/such/dir/c.tar" \
  "$FIXTURES/win.raw" 2> "$WORK/c.err"
grep -q "cannot create the archive" "$WORK/c.err" || fail "unwritable archive folder not reported"
# An archive named like an input would replace it: refused.
cp --sparse=always "$FIXTURES/linux.raw" "$WORK/victim.raw"
before=$(sha256 "$WORK/victim.raw")
expect_status 2 "$IMGSCRUB" scrub -p linux-machine-id --archive "$WORK/victim.raw" --archive-format tar \
  "$WORK/victim.raw" 2> "$WORK/c.err"
grep -q "would replace the input" "$WORK/c.err" || fail "archive over an input not refused"
[ "$(sha256 "$WORK/victim.raw")" = "$before" ] || fail "the input was replaced"
# Interrupted: no archive, no staging.
mkdir "$WORK/i"
"$IMGSCRUB" -v scrub -p sms2-clone-prep --archive "$WORK/i/i.tar.gz" --export-tree "$WORK/i/t.tar" \
  "$FIXTURES/win.raw" > /dev/null 2> "$WORK/i.err" &
interrupt_after_launch $! "$WORK/i.err"
[ -z "$(ls -A "$WORK/i")" ] || fail "interrupted run left: $(ls -A "$WORK/i")"
# An input named "...raw" (issue 22): its tree folder is never "..", and
# no member of the export climbs out of the folder it is extracted in.
mkdir "$WORK/dots"
cp "$FIXTURES/linux.raw" "$WORK/dots/...raw"
before=$(sha256 "$WORK/dots/...raw")
"$IMGSCRUB" scrub -p linux-machine-id -o "$WORK/dots/out" --export-tree "$WORK/dots/t.tar" \
  "$WORK/dots/...raw" > /dev/null 2> "$WORK/dots.err" || { cat "$WORK/dots.err"; fail "export of ...raw failed"; }
tar tf "$WORK/dots/t.tar" > "$WORK/dots.list"
[ -s "$WORK/dots.list" ] || fail "the export of ...raw is empty"
! grep -Eq '^/|(^|/)\.\.?(/|$)' "$WORK/dots.list" ||
  fail "a member of the export of ...raw leaves its folder: $(grep -E '^/|(^|/)\.\.?(/|$)' "$WORK/dots.list" | head -3)"
grep -q '^image/etc/machine-id$' "$WORK/dots.list" ||
  fail "the tree of ...raw is not in the folder 'image': $(head -3 "$WORK/dots.list")"
[ "$(sha256 "$WORK/dots/...raw")" = "$before" ] || fail "the input ...raw changed"
no_leftovers "$WORK"
echo "$TEST_NAME: ok"
