// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Construction of the per-CPU SMI-transfer VMCS from the activation VMCS,
 * and the return of an executive-monitor VMCALL: pure C over the
 * stm_vmread()/stm_vmwrite() accessor (include/stm/vmcs.h), so that it is
 * unit tested in userspace against a fake VMCS (tests/rt_vmcs.c).
 *
 * SDM Vol. 3C 32.15.6 (activation): the activating VMCALL is an SMM VM
 * exit that saves the executive monitor's state in the guest-state area
 * of the current VMCS (the activation VMCS), stores the VMXON pointer in
 * its executive-VMCS pointer field and the current-VMCS pointer in its
 * VMCS-link pointer field, and loads the STM's state from the MSEG
 * header.  The STM copies that VMCS into its own page (the activation
 * VMCS belongs to the executive monitor and lives outside MSEG), gives the
 * copy a host-state area and VM-exit controls for its own entry point,
 * and VMLAUNCHes it: a VM entry that returns from SMM to VMX root
 * (32.15.4), after which the copy is the SMM-transfer VMCS (32.15.4.7).
 */
#include "rt.h"

/* Fields copied from the activation VMCS (the executive's state). */
static const uint32_t stm_copy_fields[] = {
	VMCS_GUEST_ES_SEL, VMCS_GUEST_CS_SEL, VMCS_GUEST_SS_SEL,
	VMCS_GUEST_DS_SEL, VMCS_GUEST_FS_SEL, VMCS_GUEST_GS_SEL,
	VMCS_GUEST_LDTR_SEL, VMCS_GUEST_TR_SEL,
	VMCS_EXECUTIVE_VMCS_PTR, VMCS_LINK_POINTER, VMCS_GUEST_DEBUGCTL,
	VMCS_GUEST_PAT, VMCS_GUEST_EFER,
	VMCS_GUEST_ES_LIMIT, VMCS_GUEST_CS_LIMIT, VMCS_GUEST_SS_LIMIT,
	VMCS_GUEST_DS_LIMIT, VMCS_GUEST_FS_LIMIT, VMCS_GUEST_GS_LIMIT,
	VMCS_GUEST_LDTR_LIMIT, VMCS_GUEST_TR_LIMIT,
	VMCS_GUEST_GDTR_LIMIT, VMCS_GUEST_IDTR_LIMIT,
	VMCS_GUEST_ES_AR, VMCS_GUEST_CS_AR, VMCS_GUEST_SS_AR,
	VMCS_GUEST_DS_AR, VMCS_GUEST_FS_AR, VMCS_GUEST_GS_AR,
	VMCS_GUEST_LDTR_AR, VMCS_GUEST_TR_AR,
	VMCS_GUEST_INTERRUPTIBILITY, VMCS_GUEST_ACTIVITY, VMCS_GUEST_SMBASE,
	VMCS_GUEST_SYSENTER_CS,
	VMCS_GUEST_CR0, VMCS_GUEST_CR3, VMCS_GUEST_CR4,
	VMCS_GUEST_ES_BASE, VMCS_GUEST_CS_BASE, VMCS_GUEST_SS_BASE,
	VMCS_GUEST_DS_BASE, VMCS_GUEST_FS_BASE, VMCS_GUEST_GS_BASE,
	VMCS_GUEST_LDTR_BASE, VMCS_GUEST_TR_BASE,
	VMCS_GUEST_GDTR_BASE, VMCS_GUEST_IDTR_BASE,
	VMCS_GUEST_DR7, VMCS_GUEST_RSP, VMCS_GUEST_RIP, VMCS_GUEST_RFLAGS,
	VMCS_GUEST_PENDING_DBG, VMCS_GUEST_SYSENTER_ESP,
	VMCS_GUEST_SYSENTER_EIP,
	/* read-only exit information, taken for the VMCALL's return */
	VMCS_EXIT_REASON, VMCS_EXIT_INSN_LEN,
};

#define STM_NCOPY	(sizeof(stm_copy_fields) / sizeof(uint32_t))

STM_STATIC_ASSERT(STM_NCOPY <= STM_RT_SNAP_MAX, "snapshot capacity");

uint32_t stm_rt_snap_nfields(void)
{
	return STM_NCOPY;
}

uint32_t stm_rt_snap_field(uint32_t i)
{
	return i < stm_rt_snap_nfields() ? stm_copy_fields[i] : 0;
}

