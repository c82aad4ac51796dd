#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The in-guest half of `make check-stm` (mk/stmfw/check-stm.sh): the
# module's real vmx path (backend=vmx, no vmx_stm=sim) against the STM the
# stmfw test firmware loaded (Intel's by default), on a Bochs with the
# dual-monitor treatment; the firmware's SMI commands touch what the module
# protected. busybox sh only. Installed as /stm/guest.sh, run by /init.
#
# Each step prints one verdict line:  STMEXEC-STM: <step> ok|FAIL|SKIP [...]
# and the run ends with "STMEXEC-STM: done pass=N fail=N skip=N".
# steps: env fw-smi-cpu0 fw-smi-cpu1 fw-commands load check enable bios log-start smi-under-stm io-smi protect touch-page touch-io touch-msr log-records smi-all unprotect touch-again protect-bios-claimed report disable enable-again vmxoff-error23 rmmod
#
# Without the dual-monitor treatment (Debian's Bochs: check-stm.sh
# --default-treatment, which sets EXPECT_STM=0 in /cmd.sh) the firmware
# steps run, "load" checks that backend=vmx refuses, and the STM steps SKIP.

S=STMEXEC-STM
KO=${STMEXEC_KO:-/lib/stmexec/stmexec.ko}
SMI=/stm/stmfw-smi
D=/sys/class/misc/stmexec
RES=0x10000000
PAGE=0x10004000		# reserved page, not claimed by the firmware: protected
PORT=0x80		# POST-code port: protected
MSR=0x174		# IA32_SYSENTER_CS: protected (read by the SMI handler)
npass=0 nfail=0 nskip=0 step='' why='' stm=1 stm_why=''
NCPUS=${EXPECT_CPUS:-2}	# check-stm.sh --cpus

say() { echo "$S: $*"; }
begin() { step=$1; why=''; echo "$S-MARK $step" >/dev/kmsg; }
fail_because() { why="$why; $*"; }
expect() { [ "$2" = "$3" ] || why="$why; $1='$2' (want '$3')"; }
expect_match() { case $2 in *"$3"*) ;; *) why="$why; $1 lacks '$3' (got '$(echo "$2" | tr '\n' ' ' | cut -c1-200)')" ;; esac; }
klog() { dmesg | awk -v m="$S-MARK $step" 'index($0, m) { p = 1 } p'; }
end() {
	if [ -z "$why" ]; then
		npass=$((npass + 1)); say "$step ok${1:+ $1}"
	else
		nfail=$((nfail + 1)); say "$step FAIL ${why#; }"
		klog | tail -n 15 | sed "s/^/# $step: kernel: /"
	fi
}
skip() { nskip=$((nskip + 1)); say "$1 SKIP $2"; }
# stm_step NAME: run only when the STM is there
stm_step() {
	if [ "$stm" = 1 ]; then begin "$1"; return 0; fi
	skip "$1" "$stm_why"
	return 1
}
rd() { cat "$1" 2>/dev/null || echo '(unreadable)'; }
spe() { $SMI info | sed -n 's/.*spe_count=\([0-9]*\).*/\1/p'; }

say "start $(uname -r)"

begin env
# shellcheck disable=SC2016 # a literal $
expect_match cmdline "$(cat /proc/cmdline)" 'memmap=4M$0x10000000'
expect_match iomem "$(cat /proc/iomem)" '10000000-103fffff : Reserved'
out=$($SMI info 2>&1)
expect_match "stmfw-smi info" "$out" 'init_status=0x600d'
expect_match "stmfw-smi info" "$out" 'cpu1 smbase=0xa2000'
expect_match "stmfw-smi info" "$out" "ncpus=$NCPUS "
expect "CPUs online" "$(grep -c '^processor' /proc/cpuinfo)" "$NCPUS"
end "$(echo "$out" | head -n 1)"

begin fw-smi-cpu0
before=$($SMI info | sed -n 's/^cpu0 .*smis=\([0-9]*\).*/\1/p')
out=$($SMI nop 2>&1) || fail_because "stmfw-smi nop: $out"
after=$($SMI info | sed -n 's/^cpu0 .*smis=\([0-9]*\).*/\1/p')
[ "$after" -gt "${before:-0}" ] 2>/dev/null || fail_because "CPU 0 SMIs $before -> $after"
end "port 0xB2: CPU 0 SMIs $before -> $after"

begin fw-smi-cpu1
out=$($SMI --cpu 1 nop 2>&1) || fail_because "stmfw-smi --cpu 1 nop: $out"
end "LAPIC SMI IPI: $($SMI info | grep '^cpu1')"

