// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Reference-compatibility checker and status-code coverage. */
#include <stdlib.h>
#include "tests.h"

/* What the executive monitor is supposed to do: no violation at all. */
void test_compat_clean_sequence(void)
{
	struct tenv e;
	struct stm_regs r;
	struct stm_list_page pg[4];
	uint8_t nodes[512], bios[256];
	uint32_t i, l = 0, used, page = 0;
	struct stm_vmcs_database_request *q;

	tenv_init(&e, 4);
	l += mk_io(bios + l, 0xB2, 2);
	l += mk_mem(bios + l, STM_MEM_RANGE, T_TSEG_BASE, T_TSEG_SIZE, 7);
	tenv_set_bios(&e, bios, l);
	r = tcall(&e, 0, STM_API_INITIALIZE_PROTECTION, 0, 0);
	CHECK_ST(r.eax, STM_SUCCESS);
	do {
		r = tcall(&e, 0, STM_API_GET_BIOS_RESOURCES, T_BUF_PA + page * 0x1000ull, page);
		CHECK_ST(r.eax, STM_SUCCESS);
		page = r.edx;
	} while (page != 0);
	for (i = 0, l = 0; i < 4; i++)
		pg[i].pa = T_LIST_PA + i * 0x1000ull, pg[i].va = e.mem + pg[i].pa;
	l += mk_mem(nodes + l, STM_MEM_RANGE, 0x300000, 0x10000, 7);
	l += mk_io(nodes + l, 0x3F8, 8);
	l += mk_msr(nodes + l, 0x3A, 0, ~0ull, 0);
	CHECK_ST(stm_pack_resource_list(nodes, l, pg, 4, &used), STM_SUCCESS);
	CHECK_ST(tcall(&e, 0, STM_API_PROTECT_RESOURCE, T_LIST_PA, 0).eax, STM_SUCCESS);
	tlog_start(&e, 4, STM_EVT_ENABLE_ALL);
	q = (struct stm_vmcs_database_request *)(e.mem + T_BUF_PA);
	for (i = 0; i < 4; i++) {
		q->vmcs_phys_pointer = 0x20000 + i * 0x1000ull;
		q->policy = STM_DOMAIN_UNPROTECTED;
		q->add_or_remove = STM_VMCS_DATABASE_REQUEST_ADD;
		CHECK_ST(tcall(&e, 0, STM_API_MANAGE_VMCS_DATABASE, T_BUF_PA, 0).eax,
			 STM_SUCCESS);
	}
	for (i = 0; i < 4; i++)
		CHECK_ST(tcall(&e, i, STM_API_START, 0, 0).eax, STM_SUCCESS);
	CHECK_ST(tcall(&e, 2, STM_API_UNPROTECT_RESOURCE, T_LIST_PA, 0).eax, STM_SUCCESS);
	CHECK_ST(tlog(&e, STM_STOP_LOG, 0, NULL), STM_SUCCESS);
	CHECK_ST(tlog(&e, STM_DELETE_LOG, 0, NULL), STM_SUCCESS);
	for (i = 0; i < 4; i++)
		CHECK_ST(tcall(&e, i, STM_API_STOP, 0, 0).eax, STM_SUCCESS);
	CHECK_EQ(stm_core_compat_violations(e.c), 0);
	CHECK(!strcmp(stm_core_compat_last(e.c), ""));
	tenv_free(&e);
}

typedef void (*act_fn)(struct tenv *e);

