#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The reliability tier, guest side (installed as /tests/check-debug.sh; the
# host driver is mk/check-debug.sh). Meant for the debug kernel (KASAN,
# lockdep, kmemleak, UBSAN, KFENCE) with -smp 4, but runs on any kernel
# (the kmemleak checks skip without /sys/kernel/debug/kmemleak).
#
#   1. the in-guest suites (/tests/run-all.sh: they load their own module)
#   2. insmod stmexec.ko backend=sim; with STMEXEC_INTREE=1 (make
#      check-debug: the in-tree build), /sys/module/stmexec/taint has no
#      'O' (the out-of-tree taint), an extra test
#   3. stress_run (enable/disable, CPU offline/online and pm_test suspend
#      cycles, range workers, log reader, violation injection, all at once)
#   4. ioctl_fuzz for a fixed budget, then ioctl_fuzz32 (compat_ioctl)
#      for a quarter of it
#   5. regression: six pm_test suspends with an enable loop racing them
#      (last: its failure leaves CPUs offline for good)
#   6. kmemleak scan with the module loaded: nothing from stmexec
#   7. rmmod; kmemleak scan: nothing allocated by stmexec's code (by symbol,
#      or by an unsymbolized frame in the module area)
#   8. the kernel log has no KASAN/lockdep/UBSAN/KFENCE/debugobjects/
#      WARNING/BUG/Oops/lockup/stall line (offending lines printed)
#   9. no D/W/B/L taint
#
# Environment (defaults = the full run):
#   SMALL=1                  CI counts: 50 enable/disable, 50 CPU cycles,
#                            3 suspend cycles, 5000 fuzz iterations / 60 s
#   STRESS_ENABLE_CYCLES     default 1000 (SMALL: 50)
#   STRESS_CPU_CYCLES        default 1000 (SMALL: 50)
#   STRESS_PM_CYCLES         suspend cycles through /sys/power/pm_test,
#                            concurrently, default 30 (SMALL: 3)
#   STRESS_WORKERS           default 4
#   STRESS_MIN_OPS           default 500 (SMALL: 100)
#   STRESS_TIMEOUT           default 5400 s (SMALL: 900)
#   FUZZ_ITERS, FUZZ_SECS    default 100000 / 600 s (SMALL: 5000 / 60 s)
#   SEED                     default 1
#   SKIP_SUITES=1            do not run /tests/run-all.sh
#   STMEXEC_INTREE=1         the module must be an in-tree build
#
# KTAP output, 9 tests (10 with STMEXEC_INTREE=1), "# Totals:" line; exit
# 0 pass, 1 fail.
set -u

here=$(cd "$(dirname "$0")" && pwd)
if [ "${SMALL:-0}" = 1 ]; then
	d_en=50 d_cpu=50 d_pm=3 d_ops=100 d_to=900 d_fi=5000 d_fs=60
else
	d_en=1000 d_cpu=1000 d_pm=30 d_ops=500 d_to=5400 d_fi=100000 d_fs=600
fi
en=${STRESS_ENABLE_CYCLES:-$d_en}
cpu=${STRESS_CPU_CYCLES:-$d_cpu}
pm=${STRESS_PM_CYCLES:-$d_pm}
workers=${STRESS_WORKERS:-4}
ops=${STRESS_MIN_OPS:-$d_ops}
stimeout=${STRESS_TIMEOUT:-$d_to}
fiters=${FUZZ_ITERS:-$d_fi}
fsecs=${FUZZ_SECS:-$d_fs}
seed=${SEED:-1}
ko=${STMEXEC_KO:-/lib/stmexec/stmexec.ko}
kml=/sys/kernel/debug/kmemleak
tmp=${TMPDIR:-/tmp}/check-debug.$$
mkdir -p "$tmp"

