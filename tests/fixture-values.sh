# Values planted in the test fixtures (tests/make-fixtures.sh); sourced by
# the tests that check them.  See tests/fixtures.md.
SMS_GUID="GUID:3F2504E0-4F89-11D3-9A0C-0305E82C3301"
WINNT_SMS_GUID="GUID:9C1D5A77-1B2E-4C3D-8E9F-A0B1C2D3E4F5"
WIN_HOSTNAME="WIN-FIXTURE01"
WIN_STALE_HOSTNAME="WIN-STALE-CS001"
WIN_PRODUCT="Windows Server 2008 R2 Standard"
WINNT_HOSTNAME="W2K-FIXTURE02"
WINNT_PRODUCT="Microsoft Windows 2000"
MACHINE_GUID="6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
SUS_CLIENT_ID="0b7c4e2a-9f31-4d8e-a6b5-3c2d1e0f9a8b"
WINNT_MACHINE_GUID="c3d2e1f0-a9b8-4c7d-9e6f-5a4b3c2d1e0f"
WINNT_SUS_CLIENT_ID="e5f4a3b2-c1d0-4e9f-8a7b-6c5d4e3f2a1b"
SMS_CERT_THUMBPRINT="A1B2C3D4E5F60718293A4B5C6D7E8F9012345678"
ALICE_ID="alice-8d1f"
BOB_ID="bob-27c4"
DEFAULT_ID="default-5e90"
LINUX_HOSTNAME="linux-fixture03"
LINUX_MACHINE_ID="5b3f0c1e2d4a49f8a7b6c5d4e3f2a1b0"
LVM_VG="vgclone"
LVM_BOOT_UUID="6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d"
LVM_HOSTNAME="lvm-fixture04"
LVM_MACHINE_ID="8e7d6c5b4a3948f7a6b5c4d3e2f1a0b9"

# Guest paths in the `win` fixture (system root /Windows).
WIN_SMSUID_COPIES="/Windows/Smsuid.dat /Windows/System32/SMSUID.DAT /Program Files/SMS/smsuid.dat /Users/alice/AppData/Local/SMS/SmsUid.Dat"
WIN_SMS1X_COPIES="/Windows/Sms1x.ini /SMS1X.INI /Program Files/SMS/sms1x.ini"
WIN_SMSCFG="/Windows/Smscfg.ini"
# Decoys: similar names that every profile must leave alone, byte for byte.
WIN_DECOYS="/Windows/Smsuid.dat.bak /Windows/Smsuid.txt /Windows/MySmsuid.dat /Program Files/SMS/Sms1x.ini.old /Windows/Smscfg.ini.bak /Windows/System32/Smscfg.ini /Users/bob/Documents/notes-smsuid.dat.txt"
WIN_SOFTWARE="/Windows/System32/config/SOFTWARE"
WIN_SYSTEM="/Windows/System32/config/SYSTEM"
WIN_DEFAULT="/Windows/System32/config/DEFAULT"
WIN_ALICE_NTUSER="/Users/alice/NTUSER.DAT"
WIN_BOB_NTUSER="/Users/bob/NTUSER.DAT"

# The Windows 2000 variant (system root /WINNT).
WINNT_SMSUID_COPIES="/WINNT/SMSUID.DAT /WINNT/system32/smsuid.dat"
WINNT_SMS1X_COPIES="/WINNT/SMS1X.INI /Sms1x.ini"
WINNT_SMSCFG="/WINNT/SMSCFG.INI"
WINNT_SOFTWARE="/WINNT/system32/config/software"

