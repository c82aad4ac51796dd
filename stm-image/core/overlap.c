// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Overlap of an MLE request with the BIOS list (sec. 5.5), indexed.
 *
 * The reference compares every MLE node with every BIOS node (O(n*m)).
 * Here the BIOS snapshot is indexed once: for each (type, attribute bit)
 * class the BIOS intervals are sorted and merged, so "does [s, e) intersect
 * a BIOS node of this type whose RWX shares bit b" is one binary search.
 * Merging is exact for the reference rule because intersection with a union
 * of intervals equals intersection with one of them.  MSRs are a sorted
 * table of OR-ed masks per index; PCI nodes get a class per distinct
 * (originating bus, path) key.  The same index answers the SMM-side
 * "is this access claimed by the BIOS list" questions.
 */
#include "core_priv.h"

static int stm_ivl_cmp(const void *a, const void *b, const void *ctx)
{
	const struct stm_ivl *x = (const struct stm_ivl *)a;
	const struct stm_ivl *y = (const struct stm_ivl *)b;

	(void)ctx;
	if (x->cls != y->cls)
		return x->cls < y->cls ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return 0;
}

static int stm_msr_cmp(const void *a, const void *b, const void *ctx)
{
	const struct stm_msr_ent *x = (const struct stm_msr_ent *)a;
	const struct stm_msr_ent *y = (const struct stm_msr_ent *)b;

	(void)ctx;
	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return 0;
}

/* Order of PCI keys: originating bus, LastNodeIndex, then (dev, fn) per node. */
static int stm_pci_key_cmp_nodes(const struct stm_rsc_pci_cfg_desc *x,
				 const struct stm_rsc_pci_cfg_desc *y)
{
	uint32_t i;

	if (x->originating_bus_number != y->originating_bus_number)
		return x->originating_bus_number < y->originating_bus_number ? -1 : 1;
	if (x->last_node_index != y->last_node_index)
		return x->last_node_index < y->last_node_index ? -1 : 1;
	for (i = 0; i <= x->last_node_index; i++) {
		const struct stm_pci_device_path_node *a = &x->pci_device_path[i];
		const struct stm_pci_device_path_node *b = &y->pci_device_path[i];

		if (a->pci_device != b->pci_device)
			return a->pci_device < b->pci_device ? -1 : 1;
		if (a->pci_function != b->pci_function)
			return a->pci_function < b->pci_function ? -1 : 1;
	}
	return 0;
}

static int stm_pci_off_cmp(const void *a, const void *b, const void *ctx)
{
	const uint8_t *flat = (const uint8_t *)ctx;

	const struct stm_rsc_pci_cfg_desc *x, *y;

	x = (const struct stm_rsc_pci_cfg_desc *)(flat + *(const uint32_t *)a);
	y = (const struct stm_rsc_pci_cfg_desc *)(flat + *(const uint32_t *)b);
	return stm_pci_key_cmp_nodes(x, y);
}

