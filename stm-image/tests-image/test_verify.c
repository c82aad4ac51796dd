// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for the MSEG verifier, the min-MSEG-size formulas, the FFS
 * packaging and the image runtime's pure parts (first-call policy,
 * relocation).  Built with ASan + UBSan.
 *
 *   test_verify STM_BIN FFS_FILE FFS_CHECKSUM_FILE
 *   test_verify --write-seeds DIR      (regenerates the fuzz seed corpus)
 *
 * Prints one "ok - name" / "not ok - name" line per test; run.sh numbers
 * them into KTAP.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tools/mseg_verify.h"

/* The image runtime, compiled for the host with stand-ins for the linker
 * symbols, so its policy and relocation code run here unchanged. */
const uint8_t __stm_image_base[1];
const uint8_t __stm_rela_start[1];
const uint8_t __stm_rela_end[1];
uint8_t stm_gdt[0x48];
#include "../image/runtime.c"

static int failures;

static void result(int ok, const char *name)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", name);
	if (!ok)
		failures++;
}

#define CHECK(cond, name) do { \
	int ok_ = !!(cond); \
	if (!ok_) \
		printf("# %s:%d: %s failed\n", __FILE__, __LINE__, #cond); \
	result(ok_, name); \
} while (0)

static uint8_t *read_all(const char *path, uint32_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n ? (size_t)n : 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	*size = (uint32_t)n;
	return buf;
}

/* ------------------------------------------------------------------ */
/* Synthetic images                                                   */
/* ------------------------------------------------------------------ */

#define SYN_SIZE	0x3000u
#define SYN_HEAP	0x10000u

static const uint64_t syn_gdt[9] = {
	0, 0, 0x00CF9B000000FFFFull, 0x00CF93000000FFFFull, 0,
	0x0000890000000067ull, 0, 0x00AF9B000000FFFFull, 0x00CF93000000FFFFull,
};

/* A valid 12 KiB image in the GenStm layout; with_note adds an stmexec
 * note with one relocation. */
static void mk_image(uint8_t *b, int with_note)
{
	struct stm_header *h = (struct stm_header *)b;

	memset(b, 0, SYN_SIZE);
	h->hw_stm_hdr.stm_header_revision = 0;
	h->hw_stm_hdr.monitor_features = STM_FEATURES_IA32E;
	h->hw_stm_hdr.gdtr_limit = sizeof(syn_gdt) - 1;
	h->hw_stm_hdr.gdtr_base_offset = STM_GDT_OFFSET;
	h->hw_stm_hdr.cs_selector = 0x38;
	h->hw_stm_hdr.eip_offset = STM_IMAGE_OFFSET;
	h->hw_stm_hdr.cr3_offset = SYN_SIZE;
	h->hw_stm_hdr.esp_offset = SYN_SIZE + STM_MSEG_PT_SIZE + SYN_HEAP;
	h->sw_stm_hdr.stm_spec_ver_major = 1;
	h->sw_stm_hdr.static_image_size = SYN_SIZE;
	h->sw_stm_hdr.per_proc_dynamic_memory_size = 0x8000;
	h->sw_stm_hdr.additional_dynamic_memory_size = STM_MSEG_PT_SIZE + SYN_HEAP;
	h->sw_stm_hdr.stm_features = STM_SW_FEATURE_INTEL64 | STM_SW_FEATURE_EPT;
	h->sw_stm_hdr.number_of_rev_ids = 1;
	h->sw_stm_hdr.stm_smm_rev_id[0] = STM_SMM_REV_ID;
	memcpy(b + STM_GDT_OFFSET, syn_gdt, sizeof(syn_gdt));
	memset(b + STM_IMAGE_OFFSET, 0xF4, 0x10);	/* hlt */
	if (with_note) {
		struct stm_image_note n = { .version = STM_IMAGE_NOTE_VERSION };
		uint64_t rela[3] = { 0x2c00, STM_R_X86_64_RELATIVE, 0x2000 };

		memcpy(n.magic, STM_IMAGE_NOTE_MAGIC, 8);
		n.size = sizeof(n);
		n.code_offset = 0x2000;
		n.code_size = 0x10;
		n.rodata_offset = 0x2800;
		n.rodata_size = 0x18;
		n.data_offset = 0x2c00;
		n.data_size = 0x400;
		n.bss_offset = 0x2e00;
		n.bss_size = 0x200;
		n.reloc_offset = 0x2800;
		n.reloc_count = 1;
		n.stack_size = 0x8000;
		n.heap_size = SYN_HEAP;
		memcpy(b + STM_IMAGE_NOTE_OFFSET, &n, sizeof(n));
		memcpy(b + 0x2800, rela, sizeof(rela));
	}
}

