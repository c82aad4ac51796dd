/* SPDX-License-Identifier: GPL-2.0 */
/* stmfw init code entry (32-bit, flat) and the embedded SMM handler blob. */
	.section .entry, "ax"
	.code32
	.globl _start
_start:
	jmp	stmfw_init

	.section .rodata
	.globl smm_blob, smm_blob_end
	.p2align 4
smm_blob:
	.incbin	SMM_BIN
smm_blob_end:

	.section .note.GNU-stack, "", @progbits
