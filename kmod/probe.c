// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: what the hardware offers, found at load before anything is
 * touched, kept for sysfs "capabilities", and the refusals of backend=vmx.
 *
 * Every fact is read on each online CPU itself (MSRs are per logical
 * processor) with fault-safe MSR reads. Every refusal has its own errno and
 * a one-line hint in dmesg and last_error (see the troubleshooting table of
 * Documentation/admin-guide/stmexec.rst).
 */
#include "stmexec.h"
#include "backend.h"
#include "probe.h"
#include "vmx.h"

#include <linux/io.h>
#include <linux/moduleparam.h>
#include <linux/pci_ids.h>
#include <linux/slab.h>
#include <asm/cpufeature.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

/* CPUID.1:ECX */
#define SX_CPUID1_ECX_VMX	BIT(5)
#define SX_CPUID1_ECX_SMX	BIT(6)

/* Intel TXT public configuration space (read-only registers used here). */
#define SX_TXT_PUB_BASE		0xfed30000UL
#define SX_TXT_STS		0x000	/* bit 0: SENTER.DONE.STS */
#define SX_TXT_DIDVID		0x110	/* bits 15:0: vendor, 0x8086 */
#define SX_TXT_MSEG_BASE	0x310	/* set by SINIT from MSR 0x9B's MSEG */
#define SX_TXT_MSEG_SIZE	0x318

/* IA32_FEATURE_CONTROL: GETSEC[SENTER] enables (SDM Vol. 3C 23.7). */
#define SX_FEAT_CTL_SENTER_LOCAL	GENMASK_ULL(14, 8)
#define SX_FEAT_CTL_SENTER_GLOBAL	BIT_ULL(15)

enum { SX_TXT_NA, SX_TXT_NOT_LAUNCHED, SX_TXT_LAUNCHED, SX_TXT_UNKNOWN };

static const u32 sx_msr_index[SX_NR_MSR] = {
	[SX_MSR_FEAT] = MSR_IA32_FEAT_CTL,
	[SX_MSR_BASIC] = MSR_IA32_VMX_BASIC,
	[SX_MSR_MISC] = MSR_IA32_VMX_MISC,
	[SX_MSR_SMM] = MSR_IA32_SMM_MONITOR_CTL,
	[SX_MSR_EXIT] = MSR_IA32_VMX_EXIT_CTLS,
};

static int sx_probe_cpu(struct stmexec *sx, unsigned int cpu)
{
	struct stmexec_probe *p = sx->probe;
	struct sx_cpu_facts *f;
	unsigned long cr4;
	int i;

	if (cpu >= p->ncpus)
		return 0;
	if (IS_ENABLED(CONFIG_STMEXEC_SIM))
		stmexec_sim_probe_delay(sx, cpu);
	f = &p->cpu[cpu];
	f->vmx = cpuid_ecx(1) & SX_CPUID1_ECX_VMX;
	cr4 = __read_cr4();
	f->cr4_vmxe = (cr4 | cr4_read_shadow()) & X86_CR4_VMXE;
	f->cr4_smxe = cr4 & X86_CR4_SMXE;
	for (i = 0; i < SX_NR_MSR; i++) {
		f->err[i] = -ENODEV;
		f->val[i] = 0;
	}
	if (p->intel)
		f->err[SX_MSR_FEAT] =
			stmexec_rdmsr_safe(MSR_IA32_FEAT_CTL,
					   &f->val[SX_MSR_FEAT]);
	if (f->vmx) {
		for (i = SX_MSR_BASIC; i < SX_NR_MSR; i++) {
			u32 msr = sx_msr_index[i];

			/* 0x9B exists only with dual-monitor support. */
			if (i == SX_MSR_SMM &&
			    !(f->val[SX_MSR_BASIC] & SX_VMX_BASIC_DUAL_MONITOR))
				continue;
			if (i == SX_MSR_EXIT &&
			    (f->val[SX_MSR_BASIC] & SX_VMX_BASIC_TRUE_CTLS))
				msr = MSR_IA32_VMX_TRUE_EXIT_CTLS;
			f->err[i] = stmexec_rdmsr_safe(msr, &f->val[i]);
		}
	}
	f->probed = true;
	return 0;
}

