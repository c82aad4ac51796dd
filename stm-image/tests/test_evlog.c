// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Event log: MANAGE_EVENT_LOG state machine, records, four-pass slot choice. */
#include <stdlib.h>
#include "tests.h"

void test_evlog_state_machine(void)
{
	struct tenv e;
	uint64_t pages[2] = { T_LOG_PA, T_LOG_PA + 0x1000 };

	tenv_init(&e, 1);
	tenv_launch(&e);
	/* no log */
	CHECK_ST(tlog(&e, STM_CONFIGURE_LOG, 1, NULL), STM_ERROR_LOG_NOT_ALLOCATED);
	CHECK_ST(tlog(&e, STM_START_LOG, 0, NULL), STM_ERROR_LOG_NOT_ALLOCATED);
	CHECK_ST(tlog(&e, STM_STOP_LOG, 0, NULL), STM_ERROR_LOG_NOT_ALLOCATED);
	CHECK_ST(tlog(&e, STM_CLEAR_LOG, 0, NULL), STM_ERROR_LOG_NOT_ALLOCATED);
	CHECK_ST(tlog(&e, STM_DELETE_LOG, 0, NULL), STM_SUCCESS);
	CHECK_EQ(stm_core_log_state(e.c), STM_EVT_INVALID);
	/* NEW -> stopped */
	CHECK_ST(tlog(&e, STM_NEW_LOG, 2, pages), STM_SUCCESS);
	CHECK_EQ(stm_core_log_state(e.c), STM_EVT_LOG_STOPPED);
	CHECK_ST(tlog(&e, STM_NEW_LOG, 2, pages), STM_ERROR_LOG_ALLOCATED);
	CHECK_ST(tlog(&e, STM_STOP_LOG, 0, NULL), STM_ERROR_LOG_NOT_STARTED);
	CHECK_ST(tlog(&e, STM_START_LOG, 0, NULL), STM_ERROR_NO_EVENTS_ENABLED);
	CHECK_ST(tlog(&e, STM_CONFIGURE_LOG, 1u << 10, NULL), STM_ERROR_RESERVED_BIT_SET);
	CHECK_ST(tlog(&e, STM_CONFIGURE_LOG, 0x80000000u, NULL), STM_ERROR_RESERVED_BIT_SET);
	CHECK_ST(tlog(&e, STM_CONFIGURE_LOG, 0x3FF, NULL), STM_SUCCESS);
	CHECK_ST(tlog(&e, STM_CLEAR_LOG, 0, NULL), STM_SUCCESS);
	/* started */
	CHECK_ST(tlog(&e, STM_START_LOG, 0, NULL), STM_SUCCESS);
	CHECK_EQ(stm_core_log_state(e.c), STM_EVT_LOG_STARTED);
	CHECK_ST(tlog(&e, STM_START_LOG, 0, NULL), STM_ERROR_LOG_NOT_STOPPED);
	CHECK_ST(tlog(&e, STM_CONFIGURE_LOG, 1, NULL), STM_ERROR_LOG_NOT_STOPPED);
	CHECK_ST(tlog(&e, STM_CLEAR_LOG, 0, NULL), STM_ERROR_LOG_NOT_STOPPED);
	CHECK_ST(tlog(&e, STM_DELETE_LOG, 0, NULL), STM_ERROR_LOG_NOT_STOPPED);
	CHECK_ST(tlog(&e, STM_NEW_LOG, 2, pages), STM_ERROR_LOG_ALLOCATED);
	/* unknown sub-function: the reference hangs; here INVALID_API + compat */
	CHECK_ST(tlog(&e, 7, 0, NULL), STM_ERROR_INVALID_API);
	CHECK_ST(tlog(&e, 0, 0, NULL), STM_ERROR_INVALID_API);
	CHECK_EQ(stm_core_compat_count(e.c, STM_COMPAT_UNKNOWN_LOG_SUBFUNC), 2);
	CHECK_ST(tlog(&e, STM_STOP_LOG, 0, NULL), STM_SUCCESS);
	CHECK_ST(tlog(&e, STM_DELETE_LOG, 0, NULL), STM_SUCCESS);
	CHECK_EQ(stm_core_log_state(e.c), STM_EVT_INVALID);
	CHECK_EQ(stm_core_log_serial(e.c), 0);		/* DELETE resets the serial */
	/* request header itself must pass the address check */
	CHECK_ST(tcall(&e, 0, STM_API_MANAGE_EVENT_LOG, T_TSEG_BASE, 0).eax,
		 STM_ERROR_SECURITY_VIOLATION);
	CHECK_ST(tcall(&e, 0, STM_API_MANAGE_EVENT_LOG, 0x7000000000ull, 0).eax,
		 STM_ERROR_SECURITY_VIOLATION);
	CHECK_EQ(stm_core_check_invariants(e.c), 0);
	tenv_free(&e);
}

