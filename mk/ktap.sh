# SPDX-License-Identifier: GPL-2.0
#
# KTAP output of the host-side tiers (check-bochs, check-stmfw, check-stm),
# sourced after the caller has set $ktap (the KTAP log file):
#   say LINE...              a KTAP line, to stdout and $ktap
#   note TEXT...             a KTAP comment ("# TEXT")
#   result ok|fail|skip NAME [REASON]
#                            the next test line; counts into n, npass,
#                            nfail, nskip (a failure's reason as a comment)
# shellcheck shell=bash disable=SC2154 # $ktap is the caller's

say() {
	printf '%s\n' "$*" | tee -a "$ktap"
}

note() {
	say "# $*"
}

n=0 npass=0 nfail=0 nskip=0
result() {
	n=$((n + 1))
	case $1 in
	ok) npass=$((npass + 1)); say "ok $n $2" ;;
	fail) nfail=$((nfail + 1)); [ -z "${3:-}" ] || note "$2: $3"; say "not ok $n $2" ;;
	skip) nskip=$((nskip + 1)); say "ok $n $2 # SKIP ${3:-}" ;;
	esac
}
