// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Activation of the dual-monitor treatment (SDM Vol. 3C 32.15.6): the
 * C side of the entry stub (entry.S).  Every CPU's activating VMCALL
 * arrives here with its arrival index (the stack it claimed):
 *
 *   1. the first arrival of a launch relocates the image (runtime.c) and
 *      sets up the runtime: MSEG layout from the header, TSEG from SMRR,
 *      its own PSD at SMBASE + 0xFB00 (runtime/psd.c; SMBASE from the
 *      activation VMCS guest-SMBASE field), the CPU count from the
 *      firmware's MADT (runtime/acpi.c, RSDP from the PSD), the policy
 *      core in the MSEG heap, the host IDT, then stmrt3's stm_rt_smm_init();
 *      later arrivals wait for it;
 *   2. per CPU: the PSD checked, the activation VMCS copied into the
 *      CPU's SMI-transfer VMCS (VMPTRST, VMREAD, VMCLEAR, VMPTRLD,
 *      VMWRITE) with the STM's host state, the VMCALL given to the
 *      policy core's dispatcher (INITIALIZE_PROTECTION or START; the
 *      status is the core's), stm_rt_smm_cpu_init();
 *   3. entry.S VMLAUNCHes the SMI-transfer VMCS: the VM entry that
 *      returns from SMM to the executive monitor (32.15.4) with the
 *      status in EAX and CF.  A refused activation returns the same way
 *      with "deactivate dual-monitor treatment" (32.15.7), so the CPU is
 *      left as it was before the VMCALL and its index is released.
 *
 * Memory: the loader's page tables at MSEG + Cr3Offset map 0-4 GiB 1:1;
 * the STM uses them as its host paging (the executive's request pages
 * must lie below 4 GiB; above, the core's accessor refuses them).
 */
#include "rt.h"
#include "vmx.h"

#define STM_4G			0x100000000ull
#define MSR_IA32_MTRRCAP	0xFEu
#define MSR_IA32_SMM_MONITOR_CTL 0x9Bu

static uint32_t stm_rt_ready;		/* launch set up (acquire/release) */
uint32_t stm_rt_own_stacks;		/* rt.h; entry.S reads it */
/* The record of the arrival on the refusal stack (under its lock). */
static struct stm_rt_cpu stm_rt_refused_cpu;
static uint32_t stm_rt_init_status;	/* its status */
static uint64_t stm_rt_idt[256 * 2] __aligned(16);

/* ---- physical memory for the core, the PSD and ACPI ---- */

static void *stm_rt_map(void *ctx, uint64_t pa, uint64_t len)
{
	(void)ctx;
	if (!len || pa + len < pa || pa + len > STM_4G)
		return NULL;
	/* nothing the executive names may reach into MSEG */
	if (stm_rt.mseg_size && pa < stm_rt.mseg_base + stm_rt.mseg_size &&
	    stm_rt.mseg_base < pa + len)
		return NULL;
	return (void *)(uintptr_t)pa;
}

static void stm_rt_unmap(void *ctx, void *va, uint64_t len)
{
	(void)ctx;
	(void)va;
	(void)len;
}

static const struct stm_mem_ops stm_rt_mem = {
	.map = stm_rt_map,
	.unmap = stm_rt_unmap,
};

const struct stm_mem_ops *stm_rt_mem_ops(void)
{
	return &stm_rt_mem;
}

struct stm_rt_cpu *stm_rt_cpu_at(uint32_t index)
{
	return (struct stm_rt_cpu *)(uintptr_t)(stm_rt.esp_base +
		(uint64_t)index * STM_STACK_SIZE + STM_RT_CPU_OFF);
}

static uint64_t stm_rt_area(uint32_t index)
{
	return stm_rt.esp_base + (uint64_t)index * STM_STACK_SIZE;
}

/* ---- launch setup (first arrival) ---- */

static uint32_t stm_rt_phys_bits(void)
{
	uint32_t a, b, c, d;

	stm_cpuid(0x80000000u, 0, &a, &b, &c, &d);
	if (a < 0x80000008u)
		return 36;
	stm_cpuid(0x80000008u, 0, &a, &b, &c, &d);
	a &= 0xFF;
	return a < 32 ? 32 : a > 52 ? 52 : a;
}

/* TSEG from SMRR (SDM 32.4.2.1); 0/0 if the CPU has no SMRR or it is off. */
static void stm_rt_read_smrr(void)
{
	stm_rt.tseg_base = 0;
	stm_rt.tseg_size = 0;
	if (!(stm_rdmsr(MSR_IA32_MTRRCAP) & 0x800u))
		return;
	stm_rt_smrr_range(stm_rdmsr(STM_MSR_IA32_SMRR_PHYSBASE),
			  stm_rdmsr(STM_MSR_IA32_SMRR_PHYSMASK),
			  stm_rt.phys_bits, &stm_rt.tseg_base,
			  &stm_rt.tseg_size);
}

static void stm_rt_idt_init(void)
{
	uint64_t h = (uint64_t)(uintptr_t)stm_rt_exception_entry;
	uint32_t v;

	/* 64-bit interrupt gates, present, DPL 0, selector CS, IST 0 */
	for (v = 0; v < 256; v++) {
		stm_rt_idt[2 * v] = (h & 0xFFFF) |
				    ((uint64_t)STM_SEL_CODE64 << 16) |
				    (0x8Eull << 40) |
				    ((h >> 16 & 0xFFFF) << 48);
		stm_rt_idt[2 * v + 1] = h >> 32;
	}
}

/* The launch's MSEG layout, host paging, VMCS size, TSEG and IDT. */
static void stm_rt_layout_init(const struct stm_header *hdr, uint64_t base)
{
	uint64_t basic;

	memset(&stm_rt.psd, 0, sizeof(stm_rt.psd));
	stm_rt.mseg_base = base;
	stm_rt.esp_base = base + hdr->hw_stm_hdr.esp_offset;
	stm_rt.heap_base = stm_rt.esp_base - STM_HEAP_SIZE;
	stm_rt.heap_size = STM_HEAP_SIZE;
	stm_rt.heap_used = 0;
	stm_rt.host_cr3 = stm_read_cr3();
	stm_rt.phys_bits = stm_rt_phys_bits();
	basic = stm_rdmsr(MSR_IA32_VMX_BASIC);
	stm_rt.vmcs_rev = (uint32_t)basic & 0x7FFFFFFFu;
	stm_rt.vmcs_size = (((uint32_t)(basic >> 32) & 0x1FFFu) + 0xFFFu) &
			   ~0xFFFu;
	if (!stm_rt.vmcs_size)
		stm_rt.vmcs_size = 0x1000;
	stm_rt_read_smrr();
	/* until the CPU count is known: everything up to the first stack */
	stm_rt.mseg_size = hdr->hw_stm_hdr.esp_offset;
	stm_rt_idt_init();
}

/* The firmware's PSD and CPU count (MADT); the MSEG size that follows. */
static uint32_t stm_rt_platform_scan(const struct stm_header *hdr,
				     uint64_t smbase)
{
	struct stm_acpi_info acpi;
	enum stm_psd_reason why;
	uint32_t st;

	st = stm_rt_psd_read(&stm_rt_mem, NULL, smbase, stm_rt.phys_bits, 0,
			     &stm_rt.psd, &why);
	if (st != STM_SUCCESS) {
		stm_rt_log("stm: PSD at SMBASE 0x%lx + 0xFB00 refused: %s (status 0x%x)\n",
			   smbase, stm_psd_reason_name(why), st);
		return st;
	}
	memset(&acpi, 0, sizeof(acpi));
	st = stm_rt_acpi_scan(&stm_rt_mem, NULL, stm_rt.psd.acpi_rsdp,
			      (1ull << stm_rt.phys_bits) - 1, &acpi);
	if (st != STM_SUCCESS) {
		stm_rt_log("stm: no CPU count from the ACPI tables (RSDP 0x%lx): 0x%x\n",
			   stm_rt.psd.acpi_rsdp, st);
		return st;
	}
	stm_rt.ncpus = acpi.ncpus;
	if ((uint64_t)stm_rt.ncpus * STM_STACK_SIZE > STM_4G) {
		stm_rt_log("stm: %u CPUs do not fit\n", stm_rt.ncpus);
		return STM_ERROR_OUT_OF_RESOURCES;
	}
	/* the reference formula's per-CPU share: stack + 2 VMCSs (ref 8.2) */
	stm_rt.mseg_size = hdr->hw_stm_hdr.esp_offset +
			   (uint64_t)stm_rt.ncpus *
			   (STM_STACK_SIZE + 2ull * stm_rt.vmcs_size);
	if (!stm_rt_mseg_room(stm_rt.mseg_base, stm_rt.mseg_size,
			      stm_rt.tseg_base, stm_rt.tseg_size)) {
		/* what to do: a bigger MSEG (stmimg info --cpus N) */
		stm_rt_log("stm: MSEG 0x%lx too small: %u CPUs need 0x%lx, TSEG ends at 0x%lx\n",
			   stm_rt.mseg_base, stm_rt.ncpus, stm_rt.mseg_size,
			   stm_rt.tseg_base + stm_rt.tseg_size);
		return STM_ERROR_OUT_OF_RESOURCES;
	}
	return STM_SUCCESS;
}

/* The platform as the policy core sees it. */
static void stm_rt_platform_fill(struct stm_platform *p)
{
	memset(p, 0, sizeof(*p));
	p->mem = &stm_rt_mem;
	p->ncpus = stm_rt.ncpus;
	p->fw_cpus = stm_rt.ncpus;
	p->phys_addr_bits = stm_rt.phys_bits;
	p->mseg_base = stm_rt.mseg_base;
	p->mseg_size = stm_rt.mseg_size;
	p->tseg_base = stm_rt.tseg_base;
	p->tseg_size = stm_rt.tseg_size;
	p->bios_list_pa = stm_rt.psd.bios_list_pa;
	p->profile = STM_PROFILE_LENIENT;
	p->ept_exec_only = (uint32_t)(stm_rdmsr(MSR_IA32_VMX_EPT_VPID_CAP) & 1);
}

/*
 * The policy core in the MSEG heap, then stmrt3's SMM-guest setup; on a
 * failure nothing of either is left (stm_rt.core NULL).  *core_size is
 * what the core took, for the launch log.
 */
static uint32_t stm_rt_core_start(uint64_t *core_size)
{
	struct stm_platform p;
	uint32_t st;

	stm_rt_platform_fill(&p);
	*core_size = stm_core_size(&p);
	stm_rt.core = *core_size ? stm_rt_alloc(*core_size) : NULL;
	if (!stm_rt.core) {
		stm_rt_log("stm: policy core needs 0x%lx bytes, heap has 0x%lx\n",
			   *core_size, stm_rt.heap_size - stm_rt.heap_used);
		return STM_ERROR_OUT_OF_RESOURCES;
	}
	st = (uint32_t)stm_core_init(stm_rt.core, &p);
	if (st != STM_SUCCESS) {
		stm_rt_log("stm: policy core refused the platform: 0x%x\n", st);
		goto err_core;
	}
	st = stm_rt_smm_init();
	if (st != STM_SUCCESS) {
		stm_rt_log("stm: SMM guest setup failed: 0x%x\n", st);
		goto err_fini;
	}
	return STM_SUCCESS;

err_fini:
	stm_core_fini(stm_rt.core);
err_core:
	stm_rt.core = NULL;
	return st;
}

/* The first arrival of a launch: everything every CPU then shares. */
static uint32_t stm_rt_launch_init(uint64_t smbase)
{
	const struct stm_header *hdr = (const void *)__stm_image_base;
	uint64_t core_size;
	uint32_t st;

	stm_rt_layout_init(hdr, (uint64_t)(uintptr_t)__stm_image_base);
	st = stm_rt_platform_scan(hdr, smbase);
	if (st != STM_SUCCESS)
		return st;
	st = stm_rt_core_start(&core_size);
	if (st != STM_SUCCESS)
		return st;
	stm_rt_log("stm: launch: MSEG 0x%lx, %u CPU(s) (MADT), TSEG 0x%lx+0x%lx\n",
		   stm_rt.mseg_base, stm_rt.ncpus, stm_rt.tseg_base,
		   stm_rt.tseg_size);
	stm_rt_log("stm: launch: phys bits %u, core 0x%lx bytes, heap 0x%lx of 0x%lx\n",
		   stm_rt.phys_bits, core_size, stm_rt.heap_used,
		   stm_rt.heap_size);
	return STM_SUCCESS;
}

/*
 * A CPU gives its index back (STOP, or a refused activation).  When the
 * last one does, the arrival counter at MSEG + EspOffset is reset and the
 * next activation starts a new launch (the reference STMs do the same at
 * their final teardown).  Called with the lock held.
 */
void stm_rt_release_index(struct stm_rt_cpu *cpu)
{
	cpu->state = STM_RT_CPU_STOPPED;
	if (stm_rt.active)
		stm_rt.active--;
	if (stm_rt.active)
		return;
	/*
	 * stm_rt_ready stays set (with its status): an arrival that is still
	 * waiting for a failed launch sees it and is refused, never stuck.
	 * The next index-0 arrival clears it for its own launch.
	 */
	__atomic_store_n((uint32_t *)(uintptr_t)stm_rt.esp_base, 0,
			 __ATOMIC_RELEASE);
}

static void stm_rt_host_state(struct stm_rt_cpu *cpu, struct stm_rt_host *h)
{
	int true_ctls = (stm_rdmsr(MSR_IA32_VMX_BASIC) >> 55) & 1;

	memset(h, 0, sizeof(*h));
	h->state.cr0 = stm_read_cr0();
	h->state.cr3 = stm_read_cr3();
	h->state.cr4 = stm_read_cr4();
	h->state.cs = STM_SEL_CODE64;
	h->state.ss = STM_SEL_DATA64;
	h->state.ds = STM_SEL_DATA64;
	h->state.es = STM_SEL_DATA64;
	h->state.fs = STM_SEL_DATA64;
	h->state.gs = STM_SEL_DATA64;
	h->state.tr = STM_SEL_TSS;
	h->state.tr_base = stm_tss_base();
	h->state.gdtr_base = (uint64_t)(uintptr_t)stm_gdt;
	h->state.idtr_base = (uint64_t)(uintptr_t)stm_rt_idt;
	h->state.rsp = cpu->host_rsp;
	h->rip = (uint64_t)(uintptr_t)stm_rt_host_smi;
	h->pin_cap = stm_rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PIN :
			       MSR_IA32_VMX_PINBASED);
	h->proc_cap = stm_rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PROC :
				MSR_IA32_VMX_PROCBASED);
	h->exit_cap = stm_rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_EXIT :
				MSR_IA32_VMX_EXIT);
	h->entry_cap = stm_rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY :
				 MSR_IA32_VMX_ENTRY);
}