void test_evlog_new_checks(void)
{
	struct tenv e;
	uint64_t pages[STM_LOG_MAX_PAGES + 1];
	uint32_t i;
	struct stm_event_log_management_request *req;

	for (i = 0; i <= STM_LOG_MAX_PAGES; i++)
		pages[i] = T_LOG_PA + i * 0x1000ull;
	tenv_init(&e, 1);
	tenv_launch(&e);
	CHECK_ST(tlog(&e, STM_NEW_LOG, 0, pages), STM_ERROR_INVALID_PAGECOUNT);
	CHECK_ST(tlog(&e, STM_NEW_LOG, 511, pages), STM_ERROR_INVALID_PAGECOUNT);
	pages[3] = T_MSEG_BASE;
	CHECK_ST(tlog(&e, STM_NEW_LOG, 4, pages), STM_ERROR_SECURITY_VIOLATION);
	pages[3] = T_TSEG_BASE - 0x800;		/* page runs into TSEG */
	CHECK_ST(tlog(&e, STM_NEW_LOG, 4, pages), STM_ERROR_SECURITY_VIOLATION);
	pages[3] = 0x7000000000ull;		/* not mappable */
	CHECK_ST(tlog(&e, STM_NEW_LOG, 4, pages), STM_ERROR_SECURITY_VIOLATION);
	pages[3] = T_LOG_PA + 0x3004;		/* not 8-byte aligned */
	CHECK_ST(tlog(&e, STM_NEW_LOG, 4, pages), STM_ERROR_SECURITY_VIOLATION);
	CHECK_EQ(stm_core_log_state(e.c), STM_EVT_INVALID);
	/* request (16 + 8 * (n - 1) bytes) running into TSEG */
	req = (struct stm_event_log_management_request *)(e.mem + T_TSEG_BASE - 16);
	req->sub_function_index = STM_NEW_LOG;
	req->page_count = 2;
	CHECK_ST(tcall(&e, 0, STM_API_MANAGE_EVENT_LOG, T_TSEG_BASE - 16, 0).eax,
		 STM_ERROR_SECURITY_VIOLATION);
	/* all 510 pages; page 3 unaligned but usable (counted) */
	pages[3] = T_LOG_PA + 0x3008;
	CHECK_ST(tlog(&e, STM_NEW_LOG, STM_LOG_MAX_PAGES, pages), STM_SUCCESS);
	/* 2: the refused 0x3004 page counted as well */
	CHECK_EQ(stm_core_compat_count(e.c, STM_COMPAT_BUFFER_UNALIGNED), 2);
	CHECK_EQ(e.c->log.npages, STM_LOG_MAX_PAGES);
	tenv_free(&e);
}

