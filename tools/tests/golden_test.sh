#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The output of 'stmexec log', 'report' and 'attest' byte for byte: stdout,
# stderr and exit code of each case against tests/golden/*.txt, with the
# module's and kernel's files made by tests/cli_fixtures (log records of
# every kind, canonical reports with every BIOS descriptor type, IMA logs
# with stmexec entries, TPM PCR 10) read through STMEXEC_DEV,
# STMEXEC_SYSFS, STMEXEC_IMA_DIR and STMEXEC_PCR10. No device needed.
# The "cpu coverage:" line of 'report' is left out (it counts the host's
# CPUs). KTAP output.
#
# usage: golden_test.sh CLI FIXTURES_BINARY [--update]
#   --update  rewrite the golden files from CLI (review the diff!)
set -u
cli=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
fixtures=$2
update=${3:-}
golden=$(cd "$(dirname "$0")" && pwd)/golden
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$fixtures" "$work/fx" || { echo "Bail out! cli_fixtures failed"; exit 1; }
cd "$work/fx" || exit 1

# one case: "== ARGS", then stdout, stderr and the exit code
run() {
	echo "== $*"
	"$cli" "$@" >"$work/out" 2>"$work/err"
	rc=$?
	echo "-- stdout"
	# the host's CPUs (/sys/devices/system/cpu/present): not a fixture
	sed '/^cpu coverage: /d' "$work/out"
	echo "-- stderr"
	cat "$work/err"
	echo "-- exit $rc"
}

log_cases() {
	export STMEXEC_DEV=log.bin STMEXEC_SYSFS=no-sysfs
	run log
	run --json log
	run log -n 5
	run --json log -n 3
	run log -f -n 3
	run --json log -f -n 3
	run log --count=25
	export STMEXEC_DEV=log-bad.bin
	run log
	export STMEXEC_DEV=/dev/null
	run log
	run --json log
}

# report/attest of fixture rep-$1, with the TPM's PCR, a wrong one, none
report_cases() {
	export STMEXEC_SYSFS="rep-$1" STMEXEC_IMA_DIR="rep-$1/ima"
	export STMEXEC_PCR10="rep-$1/pcr"
	run report
	run --json report
	run report --save saved.bin
	run attest
	run --json attest
	run attest saved.bin
	run --json attest rep-ok/isolation_report_canonical
	export STMEXEC_PCR10="rep-$1/pcr-bad"
	run attest
	export STMEXEC_PCR10="rep-$1/no-pcr"
	run attest
	run --json attest
}

n=0 fail=0
check() {	# NAME: the cases of NAME against golden/NAME.txt
	n=$((n + 1))
	if [ "$update" = --update ]; then
		cp "$work/$1.txt" "$golden/$1.txt"
		echo "ok $n $1 # golden file updated"
	elif cmp -s "$work/$1.txt" "$golden/$1.txt"; then
		echo "ok $n $1"
	else
		fail=$((fail + 1))
		echo "not ok $n $1"
		diff -u "$golden/$1.txt" "$work/$1.txt" | head -n 40 | sed 's/^/# /'
	fi
}

variants='ok fail low off badbios badmagic stale trunc mismatch'
echo "TAP version 13"
plan=1
for v in $variants; do plan=$((plan + 1)); done
echo "1..$plan"
log_cases >"$work/log.txt"
check log
for v in $variants; do
	report_cases "$v" >"$work/report-$v.txt"
	check "report-$v"
done
echo "# Totals: pass:$((n - fail)) fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ "$fail" = 0 ]
