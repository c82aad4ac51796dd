// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The SMM guest's EPT (SDM Vol. 3C 29.3), built from the core's
 * enforcement view over a caller-provided, bounded pool of 4 KiB pages.
 *
 * Shape: a 4-level identity map of [0, 2^min(phys_bits, 48)); every
 * entry is a leaf of the largest size (1 GiB if supported, 2 MiB, 4 KiB)
 * whose whole region is uniform: the same deny bits in the core's view,
 * the same MTRR memory type, entirely inside or outside each hole (MSEG,
 * the STM image: not present) and the execute-disable window.  Anything
 * else is split, on demand, into a table of the next level.
 *
 * Leaf permissions: R/W/X minus the core's deny bits, then made valid
 * (SDM 29.3.3.1, EPT misconfiguration): write without read is not
 * allowed, so denying R also denies W; execute-only needs
 * IA32_VMX_EPT_VPID_CAP bit 0, without it an X-only leaf becomes not
 * present.  So the effective permission is never more than the view
 * allows, and can be less (reported by STM_COMPAT_EPT_INVALID in the
 * core); stm_rt_ept_perm() is the one rule, the tests compare every page
 * against it.
 *
 * Memory types (SDM 12.11.4.1): MTRRs disabled -> UC; fixed ranges below
 * 1 MiB; otherwise the variable ranges that match (none -> default type,
 * UC wins, WT beats WB, any other mix is undefined -> UC); inside SMRR
 * the SMRR's type.  IPAT is 0 so the SMM guest's PAT still combines.
 *
 * Updates (PROTECT/UNPROTECT) re-evaluate the entries overlapping the
 * changed range: a table whose region became uniform is replaced by a
 * large leaf and its pages go back to the pool.  An update first counts
 * the tables it would allocate and refuses with
 * ERROR_STM_OUT_OF_RESOURCES, changing nothing, if the pool cannot hold
 * them (the count ignores pages the same update frees: conservative).
 * Counting stops at the first table the pool cannot hold, so the work of
 * a build or an update is bounded by the pool size, whatever the view.
 */
#include "rt_priv.h"

#define EPT_ENTRIES	512u
#define EPT_LEVELS	4u	/* 3 = PML4 .. 0 = PT */
#define EPT_MODE_COUNT	0
#define EPT_MODE_APPLY	1

static uint64_t ept_esize(uint32_t level)
{
	return 1ull << (12u + 9u * level);
}

uint32_t stm_rt_ept_perm(uint32_t deny, uint32_t flags)
{
	uint32_t p = 7u & ~deny;

	if (!(p & STM_EPT_R))
		p &= ~(uint32_t)STM_EPT_W;
	if (p == STM_EPT_X && !(flags & STM_EPT_EXEC_ONLY))
		p = 0;
	return p;
}

/* ---- MTRR memory types ---- */

static uint32_t mt_combine(uint32_t a, uint32_t b)
{
	if (a == b)
		return a;
	if (a == STM_MT_UC || b == STM_MT_UC)
		return STM_MT_UC;
	if ((a == STM_MT_WT && b == STM_MT_WB) || (a == STM_MT_WB && b == STM_MT_WT))
		return STM_MT_WT;
	return STM_MT_UC;	/* undefined combination: treat as UC */
}

static uint64_t mtrr_addr_mask(uint64_t mask, uint32_t bits)
{
	return mask & ~STM_PAGE_MASK & ((1ull << bits) - 1u);
}

static uint32_t mtrr_fixed_type(const struct stm_mtrr *m, uint64_t pa)
{
	uint32_t idx, byte;

	if (pa < 0x80000) {			/* 8 x 64 KiB */
		idx = 0;
		byte = (uint32_t)(pa >> 16);
	} else if (pa < 0xC0000) {		/* 2 MSRs x 8 x 16 KiB */
		idx = 1 + (uint32_t)((pa - 0x80000) >> 17);
		byte = (uint32_t)((pa - 0x80000) >> 14) & 7u;
	} else {				/* 8 MSRs x 8 x 4 KiB */
		idx = 3 + (uint32_t)((pa - 0xC0000) >> 15);
		byte = (uint32_t)((pa - 0xC0000) >> 12) & 7u;
	}
	return (uint32_t)(m->fixed[idx] >> (8u * byte)) & 0xFFu;
}

