// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* SMRAM state-save map <-> SMI-transfer VMCS guest state. */
#include <stdlib.h>
#include "rt_tests.h"

static uint64_t ld64(const uint8_t *m, uint32_t off)
{
	uint64_t v;

	memcpy(&v, m + off, 8);
	return v;
}

static uint32_t ld32(const uint8_t *m, uint32_t off)
{
	uint32_t v;

	memcpy(&v, m + off, 4);
	return v;
}

static void st64(uint8_t *m, uint32_t off, uint64_t v)
{
	memcpy(m + off, &v, 8);
}

static void st32(uint8_t *m, uint32_t off, uint32_t v)
{
	memcpy(m + off, &v, 4);
}

static void st16(uint8_t *m, uint32_t off, uint16_t v)
{
	memcpy(m + off, &v, 2);
}

/* a 64-bit Linux kernel context */
static void guest64(struct stm_guest_state *g)
{
	uint32_t i;

	memset(g, 0, sizeof(*g));
	for (i = 0; i < STM_GPR_NR; i++)
		g->gpr[i] = 0x1111111111111111ull * (i + 1);
	g->rip = 0xFFFFFFFF81000123ull;
	g->rflags = 0x246;
	g->cr0 = 0x80050033;
	g->cr3 = 0x12345000;
	g->cr4 = 0x3726F0;	/* with VMXE: the executive is in VMX operation */
	g->dr6 = 0xFFFF0FF0;
	g->dr7 = 0x400;
	g->efer = 0xD01;
	g->entry_ctls = STM_VMX_ENTRY_IA32E_GUEST;
	for (i = 0; i < STM_SEG_NR; i++) {
		g->seg[i].sel = (uint16_t)(0x10 + 8 * i);
		g->seg[i].ar = 0x93;
		g->seg[i].limit = 0xFFFFFFFF;
	}
	g->seg[STM_SEG_CS].ar = 0xA09B;		/* L = 1 */
	g->seg[STM_SEG_LDTR].sel = 0;
	g->seg[STM_SEG_LDTR].ar = 0x10000;	/* unusable */
	g->seg[STM_SEG_LDTR].base = 0xFFFFFE0000001000ull;
	g->seg[STM_SEG_TR].ar = 0x8B;
	g->gdtr_base = 0xFFFFFE0000000000ull;
	g->gdtr_limit = 0x7F;
	g->idtr_base = 0xFFFFFE0000002000ull;
	g->idtr_limit = 0xFFF;
	g->exit_reason = STM_VMX_EXIT_OTHER_SMI;
	g->cr0_fixed0 = 0x80000021;
	g->cr0_fixed1 = 0xFFFFFFFF;
	g->cr4_fixed0 = 0x2000;
	g->cr4_fixed1 = 0x3FFFFF;
	g->smbase = 0x7F000000;
}

