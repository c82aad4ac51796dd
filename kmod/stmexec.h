/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stmexec: private header of the STM executive monitor module.
 *
 * Sections: common state and helpers; lifecycle and backends (lifecycle.c,
 * probe.c, backend_*.c, debugfs.c); device, ranges, log and policy
 * (chardev.c, ranges.c, log.c, policy.c). Every .c file includes this header
 * first so that pr_fmt applies everywhere.
 */
#ifndef STMEXEC_H
#define STMEXEC_H

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/ktime.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/stmexec.h>
#include <stm/wire.h>
#include <stm/core.h>

#include "compat.h"

struct stmexec;
struct dentry;

/* ---- backends ---------------------------------------------------------- */

/*
 * Called for each region of memory the module shares with the STM or must
 * keep away from SMM (VMXON regions, activation VMCSs, the BIOS-list
 * buffers, the module text); @what names it for messages. Nonzero stops the
 * walk and is returned.
 */
typedef int (*stmexec_region_fn)(void *arg, u64 pa, u64 len, const char *what);

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

/* backend=vmx: who answers the STM calls (module parameter vmx_stm=). */
#define STMEXEC_VMX_STM_HW	0	/* the firmware's STM (default) */
#define STMEXEC_VMX_STM_SIM	1	/* test only: the simulated STM core */

/**
 * struct stmexec_faults - debugfs fault injection into the simulated STM
 * @fail_init: status INITIALIZE_PROTECTION reports (after the core ran), 0 off
 * @fail_start_cpu: CPU whose START reports @fail_status (after the core
 *		    ran), -1 off, -2 every CPU
 * @fail_stop_cpu: CPU whose STOP fails with @fail_status without reaching
 *		   the core (the STM stays active there), -1 off, -2 every CPU
 * @fail_status: status used by @fail_start_cpu and @fail_stop_cpu
 * @delay_cpu: CPU whose VMCALLs are delayed by @delay_us, -1 off, -2 all
 * @delay_us: busy delay with interrupts off, at most STMEXEC_MAX_DELAY_US
 * @next_eax: with @next_armed: the next VMCALL with this EAX reports
 *	      @next_status (one shot)
 * @next_status: see @next_eax
 * @next_armed: see @next_eax
 * @hw_vmcall_required: vmx_stm=sim: a hardware VMCALL that nothing answers
 *			fails the CPU's enter with -ENODEV (rollback test)
 * @fail_leave_cpu: backend=sim: CPU whose leave (VMXOFF) fails with -EBUSY,
 *		    -1 off, -2 every CPU
 */
struct stmexec_faults {
	u32 fail_init;
	s32 fail_start_cpu;
	s32 fail_stop_cpu;
	u32 fail_status;
	s32 delay_cpu;
	u32 delay_us;
	u32 next_eax;
	u32 next_status;
	bool next_armed;
	bool hw_vmcall_required;
	s32 fail_leave_cpu;
};

#define STMEXEC_MAX_DELAY_US	500000U

/* ---- the lifecycle hooks ------------------------------------------------ */

/**
 * struct stmexec_hook - a feature's part in enable and disable
 * @name: the feature, for messages
 * @on_start: after START on every CPU, the BIOS list known (sx->bios_list):
 *	      allocate, sleep, PROTECT; 0 or -errno with stmexec_fail() called.
 *	      NULL: nothing to do
 * @on_stop: before STOP, and when a later hook's @on_start failed; the STM
 *	     forgets its databases when its last CPU stops. NULL: nothing
 *
 * Both run with sx->lock and cpus_read_lock() held, migration disabled, on
 * a CPU where stmexec_call() works. main.c lists the hooks (sx->hooks):
 * @on_start in list order, @on_stop in reverse. This is how the lifecycle
 * reaches the features above it without calling up (HACKING.md, "Layers").
 */
struct stmexec_hook {
	const char *name;
	int (*on_start)(struct stmexec *sx);
	void (*on_stop)(struct stmexec *sx);
};

