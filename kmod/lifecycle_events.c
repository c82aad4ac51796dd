// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: the lifecycle's answers to system events: kvm_intel may not
 * load while the monitor is not off (module notifier); panic (this CPU),
 * reboot/kexec (full disable), syscore shutdown (last resort) and suspend
 * (refused in VMX operation); suspend/hibernate stop the monitor and
 * resume relaunches it (PM notifier). See lifecycle.c's head comment.
 */
#include "stmexec.h"
#include "lifecycle.h"

#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/panic_notifier.h>
#include <linux/percpu.h>
#include <linux/reboot.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/suspend.h>

/*
 * What the kernel links into its notifier chains and syscore list, owned by
 * the lifecycle (sx->events, from stmexec_lifecycle_events_init() to
 * stmexec_lifecycle_events_fini()); each callback finds it, and the device,
 * with container_of().
 */
struct stmexec_events {
	struct stmexec *sx;
	struct notifier_block module_nb;
	struct notifier_block panic_nb;
	struct notifier_block pm_nb;
	struct notifier_block reboot_nb;
	struct stmexec_syscore syscore;
};

#define sx_of(nb, member) (container_of(nb, struct stmexec_events, member)->sx)

/*
 * kvm_intel must not load while the monitor is not off: it would take (6.1)
 * or contend for (6.12) the emergency callback. Refuse its COMING state.
 */
static int sx_module_notify(struct notifier_block *nb, unsigned long action,
			    void *data)
{
	struct module *mod = data;
	struct stmexec *sx = sx_of(nb, module_nb);

	if (action != MODULE_STATE_COMING || strcmp(mod->name, "kvm_intel") ||
	    READ_ONCE(sx->state) == STMEXEC_STATE_OFF)
		return NOTIFY_DONE;
	pr_err("kvm_intel may not load while the STM monitor is %s: disable it first\n",
	       stmexec_state_name(READ_ONCE(sx->state)));
	return notifier_from_errno(-EBUSY);
}

static int sx_panic_notify(struct notifier_block *nb, unsigned long action,
			   void *data)
{
	struct stmexec *sx = sx_of(nb, panic_nb);

	WRITE_ONCE(sx->going_down, true);
	/*
	 * The other CPUs were stopped by panic() before the notifiers run,
	 * and the stop ran the emergency-virtualization callback on each of
	 * them (STOP and VMXOFF there). kdump (crash_kexec) runs before these
	 * notifiers and takes every CPU, this one included, through the same
	 * callback. This is the last chance for the panicking CPU itself.
	 */
	sx_emergency_local(sx, "panic");
	return NOTIFY_DONE;
}

static int sx_reboot_notify(struct notifier_block *nb, unsigned long action,
			    void *data)
{
	struct stmexec *sx = sx_of(nb, reboot_nb);
	int ret;

	mutex_lock(&sx->lock);
	WRITE_ONCE(sx->going_down, true);
	if (sx->state != STMEXEC_STATE_OFF) {
		pr_info("reboot/shutdown/kexec: stopping the STM on every CPU\n");
		ret = stmexec_disable(sx);
		if (ret)
			pr_emerg("reboot: the STM could not be stopped everywhere (%pe)\n",
				 ERR_PTR(ret));
	}
	mutex_unlock(&sx->lock);
	return NOTIFY_DONE;
}

/* Last resort after the reboot notifier, on the reboot CPU only. */
static void sx_syscore_shutdown(STMEXEC_SYSCORE_ARG)
{
	/* The old syscore API passes no context: the one device then. */
	sx_emergency_local(STMEXEC_SYSCORE_DATA(&stmexec_dev), "shutdown");
}

/*
 * Suspend to RAM/disk: the PM notifier has stopped everything; refuse to go
 * on (abort the suspend) if this CPU is still in VMX operation.
 */
static int sx_syscore_suspend(STMEXEC_SYSCORE_ARG)
{
	struct stmexec *sx = STMEXEC_SYSCORE_DATA(&stmexec_dev);
	unsigned int cpu = raw_smp_processor_id();

	if (sx->pcpu && per_cpu_ptr(sx->pcpu, cpu)->entered) {
		pr_err("suspend: CPU %u is still in VMX operation; suspend aborted\n",
		       cpu);
		return -EBUSY;
	}
	return 0;
}

