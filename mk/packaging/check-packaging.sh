#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make check-packaging: the two .debs as an administrator uses
# them, in a Debian 12 guest booted with systemd as init under QEMU/TCG.
#
#  1. make deb (dpkg-buildpackage + lintian; NO_DEB=1 reuses build/deb/)
#  2. the cached debootstrap rootfs (mk/packaging/rootfs.sh) unpacked into
#     build/packaging/root; a DKMS MOK key put in place; both packages
#     installed in a chroot: DKMS builds stmexec.ko for the guest's kernel
#     and signs it (checked here with modinfo: signer = the key's CN)
#     and with nm that it is the production build (mk/nosim-check.sh); the
#     guest, having no VMX under TCG, gets the test build of the same
#     installed sources (CONFIG_STMEXEC_SIM=y, a depmod override)
#  3. the test configuration: backend=sim in /etc/modprobe.d/stmexec.conf,
#     two ranges in /etc/stmexec/ranges.d/10-check.conf, stmexec.service
#     enabled, and a one-shot checker unit
#  4. the guest boots twice (the checker reboots it) and then powers off;
#     the checker prints "PKGCHECK: ok|FAIL ..." lines on the serial console:
#     boot 1: stmexec active, backend sim, monitor on, the ranges.d ranges
#             held, an SMM write injected through debugfs reaching the
#             journal via stmexec-log.service, 'systemctl stop' disabling
#     boot 2: the policy re-applied at boot; then a refused range makes a
#             restart end in a failed unit with the module's errno and
#             last_error in its journal and the monitor off; then the
#             kselftest install's run_kselftest.sh runs the stmexec suites
#             against the test build; last, the package's own module
#             (production) refuses backend=sim with ENOPKG
#
# Needs root (chroot, mounts). Log: build/logs/check-packaging.log.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/../.." && pwd)}
work=$TOP/build/packaging
root=$work/root
log=$TOP/build/logs/check-packaging.log
timeout=${PKGCHECK_TIMEOUT:-2700}
# kselftest suites run in the guest, three of the four of
# kselftest-list.txt (all: PKGCHECK_KSFT='lifecycle_test ranges_test
# log_test errreq_test'; lifecycle_test is left out: TCG on a shared
# machine is slow)
ksft_suites=${PKGCHECK_KSFT:-log_test ranges_test errreq_test}
t0=$(date +%s)

[ "$(id -u)" = 0 ] || { echo "check-packaging: needs root (chroot)" >&2; exit 1; }
mkdir -p "$TOP/build/logs"

step() { echo "check-packaging: [$(($(date +%s) - t0))s] $*"; }

if [ "${NO_DEB:-0}" != 1 ] || ! ls "$TOP"/build/deb/stmexec-dkms_*.deb >/dev/null 2>&1; then
	step "make deb"
	"$here/deb.sh"
fi
dkms_deb=$(ls "$TOP"/build/deb/stmexec-dkms_*_all.deb)
tools_deb=$(ls "$TOP"/build/deb/stmexec-tools_*_amd64.deb)

step "kselftest: make -C tools/testing/selftests TARGETS=stmexec install"
ksft=$("$here/kselftest.sh")

step "rootfs"
tarball=$("$here/rootfs.sh")

mounted=''
cleanup() {
	for m in $mounted; do umount -l "$m" 2>/dev/null || :; done
	mounted=''
}
trap cleanup EXIT INT TERM

step "unpack $(basename "$tarball") into ${root#"$TOP"/}"
rm -rf "$work"
mkdir -p "$root"
tar -C "$root" --numeric-owner -xf "$tarball"

# What dkms signs with when the key exists (framework.conf's defaults).
mkdir -p "$root/var/lib/dkms"
openssl req -new -x509 -nodes -days 36500 -subj "/CN=stmexec check-packaging MOK/" \
	-newkey rsa:2048 -keyout "$root/var/lib/dkms/mok.key" \
	-outform DER -out "$root/var/lib/dkms/mok.pub" >/dev/null 2>&1

cp "$dkms_deb" "$tools_deb" "$root/tmp/"
for m in proc sys dev; do
	mkdir -p "$root/$m"
	case $m in
	proc) mount -t proc proc "$root/proc" ;;
	sys) mount -t sysfs sysfs "$root/sys" ;;
	dev) mount --bind /dev "$root/dev" ;;
	esac
	mounted="$root/$m $mounted"
done
step "install the packages in the chroot (DKMS builds the module)"
chroot "$root" env DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	dpkg -i "/tmp/$(basename "$dkms_deb")" "/tmp/$(basename "$tools_deb")" \
	>"$work/install.log" 2>&1 || {
	tail -n 40 "$work/install.log" >&2
	echo "check-packaging: package installation failed: $work/install.log" >&2
	exit 1
}
kver=$(find "$root/lib/modules" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)
ko=$(find "$root/lib/modules/$kver" -name 'stmexec.ko*' | head -n 1)
[ -n "$ko" ] || { echo "check-packaging: DKMS built no stmexec.ko for $kver (see $work/install.log)" >&2; exit 1; }
signer=$(modinfo -F signer "$ko" || true)
if [ "$signer" = "stmexec check-packaging MOK" ]; then
	step "ok: ${ko#"$root"} is signed by the DKMS MOK key"
else
	echo "check-packaging: FAIL: ${ko#"$root"} not signed with the MOK key (signer '$signer')" >&2
	exit 1
fi
# The package's module is the production build: no simulated STM in it.
if "$TOP/mk/nosim-check.sh" "$ko" >"$work/nosim.log" 2>&1; then
	step "ok: ${ko#"$root"} has no simulator symbols (nm)"
