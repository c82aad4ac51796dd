/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stmexec: the VMX facts the probe and the vmx backend share: the bits of
 * the VMX capability MSRs and IA32_SMM_MONITOR_CTL, the few VMCS field
 * encodings used, the VM-instruction error numbers of the activation, the
 * result of a VMX instruction and the reading of a VMCALL's outcome
 * (sx_vmcall_classify()). The instructions themselves are in vmx_insn.h
 * (the vmx backend only).
 */
#ifndef STMEXEC_VMX_H
#define STMEXEC_VMX_H

#include <linux/bits.h>
#include <linux/types.h>

/* IA32_VMX_BASIC (0x480), SDM Vol. 3D A.1 */
#define SX_VMX_BASIC_REVISION(b)	((u32)((b) & GENMASK_ULL(30, 0)))
#define SX_VMX_BASIC_REGION_SIZE(b)	((u32)(((b) >> 32) & 0x1fff))
#define SX_VMX_BASIC_32BIT_PA		BIT_ULL(48)
#define SX_VMX_BASIC_DUAL_MONITOR	BIT_ULL(49)
#define SX_VMX_BASIC_TRUE_CTLS		BIT_ULL(55)

/* IA32_VMX_MISC (0x485), SDM Vol. 3D A.6 */
#define SX_VMX_MISC_PT_IN_VMX		BIT_ULL(14)
#define SX_VMX_MISC_VMXOFF_UNBLOCKS_SMI	BIT_ULL(28)
#define SX_VMX_MISC_MSEG_REVISION(m)	((u32)((m) >> 32))

/* IA32_SMM_MONITOR_CTL (0x9B), SDM Vol. 3C 34.15.5 */
#define SX_SMM_MONITOR_VALID		BIT_ULL(0)
#define SX_SMM_MONITOR_VMXOFF_UNBLOCK	BIT_ULL(2)
#define SX_SMM_MONITOR_MSEG_BASE(v)	((v) & GENMASK_ULL(31, 12))

/* VMCS field encodings (SDM Vol. 3D App. B) */
#define SX_VMCS_VM_EXIT_CONTROLS	0x0000400cUL
#define SX_VMCS_LINK_POINTER		0x00002800UL	/* 64-bit, full */
#define SX_VMCS_VM_INSTRUCTION_ERROR	0x00004400UL

/* VM-exit controls (SDM Vol. 3C 25.7.1) */
#define SX_VM_EXIT_HOST_ADDR_SPACE_SIZE	BIT(9)

/* VM-instruction error numbers the activation can produce (Vol. 3C 31.4) */
#define SX_VMXERR_VMCALL_IN_ROOT	1	/* no dual-monitor / 0x9B invalid */
#define SX_VMXERR_VMCALL_NOT_CLEAR	19	/* activation VMCS launched */
#define SX_VMXERR_VMCALL_EXIT_CTLS	20	/* invalid VM-exit controls */
#define SX_VMXERR_VMCALL_MSEG_REV	22	/* MSEG revision mismatch */
#define SX_VMXERR_VMXOFF_DUAL_MONITOR	23	/* VMXOFF with the STM active */
#define SX_VMXERR_VMCALL_MSEG_FEATURES	24	/* invalid SMM-monitor features */

enum sx_vmx_result {
	SX_VMX_OK = 0,
	SX_VMX_FAIL_INVALID,	/* CF = 1 */
	SX_VMX_FAIL_VALID,	/* ZF = 1, see the VM-instruction error */
	SX_VMX_FAULT,		/* #UD or #GP, caught by the exception table */
};

/* What a VMCALL came back with (sx_vmcall). */
struct sx_vmcall_out {
	u32 eax, ebx, edx;	/* 32-bit values only (stm-interface.md sec. 2) */
	u8 cf, zf, pf;		/* RFLAGS after the instruction */
};

enum sx_vmcall_kind {
	SX_VMCALL_ANSWERED,	/* an STM ran: status in EAX */
	SX_VMCALL_NO_ANSWER,	/* sentinel untouched: nothing answered */
	SX_VMCALL_FAIL_INVALID,	/* VMfailInvalid */
	SX_VMCALL_FAIL_VALID,	/* VMfailValid: read the error field */
	SX_VMCALL_UNEXPECTED,	/* flags match none of the above */
};

static inline enum sx_vmcall_kind sx_vmcall_classify(u32 func,
						     const struct sx_vmcall_out *o)
{
	if (o->eax != func)
		return SX_VMCALL_ANSWERED;
	if (o->cf && o->zf && o->pf)
		return SX_VMCALL_NO_ANSWER;
	if (o->cf && !o->zf && !o->pf)
		return SX_VMCALL_FAIL_INVALID;
	if (!o->cf && o->zf && !o->pf)
		return SX_VMCALL_FAIL_VALID;
	return SX_VMCALL_UNEXPECTED;
}

#endif /* STMEXEC_VMX_H */
