// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: the lifecycle's per-CPU steps and its one VMCALL: names of the
 * states and calls, the STM status -> errno (the core's one table),
 * stmexec_call(), enter, START, STOP and leave on the CPU itself (counted
 * and timed), and the regions the STM must keep SMM away from. The state
 * machine that runs them is lifecycle.c.
 */
#include "stmexec.h"
#include "lifecycle.h"

#include <linux/cpumask.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <linux/vmalloc.h>
#include <asm/io.h>

static const char *const sx_state_names[] = {
	[STMEXEC_STATE_OFF] = "off",
	[STMEXEC_STATE_STARTING] = "starting",
	[STMEXEC_STATE_ON] = "on",
	[STMEXEC_STATE_STOPPING] = "stopping",
	[STMEXEC_STATE_FAILED] = "failed",
};

const char *stmexec_state_name(u32 state)
{
	if (state < ARRAY_SIZE(sx_state_names) && sx_state_names[state])
		return sx_state_names[state];
	return "unknown";
}

static const char *const sx_call_names[STMEXEC_NR_CALL_IDX] = {
	"other", "start", "stop", "protect", "unprotect", "get_bios",
	"vmcs_db", "init", "event_log",
};

const char *stmexec_call_name(unsigned int idx)
{
	return idx < STMEXEC_NR_CALL_IDX ? sx_call_names[idx] : "?";
}

u64 stmexec_cpu_calls(struct stmexec *sx, unsigned int cpu, unsigned int idx)
{
	if (!sx->pcpu || idx >= STMEXEC_NR_CALL_IDX)
		return 0;
	return READ_ONCE(per_cpu_ptr(sx->pcpu, cpu)->calls[idx]);
}

/* ---- STM status -> errno ------------------------------------------------- */

/*
 * The generic column of the one status table (stm-image/core/status.c),
 * described in Documentation/admin-guide/stmexec.rst; callers that know
 * the kind of call refine it with stm_status_errno_refined(), and callers
 * that know better still (e.g. UNPROTECTABLE_RESOURCE as an overlap with
 * the BIOS list) may refine it further. The core numbers errnos as Linux
 * does, without the kernel's headers:
 */
static_assert(STM_ENOENT == ENOENT && STM_EIO == EIO && STM_ENXIO == ENXIO);
static_assert(STM_EACCES == EACCES && STM_EBUSY == EBUSY &&
	      STM_EINVAL == EINVAL && STM_ENOSPC == ENOSPC);
static_assert(STM_ERANGE == ERANGE && STM_EOPNOTSUPP == EOPNOTSUPP &&
	      STM_EADDRINUSE == EADDRINUSE && STM_EALREADY == EALREADY);

int stmexec_status_to_errno(u32 status)
{
	return -(int)stm_status_errno(status, STM_CALL_ANY);
}

/* ---- one VMCALL ---------------------------------------------------------- */

static unsigned int sx_call_idx(u32 func)
{
	if (func >= STM_API_START && func <= STM_API_MANAGE_EVENT_LOG)
		return func - STM_API_START + 1;
	return 0;
}

/*
 * On @cpu itself, preemption or interrupts disabled. Every VMCALL runs with
 * interrupts saved and disabled and restores them afterwards: J and E return
 * from an activating VMCALL with RFLAGS = 0x2 (J Init/VmcsInit.c:113, E
 * :123), so IF must come from our saved flags, never from the STM.
 */
int sx_vmcall(struct stmexec *sx, unsigned int cpu, struct stm_regs *r)
{
	struct stmexec_cpu *pc = per_cpu_ptr(sx->pcpu, cpu);
	unsigned int idx = sx_call_idx(r->eax);
	unsigned long flags;
	int ret;

	WARN_ON_ONCE(cpu != raw_smp_processor_id());
	WRITE_ONCE(pc->calls[idx], pc->calls[idx] + 1);
	local_irq_save(flags);
	ret = sx->ops->vmcall(sx, cpu, r);
	local_irq_restore(flags);
	return ret;
}

int stmexec_call(struct stmexec *sx, u32 func, u64 pa, u32 edx,
		 struct stm_regs *r)
{
	unsigned int cpu;
	int ret;

	r->eax = func;
	r->ebx = lower_32_bits(pa);
	r->ecx = upper_32_bits(pa);
	r->edx = edx;
	r->cf = 0;

	cpu = get_cpu();
	if (!cpumask_test_cpu(cpu, &sx->reachable)) {
		put_cpu();
		return stmexec_fail(sx, -ENXIO,
				    "VMCALL 0x%08x on CPU %u: the STM is not active on this CPU (monitor %s)",
				    func, cpu, stmexec_state_name(READ_ONCE(sx->state)));
	}
	ret = sx_vmcall(sx, cpu, r);
	put_cpu();
	if (ret)
		return ret;
	return stmexec_status_to_errno(r->eax);
}

/* ---- per-CPU steps (on the CPU itself) ----------------------------------- */

int sx_cpu_enter(struct stmexec *sx, unsigned int cpu)
{
	struct stmexec_cpu *pc = per_cpu_ptr(sx->pcpu, cpu);
	u64 t0 = ktime_get_ns();
	int ret;

	if (pc->entered)
		return 0;
	ret = sx->ops->cpu_enter(sx, cpu);
	if (!ret)
		pc->entered = true;
	WRITE_ONCE(pc->ns_enter, ktime_get_ns() - t0);
	return ret;
}

int sx_cpu_leave(struct stmexec *sx, unsigned int cpu)
{
	struct stmexec_cpu *pc = per_cpu_ptr(sx->pcpu, cpu);
	u64 t0 = ktime_get_ns();
	int ret;

	if (!pc->entered)
		return 0;
	ret = sx->ops->cpu_leave(sx, cpu);
	if (!ret)
		pc->entered = false;
	WRITE_ONCE(pc->ns_leave, ktime_get_ns() - t0);
	return ret;
}

/* START on this CPU; interrupts off. */
int sx_cpu_start(struct stmexec *sx, unsigned int cpu)
{
	struct stmexec_cpu *pc = per_cpu_ptr(sx->pcpu, cpu);
	struct stm_regs r = { .eax = STM_API_START };
	u64 t0 = ktime_get_ns();
	int ret;

	lockdep_assert_irqs_disabled();
	WRITE_ONCE(pc->start_status, 0);
	ret = sx_vmcall(sx, cpu, &r);
	if (ret)
		goto out;	/* nothing answered: not activated */
	/* The STM answered: dual-monitor treatment is active here now. */
	cpumask_set_cpu(cpu, &sx->reachable);
	if (r.eax != STM_SUCCESS) {
		WRITE_ONCE(pc->start_status, r.eax);
		ret = stmexec_fail(sx, stmexec_status_to_errno(r.eax),
				   "CPU %u: START failed: %s (0x%08x)", cpu,
				   stm_status_name(r.eax), r.eax);
		goto out;
	}
	cpumask_set_cpu(cpu, &sx->active);
out:
	WRITE_ONCE(pc->ns_start, ktime_get_ns() - t0);
	return ret;
}

/* STOP on this CPU if the STM is active here; interrupts off. */
int sx_cpu_stop(struct stmexec *sx, unsigned int cpu)
{
	struct stmexec_cpu *pc = per_cpu_ptr(sx->pcpu, cpu);
	struct stm_regs r = { .eax = STM_API_STOP };
	u64 t0 = ktime_get_ns();
	int ret;

	lockdep_assert_irqs_disabled();
	/*
	 * Never activated here: nothing to stop, and a STOP would itself be
	 * this CPU's activating VMCALL, which the reference STM does not
	 * survive.
	 */
	if (!cpumask_test_cpu(cpu, &sx->reachable)) {
		cpumask_clear_cpu(cpu, &sx->active);
		return 0;
	}
	/*
	 * Test build, debugfs skip_stop_cpu (a real STM only): report success
	 * without the STOP, so that the leave's VMXOFF meets an active STM
	 * (error 23, kmod-review F14). The STM stays active there and the
	 * CPU stays in sx->reachable, so a disable after the knob is cleared
	 * STOPs it.
	 */
	if (IS_ENABLED(CONFIG_STMEXEC_SIM) &&
	    READ_ONCE(sx->faults.skip_stop_cpu) == (s32)cpu) {
		pr_warn("CPU %u: STOP skipped (debugfs skip_stop_cpu): the STM stays active there\n",
			cpu);
		return 0;
	}
	/*
	 * The current VMCS is the activation VMCS, never clear here: START
	 * made it current and the STM launched it (when it left through it)
	 * or left it as it was, so a STOP on a CPU without the treatment is
	 * refused (error 19) and is never a second activation.
	 */
	ret = sx_vmcall(sx, cpu, &r);
	if (ret == STMEXEC_VMCALL_INACTIVE) {
		ret = 0;
		goto stopped;
	}
	if (ret)
		goto out;
	if (r.eax != STM_SUCCESS) {
		ret = stmexec_fail(sx, stmexec_status_to_errno(r.eax),
				   "CPU %u: STOP failed: %s (0x%08x); the STM stays active there",
				   cpu, stm_status_name(r.eax), r.eax);
		goto out;
	}
stopped:
	cpumask_clear_cpu(cpu, &sx->active);
	cpumask_clear_cpu(cpu, &sx->reachable);
out:
	WRITE_ONCE(pc->ns_stop, ktime_get_ns() - t0);
	return ret;
}

/* ---- regions the STM must keep SMM away from ------------------------------ */

u64 stmexec_vmxon_pa(struct stmexec *sx, unsigned int cpu)
{
	if (!sx->ops || cpu >= nr_cpu_ids)
		return 0;
	return sx->ops->vmxon_pa(sx, cpu);
}

/* The module text is vmalloc memory: report it as physically contiguous runs. */
static int sx_module_text(stmexec_region_fn fn, void *arg)
{
	unsigned long size, off;
	u64 run = 0, len = 0;
	void *base;
	int ret;

	stmexec_module_text(THIS_MODULE, &base, &size);
	for (off = 0; off < size; off += PAGE_SIZE) {
		u64 pa = PFN_PHYS(vmalloc_to_pfn(base + off));

		if (len && pa == run + len) {
			len += PAGE_SIZE;
			continue;
		}
		if (len) {
			ret = fn(arg, run, len, "module text");
			if (ret)
				return ret;
		}
		run = pa;
		len = PAGE_SIZE;
	}
	return len ? fn(arg, run, len, "module text") : 0;
}

int stmexec_walk_regions(struct stmexec *sx, stmexec_region_fn fn, void *arg)
{
	int ret;

	ret = sx->ops->for_each_region(sx, fn, arg);
	if (ret)
		return ret;
	ret = fn(arg, virt_to_phys(sx->bios_bounce),
		 SX_BIOS_MAX_PAGES * PAGE_SIZE, "BIOS-list buffer");
	if (ret)
		return ret;
	return sx_module_text(fn, arg);
}

/* debugfs "timings": the last duration of each per-CPU step, in ns. */
void stmexec_cpu_timings(struct stmexec *sx, unsigned int cpu, u64 *ns)
{
	struct stmexec_cpu *pc = per_cpu_ptr(sx->pcpu, cpu);

	ns[0] = READ_ONCE(pc->ns_enter);
	ns[1] = READ_ONCE(pc->ns_start);
	ns[2] = READ_ONCE(pc->ns_stop);
	ns[3] = READ_ONCE(pc->ns_leave);
}