void test_evlog_records(void)
{
	struct tenv e;
	struct stm_log_entry *s;
	uint8_t n[64];
	uint32_t l;

	tenv_init(&e, 2);
	tenv_launch(&e);
	tlog_start(&e, 1, STM_EVT_ENABLE_ALL);
	s = tlog_slot(&e, 0);
	CHECK_EQ(s->hdr.type, STM_EVT_LOG_STARTED);
	CHECK_EQ(s->hdr.event_serial_number, 0);
	CHECK_EQ(s->hdr.flags, STM_LOG_VALID);
	/* a failed MLE call logs its EAX */
	CHECK_ST(tcall(&e, 1, STM_API_START, 0, 0).eax, STM_ERROR_ALREADY_STARTED);
	s = tlog_slot(&e, 1);
	CHECK_EQ(s->hdr.type, STM_EVT_LOG_INVALID_PARAMETER_DETECTED);
	CHECK_EQ(s->hdr.event_serial_number, 1);
	CHECK_EQ(((struct stm_log_data_invalid_param *)s->data)->vmcall_api_number,
		 STM_API_START);
	/* granted / unprotect records carry the node, ReturnStatus set */
	l = mk_mem(n, STM_MEM_RANGE, 0x300000, 0x1000, 5);
	CHECK_ST(tprotect(&e, n, l), STM_SUCCESS);
	s = tlog_slot(&e, 2);
	CHECK_EQ(s->hdr.type, STM_EVT_MLE_RESOURCE_PROTECTION_GRANTED);
	((struct stm_rsc_desc_header *)n)->flags = STM_RSC_RETURN_STATUS;
	CHECK(!memcmp(s->data, n, l));
	((struct stm_rsc_desc_header *)n)->flags = 0;
	CHECK_ST(tunprotect(&e, n, l), STM_SUCCESS);
	CHECK_EQ(tlog_slot(&e, 3)->hdr.type, STM_EVT_MLE_RESOURCE_UNPROTECT);
	/* disabled event types are not logged */
	CHECK_ST(tlog(&e, STM_STOP_LOG, 0, NULL), STM_SUCCESS);
	CHECK_EQ(tlog_slot(&e, 4)->hdr.type, STM_EVT_LOG_STOPPED);
	CHECK_ST(tlog(&e, STM_CONFIGURE_LOG, 1u << STM_EVT_LOG_STARTED, NULL), STM_SUCCESS);
	CHECK_ST(tlog(&e, STM_START_LOG, 0, NULL), STM_SUCCESS);
	CHECK_ST(tcall(&e, 1, STM_API_START, 0, 0).eax, STM_ERROR_ALREADY_STARTED);
	CHECK_EQ(stm_core_log_serial(e.c), 6);		/* started only */
	/* CLEAR keeps the serial */
	CHECK_ST(tlog(&e, STM_STOP_LOG, 0, NULL), STM_SUCCESS);
	CHECK_ST(tlog(&e, STM_CLEAR_LOG, 0, NULL), STM_SUCCESS);
	CHECK_EQ(tlog_slot(&e, 0)->hdr.flags, 0);
	CHECK_EQ(stm_core_log_serial(e.c), 6);
	/* the log is global state: gone after the last STOP */
	CHECK_ST(tcall(&e, 1, STM_API_STOP, 0, 0).eax, STM_SUCCESS);
	CHECK_ST(tcall(&e, 0, STM_API_STOP, 0, 0).eax, STM_SUCCESS);
	CHECK_EQ(stm_core_log_state(e.c), STM_EVT_INVALID);
	tenv_free(&e);
}

static void set_slots(struct tenv *e, uint16_t flags)
{
	uint32_t i;

	for (i = 0; i < 16; i++) {
		tlog_slot(e, i)->hdr.flags = flags;
		tlog_slot(e, i)->hdr.event_serial_number = 0xF0000000u + i;
	}
}

/* log one record (a failed START) and return the slot it went to */
static int log_one(struct tenv *e)
{
	uint32_t serial = stm_core_log_serial(e->c), i;

	CHECK_ST(tcall(e, 0, STM_API_INITIALIZE_PROTECTION, 0, 0).eax,
		 STM_ERROR_ALREADY_STARTED);
	for (i = 0; i < 16; i++)
		if (tlog_slot(e, i)->hdr.event_serial_number == serial &&
		    tlog_slot(e, i)->hdr.type == STM_EVT_LOG_INVALID_PARAMETER_DETECTED)
			return (int)i;
	return -1;
}

