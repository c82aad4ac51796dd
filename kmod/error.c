// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: the bottom of the module, used by every other file: failure
 * reporting (last_errno/last_error, one dmesg line, and the caller's own
 * error record) and the refusal of malformed sysfs input. It calls
 * nothing of the module (see HACKING.md, "Layers").
 *
 * Errors travel with the request: an ioctl puts a struct stmexec_req on
 * sx->reqs for its duration (stmexec_req_begin/_end, chardev.c), and
 * every stmexec_fail() made by that task in task context also formats
 * into it, so chardev.c can copy the reason back to the caller's struct
 * stmexec_error. Matching on the task rather than on sx->lock: the
 * checks that run before the lock (chardev.c) report too, and a failure
 * formatted elsewhere at the same time (a sysfs writer, the log poller, a
 * hotplug callback of another ioctl's enable) never lands in this
 * caller's record. The reason a multi-step failure ends with is the one
 * the caller's task formats last, the same text last_error ends with.
 * sx->last_error stays: the last failure of any caller, for sysfs.
 *
 * A step that wraps an inner reason ("enable: <why>; every CPU rolled
 * back") takes it from a record of its own, nested in the ioctl's
 * (stmexec_req_begin_cause()), never from last_error, which a concurrent
 * caller may have overwritten in between: stmexec_fail() formats into
 * every record of the calling task, and a CPU-hotplug callback that runs
 * in its CPU's hotplug thread for the enable relays its reason into the
 * enable's cause record (stmexec_req_relay()).
 */
#include "stmexec.h"
#include "error.h"

#include <linux/kernel.h>
#include <linux/panic.h>
#include <linux/preempt.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/string.h>

/* Format @msg (@len: its untruncated length) into @req; under err_lock. */
static void req_set(struct stmexec_req *req, int err, const char *msg,
		    int len)
{
	req->code = err < 0 ? -err : err;
	req->truncated = strscpy(req->msg, msg, sizeof(req->msg)) < 0;
	req->truncated |= len >= STMEXEC_ERR_MSG_LEN;
}

int stmexec_fail(struct stmexec *sx, int err, const char *fmt, ...)
{
	char msg[sizeof(sx->last_error)];
	struct stmexec_req *req;
	unsigned long flags;
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	/* panic/shutdown paths: print only, the lock may be held below us */
	if (unlikely(oops_in_progress)) {
		pr_emerg("%s\n", msg);
		return err;
	}
	spin_lock_irqsave(&sx->err_lock, flags);
	sx->last_errno = err < 0 ? -err : err;
	strscpy(sx->last_error, msg, sizeof(sx->last_error));
	/* current's records: its ioctl's and the causes nested in it */
	if (in_task())
		list_for_each_entry(req, &sx->reqs, node)
			if (req->task == current)
				req_set(req, err, msg, len);
	spin_unlock_irqrestore(&sx->err_lock, flags);
	pr_err_ratelimited("%s\n", msg);
	return err;
}

/* Put @req on sx->reqs, empty, for current. */
static void req_add(struct stmexec *sx, struct stmexec_req *req, bool cause)
{
	unsigned long flags;

	req->task = current;
	req->code = 0;
	req->truncated = false;
	req->cause = cause;
	req->msg[0] = '\0';
	spin_lock_irqsave(&sx->err_lock, flags);
	list_add(&req->node, &sx->reqs);
	spin_unlock_irqrestore(&sx->err_lock, flags);
}

/**
 * stmexec_req_begin - route current's stmexec_fail() calls into @req too
 * @sx: the device
 * @req: the caller's record, on its stack, until stmexec_req_end()
 *
 * Context: process context (the ioctl's task, or a hotplug thread); no
 * lock held.
 */
void stmexec_req_begin(struct stmexec *sx, struct stmexec_req *req)
{
	req_add(sx, req, false);
}

/**
 * stmexec_req_begin_cause - a record for the reason of a step, nested
 * @sx: the device
 * @req: on the caller's stack, until stmexec_req_end()
 *
 * As stmexec_req_begin(); besides, @req receives what stmexec_req_relay()
 * forwards (the enable's hotplug callbacks). Only the enable, under
 * sx->lock, has one: at most one is on sx->reqs.
 *
 * Context: process context; no spinlock held.
 */
void stmexec_req_begin_cause(struct stmexec *sx, struct stmexec_req *req)
{
	req_add(sx, req, true);
}

/**
 * stmexec_req_relay - forward a failure to the enable's cause record
 * @sx: the device
 * @from: a record of the calling task, ended, with the reason
 *
 * For a step that runs in another task on the enabler's behalf (a CPU's
 * hotplug thread, in cpuhp_setup_state()): no-op if @from holds no
 * failure or no cause record is open.
 */
void stmexec_req_relay(struct stmexec *sx, const struct stmexec_req *from)
{
	struct stmexec_req *req;
	unsigned long flags;

	if (!from->code)
		return;
	spin_lock_irqsave(&sx->err_lock, flags);
	list_for_each_entry(req, &sx->reqs, node) {
		if (req->cause) {
			req->code = from->code;
			req->truncated = from->truncated;
			strscpy(req->msg, from->msg, sizeof(req->msg));
		}
	}
	spin_unlock_irqrestore(&sx->err_lock, flags);
}

/*
 * The reason the owner of @req formatted last while it was open (or
 * relayed into it): what a step that wraps an inner failure names.
 */
const char *stmexec_req_reason(const struct stmexec_req *req)
{
	return req->msg[0] ? req->msg : "no reason recorded";
}

/* Take @req off sx->reqs; its fields stay readable by the caller. */
void stmexec_req_end(struct stmexec *sx, struct stmexec_req *req)
{
	unsigned long flags;

	spin_lock_irqsave(&sx->err_lock, flags);
	list_del(&req->node);
	spin_unlock_irqrestore(&sx->err_lock, flags);
}

void stmexec_clear_error(struct stmexec *sx)
{
	unsigned long flags;

	spin_lock_irqsave(&sx->err_lock, flags);
	sx->last_errno = 0;
	sx->last_error[0] = '\0';
	spin_unlock_irqrestore(&sx->err_lock, flags);
}

/**
 * stmexec_sysfs_input - refuse a sysfs write that is not one C string
 * @sx: the device
 * @attr: the attribute's name, for the message
 * @buf: what kernfs copied (NUL-terminated after @len bytes)
 * @len: bytes written
 *
 * The stores parse @buf as a C string, so whatever follows an embedded NUL
 * would be ignored silently ("1\0junk" would enable). One NUL as the last
 * byte is accepted. Return: 0, or -EINVAL with last_error set.
 */
int stmexec_sysfs_input(struct stmexec *sx, const char *attr, const char *buf,
			size_t len)
{
	if (strnlen(buf, len) + 1 >= len)
		return 0;
	return stmexec_fail(sx, -EINVAL,
			    "%s: %zu bytes follow a NUL byte in the value written: write the value alone, e.g. with echo",
			    attr, len - strnlen(buf, len) - 1);
}
