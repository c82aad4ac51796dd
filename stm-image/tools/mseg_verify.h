/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * MSEG image parser and verifier: the checks a firmware loader (EDK II
 * SmmStm.c, coreboot SmmStm.c) and tboot (txt/verify.c) apply to an STM
 * image, plus the minimum MSEG size formulas.
 *
 * Freestanding: no libc, fixed-width types, every symbol prefixed stm_.
 * Built into the host tool stmimg, the unit tests and the fuzzer, and into
 * the kernel module through a one-line wrapper (kmod/ includes
 * ../stm-image/tools/mseg_verify.c).  The wire structures come from
 * <stm/wire.h>; this header adds only the verifier API and the stmexec image
 * note (an stmexec-specific record, not part of any STM specification).
 */
#ifndef STM_MSEG_VERIFY_H
#define STM_MSEG_VERIFY_H

#include <stm/wire.h>

/* The loader (EDK II StmGen4GPageTable, coreboot stm_gen_4g_pagetable_x64)
 * or SINIT builds PML4 + PDPT + 4 PDs of 2 MiB pages at MSEG + Cr3Offset.
 */
#define STM_MSEG_PT_PAGES		6u
#define STM_MSEG_PT_SIZE		(STM_MSEG_PT_PAGES * STM_PAGE_SIZE)
/* VMCS size assumed when the CPU's IA32_VMX_BASIC[44:32] is not known. */
#define STM_MSEG_DEFAULT_VMCS_SIZE	0x1000u
/* NumberOfRevIDs must keep the software header inside the 4 KiB header page. */
#define STM_MSEG_MAX_REV_IDS \
	((STM_PAGE_SIZE - STM_SW_HEADER_OFFSET - \
	  STM_OFFSETOF(struct stm_sw_header, stm_smm_rev_id)) / 4u)

/*
 * stmexec image note: written by `stmimg build` in the unused tail of the
 * 4 KiB header page.  Loaders, SINIT and tboot never read it.  It lets the
 * verifier check "entry inside code" exactly and lets `info` show the
 * internal layout.  Images without it (e.g. an EDK II GenStm stm.bin) are
 * verified with the generic rules.  All fields little-endian, offsets from
 * the MSEG base.
 */
#define STM_IMAGE_NOTE_OFFSET		0xF00u
#define STM_IMAGE_NOTE_MAGIC		"STMXNOTE"
#define STM_IMAGE_NOTE_VERSION		1u

struct stm_image_note {
	uint8_t magic[8];		/* "STMXNOTE" */
	uint32_t version;		/* STM_IMAGE_NOTE_VERSION */
	uint32_t size;			/* sizeof(struct stm_image_note) */
	uint32_t code_offset;		/* .text */
	uint32_t code_size;
	uint32_t rodata_offset;		/* .rodata + relocation table */
	uint32_t rodata_size;
	uint32_t data_offset;		/* .data + .bss, zero-filled in the file */
	uint32_t data_size;
	uint32_t bss_offset;		/* inside [data_offset, +data_size) */
	uint32_t bss_size;
	uint32_t reloc_offset;		/* Elf64_Rela[], R_X86_64_RELATIVE only */
	uint32_t reloc_count;
	uint32_t stack_size;		/* the entry stub's per-CPU stack */
	uint32_t heap_size;		/* heap proper, after the page tables */
	uint32_t reserved[2];
} STM_PACKED;
STM_ASSERT_SIZE(struct stm_image_note, 72);
STM_STATIC_ASSERT(STM_IMAGE_NOTE_OFFSET + sizeof(struct stm_image_note) <=
		  STM_PAGE_SIZE, "note fits in the header page");

/* Elf64_Rela entry as stored in the image (24 bytes). */
#define STM_RELA_SIZE			24u
#define STM_R_X86_64_RELATIVE		8u

/* Verification results: one code per failure, in the order checked. */
enum stm_mseg_err {
	STM_MSEG_OK = 0,
	STM_MSEG_E_TRUNCATED,	/* shorter than the hardware + software header */
	STM_MSEG_E_REVISION,	/* revision != CPU's IA32_VMX_MISC[63:32] */
	STM_MSEG_E_FEATURES,	/* monitor features bits 31:1 set */
	STM_MSEG_E_SW_VERSION,	/* software header version not 1.x */
	STM_MSEG_E_SW_REV_IDS,	/* NumberOfRevIDs 0 or beyond header page */
	STM_MSEG_E_SW_FEATURES,	/* reserved StmFeatures, or Intel64 != IA-32e */
	STM_MSEG_E_STATIC_SIZE,	/* StaticImageSize < file or < header */
	STM_MSEG_E_PERPROC_SIZE,/* per-CPU size 0 or not 4 KiB multiple */
	STM_MSEG_E_GDT_RANGE,	/* GDT outside image/over header/limit */
	STM_MSEG_E_CS_SELECTOR,	/* selector reserved bits or beyond limit */
	STM_MSEG_E_GDT_CS,	/* descriptor at CS not a valid code seg */
	STM_MSEG_E_GDT_DS,	/* descriptor at CS+8 not a valid data seg */
	STM_MSEG_E_EIP,		/* entry point not inside the code */
	STM_MSEG_E_CR3,		/* page tables misplaced */
	STM_MSEG_E_ESP,		/* stack base misplaced */
	STM_MSEG_E_BSS,		/* StaticImageSize does not cover BSS/Cr3 */
	STM_MSEG_E_NOTE,	/* stmexec note malformed */
	STM_MSEG_E_RELOC,	/* relocation table malformed */
	STM_MSEG_E_MSEG_SIZE,	/* min MSEG size for N CPUs > MSEG size */
	STM_MSEG_E_COUNT
};

