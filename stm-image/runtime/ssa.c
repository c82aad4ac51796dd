// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * SMRAM state-save synchronisation for the dual-monitor treatment.
 *
 * With the STM active an SMI is an SMM VM exit: the CPU saves the
 * interrupted context in the SMI-transfer VMCS, not in SMRAM (SDM Vol. 3C
 * 32.15.2, 32.15.4).  The firmware's SMI handler still expects the SMRAM
 * state-save map of the 64-bit processors (SDM 32.4.1, Table 32-3,
 * SMBASE + 0xFC00 .. 0xFFFF; the Intel processor-specific fields the
 * reference STM's STM_SMM_CPU_STATE adds: descriptor-table limits, I/O
 * RCX/RSI/RDI), so the STM writes it before entering the SMM guest
 * (write_sync) and reads back what the handler may change after its RSM
 * (read_sync).
 *
 * What SMM may change (the reference marks the fields YES/NO): the GPRs,
 * RIP, RFLAGS, IORestart and AutoHALTRestart.  Not: CR0/CR3/CR4, DR6/DR7,
 * EFER (the STM keeps EFER.LMA/LME consistent with the IA-32e-guest entry
 * control), selectors and descriptor tables, SMBASE (relocation is the
 * STM's business).  A refused change is reported, never applied, and the
 * result is always a state the VM entry accepts.
 */
#include "rt_priv.h"

#define RF_CF	0x1ull
#define RF_1	0x2ull
#define RF_PF	0x4ull
#define RF_AF	0x10ull
#define RF_ZF	0x40ull
#define RF_SF	0x80ull
#define RF_TF	0x100ull
#define RF_IF	0x200ull
#define RF_DF	0x400ull
#define RF_OF	0x800ull
#define RF_RF	0x10000ull
#define RF_VM	0x20000ull
#define RF_AC	0x40000ull
#define RF_ID	0x200000ull
/* RFLAGS bits SMM may change on return (not IOPL, NT, VM, VIF, VIP) */
#define RF_WRITABLE	(RF_CF | RF_PF | RF_AF | RF_ZF | RF_SF | RF_TF | RF_IF | \
			 RF_DF | RF_OF | RF_RF | RF_AC | RF_ID)
/* bits 63:22, 15, 5, 3 reserved (must be 0), bit 1 reserved (must be 1) */
#define RF_RESERVED	(~0x3F7FD7ull)

#define CR0_PE		0x1ull
#define CR0_PG		0x80000000ull
#define CR4_PAE		0x20ull
#define EFER_LME	0x100ull
#define EFER_LMA	0x400ull

/* GPR order in the map from R15 upwards (SDM Table 32-3) */
static const uint8_t stm_ssa_gpr_order[STM_GPR_NR] = {
	STM_GPR_R15, STM_GPR_R14, STM_GPR_R13, STM_GPR_R12, STM_GPR_R11,
	STM_GPR_R10, STM_GPR_R9, STM_GPR_R8, STM_GPR_RAX, STM_GPR_RCX,
	STM_GPR_RDX, STM_GPR_RBX, STM_GPR_RSP, STM_GPR_RBP, STM_GPR_RSI,
	STM_GPR_RDI,
};

static int stm_guest_64bit_code(const struct stm_guest_state *g)
{
	/* CS.L is bit 13 of the VMX access rights */
	return (g->entry_ctls & STM_VMX_ENTRY_IA32E_GUEST) &&
	       (g->seg[STM_SEG_CS].ar & 0x2000u);
}

static int stm_rip_ok(const struct stm_guest_state *g, uint64_t rip)
{
	if (stm_guest_64bit_code(g))
		return (uint64_t)((int64_t)(rip << 16) >> 16) == rip;
	return (rip >> 32) == 0;
}