extern const struct stmexec_hook stmexec_vmcs_db_hook;	/* vmcs_db.c */
extern const struct stmexec_hook stmexec_ranges_hook;	/* ranges.c */
extern const struct stmexec_hook stmexec_log_hook;	/* log.c */
extern const struct stmexec_hook stmexec_policy_hook;	/* policy.c */

/* ---- the single device instance ---------------------------------------- */

struct stmexec_ranges;
struct stmexec_log;
struct stmexec_cpu;
struct stmexec_probe;
struct stmexec_sim;

/*
 * Lock order (the one place it is written; lockdep checks it in the debug
 * tier), outermost first:
 *
 *   sx->lock (every configuration change, every VMCALL with a global
 *   effect; a mutex)
 *     > cpus_read_lock() (enable, disable, the on_start/on_stop hooks)
 *     > report.c's rep.lock (the cached report)
 *     > log.c's drain_lock > a file's cursor->lock > read_rwsem > ring_lock
 *       (log.c's head comment)
 *     > backend_sim.c's raw lock (the simulated core, interrupts off)
 *     > sx->err_lock (innermost: stmexec_fail() from any context)
 *   attest.c's at.lock is taken with no other lock held (the attestation
 *   work drops sx->lock before measuring).
 */

/**
 * struct stmexec - state of the executive monitor
 * @lock: serialises state transitions and every configuration change
 * @state: STMEXEC_STATE_*
 * @ops: the backend
 * @backend_priv: backend state
 * @active: CPUs on which the STM is started
 * @cpuhp_state: dynamic cpuhp state while enabled, else 0
 * @stm_caps: EBX of the activating INITIALIZE_PROTECTION
 * @launch_mode: STMEXEC_LAUNCH_* of the running STM, NONE while off
 * @last_errno: positive errno of the last failure
 * @last_error: human-readable reason of the last failure
 * @bios_list: flattened BIOS resource list (GET_BIOS_RESOURCES), or NULL
 * @bios_list_len: bytes in @bios_list
 * @ranges: protected ranges (ranges.c)
 * @log: violation log (log.c)
 * @misc: /dev/stmexec
 * @debugfs: debugfs directory
 * @err_lock: protects @last_errno/@last_error (taken from any context)
 * @reachable: CPUs on which a VMCALL reaches the STM (activated by
 *	       INITIALIZE_PROTECTION or START); stmexec_call() refuses others
 * @pcpu: per-CPU lifecycle state (lifecycle.c)
 * @phase: what the hotplug callbacks do (lifecycle.c, SX_PHASE_*)
 * @pinned: the module holds a reference on itself (monitor not off)
 * @wedged: a teardown could not complete; see lifecycle.c
 * @resume_on: the PM notifier stopped the monitor and relaunches it
 * @suspending: between the PM notifier's PREPARE and POST: no enables
 * @going_down: reboot/shutdown/panic seen: no more enables
 * @emergency_cb: our emergency-virtualization callback is registered
 * @emergency_left: CPUs on which an emergency path has stopped the STM and
 *		    left VMX operation since the last enable (atomic bit
 *		    operations from the callback, NMI context, several CPUs
 *		    at once; read by its summary line)
 * @sim_stm: the STM is simulated (backend=sim or vmx_stm=sim): NO protection
 * @vmx_stm: STMEXEC_VMX_STM_* (backend=vmx)
 * @timeout_ms: bound of every wait for a CPU (debugfs)
 * @ipi_wq: woken by per-CPU work done in interrupt context
 * @bios_bounce: GET_BIOS_RESOURCES destination (below 4 GiB)
 * @probe: hardware facts found at load (probe.c)
 * @sim: the simulated STM core (backend_sim.c), or NULL
 * @faults: debugfs fault injection (simulated STM only)
 * @hooks: the features' lifecycle hooks, in on_start order (main.c)
 * @nhooks: entries in @hooks
 * @vmcs_db_added: the VMXON regions are in the STM's VMCS database
 * @changed: subscribers to stmexec_protection_changed() (report, attest),
 *	     under @lock
 */
