// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Overlap of MLE requests with the BIOS list (sec. 5.5). */
#include <stdlib.h>
#include "tests.h"
#include "naive.h"

#define UNP STM_ERROR_UNPROTECTABLE_RESOURCE
#define OK STM_SUCCESS

static uint32_t bios_std(uint8_t *b)
{
	static const uint8_t lpc[] = { 0x1F, 0 };
	uint32_t l = 0;

	l += mk_mem(b + l, STM_MEM_RANGE, 0x100000, 0x100000, 3);	/* RW */
	l += mk_mem(b + l, STM_MMIO_RANGE, 0xFED00000, 0x1000, 3);
	l += mk_io(b + l, 0x60, 5);
	l += mk_msr(b + l, 0x1A0, ~0ull, 0, 0);
	l += mk_pci(b + l, 0, 3, 0, 0x100, 1, lpc);
	l += mk_tio(b + l, 0xB2, 2, 3);
	return l;
}

struct ocase {
	const char *name;
	uint32_t (*mk)(uint8_t *b);
	uint32_t want;
};

static const uint8_t d1f0[] = { 0x1F, 0 }, d1f1[] = { 0x1F, 1 };
static const uint8_t d1f0_00[] = { 0x1F, 0, 0, 0 };
static uint32_t o1(uint8_t *b) { return mk_mem(b, STM_MEM_RANGE, 0x1FF000, 0x1000, 1); }
static uint32_t o2(uint8_t *b) { return mk_mem(b, STM_MEM_RANGE, 0x1FF000, 0x1000, 4); }
static uint32_t o3(uint8_t *b) { return mk_mem(b, STM_MEM_RANGE, 0x200000, 0x1000, 7); }
static uint32_t o4(uint8_t *b) { return mk_mem(b, STM_MEM_RANGE, 0xFF000, 0x1000, 7); }
static uint32_t o5(uint8_t *b) { return mk_mem(b, STM_MMIO_RANGE, 0x100000, 0x1000, 3); }
static uint32_t o6(uint8_t *b) { return mk_mem(b, STM_MEM_RANGE, 0xFED00000, 0x1000, 2); }
static uint32_t o7(uint8_t *b) { return mk_mem(b, STM_MMIO_RANGE, 0xFED00000, 0x1000, 2); }
static uint32_t o8(uint8_t *b) { return mk_mem(b, STM_MEM_RANGE, 0xF0000, 0x200000, 2); }
static uint32_t o9(uint8_t *b) { return mk_io(b, 0x64, 1); }
static uint32_t o10(uint8_t *b) { return mk_io(b, 0x65, 10); }
static uint32_t o11(uint8_t *b) { return mk_io(b, 0x5F, 1); }
static uint32_t o12(uint8_t *b) { return mk_io(b, 0x50, 0x11); }
static uint32_t o13(uint8_t *b) { return mk_msr(b, 0x1A0, ~0ull, 0, 0); }
static uint32_t o14(uint8_t *b) { return mk_msr(b, 0x1A0, 0, ~0ull, 0); }
static uint32_t o15(uint8_t *b) { return mk_msr(b, 0x1A1, ~0ull, ~0ull, 0); }
static uint32_t o16(uint8_t *b) { return mk_pci(b, 0, 2, 0, 0x1000, 1, d1f0); }
static uint32_t o17(uint8_t *b) { return mk_pci(b, 0, 3, 0, 0x1000, 1, d1f1); }
static uint32_t o18(uint8_t *b) { return mk_pci(b, 1, 3, 0, 0x1000, 1, d1f0); }
static uint32_t o19(uint8_t *b) { return mk_pci(b, 0, 3, 0, 0x1000, 2, d1f0_00); }
static uint32_t o20(uint8_t *b) { return mk_all(b); }
static uint32_t o21(uint8_t *b)
{
	uint32_t l = mk_mem(b, STM_MEM_RANGE, 0x100000, 0x1000, 7);

	((struct stm_rsc_desc_header *)b)->flags = STM_RSC_IGNORE_RESOURCE;
	return l;
}
static uint32_t o22(uint8_t *b) { return mk_pci(b, 0, 0, 0, 0x1000, 1, d1f0); }
static uint32_t o23(uint8_t *b) { return mk_mem(b, STM_MEM_RANGE, 0x1FF000, 0x1000, 0); }

