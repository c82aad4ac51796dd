// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * MLE-list validation: the input is the content of up to 16 pages of MLE
 * memory; byte 0-1 pick where the list starts.  PROTECT then UNPROTECT it
 * on a launched core: no crash, invariants hold, a rejected call changes
 * nothing, and an accepted PROTECT followed by the same UNPROTECT removes
 * every node again.  The raw input also goes through the flat validator.
 */
#include "fuzz_common.h"

static struct fenv env;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stm_regs r;
	uint64_t d0, pa;
	uint32_t st, nodes0;

	if (size < 2)
		return 0;
	fenv_setup(&env);
	f_std_bios(&env);
	if (f_call(&env, 0, STM_API_INITIALIZE_PROTECTION, 0, 0).eax != STM_SUCCESS)
		abort();
	pa = F_MEM_BASE + (((uint32_t)data[0] | ((uint32_t)data[1] << 8)) & 0x3FF8u);
	memcpy(env.mem, data + 2, size - 2 > 16 * 4096 ? 16 * 4096 : size - 2);

	(void)stm_rsc_validate_buffer(data, (uint32_t)size, STM_LIST_MLE, env.c->max_addr);
	(void)stm_rsc_validate_buffer(data, (uint32_t)size, STM_LIST_BIOS, env.c->max_addr);

	d0 = stm_core_digest(env.c);
	nodes0 = stm_core_prot_nodes(env.c);
	r = f_call(&env, 0, STM_API_PROTECT_RESOURCE, pa, 0);
	st = r.eax;
	F_CHECK(stm_core_check_invariants(env.c) == 0);
	if (st != STM_SUCCESS) {
		F_CHECK(stm_core_digest(env.c) == d0);
		F_CHECK(st == STM_ERROR_MALFORMED_RESOURCE_LIST ||
			st == STM_ERROR_UNPROTECTABLE_RESOURCE ||
			st == STM_ERROR_OUT_OF_RESOURCES);
	}
	r = f_call(&env, 0, STM_API_UNPROTECT_RESOURCE, pa, 0);
	F_CHECK(stm_core_check_invariants(env.c) == 0);
	if (st == STM_SUCCESS) {
		/* the list is in MLE memory and unchanged: the same copy */
		F_CHECK(r.eax == STM_SUCCESS);
		F_CHECK(stm_core_prot_nodes(env.c) == nodes0);
	}
	return 0;
}
