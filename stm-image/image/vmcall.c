// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The executive monitor's VMCALLs while the STM is active: an SMM VM exit
 * with exit reason 18 and bit 29 ("from VMX root", SDM Vol. 3C 32.15.2)
 * on the CPU's SMI-transfer VMCS.  EAX is the function, EBX/ECX/EDX its
 * arguments; request pages are guest-physical = physical (the executive
 * runs in VMX root), read through the STM's identity host paging by the
 * policy core's dispatcher, which decides every answer.  The VMCALL is
 * skipped (guest RIP + exit instruction length), the status is returned in
 * EAX and CF, and the executive is resumed (VMRESUME).
 *
 * PROTECT/UNPROTECT_RESOURCE: after the core changed its protection
 * database, stm_rt_protection_changed() brings the SMM guest's EPT and
 * bitmaps in line (each CPU invalidates on its next SMI); its failure
 * becomes the VMCALL's status, and a failed PROTECT is taken back in the
 * core (runtime/protect.c: all or nothing).  STOP: after the core's STOP the VM entry
 * deactivates the dual-monitor treatment on this CPU (32.15.7) and the CPU
 * gives its index back (activate.c).
 */
#include "rt.h"

/* PROTECT/UNPROTECT accepted by the core: EPT and bitmaps follow */
static uint32_t stm_rt_enforce(void *ctx, uint32_t api, uint64_t list_pa)
{
	const struct stm_rt_cpu *cpu = ctx;
	uint32_t st = stm_rt_protection_changed(api, list_pa);

	if (st != STM_SUCCESS)
		stm_rt_log("stm: cpu %u: VMCALL 0x%x: enforcement failed (0x%x)%s\n",
			   cpu->index, api, st,
			   api == STM_API_PROTECT_RESOURCE ?
			   "; PROTECT taken back" : "");
	return st;
}

int stm_rt_exec_vmcall(struct stm_rt_cpu *cpu, struct stm_rt_regs *regs)
{
	uint64_t insn_len = stm_vmread(VMCS_EXIT_INSN_LEN);
	/* from VMX root the executive's current VMCS is in the link pointer */
	uint64_t vmcs_pa = stm_vmread(VMCS_LINK_POINTER);
	uint32_t func = (uint32_t)regs->rax;
	struct stm_regs r;

	cpu->vmcalls++;
	memset(&r, 0, sizeof(r));
	r.eax = func;
	r.ebx = (uint32_t)regs->rbx;
	r.ecx = (uint32_t)regs->rcx;
	r.edx = (uint32_t)regs->rdx;

	stm_rt_lock();
	stm_rt_core_vmcall(stm_rt.core, cpu->index, vmcs_pa, &r,
			   stm_rt_enforce, cpu);
	if (func == STM_API_STOP && r.eax == STM_SUCCESS) {
		stm_rt_smm_cpu_stop(cpu);
		stm_vmwrite(VMCS_ENTRY_CONTROLS,
			    stm_vmread(VMCS_ENTRY_CONTROLS) |
			    VMX_ENTRY_DEACTIVATE_DM);
		stm_rt_release_index(cpu);
		stm_rt_log("stm: cpu %u: STOP: deactivated, %u CPU(s) still active\n",
			   cpu->index, stm_rt.active);
	}
	stm_rt_unlock();

	cpu->last_status = r.eax;
	regs->rax = r.eax;
	regs->rbx = (regs->rbx & ~0xFFFFFFFFull) | r.ebx;
	regs->rdx = (regs->rdx & ~0xFFFFFFFFull) | r.edx;
	stm_rt_vmcall_complete(regs, r.eax, insn_len);
	return STM_RT_RESUME;
}
