// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * stmimg: builder and inspector of the STM image (MSEG layout).
 *
 *   stmimg build  --raw F --symbols F [--mseg-rev R] [--smm-rev-id X] -o stm.bin
 *   stmimg info   [--json] [--cpus N] [--vmcs-size V] [--mseg-size S] stm.bin
 *   stmimg verify [--json] [--mseg-rev R] [--mseg-size S] [--cpus N]
 *                 [--vmcs-size V] stm.bin
 *   stmimg ffs    [--guid G] [--checksum] [--erase-polarity 0|1] -o F stm.bin
 *
 * Exit status: 0 success; 2 usage; 3 I/O; 4 build input rejected;
 * verify: 10 + the first failing check (see stm_mseg_err in mseg_verify.h).
 * See Documentation/stm-image.rst and Documentation/firmware-packaging.rst.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mseg_verify.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "stmimg writes the little-endian image layout through host structs"
#endif

#define EXIT_USAGE	2
#define EXIT_IO		3
#define EXIT_BUILD	4
#define EXIT_VERIFY	10

/* EDK II StmPlatformSamplePkg PcdStmBinFile: the FFS file name the platform
 * STM driver passes to GetSectionFromAnyFv().
 */
#define STM_FFS_DEFAULT_GUID	"ACCA3E06-3C64-4509-A687-DDC76F71B561"
#define FFS_TYPE_FREEFORM	0x02
#define FFS_SECTION_RAW		0x19
#define FFS_ATTRIB_CHECKSUM	0x40
#define FFS_FIXED_CHECKSUM	0xAA
#define FFS_STATE_GENFFS	0x07	/* HEADER_CONSTRUCTION|HEADER_VALID|DATA_VALID */
#define FFS_HEADER_SIZE		24
#define FFS_SECTION_HDR_SIZE	4
#define FFS_MAX_SIZE		0xFFFFFF

#define SW_REV_OFF()	(STM_SW_HEADER_OFFSET + \
			 STM_OFFSETOF(struct stm_sw_header, stm_smm_rev_id))

static const char *prog = "stmimg";

static void die(int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: %s build --raw FILE --symbols FILE [--mseg-rev R] [--smm-rev-id X] -o OUT\n"
		"       %s info [--json] [--cpus N] [--vmcs-size V] [--mseg-size S] IMAGE\n"
		"       %s verify [--json] [--mseg-rev R] [--mseg-size S] [--cpus N] [--vmcs-size V] IMAGE\n"
		"       %s ffs [--guid GUID] [--checksum] [--erase-polarity 0|1] -o OUT IMAGE\n",
		prog, prog, prog, prog);
	exit(EXIT_USAGE);
}

static uint32_t parse_u32(const char *opt, const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || v > 0xFFFFFFFFull || s[0] == '-')
		die(EXIT_USAGE, "%s: not a 32-bit number: '%s'", opt, s);
	return (uint32_t)v;
}

static uint8_t *read_file(const char *path, uint32_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		die(EXIT_IO, "%s: %s", path, strerror(errno));
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			if (cap > 0x100000000ull)
				die(EXIT_IO, "%s: larger than 4 GiB", path);
			buf = realloc(buf, cap);
			if (!buf)
				die(EXIT_IO, "out of memory");
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f))
		die(EXIT_IO, "%s: read error", path);
	fclose(f);
	*size = (uint32_t)len;
	return buf;
}

static void write_file(const char *path, const void *buf, size_t len)
{
	char *tmp;
	FILE *f;

	if (asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0)
		die(EXIT_IO, "out of memory");
	f = fopen(tmp, "wb");
	if (!f)
		die(EXIT_IO, "%s: %s", tmp, strerror(errno));
	if (fwrite(buf, 1, len, f) != len || fclose(f))
		die(EXIT_IO, "%s: write error", tmp);
	if (rename(tmp, path))
		die(EXIT_IO, "%s: %s", path, strerror(errno));
	free(tmp);
}

/* ------------------------------------------------------------------ */
/* build                                                              */
/* ------------------------------------------------------------------ */

struct sym {
	const char *name;
	uint64_t val;
	int found;
};

enum {
	S_GDT_START, S_GDT_END, S_ENTRY, S_TEXT_START, S_TEXT_END,
	S_RODATA_START, S_RODATA_END, S_RELA_START, S_RELA_END,
	S_DATA_START, S_DATA_END, S_BSS_START, S_BSS_END, S_IMAGE_END,
	S_STACK, S_HEAP, S_CS, S_NR
};

static struct sym syms[S_NR] = {
	[S_GDT_START] = { "__stm_gdt_start" },
	[S_GDT_END] = { "__stm_gdt_end" },
	[S_ENTRY] = { "stm_entry" },
	[S_TEXT_START] = { "__stm_text_start" },
	[S_TEXT_END] = { "__stm_text_end" },
	[S_RODATA_START] = { "__stm_rodata_start" },
	[S_RODATA_END] = { "__stm_rodata_end" },
	[S_RELA_START] = { "__stm_rela_start" },
	[S_RELA_END] = { "__stm_rela_end" },
	[S_DATA_START] = { "__stm_data_start" },
	[S_DATA_END] = { "__stm_data_end" },
	[S_BSS_START] = { "__stm_bss_start" },
	[S_BSS_END] = { "__stm_bss_end" },
	[S_IMAGE_END] = { "__stm_image_end" },
	[S_STACK] = { "stm_cfg_stack_size" },
	[S_HEAP] = { "stm_cfg_heap_size" },
	[S_CS] = { "stm_cfg_cs_selector" },
};

