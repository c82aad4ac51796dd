// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: the debugfs files of the simulated STM, test build only
 * (CONFIG_STMEXEC_SIM=y), under /sys/kernel/debug/stmexec/ - NOT a stable ABI.
 *
 * With a simulated STM (backend=sim, or backend=vmx vmx_stm=sim):
 *   compat_violations	reference-compatibility violations seen by the core
 *			and the last one ("0" after correct use)
 *   smi_window		the BSP's SMI-blocked window (INITIALIZE_PROTECTION to
 *			its START): last_ns, max_ns
 *   cpu_states		the core's view of each CPU: off, joined, active
 *   inject		write one SMM access ("mem 0x1000 8 w", "io 0x60 1
 *			out", "msr 0x1a0 w", "pci 0:1f.0 0x40 w"); it is made
 *			on the current CPU and the core logs it; read: the
 *			last verdict
 *   fail_init		status INITIALIZE_PROTECTION reports (0 = off)
 *   fail_start_cpu	CPU whose START fails (-1 off, -2 all)
 *   fail_stop_cpu	CPU whose STOP fails (-1 off, -2 all)
 *   fail_leave_cpu	backend=sim: CPU whose leave (VMXOFF) fails (-1 off,
 *			-2 all): the CPU stays "in VMX operation"
 *   fail_status	status of those failures (default ERROR_STM_UNSPECIFIED)
 *   start_deactivates	with fail_start_cpu: the refusal also turns the
 *			dual-monitor treatment off there (the bundled STM's
 *			refusal); the next STOP there gets VMfailValid 19
 *   delay_cpu		CPU whose VMCALLs are delayed (-1 off, -2 all)
 *   delay_us		the delay, at most 500000
 *   late_start_ms	delay_cpu's START reaches the STM this late, before
 *			E's rendezvous (a vCPU the host does not run), at
 *			most 5000
 *   next_status	"EAX STATUS": the next VMCALL with EAX reports STATUS
 *			(one shot); "none" disarms
 *   pm_event		write "prepare" or "post": what the PM notifier does
 *			at PM_SUSPEND_PREPARE / PM_POST_SUSPEND, no suspend
 *   hw_vmcall_required	vmx_stm=sim only: "no STM" from the hardware VMCALL
 *			fails the CPU's enter with -ENODEV
 *
 * With a real STM (backend=vmx, vmx_stm=hw; stmexec_debugfs_stm_init()):
 *   skip_stop_cpu	CPU whose STOPs are skipped while set (-1 off): its
 *			VMXOFF then meets an active STM and fails with
 *			VM-instruction error 23 (kmod-review F14); the
 *			check-stm suite (selftests/stmfw/guest-stm.sh)
 */
#include "stmexec.h"
#include "backend.h"
#include "lifecycle_api.h"

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

static int compat_show(struct seq_file *m, void *v)
{
	struct stmexec *sx = m->private;
	char last[128];
	u64 n;

	n = stmexec_sim_compat_violations(sx, last, sizeof(last));
	seq_printf(m, "%llu\nlast: %s\n", n, last[0] ? last : "none");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(compat);

/* The BSP's SMI-blocked window, INITIALIZE_PROTECTION to its START. */
static int smi_window_show(struct seq_file *m, void *v)
{
	u64 last, max;

	stmexec_sim_smi_window(m->private, &last, &max);
	seq_printf(m, "last_ns %llu\nmax_ns %llu\n", last, max);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(smi_window);

static int cpu_states_show(struct seq_file *m, void *v)
{
	static const char *const names[] = {
		[STM_CPU_OFF] = "off",
		[STM_CPU_JOINED] = "joined",
		[STM_CPU_ACTIVE] = "active",
	};
	struct stmexec *sx = m->private;
	unsigned int cpu;
	int st;

	for_each_possible_cpu(cpu) {
		st = stmexec_sim_cpu_state(sx, cpu);
		seq_printf(m, "%u %s\n", cpu,
			   st >= 0 && st < ARRAY_SIZE(names) ? names[st] : "?");
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cpu_states);

/* Copy one line from user space; at most @size - 1 bytes. */
static int sx_get_line(const char __user *ubuf, size_t count, char *buf,
		       size_t size)
{
	if (!count || count >= size)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	strim(buf);
	return 0;
}

static ssize_t inject_write(struct file *file, const char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	struct stmexec *sx = file_inode(file)->i_private;
	const char *verdict;
	char line[96];
	int ret;

	ret = sx_get_line(ubuf, count, line, sizeof(line));
	if (ret)
		return ret;
	ret = stmexec_sim_inject(sx, line, &verdict);
	if (ret)
		return ret;
	return count;
}

static ssize_t inject_read(struct file *file, char __user *ubuf, size_t count,
			   loff_t *ppos)
{
	struct stmexec *sx = file_inode(file)->i_private;
	char buf[112], last[96];
	int len;

	len = scnprintf(buf, sizeof(buf), "%s\n",
			stmexec_sim_last_inject(sx, last, sizeof(last)));
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static const struct file_operations inject_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = inject_read,
	.write = inject_write,
	.llseek = default_llseek,
};

/* "EAX STATUS" arms the one-shot status, "none" disarms. */
static ssize_t next_status_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	struct stmexec *sx = file_inode(file)->i_private;
	unsigned int eax, status;
	char line[48];
	int ret;

	ret = sx_get_line(ubuf, count, line, sizeof(line));
	if (ret)
		return ret;
	if (!strcmp(line, "none")) {
		stmexec_sim_arm_next(sx, false, 0, 0);
		return count;
	}
	if (sscanf(line, "%i %i", &eax, &status) != 2)
		return -EINVAL;
	stmexec_sim_arm_next(sx, true, eax, status);
	return count;
}

static ssize_t next_status_read(struct file *file, char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct stmexec *sx = file_inode(file)->i_private;
	struct stmexec_faults *f = &sx->faults;
	char buf[48];
	int len;

	if (READ_ONCE(f->next_armed))
		len = scnprintf(buf, sizeof(buf), "0x%08x 0x%08x\n",
				READ_ONCE(f->next_eax),
				READ_ONCE(f->next_status));
	else
		len = scnprintf(buf, sizeof(buf), "none\n");
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static const struct file_operations next_status_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = next_status_read,
	.write = next_status_write,
	.llseek = default_llseek,
};

static ssize_t pm_event_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct stmexec *sx = file->private_data;
	char buf[16];
	bool prepare;
	int ret;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (sysfs_streq(buf, "prepare"))
		prepare = true;
	else if (sysfs_streq(buf, "post"))
		prepare = false;
	else
		return -EINVAL;
	ret = stmexec_pm_event(sx, prepare);
	return ret ? ret : count;
}

static const struct file_operations pm_event_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = pm_event_write,
	.llseek = noop_llseek,
};

/*
 * The one parser of the CPU-valued files: a CPU below nr_cpu_ids (else
 * -ERANGE), STMEXEC_FAULT_OFF, and STMEXEC_FAULT_ALL where @min allows it
 * (else -EINVAL); the value is unchanged on error. 6.1 has no signed
 * debugfs helper.
 */
static ssize_t cpu_value_write(struct file *file, const char __user *ubuf,
			       size_t count, int min)
{
	s32 *p = file_inode(file)->i_private;
	int v, ret;

	ret = kstrtoint_from_user(ubuf, count, 0, &v);
	if (ret)
		return ret;
	if (v < min)
		return -EINVAL;
	if (v >= (int)nr_cpu_ids)
		return -ERANGE;
	WRITE_ONCE(*p, v);
	return count;
}

/* A CPU, STMEXEC_FAULT_OFF or STMEXEC_FAULT_ALL. */
static ssize_t s32_write(struct file *file, const char __user *ubuf,
			 size_t count, loff_t *ppos)
{
	return cpu_value_write(file, ubuf, count, STMEXEC_FAULT_ALL);
}

static ssize_t s32_read(struct file *file, char __user *ubuf, size_t count,
			loff_t *ppos)
{
	s32 *p = file_inode(file)->i_private;
	char buf[16];
	int len;

	len = scnprintf(buf, sizeof(buf), "%d\n", READ_ONCE(*p));
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static const struct file_operations s32_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = s32_read,
	.write = s32_write,
	.llseek = default_llseek,
};

/* With a simulated STM (sx->sim): called by stmexec_debugfs_init(). */
void stmexec_debugfs_sim_init(struct stmexec *sx, struct dentry *d)
{
	struct stmexec_faults *f = &sx->faults;

	debugfs_create_file("compat_violations", 0400, d, sx, &compat_fops);
	debugfs_create_file("cpu_states", 0400, d, sx, &cpu_states_fops);
	debugfs_create_file("smi_window", 0400, d, sx, &smi_window_fops);
	debugfs_create_file("inject", 0600, d, sx, &inject_fops);
	debugfs_create_x32("fail_init", 0600, d, &f->fail_init);
	debugfs_create_file("fail_start_cpu", 0600, d, &f->fail_start_cpu,
			    &s32_fops);
	debugfs_create_file("fail_stop_cpu", 0600, d, &f->fail_stop_cpu,
			    &s32_fops);
	if (sx->ops->id == STMEXEC_BACKEND_SIM)
		debugfs_create_file("fail_leave_cpu", 0600, d,
				    &f->fail_leave_cpu, &s32_fops);
	debugfs_create_x32("fail_status", 0600, d, &f->fail_status);
	debugfs_create_bool("start_deactivates", 0600, d,
			    &f->start_deactivates);
	debugfs_create_file("delay_cpu", 0600, d, &f->delay_cpu, &s32_fops);
	debugfs_create_u32("delay_us", 0600, d, &f->delay_us);
	debugfs_create_u32("late_start_ms", 0600, d, &f->late_start_ms);
	debugfs_create_file("next_status", 0600, d, sx, &next_status_fops);
	debugfs_create_file("pm_event", 0200, d, sx, &pm_event_fops);
	if (sx->vmx_stm == STMEXEC_VMX_STM_SIM)
		debugfs_create_bool("hw_vmcall_required", 0600, d,
				    &f->hw_vmcall_required);
}

/* A CPU or STMEXEC_FAULT_OFF. */
static ssize_t cpu_write(struct file *file, const char __user *ubuf,
			 size_t count, loff_t *ppos)
{
	return cpu_value_write(file, ubuf, count, STMEXEC_FAULT_OFF);
}

static const struct file_operations cpu_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = s32_read,
	.write = cpu_write,
	.llseek = default_llseek,
};

/* With a real STM (no sx->sim): called by stmexec_debugfs_init(). */
void stmexec_debugfs_stm_init(struct stmexec *sx, struct dentry *d)
{
	debugfs_create_file("skip_stop_cpu", 0600, d,
			    &sx->faults.skip_stop_cpu, &cpu_fops);
}
