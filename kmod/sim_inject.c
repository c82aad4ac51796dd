// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: the simulated STM's test side - what the tests drive and read
 * through debugfs (debugfs_sim.c): one SMM access injected as the SMI
 * handler would make it, the compatibility-violation counter, the core's
 * per-CPU states, the one-shot status and the BSP's SMI-blocked window.
 * Test build only (CONFIG_STMEXEC_SIM). The core itself is backend_sim.c.
 */
#include "stmexec.h"
#include "backend.h"
#include "sim.h"

#include <linux/kernel.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/string.h>

/* debugfs "smi_window": the BSP's last and longest SMI-blocked window. */
void stmexec_sim_smi_window(struct stmexec *sx, u64 *last_ns, u64 *max_ns)
{
	struct stmexec_sim *s = sx->sim;
	unsigned long flags;

	*last_ns = 0;
	*max_ns = 0;
	if (!s)
		return;
	raw_spin_lock_irqsave(&s->lock, flags);
	*last_ns = s->smi_last_ns;
	*max_ns = s->smi_max_ns;
	raw_spin_unlock_irqrestore(&s->lock, flags);
}

static const char *sx_verdict_name(enum stm_verdict v)
{
	switch (v) {
	case STM_VERDICT_ALLOW:
		return "allow";
	case STM_VERDICT_UNCLAIMED:
		return "unclaimed";
	case STM_VERDICT_DENY:
		return "deny";
	}
	return "?";
}

static int sx_rwx(const char *s, u32 *rwx)
{
	*rwx = 0;
	for (; *s; s++) {
		switch (*s) {
		case 'r':
			*rwx |= STM_ACCESS_R;
			break;
		case 'w':
			*rwx |= STM_ACCESS_W;
			break;
		case 'x':
			*rwx |= STM_ACCESS_X;
			break;
		default:
			return -EINVAL;
		}
	}
	return *rwx ? 0 : -EINVAL;
}

/* One parsed "inject" line. */
enum sx_acc_kind {
	SX_ACC_SMI,		/* the SMM entry alone */
	SX_ACC_MEM,
	SX_ACC_IO,
	SX_ACC_MSR,
	SX_ACC_PCI,
};

struct sx_acc {
	enum sx_acc_kind kind;
	unsigned long long a, b;	/* mem: pa, len; msr: index */
	unsigned int bus, dev, fn, port, size, reg;
	u32 rwx;			/* mem: STM_ACCESS_*; else 1 = write/out */
};

/* "r" or "w" (@w "w"), "in" or "out" (@w "out"): 1 for the write. */
static int sx_dir(const char *acc, const char *r, const char *w, u32 *rwx)
{
	if (!strcmp(acc, w))
		*rwx = 1;
	else if (strcmp(acc, r))
		return -EINVAL;
	return 0;
}

static int sx_acc_parse(const char *line, struct sx_acc *x)
{
	char kind[8], acc[8];

	memset(x, 0, sizeof(*x));
	if (sscanf(line, "%7s", kind) != 1)
		return -EINVAL;
	if (!strcmp(kind, "mem")) {
		x->kind = SX_ACC_MEM;
		if (sscanf(line, "mem %lli %lli %7s", &x->a, &x->b, acc) != 3 ||
		    sx_rwx(acc, &x->rwx) || !x->b)
			return -EINVAL;
		return 0;
	}
	if (!strcmp(kind, "io")) {
		x->kind = SX_ACC_IO;
		if (sscanf(line, "io %i %i %7s", &x->port, &x->size, acc) != 3 ||
		    x->port > 0xffff || !x->size || x->size > 4)
			return -EINVAL;
		return sx_dir(acc, "in", "out", &x->rwx);
	}
	if (!strcmp(kind, "msr")) {
		x->kind = SX_ACC_MSR;
		if (sscanf(line, "msr %lli %7s", &x->a, acc) != 2 ||
		    x->a > U32_MAX)
			return -EINVAL;
		return sx_dir(acc, "r", "w", &x->rwx);
	}
	if (!strcmp(kind, "smi")) {
		x->kind = SX_ACC_SMI;
		return 0;
	}
	if (!strcmp(kind, "pci")) {
		x->kind = SX_ACC_PCI;
		if (sscanf(line, "pci %x:%x.%x %i %7s", &x->bus, &x->dev,
			   &x->fn, &x->reg, acc) != 5 || x->bus > 0xff ||
		    x->dev > 0x1f || x->fn > 7 || x->reg > 0xfff)
			return -EINVAL;
		return sx_dir(acc, "r", "w", &x->rwx);
	}
	return -EINVAL;
}