/* `nm -P` lines: "name type value [size]" */
static void read_symbols(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512], name[256], type[8];
	unsigned long long val;
	int i;

	if (!f)
		die(EXIT_IO, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%255s %7s %llx", name, type, &val) != 3)
			continue;
		for (i = 0; i < S_NR; i++) {
			if (strcmp(name, syms[i].name))
				continue;
			syms[i].val = val;
			syms[i].found = 1;
		}
	}
	fclose(f);
	for (i = 0; i < S_NR; i++) {
		if (!syms[i].found)
			die(EXIT_BUILD, "%s: symbol %s missing", path, syms[i].name);
		if (syms[i].val > 0xFFFFFFFFull)
			die(EXIT_BUILD, "%s: symbol %s beyond 4 GiB", path,
			    syms[i].name);
	}
}

#define SV(i)	((uint32_t)syms[i].val)

struct build_opts {
	const char *raw_path, *sym_path, *out;
	uint32_t rev, smm_rev;
};

static void build_parse_args(int argc, char **argv, struct build_opts *o)
{
	uint32_t i;

	memset(o, 0, sizeof(*o));
	o->smm_rev = STM_SMM_REV_ID;
	for (i = 1; i < (uint32_t)argc; i++) {
		const char *a = argv[i];

		if (i + 1 >= (uint32_t)argc)
			usage();
		if (!strcmp(a, "--raw"))
			o->raw_path = argv[++i];
		else if (!strcmp(a, "--symbols"))
			o->sym_path = argv[++i];
		else if (!strcmp(a, "--mseg-rev"))
			o->rev = parse_u32(a, argv[++i]);
		else if (!strcmp(a, "--smm-rev-id"))
			o->smm_rev = parse_u32(a, argv[++i]);
		else if (!strcmp(a, "-o"))
			o->out = argv[++i];
		else
			usage();
	}
	if (!o->raw_path || !o->sym_path || !o->out)
		usage();
}

/*
 * The linked raw image against the GenStm layout: page-aligned end, an
 * empty header page, GDT and code at their offsets, only relative
 * relocations.  Dies with EXIT_BUILD otherwise; returns the reloc count.
 */
static uint32_t build_check_layout(const char *raw_path, const uint8_t *raw,
				   uint32_t raw_size, uint32_t img_size)
{
	uint32_t i, reloc_count;

	if (img_size & STM_PAGE_MASK || raw_size > img_size ||
	    img_size < STM_IMAGE_OFFSET)
		die(EXIT_BUILD, "%s: %u bytes, image end 0x%x: layout broken",
		    raw_path, raw_size, img_size);
	for (i = 0; i < STM_GDT_OFFSET && i < raw_size; i++)
		if (raw[i])
			die(EXIT_BUILD, "%s: byte 0x%x of the header page is not zero: something was linked into it",
			    raw_path, i);
	if (SV(S_GDT_START) != STM_GDT_OFFSET ||
	    SV(S_TEXT_START) != STM_IMAGE_OFFSET)
		die(EXIT_BUILD, "GDT or code not at the GenStm offsets 0x1000/0x2000");
	if (SV(S_RELA_END) < SV(S_RELA_START) ||
	    (SV(S_RELA_END) - SV(S_RELA_START)) % STM_RELA_SIZE)
		die(EXIT_BUILD, "relocation table size not a multiple of %u",
		    STM_RELA_SIZE);
	reloc_count = (SV(S_RELA_END) - SV(S_RELA_START)) / STM_RELA_SIZE;
	for (i = 0; i < reloc_count; i++) {
		uint64_t type;

		memcpy(&type, raw + SV(S_RELA_START) + i * STM_RELA_SIZE + 8, 8);
		if (type != STM_R_X86_64_RELATIVE)
			die(EXIT_BUILD, "relocation %u has type %llu: only R_X86_64_RELATIVE can be applied by the image",
			    i, (unsigned long long)type);
	}
	return reloc_count;
}

/* The hardware and software STM headers (SDM 32.11.1, STM spec 1.0). */
static void build_header(uint8_t *img, uint32_t img_size,
			 const struct build_opts *o)
{
	struct stm_header *h = (struct stm_header *)img;

	h->hw_stm_hdr.stm_header_revision = o->rev;
	h->hw_stm_hdr.monitor_features = STM_FEATURES_IA32E;
	h->hw_stm_hdr.gdtr_limit = SV(S_GDT_END) - SV(S_GDT_START) - 1;
	h->hw_stm_hdr.gdtr_base_offset = SV(S_GDT_START);
	h->hw_stm_hdr.cs_selector = SV(S_CS);
	h->hw_stm_hdr.eip_offset = SV(S_ENTRY);
	/* Page tables right after the static image, then the heap, then the
	 * stack claim counter and the per-CPU stacks (section 8.2).
	 */
	h->hw_stm_hdr.cr3_offset = img_size;
	h->hw_stm_hdr.esp_offset = img_size + STM_MSEG_PT_SIZE + SV(S_HEAP);

	h->sw_stm_hdr.stm_spec_ver_major = STM_SPEC_VERSION_MAJOR;
	h->sw_stm_hdr.stm_spec_ver_minor = STM_SPEC_VERSION_MINOR;
	h->sw_stm_hdr.static_image_size = img_size;
	h->sw_stm_hdr.per_proc_dynamic_memory_size = SV(S_STACK);
	h->sw_stm_hdr.additional_dynamic_memory_size =
		STM_MSEG_PT_SIZE + SV(S_HEAP);
	h->sw_stm_hdr.stm_features = STM_SW_FEATURE_INTEL64 | STM_SW_FEATURE_EPT;
	h->sw_stm_hdr.number_of_rev_ids = 1;
	h->sw_stm_hdr.stm_smm_rev_id[0] = o->smm_rev;
}

