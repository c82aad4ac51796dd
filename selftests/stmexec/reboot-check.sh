#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host-side check of the reboot path: boot a guest, load the
# module with backend=sim, enable the monitor and `reboot -f` with it on.
# The kernel's reboot notifiers must stop the STM on every CPU before the
# machine goes away: the console must show the module's
# "reboot/shutdown/kexec: stopping the STM on every CPU" and then
# "state stopping -> off", and no Oops/BUG/WARNING.
#
# usage: reboot-check.sh [--kver VER] [--ko FILE]
# Prints KTAP (one test) ending in a kselftest Totals line; exit 0 on pass.
set -u

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/../.." && pwd)}
kver='' ko=''
while [ $# -gt 0 ]; do
	case $1 in
	--kver) kver=$2; shift ;;
	--ko) ko=$2; shift ;;
	*) echo "usage: reboot-check.sh [--kver VER] [--ko FILE]" >&2; exit 2 ;;
	esac
	shift
done
log=$(mktemp /tmp/stmexec-reboot.XXXXXX)
trap 'rm -f "$log"' EXIT

set -- --smp 2 --timeout 120 --quiet --log "$log"
[ -n "$kver" ] && set -- "$@" --kver "$kver"
[ -n "$ko" ] && set -- "$@" --ko "$ko"
# dmesg -n 8: the module's info lines must reach the console, because the
# guest reboots before /init can dump the kernel log.
"$TOP/selftests/qemu/run-guest.sh" "$@" --cmd \
	'dmesg -n 8; insmod /lib/stmexec/stmexec.ko backend=sim && stmexec enable && echo REBOOT-CHECK-ENABLED && reboot -f'
rc=$?

echo "TAP version 13"
echo "1..1"
why=''
grep -q 'REBOOT-CHECK-ENABLED' "$log" || why="the monitor was not enabled before the reboot"
[ -z "$why" ] && ! grep -q 'stmexec: reboot/shutdown/kexec: stopping the STM on every CPU' "$log" &&
	why="no 'stopping the STM on every CPU' from the reboot notifier"
[ -z "$why" ] && ! sed -n '/reboot\/shutdown\/kexec: stopping/,$p' "$log" | grep -q 'stmexec: state stopping -> off' &&
	why="the STM was not stopped everywhere (no 'state stopping -> off' after the notifier)"
[ -z "$why" ] && grep -Eq '(Oops|BUG:|WARNING:|Call Trace)' "$log" && why="kernel warning in the console"
# the guest reboots instead of printing its exit marker: run-guest says 125
[ -z "$why" ] && [ "$rc" != 125 ] && [ "$rc" != 0 ] && why="run-guest exited $rc"
if [ -z "$why" ]; then
	echo "ok 1 reboot -f with the monitor on stops the STM first"
	echo "# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0"
	exit 0
fi
grep -E 'stmexec|reboot' "$log" | sed 's/^/# /' | tail -n 20
echo "not ok 1 reboot -f with the monitor on stops the STM first # $why"
echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"
exit 1
