#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the gzip'd cpio initramfs of the stmexec test guest.
#
# usage: mkinitramfs.sh -o OUT --kver VER [--cmd-file FILE] [--ko FILE]...
#                       [--kmod NAME]... [--file SRC:DST]...
#
#   -o OUT           the initramfs to write
#   --kver VER       kernel release the guest boots; picks
#                    build/VER/kmod/stmexec.ko -> /lib/stmexec/stmexec.ko
#   --module FILE    the stmexec.ko to install instead of
#                    build/VER/kmod/stmexec.ko
#   --tests DIR      install DIR as /tests/ instead of build/selftests/
#   --cli FILE       install FILE as /usr/bin/stmexec instead of tools/stmexec
#   --cmd-file FILE  becomes /cmd.sh, run by /init (see init.sh)
#   --ko FILE        any other module -> /lib/stmexec/<name>.ko
#   --kmod NAME      a module of the installed kernel VER, with its
#                    dependencies, decompressed, so that `modprobe NAME`
#                    works in the guest
#   --file SRC:DST   any other file
#
# Also installed when present: tools/stmexec -> /usr/bin/stmexec, everything
# under build/selftests/ -> /tests/, and the harness scripts in this
# directory -> /harness/.
#
# The image is two concatenated cpio archives (the kernel unpacks both):
# a cached base (busybox + applet links, /init, /etc) rebuilt only when
# busybox, init.sh or this script change, and a small per-run payload.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/../.." && pwd)}
BUSYBOX=${BUSYBOX:-/bin/busybox}

die() {
	echo "mkinitramfs: $*" >&2
	exit 1
}

out='' kver='' module='' tests='' cli='' cmdfile='' kos='' kmods='' files=''
while [ $# -gt 0 ]; do
	case $1 in
	-o) out=$2; shift ;;
	--kver) kver=$2; shift ;;
	--module) module=$2; shift ;;
	--tests) tests=$2; shift ;;
	--cli) cli=$2; shift ;;
	--cmd-file) cmdfile=$2; shift ;;
	--ko) kos="$kos $2"; shift ;;
	--kmod) kmods="$kmods $2"; shift ;;
	--file) files="$files $2"; shift ;;
	*) die "unknown argument '$1' (see the header of $0)" ;;
	esac
	shift
done
[ -n "$out" ] || die "missing -o OUT"
[ -n "$kver" ] || die "missing --kver VER"

[ -x "$BUSYBOX" ] || die "$BUSYBOX not found: run 'make deps' (package busybox-static)"
if readelf -l "$BUSYBOX" 2>/dev/null | grep -q 'program interpreter'; then
	die "$BUSYBOX is dynamically linked: install busybox-static (make deps)"
fi
for t in cpio gzip sha256sum; do
	command -v $t >/dev/null || die "$t not found: run 'make deps'"
done

cache=$TOP/build/qemu/cache
mkdir -p "$cache"
work=$(mktemp -d "$TOP/build/qemu/mkinitramfs.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

mkcpio() { # dir -> gzip'd newc cpio on stdout, every file owned by root
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0 --reproducible) | gzip -n -6
}

is_dynamic() {
	readelf -l "$1" 2>/dev/null | grep -q 'program interpreter'
}

# --- base: busybox, applet links, /init, /etc (cached) -----------------
key=$(cat "$BUSYBOX" "$here/init.sh" "$0" | sha256sum | cut -c1-16)
base=$cache/base-$key.cpio.gz
if [ ! -s "$base" ]; then
	b=$work/base
	mkdir -p "$b"
	for d in bin sbin usr/bin usr/sbin etc root home/tester dev proc sys tmp run \
		lib/stmexec lib/modules tests harness; do
		mkdir -p "$b/$d"
	done
	chmod 1777 "$b/tmp"
	cp "$BUSYBOX" "$b/bin/busybox"
	"$BUSYBOX" --list-full | while read -r a; do
		[ "$a" = bin/busybox ] && continue
		[ -e "$b/$a" ] || ln -s /bin/busybox "$b/$a"
	done
	# The kernel opens /dev/console before /init runs; without the node it
	# warns and /init starts without stdio (init.sh then reopens it).
	mknod -m 600 "$b/dev/console" c 5 1 2>/dev/null || true
	cp "$here/init.sh" "$b/init"
	chmod 755 "$b/init"
	cat >"$b/etc/passwd" <<-'EOF'
	root:x:0:0:root:/root:/bin/sh
	tester:x:1000:1000:unprivileged test user:/home/tester:/bin/sh
	nobody:x:65534:65534:nobody:/nonexistent:/bin/false
	EOF
	cat >"$b/etc/group" <<-'EOF'
	root:x:0:
	tester:x:1000:
	nogroup:x:65534:
	EOF
	cat >"$b/etc/shadow" <<-'EOF'
	root::1::::::
	tester:!:1::::::
	nobody:!:1::::::
	EOF
	chmod 600 "$b/etc/shadow"
	echo stmexec-guest >"$b/etc/hostname"
	mkcpio "$b" >"$work/base.cpio.gz"
	mv "$work/base.cpio.gz" "$base"
	# keep only the newest few bases
	# shellcheck disable=SC2012 # names are ours, no odd characters
	ls -t "$cache"/base-*.cpio.gz | tail -n +4 | while read -r f; do rm -f "$f"; done
