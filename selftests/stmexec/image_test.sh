#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# image_test: launch_mode and the STM image of the simulated STM (installed
# as /tests/image_test; KTAP with one "# Totals:" line).
#
# The build put next to this script: stm.bin, stm-info.txt (`stmimg info
# stm.bin` on the host), two corrupted images and stm-bad.expect ("FILE
# CHECK": the check `stmimg verify` fails on the host). The images are
# copied to /lib/firmware/stmexec/ for the firmware loader. Checked: the
# sim's launch_mode and launch_checks; stm_header equals the host's `stmimg
# info` field by field, and so does `stmexec status`; each corrupted image is
# refused with -ENOEXEC and a last_error naming the check stmimg named, at
# runtime (sysfs stm_image) and at load (sim_image=); the documented errnos
# for a missing file, a non-firmware name and an enabled monitor.
set -u

here=$(cd "$(dirname "$0")" && pwd)
ko=${STMEXEC_KO:-/lib/stmexec/stmexec.ko}
sys=/sys/class/misc/stmexec
fwdir=/lib/firmware/stmexec
n=0 pass=0 fail=0 skip=0

ok() {
	n=$((n + 1)) pass=$((pass + 1))
	echo "ok $n $1"
}

notok() {
	n=$((n + 1)) fail=$((fail + 1))
	echo "not ok $n $1"
	shift
	for l in "$@"; do echo "# $l"; done
}

check() {	# NAME COND-EXIT-STATUS [diagnostic...]
	name=$1 rc=$2
	shift 2
	if [ "$rc" = 0 ]; then ok "$name"; else notok "$name" "$@"; fi
}

skip_all() {
	echo "TAP version 13"
	echo "1..0 # SKIP $1"
	echo "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0"
	exit 4
}

unload() {
	if [ -d /sys/module/stmexec ]; then
		[ -e $sys/enabled ] && echo 0 >$sys/enabled 2>/dev/null
		rmmod stmexec
	fi
}

# write VALUE ATTR: prints nothing and succeeds, or prints the error text
write() {
	( echo "$1" >"$sys/$2" ) 2>&1
}

attr() {
	cat "$sys/$1" 2>/dev/null
}

[ -f "$ko" ] || skip_all "no module at $ko"
for f in stm.bin stm-info.txt stm-bad.expect; do
	[ -f "$here/$f" ] || skip_all "$here/$f missing (make selftests)"
done
if ! mkdir -p "$fwdir" || ! cp "$here"/stm*.bin "$fwdir"/; then
	skip_all "cannot populate $fwdir"
fi

echo "TAP version 13"
echo "1..16"
unload

# ---- launch mode ----------------------------------------------------------
insmod "$ko" backend=sim policy=none
rc=$?
check "load backend=sim without an image" $rc "insmod exit $rc"
[ "$rc" = 0 ] || { echo "# Totals: pass:$pass fail:$((fail + 15)) xfail:0 xpass:0 skip:0 error:0"; exit 1; }

v=$(attr launch_mode)
[ "$v" = none ]
check "launch_mode is none while off" $? "launch_mode '$v'"

v=$(attr launch_checks)
echo "$v" | grep -qx 'detected: sim' &&
	echo "$v" | grep -q '^mseg_header_features: n/a' &&
	echo "$v" | grep -q '^txt_senter_done: n/a'
check "launch_checks: detected sim, no TXT, header via stm_header" $? "$v"

v=$(attr stm_header)
[ "$v" = "image: none" ] && [ "$(attr stm_image)" = none ] &&
	! stmexec status | grep -q StmHeaderRevision
check "no image: stm_header 'image: none', status shows no header" $? "$v"

e=$(write 1 enabled)
v=$(attr launch_mode)
write 0 enabled >/dev/null
[ -z "$e" ] && [ "$v" = sim ]
check "launch_mode is sim with backend=sim while on" $? "enable: '$e'" "launch_mode '$v'"

# ---- a good image ---------------------------------------------------------
e=$(write stmexec/stm.bin stm_image)
hdr=$(attr stm_header)
[ -z "$e" ] && [ "$(attr stm_image)" = stmexec/stm.bin ] &&
	echo "$hdr" | grep -qx "size: $(wc -c <"$here/stm.bin" | tr -d ' ')"
