// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* MLE-side log reader: order, gaps, Wrapped, locked slots, limits. */
#include <stdlib.h>
#include "tests.h"

struct rd {
	struct stm_log_reader r;
	struct stm_log_scratch *s;
	struct stm_log_entry out[STM_LOG_MAX_SLOTS];
	void *pages[STM_LOG_MAX_PAGES];
	uint32_t npages;
};

static struct rd *rd_new(struct tenv *e, uint32_t npages)
{
	struct rd *d = calloc(1, sizeof(*d));
	uint32_t i;

	d->s = calloc(1, sizeof(*d->s));
	d->npages = npages;
	for (i = 0; i < npages; i++)
		d->pages[i] = e->mem + T_LOG_PA + i * 0x1000ull;
	stm_log_reader_init(&d->r, 0);
	return d;
}

static void rd_free(struct rd *d)
{
	free(d->s);
	free(d);
}

static struct stm_log_drain_result drain(struct rd *d, uint32_t max)
{
	struct stm_log_drain_result res;

	CHECK_ST(stm_log_drain(&d->r, d->pages, d->npages, d->out, max, d->s, &res),
		 STM_SUCCESS);
	return res;
}

static void events(struct tenv *e, uint32_t n)
{
	while (n--)
		tcall(e, 0, STM_API_INITIALIZE_PROTECTION, 0, 0);
}

static int in_order(struct rd *d, uint32_t n, uint32_t first)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (d->out[i].hdr.event_serial_number != first + i)
			return 0;
	return 1;
}

void test_logread_order_and_gaps(void)
{
	struct tenv e;
	struct rd *d;
	struct stm_log_drain_result res;
	uint32_t i;

	tenv_init(&e, 1);
	tenv_launch(&e);
	tlog_start(&e, 1, STM_EVT_ENABLE_ALL);	/* serial 0 */
	d = rd_new(&e, 1);
	events(&e, 9);				/* 1..9 */
	res = drain(d, 100);
	CHECK_EQ(res.count, 10);
	CHECK_EQ(res.lost, 0);
	CHECK(in_order(d, 10, 0));
	CHECK_EQ(d->out[0].hdr.type, STM_EVT_LOG_STARTED);
	for (i = 0; i < 10; i++)
		CHECK(tlog_slot(&e, i)->hdr.flags & STM_LOG_READ_BY_MLE);
	CHECK_EQ(drain(d, 100).count, 0);
	/* 6 free slots, then ReadByMle slots are reused from slot 0 */
	events(&e, 10);				/* 10..19 */
	CHECK_EQ(tlog_slot(&e, 0)->hdr.event_serial_number, 16);
	res = drain(d, 100);
	CHECK_EQ(res.count, 10);
	CHECK_EQ(res.lost, 0);
	CHECK_EQ(res.wrapped, 0);
	CHECK(in_order(d, 10, 10));		/* sorted across the rotation */
	/* an entry vanishing (here: cleared by hand) is a gap = lost */
	events(&e, 5);				/* 20..24 */
	for (i = 0; i < 16; i++)
		if (tlog_slot(&e, i)->hdr.event_serial_number == 22)
			tlog_slot(&e, i)->hdr.flags = 0;
	res = drain(d, 100);
	CHECK_EQ(res.count, 4);
	CHECK_EQ(res.lost, 1);
	CHECK_EQ(d->r.lost, 1);
	CHECK_EQ(d->r.next_serial, 25);
	rd_free(d);
	tenv_free(&e);
}

void test_logread_wrap(void)
{
	struct tenv e;
	struct rd *d;
	struct stm_log_drain_result res;

	tenv_init(&e, 1);
	tenv_launch(&e);
	tlog_start(&e, 1, STM_EVT_ENABLE_ALL);	/* 0 */
	d = rd_new(&e, 1);
	events(&e, 39);				/* 1..39, 16 slots */
	/*
	 * Reference slot choice: 0..15 fill the page, 16..31 overwrite
	 * slots 0..15 (pass 3, Wrapped = 0 first), then every slot is
	 * Wrapped and pass 4 always picks slot 0: 32..38 are overwritten
	 * by their successor, 39 stays.  Left: 17..31 and 39.
	 */
	res = drain(d, 100);
	CHECK_EQ(res.count, 16);
	CHECK_EQ(res.lost, 24);			/* 0..16 and 32..38 */
	CHECK_EQ(res.wrapped, 16);
	CHECK(in_order(d, 15, 17));
	CHECK_EQ(d->out[15].hdr.event_serial_number, 39);
	CHECK_EQ(d->r.next_serial, 40);
	/* every loss was reported: delivered + lost == serials written */
	CHECK_EQ(d->r.delivered + d->r.lost, stm_core_log_serial(e.c));
	rd_free(d);
	tenv_free(&e);
}

