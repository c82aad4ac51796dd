// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Protection database: PROTECT/UNPROTECT semantics, enforcement, capacity. */
#include <stdlib.h>
#include "tests.h"

void test_unprotect_semantics(void)
{
	struct tenv e;
	uint8_t a[64], b[64], c[64], n[64];
	uint32_t la, lb, lc, l;

	tenv_init(&e, 1);
	tenv_launch(&e);
	tlog_start(&e, 4, STM_EVT_ENABLE_ALL);
	la = mk_mem(a, STM_MEM_RANGE, 0x300000, 0x3000, 3);	/* RW  [300000,303000) */
	lb = mk_mem(b, STM_MEM_RANGE, 0x302000, 0x2000, 1);	/* R   [302000,304000) */
	CHECK_ST(tprotect(&e, a, la), STM_SUCCESS);
	CHECK_ST(tprotect(&e, b, lb), STM_SUCCESS);
	CHECK_EQ(stm_core_mem_denied(e.c, 0x2FF000), 0);
	CHECK_EQ(stm_core_mem_denied(e.c, 0x300000), 3);
	CHECK_EQ(stm_core_mem_denied(e.c, 0x302000), 3);
	CHECK_EQ(stm_core_mem_denied(e.c, 0x303000), 1);
	CHECK_EQ(stm_core_mem_denied(e.c, 0x304000), 0);
	CHECK_EQ(stm_core_check_invariants(e.c), 0);

	/* unprotect A: its pages are re-granted even where B still applies */
	CHECK_ST(tunprotect(&e, a, la), STM_SUCCESS);
	CHECK_EQ(stm_core_prot_nodes(e.c), 1);
	CHECK_EQ(stm_core_mem_denied(e.c, 0x300000), 0);
	CHECK_EQ(stm_core_mem_denied(e.c, 0x302000), 0);	/* B registered, page open */
	CHECK_EQ(stm_core_mem_denied(e.c, 0x303000), 1);
	CHECK_EQ(stm_core_check_invariants(e.c), 0);

	/* unprotect of a node never granted: success, and still re-grants */
	lc = mk_mem(c, STM_MEM_RANGE, 0x303000, 0x1000, 1);
	CHECK_ST(tunprotect(&e, c, lc), STM_SUCCESS);
	CHECK_EQ(stm_core_prot_nodes(e.c), 1);			/* B not identical */
	CHECK_EQ(stm_core_mem_denied(e.c, 0x303000), 0);

	/* byte-identical match ignores the header flags */
	l = mk_mem(n, STM_MEM_RANGE, 0x302000, 0x2000, 1);
	((struct stm_rsc_desc_header *)n)->flags = STM_RSC_RETURN_STATUS;
	CHECK_ST(tunprotect(&e, n, l), STM_SUCCESS);
	CHECK_EQ(stm_core_prot_nodes(e.c), 0);

	/* duplicates: granted twice, one unprotect removes one copy */
	CHECK_ST(tprotect(&e, a, la), STM_SUCCESS);
	CHECK_ST(tprotect(&e, a, la), STM_SUCCESS);
	CHECK_EQ(stm_core_prot_nodes(e.c), 2);
	CHECK_ST(tunprotect(&e, a, la), STM_SUCCESS);
	CHECK_EQ(stm_core_prot_nodes(e.c), 1);
	CHECK_EQ(stm_core_mem_denied(e.c, 0x300000), 0);

	/* an ignored node deletes nothing and re-grants nothing */
	CHECK_ST(tprotect(&e, a, la), STM_SUCCESS);
	memcpy(n, a, la);
	((struct stm_rsc_desc_header *)n)->flags = STM_RSC_IGNORE_RESOURCE;
	CHECK_ST(tunprotect(&e, n, la), STM_SUCCESS);
	CHECK_EQ(stm_core_prot_nodes(e.c), 2);
	CHECK_EQ(stm_core_mem_denied(e.c, 0x300000), 3);

	/* UNPROTECT validation failure changes nothing */
	l = mk_mem(n, STM_MEM_RANGE, 0x300800, 0x1000, 3);
	{
		uint64_t d = stm_core_digest(e.c);

		CHECK_ST(tunprotect(&e, n, l), STM_ERROR_MALFORMED_RESOURCE_LIST);
		CHECK_EQ(stm_core_digest(e.c), d);
	}
	CHECK_EQ(stm_core_check_invariants(e.c), 0);
	tenv_free(&e);
}

