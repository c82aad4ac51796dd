// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * VM exits of the SMM guest (the firmware's SMI handler run by the STM,
 * SDM Vol. 3C 32.15.3): what the STM does with each, decided through the
 * policy core's SMM hooks (stm-image/core/smm.c, which write the event-log
 * records), and the protection-exception (SpeRip) frame of the STM user
 * guide's STM_PROTECTION_EXCEPTION_STACK_FRAME_X64.
 *
 * Policy (Documentation/stm-image.rst, "The SMI path"): a denied access
 * enters the firmware's SpeRip handler when its PSD takes that kind of
 * violation, else the instruction is skipped (a read returns 0); never a
 * reset, a dead loop or a half-emulated access.  Where the reference STM
 * dead-loops (an access the BIOS list does not claim) ours logs
 * EvtBiosAccessToUnclaimedResource and performs the access, as the
 * reference does for I/O and MSRs.
 */
#include "rt_priv.h"
#include <stm/smm_guest.h>

#define EPTQ_READ	0x1ull	/* exit qualification, SDM Vol. 3C Table 28-7 */
#define EPTQ_WRITE	0x2ull
#define EPTQ_FETCH	0x4ull
#define EPTQ_LINEAR_OK	0x80ull

/* RFLAGS bits a handler may not set on return: reserved, VM, IOPL, RF, VIF/VIP */
#define RFLAGS_KEEP_OUT	(~0x3F7FD7ull | (1ull << 17) | (3ull << 12) | (1ull << 16) | \
			 (3ull << 19))

