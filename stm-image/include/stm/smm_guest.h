/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The SMI path of the bundled STM, its pure-C part: the SMM-guest VMCS
 * built from the PSD (SDM Vol. 3C 32.15.3, 32.15.6), the decisions on the
 * SMM guest's VM exits (enforcement through the policy core), and the
 * protection-exception frame handed to the firmware's SpeRip handler.
 *
 * Everything here goes through the VMCS accessor of <stm/vmcs.h>
 * (stm_vmread/stm_vmwrite: VMREAD/VMWRITE in the image, a fake VMCS array
 * in stm-image/tests/rt_fakevmcs.c) and through struct stm_mem_ops for guest
 * memory, so it is unit-tested and fuzzed in userspace.  The image glue
 * (stm-image/image/smi.c) adds only VMPTRLD/VMCLEAR, the instructions it
 * emulates (CPUID, RDMSR/WRMSR, IN/OUT) and the host entry.
 * Documentation/stm-image.rst, "The SMI path".
 */
#ifndef STM_SMM_GUEST_H
#define STM_SMM_GUEST_H

#include <stm/runtime.h>
#include <stm/vmcs.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* The SMM-guest VMCS (SDM Vol. 3C 32.15.3, 32.15.6)                  */
/* ------------------------------------------------------------------ */

/* The VMX capability MSRs the controls are adjusted to (SDM Vol. 3D A.3-A.5). */
struct stm_vmx_caps {
	uint64_t pin, proc, proc2, exit, entry;	/* allowed-0 in 31:0, allowed-1 in 63:32 */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint64_t ept_vpid;			/* IA32_VMX_EPT_VPID_CAP */
};

/*
 * The STM's host state, the same in both VMCSs of a CPU (read from the
 * SMI-transfer VMCS; only host RIP differs).
 */
struct stm_vmcs_host {
	uint64_t cr0, cr3, cr4;
	uint64_t fs_base, gs_base, tr_base, gdtr_base, idtr_base;
	uint64_t rsp, efer, pat;
	uint16_t cs, ss, ds, es, fs, gs, tr;
	uint16_t pad;
};

struct stm_smm_vmcs_cfg {
	const struct stm_psd_info *psd;
	const struct stm_seg *seg;	/* STM_SEG_NR, from stm_rt_psd_segments() */
	const struct stm_vmx_caps *caps;
	const struct stm_vmcs_host *host;
	uint64_t host_rip;		/* the SMM-guest host entry (stm_rt_host_smm) */
	uint64_t io_bitmap_a, io_bitmap_b, msr_bitmap;	/* physical, 4 KiB aligned */
	uint64_t eptp;			/* 0: no EPT (then no memory enforcement) */
	uint32_t smbase;
	uint32_t pad;
};

/* Why stm_rt_smm_vmcs_write() refused (also what the runtime logs). */
enum stm_smm_vmcs_reason {
	STM_SMM_VMCS_OK = 0,
	STM_SMM_VMCS_NO_EPT,		/* secondary controls / EPT not allowed-1 */
	STM_SMM_VMCS_NO_BITMAPS,	/* I/O or MSR bitmaps not allowed-1 */
	STM_SMM_VMCS_NO_ENTRY_TO_SMM,	/* entry control bit 10 not allowed-1 */
	STM_SMM_VMCS_NO_IA32E,		/* IA-32e guest / host not allowed-1 */
	STM_SMM_VMCS_BAD_FIXED,		/* the PSD's CR0/CR4 break the fixed bits */
	STM_SMM_VMCS_BAD_ADDR,		/* a bitmap / EPTP address unaligned */
	STM_SMM_VMCS_REASON_NR
};

const char *stm_smm_vmcs_reason_name(enum stm_smm_vmcs_reason r);

/*
 * Adjust wanted control bits to a capability MSR: the allowed-0 bits are
 * forced on; returns 0 and *out, or -1 if a wanted bit is not allowed-1.
 */
int stm_rt_vmx_ctl(uint64_t cap, uint32_t want, uint32_t *out);

/*
 * Write every field of the (current, cleared) SMM-guest VMCS: controls
 * (I/O and MSR bitmaps, EPT, "entry to SMM", IA-32e guest, load EFER on
 * entry where allowed), guest state from the PSD (CR0/CR3/CR4, EFER, segments
 * and GDTR from the SMM GDT, RIP/RSP of SmmSmiHandlerRip/Rsp, RFLAGS 2,
 * blocking by SMI, SMBASE), host state = cfg->host with host RIP =
 * cfg->host_rip.  STM_SUCCESS, or STM_ERROR_INVALID_PARAMETER (*reason).
 * Nothing is written on a refusal.
 */
uint32_t stm_rt_smm_vmcs_write(const struct stm_smm_vmcs_cfg *cfg,
			       enum stm_smm_vmcs_reason *reason);