struct stmexec {
	struct mutex lock;		/* see the kernel-doc above */
	u32 state;
	const struct stmexec_backend_ops *ops;
	void *backend_priv;
	struct cpumask active;
	int cpuhp_state;
	u32 stm_caps;
	u32 launch_mode;
	int last_errno;
	char last_error[256];
	void *bios_list;
	size_t bios_list_len;
	struct stmexec_ranges *ranges;
	struct stmexec_log *log;
	struct miscdevice misc;
	struct dentry *debugfs;

	spinlock_t err_lock;		/* last_errno, last_error */
	struct cpumask reachable;
	struct stmexec_cpu __percpu *pcpu;
	u32 phase;
	bool pinned;
	bool wedged;
	bool resume_on;
	bool suspending;
	bool going_down;
	bool emergency_cb;
	struct cpumask emergency_left;
	bool sim_stm;
	u32 vmx_stm;
	u32 timeout_ms;
	wait_queue_head_t ipi_wq;
	void *bios_bounce;
	struct stmexec_probe *probe;
	struct stmexec_sim *sim;
	struct stmexec_faults faults;
	const struct stmexec_hook *const *hooks;
	unsigned int nhooks;
	bool vmcs_db_added;
	struct raw_notifier_head changed;
};

extern struct stmexec stmexec_dev;

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

/* The stmexec behind a device attribute of /dev/stmexec's misc device. */
static inline struct stmexec *stmexec_from_dev(struct device *dev)
{
	struct miscdevice *misc = dev_get_drvdata(dev);

	return container_of(misc, struct stmexec, misc);
}

/*
 * Take sx->lock for a system call: a signal, or the freezer asking the task
 * to enter the refrigerator (suspend), makes the call restart afterwards
 * instead of failing with -EINTR.
 */
static inline int __must_check stmexec_lock_interruptible(struct stmexec *sx)
{
	return mutex_lock_interruptible(&sx->lock) ? -ERESTARTSYS : 0;
}

/* Record a failure: sets last_errno/last_error, logs it once; returns err. */
__printf(3, 4)
int stmexec_fail(struct stmexec *sx, int err, const char *fmt, ...);
int stmexec_sysfs_input(struct stmexec *sx, const char *attr, const char *buf,
			size_t len);
void stmexec_clear_error(struct stmexec *sx);
void *stmexec_page_below_4g(unsigned int cpu, u64 *pa);

/* ---- lifecycle (lifecycle.c) ------------------------------------------- */

int stmexec_lifecycle_init(struct stmexec *sx);
void stmexec_lifecycle_fini(struct stmexec *sx);
/* lifecycle_events.c: PM, reboot, panic, shutdown and module notifiers. */
int stmexec_lifecycle_events_init(struct stmexec *sx);
void stmexec_lifecycle_events_fini(struct stmexec *sx);

/*
 * Enable: off/failed -> starting -> on; -EALREADY if on. Disable: on/failed
 * -> stopping -> off; a clean no-op returning 0 when already off. The
 * on_start hooks (ranges, log, then policy) and the on_stop hooks (policy,
 * log, ranges) are called from here with sx->lock and cpus_read_lock()
 * held (do not take it again), pinned to a CPU on which stmexec_call()
 * works.
 */
int stmexec_enable(struct stmexec *sx);	/* caller holds sx->lock */
int stmexec_disable(struct stmexec *sx);	/* caller holds sx->lock */
const char *stmexec_state_name(u32 state);
/*
 * What the PM notifier does at PM_SUSPEND_PREPARE (@prepare) or
 * PM_POST_SUSPEND, without a suspend: debugfs "pm_event", for the tests of
 * the window between the two. Takes sx->lock.
 */
int stmexec_pm_event(struct stmexec *sx, bool prepare);

/*
 * One VMCALL on the current CPU, for calls with a global effect; the CPU
 * must be one the STM is reachable on (sx->reachable: every CPU while on,
 * during the on_start/on_stop hooks the CPU they run on), else -ENXIO.
 * Runs with preemption disabled. Returns 0 on STM_SUCCESS, else -errno:
 * stmexec_status_to_errno() of the status (raw status in @r->eax), or the
 * backend's -errno when nothing answered.
 */
int stmexec_call(struct stmexec *sx, u32 func, u64 pa, u32 edx,
		 struct stm_regs *r);
