// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * EPT updates under arbitrary PROTECT/UNPROTECT sequences.  Each 12-byte
 * record of the input is one MLE request (protect or unprotect a MEM range:
 * page, length in pages, RWX) on a launched core; after each granted
 * request the EPT is updated for that range over a small pool.
 * Invariants: every page next to a changed boundary has exactly the
 * permission stm_rt_ept_perm() gives the view (or is not present in the
 * MSEG hole); a refused update (pool exhausted) leaves every pool page
 * byte for byte as it was; at the end a fresh build agrees with the
 * updated EPT at every view boundary; pool accounting never exceeds the
 * pool.
 */
#include "fuzz_common.h"
#include "rt_priv.h"

#define NPOOL	96u
#define BITS	36u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fenv env;
static struct stm_ept_page pool[NPOOL], pool2[NPOOL];
static uint8_t *pmem, *pmem2, *snap;

static void pool_setup(void)
{
	uint32_t i;

	if (pmem)
		return;
	pmem = (uint8_t *)aligned_alloc(4096, NPOOL * 4096);
	pmem2 = (uint8_t *)aligned_alloc(4096, NPOOL * 4096);
	snap = (uint8_t *)malloc(NPOOL * 4096);
	if (!pmem || !pmem2 || !snap)
		abort();
	for (i = 0; i < NPOOL; i++) {
		pool[i].va = pmem + i * 4096;
		pool[i].pa = 0x800000000ull + i * 4096ull;
		pool2[i].va = pmem2 + i * 4096;
		pool2[i].pa = 0x900000000ull + i * 4096ull;
	}
}

static uint32_t want(const struct stm_ept *ept, uint64_t pa)
{
	uint32_t deny = stm_core_mem_denied(env.c, pa);

	if (pa >= ept->limit)
		return 0;
	if (pa >= F_MSEG_BASE && pa < F_MSEG_BASE + F_MSEG_SIZE)
		deny = 7;
	return stm_rt_ept_perm(deny, ept->cfg.flags);
}

static void check_page(const struct stm_ept *ept, uint64_t pa)
{
	uint32_t lvl;
	uint64_t e;

	if (pa >= (1ull << BITS) + 0x1000)
		return;
	e = stm_rt_ept_walk(ept, pa, &lvl);
	F_CHECK((uint32_t)(e & 7) == want(ept, pa));
	if (e & 7) {
		uint64_t es = 1ull << (12 + 9 * lvl);

		F_CHECK(((e & STM_EPT_ADDR_MASK & ~(es - 1)) | (pa & (es - 1))) == pa);
	}
}

static void check_around(const struct stm_ept *ept, uint64_t pa)
{
	check_page(ept, pa & ~0xFFFull);
	if (pa >= 0x1000)
		check_page(ept, (pa - 0x1000) & ~0xFFFull);
}

static uint32_t mle_call(uint32_t eax, uint64_t base, uint64_t len, uint32_t rwx)
{
	uint8_t *p = f_va(&env, F_MEM_BASE);

	memset(p, 0, 4096);
	mk_end(p + mk_mem(p, STM_MEM_RANGE, base, len, rwx), 0);
	return f_call(&env, 0, eax, F_MEM_BASE, 0).eax;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stm_ept ept, ept2;
	struct stm_ept_cfg cfg;
	uint64_t pa, next;
	size_t off;
	uint32_t st, n = 0, used;

	if (size < 1)
		return 0;
	pool_setup();
	fenv_setup(&env);
	f_std_bios(&env);
	if (f_call(&env, 0, STM_API_INITIALIZE_PROTECTION, 0, 0).eax != STM_SUCCESS)
		abort();
	memset(&cfg, 0, sizeof(cfg));
	cfg.phys_bits = BITS;
	cfg.flags = (data[0] & 1 ? STM_EPT_1G : 0) | (data[0] & 2 ? STM_EPT_EXEC_ONLY : 0);
	cfg.n_holes = 1;
	cfg.hole_base[0] = F_MSEG_BASE;
	cfg.hole_size[0] = F_MSEG_SIZE;
	if (!(cfg.flags & STM_EPT_1G))
		return 0;	/* 2 MiB leaves over 64 GiB need more than the pool */
	F_CHECK(stm_rt_ept_build(&ept, env.c, &cfg, pool, NPOOL) == STM_SUCCESS);

	for (off = 1; off + 12 <= size && n < 24; off += 12, n++) {
		const uint8_t *r = data + off;
		uint64_t base = ((uint64_t)r[1] | (uint64_t)r[2] << 8 | (uint64_t)r[3] << 16 |
				 (uint64_t)(r[4] & 0x3F) << 24) << 12;
		uint64_t len = ((uint64_t)r[5] | (uint64_t)(r[6] & 0x3F) << 8) << 12;
		uint32_t rwx = r[7] & 7u;
		uint32_t eax = (r[0] & 1) ? STM_API_UNPROTECT_RESOURCE : STM_API_PROTECT_RESOURCE;

		if (len == 0)
			len = 0x1000;
		if (r[8] & 1)	/* 2 MiB / 1 GiB aligned variants reach the large leaves */
			base &= r[8] & 2 ? ~0x3FFFFFFFull : ~0x1FFFFFull;
		if (r[9] & 1)
			len <<= 9;
		st = mle_call(eax, base, len, rwx ? rwx : 7);
		if (st != STM_SUCCESS)
			continue;
		used = ept.next;
		memcpy(snap, pmem, (size_t)used * 4096);
		st = stm_rt_ept_update(&ept, base, len);
		F_CHECK(ept.pages_used <= NPOOL && ept.next <= NPOOL);
		if (st == STM_ERROR_OUT_OF_RESOURCES) {
			F_CHECK(ept.next == used &&
				memcmp(snap, pmem, (size_t)used * 4096) == 0);
			/* resynchronise from scratch; give up if even that does not fit */
			if (stm_rt_ept_build(&ept, env.c, &cfg, pool, NPOOL) != STM_SUCCESS)
				return 0;
			continue;
		}
		F_CHECK(st == STM_SUCCESS);
		check_around(&ept, base);
		check_around(&ept, base + len);
		check_around(&ept, base + len / 2);
	}
	/* a fresh build agrees with the updated EPT at every view boundary */
	if (stm_rt_ept_build(&ept2, env.c, &cfg, pool2, NPOOL) == STM_SUCCESS) {
		for (pa = 0; pa < (1ull << BITS);) {
			stm_core_mem_span(env.c, pa, &next);
			check_around(&ept, pa);
			check_around(&ept2, pa);
			if (!next)
				break;
			pa = next;
		}
	}
	return 0;
}
