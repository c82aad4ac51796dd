#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The body of `make check-bochs`: the vmx backend with REAL
# VMX instructions on an emulated Intel CPU. Bochs 2.7 emulates VMX (VMXON,
# VMCLEAR, VMPTRLD, VMWRITE, VMREAD, VMXOFF) but neither the dual-monitor
# treatment nor VMCALL in VMX root; the guest loads stmexec.ko with
# `backend=vmx vmx_stm=sim` (real VMX root on every CPU, STM calls answered
# by the simulated STM, one real VMCALL per CPU enter) and runs
# selftests/bochs/guest.sh. Documentation/dev-tools/stmexec-bochs.rst.
#
# usage: check-bochs.sh [--kver VER | --debug-kernel | --kernel BZIMAGE --kdir DIR]
#                       [--timeout S] [--cycles N] [--ips N] [--idle halt|default]
#                       [--append ARGS] [--module KO] [--keep]
#
#   --kver VER      an installed Debian kernel (/boot/vmlinuz-VER, headers in
#                   /lib/modules/VER/build); a release or a series ("6.1").
#                   Default: $BOCHS_KVER, else the newest (mk/kernels.sh
#                   default, as for make demo/check)
#   --debug-kernel  the cached LZ4 debug kernel of mk/debug-kernel/build.sh
#                   (KASAN, lockdep...; must be built: make debug-kernel)
#   --kernel F --kdir DIR
#                   any bzImage and the build tree to build the module in
#   --timeout S     kill Bochs after S seconds (default $BOCHS_TIMEOUT or 900)
#   --cycles N      enable/disable cycles in the guest (default 5)
#   --ips N         Bochs' emulated instructions per emulated second (default
#                   100000000; the guest's clock runs on it)
#   --idle halt     (default) boot with idle=halt: Bochs 2.7 is slow to wake
#                   a CPU idling in MWAIT, which delays IPIs by seconds of
#                   guest time (see the documentation); "default" leaves
#                   the kernel's choice (MWAIT/intel_idle)
#   --append ARGS   more kernel command line
#   --module KO     boot with this stmexec.ko (built for that kernel)
#                   instead of building one from the tree
#   --keep          keep the work directory (ISO, initramfs, bochsrc)
#
# Output: KTAP on stdout (one test per build step, per guest step and per
# check of Bochs' own log) ending in "# Totals:" and the one-line summary
# "N passed, N failed" of mk/summarize.py; the wall time of each phase.
# Logs: build/logs/check-bochs-serial.log (the guest console),
# build/logs/check-bochs-bochs.log (Bochs' log), build/logs/check-bochs.ktap.
# Exit status 0 only if everything passed.
#
# The verdict comes from the guest's sentinel lines, never from Bochs' exit
# status (1 even after a clean ACPI power-off). Bochs' own ">>PANIC<<" lines
# fail the run, except the known "VMCALL: not implemented yet", which is the
# evidence that each real VMCALL ran: its count per CPU must equal what the
# guest caused. One Bochs at a time: a lock serialises concurrent runs.
set -u

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/../.." && pwd)}
export TOP
cd "$TOP" || exit 2

kspec=${BOCHS_KVER:-} debugk=0 kernel='' kdir='' keep=0
timeout=${BOCHS_TIMEOUT:-900} cycles=${BOCHS_CYCLES:-5} ips=${BOCHS_IPS:-100000000}
idle=halt append_user=${BOCHS_APPEND:-} module=''
while [ $# -gt 0 ]; do
	case $1 in
	--kver) kspec=$2; shift ;;
	--debug-kernel) debugk=1 ;;
	--kernel) kernel=$2; shift ;;
	--kdir) kdir=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--cycles) cycles=$2; shift ;;
	--ips) ips=$2; shift ;;
	--idle) idle=$2; shift ;;
	--append) append_user=$2; shift ;;
	--module) module=$2; shift ;;
	--keep) keep=1 ;;
	-h | --help) sed -n '12,40{s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) echo "check-bochs: unknown argument '$1' (--help)" >&2; exit 2 ;;
	esac
	shift
done
for v in "$timeout" "$cycles" "$ips"; do
	[[ $v =~ ^[0-9]+$ ]] || { echo "check-bochs: '$v' is not a number" >&2; exit 2; }