/* The stmexec image note: the sections, relocations, stack and heap. */
static void build_note(uint8_t *img, uint32_t reloc_count)
{
	struct stm_image_note note;

	memset(&note, 0, sizeof(note));
	memcpy(note.magic, STM_IMAGE_NOTE_MAGIC, 8);
	note.version = STM_IMAGE_NOTE_VERSION;
	note.size = sizeof(note);
	note.code_offset = SV(S_TEXT_START);
	note.code_size = SV(S_TEXT_END) - SV(S_TEXT_START);
	note.rodata_offset = SV(S_RODATA_START);
	note.rodata_size = SV(S_RODATA_END) - SV(S_RODATA_START);
	note.data_offset = SV(S_DATA_START);
	note.data_size = SV(S_DATA_END) - SV(S_DATA_START);
	note.bss_offset = SV(S_BSS_START);
	note.bss_size = SV(S_BSS_END) - SV(S_BSS_START);
	note.reloc_offset = SV(S_RELA_START);
	note.reloc_count = reloc_count;
	note.stack_size = SV(S_STACK);
	note.heap_size = SV(S_HEAP);
	memcpy(img + STM_IMAGE_NOTE_OFFSET, &note, sizeof(note));
}

static int cmd_build(int argc, char **argv)
{
	struct build_opts o;
	struct stm_mseg_info info;
	uint32_t raw_size, img_size, fail_mask, reloc_count;
	uint8_t *raw, *img;
	int err;

	build_parse_args(argc, argv, &o);
	read_symbols(o.sym_path);
	raw = read_file(o.raw_path, &raw_size);
	img_size = SV(S_IMAGE_END);
	reloc_count = build_check_layout(o.raw_path, raw, raw_size, img_size);

	img = calloc(1, img_size);
	if (!img)
		die(EXIT_IO, "out of memory");
	memcpy(img, raw, raw_size);
	build_header(img, img_size, &o);
	build_note(img, reloc_count);

	err = stm_mseg_verify(img, img_size, NULL, &info, &fail_mask);
	if (err)
		die(EXIT_BUILD, "built image fails verification: [%s] %s",
		    stm_mseg_err_name(err), stm_mseg_err_msg(err));
	write_file(o.out, img, img_size);
	free(img);
	free(raw);
	return 0;
}

/* ------------------------------------------------------------------ */
/* info / verify output                                               */
/* ------------------------------------------------------------------ */

struct out {
	int json;
	int first;	/* no comma needed before the next JSON member */
};

static void j_sep(struct out *o)
{
	if (!o->first)
		fputc(',', stdout);
	o->first = 0;
}

static void j_open(struct out *o, const char *key, char br)
{
	j_sep(o);
	if (key)
		printf("\"%s\":", key);
	putchar(br);
	o->first = 1;
}

static void j_close(struct out *o, char br)
{
	putchar(br);
	o->first = 0;
}

static void j_num(struct out *o, const char *key, uint64_t v)
{
	j_sep(o);
	printf("\"%s\":%llu", key, (unsigned long long)v);
}

/* Strings here are fixed ASCII messages and names: only " and \ escaped. */
static void j_str(struct out *o, const char *key, const char *s)
{
	j_sep(o);
	if (key)
		printf("\"%s\":", key);
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		if ((unsigned char)*s >= 0x20)
			putchar(*s);
	}
	putchar('"');
}

static void j_bool(struct out *o, const char *key, int v)
{
	j_sep(o);
	printf("\"%s\":%s", key, v ? "true" : "false");
}

