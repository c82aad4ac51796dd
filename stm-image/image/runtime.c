// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Self-relocation of the STM image and its TSS descriptor.
 *
 * The activation itself is activate.c (Documentation/stm-image.rst,
 * "Runtime").  stm_first_call_status() is the arrival-order rule the
 * policy core now applies; it stays as the unit-tested statement of it.
 */
#include "stm_image.h"

struct stm_cpu_status stm_cpu_status[STM_MAX_CPUS];
/* MSEG base the data pointers currently point into (0 = link base). */
uint64_t stm_relocated_base;	/* read/written with __atomic builtins */
static uint8_t stm_tss[STM_TSS_SIZE] __aligned(16);

#define STM_R_X86_64_RELATIVE	8u

static uint64_t stm_ld64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * Apply the R_X86_64_RELATIVE relocations for the image at `base`.  Each
 * slot is set to base + addend, so applying them again, or for another
 * base after a teardown, is idempotent.  stmimg build has checked that the
 * table holds nothing else.
 */
void stm_apply_relocs(uint8_t *base, const uint8_t *rela,
		      const uint8_t *rela_end)
{
	const uint8_t *r;

	for (r = rela; r + 24 <= rela_end; r += 24) {
		uint64_t off = stm_ld64(r);
		uint64_t info = stm_ld64(r + 8);
		uint64_t addend = stm_ld64(r + 16);
		uint64_t val = (uint64_t)(uintptr_t)base + addend;

		if ((uint32_t)info != STM_R_X86_64_RELATIVE)
			continue;
		memcpy(base + off, &val, sizeof(val));
	}
}

/* The 16-byte TSS descriptor at STM_SEL_TSS holds an absolute base. */
static void stm_fixup_tss(void)
{
	uint64_t b = (uint64_t)(uintptr_t)stm_tss;
	uint8_t *d = stm_gdt + STM_SEL_TSS;

	d[2] = (uint8_t)b;
	d[3] = (uint8_t)(b >> 8);
	d[4] = (uint8_t)(b >> 16);
	d[7] = (uint8_t)(b >> 24);
	d[8] = (uint8_t)(b >> 32);
	d[9] = (uint8_t)(b >> 40);
	d[10] = (uint8_t)(b >> 48);
	d[11] = (uint8_t)(b >> 56);
	/* I/O map base beyond the limit: no I/O permission bitmap. */
	stm_tss[0x66] = STM_TSS_SIZE;
}

/*
 * Status of an activating VMCALL (section 3.3 ordering): the first CPU must
 * arrive with INITIALIZE_PROTECTION, every later one with START.
 */
uint32_t stm_first_call_status(uint32_t cpu, uint32_t eax, uint32_t *bsp_done)
{
	switch (eax) {
	case STM_API_INITIALIZE_PROTECTION:
		if (cpu != 0 || *bsp_done)
			return STM_ERROR_ALREADY_STARTED;
		*bsp_done = 1;
		return STM_SUCCESS;
	case STM_API_START:
		if (!*bsp_done)
			return STM_ERROR_UNSPECIFIED;	/* START before INIT */
		return STM_SUCCESS;
	default:
		/* The reference STM hangs here; say why instead. */
		return STM_ERROR_INVALID_API;
	}
}

/*
 * First thing on every arrival: the first CPU of a launch applies the
 * relocations for the MSEG base it runs at (once per base) and fixes up
 * the TSS descriptor; later arrivals wait until the pointers are right.
 */
void stm_rt_relocate(uint32_t index)
{
	uint64_t base = (uint64_t)(uintptr_t)__stm_image_base;

	if (index == 0) {
		if (__atomic_load_n(&stm_relocated_base, __ATOMIC_RELAXED) != base) {
			stm_apply_relocs((uint8_t *)(uintptr_t)base,
					 __stm_rela_start, __stm_rela_end);
			stm_fixup_tss();
			__atomic_store_n(&stm_relocated_base, base,
					 __ATOMIC_RELEASE);
		}
	} else {
		while (__atomic_load_n(&stm_relocated_base, __ATOMIC_ACQUIRE) !=
		       base)
			__builtin_ia32_pause();
	}
}

uint64_t stm_tss_base(void)
{
	return (uint64_t)(uintptr_t)stm_tss;
}