else
	cat "$work/nosim.log" >&2
	echo "check-packaging: FAIL: the DKMS-built module carries the simulated STM" >&2
	exit 1
fi
# A TCG guest has no VMX, so the service runs on a simulated STM: the test
# build of the same installed sources, made by the guest's own headers and
# chosen over the DKMS module by a depmod override. The production module
# stays in place; the guest checks that it refuses backend=sim (ENOPKG).
src=$(find "$root/usr/src" -maxdepth 1 -name 'stmexec-*' | head -n 1)
step "the test build (CONFIG_STMEXEC_SIM=y) of ${src#"$root"} for the guest"
rm -rf "$root/tmp/stmexec-test"
cp -a "$src" "$root/tmp/stmexec-test"
chroot "$root" env PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	make -C "/lib/modules/$kver/build" M=/tmp/stmexec-test/kmod CONFIG_STMEXEC=m \
	CONFIG_STMEXEC_SIM=y -j"$(nproc)" modules >"$work/test-build.log" 2>&1 || {
	tail -n 20 "$work/test-build.log" >&2
	echo "check-packaging: the test build failed: $work/test-build.log" >&2
	exit 1
}
install -D -m 0644 "$root/tmp/stmexec-test/kmod/stmexec.ko" "$root/lib/modules/$kver/extra/stmexec-test/stmexec.ko"
mkdir -p "$root/etc/depmod.d"
echo "override stmexec $kver extra/stmexec-test" >"$root/etc/depmod.d/stmexec-test.conf"
chroot "$root" depmod "$kver"
rm -rf "$root/tmp/stmexec-test"
cleanup
echo "PKGCHECK_PROD_KO=${ko#"$root"}" >"$work/pkgcheck.env"

step "configure the guest"
cat >"$root/etc/modprobe.d/stmexec.conf" <<'EOF'
# check-packaging: the simulated STM (it protects nothing; tests only)
options stmexec backend=sim
EOF
cat >"$root/etc/stmexec/ranges.d/10-check.conf" <<'EOF'
# check-packaging policy
mem 0x50000000+2M deny=w   # above the guest's 1 GiB of RAM
io 0x300-0x30f
EOF
echo 'LOG_SETUP="pages=8 events=protection-exception,unclaimed-resource"' >>"$root/etc/default/stmexec"
printf '/dev/vda / ext4 rw,errors=remount-ro 0 1\n' >"$root/etc/fstab"
echo pkgcheck >"$root/etc/hostname"
rm -f "$root/etc/machine-id"
chroot "$root" systemd-machine-id-setup >/dev/null
install -m 0755 "$here/guest-check.sh" "$root/usr/local/sbin/pkgcheck"
cp -a "$ksft" "$root/opt/kselftest"
{
	echo "PKGCHECK_KSFT='$ksft_suites'"
	cat "$work/pkgcheck.env"
} >"$root/etc/default/pkgcheck"
cat >"$root/etc/systemd/system/pkgcheck.service" <<'EOF'
[Unit]
Description=check-packaging checks
After=stmexec.service stmexec-log.service
[Service]
Type=oneshot
TimeoutStartSec=infinity
ExecStart=/usr/local/sbin/pkgcheck
StandardOutput=journal+console
[Install]
WantedBy=multi-user.target
EOF
chroot "$root" systemctl enable stmexec.service pkgcheck.service >/dev/null 2>&1
chroot "$root" systemctl mask getty@tty1.service serial-getty@ttyS0.service >/dev/null 2>&1

vmlinuz=$root/boot/vmlinuz-$kver
initrd=$root/boot/initrd.img-$kver
if [ ! -r "$vmlinuz" ] || [ ! -r "$initrd" ]; then echo "check-packaging: no kernel/initrd $kver in the rootfs" >&2; exit 1; fi
cp "$vmlinuz" "$initrd" "$work/"
step "disk image"
size=$(du -sm "$root" | cut -f1)
mkfs.ext4 -q -F -L pkgcheck -d "$root" "$work/disk.img" "$((size + 512))M"

step "boot $kver under QEMU/TCG with systemd (two boots; timeout ${timeout}s)"
rc=0
timeout "$timeout" qemu-system-x86_64 -accel tcg -cpu max -m 1024 -smp 2 \
	-nodefaults -no-user-config -display none -serial stdio \
	-kernel "$work/$(basename "$vmlinuz")" -initrd "$work/$(basename "$initrd")" \
	-append "root=/dev/vda rw console=ttyS0 panic=-1 systemd.show_status=0 quiet" \
	-drive "file=$work/disk.img,if=virtio,format=raw" \
	</dev/null >"$log" 2>&1 || rc=$?
# the checker's lines, wherever the console put them (kmsg-style prefix)
tr -d '\r' <"$log" | sed -n 's/.*\(PKGCHECK: .*\)/\1/p' >"$work/results.txt"
sed 's/^/  /' "$work/results.txt"
fails=$(grep -c '^PKGCHECK: FAIL' "$work/results.txt" || true)
oks=$(grep -c '^PKGCHECK: ok' "$work/results.txt" || true)
if [ "$rc" -ne 0 ] || [ "$fails" -ne 0 ] || ! grep -q '^PKGCHECK: DONE' "$work/results.txt"; then
	echo "check-packaging: FAILED (qemu exit $rc, $oks ok, $fails failed); console: $log" >&2
	tail -n 30 "$log" >&2
	exit 1
fi
step "PASS: $oks checks in the guest ($kver, DKMS-built and signed module)"
