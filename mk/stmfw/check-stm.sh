#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-stm`: Intel's prebuilt STM, loaded by the
# stmfw test firmware, driven by the module's REAL vmx path (backend=vmx,
# no vmx_stm=sim) on a Bochs CPU with the dual-monitor treatment of SMIs
# and SMM (mk/bochs-dm/build.sh). Boots a Debian kernel on 2 CPUs (or
# --cpus N) with memmap=4M$0x10000000 and runs selftests/stmfw/guest-stm.sh.
# Documentation/dev-tools/stmexec-stm-e2e.rst.
#
# usage: check-stm.sh [--kver VER] [--stm intel|intel-release|ours|PATH]
#                     [--bochs BIN | --default-treatment] [--cpu-extra TEXT]
#                     [--timeout S] [--ips N] [--module KO] [--keep]
#                     [--cpus N] [--madt-cpus M]
#
#   --kver VER    installed Debian kernel (default: the newest, 6.12)
#   --stm         the STM image the firmware loads (default intel: the
#                 DEBUG build of ../shared/reference-stm, which logs to COM1;
#                 ours or stmexec: the bundled STM, built from stm-image/
#                 first, which logs to COM1 too)
#   --bochs BIN   the Bochs binary (default: mk/bochs-dm/build.sh --path,
#                 only if mk/bochs-dm/build.sh --check says it is built;
#                 otherwise every step SKIPs and the run passes)
#   --default-treatment
#                 Debian's bochs-bin (no dual-monitor treatment): boots the
#                 firmware and Linux and runs the firmware's SMI steps; the
#                 STM steps skip in the guest
#   --cpu-extra TEXT  appended to bochsrc's cpu: line (default:
#                 $STM_BOCHS_CPU, else dual_monitor=1, the patched Bochs'
#                 switch; nothing with --default-treatment)
#   --timeout S   Bochs' wall-time bound (default $STM_TIMEOUT or 900)
#   --module KO   boot with this stmexec.ko (built for that kernel)
#   --cpus N      Bochs' CPU count, 2 to 4 (default $STM_CPUS or 2;
#                 STMFW_MAX_CPUS of stm-fw/stmfw.h): the firmware's MADT,
#                 relocation and PSDs follow, the guest expects N CPUs
#   --madt-cpus M the firmware's MADT lists only M < N CPUs (the STM
#                 counts CPUs there): the guest expects enable to fail
#                 with ENOSPC (ERROR_STM_OUT_OF_RESOURCES for the arrivals
#                 beyond M), every CPU off, the STM steps to skip
#
# Output: KTAP ending in "# Totals:" and "N passed, N failed". Logs:
# build/logs/check-stm-com1.log (COM1: the firmware and the debug STM),
# check-stm-console.log (COM2: the guest's console), check-stm-bochs.log,
# check-stm.ktap. Exit status 0 only if nothing failed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/../.." && pwd)}
export TOP
cd "$TOP" || exit 2

kspec=${STM_KVER:-} stm=${STM:-intel} bochs_bin='' dflt=0 keep=0 module=
timeout=${STM_TIMEOUT:-900} ips=${STM_IPS:-100000000} cpu_extra=${STM_BOCHS_CPU:-}
cpus=${STM_CPUS:-2} madt_cpus=0
while [ $# -gt 0 ]; do
	case $1 in
	--kver) kspec=$2; shift ;;
	--stm) stm=$2; shift ;;
	--bochs) bochs_bin=$2; shift ;;
	--default-treatment) dflt=1 ;;
	--cpu-extra) cpu_extra=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--ips) ips=$2; shift ;;
	--module) module=$2; shift ;;
	--keep) keep=1 ;;
	--cpus) cpus=$2; shift ;;
	--madt-cpus) madt_cpus=$2; shift ;;
	-h | --help) sed -n '3,45{s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) echo "check-stm: unknown argument '$1' (--help)" >&2; exit 2 ;;
	esac
	shift
done
for v in "$timeout" "$ips"; do
	[[ $v =~ ^[0-9]+$ ]] || { echo "check-stm: '$v' is not a number" >&2; exit 2; }
done
[[ $cpus =~ ^[2-4]$ ]] || { echo "check-stm: --cpus '$cpus': 2 to 4 (STMFW_MAX_CPUS, stm-fw/stmfw.h)" >&2; exit 2; }
if ! [[ $madt_cpus =~ ^[0-9]$ ]] || [ "$madt_cpus" -ge "$cpus" ]; then
	echo "check-stm: --madt-cpus '$madt_cpus': 1 to $((cpus - 1)) (fewer than --cpus)" >&2
	exit 2
fi
vargs=()	# verify.py: what the firmware's MADT lists
[ "$madt_cpus" = 0 ] || vargs=(--madt-cpus "$madt_cpus")