done
case $idle in
halt | default) ;;
*) echo "check-bochs: --idle halt|default" >&2; exit 2 ;;
esac
if [ -n "$module" ] && [ ! -r "$module" ]; then
	echo "check-bochs: --module $module: cannot read it" >&2
	exit 2
fi
if [ -n "$kernel" ] && [ -z "$kdir" ]; then
	echo "check-bochs: --kernel needs --kdir (the tree to build the module in)" >&2
	exit 2
fi

guest=$TOP/selftests/bochs/guest.sh
logs=$TOP/build/logs
mkdir -p "$logs" "$TOP/build/bochs"
serial=$logs/check-bochs-serial.log
blog=$logs/check-bochs-bochs.log
ktap=$logs/check-bochs.ktap
: >"$ktap"

t_all=$(date +%s)
# shellcheck source=mk/ktap.sh
. "$TOP/mk/ktap.sh"

# The guest's steps, from its header; then the host's own tests.
read -r -a gsteps <<<"$(sed -n 's/^# steps: //p' "$guest" | head -n 1)"
hsteps=(deps module iso guest-boot "${gsteps[@]}" bochs-vmcalls bochs-no-other-panic console-clean)
say "KTAP version 1"
say "1..${#hsteps[@]}"
finish() {
	while [ "$n" -lt "${#hsteps[@]}" ]; do
		result fail "${hsteps[$n]}" "not reached: an earlier step failed"
	done
	note "check-bochs: ${kdesc:-no kernel}; $(($(date +%s) - t_all))s wall time in all${phases:+ ($phases)}"
	note "check-bochs: logs: ${serial#"$TOP"/}, ${blog#"$TOP"/}, ${ktap#"$TOP"/}"
	say "# Totals: pass:$npass fail:$nfail xfail:0 xpass:0 skip:$nskip error:0"
	python3 "$TOP/mk/summarize.py" --quiet "$ktap"
	[ "$nfail" = 0 ]
	exit
}

# ---- 1. deps ------------------------------------------------------------------
missing=()
for t in bochs-bin xorriso script timeout strip python3; do
	command -v "$t" >/dev/null || missing+=("$t")
done
for f in /usr/share/bochs/BIOS-bochs-latest /usr/share/vgabios/vgabios.bin \
	/usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32; do
	[ -r "$f" ] || missing+=("$f")
done
# bochs-bin needs a display plugin; headless means the term (curses) one.
compgen -G '/usr/lib/*/bochs/plugins/libbx_term_gui.so*' >/dev/null ||
	missing+=("bochs' term display plugin (package bochs-term)")
