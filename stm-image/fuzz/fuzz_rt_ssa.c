// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * State-save synchronisation over arbitrary bytes: the input is a guest
 * state (the first sizeof(struct stm_guest_state) bytes, made to pass the
 * VM-entry checks) and the 1 KiB save map the SMM handler leaves behind
 * (the rest, overlaid on what write_sync wrote).  Invariants: read_sync
 * never produces a state the VM entry would refuse, never changes a field
 * SMM may not change, reports only defined bits, and an untouched map
 * round-trips exactly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "rt_priv.h"

#define F_CHECK(cond) do { if (!(cond)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void make_valid(struct stm_guest_state *g)
{
	int ia32e = (g->entry_ctls & STM_VMX_ENTRY_IA32E_GUEST) != 0;

	g->cr0_fixed0 = 0x80000021;
	g->cr0_fixed1 = 0xFFFFFFFF;
	g->cr4_fixed0 = 0x2000;
	g->cr4_fixed1 = 0x3FFFFF;
	g->cr0 = (g->cr0 & 0xFFFFFFFF) | 0x80000021;
	g->cr4 = (g->cr4 & 0x3FFFFF) | 0x2000 | (ia32e ? 0x20 : 0);
	g->efer = (g->efer & ~0x500ull) | (ia32e ? 0x500 : 0);
	g->rflags = (g->rflags & 0x3F7FD7ull & ~(ia32e ? 0x20000ull : 0)) | 2;
	if (ia32e && (g->seg[STM_SEG_CS].ar & 0x2000u))
		g->rip = (uint64_t)((int64_t)(g->rip << 16) >> 16);
	else
		g->rip &= 0xFFFFFFFFull;
	g->activity &= 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stm_guest_state g, g0, g1;
	uint8_t map[STM_SSA_SIZE], map0[STM_SSA_SIZE];
	uint32_t ign, i;
	size_t n;

	if (size < sizeof(g))
		return 0;
	memcpy(&g, data, sizeof(g));
	make_valid(&g);
	F_CHECK(stm_rt_guest_state_check(&g) == 0);
	g0 = g;

	/* round trip */
	memset(map, 0, sizeof(map));
	stm_rt_ssa_write_sync(map, &g, STM_SMM_REV_ID);
	memcpy(map0, map, sizeof(map));
	F_CHECK(stm_rt_ssa_read_sync(map, &g) == 0);
	F_CHECK(memcmp(&g, &g0, sizeof(g)) == 0);

	/* the handler's changes: overlay the rest of the input */
	n = size - sizeof(g);
	if (n > sizeof(map))
		n = sizeof(map);
	for (i = 0; i < n; i++)
		map[i] ^= data[sizeof(g) + i];
	g1 = g0;
	ign = stm_rt_ssa_read_sync(map, &g1);
	F_CHECK((ign & ~0xFFu) == 0);
	F_CHECK(stm_rt_guest_state_check(&g1) == 0);
	F_CHECK(g1.cr0 == g0.cr0 && g1.cr3 == g0.cr3 && g1.cr4 == g0.cr4 &&
		g1.efer == g0.efer && g1.dr6 == g0.dr6 && g1.dr7 == g0.dr7 &&
		g1.smbase == g0.smbase && g1.gdtr_base == g0.gdtr_base &&
		g1.idtr_base == g0.idtr_base && g1.gdtr_limit == g0.gdtr_limit &&
		g1.entry_ctls == g0.entry_ctls &&
		memcmp(g1.seg, g0.seg, sizeof(g0.seg)) == 0);
	F_CHECK((g1.rflags & ~0x250FD7ull) == (g0.rflags & ~0x250FD7ull));
	F_CHECK(g1.activity == g0.activity || g1.activity == 0);
	/* only the map's writable fields decide; a changed read-only field is reported */
	if (memcmp(map + STM_SSA_CR0, map0 + STM_SSA_CR0, 8))
		F_CHECK(ign & STM_SSA_IGN_CR);
	if (memcmp(map + STM_SSA_SMBASE, map0 + STM_SSA_SMBASE, 4))
		F_CHECK(ign & STM_SSA_IGN_SMBASE);
	if (memcmp(map + STM_SSA_EFER, map0 + STM_SSA_EFER, 8))
		F_CHECK(ign & STM_SSA_IGN_EFER);
	return 0;
}