void stm_rt_vmcs_snapshot(struct stm_rt_vmcs_snap *s)
{
	uint32_t i;

	for (i = 0; i < stm_rt_snap_nfields(); i++)
		s->val[i] = stm_vmread(stm_copy_fields[i]);
}

uint64_t stm_rt_snap_get(const struct stm_rt_vmcs_snap *s, uint32_t field)
{
	uint32_t i;

	for (i = 0; i < stm_rt_snap_nfields(); i++)
		if (stm_copy_fields[i] == field)
			return s->val[i];
	return 0;
}

/*
 * A VMX control value the CPU accepts: the capability MSR's allowed-0
 * settings (bits 31:0, must be 1) and allowed-1 settings (bits 63:32, may
 * be 1); SDM Vol. 3D A.3-A.5.
 */
uint32_t stm_rt_ctl_adjust(uint64_t cap, uint32_t want)
{
	return (want | (uint32_t)cap) & (uint32_t)(cap >> 32);
}

/* A wanted control bit the CPU does not allow: 1 if `want` fits `cap`. */
int stm_rt_ctl_ok(uint64_t cap, uint32_t want)
{
	return (want & ~(uint32_t)(cap >> 32)) == 0;
}

/*
 * Write the SMI-transfer VMCS (current, freshly VMCLEARed) from the
 * activation snapshot and the STM's host state.  Returns STM_SUCCESS, or
 * STM_ERROR_UNSPECIFIED if the CPU cannot give the controls the STM needs
 * (64-bit host; IA-32e guest for a 64-bit executive monitor).
 */