static int mtrr_fixed_on(const struct stm_mtrr *m)
{
	return m->fixed_supported && (m->def_type & (1u << 10));
}

uint32_t stm_rt_mtrr_type(const struct stm_mtrr *m, uint32_t phys_bits,
			  uint64_t pa)
{
	uint32_t i, t = 0xFFu, n;

	if (!m)
		return STM_MT_WB;
	if (phys_bits > 52)
		phys_bits = 52;
	if ((m->smrr_mask & (1u << 11)) &&
	    (pa & mtrr_addr_mask(m->smrr_mask, phys_bits)) ==
	    (m->smrr_base & mtrr_addr_mask(m->smrr_mask, phys_bits)))
		return (uint32_t)(m->smrr_base & 0xFFu);
	if (!(m->def_type & (1u << 11)))
		return STM_MT_UC;
	if (pa < 0x100000 && mtrr_fixed_on(m))
		return mtrr_fixed_type(m, pa);
	n = m->n_var < STM_MTRR_MAX_VAR ? m->n_var : STM_MTRR_MAX_VAR;
	for (i = 0; i < n; i++) {
		uint64_t mk = mtrr_addr_mask(m->var_mask[i], phys_bits);

		if (!(m->var_mask[i] & (1u << 11)))
			continue;
		if ((pa & mk) == (m->var_base[i] & mk))
			t = t == 0xFFu ? (uint32_t)(m->var_base[i] & 0xFFu) :
					 mt_combine(t, (uint32_t)(m->var_base[i] & 0xFFu));
	}
	return t == 0xFFu ? (uint32_t)(m->def_type & 0xFFu) : t;
}

/*
 * How a range-type register (base/mask) relates to the aligned block
 * [b, b + s): 0 matches no address, 1 every address, -1 some.
 */
static int mtrr_block_match(uint64_t base, uint64_t mk, uint64_t b, uint64_t s)
{
	uint64_t hi = ~(s - 1u);

	if ((b & mk & hi) != (base & mk & hi))
		return 0;
	return (mk & (s - 1u)) ? -1 : 1;
}

/* 1 and *type if [b, b + s) (aligned, power of two) has one memory type. */
static int mtrr_block_type(const struct stm_mtrr *m, uint32_t bits, uint64_t b,
			   uint64_t s, uint32_t *type)
{
	uint32_t i, t = 0xFFu, n;
	int r;

	if (!m) {
		*type = STM_MT_WB;
		return 1;
	}
	if (s == STM_PAGE_SIZE) {
		*type = stm_rt_mtrr_type(m, bits, b);
		return 1;
	}
	if (m->smrr_mask & (1u << 11)) {
		r = mtrr_block_match(m->smrr_base, mtrr_addr_mask(m->smrr_mask, bits), b, s);
		if (r < 0)
			return 0;
		if (r > 0) {
			*type = (uint32_t)(m->smrr_base & 0xFFu);
			return 1;
		}
	}
	if (!(m->def_type & (1u << 11))) {
		*type = STM_MT_UC;
		return 1;
	}
	if (b < 0x100000 && mtrr_fixed_on(m))
		return 0;	/* 4 KiB granular below 1 MiB */
	n = m->n_var < STM_MTRR_MAX_VAR ? m->n_var : STM_MTRR_MAX_VAR;
	for (i = 0; i < n; i++) {
		if (!(m->var_mask[i] & (1u << 11)))
			continue;
		r = mtrr_block_match(m->var_base[i], mtrr_addr_mask(m->var_mask[i], bits), b, s);
		if (r < 0)
			return 0;
		if (r > 0)
			t = t == 0xFFu ? (uint32_t)(m->var_base[i] & 0xFFu) :
					 mt_combine(t, (uint32_t)(m->var_base[i] & 0xFFu));
	}
	*type = t == 0xFFu ? (uint32_t)(m->def_type & 0xFFu) : t;
	return 1;
}

