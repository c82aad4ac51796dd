// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * VMCS database (sec. 7): MANAGE_VMCS_DATABASE ADD/REMOVE and the lookup
 * an STM does on each SMI (key = executive-VMCS pointer).
 */
#include "core_priv.h"

void stm_vmcsdb_reset(struct stm_core *c)
{
	stm_memset(c->vmcsdb, 0, (uint64_t)c->vmcsdb_cap * sizeof(c->vmcsdb[0]));
	c->vmcsdb_used = 0;
}

static struct stm_vmcs_rec *stm_vmcsdb_find(const struct stm_core *c,
					    uint64_t ptr)
{
	uint32_t i;

	for (i = 0; i < c->vmcsdb_cap; i++) {
		if (c->vmcsdb[i].occupied && c->vmcsdb[i].ptr == ptr)
			return &c->vmcsdb[i];
	}
	return (struct stm_vmcs_rec *)0;
}

/* Reference RequestVmcsDatabaseEntry(), same order of checks. */
uint32_t stm_vmcsdb_manage(struct stm_core *c, uint64_t req_pa)
{
	struct stm_vmcs_database_request req;
	struct stm_vmcs_rec *rec;
	uint32_t i;

	if (!stm_mle_addr_ok(c, req_pa, sizeof(req)) ||
	    stm_phys_read(c, req_pa, &req, sizeof(req)))
		return STM_ERROR_SECURITY_VIOLATION;
	if (c->vmcsdb_cap == 0)
		return STM_ERROR_INVALID_VMCS_DATABASE;
	if (req.policy & STM_VMCS_DB_RESERVED1_MASK)
		return STM_ERROR_INVALID_PARAMETER;

	if (req.add_or_remove == STM_VMCS_DATABASE_REQUEST_REMOVE) {
		rec = stm_vmcsdb_find(c, req.vmcs_phys_pointer);
		if (!rec)
			return STM_ERROR_INVALID_VMCS_DATABASE;
		rec->occupied = 0;
		c->vmcsdb_used--;
		return STM_SUCCESS;
	}
	if (req.add_or_remove != STM_VMCS_DATABASE_REQUEST_ADD)
		return STM_ERROR_INVALID_PARAMETER;

	if (req.vmcs_phys_pointer & STM_PAGE_MASK)
		stm_compat(c, STM_COMPAT_VMCSDB_UNALIGNED);
	/* the reference adds duplicates silently; so do we, but count it */
	if (stm_vmcsdb_find(c, req.vmcs_phys_pointer))
		stm_compat(c, STM_COMPAT_VMCSDB_DUPLICATE);
	for (i = 0; i < c->vmcsdb_cap; i++) {
		if (!c->vmcsdb[i].occupied) {
			c->vmcsdb[i].ptr = req.vmcs_phys_pointer;
			c->vmcsdb[i].policy = req.policy & ~STM_VMCS_DB_RESERVED1_MASK;
			c->vmcsdb[i].occupied = 1;
			c->vmcsdb_used++;
			return STM_SUCCESS;
		}
	}
	return STM_ERROR_INVALID_VMCS_DATABASE;	/* table full */
}

/*
 * Lookup by executive-VMCS pointer.  Deliberate difference: the reference
 * GetVmcsRecord() also matches emptied records that still hold the pointer
 * (and its terminator record); only occupied records match here.
 */
int stm_core_vmcs_lookup(const struct stm_core *c, uint64_t vmcs_pa,
			 uint32_t *domain_type, uint32_t *xstate_policy,
			 uint32_t *degradation_policy)
{
	const struct stm_vmcs_rec *rec = stm_vmcsdb_find(c, vmcs_pa);
	uint32_t policy = rec ? rec->policy : 0;	/* default: UNPROTECTED, READWRITE */

	if (domain_type)
		*domain_type = (policy & STM_VMCS_DB_DOMAIN_TYPE_MASK) >>
			       STM_VMCS_DB_DOMAIN_TYPE_SHIFT;
	if (xstate_policy)
		*xstate_policy = (policy & STM_VMCS_DB_XSTATE_POLICY_MASK) >>
				 STM_VMCS_DB_XSTATE_POLICY_SHIFT;
	if (degradation_policy)
		*degradation_policy = (policy & STM_VMCS_DB_DEGRADATION_POLICY_MASK) >>
				      STM_VMCS_DB_DEGRADATION_POLICY_SHIFT;
	return rec != (const struct stm_vmcs_rec *)0;
}
