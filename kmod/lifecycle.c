// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: the executive monitor's lifecycle on every CPU.
 *
 * States (sysfs "state"): off -> starting -> on -> stopping -> off, and
 * failed. Every transition is logged once at info level.
 *
 * Enable, in this order, all under sx->lock and cpus_read_lock() so that no
 * CPU comes or goes between the steps:
 *
 *  0. Refused (-EHOSTDOWN, naming the CPUs) unless every present CPU is
 *     online: an offline CPU takes SMIs outside the STM, and coreboot's STM
 *     waits at START for every CPU its MADT counts. The BIOS-list buffer
 *     is allocated here, before the STM is touched.
 *  1. cpuhp_setup_state_cpuslocked(CPUHP_AP_ONLINE_DYN) runs sx_cpu_online()
 *     on every online CPU, each in its own hotplug thread, which "enters"
 *     the CPU (vmx: CR4.VMXE, VMXON, activation VMCS; no VMCALL). If one CPU
 *     fails, the hotplug core calls sx_cpu_offline() on the CPUs already
 *     entered (leave), so the step is all-or-nothing by construction.
 *  2. On one CPU (the one the enabling task runs on, preemption off from
 *     here to its own START in step 3): INITIALIZE_PROTECTION, the
 *     platform's first VMCALL; then GET_BIOS_RESOURCES until EDX = 0 into
 *     the buffer.
 *     Strictly before any other CPU's first VMCALL, as the reference STM
 *     requires (stm-interface.md 3.1, 3.3). From here to this CPU's START
 *     its SMIs are blocked: VMCALLs only, nothing that allocates or sleeps.
 *  3. START on every online CPU, each its own VMCALL on that CPU: an
 *     asynchronous IPI to every other CPU first, all in flight together,
 *     then the enabling CPU's own START last (E's START is a rendezvous of
 *     all CPUs), then one bounded wait (sx->timeout_ms) with per-CPU
 *     results, so a remote CPU that does not answer is named and reported
 *     as -ETIMEDOUT instead of being spun on. The enabling CPU's own share
 *     cannot be bounded.
 *  4. The BIOS list is checked with the decoder; then the ranges, log and
 *     policy on_start hooks (the policy protects the module's own memory),
 *     which allocate, sleep and PROTECT through stmexec_call().
 *  5. phase RUNNING: CPU offline and online are refused (the cpuhp
 *     callbacks fail with -EBUSY and a message): a CPU must never be
 *     activated twice in one STM launch, and an offline CPU is not under
 *     the STM. Suspend, hibernation, reboot and kexec stop the monitor
 *     first (notifiers below), so they are not affected.
 *
 * Why this split rather than doing everything in the hotplug callback:
 * VMXON cannot hang, so the hotplug core's own rollback is the right tool
 * for it; the STM calls can hang (they run in SMM), so they are made from
 * interrupt context on each CPU with a bounded wait that can name the CPU.
 * The hooks run in process context (they allocate and sleep), which a
 * hotplug callback of another CPU could not give them.
 *
 * A failure in 2 or 3 rolls everything back: the on_stop hooks if the
 * on_start hooks ran, STOP on every CPU the STM is active on (bounded),
 * then the hotplug state is removed, which leaves every CPU. The caller gets
 * one errno; last_error names the step and the CPU. The state is "off"
 * again. Only if a STOP fails or times out is the rollback incomplete: the
 * module is "wedged" (state "failed", the hotplug state stays so that a CPU
 * going offline still tries STOP), keeps itself pinned, and the next
 * disable retries the STOPs.
 *
 * Disable: the policy, log and ranges on_stop hooks, STOP on every CPU
 * (bounded), then removal of the hotplug state (leave on every CPU).
 *
 * STOP precedes every VMXOFF on every path: disable, CPU offline (only
 * while wedged), suspend/hibernate (the PM notifier stops everything and relaunches on
 * resume; a failed relaunch leaves state "failed" with every CPU off),
 * reboot and kexec (reboot notifier: full disable; syscore shutdown: this
 * CPU, as a last resort), and the emergency paths: while the monitor is on
 * the kernel's emergency-virtualization callback STOPs and leaves VMX on
 * each CPU it runs on (kdump's NMI shootdown, panic's stop of the other
 * CPUs, emergency restart), and the panic notifier does the panicking CPU.
 * Enable refuses while kvm_intel (which owns that callback on 6.1) is
 * loaded, and kvm_intel may not load while the monitor is not off.
 *
 * Unload: the module pins itself while the monitor is not off, so rmmod
 * fails ("in use", EAGAIN with O_NONBLOCK) until it is disabled; module
 * exit therefore never meets a running monitor.
 */
#include "stmexec.h"
#include "error.h"
#include "backend.h"
#include "lifecycle.h"

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/ktime.h>
#include <linux/kobject.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/notifier.h>
#include <linux/panic_notifier.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/reboot.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/suspend.h>
#include <linux/vmalloc.h>
#include <asm/io.h>
#include <asm/reboot.h>

/* What the hotplug callbacks do (sx->phase). */
enum {
	SX_PHASE_NONE,		/* no hotplug state installed */
	SX_PHASE_ENTER,		/* enable/disable in progress: enter/leave only */
	SX_PHASE_RUNNING,	/* on: online enters + STARTs, offline STOPs */
	SX_PHASE_WEDGED,	/* teardown incomplete: offline STOPs, online idles */
};

/* The device instance (one per system: the STM is a platform singleton). */
struct stmexec stmexec_dev = {
	.lock = __MUTEX_INITIALIZER(stmexec_dev.lock),
	.err_lock = __SPIN_LOCK_UNLOCKED(stmexec_dev.err_lock),
	.reqs = LIST_HEAD_INIT(stmexec_dev.reqs),
	.ipi_wq = __WAIT_QUEUE_HEAD_INITIALIZER(stmexec_dev.ipi_wq),
	.changed = RAW_NOTIFIER_INIT(stmexec_dev.changed),
	.state = STMEXEC_STATE_OFF,
	.launch_mode = STMEXEC_LAUNCH_NONE,
	.faults = {
		.fail_start_cpu = STMEXEC_FAULT_OFF,
		.fail_stop_cpu = STMEXEC_FAULT_OFF,
		.fail_leave_cpu = STMEXEC_FAULT_OFF,
		.skip_stop_cpu = STMEXEC_FAULT_OFF,
		.fail_status = STM_ERROR_UNSPECIFIED,
		.delay_cpu = STMEXEC_FAULT_OFF,
	},
};

void sx_set_state(struct stmexec *sx, u32 state)
{
	if (sx->state == state)
		return;
	pr_info("state %s -> %s\n", stmexec_state_name(sx->state),
		stmexec_state_name(state));
	WRITE_ONCE(sx->state, state);
}

/* ---- CPU hotplug callbacks ----------------------------------------------- */

static int sx_cpu_online(unsigned int cpu)
{
	struct stmexec *sx = &stmexec_dev;
	u32 phase = READ_ONCE(sx->phase);
	struct stmexec_req own;
	int ret;

	if (phase == SX_PHASE_WEDGED)
		return 0;
	/*
	 * The monitor is on: refused. The CPU's START would be a second
	 * activation in this launch (the STM's arrival index is reset only
	 * when the last CPU stops): J and E dead-loop in SMM (J
	 * Init/StmInit.c:860-862, E :1034-1036), and E's START would wait for
	 * a rendezvous that has already happened. Only reachable for a CPU
	 * that was not present at enable (physical hotplug): enable refuses
	 * while a present CPU is offline, and offline is refused while on.
	 */
	if (phase == SX_PHASE_RUNNING)
		return stmexec_fail(sx, -EBUSY,
				    "CPU %u cannot come online while the monitor is on (it would be a second STM activation); disable, bring the CPU online, enable again",
				    cpu);
	/* The enable's step, in this CPU's hotplug thread: relay the reason. */
	stmexec_req_begin(sx, &own);
	ret = sx_cpu_enter(sx, cpu);
	stmexec_req_end(sx, &own);
	stmexec_req_relay(sx, &own);
	return ret;
}

static int sx_cpu_offline(unsigned int cpu)
{
	struct stmexec *sx = &stmexec_dev;
	u32 phase = READ_ONCE(sx->phase);
	/* Only a real CPU offline may be refused; see __cpuhp_remove_state(). */
	bool may_refuse = phase == SX_PHASE_RUNNING || phase == SX_PHASE_WEDGED;
	unsigned long flags;
	int ret;

	/*
	 * The monitor is on: refused. An offline CPU still takes SMIs, and
	 * without the STM they run the firmware's handler unconfined while
	 * "state" says on; and bringing it back would be a second activation
	 * (sx_cpu_online()). Suspend, hibernation, reboot and kexec stop the
	 * monitor on every CPU (PM and reboot notifiers) before the kernel
	 * takes CPUs down, so they never get here in this phase.
	 */
	if (phase == SX_PHASE_RUNNING)
		return stmexec_fail(sx, -EBUSY,
				    "CPU %u cannot go offline while the monitor is on (SMIs there would bypass the STM); disable first, then offline the CPU",
				    cpu);

	local_irq_save(flags);
	ret = sx_cpu_stop(sx, cpu);
	local_irq_restore(flags);
	if (ret)
		goto stuck;
	ret = sx_cpu_leave(sx, cpu);
	if (ret)
		goto stuck;
	return 0;

stuck:
	if (may_refuse) {
		stmexec_fail(sx, ret,
			     "CPU %u cannot go offline: the STM could not be stopped there (%pe)",
			     cpu, ERR_PTR(ret));
		return ret;
	}
	WRITE_ONCE(sx->wedged, true);
	stmexec_fail(sx, ret,
		     "CPU %u: could not leave VMX operation (%pe); disable again to retry, else reboot",
		     cpu, ERR_PTR(ret));
	return 0;
}

/* ---- the global steps ------------------------------------------------------ */

/*
 * GET_BIOS_RESOURCES until EDX = 0 into @list (SX_BIOS_MAX_PAGES pages,
 * allocated before INITIALIZE_PROTECTION); *@len its length. VMCALLs and
 * copies only: this runs inside the BSP's SMI-blocked window.
 */
static int sx_get_bios(struct stmexec *sx, unsigned int cpu, void *list,
		       size_t *len)
{
	u64 pa = virt_to_phys(sx->bios_bounce);
	struct stm_regs r;
	u32 idx = 0;
	int ret;

	*len = 0;
	for (;;) {
		ret = stmexec_call(sx, STM_API_GET_BIOS_RESOURCES, pa, idx, &r);
		if (ret) {
			if (r.eax != STM_ERROR_PAGE_NOT_FOUND || !idx)
				return stmexec_fail(sx, ret,
						    "GET_BIOS_RESOURCES page %u on CPU %u failed (%pe, status 0x%08x)",
						    idx, cpu, ERR_PTR(ret), r.eax);
			/* Past the last page: the previous one ended the list. */
			return 0;
		}
		memcpy(list + idx * PAGE_SIZE, sx->bios_bounce, PAGE_SIZE);
		*len = (idx + 1) * PAGE_SIZE;
		if (!r.edx)
			return 0;
		if (r.edx != idx + 1)
			return stmexec_fail(sx, -EIO,
					    "GET_BIOS_RESOURCES: the STM answered page %u with next page %u",
					    idx, r.edx);
		if (r.edx >= SX_BIOS_MAX_PAGES)
			return stmexec_fail(sx, -E2BIG,
					    "the BIOS resource list is longer than %u pages",
					    SX_BIOS_MAX_PAGES);
		idx = r.edx;
	}
}

/*
 * INITIALIZE_PROTECTION and GET_BIOS_RESOURCES on this CPU, preemption
 * off (the caller's). From here to this CPU's START, SMIs are
 * blocked (E Init/VmcsInit.c:62-69) or dropped (J) on it, so nothing in
 * that window allocates, sleeps or builds lists: the BIOS list buffer is
 * allocated by the caller beforehand, and the hooks that build and PROTECT
 * the policy run after START (PROTECT is valid on a started STM).
 */
static int sx_global_start(struct stmexec *sx, unsigned int cpu, void *list,
			   size_t *len)
{
	struct stm_regs r = { .eax = STM_API_INITIALIZE_PROTECTION };
	int ret;

	ret = sx_vmcall(sx, cpu, &r);
	if (ret)
		return ret;
	/* Active here even if it reports an error (reference STM). */
	cpumask_set_cpu(cpu, &sx->reachable);
	if (r.eax != STM_SUCCESS)
		return stmexec_fail(sx, stmexec_status_to_errno(r.eax),
				    "INITIALIZE_PROTECTION on CPU %u failed: %s (0x%08x)",
				    cpu, stm_status_name(r.eax), r.eax);
	sx->stm_caps = r.ebx;
	return sx_get_bios(sx, cpu, list, len);
}

/*
 * After START everywhere: keep the BIOS list, check it, run the on_start
 * hooks (sx->hooks, listed in main.c: they allocate, sleep and PROTECT).
 * *@hooks tells whether they succeeded (and need their on_stop).
 */
static int sx_hooks_start(struct stmexec *sx, void *list, size_t len,
			  bool *hooks)
{
	unsigned int i;
	int ret;

	*hooks = false;
	ret = stmexec_bios_keep(sx, list, len);
	if (ret)
		return ret;	/* last_error says why */
	pr_debug("BIOS resource list: %zu bytes, %u descriptors\n", len,
		 sx->nbios);

	migrate_disable();
	for (i = 0; i < sx->nhooks; i++) {
		if (!sx->hooks[i]->on_start)
			continue;
		ret = sx->hooks[i]->on_start(sx);
		if (ret)
			break;
	}
	if (!ret)
		*hooks = true;
	/* A failed hook undid itself: stop the ones before it, in reverse. */
	while (ret && i--)
		if (sx->hooks[i]->on_stop)
			sx->hooks[i]->on_stop(sx);
	migrate_enable();
	return ret;
}

/* The on_stop hooks, in reverse, where stmexec_call() works. */
static void sx_hooks_stop(struct stmexec *sx)
{
	unsigned int i = sx->nhooks;

	migrate_disable();
	while (i--)
		if (sx->hooks[i]->on_stop)
			sx->hooks[i]->on_stop(sx);
	migrate_enable();
}

/*
 * Remove the hotplug state: leave on every CPU. cpus_read_lock() held.
 * If a CPU could not leave VMX operation, the callbacks are installed again
 * (phase WEDGED, without invoking them): that CPU must not go offline and
 * come back behind our back with VMX on and INIT blocked (F18); the next
 * disable retries the leave, and the module stays pinned until then.
 */
static void sx_remove_cpuhp(struct stmexec *sx)
{
	unsigned int cpu;
	int state;

	WRITE_ONCE(sx->phase, SX_PHASE_ENTER);
	__cpuhp_remove_state_cpuslocked(sx->cpuhp_state, true);
	sx->cpuhp_state = 0;
	WRITE_ONCE(sx->phase, SX_PHASE_NONE);
	for_each_possible_cpu(cpu)
		if (per_cpu_ptr(sx->pcpu, cpu)->entered)
			WRITE_ONCE(sx->wedged, true);
	if (!sx->wedged)
		return;
	WRITE_ONCE(sx->phase, SX_PHASE_WEDGED);
	state = cpuhp_setup_state_nocalls_cpuslocked(CPUHP_AP_ONLINE_DYN,
						     "stmexec:online",
						     sx_cpu_online,
						     sx_cpu_offline);
	if (state < 0) {
		WRITE_ONCE(sx->phase, SX_PHASE_NONE);
		pr_emerg("a CPU is still in VMX operation and the CPU-hotplug callbacks could not be kept (%pe): do not offline CPUs, reboot\n",
			 ERR_PTR(state));
		return;
	}
	sx->cpuhp_state = state;
}

/*
 * STOP on every CPU the STM is reachable on, bounded. On failure the module
 * is wedged: the hotplug state stays (phase WEDGED) so that nothing leaves
 * VMX operation under an active STM. cpus_read_lock() held.
 */
static int sx_stop_all(struct stmexec *sx, const char *what)
{
	struct cpumask *mask = sx->stop_mask;
	unsigned int cpu = 0;
	int ret;

	/*
	 * A START that timed out may still land: let every CPU finish what
	 * it was asked before deciding where the STM is active.
	 */
	ret = sx_drain(sx, cpu_online_mask, sx_teardown_ms(sx), &cpu);
	if (!ret) {
		cpumask_and(mask, &sx->reachable, cpu_online_mask);
		ret = sx_on_cpus(sx, mask, sx_cpu_stop, sx_teardown_ms(sx),
				 &cpu);
	}
	if (!ret)
		return 0;
	WRITE_ONCE(sx->phase, SX_PHASE_WEDGED);
	WRITE_ONCE(sx->wedged, true);
	return stmexec_fail(sx, ret,
			    "%s: STOP on CPU %u failed (%pe): the STM stays active and VMX on; retry with disable, else reboot",
			    what, cpu, ERR_PTR(ret));
}

static void sx_emergency_register(struct stmexec *sx);
static void sx_emergency_unregister(struct stmexec *sx);

/*
 * Every present CPU must be online: an offline CPU still takes SMIs, which
 * then run the firmware's handler outside the STM (F3); and E counts every
 * enabled MADT entry and waits for all of them at START (E Init/StmInit.c
 * 382-413, 1321-1347). cpus_read_lock() held.
 */
static int sx_check_coverage(struct stmexec *sx)
{
	struct cpumask *off = sx->offline_mask;

	if (cpumask_andnot(off, cpu_present_mask, cpu_online_mask))
		return stmexec_fail(sx, -EHOSTDOWN,
				    "enable: CPU(s) %*pbl present but offline; SMIs there would bypass the STM: bring them online (echo 1 > /sys/devices/system/cpu/cpuN/online; with nosmt/maxcpus= reboot without it) and enable again",
				    cpumask_pr_args(off));
	return 0;
}

/* START failed on @cpu: say so, with the STM's status if it answered one. */
static int sx_start_failed(struct stmexec *sx, unsigned int cpu, int ret)
{
	u32 st = READ_ONCE(per_cpu_ptr(sx->pcpu, cpu)->start_status);

	if (st)
		return stmexec_fail(sx, ret,
				    "enable: START on CPU %u failed: %s (0x%08x, %pe); every CPU rolled back",
				    cpu, stm_status_name(st), st, ERR_PTR(ret));
	return stmexec_fail(sx, ret,
			    "enable: START on CPU %u failed (%pe); every CPU rolled back",
			    cpu, ERR_PTR(ret));
}

/*
 * INITIALIZE_PROTECTION and GET_BIOS_RESOURCES on this CPU, then START on
 * every online CPU (entered already). INITIALIZE_PROTECTION to this CPU's
 * START is the BSP's SMI-blocked window: VMCALLs only, preemption off,
 * START right after (the other CPUs asked first, the local one last); the
 * bounded wait for the others comes after it.
 */
static int sx_start_everywhere(struct stmexec *sx, void *list, size_t *len,
			       const struct stmexec_req *cause)
{
	unsigned int cpu = 0;
	int ret;

	ret = sx_drain(sx, cpu_online_mask, sx_timeout_ms(sx), &cpu);
	if (ret)
		return stmexec_fail(sx, ret,
				    "enable: CPU %u is still busy with an earlier step; every CPU rolled back",
				    cpu);
	preempt_disable();
	cpu = smp_processor_id();
	ret = sx_global_start(sx, cpu, list, len);
	if (!ret)
		sx_send(sx, cpu_online_mask, sx_cpu_start);
	preempt_enable();
	if (ret)
		return stmexec_fail(sx, ret, "enable: %s; every CPU rolled back",
				    stmexec_req_reason(cause));
	ret = sx_collect(sx, cpu_online_mask, sx_timeout_ms(sx), &cpu);
	if (ret == -ETIMEDOUT)
		return stmexec_fail(sx, ret,
				    "enable: CPU %u did not answer START within %u ms; every CPU rolled back",
				    cpu, sx_timeout_ms(sx));
	if (ret)
		return sx_start_failed(sx, cpu, ret);
	return 0;
}

/*
 * Every online CPU into VMX root through the hotplug state machine (its
 * online callback, sx_cpu_online(), relays a CPU's reason into @cause); on
 * failure the state machine has rolled every CPU back.
 */
static int sx_enter_all(struct stmexec *sx, struct stmexec_req *cause)
{
	int state;

	WRITE_ONCE(sx->phase, SX_PHASE_ENTER);
	state = cpuhp_setup_state_cpuslocked(CPUHP_AP_ONLINE_DYN,
					     "stmexec:online", sx_cpu_online,
					     sx_cpu_offline);
	if (state < 0) {
		WRITE_ONCE(sx->phase, SX_PHASE_NONE);
		return stmexec_fail(sx, state,
				    "enable: entering VMX root failed (%pe): %s; every CPU rolled back",
				    ERR_PTR(state), stmexec_req_reason(cause));
	}
	sx->cpuhp_state = state;
	return 0;
}

static int sx_start(struct stmexec *sx)
{
	struct stmexec_req cause;	/* why a step failed (error.c) */
	bool hooks = false;
	size_t len = 0;
	void *list;
	int ret, emerg;

	emerg = sx_emergency_check(sx);
	if (emerg < 0)
		return emerg;
	/* Everything the enable allocates, before INITIALIZE_PROTECTION. */
	list = kvzalloc(SX_BIOS_MAX_PAGES * PAGE_SIZE, GFP_KERNEL);
	if (!list)
		return stmexec_fail(sx, -ENOMEM,
				    "enable: no memory for the BIOS resource list");

	stmexec_req_begin_cause(sx, &cause);
	cpus_read_lock();
	ret = sx_check_coverage(sx);
	if (ret)
		goto out_unlock;
	ret = sx_enter_all(sx, &cause);
	if (ret)
		goto out_unlock;

	ret = sx_start_everywhere(sx, list, &len, &cause);
	if (ret)
		goto out_stop;

	ret = sx_hooks_start(sx, list, len, &hooks);
	list = NULL;	/* sx->bios_list now, or freed */
	if (ret) {
		stmexec_fail(sx, ret, "enable: %s; every CPU rolled back",
			     stmexec_req_reason(&cause));
		goto out_stop;
	}
	WRITE_ONCE(sx->phase, SX_PHASE_RUNNING);
	if (emerg)
		sx_emergency_register(sx);
	cpus_read_unlock();
	stmexec_req_end(sx, &cause);
	return 0;

out_stop:
	if (hooks)
		sx_hooks_stop(sx);
	if (sx_stop_all(sx, "enable rollback"))
		goto out_unlock;
	sx_remove_cpuhp(sx);
out_unlock:
	cpus_read_unlock();
	stmexec_req_end(sx, &cause);
	kvfree(list);
	return ret;
}

static void sx_pin(struct stmexec *sx, bool pin)
{
	if (pin == sx->pinned)
		return;
	if (pin)
		__module_get(THIS_MODULE);
	else
		module_put(THIS_MODULE);
	sx->pinned = pin;
}

int stmexec_enable(struct stmexec *sx)
{
	int ret;

	lockdep_assert_held(&sx->lock);

	switch (sx->state) {
	case STMEXEC_STATE_ON:
		return stmexec_fail(sx, -EALREADY,
				    "enable: the monitor is already on (disable first to restart it)");
	case STMEXEC_STATE_STARTING:
	case STMEXEC_STATE_STOPPING:
		return stmexec_fail(sx, -EBUSY, "enable: a transition is in progress");
	}
	if (sx->wedged)
		return stmexec_fail(sx, -EBUSY,
				    "enable: an earlier teardown did not complete: disable again, or reboot");
	if (READ_ONCE(sx->going_down))
		return stmexec_fail(sx, -EBUSY,
				    "enable: the system is shutting down");
	/*
	 * Userspace is frozen only after the PM notifiers ran: an enable
	 * between PREPARE and POST would go into suspend with every CPU in
	 * VMX operation, behind the notifier's back.
	 */
	if (sx->suspending)
		return stmexec_fail(sx, -EBUSY,
				    "enable: a suspend or hibernation is in progress; enable again after resume");

	stmexec_clear_error(sx);
	sx_set_state(sx, STMEXEC_STATE_STARTING);
	ret = sx_start(sx);
	if (ret) {
		sx_set_state(sx, sx->wedged ? STMEXEC_STATE_FAILED :
					      STMEXEC_STATE_OFF);
		sx_pin(sx, sx->wedged);
		return ret;
	}
	sx_pin(sx, true);
	sx->launch_mode = stmexec_probe_launch_mode(sx);
	sx_set_state(sx, STMEXEC_STATE_ON);
	pr_info("on: %u CPUs, STM capabilities 0x%x%s\n",
		cpumask_weight(&sx->active), sx->stm_caps,
		sx->sim_stm ? " (SIMULATED STM, no protection)" : "");
	return 0;
}

static int sx_teardown(struct stmexec *sx, bool hooks)
{
	int ret;

	cpus_read_lock();
	if (hooks)
		sx_hooks_stop(sx);
	ret = sx_stop_all(sx, "disable");
	if (!ret && sx->cpuhp_state)
		sx_remove_cpuhp(sx);
	cpus_read_unlock();
	/*
	 * The emergency callback stays while the STM may still be active or
	 * a CPU still in VMX operation somewhere (a crash then still stops
	 * it); it goes only when everything is off.
	 */
	if (ret)
		return ret;
	if (sx->wedged)
		return stmexec_fail(sx, -EIO,
				    "disable: a CPU could not leave VMX operation (its VMXON region and VMCS stay allocated, the module stays loaded): disable again to retry, else reboot");
	sx_emergency_unregister(sx);
	return 0;
}

int stmexec_disable(struct stmexec *sx)
{
	bool was_on = sx->state == STMEXEC_STATE_ON;
	int ret;

	lockdep_assert_held(&sx->lock);

	/* An explicit disable while suspending: stay off after resume. */
	sx->resume_on = false;
	switch (sx->state) {
	case STMEXEC_STATE_OFF:
		return 0;	/* documented: a clean no-op */
	case STMEXEC_STATE_STARTING:
	case STMEXEC_STATE_STOPPING:
		return stmexec_fail(sx, -EBUSY, "disable: a transition is in progress");
	}

	sx_set_state(sx, STMEXEC_STATE_STOPPING);
	/* A retry after a wedged teardown: only what is left. */
	if (sx->wedged)
		WRITE_ONCE(sx->wedged, false);
	ret = sx_teardown(sx, was_on);
	if (ret) {
		sx_set_state(sx, STMEXEC_STATE_FAILED);
		return ret;
	}
	sx->launch_mode = STMEXEC_LAUNCH_NONE;
	sx_pin(sx, false);
	sx_set_state(sx, STMEXEC_STATE_OFF);
	return 0;
}

/* ---- emergency paths ------------------------------------------------------ */

/*
 * The kernel's emergency-virtualization callback (one slot, also KVM's):
 * called on every CPU in the NMI shootdown of kdump (crash_kexec), in
 * panic's stop of the other CPUs, and by an emergency restart, with
 * interrupts off and possibly in NMI context. STOP, then VMCLEAR, VMXOFF
 * and CR4.VMXE off (the backend's leave), on this CPU only, so that no CPU
 * reaches the new kernel or the reset under the STM or in VMX operation
 * (F1). Registered only while the monitor is on.
 */
static void sx_emergency_virt_cb(void)
{
	struct stmexec *sx = &stmexec_dev;

	WRITE_ONCE(sx->going_down, true);
	sx_emergency_local(sx, "emergency");
}

static void sx_emergency_register(struct stmexec *sx)
{
	if (sx->emergency_cb)
		return;
	cpumask_clear(&sx->emergency_left);
	cpu_emergency_register_virt_callback(sx_emergency_virt_cb);
	sx->emergency_cb = true;
}

static void sx_emergency_unregister(struct stmexec *sx)
{
	if (!sx->emergency_cb)
		return;
	/* synchronize_rcu() inside: no CPU is in the callback afterwards */
	cpu_emergency_unregister_virt_callback(sx_emergency_virt_cb);
	sx->emergency_cb = false;
}

/* ---- init / fini ----------------------------------------------------------- */

int stmexec_lifecycle_init(struct stmexec *sx)
{
	struct page *pg;
	unsigned int cpu;
	int ret;

	sx->timeout_ms = 2000;
	sx->pcpu = alloc_percpu(struct stmexec_cpu);
	if (!sx->pcpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct stmexec_cpu *pc = per_cpu_ptr(sx->pcpu, cpu);

		pc->sx = sx;
		INIT_CSD(&pc->csd, sx_ipi, pc);
	}

	/* The STM writes GET_BIOS_RESOURCES pages here: below 4 GiB. */
	pg = alloc_pages(GFP_KERNEL | __GFP_DMA32 | __GFP_ZERO,
			 SX_BIOS_MAX_ORDER);
	if (!pg) {
		ret = -ENOMEM;
		goto err_pcpu;
	}
	sx->bios_bounce = page_address(pg);
	if (!zalloc_cpumask_var(&sx->stop_mask, GFP_KERNEL)) {
		ret = -ENOMEM;
		goto err_bounce;
	}
	if (!zalloc_cpumask_var(&sx->offline_mask, GFP_KERNEL)) {
		ret = -ENOMEM;
		goto err_stop_mask;
	}
	return 0;

err_stop_mask:
	free_cpumask_var(sx->stop_mask);
err_bounce:
	free_pages((unsigned long)sx->bios_bounce, SX_BIOS_MAX_ORDER);
	sx->bios_bounce = NULL;
err_pcpu:
	free_percpu(sx->pcpu);
	sx->pcpu = NULL;
	return ret;
}

void stmexec_lifecycle_fini(struct stmexec *sx)
{
	/* Only a forced unload after a failed disable still has it. */
	sx_emergency_unregister(sx);
	/* The IPI slots and sx_ipi() go away with us: no IPI may be late. */
	sx_drain_before_free(sx, cpu_possible_mask);
	stmexec_bios_forget(sx);
	free_cpumask_var(sx->offline_mask);
	free_cpumask_var(sx->stop_mask);
	free_pages((unsigned long)sx->bios_bounce, SX_BIOS_MAX_ORDER);
	sx->bios_bounce = NULL;
	free_percpu(sx->pcpu);
	sx->pcpu = NULL;
}
