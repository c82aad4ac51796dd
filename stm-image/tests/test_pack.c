// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* MLE-side list packer. */
#include <stdlib.h>
#include "tests.h"

static void mkpages(struct stm_list_page *p, uint32_t n, uint8_t *base, uint64_t pa)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		p[i].va = base + i * 0x1000ull;
		p[i].pa = pa + i * 0x1000ull;
	}
}

void test_pack_layout(void)
{
	uint8_t *nodes = calloc(1, 65536), *mem = calloc(1, 16 * 4096);
	struct stm_list_page pg[16];
	struct stm_rsc_end *end;
	uint32_t i, l = 0, used;

	mkpages(pg, 16, mem, 0x200000);
	for (i = 0; i < 300; i++)
		l += mk_mem(nodes + l, STM_MEM_RANGE, i * 0x1000ull, 0x1000, 7);
	CHECK_EQ(stm_pack_pages_needed(nodes, l), 3);	/* 127 + 127 + 46 */
	memset(mem, 0xEE, 16 * 4096);
	CHECK_ST(stm_pack_resource_list(nodes, l, pg, 16, &used), STM_SUCCESS);
	CHECK_EQ(used, 3);
	end = (struct stm_rsc_end *)(mem + 127 * 32);
	CHECK_EQ(end->hdr.rsc_type, 0);
	CHECK_EQ(end->hdr.length, 16);
	CHECK_EQ(end->resource_list_continuation, 0x201000);
	CHECK_EQ(mem[4095], 0);				/* tail zeroed */
	CHECK(!memcmp(mem + 4096, nodes + 127 * 32, 127 * 32));
	end = (struct stm_rsc_end *)(mem + 2 * 4096 + 46 * 32);
	CHECK_EQ(end->resource_list_continuation, 0);
	CHECK_EQ(mem[3 * 4096], 0xEE);			/* unused page untouched */
	/* IO descriptors: 254 per page */
	for (i = 0, l = 0; i < 255; i++)
		l += mk_io(nodes + l, (uint16_t)i, 1);
	CHECK_EQ(stm_pack_pages_needed(nodes, l), 2);
	CHECK_ST(stm_pack_resource_list(nodes, l, pg, 16, &used), STM_SUCCESS);
	end = (struct stm_rsc_end *)(mem + 254 * 16);
	CHECK_EQ(end->resource_list_continuation, 0x201000);
	/* empty list: one page with END */
	CHECK_EQ(stm_pack_pages_needed(nodes, 0), 1);
	CHECK_ST(stm_pack_resource_list(nodes, 0, pg, 1, &used), STM_SUCCESS);
	CHECK_EQ(((struct stm_rsc_end *)mem)->hdr.length, 16);
	/* errors */
	CHECK_ST(stm_pack_resource_list(nodes, l, pg, 1, &used), STM_ERROR_BUFFER_TOO_SMALL);
	CHECK_EQ(used, 2);
	CHECK_ST(stm_pack_resource_list(nodes, 20, pg, 16, &used),
		 STM_ERROR_MALFORMED_RESOURCE_LIST);
	((struct stm_rsc_desc_header *)nodes)->length = 0;
	CHECK_ST(stm_pack_resource_list(nodes, l, pg, 16, &used),
		 STM_ERROR_MALFORMED_RESOURCE_LIST);
	CHECK_EQ(stm_pack_pages_needed(nodes, l), 0);
	mk_end(nodes, 0);
	CHECK_ST(stm_pack_resource_list(nodes, 16, pg, 16, &used),
		 STM_ERROR_MALFORMED_RESOURCE_LIST);
	mk_io(nodes, 1, 1);
	pg[0].pa += 8;
	CHECK_ST(stm_pack_resource_list(nodes, 16, pg, 16, &used), STM_ERROR_INVALID_PARAMETER);
	free(nodes);
	free(mem);
}

void test_pack_roundtrip(void)
{
	struct tenv e;
	uint8_t *nodes = calloc(1, 65536);
	struct stm_list_page pg[8];
	uint32_t i, l = 0, used;
	static const uint8_t d[] = { 2, 0 };

	tenv_init(&e, 1);
	tenv_launch(&e);
	for (i = 0; i < 200; i++)
		l += mk_mem(nodes + l, i & 1 ? STM_MMIO_RANGE : STM_MEM_RANGE,
			    0x300000 + i * 0x2000ull, 0x1000, 7);
	for (i = 0; i < 150; i++)
		l += mk_pci(nodes + l, (uint8_t)(i + 1), 3, 0, 0x1000, 1, d);
	for (i = 0; i < 100; i++)
		l += mk_msr(nodes + l, 0x800 + i, ~0ull, 0, 0);
	mkpages(pg, 8, e.mem + T_LIST_PA, T_LIST_PA);
	CHECK_ST(stm_pack_resource_list(nodes, l, pg, 8, &used), STM_SUCCESS);
	CHECK_ST(tcall(&e, 0, STM_API_PROTECT_RESOURCE, T_LIST_PA, 0).eax, STM_SUCCESS);
	CHECK_EQ(stm_core_prot_nodes(e.c), 450);
	CHECK_EQ(stm_core_compat_violations(e.c), 0);
	CHECK_EQ(stm_core_pci_denied(e.c, 150, 2, 0), 3);
	CHECK(stm_core_msr_denied(e.c, 0x800 + 99, 0));
	CHECK_EQ(stm_core_check_invariants(e.c), 0);
	CHECK_ST(tcall(&e, 0, STM_API_UNPROTECT_RESOURCE, T_LIST_PA, 0).eax, STM_SUCCESS);
	CHECK_EQ(stm_core_prot_nodes(e.c), 0);
	tenv_free(&e);
	free(nodes);
}
