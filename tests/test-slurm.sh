#!/bin/bash
# A real one-node Slurm (22.05, as in Debian 12), run from a temporary
# folder with its own munge key and socket, its own ports, state and
# spool: the shipped contrib/slurm/imgscrub-array.sbatch scrubs six
# small images as a 3-task array (each task one appliance, the node's
# 2 CPUs taking one task at a time), `imgscrub merge` makes one
# manifest; every output is read back scrubbed, each image is listed
# once, the shards are balanced by size.  Then one shard's outputs are
# deleted and that task alone is submitted again with --resume: the gap
# is filled and the other shards' outputs are untouched.  Five launches
# in all (three tasks, the task run again, the read-back).
. "$top_srcdir/tests/functions.sh"

if [ "$(id -u)" -ne 0 ]; then
  echo "$TEST_NAME: skipped: needs root (slurmd and munged run as root here)"
  exit 77
fi
for p in munged slurmctld slurmd sbatch sinfo; do
  command -v $p > /dev/null || PATH=$PATH:/usr/sbin
  command -v $p > /dev/null || fail "$p is missing (apt-get install slurmctld slurmd slurm-client munge)"
done

S=$WORK/slurm
mkdir -p "$S/state" "$S/spool" "$S/tmp" "$S/munge"
chmod 711 "$S/munge"
host=$(hostname -s)
pids=
stop_daemons () {
  for p in $pids; do
    kill "$p" 2> /dev/null || true
  done
  for p in $pids; do
    n=0
    while kill -0 "$p" 2> /dev/null && [ $n -lt 50 ]; do sleep 0.2; n=$((n + 1)); done
    kill -9 "$p" 2> /dev/null || true
  done
  pids=
}
trap 'stop_daemons; rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM

# ---- munge, with its own key and socket --------------------------------
dd if=/dev/urandom of="$S/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$S/munge/munge.key"
munged -F -f --key-file="$S/munge/munge.key" --socket="$S/munge/munge.sock" \
  --pid-file="$S/munge/munged.pid" --log-file="$S/munge/munged.log" \
  --seed-file="$S/munge/munged.seed" > "$S/munge/munged.out" 2>&1 &
pids="$pids $!"
n=0
until [ -S "$S/munge/munge.sock" ]; do
  sleep 0.2
  n=$((n + 1))
  [ $n -lt 100 ] || { cat "$S/munge/munged.out" >&2; fail "munged did not start"; }
done

# ---- slurm.conf: ports of its own, everything inside $S -----------------
port=$((20000 + $$ % 20000))
mem=$(awk '/^MemTotal:/ { print int($2 / 1024 * 0.8) }' /proc/meminfo)
[ "$mem" -ge 2600 ] || fail "the node has ${mem} MiB for Slurm; a task asks 2500"
cat > "$S/slurm.conf" <<CONF
ClusterName=imgscrubtest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$S/munge/munge.sock
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
TmpFS=$S/tmp
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/slurmctld.log
SlurmdLogFile=$S/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
MpiDefault=none
ReturnToService=2
MinJobAge=600
InactiveLimit=0
KillWait=10
SlurmdTimeout=300
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$S/slurm.conf
slurmctld -D -i -f "$SLURM_CONF" > "$S/slurmctld.out" 2>&1 &
pids="$pids $!"
slurmd -D -N "$host" -f "$SLURM_CONF" > "$S/slurmd.out" 2>&1 &
pids="$pids $!"
n=0
until [ "$(sinfo -h -n "$host" -o %T 2> /dev/null)" = idle ]; do
  sleep 0.5
  n=$((n + 1))
  if [ $n -ge 120 ]; then
    tail -20 "$S/slurmctld.log" "$S/slurmd.log" "$S/slurmctld.out" "$S/slurmd.out" >&2 || true
    fail "the node never became idle: $(sinfo -h -N 2>&1)"
  fi
done

# ---- the array over six small images -------------------------------------
in=$WORK/in
out=$WORK/out
mkdir -p "$in" "$out"
for f in win.qcow2 winnt.qcow2 win.vmdk linux.vhd linux.qcow2 linux.vmdk; do
  cp "$FIXTURES/$f" "$in/$f"
done
chmod a-w "$in"/*
(cd "$in" && sha256sum *) > "$WORK/inputs.before"
export IMGSCRUB="$top_builddir/cmd/imgscrub"
export PATH=/nonexistent:$PATH     # the script must use $IMGSCRUB
sbatch_script=$top_srcdir/contrib/slurm/imgscrub-array.sbatch
submit () {
  # Slurm's own output, one file per task, in $S.
  sbatch --wait --quiet --output="$S/task-%A_%a.out" "$@"
}
t0=$(date +%s)
submit --array=1-3 "$sbatch_script" scrub -p sms2-clone-prep -p linux-machine-id \
  -o "$out" "$in" > "$S/sbatch.out" 2>&1 ||
  { tail -n +1 "$S"/task-*.out "$S/sbatch.out" >&2; fail "the array job failed"; }
echo "$TEST_NAME: the 3-task array took $(($(date +%s) - t0)) s"
[ "$(ls "$S"/task-*.out | wc -l)" -eq 3 ] || fail "expected 3 task outputs: $(ls "$S")"
grep -q "LIBGUESTFS_BACKEND_SETTINGS=$LIBGUESTFS_BACKEND_SETTINGS:" "$S"/task-*.out ||
  fail "LIBGUESTFS_BACKEND_SETTINGS did not reach the tasks: $(cat "$S"/task-*.out)"
for k in 1 2 3; do
  [ -f "$out/manifest.shard-$k-of-3.json" ] || fail "task $k wrote no shard manifest: $(cat "$S"/task-*.out)"
done
(cd "$in" && sha256sum *) > "$WORK/inputs.after"
cmp -s "$WORK/inputs.before" "$WORK/inputs.after" || fail "an input changed"

expect_status 0 "$IMGSCRUB" merge "$out" 2> "$WORK/merge.err"
m=$out/manifest.json
validate_manifest "$out"/manifest.shard-*-of-3.json "$m"
[ "$(jq -r '[.images[].input | sub(".*/"; "")] | join(" ")' "$m")" = \
  "linux.qcow2 linux.vhd linux.vmdk win.qcow2 win.vmdk winnt.qcow2" ] ||
  fail "merged manifest images: $(jq -c '[.images[].input]' "$m")"