guest=$TOP/selftests/stmfw/guest-stm.sh
logs=$TOP/build/logs
fw=$TOP/build/stmfw
mkdir -p "$logs" "$fw" "$TOP/build/bochs"
com1=$logs/check-stm-com1.log
console=$logs/check-stm-console.log
blog=$logs/check-stm-bochs.log
ktap=$logs/check-stm.ktap
: >"$ktap"
t_all=$(date +%s)

# shellcheck source=mk/ktap.sh
. "$TOP/mk/ktap.sh"
read -r -a gsteps <<<"$(sed -n 's/^# steps: //p' "$guest" | head -n 1)"
hsteps=(deps firmware module iso guest-boot "${gsteps[@]}" layout stm-log)
say "KTAP version 1"
say "1..${#hsteps[@]}"
finish() {
	while [ "$n" -lt "${#hsteps[@]}" ]; do
		result fail "${hsteps[$n]}" "not reached: an earlier step failed"
	done
	say "# check-stm: ${kdesc:-no kernel}; ${bdesc:-no Bochs}; $cpus CPUs; $(($(date +%s) - t_all))s wall time${phases:+ ($phases)}"
	say "# check-stm: logs: ${com1#"$TOP"/}, ${console#"$TOP"/}, ${blog#"$TOP"/}"
	say "# Totals: pass:$npass fail:$nfail xfail:0 xpass:0 skip:$nskip error:0"
	python3 "$TOP/mk/summarize.py" --quiet "$ktap"
	[ "$nfail" = 0 ]
	exit
}
skip_all() { # why
	say "# check-stm: SKIP: $1"
	while [ "$n" -lt "${#hsteps[@]}" ]; do
		result skip "${hsteps[$n]}" "$1"
	done
	finish
}

# ---- which Bochs -------------------------------------------------------------
dm=$TOP/mk/bochs-dm/build.sh
if [ "$dflt" = 1 ]; then
	bochs_bin=${bochs_bin:-bochs-bin}
	bdesc="Debian's Bochs (default treatment: the STM steps skip)"
elif [ -z "$bochs_bin" ]; then
	if [ ! -x "$dm" ]; then
		# part of the tree: its absence is a broken checkout, not a skip
		result fail "${hsteps[$n]}" "$dm is missing or not executable: restore it (git checkout mk/bochs-dm)"
		finish
	elif ! "$dm" --check >/dev/null 2>&1; then
		# a build cache this machine does not have yet (15 min): a
		# skip that says how to get it, as for absent hardware
		skip_all "the dual-monitor Bochs is not built ($("$dm" --dir 2>/dev/null)): run mk/bochs-dm/build.sh (about 15 min), then make check-stm"
	fi
	bochs_bin=$("$dm" --path 2>/dev/null | tail -n 1)
	bdesc="dual-monitor Bochs $bochs_bin"
else
	bdesc="Bochs $bochs_bin"
fi
# The patched Bochs' switch (mk/bochs-dm: "cpu: ..., dual_monitor=1").
if [ "$dflt" = 0 ] && [ -z "$cpu_extra" ]; then
	cpu_extra=dual_monitor=1
fi

# ---- 1. deps --------------------------------------------------------------------
missing=()
for t in "$bochs_bin" xorriso script timeout strip python3 gcc; do
	command -v "$t" >/dev/null || missing+=("$t")
done
for f in /usr/share/bochs/BIOS-bochs-latest /usr/share/vgabios/vgabios.bin; do
	[ -r "$f" ] || missing+=("$f")
done
if [ ${#missing[@]} -gt 0 ]; then
	result fail deps "missing: ${missing[*]} (make deps)"
	finish
fi
result ok deps

# ---- 2. firmware + guest tool ---------------------------------------------------------
# STM=ours (or stmexec): the bundled STM, built here (stm-image/image).
# STM_KIND (guest-stm.sh): which STM, for the steps where they differ by design.
case $stm in intel*) stm_kind=intel ;; ours | stmexec) stm_kind=ours ;; *) stm_kind=other ;; esac
case $stm in
ours | stmexec)
	if ! make -s -C "$TOP/stm-image/image" >"$logs/check-stm-image.log" 2>&1; then
		tail -n 15 "$logs/check-stm-image.log" | sed 's/^/# /' | tee -a "$ktap"
		result fail firmware "building the bundled STM failed: ${logs#"$TOP"/}/check-stm-image.log"
		finish
	fi
	stm=$TOP/stm-image/image/stm.bin
	say "# STM: the bundled STM, $(stat -c %s "$stm") bytes"
	;;
