/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * stmfw: TEST firmware for the stmexec Bochs tiers. Never for real
 * machines: it leaves SMRAM's contents reachable through the reserved RAM
 * it uses and trusts whatever the test writes into its mailbox.
 *
 * This header is the contract between the option ROM (init.c, 32-bit),
 * its SMI handler (smi.c, 64-bit) and the guest tool that drives it
 * (selftests/stmfw/stmfw-smi.c): the fixed physical layout and the
 * mailbox. Documentation/dev-tools/stmexec-stm-e2e.rst.
 */
#ifndef STMFW_H
#define STMFW_H

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

/*
 * CPUs the firmware handles: Bochs' "cpu: count=N" (mk/stmfw/bochsrc.in,
 * check-stm.sh --cpus) up to this. The count itself comes from rombios'
 * MADT at run time (mailbox ncpus). Four SMBASEs 8 KiB apart fill the
 * A/B segment: CPU k's entry stub at SMBASE + 0x8000 and its PSD + save
 * map at SMBASE + 0xFB00 (0xAFB00, 0xB1B00, 0xB3B00, 0xB5B00), so the
 * handler blob starts above the last of them.
 */
#define STMFW_MAX_CPUS		4

/*
 * Reserved RAM, hidden from Linux with memmap=4M$0x10000000 (the guest has
 * 512 MiB). MSEG lives here, in ordinary RAM: Bochs has no TSEG, and its
 * 128 KiB A/B-segment SMRAM cannot hold the 1.4 MiB MSEG Intel's STM
 * needs for 2 CPUs (the SDM does not require MSEG inside SMRAM).
 */
#define STMFW_RES_BASE		0x10000000
#define STMFW_RES_SIZE		0x00400000
#define STMFW_MAILBOX		(STMFW_RES_BASE + 0x0000)	/* 1 page */
#define STMFW_ACPI		(STMFW_RES_BASE + 0x1000)	/* 1 page */
#define STMFW_RSC_LIST		(STMFW_RES_BASE + 0x2000)	/* 1 page */
#define STMFW_INIT_BASE		(STMFW_RES_BASE + 0x10000)	/* init code */
#define STMFW_INIT_STACK	(STMFW_RES_BASE + 0x30000)	/* its stack top */
#define STMFW_STAGE		(STMFW_RES_BASE + 0x100000)	/* optramimage */
#define STMFW_STAGE_MAX		0x00100000
#define STMFW_MSEG		(STMFW_RES_BASE + 0x200000)
#define STMFW_MSEG_SIZE		0x00200000
#define STMFW_MCFG_BASE		0xF8000000ull	/* claimed in MCFG only */

/* SMRAM: the legacy A/B segment, 0xA0000-0xBFFFF (i440FX reg 0x72). */
#define STMFW_SMRAM_BASE	0xA0000
#define STMFW_SMRAM_SIZE	0x20000
#define STMFW_SMBASE(cpu)	(0xA0000 + (cpu) * 0x2000)
#define STMFW_SMM_PT		0xA0000	/* 6 pages: 4 GiB identity map */
#define STMFW_SMI_STACKS	0xA6000	/* 1 KiB per CPU */
#define STMFW_SPE_STACKS	0xA7000	/* 1 KiB per CPU */
#define STMFW_STACK_SHIFT	10
#define STMFW_STACK_SIZE	(1 << STMFW_STACK_SHIFT)
#define STMFW_BLOB		0xB6000	/* handler, up to 0xBEFFF */
#define STMFW_BLOB_MAX		0x9000
#define STMFW_RELOC_AREA	0xBF000	/* relocation hand-over */
#define STMFW_PSD_OFFSET	0xFB00
#define STMFW_SMBASE_FIELD	0xFF00	/* x86-64 save map, SDM 3C 32.4.1 */
/*
 * SMBASE in the Intel 64 save map (SDM Vol. 3C Table 32-3: 7EF8H, i.e.
 * SMBASE + 0xFEF8). Bochs' x86-64 CPU writes AMD's layout (SMBASE at
 * 7F00H; 7EF8H is reserved there and zeroed on each SMI), but Intel's STM
 * reads the Intel one: before every SMI it handles it checks that this
 * field equals the CPU's SMBASE and dead-loops silently if not
 * (WriteSyncSmmStateSaveArea). The firmware writes it here at relocation
 * and on every default-treatment SMI, as the CPU would.
 */
#define STMFW_INTEL_SMBASE_FIELD 0xFEF8

/* port 0xB2 value of a mailbox command (any SMI also runs the slot) */
#define STMFW_B2_CMD		0x5A
#define STMFW_B2_ACPI_ENABLE	0xF1	/* rombios' FADT values */
#define STMFW_B2_ACPI_DISABLE	0xF0

#ifndef __ASSEMBLER__
enum stmfw_cmd {
	STMFW_CMD_NONE = 0,
	STMFW_CMD_NOP = 1,
	STMFW_CMD_WRITE32 = 2,	/* *(u32 *)arg = val */
	STMFW_CMD_READ32 = 3,	/* result = *(u32 *)arg */
	STMFW_CMD_OUTB = 4,	/* outb(val, arg) */
	STMFW_CMD_INB = 5,	/* result = inb(arg) */
	STMFW_CMD_WRMSR = 6,	/* wrmsr(arg, val) */
	STMFW_CMD_RDMSR = 7,	/* result = rdmsr(arg) */
	STMFW_CMD_SMI_IPI = 8,	/* LAPIC SMI IPI to APIC ID arg */
	STMFW_CMD_IO_STATE = 9,	/* result = IOMisc | IORestart << 32, val = I/O RIP */
};

