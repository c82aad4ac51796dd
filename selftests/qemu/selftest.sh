#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Self-test of the QEMU harness (`make check-harness`): exit statuses
# propagate, --kmod works, a kernel Call Trace fails the run unless
# --allow-warnings, the watchdog fires, a panic (no marker) is a failure,
# the guest has every CPU online and no VMX. Prints KTAP with a Totals line.
#
# usage: selftest.sh [KVER]     (default: the newest kernel)

# shellcheck disable=SC2016 # the --cmd strings expand in the guest
set -u

here=$(cd "$(dirname "$0")" && pwd)
rg=$here/run-guest.sh
kver=${1:-$("$here/../../mk/kernels.sh" default)} || exit 2
n=0 pass=0 fail=0

expect() { # NAME EXPECTED-STATUS run-guest args...
	name=$1 want=$2
	shift 2
	n=$((n + 1))
	out=$("$rg" --kver "$kver" --quiet "$@" 2>&1)
	rc=$?
	if [ "$rc" = "$want" ]; then
		pass=$((pass + 1))
		echo "ok $n $name"
	else
		fail=$((fail + 1))
		echo "not ok $n $name # exit $rc, expected $want"
		printf '%s\n' "$out" | tail -n 5 | sed 's/^/# /'
	fi
}

echo "TAP version 13"
echo "1..9"
expect "exit 0 propagates" 0 --cmd 'exit 0'
expect "exit 7 propagates" 7 --cmd 'exit 7'
expect "all CPUs online, no VMX in the guest" 0 --smp 2 \
	--cmd '[ "$(grep -c ^processor /proc/cpuinfo)" = 2 ] && ! grep -qw vmx /proc/cpuinfo'
expect "unprivileged user tester exists" 0 \
	--cmd '[ "$(su tester -c "id -u")" = 1000 ] && [ "$(id -u nobody)" = 65534 ]'
expect "--kmod: a module of the kernel loads with modprobe" 0 --kmod dummy \
	--cmd 'modprobe dummy && grep -q "^dummy " /proc/modules'
# sysrq-l prints a "Call Trace:" per CPU: stands in for an oops or WARN
expect "a kernel Call Trace fails the run (3)" 3 --cmd 'echo l > /proc/sysrq-trigger; exit 0'
expect "--allow-warnings lets it pass" 0 --allow-warnings --cmd 'echo l > /proc/sysrq-trigger; exit 0'
expect "watchdog kills a hung guest (124)" 124 --timeout 15 --cmd 'sleep 1000'
expect "a kernel panic is a failure (125)" 125 --cmd 'echo c > /proc/sysrq-trigger; exit 0'
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ "$fail" = 0 ]
