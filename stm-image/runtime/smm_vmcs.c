// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The SMM-guest VMCS: the VMCS the STM enters the firmware's SMI handler
 * with ("entry to SMM" = 1, SDM Vol. 3C 32.15.3), built from the CPU's PSD
 * (SMBASE + 0xFB00; the SMM entry state of SDM 32.15.6 and the STM user
 * guide: CR3, GDT and selectors, SmmSmiHandlerRip/Rsp, Intel64Mode) and the
 * STM's own host state.  Pure C over the VMCS accessor (<stm/vmcs.h>).
 *
 * Controls (SDM Vol. 3C 25.6-25.8, adjusted to the capability MSRs, SDM
 * Vol. 3D A.3-A.5): I/O bitmaps and MSR bitmaps (enforcement of the
 * protection database's ports and MSRs), EPT (its memory), nothing else
 * the guest would notice; "entry to SMM" and, for an Intel64Mode PSD,
 * "IA-32e mode guest"; EFER loaded and saved where the CPU allows it.
 */
#include "rt_priv.h"
#include <stm/smm_guest.h>

#define CR0_PE		0x00000001ull
#define CR0_ET		0x00000010ull
#define CR0_NE		0x00000020ull
#define CR0_PG		0x80000000ull
#define CR4_PSE		0x00000010ull
#define CR4_PAE		0x00000020ull
#define CR4_VMXE	0x00002000ull
#define EFER_LME	0x00000100ull
#define EFER_LMA	0x00000400ull
#define PAT_DEFAULT	0x0007040600070406ull	/* power-up PAT (SDM 13.12.4) */

static const char *const stm_smm_vmcs_reasons[STM_SMM_VMCS_REASON_NR] = {
	[STM_SMM_VMCS_OK] = "ok",
	[STM_SMM_VMCS_NO_EPT] = "EPT not supported (secondary controls)",
	[STM_SMM_VMCS_NO_BITMAPS] = "I/O or MSR bitmaps not supported",
	[STM_SMM_VMCS_NO_ENTRY_TO_SMM] = "VM-entry control \"entry to SMM\" not supported",
	[STM_SMM_VMCS_NO_IA32E] = "IA-32e mode guest or host not supported",
	[STM_SMM_VMCS_BAD_FIXED] = "PSD CR0/CR4 violate IA32_VMX_CR0/CR4_FIXED",
	[STM_SMM_VMCS_BAD_ADDR] = "bitmap or EPTP address not page aligned",
};

const char *stm_smm_vmcs_reason_name(enum stm_smm_vmcs_reason r)
{
	if ((uint32_t)r >= STM_SMM_VMCS_REASON_NR)
		return "unknown";
	return stm_smm_vmcs_reasons[r];
}

int stm_rt_vmx_ctl(uint64_t cap, uint32_t want, uint32_t *out)
{
	uint32_t allowed0 = (uint32_t)cap;		/* must be 1 */
	uint32_t allowed1 = (uint32_t)(cap >> 32);	/* may be 1 */

	if (want & ~allowed1)
		return -1;
	*out = want | allowed0;
	return 0;
}

/* Controls, guest CR0/CR4/EFER of the SMM guest, decided before any write. */
struct stm_smm_plan {
	uint32_t pin, proc, proc2, exit, entry;
	uint64_t cr0, cr4, efer;
};

static enum stm_smm_vmcs_reason stm_smm_plan(const struct stm_smm_vmcs_cfg *cfg,
					     struct stm_smm_plan *p)
{
	const struct stm_vmx_caps *k = cfg->caps;
	const struct stm_psd_info *psd = cfg->psd;
	uint32_t opt;

	if ((cfg->io_bitmap_a | cfg->io_bitmap_b | cfg->msr_bitmap |
	     (cfg->eptp & ~0xFFFull)) & 0xFFFull)
		return STM_SMM_VMCS_BAD_ADDR;
	if (stm_rt_vmx_ctl(k->pin, 0, &p->pin))
		return STM_SMM_VMCS_NO_BITMAPS;	/* cannot happen: want = 0 */
	if (stm_rt_vmx_ctl(k->proc, VMX_PROC_IO_BITMAPS | VMX_PROC_MSR_BITMAPS |
			   (cfg->eptp ? VMX_PROC_SECONDARY : 0), &p->proc)) {
		if (cfg->eptp && stm_rt_vmx_ctl(k->proc, VMX_PROC_SECONDARY, &opt))
			return STM_SMM_VMCS_NO_EPT;
		return STM_SMM_VMCS_NO_BITMAPS;
	}
	/* with I/O bitmaps, unconditional I/O exiting is ignored (25.6.4) */
	p->proc2 = 0;
	if (cfg->eptp && stm_rt_vmx_ctl(k->proc2, VMX_PROC2_EPT, &p->proc2))
		return STM_SMM_VMCS_NO_EPT;
	if (stm_rt_vmx_ctl(k->entry, VMX_ENTRY_TO_SMM, &p->entry))
		return STM_SMM_VMCS_NO_ENTRY_TO_SMM;
	if (psd->intel64 && stm_rt_vmx_ctl(k->entry, VMX_ENTRY_TO_SMM |
					   VMX_ENTRY_IA32E_GUEST, &p->entry))
		return STM_SMM_VMCS_NO_IA32E;
	/* the STM's host is 64-bit */
	if (stm_rt_vmx_ctl(k->exit, VMX_EXIT_HOST_64, &p->exit))
		return STM_SMM_VMCS_NO_IA32E;
	/*
	 * Optional: the guest's EFER from the VMCS (its WRMSR EFER is
	 * emulated into the field, which the guest cannot change otherwise,
	 * so "save IA32_EFER" is not needed).  No "load IA32_EFER" on exit:
	 * the host-address-space-size control sets LME/LMA (SDM 28.5.1) and
	 * the host EFER field need not be valid; a guest NXE left in the
	 * STM's EFER is harmless (its page tables set no XD bit).
	 */
	if (!stm_rt_vmx_ctl(k->entry, p->entry | VMX_ENTRY_LOAD_EFER, &opt))
		p->entry = opt;
	/* never set by allowed-0 on any CPU, but be explicit */
	p->entry &= ~VMX_ENTRY_DEACTIVATE_DM;

	/*
	 * Guest CR0/CR4: protected mode with paging at the PSD's CR3 (PG and
	 * PE are fixed-1 without unrestricted guest, which is not used), PAE
	 * and PSE as the PSD's entry state says; CR4.VMXE is fixed-1 in VMX
	 * operation and hidden from the guest by the CR4 mask and shadow.
	 */
	p->cr0 = (CR0_PE | CR0_ET | CR0_NE | CR0_PG | k->cr0_fixed0) & k->cr0_fixed1;
	p->cr4 = CR4_VMXE | k->cr4_fixed0;
	if (psd->entry_state & STM_PSD_ENTRY_CR4_PAE)
		p->cr4 |= CR4_PAE;
	if (psd->entry_state & STM_PSD_ENTRY_CR4_PSE)
		p->cr4 |= CR4_PSE;
	if ((p->cr0 & k->cr0_fixed0) != k->cr0_fixed0 ||
	    (p->cr0 & ~k->cr0_fixed1) || (p->cr4 & ~k->cr4_fixed1) ||
	    !(p->cr0 & CR0_PG) || !(p->cr0 & CR0_PE))
		return STM_SMM_VMCS_BAD_FIXED;
	p->efer = psd->intel64 ? EFER_LME | EFER_LMA : 0;
	return STM_SMM_VMCS_OK;
}

static void stm_smm_write_guest(const struct stm_smm_vmcs_cfg *cfg,
				const struct stm_smm_plan *p)
{
	static const uint32_t sel[STM_SEG_NR] = {
		VMCS_GUEST_ES_SEL, VMCS_GUEST_CS_SEL, VMCS_GUEST_SS_SEL,
		VMCS_GUEST_DS_SEL, VMCS_GUEST_FS_SEL, VMCS_GUEST_GS_SEL,
		VMCS_GUEST_LDTR_SEL, VMCS_GUEST_TR_SEL,
	};
	const struct stm_psd_info *psd = cfg->psd;
	uint32_t i;

	/*
	 * Selector, limit, access rights and base of segment i are at
	 * encodings sel + 2i in the 16-bit, 32-bit (limit 0x4800, AR
	 * 0x4814) and natural (base 0x6806) groups (SDM Vol. 3D B.1-B.4).
	 */
	for (i = 0; i < STM_SEG_NR; i++) {
		stm_vmwrite(sel[i], cfg->seg[i].sel);
		stm_vmwrite(VMCS_GUEST_ES_LIMIT + 2 * i, cfg->seg[i].limit);
		stm_vmwrite(VMCS_GUEST_ES_AR + 2 * i, cfg->seg[i].ar);
		stm_vmwrite(VMCS_GUEST_ES_BASE + 2 * i, cfg->seg[i].base);
	}
	stm_vmwrite(VMCS_GUEST_GDTR_BASE, psd->gdt_base);
	stm_vmwrite(VMCS_GUEST_GDTR_LIMIT, psd->gdt_limit);
	/* no IDT: an exception in the handler is a triple fault, exit 2 (ABORT) */
	stm_vmwrite(VMCS_GUEST_IDTR_BASE, 0);
	stm_vmwrite(VMCS_GUEST_IDTR_LIMIT, 0);
	stm_vmwrite(VMCS_GUEST_CR0, p->cr0);
	stm_vmwrite(VMCS_GUEST_CR3, psd->cr3);
	stm_vmwrite(VMCS_GUEST_CR4, p->cr4);
	stm_vmwrite(VMCS_GUEST_DR7, 0x400);
	stm_vmwrite(VMCS_GUEST_RSP, psd->handler_rsp);
	stm_vmwrite(VMCS_GUEST_RIP, psd->handler_rip);
	stm_vmwrite(VMCS_GUEST_RFLAGS, X86_RFLAGS_FIXED);
	stm_vmwrite(VMCS_GUEST_PENDING_DBG, 0);
	stm_vmwrite(VMCS_GUEST_EFER, p->efer);
	/* 26.3.1.5: "entry to SMM" requires blocking by SMI */
	stm_vmwrite(VMCS_GUEST_INTERRUPTIBILITY, VMX_INTR_BLOCK_SMI);
	stm_vmwrite(VMCS_GUEST_ACTIVITY, 0);
	stm_vmwrite(VMCS_GUEST_SMBASE, cfg->smbase);
	stm_vmwrite(VMCS_CR0_SHADOW, p->cr0);
	stm_vmwrite(VMCS_CR4_SHADOW, p->cr4 & ~CR4_VMXE);
}

uint32_t stm_rt_smm_vmcs_write(const struct stm_smm_vmcs_cfg *cfg,
			       enum stm_smm_vmcs_reason *reason)
{
	const struct stm_vmcs_host *h = cfg->host;
	struct stm_smm_plan p;
	enum stm_smm_vmcs_reason r;

	r = stm_smm_plan(cfg, &p);
	if (reason)
		*reason = r;
	if (r != STM_SMM_VMCS_OK)
		return STM_ERROR_INVALID_PARAMETER;

	/* controls */
	stm_vmwrite(VMCS_PIN_CONTROLS, p.pin);
	stm_vmwrite(VMCS_PROC_CONTROLS, p.proc);
	if (p.proc & VMX_PROC_SECONDARY)
		stm_vmwrite(VMCS_PROC2_CONTROLS, p.proc2);
	stm_vmwrite(VMCS_EXIT_CONTROLS, p.exit);
	stm_vmwrite(VMCS_ENTRY_CONTROLS, p.entry);
	stm_vmwrite(VMCS_EXCEPTION_BITMAP, 0);
	stm_vmwrite(VMCS_PF_ERROR_MASK, 0);
	stm_vmwrite(VMCS_PF_ERROR_MATCH, 0);
	stm_vmwrite(VMCS_CR3_TARGET_COUNT, 0);
	stm_vmwrite(VMCS_EXIT_MSR_STORE_COUNT, 0);
	stm_vmwrite(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	stm_vmwrite(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	stm_vmwrite(VMCS_ENTRY_INTR_INFO, 0);
	stm_vmwrite(VMCS_TSC_OFFSET, 0);
	stm_vmwrite(VMCS_CR0_MASK, 0);
	stm_vmwrite(VMCS_CR4_MASK, CR4_VMXE);
	stm_vmwrite(VMCS_IO_BITMAP_A, cfg->io_bitmap_a);
	stm_vmwrite(VMCS_IO_BITMAP_B, cfg->io_bitmap_b);
	stm_vmwrite(VMCS_MSR_BITMAP, cfg->msr_bitmap);
	if (p.proc2 & VMX_PROC2_EPT)
		stm_vmwrite(VMCS_EPT_POINTER, cfg->eptp);
	stm_vmwrite(VMCS_LINK_POINTER, ~0ull);

	/* host state: the STM's, as in the SMI-transfer VMCS */
	stm_rt_vmcs_host_write(h, cfg->host_rip);

	/* guest state */
	stm_vmwrite(VMCS_GUEST_DEBUGCTL, 0);
	stm_vmwrite(VMCS_GUEST_PAT, PAT_DEFAULT);
	stm_vmwrite(VMCS_GUEST_SYSENTER_CS, 0);
	stm_vmwrite(VMCS_GUEST_SYSENTER_ESP, 0);
	stm_vmwrite(VMCS_GUEST_SYSENTER_EIP, 0);
	stm_smm_write_guest(cfg, &p);
	return STM_SUCCESS;
}

void stm_rt_smm_vmcs_rearm(const struct stm_smm_vmcs_cfg *cfg)
{
	struct stm_smm_plan p;

	/* the plan was accepted by stm_rt_smm_vmcs_write() at activation */
	if (stm_smm_plan(cfg, &p) != STM_SMM_VMCS_OK)
		return;
	stm_smm_write_guest(cfg, &p);
}

void stm_rt_vmcs_host_read(struct stm_vmcs_host *h)
{
	h->cr0 = stm_vmread(VMCS_HOST_CR0);
	h->cr3 = stm_vmread(VMCS_HOST_CR3);
	h->cr4 = stm_vmread(VMCS_HOST_CR4);
	h->cs = (uint16_t)stm_vmread(VMCS_HOST_CS_SEL);
	h->ss = (uint16_t)stm_vmread(VMCS_HOST_SS_SEL);
	h->ds = (uint16_t)stm_vmread(VMCS_HOST_DS_SEL);
	h->es = (uint16_t)stm_vmread(VMCS_HOST_ES_SEL);
	h->fs = (uint16_t)stm_vmread(VMCS_HOST_FS_SEL);
	h->gs = (uint16_t)stm_vmread(VMCS_HOST_GS_SEL);
	h->tr = (uint16_t)stm_vmread(VMCS_HOST_TR_SEL);
	h->fs_base = stm_vmread(VMCS_HOST_FS_BASE);
	h->gs_base = stm_vmread(VMCS_HOST_GS_BASE);
	h->tr_base = stm_vmread(VMCS_HOST_TR_BASE);
	h->gdtr_base = stm_vmread(VMCS_HOST_GDTR_BASE);
	h->idtr_base = stm_vmread(VMCS_HOST_IDTR_BASE);
	h->rsp = stm_vmread(VMCS_HOST_RSP);
	h->efer = stm_vmread(VMCS_HOST_EFER);
	h->pat = stm_vmread(VMCS_HOST_PAT);
	h->pad = 0;
}

void stm_rt_vmcs_host_write(const struct stm_vmcs_host *h, uint64_t rip)
{
	stm_vmwrite(VMCS_HOST_CR0, h->cr0);
	stm_vmwrite(VMCS_HOST_CR3, h->cr3);
	stm_vmwrite(VMCS_HOST_CR4, h->cr4);
	stm_vmwrite(VMCS_HOST_CS_SEL, h->cs);
	stm_vmwrite(VMCS_HOST_SS_SEL, h->ss);
	stm_vmwrite(VMCS_HOST_DS_SEL, h->ds);
	stm_vmwrite(VMCS_HOST_ES_SEL, h->es);
	stm_vmwrite(VMCS_HOST_FS_SEL, h->fs);
	stm_vmwrite(VMCS_HOST_GS_SEL, h->gs);
	stm_vmwrite(VMCS_HOST_TR_SEL, h->tr);
	stm_vmwrite(VMCS_HOST_FS_BASE, h->fs_base);
	stm_vmwrite(VMCS_HOST_GS_BASE, h->gs_base);
	stm_vmwrite(VMCS_HOST_TR_BASE, h->tr_base);
	stm_vmwrite(VMCS_HOST_GDTR_BASE, h->gdtr_base);
	stm_vmwrite(VMCS_HOST_IDTR_BASE, h->idtr_base);
	stm_vmwrite(VMCS_HOST_SYSENTER_CS, 0);
	stm_vmwrite(VMCS_HOST_SYSENTER_ESP, 0);
	stm_vmwrite(VMCS_HOST_SYSENTER_EIP, 0);
	stm_vmwrite(VMCS_HOST_RSP, h->rsp);
	stm_vmwrite(VMCS_HOST_RIP, rip);
}

/* ------------------------------------------------------------------ */
/* SMI-transfer VMCS <-> struct stm_guest_state (runtime/ssa.c)       */
/* ------------------------------------------------------------------ */

static const uint32_t stm_seg_sel_field[STM_SEG_NR] = {
	VMCS_GUEST_ES_SEL, VMCS_GUEST_CS_SEL, VMCS_GUEST_SS_SEL,
	VMCS_GUEST_DS_SEL, VMCS_GUEST_FS_SEL, VMCS_GUEST_GS_SEL,
	VMCS_GUEST_LDTR_SEL, VMCS_GUEST_TR_SEL,
};

void stm_rt_guest_state_read(struct stm_guest_state *g, const uint64_t *gpr)
{
	uint32_t i;

	stm_memset(g, 0, sizeof(*g));
	for (i = 0; i < STM_GPR_NR; i++)
		g->gpr[i] = gpr[i];
	g->gpr[STM_GPR_RSP] = stm_vmread(VMCS_GUEST_RSP);
	g->rip = stm_vmread(VMCS_GUEST_RIP);
	g->rflags = stm_vmread(VMCS_GUEST_RFLAGS);
	g->cr0 = stm_vmread(VMCS_GUEST_CR0);
	g->cr3 = stm_vmread(VMCS_GUEST_CR3);
	g->cr4 = stm_vmread(VMCS_GUEST_CR4);
	g->dr7 = stm_vmread(VMCS_GUEST_DR7);
	g->dr6 = 0xFFFF0FF0ull;	/* not in the VMCS: the architectural reset value */
	g->efer = stm_vmread(VMCS_GUEST_EFER);
	for (i = 0; i < STM_SEG_NR; i++) {
		g->seg[i].sel = (uint16_t)stm_vmread(stm_seg_sel_field[i]);
		g->seg[i].limit = (uint32_t)stm_vmread(VMCS_GUEST_ES_LIMIT + 2 * i);
		g->seg[i].ar = (uint32_t)stm_vmread(VMCS_GUEST_ES_AR + 2 * i);
		g->seg[i].base = stm_vmread(VMCS_GUEST_ES_BASE + 2 * i);
	}
	g->gdtr_base = stm_vmread(VMCS_GUEST_GDTR_BASE);
	g->gdtr_limit = (uint32_t)stm_vmread(VMCS_GUEST_GDTR_LIMIT);
	g->idtr_base = stm_vmread(VMCS_GUEST_IDTR_BASE);
	g->idtr_limit = (uint32_t)stm_vmread(VMCS_GUEST_IDTR_LIMIT);
	g->entry_ctls = (uint32_t)stm_vmread(VMCS_ENTRY_CONTROLS);
	g->activity = (uint32_t)stm_vmread(VMCS_GUEST_ACTIVITY);
	g->exit_reason = (uint32_t)stm_vmread(VMCS_EXIT_REASON) & VMX_EXIT_REASON_MASK;
	g->exit_insn_len = (uint32_t)stm_vmread(VMCS_EXIT_INSN_LEN);
	g->exit_qual = stm_vmread(VMCS_EXIT_QUALIFICATION);
	if (g->exit_reason == STM_VMX_EXIT_IO_SMI) {
		g->io_rcx = stm_vmread(VMCS_IO_RCX);
		g->io_rsi = stm_vmread(VMCS_IO_RSI);
		g->io_rdi = stm_vmread(VMCS_IO_RDI);
		g->io_rip = stm_vmread(VMCS_IO_RIP);
		g->guest_linear = stm_vmread(VMCS_GUEST_LINEAR_ADDR);
	}
	if (stm_vmread(VMCS_PROC_CONTROLS) & VMX_PROC_SECONDARY &&
	    stm_vmread(VMCS_PROC2_CONTROLS) & VMX_PROC2_EPT) {
		g->ept_enabled = 1;
		g->eptp = stm_vmread(VMCS_EPT_POINTER);
	}
	g->smbase = (uint32_t)stm_vmread(VMCS_GUEST_SMBASE);
}

void stm_rt_guest_state_write(const struct stm_guest_state *g, uint64_t *gpr)
{
	uint32_t i;

	for (i = 0; i < STM_GPR_NR; i++)
		if (i != STM_GPR_RSP)
			gpr[i] = g->gpr[i];
	stm_vmwrite(VMCS_GUEST_RSP, g->gpr[STM_GPR_RSP]);
	stm_vmwrite(VMCS_GUEST_RIP, g->rip);
	stm_vmwrite(VMCS_GUEST_RFLAGS, g->rflags);
	stm_vmwrite(VMCS_GUEST_ACTIVITY, g->activity);
}
