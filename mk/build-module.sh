#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build stmexec.ko for one kernel in a per-kernel copy of the sources.
#
# usage: build-module.sh [--production] [--fresh] [--check LOG] [--out DIR]
#                        KDIR [make args, e.g. W=1 C=1]
#
# Copies the files the module needs (kmod/, uapi/, stm-image/include/,
# stm-image/core/: the tracked and untracked-but-not-ignored files) into
# build/<kver>/ with the same relative layout, touching only files whose
# content changed (so Kbuild rebuilds only what changed) and removing copies
# of files that disappeared from the tree. Then:
#     make -C KDIR M=build/<kver>/kmod CONFIG_STMEXEC=m CONFIG_STMEXEC_SIM=y \
#          [make args] modules
#
# That is the test build, with the simulated STM and fault injection, which
# every test tier loads (HACKING.md, "Build variants").
#   --production the production build instead (no CONFIG_STMEXEC_SIM: what
#                DKMS and the .deb build), by default into build/prod/<kver>/
#   --out DIR    the copy goes to DIR instead of build/<kver>/ (make check
#                uses build/check/<kver>/ so that it never pulls the module
#                from under someone else's guest run)
#   --fresh      start from an empty output directory (every file recompiled, so
#                every warning shows)
#   --check LOG  write the build output to LOG and fail if it holds any
#                compiler, sparse or modpost warning/error line (printed)
#
# Builds into the same directory are serialised with flock (other people may
# run make in this tree at the same time).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/.." && pwd)}
export TOP

fresh=0 check='' out='' sim=CONFIG_STMEXEC_SIM=y
while [ $# -gt 0 ]; do
	case $1 in
	--production) sim='' ;;
	--fresh) fresh=1 ;;
	--check) check=$2; shift ;;
	--out) out=$2; shift ;;
	*) break ;;
	esac
	shift
done
[ $# -ge 1 ] || { echo "usage: build-module.sh [--production] [--fresh] [--check LOG] [--out DIR] KDIR [make args]" >&2; exit 2; }
kdir=$1
shift
kver=$("$here/kernels.sh" kver "$kdir")
if [ -z "$out" ]; then
	if [ -n "$sim" ]; then out=$TOP/build/$kver; else out=$TOP/build/prod/$kver; fi
fi
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
dirs="kmod uapi stm-image/include stm-image/core stm-image/tools/mseg_verify.c stm-image/tools/mseg_verify.h"

if [ ! -f "$TOP/kmod/Kbuild" ] && [ ! -f "$TOP/kmod/Makefile" ]; then
	echo "build-module: kmod/ has neither Kbuild nor Makefile yet: no module to build" >&2
	exit 1
fi

list_sources() {
	cd "$TOP"
	# shellcheck disable=SC2086 # $dirs is a list
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files -co --exclude-standard -- $dirs
	else
		find $dirs -type f ! -name '*.o' ! -name '*.ko' ! -name '*.cmd' \
			! -name '*.mod' ! -name '*.mod.c' ! -name '*.d' \
			! -name modules.order ! -name Module.symvers 2>/dev/null
	fi | while read -r f; do [ -f "$f" ] && echo "$f"; done | LC_ALL=C sort
}

stage() {
	[ "$fresh" = 0 ] || rm -rf "$out"
	mkdir -p "$out"
	list_sources >"$out/.sources.new"
	while read -r f; do
		d=$out/$f
		# A changed file gets a fresh mtime (no -p): a source edited
		# while an earlier build compiled its old copy would otherwise
		# keep an mtime older than that object and never be rebuilt.
		if ! cmp -s "$TOP/$f" "$d"; then
			mkdir -p "$(dirname "$d")"
			cp "$TOP/$f" "$d"
		fi
	done <"$out/.sources.new"
	if [ -f "$out/.sources" ]; then
		LC_ALL=C comm -23 "$out/.sources" "$out/.sources.new" | while read -r f; do
			rm -f "$out/$f"
		done
	fi
	mv "$out/.sources.new" "$out/.sources"
}

build() {
	stage
	echo "build-module: $kver: make -C $kdir M=${out#"$TOP"/}/kmod ${sim:-(production)} $* modules"
	# Parallel unless a parent make already hands out job slots.
	case ${MAKEFLAGS:-} in
	*jobserver*) jobs='' ;;
	*) jobs=-j$(nproc) ;;
	esac
	# shellcheck disable=SC2086 # $jobs and $sim may be empty
	make $jobs -C "$kdir" M="$out/kmod" CONFIG_STMEXEC=m $sim "$@" modules
}

mkdir -p "$TOP/build"
exec 9>"$TOP/build/.lock-$(printf '%s' "$out" | cksum | cut -d' ' -f1)"
if ! flock -n 9; then
	echo "build-module: waiting for another build for $kver to finish..." >&2
	flock 9
fi

if [ -z "$check" ]; then
	build "$@"
	exit 0
fi

mkdir -p "$(dirname "$check")"
rc=0
build "$@" >"$check" 2>&1 || rc=$?
# gcc/clang/sparse: "file:line:col: warning: ..."; modpost: "WARNING: ...";
# kbuild/make: "... warning: ..." too. Build errors fail through rc.
bad=$(grep -E '(^|[: ])([Ww]arning|[Ee]rror):|^WARNING:|^ERROR:' "$check" || true)
if [ "$rc" -ne 0 ] || [ -n "$bad" ]; then
	echo "build-module: $kver $*: FAILED (make exit $rc); full output: $check" >&2
	if [ -n "$bad" ]; then
		printf '%s\n' "$bad" | sed 's/^/build-module:   /' >&2
	else
		tail -n 20 "$check" | sed 's/^/build-module:   /' >&2
	fi
	exit 1
fi
echo "build-module: $kver $*: clean ($(grep -cE '^  (CC|CHECK) ' "$check") compile/check steps)"
