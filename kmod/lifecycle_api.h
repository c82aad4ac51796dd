/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stmexec: the lifecycle's API to the layers above it (HACKING.md,
 * "Layers"): the hooks through which it reaches the features, enable and
 * disable, the VMCALL with a global effect, the monitor's regions and
 * counters, the BIOS list, the notifier and debugfs set-up.
 * For the features (through features.h), the user-facing files, main.c and
 * the lifecycle's own files; a backend never includes it.
 */
#ifndef STMEXEC_LIFECYCLE_API_H
#define STMEXEC_LIFECYCLE_API_H

#include "stmexec.h"

struct dentry;

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

/* Per-CPU VMCALL counters: index 0 other, 1..8 STM_API_START..EVENT_LOG. */
#define STMEXEC_NR_CALL_IDX	9
u64 stmexec_cpu_calls(struct stmexec *sx, unsigned int cpu, unsigned int idx);
const char *stmexec_call_name(unsigned int idx);
/* Last enter, START, STOP and leave durations of @cpu in ns (4 values). */
void stmexec_cpu_timings(struct stmexec *sx, unsigned int cpu, u64 *ns);

/* bios.c: STM_RSC decoding (the BIOS list, log payloads). */
/*
 * Keep @list (@len bytes from GET_BIOS_RESOURCES, kvmalloc()ed; ours now)
 * and its decoded entries in sx->bios[0..sx->nbios), replacing the ones
 * kept; a malformed list is not kept (-EIO). sx->lock or the enable path.
 */
int stmexec_bios_keep(struct stmexec *sx, void *list, size_t len);
void stmexec_bios_forget(struct stmexec *sx);
/* Decode one STM_RSC of @len bytes (BIOS list, log payload) into @out. */
int stmexec_rsc_decode(const void *rsc, size_t len, struct stmexec_range *out);

/* ---- sysfs and debugfs (sysfs.c, debugfs.c) ------------------------------ */

void stmexec_debugfs_init(struct stmexec *sx);
void stmexec_debugfs_fini(struct stmexec *sx);
/* debugfs_sim.c (test build): the simulated STM's fault injection */
void stmexec_debugfs_sim_init(struct stmexec *sx, struct dentry *d);
void stmexec_debugfs_stm_init(struct stmexec *sx, struct dentry *d);

#endif /* STMEXEC_LIFECYCLE_API_H */
