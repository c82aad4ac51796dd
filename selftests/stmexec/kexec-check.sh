#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host-side check of the kexec and kdump paths with
# backend=sim. The guest initramfs carries kexec-tools' kexec (with its
# shared libraries), the kernel it booted and a second, minimal initramfs
# whose /cmd.sh prints KEXEC-CHECK-SECOND-BOOT and powers off.
#
#  1. kexec: load the module, `stmexec enable`, `kexec -l` + `kexec -e`.
#     The first kernel's console must show the reboot notifier's
#     "reboot/shutdown/kexec: stopping the STM on every CPU" and then
#     "state stopping -> off", and the second kernel must boot (its marker).
#  2. kdump: boot with crashkernel=, `kexec -p` a capture kernel, enable the
#     monitor, `echo c >/proc/sysrq-trigger`. Every CPU must have left the
#     STM and VMX operation: each CPU is named either by its own
#     "emergency: STM stopped on CPU <n> and VMX left" or by the "STM stopped
#     and VMX left on CPUs <list>" of an "emergency: summary:" line (console
#     or the first kernel's printk ring in /proc/vmcore), no line may report
#     a CPU the STM could not be stopped on or still in VMX operation, the
#     last summary must report no CPU under the STM or in VMX operation, and
#     the capture kernel must boot (its marker). On 6.12 printk() of a CPU
#     other than the panicking one is dropped during a panic, so only the
#     crashing CPU's summary (it runs the callback last) names the others.
#
# Success needs the second kernel's marker: a guest that dies without it
# (run-guest.sh exit 125) fails. run-guest.sh's oops/panic scan is not
# loosened: for kdump its exit 3 is accepted only when the sole flagged
# lines of the first kernel are the sysrq crash itself ("Kernel panic -
# not syncing: sysrq triggered crash" and its backtrace) and the capture
# kernel's own log (dumped by its /init) has none.
#
# backend=vmx cannot be covered here: QEMU TCG has no VMX.
#
# usage: kexec-check.sh [--kver VER] [--module FILE] [--cli FILE] [--only kexec|kdump] [--logdir DIR]
# --logdir DIR keeps the consoles as DIR/kexec-<kver>.log, DIR/kdump-<kver>.log.
# Prints KTAP ending in a kselftest Totals line; exit 0 on pass, 4 (skip)
# when kexec-tools is not installed on the host.
set -u

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/../.." && pwd)}
kver='' module='' cli='' only='' logdir=''
while [ $# -gt 0 ]; do
	case $1 in
	--kver) kver=$2; shift ;;
	--module) module=$2; shift ;;
	--cli) cli=$2; shift ;;
	--only) only=$2; shift ;;
	--logdir) logdir=$2; shift ;;
	*) echo "usage: kexec-check.sh [--kver VER] [--module FILE] [--cli FILE] [--only kexec|kdump] [--logdir DIR]" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$kver" ] && kver=$("$TOP/mk/kernels.sh" resolve "$kver")
[ -n "$kver" ] || kver=$("$TOP/mk/kernels.sh" default) || exit 2
kernel=/boot/vmlinuz-$kver

ntests=2
[ -n "$only" ] && ntests=1
echo "TAP version 13"
kexec=$(command -v kexec || true)
[ -n "$kexec" ] || [ ! -x /usr/sbin/kexec ] || kexec=/usr/sbin/kexec
if [ -z "$kexec" ]; then
	echo "1..1"
	echo "ok 1 kexec and kdump # SKIP kexec-tools not installed (make deps-check)"
	echo "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0"
	exit 4
fi
echo "1..$ntests"

