#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build Bochs 3.0 (Debian's source package 3.0+dfsg-1) with the dual-monitor
# treatment of SMIs and SMM (our patch series mk/bochs-dm/patches/*.patch,
# SDM Vol. 3C "Dual-Monitor Treatment of SMIs and SMM"), headless, once.
#
# usage: build.sh [--unpatched] [--path | --dir | --check | --key | --unpack DIR]
#        (no action)   build if needed, then report (on stderr)
#        --path        build if needed, then print the absolute path of the
#                      bochs binary (the only line on stdout)
#        --dir         print the output directory of the current key and exit
#        --check       exit 0 if the current key is built, 1 if not
#        --key         print the cache key and exit
#        --unpack DIR  unpack and patch a fresh tree into DIR (for working on
#                      the series: edit there, `make -j2`, regenerate)
#        --unpatched   the same tree without our series (Debian's patches
#                      only): another cache key; the conformance suite's
#                      activation checks must fail on it
#
# Cache key: 3.0+dfsg-1-<sha256 of the two tarball hashes, the configure
# line and every patch of the series, in order>[0:16]. Output, in
# $STMEXEC_CACHE/bochs-dm-<key>/ (bochs-dm-unpatched-<key>/ for --unpatched):
#   bochs            the binary (static: no plugins)
#   src/             the patched, built tree (incremental `make -j2` works)
#   configure.txt    the configure line; patches.txt the applied series
#   build-time.txt   how long the build took on this machine, and how
#   .complete        stamp written last
#
# Source, first that works: `apt-get source --download-only bochs` with a
# private sources list (trixie deb-src) and lists directory (the machine's
# apt configuration is not touched; on the project machines the archive
# answers 404 for the .dsc, so apt fails but may leave the tarballs);
# $BOCHS_SRC_DIR; ../shared/bochs-src beside the repository (also
# ../../shared for a worktree under /work/wt). The tarballs are accepted
# only with the sha256 sums below (shared/bochs-src/README.md).
#
# Environment:
#   STMEXEC_CACHE   default ${XDG_CACHE_HOME:-$HOME/.cache}/stmexec
#   BOCHS_SRC_DIR   a directory holding the two tarballs
#   BOCHS_DM_APT    0 skips the apt attempt (default 1)
#   JOBS            make -j (default 2)
#   NICE            nice level of the compile (default 19: shared machine)
set -euo pipefail

