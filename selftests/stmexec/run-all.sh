#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run the stmexec selftest suites in the guest (installed as
# /tests/run-all.sh): every executable *_test next to this script, in name
# order, each under a timeout, as root.
#
# usage: run-all.sh [SUITE...]     e.g. run-all.sh lifecycle_test cli_test
#
# Every suite ends with exactly one kselftest "# Totals:" line that the
# host sums: a suite that crashed, timed out or printed no Totals line gets
# "# Totals: pass:0 fail:1 ..." from this script; a suite that exited
# non-zero (other than the kselftest skip code 4) while its Totals report
# no failure gets an extra "error:1" Totals line, and so does a suite
# during which the simulated STM logged a compat violation (dmesg).
#
# Environment: STMEXEC_SUITE_TIMEOUT seconds per suite (default 600).
# Exit status: 0 if every suite passed (or skipped), 1 otherwise.
set -u

here=$(cd "$(dirname "$0")" && pwd)
limit=${STMEXEC_SUITE_TIMEOUT:-600}
out=${TMPDIR:-/tmp}/.stmexec-run-all.$$
totals_fail='# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0'
totals_err='# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:0 error:1'

if [ $# -gt 0 ]; then
	suites=''
	for s in "$@"; do
		suites="$suites $here/${s##*/}"
	done
else
	suites=$(ls "$here"/*_test 2>/dev/null)
fi

# Leave no module behind from an earlier run (the suites load their own).
if [ -d /sys/module/stmexec ]; then
	stmexec disable >/dev/null 2>&1
	rmmod stmexec 2>/dev/null
fi

# The simulated STM logs every reference-compatibility violation (a real
# STM would have hung or crashed there): any such line during a suite
# fails it, whatever its own tests checked.
compat_lines() {
	dmesg 2>/dev/null | grep -c 'stmexec: sim: compat violation'
}

n=0 bad=0 names=''
for t in $suites; do
	name=${t##*/}
	if [ ! -f "$t" ] || [ ! -x "$t" ]; then
		echo "# run-all: $name: not an executable file"
		echo "$totals_fail"
		n=$((n + 1)) bad=$((bad + 1))
		continue
	fi
	n=$((n + 1))
	echo "# run-all: $name (timeout ${limit}s)"
	start=$(date +%s)
	compat0=$(compat_lines)
	# Into a file, not a pipe: a test child that outlives a killed suite
	# (the harness forks one per test, in its own process group) must not
	# keep the runner waiting for the end of a pipe.
	timeout -s KILL "$limit" "$t" >"$out" 2>&1
	rc=$?
	cat "$out"
	secs=$(($(date +%s) - start))
	totals=$(grep -E '^# Totals: ' "$out" | tail -n 1)
	if [ -z "$totals" ]; then
		case $rc in
		137 | 124) why="killed after the ${limit}s timeout" ;;
		4) why="skipped as a whole" ;;
		*) why="exited $rc without a Totals line (crashed?)" ;;
		esac
		echo "# run-all: $name $why"
		if [ "$rc" = 4 ]; then
			echo '# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0'
		else
			echo "$totals_fail"
			bad=$((bad + 1)) names="$names $name"
		fi
	elif [ "$rc" != 0 ] && [ "$rc" != 4 ]; then
		case $totals in
		*" fail:0 "*" error:0")
			echo "# run-all: $name exited $rc although its Totals report no failure"
			echo "$totals_err"
			;;
		esac
		bad=$((bad + 1)) names="$names $name"
	fi
	compat1=$(compat_lines)
	if [ "$compat1" -gt "$compat0" ]; then
		echo "# run-all: $name: $((compat1 - compat0)) reference-compatibility violation(s) of the simulated STM:"
		dmesg | grep 'stmexec: sim: compat violation' | tail -n $((compat1 - compat0)) | head -n 5 | sed 's/^/# run-all:   /'
		echo "$totals_err"
		case " $names " in
		*" $name "*) ;;
		*) bad=$((bad + 1)) names="$names $name" ;;
		esac
	fi
	echo "# run-all: $name finished in ${secs}s, exit $rc"
done
rm -f "$out"

# Leave the guest as we found it.
if [ -d /sys/module/stmexec ]; then
	stmexec disable >/dev/null 2>&1
	rmmod stmexec 2>/dev/null
fi

if [ "$n" = 0 ]; then
	echo "# run-all: no *_test suites in $here"
	echo "$totals_fail"
	exit 1
fi
echo "# run-all: $n suites, $bad failed${names:+:$names}"
[ "$bad" = 0 ]
