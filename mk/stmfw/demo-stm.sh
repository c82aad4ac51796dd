#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo-stm`: optional demo of the bundled STM
# (stm-image/) catching a violation. Runs mk/stmfw/check-stm.sh --stm ours
# (the stmfw firmware loads our STM, the module's vmx path drives it, on
# the dual-monitor Bochs) and shows the `stmexec log` output of the
# touch-page step: the firmware's SMI handler writes to a page the module
# protected, our STM's EPT refuses the write and the core logs it.
# Needs the patched Bochs (mk/bochs-dm/build.sh); without it this says how
# to build it and exits 0.
#
# usage: demo-stm.sh [--kver VER] [other check-stm.sh arguments]
set -u

here=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$here/../.." && pwd)
dm=$TOP/mk/bochs-dm/build.sh

if ! "$dm" --check >/dev/null 2>&1; then
	echo "demo-stm: optional step skipped: the dual-monitor Bochs is not built ($("$dm" --dir 2>/dev/null))."
	echo "demo-stm: build it once with mk/bochs-dm/build.sh (5 min idle, up to 35 min on a loaded machine), then run make demo-stm."
	exit 0
fi

cat <<'TXT'
demo-stm: the bundled STM (stm-image/image/stm.bin) in the dual-monitor Bochs:
demo-stm:  1. the stmfw firmware loads our STM into MSEG and arms SMRR/MSEG;
demo-stm:  2. Linux boots on 2 CPUs, stmexec.ko (backend=vmx) activates the
demo-stm:     STM on both CPUs and applies its default policy;
demo-stm:  3. `stmexec protect mem PAGE io PORT msr MSR` asks our STM to deny them;
demo-stm:  4. an SMI makes the firmware's handler write 0xbad0bad0 to PAGE: our
demo-stm:     STM's EPT refuses it, the core logs a protection exception, the
demo-stm:     handler resumes at its SpeRip and the page keeps its value;
demo-stm:  5. `stmexec log` decodes the record (shown below).
demo-stm: running check-stm --stm ours (80-170 s; the full suite, KTAP below)...
TXT
"$here/check-stm.sh" --stm ours "$@"
rc=$?
console=$TOP/build/logs/check-stm-console.log
echo "demo-stm: the violation caught by our STM (stmexec log, touch-page step):"
if ! grep '^# touch-page: log: ' "$console" | sed 's/^# touch-page: log: /demo-stm:   /'; then
	echo "demo-stm:   (no log lines from the touch-page step in ${console#"$TOP"/})"
	rc=1
fi
grep -E '^STMEXEC-STM: touch-page ' "$console" | sed 's/^/demo-stm: verdict: /'
if [ "$rc" = 0 ]; then
	echo "demo-stm: OK: our STM refused the SMI handler's write and logged it; full logs in build/logs/check-stm-*.log"
else
	echo "demo-stm: FAILED (check-stm status $rc); logs in build/logs/check-stm-*.log"
fi
exit "$rc"