static struct stm_header *hdr(uint8_t *b)
{
	return (struct stm_header *)b;
}

static struct stm_image_note *note(uint8_t *b)
{
	return (struct stm_image_note *)(b + STM_IMAGE_NOTE_OFFSET);
}

static int verify_first(const uint8_t *b, uint32_t size,
			const struct stm_mseg_verify_opts *o, uint32_t *mask)
{
	return stm_mseg_verify(b, size, o, NULL, mask);
}

/* ------------------------------------------------------------------ */
/* Tests on the built stm.bin                                         */
/* ------------------------------------------------------------------ */

struct corruption {
	const char *name;
	int expect;
	void (*apply)(uint8_t *b, uint32_t *size, struct stm_mseg_verify_opts *o);
};

static void c_trunc(uint8_t *b, uint32_t *s, struct stm_mseg_verify_opts *o)
{
	(void)b; (void)o;
	*s = 0x810;
}

static void c_rev(uint8_t *b, uint32_t *s, struct stm_mseg_verify_opts *o)
{
	(void)s;
	o->flags |= STM_MSEG_OPT_REV;
	o->mseg_rev = hdr(b)->hw_stm_hdr.stm_header_revision + 1;
}

static void c_feat(uint8_t *b, uint32_t *s, struct stm_mseg_verify_opts *o)
{
	(void)s; (void)o;
	hdr(b)->hw_stm_hdr.monitor_features |= 0x2;
}

static void c_ver(uint8_t *b, uint32_t *s, struct stm_mseg_verify_opts *o)
{
	(void)s; (void)o;
	hdr(b)->sw_stm_hdr.stm_spec_ver_major = 2;
}

static void c_revids(uint8_t *b, uint32_t *s, struct stm_mseg_verify_opts *o)
{
	(void)s; (void)o;
	hdr(b)->sw_stm_hdr.number_of_rev_ids = 0;
}

static void c_swfeat(uint8_t *b, uint32_t *s, struct stm_mseg_verify_opts *o)
{
	(void)s; (void)o;
	hdr(b)->sw_stm_hdr.stm_features &= ~STM_SW_FEATURE_INTEL64;
}

static void c_swfeat_rsvd(uint8_t *b, uint32_t *s, struct stm_mseg_verify_opts *o)
{
	(void)s; (void)o;
	hdr(b)->sw_stm_hdr.stm_features |= 0x100;
}

static void c_static(uint8_t *b, uint32_t *s, struct stm_mseg_verify_opts *o)
{
	(void)o;
	hdr(b)->sw_stm_hdr.static_image_size = *s - 0x1000;
}

static void c_perproc(uint8_t *b, uint32_t *s, struct stm_mseg_verify_opts *o)
{
	(void)s; (void)o;
	hdr(b)->sw_stm_hdr.per_proc_dynamic_memory_size = 0x8800;
}

static void c_gdt(uint8_t *b, uint32_t *s, struct stm_mseg_verify_opts *o)
{
	(void)o;
	hdr(b)->hw_stm_hdr.gdtr_base_offset = *s - 0x20;
}

static void c_gdt_limit(uint8_t *b, uint32_t *s, struct stm_mseg_verify_opts *o)
{
	(void)s; (void)o;
	hdr(b)->hw_stm_hdr.gdtr_limit = 0x44;	/* not 8n - 1 */
}

static void c_cs_rpl(uint8_t *b, uint32_t *s, struct stm_mseg_verify_opts *o)
{
	(void)s; (void)o;
	hdr(b)->hw_stm_hdr.cs_selector |= 3;
}

static void c_cs_limit(uint8_t *b, uint32_t *s, struct stm_mseg_verify_opts *o)
{
	(void)s; (void)o;
	hdr(b)->hw_stm_hdr.cs_selector = 0x40;	/* CS+8 = 0x48 > limit */
}

static void c_cs32(uint8_t *b, uint32_t *s, struct stm_mseg_verify_opts *o)
{
	(void)s; (void)o;
	hdr(b)->hw_stm_hdr.cs_selector = 0x10;	/* 32-bit code, IA-32e STM */
}

static void c_cs_np(uint8_t *b, uint32_t *s, struct stm_mseg_verify_opts *o)
{
	(void)s; (void)o;
	b[hdr(b)->hw_stm_hdr.gdtr_base_offset + 0x38 + 5] &= 0x7F; /* P = 0 */
}