int stm_rt_guest_state_check(const struct stm_guest_state *g)
{
	int ia32e = (g->entry_ctls & STM_VMX_ENTRY_IA32E_GUEST) != 0;

	if ((g->cr0 & g->cr0_fixed0) != g->cr0_fixed0 ||
	    (g->cr0 & ~g->cr0_fixed1 & (g->cr0_fixed1 ? ~0ull : 0)))
		return 1;
	if ((g->cr4 & g->cr4_fixed0) != g->cr4_fixed0 ||
	    (g->cr4 & ~g->cr4_fixed1 & (g->cr4_fixed1 ? ~0ull : 0)))
		return 2;
	if ((g->cr0 & CR0_PG) && !(g->cr0 & CR0_PE))
		return 3;
	if (ia32e && (!(g->cr0 & CR0_PG) || !(g->cr4 & CR4_PAE)))
		return 4;
	if (!!(g->efer & EFER_LMA) != ia32e ||
	    ((g->cr0 & CR0_PG) && !!(g->efer & EFER_LME) != ia32e))
		return 5;
	if ((g->rflags & RF_RESERVED) || !(g->rflags & RF_1) ||
	    (ia32e && (g->rflags & RF_VM)))
		return 6;
	if (!stm_rip_ok(g, g->rip))
		return 7;
	return 0;
}

static uint32_t stm_iomisc(const struct stm_guest_state *g)
{
	uint32_t q = (uint32_t)g->exit_qual, type;

	type = ((q & STM_IOQ_IN) ? 1u : 0u) | ((q & STM_IOQ_STRING) ? 2u : 0u) |
	       ((q & STM_IOQ_REP) ? 4u : 0u) | ((q & STM_IOQ_IMM) ? 8u : 0u);
	return STM_IOMISC_SMI |
	       (((q & STM_IOQ_SIZE_MASK) + 1u) << STM_IOMISC_LEN_SHIFT) |
	       (type << STM_IOMISC_TYPE_SHIFT) |
	       ((q >> STM_IOQ_PORT_SHIFT) << STM_IOMISC_PORT_SHIFT);
}

