// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Event log writer and MANAGE_EVENT_LOG state machine (sec. 6).
 *
 * Slots are 256 bytes, 16 per page, scanned page 0 slot 0 .. last page
 * slot 15.  Slot choice is the reference's four passes: first slot with
 * Valid = 0, else first with ReadByMle = 1, else first with Wrapped = 0,
 * else any; each pass skips slots whose Lock bit cannot be taken.  The
 * Lock bit is taken with a compare-and-swap of the whole 8-byte header and
 * the finished entry is published with one release store of the header, so
 * a concurrent reader (stm_log_drain) sees either Lock = 1 or a complete
 * entry.  Log pages stay mapped from NEW_LOG to DELETE_LOG.
 */
#include "core_priv.h"

#define STM_HDR_FLAG(f)		((uint64_t)(f) << 48)

static uint64_t *stm_slot_hdr(const struct stm_core *c, uint32_t i)
{
	uint8_t *page = (uint8_t *)c->log.va[i / STM_LOG_ENTRIES_PER_PAGE];

	return (uint64_t *)(page + (i % STM_LOG_ENTRIES_PER_PAGE) * STM_LOG_ENTRY_SIZE);
}

static void stm_log_unmap_all(struct stm_core *c)
{
	uint32_t i;

	for (i = 0; i < c->log.npages; i++) {
		stm_unmap(c, c->log.va[i], STM_PAGE_SIZE);
		c->log.va[i] = (void *)0;
		c->log.pa[i] = 0;
	}
	c->log.npages = 0;
}

void stm_evlog_reset(struct stm_core *c)
{
	stm_log_unmap_all(c);
	c->log.state = STM_EVT_INVALID;
	c->log.serial = 0;
	c->log.bitmap = 0;
}

static int stm_pass_wants(uint32_t pass, uint64_t h)
{
	switch (pass) {
	case 0:
		return !(h & STM_HDR_FLAG(STM_LOG_VALID));
	case 1:
		return (h & STM_HDR_FLAG(STM_LOG_READ_BY_MLE)) != 0;
	case 2:
		return !(h & STM_HDR_FLAG(STM_LOG_WRAPPED));
	default:
		return 1;
	}
}

