#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Discover the installed Debian kernels that can both build the module and
# boot a guest: /lib/modules/<ver>/build (the headers) and /boot/vmlinuz-<ver>.
# Never looks at `uname -r`: the host kernel is not a Debian kernel here.
#
# usage: kernels.sh list            every usable kernel release, oldest first
#        kernels.sh default         the newest usable release (sort -V)
#        kernels.sh resolve SPEC    the release matching SPEC: an exact release
#                                   ("6.1.0-56-amd64") or a series prefix
#                                   ("6.1", "6.12"); newest match wins
#        kernels.sh kdir VER        the header directory of release VER
#        kernels.sh kver KDIR       the release a header directory builds for
#
# Environment: STMEXEC_BOOT (default /boot), STMEXEC_MODULES (default
# /lib/modules) for testing this script.
set -eu

boot=${STMEXEC_BOOT:-/boot}
mods=${STMEXEC_MODULES:-/lib/modules}

die() {
	echo "kernels.sh: $*" >&2
	exit 1
}

list() {
	for d in "$mods"/*/; do
		[ -d "$d" ] || continue
		v=$(basename "$d")
		[ -e "$d/build/Makefile" ] || continue
		[ -e "$boot/vmlinuz-$v" ] || continue
		echo "$v"
	done | sort -V
}

hint="install a Debian kernel with its headers (make deps), e.g. apt-get install linux-image-amd64 linux-headers-amd64"

case "${1:-}" in
list)
	list
	;;
default)
	v=$(list | tail -n 1)
	[ -n "$v" ] || die "no kernel has both $mods/<ver>/build and $boot/vmlinuz-<ver>; $hint"
	echo "$v"
	;;
resolve)
	[ $# -eq 2 ] || die "usage: kernels.sh resolve SPEC"
	spec=$2
	all=$(list)
	for v in $all; do
		[ "$v" = "$spec" ] && { echo "$v"; exit 0; }
	done
	# series prefix: "6.1" matches 6.1.0-56-amd64 but not 6.12.x
	m=$(printf '%s\n' "$all" | grep -E "^$(printf '%s' "$spec" | sed 's/[.]/\\./g')([.-]|$)" | tail -n 1 || true)
	[ -n "$m" ] || die "no usable kernel matches '$spec' (have: $(printf '%s\n' "$all" | tr '\n' ' ')); $hint"
	echo "$m"
	;;
kdir)
	[ $# -eq 2 ] || die "usage: kernels.sh kdir VER"
	[ -e "$mods/$2/build/Makefile" ] || die "no headers for $2 at $mods/$2/build; $hint"
	echo "$mods/$2/build"
	;;
kver)
	[ $# -eq 2 ] || die "usage: kernels.sh kver KDIR"
	# utsrelease.h, not include/config/kernel.release: Debian's 6.1
	# headers say "6.1.192" there while the kernel is "6.1.0-56-amd64".
	f=$2/include/generated/utsrelease.h
	[ -r "$f" ] || die "$2 does not look like a prepared kernel build tree (no include/generated/utsrelease.h)"
	v=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$f")
	[ -n "$v" ] || die "cannot read UTS_RELEASE from $f"
	echo "$v"
	;;
*)
	sed -n 's/^# \{0,1\}//; 3,16p' "$0" >&2
	exit 2
	;;
esac
