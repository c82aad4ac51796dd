#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The body of `make check-debug`: the reliability tier.
#
#   1. the debug kernel (mk/debug-kernel/build.sh: cached, so normally a
#      no-op; KASAN, lockdep, kmemleak, UBSAN, KFENCE, debugobjects)
#   2. stmexec.ko built in tree in it: mk/intree.sh refreshes
#      drivers/virt/stmexec of the debug kernel's source copy from this
#      checkout, then `make drivers/virt/stmexec/kmod/stmexec.ko` (the
#      kernel's single-module target: modpost marks it intree=Y) rebuilds
#      only what changed; the kernel image must stay untouched
#   3. the static userspace: selftests (incl. selftests/stress), tools
#   4. one guest, -smp 4, booted by selftests/qemu/run-guest.sh --kernel
#      with that in-tree stmexec.ko, running /tests/check-debug.sh
#      (STMEXEC_INTREE=1: the loaded module has no out-of-tree taint): the
#      in-guest suites, a suspend/enable race, stress_run, ioctl_fuzz(32),
#      kmemleak before/after rmmod, the kernel log scan
#   5. the host scans the whole console (the guest's kernel log is dumped
#      into it) for KASAN/lockdep/UBSAN/KFENCE/WARNING/BUG lines again, in
#      case the guest died before it could judge itself
#
# Environment:
#   SMALL=1          CI counts (50 enable/disable and 50 CPU cycles, a
#                    short fuzz); default: the full counts (1000/1000)
#   SEED             default 1
#   STRESS_ENABLE_CYCLES, STRESS_CPU_CYCLES, STRESS_PM_CYCLES, STRESS_WORKERS,
#   STRESS_MIN_OPS, STRESS_TIMEOUT, FUZZ_ITERS, FUZZ_SECS, SKIP_SUITES
#                    passed to the guest (see selftests/stress/check-debug.sh)
#   DEBUG_SMP        default 4;  DEBUG_MEM (MiB) default 2048
#   DEBUG_TIMEOUT    guest watchdog, default 7200 s (SMALL: 2400 s)
#   DEBUG_NO_BUILD=1 fail instead of building a missing debug kernel
#   JOBS             make -j of the in-tree module build (default 2)
#
# Output: KTAP on stdout ending in a "# Totals:" line, the console in
# build/logs/check-debug-<kver>.log. Exit status 0 only if nothing failed.
#
# check-debug.sh --scan LOG: step 5 alone on LOG (prints the kernel trouble
# lines; exit 1 if there are any): mk/debug-kernel/scan-test.sh runs it on
# canned kernel logs (a lockdep splat, a WARNING, a clean boot).
set -u

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/.." && pwd)}
export TOP
MAKE=${MAKE:-make}
cd "$TOP" || exit 2

# Lines of the kernel log that mean trouble: one list, the guest's
# (selftests/stress/check-debug.sh judges the guest's dmesg with it),
# applied here to the kernel's lines of the console (timestamped).
bad_re=$(sed -n "s/^bad_re='\(.*\)'\$/\1/p" selftests/stress/check-debug.sh)
[ -n "$bad_re" ] || { echo "check-debug: no bad_re='...' line in selftests/stress/check-debug.sh" >&2; exit 2; }
scan() { # LOG: its kernel trouble lines, sorted, once each
	grep -E "^\[ *[0-9]+\.[0-9]+\].*($bad_re)" "$1" | sort -u
}
if [ "${1:-}" = --scan ]; then
	[ -r "${2:-}" ] || { echo "usage: check-debug.sh --scan LOG" >&2; exit 2; }
	bad=$(scan "$2")
	[ -z "$bad" ] || { printf '%s\n' "$bad"; exit 1; }
	exit 0
fi

small=${SMALL:-0}
smp=${DEBUG_SMP:-4}
mem=${DEBUG_MEM:-2048}
if [ "$small" = 1 ]; then
	timeout=${DEBUG_TIMEOUT:-2400}
else
	timeout=${DEBUG_TIMEOUT:-7200}
fi

