// SPDX-License-Identifier: GPL-2.0
/* stmexec CLI: /dev/stmexec and /sys/class/misc/stmexec access. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
/* one read/write of a sysfs file, shared with the selftest library */
#include "../selftests/include/sx_fileio.h"
#include "../selftests/include/sx_errptr.h"

/* Overridable for tests only (documented in stmexec.8 ENVIRONMENT). */
const char *dev_path(void)
{
	const char *p = getenv("STMEXEC_DEV");

	return p && *p ? p : "/dev/stmexec";
}

const char *sysfs_dir(void)
{
	const char *p = getenv("STMEXEC_SYSFS");

	return p && *p ? p : "/sys/class/misc/stmexec";
}

bool module_loaded(void)
{
	struct stat st;

	return stat(sysfs_dir(), &st) == 0 || stat("/sys/module/stmexec", &st) == 0;
}

int sysfs_read(const char *attr, char *buf, size_t len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", sysfs_dir(), attr);
	return __sx_path_read(path, buf, len);
}

int sysfs_write(const char *attr, const char *val)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", sysfs_dir(), attr);
	return __sx_path_write(path, val, strlen(val));
}

__noreturn
static void not_loaded(void)
{
	char devno[32];

	if (module_loaded()) {
		if (sysfs_read("dev", devno, sizeof(devno)) == 0) {
			char *colon = strchr(devno, ':');

			if (colon)
				*colon = ' ';
			cli_fatal_err(EX_NOMODULE, "%s not found although the module is loaded: mount devtmpfs on /dev ('mount -t devtmpfs none /dev') or create the node with 'mknod -m 0600 %s c %s'",
				      dev_path(), dev_path(), devno);
		}
		cli_fatal_err(EX_NOMODULE, "%s not found although the module is loaded: mount devtmpfs on /dev ('mount -t devtmpfs none /dev')",
			      dev_path());
	}
	cli_fatal_err(EX_NOMODULE, "%s not found: the stmexec module is not loaded: load it with 'modprobe stmexec' (or 'insmod stmexec.ko backend=sim' for the simulator)",
		      dev_path());
}

int dev_open(int flags)
{
	int fd = open(dev_path(), flags | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	switch (errno) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		not_loaded();
	case EACCES:
	case EPERM:
		cli_fatal_err(EX_PERM, "cannot open %s: permission denied: run as root (the device is mode 0600 and every request needs CAP_SYS_ADMIN)",
			      dev_path());
	}
	cli_fatal_err(EX_FAIL, "cannot open %s: %s (%s)",
		      dev_path(), errno_name(errno), strerror(errno));
}

/*
 * The error record of the request in flight (ABI 1.1), and a copy of the
 * last failed one's: the CLI is single-threaded and exits at its first
 * unexpected failure, but may make a lookup (GET_BIOS_RESOURCES to name a
 * descriptor) between the failure and ioctl_fail().
 */
static struct stmexec_error errrec, failrec;
static bool failrec_valid;

/* Does the module write struct stmexec_error (ABI >= 1.1)? Asked once. */
static bool dev_has_errrec(int fd)
{
	static int has = -1;

	if (has < 0)
		has = sx_errrec_probe(fd) > 0;
	return has;
}

/* STMEXEC_CTL_* for the commands without an argument, else 0. */
static unsigned int ctl_op(unsigned long cmd)
{
	switch (cmd) {
	case STMEXEC_ENABLE:
		return STMEXEC_CTL_ENABLE;
	case STMEXEC_DISABLE:
		return STMEXEC_CTL_DISABLE;
	case STMEXEC_LOG_START:
		return STMEXEC_CTL_LOG_START;
	case STMEXEC_LOG_STOP:
		return STMEXEC_CTL_LOG_STOP;
	case STMEXEC_LOG_CLEAR:
		return STMEXEC_CTL_LOG_CLEAR;
	}
	return 0;
}

static int ioctl_retry(int fd, unsigned long cmd, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, cmd, arg);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : 0;
}

