// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * SMM-guest exits over arbitrary bytes (runtime/smm_exit.c): the exit
 * fields of the fake VMCS (reason, qualification, instruction length,
 * guest-physical address), the guest's GPRs, the PSD's SpeRip filter and
 * stack, and the protection-exception frame the handler leaves behind.
 * Invariants: the decision reads the VMCS and writes none of it; SPE only
 * when the PSD takes that violation and never nested; the frame lies
 * where stm_rt_spe_frame_addr() says; RETURN_FROM_PROTECTION_EXCEPTION
 * leaves a canonical RIP past the refused instruction or where the
 * handler said, RFLAGS without reserved/VM bits, CS/SS/CR0/CR3 of the
 * violation, whatever the frame holds; no write to a read-only field.
 */
#include "fuzz_common.h"
#include "rt_priv.h"
#include <stm/smm_guest.h>
#include "../tests/rt_fakevmcs.h"

#define PT_PA		(F_MEM_BASE + 4 * 4096ull)	/* PML4, PDPT, PD */
#define LIST_PA		(F_MEM_BASE + 8 * 4096ull)
#define PAGE_PA		(F_MEM_BASE + 16 * 4096ull)	/* protected */
#define PORT		0x80u
#define MSR		0x174u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fenv env;

static const uint32_t reasons[] = {
	VMX_REASON_RSM, VMX_REASON_CPUID, VMX_REASON_RDMSR, VMX_REASON_WRMSR,
	VMX_REASON_IO, VMX_REASON_EPT_VIOLATION, VMX_REASON_VMCALL,
	VMX_REASON_HLT, VMX_REASON_INVD, VMX_REASON_WBINVD, 2, 33,
};

static uint64_t ld(const uint8_t *d, size_t n)
{
	uint64_t v = 0;

	memcpy(&v, d, n);
	return v;
}

