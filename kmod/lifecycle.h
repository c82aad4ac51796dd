/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stmexec: private header of the lifecycle (lifecycle*.c) and of the IPI
 * engine under it (ipi.c): the per-CPU state they share.
 */
#ifndef STMEXEC_LIFECYCLE_H
#define STMEXEC_LIFECYCLE_H

#include <linux/log2.h>
#include <linux/smp.h>

#include "stmexec.h"
#include "lifecycle_api.h"
#include "backend.h"

/* Largest BIOS resource list accepted (pages); the bounce buffer size. */
#define SX_BIOS_MAX_PAGES	16U
#define SX_BIOS_MAX_ORDER	ilog2(SX_BIOS_MAX_PAGES)

/* Teardown waits are never shorter than this (injected delays <= 0.5 s). */
#define SX_TEARDOWN_MIN_MS	3000U

/**
 * struct stmexec_cpu - per-CPU lifecycle state
 * @entered: ops->cpu_enter() succeeded and ops->cpu_leave() not yet
 * @csd: IPI used by sx_on_cpus()
 * @sx: back pointer for the IPI
 * @fn: what the IPI runs
 * @result: its result
 * @step: the step (sx->ipi_step) of the last queued IPI (test build)
 * @queued: generation of the last queued IPI
 * @done: generation of the last finished IPI (== @queued: idle)
 * @calls: VMCALLs made on this CPU, by function (STMEXEC_NR_CALL_IDX)
 * @ns_enter: duration of the last enter (interrupts off in the backend)
 * @ns_start: duration of the last START (interrupts off)
 * @ns_stop: duration of the last STOP (interrupts off)
 * @ns_leave: duration of the last leave
 * @start_status: the STM's status of the last START here (0: none or
 *		  success), for the enable's message when it was refused
 */
struct stmexec_cpu {
	bool entered;
	call_single_data_t csd;
	struct stmexec *sx;
	stmexec_cpu_fn fn;
	int result;
#if IS_ENABLED(CONFIG_STMEXEC_SIM)
	unsigned long step;
#endif
	unsigned long queued;
	unsigned long done;
	u64 calls[STMEXEC_NR_CALL_IDX];
	u64 ns_enter, ns_start, ns_stop, ns_leave;
	u32 start_status;
};

/* lifecycle_cpu.c: the per-CPU steps, on the CPU itself. */
int sx_vmcall(struct stmexec *sx, unsigned int cpu, struct stm_regs *r);
int sx_cpu_enter(struct stmexec *sx, unsigned int cpu);
int sx_cpu_leave(struct stmexec *sx, unsigned int cpu);
int sx_cpu_start(struct stmexec *sx, unsigned int cpu);
int sx_cpu_stop(struct stmexec *sx, unsigned int cpu);

/* lifecycle.c, for lifecycle_events.c */
void sx_set_state(struct stmexec *sx, u32 state);
/*
 * lifecycle_emerg.c: STOP and leave on this CPU only (panic, shutdown,
 * emergency); before an enable, 1/0/-EBUSY (kvm_intel).
 */
void sx_emergency_local(struct stmexec *sx, const char *why);
int sx_emergency_check(struct stmexec *sx);

/* ipi.c: bounded steps on many CPUs; callers hold sx->lock. */
unsigned int sx_timeout_ms(struct stmexec *sx);
unsigned int sx_teardown_ms(struct stmexec *sx);
void sx_ipi(void *info);	/* the csd function of every IPI slot */
int sx_drain(struct stmexec *sx, const struct cpumask *mask,
	     unsigned int ms, unsigned int *bad);
void sx_send(struct stmexec *sx, const struct cpumask *mask,
	     stmexec_cpu_fn fn);
int sx_collect(struct stmexec *sx, const struct cpumask *mask,
	       unsigned int ms, unsigned int *bad);
int sx_on_cpus(struct stmexec *sx, const struct cpumask *mask,
	       stmexec_cpu_fn fn, unsigned int ms, unsigned int *bad);
void sx_drain_before_free(struct stmexec *sx, const struct cpumask *mask);

/*
 * ipi.c: the numbering of the steps sx_send() sends and the CPUs each one
 * asked, for stmexec_step_asked(). Only the simulated STM reads it: the
 * production build has neither the fields nor the code (mk/nosim-check.sh
 * looks for these functions).
 */
#if IS_ENABLED(CONFIG_STMEXEC_SIM)
unsigned long sx_step_begin(struct stmexec *sx, unsigned int sender);
void sx_step_queue(struct stmexec_cpu *pc, unsigned long step);
void sx_step_sent(struct stmexec *sx, int asked);
#else
static inline unsigned long sx_step_begin(struct stmexec *sx,
					  unsigned int sender)
{
	return 0;
}

static inline void sx_step_queue(struct stmexec_cpu *pc, unsigned long step)
{
}

static inline void sx_step_sent(struct stmexec *sx, int asked)
{
}
#endif

#endif /* STMEXEC_LIFECYCLE_H */
