#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the stmexec debug guest kernel (KASAN, lockdep, kmemleak, UBSAN,
# KFENCE, debugobjects; LZ4-compressed) from Debian's linux-source-6.1, once.
#
# usage: build.sh [--config FRAGMENT] [--dir | --check | --key | --key-input]
#        (no action)         build if needed, then print the result
#        --dir               print the output directory of the current key
#                            (whether or not it is built) and exit
#        --check             exit 0 if the current key is built, 1 if not
#        --key               print the cache key and exit
#        --key-input         print what the key hashes and exit
#        --config FRAGMENT   another fragment instead of debug.config (e.g.
#                            a lighter LZ4 kernel without sanitizers for
#                            the Bochs tier); its output directory is
#                            <fragment name>-<key>
#
# In-tree stmexec: a fragment that sets CONFIG_STMEXEC (debug.config:
# =m, with CONFIG_STMEXEC_SIM=y for backend=sim) gets a per-key copy of the
# source, src/, into which mk/intree.sh places the driver
# (drivers/virt/stmexec, wired into drivers/virt/Kconfig and Makefile)
# before configuring; the kernel build then builds stmexec.ko in tree with
# it. make check-debug refreshes that copy with mk/intree.sh and rebuilds
# only drivers/virt/stmexec/kmod/stmexec.ko in it (the kernel image is not
# rebuilt).
#
# Cache key: <linux-source-6.1 package version>-<hash[0:16]>, hash = sha256
# over the fragment's configuration lines (CONFIG_*=... and "# CONFIG_* is
# not set"; blank and comment lines dropped; in their order, not sorted:
# a later line for the same symbol wins) and, for an in-tree fragment,
# over mk/intree.sh and the top-level Kconfig (the placement and Kconfig
# wiring). kmod/ is not part of the key: its changes are rebuilt
# incrementally. A second run with the same key does nothing. Output, in
# $STMEXEC_CACHE/debug-<key>/ (or <name>-<key>):
#   bzImage          the kernel to boot (QEMU -kernel, Bochs)
#   build/           the O= build tree: KDIR for `make -C build M=... modules`
#   src/             in-tree fragments only: the per-key source tree with
#                    drivers/virt/stmexec (the build tree refers to it)
#   kernel.release   the release string (uname -r in the guest)
#   config           the final .config
#   build-time.txt   how long the build took on this machine, and how
#   .complete        stamp written last
# The pristine source is extracted once per package version into
# $STMEXEC_CACHE/src-<version>/, shared by all keys and never modified
# (without src/, the build tree refers to it: keep both).
#
# Environment:
#   STMEXEC_CACHE   default ${XDG_CACHE_HOME:-$HOME/.cache}/stmexec
#   LINUX_TARBALL   default /usr/src/linux-source-6.1.tar.xz
#   JOBS            make -j (default 2)
#   NICE            nice level of the compile (default 19: shared machine)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
frag=$here/debug.config
if [ "${1:-}" = --config ]; then
	[ $# -ge 2 ] || { echo "debug-kernel: --config needs a file" >&2; exit 2; }
	frag=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
	shift 2
fi
name=$(basename "$frag" .config)
cache=${STMEXEC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stmexec}
tarball=${LINUX_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
jobs=${JOBS:-2}
nicelvl=${NICE:-19}

die() {
	echo "debug-kernel: $*" >&2
	exit 1
}
say() {
	echo "debug-kernel: $*" >&2
}

[ -r "$frag" ] || die "cannot read $frag"

# --- cache key ---------------------------------------------------------------
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || true)
if [ -z "$srcver" ]; then
	[ -r "$tarball" ] || die "no $tarball: install linux-source-6.1 (make deps)"
	# Not installed through dpkg: fall back to the tarball's own hash.
	srcver=tar-$(sha256sum "$tarball" | cut -c1-16)
fi
[ -r "$tarball" ] || die "no $tarball: install linux-source-6.1 (make deps)"
srcver=$(printf '%s' "$srcver" | tr -c 'A-Za-z0-9._+-' '_')
# The configuration lines of the fragment, in order (see "Cache key").
cfglines() {
	grep -E '^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_[A-Za-z0-9_]+ is not set$)' "$frag" || true
}
intree=0
! grep -q '^CONFIG_STMEXEC=' "$frag" || intree=1
top=$(cd "$here/../.." && pwd)
intree_sh=$top/mk/intree.sh
keyinput() {
	cfglines
	if [ "$intree" = 1 ]; then
		echo "# in tree: mk/intree.sh, Kconfig"
		cat "$intree_sh" "$top/Kconfig"
	fi
}
if [ "$intree" = 1 ] && { [ ! -r "$intree_sh" ] || [ ! -r "$top/Kconfig" ]; }; then
	die "$frag sets CONFIG_STMEXEC but $intree_sh or $top/Kconfig is missing"
fi
fraghash=$(keyinput | sha256sum | cut -c1-16)
key=$srcver-$fraghash
out=$cache/$name-$key
src=$cache/src-$srcver

case ${1:-} in
--key) echo "$key"; exit 0 ;;
--key-input) keyinput; exit 0 ;;
--dir) echo "$out"; exit 0 ;;
--check) [ -f "$out/.complete" ]; exit ;;
'') ;;
*) sed -n '7,17{s/^# \{0,1\}//;p}' "$0" >&2; exit 2 ;;
esac

