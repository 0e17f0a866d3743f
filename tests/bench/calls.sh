#!/bin/bash
# Benchmark: the cost of single libguestfs calls inside a running
# appliance, under the backend in use (TCG here), on an overlay of the
# RHEL fixture.  It shows which calls imgscrub can afford per image:
# lstat, pread and readdir cost about a millisecond, while calls that
# run a program in the appliance (rm -rf, find, file, head) or stream a
# file (read_file, download) cost 50-250 ms.  Not part of `make check`.
set -euo pipefail
. "$(dirname "$0")/common.sh"
command -v cc > /dev/null || { echo "needs a C compiler" >&2; exit 2; }
cc -O2 -o "$work/calls" "$(dirname "$0")/calls.c" $(pkg-config --cflags --libs libguestfs)
qemu-img create -q -f qcow2 -F raw -b "$top_builddir/tests/fixtures/rhel.raw" "$work/rhel.qcow2"
echo "libguestfs call costs: $(nproc) cores, LIBGUESTFS_BACKEND_SETTINGS=$LIBGUESTFS_BACKEND_SETTINGS"
echo "load: $(uptime)"
"$work/calls" "$work/rhel.qcow2"
