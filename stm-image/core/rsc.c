// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Resource lists (sec. 5.3, 5.4): node validation with the reference's
 * exact rules, staging of MLE lists (4 KiB pieces chained through
 * END.ResourceListContinuation, copied before use), and reading,
 * flattening and validating the BIOS list.
 */
#include "core_priv.h"

#define STM_PIECE_END_LIMIT	(STM_PAGE_SIZE - STM_RSC_END_SIZE)	/* 4080 */

static const struct stm_rsc_desc_header *stm_hdr(const void *node)
{
	return (const struct stm_rsc_desc_header *)node;
}

static int stm_pci_path_valid(const struct stm_rsc_pci_cfg_desc *p)
{
	uint32_t i;

	/*
	 * Reference IsPciResourceNodeValid(): every node Type 1 / Subtype 1 /
	 * Length 6, device <= 0x1F, function <= 7.  The reference further
	 * checks the ECAM window and reads config space to require that
	 * intermediate nodes exist and are PCI-PCI bridges with a non-zero
	 * secondary bus; the core has no config-space access, so those
	 * hardware checks are left to the platform.
	 */
	for (i = 0; i <= p->last_node_index; i++) {
		const struct stm_pci_device_path_node *n = &p->pci_device_path[i];

		if (n->type != STM_PCI_DEVICE_PATH_TYPE_HW ||
		    n->subtype != STM_PCI_DEVICE_PATH_SUBTYPE_PCI ||
		    n->length != sizeof(struct stm_pci_device_path_node))
			return 0;
		if (n->pci_device > 0x1F || n->pci_function > 7)
			return 0;
	}
	return 1;
}

static int stm_mem_valid(const struct stm_rsc_mem_desc *m, int from_mle,
			 uint64_t max)
{
	if (m->hdr.length != STM_RSC_MEM_SIZE)
		return 0;
	if (m->rwx_attributes & ~STM_RSC_MEM_RWX_MASK)	/* RWX + Reserved */
		return 0;
	if (m->reserved_2 != 0)
		return 0;
	if (m->length == 0)
		return 0;
	if (m->base > max || m->length > max - m->base)
		return 0;
	/* byte-granular memory/MMIO (STM_RSC_BGM/BGI) is not supported */
	if (from_mle && ((m->base & STM_PAGE_MASK) || (m->length & STM_PAGE_MASK)))
		return 0;
	return 1;
}

static int stm_io_valid(const struct stm_rsc_io_desc *io)
{
	/* no Base + Length <= 0x10000 check, as in the reference */
	return io->hdr.length == STM_RSC_IO_SIZE && io->reserved == 0 &&
	       io->length != 0;
}

static int stm_msr_valid(const struct stm_rsc_msr_desc *m, int from_mle)
{
	if (m->hdr.length != STM_RSC_MSR_SIZE)
		return 0;
	if (m->kernel_mode_processing & STM_RSC_MSR_RESERVED_MASK)
		return 0;
	/* bit-granular MSR masks (STM_RSC_MSR) are not supported */
	if (from_mle) {
		if (m->read_mask != 0 && m->read_mask != STM_U64_MAX)
			return 0;
		if (m->write_mask != 0 && m->write_mask != STM_U64_MAX)
			return 0;
	}
	return 1;
}

static int stm_pci_valid(const struct stm_rsc_pci_cfg_desc *p, int from_mle)
{
	if (p->hdr.length < STM_RSC_PCI_CFG_SIZE ||
	    p->hdr.length != STM_RSC_PCI_CFG_LEN(p->last_node_index))
		return 0;
	if (p->rw_attributes & ~STM_RSC_PCI_CFG_RW_MASK)
		return 0;
	if (p->length == 0 || p->base >= 0x1000)
		return 0;
	if (!stm_pci_path_valid(p))
		return 0;
	/* whole function only (no byte-granular config space) */
	if (from_mle && (p->base != 0 || p->length != 0x1000))
		return 0;
	return 1;
}

static int stm_trapped_io_valid(const struct stm_rsc_trapped_io_desc *t,
				int from_mle)
{
	if (from_mle)
		return 0;
	return t->hdr.length == STM_RSC_TRAPPED_IO_SIZE &&
	       !(t->flags & STM_RSC_TRAPPED_IO_RESERVED_MASK) &&
	       t->reserved2 == 0 && t->length != 0;
}

/*
 * Reference IsResourceNodeValid(node, FromMle, ForLogging = FALSE), minus
 * its check of the STM-internal copy address (meaningless here).
 * Precondition: the node's `length` bytes (at least 8) are readable.
 */
