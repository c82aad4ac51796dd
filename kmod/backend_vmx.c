// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: the vmx backend - VMX root operation owned by the module on
 * every CPU, and VMCALLs to the firmware's STM.
 *
 * Per CPU (sx_vmx_enter(), interrupts off throughout): check that nobody
 * else owns VMX (CR4.VMXE in the kernel's shadow and in hardware) and that
 * IA32_FEATURE_CONTROL allows it; tell Intel PT (intel_pt_handle_vmx(), as
 * KVM does); set CR4.VMXE through the kernel's CR4 API; VMXON; prepare the
 * activation VMCS (revision id, VMCLEAR so that its launch state is clear,
 * VMPTRLD, valid VM-exit controls). The CPU is then ready for its
 * activating VMCALL. Leaving (only after STOP): VMCLEAR, VMXOFF, clear
 * CR4.VMXE, tell PT.
 *
 * The VMXON region and the activation VMCS of each possible CPU are
 * allocated once, zeroed and below 4 GiB (an activation VMCS above 4 GiB
 * is known to hang one STM, stm-interface.md 1.2), all in one physically
 * contiguous block (backend_pages.c: one STM descriptor for the monitor
 * policy, whatever the CPU count), and stay allocated until unload so that
 * the VMXON addresses (the VMCS-database keys) are stable.
 *
 * vmx_stm=sim (test only, for an emulator with VMX but without STM, e.g.
 * Bochs): everything above happens for real, but the STM calls go to the
 * simulated STM core. Each enter also executes one real VMCALL with the
 * RFLAGS sentinel (vmx.h) to show that the instruction runs and that "no
 * STM" is recognised; it must find no STM.
 */
#include "stmexec.h"
#include "backend.h"
#include "vmx_insn.h"

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/io.h>
#include <asm/msr-index.h>
#include <asm/perf_event.h>
#include <asm/processor-flags.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

struct sx_vmx_cpu {
	void *vmxon;
	void *vmcs;
	u64 vmxon_pa;
	u64 vmcs_pa;
	bool on;		/* in VMX operation (VMXON done by us) */
	bool pt;		/* intel_pt_handle_vmx(1) done */
	bool hw_told;		/* vmx_stm=sim: hardware VMCALL result logged */
};

struct sx_vmx {
	u32 revision;
	u64 exit_ctls;
	struct stmexec_cpu_pages *pages;	/* every CPU's vmxon and vmcs */
	struct sx_vmx_cpu cpu[];
};

static struct sx_vmx_cpu *sx_vc(struct stmexec *sx, unsigned int cpu)
{
	struct sx_vmx *v = sx->backend_priv;

	return &v->cpu[cpu];
}

static const char *sx_vmx_res(int r)
{
	switch (r) {
	case SX_VMX_FAIL_INVALID:
		return "VMfailInvalid";
	case SX_VMX_FAIL_VALID:
		return "VMfailValid";
	case SX_VMX_FAULT:
		return "fault";
	default:
		return "ok";
	}
}

/* VM-instruction error of the current VMCS, 0 if it cannot be read. */
static unsigned long sx_vmx_error(void)
{
	unsigned long err;

	return sx_vmread(SX_VMCS_VM_INSTRUCTION_ERROR, &err) ? err : 0;
}

static int sx_vmx_probe(struct stmexec *sx)
{
	return stmexec_probe_vmx(sx);
}

static void sx_vmx_fini(struct stmexec *sx)
{
	struct sx_vmx *v = sx->backend_priv;
	bool leak = false;
	unsigned int cpu;

	if (!v)
		return;
	if (stmexec_vmx_stm_sim(sx))
		stmexec_sim_fini(sx);
	for_each_possible_cpu(cpu) {
		struct sx_vmx_cpu *c = &v->cpu[cpu];

		/*
		 * Only a forced unload (rmmod -f) after a failed disable gets
		 * here with a CPU still in VMX operation (F18): the CPU and
		 * perhaps the STM still use its VMXON region and VMCS, so the
		 * block that holds them is leaked, never freed.
		 */
		if (c->on) {
			pr_emerg("CPU %u is still in VMX operation: its VMXON region and VMCS (0x%llx, 0x%llx) are leaked with every CPU's; reboot\n",
				 cpu, c->vmxon_pa, c->vmcs_pa);
			leak = true;
		}
	}
	if (!leak)
		stmexec_cpu_pages_free(v->pages);
	kfree(v);
	sx->backend_priv = NULL;
}

static int sx_vmx_init(struct stmexec *sx)
{
	struct sx_vmx *v;
	unsigned int cpu;
	int ret;

	v = kzalloc(struct_size(v, cpu, nr_cpu_ids), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	sx->backend_priv = v;
	v->revision = SX_VMX_BASIC_REVISION(stmexec_probe_vmx_basic(sx));
	v->exit_ctls = stmexec_probe_exit_ctls(sx);

	v->pages = stmexec_cpu_pages_alloc(sx, "vmx");
	if (!v->pages) {
		ret = -ENOMEM;
		goto err;
	}
	for_each_possible_cpu(cpu) {
		struct sx_vmx_cpu *c = &v->cpu[cpu];

		c->vmxon = stmexec_cpu_page(v->pages, cpu, STMEXEC_CPU_VMXON,
					    &c->vmxon_pa);
		c->vmcs = stmexec_cpu_page(v->pages, cpu, STMEXEC_CPU_VMCS,
					   &c->vmcs_pa);
	}
	if (stmexec_vmx_stm_sim(sx)) {
		ret = stmexec_sim_init(sx);
		if (ret)
			goto err;
	}
	return 0;

err:
	sx->vmx_stm = STMEXEC_VMX_STM_HW;	/* nothing to undo in the sim */
	sx_vmx_fini(sx);
	return ret;
}

#if STMEXEC_VMX_OWNABLE

/*
 * vmx_stm=sim: the one real VMCALL per enter. Finding an STM (or anything
 * else that answers) is refused: the simulated one would run beside it.
 */
static int sx_vmx_hw_vmcall(struct stmexec *sx, unsigned int cpu,
			    struct sx_vmx_cpu *c)
{
	static const char *const what[] = {
		[SX_VMCALL_ANSWERED] = "something answered",
		[SX_VMCALL_NO_ANSWER] = "nothing answered (RFLAGS sentinel untouched)",
		[SX_VMCALL_FAIL_INVALID] = "VMfailInvalid",
		[SX_VMCALL_FAIL_VALID] = "VMfailValid",
		[SX_VMCALL_UNEXPECTED] = "unexpected RFLAGS",
	};
	struct sx_vmcall_out o;
	enum sx_vmcall_kind k;
	unsigned long err = 0;
	bool no_stm;

	/*
	 * Once per CPU: what the STM would copy as its SMI VMCS template,
	 * read back from the current (activation) VMCS (F15; the Bochs tier
	 * checks the link pointer is ~0).
	 */
	if (!c->hw_told) {
		unsigned long link, exit;

		sx_vmread(SX_VMCS_LINK_POINTER, &link);
		sx_vmread(SX_VMCS_VM_EXIT_CONTROLS, &exit);
		pr_info("CPU %u: activation VMCS: link pointer 0x%lx, VM-exit controls 0x%lx\n",
			cpu, link, exit);
	}
	sx_vmcall(STM_API_START, 0, 0, 0, &o);
	k = sx_vmcall_classify(STM_API_START, &o);
	if (k == SX_VMCALL_FAIL_VALID)
		err = sx_vmx_error();
	/* Bochs: no answer. Hardware without STM: VMfailValid(1). */
	no_stm = k == SX_VMCALL_NO_ANSWER ||
		 (k == SX_VMCALL_FAIL_VALID && err == SX_VMXERR_VMCALL_IN_ROOT);
	if (!c->hw_told) {
		c->hw_told = true;
		pr_info("CPU %u: hardware VMCALL: %s (EAX 0x%08x CF %u ZF %u PF %u, error %lu)%s\n",
			cpu, what[k], o.eax, o.cf, o.zf, o.pf, err,
			no_stm ? ": no STM, as vmx_stm=sim expects" : "");
	}
	if (!no_stm)
		return stmexec_fail(sx, -EIO,
				    "CPU %u: vmx_stm=sim: the hardware VMCALL found %s (EAX 0x%08x): refusing to run the simulated STM beside it",
				    cpu, what[k], o.eax);
	if (READ_ONCE(sx->faults.hw_vmcall_required))
		return stmexec_fail(sx, -ENODEV,
				    "CPU %u: VMCALL: %s: no STM", cpu, what[k]);
	return 0;
}

/* Undo VMXON and CR4.VMXE after a failure in the enter sequence. */
static void sx_vmx_unwind(struct sx_vmx_cpu *c)
{
	if (c->on && sx_vmxoff() == SX_VMX_OK) {
		c->on = false;
		cr4_clear_bits_irqsoff(X86_CR4_VMXE);
	}
	if (!c->on && c->pt) {
		intel_pt_handle_vmx(0);
		c->pt = false;
	}
}

/* May this CPU enter VMX operation? Interrupts off. */
static int sx_vmx_check(struct stmexec *sx, unsigned int cpu)
{
	u64 feat = 0;

	if ((cr4_read_shadow() | __read_cr4()) & X86_CR4_VMXE)
		return stmexec_fail(sx, -EBUSY,
				    "CPU %u: VMX is already in use (CR4.VMXE set, likely kvm_intel): unload kvm_intel or boot with kvm.enable_virt_at_load=0 (6.12+)",
				    cpu);
	if (stmexec_rdmsr_safe(MSR_IA32_FEAT_CTL, &feat) ||
	    !(feat & FEAT_CTL_LOCKED) ||
	    !(feat & ((__read_cr4() & X86_CR4_SMXE) ?
		      FEAT_CTL_VMX_ENABLED_INSIDE_SMX :
		      FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)))
		return stmexec_fail(sx, -EACCES,
				    "CPU %u: VMX is disabled by the firmware (IA32_FEATURE_CONTROL 0x%llx)",
				    cpu, feat);
	return 0;
}

/* CR4.VMXE and VMXON; on failure CR4.VMXE is clear again. */
static int sx_vmx_on(struct stmexec *sx, struct sx_vmx *v,
		     struct sx_vmx_cpu *c, unsigned int cpu)
{
	int r;

	cr4_set_bits_irqsoff(X86_CR4_VMXE);
	*(u32 *)c->vmxon = v->revision;
	r = sx_vmxon(c->vmxon_pa);
	if (r) {
		cr4_clear_bits_irqsoff(X86_CR4_VMXE);
		return stmexec_fail(sx, -EIO, "CPU %u: VMXON failed (%s)",
				    cpu, sx_vmx_res(r));
	}
	c->on = true;
	return 0;
}

/* The activation VMCS: clear, current, valid VM-exit controls. */
static int sx_vmx_vmcs_init(struct stmexec *sx, struct sx_vmx *v,
			    struct sx_vmx_cpu *c, unsigned int cpu)
{
	unsigned long err;
	int r;

	/* Not current anywhere (VMCLEARed by the last leave): rewrite it. */
	memset(c->vmcs, 0, PAGE_SIZE);
	*(u32 *)c->vmcs = v->revision;
	r = sx_vmclear(c->vmcs_pa);
	if (!r)
		r = sx_vmptrld(c->vmcs_pa);
	if (!r)
		r = sx_vmwrite(SX_VMCS_VM_EXIT_CONTROLS, v->exit_ctls);
	/*
	 * The STMs copy this VMCS wholesale as the template of their SMI
	 * VMCS (J/E VmcsInit()): no shadow VMCS (SDM Vol. 3C, "Checks on
	 * Guest Non-Register State": the VMCS link pointer is ~0 unless
	 * VMCS shadowing is used), as KVM's init_vmcs() writes it (F15).
	 */
	if (!r)
		r = sx_vmwrite(SX_VMCS_LINK_POINTER, ~0UL);
	if (!r)
		return 0;
	err = r == SX_VMX_FAIL_VALID ? sx_vmx_error() : 0;
	return stmexec_fail(sx, -EIO,
			    "CPU %u: preparing the activation VMCS failed (%s, error %lu)",
			    cpu, sx_vmx_res(r), err);
}

static int sx_vmx_enter(struct stmexec *sx, unsigned int cpu)
{
	struct sx_vmx *v = sx->backend_priv;
	struct sx_vmx_cpu *c = &v->cpu[cpu];
	unsigned long flags;
	int ret;

	local_irq_save(flags);
	ret = sx_vmx_check(sx, cpu);
	if (ret)
		goto out;
	/* Intel PT must not trace across VMXON (what KVM does). */
	intel_pt_handle_vmx(1);
	c->pt = true;
	ret = sx_vmx_on(sx, v, c, cpu);
	if (ret)
		goto err_pt;
	ret = sx_vmx_vmcs_init(sx, v, c, cpu);
	if (ret)
		goto err_vmcs;
	if (stmexec_vmx_stm_sim(sx)) {
		ret = sx_vmx_hw_vmcall(sx, cpu, c);
		if (ret)
			goto err_vmcs;
	}
	local_irq_restore(flags);
	return 0;

err_vmcs:
	sx_vmclear(c->vmcs_pa);
err_pt:
	sx_vmx_unwind(c);	/* VMXOFF if on, then PT */
out:
	local_irq_restore(flags);
	return ret;
}

static int sx_vmx_leave(struct stmexec *sx, unsigned int cpu)
{
	struct sx_vmx_cpu *c = sx_vc(sx, cpu);
	unsigned long flags, err = 0;
	int r, ret = 0;

	local_irq_save(flags);
	if (!c->on)
		goto pt;
	/*
	 * After STOP the current VMCS is whatever the STM left (its link
	 * pointer); VMCLEAR ours so that its memory is ours again, then make
	 * it current once more: VMXOFF's only VMfail is "VMXOFF under
	 * dual-monitor treatment of SMIs and SMM" (SDM Vol. 3C, VMXOFF
	 * operation), and only with a current VMCS is it a VMfailValid that
	 * carries that number (kmod-review F14). The VMCS is clear and
	 * unmodified, so nothing is lost when VMXOFF leaves it current; the
	 * next enter rewrites it.
	 */
	sx_vmclear(c->vmcs_pa);
	sx_vmptrld(c->vmcs_pa);
	r = sx_vmxoff();
	if (r) {
		/*
		 * VMfailInvalid (the VMPTRLD failed): no number to read, but
		 * the only VMfail of VMXOFF is still error 23.
		 */
		if (r == SX_VMX_FAIL_VALID)
			err = sx_vmx_error();
		else if (r == SX_VMX_FAIL_INVALID)
			err = SX_VMXERR_VMXOFF_DUAL_MONITOR;
		/*
		 * Still in VMX operation: clearing CR4.VMXE would #GP, and the
		 * STM may still use this CPU's VMXON region and VMCS: they
		 * stay allocated (c->on, sx_vmx_fini()), the module stays
		 * loaded (the lifecycle is wedged) and the next disable
		 * retries STOP and VMXOFF.
		 */
		ret = stmexec_fail(sx, -EBUSY,
				   "CPU %u: VMXOFF refused (%s, error %lu%s): the CPU stays in VMX operation; disable again to retry, else reboot",
				   cpu, sx_vmx_res(r), err,
				   err == SX_VMXERR_VMXOFF_DUAL_MONITOR ?
				   ": the STM is still active" : "");
		goto out;
	}
	c->on = false;
	cr4_clear_bits_irqsoff(X86_CR4_VMXE);
pt:
	if (c->pt) {
		intel_pt_handle_vmx(0);
		c->pt = false;
	}
out:
	local_irq_restore(flags);
	return ret;
}

static int sx_vmx_vmcall(struct stmexec *sx, unsigned int cpu,
			 struct stm_regs *r)
{
	struct sx_vmx_cpu *c = sx_vc(sx, cpu);
	struct sx_vmcall_out o;
	u32 func = r->eax;

	if (stmexec_vmx_stm_sim(sx))
		return stmexec_sim_vmcall(sx, cpu, c->vmcs_pa, r);

	sx_vmcall(r->eax, r->ebx, r->ecx, r->edx, &o);
	switch (sx_vmcall_classify(func, &o)) {
	case SX_VMCALL_ANSWERED:
		r->eax = o.eax;
		r->ebx = o.ebx;
		r->edx = o.edx;
		r->cf = o.cf;
		return 0;
	case SX_VMCALL_NO_ANSWER:
		return stmexec_fail(sx, -ENODEV,
				    "CPU %u: VMCALL 0x%08x: nothing answered (RFLAGS sentinel untouched): no STM",
				    cpu, func);
	case SX_VMCALL_FAIL_INVALID:
		return stmexec_fail(sx, -EIO,
				    "CPU %u: VMCALL 0x%08x: VMfailInvalid (no current VMCS)",
				    cpu, func);
	case SX_VMCALL_FAIL_VALID:
		return stmexec_vmcall_failvalid(sx, cpu, func,
						sx_vmx_error());
	default:
		return stmexec_fail(sx, -EIO,
				    "CPU %u: VMCALL 0x%08x: unexpected RFLAGS (CF %u ZF %u PF %u)",
				    cpu, func, o.cf, o.zf, o.pf);
	}
}

#else /* !STMEXEC_VMX_OWNABLE */

static int sx_vmx_enter(struct stmexec *sx, unsigned int cpu)
{
	return -EOPNOTSUPP;
}

static int sx_vmx_leave(struct stmexec *sx, unsigned int cpu)
{
	return 0;
}

static int sx_vmx_vmcall(struct stmexec *sx, unsigned int cpu,
			 struct stm_regs *r)
{
	return -EOPNOTSUPP;
}

#endif /* STMEXEC_VMX_OWNABLE */

static u64 sx_vmx_vmxon_pa(struct stmexec *sx, unsigned int cpu)
{
	return sx->backend_priv ? sx_vc(sx, cpu)->vmxon_pa : 0;
}

static int sx_vmx_regions(struct stmexec *sx, stmexec_region_fn fn, void *arg)
{
	struct sx_vmx *v = sx->backend_priv;

	return stmexec_cpu_pages_regions(v->pages, fn, arg,
					 "VMXON regions and activation VMCSs");
}

const struct stmexec_backend_ops stmexec_backend_vmx = {
	.name = "vmx",
	.id = STMEXEC_BACKEND_VMX,
	.probe = sx_vmx_probe,
	.init = sx_vmx_init,
	.cpu_enter = sx_vmx_enter,
	.cpu_leave = sx_vmx_leave,
	.vmcall = sx_vmx_vmcall,
	.vmxon_pa = sx_vmx_vmxon_pa,
	.for_each_region = sx_vmx_regions,
	.fini = sx_vmx_fini,
};
