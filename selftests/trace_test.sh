#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every bsdvm:* tracepoint fires with the right arguments for a scripted
# workload (tools/bsdvm-demo), seen through tracefs (any kernel), through
# the libbpf tool (bsdvm top) and through bpftrace (tools/bpftrace/
# events.bt; it needs the kernel's BTF), and bsdvm trace with each
# shipped script.  Root only.
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
demo=$root/build/tools/bsdvm-demo
fail=0
ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; fail=1; }

if [ "$(id -u)" != 0 ]; then
	echo "ok # SKIP tracing needs root"
	exit 4
fi
tmp=$(mktemp -d)
tracing=/sys/kernel/tracing
[ -d $tracing/instances ] || mount -t tracefs tracefs $tracing 2>/dev/null
inst=$tracing/instances/bsdvm-test-$$
trap 'rmdir "$inst" 2>/dev/null; rm -rf "$tmp"' EXIT

# --- tracefs: a private instance, every bsdvm event on ---
if [ -d $tracing/events/bsdvm ] && mkdir "$inst"; then
	echo 1 >"$inst/events/bsdvm/enable"
	# --late: the child's exit waits for the parent's copy all the same
	timeout 120 "$demo" --late >"$tmp/demo" 2>&1 ||
		nok "demo ran (status $?): $(cat "$tmp/demo")"
	echo 0 >"$inst/events/bsdvm/enable"
	cat "$inst/trace" >"$tmp/tf"
	tf() {	# tf DESCRIPTION REGEX: some event line matches
		if grep -Eq "$2" "$tmp/tf"; then ok "tracefs: $1"; else nok "tracefs: $1 ($2)"; fi
	}
	tf "fault zero-fill write" 'bsdvm_fault: .* write=1 result=0 source=4 depth=0 ns=[1-9]'
	tf "fault copy-on-write one level down" 'bsdvm_fault: .* write=1 result=0 source=5 depth=1 '
	tf "zero_fill" 'bsdvm_zero_fill: object=[1-9][0-9]* pindex=[0-9]+$'
	tf "cow" 'bsdvm_cow: first=[1-9][0-9]* src=[1-9][0-9]* pindex=[0-9]+ depth=1 renamed=0$'
	tf "pagein of a file page" 'bsdvm_pagein: object=[1-9][0-9]* pindex=0 result=0$'
	tf "pageout by msync" 'bsdvm_pageout: object=[1-9][0-9]* pindex=[01] result=0$'
	tf "shadow" 'bsdvm_shadow: object=[1-9][0-9]* backing=[1-9][0-9]* offset=0x0 depth=2$'
	tf "collapse" 'bsdvm_collapse: object=[1-9][0-9]* backing=[1-9][0-9]* new_backing=0$'
	tf "bypass" 'bsdvm_bypass: object=[1-9][0-9]* backing=[1-9][0-9]* new_backing=0$'
	tf "fork" 'bsdvm_fork: entries=2 share=1 copy=1 zero=0 none=0$'
	tf "map a file shared" 'bsdvm_map: .* len=0x2000 prot=0x3 flags=0x1 fd=[0-9]+ offset=0x0 error=0$'
	tf "unmap" 'bsdvm_unmap: .* len=0x10000 arg=0 error=0$'
	tf "protect" 'bsdvm_protect: .* len=0x1000 arg=1 error=0$'
	tf "inherit" 'bsdvm_inherit: .* len=0x10000 arg=2 error=0$'
	tf "advise" 'bsdvm_advise: .* len=0x10000 arg=2 error=0$'
	tf "space_create" 'bsdvm_space_create: pid=[1-9][0-9]* parent=0 start=0x[0-9a-f]+ end=0x[0-9a-f]+$'
	tf "space_destroy" 'bsdvm_space_destroy: pid=[1-9][0-9]*$'
	[ $fail = 0 ] || { echo "--- tracefs output"; head -n 60 "$tmp/tf"; }
else
	nok "tracefs has the bsdvm events ($tracing/events/bsdvm)"
fi

