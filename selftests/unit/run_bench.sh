#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# run_bench.sh BENCH - callgrind instructions per operation of each hot path
# (only bench_region() is counted: setup and teardown are excluded).
B=$1
N=1000
d=$(mktemp -d)
for mode in zerofill zeroread cow lookup; do
	ops=$N
	[ "$mode" = lookup ] && ops=1000
	valgrind --tool=callgrind --toggle-collect=bench_region \
		--callgrind-out-file="$d/$mode.out" "$B" "$mode" $N \
		>/dev/null 2>"$d/$mode.err" || { cat "$d/$mode.err"; exit 1; }
	ir=$(grep -E '^(summary|totals):' "$d/$mode.out" | head -1 | awk '{print $2}')
	case $mode in
	zerofill) what="write-fault zero-fill" ;;
	zeroread) what="read of the zero page" ;;
	cow) what="COW through a depth-1 chain" ;;
	lookup) what="fault lookup among 100000 entries" ;;
	esac
	echo "bench: $what: $((ir / ops)) instructions/op ($ir over $ops)"
done
rm -rf "$d"
