// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Behaviour profiles: the lifecycle rules of the real STMs (J = jyao1/STM,
 * E = EugeneDMyers/STM stmpe) that the core reports as compatibility
 * violations, and LENIENT keeping the old answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include "tests.h"

static void tenv_profile(struct tenv *e, uint32_t ncpus, uint32_t profile,
			 uint32_t fw_cpus)
{
	tenv_init(e, ncpus);
	e->p.profile = profile;
	e->p.fw_cpus = fw_cpus;
	if (stm_core_init(e->c, &e->p) != 0) {
		printf("# stm_core_init(profile %u) failed\n", profile);
		exit(2);
	}
	tenv_set_bios(e, NULL, 0);
}

/* INIT on 0, START on every CPU in `order`: the clean launch. */
static void launch(struct tenv *e, const uint32_t *order, uint32_t n)
{
	struct stm_regs r;
	uint32_t i;

	r = tcall(e, order[0], STM_API_INITIALIZE_PROTECTION, 0, 0);
	CHECK_ST(r.eax, STM_SUCCESS);
	for (i = 0; i < n; i++) {
		r = tcall(e, order[i], STM_API_START, 0, 0);
		CHECK_ST(r.eax, STM_SUCCESS);
	}
}

static void stop_all(struct tenv *e, uint32_t n)
{
	struct stm_regs r;
	uint32_t i;

	for (i = 0; i < n; i++) {
		r = tcall(e, i, STM_API_STOP, 0, 0);
		CHECK_ST(r.eax, STM_SUCCESS);
	}
}

void test_profile_arrival_index(void)
{
	static const uint32_t order[] = { 1, 0, 2 };
	static const uint32_t profiles[] = {
		STM_PROFILE_INTEL, STM_PROFILE_COREBOOT, STM_PROFILE_STRICT,
	};
	struct stm_regs r;
	struct tenv e;
	uint32_t i;

	for (i = 0; i < 3; i++) {
		tenv_profile(&e, 3, profiles[i], 0);
		launch(&e, order, 3);
		CHECK_EQ(stm_core_compat_violations(e.c), 0);
		/* hotplug: STOP one CPU, START it again: a second index */
		r = tcall(&e, 2, STM_API_STOP, 0, 0);
		CHECK_ST(r.eax, STM_SUCCESS);
		r = tcall(&e, 2, STM_API_START, 0, 0);
		CHECK_ST(r.eax, STM_ERROR_OUT_OF_RESOURCES);
		CHECK_EQ(stm_core_compat_count(e.c, STM_COMPAT_SECOND_ACTIVATION), 1);
		CHECK_EQ(stm_core_cpu_state(e.c, 2), STM_CPU_OFF);
		/* the index is reset only when the last CPU stops */
		r = tcall(&e, 0, STM_API_STOP, 0, 0);
		r = tcall(&e, 1, STM_API_STOP, 0, 0);
		CHECK_ST(r.eax, STM_SUCCESS);
		stm_core_compat_reset(e.c);
		launch(&e, order, 3);
		CHECK_EQ(stm_core_compat_violations(e.c), 0);
		stop_all(&e, 3);
		CHECK_EQ(stm_core_check_invariants(e.c), 0);
		tenv_free(&e);
	}
	/* LENIENT: the old behaviour, no violation */
	tenv_profile(&e, 2, STM_PROFILE_LENIENT, 0);
	launch(&e, order, 2);
	r = tcall(&e, 1, STM_API_STOP, 0, 0);
	r = tcall(&e, 1, STM_API_START, 0, 0);
	CHECK_ST(r.eax, STM_SUCCESS);
	CHECK_EQ(stm_core_compat_violations(e.c), 0);
	tenv_free(&e);
}

