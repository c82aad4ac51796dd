/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Runtime building blocks of the bundled STM: the parts of the SMI Transfer
 * Monitor runtime that are pure functions of data, so they can be unit
 * tested and fuzzed in userspace like the policy core:
 *
 *   - VMX I/O bitmaps and MSR bitmap from the core's enforcement view;
 *   - the checks of the TXT_PROCESSOR_SMM_DESCRIPTOR (PSD) at SMBASE+0xFB00;
 *   - the CPU count (MADT) and PCIe ECAM base (MCFG) from the ACPI tables;
 *   - the SMRAM state-save map <-> SMI-transfer VMCS guest-state mapping;
 *   - the SMM guest's EPT, built and updated from the protection database.
 *
 * Freestanding: no libc, no kernel headers; physical memory only through
 * struct stm_mem_ops; no allocation (caller-provided pages and structs).
 * None of this is called by the image's entry path yet: see
 * Documentation/stm-image.rst, "Runtime building blocks".
 */
#ifndef STM_RUNTIME_H
#define STM_RUNTIME_H

#include <stm/core.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* I/O and MSR bitmaps (SDM Vol. 3C 25.6.4, 25.6.9)                   */
/* ------------------------------------------------------------------ */

#define STM_IO_BITMAP_BYTES	0x2000u	/* A (ports 0-0x7FFF) then B */
#define STM_MSR_BITMAP_BYTES	0x1000u	/* read-low, read-high, write-low, write-high */

/* Fixed MSR indexes the runtime always intercepts (SDM Vol. 4). */
#define STM_MSR_IA32_BIOS_UPDT_TRIG	0x079u
#define STM_MSR_IA32_SMM_MONITOR_CTL	0x09Bu
#define STM_MSR_IA32_SYSENTER_CS	0x174u
#define STM_MSR_IA32_SYSENTER_ESP	0x175u
#define STM_MSR_IA32_SYSENTER_EIP	0x176u
#define STM_MSR_IA32_SMRR_PHYSBASE	0x1F2u
#define STM_MSR_IA32_SMRR_PHYSMASK	0x1F3u
#define STM_MSR_IA32_EFER		0xC0000080u
#define STM_MSR_IA32_FS_BASE		0xC0000100u
#define STM_MSR_IA32_GS_BASE		0xC0000101u

#define STM_PCI_CONFIG_ADDRESS_PORT	0xCF8u
#define STM_PCI_CONFIG_DATA_PORT	0xCFCu

/*
 * Fill `bitmap` (STM_IO_BITMAP_BYTES: bitmap A then bitmap B, one bit per
 * port, set = VM exit) from the core's enforcement view: every port an MLE
 * IO_RANGE protects, and 0xCF8 plus 0xCFC-0xCFF while any PCI configuration
 * range is protected (the runtime then decodes CONFIG_ADDRESS itself).
 */
void stm_rt_io_bitmap_build(const struct stm_core *c, uint8_t *bitmap);

/*
 * Fill `bitmap` (STM_MSR_BITMAP_BYTES, layout of SDM 25.6.9) from the
 * core's enforcement view, plus the MSRs the STM always intercepts: read
 * and write of EFER, SYSENTER_CS/ESP/EIP, FS_BASE, GS_BASE (part of the
 * state the STM owns); write of IA32_SMM_MONITOR_CTL, SMRR base/mask and
 * IA32_BIOS_UPDT_TRIG.  MSRs outside the two bitmap ranges always exit.
 */
void stm_rt_msr_bitmap_build(const struct stm_core *c, uint8_t *bitmap);

/* 1 if the bitmap built above makes an access to `msr` exit. */
int stm_rt_msr_bitmap_exits(const uint8_t *bitmap, uint32_t msr, int write);
/* 1 if an access of `size` bytes (1, 2, 4) at `port` exits (any port bit, wrap). */
int stm_rt_io_bitmap_exits(const uint8_t *bitmap, uint16_t port, uint32_t size);

/* ------------------------------------------------------------------ */
/* PSD checks (interface sheet sec. 9, 8.3)                           */
/* ------------------------------------------------------------------ */