/* The first CPU probe.c could read (CPU 0 unless it was offline). */
static const struct sx_cpu_facts *sx_first(const struct stmexec_probe *p)
{
	unsigned int cpu;

	for (cpu = 0; cpu < p->ncpus; cpu++)
		if (p->cpu[cpu].probed)
			return &p->cpu[cpu];
	return NULL;
}

/*
 * TXT public space, only where a measured launch is possible at all: an
 * Intel CPU with SMX, not virtual (no hypervisor emulates the TXT chipset
 * registers), and IA32_FEATURE_CONTROL locked with GETSEC[SENTER] enabled.
 * Anywhere else the physical page 0xfed30000 is not touched.
 */
static int sx_probe_txt(struct stmexec_probe *p)
{
	const struct sx_cpu_facts *f = sx_first(p);
	void __iomem *txt;
	u32 sts, didvid;
	u64 feat;

	if (!p->intel || !p->smx || p->hypervisor || !f ||
	    f->err[SX_MSR_FEAT])
		return SX_TXT_NA;
	feat = f->val[SX_MSR_FEAT];
	if (!(feat & FEAT_CTL_LOCKED) || !(feat & SX_FEAT_CTL_SENTER_GLOBAL) ||
	    !(feat & SX_FEAT_CTL_SENTER_LOCAL))
		return SX_TXT_NA;
	txt = ioremap(SX_TXT_PUB_BASE, PAGE_SIZE);
	if (!txt)
		return SX_TXT_UNKNOWN;
	sts = readl(txt + SX_TXT_STS);
	didvid = readl(txt + SX_TXT_DIDVID);
	p->txt_mseg_base = readl(txt + SX_TXT_MSEG_BASE) |
			   (u64)readl(txt + SX_TXT_MSEG_BASE + 4) << 32;
	p->txt_mseg_size = readl(txt + SX_TXT_MSEG_SIZE) |
			   (u64)readl(txt + SX_TXT_MSEG_SIZE + 4) << 32;
	iounmap(txt);
	/* No TXT chipset: the reads float (all ones) or hit nothing. */
	if ((didvid & 0xffff) != PCI_VENDOR_ID_INTEL || sts == 0xffffffff) {
		p->txt_mseg_base = 0;
		p->txt_mseg_size = 0;
		return SX_TXT_UNKNOWN;
	}
	if (!(sts & 1)) {
		p->txt_mseg_base = 0;
		p->txt_mseg_size = 0;
		return SX_TXT_NOT_LAUNCHED;
	}
	return SX_TXT_LAUNCHED;
}