begin fw-commands
$SMI poke $((RES + 0x3000)) 0 || fail_because "poke"
$SMI write32 $((RES + 0x3000)) 0x5ec0de01 >/dev/null || fail_because "write32"
expect "word after SMI write32" "$($SMI peek $((RES + 0x3000)))" 0x5ec0de01
expect "SMI read32" "$($SMI --cpu 1 read32 $((RES + 0x3000)))" 0x5ec0de01
$SMI outb 0xb3 0x3c >/dev/null || fail_because "outb"
expect "SMI inb 0xb3" "$($SMI inb 0xb3)" 0x3c
expect "SMI rdmsr 0x9b" "$($SMI rdmsr 0x9b)" 0x10200001
end

# EXPECT_STM=1 (the dual-monitor Bochs): the module must load and find the
# STM. EXPECT_STM=0 (--default-treatment): it must refuse to load with
# ENODEV, naming the missing dual-monitor treatment; the STM steps skip.
begin load
if out=$(insmod "$KO" backend=vmx policy=none 2>&1); then
	[ "${EXPECT_STM:-1}" = 1 ] || fail_because "backend=vmx loaded without the dual-monitor treatment"
	end "backend=$(rd $D/backend)"
else
	stm=0 stm_why="the module is not loaded"
	if [ "${EXPECT_STM:-1}" = 1 ]; then
		fail_because "insmod backend=vmx: $out"
	else
		expect_match "insmod" "$out" "No such device"
		expect_match "kernel log" "$(klog)" "no dual-monitor treatment"
		stm_why="no dual-monitor treatment on this CPU (Debian's Bochs): the module refused, as it must"
	fi
	end "refused: ENODEV, no dual-monitor treatment"
fi

if stm_step check; then
	caps=$(rd $D/capabilities)
	expect_match capabilities "$caps" 'dual_monitor=1'
	expect_match "launch_checks" "$(rd $D/launch_checks)" 'valid=1 mseg_base=0x10200000'
	stmexec check 2>&1 | sed 's/^/# check: /'
	end "dual_monitor=1, MSR 0x9B valid, MSEG 0x10200000"
	case $why in '') ;; *) stm=0 stm_why="check failed" ;; esac
fi

# check-stm.sh --madt-cpus M: the firmware's MADT lists M of the N CPUs.
# The STM must refuse the arrivals beyond M with ERROR_STM_OUT_OF_RESOURCES
# (no hang), and enable must fail with ENOSPC and leave every CPU off;
# the STM steps then skip.
MADT_CPUS=${EXPECT_MADT_CPUS:-$NCPUS}
if stm_step enable && [ "$MADT_CPUS" -lt "$NCPUS" ]; then
	out=$(stmexec enable 2>&1) && fail_because "enable succeeded with $NCPUS CPUs, $MADT_CPUS in the MADT"
	expect_match "stmexec enable" "$out" ENOSPC
	expect_match last_error "$(rd $D/last_error)" ERROR_STM_OUT_OF_RESOURCES
	expect state "$(rd $D/state)" off
	expect cpus_active "$(rd $D/cpus_active)" 0
	end "refused: $(echo "$out" | head -n 1); $(rd $D/last_error)"
	stm=0 stm_why="the firmware's MADT lists $MADT_CPUS of $NCPUS CPUs: enable refused, as it must"
elif [ "$stm" = 1 ]; then
	out=$(stmexec enable 2>&1) || fail_because "stmexec enable: $out"
	expect state "$(rd $D/state)" on
	expect cpus_active "$(rd $D/cpus_active)" "$NCPUS"
	end "INITIALIZE_PROTECTION + START on CPUs $(rd $D/cpus_active_list)"
	[ "$(rd $D/state)" = on ] || { stm=0; stm_why="enable failed"; }
fi

if stm_step bios; then
	out=$(stmexec bios 2>&1) || fail_because "stmexec bios: $out"
	expect_match bios "$out" '0xa0000'
	expect_match bios "$out" '0xb2'
	echo "$out" | sed 's/^/# bios: /'
	end
fi

if stm_step log-start; then
	# 8 pages (128 records): smi-all's rounds log 3 x N x 3 per command
	# (each SMI's IA32_EFER read and write are unclaimed-resource records)
	out=$( (stmexec log setup pages=8 && stmexec log start) 2>&1) || fail_because "log setup/start: $out"
	end
fi

