// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Event-log reader.
 * Mode 0 (byte 0 even): the input is raw log-page content (1-4 pages);
 *   drains with varying limits must not crash, never deliver more than
 *   asked, never deliver a slot twice, and leave every delivered slot
 *   marked ReadByMle.
 * Mode 1 (byte 0 odd): zeroed pages, the core's writer adds events, the
 *   input interleaves writes, drains and writer-lock toggles; at the end
 *   (locks released, drained to empty) every serial ever written was
 *   either delivered or reported lost: delivered + lost - recovered ==
 *   written, and non-late records came out in increasing serial order.
 */
#include "fuzz_common.h"

static struct fenv env;
static struct stm_log_scratch scratch;
static struct stm_log_entry out[4 * STM_LOG_ENTRIES_PER_PAGE];
static uint8_t seen[4 * STM_LOG_ENTRIES_PER_PAGE];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct stm_log_entry *slot(uint32_t i)
{
	return (struct stm_log_entry *)(env.mem + (uint64_t)i * STM_LOG_ENTRY_SIZE);
}

static void raw_mode(const uint8_t *data, size_t size, uint32_t npages)
{
	struct stm_log_reader rd;
	struct stm_log_drain_result res;
	void *pg[4];
	uint32_t i, k, round;

	memcpy(env.mem, data, size > npages * 4096u ? npages * 4096u : size);
	for (i = 0; i < npages; i++)
		pg[i] = env.mem + (uint64_t)i * 4096;
	stm_log_reader_init(&rd, size > 8 ? data[8] : 0);
	memset(seen, 0, sizeof(seen));
	for (round = 0; round < 4; round++) {
		uint32_t max = size > 2 + round ? data[2 + round] % 70 : 64;

		F_CHECK(stm_log_drain(&rd, pg, npages, out, max, &scratch, &res) ==
			STM_SUCCESS);
		F_CHECK(res.count <= max);
		for (k = 0; k < res.count; k++) {
			uint32_t found = 0;

			F_CHECK(out[k].hdr.flags & STM_LOG_VALID);
			F_CHECK(!(out[k].hdr.flags & (STM_LOG_LOCK | STM_LOG_READ_BY_MLE)));
			for (i = 0; i < npages * 16; i++) {
				if (!seen[i] && (slot(i)->hdr.flags & STM_LOG_READ_BY_MLE) &&
				    slot(i)->hdr.event_serial_number ==
					    out[k].hdr.event_serial_number &&
				    !memcmp(slot(i)->data, out[k].data, sizeof(out[k].data))) {
					seen[i] = 1;
					found = 1;
					break;
				}
			}
			F_CHECK(found);
		}
	}
}

static void writer_mode(const uint8_t *data, size_t size, uint32_t npages)
{
	struct stm_event_log_management_request *req;
	struct stm_log_reader rd;
	struct stm_log_drain_result res;
	uint64_t written = 0;
	void *pg[4];
	uint32_t i, k;
	size_t pos = 2;

	f_std_bios(&env);
	F_CHECK(f_call(&env, 0, STM_API_INITIALIZE_PROTECTION, 0, 0).eax == STM_SUCCESS);
	req = (struct stm_event_log_management_request *)(env.mem + 8 * 4096);
	memset(req, 0, 64);
	req->sub_function_index = STM_NEW_LOG;
	req->page_count = npages;
	for (i = 0; i < npages; i++) {
		req->pages[i] = F_MEM_BASE + (uint64_t)i * 4096;
		pg[i] = env.mem + (uint64_t)i * 4096;
	}
	F_CHECK(f_call(&env, 0, STM_API_MANAGE_EVENT_LOG, F_MEM_BASE + 8 * 4096, 0).eax == 0);
	req->sub_function_index = STM_CONFIGURE_LOG;
	req->event_enable_bitmap = STM_EVT_ENABLE_ALL;
	F_CHECK(f_call(&env, 0, STM_API_MANAGE_EVENT_LOG, F_MEM_BASE + 8 * 4096, 0).eax == 0);
	req->sub_function_index = STM_START_LOG;
	F_CHECK(f_call(&env, 0, STM_API_MANAGE_EVENT_LOG, F_MEM_BASE + 8 * 4096, 0).eax == 0);
	written = 1;	/* EvtLogStarted */
	stm_log_reader_init(&rd, 0);

	while (pos < size) {
		uint8_t op = data[pos++];
		uint8_t arg = pos < size ? data[pos++] : 0;

		switch (op % 4) {
		case 0:	/* the writer logs arg % 40 events (failed INIT calls) */
			for (k = 0; k < arg % 40u; k++) {
				f_call(&env, 0, STM_API_INITIALIZE_PROTECTION, 0, 0);
				written++;
			}
			break;
		case 1:	/* drain up to arg records */
		case 2:
			F_CHECK(stm_log_drain(&rd, pg, npages, out, arg % 70u, &scratch,
					      &res) == STM_SUCCESS);
			for (k = 0; k < res.count; k++) {
				uint32_t s = out[k].hdr.event_serial_number;

				/* everything delivered is behind the next expected serial */
				F_CHECK((int32_t)(s - rd.next_serial) < 0);
				/* and comes out in increasing serial order */
				if (k)
					F_CHECK((int32_t)(s - out[k - 1].hdr.event_serial_number) > 0);
			}
			break;
		default: /* the writer holds (or releases) the lock of a slot */
			slot(arg % (npages * 16u))->hdr.flags ^= STM_LOG_LOCK;
			break;
		}
	}
	for (i = 0; i < npages * 16; i++)
		slot(i)->hdr.flags &= (uint16_t)~STM_LOG_LOCK;
	for (k = 0; k < 4; k++)
		F_CHECK(stm_log_drain(&rd, pg, npages, out, 64, &scratch, &res) ==
			STM_SUCCESS);
	F_CHECK(res.count == 0 && res.pending == 0);
	/* events the writer found no unlocked slot for never got a serial */
	F_CHECK(written == stm_core_log_serial(env.c) + stm_core_log_dropped(env.c));
	written = stm_core_log_serial(env.c);
	F_CHECK(rd.delivered + rd.lost - rd.recovered == written);
	F_CHECK(rd.next_serial == (uint32_t)written);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t npages;

	if (size < 2)
		return 0;
	fenv_setup(&env);
	npages = 1 + data[1] % 4;
	if (data[0] & 1)
		writer_mode(data, size, npages);
	else
		raw_mode(data, size, npages);
	return 0;
}
