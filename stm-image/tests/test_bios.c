// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* GET_BIOS_RESOURCES paging and the VMCS database. */
#include <stdlib.h>
#include "tests.h"

/* 127 MEM (4064) + IO (4080) + MEM at 4080..4112 straddling page 0/1 + more */
static uint32_t bios_big(uint8_t *b)
{
	uint32_t i, l = 0;

	for (i = 0; i < 127; i++)
		l += mk_mem(b + l, STM_MEM_RANGE, 0x80000000ull + i * 0x10000ull, 0x800, 3);
	l += mk_io(b + l, 0xCF8, 8);
	l += mk_mem(b + l, STM_MMIO_RANGE, 0xFED00000, 0x1000, 3);	/* straddles */
	for (i = 0; i < 10; i++)
		l += mk_msr(b + l, 0x100 + i, ~0ull, 0, 1);
	return l;
}

void test_get_bios_paging(void)
{
	struct tenv e;
	uint8_t *b = calloc(1, 16384), *got = calloc(1, 16384);
	uint32_t l = bios_big(b), off = 0, nodes = 0;
	struct stm_regs r;
	struct stm_rsc_end *end;

	CHECK(l > 4096 && l < 8192 - 16);
	tenv_init(&e, 1);
	tenv_set_bios(&e, b, l);
	tenv_launch(&e);
	memset(e.mem + T_BUF_PA, 0xAA, 0x3000);
	r = tcall(&e, 0, STM_API_GET_BIOS_RESOURCES, T_BUF_PA, 0);
	CHECK_ST(r.eax, STM_SUCCESS);
	CHECK_EQ(r.edx, 1);
	memcpy(got, e.mem + T_BUF_PA, 4096);
	r = tcall(&e, 0, STM_API_GET_BIOS_RESOURCES, T_BUF_PA + 0x1000, 1);
	CHECK_ST(r.eax, STM_SUCCESS);
	CHECK_EQ(r.edx, 0);		/* that was the last page */
	memcpy(got + 4096, e.mem + T_BUF_PA + 0x1000, 4096);
	r = tcall(&e, 0, STM_API_GET_BIOS_RESOURCES, T_BUF_PA, 2);
	CHECK_ST(r.eax, STM_ERROR_PAGE_NOT_FOUND);
	CHECK_EQ(r.edx, 0);
	r = tcall(&e, 0, STM_API_GET_BIOS_RESOURCES, T_BUF_PA, 0xFFFFFFFF);
	CHECK_ST(r.eax, STM_ERROR_PAGE_NOT_FOUND);
	/* concatenated pages = the list + END (continuation 0), zero padded */
	CHECK(!memcmp(got, b, l));
	end = (struct stm_rsc_end *)(got + l);
	CHECK_EQ(end->hdr.rsc_type, STM_END_OF_RESOURCES);
	CHECK_EQ(end->hdr.length, 16);
	CHECK_EQ(end->resource_list_continuation, 0);
	CHECK_EQ(got[l + 16], 0);
	CHECK_EQ(got[8191], 0);
	/* parse the concatenation: the straddling MMIO node is intact */
	while (((struct stm_rsc_desc_header *)(got + off))->rsc_type != STM_END_OF_RESOURCES) {
		if (off == 4080) {
			struct stm_rsc_mem_desc *m = (struct stm_rsc_mem_desc *)(got + off);

			CHECK_EQ(m->hdr.rsc_type, STM_MMIO_RANGE);
			CHECK_EQ(m->base, 0xFED00000);
			CHECK_EQ(m->length, 0x1000);
		}
		off += ((struct stm_rsc_desc_header *)(got + off))->length;
		nodes++;
	}
	CHECK_EQ(nodes, 127 + 1 + 1 + 10);
	CHECK_EQ(stm_core_compat_violations(e.c), 0);
	tenv_free(&e);
	free(b);
	free(got);
}

