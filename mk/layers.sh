#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# usage: layers.sh [--graph] OBJDIR
#
# The layering check of kmod/ (HACKING.md, "Layers"), from the objects of a
# module build (OBJDIR: build/<kver>/kmod): nm gives, per object, the
# symbols it defines and the ones it uses; a use of a symbol another object
# defines is an edge between the two files. Each file belongs to a layer
# (the table below, the same as HACKING.md's). It fails when
#   - a file is in no layer (add it to the table and to HACKING.md),
#   - an edge goes up (a file uses a file of a higher layer): call up only
#     through an ops table or hook that the higher layer registers,
#   - the files form a cycle, even inside one layer.
# --graph prints every edge ("from -> to: symbols") first.
set -eu

graph=0
[ "${1:-}" != --graph ] || { graph=1; shift; }
objdir=${1:?usage: layers.sh [--graph] OBJDIR}
command -v nm >/dev/null || { echo "layers: nm not found (binutils)" >&2; exit 2; }
[ -f "$objdir/lifecycle.o" ] ||
	{ echo "layers: $objdir has no module objects: build the module first (make modules)" >&2; exit 2; }

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

tab=$(mktemp)
trap 'rm -f "$tab"' EXIT
for o in "$objdir"/*.o; do
	f=$(basename "$o" .o)
	case $f in stmexec | stmexec.mod | *.mod) continue ;; esac
	l=$(layer "$f")
	[ -n "$l" ] || l="? unknown"
	echo "F $f $l" >>"$tab"
	nm "$o" | awk -v f="$f" '
		$1 == "U" { print "U", f, $2 }
		NF == 3 && $2 ~ /^[TDBRV]$/ { print "D", f, $3 }' >>"$tab"
done

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
}' "$tab"
