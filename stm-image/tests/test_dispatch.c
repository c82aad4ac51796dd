// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Wire layout, status names, VMCALL dispatch and the per-CPU state machine. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "tests.h"

void test_wire_layout(void)
{
	union stm_rsc r;

	/* the static asserts are the real check; a few runtime mirrors */
	CHECK_EQ(sizeof(union stm_rsc), 32);
	CHECK_EQ(sizeof(struct stm_psd), 137);
	CHECK_EQ(sizeof(struct stm_log_entry), 256);
	CHECK_EQ(sizeof(struct stm_event_log_management_request), 16);
	CHECK_EQ(sizeof(struct stm_vmcs_database_request), 16);
	CHECK_EQ(sizeof(struct stm_hw_header), 2048);
	memset(&r, 0, sizeof(r));
	r.hdr.flags = STM_RSC_IGNORE_RESOURCE;
	CHECK_EQ(((uint8_t *)&r)[7], 0x80);
	CHECK_EQ(STM_PACK_MAX_MEM_PER_PAGE, 127);
	CHECK_EQ(STM_LOG_MAX_SLOTS, 8160);
}

void test_status_names(void)
{
	static const struct { uint32_t st; const char *name; } t[] = {
		{ 0x00000000, "STM_SUCCESS" },
		{ 0x80010001, "ERROR_STM_SECURITY_VIOLATION" },
		{ 0x80010002, "ERROR_STM_CACHE_TYPE_NOT_SUPPORTED" },
		{ 0x80010003, "ERROR_STM_PAGE_NOT_FOUND" },
		{ 0x80010004, "ERROR_STM_BAD_CR3" },
		{ 0x80010005, "ERROR_STM_PHYSICAL_OVER_4G" },
		{ 0x80010006, "ERROR_STM_VIRTUAL_SPACE_TOO_SMALL" },
		{ 0x80010007, "ERROR_STM_UNPROTECTABLE_RESOURCE" },
		{ 0x80010008, "ERROR_STM_ALREADY_STARTED" },
		{ 0x80010009, "ERROR_STM_WITHOUT_SMX_UNSUPPORTED" },
		{ 0x8001000A, "ERROR_STM_STOPPED" },
		{ 0x8001000B, "ERROR_STM_BUFFER_TOO_SMALL" },
		{ 0x8001000C, "ERROR_STM_INVALID_VMCS_DATABASE" },
		{ 0x8001000D, "ERROR_STM_MALFORMED_RESOURCE_LIST" },
		{ 0x8001000E, "ERROR_STM_INVALID_PAGECOUNT" },
		{ 0x8001000F, "ERROR_STM_LOG_ALLOCATED" },
		{ 0x80010010, "ERROR_STM_LOG_NOT_ALLOCATED" },
		{ 0x80010011, "ERROR_STM_LOG_NOT_STOPPED" },
		{ 0x80010012, "ERROR_STM_LOG_NOT_STARTED" },
		{ 0x80010013, "ERROR_STM_RESERVED_BIT_SET" },
		{ 0x80010014, "ERROR_STM_NO_EVENTS_ENABLED" },
		{ 0x80010015, "ERROR_STM_OUT_OF_RESOURCES" },
		{ 0x80010016, "ERROR_STM_FUNCTION_NOT_SUPPORTED" },
		{ 0x80010017, "ERROR_STM_UNPROTECTABLE" },
		{ 0x80010018, "ERROR_STM_UNSUPPORTED_MSR_BIT" },
		{ 0x8001FFFF, "ERROR_STM_UNSPECIFIED" },
		{ 0x80020001, "ERROR_SMM_BAD_BUFFER" },
		{ 0x80020004, "ERROR_SMM_INVALID_RSC" },
		{ 0x80020005, "ERROR_SMM_INVALID_BUFFER_SIZE" },
		{ 0x80020006, "ERROR_SMM_BUFFER_TOO_SHORT" },
		{ 0x80020007, "ERROR_SMM_INVALID_LIST" },
		{ 0x80020008, "ERROR_SMM_OUT_OF_MEMORY" },
		{ 0x80020009, "ERROR_SMM_AFTER_INIT" },
		{ 0x8002FFFF, "ERROR_SMM_UNSPECIFIED" },
		{ 0x80038001, "ERROR_INVALID_API" },
		{ 0x80038002, "ERROR_INVALID_PARAMETER" },
		{ 0xC000F001, "STM_CRASH_PROTECTION_EXCEPTION" },
		{ 0xC000F002, "STM_CRASH_PROTECTION_EXCEPTION_FAILURE" },
		{ 0xC000F003, "STM_CRASH_DOMAIN_DEGRADATION_FAILURE" },
		{ 0xC000E000, "STM_CRASH_BIOS_PANIC" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcmp(stm_status_name(t[i].st), t[i].name)) {
			printf("#   0x%08x: %s != %s\n", t[i].st, stm_status_name(t[i].st), t[i].name);
			t_failed++;
		}
	}
	CHECK(!strcmp(stm_status_name(0x80010019), "UNKNOWN_STM_STATUS"));
}

