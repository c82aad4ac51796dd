/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Host entry points of the STM (the host RIP of its VMCSs) and the VM
 * entry that leaves it.  On an SMM VM exit the CPU loads RSP from the
 * VMCS host RSP: the per-CPU host stack, where struct stm_rt_stack_top
 * (the CPU's struct stm_rt_cpu *) sits at [RSP].  Every GPR but RSP
 * still holds the guest's value (SDM Vol. 3C 28.5), so the stub pushes
 * them all as a struct stm_rt_regs, calls the C handler with
 * (cpu, regs), and enters the current VMCS with the registers as the C
 * code left them: VMRESUME if it returned STM_RT_RESUME (0), VMLAUNCH
 * otherwise.  POP does not change RFLAGS, so the comparison survives the
 * register reload.
 */
#include "rt.h"
#include "regs.inc"

	.macro	HOST_ENTRY name, handler
	.globl	\name
	.type	\name, @function
	.balign	16
\name:
	PUSH_REGS
	cld
	movq	STM_RT_REGS_SIZE(%rsp), %rdi	/* stack top: cpu */
	movq	%rsp, %rsi			/* regs */
	subq	$8, %rsp			/* 16-byte aligned call */
	call	\handler
	addq	$8, %rsp
	jmp	stm_rt_enter
	.size	\name, . - \name
	.endm

	.text
	HOST_ENTRY stm_rt_host_smi, stm_rt_smi_exit
	HOST_ENTRY stm_rt_host_smm, stm_rt_smm_exit

/*
 * RSP = struct stm_rt_regs, EAX = STM_RT_RESUME or STM_RT_LAUNCH.  Also
 * the end of the activation path (entry.S), whose frame is a struct
 * stm_rt_regs followed by the stack claim.
 */
	.globl	stm_rt_enter
	.type	stm_rt_enter, @function
stm_rt_enter:
	cmpl	$STM_RT_RESUME, %eax
	POP_REGS
	jne	1f
	vmresume
	PUSH_REGS
	xorl	%edx, %edx
	jmp	2f
1:	vmlaunch
	PUSH_REGS
	movl	$1, %edx
2:	/* VMfail: RSP is back at the regs; the stack top holds the cpu
	 * only for the host entries (NULL-safe for the activation path,
	 * which passes it in the frame's claim slot: see activate.c). */
	cld
	movq	STM_RT_REGS_SIZE(%rsp), %rdi
	movq	%rsp, %rsi
	andq	$-16, %rsp
	call	stm_rt_entry_failed
3:	cli
	hlt
	jmp	3b
	.size	stm_rt_enter, . - stm_rt_enter

/* Every vector of the host IDT (activate.c): log and stop the CPU. */
	.globl	stm_rt_exception_entry
	.type	stm_rt_exception_entry, @function
	.balign	16
stm_rt_exception_entry:
	PUSH_REGS
	cld
	movq	%rsp, %rdi
	andq	$-16, %rsp
	call	stm_rt_exception
4:	cli
	hlt
	jmp	4b
	.size	stm_rt_exception_entry, . - stm_rt_exception_entry

	.section .note.GNU-stack, "", @progbits