t_all=$(date +%s)
n=0 npass=0 nfail=0 nskip=0
echo "KTAP version 1"
echo "1..6"
result() { # ok|fail|skip NAME [REASON]
	n=$((n + 1))
	case $1 in
	ok) npass=$((npass + 1)); echo "ok $n $2" ;;
	fail) nfail=$((nfail + 1)); echo "not ok $n $2${3:+ # $3}" ;;
	skip) nskip=$((nskip + 1)); echo "ok $n $2 # SKIP ${3:-}" ;;
	esac
}
finish() {
	while [ "$n" -lt 6 ]; do result skip "not reached" "an earlier step failed"; done
	echo "# check-debug: $(($(date +%s) - t_all))s wall time on the host"
	echo "# Totals: pass:$npass fail:$nfail xfail:0 xpass:0 skip:$nskip error:0"
	[ "$nfail" = 0 ]
	exit
}

# ---- 1. the debug kernel -----------------------------------------------------
dk=$here/debug-kernel/build.sh
dir=$("$dk" --dir)
t0=$(date +%s)
if "$dk" --check; then
	result ok "debug kernel $(cat "$dir/kernel.release") (cached: $dir)"
elif [ "${DEBUG_NO_BUILD:-0}" = 1 ]; then
	result fail "debug kernel" "not built and DEBUG_NO_BUILD=1: run 'make debug-kernel'"
	finish
elif "$dk"; then
	result ok "debug kernel built in $(($(date +%s) - t0))s"
else
	result fail "debug kernel" "mk/debug-kernel/build.sh failed"
	finish
fi
kdir=$dir/build
kver=$(cat "$dir/kernel.release")
bzimage=$dir/bzImage
mkdir -p build/logs
log=build/logs/check-debug-$kver.log

# ---- 2. the module, in tree ----------------------------------------------------
ksrc=$dir/src
kobj=drivers/virt/stmexec/kmod/stmexec.ko
ko=$kdir/$kobj
mlog=build/logs/check-debug-module.log
stamp() { # the kernel image's files: name, size, mtime
	stat -c '%n %s %Y' "$kdir/vmlinux" "$kdir/arch/x86/boot/bzImage" 2>&1
}
if [ ! -d "$ksrc/drivers/virt/stmexec" ]; then
	result fail "stmexec.ko in tree" "$ksrc has no drivers/virt/stmexec: debug.config must set CONFIG_STMEXEC=m (then make debug-kernel)"
	finish
fi
img0=$(stamp)
t0=$(date +%s)
if "$here/intree.sh" "$ksrc" >"$mlog" 2>&1 &&
	nice -n 10 "$MAKE" -C "$ksrc" O="$kdir" -j"${JOBS:-2}" "$kobj" >>"$mlog" 2>&1 &&
	[ -f "$ko" ]; then
	msecs=$(($(date +%s) - t0))
	intree=$(modinfo -F intree "$ko" 2>&1)
	img1=$(stamp)
	if [ "$intree" != Y ]; then
		result fail "stmexec.ko in tree" "modinfo -F intree $ko is '$intree', not Y: not an in-tree build"
		finish
	elif [ "$img0" != "$img1" ]; then
		printf '# before: %s\n# after:  %s\n' "$img0" "$img1"
		result fail "stmexec.ko in tree" "the module build touched the kernel image (log: $mlog)"
		finish
	fi
	echo "# check-debug: $kobj: modinfo intree=$intree, $(grep -c '^  CC \[M\]' "$mlog") file(s) recompiled in ${msecs}s, vmlinux and bzImage untouched"
	result ok "stmexec.ko built in tree for $kver ($ko)"
else
	tail -n 30 "$mlog" | sed 's/^/# /'
	result fail "stmexec.ko in tree for $kver" "log: $mlog"
	finish
fi

# ---- 3. userspace --------------------------------------------------------------
# policy_test loads policy_dummy.ko built for the running kernel
if "$MAKE" --no-print-directory selftests tools >build/logs/check-debug-user.log 2>&1 &&
	"$MAKE" --no-print-directory -C selftests/policy EXTRA_KVER="$kver" \
		EXTRA_KDIR="$kdir" >>build/logs/check-debug-user.log 2>&1 &&
	[ -x build/selftests/check-debug.sh ] &&
	[ -f "build/selftests/policy_dummy/$kver/policy_dummy.ko" ]; then
	result ok "static userspace (build/selftests/, tools/stmexec)"
else
	tail -n 30 build/logs/check-debug-user.log | sed 's/^/# /'
	result fail "static userspace" "log: build/logs/check-debug-user.log"
	finish
fi

