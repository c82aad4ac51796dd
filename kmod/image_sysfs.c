// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: the STM-image sysfs group, one for both builds. stm_image and
 * stm_header come from sim_image.c (test build: the simulated STM's image)
 * or nosim.c (production build: no image); launch_checks, the launch
 * checks of this machine (probe.c), is the same in both.
 */
#include "stmexec.h"
#include "backend.h"

#include <linux/device.h>
#include <linux/sysfs.h>

static ssize_t launch_checks_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	return stmexec_probe_launch_checks(stmexec_from_dev(dev), buf);
}
static DEVICE_ATTR_RO(launch_checks);

static struct attribute *stmexec_image_attrs[] = {
	&dev_attr_stm_image.attr,
	&dev_attr_stm_header.attr,
	&dev_attr_launch_checks.attr,
	NULL,
};

const struct attribute_group stmexec_image_group = {
	.attrs = stmexec_image_attrs,
};
