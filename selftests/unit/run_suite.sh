#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run_suite.sh SEEDS OPS FUZZ_SECONDS VG_OPS - the body of "make check".
# Every step prints one result line; the last line is
# "bsdvm-suite: unit <passed> <failed>" and the exit status says the same.
cd "$(dirname "$0")" || exit 2
SEEDS=$1 OPS=$2 FUZZ=$3 VGOPS=$4
pass=0 fail=0

result() {	# name status
	if [ "$2" -eq 0 ]; then
		pass=$((pass + 1)); echo "PASS $1"
	else
		fail=$((fail + 1)); echo "FAIL $1"
	fi
}

# build everything first; a failed build is one failure
# (a fresh clone has no build/ yet: create it before redirecting into it)
mkdir -p build
if ! make -k -s all build/bsdvm-fuzz >build/make.log 2>&1; then
	tail -20 build/make.log
	result build 1
fi

# unit tests: each case counts
for t in build/test_*; do
	[ -x "$t" ] || continue
	out=$("$t" 2>&1); st=$?
	echo "$out" | grep -E '^(ok|FAIL) ' | sed 's/^ok  /PASS/'
	echo "$out" | grep -E '^  ' | head -20
	summary=$(echo "$out" | tail -1)
	p=$(echo "$summary" | awk '{print $2}') f=$(echo "$summary" | awk '{print $3}')
	case "$p$f" in *[!0-9]*|'') p=0 f=1; echo "$out" | tail -5 ;; esac
	[ $st -ne 0 ] && [ "$f" -eq 0 ] && f=1	# crashed
	pass=$((pass + p)) fail=$((fail + f))
done

# minimised reproducers of core bugs the model found (repro/*.txt)
for r in repro/*.txt; do
	[ -f "$r" ] || continue
	./bsdvm-model --replay "$r" >build/replay.log 2>&1
	st=$?
	[ $st -ne 0 ] && grep -E 'DIVERGENCE|^  ' build/replay.log | head -3
	result "replay $r" $st
done

# the model checker, fixed seeds
for s in $SEEDS; do
	start=$(date +%s)
	./bsdvm-model --seed "$s" --ops "$OPS" --procs 4 --pages 128 \
		>build/model-$s.log 2>&1
	st=$?
	grep -E '^bsdvm-model: ops' build/model-$s.log
	[ $st -ne 0 ] && head -40 build/model-$s.log
	result "bsdvm-model seed $s ops $OPS ($(( $(date +%s) - start )) s)" $st
done

# a short fuzz run
if [ -x build/bsdvm-fuzz ] && [ "$FUZZ" -gt 0 ]; then
	mkdir -p build/corpus
	build/bsdvm-fuzz -max_total_time="$FUZZ" -max_len=4096 \
		-print_final_stats=1 build/corpus >build/fuzz.log 2>&1
	st=$?
	grep -E 'stat::number_of_executed_units|^Done' build/fuzz.log | head -2
	[ $st -ne 0 ] && tail -40 build/fuzz.log
	result "fuzz ${FUZZ}s" $st
fi

# valgrind on a smaller model run (the plain build)
if command -v valgrind >/dev/null && [ -x build/bsdvm-model-vg ]; then
	valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect \
		build/bsdvm-model-vg --no-fork --seed 7 --ops "$VGOPS" \
		>build/valgrind.log 2>&1
	st=$?
	grep -E '^bsdvm-model: ops' build/valgrind.log
	[ $st -ne 0 ] && tail -30 build/valgrind.log
	result "valgrind bsdvm-model seed 7 ops $VGOPS" $st
fi

echo "bsdvm-suite: unit $pass $fail"
[ "$fail" -eq 0 ]