# An SMI with the STM on and nothing protected: the SMM VM exit, the STM's
# launch of the firmware's handler as SMM guest (PSD entry state), RSM.
if stm_step smi-under-stm; then
	out=$($SMI nop 2>&1) || fail_because "stmfw-smi nop with the STM on: $out"
	expect "handler mode (1 = STM guest)" "$($SMI info | sed -n 's/^cpu0 .*last_mode=\([0-9]*\).*/\1/p')" 1
	out=$($SMI --cpu 1 nop 2>&1) || fail_because "stmfw-smi --cpu 1 nop with the STM on: $out"
	end
fi

# An I/O SMI (SDM Vol. 3C 32.15.2.3, 32.7.1): stmfw-smi --io runs on CPU 1
# and its own OUT 0xB2 raises CPU 1's SMI (the dual-monitor Bochs sends the
# APMC SMI to the CPU that wrote the port: mk/bochs-dm patch 0008); the STM
# fills the save map's I/O state from that SMM VM exit (reason 5) and the
# handler, SMM guest on CPU 1, reads it back (STMFW_CMD_IO_STATE).
smis_of() { $SMI info | sed -n "s/^cpu$1 .*smis=\([0-9]*\).*/\1/p"; }
if stm_step io-smi; then
	c0=$(smis_of 0) c1=$(smis_of 1) note=''
	out=$($SMI --cpu 1 --io io-state 2>&1) || fail_because "stmfw-smi --cpu 1 --io io-state: $out"
	echo "$out" | sed 's/^/# io-smi: /'
	field() { echo "$out" | sed -n "s/.*$1=\(0x[0-9a-f]*\).*/\1/p"; }
	m=$(field iomisc) rs=$(field iorestart) iorip=$(field io_rip) outrip=$(field out_rip)
	m=${m:-0}
	expect "IOMisc IO_SMI (bit 0)" $((m & 1)) 1
	expect "IOMisc I/O length (bits 3:1, 1 = byte)" $(((m >> 1) & 7)) 1
	expect "IOMisc direction (bit 4, 0 = OUT)" $(((m >> 4) & 1)) 0
	expect "IOMisc port (bits 31:16)" "$(printf 0x%x $(((m >> 16) & 0xffff)))" 0xb2
	expect IORestart "$rs" 0x0
	expect "CPU 1 SMIs" "$(smis_of 1)" $((${c1:-0} + 1))
	expect "CPU 0 SMIs (the OUT ran on CPU 1)" "$(smis_of 0)" "$c0"
	expect "CPU 1 handler mode (1 = STM guest)" \
		"$($SMI info | sed -n 's/^cpu1 .*last_mode=\([0-9]*\).*/\1/p')" 1
	# I/O RIP (SDM 32.15.2.3: it addresses the I/O instruction). Intel's
	# STM writes guest RIP - VM-exit instruction length instead of the
	# I/O RIP field; that length is undefined for SMM VM exits (SDM
	# Vol. 3C 27.2.4 in older SDMs), 0 in Bochs: its I/O RIP is the next
	# instruction.
	if [ "$iorip" = "$outrip" ]; then
		note="I/O RIP = the OUT"
	elif [ "${STM_KIND:-}" = intel ] && [ -n "$outrip" ] &&
		[ "$iorip" = "$(printf 0x%x $((outrip + 2)))" ]; then
		note="I/O RIP = the OUT + 2: differs by design (Intel's STM: guest RIP - VM-exit instruction length)"
	else
		fail_because "I/O RIP $iorip, the OUT is at $outrip"
	fi
	end "CPU 1's OUT 0xB2: IOMisc $m, $note"
fi

if stm_step protect; then
	$SMI poke $PAGE 0
	out=$(stmexec protect mem $PAGE io $PORT msr $MSR 2>&1) || fail_because "protect: $out"
	expect_match ranges "$(stmexec ranges 2>&1)" "$PAGE"
	end
fi

# touch_protected WHAT CPU SMI-ARGS...: the SMI handler on CPU touches a
# protected resource; the STM must refuse it (a protection exception at the
# firmware's SpeRip) and log it: `stmexec log` (which consumes what it
# prints) must show a decoded protection-exception naming WHAT.
LOGS=/tmp/stm-log.txt
: >$LOGS
touch_protected() {
	what=$1
	shift
	stmexec log -n 100 >/dev/null 2>&1	# drain what came before
	s0=$(spe)
	out=$($SMI --cpu "$@" 2>&1) || fail_because "stmfw-smi --cpu $*: $out"
	[ "$(spe)" -gt "$s0" ] 2>/dev/null || fail_because "no protection exception at SpeRip (count $s0 -> $(spe))"
	log=$(stmexec log -n 100 2>&1)
	echo "$log" | tee -a $LOGS | sed "s/^/# $step: log: /"
	rec=$(echo "$log" | grep 'protection-exception' | grep -i "$what")
	[ -n "$rec" ] || fail_because "no protection-exception record naming '$what' in stmexec log"
}
if stm_step touch-page; then
	touch_protected "$PAGE" 0 write32 $PAGE 0xbad0bad0
	expect "protected word after the SMI" "$($SMI peek $PAGE)" 0x0
	end
