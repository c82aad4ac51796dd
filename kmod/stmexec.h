/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stmexec: private header of the STM executive monitor module.
 *
 * The core every file shares: the device instance and its lock order,
 * error reporting, the bounded multi-CPU step. The other audiences have
 * their own headers: lifecycle_api.h (the lifecycle's API to the layers
 * above it), backend.h (the backends, the probe, the simulated STM) and
 * features.h (ranges, log, STM descriptors, policy, report, attestation);
 * faults.h holds the fault-injection knobs struct stmexec embeds.
 * Every .c file includes this header first so that pr_fmt applies
 * everywhere.
 */
#ifndef STMEXEC_H
#define STMEXEC_H

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/stmexec.h>
#include <stm/wire.h>
#include <stm/core.h>

/* An index that names no entry: the UAPI's ~0 (err_index, bios_index, ...). */
#define STMEXEC_NO_INDEX	U32_MAX

#include "compat.h"
#include "faults.h"

struct stmexec;
struct dentry;

/*
 * Called for each region of memory the module shares with the STM or must
 * keep away from SMM (VMXON regions, activation VMCSs, the BIOS-list
 * buffers, the module text); @what names it for messages. Nonzero stops the
 * walk and is returned.
 */
typedef int (*stmexec_region_fn)(void *arg, u64 pa, u64 len, const char *what);

/* ---- the single device instance ---------------------------------------- */

struct stmexec_hook;
struct stmexec_ranges;
struct stmexec_log;
struct stmexec_policy;
struct stmexec_report;
struct stmexec_attest;
struct stmexec_cpu;
struct stmexec_probe;
struct stmexec_sim;
struct stmexec_image;
struct stmexec_events;

/*
 * Lock order (the one place it is written; lockdep checks it in the debug
 * tier), outermost first:
 *
 *   sx->lock (every configuration change, every VMCALL with a global
 *   effect; a mutex)
 *     > cpus_read_lock() (enable, disable, the on_start/on_stop hooks)
 *     > sx->report->lock (report.c: the cached report)
 *     > log.c's drain_lock > a file's cursor->lock > read_rwsem > ring_lock
 *       (log.c's head comment)
 *     > backend_sim.c's raw lock (the simulated core, interrupts off)
 *     > sx->err_lock (innermost: stmexec_fail() from any context)
 *   sx->attest->lock (attest.c) is taken with no other lock held (the
 *   attestation work drops sx->lock before measuring).
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
 * @bios: @bios_list decoded (index = descriptor position), or NULL
 * @nbios: entries in @bios
 * @ranges: protected ranges (ranges.c)
 * @log: violation log (log.c)
 * @pol: the default policy (policy.c, modwatch.c)
 * @report: the cached isolation report (report.c)
 * @attest: the report's measurement (attest.c)
 * @misc: /dev/stmexec
 * @debugfs: debugfs directory
 * @err_lock: protects @last_errno/@last_error/@reqs (taken from any context)
 * @reqs: error records of the ioctls in progress (struct stmexec_req)
 * @reachable: CPUs on which a VMCALL reaches the STM (activated by
 *	       INITIALIZE_PROTECTION or START); stmexec_call() refuses others
 * @pcpu: per-CPU lifecycle state (lifecycle.c)
 * @events: the system-event notifiers and syscore ops (lifecycle_events.c)
 * @stop_mask: scratch of sx_stop_all(), under @lock (lifecycle.c)
 * @offline_mask: scratch of sx_check_coverage(), under @lock (lifecycle.c)
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
 * @ipi_step: generation of the last multi-CPU step sent (ipi.c; test build)
 * @ipi_asked: CPUs that step asked, -EINPROGRESS while it is asking them
 *	       (test build)
 * @ipi_sender: the CPU that sent that step (test build)
 * @bios_bounce: GET_BIOS_RESOURCES destination (below 4 GiB)
 * @probe: hardware facts found at load (probe.c)
 * @sim: the simulated STM core (backend_sim.c), or NULL
 * @image: the STM image of sim_image= or stm_image (sim_image.c), or NULL
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
	struct stmexec_range *bios;
	u32 nbios;
	struct stmexec_ranges *ranges;
	struct stmexec_log *log;
	struct stmexec_policy *pol;
	struct stmexec_report *report;
	struct stmexec_attest *attest;
	struct miscdevice misc;
	struct dentry *debugfs;

	spinlock_t err_lock;		/* last_errno, last_error, reqs */
	struct list_head reqs;		/* open ioctl error records (error.c) */
	struct cpumask reachable;
	struct stmexec_cpu __percpu *pcpu;
	struct stmexec_events *events;
	cpumask_var_t stop_mask;
	cpumask_var_t offline_mask;
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
#if IS_ENABLED(CONFIG_STMEXEC_SIM)
	/* Only the simulated STM asks (stmexec_step_asked()). */
	unsigned long ipi_step;
	int ipi_asked;
	unsigned int ipi_sender;
#endif
	void *bios_bounce;
	struct stmexec_probe *probe;
	struct stmexec_sim *sim;
	struct stmexec_image *image;
	struct stmexec_faults faults;
	const struct stmexec_hook *const *hooks;
	unsigned int nhooks;
	bool vmcs_db_added;
	struct raw_notifier_head changed;
};

extern struct stmexec stmexec_dev;

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

/*
 * Run @fn on every online CPU, on the CPU itself with interrupts off, with a
 * bounded wait (sx->timeout_ms); 0 or the first error, CPU in *@bad.
 * Caller holds sx->lock.
 */
typedef int (*stmexec_cpu_fn)(struct stmexec *sx, unsigned int cpu);
int stmexec_on_each_cpu(struct stmexec *sx, stmexec_cpu_fn fn,
			unsigned int *bad);
int stmexec_step_asked(struct stmexec *sx, unsigned int cpu);

#endif /* STMEXEC_H */
