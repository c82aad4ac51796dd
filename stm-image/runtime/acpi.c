// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * CPU count and PCIe ECAM base from the firmware's ACPI tables (ACPI 6.5:
 * 5.2.5 RSDP, 5.2.7 RSDT, 5.2.8 XSDT, 5.2.12 MADT with 5.2.12.2 Processor
 * Local APIC and 5.2.12.12 Processor Local x2APIC structures; PCI Firmware
 * Specification 3.3, 4.1.2 MCFG).
 *
 * The STM needs the number of logical CPUs to size its per-CPU state and
 * to know when every CPU has joined (interface sheet sec. 8.3), and the
 * ECAM base to protect PCI configuration space.  Everything here comes from
 * firmware memory the STM does not trust: each table is mapped through the
 * core's accessor, bounded (STM_ACPI_MAX_TABLE_LEN, STM_ACPI_MAX_TABLES
 * entries, below max_pa without wrapping), checksummed, and every MADT
 * entry's length is checked before it is used, so a malformed table is a
 * status code, never a loop or an out-of-bounds read.
 *
 * Counted CPUs: Local APIC and x2APIC entries with Enabled set.  Entries
 * only Online Capable (ACPI 6.3+) are hot-pluggable, not present at boot:
 * reported separately, not counted.  No de-duplication between the two
 * entry types (ACPI requires APIC IDs < 255 to use Local APIC entries).
 */
#include "rt_priv.h"

#define ACPI_HDR_LEN		36u
#define ACPI_RSDP_V1_LEN	20u
#define ACPI_RSDP_V2_LEN	36u
#define MADT_ENTRIES_OFF	44u
#define MCFG_ENTRIES_OFF	44u
#define MCFG_ENTRY_LEN		16u

struct acpi_ctx {
	const struct stm_mem_ops *mem;
	void *ctx;
	uint64_t max_pa;
};

