/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * STM entry: the GDT the MSEG header points at, and the code the CPU runs
 * when an executive monitor's VMCALL activates dual-monitor treatment
 * (EIP = MSEG + EipOffset).
 *
 * State on arrival (SDM 34.15.6, stm-interface.md 1.4): IA-32e mode, CPL 0,
 * CS = CsSelector, SS/DS/ES/FS/GS = CS + 8, GDTR from the header, paging on
 * with CR3 = MSEG + Cr3Offset (4 GiB identity map built by the loader),
 * RFLAGS = 2 (IF = 0, DF = 0), RSP = MSEG + EspOffset.  Every other general
 * purpose register still holds the caller's value: EAX is the VMCALL number,
 * EBX/ECX/EDX its arguments.
 *
 * Position independent: the image runs at whatever MSEG base the firmware
 * chose; all references are RIP-relative and C pointers in data are fixed
 * up by stm_apply_relocs() on the first arrival.
 */
#include "rt.h"
#include "regs.inc"

/*
 * RSP = the top of a stack, RAX = the claim: the frame the C entry takes
 * (struct stm_entry_frame, 16-aligned), the entry lock released, then
 * stm_c_entry(frame).  Shared by an admitted arrival and a refused one.
 */
.macro	STM_CALL_C_ENTRY
	subq	$STM_RT_STACK_TOP_SIZE, %rsp
	pushq	%rax			/* frame->claim */
	movq	stm_entry_scratch(%rip), %rax
	movl	$0, stm_entry_lock(%rip)

	PUSH_REGS
	cld
	movq	%rsp, %rdi		/* struct stm_entry_frame *, 16-aligned */
	call	stm_c_entry
.endm

/* Values the builder (stmimg build) reads from the symbol table, so that
 * the header and the code cannot disagree. */
	.globl	stm_cfg_stack_size
	.set	stm_cfg_stack_size, STM_STACK_SIZE
	.globl	stm_cfg_heap_size
	.set	stm_cfg_heap_size, STM_HEAP_SIZE
	.globl	stm_cfg_cs_selector
	.set	stm_cfg_cs_selector, STM_SEL_CODE64
	.globl	stm_cfg_max_cpus
	.set	stm_cfg_max_cpus, STM_MAX_CPUS
	.globl	stm_cfg_refuse_stack_size
	.set	stm_cfg_refuse_stack_size, STM_REFUSE_STACK_SIZE

/* ------------------------------------------------------------------ */
/* GDT at MSEG + 0x1000 (GdtrBaseOffset), same selectors as GenStm     */
/* ------------------------------------------------------------------ */
	.section .stm_gdt, "a"
	.balign	8
	.globl	stm_gdt
stm_gdt:
	.quad	0			/* 0x00 null */
	.quad	0			/* 0x08 null (a CsSelector of 0 means 0x08) */
	.quad	0x00CF9B000000FFFF	/* 0x10 32-bit code, flat, ring 0 */
	.quad	0x00CF93000000FFFF	/* 0x18 32-bit data, flat, ring 0 */
	.quad	0			/* 0x20 null */
	.quad	0x0000890000000067	/* 0x28 64-bit TSS, limit 0x67; base set by C */
	.quad	0			/* 0x30 TSS base 63:32 */
	.quad	0x00AF9B000000FFFF	/* 0x38 64-bit code: L=1 D=0 (CsSelector) */
	.quad	0x00CF93000000FFFF	/* 0x40 data, flat (CsSelector + 8) */
	.globl	stm_gdt_end
stm_gdt_end:

/* ------------------------------------------------------------------ */
/* Entry (EipOffset)                                                   */
/* ------------------------------------------------------------------ */
	.section .text.stm_entry, "ax"
	.code64
	.globl	stm_entry
	.type	stm_entry, @function
stm_entry:
	/*
	 * Claim a per-CPU stack by arrival order, as the reference STM does:
	 * lock xadd on the 32-bit counter at MSEG + EspOffset (where RSP
	 * points now; the loader zeroed it).  CPU i gets the stack whose top
	 * is MSEG + EspOffset + (i + 1) * STM_STACK_SIZE.  To keep RAX intact
	 * for C, it is parked in a scratch slot guarded by a spin lock; all
	 * addressing is RIP-relative or through RSP, so no other register is
	 * touched.
	 */
