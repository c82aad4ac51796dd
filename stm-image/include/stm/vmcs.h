/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * VMCS field encodings and VMX control bits the bundled STM runtime uses,
 * and the accessor the runtime's pure-C parts go through.
 *
 * Encodings: SDM Vol. 3D Appendix B ("Field Encoding in VMCS"), tables
 * B-1 .. B-14.  Control bits: SDM Vol. 3C 25.6.1 (pin-based), 25.6.2
 * (processor-based, Tables 25-6/25-7), 25.7.1 (VM-exit controls, Table
 * 25-13), 25.8.1 (VM-entry controls, Table 25-15).  Dual-monitor fields
 * and controls: SDM Vol. 3C 32.15 ("Dual-Monitor Treatment of SMIs and
 * SMM"): executive-VMCS pointer, guest SMBASE, "entry to SMM" and
 * "deactivate dual-monitor treatment".
 *
 * stm_vmread()/stm_vmwrite() are VMREAD/VMWRITE on the current VMCS in the
 * image (image/vmx.c) and a fake VMCS array in the userspace tests
 * (tests/rt_vmcs.c), so everything computed from VMCS values is testable.
 */
#ifndef STM_VMCS_H
#define STM_VMCS_H

#include <stm/wire.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- 16-bit fields (B.1) ---- */
#define VMCS_VPID			0x0000u
#define VMCS_GUEST_ES_SEL		0x0800u
#define VMCS_GUEST_CS_SEL		0x0802u
#define VMCS_GUEST_SS_SEL		0x0804u
#define VMCS_GUEST_DS_SEL		0x0806u
#define VMCS_GUEST_FS_SEL		0x0808u
#define VMCS_GUEST_GS_SEL		0x080Au
#define VMCS_GUEST_LDTR_SEL		0x080Cu
#define VMCS_GUEST_TR_SEL		0x080Eu
#define VMCS_HOST_ES_SEL		0x0C00u
#define VMCS_HOST_CS_SEL		0x0C02u
#define VMCS_HOST_SS_SEL		0x0C04u
#define VMCS_HOST_DS_SEL		0x0C06u
#define VMCS_HOST_FS_SEL		0x0C08u
#define VMCS_HOST_GS_SEL		0x0C0Au
#define VMCS_HOST_TR_SEL		0x0C0Cu

/* ---- 64-bit fields (B.2) ---- */
#define VMCS_IO_BITMAP_A		0x2000u
#define VMCS_IO_BITMAP_B		0x2002u
#define VMCS_MSR_BITMAP			0x2004u
#define VMCS_EXIT_MSR_STORE_ADDR	0x2006u
#define VMCS_EXIT_MSR_LOAD_ADDR		0x2008u
#define VMCS_ENTRY_MSR_LOAD_ADDR	0x200Au
#define VMCS_EXECUTIVE_VMCS_PTR		0x200Cu	/* SDM 32.15.2 */
#define VMCS_TSC_OFFSET			0x2010u
#define VMCS_VIRTUAL_APIC_ADDR		0x2012u
#define VMCS_APIC_ACCESS_ADDR		0x2014u
#define VMCS_EPT_POINTER		0x201Au
#define VMCS_GUEST_PHYS_ADDR		0x2400u	/* read-only */
#define VMCS_LINK_POINTER		0x2800u
#define VMCS_GUEST_DEBUGCTL		0x2802u
#define VMCS_GUEST_PAT			0x2804u
#define VMCS_GUEST_EFER			0x2806u
#define VMCS_GUEST_PERF_GLOBAL_CTRL	0x2808u
#define VMCS_GUEST_PDPTE0		0x280Au
#define VMCS_GUEST_PDPTE1		0x280Cu
#define VMCS_GUEST_PDPTE2		0x280Eu
#define VMCS_GUEST_PDPTE3		0x2810u
#define VMCS_HOST_PAT			0x2C00u
#define VMCS_HOST_EFER			0x2C02u
#define VMCS_HOST_PERF_GLOBAL_CTRL	0x2C04u

/* ---- 32-bit fields (B.3) ---- */
#define VMCS_PIN_CONTROLS		0x4000u
#define VMCS_PROC_CONTROLS		0x4002u
#define VMCS_EXCEPTION_BITMAP		0x4004u
#define VMCS_PF_ERROR_MASK		0x4006u
#define VMCS_PF_ERROR_MATCH		0x4008u
#define VMCS_CR3_TARGET_COUNT		0x400Au
#define VMCS_EXIT_CONTROLS		0x400Cu
#define VMCS_EXIT_MSR_STORE_COUNT	0x400Eu
#define VMCS_EXIT_MSR_LOAD_COUNT	0x4010u
#define VMCS_ENTRY_CONTROLS		0x4012u
#define VMCS_ENTRY_MSR_LOAD_COUNT	0x4014u
#define VMCS_ENTRY_INTR_INFO		0x4016u
#define VMCS_ENTRY_EXCEPTION_ERROR	0x4018u
#define VMCS_ENTRY_INSN_LEN		0x401Au
#define VMCS_TPR_THRESHOLD		0x401Cu
#define VMCS_PROC2_CONTROLS		0x401Eu
#define VMCS_VM_INSN_ERROR		0x4400u	/* read-only */
#define VMCS_EXIT_REASON		0x4402u
#define VMCS_EXIT_INTR_INFO		0x4404u
#define VMCS_EXIT_INTR_ERROR		0x4406u
#define VMCS_IDT_VECTORING_INFO		0x4408u
#define VMCS_IDT_VECTORING_ERROR	0x440Au
#define VMCS_EXIT_INSN_LEN		0x440Cu
#define VMCS_EXIT_INSN_INFO		0x440Eu
#define VMCS_GUEST_ES_LIMIT		0x4800u
#define VMCS_GUEST_CS_LIMIT		0x4802u
#define VMCS_GUEST_SS_LIMIT		0x4804u
#define VMCS_GUEST_DS_LIMIT		0x4806u
#define VMCS_GUEST_FS_LIMIT		0x4808u
#define VMCS_GUEST_GS_LIMIT		0x480Au
#define VMCS_GUEST_LDTR_LIMIT		0x480Cu
#define VMCS_GUEST_TR_LIMIT		0x480Eu
#define VMCS_GUEST_GDTR_LIMIT		0x4810u
#define VMCS_GUEST_IDTR_LIMIT		0x4812u
#define VMCS_GUEST_ES_AR		0x4814u
#define VMCS_GUEST_CS_AR		0x4816u
#define VMCS_GUEST_SS_AR		0x4818u
#define VMCS_GUEST_DS_AR		0x481Au
#define VMCS_GUEST_FS_AR		0x481Cu
#define VMCS_GUEST_GS_AR		0x481Eu
#define VMCS_GUEST_LDTR_AR		0x4820u
#define VMCS_GUEST_TR_AR		0x4822u
#define VMCS_GUEST_INTERRUPTIBILITY	0x4824u
#define VMCS_GUEST_ACTIVITY		0x4826u
#define VMCS_GUEST_SMBASE		0x4828u	/* SDM 32.15.2.3 */
#define VMCS_GUEST_SYSENTER_CS		0x482Au
#define VMCS_PREEMPTION_TIMER		0x482Eu
#define VMCS_HOST_SYSENTER_CS		0x4C00u

/* ---- natural-width fields (B.4) ---- */
#define VMCS_CR0_MASK			0x6000u
#define VMCS_CR4_MASK			0x6002u
#define VMCS_CR0_SHADOW			0x6004u
#define VMCS_CR4_SHADOW			0x6006u
#define VMCS_CR3_TARGET0		0x6008u
#define VMCS_EXIT_QUALIFICATION		0x6400u	/* read-only */
#define VMCS_IO_RCX			0x6402u
#define VMCS_IO_RSI			0x6404u
#define VMCS_IO_RDI			0x6406u
#define VMCS_IO_RIP			0x6408u
#define VMCS_GUEST_LINEAR_ADDR		0x640Au
#define VMCS_GUEST_CR0			0x6800u
#define VMCS_GUEST_CR3			0x6802u
#define VMCS_GUEST_CR4			0x6804u
#define VMCS_GUEST_ES_BASE		0x6806u
#define VMCS_GUEST_CS_BASE		0x6808u
#define VMCS_GUEST_SS_BASE		0x680Au
#define VMCS_GUEST_DS_BASE		0x680Cu
#define VMCS_GUEST_FS_BASE		0x680Eu
#define VMCS_GUEST_GS_BASE		0x6810u
#define VMCS_GUEST_LDTR_BASE		0x6812u
#define VMCS_GUEST_TR_BASE		0x6814u
#define VMCS_GUEST_GDTR_BASE		0x6816u
#define VMCS_GUEST_IDTR_BASE		0x6818u
#define VMCS_GUEST_DR7			0x681Au
#define VMCS_GUEST_RSP			0x681Cu
#define VMCS_GUEST_RIP			0x681Eu
#define VMCS_GUEST_RFLAGS		0x6820u
#define VMCS_GUEST_PENDING_DBG		0x6822u
#define VMCS_GUEST_SYSENTER_ESP		0x6824u
#define VMCS_GUEST_SYSENTER_EIP		0x6826u
#define VMCS_HOST_CR0			0x6C00u
#define VMCS_HOST_CR3			0x6C02u
#define VMCS_HOST_CR4			0x6C04u
#define VMCS_HOST_FS_BASE		0x6C06u
#define VMCS_HOST_GS_BASE		0x6C08u
#define VMCS_HOST_TR_BASE		0x6C0Au
#define VMCS_HOST_GDTR_BASE		0x6C0Cu
#define VMCS_HOST_IDTR_BASE		0x6C0Eu
#define VMCS_HOST_SYSENTER_ESP		0x6C10u
#define VMCS_HOST_SYSENTER_EIP		0x6C12u
#define VMCS_HOST_RSP			0x6C14u
#define VMCS_HOST_RIP			0x6C16u

/* Width of a field from its encoding (SDM Appendix B: bits 14:13). */
#define VMCS_WIDTH(f)			(((f) >> 13) & 3u)
#define VMCS_WIDTH_16			0u
#define VMCS_WIDTH_64			1u
#define VMCS_WIDTH_32			2u
#define VMCS_WIDTH_NATURAL		3u

/* ---- pin-based controls (25.6.1) ---- */
#define VMX_PIN_EXT_INTR		0x1u
#define VMX_PIN_NMI			0x8u
#define VMX_PIN_VIRTUAL_NMI		0x20u
#define VMX_PIN_PREEMPTION_TIMER	0x40u

/* ---- primary processor-based controls (Table 25-6) ---- */
#define VMX_PROC_HLT			0x80u
#define VMX_PROC_UNCOND_IO		0x1000000u
#define VMX_PROC_IO_BITMAPS		0x2000000u
#define VMX_PROC_MSR_BITMAPS		0x10000000u
#define VMX_PROC_SECONDARY		0x80000000u

/* ---- secondary processor-based controls (Table 25-7) ---- */
#define VMX_PROC2_EPT			0x2u
#define VMX_PROC2_UNRESTRICTED		0x80u

/* ---- VM-exit controls (Table 25-13) ---- */
#define VMX_EXIT_SAVE_DEBUG		0x4u
#define VMX_EXIT_HOST_64		0x200u
#define VMX_EXIT_ACK_INTR		0x8000u
#define VMX_EXIT_SAVE_PAT		0x40000u
#define VMX_EXIT_LOAD_PAT		0x80000u
#define VMX_EXIT_SAVE_EFER		0x100000u
#define VMX_EXIT_LOAD_EFER		0x200000u

/* ---- VM-entry controls (Table 25-15) ---- */
#define VMX_ENTRY_LOAD_DEBUG		0x4u
#define VMX_ENTRY_IA32E_GUEST		0x200u
#define VMX_ENTRY_TO_SMM		0x400u	/* SDM 32.15.5 */
#define VMX_ENTRY_DEACTIVATE_DM		0x800u	/* SDM 32.15.7 */
#define VMX_ENTRY_LOAD_PAT		0x4000u
#define VMX_ENTRY_LOAD_EFER		0x8000u

/* ---- exit reasons (SDM Vol. 3D Appendix C) ---- */
#define VMX_EXIT_REASON_MASK		0xFFFFu
#define VMX_EXIT_FROM_ROOT		0x20000000u	/* SMM VM exit from VMX root */
#define VMX_EXIT_ENTRY_FAIL		0x80000000u
#define VMX_REASON_IO_SMI		5u
#define VMX_REASON_OTHER_SMI		6u
#define VMX_REASON_CPUID		10u
#define VMX_REASON_HLT			12u
#define VMX_REASON_INVD			13u
#define VMX_REASON_RSM			17u
#define VMX_REASON_VMCALL		18u
#define VMX_REASON_CR			28u
#define VMX_REASON_IO			30u
#define VMX_REASON_RDMSR		31u
#define VMX_REASON_WRMSR		32u
#define VMX_REASON_EPT_VIOLATION	48u
#define VMX_REASON_EPT_MISCONFIG	49u
#define VMX_REASON_WBINVD		54u

/* Guest interruptibility (Table 25-3) */
#define VMX_INTR_BLOCK_STI		0x1u
#define VMX_INTR_BLOCK_MOVSS		0x2u
#define VMX_INTR_BLOCK_SMI		0x4u
#define VMX_INTR_BLOCK_NMI		0x8u

/* VMX capability MSRs (SDM Vol. 3D Appendix A) */
#define MSR_IA32_VMX_BASIC		0x480u
#define MSR_IA32_VMX_PINBASED		0x481u
#define MSR_IA32_VMX_PROCBASED		0x482u
#define MSR_IA32_VMX_EXIT		0x483u
#define MSR_IA32_VMX_ENTRY		0x484u
#define MSR_IA32_VMX_MISC		0x485u
#define MSR_IA32_VMX_CR0_FIXED0		0x486u
#define MSR_IA32_VMX_CR0_FIXED1		0x487u
#define MSR_IA32_VMX_CR4_FIXED0		0x488u
#define MSR_IA32_VMX_CR4_FIXED1		0x489u
#define MSR_IA32_VMX_PROCBASED2		0x48Bu
#define MSR_IA32_VMX_EPT_VPID_CAP	0x48Cu
#define MSR_IA32_VMX_TRUE_PIN		0x48Du
#define MSR_IA32_VMX_TRUE_PROC		0x48Eu
#define MSR_IA32_VMX_TRUE_EXIT		0x48Fu
#define MSR_IA32_VMX_TRUE_ENTRY		0x490u
#define MSR_IA32_SMBASE			0x9Eu

/* RFLAGS */
#define X86_RFLAGS_CF			0x1ull
#define X86_RFLAGS_FIXED		0x2ull
#define X86_RFLAGS_PF			0x4ull
#define X86_RFLAGS_AF			0x10ull
#define X86_RFLAGS_ZF			0x40ull
#define X86_RFLAGS_SF			0x80ull
#define X86_RFLAGS_IF			0x200ull
#define X86_RFLAGS_OF			0x800ull

/* The accessor: VMREAD/VMWRITE of the current VMCS (image) or a fake. */
uint64_t stm_vmread(uint32_t field);
void stm_vmwrite(uint32_t field, uint64_t v);

#ifdef __cplusplus
}
#endif

#endif /* STM_VMCS_H */
