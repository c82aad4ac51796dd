// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: /dev/stmexec - the ioctl interface, read(2) and poll(2) of the
 * violation log.
 *
 * Every ioctl needs CAP_SYS_ADMIN and runs the request under sx->lock; the
 * work is done by ranges.c, log.c and vmcs_db.c; this file only copies,
 * checks the fields that must be zero and dispatches. See
 * Documentation/userspace-api/stmexec.rst.
 *
 * A request with an err_ptr (ABI 1.1) gets its own struct stmexec_error:
 * req_open() checks that it is writable before anything happens and puts
 * a struct stmexec_req on sx->reqs (error.c), req_close() copies what
 * this task's stmexec_fail() calls formatted into it, on failure as on
 * success.
 */
#include "stmexec.h"
#include "error.h"
#include "backend.h"
#include "features.h"

#include <linux/capability.h>
#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>

/* One open file: the device and the file's own log read cursor. */
struct stmexec_file {
	struct stmexec *sx;
	struct stmexec_log_cursor cur;
};

static struct stmexec *file_sx(struct file *file)
{
	struct stmexec_file *sf = file->private_data;

	return sf->sx;
}

static bool all_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

/*
 * Start a request's error record. @uptr is the caller's err_ptr (0: none,
 * an ABI 1.0 caller); it is cleared first, so a bad pointer fails with
 * -EFAULT before anything changes (and a record never holds stale data).
 */
static int req_open(struct stmexec *sx, struct stmexec_req *req, u64 uptr)
{
	if (uptr && clear_user(u64_to_user_ptr(uptr),
			       sizeof(struct stmexec_error)))
		return -EFAULT;
	stmexec_req_begin(sx, req);
	return 0;
}

/*
 * End a request: write its outcome to @uptr (if any) and return @ret.
 * @index: the offending entry, or ~0. A record that cannot be written
 * after a request succeeded does not turn it into a failure (the change
 * is made); the caller sees the zeroed record req_open() wrote.
 */
static long req_close(struct stmexec *sx, struct stmexec_req *req, u64 uptr,
		      u32 index, long ret)
{
	struct stmexec_error e;

	stmexec_req_end(sx, req);
	if (!uptr)
		return ret;
	memset(&e, 0, sizeof(e));
	e.index = STMEXEC_NO_INDEX;
	if (ret < 0) {
		/* a signal: the caller sees EINTR or a restart */
		e.code = ret == -ERESTARTSYS ? EINTR : -ret;
		e.index = index;
		if (req->code) {
			strscpy(e.msg, req->msg, sizeof(e.msg));
			if (req->truncated)
				e.flags |= STMEXEC_ERRF_TRUNCATED;
		}
	}
	if (copy_to_user(u64_to_user_ptr(uptr), &e, sizeof(e)) && !ret)
		return 0;
	return ret;
}

/*
 * The feature bits say what works on this kernel and CPU, not what was
 * compiled: VMX_BACKEND only if the kernel exports the CR4 API backend=vmx
 * needs (STMEXEC_VMX_OWNABLE, compat.h) and the CPU reports VMX (the
 * kernel clears the flag when IA32_FEATURE_CONTROL locks VMX off); ATTEST
 * only if IMA accepted the report (attest.c).
 */
static long ioc_get_version(struct stmexec *sx, void __user *argp)
{
	struct stmexec_version v;

	memset(&v, 0, sizeof(v));
	v.abi_major = STMEXEC_ABI_MAJOR;
	v.abi_minor = STMEXEC_ABI_MINOR;
	v.features = STMEXEC_FEATURES_BASE | STMEXEC_FEAT_POLICY;
	if (STMEXEC_VMX_OWNABLE && boot_cpu_has(X86_FEATURE_VMX))
		v.features |= STMEXEC_FEAT_VMX_BACKEND;
	if (stmexec_attest_measuring(sx))
		v.features |= STMEXEC_FEAT_ATTEST;
	return copy_to_user(argp, &v, sizeof(v)) ? -EFAULT : 0;
}

