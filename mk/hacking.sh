#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# usage: hacking.sh [TOPDIR]       check TOPDIR/HACKING.md against TOPDIR
#        hacking.sh --self-test    break a copy of this tree in each way the
#                                  check must catch; fail if one is missed
#
# HACKING.md is the map of the tree; this is what keeps it true (run by
# `make lint`). It fails, naming each difference, when
#   1. a file of kmod/, a directory of stm-image/, a tools/*.c, a
#      directory of selftests/ or an entry of mk/ is named nowhere in
#      HACKING.md (in backquotes; a bare name counts inside a section whose
#      heading names its directory, e.g. "## Layers (`kmod/`)"; a glob
#      such as `core_*.c` counts, a bare `*.c` does not), and a kmod/*.c
#      has no row in the table under "Layers";
#   2. the first column of a table (the map) names a path that is not in
#      the tree;
#   3. a module parameter (module_param*() in kmod/*.c) is missing from
#      the "Module parameters" item or from Documentation/ (as `name=`),
#      or that item names a `name=` that is no parameter;
#   4. a sysfs attribute the module creates (DEVICE_ATTR*(), BIN_ATTR*(),
#      __ATTR*(), under its attribute_group's .name) or a securityfs file
#      is missing from the "sysfs" item or from Documentation/ABI/, or
#      Documentation/ABI/ documents a /sys/class/misc/stmexec/ file the
#      module does not create;
#   5. a debugfs file (debugfs_create_*()) is missing from the "debugfs"
#      item or from Documentation/;
#   6. the layer of a kmod/*.c in the table or in the diagram under
#      "Layers" differs from mk/layers.sh's (the one the build checks);
#   7. a generated file is committed: git tracks a file that .gitignore
#      matches (build products; the seed corpora and golden files are
#      sources and are not ignored). Only when TOPDIR is a git work tree.
set -u

here=$(cd "$(dirname "$0")" && pwd)