int stmexec_probe_hw(struct stmexec *sx)
{
	struct stmexec_probe *p;
	unsigned int bad = 0;
	int ret;

	p = kzalloc(struct_size(p, cpu, nr_cpu_ids), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->ncpus = nr_cpu_ids;
	p->intel = boot_cpu_data.x86_vendor == X86_VENDOR_INTEL ||
		   boot_cpu_data.x86_vendor == X86_VENDOR_CENTAUR ||
		   boot_cpu_data.x86_vendor == X86_VENDOR_ZHAOXIN;
	p->vmx_cpuid = cpuid_ecx(1) & SX_CPUID1_ECX_VMX;
	p->smx = cpuid_ecx(1) & SX_CPUID1_ECX_SMX;
	p->vmx_kernel = boot_cpu_has(X86_FEATURE_VMX);
	p->hypervisor = boot_cpu_has(X86_FEATURE_HYPERVISOR);
	sx->probe = p;
	stmexec_platform_probe(p);

	ret = stmexec_on_each_cpu(sx, sx_probe_cpu, &bad);
	if (ret) {
		stmexec_fail(sx, ret, "probe: CPU %u did not answer (%pe)",
			     bad, ERR_PTR(ret));
		return ret;
	}
	p->txt = sx_probe_txt(p);
	return 0;
}

void stmexec_probe_free(struct stmexec *sx)
{
	kfree(sx->probe);
	sx->probe = NULL;
}

static __printf(3, 4)
int sx_refuse(struct stmexec *sx, int err, const char *fmt, ...)
{
	struct stmexec_probe *p = sx->probe;
	va_list ap;

	va_start(ap, fmt);
	vscnprintf(p->why, sizeof(p->why), fmt, ap);
	va_end(ap);
	p->verdict = err;
	return stmexec_fail(sx, err, "backend=vmx refused: %s", p->why);
}

static bool sx_feat_ok(const struct sx_cpu_facts *f)
{
	u64 v = f->val[SX_MSR_FEAT];
	u64 need = f->cr4_smxe ? FEAT_CTL_VMX_ENABLED_INSIDE_SMX :
				 FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX;

	return !f->err[SX_MSR_FEAT] && (v & FEAT_CTL_LOCKED) && (v & need);
}

/*
 * The refusals of backend=vmx, in the order a user would fix them. Called
 * at load with sx->lock held; the per-CPU checks are repeated by the vmx
 * backend each time a CPU enters VMX operation.
 */
/*
 * Paging and control-flow modes an STM cannot run under. At the SMM VM exit
 * that activates the dual-monitor treatment the processor loads CR0, CR3
 * (the MSEG header's) and a few CR4 bits (MCE, PGE cleared; PAE and PSE by
 * the IA-32e mode SMM feature bit) and leaves "all other bits unchanged"
 * (SDM Vol. 3C 34.15.6, "Activating the Dual-Monitor Treatment", p. 34-27f).
 * So with CR4.LA57 the STM runs its loader's 4-level tables (coreboot
 * stm_gen_4g_pagetable_x64, EDK II StmGen4GPageTable) as 5-level paging,
 * and with CR4.CET plus IA32_S_CET.ENDBR_EN (kernel IBT) its first
 * indirect branch without ENDBR64 raises #CP: either way the first VMCALL
 * crashes in SMM.
 */
static void sx_cpu_modes(bool *la57, bool *kibt)
{
	unsigned long cr4 = cr4_read_shadow();
	u64 s_cet = 0;

	*la57 = cr4 & X86_CR4_LA57;
	*kibt = (cr4 & X86_CR4_CET) &&
		!stmexec_rdmsr_safe(MSR_IA32_S_CET, &s_cet) &&
		(s_cet & CET_ENDBR_EN);
}

/*
 * VMX usable by this module: exported, present, not owned by another
 * hypervisor, enabled by the firmware. The first probed CPU in *@first.
 */
static int probe_vmx_available(struct stmexec *sx,
			       const struct sx_cpu_facts **first)
{
	struct stmexec_probe *p = sx->probe;
	const struct sx_cpu_facts *f0 = NULL, *f;
	unsigned int cpu;

	if (!STMEXEC_VMX_OWNABLE)
		return sx_refuse(sx, -EOPNOTSUPP,
				 "this kernel exports the CR4 API to KVM only (6.19+), so no module can own VMX; use backend=sim for tests");

	if (!p->vmx_cpuid)
		return sx_refuse(sx, -ENODEV,
				 "this CPU (%s%s) has no VMX; needs an Intel CPU with VMX and a firmware STM (backend=sim simulates one, without protection)",
				 boot_cpu_data.x86_vendor_id,
				 p->hypervisor ? ", virtual" : "");

	for_each_online_cpu(cpu) {
		f = &p->cpu[cpu];
		if (!f->probed)
			continue;
		if (!f0)
			f0 = f;
		if (f->cr4_vmxe)
			return sx_refuse(sx, -EBUSY,
					 "VMX is already in use on CPU %u (CR4.VMXE set, likely kvm_intel): unload kvm_intel or boot with kvm.enable_virt_at_load=0 (6.12+)",
					 cpu);
	}
	if (!f0)
		return sx_refuse(sx, -ENODEV, "no CPU could be probed");

	if (!p->vmx_kernel || !sx_feat_ok(f0))
		return sx_refuse(sx, -EACCES,
				 "VMX is disabled by the firmware (IA32_FEATURE_CONTROL %s0x%llx): enable Intel VT-x (and VT-x with TXT under tboot) in the firmware setup",
				 f0->err[SX_MSR_FEAT] ? "unreadable, " : "",
				 f0->val[SX_MSR_FEAT]);
	*first = f0;
	return 0;
}

/* Every CPU: VMX enabled, a usable VMXON region size, one VMCS revision. */
static int probe_vmx_cpus(struct stmexec *sx, const struct sx_cpu_facts *f0)
{
	struct stmexec_probe *p = sx->probe;
	const struct sx_cpu_facts *f;
	unsigned int cpu;

	for_each_online_cpu(cpu) {
		f = &p->cpu[cpu];
		if (!f->probed)
			continue;
		if (!sx_feat_ok(f))
			return sx_refuse(sx, -EACCES,
					 "VMX is disabled by the firmware on CPU %u (IA32_FEATURE_CONTROL 0x%llx)",
					 cpu, f->val[SX_MSR_FEAT]);
		if (f->err[SX_MSR_BASIC] || f->err[SX_MSR_EXIT] ||
		    SX_VMX_BASIC_REGION_SIZE(f->val[SX_MSR_BASIC]) > PAGE_SIZE)
			return sx_refuse(sx, -ENODEV,
					 "IA32_VMX_BASIC/EXIT_CTLS unusable on CPU %u (0x%llx)",
					 cpu, f->val[SX_MSR_BASIC]);
		if (SX_VMX_BASIC_REVISION(f->val[SX_MSR_BASIC]) !=
		    SX_VMX_BASIC_REVISION(f0->val[SX_MSR_BASIC]))
			return sx_refuse(sx, -ENODEV,
					 "VMCS revision differs between CPUs (CPU %u)",
					 cpu);
	}
	return 0;
}

/* vmx_stm=sim (test mode): no STM may be present, the sim answers instead. */
static int probe_no_stm(struct stmexec *sx)
{
	struct stmexec_probe *p = sx->probe;
	const struct sx_cpu_facts *f;
	unsigned int cpu;

	for_each_online_cpu(cpu) {
		f = &p->cpu[cpu];
		if (f->probed && !f->err[SX_MSR_SMM] &&
		    (f->val[SX_MSR_SMM] & SX_SMM_MONITOR_VALID))
			return sx_refuse(sx, -EOPNOTSUPP,
					 "vmx_stm=sim is for machines without an STM, but the firmware enabled one (IA32_SMM_MONITOR_CTL 0x%llx on CPU %u): use vmx_stm=hw",
					 f->val[SX_MSR_SMM], cpu);
	}
	return 0;
}

/*
 * A firmware STM the module can activate: a kernel mode the STM can
 * inherit, and on every CPU the dual-monitor treatment and the same valid
 * IA32_SMM_MONITOR_CTL.
 */
static int probe_stm(struct stmexec *sx, const struct sx_cpu_facts *f0)
{
	struct stmexec_probe *p = sx->probe;
	const struct sx_cpu_facts *f;
	unsigned int cpu;
	bool la57, kibt;

	sx_cpu_modes(&la57, &kibt);
	if (la57)
		return sx_refuse(sx, -EPROTONOSUPPORT,
				 "the kernel uses 5-level paging (CR4.LA57), which the STM inherits at activation and cannot run with (SDM 34.15.6): boot with no5lvl");
	if (kibt)
		return sx_refuse(sx, -EPROTONOSUPPORT,
				 "the kernel enforces IBT (CR4.CET, IA32_S_CET.ENDBR_EN), which the STM inherits at activation and cannot run with (SDM 34.15.6): boot with ibt=off");

	for_each_online_cpu(cpu) {
		f = &p->cpu[cpu];
		if (!f->probed)
			continue;
		if (!(f->val[SX_MSR_BASIC] & SX_VMX_BASIC_DUAL_MONITOR))
			return sx_refuse(sx, -ENODEV,
					 "no dual-monitor treatment of SMM on CPU %u (IA32_VMX_BASIC[49] = 0%s): no STM possible",
					 cpu, p->hypervisor ?
					 "; hypervisors never offer it" : "");
		if (f->err[SX_MSR_SMM] ||
		    !(f->val[SX_MSR_SMM] & SX_SMM_MONITOR_VALID))
			return sx_refuse(sx, -ENODEV,
					 "the firmware did not enable an STM (IA32_SMM_MONITOR_CTL %s0x%llx on CPU %u): enable the STM in the firmware (coreboot CONFIG_STM, EDK2 SmmStm)",
					 f->err[SX_MSR_SMM] ? "unreadable, " : "valid = 0, ",
					 f->val[SX_MSR_SMM], cpu);
		if (f->val[SX_MSR_SMM] != f0->val[SX_MSR_SMM])
			return sx_refuse(sx, -ENODEV,
					 "IA32_SMM_MONITOR_CTL differs between CPU 0 (0x%llx) and CPU %u (0x%llx): firmware bug",
					 f0->val[SX_MSR_SMM], cpu,
					 f->val[SX_MSR_SMM]);
	}
	if (p->hypervisor)
		pr_warn("running under a hypervisor that claims an STM; VMCALLs may reach the hypervisor instead\n");
	return 0;
}

int stmexec_probe_vmx(struct stmexec *sx)
{
	const struct sx_cpu_facts *f0 = NULL;
	int ret;

	ret = probe_vmx_available(sx, &f0);
	if (ret)
		return ret;
	ret = probe_vmx_cpus(sx, f0);
	if (ret)
		return ret;
	if (stmexec_vmx_stm_sim(sx))
		return probe_no_stm(sx);
	return probe_stm(sx, f0);
}

u64 stmexec_probe_vmx_basic(struct stmexec *sx)
{
	return sx->probe->cpu[0].val[SX_MSR_BASIC];
}

/* VM-exit controls for the activation VMCS: the must-be-one bits, plus
 * "host address-space size" (the kernel runs in 64-bit mode) if allowed.
 */
u64 stmexec_probe_exit_ctls(struct stmexec *sx)
{
	u64 v = sx->probe->cpu[0].val[SX_MSR_EXIT];
	u32 must = lower_32_bits(v), may = upper_32_bits(v);

	return must | (may & SX_VM_EXIT_HOST_ADDR_SPACE_SIZE);
}

u32 stmexec_probe_launch_mode(struct stmexec *sx)
{
	if (sx->sim_stm)
		return STMEXEC_LAUNCH_SIM;
	if (sx->probe && sx->probe->txt == SX_TXT_LAUNCHED)
		return STMEXEC_LAUNCH_TXT;
	return STMEXEC_LAUNCH_NON_TXT;
}

/* A firmware STM is present: MSR 0x9B readable and valid on the first CPU. */
static bool sx_stm_valid(const struct sx_cpu_facts *f)
{
	return f && !f->err[SX_MSR_SMM] &&
	       (f->val[SX_MSR_SMM] & SX_SMM_MONITOR_VALID);
}

/* What launch_mode will say once the monitor is on (known at load). */
static u32 sx_detect(struct stmexec *sx)
{
	const struct stmexec_probe *p = sx->probe;

	if (sx->sim_stm)
		return STMEXEC_LAUNCH_SIM;
	if (!p || !sx_stm_valid(sx_first(p)))
		return STMEXEC_LAUNCH_NONE;
	return p->txt == SX_TXT_LAUNCHED ? STMEXEC_LAUNCH_TXT :
					   STMEXEC_LAUNCH_NON_TXT;
}

static const char sx_smram[] =
	"not verifiable from the OS (the MSEG header is in SMRAM)";

/* "detected", what the TXT registers and CPU 0's MSR 0x9B say. */
static int sx_lc_facts(const struct stmexec_probe *p,
		       const struct sx_cpu_facts *f0, char *buf, int at)
{
	static const char *const senter[] = {
		[SX_TXT_NA] = "n/a (no SMX, virtual, or SENTER not enabled)",
		[SX_TXT_NOT_LAUNCHED] = "no",
		[SX_TXT_LAUNCHED] = "yes",
		[SX_TXT_UNKNOWN] = "unknown (TXT registers not readable)",
	};

	at += sysfs_emit_at(buf, at, "txt_senter_done: %s\n", senter[p->txt]);
	if (p->txt == SX_TXT_LAUNCHED)
		at += sysfs_emit_at(buf, at,
				    "txt_mseg: base 0x%llx size 0x%llx\n",
				    p->txt_mseg_base, p->txt_mseg_size);
	if (!f0 || f0->err[SX_MSR_SMM])
		return at + sysfs_emit_at(buf, at,
					  "smm_monitor_ctl: n/a (no dual-monitor treatment)\n");
	return at + sysfs_emit_at(buf, at,
				  "smm_monitor_ctl: 0x%llx valid=%d mseg_base=0x%llx\n",
				  f0->val[SX_MSR_SMM], sx_stm_valid(f0),
				  SX_SMM_MONITOR_MSEG_BASE(f0->val[SX_MSR_SMM]));
}

/* tboot: on every AP, MSR 0x9B must equal the BSP's value. */
static int sx_lc_msr_equal(const struct stmexec_probe *p,
			   const struct sx_cpu_facts *f0, u32 m, char *buf,
			   int at)
{
	const struct sx_cpu_facts *f;
	unsigned int cpu;

	if (m == STMEXEC_LAUNCH_SIM || m == STMEXEC_LAUNCH_NONE)
		return at + sysfs_emit_at(buf, at,
					  "msr_0x9b_equal_on_all_cpus: n/a (no firmware STM)\n");
	for (cpu = 0; cpu < p->ncpus; cpu++) {
		f = &p->cpu[cpu];
		if (f->probed && (f->err[SX_MSR_SMM] ||
				  f->val[SX_MSR_SMM] != f0->val[SX_MSR_SMM]))
			return at + sysfs_emit_at(buf, at,
						  "msr_0x9b_equal_on_all_cpus: fail (CPU %u: 0x%llx, first CPU: 0x%llx)\n",
						  cpu, f->val[SX_MSR_SMM],
						  f0->val[SX_MSR_SMM]);
	}
	return at + sysfs_emit_at(buf, at,
				  "msr_0x9b_equal_on_all_cpus: pass (read at load on each CPU)\n");
}

/*
 * SINIT copies the MSEG it launched with into TXT.MSEG.BASE; the MSEG
 * header itself is in SMRAM.
 */
static int sx_lc_mseg(const struct stmexec_probe *p,
		      const struct sx_cpu_facts *f0, u32 m, char *buf, int at)
{
	u64 base;

	if (m == STMEXEC_LAUNCH_TXT) {
		base = SX_SMM_MONITOR_MSEG_BASE(f0->val[SX_MSR_SMM]);
		if (base == p->txt_mseg_base)
			at += sysfs_emit_at(buf, at, "mseg_base_equals_txt_mseg_base: pass\n");
		else
			at += sysfs_emit_at(buf, at,
					    "mseg_base_equals_txt_mseg_base: fail (MSR 0x9B 0x%llx, TXT.MSEG.BASE 0x%llx)\n",
					    base, p->txt_mseg_base);
		at += sysfs_emit_at(buf, at, "mseg_header_equals_txt_mseg_header: %s\n",
				    sx_smram);
	} else {
		at += sysfs_emit_at(buf, at,
				    "mseg_base_equals_txt_mseg_base: n/a (no TXT launch)\n");
	}
	if (m == STMEXEC_LAUNCH_TXT || m == STMEXEC_LAUNCH_NON_TXT)
		at += sysfs_emit_at(buf, at,
				    "mseg_header_features: %s\n", sx_smram);
	else if (m == STMEXEC_LAUNCH_SIM)
		at += sysfs_emit_at(buf, at,
				    "mseg_header_features: n/a (simulated STM; see stm_header)\n");
	return at;
}

/*
 * sysfs "launch_checks": tboot's MSEG consistency checks (txt/verify.c),
 * as far as the OS can see them, one "check: result" per line. Results:
 * "pass", "fail (...)", "n/a (...)", or "not verifiable from the OS (...)"
 * for what lives in SMRAM.
 */
ssize_t stmexec_probe_launch_checks(struct stmexec *sx, char *buf)
{
	static const char *const mode[] = {
		[STMEXEC_LAUNCH_NONE] = "none",
		[STMEXEC_LAUNCH_NON_TXT] = "non-txt",
		[STMEXEC_LAUNCH_TXT] = "txt",
		[STMEXEC_LAUNCH_SIM] = "sim",
	};
	const struct stmexec_probe *p = sx->probe;
	const struct sx_cpu_facts *f0;
	u32 m = sx_detect(sx);
	int at;

	at = sysfs_emit(buf, "detected: %s\n", mode[m]);
	if (!p)
		return at;
	f0 = sx_first(p);
	at = sx_lc_facts(p, f0, buf, at);
	at = sx_lc_msr_equal(p, f0, m, buf, at);
	return sx_lc_mseg(p, f0, m, buf, at);
}

/* ---- sysfs "capabilities" ------------------------------------------------ */

static const char *sx_yes(bool b)
{
	return b ? "yes" : "no";
}

static int sx_show_msr(char *buf, int at, unsigned int cpu, const char *key,
		       const struct sx_cpu_facts *f, int i)
{
	u64 v = f->val[i];

	if (f->err[i])
		return sysfs_emit_at(buf, at, "cpu%u.%s: unreadable\n", cpu, key);
	switch (i) {
	case SX_MSR_FEAT:
		return sysfs_emit_at(buf, at,
				     "cpu%u.%s: 0x%llx locked=%d vmx_inside_smx=%d vmx_outside_smx=%d\n",
				     cpu, key, v, !!(v & FEAT_CTL_LOCKED),
				     !!(v & FEAT_CTL_VMX_ENABLED_INSIDE_SMX),
				     !!(v & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX));
	case SX_MSR_BASIC:
		return sysfs_emit_at(buf, at,
				     "cpu%u.%s: 0x%llx revision=0x%x region_size=%u dual_monitor=%d true_ctls=%d\n",
				     cpu, key, v, SX_VMX_BASIC_REVISION(v),
				     SX_VMX_BASIC_REGION_SIZE(v),
				     !!(v & SX_VMX_BASIC_DUAL_MONITOR),
				     !!(v & SX_VMX_BASIC_TRUE_CTLS));
	case SX_MSR_MISC:
		return sysfs_emit_at(buf, at,
				     "cpu%u.%s: 0x%llx mseg_revision=0x%x vmxoff_unblocks_smi=%d pt_in_vmx=%d\n",
				     cpu, key, v, SX_VMX_MISC_MSEG_REVISION(v),
				     !!(v & SX_VMX_MISC_VMXOFF_UNBLOCKS_SMI),
				     !!(v & SX_VMX_MISC_PT_IN_VMX));
	case SX_MSR_SMM:
		return sysfs_emit_at(buf, at,
				     "cpu%u.%s: 0x%llx valid=%d mseg_base=0x%llx\n",
				     cpu, key, v, !!(v & SX_SMM_MONITOR_VALID),
				     SX_SMM_MONITOR_MSEG_BASE(v));
	default:
		return sysfs_emit_at(buf, at, "cpu%u.%s: 0x%llx\n", cpu, key, v);
	}
}

static const char *const sx_msr_key[SX_NR_MSR] = {
	[SX_MSR_FEAT] = "feature_control",
	[SX_MSR_BASIC] = "vmx_basic",
	[SX_MSR_MISC] = "vmx_misc",
	[SX_MSR_SMM] = "smm_monitor_ctl",
	[SX_MSR_EXIT] = "vmx_exit_ctls",
};

static bool sx_same(const struct sx_cpu_facts *a, const struct sx_cpu_facts *b,
		    int i)
{
	return a->err[i] == b->err[i] && a->val[i] == b->val[i];
}

/* The machine-wide facts, one "key: value" per line. */
static int sx_show_machine(struct stmexec *sx, const struct stmexec_probe *p,
			   char *buf)
{
	static const char *const txt[] = {
		[SX_TXT_NA] = "no (no SMX, virtual, or SENTER not enabled)",
		[SX_TXT_NOT_LAUNCHED] = "not launched",
		[SX_TXT_LAUNCHED] = "launched (SENTER done)",
		[SX_TXT_UNKNOWN] = "unknown (TXT registers not readable)",
	};
	bool la57, kibt;
	int at;

	at = sysfs_emit(buf, "backend: %s\n", sx->ops->name);
	at += sysfs_emit_at(buf, at, "stm: %s\n",
			    sx->sim_stm ? "simulated (NO protection)" : "firmware");
	at += sysfs_emit_at(buf, at, "vendor: %s\n",
			    boot_cpu_data.x86_vendor_id);
	at += sysfs_emit_at(buf, at, "vmx: %s\n",
			    !p->vmx_cpuid ? "no" :
			    p->vmx_kernel ? "yes" : "disabled by firmware");
	at += sysfs_emit_at(buf, at, "hypervisor: %s\n", sx_yes(p->hypervisor));
	at += sysfs_emit_at(buf, at, "smx: %s\n", sx_yes(p->smx));
	at += sysfs_emit_at(buf, at, "txt: %s\n", txt[p->txt]);
	sx_cpu_modes(&la57, &kibt);
	at += sysfs_emit_at(buf, at, "la57: %s\n", sx_yes(la57));
	return at + sysfs_emit_at(buf, at, "kernel_ibt: %s\n", sx_yes(kibt));
}

/* CPU 0's facts, in full. */
static int sx_show_cpu0(const struct sx_cpu_facts *f, unsigned int cpu,
			char *buf, int at)
{
	int i;

	at += sysfs_emit_at(buf, at, "cpu%u.vmx: %s\n", cpu, sx_yes(f->vmx));
	at += sysfs_emit_at(buf, at, "cpu%u.cr4_vmxe: %d\n", cpu, f->cr4_vmxe);
	for (i = 0; i < SX_NR_MSR; i++)
		at += sx_show_msr(buf, at, cpu, sx_msr_key[i], f, i);
	return at;
}

/* Another CPU's facts where they differ from CPU 0's (@f0); counts them. */
static int sx_show_cpu_diff(const struct sx_cpu_facts *f,
			    const struct sx_cpu_facts *f0, unsigned int cpu,
			    unsigned int *ndiff, char *buf, int at)
{
	int i;

	if (f->vmx != f0->vmx || f->cr4_vmxe != f0->cr4_vmxe) {
		(*ndiff)++;
		at += sysfs_emit_at(buf, at,
				    "cpu%u.vmx: %s\ncpu%u.cr4_vmxe: %d\n",
				    cpu, sx_yes(f->vmx), cpu, f->cr4_vmxe);
	}
	for (i = 0; i < SX_NR_MSR; i++) {
		if (sx_same(f, f0, i))
			continue;
		(*ndiff)++;
		at += sx_show_msr(buf, at, cpu, sx_msr_key[i], f, i);
	}
	return at;
}

/*
 * One "key: value" per line. CPU 0's facts are listed in full; another
 * CPU's line appears only where it differs from CPU 0 (so that the file
 * stays within a page on large machines).
 */
ssize_t stmexec_probe_show(struct stmexec *sx, char *buf)
{
	struct stmexec_probe *p = sx->probe;
	const struct sx_cpu_facts *f0 = NULL, *f;
	unsigned int cpu, ndiff = 0;
	int at;

	if (!p)
		return sysfs_emit(buf, "probed: no\n");

	at = sx_show_machine(sx, p, buf);
	for (cpu = 0; cpu < p->ncpus; cpu++) {
		f = &p->cpu[cpu];
		if (!f->probed)
			continue;
		if (!f0) {
			f0 = f;
			at = sx_show_cpu0(f, cpu, buf, at);
			continue;
		}
		if (at > PAGE_SIZE - 256) {
			at += sysfs_emit_at(buf, at, "truncated: yes\n");
			break;
		}
		at = sx_show_cpu_diff(f, f0, cpu, &ndiff, buf, at);
	}
	at += sysfs_emit_at(buf, at, "cpus_differing_from_cpu0: %u\n", ndiff);
	if (sx->ops->id == STMEXEC_BACKEND_VMX || p->verdict)
		at += sysfs_emit_at(buf, at, "vmx_backend: %s%s\n",
				    p->verdict ? "refused: " : "usable",
				    p->verdict ? p->why : "");
	return at;
}
