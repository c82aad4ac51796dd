/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stmfw SMM code (TEST firmware, never for real machines): the 16-bit
 * stubs copied to SMBASE+0x8000, the switch to IA-32e mode inside SMM, the
 * STM guest entry points and the protection-exception handler. Linked at
 * STMFW_BLOB (SMRAM) by smm.lds; smi.c is the C part.
 *
 * SDM Vol. 3C: 32.5 (SMI handler execution environment: real-address-like
 * mode, CS.base = SMBASE, IP = 0x8000), 32.11 (SMBASE relocation: the
 * SMBASE slot of the save map, used at the next RSM), 32.15.6 (SMM guest
 * entered by the STM with the state of the PSD).
 */
#include "stmfw.h"

#define MSR_EFER	0xC0000080
#define EFER_LME	0x100

	.section .head, "a"
	.globl blob_head
blob_head:
	.long STMFW_BLOB_MAGIC
	.long smi16, smi16_end - smi16
	.long reloc16, reloc16_end - reloc16
	.long stm_entry0, stm_entry1, stm_entry2, stm_entry3	/* STMFW_MAX_CPUS */
	.long spe_entry
	.long gdt, gdt_end - gdt
	.long tss
	.long pm_base
	.long mailbox_pa

	.text
/*
 * Default treatment, 16-bit at SMBASE+0x8000 with CS.base = SMBASE and
 * CS.sel = SMBASE >> 4 (Bochs; SDM 32.5.1). Position independent: every
 * reference is CS-relative or absolute.
 */
	.code16
	.globl smi16
smi16:
	movw	%cs, %bx
	movzwl	%bx, %ebx
	shll	$4, %ebx			/* ebx = SMBASE */
	lgdtl	(0x8000 + gdt_desc - smi16)(%ebx)	/* DS.base = 0, limit 4G in SMM */
	movl	%cr0, %eax
	orl	$1, %eax
	movl	%eax, %cr0
	ljmpl	$STMFW_SEL_CODE32, $smi32
	.p2align 2
gdt_desc:
	.word	gdt_end - gdt - 1
	.long	gdt
smi16_end:

/*
 * SMBASE relocation (SDM 32.11): run once per CPU at its old SMBASE.
 * Writes the new SMBASE into the save map, MSR 0x9B (IA32_SMM_MONITOR_CTL,
 * writable only in SMM: SDM 32.15.5) and SMRR, from struct stmfw_reloc.
 */
	.globl reloc16
reloc16:
	movw	%cs, %bx
	movzwl	%bx, %ebx
	shll	$4, %ebx
	movl	$STMFW_RELOC_AREA, %esi
	movl	%ebx, 16(%esi)			/* old_smbase */
	movl	0(%esi), %eax			/* new_smbase */
	movl	%eax, STMFW_SMBASE_FIELD(%ebx)
	movl	%eax, %edi			/* Intel 64 map at the new base */
	movl	%eax, STMFW_INTEL_SMBASE_FIELD(%edi)
	movl	$0x9B, %ecx
	movl	4(%esi), %eax
	xorl	%edx, %edx
	wrmsr
	rdmsr
	movl	%eax, 20(%esi)			/* msr9b_read */
	movl	$0x1F2, %ecx			/* IA32_SMRR_PHYSBASE */
	movl	8(%esi), %eax
	xorl	%edx, %edx
	wrmsr
	movl	$0x1F3, %ecx			/* IA32_SMRR_PHYSMASK */
	movl	12(%esi), %eax
	xorl	%edx, %edx
	wrmsr
	lock incl 24(%esi)			/* done */
	rsm
reloc16_end:

/* Default treatment, 32-bit: into IA-32e mode with the SMM page tables. */
	.code32
smi32:
	movl	$STMFW_SEL_DATA32, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%cr4, %eax
	orl	$0x20, %eax			/* PAE */
	movl	%eax, %cr4
	movl	$STMFW_SMM_PT, %eax
	movl	%eax, %cr3
	/* as coreboot's x86_64 SMM entry: IA32_EFER.LME by rdmsr/wrmsr */
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$0x80000001, %eax		/* PG | PE */
	movl	%eax, %cr0
	ljmpl	$STMFW_SEL_CODE64, $smi64

	.code64
smi64:
	movl	$STMFW_SEL_DATA64, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	movl	%ebx, %edi			/* smbase */
	movl	%ebx, STMFW_INTEL_SMBASE_FIELD(%rdi)	/* see stmfw.h */
	xorl	%esi, %esi			/* mode 0: default treatment */
	jmp	common64

/* The STM enters the SMM guest here (PSD SmmSmiHandlerRip), IA-32e mode. */
	.macro stm_entry cpu
	.globl stm_entry\cpu
stm_entry\cpu:
	movl	$STMFW_SMBASE(\cpu), %edi
	movl	$1, %esi
	jmp	common64
	.endm
	stm_entry 0
	stm_entry 1
	stm_entry 2
	stm_entry 3

common64:
	/* this CPU's stack: (smbase - 0xA0000) / 0x2000 */
	movl	%edi, %eax
	subl	$STMFW_SMRAM_BASE, %eax
	shrl	$13, %eax
	incl	%eax
	shll	$STMFW_STACK_SHIFT, %eax	/* * STMFW_STACK_SIZE */
	addl	$STMFW_SMI_STACKS, %eax
	movl	%eax, %esp
	call	smi_main
	rsm

/*
 * Protection exception (PSD SpeRip): the STM built a
 * STM_PROTECTION_EXCEPTION_STACK_FRAME below SpeRsp and points RSP at it.
 * Record it, skip the faulting instruction, and return to the STM with
 * VMCALL STM_API_RETURN_FROM_PROTECTION_EXCEPTION (4), EBX = 0 (resume).
 */
	.globl spe_entry
spe_entry:
	movq	%rsp, %rdi
	andq	$-16, %rsp
	call	spe_main
	movl	%eax, %ebx
	movl	$4, %eax
	vmcall
1:	hlt
	jmp	1b

	.data
	.p2align 3
	.globl gdt
gdt:
	.quad	0				/* 0x00 */
	.quad	0x00CF9B000000FFFF		/* 0x08 code32 */
	.quad	0x00CF93000000FFFF		/* 0x10 data */
	.quad	0, 0, 0, 0			/* 0x18-0x30 */
	.quad	0x00AF9B000000FFFF		/* 0x38 code64 */
	.quad	0x00CF93000000FFFF		/* 0x40 data */
	.quad	0, 0, 0, 0, 0			/* 0x48-0x60 */
	.quad	0, 0				/* 0x68 TSS, filled by init */
gdt_end:
	.p2align 4
	.globl tss
tss:
	.fill	104, 1, 0
	.globl pm_base, mailbox_pa
pm_base:
	.long	0
mailbox_pa:
	.long	STMFW_MAILBOX

	.section .note.GNU-stack, "", @progbits
