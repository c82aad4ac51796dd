// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: the lifecycle's emergency side, on one CPU and from any
 * context: STOP and leave on this CPU only (the kernel's emergency-
 * virtualization callback, the panic and reboot notifiers), and the check
 * before an enable that the emergency callback can be taken (kvm_intel).
 * lifecycle.c registers the callback; lifecycle_events.c's notifiers call
 * sx_emergency_local().
 */

#include "stmexec.h"
#include "backend.h"
#include "lifecycle.h"

#include <linux/cpumask.h>
#include <linux/irqflags.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <linux/smp.h>

/*
 * Is kvm_intel loaded? On Debian 6.1 it takes the emergency callback at
 * load and its callback VMXOFFs unconditionally: on a CPU under the STM
 * that VMXOFF fails and KVM then clears CR4.VMXE in VMX operation, a #GP
 * on every CPU of a panic (kmod-review F1). On 6.12 it takes the slot when
 * it enables virtualization. The module kset is our own kobject's.
 */
static bool sx_kvm_intel_loaded(void)
{
	struct kobject *k;

	k = kset_find_obj(THIS_MODULE->mkobj.kobj.kset, "kvm_intel");
	if (!k)
		return false;
	kobject_put(k);
	return true;
}

/*
 * Before enable: 1 if the emergency callback can be taken, 0 if not
 * (backend=sim with kvm_intel loaded: nothing is in VMX operation, only
 * the simulated STOP is skipped on emergency paths), or -EBUSY (vmx with
 * kvm_intel loaded).
 */
int sx_emergency_check(struct stmexec *sx)
{
	if (!sx_kvm_intel_loaded())
		return 1;
	if (sx->ops->id != STMEXEC_BACKEND_SIM)
		return stmexec_fail(sx, -EBUSY,
				    "enable: kvm_intel is loaded; its emergency-virtualization callback would VMXOFF CPUs under the STM in a panic or kdump (#GP): 'modprobe -r kvm_intel' and enable again");
	pr_info("kvm_intel is loaded: the simulated STM is not stopped on emergency paths\n");
	return 0;
}

/*
 * STOP and leave on this CPU only, interrupts off, nothing that sleeps or
 * waits for another CPU (the others may be stopped already).
 *
 * Each call also prints a summary of every CPU so far. Since Linux 6.9
 * ("printk: Avoid non-panic CPUs writing to ringbuffer", in 6.12 but not
 * in 6.1.y) printk() on a CPU other than the panicking one is dropped once
 * a panic is in progress, so in kdump's NMI shootdown only the crashing
 * CPU's lines reach the log. The crashing CPU runs this callback last
 * (native_machine_crash_shutdown(): crash_smp_send_stop(), which waits for
 * every other CPU's crash_nmi_callback(), then
 * cpu_emergency_disable_virtualization()), so its summary reports every
 * CPU on both kernels.
 */
void sx_emergency_local(struct stmexec *sx, const char *why)
{
	unsigned int cpu = raw_smp_processor_id();
	unsigned int c, in_vmx = 0;
	unsigned long flags;
	bool was;

	if (!sx->pcpu)
		return;
	was = cpumask_test_cpu(cpu, &sx->reachable);
	local_irq_save(flags);
	if (!sx_cpu_stop(sx, cpu))
		sx_cpu_leave(sx, cpu);
	local_irq_restore(flags);
	if (cpumask_test_cpu(cpu, &sx->reachable))
		pr_emerg("%s: the STM could not be stopped on CPU %u\n", why, cpu);
	else if (was)
		pr_emerg("%s: STM stopped on CPU %u%s\n", why, cpu,
			 per_cpu_ptr(sx->pcpu, cpu)->entered ?
			 " (still in VMX operation)" : " and VMX left");
	if (!was)
		return;
	if (!cpumask_test_cpu(cpu, &sx->reachable) &&
	    !per_cpu_ptr(sx->pcpu, cpu)->entered)
		cpumask_set_cpu(cpu, &sx->emergency_left);
	for_each_possible_cpu(c)
		in_vmx += READ_ONCE(per_cpu_ptr(sx->pcpu, c)->entered);
	pr_emerg("%s: summary: STM stopped and VMX left on CPUs %*pbl; STM still active on CPUs [%*pbl]; %u CPU(s) in VMX operation\n",
		 why, cpumask_pr_args(&sx->emergency_left),
		 cpumask_pr_args(&sx->reachable), in_vmx);
}
