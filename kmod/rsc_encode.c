// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: STM resource descriptors - encoding the module's coalesced
 * segments into STM_RSC, packing them (with the core's packer) into
 * page-contained lists below 4 GiB for PROTECT/UNPROTECT_RESOURCE
 * (decoding is in bios.c).
 */
#include "stmexec.h"
#include "features.h"
#include "ranges.h"

#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>

/*
 * One page-contained piece per VMCALL, whatever the STM: both real STMs
 * mis-size a list of two or more pieces (GetSizeFromResource computes the
 * next END from the cumulative length, and AddProtectedResource rounds the
 * copy down: real-stm-oracle.md C1, C2), so a multi-piece PROTECT returns
 * success with descriptors never applied, or overflows the STM heap. The
 * module cannot tell which STM it talks to. A chunk is therefore at most
 * one piece's payload (127 MEM/MMIO/MSR, 254 I/O or 185 PCI descriptors);
 * stmexec_rsc_apply() keeps a request all-or-nothing across chunks.
 */
#define CHUNK_BYTES	STM_PACK_PAGE_PAYLOAD

u32 stmexec_seg_descs(const struct stmexec_seg *s)
{
	switch (s->type) {
	case STMEXEC_RANGE_IO:
		return DIV_ROUND_UP(s->last - s->start + 1, 0xffff);
	case STMEXEC_RANGE_MSR:
	case STMEXEC_RANGE_PCI:
		return s->last - s->start + 1;
	default:
		return 1;
	}
}

u32 stmexec_seg_desc_size(const struct stmexec_seg *s)
{
	switch (s->type) {
	case STMEXEC_RANGE_IO:
		return STM_RSC_IO_SIZE;
	case STMEXEC_RANGE_PCI:
		return STM_RSC_PCI_CFG_SIZE;
	default:
		return STM_RSC_MEM_SIZE;
	}
}

/* Encode node @k of segment @s at @p; returns its size. */
static u32 encode_node(const struct stmexec_seg *s, u32 k, u8 *p)
{
	union stm_rsc *rsc = (union stm_rsc *)p;
	u64 unit = s->start + k;
	u64 first, left;

	memset(p, 0, stmexec_seg_desc_size(s));
	rsc->hdr.length = stmexec_seg_desc_size(s);
	switch (s->type) {
	case STMEXEC_RANGE_MEM:
	case STMEXEC_RANGE_MMIO:
		rsc->hdr.rsc_type = s->type == STMEXEC_RANGE_MEM ?
			STM_MEM_RANGE : STM_MMIO_RANGE;
		rsc->mem.base = s->start;
		rsc->mem.length = s->last - s->start + 1;
		rsc->mem.rwx_attributes = s->bits & STM_RSC_MEM_RWX_MASK;
		break;
	case STMEXEC_RANGE_IO:
		first = s->start + (u64)k * 0xffff;
		left = s->last - first + 1;
		rsc->hdr.rsc_type = STM_IO_RANGE;
		rsc->io.base = first;
		rsc->io.length = min_t(u64, left, 0xffff);
		break;
	case STMEXEC_RANGE_MSR:
		rsc->hdr.rsc_type = STM_MACHINE_SPECIFIC_REG;
		rsc->msr.msr_index = unit;
		rsc->msr.read_mask = s->bits & STMEXEC_ACC_R ? ~0ULL : 0;
		rsc->msr.write_mask = s->bits & STMEXEC_ACC_W ? ~0ULL : 0;
		break;
	case STMEXEC_RANGE_PCI:
		rsc->hdr.rsc_type = STM_PCI_CFG_RANGE;
		rsc->pci_cfg.rw_attributes = s->bits & STM_RSC_PCI_CFG_RW_MASK;
		rsc->pci_cfg.base = 0;
		rsc->pci_cfg.length = 0x1000;
		rsc->pci_cfg.originating_bus_number = unit >> 8;
		rsc->pci_cfg.last_node_index = 0;
		rsc->pci_cfg.pci_device_path[0].type = STM_PCI_DEVICE_PATH_TYPE_HW;
		rsc->pci_cfg.pci_device_path[0].subtype =
			STM_PCI_DEVICE_PATH_SUBTYPE_PCI;
		rsc->pci_cfg.pci_device_path[0].length =
			sizeof(struct stm_pci_device_path_node);
		rsc->pci_cfg.pci_device_path[0].pci_device = (unit >> 3) & 0x1f;
		rsc->pci_cfg.pci_device_path[0].pci_function = unit & 7;
		break;
	}
	return rsc->hdr.length;
}

struct rsc_pages {
	struct stm_list_page *pg;
	u32 n;
};

/*
 * The one list page every PROTECT/UNPROTECT is packed into (one piece per
 * VMCALL, sx->ranges->rsc_page), below 4 GiB (the STM reads it by physical
 * address), allocated at load and kept: the default policy denies SMM
 * every access to it at every level above none, so an SMI handler on
 * another CPU cannot rewrite a list between the module writing it and the
 * STM copying it (kmod-review F7). Used under sx->lock only.
 */
int stmexec_rsc_init(struct stm_list_page *pg)
{
	void *va = (void *)get_zeroed_page(GFP_KERNEL | __GFP_DMA32);

	if (!va)
		return -ENOMEM;
	pg->va = va;
	pg->pa = virt_to_phys(va);
	return 0;
}

void stmexec_rsc_fini(struct stm_list_page *pg)
{
	free_page((unsigned long)pg->va);
	pg->va = NULL;
	pg->pa = 0;
}

u64 stmexec_rsc_page_pa(struct stmexec *sx)
{
	return sx->ranges ? sx->ranges->rsc_page.pa : 0;
}

struct rsc_chunk {
	u32 off;
	u32 len;
};

/* Pack one chunk and issue the VMCALL; status in *status. */
static int chunk_call(struct stmexec *sx, u32 func, const u8 *nodes,
		      const struct rsc_chunk *c, struct rsc_pages *lp,
		      u32 *status)
{
	struct stm_regs r;
	u32 used, st;
	int ret;

	st = stm_pack_resource_list(nodes + c->off, c->len, lp->pg, lp->n,
				    &used);
	if (st != STM_SUCCESS) {
		*status = st;
		return -EIO;
	}
	memset(&r, 0, sizeof(r));
	ret = stmexec_call(sx, func, lp->pg[0].pa, 0, &r);
	*status = ret ? r.eax : STM_SUCCESS;
	return ret;
}

/* The descriptors of a request, encoded and cut into chunks. */
struct rsc_batch {
	u8 *nodes;
	struct rsc_chunk *chunk;
	u32 nch;
};

static void rsc_batch_free(struct rsc_batch *b)
{
	kvfree(b->chunk);
	kvfree(b->nodes);
}

/*
 * Encode @seg[0..@n) into @b, cutting chunks of at most CHUNK_BYTES at
 * descriptor boundaries, each of which must pack into the one list page.
 */
static int rsc_batch_encode(struct stmexec *sx, const struct stmexec_seg *seg,
			    u32 n, struct rsc_batch *b)
{
	u32 i, k, sz, maxpages = 0;
	size_t bytes = 0, off = 0;

	for (i = 0; i < n; i++)
		bytes += (size_t)stmexec_seg_descs(&seg[i]) * stmexec_seg_desc_size(&seg[i]);
	b->nodes = kvmalloc(bytes, GFP_KERNEL);
	b->chunk = kvcalloc(bytes / (CHUNK_BYTES / 2) + 2, sizeof(*b->chunk),
			    GFP_KERNEL);
	if (!b->nodes || !b->chunk)
		return stmexec_fail(sx, -ENOMEM,
				    "no memory for %zu bytes of STM descriptors",
				    bytes);

	for (i = 0; i < n; i++) {
		sz = stmexec_seg_desc_size(&seg[i]);
		for (k = 0; k < stmexec_seg_descs(&seg[i]); k++) {
			if (!b->nch || b->chunk[b->nch - 1].len + sz > CHUNK_BYTES)
				b->chunk[b->nch++] = (struct rsc_chunk){ .off = off };
			encode_node(&seg[i], k, b->nodes + off);
			b->chunk[b->nch - 1].len += sz;
			off += sz;
		}
	}
	for (i = 0; i < b->nch; i++)
		maxpages = max(maxpages,
			       stm_pack_pages_needed(b->nodes + b->chunk[i].off,
						     b->chunk[i].len));
	if (maxpages != 1 || !sx->ranges->rsc_page.va)
		return stmexec_fail(sx, -EIO,
				    "internal error: the packer refused the module's descriptors");
	return 0;
}

/*
 * All or nothing across chunks: every chunk carried bits that changed
 * state, so @undo (the opposite call) on the chunks [0, @done) restores
 * the exact previous state. -EIO if the STM refuses that too.
 */
static int rsc_roll_back(struct stmexec *sx, bool protect, u32 undo,
			 const struct rsc_batch *b, u32 done,
			 struct rsc_pages *lp)
{
	u32 st;

	while (done--) {
		if (chunk_call(sx, undo, b->nodes, &b->chunk[done], lp, &st))
			return stmexec_fail(sx, -EIO,
					    "STM refused to roll back part of a failed %s (%s): protection state is inconsistent, disable and enable the monitor",
					    protect ? "PROTECT" : "UNPROTECT",
					    stm_status_name(st));
	}
	return 0;
}

int stmexec_rsc_apply(struct stmexec *sx, bool protect,
		      const struct stmexec_seg *seg, u32 n)
{
	u32 func = protect ? STM_API_PROTECT_RESOURCE :
			     STM_API_UNPROTECT_RESOURCE;
	u32 undo = protect ? STM_API_UNPROTECT_RESOURCE :
			     STM_API_PROTECT_RESOURCE;
	struct rsc_pages lp = { .pg = &sx->ranges->rsc_page, .n = 1 };
	struct rsc_batch b = { 0 };
	u32 i, status = 0;
	int ret;

	ret = rsc_batch_encode(sx, seg, n, &b);
	if (ret)
		goto out;
	for (i = 0; i < b.nch; i++) {
		ret = chunk_call(sx, func, b.nodes, &b.chunk[i], &lp, &status);
		if (ret)
			break;
	}
	if (i == b.nch)
		goto out;

	ret = -(int)stm_status_errno_refined(status, STM_CALL_RSC) ?: ret;
	if (rsc_roll_back(sx, protect, undo, &b, i, &lp)) {
		ret = -EIO;
		goto out;
	}
	stmexec_fail(sx, ret, "the STM refused the %s list: %s (0x%08x)%s",
		     protect ? "PROTECT" : "UNPROTECT",
		     stm_status_name(status), status,
		     status == STM_ERROR_UNPROTECTABLE_RESOURCE ?
		     "; a range overlaps what the BIOS list claims" :
		     status == STM_ERROR_OUT_OF_RESOURCES ?
		     "; the STM's node database is full, unprotect something" :
		     "; nothing was changed");
out:
	rsc_batch_free(&b);
	return ret;
}