/* Read the host-state area of the current VMCS. */
void stm_rt_vmcs_host_read(struct stm_vmcs_host *h);

/*
 * Write the host-state area of the current VMCS (SDM Vol. 3C 25.5, loaded
 * on every VM exit, 28.5): h with host RIP = rip; IA32_SYSENTER_* are 0,
 * EFER and PAT are not written (neither VMCS loads them on exit).  One
 * writer for both VMCSs of a CPU: the SMI-transfer VMCS (image/
 * vmcs_build.c) and the SMM-guest VMCS (stm_rt_smm_vmcs_write()).
 */
void stm_rt_vmcs_host_write(const struct stm_vmcs_host *h, uint64_t rip);

/*
 * At each SMI, reset the per-SMI guest state of the SMM-guest VMCS (it is
 * current): RIP/RSP from the PSD, RFLAGS 2, CR0/CR3/CR4/EFER, CS/SS/DS/
 * ES/FS/GS/TR from the PSD segments (the guest may have changed them on
 * the previous SMI), activity active, blocking by SMI, SMBASE.
 */
void stm_rt_smm_vmcs_rearm(const struct stm_smm_vmcs_cfg *cfg);

/* ------------------------------------------------------------------ */
/* SMI-transfer VMCS <-> struct stm_guest_state (for runtime/ssa.c)   */
/* ------------------------------------------------------------------ */

/* Fill *g from the current (SMI-transfer) VMCS and the saved GPRs. */
void stm_rt_guest_state_read(struct stm_guest_state *g, const uint64_t *gpr);
/* Write back what read_sync may change: RIP, RSP, RFLAGS, activity; GPRs to gpr[]. */
void stm_rt_guest_state_write(const struct stm_guest_state *g, uint64_t *gpr);

/* ------------------------------------------------------------------ */
/* SMM-guest VM exits                                                  */
/* ------------------------------------------------------------------ */

/* What the runtime does with an SMM-guest VM exit. */
enum stm_smm_action {
	STM_SMM_RESUME = 0,	/* VMRESUME the SMM guest as it is */
	STM_SMM_SKIP,		/* advance RIP past the instruction, resume */
	STM_SMM_EMULATE,	/* do the access for the guest, skip it, resume */
	STM_SMM_SPE,		/* enter the PSD's protection-exception handler */
	STM_SMM_SPE_RETURN,	/* RETURN_FROM_PROTECTION_EXCEPTION: reload the frame */
	STM_SMM_RSM,		/* sync the save map back, return to the executive */
	STM_SMM_ABORT,		/* unusable exit: end the SMI (logged), return */
};

/* The access an exit was about (decoded from the VMCS). */
struct stm_smm_exit {
	uint32_t reason;	/* basic exit reason */
	uint32_t insn_len;
	uint64_t qual;
	uint64_t gpa;		/* EPT violation */
	uint32_t rwx;		/* EPT violation: STM_ACCESS_* of the access */
	uint32_t msr;		/* RDMSR/WRMSR: ECX */
	uint16_t port, size;	/* I/O */
	uint8_t out, string, rep, is_write;
	uint32_t spe_type;	/* STM_PROTECTION_EXCEPTION_* when SPE, else 0 */
	uint32_t vmcall;	/* VMCALL: EAX */
};

/* Per-CPU counters of the SMM exits (for the log and the bench). */
struct stm_smm_stats {
	uint64_t exits, emulated, skipped, spe, spe_returns, aborts;
	uint64_t denied;	/* verdict DENY from the core */
};

/*
 * The protection-exception state of one CPU: set when the STM enters the
 * PSD's SpeRip handler, cleared at RETURN_FROM_PROTECTION_EXCEPTION.
 */
struct stm_spe_state {
	uint32_t active;	/* the SMM guest is in its SpeRip handler */
	uint32_t pad;
	uint64_t frame_lin;	/* the frame: guest-linear and physical */
	uint64_t frame_pa;
	uint64_t cs, ss;	/* selectors at the violation (kept) */
	uint64_t cr0, cr3;
	uint64_t rip;		/* the refused instruction ... */
	uint64_t insn_len;	/* ... and its length */
};

/*
 * Decode the exit (reason, qualification, GPRs) and decide, through the
 * policy core's SMM hooks (which write the event-log records:
 * EvtHandledProtectionException for a protected resource,
 * EvtBiosAccessToUnclaimedResource for one the BIOS list does not claim):
 *   - RSM (17)                   -> RSM
 *   - CPUID (10)                 -> EMULATE
 *   - RDMSR/WRMSR (31/32)        -> EMULATE if ALLOW/UNCLAIMED, else SPE
 *                                   when the PSD's SpeRip takes MSR
 *                                   violations, else SKIP (RDMSR reads 0);
 *                                   writes of IA32_SMM_MONITOR_CTL, SMRR
 *                                   and IA32_BIOS_UPDT_TRIG are SKIPped
 *   - I/O (30)                   -> the same with the I/O filter bit; string
 *                                   I/O is never emulated (SKIP or SPE)
 *   - EPT violation (48)         -> SPE / SKIP (page filter bit); RESUME if
 *                                   the core allows the access (the EPT was
 *                                   stale: the caller INVEPTs first)
 *   - VMCALL (18) EAX = 4        -> SPE_RETURN while in the handler; any
 *                                   other VMCALL: SKIP with EAX =
 *                                   STM_ERROR_INVALID_API (written to gpr)
 *   - INVD/WBINVD/HLT (13/54/12) -> SKIP
 *   - anything else, a VM-entry failure -> ABORT
 * A violation inside the SpeRip handler is SKIPped (never nested).
 * gpr[] is indexed by enum stm_gpr_id (RSP unused).
 */