static const struct ocase ocases[] = {
	{ "MEM last page, R vs RW", o1, UNP },
	{ "MEM last page, X vs RW (RWX disjoint)", o2, OK },
	{ "MEM adjacent above", o3, OK },
	{ "MEM adjacent below", o4, OK },
	{ "MMIO vs BIOS MEM (other type)", o5, OK },
	{ "MEM vs BIOS MMIO (other type)", o6, OK },
	{ "MMIO vs BIOS MMIO", o7, UNP },
	{ "MEM covering the BIOS range", o8, UNP },
	{ "IO inside", o9, UNP },
	{ "IO adjacent above", o10, OK },
	{ "IO adjacent below", o11, OK },
	{ "IO covering", o12, UNP },
	{ "MSR read vs read", o13, UNP },
	{ "MSR write vs read-only", o14, OK },
	{ "MSR other index", o15, OK },
	{ "PCI same function, W", o16, UNP },
	{ "PCI other function", o17, OK },
	{ "PCI other bus", o18, OK },
	{ "PCI longer path", o19, OK },
	{ "ALL vs no BIOS ALL", o20, OK },
	{ "ignored MEM", o21, OK },
	{ "PCI RW 0", o22, OK },
	{ "MEM RWX 0", o23, OK },
};

void test_overlap_rules(void)
{
	uint8_t bios[512];
	uint32_t bl = bios_std(bios);
	size_t i;

	for (i = 0; i < sizeof(ocases) / sizeof(ocases[0]); i++) {
		struct tenv e;
		uint8_t n[64];
		uint32_t l, st;
		uint64_t d;

		tenv_init(&e, 1);
		tenv_set_bios(&e, bios, bl);
		tenv_launch(&e);
		l = ocases[i].mk(n);
		d = stm_core_digest(e.c);
		st = tprotect(&e, n, l);
		if (st != ocases[i].want) {
			printf("#   '%s': got %s want %s\n", ocases[i].name,
			       stm_status_name(st), stm_status_name(ocases[i].want));
			t_failed++;
		}
		/* the oracle agrees */
		CHECK_EQ(naive_overlap_node(e.c->bios.flat, n), ocases[i].want == UNP);
		CHECK_EQ(stm_overlap_node(&e.c->bios, n), ocases[i].want == UNP);
		if (st != OK)
			CHECK_EQ(stm_core_digest(e.c), d);
		tenv_free(&e);
	}
}

void test_overlap_all_resources(void)
{
	struct tenv e;
	uint8_t b[64];
	uint32_t l;

	tenv_init(&e, 1);
	l = mk_all(b);
	tenv_set_bios(&e, b, l);
	tenv_launch(&e);
	CHECK_ST(tprotect(&e, b, l), UNP);
	/* ALL only overlaps ALL */
	CHECK_ST(tprotect(&e, b, mk_io(b, 0x80, 1)), OK);
	tenv_free(&e);
}

void test_protect_all_or_nothing(void)
{
	struct tenv e;
	uint8_t bios[512], n[256];
	uint32_t l = 0, before;
	uint64_t d;

	tenv_init(&e, 1);
	tenv_set_bios(&e, bios, bios_std(bios));
	tenv_launch(&e);
	tlog_start(&e, 1, STM_EVT_ENABLE_ALL);
	l += mk_mem(n + l, STM_MEM_RANGE, 0x300000, 0x1000, 7);
	l += mk_io(n + l, 0x80, 1);
	l += mk_io(n + l, 0x60, 1);			/* overlaps the BIOS list */
	d = stm_core_digest(e.c);
	before = stm_core_log_serial(e.c);
	CHECK_ST(tprotect(&e, n, l), UNP);
	CHECK_EQ(stm_core_digest(e.c), d);
	CHECK_EQ(stm_core_prot_nodes(e.c), 0);
	CHECK_EQ(stm_core_mem_denied(e.c, 0x300000), 0);
	CHECK_EQ(stm_core_io_denied(e.c, 0x80), 0);
	/* only the failure itself was logged */
	CHECK_EQ(stm_core_log_serial(e.c), before + 1);
	CHECK_EQ(tlog_slot(&e, 1)->hdr.type, STM_EVT_LOG_INVALID_PARAMETER_DETECTED);
	tenv_free(&e);
}

