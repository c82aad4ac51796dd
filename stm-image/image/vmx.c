// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * VMX instructions of the STM image: the accessor of include/stm/vmcs.h
 * (VMREAD/VMWRITE of the current VMCS) and VMPTRST/VMPTRLD/VMCLEAR.
 * VMfail is reported through the VM-instruction error field where the
 * SDM defines one (Vol. 3C 31.4); callers check the CF/ZF result.
 */
#include "rt.h"
#include "vmx.h"

uint64_t stm_vmread(uint32_t field)
{
	uint64_t v = 0;

	__asm__ volatile("vmread %1, %0" : "=rm"(v) : "r"((uint64_t)field) : "cc");
	return v;
}

void stm_vmwrite(uint32_t field, uint64_t v)
{
	__asm__ volatile("vmwrite %1, %0" : : "r"((uint64_t)field), "rm"(v) : "cc");
}

/* 0 on success; 1 VMfailInvalid (CF); 2 VMfailValid (ZF). */
static int stm_vmx_result(uint8_t cf, uint8_t zf)
{
	return cf ? 1 : zf ? 2 : 0;
}

int stm_vmptrld(uint64_t pa)
{
	uint8_t cf, zf;

	__asm__ volatile("vmptrld %2; setc %0; setz %1"
			 : "=qm"(cf), "=qm"(zf) : "m"(pa) : "cc", "memory");
	return stm_vmx_result(cf, zf);
}

int stm_vmclear(uint64_t pa)
{
	uint8_t cf, zf;

	__asm__ volatile("vmclear %2; setc %0; setz %1"
			 : "=qm"(cf), "=qm"(zf) : "m"(pa) : "cc", "memory");
	return stm_vmx_result(cf, zf);
}

uint64_t stm_vmptrst(void)
{
	uint64_t pa = ~0ull;

	__asm__ volatile("vmptrst %0" : "=m"(pa) : : "memory");
	return pa;
}

uint64_t stm_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

void stm_cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b,
	       uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid"
			 : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			 : "a"(leaf), "c"(sub));
}

uint64_t stm_read_cr0(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

uint64_t stm_read_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

uint64_t stm_read_cr4(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

void stm_write_cr4(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

/* A VM entry from hostentry.S failed: nothing to return to; say why and stop. */
void stm_rt_entry_failed(struct stm_rt_cpu *cpu, struct stm_rt_regs *regs,
			 int launch)
{
	(void)regs;
	stm_rt_log("stm: cpu %u: %s failed, VM-instruction error %u; CPU stopped\n",
		   cpu ? cpu->index : ~0u, launch ? "VMLAUNCH" : "VMRESUME",
		   (uint32_t)stm_vmread(VMCS_VM_INSN_ERROR));
	for (;;)
		__asm__ volatile("cli; hlt");
}
