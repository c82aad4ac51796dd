// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The executive monitor's VMCALLs while the STM is active (SMM VM exit,
 * exit reason 18 with bit 29 "from VMX root", SDM Vol. 3C 32.15.2).
 */
#include "rt.h"

int stm_rt_exec_vmcall(struct stm_rt_cpu *cpu, struct stm_rt_regs *regs)
{
	cpu->vmcalls++;
	regs->rax = STM_ERROR_INVALID_API;
	return STM_RT_RESUME;
}
