// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Checks of the TXT_PROCESSOR_SMM_DESCRIPTOR (PSD) the firmware leaves at
 * SMBASE + 0xFB00 for each CPU (interface sheet sec. 9; the STM reads it
 * at activation to build the SMM-guest VMCS, sec. 8.3).
 *
 * The reference STM checks the signature and size and then trusts every
 * field; a wrong selector or handler address there becomes a failed VM
 * entry or a dead loop at the first SMI.  Here every field the runtime
 * will load into a VMCS is checked against what a VM entry accepts (SDM
 * Vol. 3C 26.3.1, checks on the guest state) and each refusal is a
 * distinct reason with an STM status code for the activating VMCALL.
 *
 * Deliberately not checked: Reserved4/5/6 (firmware in the field leaves
 * them non-zero), LocalApicId (coreboot stores a CPU index there),
 * StmSmmState (an output of the STM).
 */
#include "rt_priv.h"

static const char *const stm_psd_reasons[STM_PSD_REASON_NR] = {
	[STM_PSD_OK] = "ok",
	[STM_PSD_BAD_SIGNATURE] = "signature is not TXTPSSIG",
	[STM_PSD_BAD_SIZE] = "Size is not 137 (128 for v0.99)",
	[STM_PSD_BAD_VERSION] = "SmmDescriptorVerMajor is not 1",
	[STM_PSD_BAD_REV_ID] = "RequiredStmSmmRevId is not supported",
	[STM_PSD_RESERVED_SET] = "reserved bits set",
	[STM_PSD_BAD_SELECTOR] = "segment selector null, LDT or beyond the GDT",
	[STM_PSD_BAD_GDT] = "SMM GDT pointer or size invalid",
	[STM_PSD_BAD_RIP] = "SMM entry RIP/RSP invalid",
	[STM_PSD_BAD_CR3] = "SmmCr3 invalid",
	[STM_PSD_BAD_BIOS_LIST] = "BIOS resource list pointer invalid",
	[STM_PSD_BAD_RSDP] = "ACPI RSDP pointer invalid",
	[STM_PSD_BAD_PHYS_BITS] = "PhysicalAddressBits invalid",
	[STM_PSD_BAD_SPE] = "protection exception handler invalid",
	[STM_PSD_BAD_MODE] = "Intel64Mode without Cr4Pae",
	[STM_PSD_BAD_SEGMENT] = "an SMM GDT descriptor is not a valid guest segment",
	[STM_PSD_UNREADABLE] = "PSD not readable at SMBASE + 0xFB00",
};

const char *stm_psd_reason_name(enum stm_psd_reason r)
{
	if ((uint32_t)r >= STM_PSD_REASON_NR)
		return "unknown";
	return stm_psd_reasons[r];
}

static uint32_t stm_psd_status(enum stm_psd_reason r)
{
	switch (r) {
	case STM_PSD_OK:
		return STM_SUCCESS;
	case STM_PSD_BAD_REV_ID:
		return STM_ERROR_FUNCTION_NOT_SUPPORTED;
	case STM_PSD_RESERVED_SET:
		return STM_ERROR_RESERVED_BIT_SET;
	case STM_PSD_BAD_CR3:
		return STM_ERROR_BAD_CR3;
	case STM_PSD_BAD_BIOS_LIST:
		return STM_ERROR_MALFORMED_RESOURCE_LIST;
	case STM_PSD_UNREADABLE:
		return STM_ERROR_PAGE_NOT_FOUND;
	default:
		return STM_ERROR_INVALID_PARAMETER;
	}
}

