// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * EPT builder: every 4 KiB page's effective permission and memory type
 * against the core's view (stm_core_mem_denied()), the holes, the XD
 * window and the MTRRs; updates after PROTECT/UNPROTECT; pool exhaustion.
 */
#include <stdlib.h>
#include "rt_tests.h"

#define POOL_MAX	2048u

struct tpool {
	struct stm_ept_page pg[POOL_MAX];
	uint8_t *mem;
};

static void pool_init(struct tpool *p)
{
	uint32_t i;

	p->mem = aligned_alloc(4096, (size_t)POOL_MAX * 4096);
	memset(p->mem, 0xCC, (size_t)POOL_MAX * 4096);	/* the builder must clear */
	for (i = 0; i < POOL_MAX; i++) {
		p->pg[i].va = p->mem + (size_t)i * 4096;
		p->pg[i].pa = 0x7000000000ull + (uint64_t)i * 4096;
	}
}

static struct stm_mtrr t_mtrr;

static void mtrr_init(void)
{
	memset(&t_mtrr, 0, sizeof(t_mtrr));
	t_mtrr.def_type = STM_MT_WB | (1u << 10) | (1u << 11);
	t_mtrr.fixed_supported = 1;
	t_mtrr.fixed[0] = 0x0606060606060606ull;	/* 0-0x7FFFF WB */
	t_mtrr.fixed[1] = 0x0606060606060606ull;
	t_mtrr.fixed[2] = 0x0000000000000000ull;	/* 0xA0000-0xBFFFF UC */
	t_mtrr.fixed[3] = 0x0505050505050505ull;	/* 0xC0000.. WP */
	t_mtrr.fixed[4] = 0x0505050504040404ull;	/* mixed WT/WP */
	t_mtrr.fixed[5] = 0x0606060606060606ull;
	t_mtrr.fixed[6] = 0x0606060606060606ull;
	t_mtrr.fixed[7] = 0x0606060606060606ull;
	t_mtrr.fixed[8] = 0x0606060606060606ull;
	t_mtrr.fixed[9] = 0x0606060606060606ull;
	t_mtrr.fixed[10] = 0x0505050505050505ull;	/* 0xF8000.. WP */
	t_mtrr.n_var = 4;
	t_mtrr.var_base[0] = 0xC0000000ull | STM_MT_UC;	/* 3-4 GiB UC */
	t_mtrr.var_mask[0] = 0x7FC0000000ull | (1u << 11);
	t_mtrr.var_base[1] = 0x40000000ull | STM_MT_WT;	/* 1 GiB + 256 MiB WT */
	t_mtrr.var_mask[1] = 0x7FF0000000ull | (1u << 11);
	t_mtrr.var_base[2] = 0x48000000ull | STM_MT_WC;	/* overlaps: WT+WC -> UC */
	t_mtrr.var_mask[2] = 0x7FF8000000ull | (1u << 11);
	t_mtrr.var_base[3] = 0x80000000ull | STM_MT_WB;	/* disabled (V = 0) */
	t_mtrr.var_mask[3] = 0x7F80000000ull;
	t_mtrr.smrr_base = T_TSEG_BASE | STM_MT_WB;
	t_mtrr.smrr_mask = (~(T_TSEG_SIZE - 1) & 0x7FFFFFF000ull) | (1u << 11);
}

static void cfg_init(struct stm_ept_cfg *c, uint32_t bits, uint32_t flags)
{
	memset(c, 0, sizeof(*c));
	c->phys_bits = bits;
	c->flags = flags;
	c->mtrr = &t_mtrr;
	c->n_holes = 1;
	c->hole_base[0] = T_MSEG_BASE;
	c->hole_size[0] = T_MSEG_SIZE;
	c->xd_base = T_TSEG_BASE;
	c->xd_size = T_TSEG_SIZE;
}

static uint32_t want_perm(const struct stm_ept *ept, uint64_t pa)
{
	uint32_t deny = stm_core_mem_denied(ept->core, pa);

	if (pa >= ept->limit)
		return 0;

	if (pa >= ept->cfg.hole_base[0] && pa - ept->cfg.hole_base[0] < ept->cfg.hole_size[0])
		deny = 7;
	if ((ept->cfg.flags & STM_EPT_XD_OUTSIDE) &&
	    !(pa >= ept->cfg.xd_base && pa - ept->cfg.xd_base < ept->cfg.xd_size))
		deny |= STM_EPT_X;
	return stm_rt_ept_perm(deny, ept->cfg.flags);
}