/* A VMCS page of this CPU, cleared and made current. */
static int stm_rt_vmcs_load(uint64_t pa)
{
	memset((void *)(uintptr_t)pa, 0, stm_rt.vmcs_size);
	*(uint32_t *)(uintptr_t)pa = stm_rt.vmcs_rev;
	if (stm_vmclear(pa))
		return -1;
	return stm_vmptrld(pa);
}

/* Index 0 sets the launch up; every later arrival waits for it. */
static void stm_rt_await_launch(uint32_t index,
				const struct stm_rt_vmcs_snap *snap)
{
	if (index == 0) {
		uint64_t smbase = stm_rt_snap_get(snap, VMCS_GUEST_SMBASE);

		__atomic_store_n(&stm_rt_ready, 0, __ATOMIC_RELEASE);
		__atomic_store_n(&stm_rt_own_stacks, 0, __ATOMIC_RELEASE);
		stm_rt_init_status = stm_rt_launch_init(smbase);
		/* entry.S: arrivals from this count on take the refusal stack */
		__atomic_store_n(&stm_rt_own_stacks,
				 stm_rt_init_status == STM_SUCCESS &&
				 stm_rt.ncpus ? stm_rt.ncpus : 1,
				 __ATOMIC_RELEASE);
		__atomic_store_n(&stm_rt_ready, 1, __ATOMIC_RELEASE);
	} else {
		while (!__atomic_load_n(&stm_rt_ready, __ATOMIC_ACQUIRE))
			__builtin_ia32_pause();
	}
}

