/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Shared fake platform for the libFuzzer targets: a small physical memory
 * arena (identity accessor, NULL outside), with TSEG/MSEG inside it.
 */
#ifndef STM_FUZZ_COMMON_H
#define STM_FUZZ_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include "core_priv.h"
#include "rsc_build.h"

#define F_MEM_BASE	0x100000ull		/* arena covers [1 MiB, 1 MiB + F_MEM_SIZE) */
#define F_MEM_SIZE	(96u * 4096u)
#define F_TSEG_BASE	(F_MEM_BASE + 64 * 4096ull)	/* last 32 pages */
#define F_TSEG_SIZE	(32 * 4096ull)
#define F_MSEG_BASE	(F_MEM_BASE + 88 * 4096ull)
#define F_MSEG_SIZE	(8 * 4096ull)
#define F_BIOS_PA	(F_MEM_BASE + 64 * 4096ull)	/* inside TSEG */
#define F_NCPUS		3u

struct fenv {
	uint8_t *mem;
	struct stm_platform p;
	struct stm_core *c;
	uint64_t size;
};

static void *f_map(void *ctx, uint64_t pa, uint64_t len)
{
	struct fenv *e = (struct fenv *)ctx;

	if (pa < F_MEM_BASE || pa - F_MEM_BASE >= F_MEM_SIZE ||
	    len > F_MEM_SIZE - (pa - F_MEM_BASE))
		return NULL;
	return e->mem + (pa - F_MEM_BASE);
}

static void f_unmap(void *ctx, void *va, uint64_t len)
{
	(void)ctx;
	(void)va;
	(void)len;
}

static const struct stm_mem_ops f_ops = { f_map, f_unmap };

static void fenv_setup(struct fenv *e)
{
	if (!e->mem) {
		e->mem = (uint8_t *)calloc(1, F_MEM_SIZE);
		e->p.mem = &f_ops;
		e->p.mem_ctx = e;
		e->p.ncpus = F_NCPUS;
		e->p.phys_addr_bits = 36;
		e->p.mseg_base = F_MSEG_BASE;
		e->p.mseg_size = F_MSEG_SIZE;
		e->p.tseg_base = F_TSEG_BASE;
		e->p.tseg_size = F_TSEG_SIZE;
		e->p.bios_list_pa = F_BIOS_PA;
		e->p.vmcsdb_capacity = 8;
		e->size = stm_core_size(&e->p);
		e->c = (struct stm_core *)malloc(e->size);
		if (!e->mem || !e->c)
			abort();
	}
	memset(e->mem, 0, F_MEM_SIZE);
	if (stm_core_init(e->c, &e->p) != 0)
		abort();
}

static uint8_t *f_va(struct fenv *e, uint64_t pa)
{
	return e->mem + (pa - F_MEM_BASE);
}

static struct stm_regs f_call(struct fenv *e, uint32_t cpu, uint32_t eax,
			      uint64_t addr, uint32_t edx)
{
	struct stm_regs r;

	r.eax = eax;
	r.ebx = (uint32_t)addr;
	r.ecx = (uint32_t)(addr >> 32);
	r.edx = edx;
	r.cf = 7;
	stm_core_vmcall(e->c, cpu, 0x1000, &r);
	if (r.cf != (r.eax != 0))
		abort();
	return r;
}

/* a small valid BIOS list: TSEG RWX, I/O 0x60-0x64, SMI port, an MSR */
static void f_std_bios(struct fenv *e)
{
	uint8_t *p = f_va(e, F_BIOS_PA);
	uint32_t l = 0;

	l += mk_mem(p + l, STM_MEM_RANGE, F_TSEG_BASE, F_TSEG_SIZE, 7);
	l += mk_io(p + l, 0x60, 5);
	l += mk_msr(p + l, 0x1A0, ~0ull, 0, 0);
	mk_end(p + l, 0);
}

#define F_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
		abort(); \
	} \
} while (0)

#endif