if [ ${#missing[@]} -gt 0 ]; then
	result fail deps "missing: ${missing[*]} (make deps: bochs bochs-term bochsbios vgabios isolinux syslinux-common xorriso)"
	finish
fi
result ok "deps"

# ---- 2. kernel and module ---------------------------------------------------------
append_extra=''
if [ "$debugk" = 1 ]; then
	dk=$TOP/mk/debug-kernel/build.sh
	d=$("$dk" --dir)
	if ! "$dk" --check; then
		result fail module "the debug kernel is not built ($d): run 'make debug-kernel'"
		finish
	fi
	kernel=$d/bzImage kdir=$d/build kver=$(cat "$d/kernel.release")
	append_extra='kasan_multi_shot'
elif [ -n "$kernel" ]; then
	kver=$("$TOP/mk/kernels.sh" kver "$kdir") || { result fail module "cannot tell the release of $kdir"; finish; }
else
	if [ -n "$kspec" ]; then
		kver=$("$TOP/mk/kernels.sh" resolve "$kspec") || { result fail module "no installed kernel '$kspec'"; finish; }
	else
		kver=$("$TOP/mk/kernels.sh" default) || { result fail module "no installed Debian kernel (make deps)"; finish; }
	fi
	kernel=/boot/vmlinuz-$kver kdir=/lib/modules/$kver/build
fi
kdesc="kernel $kver ($kernel)"
[ -r "$kernel" ] || { result fail module "cannot read $kernel"; finish; }

# A copy of its own (not build/<kver>/): never pulls the module from under
# someone else's guest run.
mod=$TOP/build/bochs/mod-$kver
t0=$(date +%s)
if [ -n "$module" ]; then
	ko=$module
	result ok "module"
	note "stmexec.ko given: $module ($(modinfo -F vermagic "$module" 2>/dev/null | cut -d' ' -f1))"
elif "$TOP/mk/build-module.sh" --out "$mod" "$kdir" >"$logs/check-bochs-module.log" 2>&1 &&
	[ -f "$mod/kmod/stmexec.ko" ]; then
	ko=$mod/kmod/stmexec.ko
	result ok "module"
	note "stmexec.ko for $kver built in $(($(date +%s) - t0))s (${mod#"$TOP"/}/kmod/stmexec.ko)"
else
	tail -n 20 "$logs/check-bochs-module.log" | sed 's/^/# /' | tee -a "$ktap"
	result fail module "build failed: build/logs/check-bochs-module.log"
	finish
fi

# ---- 3. initramfs + ISO --------------------------------------------------------------
work=$(mktemp -d "$TOP/build/bochs/run.XXXXXX")
bpid='' bochs=''
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	if [ -n "$bochs" ]; then kill -9 "$bochs" 2>/dev/null; fi
	if [ -n "$bpid" ]; then kill "$bpid" 2>/dev/null; fi
	if [ "$keep" = 1 ]; then
		echo "# check-bochs: kept ${work#"$TOP"/}" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The debug info makes the module ten times larger: 1 s per MB of initramfs
# at boot under Bochs.
strip -g -o "$work/stmexec.ko" "$ko"
mkdir "$work/tests"
printf '%s\n' "# generated by mk/bochs/check-bochs.sh" \
	"CYCLES=$cycles STMEXEC_KO=/lib/stmexec/stmexec.ko sh /bochs/guest.sh" >"$work/cmd.sh"
# Kernel command line: panic=0 (halt): a reboot would boot the CD again.
# idle=halt: see --idle.
append="console=ttyS0,115200 quiet loglevel=4 printk.time=1 panic=0"
[ "$idle" = default ] || append="$append idle=halt"
append="$append${append_extra:+ $append_extra}${append_user:+ $append_user}"
if "$TOP/selftests/qemu/mkinitramfs.sh" -o "$work/initrd.gz" --kver "$kver" \
	--module "$work/stmexec.ko" --tests "$work/tests" --kmod kvm_intel \
	--file "$guest:/bochs/guest.sh" --cmd-file "$work/cmd.sh" >"$work/mkinitramfs.log" 2>&1 &&
	"$here/mkiso.sh" -o "$work/boot.iso" --kernel "$kernel" --initrd "$work/initrd.gz" \
		--append "$append" >"$work/mkiso.log" 2>&1; then
	result ok "iso"
	note "boot.iso $(($(stat -c %s "$work/boot.iso") / 1024)) KiB (kernel $(($(stat -c %s "$kernel") / 1024)) KiB, initramfs $(($(stat -c %s "$work/initrd.gz") / 1024)) KiB); append: $append"
else
	cat "$work/mkinitramfs.log" "$work/mkiso.log" 2>/dev/null | tail -n 20 | sed 's/^/# /' | tee -a "$ktap"
	result fail iso "building the initramfs or the ISO failed"
	finish
fi

# ---- 4. Bochs -------------------------------------------------------------------------
sed -e "s|@MEGS@|512|" -e "s|@IPS@|$ips|" -e "s|@MSRS@|$here/msrs.def|" \
	-e "s|@ISO@|$work/boot.iso|" -e "s|@SERIAL@|$serial|" -e "s|@LOG@|$blog|" \
	"$here/bochsrc.in" >"$work/bochsrc"
# Debian's bochs-bin has the debugger built in and stops before the first
# instruction: "c" continues.
echo c >"$work/cont"
: >"$serial"
: >"$blog"

# One Bochs at a time on this machine (shared, 2 cores).
exec 9>"$TOP/build/bochs/.lock"
if ! flock -n 9; then
	note "another check-bochs is running; waiting for it"
	flock 9
fi

note "booting $kver under Bochs (2 CPUs, ips=$ips, timeout ${timeout}s); console: ${serial#"$TOP"/}"
tb0=$(date +%s)
# timeout(1) is only the backstop: it would stop `script`, not bochs-bin
# (which ignores SIGTERM); the loop below enforces --timeout itself.
TERM=xterm timeout -k 10 $((timeout + 60)) script -qec \
	"bochs-bin -q -f $work/bochsrc -rc $work/cont" /dev/null \
	</dev/null >"$work/term.out" 2>&1 &
bpid=$!

# bochs-bin's pid (timeout -> script [-> $SHELL] -> bochs-bin), to stop
# it once the guest is done.
find_bochs() {
	local p=$bpid _ pid comm
	for _ in 1 2 3; do
		read -r pid comm < <(ps -o pid=,comm= --ppid "$p" 2>/dev/null | head -n 1)
		[ -n "${pid:-}" ] || return
		if [ "$comm" = bochs-bin ]; then
			bochs=$pid
			return
		fi
		p=$pid
	done
}

# bochs-bin ignores SIGTERM: SIGKILL after a grace period.
stop_bochs() {
	[ -n "$bochs" ] || find_bochs
	if [ -n "$bochs" ]; then
		kill "$bochs" 2>/dev/null
		sleep 3
		kill -9 "$bochs" 2>/dev/null
	fi
	kill "$bpid" 2>/dev/null
}

t_up='' t_done='' t_panic='' why_stop='' shown=0
clean_serial() { tr -d '\r' <"$serial"; }
while kill -0 "$bpid" 2>/dev/null; do
	now=$(date +%s)
	[ -n "$bochs" ] || find_bochs
	# Stream the sentinel lines as they come.
	mapfile -t new < <(clean_serial | sed -n "$((shown + 1)),\$p")
	if [ ${#new[@]} -gt 0 ]; then
		# the last line may be incomplete: keep it for the next round
		last=$((${#new[@]} - 1))
		for ((i = 0; i < last; i++)); do
			case ${new[$i]} in
			STMEXEC-BOCHS:* | init:* | *'Kernel panic'* | *'BUG:'* | *Oops*)
				note "$((now - tb0))s: ${new[$i]}" ;;
			esac
			case ${new[$i]} in
			'init: stmexec test guest up'*) t_up=${t_up:-$now} ;;
			'STMEXEC-BOCHS: done '*) t_done=${t_done:-$now} ;;
			*'Kernel panic - not syncing'*) t_panic=${t_panic:-$now} ;;
			esac
		done
		shown=$((shown + last))
	fi
	# The guest powers off by itself after "done"; give it a minute.
	if [ -n "$t_done" ] && [ $((now - t_done)) -gt 60 ]; then
		why_stop="no power-off within 60s of 'done'"
		stop_bochs
		break
	fi
	if [ -n "$t_panic" ] && [ $((now - t_panic)) -gt 5 ]; then
		why_stop="kernel panic"
		stop_bochs
		break
	fi
	if [ $((now - tb0)) -ge "$timeout" ]; then
		why_stop="timeout after ${timeout}s"
		stop_bochs
		break
	fi
	sleep 2
done
wait "$bpid" 2>/dev/null
brc=$?
# Never leave a Bochs behind (e.g. its parent was stopped by the backstop).
if [ -n "$bochs" ] && kill -0 "$bochs" 2>/dev/null; then
	kill -9 "$bochs" 2>/dev/null
fi
bpid='' bochs=''
tb1=$(date +%s)
clean_serial >"$serial.tmp" && mv "$serial.tmp" "$serial"
# the last line(s), if the loop did not see them
t_done=${t_done:-$(grep -q '^STMEXEC-BOCHS: done ' "$serial" && echo "$tb1")}
t_up=${t_up:-$(grep -q '^init: stmexec test guest up' "$serial" && echo "$tb1")}
[ "$brc" != 124 ] || why_stop=${why_stop:-"timeout after $((timeout + 60))s"}

p_up=never p_tests=unfinished p_off=-
[ -z "$t_up" ] || p_up=$((t_up - tb0))s
[ -z "$t_done" ] || p_tests=$((t_done - ${t_up:-$tb0}))s p_off=$((tb1 - t_done))s
phases="Bochs $((tb1 - tb0))s: BIOS + kernel boot to the guest's /init $p_up, tests $p_tests, power-off $p_off"
gtime=$(sed -n 's/^STMEXEC-BOCHS: guest time: //p' "$serial" | tail -n 1)
note "check-bochs: $phases; guest clock: ${gtime:-?}"

if grep -q '^init: stmexec test guest up' "$serial"; then
	result ok "guest-boot"
else
	result fail guest-boot "the guest never reached /init (${why_stop:-Bochs exited $brc}); last console lines:"
	tail -n 15 "$serial" | sed 's/^/#   /' | tee -a "$ktap"
	grep '>>PANIC<<' "$blog" | sort | uniq -c | sort -rn | head -n 5 | sed 's/^/#   bochs: /' | tee -a "$ktap"
fi

# ---- 5. the guest's verdicts ---------------------------------------------------------------
for s in "${gsteps[@]}"; do
	line=$(grep -E "^STMEXEC-BOCHS: $s (ok|FAIL|SKIP)( |$)" "$serial" | tail -n 1)
	rest=${line#"STMEXEC-BOCHS: $s "}
	case $line in
	'') result fail "$s" "no verdict line from the guest${why_stop:+ ($why_stop)}" ;;
	*" $s ok"*)
		[ "$rest" = ok ] || note "$s: ${rest#ok }"
		result ok "$s" ;;
	*" $s SKIP"*) result skip "$s" "${rest#SKIP }" ;;
	*)
		result fail "$s" "${rest#FAIL }"
		grep -E "^# $s: " "$serial" | head -n 25 | tee -a "$ktap"
		;;
	esac