esac
if make -s -C "$TOP/stm-fw" STM="$stm" O="$fw" MADT_CPUS="$madt_cpus" >"$logs/check-stm-build.log" 2>&1 &&
	gcc -static -O2 -Wall -Wextra -Werror -o "$fw/stmfw-smi" "$TOP/selftests/stmfw/stmfw-smi.c" \
		>>"$logs/check-stm-build.log" 2>&1; then
	result ok firmware
	say "# stmfw.rom $(stat -c %s "$fw/stmfw.rom") bytes, STM image $(stat -c %s "$fw/stm.bin") bytes (sha256 $(sha256sum "$fw/stm.bin" | cut -c1-16)...)"
else
	tail -n 15 "$logs/check-stm-build.log" | sed 's/^/# /' | tee -a "$ktap"
	result fail firmware "build failed: ${logs#"$TOP"/}/check-stm-build.log"
	finish
fi

# ---- 3. kernel and module ----------------------------------------------------------------
if [ -n "$kspec" ]; then
	kver=$("$TOP/mk/kernels.sh" resolve "$kspec") || { result fail module "no installed kernel '$kspec'"; finish; }
else
	kver=$("$TOP/mk/kernels.sh" default) || { result fail module "no installed Debian kernel (make deps)"; finish; }
fi
kernel=/boot/vmlinuz-$kver kdir=/lib/modules/$kver/build
kdesc="kernel $kver"
mod=$TOP/build/bochs/mod-$kver
t0=$(date +%s)
if [ -n "$module" ]; then
	[ -r "$module" ] || { result fail module "--module $module: cannot read it"; finish; }
	mod=$(mktemp -d "$TOP/build/bochs/modarg.XXXXXX")
	mkdir -p "$mod/kmod" && cp "$module" "$mod/kmod/stmexec.ko"
	result ok module
	say "# stmexec.ko given: $module"
elif "$TOP/mk/build-module.sh" --out "$mod" "$kdir" >"$logs/check-stm-module.log" 2>&1 &&
	[ -f "$mod/kmod/stmexec.ko" ]; then
	result ok module
	say "# stmexec.ko for $kver built in $(($(date +%s) - t0))s"
else
	tail -n 20 "$logs/check-stm-module.log" | sed 's/^/# /' | tee -a "$ktap"
	result fail module "build failed: build/logs/check-stm-module.log"
	finish
fi

# ---- 4. initramfs + ISO -------------------------------------------------------------------
work=$(mktemp -d "$TOP/build/bochs/stm.XXXXXX")
bpid=''
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	local s b
	if [ -n "$bpid" ]; then
		for s in $(pgrep -P "$bpid"); do
			for b in $(pgrep -P "$s") $s; do kill -9 "$b" 2>/dev/null; done
		done
		kill "$bpid" 2>/dev/null
	fi
	if [ "$keep" = 1 ]; then echo "# check-stm: kept ${work#"$TOP"/}" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

strip -g -o "$work/stmexec.ko" "$mod/kmod/stmexec.ko"
mkdir "$work/tests"
printf '%s\n' "# generated by mk/stmfw/check-stm.sh" \
	"EXPECT_STM=$((1 - dflt)) EXPECT_CPUS=$cpus EXPECT_MADT_CPUS=$((madt_cpus ? madt_cpus : cpus)) STM_KIND=$stm_kind STMEXEC_KO=/lib/stmexec/stmexec.ko sh /stm/guest.sh" >"$work/cmd.sh"
# COM2 is the console; COM1 stays the firmware's and the STM's.
append="console=ttyS1,115200 quiet loglevel=4 printk.time=1 panic=0 idle=halt memmap=4M\$0x10000000"
if "$TOP/selftests/qemu/mkinitramfs.sh" -o "$work/initrd.gz" --kver "$kver" \
	--module "$work/stmexec.ko" --tests "$work/tests" \
	--file "$guest:/stm/guest.sh" --file "$fw/stmfw-smi:/stm/stmfw-smi" \
	--cmd-file "$work/cmd.sh" >"$work/mkinitramfs.log" 2>&1 &&
	"$TOP/mk/bochs/mkiso.sh" -o "$work/boot.iso" --kernel "$kernel" --initrd "$work/initrd.gz" \
		--append "$append" >"$work/mkiso.log" 2>&1; then
	result ok iso
else
	cat "$work/mkinitramfs.log" "$work/mkiso.log" 2>/dev/null | tail -n 20 | sed 's/^/# /' | tee -a "$ktap"
	result fail iso "building the initramfs or the ISO failed"
	finish
fi

# ---- 5. Bochs -----------------------------------------------------------------------------
# shellcheck source=mk/stmfw/bochsrc.sh
. "$here/bochsrc.sh"
stmfw_bochsrc "$work/bochsrc" "$fw" "$com1" "$blog" "$ips" "${cpu_extra:+, $cpu_extra}" \
	"ata0-master: type=cdrom, path=$work/boot.iso, status=inserted