jq -e '.summary == {"ok": 6, "failed": 0, "skipped": 0} and (.shards | length) == 3' "$m" > /dev/null ||
  fail "merged summary: $(jq -c .summary "$m")"

# Balanced: each shard's input bytes within the largest image of the mean.
for k in 1 2 3; do
  jq -r '.images[].input' "$out/manifest.shard-$k-of-3.json" | while read -r f; do
    echo "$k $(stat -c %s "$f")"
  done
done | awk '{ load[$1] += $2; total += $2; if ($2 > max) max = $2 }
  END { mean = total / 3
        for (k = 1; k <= 3; k++) {
          d = load[k] - mean; if (d < 0) d = -d
          if (d > max) { printf "shard %d: %d bytes, mean %d, largest image %d\n", k, load[k], mean, max; bad = 1 }
        }
        exit bad }' || fail "the shards are not balanced"

# ---- one shard's outputs lost: task 2 alone, again, with --resume ---------
lost=$(jq -r '.images[].output' "$out/manifest.shard-2-of-3.json")
[ -n "$lost" ] || fail "shard 2 had no outputs"
for f in $lost; do rm -f "$f"; done
others=$(jq -r '.images[].output' "$out/manifest.shard-1-of-3.json" "$out/manifest.shard-3-of-3.json")
stat -c '%n %s %y %i' $others > "$WORK/others.before"
submit --array=2 --export=ALL,IMGSCRUB_SHARD_COUNT=3 "$sbatch_script" scrub --resume \
  -p sms2-clone-prep -p linux-machine-id -o "$out" "$in" > "$S/sbatch2.out" 2>&1 ||
  { tail -n +1 "$S"/task-*.out "$S/sbatch2.out" >&2; fail "the resubmitted task failed"; }
for f in $lost; do
  [ -f "$f" ] || fail "the gap is not filled: $f"
done
stat -c '%n %s %y %i' $others > "$WORK/others.after"
cmp -s "$WORK/others.before" "$WORK/others.after" || fail "task 2 touched another shard's outputs"
jq -e '.shard == {"index": 2, "count": 3, "inputs": 6} and ([.images[] | select(.resumed)] | length) == 0' \
  "$out/manifest.shard-2-of-3.json" > /dev/null || fail "task 2's manifest: $(jq -c '[.shard, [.images[].resumed]]' "$out/manifest.shard-2-of-3.json")"
expect_status 0 "$IMGSCRUB" merge "$out" 2> /dev/null
[ "$(jq '[.images[].input] | unique | length' "$m")" -eq 6 ] && [ "$(jq '.images | length' "$m")" -eq 6 ] ||
  fail "after the resume: $(jq -c '[.images[].input]' "$m")"
for f in win.qcow2 winnt.qcow2 win.vmdk linux.vhd linux.qcow2 linux.vmdk; do
  [ "$(jq -r --arg n "$f" '.images[] | select(.input | endswith("/" + $n)) | .output_sha256' "$m")" = \
    "$(sha256 "$out/$f")" ] || fail "merged manifest hash of $f"
done
stop_daemons

# ---- every output read back, independently of imgscrub -------------------
COLLECT_FILES="$WIN_SOFTWARE $WINNT_SOFTWARE /etc/machine-id" \
  collect "$WORK/rb" "$out/win.qcow2" "$out/winnt.qcow2" "$out/win.vmdk" \
  "$out/linux.qcow2" "$out/linux.vmdk" "$out/linux.vhd"
for n in 0 2; do
  [ -f "$WORK/rb/$n.SOFTWARE" ] || fail "Windows output $n: no SOFTWARE hive read back"
  ! hive_value "$WORK/rb/$n.SOFTWARE" 'Microsoft\SMS\Client\Configuration\Client Properties' \
    'SMS Unique Identifier' > /dev/null || fail "Windows output $n still has the SMS GUID"
  ! grep -qi '/smsuid\.dat$' "$WORK/rb/$n.files" || fail "Windows output $n has a Smsuid.dat"
done
[ -f "$WORK/rb/1.software" ] || fail "winnt output: no software hive read back"
! hive_value "$WORK/rb/1.software" 'Microsoft\SMS\Client\Configuration\Client Properties' \
  'SMS Unique Identifier' > /dev/null || fail "winnt output still has the SMS GUID"
for n in 3 4 5; do
  [ -f "$WORK/rb/$n.machine-id" ] && [ ! -s "$WORK/rb/$n.machine-id" ] ||
    fail "Linux output $n: machine-id not emptied"
done
exit 0