/* ---- what one block should be ---- */

/* 0 outside, 1 inside, -1 partly */
static int range_rel(uint64_t b, uint64_t s, uint64_t rb, uint64_t rs)
{
	uint64_t e = b + s, re = rb + rs;

	if (rs == 0 || re <= b || rb >= e)
		return 0;
	if (rb <= b && re >= e)
		return 1;
	return -1;
}

/*
 * 1 if [b, b + s) can be one leaf; *leaf is then its entry (0 = not
 * present).  Blocks are aligned and at most 512 GiB.
 */
static int ept_block(const struct stm_ept *ept, uint64_t b, uint64_t s,
		     uint32_t level, uint64_t *leaf)
{
	const struct stm_ept_cfg *cfg = &ept->cfg;
	uint64_t next;
	uint32_t deny, i, mt, perm;
	int r;

	if (b >= ept->limit) {
		*leaf = 0;
		return 1;
	}
	if (s > ept->limit - b)
		return 0;
	deny = stm_core_mem_span(ept->core, b, &next);
	if (next && next < b + s)
		return 0;
	for (i = 0; i < cfg->n_holes; i++) {
		r = range_rel(b, s, cfg->hole_base[i], cfg->hole_size[i]);
		if (r < 0)
			return 0;
		if (r > 0)
			deny = 7u;
	}
	if (cfg->flags & STM_EPT_XD_OUTSIDE) {
		r = range_rel(b, s, cfg->xd_base, cfg->xd_size);
		if (r < 0)
			return 0;
		if (r == 0)
			deny |= STM_EPT_X;
	}
	if (!mtrr_block_type(cfg->mtrr, cfg->phys_bits, b, s, &mt))
		return 0;
	perm = stm_rt_ept_perm(deny, cfg->flags);
	*leaf = perm ? b | perm | ((uint64_t)mt << STM_EPT_MT_SHIFT) |
		       (level ? STM_EPT_LARGE : 0) : 0;
	return 1;
}

static int ept_leaf_ok(const struct stm_ept *ept, uint32_t level)
{
	return level == 0 || level == 1 ||
	       (level == 2 && (ept->cfg.flags & STM_EPT_1G));
}

static int ept_is_table(uint64_t e, uint32_t level)
{
	return level > 0 && (e & 7u) && !(e & STM_EPT_LARGE);
}

/* ---- pool ---- */

static uint64_t *ept_va(const struct stm_ept *ept, uint64_t pa)
{
	uint32_t i;

	for (i = 0; i < ept->npool; i++)
		if (ept->pool[i].pa == pa)
			return (uint64_t *)ept->pool[i].va;
	return (uint64_t *)0;
}

static uint64_t *ept_alloc(struct stm_ept *ept, uint64_t *pa)
{
	uint32_t i;
	uint64_t *va;

	if (ept->free_head) {
		i = ept->free_head - 1;
		va = (uint64_t *)ept->pool[i].va;
		ept->free_head = (uint32_t)va[0];
	} else if (ept->next < ept->npool) {
		i = ept->next++;
		va = (uint64_t *)ept->pool[i].va;
	} else {
		return (uint64_t *)0;
	}
	stm_memset(va, 0, STM_PAGE_SIZE);
	*pa = ept->pool[i].pa;
	ept->pages_used++;
	if (ept->pages_used > ept->pages_peak)
		ept->pages_peak = ept->pages_used;
	return va;
}