#define STM_MSEG_ERR_BIT(e)		(1u << (e))

struct stm_mseg_info {
	uint32_t image_size;		/* bytes examined */
	/* hardware header */
	uint32_t revision;
	uint32_t monitor_features;
	uint32_t gdtr_limit;
	uint32_t gdtr_base_offset;
	uint32_t cs_selector;
	uint32_t eip_offset;
	uint32_t esp_offset;
	uint32_t cr3_offset;
	/* software header */
	uint8_t spec_ver_major;
	uint8_t spec_ver_minor;
	uint16_t sw_reserved;
	uint32_t static_image_size;
	uint32_t per_proc_dynamic_memory_size;
	uint32_t additional_dynamic_memory_size;
	uint32_t stm_features;
	uint32_t number_of_rev_ids;
	uint32_t sw_header_end;		/* offset after the last rev id */
	/* stmexec note (valid when has_note) */
	uint32_t has_note;
	struct stm_image_note note;
};

struct stm_mseg_verify_opts {
	uint32_t flags;
	uint32_t mseg_rev;		/* with STM_MSEG_OPT_REV */
	uint32_t mseg_size;		/* with STM_MSEG_OPT_SIZE */
	uint32_t cpus;			/* 0 = 1 */
	uint32_t vmcs_size;		/* 0 = STM_MSEG_DEFAULT_VMCS_SIZE */
};

#define STM_MSEG_OPT_REV		0x1u
#define STM_MSEG_OPT_SIZE		0x2u

/* Little-endian field access for callers that hold a raw image. */
uint32_t stm_mseg_rd32(const uint8_t *p);
void stm_mseg_wr32(uint8_t *p, uint32_t v);
uint64_t stm_mseg_rd64(const uint8_t *p);

/*
 * Parse the headers (and the note, if its magic is present) of an image of
 * `size` bytes.  Returns STM_MSEG_OK or STM_MSEG_E_TRUNCATED; never reads
 * outside [img, img + size).
 */
int stm_mseg_parse(const void *img, uint32_t size, struct stm_mseg_info *info);

/*
 * Minimum MSEG sizes for `cpus` CPUs with a VMCS of `vmcs_size` bytes
 * (rounded up to 4 KiB).  64-bit results: no overflow for any input.
 *  ref:       EDK II / reference STM / coreboot formula:
 *             pages(StaticImageSize) + Additional + (PerProc + 2*VMCS) * N
 *  loader:    what EDK II and coreboot require of the MSEG: max(ref, file
 *             size, Cr3Offset + 6 pages when Cr3Offset >= StaticImageSize)
 *  corrected: ref with the static part extended to cover BSS (max of
 *             pages(StaticImageSize), Cr3Offset, pages(note BSS end)), and
 *             at least `loader`.  This is the size the STM really needs.
 */
uint64_t stm_mseg_min_size_ref(const struct stm_mseg_info *info, uint32_t cpus,
			       uint32_t vmcs_size);
uint64_t stm_mseg_min_size_loader(const struct stm_mseg_info *info,
				  uint32_t cpus, uint32_t vmcs_size);
uint64_t stm_mseg_min_size(const struct stm_mseg_info *info, uint32_t cpus,
			   uint32_t vmcs_size);
/* Largest N with stm_mseg_min_size(N) <= mseg_size (0 if none). */
uint32_t stm_mseg_max_cpus(const struct stm_mseg_info *info,
			   uint32_t mseg_size, uint32_t vmcs_size);
/* Offset where the static part ends once BSS is covered (see corrected). */
uint64_t stm_mseg_static_end(const struct stm_mseg_info *info);

/*
 * Apply every check.  Returns the first failing code (STM_MSEG_OK if all
 * pass); *fail_mask (optional) receives STM_MSEG_ERR_BIT() of every failure;
 * *info (optional) the parsed headers.  Checks that depend on a truncated
 * header are skipped after STM_MSEG_E_TRUNCATED.
 */
int stm_mseg_verify(const void *img, uint32_t size,
		    const struct stm_mseg_verify_opts *opts,
		    struct stm_mseg_info *info, uint32_t *fail_mask);

/* Stable short name ("revision") and one-line message of a code. */
const char *stm_mseg_err_name(int err);
const char *stm_mseg_err_msg(int err);

/* x86 segment descriptor decoding used by the GDT checks. */
struct stm_seg_desc {
	uint32_t base;
	uint32_t limit;		/* scaled by G */
	uint8_t access;		/* P DPL S Type */
	uint8_t flags;		/* G D/B L AVL (bits 3..0) */
};

void stm_seg_decode(uint64_t raw, struct stm_seg_desc *d);
/* 0 if `raw` is a descriptor the STM can use as CS (ia32e: 64-bit code). */
int stm_seg_check_code(uint64_t raw, int ia32e);
/* 0 if `raw` is a flat, present, writable ring-0 data descriptor. */
int stm_seg_check_data(uint64_t raw);

#endif /* STM_MSEG_VERIFY_H */