void stm_rt_ssa_write_sync(uint8_t *ssa, const struct stm_guest_state *g,
			   uint32_t rev_id)
{
	uint32_t i;
	int io = g->exit_reason == STM_VMX_EXIT_IO_SMI;

	stm_rt_st32(ssa + STM_SSA_GDT_BASE_HI, (uint32_t)(g->gdtr_base >> 32));
	stm_rt_st32(ssa + STM_SSA_LDT_BASE_HI,
		    (uint32_t)(g->seg[STM_SEG_LDTR].base >> 32));
	stm_rt_st32(ssa + STM_SSA_IDT_BASE_HI, (uint32_t)(g->idtr_base >> 32));
	stm_rt_st64(ssa + STM_SSA_IO_RDI, io ? g->io_rdi : 0);
	stm_rt_st64(ssa + STM_SSA_IO_RIP, io ? g->io_rip : 0);
	stm_rt_st64(ssa + STM_SSA_IO_RCX, io ? g->io_rcx : 0);
	stm_rt_st64(ssa + STM_SSA_IO_RSI, io ? g->io_rsi : 0);
	stm_rt_st32(ssa + STM_SSA_CR4, (uint32_t)g->cr4);
	stm_rt_st32(ssa + STM_SSA_GDT_BASE_LO, (uint32_t)g->gdtr_base);
	stm_rt_st32(ssa + STM_SSA_GDT_LIMIT, g->gdtr_limit);
	stm_rt_st32(ssa + STM_SSA_IDT_BASE_LO, (uint32_t)g->idtr_base);
	stm_rt_st32(ssa + STM_SSA_IDT_LIMIT, g->idtr_limit);
	stm_rt_st32(ssa + STM_SSA_LDT_BASE_LO, (uint32_t)g->seg[STM_SEG_LDTR].base);
	stm_rt_st32(ssa + STM_SSA_LDT_LIMIT, g->seg[STM_SEG_LDTR].limit);
	stm_rt_st32(ssa + STM_SSA_LDT_INFO, g->seg[STM_SEG_LDTR].ar);
	stm_rt_st64(ssa + STM_SSA_EPTP, g->ept_enabled ? g->eptp : 0);
	stm_rt_st32(ssa + STM_SSA_EPT_ENABLED, g->ept_enabled ? 1u : 0u);
	stm_rt_st32(ssa + STM_SSA_SMBASE, g->smbase);
	stm_rt_st32(ssa + STM_SSA_REV_ID, rev_id);
	stm_rt_st16(ssa + STM_SSA_IO_RESTART, 0);
	/* SDM 32.13: bit 0 set when the SMI interrupted a HLT */
	stm_rt_st16(ssa + STM_SSA_AUTO_HALT,
		    g->activity == STM_VMX_ACTIVITY_HLT ? 1u : 0u);
	for (i = 0; i < STM_GPR_NR; i++)
		stm_rt_st64(ssa + STM_SSA_R15 + 8u * i, g->gpr[stm_ssa_gpr_order[i]]);
	/* SDM 32.7.1: IO_SMI and the rest valid only for an I/O SMI */
	stm_rt_st64(ssa + STM_SSA_IO_MEM_ADDR,
		    io && (g->exit_qual & STM_IOQ_STRING) ? g->guest_linear : 0);
	stm_rt_st32(ssa + STM_SSA_IO_MISC, io ? stm_iomisc(g) : 0);
	for (i = 0; i < STM_SEG_NR; i++)
		stm_rt_st32(ssa + STM_SSA_ES_SEL + 4u * i, g->seg[i].sel);
	stm_rt_st64(ssa + STM_SSA_DR7, g->dr7);
	stm_rt_st64(ssa + STM_SSA_DR6, g->dr6);
	stm_rt_st64(ssa + STM_SSA_RIP, g->rip);
	stm_rt_st64(ssa + STM_SSA_EFER, g->efer);
	stm_rt_st64(ssa + STM_SSA_RFLAGS, g->rflags);
	stm_rt_st64(ssa + STM_SSA_CR3, g->cr3);
	stm_rt_st64(ssa + STM_SSA_CR0, g->cr0);
}

/* Read-only fields: report an attempted change (STM_SSA_IGN_*), keep ours. */
static uint32_t stm_ssa_readonly_changed(const uint8_t *ssa,
					 const struct stm_guest_state *g)
{
	uint32_t ign = 0, i;
	uint64_t gdt, idt, ldt;

	if (stm_rt_ld32(ssa + STM_SSA_SMBASE) != g->smbase)
		ign |= STM_SSA_IGN_SMBASE;
	if (stm_rt_ld64(ssa + STM_SSA_EFER) != g->efer)
		ign |= STM_SSA_IGN_EFER;
	if (stm_rt_ld64(ssa + STM_SSA_CR0) != g->cr0 ||
	    stm_rt_ld64(ssa + STM_SSA_CR3) != g->cr3 ||
	    stm_rt_ld32(ssa + STM_SSA_CR4) != (uint32_t)g->cr4 ||
	    stm_rt_ld64(ssa + STM_SSA_DR6) != g->dr6 ||
	    stm_rt_ld64(ssa + STM_SSA_DR7) != g->dr7)
		ign |= STM_SSA_IGN_CR;
	gdt = ((uint64_t)stm_rt_ld32(ssa + STM_SSA_GDT_BASE_HI) << 32) |
	      stm_rt_ld32(ssa + STM_SSA_GDT_BASE_LO);
	idt = ((uint64_t)stm_rt_ld32(ssa + STM_SSA_IDT_BASE_HI) << 32) |
	      stm_rt_ld32(ssa + STM_SSA_IDT_BASE_LO);
	ldt = ((uint64_t)stm_rt_ld32(ssa + STM_SSA_LDT_BASE_HI) << 32) |
	      stm_rt_ld32(ssa + STM_SSA_LDT_BASE_LO);
	if (gdt != g->gdtr_base || idt != g->idtr_base ||
	    ldt != g->seg[STM_SEG_LDTR].base ||
	    stm_rt_ld32(ssa + STM_SSA_GDT_LIMIT) != g->gdtr_limit ||
	    stm_rt_ld32(ssa + STM_SSA_IDT_LIMIT) != g->idtr_limit ||
	    stm_rt_ld32(ssa + STM_SSA_LDT_LIMIT) != g->seg[STM_SEG_LDTR].limit ||
	    stm_rt_ld32(ssa + STM_SSA_LDT_INFO) != g->seg[STM_SEG_LDTR].ar)
		ign |= STM_SSA_IGN_SEG;
	for (i = 0; i < STM_SEG_NR; i++)
		if (stm_rt_ld32(ssa + STM_SSA_ES_SEL + 4u * i) != g->seg[i].sel)
			ign |= STM_SSA_IGN_SEG;
	return ign;
}

