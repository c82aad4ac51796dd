// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: running a step on many CPUs, bounded. Each CPU's share runs on
 * the CPU itself in interrupt context through its own IPI slot (struct
 * stmexec_cpu); the wait for the answers is bounded by sx->timeout_ms and
 * names the CPU that did not answer. Used by the lifecycle (START, STOP,
 * leave) and by the probe at load; it calls nothing of the module but
 * error reporting (HACKING.md, "Layers").
 */
#include "stmexec.h"
#include "lifecycle.h"

#include <linux/cpu.h>
#include <linux/hrtimer.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/smp.h>
#include <linux/wait.h>

unsigned int sx_timeout_ms(struct stmexec *sx)
{
	return clamp_t(u32, READ_ONCE(sx->timeout_ms), 1, 60000);
}

unsigned int sx_teardown_ms(struct stmexec *sx)
{
	return max(sx_timeout_ms(sx), SX_TEARDOWN_MIN_MS);
}

void sx_ipi(void *info)
{
	struct stmexec_cpu *pc = info;
	struct stmexec *sx = pc->sx;

	pc->result = pc->fn(sx, smp_processor_id());
	/* Publish the result before "done" (pairs with sx_ipi_idle()). */
	smp_store_release(&pc->done, pc->queued);
	wake_up(&sx->ipi_wq);
}

static bool sx_ipi_idle(struct stmexec_cpu *pc)
{
	/* "done" before the result (pairs with sx_ipi()). */
	return smp_load_acquire(&pc->done) == pc->queued;
}

static bool sx_ipis_idle(struct stmexec *sx, const struct cpumask *mask)
{
	unsigned int cpu;

	for_each_cpu(cpu, mask)
		if (!sx_ipi_idle(per_cpu_ptr(sx->pcpu, cpu)))
			return false;
	return true;
}

/*
 * Sleep until every IPI of @mask is done, at most @ms. An hrtimer, not a
 * jiffies timeout: jiffies lag while the CPU that keeps them spins with
 * interrupts off (it may be the very CPU that does not answer, stuck in an
 * STM or SMI handler) until another CPU notices the stall, which makes a
 * jiffies-based bound late by an unknown amount.
 */
static void sx_wait_ipis(struct stmexec *sx, const struct cpumask *mask,
			 unsigned int ms)
{
	wait_event_hrtimeout(sx->ipi_wq, sx_ipis_idle(sx, mask),
			     ms_to_ktime(ms));
}

/*
 * Wait at most @ms for the IPIs of @mask queued by an earlier, timed-out
 * step to finish; -ETIMEDOUT with the CPU in *@bad if one is still busy.
 */
int sx_drain(struct stmexec *sx, const struct cpumask *mask,
	     unsigned int ms, unsigned int *bad)
{
	unsigned int cpu;

	sx_wait_ipis(sx, mask, ms);
	for_each_cpu(cpu, mask) {
		if (!sx_ipi_idle(per_cpu_ptr(sx->pcpu, cpu))) {
			*bad = cpu;
			return -ETIMEDOUT;
		}
	}
	return 0;
}

/*
 * Queue @fn to every other CPU of @mask, then run it here; no sleeping.
 * In the test build each call is a new step (sx_step_begin()): the CPUs it
 * asks, counted once every remote share is queued (sx_step_sent()), are
 * what stmexec_step_asked() reports.
 */
void sx_send(struct stmexec *sx, const struct cpumask *mask,
	     stmexec_cpu_fn fn)
{
	struct stmexec_cpu *pc;
	unsigned int cpu, this;
	unsigned long flags, step;
	int err, asked = 0;

	this = get_cpu();
	step = sx_step_begin(sx, this);
	for_each_cpu(cpu, mask) {
		pc = per_cpu_ptr(sx->pcpu, cpu);
		pc->fn = fn;
		pc->result = -EINPROGRESS;
		sx_step_queue(pc, step);
		pc->queued++;
		asked++;
		if (cpu == this)
			continue;	/* last, below */
		err = smp_call_function_single_async(cpu, &pc->csd);
		if (err) {
			asked--;
			pc->result = err;
			/* Not queued: done at once (pairs with sx_ipi_idle()). */
			smp_store_release(&pc->done, pc->queued);
		}
	}
	sx_step_sent(sx, asked);
	if (cpumask_test_cpu(this, mask)) {
		/* What the IPI would do, here, after every IPI is sent. */
		local_irq_save(flags);
		sx_ipi(per_cpu_ptr(sx->pcpu, this));
		local_irq_restore(flags);
	}
	put_cpu();
}

/*
 * On @cpu, interrupts off, inside @cpu's share of a step (its VMCALL): how
 * many CPUs that step asked, so that the simulated STM can tell a CPU that
 * was asked but is slow to arrive at E's START rendezvous from one that was
 * never asked (backend_sim.c). -EINPROGRESS while the sender is still asking
 * on another CPU; -EDEADLK if @cpu is the sender and runs its own share
 * before it asked the others (it never will: E's rendezvous hangs);
 * -ENOENT if @cpu is not running a share of the current step. Only the
 * test build has a simulated STM to ask (mk/nosim-check.sh).
 */
