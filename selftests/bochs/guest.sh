#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The in-guest half of `make check-bochs` (mk/bochs/check-bochs.sh): the
# vmx backend's lifecycle with REAL VMX instructions, on a Bochs CPU (VMX,
# no dual-monitor treatment, VMCALL in VMX root answered by nothing).
# Installed as /bochs/guest.sh and run by the harness's /init (via /cmd.sh,
# selftests/qemu/init.sh). busybox sh only.
#
# Every step prints exactly one verdict line on the console:
#
#     STMEXEC-BOCHS: <step> ok [detail]
#     STMEXEC-BOCHS: <step> FAIL <what differed>
#     STMEXEC-BOCHS: <step> SKIP <why>
#
# and the run ends with "STMEXEC-BOCHS: done pass=N fail=N skip=N". The host
# turns these lines into KTAP; a step without a line counts as failed. The
# list of steps, in order (the host reads this line, keep it one line):
#
# steps: env refuse-hw load-vmx-sim enable hw-vmcall-no-stm activation-vmcs enable-again rmmod-while-on cpu-offline cpu-online start-order irq-state disable cycles rollback-start rollback-start-all rollback-init no-stm-vmcall compat kvm-intel unload dmesg-clean
#
# Environment (set by the host in /cmd.sh): CYCLES (default 5),
# STMEXEC_KO (default /lib/stmexec/stmexec.ko).
#
# Not `set -e`: a failing step must not stop the others; every step leaves
# the module off (or unloaded) for the next one whatever happened.

S=STMEXEC-BOCHS
KO=${STMEXEC_KO:-/lib/stmexec/stmexec.ko}
CYCLES=${CYCLES:-5}
D=/sys/class/misc/stmexec
G=/sys/kernel/debug/stmexec
C=/sys/devices/system/cpu
npass=0 nfail=0 nskip=0
step='' why=''
# Hardware VMCALLs the steps cause per CPU: one per enter of a CPU into VMX
# root (admin guide, vmx_stm=sim). Each makes Bochs log ">>PANIC<< VMCALL:
# not implemented yet" for that CPU; the host compares the counts.
hw0=0 hw1=0

hw() { # CPU0 CPU1: enters just caused
	hw0=$((hw0 + $1))
	hw1=$((hw1 + $2))
}

say() { echo "$S: $*"; }

# Each step starts with a mark in the kernel log; klog shows the log since.
begin() {
	step=$1
	why=''
	echo "STMEXEC-BOCHS-MARK $step" >/dev/kmsg
}

klog() { # [STEP]: the kernel log since STEP's mark (default: this step's)
	dmesg | awk -v m="STMEXEC-BOCHS-MARK ${1:-$step}" \
		'index($0, m) && substr($0, length($0) - length(m) + 1) == m { p = 1 } p'
}

# expect NAME ACTUAL WANTED
expect() {
	[ "$2" = "$3" ] || why="$why; $1='$2' (want '$3')"
}

# expect_match NAME TEXT SUBSTRING
expect_match() {
	case $2 in
	*"$3"*) ;;
	*) why="$why; $1 lacks '$3' (got '$2')" ;;
	esac
}

fail_because() {
	why="$why; $*"
}

end() { # [detail on success]
	if [ -z "$why" ]; then
		npass=$((npass + 1))
		say "$step ok${1:+ $1}"
	else
		nfail=$((nfail + 1))
		say "$step FAIL ${why#; }"
		echo "# $step: last_error: $(cat $D/last_error 2>/dev/null || echo '(module not loaded)')"
		klog | tail -n 20 | sed "s/^/# $step: kernel: /"
	fi
}

skip() { # step why
	nskip=$((nskip + 1))
	say "$1 SKIP $2"
}