static void j_str_path(struct out *o, const char *key, const char *s)
{
	/* Paths may hold anything: escape control characters too. */
	j_sep(o);
	printf("\"%s\":\"", key);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static const char *seg_kind(uint64_t raw, char *buf, size_t len)
{
	struct stm_seg_desc d;
	int sys;

	stm_seg_decode(raw, &d);
	if (!raw)
		return "null";
	sys = !(d.access & 0x10);
	if (sys) {
		snprintf(buf, len, "system type 0x%x%s", d.access & 0xF,
			 (d.access & 0xF) == 9 ? " (64-bit TSS, 16 bytes)" : "");
		return buf;
	}
	snprintf(buf, len, "%s %s%s base 0x%x limit 0x%x DPL %u%s",
		 (d.access & 0x8) ? "code" : "data",
		 (d.access & 0x8) ? ((d.flags & 0x2) ? "64-bit" :
				     (d.flags & 0x4) ? "32-bit" : "16-bit")
				  : ((d.access & 0x2) ? "writable" : "read-only"),
		 "", d.base, d.limit, (d.access >> 5) & 3,
		 (d.access & 0x80) ? "" : " NOT PRESENT");
	return buf;
}

struct region {
	const char *name;
	uint64_t start, end;
};

static int layout(const struct stm_mseg_info *in, uint32_t cpus,
		  uint32_t vmcs, struct region *r)
{
	uint64_t v = ((uint64_t)vmcs + STM_PAGE_MASK) & ~(uint64_t)STM_PAGE_MASK;
	uint64_t stacks = (uint64_t)in->per_proc_dynamic_memory_size * cpus;
	uint64_t pt_end = (uint64_t)in->cr3_offset + STM_MSEG_PT_SIZE;
	uint64_t sw_end = in->sw_header_end;
	int n = 0;

	r[n++] = (struct region){ "hardware STM header", 0, STM_SW_HEADER_OFFSET };
	r[n++] = (struct region){ "software STM header", STM_SW_HEADER_OFFSET,
				  sw_end };
	if (in->has_note)
		r[n++] = (struct region){ "stmexec image note",
			STM_IMAGE_NOTE_OFFSET,
			STM_IMAGE_NOTE_OFFSET + sizeof(struct stm_image_note) };
	r[n++] = (struct region){ "GDT", in->gdtr_base_offset,
				  (uint64_t)in->gdtr_base_offset +
				  in->gdtr_limit + 1 };
	if (in->has_note) {
		const struct stm_image_note *nt = &in->note;

		r[n++] = (struct region){ "code (.text)", nt->code_offset,
			(uint64_t)nt->code_offset + nt->code_size };
		r[n++] = (struct region){ "read-only data + relocations",
			nt->rodata_offset,
			(uint64_t)nt->rodata_offset + nt->rodata_size };
		r[n++] = (struct region){ "data", nt->data_offset,
					  nt->bss_offset };
		r[n++] = (struct region){ "BSS (zero-filled in the file)",
			nt->bss_offset, (uint64_t)nt->bss_offset + nt->bss_size };
	}
	r[n++] = (struct region){ "end of static image (StaticImageSize)",
				  in->static_image_size, in->static_image_size };
	r[n++] = (struct region){ "page tables (built by the loader/SINIT)",
				  in->cr3_offset, pt_end };
	if (in->esp_offset >= pt_end)
		r[n++] = (struct region){ "heap", pt_end, in->esp_offset };
	r[n++] = (struct region){ "stack claim counter (u32)", in->esp_offset,
				  (uint64_t)in->esp_offset + 4 };
	r[n++] = (struct region){ "per-CPU stacks", in->esp_offset,
				  in->esp_offset + stacks };
	r[n++] = (struct region){ "per-CPU VMCS pairs (SMI, SMM guest)",
				  in->esp_offset + stacks,
				  in->esp_offset + stacks + 2 * v * cpus };
	return n;
}

static const char *hw_names[8] = {
	"StmHeaderRevision", "MonitorFeatures", "GdtrLimit", "GdtrBaseOffset",
	"CsSelector", "EipOffset", "EspOffset", "Cr3Offset",
};

static void hw_values(const struct stm_mseg_info *in, uint32_t *v)
{
	v[0] = in->revision;
	v[1] = in->monitor_features;
	v[2] = in->gdtr_limit;
	v[3] = in->gdtr_base_offset;
	v[4] = in->cs_selector;
	v[5] = in->eip_offset;
	v[6] = in->esp_offset;
	v[7] = in->cr3_offset;
}

/* What `stmimg info` prints, computed once for the text and JSON forms. */
struct info_view {
	const char *path;
	const uint8_t *img;
	const struct stm_mseg_info *in;
	uint32_t cpus, vmcs, mseg_size;
	int have_mseg;
	uint32_t hv[8], nrev, ndesc;
	uint64_t ref, ldr, cor;	/* min MSEG: reference, loader, corrected */
	struct region r[16];
	int nr;
};

static void info_view_init(struct info_view *v)
{
	const struct stm_mseg_info *in = v->in;

	v->ref = stm_mseg_min_size_ref(in, v->cpus, v->vmcs);
	v->ldr = stm_mseg_min_size_loader(in, v->cpus, v->vmcs);
	v->cor = stm_mseg_min_size(in, v->cpus, v->vmcs);
	v->nr = layout(in, v->cpus, v->vmcs, v->r);
	hw_values(in, v->hv);
	v->nrev = in->number_of_rev_ids;
	if (v->nrev > (in->sw_header_end - SW_REV_OFF()) / 4)
		v->nrev = (in->sw_header_end - SW_REV_OFF()) / 4;
	v->ndesc = 0;
	if ((uint64_t)in->gdtr_base_offset + in->gdtr_limit + 1 <= in->image_size &&
	    in->gdtr_limit < 0x10000)
		v->ndesc = (in->gdtr_limit + 1) / 8;
}

static void info_text_headers(const struct info_view *v)
{
	const struct stm_mseg_info *in = v->in;
	uint32_t i;

	printf("%s: %u bytes\n", v->path, in->image_size);
	printf("Hardware STM header (MSEG + 0x000)\n");
	for (i = 0; i < 8; i++)
		printf("  %-30s 0x%08x%s\n", hw_names[i], v->hv[i],
		       i == 1 ? ((v->hv[1] & STM_FEATURES_IA32E) ?
				 "  IA-32e (64-bit STM)" : "  32-bit STM")
			      : "");
	printf("Software STM header (MSEG + 0x%03x)\n", STM_SW_HEADER_OFFSET);
	printf("  %-30s %u.%u\n", "StmSpecVer", in->spec_ver_major,
	       in->spec_ver_minor);
	printf("  %-30s 0x%08x\n", "StaticImageSize", in->static_image_size);
	printf("  %-30s 0x%08x\n", "PerProcDynamicMemorySize",
	       in->per_proc_dynamic_memory_size);
	printf("  %-30s 0x%08x\n", "AdditionalDynamicMemorySize",
	       in->additional_dynamic_memory_size);
	printf("  %-30s 0x%08x%s%s\n", "StmFeatures", in->stm_features,
	       in->stm_features & STM_SW_FEATURE_INTEL64 ? "  Intel64" : "",
	       in->stm_features & STM_SW_FEATURE_EPT ? " EPT" : "");
	printf("  %-30s %u\n", "NumberOfRevIDs", in->number_of_rev_ids);
	for (i = 0; i < v->nrev; i++)
		printf("  StmSmmRevID[%u]%*s 0x%08x\n", i,
		       i < 10 ? 16 : 15, "",
		       stm_mseg_rd32(v->img + SW_REV_OFF() + 4 * i));
}

static void info_text_gdt(const struct info_view *v)
{
	const struct stm_mseg_info *in = v->in;
	uint32_t cs = in->cs_selector & ~7u ? in->cs_selector & ~7u : 8;
	char buf[160];
	uint32_t i;

	printf("GDT (MSEG + 0x%x, %u descriptors; CS 0x%x, data CS+8)\n",
	       in->gdtr_base_offset, v->ndesc, in->cs_selector);
	for (i = 0; i < v->ndesc; i++) {
		uint64_t d = stm_mseg_rd64(v->img + in->gdtr_base_offset + 8 * i);

		printf("  0x%02x  0x%016llx  %s%s\n", i * 8,
		       (unsigned long long)d, seg_kind(d, buf, sizeof(buf)),
		       i * 8 == cs ? "  <- CS" :
		       i * 8 == cs + 8 ? "  <- SS/DS/ES/FS/GS" : "");
	}
}

static void info_text_note(const struct stm_mseg_info *in)
{
	const struct stm_image_note *nt = &in->note;

	if (!in->has_note) {
		printf("stmexec image note: absent (not built by stmimg)\n");
		return;
	}
	printf("stmexec image note (MSEG + 0x%x, version %u)\n",
	       STM_IMAGE_NOTE_OFFSET, nt->version);
	printf("  %-30s 0x%x + 0x%x\n", "code", nt->code_offset, nt->code_size);
	printf("  %-30s 0x%x + 0x%x\n", "rodata", nt->rodata_offset, nt->rodata_size);
	printf("  %-30s 0x%x + 0x%x\n", "data (incl. BSS)", nt->data_offset, nt->data_size);
	printf("  %-30s 0x%x + 0x%x\n", "BSS", nt->bss_offset, nt->bss_size);
	printf("  %-30s 0x%x, %u entries\n", "relocations", nt->reloc_offset, nt->reloc_count);
	printf("  %-30s 0x%x\n", "stack per CPU", nt->stack_size);
	printf("  %-30s 0x%x\n", "heap", nt->heap_size);
}

static void info_text_sizes(const struct info_view *v)
{
	uint32_t i;

	printf("Layout for %u CPU(s), VMCS size 0x%x (offsets from the MSEG base)\n",
	       v->cpus, v->vmcs);
	for (i = 0; i < (uint32_t)v->nr; i++)
		printf("  0x%08llx-0x%08llx  %s\n",
		       (unsigned long long)v->r[i].start,
		       (unsigned long long)v->r[i].end, v->r[i].name);
	printf("Minimum MSEG size for %u CPU(s)\n", v->cpus);
	printf("  %-52s 0x%llx\n", "reference formula (EDK II, reference STM, coreboot)",
	       (unsigned long long)v->ref);
	printf("  %-52s 0x%llx\n", "loader requirement (EDK II/coreboot extra terms)",
	       (unsigned long long)v->ldr);
	printf("  %-52s 0x%llx\n", "corrected (covers BSS; what the STM needs)",
	       (unsigned long long)v->cor);
	if (v->have_mseg)
		printf("MSEG size 0x%x holds up to %u CPU(s)\n", v->mseg_size,
		       stm_mseg_max_cpus(v->in, v->mseg_size, v->vmcs));
}

static void info_json_headers(struct out *o, const struct info_view *v)
{
	const struct stm_mseg_info *in = v->in;
	uint32_t i;

	j_open(o, "hardware_header", '{');
	for (i = 0; i < 8; i++)
		j_num(o, hw_names[i], v->hv[i]);
	j_bool(o, "ia32e", v->hv[1] & STM_FEATURES_IA32E);
	j_close(o, '}');
	j_open(o, "software_header", '{');
	j_num(o, "StmSpecVerMajor", in->spec_ver_major);
	j_num(o, "StmSpecVerMinor", in->spec_ver_minor);
	j_num(o, "StaticImageSize", in->static_image_size);
	j_num(o, "PerProcDynamicMemorySize", in->per_proc_dynamic_memory_size);
	j_num(o, "AdditionalDynamicMemorySize",
	      in->additional_dynamic_memory_size);
	j_num(o, "StmFeatures", in->stm_features);
	j_bool(o, "intel64", in->stm_features & STM_SW_FEATURE_INTEL64);
	j_bool(o, "ept", in->stm_features & STM_SW_FEATURE_EPT);
	j_num(o, "NumberOfRevIDs", in->number_of_rev_ids);
	j_open(o, "StmSmmRevID", '[');
	for (i = 0; i < v->nrev; i++) {
		j_sep(o);
		printf("%u", stm_mseg_rd32(v->img + SW_REV_OFF() + 4 * i));
	}
	j_close(o, ']');
	j_close(o, '}');
}

static void info_json_gdt(struct out *o, const struct info_view *v)
{
	char buf[160];
	uint32_t i;

	j_open(o, "gdt", '[');
	for (i = 0; i < v->ndesc; i++) {
		uint64_t d = stm_mseg_rd64(v->img + v->in->gdtr_base_offset + 8 * i);

		j_open(o, NULL, '{');
		j_num(o, "selector", i * 8);
		j_num(o, "raw", d);
		j_str(o, "decoded", seg_kind(d, buf, sizeof(buf)));
		j_close(o, '}');
	}
	j_close(o, ']');
}

static void info_json_note(struct out *o, const struct stm_mseg_info *in)
{
	const struct stm_image_note *nt = &in->note;

	if (!in->has_note)
		return;
	j_open(o, "note", '{');
	j_num(o, "version", nt->version);
	j_num(o, "code_offset", nt->code_offset);
	j_num(o, "code_size", nt->code_size);
	j_num(o, "rodata_offset", nt->rodata_offset);
	j_num(o, "rodata_size", nt->rodata_size);
	j_num(o, "data_offset", nt->data_offset);
	j_num(o, "data_size", nt->data_size);
	j_num(o, "bss_offset", nt->bss_offset);
	j_num(o, "bss_size", nt->bss_size);
	j_num(o, "reloc_offset", nt->reloc_offset);
	j_num(o, "reloc_count", nt->reloc_count);
	j_num(o, "stack_size", nt->stack_size);
	j_num(o, "heap_size", nt->heap_size);
	j_close(o, '}');
}

static void info_json_sizes(struct out *o, const struct info_view *v)
{
	uint32_t i;

	j_open(o, "layout", '[');
	for (i = 0; i < (uint32_t)v->nr; i++) {
		j_open(o, NULL, '{');
		j_str(o, "region", v->r[i].name);
		j_num(o, "start", v->r[i].start);
		j_num(o, "end", v->r[i].end);
		j_close(o, '}');
	}
	j_close(o, ']');
	j_num(o, "cpus", v->cpus);
	j_num(o, "vmcs_size", v->vmcs);
	j_open(o, "min_mseg_size", '{');
	j_num(o, "reference", v->ref);
	j_num(o, "loader", v->ldr);
	j_num(o, "corrected", v->cor);
	j_close(o, '}');
	if (v->have_mseg) {
		j_num(o, "mseg_size", v->mseg_size);
		j_num(o, "max_cpus", stm_mseg_max_cpus(v->in, v->mseg_size, v->vmcs));
	}
}

static void print_info_text(const struct info_view *v)
{
	info_text_headers(v);
	info_text_gdt(v);
	info_text_note(v->in);
	info_text_sizes(v);
}

static void print_info_json(const struct info_view *v)
{
	struct out o = { .json = 1, .first = 1 };

	j_open(&o, NULL, '{');
	j_str_path(&o, "file", v->path);
	j_num(&o, "size", v->in->image_size);
	info_json_headers(&o, v);
	info_json_gdt(&o, v);
	info_json_note(&o, v->in);
	info_json_sizes(&o, v);
	j_close(&o, '}');
	putchar('\n');
}

struct common_opts {
	int json;
	uint32_t cpus, vmcs, mseg_size, mseg_rev;
	int have_size, have_rev;
	const char *image, *out, *guid;
	int checksum, polarity;
};

static void parse_common(int argc, char **argv, struct common_opts *c,
			 const char *allowed)
{
	int i;

	memset(c, 0, sizeof(*c));
	c->cpus = 1;
	c->vmcs = STM_MSEG_DEFAULT_VMCS_SIZE;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		int has_arg = strcmp(a, "--json") && strcmp(a, "--checksum");

		if (a[0] != '-' || !strcmp(a, "-")) {
			if (c->image)
				usage();
			c->image = a;
			continue;
		}
		if (!strstr(allowed, a))
			usage();
		if (has_arg && i + 1 >= argc)
			usage();
		if (!strcmp(a, "--json"))
			c->json = 1;
		else if (!strcmp(a, "--checksum"))
			c->checksum = 1;
		else if (!strcmp(a, "--cpus"))
			c->cpus = parse_u32(a, argv[++i]);
		else if (!strcmp(a, "--vmcs-size"))
			c->vmcs = parse_u32(a, argv[++i]);
		else if (!strcmp(a, "--mseg-size")) {
			c->mseg_size = parse_u32(a, argv[++i]);
			c->have_size = 1;
		} else if (!strcmp(a, "--mseg-rev")) {
			c->mseg_rev = parse_u32(a, argv[++i]);
			c->have_rev = 1;
		} else if (!strcmp(a, "--guid"))
			c->guid = argv[++i];
		else if (!strcmp(a, "--erase-polarity"))
			c->polarity = (int)parse_u32(a, argv[++i]);
		else if (!strcmp(a, "-o"))
			c->out = argv[++i];
		else
			usage();
	}
	if (!c->image)
		usage();
	if (c->cpus == 0)
		die(EXIT_USAGE, "--cpus must be at least 1");
	if (c->vmcs == 0 || c->vmcs > 0x100000)
		die(EXIT_USAGE, "--vmcs-size must be 1..0x100000");
	if (c->polarity > 1)
		die(EXIT_USAGE, "--erase-polarity must be 0 or 1");
}

