// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The SMI path of the bundled STM (SDM Vol. 3C 32.15.2-32.15.4, 32.15.6):
 *
 *   SMM VM exit (reason 5 I/O SMI or 6 other SMI, from VMX root or
 *   non-root) on the SMI-transfer VMCS -> stm_rt_smi(): the interrupted
 *   context into the SMRAM state-save map at SMBASE + 0xFC00 (Intel 64
 *   layout, SMBASE at +0xFEF8; runtime/ssa.c) -> VMPTRLD the CPU's
 *   SMM-guest VMCS, re-armed from the PSD -> VMLAUNCH/VMRESUME into the
 *   firmware's SmmSmiHandlerRip ("entry to SMM" = 1);
 *   SMM-guest VM exits -> stm_rt_smm_exit(): enforcement and emulation
 *   (runtime/smm_exit.c decides, the policy core logs), the SpeRip
 *   protection-exception handler, and at RSM (reason 17) the save map
 *   back into the SMI-transfer VMCS -> VMPTRLD it -> VMRESUME, the VM
 *   entry that returns from SMM to the executive monitor.
 *
 * Everything computed from data is in stm-image/runtime (unit-tested);
 * this file is the glue: VMPTRLD/VMCLEAR/INVEPT, the instructions the STM
 * performs for the SMM guest (CPUID, RDMSR/WRMSR, IN/OUT), allocation.
 * Documentation/stm-image.rst, "The SMI path".
 */
#include <stddef.h>
#include "rt.h"
#include "vmx.h"
#include "smi.h"

#ifndef STM_EPT_POOL_MAX
#define STM_EPT_POOL_MAX	1024	/* EPT tables of the SMM guest, at most */
#endif
#define STM_EPT_SPARE		32	/* pool pages for splits after the build */
#define STM_HEAP_RESERVE	8	/* heap pages left for later activations */
#define STM_SSA_REV		0x30064u	/* Intel 64 map, I/O restart, SMBASE reloc */
#define STM_STALE_EPT_MAX	4u	/* retries of an EPT violation the core allows */
#define MSR_MTRRCAP		0xFEu
#define MSR_MTRR_DEF_TYPE	0x2FFu
#define MSR_MTRR_PHYSBASE0	0x200u

/* Per CPU: what its SMIs need, allocated at its activation. */
struct stm_smm_cpu {
	struct stm_psd_info psd;
	struct stm_seg seg[STM_SEG_NR];
	struct stm_vmcs_host host;
	struct stm_smm_vmcs_cfg cfg;
	struct stm_spe_state spe;
	struct stm_guest_state g;	/* the executive's context during the SMI */
	struct stm_smm_stats st;
	uint64_t efer;			/* the executive's IA32_EFER at the SMI */
	uint32_t ept_gen;		/* stm_rt.ept_gen last INVEPTed for */
	uint32_t stale;			/* stale-EPT retries in this SMI */
};

static struct {
	uint8_t *io_bitmap;		/* 2 pages: A then B */
	uint8_t *msr_bitmap;		/* 1 page */
	struct stm_ept ept;
	struct stm_ept_cfg ept_cfg;
	struct stm_mtrr mtrr;
	struct stm_ept_page *pool;
	uint32_t npool;
	struct stm_vmx_caps caps;
	uint32_t ready;
	struct stm_smm_cpu *cpu[STM_MAX_CPUS];
} stm_smm;

/* ---- instructions ---------------------------------------------------- */

static void stm_wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
			 "d"((uint32_t)(v >> 32)) : "memory");
}

static uint32_t stm_in(uint16_t port, uint32_t size)
{
	uint32_t v = 0;

	if (size == 1) {
		uint8_t b;

		__asm__ volatile("inb %1, %0" : "=a"(b) : "Nd"(port));
		v = b;
	} else if (size == 2) {
		uint16_t w;

		__asm__ volatile("inw %1, %0" : "=a"(w) : "Nd"(port));
		v = w;
	} else {
		__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	}
	return v;
}

