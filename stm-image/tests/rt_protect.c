// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * PROTECT all or nothing (runtime/protect.c): when the EPT pool cannot
 * hold the split a PROTECT needs, the core takes the PROTECT back, the
 * bitmaps follow, and the VMCALL returns ERROR_STM_OUT_OF_RESOURCES.
 */
#include <stdlib.h>
#include "rt_tests.h"

#define TP_POOL		64u

struct tp_ctx {
	struct stm_ept ept;
	struct stm_core *c;
	uint8_t io[8192];
	uint8_t msr[4096];
	uint32_t calls;
};

/* what the image's stm_rt_protection_changed() does, on plain memory */
static uint32_t tp_enforce(void *ctx, uint32_t api, uint64_t list_pa)
{
	struct tp_ctx *t = ctx;

	(void)api;
	(void)list_pa;
	t->calls++;
	stm_rt_io_bitmap_build(t->c, t->io);
	stm_rt_msr_bitmap_build(t->c, t->msr);
	return stm_rt_ept_update(&t->ept, 0, t->ept.limit);
}

static struct stm_regs tp_call(struct tenv *e, struct tp_ctx *t, uint32_t eax,
			       const void *nodes, uint32_t len)
{
	struct stm_regs r;

	twrite_list(e, T_LIST_PA, nodes, len, 0);
	r.eax = eax;
	r.ebx = (uint32_t)T_LIST_PA;
	r.ecx = 0;
	r.edx = 0;
	r.cf = 0;
	stm_rt_core_vmcall(e->c, 0, T_VMCS_PA, &r, tp_enforce, t);
	return r;
}

void test_rt_protect_all_or_nothing(void)
{
	static struct stm_mtrr mtrr;
	struct stm_ept_page pg[TP_POOL];
	struct stm_ept_cfg cfg;
	struct tp_ctx *t = calloc(1, sizeof(*t));
	uint8_t *mem = aligned_alloc(4096, (size_t)TP_POOL * 4096);
	uint8_t n[256];
	struct tenv e;
	struct stm_regs r;
	uint32_t i, l, nodes, need;

	for (i = 0; i < TP_POOL; i++) {
		pg[i].va = mem + (size_t)i * 4096;
		pg[i].pa = 0x7000000000ull + (uint64_t)i * 4096;
	}
	memset(&mtrr, 0, sizeof(mtrr));
	mtrr.def_type = STM_MT_WB | (1u << 11);
	mtrr.smrr_base = T_TSEG_BASE | STM_MT_WB;
	mtrr.smrr_mask = (~(T_TSEG_SIZE - 1) & 0x7FFFFFF000ull) | (1u << 11);
	memset(&cfg, 0, sizeof(cfg));
	cfg.phys_bits = 32;
	cfg.flags = STM_EPT_1G;
	cfg.mtrr = &mtrr;
	cfg.n_holes = 1;
	cfg.hole_base[0] = T_MSEG_BASE;
	cfg.hole_size[0] = T_MSEG_SIZE;
	cfg.xd_base = T_TSEG_BASE;
	cfg.xd_size = T_TSEG_SIZE;

	tenv_init(&e, 1);
	tenv_launch(&e);
	t->c = e.c;
	/* size the pool to what the current view needs: no room to split */
	CHECK_ST(stm_rt_ept_build(&t->ept, e.c, &cfg, pg, TP_POOL), STM_SUCCESS);
	need = t->ept.pages_used;
	CHECK_ST(stm_rt_ept_build(&t->ept, e.c, &cfg, pg, need), STM_SUCCESS);
	nodes = stm_core_prot_nodes(e.c);

	/* a 4 KiB page inside a 1 GiB leaf (needs two tables) and a port */
	l = mk_mem(n, STM_MEM_RANGE, 0x90000000, 0x1000, STM_RSC_MEM_W);
	l += mk_io(n + l, 0x3F8, 8);
	r = tp_call(&e, t, STM_API_PROTECT_RESOURCE, n, l);
	CHECK_ST(r.eax, STM_ERROR_OUT_OF_RESOURCES);
	CHECK_EQ(r.cf, 1);
	/* nothing of it applied: database, bitmaps and EPT as before */
	CHECK_EQ(stm_core_mem_denied(e.c, 0x90000000), 0);
	CHECK_EQ(stm_core_io_denied(e.c, 0x3F8), 0);
	CHECK_EQ(stm_core_prot_nodes(e.c), nodes);
	CHECK(!stm_rt_io_bitmap_exits(t->io, 0x3F8, 1));
	CHECK_EQ(t->ept.pages_used, need);
	CHECK_EQ(t->calls, 2);
	CHECK(stm_core_check_invariants(e.c) == 0);
	/* the same list is accepted once the pool has room */
	CHECK_ST(stm_rt_ept_build(&t->ept, e.c, &cfg, pg, TP_POOL), STM_SUCCESS);
	r = tp_call(&e, t, STM_API_PROTECT_RESOURCE, n, l);
	CHECK_ST(r.eax, STM_SUCCESS);
	CHECK(stm_core_mem_denied(e.c, 0x90000000) != 0);
	CHECK(stm_rt_io_bitmap_exits(t->io, 0x3F8, 1));
	CHECK(t->ept.pages_used > need);
	/* an UNPROTECT that cannot fail here passes through */
	r = tp_call(&e, t, STM_API_UNPROTECT_RESOURCE, n, l);
	CHECK_ST(r.eax, STM_SUCCESS);
	CHECK_EQ(stm_core_mem_denied(e.c, 0x90000000), 0);
	tenv_free(&e);
	free(mem);
	free(t);
}
