#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# usage: demo.sh [KVER]
#
# Boot the guest with the newest (or the given) kernel, run
# selftests/qemu/demo.sh in it and print a one-line human summary built from
# its DEMO-RESULT lines. The console is also kept in build/logs/demo.log.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/.." && pwd)}
export TOP
log=$TOP/build/logs/demo.log
mkdir -p "$TOP/build/logs"

if [ -n "${1:-}" ]; then
	kver=$("$here/kernels.sh" resolve "$1")
else
	kver=$("$here/kernels.sh" default)
fi

start=$(date +%s)
rc=0
"$TOP/selftests/qemu/run-guest.sh" --kver "$kver" --smp 2 --timeout 120 \
	--log "$log" --cmd 'sh /harness/demo.sh' || rc=$?
secs=$(($(date +%s) - start))

# key=value facts from the guest, last one wins
get() {
	sed -n "s/^DEMO-RESULT $1=//p" "$log" | tail -n 1
}

echo
if [ "$rc" -eq 0 ] && grep -q '^DEMO-OK$' "$log"; then
	cpus=$(get cpus)
	active=$(get cpus_active)
	printf 'demo: module loaded with the simulated STM (backend=%s), enabled on %s of %s CPUs (state %s), disabled (state %s), unloaded — OK\n' \
		"$(get backend)" "$active" "$cpus" "$(get enabled_state)" "$(get disabled_state)"
	# facts that later demo steps add
	extra=$(sed -n 's/^DEMO-RESULT //p' "$log" |
		grep -v -E '^(cpus|cpus_active|backend|enabled_state|disabled_state|unloaded)=' || true)
	[ -z "$extra" ] || printf 'demo: also: %s\n' "$(printf '%s\n' "$extra" | tr '\n' ' ')"
	echo "demo: guest kernel $kver, ${secs}s wall time; console log: $log"
	exit 0
fi

failline=$(grep '^DEMO-FAIL ' "$log" | tail -n 1 || true)
if [ -n "$failline" ]; then
	echo "demo: FAILED: ${failline#DEMO-FAIL }"
else
	echo "demo: FAILED: the guest run ended with status $rc (see the run-guest message above)"
fi
echo "demo: guest kernel $kver, ${secs}s wall time; console log: $log"
[ "$rc" -ne 0 ] || rc=1
exit "$rc"