/*
 * A command with this bit set (CPU 0's slot) is a round of concurrent
 * SMIs: the handler first sends an SMI IPI to all CPUs but itself (ICR
 * shorthand 11b, SDM 3A 11.6.1), runs the command, then stays in SMM
 * until every other CPU's slot (0 < i < ncpus, armed by the test
 * beforehand) is no longer STMFW_ST_IDLE, bounded by a spin count. Its
 * result is then the number of other CPUs seen done while it was still
 * in SMM (ncpus - 1 when every CPU was in SMM at the same time); the
 * command's own result is dropped.
 */
#define STMFW_CMD_F_ALL		0x80000000u

/*
 * STMFW_CMD_IO_STATE reads the I/O state of the save map of the SMI that
 * runs it, Intel 64 layout, offsets from SMBASE (SDM Vol. 3C 32.4.1 Table
 * 32-3, 32.7.1 "I/O State Implementation", 32.12 "I/O Instruction
 * Restart"; I/O RIP at 7DE8H as the STM's STM_SMM_CPU_STATE): an STM
 * fills them from the SMM VM exit of an I/O SMI (32.15.2.3).
 */
#define STMFW_SSA_IO_RIP	0xFDE8	/* u64 */
#define STMFW_SSA_IO_RESTART	0xFF00	/* u16, 0xFF: re-execute the I/O */
#define STMFW_SSA_IO_MISC	0xFFA4	/* u32: IO_SMI, length, type, port */

#define STMFW_ST_IDLE		0
#define STMFW_ST_DONE		1
#define STMFW_ST_BAD_CMD	0xE1

struct stmfw_slot {
	uint32_t cmd;		/* written by the test, cleared by the handler */
	uint32_t status;
	uint64_t arg;
	uint64_t val;
	uint64_t result;
	uint32_t smis;		/* SMIs this CPU handled */
	uint32_t last_b2;	/* port 0xB2 at the last SMI */
	uint32_t last_mode;	/* 0 default treatment, 1 STM guest */
	uint32_t smbase;	/* SMBASE of the last SMI */
	uint64_t efer_in;	/* IA32_EFER at entry (after the entry write) */
	uint32_t efer_writes;	/* WRMSR IA32_EFER done by the entry code */
	uint32_t cmds_done;
};

/* the same layout in -m32 (init.c) and -m64 (smi.c, the guest tool) */
typedef char stmfw_slot_size_check[sizeof(struct stmfw_slot) == 64 ? 1 : -1];

#define STMFW_MB_MAGIC		"STMFWMB1"
#define STMFW_INIT_OK		0x600D

struct stmfw_mailbox {
	char magic[8];
	uint32_t init_status;	/* STMFW_INIT_OK, else the failing step */
	uint32_t ncpus;
	uint32_t smbase[STMFW_MAX_CPUS];	/* after relocation */
	uint32_t reloc_from[STMFW_MAX_CPUS];	/* SMBASE before it */
	uint64_t msr9b[STMFW_MAX_CPUS];		/* read back in SMM */
	uint64_t smrr_base;
	uint64_t smrr_mask;
	uint64_t mseg_base;
	uint64_t image_size;
	uint32_t spe_count;	/* protection exceptions (SpeRip) */
	uint32_t spe_cpu;
	uint64_t spe_qual;
	uint64_t spe_rip;
	uint64_t spe_error;
	struct stmfw_slot slot[STMFW_MAX_CPUS];
};

typedef char stmfw_mailbox_size_check[sizeof(struct stmfw_mailbox) ==
				      80 + 80 * STMFW_MAX_CPUS ? 1 : -1];

#endif /* __ASSEMBLER__ */

#define STMFW_BLOB_MAGIC	0x424D5453	/* "STMB", struct stmfw_blob_head */

/* Handed from init to the relocation stub (STMFW_RELOC_AREA). */
#ifndef __ASSEMBLER__
struct stmfw_reloc {
	uint32_t new_smbase;
	uint32_t msr9b;
	uint32_t smrr_base;
	uint32_t smrr_mask;
	uint32_t old_smbase;	/* written by the stub */
	uint32_t msr9b_read;	/* written by the stub */
	uint32_t done;		/* incremented by the stub */
};

/* First bytes of the handler blob: where init finds its pieces. */
struct stmfw_blob_head {
	uint32_t magic;
	uint32_t smi16;		/* SMI entry stub (copied to SMBASE+0x8000) */
	uint32_t smi16_size;
	uint32_t reloc16;	/* relocation stub */
	uint32_t reloc16_size;
	uint32_t stm_entry[STMFW_MAX_CPUS];	/* PSD SmmSmiHandlerRip */
	uint32_t spe_entry;	/* PSD SpeRip */
	uint32_t gdt;
	uint32_t gdt_size;
	uint32_t tss;
	uint32_t pm_base_var;	/* u32 the handler reads: ACPI PM I/O base */
	uint32_t mailbox_var;	/* u32: physical address of the mailbox */
} __attribute__((packed));

#endif /* __ASSEMBLER__ */

#define STMFW_SEL_CODE32	0x08
#define STMFW_SEL_DATA32	0x10
#define STMFW_SEL_CODE64	0x38	/* as EDK II's PSD template */
#define STMFW_SEL_DATA64	0x40
#define STMFW_SEL_TSS		0x68
#define STMFW_GDT_SIZE		0x78

#endif /* STMFW_H */