int stm_rsc_node_valid(const void *node, int from_mle, uint64_t max_addr)
{
	const struct stm_rsc_desc_header *h = stm_hdr(node);

	if (h->flags & STM_RSC_IGNORE_RESOURCE)
		return 1;

	switch (h->rsc_type) {
	case STM_END_OF_RESOURCES:
		return h->length == STM_RSC_END_SIZE;
	case STM_MEM_RANGE:
	case STM_MMIO_RANGE:
		return stm_mem_valid((const struct stm_rsc_mem_desc *)node,
				     from_mle, max_addr);
	case STM_IO_RANGE:
		return stm_io_valid((const struct stm_rsc_io_desc *)node);
	case STM_MACHINE_SPECIFIC_REG:
		return stm_msr_valid((const struct stm_rsc_msr_desc *)node,
				     from_mle);
	case STM_PCI_CFG_RANGE:
		return stm_pci_valid((const struct stm_rsc_pci_cfg_desc *)node,
				     from_mle);
	case STM_TRAPPED_IO_RANGE:
		return stm_trapped_io_valid((const struct stm_rsc_trapped_io_desc *)node,
					    from_mle);
	case STM_ALL_RESOURCES:
		return h->length == STM_RSC_ALL_RESOURCES_SIZE;
	case STM_REGISTER_VIOLATION:	/* only valid inside log entries */
	default:
		return 0;
	}
}

/*
 * Reference GetEndNodeOfThisList() on one 4 KiB piece: walk by Length
 * while the next node starts below 4096 - 16; a type above
 * STM_MAX_DESC_TYPE ends the walk as malformed.  A Length of 0 makes the
 * reference loop forever; here it is reported through *zero_len.
 */
const uint8_t *stm_rsc_find_end(const uint8_t *piece, uint32_t *end_off,
				int *zero_len)
{
	uint32_t off = 0;

	*zero_len = 0;
	do {
		const struct stm_rsc_desc_header *h = stm_hdr(piece + off);

		if (h->rsc_type == STM_END_OF_RESOURCES) {
			*end_off = off;
			return piece + off;
		}
		if (h->rsc_type > STM_MAX_DESC_TYPE)
			return (const uint8_t *)0;
		if (h->length == 0) {
			*zero_len = 1;
			return (const uint8_t *)0;
		}
		off += h->length;
	} while (off < STM_PIECE_END_LIMIT);
	return (const uint8_t *)0;
}

/*
 * Copy an MLE list into c->staging, piece by piece (reference
 * RawDuplicateResource): every failure is ERROR_STM_MALFORMED_RESOURCE_LIST
 * as in the reference, except a chain longer than the staging area
 * (ERROR_STM_OUT_OF_RESOURCES; the reference allocates until its heap is
 * exhausted and then reports malformed).
 *
 * Deliberate difference: the whole 4 KiB window copied is address-checked
 * (the reference checks only its first byte, so an unaligned piece could
 * pull MSEG/TSEG bytes into its copy).
 */
uint32_t stm_rsc_stage_mle_list(struct stm_core *c, uint64_t pa)
{
	uint32_t n = 0;
	uint64_t next = pa;

	c->n_pieces = 0;
	if (pa == 0)
		return STM_ERROR_MALFORMED_RESOURCE_LIST;
	while (next != 0) {
		const struct stm_rsc_end *end;
		uint32_t end_off;
		int zero_len;

		if (n == STM_CORE_MAX_LIST_PAGES) {
			stm_compat(c, STM_COMPAT_LIST_TOO_LONG);
			return STM_ERROR_OUT_OF_RESOURCES;
		}
		if (next & STM_PAGE_MASK)
			stm_compat(c, STM_COMPAT_BUFFER_UNALIGNED);
		if (!stm_mle_addr_ok(c, next, STM_PAGE_SIZE))
			return STM_ERROR_MALFORMED_RESOURCE_LIST;
		if (stm_phys_read(c, next, c->staging[n], STM_PAGE_SIZE))
			return STM_ERROR_MALFORMED_RESOURCE_LIST;
		c->piece_pa[n] = next;
		end = (const struct stm_rsc_end *)
			stm_rsc_find_end(c->staging[n], &end_off, &zero_len);
		if (!end) {
			if (zero_len)
				stm_compat(c, STM_COMPAT_ZERO_LENGTH_DESC);
			return STM_ERROR_MALFORMED_RESOURCE_LIST;
		}
		/* the reference never checks the END's own Length */
		if (end->hdr.length != STM_RSC_END_SIZE)
			stm_compat(c, STM_COMPAT_END_LENGTH);
		if (((next + end_off) >> 12) !=
		    ((next + end_off + STM_RSC_END_SIZE - 1) >> 12))
			stm_compat(c, STM_COMPAT_DESC_CROSSES_PAGE);
		next = end->resource_list_continuation;
		n++;
		c->n_pieces = n;
	}
	return STM_SUCCESS;
}

