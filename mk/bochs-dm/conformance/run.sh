#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The SDM conformance suite of Bochs' dual-monitor treatment
# (`make check-bochs-dm`): builds the bare-metal test ROM
# (dmtest.c, head.S), boots it in the patched Bochs of mk/bochs-dm/build.sh
# as an option ROM, and reads one KTAP line per SDM rule from COM1.
#
# usage: run.sh [--unpatched] [--bochs BINARY] [--timeout SECONDS]
#   --unpatched   run against the unpatched Bochs of the same tree (another
#                 cache key; built if needed) without cpu: dual_monitor=1:
#                 the suite must then FAIL the activation checks, and this
#                 script exits 0 only if it does
#   --bochs BIN   use this binary instead of build.sh --path
#   --timeout S   wall-clock limit of the Bochs run (default 300)
#
# Logs: build/logs/check-bochs-dm{,-unpatched}.ktap (the KTAP output),
# -serial.log (COM1), -bochs.log (Bochs' log). Prints "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
unpatched=0
bochs=
tmo=300
while [ $# -gt 0 ]; do
	case $1 in
	--unpatched) unpatched=1 ;;
	--bochs) bochs=$2; shift ;;
	--timeout) tmo=$2; shift ;;
	*) sed -n '8,16{s/^# \{0,1\}//;p}' "$0" >&2; exit 2 ;;
	esac
	shift
done
[[ $tmo =~ ^[0-9]+$ ]] || { echo "check-bochs-dm: --timeout needs seconds" >&2; exit 2; }

name=check-bochs-dm
[ $unpatched = 1 ] && name=check-bochs-dm-unpatched
logs=$top/build/logs
out=$top/build/bochs-dm
mkdir -p "$logs" "$out"
ktap=$logs/$name.ktap
serial=$logs/$name-serial.log
blog=$logs/$name-bochs.log

for t in gcc ld objcopy objdump python3 timeout; do
	command -v $t >/dev/null || { echo "check-bochs-dm: $t not found (make deps)" >&2; exit 1; }
done
for f in /usr/share/bochs/BIOS-bochs-latest /usr/share/vgabios/vgabios.bin; do
	[ -r "$f" ] || { echo "check-bochs-dm: $f missing (make deps: bochsbios vgabios)" >&2; exit 1; }
done

# --- the test ROM -----------------------------------------------------------
cflags=(-m64 -ffreestanding -fno-builtin -fno-tree-loop-distribute-patterns
	-fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only -fno-stack-protector
	-fno-asynchronous-unwind-tables -fcf-protection=none -mcmodel=small
	-O2 -Wall -Wextra -Werror)
gcc "${cflags[@]}" -c "$here/head.S" -o "$out/head.o"
gcc "${cflags[@]}" -c "$here/dmtest.c" -o "$out/dmtest.o"
ld -m elf_x86_64 -nostdlib -static -T "$here/dmtest.ld" "$out/head.o" "$out/dmtest.o" -o "$out/dmtest.elf"
# code runs from the ROM, data is .bss in RAM: initialised data would be lost
if objdump -h "$out/dmtest.o" | awk '$2 ~ /^\.data/ && $3 !~ /^0+$/ { bad = 1 } END { exit !bad }'; then
	echo "check-bochs-dm: dmtest.c has initialised data (.data): use .bss and set it at run time" >&2
	exit 1
fi
objcopy -O binary -j .text "$out/dmtest.elf" "$out/dmtest.bin"
python3 - "$out/dmtest.bin" "$out/dmtest.rom" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
size = (len(b) + 1 + 511) // 512 * 512
if size > 0x10000:
    sys.exit("check-bochs-dm: ROM over 64 KiB")
b += bytes(size - len(b))
b[2] = size // 512
b[-1] = (-sum(b[:-1])) & 0xff
open(sys.argv[2], 'wb').write(b)
PY

# --- Bochs ------------------------------------------------------------------
if [ -z "$bochs" ]; then
	if [ $unpatched = 1 ]; then
		bochs=$("$top/mk/bochs-dm/build.sh" --unpatched --path)
	else
		bochs=$("$top/mk/bochs-dm/build.sh" --path)
	fi
fi
[ -x "$bochs" ] || { echo "check-bochs-dm: no Bochs binary at '$bochs'" >&2; exit 1; }

dm=", dual_monitor=1"
[ $unpatched = 1 ] && dm=
rc=$out/$name.bochsrc
sed -e "s|@ROM@|$out/dmtest.rom|" -e "s|@SERIAL@|$serial|" -e "s|@LOG@|$blog|" \
	-e "s|@DUAL_MONITOR@|$dm|" "$here/bochsrc.in" >"$rc"
rm -f "$serial" "$blog"
t0=$(date +%s)
set +e
timeout "$tmo" nice -n 10 "$bochs" -q -f "$rc" </dev/null >"$out/$name.stdout" 2>&1
brc=$?
set -e
secs=$(($(date +%s) - t0))

# --- results ----------------------------------------------------------------
touch "$serial"
tr -d '\r' <"$serial" | grep -E '^(KTAP|1\.\.|ok |not ok |# )' >"$ktap" || true
cat "$ktap"
plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$ktap" | head -n 1)
pass=$(grep -c '^ok ' "$ktap" || true)
fail=$(grep -c '^not ok ' "$ktap" || true)
if [ -z "$plan" ]; then
	echo "# no KTAP plan on COM1: the ROM did not run (bochs exit $brc; see ${blog#"$top"/})"
	plan=1
	fail=$((fail + 1))
elif [ $((pass + fail)) -lt "$plan" ]; then
	echo "# $((plan - pass - fail)) test(s) did not report (bochs exit $brc after ${secs}s; see ${blog#"$top"/})"
	fail=$((plan - pass))
fi
# the test ends through Bochs' shutdown port, which Bochs logs as a panic
panics=$(grep 'PANIC' "$blog" 2>/dev/null | grep -vc 'Shutdown port' || true)
echo "# bochs: $bochs (${secs}s, exit $brc, ${panics:-0} other PANIC line(s) in its log)"
echo "$pass passed, $fail failed"

if [ $unpatched = 1 ]; then
	# the activation checks must fail without our series
	# (a run that never reached the check proves nothing: that is an error)
	if grep -q '^not ok [0-9]* vmcall_activates_dual_monitor ' "$ktap"; then
		echo "# unpatched Bochs: the activation checks fail, as they must"
		exit 0
	fi
	if grep -q '^ok [0-9]* vmcall_activates_dual_monitor ' "$ktap"; then
		echo "# unpatched Bochs passed the activation check: the suite does not detect a missing dual-monitor treatment"
	else
		echo "# the activation check did not run on the unpatched Bochs: nothing shown"
	fi
	exit 1
fi
[ "$fail" = 0 ]