static int cmd_info(int argc, char **argv)
{
	struct info_view v;
	struct common_opts c;
	struct stm_mseg_info in;
	uint32_t size;
	uint8_t *img;

	parse_common(argc, argv, &c, "--json --cpus --vmcs-size --mseg-size");
	img = read_file(c.image, &size);
	if (stm_mseg_parse(img, size, &in) != STM_MSEG_OK)
		die(EXIT_VERIFY + STM_MSEG_E_TRUNCATED, "%s: %s", c.image,
		    stm_mseg_err_msg(STM_MSEG_E_TRUNCATED));
	v.path = c.image;
	v.img = img;
	v.in = &in;
	v.cpus = c.cpus;
	v.vmcs = c.vmcs;
	v.have_mseg = c.have_size;
	v.mseg_size = c.mseg_size;
	info_view_init(&v);
	if (c.json)
		print_info_json(&v);
	else
		print_info_text(&v);
	free(img);
	return 0;
}

static void detail(const struct stm_mseg_info *in, const struct common_opts *c,
		   int e, char *buf, size_t len)
{
	buf[0] = 0;
	switch (e) {
	case STM_MSEG_E_REVISION:
		snprintf(buf, len, "image 0x%x, CPU 0x%x", in->revision,
			 c->mseg_rev);
		break;
	case STM_MSEG_E_FEATURES:
		snprintf(buf, len, "features 0x%x", in->monitor_features);
		break;
	case STM_MSEG_E_SW_VERSION:
		snprintf(buf, len, "version %u.%u", in->spec_ver_major,
			 in->spec_ver_minor);
		break;
	case STM_MSEG_E_SW_REV_IDS:
		snprintf(buf, len, "NumberOfRevIDs %u", in->number_of_rev_ids);
		break;
	case STM_MSEG_E_SW_FEATURES:
		snprintf(buf, len, "StmFeatures 0x%x, MonitorFeatures 0x%x",
			 in->stm_features, in->monitor_features);
		break;
	case STM_MSEG_E_STATIC_SIZE:
		snprintf(buf, len, "StaticImageSize 0x%x, file 0x%x",
			 in->static_image_size, in->image_size);
		break;
	case STM_MSEG_E_PERPROC_SIZE:
		snprintf(buf, len, "PerProcDynamicMemorySize 0x%x",
			 in->per_proc_dynamic_memory_size);
		break;
	case STM_MSEG_E_GDT_RANGE:
	case STM_MSEG_E_CS_SELECTOR:
		snprintf(buf, len, "GDT 0x%x limit 0x%x, CS 0x%x",
			 in->gdtr_base_offset, in->gdtr_limit, in->cs_selector);
		break;
	case STM_MSEG_E_EIP:
		snprintf(buf, len, "EipOffset 0x%x", in->eip_offset);
		break;
	case STM_MSEG_E_CR3:
		snprintf(buf, len, "Cr3Offset 0x%x", in->cr3_offset);
		break;
	case STM_MSEG_E_ESP:
		snprintf(buf, len, "EspOffset 0x%x", in->esp_offset);
		break;
	case STM_MSEG_E_BSS:
		snprintf(buf, len, "static end with BSS 0x%llx > pages(StaticImageSize) 0x%llx",
			 (unsigned long long)stm_mseg_static_end(in),
			 (unsigned long long)((in->static_image_size + 0xFFFull) & ~0xFFFull));
		break;
	case STM_MSEG_E_MSEG_SIZE:
		snprintf(buf, len, "need 0x%llx for %u CPU(s), MSEG 0x%x holds %u",
			 (unsigned long long)stm_mseg_min_size(in, c->cpus, c->vmcs),
			 c->cpus, c->mseg_size,
			 stm_mseg_max_cpus(in, c->mseg_size, c->vmcs));
		break;
	default:
		break;
	}
}

