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

# Windows agents in the `win` fixture (tests/test-scrub-windows.sh).
# Each line: a key relative to HKLM\SOFTWARE | the values the profiles
# remove | a decoy value beside them.  Every key is planted twice, at the
# native place and under WOW6432Node; a removed value's data is
# "$WIN_AGENT_TAG:native:NAME" or "$WIN_AGENT_TAG:wow64:NAME", a decoy's
# "keep NAME".
WIN_AGENT_TAG="clone-7f3a"
WIN_AGENT_VALUES='Microsoft\Windows Advanced Threat Protection|senseGuid 7DC0B629-D7F6-4DB3-9BF7-64D5AAF50F1A|OnboardedInfo
Microsoft\SQMClient|MachineId|CEIPEnable
Microsoft\MSMQ\Parameters\MachineCache|QMId|MQS
Network Associates\ePolicy Orchestrator\Agent|AgentGUID MacAddress ComputerName IPAddress LastASCTime SequenceNumber SubnetMask|ePOServerList
Symantec\Symantec Endpoint Protection\SMC\SYLINK\SyLink|HardwareID ForceHardwareKey HostGUID HostName|CurrentGroup
TrendMicro\PC-cillinNTCorp\CurrentVersion|GUID|Application Path
Sophos\Messaging System\Router\Private|pkc pkp|pkcVersion
Sophos\Remote Management System\ManagementAgent\Private|pkc pkp|pkcVersion
Tanium\Tanium Client|ComputerID RegistrationCount|ServerName
Altiris\Altiris Agent|MachineGUID|InstallDir
Altiris\eXpress|MachineGUID|InstallDir
Altiris\eXpress\NS Client|MachineGUID|InstallDir
Novell\ZCM\PreAgent|GUID|Version
RES\Workspace Manager|ComputerGUID CachedSystemInfo CachedSystemInfoEx LastSyncUTC|InstallDir
Cylance\Desktop|FP FPMask FPVersion|VDIType'
# Keys the profiles delete whole (relative to HKLM\SOFTWARE, both places),
# each holding one value "Id".
WIN_AGENT_KEYS='Microsoft\Windows Advanced Threat Protection\48A68F11-7A16-4180-B32C-7F974C7BD783
RES\Workspace Manager\UpdateGUIDs
Microsoft\Windows\CurrentVersion\WUID'
# The MSMQ Parameters key, which msmq-qmid gives "SysPrep"=dword:1.
WIN_MSMQ_PARAMETERS='Microsoft\MSMQ\Parameters'
# CrowdStrike Falcon in SYSTEM: the agent ID AG (removed) beside the
# customer ID CU (kept), in the CrowdStrike key and in CSAgent\Sim of
# the current control set (ControlSet002).
WIN_CS_KEY='CrowdStrike\{9b03c1d9-3138-44ed-9fae-d9f4c034b88d}\{16e0423f-7058-48c9-a204-725362b67639}\Default'
WIN_CS_SIM_KEY='ControlSet002\Services\CSAgent\Sim'
WIN_CS_AG="a1,b2,c3,d4,e5,f6,07,18,29,3a,4b,5c,6d,7e,8f,90"
WIN_CS_CU="c0,ff,ee,00,11,22,33,44,55,66,77,88,99,aa,bb,cc"
# Files the profiles remove from `win`, one per line (guest paths).
WIN_AGENT_FILES='/ProgramData/Microsoft/Windows Defender Advanced Threat Protection/Cyber/cache.bin
/ProgramData/Microsoft/Windows Defender Advanced Threat Protection/Cyber/Sub/state.bin
/sephwid.xml
/communicator.dat
/Program Files/Common Files/Symantec Shared/HWID/sephwid.xml
/Program Files (x86)/Common Files/Symantec Shared/HWID/sephwid.xml
/ProgramData/Symantec/Symantec Endpoint Protection/PersistedData/sephwid.xml
/ProgramData/Symantec/Symantec Endpoint Protection/PersistedData/communicator.dat
/Users/bob/Documents/SEP/SEPHWID.XML
/ProgramData/Sophos/AutoUpdate/data/machine_ID.txt
/ProgramData/Sophos/AutoUpdate/data/status/status.xml
/Program Files (x86)/Novell/ZENworks/conf/DeviceGUID
/Program Files (x86)/Novell/ZENworks/conf/Guid.txt
/Program Files (x86)/Novell/ZENworks/conf/zmd.sav
/Windows/Panther/unattend.xml
/Windows/Panther/Unattend/Unattend.xml
/unattend.xml
/autounattend.xml
/Windows/System32/Sysprep/unattend.xml
/Windows/System32/Sysprep/Panther/setupact.log
/Windows/System32/winevt/Logs/System.evtx
/Windows/System32/winevt/Logs/Security.evtx
/ProgramData/Microsoft/Windows/WER/ReportQueue/AppCrash_cmd.exe_1/Report.wer
/ProgramData/Microsoft/Windows/WER/ReportArchive/AppCrash_cmd.exe_0/Report.wer
/Windows/Temp/setup.tmp
/Windows/Temp/sephwid.xml
/Users/alice/AppData/Local/Temp/alice.tmp
/Users/bob/AppData/Local/Temp/Sub/bob.tmp
/Windows/Minidump/120126-01.dmp
/Windows/Prefetch/CMD.EXE-4A81B364.pf
/Users/alice/AppData/Local/Microsoft/Windows/Explorer/thumbcache_256.db
/Users/bob/AppData/Local/Microsoft/Windows/Explorer/thumbcache_idx.db'
# Decoys beside them that every profile must leave alone, byte for byte.
WIN_AGENT_DECOYS='/ProgramData/Microsoft/Windows Defender Advanced Threat Protection/DataCollection/keep.bin
/ProgramData/Symantec/Symantec Endpoint Protection/PersistedData/sephwid.xml.bak
/Program Files/Common Files/Symantec Shared/HWID/readme.txt
/Program Files/Symantec/sephwid.xml
/ProgramData/Sophos/AutoUpdate/data/machine_ID.txt.old
/Program Files (x86)/Novell/ZENworks/conf/initial-web-service
/Windows/Panther/setupact.log
/Windows/Panther/unattend.xml.txt
/Windows/System32/Sysprep/sysprep.exe
/Windows/System32/winevt/Logs/README.evtx.txt
/ProgramData/Microsoft/Windows/WER/keep.txt
/Users/alice/AppData/Local/Microsoft/Windows/Explorer/iconcache_16.db
/Users/alice/AppData/Local/Temp.txt'
# Folders the profiles empty and keep.
WIN_AGENT_KEPT_DIRS='/ProgramData/Microsoft/Windows Defender Advanced Threat Protection/Cyber
/Windows/System32/Sysprep/Panther
/ProgramData/Microsoft/Windows/WER/ReportQueue
/ProgramData/Microsoft/Windows/WER/ReportArchive
/Windows/Temp
/Users/alice/AppData/Local/Temp
/Users/bob/AppData/Local/Temp
/Windows/Minidump
/Windows/Prefetch'
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