void test_enforcement_io_msr_pci(void)
{
	static const uint8_t d3[] = { 3, 2 }, bridge[] = { 0x1C, 0, 0, 1 };
	struct tenv e;
	uint8_t n[256];
	uint32_t l = 0;

	tenv_init(&e, 1);
	tenv_launch(&e);
	l += mk_io(n + l, 0x3F8, 8);
	l += mk_io(n + l, 0xFFFC, 8);			/* runs past 0xFFFF */
	l += mk_msr(n + l, 0x10, ~0ull, 0, 0);		/* read only */
	l += mk_msr(n + l, 0xC0000080, 0, ~0ull, 0);	/* EFER write */
	l += mk_msr(n + l, 0x40000000, ~0ull, ~0ull, 0);	/* outside the bitmaps */
	l += mk_pci(n + l, 2, 2, 0, 0x1000, 1, d3);	/* 02:03.2 write */
	l += mk_pci(n + l, 0, 1, 0, 0x1000, 2, bridge);	/* behind a bridge, read */
	CHECK_ST(tprotect(&e, n, l), STM_SUCCESS);
	CHECK(!stm_core_io_denied(e.c, 0x3F7));
	CHECK(stm_core_io_denied(e.c, 0x3F8));
	CHECK(stm_core_io_denied(e.c, 0x3FF));
	CHECK(!stm_core_io_denied(e.c, 0x400));
	CHECK(stm_core_io_denied(e.c, 0xFFFF));
	CHECK(stm_core_msr_denied(e.c, 0x10, 0));
	CHECK(!stm_core_msr_denied(e.c, 0x10, 1));
	CHECK(!stm_core_msr_denied(e.c, 0xC0000080, 0));
	CHECK(stm_core_msr_denied(e.c, 0xC0000080, 1));
	CHECK(stm_core_msr_denied(e.c, 0x40000000, 0));
	CHECK(stm_core_msr_denied(e.c, 0x40000000, 1));
	CHECK_EQ(stm_core_pci_denied(e.c, 2, 3, 2), STM_RSC_PCI_CFG_W);
	CHECK_EQ(stm_core_pci_denied(e.c, 2, 3, 1), 0);
	CHECK_EQ(stm_core_pci_denied(e.c, 1, 3, 2), 0);
	/* multi-node path: function 00.1 on any bus (bridges not resolvable) */
	CHECK_EQ(stm_core_pci_denied(e.c, 5, 0, 1), STM_RSC_PCI_CFG_R);
	CHECK_EQ(stm_core_check_invariants(e.c), 0);
	CHECK_ST(tunprotect(&e, n, l), STM_SUCCESS);
	CHECK(!stm_core_io_denied(e.c, 0x3F8));
	CHECK(!stm_core_msr_denied(e.c, 0x10, 0));
	CHECK(!stm_core_msr_denied(e.c, 0x40000000, 1));
	CHECK_EQ(stm_core_pci_denied(e.c, 2, 3, 2), 0);
	CHECK_EQ(stm_core_pci_denied(e.c, 5, 0, 1), 0);
	CHECK_EQ(stm_core_prot_nodes(e.c), 0);
	CHECK_EQ(stm_core_check_invariants(e.c), 0);
	tenv_free(&e);
}

/* Pack `n` nodes made by mk(i) into pages at T_LIST_PA.. and PROTECT/UNPROTECT. */
static uint32_t tbig(struct tenv *e, uint32_t eax, uint32_t n,
		     uint32_t (*mk)(uint8_t *, uint32_t))
{
	uint8_t *nodes = malloc((size_t)n * 32 + 32);
	struct stm_list_page pages[STM_CORE_MAX_LIST_PAGES + 8];
	uint32_t i, len = 0, used = 0, st;

	for (i = 0; i < n; i++)
		len += mk(nodes + len, i);
	for (i = 0; i < STM_CORE_MAX_LIST_PAGES + 8; i++) {
		pages[i].pa = T_LIST_PA + i * 0x1000ull;
		pages[i].va = e->mem + pages[i].pa;
	}
	st = stm_pack_resource_list(nodes, len, pages, STM_CORE_MAX_LIST_PAGES + 8, &used);
	free(nodes);
	if (st != STM_SUCCESS)
		return st;
	return tcall(e, 0, eax, T_LIST_PA, 0).eax;
}

