/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stmexec: private header of the protected ranges (ranges.c: the held set,
 * PROTECT/UNPROTECT; ranges_check.c: request validation; ranges_diff.c:
 * the difference sent to the STM and the node budget; ranges_sysfs.c).
 */
#ifndef STMEXEC_RANGES_H
#define STMEXEC_RANGES_H

#include <linux/rbtree.h>

#include "stmexec.h"
#include "features.h"

enum { SP_PHYS, SP_IO, SP_MSR, SP_PCI, SP_NR };

struct sx_held {
	struct rb_node rb;
	u64 start;
	u64 last;
	u64 subtree_last;
	u32 gen;
	bool removing;
	struct stmexec_range r;		/* r.flags: owner (0 or RF_POLICY) */
};

#define HELD_START(h) ((h)->start)
#define HELD_LAST(h) ((h)->last)
/* INTERVAL_TREE_DEFINE() in ranges.c */
void held_it_insert(struct sx_held *node, struct rb_root_cached *root);
void held_it_remove(struct sx_held *node, struct rb_root_cached *root);
struct sx_held *held_it_iter_first(struct rb_root_cached *root, u64 start,
				   u64 last);
struct sx_held *held_it_iter_next(struct sx_held *node, u64 start, u64 last);

/*
 * A descriptor the STM holds in its node database because the module sent
 * it with PROTECT (its "mirror"). UNPROTECT of a byte-identical descriptor
 * is the only way to delete it there, so when none of its accesses is
 * denied by a held range any more the module sends it verbatim.
 */
struct sx_node {
	struct rb_node rb;
	u64 start;
	u64 last;
	u64 subtree_last;
	u32 gen;
	struct stmexec_seg seg;
};

#define NODE_START(nd) ((nd)->start)
#define NODE_LAST(nd) ((nd)->last)
void node_it_insert(struct sx_node *node, struct rb_root_cached *root);
void node_it_remove(struct sx_node *node, struct rb_root_cached *root);
struct sx_node *node_it_iter_first(struct rb_root_cached *root, u64 start,
				   u64 last);
struct sx_node *node_it_iter_next(struct sx_node *node, u64 start, u64 last);

/*
 * ndesc/nbytes: STM descriptors (and their bytes) of the mirror nodes, i.e.
 * what the STM keeps in its database for the module. frames: the sorted,
 * distinct EPT large pages the STM has split for the module since it
 * started (key: 2 MiB frame << 1, or 1 GiB frame << 1 | 1). The real STMs
 * never free a split page, so this only grows until the next enable.
 */
struct stmexec_ranges {
	struct rb_root_cached tree[SP_NR];
	struct rb_root_cached nodes[SP_NR];
	u32 count;
	u32 nnodes;
	u32 gen;
	u32 ndesc;
	u32 nbytes;
	u64 *frames;
	u32 nframes;
	bool quiet;
	struct stm_list_page rsc_page;	/* PROTECT/UNPROTECT list (rsc_encode.c) */
};

static inline int range_space(u32 type)
{
	switch (type) {
	case STMEXEC_RANGE_MEM:
	case STMEXEC_RANGE_MMIO:
		return SP_PHYS;
	case STMEXEC_RANGE_IO:
		return SP_IO;
	case STMEXEC_RANGE_MSR:
		return SP_MSR;
	default:
		return SP_PCI;
	}
}

static inline u64 pci_key(const struct stmexec_range *r)
{
	return ((u64)r->pci_bus << 8) | (r->pci_dev << 3) | r->pci_fn;
}

/* The interval a (validated) range covers in its space, last inclusive. */
static inline void range_key(const struct stmexec_range *r, u64 *start, u64 *last)
{
	switch (r->type) {
	case STMEXEC_RANGE_MSR:
		*start = r->base;
		*last = r->base;
		break;
	case STMEXEC_RANGE_PCI:
		*start = pci_key(r);
		*last = *start;
		break;
	default:
		*start = r->base;
		*last = r->base + r->length - 1;
		break;
	}
}

/* ranges.c */
const char *sx_type_name(u32 type);
/* The held range after @h (NULL: the first), across the spaces. */
struct sx_held *sx_held_next(struct stmexec_ranges *rs, int *space,
			     struct sx_held *h);

/* ranges_check.c: request validation; last_error set on failure. */
/* The BIOS list, decoded (kvfree()); NULL with *@err on failure. */
int sx_range_check(struct stmexec *sx, const struct stmexec_range *r, u32 i);
int sx_check_bios(struct stmexec *sx, const struct stmexec_range *req,
		  u32 n, u32 *err_index, u32 *bios_index);
int sx_check_request_dups(struct stmexec *sx, const struct stmexec_range *req,
			  u32 n, u32 *err_index);
int sx_check_held_dups(struct stmexec *sx, const struct stmexec_range *req,
		       u32 n, u32 owner, u32 *err_index);

/* ranges_diff.c: the VMCALLs of a change, all or nothing; sx->lock held. */
int sx_diff_protect(struct stmexec *sx, const struct stmexec_range *req, u32 n);
int sx_diff_reapply(struct stmexec *sx, const struct stmexec_range *all, u32 n);
int sx_diff_unprotect(struct stmexec *sx, struct sx_held **rm, u32 n);
/* The STM forgot its database (stop): drop the mirror. */
void sx_mirror_clear(struct stmexec_ranges *rs);

#endif /* STMEXEC_RANGES_H */