static void stm_out(uint16_t port, uint32_t size, uint32_t v)
{
	if (size == 1)
		__asm__ volatile("outb %0, %1" : : "a"((uint8_t)v), "Nd"(port));
	else if (size == 2)
		__asm__ volatile("outw %0, %1" : : "a"((uint16_t)v), "Nd"(port));
	else
		__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

/* INVEPT (SDM Vol. 3C 31.3): single-context if supported, else global. */
static void stm_invept(uint64_t eptp)
{
	struct { uint64_t eptp, rsvd; } desc = { eptp, 0 };
	uint64_t type = (stm_smm.caps.ept_vpid & (1ull << 25)) ? 1 : 2;

	if (!(stm_smm.caps.ept_vpid & (1ull << 20)))
		return;		/* no INVEPT: EPT changes apply at the next entry */
	__asm__ volatile("invept %0, %1" : : "m"(desc), "r"(type) : "cc", "memory");
}

/* ---- memory: identity below 4 GiB (the host page tables), never MSEG ---- */

static void *stm_smm_map(void *ctx, uint64_t pa, uint64_t len)
{
	(void)ctx;
	if (!len || pa >= 0x100000000ull || len > 0x100000000ull - pa)
		return NULL;
	if (pa < stm_rt.mseg_base + stm_rt.mseg_size && stm_rt.mseg_base < pa + len)
		return NULL;
	return (void *)(uintptr_t)pa;
}

static void stm_smm_unmap(void *ctx, void *va, uint64_t len)
{
	(void)ctx;
	(void)va;
	(void)len;
}

static const struct stm_mem_ops stm_smm_mem = { stm_smm_map, stm_smm_unmap };

/* ---- registers ------------------------------------------------------- */

static void stm_regs_to_gpr(const struct stm_rt_regs *r, uint64_t *g)
{
	g[STM_GPR_RAX] = r->rax;
	g[STM_GPR_RCX] = r->rcx;
	g[STM_GPR_RDX] = r->rdx;
	g[STM_GPR_RBX] = r->rbx;
	g[STM_GPR_RSP] = 0;
	g[STM_GPR_RBP] = r->rbp;
	g[STM_GPR_RSI] = r->rsi;
	g[STM_GPR_RDI] = r->rdi;
	g[STM_GPR_R8] = r->r8;
	g[STM_GPR_R9] = r->r9;
	g[STM_GPR_R10] = r->r10;
	g[STM_GPR_R11] = r->r11;
	g[STM_GPR_R12] = r->r12;
	g[STM_GPR_R13] = r->r13;
	g[STM_GPR_R14] = r->r14;
	g[STM_GPR_R15] = r->r15;
}

static void stm_gpr_to_regs(const uint64_t *g, struct stm_rt_regs *r)
{
	r->rax = g[STM_GPR_RAX];
	r->rcx = g[STM_GPR_RCX];
	r->rdx = g[STM_GPR_RDX];
	r->rbx = g[STM_GPR_RBX];
	r->rbp = g[STM_GPR_RBP];
	r->rsi = g[STM_GPR_RSI];
	r->rdi = g[STM_GPR_RDI];
	r->r8 = g[STM_GPR_R8];
	r->r9 = g[STM_GPR_R9];
	r->r10 = g[STM_GPR_R10];
	r->r11 = g[STM_GPR_R11];
	r->r12 = g[STM_GPR_R12];
	r->r13 = g[STM_GPR_R13];
	r->r14 = g[STM_GPR_R14];
	r->r15 = g[STM_GPR_R15];
}

/* ---- activation -------------------------------------------------------- */

static void stm_smm_read_caps(struct stm_vmx_caps *k)
{
	int true_ctls = (stm_rdmsr(MSR_IA32_VMX_BASIC) >> 55) & 1;

	k->pin = stm_rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PIN : MSR_IA32_VMX_PINBASED);
	k->proc = stm_rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PROC : MSR_IA32_VMX_PROCBASED);
	k->exit = stm_rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_EXIT : MSR_IA32_VMX_EXIT);
	k->entry = stm_rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY : MSR_IA32_VMX_ENTRY);
	k->proc2 = (k->proc >> 32) & VMX_PROC_SECONDARY ?
		   stm_rdmsr(MSR_IA32_VMX_PROCBASED2) : 0;
	k->ept_vpid = (k->proc2 >> 32) & VMX_PROC2_EPT ?
		      stm_rdmsr(MSR_IA32_VMX_EPT_VPID_CAP) : 0;
	k->cr0_fixed0 = stm_rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	k->cr0_fixed1 = stm_rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	k->cr4_fixed0 = stm_rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	k->cr4_fixed1 = stm_rdmsr(MSR_IA32_VMX_CR4_FIXED1);
}