check "stm_image loads and verifies stmexec/stm.bin" $? "write: '$e'" "$hdr"

# every field of stm_header, as `stmimg info` printed it on the host
cmp_fields() {	# TEXT ("Key: value" or "  Key  value" lines)
	bad='' cnt=0
	while read -r k val; do
		k=${k%:}
		case $k in image | size | "") continue ;; esac
		want=$(awk -v k="$k" '$1 == k { print $2; exit }' "$here/stm-info.txt")
		cnt=$((cnt + 1))
		[ "$want" = "$val" ] || bad="$bad $k=$val(host:$want)"
	done <<EOF
$1
EOF
	[ -z "$bad" ] && [ "$cnt" -ge 14 ] && return 0
	echo "mismatch:$bad, $cnt fields"
	return 1
}
d=$(cmp_fields "$hdr")
check "stm_header fields equal the host's stmimg info" $? "$d"

st=$(stmexec status | sed -n '/^stm image:/,/^[a-z]/p' | sed '1d;/^[a-z]/d')
d=$(cmp_fields "$st")
check "stmexec status shows the same header fields" $? "$d" "$st"

js=$(stmexec --json status)
echo "$js" | "$here/json_check" >/dev/null 2>&1 &&
	echo "$js" | grep -q '"stm_header"' &&
	echo "$js" | grep -q "\"StaticImageSize\": *\"$(awk '$1 == "StaticImageSize" { print $2 }' "$here/stm-info.txt")\""
check "stmexec --json status: valid JSON with stm_header" $? "$js"

# ---- corrupted images ------------------------------------------------------
while read -r f c; do
	e=$(write "stmexec/$f" stm_image)
	le=$(attr last_error)
	case $le in "-ENOEXEC: stm_image stmexec/$f: verify failed [$c] "*) r=0 ;; *) r=1 ;; esac
	[ -n "$e" ] && [ "$(attr stm_image)" = stmexec/stm.bin ] || r=1
	check "$f refused: -ENOEXEC, last_error names [$c], old image kept" $r "write: '$e'" "last_error: $le"
done <"$here/stm-bad.expect"

e=$(write stmexec/absent.bin stm_image)
le=$(attr last_error)
case $le in -ENOENT:*) r=0 ;; *) r=1 ;; esac
check "missing image: -ENOENT" $r "write: '$e'" "last_error: $le"

e=$(write ../etc/passwd stm_image)
le=$(attr last_error)
case $le in -EINVAL:*) r=0 ;; *) r=1 ;; esac
check "non-firmware name: -EINVAL" $r "write: '$e'" "last_error: $le"

write 1 enabled >/dev/null
e=$(write stmexec/stm.bin stm_image)
le=$(attr last_error)
write 0 enabled >/dev/null
case $le in -EBUSY:*) r=0 ;; *) r=1 ;; esac
check "stm_image while on: -EBUSY" $r "write: '$e'" "last_error: $le"

# ---- sim_image= at load ----------------------------------------------------
unload
f=$(awk 'NR == 1 { print $1 }' "$here/stm-bad.expect")
c=$(awk 'NR == 1 { print $2 }' "$here/stm-bad.expect")
dmesg -c >/dev/null 2>&1
if insmod "$ko" backend=sim policy=none sim_image="stmexec/$f" 2>/dev/null; then
	unload
	notok "sim_image=$f refuses the load" "insmod succeeded"
else
	dmesg | grep -q "verify failed \[$c\]"
	check "sim_image=$f refuses the load, dmesg names [$c]" $? "$(dmesg | tail -n 3)"
fi

insmod "$ko" backend=sim policy=none sim_image=stmexec/stm.bin
rc=$?
d=$(cmp_fields "$(attr stm_header)")
r=$?
[ "$rc" = 0 ] || r=1
check "sim_image=stmexec/stm.bin at load: stm_header as on the host" $r "insmod exit $rc" "$d"
unload

echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
[ "$fail" = 0 ]