/*
 * The one status table (core/status.c): every status code wire.h defines
 * (STM_SUCCESS, STM_ERROR_*, STM_CRASH_*: read from the header itself, so
 * a new code without a row fails here) has a row with its name and an
 * errno; the core's errno numbers are libc's; the refinements the module
 * relies on are there.
 */
void test_status_errnos(void)
{
	FILE *f = fopen(STM_WIRE_H_PATH, "r");
	char line[256], name[96];
	unsigned int v, n = 0;

	CHECK(f != NULL);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "#define %95s 0x%xu", name, &v) != 2 ||
		    (strncmp(name, "STM_ERROR_", 10) &&
		     strncmp(name, "STM_CRASH_", 10) &&
		     strcmp(name, "STM_SUCCESS")))
			continue;
		n++;
		if (!stm_status_known(v)) {
			printf("#   %s (0x%08x) has no row in the status table\n", name, v);
			t_failed++;
			continue;
		}
		if (!v ? stm_status_errno(v, STM_CALL_ANY) != 0 :
			 stm_status_errno(v, STM_CALL_ANY) == 0) {
			printf("#   %s: errno %u\n", name, stm_status_errno(v, STM_CALL_ANY));
			t_failed++;
		}
	}
	fclose(f);
	CHECK_EQ(n, 40);	/* wire.h's codes today; the parse found them */

	CHECK(!stm_status_known(0x80010019));
	CHECK_EQ(stm_status_errno(0x80010019, STM_CALL_ANY), STM_EIO);
	CHECK_EQ(stm_status_errno_refined(0x80010019, STM_CALL_LOG), 0);

	CHECK_EQ(STM_ENOENT, ENOENT);
	CHECK_EQ(STM_EIO, EIO);
	CHECK_EQ(STM_ENXIO, ENXIO);
	CHECK_EQ(STM_EACCES, EACCES);
	CHECK_EQ(STM_EBUSY, EBUSY);
	CHECK_EQ(STM_EINVAL, EINVAL);
	CHECK_EQ(STM_ENOSPC, ENOSPC);
	CHECK_EQ(STM_ERANGE, ERANGE);
	CHECK_EQ(STM_EOPNOTSUPP, EOPNOTSUPP);
	CHECK_EQ(STM_EADDRINUSE, EADDRINUSE);
	CHECK_EQ(STM_EALREADY, EALREADY);

	/* generic column (Documentation/admin-guide/stmexec.rst, "Errors") */
	CHECK_EQ(stm_status_errno(STM_ERROR_UNPROTECTABLE_RESOURCE, STM_CALL_ANY), EADDRINUSE);
	CHECK_EQ(stm_status_errno(STM_ERROR_MALFORMED_RESOURCE_LIST, STM_CALL_ANY), EINVAL);
	CHECK_EQ(stm_status_errno(STM_ERROR_LOG_NOT_ALLOCATED, STM_CALL_ANY), ENXIO);
	CHECK_EQ(stm_status_errno(STM_ERROR_SMM_BAD_BUFFER, STM_CALL_ANY), EIO);
	/* the refinements of one kind of call */
	CHECK_EQ(stm_status_errno(STM_ERROR_LOG_NOT_ALLOCATED, STM_CALL_LOG), ENOENT);
	CHECK_EQ(stm_status_errno(STM_ERROR_LOG_NOT_STARTED, STM_CALL_LOG), EALREADY);
	CHECK_EQ(stm_status_errno(STM_ERROR_LOG_ALLOCATED, STM_CALL_LOG), EBUSY);
	CHECK_EQ(stm_status_errno(STM_ERROR_MALFORMED_RESOURCE_LIST, STM_CALL_RSC), EIO);
	CHECK_EQ(stm_status_errno(STM_ERROR_INVALID_VMCS_DATABASE, STM_CALL_VMCS_DB_ADD), ENOSPC);
	CHECK_EQ(stm_status_errno(STM_ERROR_INVALID_VMCS_DATABASE, STM_CALL_VMCS_DB_REMOVE),
		 ENOENT);
	/* no refinement: the generic column, and refined() says 0 */
	CHECK_EQ(stm_status_errno(STM_ERROR_STOPPED, STM_CALL_LOG), ENXIO);
	CHECK_EQ(stm_status_errno_refined(STM_ERROR_STOPPED, STM_CALL_LOG), 0);
	CHECK_EQ(stm_status_errno_refined(STM_ERROR_LOG_NOT_ALLOCATED, STM_CALL_ANY), 0);
}