static uint32_t mk_io_i(uint8_t *b, uint32_t i)
{
	return mk_io(b, (uint16_t)i, 1);
}

static uint32_t mk_mem_i(uint8_t *b, uint32_t i)
{
	return mk_mem(b, STM_MEM_RANGE, 0x10000000ull + i * 0x2000ull, 0x1000, 7);
}

void test_protect_capacity(void)
{
	struct tenv e;
	uint64_t d;

	tenv_init(&e, 1);
	tenv_launch(&e);
	CHECK_ST(tbig(&e, STM_API_PROTECT_RESOURCE, STM_CORE_MAX_PROT_NODES - 1, mk_io_i),
		 STM_SUCCESS);
	CHECK_EQ(stm_core_prot_nodes(e.c), STM_CORE_MAX_PROT_NODES - 1);
	d = stm_core_digest(e.c);
	CHECK_ST(tbig(&e, STM_API_PROTECT_RESOURCE, 2, mk_io_i), STM_ERROR_OUT_OF_RESOURCES);
	CHECK_EQ(stm_core_digest(e.c), d);
	CHECK_ST(tbig(&e, STM_API_PROTECT_RESOURCE, 1, mk_io_i), STM_SUCCESS);
	CHECK_EQ(stm_core_prot_nodes(e.c), STM_CORE_MAX_PROT_NODES);
	/* remove all, then a full arena of 32-byte nodes (compaction needed) */
	CHECK_ST(tbig(&e, STM_API_UNPROTECT_RESOURCE, STM_CORE_MAX_PROT_NODES - 1, mk_io_i),
		 STM_SUCCESS);
	CHECK_ST(tbig(&e, STM_API_UNPROTECT_RESOURCE, 1, mk_io_i), STM_SUCCESS);
	CHECK_EQ(stm_core_prot_nodes(e.c), 0);
	CHECK_ST(tbig(&e, STM_API_PROTECT_RESOURCE, 16000, mk_mem_i), STM_SUCCESS);
	CHECK_EQ(stm_core_prot_nodes(e.c), 16000);
	CHECK_EQ(stm_core_mem_denied(e.c, 0x10000000ull + 15999 * 0x2000ull), 7);
	CHECK_EQ(stm_core_mem_denied(e.c, 0x10000000ull + 15999 * 0x2000ull + 0x1000), 0);
	CHECK_EQ(stm_core_check_invariants(e.c), 0);
	tenv_free(&e);
}

static uint32_t mk_hole_i(uint8_t *b, uint32_t i)
{
	static uint32_t round;

	if (i == 0)
		round++;
	return mk_mem(b, STM_MEM_RANGE,
		      0x40000000ull + ((uint64_t)(round - 1) * 16000 + i) * 0x2000ull,
		      0x1000, 7);
}

void test_interval_capacity(void)
{
	struct tenv e;
	uint8_t n[64];
	uint32_t st = STM_SUCCESS, rounds = 0;
	uint64_t d = 0;

	tenv_init(&e, 1);
	tenv_launch(&e);
	/* one huge range, then punch holes with UNPROTECT of nodes never granted */
	CHECK_ST(tprotect(&e, n, mk_mem(n, STM_MEM_RANGE, 0x40000000, 0x40000000, 7)),
		 STM_SUCCESS);
	while (st == STM_SUCCESS && rounds < 8) {
		d = stm_core_digest(e.c);
		st = tbig(&e, STM_API_UNPROTECT_RESOURCE, 16000, mk_hole_i);
		rounds++;
	}
	CHECK_ST(st, STM_ERROR_OUT_OF_RESOURCES);
	CHECK_EQ(rounds, 3);	/* 3 + 2 * 16000 * 2 < 65536 < 3 + 2 * 16000 * 3 */
	CHECK_EQ(stm_core_digest(e.c), d);
	CHECK_EQ(stm_core_mem_denied(e.c, 0x40000000), 0);
	CHECK_EQ(stm_core_mem_denied(e.c, 0x40001000), 7);
	CHECK_EQ(stm_core_prot_nodes(e.c), 1);
	tenv_free(&e);
}
