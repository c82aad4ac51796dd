/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The fake VMCS behind stm_vmread()/stm_vmwrite() in the userspace tests
 * and fuzzers (rt_fakevmcs.c): one array slot per field encoding, the
 * values as written (the tests check widths themselves), and a write log.
 */
#ifndef STM_RT_FAKEVMCS_H
#define STM_RT_FAKEVMCS_H
#include <stdint.h>

#define RT_VMCS_SLOTS	0x8000u		/* encodings are below 0x8000 */

/* the slots and the written flags, for tests that set many fields */
extern uint64_t rt_vmcs_val[RT_VMCS_SLOTS];
extern uint8_t rt_vmcs_wr[RT_VMCS_SLOTS];

void rt_vmcs_reset(void);
uint64_t rt_vmcs_get(uint32_t field);
void rt_vmcs_set(uint32_t field, uint64_t v);	/* as the CPU would (exit info) */
int rt_vmcs_written(uint32_t field);		/* written since the reset */
uint32_t rt_vmcs_nwrites(void);			/* stm_vmwrite() calls since the reset */
uint32_t rt_vmcs_bad_writes(void);		/* to read-only or unknown-width fields */

#endif
