#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The body of `make check` (the Makefile runs `make deps` first).
#
#   1. stmexec.ko for every kernel in CHECK_KERNELS (default "6.1 6.12"),
#      from scratch in build/check/<kver>/, with W=1 C=1: any compiler,
#      sparse or modpost warning fails; the guests below use this module
#      (the test build); then the production build (build/check/prod/<kver>/,
#      W=1 C=1) and mk/nosim-check.sh: no simulator symbol in it
#   2. lint: checkpatch --strict, shellcheck
#   3. userspace: tools/, selftests/, stm-image/
#   4. host unit tests: make -C stm-image check, make -C tools check;
#      make install/uninstall into a temporary DESTDIR (mk/install-check.sh);
#      check-debug's kernel-log detector on canned logs
#      (mk/debug-kernel/scan-test.sh), and the debug kernel's cache key
#      (mk/debug-kernel/key-test.sh)
#   5. in-guest tests on every kernel in CHECK_KERNELS (-smp 2): the guest
#      runs /tests/run-all.sh
#   6. one summary line over every suite's KTAP Totals
#
# Each step is also a KTAP test of its own in build/logs/check-steps.log, so
# a broken build, a missing part or a guest that died counts as a failure
# in the summary (never as a skip).
# Logs: build/logs/. Exit status: 0 only if nothing failed.
#
# Environment: CHECK_KERNELS, CHECK_GUEST_TIMEOUT (seconds per guest, default
# 900), CHECK_SMP (default 2), MAKE.
set -u

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/.." && pwd)}
export TOP
MAKE=${MAKE:-make}
kernels=${CHECK_KERNELS:-6.1 6.12}
gtimeout=${CHECK_GUEST_TIMEOUT:-900}
smp=${CHECK_SMP:-2}
cd "$TOP" || exit 2
logs=build/logs # relative to $TOP: shorter names in the summary
steps=$logs/check-steps.log
mkdir -p "$logs"
rm -f "$logs"/unit-*.log "$logs"/guest-*.log "$logs"/modules-*.log "$logs"/lint.log

check_start=$(date +%s)
n=0 npass=0 nfail=0 nskip=0
suites=''
timings=''
printf 'TAP version 13\n' >"$steps"

record() { # ok|fail|skip NAME SECONDS [REASON]
	n=$((n + 1))
	case $1 in
	ok) npass=$((npass + 1)); line="ok $n $2" ;;
	fail) nfail=$((nfail + 1)); line="not ok $n $2${4:+ # $4}" ;;
	skip) nskip=$((nskip + 1)); line="ok $n $2 # SKIP ${4:-}" ;;
	esac
	echo "$line" >>"$steps"
	timings="$timings
  $(printf '%5ss  %-4s %s' "$3" "$1" "$2")"
	echo "check: [$1] $2 (${3}s)${4:+: $4}"
}

# run NAME LOG CMD...: run CMD with its output in LOG only; record the result
run_quiet() {
	name=$1 log=$2
	shift 2
	t0=$(date +%s)
	echo "check: $name ..."
	if "$@" >"$log" 2>&1; then
		record ok "$name" $(($(date +%s) - t0))
	else
		rc=$?
		tail -n 30 "$log" | sed 's/^/    /'
		record fail "$name" $(($(date +%s) - t0)) "exit $rc, log: $log"
	fi
}

# A suite log is "clean" when its own Totals report no failure.
suite_clean() {
	python3 "$here/summarize.py" --quiet "$1" >/dev/null 2>&1
}

has_target() { # DIR TARGET: does DIR's Makefile have a rule for TARGET?
	[ -f "$1/Makefile" ] || return 1
	# print make's database without running anything (goal ":" is no target)
	"$MAKE" -C "$1" -pRrq : 2>/dev/null | grep -q "^$2:"
}

# --- 1. module builds, W=1 C=1, from scratch ---------------------------
kvers=''
for k in $kernels; do
	if ! kver=$("$here/kernels.sh" resolve "$k" 2>&1); then
		record fail "module build for $k" 0 "$kver"
		continue
	fi
	kvers="$kvers $kver"
	kdir=$("$here/kernels.sh" kdir "$kver")
	t0=$(date +%s)
	echo "check: module build W=1 C=1 for $kver ..."
	if "$here/build-module.sh" --fresh --check "$logs/modules-$kver.log" \
		--out "build/check/$kver" "$kdir" W=1 C=1; then
		record ok "module build W=1 C=1 on $kver" $(($(date +%s) - t0))
	else
		record fail "module build W=1 C=1 on $kver" $(($(date +%s) - t0)) \
			"log: $logs/modules-$kver.log"
	fi
	# the production build (no simulated STM, what DKMS and the .deb
	# build): W=1 C=1 clean too, and nm finds no simulator symbol in it
	t0=$(date +%s)
	echo "check: production module build W=1 C=1 and nm for $kver ..."
	if "$here/build-module.sh" --production --fresh \
		--check "$logs/modules-prod-$kver.log" --out "build/check/prod/$kver" \
		"$kdir" W=1 C=1 &&
		"$here/nosim-check.sh" "build/check/prod/$kver/kmod/stmexec.ko" \
			>>"$logs/modules-prod-$kver.log" 2>&1; then
		record ok "production module (no simulator) W=1 C=1 on $kver" $(($(date +%s) - t0))
	else
		tail -n 5 "$logs/modules-prod-$kver.log" | sed 's/^/    /'
		record fail "production module (no simulator) W=1 C=1 on $kver" \
			$(($(date +%s) - t0)) "log: $logs/modules-prod-$kver.log"
	fi