void test_init_params(void)
{
	struct stm_platform p;
	struct tenv e;

	tenv_init(&e, 2);
	p = e.p;
	CHECK(stm_core_size(&p) > sizeof(struct stm_core));
	CHECK_EQ(stm_core_size(NULL), 0);
	p.ncpus = 0;
	CHECK_EQ(stm_core_size(&p), 0);
	CHECK_ST(stm_core_init(e.c, &p), STM_ERROR_INVALID_PARAMETER);
	p = e.p;
	p.phys_addr_bits = 53;
	CHECK_EQ(stm_core_size(&p), 0);
	p = e.p;
	p.mem = NULL;
	CHECK_EQ(stm_core_size(&p), 0);
	/* reference VMCS DB capacity: CpuNum * 4096 / 20 - 1 */
	CHECK_EQ(e.c->vmcsdb_cap, 2 * 4096 / 20 - 1);
	tenv_free(&e);
}

void test_lifecycle(void)
{
	struct tenv e;
	struct stm_regs r;
	uint8_t n[64];

	tenv_init(&e, 4);
	CHECK_EQ(stm_core_cpu_state(e.c, 0), STM_CPU_OFF);
	r = tcall(&e, 0, STM_API_INITIALIZE_PROTECTION, 0x12345678, 0);
	CHECK_ST(r.eax, STM_SUCCESS);
	CHECK_EQ(r.cf, 0);
	CHECK_EQ(r.ebx, 0);		/* no byte-granular capabilities */
	CHECK_EQ(stm_core_cpu_state(e.c, 0), STM_CPU_JOINED);
	CHECK_EQ(stm_core_cpu_active(e.c, 0), 0);
	r = tcall(&e, 0, STM_API_INITIALIZE_PROTECTION, 0x12345678, 0);
	CHECK_ST(r.eax, STM_ERROR_ALREADY_STARTED);
	CHECK_EQ(r.cf, 1);
	CHECK_EQ(r.ebx, 0x12345678);	/* EBX only written on activation */
	/* resources may be managed between INIT and START */
	CHECK_ST(tprotect(&e, n, mk_mem(n, STM_MEM_RANGE, 0x300000, 0x1000, 7)), STM_SUCCESS);
	CHECK_ST(tcall(&e, 0, STM_API_START, 0, 0).eax, STM_SUCCESS);
	CHECK_EQ(stm_core_cpu_active(e.c, 0), 1);
	CHECK_ST(tcall(&e, 0, STM_API_START, 0, 0).eax, STM_ERROR_ALREADY_STARTED);
	/* AP: START is its activating call */
	r = tcall(&e, 1, STM_API_START, 0xabcdef, 0);
	CHECK_ST(r.eax, STM_SUCCESS);
	CHECK_EQ(r.ebx, 0);
	CHECK_EQ(stm_core_cpu_state(e.c, 1), STM_CPU_ACTIVE);
	CHECK_EQ(stm_core_cpus_joined(e.c), 2);
	/* STOP does not require START */
	r = tcall(&e, 1, STM_API_STOP, 0, 0);
	CHECK_ST(r.eax, STM_SUCCESS);
	CHECK_EQ(stm_core_cpu_state(e.c, 1), STM_CPU_OFF);
	CHECK_EQ(stm_core_prot_nodes(e.c), 1);
	CHECK_ST(tcall(&e, 2, STM_API_START, 0, 0).eax, STM_SUCCESS);
	CHECK_ST(tcall(&e, 2, STM_API_STOP, 0, 0).eax, STM_SUCCESS);
	CHECK_ST(tcall(&e, 0, STM_API_STOP, 0, 0).eax, STM_SUCCESS);
	/* last CPU out: the STM forgets everything */
	CHECK_EQ(stm_core_cpus_joined(e.c), 0);
	CHECK_EQ(stm_core_prot_nodes(e.c), 0);
	CHECK_EQ(stm_core_mem_denied(e.c, 0x300000), 0);
	CHECK_EQ(stm_core_check_invariants(e.c), 0);
	/* and can be launched again */
	tenv_launch(&e);
	CHECK_EQ(stm_core_prot_nodes(e.c), 0);
	CHECK_EQ(stm_core_compat_violations(e.c), 0);
	tenv_free(&e);
}

