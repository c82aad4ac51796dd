#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# usage: layers.sh [--graph] OBJDIR
#        layers.sh --layer NAME...   (prints "NAME RANK LAYER" per kmod file
#                                    NAME: mk/hacking.sh compares HACKING.md's
#                                    layer table and diagram with this table)
#
# The layering check of kmod/ (HACKING.md, "Layers"), from the objects of a
# module build (OBJDIR: build/<kver>/kmod): nm gives, per object, the
# symbols it defines and the ones it uses; a use of a symbol another object
# defines is an edge between the two files. Each file belongs to a layer
# (the table below, the same as HACKING.md's). It fails when
#   - a file is in no layer (add it to the table and to HACKING.md),
#   - an edge goes up (a file uses a file of a higher layer): call up only
#     through an ops table or hook that the higher layer registers,
#   - the files form a cycle, even inside one layer,
#   - a file has mutable state of its own (HACKING.md, "State"): a data or
#     bss symbol (nm d/D/b/B: a file-scope or function-scope static or
#     global that is not const) that is not a module parameter's variable
#     (module_param*() in kmod/*.c), not one of the kernel's idioms below,
#     and not in mk/layers-globals.allow (one "file symbol reason" a line).
#     State belongs in a struct that hangs off struct stmexec.
# --graph prints every edge ("from -> to: symbols") first.
set -eu

graph=0
[ "${1:-}" != --graph ] || { graph=1; shift; }
objdir=${1:?usage: layers.sh [--graph] OBJDIR}

# Layer of a kmod file (without .o), lowest first; empty if unknown.
layer() {
	case $1 in
	core_* | mseg_verify) echo "0 core" ;;
	error | ipi) echo "1 base" ;;
	probe | platform_io | backend_* | sim_* | nosim | image_sysfs) echo "2 backend" ;;
	lifecycle | lifecycle_* | bios) echo "3 lifecycle" ;;
	ranges | ranges_* | range_text | rsc_encode | log | log_* | vmcs_db | \
	policy | policy_* | pmod | modwatch | report | report_* | \
	attest) echo "4 feature" ;;
	chardev | sysfs | debugfs | debugfs_*) echo "5 user" ;;
	main) echo "6 top" ;;
	esac
}

if [ "$objdir" = --layer ]; then
	shift
	for f in "$@"; do
		l=$(layer "${f%.c}")
		echo "${f%.c} ${l:-? unknown}"
	done
	exit 0