void test_rt_ssa_layout(void)
{
	struct stm_guest_state g;
	uint8_t *m = calloc(1, STM_SSA_SIZE);

	guest64(&g);
	stm_rt_ssa_write_sync(m, &g, STM_SMM_REV_ID);
	/* SDM Table 32-3 offsets (+ 0x7C00 from SMBASE + 0x8000) */
	CHECK_EQ(ld64(m, 0x3F8), g.cr0);		/* 7FF8 */
	CHECK_EQ(ld64(m, 0x3F0), g.cr3);		/* 7FF0 */
	CHECK_EQ(ld64(m, 0x3E8), g.rflags);		/* 7FE8 */
	CHECK_EQ(ld64(m, 0x3E0), g.efer);		/* 7FE0 */
	CHECK_EQ(ld64(m, 0x3D8), g.rip);		/* 7FD8 */
	CHECK_EQ(ld64(m, 0x3D0), g.dr6);
	CHECK_EQ(ld64(m, 0x3C8), g.dr7);
	CHECK_EQ(ld32(m, 0x3C4), g.seg[STM_SEG_TR].sel);
	CHECK_EQ(ld32(m, 0x3C0), g.seg[STM_SEG_LDTR].sel);
	CHECK_EQ(ld32(m, 0x3BC), g.seg[STM_SEG_GS].sel);
	CHECK_EQ(ld32(m, 0x3AC), g.seg[STM_SEG_CS].sel);
	CHECK_EQ(ld32(m, 0x3A8), g.seg[STM_SEG_ES].sel);
	CHECK_EQ(ld64(m, 0x394), g.gpr[STM_GPR_RDI]);	/* 7F94 */
	CHECK_EQ(ld64(m, 0x37C), g.gpr[STM_GPR_RSP]);
	CHECK_EQ(ld64(m, 0x35C), g.gpr[STM_GPR_RAX]);	/* 7F5C */
	CHECK_EQ(ld64(m, 0x354), g.gpr[STM_GPR_R8]);
	CHECK_EQ(ld64(m, 0x31C), g.gpr[STM_GPR_R15]);	/* 7F1C */
	CHECK_EQ(ld32(m, 0x2FC), STM_SMM_REV_ID);	/* 7EFC */
	CHECK_EQ(ld32(m, 0x2F8), g.smbase);		/* 7EF8 */
	CHECK_EQ(ld32(m, 0x240), (uint32_t)g.cr4);	/* 7E40 */
	CHECK_EQ(ld32(m, 0x28C), (uint32_t)g.gdtr_base);
	CHECK_EQ(ld32(m, 0x1D0), (uint32_t)(g.gdtr_base >> 32));
	CHECK_EQ(ld32(m, 0x294), (uint32_t)g.idtr_base);
	CHECK_EQ(ld32(m, 0x1D8), (uint32_t)(g.idtr_base >> 32));
	CHECK_EQ(ld32(m, 0x290), g.gdtr_limit);
	CHECK_EQ(ld32(m, 0x298), g.idtr_limit);
	CHECK_EQ(ld32(m, 0x3A4), 0);			/* no I/O SMI */
	CHECK_EQ(ld32(m, 0x300), 0);			/* IORestart, AutoHALT */
	/* a HLT-interrupted CPU: AutoHALTRestart bit 0 */
	g.activity = STM_VMX_ACTIVITY_HLT;
	stm_rt_ssa_write_sync(m, &g, STM_SMM_REV_ID);
	CHECK_EQ(ld32(m, 0x300), 0x10000);
	free(m);
}

void test_rt_ssa_io_smi(void)
{
	struct stm_guest_state g, g0;
	uint8_t *m = calloc(1, STM_SSA_SIZE);

	guest64(&g);
	g.exit_reason = STM_VMX_EXIT_IO_SMI;
	/* out dx, al to 0xB2 (the APM SMI command port) */
	g.exit_qual = (0xB2ull << 16) | 0;
	g.io_rip = g.rip - 1;
	g.io_rcx = 5;
	g.io_rsi = 6;
	g.io_rdi = 7;
	stm_rt_ssa_write_sync(m, &g, STM_SMM_REV_ID);
	CHECK_EQ(ld32(m, 0x3A4), 0x00B20003);	/* port, type OUT DX (0), byte, IO_SMI */
	CHECK_EQ(ld64(m, 0x1E8), g.io_rip);
	CHECK_EQ(ld64(m, 0x1F0), 5);
	CHECK_EQ(ld64(m, 0x1F8), 6);
	CHECK_EQ(ld64(m, 0x1E0), 7);
	CHECK_EQ(ld64(m, 0x39C), 0);
	/* in eax, 0x60: immediate, IN, dword -> type 9 */
	g.exit_qual = (0x60ull << 16) | STM_IOQ_IMM | STM_IOQ_IN | 3;
	stm_rt_ssa_write_sync(m, &g, STM_SMM_REV_ID);
	CHECK_EQ(ld32(m, 0x3A4), 0x00600099);
	/* rep outsw to 0x1F0: type 6, word, memory address = guest linear */
	g.exit_qual = (0x1F0ull << 16) | STM_IOQ_REP | STM_IOQ_STRING | 1;
	g.guest_linear = 0xFFFF888000100000ull;
	stm_rt_ssa_write_sync(m, &g, STM_SMM_REV_ID);
	CHECK_EQ(ld32(m, 0x3A4), 0x01F00065);
	CHECK_EQ(ld64(m, 0x39C), g.guest_linear);

	/* IORestart = 0xFF: back to the I/O instruction with its RCX/RSI/RDI */
	g0 = g;
	st16(m, 0x300, 0xFF);
	CHECK_EQ(stm_rt_ssa_read_sync(m, &g), 0);
	CHECK_EQ(g.rip, g0.io_rip);
	CHECK_EQ(g.gpr[STM_GPR_RCX], 5);
	CHECK_EQ(g.gpr[STM_GPR_RSI], 6);
	CHECK_EQ(g.gpr[STM_GPR_RDI], 7);
	CHECK_EQ(g.gpr[STM_GPR_RAX], g0.gpr[STM_GPR_RAX]);
	/* not after an I/O SMI: refused */
	g = g0;
	g.exit_reason = STM_VMX_EXIT_OTHER_SMI;
	stm_rt_ssa_write_sync(m, &g, STM_SMM_REV_ID);
	st16(m, 0x300, 0xFF);
	CHECK_EQ(stm_rt_ssa_read_sync(m, &g), STM_SSA_IGN_IO_RESTART);
	CHECK_EQ(g.rip, g0.rip);
	st16(m, 0x300, 0x12);
	CHECK_EQ(stm_rt_ssa_read_sync(m, &g), STM_SSA_IGN_IO_RESTART);
	free(m);
}