report() {
	echo "debug-kernel: key      $key"
	echo "debug-kernel: bzImage  $out/bzImage ($(stat -c %s "$out/bzImage") bytes)"
	echo "debug-kernel: KDIR     $out/build"
	[ ! -d "$out/src" ] || echo "debug-kernel: source   $out/src (in-tree stmexec: drivers/virt/stmexec)"
	echo "debug-kernel: release  $(cat "$out/kernel.release")"
	sed 's/^/debug-kernel: /' "$out/build-time.txt"
}

if [ -f "$out/.complete" ]; then
	echo "debug-kernel: up to date (cached)"
	report
	exit 0
fi

for t in make gcc flex bison bc perl lz4 xz; do
	command -v "$t" >/dev/null || die "$t not found: run 'make deps' (the kernel build needs flex bison bc lz4 libelf-dev libssl-dev)"
done
[ -e /usr/include/libelf.h ] || [ -e /usr/include/gelf.h ] ||
	die "libelf headers missing (objtool): install libelf-dev (make deps)"
[ -e /usr/include/openssl/opensslv.h ] ||
	die "OpenSSL headers missing (certs/extract-cert): install libssl-dev (make deps)"

mkdir -p "$cache"
# One builder per key; a second caller waits, then finds .complete.
exec 9>"$out.lock"
if ! flock -n 9; then
	say "another build of $key is running; waiting for it"
	flock 9
fi
if [ -f "$out/.complete" ]; then
	echo "debug-kernel: up to date (built by the other run)"
	report
	exit 0
fi

t_all0=$(date +%s)

# --- pristine source, shared between keys --------------------------------------
exec 8>"$src.lock"
flock 8
if [ ! -f "$src/.stmexec-extracted" ]; then
	say "extracting $tarball -> $src"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xJf "$tarball" -C "$src.tmp" --strip-components=1
	touch "$src.tmp/.stmexec-extracted"
	mv "$src.tmp" "$src"
fi
flock -u 8
[ -f "$src/Makefile" ] || die "$src has no Makefile"
[ ! -e "$src/.config" ] || die "$src/.config exists: the source must stay pristine (O= builds only); remove the directory to re-extract"

# --- in tree: a per-key copy with drivers/virt/stmexec ----------------------------
ksrc=$src
if [ "$intree" = 1 ]; then
	ksrc=$out/src
	if [ ! -f "$ksrc/.stmexec-copied" ]; then
		say "copying $src -> $ksrc (per-key source for the in-tree driver)"
		rm -rf "$ksrc" "$ksrc.tmp"
		mkdir -p "$out"
		cp -a "$src" "$ksrc.tmp"
		rm -f "$ksrc.tmp/.stmexec-extracted"
		touch "$ksrc.tmp/.stmexec-copied"
		mv "$ksrc.tmp" "$ksrc"
	fi
	say "placing stmexec: $("$intree_sh" "$ksrc")"
	[ ! -e "$ksrc/.config" ] || die "$ksrc/.config exists: O= builds only; remove $out to rebuild"
fi

# --- configure -----------------------------------------------------------------
obj=$out/build
mkdir -p "$obj"
kmake() {
	make -C "$ksrc" O="$obj" "$@"
}
say "configuring in $obj (x86_64_defconfig + $frag)"
kmake -s x86_64_defconfig >/dev/null

