// SPDX-License-Identifier: GPL-2.0
/* stmexec CLI: messages, exit codes and what each errno means here. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

const char *prog = "stmexec";

static void vmsg(const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cli_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void cli_fatal_err(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(code);
}

void cli_usage_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: run '%s help' for the commands and forms\n", prog, prog);
	exit(EX_USAGE);
}

#define H_EDQUOT "the STM would run out of heap: see 'stmexec status' (stm nodes) " \
	"and the node_budget=/heap_budget= module parameters"

static const struct {
	int err;
	const char *name;
} errnames[] = {
#define E(x) { x, #x }
	E(EPERM), E(ENOENT), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(EBADF), E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT), E(EBUSY),
	E(EEXIST), E(ENODEV), E(EINVAL), E(ENOSPC), E(ENOTTY), E(ERANGE),
	E(EOVERFLOW), E(EOPNOTSUPP), E(EADDRINUSE), E(ETIMEDOUT),
	E(EALREADY), E(EINPROGRESS), E(ECANCELED), E(ENOEXEC), E(EROFS),
	E(EDQUOT),
	E(EHOSTDOWN), E(EPROTONOSUPPORT),
#undef E
};

const char *errno_name(int err)
{
	static char buf[32];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(errnames); i++)
		if (errnames[i].err == err)
			return errnames[i].name;
	snprintf(buf, sizeof(buf), "errno %d", err);
	return buf;
}

#define H_ENODEV "no usable VMX or STM on this machine, or the backend is unavailable: run 'stmexec check' for details; to test without hardware load the module with backend=sim"
#define H_EBUSY "VMX is owned by another hypervisor (unload kvm_intel, or on 6.12+ boot with kvm.enable_virt_at_load=0) or a state change is in progress (retry)"
#define H_EINVAL "the request is malformed: mem/mmio ranges need a 4 KiB-aligned base and size, lengths must be non-zero, deny= must fit the type; see 'stmexec help'"
#define H_EADDRINUSE "the range overlaps a resource the firmware claims: see 'stmexec bios' and choose a range outside it"
#define H_E2BIG "too many ranges (at most 16384 per call and in total): unprotect some first"
#define H_EPERM "run as root (the device is mode 0600 and every request needs CAP_SYS_ADMIN)"
#define H_ENOTTY "the loaded module does not implement this request: it is older or newer than this CLI (see 'stmexec version')"

#define H_EHOSTDOWN "a present CPU is offline, and SMIs there would bypass the STM: bring every CPU online (/sys/devices/system/cpu/cpuN/online, smt/control) and enable again"
#define H_EPROTONOSUPPORT "the kernel runs with 5-level paging or kernel IBT, which the STM would inherit: boot with no5lvl and ibt=off"

#define H_NO_SUCH_RANGE \
	"no such protected range: unprotect takes a range exactly as 'stmexec ranges' lists it"

#define H_EIO_DISABLE \
	"a CPU could not be stopped or could not leave VMX operation (dmesg names it): run 'stmexec disable' again to retry, else reboot"

/* What to do about @err; @what is the operation ("protect", "enable"...). */
const char *errno_hint(int err, const char *what)
{
	bool unprot = what && !strcmp(what, "unprotect");

	switch (err) {
	case ENODEV:
		return H_ENODEV;
	case EBUSY:
		return H_EBUSY;
	case EALREADY:
		return "the monitor is already on; 'stmexec disable' first to restart it";
	case ENXIO:
		return "the monitor is off: run 'stmexec enable' first";
	case EINVAL:
		return H_EINVAL;
	case ERANGE:
		return "the range wraps around or lies beyond the CPU's physical address width";
	case EADDRINUSE:
		return H_EADDRINUSE;
	case EEXIST:
		return "the range is already protected: see 'stmexec ranges'";
	case ENOENT:
		if (unprot)
			return H_NO_SUCH_RANGE;
		return "a needed object does not exist: see dmesg";
	case E2BIG:
		return H_E2BIG;
	case EIO:
		if (what && !strcmp(what, "disable"))
			return H_EIO_DISABLE;
		return "the STM returned an unexpected status: see dmesg and 'stmexec status'";
	case ETIMEDOUT:
		return "a CPU did not answer in time: see dmesg for which one";
	case EPERM:
	case EACCES:
		return H_EPERM;
	case ENOTTY:
		return H_ENOTTY;
	case ENOMEM:
		return "the kernel ran out of memory";
	case EINTR:
		return "interrupted by a signal: retry";
	case EDQUOT:
		return H_EDQUOT;
	case EHOSTDOWN:
		return H_EHOSTDOWN;
	case EPROTONOSUPPORT:
		return H_EPROTONOSUPPORT;
	}
	return "see dmesg and 'stmexec status'";
}