static void c_ds(uint8_t *b, uint32_t *s, struct stm_mseg_verify_opts *o)
{
	(void)s; (void)o;
	b[hdr(b)->hw_stm_hdr.gdtr_base_offset + 0x40 + 5] = 0x91; /* read-only */
}

static void c_eip(uint8_t *b, uint32_t *s, struct stm_mseg_verify_opts *o)
{
	(void)s; (void)o;
	/* The first byte after the code: rodata/data, not code. */
	hdr(b)->hw_stm_hdr.eip_offset = note(b)->code_offset + note(b)->code_size;
}

static void c_eip_hdr(uint8_t *b, uint32_t *s, struct stm_mseg_verify_opts *o)
{
	(void)s; (void)o;
	hdr(b)->hw_stm_hdr.eip_offset = 0x10;
}

static void c_cr3(uint8_t *b, uint32_t *s, struct stm_mseg_verify_opts *o)
{
	(void)s; (void)o;
	hdr(b)->hw_stm_hdr.cr3_offset += 0x800;
}

static void c_cr3_in(uint8_t *b, uint32_t *s, struct stm_mseg_verify_opts *o)
{
	(void)s; (void)o;
	hdr(b)->hw_stm_hdr.cr3_offset -= 0x1000;	/* inside the static image */
}

static void c_esp(uint8_t *b, uint32_t *s, struct stm_mseg_verify_opts *o)
{
	(void)s; (void)o;
	hdr(b)->hw_stm_hdr.esp_offset = hdr(b)->hw_stm_hdr.cr3_offset + 0x1000;
}

static void c_esp_far(uint8_t *b, uint32_t *s, struct stm_mseg_verify_opts *o)
{
	(void)s; (void)o;
	hdr(b)->hw_stm_hdr.esp_offset += 0x1000;	/* beyond the heap */
}

static void c_note(uint8_t *b, uint32_t *s, struct stm_mseg_verify_opts *o)
{
	(void)s; (void)o;
	note(b)->version = 2;
}

static void c_note_stack(uint8_t *b, uint32_t *s, struct stm_mseg_verify_opts *o)
{
	(void)s; (void)o;
	note(b)->stack_size = 0x4000;
}

static void c_mseg(uint8_t *b, uint32_t *s, struct stm_mseg_verify_opts *o)
{
	struct stm_mseg_info in;

	stm_mseg_parse(b, *s, &in);
	o->flags |= STM_MSEG_OPT_SIZE;
	o->cpus = 8;
	o->mseg_size = (uint32_t)stm_mseg_min_size(&in, 8, 0) - 1;
}

static const struct corruption corruptions[] = {
	{ "truncated header", STM_MSEG_E_TRUNCATED, c_trunc },
	{ "revision differs from the CPU's", STM_MSEG_E_REVISION, c_rev },
	{ "monitor features bit 1", STM_MSEG_E_FEATURES, c_feat },
	{ "spec version 2.0", STM_MSEG_E_SW_VERSION, c_ver },
	{ "zero rev ids", STM_MSEG_E_SW_REV_IDS, c_revids },
	{ "Intel64 clear with IA-32e set", STM_MSEG_E_SW_FEATURES, c_swfeat },
	{ "reserved StmFeatures bit", STM_MSEG_E_SW_FEATURES, c_swfeat_rsvd },
	{ "StaticImageSize < file", STM_MSEG_E_STATIC_SIZE, c_static },
	{ "per-proc size not 4 KiB multiple", STM_MSEG_E_PERPROC_SIZE, c_perproc },
	{ "GDT beyond the image", STM_MSEG_E_GDT_RANGE, c_gdt },
	{ "GDT limit not 8n-1", STM_MSEG_E_GDT_RANGE, c_gdt_limit },
	{ "CS selector RPL bits", STM_MSEG_E_CS_SELECTOR, c_cs_rpl },
	{ "CS+8 beyond GDT limit", STM_MSEG_E_CS_SELECTOR, c_cs_limit },
	{ "CS is 32-bit code in an IA-32e STM", STM_MSEG_E_GDT_CS, c_cs32 },
	{ "CS descriptor not present", STM_MSEG_E_GDT_CS, c_cs_np },
	{ "CS+8 read-only data", STM_MSEG_E_GDT_DS, c_ds },
	{ "entry after the code", STM_MSEG_E_EIP, c_eip },
	{ "entry in the header", STM_MSEG_E_EIP, c_eip_hdr },
	{ "Cr3Offset misaligned", STM_MSEG_E_CR3, c_cr3 },
	{ "Cr3Offset inside the static image", STM_MSEG_E_CR3, c_cr3_in },
	{ "EspOffset inside the page tables", STM_MSEG_E_ESP, c_esp },
	{ "EspOffset beyond the dynamic area", STM_MSEG_E_ESP, c_esp_far },
	{ "note version 2", STM_MSEG_E_NOTE, c_note },
	{ "note stack != PerProc", STM_MSEG_E_NOTE, c_note_stack },
	{ "MSEG one byte too small for 8 CPUs", STM_MSEG_E_MSEG_SIZE, c_mseg },
};

