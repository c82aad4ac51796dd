/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bare-metal SDM conformance test of Bochs' dual-monitor treatment: the
 * option ROM entry (real mode -> long mode), the exception stubs, the
 * 16-bit SMI handler copied into SMRAM, the test STM's entry stub and the
 * VM-entry helper of the executive. Test program only, not firmware.
 *
 * Linked at 0xD0000 (optromimage1: address=0xd0000); code and rodata run
 * from the ROM, data lives in .bss in RAM (see dmtest.ld).
 */

#define PT_BASE		0x100000	/* identity page tables, 6 pages */
#define STACK_TOP	0x120000

	.section .head, "ax"
	.code16
	.globl rom_start
rom_start:
	.byte 0x55, 0xaa
	.byte 0			/* size in 512-byte blocks, set by run.sh */
	jmp start16		/* the BIOS far-calls offset 3 */

start16:
	cli
	cld
	lgdtl %cs:(gdt_ptr - rom_start)
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	/* ljmpl $0x28, $start32 */
	.byte 0x66, 0xea
	.long start32
	.word 0x28

	.code32
start32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	/* 4 GiB identity map with 2 MiB pages: PML4, PDPT, 4 PDs */
	movl $PT_BASE, %edi
	xorl %eax, %eax
	movl $(6 * 4096 / 4), %ecx
	rep stosl
	movl $(PT_BASE + 0x1000 + 3), PT_BASE
	movl $0, %ecx
