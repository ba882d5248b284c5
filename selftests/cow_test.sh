#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The kernel's copy-on-write selftest (mm/cow.c of linux-source-6.12,
# built by tools/ksft-cow) on arena memory: under the shim its anonymous
# mmaps are BSD private mappings.  Its own TAP totals are the result;
# cases that need THP, swap, hugetlb, liburing or the gup_test debugfs
# file skip, as they do natively here.
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cow=$root/build/selftests/ksft-cow
lib=$root/build/libbsdvm/libbsdvm-preload.so
st=$(mktemp)
if [ ! -x "$cow" ]; then
	echo "ok 1 # SKIP ksft-cow not built (tools/ksft-cow: no linux-source-6.12)"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "ok 1 # SKIP cow.c saves and sets THP settings: root only"
	exit 0
fi
cd /tmp || exit 1
BSDVM_STATS_FILE=$st LD_PRELOAD=$lib "$cow"
rc=$?
# the cases ran on bsdvm: its private anonymous mmaps were served
served=$("$root/build/libbsdvm/bsdvm-stat" shim "$st" | sed -n 's/^mmap_bsdvm //p')
rm -f "$st"
echo "# cow_test: $served mmaps served by bsdvm"
[ "${served:-0}" -gt 0 ] || { echo "not ok served: cow ran on Linux memory"; exit 1; }
exit $rc
