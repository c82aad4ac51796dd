// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: the VMCS database of the per-CPU VMXON regions
 * (STMEXEC_VMCS_DB, STM_API_MANAGE_VMCS_DATABASE): all CPUs or none, and
 * forgotten at every stop (its lifecycle hook).
 */
#include "stmexec.h"
#include "features.h"

#include <linux/cpumask.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/string.h>

/* STM_VMCS_DATABASE_REQUEST.policy (stm-interface.md 7.1) from the ABI. */
static u32 vmcs_db_policy(const struct stmexec_vmcs_db *req)
{
	return (req->domain_type << STM_VMCS_DB_DOMAIN_TYPE_SHIFT &
		STM_VMCS_DB_DOMAIN_TYPE_MASK) |
	       (req->xstate_policy << STM_VMCS_DB_XSTATE_POLICY_SHIFT &
		STM_VMCS_DB_XSTATE_POLICY_MASK) |
	       (req->degradation_policy << STM_VMCS_DB_DEGRADATION_POLICY_SHIFT &
		STM_VMCS_DB_DEGRADATION_POLICY_MASK);
}

static int vmcs_db_one(struct stmexec *sx, void *page, unsigned int cpu,
		       u32 policy, u32 op, u32 *status)
{
	struct stm_vmcs_database_request *rq = page;
	struct stm_regs r;
	int ret;

	memset(rq, 0, sizeof(*rq));
	rq->vmcs_phys_pointer = stmexec_vmxon_pa(sx, cpu);
	rq->policy = policy;
	rq->add_or_remove = op;
	memset(&r, 0, sizeof(r));
	ret = stmexec_call(sx, STM_API_MANAGE_VMCS_DATABASE,
			   virt_to_phys(page), 0, &r);
	*status = ret ? r.eax : STM_SUCCESS;
	return ret;
}

/*
 * The STM forgets its VMCS database when its last CPU stops, and the
 * VMXON regions are new on every enable: nothing stays registered.
 */
static void vmcs_db_on_stop(struct stmexec *sx)
{
	lockdep_assert_held(&sx->lock);
	sx->vmcs_db_added = false;
}

const struct stmexec_hook stmexec_vmcs_db_hook = {
	.name = "vmcs_db",
	.on_stop = vmcs_db_on_stop,
};

/* The request's fields and the state: -EINVAL, -ENXIO, -EEXIST, -ENOENT. */
static int vmcs_db_check(struct stmexec *sx, const struct stmexec_vmcs_db *req)
{
	if (req->op != STMEXEC_VMCS_DB_ADD && req->op != STMEXEC_VMCS_DB_REMOVE)
		return stmexec_fail(sx, -EINVAL,
				    "VMCS_DB: op %u is neither ADD (1) nor REMOVE (0)",
				    req->op);
	if (req->domain_type > 0xf || req->degradation_policy > 0xf)
		return stmexec_fail(sx, -EINVAL,
				    "VMCS_DB: domain_type and degradation_policy are 4-bit values (0..15)");
	if (req->xstate_policy != 0 && req->xstate_policy != 1 &&
	    req->xstate_policy != 3)
		return stmexec_fail(sx, -EINVAL,
				    "VMCS_DB: xstate_policy %u is not 0 (read/write), 1 (read-only) or 3 (scrub)",
				    req->xstate_policy);
	if (sx->state != STMEXEC_STATE_ON)
		return stmexec_fail(sx, -ENXIO,
				    "VMCS_DB needs the monitor on: enable it first");
	if (req->op == STMEXEC_VMCS_DB_ADD && sx->vmcs_db_added)
		return stmexec_fail(sx, -EEXIST,
				    "VMCS_DB: the VMXON regions are already registered; REMOVE first to change the policy");
	if (req->op == STMEXEC_VMCS_DB_REMOVE && !sx->vmcs_db_added)
		return stmexec_fail(sx, -ENOENT,
				    "VMCS_DB: the VMXON regions are not registered");
	return 0;
}

/*
 * @req on every active CPU through the request page @page, all or nothing:
 * a refusal undoes the CPUs already done.
 */
static int vmcs_db_all(struct stmexec *sx, void *page,
		       const struct stmexec_vmcs_db *req)
{
	u32 policy = vmcs_db_policy(req), status = 0, ust;
	unsigned int cpu, undo;
	int ret = 0;

	for_each_cpu(cpu, &sx->active) {
		ret = vmcs_db_one(sx, page, cpu, policy, req->op, &status);
		if (ret)
			break;
	}
	if (!ret)
		return 0;
	for_each_cpu(undo, &sx->active) {
		if (undo == cpu)
			break;
		vmcs_db_one(sx, page, undo, policy, !req->op, &ust);
	}
	ret = -(int)stm_status_errno_refined(status, req->op ?
					     STM_CALL_VMCS_DB_ADD :
					     STM_CALL_VMCS_DB_REMOVE) ?: ret;
	return stmexec_fail(sx, ret,
			    "VMCS_DB %s of CPU %u's VMXON region failed: %s (0x%08x)%s; no CPU changed",
			    req->op ? "ADD" : "REMOVE", cpu,
			    stm_status_name(status), status,
			    status != STM_ERROR_INVALID_VMCS_DATABASE ? "" :
			    req->op ? " (the STM's VMCS database is full)" :
			    " (not registered: ADD it first)");
}

int stmexec_vmcs_db(struct stmexec *sx, const struct stmexec_vmcs_db *req)
{
	struct page *pg;
	int ret;

	lockdep_assert_held(&sx->lock);
	ret = vmcs_db_check(sx, req);
	if (ret)
		return ret;

	/* The STM reads the request by physical address: a page below 4 GiB. */
	pg = alloc_page(GFP_KERNEL | __GFP_DMA32 | __GFP_ZERO);
	if (!pg)
		return stmexec_fail(sx, -ENOMEM,
				    "VMCS_DB: no memory for the request page");
	ret = vmcs_db_all(sx, page_address(pg), req);
	if (!ret)
		sx->vmcs_db_added = req->op == STMEXEC_VMCS_DB_ADD;
	__free_page(pg);
	return ret;
}