/* MTRRs (SDM Vol. 3A 12.11) for the EPT memory types, if the CPU has them. */
static const struct stm_mtrr *stm_smm_read_mtrr(struct stm_mtrr *m)
{
	static const uint32_t fixed[11] = {
		0x250, 0x258, 0x259, 0x268, 0x269, 0x26A, 0x26B, 0x26C, 0x26D,
		0x26E, 0x26F,
	};
	uint32_t a, b, c, d, i;
	uint64_t cap;

	stm_cpuid(1, 0, &a, &b, &c, &d);
	if (!(d & (1u << 12)))
		return NULL;	/* no MTRRs: everything WB */
	memset(m, 0, sizeof(*m));
	cap = stm_rdmsr(MSR_MTRRCAP);
	m->def_type = stm_rdmsr(MSR_MTRR_DEF_TYPE);
	m->n_var = (uint32_t)(cap & 0xFF);
	if (m->n_var > STM_MTRR_MAX_VAR)
		m->n_var = STM_MTRR_MAX_VAR;
	m->fixed_supported = (cap >> 8) & 1;
	for (i = 0; m->fixed_supported && i < 11; i++)
		m->fixed[i] = stm_rdmsr(fixed[i]);
	for (i = 0; i < m->n_var; i++) {
		m->var_base[i] = stm_rdmsr(MSR_MTRR_PHYSBASE0 + 2 * i);
		m->var_mask[i] = stm_rdmsr(MSR_MTRR_PHYSBASE0 + 2 * i + 1);
	}
	return m;
}

/*
 * EPT pages the identity map of [0, 2^bits) needs before any split: PML4,
 * PDPTs, and without 1 GiB leaves one PD per GiB.
 */
static uint64_t stm_smm_ept_base_pages(uint32_t bits, int gb)
{
	uint64_t pdpts = bits > 39 ? 1ull << (bits - 39) : 1;

	return 1 + pdpts + (gb ? 0 : 1ull << (bits - 30));
}

/* The I/O and MSR bitmaps of the SMM guest, from the heap. */
static uint32_t stm_smm_bitmaps_alloc(void)
{
	stm_smm.io_bitmap = stm_rt_alloc(STM_IO_BITMAP_BYTES);
	stm_smm.msr_bitmap = stm_rt_alloc(STM_MSR_BITMAP_BYTES);
	if (!stm_smm.io_bitmap || !stm_smm.msr_bitmap) {
		stm_rt_log("stm: SMM guest: no heap for the I/O and MSR bitmaps\n");
		return STM_ERROR_OUT_OF_RESOURCES;
	}
	return STM_SUCCESS;
}

/*
 * The pool: what the identity map needs plus STM_EPT_SPARE for the
 * splits of PROTECT, within the heap that is left.  Without 1 GiB
 * EPT leaves a wide physical address space costs one page per GiB:
 * the map then covers [0, 2^bits) with bits lowered (not below 32)
 * until it fits, and the log says so (memory above is not mapped for
 * the SMM guest; its accesses there are EPT violations, skipped).
 * Sets stm_smm.npool; returns bits.
 */
