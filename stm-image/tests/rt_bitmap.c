// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* I/O and MSR bitmaps against the core's enforcement view. */
#include <stdlib.h>
#include "rt_tests.h"

static const uint32_t always_rw[] = {
	STM_MSR_IA32_EFER, STM_MSR_IA32_SYSENTER_CS, STM_MSR_IA32_SYSENTER_ESP,
	STM_MSR_IA32_SYSENTER_EIP, STM_MSR_IA32_FS_BASE, STM_MSR_IA32_GS_BASE,
};
static const uint32_t always_w[] = {
	STM_MSR_IA32_SMM_MONITOR_CTL, STM_MSR_IA32_SMRR_PHYSBASE,
	STM_MSR_IA32_SMRR_PHYSMASK, STM_MSR_IA32_BIOS_UPDT_TRIG,
};

static int always_trapped(uint32_t msr, int write)
{
	size_t i;

	for (i = 0; i < sizeof(always_rw) / sizeof(always_rw[0]); i++)
		if (always_rw[i] == msr)
			return 1;
	for (i = 0; write && i < sizeof(always_w) / sizeof(always_w[0]); i++)
		if (always_w[i] == msr)
			return 1;
	return 0;
}

static int pci_port(uint32_t p)
{
	return p == 0xCF8 || (p >= 0xCFC && p <= 0xCFF);
}

/* every port: exit iff denied by the core (or PCI CF8/CFC while PCI is protected) */
static void check_io(struct tenv *e, const uint8_t *bm, int pci)
{
	uint32_t p, bad = 0;

	for (p = 0; p < 0x10000; p++) {
		int want = stm_core_io_denied(e->c, (uint16_t)p) || (pci && pci_port(p));

		if (stm_rt_io_bitmap_exits(bm, (uint16_t)p, 1) != want)
			bad++;
	}
	CHECK_EQ(bad, 0);
}

/* every MSR of both bitmap ranges, both directions */
static void check_msr(struct tenv *e, const uint8_t *bm)
{
	uint32_t i, w, bad = 0;

	for (w = 0; w < 2; w++) {
		for (i = 0; i < 0x4000; i++) {
			uint32_t msr = i < 0x2000 ? i : 0xC0000000u + (i - 0x2000);
			int want = stm_core_msr_denied(e->c, msr, (int)w) ||
				   always_trapped(msr, (int)w);

			if (stm_rt_msr_bitmap_exits(bm, msr, (int)w) != want)
				bad++;
		}
	}
	CHECK_EQ(bad, 0);
}

void test_rt_io_bitmap(void)
{
	static const uint8_t d3[] = { 3, 2 };
	struct tenv e;
	uint8_t n[256], *bm = calloc(1, STM_IO_BITMAP_BYTES);
	uint32_t l = 0;

	tenv_init(&e, 1);
	tenv_launch(&e);
	stm_rt_io_bitmap_build(e.c, bm);
	check_io(&e, bm, 0);
	CHECK(!stm_rt_io_bitmap_exits(bm, 0xCF8, 4));

	l += mk_io(n + l, 0x3F8, 8);
	l += mk_io(n + l, 0x7FFF, 2);		/* straddles bitmap A and B */
	l += mk_io(n + l, 0xFFFC, 8);		/* runs past 0xFFFF */
	CHECK_ST(tprotect(&e, n, l), STM_SUCCESS);
	stm_rt_io_bitmap_build(e.c, bm);
	check_io(&e, bm, 0);
	CHECK(stm_rt_io_bitmap_exits(bm, 0x3F8, 1));
	CHECK(stm_rt_io_bitmap_exits(bm, 0x8000, 1));	/* bitmap B, bit 0 */
	CHECK(bm[0x1000] & 1);
	CHECK(bm[0x7FFF >> 3] & 0x80);
	/* a word access touching one protected port exits */
	CHECK(stm_rt_io_bitmap_exits(bm, 0x3F6, 4));
	CHECK(!stm_rt_io_bitmap_exits(bm, 0x3F4, 4));
	/* wrap past 0xFFFF exits, size 0 never */
	CHECK(stm_rt_io_bitmap_exits(bm, 0xFFFE, 4));
	CHECK(!stm_rt_io_bitmap_exits(bm, 0x3F8, 0));
	/* not touched: PCI CF8/CFC without a PCI protection */
	CHECK(!stm_rt_io_bitmap_exits(bm, 0xCFC, 4));

	l = mk_pci(n, 2, 2, 0, 0x1000, 1, d3);
	CHECK_ST(tprotect(&e, n, l), STM_SUCCESS);
	stm_rt_io_bitmap_build(e.c, bm);
	check_io(&e, bm, 1);
	CHECK(stm_rt_io_bitmap_exits(bm, 0xCF8, 4));
	CHECK(stm_rt_io_bitmap_exits(bm, 0xCFE, 2));
	CHECK(!stm_rt_io_bitmap_exits(bm, 0xCF4, 4));
	free(bm);
	tenv_free(&e);
}

