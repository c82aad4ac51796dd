// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: the violation log's sysfs directory log/ (records, dropped,
 * wrapped, events_enabled, poll_interval_ms). See log.c.
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

/* ---- sysfs "log/" --------------------------------------------------------------- */

static ssize_t records_show(struct device *dev, struct device_attribute *a,
			    char *buf)
{
	struct stmexec_log_stats st;

	stmexec_log_stats(stmexec_from_dev(dev), &st);
	return sysfs_emit(buf, "%llu\n", st.records);
}

static ssize_t dropped_show(struct device *dev, struct device_attribute *a,
			    char *buf)
{
	struct stmexec_log_stats st;

	stmexec_log_stats(stmexec_from_dev(dev), &st);
	return sysfs_emit(buf, "%llu\n", st.dropped);
}

static ssize_t wrapped_show(struct device *dev, struct device_attribute *a,
			    char *buf)
{
	struct stmexec_log_stats st;

	stmexec_log_stats(stmexec_from_dev(dev), &st);
	return sysfs_emit(buf, "%llu\n", st.wrapped);
}

static ssize_t events_enabled_show(struct device *dev,
				   struct device_attribute *a, char *buf)
{
	struct stmexec *sx = stmexec_from_dev(dev);
	u32 mask;

	if (stmexec_lock_interruptible(sx))
		return -ERESTARTSYS;
	mask = sx->log->configured ? sx->log->event_mask : 0;
	mutex_unlock(&sx->lock);
	return sysfs_emit(buf, "0x%x\n", mask);
}

static ssize_t poll_interval_ms_show(struct device *dev,
				     struct device_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(stmexec_from_dev(dev)->log->interval_ms));
}

static ssize_t poll_interval_ms_store(struct device *dev,
				      struct device_attribute *a,
				      const char *buf, size_t len)
{
	struct stmexec *sx = stmexec_from_dev(dev);
	unsigned int v;
	int ret;

	ret = stmexec_sysfs_input(sx, "log/poll_interval_ms", buf, len);
	if (ret)
		return ret;
	ret = stmexec_lock_interruptible(sx);
	if (ret)
		return ret;
	if (kstrtouint(buf, 0, &v) || v < LOG_POLL_MIN_MS || v > LOG_POLL_MAX_MS) {
		ret = stmexec_fail(sx, -EINVAL,
				   "poll_interval_ms takes %u..%u (milliseconds)",
				   LOG_POLL_MIN_MS, LOG_POLL_MAX_MS);
	} else {
		WRITE_ONCE(sx->log->interval_ms, v);
		sx_log_kick(sx->log);
	}
	mutex_unlock(&sx->lock);
	return ret ?: len;
}

static DEVICE_ATTR_RO(records);
static DEVICE_ATTR_RO(dropped);
static DEVICE_ATTR_RO(wrapped);
static DEVICE_ATTR_RO(events_enabled);
static DEVICE_ATTR_RW(poll_interval_ms);

static struct attribute *stmexec_log_attrs[] = {
	&dev_attr_records.attr,
	&dev_attr_dropped.attr,
	&dev_attr_wrapped.attr,
	&dev_attr_events_enabled.attr,
	&dev_attr_poll_interval_ms.attr,
	NULL,
};

const struct attribute_group stmexec_log_group = {
	.name = "log",
	.attrs = stmexec_log_attrs,
};