static uint32_t stm_smm_pool_size(int gb)
{
	uint64_t free_pages;
	uint32_t bits;

	bits = stm_rt.phys_bits > STM_EPT_MAX_BITS ? STM_EPT_MAX_BITS : stm_rt.phys_bits;
	free_pages = (stm_rt.heap_size - stm_rt.heap_used) >> 12;
	free_pages = free_pages > STM_HEAP_RESERVE ? free_pages - STM_HEAP_RESERVE : 0;
	/* each pool page also costs a 16-byte descriptor: 256 per page */
	if (free_pages > 1)
		free_pages -= free_pages / 257 + 1;
	if (free_pages > STM_EPT_POOL_MAX)
		free_pages = STM_EPT_POOL_MAX;
	while (bits > 32 && stm_smm_ept_base_pages(bits, gb) + STM_EPT_SPARE > free_pages)
		bits--;
	if (bits != stm_rt.phys_bits)
		stm_rt_log("stm: SMM EPT covers 2^%u (CPU 2^%u, %s1 GiB pages, %llu pages)\n",
			   bits, stm_rt.phys_bits, gb ? "" : "no ",
			   (unsigned long long)free_pages);
	stm_smm.npool = (uint32_t)(stm_smm_ept_base_pages(bits, gb) + STM_EPT_SPARE);
	if (stm_smm.npool > free_pages)
		stm_smm.npool = (uint32_t)free_pages;
	return bits;
}

/* stm_smm.npool EPT pages and their descriptors, from the heap. */
static uint32_t stm_smm_pool_alloc(void)
{
	uint8_t *pool;
	uint32_t i;

	stm_smm.pool = stm_rt_alloc((uint64_t)stm_smm.npool * sizeof(*stm_smm.pool));
	pool = stm_rt_alloc((uint64_t)stm_smm.npool * 0x1000ull);
	if (!stm_smm.pool || !pool || !stm_smm.npool) {
		stm_rt_log("stm: SMM guest: no heap for %u EPT pages\n", stm_smm.npool);
		return STM_ERROR_OUT_OF_RESOURCES;
	}
	stm_rt_io_bitmap_build(stm_rt.core, stm_smm.io_bitmap);
	stm_rt_msr_bitmap_build(stm_rt.core, stm_smm.msr_bitmap);
	for (i = 0; i < stm_smm.npool; i++) {
		stm_smm.pool[i].va = pool + i * 0x1000ull;
		stm_smm.pool[i].pa = (uint64_t)(uintptr_t)(pool + i * 0x1000ull);
	}
	return STM_SUCCESS;
}

/* The SMM guest's EPT over [0, 2^bits), MSEG left out. */
static uint32_t stm_smm_ept_init(uint32_t bits, int gb)
{
	struct stm_ept_cfg *ec = &stm_smm.ept_cfg;
	uint32_t st;

	memset(ec, 0, sizeof(*ec));
	ec->phys_bits = bits;
	ec->flags = (gb ? STM_EPT_1G : 0) |
		    ((stm_smm.caps.ept_vpid & 1ull) ? STM_EPT_EXEC_ONLY : 0);
	ec->mtrr = stm_smm_read_mtrr(&stm_smm.mtrr);
	/* MSEG (the STM, its heap and VMCSs) is not mapped for the SMM guest */
	ec->n_holes = 1;
	ec->hole_base[0] = stm_rt.mseg_base;
	ec->hole_size[0] = stm_rt.mseg_size;
	memset(&stm_smm.ept, 0, sizeof(stm_smm.ept));
	st = stm_rt_ept_build(&stm_smm.ept, stm_rt.core, ec, stm_smm.pool,
			      stm_smm.npool);
	if (st != STM_SUCCESS)
		stm_rt_log("stm: SMM guest: EPT build failed (0x%x, pool %u pages)\n",
			   st, stm_smm.npool);
	return st;
}

uint32_t stm_rt_smm_init(void)
{
	uint32_t st, bits;
	int gb;

	/* a new launch: the heap was reset, nothing of the last one survives */
	stm_smm.ready = 0;
	memset(stm_smm.cpu, 0, sizeof(stm_smm.cpu));
	stm_smm_read_caps(&stm_smm.caps);
	st = stm_smm_bitmaps_alloc();
	if (st != STM_SUCCESS)
		return st;
	gb = (stm_smm.caps.ept_vpid & (1ull << 17)) != 0;
	bits = stm_smm_pool_size(gb);
	st = stm_smm_pool_alloc();
	if (st != STM_SUCCESS)
		return st;
	st = stm_smm_ept_init(bits, gb);
	if (st != STM_SUCCESS)
		return st;
	stm_smm.ready = 1;
	stm_rt_log("stm: SMM guest: EPT %u of %u pool pages, I/O + MSR bitmaps\n",
		   stm_smm.ept.pages_used, stm_smm.npool);
	return STM_SUCCESS;
}

