// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the MSEG header parser/verifier (mseg_verify.c), the
 * code the kernel module runs on an image handed to the sim backend.
 * The first 12 bytes choose the verify options; the rest is the image.
 * Invariants: no out-of-bounds access (ASan), no UB (UBSan), the returned
 * code is the lowest-order failure recorded in the mask, names exist, and
 * the size formulas are ordered (corrected >= loader >= reference).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../tools/mseg_verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stm_mseg_verify_opts o = { 0 };
	struct stm_mseg_info in;
	uint32_t mask, n, cpus;
	uint8_t *img;
	int err;

	if (size < 12)
		return 0;
	o.flags = data[0] & 3;
	o.mseg_rev = stm_mseg_rd32(data + 1) & 0xFF;
	o.mseg_size = stm_mseg_rd32(data + 4);
	o.cpus = data[8];
	o.vmcs_size = (uint32_t)(data[9] | data[10] << 8) << 4;
	data += 12;
	size -= 12;
	if (size > 0x400000)
		return 0;
	n = (uint32_t)size;
	/* Exact-size copy so ASan sees any read past the end. */
	img = malloc(n ? n : 1);
	if (!img)
		return 0;
	memcpy(img, data, n);

	err = stm_mseg_verify(img, n, &o, &in, &mask);
	if (err < 0 || err >= STM_MSEG_E_COUNT)
		abort();
	if ((err == STM_MSEG_OK) != (mask == 0))
		abort();
	if (err != STM_MSEG_OK && !(mask & STM_MSEG_ERR_BIT(err)))
		abort();
	if (!stm_mseg_err_name(err) || !stm_mseg_err_msg(err))
		abort();
	if (err != STM_MSEG_E_TRUNCATED) {
		cpus = o.cpus ? o.cpus : 1;
		if (stm_mseg_min_size(&in, cpus, o.vmcs_size) <
		    stm_mseg_min_size_loader(&in, cpus, o.vmcs_size) ||
		    stm_mseg_min_size_loader(&in, cpus, o.vmcs_size) <
		    stm_mseg_min_size_ref(&in, cpus, o.vmcs_size))
			abort();
		n = stm_mseg_max_cpus(&in, o.mseg_size, o.vmcs_size);
		if (n && n < 0x100000 &&
		    stm_mseg_min_size(&in, n, o.vmcs_size) > o.mseg_size)
			abort();
		if (n < 0x100000 &&
		    stm_mseg_min_size(&in, n + 1, o.vmcs_size) <= o.mseg_size)
			abort();
	}
	free(img);
	return 0;
}