#if IS_ENABLED(CONFIG_STMEXEC_SIM)
/* A new step sent from @sender: the CPUs it asks are not counted yet. */
unsigned long sx_step_begin(struct stmexec *sx, unsigned int sender)
{
	unsigned long step = sx->ipi_step + 1;

	WRITE_ONCE(sx->ipi_asked, -EINPROGRESS);
	WRITE_ONCE(sx->ipi_sender, sender);
	/* "Asking" before the new step (pairs with stmexec_step_asked()). */
	smp_store_release(&sx->ipi_step, step);
	return step;
}

/* @pc's share, about to be queued, belongs to @step. */
void sx_step_queue(struct stmexec_cpu *pc, unsigned long step)
{
	WRITE_ONCE(pc->step, step);
}

/* Every remote share of the step is queued: @asked CPUs. */
void sx_step_sent(struct stmexec *sx, int asked)
{
	/* The count after every queue (pairs with stmexec_step_asked()). */
	smp_store_release(&sx->ipi_asked, asked);
}

int stmexec_step_asked(struct stmexec *sx, unsigned int cpu)
{
	struct stmexec_cpu *pc = per_cpu_ptr(sx->pcpu, cpu);
	unsigned long step;
	int asked;

	/* The step before its count (pairs with sx_send()). */
	step = smp_load_acquire(&sx->ipi_step);
	if (sx_ipi_idle(pc) || READ_ONCE(pc->step) != step)
		return -ENOENT;
	/* The count before the step is checked again (pairs with sx_send()). */
	asked = smp_load_acquire(&sx->ipi_asked);
	if (READ_ONCE(sx->ipi_step) != step)
		return -ENOENT;
	if (asked == -EINPROGRESS && READ_ONCE(sx->ipi_sender) == cpu)
		return -EDEADLK;
	return asked;
}
#endif

/* Wait at most @ms for what sx_send() queued; the first error, as below. */
int sx_collect(struct stmexec *sx, const struct cpumask *mask,
	       unsigned int ms, unsigned int *bad)
{
	struct stmexec_cpu *pc;
	unsigned int cpu;
	int ret = 0, err;

	sx_wait_ipis(sx, mask, ms);

	for_each_cpu(cpu, mask) {
		pc = per_cpu_ptr(sx->pcpu, cpu);
		err = sx_ipi_idle(pc) ? pc->result : -ETIMEDOUT;
		if (err && !ret) {
			ret = err;
			*bad = cpu;
		}
	}
	return ret;
}

/*
 * Run @fn on every CPU of @mask, on the CPU itself in interrupt context
 * (interrupts off), all CPUs concurrently; wait at most @ms. Returns 0, or
 * the error of the lowest-numbered CPU that failed (-ETIMEDOUT if it did not
 * answer), with that CPU in *@bad. A CPU that times out keeps its IPI in
 * flight; its next use first waits (bounded) for it to drain.
 *
 * Every other CPU is asked first, the calling CPU last: coreboot's STM
 * makes the first START of every CPU a rendezvous of all the CPUs it counts
 * (E Runtime/SmiVmcallHandler.c:69-80, Init/StmInit.c:1241-1245), so a
 * local START issued before the last IPI is sent waits in SMM for a CPU
 * that is never asked. The calling CPU's share runs synchronously and is
 * the one part that cannot be bounded: if its STM call never returns, this
 * CPU is lost and no timeout can name it (the remote shares are bounded).
 *
 * Callers hold sx->lock (the per-CPU IPI slots are shared) and
 * cpus_read_lock() (@mask must stay online).
 */
int sx_on_cpus(struct stmexec *sx, const struct cpumask *mask,
	       stmexec_cpu_fn fn, unsigned int ms, unsigned int *bad)
{
	int ret;

	lockdep_assert_held(&sx->lock);

	/* An IPI still in flight from a timed-out earlier step. */
	ret = sx_drain(sx, mask, ms, bad);
	if (ret)
		return ret;
	sx_send(sx, mask, fn);
	return sx_collect(sx, mask, ms, bad);
}

/*
 * Wait without a bound until no IPI of @mask is in flight. Only where what
 * an IPI uses is about to be freed (the caller's data, the per-CPU slots,
 * sx_ipi() itself when the module goes away): freeing under a late IPI
 * crashes the CPU that finally runs it. Names the late CPU every 10 s.
 */
void sx_drain_before_free(struct stmexec *sx, const struct cpumask *mask)
{
	unsigned int cpu = 0;

	while (sx_drain(sx, mask, 10000, &cpu))
		pr_warn("CPU %u has not run its IPI yet; waiting for it before freeing what it uses\n",
			cpu);
	/*
	 * "done" is published before sx_ipi() wakes the waiters and returns;
	 * it runs with interrupts off, an RCU read-side section: after this,
	 * no CPU is still inside it.
	 */
	synchronize_rcu();
}

int stmexec_on_each_cpu(struct stmexec *sx, stmexec_cpu_fn fn,
			unsigned int *bad)
{
	int ret;

	cpus_read_lock();
	ret = sx_on_cpus(sx, cpu_online_mask, fn, sx_timeout_ms(sx), bad);
	/*
	 * A CPU that did not answer in time still runs @fn later; the caller
	 * (the probe, at load) frees what @fn writes when this fails, and a
	 * failed load frees the module. Report the timeout, but only once
	 * every IPI has run.
	 */
	if (ret == -ETIMEDOUT)
		sx_drain_before_free(sx, cpu_online_mask);
	cpus_read_unlock();
	return ret;
}
