// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The one table of the STM status codes (sec. 12): the name as the
 * reference spells it and the errno each kind of call reports for it. The
 * module (stmexec_status_to_errno(), stmexec_call_errno()) and the unit
 * tests read it; Documentation/admin-guide/stmexec.rst ("Errors") is its
 * description. tests/test_dispatch.c checks that every status wire.h
 * defines has a row.
 *
 * Columns: STM_CALL_ANY is what any VMCALL returning the status means
 * (unknown statuses: EIO); the other columns refine it for one kind of
 * call, where the status says more (0: no refinement). Examples: a
 * MANAGE_EVENT_LOG that finds no log is ENOENT ("set it up first"), not
 * ENXIO ("the monitor is off"); a PROTECT list the STM calls malformed is
 * the module's bug (EIO), not the caller's (EINVAL); INVALID_VMCS_DATABASE
 * is a full database on ADD and an unknown VMCS on REMOVE.
 */
#include "core_priv.h"

struct stm_status_info {
	uint32_t status;
	const char *name;
	uint8_t err[STM_CALL_NR];
};

#define S(st, nm, any, log, rsc, db_add, db_remove) \
	{ .status = (st), .name = (nm), .err = { \
		[STM_CALL_ANY] = (any), [STM_CALL_LOG] = (log), \
		[STM_CALL_RSC] = (rsc), [STM_CALL_VMCS_DB_ADD] = (db_add), \
		[STM_CALL_VMCS_DB_REMOVE] = (db_remove) } }