static void test_built_image(const uint8_t *img, uint32_t size)
{
	struct stm_mseg_verify_opts o = { 0 };
	struct stm_mseg_info in;
	uint32_t mask, i, seen = 0;
	char name[160];
	uint8_t *b = malloc(size);
	int err;

	err = stm_mseg_verify(img, size, NULL, &in, &mask);
	CHECK(err == STM_MSEG_OK && mask == 0, "stm.bin: verify passes");
	CHECK(in.has_note && in.note.code_offset == STM_IMAGE_OFFSET &&
	      in.eip_offset == STM_IMAGE_OFFSET,
	      "stm.bin: note present, entry at the start of the code");
	CHECK(in.monitor_features == STM_FEATURES_IA32E &&
	      in.stm_features == (STM_SW_FEATURE_INTEL64 | STM_SW_FEATURE_EPT) &&
	      in.spec_ver_major == 1 && in.spec_ver_minor == 0 &&
	      in.number_of_rev_ids == 1 &&
	      stm_mseg_rd32(img + 0x818) == STM_SMM_REV_ID,
	      "stm.bin: features IA-32e / Intel64+EPT, spec 1.0, one SMM rev id");
	CHECK(in.static_image_size == size && in.cr3_offset == size &&
	      in.esp_offset == in.cr3_offset + STM_MSEG_PT_SIZE +
			       in.note.heap_size &&
	      in.additional_dynamic_memory_size ==
			STM_MSEG_PT_SIZE + in.note.heap_size &&
	      in.per_proc_dynamic_memory_size == in.note.stack_size,
	      "stm.bin: sizes and offsets follow the documented layout");
	CHECK((uint64_t)in.note.bss_offset + in.note.bss_size <= size,
	      "stm.bin: StaticImageSize covers BSS");
	CHECK(stm_mseg_min_size_ref(&in, 4, 0x1000) ==
	      stm_mseg_min_size(&in, 4, 0x1000),
	      "stm.bin: reference and corrected min-MSEG sizes agree");
	CHECK(in.cs_selector == 0x38 && in.gdtr_base_offset == 0x1000 &&
	      in.gdtr_limit == 0x47,
	      "stm.bin: GDT at 0x1000, limit 0x47, CS 0x38");

	for (i = 0; i < sizeof(corruptions) / sizeof(corruptions[0]); i++) {
		const struct corruption *c = &corruptions[i];
		uint32_t sz = size;

		memcpy(b, img, size);
		memset(&o, 0, sizeof(o));
		c->apply(b, &sz, &o);
		err = verify_first(b, sz, &o, &mask);
		snprintf(name, sizeof(name), "corruption '%s' -> %s", c->name,
			 stm_mseg_err_name(c->expect));
		if (err != c->expect)
			printf("# got %s (mask 0x%x)\n", stm_mseg_err_name(err), mask);
		CHECK(err == c->expect, name);
		seen |= STM_MSEG_ERR_BIT(c->expect);
	}

	/* Relocation corruption needs a table; the built image has one once
	 * the core (pointer tables) is linked. */
	if (in.note.reloc_count) {
		memcpy(b, img, size);
		b[in.note.reloc_offset + 8] = 1;	/* R_X86_64_64 */
		err = verify_first(b, size, NULL, &mask);
		CHECK(err == STM_MSEG_E_RELOC, "stm.bin: corruption 'reloc type' -> reloc");
	} else {
		printf("ok - stm.bin: corruption 'reloc type' # SKIP image has no relocations\n");
	}
	free(b);
	(void)seen;
}

/* ------------------------------------------------------------------ */
/* Synthetic-image tests (independent of the build)                   */
/* ------------------------------------------------------------------ */