uint32_t stm_rt_smm_cpu_init(struct stm_rt_cpu *cpu)
{
	struct stm_smm_cpu *s;
	enum stm_psd_reason pwhy;
	enum stm_smm_vmcs_reason why;
	uint32_t st;

	if (!stm_smm.ready || cpu->index >= STM_MAX_CPUS)
		return STM_ERROR_OUT_OF_RESOURCES;
	s = stm_smm.cpu[cpu->index];
	if (!s) {
		s = stm_rt_alloc(sizeof(*s));
		if (!s)
			return STM_ERROR_OUT_OF_RESOURCES;
		stm_smm.cpu[cpu->index] = s;
	}
	memset(s, 0, sizeof(*s));
	s->psd = cpu->psd;
	st = stm_rt_psd_segments(&stm_smm_mem, NULL, &s->psd, s->seg, &pwhy);
	if (st != STM_SUCCESS) {
		stm_rt_log("stm: cpu %u: PSD: %s\n", cpu->index,
			   stm_psd_reason_name(pwhy));
		return st;
	}
	/* the SMI-transfer VMCS is current: the STM's host state */
	stm_rt_vmcs_host_read(&s->host);
	s->cfg.psd = &s->psd;
	s->cfg.seg = s->seg;
	s->cfg.caps = &stm_smm.caps;
	s->cfg.host = &s->host;
	s->cfg.host_rip = (uint64_t)(uintptr_t)stm_rt_host_smm;
	s->cfg.io_bitmap_a = (uint64_t)(uintptr_t)stm_smm.io_bitmap;
	s->cfg.io_bitmap_b = s->cfg.io_bitmap_a + 0x1000;
	s->cfg.msr_bitmap = (uint64_t)(uintptr_t)stm_smm.msr_bitmap;
	s->cfg.eptp = stm_rt_ept_eptp(&stm_smm.ept);
	s->cfg.smbase = cpu->smbase;

	*(uint32_t *)(uintptr_t)cpu->smm_vmcs_pa = stm_rt.vmcs_rev;
	if (stm_vmclear(cpu->smm_vmcs_pa) || stm_vmptrld(cpu->smm_vmcs_pa)) {
		stm_vmptrld(cpu->smi_vmcs_pa);
		return STM_ERROR_UNSPECIFIED;
	}
	st = stm_rt_smm_vmcs_write(&s->cfg, &why);
	stm_vmptrld(cpu->smi_vmcs_pa);
	if (st != STM_SUCCESS) {
		stm_rt_log("stm: cpu %u: SMM-guest VMCS: %s\n", cpu->index,
			   stm_smm_vmcs_reason_name(why));
		return st;
	}
	cpu->smm_launched = 0;
	s->ept_gen = stm_rt.ept_gen;
	return STM_SUCCESS;
}

void stm_rt_smm_cpu_stop(struct stm_rt_cpu *cpu)
{
	uint64_t cur = stm_vmptrst();

	/* make the SMM-guest VMCS inactive; keep the current one current */
	stm_vmclear(cpu->smm_vmcs_pa);
	if (cur != ~0ull && cur != cpu->smm_vmcs_pa)
		stm_vmptrld(cur);
	cpu->smm_launched = 0;
}

/*
 * PROTECT/UNPROTECT: the bitmaps are shared by every CPU's SMM-guest VMCS
 * (updated in place, effective at the next access); the EPT is brought in
 * line over the whole address space and every CPU INVEPTs at its next SMI
 * (stm_rt.ept_gen).  All or nothing: STM_ERROR_OUT_OF_RESOURCES leaves the
 * EPT as it was.
 */
