#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Place stmexec into a kernel source tree as an in-tree driver:
#   drivers/virt/stmexec/{Kconfig,Makefile,kmod/,uapi/,stm-image/...}
# wired into drivers/virt/Kconfig and drivers/virt/Makefile, so that
# CONFIG_STMEXEC=m builds it with the kernel (make modules, or
# make M=drivers/virt/stmexec after modules_prepare). The layout under
# drivers/virt/stmexec/ is the one the Kbuild reaches out of tree (kmod/
# with ../uapi and ../stm-image), so kmod/Kbuild is used unchanged.
#
# usage: intree.sh KERNEL_TREE [--enable]
#   --enable   also set CONFIG_STMEXEC=m in KERNEL_TREE/.config (or O=
#              tree: KCONFIG_CONFIG) with scripts/config
# Running it again refreshes the copy; the wiring is added once.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/.." && pwd)}
[ $# -ge 1 ] || { echo "usage: intree.sh KERNEL_TREE [--enable]" >&2; exit 2; }
k=$1
enable=${2:-}
if [ ! -f "$k/drivers/virt/Kconfig" ] || [ ! -f "$k/drivers/virt/Makefile" ]; then
	echo "intree: $k has no drivers/virt/{Kconfig,Makefile}: not a kernel source tree" >&2
	exit 1
fi
d=$k/drivers/virt/stmexec

rm -rf "$d"
mkdir -p "$d"
cd "$TOP"
for f in $(git ls-files -co --exclude-standard -- kmod uapi stm-image/include stm-image/core \
	stm-image/tools/mseg_verify.c stm-image/tools/mseg_verify.h 2>/dev/null ||
	find kmod uapi stm-image/include stm-image/core stm-image/tools/mseg_verify.c \
		stm-image/tools/mseg_verify.h -type f); do
	case $f in */Makefile) continue ;; esac	# kmod/Makefile: out-of-tree only
	[ -f "$f" ] || continue
	mkdir -p "$d/$(dirname "$f")"
	cp "$f" "$d/$f"
done
cp "$TOP/Kconfig" "$d/Kconfig"
{
	echo "# SPDX-License-Identifier: GPL-2.0"
	echo "# stmexec, placed by stmexec's mk/intree.sh"
	echo "obj-\$(CONFIG_STMEXEC) += kmod/"
	# In tree, Module.symvers does not exist yet when the module compiles:
	# tell the Kbuild from the source whether cr4_update_irqsoff is
	# exported to every module (6.1-6.18) rather than to KVM only.
	if grep -q 'EXPORT_SYMBOL(cr4_update_irqsoff)' "$k/arch/x86/kernel/cpu/common.c" 2>/dev/null ||
		grep -q 'EXPORT_SYMBOL_GPL(cr4_update_irqsoff)' "$k/arch/x86/kernel/cpu/common.c" 2>/dev/null; then
		echo "subdir-ccflags-y += -DSTMEXEC_VMX_OWNABLE=1"
	fi
} >"$d/Makefile"

grep -q 'drivers/virt/stmexec/Kconfig' "$k/drivers/virt/Kconfig" || {
	# inside the 'if VIRT_DRIVERS' block: before its last 'endif'
	awk -v n="$(grep -c '^endif' "$k/drivers/virt/Kconfig")" '
		/^endif/ { seen++; if (seen == n) print "source \"drivers/virt/stmexec/Kconfig\"\n" }
		{ print }' "$k/drivers/virt/Kconfig" >"$k/drivers/virt/Kconfig.new"
	mv "$k/drivers/virt/Kconfig.new" "$k/drivers/virt/Kconfig"
}
grep -q 'CONFIG_STMEXEC' "$k/drivers/virt/Makefile" ||
	printf 'obj-$%s\t\t+= stmexec/\n' '(CONFIG_STMEXEC)' >>"$k/drivers/virt/Makefile"

if [ "$enable" = --enable ]; then
	cfg=${KCONFIG_CONFIG:-$k/.config}
	"$k/scripts/config" --file "$cfg" --enable VIRT_DRIVERS --module STMEXEC
fi
echo "$d"
