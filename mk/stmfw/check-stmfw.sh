#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-stmfw`: the stmfw test firmware in the default treatment of
# SMM, under Debian's Bochs (no dual-monitor treatment needed). Bochs boots
# its BIOS, which runs the stmfw option ROM; there is no boot device.
# Checks: the firmware's own KTAP (SMRAM, STM image in MSEG, page tables,
# SMBASE relocation of both CPUs, MSR 0x9B in SMM, its SMI commands on
# CPU 0 through port 0xB2 and on CPU 1 through a LAPIC SMI IPI), then
# mk/stmfw/verify.py's independent check of the dump it printed (PSD per
# CPU, MSEG header and page tables, ACPI, resource list, SMRR).
# Documentation/dev-tools/stmexec-stm-e2e.rst.
#
# usage: check-stmfw.sh [--stm intel|intel-release|PATH] [--bochs BIN]
#                       [--cpu-extra TEXT] [--timeout S] [--cpus N]
#
# --cpus N: Bochs' CPU count (default 2, up to STMFW_MAX_CPUS of
# stm-fw/stmfw.h); the firmware takes it from rombios' MADT.
#
# --bochs BIN with --cpu-extra dual_monitor=1 runs the firmware on the
# dual-monitor Bochs (mk/bochs-dm/build.sh --path) in its default treatment.
#
# Output: KTAP ending in "# Totals:" and "N passed, N failed"; logs in
# build/logs/check-stmfw-{serial,bochs}.log and check-stmfw.ktap.
set -u

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/../.." && pwd)}
cd "$TOP" || exit 2

stm=${STM:-intel} bochs_bin=${STMFW_BOCHS:-bochs-bin} timeout=${STMFW_TIMEOUT:-300}
cpu_extra=${STMFW_CPU_EXTRA:-} cpus=2
while [ $# -gt 0 ]; do
	case $1 in
	--stm) stm=$2; shift ;;
	--bochs) bochs_bin=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--cpu-extra) cpu_extra=$2; shift ;;
	--cpus) cpus=$2; shift ;;
	-h | --help) sed -n '3,27{s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) echo "check-stmfw: unknown argument '$1' (--help)" >&2; exit 2 ;;
	esac
	shift
done
[[ $timeout =~ ^[0-9]+$ ]] || { echo "check-stmfw: --timeout '$timeout' is not a number" >&2; exit 2; }
[[ $cpus =~ ^[2-4]$ ]] || { echo "check-stmfw: --cpus '$cpus': 2 to 4 (STMFW_MAX_CPUS)" >&2; exit 2; }

logs=$TOP/build/logs
fw=$TOP/build/stmfw
mkdir -p "$logs" "$fw"
serial=$logs/check-stmfw-serial.log
blog=$logs/check-stmfw-bochs.log
ktap=$logs/check-stmfw.ktap
: >"$ktap"
t_all=$(date +%s)

# shellcheck source=mk/ktap.sh
. "$TOP/mk/ktap.sh"
finish() {
	say "1..$n"
	say "# check-stmfw: $(($(date +%s) - t_all))s wall time; logs: ${serial#"$TOP"/}, ${blog#"$TOP"/}"
	say "# Totals: pass:$npass fail:$nfail xfail:0 xpass:0 skip:$nskip error:0"
	python3 "$TOP/mk/summarize.py" --quiet "$ktap"
	[ "$nfail" = 0 ]
	exit
}
say "KTAP version 1"

missing=()
for t in "$bochs_bin" script gcc ld objcopy python3; do
	command -v "$t" >/dev/null || missing+=("$t")
done
for f in /usr/share/bochs/BIOS-bochs-latest /usr/share/vgabios/vgabios.bin; do
	[ -r "$f" ] || missing+=("$f")
