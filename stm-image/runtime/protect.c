// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * An executive-monitor VMCALL through the policy core, with enforcement:
 * after the core accepted a PROTECT/UNPROTECT_RESOURCE, the caller's
 * enforce() brings the SMM guest's EPT and bitmaps in line.  If that fails
 * (ERROR_STM_OUT_OF_RESOURCES: the EPT pool cannot hold the page split),
 * a PROTECT is taken back in the core (UNPROTECT of the same list, then
 * enforce() again so the bitmaps follow the database) and the VMCALL
 * returns enforce()'s status: the request is all or nothing, the core
 * never records a protection the EPT does not enforce.
 *
 * The undo is logged in the event log as the reference's own pair of
 * records (MLE_RESOURCE_PROTECTION_GRANTED, then MLE_RESOURCE_UNPROTECT).
 * Limit: UNPROTECT re-grants a node unconditionally (core/protdb.c), so
 * a PROTECT that repeats a node already protected, then fails here,
 * leaves that node unprotected; the VMCALL's error says so.  A failed
 * UNPROTECT is not undone: the EPT then stays as it was (more
 * restrictive than the database), which is safe, and the status is the
 * error.
 */
#include "rt_priv.h"

void stm_rt_core_vmcall(struct stm_core *c, uint32_t cpu, uint64_t vmcs_pa,
			struct stm_regs *r, stm_rt_enforce_fn enforce,
			void *ctx)
{
	uint32_t func = r->eax;
	uint32_t ebx = r->ebx, ecx = r->ecx;
	uint64_t list_pa = (uint64_t)ecx << 32 | ebx;
	struct stm_regs u;
	uint32_t st;

	stm_core_vmcall(c, cpu, vmcs_pa, r);
	if (r->eax != STM_SUCCESS ||
	    (func != STM_API_PROTECT_RESOURCE &&
	     func != STM_API_UNPROTECT_RESOURCE))
		return;
	st = enforce(ctx, func, list_pa);
	if (st == STM_SUCCESS)
		return;
	if (func == STM_API_PROTECT_RESOURCE) {
		u.eax = STM_API_UNPROTECT_RESOURCE;
		u.ebx = ebx;
		u.ecx = ecx;
		u.edx = 0;
		u.cf = 0;
		stm_core_vmcall(c, cpu, vmcs_pa, &u);
		/* shrinking the deny set splits nothing: cannot run out */
		if (u.eax == STM_SUCCESS)
			(void)enforce(ctx, STM_API_UNPROTECT_RESOURCE, list_pa);
	}
	r->eax = st;
	r->cf = 1;
}
