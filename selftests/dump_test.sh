#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The state dump (debugfs bsdvm/spaces/<pid>) of a known scenario: map a
# private and a shared region, write them, fork, the child writes a
# quarter of the private pages, the parent one (tools/bsdvm-demo --hold).
# Checks the entries, objects and chain depths; that `bsdvm maps` and
# `bsdvm graph` (dot, svg) match the dump; and who may read it.
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
demo=$root/build/tools/bsdvm-demo
bsdvm=$root/tools/bsdvm
dir=/sys/kernel/debug/bsdvm/spaces
fail=0
ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; fail=1; }
check() { if eval "$2"; then ok "$1"; else nok "$1"; fi; }

if [ "$(id -u)" != 0 ]; then
	echo "ok # SKIP the dump test needs root (debugfs)"
	exit 4
fi
tmp=$(mktemp -d)
chmod 777 "$tmp"
holders=()
cleanup() {
	exec 3>&- 4>&- 2>/dev/null
	for p in "${holders[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

# start_hold FD [setpriv args...]: demo --hold; sets held="PARENT CHILD".
# Not in $(...): the fifo's writer must stay open in this shell, or the
# demo sees EOF and stops holding.
start_hold() {
	local fd=$1 f=$tmp/fifo$1 out=$tmp/out$1
	shift
	mkfifo -m 666 "$f"
	"$@" "$demo" --hold <"$f" >"$out" 2>&1 &
	holders+=($!)
	eval "exec $fd>\"$f\""
	for _ in $(seq 100); do
		grep -q '^ready' "$out" && break
		sleep 0.1
	done
	held=$(sed -n 's/^ready \([0-9]*\) \([0-9]*\)$/\1 \2/p' "$out")
}
wait_file() {
	for _ in $(seq 50); do [ -e "$dir/$1" ] && return 0; sleep 0.1; done
	return 1
}

start_hold 3
set -- $held
P=$1 C=$2
check "demo is holding (parent $P, child $C)" '[ -n "$C" ]'
check "dump files appear for parent and child" 'wait_file $P && wait_file $C'
cat "$dir/$P" >"$tmp/p" && cat "$dir/$C" >"$tmp/c"
echo "--- parent $P"; cat "$tmp/p"; echo "--- child $C"; cat "$tmp/c"

fld() { awk -v k="$1" -v n="$2" -v f="$3" '$1 == k && ++i == n { print $f }' "$4"; }
check "parent: 2 entries, 3 objects" 'grep -q "^end entries 2 objects 3$" "$tmp/p"'
check "child: 2 entries, 3 objects" 'grep -q "^end entries 2 objects 3$" "$tmp/c"'
check "parent: shared entry, depth 1" \
	'[ "$(fld entry 1 4 $tmp/p) $(fld entry 1 5 $tmp/p) $(fld entry 1 11 $tmp/p)" = "rw-/rw- share 1" ]'
check "parent: private entry cow, 16 resident, depth 2" \
	'[ "$(fld entry 2 5 $tmp/p) $(fld entry 2 6 $tmp/p) $(fld entry 2 10 $tmp/p) $(fld entry 2 11 $tmp/p)" = "copy cow 16 2" ]'
check "child: private entry 16 resident, depth 2" \
	'[ "$(fld entry 2 10 $tmp/c) $(fld entry 2 11 $tmp/c)" = "16 2" ]'
SH=$(fld entry 1 7 "$tmp/p")
check "both share one object for the shared entry (ref 2)" \
	'[ "$(fld entry 1 7 $tmp/c)" = "$SH" ] && grep -q "^object $SH anon 2 0 0 " "$tmp/p"'
PS=$(fld entry 2 7 "$tmp/p") CS=$(fld entry 2 7 "$tmp/c")
check "parent and child have their own shadows" '[ "$PS" != "$CS" ]'
BK=$(awk -v o="$PS" '$1 == "object" && $2 == o { print $6 }' "$tmp/p")
check "parent shadow: 1 page, dirty, over the original" \
	'grep -Eq "^object $PS anon 1 0 $BK 0x0 16 1 1 " "$tmp/p"'
check "child shadow: 4 pages, dirty, over the same original" \
	'grep -Eq "^object $CS anon 1 0 $BK 0x0 16 4 4 " "$tmp/c"'
check "the original: 2 refs, 2 shadows, 16 pages" \
	'grep -Eq "^object $BK anon 2 2 0 0x0 16 16 16 " "$tmp/p"'

# bsdvm maps and graph
"$bsdvm" maps "$P" >"$tmp/maps" 2>&1
check "bsdvm maps: 2 entry rows, 3 object rows" \
	'[ "$(grep -c "^0x" $tmp/maps)" = 2 ] && [ "$(grep -Ec "^ +[0-9]+ anon" $tmp/maps)" = 3 ]'
"$bsdvm" graph "$C" -o "$tmp/c.dot" >/dev/null && "$bsdvm" graph "$C" -o "$tmp/c.svg" >/dev/null
check "bsdvm graph wrote dot and svg" '[ -s $tmp/c.dot ] && grep -q "</svg>" $tmp/c.svg'
dot -Tcanon "$tmp/c.dot" >/dev/null 2>&1
check "the dot file is valid Graphviz" '[ $? = 0 ]'
CB=$(awk -v o="$CS" '$1 == "object" && $2 == o { print $6 }' "$tmp/c")
check "graph: entries -> objects as in the dump" \
	'grep -q "e0 -> o$SH " $tmp/c.dot && grep -q "e1 -> o$CS " $tmp/c.dot'
check "graph: the shadow chain as in the dump" 'grep -q "o$CS -> o$CB " $tmp/c.dot'
check "graph: one node per object, one edge per backing link" \
	'[ "$(grep -c "^  o[0-9]* \[" $tmp/c.dot)" = 3 ] && [ "$(grep -c "^  o[0-9]* -> o" $tmp/c.dot)" = "$(awk "\$1 == \"object\" && \$6 != 0" $tmp/c | wc -l)" ]'
check "svg has the objects" 'grep -q "object $CS (anon)" $tmp/c.svg'
exec 3>&-

# access: root's process is not readable by another user; an owner may
# read their own (debugfs must be traversable for that)
mode=$(stat -c %a /sys/kernel/debug)
mount -o remount,mode=755 /sys/kernel/debug 2>/dev/null
start_hold 4
set -- $held
P=$1
wait_file "$P"
err=$(setpriv --reuid 65534 --regid 65534 --clear-groups cat "$dir/$P" 2>&1 >/dev/null)
check "another user gets EACCES on root's dump ($err)" '[[ "$err" == *"Permission denied"* ]]'
exec 4>&-
au=/sys/module/bsdvm/parameters/allow_users
old=$(cat $au)
echo 1 >$au
start_hold 5 setpriv --reuid 65534 --regid 65534 --clear-groups
set -- $held
P=$1
wait_file "$P"
check "the owner reads their own dump" \
	'setpriv --reuid 65534 --regid 65534 --clear-groups cat "$dir/$P" | grep -q "^end entries 2 objects 3$"'
err=$(setpriv --reuid 65533 --regid 65533 --clear-groups cat "$dir/$P" 2>&1 >/dev/null)
check "a third user gets EACCES ($err)" '[[ "$err" == *"Permission denied"* ]]'
check "root reads it" 'grep -q "^end entries" "$dir/$P"'
exec 5>&-
echo "$old" >$au
mount -o remount,mode="$mode" /sys/kernel/debug 2>/dev/null
exit $fail