/* What the runtime takes from a checked PSD (all fields validated). */
struct stm_psd_info {
	uint32_t local_apic_id;
	uint8_t entry_state;		/* STM_PSD_ENTRY_* */
	uint8_t intel64;		/* SMM guest runs in IA-32e mode */
	uint8_t v099;			/* 128-byte descriptor: no extend area */
	uint8_t phys_addr_bits;		/* 0 = not given (v0.99) */
	uint16_t cs, ds, ss, other, tr;
	uint64_t cr3;
	uint64_t setup_rip, teardown_rip;
	uint64_t handler_rip, handler_rsp;
	uint64_t gdt_base;
	uint32_t gdt_limit;		/* SmmGdtSize - 1 */
	uint64_t spe_rip, spe_rsp;
	uint16_t spe_ss, spe_filter;
	uint64_t bios_list_pa;
	uint64_t acpi_rsdp;
};

/* Why a PSD was refused (also the detail the runtime logs). */
enum stm_psd_reason {
	STM_PSD_OK = 0,
	STM_PSD_BAD_SIGNATURE,		/* not "TXTPSSIG" */
	STM_PSD_BAD_SIZE,		/* Size not 137 (or 128 when v0.99 allowed) */
	STM_PSD_BAD_VERSION,		/* SmmDescriptorVerMajor != 1 */
	STM_PSD_BAD_REV_ID,		/* RequiredStmSmmRevId not supported */
	STM_PSD_RESERVED_SET,		/* reserved bits/bytes non-zero */
	STM_PSD_BAD_SELECTOR,		/* null, TI=1 or beyond the GDT limit */
	STM_PSD_BAD_GDT,		/* size 0, > 64 KiB, unaligned, wraps, beyond phys */
	STM_PSD_BAD_RIP,		/* handler RIP 0 or non-canonical */
	STM_PSD_BAD_CR3,		/* CR3 reserved bits / beyond phys */
	STM_PSD_BAD_BIOS_LIST,		/* resource list pointer unaligned / beyond phys */
	STM_PSD_BAD_RSDP,		/* RSDP pointer unaligned / beyond phys */
	STM_PSD_BAD_PHYS_BITS,		/* PhysicalAddressBits not 32..52 */
	STM_PSD_BAD_SPE,		/* exception handler RIP/RSP/SS/filter */
	STM_PSD_BAD_MODE,		/* Intel64Mode without Cr4Pae */
	STM_PSD_BAD_SEGMENT,		/* a GDT descriptor the VM entry would refuse */
	STM_PSD_UNREADABLE,		/* SMBASE + 0xFB00 not mapped */
	STM_PSD_REASON_NR
};

#define STM_PSD_ALLOW_V099	0x1u	/* accept the 128-byte v0.99 layout (E) */

/*
 * Check the PSD bytes `psd` (len bytes available, at least the descriptor
 * Size); `phys_bits` is the CPU's MAXPHYADDR.  Returns STM_SUCCESS and
 * fills *info, or an STM status code (*reason says why): a bad signature,
 * size or revision is STM_ERROR_INVALID_PARAMETER ... every refusal is a
 * status, never a hang.  See stm_psd_reason_name().
 */
uint32_t stm_rt_psd_check(const void *psd, uint64_t len, uint32_t phys_bits,
			  uint32_t flags, struct stm_psd_info *info,
			  enum stm_psd_reason *reason);
/* The same for the PSD of the CPU whose SMBASE is `smbase`, read through mem. */
uint32_t stm_rt_psd_read(const struct stm_mem_ops *mem, void *ctx,
			 uint64_t smbase, uint32_t phys_bits, uint32_t flags,
			 struct stm_psd_info *info, enum stm_psd_reason *reason);
const char *stm_psd_reason_name(enum stm_psd_reason r);

/* VMX access rights (SDM Vol. 3C 25.4.1, Table 25-2) */
#define STM_AR_ACCESSED		0x1u
#define STM_AR_S		0x10u
#define STM_AR_P		0x80u
#define STM_AR_L		0x2000u
#define STM_AR_DB		0x4000u
#define STM_AR_G		0x8000u
#define STM_AR_UNUSABLE		0x10000u
#define STM_AR_TSS_BUSY		0xBu

struct stm_seg;
/*
 * The SMM guest's segments from the SMM GDT: CS, SS, DS, ES/FS/GS
 * (SmmOtherSegment) and TR decoded into VMCS form (base, limit, access
 * rights with the accessed bit set and TR busy), LDTR unusable; each
 * descriptor checked against the VM-entry guest-segment checks (SDM Vol.
 * 3C 26.3.1.2).  gdt holds gdt_len bytes (info->gdt_limit + 1).  Returns
 * STM_SUCCESS or ERROR_INVALID_PARAMETER with *reason STM_PSD_BAD_SEGMENT
 * (or STM_PSD_BAD_GDT if gdt_len is short); seg[] is written on success.
 */
