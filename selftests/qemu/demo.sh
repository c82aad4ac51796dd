#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The `make demo` script, run inside the guest (installed as
# /harness/demo.sh). Every step echoes its command, runs it, and stops the
# demo at the first failure with "DEMO-FAIL step=<n> rc=<rc> cmd=<cmd>".
# Facts for the host's summary are printed as "DEMO-RESULT key=value";
# the last line of a good run is "DEMO-OK". mk/demo.sh turns these into
# one human sentence.
#
# To extend the demo, append steps at the end of main(): `step CMD...` for
# a command that must succeed, `result KEY VALUE` for a fact the summary
# should mention (mk/demo.sh prints every result it does not know as
# "KEY=VALUE").
set -eu

SYS=/sys/class/misc/stmexec
nstep=0

step() {
	nstep=$((nstep + 1))
	echo "demo: [$nstep] \$ $*"
	rc=0
	"$@" || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "DEMO-FAIL step=$nstep rc=$rc cmd=$*"
		exit "$rc"
	fi
}

result() {
	echo "DEMO-RESULT $1=$2"
}

attr() { # a sysfs attribute of the module, or "?" if it cannot be read
	cat "$SYS/$1" 2>/dev/null || echo "?"
}

need() {
	if [ ! -e "$1" ]; then
		echo "demo: $1 is missing from the guest: $2"
		echo "DEMO-FAIL step=0 rc=1 cmd=$1 missing"
		exit 1
	fi
}

main() {
	need /lib/stmexec/stmexec.ko "the module was not built for $(uname -r) (make; see kmod/)"
	need /usr/bin/stmexec "the CLI was not built (make; see tools/)"
	result cpus "$(grep -c ^processor /proc/cpuinfo)"

	step insmod /lib/stmexec/stmexec.ko backend=sim
	result backend "$(attr backend)"
	step stmexec status
	step stmexec enable
	result enabled_state "$(attr state)"
	result cpus_active "$(attr cpus_active)"
	step stmexec status
	step stmexec report
	result isolation_level "$(attr isolation_level)"

	# An administrator protects a page, firmware (simulated) writes to it,
	# and the violation shows up decoded in the log.
	step stmexec log setup pages=1 events=protection-exception
	step stmexec log start
	step stmexec protect mem 0x40000000+4K deny=w
	step stmexec ranges
	echo "demo: simulated SMM handler writes 8 bytes at 0x40000000"
	step sh -c 'echo "mem 0x40000000 8 w" > /sys/kernel/debug/stmexec/inject'
	step sh -c 'set -o pipefail; stmexec log -n 1 | tee /tmp/demo-log.txt'
	result violation_records "$(grep -c protection-exception /tmp/demo-log.txt || true)"
	step stmexec unprotect mem 0x40000000+4K deny=w
	step stmexec disable
	result disabled_state "$(attr state)"
	step rmmod stmexec
	result unloaded "$( [ -e "$SYS" ] && echo no || echo yes)"
	echo "demo: what the module said:"
	dmesg | grep -i stmexec | sed 's/^/    /' || true

	echo "DEMO-OK"
}

main "$@"
