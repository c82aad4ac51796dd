// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ACPI: CPU count from the MADT and ECAM base from the MCFG. */
#include <stdlib.h>
#include "rt_tests.h"

#define A_RSDP	0xE0000ull
#define A_XSDT	0x200000ull
#define A_RSDT	0x201000ull
#define A_MADT	0x202000ull
#define A_MCFG	0x203000ull
#define A_FACP	0x204000ull
#define A_MAX	(1ull << 39)

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static uint8_t sum(const uint8_t *p, uint32_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

static void hdr(uint8_t *t, const char *sig, uint32_t len)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = 1;
	memcpy(t + 10, "STMRT ", 6);
	t[9] = 0;
	t[9] = (uint8_t)(0 - sum(t, len));
}

static void rsdp(uint8_t *m, uint8_t rev, uint64_t rsdt, uint64_t xsdt)
{
	uint8_t *r = m + A_RSDP;

	memset(r, 0, 36);
	memcpy(r, "RSD PTR ", 8);
	r[15] = rev;
	put32(r + 16, (uint32_t)rsdt);
	r[8] = (uint8_t)(0 - sum(r, 20));
	if (rev >= 2) {
		put32(r + 20, 36);
		put64(r + 24, xsdt);
		r[32] = (uint8_t)(0 - sum(r, 36));
	}
}

/* SDT of the given kind with entries pa[0..n) */
static void sdt(uint8_t *m, uint64_t at, int x, const uint64_t *pa, uint32_t n)
{
	uint8_t *t = m + at;
	uint32_t i, es = x ? 8 : 4;

	memset(t, 0, 36 + n * es);
	for (i = 0; i < n; i++) {
		if (x)
			put64(t + 36 + i * 8, pa[i]);
		else
			put32(t + 36 + i * 4, (uint32_t)pa[i]);
	}
	hdr(t, x ? "XSDT" : "RSDT", 36 + n * es);
}

struct madt_b {
	uint8_t t[4096];
	uint32_t len;
};

static void madt_init(struct madt_b *b)
{
	memset(b, 0, sizeof(*b));
	b->len = 44;
	put32(b->t + 36, 0xFEE00000);
}

static void madt_lapic(struct madt_b *b, uint8_t id, uint32_t flags)
{
	uint8_t *e = b->t + b->len;

	e[0] = 0;
	e[1] = 8;
	e[2] = id;
	e[3] = id;
	put32(e + 4, flags);
	b->len += 8;
}

static void madt_x2apic(struct madt_b *b, uint32_t id, uint32_t flags)
{
	uint8_t *e = b->t + b->len;

	memset(e, 0, 16);
	e[0] = 9;
	e[1] = 16;
	put32(e + 4, id);
	put32(e + 8, flags);
	b->len += 16;
}

static void madt_raw(struct madt_b *b, const uint8_t *e, uint32_t n)
{
	memcpy(b->t + b->len, e, n);
	b->len += n;
}

static void madt_put(uint8_t *m, struct madt_b *b)
{
	memcpy(m + A_MADT, b->t, b->len);
	hdr(m + A_MADT, "APIC", b->len);
}

static void mcfg_put(uint8_t *m, uint64_t base, uint16_t seg, uint8_t sb, uint8_t eb)
{
	uint8_t *t = m + A_MCFG;

	memset(t, 0, 60);
	put64(t + 44, base);
	memcpy(t + 52, &seg, 2);
	t[54] = sb;
	t[55] = eb;
	hdr(t, "MCFG", 60);
}

/* the standard platform: 4 LAPIC (1 disabled, 1 online-capable), 2 x2APIC, an I/O APIC */
static void platform(uint8_t *m)
{
	static const uint8_t ioapic[12] = { 1, 12, 8, 0, 0, 0, 0xC0, 0xFE, 0, 0, 0, 0 };
	const uint64_t x[] = { A_FACP, A_MCFG, A_MADT };
	struct madt_b b;

	madt_init(&b);
	madt_lapic(&b, 0, 1);
	madt_lapic(&b, 2, 1);
	madt_raw(&b, ioapic, sizeof(ioapic));
	madt_lapic(&b, 4, 0);
	madt_lapic(&b, 6, 2);
	madt_x2apic(&b, 0x100, 1);
	madt_x2apic(&b, 0x102, 3);
	madt_put(m, &b);
	mcfg_put(m, 0xE0000000ull, 0, 0, 255);
	memset(m + A_FACP, 0, 64);
	hdr(m + A_FACP, "FACP", 64);
	sdt(m, A_XSDT, 1, x, 3);
	sdt(m, A_RSDT, 0, x, 3);
	rsdp(m, 2, A_RSDT, A_XSDT);
}

