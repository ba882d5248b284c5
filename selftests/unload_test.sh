#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# bsdvm.ko refuses to unload while /dev/bsdvm is open, unloads cleanly after
# use (the device node goes away), and loads again.  Needs root and
# BSDVM_KO (set by tools/vmtest).  Exit 0 pass, 1 fail, 4 skip (kselftest).
ok() { echo "ok $*"; }
fail() { echo "not ok $*"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "ok # SKIP needs root"; exit 4; }
[ -n "${BSDVM_KO:-}" ] || { echo "ok # SKIP BSDVM_KO not set"; exit 4; }
grep -q '^bsdvm ' /proc/modules || fail "bsdvm is not loaded"

exec 3</dev/bsdvm || fail "open /dev/bsdvm"
if rmmod bsdvm 2>/dev/null; then
	fail "rmmod succeeded while /dev/bsdvm was open"
fi
ok "rmmod refused while open"
exec 3<&-

rmmod bsdvm || fail "rmmod after close"
grep -q '^bsdvm ' /proc/modules && fail "bsdvm still in /proc/modules"
[ -e /dev/bsdvm ] && fail "/dev/bsdvm still exists after rmmod"
ok "unloaded cleanly"

# shellcheck disable=SC2086
insmod "$BSDVM_KO" $BSDVM_MODPARAMS || fail "insmod again"
[ -c /dev/bsdvm ] || fail "/dev/bsdvm missing after reload"
ok "reloaded"
exit 0