# The clone-prep guests `rhel` and `debian` (tests/test-linux-clone-prep.sh):
# files linux-clone-prep removes, on both and on one of them, and decoys
# beside them that every profile keeps byte for byte.
RHEL_HOSTNAME="rhel-template05"
RHEL_MACHINE_ID="1c2b3a4d5e6f47a8b9c0d1e2f3a4b5c6"
DEB_HOSTNAME="deb-template06"
DEB_MACHINE_ID="9a8b7c6d5e4f43a2b1c0d9e8f7a6b5c4"
RHEL_HWADDR="52:54:00:5e:00:05"
CLONE_ARTEFACTS="/var/spool/abrt/ccpp-2026-11-01/coredump /root/notes.bak /etc/fstab~ /home/alice/.bash_history /root/.bash_history /etc/blkid/blkid.tab /var/crash/127.0.0.1-2026-11-01/vmcore /var/lib/dhcpd/dhcpd.leases /var/lib/dovecot/instances /etc/ipa/default.conf /etc/ipa/ca.crt /etc/krb5.keytab /var/log/boot.log /var/log/audit/audit.log /var/log/wtmp /var/log/lastlog /var/log/journal/0123abcd/system.journal /var/lib/logrotate.status /etc/lvm/devices/system.devices /var/spool/mail/alice /etc/passwd- /etc/shadow- /etc/group- /var/log/puppet/agent.log /var/lib/puppet/ssl/certs/template.pem /var/log/samba/log.smbd /var/lib/samba/private/secrets.tdb /etc/smolt/uuid /etc/ssh/ssh_host_rsa_key /etc/ssh/ssh_host_rsa_key.pub /etc/ssh/ssh_host_ed25519_key /etc/ssh/ssh_host_ed25519_key.pub /home/alice/.ssh/authorized_keys /home/alice/.ssh/id_ed25519 /root/.ssh/known_hosts /var/log/sssd/sssd.log /var/lib/sss/db/cache_default.ldb /tmp/session-1234 /tmp/.X0-lock /tmp/build/output.o /var/tmp/cache.tmp /etc/udev/rules.d/70-persistent-net.rules /run/utmp /run/faillock/alice /home/alice/.zsh_history /root/.zsh_history /var/lib/cloud/instances/i-0abc123/obj.pkl /var/lib/cloud/instance /var/lib/cloud/data/instance-id /var/log/cloud-init.log /var/log/cloud-init-output.log /var/lib/systemd/random-seed /etc/salt/minion_id /etc/salt/pki/minion/minion.pem /etc/salt/pki/minion/minion.pub /etc/puppetlabs/puppet/ssl/certs/template.pem /etc/chef/client.pem"
CLONE_RHEL_ARTEFACTS="/var/spool/cron/root /var/lib/dhclient/dhclient-eth0.leases /var/log/messages /var/log/secure /root/anaconda-ks.cfg /etc/NetworkManager/system-connections/eth0.nmconnection /var/account/pacct /var/cache/dnf/baseos-1a2b/repomd.xml /etc/pki/consumer/cert.pem /etc/pki/entitlement/1234.pem /etc/sysconfig/rhn/systemid /var/lib/rpm/__db.001 /etc/sysconfig/hw-uuid /var/lib/yum/uuid /var/lib/random-seed"
CLONE_DEB_ARTEFACTS="/var/spool/cron/crontabs/alice /var/lib/dhcp/dhclient.eth0.leases /var/log/syslog /var/log/apt/history.log /var/log/account/pacct /var/cache/apt/archives/hello_2.10_amd64.deb /var/lib/urandom/random-seed"
CLONE_DECOYS="/etc/ssh/ssh_config /etc/ssh/sshd_config /etc/ssh/moduli /home/alice/.bashrc /home/alice/notes.txt /root/.profile /etc/salt/minion /etc/chef/client.rb /var/lib/cloud/scripts/per-boot/keep.sh /etc/pki/tls/certs/ca-bundle.crt /var/log/README /etc/passwd /etc/shadow /etc/group /etc/lvm/lvm.conf /etc/krb5.conf /var/spool/at/.SEQ /etc/backup.conf /var/lib/dovecot-keep/keep"
CLONE_RHEL_DECOYS="/var/lib/rpm/Packages /etc/sysconfig/network-scripts/route-eth0 /etc/sysconfig/rhn/up2date"
CLONE_DEB_DECOYS="/var/lib/dpkg/status"