static long ioc_get_status(struct stmexec *sx, void __user *argp)
{
	struct stmexec_log_stats ls;
	struct stmexec_status st;
	int ret;

	memset(&st, 0, sizeof(st));
	ret = stmexec_lock_interruptible(sx);
	if (ret)
		return ret;
	st.state = sx->state;
	st.backend = sx->ops ? sx->ops->id : 0;
	st.cpus_online = num_online_cpus();
	st.cpus_active = cpumask_weight(&sx->active);
	st.launch_mode = sx->launch_mode;
	st.stm_caps = sx->stm_caps;
	st.last_errno = sx->last_errno;
	st.nr_ranges = stmexec_ranges_count(sx);
	st.policy_level = stmexec_policy_level(sx);
	mutex_unlock(&sx->lock);

	stmexec_log_stats(sx, &ls);
	st.log_records = ls.records;
	st.log_dropped = ls.dropped;
	st.log_wrapped = ls.wrapped;
	return copy_to_user(argp, &st, sizeof(st)) ? -EFAULT : 0;
}

/* Check an array header copied in: flags and reserved must be zero. */
static int arr_check(struct stmexec *sx, struct stmexec_range_array *a)
{
	a->err_index = STMEXEC_NO_INDEX;
	a->bios_index = STMEXEC_NO_INDEX;
	if (a->flags || a->reserved)
		return stmexec_fail(sx, -EINVAL,
				    "range array: flags and reserved must be zero");
	return 0;
}

static long do_protect(struct stmexec *sx, struct stmexec_range_array *a,
		       bool protect)
{
	struct stmexec_range *r = NULL;
	long ret;
	u32 i;

	ret = arr_check(sx, a);
	if (ret)
		return ret;
	if (a->count > STMEXEC_MAX_RANGES)
		return stmexec_fail(sx, -E2BIG,
				    "%u ranges in one request, at most %u: split the request",
				    a->count, STMEXEC_MAX_RANGES);
	if (a->count) {
		r = vmemdup_user(u64_to_user_ptr(a->ranges_ptr),
				 array_size(a->count, sizeof(*r)));
		if (IS_ERR(r))
			return PTR_ERR(r);
	}
	/* index is output only: zero on input, so it can get a meaning later */
	for (i = 0; i < a->count; i++) {
		if (!r[i].index)
			continue;
		a->err_index = i;
		ret = stmexec_fail(sx, -EINVAL,
				   "range %u: index is output only and must be zero",
				   i);
		goto out_free;
	}

	ret = stmexec_lock_interruptible(sx);
	if (ret)
		goto out_free;
	if (protect)
		ret = stmexec_ranges_protect(sx, r, a->count, 0, &a->err_index,
					     &a->bios_index);
	else
		ret = stmexec_ranges_unprotect(sx, r, a->count, 0,
					       &a->err_index);
	mutex_unlock(&sx->lock);
out_free:
	kvfree(r);
	return ret;
}

/* LIST_RANGES and GET_BIOS_RESOURCES: snapshot under the lock, copy after. */
static long do_list(struct stmexec *sx, struct stmexec_range_array *a,
		    bool bios)
{
	struct stmexec_range *r = NULL;
	u32 cap, total = 0;
	long ret;

	ret = arr_check(sx, a);
	if (ret)
		return ret;

	cap = min_t(u32, a->count, STMEXEC_MAX_RANGES);
	if (cap) {
		r = kvcalloc(cap, sizeof(*r), GFP_KERNEL);
		if (!r)
			return -ENOMEM;
	}

	ret = stmexec_lock_interruptible(sx);
	if (ret)
		goto out_free;
	if (bios) {
		if (!sx->bios_list) {
			ret = stmexec_fail(sx, -ENXIO,
					   "no BIOS resource list: enable the monitor first");
		} else {
			total = sx->nbios;
			if (cap)
				memcpy(r, sx->bios,
				       array_size(min(cap, total), sizeof(*r)));
		}
	} else {
		total = stmexec_ranges_list(sx, r, cap);
	}
	mutex_unlock(&sx->lock);
	if (ret)
		goto out_free;

	if (cap && copy_to_user(u64_to_user_ptr(a->ranges_ptr), r,
				array_size(min(cap, total), sizeof(*r)))) {
		ret = -EFAULT;
		goto out_free;
	}
	a->count = total;
out_free:
	kvfree(r);
	return ret;
}

/*
 * PROTECT, UNPROTECT, LIST_RANGES, GET_BIOS_RESOURCES: the header is
 * copied back on failure too (err_index, bios_index); a failed copy of
 * the ranges themselves (LIST) keeps the header as it came in.
 */