static int stm_try_lock(uint64_t *hp, uint32_t pass, uint64_t *old)
{
	uint64_t h = __atomic_load_n(hp, __ATOMIC_ACQUIRE);

	if ((h & STM_HDR_FLAG(STM_LOG_LOCK)) || !stm_pass_wants(pass, h))
		return 0;
	if (!__atomic_compare_exchange_n(hp, &h, h | STM_HDR_FLAG(STM_LOG_LOCK), 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return 0;	/* changed under us: as if locked */
	*old = h;
	return 1;
}

/*
 * Reference GetNextEmpty(): returns the locked slot header, or NULL.
 * One sweep finds, among unlocked slots, the first candidate of each of
 * the four passes (stopping at the first Valid = 0, which wins); if taking
 * that slot's Lock fails (a concurrent reader or writer), the four passes
 * are run literally.  Without concurrency the choice is the reference's.
 */
static uint64_t *stm_next_empty(struct stm_core *c, uint64_t *old)
{
	uint32_t nslots = c->log.npages * STM_LOG_ENTRIES_PER_PAGE;
	uint32_t first[4] = { nslots, nslots, nslots, nslots };
	uint32_t pass, i;

	for (i = 0; i < nslots; i++) {
		uint64_t h = __atomic_load_n(stm_slot_hdr(c, i), __ATOMIC_ACQUIRE);

		if (h & STM_HDR_FLAG(STM_LOG_LOCK))
			continue;
		if (first[3] == nslots)
			first[3] = i;
		if (stm_pass_wants(0, h)) {
			first[0] = i;
			break;
		}
		if (first[1] == nslots && stm_pass_wants(1, h))
			first[1] = i;
		if (first[2] == nslots && stm_pass_wants(2, h))
			first[2] = i;
	}
	for (pass = 0; pass < 4; pass++) {
		if (first[pass] == nslots)
			continue;
		if (stm_try_lock(stm_slot_hdr(c, first[pass]), pass, old))
			return stm_slot_hdr(c, first[pass]);
		break;	/* raced: do it the long way */
	}
	if (pass == 4)
		return (uint64_t *)0;	/* every slot locked */
	for (pass = 0; pass < 4; pass++) {
		for (i = 0; i < nslots; i++) {
			if (stm_try_lock(stm_slot_hdr(c, i), pass, old))
				return stm_slot_hdr(c, i);
		}
	}
	return (uint64_t *)0;
}

/* Reference AddEventLog(). */
void stm_evlog_add(struct stm_core *c, uint32_t type, const void *data,
		   uint32_t len)
{
	uint64_t *hp, old, flags = STM_LOG_VALID;
	uint8_t *payload;

	if (c->log.state != STM_EVT_LOG_STARTED || type >= 32 ||
	    !(c->log.bitmap & (1u << type)))
		return;
	if (len > STM_LOG_PAYLOAD_MAX)
		len = STM_LOG_PAYLOAD_MAX;
	hp = stm_next_empty(c, &old);
	if (!hp) {
		c->log.dropped++;
		return;
	}
	/* overwriting a valid entry the MLE has not read: mark the loss */
	if ((old & STM_HDR_FLAG(STM_LOG_VALID)) &&
	    !(old & STM_HDR_FLAG(STM_LOG_READ_BY_MLE)))
		flags |= STM_LOG_WRAPPED;
	payload = (uint8_t *)hp + sizeof(struct stm_log_entry_header);
	stm_memcpy(payload, data, len);
	/* the reference leaves stale bytes after the payload; clear them */
	stm_memset(payload + len, 0, STM_LOG_PAYLOAD_MAX - len);
	__atomic_store_n(hp, (uint64_t)c->log.serial | ((uint64_t)type << 32) |
			 STM_HDR_FLAG(flags), __ATOMIC_RELEASE);
	c->log.serial++;
}

void stm_evlog_add_rsc(struct stm_core *c, uint32_t type, const uint8_t *node)
{
	stm_evlog_add(c, type, node,
		      ((const struct stm_rsc_desc_header *)node)->length);
}

static uint32_t stm_log_new(struct stm_core *c, uint64_t req_pa,
			    uint32_t page_count)
{
	const struct stm_event_log_management_request *req;
	uint32_t size, i;

	if (page_count == 0 || page_count > STM_LOG_MAX_PAGES)
		return STM_ERROR_INVALID_PAGECOUNT;
	size = (uint32_t)sizeof(*req) + (page_count - 1) * 8u;
	if (!stm_mle_addr_ok(c, req_pa, size))
		return STM_ERROR_SECURITY_VIOLATION;
	/* local copy against time-of-check/time-of-use */
	if (stm_phys_read(c, req_pa, c->staging[0], size))
		return STM_ERROR_SECURITY_VIOLATION;
	req = (const struct stm_event_log_management_request *)c->staging[0];
	if (req->page_count != page_count)
		return STM_ERROR_SECURITY_VIOLATION;
	for (i = 0; i < page_count; i++) {
		uint64_t pa = ((const uint64_t *)(c->staging[0] + 8))[i];

		if (!stm_mle_addr_ok(c, pa, STM_PAGE_SIZE))
			return STM_ERROR_SECURITY_VIOLATION;
	}
	if (c->log.state != STM_EVT_INVALID)
		return STM_ERROR_LOG_ALLOCATED;
	for (i = 0; i < page_count; i++) {
		uint64_t pa = ((const uint64_t *)(c->staging[0] + 8))[i];
		void *va;

		if (pa & STM_PAGE_MASK)
			stm_compat(c, STM_COMPAT_BUFFER_UNALIGNED);
		/*
		 * Deliberate difference: the Lock bit is taken atomically on
		 * the 8-byte header, which needs 8-byte alignment; such a
		 * page is refused instead of being used as given.
		 */
		va = (pa & 7u) ? (void *)0 : stm_map(c, pa, STM_PAGE_SIZE);
		if (!va) {
			stm_log_unmap_all(c);
			return STM_ERROR_SECURITY_VIOLATION;
		}
		c->log.pa[i] = pa;
		c->log.va[i] = va;
		c->log.npages = i + 1;
	}
	/* pages are recorded, not cleared (the reference trusts their Valid bits) */
	c->log.state = STM_EVT_LOG_STOPPED;
	return STM_SUCCESS;
}

/* MANAGE_EVENT_LOG: EBX/ECX = request. */
uint32_t stm_evlog_manage(struct stm_core *c, uint64_t req_pa)
{
	struct stm_event_log_management_request req;
	struct stm_log_data_started zero = { 0 };
	uint32_t i;

	if (!stm_mle_addr_ok(c, req_pa, sizeof(req)) ||
	    stm_phys_read(c, req_pa, &req, sizeof(req)))
		return STM_ERROR_SECURITY_VIOLATION;

	switch (req.sub_function_index) {
	case STM_NEW_LOG:
		return stm_log_new(c, req_pa, req.page_count);
	case STM_CONFIGURE_LOG:
		if (c->log.state == STM_EVT_INVALID)
			return STM_ERROR_LOG_NOT_ALLOCATED;
		if (c->log.state == STM_EVT_LOG_STARTED)
			return STM_ERROR_LOG_NOT_STOPPED;
		if (req.event_enable_bitmap >= (1u << STM_EVT_MLE_MAX))
			return STM_ERROR_RESERVED_BIT_SET;
		c->log.bitmap = req.event_enable_bitmap;
		return STM_SUCCESS;
	case STM_START_LOG:
		if (c->log.state == STM_EVT_INVALID)
			return STM_ERROR_LOG_NOT_ALLOCATED;
		if (c->log.state == STM_EVT_LOG_STARTED)
			return STM_ERROR_LOG_NOT_STOPPED;
		if (c->log.bitmap == 0)
			return STM_ERROR_NO_EVENTS_ENABLED;
		c->log.state = STM_EVT_LOG_STARTED;
		stm_evlog_add(c, STM_EVT_LOG_STARTED, &zero, sizeof(zero));
		return STM_SUCCESS;
	case STM_STOP_LOG:
		if (c->log.state == STM_EVT_INVALID)
			return STM_ERROR_LOG_NOT_ALLOCATED;
		if (c->log.state == STM_EVT_LOG_STOPPED)
			return STM_ERROR_LOG_NOT_STARTED;
		stm_evlog_add(c, STM_EVT_LOG_STOPPED, &zero, sizeof(zero));
		c->log.state = STM_EVT_LOG_STOPPED;
		return STM_SUCCESS;
	case STM_CLEAR_LOG:
		if (c->log.state == STM_EVT_INVALID)
			return STM_ERROR_LOG_NOT_ALLOCATED;
		if (c->log.state == STM_EVT_LOG_STARTED)
			return STM_ERROR_LOG_NOT_STOPPED;
		/* the serial number is not reset */
		for (i = 0; i < c->log.npages; i++)
			stm_memset(c->log.va[i], 0, STM_PAGE_SIZE);
		return STM_SUCCESS;
	case STM_DELETE_LOG:
		/* succeeds with no log too */
		if (c->log.state == STM_EVT_LOG_STARTED)
			return STM_ERROR_LOG_NOT_STOPPED;
		stm_evlog_reset(c);
		return STM_SUCCESS;
	default:
		/* the reference dead-loops in the STM here */
		stm_compat(c, STM_COMPAT_UNKNOWN_LOG_SUBFUNC);
		return STM_ERROR_INVALID_API;
	}
}

uint32_t stm_core_log_state(const struct stm_core *c)
{
	return c->log.state;
}

uint32_t stm_core_log_serial(const struct stm_core *c)
{
	return c->log.serial;
}

uint64_t stm_core_log_dropped(const struct stm_core *c)
{
	return c->log.dropped;
}
