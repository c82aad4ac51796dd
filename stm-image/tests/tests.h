/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef STM_TESTS_H
#define STM_TESTS_H
#include "harness.h"

#define STM_TEST_LIST \
	T(wire_layout) \
	T(status_names) \
	T(status_errnos) \
	T(init_params) \
	T(lifecycle) \
	T(ordering_violations) \
	T(activation_checks) \
	T(bios_malformed_at_activation) \
	T(bios_validation_rules) \
	T(mle_validation_rules) \
	T(mle_list_addressing) \
	T(mle_multi_piece) \
	T(overlap_rules) \
	T(overlap_all_resources) \
	T(overlap_random_vs_naive) \
	T(protect_all_or_nothing) \
	T(unprotect_semantics) \
	T(enforcement_io_msr_pci) \
	T(protect_capacity) \
	T(interval_capacity) \
	T(get_bios_paging) \
	T(get_bios_continuations) \
	T(get_bios_address_checks) \
	T(vmcsdb) \
	T(evlog_state_machine) \
	T(evlog_new_checks) \
	T(evlog_records) \
	T(evlog_four_pass) \
	T(evlog_slot_choice_random) \
	T(logread_order_and_gaps) \
	T(logread_wrap) \
	T(logread_locked_and_limits) \
	T(logread_concurrent) \
	T(pack_layout) \
	T(pack_roundtrip) \
	T(smm_mem) \
	T(smm_io_msr_pci) \
	T(compat_clean_sequence) \
	T(compat_counts) \
	T(compat_real_stm_lists) \
	T(status_coverage) \
	T(profile_arrival_index) \
	T(profile_fw_cpu_count) \
	T(profile_start_rendezvous) \
	T(profile_activation_if)

#define T(n) void test_##n(void);
STM_TEST_LIST
#undef T

#endif