ata1: enabled=0
boot: cdrom
com2: enabled=1, mode=file, dev=$console" "$cpus"
rc=''
case $bochs_bin in
*bochs-bin) echo c >"$work/cont"; rc="-rc $work/cont" ;;	# Debian's: debugger built in
esac
: >"$com1"
: >"$console"
: >"$blog"
exec 9>"$TOP/build/bochs/.lock"	# one Bochs at a time, shared with check-bochs
if ! flock -n 9; then
	say "# another Bochs tier is running; waiting for it"
	flock 9
fi
say "# booting $kver under $bdesc ($cpus CPUs, timeout ${timeout}s)"
tb0=$(date +%s)
TERM=xterm timeout -k 10 $((timeout + 60)) script -qec \
	"$bochs_bin -q -f $work/bochsrc $rc" /dev/null </dev/null >"$work/term.out" 2>&1 &
bpid=$!
t_up='' t_done='' why_stop='' shown=0
while kill -0 "$bpid" 2>/dev/null; do
	now=$(date +%s)
	mapfile -t new < <(tr -d '\r' <"$console" | sed -n "$((shown + 1)),\$p")
	if [ ${#new[@]} -gt 1 ]; then
		last=$((${#new[@]} - 1))
		for ((i = 0; i < last; i++)); do
			case ${new[$i]} in
			STMEXEC-STM:* | init:* | *'Kernel panic'* | *'BUG:'* | *Oops*)
				say "# $((now - tb0))s: ${new[$i]}" ;;
			esac
			case ${new[$i]} in
			'init: stmexec test guest up'*) t_up=${t_up:-$now} ;;
			'STMEXEC-STM: done '*) t_done=${t_done:-$now} ;;
			*'Kernel panic - not syncing'*) why_stop="kernel panic" ;;
			esac
		done
		shown=$((shown + last))
	fi
	[ -z "$why_stop" ] || break
	if [ -n "$t_done" ] && [ $((now - t_done)) -gt 30 ]; then
		break
	fi
	if [ $((now - tb0)) -ge "$timeout" ]; then
		why_stop="timeout after ${timeout}s"
		break
	fi
	sleep 2
done
cleanup
trap - EXIT
bpid=''
tb1=$(date +%s)
for f in "$com1" "$console"; do tr -d '\r' <"$f" >"$f.tmp" && mv "$f.tmp" "$f"; done
p_up=never p_tests=unfinished
[ -z "$t_up" ] || p_up=$((t_up - tb0))s
[ -z "$t_done" ] || p_tests=$((t_done - ${t_up:-$tb0}))s
phases="Bochs $((tb1 - tb0))s: BIOS + stmfw + kernel boot to /init $p_up, tests $p_tests"

if grep -q '^init: stmexec test guest up' "$console"; then
	result ok guest-boot
else
	result fail guest-boot "the guest never reached /init (${why_stop:-Bochs exited}); last lines:"
	tail -n 12 "$console" | sed 's/^/#   /' | tee -a "$ktap"
	grep '>>PANIC<<' "$blog" | sort | uniq -c | sort -rn | head -n 5 | sed 's/^/#   bochs: /' | tee -a "$ktap"
fi

for s in "${gsteps[@]}"; do
	line=$(grep -E "^STMEXEC-STM: $s (ok|FAIL|SKIP)( |$)" "$console" | tail -n 1)
	rest=${line#"STMEXEC-STM: $s "}
	case $line in
	'') result fail "$s" "no verdict line from the guest${why_stop:+ ($why_stop)}" ;;
	*" $s ok"*) [ "$rest" = ok ] || say "# $s: ${rest#ok }"; result ok "$s" ;;
	*" $s SKIP"*) result skip "$s" "${rest#SKIP }" ;;
	*) result fail "$s" "${rest#FAIL }"; grep -E "^# $s: " "$console" | head -n 20 | tee -a "$ktap" ;;
	esac
done

# what the firmware built, checked from its COM1 dump
if vout=$(python3 "$here/verify.py" "$com1" "$fw/stm.bin" "${vargs[@]}" 2>&1); then
	result ok layout
else
	echo "$vout" | grep -E '^(# |not ok)' | sed 's/^not ok/# not ok/' | tee -a "$ktap"
	result fail layout "mk/stmfw/verify.py on ${com1#"$TOP"/}"
fi
# the debug STM's own log (COM1): present when the STM ran
if [ "$dflt" = 1 ]; then
	result skip stm-log "default treatment: no STM ran"
elif [ "$stm" = intel-release ]; then
	result skip stm-log "Intel's release build writes nothing on COM1"
elif [ "$(grep -v '^stmfw' "$com1" | grep -c .)" -gt 0 ]; then
	say "# the STM wrote $(grep -v '^stmfw' "$com1" | grep -c .) lines on COM1 (${com1#"$TOP"/})"
	result ok stm-log
else
	result fail stm-log "the debug STM wrote nothing on COM1: it never ran"
fi
finish
