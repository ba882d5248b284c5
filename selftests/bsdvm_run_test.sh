#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `bsdvm run` on the demo prints the summary with non-zero counts where
# the demo must cause them; bsdvm stat and the usage errors.
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bsdvm=$root/tools/bsdvm
fail=0
ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; fail=1; }
if [ "$(id -u)" != 0 ]; then
	echo "ok # SKIP bsdvm run reads root-only debugfs counters"
	exit 4
fi
out=$("$bsdvm" run --no-shim -- "$root/build/tools/bsdvm-demo" 2>&1)
rc=$?
echo "$out"
[ $rc = 0 ] && ok "bsdvm run: the demo's status (0)" || nok "bsdvm run status $rc"
n() { sed -n "s/^  $1 *\([0-9]*\).*/\1/p" <<<"$out" | head -n 1; }
for k in faults "  zero-fill" "  COW copies" "shadows created" collapses \
	"file pages lent" forks "pages freed" "peak resident"; do
	v=$(n "$k")
	if [ -n "$v" ] && [ "$v" -gt 0 ]; then ok "summary: $k $v"; else nok "summary: $k '$v'"; fi
done
"$bsdvm" run -- /nonexistent-cmd >/dev/null 2>&1
[ $? = 1 ] && ok "run: a missing command fails (1)" || nok "run: missing command status"
"$bsdvm" frobnicate >/dev/null 2>&1
[ $? = 2 ] && ok "unknown command: usage error (2)" || nok "unknown command status"
"$bsdvm" --help | grep -q '^usage: bsdvm' && ok "--help" || nok "--help"
"$bsdvm" stat | grep -Eq '^faults +[1-9]' && ok "bsdvm stat" || nok "bsdvm stat"
"$bsdvm" maps 999999 >/dev/null 2>&1
[ $? = 1 ] && ok "maps of a missing pid fails (1)" || nok "maps of a missing pid"
exit $fail
