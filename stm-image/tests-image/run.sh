#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Tests of the STM image, the stmimg builder/inspector and the MSEG
# verifier; prints KTAP.  Run through `make -C stm-image/tests-image check`
# (which builds everything first).  Progress goes to stderr.
#
#   run.sh BUILD_DIR     (holds test_verify, test_exec, optionally fuzz_mseg)
set -u

TI=$(cd "$(dirname "$0")" && pwd)
STM=$(cd "$TI/.." && pwd)
B=${1:-$TI/build}
IMG=$STM/image/stm.bin
SYM=$STM/image/build/stm.sym
STMIMG=$STM/tools/stmimg
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

results=()
pass=0 fail=0 skip=0

add() {	# add ok|fail|skip NAME [REASON]
	case $1 in
	ok) results+=("ok - $2"); pass=$((pass + 1)) ;;
	fail) results+=("not ok - $2"); fail=$((fail + 1)) ;;
	skip) results+=("ok - $2 # SKIP $3"); skip=$((skip + 1)) ;;
	esac
}

check() {	# check NAME CMD...: ok if CMD succeeds
	local name=$1; shift
	if "$@" >"$TMP/out" 2>&1; then add ok "$name"
	else add fail "$name"; sed 's/^/# /' "$TMP/out" | head -20 >&2; fi
}

expect_rc() {	# expect_rc NAME RC CMD...
	local name=$1 want=$2 rc; shift 2
	"$@" >"$TMP/out" 2>&1; rc=$?
	if [ "$rc" = "$want" ]; then add ok "$name"
	else add fail "$name (exit $rc, want $want)"; sed 's/^/# /' "$TMP/out" | head -10 >&2; fi
}

# Import the "ok - name" lines of a C test program.
run_prog() {	# run_prog LABEL CMD...
	local label=$1 line; shift
	"$@" >"$TMP/prog" 2>&1
	local rc=$?
	local n=0
	while IFS= read -r line; do
		case $line in
		"ok - "*"# SKIP"*) results+=("$line"); skip=$((skip + 1)); n=$((n + 1)) ;;
		"ok - "*) results+=("$line"); pass=$((pass + 1)); n=$((n + 1)) ;;
		"not ok - "*) results+=("$line"); fail=$((fail + 1)); n=$((n + 1)) ;;
		"#"*) echo "$line" >&2 ;;
		esac
	done <"$TMP/prog"
	if [ "$n" = 0 ] || { [ $rc -ne 0 ] && [ $rc -ne 1 ]; }; then
		add fail "$label exited $rc"
		sed 's/^/# /' "$TMP/prog" | tail -20 >&2
	fi
}

json_ok() {	# json_ok FILE [python expression on d that must be true]
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "${2:-True}"
}

echo "# stm-image tests: image, stmimg, verifier" >&2

if [ -s "$IMG" ] && [ -x "$STMIMG" ]; then
	add ok "stm.bin built (make -C stm-image/image)"
else
	add fail "stm.bin built (make -C stm-image/image)"
fi

# ---- packaging: FFS files for the C test to parse ----
"$STMIMG" ffs -o "$TMP/stm.ffs" "$IMG" >/dev/null 2>&1
"$STMIMG" ffs --checksum -o "$TMP/stm-sum.ffs" "$IMG" >/dev/null 2>&1

run_prog test_verify "$B/test_verify" "$IMG" "$TMP/stm.ffs" "$TMP/stm-sum.ffs"
run_prog test_exec "$B/test_exec" "$IMG" "$SYM"

# ---- stmimg command line ----
expect_rc "stmimg verify stm.bin -> exit 0" 0 "$STMIMG" verify "$IMG"
expect_rc "stmimg verify --mseg-rev 0 (matching CPU) -> exit 0" 0 \
	"$STMIMG" verify --mseg-rev 0 "$IMG"
expect_rc "stmimg verify --mseg-rev 1 -> exit 12 (revision)" 12 \
	"$STMIMG" verify --mseg-rev 1 "$IMG"
grep -q 'FAIL \[revision\]' "$TMP/out" && add ok "revision failure message names the check" ||
	add fail "revision failure message names the check"
expect_rc "stmimg verify --mseg-size 0x10000 -> exit 29 (mseg-size)" 29 \
	"$STMIMG" verify --mseg-size 0x10000 "$IMG"
expect_rc "stmimg verify --mseg-size 0x200000 --cpus 8 -> exit 0" 0 \
	"$STMIMG" verify --mseg-size 0x200000 --cpus 8 "$IMG"
head -c 2048 "$IMG" >"$TMP/trunc.bin"
expect_rc "stmimg verify truncated file -> exit 11 (truncated)" 11 \
	"$STMIMG" verify "$TMP/trunc.bin"
cp "$IMG" "$TMP/feat.bin"
printf '\003' | dd of="$TMP/feat.bin" bs=1 seek=4 conv=notrunc status=none
expect_rc "stmimg verify features bit 1 -> exit 13 (features)" 13 \
	"$STMIMG" verify "$TMP/feat.bin"