static void test_synthetic(void)
{
	static uint8_t b[SYN_SIZE];
	struct stm_mseg_verify_opts o = { 0 };
	struct stm_mseg_info in;
	uint32_t mask, codes_seen = 0;
	int err, i;

	mk_image(b, 0);
	CHECK(stm_mseg_verify(b, SYN_SIZE, NULL, NULL, &mask) == STM_MSEG_OK,
	      "synthetic GenStm-style image without note verifies");
	mk_image(b, 1);
	CHECK(stm_mseg_verify(b, SYN_SIZE, NULL, &in, &mask) == STM_MSEG_OK &&
	      in.has_note, "synthetic image with note verifies");

	/* Every error code has its own name and message. */
	for (i = 1; i < STM_MSEG_E_COUNT; i++) {
		int j, distinct = strcmp(stm_mseg_err_name(i), "unknown") != 0;
		char nm[96];

		for (j = 0; j < i; j++)
			distinct &= strcmp(stm_mseg_err_name(i), stm_mseg_err_name(j)) &&
				    strcmp(stm_mseg_err_msg(i), stm_mseg_err_msg(j));
		snprintf(nm, sizeof(nm), "error %d '%s' has a distinct name and message",
			 i, stm_mseg_err_name(i));
		CHECK(distinct, nm);
	}
	(void)codes_seen;

	mk_image(b, 1);
	((uint64_t *)(b + 0x2800))[1] = 1;	/* R_X86_64_64 */
	CHECK(verify_first(b, SYN_SIZE, NULL, &mask) == STM_MSEG_E_RELOC,
	      "relocation of a type the image cannot apply -> reloc");
	mk_image(b, 1);
	((uint64_t *)(b + 0x2800))[0] = 0x100;	/* slot in the header */
	CHECK(verify_first(b, SYN_SIZE, NULL, &mask) == STM_MSEG_E_RELOC,
	      "relocation patching the header -> reloc");

	/* BSS beyond StaticImageSize, the way E (coreboot's STM) lays it out:
	 * Cr3Offset after a BSS the static size does not count. */
	mk_image(b, 0);
	hdr(b)->hw_stm_hdr.cr3_offset = SYN_SIZE + 0x2000;
	hdr(b)->hw_stm_hdr.esp_offset = SYN_SIZE + 0x2000 + STM_MSEG_PT_SIZE + SYN_HEAP;
	err = verify_first(b, SYN_SIZE, NULL, &mask);
	CHECK(err == STM_MSEG_E_BSS && mask == STM_MSEG_ERR_BIT(STM_MSEG_E_BSS),
	      "Cr3Offset beyond pages(StaticImageSize) -> bss");

	mk_image(b, 1);
	note(b)->bss_size = 0x1000;	/* runs past the data and the image */
	CHECK(verify_first(b, SYN_SIZE, NULL, &mask) == STM_MSEG_E_NOTE,
	      "note BSS outside its data section -> note");

	/* A 32-bit STM: IA-32e clear, 32-bit flat CS. */
	mk_image(b, 0);
	hdr(b)->hw_stm_hdr.monitor_features = 0;
	hdr(b)->sw_stm_hdr.stm_features = STM_SW_FEATURE_EPT;
	hdr(b)->hw_stm_hdr.cs_selector = 0x10;
	CHECK(verify_first(b, SYN_SIZE, NULL, &mask) == STM_MSEG_OK,
	      "32-bit STM with a 32-bit flat CS verifies");
	hdr(b)->hw_stm_hdr.cs_selector = 0x38;
	CHECK(verify_first(b, SYN_SIZE, NULL, &mask) == STM_MSEG_E_GDT_CS,
	      "32-bit STM with a 64-bit CS -> gdt-cs");

	/* CsSelector 0 means 0x08 (SDM): descriptor 0x08 is null here. */
	mk_image(b, 0);
	hdr(b)->hw_stm_hdr.cs_selector = 0;
	CHECK(verify_first(b, SYN_SIZE, NULL, &mask) == STM_MSEG_E_GDT_CS,
	      "CsSelector 0 is treated as 0x08");

	/* Revision matches when given and equal. */
	mk_image(b, 0);
	hdr(b)->hw_stm_hdr.stm_header_revision = 0x1234;
	o.flags = STM_MSEG_OPT_REV;
	o.mseg_rev = 0x1234;
	CHECK(verify_first(b, SYN_SIZE, &o, &mask) == STM_MSEG_OK,
	      "revision equal to the CPU's passes");

	/* Several failures are all reported. */
	mk_image(b, 0);
	hdr(b)->hw_stm_hdr.monitor_features = 0xFF;
	hdr(b)->sw_stm_hdr.stm_spec_ver_major = 0;
	err = verify_first(b, SYN_SIZE, NULL, &mask);
	CHECK(err == STM_MSEG_E_FEATURES &&
	      (mask & STM_MSEG_ERR_BIT(STM_MSEG_E_SW_VERSION)),
	      "every failure is in the mask, the first is returned");

	/* No read outside the buffer for any truncation. */
	mk_image(b, 1);
	for (i = 0; i <= (int)SYN_SIZE; i += 7) {
		uint8_t *t = malloc((size_t)i + 1);

		memcpy(t, b, (size_t)i);
		(void)stm_mseg_verify(t, (uint32_t)i, NULL, NULL, &mask);
		free(t);
	}
	result(1, "every truncation verifies without out-of-bounds reads (ASan)");
}

