/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stmexec: the features' header: protected ranges, STM descriptors, the
 * violation log, the VMCS database (features.h), and the default policy,
 * its module watch, the isolation report and the attestation (policy.h).
 * For the features and the user-facing files above them.
 */
#ifndef STMEXEC_FEATURES_H
#define STMEXEC_FEATURES_H

#include "stmexec.h"
#include "lifecycle_api.h"

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
int stmexec_rsc_init(struct stm_list_page *pg);
void stmexec_rsc_fini(struct stm_list_page *pg);
u64 stmexec_rsc_page_pa(struct stmexec *sx);
/* The log's MANAGE_EVENT_LOG request page (log.c), 0 if none. */
u64 stmexec_log_req_pa(struct stmexec *sx);
/* STM descriptors segment @s is sent as, and the bytes of one of them. */
u32 stmexec_seg_descs(const struct stmexec_seg *s);
u32 stmexec_seg_desc_size(const struct stmexec_seg *s);

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

#include "policy.h"

#endif /* STMEXEC_FEATURES_H */