struct order_case {
	const char *name;
	uint32_t cpu, eax;
	int launched;		/* 0 none, 1 INIT on cpu 0 only, 2 full launch */
	uint32_t want;
	enum stm_compat_reason reason;
	int want_state;
};

void test_ordering_violations(void)
{
	static const struct order_case t[] = {
		{ "PROTECT first", 0, STM_API_PROTECT_RESOURCE, 0, STM_ERROR_STOPPED,
		  STM_COMPAT_FIRST_CALL_NOT_INIT, STM_CPU_OFF },
		{ "STOP first", 0, STM_API_STOP, 0, STM_ERROR_STOPPED,
		  STM_COMPAT_FIRST_CALL_NOT_INIT, STM_CPU_OFF },
		{ "GET_BIOS on AP without START", 1, STM_API_GET_BIOS_RESOURCES, 1,
		  STM_ERROR_STOPPED, STM_COMPAT_CALL_ON_INACTIVE_CPU, STM_CPU_OFF },
		{ "unknown EAX first", 0, 0x00010042, 0, STM_ERROR_INVALID_API,
		  STM_COMPAT_UNKNOWN_EAX, STM_CPU_OFF },
		{ "unknown EAX joined", 0, 0x00010042, 2, STM_ERROR_INVALID_API,
		  STM_COMPAT_UNKNOWN_EAX, STM_CPU_ACTIVE },
		{ "SMM-guest number from MLE", 0, STM_API_MAP_ADDRESS_RANGE, 2,
		  STM_ERROR_INVALID_API, STM_COMPAT_UNKNOWN_EAX, STM_CPU_ACTIVE },
		{ "STM/PE call", 0, STM_API_ADD_TEMP_PE_VM, 2,
		  STM_ERROR_FUNCTION_NOT_SUPPORTED, STM_COMPAT_PE_CALL, STM_CPU_ACTIVE },
		{ "START before INIT", 1, STM_API_START, 0, STM_SUCCESS,
		  STM_COMPAT_START_BEFORE_INIT, STM_CPU_ACTIVE },
		{ "INIT on AP", 1, STM_API_INITIALIZE_PROTECTION, 1, STM_SUCCESS,
		  STM_COMPAT_INIT_ON_AP, STM_CPU_JOINED },
		{ "CPU beyond ncpus", 9, STM_API_START, 1, STM_ERROR_OUT_OF_RESOURCES,
		  STM_COMPAT_TOO_MANY_CPUS, STM_CPU_OFF },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct tenv e;
		struct stm_regs r;
		uint64_t before;

		tenv_init(&e, 2);
		if (t[i].launched == 1)
			CHECK_ST(tcall(&e, 0, STM_API_INITIALIZE_PROTECTION, 0, 0).eax,
				 STM_SUCCESS);
		if (t[i].launched == 2)
			tenv_launch(&e);
		before = stm_core_compat_violations(e.c);
		r = tcall(&e, t[i].cpu, t[i].eax, T_BUF_PA, 0);
		if (r.eax != t[i].want || stm_core_compat_count(e.c, t[i].reason) != 1 ||
		    stm_core_compat_violations(e.c) != before + 1 ||
		    stm_core_cpu_state(e.c, t[i].cpu) != t[i].want_state) {
			printf("#   case '%s': got %s, compat %s, state %d\n", t[i].name,
			       stm_status_name(r.eax), stm_core_compat_last(e.c),
			       stm_core_cpu_state(e.c, t[i].cpu));
			t_failed++;
		}
		CHECK_EQ(stm_core_check_invariants(e.c), 0);
		tenv_free(&e);
	}
}

