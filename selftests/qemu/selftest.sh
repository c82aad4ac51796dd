#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Self-test of the QEMU harness (`make check-harness`): exit statuses
# propagate, --kmod works, a kernel Call Trace fails the run unless
# --allow-warnings, the watchdog fires, a panic (no marker) is a failure,
# the guest has every CPU online and no VMX; with a fake QEMU (no boot): a
# kernel panic before /init is up is retried once, a second one or one
# after /init is up is not. Prints KTAP with a Totals line.
#
# usage: selftest.sh [--fake-only] [KVER]     (default: the newest kernel)
#   --fake-only   only the fake-QEMU cases (seconds, no guest boots)

# shellcheck disable=SC2016 # the --cmd strings expand in the guest
set -u

here=$(cd "$(dirname "$0")" && pwd)
rg=$here/run-guest.sh
fake_only=0
if [ "${1:-}" = --fake-only ]; then
	fake_only=1
	shift
fi
kver=${1:-$("$here/../../mk/kernels.sh" default)} || exit 2
n=0 pass=0 fail=0

# STATUS WHY: test $n ($name) passed when STATUS is 0, else WHY and the
# last lines of its output ($out)
verdict() {
	if [ "$1" = 0 ]; then
		pass=$((pass + 1))
		echo "ok $n $name"
	else
		fail=$((fail + 1))
		echo "not ok $n $name # $2"
		printf '%s\n' "$out" | tail -n 5 | sed 's/^/# /'
	fi
}

expect() { # NAME EXPECTED-STATUS run-guest args...
	name=$1 want=$2
	shift 2
	n=$((n + 1))
	out=$("$rg" --kver "$kver" --quiet "$@" 2>&1)
	rc=$?
	[ "$rc" = "$want" ]
	verdict $? "exit $rc, expected $want"
}

# A stand-in for qemu-system-x86_64 first in PATH: prints the console of a
# boot per FAKE_QEMU_MODE and counts its boots in FAKE_QEMU_BOOTS.
fake=$(mktemp -d)
trap 'rm -rf "$fake"' EXIT
mkdir "$fake/tests"
cat >"$fake/qemu-system-x86_64" <<'EOF'
#!/bin/sh
n=$(($(cat "$FAKE_QEMU_BOOTS" 2>/dev/null || echo 0) + 1))
echo "$n" >"$FAKE_QEMU_BOOTS"
up() { echo "init: stmexec test guest up: fake, boot $n"; }
panic() {
	echo "[    0.912345] Oops: int3: 0000 [#1] PREEMPT SMP NOPTI"
	echo "[    0.912346] RIP: 0010:sched_clock_cpu+0x10/0x1a0"
	echo "[    0.912999] Kernel panic - not syncing: Fatal exception in interrupt"
}
case $FAKE_QEMU_MODE:$n in
panic-once:1 | panic-always:*) panic; exit 0 ;;
panic-after-up:*) up; panic; exit 0 ;;
esac
up
printf 'STMEXEC-DMESG-BEGIN\nSTMEXEC-DMESG-END\nSTMEXEC-GUEST-EXIT=0\n'
EOF
chmod +x "$fake/qemu-system-x86_64"

# NAME EXPECTED-STATUS MODE BOOTS RETRIED(0/1): run-guest.sh on the fake
fake_expect() {
	name=$1 want=$2
	n=$((n + 1))
	rm -f "$fake/boots"
	out=$(PATH="$fake:$PATH" FAKE_QEMU_MODE=$3 FAKE_QEMU_BOOTS="$fake/boots" \
		"$rg" --kver fake --kernel "$fake/qemu-system-x86_64" --quiet \
		--tests "$fake/tests" --cli "$fake/qemu-system-x86_64" \
		--log "$fake/console.log" --cmd 'exit 0' 2>&1)
	rc=$?
	boots=$(cat "$fake/boots" 2>/dev/null || echo 0)
	said=0
	printf '%s\n' "$out" | grep -q 'guest: kernel panicked before init (Oops: int3: .*), retrying once' && said=1
	[ "$rc" = "$want" ] && [ "$boots" = "$4" ] && [ "$said" = "$5" ]
	verdict $? "exit $rc (expected $want), $boots boots (expected $4), retry line $said (expected $5)"
}

echo "TAP version 13"
if [ "$fake_only" = 1 ]; then
	echo "1..3"
else
	echo "1..12"
fi
fake_expect "fake QEMU: a panic before init is retried once (0)" 0 panic-once 2 1
fake_expect "fake QEMU: a second panic before init fails (125)" 125 panic-always 2 1
fake_expect "fake QEMU: a panic after init is never retried (125)" 125 panic-after-up 1 0
if [ "$fake_only" = 1 ]; then
	echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
	[ "$fail" = 0 ]
	exit
fi
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
