// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ACPI scan over arbitrary table bytes.  The input is a 64 KiB window of
 * physical memory at 0xE0000 (shorter inputs are zero-padded); the RSDP is
 * at its start.  Bit 0 of byte 0x30 (after the RSDP) selects "fix the
 * checksums" so the fuzzer also gets past them: the harness then repairs
 * the RSDP and every table an RSDT/XSDT entry points at inside the window
 * before scanning.  Invariants: no crash, no out-of-window access (the
 * accessor refuses it, ASan sees any other), a deterministic result, and
 * on success a CPU count that is the sum of the counted entries.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "rt_priv.h"

#define F_CHECK(cond) do { if (!(cond)) abort(); } while (0)
#define W_BASE	0xE0000ull
#define W_SIZE	0x10000u
#define W_FIX	0x30u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t *win;

static void *w_map(void *ctx, uint64_t pa, uint64_t len)
{
	(void)ctx;
	if (pa < W_BASE || pa - W_BASE >= W_SIZE || len > W_SIZE - (pa - W_BASE))
		return NULL;
	return win + (pa - W_BASE);
}

static void w_unmap(void *ctx, void *va, uint64_t len)
{
	(void)ctx;
	(void)va;
	(void)len;
}

static const struct stm_mem_ops w_ops = { w_map, w_unmap };

static uint32_t ld32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t ld64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static void fix(uint8_t *p, uint32_t len, uint32_t csum_off)
{
	uint8_t s = 0;
	uint32_t i;

	p[csum_off] = 0;
	for (i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	p[csum_off] = (uint8_t)(0 - s);
}

static void fix_table(uint64_t pa)
{
	uint32_t l;

	if (pa < W_BASE || pa - W_BASE > W_SIZE - 36)
		return;
	l = ld32(win + (pa - W_BASE) + 4);
	if (l >= 36 && l <= W_SIZE - (pa - W_BASE))
		fix(win + (pa - W_BASE), l, 9);
}

static void fix_all(void)
{
	uint64_t sdt, pa;
	uint32_t es = 4, l, i;

	fix(win, 20, 8);
	sdt = ld32(win + 16);
	if (win[15] >= 2) {
		fix(win, 36, 32);
		if (ld64(win + 24)) {
			sdt = ld64(win + 24);
			es = 8;
		}
	}
	if (sdt < W_BASE || sdt - W_BASE > W_SIZE - 36)
		return;
	l = ld32(win + (sdt - W_BASE) + 4);
	for (i = 0; l >= 36 && 36 + (i + 1) * es <= l &&
	     sdt - W_BASE + 36 + (i + 1) * es <= W_SIZE; i++) {
		const uint8_t *e = win + (sdt - W_BASE) + 36 + i * es;

		pa = es == 8 ? ld64(e) : ld32(e);
		if (pa != sdt)
			fix_table(pa);
	}
	fix_table(sdt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stm_acpi_info a, b;
	uint32_t sa, sb;

	if (!win)
		win = (uint8_t *)malloc(W_SIZE);
	memset(win, 0, W_SIZE);
	memcpy(win, data, size < W_SIZE ? size : W_SIZE);
	if (win[W_FIX] & 1)
		fix_all();
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	sa = stm_rt_acpi_scan(&w_ops, NULL, W_BASE, 1ull << 39, &a);
	sb = stm_rt_acpi_scan(&w_ops, NULL, W_BASE, 1ull << 39, &b);
	F_CHECK(sa == sb);
	F_CHECK(sa == STM_SUCCESS || sa == STM_ERROR_INVALID_PARAMETER ||
		sa == STM_ERROR_PAGE_NOT_FOUND || sa == STM_ERROR_UNSPECIFIED);
	if (sa == STM_SUCCESS) {
		F_CHECK(memcmp(&a, &b, sizeof(a)) == 0);
		F_CHECK(a.ncpus == a.n_lapic + a.n_x2apic && a.ncpus > 0);
		/* entries are at least 8 bytes: bounded by the table length */
		F_CHECK(a.ncpus + a.n_online_capable <= STM_ACPI_MAX_TABLE_LEN / 8);
		F_CHECK(!(a.ecam_base & 0xFFFFF));
	}
	return 0;
}
