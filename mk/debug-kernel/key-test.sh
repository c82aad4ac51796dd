#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# usage: key-test.sh
#
# The cache key of the debug kernel (mk/debug-kernel/build.sh --key) hashes
# the configuration lines of debug.config and, because it sets
# CONFIG_STMEXEC (in tree), mk/intree.sh and Kconfig; never kmod/. On
# edited copies of debug.config: a comment edit, an added comment and a
# blank line keep the key (no 13-minute KASAN rebuild for a comment); a
# changed value, an added "# CONFIG_X is not set" line and dropping the
# in-tree driver change it. Run by `make check` (host only, nothing built).
set -u

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/../.." && pwd)}
bs=$here/build.sh
frag=$here/debug.config
fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/key-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

key() { # FRAGMENT
	"$bs" --config "$1" --key
}
base=$(key "$frag") || { echo "key-test: build.sh --key failed (make deps installs linux-source-6.1)"; exit 1; }
echo "key-test: debug.config: $base"

# expect same|differs NAME SED-SCRIPT: key of debug.config edited by SCRIPT
expect() {
	sed "$3" "$frag" >"$tmp/$2.config"
	if cmp -s "$frag" "$tmp/$2.config"; then
		echo "key-test: $2: the edit changed nothing (fix the test)"
		fail=1
		return
	fi
	k=$(key "$tmp/$2.config") || { echo "key-test: $2: build.sh --key failed"; fail=1; return; }
	if { [ "$1" = same ] && [ "$k" != "$base" ]; } ||
		{ [ "$1" = differs ] && [ "$k" = "$base" ]; }; then
		echo "key-test: $2: key $k, expected it to be $1 ($base)"
		fail=1
	else
		echo "key-test: $2: $1 ($k)"
	fi
}

expect same comment-edit 's/^# --- identity ---/# --- identity (edited) ---/'
expect same comment-added '/^CONFIG_KASAN=y$/i # an added comment line'
expect same blank-line '/^CONFIG_KASAN=y$/i \
'
expect differs value-edit 's/^CONFIG_NR_CPUS=8$/CONFIG_NR_CPUS=16/'
expect differs not-set-added "\$a # CONFIG_FTRACE is not set"
expect differs no-intree '/^CONFIG_STMEXEC/d'

# The in-tree wiring is in the key: mk/intree.sh and Kconfig, whole.
input=$("$bs" --key-input)
for f in mk/intree.sh Kconfig; do
	case $input in
	*"$(cat "$TOP/$f")"*) echo "key-test: $f is in the key input" ;;
	*) echo "key-test: $f is not in the key input (build.sh --key-input)"; fail=1 ;;
	esac
done
if printf '%s\n' "$input" | grep -q '^# --- '; then
	echo "key-test: comment lines of debug.config are in the key input"
	fail=1
fi
exit $fail