/* mismatching pages in [lo, hi) */
static uint64_t check_pages(const struct stm_ept *ept, uint64_t lo, uint64_t hi)
{
	uint64_t pa, bad = 0;

	for (pa = lo; pa < hi; pa += 4096) {
		uint32_t lvl, perm = want_perm(ept, pa);
		uint64_t e = stm_rt_ept_walk(ept, pa, &lvl);
		uint64_t es = 1ull << (12 + 9 * lvl);

		if (!perm) {
			if (e & 7) {
				if (bad++ < 5)
					printf("#   %#llx: present %#llx, want not present\n",
					       (unsigned long long)pa, (unsigned long long)e);
			}
			continue;
		}
		if ((e & 7) != perm ||
		    ((e >> 3) & 7) != stm_rt_mtrr_type(ept->cfg.mtrr, ept->cfg.phys_bits, pa) ||
		    ((e & STM_EPT_ADDR_MASK & ~(es - 1)) | (pa & (es - 1))) != pa ||
		    (lvl > 0) != !!(e & STM_EPT_LARGE) ||
		    (lvl == 2 && !(ept->cfg.flags & STM_EPT_1G))) {
			if (bad++ < 5)
				printf("#   %#llx: entry %#llx level %u, want perm %u type %u\n",
				       (unsigned long long)pa, (unsigned long long)e, lvl, perm,
				       stm_rt_mtrr_type(ept->cfg.mtrr, ept->cfg.phys_bits, pa));
		}
	}
	return bad;
}

static uint32_t prot_list(uint8_t *n)
{
	uint32_t l = 0;

	l += mk_mem(n + l, STM_MEM_RANGE, 0x300000, 0x2000, STM_RSC_MEM_W);
	l += mk_mem(n + l, STM_MEM_RANGE, 0x305000, 0x1000, STM_RSC_MEM_R);	/* R -> W too */
	l += mk_mem(n + l, STM_MEM_RANGE, 0x306000, 0x1000, STM_RSC_MEM_R | STM_RSC_MEM_W);
	l += mk_mem(n + l, STM_MEM_RANGE, 0x20000000, 0x200000, 7);	/* one 2 MiB page */
	l += mk_mem(n + l, STM_MEM_RANGE, 0x7FFFF000, 0x1000, STM_RSC_MEM_X);
	l += mk_mem(n + l, STM_MMIO_RANGE, 0xFED00000, 0x1000, STM_RSC_MMIO_W);
	l += mk_mem(n + l, STM_MEM_RANGE, 0x2000000, 0x40000000 - 0x2000000 + 0x1000, STM_RSC_MEM_W);
	return l;
}

void test_rt_ept_build_exhaustive(void)
{
	static const uint32_t fl[] = {
		0, STM_EPT_1G, STM_EPT_1G | STM_EPT_EXEC_ONLY | STM_EPT_XD_OUTSIDE,
	};
	struct tpool *p = calloc(1, sizeof(*p));
	struct stm_ept ept;
	struct stm_ept_cfg cfg;
	struct tenv e;
	uint8_t n[512];
	size_t i;

	mtrr_init();
	pool_init(p);
	tenv_init(&e, 1);
	tenv_launch(&e);
	CHECK_ST(tprotect(&e, n, prot_list(n)), STM_SUCCESS);
	for (i = 0; i < sizeof(fl) / sizeof(fl[0]); i++) {
		cfg_init(&cfg, 32, fl[i]);
		CHECK_ST(stm_rt_ept_build(&ept, e.c, &cfg, p->pg, POOL_MAX), STM_SUCCESS);
		CHECK_EQ(check_pages(&ept, 0, 1ull << 32), 0);
		/* beyond the physical-address width: not present */
		CHECK_EQ(check_pages(&ept, 1ull << 32, (1ull << 32) + 0x200000), 0);
		CHECK_EQ(stm_rt_ept_eptp(&ept) & 0xFFF, 0x1E);
		CHECK_EQ(stm_rt_ept_eptp(&ept) & ~0xFFFull, ept.pml4_pa);
		printf("# flags %#x: %u pool pages for 4 GiB\n", fl[i], ept.pages_used);
	}
	/* X-only without execute-only support: not present */
	CHECK_EQ(stm_rt_ept_perm(STM_EPT_R | STM_EPT_W, 0), 0);
	CHECK_EQ(stm_rt_ept_perm(STM_EPT_R | STM_EPT_W, STM_EPT_EXEC_ONLY), STM_EPT_X);
	CHECK_EQ(stm_rt_ept_perm(STM_EPT_R, 0), 0);	/* W needs R: X only left */
	CHECK_EQ(stm_rt_ept_perm(STM_EPT_R, STM_EPT_EXEC_ONLY), STM_EPT_X);
	CHECK_EQ(stm_rt_ept_perm(STM_EPT_W, 0), STM_EPT_R | STM_EPT_X);
	CHECK_EQ(stm_rt_ept_perm(0, 0), 7);
	tenv_free(&e);
	free(p->mem);
	free(p);
}