static void verify_print_json(const struct common_opts *c,
			      const struct stm_mseg_info *in, int first,
			      uint32_t mask)
{
	struct out o = { .first = 1 };
	char buf[160];
	uint32_t e;

	j_open(&o, NULL, '{');
	j_str_path(&o, "file", c->image);
	j_bool(&o, "ok", first == STM_MSEG_OK);
	j_num(&o, "exit_status", first ? EXIT_VERIFY + first : 0);
	j_num(&o, "cpus", c->cpus);
	j_num(&o, "vmcs_size", c->vmcs);
	if (first != STM_MSEG_E_TRUNCATED)
		j_num(&o, "min_mseg_size", stm_mseg_min_size(in, c->cpus, c->vmcs));
	j_open(&o, "failures", '[');
	for (e = 1; e < STM_MSEG_E_COUNT; e++) {
		if (!(mask & STM_MSEG_ERR_BIT(e)))
			continue;
		detail(in, c, (int)e, buf, sizeof(buf));
		j_open(&o, NULL, '{');
		j_num(&o, "code", e);
		j_str(&o, "check", stm_mseg_err_name((int)e));
		j_str(&o, "message", stm_mseg_err_msg((int)e));
		j_str(&o, "detail", buf);
		j_close(&o, '}');
	}
	j_close(&o, ']');
	j_close(&o, '}');
	putchar('\n');
}