/*
 * This CPU's record: its VMCS pages, host stack, activation VMCS, SMBASE.
 * An arrival on the refusal stack (@refused, entry.S) gets the refusal
 * record and that stack's top: nothing in its computed area, which may be
 * another CPU's VMCS pair or lie past MSEG.
 */
static struct stm_rt_cpu *stm_rt_cpu_setup(uint32_t index, int refused,
					   uint64_t act_pa,
					   const struct stm_rt_vmcs_snap *snap,
					   struct stm_entry_frame *f)
{
	uint64_t top_pa = refused ?
		(uint64_t)(uintptr_t)stm_refuse_stack_top :
		stm_rt_area(index) + STM_STACK_SIZE;
	struct stm_rt_cpu *cpu = refused ? &stm_rt_refused_cpu :
				 stm_rt_cpu_at(index);
	struct stm_rt_stack_top *top;
	uint32_t a, b, c, d;

	memset(cpu, 0, sizeof(*cpu));
	cpu->index = index;
	stm_cpuid(1, 0, &a, &b, &c, &d);
	cpu->apic_id = b >> 24;
	if (!refused && index < stm_rt.ncpus) {
		cpu->smi_vmcs_pa = stm_rt.esp_base +
				   (uint64_t)stm_rt.ncpus * STM_STACK_SIZE +
				   2ull * index * stm_rt.vmcs_size;
		cpu->smm_vmcs_pa = cpu->smi_vmcs_pa + stm_rt.vmcs_size;
	}
	/* the slot entry.S kept free above the activation frame */
	cpu->host_rsp = top_pa - STM_RT_STACK_TOP_SIZE;
	top = (struct stm_rt_stack_top *)(uintptr_t)cpu->host_rsp;
	top->cpu = cpu;
	top->pad = 0;
	cpu->activation_vmcs_pa = act_pa;
	cpu->smbase = (uint32_t)stm_rt_snap_get(snap, VMCS_GUEST_SMBASE);
	cpu->psd_pa = (uint64_t)cpu->smbase + STM_PSD_OFFSET;
	f->claim = (uint64_t)(uintptr_t)cpu;	/* for stm_rt_entry_failed */
	return cpu;
}