work=$(mktemp -d /tmp/stmexec-kexec.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The second kernel's initramfs: the usual base, no tests, no module.
mkdir -p "$work/empty"; : >"$work/nocli"
# In a capture kernel, the first kernel's printk ring (in /proc/vmcore)
# holds the emergency lines of the CPUs whose console output the crash
# cut short (a line printed in NMI context is flushed later, if ever).
cat >"$work/second.sh" <<'EOS'
echo "KEXEC-CHECK-SECOND-BOOT cpus=$(grep -c ^processor /proc/cpuinfo)"
# The scan is bounded (it reads all of the first kernel's memory, minutes
# under TCG on a loaded host): the crashing CPU's summary on the console is
# the assertion's evidence, the vmcore lines are extra.
if [ -r /proc/vmcore ]; then
	timeout 150 strings -n 20 /proc/vmcore |
		grep -oE '(emergency|panic): (STM stopped on CPU [0-9]+( and VMX left| \(still in VMX operation\))?|the STM could not be stopped on CPU [0-9]+|summary: STM stopped and VMX left on CPUs [0-9,-]+; STM still active on CPUs \[[0-9,-]*\]; [0-9]+ CPU\(s\) in VMX operation)' |
		sort -u | sed 's/^/KDUMP-VMCORE: /'
fi
EOS
"$TOP/selftests/qemu/mkinitramfs.sh" -o "$work/second.gz" --kver "$kver" \
	--tests "$work/empty" --cli "$work/nocli" --cmd-file "$work/second.sh" >/dev/null ||
	{ echo "Bail out! building the second initramfs failed"; exit 1; }

# kexec and its shared libraries (Debian's is dynamic).
files="--file $kexec:/usr/sbin/kexec"
for lib in $(ldd "$kexec" 2>/dev/null | grep -o '/[^ ]*'); do
	files="$files --file $lib:$lib"
done
files="$files --file $kernel:/boot/vmlinuz --file $work/second.gz:/boot/second.gz"

# no_timer_check: under TCG on a loaded host the kernel's IO-APIC timer
# check can fail ("IO-APIC + timer doesn't work!", a panic at boot).
second_append='console=ttyS0 panic=-1 quiet loglevel=4 printk.time=1 no_timer_check'
pass=0 fail=0 t=0 cpus=2

# $1 test name, $2 extra kernel command line, $3 guest command
guest() {
	name=$1 log=$work/$1.log
	set -- "$2" "$3"
	# shellcheck disable=SC2086 # $files is split on purpose
	"$TOP/selftests/qemu/run-guest.sh" --kver "$kver" --smp "$cpus" --timeout 600 \
		--quiet --log "$log" ${module:+--module "$module"} ${cli:+--cli "$cli"} \
		--append "$1" $files --cmd "$2" >"$work/run.out" 2>&1
	rc=$?
	[ -z "$logdir" ] || cp "$log" "$logdir/$name-$kver.log"
}

result() { # $1 description, $2 why (empty: pass)
	t=$((t + 1))
	if [ -z "$2" ]; then
		echo "ok $t $1"
		pass=$((pass + 1))
	else
		grep -E 'stmexec|kexec|KEXEC|crash|panic|run-guest' "$log" "$work/run.out" |
			tail -n 25 | sed 's/^/# /'
		echo "not ok $t $1 # $2"
		fail=$((fail + 1))
	fi
}

# The lines of the log after the first one matching $1.
after() { sed -n "/$1/,\$p" "$log"; }

# kdump: every one of the guest's $cpus CPUs left the STM and VMX
# operation, by its own line or a summary (console or vmcore). Prints why
# not, or nothing.
every_cpu_left() {
	lines=$(after '^KDUMP-CHECK-LOADED' | grep -Eo '(emergency|panic): .*')
	bad=$(echo "$lines" | grep -E 'could not be stopped|still in VMX operation' | head -n 1)
	[ -z "$bad" ] || { echo "a CPU was left under the STM or in VMX operation: $bad"; return; }
	sums=$(echo "$lines" | grep ': summary: ')
	if [ -n "$sums" ] && ! echo "$sums" | grep -q 'STM still active on CPUs \[\]; 0 CPU(s) in VMX operation'; then
		echo "no summary reports every CPU out of the STM and VMX operation: $(echo "$sums" | tail -n 1)"
		return
	fi
	left=$({
		echo "$lines" | sed -n 's/.*STM stopped on CPU \([0-9]*\) and VMX left.*/\1/p'
		echo "$sums" | sed -n 's/.*VMX left on CPUs \([0-9,-]*\);.*/\1/p' | tr ',' '\n' |
			awk -F- 'NF == 1 { print $1 } NF == 2 { for (i = $1; i <= $2; i++) print i }'
	} | sort -un)
	c=0
	while [ "$c" -lt "$cpus" ]; do
		echo "$left" | grep -qx "$c" ||
			{ echo "no line shows CPU $c leaving the STM and VMX operation (CPUs shown: $(echo "$left" | tr "\n" " "))"; return; }
		c=$((c + 1))
	done
}

if [ -z "$only" ] || [ "$only" = kexec ]; then
	guest kexec 'no_timer_check' "dmesg -n 8
insmod /lib/stmexec/stmexec.ko backend=sim && stmexec enable &&
kexec -l /boot/vmlinuz --initrd=/boot/second.gz --append='$second_append' &&
echo KEXEC-CHECK-LOADED && kexec -e
echo KEXEC-CHECK-FAILED rc=\$?"
	why=''
	grep -q '^KEXEC-CHECK-LOADED' "$log" || why="the monitor was not enabled or kexec -l failed"
	[ -z "$why" ] && ! after '^KEXEC-CHECK-LOADED' | grep -q 'stmexec: reboot/shutdown/kexec: stopping the STM on every CPU' &&
		why="no 'stopping the STM on every CPU' from the reboot notifier before the jump"
	[ -z "$why" ] && ! after 'reboot\/shutdown\/kexec: stopping' | grep -q 'stmexec: state stopping -> off' &&
		why="the STM was not stopped everywhere (no 'state stopping -> off' after the notifier)"
	[ -z "$why" ] && ! after 'state stopping -> off' | grep -q '^KEXEC-CHECK-SECOND-BOOT' &&
		why="the second kernel did not boot (no KEXEC-CHECK-SECOND-BOOT; run-guest exit $rc)"
	[ -z "$why" ] && [ "$rc" != 0 ] && why="run-guest exited $rc (see its oops/warning scan)"
	result "kexec -e with the monitor on stops the STM and boots the second kernel" "$why"
fi

if [ -z "$only" ] || [ "$only" = kdump ]; then
	guest kdump 'crashkernel=160M no_timer_check' "dmesg -n 8
insmod /lib/stmexec/stmexec.ko backend=sim &&
kexec -p /boot/vmlinuz --initrd=/boot/second.gz --append='$second_append nr_cpus=1 irqpoll reset_devices' &&
stmexec enable && echo KDUMP-CHECK-LOADED && echo c >/proc/sysrq-trigger
echo KDUMP-CHECK-FAILED rc=\$?"
	why=''
	grep -q '^KDUMP-CHECK-LOADED' "$log" || why="kexec -p failed or the monitor was not enabled"
	[ -z "$why" ] && ! after '^KDUMP-CHECK-LOADED' | grep -Eq 'stmexec: emergency: STM stopped on CPU [0-9]+' &&
		why="no 'emergency: STM stopped on CPU' from the emergency callback"
	[ -z "$why" ] && why=$(every_cpu_left)
	[ -z "$why" ] && ! after 'stmexec: emergency: STM stopped' | grep -q '^KEXEC-CHECK-SECOND-BOOT' &&
		why="the capture kernel did not boot (no KEXEC-CHECK-SECOND-BOOT; run-guest exit $rc)"
	if [ -z "$why" ] && [ "$rc" = 3 ]; then
		# The same pattern as run-guest.sh's scan.
		bad='(Oops|BUG:|WARNING:|Call Trace|KASAN|UBSAN|kmemleak: [0-9]+ new suspected|Kernel panic|general protection fault|INFO: task .* blocked|rcu.*detected stall|soft lockup|hard LOCKUP)'
		first=$(sed -n '/^KDUMP-CHECK-LOADED/,/^KEXEC-CHECK-SECOND-BOOT/p' "$log" |
			grep -E "^\[ *[0-9]+\.[0-9]+\].*$bad" |
			grep -Ev 'Kernel panic - not syncing: sysrq triggered crash|Call Trace' || true)
		capture=$(sed -n '/^STMEXEC-DMESG-BEGIN/,/^STMEXEC-DMESG-END/p' "$log" |
			grep -E "^\[ *[0-9]+\.[0-9]+\].*$bad" || true)
		[ -z "$first" ] || why="unexpected kernel trouble before the crash: $(echo "$first" | head -n 1)"
		[ -z "$why" ] && [ -n "$capture" ] && why="kernel trouble in the capture kernel: $(echo "$capture" | head -n 1)"
	elif [ -z "$why" ] && [ "$rc" != 0 ]; then
		why="run-guest exited $rc"
	fi
	if [ -z "$why" ]; then
		after 'KDUMP-CHECK-LOADED' | grep -Eo '(stmexec: emergency|KDUMP-VMCORE): .*' | sed 's/^/# /'
	fi
	result "kdump: sysrq crash with the monitor on takes every CPU out of the STM and VMX operation and boots the capture kernel" "$why"
fi

echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ "$fail" = 0 ]