n=0 pass=0 fail=0 skip=0
ok() { n=$((n + 1)) pass=$((pass + 1)); echo "ok $n $*"; }
notok() { n=$((n + 1)) fail=$((fail + 1)); echo "not ok $n $*"; }
skipped() { n=$((n + 1)) skip=$((skip + 1)); echo "ok $n $* # SKIP"; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$(uptime_s)" 'BEGIN { printf "%.1f", b - a }'; }
mark() { echo "check-debug: $*" >/dev/kmsg 2>/dev/null; }

# Run a program, its output indented as a KTAP subtest, as it comes.
sub() {
	{ "$@" 2>&1; echo $? >"$tmp/rc"; } | while IFS= read -r l; do
		printf '    %s\n' "$l"
	done
	return "$(cat "$tmp/rc")"
}

# Lines of the kernel log that mean trouble. Boot-time banners of the debug
# options ("kmemleak: Kernel memory leak detector initialized", "kasan:
# KernelAddressSanitizer initialized", lockdep's "Lock dependency
# validator") do not match.
bad_re='BUG:|WARNING:|Oops|general protection fault|kernel BUG at|Kernel panic|KASAN:|UBSAN:|KFENCE:|ODEBUG:|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|lock held when returning|list_add corruption|list_del corruption|INFO: task .* blocked|soft lockup|hard LOCKUP|rcu.*detected stall|Call Trace:|kmemleak: .*new suspected memory leak|Unable to handle kernel|stack-protector|refcount_t:'

intree=${STMEXEC_INTREE:-0}
echo "KTAP version 1"
echo "1..$((intree == 1 ? 10 : 9))"
t_start=$(uptime_s)
echo "# check-debug: guest up ${t_start}s at start (boot time); kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs, $(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) MiB"
echo "# check-debug: stress: $en enable/disable cycles, $cpu CPU cycles, $pm suspend cycles, $workers workers (min $ops ops), timeout ${stimeout}s; fuzz: $fiters iterations / ${fsecs}s; seed $seed"

# kmemleak baseline: forget what boot left (false positives of the kernel
# itself), so the scans below only report objects allocated from here on.
if [ -w "$kml" ]; then
	echo scan >"$kml"
	echo clear >"$kml"
	has_kml=1
else
	echo "# check-debug: no $kml: kmemleak checks skipped"
	has_kml=0
fi

# 1. the in-guest suites
t=$(uptime_s)
if [ "${SKIP_SUITES:-0}" = 1 ]; then
	skipped "in-guest suites: SKIP_SUITES=1"
elif [ ! -x "$here/run-all.sh" ]; then
	# installed with the suites (make selftests): missing is a failure
	notok "in-guest suites: no $here/run-all.sh (make selftests installs it)"
else
	mark "run-all.sh"
	if sub "$here/run-all.sh"; then
		ok "in-guest suites (/tests/run-all.sh, $(since "$t")s)"
	else
		notok "in-guest suites (/tests/run-all.sh, $(since "$t")s)"
	fi
fi

# 2. load the module
loaded=0
[ -d /sys/module/stmexec ] && rmmod stmexec 2>/dev/null
mark "insmod $ko backend=sim"
if [ ! -f "$ko" ]; then
	notok "insmod: no $ko"
elif out=$(insmod "$ko" backend=sim 2>&1); then
	loaded=1
	ok "insmod stmexec.ko backend=sim"
else
	notok "insmod stmexec.ko backend=sim: $out"
fi
# In tree, modpost writes MODULE_INFO(intree, "Y"); a module without it
# gets TAINT_OOT_MODULE, 'O' in its taint (6.1: kernel/module/main.c,
# check_modinfo()).
if [ "$intree" = 1 ]; then
	mt=$(cat /sys/module/stmexec/taint 2>/dev/null || echo '(none)')
	case $loaded:$mt in
	0:*) skipped "in-tree build: module not loaded" ;;
	*O*) notok "in-tree build: /sys/module/stmexec/taint is '$mt': O, an out-of-tree module" ;;
	*) ok "in-tree build: /sys/module/stmexec/taint '$mt' has no O (out-of-tree)" ;;
	esac
fi
others=$(awk '$1 != "stmexec" { printf " %s", $1 }' /proc/modules 2>/dev/null)
[ -z "$others" ] || echo "# check-debug: other modules loaded:$others (kmemleak frames in module space are attributed to stmexec)"

# 3. stress
t=$(uptime_s)
if [ "$loaded" = 0 ]; then
	skipped "stress_run: module not loaded"
else
	mark "stress_run"
	sub "$here/stress_run" -s "$seed" -w "$workers" -o "$ops" -e "$en" \
		-c "$cpu" -P "$pm" -T "$stimeout"
	rc=$?
	case $rc in
	0) ok "stress_run ($(since "$t")s)" ;;
	4) skipped "stress_run: skipped as a whole" ;;
	*) notok "stress_run exit $rc ($(since "$t")s)" ;;
	esac
fi

# 4. fuzz
t=$(uptime_s)
if [ "$loaded" = 0 ]; then
	skipped "ioctl_fuzz: module not loaded"
