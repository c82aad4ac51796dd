#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot an installed Debian kernel under QEMU/TCG with the stmexec initramfs,
# run shell commands in the guest and return their exit status.
#
# usage: run-guest.sh [options] (--cmd 'shell commands' | --script FILE)
#
#   --kver VER         kernel release or series ("6.1", "6.12"); default:
#                      the newest kernel mk/kernels.sh finds
#   --kernel FILE      boot this bzImage instead of /boot/vmlinuz-<kver>
#                      (e.g. the debug kernel); --kver is then taken
#                      verbatim as its release (the module comes from
#                      build/<kver>/kmod/stmexec.ko)
#   --smp N            CPUs (default 2)
#   --mem MB           memory (default 1024)
#   --timeout S        watchdog: kill QEMU after S seconds (default 120)
#   --append ARGS      extra kernel command line
#   --qemu-extra ARGS  extra QEMU arguments (word-split), e.g. a TPM:
#                      "-chardev socket,id=chrtpm,path=SOCK
#                       -tpmdev emulator,id=tpm0,chardev=chrtpm
#                       -device tpm-tis,tpmdev=tpm0"
#   --cpu MODEL        QEMU CPU model (default "max"; TCG has no VMX)
#   --log FILE         also write the whole console here
#   --module FILE      the stmexec.ko to use (default build/<kver>/kmod/)
#   --tests DIR        what becomes /tests/ (default build/selftests/)
#   --cli FILE         what becomes /usr/bin/stmexec (default tools/stmexec)
#   --ko FILE, --kmod NAME, --file SRC:DST
#                      passed to mkinitramfs.sh (more modules and files)
#   --allow-warnings   do not fail on kernel Oops/BUG/WARNING/... lines
#   --quiet            do not stream the console to stdout
#   --show-dmesg       also stream the kernel log dumped at the end
#   --interactive      the terminal is the guest console (default command:
#                      a shell; Ctrl-A X quits QEMU); no watchdog
#
# Exit status: the guest's (from the STMEXEC-GUEST-EXIT=<rc> marker that
# /init prints), or 124 watchdog timeout, 125 the guest died without the
# marker (panic, triple fault), 3 kernel warning/oops lines in the console
# or the kernel log (reported even when the guest command succeeded),
# 2 usage or setup error. A boot whose kernel panics or oopses before /init
# prints its "up" line is retried once ("guest: kernel panicked before
# init (...), retrying once" on stderr; that boot's console is kept as
# LOG.boot1.log): a TCG boot flake, never a test's.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
export TOP=${TOP:-$(cd "$here/../.." && pwd)}

kspec='' kernel='' smp=2 mem=1024 timeout=120 append='' qemu_extra='' cpu=max
log='' cmd='' script='' allow_warn=0 quiet=0 show_dmesg=0 interactive=0
mkargs=()

usage() {
	sed -n '5,30{s/^# \{0,1\}//;p}' "$0" >&2
	exit 2
}
die() {
	echo "run-guest: $*" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--kver) kspec=$2; shift ;;
	--kernel) kernel=$2; shift ;;
	--smp) smp=$2; shift ;;
	--mem) mem=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--append) append=$2; shift ;;
	--qemu-extra) qemu_extra=$2; shift ;;
	--cpu) cpu=$2; shift ;;
	--log) log=$2; shift ;;
	--cmd) cmd=$2; shift ;;
	--script) script=$2; shift ;;
	--module | --tests | --cli | --ko | --kmod | --file) mkargs+=("$1" "$2"); shift ;;
	--allow-warnings) allow_warn=1 ;;
	--quiet) quiet=1 ;;
	--show-dmesg) show_dmesg=1 ;;
	--interactive) interactive=1 ;;
	-h | --help) usage ;;
	*) echo "run-guest: unknown argument '$1'" >&2; usage ;;
	esac
	shift
done
if [ "$interactive" = 1 ] && [ -z "$cmd$script" ]; then
	cmd='echo "guest shell: exit (or Ctrl-D) powers off; Ctrl-A X kills QEMU"; setsid cttyhack sh'
fi
[ -n "$cmd" ] || [ -n "$script" ] || { echo "run-guest: give --cmd or --script" >&2; usage; }
[ -z "$cmd" ] || [ -z "$script" ] || die "give only one of --cmd and --script"
[ -z "$script" ] || [ -r "$script" ] || die "cannot read --script $script"
[[ $smp =~ ^[1-9][0-9]*$ ]] || die "--smp wants a number"
[[ $mem =~ ^[1-9][0-9]*$ ]] || die "--mem wants a number of MiB"
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die "--timeout wants a number of seconds"