/* ------------------------------------------------------------------ */
/* Minimum MSEG size against hand-computed values                     */
/* ------------------------------------------------------------------ */

static void test_min_size(void)
{
	struct stm_mseg_info in;

	/* Reference STM as GenStm builds it: SizeOfImage 0x2A345 -> static
	 * 0x2C345 (unrounded), heap 0x140000 + 6 pages, stack 0x8000. */
	memset(&in, 0, sizeof(in));
	in.image_size = 0x2C345;
	in.static_image_size = 0x2C345;
	in.cr3_offset = 0x2D000;
	in.per_proc_dynamic_memory_size = 0x8000;
	in.additional_dynamic_memory_size = 0x146000;
	/* 0x2D000 + 0x146000 + 4 * (0x8000 + 2 * 0x1000) = 0x19B000 */
	CHECK(stm_mseg_min_size_ref(&in, 4, 0x1000) == 0x19B000,
	      "min MSEG (reference formula), GenStm image, 4 CPUs = 0x19B000");
	CHECK(stm_mseg_min_size(&in, 4, 0x1000) == 0x19B000,
	      "min MSEG (corrected) equals reference when Cr3Offset = pages(static)");
	/* VMCS size 0x400 rounds up to a page: 1 CPU = 0x17D000 */
	CHECK(stm_mseg_min_size_ref(&in, 1, 0x400) == 0x17D000,
	      "VMCS size rounds up to 4 KiB (1 CPU = 0x17D000)");
	/* VMCS size 0x1001 -> 0x2000: 1 CPU = 0x2D000+0x146000+0x8000+0x4000 */
	CHECK(stm_mseg_min_size_ref(&in, 1, 0x1001) == 0x17F000,
	      "VMCS size 0x1001 counts as 0x2000 (1 CPU = 0x17F000)");

	/* E-style image: BSS before Cr3Offset = 0x40000, not in static size.
	 * reference: 0x2D000 + 0x146000 + 2 * 0xA000 = 0x187000
	 * corrected: 0x40000 + 0x146000 + 2 * 0xA000 = 0x19A000 */
	in.cr3_offset = 0x40000;
	CHECK(stm_mseg_min_size_ref(&in, 2, 0x1000) == 0x187000,
	      "E-style image, reference formula, 2 CPUs = 0x187000");
	CHECK(stm_mseg_min_size(&in, 2, 0x1000) == 0x19A000,
	      "E-style image, corrected formula covers BSS, 2 CPUs = 0x19A000");
	/* EDK II/coreboot extra term: Cr3Offset + 6 pages when beyond static */
	in.additional_dynamic_memory_size = 0;
	in.per_proc_dynamic_memory_size = 0;
	CHECK(stm_mseg_min_size_loader(&in, 0, 0x1000) == 0x46000,
	      "loader term Cr3Offset + 6 pages = 0x46000");

	/* Our layout: note BSS end decides when it is the largest. */
	memset(&in, 0, sizeof(in));
	in.image_size = 0x7000;
	in.static_image_size = 0x7000;
	in.cr3_offset = 0x7000;
	in.per_proc_dynamic_memory_size = 0x8000;
	in.additional_dynamic_memory_size = 0x46000;
	/* 0x7000 + 0x46000 + 17 * 0xA000 = 0xF7000 <= 1 MiB; 18 -> 0x101000 */
	CHECK(stm_mseg_min_size(&in, 17, 0x1000) == 0xF7000 &&
	      stm_mseg_max_cpus(&in, 0x100000, 0x1000) == 17,
	      "1 MiB MSEG (coreboot default) holds 17 CPUs of this layout");
	CHECK(stm_mseg_max_cpus(&in, 0x4D000, 0x1000) == 0 &&
	      stm_mseg_max_cpus(&in, 0x57000, 0x1000) == 1,
	      "max CPUs at the boundaries (0x4D000 -> 0, 0x57000 -> 1)");
	in.has_note = 1;
	in.note.bss_offset = 0x6000;
	in.note.bss_size = 0x2001;	/* ends at 0x8001 -> pages 0x9000 */
	CHECK(stm_mseg_min_size(&in, 1, 0x1000) == 0x9000 + 0x46000 + 0xA000,
	      "note BSS end extends the static part (0x59000)");

	/* Saturation instead of wrap-around. */
	memset(&in, 0, sizeof(in));
	in.per_proc_dynamic_memory_size = 0xFFFFF000u;
	in.additional_dynamic_memory_size = 0xFFFFF000u;
	in.static_image_size = 0xFFFFF000u;
	CHECK(stm_mseg_min_size(&in, 0xFFFFFFFFu, 0xFFFFFFFFu) == ~0ull,
	      "min MSEG size saturates instead of wrapping");
}