void test_rt_ept_update(void)
{
	struct tpool *p = calloc(1, sizeof(*p));
	struct stm_ept ept;
	struct stm_ept_cfg cfg;
	struct tenv e;
	uint8_t n[512];
	uint32_t l, base_pages, peak;

	mtrr_init();
	pool_init(p);
	tenv_init(&e, 1);
	tenv_launch(&e);
	cfg_init(&cfg, 32, STM_EPT_1G);
	CHECK_ST(stm_rt_ept_build(&ept, e.c, &cfg, p->pg, POOL_MAX), STM_SUCCESS);
	base_pages = ept.pages_used;
	CHECK_EQ(check_pages(&ept, 0, 1ull << 32), 0);

	/* one 4 KiB page inside a 1 GiB leaf and a 4 KiB page in a 2 MiB leaf */
	l = mk_mem(n, STM_MEM_RANGE, 0x80123000, 0x1000, STM_RSC_MEM_W | STM_RSC_MEM_X);
	l += mk_mem(n + l, STM_MEM_RANGE, 0x4A000000, 0x3000, 7);
	CHECK_ST(tprotect(&e, n, l), STM_SUCCESS);
	CHECK_ST(stm_rt_ept_update(&ept, 0x80123000, 0x1000), STM_SUCCESS);
	CHECK_ST(stm_rt_ept_update(&ept, 0x4A000000, 0x3000), STM_SUCCESS);
	CHECK_EQ(check_pages(&ept, 0, 1ull << 32), 0);
	CHECK(ept.pages_used > base_pages);
	peak = ept.pages_used;
	/* UNPROTECT: the range is uniform again, the split tables are freed */
	CHECK_ST(tunprotect(&e, n, l), STM_SUCCESS);
	CHECK_ST(stm_rt_ept_update(&ept, 0x80123000, 0x1000), STM_SUCCESS);
	CHECK_ST(stm_rt_ept_update(&ept, 0x4A000000, 0x3000), STM_SUCCESS);
	CHECK_EQ(check_pages(&ept, 0, 1ull << 32), 0);
	CHECK_EQ(ept.pages_used, base_pages);
	/* freed pages are reused: no growth across repeated cycles */
	CHECK_ST(tprotect(&e, n, l), STM_SUCCESS);
	CHECK_ST(stm_rt_ept_update(&ept, 0, 1ull << 32), STM_SUCCESS);
	CHECK_EQ(ept.pages_used, peak);
	CHECK_EQ(ept.next, peak);
	CHECK_EQ(check_pages(&ept, 0, 1ull << 32), 0);
	/* edge arguments */
	CHECK_ST(stm_rt_ept_update(&ept, 0, 0), STM_SUCCESS);
	CHECK_ST(stm_rt_ept_update(&ept, 1ull << 40, 0x1000), STM_SUCCESS);
	CHECK_ST(stm_rt_ept_update(&ept, 0xFFFFF000, ~0ull), STM_SUCCESS);
	tenv_free(&e);
	free(p->mem);
	free(p);
}

