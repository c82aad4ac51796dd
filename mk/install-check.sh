#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# usage: install-check.sh
#
# `make install` into a temporary DESTDIR, then `make uninstall`: every
# file lands where the Makefile says, and uninstall leaves nothing behind,
# not even an empty directory. Then the same with a configuration file the
# administrator changed: that file is kept, with the directories above it,
# and nothing else. Run by `make check` (host, no root, no guest).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/.." && pwd)}
MAKE=${MAKE:-make}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/install-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
fail=0

run() { # TARGET: make TARGET DESTDIR=$root, its output in $tmp/log
	if ! "$MAKE" -s --no-print-directory -C "$TOP" "$1" DESTDIR="$root" >"$tmp/log" 2>&1; then
		cat "$tmp/log"
		echo "install-check: make $1 DESTDIR=... failed"
		exit 1
	fi
}
left() { # what is under $root, one relative path a line
	(cd "$root" && find . -mindepth 1 | sed 's|^\./||' | sort)
}

run install
for f in usr/sbin/stmexec usr/share/man/man8/stmexec.8 \
	usr/share/bash-completion/completions/stmexec usr/include/linux/stmexec.h \
	lib/systemd/system/stmexec.service lib/systemd/system/stmexec-log.service \
	usr/libexec/stmexec/stmexec-log-setup usr/share/stmexec/stm.bin \
	usr/share/stmexec/README.firmware etc/modprobe.d/stmexec.conf \
	etc/default/stmexec etc/stmexec/ranges.d/README; do
	if [ ! -f "$root/$f" ]; then
		echo "install-check: make install did not install /$f"
		fail=1
	fi
done
run uninstall
if [ -n "$(left)" ]; then
	echo "install-check: make uninstall left behind:"
	left | sed 's/^/    /'
	fail=1
else
	echo "install-check: install, uninstall: nothing left"
fi

run install
echo "# changed by the administrator" >>"$root/etc/stmexec/ranges.d/README"
run uninstall
want='etc
etc/stmexec
etc/stmexec/ranges.d
etc/stmexec/ranges.d/README'
if [ "$(left)" != "$want" ]; then
	echo "install-check: with a changed etc/stmexec/ranges.d/README, make uninstall left:"
	left | sed 's/^/    /'
	echo "install-check: want only that file and its directories"
	fail=1
else
	echo "install-check: a changed configuration file is kept, nothing else"
fi
exit $fail