# --- libbpf: bsdvm top (fixed record layouts: no BTF needed) ---
# every wait is bounded: a hang is a failure here, not a guest timeout
timeout 120 "$root/build/tools/bsdvm-top" -d 1 -n 4 >"$tmp/top" 2>&1 &
top=$!
for _ in $(seq 100); do
	grep -q 'attached' "$tmp/top" && break
	sleep 0.2
done
timeout 120 "$demo" >/dev/null 2>&1
wait $top || nok "bsdvm top exit status"
line=$(grep '^total pid .* comm bsdvm-demo .* forks 3 ' "$tmp/top" | head -n 1)
val() { sed -n "s/.* $1 \([0-9]*\).*/\1/p" <<<"$line"; }
if [ -n "$line" ] && [ "$(val faults)" -gt 16 ] && [ "$(val zero_fills)" -ge 16 ] &&
   [ "$(val cow)" -ge 1 ] && [ "$(val shadows)" -ge 1 ] &&
   [ "$(val bypasses)" -ge 1 ] && [ "$(val maps)" -ge 2 ]; then
	ok "bsdvm top counted the demo's events: $line"
else
	cat "$tmp/top"
	nok "bsdvm top counted the demo's events"
fi
grep -q 'FAULTS/s' "$tmp/top" && ok "bsdvm top printed rates" || nok "bsdvm top printed rates"

if ! command -v bpftrace >/dev/null; then
	echo "ok - bpftrace # SKIP no bpftrace"
	exit $fail
fi
# bpftrace resolves the events' field types (u64, ...) through the
# kernel's BTF; the debug kernel is built without it.
if [ ! -e /sys/kernel/btf/vmlinux ]; then
	echo "ok - bpftrace # SKIP it needs kernel BTF (/sys/kernel/btf/vmlinux)"
	exit $fail
fi

# --- bpftrace: the events and their fields by name ---
timeout 300 bpftrace -l 'tracepoint:bsdvm:*' -v >"$tmp/list" 2>&1
n=$(grep -c '^tracepoint:bsdvm:bsdvm_' "$tmp/list")
if [ "$n" = 16 ] &&
   grep -Eq '^[[:space:]]+.*[[:space:]]address;?$' "$tmp/list" &&
   grep -Eq '^[[:space:]]+.*[[:space:]]new_backing;?$' "$tmp/list"; then
	ok "bpftrace -l -v lists the 16 events with their fields"
else
	head -n 40 "$tmp/list"
	nok "bpftrace -l -v lists the 16 events with their fields ($n)"
fi

# --- bpftrace (slow to start under TCG: wait for it to attach) ---
bpftrace "$root/tools/bpftrace/events.bt" >"$tmp/bt" 2>&1 &
bt=$!
for _ in $(seq 600); do
	grep -q '^Attaching' "$tmp/bt" && break
	kill -0 $bt 2>/dev/null || break
	sleep 0.5
done
grep -q '^Attaching' "$tmp/bt" || { cat "$tmp/bt"; nok "bpftrace attached"; exit 1; }
# "Attaching" comes before the probes are attached, one by one in the
# script's order: once the last one (space_destroy) has fired they all
# are.  A warm-up demo until then; the checks read what comes after.
for _ in $(seq 60); do
	timeout 120 "$demo" >/dev/null 2>&1
	sleep 0.5
	grep -q '^space_destroy' "$tmp/bt" && break
done
grep -q '^space_destroy' "$tmp/bt" || nok "bpftrace saw the warm-up demo"
skip=$(wc -l <"$tmp/bt")
timeout 120 "$demo" >"$tmp/demo" 2>&1 || nok "demo ran (status $?)"
sleep 1
# Detaching the probes takes bpftrace tens of seconds under a loaded TCG
# guest (CI once needed more than 30 s): allow five minutes, say how long.
kill -INT $bt
t0=$(date +%s)
for _ in $(seq 600); do
	kill -0 $bt 2>/dev/null || break
	sleep 0.5
done
echo "# bpftrace exited $(($(date +%s) - t0)) s after SIGINT"
kill -0 $bt 2>/dev/null && { kill -KILL $bt; nok "bpftrace exited on SIGINT"; }
wait $bt