uint32_t stm_rt_gdt_segments(const uint8_t *gdt, uint32_t gdt_len,
			     const struct stm_psd_info *info,
			     struct stm_seg *seg, enum stm_psd_reason *reason);
/* The same, reading the GDT at info->gdt_base through mem. */
uint32_t stm_rt_psd_segments(const struct stm_mem_ops *mem, void *ctx,
			     const struct stm_psd_info *info,
			     struct stm_seg *seg, enum stm_psd_reason *reason);

/* ------------------------------------------------------------------ */
/* ACPI: CPU count (MADT) and ECAM base (MCFG)                        */
/* ------------------------------------------------------------------ */

#define STM_ACPI_MAX_TABLES	256u	/* RSDT/XSDT entries looked at */
#define STM_ACPI_MAX_TABLE_LEN	0x100000u	/* 1 MiB: larger is refused */

struct stm_acpi_info {
	uint32_t ncpus;		/* enabled (or online-capable) LAPIC + x2APIC entries */
	uint32_t n_lapic, n_x2apic;
	uint32_t n_online_capable;	/* disabled but online-capable (not counted) */
	uint64_t ecam_base;	/* MCFG segment 0 base, 0 if none */
	uint8_t ecam_start_bus, ecam_end_bus;
	uint8_t revision;	/* RSDP revision */
	uint8_t used_xsdt;
};

/*
 * Walk RSDP -> XSDT (revision >= 2 and non-zero) or RSDT -> MADT and MCFG
 * through mem.  Every table is bounded (length, entry count) and
 * checksum-checked.  STM_SUCCESS; STM_ERROR_INVALID_PARAMETER (no RSDP
 * pointer, bad signature/checksum/length, malformed MADT entry);
 * STM_ERROR_PAGE_NOT_FOUND (a table is not mapped); STM_ERROR_UNSPECIFIED
 * (no MADT, or it lists no enabled CPU).
 */
uint32_t stm_rt_acpi_scan(const struct stm_mem_ops *mem, void *ctx,
			  uint64_t rsdp_pa, uint64_t max_pa,
			  struct stm_acpi_info *info);

/* ------------------------------------------------------------------ */
/* SMRAM state-save synchronisation (SDM Vol. 3C 32.4.1, Table 32-3)  */
/* ------------------------------------------------------------------ */

#define STM_SSA_OFFSET		0xFC00u	/* from SMBASE */
#define STM_SSA_SIZE		0x400u

/* One segment register as the VMCS guest-state area holds it. */
struct stm_seg {
	uint16_t sel;
	uint16_t pad;
	uint32_t ar;		/* VMX access-rights format (bit 16 = unusable) */
	uint32_t limit;
	uint32_t pad2;
	uint64_t base;
};

enum stm_seg_id {
	STM_SEG_ES, STM_SEG_CS, STM_SEG_SS, STM_SEG_DS, STM_SEG_FS, STM_SEG_GS,
	STM_SEG_LDTR, STM_SEG_TR, STM_SEG_NR
};

enum stm_gpr_id {
	STM_GPR_RAX, STM_GPR_RCX, STM_GPR_RDX, STM_GPR_RBX, STM_GPR_RSP,
	STM_GPR_RBP, STM_GPR_RSI, STM_GPR_RDI, STM_GPR_R8, STM_GPR_R9,
	STM_GPR_R10, STM_GPR_R11, STM_GPR_R12, STM_GPR_R13, STM_GPR_R14,
	STM_GPR_R15, STM_GPR_NR
};

/*
 * The interrupted context of one CPU: the SMI-transfer VMCS guest fields
 * the runtime VMREADs (before write_sync) and VMWRITEs (after read_sync),
 * plus the GPRs it saved on the SMM VM exit and the exit information.
 */
