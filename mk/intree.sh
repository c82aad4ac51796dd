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
# Running it again refreshes the copy by content: a file is rewritten only
# when it differs (so an incremental in-tree build recompiles what changed
# and nothing else, whatever the mtimes of the checkout it comes from), a
# source file no longer in the checkout is removed; the wiring is added
# once, and files of the tree are replaced (written to a new file, then
# renamed), never written through.
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
k=$(cd "$k" && pwd)
d=$k/drivers/virt/stmexec

# The new copy is staged outside the kernel tree, then synced into $d.
stage=$(mktemp -d "${TMPDIR:-/tmp}/stmexec-intree.XXXXXX")
trap 'rm -rf "$stage"' EXIT
cd "$TOP"
for f in $(git ls-files -co --exclude-standard -- kmod uapi stm-image/include stm-image/core \
	stm-image/tools/mseg_verify.c stm-image/tools/mseg_verify.h 2>/dev/null ||
	find kmod uapi stm-image/include stm-image/core stm-image/tools/mseg_verify.c \
		stm-image/tools/mseg_verify.h -type f); do
	case $f in */Makefile) continue ;; esac	# kmod/Makefile: out-of-tree only
	[ -f "$f" ] || continue
	mkdir -p "$stage/$(dirname "$f")"
	cp "$f" "$stage/$f"
done
cp "$TOP/Kconfig" "$stage/Kconfig"
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
} >"$stage/Makefile"

mkdir -p "$d"
(cd "$stage" && find . -type f) | while IFS= read -r f; do
	cmp -s "$stage/$f" "$d/$f" && continue
	mkdir -p "$(dirname "$d/$f")"
	cp "$stage/$f" "$d/$f.new"
	mv "$d/$f.new" "$d/$f"
done
# Sources gone from the checkout (build products of an in-tree build stay).
(cd "$d" && find . -type f \( -name '*.[ch]' -o -name Kbuild -o -name Kconfig -o -name Makefile \) \
	! -name '*.mod.c') | while IFS= read -r f; do
	[ -f "$stage/$f" ] || rm -f "$d/$f"
done

grep -q 'drivers/virt/stmexec/Kconfig' "$k/drivers/virt/Kconfig" || {
	# inside the 'if VIRT_DRIVERS' block: before its last 'endif'
	awk -v n="$(grep -c '^endif' "$k/drivers/virt/Kconfig")" '
		/^endif/ { seen++; if (seen == n) print "source \"drivers/virt/stmexec/Kconfig\"\n" }
		{ print }' "$k/drivers/virt/Kconfig" >"$k/drivers/virt/Kconfig.new"
	mv "$k/drivers/virt/Kconfig.new" "$k/drivers/virt/Kconfig"
}
grep -q 'CONFIG_STMEXEC' "$k/drivers/virt/Makefile" || {
	{
		cat "$k/drivers/virt/Makefile"
		printf 'obj-$%s\t\t+= stmexec/\n' '(CONFIG_STMEXEC)'
	} >"$k/drivers/virt/Makefile.new"
	mv "$k/drivers/virt/Makefile.new" "$k/drivers/virt/Makefile"
}

if [ "$enable" = --enable ]; then
	cfg=${KCONFIG_CONFIG:-$k/.config}
	"$k/scripts/config" --file "$cfg" --enable VIRT_DRIVERS --module STMEXEC
fi
echo "$d"
