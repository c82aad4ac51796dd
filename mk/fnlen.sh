#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# usage: fnlen.sh [--report-only] [--max N] FILE.c...
#        fnlen.sh --self-test
#
# Functions with one job (HACKING.md, "Functions"): fails when a function
# defined in one of the FILEs has more than N (60) body lines, or more than
# two plain bool parameters (a call like f(x, true, false, true) cannot be
# read without the prototype: pass flags or split the function instead).
# Each problem is printed as "file:line: function: what". Kernel style is
# assumed: a definition's body opens with "{" in column 0 and closes with
# "}" in column 0; body lines are the lines between the two. A "bool *"
# (an out parameter) is not a flag. --report-only prints the same and
# exits 0 (for trees still being split). --self-test runs the check on two
# generated fixtures, one that must fail on both counts and one that must
# pass, so that the check cannot silently become a no-op.
set -eu

max=60
report_only=0

check() {
	awk -v max="$max" '
	function reset_sig() { sig = ""; sigline = 0 }
	function bools(s,    p, n, i, c) {
		sub(/^[^(]*\(/, "", s)
		sub(/\)[^)]*$/, "", s)
		n = split(s, p, ",")
		c = 0
		for (i = 1; i <= n; i++)
			if (p[i] ~ /(^|[^A-Za-z0-9_])bool[ \t]+[A-Za-z_]/)
				c++
		return c
	}
	function fname(s,    t) {
		t = s
		sub(/\(.*/, "", t)
		sub(/.*[^A-Za-z0-9_]/, "", t)
		return t
	}
	FNR == 1 { infn = 0; reset_sig() }
	infn && /^}/ {
		n = FNR - start - 1
		if (n > max) {
			printf "%s:%d: %s: %d body lines (at most %d): split it along its jobs\n", \
				FILENAME, defline, name, n, max
			bad++
		}
		infn = 0
		reset_sig()
		next
	}
	infn { next }
	/^{/ {
		if (sig ~ /\(/) {
			infn = 1
			start = FNR
			defline = sigline
			name = fname(sig)
			nb = bools(sig)
			if (nb > 2) {
				printf "%s:%d: %s: %d bool parameters (at most 2): pass flags or split it\n", \
					FILENAME, defline, name, nb
				bad++
			}
		}
		reset_sig()
		next
	}
	/^[ \t]*$/ || /;[ \t]*$/ || /^}/ || /\*\/[ \t]*$/ || /^#/ || /^[ \t]*\*/ || /^\/[*\/]/ {
		reset_sig()
		next
	}
	{
		if (sig == "")
			sigline = FNR
		sig = sig " " $0
	}
	END { exit bad ? 1 : 0 }
	' "$@"
}

self_test() {
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	{
		echo 'static int too_long(int a)'
		echo '{'
		i=0
		while [ $i -le "$max" ]; do
			echo '	a++;'
			i=$((i + 1))
		done
		echo '	return a;'
		echo '}'
		echo ''
		echo 'int flags(struct x *p, bool a,'
		echo '	  bool b, bool c)'
		echo '{'
		echo '	return a;'
		echo '}'
	} >"$tmp/bad.c"
	{
		echo '/* a comment */'
		echo 'static int just_fits(int a)'
		echo '{'
		i=1
		while [ $i -lt "$max" ]; do
			echo '	a++;'
			i=$((i + 1))
		done
		echo '	return a;'
		echo '}'
		echo ''
		echo 'static void out_params(bool *a, bool *b, bool *c, bool d)'
		echo '{'
		echo '}'
		echo 'static const int table[] = {'
		echo '	1,'
		echo '};'
	} >"$tmp/good.c"
	if out=$(check "$tmp/bad.c"); then
		echo "fnlen: self-test: the bad fixture passed: the check is broken" >&2
		exit 1
	fi
	case $out in
	*"bad.c:1: too_long: $((max + 2)) body lines"*"bad.c:$((max + 7)): flags: 3 bool parameters"*) ;;
	*)
		printf 'fnlen: self-test: unexpected report on the bad fixture:\n%s\n' "$out" >&2
		exit 1
		;;
	esac
	if ! out=$(check "$tmp/good.c"); then
		printf 'fnlen: self-test: the good fixture failed:\n%s\n' "$out" >&2
		exit 1
	fi
	echo "fnlen: self-test passed"
}

while [ $# -gt 0 ]; do
	case $1 in
	--self-test) self_test; exit 0 ;;
	--report-only) report_only=1; shift ;;
	--max) max=${2:?--max needs a number}; shift 2 ;;
	--) shift; break ;;
	-*) echo "usage: fnlen.sh [--report-only] [--max N] FILE.c... | --self-test" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "usage: fnlen.sh [--report-only] [--max N] FILE.c... | --self-test" >&2; exit 2; }

if check "$@"; then
	echo "fnlen: $# files: every function has at most $max body lines and two bool parameters"
elif [ "$report_only" = 1 ]; then
	echo "fnlen: report only (not failing): functions above to split"
else
	echo "fnlen: functions above have more than $max body lines or two bool parameters"
	exit 1
fi
