// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: module init/exit and parameters: the top of the module, the
 * only file that knows every part (it wires the lifecycle hooks).
 * See Documentation/admin-guide/stmexec.rst.
 */
#include "stmexec.h"
#include "backend.h"
#include "lifecycle_api.h"
#include "features.h"

#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/panic.h>
#include <linux/printk.h>
#include <linux/string.h>

static char *backend = "vmx";
module_param(backend, charp, 0444);
MODULE_PARM_DESC(backend,
		 "vmx (default): the firmware's STM, through VMX root operation on every CPU; sim (test build only, CONFIG_STMEXEC_SIM): a simulated STM for testing, gives NO protection and taints the kernel");

/*
 * The features' lifecycle hooks: on_start in this order after START,
 * on_stop in reverse before STOP. The VMCS database registrations go last
 * (the STM forgets them with its last CPU); the default policy comes last
 * at start because it needs the ranges and the log in place.
 */
static const struct stmexec_hook *const stmexec_hooks[] = {
	&stmexec_vmcs_db_hook,
	&stmexec_ranges_hook,
	&stmexec_log_hook,
	&stmexec_policy_hook,
};

/*
 * backend= and, in the test build, vmx_stm=. The production build
 * (CONFIG_STMEXEC_SIM unset: DKMS, the .deb) has no simulated STM: a
 * backend=sim there is refused with its own errno, ENOPKG, rather than the
 * EINVAL of a misspelt name.
 */
static int stmexec_params(struct stmexec *sx)
{
	if (sysfs_streq(backend, "vmx")) {
		sx->ops = &stmexec_backend_vmx;
	} else if (sysfs_streq(backend, "sim")) {
		if (!IS_ENABLED(CONFIG_STMEXEC_SIM))
			return stmexec_fail(sx, -ENOPKG,
					    "backend=sim: this stmexec.ko was built without the simulated STM (the production build: DKMS, the .deb, make modules_install); use backend=vmx, or the test build (make modules, CONFIG_STMEXEC_SIM=y)");
		sx->ops = &stmexec_backend_sim;
		sx->sim_stm = true;
	} else {
		return stmexec_fail(sx, -EINVAL,
				    "backend=%s is unknown: use backend=vmx or backend=sim",
				    backend);
	}
	if (!IS_ENABLED(CONFIG_STMEXEC_SIM))
		return 0;
	return stmexec_sim_params(sx);
}

/*
 * Init order, unwound in reverse by the goto ladders: parameters and the
 * lifecycle hooks; the base (stmexec_base_init): lifecycle (per-CPU state,
 * notifiers), hardware facts, backend probe (the refusals: -ENODEV and
 * friends, one line in dmesg), backend init; the features
 * (stmexec_features_init): the STM image, ranges, log, policy, the module
 * notifier, the report and the attestation (which measures the report at
 * load); then the misc device with its sysfs groups, debugfs.
 */
static int __init stmexec_base_init(struct stmexec *sx)
{
	int ret;

	ret = stmexec_lifecycle_init(sx);
	if (ret)
		return ret;
	ret = stmexec_lifecycle_events_init(sx);
	if (ret)
		goto err_lifecycle;

	mutex_lock(&sx->lock);
	ret = stmexec_probe_hw(sx);
	if (!ret)
		ret = sx->ops->probe(sx);
	mutex_unlock(&sx->lock);
	if (ret)
		goto err_probe;

	ret = sx->ops->init(sx);
	if (ret)
		goto err_probe;
	return 0;

err_probe:
	stmexec_probe_free(sx);
	stmexec_lifecycle_events_fini(sx);
err_lifecycle:
	stmexec_lifecycle_fini(sx);
	return ret;
}

static void stmexec_base_fini(struct stmexec *sx)
{
	sx->ops->fini(sx);
	stmexec_probe_free(sx);
	stmexec_lifecycle_events_fini(sx);
	stmexec_lifecycle_fini(sx);
}

static int __init stmexec_features_init(struct stmexec *sx)
{
	int ret;

	ret = stmexec_image_init(sx);
	if (ret)
		return ret;
	ret = stmexec_ranges_init(sx);
	if (ret)
		goto err_image;
	ret = stmexec_log_init(sx);
	if (ret)
		goto err_ranges;
	ret = stmexec_policy_init(sx);
	if (ret)
		goto err_log;
	ret = stmexec_modwatch_init(sx);
	if (ret)
		goto err_policy;
	ret = stmexec_report_init(sx);
	if (ret)
		goto err_modwatch;
	/* Measures the report at load. */
	ret = stmexec_attest_init(sx);
	if (ret)
		goto err_report;
	return 0;

err_report:
	stmexec_report_fini(sx);
err_modwatch:
	stmexec_modwatch_fini(sx);
err_policy:
	stmexec_policy_fini(sx);
err_log:
	stmexec_log_fini(sx);
err_ranges:
	stmexec_ranges_fini(sx);
err_image:
	stmexec_image_fini(sx);
	return ret;
}

static void stmexec_features_fini(struct stmexec *sx)
{
	stmexec_attest_fini(sx);
	stmexec_report_fini(sx);
	stmexec_modwatch_fini(sx);
	stmexec_policy_fini(sx);
	stmexec_log_fini(sx);
	stmexec_ranges_fini(sx);
	stmexec_image_fini(sx);
}

static void __init stmexec_announce(struct stmexec *sx)
{
	if (IS_ENABLED(CONFIG_STMEXEC_SIM) && sx->sim_stm) {
		add_taint(STMEXEC_TAINT_SIM, LOCKDEP_STILL_OK);
		pr_warn("%s: the STM is SIMULATED: this gives NO protection; kernel tainted for testing\n",
			sx->ops == &stmexec_backend_sim ? "backend=sim" :
							  "vmx_stm=sim");
	}
	pr_info("loaded: backend=%s, monitor off (enable: echo 1 > /sys/class/misc/stmexec/enabled)\n",
		sx->ops->name);
}

static int __init stmexec_init(void)
{
	struct stmexec *sx = &stmexec_dev;
	int ret;

	ret = stmexec_params(sx);
	if (ret)
		return ret;
	sx->hooks = stmexec_hooks;
	sx->nhooks = ARRAY_SIZE(stmexec_hooks);

	ret = stmexec_base_init(sx);
	if (ret)
		return ret;
	ret = stmexec_features_init(sx);
	if (ret)
		goto err_base;
	ret = stmexec_chardev_register(sx);
	if (ret)
		goto err_features;
	stmexec_debugfs_init(sx);
	stmexec_announce(sx);
	return 0;

err_features:
	stmexec_features_fini(sx);
err_base:
	stmexec_base_fini(sx);
	return ret;
}

static void __exit stmexec_exit(void)
{
	struct stmexec *sx = &stmexec_dev;

	stmexec_debugfs_fini(sx);
	stmexec_chardev_unregister(sx);
	/*
	 * The module pins itself while the monitor is not off, so this is a
	 * formality; kept so that exit never leaves a CPU in VMX operation.
	 */
	mutex_lock(&sx->lock);
	if (sx->state != STMEXEC_STATE_OFF)
		stmexec_disable(sx);
	mutex_unlock(&sx->lock);
	stmexec_features_fini(sx);
	stmexec_base_fini(sx);
	pr_info("unloaded\n");
}

module_init(stmexec_init);
module_exit(stmexec_exit);

MODULE_DESCRIPTION("Executive monitor for the Intel SMI Transfer Monitor (STM)");
MODULE_LICENSE("GPL");