static int canonical(uint64_t a)
{
	return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

static void protect_some(void)
{
	uint8_t *p = f_va(&env, LIST_PA);
	uint32_t l = 0;

	l += mk_mem(p + l, STM_MEM_RANGE, PAGE_PA, 0x1000, STM_RSC_MEM_W);
	l += mk_io(p + l, PORT, 1);
	l += mk_msr(p + l, MSR, ~0ull, ~0ull, 0);
	mk_end(p + l, 0);
	F_CHECK(f_call(&env, 0, STM_API_PROTECT_RESOURCE, LIST_PA, 0).eax == STM_SUCCESS);
}

/* identity: PML4[0] -> PDPT[0] -> PD[0] = a 2 MiB leaf over the arena */
static void page_tables(void)
{
	uint64_t e;

	e = (PT_PA + 0x1000) | 3;
	memcpy(f_va(&env, PT_PA), &e, 8);
	e = (PT_PA + 0x2000) | 3;
	memcpy(f_va(&env, PT_PA + 0x1000), &e, 8);
	e = 0x83;
	memcpy(f_va(&env, PT_PA + 0x2000), &e, 8);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stm_psd_info psd;
	struct stm_spe_state spe;
	struct stm_smm_exit e;
	enum stm_smm_action act;
	uint64_t gpr[STM_GPR_NR], rip0, rip, rflags;
	uint32_t reason, cpu, ign, n, st;
	size_t i;

	if (size < 40)
		return 0;
	fenv_setup(&env);
	f_std_bios(&env);
	F_CHECK(f_call(&env, 0, STM_API_INITIALIZE_PROTECTION, 0, 0).eax == STM_SUCCESS);
	F_CHECK(f_call(&env, 1, STM_API_START, 0, 0).eax == STM_SUCCESS);
	protect_some();
	page_tables();

	reason = data[0] < 2 * (sizeof(reasons) / sizeof(reasons[0])) ?
		 reasons[data[0] % (sizeof(reasons) / sizeof(reasons[0]))] : data[0];
	if (data[1] & 0x80)
		reason |= VMX_EXIT_ENTRY_FAIL;
	cpu = data[1] % F_NCPUS;	/* CPU 2 is not active: the core allows */
	memset(&psd, 0, sizeof(psd));
	psd.intel64 = 1;
	psd.spe_rip = (data[2] & 1) ? 0xA8400 : 0;
	psd.spe_filter = data[3] & 0x1F;
	psd.spe_ss = 0x40;
	psd.spe_rsp = F_MEM_BASE + (ld(data + 4, 4) % F_MEM_SIZE) + 0x200;
	memset(&spe, 0, sizeof(spe));
	spe.active = data[2] & 2 ? 1 : 0;

	rt_vmcs_reset();
	rt_vmcs_set(VMCS_EXIT_REASON, reason);
	rt_vmcs_set(VMCS_EXIT_QUALIFICATION, ld(data + 8, 8));
	rt_vmcs_set(VMCS_EXIT_INSN_LEN, data[16] % 16);
	rt_vmcs_set(VMCS_GUEST_PHYS_ADDR, (data[17] & 1) ? PAGE_PA + (data[18] << 4) :
		    ld(data + 18, 8) & 0xFFFFFFFFFFull);
	rip0 = 0xA8000 + ld(data + 26, 2);
	rt_vmcs_set(VMCS_GUEST_RIP, rip0);
	rt_vmcs_set(VMCS_GUEST_RSP, 0xB0000);
	rt_vmcs_set(VMCS_GUEST_RFLAGS, 0x2);
	rt_vmcs_set(VMCS_GUEST_CS_SEL, 0x38);
	rt_vmcs_set(VMCS_GUEST_SS_SEL, 0x40);
	rt_vmcs_set(VMCS_GUEST_CR0, 0x80000031);
	rt_vmcs_set(VMCS_GUEST_CR3, PT_PA);
	memset(gpr, 0, sizeof(gpr));
	gpr[STM_GPR_RAX] = (data[28] & 1) ? STM_API_RETURN_FROM_PROTECTION_EXCEPTION :
			   ld(data + 29, 4);
	gpr[STM_GPR_RCX] = (data[28] & 2) ? MSR : ld(data + 33, 4);
	gpr[STM_GPR_RDX] = ld(data + 37, 3);

	n = rt_vmcs_nwrites();
	act = stm_rt_smm_exit_decide(env.c, cpu, &psd, gpr, &spe, &e);
	F_CHECK(rt_vmcs_nwrites() == n);	/* deciding writes nothing */
	F_CHECK(act <= STM_SMM_ABORT);
	if (act == STM_SMM_SPE) {
		F_CHECK(psd.spe_rip && !spe.active && e.spe_type);
		F_CHECK(cpu != 2);
	}
	if (reason & VMX_EXIT_ENTRY_FAIL)
		F_CHECK(act == STM_SMM_ABORT);
	if (act == STM_SMM_SPE_RETURN)
		F_CHECK(spe.active);

	if (act == STM_SMM_EMULATE || act == STM_SMM_SKIP) {
		stm_rt_guest_skip(&e);
		F_CHECK(rt_vmcs_get(VMCS_GUEST_RIP) == rip0 + e.insn_len);
	}
	if (act != STM_SMM_SPE)
		return 0;

	st = stm_rt_spe_enter(&f_ops, &env, &psd, &e, gpr, &spe);
	if (st != STM_SUCCESS) {
		F_CHECK(st == STM_ERROR_PAGE_NOT_FOUND && !spe.active);
		F_CHECK(rt_vmcs_get(VMCS_GUEST_RIP) == rip0);
		return 0;
	}
	F_CHECK(spe.frame_lin == stm_rt_spe_frame_addr(psd.spe_rsp));
	F_CHECK(rt_vmcs_get(VMCS_GUEST_RIP) == psd.spe_rip);
	F_CHECK(rt_vmcs_get(VMCS_GUEST_RSP) == spe.frame_lin);
	/* the handler's frame: the rest of the input over it */
	{
		uint8_t *fr = f_map(&env, spe.frame_pa,
				    sizeof(struct stm_protection_exception_stack_frame_x64));

		F_CHECK(fr);
		for (i = 40; i < size; i++)
			fr[(i - 40) % sizeof(struct stm_protection_exception_stack_frame_x64)] ^=
				data[i];
	}
	st = stm_rt_spe_return(&f_ops, &env, gpr, &spe, &ign);
	F_CHECK(st == STM_SUCCESS && !spe.active);
	F_CHECK(!(ign & ~0xFu));
	rip = rt_vmcs_get(VMCS_GUEST_RIP);
	rflags = rt_vmcs_get(VMCS_GUEST_RFLAGS);
	F_CHECK(canonical(rip));
	if (e.insn_len)
		F_CHECK(rip != rip0);	/* never the refused instruction again */
	F_CHECK(canonical(rt_vmcs_get(VMCS_GUEST_RSP)));
	F_CHECK((rflags & 2) && !(rflags & ~0x3F7FD7ull) && !(rflags & 0x1B3000ull));
	F_CHECK(rt_vmcs_get(VMCS_GUEST_CS_SEL) == 0x38);
	F_CHECK(rt_vmcs_get(VMCS_GUEST_SS_SEL) == 0x40);
	F_CHECK(rt_vmcs_get(VMCS_GUEST_CR3) == PT_PA);
	F_CHECK(rt_vmcs_bad_writes() == 0);
	return 0;
}