static long ioc_ranges(struct stmexec *sx, void __user *argp, unsigned int cmd)
{
	struct stmexec_range_array a;
	struct stmexec_req req;
	long ret;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	ret = req_open(sx, &req, a.err_ptr);
	if (ret)
		return ret;
	switch (cmd) {
	case STMEXEC_PROTECT:
	case STMEXEC_UNPROTECT:
		ret = do_protect(sx, &a, cmd == STMEXEC_PROTECT);
		break;
	default:
		ret = do_list(sx, &a, cmd == STMEXEC_GET_BIOS_RESOURCES);
		if (ret == -EFAULT)
			return req_close(sx, &req, a.err_ptr, STMEXEC_NO_INDEX, ret);
		break;
	}
	if (copy_to_user(argp, &a, sizeof(a)))
		ret = -EFAULT;
	return req_close(sx, &req, a.err_ptr, a.err_index, ret);
}

static long ioc_log_setup(struct stmexec *sx, void __user *argp)
{
	struct stmexec_log_setup ls;
	struct stmexec_req req;
	long ret;

	if (copy_from_user(&ls, argp, sizeof(ls)))
		return -EFAULT;
	ret = req_open(sx, &req, ls.err_ptr);
	if (ret)
		return ret;
	if (ls.flags || ls.reserved) {
		ret = stmexec_fail(sx, -EINVAL,
				   "LOG_SETUP: flags and reserved must be zero");
		goto out;
	}
	ret = stmexec_lock_interruptible(sx);
	if (ret)
		goto out;
	ret = stmexec_log_setup(sx, &ls);
	mutex_unlock(&sx->lock);
out:
	return req_close(sx, &req, ls.err_ptr, STMEXEC_NO_INDEX, ret);
}

static long do_ctl(struct stmexec *sx, u32 op)
{
	long ret;

	ret = stmexec_lock_interruptible(sx);
	if (ret)
		return ret;
	switch (op) {
	case STMEXEC_CTL_ENABLE:
		ret = stmexec_enable(sx);
		break;
	case STMEXEC_CTL_DISABLE:
		ret = stmexec_disable(sx);
		break;
	case STMEXEC_CTL_LOG_START:
		ret = stmexec_log_start(sx);
		break;
	case STMEXEC_CTL_LOG_STOP:
		ret = stmexec_log_stop(sx);
		break;
	default:
		ret = stmexec_log_clear(sx);
		break;
	}
	mutex_unlock(&sx->lock);
	return ret;
}

/* ENABLE, DISABLE, LOG_START, LOG_STOP, LOG_CLEAR: no argument, no record. */
static long ioc_ctl_old(struct stmexec *sx, unsigned int cmd)
{
	switch (cmd) {
	case STMEXEC_ENABLE:
		return do_ctl(sx, STMEXEC_CTL_ENABLE);
	case STMEXEC_DISABLE:
		return do_ctl(sx, STMEXEC_CTL_DISABLE);
	case STMEXEC_LOG_START:
		return do_ctl(sx, STMEXEC_CTL_LOG_START);
	case STMEXEC_LOG_STOP:
		return do_ctl(sx, STMEXEC_CTL_LOG_STOP);
	default:
		return do_ctl(sx, STMEXEC_CTL_LOG_CLEAR);
	}
}

/* CONTROL (ABI 1.1): the same five operations, with an error record. */
static long ioc_control(struct stmexec *sx, void __user *argp)
{
	struct stmexec_control c;
	struct stmexec_req req;
	long ret;

	if (copy_from_user(&c, argp, sizeof(c)))
		return -EFAULT;
	ret = req_open(sx, &req, c.err_ptr);
	if (ret)
		return ret;
	if (c.flags || !all_zero(c.reserved, sizeof(c.reserved)))
		ret = stmexec_fail(sx, -EINVAL,
				   "CONTROL: flags and reserved must be zero");
	else if (c.op < STMEXEC_CTL_ENABLE || c.op > STMEXEC_CTL_LOG_CLEAR)
		ret = stmexec_fail(sx, -EINVAL,
				   "CONTROL: unknown op %u: use STMEXEC_CTL_ENABLE..STMEXEC_CTL_LOG_CLEAR (1..5)",
				   c.op);
	else
		ret = do_ctl(sx, c.op);
	return req_close(sx, &req, c.err_ptr, STMEXEC_NO_INDEX, ret);
}

