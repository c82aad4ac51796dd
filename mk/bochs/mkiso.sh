#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the boot CD of the stmexec Bochs tier: ISOLINUX loading a kernel and
# an initramfs (Bochs has no -kernel/-initrd).
#
# usage: mkiso.sh -o OUT.iso --kernel BZIMAGE --initrd INITRD [--append ARGS]
#
# The CD: isolinux/{isolinux.bin,ldlinux.c32,isolinux.cfg}, /vmlinuz,
# /initrd.gz; El Torito no-emulation boot of isolinux.bin with a boot-info
# table (xorriso's mkisofs emulation). Packages: isolinux, syslinux-common,
# xorriso (mk/deps-bochs.list).
set -eu

ISOLINUX_BIN=${ISOLINUX_BIN:-/usr/lib/ISOLINUX/isolinux.bin}
LDLINUX_C32=${LDLINUX_C32:-/usr/lib/syslinux/modules/bios/ldlinux.c32}

die() {
	echo "mkiso: $*" >&2
	exit 1
}

out='' kernel='' initrd='' append=''
while [ $# -gt 0 ]; do
	case $1 in
	-o) out=$2; shift ;;
	--kernel) kernel=$2; shift ;;
	--initrd) initrd=$2; shift ;;
	--append) append=$2; shift ;;
	*) die "unknown argument '$1' (see the header of $0)" ;;
	esac
	shift
done
[ -n "$out" ] || die "missing -o OUT.iso"
[ -r "$kernel" ] || die "--kernel '$kernel' is not readable"
[ -r "$initrd" ] || die "--initrd '$initrd' is not readable"
[ -r "$ISOLINUX_BIN" ] || die "no $ISOLINUX_BIN: install isolinux (make deps)"
[ -r "$LDLINUX_C32" ] || die "no $LDLINUX_C32: install syslinux-common (make deps)"
command -v xorriso >/dev/null || die "xorriso not found: install xorriso (make deps)"
case $append in *'
'*) die "--append must be one line" ;;
esac

tree=$(mktemp -d "${TMPDIR:-/tmp}/stmexec-iso.XXXXXX")
trap 'rm -rf "$tree"' EXIT INT TERM
mkdir "$tree/isolinux"
cp "$ISOLINUX_BIN" "$LDLINUX_C32" "$tree/isolinux/"
cp "$kernel" "$tree/vmlinuz"
cp "$initrd" "$tree/initrd.gz"
# No prompt, no timeout: boot at once.
cat >"$tree/isolinux/isolinux.cfg" <<EOF
DEFAULT stmexec
PROMPT 0
TIMEOUT 0
LABEL stmexec
  KERNEL /vmlinuz
  APPEND initrd=/initrd.gz $append
EOF

xorriso -as mkisofs -quiet -R -o "$out.tmp" \
	-b isolinux/isolinux.bin -c isolinux/boot.cat \
	-no-emul-boot -boot-load-size 4 -boot-info-table "$tree" ||
	die "xorriso failed"
mv "$out.tmp" "$out"