static void a_unknown(struct tenv *e) { tcall(e, 0, 0x00010100, 0, 0); }
static void a_pe(struct tenv *e) { tcall(e, 0, STM_API_RUN_PE_VM, 0, 0); }
static void a_zero_len(struct tenv *e)
{
	uint8_t n[32];

	mk_io(n, 1, 1);
	((struct stm_rsc_desc_header *)n)->length = 0;
	tunprotect(e, n, 16);
}
static void a_unaligned(struct tenv *e)
{
	uint8_t n[32];

	twrite_list(e, T_LIST_PA + 0x10, n, mk_io(n, 1, 1), 0);
	tcall(e, 0, STM_API_PROTECT_RESOURCE, T_LIST_PA + 0x10, 0);
}
static void a_cross(struct tenv *e)
{
	uint8_t n[64];
	uint32_t l = mk_io(n, 1, 1);

	l += mk_io(n + l, 2, 1);
	twrite_list(e, T_LIST_PA + 0xFF0 + 8, n, l, 0);	/* 2nd IO crosses */
	tcall(e, 0, STM_API_PROTECT_RESOURCE, T_LIST_PA + 0xFF8, 0);
}
static void a_endlen(struct tenv *e)
{
	uint8_t n[32];
	uint32_t l = mk_io(n, 1, 1);

	twrite_list(e, T_LIST_PA, n, l, 0);
	((struct stm_rsc_desc_header *)(e->mem + T_LIST_PA + l))->length = 24;
	tcall(e, 0, STM_API_PROTECT_RESOURCE, T_LIST_PA, 0);
}
static void a_cycle(struct tenv *e)
{
	uint8_t n[32];

	twrite_list(e, T_LIST_PA, n, mk_io(n, 1, 1), T_LIST_PA);
	tcall(e, 0, STM_API_UNPROTECT_RESOURCE, T_LIST_PA, 0);
}
static void a_logsub(struct tenv *e) { tlog(e, 99, 0, NULL); }
static void a_vmcs4g(struct tenv *e)
{
	struct stm_regs r = { STM_API_START, 0, 0, 0, 0 };

	tcall(e, 1, STM_API_STOP, 0, 0);
	stm_core_vmcall(e->c, 1, 0x100000000ull, &r);
}
static void a_vmcstseg(struct tenv *e)
{
	struct stm_regs r = { STM_API_START, 0, 0, 0, 0 };

	tcall(e, 1, STM_API_STOP, 0, 0);
	stm_core_vmcall(e->c, 1, T_TSEG_BASE + T_TSEG_SIZE - 0x800, &r);
}
static void a_inactive(struct tenv *e)
{
	tcall(e, 1, STM_API_STOP, 0, 0);
	tcall(e, 1, STM_API_MANAGE_EVENT_LOG, T_BUF_PA, 0);
}
static void a_toomany(struct tenv *e) { tcall(e, 2, STM_API_START, 0, 0); }
static void a_initap(struct tenv *e)
{
	tcall(e, 1, STM_API_STOP, 0, 0);
	tcall(e, 1, STM_API_INITIALIZE_PROTECTION, 0, 0);
}
static void a_edx(struct tenv *e)
{
	tcall(e, 1, STM_API_STOP, 0, 0);
	tcall(e, 1, STM_API_START, 0, 2);
}
static void a_first(struct tenv *e)
{
	tcall(e, 1, STM_API_STOP, 0, 0);
	tcall(e, 0, STM_API_STOP, 0, 0);
	tcall(e, 0, STM_API_GET_BIOS_RESOURCES, T_BUF_PA, 0);
}
static void a_startfirst(struct tenv *e)
{
	tcall(e, 1, STM_API_STOP, 0, 0);
	tcall(e, 0, STM_API_STOP, 0, 0);
	tcall(e, 1, STM_API_START, 0, 0);
}
static void a_retstatus(struct tenv *e)
{
	uint8_t n[32];
	uint32_t l = mk_io(n, 1, 1);

	((struct stm_rsc_desc_header *)n)->flags = STM_RSC_RETURN_STATUS;
	tprotect(e, n, l);
}

