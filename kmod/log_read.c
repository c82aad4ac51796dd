// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: the readers of the violation log: each open file's cursor,
 * read(2) and poll(2) of /dev/stmexec, and the counters. See log.c.
 */
#include "stmexec.h"
#include "features.h"
#include "log.h"

#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/list.h>
#include <linux/poll.h>
#include <linux/rwsem.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

/* ---- read / poll ------------------------------------------------------------- */

/* The slowest registered reader is the ring's tail. ring_lock held. */
static void ring_update_tail(struct stmexec_log *lg)
{
	struct stmexec_log_cursor *c;
	u64 min = lg->head;

	if (list_empty(&lg->readers))
		return;		/* keep the backlog for the next reader */
	list_for_each_entry(c, &lg->readers, node)
		min = min(min, c->pos);
	lg->tail = min;
}

/* Make @cur a reader, at the oldest record held. ring_lock held. */
static void cursor_register(struct stmexec_log *lg,
			    struct stmexec_log_cursor *cur)
{
	if (cur->registered)
		return;
	cur->pos = lg->tail;
	list_add_tail(&cur->node, &lg->readers);
	cur->registered = true;
}

void stmexec_log_cursor_init(struct stmexec_log_cursor *cur)
{
	INIT_LIST_HEAD(&cur->node);
	mutex_init(&cur->lock);
	cur->pos = 0;
	cur->registered = false;
}

void stmexec_log_cursor_release(struct stmexec *sx,
				struct stmexec_log_cursor *cur)
{
	struct stmexec_log *lg = sx->log;

	spin_lock(&lg->ring_lock);
	if (cur->registered) {
		list_del(&cur->node);
		cur->registered = false;
		/* the last reader leaves: what it read stays read */
		if (list_empty(&lg->readers))
			lg->tail = cur->pos;
		ring_update_tail(lg);
	}
	spin_unlock(&lg->ring_lock);
	mutex_destroy(&cur->lock);
}

/* Records queued for @cur (registering it). */
static bool cursor_avail(struct stmexec_log *lg, struct stmexec_log_cursor *cur)
{
	bool avail;

	spin_lock(&lg->ring_lock);
	sx_log_flush_gap(lg);
	cursor_register(lg, cur);
	avail = lg->head != cur->pos;
	spin_unlock(&lg->ring_lock);
	return avail;
}

/*
 * Copy up to @want records from @cur's position to @buf; cur->lock and
 * read_rwsem (read) held. Returns records.
 */
static ssize_t ring_copy_out(struct stmexec_log *lg,
			     struct stmexec_log_cursor *cur,
			     char __user *buf, u32 want)
{
	const size_t rsz = sizeof(struct stmexec_log_record);
	u32 done = 0, n, idx, left;
	u64 head, pos;

	while (done < want) {
		spin_lock(&lg->ring_lock);
		sx_log_flush_gap(lg);
		cursor_register(lg, cur);
		head = lg->head;
		pos = cur->pos;
		spin_unlock(&lg->ring_lock);
		if (head == pos)
			break;
		idx = pos % lg->cap;
		n = min3((u32)(head - pos), want - done, lg->cap - idx);
		/*
		 * Slots [tail, head) are not rewritten until tail moves, and
		 * tail never passes this cursor, which only this file moves.
		 */
		left = copy_to_user(buf + done * rsz, &lg->ring[idx], n * rsz);
		if (left) {
			n -= DIV_ROUND_UP(left, rsz);
			if (!n && !done)
				return -EFAULT;
		}
		spin_lock(&lg->ring_lock);
		cur->pos += n;
		lg->records += n;
		ring_update_tail(lg);
		spin_unlock(&lg->ring_lock);
		done += n;
		if (left)
			break;
	}
	return done;
}

/* The log is gone (monitor stopped, or never set up): nothing will come. */
static bool log_down(struct stmexec_log *lg)
{
	return !READ_ONCE(lg->draining);
}

ssize_t stmexec_log_read(struct stmexec *sx, struct stmexec_log_cursor *cur,
			 char __user *buf, size_t count, bool nonblock)
{
	const size_t rsz = sizeof(struct stmexec_log_record);
	struct stmexec_log *lg = sx->log;
	u32 want = min_t(size_t, count / rsz, U32_MAX);
	ssize_t n;
	int ret;

	if (count < rsz)
		return -EINVAL;
	for (;;) {
		if (nonblock) {
			if (!mutex_trylock(&cur->lock))
				return -EAGAIN;
			if (!down_read_trylock(&lg->read_rwsem)) {
				mutex_unlock(&cur->lock);
				return -EAGAIN;
			}
		} else {
			if (mutex_lock_interruptible(&cur->lock))
				return -ERESTARTSYS;
			if (down_read_interruptible(&lg->read_rwsem)) {
				mutex_unlock(&cur->lock);
				return -ERESTARTSYS;
			}
		}
		n = ring_copy_out(lg, cur, buf, want);
		up_read(&lg->read_rwsem);
		mutex_unlock(&cur->lock);
		if (n)
			return n < 0 ? n : n * rsz;

		/* Empty: collect what the STM may hold right now. */
		if (sx_log_drain(lg))
			continue;
		if (log_down(lg))
			return -ENXIO;
		if (nonblock)
			return -EAGAIN;
		ret = wait_event_interruptible(lg->wq, cursor_avail(lg, cur) ||
					       log_down(lg));
		if (ret)
			return ret;
	}
}

__poll_t stmexec_log_poll(struct stmexec *sx, struct stmexec_log_cursor *cur,
			  struct file *file, struct poll_table_struct *pt)
{
	struct stmexec_log *lg = sx->log;

	poll_wait(file, &lg->wq, pt);
	if (cursor_avail(lg, cur))
		return EPOLLIN | EPOLLRDNORM;
	if (log_down(lg))
		return EPOLLHUP;
	sx_log_kick(lg);
	return 0;
}

void stmexec_log_stats(struct stmexec *sx, struct stmexec_log_stats *st)
{
	struct stmexec_log *lg = sx->log;

	spin_lock(&lg->ring_lock);
	st->records = lg->records;
	st->dropped = lg->dropped;
	st->wrapped = lg->wrapped;
	spin_unlock(&lg->ring_lock);
}