void test_rt_msr_bitmap(void)
{
	struct tenv e;
	uint8_t n[256], *bm = calloc(1, STM_MSR_BITMAP_BYTES);
	uint32_t l = 0;
	size_t i;

	tenv_init(&e, 1);
	tenv_launch(&e);
	stm_rt_msr_bitmap_build(e.c, bm);
	check_msr(&e, bm);
	for (i = 0; i < sizeof(always_rw) / sizeof(always_rw[0]); i++) {
		CHECK(stm_rt_msr_bitmap_exits(bm, always_rw[i], 0));
		CHECK(stm_rt_msr_bitmap_exits(bm, always_rw[i], 1));
	}
	for (i = 0; i < sizeof(always_w) / sizeof(always_w[0]); i++) {
		CHECK(!stm_rt_msr_bitmap_exits(bm, always_w[i], 0));
		CHECK(stm_rt_msr_bitmap_exits(bm, always_w[i], 1));
	}
	/* EFER is bit 0x80 of the read-high quarter at 0x400 (SDM 25.6.9) */
	CHECK(bm[0x400 + 0x80 / 8] & 1);
	CHECK(bm[0xC00 + 0x80 / 8] & 1);
	/* outside both ranges always exits */
	CHECK(stm_rt_msr_bitmap_exits(bm, 0x2000, 0));
	CHECK(stm_rt_msr_bitmap_exits(bm, 0x40000000, 1));
	CHECK(stm_rt_msr_bitmap_exits(bm, 0xC0002000, 0));
	CHECK(!stm_rt_msr_bitmap_exits(bm, 0x10, 0));

	l += mk_msr(n + l, 0x10, ~0ull, 0, 0);			/* TSC read */
	l += mk_msr(n + l, 0x1A0, 0, ~0ull, 0);			/* MISC_ENABLE write */
	l += mk_msr(n + l, 0x1FFF, ~0ull, ~0ull, 0);		/* last low */
	l += mk_msr(n + l, 0xC0001FFF, ~0ull, 0, 0);		/* last high */
	l += mk_msr(n + l, 0x40000000, ~0ull, ~0ull, 0);	/* other */
	CHECK_ST(tprotect(&e, n, l), STM_SUCCESS);
	stm_rt_msr_bitmap_build(e.c, bm);
	check_msr(&e, bm);
	CHECK(stm_rt_msr_bitmap_exits(bm, 0x10, 0));
	CHECK(!stm_rt_msr_bitmap_exits(bm, 0x10, 1));
	CHECK(!stm_rt_msr_bitmap_exits(bm, 0x1A0, 0));
	CHECK(stm_rt_msr_bitmap_exits(bm, 0x1A0, 1));
	CHECK(bm[0x3FF] & 0x80);	/* read 0x1FFF */
	CHECK(bm[0xBFF] & 0x80);	/* write 0x1FFF */
	CHECK(bm[0x7FF] & 0x80);	/* read 0xC0001FFF */
	CHECK(!(bm[0xFFF] & 0x80));
	free(bm);
	tenv_free(&e);
}

void test_rt_bitmaps_follow_unprotect(void)
{
	static const uint8_t d3[] = { 3, 2 };
	struct tenv e;
	uint8_t n[256], *io = calloc(1, STM_IO_BITMAP_BYTES);
	uint8_t *msr = calloc(1, STM_MSR_BITMAP_BYTES);
	uint8_t *io0 = calloc(1, STM_IO_BITMAP_BYTES);
	uint8_t *msr0 = calloc(1, STM_MSR_BITMAP_BYTES);
	uint32_t l = 0;

	tenv_init(&e, 2);
	tenv_launch(&e);
	stm_rt_io_bitmap_build(e.c, io0);
	stm_rt_msr_bitmap_build(e.c, msr0);
	l += mk_io(n + l, 0x60, 5);
	l += mk_msr(n + l, 0x1A0, ~0ull, ~0ull, 0);
	l += mk_pci(n + l, 2, 2, 0, 0x1000, 1, d3);
	CHECK_ST(tprotect(&e, n, l), STM_SUCCESS);
	stm_rt_io_bitmap_build(e.c, io);
	stm_rt_msr_bitmap_build(e.c, msr);
	CHECK(memcmp(io, io0, STM_IO_BITMAP_BYTES) != 0);
	CHECK(memcmp(msr, msr0, STM_MSR_BITMAP_BYTES) != 0);
	CHECK_ST(tunprotect(&e, n, l), STM_SUCCESS);
	/* a rebuild after UNPROTECT is exactly the launch-time bitmap */
	stm_rt_io_bitmap_build(e.c, io);
	stm_rt_msr_bitmap_build(e.c, msr);
	CHECK(memcmp(io, io0, STM_IO_BITMAP_BYTES) == 0);
	CHECK(memcmp(msr, msr0, STM_MSR_BITMAP_BYTES) == 0);
	free(io);
	free(msr);
	free(io0);
	free(msr0);
	tenv_free(&e);
}
