/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stmexec: private header of the lifecycle (lifecycle*.c) and of the IPI
 * engine under it (ipi.c): the per-CPU state they share.
 */
#ifndef STMEXEC_LIFECYCLE_H
#define STMEXEC_LIFECYCLE_H

#include <linux/smp.h>

#include "stmexec.h"

/* Teardown waits are never shorter than this (injected delays <= 0.5 s). */
#define SX_TEARDOWN_MIN_MS	3000U

/**
 * struct stmexec_cpu - per-CPU lifecycle state
 * @entered: ops->cpu_enter() succeeded and ops->cpu_leave() not yet
 * @csd: IPI used by sx_on_cpus()
 * @sx: back pointer for the IPI
 * @fn: what the IPI runs
 * @result: its result
 * @queued: generation of the last queued IPI
 * @done: generation of the last finished IPI (== @queued: idle)
 * @calls: VMCALLs made on this CPU, by function (STMEXEC_NR_CALL_IDX)
 * @ns_enter: duration of the last enter (interrupts off in the backend)
 * @ns_start: duration of the last START (interrupts off)
 * @ns_stop: duration of the last STOP (interrupts off)
 * @ns_leave: duration of the last leave
 */
struct stmexec_cpu {
	bool entered;
	call_single_data_t csd;
	struct stmexec *sx;
	stmexec_cpu_fn fn;
	int result;
	unsigned long queued;
	unsigned long done;
	u64 calls[STMEXEC_NR_CALL_IDX];
	u64 ns_enter, ns_start, ns_stop, ns_leave;
};

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

#endif /* STMEXEC_LIFECYCLE_H */
