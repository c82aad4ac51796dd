/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stmexec: the VMX instructions the module executes (the vmx backend),
 * one wrapper each, with the failure modes the SDM gives for each (Vol. 3C
 * ch. 31 "VMX instruction reference" and 34.15 "dual-monitor treatment";
 * the STM side in shared/reference/stm-interface.md sec. 1-2).
 *
 * Conventions:
 *  - Every wrapper runs on the CPU it is about, with interrupts disabled
 *    (the per-CPU enter/leave sequences and the VMCALL paths guarantee it).
 *  - VMsucceed: CF = ZF = 0. VMfailInvalid: CF = 1 (no current VMCS, the
 *    error number cannot be stored). VMfailValid: ZF = 1, error number in
 *    the current VMCS's VM-instruction error field (0x4400).
 *  - Wrappers without outputs use "asm goto" with an exception-table entry
 *    pointing at a stub that jumps to the fault label, so a #UD/#GP (e.g.
 *    VMXON refused by IA32_FEATURE_CONTROL, a VMX instruction outside VMX
 *    operation) comes back as SX_VMX_FAULT instead of an oops. VMREAD and
 *    VMCALL have outputs, and asm goto with outputs is unusable on Debian's
 *    6.12 (compat.h); they are only executed where VMX operation is
 *    established by the caller's per-CPU state.
 */
#ifndef STMEXEC_VMX_INSN_H
#define STMEXEC_VMX_INSN_H

#include <linux/compiler.h>
#include <linux/types.h>
#include <asm/asm.h>

#include "vmx.h"

/*
 * One wrapper per VMX instruction with a single m64 operand (the physical
 * address of a region: VMXON, VMCLEAR, VMPTRLD), which differ only by the
 * mnemonic: SX_VMX_M64_INSN(vmclear) defines
 * "static int sx_vmclear(u64 pa)", returning SX_VMX_OK,
 * SX_VMX_FAIL_INVALID (CF = 1), SX_VMX_FAIL_VALID (ZF = 1, the error number
 * in the VM-instruction error field, see sx_vmread()) or SX_VMX_FAULT (a
 * #UD/#GP, caught by the exception-table entry of label 1).
 */
#define SX_VMX_M64_INSN(insn)						\
static __always_inline int sx_##insn(u64 pa)				\
{									\
	asm goto("1: " #insn " %[pa]\n\t"				\
		 "jc %l[invalid]\n\t"					\
		 "jz %l[valid]\n\t"					\
		 "jmp 3f\n\t"						\
		 "2: jmp %l[fault]\n\t"					\
		 "3:\n\t"						\
		 _ASM_EXTABLE(1b, 2b)					\
		 : : [pa] "m" (pa) : "cc", "memory"			\
		 : invalid, valid, fault);				\
	return SX_VMX_OK;						\
invalid:								\
	return SX_VMX_FAIL_INVALID;					\
valid:									\
	return SX_VMX_FAIL_VALID;					\
fault:									\
	return SX_VMX_FAULT;						\
}

/*
 * VMXON m64 - enter VMX root operation with the VMXON region at @pa.
 * #UD: CR4.VMXE = 0 (or real/virtual-8086/compatibility mode).
 * #GP(0): CPL > 0; IA32_FEATURE_CONTROL unlocked or VMX not enabled for the
 * current (SMX or not) mode; CR0/CR4 bits not allowed by the FIXED0/FIXED1
 * MSRs; A20M. VMfailInvalid: @pa not 4 KiB aligned, beyond the physical
 * address width, or the region's revision id differs from IA32_VMX_BASIC.
 * VMfailValid(15): already in VMX root operation (someone else owns VMX).
 */
SX_VMX_M64_INSN(vmxon)

/*
 * VMXOFF - leave VMX operation. #UD outside VMX operation. VMfailValid(23)
 * while the dual-monitor treatment is active on this CPU: the STM has to be
 * stopped (STM_API_STOP) first, and CR4.VMXE must not be cleared then
 * (clearing it in VMX operation is a #GP). VMfailInvalid is not listed for
 * VMXOFF but is reported like any other failure.
 */
static __always_inline int sx_vmxoff(void)
{
	asm goto("1: vmxoff\n\t"
		 "jc %l[invalid]\n\t"
		 "jz %l[valid]\n\t"
		 "jmp 3f\n\t"
		 "2: jmp %l[fault]\n\t"
		 "3:\n\t"
		 _ASM_EXTABLE(1b, 2b)
		 : : : "cc", "memory"
		 : invalid, valid, fault);
	return SX_VMX_OK;
invalid:
	return SX_VMX_FAIL_INVALID;
valid:
	return SX_VMX_FAIL_VALID;
fault:
	return SX_VMX_FAULT;
}

/*
 * VMCLEAR m64 - flush the VMCS at @pa to memory and set its launch state to
 * clear. #UD outside VMX operation. VMfailInvalid (no current VMCS) or
 * VMfailValid(2) if @pa is not aligned / too wide, (3) if @pa is the VMXON
 * pointer.
 */