void test_get_bios_continuations(void)
{
	struct tenv e;
	uint8_t b[256];
	uint32_t l1, l2;
	struct stm_regs r;
	const uint8_t *got;

	tenv_init(&e, 1);
	l1 = mk_io(b, 0x60, 1);
	twrite_list(&e, T_BIOS_PA, b, l1, T_BIOS_PA + 0x2000);
	l2 = mk_io(b + l1, 0x64, 1);
	l2 += mk_tio(b + l1 + l2, 0xB2, 2, 3);
	twrite_list(&e, T_BIOS_PA + 0x2000, b + l1, l2, T_BIOS_PA + 0x3000);
	twrite_list(&e, T_BIOS_PA + 0x3000, NULL, 0, 0);	/* empty last piece */
	tenv_launch(&e);
	r = tcall(&e, 0, STM_API_GET_BIOS_RESOURCES, T_BUF_PA, 0);
	CHECK_ST(r.eax, STM_SUCCESS);
	CHECK_EQ(r.edx, 0);
	got = e.mem + T_BUF_PA;
	CHECK(!memcmp(got, b, l1 + l2));
	CHECK_EQ(((const struct stm_rsc_end *)(got + l1 + l2))->resource_list_continuation, 0);
	CHECK_EQ(((const struct stm_rsc_end *)(got + l1 + l2))->hdr.length, 16);
	/* the flattened list is what PROTECT checks against */
	CHECK_ST(tprotect(&e, b, mk_io(b, 0x64, 1)), STM_ERROR_UNPROTECTABLE_RESOURCE);
	/* the snapshot is private: later BIOS changes do not matter */
	twrite_list(&e, T_BIOS_PA, NULL, 0, 0);
	CHECK_ST(tprotect(&e, b, mk_io(b, 0x64, 1)), STM_ERROR_UNPROTECTABLE_RESOURCE);
	tenv_free(&e);

	/* an empty BIOS list (pointer 0): one page with just END */
	tenv_init(&e, 1);
	e.c->plat.bios_list_pa = 0;
	tenv_launch(&e);
	r = tcall(&e, 0, STM_API_GET_BIOS_RESOURCES, T_BUF_PA, 0);
	CHECK_ST(r.eax, STM_SUCCESS);
	CHECK_EQ(r.edx, 0);
	CHECK_EQ(((const struct stm_rsc_end *)(e.mem + T_BUF_PA))->hdr.length, 16);
	tenv_free(&e);

	/* BIOS list with a continuation cycle: bounded, not a hang */
	tenv_init(&e, 1);
	l1 = mk_io(b, 0x60, 1);
	twrite_list(&e, T_BIOS_PA, b, l1, T_BIOS_PA);
	CHECK_ST(tcall(&e, 0, STM_API_INITIALIZE_PROTECTION, 0, 0).eax,
		 STM_ERROR_OUT_OF_RESOURCES);
	twrite_list(&e, T_BIOS_PA, NULL, 0, T_BIOS_PA);	/* END-only cycle */
	CHECK_ST(tcall(&e, 0, STM_API_GET_BIOS_RESOURCES, T_BUF_PA, 0).eax,
		 STM_ERROR_OUT_OF_RESOURCES);
	tenv_free(&e);
}

void test_get_bios_address_checks(void)
{
	struct tenv e;
	struct stm_regs r;
	uint64_t below_mseg = T_TSEG_BASE - 0x1000;

	tenv_init(&e, 1);
	tenv_launch(&e);
	CHECK_ST(tcall(&e, 0, STM_API_GET_BIOS_RESOURCES, T_MSEG_BASE, 0).eax,
		 STM_ERROR_SECURITY_VIOLATION);
	CHECK_ST(tcall(&e, 0, STM_API_GET_BIOS_RESOURCES, T_TSEG_BASE + 0x1000, 0).eax,
		 STM_ERROR_SECURITY_VIOLATION);
	/* quirk: (EDX + 1) pages are checked although one page is written */
	r = tcall(&e, 0, STM_API_GET_BIOS_RESOURCES, below_mseg, 0);
	CHECK_ST(r.eax, STM_SUCCESS);
	r = tcall(&e, 0, STM_API_GET_BIOS_RESOURCES, below_mseg, 1);
	CHECK_ST(r.eax, STM_ERROR_SECURITY_VIOLATION);
	CHECK_EQ(r.edx, 1);			/* EDX untouched on this error */
	CHECK_ST(tcall(&e, 0, STM_API_GET_BIOS_RESOURCES, 1ull << T_BITS, 0).eax,
		 STM_ERROR_SECURITY_VIOLATION);
	/* unmappable destination */
	CHECK_ST(tcall(&e, 0, STM_API_GET_BIOS_RESOURCES, 0x7000000000ull, 0).eax,
		 STM_ERROR_SECURITY_VIOLATION);
	CHECK_EQ(stm_core_compat_violations(e.c), 0);
	CHECK_ST(tcall(&e, 0, STM_API_GET_BIOS_RESOURCES, T_BUF_PA + 8, 0).eax, STM_SUCCESS);
	CHECK_EQ(stm_core_compat_count(e.c, STM_COMPAT_BUFFER_UNALIGNED), 1);
	tenv_free(&e);
}