else
	mark "ioctl_fuzz"
	sub "$here/ioctl_fuzz" -s "$seed" -n "$fiters" -t "$fsecs"
	rc=$?
	# the same from a 32-bit process: the compat_ioctl path
	if [ "$rc" = 0 ] && [ -x "$here/ioctl_fuzz32" ]; then
		echo "# ioctl_fuzz32 (32-bit process, compat_ioctl)"
		sub "$here/ioctl_fuzz32" -s "$((seed + 1))" -n "$((fiters / 4 + 1))" \
			-t "$((fsecs / 4 + 1))"
		rc=$?
	fi
	case $rc in
	0) ok "ioctl_fuzz ($(since "$t")s)" ;;
	4) skipped "ioctl_fuzz: skipped as a whole" ;;
	*) notok "ioctl_fuzz exit $rc ($(since "$t")s)" ;;
	esac
fi

# 5. regression: suspend racing an enable. Last before the leak scans:
# when it fails, CPUs stay offline for good and would spoil the other steps.
# stress_run -P found that an
# ENABLE between the module's PM_SUSPEND_PREPARE and PM_POST_SUSPEND
# notifiers leaves the monitor "on" with only CPU 0 active, or "failed"
# with CPUs still active, and trips a WARN in policy.c. Six suspends
# through pm_test=core while a loop keeps writing 1 to "enabled"; then the
# monitor must be on with every CPU active.
S=/sys/class/misc/stmexec
if [ "$loaded" = 0 ]; then
	skipped "suspend racing enable: module not loaded"
elif [ ! -w /sys/power/pm_test ] || [ ! -w "$S/enabled" ]; then
	skipped "suspend racing enable: no /sys/power/pm_test or $S/enabled"
else
	mark "suspend racing enable"
	t=$(uptime_s)
	echo 1 >"$S/enabled" 2>/dev/null
	delay=$(cat /sys/module/suspend/parameters/pm_test_delay 2>/dev/null)
	echo 0 >/sys/module/suspend/parameters/pm_test_delay 2>/dev/null
	echo core >/sys/power/pm_test
	rm -f "$tmp/stop"
	(while [ ! -e "$tmp/stop" ]; do echo 1 >"$S/enabled"; done) 2>/dev/null &
	loop=$!
	i=0 okc=0
	while [ "$i" -lt 6 ]; do
		echo mem >/sys/power/state 2>/dev/null && okc=$((okc + 1))
		i=$((i + 1))
	done
	touch "$tmp/stop"
	wait "$loop"
	echo none >/sys/power/pm_test
	[ -z "$delay" ] || echo "$delay" >/sys/module/suspend/parameters/pm_test_delay
	echo 1 >"$S/enabled" 2>/dev/null # EALREADY when on, as it must be
	# /proc/cpuinfo lists online CPUs only: compare with the present ones
	st=$(cat "$S/state") act=$(cat "$S/cpus_active")
	present=$(cat /sys/devices/system/cpu/present) online=$(cat /sys/devices/system/cpu/online)
	ncpu=0
	for c in /sys/devices/system/cpu/cpu[0-9]*; do
		[ -d "$c" ] && ncpu=$((ncpu + 1))
	done
	if [ "$st" = on ] && [ "$act" = "$ncpu" ] && [ "$online" = "$present" ]; then
		ok "suspend racing enable: $okc of 6 suspends completed, monitor on with $act CPUs ($(since "$t")s)"
	else
		notok "suspend racing enable: state $st, cpus_active $act of $ncpu, CPUs online $online of $present, after $okc of 6 suspends (last_error: $(cat "$S/last_error"))"
		dmesg | grep -E 'Error taking CPU|stmexec: (resume|suspend)' | sort -u -k2 | head -n 8 | sed 's/^/# /'
	fi
	echo 0 >"$S/enabled" 2>/dev/null
fi

# kmemleak only reports objects older than 5 s (MSECS_MIN_AGE) that two
# scans found unreferenced and unchanged; the wait is that age, not
# synchronisation. Short-lived processes first: a pointer left on the cached
# kernel stack of an exited task (rmmod's) would otherwise hide a leak.
kml_scan() {
	i=0
	while [ "$i" -lt 64 ]; do
		/bin/true
		i=$((i + 1))
	done
	echo scan >"$kml"
	sleep 6
	echo scan >"$kml"
	cat "$kml" >"$1"
}

