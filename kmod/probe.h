/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stmexec: the hardware facts found at load (sx->probe), shared by the
 * probe (probe.c: CPUs, MSRs, TXT, the refusals of backend=vmx) and the
 * platform facts it reads once through platform_io.c (legacy I/O blocks,
 * ACPI PM base, EPT execute-only). Everyone else asks through the
 * functions in backend.h.
 */
#ifndef STMEXEC_PROBE_H
#define STMEXEC_PROBE_H

#include <linux/types.h>

/* MSRs read on each CPU; err is the rdmsr_safe() result. */
enum {
	SX_MSR_FEAT,
	SX_MSR_BASIC,
	SX_MSR_MISC,
	SX_MSR_SMM,
	SX_MSR_EXIT,
	SX_NR_MSR
};

struct sx_cpu_facts {
	bool probed;
	bool vmx;		/* CPUID.1:ECX.VMX */
	bool cr4_vmxe;		/* kernel's CR4 shadow or hardware CR4 */
	bool cr4_smxe;
	int err[SX_NR_MSR];
	u64 val[SX_NR_MSR];
};

/* The machine's named legacy I/O blocks (platform_io.c). */
#define SX_IOSET_MAX	12

struct sx_ioset {
	u32 n;
	struct {
		u32 first, last;
		const char *name;
	} r[SX_IOSET_MAX];
};

struct stmexec_probe {
	bool intel;		/* vendor with IA32_FEATURE_CONTROL and VMX */
	bool vmx_cpuid;		/* CPUID says VMX (boot CPU) */
	bool vmx_kernel;	/* X86_FEATURE_VMX: the kernel allows it */
	bool hypervisor;
	bool smx;
	int txt;		/* SX_TXT_* */
	u64 txt_mseg_base;	/* TXT.MSEG.BASE/SIZE (txt == SX_TXT_LAUNCHED) */
	u64 txt_mseg_size;
	int verdict;		/* 0 or the refusal errno of backend=vmx */
	char why[224];
	struct sx_ioset named_io;	/* APM port, FADT blocks */
	u16 acpi_pmbase;	/* FADT PM1a event block, or 0 */
	bool ept_exec_only;	/* IA32_VMX_EPT_VPID_CAP bit 0 */
	unsigned int ncpus;
	struct sx_cpu_facts cpu[];
};

/* platform_io.c: fill named_io, acpi_pmbase, ept_exec_only (at load). */
void stmexec_platform_probe(struct stmexec_probe *p);

#endif /* STMEXEC_PROBE_H */