tail -n +$((skip + 1)) "$tmp/bt" >"$tmp/bt.demo"
has() {	# has DESCRIPTION REGEX: some event line of the demo's run matches
	if grep -Eq "$2" "$tmp/bt.demo"; then ok "bpftrace: $1"; else nok "bpftrace: $1 ($2)"; fi
}
has "fault zero-fill write" '^fault .* write=1 result=0 source=4 depth=0 ns=[1-9]'
has "fault copy-on-write one level down" '^fault .* write=1 result=0 source=5 depth=1 '
has "fault read of a backing page" '^fault .* write=0 result=0 source=2 depth=1 '
has "zero_fill" '^zero_fill pid=[0-9]+ object=[1-9][0-9]* pindex=[0-9]+$'
has "cow copy" '^cow .* src=[1-9][0-9]* pindex=[0-9]+ depth=1 renamed=0$'
has "shadow of a forked object" '^shadow .* object=[1-9][0-9]* backing=[1-9][0-9]* offset=0x0 depth=2$'
has "collapse when the child exits" '^collapse .* object=[1-9][0-9]* backing=[1-9][0-9]* new_backing=0$'
has "bypass of a hidden original" '^bypass .* object=[1-9][0-9]* backing=[1-9][0-9]* new_backing=0$'
has "fork: 2 entries, 1 share, 1 copy" '^fork .* entries=2 share=1 copy=1 zero=0 none=0$'
has "map private anonymous" '^map .* len=0x10000 prot=3 flags=0x1002 fd=-1 offset=0x0 error=0$'
has "map shared anonymous" '^map .* len=0x10000 prot=3 flags=0x1001 fd=-1 offset=0x0 error=0$'
has "protect read-only" '^protect .* len=0x1000 arg=1 error=0$'
has "protect back to read-write" '^protect .* len=0x1000 arg=3 error=0$'
has "inherit none" '^inherit .* len=0x10000 arg=2 error=0$'
has "advise sequential" '^advise .* len=0x10000 arg=2 error=0$'
has "unmap" '^unmap .* len=0x10000 arg=0 error=0$'
has "space_create by mmap" '^space_create pid=([0-9]+) space_pid=[1-9][0-9]* parent=0 '
has "space_create by fork" '^space_create pid=([0-9]+) space_pid=0 parent=[1-9][0-9]* '
has "space_destroy" '^space_destroy pid=[0-9]+ space_pid=[1-9][0-9]*$'
has "pagein of a file page" '^pagein .* pindex=0 result=0$'
has "pageout by msync" '^pageout .* result=0$'
grep -q '^Attaching 16 probes' "$tmp/bt" && ok "all 16 tracepoints attached" ||
	nok "all 16 tracepoints attached: $(grep Attaching "$tmp/bt")"

[ $fail = 0 ] || { echo "--- bpftrace output"; head -n 60 "$tmp/bt"; }

# --- bsdvm trace: the shipped scripts, each around one demo run ---
bsdvm=$root/tools/bsdvm
n=$("$bsdvm" trace | grep -c '^  [a-z-]* ')
[ "$n" = 5 ] && ok "bsdvm trace lists the 5 scripts" ||
	nok "bsdvm trace lists the 5 scripts ($n)"
script() {	# script NAME DESCRIPTION REGEX...: each REGEX in its output
	local name=$1 what=$2 re
	shift 2
	timeout 300 "$bsdvm" trace "$name" -c "$demo" >"$tmp/$name" 2>&1
	for re in "$@"; do
		grep -Eq "$re" "$tmp/$name" && continue
		nok "bsdvm trace $name: $what ($re)"
		head -n 30 "$tmp/$name"
		return
	done
	ok "bsdvm trace $name: $what"
}
script fault-latency "histograms of zero-fill and COW faults" \
	'^@ns_by_source\[4\]:' '^@ns_by_source\[5\]:'
script cow-per-process "copies by the demo's processes" \
	'^@copies\[[0-9]+, bsdvm-demo\]: [1-9]'
script chain-depth "levels walked and shadow depths" \
	'^@levels_walked:' '^@new_shadow_chain_depth:'
script collapse "the demo's collapse and bypass" \
	' bsdvm-demo +collapse ' ' bsdvm-demo +bypass '
exit $fail
