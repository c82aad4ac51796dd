// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * MLE-side event-log reader.  Runs in the executive monitor, possibly
 * concurrently with an STM writing the same pages on another CPU.
 *
 * One drain: (1) scan every slot with one atomic 8-byte load of its
 * header, skip Lock = 1, collect Valid && !ReadByMle; (2) sort the batch
 * by distance from the next expected serial; (3) for each, copy the entry,
 * then mark it read with a compare-and-swap of the header against the value
 * scanned: if the writer touched the slot meanwhile the CAS fails and the
 * copy is discarded (an overwrite sets Wrapped on the new entry, so the
 * loss shows up).  Serials skipped over are declared lost, except that a
 * drain which saw a locked slot or a failed CAS postpones a gap (at most
 * eight times in a row), since the missing entry may just be in flight.  A
 * record that arrives after its serial was declared lost is delivered and
 * counted as recovered.  Nothing is lost silently: every missing serial is
 * counted in `lost` exactly once (minus later recoveries).
 */
#include "core_priv.h"

#define STM_RD_FLAG(f)		((uint64_t)(f) << 48)
#define STM_RD_MAX_DEFER	8u

void stm_log_reader_init(struct stm_log_reader *rd, uint32_t first_serial)
{
	stm_memset(rd, 0, sizeof(*rd));
	rd->next_serial = first_serial;
}

static int stm_cand_less(const struct stm_log_scratch *s, uint32_t a,
			 uint32_t b)
{
	if (s->c[a].key != s->c[b].key)
		return s->c[a].key < s->c[b].key;
	return s->c[a].slot < s->c[b].slot;
}

static void stm_cand_swap(struct stm_log_scratch *s, uint32_t a, uint32_t b)
{
	uint64_t h = s->c[a].hdr;
	int32_t k = s->c[a].key;
	uint32_t sl = s->c[a].slot;

	s->c[a].hdr = s->c[b].hdr;
	s->c[a].key = s->c[b].key;
	s->c[a].slot = s->c[b].slot;
	s->c[b].hdr = h;
	s->c[b].key = k;
	s->c[b].slot = sl;
}

static void stm_cand_sift(struct stm_log_scratch *s, uint32_t root, uint32_t n)
{
	for (;;) {
		uint32_t child = 2 * root + 1;

		if (child >= n)
			return;
		if (child + 1 < n && stm_cand_less(s, child, child + 1))
			child++;
		if (!stm_cand_less(s, root, child))
			return;
		stm_cand_swap(s, root, child);
		root = child;
	}
}

static void stm_cand_sort(struct stm_log_scratch *s, uint32_t n)
{
	uint32_t i, sorted = 1;

	/* the batch is usually already in order (one rotation at most) */
	for (i = 1; i < n && sorted; i++)
		sorted = !stm_cand_less(s, i, i - 1);
	if (sorted)
		return;
	for (i = n / 2; i-- > 0;)
		stm_cand_sift(s, i, n);
	for (i = n; i-- > 1;) {
		stm_cand_swap(s, 0, i);
		stm_cand_sift(s, 0, i);
	}
}

/* The header word of log slot i. */
static uint64_t *stm_log_slot(void *const *pages, uint32_t i)
{
	return (uint64_t *)(void *)
		((uint8_t *)pages[i / STM_LOG_ENTRIES_PER_PAGE] +
		 (i % STM_LOG_ENTRIES_PER_PAGE) * STM_LOG_ENTRY_SIZE);
}

/* The arguments of stm_log_drain(): the pages non-NULL and 8-byte aligned. */
static uint32_t stm_log_drain_args(const struct stm_log_reader *rd,
				   void *const *pages, uint32_t npages,
				   const struct stm_log_entry *out, uint32_t max,
				   const struct stm_log_scratch *scratch,
				   const struct stm_log_drain_result *res)
{
	uint32_t i;

	if (!rd || !pages || npages == 0 || npages > STM_LOG_MAX_PAGES ||
	    !scratch || !res || (max && !out))
		return STM_ERROR_INVALID_PARAMETER;
	for (i = 0; i < npages; i++) {
		if (!pages[i] || ((uint64_t)(__UINTPTR_TYPE__)pages[i] & 7u))
			return STM_ERROR_INVALID_PARAMETER;
	}
	return STM_SUCCESS;
}

