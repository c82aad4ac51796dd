#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host driver: the isolation-report digest is the same after two boots with
# the same inputs (sim_bios=coreboot, policy=kernel, same kernel), although
# KASLR puts the kernel elsewhere; and sim_bios=coreboot-16m-tseg (one BIOS
# descriptor differs) gives another digest. KTAP on stdout.
#
# usage: digest_boots.sh [run-guest.sh options, e.g. --kver 6.1 --ko FILE]
set -eu

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/../.." && pwd)}
export TOP
mkdir -p "$TOP/build/qemu"
work=$(mktemp -d "$TOP/build/qemu/digest.XXXXXX")
trap 'rm -rf "$work"' EXIT

cmd() {
	cat <<-EOC
	insmod /lib/stmexec/stmexec.ko backend=sim sim_bios=$1 policy=kernel || exit 1
	echo 1 > /sys/class/misc/stmexec/enabled || exit 1
	sed -n 's/^digest: sha256:/DIGEST-OF-BOOT /p' /sys/kernel/security/stmexec/isolation_report
	grep 'Kernel code' /proc/iomem | sed 's/^ */KERNEL-CODE /'
	EOC
}

# run-guest options come after the two positional arguments of boot()
run() { # N LIST
	n=$1 list=$2
	shift 2
	"$TOP/selftests/qemu/run-guest.sh" --quiet --log "$work/boot$n.log" "$@" \
		--cmd "$(cmd "$list")" >/dev/null 2>&1 || true
	sed -n 's/^DIGEST-OF-BOOT \([0-9a-f]\{64\}\).*/\1/p' "$work/boot$n.log" | head -n 1
}

code() {
	sed -n 's/^KERNEL-CODE \([0-9a-f]*\)-.*/\1/p' "$work/boot$1.log" | head -n 1
}

d1=$(run 1 coreboot "$@")
d2=$(run 2 coreboot "$@")
d3=$(run 3 coreboot-16m-tseg "$@")
echo "TAP version 13"
echo "1..2"
# a boot without a digest: say why (e.g. no stmexec.ko for that kernel)
for b in 1 2 3; do
	grep -q '^DIGEST-OF-BOOT ' "$work/boot$b.log" 2>/dev/null && continue
	echo "# boot $b printed no digest; the end of its console:"
	grep -v '^\[' "$work/boot$b.log" 2>/dev/null | tail -n 8 | sed 's/^/#   /'
done
echo "# boot 1: $d1 (kernel code at $(code 1))"
echo "# boot 2: $d2 (kernel code at $(code 2))"
echo "# boot 3: $d3 (coreboot-16m-tseg)"
pass=0 fail=0
if [ -n "$d1" ] && [ "$d1" = "$d2" ]; then
	echo "ok 1 digest stable across two boots with the same inputs"
	pass=$((pass + 1))
else
	echo "not ok 1 digest stable across two boots with the same inputs"
	fail=$((fail + 1))
fi
if [ -n "$d3" ] && [ -n "$d1" ] && [ "$d1" != "$d3" ]; then
	echo "ok 2 digest changes when one BIOS descriptor changes"
	pass=$((pass + 1))
else
	echo "not ok 2 digest changes when one BIOS descriptor changes"
	fail=$((fail + 1))
fi
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ "$fail" = 0 ]