int stmexec_status_to_errno(u32 status);

/* VMXON region of @cpu (the VMCS-database key); 0 if none. */
u64 stmexec_vmxon_pa(struct stmexec *sx, unsigned int cpu);
/* Every region the STM must keep SMM away from (stmexec_region_fn). */
int stmexec_walk_regions(struct stmexec *sx, stmexec_region_fn fn, void *arg);
#define stmexec_for_each_region(sx, fn, arg) stmexec_walk_regions(sx, fn, arg)

/* Per-CPU VMCALL counters: index 0 other, 1..8 STM_API_START..EVENT_LOG. */
#define STMEXEC_NR_CALL_IDX	9
u64 stmexec_cpu_calls(struct stmexec *sx, unsigned int cpu, unsigned int idx);
const char *stmexec_call_name(unsigned int idx);
/* Last enter, START, STOP and leave durations of @cpu in ns (4 values). */
void stmexec_cpu_timings(struct stmexec *sx, unsigned int cpu, u64 *ns);

/*
 * Run @fn on every online CPU, on the CPU itself with interrupts off, with a
 * bounded wait (sx->timeout_ms); 0 or the first error, CPU in *@bad.
 * Caller holds sx->lock.
 */
typedef int (*stmexec_cpu_fn)(struct stmexec *sx, unsigned int cpu);
int stmexec_on_each_cpu(struct stmexec *sx, stmexec_cpu_fn fn,
			unsigned int *bad);

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
#define STMEXEC_SIM_MSEG_SIZE	0x00100000ULL	/* 1 MiB */

int stmexec_sim_init(struct stmexec *sx);
void stmexec_sim_fini(struct stmexec *sx);
/* On @cpu itself, preemption or interrupts off; 0 (the core answered). */
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
 * stm_image/stm_header/launch_checks), verified by stm-image/tools/mseg_verify.c;
 * nosim.c: the same sysfs files in the production build (no image).
 */
int stmexec_image_init(struct stmexec *sx);
void stmexec_image_fini(struct stmexec *sx);
extern const struct attribute_group stmexec_image_group;

/* ---- sysfs and debugfs (sysfs.c, debugfs.c) ------------------------------ */

void stmexec_debugfs_init(struct stmexec *sx);
void stmexec_debugfs_fini(struct stmexec *sx);
/* debugfs_sim.c (test build): the simulated STM's fault injection */
void stmexec_debugfs_sim_init(struct stmexec *sx, struct dentry *d);

/* ---- device, ranges, log, policy (chardev.c, ranges.c, log.c) ---------- */

int stmexec_chardev_register(struct stmexec *sx);
void stmexec_chardev_unregister(struct stmexec *sx);

/* sysfs: misc device groups (sysfs.c); each part contributes a group. */
extern const struct attribute_group *stmexec_groups[];
extern const struct attribute_group stmexec_core_group;	/* sysfs.c */
extern const struct attribute_group stmexec_ranges_group;	/* ranges.c */
extern const struct attribute_group stmexec_log_group;	/* log.c, "log/" */

int stmexec_ranges_init(struct stmexec *sx);
/*
 * What the module holds in the STM (ranges.c): descriptors, and an estimate
 * of the STM heap pages they cost; the budgets enforced before any VMCALL.
 */
struct stmexec_stm_usage {
	u32 nodes;
	u32 heap_pages;
	u32 node_budget;
	u32 heap_budget;
};

void stmexec_ranges_usage(struct stmexec *sx, struct stmexec_stm_usage *u);
void stmexec_ranges_fini(struct stmexec *sx);

int stmexec_log_init(struct stmexec *sx);
void stmexec_log_fini(struct stmexec *sx);

/*
 * Features GET_VERSION always reports; chardev.c adds VMX_BACKEND and
 * ATTEST only when they work on this kernel and CPU.
 */
#define STMEXEC_FEATURES_BASE	(STMEXEC_FEAT_SIM_BACKEND | \
				 STMEXEC_FEAT_RANGES | STMEXEC_FEAT_EVENT_LOG | \
				 STMEXEC_FEAT_VMCS_DB)