void test_rt_ept_pool_exhaustion(void)
{
	struct tpool *p = calloc(1, sizeof(*p));
	struct stm_ept ept;
	struct stm_ept_cfg cfg;
	struct tenv e;
	uint8_t n[512], *snap;
	uint32_t l, need;

	mtrr_init();
	pool_init(p);
	tenv_init(&e, 1);
	tenv_launch(&e);
	CHECK_ST(tprotect(&e, n, prot_list(n)), STM_SUCCESS);
	cfg_init(&cfg, 32, STM_EPT_1G);
	CHECK_ST(stm_rt_ept_build(&ept, e.c, &cfg, p->pg, POOL_MAX), STM_SUCCESS);
	need = ept.pages_used;
	/* one page short: refused, nothing left in use */
	CHECK_ST(stm_rt_ept_build(&ept, e.c, &cfg, p->pg, need - 1), STM_ERROR_OUT_OF_RESOURCES);
	CHECK(ept.pml4 == NULL);
	CHECK_EQ(ept.pages_used, 0);
	CHECK_ST(stm_rt_ept_build(&ept, e.c, &cfg, p->pg, need), STM_SUCCESS);
	CHECK_EQ(check_pages(&ept, 0, 1ull << 32), 0);
	/* the pool is full: a split is refused and the EPT stays as it was */
	snap = malloc((size_t)need * 4096);
	memcpy(snap, p->mem, (size_t)need * 4096);
	l = mk_mem(n, STM_MEM_RANGE, 0x90000000, 0x1000, STM_RSC_MEM_W);
	CHECK_ST(tprotect(&e, n, l), STM_SUCCESS);
	CHECK_ST(stm_rt_ept_update(&ept, 0x90000000, 0x1000), STM_ERROR_OUT_OF_RESOURCES);
	CHECK(memcmp(snap, p->mem, (size_t)need * 4096) == 0);
	CHECK_EQ(ept.pages_used, need);
	/* the runtime then takes the PROTECT back: consistent again */
	CHECK_ST(tunprotect(&e, n, l), STM_SUCCESS);
	CHECK_EQ(check_pages(&ept, 0x80000000, 0xC0000000), 0);
	/* bad arguments */
	CHECK_ST(stm_rt_ept_build(&ept, e.c, &cfg, p->pg, 0), STM_ERROR_INVALID_PARAMETER);
	cfg.phys_bits = 31;
	CHECK_ST(stm_rt_ept_build(&ept, e.c, &cfg, p->pg, 8), STM_ERROR_INVALID_PARAMETER);
	cfg.phys_bits = 32;
	cfg.n_holes = STM_EPT_MAX_HOLES + 1;
	CHECK_ST(stm_rt_ept_build(&ept, e.c, &cfg, p->pg, 8), STM_ERROR_INVALID_PARAMETER);
	free(snap);
	tenv_free(&e);
	free(p->mem);
	free(p);
}

void test_rt_ept_wide(void)
{
	struct tpool *p = calloc(1, sizeof(*p));
	struct stm_ept ept;
	struct stm_ept_cfg cfg;
	struct tenv e;
	uint8_t n[512];
	uint64_t pa, next, bad = 0;
	uint32_t i;

	mtrr_init();
	pool_init(p);
	tenv_init(&e, 1);
	tenv_launch(&e);
	CHECK_ST(tprotect(&e, n, prot_list(n)), STM_SUCCESS);
	/* 39 bits with 1 GiB pages: only the first 4 GiB need tables */
	cfg_init(&cfg, 39, STM_EPT_1G);
	CHECK_ST(stm_rt_ept_build(&ept, e.c, &cfg, p->pg, POOL_MAX), STM_SUCCESS);
	printf("# 39 bits, 1 GiB pages: %u pool pages\n", ept.pages_used);
	/* every view boundary, +-1 page, and a sweep of 1 GiB steps */
	for (pa = 0;;) {
		stm_core_mem_span(e.c, pa, &next);
		if (!next)
			break;
		bad += check_pages(&ept, next - 4096, next + 4096);
		pa = next;
	}
	for (i = 0; i < 512; i++)
		bad += check_pages(&ept, (uint64_t)i << 30, ((uint64_t)i << 30) + 4096);
	bad += check_pages(&ept, (1ull << 39) - 4096, (1ull << 39) + 4096);
	CHECK_EQ(bad, 0);
	/* without 1 GiB pages: one PD per GiB (512) */
	cfg_init(&cfg, 39, 0);
	CHECK_ST(stm_rt_ept_build(&ept, e.c, &cfg, p->pg, POOL_MAX), STM_SUCCESS);
	CHECK(ept.pages_used >= 514);
	printf("# 39 bits, 2 MiB pages: %u pool pages\n", ept.pages_used);
	CHECK_EQ(check_pages(&ept, (1ull << 39) - 8192, (1ull << 39) + 4096), 0);
	/* 52 bits: mapped up to 2^48 (4-level EPT) */
	cfg_init(&cfg, 52, STM_EPT_1G);
	CHECK_ST(stm_rt_ept_build(&ept, e.c, &cfg, p->pg, POOL_MAX), STM_SUCCESS);
	CHECK_EQ(ept.limit, 1ull << 48);
	CHECK_EQ(check_pages(&ept, (1ull << 48) - 4096, (1ull << 48) + 4096), 0);
	tenv_free(&e);
	free(p->mem);
	free(p);
}

