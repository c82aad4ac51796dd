#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make deb: build stmexec-dkms and stmexec-tools with dpkg-buildpackage from
# a copy of the tree (tracked and untracked-but-not-ignored files, so
# build/ never goes in), into build/deb/, then run lintian on them: any
# error fails (warnings are either fixed or overridden with a reason in
# debian/*lintian-overrides).
#
# usage: deb.sh            prints the paths of the two .debs last
set -eu

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/../.." && pwd)}
out=$TOP/build/deb
for t in dpkg-buildpackage dh dh_dkms lintian; do
	command -v $t >/dev/null || {
		echo "deb: $t missing: run 'make deps-packaging'" >&2
		exit 1
	}
done

ver=$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version)
src=$out/src/stmexec-$ver
rm -rf "$out"
mkdir -p "$src"
cd "$TOP"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -co --exclude-standard | while IFS= read -r f; do
		if [ -f "$f" ]; then printf '%s\n' "$f"; fi
	done | tar --verbatim-files-from -T - -cf - | tar -C "$src" -xf -
else
	tar --exclude=./build -cf - . | tar -C "$src" -xf -
fi

echo "deb: dpkg-buildpackage -b in ${src#"$TOP"/}"
log=$out/build.log
(cd "$src" && dpkg-buildpackage -b -us -uc) >"$log" 2>&1 || {
	tail -n 30 "$log" >&2
	echo "deb: dpkg-buildpackage failed; full output: $log" >&2
	exit 1
}
changes=$(ls "$out"/src/stmexec_"$ver"_*.changes)
mv "$out"/src/*.deb "$out"/src/*.changes "$out"/src/*.buildinfo "$out"/
changes=$out/$(basename "$changes")

echo "deb: lintian $(basename "$changes")"
rc=0
lintian --fail-on error --info --display-info "$changes" >"$out/lintian.log" 2>&1 || rc=$?
sed 's/^/  /' "$out/lintian.log"
if [ "$rc" -ne 0 ]; then
	echo "deb: lintian reports errors (exit $rc)" >&2
	exit 1
fi
echo "deb: lintian: no errors ($(grep -c '^W:' "$out/lintian.log" || true) warnings, $(grep -c '^I:' "$out/lintian.log" || true) infos)"
ls "$out"/*.deb