fi
command -v nm >/dev/null || { echo "layers: nm not found (binutils)" >&2; exit 2; }
[ -f "$objdir/lifecycle.o" ] ||
	{ echo "layers: $objdir has no module objects: build the module first (make modules)" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
allow=$here/layers-globals.allow
[ -f "$allow" ] || { echo "layers: $allow is missing" >&2; exit 2; }

tab=$(mktemp)
glob=$(mktemp)
trap 'rm -f "$tab" "$glob"' EXIT
for o in "$objdir"/*.o; do
	f=$(basename "$o" .o)
	case $f in stmexec | stmexec.mod | *.mod) continue ;; esac
	l=$(layer "$f")
	[ -n "$l" ] || l="? unknown"
	echo "F $f $l" >>"$tab"
	nm "$o" | awk -v f="$f" '
		$1 == "U" { print "U", f, $2 }
		NF == 3 && $2 ~ /^[TDBRV]$/ { print "D", f, $3 }
		NF == 3 && $2 ~ /^[dDbB]$/ { print "G", f, $3 }' >>"$tab"
done

# --- mutable state outside struct stmexec ---------------------------------
# The variables of the module parameters (the names module_param(),
# module_param_named(), module_param_cb() and module_param_string() give).
params=$(sed -n \
	-e 's/^module_param(\([A-Za-z0-9_]*\),.*/\1/p' \
	-e 's/^module_param_named([A-Za-z0-9_]*, *\([A-Za-z0-9_]*\),.*/\1/p' \
	-e 's/^module_param_cb([A-Za-z0-9_]*, *[^,]*, *&\([A-Za-z0-9_]*\),.*/\1/p' \
	-e 's/^module_param_string([A-Za-z0-9_]*, *\([A-Za-z0-9_]*\),.*/\1/p' \
	"$here"/../kmod/*.c)
awk -v params="$params" -v allowf="$allow" '
BEGIN {
	n = split(params, p, /[ \n]+/)
	for (i = 1; i <= n; i++)
		if (p[i] != "")
			param[p[i]] = 1
	while ((getline line < allowf) > 0) {
		if (line ~ /^[ \t]*(#|$)/)
			continue
		split(line, w, /[ \t]+/)
		if (line !~ /^[^ \t]+[ \t]+[^ \t]+[ \t]+[^ \t]/) {
			printf "layers: %s: \"%s\": want \"file symbol reason\"\n", allowf, line
			bad++
			continue
		}
		allowed[w[1] " " w[2]] = 1
	}
}
$1 == "G" {
	f = $2; sym = $3
	base = sym
	sub(/\.[0-9]+$/, "", base)	# function-scope statics: name.N
	# The kernel idioms: dynamic debug and __addressable descriptors,
	# lockdep class keys, WARN_ONCE/printk_once/ratelimit state, and the
	# sysfs attribute descriptors and their arrays (DEVICE_ATTR*(), not
	# const by the kernel API; no state of ours in them).
	if (base ~ /^(__UNIQUE_ID_|__key|__already_done|__print_once|__warned|_rs$)/ ||
	    base ~ /^(dev_attr_|bin_attr_)/ || base ~ /_(attrs|bin_attrs|groups)$/)
		next
	if (base in param)
		next
	used[f " " base] = 1
	if ((f " " base) in allowed)
		next
	printf "layers: %s.c: mutable %s \"%s\": move it into a struct hanging off struct stmexec (HACKING.md, \"State\"), or, if it cannot, add \"%s %s <reason>\" to mk/layers-globals.allow\n", f, (sym == base ? "global" : "function-scope static"), base, f, base
	bad++
}
END {
	for (k in allowed)
		if (!(k in used)) {
			printf "layers: mk/layers-globals.allow: \"%s\" is not in the objects any more: remove the line\n", k
			bad++
		}
	if (bad) {
		printf "layers: %d problems with state outside struct stmexec\n", bad
		exit 1
	}
}' "$tab" >"$glob" || true

rc=0
awk -v graph="$graph" '
$1 == "F" { rank[$2] = $3; lname[$2] = $4; files[++nf] = $2; next }
$1 == "D" { def[$3] = $2; next }
$1 == "U" { use[++nu] = $2 " " $3 }
END {
	bad = 0
	for (i = 1; i <= nf; i++)
		if (rank[files[i]] == "?") {
			printf "layers: %s.c is in no layer: add it to mk/layers.sh and HACKING.md\n", files[i]
			bad++
		}
	for (i = 1; i <= nu; i++) {
		split(use[i], a, " ")
		from = a[1]; s = a[2]
		if (!(s in def) || def[s] == from)
			continue
		to = def[s]
		e = from " " to
		if (!(e in syms)) {
			edges[++ne] = e; syms[e] = s
			adj[from] = adj[from] " " to
		} else if (index(" " syms[e] " ", " " s " ") == 0)
			syms[e] = syms[e] " " s
	}
	for (i = 1; i <= ne; i++) {
		split(edges[i], a, " ")
		if (graph)
			printf "%s -> %s: %s\n", a[1], a[2], syms[edges[i]]
		if (rank[a[1]] != "?" && rank[a[2]] != "?" && rank[a[1]] + 0 < rank[a[2]] + 0) {
			printf "layers: upward call %s.c (%s) -> %s.c (%s): %s\n", a[1], lname[a[1]], a[2], lname[a[2]], syms[edges[i]]
			bad++
		}
	}
	# Cycles: depth-first search, 0 new, 1 on the stack, 2 done.
	for (i = 1; i <= nf; i++) {
		if (color[files[i]])
			continue
		sp = 0; stack[++sp] = files[i]; pos[sp] = 0; color[files[i]] = 1
		while (sp > 0) {
			v = stack[sp]
			n = split(adj[v], nb, " ")
			if (pos[sp] >= n) { color[v] = 2; sp--; continue }
			w = nb[++pos[sp]]
			if (color[w] == 1) {
				path = w
				for (k = sp; k >= 1 && stack[k] != w; k--)
					path = stack[k] " -> " path
				printf "layers: cycle %s -> %s\n", w, path
				bad++
			} else if (!color[w]) {
				color[w] = 1; stack[++sp] = w; pos[sp] = 0
			}
		}
	}
	if (bad) {
		printf "layers: %d problems in the call graph of kmod/ (HACKING.md, \"Layers\")\n", bad
		exit 1
	}
	printf "layers: %d files, %d edges, no upward call, no cycle\n", nf, ne
}' "$tab" || rc=1
if [ -s "$glob" ]; then
	cat "$glob"
	rc=1
else
	echo "layers: no mutable state outside struct stmexec but module parameters and mk/layers-globals.allow"
fi
exit $rc
