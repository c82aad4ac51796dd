#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the stmexec test guest (installed by mkinitramfs.sh). Sets up the
# pseudo file systems, runs /cmd.sh, prints the exit marker that
# run-guest.sh parses, dumps the kernel log for the host's oops/warning scan
# and powers off. Deliberately not `set -e`: nothing here may stop the marker
# from being printed.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug
[ -d /sys/kernel/security ] && mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
hostname stmexec-guest
chown tester:tester /home/tester
ip link set lo up 2>/dev/null

# Every CPU online (cpu0 usually has no "online" file).
for f in /sys/devices/system/cpu/cpu[0-9]*/online; do
	[ -e "$f" ] || continue
	[ "$(cat "$f")" = 1 ] || echo 1 >"$f" || echo "init: could not online ${f%/online}"
done

echo
vmx=no
grep -qw vmx /proc/cpuinfo && vmx=yes
echo "init: stmexec test guest up: $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs online, vmx: $vmx, $(cut -d' ' -f1 /proc/uptime)s after kernel start"
cd /
if [ -r /cmd.sh ]; then
	sh /cmd.sh
	rc=$?
else
	echo "init: no /cmd.sh in the initramfs"
	rc=127
fi

# The host scans this for Oops/BUG/WARNING/...: warnings are below the console
# loglevel and would otherwise never reach it.
echo "STMEXEC-DMESG-BEGIN"
dmesg
echo "STMEXEC-DMESG-END"
echo "STMEXEC-GUEST-EXIT=$rc"
sync
# Wait until the serial line has sent everything: stty re-applies the
# current settings with TCSADRAIN. The short settle afterwards only covers
# QEMU's character backend before the machine disappears.
stty -F /dev/console "$(stty -F /dev/console -g)" 2>/dev/null
sleep 0.2
poweroff -f
