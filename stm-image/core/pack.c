// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * MLE-side resource-list packer: lays encoded STM_RSC descriptors into
 * 4 KiB pieces the reference STM parses correctly.  Its END search only
 * finds an END that starts below offset 4096 - 16, so each page holds at
 * most STM_PACK_PAGE_PAYLOAD (4079) bytes of descriptors followed by an END
 * of Length 16 chaining to the next page's physical address (0 on the
 * last).  For 32-byte descriptors: 127 per page (4064 bytes), END at 4064,
 * 16 bytes spare.  No descriptor crosses a page; page tails are zeroed.
 */
#include "core_priv.h"

/* Walk the node stream; if `pages` is non-NULL, write it out. */
static uint32_t stm_pack_walk(const uint8_t *nodes, uint32_t len,
			      const struct stm_list_page *pages,
			      uint32_t *used)
{
	uint32_t off = 0, page = 0, fill = 0;
	struct stm_rsc_end *end;

	while (off < len) {
		const struct stm_rsc_desc_header *h;
		uint16_t nlen;

		if (len - off < sizeof(*h))
			return STM_ERROR_MALFORMED_RESOURCE_LIST;
		h = (const struct stm_rsc_desc_header *)(nodes + off);
		nlen = h->length;
		if (nlen < sizeof(*h) || nlen > len - off ||
		    nlen > STM_PACK_PAGE_PAYLOAD ||
		    h->rsc_type == STM_END_OF_RESOURCES ||
		    h->rsc_type > STM_MAX_DESC_TYPE)
			return STM_ERROR_MALFORMED_RESOURCE_LIST;
		if (fill + nlen > STM_PACK_PAGE_PAYLOAD) {
			if (pages) {
				end = (struct stm_rsc_end *)((uint8_t *)pages[page].va + fill);
				stm_memset(end, 0, STM_PAGE_SIZE - fill);
				end->hdr.rsc_type = STM_END_OF_RESOURCES;
				end->hdr.length = STM_RSC_END_SIZE;
				end->resource_list_continuation = pages[page + 1].pa;
			}
			page++;
			fill = 0;
		}
		if (pages)
			stm_memcpy((uint8_t *)pages[page].va + fill, nodes + off, nlen);
		fill += nlen;
		off += nlen;
	}
	if (pages) {
		end = (struct stm_rsc_end *)((uint8_t *)pages[page].va + fill);
		stm_memset(end, 0, STM_PAGE_SIZE - fill);
		end->hdr.rsc_type = STM_END_OF_RESOURCES;
		end->hdr.length = STM_RSC_END_SIZE;
		end->resource_list_continuation = 0;
	}
	*used = page + 1;
	return STM_SUCCESS;
}

uint32_t stm_pack_pages_needed(const void *nodes, uint32_t nodes_len)
{
	uint32_t used = 0;

	if (!nodes && nodes_len)
		return 0;
	if (stm_pack_walk((const uint8_t *)nodes, nodes_len,
			  (const struct stm_list_page *)0, &used) != STM_SUCCESS)
		return 0;
	return used;
}

uint32_t stm_pack_resource_list(const void *nodes, uint32_t nodes_len,
				const struct stm_list_page *pages,
				uint32_t npages, uint32_t *pages_used)
{
	uint32_t need = 0, i, st;

	if (pages_used)
		*pages_used = 0;
	if ((!nodes && nodes_len) || !pages)
		return STM_ERROR_INVALID_PARAMETER;
	st = stm_pack_walk((const uint8_t *)nodes, nodes_len,
			   (const struct stm_list_page *)0, &need);
	if (st != STM_SUCCESS)
		return st;
	if (pages_used)
		*pages_used = need;
	if (need > npages)
		return STM_ERROR_BUFFER_TOO_SMALL;
	for (i = 0; i < need; i++) {
		if (!pages[i].va || (pages[i].pa & STM_PAGE_MASK) || pages[i].pa == 0)
			return STM_ERROR_INVALID_PARAMETER;
	}
	return stm_pack_walk((const uint8_t *)nodes, nodes_len, pages, &need);
}
