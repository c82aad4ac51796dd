#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The production module carries no test code: no symbol of the simulated
# STM, of its debugfs fault injection, of its STM-image check, of the core
# the simulated STM runs or of the step bookkeeping only it reads
# (kmod/ipi.c, sx_step_*()), and no sim_*/vmx_stm= parameter. Struct
# fields have no symbol, so nm cannot see them: the test-only fields stay
# behind the same IS_ENABLED(CONFIG_STMEXEC_SIM) as the functions that are
# their only writers. Used by make check (on build/check/prod/<kver>/),
# make check-nosim and make check-packaging (on the module DKMS built from
# the .deb).
#
# usage: nosim-check.sh [--expect-sim] KO...
#   --expect-sim  the opposite: KO is the test build and must have them all
#                 (so that the patterns below keep matching what they guard)
# KO may be compressed (.ko.xz, .ko.zst, .ko.gz). Exit 0 when every KO passes.
set -eu

# One extended regular expression per line, matched against nm's symbol
# names (defined or undefined, global or local).
patterns='^stmexec_sim_
^stmexec_backend_sim$
^stmexec_debugfs_(sim|stm)_init$
^__param_(sim_|vmx_stm$)
^(inject|next_status|pm_event|s32|cpu)_fops$
^stm_core_vmcall$
^stm_mseg_verify$
^stmexec_sim_corpus_build$
^stmexec_step_asked$
^sx_step_(begin|queue|sent)$'

expect=absent
if [ "${1:-}" = --expect-sim ]; then
	expect=present
	shift
fi
[ $# -ge 1 ] || { echo "usage: nosim-check.sh [--expect-sim] KO..." >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0
for ko in "$@"; do
	f=$tmp/m.ko
	case $ko in
	*.xz) xz -dc "$ko" >"$f" ;;
	*.zst) zstd -qdc "$ko" >"$f" ;;
	*.gz) gzip -dc "$ko" >"$f" ;;
	*) cp "$ko" "$f" ;;
	esac
	nm "$f" | awk '{ print $NF }' | LC_ALL=C sort -u >"$tmp/syms"
	[ -s "$tmp/syms" ] || { echo "nosim-check: $ko: nm found no symbols" >&2; rc=1; continue; }
	bad=''
	printf '%s\n' "$patterns" >"$tmp/pat"
	while read -r p; do
		hits=$(grep -E "$p" "$tmp/syms" | tr '\n' ' ' || true)
		if [ "$expect" = absent ] && [ -n "$hits" ]; then
			bad="$bad $hits"
		elif [ "$expect" = present ] && [ -z "$hits" ]; then
			bad="$bad /$p/"
		fi
	done <"$tmp/pat"
	if [ -z "$bad" ]; then
		echo "nosim-check: $ko: ok (simulator symbols $expect)"
	elif [ "$expect" = absent ]; then
		echo "nosim-check: $ko: FAILED: test code in a production module:$bad" >&2
		rc=1
	else
		echo "nosim-check: $ko: FAILED: the test build lacks:$bad (update the patterns)" >&2
		rc=1
	fi
done
exit $rc
