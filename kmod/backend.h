/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stmexec: the backends' header: the ops table every backend implements, the
 * hardware facts of the probe, the simulated STM and its image. For the
 * lifecycle, the backends, the probe, debugfs and main.c.
 */
#ifndef STMEXEC_BACKEND_H
#define STMEXEC_BACKEND_H

#include "stmexec.h"

/*
 * The test delays of the simulated STM (debugfs delay_us, the probe's
 * sim_probe_delay_ms): spin on the clock, not udelay(), whose
 * loops_per_jiffy was calibrated at boot, perhaps on a busy host.
 */
static inline void stmexec_spin_ns(u64 ns)
{
	u64 end = ktime_get_ns() + ns;

	while (ktime_get_ns() < end)
		cpu_relax();
}

/* ---- backends ---------------------------------------------------------- */

/**
 * struct stmexec_backend_ops - what differs between real VMX and the sim
 * @name: "vmx" or "sim"
 * @id: STMEXEC_BACKEND_*
 * @probe: global checks at load, before anything is touched (uses the
 *	   hardware facts of probe.c); 0 or -errno with stmexec_fail() called
 * @init: allocate global backend state (process context, after @probe)
 * @cpu_enter: on @cpu itself, in its hotplug thread: make the CPU ready for
 *	       its activating VMCALL (vmx: CR4.VMXE, VMXON, activation VMCS,
 *	       with interrupts disabled around the sequence); 0 or -errno with
 *	       stmexec_fail() called
 * @cpu_leave: on @cpu itself, never sleeps, interrupts may be off: undo
 *	       @cpu_enter (vmx: VMXOFF, CR4.VMXE); only after STOP. 0, or
 *	       -errno if the CPU had to stay in VMX operation
 * @vmcall: on @cpu itself with preemption or interrupts disabled: one
 *	    VMCALL with the STM register convention. 0 when an STM answered
 *	    (status in @r->eax, CF in @r->cf, EBX/EDX written), -errno when
 *	    nothing reached an STM (stmexec_fail() called; -ENODEV: no STM)
 * @vmxon_pa: physical address by which the STM knows @cpu's executive
 *	      monitor: its VMXON region (the VMCS database key)
 * @for_each_region: call @fn for each backend region (see stmexec_region_fn)
 * @fini: free global backend state
 */
struct stmexec_backend_ops {
	const char *name;
	u32 id;
	int (*probe)(struct stmexec *sx);
	int (*init)(struct stmexec *sx);
	int (*cpu_enter)(struct stmexec *sx, unsigned int cpu);
	int (*cpu_leave)(struct stmexec *sx, unsigned int cpu);
	int (*vmcall)(struct stmexec *sx, unsigned int cpu, struct stm_regs *r);
	u64 (*vmxon_pa)(struct stmexec *sx, unsigned int cpu);
	int (*for_each_region)(struct stmexec *sx, stmexec_region_fn fn,
			       void *arg);
	void (*fini)(struct stmexec *sx);
};

extern const struct stmexec_backend_ops stmexec_backend_vmx;
extern const struct stmexec_backend_ops stmexec_backend_sim;

/*
 * backend_pages.c: every possible CPU's VMXON region and activation VMCS in
 * one physically contiguous, zeroed block below 4 GiB (one STM descriptor).
 */
#define STMEXEC_CPU_VMXON	0
#define STMEXEC_CPU_VMCS	1
struct stmexec_cpu_pages;
struct stmexec_cpu_pages *stmexec_cpu_pages_alloc(struct stmexec *sx,
						  const char *who);
void stmexec_cpu_pages_free(struct stmexec_cpu_pages *p);
void *stmexec_cpu_page(const struct stmexec_cpu_pages *p, unsigned int cpu,
		       unsigned int which, u64 *pa);
int stmexec_cpu_pages_regions(const struct stmexec_cpu_pages *p,
			      stmexec_region_fn fn, void *arg,
			      const char *what);

/* backend=vmx: who answers the STM calls (module parameter vmx_stm=). */
#define STMEXEC_VMX_STM_HW	0	/* the firmware's STM (default) */
#define STMEXEC_VMX_STM_SIM	1	/* test only: the simulated STM core */

/* ---- probe (probe.c) ----------------------------------------------------- */

int stmexec_probe_hw(struct stmexec *sx);	/* per-CPU facts, at load */
void stmexec_probe_free(struct stmexec *sx);
int stmexec_probe_vmx(struct stmexec *sx);	/* backend=vmx refusals */
u32 stmexec_probe_launch_mode(struct stmexec *sx);
ssize_t stmexec_probe_show(struct stmexec *sx, char *buf);
/* sysfs "launch_checks": tboot's MSEG checks as far as the OS sees them. */
ssize_t stmexec_probe_launch_checks(struct stmexec *sx, char *buf);
/* Facts the vmx backend needs (valid after stmexec_probe_vmx() == 0). */
u64 stmexec_probe_vmx_basic(struct stmexec *sx);
u64 stmexec_probe_exit_ctls(struct stmexec *sx);

