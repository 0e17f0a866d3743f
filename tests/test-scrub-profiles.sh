#!/bin/sh
# The shipped Windows profiles other than sms2-clone-prep, applied
# together to the Windows fixture: each identity is gone, its neighbours
# stay.  (linux-machine-id is tested by test-actions.sh.)
. "$top_srcdir/tests/functions.sh"

out="$WORK/out"
expect_status 0 "$IMGSCRUB" scrub -p windows-machine-guid -p wsus-client-id -p sccm-client \
  -o "$out" "$FIXTURES/win.qcow2" > /dev/null
COLLECT_FILES="$WIN_SOFTWARE" collect "$WORK/rb" "$FIXTURES/win.raw" "$out/win.qcow2"
before="$WORK/rb/0.SOFTWARE"
after="$WORK/rb/1.SOFTWARE"
wu='Microsoft\Windows\CurrentVersion\WindowsUpdate'
certs='Microsoft\SystemCertificates\SMS\Certificates'

# The input has every identity (so each check below can fail).
[ "$(hive_value "$before" 'Microsoft\Cryptography' MachineGuid)" = "$MACHINE_GUID" ] || fail "fixture lacks MachineGuid"
[ "$(hive_value "$before" "$wu" SusClientId)" = "$SUS_CLIENT_ID" ] || fail "fixture lacks SusClientId"
[ "$(hive_subkeys "$before" "$certs")" = "$SMS_CERT_THUMBPRINT" ] || fail "fixture lacks the SMS certificate"

# windows-machine-guid
! hive_value "$after" 'Microsoft\Cryptography' MachineGuid > /dev/null || fail "MachineGuid survived"
# wsus-client-id: the four identity values go, the rest of the key stays.
for v in SusClientId SusClientIdValidation PingID AccountDomainSid; do
  ! hivexget "$after" "$wu" "$v" > /dev/null 2>&1 || fail "$v survived"
done
[ "$(hive_value "$after" "$wu" LastWaitTimeout)" = "2026-11-01 10:00:00" ] || fail "WindowsUpdate neighbour lost"
# sccm-client: SMSCFG.ini (any letter case) and the SMS certificates go;
# other certificate stores and the SMS 2.0 Smsuid.dat copies stay.
! grep -qi '^/windows/smscfg\.ini$' "$WORK/rb/1.files" || fail "SMSCFG.ini survived"
grep -qx '/Windows/System32/Smscfg.ini' "$WORK/rb/1.files" || fail "Smscfg.ini outside the system root was deleted"
[ -z "$(hive_subkeys "$after" "$certs")" ] || fail "SMS certificates survived"
hivexget "$after" "$certs" > /dev/null 2>&1 || fail "the SMS certificate store key itself was deleted"
[ -n "$(hive_subkeys "$after" 'Microsoft\SystemCertificates\My\Certificates')" ] || fail "the My store was emptied"
grep -qx '/Windows/Smsuid.dat' "$WORK/rb/1.files" || fail "sccm-client deleted an SMS 2.0 file"
echo "$TEST_NAME: ok"