/* Canonical for 48-bit linear addresses (SDM 3.3.7.1); < 4 GiB outside IA-32e. */
static int stm_psd_addr_ok(uint64_t a, int intel64)
{
	if (!intel64)
		return a <= 0xFFFFFFFFull;
	return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

/* A selector the runtime can resolve in the SMM GDT: non-null, TI = 0, in the limit. */
static int stm_psd_sel_ok(uint16_t sel, uint32_t gdt_limit)
{
	if ((sel & ~7u) == 0 || (sel & 4u))
		return 0;
	return (uint32_t)(sel & ~7u) + 7u <= gdt_limit;
}

/* Signature, size (1.0, or 0.99 if allowed), version, revision, reserved bits. */
static enum stm_psd_reason stm_psd_check_header(const struct stm_psd *d,
						uint64_t len, uint32_t flags,
						struct stm_psd_info *o)
{
	if (len < STM_PSD_SIZE_V099)
		return STM_PSD_UNREADABLE;
	if (stm_memcmp(d->signature, STM_PSD_SIGNATURE, 8) != 0)
		return STM_PSD_BAD_SIGNATURE;
	if (d->size == STM_PSD_SIZE_V099 && (flags & STM_PSD_ALLOW_V099))
		o->v099 = 1;
	else if (d->size != STM_PSD_SIZE)
		return STM_PSD_BAD_SIZE;
	if (len < d->size)
		return STM_PSD_UNREADABLE;
	if (d->smm_descriptor_ver_major != 1 &&
	    !(o->v099 && d->smm_descriptor_ver_major == 0))
		return STM_PSD_BAD_VERSION;
	if (d->required_stm_smm_rev_id != STM_SMM_REV_ID)
		return STM_PSD_BAD_REV_ID;
	if ((d->smm_entry_state & 0xF0u) || (d->smm_resume_state & 0xFCu) ||
	    (d->stm_protection_exception_handler.filter & 0xFFE0u) ||
	    d->stm_protection_exception_handler.reserved2)
		return STM_PSD_RESERVED_SET;
	return STM_PSD_OK;
}

/*
 * The physical address width (the PSD's, if it names one, within the
 * CPU's) as *limit = 2^bits, and the entry mode: IA-32e needs PAE.
 */
static enum stm_psd_reason stm_psd_check_space(const struct stm_psd *d,
					       uint32_t cpu_bits,
					       struct stm_psd_info *o,
					       uint64_t *limit, int *intel64)
{
	uint32_t bits = cpu_bits;

	if (!o->v099 && d->physical_address_bits) {
		if (d->physical_address_bits < 32 || d->physical_address_bits > 52 ||
		    d->physical_address_bits > cpu_bits)
			return STM_PSD_BAD_PHYS_BITS;
		bits = d->physical_address_bits;
		o->phys_addr_bits = d->physical_address_bits;
	}
	*limit = 1ull << bits;	/* bits <= 52 (caller checked cpu_bits) */

	*intel64 = (d->smm_entry_state & STM_PSD_ENTRY_INTEL64_MODE) != 0;
	if (*intel64 && !(d->smm_entry_state & STM_PSD_ENTRY_CR4_PAE))
		return STM_PSD_BAD_MODE;
	return STM_PSD_OK;
}

/* The SMM GDT and the selectors the runtime resolves in it. */
static enum stm_psd_reason stm_psd_check_gdt(const struct stm_psd *d,
					     uint64_t limit,
					     struct stm_psd_info *o)
{
	/* GDT: the runtime reads descriptors from it (identity-mapped SMRAM) */
	if (d->smm_gdt_size < 16 || d->smm_gdt_size > 0x10000u ||
	    (d->smm_gdt_ptr & 7u) || d->smm_gdt_ptr >= limit ||
	    d->smm_gdt_size > limit - d->smm_gdt_ptr)
		return STM_PSD_BAD_GDT;
	o->gdt_base = d->smm_gdt_ptr;
	o->gdt_limit = d->smm_gdt_size - 1u;
	/* SDM 26.3.1.2: CS, SS usable with RPL 0 here; TR a GDT TSS */
	if (!stm_psd_sel_ok(d->smm_cs, o->gdt_limit) || (d->smm_cs & 3u) ||
	    !stm_psd_sel_ok(d->smm_ss, o->gdt_limit) || (d->smm_ss & 3u) ||
	    !stm_psd_sel_ok(d->smm_ds, o->gdt_limit) ||
	    !stm_psd_sel_ok(d->smm_other_segment, o->gdt_limit) ||
	    !stm_psd_sel_ok(d->smm_tr, o->gdt_limit))
		return STM_PSD_BAD_SELECTOR;
	return STM_PSD_OK;
}

/* Entry points, CR3, the BIOS resource list, the RSDP and the SpeRip handler. */
static enum stm_psd_reason stm_psd_check_ptrs(const struct stm_psd *d,
					      uint64_t limit, int intel64,
					      const struct stm_psd_info *o)
{
	const struct stm_protection_exception_handler *h =
		&d->stm_protection_exception_handler;

	if (!d->smm_smi_handler_rip || !stm_psd_addr_ok(d->smm_smi_handler_rip, intel64) ||
	    !d->smm_smi_handler_rsp || !stm_psd_addr_ok(d->smm_smi_handler_rsp, intel64) ||
	    !stm_psd_addr_ok(d->smm_stm_setup_rip, intel64) ||
	    !stm_psd_addr_ok(d->smm_stm_teardown_rip, intel64))
		return STM_PSD_BAD_RIP;
	/* SDM 26.3.1.1: CR3 bits beyond MAXPHYADDR must be 0; IA-32e needs paging */
	if (d->smm_cr3 >= limit || (intel64 && (d->smm_cr3 & ~STM_PAGE_MASK) == 0))
		return STM_PSD_BAD_CR3;
	if ((d->bios_hw_resource_requirements_ptr & 7u) ||
	    d->bios_hw_resource_requirements_ptr >= limit ||
	    (d->bios_hw_resource_requirements_ptr &&
	     limit - d->bios_hw_resource_requirements_ptr < STM_RSC_END_SIZE))
		return STM_PSD_BAD_BIOS_LIST;
	if (!o->v099 && d->acpi_rsdp &&
	    (d->acpi_rsdp >= limit || limit - d->acpi_rsdp < 36))
		return STM_PSD_BAD_RSDP;
	if (h->spe_rip &&
	    (!stm_psd_addr_ok(h->spe_rip, intel64) || !h->spe_rsp ||
	     !stm_psd_addr_ok(h->spe_rsp, intel64) ||
	     !stm_psd_sel_ok(h->spe_ss, o->gdt_limit) || (h->spe_ss & 3u)))
		return STM_PSD_BAD_SPE;
	return STM_PSD_OK;
}

/* The checked fields the runtime uses. */
static void stm_psd_fill(const struct stm_psd *d, int intel64,
			 struct stm_psd_info *o)
{
	o->local_apic_id = d->local_apic_id;
	o->entry_state = d->smm_entry_state;
	o->intel64 = (uint8_t)intel64;
	o->cs = d->smm_cs;
	o->ds = d->smm_ds;
	o->ss = d->smm_ss;
	o->other = d->smm_other_segment;
	o->tr = d->smm_tr;
	o->cr3 = d->smm_cr3;
	o->setup_rip = d->smm_stm_setup_rip;
	o->teardown_rip = d->smm_stm_teardown_rip;
	o->handler_rip = d->smm_smi_handler_rip;
	o->handler_rsp = d->smm_smi_handler_rsp;
	o->spe_rip = d->stm_protection_exception_handler.spe_rip;
	o->spe_rsp = d->stm_protection_exception_handler.spe_rsp;
	o->spe_ss = d->stm_protection_exception_handler.spe_ss;
	o->spe_filter = d->stm_protection_exception_handler.filter;
	o->bios_list_pa = d->bios_hw_resource_requirements_ptr;
	o->acpi_rsdp = o->v099 ? 0 : d->acpi_rsdp;
}

static enum stm_psd_reason stm_psd_check_fields(const struct stm_psd *d,
						uint64_t len,
						uint32_t cpu_bits,
						uint32_t flags,
						struct stm_psd_info *o)
{
	enum stm_psd_reason r;
	uint64_t limit;
	int intel64;

	r = stm_psd_check_header(d, len, flags, o);
	if (r != STM_PSD_OK)
		return r;
	r = stm_psd_check_space(d, cpu_bits, o, &limit, &intel64);
	if (r != STM_PSD_OK)
		return r;
	r = stm_psd_check_gdt(d, limit, o);
	if (r != STM_PSD_OK)
		return r;
	r = stm_psd_check_ptrs(d, limit, intel64, o);
	if (r != STM_PSD_OK)
		return r;
	stm_psd_fill(d, intel64, o);
	return STM_PSD_OK;
}

uint32_t stm_rt_psd_check(const void *psd, uint64_t len, uint32_t phys_bits,
			  uint32_t flags, struct stm_psd_info *info,
			  enum stm_psd_reason *reason)
{
	struct stm_psd d;
	struct stm_psd_info o;
	enum stm_psd_reason r;

	stm_memset(&o, 0, sizeof(o));
	stm_memset(&d, 0, sizeof(d));
	if (!psd || phys_bits < 32 || phys_bits > 52) {
		r = phys_bits < 32 || phys_bits > 52 ? STM_PSD_BAD_PHYS_BITS :
						       STM_PSD_UNREADABLE;
	} else {
		/* one copy: the firmware's SMRAM may change under us (TOCTOU) */
		stm_memcpy(&d, psd, len < sizeof(d) ? len : sizeof(d));
		r = stm_psd_check_fields(&d, len, phys_bits, flags, &o);
	}
	if (reason)
		*reason = r;
	if (r == STM_PSD_OK && info)
		*info = o;
	return stm_psd_status(r);
}

uint32_t stm_rt_psd_read(const struct stm_mem_ops *mem, void *ctx,
			 uint64_t smbase, uint32_t phys_bits, uint32_t flags,
			 struct stm_psd_info *info, enum stm_psd_reason *reason)
{
	uint64_t pa = smbase + STM_PSD_OFFSET;
	void *va = (void *)0;
	uint32_t st;

	if (pa >= smbase)	/* no wrap */
		va = mem->map(ctx, pa, STM_PSD_SIZE);
	if (!va) {
		if (reason)
			*reason = STM_PSD_UNREADABLE;
		return stm_psd_status(STM_PSD_UNREADABLE);
	}
	st = stm_rt_psd_check(va, STM_PSD_SIZE, phys_bits, flags, info, reason);
	mem->unmap(ctx, va, STM_PSD_SIZE);
	return st;
}

/* ---- the SMM guest's segments from the SMM GDT ---- */

/* Decode the 8-byte descriptor at sel into *o (VMX AR form, SDM Table 25-2). */
static void stm_gdt_decode(const uint8_t *gdt, uint16_t sel, struct stm_seg *o)
{
	uint64_t d = stm_rt_ld64(gdt + (sel & ~7u));
	uint32_t limit = (uint32_t)(d & 0xFFFFu) | (uint32_t)((d >> 32) & 0xF0000u);

	o->sel = sel;
	o->ar = (uint32_t)((d >> 40) & 0xFFu) | (uint32_t)(((d >> 52) & 0xFu) << 12);
	o->limit = (o->ar & STM_AR_G) ? (limit << 12) | 0xFFFu : limit;
	o->base = ((d >> 16) & 0xFFFFFFull) | (((d >> 56) & 0xFFull) << 24);
}

/* SDM 26.3.1.2, for a guest that is neither virtual-8086 nor unrestricted */
static int stm_seg_check(struct stm_seg *s, enum stm_seg_id id, int intel64,
			 const uint8_t *gdt, uint32_t gdt_len)
{
	uint32_t type = s->ar & 0xFu, dpl = (s->ar >> 5) & 3u;

	if (!(s->ar & STM_AR_P))
		return 0;
	switch (id) {
	case STM_SEG_CS:
		if (!(s->ar & STM_AR_S) || !(type & 8u))
			return 0;		/* a code segment */
		if (!(type & 4u) && dpl != 0)
			return 0;		/* non-conforming: DPL = SS.DPL = 0 */
		if (intel64 ? (!(s->ar & STM_AR_L) || (s->ar & STM_AR_DB)) :
			      (s->ar & STM_AR_L) != 0)
			return 0;		/* 64-bit code for an IA-32e guest */
		break;
	case STM_SEG_SS:
		if (!(s->ar & STM_AR_S) || (type & 0xAu) != 2u || dpl != 0)
			return 0;		/* writable data, DPL = RPL = 0 */
		break;
	case STM_SEG_TR:
		/* a 32/64-bit TSS (9 available, 11 busy); 16-bit only outside IA-32e */
		if (s->ar & STM_AR_S)
			return 0;
		if (type != 9u && type != 11u &&
		    (intel64 || (type != 1u && type != 3u)))
			return 0;
		if (intel64) {		/* 16-byte system descriptor */
			if ((uint32_t)(s->sel & ~7u) + 16u > gdt_len)
				return 0;
			s->base |= (uint64_t)stm_rt_ld32(gdt + (s->sel & ~7u) + 8) << 32;
		}
		s->ar |= 2u;		/* busy, as a VM entry requires */
		return 1;
	default:			/* DS, ES/FS/GS */
		if (!(s->ar & STM_AR_S) || ((type & 8u) && !(type & 2u)))
			return 0;		/* data, or readable code */
		if (type < 12u && dpl < (s->sel & 3u))
			return 0;
		break;
	}
	s->ar |= STM_AR_ACCESSED;
	return 1;
}

uint32_t stm_rt_gdt_segments(const uint8_t *gdt, uint32_t gdt_len,
			     const struct stm_psd_info *info,
			     struct stm_seg *seg, enum stm_psd_reason *reason)
{
	static const uint8_t ids[] = {
		STM_SEG_CS, STM_SEG_SS, STM_SEG_DS, STM_SEG_ES, STM_SEG_FS,
		STM_SEG_GS, STM_SEG_TR,
	};
	struct stm_seg out[STM_SEG_NR];
	uint32_t i;
	uint16_t sel;

	if (!gdt || gdt_len < info->gdt_limit + 1u || info->gdt_limit < 15) {
		if (reason)
			*reason = STM_PSD_BAD_GDT;
		return STM_ERROR_INVALID_PARAMETER;
	}
	stm_memset(out, 0, sizeof(out));
	for (i = 0; i < sizeof(ids); i++) {
		switch (ids[i]) {
		case STM_SEG_CS:
			sel = info->cs;
			break;
		case STM_SEG_SS:
			sel = info->ss;
			break;
		case STM_SEG_DS:
			sel = info->ds;
			break;
		case STM_SEG_TR:
			sel = info->tr;
			break;
		default:
			sel = info->other;
			break;
		}
		/* stm_rt_psd_check() put every selector inside the limit */
		if ((sel & 4u) || (uint32_t)(sel & ~7u) + 8u > info->gdt_limit + 1u ||
		    (sel & ~7u) == 0)
			goto bad;
		stm_gdt_decode(gdt, sel, &out[ids[i]]);
		if (!stm_seg_check(&out[ids[i]], (enum stm_seg_id)ids[i], info->intel64,
				   gdt, info->gdt_limit + 1u))
			goto bad;
	}
	out[STM_SEG_LDTR].ar = STM_AR_UNUSABLE;
	stm_memcpy(seg, out, sizeof(out));
	if (reason)
		*reason = STM_PSD_OK;
	return STM_SUCCESS;
bad:
	if (reason)
		*reason = STM_PSD_BAD_SEGMENT;
	return STM_ERROR_INVALID_PARAMETER;
}

uint32_t stm_rt_psd_segments(const struct stm_mem_ops *mem, void *ctx,
			     const struct stm_psd_info *info,
			     struct stm_seg *seg, enum stm_psd_reason *reason)
{
	uint64_t len = (uint64_t)info->gdt_limit + 1u;
	const uint8_t *gdt = (const uint8_t *)mem->map(ctx, info->gdt_base, len);
	uint32_t st;

	if (!gdt) {
		if (reason)
			*reason = STM_PSD_UNREADABLE;
		return STM_ERROR_PAGE_NOT_FOUND;
	}
	st = stm_rt_gdt_segments(gdt, (uint32_t)len, info, seg, reason);
	mem->unmap(ctx, (void *)gdt, len);
	return st;
}
