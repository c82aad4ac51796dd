// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * PSD checks over arbitrary bytes.  Byte 0 picks the CPU's MAXPHYADDR and
 * the v0.99 flag, the rest is the descriptor (any length).  Invariants:
 * no crash or hang; the status is the one of the reason; an accepted PSD
 * yields values the runtime can load into a VMCS without a failed VM entry
 * (selectors in the GDT limit, canonical or < 4 GiB addresses, everything
 * below the physical-address limit); the check is a pure function.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "rt_priv.h"

#define F_CHECK(cond) do { if (!(cond)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int canon(uint64_t a, int intel64)
{
	if (!intel64)
		return a <= 0xFFFFFFFFull;
	return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

static int sel_ok(uint16_t s, uint32_t lim)
{
	return (s & ~7u) && !(s & 4u) && (uint32_t)(s & ~7u) + 7u <= lim;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stm_psd_info a, b;
	enum stm_psd_reason ra, rb;
	uint32_t bits, flags, sa, sb;
	uint64_t lim;
	uint8_t *copy;

	if (size < 1)
		return 0;
	bits = 30u + (data[0] & 0x1Fu);		/* 30..61: out-of-range too */
	flags = (data[0] & 0x80u) ? STM_PSD_ALLOW_V099 : 0;
	copy = (uint8_t *)malloc(size - 1 ? size - 1 : 1);	/* exact-size: ASan sees overreads */
	memcpy(copy, data + 1, size - 1);
	memset(&a, 0, sizeof(a));
	sa = stm_rt_psd_check(copy, size - 1, bits, flags, &a, &ra);
	sb = stm_rt_psd_check(copy, size - 1, bits, flags, &b, &rb);
	F_CHECK(sa == sb && ra == rb);
	F_CHECK((uint32_t)ra < STM_PSD_REASON_NR);
	F_CHECK((sa == STM_SUCCESS) == (ra == STM_PSD_OK));
	F_CHECK(stm_psd_reason_name(ra)[0] != 'u');
	if (sa == STM_SUCCESS) {
		F_CHECK(memcmp(&a, &b, sizeof(a)) == 0);
		F_CHECK(bits >= 32 && bits <= 52);
		lim = 1ull << (a.phys_addr_bits ? a.phys_addr_bits : bits);
		F_CHECK(a.phys_addr_bits == 0 || a.phys_addr_bits <= bits);
		F_CHECK(sel_ok(a.cs, a.gdt_limit) && sel_ok(a.ss, a.gdt_limit) &&
			sel_ok(a.ds, a.gdt_limit) && sel_ok(a.other, a.gdt_limit) &&
			sel_ok(a.tr, a.gdt_limit));
		F_CHECK(a.gdt_limit >= 15 && a.gdt_limit <= 0xFFFF);
		F_CHECK(a.gdt_base < lim && a.gdt_base + a.gdt_limit < lim);
		F_CHECK(a.handler_rip && canon(a.handler_rip, a.intel64));
		F_CHECK(a.handler_rsp && canon(a.handler_rsp, a.intel64));
		F_CHECK(canon(a.setup_rip, a.intel64) && canon(a.teardown_rip, a.intel64));
		F_CHECK(a.cr3 < lim);
		F_CHECK(a.bios_list_pa < lim && !(a.bios_list_pa & 7));
		F_CHECK(a.acpi_rsdp < lim);
		F_CHECK(!a.spe_rip || (sel_ok(a.spe_ss, a.gdt_limit) && a.spe_rsp));
		F_CHECK(!a.v099 || flags);
	}
	free(copy);
	return 0;
}
