#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In-guest fallback runner (installed as /harness/guest-run-tests.sh): runs
# every executable /tests/*_test in name order, as root, streaming its
# output. Used by `make check` when the selftests do not provide their own
# /tests/run-all.sh.
#
# usage: guest-run-tests.sh [--bench]
#   --bench  run /tests/*_bench instead; their output is not KTAP-checked
#
# A test program must print KTAP ending with the kselftest line
# "# Totals: pass:N fail:N xfail:N xpass:N skip:N error:N". When a program
# prints no Totals line (it crashed) or exits non-zero (other than the
# kselftest skip code 4) while its Totals report no failure, this runner
# prints a Totals line with error:1 for it, so the host counts a failure.
# Exit status: 0 if every program passed, 1 otherwise.
set -u

suffix=_test ktap=1
if [ "${1:-}" = --bench ]; then
	suffix=_bench ktap=0
fi

n=0 bad=0
out=/tmp/.guest-run-tests.out
for t in /tests/*"$suffix"; do
	if [ ! -f "$t" ] || [ ! -x "$t" ]; then
		continue
	fi
	n=$((n + 1))
	name=${t##*/}
	echo "# harness: running $name"
	{
		"$t" 2>&1
		echo $? >"$out.rc"
	} | tee "$out"
	rc=$(cat "$out.rc")
	[ "$ktap" = 1 ] || { [ "$rc" = 0 ] || bad=$((bad + 1)); continue; }
	totals=$(grep -E '^(# *)+Totals: ' "$out" | tail -n 1)
	if [ -z "$totals" ]; then
		echo "# harness: $name exited $rc without a Totals line (crashed?)"
		echo "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:0 error:1"
		bad=$((bad + 1))
	elif [ "$rc" != 0 ] && [ "$rc" != 4 ]; then
		case $totals in
		*" fail:0 "*" error:0")
			echo "# harness: $name exited $rc although its Totals report no failure"
			echo "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:0 error:1"
			;;
		esac
		bad=$((bad + 1))
	fi
done
rm -f "$out" "$out.rc"

if [ "$n" = 0 ]; then
	echo "TAP version 13"
	echo "1..0"
	echo "# harness: no executable /tests/*$suffix in the initramfs (build/selftests/ empty?)"
	[ "$ktap" = 1 ] && echo "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:0 error:1"
	exit 1
fi
echo "# harness: ran $n programs, $bad failed"
[ "$bad" = 0 ]
