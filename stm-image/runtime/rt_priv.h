/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Private helpers of the STM runtime building blocks.  Freestanding: the
 * byte helpers are the policy core's (core/util.c).
 */
#ifndef STM_RT_PRIV_H
#define STM_RT_PRIV_H

#include <stm/runtime.h>
#include "core_priv.h"

static inline uint64_t stm_rt_ld64(const uint8_t *p)
{
	uint64_t v;

	stm_memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t stm_rt_ld32(const uint8_t *p)
{
	uint32_t v;

	stm_memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint16_t stm_rt_ld16(const uint8_t *p)
{
	uint16_t v;

	stm_memcpy(&v, p, sizeof(v));
	return v;
}

static inline void stm_rt_st64(uint8_t *p, uint64_t v)
{
	stm_memcpy(p, &v, sizeof(v));
}

static inline void stm_rt_st32(uint8_t *p, uint32_t v)
{
	stm_memcpy(p, &v, sizeof(v));
}

static inline void stm_rt_st16(uint8_t *p, uint16_t v)
{
	stm_memcpy(p, &v, sizeof(v));
}

#endif /* STM_RT_PRIV_H */