uint32_t stm_rt_smi_vmcs_write(const struct stm_rt_vmcs_snap *s,
			       const struct stm_rt_host *h)
{
	uint32_t exit_ctls, entry_ctls = 0, intr;
	uint64_t cs_ar = stm_rt_snap_get(s, VMCS_GUEST_CS_AR);
	uint32_t i;

	for (i = 0; i < stm_rt_snap_nfields(); i++) {
		uint32_t f = stm_copy_fields[i];

		/* read-only fields are not written (VMWRITE would fail) */
		if (((f >> 10) & 3u) == 1u)
			continue;
		stm_vmwrite(f, s->val[i]);
	}

	/*
	 * The return to VMX root (32.15.4.3-4.4): no event injection, the
	 * guest-state checks as if the VM-execution controls were 0; SMIs
	 * unblocked after the return (32.15.4.9: blocking by SMI comes from
	 * the interruptibility field), the CPU active.
	 */
	intr = (uint32_t)stm_rt_snap_get(s, VMCS_GUEST_INTERRUPTIBILITY);
	stm_vmwrite(VMCS_GUEST_INTERRUPTIBILITY, intr & ~VMX_INTR_BLOCK_SMI);
	stm_vmwrite(VMCS_GUEST_ACTIVITY, 0);
	stm_vmwrite(VMCS_ENTRY_INTR_INFO, 0);
	stm_vmwrite(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	stm_vmwrite(VMCS_EXIT_MSR_STORE_COUNT, 0);
	stm_vmwrite(VMCS_EXIT_MSR_LOAD_COUNT, 0);

	/* VM-execution controls: never checked on a return to root */
	stm_vmwrite(VMCS_PIN_CONTROLS, stm_rt_ctl_adjust(h->pin_cap, 0));
	stm_vmwrite(VMCS_PROC_CONTROLS, stm_rt_ctl_adjust(h->proc_cap, 0));
	stm_vmwrite(VMCS_EXCEPTION_BITMAP, 0);
	stm_vmwrite(VMCS_CR3_TARGET_COUNT, 0);

	/* the executive monitor runs in IA-32e mode if its CS is 64-bit */
	if (cs_ar & STM_AR_L)
		entry_ctls |= VMX_ENTRY_IA32E_GUEST;
	if (!stm_rt_ctl_ok(h->entry_cap, entry_ctls) ||
	    !stm_rt_ctl_ok(h->exit_cap, VMX_EXIT_HOST_64))
		return STM_ERROR_UNSPECIFIED;
	entry_ctls = stm_rt_ctl_adjust(h->entry_cap, entry_ctls);
	/*
	 * Neither PAT nor EFER is loaded or saved: EFER.LMA/LME follow the
	 * IA-32e controls, everything else in them is the executive's
	 * (the activating SMM VM exit left them alone, 32.15.6.5).  The
	 * "dual-monitor" entry controls are set only where they are meant.
	 */
	entry_ctls &= ~(VMX_ENTRY_TO_SMM | VMX_ENTRY_DEACTIVATE_DM |
			VMX_ENTRY_LOAD_PAT | VMX_ENTRY_LOAD_EFER);
	stm_vmwrite(VMCS_ENTRY_CONTROLS, entry_ctls);
	exit_ctls = stm_rt_ctl_adjust(h->exit_cap, VMX_EXIT_HOST_64);
	exit_ctls &= ~(VMX_EXIT_LOAD_PAT | VMX_EXIT_LOAD_EFER |
		       VMX_EXIT_SAVE_PAT | VMX_EXIT_SAVE_EFER |
		       VMX_EXIT_ACK_INTR);
	stm_vmwrite(VMCS_EXIT_CONTROLS, exit_ctls);

	/* host state: the STM (SDM 27.5 loads it on every SMM VM exit) */
	stm_rt_vmcs_host_write(&h->state, h->rip);
	return STM_SUCCESS;
}

/*
 * RFLAGS of a VMCALL's return to the executive monitor: the caller's
 * RFLAGS with the arithmetic flags cleared and CF = 1 on an error status,
 * as the real STMs report it (EAX = status, CF = error).  IF and every
 * other system flag are kept: the SDM's VMCALL leaves them alone, and a
 * caller that made the call with interrupts on gets them back on
 * (Documentation/stm-image.rst, "Runtime": J and E return RFLAGS = 2).
 */
uint64_t stm_rt_vmcall_rflags(uint64_t rflags, uint32_t status)
{
	rflags &= ~(X86_RFLAGS_CF | X86_RFLAGS_PF | X86_RFLAGS_AF |
		    X86_RFLAGS_ZF | X86_RFLAGS_SF | X86_RFLAGS_OF);
	rflags |= X86_RFLAGS_FIXED;
	if (status != STM_SUCCESS)
		rflags |= X86_RFLAGS_CF;
	return rflags;
}

/* Complete a VMCALL on the current VMCS: skip it, status in EAX and CF. */
void stm_rt_vmcall_complete(struct stm_rt_regs *regs, uint32_t status,
			    uint64_t insn_len)
{
	stm_vmwrite(VMCS_GUEST_RIP, stm_vmread(VMCS_GUEST_RIP) + insn_len);
	stm_vmwrite(VMCS_GUEST_RFLAGS,
		    stm_rt_vmcall_rflags(stm_vmread(VMCS_GUEST_RFLAGS), status));
	regs->rax = status;	/* zero-extended, as the real STMs write it */
}

/*
 * The range IA32_SMRR_PHYSBASE/PHYSMASK describe (SDM Vol. 3C 32.4.2.1):
 * 0/0 if the valid bit (mask bit 11) is clear.  The size is the lowest set
 * bit of the mask: firmware often writes a 32-bit mask, so bits 32 and up
 * of it are not trusted to be set (taking ~mask + 1 would give a range of
 * terabytes, and every address would be "in TSEG").
 */
void stm_rt_smrr_range(uint64_t physbase, uint64_t physmask,
		       uint32_t phys_bits, uint64_t *base, uint64_t *size)
{
	uint64_t lim = phys_bits >= 64 ? ~0ull : (1ull << phys_bits) - 1;
	uint64_t mask = physmask & ~0xFFFull & lim;

	*base = 0;
	*size = 0;
	if (!(physmask & 0x800u) || !mask)
		return;
	*size = mask & (~mask + 1);
	*base = physbase & ~0xFFFull & lim & ~(*size - 1);
}

/*
 * Is there room in MSEG for what the STM lays out for the MADT's CPUs
 * (@need bytes from the MSEG base: image, heap, stacks, VMCS pairs)?  The
 * hardware does not tell the STM the MSEG size, but MSEG lies in TSEG on
 * real platforms (EDK II, coreboot carve it out of TSEG), and TSEG is
 * what SMRR describes: MSEG cannot reach past the TSEG end.  1 when it
 * fits, or when it cannot be known (no SMRR, or MSEG outside TSEG, as in
 * the stmfw test firmware whose MSEG is ordinary RAM); 0 when it does not.
 */
int stm_rt_mseg_room(uint64_t mseg_base, uint64_t need, uint64_t tseg_base,
		     uint64_t tseg_size)
{
	if (!tseg_size || mseg_base < tseg_base ||
	    mseg_base - tseg_base >= tseg_size)
		return 1;
	return need <= tseg_size - (mseg_base - tseg_base);
}