void test_logread_locked_and_limits(void)
{
	struct tenv e;
	struct rd *d;
	struct stm_log_drain_result res;
	struct stm_log_entry *s5 = NULL;
	uint32_t i;

	tenv_init(&e, 1);
	tenv_launch(&e);
	tlog_start(&e, 2, STM_EVT_ENABLE_ALL);
	d = rd_new(&e, 2);
	events(&e, 9);				/* 0..9 */
	/* max: partial delivery, the rest pending */
	res = drain(d, 3);
	CHECK_EQ(res.count, 3);
	CHECK_EQ(res.pending, 7);
	CHECK(in_order(d, 3, 0));
	/* a slot locked by the writer: delivery stops before the gap */
	for (i = 0; i < 32; i++)
		if (tlog_slot(&e, i)->hdr.event_serial_number == 5)
			s5 = tlog_slot(&e, i);
	s5->hdr.flags |= STM_LOG_LOCK;
	res = drain(d, 100);
	CHECK_EQ(res.count, 2);			/* 3, 4 */
	CHECK_EQ(res.lost, 0);
	CHECK(res.pending >= 4);
	s5->hdr.flags &= (uint16_t)~STM_LOG_LOCK;
	res = drain(d, 100);
	CHECK_EQ(res.count, 5);			/* 5..9 */
	CHECK(in_order(d, 5, 5));
	CHECK_EQ(d->r.lost, 0);
	/* stuck lock: after eight postponements the gap is declared ... */
	events(&e, 3);				/* 10..12 */
	for (i = 0; i < 32; i++)
		if (tlog_slot(&e, i)->hdr.event_serial_number == 10)
			s5 = tlog_slot(&e, i);
	s5->hdr.flags |= STM_LOG_LOCK;
	for (i = 0; i < 8; i++)
		CHECK_EQ(drain(d, 100).count, 0);
	res = drain(d, 100);
	CHECK_EQ(res.count, 2);
	CHECK_EQ(res.lost, 1);
	/* ... and a late arrival is delivered and counted as recovered */
	s5->hdr.flags &= (uint16_t)~STM_LOG_LOCK;
	res = drain(d, 100);
	CHECK_EQ(res.count, 1);
	CHECK_EQ(res.recovered, 1);
	CHECK_EQ(d->out[0].hdr.event_serial_number, 10);
	CHECK_EQ(d->r.lost - d->r.recovered, 0);
	/* bad arguments */
	CHECK_ST(stm_log_drain(&d->r, d->pages, 0, d->out, 1, d->s, &res),
		 STM_ERROR_INVALID_PARAMETER);
	CHECK_ST(stm_log_drain(&d->r, d->pages, 511, d->out, 1, d->s, &res),
		 STM_ERROR_INVALID_PARAMETER);
	CHECK_ST(stm_log_drain(&d->r, d->pages, 1, NULL, 1, d->s, &res),
		 STM_ERROR_INVALID_PARAMETER);
	rd_free(d);
	tenv_free(&e);
}

/*
 * A real concurrent writer: one thread issues failing VMCALLs (each logs a
 * record) while this thread drains.  Nothing may be delivered twice, the
 * non-late records come out in increasing order, and in the end every
 * serial was delivered or reported lost.
 */
#include <pthread.h>

struct conc {
	struct tenv *e;
	volatile int done;
	uint32_t n;
};

static void *conc_writer(void *arg)
{
	struct conc *k = arg;
	uint32_t i;

	for (i = 0; i < k->n; i++) {
		struct stm_regs r = { STM_API_INITIALIZE_PROTECTION, 0, 0, 0, 0 };

		stm_core_vmcall(k->e->c, 0, T_VMCS_PA, &r);
	}
	__atomic_store_n(&k->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

void test_logread_concurrent(void)
{
	struct tenv e;
	struct rd *d;
	struct conc k;
	pthread_t th;
	struct stm_log_drain_result res;
	uint8_t *seen = calloc(1, 1 << 20);
	uint32_t i, dup = 0, disorder = 0, late = 0, drains = 0;

	tenv_init(&e, 1);
	tenv_launch(&e);
	tlog_start(&e, 2, STM_EVT_ENABLE_ALL);
	d = rd_new(&e, 2);
	k.e = &e;
	k.done = 0;
	k.n = 200000;
	if (pthread_create(&th, NULL, conc_writer, &k)) {
		free(seen);
		rd_free(d);
		tenv_free(&e);
		SKIP("no threads");
	}
	for (;;) {
		int fin = __atomic_load_n(&k.done, __ATOMIC_ACQUIRE);

		CHECK_ST(stm_log_drain(&d->r, d->pages, d->npages, d->out, 64, d->s, &res),
			 STM_SUCCESS);
		drains++;
		for (i = 0; i < res.count; i++) {
			uint32_t s = d->out[i].hdr.event_serial_number;

			if (s < (1u << 23)) {
				if (seen[s >> 3] & (1u << (s & 7)))
					dup++;
				seen[s >> 3] |= (uint8_t)(1u << (s & 7));
			}
			if (i && (int32_t)(s - d->out[i - 1].hdr.event_serial_number) <= 0)
				disorder++;
		}
		late += res.recovered;
		if (fin && res.count == 0 && res.pending == 0)
			break;
	}
	pthread_join(th, NULL);
	CHECK_EQ(dup, 0);
	CHECK_EQ(disorder, 0);
	CHECK_EQ(stm_core_log_serial(e.c), k.n + 1);
	CHECK_EQ(d->r.delivered + d->r.lost - d->r.recovered, stm_core_log_serial(e.c));
	printf("#   %u records written, %llu delivered, %llu lost, %u late, %llu races, "
	       "%llu locked skips, %u drains\n", k.n + 1,
	       (unsigned long long)d->r.delivered, (unsigned long long)d->r.lost, late,
	       (unsigned long long)d->r.races, (unsigned long long)d->r.locked_skips, drains);
	free(seen);
	rd_free(d);
	tenv_free(&e);
}
