#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every bsdvm:* tracepoint fires with the right arguments for a scripted
# workload (tools/bsdvm-demo), seen through bpftrace (tools/bpftrace/
# events.bt) and through the libbpf tool (bsdvm top).  Root only.
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
command -v bpftrace >/dev/null || { echo "ok # SKIP no bpftrace"; exit 4; }
# bpftrace resolves the events' field types (u64, ...) through the
# kernel's BTF; the debug kernel is built without it.
if [ ! -e /sys/kernel/btf/vmlinux ]; then
	echo "ok # SKIP bpftrace needs kernel BTF (/sys/kernel/btf/vmlinux)"
	exit 4
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- bpftrace (slow to start under TCG: wait for it to attach) ---
bpftrace "$root/tools/bpftrace/events.bt" >"$tmp/bt" 2>&1 &
bt=$!
for _ in $(seq 600); do
	grep -q '^Attaching' "$tmp/bt" && break
	kill -0 $bt 2>/dev/null || break
	sleep 0.5
done
grep -q '^Attaching' "$tmp/bt" || { cat "$tmp/bt"; nok "bpftrace attached"; exit 1; }
"$demo" >"$tmp/demo" 2>&1 || nok "demo ran (status $?)"
sleep 1
kill -INT $bt
wait $bt

has() {	# has DESCRIPTION REGEX: some event line matches
	if grep -Eq "$2" "$tmp/bt"; then ok "bpftrace: $1"; else nok "bpftrace: $1 ($2)"; fi
}
has "fault zero-fill write" '^fault .* write=1 result=0 source=4 depth=0 ns=[1-9]'
has "fault copy-on-write one level down" '^fault .* write=1 result=0 source=5 depth=1 '
has "fault read of a backing page" '^fault .* write=0 result=0 source=2 depth=1 '
has "zero_fill" '^zero_fill pid=[0-9]+ object=[1-9][0-9]* pindex=[0-9]+$'
has "cow copy" '^cow .* src=[1-9][0-9]* pindex=[0-9]+ depth=1 renamed=0$'
has "shadow of a forked object" '^shadow .* object=[1-9][0-9]* backing=[1-9][0-9]* offset=0x0 depth=2$'
has "collapse when the child exits" '^collapse .* object=[1-9][0-9]* backing=[1-9][0-9]* new_backing=0$'
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
if grep -q '^map .* fd=[0-9]' "$tmp/bt"; then
	has "pagein of a file page" '^pagein .* result=0$'
else
	echo "ok - bpftrace: pagein # SKIP no file mapping in this module"
fi
# bsdvm_pageout has no caller until msync writes pages back
grep -q '^Attaching 16 probes' "$tmp/bt" && ok "all 16 tracepoints attached" ||
	nok "all 16 tracepoints attached: $(grep Attaching "$tmp/bt")"

# --- libbpf: bsdvm top ---
"$root/build/tools/bsdvm-top" -d 1 -n 4 >"$tmp/top" 2>&1 &
top=$!
for _ in $(seq 100); do
	grep -q 'attached' "$tmp/top" && break
	sleep 0.2
done
"$demo" >/dev/null 2>&1
wait $top || nok "bsdvm top exit status"
line=$(grep '^total pid .* comm bsdvm-demo .* forks 1 ' "$tmp/top" | head -n 1)
val() { sed -n "s/.* $1 \([0-9]*\).*/\1/p" <<<"$line"; }
if [ -n "$line" ] && [ "$(val faults)" -gt 16 ] && [ "$(val zero_fills)" -ge 16 ] &&
   [ "$(val cow)" -ge 1 ] && [ "$(val shadows)" -ge 1 ] &&
   [ "$(val forks)" = 1 ] && [ "$(val maps)" -ge 2 ]; then
	ok "bsdvm top counted the demo's events: $line"
else
	cat "$tmp/top"
	nok "bsdvm top counted the demo's events"
fi
grep -q 'FAULTS/s' "$tmp/top" && ok "bsdvm top printed rates" || nok "bsdvm top printed rates"
[ $fail = 0 ] || { echo "--- bpftrace output"; head -n 60 "$tmp/bt"; }
exit $fail