void test_activation_checks(void)
{
	struct tenv e;
	struct stm_regs r;

	tenv_init(&e, 2);
	/* activation VMCS inside TSEG: refused, CPU stays off */
	memset(&r, 0, sizeof(r));
	r.eax = STM_API_INITIALIZE_PROTECTION;
	stm_core_vmcall(e.c, 0, T_TSEG_BASE + 0x3000, &r);
	CHECK_ST(r.eax, STM_ERROR_SECURITY_VIOLATION);
	CHECK_EQ(r.cf, 1);
	CHECK_EQ(stm_core_cpu_state(e.c, 0), STM_CPU_OFF);
	CHECK_EQ(stm_core_compat_count(e.c, STM_COMPAT_VMCS_IN_TSEG), 1);
	/* above 4 GiB: works here, hangs the coreboot port */
	memset(&r, 0, sizeof(r));
	r.eax = STM_API_INITIALIZE_PROTECTION;
	r.edx = STM_CONFIG_SMI_UNBLOCKING_BY_VMX_OFF;
	stm_core_vmcall(e.c, 0, 0x118000000ull, &r);
	CHECK_ST(r.eax, STM_SUCCESS);
	CHECK_EQ(stm_core_compat_count(e.c, STM_COMPAT_VMCS_ABOVE_4G), 1);
	CHECK_EQ(stm_core_compat_count(e.c, STM_COMPAT_ACTIVATION_EDX), 0);
	CHECK_EQ(e.c->cpu[0].config, STM_CONFIG_SMI_UNBLOCKING_BY_VMX_OFF);
	/* reserved EDX bits on an AP's activating START */
	r = tcall(&e, 1, STM_API_START, 0, 0xFFFFFFFF);
	CHECK_ST(r.eax, STM_SUCCESS);
	CHECK_EQ(stm_core_compat_count(e.c, STM_COMPAT_ACTIVATION_EDX), 1);
	/* non-activating calls do not check the VMCS */
	memset(&r, 0, sizeof(r));
	r.eax = STM_API_START;
	stm_core_vmcall(e.c, 0, T_TSEG_BASE, &r);
	CHECK_ST(r.eax, STM_SUCCESS);
	tenv_free(&e);
}

void test_bios_malformed_at_activation(void)
{
	struct tenv e;
	uint8_t n[64];
	struct stm_regs r;
	uint32_t l;

	tenv_init(&e, 2);
	l = mk_mem(n, STM_MEM_RANGE, 0x1000000, 0, 3);	/* Length 0: invalid */
	tenv_set_bios(&e, n, l);
	r = tcall(&e, 0, STM_API_INITIALIZE_PROTECTION, 0, 0);
	CHECK_ST(r.eax, STM_ERROR_MALFORMED_RESOURCE_LIST);
	CHECK_EQ(r.cf, 1);
	CHECK_EQ(r.ebx, 0);
	/* ... and yet the STM is active on that CPU */
	CHECK_EQ(stm_core_cpu_state(e.c, 0), STM_CPU_JOINED);
	CHECK_ST(tprotect(&e, n, mk_mem(n, STM_MEM_RANGE, 0x300000, 0x1000, 7)),
		 STM_ERROR_MALFORMED_RESOURCE_LIST);
	CHECK_ST(tcall(&e, 0, STM_API_GET_BIOS_RESOURCES, T_BUF_PA, 0).eax,
		 STM_ERROR_MALFORMED_RESOURCE_LIST);
	r = tcall(&e, 1, STM_API_START, 0, 0);
	CHECK_ST(r.eax, STM_ERROR_MALFORMED_RESOURCE_LIST);
	CHECK_EQ(stm_core_cpu_state(e.c, 1), STM_CPU_ACTIVE);
	/* fixed BIOS list: the next activation and PROTECT pass */
	tenv_set_bios(&e, NULL, 0);
	CHECK_ST(tcall(&e, 0, STM_API_START, 0, 0).eax, STM_SUCCESS);
	CHECK_ST(tprotect(&e, n, mk_mem(n, STM_MEM_RANGE, 0x300000, 0x1000, 7)), STM_SUCCESS);
	CHECK_EQ(stm_core_compat_violations(e.c), 0);
	tenv_free(&e);
}