struct stm_guest_state {
	uint64_t gpr[STM_GPR_NR];
	uint64_t rip, rflags;
	uint64_t cr0, cr3, cr4;
	uint64_t dr6, dr7;
	uint64_t efer;
	struct stm_seg seg[STM_SEG_NR];
	uint64_t gdtr_base, idtr_base;
	uint32_t gdtr_limit, idtr_limit;
	uint32_t entry_ctls;		/* VM-entry controls (IA-32e guest, bit 9) */
	uint32_t activity;		/* 0 active, 1 HLT */
	uint32_t exit_reason;		/* 5 I/O SMI, 6 other SMI */
	uint32_t exit_insn_len;
	uint64_t exit_qual;		/* I/O SMI: the I/O exit qualification */
	uint64_t io_rcx, io_rsi, io_rdi, io_rip;	/* I/O SMI: SDM 32.15.2.3 */
	uint64_t guest_linear;		/* I/O SMI after INS/OUTS: the string address */
	uint64_t eptp;			/* interrupted guest's EPTP, if EPT enabled */
	uint32_t ept_enabled;
	uint64_t cr0_fixed0, cr0_fixed1;	/* IA32_VMX_CR0_FIXED0/1 */
	uint64_t cr4_fixed0, cr4_fixed1;
	uint32_t smbase;
	uint32_t pad;
};

#define STM_VMX_ENTRY_IA32E_GUEST	0x200u	/* VM-entry control bit 9 */
#define STM_VMX_EXIT_IO_SMI		5u
#define STM_VMX_EXIT_OTHER_SMI		6u
#define STM_VMX_ACTIVITY_HLT		1u

/* I/O exit qualification (SDM Vol. 3C Table 28-5) */
#define STM_IOQ_SIZE_MASK	0x7u	/* size - 1 */
#define STM_IOQ_IN		0x8u
#define STM_IOQ_STRING		0x10u
#define STM_IOQ_REP		0x20u
#define STM_IOQ_IMM		0x40u
#define STM_IOQ_PORT_SHIFT	16

/* IOMisc of the save map (SDM Vol. 3C 32.7.1): SMI, length, type, port */
#define STM_IOMISC_SMI		0x1u
#define STM_IOMISC_LEN_SHIFT	1	/* 1 byte, 2 word, 4 dword */
#define STM_IOMISC_TYPE_SHIFT	4	/* bit 0 IN, 1 string, 2 REP, 3 immediate */
#define STM_IOMISC_PORT_SHIFT	16

/* Fields of the 64-bit SMRAM state-save map (offsets from SMBASE + 0xFC00). */
#define STM_SSA_GDT_BASE_HI	0x1D0u
#define STM_SSA_LDT_BASE_HI	0x1D4u
#define STM_SSA_IDT_BASE_HI	0x1D8u
#define STM_SSA_IO_RDI		0x1E0u
#define STM_SSA_IO_RIP		0x1E8u
#define STM_SSA_IO_RCX		0x1F0u
#define STM_SSA_IO_RSI		0x1F8u
#define STM_SSA_CR4		0x240u
#define STM_SSA_GDT_BASE_LO	0x28Cu
#define STM_SSA_GDT_LIMIT	0x290u
#define STM_SSA_IDT_BASE_LO	0x294u
#define STM_SSA_IDT_LIMIT	0x298u
#define STM_SSA_LDT_BASE_LO	0x29Cu
#define STM_SSA_LDT_LIMIT	0x2A0u
#define STM_SSA_LDT_INFO	0x2A4u
#define STM_SSA_EPTP		0x2D8u
#define STM_SSA_EPT_ENABLED	0x2E0u
#define STM_SSA_SMBASE		0x2F8u
#define STM_SSA_REV_ID		0x2FCu
#define STM_SSA_IO_RESTART	0x300u
#define STM_SSA_AUTO_HALT	0x302u
/* 8 bytes each from here: R15..R8, RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI */
#define STM_SSA_R15		0x31Cu
#define STM_SSA_IO_MEM_ADDR	0x39Cu
#define STM_SSA_IO_MISC		0x3A4u
#define STM_SSA_ES_SEL		0x3A8u	/* ES CS SS DS FS GS LDTR TR, 4 bytes each */
#define STM_SSA_DR7		0x3C8u
#define STM_SSA_DR6		0x3D0u
#define STM_SSA_RIP		0x3D8u
#define STM_SSA_EFER		0x3E0u
#define STM_SSA_RFLAGS		0x3E8u
#define STM_SSA_CR3		0x3F0u
#define STM_SSA_CR0		0x3F8u

#define STM_SSA_RESTART_IO	0xFFu	/* IORestart: re-execute the I/O instruction */