void test_rt_mtrr_types(void)
{
	struct stm_mtrr m;

	mtrr_init();
	m = t_mtrr;
	CHECK_EQ(stm_rt_mtrr_type(&m, 39, 0x0), STM_MT_WB);
	CHECK_EQ(stm_rt_mtrr_type(&m, 39, 0xA0000), STM_MT_UC);
	CHECK_EQ(stm_rt_mtrr_type(&m, 39, 0xC0000), STM_MT_WP);
	CHECK_EQ(stm_rt_mtrr_type(&m, 39, 0xC8000), STM_MT_WT);
	CHECK_EQ(stm_rt_mtrr_type(&m, 39, 0xCC000), STM_MT_WP);
	CHECK_EQ(stm_rt_mtrr_type(&m, 39, 0xF8000), STM_MT_WP);
	CHECK_EQ(stm_rt_mtrr_type(&m, 39, 0x100000), STM_MT_WB);
	CHECK_EQ(stm_rt_mtrr_type(&m, 39, 0x40000000), STM_MT_WT);
	CHECK_EQ(stm_rt_mtrr_type(&m, 39, 0x48000000), STM_MT_UC);	/* WT + WC */
	CHECK_EQ(stm_rt_mtrr_type(&m, 39, 0xC0000000), STM_MT_UC);
	CHECK_EQ(stm_rt_mtrr_type(&m, 39, 0x80000000), STM_MT_WB);	/* V = 0 */
	CHECK_EQ(stm_rt_mtrr_type(&m, 39, 0x100000000ull), STM_MT_WB);
	m.var_base[1] = 0x40000000ull | STM_MT_WB;	/* WB + UC var0? no: WB + WC */
	CHECK_EQ(stm_rt_mtrr_type(&m, 39, 0x48000000), STM_MT_UC);
	m.var_base[2] = 0x48000000ull | STM_MT_WT;	/* WB + WT -> WT */
	CHECK_EQ(stm_rt_mtrr_type(&m, 39, 0x48000000), STM_MT_WT);
	m.def_type &= ~(1ull << 10);	/* fixed off: variable/default below 1 MiB */
	CHECK_EQ(stm_rt_mtrr_type(&m, 39, 0xA0000), STM_MT_WB);
	m.def_type &= ~(1ull << 11);	/* MTRRs off: UC, SMRR still applies */
	CHECK_EQ(stm_rt_mtrr_type(&m, 39, 0x100000), STM_MT_UC);
	CHECK_EQ(stm_rt_mtrr_type(&m, 39, T_TSEG_BASE + 0x1000), STM_MT_WB);
	CHECK_EQ(stm_rt_mtrr_type(NULL, 39, 0), STM_MT_WB);
}

/*
 * Pool pages for the module's default policy shape (policy=kernel,
 * kmod/policy.c): the monitor's own pages (per CPU a VMXON region and an
 * activation VMCS, the module text/rodata: deny RWX), "Kernel code" and
 * "Kernel rodata" (deny WX) and the text/rodata/ro_after_init pages of
 * every live module (vmalloc: scattered physical frames, deny WX).  A
 * model with 4 CPUs, 60 modules of 10 pages, 8 GiB of RAM, deterministic
 * frames.  Printed as a "bench:" line for make bench; bounded here.
 */
