// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The MLE protection database and its enforcement view (sec. 3.1, 11).
 *
 * Database: the granted nodes, byte for byte, in grant order (the order
 * the reference searches), with a hash index for UNPROTECT's "first
 * byte-identical node" lookup.  Deleted nodes are tombstoned and compacted
 * lazily.
 *
 * Enforcement view: what the reference's SMM EPT / I/O bitmap / MSR bitmap
 * hold.  PROTECT ORs deny bits in, UNPROTECT clears the node's bits
 * UNCONDITIONALLY (the reference re-grants even if another registered node
 * still covers the range: no reference counting), so the view is kept
 * separately from the database:
 *   - memory/MMIO: sorted page-granular boundaries with deny RWX bits,
 *     updated by one sorted sweep per request;
 *   - I/O ports: 64 Ki-bit deny bitmap;
 *   - MSRs: read/write bitmaps for 0-0x1FFF and 0xC0000000-0xC0001FFF plus
 *     a small table for other indexes;
 *   - PCI: deny R/W per bus/device/function (whole function, like the
 *     reference's ECAM page).
 *
 * PROTECT is all-or-nothing: every capacity is checked before anything
 * changes.
 */
#include "core_priv.h"

#define STM_IVL_BITS(e)		((uint32_t)((e) & 7u))
#define STM_IVL_START(e)	((e) & ~STM_PAGE_MASK)

static const struct stm_rsc_desc_header *stm_hdr(const void *n)
{
	return (const struct stm_rsc_desc_header *)n;
}

static uint32_t stm_node_hash(const uint8_t *node)
{
	const struct stm_rsc_desc_header *h = stm_hdr(node);
	uint64_t x = STM_FNV_INIT;

	x = stm_fnv1a(x, &h->rsc_type, sizeof(h->rsc_type));
	x = stm_fnv1a(x, &h->length, sizeof(h->length));
	x = stm_fnv1a(x, node + sizeof(*h), h->length - sizeof(*h));
	return (uint32_t)(x ^ (x >> 32));
}

/* Reference DeleteProtectedResourceNode() match: type, Length and body. */
static int stm_node_identical(const uint8_t *a, const uint8_t *b)
{
	const struct stm_rsc_desc_header *x = stm_hdr(a), *y = stm_hdr(b);

	return x->rsc_type == y->rsc_type && x->length == y->length &&
	       stm_memcmp(a + sizeof(*x), b + sizeof(*y),
			  x->length - sizeof(*x)) == 0;
}

static const uint8_t *stm_rec_node(const struct stm_protdb *db, uint32_t i)
{
	return db->arena + db->rec[i].off;
}

void stm_protdb_reset(struct stm_protdb *db)
{
	db->n_rec = 0;
	db->n_live = 0;
	db->arena_used = 0;
	db->live_bytes = 0;
	db->n_other_msr = 0;
	db->n_ivl = 1;
	db->ivl[0] = 0;
	stm_memset(db->bucket, 0, sizeof(db->bucket));
	stm_memset(db->btail, 0, sizeof(db->btail));
	stm_memset(db->io_deny, 0, sizeof(db->io_deny));
	stm_memset(db->msr_deny, 0, sizeof(db->msr_deny));
	stm_memset(db->other_msr, 0, sizeof(db->other_msr));
	stm_memset(db->pci_deny, 0, sizeof(db->pci_deny));
	stm_memset(db->pci_deny_any, 0, sizeof(db->pci_deny_any));
}

/* ---- database ---- */

/*
 * Chains are kept in ascending record (= grant) order: appended at the tail,
 * so the first identical node found from the head is the oldest one.
 */
static void stm_hash_link(struct stm_protdb *db, uint32_t i)
{
	uint32_t b = db->rec[i].hash & (STM_PROT_HASH_BUCKETS - 1);

	db->rec[i].hnext = 0;
	if (db->btail[b])
		db->rec[db->btail[b] - 1].hnext = i + 1;
	else
		db->bucket[b] = i + 1;
	db->btail[b] = i + 1;
}

/* Unlink record i whose predecessor in its chain is prev (1-based, 0 = head). */
static void stm_hash_unlink(struct stm_protdb *db, uint32_t i, uint32_t prev)
{
	uint32_t b = db->rec[i].hash & (STM_PROT_HASH_BUCKETS - 1);

	if (prev)
		db->rec[prev - 1].hnext = db->rec[i].hnext;
	else
		db->bucket[b] = db->rec[i].hnext;
	if (db->btail[b] == i + 1)
		db->btail[b] = prev;
	db->rec[i].hnext = 0;
}

static void stm_db_compact(struct stm_protdb *db)
{
	uint32_t i, w = 0, off = 0;

	for (i = 0; i < db->n_rec; i++) {
		struct stm_prot_rec r = db->rec[i];

		if (!r.live)
			continue;
		stm_memmove(db->arena + off, db->arena + r.off, r.len);
		r.off = off;
		r.hnext = 0;
		db->rec[w++] = r;
		off += r.len;
	}
	db->n_rec = w;
	db->arena_used = off;
	stm_memset(db->bucket, 0, sizeof(db->bucket));
	stm_memset(db->btail, 0, sizeof(db->btail));
	for (i = 0; i < w; i++)
		stm_hash_link(db, i);
}

static void stm_db_insert(struct stm_protdb *db, const uint8_t *node)
{
	uint32_t i = db->n_rec++;
	uint16_t len = stm_hdr(node)->length;

	db->rec[i].off = db->arena_used;
	db->rec[i].len = len;
	db->rec[i].live = 1;
	db->rec[i].type = (uint8_t)stm_hdr(node)->rsc_type;
	db->rec[i].hash = stm_node_hash(node);
	stm_memcpy(db->arena + db->arena_used, node, len);
	db->arena_used += len;
	db->n_live++;
	db->live_bytes += len;
	stm_hash_link(db, i);
}

/* Delete the first (in grant order) live node byte-identical to `node`. */
static void stm_db_delete(struct stm_protdb *db, const uint8_t *node)
{
	uint32_t h = stm_node_hash(node), prev = 0, i;

	for (i = db->bucket[h & (STM_PROT_HASH_BUCKETS - 1)]; i; i = db->rec[i - 1].hnext) {
		const struct stm_prot_rec *r = &db->rec[i - 1];

		if (r->hash == h && stm_node_identical(stm_rec_node(db, i - 1), node)) {
			stm_hash_unlink(db, i - 1, prev);
			db->rec[i - 1].live = 0;
			db->n_live--;
			db->live_bytes -= db->rec[i - 1].len;
			return;
		}
		prev = i;
	}
}

/* ---- enforcement view ---- */

static void stm_bits_range(uint8_t *map, uint32_t lo, uint32_t hi, int set)
{
	/* [lo, hi) */
	while (lo < hi && (lo & 7)) {
		if (set)
			map[lo >> 3] |= (uint8_t)(1u << (lo & 7));
		else
			map[lo >> 3] &= (uint8_t)~(1u << (lo & 7));
		lo++;
	}
	if (hi - lo >= 8) {
		uint32_t bytes = (hi - lo) >> 3;

		stm_memset(map + (lo >> 3), set ? 0xFF : 0, bytes);
		lo += bytes << 3;
	}
	while (lo < hi) {
		if (set)
			map[lo >> 3] |= (uint8_t)(1u << (lo & 7));
		else
			map[lo >> 3] &= (uint8_t)~(1u << (lo & 7));
		lo++;
	}
}

static int stm_bit(const uint8_t *map, uint32_t i)
{
	return (map[i >> 3] >> (i & 7)) & 1;
}

static uint8_t *stm_msr_map(struct stm_protdb *db, uint32_t msr, int write,
			    uint32_t *bit)
{
	if (msr <= 0x1FFF) {
		*bit = msr;
		return db->msr_deny[write ? 2 : 0];
	}
	if (msr >= 0xC0000000u && msr <= 0xC0001FFFu) {
		*bit = msr - 0xC0000000u;
		return db->msr_deny[write ? 3 : 1];
	}
	return (uint8_t *)0;
}

static struct stm_other_msr *stm_other_msr_find(struct stm_protdb *db,
						uint32_t msr)
{
	uint32_t i;

	for (i = 0; i < db->n_other_msr; i++) {
		if (db->other_msr[i].index == msr)
			return &db->other_msr[i];
	}
	return (struct stm_other_msr *)0;
}

static void stm_msr_apply(struct stm_protdb *db, uint32_t msr, uint32_t deny,
			  int set)
{
	uint32_t dir, bit;

	for (dir = 0; dir < 2; dir++) {
		uint8_t *map;

		if (!(deny & (1u << dir)))
			continue;
		map = stm_msr_map(db, msr, (int)dir, &bit);
		if (map) {
			stm_bits_range(map, bit, bit + 1, set);
			deny &= ~(1u << dir);
		}
	}
	if (deny) {
		struct stm_other_msr *o = stm_other_msr_find(db, msr);

		if (set) {
			if (!o)	/* capacity checked by the caller */
				o = &db->other_msr[db->n_other_msr++];
			o->index = msr;
			o->deny |= deny;
		} else if (o) {
			o->deny &= ~deny;
			if (!o->deny)
				*o = db->other_msr[--db->n_other_msr];
		}
	}
}

static void stm_pci_apply(struct stm_protdb *db,
			  const struct stm_rsc_pci_cfg_desc *p, int set)
{
	const struct stm_pci_device_path_node *last =
		&p->pci_device_path[p->last_node_index];
	uint32_t devfn = ((uint32_t)(last->pci_device & 0x1F) << 3) |
			 (last->pci_function & 7u);
	uint8_t *slot;

	/*
	 * Single-node path: the function sits on the originating bus.  A
	 * multi-node path needs the bridges' secondary bus numbers (config
	 * space); without them the function is denied on every bus.
	 */
	if (p->last_node_index == 0)
		slot = &db->pci_deny[((uint32_t)p->originating_bus_number << 8) | devfn];
	else
		slot = &db->pci_deny_any[devfn];
	if (set)
		*slot |= (uint8_t)(p->rw_attributes & STM_RSC_PCI_CFG_RW_MASK);
	else
		*slot &= (uint8_t)~(p->rw_attributes & STM_RSC_PCI_CFG_RW_MASK);
}

/* One sorted sweep merging the request's page ranges into the EPT view. */
static void stm_mem_apply(struct stm_protdb *db, uint32_t n_evt, int set)
{
	uint32_t i = 0, j = 0, out = 0, cnt[3] = { 0, 0, 0 };
	uint32_t cur = 0;

	/* ivl_tmp is free until the sweep below writes it */
	stm_radix_sort_u64(db->mevt, db->ivl_tmp, n_evt);
	while (i < db->n_ivl || j < n_evt) {
		uint64_t p = STM_U64_MAX, e;
		uint32_t cover = 0, nb, b;

		if (i < db->n_ivl)
			p = STM_IVL_START(db->ivl[i]);
		if (j < n_evt && STM_IVL_START(db->mevt[j]) < p)
			p = STM_IVL_START(db->mevt[j]);
		while (i < db->n_ivl && STM_IVL_START(db->ivl[i]) == p)
			cur = STM_IVL_BITS(db->ivl[i++]);
		while (j < n_evt && STM_IVL_START(db->mevt[j]) == p) {
			e = db->mevt[j++];
			for (b = 0; b < 3; b++) {
				if (!(e & (1u << b)))
					continue;
				if (e & STM_MEVT_END)
					cnt[b]--;
				else
					cnt[b]++;
			}
		}
		for (b = 0; b < 3; b++)
			if (cnt[b])
				cover |= 1u << b;
		nb = set ? (cur | cover) : (cur & ~cover);
		if (out == 0 || STM_IVL_BITS(db->ivl_tmp[out - 1]) != nb)
			db->ivl_tmp[out++] = p | nb;
	}
	stm_memcpy(db->ivl, db->ivl_tmp, (uint64_t)out * sizeof(db->ivl[0]));
	db->n_ivl = out;
}

static uint32_t stm_collect_mem(struct stm_core *c)
{
	struct stm_protdb *db = &c->db;
	uint32_t piece = 0, off = 0, n = 0;
	const uint8_t *node;

	while ((node = stm_staged_next(c, &piece, &off)) != (const uint8_t *)0) {
		const struct stm_rsc_mem_desc *m = (const struct stm_rsc_mem_desc *)node;
		uint64_t bits;

		if ((m->hdr.flags & STM_RSC_IGNORE_RESOURCE) ||
		    (m->hdr.rsc_type != STM_MEM_RANGE &&
		     m->hdr.rsc_type != STM_MMIO_RANGE))
			continue;
		bits = m->rwx_attributes & STM_RSC_MEM_RWX_MASK;
		if (!bits)
			continue;
		/* validated MLE nodes: 4 KiB aligned, end <= max_addr */
		db->mevt[n++] = m->base | bits;
		db->mevt[n++] = (m->base + m->length) | bits | STM_MEVT_END;
	}
	return n;
}

/* Register (set) or unregister (clear) one non-memory node. */
static void stm_register_node(struct stm_protdb *db, const uint8_t *node,
			      int set)
{
	const struct stm_rsc_desc_header *h = stm_hdr(node);

	switch (h->rsc_type) {
	case STM_IO_RANGE: {
		const struct stm_rsc_io_desc *io = (const struct stm_rsc_io_desc *)node;
		uint32_t hi = (uint32_t)io->base + io->length;

		/* ports beyond 0xFFFF do not exist; the bitmap stops there */
		stm_bits_range(db->io_deny, io->base, hi > 0x10000u ? 0x10000u : hi,
			       set);
		break;
	}
	case STM_MACHINE_SPECIFIC_REG: {
		const struct stm_rsc_msr_desc *m = (const struct stm_rsc_msr_desc *)node;

		stm_msr_apply(db, m->msr_index,
			      (m->read_mask ? 1u : 0u) | (m->write_mask ? 2u : 0u),
			      set);
		break;
	}
	case STM_PCI_CFG_RANGE:
		stm_pci_apply(db, (const struct stm_rsc_pci_cfg_desc *)node, set);
		break;
	default:	/* MEM/MMIO via the sweep; TRAPPED_IO, ALL: not enforced */
		break;
	}
}

/* The reference sets ReturnStatus in its private copy of each node it (un)registers. */
static void stm_mark_return_status(uint8_t *node)
{
	struct stm_rsc_desc_header *h = (struct stm_rsc_desc_header *)node;

	if (h->flags & STM_RSC_IGNORE_RESOURCE)
		return;
	switch (h->rsc_type) {
	case STM_MEM_RANGE:
	case STM_MMIO_RANGE:
	case STM_IO_RANGE:
	case STM_MACHINE_SPECIFIC_REG:
	case STM_PCI_CFG_RANGE:
		h->flags |= STM_RSC_RETURN_STATUS;
		break;
	default:
		break;
	}
}

static void stm_log_staged(struct stm_core *c, uint32_t type)
{
	uint32_t piece = 0, off = 0;
	const uint8_t *node;

	while ((node = stm_staged_next(c, &piece, &off)) != (const uint8_t *)0) {
		stm_mark_return_status((uint8_t *)node);
		stm_evlog_add_rsc(c, type, node);
	}
}

/* ---- the real STMs' heaps (compatibility model only) ---- */

/*
 * jyao1/STM ("J") has a 0x140000-byte heap (Stm.inf) and a bump allocator
 * whose FreePages returns memory only at the top (Init/Memory.c), and
 * CpuDeadLoop()s when it runs out; EugeneDMyers/STM ("E") as coreboot
 * builds it has CONFIG_STM_HEAPSIZE 0x46000 (70 pages), a first-fit
 * allocator, and on exhaustion PROTECT returns success with the pages left
 * unprotected (real-stm-interop.md 4.2).  Modelled per PROTECT:
 *   init     what the STM's own initialisation takes: estimated as 2 pages
 *            per CPU + 9 (EPT root and 4 GiB of 2 MiB tables, I/O and MSR
 *            bitmaps)
 *   db       MleProtectedResource: every live descriptor's bytes, in pages
 *   splits   one page per 2 MiB (and per 1 GiB) EPT page a MEM/MMIO
 *            boundary falls inside, never freed
 *   copy     the list copy, one page per piece: freed (E) or, in J, left
 *            below the database's reallocation and leaked for good
 * Exhaustion counts STM_COMPAT_HEAP_EXHAUSTED; the core's own answer does
 * not change.
 */
#define STM_HEAP_J_PAGES	(0x140000u / STM_PAGE_SIZE)
#define STM_HEAP_E_PAGES	(0x46000u / STM_PAGE_SIZE)

void stm_heap_reset(struct stm_core *c)
{
	c->heap.leaked = 0;
	c->heap.nframes = 0;
}

/* Insert split-frame key k (sorted, distinct); 1 if it was new. */
static uint32_t stm_heap_split(struct stm_heap *h, uint64_t k)
{
	uint32_t lo = 0, hi = h->nframes, i;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (h->frame[mid] < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < h->nframes && h->frame[lo] == k)
		return 0;
	if (h->nframes == STM_HEAP_MAX_FRAMES)
		return 1;	/* counted, not remembered: conservative */
	for (i = h->nframes; i > lo; i--)
		h->frame[i] = h->frame[i - 1];
	h->frame[lo] = k;
	h->nframes++;
	return 1;
}

static uint32_t stm_heap_boundary(struct stm_heap *h, uint64_t pa)
{
	uint32_t n = 0;

	if (pa & 0x1FFFFFull)
		n += stm_heap_split(h, (pa >> 21) << 1);
	if (pa & 0x3FFFFFFFull)
		n += stm_heap_split(h, ((pa >> 30) << 1) | 1u);
	return n;
}

/* After a successful PROTECT: would J or E have run out of heap? */
static void stm_heap_protect(struct stm_core *c)
{
	struct stm_heap *h = &c->heap;
	uint32_t piece = 0, off = 0, init, db, used;
	const uint8_t *node;
	int j = stm_models(c, STM_PROFILE_INTEL);
	int e = stm_models(c, STM_PROFILE_COREBOOT);

	if (!j && !e)
		return;
	while ((node = stm_staged_next(c, &piece, &off)) != (const uint8_t *)0) {
		const struct stm_rsc_mem_desc *m = (const struct stm_rsc_mem_desc *)node;

		if ((m->hdr.flags & STM_RSC_IGNORE_RESOURCE) ||
		    (m->hdr.rsc_type != STM_MEM_RANGE &&
		     m->hdr.rsc_type != STM_MMIO_RANGE))
			continue;
		stm_heap_boundary(h, m->base);
		stm_heap_boundary(h, m->base + m->length);
	}
	init = 2u * c->ncpus + 9u;
	db = (c->db.live_bytes + STM_PAGE_SIZE - 1u) / STM_PAGE_SIZE;
	used = init + db + h->nframes;
	/* J: the copy stays below the reallocated database: leaked */
	h->leaked += c->n_pieces;
	if ((j && used + h->leaked > STM_HEAP_J_PAGES) ||
	    (e && used + c->n_pieces > STM_HEAP_E_PAGES))
		stm_compat(c, STM_COMPAT_HEAP_EXHAUSTED);
}

/*
 * PROTECT_RESOURCE apply step (after validation and the overlap check):
 * all-or-nothing; ERROR_STM_OUT_OF_RESOURCES leaves everything unchanged.
 */
uint32_t stm_protdb_protect(struct stm_core *c)
{
	struct stm_protdb *db = &c->db;
	uint32_t piece = 0, off = 0, k = 0, bytes = 0, new_msr = 0, n_evt;
	const uint8_t *node;

	/*
	 * J and E size each piece with GetSizeFromThisResourceList, which is 0
	 * for a piece holding only its END, and refuse the PROTECT
	 * (real-stm-oracle.md B1); the core follows them when it models them.
	 */
	if ((stm_models(c, STM_PROFILE_INTEL) ||
	     stm_models(c, STM_PROFILE_COREBOOT)) &&
	    stm_rsc_staged_empty_piece(c))
		return STM_ERROR_SECURITY_VIOLATION;
	while ((node = stm_staged_next(c, &piece, &off)) != (const uint8_t *)0) {
		const struct stm_rsc_desc_header *h = stm_hdr(node);

		if (h->flags & STM_RSC_IGNORE_RESOURCE)
			continue;
		k++;
		bytes += h->length;
		if (h->rsc_type == STM_MACHINE_SPECIFIC_REG) {
			const struct stm_rsc_msr_desc *m =
				(const struct stm_rsc_msr_desc *)node;
			uint32_t bit;

			if ((m->read_mask || m->write_mask) &&
			    !stm_msr_map(db, m->msr_index, 0, &bit) &&
			    !stm_other_msr_find(db, m->msr_index))
				new_msr++;	/* conservative: duplicates counted twice */
		}
	}
	n_evt = stm_collect_mem(c);
	if (db->n_live + k > STM_CORE_MAX_PROT_NODES ||
	    (uint64_t)db->live_bytes + bytes > STM_CORE_PROT_ARENA_BYTES ||
	    (uint64_t)db->n_ivl + n_evt > STM_CORE_MAX_MEM_INTERVALS ||
	    db->n_other_msr + new_msr > STM_CORE_MAX_OTHER_MSRS)
		return STM_ERROR_OUT_OF_RESOURCES;

	/* nothing can fail from here on */
	if (db->n_rec + k > STM_CORE_MAX_PROT_NODES ||
	    (uint64_t)db->arena_used + bytes > STM_CORE_PROT_ARENA_BYTES)
		stm_db_compact(db);
	piece = 0;
	off = 0;
	while ((node = stm_staged_next(c, &piece, &off)) != (const uint8_t *)0) {
		if (stm_hdr(node)->flags & STM_RSC_IGNORE_RESOURCE)
			continue;
		stm_db_insert(db, node);
		stm_register_node(db, node, 1);
	}
	if (n_evt)
		stm_mem_apply(db, n_evt, 1);
	stm_log_staged(c, STM_EVT_MLE_RESOURCE_PROTECTION_GRANTED);
	stm_heap_protect(c);
	return STM_SUCCESS;
}

/*
 * UNPROTECT_RESOURCE apply step: delete each node's first byte-identical
 * database entry (if any) and re-grant its access unconditionally, as the
 * reference does.  Deliberate difference: if the EPT view has no room for
 * the boundaries the re-grant may create, ERROR_STM_OUT_OF_RESOURCES is
 * returned before anything changes (the reference splits pages without
 * such a limit).
 */
uint32_t stm_protdb_unprotect(struct stm_core *c)
{
	struct stm_protdb *db = &c->db;
	uint32_t piece = 0, off = 0, n_evt;
	const uint8_t *node;

	n_evt = stm_collect_mem(c);
	if ((uint64_t)db->n_ivl + n_evt > STM_CORE_MAX_MEM_INTERVALS)
		return STM_ERROR_OUT_OF_RESOURCES;
	while ((node = stm_staged_next(c, &piece, &off)) != (const uint8_t *)0) {
		if (stm_hdr(node)->flags & STM_RSC_IGNORE_RESOURCE)
			continue;
		stm_db_delete(db, node);
		stm_register_node(db, node, 0);
	}
	if (n_evt)
		stm_mem_apply(db, n_evt, 0);
	stm_log_staged(c, STM_EVT_MLE_RESOURCE_UNPROTECT);
	return STM_SUCCESS;
}

/* ---- queries ---- */

/* Index of the interval containing pa. */
static uint32_t stm_ivl_find(const struct stm_protdb *db, uint64_t pa)
{
	uint32_t lo = 0, hi = db->n_ivl;

	/* last entry with start <= pa (entry 0 starts at 0) */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (STM_IVL_START(db->ivl[mid]) <= pa)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Deny bits (of rwx) of the first denied byte in [pa, pa + len), 0 if none;
 * *hit = that byte's address.
 */
uint64_t stm_protdb_mem_first_denied(const struct stm_protdb *db, uint64_t pa,
				     uint64_t len, uint32_t rwx, uint64_t *hit)
{
	uint64_t end = pa + len;
	uint32_t i;

	if (len == 0)
		return 0;
	if (end < pa)
		end = STM_U64_MAX;
	for (i = stm_ivl_find(db, pa); i < db->n_ivl; i++) {
		uint64_t s = STM_IVL_START(db->ivl[i]);
		uint32_t bits = STM_IVL_BITS(db->ivl[i]) & rwx;

		if (s >= end)
			break;
		if (bits) {
			*hit = s > pa ? s : pa;
			return bits;
		}
	}
	return 0;
}

uint32_t stm_core_mem_denied(const struct stm_core *c, uint64_t pa)
{
	return STM_IVL_BITS(c->db.ivl[stm_ivl_find(&c->db, pa)]);
}

int stm_core_io_denied(const struct stm_core *c, uint16_t port)
{
	return stm_bit(c->db.io_deny, port);
}

int stm_core_msr_denied(const struct stm_core *c, uint32_t msr, int write)
{
	struct stm_protdb *db = (struct stm_protdb *)&c->db;
	const struct stm_other_msr *o;
	uint32_t bit;
	const uint8_t *map = stm_msr_map(db, msr, write ? 1 : 0, &bit);

	if (map)
		return stm_bit(map, bit);
	o = stm_other_msr_find(db, msr);
	return o && (o->deny & (write ? 2u : 1u));
}

uint32_t stm_core_pci_denied(const struct stm_core *c, uint8_t bus,
			     uint8_t dev, uint8_t fn)
{
	uint32_t devfn = ((uint32_t)(dev & 0x1F) << 3) | (fn & 7u);

	return (uint32_t)(c->db.pci_deny[((uint32_t)bus << 8) | devfn] |
			  c->db.pci_deny_any[devfn]);
}

uint32_t stm_core_prot_nodes(const struct stm_core *c)
{
	return c->db.n_live;
}

/* First live node (grant order) matching; reference GetStmResource*(). */
const uint8_t *stm_protdb_find_mem(const struct stm_protdb *db, uint64_t pa,
				   uint32_t rwx)
{
	uint32_t i;

	for (i = 0; i < db->n_rec; i++) {
		const struct stm_rsc_mem_desc *m;

		if (!db->rec[i].live || (db->rec[i].type != STM_MEM_RANGE &&
					 db->rec[i].type != STM_MMIO_RANGE))
			continue;
		m = (const struct stm_rsc_mem_desc *)stm_rec_node(db, i);
		if (m->base <= pa && m->base + m->length > pa &&
		    (m->rwx_attributes & rwx))
			return (const uint8_t *)m;
	}
	return (const uint8_t *)0;
}

const uint8_t *stm_protdb_find_io(const struct stm_protdb *db, uint32_t port)
{
	uint32_t i;

	for (i = 0; i < db->n_rec; i++) {
		const struct stm_rsc_io_desc *io;

		if (!db->rec[i].live || db->rec[i].type != STM_IO_RANGE)
			continue;
		io = (const struct stm_rsc_io_desc *)stm_rec_node(db, i);
		if (io->base <= port && (uint32_t)io->base + io->length > port)
			return (const uint8_t *)io;
	}
	return (const uint8_t *)0;
}

const uint8_t *stm_protdb_find_msr(const struct stm_protdb *db, uint32_t msr,
				   int write)
{
	uint32_t i;

	for (i = 0; i < db->n_rec; i++) {
		const struct stm_rsc_msr_desc *m;

		if (!db->rec[i].live || db->rec[i].type != STM_MACHINE_SPECIFIC_REG)
			continue;
		m = (const struct stm_rsc_msr_desc *)stm_rec_node(db, i);
		if (m->msr_index == msr && (write ? m->write_mask : m->read_mask))
			return (const uint8_t *)m;
	}
	return (const uint8_t *)0;
}

const uint8_t *stm_protdb_find_pci(const struct stm_protdb *db, uint8_t bus,
				   uint8_t dev, uint8_t fn, int write)
{
	uint32_t i, need = write ? STM_RSC_PCI_CFG_W : STM_RSC_PCI_CFG_R;

	for (i = 0; i < db->n_rec; i++) {
		const struct stm_rsc_pci_cfg_desc *p;
		const struct stm_pci_device_path_node *last;

		if (!db->rec[i].live || db->rec[i].type != STM_PCI_CFG_RANGE)
			continue;
		p = (const struct stm_rsc_pci_cfg_desc *)stm_rec_node(db, i);
		last = &p->pci_device_path[p->last_node_index];
		if (!(p->rw_attributes & need) || last->pci_device != dev ||
		    last->pci_function != fn)
			continue;
		if (p->last_node_index == 0 && p->originating_bus_number != bus)
			continue;
		return (const uint8_t *)p;
	}
	return (const uint8_t *)0;
}

/* ---- digest and invariants ---- */

uint64_t stm_protdb_digest(const struct stm_protdb *db, uint64_t h)
{
	uint32_t i;

	h = stm_fnv1a(h, &db->n_live, sizeof(db->n_live));
	for (i = 0; i < db->n_rec; i++) {
		if (db->rec[i].live)
			h = stm_fnv1a(h, stm_rec_node(db, i), db->rec[i].len);
	}
	h = stm_fnv1a(h, &db->n_ivl, sizeof(db->n_ivl));
	h = stm_fnv1a_words(h, db->ivl, (uint64_t)db->n_ivl * sizeof(db->ivl[0]));
	h = stm_fnv1a_words(h, db->io_deny, sizeof(db->io_deny));
	h = stm_fnv1a_words(h, db->msr_deny, sizeof(db->msr_deny));
	h = stm_fnv1a(h, &db->n_other_msr, sizeof(db->n_other_msr));
	h = stm_fnv1a(h, db->other_msr,
		      (uint64_t)db->n_other_msr * sizeof(db->other_msr[0]));
	h = stm_fnv1a_words(h, db->pci_deny, sizeof(db->pci_deny));
	h = stm_fnv1a_words(h, db->pci_deny_any, sizeof(db->pci_deny_any));
	return h;
}

/* Index of the first non-zero byte of map[from..n), or n (word-wise scan). */
static uint32_t stm_next_nonzero(const uint8_t *map, uint32_t from, uint32_t n)
{
	while (from < n && (from & 7))
		if (map[from++])
			return from - 1;
	while (from + 8 <= n) {
		uint64_t w;

		__builtin_memcpy(&w, map + from, 8);
		if (w)
			break;
		from += 8;
	}
	while (from < n && !map[from])
		from++;
	return from;
}

/* Is [s, e) covered by live MEM/MMIO nodes carrying bit b? */
static int stm_mem_covered(const struct stm_protdb *db, uint64_t s, uint64_t e,
			   uint32_t b)
{
	while (s < e) {
		uint64_t best = s;
		uint32_t i;

		for (i = 0; i < db->n_rec; i++) {
			const struct stm_rsc_mem_desc *m;

			if (!db->rec[i].live || (db->rec[i].type != STM_MEM_RANGE &&
						 db->rec[i].type != STM_MMIO_RANGE))
				continue;
			m = (const struct stm_rsc_mem_desc *)stm_rec_node(db, i);
			if ((m->rwx_attributes & (1u << b)) && m->base <= s &&
			    m->base + m->length > best)
				best = m->base + m->length;
		}
		if (best == s)
			return 0;
		s = best;
	}
	return 1;
}

/* Checks 1-5: record bounds, order, hashes and the live totals. */
static int stm_check_records(const struct stm_protdb *db)
{
	uint32_t i, live = 0, bytes = 0;

	if (db->n_rec > STM_CORE_MAX_PROT_NODES || db->n_live > db->n_rec ||
	    db->arena_used > STM_CORE_PROT_ARENA_BYTES)
		return 1;
	for (i = 0; i < db->n_rec; i++) {
		const struct stm_prot_rec *r = &db->rec[i];

		if ((uint64_t)r->off + r->len > db->arena_used)
			return 2;
		if (i && r->off < db->rec[i - 1].off + db->rec[i - 1].len)
			return 3;
		if (!r->live)
			continue;
		live++;
		bytes += r->len;
		if (r->hash != stm_node_hash(stm_rec_node(db, i)) ||
		    r->len != stm_hdr(stm_rec_node(db, i))->length ||
		    r->type != stm_hdr(stm_rec_node(db, i))->rsc_type)
			return 4;
	}
	if (live != db->n_live || bytes != db->live_bytes)
		return 5;
	return 0;
}

/*
 * Checks 6-7: every live record is reachable from its bucket exactly once;
 * chains hold live records only, in increasing order, ending at btail.
 */
static int stm_check_chains(const struct stm_protdb *db)
{
	uint32_t i, b, chained = 0;

	for (i = 0; i < db->n_rec; i++) {
		uint32_t k, steps = 0, found = 0;

		if (!db->rec[i].live)
			continue;
		b = db->rec[i].hash & (STM_PROT_HASH_BUCKETS - 1);
		for (k = db->bucket[b]; k; k = db->rec[k - 1].hnext) {
			uint32_t next = db->rec[k - 1].hnext;

			if (k > db->n_rec || !db->rec[k - 1].live ||
			    (db->rec[k - 1].hash & (STM_PROT_HASH_BUCKETS - 1)) != b ||
			    ++steps > db->n_rec || (next && next <= k) ||
			    (!next && db->btail[b] != k))
				return 6;
			found += k == i + 1;
		}
		if (found != 1)
			return 6;
		chained++;
	}
	if (chained != db->n_live)
		return 7;
	return 0;
}

/* Checks 8-12: the memory interval list and the other-MSR table. */
static int stm_check_views(const struct stm_protdb *db)
{
	uint32_t i;

	if (db->n_ivl < 1 || db->n_ivl > STM_CORE_MAX_MEM_INTERVALS ||
	    STM_IVL_START(db->ivl[0]) != 0 ||
	    STM_IVL_BITS(db->ivl[db->n_ivl - 1]) != 0)
		return 8;
	for (i = 0; i < db->n_ivl; i++) {
		if (db->ivl[i] & (STM_PAGE_MASK & ~7ull))
			return 9;
		if (i && (STM_IVL_START(db->ivl[i]) <= STM_IVL_START(db->ivl[i - 1]) ||
			  STM_IVL_BITS(db->ivl[i]) == STM_IVL_BITS(db->ivl[i - 1])))
			return 10;
	}
	if (db->n_other_msr > STM_CORE_MAX_OTHER_MSRS)
		return 11;
	for (i = 0; i < db->n_other_msr; i++) {
		if (!db->other_msr[i].deny || (db->other_msr[i].deny & ~3u))
			return 12;
	}
	return 0;
}

/* Checks 13-14: every denied memory interval and I/O port has a live node. */
static int stm_check_mem_io_backed(const struct stm_protdb *db)
{
	uint32_t i, b;

	for (i = 0; i + 1 < db->n_ivl; i++) {
		for (b = 0; b < 3; b++) {
			if ((STM_IVL_BITS(db->ivl[i]) & (1u << b)) &&
			    !stm_mem_covered(db, STM_IVL_START(db->ivl[i]),
					     STM_IVL_START(db->ivl[i + 1]), b))
				return 13;
		}
	}
	for (i = stm_next_nonzero(db->io_deny, 0, sizeof(db->io_deny));
	     i < sizeof(db->io_deny);
	     i = stm_next_nonzero(db->io_deny, i + 1, sizeof(db->io_deny))) {
		for (b = 0; b < 8; b++) {
			if ((db->io_deny[i] & (1u << b)) && !stm_protdb_find_io(db, i * 8 + b))
				return 14;
		}
	}
	return 0;
}

/* Checks 15-16: every denied MSR (bitmap or other-MSR table) has a live node. */
static int stm_check_msr_backed(const struct stm_protdb *db)
{
	uint32_t i, b;

	for (b = 0; b < 4; b++) {
		const uint8_t *map = db->msr_deny[b];
		uint32_t n = sizeof(db->msr_deny[b]), k;

		for (i = stm_next_nonzero(map, 0, n); i < n;
		     i = stm_next_nonzero(map, i + 1, n)) {
			for (k = 0; k < 8; k++) {
				uint32_t msr = ((b & 1) ? 0xC0000000u : 0) + i * 8 + k;

				if ((map[i] & (1u << k)) &&
				    !stm_protdb_find_msr(db, msr, b >= 2))
					return 15;
			}
		}
	}
	for (i = 0; i < db->n_other_msr; i++) {
		if (((db->other_msr[i].deny & 1) &&
		     !stm_protdb_find_msr(db, db->other_msr[i].index, 0)) ||
		    ((db->other_msr[i].deny & 2) &&
		     !stm_protdb_find_msr(db, db->other_msr[i].index, 1)))
			return 16;
	}
	return 0;
}

/* Is there a live PCI node whose last path node is devfn with access bit b? */
static int stm_pci_any_backed(const struct stm_protdb *db, uint32_t devfn,
			      uint32_t b)
{
	uint32_t k;

	for (k = 0; k < db->n_rec; k++) {
		const struct stm_rsc_pci_cfg_desc *p;
		const struct stm_pci_device_path_node *last;

		if (!db->rec[k].live || db->rec[k].type != STM_PCI_CFG_RANGE)
			continue;
		p = (const struct stm_rsc_pci_cfg_desc *)stm_rec_node(db, k);
		last = &p->pci_device_path[p->last_node_index];
		if (p->last_node_index != 0 && (p->rw_attributes & (1u << b)) &&
		    (((uint32_t)last->pci_device << 3) | last->pci_function) == devfn)
			return 1;
	}
	return 0;
}

/* Checks 17-18: every denied PCI function (exact or any-bus) has a live node. */
static int stm_check_pci_backed(const struct stm_protdb *db)
{
	uint32_t i, b;

	for (i = stm_next_nonzero(db->pci_deny, 0, 65536); i < 65536;
	     i = stm_next_nonzero(db->pci_deny, i + 1, 65536)) {
		for (b = 0; b < 2; b++) {
			if ((db->pci_deny[i] & (1u << b)) &&
			    !stm_protdb_find_pci(db, (uint8_t)(i >> 8),
						 (uint8_t)((i >> 3) & 0x1F),
						 (uint8_t)(i & 7), (int)b))
				return 17;
		}
	}
	for (i = 0; i < 256; i++) {
		for (b = 0; b < 2; b++) {
			if ((db->pci_deny_any[i] & (1u << b)) &&
			    !stm_pci_any_backed(db, i, b))
				return 18;
		}
	}
	return 0;
}

typedef int (*stm_protdb_check_fn)(const struct stm_protdb *db);

/* The structural checks, in order: always run. */
static const stm_protdb_check_fn stm_protdb_shape_checks[] = {
	stm_check_records, stm_check_chains, stm_check_views,
};

/* The coverage checks, in order: O(n^2), only with <= 512 live nodes. */
static const stm_protdb_check_fn stm_protdb_cover_checks[] = {
	stm_check_mem_io_backed, stm_check_msr_backed, stm_check_pci_backed,
};

/* Run a table of checks; 0 or the number of the first one that failed. */
static int stm_run_checks(const struct stm_protdb *db,
			  const stm_protdb_check_fn *fn, uint32_t n)
{
	uint32_t i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = fn[i](db);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * Consistency of the database and of the enforcement view: every deny bit
 * must be backed by a live node (the converse does not hold: UNPROTECT
 * re-grants unconditionally).  Returns 0 or the number of the failed check.
 * The coverage checks are O(n^2) and only run with <= 512 live nodes.
 */
int stm_protdb_check(const struct stm_protdb *db)
{
	int rc;

	rc = stm_run_checks(db, stm_protdb_shape_checks,
			    STM_ARRAY_SIZE(stm_protdb_shape_checks));
	if (rc || db->n_live > 512)
		return rc;
	return stm_run_checks(db, stm_protdb_cover_checks,
			      STM_ARRAY_SIZE(stm_protdb_cover_checks));
}
