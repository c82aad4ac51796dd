// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: the lifecycle's sysfs attributes of the misc device
 * (/sys/class/misc/stmexec/), documented in
 * Documentation/ABI/testing/sysfs-class-misc-stmexec, and the group array
 * the misc device is registered with.
 */
#include "stmexec.h"
#include "backend.h"
#include "features.h"

#include <linux/capability.h>
#include <linux/cpumask.h>
#include <linux/device.h>
#include <linux/kstrtox.h>
#include <linux/string.h>
#include <linux/sysfs.h>

static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  stmexec_state_name(READ_ONCE(stmexec_from_dev(dev)->state)));
}
static DEVICE_ATTR_RO(state);

static ssize_t backend_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", stmexec_from_dev(dev)->ops->name);
}
static DEVICE_ATTR_RO(backend);

static ssize_t tainted_sim_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", stmexec_from_dev(dev)->sim_stm);
}
static DEVICE_ATTR_RO(tainted_sim);

static ssize_t cpus_active_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", cpumask_weight(&stmexec_from_dev(dev)->active));
}
static DEVICE_ATTR_RO(cpus_active);

static ssize_t cpus_active_list_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%*pbl\n",
			  cpumask_pr_args(&stmexec_from_dev(dev)->active));
}
static DEVICE_ATTR_RO(cpus_active_list);

static ssize_t capabilities_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return stmexec_probe_show(stmexec_from_dev(dev), buf);
}
static DEVICE_ATTR_RO(capabilities);

static ssize_t last_error_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct stmexec *sx = stmexec_from_dev(dev);
	char msg[sizeof(sx->last_error)];
	unsigned long flags;
	int err;

	spin_lock_irqsave(&sx->err_lock, flags);
	err = sx->last_errno;
	strscpy(msg, sx->last_error, sizeof(msg));
	spin_unlock_irqrestore(&sx->err_lock, flags);
	if (!err)
		return sysfs_emit(buf, "none\n");
	return sysfs_emit(buf, "%pe: %s\n", ERR_PTR(-err), msg);
}
static DEVICE_ATTR_RO(last_error);

static ssize_t launch_mode_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	static const char *const names[] = {
		[STMEXEC_LAUNCH_NONE] = "none",
		[STMEXEC_LAUNCH_NON_TXT] = "non-txt",
		[STMEXEC_LAUNCH_TXT] = "txt",
		[STMEXEC_LAUNCH_SIM] = "sim",
	};
	u32 m = READ_ONCE(stmexec_from_dev(dev)->launch_mode);

	return sysfs_emit(buf, "%s\n", m < ARRAY_SIZE(names) ? names[m] : "?");
}
static DEVICE_ATTR_RO(launch_mode);

static ssize_t stm_caps_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "0x%x\n", READ_ONCE(stmexec_from_dev(dev)->stm_caps));
}
static DEVICE_ATTR_RO(stm_caps);

static ssize_t enabled_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%d\n",
			  READ_ONCE(stmexec_from_dev(dev)->state) == STMEXEC_STATE_ON);
}

static ssize_t enabled_store(struct device *dev, struct device_attribute *attr,
			     const char *buf, size_t len)
{
	struct stmexec *sx = stmexec_from_dev(dev);
	bool on;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = stmexec_sysfs_input(sx, "enabled", buf, len);
	if (ret)
		return ret;
	ret = stmexec_lock_interruptible(sx);
	if (ret)
		return ret;
	if (kstrtobool(buf, &on))
		ret = stmexec_fail(sx, -EINVAL, "enabled: write 1 or 0");
	else
		ret = on ? stmexec_enable(sx) : stmexec_disable(sx);
	mutex_unlock(&sx->lock);
	return ret ? ret : len;
}
static DEVICE_ATTR_RW(enabled);

static struct attribute *stmexec_core_attrs[] = {
	&dev_attr_state.attr,
	&dev_attr_backend.attr,
	&dev_attr_tainted_sim.attr,
	&dev_attr_cpus_active.attr,
	&dev_attr_cpus_active_list.attr,
	&dev_attr_capabilities.attr,
	&dev_attr_last_error.attr,
	&dev_attr_launch_mode.attr,
	&dev_attr_stm_caps.attr,
	&dev_attr_enabled.attr,
	NULL,
};

const struct attribute_group stmexec_core_group = {
	.attrs = stmexec_core_attrs,
};

const struct attribute_group *stmexec_groups[] = {
	&stmexec_core_group,
	&stmexec_ranges_group,
	&stmexec_log_group,
	&stmexec_report_group,
	&stmexec_attest_group,
	&stmexec_image_group,
	NULL,
};