uint32_t stm_rt_protection_changed(uint32_t api, uint64_t list_pa)
{
	uint32_t st;

	(void)api;
	(void)list_pa;
	if (!stm_smm.ready)
		return STM_SUCCESS;
	stm_rt_io_bitmap_build(stm_rt.core, stm_smm.io_bitmap);
	stm_rt_msr_bitmap_build(stm_rt.core, stm_smm.msr_bitmap);
	st = stm_rt_ept_update(&stm_smm.ept, 0, stm_smm.ept.limit);
	if (st != STM_SUCCESS)
		stm_rt_log("stm: EPT update failed (0x%x): pool of %u pages full\n",
			   st, stm_smm.npool);
	__atomic_add_fetch(&stm_rt.ept_gen, 1, __ATOMIC_RELEASE);
	return st;
}

/* ---- SMI ------------------------------------------------------------- */

static uint8_t *stm_smm_ssa(const struct stm_smm_cpu *s)
{
	return stm_smm_map(NULL, (uint64_t)s->g.smbase + STM_SSA_OFFSET, STM_SSA_SIZE);
}

/* Back to the executive monitor with the (possibly updated) context. */
static int stm_smm_leave(struct stm_rt_cpu *cpu, struct stm_smm_cpu *s,
			 struct stm_rt_regs *regs)
{
	uint64_t gpr[STM_GPR_NR];

	if (stm_vmptrld(cpu->smi_vmcs_pa)) {
		stm_rt_log("stm: cpu %u: VMPTRLD of the SMI-transfer VMCS failed\n",
			   cpu->index);
		stm_rt_entry_failed(cpu, regs, 0);
	}
	stm_rt_guest_state_write(&s->g, gpr);
	stm_gpr_to_regs(gpr, regs);
	stm_wrmsr(STM_MSR_IA32_EFER, s->efer);	/* SCE, NXE of the executive */
	cpu->state = STM_RT_CPU_RUNNING;
	return STM_RT_RESUME;
}

int stm_rt_smi(struct stm_rt_cpu *cpu, struct stm_rt_regs *regs)
{
	struct stm_smm_cpu *s = cpu->index < STM_MAX_CPUS ? stm_smm.cpu[cpu->index] : NULL;
	uint64_t gpr[STM_GPR_NR];
	uint8_t *ssa;
	uint32_t gen;

	cpu->smis++;
	if (!s) {
		stm_rt_log("stm: cpu %u: SMI without an SMM guest; dropped\n", cpu->index);
		return STM_RT_RESUME;
	}
	stm_regs_to_gpr(regs, gpr);
	stm_rt_guest_state_read(&s->g, gpr);
	/*
	 * IA32_EFER: neither VMCS saves or loads it (an SMM VM exit changes
	 * only LME/LMA, 32.15.2.4), so the CPU still holds the executive's;
	 * the SMM guest's VM entry replaces it (SCE and NXE included) and no
	 * VM exit or return from SMM puts it back: the STM does, before the
	 * VM entry that returns (stm_smm_leave()).
	 */
	s->efer = stm_rdmsr(STM_MSR_IA32_EFER);
	s->g.efer = s->efer;
	ssa = stm_smm_ssa(s);
	if (!ssa) {
		stm_rt_log("stm: cpu %u: SMBASE 0x%x: save map not mapped; SMI dropped\n",
			   cpu->index, s->g.smbase);
		return STM_RT_RESUME;
	}
	stm_rt_ssa_write_sync(ssa, &s->g, STM_SSA_REV);

	if (stm_vmptrld(cpu->smm_vmcs_pa)) {
		stm_rt_log("stm: cpu %u: VMPTRLD of the SMM-guest VMCS failed; SMI dropped\n",
			   cpu->index);
		stm_vmptrld(cpu->smi_vmcs_pa);
		return STM_RT_RESUME;
	}
	gen = __atomic_load_n(&stm_rt.ept_gen, __ATOMIC_ACQUIRE);
	if (s->ept_gen != gen) {
		stm_invept(s->cfg.eptp);
		s->ept_gen = gen;
	}
	stm_rt_smm_vmcs_rearm(&s->cfg);
	s->spe.active = 0;
	s->stale = 0;
	/* the SMM guest starts with clean registers, not the executive's */
	memset(regs, 0, sizeof(*regs));
	cpu->state = STM_RT_CPU_IN_SMM;
	if (!cpu->smm_launched) {
		cpu->smm_launched = 1;
		return STM_RT_LAUNCH;
	}
	return STM_RT_RESUME;
}