/* The access after the SMM entry; s->lock held, on @cpu. */
static enum stm_verdict sx_acc_run(struct stmexec_sim *s, unsigned int cpu,
				   const struct sx_acc *x)
{
	switch (x->kind) {
	case SX_ACC_MEM:
		return stm_core_smm_mem(s->core, cpu, x->a, x->b, x->rwx);
	case SX_ACC_IO:
		return stm_core_smm_io(s->core, cpu, x->port, x->size, x->rwx);
	case SX_ACC_MSR:
		return stm_core_smm_msr(s->core, cpu, (u32)x->a, x->rwx);
	case SX_ACC_PCI:
		return stm_core_smm_pci(s->core, cpu, x->bus, x->dev, x->fn,
					x->reg, x->rwx);
	default:
		return STM_VERDICT_ALLOW;	/* not reached: SX_ACC_SMI */
	}
}

/*
 * One SMI on the current CPU: the firmware's SMM entry (the MSR writes
 * real firmware makes on every SMI, stm_core_smm_entry()), then one access
 * as the SMI handler would make it:
 *   mem <pa> <len> <r|w|x...>     io <port> <size> <in|out>
 *   msr <index> <r|w>             pci <bus>:<dev>.<fn> <reg> <r|w>
 *   smi                           (the SMM entry alone)
 * Numbers in C notation (0x.. hex). The core logs what the STM would. A
 * denied entry write ends the SMI there (the real STMs hang or reset).
 */
int stmexec_sim_inject(struct stmexec *sx, const char *line,
		       const char **verdict)
{
	struct stmexec_sim *s = sx->sim;
	enum stm_verdict v;
	unsigned long flags;
	struct sx_acc x;
	int cpu;

	if (!s)
		return -ENODEV;
	if (sx_acc_parse(line, &x))
		return -EINVAL;

	cpu = get_cpu();
	raw_spin_lock_irqsave(&s->lock, flags);
	v = stm_core_smm_entry(s->core, cpu);
	if (v != STM_VERDICT_DENY && x.kind != SX_ACC_SMI)
		v = sx_acc_run(s, cpu, &x);
	*verdict = sx_verdict_name(v);
	snprintf(s->last_inject, sizeof(s->last_inject), "cpu %d: %s", cpu,
		 *verdict);
	raw_spin_unlock_irqrestore(&s->lock, flags);
	put_cpu();
	return 0;
}

u64 stmexec_sim_compat_violations(struct stmexec *sx, char *last, size_t len)
{
	struct stmexec_sim *s = sx->sim;
	unsigned long flags;
	u64 n;

	if (!s) {
		strscpy(last, "", len);
		return 0;
	}
	raw_spin_lock_irqsave(&s->lock, flags);
	n = stm_core_compat_violations(s->core);
	strscpy(last, stm_core_compat_last(s->core), len);
	raw_spin_unlock_irqrestore(&s->lock, flags);
	return n;
}

/* For debugfs "cpu_states": the core's view of @cpu (STM_CPU_*). */
int stmexec_sim_cpu_state(struct stmexec *sx, unsigned int cpu)
{
	struct stmexec_sim *s = sx->sim;
	unsigned long flags;
	int st;

	if (!s)
		return -ENODEV;
	raw_spin_lock_irqsave(&s->lock, flags);
	st = stm_core_cpu_state(s->core, cpu);
	raw_spin_unlock_irqrestore(&s->lock, flags);
	return st;
}

/* Arm the one-shot status for the next VMCALL with @eax. */
void stmexec_sim_arm_next(struct stmexec *sx, bool arm, u32 eax, u32 status)
{
	struct stmexec_sim *s = sx->sim;
	unsigned long flags;

	if (!s)
		return;
	raw_spin_lock_irqsave(&s->lock, flags);
	sx->faults.next_armed = arm;
	sx->faults.next_eax = eax;
	sx->faults.next_status = status;
	raw_spin_unlock_irqrestore(&s->lock, flags);
}

const char *stmexec_sim_last_inject(struct stmexec *sx, char *buf, size_t len)
{
	struct stmexec_sim *s = sx->sim;
	unsigned long flags;

	if (!s)
		return "";
	raw_spin_lock_irqsave(&s->lock, flags);
	strscpy(buf, s->last_inject, len);
	raw_spin_unlock_irqrestore(&s->lock, flags);
	return buf;
}
