// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * VMX I/O bitmaps and MSR bitmap of the SMM guest, from the core's
 * enforcement view.
 *
 * I/O bitmaps (SDM Vol. 3C 25.6.4): bitmap A covers ports 0-0x7FFF, B
 * 0x8000-0xFFFF, one bit per port; an access of several bytes exits if the
 * bit of any port it touches is set (SDM 26.1.3, "I/O instructions"), and
 * one that wraps past 0xFFFF always exits.
 *
 * MSR bitmap (SDM 25.6.9): read-low (0-0x1FFF) at 0, read-high
 * (0xC0000000-0xC0001FFF) at 0x400, write-low at 0x800, write-high at
 * 0xC00; an MSR outside both ranges always exits (SDM 26.1.3, RDMSR/WRMSR).
 *
 * Both are rebuilt whole after every PROTECT/UNPROTECT (12 KiB of copying):
 * the view is the single source of truth, and a rebuild cannot drift from
 * it the way incremental bit updates could.
 */
#include "rt_priv.h"

static void stm_rt_set_bit(uint8_t *map, uint32_t bit)
{
	map[bit >> 3] |= (uint8_t)(1u << (bit & 7));
}

static int stm_rt_bit(const uint8_t *map, uint32_t bit)
{
	return (map[bit >> 3] >> (bit & 7)) & 1;
}

void stm_rt_io_bitmap_build(const struct stm_core *c, uint8_t *bitmap)
{
	uint32_t p;

	stm_memcpy(bitmap, stm_core_io_deny_map(c), STM_IO_BITMAP_BYTES);
	/*
	 * PCI configuration mechanism #1: CONFIG_ADDRESS is the dword at
	 * 0xCF8, CONFIG_DATA the bytes 0xCFC-0xCFF.  With a protected PCI
	 * function the runtime must see both to know which function and
	 * register an access targets.
	 */
	if (stm_core_pci_any_denied(c)) {
		stm_rt_set_bit(bitmap, STM_PCI_CONFIG_ADDRESS_PORT);
		for (p = STM_PCI_CONFIG_DATA_PORT; p < STM_PCI_CONFIG_DATA_PORT + 4; p++)
			stm_rt_set_bit(bitmap, p);
	}
}

int stm_rt_io_bitmap_exits(const uint8_t *bitmap, uint16_t port, uint32_t size)
{
	uint32_t i;

	if (size == 0)
		return 0;
	if ((uint32_t)port + size > 0x10000u)
		return 1;
	for (i = 0; i < size; i++)
		if (stm_rt_bit(bitmap, (uint32_t)port + i))
			return 1;
	return 0;
}

/* Byte offset of the quarter and the bit for msr; -1 if outside both ranges. */
static int stm_rt_msr_pos(uint32_t msr, int write, uint32_t *bit)
{
	uint32_t q;

	if (msr <= 0x1FFFu) {
		q = 0;
		*bit = msr;
	} else if (msr >= 0xC0000000u && msr <= 0xC0001FFFu) {
		q = 1;
		*bit = msr - 0xC0000000u;
	} else {
		return -1;
	}
	if (write)
		q += 2;
	*bit += q * 0x2000u;
	return 0;
}

static void stm_rt_msr_trap(uint8_t *bitmap, uint32_t msr, int rd, int wr)
{
	uint32_t bit;

	if (rd && stm_rt_msr_pos(msr, 0, &bit) == 0)
		stm_rt_set_bit(bitmap, bit);
	if (wr && stm_rt_msr_pos(msr, 1, &bit) == 0)
		stm_rt_set_bit(bitmap, bit);
}

void stm_rt_msr_bitmap_build(const struct stm_core *c, uint8_t *bitmap)
{
	stm_memcpy(bitmap, stm_core_msr_deny_map(c), STM_MSR_BITMAP_BYTES);
	/*
	 * State the SMI-transfer VMCS holds for the interrupted context and
	 * that the SMM guest must not see or change behind the STM's back
	 * (interface sheet sec. 11: the reference traps the same set).
	 */
	stm_rt_msr_trap(bitmap, STM_MSR_IA32_EFER, 1, 1);
	stm_rt_msr_trap(bitmap, STM_MSR_IA32_SYSENTER_CS, 1, 1);
	stm_rt_msr_trap(bitmap, STM_MSR_IA32_SYSENTER_ESP, 1, 1);
	stm_rt_msr_trap(bitmap, STM_MSR_IA32_SYSENTER_EIP, 1, 1);
	stm_rt_msr_trap(bitmap, STM_MSR_IA32_FS_BASE, 1, 1);
	stm_rt_msr_trap(bitmap, STM_MSR_IA32_GS_BASE, 1, 1);
	/* writes that would move SMRAM/MSEG or load microcode */
	stm_rt_msr_trap(bitmap, STM_MSR_IA32_SMM_MONITOR_CTL, 0, 1);
	stm_rt_msr_trap(bitmap, STM_MSR_IA32_SMRR_PHYSBASE, 0, 1);
	stm_rt_msr_trap(bitmap, STM_MSR_IA32_SMRR_PHYSMASK, 0, 1);
	stm_rt_msr_trap(bitmap, STM_MSR_IA32_BIOS_UPDT_TRIG, 0, 1);
}

int stm_rt_msr_bitmap_exits(const uint8_t *bitmap, uint32_t msr, int write)
{
	uint32_t bit;

	if (stm_rt_msr_pos(msr, write, &bit))
		return 1;
	return stm_rt_bit(bitmap, bit);
}
