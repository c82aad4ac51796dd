/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a request of /dev/stmexec keeps its err_ptr (ABI 1.1, struct
 * stmexec_error), for the selftest library (lib/sx.c) and the stmexec CLI
 * (tools/dev.c): one list of the requests that carry a record, and one
 * test of whether the module writes records at all.
 */
#ifndef SX_ERRPTR_H
#define SX_ERRPTR_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/stmexec.h>

/*
 * Does a module that answered STMEXEC_GET_VERSION with @v write struct
 * stmexec_error through err_ptr? ABI 1.1 added the record; an ABI of
 * another major is not this header's.
 */
static inline bool sx_abi_has_errrec(const struct stmexec_version *v)
{
	return v->abi_major == STMEXEC_ABI_MAJOR && v->abi_minor >= 1;
}

/*
 * Ask the module behind @fd (/dev/stmexec): 1 if it writes error records,
 * 0 if not, -errno if STMEXEC_GET_VERSION failed.
 */
static inline int sx_errrec_probe(int fd)
{
	struct stmexec_version v;

	memset(&v, 0, sizeof(v));
	if (ioctl(fd, STMEXEC_GET_VERSION, &v))
		return -errno;
	return sx_abi_has_errrec(&v);
}

/* Where @cmd's request @arg keeps err_ptr, or NULL (no record, no @arg). */
static inline __u64 *sx_err_ptr_of(unsigned long cmd, void *arg)
{
	if (!arg)
		return NULL;
	switch (cmd) {
	case STMEXEC_PROTECT:
	case STMEXEC_UNPROTECT:
	case STMEXEC_LIST_RANGES:
	case STMEXEC_GET_BIOS_RESOURCES:
		return &((struct stmexec_range_array *)arg)->err_ptr;
	case STMEXEC_LOG_SETUP:
		return &((struct stmexec_log_setup *)arg)->err_ptr;
	case STMEXEC_VMCS_DB:
		return &((struct stmexec_vmcs_db *)arg)->err_ptr;
	case STMEXEC_CONTROL:
		return &((struct stmexec_control *)arg)->err_ptr;
	}
	return NULL;
}

#endif /* SX_ERRPTR_H */