static long ioc_vmcs_db(struct stmexec *sx, void __user *argp)
{
	struct stmexec_vmcs_db v;
	struct stmexec_req req;
	long ret;

	if (copy_from_user(&v, argp, sizeof(v)))
		return -EFAULT;
	ret = req_open(sx, &req, v.err_ptr);
	if (ret)
		return ret;
	if (v.flags || v.pad || v.reserved) {
		ret = stmexec_fail(sx, -EINVAL,
				   "VMCS_DB: flags, pad and reserved must be zero");
		goto out;
	}
	ret = stmexec_lock_interruptible(sx);
	if (ret)
		goto out;
	ret = stmexec_vmcs_db(sx, &v);
	mutex_unlock(&sx->lock);
out:
	return req_close(sx, &req, v.err_ptr, STMEXEC_NO_INDEX, ret);
}

static long stmexec_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct stmexec *sx = file_sx(file);
	void __user *argp = (void __user *)arg;

	/*
	 * Checked first and without touching last_error: an unprivileged
	 * caller must not be able to change any state of the module.
	 */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;

	switch (cmd) {
	case STMEXEC_GET_VERSION:
		return ioc_get_version(sx, argp);
	case STMEXEC_GET_STATUS:
		return ioc_get_status(sx, argp);
	case STMEXEC_ENABLE:
	case STMEXEC_DISABLE:
	case STMEXEC_LOG_START:
	case STMEXEC_LOG_STOP:
	case STMEXEC_LOG_CLEAR:
		return ioc_ctl_old(sx, cmd);
	case STMEXEC_CONTROL:
		return ioc_control(sx, argp);
	case STMEXEC_PROTECT:
	case STMEXEC_UNPROTECT:
	case STMEXEC_LIST_RANGES:
	case STMEXEC_GET_BIOS_RESOURCES:
		return ioc_ranges(sx, argp, cmd);
	case STMEXEC_LOG_SETUP:
		return ioc_log_setup(sx, argp);
	case STMEXEC_VMCS_DB:
		return ioc_vmcs_db(sx, argp);
	}

	/*
	 * Silently, without the lock and without touching last_error: TCGETS
	 * from isatty() and other probes of foreign commands are not errors
	 * of the monitor.
	 */
	return -ENOTTY;
}

static int stmexec_open(struct inode *inode, struct file *file)
{
	/* misc_open() left the miscdevice in private_data. */
	struct miscdevice *misc = file->private_data;
	struct stmexec_file *sf;

	sf = kzalloc(sizeof(*sf), GFP_KERNEL);
	if (!sf)
		return -ENOMEM;
	sf->sx = container_of(misc, struct stmexec, misc);
	stmexec_log_cursor_init(&sf->cur);
	file->private_data = sf;
	return stream_open(inode, file);
}

static int stmexec_release(struct inode *inode, struct file *file)
{
	struct stmexec_file *sf = file->private_data;

	stmexec_log_cursor_release(sf->sx, &sf->cur);
	kfree(sf);
	return 0;
}

/* Violation records are privileged like every ioctl: CAP_SYS_ADMIN. */
static ssize_t stmexec_read(struct file *file, char __user *buf,
			    size_t count, loff_t *ppos)
{
	struct stmexec_file *sf = file->private_data;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return stmexec_log_read(sf->sx, &sf->cur, buf, count,
				file->f_flags & O_NONBLOCK);
}

static __poll_t stmexec_poll(struct file *file, poll_table *pt)
{
	struct stmexec_file *sf = file->private_data;

	return stmexec_log_poll(sf->sx, &sf->cur, file, pt);
}

static const struct file_operations stmexec_fops = {
	.owner = THIS_MODULE,
	.open = stmexec_open,
	.release = stmexec_release,
	.read = stmexec_read,
	.poll = stmexec_poll,
	.unlocked_ioctl = stmexec_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/* ---- registration ------------------------------------------------------ */

int stmexec_chardev_register(struct stmexec *sx)
{
	sx->misc.minor = MISC_DYNAMIC_MINOR;
	sx->misc.name = "stmexec";
	sx->misc.fops = &stmexec_fops;
	sx->misc.mode = 0600;
	sx->misc.groups = stmexec_groups;
	return misc_register(&sx->misc);
}

void stmexec_chardev_unregister(struct stmexec *sx)
{
	misc_deregister(&sx->misc);
}