# The whole script is one compound command, parsed before it runs: editing
# build.sh while a build is running (minutes) cannot derail that build.
{
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${STMEXEC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stmexec}
jobs=${JOBS:-2}
nicelvl=${NICE:-19}

debver=3.0+dfsg-1
orig=bochs_3.0+dfsg.orig.tar.xz
deb=bochs_3.0+dfsg-1.debian.tar.xz
orig_sha=78f6c73d4a6472d5130a87ab9dc306d02c7c71ed8e25b3a8ef642e2a7acd282b
deb_sha=c68fe1162aa485249467ec93707ccbf5d039b00d12815899fc2c819ec16d00df

# Debian's CPU options (debian/rules), headless (nogui + term), static (no
# plugins), no debugger (it slows every instruction down).
conf=(--with-nogui --with-term
	--enable-vmx=2 --enable-smp --enable-x86-64 --enable-cpu-level=6
	--enable-avx --enable-evex --enable-cet
	--enable-pci --enable-cdrom --enable-a20-pin --enable-fpu
	--enable-all-optimizations --enable-repeat-speedups --enable-idle-hack
	--enable-memtype)

die() {
	echo "bochs-dm: $*" >&2
	exit 1
}
say() {
	echo "bochs-dm: $*" >&2
}

variant=bochs-dm
patched=1
if [ "${1:-}" = --unpatched ]; then
	variant=bochs-dm-unpatched
	patched=0
	shift
fi

patches=()
if [ $patched = 1 ]; then
	shopt -s nullglob
	patches=("$here"/patches/*.patch)
	shopt -u nullglob
fi

# --- cache key ---------------------------------------------------------------
keyhash=$({
	echo "$orig_sha $deb_sha"
	echo "${conf[*]}"
	for p in "${patches[@]}"; do
		echo "== $(basename "$p")"
		cat "$p"
	done
} | sha256sum | cut -c1-16)
key=$debver-$keyhash
out=$cache/$variant-$key

action=${1:-}
case $action in
--key) echo "$key"; exit 0 ;;
--dir) echo "$out"; exit 0 ;;
--check) [ -f "$out/.complete" ]; exit ;;
--path | '') ;;
--unpack) [ $# -ge 2 ] || die "--unpack needs a directory" ;;
*) sed -n '8,20{s/^# \{0,1\}//;p}' "$0" >&2; exit 2 ;;
esac

report() {
	say "key      $key"
	say "binary   $out/bochs"
	say "series   ${#patches[@]} patch(es)"
	sed 's/^/bochs-dm: /' "$out/build-time.txt" >&2
}

if [ "$action" != --unpack ] && [ -f "$out/.complete" ]; then
	if [ "$action" = --path ]; then
		echo "$out/bochs"
	else
		say "up to date (cached)"
		report
	fi
	exit 0
fi

# --- source --------------------------------------------------------------------
sha_ok() { # DIR: both tarballs present with the expected sums
	[ -f "$1/$orig" ] && [ -f "$1/$deb" ] &&
		[ "$(sha256sum <"$1/$orig" | cut -d' ' -f1)" = "$orig_sha" ] &&
		[ "$(sha256sum <"$1/$deb" | cut -d' ' -f1)" = "$deb_sha" ]
}

dl=$cache/bochs-src-$debver
try_apt() {
	command -v apt-get >/dev/null || return 1
	local d=$dl.apt
	rm -rf "$d"
	mkdir -p "$d/lists/partial" "$d/archives/partial" "$d/get"
	cat >"$d/sources.list" <<-EOF
		deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
	EOF
	local a=(-o "Dir::Etc::SourceList=$d/sources.list"
		-o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$d/lists"
		-o "Dir::Cache=$d/cache"
		-o "Dir::Cache::archives=$d/archives"
		-o APT::Sandbox::User=root
		-o Acquire::Retries=1 -o Acquire::http::Timeout=30)
	say "trying apt-get source --download-only bochs=$debver (private sources list in $d)"
	if ! timeout 300 apt-get "${a[@]}" -qq update >"$d/apt.log" 2>&1; then
		say "apt-get update failed (see $d/apt.log)"
		return 1
	fi
	(cd "$d/get" && timeout 600 apt-get "${a[@]}" -q source --download-only "bochs=$debver") \
		>>"$d/apt.log" 2>&1 || say "apt-get source exited non-zero (expected here: the archive answers 404 for the .dsc); checking what it fetched"
	if sha_ok "$d/get"; then
		mkdir -p "$dl"
		cp "$d/get/$orig" "$d/get/$deb" "$dl/"
		say "apt delivered both tarballs, sha256 verified"
		return 0
	fi
	say "apt did not deliver both tarballs with the expected sha256 (see $d/apt.log)"
	return 1
}

mkdir -p "$cache"
exec 9>"$out.lock"
if ! flock -n 9; then
	say "another build of $key is running; waiting for it"
	flock 9
fi
if [ "$action" != --unpack ] && [ -f "$out/.complete" ]; then
	if [ "$action" = --path ]; then echo "$out/bochs"; else report; fi
	exit 0
fi

srcdir=
if sha_ok "$dl"; then
	srcdir=$dl
elif [ "${BOCHS_DM_APT:-1}" != 0 ] && try_apt; then
	srcdir=$dl
else
	for d in "${BOCHS_SRC_DIR:-}" "$top/../shared/bochs-src" "$top/../../shared/bochs-src"; do
		[ -n "$d" ] || continue
		if sha_ok "$d"; then
			srcdir=$(cd "$d" && pwd)
			say "using the tarballs in $srcdir (sha256 verified)"
			break
		elif [ -e "$d" ]; then
			say "$d: no $orig and $deb with the expected sha256, ignored"
		fi
	done
fi
[ -n "$srcdir" ] || die "no Bochs $debver source: apt failed, and neither BOCHS_SRC_DIR nor ../shared/bochs-src holds $orig ($orig_sha) and $deb ($deb_sha)"

unpack() { # DIR: unpacked, Debian patches + our series applied
	local t=$1 p
	rm -rf "$t"
	mkdir -p "$t"
	tar -xJf "$srcdir/$orig" -C "$t" --strip-components=1
	tar -xJf "$srcdir/$deb" -C "$t"
	while read -r p; do
		case $p in '' | '#'*) continue ;; esac
		patch -d "$t" -p1 -s -F0 --no-backup-if-mismatch <"$t/debian/patches/$p" ||
			die "Debian patch $p does not apply"
	done <"$t/debian/patches/series"
	for p in "${patches[@]}"; do
		patch -d "$t" -p1 -s -F0 --no-backup-if-mismatch <"$p" ||
			die "$(basename "$p") does not apply (series in $here/patches)"
	done
}

if [ "$action" = --unpack ]; then
	unpack "$2"
	say "unpacked and patched (${#patches[@]} of our patches) into $2"
	exit 0
fi

for t in g++ make patch tar xz; do
	command -v "$t" >/dev/null || die "$t not found: run 'make deps'"
done
[ -e /usr/include/ncurses.h ] || [ -e /usr/include/curses.h ] ||
	die "ncurses headers missing (--with-term): install libncurses-dev (make deps)"

t_all0=$(date +%s)
src=$out/src
say "unpacking into $src (Debian patches, then ${#patches[@]} of ours)"
rm -f "$out/.complete"
unpack "$src"
printf '%s\n' "${patches[@]##*/}" >"$out/patches.txt"
echo "./configure ${conf[*]}" >"$out/configure.txt"

load0=$(cut -d' ' -f1-3 /proc/loadavg)
say "configure + nice -n $nicelvl make -j$jobs (load average before: $load0); log $out/build.log"
t0=$(date +%s)
(cd "$src" && nice -n "$nicelvl" ./configure "${conf[@]}" &&
	nice -n "$nicelvl" make -j"$jobs") >"$out/build.log" 2>&1 ||
	{ tail -n 30 "$out/build.log" >&2; die "build failed (see $out/build.log)"; }
t1=$(date +%s)
load1=$(cut -d' ' -f1-3 /proc/loadavg)
[ -x "$src/bochs" ] || die "no bochs binary after the build"
cp "$src/bochs" "$out/bochs.tmp"
mv "$out/bochs.tmp" "$out/bochs"

secs=$((t1 - t0))
{
	echo "build: $((secs / 60)) min $((secs % 60)) s (configure + nice -n $nicelvl make -j$jobs; $(nproc) CPUs shared with other jobs; load average before $load0, after $load1)"
	echo "total with unpacking: $(($(date +%s) - t_all0)) s; built $(date -u +%Y-%m-%dT%H:%MZ) on $(uname -n), g++ $(g++ -dumpfullversion)"
} >"$out/build-time.txt"
touch "$out/.complete"
if [ "$action" = --path ]; then
	echo "$out/bochs"
else
	say "built"
	report
fi
exit
}