static void stm_smm_emulate(struct stm_smm_cpu *s, struct stm_smm_exit *e,
			    uint64_t *gpr)
{
	uint32_t a, b, c, d, f;
	uint64_t v;

	switch (e->reason & VMX_EXIT_REASON_MASK) {
	case VMX_REASON_CPUID:
		stm_cpuid((uint32_t)gpr[STM_GPR_RAX], (uint32_t)gpr[STM_GPR_RCX],
			  &a, &b, &c, &d);
		gpr[STM_GPR_RAX] = a;
		gpr[STM_GPR_RBX] = b;
		gpr[STM_GPR_RCX] = c;
		gpr[STM_GPR_RDX] = d;
		break;
	case VMX_REASON_RDMSR:
		f = stm_rt_msr_vmcs_field(e->msr);
		v = f ? stm_vmread(f) : stm_rdmsr(e->msr);
		gpr[STM_GPR_RAX] = (uint32_t)v;
		gpr[STM_GPR_RDX] = v >> 32;
		break;
	case VMX_REASON_WRMSR:
		v = (gpr[STM_GPR_RDX] << 32) | (uint32_t)gpr[STM_GPR_RAX];
		f = stm_rt_msr_vmcs_field(e->msr);
		if (f == VMCS_GUEST_EFER)
			stm_vmwrite(f, stm_rt_efer_write(stm_vmread(f), v));
		else if (f)
			stm_vmwrite(f, v);
		else
			stm_wrmsr(e->msr, v);
		break;
	case VMX_REASON_IO:
		if (e->out) {
			stm_out(e->port, e->size, (uint32_t)gpr[STM_GPR_RAX]);
		} else {
			v = stm_in(e->port, e->size);
			if (e->size == 4)
				gpr[STM_GPR_RAX] = v;
			else if (e->size == 2)
				gpr[STM_GPR_RAX] = (gpr[STM_GPR_RAX] & ~0xFFFFull) | v;
			else
				gpr[STM_GPR_RAX] = (gpr[STM_GPR_RAX] & ~0xFFull) | v;
		}
		break;
	default:
		break;
	}
	s->st.emulated++;
	stm_rt_guest_skip(e);
}

/* A refused access without a SpeRip handler: skipped; a read returns 0. */
static void stm_smm_skip(struct stm_smm_cpu *s, struct stm_smm_exit *e,
			 uint64_t *gpr)
{
	uint32_t r = e->reason & VMX_EXIT_REASON_MASK;

	if (r == VMX_REASON_RDMSR) {
		gpr[STM_GPR_RAX] = 0;
		gpr[STM_GPR_RDX] = 0;
	} else if (r == VMX_REASON_IO && !e->out && !e->string) {
		gpr[STM_GPR_RAX] &= e->size == 4 ? 0 : e->size == 2 ? ~0xFFFFull : ~0xFFull;
	}
	s->st.skipped++;
	stm_rt_guest_skip(e);
}

/* RSM: the save map's writable fields back, then to the executive. */
static int stm_smm_rsm(struct stm_rt_cpu *cpu, struct stm_smm_cpu *s,
		       struct stm_rt_regs *regs)
{
	uint8_t *ssa = stm_smm_ssa(s);
	uint32_t ign = ssa ? stm_rt_ssa_read_sync(ssa, &s->g) : 0;

	if (ign)
		stm_rt_log("stm: cpu %u: RSM: save-map changes refused (0x%x)\n",
			   cpu->index, ign);
	return stm_smm_leave(cpu, s, regs);
}

/* A refused access with a SpeRip handler: into it, or skipped. */
static void stm_smm_spe(struct stm_rt_cpu *cpu, struct stm_smm_cpu *s,
			struct stm_smm_exit *e, uint64_t *gpr)
{
	uint32_t st;