1:	movl %ecx, %eax
	shll $12, %eax
	addl $(PT_BASE + 0x2000 + 3), %eax
	movl %eax, PT_BASE + 0x1000(, %ecx, 8)
	incl %ecx
	cmpl $4, %ecx
	jne 1b
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax		/* present, writable, 2 MiB */
	movl %eax, PT_BASE + 0x2000(, %ecx, 8)
	movl %ecx, %eax
	shrl $11, %eax		/* bits 63:32 of the address */
	movl %eax, PT_BASE + 0x2004(, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jne 2b
	movl %cr4, %eax
	orl $0x20, %eax		/* PAE */
	movl %eax, %cr4
	movl $PT_BASE, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx
	rdmsr
	orl $0x100, %eax	/* LME */
	wrmsr
	movl %cr0, %eax
	orl $0x80000020, %eax	/* PG, NE */
	movl %eax, %cr0
	ljmp $0x08, $start64

	.code64
start64:
	movl $0x10, %eax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movq $STACK_TOP, %rsp
	/* zero .bss */
	leaq __bss_start(%rip), %rdi
	leaq __bss_end(%rip), %rcx
	subq %rdi, %rcx
	xorl %eax, %eax
	rep stosb
	call dm_main
3:	hlt
	jmp 3b

	.p2align 3
gdt_rom:
	.quad 0
	.quad 0x00af9b000000ffff	/* 0x08 64-bit code */
	.quad 0x00cf93000000ffff	/* 0x10 data */
	.quad 0, 0			/* 0x18 TSS (set up in RAM) */
	.quad 0x00cf9b000000ffff	/* 0x28 32-bit code */
gdt_rom_end:
gdt_ptr:
	.word gdt_rom_end - gdt_rom - 1
	.long gdt_rom

	.globl gdt_rom, gdt_rom_end

/* ---- exceptions: vector pushed, a dummy error code where the CPU has none */
	.text
	.code64
	.macro exc vec
	.p2align 4
	.if (\vec == 8) || (\vec == 10) || (\vec == 11) || (\vec == 12) || (\vec == 13) || (\vec == 14) || (\vec == 17)
	pushq $\vec
	.else
	pushq $0
	pushq $\vec
	.endif
	jmp exc_common
	.endm

	.globl exc_stubs
	.p2align 4
exc_stubs:
	.set v, 0
	.rept 32
	exc v
	.set v, v + 1
	.endr

exc_common:
	/* stack: vector, error, rip, cs, rflags, rsp, ss */
	pushq %rax
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	movq %rsp, %rdi		/* struct exc_frame * */
	call exc_handler	/* may change the saved rip */
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rax
	addq $16, %rsp
	iretq

/* ---- the SMI handler of the default treatment, copied to SMBASE + 0x8000.
 * Real-address-like 16-bit mode, CS base = SMBASE, DS base 0 (SDM Vol. 3C
 * 32.5.1). Mailbox at 0x7000: +0 command (1 = WRMSR, 2 = RDMSR), +4 MSR,
 * +8 low, +0xC high, +0x10 SMI count (incremented on every SMI).
 */
	.code16
	.globl smi_handler, smi_handler_end
smi_handler:
	xorw %ax, %ax
	movw %ax, %ds
	incl 0x7010
	movl 0x7000, %eax
	cmpl $1, %eax
	jne 1f
	movl 0x7004, %ecx
	movl 0x7008, %eax
	movl 0x700c, %edx
	wrmsr
	jmp 2f
1:	cmpl $2, %eax
	jne 3f
	movl 0x7004, %ecx
	rdmsr
	movl %eax, 0x7008
	movl %edx, 0x700c
2:	movl $0, 0x7000
3:	rsm
smi_handler_end:

/* ---- the test STM's entry: the activating SMM VM exit lands here through
 * the trampoline in MSEG, later SMM VM exits and the exits of the SMM
 * guest through the host RIP. GPRs go to stm_regs (RAX..R15 without RSP),
 * stm_handler() decides, then VMLAUNCH (stm_launch != 0) or VMRESUME of
 * the current VMCS. A failed VM entry calls stm_entry_failed(), which
 * either stops the test or corrects the VMCS and returns to retry.
 */
	.code64
	.globl stm_entry
stm_entry:
	movq %rax, stm_regs + 0(%rip)
	movq %rbx, stm_regs + 8(%rip)
	movq %rcx, stm_regs + 16(%rip)
	movq %rdx, stm_regs + 24(%rip)
	movq %rsi, stm_regs + 32(%rip)
	movq %rdi, stm_regs + 40(%rip)
	movq %rbp, stm_regs + 48(%rip)
	movq %r8, stm_regs + 56(%rip)
	movq %r9, stm_regs + 64(%rip)
	movq %r10, stm_regs + 72(%rip)
	movq %r11, stm_regs + 80(%rip)
	movq %r12, stm_regs + 88(%rip)
	movq %r13, stm_regs + 96(%rip)
	movq %r14, stm_regs + 104(%rip)
	movq %r15, stm_regs + 112(%rip)
	andq $-16, %rsp
	call stm_handler
stm_resume:
	movq stm_regs + 8(%rip), %rbx
	movq stm_regs + 16(%rip), %rcx
	movq stm_regs + 24(%rip), %rdx
	movq stm_regs + 32(%rip), %rsi
	movq stm_regs + 40(%rip), %rdi
	movq stm_regs + 48(%rip), %rbp
	movq stm_regs + 56(%rip), %r8
	movq stm_regs + 64(%rip), %r9
	movq stm_regs + 72(%rip), %r10
	movq stm_regs + 80(%rip), %r11
	movq stm_regs + 88(%rip), %r12
	movq stm_regs + 96(%rip), %r13
	movq stm_regs + 104(%rip), %r14
	movq stm_regs + 112(%rip), %r15
	cmpb $0, stm_launch(%rip)
	movq stm_regs + 0(%rip), %rax
	jne 1f
	vmresume
	jmp 2f
1:	vmlaunch
2:	pushfq
	popq %rdi
	andq $-16, %rsp
	call stm_entry_failed	/* returns only to retry the VM entry */
	jmp stm_resume

/* ---- executive: enter the guest of the current VMCS (rdi: 1 = VMLAUNCH,
 * 0 = VMRESUME). Returns 0 after a VM exit, else RFLAGS | 1 << 63 of the
 * failed VM entry.
 */
	.globl vm_run
vm_run:
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, exec_saved_rsp(%rip)
	movq $0x6c14, %rax		/* HOST_RSP */
	vmwrite %rsp, %rax
	leaq vm_exit_here(%rip), %rdx
	movq $0x6c16, %rax		/* HOST_RIP */
	vmwrite %rdx, %rax
	testq %rdi, %rdi
	jz 1f
	vmlaunch
	jmp 2f
1:	vmresume
2:	pushfq
	popq %rax
	btsq $63, %rax
	jmp 3f
vm_exit_here:
	movq exec_saved_rsp(%rip), %rsp
	xorl %eax, %eax
3:	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	ret

/* ---- guest code (64-bit, same paging) */
	.globl guest_vmcall, guest_smi, smm_guest_code
guest_vmcall:			/* an ordinary VMCALL VM exit */
	vmcall
	hlt
guest_smi:			/* an SMI from VMX non-root, then VMCALL */
	movb $0x5a, %al
	outb %al, $0xb2
	nop
	vmcall
	hlt
smm_guest_code:			/* the STM's SMM guest: MSR, I/O, RSM exits */
	movl $0x10, %ecx
	rdmsr
	outb %al, $0x80
	rsm
	hlt

	.section .note.GNU-stack, "", @progbits
