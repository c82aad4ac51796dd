// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * MSEG image parser and verifier (see mseg_verify.h).
 *
 * Freestanding: no libc calls, every read bounds-checked against the size
 * the caller passed, 64-bit arithmetic for every sum of 32-bit header
 * fields so that no input can wrap a check.
 */
#include "mseg_verify.h"

#define HW(field)	STM_OFFSETOF(struct stm_hw_header, field)
#define SW(field)	(STM_SW_HEADER_OFFSET + \
			 STM_OFFSETOF(struct stm_sw_header, field))
#define NOTE(field)	(STM_IMAGE_NOTE_OFFSET + \
			 STM_OFFSETOF(struct stm_image_note, field))

/* Descriptor bits (Intel SDM Vol. 3A 3.4.5) */
#define SEG_ACC_P	0x80u
#define SEG_ACC_DPL	0x60u
#define SEG_ACC_S	0x10u
#define SEG_TYPE_CODE	0x08u
#define SEG_TYPE_RW	0x02u	/* readable code / writable data */
#define SEG_FL_G	0x8u
#define SEG_FL_DB	0x4u
#define SEG_FL_L	0x2u

uint32_t stm_mseg_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 |
	       (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void stm_mseg_wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

uint64_t stm_mseg_rd64(const uint8_t *p)
{
	return (uint64_t)stm_mseg_rd32(p) | (uint64_t)stm_mseg_rd32(p + 4) << 32;
}

static uint64_t stm_pages(uint64_t bytes)
{
	return (bytes + STM_PAGE_MASK) & ~(uint64_t)STM_PAGE_MASK;
}

static uint64_t stm_max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Saturating arithmetic: a CPU count from the command line must not wrap
 * the minimum MSEG size into something small.
 */
static uint64_t stm_add_sat(uint64_t a, uint64_t b)
{
	return a + b < a ? ~0ull : a + b;
}

static uint64_t stm_mul_sat(uint64_t a, uint64_t b)
{
	if (a && b > ~0ull / a)
		return ~0ull;
	return a * b;
}

/* [off, off + len) inside [lo, hi)?  64-bit, so nothing wraps. */
static int stm_in(uint64_t off, uint64_t len, uint64_t lo, uint64_t hi)
{
	return off >= lo && off + len <= hi;
}

static int stm_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static void stm_zero(void *p, uint32_t n)
{
	uint8_t *b = p;

	while (n--)
		*b++ = 0;
}

static int stm_note_magic(const uint8_t *p)
{
	static const char magic[] = STM_IMAGE_NOTE_MAGIC;
	uint32_t i;

	for (i = 0; i < 8; i++)
		if (p[i] != (uint8_t)magic[i])
			return 0;
	return 1;
}

/* The hardware header (SDM 32.11.1) and the fixed part of the software one. */
static void stm_parse_headers(const uint8_t *b, struct stm_mseg_info *info)
{
	info->revision = stm_mseg_rd32(b + HW(stm_header_revision));
	info->monitor_features = stm_mseg_rd32(b + HW(monitor_features));
	info->gdtr_limit = stm_mseg_rd32(b + HW(gdtr_limit));
	info->gdtr_base_offset = stm_mseg_rd32(b + HW(gdtr_base_offset));
	info->cs_selector = stm_mseg_rd32(b + HW(cs_selector));
	info->eip_offset = stm_mseg_rd32(b + HW(eip_offset));
	info->esp_offset = stm_mseg_rd32(b + HW(esp_offset));
	info->cr3_offset = stm_mseg_rd32(b + HW(cr3_offset));

	info->spec_ver_major = b[SW(stm_spec_ver_major)];
	info->spec_ver_minor = b[SW(stm_spec_ver_minor)];
	info->sw_reserved = (uint16_t)(b[SW(reserved)] |
				       b[SW(reserved) + 1] << 8);
	info->static_image_size = stm_mseg_rd32(b + SW(static_image_size));
	info->per_proc_dynamic_memory_size =
		stm_mseg_rd32(b + SW(per_proc_dynamic_memory_size));
	info->additional_dynamic_memory_size =
		stm_mseg_rd32(b + SW(additional_dynamic_memory_size));
	info->stm_features = stm_mseg_rd32(b + SW(stm_features));
	info->number_of_rev_ids = stm_mseg_rd32(b + SW(number_of_rev_ids));
}

/* The stmexec image note, if the image has one (magic at its offset). */
static void stm_parse_note(const uint8_t *b, uint32_t size,
			   struct stm_mseg_info *info)
{
	struct stm_image_note *nt = &info->note;
	uint32_t i;

	if (size < STM_IMAGE_NOTE_OFFSET + sizeof(struct stm_image_note) ||
	    !stm_note_magic(b + STM_IMAGE_NOTE_OFFSET))
		return;
	info->has_note = 1;
	for (i = 0; i < 8; i++)
		nt->magic[i] = b[STM_IMAGE_NOTE_OFFSET + i];
	nt->version = stm_mseg_rd32(b + NOTE(version));
	nt->size = stm_mseg_rd32(b + NOTE(size));
	nt->code_offset = stm_mseg_rd32(b + NOTE(code_offset));
	nt->code_size = stm_mseg_rd32(b + NOTE(code_size));
	nt->rodata_offset = stm_mseg_rd32(b + NOTE(rodata_offset));
	nt->rodata_size = stm_mseg_rd32(b + NOTE(rodata_size));
	nt->data_offset = stm_mseg_rd32(b + NOTE(data_offset));
	nt->data_size = stm_mseg_rd32(b + NOTE(data_size));
	nt->bss_offset = stm_mseg_rd32(b + NOTE(bss_offset));
	nt->bss_size = stm_mseg_rd32(b + NOTE(bss_size));
	nt->reloc_offset = stm_mseg_rd32(b + NOTE(reloc_offset));
	nt->reloc_count = stm_mseg_rd32(b + NOTE(reloc_count));
	nt->stack_size = stm_mseg_rd32(b + NOTE(stack_size));
	nt->heap_size = stm_mseg_rd32(b + NOTE(heap_size));
	nt->reserved[0] = stm_mseg_rd32(b + NOTE(reserved));
	nt->reserved[1] = stm_mseg_rd32(b + NOTE(reserved) + 4);
}

int stm_mseg_parse(const void *img, uint32_t size, struct stm_mseg_info *info)
{
	const uint8_t *b = img;
	const uint32_t fixed_end = SW(stm_smm_rev_id);
	uint32_t n;

	stm_zero(info, sizeof(*info));
	info->image_size = size;
	if (!b || size < fixed_end)
		return STM_MSEG_E_TRUNCATED;

	stm_parse_headers(b, info);
	/* Clamp so the end offset stays meaningful; verify rejects n > max. */
	n = info->number_of_rev_ids;
	if (n > STM_MSEG_MAX_REV_IDS + 1)
		n = STM_MSEG_MAX_REV_IDS + 1;
	info->sw_header_end = fixed_end + 4u * n;
	if (info->sw_header_end > size)
		return STM_MSEG_E_TRUNCATED;
	stm_parse_note(b, size, info);
	return STM_MSEG_OK;
}

static uint64_t stm_vmcs_pages(uint32_t vmcs_size)
{
	return stm_pages(vmcs_size ? vmcs_size : STM_MSEG_DEFAULT_VMCS_SIZE);
}

static uint64_t stm_per_cpu(const struct stm_mseg_info *info,
			    uint32_t vmcs_size)
{
	return (uint64_t)info->per_proc_dynamic_memory_size +
	       2 * stm_vmcs_pages(vmcs_size);
}

uint64_t stm_mseg_min_size_ref(const struct stm_mseg_info *info, uint32_t cpus,
			       uint32_t vmcs_size)
{
	return stm_add_sat(stm_pages(info->static_image_size) +
			   info->additional_dynamic_memory_size,
			   stm_mul_sat(stm_per_cpu(info, vmcs_size), cpus));
}

uint64_t stm_mseg_min_size_loader(const struct stm_mseg_info *info,
				  uint32_t cpus, uint32_t vmcs_size)
{
	uint64_t min = stm_mseg_min_size_ref(info, cpus, vmcs_size);

	min = stm_max64(min, info->image_size);
	if (info->cr3_offset >= info->static_image_size)
		min = stm_max64(min, (uint64_t)info->cr3_offset +
					  STM_MSEG_PT_SIZE);
	return min;
}

uint64_t stm_mseg_static_end(const struct stm_mseg_info *info)
{
	uint64_t end = stm_pages(info->static_image_size);

	/* E (coreboot's STM) counts from Cr3Offset: BSS lies before it. */
	end = stm_max64(end, info->cr3_offset);
	if (info->has_note)
		end = stm_max64(end, stm_pages((uint64_t)info->note.bss_offset +
					       info->note.bss_size));
	return end;
}

uint64_t stm_mseg_min_size(const struct stm_mseg_info *info, uint32_t cpus,
			   uint32_t vmcs_size)
{
	uint64_t min = stm_add_sat(stm_mseg_static_end(info) +
				   info->additional_dynamic_memory_size,
				   stm_mul_sat(stm_per_cpu(info, vmcs_size),
					       cpus));

	return stm_max64(min, stm_mseg_min_size_loader(info, cpus, vmcs_size));
}

uint32_t stm_mseg_max_cpus(const struct stm_mseg_info *info,
			   uint32_t mseg_size, uint32_t vmcs_size)
{
	/* min_size(n) = max(c0 + per * n, constant loader terms) */
	uint64_t c0 = stm_mseg_static_end(info) +
		      info->additional_dynamic_memory_size;
	uint64_t per = stm_per_cpu(info, vmcs_size);	/* >= 2 pages */
	uint64_t n;

	if (stm_mseg_min_size(info, 0, vmcs_size) > mseg_size)
		return 0;
	n = (mseg_size - c0) / per;
	return n > 0xFFFFFFFFull ? 0xFFFFFFFFu : (uint32_t)n;
}

void stm_seg_decode(uint64_t raw, struct stm_seg_desc *d)
{
	uint32_t limit = (uint32_t)(raw & 0xFFFF) |
			 (uint32_t)((raw >> 48) & 0xF) << 16;

	d->base = (uint32_t)((raw >> 16) & 0xFFFFFF) |
		  (uint32_t)((raw >> 56) & 0xFF) << 24;
	d->access = (uint8_t)(raw >> 40);
	d->flags = (uint8_t)((raw >> 52) & 0xF);
	d->limit = (d->flags & SEG_FL_G) ? (limit << 12) | 0xFFF : limit;
}

static int stm_seg_flat(const struct stm_seg_desc *d)
{
	return d->base == 0 && d->limit == 0xFFFFFFFFu;
}

int stm_seg_check_code(uint64_t raw, int ia32e)
{
	struct stm_seg_desc d;

	stm_seg_decode(raw, &d);
	if (!(d.access & SEG_ACC_P) || !(d.access & SEG_ACC_S) ||
	    !(d.access & SEG_TYPE_CODE) || (d.access & SEG_ACC_DPL))
		return -1;
	if (ia32e)	/* 64-bit code: L=1, D=0; base/limit ignored */
		return ((d.flags & SEG_FL_L) && !(d.flags & SEG_FL_DB)) ? 0 : -1;
	/* 32-bit flat code, as the CPU loads it at activation */
	if ((d.flags & SEG_FL_L) || !(d.flags & SEG_FL_DB) || !stm_seg_flat(&d))
		return -1;
	return 0;
}

int stm_seg_check_data(uint64_t raw)
{
	struct stm_seg_desc d;

	stm_seg_decode(raw, &d);
	if (!(d.access & SEG_ACC_P) || !(d.access & SEG_ACC_S) ||
	    (d.access & SEG_TYPE_CODE) || !(d.access & SEG_TYPE_RW) ||
	    (d.access & SEG_ACC_DPL))
		return -1;
	return stm_seg_flat(&d) ? 0 : -1;
}

static int stm_check_note(const uint8_t *b, const struct stm_mseg_info *info)
{
	const struct stm_image_note *nt = &info->note;
	uint64_t lo = info->sw_header_end;
	uint64_t hi = info->image_size;

	if (nt->version != STM_IMAGE_NOTE_VERSION ||
	    nt->size != sizeof(struct stm_image_note))
		return -1;
	if (lo < STM_IMAGE_NOTE_OFFSET + sizeof(struct stm_image_note))
		lo = STM_IMAGE_NOTE_OFFSET + sizeof(struct stm_image_note);
	if (info->sw_header_end > STM_IMAGE_NOTE_OFFSET)
		return -1;	/* rev ids run into the note */
	if (!nt->code_size || !stm_in(nt->code_offset, nt->code_size, lo, hi) ||
	    !stm_in(nt->rodata_offset, nt->rodata_size, lo, hi) ||
	    !stm_in(nt->data_offset, nt->data_size, lo, hi) ||
	    !stm_in(nt->bss_offset, nt->bss_size, nt->data_offset,
		    (uint64_t)nt->data_offset + nt->data_size))
		return -1;
	if (stm_overlap(nt->code_offset, nt->code_size,
			nt->rodata_offset, nt->rodata_size) ||
	    stm_overlap(nt->code_offset, nt->code_size,
			nt->data_offset, nt->data_size) ||
	    stm_overlap(nt->rodata_offset, nt->rodata_size,
			nt->data_offset, nt->data_size))
		return -1;
	if (nt->stack_size != info->per_proc_dynamic_memory_size)
		return -1;	/* stub stack != PerProcDynamicMemorySize */
	if (nt->reserved[0] || nt->reserved[1])
		return -1;
	(void)b;
	return 0;
}

static int stm_check_relocs(const uint8_t *b, const struct stm_mseg_info *info)
{
	const struct stm_image_note *nt = &info->note;
	uint64_t len = (uint64_t)nt->reloc_count * STM_RELA_SIZE;
	uint64_t lo = STM_IMAGE_NOTE_OFFSET + sizeof(struct stm_image_note);
	uint64_t hi = info->image_size;
	uint32_t i;

	if (!nt->reloc_count)
		return 0;
	if (!stm_in(nt->reloc_offset, len, nt->rodata_offset,
		    (uint64_t)nt->rodata_offset + nt->rodata_size))
		return -1;
	for (i = 0; i < nt->reloc_count; i++) {
		const uint8_t *r = b + nt->reloc_offset + (uint64_t)i * STM_RELA_SIZE;
		uint64_t off = stm_mseg_rd64(r);
		uint64_t type = stm_mseg_rd64(r + 8);
		uint64_t addend = stm_mseg_rd64(r + 16);

		if (type != STM_R_X86_64_RELATIVE)
			return -1;
		if (!stm_in(off, 8, lo, hi) || off & 7)
			return -1;
		/* Patched slots must not be the relocation table itself. */
		if (stm_overlap(off, 8, nt->reloc_offset, len))
			return -1;
		/* Pointers into the image (one past the end allowed). */
		if (addend > info->image_size)
			return -1;
	}
	return 0;
}

/* One verification: its inputs, what the checks derive, what failed. */
struct stm_mseg_check {
	const uint8_t *b;
	uint32_t size;
	const struct stm_mseg_info *info;
	const struct stm_mseg_verify_opts *opts;
	int ia32e;
	int code_ok;			/* the note's code range can be trusted */
	uint64_t static_lo, static_hi;	/* what the CPU reads at activation */
	uint64_t gdt_len;
	int first;			/* the first failure, in check order */
	uint32_t mask;			/* every failure */
};

static void stm_fail(struct stm_mseg_check *k, int err)
{
	if (k->first == STM_MSEG_OK)
		k->first = err;
	k->mask |= STM_MSEG_ERR_BIT(err);
}

/* The header fields the loader, the CPU and tboot check. */
static void stm_check_header_fields(struct stm_mseg_check *k)
{
	const struct stm_mseg_info *info = k->info;

	/* Loader (EDK II StmCheckStmImage) and CPU (VMfail 22) check. */
	if ((k->opts->flags & STM_MSEG_OPT_REV) &&
	    info->revision != k->opts->mseg_rev)
		stm_fail(k, STM_MSEG_E_REVISION);
	/* CPU (VMfail 24) and tboot check. */
	if (info->monitor_features & ~STM_FEATURES_IA32E)
		stm_fail(k, STM_MSEG_E_FEATURES);

	if (info->spec_ver_major != STM_SPEC_VERSION_MAJOR)
		stm_fail(k, STM_MSEG_E_SW_VERSION);
	if (!info->number_of_rev_ids ||
	    info->number_of_rev_ids > STM_MSEG_MAX_REV_IDS)
		stm_fail(k, STM_MSEG_E_SW_REV_IDS);
	if ((info->stm_features &
	     ~(STM_SW_FEATURE_INTEL64 | STM_SW_FEATURE_EPT)) ||
	    !(info->stm_features & STM_SW_FEATURE_INTEL64) != !k->ia32e)
		stm_fail(k, STM_MSEG_E_SW_FEATURES);

	/* The file must not carry bytes past StaticImageSize: the loader
	 * copies the whole file and then builds page tables at Cr3Offset.
	 */
	if (info->static_image_size < k->size ||
	    info->static_image_size < info->sw_header_end)
		stm_fail(k, STM_MSEG_E_STATIC_SIZE);
	if (!info->per_proc_dynamic_memory_size ||
	    (info->per_proc_dynamic_memory_size & STM_PAGE_MASK))
		stm_fail(k, STM_MSEG_E_PERPROC_SIZE);
}

/* The GDT, the CS selector and the two descriptors the CPU loads. */
static void stm_check_gdt(struct stm_mseg_check *k)
{
	const struct stm_mseg_info *info = k->info;
	int gdt_ok = 1;
	uint32_t cs;

	/* Everything the CPU reads at activation lies in the file. */
	k->static_lo = info->sw_header_end;
	k->static_hi = k->size;
	if (info->has_note && k->static_lo < STM_IMAGE_NOTE_OFFSET +
				sizeof(struct stm_image_note))
		k->static_lo = STM_IMAGE_NOTE_OFFSET + sizeof(struct stm_image_note);

	k->gdt_len = (uint64_t)info->gdtr_limit + 1;
	if (info->gdtr_limit > 0xFFFF || k->gdt_len % 8 || k->gdt_len < 16 ||
	    !stm_in(info->gdtr_base_offset, k->gdt_len, k->static_lo, k->static_hi) ||
	    (info->gdtr_base_offset & 7)) {
		stm_fail(k, STM_MSEG_E_GDT_RANGE);
		gdt_ok = 0;
	}
	/* The CPU clears bits 2:0; SS/DS/ES/FS/GS = CS + 8; 0 means 8. */
	cs = info->cs_selector & ~7u;
	if (!cs)
		cs = 8;
	if ((info->cs_selector & 0xFFFF0007u) ||
	    (uint64_t)cs + 16 > k->gdt_len) {
		stm_fail(k, STM_MSEG_E_CS_SELECTOR);
		gdt_ok = 0;
	}
	if (gdt_ok) {
		const uint8_t *gdt = k->b + info->gdtr_base_offset;

		if (stm_seg_check_code(stm_mseg_rd64(gdt + cs), k->ia32e))
			stm_fail(k, STM_MSEG_E_GDT_CS);
		if (stm_seg_check_data(stm_mseg_rd64(gdt + cs + 8)))
			stm_fail(k, STM_MSEG_E_GDT_DS);
	}
}

/* The image note, and the entry point: in the note's code, else in the file. */
static void stm_check_code(struct stm_mseg_check *k)
{
	const struct stm_mseg_info *info = k->info;

	if (info->has_note && stm_check_note(k->b, info)) {
		stm_fail(k, STM_MSEG_E_NOTE);
		k->code_ok = 0;
	}
	if (info->has_note && k->code_ok) {
		if (!stm_in(info->eip_offset, 1, info->note.code_offset,
			    (uint64_t)info->note.code_offset +
			    info->note.code_size))
			stm_fail(k, STM_MSEG_E_EIP);
	} else if (!stm_in(info->eip_offset, 1, k->static_lo, k->static_hi) ||
		   stm_overlap(info->eip_offset, 1, info->gdtr_base_offset,
			       k->gdt_len)) {
		stm_fail(k, STM_MSEG_E_EIP);
	}
}

/* Dynamic part: [static end, static end + Additional) holds the page
 * tables and the heap; the stacks start at EspOffset.
 */
static void stm_check_dynamic(struct stm_mseg_check *k)
{
	const struct stm_mseg_info *info = k->info;
	uint64_t dyn_end, eff_static;

	eff_static = stm_mseg_static_end(info);
	dyn_end = eff_static + info->additional_dynamic_memory_size;
	if ((info->cr3_offset & STM_PAGE_MASK) ||
	    info->cr3_offset < info->static_image_size ||
	    info->cr3_offset < k->size ||
	    (uint64_t)info->cr3_offset + STM_MSEG_PT_SIZE > dyn_end)
		stm_fail(k, STM_MSEG_E_CR3);
	if ((info->esp_offset & 3) ||
	    info->esp_offset < stm_pages(info->static_image_size) ||
	    info->esp_offset < k->size ||
	    info->esp_offset > dyn_end ||
	    stm_overlap(info->esp_offset, 4, info->cr3_offset, STM_MSEG_PT_SIZE))
		stm_fail(k, STM_MSEG_E_ESP);
	if (eff_static > stm_pages(info->static_image_size))
		stm_fail(k, STM_MSEG_E_BSS);
}

/* Relocations (with a trusted note) and, if asked, the MSEG size. */
static void stm_check_relocs_size(struct stm_mseg_check *k)
{
	const struct stm_mseg_verify_opts *opts = k->opts;
	uint32_t cpus = opts->cpus ? opts->cpus : 1;

	if (k->info->has_note && k->code_ok && stm_check_relocs(k->b, k->info))
		stm_fail(k, STM_MSEG_E_RELOC);
	if ((opts->flags & STM_MSEG_OPT_SIZE) &&
	    stm_mseg_min_size(k->info, cpus, opts->vmcs_size) > opts->mseg_size)
		stm_fail(k, STM_MSEG_E_MSEG_SIZE);
}

int stm_mseg_verify(const void *img, uint32_t size,
		    const struct stm_mseg_verify_opts *opts,
		    struct stm_mseg_info *info_out, uint32_t *fail_mask)
{
	static const struct stm_mseg_verify_opts no_opts;
	struct stm_mseg_info info_buf;
	struct stm_mseg_info *info = info_out ? info_out : &info_buf;
	struct stm_mseg_check k = {
		.b = img, .size = size, .info = info,
		.opts = opts ? opts : &no_opts,
		.code_ok = 1, .first = STM_MSEG_OK,
	};

	if (stm_mseg_parse(img, size, info) != STM_MSEG_OK) {
		stm_fail(&k, STM_MSEG_E_TRUNCATED);
	} else {
		k.ia32e = info->monitor_features & STM_FEATURES_IA32E;
		stm_check_header_fields(&k);
		stm_check_gdt(&k);
		stm_check_code(&k);
		stm_check_dynamic(&k);
		stm_check_relocs_size(&k);
	}
	if (fail_mask)
		*fail_mask = k.mask;
	return k.first;
}

static const char *const stm_mseg_names[STM_MSEG_E_COUNT] = {
	[STM_MSEG_OK] = "ok",
	[STM_MSEG_E_TRUNCATED] = "truncated",
	[STM_MSEG_E_REVISION] = "revision",
	[STM_MSEG_E_FEATURES] = "features",
	[STM_MSEG_E_SW_VERSION] = "sw-version",
	[STM_MSEG_E_SW_REV_IDS] = "sw-rev-ids",
	[STM_MSEG_E_SW_FEATURES] = "sw-features",
	[STM_MSEG_E_STATIC_SIZE] = "static-size",
	[STM_MSEG_E_PERPROC_SIZE] = "per-proc-size",
	[STM_MSEG_E_GDT_RANGE] = "gdt-range",
	[STM_MSEG_E_CS_SELECTOR] = "cs-selector",
	[STM_MSEG_E_GDT_CS] = "gdt-cs",
	[STM_MSEG_E_GDT_DS] = "gdt-ds",
	[STM_MSEG_E_EIP] = "eip",
	[STM_MSEG_E_CR3] = "cr3",
	[STM_MSEG_E_ESP] = "esp",
	[STM_MSEG_E_BSS] = "bss",
	[STM_MSEG_E_NOTE] = "note",
	[STM_MSEG_E_RELOC] = "reloc",
	[STM_MSEG_E_MSEG_SIZE] = "mseg-size",
};

static const char *const stm_mseg_msgs[STM_MSEG_E_COUNT] = {
	[STM_MSEG_OK] = "image passes every check",
	[STM_MSEG_E_TRUNCATED] =
		"image is shorter than the hardware and software STM headers",
	[STM_MSEG_E_REVISION] =
		"MSEG revision differs from the CPU's IA32_VMX_MISC[63:32] (VMCALL would VMfail 22)",
	[STM_MSEG_E_FEATURES] =
		"SMM-monitor features bits 31:1 are not zero (VMCALL would VMfail 24; tboot rejects)",
	[STM_MSEG_E_SW_VERSION] =
		"software header StmSpecVer is not 1.x",
	[STM_MSEG_E_SW_REV_IDS] =
		"NumberOfRevIDs is 0 or the list does not fit in the 4 KiB header page",
	[STM_MSEG_E_SW_FEATURES] =
		"StmFeatures has reserved bits set or Intel64ModeSupported disagrees with the IA-32e feature bit",
	[STM_MSEG_E_STATIC_SIZE] =
		"StaticImageSize is smaller than the image file or than its own header",
	[STM_MSEG_E_PERPROC_SIZE] =
		"PerProcDynamicMemorySize is 0 or not a multiple of 4 KiB",
	[STM_MSEG_E_GDT_RANGE] =
		"GDT (GdtrBaseOffset, GdtrLimit) is not inside the image after the headers, or its limit is malformed",
	[STM_MSEG_E_CS_SELECTOR] =
		"CS selector has TI/RPL or bits 31:16 set, or CS/CS+8 lie beyond the GDT limit",
	[STM_MSEG_E_GDT_CS] =
		"GDT descriptor at the CS selector is not a present ring-0 code segment of the right mode (64-bit: L=1 D=0)",
	[STM_MSEG_E_GDT_DS] =
		"GDT descriptor at CS+8 is not a present, writable, flat ring-0 data segment",
	[STM_MSEG_E_EIP] =
		"EipOffset does not point into the image's code",
	[STM_MSEG_E_CR3] =
		"Cr3Offset is not 4 KiB aligned, lies inside the static image, or its 6 page-table pages exceed the dynamic area",
	[STM_MSEG_E_ESP] =
		"EspOffset is misaligned, inside the static image or the page tables, or beyond the dynamic area",
	[STM_MSEG_E_BSS] =
		"StaticImageSize does not cover BSS/Cr3Offset: the reference min-MSEG formula undercounts",
	[STM_MSEG_E_NOTE] =
		"stmexec image note is malformed (version, ranges, or stack size != PerProcDynamicMemorySize)",
	[STM_MSEG_E_RELOC] =
		"relocation table malformed (type other than R_X86_64_RELATIVE or target outside the image)",
	[STM_MSEG_E_MSEG_SIZE] =
		"minimum MSEG size for the given CPU count exceeds the given MSEG size",
};

const char *stm_mseg_err_name(int err)
{
	if (err < 0 || err >= STM_MSEG_E_COUNT)
		return "unknown";
	return stm_mseg_names[err];
}

const char *stm_mseg_err_msg(int err)
{
	if (err < 0 || err >= STM_MSEG_E_COUNT)
		return "unknown error";
	return stm_mseg_msgs[err];
}