if [ -n "$kernel" ]; then
	[ -n "$kspec" ] || die "--kernel needs --kver RELEASE (the release of that kernel)"
	kver=$kspec
elif [ -n "$kspec" ]; then
	kver=$("$TOP/mk/kernels.sh" resolve "$kspec") || exit 2
	kernel=/boot/vmlinuz-$kver
else
	kver=$("$TOP/mk/kernels.sh" default) || exit 2
	kernel=/boot/vmlinuz-$kver
fi
[ -r "$kernel" ] || die "$kernel is not readable (run as root, or copy it somewhere readable)"
qemu=$(command -v qemu-system-x86_64) || die "qemu-system-x86_64 not found: run 'make deps'"

mkdir -p "$TOP/build/qemu"
work=$(mktemp -d "$TOP/build/qemu/run.XXXXXX")
qpid=''
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	[ -z "$qpid" ] || kill "$qpid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -n "$script" ]; then
	cp "$script" "$work/cmd.sh"
else
	printf '%s\n' "$cmd" >"$work/cmd.sh"
fi
"$here/mkinitramfs.sh" -o "$work/initramfs.gz" --kver "$kver" \
	--cmd-file "$work/cmd.sh" "${mkargs[@]}" || die "building the initramfs failed"

if [ -z "$log" ]; then
	# Kept after the run (the message names it); only the newest 20 stay.
	mkdir -p "$TOP/build/qemu/logs"
	log=$TOP/build/qemu/logs/console-$kver-$(date +%Y%m%d-%H%M%S)-$$.log
	# shellcheck disable=SC2012 # our own file names
	ls -t "$TOP/build/qemu/logs"/console-*.log 2>/dev/null | tail -n +20 |
		while read -r f; do rm -f "$f"; done || true
fi
mkdir -p "$(dirname "$log")"
: >"$log"

# -nodefaults: no VGA, NIC, floppy, CD-ROM; the only device is the serial
# console on stdio. The TCG "max" CPU advertises no VMX, so backend=vmx
# must refuse in this guest.
# no_timer_check: on a loaded host the TCG vCPU misses the kernel's IO-APIC
# timer check and 6.1 panics at boot ("IO-APIC + timer doesn't work!").
# shellcheck disable=SC2206,SC2054 # --qemu-extra is split on purpose
qargs=(-accel tcg,thread=multi -M pc -cpu "$cpu" -smp "$smp" -m "$mem"
	-nodefaults -no-user-config -nographic -no-reboot -net none
	-kernel "$kernel" -initrd "$work/initramfs.gz"
	-append "console=ttyS0 panic=-1 quiet loglevel=4 printk.time=1 no_timer_check $append"
	$qemu_extra)

# Carriage returns and the firmware's terminal escapes (clear screen...).
clean='s/\r//g; s/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g'
start=$(date +%s.%N)

if [ "$interactive" = 1 ]; then
	echo "run-guest: booting $kver (-smp $smp, -m $mem), interactive; console log: $log" >&2
	# The terminal is the serial console, multiplexed with the monitor
	# (Ctrl-A C); QEMU also copies the console into the log.
	rc_qemu=0
	"$qemu" "${qargs[@]}" -chardev "stdio,id=con,mux=on,signal=off,logfile=$log" \
		-serial chardev:con -mon chardev=con || rc_qemu=$?
	sed -i "$clean" "$log"
	marker=$(grep -E '^STMEXEC-GUEST-EXIT=[0-9]+$' "$log" | tail -n 1 || true)
	[ -n "$marker" ] || { echo "run-guest: QEMU ended (exit $rc_qemu) without the guest's exit marker" >&2; exit 125; }
	exit "${marker#STMEXEC-GUEST-EXIT=}"
fi

