#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages listed in the files given (default: every
# tier's list: mk/deps.list, what `make demo` needs, and mk/deps-check.list,
# mk/deps-bochs.list, mk/deps-debug.list). Quick and silent when everything
# is already installed: asks dpkg first and only runs apt-get update +
# install for what is missing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
[ $# -gt 0 ] || set -- "$here/deps.list" "$here/deps-check.list" \
	"$here/deps-bochs.list" "$here/deps-debug.list"
for list in "$@"; do
	[ -r "$list" ] || { echo "deps: cannot read $list" >&2; exit 1; }
done

pkgs=$(cat "$@" | sed 's/#.*//' | tr -s ' \t' '\n' | grep -v '^$' | awk '!seen[$0]++' || true)
set -f # package names are split on whitespace below, never globbed
# shellcheck disable=SC2086 # splitting the package list is intended
installed=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' $pkgs 2>/dev/null |
	awk '$1 == "ii" { print $2 }' || true)

missing=
n=0
for p in $pkgs; do
	n=$((n + 1))
	printf '%s\n' "$installed" | grep -qx -- "$p" || missing="$missing $p"
done

if [ -z "$missing" ]; then
	echo "deps: all $n packages present"
	exit 0
fi

echo "deps: missing:$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: installing needs root: run 'sudo make deps'" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
echo "deps: installed:$missing"