/* ---- randomized: indexed vs naive ---- */

static uint64_t rs = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (uint32_t)rs;
}

static uint32_t rnd_node(uint8_t *b, int bios)
{
	static const uint8_t paths[4][4] = { { 1, 0, 0, 0 }, { 1, 1, 0, 0 },
					      { 2, 0, 0, 0 }, { 1, 0, 3, 1 } };
	uint32_t t = rnd() % 8, l;
	uint64_t base = (uint64_t)(rnd() % 64) << 12;

	switch (t) {
	case 0:
	case 1:
		l = mk_mem(b, t ? STM_MMIO_RANGE : STM_MEM_RANGE,
			   bios ? base + (rnd() % 4096) : base,
			   bios ? 1 + rnd() % 0x8000 : (1 + rnd() % 8) * 0x1000ull, rnd() % 8);
		break;
	case 2:
		l = mk_io(b, (uint16_t)(rnd() % 256), (uint16_t)(1 + rnd() % 16));
		break;
	case 3:
		l = mk_msr(b, rnd() % 8, (rnd() & 1) ? ~0ull : (bios ? rnd() % 4 : 0),
			   (rnd() & 1) ? ~0ull : (bios ? rnd() % 4 : 0), 0);
		break;
	case 4: {
		uint32_t p = rnd() % 4;

		l = mk_pci(b, (uint8_t)(rnd() % 2), (uint16_t)(rnd() % 4),
			   bios ? (uint16_t)(rnd() % 0x100) : 0,
			   bios ? (uint16_t)(1 + rnd() % 0x100) : 0x1000,
			   p == 3 ? 2 : 1, paths[p]);
		break;
	}
	case 5:
		l = mk_tio(b, (uint16_t)(rnd() % 256), (uint16_t)(1 + rnd() % 8), 1);
		break;
	case 6:
		if (rnd() % 8)
			return rnd_node(b, bios);
		l = mk_all(b);
		break;
	default:
		l = mk_io(b, (uint16_t)(0xFFF0 + rnd() % 16), (uint16_t)(1 + rnd() % 64));
		break;
	}
	if (rnd() % 16 == 0)
		((struct stm_rsc_desc_header *)b)->flags |= STM_RSC_IGNORE_RESOURCE;
	return l;
}

void test_overlap_random_vs_naive(void)
{
	struct stm_bios *b = calloc(1, sizeof(*b));
	uint32_t round, mism = 0, hits = 0, total = 0;

	for (round = 0; round < 200; round++) {
		uint32_t n = 1 + rnd() % 120, i, off = 0;

		for (i = 0; i < n; i++)
			off += rnd_node(b->flat + off, 1);
		off += mk_end(b->flat + off, 0);
		b->len = off;
		CHECK_ST(stm_overlap_build(b), STM_SUCCESS);
		for (i = 0; i < 200; i++) {
			uint8_t node[64];
			int a, o;

			rnd_node(node, 0);
			a = stm_overlap_node(b, node);
			o = naive_overlap_node(b->flat, node);
			hits += o;
			total++;
			if (a != o && mism++ < 5) {
				printf("#   mismatch: indexed %d naive %d, type %u\n", a, o,
				       ((struct stm_rsc_desc_header *)node)->rsc_type);
			}
		}
	}
	CHECK_EQ(mism, 0);
	/* the generator must exercise both answers */
	CHECK(hits > total / 10 && hits < total - total / 10);
	printf("#   %u random queries, %u overlapping, %u mismatches\n", total, hits, mism);
	free(b);
}
