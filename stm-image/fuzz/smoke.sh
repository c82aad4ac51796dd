#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Run each fuzzer for a short time from the committed seed corpus (copied to
# a scratch directory so the committed corpus is never modified); KTAP out.
# usage: smoke.sh BUILD_DIR CORPUS_DIR SECONDS FUZZER...
b=$1; corpus=$2; t=$3; shift 3
n=$#; i=0; pass=0; fail=0
echo "TAP version 13"
echo "# Subtest: stm-core-fuzz-smoke"
echo "1..$n"
for f in "$@"; do
	i=$((i + 1))
	work=$b/smoke-corpus/$f
	rm -rf "$work"; mkdir -p "$work"
	cp "$corpus/$f"/* "$work"/ 2>/dev/null || true
	# shellcheck disable=SC2086 # FUZZ_FLAGS is a list of options
	if "$b/$f" -max_total_time="$t" -print_final_stats=1 ${FUZZ_FLAGS:-} \
		-artifact_prefix="$b/$f-" "$work" > "$b/$f.smoke.log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$b/$f.smoke.log" | tail -n 1)
		echo "ok $i $f # $runs runs in ${t}s"
		pass=$((pass + 1))
	else
		echo "not ok $i $f"
		grep -E 'ERROR|invariant|SUMMARY|==[0-9]+==' "$b/$f.smoke.log" | head -5 | sed 's/^/# /'
		echo "# full log: $b/$f.smoke.log"
		fail=$((fail + 1))
	fi
done
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ "$fail" -eq 0 ]
