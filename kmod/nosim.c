// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: the production build's stand-ins for sim_image.c (Kbuild: built
 * when CONFIG_STMEXEC_SIM is unset). Only the simulated STM loads an STM
 * image, and this build has none, so the sysfs files keep their ABI and
 * say so: stm_image reads "none" and refuses a name with -EOPNOTSUPP,
 * stm_header reads "image: none". Their group, with launch_checks, is
 * image_sysfs.c's, the same in both builds.
 */
#include "stmexec.h"
#include "backend.h"

#include <linux/capability.h>
#include <linux/device.h>
#include <linux/sysfs.h>

int stmexec_image_init(struct stmexec *sx)
{
	return 0;
}

void stmexec_image_fini(struct stmexec *sx)
{
}

static ssize_t stm_image_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "none\n");
}

static ssize_t stm_image_store(struct device *dev,
			       struct device_attribute *attr, const char *buf,
			       size_t len)
{
	struct stmexec *sx = stmexec_from_dev(dev);
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = stmexec_sysfs_input(sx, "stm_image", buf, len);
	if (ret)
		return ret;
	if (sysfs_streq(buf, "none"))
		return len;
	return stmexec_fail(sx, -EOPNOTSUPP,
			    "stm_image: only the simulated STM loads an image, and this stmexec.ko was built without it (production build; the test build is make modules)");
}
DEVICE_ATTR_RW(stm_image);

static ssize_t stm_header_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "image: none\n");
}
DEVICE_ATTR_RO(stm_header);
