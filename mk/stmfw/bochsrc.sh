# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by mk/stmfw/check-stmfw.sh and check-stm.sh.
#
# stmfw_bochsrc OUT FWDIR SERIAL LOG IPS CPU_EXTRA BOOT [CPUS]
#   writes the bochsrc of a stmfw run: FWDIR holds stmfw.rom and stm.bin
#   (make -C stm-fw O=FWDIR); CPU_EXTRA is appended to the cpu: line (the
#   patched Bochs' dual-monitor option), BOOT is the boot-device section,
#   CPUS the CPU count (default 2; the firmware reads it from rombios' MADT).
stmfw_bochsrc() {
	local out=$1 fwdir=$2 serial=$3 log=$4 ips=$5 extra=$6 boot=$7 cpus=${8:-2}
	local stage
	stage=$(sed -n 's/^#define STMFW_STAGE\t*(STMFW_RES_BASE + \(0x[0-9a-fA-F]*\)).*/\1/p' \
		"$TOP/stm-fw/stmfw.h")
	stage=$(printf '0x%x' $((0x10000000 + stage)))
	local line
	while IFS= read -r line; do
		if [ "$line" = "@BOOT@" ]; then
			printf '%s\n' "$boot"
		else
			printf '%s\n' "$line"
		fi
	done <"$TOP/mk/stmfw/bochsrc.in" | sed -e "s|@ROM@|$fwdir/stmfw.rom|" -e "s|@STM@|$fwdir/stm.bin|" \
		-e "s|@STAGE@|$stage|" -e "s|@IPS@|$ips|" -e "s|@CPUS@|$cpus|" \
		-e "s|@MSRS@|$TOP/mk/stmfw/msrs.def|" -e "s|@CPU_EXTRA@|$extra|" \
		-e "s|@SERIAL@|$serial|" -e "s|@LOG@|$log|" >"$out"
}
