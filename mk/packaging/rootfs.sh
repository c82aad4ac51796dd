#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The cached Debian 12 root filesystem of `make check-packaging`: debootstrap
# of bookworm from the archive this machine's apt uses, with systemd as init,
# the Debian kernel and its headers, and dkms (so that installing
# stmexec-dkms builds the module for the guest kernel). Kept as a tarball
# outside the tree; a second run only prints its path.
#
# usage: rootfs.sh        prints the path of the tarball (building it if needed)
#        rootfs.sh --check  exit 0 when it is cached (nothing printed or built)
set -eu

cache=${STMEXEC_CACHE:-$HOME/.cache/stmexec}
suite=bookworm
tarball=$cache/debian12-rootfs.tar
# Bump when the list changes, so an old cache is rebuilt.
pkgs=systemd-sysv,udev,kmod,linux-image-amd64,linux-headers-amd64,dkms,make,gcc,libc6-dev,initramfs-tools,ca-certificates,e2fsprogs
stamp="v1 $suite $pkgs"

if [ -f "$tarball" ] && [ "$(cat "$tarball.stamp" 2>/dev/null)" = "$stamp" ]; then
	[ "${1:-}" = --check ] || echo "$tarball"
	exit 0
fi
[ "${1:-}" != --check ] || exit 1

# The archive apt uses here: the first URI of the main Debian archive in
# /etc/apt/sources.list.d/*.sources (deb822) or /etc/apt/sources.list.
mirror=$(sed -n 's/^URIs:[[:space:]]*\(http[^ ]*\/debian\)\/*$/\1/p' \
	/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 ~ /\/debian\/?$/ { print $2; exit }' \
	/etc/apt/sources.list 2>/dev/null)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian

command -v debootstrap >/dev/null || {
	echo "rootfs: debootstrap missing: run 'make deps-packaging'" >&2
	exit 1
}
[ "$(id -u)" = 0 ] || { echo "rootfs: debootstrap needs root" >&2; exit 1; }

mkdir -p "$cache"
exec 9>"$cache/.debian12-rootfs.lock"
flock 9
if [ -f "$tarball" ] && [ "$(cat "$tarball.stamp" 2>/dev/null)" = "$stamp" ]; then
	[ "${1:-}" = --check ] || echo "$tarball"
	exit 0
fi
[ "${1:-}" != --check ] || exit 1
tmp=$cache/debian12-rootfs.tmp
rm -rf "$tmp"
echo "rootfs: debootstrap $suite from $mirror into $tmp (a few minutes, once)" >&2
debootstrap --variant=minbase --include="$pkgs" "$suite" "$tmp" "$mirror" >&2
printf 'deb %s %s main\n' "$mirror" "$suite" >"$tmp/etc/apt/sources.list"
chroot "$tmp" apt-get clean
tar -C "$tmp" --numeric-owner -cf "$tarball.new" .
rm -rf "$tmp"
mv "$tarball.new" "$tarball"
echo "$stamp" >"$tarball.stamp"
echo "$tarball"