done

# ---- 6. Bochs' own log ------------------------------------------------------------------------
# Every hardware VMCALL in VMX root makes Bochs 2.7 log, for that CPU:
#   00123456789p[CPU1  ] >>PANIC<< VMCALL: not implemented yet
exp=$(sed -n 's/^STMEXEC-BOCHS: hw-vmcalls expected //p' "$serial" | tail -n 1)
got0=$(grep -cE '\[CPU0 *\] >>PANIC<< VMCALL: not implemented yet' "$blog")
got1=$(grep -cE '\[CPU1 *\] >>PANIC<< VMCALL: not implemented yet' "$blog")
if [ -z "$exp" ]; then
	result fail bochs-vmcalls "the guest did not report its expected count; Bochs saw cpu0=$got0 cpu1=$got1"
elif [ "$exp" = "cpu0=$got0 cpu1=$got1" ] && [ "$got0" -gt 0 ] && [ "$got1" -gt 0 ]; then
	note "bochs-vmcalls: real VMCALLs in VMX root: cpu0=$got0 cpu1=$got1, as the guest caused"
	result ok bochs-vmcalls
else
	result fail bochs-vmcalls "Bochs logged cpu0=$got0 cpu1=$got1 VMCALLs in VMX root, the guest expected $exp"
fi