1:	lock btsl $0, stm_entry_lock(%rip)
	jnc	2f
	pause
	jmp	1b
2:	movq	%rax, stm_entry_scratch(%rip)
	movl	$1, %eax
	lock xaddl %eax, (%rsp)		/* eax = arrival index */
	cmpl	$STM_MAX_CPUS, %eax
	jae	stm_too_many_cpus
	/*
	 * Arrival 0 owns the first area.  A later one owns its area only if
	 * the launch admits it: the VMCS pairs of the N admitted CPUs begin
	 * where area N would (rt.h), and past them MSEG ends.  So it waits
	 * (still holding the entry lock: the others would wait anyway) for
	 * arrival 0 to publish how many arrivals own an area
	 * (stm_rt_own_stacks, activate.c), and from that count on takes the
	 * shared refusal stack instead, never touching its computed area.
	 */
	testl	%eax, %eax
	jz	4f
3:	cmpl	stm_rt_own_stacks(%rip), %eax
	jb	4f
	cmpl	$0, stm_rt_own_stacks(%rip)
	jne	stm_refuse_arrival
	pause
	jmp	3b
4:	incl	%eax
	imulq	$STM_STACK_SIZE, %rax, %rax
	addq	%rax, %rsp		/* top of this CPU's stack */
	/* the slot the host entries find their CPU in (rt.h) */
	STM_CALL_C_ENTRY

	/*
	 * activate.c made the CPU's SMI-transfer VMCS current, with the
	 * status in the frame's RAX and in the VMCS's guest RIP/RFLAGS:
	 * reload the registers and VMLAUNCH back to the executive monitor
	 * (hostentry.S).  -1: not even that VMCS could be built (logged).
	 */
	cmpl	$STM_RT_LAUNCH, %eax
	je	stm_rt_enter
	.globl	stm_halt
stm_halt:
	cli
	hlt
	jmp	stm_halt

stm_too_many_cpus:
	movl	$0, stm_entry_lock(%rip)
	movl	$STM_ERROR_OUT_OF_RESOURCES_ASM, %eax
	jmp	stm_halt

	/*
	 * An arrival the launch does not admit (EAX = its index, the entry
	 * lock held, RSP still MSEG + EspOffset): the same frame on the one
	 * refusal stack in the image, under its own lock, with bit 63 of the
	 * claim set so that the C side uses the refusal record too
	 * (activate.c).  The lock is held until the VM entry that returns
	 * the refusal: after POP_REGS nothing touches the stack any more.
	 */
stm_refuse_arrival:
5:	lock btsl $0, stm_refuse_lock(%rip)
	jnc	6f
	pause
	jmp	5b
6:	incl	%eax
	imulq	$STM_STACK_SIZE, %rax, %rax
	btsq	$63, %rax
	leaq	stm_refuse_stack_top(%rip), %rsp
	STM_CALL_C_ENTRY
	cmpl	$STM_RT_LAUNCH, %eax
	jne	7f
	POP_REGS
	movl	$0, stm_refuse_lock(%rip)
	vmlaunch
	/* VMfail: the refusal stack is no longer this CPU's; stop here */
	jmp	stm_halt
7:	movl	$0, stm_refuse_lock(%rip)
	jmp	stm_halt
	.size	stm_entry, . - stm_entry

	.section .data.stm_entry, "aw"
	.balign	8
stm_entry_scratch:
	.quad	0
stm_entry_lock:
	.long	0
	.globl	stm_refuse_lock
stm_refuse_lock:
	.long	0

	/* The refusal stack (see stm_refuse_arrival), in the static image. */
	.section .bss.stm_refuse, "aw", @nobits
	.balign	16
	.globl	stm_refuse_stack
stm_refuse_stack:
	.skip	STM_REFUSE_STACK_SIZE
	.globl	stm_refuse_stack_top
stm_refuse_stack_top:

	.section .note.GNU-stack, "", @progbits