done
echo 'int x;' | gcc -m32 -x c -c - -o /dev/null 2>/dev/null || missing+=("gcc -m32 (gcc-multilib)")
if [ ${#missing[@]} -gt 0 ]; then
	result fail deps "missing: ${missing[*]} (make deps)"
	finish
fi
result ok deps

if make -s -C "$TOP/stm-fw" STM="$stm" O="$fw" >"$logs/check-stmfw-build.log" 2>&1; then
	result ok build
	say "# $(tail -n 1 "$logs/check-stmfw-build.log")"
else
	tail -n 15 "$logs/check-stmfw-build.log" | sed 's/^/# /' | tee -a "$ktap"
	result fail build "make -C stm-fw failed: ${logs#"$TOP"/}/check-stmfw-build.log"
	finish
fi

work=$(mktemp -d "$fw/run.XXXXXX")
bpid=''
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	local b
	if [ -n "$bpid" ]; then
		b=$(pgrep -P "$(pgrep -P "$bpid" | head -n 1)" 2>/dev/null | head -n 1)
		[ -z "$b" ] || kill -9 "$b" 2>/dev/null
		kill "$bpid" 2>/dev/null
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=mk/stmfw/bochsrc.sh
. "$here/bochsrc.sh"
stmfw_bochsrc "$work/bochsrc" "$fw" "$serial" "$blog" 100000000 "${cpu_extra:+, $cpu_extra}" "boot: disk" "$cpus"
rc=''
case $bochs_bin in
*bochs-bin) echo c >"$work/cont"; rc="-rc $work/cont" ;;	# Debian's: debugger built in
esac
: >"$serial"
: >"$blog"
mkdir -p "$TOP/build/bochs"
exec 9>"$TOP/build/bochs/.lock"  # one Bochs at a time, shared with check-bochs
flock 9

tb0=$(date +%s)
TERM=xterm timeout -k 10 $((timeout + 30)) script -qec \
	"$bochs_bin -q -f $work/bochsrc $rc" /dev/null </dev/null >"$work/term.out" 2>&1 &
bpid=$!
why=''
while kill -0 "$bpid" 2>/dev/null; do
	if grep -q '^stmfw: done ' "$serial"; then
		break
	fi
	if grep -q '>>PANIC<<' "$blog"; then
		why="Bochs: $(grep -m1 '>>PANIC<<' "$blog" | sed 's/^[0-9]*p//')"
		break
	fi
	if [ $(($(date +%s) - tb0)) -ge "$timeout" ]; then
		why="timeout after ${timeout}s"
		break
	fi
	sleep 1
done
cleanup
bpid=''
trap - EXIT
tr -d '\r' <"$serial" >"$serial.tmp" && mv "$serial.tmp" "$serial"
say "# firmware ran in $(($(date +%s) - tb0))s of Bochs"

if grep -q '^stmfw: done ' "$serial"; then
	result ok firmware-finished
else
	result fail firmware-finished "no 'stmfw: done' line (${why:-Bochs exited}); last lines:"
	tail -n 8 "$serial" | sed 's/^/#   /' | tee -a "$ktap"
fi
# the firmware's own tests, renumbered
while read -r line; do
	case $line in
	'stmfw: ok '*) result ok "fw-$(echo "$line" | cut -d' ' -f4-)" ;;
	'stmfw: not ok '*) result fail "fw-$(echo "$line" | cut -d' ' -f5-)" ;;
	'stmfw: # '*) say "${line#stmfw: }" ;;
	esac
done < <(grep '^stmfw: ' "$serial")
while read -r line; do
	case $line in
	'ok '*) result ok "layout-$(echo "$line" | cut -d' ' -f3-)" ;;
	'not ok '*) result fail "layout-$(echo "$line" | cut -d' ' -f4-)" ;;
	'# '*) say "$line" ;;
	esac
done < <(python3 "$here/verify.py" "$serial" "$fw/stm.bin")
# The verifier must catch a broken layout: the same dump with the PSD
# signature of CPU 1 and the MSEG header's Cr3Offset altered.
bad=$(mktemp)
sed -e '/^stmfw-dump psd1 /s/ 5458545053534947/ 5858585853534947/' \
	-e '/^stmfw-dump mseg 10200000 /s/^\(stmfw-dump mseg 10200000 .\{56\}\)../\1ff/' \
	"$serial" >"$bad"
vbad=$(python3 "$here/verify.py" "$bad" "$fw/stm.bin")
rm -f "$bad"
if printf '%s\n' "$vbad" | grep -q '^not ok .* psd_cpu1$' &&
	printf '%s\n' "$vbad" | grep -q '^not ok .* mseg_header_is_the_image$'; then
	result ok layout-verifier-catches-corruption
else
	result fail layout-verifier-catches-corruption "verify.py passed a dump with a broken PSD and MSEG header"
fi
finish