/* 1 if a staged piece holds nothing but its END (reference: size 0). */
int stm_rsc_staged_empty_piece(const struct stm_core *c)
{
	uint32_t i;

	for (i = 0; i < c->n_pieces; i++)
		if (stm_hdr(c->staging[i])->rsc_type == STM_END_OF_RESOURCES)
			return 1;
	return c->n_pieces == 0;
}

/* Next non-END node of the staged list, or NULL after the last piece. */
const uint8_t *stm_staged_next(const struct stm_core *c, uint32_t *piece,
			       uint32_t *off)
{
	while (*piece < c->n_pieces) {
		const uint8_t *node = c->staging[*piece] + *off;
		const struct stm_rsc_desc_header *h = stm_hdr(node);

		if (h->rsc_type == STM_END_OF_RESOURCES) {
			(*piece)++;
			*off = 0;
			continue;
		}
		*off += h->length;
		return node;
	}
	return (const uint8_t *)0;
}

/*
 * What the real STMs (J and E, by profile) do wrong with a staged MLE list
 * that the core itself handles: only the compatibility counter changes.
 *  - more than one piece: GetSizeFromResource computes the next END as
 *    Header + cumulative length and AddProtectedResource rounds the copy's
 *    pages down (real-stm-oracle.md C1, C2): descriptors never applied,
 *    heap overflow, faults;
 *  - a MEM/MMIO deny set whose remaining access is not a valid EPT entry
 *    (write without read; execute-only without EPT support): J ANDs the
 *    bits into the SMM EPT (misconfiguration: dead loop), E forces read;
 *  - a MEM/MMIO range ending exactly at 2^phys_bits (both reject it; the
 *    core too, as MALFORMED: counted so the monitor is seen sending it).
 */
static void stm_rsc_check_real(struct stm_core *c)
{
	uint32_t piece = 0, off = 0;
	const uint8_t *node;

	if (!stm_models(c, STM_PROFILE_INTEL) &&
	    !stm_models(c, STM_PROFILE_COREBOOT))
		return;
	if (c->n_pieces > 1)
		stm_compat(c, STM_COMPAT_MULTI_PIECE_LIST);
	while ((node = stm_staged_next(c, &piece, &off)) != (const uint8_t *)0) {
		const struct stm_rsc_mem_desc *m =
			(const struct stm_rsc_mem_desc *)node;
		uint32_t deny;

		if ((m->hdr.rsc_type != STM_MEM_RANGE &&
		     m->hdr.rsc_type != STM_MMIO_RANGE) ||
		    m->hdr.length != STM_RSC_MEM_SIZE ||
		    (m->hdr.flags & STM_RSC_IGNORE_RESOURCE))
			continue;
		deny = m->rwx_attributes & STM_RSC_MEM_RWX_MASK;
		if (((deny & STM_ACCESS_R) && !(deny & STM_ACCESS_W)) ||
		    (deny == (STM_ACCESS_R | STM_ACCESS_W) &&
		     !c->plat.ept_exec_only))
			stm_compat(c, STM_COMPAT_EPT_INVALID);
		if (m->base <= c->max_addr && m->length != 0 &&
		    m->length - 1u == c->max_addr - m->base)
			stm_compat(c, STM_COMPAT_MEM_AT_PHYS_LIMIT);
	}
}

/*
 * Reference IsResourceListValid(list, FromMle = TRUE) over the staged
 * copy.  Also feeds the compatibility checker.
 */
uint32_t stm_rsc_validate_staged(struct stm_core *c)
{
	uint32_t piece = 0, off = 0;
	const uint8_t *node;

	stm_rsc_check_real(c);
	while ((node = stm_staged_next(c, &piece, &off)) != (const uint8_t *)0) {
		const struct stm_rsc_desc_header *h = stm_hdr(node);
		uint64_t pa;

		if (!stm_rsc_node_valid(node, STM_LIST_MLE, c->max_addr))
			return STM_ERROR_MALFORMED_RESOURCE_LIST;
		if (h->flags & STM_RSC_RETURN_STATUS)
			stm_compat(c, STM_COMPAT_RETURN_STATUS_SET);
		pa = c->piece_pa[piece] + (uint64_t)(node - c->staging[piece]);
		if ((pa >> 12) != ((pa + h->length - 1) >> 12))
			stm_compat(c, STM_COMPAT_DESC_CROSSES_PAGE);
	}
	return STM_SUCCESS;
}

/*
 * Validate a flat list in memory (BIOS flat copy, or fuzz input): walk
 * until END; any node that does not fit in the buffer or has Length 0 is
 * malformed.
 */
