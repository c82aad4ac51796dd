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
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/stmexec.h>
#include <stm/wire.h>
#include <stm/core.h>

#include "compat.h"

struct stmexec;
struct dentry;

/* ---- backends ---------------------------------------------------------- */

/**
 * struct stmexec_backend_ops - what differs between real VMX and the sim
 * @name: "vmx" or "sim"
 * @id: STMEXEC_BACKEND_*
 * @probe: global checks before anything is touched; 0 or -errno with
 *	   stmexec_fail() called to explain
 * @init: allocate global backend state (process context)
 * @cpu_enter: on @cpu itself: make the CPU ready for VMCALLs (VMXON +
 *	       activation VMCS for vmx)
 * @cpu_leave: on @cpu itself: undo @cpu_enter (VMXOFF); only after STOP
 * @vmcall: on @cpu itself: one VMCALL with the STM register convention
 * @fini: free global backend state
 */
struct stmexec_backend_ops {
	const char *name;
	u32 id;
	int (*probe)(struct stmexec *sx);
	int (*init)(struct stmexec *sx);
	int (*cpu_enter)(struct stmexec *sx, unsigned int cpu);
	void (*cpu_leave)(struct stmexec *sx, unsigned int cpu);
	int (*vmcall)(struct stmexec *sx, unsigned int cpu, struct stm_regs *r);
	void (*fini)(struct stmexec *sx);
};

extern const struct stmexec_backend_ops stmexec_backend_vmx;
extern const struct stmexec_backend_ops stmexec_backend_sim;

/* ---- the single device instance ---------------------------------------- */

struct stmexec_ranges;
struct stmexec_log;

/**
 * struct stmexec - state of the executive monitor
 * @lock: serialises state transitions and every configuration change
 * @state: STMEXEC_STATE_*
 * @ops: the backend
 * @backend_priv: backend state
 * @active: CPUs on which the STM is started
 * @cpuhp_state: dynamic cpuhp state while enabled, else 0
 * @stm_caps: EBX of the activating INITIALIZE_PROTECTION
 * @launch_mode: STMEXEC_LAUNCH_*
 * @last_errno: positive errno of the last failure
 * @last_error: human-readable reason of the last failure
 * @bios_list: flattened BIOS resource list (GET_BIOS_RESOURCES), or NULL
 * @bios_list_len: bytes in @bios_list
 * @ranges: protected ranges (ranges.c)
 * @log: violation log (log.c)
 * @misc: /dev/stmexec
 * @debugfs: debugfs directory
 */
struct stmexec {
	struct mutex lock;
	u32 state;
	const struct stmexec_backend_ops *ops;
	void *backend_priv;
	struct cpumask active;
	int cpuhp_state;
	u32 stm_caps;
	u32 launch_mode;
	int last_errno;
	char last_error[160];
	void *bios_list;
	size_t bios_list_len;
	struct stmexec_ranges *ranges;
	struct stmexec_log *log;
	struct miscdevice misc;
	struct dentry *debugfs;
};

extern struct stmexec stmexec_dev;

/* Record a failure: sets last_errno/last_error, logs it once; returns err. */
__printf(3, 4)
int stmexec_fail(struct stmexec *sx, int err, const char *fmt, ...);
void stmexec_clear_error(struct stmexec *sx);

/* ---- lifecycle (lifecycle.c) ------------------------------------------- */

int stmexec_enable(struct stmexec *sx);	/* caller holds sx->lock */
int stmexec_disable(struct stmexec *sx);	/* caller holds sx->lock */
const char *stmexec_state_name(u32 state);

/*
 * One VMCALL on the current CPU (which must be active), for calls with a
 * global effect. Returns 0 on STM_SUCCESS, else -errno (status in @r->eax).
 */
int stmexec_call(struct stmexec *sx, u32 func, u64 pa, u32 edx,
		 struct stm_regs *r);
int stmexec_status_to_errno(u32 status);

/* ---- device, ranges, log, policy (chardev.c, ranges.c, log.c) ---------- */

int stmexec_chardev_register(struct stmexec *sx);
void stmexec_chardev_unregister(struct stmexec *sx);

/* sysfs: misc device groups (sysfs.c); each part contributes a group. */
extern const struct attribute_group *stmexec_groups[];
extern const struct attribute_group stmexec_core_group;	/* sysfs.c */
extern const struct attribute_group stmexec_ranges_group;	/* ranges.c */
extern const struct attribute_group stmexec_log_group;	/* log.c, "log/" */

int stmexec_ranges_init(struct stmexec *sx);
void stmexec_ranges_fini(struct stmexec *sx);
/* After INITIALIZE_PROTECTION + GET_BIOS_RESOURCES, before START. */
int stmexec_ranges_on_start(struct stmexec *sx);
/* Before STOP; the STM forgets its database when the last CPU stops. */
void stmexec_ranges_on_stop(struct stmexec *sx);

int stmexec_log_init(struct stmexec *sx);
void stmexec_log_fini(struct stmexec *sx);
int stmexec_log_on_start(struct stmexec *sx);
void stmexec_log_on_stop(struct stmexec *sx);

/* Features reported by GET_VERSION (policy.c adds STMEXEC_FEAT_POLICY). */
#define STMEXEC_FEATURES_BASE	(STMEXEC_FEAT_SIM_BACKEND | \
				 STMEXEC_FEAT_VMX_BACKEND | \
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
/* Copy up to @cap held ranges to @out; returns the number held. */
u32 stmexec_ranges_list(struct stmexec *sx, struct stmexec_range *out,
			u32 cap);
/*
 * Decode sx->bios_list into up to @cap entries (index = descriptor
 * position); returns the number of descriptors or -errno if malformed.
 */
int stmexec_bios_decode(struct stmexec *sx, struct stmexec_range *out,
			u32 cap);

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
ssize_t stmexec_log_read(struct stmexec *sx, char __user *buf, size_t count,
			 bool nonblock);
__poll_t stmexec_log_poll(struct stmexec *sx, struct file *file,
			  struct poll_table_struct *pt);

/* VMCS database for the per-CPU VMXON regions (chardev.c); sx->lock held. */
int stmexec_vmcs_db(struct stmexec *sx, const struct stmexec_vmcs_db *req);

#endif /* STMEXEC_H */
