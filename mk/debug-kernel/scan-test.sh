#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# usage: scan-test.sh
#
# The kernel-log detector of `make check-debug` on canned logs
# (testdata/): a lockdep circular-locking splat, the older "[ INFO:
# possible circular locking ... ]" form and a WARNING must each fail the
# host's console scan (mk/check-debug.sh --scan) and match the guest's list
# (bad_re of selftests/stress/check-debug.sh); a clean debug boot (the
# lockdep, KASAN and kmemleak banners, harness lines that say WARNING) must
# pass both. Run by `make check` (host only, no guest).
set -u

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/../.." && pwd)}
td=$here/testdata
fail=0
bad_re=$(sed -n "s/^bad_re='\(.*\)'\$/\1/p" "$TOP/selftests/stress/check-debug.sh")
[ -n "$bad_re" ] || { echo "scan-test: no bad_re='...' in selftests/stress/check-debug.sh"; exit 1; }

# expect LOG caught|clean [WANT]: the host scan and the guest's grep agree
expect() {
	out=$("$TOP/mk/check-debug.sh" --scan "$td/$1")
	rc=$?
	# the guest greps its own dmesg, which has only kernel lines
	guest=$(grep '^\[' "$td/$1" | grep -cE "$bad_re")
	if [ "$2" = caught ]; then
		if [ "$rc" != 1 ] || ! printf '%s\n' "$out" | grep -qF -- "$3"; then
			echo "scan-test: $1: the host scan (exit $rc) did not report '$3':"
			printf '%s\n' "$out" | sed 's/^/    /'
			fail=1
		elif [ "$guest" = 0 ]; then
			echo "scan-test: $1: the guest's list misses it"
			fail=1
		else
			echo "scan-test: $1: caught ($(printf '%s\n' "$out" | wc -l) lines on the host, $guest in the guest)"
		fi
	else
		if [ "$rc" != 0 ] || [ "$guest" != 0 ]; then
			echo "scan-test: $1: a clean log is reported (host exit $rc, $guest guest lines):"
			printf '%s\n' "$out" | sed 's/^/    /'
			fail=1
		else
			echo "scan-test: $1: clean"
		fi
	fi
}

expect lockdep-circular.log caught "WARNING: possible circular locking dependency detected"
expect circular-only.log caught "possible circular locking"
expect warning.log caught "WARNING: CPU: 1 PID: 77"
expect clean.log clean
exit $fail