/*
 * Protected ranges (ranges.c). Every function below needs sx->lock held.
 * @owner is 0 for ranges requested by userspace and STMEXEC_RF_POLICY for
 * the default policy (policy.c): a range is identified by (owner, type,
 * extent), so userspace can neither see as duplicate nor remove a policy
 * range, and both may cover the same page (reference counted).
 * @err_index and @bios_index are set to the offending request entry and
 * BIOS descriptor, or ~0; last_error is set on every failure.
 */
int stmexec_ranges_protect(struct stmexec *sx, const struct stmexec_range *req,
			   u32 n, u32 owner, u32 *err_index, u32 *bios_index);
int stmexec_ranges_unprotect(struct stmexec *sx,
			     const struct stmexec_range *req, u32 n, u32 owner,
			     u32 *err_index);
u32 stmexec_ranges_count(struct stmexec *sx);
/*
 * The active protections changed (ranges.c calls it after every PROTECT/
 * UNPROTECT unless quiet); the features above subscribe (sx->changed).
 */
void stmexec_protection_changed(struct stmexec *sx);
void stmexec_protection_notifier(struct stmexec *sx, struct notifier_block *nb,
				 bool add);
void stmexec_ranges_quiet(struct stmexec *sx, bool quiet);
/* Copy up to @cap held ranges to @out; returns the number held. */
u32 stmexec_ranges_list(struct stmexec *sx, struct stmexec_range *out,
			u32 cap);
/*
 * Decode sx->bios_list into up to @cap entries (index = descriptor
 * position); returns the number of descriptors or -errno if malformed.
 */
int stmexec_bios_decode(struct stmexec *sx, struct stmexec_range *out,
			u32 cap);

/*
 * STM descriptors (rsc_encode.c). A segment is a run of units of one
 * resource space with the same deny bits: [start, last] are byte addresses
 * (mem/mmio), ports (io), MSR indices (msr) or bus<<8|dev<<3|fn (pci).
 */
struct stmexec_seg {
	u64 start;
	u64 last;
	u32 space;
	u32 type;	/* STMEXEC_RANGE_* */
	u32 bits;	/* STMEXEC_ACC_* to deny (protect) or re-grant */
};

/*
 * Encode @seg, pack it into page-contained STM lists below 4 GiB and issue
 * STM_API_PROTECT_RESOURCE or _UNPROTECT_RESOURCE; sets last_error.
 */
int stmexec_rsc_apply(struct stmexec *sx, bool protect,
		      const struct stmexec_seg *seg, u32 n);
/* The persistent STM list page (rsc_encode.c), allocated at load. */
int stmexec_rsc_init(void);
void stmexec_rsc_fini(void);
u64 stmexec_rsc_page_pa(void);
/* The log's MANAGE_EVENT_LOG request page (log.c), 0 if none. */
u64 stmexec_log_req_pa(struct stmexec *sx);
/* STM descriptors segment @s is sent as, and the bytes of one of them. */
u32 stmexec_seg_descs(const struct stmexec_seg *s);
u32 stmexec_seg_desc_size(const struct stmexec_seg *s);
/* Decode one STM_RSC of @len bytes (BIOS list, log payload) into @out. */
int stmexec_rsc_decode(const void *rsc, size_t len, struct stmexec_range *out);

/* Text form of a range (range_text.c); see stmexec.rst. */
int stmexec_range_parse(struct stmexec *sx, const char *buf,
			struct stmexec_range *r);
int stmexec_range_format(char *buf, size_t size,
			 const struct stmexec_range *r, bool bios);

/* Violation log (log.c). */
struct file;
struct poll_table_struct;

struct stmexec_log_stats {
	u64 records;	/* records delivered to readers */
	u64 dropped;	/* records the kernel ring had to drop */
	u64 wrapped;	/* STM entries overwritten before they were read */
};