done

# --- 2. lint ------------------------------------------------------------
# mk/layers.sh reads the objects step 1 built for the first kernel.
objdir=''
for kver in $kvers; do objdir=$TOP/build/check/$kver/kmod; break; done
run_quiet "lint (checkpatch --strict, shellcheck, layers)" "$logs/lint.log" \
	sh -c "$MAKE -s linux-scripts && STMEXEC_OBJDIR='$objdir' '$here/lint.sh' '$TOP/build/linux-source/scripts'"
# on failure run_quiet has shown the end of the log already
tail -n 1 "$steps" | grep -q '^ok' && grep -E '^lint: ' "$logs/lint.log" | sed 's/^/    /'

# --- 3. userspace builds -------------------------------------------------
for d in tools selftests stm-image; do
	run_quiet "build $d/" "$logs/build-$d.log" "$MAKE" -s "$d"
done

# A snapshot of what the guests run: others may rebuild build/selftests/ or
# tools/stmexec in this tree while the guests below boot.
rm -rf build/check/selftests build/check/stmexec
mkdir -p build/check
testsarg='' cliarg=''
if [ -d build/selftests ]; then
	cp -a build/selftests build/check/selftests && testsarg=build/check/selftests
fi
if [ -f tools/stmexec ]; then
	cp -p tools/stmexec build/check/stmexec && cliarg=build/check/stmexec
fi

# --- 4. host unit tests ---------------------------------------------------
for d in stm-image tools; do
	log=$logs/unit-$d.log
	if ! has_target "$d" check; then
		record fail "unit tests $d/" 0 "no 'check' target in $d/Makefile"
		continue
	fi
	t0=$(date +%s)
	echo "check: unit tests $d/ ..."
	rc=0
	"$MAKE" -s -C "$d" check >"$log" 2>&1 || rc=$?
	cat "$log"
	suites="$suites $log"
	if [ "$rc" -ne 0 ] && suite_clean "$log"; then
		record fail "unit tests $d/" $(($(date +%s) - t0)) \
			"make exited $rc although the suites report no failure"
	else
		record ok "unit tests $d/ ran" $(($(date +%s) - t0))
	fi
done

# make install and make uninstall into a temporary DESTDIR: nothing left
run_quiet "make install/uninstall (DESTDIR): nothing left behind" \
	"$logs/install-check.log" "$here/install-check.sh"

# make check-debug's kernel-log detector (lockdep, WARNING, KASAN, ...) on
# canned logs: a splat must fail it, a clean debug boot must not
run_quiet "check-debug's kernel-log detector on canned logs" \
	"$logs/scan-test.log" "$here/debug-kernel/scan-test.sh"

# the debug kernel's cache key: a comment edit of debug.config keeps it, a
# configuration line changes it (no 13-minute rebuild for a comment)
run_quiet "debug kernel cache key: config lines, not comments" \
	"$logs/key-test.log" "$here/debug-kernel/key-test.sh"

# --- 5. in-guest tests ----------------------------------------------------
# The module checked in step 1 for kernel $1 (even with warnings), if built.
checked_ko() {
	[ ! -f "build/check/$1/kmod/stmexec.ko" ] || echo "build/check/$1/kmod/stmexec.ko"
}

