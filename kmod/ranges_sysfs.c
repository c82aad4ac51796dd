// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: the sysfs attributes of the protected ranges: ranges,
 * bios_resources, protect, unprotect, stm_nodes, stm_heap_pages.
 */
#include "stmexec.h"
#include "features.h"
#include "ranges.h"

#include <linux/moduleparam.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/sysfs.h>
#include <asm/processor.h>

/* ---- sysfs ---------------------------------------------------------------- */

/*
 * "ranges" and "bios_resources" can exceed a page: binary attributes whose
 * whole text is regenerated and the window [off, off+count) copied out.
 */
static ssize_t text_window(char *buf, loff_t off, size_t count,
			   const char *line, size_t len, loff_t *pos)
{
	ssize_t done = 0;

	if (*pos + (loff_t)len > off && *pos < off + (loff_t)count) {
		loff_t from = max_t(loff_t, off, *pos);
		loff_t to = min_t(loff_t, off + count, *pos + len);

		memcpy(buf + (from - off), line + (from - *pos), to - from);
		done = to - from;
	}
	*pos += len;
	return done;
}

static ssize_t ranges_read(struct file *filp, struct kobject *kobj,
			   struct bin_attribute *attr, char *buf, loff_t off,
			   size_t count)
{
	struct stmexec *sx = stmexec_from_dev(kobj_to_dev(kobj));
	struct sx_held *h = NULL;
	ssize_t done = 0;
	char line[128];
	loff_t pos = 0;
	int space = 0, len;

	if (stmexec_lock_interruptible(sx))
		return -ERESTARTSYS;
	while ((h = sx_held_next(sx->ranges, &space, h)) && pos < off + count) {
		len = stmexec_range_format(line, sizeof(line) - 1, &h->r,
					   false);
		line[len++] = '\n';
		done += text_window(buf, off, count, line, len, &pos);
	}
	mutex_unlock(&sx->lock);
	return done;
}

static ssize_t bios_resources_read(struct file *filp, struct kobject *kobj,
				   struct bin_attribute *attr, char *buf,
				   loff_t off, size_t count)
{
	struct stmexec *sx = stmexec_from_dev(kobj_to_dev(kobj));
	ssize_t done = 0;
	char line[160];
	loff_t pos = 0;
	int len;
	u32 i;

	if (stmexec_lock_interruptible(sx))
		return -ERESTARTSYS;
	for (i = 0; i < sx->nbios && pos < off + count; i++) {
		len = scnprintf(line, sizeof(line) - 1, "%u: ", i);
		len += stmexec_range_format(line + len,
					    sizeof(line) - 1 - len,
					    &sx->bios[i], true);
		line[len++] = '\n';
		done += text_window(buf, off, count, line, len, &pos);
	}
	mutex_unlock(&sx->lock);
	return done;
}

static ssize_t range_store(struct device *dev, const char *buf, size_t len,
			   bool protect)
{
	struct stmexec *sx = stmexec_from_dev(dev);
	struct stmexec_range r;
	u32 ei, bi;
	int ret;

	ret = stmexec_sysfs_input(sx, protect ? "protect" : "unprotect", buf,
				  len);
	if (ret)
		return ret;
	ret = stmexec_lock_interruptible(sx);
	if (ret)
		return ret;
	ret = stmexec_range_parse(sx, buf, &r);
	if (!ret && r.flags)
		ret = stmexec_fail(sx, -EPERM,
				   "policy ranges are managed by the policy= module parameter, not by hand");
	if (!ret && protect)
		ret = stmexec_ranges_protect(sx, &r, 1, 0, &ei, &bi);
	else if (!ret)
		ret = stmexec_ranges_unprotect(sx, &r, 1, 0, &ei);
	mutex_unlock(&sx->lock);
	return ret ?: len;
}

static ssize_t protect_store(struct device *dev, struct device_attribute *attr,
			     const char *buf, size_t len)
{
	return range_store(dev, buf, len, true);
}

static ssize_t unprotect_store(struct device *dev,
			       struct device_attribute *attr, const char *buf,
			       size_t len)
{
	return range_store(dev, buf, len, false);
}

/* What the module holds in the STM now: descriptors, estimated heap pages. */
static ssize_t usage_show(struct device *dev, char *buf, bool heap)
{
	struct stmexec *sx = stmexec_from_dev(dev);
	struct stmexec_stm_usage u;

	if (stmexec_lock_interruptible(sx))
		return -ERESTARTSYS;
	stmexec_ranges_usage(sx, &u);
	mutex_unlock(&sx->lock);
	return sysfs_emit(buf, "%u\n", heap ? u.heap_pages : u.nodes);
}

static ssize_t stm_nodes_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return usage_show(dev, buf, false);
}

static ssize_t stm_heap_pages_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	return usage_show(dev, buf, true);
}

static DEVICE_ATTR_WO(protect);
static DEVICE_ATTR_WO(unprotect);
static DEVICE_ATTR_RO(stm_nodes);
static DEVICE_ATTR_RO(stm_heap_pages);
static BIN_ATTR_ADMIN_RO(ranges, 0);
static BIN_ATTR_ADMIN_RO(bios_resources, 0);

static struct attribute *stmexec_ranges_attrs[] = {
	&dev_attr_protect.attr,
	&dev_attr_unprotect.attr,
	&dev_attr_stm_nodes.attr,
	&dev_attr_stm_heap_pages.attr,
	NULL,
};

static struct bin_attribute *stmexec_ranges_bin_attrs[] = {
	&bin_attr_ranges,
	&bin_attr_bios_resources,
	NULL,
};

const struct attribute_group stmexec_ranges_group = {
	.attrs = stmexec_ranges_attrs,
	.bin_attrs = stmexec_ranges_bin_attrs,
};
