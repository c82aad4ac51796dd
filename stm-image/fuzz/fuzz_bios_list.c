// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * BIOS-list flattening: the input is TSEG content holding the BIOS list
 * (pieces may chain anywhere through END.ResourceListContinuation).
 * Activation validates it; GET_BIOS_RESOURCES pages must concatenate to a
 * flat list that ends with END (continuation 0) and that passes the BIOS
 * validator; the overlap index must agree with the naive rule for every
 * node of the list used as a request, and PROTECT of a fixed MLE list must
 * leave the core consistent.
 */
#include "fuzz_common.h"
#include "naive.h"

static struct fenv env;
static uint8_t pages[STM_CORE_MAX_BIOS_LIST + STM_PAGE_SIZE];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stm_regs r;
	uint32_t st, page = 0, n = 0, off = 0;

	fenv_setup(&env);
	memcpy(f_va(&env, F_BIOS_PA), data, size > F_TSEG_SIZE ? F_TSEG_SIZE : size);
	r = f_call(&env, 0, STM_API_INITIALIZE_PROTECTION, 0, 0);
	F_CHECK(r.eax == STM_SUCCESS || r.eax == STM_ERROR_MALFORMED_RESOURCE_LIST ||
		r.eax == STM_ERROR_OUT_OF_RESOURCES);
	F_CHECK(stm_core_cpu_state(env.c, 0) == STM_CPU_JOINED);

	do {
		r = f_call(&env, 0, STM_API_GET_BIOS_RESOURCES, F_MEM_BASE, page);
		st = r.eax;
		if (st != STM_SUCCESS)
			break;
		F_CHECK(n < STM_CORE_MAX_BIOS_LIST / STM_PAGE_SIZE + 1);
		memcpy(pages + (uint64_t)n * STM_PAGE_SIZE, env.mem, STM_PAGE_SIZE);
		n++;
		F_CHECK(r.edx == 0 || r.edx == page + 1);
		page = r.edx;
	} while (page != 0);

	if (st == STM_SUCCESS) {
		const struct stm_bios *b = &env.c->bios;

		F_CHECK(b->loaded);
		F_CHECK(n == (b->len + STM_PAGE_SIZE - 1) / STM_PAGE_SIZE);
		F_CHECK(memcmp(pages, b->flat, b->len) == 0);
		F_CHECK(stm_rsc_validate_buffer(pages, n * STM_PAGE_SIZE, STM_LIST_BIOS,
						env.c->max_addr) == STM_SUCCESS);
		/* walk the flat list: indexed overlap == naive overlap */
		for (;;) {
			const struct stm_rsc_desc_header *h =
				(const struct stm_rsc_desc_header *)(pages + off);

			if (h->rsc_type == STM_END_OF_RESOURCES) {
				F_CHECK(((const struct stm_rsc_end *)h)->resource_list_continuation == 0);
				F_CHECK(h->length == 16);
				break;
			}
			F_CHECK(stm_overlap_node(b, pages + off) ==
				naive_overlap_node(b->flat, pages + off));
			off += h->length;
		}
	} else {
		F_CHECK(st == STM_ERROR_MALFORMED_RESOURCE_LIST ||
			st == STM_ERROR_OUT_OF_RESOURCES);
	}

	/* a fixed request against whatever the BIOS list says */
	{
		uint8_t *l = env.mem + 4096;

		mk_end(l + mk_mem(l, STM_MEM_RANGE, 0x200000, 0x10000, 7), 0);
		r = f_call(&env, 0, STM_API_PROTECT_RESOURCE, F_MEM_BASE + 4096, 0);
		F_CHECK(stm_core_check_invariants(env.c) == 0);
		if (st == STM_SUCCESS)
			F_CHECK((r.eax == STM_SUCCESS) ==
				!naive_overlap_node(env.c->bios.flat, l));
	}
	return 0;
}
