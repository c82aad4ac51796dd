/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stmexec: the simulated STM's private state, shared by backend_sim.c (the
 * core behind the VMCALL interface) and sim_inject.c (what the tests drive
 * and read through debugfs). Test build only (CONFIG_STMEXEC_SIM).
 */
#ifndef STMEXEC_SIM_H
#define STMEXEC_SIM_H

#include <linux/cpumask.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "stmexec.h"

struct stmexec_sim {
	raw_spinlock_t lock;		/* the core and the one-shot fault */
	struct stm_core *core;
	struct stm_platform plat;
	void *bios;			/* one page, below 4 GiB */
	char last_inject[96];		/* under lock */
	/*
	 * The BSP's SMI-blocked window (under lock): from its activating
	 * INITIALIZE_PROTECTION to its START, SMIs are blocked on it (E
	 * Init/VmcsInit.c:62-69) or dropped (J, not yet marked active).
	 */
	u64 smi_t0;			/* ns at INITIALIZE_PROTECTION; 0 = closed */
	unsigned int smi_cpu;		/* the CPU that ran it */
	u64 smi_last_ns, smi_max_ns;
	/*
	 * CPUs whose START was refused with the treatment deactivated
	 * (faults.start_deactivates; under lock): the CPU, not the STM,
	 * answers their next STOP.
	 */
	struct cpumask deactivated;
};

#endif /* STMEXEC_SIM_H */