# "ACPI control: soft power off" is the guest's clean power-off.
other=$(grep '>>PANIC<<' "$blog" | grep -v -e 'VMCALL: not implemented yet' -e 'ACPI control: soft power off')
if [ -z "$other" ]; then
	result ok bochs-no-other-panic
else
	printf '%s\n' "$other" | sed 's/^[0-9]*p//' | sort | uniq -c | sort -rn | head -n 10 |
		sed 's/^/#   /' | tee -a "$ktap"
	result fail bochs-no-other-panic "$(printf '%s\n' "$other" | wc -l) other >>PANIC<< line(s) in Bochs' log"
fi

# Kernel lines on the console (an Oops or panic reaches it whatever the
# console loglevel) and the guest's own dump of the kernel log ("# kernel:
# ..."), from the first step to "done" (init's dump after it holds the boot).
trouble='BUG:|WARNING:|Oops|general protection|kernel BUG|Kernel panic|Call Trace|KASAN:|UBSAN:|KFENCE:|possible (circular|recursive) locking|inconsistent lock state|suspicious RCU usage|soft lockup|rcu.*stall'
bad=$(sed -n '/^STMEXEC-BOCHS: start/,/^STMEXEC-BOCHS: done /p' "$serial" | grep -E "^(# kernel: )?\[ *[0-9]+\.[0-9]+\].*($trouble)" | sort -u)
if [ -z "$bad" ]; then
	result ok console-clean
else
	printf '%s\n' "$bad" | head -n 20 | sed 's/^/#   /' | tee -a "$ktap"
	result fail console-clean "$(printf '%s\n' "$bad" | wc -l) kernel trouble line(s) during the tests"
fi

finish