# shellcheck disable=SC2016 # backquotes of HACKING.md, not expansions
self_test() {
	local src tmp fails=0 out
	src=$(cd "$here/.." && pwd)
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/hacking-selftest.XXXXXX")
	# shellcheck disable=SC2064 # expand now
	trap "rm -rf '$tmp'" EXIT
	# expect NAME WANT...: the broken copy must fail, naming each WANT
	expect() {
		local name=$1 w
		shift
		if out=$("$here/hacking.sh" "$tmp/t" 2>&1); then
			echo "hacking: self-test: $name: the check passed"
			fails=$((fails + 1))
			return
		fi
		for w in "$@"; do
			if ! printf '%s\n' "$out" | grep -qF -- "$w"; then
				echo "hacking: self-test: $name: no message names '$w':"
				printf '%s\n' "$out" | sed 's/^/    /'
				fails=$((fails + 1))
				return
			fi
		done
		echo "hacking: self-test: $name: caught"
	}
	fresh() {
		rm -rf "$tmp/t"
		mkdir "$tmp/t"
		tar -C "$src" --exclude=./.git --exclude=build --exclude='*.o' -cf - . | tar -C "$tmp/t" -xf -
	}

	fresh
	if ! out=$("$here/hacking.sh" "$tmp/t" 2>&1); then
		printf '%s\n' "$out"
		echo "hacking: self-test: the unchanged copy fails (fix the tree first)"
		return 1
	fi

	cat >"$tmp/t/kmod/fixture_new.c" <<-'EOF'
		static unsigned int fixture_knob;
		module_param(fixture_knob, uint, 0444);
		static DEVICE_ATTR_RO(fixture_attr);
		debugfs_create_u32("fixture_dbg", 0600, d, &x);
		securityfs_create_file("fixture_sec", 0400, d, at, &fops);
	EOF
	mkdir "$tmp/t/stm-image/fixture_dir" "$tmp/t/selftests/fixture_suite"
	touch "$tmp/t/tools/fixture_cmd.c" "$tmp/t/mk/fixture.sh"
	expect "new files, parameter, attribute, debugfs and securityfs file" \
		kmod/fixture_new.c stm-image/fixture_dir selftests/fixture_suite \
		tools/fixture_cmd.c mk/fixture.sh "fixture_knob" "fixture_attr" \
		"fixture_dbg" "fixture_sec"

	fresh
	printf '| `kmod/no_such_file.c` | nothing |\n' >>"$tmp/t/HACKING.md"
	expect "a map row naming a missing file" kmod/no_such_file.c

	fresh
	sed -i 's/`node_budget=`, //' "$tmp/t/HACKING.md"
	expect "a parameter left out" node_budget
	fresh
	sed -i 's/`policy_conflict=lower|fail`/`policy_clash=lower|fail`/' "$tmp/t/HACKING.md"
	expect "a parameter renamed in the doc only" policy_clash policy_conflict

	fresh
	sed -i '\|^What:.*/stmexec/stm_caps$|d' "$tmp/t"/Documentation/ABI/testing/sysfs-class-misc-stmexec
	expect "an attribute missing from Documentation/ABI" stm_caps
	fresh
	printf 'What:\t\t/sys/class/misc/stmexec/fixture_gone\n' >>"$tmp/t"/Documentation/ABI/testing/sysfs-class-misc-stmexec
	expect "Documentation/ABI documents a file the module lacks" fixture_gone
	fresh
	sed -i 's/`stm_heap_pages`, //' "$tmp/t/HACKING.md"
	expect "an attribute missing from the sysfs item" stm_heap_pages
	fresh
	sed -i 's/`smi_window`, //' "$tmp/t/HACKING.md"
	expect "a debugfs file missing" smi_window
	fresh
	find "$tmp/t/Documentation" -type f -exec sed -i 's/``sim_profile=/``sim_prof=/' {} +
	expect "a parameter missing from Documentation/" "sim_profile is documented nowhere"

	fresh
	sed -i 's/^| `bios.c` | lifecycle |/| `bios.c` | backend |/' "$tmp/t/HACKING.md"
	expect "a layer changed in the table" bios.c
	fresh
	sed -i 's/^ 1 base       error.c ipi.c$/ 1 base       error.c/; s/^\( 2 backend .*\)$/\1 ipi.c/' "$tmp/t/HACKING.md"
	expect "a file moved to another layer in the diagram" ipi.c
	fresh
	sed -i '/^| `ipi.c` |/d' "$tmp/t/HACKING.md"
	expect "a kmod file without its layer row" ipi.c

	fresh
	if command -v git >/dev/null; then
		git -C "$tmp/t" init -q && git -C "$tmp/t" add -A &&
			touch "$tmp/t/kmod/fixture.o" && git -C "$tmp/t" add -f kmod/fixture.o
		expect "a build product committed" kmod/fixture.o
	fi

	if [ "$fails" -gt 0 ]; then
		echo "hacking: self-test: $fails broken copies not caught"
		return 1
	fi
	echo "hacking: self-test: every broken copy caught"
}

if [ "${1:-}" = --self-test ]; then
	self_test
	exit
fi

top=$(cd "${1:-$here/..}" && pwd) || exit 2
map=$top/HACKING.md
[ -f "$map" ] || { echo "hacking: $map is missing"; exit 1; }
cd "$top" || exit 2
bad=0
err() {
	echo "hacking: $*"
	bad=$((bad + 1))
}

