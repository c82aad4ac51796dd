/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Unit tests of the STM runtime building blocks (stm-image/runtime). */
#ifndef STM_RT_TESTS_H
#define STM_RT_TESTS_H
#include "harness.h"
#include <stm/runtime.h>

#define STM_RT_TEST_LIST \
	T(rt_io_bitmap) \
	T(rt_msr_bitmap) \
	T(rt_bitmaps_follow_unprotect) \
	T(rt_psd_fields) \
	T(rt_psd_v099_and_read) \
	T(rt_psd_segments) \
	T(rt_mtrr_types) \
	T(rt_ept_build_exhaustive) \
	T(rt_ept_update) \
	T(rt_ept_pool_exhaustion) \
	T(rt_ept_wide) \
	T(rt_ept_policy_shape) \
	T(rt_ept_bounded_work) \
	T(rt_ssa_layout) \
	T(rt_ssa_io_smi) \
	T(rt_ssa_writable_rules) \
	T(rt_guest_state_check) \
	T(rt_acpi_scan) \
	T(rt_acpi_refusals) \
	T(rt_protect_all_or_nothing) \
	STM_RT_IMAGE_TEST_LIST

/* The image's pure-C runtime parts (tests/rt_vmcs.c). */
#define STM_RT_IMAGE_TEST_LIST \
	T(rt_vmcs_smi_from_activation) \
	T(rt_vmcs_refusals) \
	T(rt_vmcall_return) \
	T(rt_smrr_range) \
	T(rt_mseg_room)

#define T(n) void test_##n(void);
STM_RT_TEST_LIST
#undef T

#endif
