#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Place the stmexec selftests into a kernel tree's kselftest framework:
#   install-into.sh KERNEL_TREE    -> KERNEL_TREE/tools/testing/selftests/stmexec
# The suites are copied from selftests/stmexec, the selftest library from
# selftests/lib and selftests/include, the uAPI header from uapi/, the
# kselftest Makefile, config and settings from here.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
[ $# -eq 1 ] || { echo "usage: install-into.sh KERNEL_TREE" >&2; exit 2; }
sel=$1/tools/testing/selftests
[ -f "$sel/lib.mk" ] || { echo "install-into: $sel/lib.mk not found: not a kernel tree" >&2; exit 1; }
d=$sel/stmexec
rm -rf "$d"
mkdir -p "$d/include/linux" "$d/lib"
cp "$here/Makefile" "$here/config" "$here/settings" "$here/ksft_module.c" "$d/"
for f in lifecycle_test.c ranges_test.c log_test.c errreq_test.c; do
	cp "$top/selftests/stmexec/$f" "$d/"
done
cp "$top/selftests/lib/sx.c" "$d/lib/"
cp "$top/selftests/include/sx.h" "$top/selftests/include/sx_test.h" \
	"$top/selftests/include/sx_fileio.h" \
	"$top/selftests/include/sx_errptr.h" "$d/include/"
cp "$top/uapi/linux/stmexec.h" "$d/include/linux/"
echo "$d"
