// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Weak stand-ins for the SMI path (the second half of the runtime): with
 * them the image links and activates, the executive monitor's VMCALLs
 * work, and an SMI is refused with a log line instead of a hang.  The real
 * implementations (smi.c, smm.c) override them.
 */
#include "rt.h"

__weak uint32_t stm_rt_smm_init(void)
{
	return STM_SUCCESS;
}

__weak uint32_t stm_rt_smm_cpu_init(struct stm_rt_cpu *cpu)
{
	(void)cpu;
	return STM_SUCCESS;
}

__weak uint32_t stm_rt_protection_changed(uint32_t api, uint64_t list_pa)
{
	(void)api;
	(void)list_pa;
	__atomic_add_fetch(&stm_rt.ept_gen, 1, __ATOMIC_RELEASE);
	return STM_SUCCESS;
}

__weak void stm_rt_smm_cpu_stop(struct stm_rt_cpu *cpu)
{
	(void)cpu;
}

/* No SMI handling yet: resume the executive monitor, SMI dropped. */
__weak int stm_rt_smi(struct stm_rt_cpu *cpu, struct stm_rt_regs *regs)
{
	(void)regs;
	cpu->smis++;
	stm_rt_log("stm: cpu %u: SMI dropped (no SMI path in this build)\n",
		   cpu->index);
	return STM_RT_RESUME;
}

__weak int stm_rt_smm_exit(struct stm_rt_cpu *cpu, struct stm_rt_regs *regs)
{
	(void)regs;
	stm_rt_log("stm: cpu %u: SMM-guest exit without an SMI path\n",
		   cpu->index);
	return STM_RT_RESUME;
}
