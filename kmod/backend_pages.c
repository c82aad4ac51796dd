// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: the per-CPU monitor pages of both backends - the VMXON region
 * and the activation VMCS of every possible CPU - in ONE physically
 * contiguous, zeroed allocation below 4 GiB.
 *
 * Why one allocation: the default policy denies SMM every page of the
 * monitor (kmod/policy.c, class "monitor"), and the STM spends one node of
 * its small heap on every descriptor (Documentation/admin-guide/
 * stmexec-policy.rst, "The STM node budget"). Two scattered pages per CPU
 * would be 2 x CPUs descriptors (32 on a 16-CPU machine, twice the goal
 * for the whole default policy); one block is one descriptor whatever the
 * CPU count (up to 256 CPUs, see SX_CPU_PAGES_MAX_ORDER).
 *
 * Why below 4 GiB: an activation VMCS above 4 GiB is known to hang one STM
 * and the reference STM's page tables cover only the first 4 GiB
 * (stm-interface.md 1.2). Layout: page 2 * cpu is CPU cpu's VMXON region,
 * page 2 * cpu + 1 its activation VMCS; each is 4 KiB aligned as VMXON
 * and VMPTRLD require (SDM Vol. 3C, 25.11.5 and 30.3).
 *
 * Also here, for both backends: what a VMCALL's VMfailValid means
 * (stmexec_vmcall_failvalid()), the vmx backend's reading of the CPU and
 * the simulated STM's rendering of it.
 *
 * What is traded: the block comes from one NUMA node (the allocating
 * CPU's), so on a multi-node machine the other nodes' CPUs reach their
 * VMXON region and VMCS remotely. The CPU touches them at VMXON/VMPTRLD
 * and on SMM VM exits, which are rare; the STM node budget is not.
 *
 * Fallback: when no block of the needed order is free in ZONE_DMA32
 * (fragmentation), or for more than 256 CPUs, the pages come in several
 * equal blocks of the largest order that succeeds (each one descriptor),
 * and the load says how many STM descriptors that costs: never silently.
 * Only when not even single pages are free does init fail with -ENOMEM.
 */
#include "stmexec.h"
#include "backend.h"
#include "vmx.h"

#include <linux/gfp.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/io.h>

/*
 * Largest block: 2 MiB (order 9, 256 CPUs), below the buddy allocator's
 * limit on every supported kernel (orders 0-10 on both 6.1, MAX_ORDER 11
 * exclusive, and 6.12, MAX_PAGE_ORDER 10 inclusive), and one naturally
 * aligned EPT large page: the STM splits at most the pages at its ends.
 */
#define SX_CPU_PAGES_MAX_ORDER	9

struct stmexec_cpu_pages {
	unsigned int order;		/* of each block */
	unsigned int nblocks;
	unsigned long block[];		/* kernel virtual address of each */
};

static void sx_cpu_pages_release(struct stmexec_cpu_pages *p)
{
	unsigned int i;

	for (i = 0; i < p->nblocks; i++)
		if (p->block[i])
			free_pages(p->block[i], p->order);
}

/* All blocks of @order, or none (then 0 blocks are left allocated). */
static bool sx_cpu_pages_try(struct stmexec_cpu_pages *p, unsigned int order,
			     unsigned int npages)
{
	unsigned int i;

	p->order = order;
	p->nblocks = DIV_ROUND_UP(npages, 1U << order);
	for (i = 0; i < p->nblocks; i++) {
		/* order 0 is the last resort: let the allocator warn there */
		p->block[i] = __get_free_pages(GFP_KERNEL | __GFP_DMA32 |
					       __GFP_ZERO |
					       (order ? __GFP_NOWARN : 0),
					       order);
		if (!p->block[i]) {
			sx_cpu_pages_release(p);
			memset(p->block, 0, p->nblocks * sizeof(p->block[0]));
			return false;
		}
	}
	return true;
}

/**
 * stmexec_cpu_pages_alloc - the VMXON region and VMCS of every possible CPU
 * @sx: the device, for the message
 * @who: the backend's name, for the message
 *
 * Return: the pages (stmexec_cpu_pages_free()), or NULL with
 * stmexec_fail() called (-ENOMEM).
 */
struct stmexec_cpu_pages *stmexec_cpu_pages_alloc(struct stmexec *sx,
						  const char *who)
{
	unsigned int npages = 2 * nr_cpu_ids;
	unsigned int order = min_t(unsigned int, get_order(npages * PAGE_SIZE),
				   SX_CPU_PAGES_MAX_ORDER);
	struct stmexec_cpu_pages *p;

	/* room for the most blocks: order 0, one page each */
	p = kzalloc(struct_size(p, block, npages), GFP_KERNEL);
	if (!p) {
		stmexec_fail(sx, -ENOMEM,
			     "%s: no memory for the per-CPU page table", who);
		return NULL;
	}
	for (;;) {
		if (sx_cpu_pages_try(p, order, npages))
			break;
		if (!order--) {
			kfree(p);
			stmexec_fail(sx, -ENOMEM,
				     "%s: no %u free pages below 4 GiB for the VMXON regions and activation VMCSs of %u possible CPUs",
				     who, npages, nr_cpu_ids);
			return NULL;
		}
	}
	if (p->nblocks > 1)
		pr_warn("%s: the VMXON regions and activation VMCSs of %u possible CPUs are in %u blocks of %lu KiB (below 4 GiB memory is fragmented%s): the monitor policy spends up to %u STM descriptors on them instead of 1\n",
			who, nr_cpu_ids, p->nblocks, (PAGE_SIZE << p->order) / 1024,
			npages > (1U << SX_CPU_PAGES_MAX_ORDER) ?
			", or more than 256 CPUs" : "", p->nblocks);
	return p;
}

void stmexec_cpu_pages_free(struct stmexec_cpu_pages *p)
{
	if (!p)
		return;
	sx_cpu_pages_release(p);
	kfree(p);
}

/**
 * stmexec_cpu_page - one page of the block
 * @p: the pages
 * @cpu: a possible CPU
 * @which: STMEXEC_CPU_VMXON or STMEXEC_CPU_VMCS
 * @pa: its physical address (out)
 *
 * Return: its kernel virtual address.
 */
void *stmexec_cpu_page(const struct stmexec_cpu_pages *p, unsigned int cpu,
		       unsigned int which, u64 *pa)
{
	unsigned int idx = 2 * cpu + which;
	unsigned long va = p->block[idx >> p->order] +
			   ((idx & ((1U << p->order) - 1)) << PAGE_SHIFT);

	*pa = virt_to_phys((void *)va);
	return (void *)va;
}

/* Call @fn once per block: one STM descriptor for all CPUs in one block. */
int stmexec_cpu_pages_regions(const struct stmexec_cpu_pages *p,
			      stmexec_region_fn fn, void *arg,
			      const char *what)
{
	unsigned int i, left = 2 * nr_cpu_ids;
	int ret;

	for (i = 0; i < p->nblocks; i++) {
		unsigned int n = min(left, 1U << p->order);

		ret = fn(arg, virt_to_phys((void *)p->block[i]),
			 (u64)n << PAGE_SHIFT, what);
		if (ret)
			return ret;
		left -= n;
	}
	return 0;
}

/*
 * A STOP the CPU refused as an activation attempt (STMEXEC_VMCALL_INACTIVE):
 * logged once per CPU, since the CPU then leaves sx->reachable.
 */
static int sx_vmcall_inactive(unsigned int cpu, unsigned long err)
{
	pr_warn("CPU %u: STOP refused by the CPU (VMfailValid, VM-instruction error %lu): the STM is not active on this CPU (it deactivated the dual-monitor treatment, e.g. when it refused START); leaving VMX operation there\n",
		cpu, err);
	return STMEXEC_VMCALL_INACTIVE;
}

/*
 * A VMCALL came back VMfailValid with VM-instruction error @err: what it
 * means (the vmx backend, and the simulated STM when it plays the CPU's
 * refusal).
 */
int stmexec_vmcall_failvalid(struct stmexec *sx, unsigned int cpu, u32 func,
			     unsigned long err)
{
	/*
	 * Errors 19, 20, 22 and 24 come only from an activation attempt, after
	 * the CPU found the dual-monitor treatment inactive (SDM Vol. 3C
	 * 32.15.6, VMCALL pseudo-code): on STOP the STM is not active here.
	 */
	if (func == STM_API_STOP &&
	    (err == SX_VMXERR_VMCALL_NOT_CLEAR ||
	     err == SX_VMXERR_VMCALL_EXIT_CTLS ||
	     err == SX_VMXERR_VMCALL_MSEG_REV ||
	     err == SX_VMXERR_VMCALL_MSEG_FEATURES))
		return sx_vmcall_inactive(cpu, err);

	switch (err) {
	case SX_VMXERR_VMCALL_IN_ROOT:
		return stmexec_fail(sx, -ENODEV,
				    "CPU %u: VMCALL refused in VMX root (error 1): the dual-monitor treatment is not enabled: no STM",
				    cpu);
	case SX_VMXERR_VMCALL_MSEG_REV:
		return stmexec_fail(sx, -ENODEV,
				    "CPU %u: the STM image's MSEG revision does not match IA32_VMX_MISC[63:32] (error 22): wrong STM for this CPU",
				    cpu);
	case SX_VMXERR_VMCALL_MSEG_FEATURES:
		return stmexec_fail(sx, -ENODEV,
				    "CPU %u: invalid SMM-monitor features in the MSEG header (error 24): broken STM image",
				    cpu);
	default:
		return stmexec_fail(sx, -EIO,
				    "CPU %u: VMCALL 0x%08x: VMfailValid, VM-instruction error %lu%s",
				    cpu, func, err,
				    err == SX_VMXERR_VMCALL_NOT_CLEAR ||
				    err == SX_VMXERR_VMCALL_EXIT_CTLS ?
				    " (activation VMCS: module bug)" : "");
	}
}