static uint32_t policy_shape(struct tenv *e, uint32_t *nodes)
{
	uint8_t *n = malloc(128 * 32);
	uint32_t l = 0, cnt = 0, i, st = STM_SUCCESS;
	uint64_t frame;

#define FLUSH() do { \
		if (l && st == STM_SUCCESS) \
			st = tprotect(e, n, l); \
		l = 0; \
	} while (0)
#define ADD(base, len, rwx) do { \
		l += mk_mem(n + l, STM_MEM_RANGE, base, len, rwx); \
		cnt++; \
		if (l >= 120 * 32) \
			FLUSH(); \
	} while (0)
	ADD(0x2000000ull, 0xE00000ull, STM_RSC_MEM_W | STM_RSC_MEM_X);	/* Kernel code */
	ADD(0x3000000ull, 0x800000ull, STM_RSC_MEM_W | STM_RSC_MEM_X);	/* Kernel rodata */
	ADD(0x5000000ull, 0x10000ull, 7);	/* stmexec text */
	ADD(0x5010000ull, 0x4000ull, 7);	/* stmexec rodata */
	for (i = 0; i < 8; i++)			/* VMXON + VMCS per CPU */
		ADD(0x6000000ull + i * 0x2000000ull, 0x1000, 7);
	for (i = 0; i < 600; i++) {		/* 60 modules x 10 pages */
		frame = 0x8000 + (uint64_t)i * 104729u % (0x200000u - 0x8000u);
		ADD(frame << 12, 0x1000, STM_RSC_MEM_W | STM_RSC_MEM_X);
	}
	FLUSH();
#undef ADD
#undef FLUSH
	free(n);
	*nodes = cnt;
	return st;
}

void test_rt_ept_policy_shape(void)
{
	struct tpool *p = calloc(1, sizeof(*p));
	struct stm_ept ept;
	struct stm_ept_cfg cfg;
	struct tenv e;
	uint32_t nodes = 0, g1, m2;

	pool_init(p);
	tenv_init(&e, 4);
	tenv_launch(&e);
	CHECK_ST(policy_shape(&e, &nodes), STM_SUCCESS);
	cfg_init(&cfg, 39, STM_EPT_1G);
	cfg.mtrr = NULL;
	CHECK_ST(stm_rt_ept_build(&ept, e.c, &cfg, p->pg, POOL_MAX), STM_SUCCESS);
	g1 = ept.pages_used;
	CHECK_EQ(check_pages(&ept, 0, 0x8000000), 0);
	cfg_init(&cfg, 39, 0);
	cfg.mtrr = NULL;
	CHECK_ST(stm_rt_ept_build(&ept, e.c, &cfg, p->pg, POOL_MAX), STM_SUCCESS);
	m2 = ept.pages_used;
	printf("# bench: EPT pool pages, default policy shape (%u ranges, 4 CPUs, 60 modules, 8 GiB, 39-bit): %u with 1 GiB pages, %u with 2 MiB pages; + 3 bitmap pages\n",
	       nodes, g1, m2);
	/* one PT per 2 MiB region holding a protected page boundary, plus the directories */
	CHECK(g1 <= 2 + 8 + nodes);
	CHECK(m2 <= 1 + 512 + nodes);
	tenv_free(&e);
	free(p->mem);
	free(p);
}

/* 48 bits with 2 MiB leaves needs 262657 tables: refused quickly, not counted out */
void test_rt_ept_bounded_work(void)
{
	struct tpool *p = calloc(1, sizeof(*p));
	struct stm_ept ept;
	struct stm_ept_cfg cfg;
	struct tenv e;

	pool_init(p);
	tenv_init(&e, 1);
	tenv_launch(&e);
	cfg_init(&cfg, 48, 0);
	cfg.mtrr = NULL;
	CHECK_ST(stm_rt_ept_build(&ept, e.c, &cfg, p->pg, POOL_MAX), STM_ERROR_OUT_OF_RESOURCES);
	CHECK_EQ(ept.pages_used, 0);
	CHECK(ept.pml4 == NULL);
	/* at most the pool's worth of tables evaluated (512 entries each), not 2^27 */
	CHECK(ept.evals <= (uint64_t)(POOL_MAX + 2) * 512);
	tenv_free(&e);
	free(p->mem);
	free(p);
}