/* Key id of a PCI node in b->pci_key[], or -1. */
static int32_t stm_pci_key_find(const struct stm_bios *b,
				const struct stm_rsc_pci_cfg_desc *p)
{
	uint32_t lo = 0, hi = b->n_pci;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct stm_rsc_pci_cfg_desc *k;
		int r;

		k = (const struct stm_rsc_pci_cfg_desc *)(b->flat + b->pci_key[mid]);
		r = stm_pci_key_cmp_nodes(k, p);

		if (r == 0)
			return (int32_t)mid;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static uint32_t stm_ivl_add(struct stm_bios *b, uint64_t cls, uint64_t s,
			    uint64_t e)
{
	if (b->n_ivl >= STM_BIOS_MAX_IVL)
		return STM_ERROR_OUT_OF_RESOURCES;
	b->ivl[b->n_ivl].cls = cls;
	b->ivl[b->n_ivl].start = s;
	b->ivl[b->n_ivl].end = e;
	b->n_ivl++;
	return STM_SUCCESS;
}

static uint32_t stm_index_node(struct stm_bios *b, const uint8_t *node,
			       uint32_t off)
{
	const struct stm_rsc_desc_header *h = (const struct stm_rsc_desc_header *)node;
	uint32_t st = STM_SUCCESS, bit;

	switch (h->rsc_type) {
	case STM_MEM_RANGE:
	case STM_MMIO_RANGE: {
		const struct stm_rsc_mem_desc *m = (const struct stm_rsc_mem_desc *)node;
		uint64_t end = m->base + m->length;

		for (bit = 0; bit < 3 && st == STM_SUCCESS; bit++) {
			if (!(m->rwx_attributes & (1u << bit)))
				continue;
			st = stm_ivl_add(b, STM_CLS(h->rsc_type, bit), m->base, end);
			if (st == STM_SUCCESS)
				st = stm_ivl_add(b, STM_CLS(STM_CLS_CLAIM_MEM, bit),
						 m->base, end);
		}
		return st;
	}
	case STM_IO_RANGE:
	case STM_TRAPPED_IO_RANGE: {
		const struct stm_rsc_io_desc *io = (const struct stm_rsc_io_desc *)node;

		return stm_ivl_add(b, STM_CLS(h->rsc_type, 0), io->base,
				   (uint64_t)io->base + io->length);
	}
	case STM_MACHINE_SPECIFIC_REG: {
		const struct stm_rsc_msr_desc *m = (const struct stm_rsc_msr_desc *)node;

		if (b->n_msr >= STM_BIOS_MAX_MSR)
			return STM_ERROR_OUT_OF_RESOURCES;
		b->msr[b->n_msr].index = m->msr_index;
		b->msr[b->n_msr].pad = 0;
		b->msr[b->n_msr].rmask = m->read_mask;
		b->msr[b->n_msr].wmask = m->write_mask;
		b->n_msr++;
		return STM_SUCCESS;
	}
	case STM_PCI_CFG_RANGE:
		if (b->n_pci >= STM_BIOS_MAX_PCI)
			return STM_ERROR_OUT_OF_RESOURCES;
		b->pci_key[b->n_pci++] = off;
		return STM_SUCCESS;
	case STM_ALL_RESOURCES:
		b->has_all = 1;
		return STM_SUCCESS;
	default:
		return STM_SUCCESS;
	}
}

static uint32_t stm_index_pci(struct stm_bios *b)
{
	uint32_t off = 0, i, n = 0, st = STM_SUCCESS;

	/* sort PCI node offsets by key and keep one per distinct key */
	stm_sort(b->pci_key, b->n_pci, sizeof(b->pci_key[0]), stm_pci_off_cmp,
		 b->flat);
	for (i = 0; i < b->n_pci; i++) {
		if (n && stm_pci_off_cmp(&b->pci_key[n - 1], &b->pci_key[i],
					 b->flat) == 0)
			continue;
		b->pci_key[n++] = b->pci_key[i];
	}
	b->n_pci = n;

	for (;;) {
		const struct stm_rsc_pci_cfg_desc *p =
			(const struct stm_rsc_pci_cfg_desc *)(b->flat + off);
		int32_t key;
		uint32_t bit;

		if (p->hdr.rsc_type == STM_END_OF_RESOURCES)
			break;
		off += p->hdr.length;
		if (p->hdr.rsc_type != STM_PCI_CFG_RANGE ||
		    (p->hdr.flags & STM_RSC_IGNORE_RESOURCE))
			continue;
		key = stm_pci_key_find(b, p);
		for (bit = 0; bit < 2 && st == STM_SUCCESS && key >= 0; bit++) {
			if (p->rw_attributes & (1u << bit))
				st = stm_ivl_add(b, STM_CLS(STM_PCI_CFG_RANGE,
							    ((uint64_t)key << 2) | bit),
						 p->base, (uint64_t)p->base + p->length);
		}
	}
	return st;
}

/* Build the index of the (validated) flat BIOS list in b->flat. */
uint32_t stm_overlap_build(struct stm_bios *b)
{
	uint32_t off = 0, i, n, st;

	b->n_ivl = 0;
	b->n_msr = 0;
	b->n_pci = 0;
	b->has_all = 0;
	for (;;) {
		const struct stm_rsc_desc_header *h =
			(const struct stm_rsc_desc_header *)(b->flat + off);

		if (h->rsc_type == STM_END_OF_RESOURCES)
			break;
		if (!(h->flags & STM_RSC_IGNORE_RESOURCE)) {
			st = stm_index_node(b, b->flat + off, off);
			if (st != STM_SUCCESS)
				return st;
		}
		off += h->length;
	}
	st = stm_index_pci(b);
	if (st != STM_SUCCESS)
		return st;

	/* sort + merge intervals of a class that overlap or touch */
	stm_sort(b->ivl, b->n_ivl, sizeof(b->ivl[0]), stm_ivl_cmp, (const void *)0);
	for (i = 0, n = 0; i < b->n_ivl; i++) {
		struct stm_ivl *last = n ? &b->ivl[n - 1] : (struct stm_ivl *)0;

		if (last && last->cls == b->ivl[i].cls &&
		    b->ivl[i].start <= last->end) {
			if (b->ivl[i].end > last->end)
				last->end = b->ivl[i].end;
			continue;
		}
		b->ivl[n++] = b->ivl[i];
	}
	b->n_ivl = n;

	/* one entry per MSR index with OR-ed masks */
	stm_sort(b->msr, b->n_msr, sizeof(b->msr[0]), stm_msr_cmp, (const void *)0);
	for (i = 0, n = 0; i < b->n_msr; i++) {
		if (n && b->msr[n - 1].index == b->msr[i].index) {
			b->msr[n - 1].rmask |= b->msr[i].rmask;
			b->msr[n - 1].wmask |= b->msr[i].wmask;
			continue;
		}
		b->msr[n++] = b->msr[i];
	}
	b->n_msr = n;
	return STM_SUCCESS;
}

/* First merged interval of class cls ending after pos, or NULL. */
static const struct stm_ivl *stm_ivl_lookup(const struct stm_bios *b,
					    uint64_t cls, uint64_t pos)
{
	uint32_t lo = 0, hi = b->n_ivl;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct stm_ivl *v = &b->ivl[mid];

		if (v->cls < cls || (v->cls == cls && v->end <= pos))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < b->n_ivl && b->ivl[lo].cls == cls)
		return &b->ivl[lo];
	return (const struct stm_ivl *)0;
}

