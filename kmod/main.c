// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: module init/exit, parameters, the device instance and the error
 * reporting every part uses. See Documentation/admin-guide/stmexec.rst.
 */
#include "stmexec.h"

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

struct stmexec stmexec_dev = {
	.lock = __MUTEX_INITIALIZER(stmexec_dev.lock),
	.err_lock = __SPIN_LOCK_UNLOCKED(stmexec_dev.err_lock),
	.ipi_wq = __WAIT_QUEUE_HEAD_INITIALIZER(stmexec_dev.ipi_wq),
	.state = STMEXEC_STATE_OFF,
	.launch_mode = STMEXEC_LAUNCH_NONE,
	.faults = {
		.fail_start_cpu = -1,
		.fail_stop_cpu = -1,
		.fail_leave_cpu = -1,
		.fail_status = STM_ERROR_UNSPECIFIED,
		.delay_cpu = -1,
	},
};

int stmexec_fail(struct stmexec *sx, int err, const char *fmt, ...)
{
	char msg[sizeof(sx->last_error)];
	unsigned long flags;
	va_list ap;

	va_start(ap, fmt);
	vscnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	/* panic/shutdown paths: print only, the lock may be held below us */
	if (unlikely(oops_in_progress)) {
		pr_emerg("%s\n", msg);
		return err;
	}
	spin_lock_irqsave(&sx->err_lock, flags);
	sx->last_errno = err < 0 ? -err : err;
	strscpy(sx->last_error, msg, sizeof(sx->last_error));
	spin_unlock_irqrestore(&sx->err_lock, flags);
	pr_err_ratelimited("%s\n", msg);
	return err;
}

/*
 * A zeroed page below 4 GiB on @cpu's node, for what the STM reads (VMXON
 * region, activation VMCS): the reference STM's page tables cover only the
 * first 4 GiB. Free with free_page().
 */
void *stmexec_page_below_4g(unsigned int cpu, u64 *pa)
{
	struct page *pg;

	pg = alloc_pages_node(cpu_to_node(cpu),
			      GFP_KERNEL | __GFP_DMA32 | __GFP_ZERO, 0);
	if (!pg)
		return NULL;
	*pa = page_to_phys(pg);
	return page_address(pg);
}

void stmexec_clear_error(struct stmexec *sx)
{
	unsigned long flags;

	spin_lock_irqsave(&sx->err_lock, flags);
	sx->last_errno = 0;
	sx->last_error[0] = '\0';
	spin_unlock_irqrestore(&sx->err_lock, flags);
}

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
 * Init order, unwound in reverse by the goto ladder: parameters, lifecycle
 * (per-CPU state, notifiers), hardware facts, backend probe (the refusals:
 * -ENODEV and friends, one line in dmesg), backend init, ranges, log, the
 * misc device with its sysfs groups, debugfs.
 */
static int __init stmexec_init(void)
{
	struct stmexec *sx = &stmexec_dev;
	int ret;

	ret = stmexec_params(sx);
	if (ret)
		return ret;

	ret = stmexec_lifecycle_init(sx);
	if (ret)
		return ret;

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

	ret = stmexec_image_init(sx);
	if (ret)
		goto err_backend;
	ret = stmexec_ranges_init(sx);
	if (ret)
		goto err_image;
	ret = stmexec_log_init(sx);
	if (ret)
		goto err_ranges;
	ret = stmexec_policy_init(sx);
	if (ret)
		goto err_log;
	ret = stmexec_chardev_register(sx);
	if (ret)
		goto err_policy;
	stmexec_debugfs_init(sx);

	if (IS_ENABLED(CONFIG_STMEXEC_SIM) && sx->sim_stm) {
		add_taint(STMEXEC_TAINT_SIM, LOCKDEP_STILL_OK);
		pr_warn("%s: the STM is SIMULATED: this gives NO protection; kernel tainted for testing\n",
			sx->ops == &stmexec_backend_sim ? "backend=sim" :
							  "vmx_stm=sim");
	}
	pr_info("loaded: backend=%s, monitor off (enable: echo 1 > /sys/class/misc/stmexec/enabled)\n",
		sx->ops->name);
	return 0;

err_policy:
	stmexec_policy_fini(sx);
err_log:
	stmexec_log_fini(sx);
err_ranges:
	stmexec_ranges_fini(sx);
err_image:
	stmexec_image_fini(sx);
err_backend:
	sx->ops->fini(sx);
err_probe:
	stmexec_probe_free(sx);
	stmexec_lifecycle_fini(sx);
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
	stmexec_policy_fini(sx);
	stmexec_log_fini(sx);
	stmexec_ranges_fini(sx);
	stmexec_image_fini(sx);
	sx->ops->fini(sx);
	stmexec_probe_free(sx);
	stmexec_lifecycle_fini(sx);
	pr_info("unloaded\n");
}

module_init(stmexec_init);
module_exit(stmexec_exit);

MODULE_DESCRIPTION("Executive monitor for the Intel SMI Transfer Monitor (STM)");
MODULE_LICENSE("GPL");
