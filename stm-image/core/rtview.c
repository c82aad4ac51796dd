// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Read-only accessors of the enforcement view for the STM runtime
 * (stm-image/runtime: EPT and bitmap builders).  The view's layouts are
 * already those of the VMX structures: the I/O deny map is bitmap A then B
 * (SDM Vol. 3C 25.6.4), the MSR deny maps are the four 1 KiB quarters of
 * the MSR bitmap (25.6.9), so the runtime copies them.
 */
#include "core_priv.h"

STM_STATIC_ASSERT(sizeof(((struct stm_protdb *)0)->io_deny) == 0x2000,
		  "I/O deny map is the 8 KiB VMX I/O bitmap pair");
STM_STATIC_ASSERT(sizeof(((struct stm_protdb *)0)->msr_deny) == 0x1000,
		  "MSR deny maps are the 4 KiB VMX MSR bitmap");

uint32_t stm_core_mem_span(const struct stm_core *c, uint64_t pa,
			   uint64_t *next)
{
	const struct stm_protdb *db = &c->db;
	uint32_t lo = 0, hi = db->n_ivl;

	/* last entry with start <= pa (entry 0 starts at 0) */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if ((db->ivl[mid] & ~STM_PAGE_MASK) <= pa)
			lo = mid;
		else
			hi = mid;
	}
	*next = lo + 1 < db->n_ivl ? db->ivl[lo + 1] & ~STM_PAGE_MASK : 0;
	return (uint32_t)(db->ivl[lo] & 7u);
}

const uint8_t *stm_core_io_deny_map(const struct stm_core *c)
{
	return c->db.io_deny;
}

const uint8_t *stm_core_msr_deny_map(const struct stm_core *c)
{
	return &c->db.msr_deny[0][0];
}

int stm_core_pci_any_denied(const struct stm_core *c)
{
	uint32_t i;
	uint8_t any = 0;

	for (i = 0; i < sizeof(c->db.pci_deny); i++)
		any |= c->db.pci_deny[i];
	for (i = 0; i < sizeof(c->db.pci_deny_any); i++)
		any |= c->db.pci_deny_any[i];
	return any != 0;
}