/*
 * The valid, unread records of nslots slots into scratch (sorted by
 * distance from the expected serial); slots locked by a writer are
 * counted in *locked.  Returns the number of candidates.
 */
static uint32_t stm_log_collect(struct stm_log_reader *rd, void *const *pages,
				uint32_t nslots, struct stm_log_scratch *scratch,
				uint32_t *locked)
{
	uint32_t i, n = 0;

	*locked = 0;
	for (i = 0; i < nslots; i++) {
		uint64_t h = __atomic_load_n(stm_log_slot(pages, i), __ATOMIC_ACQUIRE);

		if (h & STM_RD_FLAG(STM_LOG_LOCK)) {
			(*locked)++;
			continue;
		}
		if ((h & STM_RD_FLAG(STM_LOG_VALID)) &&
		    !(h & STM_RD_FLAG(STM_LOG_READ_BY_MLE))) {
			scratch->c[n].hdr = h;
			scratch->c[n].key = (int32_t)((uint32_t)h - rd->next_serial);
			scratch->c[n].slot = i;
			n++;
		}
	}
	rd->locked_skips += *locked;
	stm_cand_sort(scratch, n);
	return n;
}

/* A delivered record with header h, key from the expected serial: the counters. */
static void stm_log_account(struct stm_log_reader *rd,
			    struct stm_log_drain_result *res, uint64_t h,
			    int32_t key)
{
	if (key < 0) {
		rd->recovered++;
		res->recovered++;
	} else {
		if (key > 0) {
			rd->lost += (uint32_t)key;
			res->lost += (uint32_t)key;
		}
		rd->next_serial = (uint32_t)h + 1u;
	}
	if (h & STM_RD_FLAG(STM_LOG_WRAPPED)) {
		rd->wrapped++;
		res->wrapped++;
	}
}

uint32_t stm_log_drain(struct stm_log_reader *rd, void *const *pages,
		       uint32_t npages, struct stm_log_entry *out, uint32_t max,
		       struct stm_log_scratch *scratch,
		       struct stm_log_drain_result *res)
{
	uint32_t n, i, delivered = 0, locked, done = 0;
	int cas_failed = 0, deferred = 0;

	if (res)
		stm_memset(res, 0, sizeof(*res));
	if (stm_log_drain_args(rd, pages, npages, out, max, scratch, res))
		return STM_ERROR_INVALID_PARAMETER;
	n = stm_log_collect(rd, pages, npages * STM_LOG_ENTRIES_PER_PAGE,
			    scratch, &locked);

	for (i = 0; i < n && delivered < max; i++) {
		uint64_t h = scratch->c[i].hdr, exp = h;
		/* distance from the serial expected now (it moves as we deliver) */
		int32_t key = (int32_t)((uint32_t)h - rd->next_serial);
		uint64_t *hp = stm_log_slot(pages, scratch->c[i].slot);

		if (key > 0 && (locked || cas_failed) &&
		    rd->deferrals < STM_RD_MAX_DEFER) {
			deferred = 1;	/* the missing serial may be in flight */
			break;
		}
		stm_memcpy(&out[delivered], hp, STM_LOG_ENTRY_SIZE);
		done++;
		if (!__atomic_compare_exchange_n(hp, &exp,
						 h | STM_RD_FLAG(STM_LOG_READ_BY_MLE),
						 0, __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE)) {
			rd->races++;
			cas_failed = 1;
			continue;
		}
		stm_memcpy(&out[delivered].hdr, &h, sizeof(h));
		delivered++;
		stm_log_account(rd, res, h, key);
	}
	rd->deferrals = deferred ? rd->deferrals + 1 : 0;
	rd->delivered += delivered;
	res->count = delivered;
	res->pending = n - done + locked;
	return STM_SUCCESS;
}