static const struct {
	const char *name;
	act_fn fn;
	enum stm_compat_reason reason;
} acts[] = {
	{ "unknown EAX", a_unknown, STM_COMPAT_UNKNOWN_EAX },
	{ "STM/PE VMCALL", a_pe, STM_COMPAT_PE_CALL },
	{ "Length-0 descriptor", a_zero_len, STM_COMPAT_ZERO_LENGTH_DESC },
	{ "unaligned list", a_unaligned, STM_COMPAT_BUFFER_UNALIGNED },
	{ "END Length 24", a_endlen, STM_COMPAT_END_LENGTH },
	{ "continuation cycle", a_cycle, STM_COMPAT_LIST_TOO_LONG },
	{ "unknown log sub-function", a_logsub, STM_COMPAT_UNKNOWN_LOG_SUBFUNC },
	{ "activation VMCS at 4 GiB", a_vmcs4g, STM_COMPAT_VMCS_ABOVE_4G },
	{ "activation VMCS in TSEG", a_vmcstseg, STM_COMPAT_VMCS_IN_TSEG },
	{ "call on a stopped CPU", a_inactive, STM_COMPAT_CALL_ON_INACTIVE_CPU },
	{ "CPU beyond ncpus", a_toomany, STM_COMPAT_TOO_MANY_CPUS },
	{ "INIT as AP activation", a_initap, STM_COMPAT_INIT_ON_AP },
	{ "reserved EDX at activation", a_edx, STM_COMPAT_ACTIVATION_EDX },
	{ "first call GET_BIOS", a_first, STM_COMPAT_FIRST_CALL_NOT_INIT },
	{ "first call START", a_startfirst, STM_COMPAT_START_BEFORE_INIT },
	{ "ReturnStatus on input", a_retstatus, STM_COMPAT_RETURN_STATUS_SET },
};

void test_compat_counts(void)
{
	size_t i;

	for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
		struct tenv e;

		tenv_init(&e, 2);
		tenv_launch(&e);
		acts[i].fn(&e);
		if (stm_core_compat_violations(e.c) != 1 ||
		    stm_core_compat_count(e.c, acts[i].reason) != 1 ||
		    stm_core_compat_last_reason(e.c) != acts[i].reason ||
		    strcmp(stm_core_compat_last(e.c), stm_compat_reason_name(acts[i].reason))) {
			printf("#   '%s': %llu violations, last '%s'\n", acts[i].name,
			       (unsigned long long)stm_core_compat_violations(e.c),
			       stm_core_compat_last(e.c));
			t_failed++;
		}
		tenv_free(&e);
	}
	/* descriptor crossing a page (also unaligned: two reasons) */
	{
		struct tenv e;

		tenv_init(&e, 2);
		tenv_launch(&e);
		a_cross(&e);
		CHECK_EQ(stm_core_compat_count(e.c, STM_COMPAT_DESC_CROSSES_PAGE), 1);
		CHECK_EQ(stm_core_compat_count(e.c, STM_COMPAT_BUFFER_UNALIGNED), 1);
		stm_core_compat_reset(e.c);
		CHECK_EQ(stm_core_compat_violations(e.c), 0);
		tenv_free(&e);
	}
}

/*
 * The list and SMM-entry behaviours of the real STMs (issue 14): counted
 * under the intel, coreboot and strict profiles, never under lenient.
 */
static void tenv_profile(struct tenv *e, uint32_t profile)
{
	tenv_init(e, 2);
	e->p.profile = profile;
	if (stm_core_init(e->c, &e->p) != 0) {
		printf("# stm_core_init(profile %u) failed\n", profile);
		exit(2);
	}
	tenv_launch(e);
}