static void verify_print_text(const struct common_opts *c,
			      const struct stm_mseg_info *in, int first,
			      uint32_t mask)
{
	char buf[160];
	uint32_t e;

	if (first == STM_MSEG_OK) {
		printf("%s: OK (min MSEG size for %u CPU(s): 0x%llx)\n", c->image,
		       c->cpus,
		       (unsigned long long)stm_mseg_min_size(in, c->cpus, c->vmcs));
		return;
	}
	for (e = 1; e < STM_MSEG_E_COUNT; e++) {
		if (!(mask & STM_MSEG_ERR_BIT(e)))
			continue;
		detail(in, c, (int)e, buf, sizeof(buf));
		printf("%s: FAIL [%s] %s%s%s%s\n", c->image,
		       stm_mseg_err_name((int)e), stm_mseg_err_msg((int)e),
		       buf[0] ? " (" : "", buf, buf[0] ? ")" : "");
	}
}

static int cmd_verify(int argc, char **argv)
{
	struct stm_mseg_verify_opts vo = { 0 };
	struct common_opts c;
	struct stm_mseg_info in;
	uint32_t size, mask;
	uint8_t *img;
	int first;

	parse_common(argc, argv, &c,
		     "--json --mseg-rev --mseg-size --cpus --vmcs-size");
	img = read_file(c.image, &size);
	vo.cpus = c.cpus;
	vo.vmcs_size = c.vmcs;
	if (c.have_rev) {
		vo.flags |= STM_MSEG_OPT_REV;
		vo.mseg_rev = c.mseg_rev;
	}
	if (c.have_size) {
		vo.flags |= STM_MSEG_OPT_SIZE;
		vo.mseg_size = c.mseg_size;
	}
	first = stm_mseg_verify(img, size, &vo, &in, &mask);
	if (c.json)
		verify_print_json(&c, &in, first, mask);
	else
		verify_print_text(&c, &in, first, mask);
	free(img);
	return first ? EXIT_VERIFY + first : 0;
}