/*
 * write_sync (SMI-transfer VMCS -> SMRAM): fill the 1 KiB save map `ssa`
 * from *g before the SMM guest runs (SDM 32.15.4.x: the STM, not the CPU,
 * writes the map in the dual-monitor treatment).  `rev_id` is written to
 * the revision field.  For an I/O SMI (exit reason 5) the I/O misc info and
 * memory address come from the exit qualification and the I/O RCX/RSI/RDI/
 * RIP fields.
 */
void stm_rt_ssa_write_sync(uint8_t *ssa, const struct stm_guest_state *g,
			   uint32_t rev_id);

/* What read_sync refused to take back (bit mask, for the log/tests). */
#define STM_SSA_IGN_SMBASE	0x01u	/* SMBASE change (STM owns relocation) */
#define STM_SSA_IGN_EFER	0x02u	/* EFER change (LMA/LME consistency) */
#define STM_SSA_IGN_CR		0x04u	/* CR0/CR3/CR4/DR6/DR7 are not writable */
#define STM_SSA_IGN_SEG		0x08u	/* selectors / descriptor tables */
#define STM_SSA_IGN_RFLAGS	0x10u	/* reserved or VM/fixed RFLAGS bits */
#define STM_SSA_IGN_RIP		0x20u	/* non-canonical RIP */
#define STM_SSA_IGN_IO_RESTART	0x40u	/* IORestart without an I/O SMI */
#define STM_SSA_IGN_AUTO_HALT	0x80u	/* AutoHALTRestart without HLT */

/*
 * read_sync (SMRAM -> SMI-transfer VMCS) after the SMM guest's RSM: take
 * back what SMM may change (GPRs, RIP, RFLAGS arithmetic/control bits,
 * IORestart: rewind RIP to the I/O instruction, AutoHALTRestart: leave
 * HLT), refuse the rest (CR0/CR3/CR4, EFER, selectors and descriptor
 * tables, SMBASE).  Returns the STM_SSA_IGN_* mask of attempted changes
 * that were not applied; *g always stays a valid VM-entry state.
 */
uint32_t stm_rt_ssa_read_sync(const uint8_t *ssa, struct stm_guest_state *g);

/*
 * 0 if *g passes the VM-entry checks read_sync relies on (SDM Vol. 3C
 * 26.3.1.1 control registers and EFER against the IA-32e-guest control,
 * 26.3.1.4 RIP and RFLAGS); else a non-zero code of the first failure.
 */
int stm_rt_guest_state_check(const struct stm_guest_state *g);

/* ------------------------------------------------------------------ */
/* EPT for the SMM guest (SDM Vol. 3C 29.3)                           */
/* ------------------------------------------------------------------ */

#define STM_EPT_R		0x1ull
#define STM_EPT_W		0x2ull
#define STM_EPT_X		0x4ull
#define STM_EPT_LARGE		0x80ull
#define STM_EPT_MT_SHIFT	3
#define STM_EPT_ADDR_MASK	0x000FFFFFFFFFF000ull
#define STM_EPT_MAX_BITS	48u	/* 4-level EPT */

/* Memory types (SDM 12.3) */
#define STM_MT_UC	0u
#define STM_MT_WC	1u
#define STM_MT_WT	4u
#define STM_MT_WP	5u
#define STM_MT_WB	6u

#define STM_MTRR_MAX_VAR	32u

/* The MTRR configuration the runtime read (SDM 12.11). */
struct stm_mtrr {
	uint64_t def_type;		/* IA32_MTRR_DEF_TYPE: type 7:0, FE bit 10, E bit 11 */
	uint64_t fixed[11];		/* 64K_00000, 16K_80000, 16K_A0000, 4K_C0000 .. 4K_F8000 */
	uint32_t n_var;			/* IA32_MTRRCAP.VCNT, <= STM_MTRR_MAX_VAR */
	uint32_t fixed_supported;	/* IA32_MTRRCAP.FIX */
	uint64_t var_base[STM_MTRR_MAX_VAR];	/* IA32_MTRR_PHYSBASEn */
	uint64_t var_mask[STM_MTRR_MAX_VAR];	/* IA32_MTRR_PHYSMASKn (bit 11 = valid) */
	uint64_t smrr_base, smrr_mask;	/* IA32_SMRR_PHYSBASE/MASK: inside, SMRR's type */
};

/* Effective memory type of the 4 KiB page at pa (SDM 12.11.4.1 precedence). */
uint32_t stm_rt_mtrr_type(const struct stm_mtrr *m, uint32_t phys_bits,
			  uint64_t pa);

