#!/bin/sh
# The Linux agent profiles on one guest made with mkfs.ext4 -d: each
# agent's identity files and, beside each, a decoy that must stay (its
# configuration).  linux-clone-prep empties Wazuh's client.keys (the
# agent enrolls again by itself); crowdstrike-falcon-linux and
# uyuni-client, which need a re-enrolment, run only when asked.  What a
# user checks: the ID is gone, the decoys are byte for byte the same,
# the input is unchanged, and audit sees the IDs two clones share.
#
# Appliance launches: one audit of two copies, one scrub, one guestfish.
. "$top_srcdir/tests/functions.sh"

for t in mkfs.ext4 sfdisk guestfish jq; do
  command -v "$t" > /dev/null || { echo "$TEST_NAME: skipped: no $t"; exit 77; }
done
r="$WORK/root"
mkdir -p "$r/etc" "$r/bin" "$r/sbin" "$r/root" "$r/var/ossec/etc" "$r/opt/CrowdStrike" \
  "$r/etc/venv-salt-minion/pki/minion" "$r/etc/venv-salt-minion/minion.d" "$r/var/lib/zypp"
printf 'NAME="openSUSE Leap"\nVERSION_ID="15.6"\nID=opensuse-leap\n' > "$r/etc/os-release"
echo '/dev/sda1 / ext4 defaults 0 1' > "$r/etc/fstab"
echo 0123456789abcdef0123456789abcdef > "$r/etc/machine-id"
echo '001 template any 8d9f2c7a1b' > "$r/var/ossec/etc/client.keys"
chmod 640 "$r/var/ossec/etc/client.keys"
echo '<ossec_config><client><enrollment><enabled>yes</enabled></enrollment></client></ossec_config>' \
  > "$r/var/ossec/etc/ossec.conf"
echo 'enrollment-password' > "$r/var/ossec/etc/authd.pass"
printf 'AID=4f1e2d3c\nCID=0abc\n' > "$r/opt/CrowdStrike/falconstore"
printf '#!/bin/sh\n' > "$r/opt/CrowdStrike/falconctl"
echo template.example.com > "$r/etc/venv-salt-minion/minion_id"
echo 'PUBLIC KEY' > "$r/etc/venv-salt-minion/pki/minion/minion.pub"
echo 'PRIVATE KEY' > "$r/etc/venv-salt-minion/pki/minion/minion.pem"
echo 'master: suma.example.com' > "$r/etc/venv-salt-minion/minion.d/susemanager.conf"
echo 9a8b7c6d-zypp > "$r/var/lib/zypp/AnonymousUniqueId"
echo 'solver.onlyRequires = true' > "$r/etc/zypp.conf.decoy"
img="$WORK/agents.raw"
truncate -s 33M "$img"
echo 'start=2048, type=83' | sfdisk -q "$img"
mkfs.ext4 -q -F -E offset=1048576 -d "$r" "$img" 32M
before=$(sha256 "$img")

# Two clones of one template share every agent ID: audit says so.
cp --sparse=always "$img" "$WORK/clone2.raw"
set +e
"$IMGSCRUB" audit -p wazuh-agent -p crowdstrike-falcon-linux -p uyuni-client \
  --json "$img" "$WORK/clone2.raw" > "$WORK/audit.json" 2> "$WORK/audit.err"
st=$?
set -e
[ $st -eq 1 ] || fail "audit exited $st, want 1 (shared IDs): $(cat "$WORK/audit.err")"
for id in wazuh-client-key crowdstrike-falconstore salt-bundle-minion-id zypp-anonymous-id; do
  grep -q "\"$id\"" "$WORK/audit.json" || fail "audit does not report the shared $id"
done

mkdir "$WORK/out"
"$IMGSCRUB" scrub -p linux-clone-prep -p crowdstrike-falcon-linux -p uyuni-client \
  -o "$WORK/out" "$img" 2> "$WORK/scrub.err" || fail "scrub: $(cat "$WORK/scrub.err")"
validate_manifest "$WORK/out/manifest.json"
[ "$(sha256 "$img")" = "$before" ] || fail "the input image changed"
guestfish --ro -a "$WORK/out/agents.raw" run : mount-ro /dev/sda1 / : \
  tar-out / "$WORK/t.tar" 2> "$WORK/gf.err" || fail "guestfish: $(cat "$WORK/gf.err")"
mkdir "$WORK/t"
tar -xpf "$WORK/t.tar" -C "$WORK/t"
t="$WORK/t"
[ -f "$t/var/ossec/etc/client.keys" ] && [ ! -s "$t/var/ossec/etc/client.keys" ] ||
  fail "wazuh: client.keys is not an empty file"
[ "$(stat -c %a "$t/var/ossec/etc/client.keys")" = 640 ] || fail "wazuh: client.keys lost its mode"
for p in /opt/CrowdStrike/falconstore /etc/venv-salt-minion/minion_id \
         /etc/venv-salt-minion/pki /var/lib/zypp/AnonymousUniqueId; do
  [ ! -e "$t$p" ] || fail "$p is still there"
done
for p in /var/ossec/etc/ossec.conf /var/ossec/etc/authd.pass /opt/CrowdStrike/falconctl \
         /etc/venv-salt-minion/minion.d/susemanager.conf /etc/zypp.conf.decoy; do
  cmp -s "$r$p" "$t$p" || fail "decoy $p changed or went"
done
# linux-clone-prep alone leaves the agents that need a re-enrolment.
jq -e '[.images[0].actions[] | select(.profile == "wazuh-agent" and .title == "client-keys") | .result] == ["changed"]' \
  "$WORK/out/manifest.json" > /dev/null || fail "the manifest does not record the client.keys change"
"$IMGSCRUB" profiles show linux-clone-prep > "$WORK/show"
grep -q 'wazuh-agent' "$WORK/show" || fail "linux-clone-prep does not include wazuh-agent"
! grep -q 'crowdstrike-falcon-linux\|uyuni-client' "$WORK/show" ||
  fail "linux-clone-prep includes an agent that needs a re-enrolment"
echo "$TEST_NAME: ok"