void test_profile_fw_cpu_count(void)
{
	struct stm_regs r;
	struct tenv e;

	/* 4 CPU slots, the firmware counts 2: a third arrival dead-loops */
	tenv_profile(&e, 4, STM_PROFILE_INTEL, 2);
	CHECK_EQ(stm_core_fw_cpus(e.c), 2);
	r = tcall(&e, 0, STM_API_INITIALIZE_PROTECTION, 0, 0);
	CHECK_ST(r.eax, STM_SUCCESS);
	r = tcall(&e, 1, STM_API_START, 0, 0);
	CHECK_ST(r.eax, STM_SUCCESS);
	r = tcall(&e, 3, STM_API_START, 0, 0);
	CHECK_ST(r.eax, STM_ERROR_OUT_OF_RESOURCES);
	CHECK_EQ(stm_core_compat_count(e.c, STM_COMPAT_TOO_MANY_CPUS), 1);
	tenv_free(&e);
}

void test_profile_start_rendezvous(void)
{
	struct stm_regs r;
	struct tenv e;

	/* E: every first START waits until all counted CPUs arrived */
	tenv_profile(&e, 3, STM_PROFILE_COREBOOT, 0);
	r = tcall(&e, 0, STM_API_INITIALIZE_PROTECTION, 0, 0);
	CHECK_ST(r.eax, STM_SUCCESS);
	CHECK_EQ(stm_core_start_waiting(e.c, 0), 0);	/* INIT does not wait */
	r = tcall(&e, 1, STM_API_START, 0, 0);
	CHECK_ST(r.eax, STM_SUCCESS);
	CHECK_EQ(stm_core_start_waiting(e.c, 1), 1);
	r = tcall(&e, 0, STM_API_START, 0, 0);
	CHECK_EQ(stm_core_start_waiting(e.c, 0), 1);
	CHECK_EQ(stm_core_rendezvous_arrived(e.c), 2);
	r = tcall(&e, 2, STM_API_START, 0, 0);
	CHECK_EQ(stm_core_start_waiting(e.c, 0), 0);
	CHECK_EQ(stm_core_start_waiting(e.c, 1), 0);
	CHECK_EQ(stm_core_start_waiting(e.c, 2), 0);
	CHECK_EQ(stm_core_compat_violations(e.c), 0);
	stop_all(&e, 3);
	CHECK_EQ(stm_core_rendezvous_arrived(e.c), 0);
	/* abandoned: never asked vs cannot arrive */
	r = tcall(&e, 0, STM_API_INITIALIZE_PROTECTION, 0, 0);
	r = tcall(&e, 0, STM_API_START, 0, 0);
	CHECK_EQ(stm_core_start_waiting(e.c, 0), 1);
	stm_core_rendezvous_abandoned(e.c, 0, 0);
	CHECK_EQ(stm_core_compat_count(e.c, STM_COMPAT_START_RENDEZVOUS), 1);
	stm_core_rendezvous_abandoned(e.c, 0, 1);
	CHECK_EQ(stm_core_compat_count(e.c, STM_COMPAT_CPU_COUNT), 1);
	tenv_free(&e);
	/* J has no rendezvous */
	tenv_profile(&e, 2, STM_PROFILE_INTEL, 0);
	r = tcall(&e, 0, STM_API_INITIALIZE_PROTECTION, 0, 0);
	r = tcall(&e, 0, STM_API_START, 0, 0);
	CHECK_EQ(stm_core_start_waiting(e.c, 0), 0);
	stm_core_rendezvous_abandoned(e.c, 0, 0);
	CHECK_EQ(stm_core_compat_violations(e.c), 0);
	tenv_free(&e);
}

void test_profile_activation_if(void)
{
	struct tenv e;

	tenv_profile(&e, 2, STM_PROFILE_STRICT, 0);
	stm_core_activation_if(e.c, 0, 0);
	CHECK_EQ(stm_core_compat_violations(e.c), 0);
	stm_core_activation_if(e.c, 0, 1);
	CHECK_EQ(stm_core_compat_count(e.c, STM_COMPAT_IF_RELIED), 1);
	tenv_free(&e);
	tenv_profile(&e, 2, STM_PROFILE_LENIENT, 0);
	stm_core_activation_if(e.c, 0, 1);
	CHECK_EQ(stm_core_compat_violations(e.c), 0);
	tenv_free(&e);
}