guestcmd=/tests/run-all.sh
for kver in $kvers; do
	log=$logs/guest-$kver.log
	t0=$(date +%s)
	echo "check: in-guest tests on $kver (-smp $smp) ..."
	rc=0
	modarg=$(checked_ko "$kver")
	"$TOP/selftests/qemu/run-guest.sh" --kver "$kver" --smp "$smp" \
		--timeout "$gtimeout" --log "$log" ${modarg:+--module "$modarg"} \
		${testsarg:+--tests "$testsarg"} ${cliarg:+--cli "$cliarg"} \
		--kmod kvm_intel --cmd "$guestcmd" || rc=$?
	suites="$suites $log"
	dt=$(($(date +%s) - t0))
	case $rc in
	0) record ok "guest run on $kver" "$dt" ;;
	124) record fail "guest run on $kver" "$dt" "watchdog timeout after ${gtimeout}s" ;;
	125) record fail "guest run on $kver" "$dt" "guest died without exit marker" ;;
	3) record fail "guest run on $kver" "$dt" "kernel oops/warning lines, see $log" ;;
	*)
		if ! grep -q '^STMEXEC-GUEST-EXIT=' "$log" 2>/dev/null; then
			record fail "guest run on $kver" "$dt" "the harness failed (exit $rc) before the guest finished"
		elif suite_clean "$log"; then
			record fail "guest run on $kver" "$dt" "guest exited $rc although its suites report no failure"
		else
			record ok "guest run on $kver (test failures counted below)" "$dt"
		fi
		;;
	esac
done

# --- 5b. host-driven policy/attestation guests (selftests/policy) ----------
# attest_swtpm.sh: a guest with a software TPM and ima_policy=critical_data
# (skips when swtpm is missing); digest_boots.sh: the report digest of two
# boots. Each prints KTAP with a Totals line, counted like a suite.
for kver in $kvers; do
	for s in attest_swtpm digest_boots; do
		log=$logs/guest-$s-$kver.log
		t0=$(date +%s)
		echo "check: $s on $kver ..."
		rc=0
		# the same module, tests and CLI as the guest runs above: a
		# fresh clone has no build/<kver>/kmod/stmexec.ko
		modarg=$(checked_ko "$kver")
		set -- --kver "$kver" ${modarg:+--module "$modarg"} \
			${testsarg:+--tests "$testsarg"} ${cliarg:+--cli "$cliarg"}
		if [ "$s" = attest_swtpm ]; then # the guest console is the log
			"selftests/policy/$s.sh" "$@" --quiet --log "$log" \
				>"$log.out" 2>&1 || rc=$?
			[ "$rc" != 4 ] || cp "$log.out" "$log"
		else # KTAP on stdout
			"selftests/policy/$s.sh" "$@" >"$log" 2>&1 || rc=$?
		fi
		suites="$suites $log"
		case $rc in
		0) record ok "$s on $kver" $(($(date +%s) - t0)) ;;
		4) record skip "$s on $kver" $(($(date +%s) - t0)) "$(grep -m1 SKIP "$log")" ;;
		*)
			# failures its KTAP reports are counted there, not twice
			if suite_clean "$log"; then
				record fail "$s on $kver" $(($(date +%s) - t0)) "exit $rc, log: $log"
			else
				record ok "$s on $kver ran (failures counted below)" $(($(date +%s) - t0))
			fi
			;;
		esac
	done
done

# --- 5c. kexec and kdump with the monitor on (selftests/stmexec) ----------
# kexec-check.sh: `kexec -e` and a kdump capture kernel after a sysrq crash,
# backend=sim (TCG has no VMX); KTAP with a Totals line, exit 4 = skip
# (kexec-tools missing: make deps).
for kver in $kvers; do
	log=$logs/guest-kexec-$kver.log
	t0=$(date +%s)
	echo "check: kexec/kdump on $kver ..."
	rc=0
	modarg=$(checked_ko "$kver")
	selftests/stmexec/kexec-check.sh --kver "$kver" \
		${modarg:+--module "$modarg"} ${cliarg:+--cli "$cliarg"} \
		--logdir "$logs" >"$log" 2>&1 || rc=$?
	cat "$log"
	suites="$suites $log"
	case $rc in
	0) record ok "kexec/kdump on $kver" $(($(date +%s) - t0)) ;;
	4) record skip "kexec/kdump on $kver" $(($(date +%s) - t0)) "$(grep -m1 SKIP "$log")" ;;
	*)
		if suite_clean "$log"; then
			record fail "kexec/kdump on $kver" $(($(date +%s) - t0)) "exit $rc, log: $log"
		else
			record ok "kexec/kdump on $kver ran (failures counted below)" $(($(date +%s) - t0))
		fi
		;;
	esac
done

# --- 6. summary -----------------------------------------------------------
{
	echo "1..$n"
	echo "# Totals: pass:$npass fail:$nfail xfail:0 xpass:0 skip:$nskip error:0"
} >>"$steps"

echo
echo "check: step timings:$timings"
echo "check: total $(($(date +%s) - check_start))s; logs in build/logs/"
echo "check: suites (the check steps themselves count as one suite):"
# shellcheck disable=SC2086 # $suites is a list of paths without blanks
python3 "$here/summarize.py" "$steps" $suites
