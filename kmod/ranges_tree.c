// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: the data structures of the protected ranges (ranges.h): the
 * interval trees of held ranges and of the STM's mirrored descriptors,
 * and the in-order walk. The bottom of ranges*.c.
 */
#include "stmexec.h"
#include "ranges.h"

#include <linux/interval_tree_generic.h>

/* The interval trees of ranges.h, global: ranges_*.c use them too. */
#define SX_IT_GLOBAL
INTERVAL_TREE_DEFINE(struct sx_held, rb, u64, subtree_last, HELD_START,
		     HELD_LAST, SX_IT_GLOBAL, held_it)
INTERVAL_TREE_DEFINE(struct sx_node, rb, u64, subtree_last, NODE_START,
		     NODE_LAST, SX_IT_GLOBAL, node_it)

const char *sx_type_name(u32 type)
{
	static const char * const names[] = {
		[STMEXEC_RANGE_MEM] = "mem", [STMEXEC_RANGE_IO] = "io",
		[STMEXEC_RANGE_MMIO] = "mmio", [STMEXEC_RANGE_MSR] = "msr",
		[STMEXEC_RANGE_PCI] = "pci",
		[STMEXEC_RANGE_TRAPPED_IO] = "trapped-io",
		[STMEXEC_RANGE_ALL] = "all",
	};

	return type < ARRAY_SIZE(names) && names[type] ? names[type] : "?";
}

/* In-order walk of all held ranges: PHYS, IO, MSR, PCI, each by start. */
struct sx_held *sx_held_next(struct stmexec_ranges *rs, int *space,
			     struct sx_held *h)
{
	struct rb_node *nd;

	if (h) {
		nd = rb_next(&h->rb);
		if (nd)
			return rb_entry(nd, struct sx_held, rb);
		(*space)++;
	}
	for (; *space < SP_NR; (*space)++) {
		nd = rb_first_cached(&rs->tree[*space]);
		if (nd)
			return rb_entry(nd, struct sx_held, rb);
	}
	return NULL;
}