expect_rc "stmimg ffs refuses a bad image" 13 \
	"$STMIMG" ffs -o "$TMP/bad.ffs" "$TMP/feat.bin"
expect_rc "stmimg usage error -> exit 2" 2 "$STMIMG" verify --bogus "$IMG"
expect_rc "stmimg missing file -> exit 3" 3 "$STMIMG" info "$TMP/nonexistent"

"$STMIMG" verify --json --mseg-rev 1 --mseg-size 0x10000 "$IMG" >"$TMP/v.json"
check "verify --json (failing) is valid JSON listing both failures" \
	json_ok "$TMP/v.json" 'not d["ok"] and [f["check"] for f in d["failures"]] == ["revision", "mseg-size"] and d["exit_status"] == 12'
"$STMIMG" verify --json "$IMG" >"$TMP/v2.json"
check "verify --json (passing) is valid JSON" \
	json_ok "$TMP/v2.json" 'd["ok"] and d["failures"] == [] and d["exit_status"] == 0'
"$STMIMG" info --json --cpus 4 --mseg-size 0x200000 "$IMG" >"$TMP/i.json"
size=$(stat -c %s "$IMG")
check "info --json is valid JSON with every header field" \
	json_ok "$TMP/i.json" "all(k in d['hardware_header'] for k in ['StmHeaderRevision','MonitorFeatures','GdtrLimit','GdtrBaseOffset','CsSelector','EipOffset','EspOffset','Cr3Offset']) and all(k in d['software_header'] for k in ['StmSpecVerMajor','StmSpecVerMinor','StaticImageSize','PerProcDynamicMemorySize','AdditionalDynamicMemorySize','StmFeatures','NumberOfRevIDs','StmSmmRevID']) and d['software_header']['StaticImageSize'] == $size and d['min_mseg_size']['corrected'] >= d['min_mseg_size']['reference'] and d['max_cpus'] >= 1"
"$STMIMG" info --cpus 4 "$IMG" >"$TMP/info.txt"
missing=""
for f in StmHeaderRevision MonitorFeatures GdtrLimit GdtrBaseOffset CsSelector \
	EipOffset EspOffset Cr3Offset StmSpecVer StaticImageSize \
	PerProcDynamicMemorySize AdditionalDynamicMemorySize StmFeatures \
	NumberOfRevIDs 'StmSmmRevID\[0\]' 'reference formula' 'corrected'; do
	grep -q "$f" "$TMP/info.txt" || missing="$missing $f"
done
[ -z "$missing" ] && add ok "info prints every header field and both min-MSEG formulas" ||
	add fail "info prints every header field and both min-MSEG formulas (missing:$missing)"

# ---- reproducibility: two builds in different directories, same bytes ----
repro() {
	local d=$1
	mkdir -p "$d/stm-image"
	cp -r "$STM/include" "$STM/core" "$STM/runtime" "$STM/tools" "$STM/image" "$d/stm-image/"
	rm -rf "$d/stm-image/image/build" "$d/stm-image/image/stm.bin" \
		"$d/stm-image/tools/stmimg"
	(cd "$d" && make -s -C stm-image/image "${@:2}" >"$d/log" 2>&1)
}
if repro "$TMP/a" && repro "$TMP/another/deeper/dir"; then
	check "reproducible: two clean builds in different directories are identical" \
		cmp "$TMP/a/stm-image/image/stm.bin" "$TMP/another/deeper/dir/stm-image/image/stm.bin"
	check "reproducible: a clean rebuild equals the tree's stm.bin" \
		cmp "$TMP/a/stm-image/image/stm.bin" "$IMG"
else
	add fail "reproducible builds (build in a copy failed)"
	tail -20 "$TMP"/a/log "$TMP"/another/deeper/dir/log 2>/dev/null | sed 's/^/# /' >&2
fi
if repro "$TMP/rev" STM_MSEG_REVISION=0x1234 &&
   "$STMIMG" verify --mseg-rev 0x1234 "$TMP/rev/stm-image/image/stm.bin" >/dev/null &&
   cmp -s <(tail -c +5 "$TMP/rev/stm-image/image/stm.bin") <(tail -c +5 "$IMG"); then
	add ok "STM_MSEG_REVISION=0x1234 changes only the revision field"
else
	add fail "STM_MSEG_REVISION=0x1234 changes only the revision field"
fi

# ---- fuzz smoke run over the committed seeds ----
if [ -x "$B/fuzz_mseg" ]; then
	mkdir -p "$TMP/corpus" && cp "$TI"/corpus/* "$TMP/corpus/"
	check "fuzz_mseg: 20000 runs from the seed corpus, no crash" \
		"$B/fuzz_mseg" -runs=20000 -max_len=16384 "$TMP/corpus"
else
	add skip "fuzz_mseg smoke run" "clang libFuzzer not available"
fi

echo "KTAP version 1"
echo "1..${#results[@]}"
i=0
for r in "${results[@]}"; do
	i=$((i + 1))
	case $r in
	"not ok - "*) echo "not ok $i ${r#not ok - }" ;;
	*) echo "ok $i ${r#ok - }" ;;
	esac
done
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
[ "$fail" = 0 ]