void test_compat_real_stm_lists(void)
{
	uint32_t prof;

	for (prof = 0; prof < STM_PROFILE_NR; prof++) {
		int real = prof != STM_PROFILE_LENIENT;
		uint64_t top = 1ull << T_BITS;
		uint8_t n[4096 * 2];
		uint32_t l, i;
		struct tenv e;

		/* two pieces: J and E mis-size the copy (C1, C2) */
		tenv_profile(&e, prof);
		l = mk_mem(n, STM_MEM_RANGE, 0x300000, 0x1000, 7);
		twrite_list(&e, T_LIST_PA, n, l, T_LIST_PA + 0x1000);
		l = mk_mem(n, STM_MEM_RANGE, 0x302000, 0x1000, 7);
		twrite_list(&e, T_LIST_PA + 0x1000, n, l, 0);
		CHECK_ST(tcall(&e, 0, STM_API_PROTECT_RESOURCE, T_LIST_PA, 0).eax,
			 STM_SUCCESS);
		CHECK_EQ(stm_core_compat_count(e.c, STM_COMPAT_MULTI_PIECE_LIST),
			 (uint64_t)real);
		/* one full piece (127 descriptors) is fine */
		for (i = 0, l = 0; i < STM_PACK_MAX_MEM_PER_PAGE; i++)
			l += mk_mem(n + l, STM_MEM_RANGE, 0x400000 + i * 0x2000ull,
				    0x1000, 7);
		CHECK_ST(tprotect(&e, n, l), STM_SUCCESS);
		CHECK_EQ(stm_core_compat_violations(e.c), (uint64_t)real);
		tenv_free(&e);

		/* deny sets that leave an invalid EPT entry */
		tenv_profile(&e, prof);
		CHECK_ST(tprotect(&e, n, mk_mem(n, STM_MEM_RANGE, 0x300000, 0x1000, 1)),
			 STM_SUCCESS);					/* r */
		CHECK_ST(tprotect(&e, n, mk_mem(n, STM_MMIO_RANGE, 0x310000, 0x1000, 5)),
			 STM_SUCCESS);					/* rx */
		CHECK_ST(tprotect(&e, n, mk_mem(n, STM_MEM_RANGE, 0x320000, 0x1000, 3)),
			 STM_SUCCESS);					/* rw */
		CHECK_EQ(stm_core_compat_count(e.c, STM_COMPAT_EPT_INVALID),
			 (uint64_t)(real * 3));
		CHECK_ST(tprotect(&e, n, mk_mem(n, STM_MEM_RANGE, 0x330000, 0x1000, 2)),
			 STM_SUCCESS);					/* w */
		CHECK_ST(tprotect(&e, n, mk_mem(n, STM_MEM_RANGE, 0x340000, 0x1000, 6)),
			 STM_SUCCESS);					/* wx */
		CHECK_EQ(stm_core_compat_count(e.c, STM_COMPAT_EPT_INVALID),
			 (uint64_t)(real * 3));
		tenv_free(&e);

		/* execute-only is valid where the CPU supports it */
		tenv_init(&e, 2);
		e.p.profile = prof;
		e.p.ept_exec_only = 1;
		CHECK_EQ(stm_core_init(e.c, &e.p), 0);
		tenv_launch(&e);
		CHECK_ST(tprotect(&e, n, mk_mem(n, STM_MEM_RANGE, 0x320000, 0x1000, 3)),
			 STM_SUCCESS);
		CHECK_EQ(stm_core_compat_violations(e.c), 0);
		tenv_free(&e);

		/* a MEM range ending exactly at 2^phys_bits: refused, counted */
		tenv_profile(&e, prof);
		CHECK_ST(tprotect(&e, n, mk_mem(n, STM_MEM_RANGE, top - 0x1000, 0x1000, 7)),
			 STM_ERROR_MALFORMED_RESOURCE_LIST);
		CHECK_EQ(stm_core_compat_count(e.c, STM_COMPAT_MEM_AT_PHYS_LIMIT),
			 (uint64_t)real);
		CHECK_ST(tprotect(&e, n, mk_mem(n, STM_MEM_RANGE, top - 0x2000, 0x1000, 7)),
			 STM_SUCCESS);
		CHECK_EQ(stm_core_compat_violations(e.c), (uint64_t)real);
		tenv_free(&e);

		/* an empty PROTECT: J's security violation under its profiles */
		tenv_profile(&e, prof);
		CHECK_ST(tprotect(&e, n, 0),
			 real ? STM_ERROR_SECURITY_VIOLATION : STM_SUCCESS);
		CHECK_ST(tunprotect(&e, n, 0), STM_SUCCESS);
		tenv_free(&e);

		/* E's 70-page heap: one split page per scattered 2 MiB frame */
		tenv_profile(&e, prof);
		for (i = 0, l = 0; i < 64; i++)
			l += mk_mem(n + l, STM_MEM_RANGE, 0x400000 + i * 0x200000ull + 0x1000,
				    0x1000, 2);
		CHECK_ST(tprotect(&e, n, l), STM_SUCCESS);
		CHECK_EQ(stm_core_compat_count(e.c, STM_COMPAT_HEAP_EXHAUSTED),
			 (uint64_t)(prof == STM_PROFILE_COREBOOT || prof == STM_PROFILE_STRICT));
		tenv_free(&e);

		/* J's bump allocator leaks every PROTECT's list copy */
		tenv_profile(&e, prof);
		for (i = 0; i < 400; i++) {
			l = mk_mem(n, STM_MEM_RANGE, 0x400000 + i * 0x1000ull, 0x1000, 2);
			CHECK_ST(tprotect(&e, n, l), STM_SUCCESS);
			CHECK_ST(tunprotect(&e, n, l), STM_SUCCESS);
		}
		CHECK(stm_core_compat_count(e.c, STM_COMPAT_HEAP_EXHAUSTED) ==
		      0 || prof == STM_PROFILE_INTEL || prof == STM_PROFILE_STRICT);
		CHECK(stm_core_compat_count(e.c, STM_COMPAT_HEAP_EXHAUSTED) !=
		      0 || (prof != STM_PROFILE_INTEL && prof != STM_PROFILE_STRICT));
		tenv_free(&e);

		/* the firmware's SMM entry writes EFER: denied only if protected */
		tenv_profile(&e, prof);
		CHECK_EQ(stm_core_smm_entry(e.c, 0), STM_VERDICT_ALLOW);
		CHECK_ST(tprotect(&e, n, mk_msr(n, 0xC0000082u, 0, ~0ull, 0)),
			 STM_SUCCESS);				/* LSTAR w */
		CHECK_EQ(stm_core_smm_entry(e.c, 0), STM_VERDICT_ALLOW);
		CHECK_EQ(stm_core_compat_violations(e.c), 0);
		CHECK_ST(tprotect(&e, n, mk_msr(n, 0xC0000080u, 0, ~0ull, 0)),
			 STM_SUCCESS);				/* EFER w */
		CHECK_EQ(stm_core_smm_entry(e.c, 1), STM_VERDICT_DENY);
		CHECK_EQ(stm_core_compat_count(e.c, STM_COMPAT_FW_MSR_DENIED),
			 (uint64_t)real);
		tenv_free(&e);
	}
}