static void ept_free_table(struct stm_ept *ept, uint64_t pa, uint32_t level)
{
	uint64_t *t = ept_va(ept, pa);
	uint32_t i;

	if (!t)
		return;
	for (i = 0; level > 0 && i < EPT_ENTRIES; i++)
		if (ept_is_table(t[i], level))
			ept_free_table(ept, t[i] & STM_EPT_ADDR_MASK, level - 1);
	for (i = 0; i < ept->npool; i++) {
		if (ept->pool[i].pa == pa) {
			t[0] = ept->free_head;
			ept->free_head = i + 1;
			break;
		}
	}
	ept->pages_used--;
}

/*
 * Bring the entries of table t (level, covering [tb, tb + 512 * esize))
 * that overlap [lo, hi) in line with the view.  COUNT mode: t may be NULL
 * (a table that does not exist yet: every entry is recomputed) and
 * nothing is written; *need accumulates tables to allocate.  Returns
 * STM_SUCCESS or STM_ERROR_OUT_OF_RESOURCES (APPLY only).
 */
static uint32_t ept_sync(struct stm_ept *ept, uint64_t *t, uint32_t level,
			 uint64_t tb, uint64_t lo, uint64_t hi, int mode,
			 uint32_t *need)
{
	uint64_t es = ept_esize(level);
	uint32_t i, first, last, st;

	if (lo < tb)
		lo = tb;
	if (hi > tb + es * EPT_ENTRIES || hi < lo)
		hi = tb + es * EPT_ENTRIES;
	if (hi <= lo)
		return STM_SUCCESS;
	first = (uint32_t)((lo - tb) / es);
	last = (uint32_t)((hi - 1 - tb) / es);
	for (i = first; i <= last; i++) {
		uint64_t eb = tb + (uint64_t)i * es, leaf, cur = t ? t[i] : 0;
		uint64_t *sub = (uint64_t *)0, spa = 0;

		ept->evals++;

		if (ept_leaf_ok(ept, level) && ept_block(ept, eb, es, level, &leaf)) {
			if (mode == EPT_MODE_APPLY) {
				if (ept_is_table(cur, level))
					ept_free_table(ept, cur & STM_EPT_ADDR_MASK, level - 1);
				t[i] = leaf;
			}
			continue;
		}
		if (level > 0 && eb >= ept->limit) {	/* PML4 entries past the limit */
			if (mode == EPT_MODE_APPLY && !ept_is_table(cur, level))
				t[i] = 0;
			continue;
		}
		if (t && ept_is_table(cur, level)) {
			sub = ept_va(ept, cur & STM_EPT_ADDR_MASK);
			if (mode == EPT_MODE_APPLY && !sub)
				return STM_ERROR_UNSPECIFIED;	/* not our page */
			st = ept_sync(ept, sub, level - 1, eb, lo, hi, mode, need);
			if (st)
				return st;
			continue;
		}
		/* a new table; its whole region is computed */
		if (mode == EPT_MODE_COUNT) {
			/* stop as soon as the pool cannot hold it: bounded work */
			if (++(*need) > ept->count_cap)
				return STM_ERROR_OUT_OF_RESOURCES;
			st = ept_sync(ept, (uint64_t *)0, level - 1, eb, eb, eb + es,
				      mode, need);
			if (st)
				return st;
			continue;
		}
		sub = ept_alloc(ept, &spa);
		if (!sub)
			return STM_ERROR_OUT_OF_RESOURCES;
		st = ept_sync(ept, sub, level - 1, eb, eb, eb + es, mode, need);
		t[i] = spa | 7u;	/* non-leaf: RWX, the leaves decide */
		if (st)
			return st;
	}
	return STM_SUCCESS;
}

static void ept_reset(struct stm_ept *ept)
{
	ept->next = 0;
	ept->free_head = 0;
	ept->pages_used = 0;
	ept->pml4 = (uint64_t *)0;
	ept->pml4_pa = 0;
}