fi
if stm_step touch-io; then
	touch_protected "$PORT" 1 outb $PORT 0x55
	end "CPU 1 (LAPIC SMI IPI)"
fi
if stm_step touch-msr; then
	touch_protected "$MSR" 0 rdmsr $MSR
	end
fi
if stm_step log-records; then
	n=$(grep -c 'protection-exception' $LOGS)
	[ "$n" -ge 3 ] || fail_because "$n protection-exception records from the three touches (want 3)"
	grep -qi 'gap' $LOGS && fail_because "the log has a gap (records lost)"
	end "$n protection-exception records, decoded"
fi
# Concurrent SMIs (issue 16): every CPU in SMM at the same time. CPU 0's
# handler sends the others an SMI IPI (all but self) and stays in SMM
# until each ran its slot (stmfw-smi all: "together=N-1/N-1"), ROUNDS
# rounds per command. With the page, port and MSR protected, every CPU's
# touch is one protection exception and one log record: ROUNDS * NCPUS
# per command, no gap. Each CPU took one SMI per round, as SMM guest.
ROUNDS=3
slot_field() { $SMI info | sed -n "s/^cpu$1 .* $2=\([0-9]*\).*/\1/p"; }
if stm_step smi-all; then
	i=0
	while [ $i -lt "$NCPUS" ]; do eval "b$i=\$(slot_field $i smis)"; i=$((i + 1)); done
	nrounds=0 summary=''
	for c in nop "write32 $PAGE 0xbad0bad0" "outb $PORT 0x55" "rdmsr $MSR"; do
		# shellcheck disable=SC2086 # the command and its arguments
		set -- $c
		stmexec log -n 100 >/dev/null 2>&1	# drain what came before
		s0=$(spe)
		# shellcheck disable=SC2086
		out=$($SMI all --rounds $ROUNDS $c 2>&1) || fail_because "stmfw-smi all $c: $(echo "$out" | tr '\n' ' ')"
		echo "$out" | sed "s/^/# $step: $1: /"
		nrounds=$((nrounds + ROUNDS))
		want=$((ROUNDS * NCPUS)) what=$2
		[ "$1" = nop ] && want=0 what=protection-exception
		expect "SpeRip calls ($c)" "$(($(spe) - s0))" "$want"
		log=$(stmexec log -n 100 2>&1)
		n=$(echo "$log" | grep 'protection-exception' | grep -ci "$what")
		expect "protection-exception records naming $what ($c)" "$n" "$want"
		if echo "$log" | grep -qi gap; then
			fail_because "the log has a gap after $c: $(echo "$log" | grep -i gap | head -n 2)"
		fi
		[ "$n" = "$want" ] || echo "$log" | head -n 60 | sed "s/^/# $step: log: /"
		summary="$summary $1:$n"
	done
	expect "protected word after the concurrent writes" "$($SMI peek $PAGE)" 0x0
	i=0
	while [ $i -lt "$NCPUS" ]; do
		before=$(eval "echo \$b$i")
		expect "CPU $i SMIs" "$(($(slot_field $i smis) - before))" "$nrounds"
		expect "CPU $i last_mode (1 = STM guest)" "$(slot_field $i last_mode)" 1
		i=$((i + 1))
	done
	expect state "$(rd $D/state)" on
	expect cpus_active "$(rd $D/cpus_active)" "$NCPUS"
	expect cpus_active_list "$(rd $D/cpus_active_list)" "0-$((NCPUS - 1))"
	case $(klog) in
	*stall* | *lockup* | *BUG:* | *Oops*) fail_because "the kernel complained: $(klog | grep -E 'stall|lockup|BUG:|Oops' | head -n 2)" ;;
	esac
	end "$NCPUS CPUs x $nrounds rounds, records per command:$summary"
fi
if stm_step unprotect; then
	out=$(stmexec unprotect mem $PAGE io $PORT msr $MSR 2>&1) || fail_because "unprotect: $out"
	end