/* ------------------------------------------------------------------ */
/* ffs: EDK II FFS file (FREEFORM, one RAW section) for SmMonitorInit  */
/* ------------------------------------------------------------------ */

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE" -> EFI_GUID byte order */
static void parse_guid(const char *s, uint8_t g[16])
{
	static const int grp[5] = { 8, 4, 4, 4, 12 };
	uint8_t raw[16];
	int i, j, k = 0;

	for (i = 0; i < 5; i++) {
		for (j = 0; j < grp[i]; j += 2) {
			int hi = hexval(*s), lo = hi < 0 ? -1 : hexval(s[1]);

			if (hi < 0 || lo < 0)
				die(EXIT_USAGE, "--guid: malformed GUID");
			raw[k++] = (uint8_t)(hi << 4 | lo);
			s += 2;
		}
		if (i < 4 && *s++ != '-')
			die(EXIT_USAGE, "--guid: malformed GUID");
	}
	if (*s)
		die(EXIT_USAGE, "--guid: malformed GUID");
	/* Data1 (u32), Data2, Data3 (u16) little-endian; Data4 as written. */
	g[0] = raw[3]; g[1] = raw[2]; g[2] = raw[1]; g[3] = raw[0];
	g[4] = raw[5]; g[5] = raw[4];
	g[6] = raw[7]; g[7] = raw[6];
	memcpy(g + 8, raw + 8, 8);
}

static uint8_t sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

static int cmd_ffs(int argc, char **argv)
{
	struct common_opts c;
	uint32_t size, total, sect;
	uint8_t *img, *f;
	int err;

	parse_common(argc, argv, &c, "--guid --checksum --erase-polarity -o");
	if (!c.out)
		usage();
	img = read_file(c.image, &size);
	err = stm_mseg_verify(img, size, NULL, NULL, NULL);
	if (err)
		die(EXIT_VERIFY + err, "%s: refusing to package: [%s] %s", c.image,
		    stm_mseg_err_name(err), stm_mseg_err_msg(err));
	sect = FFS_SECTION_HDR_SIZE + size;
	total = FFS_HEADER_SIZE + sect;
	if (size > FFS_MAX_SIZE - FFS_HEADER_SIZE - FFS_SECTION_HDR_SIZE)
		die(EXIT_USAGE, "%s: too large for a non-extended FFS file", c.image);

	f = calloc(1, total);
	if (!f)
		die(EXIT_IO, "out of memory");
	parse_guid(c.guid ? c.guid : STM_FFS_DEFAULT_GUID, f);
	f[18] = FFS_TYPE_FREEFORM;
	f[19] = c.checksum ? FFS_ATTRIB_CHECKSUM : 0;
	f[20] = (uint8_t)total;
	f[21] = (uint8_t)(total >> 8);
	f[22] = (uint8_t)(total >> 16);
	/* EFI_COMMON_SECTION_HEADER: Size[3], Type */
	f[24] = (uint8_t)sect;
	f[25] = (uint8_t)(sect >> 8);
	f[26] = (uint8_t)(sect >> 16);
	f[27] = FFS_SECTION_RAW;
	memcpy(f + 28, img, size);
	/* PI 1.x vol. 3 2.2.3: header checksum with File and State taken as
	 * zero; file checksum over the data or the fixed 0xAA.
	 */
	f[16] = (uint8_t)(0x100 - sum8(f, FFS_HEADER_SIZE));
	f[17] = c.checksum ? (uint8_t)(0x100 - sum8(f + FFS_HEADER_SIZE,
						     total - FFS_HEADER_SIZE))
			   : FFS_FIXED_CHECKSUM;
	f[23] = c.polarity ? (uint8_t)~FFS_STATE_GENFFS : FFS_STATE_GENFFS;
	write_file(c.out, f, total);
	free(f);
	free(img);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "build"))
		return cmd_build(argc - 1, argv + 1);
	if (!strcmp(argv[1], "info"))
		return cmd_info(argc - 1, argv + 1);
	if (!strcmp(argv[1], "verify"))
		return cmd_verify(argc - 1, argv + 1);
	if (!strcmp(argv[1], "ffs"))
		return cmd_ffs(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		usage();
	die(EXIT_USAGE, "unknown command '%s'", argv[1]);
	return EXIT_USAGE;
}