# ---- 4. the guest -----------------------------------------------------------------
cmdf=$(mktemp "${TMPDIR:-/tmp}/check-debug-cmd.XXXXXX")
trap 'rm -f "$cmdf"' EXIT
{
	echo "# generated by mk/check-debug.sh"
	for v in SMALL SEED STRESS_ENABLE_CYCLES STRESS_CPU_CYCLES STRESS_PM_CYCLES STRESS_WORKERS \
		STRESS_MIN_OPS STRESS_TIMEOUT FUZZ_ITERS FUZZ_SECS SKIP_SUITES; do
		eval "val=\${$v-}"
		# shellcheck disable=SC2154 # set by eval
		[ -z "$val" ] || printf 'export %s=%q\n' "$v" "$val"
	done
	echo "export STMEXEC_INTREE=1"
	echo "exec /tests/check-debug.sh"
} >"$cmdf"

# Kernel command line for the debug options under TCG: report every KASAN
# error (not only the first), and give the lockup/stall detectors room for
# an emulated, shared, 2-core host.
append="kasan_multi_shot watchdog_thresh=30 rcupdate.rcu_cpu_stall_timeout=120"
# KASAN wants more than make check's 1 GiB, but the simulated BIOS lists
# (kmod/sim_corpus.c) put TSEG at 2 GiB - 8 MiB, outside the RAM of a 1 GiB
# guest as on a real board: keep 1 GiB below 4 GiB, the rest above.
qemu_extra="-machine max-ram-below-4g=1G"
# 4-level paging: Debian's 6.1.192 built with KASAN reports a wild access
# on every per-CPU lock from the first interrupt on when QEMU's "max" CPU
# offers LA57 (2026-12-05, before the module loads); the stock kernels and
# make check keep 5-level paging.
cpu=max,la57=off

echo "# check-debug: booting $kver (-smp $smp, -m $mem, timeout ${timeout}s), console: $log"
t0=$(date +%s)
# run-guest.sh scans for kernel trouble with a shorter list of its own; we
# judge with ours (step 5, which names every line) and the guest's verdict
# (step 6), so its list only informs here.
"$TOP/selftests/qemu/run-guest.sh" --kernel "$bzimage" --kver "$kver" --module "$ko" \
	--smp "$smp" --mem "$mem" --timeout "$timeout" --append "$append" \
	--cpu "$cpu" --qemu-extra "$qemu_extra" \
	--script "$cmdf" --log "$log" --allow-warnings
rc=$?
gsecs=$(($(date +%s) - t0))
boot=$(sed -n 's/.*# check-debug: guest up \([0-9.]*\)s at start.*/\1/p' "$log" | head -n 1)
inguest=$(sed -n 's/.*# check-debug: \([0-9.]*\)s in the guest.*/\1/p' "$log" | tail -n 1)
totals=$(grep -E '^# Totals: ' "$log" | tail -n 1)
echo "# check-debug: guest: boot ${boot:-?}s (kernel start to /tests/check-debug.sh), tests ${inguest:-?}s, ${gsecs}s wall with QEMU"
echo "# check-debug: guest ${totals:-printed no Totals line}"
case $rc in
0) result ok "guest run: /tests/check-debug.sh passed (${gsecs}s)" ;;
124) result fail "guest run" "TIMEOUT after ${timeout}s (console: $log)"; tail -n 20 "$log" | sed 's/^/# /' ;;
125) result fail "guest run" "the guest died without its exit marker (panic?) (console: $log)"; tail -n 40 "$log" | sed 's/^/# /' ;;
*) result fail "guest run" "exit $rc (console: $log)" ;;
esac

# ---- 5. the host's own scan of the console (kernel lines only) ----------------------
bad=$(scan "$log")
if [ -n "$bad" ]; then
	result fail "console: $(printf '%s\n' "$bad" | wc -l) kernel trouble lines"
	printf '%s\n' "$bad" | head -n 40 | sed 's/^/#   /'
else
	result ok "console: no KASAN/lockdep/UBSAN/KFENCE/WARNING/BUG lines"
fi

# ---- 6. the guest's own verdict -----------------------------------------------------
case $totals in
*" fail:0 "*" error:0") result ok "guest KTAP: ${totals#\# Totals: }" ;;
'') result fail "guest KTAP" "no Totals line" ;;
*) result fail "guest KTAP: ${totals#\# Totals: }" ;;
esac
finish