/* ------------------------------------------------------------------ */
/* Descriptor decoding                                                */
/* ------------------------------------------------------------------ */

static void test_descriptors(void)
{
	CHECK(stm_seg_check_code(0x00AF9B000000FFFFull, 1) == 0 &&
	      stm_seg_check_code(0x00CF9B000000FFFFull, 0) == 0,
	      "64-bit and 32-bit flat code descriptors accepted");
	CHECK(stm_seg_check_code(0x00CF9B000000FFFFull, 1) != 0 &&
	      stm_seg_check_code(0x00AF9B000000FFFFull, 0) != 0,
	      "code descriptor of the wrong mode rejected");
	CHECK(stm_seg_check_code(0x00AFFB000000FFFFull, 1) != 0,
	      "DPL 3 code rejected");
	CHECK(stm_seg_check_code(0x00CF93000000FFFFull, 1) != 0,
	      "data descriptor as CS rejected");
	CHECK(stm_seg_check_data(0x00CF93000000FFFFull) == 0 &&
	      stm_seg_check_data(0x00CF91000000FFFFull) != 0 &&
	      stm_seg_check_data(0x00CF13000000FFFFull) != 0 &&
	      stm_seg_check_data(0x00CF93010000FFFFull) != 0 &&
	      stm_seg_check_data(0x008F93000000FFFFull) == 0 &&
	      stm_seg_check_data(0x000F93000000FFFFull) != 0,
	      "data descriptor: writable, present, flat (base 0, 4 GiB) only");
}

/* ------------------------------------------------------------------ */
/* Image runtime: first-call policy and relocation                    */
/* ------------------------------------------------------------------ */

static void test_runtime(void)
{
	uint32_t done = 0;
	uint8_t img[0x100];
	uint64_t v, rela[3] = { 0x40, STM_R_X86_64_RELATIVE, 0x88 };

	CHECK(stm_first_call_status(0, STM_API_START, &done) ==
	      STM_ERROR_UNSPECIFIED && !done,
	      "runtime: START before INITIALIZE_PROTECTION refused");
	CHECK(stm_first_call_status(0, 0x10099, &done) == STM_ERROR_INVALID_API,
	      "runtime: unknown VMCALL -> ERROR_INVALID_API (no hang)");
	CHECK(stm_first_call_status(0, STM_API_INITIALIZE_PROTECTION, &done) ==
	      STM_SUCCESS && done,
	      "runtime: INITIALIZE_PROTECTION on the first CPU accepted");
	CHECK(stm_first_call_status(1, STM_API_INITIALIZE_PROTECTION, &done) ==
	      STM_ERROR_ALREADY_STARTED,
	      "runtime: second INITIALIZE_PROTECTION refused");
	CHECK(stm_first_call_status(1, STM_API_START, &done) == STM_SUCCESS,
	      "runtime: START after INITIALIZE_PROTECTION accepted");

	memset(img, 0, sizeof(img));
	stm_apply_relocs(img, (const uint8_t *)rela,
			 (const uint8_t *)rela + sizeof(rela));
	memcpy(&v, img + 0x40, 8);
	CHECK(v == (uint64_t)(uintptr_t)img + 0x88,
	      "runtime: R_X86_64_RELATIVE slot = base + addend");
	stm_apply_relocs(img, (const uint8_t *)rela,
			 (const uint8_t *)rela + sizeof(rela));
	memcpy(&v, img + 0x40, 8);
	CHECK(v == (uint64_t)(uintptr_t)img + 0x88,
	      "runtime: applying the relocations twice is idempotent");
}