uint32_t stm_rsc_validate_buffer(const uint8_t *buf, uint32_t len,
				 int from_mle, uint64_t max_addr)
{
	uint32_t off = 0;

	for (;;) {
		const struct stm_rsc_desc_header *h;

		if (len < sizeof(*h) || off > len - sizeof(*h))
			return STM_ERROR_MALFORMED_RESOURCE_LIST;
		h = stm_hdr(buf + off);
		if (h->rsc_type == STM_END_OF_RESOURCES)
			return STM_SUCCESS;
		if (h->length < sizeof(*h) || h->length > len - off)
			return STM_ERROR_MALFORMED_RESOURCE_LIST;
		if (!stm_rsc_node_valid(buf + off, from_mle, max_addr))
			return STM_ERROR_MALFORMED_RESOURCE_LIST;
		off += h->length;
	}
}

/*
 * Read the BIOS list from PSD BiosHwResourceRequirementsPtr, following
 * continuations, into dst as one flat list ending with a fresh END
 * (continuation 0), like the reference DuplicateResource().
 *
 * Differences (the reference trusts BIOS memory): a node of Length 0 or
 * shorter than its header (reference loops or misparses), unreadable
 * memory -> MALFORMED; a list longer than `cap` or a continuation cycle ->
 * OUT_OF_RESOURCES.  A zero pointer is an empty list.
 */
uint32_t stm_bios_read(struct stm_core *c, uint8_t *dst, uint32_t cap,
		       uint32_t *len)
{
	uint64_t pa = c->plat.bios_list_pa;
	uint32_t used = 0, hops = 0;
	struct stm_rsc_end *end;

	while (pa != 0) {
		struct stm_rsc_end e;
		uint16_t nlen;

		if (stm_phys_read(c, pa, &e, sizeof(e.hdr)))
			return STM_ERROR_MALFORMED_RESOURCE_LIST;
		if (e.hdr.rsc_type == STM_END_OF_RESOURCES) {
			if (stm_phys_read(c, pa, &e, sizeof(e)))
				return STM_ERROR_MALFORMED_RESOURCE_LIST;
			if (++hops > STM_CORE_MAX_BIOS_LIST / STM_PAGE_SIZE * 16)
				return STM_ERROR_OUT_OF_RESOURCES;
			pa = e.resource_list_continuation;
			continue;
		}
		nlen = e.hdr.length;
		if (nlen < sizeof(e.hdr))
			return STM_ERROR_MALFORMED_RESOURCE_LIST;
		if ((uint64_t)used + nlen + STM_RSC_END_SIZE > cap)
			return STM_ERROR_OUT_OF_RESOURCES;
		if (stm_phys_read(c, pa, dst + used, nlen))
			return STM_ERROR_MALFORMED_RESOURCE_LIST;
		/* re-check the header we trusted for the length */
		if (stm_memcmp(dst + used, &e.hdr, sizeof(e.hdr)))
			return STM_ERROR_MALFORMED_RESOURCE_LIST;
		used += nlen;
		pa += nlen;
	}
	end = (struct stm_rsc_end *)(dst + used);
	stm_memset(end, 0, sizeof(*end));
	end->hdr.rsc_type = STM_END_OF_RESOURCES;
	end->hdr.length = STM_RSC_END_SIZE;
	*len = used + STM_RSC_END_SIZE;
	return STM_SUCCESS;
}

/*
 * Take the private BIOS-list snapshot used by PROTECT (overlap) and
 * GET_BIOS_RESOURCES, once, on the first of those calls (the reference
 * delays it because the BIOS may change the list at runtime).
 */
uint32_t stm_bios_snapshot(struct stm_core *c)
{
	struct stm_bios *b = &c->bios;
	uint32_t st, len = 0;

	if (b->loaded)
		return STM_SUCCESS;
	st = stm_bios_read(c, b->flat, sizeof(b->flat), &len);
	if (st != STM_SUCCESS)
		return st;
	st = stm_rsc_validate_buffer(b->flat, len, STM_LIST_BIOS, c->max_addr);
	if (st != STM_SUCCESS)
		return st;
	b->len = len;
	st = stm_overlap_build(b);
	if (st != STM_SUCCESS)
		return st;
	b->loaded = 1;
	return STM_SUCCESS;
}

/* Validate the live BIOS list (each activating VMCALL does this). */
uint32_t stm_bios_check_live(struct stm_core *c)
{
	uint8_t *scratch = &c->staging[0][0];
	uint32_t st, len = 0;

	st = stm_bios_read(c, scratch, STM_CORE_MAX_BIOS_LIST, &len);
	if (st != STM_SUCCESS)
		return st;
	return stm_rsc_validate_buffer(scratch, len, STM_LIST_BIOS, c->max_addr);
}
