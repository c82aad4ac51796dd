/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Unit tests of the SMI path's pure C (runtime/smm_vmcs.c, smm_exit.c). */
#ifndef STM_RT_SMM_TESTS_H
#define STM_RT_SMM_TESTS_H

#define STM_RT_SMM_TEST_LIST \
	T(rt_smm_vmcs_fields) \
	T(rt_smm_vmcs_refusals) \
	T(rt_smm_vmcs_rearm) \
	T(rt_smm_state_sync) \
	T(rt_smm_exit_decide) \
	T(rt_smm_exit_unprotect) \
	T(rt_smm_spe_frame) \
	T(rt_smm_spe_return_refusals) \
	T(rt_smm_lin2phys) \
	T(rt_smm_msr_emulation) \
	T(rt_smm_pool_vs_reference)

#define T(n) void test_##n(void);
STM_RT_SMM_TEST_LIST
#undef T

#endif