void test_rt_ssa_writable_rules(void)
{
	struct stm_guest_state g, g0;
	uint8_t *m = calloc(1, STM_SSA_SIZE);
	uint32_t ign;

	guest64(&g);
	CHECK_EQ(stm_rt_guest_state_check(&g), 0);
	g0 = g;
	stm_rt_ssa_write_sync(m, &g, STM_SMM_REV_ID);
	/* unmodified map: nothing changes, nothing refused */
	CHECK_EQ(stm_rt_ssa_read_sync(m, &g), 0);
	CHECK(memcmp(&g, &g0, sizeof(g)) == 0);

	/* what SMM may change */
	st64(m, 0x35C, 0xAAAA);				/* RAX */
	st64(m, 0x31C, 0xBBBB);				/* R15 */
	st64(m, 0x3D8, 0xFFFFFFFF81000200ull);		/* RIP */
	st64(m, 0x3E8, 0x247);				/* RFLAGS.CF */
	CHECK_EQ(stm_rt_ssa_read_sync(m, &g), 0);
	CHECK_EQ(g.gpr[STM_GPR_RAX], 0xAAAA);
	CHECK_EQ(g.gpr[STM_GPR_R15], 0xBBBB);
	CHECK_EQ(g.rip, 0xFFFFFFFF81000200ull);
	CHECK_EQ(g.rflags, 0x247);

	/* what it may not: each reported, none applied */
	g = g0;
	stm_rt_ssa_write_sync(m, &g, STM_SMM_REV_ID);
	st64(m, 0x3F8, g.cr0 & ~0x80000000ull);		/* CR0.PG off */
	st64(m, 0x3E0, g.efer & ~0x400ull);		/* EFER.LMA off */
	st32(m, 0x2F8, 0x30000);			/* SMBASE */
	st32(m, 0x3AC, 0x33);				/* CS selector */
	st32(m, 0x28C, 0x1000);				/* GDT base */
	st64(m, 0x3E8, 0x3246 | 0x20000);		/* IOPL 3, VM */
	st64(m, 0x3D8, 0x0000800000000000ull);		/* non-canonical RIP */
	ign = stm_rt_ssa_read_sync(m, &g);
	CHECK_EQ(ign, STM_SSA_IGN_CR | STM_SSA_IGN_EFER | STM_SSA_IGN_SMBASE |
		 STM_SSA_IGN_SEG | STM_SSA_IGN_RFLAGS | STM_SSA_IGN_RIP);
	CHECK_EQ(g.cr0, g0.cr0);
	CHECK_EQ(g.efer, g0.efer);
	CHECK_EQ(g.smbase, g0.smbase);
	CHECK_EQ(g.seg[STM_SEG_CS].sel, g0.seg[STM_SEG_CS].sel);
	CHECK_EQ(g.gdtr_base, g0.gdtr_base);
	CHECK_EQ(g.rflags, g0.rflags);
	CHECK_EQ(g.rip, g0.rip);
	CHECK_EQ(stm_rt_guest_state_check(&g), 0);
	/* reserved RFLAGS bits and bit 1 are never taken */
	g = g0;
	stm_rt_ssa_write_sync(m, &g, STM_SMM_REV_ID);
	st64(m, 0x3E8, 0xFFFFFFFFFFFFFFFDull);
	CHECK_EQ(stm_rt_ssa_read_sync(m, &g), STM_SSA_IGN_RFLAGS);
	CHECK_EQ(stm_rt_guest_state_check(&g), 0);
	CHECK_EQ(g.rflags & ~0x250FD7ull, 0);
	CHECK(g.rflags & 2);
	/* 32-bit code: RIP must stay below 4 GiB */
	g = g0;
	g.seg[STM_SEG_CS].ar = 0xC09B;
	g.rip = 0x1000;
	stm_rt_ssa_write_sync(m, &g, STM_SMM_REV_ID);
	st64(m, 0x3D8, 0x100000000ull);
	CHECK_EQ(stm_rt_ssa_read_sync(m, &g), STM_SSA_IGN_RIP);
	CHECK_EQ(g.rip, 0x1000);

	/* AutoHALTRestart */
	g = g0;
	g.activity = STM_VMX_ACTIVITY_HLT;
	stm_rt_ssa_write_sync(m, &g, STM_SMM_REV_ID);
	CHECK_EQ(stm_rt_ssa_read_sync(m, &g), 0);
	CHECK_EQ(g.activity, STM_VMX_ACTIVITY_HLT);	/* left set: back to HLT */
	st16(m, 0x302, 0);
	CHECK_EQ(stm_rt_ssa_read_sync(m, &g), 0);
	CHECK_EQ(g.activity, 0);			/* cleared: resume after HLT */
	st16(m, 0x302, 1);
	CHECK_EQ(stm_rt_ssa_read_sync(m, &g), STM_SSA_IGN_AUTO_HALT);
	CHECK_EQ(g.activity, 0);
	free(m);
}