/* ------------------------------------------------------------------ */
/* FFS file (PI spec vol. 3) parsed independently of stmimg           */
/* ------------------------------------------------------------------ */

static void test_ffs(const char *path, const uint8_t *img, uint32_t size,
		     int checksum)
{
	static const uint8_t guid[16] = {
		0x06, 0x3E, 0xCA, 0xAC, 0x64, 0x3C, 0x09, 0x45,
		0xA6, 0x87, 0xDD, 0xC7, 0x6F, 0x71, 0xB5, 0x61 };
	uint8_t h[24], s = 0;
	uint32_t fsz, ffs_size, ssz, i;
	uint8_t *f = read_all(path, &fsz);
	char name[128];

	snprintf(name, sizeof(name), "ffs%s: file read", checksum ? " --checksum" : "");
	CHECK(f != NULL && fsz >= 28, name);
	if (!f || fsz < 28)
		return;
	ffs_size = f[20] | f[21] << 8 | (uint32_t)f[22] << 16;
	ssz = f[24] | f[25] << 8 | (uint32_t)f[26] << 16;
	memcpy(h, f, 24);
	h[17] = 0;
	h[23] = 0;
	for (i = 0; i < 24; i++)
		s = (uint8_t)(s + h[i]);
	snprintf(name, sizeof(name), "ffs%s: GUID = PcdStmBinFile, FREEFORM, sizes",
		 checksum ? " --checksum" : "");
	CHECK(!memcmp(f, guid, 16) && f[18] == 0x02 && ffs_size == fsz &&
	      ffs_size == 28 + size && ssz == 4 + size && f[27] == 0x19, name);
	snprintf(name, sizeof(name), "ffs%s: header checksum sums to 0, state 0x07",
		 checksum ? " --checksum" : "");
	CHECK(s == 0 && f[23] == 0x07, name);
	if (checksum) {
		uint8_t d = f[17];

		for (i = 24; i < fsz; i++)
			d = (uint8_t)(d + f[i]);
		CHECK(f[19] == 0x40 && d == 0, "ffs --checksum: data checksum");
	} else {
		CHECK(f[19] == 0 && f[17] == 0xAA,
		      "ffs: no data checksum, fixed 0xAA");
	}
	snprintf(name, sizeof(name), "ffs%s: RAW section payload is stm.bin",
		 checksum ? " --checksum" : "");
	CHECK(!memcmp(f + 28, img, size), name);
	free(f);
}

/* ------------------------------------------------------------------ */

/* Fuzz seeds: 12 option bytes (see fuzz_mseg.c) + an image. */
static int write_seeds(const char *dir)
{
	static uint8_t b[SYN_SIZE];
	char path[512];
	FILE *f;
	int i;

	for (i = 0; i < 4; i++) {
		/* flags, mseg_rev[3], mseg_size (1 MiB), cpus, vmcs_size/16 */
		uint8_t opts[12] = { (uint8_t)(i % 2 ? 2 : 3), 0, 0, 0,
				     0, 0, 0x10, 0, 4, 0x00, 0x01, 0 };
		uint32_t len = SYN_SIZE;

		mk_image(b, i != 1);
		if (i == 2)
			len = 0x900;	/* truncated after the headers */
		if (i == 3)
			hdr(b)->hw_stm_hdr.cs_selector = 0x10;
		snprintf(path, sizeof(path), "%s/seed-%d", dir, i);
		f = fopen(path, "wb");
		if (!f || fwrite(opts, 1, sizeof(opts), f) != sizeof(opts) ||
		    fwrite(b, 1, len, f) != len || fclose(f))
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint8_t *img;
	uint32_t size;

	if (argc == 3 && !strcmp(argv[1], "--write-seeds"))
		return write_seeds(argv[2]);
	if (argc != 4) {
		fprintf(stderr, "usage: %s STM_BIN FFS FFS_CHECKSUM\n", argv[0]);
		return 2;
	}
	test_synthetic();
	test_min_size();
	test_descriptors();
	test_runtime();
	img = read_all(argv[1], &size);
	CHECK(img != NULL, "stm.bin readable");
	if (img) {
		test_built_image(img, size);
		test_ffs(argv[2], img, size, 0);
		test_ffs(argv[3], img, size, 1);
		free(img);
	}
	return failures ? 1 : 0;
}
