#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# usage: [STMEXEC_OBJDIR=build/<kver>/kmod] lint.sh CHECKPATCH_DIR
#
# checkpatch.pl --strict --no-tree -f on the module, the UAPI header, the STM
# core and the CLI (every ERROR, WARNING and CHECK fails), then shellcheck
# on the harness scripts when shellcheck is installed, the function length
# and bool-parameter check (mk/fnlen.sh), then the layering of
# kmod/ (mk/layers.sh) over the objects in STMEXEC_OBJDIR (required; `make
# lint` builds the module and sets it). CHECKPATCH_DIR holds
# checkpatch.pl with spelling.txt and const_structs.checkpatch next to it
# (the Makefile extracts them from Debian's linux-source tarball).
#
# Last, HACKING.md against the tree (mk/hacking.sh, and its --self-test).
# Every shell script of the tree is checked; lint fails when the tool
# is missing (make deps installs shellcheck) or no C source is found.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/.." && pwd)}
cp_dir=${1:?usage: lint.sh CHECKPATCH_DIR}
cd "$TOP"

fail=0
files=''
for f in kmod/*.[ch] uapi/linux/*.h stm-image/core/*.c stm-image/include/stm/*.h \
	stm-image/runtime/*.[ch] \
	stm-image/tools/mseg_verify.[ch] stm-image/image/*.[ch] tools/*.c \
	stm-fw/*.[ch] selftests/stmfw/*.c; do
	[ -f "$f" ] && files="$files $f"
done

if [ -z "$files" ]; then
	echo "lint: no C source found: run lint.sh from a complete tree"
	fail=1
else
	n=0 bad=0
	for f in $files; do
		n=$((n + 1))
		# The STM's shared sources (wire format, policy core, MSEG
		# verifier, image runtime) are built unchanged in the kernel, in
		# the freestanding STM image and in userspace tests, so they use
		# the <stdint.h> names that all three have: uint32_t, not u32.
		ignore=''
		case "$f" in
		stm-image/*) ignore='--ignore PREFER_KERNEL_TYPES' ;;
		# The test firmware and its guest tool: freestanding or libc C,
		# no kernel headers (no u32, BIT(), __packed), MMIO and memory
		# shared with SMM through volatile, asm symbols as externs, and
		# asm templates ("outb %0, %1") that look like function names.
		stm-fw/* | selftests/stmfw/*)
			ignore='--ignore PREFER_KERNEL_TYPES,VOLATILE,AVOID_EXTERNS,EMBEDDED_FUNCTION_NAME,PREFER_DEFINED_ATTRIBUTE_MACRO,BIT_MACRO,NEW_TYPEDEFS' ;;
		esac
		# shellcheck disable=SC2086 # $ignore is empty or two words
		if ! out=$(perl "$cp_dir/checkpatch.pl" --strict --no-tree --terse \
			--show-types --no-summary $ignore -f "$f" 2>&1); then
			bad=$((bad + 1))
			printf '%s\n' "$out"
		elif [ -n "$out" ]; then
			printf '%s\n' "$out"
		fi
	done
	if [ "$bad" -gt 0 ]; then
		echo "lint: checkpatch --strict: $bad of $n files have problems (above)"
		fail=1
	else
		echo "lint: checkpatch --strict: $n files clean"
	fi
fi

scripts=''
for f in mk/*.sh mk/bochs/*.sh mk/bochs-dm/*.sh mk/bochs-dm/conformance/*.sh \
	mk/debug-kernel/*.sh mk/packaging/*.sh mk/stmfw/*.sh selftests/qemu/*.sh \
	selftests/stmfw/*.sh selftests/stmexec/*.sh selftests/stress/*.sh \
	selftests/bochs/*.sh selftests/policy/*.sh selftests/kselftest/*.sh .ci/run; do
	[ -f "$f" ] && scripts="$scripts $f"
done
if command -v shellcheck >/dev/null; then
	# shellcheck disable=SC2086 # globs
	if shellcheck $scripts; then
		echo "lint: shellcheck: harness scripts clean"
	else
		echo "lint: shellcheck: problems in the harness scripts (above)"
		fail=1
	fi
else
	echo "lint: shellcheck not installed: run 'make deps' (mk/deps-check.list)"
	fail=1
fi
python3 -c 'import ast, sys; ast.parse(open(sys.argv[1]).read())' mk/summarize.py || fail=1

# Functions with one job (HACKING.md, "Rules"): at most 60 body lines and
# two bool parameters, for the module, the STM and the CLI (tests and
# fuzzers are not held to it).
"$here/fnlen.sh" --self-test || fail=1
"$here/fnlen.sh" kmod/*.c stm-image/core/*.c stm-image/runtime/*.c \
	stm-image/image/*.c stm-image/tools/*.c tools/*.c || fail=1

# Files with one job (HACKING.md, "Rules"): no kmod/ source over 800 lines,
# no private header over 250.
big=$(wc -l kmod/*.c | awk '$2 != "total" && $1 > 800 { print $2 ": " $1 " lines (at most 800)" }'
	wc -l kmod/*.h | awk '$2 != "total" && $1 > 250 { print $2 ": " $1 " lines (at most 250)" }')
if [ -n "$big" ]; then
	echo "$big"
	echo "lint: files above are too long: split them by job (HACKING.md, \"Rules\")"
	fail=1
else
	echo "lint: file size: every kmod/*.c at most 800 lines, every kmod/*.h at most 250"
fi

if [ -n "${STMEXEC_OBJDIR:-}" ]; then
	"$here/layers.sh" "$STMEXEC_OBJDIR" || fail=1
else
	echo "lint: layers: STMEXEC_OBJDIR is not set (make lint sets it): kmod/ layering not checked"
	fail=1
fi

# HACKING.md against the tree, and the check's own test (a broken copy of
# the tree must fail it in each way it checks)
"$here/hacking.sh" || fail=1
"$here/hacking.sh" --self-test || fail=1

exit $fail
