// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: the STM violation log.
 *
 * The module owns the STM's log pages (zeroed, page-aligned, below 4 GiB)
 * and drives MANAGE_EVENT_LOG. A poller (delayed work, every
 * poll_interval_ms; also run at once by read(2) and poll(2) when the ring
 * is empty) uses the core's drainer to copy the valid, unread STM entries
 * in serial order into a kernel ring of struct stmexec_log_record and to
 * mark them ReadByMle.
 *
 * Losses are never silent. Serials the STM overwrote before they were read
 * (the drainer's gaps) are counted in "wrapped"; records that did not fit
 * the kernel ring are counted in "dropped". Both become one
 * STMEXEC_REC_GAP record in the stream, where the loss happened: a gap of
 * STM serials is put before the record that follows it (flag
 * STMEXEC_LRF_WRAPPED); records refused by a full ring are summed into a
 * pending gap written as soon as the ring has room again.
 *
 * Each open file has its own cursor (struct stmexec_log_cursor, as for
 * /dev/kmsg): every reader gets every record, and a second reader (a cat,
 * a stray tool) takes nothing away from the logging daemon (kmod-review
 * F20). A file becomes a reader at its first read(2) or poll(2) and
 * starts at the oldest record the ring still holds. The ring keeps a
 * record until every reader has read it (lg->tail is the slowest
 * reader's cursor); when a slow reader lets it fill up, new records are
 * dropped for everyone and reported as a gap, as with one reader.
 * When the log is torn down (the monitor stops), a reader gets what is
 * left, then read(2) fails with -ENXIO and poll(2) reports EPOLLHUP.
 *
 * Locks: sx->lock (configuration, VMCALLs) > lg->drain_lock (pages, reader
 * state) > cursor->lock (one file's reads) > lg->read_rwsem (held for read
 * while copying records out, for write to move every cursor: clear,
 * resize) > lg->ring_lock (ring indices, cursors, counters). No lock is
 * held while waiting.
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

/* ---- ring ------------------------------------------------------------------ */

static u32 ring_free(const struct stmexec_log *lg)
{
	return lg->cap - (u32)(lg->head - lg->tail);
}

static void ring_write(struct stmexec_log *lg,
		       const struct stmexec_log_record *rec)
{
	lg->ring[lg->head % lg->cap] = *rec;
	lg->head++;
}

/* Queue the pending gap record if there is room. ring_lock held. */
void sx_log_flush_gap(struct stmexec_log *lg)
{
	if (lg->gap_pending && ring_free(lg)) {
		ring_write(lg, &lg->gap);
		lg->gap_pending = false;
	}
}

static void gap_add(struct stmexec_log *lg, u64 first, u64 lost, u32 flags,
		    u64 ts)
{
	if (!lg->gap_pending) {
		memset(&lg->gap, 0, sizeof(lg->gap));
		lg->gap.type = STMEXEC_REC_GAP;
		lg->gap.cpu = U32_MAX;
		lg->gap.serial = first;
		lg->gap_pending = true;
	}
	lg->gap.lost += lost;
	lg->gap.flags |= flags;
	lg->gap.timestamp_ns = ts;
}

/*
 * Queue one record; a full ring turns it into (part of) a gap. A gap
 * record passed in is merged into the pending one. ring_lock held.
 */
static void ring_put(struct stmexec_log *lg,
		     const struct stmexec_log_record *rec)
{
	sx_log_flush_gap(lg);
	if (!lg->gap_pending && ring_free(lg)) {
		ring_write(lg, rec);
		return;
	}
	if (rec->type == STMEXEC_REC_GAP) {
		gap_add(lg, rec->serial, rec->lost, rec->flags,
			rec->timestamp_ns);
	} else {
		lg->dropped++;
		gap_add(lg, rec->serial, 1, 0, rec->timestamp_ns);
	}
}

/* ---- drain ------------------------------------------------------------------ */

/* Payload bytes that carry data for the STM event @type. */
static u32 payload_len(u32 type, const u8 *data, u32 *flags)
{
	const struct stm_rsc_desc_header *h = (const void *)data;

	switch (type) {
	case STM_EVT_LOG_STARTED:
	case STM_EVT_LOG_STOPPED:
	case STM_EVT_LOG_INVALID_PARAMETER_DETECTED:
		return 4;
	case STM_EVT_MLE_DOMAIN_TYPE_DEGRADED:
		return sizeof(struct stm_log_data_domain_degraded);
	case STM_EVT_HANDLED_PROTECTION_EXCEPTION:
	case STM_EVT_BIOS_ACCESS_TO_UNCLAIMED_RESOURCE:
	case STM_EVT_MLE_RESOURCE_PROTECTION_GRANTED:
	case STM_EVT_MLE_RESOURCE_PROTECTION_DENIED:
	case STM_EVT_MLE_RESOURCE_UNPROTECT:
	case STM_EVT_MLE_RESOURCE_UNPROTECT_ERROR:
		if (h->length > STM_LOG_PAYLOAD_MAX) {
			*flags |= STMEXEC_LRF_TRUNCATED;
			return STM_LOG_PAYLOAD_MAX;
		}
		return h->length ?: STM_LOG_PAYLOAD_MAX;
	default:
		return STM_LOG_PAYLOAD_MAX;
	}
}

/* Fill the decoded summary of @rec from its payload. */
static void decode_payload(struct stmexec_log_record *rec)
{
	const struct stm_log_data_domain_degraded *dd;
	const struct stm_log_data_invalid_param *ip;
	struct stmexec_range r;

	switch (rec->type) {
	case STM_EVT_LOG_INVALID_PARAMETER_DETECTED:
		ip = (const void *)rec->payload;
		rec->addr = ip->vmcall_api_number;
		return;
	case STM_EVT_MLE_DOMAIN_TYPE_DEGRADED:
		dd = (const void *)rec->payload;
		rec->addr = dd->vmcs_phys_pointer;
		return;
	case STM_EVT_HANDLED_PROTECTION_EXCEPTION:
	case STM_EVT_BIOS_ACCESS_TO_UNCLAIMED_RESOURCE:
	case STM_EVT_MLE_RESOURCE_PROTECTION_GRANTED:
	case STM_EVT_MLE_RESOURCE_PROTECTION_DENIED:
	case STM_EVT_MLE_RESOURCE_UNPROTECT:
	case STM_EVT_MLE_RESOURCE_UNPROTECT_ERROR:
		break;
	default:
		return;
	}
	if (stmexec_rsc_decode(rec->payload, STMEXEC_LOG_PAYLOAD, &r) <= 0)
		return;
	rec->rsc_type = r.type;
	rec->access = r.access;
	switch (r.type) {
	case STMEXEC_RANGE_PCI:
		/* ECAM-style offset: bus << 20 | dev << 15 | fn << 12 | reg */
		rec->addr = ((u64)r.pci_bus << 20) | ((u64)r.pci_dev << 15) |
			    ((u64)r.pci_fn << 12) | r.base;
		rec->len = r.length;
		break;
	case STMEXEC_RANGE_ALL:
		break;
	default:
		rec->addr = r.base;
		rec->len = r.length;
		break;
	}
}

/* Extend a 32-bit STM serial around the one expected next. */
static u64 serial_ext(struct stmexec_log *lg, u32 s)
{
	u32 expect = (u32)(lg->next_ext - lg->epoch);

	return lg->next_ext + (s64)(s32)(s - expect);
}

static void entry_to_record(struct stmexec_log *lg,
			    const struct stm_log_entry *e, u64 ts,
			    struct stmexec_log_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->serial = serial_ext(lg, e->hdr.event_serial_number);
	rec->timestamp_ns = ts;
	rec->type = e->hdr.type;
	rec->cpu = U32_MAX;
	if (e->hdr.flags & STM_LOG_WRAPPED)
		rec->flags |= STMEXEC_LRF_WRAPPED;
	memcpy(rec->payload, e->data, STMEXEC_LOG_PAYLOAD);
	rec->payload_len = payload_len(rec->type, e->data, &rec->flags);
	decode_payload(rec);
}

/*
 * Move what the STM logged into the ring. Returns true if records were
 * queued. drain_lock must not be held.
 */
bool sx_log_drain(struct stmexec_log *lg)
{
	struct stmexec_log_record rec;
	struct stm_log_drain_result res;
	bool queued = false;
	u32 i, st;
	u64 ts;

	mutex_lock(&lg->drain_lock);
	if (!lg->draining)
		goto out;
	do {
		memset(&res, 0, sizeof(res));
		st = stm_log_drain(&lg->rd, lg->va, lg->npages, lg->batch,
				   LOG_BATCH, lg->scratch, &res);
		if (st != STM_SUCCESS) {
			pr_warn_once("log drain failed: %s\n",
				     stm_status_name(st));
			break;
		}
		ts = ktime_get_ns();
		spin_lock(&lg->ring_lock);
		for (i = 0; i < res.count; i++) {
			entry_to_record(lg, &lg->batch[i], ts, &rec);
			if (rec.serial > lg->next_ext) {
				struct stmexec_log_record gap = {
					.type = STMEXEC_REC_GAP,
					.serial = lg->next_ext,
					.lost = rec.serial - lg->next_ext,
					.cpu = U32_MAX,
					.flags = STMEXEC_LRF_WRAPPED,
					.timestamp_ns = ts,
				};

				lg->wrapped += gap.lost;
				ring_put(lg, &gap);
			}
			if (rec.serial >= lg->next_ext) {
				lg->next_ext = rec.serial + 1;
			} else {
				/*
				 * A writer held this slot locked longer than
				 * the reader would wait, so a gap record
				 * already counted it: it was not overwritten.
				 */
				rec.flags |= STMEXEC_LRF_LATE;
				if (lg->wrapped)
					lg->wrapped--;
			}
			ring_put(lg, &rec);
		}
		spin_unlock(&lg->ring_lock);
		queued |= res.count > 0;
	} while (res.count == LOG_BATCH && res.pending);
out:
	mutex_unlock(&lg->drain_lock);
	if (queued)
		wake_up_interruptible(&lg->wq);
	return queued;
}

static void log_work(struct work_struct *work)
{
	struct stmexec_log *lg = container_of(to_delayed_work(work),
					      struct stmexec_log, work);

	sx_log_drain(lg);
	if (READ_ONCE(lg->polling))
		schedule_delayed_work(&lg->work,
				      msecs_to_jiffies(READ_ONCE(lg->interval_ms)));
}

void sx_log_kick(struct stmexec_log *lg)
{
	if (READ_ONCE(lg->polling))
		mod_delayed_work(system_wq, &lg->work, 0);
}

/* Start/stop the poller; sx->lock held. */
static void poll_on(struct stmexec_log *lg)
{
	WRITE_ONCE(lg->polling, true);
	mod_delayed_work(system_wq, &lg->work, 0);
}

static void poll_off(struct stmexec_log *lg)
{
	WRITE_ONCE(lg->polling, false);
	cancel_delayed_work_sync(&lg->work);
}

/* ---- STM side --------------------------------------------------------------- */

static const char *const subfn_name[] = {
	[STM_NEW_LOG] = "NEW_LOG", [STM_CONFIGURE_LOG] = "CONFIGURE_LOG",
	[STM_START_LOG] = "START_LOG", [STM_STOP_LOG] = "STOP_LOG",
	[STM_CLEAR_LOG] = "CLEAR_LOG", [STM_DELETE_LOG] = "DELETE_LOG",
};

/* One MANAGE_EVENT_LOG sub-function; sets last_error on failure. */
static int log_call(struct stmexec *sx, u32 subfn, u32 arg)
{
	struct stmexec_log *lg = sx->log;
	struct stm_event_log_management_request *rq = lg->req;
	struct stm_regs r;
	u32 i;
	int ret;

	memset(rq, 0, PAGE_SIZE);
	rq->sub_function_index = subfn;
	if (subfn == STM_NEW_LOG) {
		rq->page_count = lg->npages;
		for (i = 0; i < lg->npages; i++)
			rq->pages[i] = virt_to_phys(lg->va[i]);
	} else if (subfn == STM_CONFIGURE_LOG) {
		rq->event_enable_bitmap = arg;
	}
	memset(&r, 0, sizeof(r));
	ret = stmexec_call(sx, STM_API_MANAGE_EVENT_LOG, virt_to_phys(rq), 0,
			   &r);
	if (!ret)
		return 0;
	ret = -(int)stm_status_errno_refined(r.eax, STM_CALL_LOG) ?: ret;
	return stmexec_fail(sx, ret, "STM %s failed: %s (0x%08x)%s",
			    subfn_name[subfn], stm_status_name(r.eax), r.eax,
			    ret == -ENOENT ? "; set the log up first (LOG_SETUP)" :
			    ret == -EBUSY ? "; stop the log first (LOG_STOP)" :
			    ret == -EALREADY ? "; the log is not started" : "");
}

u64 stmexec_log_req_pa(struct stmexec *sx)
{
	return sx->log && sx->log->req ? virt_to_phys(sx->log->req) : 0;
}

static void pages_free(struct stmexec_log *lg)
{
	u32 i;

	for (i = 0; i < lg->npages; i++)
		free_page((unsigned long)lg->va[i]);
	kfree(lg->va);
	lg->va = NULL;
	lg->npages = 0;
}

/* The STM no longer writes the pages: final drain, then stop draining. */
static void drain_final(struct stmexec_log *lg)
{
	sx_log_drain(lg);
	mutex_lock(&lg->drain_lock);
	lg->draining = false;
	mutex_unlock(&lg->drain_lock);
}

/*
 * Give the (zeroed) pages to the STM: NEW_LOG + CONFIGURE_LOG. The reader
 * restarts at STM serial 0, mapped to the next extended serial.
 */
static int log_create(struct stmexec *sx)
{
	struct stmexec_log *lg = sx->log;
	int ret;

	mutex_lock(&lg->drain_lock);
	stm_log_reader_init(&lg->rd, 0);
	lg->epoch = lg->next_ext;
	mutex_unlock(&lg->drain_lock);

	ret = log_call(sx, STM_NEW_LOG, 0);
	if (ret)
		return ret;
	ret = log_call(sx, STM_CONFIGURE_LOG, lg->event_mask);
	if (ret) {
		/* If the STM keeps the pages, the module must too (F8). */
		if (log_call(sx, STM_DELETE_LOG, 0))
			lg->stm_state = STM_EVT_LOG_STOPPED;
		return ret;
	}
	lg->stm_state = STM_EVT_LOG_STOPPED;
	mutex_lock(&lg->drain_lock);
	lg->draining = true;
	mutex_unlock(&lg->drain_lock);
	poll_on(lg);
	return 0;
}

/* Move the unread records into a ring of @cap records (read_rwsem held). */
static int ring_resize(struct stmexec_log *lg, u32 cap)
{
	struct stmexec_log_record *nr, *old;
	struct stmexec_log_cursor *c;
	u64 i, n;

	nr = vzalloc(array_size(cap, sizeof(*nr)));
	if (!nr)
		return -ENOMEM;
	spin_lock(&lg->ring_lock);
	n = lg->head - lg->tail;
	for (i = 0; i < n && i < cap; i++)
		nr[i] = lg->ring[(lg->tail + i) % lg->cap];
	for (; i < n; i++) {
		const struct stmexec_log_record *r =
			&lg->ring[(lg->tail + i) % lg->cap];

		if (r->type == STMEXEC_REC_GAP) {
			gap_add(lg, r->serial, r->lost, r->flags,
				r->timestamp_ns);
		} else {
			lg->dropped++;
			gap_add(lg, r->serial, 1, 0, r->timestamp_ns);
		}
	}
	old = lg->ring;
	lg->ring = nr;
	lg->cap = cap;
	list_for_each_entry(c, &lg->readers, node)
		c->pos = min_t(u64, c->pos - lg->tail, min_t(u64, n, cap));
	lg->tail = 0;
	lg->head = min_t(u64, n, cap);
	spin_unlock(&lg->ring_lock);
	vfree(old);
	return 0;
}

/* LOG_SETUP's arguments and state: 0 or the errno with last_error set. */
static int log_setup_check(struct stmexec *sx,
			   const struct stmexec_log_setup *ls, u32 cap)
{
	struct stmexec_log *lg = sx->log;

	if (ls->pages < 1 || ls->pages > STM_LOG_MAX_PAGES)
		return stmexec_fail(sx, -EINVAL,
				    "LOG_SETUP: pages %u out of range 1..%u",
				    ls->pages, STM_LOG_MAX_PAGES);
	if (!ls->event_mask || ls->event_mask & ~STM_EVT_ENABLE_ALL)
		return stmexec_fail(sx, -EINVAL,
				    "LOG_SETUP: event_mask 0x%x must be within 0x1..0x%x",
				    ls->event_mask, STM_EVT_ENABLE_ALL);
	if (cap < LOG_RING_MIN || cap > LOG_RING_MAX)
		return stmexec_fail(sx, -EINVAL,
				    "LOG_SETUP: ring_records %u out of range %u..%u (0 = %u)",
				    ls->ring_records, LOG_RING_MIN, LOG_RING_MAX,
				    LOG_RING_DEFAULT);
	if (sx->state != STMEXEC_STATE_ON)
		return stmexec_fail(sx, -ENXIO,
				    "LOG_SETUP needs the monitor on: enable it first");
	if (lg->stm_state == STM_EVT_LOG_STARTED)
		return stmexec_fail(sx, -EBUSY,
				    "LOG_SETUP: the log is running; stop it first (LOG_STOP)");
	return 0;
}

static void log_pages_put(void **va, u32 n)
{
	while (n--)
		free_page((unsigned long)va[n]);
	kfree(va);
}

/* @n zeroed log pages below 4 GiB (the STM takes 32-bit addresses). */
static int log_pages_get(struct stmexec *sx, u32 n, void ***out)
{
	void **va;
	u32 i;

	va = kcalloc(n, sizeof(*va), GFP_KERNEL);
	if (!va)
		return stmexec_fail(sx, -ENOMEM, "LOG_SETUP: out of memory");
	for (i = 0; i < n; i++) {
		va[i] = (void *)get_zeroed_page(GFP_KERNEL | __GFP_DMA32);
		if (!va[i])
			goto err_pages;
	}
	*out = va;
	return 0;

err_pages:
	log_pages_put(va, i);
	return stmexec_fail(sx, -ENOMEM,
			    "LOG_SETUP: no memory below 4 GiB for %u log pages",
			    n);
}

/*
 * Hand the STM's current log (if any) back: keep what it held, then
 * DELETE_LOG. If the STM refuses, it may still write the old pages: they
 * are never freed (kmod-review F8) but leaked, and the STM state stays
 * "has a log" so that the next LOG_SETUP tries DELETE_LOG again.
 */
static int log_delete_old(struct stmexec *sx)
{
	struct stmexec_log *lg = sx->log;
	int ret;

	if (lg->stm_state == STM_EVT_INVALID)
		return 0;
	poll_off(lg);
	drain_final(lg);
	ret = log_call(sx, STM_DELETE_LOG, 0);
	if (ret) {
		pr_warn("LOG_SETUP: DELETE_LOG failed; leaking the %u old log pages the STM may still write\n",
			lg->npages);
		kfree(lg->va);
		lg->va = NULL;
		lg->npages = 0;
		lg->configured = false;
		return ret;
	}
	lg->stm_state = STM_EVT_INVALID;
	return 0;
}

int stmexec_log_setup(struct stmexec *sx, const struct stmexec_log_setup *ls)
{
	struct stmexec_log *lg = sx->log;
	u32 cap = ls->ring_records ?: LOG_RING_DEFAULT;
	void **va;
	int ret;

	lockdep_assert_held(&sx->lock);
	ret = log_setup_check(sx, ls, cap);
	if (ret)
		return ret;
	ret = log_pages_get(sx, ls->pages, &va);
	if (ret)
		return ret;
	if (cap != lg->cap) {
		down_write(&lg->read_rwsem);
		ret = ring_resize(lg, cap);
		up_write(&lg->read_rwsem);
		if (ret) {
			stmexec_fail(sx, ret,
				     "LOG_SETUP: no memory for a ring of %u records",
				     cap);
			goto err_pages;
		}
	}
	ret = log_delete_old(sx);
	if (ret)
		goto err_pages;

	pages_free(lg);
	lg->va = va;
	lg->npages = ls->pages;
	lg->event_mask = ls->event_mask;
	lg->configured = false;
	lg->want_started = false;
	ret = log_create(sx);
	if (ret)
		return ret;
	lg->configured = true;
	return 0;

err_pages:
	log_pages_put(va, ls->pages);
	return ret;
}

static int log_check_on(struct stmexec *sx, const char *what)
{
	if (sx->state != STMEXEC_STATE_ON)
		return stmexec_fail(sx, -ENXIO,
				    "%s needs the monitor on: enable it first",
				    what);
	if (!sx->log->configured)
		return stmexec_fail(sx, -ENOENT,
				    "%s: no log; set it up first (LOG_SETUP)",
				    what);
	return 0;
}

int stmexec_log_start(struct stmexec *sx)
{
	struct stmexec_log *lg = sx->log;
	int ret;

	lockdep_assert_held(&sx->lock);
	ret = log_check_on(sx, "LOG_START");
	if (ret)
		return ret;
	if (lg->stm_state == STM_EVT_LOG_STARTED)
		return stmexec_fail(sx, -EALREADY,
				    "LOG_START: the log is already running");
	ret = log_call(sx, STM_START_LOG, 0);
	if (ret)
		return ret;
	lg->stm_state = STM_EVT_LOG_STARTED;
	lg->want_started = true;
	sx_log_kick(lg);
	return 0;
}

int stmexec_log_stop(struct stmexec *sx)
{
	struct stmexec_log *lg = sx->log;
	int ret;

	lockdep_assert_held(&sx->lock);
	ret = log_check_on(sx, "LOG_STOP");
	if (ret)
		return ret;
	if (lg->stm_state != STM_EVT_LOG_STARTED)
		return stmexec_fail(sx, -EALREADY,
				    "LOG_STOP: the log is not running");
	ret = log_call(sx, STM_STOP_LOG, 0);
	if (ret)
		return ret;
	lg->stm_state = STM_EVT_LOG_STOPPED;
	lg->want_started = false;
	sx_log_kick(lg);
	return 0;
}

/*
 * Discard everything unread - in the STM pages and in the ring - and say
 * so with one gap record: a reader never misses a loss, even a wanted one.
 */
int stmexec_log_clear(struct stmexec *sx)
{
	struct stmexec_log *lg = sx->log;
	struct stmexec_log_cursor *c;
	u64 lost, first, ts;
	int ret;

	lockdep_assert_held(&sx->lock);
	ret = log_check_on(sx, "LOG_CLEAR");
	if (ret)
		return ret;
	if (lg->stm_state == STM_EVT_LOG_STARTED)
		return stmexec_fail(sx, -EBUSY,
				    "LOG_CLEAR: the log is running; stop it first (LOG_STOP)");

	sx_log_drain(lg);		/* serials stay consistent after the clear */
	ret = log_call(sx, STM_CLEAR_LOG, 0);
	if (ret)
		return ret;

	ts = ktime_get_ns();
	down_write(&lg->read_rwsem);
	spin_lock(&lg->ring_lock);
	lost = lg->head - lg->tail;
	first = lost ? lg->ring[lg->tail % lg->cap].serial : lg->next_ext;
	if (lg->gap_pending) {
		lost += lg->gap.lost;
		if (lg->head == lg->tail)
			first = lg->gap.serial;
		lg->gap_pending = false;
	}
	lg->tail = lg->head;
	list_for_each_entry(c, &lg->readers, node)
		c->pos = lg->head;
	if (lost) {
		gap_add(lg, first, lost, 0, ts);
		sx_log_flush_gap(lg);
	}
	spin_unlock(&lg->ring_lock);
	up_write(&lg->read_rwsem);
	if (lost)
		wake_up_interruptible(&lg->wq);
	return 0;
}

static int stmexec_log_on_start(struct stmexec *sx)
{
	struct stmexec_log *lg = sx->log;
	u32 i;
	int ret;

	lockdep_assert_held(&sx->lock);
	lg->stm_state = STM_EVT_INVALID;
	if (!lg->configured)
		return 0;
	/* The STM trusts the Valid bits it finds: hand it clean pages. */
	for (i = 0; i < lg->npages; i++)
		clear_page(lg->va[i]);
	ret = log_create(sx);
	if (ret)
		return ret;
	if (lg->want_started) {
		ret = log_call(sx, STM_START_LOG, 0);
		if (ret)
			return ret;
		lg->stm_state = STM_EVT_LOG_STARTED;
	}
	return 0;
}

static void stmexec_log_on_stop(struct stmexec *sx)
{
	struct stmexec_log *lg = sx->log;

	lockdep_assert_held(&sx->lock);
	poll_off(lg);
	drain_final(lg);
	/* The STM forgets the log with its last CPU; configured stays. */
	lg->stm_state = STM_EVT_INVALID;
	/* Readers: what is left, then -ENXIO / EPOLLHUP. */
	wake_up_interruptible_all(&lg->wq);
}

const struct stmexec_hook stmexec_log_hook = {
	.name = "log",
	.on_start = stmexec_log_on_start,
	.on_stop = stmexec_log_on_stop,
};

/* ---- init / fini ------------------------------------------------------------------ */

int stmexec_log_init(struct stmexec *sx)
{
	struct stmexec_log *lg;

	lg = kzalloc(sizeof(*lg), GFP_KERNEL);
	if (!lg)
		return -ENOMEM;
	mutex_init(&lg->drain_lock);
	init_rwsem(&lg->read_rwsem);
	INIT_LIST_HEAD(&lg->readers);
	spin_lock_init(&lg->ring_lock);
	init_waitqueue_head(&lg->wq);
	INIT_DELAYED_WORK(&lg->work, log_work);
	lg->interval_ms = LOG_POLL_DEFAULT_MS;
	lg->stm_state = STM_EVT_INVALID;
	lg->cap = LOG_RING_DEFAULT;
	lg->ring = vzalloc(array_size(lg->cap, sizeof(*lg->ring)));
	lg->scratch = vzalloc(sizeof(*lg->scratch));
	lg->batch = kvcalloc(LOG_BATCH, sizeof(*lg->batch), GFP_KERNEL);
	lg->req = (void *)get_zeroed_page(GFP_KERNEL | __GFP_DMA32);
	sx->log = lg;
	if (!lg->ring || !lg->scratch || !lg->batch || !lg->req) {
		stmexec_log_fini(sx);
		return -ENOMEM;
	}
	return 0;
}

void stmexec_log_fini(struct stmexec *sx)
{
	struct stmexec_log *lg = sx->log;

	if (!lg)
		return;
	poll_off(lg);
	pages_free(lg);
	free_page((unsigned long)lg->req);
	kvfree(lg->batch);
	vfree(lg->scratch);
	vfree(lg->ring);
	kfree(lg);
	sx->log = NULL;
}
