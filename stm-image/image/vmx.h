/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* VMX and CPU instruction wrappers of the STM image (vmx.c, hostentry.S). */
#ifndef STM_VMX_H
#define STM_VMX_H

#include "rt.h"

#pragma GCC visibility push(hidden)
int stm_vmptrld(uint64_t pa);
int stm_vmclear(uint64_t pa);
uint64_t stm_vmptrst(void);
uint64_t stm_rdmsr(uint32_t msr);
void stm_cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b,
	       uint32_t *c, uint32_t *d);
uint64_t stm_read_cr0(void);
uint64_t stm_read_cr3(void);
uint64_t stm_read_cr4(void);
void stm_write_cr4(uint64_t v);
#pragma GCC visibility pop

#endif /* STM_VMX_H */