/* Every status an MLE-facing call can return was produced by the suite. */
void test_status_coverage(void)
{
	static const uint32_t want[] = {
		STM_SUCCESS, STM_ERROR_SECURITY_VIOLATION, STM_ERROR_PAGE_NOT_FOUND,
		STM_ERROR_UNPROTECTABLE_RESOURCE, STM_ERROR_ALREADY_STARTED,
		STM_ERROR_STOPPED, STM_ERROR_INVALID_VMCS_DATABASE,
		STM_ERROR_MALFORMED_RESOURCE_LIST, STM_ERROR_INVALID_PAGECOUNT,
		STM_ERROR_LOG_ALLOCATED, STM_ERROR_LOG_NOT_ALLOCATED,
		STM_ERROR_LOG_NOT_STOPPED, STM_ERROR_LOG_NOT_STARTED,
		STM_ERROR_RESERVED_BIT_SET, STM_ERROR_NO_EVENTS_ENABLED,
		STM_ERROR_OUT_OF_RESOURCES, STM_ERROR_FUNCTION_NOT_SUPPORTED,
		STM_ERROR_INVALID_API, STM_ERROR_INVALID_PARAMETER,
	};
	size_t i;
	uint32_t k;

	if (t_filtered)
		SKIP("needs the whole suite");
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int found = 0;

		for (k = 0; k < t_nseen; k++)
			found |= t_seen[k] == want[i];
		if (!found) {
			printf("#   never produced: %s\n", stm_status_name(want[i]));
			t_failed++;
		}
	}
	/* and nothing outside that list */
	for (k = 0; k < t_nseen; k++) {
		int found = 0;

		for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
			found |= t_seen[k] == want[i];
		if (!found) {
			printf("#   unexpected status: 0x%x\n", t_seen[k]);
			t_failed++;
		}
	}
}