/*
 * With a module of ABI >= 1.1 every request that can carry an error
 * record carries ours, and ENABLE/DISABLE/LOG_* go as STMEXEC_CONTROL, so
 * that ioctl_fail() prints this request's own reason; with an older
 * module the requests go as they are (err_ptr 0) and ioctl_fail() falls
 * back to sysfs last_error. A caller that set err_ptr keeps its record.
 */
int dev_ioctl_try(int fd, unsigned long cmd, void *arg)
{
	__u64 *ep = sx_err_ptr_of(cmd, arg);
	unsigned int op = ctl_op(cmd);
	struct stmexec_control c;
	int ret;

	if ((!op && (!ep || *ep)) || !dev_has_errrec(fd)) {
		ret = ioctl_retry(fd, cmd, arg);
		if (ret)
			failrec_valid = false;
		return ret;
	}
	memset(&errrec, 0, sizeof(errrec));
	if (op) {
		memset(&c, 0, sizeof(c));
		c.op = op;
		c.err_ptr = (uintptr_t)&errrec;
		ret = ioctl_retry(fd, STMEXEC_CONTROL, &c);
	} else {
		*ep = (uintptr_t)&errrec;
		ret = ioctl_retry(fd, cmd, arg);
		*ep = 0;
	}
	if (ret) {
		failrec = errrec;
		failrec_valid = true;
	}
	return ret;
}

void ioctl_fail(int err, const char *what, const char *extra)
{
	char last[512];

	cli_err("%s failed: %s (%s)", what, errno_name(err), strerror(err));
	if (extra && *extra)
		cli_err("%s", extra);
	if (failrec_valid && failrec.code == (__u32)err) {
		/* this request's own reason, never another caller's */
		if (failrec.msg[0])
			cli_err("kernel reason: %.*s%s", (int)sizeof(failrec.msg),
				failrec.msg,
				failrec.flags & STMEXEC_ERRF_TRUNCATED ? " [...]" : "");
	} else if (err != EPERM && err != EACCES && err != ENOTTY &&
		   sysfs_read("last_error", last, sizeof(last)) == 0 &&
		   last[0] && strcmp(last, "none")) {
		/* a module older than ABI 1.1: the last failure of anyone */
		cli_err("kernel reason (last_error, the last failure of any caller): %s",
			last);
	}
	cli_err("hint: %s", errno_hint(err, what));
	exit(err == EPERM || err == EACCES ? EX_PERM : EX_FAIL);
}

void dev_ioctl(int fd, unsigned long cmd, void *arg, const char *what)
{
	int ret = dev_ioctl_try(fd, cmd, arg);

	if (ret)
		ioctl_fail(-ret, what, NULL);
}

struct stmexec_range *dev_get_ranges(int fd, unsigned long cmd,
				     unsigned int *count, const char *what)
{
	struct stmexec_range_array arr;
	struct stmexec_range *r = NULL;
	unsigned int cap = 64;
	int tries;

	for (tries = 0; tries < 8; tries++) {
		free(r);
		r = calloc(cap, sizeof(*r));
		if (!r)
			cli_fatal_err(EX_FAIL, "out of memory");
		memset(&arr, 0, sizeof(arr));
		arr.ranges_ptr = (uintptr_t)r;
		arr.count = cap;
		dev_ioctl(fd, cmd, &arr, what);
		if (arr.count <= cap) {
			*count = arr.count;
			return r;
		}
		cap = arr.count;	/* grew: retry with the size it reported */
	}
	cli_fatal_err(EX_FAIL, "%s: the list keeps changing size; retry", what);
}

/* ---- CPU coverage ----------------------------------------------------------- */

int cpu_coverage(unsigned int *present, unsigned int *covered, char *missing,
		 size_t len)
{
	char pres[4096] = "", act[4096] = "";
	FILE *f;

	*present = *covered = 0;
	if (len)
		missing[0] = '\0';
	f = fopen("/sys/devices/system/cpu/present", "r");
	if (!f)
		return -1;
	if (!fgets(pres, sizeof(pres), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	if (sysfs_read("cpus_active_list", act, sizeof(act)))
		act[0] = '\0';
	return cpulist_coverage(pres, act, present, covered, missing, len);
}