void test_rt_acpi_scan(void)
{
	struct tenv e;
	struct stm_acpi_info info;
	const uint64_t madt_only[] = { A_MADT };

	tenv_init(&e, 1);
	platform(e.mem);
	CHECK_ST(stm_rt_acpi_scan(&t_mem_ops, &e, A_RSDP, A_MAX, &info), STM_SUCCESS);
	CHECK_EQ(info.ncpus, 4);
	CHECK_EQ(info.n_lapic, 2);
	CHECK_EQ(info.n_x2apic, 2);
	CHECK_EQ(info.n_online_capable, 1);
	CHECK_EQ(info.ecam_base, 0xE0000000ull);
	CHECK_EQ(info.ecam_end_bus, 255);
	CHECK(info.used_xsdt);
	CHECK_EQ(info.revision, 2);

	/* ACPI 1.0: RSDT */
	rsdp(e.mem, 0, A_RSDT, 0);
	CHECK_ST(stm_rt_acpi_scan(&t_mem_ops, &e, A_RSDP, A_MAX, &info), STM_SUCCESS);
	CHECK_EQ(info.ncpus, 4);
	CHECK(!info.used_xsdt);
	/* 2.0 with XsdtAddress 0: RSDT */
	rsdp(e.mem, 2, A_RSDT, 0);
	CHECK_ST(stm_rt_acpi_scan(&t_mem_ops, &e, A_RSDP, A_MAX, &info), STM_SUCCESS);
	CHECK(!info.used_xsdt);
	/* no MCFG: ECAM base 0, still a success */
	sdt(e.mem, A_XSDT, 1, madt_only, 1);
	rsdp(e.mem, 2, A_RSDT, A_XSDT);
	CHECK_ST(stm_rt_acpi_scan(&t_mem_ops, &e, A_RSDP, A_MAX, &info), STM_SUCCESS);
	CHECK_EQ(info.ecam_base, 0);
	tenv_free(&e);
}