void stmexec_log_stats(struct stmexec *sx, struct stmexec_log_stats *st);
/* Setup, start, stop and clear need sx->lock held. */
int stmexec_log_setup(struct stmexec *sx, const struct stmexec_log_setup *ls);
int stmexec_log_start(struct stmexec *sx);
int stmexec_log_stop(struct stmexec *sx);
int stmexec_log_clear(struct stmexec *sx);
/**
 * struct stmexec_log_cursor - one open file's position in the log ring
 * @node: in the log's list of readers, once the file read or polled
 * @pos: the next record this file reads (free-running ring index)
 * @lock: serialises read(2) on this file
 * @registered: @node is on the list
 */
struct stmexec_log_cursor {
	struct list_head node;
	u64 pos;
	struct mutex lock;	/* one read(2) of this file at a time */
	bool registered;
};

void stmexec_log_cursor_init(struct stmexec_log_cursor *cur);
void stmexec_log_cursor_release(struct stmexec *sx,
				struct stmexec_log_cursor *cur);
ssize_t stmexec_log_read(struct stmexec *sx, struct stmexec_log_cursor *cur,
			 char __user *buf, size_t count, bool nonblock);
__poll_t stmexec_log_poll(struct stmexec *sx, struct stmexec_log_cursor *cur,
			  struct file *file, struct poll_table_struct *pt);

/* VMCS database for the per-CPU VMXON regions (vmcs_db.c); sx->lock held. */
int stmexec_vmcs_db(struct stmexec *sx, const struct stmexec_vmcs_db *req);

/* ---- policy, report, attestation ------------------------------------------
 * policy.c (default policy, policy= and policy_conflict=), modwatch.c
 * (module notifier), report.c (isolation report, canonical encoding,
 * SHA-256), attest.c (IMA critical data, optional TPM PCR extend),
 * sim_corpus.c (BIOS-list corpus for the sim backend, sim_bios=). See
 * Documentation/admin-guide/stmexec-policy.rst and stmexec-attestation.rst.
 */
struct attribute_group;
struct module;

/* policy= levels; each includes the ones below it. */
#define STMEXEC_POLICY_NONE	0	/* no default protection */
#define STMEXEC_POLICY_MONITOR	1	/* the monitor's own memory */
#define STMEXEC_POLICY_KERNEL	2	/* + kernel/module text+rodata, MSRs */
#define STMEXEC_POLICY_ISOLATED	3	/* + all OS RAM the BIOS list does not claim */
#define STMEXEC_POLICY_STRICT	4	/* + legacy reset/keyboard ports */
#define STMEXEC_POLICY_NR	5

/* Classes of policy ranges (report section CLASSES, in this order). */
enum stmexec_pclass {
	STMEXEC_PC_MONITOR,	/* monitor regions + module rodata: deny rwx */
	STMEXEC_PC_KTEXT,	/* "Kernel code": deny wx */
	STMEXEC_PC_KRODATA,	/* "Kernel rodata": deny wx */
	STMEXEC_PC_MODULE,	/* live modules' text/rodata: deny wx */
	STMEXEC_PC_MSR,		/* kernel-critical MSRs */
	STMEXEC_PC_OSRAM,	/* System RAM minus BIOS claims: deny rwx */
	STMEXEC_PC_LEGACY_IO,	/* 0x60, 0x64, 0xcf9: deny rw */
	STMEXEC_PC_NR
};

/* One policy range and what it protects. */
struct stmexec_pitem {
	struct stmexec_range r;
	u32 pclass;
};

/* A module whose text/rodata the policy protects (modwatch.c). */
struct stmexec_pmod {
	struct list_head node;
	struct module *mod;		/* identity only, never dereferenced */
	char name[64];
	u32 n;				/* ranges in @r held by the policy */
	u32 skipped;			/* pages refused (BIOS claims) */
	u32 skipped_bios;		/* BIOS descriptor of the last refusal */
	u64 bytes;			/* bytes covered by @r */
	struct stmexec_range *r;
};

/* Byte extents [start, end) of the kernel image sections (/proc/iomem). */
struct stmexec_klayout {
	u64 code[2];
	u64 rodata[2];
	u64 data[2];
	u64 bss[2];
	bool valid;
};

