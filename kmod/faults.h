/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stmexec: the fault-injection knobs of the tests (debugfs_sim.c), read by
 * the simulated STM (backend_sim.c, sim_inject.c), the vmx backend
 * (vmx_stm=sim, and skip_stop_cpu with a real STM) and the lifecycle's
 * per-CPU steps. struct stmexec embeds them (sx->faults), so stmexec.h
 * includes this header.
 */
#ifndef STMEXEC_FAULTS_H
#define STMEXEC_FAULTS_H

#include <linux/types.h>

/**
 * struct stmexec_faults - debugfs fault injection into the simulated STM
 * @fail_init: status INITIALIZE_PROTECTION reports (after the core ran), 0 off
 * @fail_start_cpu: CPU whose START reports @fail_status (after the core
 *		    ran), -1 off, -2 every CPU
 * @fail_stop_cpu: CPU whose STOP fails with @fail_status without reaching
 *		   the core (the STM stays active there), -1 off, -2 every CPU
 * @fail_status: status used by @fail_start_cpu and @fail_stop_cpu
 * @start_deactivates: with @fail_start_cpu: the refusal also deactivates
 *		       the dual-monitor treatment on that CPU, as the bundled
 *		       STM's refusal does (it leaves through the activation
 *		       VMCS, launching it); the CPU then refuses the next STOP
 *		       there as an activation attempt (VMfailValid 19)
 * @delay_cpu: CPU whose VMCALLs are delayed by @delay_us, -1 off, -2 all
 * @delay_us: busy delay with interrupts off, at most STMEXEC_MAX_DELAY_US
 * @late_start_ms: @delay_cpu's START reaches the STM this much later, before
 *		   E's rendezvous (a vCPU the host does not run), at most
 *		   STMEXEC_MAX_LATE_START_MS
 * @next_eax: with @next_armed: the next VMCALL with this EAX reports
 *	      @next_status (one shot)
 * @next_status: see @next_eax
 * @next_armed: see @next_eax
 * @hw_vmcall_required: vmx_stm=sim: a hardware VMCALL that nothing answers
 *			fails the CPU's enter with -ENODEV (rollback test)
 * @fail_leave_cpu: backend=sim: CPU whose leave (VMXOFF) fails with -EBUSY,
 *		    -1 off, -2 every CPU
 * @skip_stop_cpu: with a real STM (backend=vmx, vmx_stm=hw): CPU whose
 *		   STOPs are skipped while set (-1 off), so that its VMXOFF
 *		   meets an active STM (VM-instruction error 23, kmod-review
 *		   F14)
 */
/* Values of the CPU fields of struct stmexec_faults besides a CPU number. */
#define STMEXEC_FAULT_OFF	(-1)	/* no CPU */
#define STMEXEC_FAULT_ALL	(-2)	/* every CPU */

struct stmexec_faults {
	u32 fail_init;
	s32 fail_start_cpu;
	s32 fail_stop_cpu;
	u32 fail_status;
	bool start_deactivates;
	s32 delay_cpu;
	u32 delay_us;
	u32 late_start_ms;
	u32 next_eax;
	u32 next_status;
	bool next_armed;
	bool hw_vmcall_required;
	s32 fail_leave_cpu;
	s32 skip_stop_cpu;
};

#define STMEXEC_MAX_DELAY_US	500000U
#define STMEXEC_MAX_LATE_START_MS	5000U

#endif /* STMEXEC_FAULTS_H */