	s->st.denied++;
	st = stm_rt_spe_enter(&stm_smm_mem, NULL, &s->psd, e, gpr, &s->spe);
	if (st == STM_SUCCESS) {
		s->st.spe++;
		return;
	}
	stm_rt_log("stm: cpu %u: SpeRip frame not mapped (0x%x); access skipped\n",
		   cpu->index, st);
	stm_smm_skip(s, e, gpr);
}

/* The SpeRip handler returns: the interrupted context back. */
static void stm_smm_spe_ret(struct stm_rt_cpu *cpu, struct stm_smm_cpu *s,
			    uint64_t *gpr)
{
	uint32_t st, ign;

	st = stm_rt_spe_return(&stm_smm_mem, NULL, gpr, &s->spe, &ign);
	s->st.spe_returns++;
	if (st != STM_SUCCESS || ign)
		stm_rt_log("stm: cpu %u: return from SpeRip: 0x%x, refused 0x%x\n",
			   cpu->index, st, ign);
}

/* A skipped exit; a refused access (no SpeRip handler) counts as denied. */
static void stm_smm_denied_skip(struct stm_smm_cpu *s, struct stm_smm_exit *e,
				uint64_t *gpr)
{
	if (e->spe_type == 0 && (e->reason == VMX_REASON_EPT_VIOLATION ||
				 e->reason == VMX_REASON_RDMSR ||
				 e->reason == VMX_REASON_WRMSR ||
				 e->reason == VMX_REASON_IO))
		s->st.denied++;
	stm_smm_skip(s, e, gpr);
}

/* An EPT violation the core allows: stale entry; bounded retries. */
static void stm_smm_stale(struct stm_smm_cpu *s, struct stm_smm_exit *e,
			  uint64_t *gpr)
{
	if (++s->stale > STM_STALE_EPT_MAX) {
		stm_smm_skip(s, e, gpr);
		return;
	}
	stm_invept(s->cfg.eptp);
}

/* An exit the STM cannot handle: the SMI ends, back to the executive. */
static int stm_smm_abort(struct stm_rt_cpu *cpu, struct stm_smm_cpu *s,
			 const struct stm_smm_exit *e, struct stm_rt_regs *regs)
{
	s->st.aborts++;
	stm_rt_log("stm: cpu %u: SMM guest exit 0x%x (qual 0x%llx) at 0x%llx: SMI ended\n",
		   cpu->index, e->reason, (unsigned long long)e->qual,
		   (unsigned long long)stm_vmread(VMCS_GUEST_RIP));
	return stm_smm_leave(cpu, s, regs);
}

int stm_rt_smm_exit(struct stm_rt_cpu *cpu, struct stm_rt_regs *regs)
{
	struct stm_smm_cpu *s = cpu->index < STM_MAX_CPUS ? stm_smm.cpu[cpu->index] : NULL;
	uint64_t gpr[STM_GPR_NR];
	struct stm_smm_exit e;
	enum stm_smm_action act;

	if (!s)		/* cannot happen: the SMM-guest VMCS exists only with s */
		stm_rt_entry_failed(cpu, regs, 0);
	stm_regs_to_gpr(regs, gpr);
	s->st.exits++;
	stm_rt_lock();
	act = stm_rt_smm_exit_decide(stm_rt.core, cpu->index, &s->psd, gpr,
				     &s->spe, &e);
	stm_rt_unlock();

	switch (act) {
	case STM_SMM_RSM:
		return stm_smm_rsm(cpu, s, regs);
	case STM_SMM_EMULATE:
		stm_smm_emulate(s, &e, gpr);
		break;
	case STM_SMM_SPE:
		stm_smm_spe(cpu, s, &e, gpr);
		break;
	case STM_SMM_SPE_RETURN:
		stm_smm_spe_ret(cpu, s, gpr);
		break;
	case STM_SMM_SKIP:
		stm_smm_denied_skip(s, &e, gpr);
		break;
	case STM_SMM_RESUME:
		stm_smm_stale(s, &e, gpr);
		break;
	case STM_SMM_ABORT:
	default:
		return stm_smm_abort(cpu, s, &e, regs);
	}
	stm_gpr_to_regs(gpr, regs);
	return STM_RT_RESUME;
}