# --- HACKING.md's backquoted words ------------------------------------------
# One line per word: LINE KIND CONTEXT ITEM WORD COL2 (separated by
# the ASCII unit separator, \037: fields may be empty).
# KIND: map (first column of a table), text (any other backquoted word),
# diag (a file of the layer diagram; ITEM is "RANK NAME" of its layer).
# CONTEXT: the directory the heading names (`kmod/`), for bare names.
# ITEM: the first word of the top-level "- " item the word is in.
# Braces are expanded: `log/{records,dropped}` is two words.
words=$(awk '
function expand(s,   i, j, d, c, pre, inner, post, n, alt, k, r) {
	i = index(s, "{")
	if (!i)
		return s
	d = 0
	for (j = i; j <= length(s); j++) {
		c = substr(s, j, 1)
		if (c == "{") d++
		else if (c == "}" && --d == 0) break
	}
	pre = substr(s, 1, i - 1); inner = substr(s, i + 1, j - i - 1)
	post = substr(s, j + 1)
	n = split(inner, alt, ",")
	r = ""
	for (k = 1; k <= n; k++)
		r = r (k > 1 ? "\n" : "") expand(pre alt[k] post)
	return r
}
function emit(kind, span, col2,   n, w, i, m, e, j, x) {
	n = split(span, w, /[ \t]+/)
	for (i = 1; i <= n; i++) {
		m = split(expand(w[i]), e, "\n")
		for (j = 1; j <= m; j++) {
			x = e[j]
			sub(/^[(]+/, "", x); sub(/[,;:.)]+$/, "", x)
			if (x != "")
				printf "%d\037%s\037%s\037%s\037%s\037%s\n", NR, kind, ctx, item, x, col2
		}
	}
}
function spans(kind, s, col2) {
	while (match(s, /`[^`]*`/)) {
		emit(kind, substr(s, RSTART + 1, RLENGTH - 2), col2)
		s = substr(s, RSTART + RLENGTH)
	}
}
/^```/ { fence = !fence; next }
fence {
	if (section != "Layers")
		next
	if (match($0, /^ *[0-9]+ +[a-z]+ /)) {
		split($0, f, /[ \t]+/)
		layer = (f[1] == "" ? f[2] " " f[3] : f[1] " " f[2])
		rest = substr($0, RSTART + RLENGTH)
	} else
		rest = $0
	n = split(rest, f, /[ \t>,]+/)
	for (i = 1; i <= n; i++)
		if (f[i] ~ /(\.c|\*)$/ && f[i] ~ /^[a-z_*]+\.?[a-z*]*$/)
			printf "%d\037diag\037kmod/\037%s\037%s\037\n", NR, layer, f[i]
	next
}
/^#/ {
	ctx = ""
	section = $0
	sub(/^#+ */, "", section); sub(/ *\(.*$/, "", section)
	h = $0
	while (match(h, /`[^`]*\/`/)) {
		if (ctx == "")
			ctx = substr(h, RSTART + 1, RLENGTH - 2)
		h = substr(h, RSTART + RLENGTH)
	}
	item = ""
	next
}
/^- / { item = $2; gsub(/[^A-Za-z]/, "", item) }
/^[^ -]/ && !/^\|/ { item = "" }
/^\|/ {
	nc = split($0, c, "|")
	col2 = c[3]; gsub(/^ +| +$/, "", col2)
	spans("map", c[2], col2)
	for (k = 3; k <= nc; k++)
		spans("text", c[k], "")
	next
}
{ spans("text", $0, "") }
' "$map")

# The tree (without .git and build/): "f PATH" or "d PATH" a line.
tree=$(find . \( -path ./.git -o -path ./build \) -prune -o \( -type d -printf 'd %P\n' \) -o -printf 'f %P\n')
# What must be on the map: "PATH<US>HINT" a line.
need=$(
	for p in kmod/*; do
		[ -f "$p" ] || continue
		case $p in *.o | *.ko | *.mod | *.mod.c | *.cmd | */modules.order | */Module.symvers) continue ;; esac
		printf '%s\037add it to the table (a .c) or the headers (a .h) under "Layers"\n' "$p"
	done
	for p in stm-image/*/ selftests/*/; do
		[ -d "$p" ] && printf '%s\037add a row for it to the table under "Layout"\n' "${p%/}"
	done
	for p in tools/*.c; do
		[ -f "$p" ] && printf '%s\037add a row for it to the table under "The CLI"\n' "$p"
	done
	for p in mk/*; do
		[ -e "$p" ] && printf '%s\037add it to the table under "Layout"\n' "$p"
	done
)
kfiles=()
for p in kmod/*.c; do [ -f "$p" ] && kfiles+=("${p#kmod/}"); done
lays=''
[ ${#kfiles[@]} -eq 0 ] || lays=$("$here/layers.sh" --layer "${kfiles[@]}")

# 1., 2. and 6.
# shellcheck disable=SC2016 # awk program
awk -F'\037' -v words="$words" -v tree="$tree" -v need="$need" -v lays="$lays" '
function glob2re(g,   r) {
	r = g
	gsub(/[.+?^$()|\[\]]/, "\\\\&", r)
	gsub(/\*/, "[^/]*", r)
	return "^" r "$"
}
# Candidate paths of a word: CONTEXT/WORD for a bare name; for a word with
# a slash inside a section with a directory both CONTEXT/WORD and WORD.
function cands(ctx, w, c) {
	sub(/^\.\//, "", w); sub(/\/$/, "", w)
	if (w ~ /^[\/-]/ || w ~ /[<$=]/ || w == "")
		return 0
	if (ctx == "") { c[1] = w; return 1 }
	c[1] = ctx w
	if (w !~ /\//)
		return 1
	c[2] = w
	return 2
}
function exists(p,   re, k) {
	if (p in have)
		return 1
	if (p !~ /\*/)
		return 0
	re = glob2re(p)
	for (k in have)
		if (k ~ re)
			return 1
	return 0
}
function err(s) { print "hacking: " s; bad++ }
BEGIN {
	n = split(tree, t, "\n")
	for (i = 1; i <= n; i++)
		have[substr(t[i], 3)] = 1
	n = split(lays, t, "\n")
	for (i = 1; i <= n; i++) {
		split(t[i], lf, " ")
		lay[lf[1] ".c"] = lf[2] " " lf[3]
		kf[++nk] = lf[1] ".c"
	}
	nw = split(words, W, "\n")
	for (i = 1; i <= nw; i++) {
		split(W[i], x, "\037")
		line = x[1]; kind = x[2]; ctx = x[3]; item = x[4]; w = x[5]; col2 = x[6]
		if (kind == "diag" || (kind == "map" && ctx == "kmod/" && w ~ /\.c$/)) {
			re = glob2re(w)
			for (j = 1; j <= nk; j++) {
				kfn = kf[j]
				if (kfn !~ re)
					continue
				if (kind == "map") {
					intable[kfn] = 1
					if (col2 != substr(lay[kfn], index(lay[kfn], " ") + 1))
						err("HACKING.md:" line ": kmod/" kfn " is in layer \"" col2 "\" in the table, \"" substr(lay[kfn], index(lay[kfn], " ") + 1) "\" in mk/layers.sh: make them agree")
				} else {
					indiag[kfn] = 1
					if (item != lay[kfn])
						err("HACKING.md:" line ": kmod/" kfn " is in layer \"" item "\" in the diagram, \"" lay[kfn] "\" in mk/layers.sh: make them agree")
				}
			}
		}
		if (kind == "diag")
			continue
		m = cands(ctx, w, c)
		ok = 0
		for (j = 1; j <= m; j++) {
			p = c[j]
			b = p; sub(/^.*\//, "", b)
			if (b ~ /^\*/)
				;		# a bare `*.c` names nothing in particular
			else if (p ~ /\*/)
				globs[glob2re(p)] = 1
			else
				named[p] = 1
			# the directories above a named path are named too
			d = p
			while (sub(/\/[^\/]*$/, "", d))
				if (d !~ /\*/)
					named[d] = 1
			if (exists(p))
				ok = 1
		}
		# 2. every path the map names exists
		if (kind == "map" && m > 0 && !ok)
			err("HACKING.md:" line ": the map names `" w "`, which is not in the tree: fix or remove the row")
	}
	# 1. every part of the tree is on the map
	n = split(need, t, "\n")
	for (i = 1; i <= n; i++) {
		split(t[i], x, "\037")
		p = x[1]
		if (p in named)
			continue
		for (g in globs)
			if (p ~ g)
				break
		if (g != "" && p ~ g)
			continue
		err(p " is not in HACKING.md: " x[2])
	}
	for (j = 1; j <= nk; j++) {
		kfn = kf[j]
		if (!(kfn in intable))
			err("kmod/" kfn " has no row in the table under \"Layers\" (file, layer, what it owns)")
		if (!(kfn in indiag))
			err("kmod/" kfn " is not in the layer diagram under \"Layers\"")
		if (lay[kfn] ~ /^\?/)
			err("kmod/" kfn " is in no layer of mk/layers.sh: add it there")
	}
	exit (bad > 0)
}' || bad=$((bad + 1))

# Words of one "- " item of HACKING.md.
item_words() { # ITEM
	printf '%s\n' "$words" | awk -F'\037' -v i="$1" '$2 == "text" && $4 == i { print $5 }'
}

# Is WORD one of the words of LIST (no fork: this runs a few hundred times)?
in_list() { # WORD LIST
	local x
	for x in $2; do [ "$x" = "$1" ] && return 0; done
	return 1
}

# --- 3. module parameters -------------------------------------------------------
params=$(sed -n 's/^module_param[a-z_]*( *\([A-Za-z0-9_]*\) *,.*/\1/p' kmod/*.c | sort -u)
docp=$(item_words Module | sed -n 's/^\([a-z0-9_]*\)=.*/\1/p' | sort -u)
for p in $params; do
	in_list "$p" "$docp" ||
		err "module parameter $p (kmod/$(grep -l "^module_param[a-z_]*( *$p *," kmod/*.c | head -n 1 | sed 's|kmod/||')) is not in HACKING.md's \"Module parameters\" item: add \`$p=\`"
done
# every `name=` written in Documentation/ (rST: ``name=...``)
rstp=$(grep -rhoE '``[a-z0-9_]+=' Documentation | sed 's/^``//; s/=$//' | sort -u)
for p in $params; do
	in_list "$p" "$rstp" ||
		err "module parameter $p is documented nowhere in Documentation/ (as \`\`$p=...\`\`): describe it with the part it belongs to"
done
for p in $docp; do
	in_list "$p" "$params" ||
		err "HACKING.md's \"Module parameters\" item names \`$p=\`, which is no module parameter (module_param* in kmod/*.c)"
done

# --- 4. sysfs and securityfs ------------------------------------------------------
attrs=$(awk '
FNR == 1 { file = FILENAME }
/^[ \t]*#/ { next }
/struct attribute_group [A-Za-z0-9_]+ *= *\{/ { ingroup = 1 }
ingroup && match($0, /\.name *= *"[^"]*"/) {
	g = substr($0, RSTART, RLENGTH); sub(/^[^"]*"/, "", g); sub(/"$/, "", g)
	gname[file] = g
}
ingroup && /^};/ { ingroup = 0 }
match($0, /(^|[^A-Za-z0-9_])(DEVICE_ATTR|BIN_ATTR|__ATTR)(_[A-Z_]+)?\( *[a-z0-9_]+/) {
	a = substr($0, RSTART, RLENGTH); sub(/^.*\( */, "", a)
	n[file]++; at[file, n[file]] = a
}
END {
	for (k in n)
		for (i = 1; i <= n[k]; i++)
			print (k in gname ? gname[k] "/" : "") at[k, i]
}' kmod/*.c | sort -u)
abi=$(cat Documentation/ABI/*/* 2>/dev/null | sed -n 's|^What:[[:space:]]*||p')
docs=$(item_words sysfs)
for a in $attrs; do
	in_list "$a" "$docs" ||
		err "sysfs attribute $a is not in HACKING.md's \"sysfs\" item"
	in_list "/sys/class/misc/stmexec/$a" "$abi" ||
		err "sysfs attribute $a has no \"What: /sys/class/misc/stmexec/$a\" entry in Documentation/ABI/testing/"
done
for a in $(printf '%s\n' "$abi" | sed -n 's|^/sys/class/misc/stmexec/||p'); do
	in_list "$a" "$attrs" ||
		err "Documentation/ABI/ documents /sys/class/misc/stmexec/$a, which the module does not create: remove the entry"
done
sfs=$(sed -n 's/.*securityfs_create_file( *"\([^"]*\)".*/\1/p' kmod/*.c | sort -u)
for a in $sfs; do
	in_list "/sys/kernel/security/stmexec/$a" "$docs" ||
		err "securityfs file $a is not in HACKING.md's \"sysfs\" item (as /sys/kernel/security/stmexec/$a)"
	in_list "/sys/kernel/security/stmexec/$a" "$abi" ||
		err "securityfs file $a has no \"What: /sys/kernel/security/stmexec/$a\" entry in Documentation/ABI/testing/"
done

# --- 5. debugfs -------------------------------------------------------------------
dbg=$(sed -n '/debugfs_create_dir/!s/.*debugfs_create_[a-z0-9]*( *"\([^"]*\)".*/\1/p' kmod/*.c | sort -u)
docd=$(item_words debugfs)
for a in $dbg; do
	in_list "$a" "$docd" ||
		err "debugfs file $a is not in HACKING.md's \"debugfs\" item"
	grep -rqw -- "$a" Documentation ||
		err "debugfs file $a is mentioned nowhere in Documentation/"
done

# --- 7. no generated file committed -------------------------------------------
if [ -e .git ] && command -v git >/dev/null; then
	for p in $(git ls-files -ci --exclude-standard); do
		err "$p is tracked but .gitignore says it is generated: git rm --cached $p (or, if it is a source, narrow .gitignore)"
	done
fi

if [ "$bad" -gt 0 ]; then
	echo "hacking: $bad differences between HACKING.md and the tree (above)"
	exit 1
fi
echo "hacking: HACKING.md matches the tree ($(printf '%s\n' "$params" | wc -w) module parameters, $(printf '%s\n' "$attrs" | wc -w) sysfs attributes, ${#kfiles[@]} kmod/*.c in their layers)"