/* May this CPU activate: the launch's status, the MADT count, its PSD. */
static uint32_t stm_rt_cpu_admit(struct stm_rt_cpu *cpu)
{
	enum stm_psd_reason why;
	uint32_t st;

	st = stm_rt_init_status;
	if (st == STM_SUCCESS && (cpu == &stm_rt_refused_cpu ||
				  cpu->index >= stm_rt.ncpus)) {
		stm_rt_log("stm: CPU arrival %u: the firmware's MADT counts %u CPU(s)\n",
			   cpu->index, stm_rt.ncpus);
		st = STM_ERROR_OUT_OF_RESOURCES;
	}
	if (st == STM_SUCCESS) {
		st = stm_rt_psd_read(&stm_rt_mem, NULL, cpu->smbase,
				     stm_rt.phys_bits, 0, &cpu->psd, &why);
		if (st != STM_SUCCESS)
			stm_rt_log("stm: cpu %u: PSD at 0x%lx refused: %s\n",
				   cpu->index, cpu->psd_pa,
				   stm_psd_reason_name(why));
	}
	return st;
}

/*
 * The VMCS this CPU leaves through, current and written: its own
 * SMI-transfer VMCS, or for a refused activation the activation VMCS
 * itself (no MSEG page is handed out for it).  Updates *st; *own says
 * which one.  -1 if not even the activation VMCS could be loaded.
 */
