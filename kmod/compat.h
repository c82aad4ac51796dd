/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stmexec: every kernel-version difference the module has to absorb (and
 * the MSR names the kernel's headers lack), nothing else. Checked against
 * the Debian 6.1 (6.1.0-56) and 6.12 (6.12.117+deb12) headers; the notes
 * name the upstream change so that the next kernel can be checked the same
 * way.
 *
 * Feature tests that a version number cannot answer (distribution
 * backports) are made by Kbuild on the target's headers and arrive here as
 * STMEXEC_HAVE_* macros.
 */
#ifndef STMEXEC_COMPAT_H
#define STMEXEC_COMPAT_H

#include <linux/module.h>
#include <linux/syscore_ops.h>
#include <asm/msr.h>

/*
 * MSRs that asm/msr-index.h names in neither Debian kernel (6.1, 6.12),
 * each defined only while the kernel lacks it (a kernel that adds the name
 * keeps its own). IA32_SMRR_PHYSBASE (1F2H) and IA32_SMRR_PHYSMASK (1F3H):
 * SDM Vol. 4 Table 2-2 (architectural if IA32_MTRRCAP[11]);
 * MSR_SMM_FEATURE_CONTROL (4E0H): SDM Vol. 4, model-specific (Haswell and
 * later), "Enhanced SMM Feature Control", writable only in SMM.
 */
#ifndef MSR_IA32_SMRR_PHYSBASE
#define MSR_IA32_SMRR_PHYSBASE		0x000001f2
#endif
#ifndef MSR_IA32_SMRR_PHYSMASK
#define MSR_IA32_SMRR_PHYSMASK		0x000001f3
#endif
#ifndef MSR_SMM_FEATURE_CONTROL
#define MSR_SMM_FEATURE_CONTROL		0x000004e0
#endif

/*
 * MSR accessors: rdmsrl*() were renamed rdmsrq*() in 6.16 (the old names
 * are gone in 6.17). Both Debian kernels have only the rdmsrl names.
 */
#ifdef rdmsrq
#define stmexec_rdmsr_safe(msr, p)	rdmsrq_safe((msr), (p))
#else
#define stmexec_rdmsr_safe(msr, p)	rdmsrl_safe((msr), (p))
#endif

/*
 * syscore: 6.1 has register_syscore_ops() with argument-less callbacks;
 * "syscore: Pass context data to callbacks" (a97fbc3ee3e2, upstream in
 * 6.19) replaced it with register_syscore() and a struct syscore carrying a
 * data pointer. Debian's 6.12.117 already has the new API, so Kbuild greps
 * include/linux/syscore_ops.h for "struct syscore {" instead of trusting
 * LINUX_VERSION_CODE. Only shutdown and suspend are used.
 *
 * struct stmexec_syscore is what the kernel links into its list (the
 * struct syscore and its ops, or the ops alone), embedded in its owner.
 * A callback takes STMEXEC_SYSCORE_ARG and finds its context with
 * STMEXEC_SYSCORE_DATA(fallback): the data pointer given at registration,
 * or, on the old API that has none, @fallback.
 */
#ifdef STMEXEC_HAVE_SYSCORE_DATA
#define STMEXEC_SYSCORE_ARG		void *data
#define STMEXEC_SYSCORE_DATA(fallback)	(data)
struct stmexec_syscore {
	struct syscore core;
	struct syscore_ops ops;
};
#else
#define STMEXEC_SYSCORE_ARG		void
#define STMEXEC_SYSCORE_DATA(fallback)	(fallback)
struct stmexec_syscore {
	struct syscore_ops ops;
};
#endif

static inline void
stmexec_register_syscore(struct stmexec_syscore *s,
			 int (*suspend)(STMEXEC_SYSCORE_ARG),
			 void (*shutdown)(STMEXEC_SYSCORE_ARG), void *data)
{
	s->ops.suspend = suspend;
	s->ops.shutdown = shutdown;
#ifdef STMEXEC_HAVE_SYSCORE_DATA
	s->core.ops = &s->ops;
	s->core.data = data;
	register_syscore(&s->core);
#else
	register_syscore_ops(&s->ops);
#endif
}

static inline void stmexec_unregister_syscore(struct stmexec_syscore *s)
{
#ifdef STMEXEC_HAVE_SYSCORE_DATA
	unregister_syscore(&s->core);
#else
	unregister_syscore_ops(&s->ops);
#endif
}

/*
 * Module layout: 6.4 ("module: replace module_layout with module_memory",
 * ac3b43283923) moved text/rodata/ro_after_init from core_layout to
 * mem[MOD_TEXT/MOD_RODATA/MOD_RO_AFTER_INIT]; Kbuild greps module.h for
 * "struct module_memory" (STMEXEC_HAVE_MODULE_MEMORY). Part 0 is the text, 1 the
 * rodata, 2 ro_after_init (read-only once the module is live). The
 * addresses are vmalloc addresses: walk them page by page.
 */
#define STMEXEC_MOD_RO_PARTS	3

static inline void stmexec_module_ro_part(struct module *mod,
					  unsigned int part, void **base,
					  unsigned long *size, bool *text)
{
#ifdef STMEXEC_HAVE_MODULE_MEMORY
	static const enum mod_mem_type type[STMEXEC_MOD_RO_PARTS] = {
		MOD_TEXT, MOD_RODATA, MOD_RO_AFTER_INIT,
	};

	*base = part < STMEXEC_MOD_RO_PARTS ? mod->mem[type[part]].base : NULL;
	*size = part < STMEXEC_MOD_RO_PARTS ? mod->mem[type[part]].size : 0;
#else
	struct module_layout *l = &mod->core_layout;

	switch (part) {
	case 0:
		*base = l->base;
		*size = l->text_size;
		break;
	case 1:
		*base = l->base + l->text_size;
		*size = l->ro_size - l->text_size;
		break;
	case 2:
		*base = l->base + l->ro_size;
		*size = l->ro_after_init_size - l->ro_size;
		break;
	default:
		*base = NULL;
		*size = 0;
		break;
	}
#endif
	*text = part == 0;
}

static inline void stmexec_module_text(struct module *mod, void **base,
				       unsigned long *size)
{
	bool text;

	stmexec_module_ro_part(mod, 0, base, size, &text);
}

/*
 * Taint: TAINT_TEST exists since 6.0 (2852ca7fba9f, "panic: Taint kernel if
 * tests are run"), so both supported kernels have it; TAINT_USER is the
 * fallback for anything older.
 */
#ifdef TAINT_TEST
#define STMEXEC_TAINT_SIM		TAINT_TEST
#else
#define STMEXEC_TAINT_SIM		TAINT_USER
#endif

/*
 * CPU hotplug: CPUHP_AP_ONLINE_DYN and cpuhp_setup_state_cpuslocked() /
 * __cpuhp_remove_state_cpuslocked() are EXPORT_SYMBOL on both kernels;
 * names and semantics unchanged between 6.1 and 6.12.
 *
 * CR4: cr4_set_bits()/cr4_clear_bits() are inline wrappers of
 * cr4_update_irqsoff() (EXPORT_SYMBOL on 6.1 and 6.12) and cr4_read_shadow()
 * is EXPORT_SYMBOL_GPL on both. 6.19 (6276c67f2bc4) restricts both exports
 * to KVM. Kbuild therefore reads the target's Module.symvers: only if
 * cr4_update_irqsoff is exported without a namespace restriction is
 * STMEXEC_VMX_OWNABLE 1; otherwise backend_vmx.c compiles without the
 * hardware sequence and backend=vmx refuses with -EOPNOTSUPP (the sim
 * backend does not need the CR4 API). The module never writes CR4 directly.
 *
 * Intel PT: intel_pt_handle_vmx() is EXPORT_SYMBOL_GPL on both (KVM-only
 * from 6.19 as well) and a static inline no-op without CONFIG_CPU_SUP_INTEL.
 *
 * Inline assembly: asm goto with outputs is not used: Debian's 6.12 config
 * sets CONFIG_GCC_ASM_GOTO_OUTPUT_BROKEN for its gcc 12.2. Plain "asm goto"
 * (implicitly volatile) is used on both; asm_volatile_goto() went away in
 * 6.8.
 */
#ifndef STMEXEC_VMX_OWNABLE
#define STMEXEC_VMX_OWNABLE	0	/* backend=vmx refuses: -EOPNOTSUPP */
#endif

#endif /* STMEXEC_COMPAT_H */
