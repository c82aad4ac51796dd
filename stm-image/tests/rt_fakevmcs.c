// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A fake current VMCS for the pure-C runtime (stm_vmread/stm_vmwrite of
 * <stm/vmcs.h>); the image has VMREAD/VMWRITE (image/vmx.c) instead.
 * rt_vmcs_set() stores what the CPU would (truncated to the field's
 * width); stm_vmwrite() stores the value as written.
 */
#include <string.h>
#include <stm/vmcs.h>
#include "rt_fakevmcs.h"

uint64_t rt_vmcs_val[RT_VMCS_SLOTS];
uint8_t rt_vmcs_wr[RT_VMCS_SLOTS];
static uint32_t rt_vmcs_n, rt_vmcs_bad;

void rt_vmcs_reset(void)
{
	memset(rt_vmcs_val, 0, sizeof(rt_vmcs_val));
	memset(rt_vmcs_wr, 0, sizeof(rt_vmcs_wr));
	rt_vmcs_n = 0;
	rt_vmcs_bad = 0;
}

static uint64_t rt_vmcs_trunc(uint32_t field, uint64_t v)
{
	switch (VMCS_WIDTH(field)) {
	case VMCS_WIDTH_16:
		return v & 0xFFFFu;
	case VMCS_WIDTH_32:
		return v & 0xFFFFFFFFu;
	default:
		return v;
	}
}

uint64_t rt_vmcs_get(uint32_t field)
{
	return field < RT_VMCS_SLOTS ? rt_vmcs_val[field] : 0;
}

void rt_vmcs_set(uint32_t field, uint64_t v)
{
	if (field < RT_VMCS_SLOTS)
		rt_vmcs_val[field] = rt_vmcs_trunc(field, v);
}

int rt_vmcs_written(uint32_t field)
{
	return field < RT_VMCS_SLOTS && rt_vmcs_wr[field];
}

uint32_t rt_vmcs_nwrites(void)
{
	return rt_vmcs_n;
}

uint32_t rt_vmcs_bad_writes(void)
{
	return rt_vmcs_bad;
}

uint64_t stm_vmread(uint32_t field)
{
	return rt_vmcs_get(field);
}

void stm_vmwrite(uint32_t field, uint64_t v)
{
	rt_vmcs_n++;
	/* bit 0 = high half of a 64-bit field; type 1 (bits 11:10) = read-only */
	if (field >= RT_VMCS_SLOTS || (field & 1u) || ((field >> 10) & 3u) == 1u) {
		rt_vmcs_bad++;
		return;
	}
	rt_vmcs_val[field] = v;
	rt_vmcs_wr[field] = 1;
}