void test_rt_guest_state_check(void)
{
	struct stm_guest_state g, g0;

	guest64(&g0);
	g = g0;
	CHECK_EQ(stm_rt_guest_state_check(&g), 0);
	g.cr0 &= ~0x20ull;				/* NE is fixed to 1 */
	CHECK_EQ(stm_rt_guest_state_check(&g), 1);
	g = g0;
	g.cr4 |= 1ull << 40;				/* beyond fixed1 */
	CHECK_EQ(stm_rt_guest_state_check(&g), 2);
	g = g0;
	g.cr4 &= ~0x20ull;				/* IA-32e without PAE */
	CHECK_EQ(stm_rt_guest_state_check(&g), 4);
	g = g0;
	g.efer &= ~0x400ull;				/* LMA != IA-32e guest */
	CHECK_EQ(stm_rt_guest_state_check(&g), 5);
	g = g0;
	g.rflags = 0x200;				/* bit 1 clear */
	CHECK_EQ(stm_rt_guest_state_check(&g), 6);
	g = g0;
	g.rip = 0x0000800000000000ull;
	CHECK_EQ(stm_rt_guest_state_check(&g), 7);
	/* a 32-bit protected-mode guest without IA-32e */
	g = g0;
	g.entry_ctls = 0;
	g.efer = 0;
	g.cr0 = 0x21 | 0x80000000ull;
	g.cr4 = 0x2000;
	g.rip = 0xFFF0;
	CHECK_EQ(stm_rt_guest_state_check(&g), 0);
	g.cr0 = 0x80000020;				/* PG without PE */
	g.cr0_fixed0 = 0x20;
	CHECK_EQ(stm_rt_guest_state_check(&g), 3);
}