static int stm_canonical(uint64_t a)
{
	return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

static int stm_spe_takes(const struct stm_psd_info *psd,
			 const struct stm_spe_state *spe, uint32_t filter_bit)
{
	if (spe && spe->active)
		return 0;	/* never nested: skip inside the handler */
	return psd && psd->spe_rip && (psd->spe_filter & filter_bit);
}

static void stm_smm_decode(struct stm_smm_exit *e, const uint64_t *gpr)
{
	uint64_t q;

	stm_memset(e, 0, sizeof(*e));
	e->reason = (uint32_t)stm_vmread(VMCS_EXIT_REASON);
	e->insn_len = (uint32_t)stm_vmread(VMCS_EXIT_INSN_LEN);
	q = stm_vmread(VMCS_EXIT_QUALIFICATION);
	e->qual = q;
	switch (e->reason & VMX_EXIT_REASON_MASK) {
	case VMX_REASON_EPT_VIOLATION:
		e->gpa = stm_vmread(VMCS_GUEST_PHYS_ADDR);
		e->rwx = (q & EPTQ_READ ? STM_ACCESS_R : 0) |
			 (q & EPTQ_WRITE ? STM_ACCESS_W : 0) |
			 (q & EPTQ_FETCH ? STM_ACCESS_X : 0);
		e->is_write = (q & EPTQ_WRITE) != 0;
		break;
	case VMX_REASON_RDMSR:
	case VMX_REASON_WRMSR:
		e->msr = (uint32_t)gpr[STM_GPR_RCX];
		e->is_write = (e->reason & VMX_EXIT_REASON_MASK) == VMX_REASON_WRMSR;
		break;
	case VMX_REASON_IO:
		/* SDM Vol. 3C Table 28-5 */
		e->size = (uint16_t)((q & STM_IOQ_SIZE_MASK) + 1);
		e->out = !(q & STM_IOQ_IN);
		e->is_write = e->out;
		e->string = (q & STM_IOQ_STRING) != 0;
		e->rep = (q & STM_IOQ_REP) != 0;
		e->port = (uint16_t)(q >> STM_IOQ_PORT_SHIFT);
		break;
	case VMX_REASON_VMCALL:
		e->vmcall = (uint32_t)gpr[STM_GPR_RAX];
		break;
	default:
		break;
	}
}

/* MSR writes the SMM guest never gets, whatever the lists say. */
static int stm_msr_stm_owned(uint32_t msr)
{
	return msr == STM_MSR_IA32_SMM_MONITOR_CTL ||
	       msr == STM_MSR_IA32_SMRR_PHYSBASE ||
	       msr == STM_MSR_IA32_SMRR_PHYSMASK ||
	       msr == STM_MSR_IA32_BIOS_UPDT_TRIG;
}

static enum stm_smm_action stm_smm_denied(const struct stm_psd_info *psd,
					  const struct stm_spe_state *spe,
					  struct stm_smm_exit *e,
					  uint32_t filter_bit, uint32_t type)
{
	if (stm_spe_takes(psd, spe, filter_bit)) {
		e->spe_type = type;
		return STM_SMM_SPE;
	}
	return STM_SMM_SKIP;
}

enum stm_smm_action stm_rt_smm_exit_decide(struct stm_core *core, uint32_t cpu,
					   const struct stm_psd_info *psd,
					   uint64_t *gpr,
					   const struct stm_spe_state *spe,
					   struct stm_smm_exit *e)
{
	enum stm_verdict v;

	stm_smm_decode(e, gpr);
	if (e->reason & VMX_EXIT_ENTRY_FAIL)
		return STM_SMM_ABORT;
	switch (e->reason & VMX_EXIT_REASON_MASK) {
	case VMX_REASON_RSM:
		return STM_SMM_RSM;
	case VMX_REASON_CPUID:
		return STM_SMM_EMULATE;
	case VMX_REASON_HLT:
	case VMX_REASON_INVD:
	case VMX_REASON_WBINVD:
		return STM_SMM_SKIP;
	case VMX_REASON_RDMSR:
	case VMX_REASON_WRMSR:
		v = stm_core_smm_msr(core, cpu, e->msr, e->is_write);
		if (v == STM_VERDICT_DENY)
			return stm_smm_denied(psd, spe, e, STM_PSD_SPE_MSR_VIOLATION,
					      STM_PROTECTION_EXCEPTION_MSR);
		if (e->is_write && stm_msr_stm_owned(e->msr))
			return STM_SMM_SKIP;
		return STM_SMM_EMULATE;
	case VMX_REASON_IO:
		v = stm_core_smm_io(core, cpu, e->port, e->size, e->out);
		if (v == STM_VERDICT_DENY) {
			/* PCI configuration data ports: the PCI filter bit */
			if (e->port >= STM_PCI_CONFIG_DATA_PORT &&
			    e->port <= STM_PCI_CONFIG_DATA_PORT + 3u)
				return stm_smm_denied(psd, spe, e,
						      STM_PSD_SPE_PCI_VIOLATION,
						      STM_PROTECTION_EXCEPTION_PCI);
			return stm_smm_denied(psd, spe, e, STM_PSD_SPE_IO_VIOLATION,
					      STM_PROTECTION_EXCEPTION_IO);
		}
		/* string I/O is not emulated: its memory operand is the guest's */
		return e->string ? STM_SMM_SKIP : STM_SMM_EMULATE;
	case VMX_REASON_EPT_VIOLATION:
		v = stm_core_smm_mem(core, cpu, e->gpa, 1, e->rwx);
		if (v == STM_VERDICT_DENY)
			return stm_smm_denied(psd, spe, e, STM_PSD_SPE_PAGE_VIOLATION,
					      STM_PROTECTION_EXCEPTION_PAGE);
		/* allowed now: a stale EPT entry; the caller INVEPTs and retries */
		return STM_SMM_RESUME;
	case VMX_REASON_VMCALL:
		if (e->vmcall == STM_API_RETURN_FROM_PROTECTION_EXCEPTION &&
		    spe && spe->active)
			return STM_SMM_SPE_RETURN;
		/* the other SMM-guest APIs (MAP/UNMAP/ADDRESS_LOOKUP) are not provided */
		gpr[STM_GPR_RAX] = STM_ERROR_INVALID_API;
		return STM_SMM_SKIP;
	default:
		return STM_SMM_ABORT;
	}
}

void stm_rt_guest_skip(const struct stm_smm_exit *e)
{
	stm_vmwrite(VMCS_GUEST_RIP, stm_vmread(VMCS_GUEST_RIP) + e->insn_len);
}

uint64_t stm_rt_spe_frame_addr(uint64_t spe_rsp)
{
	uint64_t f = spe_rsp - sizeof(struct stm_protection_exception_stack_frame_x64);

	return ((f - 0x10) & ~0xFull) - 8;
}

/* IA-32e 4-level paging walk (SDM Vol. 3A 4.5): PML4E, PDPTE (1 GiB), PDE (2 MiB), PTE. */
int stm_rt_guest_lin2phys(const struct stm_mem_ops *mem, void *ctx,
			  uint64_t cr3, int intel64, uint64_t lin,
			  uint64_t *pa)
{
	const uint64_t addr_mask = 0x000FFFFFFFFFF000ull;
	uint64_t table = cr3 & addr_mask;
	int level;

	if (!intel64) {
		*pa = lin & 0xFFFFFFFFull;
		return 0;
	}
	if (!stm_canonical(lin))
		return -1;
	for (level = 3; level >= 0; level--) {
		uint32_t idx = (uint32_t)(lin >> (12 + 9 * level)) & 0x1FFu;
		uint64_t *ent = mem->map(ctx, table + idx * 8ull, 8);
		uint64_t e;

		if (!ent)
			return -1;
		e = stm_rt_ld64((const uint8_t *)ent);
		mem->unmap(ctx, ent, 8);
		if (!(e & 1))
			return -1;
		if ((level == 2 || level == 1) && (e & 0x80)) {
			uint64_t size = 1ull << (12 + 9 * level);

			*pa = (e & addr_mask & ~(size - 1)) | (lin & (size - 1));
			return 0;
		}
		table = e & addr_mask;
	}
	*pa = table | (lin & 0xFFFull);
	return 0;
}

/* The frame must not cross a page: it is mapped through one translation. */
static int stm_spe_frame_pa(const struct stm_mem_ops *mem, void *ctx,
			    uint64_t cr3, int intel64, uint64_t lin, uint64_t *pa)
{
	const uint64_t sz = sizeof(struct stm_protection_exception_stack_frame_x64);
	uint64_t pa_end;

	if (stm_rt_guest_lin2phys(mem, ctx, cr3, intel64, lin, pa) ||
	    stm_rt_guest_lin2phys(mem, ctx, cr3, intel64, lin + sz - 1, &pa_end))
		return -1;
	return pa_end == *pa + sz - 1 ? 0 : -1;
}

uint32_t stm_rt_spe_enter(const struct stm_mem_ops *mem, void *ctx,
			  const struct stm_psd_info *psd,
			  const struct stm_smm_exit *e, const uint64_t *gpr,
			  struct stm_spe_state *spe)
{
	struct stm_protection_exception_stack_frame_x64 f;
	uint64_t lin = stm_rt_spe_frame_addr(psd->spe_rsp);
	uint64_t cr3 = stm_vmread(VMCS_GUEST_CR3);
	uint64_t pa;
	void *va;

	if (stm_spe_frame_pa(mem, ctx, cr3, psd->intel64, lin, &pa))
		return STM_ERROR_PAGE_NOT_FOUND;
	stm_memset(&f, 0, sizeof(f));
	f.r15 = gpr[STM_GPR_R15];
	f.r14 = gpr[STM_GPR_R14];
	f.r13 = gpr[STM_GPR_R13];
	f.r12 = gpr[STM_GPR_R12];
	f.r11 = gpr[STM_GPR_R11];
	f.r10 = gpr[STM_GPR_R10];
	f.r9 = gpr[STM_GPR_R9];
	f.r8 = gpr[STM_GPR_R8];
	f.rdi = gpr[STM_GPR_RDI];
	f.rsi = gpr[STM_GPR_RSI];
	f.rbp = gpr[STM_GPR_RBP];
	f.rdx = gpr[STM_GPR_RDX];
	f.rcx = gpr[STM_GPR_RCX];
	f.rbx = gpr[STM_GPR_RBX];
	f.rax = gpr[STM_GPR_RAX];
	f.cr3 = cr3;
	/* CR2: the faulting address of a page violation (linear if valid) */
	if ((e->reason & VMX_EXIT_REASON_MASK) == VMX_REASON_EPT_VIOLATION)
		f.cr2 = (e->qual & EPTQ_LINEAR_OK) ?
			stm_vmread(VMCS_GUEST_LINEAR_ADDR) : e->gpa;
	f.cr0 = stm_vmread(VMCS_GUEST_CR0);
	f.vmcs_exit_instruction_info = stm_vmread(VMCS_EXIT_INSN_INFO);
	f.vmcs_exit_instruction_length = e->insn_len;
	f.vmcs_exit_qualification = e->qual;
	f.error_code = e->spe_type;
	f.rip = stm_vmread(VMCS_GUEST_RIP);
	f.cs = stm_vmread(VMCS_GUEST_CS_SEL);
	f.rflags = stm_vmread(VMCS_GUEST_RFLAGS);
	f.rsp = stm_vmread(VMCS_GUEST_RSP);
	f.ss = stm_vmread(VMCS_GUEST_SS_SEL);

	va = mem->map(ctx, pa, sizeof(f));
	if (!va)
		return STM_ERROR_PAGE_NOT_FOUND;
	stm_memcpy(va, &f, sizeof(f));
	mem->unmap(ctx, va, sizeof(f));

	spe->active = 1;
	spe->frame_lin = lin;
	spe->frame_pa = pa;
	spe->cs = f.cs;
	spe->ss = f.ss;
	spe->cr0 = f.cr0;
	spe->cr3 = f.cr3;
	spe->rip = f.rip;
	spe->insn_len = e->insn_len;
	stm_vmwrite(VMCS_GUEST_RIP, psd->spe_rip);
	stm_vmwrite(VMCS_GUEST_RSP, lin);
	stm_vmwrite(VMCS_GUEST_SS_SEL, psd->spe_ss);
	return STM_SUCCESS;
}

/* The handler's (possibly changed) GPRs from its frame. */
static void stm_spe_frame_gprs(const struct stm_protection_exception_stack_frame_x64 *f,
			       uint64_t *gpr)
{
	gpr[STM_GPR_R15] = f->r15;
	gpr[STM_GPR_R14] = f->r14;
	gpr[STM_GPR_R13] = f->r13;
	gpr[STM_GPR_R12] = f->r12;
	gpr[STM_GPR_R11] = f->r11;
	gpr[STM_GPR_R10] = f->r10;
	gpr[STM_GPR_R9] = f->r9;
	gpr[STM_GPR_R8] = f->r8;
	gpr[STM_GPR_RDI] = f->rdi;
	gpr[STM_GPR_RSI] = f->rsi;
	gpr[STM_GPR_RBP] = f->rbp;
	gpr[STM_GPR_RDX] = f->rdx;
	gpr[STM_GPR_RCX] = f->rcx;
	gpr[STM_GPR_RBX] = f->rbx;
	gpr[STM_GPR_RAX] = f->rax;
}

/*
 * The frame's RIP, RFLAGS and RSP made safe to resume with (*rip, f);
 * what was refused (STM_SPE_IGN_*): CS, SS, CR0 and CR3 are never taken.
 */
static uint32_t stm_spe_frame_sanitize(struct stm_protection_exception_stack_frame_x64 *f,
				       const struct stm_spe_state *spe,
				       uint64_t *rip)
{
	uint32_t ign = 0;

	*rip = f->rip;
	if (!stm_canonical(*rip)) {
		ign |= STM_SPE_IGN_RIP;
		*rip = spe->rip;
	}
	if (*rip == spe->rip)
		*rip += spe->insn_len;	/* never re-execute the refused access */
	if (f->rflags & RFLAGS_KEEP_OUT) {
		ign |= STM_SPE_IGN_RFLAGS;
		f->rflags = (f->rflags & ~RFLAGS_KEEP_OUT) | X86_RFLAGS_FIXED;
	}
	f->rflags |= X86_RFLAGS_FIXED;
	if (f->cs != spe->cs || f->ss != spe->ss)
		ign |= STM_SPE_IGN_SEG;
	if (f->cr0 != spe->cr0 || f->cr3 != spe->cr3)
		ign |= STM_SPE_IGN_CR;
	if (!stm_canonical(f->rsp)) {
		ign |= STM_SPE_IGN_RIP;
		f->rsp = stm_vmread(VMCS_GUEST_RSP);
	}
	return ign;
}

uint32_t stm_rt_spe_return(const struct stm_mem_ops *mem, void *ctx,
			   uint64_t *gpr, struct stm_spe_state *spe,
			   uint32_t *ignored)
{
	struct stm_protection_exception_stack_frame_x64 f;
	uint32_t ign;
	uint64_t rip;
	void *va;

	if (ignored)
		*ignored = 0;
	if (!spe->active)
		return STM_ERROR_INVALID_API;
	va = mem->map(ctx, spe->frame_pa, sizeof(f));
	if (!va)
		return STM_ERROR_PAGE_NOT_FOUND;
	stm_memcpy(&f, va, sizeof(f));
	mem->unmap(ctx, va, sizeof(f));

	stm_spe_frame_gprs(&f, gpr);
	ign = stm_spe_frame_sanitize(&f, spe, &rip);

	stm_vmwrite(VMCS_GUEST_RIP, rip);
	stm_vmwrite(VMCS_GUEST_RFLAGS, f.rflags);
	stm_vmwrite(VMCS_GUEST_RSP, f.rsp);
	stm_vmwrite(VMCS_GUEST_SS_SEL, spe->ss);
	stm_vmwrite(VMCS_GUEST_CS_SEL, spe->cs);
	stm_vmwrite(VMCS_GUEST_CR0, spe->cr0);
	stm_vmwrite(VMCS_GUEST_CR3, spe->cr3);
	spe->active = 0;
	if (ignored)
		*ignored = ign;
	return STM_SUCCESS;
}

uint32_t stm_rt_msr_vmcs_field(uint32_t msr)
{
	switch (msr) {
	case STM_MSR_IA32_EFER:
		return VMCS_GUEST_EFER;
	case STM_MSR_IA32_SYSENTER_CS:
		return VMCS_GUEST_SYSENTER_CS;
	case STM_MSR_IA32_SYSENTER_ESP:
		return VMCS_GUEST_SYSENTER_ESP;
	case STM_MSR_IA32_SYSENTER_EIP:
		return VMCS_GUEST_SYSENTER_EIP;
	case STM_MSR_IA32_FS_BASE:
		return VMCS_GUEST_FS_BASE;
	case STM_MSR_IA32_GS_BASE:
		return VMCS_GUEST_GS_BASE;
	default:
		return 0;
	}
}

uint64_t stm_rt_efer_write(uint64_t old, uint64_t val)
{
	const uint64_t mode = 0x500ull;		/* LME | LMA: the VM entry's mode */
	const uint64_t ok = 0x801ull;		/* SCE | NXE */

	return (old & mode) | (val & ok);
}