fi
if stm_step touch-again; then
	stmexec log -n 100 >/dev/null 2>&1
	s0=$(spe)
	$SMI write32 $PAGE 0x600d600d >/dev/null || fail_because "write32"
	$SMI --cpu 1 outb $PORT 0x55 >/dev/null || fail_because "outb"
	$SMI rdmsr $MSR >/dev/null || fail_because "rdmsr"
	expect "unprotected word" "$($SMI peek $PAGE)" 0x600d600d
	expect "SpeRip count" "$(spe)" "$s0"
	log=$(stmexec log -n 100 2>&1)
	case $log in
	*protection-exception*) fail_because "a protection-exception record after unprotect: $log" ;;
	esac
	end
fi
if stm_step protect-bios-claimed; then
	out=$(stmexec protect io 0xb2 2>&1) && fail_because "protect io 0xb2 (claimed by the firmware) succeeded"
	expect_match "protect io 0xb2" "$out" "in use"
	end "refused: $(echo "$out" | head -n 1)"
fi
if stm_step report; then
	out=$(stmexec report 2>&1) || fail_because "stmexec report: $out"
	echo "$out" | head -n 20 | sed 's/^/# report: /'
	end "$(rd $D/isolation_level)"
fi
if stm_step disable; then
	out=$(stmexec disable 2>&1) || fail_because "disable: $out"
	expect state "$(rd $D/state)" off
	end
fi
if stm_step enable-again; then
	out=$(stmexec enable 2>&1) || fail_because "second enable: $out"
	expect state "$(rd $D/state)" on
	out=$(stmexec disable 2>&1) || fail_because "disable: $out"
	expect "state after disable" "$(rd $D/state)" off
	end
fi

# kmod-review F14/F18: STOP skipped on CPU 1 (debugfs skip_stop_cpu, test
# build only), so that its VMXOFF meets the active STM. The module must
# report the hardware's VMfailValid error 23 naming CPU 1, keep the CPU in
# VMX operation with its VMXON region and VMCS allocated (state failed,
# rmmod refused: only unload frees them), and recover with a second disable
# once STOP is no longer skipped; enable and disable then work again.
DBG=/sys/kernel/debug/stmexec
if stm_step vmxoff-error23; then
	[ -d $DBG ] || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	if [ ! -w $DBG/skip_stop_cpu ]; then
		fail_because "no $DBG/skip_stop_cpu (not the test build?)"
	else
		out=$(stmexec enable 2>&1) || fail_because "enable: $out"
		echo 1 >$DBG/skip_stop_cpu || fail_because "write skip_stop_cpu"
		out=$(stmexec disable 2>&1) &&
			fail_because "disable succeeded with STOP skipped on CPU 1"
		echo "$out" | sed 's/^/# vmxoff-error23: disable: /'
		expect_match "kernel log" "$(klog)" "CPU 1: STOP skipped (debugfs skip_stop_cpu)"
		expect_match "kernel log" "$(klog)" "CPU 1: VMXOFF refused (VMfailValid, error 23: the STM is still active)"
		expect "state after the refused VMXOFF" "$(rd $D/state)" failed
		out=$(rmmod stmexec 2>&1) &&
			fail_because "rmmod succeeded with CPU 1 in VMX operation under the STM"
		[ -d /sys/module/stmexec ] || fail_because "the module is gone"
		case $(klog) in
		*leaked*) fail_because "VMXON/VMCS pages reported leaked" ;;
		esac
		out=$(stmexec enable 2>&1) &&
			fail_because "enable succeeded while the last teardown is incomplete"
		echo -1 >$DBG/skip_stop_cpu || fail_because "clear skip_stop_cpu"
		out=$(stmexec disable 2>&1) || fail_because "retried disable: $out"
		expect "state after the retried disable" "$(rd $D/state)" off
		out=$(stmexec enable 2>&1) || fail_because "enable after the recovery: $out"
		expect "state after the recovery's enable" "$(rd $D/state)" on
		expect cpus_active "$(rd $D/cpus_active)" "$NCPUS"
		out=$(stmexec disable 2>&1) || fail_because "disable after the recovery: $out"
		expect "state after the recovery's disable" "$(rd $D/state)" off
	fi
	end "CPU 1: VMXOFF error 23 reported, pages kept, rmmod refused; recovered by a second disable"
fi

begin rmmod
if [ -d /sys/module/stmexec ]; then
	[ "$(rd $D/state)" = off ] || stmexec disable >/dev/null 2>&1
	out=$(rmmod stmexec 2>&1) || fail_because "rmmod: $out"
	end
else
	skip rmmod "the module is not loaded"
fi

say "done pass=$npass fail=$nfail skip=$nskip"
