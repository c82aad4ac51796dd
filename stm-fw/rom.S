/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stmfw option ROM header and real-mode glue (TEST firmware, never for
 * real machines). Bochs' rombios far-calls offset 3 of every option ROM in
 * 0xC8000-0xDFFFF after its own POST (rombios32 init, SMM, ACPI, SMP);
 * bochsrc loads this one with "optromimage1: file=stmfw.rom,
 * address=0xd0000". The glue switches to 32-bit protected mode, copies the
 * init code (init.c, linked at STMFW_INIT_BASE) out of the ROM, runs it
 * and comes back to real mode for the BIOS. mkrom.py fixes the size byte
 * and the checksum.
 */
#include "stmfw.h"

#define ROM_BASE	0xD0000

	.section .rom, "ax"
	.code16
	.globl rom_start
rom_start:
	.byte	0x55, 0xAA
	.byte	0			/* size / 512: mkrom.py */
	jmp	init16
	.ascii	"stmfw TEST firmware, not for real machines"
	.p2align 4
init16:
	pushfl
	pushal
	pushw	%ds
	pushw	%es
	pushw	%fs
	pushw	%gs
	cli
	movw	%ss, %si		/* kept in callee-saved registers */
	movzwl	%si, %esi
	movl	%esp, %edi
	lgdtl	%cs:rom_gdt_desc
	movl	%cr0, %eax
	orl	$1, %eax
	movl	%eax, %cr0
	ljmpl	$0x08, $(ROM_BASE + pm32)

	.code32
pm32:
	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %fs
	movl	%eax, %gs
	movl	%eax, %ss
	movl	%esp, %ebp		/* low 16 bits: the BIOS stack */
	movl	$STMFW_INIT_STACK, %esp
	pushl	%esi
	pushl	%edi
	cld
	movl	$(ROM_BASE + init_blob), %esi
	movl	$STMFW_INIT_BASE, %edi
	movl	$(init_blob_end - init_blob), %ecx
	rep movsb
	movl	$STMFW_INIT_BASE, %eax
	call	*%eax
	popl	%edi
	popl	%esi
	ljmpl	$0x18, $rm16_pre

	.code16
rm16_pre:
	movw	$0x20, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	movw	%ax, %ss
	movl	%cr0, %eax
	andl	$~1, %eax
	movl	%eax, %cr0
	ljmpw	$(ROM_BASE >> 4), $rm16
rm16:
	movw	%si, %ss
	movl	%edi, %esp
	popw	%gs
	popw	%fs
	popw	%es
	popw	%ds
	popal
	popfl
	lret

	.p2align 3
rom_gdt:
	.quad	0
	.quad	0x00CF9B000000FFFF	/* 0x08 code32 flat */
	.quad	0x00CF93000000FFFF	/* 0x10 data32 flat */
	.quad	0x00009B0D0000FFFF	/* 0x18 code16, base 0xD0000 */
	.quad	0x000093000000FFFF	/* 0x20 data16, base 0 */
rom_gdt_end:
rom_gdt_desc:
	.word	rom_gdt_end - rom_gdt - 1
	.long	ROM_BASE + rom_gdt

	.p2align 4
init_blob:
	.incbin	INIT_BIN
init_blob_end:

	.section .note.GNU-stack, "", @progbits