static uint8_t acpi_sum(const uint8_t *p, uint32_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

static int acpi_range_ok(const struct acpi_ctx *a, uint64_t pa, uint64_t len)
{
	return pa != 0 && pa < a->max_pa && len <= a->max_pa - pa;
}

/*
 * Map a whole table at pa after checking its header: STM_SUCCESS and
 * the mapping and its length, or a status.  The caller unmaps it.
 */
static uint32_t acpi_map_table(const struct acpi_ctx *a, uint64_t pa,
			       const uint8_t **va, uint32_t *len,
			       uint8_t sig[4])
{
	const uint8_t *h;
	uint32_t l;

	if (!acpi_range_ok(a, pa, ACPI_HDR_LEN))
		return STM_ERROR_INVALID_PARAMETER;
	h = (const uint8_t *)a->mem->map(a->ctx, pa, ACPI_HDR_LEN);
	if (!h)
		return STM_ERROR_PAGE_NOT_FOUND;
	l = stm_rt_ld32(h + 4);
	stm_memcpy(sig, h, 4);
	a->mem->unmap(a->ctx, (void *)h, ACPI_HDR_LEN);
	if (l < ACPI_HDR_LEN || l > STM_ACPI_MAX_TABLE_LEN || !acpi_range_ok(a, pa, l))
		return STM_ERROR_INVALID_PARAMETER;
	h = (const uint8_t *)a->mem->map(a->ctx, pa, l);
	if (!h)
		return STM_ERROR_PAGE_NOT_FOUND;
	/* the length and signature are re-read from this one mapping */
	if (stm_rt_ld32(h + 4) != l || stm_memcmp(h, sig, 4) != 0 || acpi_sum(h, l)) {
		a->mem->unmap(a->ctx, (void *)h, l);
		return STM_ERROR_INVALID_PARAMETER;
	}
	*va = h;
	*len = l;
	return STM_SUCCESS;
}

static uint32_t acpi_madt(const uint8_t *t, uint32_t len,
			  struct stm_acpi_info *info)
{
	uint32_t off = MADT_ENTRIES_OFF, flags;

	if (len < MADT_ENTRIES_OFF)
		return STM_ERROR_INVALID_PARAMETER;
	while (off < len) {
		uint8_t type, elen;

		if (len - off < 2)
			return STM_ERROR_INVALID_PARAMETER;
		type = t[off];
		elen = t[off + 1];
		if (elen < 2 || elen > len - off)
			return STM_ERROR_INVALID_PARAMETER;
		if (type == 0) {		/* Processor Local APIC */
			if (elen < 8)
				return STM_ERROR_INVALID_PARAMETER;
			flags = stm_rt_ld32(t + off + 4);
			if (flags & 1u)
				info->n_lapic++;
			else if (flags & 2u)
				info->n_online_capable++;
		} else if (type == 9) {		/* Processor Local x2APIC */
			if (elen < 16)
				return STM_ERROR_INVALID_PARAMETER;
			flags = stm_rt_ld32(t + off + 8);
			if (flags & 1u)
				info->n_x2apic++;
			else if (flags & 2u)
				info->n_online_capable++;
		}
		off += elen;
	}
	return STM_SUCCESS;
}

static uint32_t acpi_mcfg(const struct acpi_ctx *a, const uint8_t *t,
			  uint32_t len, struct stm_acpi_info *info)
{
	uint32_t off;

	if (len < MCFG_ENTRIES_OFF)
		return STM_ERROR_INVALID_PARAMETER;
	for (off = MCFG_ENTRIES_OFF; len - off >= MCFG_ENTRY_LEN; off += MCFG_ENTRY_LEN) {
		uint64_t base = stm_rt_ld64(t + off);
		uint16_t seg = stm_rt_ld16(t + off + 8);
		uint8_t sb = t[off + 10], eb = t[off + 11];

		if (seg != 0)
			continue;
		/* 1 MiB of configuration space per bus, from bus 0 */
		if (eb < sb || (base & 0xFFFFFull) ||
		    !acpi_range_ok(a, base, ((uint64_t)eb + 1) << 20))
			return STM_ERROR_INVALID_PARAMETER;
		info->ecam_base = base;
		info->ecam_start_bus = sb;
		info->ecam_end_bus = eb;
		return STM_SUCCESS;
	}
	return STM_SUCCESS;
}

static uint32_t acpi_read_rsdp(const struct acpi_ctx *a, uint64_t pa,
			       uint64_t *sdt, uint32_t *esize,
			       struct stm_acpi_info *info)
{
	const uint8_t *r;
	uint32_t l;

	if (!acpi_range_ok(a, pa, ACPI_RSDP_V1_LEN))
		return STM_ERROR_INVALID_PARAMETER;
	r = (const uint8_t *)a->mem->map(a->ctx, pa, ACPI_RSDP_V1_LEN);
	if (!r)
		return STM_ERROR_PAGE_NOT_FOUND;
	if (stm_memcmp(r, "RSD PTR ", 8) != 0 || acpi_sum(r, ACPI_RSDP_V1_LEN)) {
		a->mem->unmap(a->ctx, (void *)r, ACPI_RSDP_V1_LEN);
		return STM_ERROR_INVALID_PARAMETER;
	}
	info->revision = r[15];
	*sdt = stm_rt_ld32(r + 16);
	*esize = 4;
	a->mem->unmap(a->ctx, (void *)r, ACPI_RSDP_V1_LEN);
	if (info->revision < 2)
		return STM_SUCCESS;

	/* ACPI 2.0+: Length, XsdtAddress, extended checksum */
	if (!acpi_range_ok(a, pa, ACPI_RSDP_V2_LEN))
		return STM_ERROR_INVALID_PARAMETER;
	r = (const uint8_t *)a->mem->map(a->ctx, pa, ACPI_RSDP_V2_LEN);
	if (!r)
		return STM_ERROR_PAGE_NOT_FOUND;
	l = stm_rt_ld32(r + 20);
	if (l != ACPI_RSDP_V2_LEN || acpi_sum(r, ACPI_RSDP_V2_LEN) ||
	    stm_memcmp(r, "RSD PTR ", 8) != 0 || r[15] != info->revision) {
		a->mem->unmap(a->ctx, (void *)r, ACPI_RSDP_V2_LEN);
		return STM_ERROR_INVALID_PARAMETER;
	}
	if (stm_rt_ld64(r + 24)) {
		*sdt = stm_rt_ld64(r + 24);
		*esize = 8;
		info->used_xsdt = 1;
	}
	a->mem->unmap(a->ctx, (void *)r, ACPI_RSDP_V2_LEN);
	return STM_SUCCESS;
}

uint32_t stm_rt_acpi_scan(const struct stm_mem_ops *mem, void *ctx,
			  uint64_t rsdp_pa, uint64_t max_pa,
			  struct stm_acpi_info *info)
{
	struct acpi_ctx a = { mem, ctx, max_pa };
	struct stm_acpi_info o;
	const uint8_t *sdt, *t;
	uint32_t esize, slen, tlen, i, n, st;
	uint64_t sdt_pa;
	uint8_t sig[4];
	int have_madt = 0, have_mcfg = 0;

	stm_memset(&o, 0, sizeof(o));
	if (!mem || !info || rsdp_pa == 0)
		return STM_ERROR_INVALID_PARAMETER;
	st = acpi_read_rsdp(&a, rsdp_pa, &sdt_pa, &esize, &o);
	if (st)
		return st;
	st = acpi_map_table(&a, sdt_pa, &sdt, &slen, sig);
	if (st)
		return st;
	if (stm_memcmp(sig, esize == 8 ? "XSDT" : "RSDT", 4) != 0) {
		mem->unmap(ctx, (void *)sdt, slen);
		return STM_ERROR_INVALID_PARAMETER;
	}
	n = (slen - ACPI_HDR_LEN) / esize;
	if (n > STM_ACPI_MAX_TABLES)
		n = STM_ACPI_MAX_TABLES;
	for (i = 0; i < n && st == STM_SUCCESS && !(have_madt && have_mcfg); i++) {
		const uint8_t *e = sdt + ACPI_HDR_LEN + i * esize;
		uint64_t pa = esize == 8 ? stm_rt_ld64(e) : stm_rt_ld32(e);

		if (!acpi_range_ok(&a, pa, ACPI_HDR_LEN))
			continue;	/* a null or stray entry: not ours to judge */
		t = (const uint8_t *)mem->map(ctx, pa, 4);
		if (!t)
			continue;
		stm_memcpy(sig, t, 4);
		mem->unmap(ctx, (void *)t, 4);
		if (!have_madt && stm_memcmp(sig, "APIC", 4) == 0) {
			st = acpi_map_table(&a, pa, &t, &tlen, sig);
			if (st == STM_SUCCESS) {
				st = acpi_madt(t, tlen, &o);
				mem->unmap(ctx, (void *)t, tlen);
				have_madt = 1;
			}
		} else if (!have_mcfg && stm_memcmp(sig, "MCFG", 4) == 0) {
			st = acpi_map_table(&a, pa, &t, &tlen, sig);
			if (st == STM_SUCCESS) {
				st = acpi_mcfg(&a, t, tlen, &o);
				mem->unmap(ctx, (void *)t, tlen);
				have_mcfg = 1;
			}
		}
	}
	mem->unmap(ctx, (void *)sdt, slen);
	if (st)
		return st;
	o.ncpus = o.n_lapic + o.n_x2apic;
	if (!have_madt || o.ncpus == 0)
		return STM_ERROR_UNSPECIFIED;
	*info = o;
	return STM_SUCCESS;
}