# wr VALUE FILE: write, leave the shell's error text in $werr ('' = success)
wr() {
	werr=$( { echo "$1" >"$2"; } 2>&1)
	werr=${werr#sh: write error: }
}

rd() {
	cat "$1" 2>/dev/null || echo '(unreadable)'
}

# calls CPU COLUMN: the per-CPU VMCALL counter from debugfs "calls"
calls() {
	awk -v cpu="$1" -v col="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
		$1 == cpu { print (c ? $c : "?"); found = 1 }
		END { if (!found) print "?" }' $G/calls 2>/dev/null
}

cpu_state() { # CPU: the simulated STM's view (off, joined, active)
	awk -v cpu="$1" '$1 == cpu { print $2 }' $G/cpu_states 2>/dev/null
}

# The lifecycle invariants when off / on with N CPUs.
expect_off() { # label
	expect "$1 state" "$(rd $D/state)" off
	expect "$1 cpus_active" "$(rd $D/cpus_active)" 0
	expect "$1 enabled" "$(rd $D/enabled)" 0
	expect "$1 cpu_states" "$(cpu_state 0)/$(cpu_state 1)" off/off
}

expect_on() { # label N LIST
	expect "$1 state" "$(rd $D/state)" on
	expect "$1 cpus_active" "$(rd $D/cpus_active)" "$2"
	expect "$1 cpus_active_list" "$(rd $D/cpus_active_list)" "$3"
	expect "$1 enabled" "$(rd $D/enabled)" 1
}

loaded() {
	[ -d /sys/module/stmexec ]
}

# Last resort between steps: leave the module off whatever the step did.
settle() {
	loaded || return 0
	[ -e $G/fail_start_cpu ] && echo -1 >$G/fail_start_cpu
	[ -e $G/fail_init ] && echo 0 >$G/fail_init
	[ -e $G/hw_vmcall_required ] && echo N >$G/hw_vmcall_required
	echo 1 >$C/cpu1/online 2>/dev/null
	[ "$(rd $D/state)" = off ] || echo 0 >$D/enabled 2>/dev/null
}

# Kernel messages off the console while the tests print: the serial line
# interleaves them with our lines at any character, which could cut a
# verdict line in two. The kernel log is judged and printed at the end; an
# Oops or panic still reaches the console (console_verbose()).
echo 1 >/proc/sys/kernel/printk
T0=$(cut -d' ' -f1 /proc/uptime)
say "start: $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs, ${T0}s after kernel start, CYCLES=$CYCLES"

# ---- env: what Bochs gives us ----------------------------------------------
begin env
expect "online CPUs" "$(cat $C/online)" 0-1
expect "CPUs with the vmx flag" "$(grep "^flags" /proc/cpuinfo | grep -cw vmx)" 2
[ -d /sys/kernel/debug/stmexec ] || [ -d /sys/kernel/debug ] ||
	fail_because "no debugfs"
[ -e $C/cpu1/online ] || fail_because "cpu1 cannot be offlined (no $C/cpu1/online)"
[ -r "$KO" ] || fail_because "no $KO"
idle="$(cat $C/cpuidle/current_driver 2>/dev/null || echo none)"
end "2 CPUs with VMX; cpuidle driver: $idle; cmdline: $(cat /proc/cmdline)"

# ---- refuse-hw: plain backend=vmx: no dual-monitor treatment -> ENODEV --------
# Documented (admin guide, troubleshooting table): ENODEV at load, one line
# "backend=vmx refused: no dual-monitor treatment of SMM on CPU 0
# (IA32_VMX_BASIC[49] = 0...)". No VMX instruction and no VMCALL is made.
begin refuse-hw
out=$(insmod "$KO" backend=vmx 2>&1)
rc=$?
[ $rc != 0 ] || fail_because "insmod backend=vmx succeeded"
expect_match "insmod error" "$out" "No such device"
msg=$(klog | grep 'backend=vmx refused' | head -n 1)
expect_match "kernel log" "$msg" "no dual-monitor treatment of SMM on CPU 0 (IA32_VMX_BASIC[49] = 0"
if loaded; then
	fail_because "module loaded after the refusal"
	rmmod stmexec 2>/dev/null
fi
# busybox insmod retries a failed finit_module() with init_module(): two
# loads, two probes (each one IPI per CPU); the gap shows how fast the other
# CPU answers.
gap=$(klog | grep 'backend=vmx refused' | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p' |
	awk 'NR == 1 { a = $1 } END { if (NR > 1) printf "%.2fs", $1 - a; else print "-" }')
end "ENODEV (2 loads ${gap} apart): ${msg#*stmexec: }"

# ---- load-vmx-sim: the test mode -------------------------------------------------
begin load-vmx-sim
out=$(insmod "$KO" backend=vmx vmx_stm=sim 2>&1)
rc=$?
expect "insmod rc" "$rc" 0
[ -z "$out" ] || fail_because "insmod said: $out"
if loaded; then
	expect backend "$(rd $D/backend)" vmx
	expect tainted_sim "$(rd $D/tainted_sim)" 1
	expect_off "after load"
	caps=$(rd $D/capabilities)
	expect_match capabilities "$caps" "vmx_backend: usable"
	expect_match capabilities "$caps" "dual_monitor=0"
	expect_match capabilities "$caps" "stm: simulated"
	t=$(cat /proc/sys/kernel/tainted)
	# TAINT_TEST (bit 18) on 6.1+, else TAINT_USER (bit 6): compat.h
	[ $((t & (1 << 18 | 1 << 6))) != 0 ] || fail_because "kernel not tainted ($t)"
	expect_match "kernel log" "$(klog)" "vmx_stm=sim: the STM is SIMULATED"
	for f in fail_start_cpu fail_init hw_vmcall_required cpu_states calls compat_violations; do
		[ -e $G/$f ] || fail_because "no debugfs $f"
	done
else
	fail_because "module not loaded"
fi
end "backend=vmx vmx_stm=sim loaded, tainted"

if ! loaded; then
	# Nothing below can run: report every step so that the host sees them.
	for s in enable hw-vmcall-no-stm activation-vmcs enable-again rmmod-while-on cpu-offline \
		cpu-online start-order irq-state disable cycles rollback-start \
		rollback-start-all rollback-init no-stm-vmcall compat unload; do
		nfail=$((nfail + 1))
		say "$s FAIL module not loaded"
	done
else

# ---- enable: VMXON + activation VMCS on both CPUs, the real VMCALL, sim START --
begin enable
wr 1 $D/enabled
hw 1 1
expect "enable error" "$werr" ""
expect_on "after enable" 2 0-1
expect "cpu_states" "$(cpu_state 0)/$(cpu_state 1)" active/active
expect "START calls" "$(calls 0 start)/$(calls 1 start)" 1/1
expect "INITIALIZE_PROTECTION calls" "$(($(calls 0 init) + $(calls 1 init)))" 1
expect launch_mode "$(rd $D/launch_mode)" sim
tm=$(awk '$1 == 0 || $1 == 1 { printf "%s%s:%s", s, $1, $2; s = " " }' $G/timings)
end "state on, cpus_active 2; enter_ns $tm"

# ---- hw-vmcall-no-stm: each CPU's real VMCALL found nothing (logged once) ------
# backend_vmx.c, sx_vmx_hw_vmcall(): "CPU N: hardware VMCALL: nothing
# answered (RFLAGS sentinel untouched) (EAX 0x00010001 CF 1 ZF 1 PF 1, error
# 0): no STM, as vmx_stm=sim expects". The host checks Bochs' own log for
# the matching ">>PANIC<< VMCALL: not implemented yet" on both CPUs.
begin hw-vmcall-no-stm
for cpu in 0 1; do
	l=$(klog enable | grep "CPU $cpu: hardware VMCALL:" | head -n 1)
	expect_match "CPU $cpu" "$l" "nothing answered (RFLAGS sentinel untouched)"
	expect_match "CPU $cpu" "$l" "CF 1 ZF 1 PF 1"
	expect_match "CPU $cpu" "$l" "no STM, as vmx_stm=sim expects"
done
end "CF=ZF=PF=1 survived VMCALL on CPU 0 and 1"

# ---- activation-vmcs: VMCS link pointer ~0 in the activation VMCS (F15) -------
# backend_vmx.c reads the activation VMCS back with VMREAD before the
# hardware VMCALL: "CPU N: activation VMCS: link pointer 0x..., VM-exit
# controls 0x...". The STMs copy that VMCS as their SMI VMCS template; a
# link pointer other than ~0 means a shadow VMCS (SDM Vol. 3C, "Checks on
# Guest Non-Register State"). Without the VMWRITE it reads back 0.
begin activation-vmcs
for cpu in 0 1; do
	l=$(klog enable | grep "CPU $cpu: activation VMCS:" | head -n 1)
	expect_match "CPU $cpu" "$l" "link pointer 0xffffffffffffffff,"
done
end "link pointer ~0 on CPU 0 and 1"

# ---- enable-again: EALREADY, nothing changes -------------------------------------
begin enable-again
wr 1 $D/enabled
expect "write error" "$werr" "Operation already in progress"
expect_match last_error "$(rd $D/last_error)" "-EALREADY"
expect_on "after second enable" 2 0-1
end "EALREADY"

# ---- rmmod-while-on: the module pins itself -----------------------------------
begin rmmod-while-on
out=$(rmmod stmexec 2>&1)
rc=$?
[ $rc != 0 ] || fail_because "rmmod succeeded while on"
loaded || fail_because "module gone"
if loaded; then
	expect_on "after rmmod attempt" 2 0-1
fi
end "refused: ${out#rmmod: }"

if [ "$(rd $D/state)" = on ]; then
	# ---- cpu-offline: refused while on (a second activation otherwise) ----------
	begin cpu-offline
	stop1=$(calls 1 stop)
	stop0=$(calls 0 stop)
	wr 0 $C/cpu1/online
	expect "offline error" "$werr" "Device or resource busy"
	expect "cpu1/online" "$(cat $C/cpu1/online)" 1
	expect_on "after the refused offline" 2 0-1
	expect_match last_error "$(rd $D/last_error)" "cannot go offline"
	expect "STOP calls" "$(calls 0 stop)/$(calls 1 stop)" "$stop0/$stop1"
	expect "cpu_states" "$(cpu_state 0)/$(cpu_state 1)" active/active
	end "EBUSY, still on 0-1"

	# ---- cpu-online: enable refused while CPU 1 is offline -----------------------
	# Off, CPU 1 offline: enable fails with EHOSTDOWN naming CPU 1 before any
	# CPU enters VMX (no hardware VMCALL); CPU 1 online again: enable works.
	begin cpu-online
	wr 0 $D/enabled
	expect "disable" "$werr" ""
	wr 0 $C/cpu1/online
	expect "offline while off" "$werr" ""
	wr 1 $D/enabled
	expect "enable error" "$werr" "Host is down"
	expect_match last_error "$(rd $D/last_error)" "CPU(s) 1 present but offline"
	expect "state" "$(rd $D/state)" off
	wr 1 $C/cpu1/online
	expect "online while off" "$werr" ""
	wr 1 $D/enabled
	hw 1 1
	expect "enable error" "$werr" ""
	expect_on "after online" 2 0-1
	end "EHOSTDOWN with CPU 1 offline, then on 0-1"

	# ---- start-order: the enabling CPU's START last, from either CPU -----------
	# The simulated STM models coreboot's START rendezvous (sim_profile=strict,
	# the default): a local START before the other CPU was asked would be a
	# compat violation (START_RENDEZVOUS).
	begin start-order
	if command -v taskset >/dev/null 2>&1; then
		for cpu in 0 1; do
			wr 0 $D/enabled
			expect "disable" "$werr" ""
			werr=$(taskset -c $cpu sh -c "echo 1 >$D/enabled" 2>&1)
			hw 1 1
			expect "enable from CPU $cpu" "${werr#sh: write error: }" ""
			expect_on "enabled from CPU $cpu" 2 0-1
			expect "compat after enabling from CPU $cpu" \
				"$(head -n 1 $G/compat_violations)" 0
		done
		end "enabled from CPU 0 and CPU 1, 0 violations"
	else
		skip start-order "no taskset in the guest"
	fi

	# ---- irq-state: every VMCALL with interrupts off -----------------------------
	# J and E return from an activation with RFLAGS 0x2; the simulated STM
	# counts an activating VMCALL made with IF set (IF_RELIED) and logs it.
	begin irq-state
	expect compat_violations "$(head -n 1 $G/compat_violations)" 0
	n=$(dmesg | grep -c 'stmexec: sim: compat violation')
	expect "compat violation lines in the kernel log" "$n" 0
	win=$(awk '$1 == "last_ns" { print $2 }' $G/smi_window 2>/dev/null)
	if [ -z "$win" ] || [ "$win" -le 0 ]; then
		fail_because "smi_window last_ns '$win'"
	fi
	end "0 violations; SMI-blocked window ${win} ns"

	# ---- disable: STOP everywhere, VMXOFF everywhere ----------------------------
	begin disable
	stop1=$(calls 1 stop)
	stop0=$(calls 0 stop)
	wr 0 $D/enabled
	expect "disable error" "$werr" ""
	expect_off "after disable"
	expect "STOP calls" "$(calls 0 stop)/$(calls 1 stop)" \
		"$((stop0 + 1))/$((stop1 + 1))"
	end "state off"
else
	for s in cpu-offline cpu-online start-order irq-state disable; do
		nfail=$((nfail + 1))
		say "$s FAIL the monitor is not on (enable failed)"
	done
fi
settle

# ---- cycles: enable/disable N times ------------------------------------------------
# A re-enable after a disable is itself a check of the hardware state:
# sx_vmx_enter() refuses with EBUSY if CR4.VMXE was left set on a CPU.
begin cycles
i=0
while [ $i -lt "$CYCLES" ]; do
	wr 1 $D/enabled
	hw 1 1
	[ -z "$werr" ] || { fail_because "cycle $i: enable: $werr"; break; }
	expect_on "cycle $i" 2 0-1
	wr 0 $D/enabled
	[ -z "$werr" ] || { fail_because "cycle $i: disable: $werr"; break; }
	expect_off "cycle $i"
	[ -z "$why" ] || break
	i=$((i + 1))
done
end "$i enable/disable cycles"
settle

# ---- rollback-start: START fails on CPU 1 -> STOP on 0, VMXOFF on both ---------
# fail_status defaults to ERROR_STM_UNSPECIFIED -> EIO (troubleshooting table).
rollback_start() { # STEP CPU
	begin "$1"
	echo "$2" >$G/fail_start_cpu
	wr 1 $D/enabled
	hw 1 1
	expect "enable error" "$werr" "Input/output error"
	le=$(rd $D/last_error)
	expect_match last_error "$le" "-EIO"
	expect_match last_error "$le" "every CPU rolled back"
	expect_off "after the failed enable"
	echo -1 >$G/fail_start_cpu
	wr 1 $D/enabled
	hw 1 1
	expect "enable after the rollback" "$werr" ""
	expect_on "enable after the rollback" 2 0-1
	wr 0 $D/enabled
	expect "disable" "$werr" ""
	end "EIO, rolled back, re-enabled: ${le#-EIO: }"
	settle
}
rollback_start rollback-start 1
rollback_start rollback-start-all -2

# ---- rollback-init: INITIALIZE_PROTECTION fails -> VMXOFF on both -------------
begin rollback-init
echo 0x8001ffff >$G/fail_init
wr 1 $D/enabled
hw 1 1
expect "enable error" "$werr" "Input/output error"
le=$(rd $D/last_error)
expect_match last_error "$le" "INITIALIZE_PROTECTION"
expect_off "after the failed enable"
echo 0 >$G/fail_init
wr 1 $D/enabled
hw 1 1
expect "enable after the rollback" "$werr" ""
expect_on "enable after the rollback" 2 0-1
wr 0 $D/enabled
end "EIO, rolled back, re-enabled: ${le#-EIO: }"
settle

# ---- no-stm-vmcall: the real VMCALL's "nothing answered" is an error ---------
# debugfs hw_vmcall_required=Y: the hardware VMCALL that nothing answers
# fails the CPU's enter with ENODEV ("no STM", troubleshooting table), and
# the hotplug core rolls back every CPU already entered.
begin no-stm-vmcall
echo Y >$G/hw_vmcall_required
wr 1 $D/enabled
hw 1 0	# CPU 0 fails first: the hotplug core does not try CPU 1
expect "enable error" "$werr" "No such device"
le=$(rd $D/last_error)
expect_match last_error "$le" "-ENODEV"
expect_match last_error "$le" "VMCALL: nothing answered (RFLAGS sentinel untouched): no STM"
expect_match last_error "$le" "every CPU rolled back"
expect_off "after the refused enable"
echo N >$G/hw_vmcall_required
wr 1 $D/enabled
hw 1 1
expect "enable after the rollback" "$werr" ""
expect_on "enable after the rollback" 2 0-1
wr 0 $D/enabled
end "ENODEV: ${le#-ENODEV: }"
settle

# ---- compat: the simulated STM saw a reference-compatible executive monitor ---
begin compat
expect compat_violations "$(head -n 1 $G/compat_violations)" 0
end "0 violations"

# ---- kvm-intel: enable refuses while kvm_intel is loaded ----------------------
# kvm_intel owns the kernel's one emergency-virtualization callback (6.1: at
# load; 6.12: when it enables VMX, at load by default) and its VMXOFF would
# #GP on a CPU under the STM (kmod-review F1): backend=vmx refuses to enable
# with EBUSY and a hint; after 'modprobe -r kvm_intel' enable works. Needs
# kvm-intel.ko in the initramfs (check-bochs.sh: --kmod kvm_intel); when
# kvm_intel itself does not load on this emulated CPU the step skips with
# kvm's own reason.
begin kvm-intel
kvmko=$(find /lib/modules/"$(uname -r)" -name 'kvm-intel.ko*' 2>/dev/null | head -n 1)
settle
if [ -z "$kvmko" ]; then
	skip kvm-intel "no kvm-intel.ko in the initramfs (check-bochs.sh --kmod kvm_intel)"
elif ! out=$(modprobe kvm_intel 2>&1); then
	skip kvm-intel "kvm_intel does not load on this emulated CPU: ${out:-modprobe failed}; kernel: $(klog | grep -i kvm | tail -n 2 | tr '\n' ' ')"
else
	wr 1 $D/enabled
	expect "enable with kvm_intel loaded" "$werr" "Device or resource busy"
	expect_match last_error "$(rd $D/last_error)" "-EBUSY"
	expect_match last_error "$(rd $D/last_error)" "kvm_intel"
	expect_match last_error "$(rd $D/last_error)" "modprobe -r kvm_intel"
	expect_off "after the refused enable"
	out=$(modprobe -r kvm_intel 2>&1) || fail_because "modprobe -r kvm_intel: $out"
	[ -d /sys/module/kvm_intel ] && fail_because "kvm_intel still loaded"
	wr 1 $D/enabled
	hw 1 1
	expect "enable after kvm_intel was removed" "$werr" ""
	expect_on "after kvm_intel was removed" 2 0-1
	wr 0 $D/enabled
	expect_off "after disable"
	end "EBUSY while kvm_intel is loaded; enable after modprobe -r kvm_intel"
fi
settle

# ---- unload ----------------------------------------------------------------------
begin unload
expect_off "before rmmod"
out=$(rmmod stmexec 2>&1)
expect "rmmod" "$?:$out" "0:"
loaded && fail_because "module still loaded"
expect_match "kernel log" "$(klog)" "stmexec: unloaded"
end "rmmod ok"

fi # loaded

# ---- dmesg-clean: no kernel trouble during all of the above --------------------
# From the first step on (what the boot of this kernel on Bochs prints before
# is reported as a note, not judged).
begin dmesg-clean
trouble='BUG:|WARNING:|Oops|general protection|kernel BUG|Call Trace|KASAN:|UBSAN:|KFENCE:|possible (circular|recursive) locking|inconsistent lock state|suspicious RCU usage|unchecked MSR access|soft lockup|rcu.*stall'
dmesg | awk '/STMEXEC-BOCHS-MARK env$/ { exit } { print }' | grep -E "$trouble" |
	sed 's/^/# note: boot, before the tests: /'
bad=$(klog env | grep -E "$trouble")
if [ -n "$bad" ]; then
	fail_because "$(printf '%s\n' "$bad" | wc -l) trouble line(s): $(printf '%s\n' "$bad" | head -n 1)"
fi
end "no Oops/BUG/WARNING/Call Trace"

T1=$(cut -d' ' -f1 /proc/uptime)
say "guest time: boot ${T0}s, tests $(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.1f", b - a }')s"
# The kernel log of the tests (not of the boot) goes to the console for the
# record; init's full dump afterwards is cut short: at 115200 baud it costs
# emulated seconds, and the log has been judged above.
klog env | grep -v STMEXEC-BOCHS-MARK | sed 's/^/# kernel: /'
dmesg -c >/dev/null
say "hw-vmcalls expected cpu0=$hw0 cpu1=$hw1"
say "done pass=$npass fail=$nfail skip=$nskip"
# Bochs drops the last console lines when the machine powers off at once.
sleep 1
[ "$nfail" = 0 ]