SX_VMX_M64_INSN(vmclear)

/*
 * VMPTRLD m64 - make the VMCS at @pa current. #UD outside VMX operation.
 * VMfailValid(9) bad address, (10) @pa is the VMXON pointer, (11) revision
 * id of the region does not match IA32_VMX_BASIC; VMfailInvalid if there is
 * no current VMCS to record the error in.
 */
SX_VMX_M64_INSN(vmptrld)

/*
 * VMWRITE r64, r/m64 - write @value to @field of the current VMCS. #UD
 * outside VMX operation. VMfailInvalid: no current VMCS. VMfailValid(12)
 * unsupported field, (13) read-only field.
 */
static __always_inline int sx_vmwrite(unsigned long field, unsigned long value)
{
	asm goto("1: vmwrite %[value], %[field]\n\t"
		 "jc %l[invalid]\n\t"
		 "jz %l[valid]\n\t"
		 "jmp 3f\n\t"
		 "2: jmp %l[fault]\n\t"
		 "3:\n\t"
		 _ASM_EXTABLE(1b, 2b)
		 : : [field] "r" (field), [value] "rm" (value) : "cc", "memory"
		 : invalid, valid, fault);
	return SX_VMX_OK;
invalid:
	return SX_VMX_FAIL_INVALID;
valid:
	return SX_VMX_FAIL_VALID;
fault:
	return SX_VMX_FAULT;
}

/*
 * VMREAD r/m64, r64 - read @field of the current VMCS. #UD outside VMX
 * operation (not caught: only called right after a VMX instruction reported
 * VMfailValid, which proves VMX operation and a current VMCS).
 * VMfailInvalid: no current VMCS; VMfailValid(12): unsupported field.
 * Returns false on failure (*@val is then 0).
 */
static __always_inline bool sx_vmread(unsigned long field, unsigned long *val)
{
	unsigned long v;
	bool fail;

	asm volatile("vmread %[field], %[v]\n\t"
		     "setna %[fail]"
		     : [v] "=r" (v), [fail] "=qm" (fail)
		     : [field] "r" (field)
		     : "cc");
	*val = fail ? 0 : v;
	return !fail;
}

/*
 * VMCALL in VMX root operation (SDM Vol. 3C VMCALL pseudocode, 34.15.2,
 * 34.15.6; stm-interface.md sec. 1.2):
 *  #UD in compatibility mode or outside VMX operation (not caught, see the
 *  file comment); #GP(0) at CPL > 0.
 *  VMfailValid(1): no dual-monitor support, or IA32_SMM_MONITOR_CTL.valid = 0
 *  (no STM); (19) activation VMCS not clear; (20) invalid VM-exit controls;
 *  (22) MSEG revision differs from IA32_VMX_MISC[63:32]; (24) invalid
 *  SMM-monitor features in the MSEG header. VMfailInvalid: no current VMCS.
 *  Otherwise: an SMM VM exit to the STM, which comes back with EAX = status
 *  and CF = (status is an error), EBX/EDX written for some calls and every
 *  other register restored; the STM writes only the low 32 bits.
 *
 * The calling convention is EAX = function, EBX/ECX = low/high half of a
 * physical address, EDX = extra argument. All four are in/out operands,
 * "memory" is clobbered because the STM reads and writes buffers by
 * physical address, "cc" because RFLAGS is the result.
 *
 * Sentinel: before the instruction RFLAGS gets CF = ZF = PF = 1 (STC, then
 * INC of -1 in a scratch register, which sets ZF and PF and leaves CF). A
 * VMfail clears every status flag but the one it sets; an STM changes EAX
 * (the status is never the function number) and at most CF. So EAX equal
 * to the function number with CF, ZF and PF all still set means the
 * instruction completed without anything answering it, which is what an
 * emulator without VMCALL support in VMX root does (Bochs 2.7, see
 * shared/reference/bochs-vmx.md). sx_vmcall_classify() decodes it.
 */
static __always_inline void sx_vmcall(u32 eax, u32 ebx, u32 ecx, u32 edx,
				      struct sx_vmcall_out *out)
{
	u8 cf, zf, pf;

	asm volatile("stc\n\t"
		     "movl $-1, %%r8d\n\t"
		     "incl %%r8d\n\t"
		     "vmcall\n\t"
		     "setc %[cf]\n\t"
		     "setz %[zf]\n\t"
		     "setp %[pf]"
		     : "+a" (eax), "+b" (ebx), "+c" (ecx), "+d" (edx),
		       [cf] "=qm" (cf), [zf] "=qm" (zf), [pf] "=qm" (pf)
		     :
		     : "r8", "cc", "memory");
	out->eax = eax;
	out->ebx = ebx;
	out->edx = edx;
	out->cf = cf;
	out->zf = zf;
	out->pf = pf;
}

#endif /* STMEXEC_VMX_INSN_H */
