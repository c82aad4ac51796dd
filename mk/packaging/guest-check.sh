#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# check-packaging's checker, run by pkgcheck.service inside the Debian guest
# after stmexec.service: prints "PKGCHECK: ok|FAIL WHAT" lines, reboots
# after the first boot and powers off after the second with "PKGCHECK: DONE".
set -u
state=/var/lib/pkgcheck
mkdir -p "$state"
boot=$(($(cat "$state/boot" 2>/dev/null || echo 0) + 1))
echo "$boot" >"$state/boot"
sync
sysfs=/sys/class/misc/stmexec
say() { echo "PKGCHECK: $*"; }
check() {
	what=$1
	shift
	if "$@" >/dev/null 2>&1; then say "ok boot$boot $what"; else say "FAIL boot$boot $what"; fi
}
# Poll a condition with a deadline (the journal is written asynchronously).
within() {
	secs=$1
	shift
	i=0
	while [ "$i" -lt "$secs" ]; do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 1
		i=$((i + 1))
	done
	return 1
}
is_val() { [ "$(cat "$1" 2>/dev/null)" = "$2" ]; }
held() {
	out=$(stmexec ranges) || return 1
	printf '%s\n' "$out" | grep -qx 'mem 0x50000000+0x200000 deny=w' &&
		printf '%s\n' "$out" | grep -qx 'io 0x300-0x30f deny=rw'
}
in_journal() { journalctl -b -t stmexec-log --no-pager | grep -q "$1"; }
unit_failed_with() {
	systemctl is-failed -q stmexec &&
		journalctl -b -u stmexec --no-pager | grep -q "$1"
}

ksft_ok() { printf '%s\n' "$1" | grep -Eq "^ok [0-9]+ selftests: stmexec: $2\$"; }

say "boot $boot: $(uname -r)"
check "stmexec.service active" systemctl is-active -q stmexec
check "backend sim" is_val $sysfs/backend sim
check "monitor on" is_val $sysfs/state on
check "ranges.d ranges held" held
check "stmexec-log.service active" systemctl is-active -q stmexec-log
if [ "$boot" = 1 ]; then
	check "debugfs inject of an SMM write" sh -c 'echo "mem 0x50000010 8 w" >/sys/kernel/debug/stmexec/inject'
	# the record names the protected range the access hit
	check "the violation reaches the journal" within 60 in_journal "protection-exception *mem 0x50000000+0x200000 access=w"
	journalctl -b -t stmexec-log --no-pager | tail -n 3 | sed 's/^/PKGCHECK: # /'
	echo "inject verdict: $(cat /sys/kernel/debug/stmexec/inject 2>&1)" | sed 's/^/PKGCHECK: # /'
	for a in records dropped wrapped events_enabled; do
		echo "log/$a: $(cat $sysfs/log/$a 2>&1)"
	done | sed 's/^/PKGCHECK: # /'
	check "systemctl stop stmexec" systemctl stop stmexec
	check "stop disabled the monitor" is_val $sysfs/state off
	check "stmexec.service inactive" sh -c '! systemctl is-active -q stmexec'
	say "rebooting"
	systemctl reboot
	exit 0
fi
# boot 2: the policy came back (checked above); now a range the module refuses
echo 'mem 0xfff0000000000000+4K   # beyond the physical address width' \
	>/etc/stmexec/ranges.d/90-bad.conf
check "restart with a refused range fails" sh -c '! systemctl restart stmexec'
check "failed unit with the module's ERANGE and its reason in the journal" \
	unit_failed_with 'kernel reason: range 0:'
check "journal names the errno" unit_failed_with ERANGE
check "failed start leaves the monitor off" is_val $sysfs/state off
journalctl -b -u stmexec --no-pager | grep 'stmexec\[' | tail -n 4 | sed 's/^/PKGCHECK: # /'
rm -f /etc/stmexec/ranges.d/90-bad.conf
# the kernel's kselftest runner on the installed suites (DKMS-built module);
# PKGCHECK_KSFT in /etc/default/pkgcheck picks suites (TCG is slow)
suites=$(sed -n 's/^stmexec://p' /opt/kselftest/kselftest-list.txt)
# shellcheck source=/dev/null # written by check-packaging.sh
[ ! -r /etc/default/pkgcheck ] || . /etc/default/pkgcheck
suites=${PKGCHECK_KSFT:-$suites}
args=''
for t in $suites; do args="$args -t stmexec:$t"; done
# the suites load the test build (what modprobe picks: the depmod override);
# no forwarder may consume the log records log_test reads
systemctl stop stmexec-log 2>/dev/null
ko=$(modinfo -n stmexec)
# shellcheck disable=SC2086 # a list of options
out=$(cd /opt/kselftest && STMEXEC_KO=$ko ./run_kselftest.sh $args 2>&1)
printf '%s\n' "$out" | grep -E '^(not )?ok [0-9]+ selftests: |^# *not ok ' | sed 's/^/PKGCHECK: # /'
for t in $suites; do
	check "run_kselftest.sh: $t" ksft_ok "$out" "$t"
done
# the package's own module is the production build: backend=sim is refused
# with ENOPKG ("Package not installed") and a message saying why
refused_sim() {
	! insmod "$PKGCHECK_PROD_KO" backend=sim 2>"$state/insmod.err" &&
		grep -q 'Package not installed' "$state/insmod.err" &&
		dmesg | grep -q 'backend=sim: this stmexec.ko was built without the simulated STM'
}
modprobe -r stmexec 2>/dev/null || rmmod stmexec 2>/dev/null
check "the package's module refuses backend=sim (ENOPKG)" refused_sim
sed 's/^/PKGCHECK: # /' "$state/insmod.err"
check "no stmexec loaded after the refusal" sh -c '! grep -q "^stmexec " /proc/modules'
say "DONE"
systemctl poweroff