struct stm_ept_page {
	void *va;		/* 4 KiB, writable */
	uint64_t pa;		/* 4 KiB aligned */
};

#define STM_EPT_MAX_HOLES	4u

struct stm_ept_cfg {
	uint32_t phys_bits;		/* identity map [0, 2^min(phys_bits, 48)) */
	uint32_t flags;
	const struct stm_mtrr *mtrr;	/* NULL: everything WB */
	uint32_t n_holes;		/* ranges left unmapped: MSEG, the STM image */
	uint64_t hole_base[STM_EPT_MAX_HOLES], hole_size[STM_EPT_MAX_HOLES];
	uint64_t xd_base, xd_size;	/* with STM_EPT_XD_OUTSIDE: X only in here (TSEG) */
};

#define STM_EPT_1G		0x1u	/* 1 GiB pages supported (IA32_VMX_EPT_VPID_CAP bit 17) */
#define STM_EPT_EXEC_ONLY	0x2u	/* execute-only supported (bit 0) */
#define STM_EPT_XD_OUTSIDE	0x4u	/* PSD ExecutionDisableOutsideSmrr */

/*
 * EPT state: the caller zero-initialises it and hands in a bounded page
 * pool.  Pages come from pool[] in order and go to a free list when a
 * sub-table is replaced by a large page; pages_used counts live tables.
 */
struct stm_ept {
	struct stm_ept_cfg cfg;
	const struct stm_ept_page *pool;
	uint32_t npool;
	uint32_t next;			/* pool[next] is the first never-used page */
	uint32_t free_head;		/* 1-based pool index of a freed page, 0 = none */
	uint32_t pages_used;
	uint32_t pages_peak;
	uint32_t count_cap;		/* internal: tables a count may reach */
	uint32_t pad;
	uint64_t evals;			/* entries evaluated so far (cost, for tests) */
	uint64_t pml4_pa;
	uint64_t *pml4;
	const struct stm_core *core;
	uint64_t limit;			/* 2^min(phys_bits, 48) */
};

/*
 * Build the SMM guest's EPT for `core`'s enforcement view.  STM_SUCCESS,
 * STM_ERROR_OUT_OF_RESOURCES (pool exhausted: *ept is reset, nothing
 * half-built is left in use), STM_ERROR_INVALID_PARAMETER (bad cfg/pool).
 */
uint32_t stm_rt_ept_build(struct stm_ept *ept, const struct stm_core *core,
			  const struct stm_ept_cfg *cfg,
			  const struct stm_ept_page *pool, uint32_t npool);
/*
 * Bring [base, base + len) of the EPT in line with the core's view after a
 * PROTECT/UNPROTECT (split large pages as needed, merge back where a range
 * became uniform).  All or nothing: STM_ERROR_OUT_OF_RESOURCES if the
 * pool cannot hold the split, with the EPT unchanged.  The caller then
 * invalidates (INVEPT, single context) on every CPU.
 */
uint32_t stm_rt_ept_update(struct stm_ept *ept, uint64_t base, uint64_t len);
/* EPTP value (WB paging structures, 4-level walk). */
uint64_t stm_rt_ept_eptp(const struct stm_ept *ept);
/*
 * Walk the EPT for gpa: returns the leaf entry (0 if not present) and
 * *level (0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB).
 */
uint64_t stm_rt_ept_walk(const struct stm_ept *ept, uint64_t gpa,
			 uint32_t *level);
/* The R/W/X an EPT leaf must carry for the given deny bits (see .c). */
uint32_t stm_rt_ept_perm(uint32_t deny, uint32_t flags);

/*
 * An executive-monitor VMCALL through the core (runtime/protect.c): after
 * an accepted PROTECT/UNPROTECT_RESOURCE, enforce(ctx, api, list_pa)
 * updates the EPT and bitmaps; if it fails, a PROTECT is taken back in the
 * core (all or nothing) and *r carries enforce()'s status with CF set.
 */
typedef uint32_t (*stm_rt_enforce_fn)(void *ctx, uint32_t api,
				      uint64_t list_pa);
void stm_rt_core_vmcall(struct stm_core *c, uint32_t cpu, uint64_t vmcs_pa,
			struct stm_regs *r, stm_rt_enforce_fn enforce,
			void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* STM_RUNTIME_H */