fi

# --- payload: module, CLI, tests, harness scripts, /cmd.sh -------------
p=$work/payload
mkdir -p "$p/lib/stmexec" "$p/usr/bin" "$p/tests" "$p/harness"

ko=${module:-$TOP/build/$kver/kmod/stmexec.ko}
[ -z "$module" ] || [ -f "$module" ] || die "--module $module: no such file"
if [ -f "$ko" ]; then
	cp "$ko" "$p/lib/stmexec/stmexec.ko"
else
	echo "mkinitramfs: note: no $ko (module not built for $kver?)" >&2
fi
for k in $kos; do
	[ -f "$k" ] || die "--ko $k: no such file"
	cp "$k" "$p/lib/stmexec/"
done

if [ -n "$kmods" ]; then
	command -v modprobe >/dev/null || die "modprobe not found: run 'make deps' (package kmod)"
	for m in $kmods; do
		modprobe -S "$kver" --show-depends "$m" ||
			die "--kmod $m: not a module of $kver"
	done | while read -r verb path _; do
		[ "$verb" = insmod ] || continue # "builtin NAME": nothing to copy
		rel=${path#/lib/modules/"$kver"/}
		dst=$p/lib/modules/$kver/$rel
		case $rel in *.ko.xz | *.ko.zst | *.ko.gz) dst=${dst%.*} ;; esac
		mkdir -p "$(dirname "$dst")"
		case $path in
		*.ko.xz) xz -dc "$path" >"$dst" ;;
		*.ko.zst) zstd -qdc "$path" >"$dst" ;;
		*.ko.gz) gzip -dc "$path" >"$dst" ;;
		*) cp "$path" "$dst" ;;
		esac
	done
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		if [ -f "/lib/modules/$kver/$f" ]; then cp "/lib/modules/$kver/$f" "$p/lib/modules/$kver/"; fi
	done
	depmod -b "$p" "$kver"
fi

[ -z "$cli" ] || [ -f "$cli" ] || die "--cli $cli: no such file"
cli=${cli:-$TOP/tools/stmexec}
if [ -f "$cli" ]; then
	cp "$cli" "$p/usr/bin/stmexec"
	if is_dynamic "$cli"; then
		echo "mkinitramfs: WARNING: $cli is dynamically linked; it cannot run in the guest (link it with -static)" >&2
	fi
fi

[ -z "$tests" ] || [ -d "$tests" ] || die "--tests $tests: no such directory"
tests=${tests:-$TOP/build/selftests}
if [ -d "$tests" ]; then
	cp -a "$tests/." "$p/tests/"
	find "$p/tests" -type f -perm -u+x | while read -r f; do
		if is_dynamic "$f"; then
			echo "mkinitramfs: WARNING: ${f#"$p"} is dynamically linked; it cannot run in the guest (link it with -static)" >&2
		fi
	done
fi

for s in "$here"/guest-*.sh "$here"/demo.sh; do
	if [ -f "$s" ]; then cp "$s" "$p/harness/"; fi
done

for f in $files; do
	src=${f%%:*} dst=${f#*:}
	[ -f "$src" ] || die "--file $f: no such file $src"
	mkdir -p "$p/$(dirname "$dst")"
	cp -p "$src" "$p/$dst"
done

if [ -n "$cmdfile" ]; then
	cp "$cmdfile" "$p/cmd.sh"
	chmod 755 "$p/cmd.sh"
fi

mkcpio "$p" >"$work/payload.cpio.gz"
cat "$base" "$work/payload.cpio.gz" >"$out.tmp"
mv "$out.tmp" "$out"
