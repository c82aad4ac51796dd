#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host driver of the attestation test with a software TPM: start swtpm
# (TPM 2.0), boot the guest with it (tpm-tis) and ima_policy=critical_data,
# run /tests/attest_test there with STMEXEC_ATTEST_EXPECT=ima (the IMA
# entries of enable/protect/unprotect, the PCR 10 replay, attest_pcr).
# The "IMA unavailable" path runs in the ordinary guest of `make check`
# (attest_test detects it).
#
# usage: attest_swtpm.sh [--kver VER] [--log FILE] [run-guest.sh options...]
# Exit status: the guest's; 4 (kselftest skip) without swtpm.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/../.." && pwd)}
export TOP

if ! command -v swtpm >/dev/null || ! command -v swtpm_setup >/dev/null; then
	echo "TAP version 13"
	echo "1..0 # SKIP swtpm/swtpm_setup not installed (make deps installs swtpm, swtpm-tools)"
	echo "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0"
	exit 4
fi

mkdir -p "$TOP/build/qemu"
dir=$(mktemp -d "$TOP/build/qemu/swtpm.XXXXXX")
cleanup() {
	if [ -f "$dir/pid" ]; then
		kill "$(cat "$dir/pid")" 2>/dev/null || true
	fi
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

swtpm_setup --tpm2 --tpmstate "$dir" --createek --create-ek-cert \
	--create-platform-cert --lock-nvram --overwrite >"$dir/setup.log" 2>&1 || {
	cat "$dir/setup.log" >&2
	echo "attest_swtpm: swtpm_setup failed" >&2
	exit 2
}
swtpm socket --tpm2 --tpmstate dir="$dir" --ctrl type=unixio,path="$dir/sock" \
	--daemon --pid file="$dir/pid"

"$TOP/selftests/qemu/run-guest.sh" --smp 2 --timeout 600 \
	--append "ima_policy=critical_data" \
	--qemu-extra "-chardev socket,id=chrtpm,path=$dir/sock -tpmdev emulator,id=tpm0,chardev=chrtpm -device tpm-tis,tpmdev=tpm0" \
	"$@" --cmd 'STMEXEC_ATTEST_EXPECT=ima /tests/attest_test'