static uint32_t vdb(struct tenv *e, uint64_t ptr, uint32_t policy, uint32_t op)
{
	struct stm_vmcs_database_request *q =
		(struct stm_vmcs_database_request *)(e->mem + T_BUF_PA);

	q->vmcs_phys_pointer = ptr;
	q->policy = policy;
	q->add_or_remove = op;
	return tcall(e, 0, STM_API_MANAGE_VMCS_DATABASE, T_BUF_PA, 0).eax;
}

void test_vmcsdb(void)
{
	struct tenv e;
	uint32_t dt = 9, xs = 9, dg = 9;
	uint64_t d;

	tenv_init(&e, 1);
	e.c->vmcsdb_cap = 2;
	tenv_launch(&e);
	CHECK_EQ(stm_core_vmcs_lookup(e.c, 0x5000, &dt, &xs, &dg), 0);
	CHECK_EQ(dt, STM_DOMAIN_UNPROTECTED);
	CHECK_EQ(xs, STM_XSTATE_READWRITE);
	CHECK_ST(vdb(&e, 0x5000, STM_DOMAIN_FULLY_PROT | (STM_XSTATE_SCRUB << 4) |
		     (STM_DOMAIN_INTEGRITY << 6), STM_VMCS_DATABASE_REQUEST_ADD), STM_SUCCESS);
	CHECK_EQ(stm_core_vmcs_lookup(e.c, 0x5000, &dt, &xs, &dg), 1);
	CHECK_EQ(dt, STM_DOMAIN_FULLY_PROT);
	CHECK_EQ(xs, STM_XSTATE_SCRUB);
	CHECK_EQ(dg, STM_DOMAIN_INTEGRITY);
	d = stm_core_digest(e.c);
	CHECK_ST(vdb(&e, 0x6000, 0x400, 1), STM_ERROR_INVALID_PARAMETER);	/* Reserved1 */
	CHECK_ST(vdb(&e, 0x6000, 0, 2), STM_ERROR_INVALID_PARAMETER);	/* AddOrRemove */
	CHECK_ST(vdb(&e, 0x6000, 0, 0), STM_ERROR_INVALID_VMCS_DATABASE);	/* not found */
	CHECK_EQ(stm_core_digest(e.c), d);
	CHECK_EQ(stm_core_compat_violations(e.c), 0);
	CHECK_ST(vdb(&e, 0x5000, 0, 1), STM_SUCCESS);			/* duplicate */
	CHECK_EQ(stm_core_compat_count(e.c, STM_COMPAT_VMCSDB_DUPLICATE), 1);
	d = stm_core_digest(e.c);
	CHECK_ST(vdb(&e, 0x7000, 0, 1), STM_ERROR_INVALID_VMCS_DATABASE);	/* full */
	CHECK_EQ(stm_core_digest(e.c), d);
	CHECK_ST(vdb(&e, 0x5000, 0, 0), STM_SUCCESS);	/* removes the first */
	CHECK_EQ(stm_core_vmcs_lookup(e.c, 0x5000, &dt, NULL, NULL), 1);
	CHECK_EQ(dt, 0);				/* the duplicate remains */
	CHECK_ST(vdb(&e, 0x7001, 0, 1), STM_SUCCESS);
	CHECK_EQ(stm_core_compat_count(e.c, STM_COMPAT_VMCSDB_UNALIGNED), 1);
	CHECK_ST(tcall(&e, 0, STM_API_MANAGE_VMCS_DATABASE, T_TSEG_BASE, 0).eax,
		 STM_ERROR_SECURITY_VIOLATION);
	CHECK_ST(tcall(&e, 0, STM_API_MANAGE_VMCS_DATABASE, T_MSEG_BASE - 8, 0).eax,
		 STM_ERROR_SECURITY_VIOLATION);
	CHECK_EQ(stm_core_check_invariants(e.c), 0);
	tenv_free(&e);
}