/* ---- simulated STM (backend_sim.c) ---------------------------------------
 * Test build only (Kbuild CONFIG_STMEXEC_SIM=y; HACKING.md, "Build
 * variants"): the production module has neither the simulated STM nor fault
 * injection, and its callers test IS_ENABLED(CONFIG_STMEXEC_SIM) first so
 * that no reference to these functions is left in it.
 */

/* The simulated MSEG (top of the simulated TSEG; addresses only). */
#define STMEXEC_SIM_MSEG_SIZE	0x00200000ULL	/* 2 MiB: stm.bin needs 0x16e000 (2 CPUs) */

int stmexec_sim_init(struct stmexec *sx);
void stmexec_sim_fini(struct stmexec *sx);
/* On @cpu itself, preemption or interrupts off; 0 (the core answered). */
/*
 * @vmcall's answer to STOP when the CPU refused the VMCALL with a
 * VM-instruction error that only an activation attempt gives (19, 20, 22,
 * 24; SDM Vol. 3C 32.15.6, VMCALL pseudo-code: those checks come after
 * "dual-monitor treatment is active"): the STM is not active on this CPU
 * (it deactivated the treatment, e.g. when it refused START through the
 * activation VMCS). Not a failure: the lifecycle continues the teardown.
 * stmexec_vmcall_failvalid() logs it.
 */
#define STMEXEC_VMCALL_INACTIVE	1
int stmexec_vmcall_failvalid(struct stmexec *sx, unsigned int cpu, u32 func,
			     unsigned long err);

int stmexec_sim_vmcall(struct stmexec *sx, unsigned int cpu, u64 vmcs_pa,
		       struct stm_regs *r);
/* debugfs "inject": one SMM access line on the current CPU. */
int stmexec_sim_inject(struct stmexec *sx, const char *line,
		       const char **verdict);
u64 stmexec_sim_compat_violations(struct stmexec *sx, char *last,
				  size_t len);
int stmexec_sim_cpu_state(struct stmexec *sx, unsigned int cpu);
void stmexec_sim_arm_next(struct stmexec *sx, bool arm, u32 eax, u32 status);
const char *stmexec_sim_last_inject(struct stmexec *sx, char *buf, size_t len);
void stmexec_sim_smi_window(struct stmexec *sx, u64 *last_ns, u64 *max_ns);
/* vmx_stm= (sets sx->vmx_stm, sx->sim_stm); 0 or -errno, stmexec_fail() called */
int stmexec_sim_params(struct stmexec *sx);
/* sim_probe_delay_ms=: on @cpu, during the load-time probe */
void stmexec_sim_probe_delay(struct stmexec *sx, unsigned int cpu);

/* backend=vmx with vmx_stm=sim: the simulated STM answers (test build). */
static inline bool stmexec_vmx_stm_sim(const struct stmexec *sx)
{
	return IS_ENABLED(CONFIG_STMEXEC_SIM) &&
	       sx->vmx_stm == STMEXEC_VMX_STM_SIM;
}

/*
 * sim_image.c: the STM image of the simulated STM (sim_image=, sysfs
 * stm_image/stm_header), verified by stm-image/tools/mseg_verify.c;
 * nosim.c: the same sysfs files in the production build (no image);
 * image_sysfs.c: their group, with launch_checks, for both builds.
 */
int stmexec_image_init(struct stmexec *sx);
void stmexec_image_fini(struct stmexec *sx);
extern struct device_attribute dev_attr_stm_image;
extern struct device_attribute dev_attr_stm_header;
extern const struct attribute_group stmexec_image_group;

/*
 * platform_io.c, the facts the probe read at load (sx->probe): the ACPI PM
 * I/O base (FADT PM1a event block) of this machine, or 0; whether
 * [base, base+len) lies in the named I/O blocks.
 */
u16 stmexec_acpi_pmbase(const struct stmexec *sx);
bool stmexec_io_in_named_set(const struct stmexec *sx, u64 base, u64 len);
/* EPT execute-only pages supported (deny=rw is valid for MEM/MMIO). */
bool stmexec_ept_exec_only(const struct stmexec *sx);

/*
 * sim_corpus.c: the BIOS list named by sim_bios= (descriptors and END) in
 * @buf; -ENOENT when sim_bios= is empty (the backend's own list).
 */
int stmexec_sim_corpus_build(struct stmexec *sx, void *buf, size_t cap,
			     size_t *len);
const char *stmexec_sim_corpus_name(void);

#endif /* STMEXEC_BACKEND_H */
