#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# 'stmexec apply --check' (no device needed): a directory stands for its
# *.conf files in order, comments and blank lines are ignored, and a bad line
# is reported as FILE:LINE with exit 2. KTAP output.
set -u
cli=${1:-./stmexec}
d=$(dirname "$0")/apply
n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); fail=1; echo "not ok $n $1"; }

echo "KTAP version 1"
echo "1..3"
out=$("$cli" apply --check "$d/policy" 2>&1)
exp="$d/policy/05-msr.conf:1: msr 0x1a0 deny=rw
$d/policy/10-site.conf:3: mem 0x100000+0x200000 deny=w
$d/policy/10-site.conf:4: io 0x60-0x64 deny=rw
apply --check: 3 ranges, syntax ok (nothing applied)"
if [ "$out" = "$exp" ]; then ok apply_dir_in_order; else notok apply_dir_in_order; printf '%s\n' "$out" | sed 's/^/# /'; fi
out=$("$cli" apply --check "$d/two-per-line.conf" 2>&1)
rc=$?
case $rc:$out in
2:*two-per-line.conf:1:*"one range per line"*) ok apply_two_per_line_is_usage_error ;;
*) notok apply_two_per_line_is_usage_error; printf '%s\n' "rc=$rc $out" | sed 's/^/# /' ;;
esac
out=$("$cli" apply --check "$d/policy" "$d/zero-size.conf" 2>&1)
rc=$?
case $rc:$out in
2:*zero-size.conf:2:*"zero size"*) ok apply_bad_line_names_file_and_line ;;
*) notok apply_bad_line_names_file_and_line; printf '%s\n' "rc=$rc $out" | sed 's/^/# /' ;;
esac
exit $fail
