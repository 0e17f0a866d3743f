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