static int sx_pm(struct stmexec *sx, unsigned long action)
{
	int ret = 0;

	mutex_lock(&sx->lock);
	switch (action) {
	case PM_HIBERNATION_PREPARE:
	case PM_SUSPEND_PREPARE:
	case PM_RESTORE_PREPARE:
		/* POST follows even when a later notifier refuses. */
		sx->suspending = true;
		if (sx->wedged) {
			ret = stmexec_fail(sx, -EBUSY,
					   "suspend refused: the STM could not be stopped on every CPU earlier; disable first");
			break;
		}
		if (sx->state != STMEXEC_STATE_ON)
			break;
		pr_info("suspend/hibernate: stopping the STM on every CPU\n");
		ret = stmexec_disable(sx);
		if (!ret)
			sx->resume_on = true;
		break;
	case PM_POST_HIBERNATION:
	case PM_POST_SUSPEND:
	case PM_POST_RESTORE:
		sx->suspending = false;
		if (!sx->resume_on)
			break;
		sx->resume_on = false;
		pr_info("resume: relaunching the STM\n");
		ret = stmexec_enable(sx);
		if (ret) {
			sx_set_state(sx, STMEXEC_STATE_FAILED);
			stmexec_fail(sx, ret,
				     "resume: relaunch failed (%pe); every CPU is off and NOTHING is protected: enable again",
				     ERR_PTR(ret));
			ret = 0;
		}
		break;
	}
	mutex_unlock(&sx->lock);
	return ret;
}

static int sx_pm_notify(struct notifier_block *nb, unsigned long action,
			void *data)
{
	return notifier_from_errno(sx_pm(sx_of(nb, pm_nb), action));
}

int stmexec_pm_event(struct stmexec *sx, bool prepare)
{
	return sx_pm(sx, prepare ? PM_SUSPEND_PREPARE : PM_POST_SUSPEND);
}

/*
 * The system events (PM, reboot, panic, shutdown, module load), registered
 * after stmexec_lifecycle_init() and removed before stmexec_lifecycle_fini().
 */
int stmexec_lifecycle_events_init(struct stmexec *sx)
{
	struct stmexec_events *ev;
	int ret;

	ev = kzalloc(sizeof(*ev), GFP_KERNEL);
	if (!ev)
		return -ENOMEM;
	ev->sx = sx;
	ev->module_nb.notifier_call = sx_module_notify;
	ev->panic_nb.notifier_call = sx_panic_notify;
	ev->panic_nb.priority = INT_MAX;
	ev->pm_nb.notifier_call = sx_pm_notify;
	/* Before kvm's reboot notifier and device shutdown. */
	ev->reboot_nb.notifier_call = sx_reboot_notify;
	ev->reboot_nb.priority = INT_MAX;

	ret = register_pm_notifier(&ev->pm_nb);
	if (ret)
		goto err_free;
	ret = register_reboot_notifier(&ev->reboot_nb);
	if (ret)
		goto err_pm;
	atomic_notifier_chain_register(&panic_notifier_list, &ev->panic_nb);
	stmexec_register_syscore(&ev->syscore, sx_syscore_suspend,
				 sx_syscore_shutdown, sx);
	ret = register_module_notifier(&ev->module_nb);
	if (ret)
		goto err_reboot;
	sx->events = ev;
	return 0;

err_reboot:
	stmexec_unregister_syscore(&ev->syscore);
	atomic_notifier_chain_unregister(&panic_notifier_list, &ev->panic_nb);
	unregister_reboot_notifier(&ev->reboot_nb);
err_pm:
	unregister_pm_notifier(&ev->pm_nb);
err_free:
	kfree(ev);
	return ret;
}

void stmexec_lifecycle_events_fini(struct stmexec *sx)
{
	struct stmexec_events *ev = sx->events;

	unregister_module_notifier(&ev->module_nb);
	stmexec_unregister_syscore(&ev->syscore);
	atomic_notifier_chain_unregister(&panic_notifier_list, &ev->panic_nb);
	unregister_reboot_notifier(&ev->reboot_nb);
	unregister_pm_notifier(&ev->pm_nb);
	sx->events = NULL;
	kfree(ev);
}