# Apply the fragment through scripts/config, then let Kconfig resolve it.
cfgargs=()
while IFS= read -r line; do
	case $line in
	'# CONFIG_'*' is not set')
		sym=${line#\# CONFIG_}
		cfgargs+=(--disable "${sym% is not set}") ;;
	CONFIG_*=y) sym=${line%%=*}; cfgargs+=(--enable "${sym#CONFIG_}") ;;
	CONFIG_*=m) sym=${line%%=*}; cfgargs+=(--module "${sym#CONFIG_}") ;;
	CONFIG_*=\"*\")
		sym=${line%%=*} val=${line#*=\"}
		cfgargs+=(--set-str "${sym#CONFIG_}" "${val%\"}") ;;
	CONFIG_*=*)
		sym=${line%%=*}
		cfgargs+=(--set-val "${sym#CONFIG_}" "${line#*=}") ;;
	'' | '#'*) ;;
	*) die "debug.config: cannot parse line: $line" ;;
	esac
done <"$frag"
"$ksrc/scripts/config" --file "$obj/.config" "${cfgargs[@]}"
kmake -s olddefconfig >/dev/null

# Every line of the fragment must have survived olddefconfig.
missing=()
while IFS= read -r line; do
	case $line in
	'# CONFIG_'*' is not set')
		sym=${line#\# }
		sym=${sym% is not set}
		if grep -q "^$sym=" "$obj/.config"; then
			missing+=("$line (got: $(grep "^$sym=" "$obj/.config"))")
		fi ;;
	CONFIG_*=*)
		if ! grep -qxF -- "$line" "$obj/.config"; then
			sym=${line%%=*}
			got=$(grep -E "^$sym=|^# $sym is not set" "$obj/.config" || echo "absent: unknown symbol or unmet dependency")
			missing+=("$line (got: $got)")
		fi ;;
	esac
done <"$frag"
if [ ${#missing[@]} -gt 0 ]; then
	echo "debug-kernel: FAIL: ${#missing[@]} option(s) of $frag did not end up in $obj/.config:" >&2
	printf 'debug-kernel:   %s\n' "${missing[@]}" >&2
	exit 1
fi
say "configuration verified: every line of debug.config holds"

# --- build ---------------------------------------------------------------------
# `all` = vmlinux + bzImage + modules + Module.symvers; modules_prepare is
# part of it and is repeated explicitly for clarity: external modules
# (`make -C build M=...`) need scripts/, generated headers and the symvers.
load0=$(cut -d' ' -f1-3 /proc/loadavg)
say "building: nice -n $nicelvl make -j$jobs all (load average before: $load0)"
t0=$(date +%s)
# -s: only warnings and errors reach the terminal; the log keeps them too.
nice -n "$nicelvl" make -C "$ksrc" O="$obj" -j"$jobs" -s all 2>&1 | tee "$out/build.log" ||
	die "kernel build failed (see above and $out/build.log); rerun to resume"
nice -n "$nicelvl" make -C "$ksrc" O="$obj" -s modules_prepare
t1=$(date +%s)
load1=$(cut -d' ' -f1-3 /proc/loadavg)

[ -f "$obj/arch/x86/boot/bzImage" ] || die "no bzImage after the build"
[ -f "$obj/Module.symvers" ] || die "no Module.symvers after the build"
if [ "$intree" = 1 ]; then
	[ -f "$obj/drivers/virt/stmexec/kmod/stmexec.ko" ] ||
		die "CONFIG_STMEXEC is set but the build made no drivers/virt/stmexec/kmod/stmexec.ko"
fi
cp "$obj/arch/x86/boot/bzImage" "$out/bzImage.tmp"
mv "$out/bzImage.tmp" "$out/bzImage"
cp "$obj/include/config/kernel.release" "$out/kernel.release"
cp "$obj/.config" "$out/config"

secs=$((t1 - t0))
{
	echo "build: $((secs / 60)) min $((secs % 60)) s (nice -n $nicelvl make -j$jobs all; $(nproc) CPUs shared with other jobs; load average before $load0, after $load1)"
	echo "total with extraction/config: $(($(date +%s) - t_all0)) s; built $(date -u +%Y-%m-%dT%H:%MZ) on $(uname -n), gcc $(gcc -dumpfullversion)"
} >"$out/build-time.txt"
touch "$out/.complete"
echo "debug-kernel: built"
report