# Report blocks (from "unreferenced object" to the next) that mention
# stmexec, or whose backtrace has an unsymbolized frame in the module area
# (0xffffffffc0000000..0xffffffffff000000 with KASLR). kmemleak prints a
# frame as "[<hashed %p>] %pS": a frame in the module's freed __init code,
# or in the module once it is unloaded, prints as a bare address, and no
# other module is loaded in this guest (the suites load only stmexec).
# awk numbers are doubles: exact enough for a GiB-sized window.
kml_ours() { # file
	awk -v lo=0xffffffffc0000000 -v hi=0xffffffffff000000 '
		function hex(s,   i, c, v) {
			s = tolower(s); sub(/^0x/, "", s); v = 0
			for (i = 1; i <= length(s); i++) {
				c = index("0123456789abcdef", substr(s, i, 1)) - 1
				if (c < 0) break
				v = v * 16 + c
			}
			return v
		}
		function flush() { if (blk != "" && hit) printf "%s", blk; blk = ""; hit = 0 }
		BEGIN { l = hex(lo); h = hex(hi) }
		/^unreferenced object/ { flush() }
		{ blk = blk $0 "\n" }
		/stmexec/ { hit = 1 }
		match($0, /\] 0x[0-9a-f]+$/) {
			a = hex(substr($0, RSTART + 2))
			if (a >= l && a < h) hit = 1
		}
		END { flush() }' "$1"
}

# 6. kmemleak with the module loaded
if [ "$has_kml" = 0 ]; then
	skipped "kmemleak (module loaded): no $kml"
elif [ "$loaded" = 0 ]; then
	skipped "kmemleak (module loaded): module not loaded"
else
	mark "leak scan, module loaded"
	kml_scan "$tmp/kml1"
	kml_ours "$tmp/kml1" >"$tmp/ours1"
	if [ -s "$tmp/ours1" ]; then
		notok "kmemleak (module loaded): leaks from stmexec"
		sed 's/^/# /' "$tmp/ours1" | head -n 80
	else
		ok "kmemleak (module loaded): nothing from stmexec ($(grep -c '^unreferenced object' "$tmp/kml1") unrelated)"
	fi
fi

# 7. unload, then everything the module allocated and did not free leaks
if [ "$loaded" = 0 ]; then
	skipped "rmmod + kmemleak: module not loaded"
else
	mark "rmmod"
	unloaded=1 why=''
	if ! out=$(rmmod stmexec 2>&1); then
		# the module stays pinned while the monitor is on: the programs
		# above must have left it off. Unload anyway for the scan.
		why="rmmod refused ($out, state $(cat /sys/class/misc/stmexec/state 2>/dev/null))"
		stmexec disable >/dev/null 2>&1
		rmmod stmexec 2>/dev/null || unloaded=0
	fi
	if [ "$unloaded" = 0 ]; then
		notok "rmmod + kmemleak: $why; still loaded after disable"
	elif [ "$has_kml" = 0 ]; then
		if [ -n "$why" ]; then notok "rmmod: $why"; else skipped "kmemleak after rmmod: no $kml"; fi
	else
		kml_scan "$tmp/kml2"
		kml_ours "$tmp/kml2" >"$tmp/ours2"
		if [ -s "$tmp/ours2" ]; then
			notok "rmmod + kmemleak: objects allocated by stmexec leaked${why:+; $why}"
			sed 's/^/# /' "$tmp/ours2" | head -n 80
		elif [ -n "$why" ]; then
			notok "rmmod: $why (kmemleak after the forced unload: nothing from stmexec)"
		else
			ok "rmmod + kmemleak: nothing from stmexec ($(grep -c '^unreferenced object' "$tmp/kml2") unrelated)"
		fi
	fi
fi

# 8. the kernel log
dmesg >"$tmp/dmesg"
grep -E "$bad_re" "$tmp/dmesg" >"$tmp/bad"
if [ -s "$tmp/bad" ]; then
	notok "kernel log: $(wc -l <"$tmp/bad") KASAN/lockdep/UBSAN/WARNING/BUG lines"
	sed 's/^/# /' "$tmp/bad" | head -n 60
	# the first report in full, with its context
	first=$(grep -nE "$bad_re" "$tmp/dmesg" | head -n 1 | cut -d: -f1)
	echo "# first report, kernel log lines $((first > 5 ? first - 5 : 1))..$((first + 60)):"
	sed -n "$((first > 5 ? first - 5 : 1)),$((first + 60))p" "$tmp/dmesg" | sed 's/^/#   /'
else
	ok "kernel log: no KASAN/lockdep/UBSAN/KFENCE/WARNING/BUG lines ($(wc -l <"$tmp/dmesg") lines)"
fi

# 9. taint
tainted=$(cat /proc/sys/kernel/tainted)
# D (7) oops, W (9) warning, B (5) bad page, L (14) soft lockup
if [ $((tainted & ((1 << 7) | (1 << 9) | (1 << 5) | (1 << 14)))) -ne 0 ]; then
	notok "kernel taint $tainted has D/W/B/L"
else
	ok "kernel taint $tainted: no D/W/B/L"
fi

rm -rf "$tmp"
echo "# check-debug: $(since "$t_start")s in the guest"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
[ "$fail" = 0 ]
