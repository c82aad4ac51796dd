#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The stmexec selftests through the kernel's kselftest framework: extract
# tools/testing/selftests (and what lib.mk includes) from Debian's
# linux-source tarball into build/ksft/, place selftests/kselftest there as
# tools/testing/selftests/stmexec (install-into.sh), and run
#   make -C tools/testing/selftests TARGETS=stmexec install INSTALL_PATH=build/ksft/install
# `make check-packaging` copies the result into the Debian guest and runs
# its run_kselftest.sh there.
#
# usage: kselftest.sh     prints the install directory
set -eu
here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/../.." && pwd)}
tar=${LINUX_SRC_TAR:-/usr/src/linux-source-6.1.tar.xz}
top=$(basename "$tar" .tar.xz)
ksft=$TOP/build/ksft
src=$ksft/$top
inst=$ksft/install

[ -r "$tar" ] || { echo "kselftest: $tar not found: run 'make deps' (linux-source-6.1)" >&2; exit 1; }
if [ ! -f "$src/.stamp" ] || [ -n "$(find "$tar" -newer "$src/.stamp")" ]; then
	rm -rf "$src"
	mkdir -p "$ksft"
	echo "kselftest: extracting tools/testing/selftests from $tar" >&2
	tar -xJf "$tar" -C "$ksft" "$top/tools/testing/selftests" "$top/tools/scripts" \
		"$top/tools/include" "$top/scripts/subarch.include" "$top/Makefile"
	touch "$src/.stamp"
fi
"$TOP/selftests/kselftest/install-into.sh" "$src" >/dev/null
rm -rf "$inst"
make -s -C "$src/tools/testing/selftests" TARGETS=stmexec install \
	INSTALL_PATH="$inst" >"$ksft/install.log" 2>&1 || {
	tail -n 20 "$ksft/install.log" >&2
	echo "kselftest: make install failed: $ksft/install.log" >&2
	exit 1
}
grep -q '^stmexec:' "$inst/kselftest-list.txt" || {
	echo "kselftest: no stmexec tests in $inst/kselftest-list.txt" >&2
	exit 1
}
echo "$inst"