enum stm_smm_action stm_rt_smm_exit_decide(struct stm_core *core, uint32_t cpu,
					   const struct stm_psd_info *psd,
					   uint64_t *gpr,
					   const struct stm_spe_state *spe,
					   struct stm_smm_exit *e);

/*
 * The SPE frame (STM_PROTECTION_EXCEPTION_STACK_FRAME_X64) goes below
 * SpeRsp: ((SpeRsp - sizeof(frame) - 0x10) & ~0xF) - 8, the placement the
 * reference STM uses (RSP + 8 16-byte aligned, as after a CALL).  The
 * handler is entered with RSP = that address.
 */
uint64_t stm_rt_spe_frame_addr(uint64_t spe_rsp);

/*
 * Enter the SpeRip handler (the SMM-guest VMCS is current): fill the
 * frame from the guest state (GPRs, CR0/CR3, RIP/CS/RFLAGS/RSP/SS, exit
 * information, error code e->spe_type) and write it through mem at the
 * frame's physical address (the guest's page tables at its CR3 are
 * walked), then set guest RIP = SpeRip, RSP = frame, SS = SpeSs and
 * *spe.  STM_SUCCESS, or STM_ERROR_PAGE_NOT_FOUND if the frame is not
 * mapped (nothing changed: the caller skips the access instead).
 */
uint32_t stm_rt_spe_enter(const struct stm_mem_ops *mem, void *ctx,
			  const struct stm_psd_info *psd,
			  const struct stm_smm_exit *e, const uint64_t *gpr,
			  struct stm_spe_state *spe);

/* What stm_rt_spe_return() refused to take from the frame. */
#define STM_SPE_IGN_RIP		0x1u	/* non-canonical RIP */
#define STM_SPE_IGN_RFLAGS	0x2u	/* reserved / VM / IOPL bits */
#define STM_SPE_IGN_SEG		0x4u	/* CS or SS changed */
#define STM_SPE_IGN_CR		0x8u	/* CR0 or CR3 changed */

/*
 * RETURN_FROM_PROTECTION_EXCEPTION (the SMM-guest VMCS is current):
 * reload GPRs, RIP, RFLAGS and RSP from the frame the handler may have
 * changed, restore CS/SS/CR0/CR3 of the violation.  Refused fields keep
 * their value at the violation; a frame RIP that still points at the
 * refused instruction (or is refused) resumes past it (EDK II's handler
 * skips it itself; re-executing it would loop on the same violation);
 * *ignored gets the STM_SPE_IGN_* mask.  STM_SUCCESS;
 * STM_ERROR_INVALID_API when not in the handler; STM_ERROR_PAGE_NOT_FOUND
 * if the frame became unreadable.
 */
uint32_t stm_rt_spe_return(const struct stm_mem_ops *mem, void *ctx,
			   uint64_t *gpr, struct stm_spe_state *spe,
			   uint32_t *ignored);

/* Advance the guest RIP past the exiting instruction (VMCS current). */
void stm_rt_guest_skip(const struct stm_smm_exit *e);

/*
 * The SMM guest's linear address lin -> physical, through its page tables
 * at cr3 (IA-32e 4-level paging with 1 GiB and 2 MiB pages when intel64,
 * else PAE-less 32-bit paging is not supported: linear = physical).
 * 0 and *pa, or -1 if not present.
 */
int stm_rt_guest_lin2phys(const struct stm_mem_ops *mem, void *ctx,
			  uint64_t cr3, int intel64, uint64_t lin,
			  uint64_t *pa);

/* For MSRs the VMCS holds (EFER, SYSENTER_*, FS/GS base): the guest field, else 0. */
uint32_t stm_rt_msr_vmcs_field(uint32_t msr);
/*
 * Emulate WRMSR to EFER for the SMM guest: SCE and NXE follow the write,
 * LME/LMA keep the guest's mode (the VM entry would refuse a change).
 * Returns the value to store in the guest EFER field.
 */
uint64_t stm_rt_efer_write(uint64_t old, uint64_t val);

#ifdef __cplusplus
}
#endif

#endif /* STM_SMM_GUEST_H */
