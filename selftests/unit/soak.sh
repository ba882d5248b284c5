#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# soak.sh MODEL FIRST_SEED SEEDS OPS - the long model-checker run that
# "make soak" starts: SEEDS seeds from FIRST_SEED, OPS operations each,
# cycling through process and page counts so that small spaces (many
# collisions, deep sharing) and large ones both get their share.  One
# progress line per seed; a diverging seed keeps its reproducer in
# build/soak-<seed>.log and the run goes on.  The last line is
# "bsdvm-soak: <ops> ops, <seeds> seeds, <failed> failed, max chain <d>".
MODEL=$1 FIRST=$2 SEEDS=$3 OPS=$4
cd "$(dirname "$0")" || exit 2
mkdir -p build
total=0 failed=0 maxd=0 i=0 t0=$(date +%s)
while [ "$i" -lt "$SEEDS" ]; do
	s=$((FIRST + i))
	case $((i % 4)) in
	0) p=4 k=128 ;;
	1) p=2 k=32 ;;
	2) p=8 k=256 ;;
	3) p=6 k=64 ;;
	esac
	log=build/soak-$s.log
	if "$MODEL" --seed "$s" --ops "$OPS" --procs $p --pages $k >"$log" 2>&1
	then
		st=ok
	else
		failed=$((failed + 1))
		st="FAILED, see $log"
	fi
	d=$(grep -o 'max-chain-depth [0-9]*' "$log" | awk '{print $2}')
	[ -n "$d" ] && [ "$d" -gt "$maxd" ] && maxd=$d
	[ "$st" = ok ] && rm -f "$log"
	total=$((total + OPS)) i=$((i + 1))
	echo "soak: seed $s procs $p pages $k: $st ($i/$SEEDS, $total ops, $(( $(date +%s) - t0 )) s)"
done
echo "bsdvm-soak: $total ops, $SEEDS seeds, $failed failed, max chain $maxd"
[ "$failed" -eq 0 ]
