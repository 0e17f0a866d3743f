#!/bin/bash
# Benchmark: `imgscrub audit --merge` over a synthetic fleet's identity
# tables, as ten shards of `audit --shard K/10 --identities-out` would
# write them.  Prints the wall time and the peak RSS (GNU time), and how
# many rows, images and distinct values were read.  Launches no
# appliance.  Not part of `make check`.
#
# The fleet: IMAGES images (default 100000) in clone groups of 10, each
# image with 10 identity rows (1000000 rows): machine-id, SCCM client
# ID, MachineGuid and three SSH host keys shared within the group; the
# computer name and WSUS SusClientId its own; two filesystem UUIDs
# shared by the whole fleet (one template).  So about 2.6 values in 10
# are distinct: memory should follow those, not the rows.
#
# -r R lists each image's rows R times (R x 10^6 rows, the same
# distinct values), to see that memory does not follow the rows.
#
# Usage: tests/bench/audit-merge.sh [-n IMAGES] [-r R]   (from the build
# tree, after `make`)
set -euo pipefail

images=100000
repeat=1
while [ $# -gt 0 ]; do
  case "$1" in
    -n) images=$2; shift 2 ;;
    -r) repeat=$2; shift 2 ;;
    *) echo "usage: $0 [-n IMAGES] [-r R]" >&2; exit 2 ;;
  esac
done
top_builddir=${top_builddir:-$(pwd)}
imgscrub=$top_builddir/cmd/imgscrub
[ -x "$imgscrub" ] || { echo "$0: build first: no $imgscrub" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "$0: needs GNU time (apt-get install time)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/var/tmp}/imgscrub-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

start=$(date +%s.%N)
awk -v images="$images" -v repeat="$repeat" -v dir="$work" 'BEGIN {
  sha = "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
  for (k = 1; k <= 10; k++)
    printf "{\"identities\":1,\"tool\":\"imgscrub\",\"version\":\"bench\",\"shard\":{\"index\":%d,\"count\":10,\"inputs\":%d},\"profiles\":[{\"name\":\"sms2-clone-prep\",\"sha256\":\"%s\"}]}\n", k, images, sha > (dir "/ids." k)
  for (i = 0; i < images; i++) {
    f = dir "/ids." (i % 10 + 1)
    g = int(i / 10)
    img = sprintf("/fleet/rack%03d/vm%06d.vhd", i % 1000, i)
    printf "{\"input\":\"%s\",\"status\":\"ok\"}\n", img > f
    row = "{\"input\":\"" img "\",\"identity\":\"%s\",\"where\":\"%s\",\"value\":\"%s\"}\n"
    for (r = 0; r < repeat; r++) {
      printf row, "machine-id", "/etc/machine-id", sprintf("%032x", g) > f
      printf row, "sccm-client-id", "C:\\\\Windows\\\\SMSCFG.ini", sprintf("GUID:%08X-0000-4000-8000-%012X", g, g) > f
      printf row, "MachineGuid", "HKLM\\\\SOFTWARE\\\\Microsoft\\\\Cryptography\\\\MachineGuid", sprintf("%08x-1111-4111-8111-%012x", g, g) > f
      for (s = 1; s <= 3; s++)
        printf row, "ssh-host-key", "/etc/ssh/ssh_host_" s "_key.pub", sprintf("SHA256:%d%040d", s, g) > f
      printf row, "computer-name", "/etc/hostname", sprintf("vm%06d", i) > f
      printf row, "SusClientId", "HKLM\\\\SOFTWARE\\\\WSUS\\\\SusClientId", sprintf("%08x-2222-4222-8222-%012x", i, i) > f
      printf row, "filesystem-uuid", "/", "6f1c2a9e-0d4b-4c55-9a61-2f0e8d7b3c11" > f
      printf row, "filesystem-uuid", "/boot", "0b7e3d52-8a1f-4e7c-b6d4-91c3a5e2f047" > f
    }
  }
}'
gen=$(echo "$(date +%s.%N) - $start" | bc)
rows=$(cat "$work"/ids.* | grep -c '"identity"')
size=$(du -sh "$work" | cut -f1)
echo "tables: 10 shards, $images images, $rows rows, $size (generated in ${gen%???????} s)"

status=0
/usr/bin/time -v -o "$work/time" "$imgscrub" audit --merge --json "$work"/ids.* \
  > "$work/out.json" 2> "$work/err" || status=$?
[ "$status" -eq 1 ] || { echo "$0: audit --merge exited $status, want 1 (duplicates)" >&2; cat "$work/err" >&2; exit 1; }
jq -r '"read: \(.counts.images) images, \(.counts.rows) rows, \(.counts.distinct) distinct values; \(.duplicates | length) values shared"' "$work/out.json"
wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time")
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time")
user=$(sed -n 's/.*User time (seconds): //p' "$work/time")
sys=$(sed -n 's/.*System time (seconds): //p' "$work/time")
echo "audit --merge: wall $wall (CPU $user s user, $sys s system), peak RSS $((rss / 1024)) MiB ($rss kB)"