static int stm_rt_exit_vmcs(struct stm_rt_cpu *cpu, uint64_t act_pa,
			    const struct stm_rt_vmcs_snap *snap, uint32_t *st,
			    int *own)
{
	struct stm_rt_host host;

	stm_rt_host_state(cpu, &host);
	*own = *st == STM_SUCCESS && stm_rt_vmcs_load(cpu->smi_vmcs_pa) == 0;
	if (*st == STM_SUCCESS && !*own) {
		/* cannot happen with the CPU's own VMCS revision */
		stm_rt_log("stm: cpu %u: VMPTRLD of the SMI-transfer VMCS failed\n",
			   cpu->index);
		*st = STM_ERROR_UNSPECIFIED;
	}
	if (!*own && stm_vmptrld(act_pa))
		return -1;
	if (stm_rt_smi_vmcs_write(snap, &host) != STM_SUCCESS) {
		stm_rt_log("stm: cpu %u: the CPU cannot run a 64-bit STM host\n",
			   cpu->index);
		if (*st == STM_SUCCESS)
			*st = STM_ERROR_UNSPECIFIED;
	}
	return 0;
}

/*
 * The activating VMCALL through the policy core, then stmrt3's per-CPU
 * setup; if that fails, the core is told STOP so nothing is left.
 * Called with the lock held; returns the status for the executive.
 */