/**
 * struct stmexec_policy - the default policy in force (policy.c), sx->lock
 * @requested: policy= at the last enable
 * @level: level in force (STMEXEC_POLICY_*), NONE while off
 * @conflict_fail: policy_conflict=fail at the last enable
 * @modules: policy_modules= at the last enable (modules at level kernel)
 * @lowered_by: BIOS descriptor that lowered the level, or ~0
 * @active: the policy ranges are held (between on_start and on_stop)
 * @items: every policy range but the modules'
 * @nitems: entries in @items
 * @mods: struct stmexec_pmod list
 * @nmods: entries in @mods
 * @kl: kernel image sections
 */
struct stmexec_policy {
	u32 requested;
	u32 level;
	bool conflict_fail;
	bool modules;
	u32 lowered_by;
	bool active;
	struct stmexec_pitem *items;
	u32 nitems;
	struct list_head mods;
	u32 nmods;
	struct stmexec_klayout kl;
};

extern struct stmexec_policy stmexec_pol;

int stmexec_policy_init(struct stmexec *sx);	/* at load, before the device */
void stmexec_policy_fini(struct stmexec *sx);
/* Level in force, for GET_STATUS.policy_level. */
u32 stmexec_policy_level(struct stmexec *sx);
u32 stmexec_policy_param(void);		/* policy= as set now */
/* The policy in force protects every live module (sx->lock held). */
bool stmexec_policy_protects_modules(void);
const char *stmexec_policy_name(u32 level);
const char *stmexec_pclass_name(u32 pclass);
int stmexec_kernel_layout(struct stmexec_klayout *kl);
/* System RAM extents into *@out (kvfree()); count or -errno. */
struct stmexec_extent {
	u64 start;
	u64 end;	/* exclusive */
};

int stmexec_system_ram(struct stmexec_extent **out);

/* modwatch.c: module notifier; sx->lock held for the _start/_stop calls. */
int stmexec_modwatch_init(struct stmexec *sx);
void stmexec_modwatch_fini(struct stmexec *sx);
/* pmod.c: ranges of every live module (enable); appended to @out. */
int stmexec_pmod_collect(struct stmexec *sx, struct list_head *out);
struct stmexec_pmod *stmexec_pmod_build(struct module *mod);
struct stmexec_pmod *stmexec_pmod_find(struct list_head *list,
				       struct module *mod);
void stmexec_pmod_free(struct stmexec_pmod *pm);

/*
 * report.c: after a change of the active protections (sx->lock held) the
 * report is stale; it is recomputed by the next reader (refresh takes
 * sx->lock) and the attestation work is armed.
 */
int stmexec_report_init(struct stmexec *sx);
int stmexec_report_refresh(struct stmexec *sx, bool intr);
void stmexec_report_fini(struct stmexec *sx);
extern const struct attribute_group stmexec_report_group;
/* Current level (0-4), or 0 while off. */
u32 stmexec_report_level(void);
/*
 * Copy of the canonical encoding and its SHA-256 (kvfree() it); the
 * generation lets the attestation work skip a report already measured.
 */
void *stmexec_report_copy(size_t *len, u8 digest[32], u64 *gen);
void *stmexec_report_snapshot(bool canonical, size_t *len);
/*
 * platform_io.c: the ACPI PM I/O base (FADT PM1a event block) of this
 * machine, or 0; whether [base, base+len) lies in the named I/O blocks.
 */
u16 stmexec_acpi_pmbase(void);
bool stmexec_io_in_named_set(u64 base, u64 len);
/* EPT execute-only pages supported (deny=rw is valid for MEM/MMIO). */
bool stmexec_ept_exec_only(void);
void stmexec_ept_caps_init(void);	/* at load (probe.c) */

/* attest.c: measure the report (coalesced); "ima" or "unavailable". */
void stmexec_attest_init(struct stmexec *sx);
void stmexec_attest_fini(struct stmexec *sx);
bool stmexec_attest_measuring(void);
extern const struct attribute_group stmexec_attest_group;

/*
 * sim_corpus.c: the BIOS list named by sim_bios= (descriptors and END) in
 * @buf; -ENOENT when sim_bios= is empty (the backend's own list).
 */
int stmexec_sim_corpus_build(void *buf, size_t cap, size_t *len);
const char *stmexec_sim_corpus_name(void);

#endif /* STMEXEC_H */