void test_evlog_four_pass(void)
{
	const uint16_t V = STM_LOG_VALID, R = STM_LOG_READ_BY_MLE, W = STM_LOG_WRAPPED,
		       L = STM_LOG_LOCK;
	struct tenv e;

	tenv_init(&e, 1);
	tenv_launch(&e);
	tlog_start(&e, 1, STM_EVT_ENABLE_ALL);	/* slot 0: LogStarted */

	/* pass 1: first Valid = 0 */
	set_slots(&e, V);
	tlog_slot(&e, 5)->hdr.flags = 0;
	tlog_slot(&e, 9)->hdr.flags = 0;
	CHECK_EQ(log_one(&e), 5);
	CHECK_EQ(tlog_slot(&e, 5)->hdr.flags, V);
	/* pass 1 skips locked slots */
	tlog_slot(&e, 9)->hdr.flags = L;
	tlog_slot(&e, 10)->hdr.flags = 0;
	CHECK_EQ(log_one(&e), 10);
	CHECK_EQ(tlog_slot(&e, 9)->hdr.flags, L);
	/* pass 2: first ReadByMle = 1, not a loss */
	set_slots(&e, V);
	tlog_slot(&e, 3)->hdr.flags = V | R;
	tlog_slot(&e, 7)->hdr.flags = V | R | W;
	CHECK_EQ(log_one(&e), 3);
	CHECK_EQ(tlog_slot(&e, 3)->hdr.flags, V);
	/* pass 3: first Wrapped = 0, overwriting an unread entry -> Wrapped */
	set_slots(&e, V | W);
	tlog_slot(&e, 11)->hdr.flags = V;
	tlog_slot(&e, 12)->hdr.flags = V;
	CHECK_EQ(log_one(&e), 11);
	CHECK_EQ(tlog_slot(&e, 11)->hdr.flags, V | W);
	/* pass 4: any slot */
	set_slots(&e, V | W);
	tlog_slot(&e, 0)->hdr.flags = V | W | L;
	CHECK_EQ(log_one(&e), 1);
	CHECK_EQ(tlog_slot(&e, 1)->hdr.flags, V | W);
	/* everything locked: dropped */
	set_slots(&e, L);
	CHECK_EQ(stm_core_log_dropped(e.c), 0);
	CHECK_EQ(log_one(&e), -1);
	CHECK_EQ(stm_core_log_dropped(e.c), 1);
	tenv_free(&e);
}

/* The reference's four passes, literally, on 16 flag words. */
static int ref_choice(const uint16_t *f)
{
	int pass, i;

	for (pass = 0; pass < 4; pass++) {
		for (i = 0; i < 16; i++) {
			if (f[i] & STM_LOG_LOCK)
				continue;
			if ((pass == 0 && !(f[i] & STM_LOG_VALID)) ||
			    (pass == 1 && (f[i] & STM_LOG_READ_BY_MLE)) ||
			    (pass == 2 && !(f[i] & STM_LOG_WRAPPED)) || pass == 3)
				return i;
		}
	}
	return -1;
}

void test_evlog_slot_choice_random(void)
{
	static const uint16_t pool[] = {
		0, STM_LOG_VALID, STM_LOG_VALID | STM_LOG_READ_BY_MLE,
		STM_LOG_VALID | STM_LOG_WRAPPED,
		STM_LOG_VALID | STM_LOG_READ_BY_MLE | STM_LOG_WRAPPED,
		STM_LOG_LOCK | STM_LOG_VALID,
	};
	struct tenv e;
	uint32_t round, x = 12345;

	tenv_init(&e, 1);
	tenv_launch(&e);
	tlog_start(&e, 1, STM_EVT_ENABLE_ALL);
	for (round = 0; round < 2000; round++) {
		uint16_t f[16];
		int want, got, i;

		/* bias towards full logs so every pass gets exercised */
		for (i = 0; i < 16; i++) {
			x = x * 1103515245u + 12345u;
			f[i] = pool[(x >> 16) % (round % 3 ? 6 : 5)];
			if (round % 2 && f[i] == 0)	/* often no free slot */
				f[i] = STM_LOG_VALID | STM_LOG_WRAPPED;
			tlog_slot(&e, i)->hdr.flags = f[i];
			tlog_slot(&e, i)->hdr.event_serial_number = 0xF0000000u + i;
		}
		want = ref_choice(f);
		got = log_one(&e);
		if (got != want) {
			printf("#   round %u: core chose %d, reference %d; flags", round, got, want);
			for (i = 0; i < 16; i++)
				printf(" %x", f[i]);
			printf("\n");
			t_failed++;
			break;
		}
		if (want >= 0) {
			uint16_t exp = STM_LOG_VALID;

			if ((f[want] & STM_LOG_VALID) && !(f[want] & STM_LOG_READ_BY_MLE))
				exp |= STM_LOG_WRAPPED;
			CHECK_EQ(tlog_slot(&e, want)->hdr.flags, exp);
		}
	}
	tenv_free(&e);
}
