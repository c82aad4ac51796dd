/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a request of /dev/stmexec keeps its err_ptr (ABI 1.1, struct
 * stmexec_error), for the selftest library (lib/sx.c) and the stmexec CLI
 * (tools/dev.c): one list of the requests that carry a record.
 */
#ifndef SX_ERRPTR_H
#define SX_ERRPTR_H

#include <stddef.h>
#include <linux/stmexec.h>

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
