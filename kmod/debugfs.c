// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: /sys/kernel/debug/stmexec/ - for tests and benchmarks, NOT a
 * stable ABI.
 *
 * Always:
 *   calls		per-CPU VMCALL counters by function
 *   timings		per-CPU duration of the last enter/START/STOP/leave (ns)
 *   timeout_ms		bound of every wait for a CPU (1..60000)
 * The test build (CONFIG_STMEXEC_SIM=y) with a simulated STM adds the
 * fault-injection files of debugfs_sim.c; with a real STM, skip_stop_cpu.
 */
#include "stmexec.h"
#include "lifecycle_api.h"

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

static int calls_show(struct seq_file *m, void *v)
{
	struct stmexec *sx = m->private;
	unsigned int cpu, i;

	seq_puts(m, "cpu");
	for (i = 0; i < STMEXEC_NR_CALL_IDX; i++)
		seq_printf(m, " %s", stmexec_call_name(i));
	seq_putc(m, '\n');
	for_each_possible_cpu(cpu) {
		seq_printf(m, "%u", cpu);
		for (i = 0; i < STMEXEC_NR_CALL_IDX; i++)
			seq_printf(m, " %llu", stmexec_cpu_calls(sx, cpu, i));
		seq_putc(m, '\n');
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(calls);

static int timings_show(struct seq_file *m, void *v)
{
	struct stmexec *sx = m->private;
	unsigned int cpu;
	u64 ns[4];

	seq_puts(m, "cpu enter_ns start_ns stop_ns leave_ns\n");
	for_each_possible_cpu(cpu) {
		stmexec_cpu_timings(sx, cpu, ns);
		seq_printf(m, "%u %llu %llu %llu %llu\n", cpu, ns[0], ns[1],
			   ns[2], ns[3]);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(timings);

void stmexec_debugfs_init(struct stmexec *sx)
{
	struct dentry *d;

	d = debugfs_create_dir("stmexec", NULL);
	sx->debugfs = d;
	debugfs_create_file("calls", 0400, d, sx, &calls_fops);
	debugfs_create_file("timings", 0400, d, sx, &timings_fops);
	debugfs_create_u32("timeout_ms", 0600, d, &sx->timeout_ms);
	if (IS_ENABLED(CONFIG_STMEXEC_SIM) && sx->sim)
		stmexec_debugfs_sim_init(sx, d);
	else if (IS_ENABLED(CONFIG_STMEXEC_SIM))
		stmexec_debugfs_stm_init(sx, d);
}

void stmexec_debugfs_fini(struct stmexec *sx)
{
	debugfs_remove_recursive(sx->debugfs);
	sx->debugfs = NULL;
}
