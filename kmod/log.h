/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stmexec: private header of the violation log (log.c: the STM side, the
 * drain and the ring; log_read.c: the readers; log_sysfs.c). The lock
 * order is in log.c's head comment.
 */
#ifndef STMEXEC_LOG_H
#define STMEXEC_LOG_H

#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "stmexec.h"
#include "features.h"

#define LOG_RING_DEFAULT	4096u	/* records, 1.25 MiB */
#define LOG_RING_MIN		16u
#define LOG_RING_MAX		65536u	/* 20 MiB */
#define LOG_POLL_DEFAULT_MS	100u
#define LOG_POLL_MIN_MS		1u
#define LOG_POLL_MAX_MS		10000u
#define LOG_BATCH		256u	/* entries per drain call */

struct stmexec_log {
	/* STM side, under sx->lock */
	void **va;			/* npages log pages */
	u32 npages;
	u32 event_mask;
	u32 stm_state;			/* STM_EVT_INVALID/LOG_STOPPED/STARTED */
	bool configured;		/* LOG_SETUP done: re-created on start */
	bool want_started;		/* LOG_START done: re-started on start */
	void *req;			/* request page below 4 GiB */

	/* drainer, under drain_lock */
	struct mutex drain_lock;	/* pages, reader state */
	bool draining;			/* pages valid and owned by the STM */
	struct stm_log_reader rd;
	struct stm_log_scratch *scratch;
	struct stm_log_entry *batch;
	u64 epoch;			/* extended serial of STM serial 0 */
	u64 next_ext;			/* extended serial expected next */

	/* ring, under ring_lock */
	spinlock_t ring_lock;
	struct stmexec_log_record *ring;
	u32 cap;
	u64 head, tail;			/* free-running; tail: slowest reader */
	struct list_head readers;	/* stmexec_log_cursor.node */
	bool gap_pending;
	struct stmexec_log_record gap;	/* accumulated loss not yet queued */
	u64 records, dropped, wrapped;

	struct rw_semaphore read_rwsem;	/* copy-out vs clear/resize */
	wait_queue_head_t wq;

	struct delayed_work work;
	unsigned int interval_ms;
	bool polling;			/* written under sx->lock */
};

/* log.c */
void sx_log_kick(struct stmexec_log *lg);
bool sx_log_drain(struct stmexec_log *lg);
void sx_log_flush_gap(struct stmexec_log *lg);

#endif /* STMEXEC_LOG_H */