static const struct stm_status_info stm_status_table[] = {
	/*
	 * status, name, then the errno of: any call, MANAGE_EVENT_LOG,
	 * [UN]PROTECT_RESOURCE, MANAGE_VMCS_DATABASE ADD and REMOVE
	 */
	S(STM_SUCCESS, "STM_SUCCESS",
	  0, 0, 0, 0, 0),
	S(STM_ERROR_SECURITY_VIOLATION, "ERROR_STM_SECURITY_VIOLATION",
	  STM_EACCES, 0, 0, 0, 0),
	S(STM_ERROR_CACHE_TYPE_NOT_SUPPORTED, "ERROR_STM_CACHE_TYPE_NOT_SUPPORTED",
	  STM_EINVAL, 0, 0, 0, 0),
	S(STM_ERROR_PAGE_NOT_FOUND, "ERROR_STM_PAGE_NOT_FOUND",
	  STM_EINVAL, 0, 0, 0, 0),
	S(STM_ERROR_BAD_CR3, "ERROR_STM_BAD_CR3",
	  STM_EINVAL, 0, 0, 0, 0),
	S(STM_ERROR_PHYSICAL_OVER_4G, "ERROR_STM_PHYSICAL_OVER_4G",
	  STM_ERANGE, 0, 0, 0, 0),
	S(STM_ERROR_VIRTUAL_SPACE_TOO_SMALL, "ERROR_STM_VIRTUAL_SPACE_TOO_SMALL",
	  STM_ENOSPC, 0, 0, 0, 0),
	S(STM_ERROR_UNPROTECTABLE_RESOURCE, "ERROR_STM_UNPROTECTABLE_RESOURCE",
	  STM_EADDRINUSE, 0, STM_EADDRINUSE, 0, 0),
	S(STM_ERROR_ALREADY_STARTED, "ERROR_STM_ALREADY_STARTED",
	  STM_EALREADY, 0, 0, 0, 0),
	S(STM_ERROR_WITHOUT_SMX_UNSUPPORTED, "ERROR_STM_WITHOUT_SMX_UNSUPPORTED",
	  STM_EOPNOTSUPP, 0, 0, 0, 0),
	S(STM_ERROR_STOPPED, "ERROR_STM_STOPPED",
	  STM_ENXIO, 0, 0, 0, 0),
	S(STM_ERROR_BUFFER_TOO_SMALL, "ERROR_STM_BUFFER_TOO_SMALL",
	  STM_EINVAL, 0, 0, 0, 0),
	S(STM_ERROR_INVALID_VMCS_DATABASE, "ERROR_STM_INVALID_VMCS_DATABASE",
	  STM_EINVAL, 0, 0, STM_ENOSPC, STM_ENOENT),
	S(STM_ERROR_MALFORMED_RESOURCE_LIST, "ERROR_STM_MALFORMED_RESOURCE_LIST",
	  STM_EINVAL, 0, STM_EIO, 0, 0),
	S(STM_ERROR_INVALID_PAGECOUNT, "ERROR_STM_INVALID_PAGECOUNT",
	  STM_EINVAL, STM_EINVAL, 0, 0, 0),
	S(STM_ERROR_LOG_ALLOCATED, "ERROR_STM_LOG_ALLOCATED",
	  STM_EALREADY, STM_EBUSY, 0, 0, 0),
	S(STM_ERROR_LOG_NOT_ALLOCATED, "ERROR_STM_LOG_NOT_ALLOCATED",
	  STM_ENXIO, STM_ENOENT, 0, 0, 0),
	S(STM_ERROR_LOG_NOT_STOPPED, "ERROR_STM_LOG_NOT_STOPPED",
	  STM_EBUSY, STM_EBUSY, 0, 0, 0),
	S(STM_ERROR_LOG_NOT_STARTED, "ERROR_STM_LOG_NOT_STARTED",
	  STM_ENXIO, STM_EALREADY, 0, 0, 0),
	S(STM_ERROR_RESERVED_BIT_SET, "ERROR_STM_RESERVED_BIT_SET",
	  STM_EINVAL, STM_EINVAL, 0, 0, 0),
	S(STM_ERROR_NO_EVENTS_ENABLED, "ERROR_STM_NO_EVENTS_ENABLED",
	  STM_EINVAL, STM_EINVAL, 0, 0, 0),
	S(STM_ERROR_OUT_OF_RESOURCES, "ERROR_STM_OUT_OF_RESOURCES",
	  STM_ENOSPC, 0, STM_ENOSPC, 0, 0),
	S(STM_ERROR_FUNCTION_NOT_SUPPORTED, "ERROR_STM_FUNCTION_NOT_SUPPORTED",
	  STM_EOPNOTSUPP, 0, 0, 0, 0),
	S(STM_ERROR_UNPROTECTABLE, "ERROR_STM_UNPROTECTABLE",
	  STM_EACCES, 0, 0, 0, 0),
	S(STM_ERROR_UNSUPPORTED_MSR_BIT, "ERROR_STM_UNSUPPORTED_MSR_BIT",
	  STM_EINVAL, 0, 0, 0, 0),
	S(STM_ERROR_UNSPECIFIED, "ERROR_STM_UNSPECIFIED",
	  STM_EIO, 0, 0, 0, 0),
	S(STM_ERROR_SMM_BAD_BUFFER, "ERROR_SMM_BAD_BUFFER",
	  STM_EIO, 0, 0, 0, 0),
	S(STM_ERROR_SMM_INVALID_RSC, "ERROR_SMM_INVALID_RSC",
	  STM_EIO, 0, 0, 0, 0),
	S(STM_ERROR_SMM_INVALID_BUFFER_SIZE, "ERROR_SMM_INVALID_BUFFER_SIZE",
	  STM_EIO, 0, 0, 0, 0),
	S(STM_ERROR_SMM_BUFFER_TOO_SHORT, "ERROR_SMM_BUFFER_TOO_SHORT",
	  STM_EIO, 0, 0, 0, 0),
	S(STM_ERROR_SMM_INVALID_LIST, "ERROR_SMM_INVALID_LIST",
	  STM_EIO, 0, 0, 0, 0),
	S(STM_ERROR_SMM_OUT_OF_MEMORY, "ERROR_SMM_OUT_OF_MEMORY",
	  STM_EIO, 0, 0, 0, 0),
	S(STM_ERROR_SMM_AFTER_INIT, "ERROR_SMM_AFTER_INIT",
	  STM_EIO, 0, 0, 0, 0),
	S(STM_ERROR_SMM_UNSPECIFIED, "ERROR_SMM_UNSPECIFIED",
	  STM_EIO, 0, 0, 0, 0),
	S(STM_ERROR_INVALID_API, "ERROR_INVALID_API",
	  STM_EOPNOTSUPP, 0, 0, 0, 0),
	S(STM_ERROR_INVALID_PARAMETER, "ERROR_INVALID_PARAMETER",
	  STM_EINVAL, 0, 0, 0, 0),
	S(STM_CRASH_PROTECTION_EXCEPTION, "STM_CRASH_PROTECTION_EXCEPTION",
	  STM_EIO, 0, 0, 0, 0),
	S(STM_CRASH_PROTECTION_EXCEPTION_FAILURE, "STM_CRASH_PROTECTION_EXCEPTION_FAILURE",
	  STM_EIO, 0, 0, 0, 0),
	S(STM_CRASH_DOMAIN_DEGRADATION_FAILURE, "STM_CRASH_DOMAIN_DEGRADATION_FAILURE",
	  STM_EIO, 0, 0, 0, 0),
	S(STM_CRASH_BIOS_PANIC, "STM_CRASH_BIOS_PANIC",
	  STM_EIO, 0, 0, 0, 0),
	{ .name = (const char *)0 },
};

#undef S

static const struct stm_status_info *status_info(uint32_t status)
{
	uint32_t i;

	for (i = 0; stm_status_table[i].name; i++) {
		if (stm_status_table[i].status == status)
			return &stm_status_table[i];
	}
	return (const struct stm_status_info *)0;
}

const char *stm_status_name(uint32_t status)
{
	const struct stm_status_info *si = status_info(status);

	return si ? si->name : "UNKNOWN_STM_STATUS";
}

int stm_status_known(uint32_t status)
{
	return status_info(status) != (const struct stm_status_info *)0;
}

uint32_t stm_status_errno(uint32_t status, enum stm_call call)
{
	const struct stm_status_info *si = status_info(status);

	if (!si)
		return STM_EIO;
	if ((uint32_t)call < STM_CALL_NR && si->err[call])
		return si->err[call];
	return si->err[STM_CALL_ANY];
}

uint32_t stm_status_errno_refined(uint32_t status, enum stm_call call)
{
	const struct stm_status_info *si = status_info(status);

	if (!si || call == STM_CALL_ANY || (uint32_t)call >= STM_CALL_NR)
		return 0;
	return si->err[call];
}
