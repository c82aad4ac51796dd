#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make check-intree: mk/intree.sh places the driver into an extracted
# linux-source-6.1 tree (build/intree/), Debian's 6.1 config plus
# CONFIG_STMEXEC=m must keep CONFIG_STMEXEC=m through olddefconfig (the
# Kconfig wiring), and after modules_prepare the driver compiles in tree:
#   make M=drivers/virt/stmexec modules
# (no vmlinux is built, so modpost's "undefined" warnings are expected and
# KBUILD_MODPOST_WARN=1 keeps them warnings), and without
# CONFIG_STMEXEC_SIM it is the production build (mk/nosim-check.sh). About
# 10 minutes on 2 cores.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/../.." && pwd)}
tar=${LINUX_SRC_TAR:-/usr/src/linux-source-6.1.tar.xz}
top=$(basename "$tar" .tar.xz)
k=$TOP/build/intree/$top
log=$TOP/build/logs/check-intree.log
cfg=$(find /boot -maxdepth 1 -name 'config-6.1.*-amd64' | sort -V | tail -n 1)
[ -n "$cfg" ] || { echo "check-intree: no /boot/config-6.1.*-amd64 (make deps installs linux-image-amd64)" >&2; exit 1; }
mkdir -p "$TOP/build/logs"
if [ ! -f "$k/.extracted" ]; then
	rm -rf "$TOP/build/intree"
	mkdir -p "$TOP/build/intree"
	echo "check-intree: extracting $tar"
	tar -xJf "$tar" -C "$TOP/build/intree"
	touch "$k/.extracted"
fi
"$TOP/mk/intree.sh" "$k" >/dev/null
cp "$cfg" "$k/.config"
# Debian's config names its signing certificates, which the tarball lacks.
"$k/scripts/config" --file "$k/.config" --set-str SYSTEM_TRUSTED_KEYS '' \
	--set-str SYSTEM_REVOCATION_KEYS '' --disable MODULE_SIG_ALL --disable DEBUG_INFO_BTF
"$TOP/mk/intree.sh" "$k" --enable >/dev/null
make -s -C "$k" olddefconfig >"$log" 2>&1
grep -qx 'CONFIG_STMEXEC=m' "$k/.config" || { echo "check-intree: CONFIG_STMEXEC=m did not survive olddefconfig" >&2; exit 1; }
echo "check-intree: Kconfig: CONFIG_STMEXEC=m"
make -C "$k" -j"$(nproc)" modules_prepare >>"$log" 2>&1
rm -f "$k/drivers/virt/stmexec/kmod/stmexec.ko"
make -C "$k" -j"$(nproc)" M=drivers/virt/stmexec KBUILD_MODPOST_WARN=1 modules >>"$log" 2>&1
[ -f "$k/drivers/virt/stmexec/kmod/stmexec.ko" ] || { echo "check-intree: no stmexec.ko; see $log" >&2; exit 1; }
bad=$(grep -E '(^|[: ])([Ww]arning|[Ee]rror):' "$log" | grep -v 'modpost: .* undefined!' || true)
[ -z "$bad" ] || { printf '%s\n' "$bad" >&2; echo "check-intree: compiler warnings; see $log" >&2; exit 1; }
echo "check-intree: drivers/virt/stmexec/kmod/stmexec.ko built in tree"
# Debian's config has no CONFIG_STMEXEC_SIM: the production build
"$TOP/mk/nosim-check.sh" "$k/drivers/virt/stmexec/kmod/stmexec.ko"
