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

void msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(code);
}

void usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: run '%s help' for the commands and forms\n", prog, prog);
	exit(EX_USAGE);
}

static const struct {
	int err;
	const char *name;
} errnames[] = {
#define E(x) { x, #x }
	E(EPERM), E(ENOENT), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(EBADF), E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT), E(EBUSY),
	E(EEXIST), E(ENODEV), E(EINVAL), E(ENOSPC), E(ENOTTY), E(ERANGE),
	E(ENOSYS), E(EOVERFLOW), E(EOPNOTSUPP), E(EADDRINUSE), E(ETIMEDOUT),
	E(EALREADY), E(EINPROGRESS), E(ECANCELED), E(ENOEXEC), E(EROFS),
#undef E
};

const char *errno_name(int err)
{
	static char buf[32];
	size_t i;

	for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].err == err)
			return errnames[i].name;
	snprintf(buf, sizeof(buf), "errno %d", err);
	return buf;
}

/* What to do about @err; @what is the operation ("protect", "enable"...). */
const char *errno_hint(int err, const char *what)
{
	bool unprot = what && !strcmp(what, "unprotect");

	switch (err) {
	case ENODEV:
		return "no usable VMX or STM on this machine, or the backend is unavailable: run 'stmexec check' for details; to test without hardware load the module with backend=sim";
	case EBUSY:
		return "VMX is owned by another hypervisor (unload kvm_intel, or on 6.12+ boot with kvm.enable_virt_at_load=0) or a state change is in progress (retry)";
	case EALREADY:
		return "the monitor is already on; 'stmexec disable' first to restart it";
	case ENXIO:
		return "the monitor is off: run 'stmexec enable' first";
	case EINVAL:
		return "the request is malformed: mem/mmio ranges need a 4 KiB-aligned base and size, lengths must be non-zero, deny= must fit the type; see 'stmexec help'";
	case ERANGE:
		return "the range wraps around or lies beyond the CPU's physical address width";
	case EADDRINUSE:
		return "the range overlaps a resource the firmware claims: see 'stmexec bios' and choose a range outside it";
	case EEXIST:
		return "the range is already protected: see 'stmexec ranges'";
	case ENOENT:
		return unprot ? "no such protected range: unprotect takes a range exactly as 'stmexec ranges' lists it" :
				"a needed object does not exist: see dmesg";
	case E2BIG:
		return "too many ranges (at most 16384 per call and in total): unprotect some first";
	case EIO:
		return "the STM returned an unexpected status: see dmesg and 'stmexec status'";
	case ETIMEDOUT:
		return "a CPU did not answer in time: see dmesg for which one";
	case EPERM:
	case EACCES:
		return "run as root (the device is mode 0600 and every request needs CAP_SYS_ADMIN)";
	case ENOTTY:
		return "the loaded module does not implement this request: it is older or newer than this CLI (see 'stmexec version')";
	case ENOMEM:
		return "the kernel ran out of memory";
	case EINTR:
		return "interrupted by a signal: retry";
	}
	return "see dmesg and 'stmexec status'";
}