static int stm_ivl_intersects(const struct stm_bios *b, uint64_t cls,
			      uint64_t s, uint64_t e)
{
	const struct stm_ivl *v = stm_ivl_lookup(b, cls, s);

	return v && v->start < e;
}

static const struct stm_msr_ent *stm_msr_lookup(const struct stm_bios *b,
						uint32_t index)
{
	uint32_t lo = 0, hi = b->n_msr;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (b->msr[mid].index == index)
			return &b->msr[mid];
		if (b->msr[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (const struct stm_msr_ent *)0;
}

/*
 * Does a (validated, MLE) node overlap the BIOS list?  Same answer as the
 * reference IsResourceListOverlapWithNode(node, bios).
 */
int stm_overlap_node(const struct stm_bios *b, const uint8_t *node)
{
	const struct stm_rsc_desc_header *h = (const struct stm_rsc_desc_header *)node;
	uint32_t bit;

	if (h->flags & STM_RSC_IGNORE_RESOURCE)
		return 0;
	switch (h->rsc_type) {
	case STM_MEM_RANGE:
	case STM_MMIO_RANGE: {
		const struct stm_rsc_mem_desc *m = (const struct stm_rsc_mem_desc *)node;

		for (bit = 0; bit < 3; bit++) {
			if ((m->rwx_attributes & (1u << bit)) &&
			    stm_ivl_intersects(b, STM_CLS(h->rsc_type, bit), m->base,
					       m->base + m->length))
				return 1;
		}
		return 0;
	}
	case STM_IO_RANGE:
	case STM_TRAPPED_IO_RANGE: {
		const struct stm_rsc_io_desc *io = (const struct stm_rsc_io_desc *)node;

		return stm_ivl_intersects(b, STM_CLS(h->rsc_type, 0), io->base,
					  (uint64_t)io->base + io->length);
	}
	case STM_MACHINE_SPECIFIC_REG: {
		const struct stm_rsc_msr_desc *m = (const struct stm_rsc_msr_desc *)node;
		const struct stm_msr_ent *e = stm_msr_lookup(b, m->msr_index);

		return e && ((e->rmask & m->read_mask) || (e->wmask & m->write_mask));
	}
	case STM_PCI_CFG_RANGE: {
		const struct stm_rsc_pci_cfg_desc *p =
			(const struct stm_rsc_pci_cfg_desc *)node;
		int32_t key = stm_pci_key_find(b, p);

		if (key < 0)
			return 0;
		for (bit = 0; bit < 2; bit++) {
			if ((p->rw_attributes & (1u << bit)) &&
			    stm_ivl_intersects(b, STM_CLS(STM_PCI_CFG_RANGE,
							  ((uint64_t)key << 2) | bit),
					       p->base, (uint64_t)p->base + p->length))
				return 1;
		}
		return 0;
	}
	case STM_ALL_RESOURCES:
		return b->has_all;
	default:	/* END; REGISTER_VIOLATION never in a valid BIOS list */
		return 0;
	}
}

/*
 * SMM side: is every byte of [pa, pa + len) covered by a BIOS MEM or MMIO
 * node whose RWX shares a bit with rwx?
 */
int stm_bios_claims_mem(const struct stm_bios *b, uint64_t pa, uint64_t len,
			uint32_t rwx)
{
	uint64_t pos = pa, end = pa + len;

	if (end < pa)
		end = STM_U64_MAX;
	if ((rwx & 7u) == 0 || len == 0)
		return 1;
	while (pos < end) {
		uint64_t best = pos;
		uint32_t bit;

		for (bit = 0; bit < 3; bit++) {
			const struct stm_ivl *v;

			if (!(rwx & (1u << bit)))
				continue;
			v = stm_ivl_lookup(b, STM_CLS(STM_CLS_CLAIM_MEM, bit), pos);
			if (v && v->start <= pos && v->end > best)
				best = v->end;
		}
		if (best == pos)
			return 0;
		pos = best;
	}
	return 1;
}

int stm_bios_claims_io(const struct stm_bios *b, uint32_t port, uint32_t size)
{
	const struct stm_ivl *v = stm_ivl_lookup(b, STM_CLS(STM_IO_RANGE, 0), port);

	if (size == 0)
		size = 1;
	return v && v->start <= port && v->end >= (uint64_t)port + size;
}

int stm_bios_claims_msr(const struct stm_bios *b, uint32_t msr, int write)
{
	const struct stm_msr_ent *e = stm_msr_lookup(b, msr);

	return e && (write ? e->wmask : e->rmask) != 0;
}

/*
 * Reference GetStmResourcePci() on the BIOS list.  The bus of the last
 * path node can only be resolved by reading bridge config space; without
 * it a multi-node path is matched on any bus (over-approximation: it
 * claims more, so fewer unclaimed-resource events).
 */
int stm_bios_claims_pci(const struct stm_bios *b, uint8_t bus, uint8_t dev,
			uint8_t fn, uint16_t reg, int write)
{
	uint32_t off = 0;
	uint32_t need = write ? STM_RSC_PCI_CFG_W : STM_RSC_PCI_CFG_R;

	for (;;) {
		const struct stm_rsc_pci_cfg_desc *p =
			(const struct stm_rsc_pci_cfg_desc *)(b->flat + off);
		const struct stm_pci_device_path_node *last;

		if (p->hdr.rsc_type == STM_END_OF_RESOURCES)
			return 0;
		off += p->hdr.length;
		if (p->hdr.rsc_type != STM_PCI_CFG_RANGE ||
		    (p->hdr.flags & STM_RSC_IGNORE_RESOURCE))
			continue;
		if (!(p->base <= reg && (uint32_t)p->base + p->length > reg) ||
		    !(p->rw_attributes & need))
			continue;
		last = &p->pci_device_path[p->last_node_index];
		if (last->pci_device != dev || last->pci_function != fn)
			continue;
		if (p->last_node_index == 0 && p->originating_bus_number != bus)
			continue;
		return 1;
	}
}