static uint32_t stm_rt_cpu_start(struct stm_rt_cpu *cpu, uint64_t act_pa,
				 const struct stm_entry_frame *f, int own)
{
	struct stm_regs r = { 0 };
	struct stm_regs s = { .eax = STM_API_STOP };
	uint32_t st;

	r.eax = (uint32_t)f->rax;
	r.ebx = (uint32_t)f->rbx;
	r.ecx = (uint32_t)f->rcx;
	r.edx = (uint32_t)f->rdx;
	stm_core_vmcall(stm_rt.core, cpu->index, act_pa, &r);
	if (r.eax != STM_SUCCESS)
		return r.eax;
	st = stm_rt_smm_cpu_init(cpu);
	if (st == STM_SUCCESS)
		return st;
	stm_rt_log("stm: cpu %u: SMM-guest VMCS setup failed: 0x%x\n",
		   cpu->index, st);
	stm_core_vmcall(stm_rt.core, cpu->index, act_pa, &s);
	/* stmrt3's setup may have loaded its VMCS */
	stm_vmptrld(own ? cpu->smi_vmcs_pa : act_pa);
	return st;
}

/*
 * Activation of one CPU, in named steps with one refusal path: the
 * launch, the CPU's record, admission, the VMCS it leaves through, the
 * VMCALL.  Returns STM_RT_LAUNCH with a VMCS current that returns to the
 * executive monitor (entry.S VMLAUNCHes it), or -1 if not even that
 * could be built (logged; entry.S stops the CPU).
 */
static int stm_rt_activate(uint32_t index, int refused,
			   struct stm_entry_frame *f)
{
	struct stm_rt_regs *regs = (struct stm_rt_regs *)f;
	struct stm_rt_vmcs_snap snap;
	struct stm_rt_cpu *cpu;
	uint32_t eax = (uint32_t)f->rax, st;
	uint64_t act_pa;
	int own;

	/* the activation VMCS: the executive's state, saved by the CPU */
	act_pa = stm_vmptrst();
	stm_rt_vmcs_snapshot(&snap);
	stm_rt_await_launch(index, &snap);
	cpu = stm_rt_cpu_setup(index, refused, act_pa, &snap, f);
	st = stm_rt_cpu_admit(cpu);
	if (stm_rt_exit_vmcs(cpu, act_pa, &snap, &st, &own))
		return -1;

	stm_rt_lock();
	if (st == STM_SUCCESS)
		st = stm_rt_cpu_start(cpu, act_pa, f, own);
	stm_rt.active++;
	cpu->state = STM_RT_CPU_RUNNING;
	if (st != STM_SUCCESS) {
		/* 32.15.7: leave the CPU as it was before the VMCALL */
		stm_vmwrite(VMCS_ENTRY_CONTROLS,
			    stm_vmread(VMCS_ENTRY_CONTROLS) |
			    VMX_ENTRY_DEACTIVATE_DM);
		stm_rt_release_index(cpu);
	}
	stm_rt_unlock();

	stm_cpu_status[index < STM_MAX_CPUS ? index : 0].eax_in = eax;
	stm_cpu_status[index < STM_MAX_CPUS ? index : 0].status = st;
	stm_rt_vmcall_complete(regs, st,
			       stm_rt_snap_get(&snap, VMCS_EXIT_INSN_LEN));
	stm_rt_log("stm: cpu %u (APIC %u): activation VMCALL 0x%x -> 0x%x%s\n",
		   index, cpu->apic_id, eax, st,
		   st == STM_SUCCESS ? "" : " (deactivated)");
	return STM_RT_LAUNCH;
}

/* The C side of entry.S: STM_RT_LAUNCH, or -1 to stop the CPU. */
int stm_c_entry(struct stm_entry_frame *f)
{
	int refused = !!(f->claim & STM_RT_CLAIM_REFUSED);
	uint32_t index = (uint32_t)((f->claim & ~STM_RT_CLAIM_REFUSED) /
				    STM_STACK_SIZE) - 1;

	stm_rt_relocate(index);
	return stm_rt_activate(index, refused, f);
}

/* An exception in the STM itself (hostentry.S): say so and stop this CPU. */
void stm_rt_exception(struct stm_rt_regs *regs)
{
	stm_rt_log("stm: exception in the STM (frame at %p, RAX 0x%lx): CPU stopped\n",
		   (void *)(regs + 1), regs->rax);
}