# One boot: QEMU writes the raw console into the log file (readable with
# tail -f while the guest runs; cleaned up at the end); a filter streams it
# to stdout, without the kernel log dumped at the end unless --show-dmesg.
# Sets rc_qemu and timed_out.
boot() {
	: >"$log"
	echo "run-guest: booting $kver (-smp $smp, -m $mem, timeout ${timeout}s); console log: $log" >&2
	"$qemu" "${qargs[@]}" -serial stdio -monitor none </dev/null >"$log" 2>&1 &
	qpid=$!
	# Not a pipe into the filter: a pipe would make the watchdog wait on
	# the filter. QEMU writes to a file; tail follows it until QEMU is gone.
	if [ "$quiet" = 0 ]; then
		tail -s 0.1 -n +1 -f --pid="$qpid" "$log" | sed -u "$clean" |
			awk -v show="$show_dmesg" '
				/^STMEXEC-DMESG-BEGIN/ { if (!show) { hide = 1; print "(kernel log of the run: see the log file)"; fflush() } }
				!hide { print; fflush() }
				/^STMEXEC-DMESG-END/ { hide = 0 }' &
		tpid=$!
	fi

	rc_qemu=0
	deadline=$(($(date +%s) + timeout))
	timed_out=0
	while kill -0 "$qpid" 2>/dev/null; do
		if [ "$(date +%s)" -ge "$deadline" ]; then
			timed_out=1
			kill "$qpid" 2>/dev/null || true
			sleep 2
			kill -9 "$qpid" 2>/dev/null || true
			break
		fi
		sleep 0.2
	done
	wait "$qpid" 2>/dev/null || rc_qemu=$?
	qpid=''
	[ "$quiet" = 1 ] || wait "$tpid" 2>/dev/null || true
	sed -i "$clean" "$log"
}

# The first kernel panic or oops line of a boot that died before /init
# printed its "up" line (init.sh), or nothing.
early_panic() {
	grep -q 'init: stmexec test guest up:' "$log" && return 0
	grep -E '^\[ *[0-9]+\.[0-9]+\].*(Kernel panic|Oops|BUG:|general protection fault)' \
		"$log" | head -n 1 | sed 's/^\[ *[0-9.]*\] *//' || true
}

boot
# Under TCG a kernel occasionally dies at boot before /init runs, which no
# test can cause (seen once in a clean-clone CI run: an int3 oops in
# sched_clock_cpu on 6.12; the rerun passed 3/3): such a boot is retried,
# once, and says so. A panic after the "up" line is the test's and is
# never retried, nor is a timeout (the watchdog already waited).
if [ "$timed_out" = 0 ] && ! grep -qE '^STMEXEC-GUEST-EXIT=[0-9]+$' "$log"; then
	why=$(early_panic)
	if [ -n "$why" ]; then
		cp "$log" "${log%.log}.boot1.log"
		echo "run-guest: guest: kernel panicked before init ($why), retrying once; console of that boot: ${log%.log}.boot1.log" >&2
		boot
	fi
fi
end=$(date +%s.%N)
secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')

if [ "$timed_out" = 1 ]; then
	echo "run-guest: TIMEOUT: the guest ($kver) did not finish within ${timeout}s; QEMU killed (console: $log); last lines:" >&2
	tail -n 10 "$log" | sed 's/^/run-guest:   /' >&2
	exit 124
fi

marker=$(grep -E '^STMEXEC-GUEST-EXIT=[0-9]+$' "$log" | tail -n 1 || true)

# Kernel trouble: only kernel lines ("[    1.234567] ...") are scanned, so a
# test printing "WARNING:" itself does not trip this.
bad='(Oops|BUG:|WARNING:|Call Trace|KASAN|UBSAN|kmemleak: [0-9]+ new suspected|Kernel panic|general protection fault|INFO: task .* blocked|rcu.*detected stall|soft lockup|hard LOCKUP)'
badlines=$(grep -E "^\[ *[0-9]+\.[0-9]+\].*$bad" "$log" | sort -u || true)

if [ -z "$marker" ]; then
	echo "run-guest: FAIL: guest died without exit marker after ${secs}s (kernel panic, triple fault or /init killed?); QEMU exit $rc_qemu; console: $log" >&2
	[ -z "$badlines" ] || printf '%s\n' "$badlines" | head -n 40 | sed 's/^/run-guest:   /' >&2
	exit 125
fi
rc=${marker#STMEXEC-GUEST-EXIT=}

if [ -n "$badlines" ]; then
	if [ "$allow_warn" = 1 ]; then
		echo "run-guest: note: kernel warnings (allowed by --allow-warnings):" >&2
		printf '%s\n' "$badlines" | head -n 40 | sed 's/^/run-guest:   /' >&2
	else
		echo "run-guest: FAIL: kernel oops/warning lines in the console or kernel log (guest exit $rc); console: $log" >&2
		printf '%s\n' "$badlines" | head -n 40 | sed 's/^/run-guest:   /' >&2
		exit 3
	fi
fi

echo "run-guest: guest ($kver) exited $rc after ${secs}s" >&2
exit "$rc"
