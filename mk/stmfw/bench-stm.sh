#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench-stm`: the bundled STM against Intel's, side by side,
# deterministic where it can be:
#   1. instructions the STM executes per SMI: from the SMM VM exit to the VM
#      entry that returns to the executive monitor, without the SMM guest's
#      own instructions (the firmware's handler). Counted by Bochs (patch 7
#      of mk/bochs-dm/patches, BOCHS_DM_ICOUNT=1: retired instructions, not
#      time) over the same run of the check-stm guest suite with each STM
#      (mk/stmfw/check-stm.sh), so both see the same SMIs (stmfw-smi nop,
#      touches, ...); the median per SMI and the ratio;
#   2. EPT + bitmap pool pages for the module's default-policy shape
#      (stm-image/tests: rt_smm_pool_vs_reference): ours built by
#      runtime/ept.c, the reference's counted by a model of its EPT
#      algorithm (2 MiB leaves below 4 GiB, 1 GiB above, one table per
#      split leaf, never merged);
#   3. the MSEG bytes each image needs for 2, 8 and 64 CPUs (stmimg info).
#
# usage: bench-stm.sh [--kver VER] [--bochs BIN] [--timeout S] [--intel intel|intel-release]
#   --bochs BIN   a Bochs with patch 7 (default: mk/bochs-dm/build.sh --path
#                 when that key is built; otherwise part 1 is skipped)
#   --intel       which Intel build to compare (default intel-release: the
#                 DEBUG build spends most of its instructions on COM1 output)
# Output: a table on stdout; logs build/logs/bench-stm-{intel,ours}-*.log.
# Exit status 0 if every part ran (or was skipped for a missing Bochs).
set -u

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/../.." && pwd)}
cd "$TOP" || exit 2
kver=${STM_KVER:-} bochs='' timeout=${STM_TIMEOUT:-1500} intel=intel-release
while [ $# -gt 0 ]; do
	case $1 in
	--kver) kver=$2; shift ;;
	--bochs) bochs=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--intel) intel=$2; shift ;;
	-h | --help) sed -n '3,27{s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) echo "bench-stm: unknown argument '$1' (--help)" >&2; exit 2 ;;
	esac
	shift
done
logs=$TOP/build/logs
mkdir -p "$logs"
say() { echo "bench-stm: $*"; }
rc=0

# ---- 3. MSEG bytes ------------------------------------------------------------
make -s -C stm-image/image >/dev/null || { say "building stm-image/image failed"; exit 1; }
stmimg=$TOP/stm-image/tools/stmimg
ref=${STM_REF_DIR:-$TOP/../shared/reference-stm}
[ -d "$ref" ] || ref=$TOP/../../shared/reference-stm
intel_bin=$ref/X64RELEASE/Stm.bin
[ "$intel" = intel ] && intel_bin=$ref/X64DEBUG/Stm.bin
mseg() { # IMAGE CPUS
	"$stmimg" info --json --cpus "$2" "$1" 2>/dev/null |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["min_mseg_size"]["corrected"])' 2>/dev/null
}

# ---- 2. pool pages ----------------------------------------------------------------
make -s -C stm-image "$TOP/build/stm-image/stm-runtime-tests" >/dev/null 2>&1 ||
	make -s -C stm-image all >/dev/null
pool=$("$TOP/build/stm-image/stm-runtime-tests" rt_smm_pool_vs_reference 2>/dev/null |
	sed -n 's/^# pool: //p')

# ---- 1. instructions per SMI -----------------------------------------------------
if [ -z "$bochs" ]; then
	if mk/bochs-dm/build.sh --check >/dev/null 2>&1; then
		bochs=$(mk/bochs-dm/build.sh --path 2>/dev/null | tail -n 1)
	fi
fi
icount_run() { # STM NAME
	local log=$logs/bench-stm-$2
	BOCHS_DM_ICOUNT=1 mk/stmfw/check-stm.sh --stm "$1" --bochs "$bochs" \
		${kver:+--kver "$kver"} --timeout "$timeout" >"$log-check.log" 2>&1
	local r=$?
	cp "$logs/check-stm-bochs.log" "$log-bochs.log" 2>/dev/null
	cp "$logs/check-stm-com1.log" "$log-com1.log" 2>/dev/null
	return $r
}
# stats FILE: "n min median max" of stm= over SMIs (exit 5 or 6)
stats() {
	sed -n 's/.*bochs-dm-icount: cpu=[0-9]* exit=\([56]\) stm=\([0-9]*\) smm_guest=\([0-9]*\).*/\2 \3/p' "$1" |
		sort -n | awk '{ v[NR] = $1; g[NR] = $2 } END {
			if (NR == 0) { print "0 - - - -"; exit }
			m = v[int((NR + 1) / 2)]
			print NR, v[1], m, v[NR], g[int((NR + 1) / 2)] }'
}
if [ -n "$bochs" ] && [ -x "$bochs" ]; then
	say "instructions per SMI: check-stm with $intel, then ours, under $bochs (BOCHS_DM_ICOUNT=1)"
	icount_run "$intel" intel; ri=$?
	icount_run ours ours; ro=$?
	read -r ni mini medi maxi gi <<<"$(stats "$logs/bench-stm-intel-bochs.log")"
	read -r no mino medo maxo go <<<"$(stats "$logs/bench-stm-ours-bochs.log")"
	say "check-stm: $intel $(tail -n 1 "$logs/bench-stm-intel-check.log") (rc $ri); ours $(tail -n 1 "$logs/bench-stm-ours-check.log") (rc $ro)"
else
	say "SKIP instructions per SMI: no Bochs with patch 7 (mk/bochs-dm/build.sh, or --bochs BIN)"
	ni=0 no=0
fi

ratio() { # OURS INTEL
	awk -v o="$1" -v i="$2" 'BEGIN { if (i > 0 && o > 0) printf "%.3f", o / i; else printf "-" }'
}
echo
printf '%-44s %16s %16s %8s\n' "" "$intel" "ours" "ours/intel"
if [ "$ni" != 0 ] && [ "$no" != 0 ]; then
	printf '%-44s %16s %16s %8s\n' "STM instructions per SMI (median)" "$medi" "$medo" "$(ratio "$medo" "$medi")"
	printf '%-44s %16s %16s\n' "  min / max" "$mini / $maxi" "$mino / $maxo"
	printf '%-44s %16s %16s\n' "  SMIs counted" "$ni" "$no"
	printf '%-44s %16s %16s\n' "  SMM guest (firmware handler), median" "$gi" "$go"
elif [ "$ni" != 0 ]; then
	printf '%-44s %16s %16s\n' "STM instructions per SMI (median)" "$medi" "(no SMI)"
	say "ours counted no SMI: see $logs/bench-stm-ours-check.log"
	rc=1
fi
if [ -n "$pool" ]; then
	read -r pi po <<<"$pool"
	printf '%-44s %16s %16s %8s\n' "pool pages, default-policy shape (EPT+bitmaps)" "$pi (model)" "$po" "$(ratio "$po" "$pi")"
else
	say "pool pages: stm-runtime-tests rt_smm_pool_vs_reference gave nothing"
	rc=1
fi
for n in 2 8 64; do
	mi=$(mseg "$intel_bin" $n) mo=$(mseg stm-image/image/stm.bin $n)
	printf '%-44s %16s %16s %8s\n' "MSEG bytes, $n CPUs" "${mi:--}" "${mo:--}" "$(ratio "${mo:-0}" "${mi:-0}")"
done
exit $rc