/*
 * RIP: must stay valid for the interrupted mode (SDM 26.3.1.4); RFLAGS:
 * the writable bits only, bit 1 stays 1, reserved stay 0.
 */
static uint32_t stm_ssa_sync_rip_rflags(const uint8_t *ssa,
					struct stm_guest_state *g)
{
	uint32_t ign = 0;
	uint64_t rip, rfl;

	rip = stm_rt_ld64(ssa + STM_SSA_RIP);
	if (stm_rip_ok(g, rip))
		g->rip = rip;
	else
		ign |= STM_SSA_IGN_RIP;

	rfl = stm_rt_ld64(ssa + STM_SSA_RFLAGS);
	if ((rfl ^ g->rflags) & ~RF_WRITABLE)
		ign |= STM_SSA_IGN_RFLAGS;
	g->rflags = (g->rflags & ~RF_WRITABLE) | (rfl & RF_WRITABLE);
	return ign;
}

/* SDM 32.12: IORestart = 0xFF re-executes the interrupted I/O instruction. */
static uint32_t stm_ssa_sync_io_restart(const uint8_t *ssa,
					struct stm_guest_state *g)
{
	uint16_t restart = stm_rt_ld16(ssa + STM_SSA_IO_RESTART);

	if (restart == 0)
		return 0;
	if (restart != STM_SSA_RESTART_IO ||
	    g->exit_reason != STM_VMX_EXIT_IO_SMI || !stm_rip_ok(g, g->io_rip))
		return STM_SSA_IGN_IO_RESTART;
	g->rip = g->io_rip;
	g->gpr[STM_GPR_RCX] = g->io_rcx;
	g->gpr[STM_GPR_RSI] = g->io_rsi;
	g->gpr[STM_GPR_RDI] = g->io_rdi;
	return 0;
}

/* SDM 32.13: clearing bit 0 resumes after the HLT instead of halting. */
static uint32_t stm_ssa_sync_auto_halt(const uint8_t *ssa,
				       struct stm_guest_state *g)
{
	uint16_t halt = stm_rt_ld16(ssa + STM_SSA_AUTO_HALT);

	if (g->activity == STM_VMX_ACTIVITY_HLT) {
		if (!(halt & 1u))
			g->activity = 0;
		return 0;
	}
	return (halt & 1u) ? STM_SSA_IGN_AUTO_HALT : 0;
}

uint32_t stm_rt_ssa_read_sync(const uint8_t *ssa, struct stm_guest_state *g)
{
	uint32_t ign, i;

	ign = stm_ssa_readonly_changed(ssa, g);
	/* writable: GPRs, then RIP and RFLAGS, I/O restart, auto HALT */
	for (i = 0; i < STM_GPR_NR; i++)
		g->gpr[stm_ssa_gpr_order[i]] = stm_rt_ld64(ssa + STM_SSA_R15 + 8u * i);
	ign |= stm_ssa_sync_rip_rflags(ssa, g);
	ign |= stm_ssa_sync_io_restart(ssa, g);
	ign |= stm_ssa_sync_auto_halt(ssa, g);
	return ign;
}