void test_rt_acpi_refusals(void)
{
	struct tenv e;
	struct stm_acpi_info info;
	struct madt_b b;
	uint64_t many[300];
	uint32_t i;
	static const uint8_t zero_len[2] = { 4, 0 };
	static const uint8_t short_lapic[6] = { 0, 6, 0, 0, 1, 0 };
	static const uint8_t overflow[2] = { 1, 200 };

	tenv_init(&e, 1);
	memset(&info, 0x5A, sizeof(info));
	CHECK_ST(stm_rt_acpi_scan(&t_mem_ops, &e, 0, A_MAX, &info), STM_ERROR_INVALID_PARAMETER);
	CHECK_ST(stm_rt_acpi_scan(&t_mem_ops, &e, A_RSDP, A_MAX, &info), STM_ERROR_INVALID_PARAMETER);
	CHECK_EQ(info.ncpus, 0x5A5A5A5A);	/* untouched on failure */
	CHECK_ST(stm_rt_acpi_scan(&t_mem_ops, &e, T_MEM_SIZE + 0x1000ull, A_MAX, &info),
		 STM_ERROR_PAGE_NOT_FOUND);
	CHECK_ST(stm_rt_acpi_scan(&t_mem_ops, &e, A_RSDP, A_RSDP + 8, &info),
		 STM_ERROR_INVALID_PARAMETER);	/* beyond max_pa */

	/* checksums */
	platform(e.mem);
	e.mem[A_RSDP + 8]++;
	CHECK_ST(stm_rt_acpi_scan(&t_mem_ops, &e, A_RSDP, A_MAX, &info), STM_ERROR_INVALID_PARAMETER);
	platform(e.mem);
	e.mem[A_RSDP + 32]++;	/* extended checksum */
	CHECK_ST(stm_rt_acpi_scan(&t_mem_ops, &e, A_RSDP, A_MAX, &info), STM_ERROR_INVALID_PARAMETER);
	platform(e.mem);
	e.mem[A_MADT + 40]++;
	CHECK_ST(stm_rt_acpi_scan(&t_mem_ops, &e, A_RSDP, A_MAX, &info), STM_ERROR_INVALID_PARAMETER);
	platform(e.mem);
	e.mem[A_XSDT + 20]++;
	CHECK_ST(stm_rt_acpi_scan(&t_mem_ops, &e, A_RSDP, A_MAX, &info), STM_ERROR_INVALID_PARAMETER);
	/* an RSDT where the XSDT should be */
	platform(e.mem);
	rsdp(e.mem, 2, A_RSDT, A_RSDT);
	CHECK_ST(stm_rt_acpi_scan(&t_mem_ops, &e, A_RSDP, A_MAX, &info), STM_ERROR_INVALID_PARAMETER);
	/* a table longer than the limit, or beyond max_pa, or not mapped */
	platform(e.mem);
	put32(e.mem + A_MADT + 4, STM_ACPI_MAX_TABLE_LEN + 1);
	CHECK_ST(stm_rt_acpi_scan(&t_mem_ops, &e, A_RSDP, A_MAX, &info), STM_ERROR_INVALID_PARAMETER);
	platform(e.mem);
	CHECK_ST(stm_rt_acpi_scan(&t_mem_ops, &e, A_RSDP, A_MADT + 0x10, &info),
		 STM_ERROR_UNSPECIFIED);	/* MADT entry beyond max_pa: skipped */
	platform(e.mem);
	memcpy(e.mem + T_MEM_SIZE - 0x10, "APIC", 4);	/* header runs off the memory */
	many[0] = T_MEM_SIZE - 0x10;
	sdt(e.mem, A_XSDT, 1, many, 1);
	CHECK_ST(stm_rt_acpi_scan(&t_mem_ops, &e, A_RSDP, A_MAX, &info), STM_ERROR_PAGE_NOT_FOUND);

	/* malformed MADT entries: refused, no loop */
	platform(e.mem);
	madt_init(&b);
	madt_lapic(&b, 0, 1);
	madt_raw(&b, zero_len, 2);
	madt_put(e.mem, &b);
	CHECK_ST(stm_rt_acpi_scan(&t_mem_ops, &e, A_RSDP, A_MAX, &info), STM_ERROR_INVALID_PARAMETER);
	madt_init(&b);
	madt_raw(&b, short_lapic, 6);
	madt_put(e.mem, &b);
	CHECK_ST(stm_rt_acpi_scan(&t_mem_ops, &e, A_RSDP, A_MAX, &info), STM_ERROR_INVALID_PARAMETER);
	madt_init(&b);
	madt_lapic(&b, 0, 1);
	madt_raw(&b, overflow, 2);
	madt_put(e.mem, &b);
	CHECK_ST(stm_rt_acpi_scan(&t_mem_ops, &e, A_RSDP, A_MAX, &info), STM_ERROR_INVALID_PARAMETER);
	/* no enabled CPU, no MADT */
	madt_init(&b);
	madt_lapic(&b, 0, 0);
	madt_put(e.mem, &b);
	CHECK_ST(stm_rt_acpi_scan(&t_mem_ops, &e, A_RSDP, A_MAX, &info), STM_ERROR_UNSPECIFIED);
	platform(e.mem);
	memcpy(e.mem + A_MADT, "APIX", 4);
	CHECK_ST(stm_rt_acpi_scan(&t_mem_ops, &e, A_RSDP, A_MAX, &info), STM_ERROR_UNSPECIFIED);
	/* MCFG: unaligned base refused, segment 1 ignored */
	platform(e.mem);
	mcfg_put(e.mem, 0xE0000800ull, 0, 0, 255);
	CHECK_ST(stm_rt_acpi_scan(&t_mem_ops, &e, A_RSDP, A_MAX, &info), STM_ERROR_INVALID_PARAMETER);
	mcfg_put(e.mem, 0xE0000000ull, 1, 0, 255);
	CHECK_ST(stm_rt_acpi_scan(&t_mem_ops, &e, A_RSDP, A_MAX, &info), STM_SUCCESS);
	CHECK_EQ(info.ecam_base, 0);
	mcfg_put(e.mem, A_MAX - 0x100000, 0, 0, 1);	/* buses beyond max_pa */
	CHECK_ST(stm_rt_acpi_scan(&t_mem_ops, &e, A_RSDP, A_MAX, &info), STM_ERROR_INVALID_PARAMETER);
	/* only the first STM_ACPI_MAX_TABLES entries are looked at */
	platform(e.mem);
	for (i = 0; i < 300; i++)
		many[i] = A_FACP;
	many[299] = A_MADT;
	sdt(e.mem, A_XSDT, 1, many, 300);
	CHECK_ST(stm_rt_acpi_scan(&t_mem_ops, &e, A_RSDP, A_MAX, &info), STM_ERROR_UNSPECIFIED);
	many[STM_ACPI_MAX_TABLES - 1] = A_MADT;
	sdt(e.mem, A_XSDT, 1, many, 300);
	CHECK_ST(stm_rt_acpi_scan(&t_mem_ops, &e, A_RSDP, A_MAX, &info), STM_SUCCESS);
	tenv_free(&e);
}