uint32_t stm_rt_ept_build(struct stm_ept *ept, const struct stm_core *core,
			  const struct stm_ept_cfg *cfg,
			  const struct stm_ept_page *pool, uint32_t npool)
{
	uint32_t i, st, need = 0;
	uint32_t bits;

	if (!ept || !core || !cfg || !pool || npool == 0 ||
	    cfg->phys_bits < 32 || cfg->phys_bits > 52 ||
	    cfg->n_holes > STM_EPT_MAX_HOLES)
		return STM_ERROR_INVALID_PARAMETER;
	for (i = 0; i < npool; i++)
		if (!pool[i].va || (pool[i].pa & STM_PAGE_MASK) ||
		    pool[i].pa >= (1ull << 52))
			return STM_ERROR_INVALID_PARAMETER;
	stm_memset(ept, 0, sizeof(*ept));
	ept->cfg = *cfg;
	ept->pool = pool;
	ept->npool = npool;
	ept->core = core;
	bits = cfg->phys_bits < STM_EPT_MAX_BITS ? cfg->phys_bits : STM_EPT_MAX_BITS;
	ept->limit = 1ull << bits;
	/* count first: a pool too small is refused before anything is written */
	ept->count_cap = npool - 1;	/* the PML4 is the first page */
	if (ept_sync(ept, (uint64_t *)0, EPT_LEVELS - 1, 0, 0, ept->limit,
		     EPT_MODE_COUNT, &need)) {
		ept_reset(ept);
		return STM_ERROR_OUT_OF_RESOURCES;
	}
	ept->pml4 = ept_alloc(ept, &ept->pml4_pa);
	st = ept_sync(ept, ept->pml4, EPT_LEVELS - 1, 0, 0, ept->limit,
		      EPT_MODE_APPLY, &need);
	if (st) {
		ept_reset(ept);
		return st;
	}
	return STM_SUCCESS;
}

uint32_t stm_rt_ept_update(struct stm_ept *ept, uint64_t base, uint64_t len)
{
	uint32_t need = 0;
	uint64_t lo, hi;

	if (!ept || !ept->pml4)
		return STM_ERROR_INVALID_PARAMETER;
	if (len == 0 || base >= ept->limit)
		return STM_SUCCESS;
	lo = base & ~STM_PAGE_MASK;
	hi = len > ept->limit - base ? ept->limit : base + len;
	ept->count_cap = ept->npool - ept->pages_used;
	if (ept_sync(ept, ept->pml4, EPT_LEVELS - 1, 0, lo, hi, EPT_MODE_COUNT, &need))
		return STM_ERROR_OUT_OF_RESOURCES;
	return ept_sync(ept, ept->pml4, EPT_LEVELS - 1, 0, lo, hi,
			EPT_MODE_APPLY, &need);
}

uint64_t stm_rt_ept_eptp(const struct stm_ept *ept)
{
	/* SDM 25.6.11: bits 2:0 memory type (WB), 5:3 walk length - 1 */
	return ept->pml4_pa | STM_MT_WB | ((uint64_t)(EPT_LEVELS - 1) << 3);
}

uint64_t stm_rt_ept_walk(const struct stm_ept *ept, uint64_t gpa,
			 uint32_t *level)
{
	const uint64_t *t = ept->pml4;
	uint32_t l = EPT_LEVELS - 1;

	if (gpa >> STM_EPT_MAX_BITS)
		t = (const uint64_t *)0;	/* beyond a 4-level walk */
	while (t) {
		uint64_t e = t[(gpa >> (12u + 9u * l)) & 511u];

		if (!(e & 7u)) {
			*level = l;
			return 0;
		}
		if (l == 0 || (e & STM_EPT_LARGE)) {
			*level = l;
			return e;
		}
		t = ept_va(ept, e & STM_EPT_ADDR_MASK);
		l--;
	}
	*level = l;
	return 0;
}
