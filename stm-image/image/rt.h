/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The bundled STM runtime: per-CPU state, the registers the host entry
 * stubs save, the global runtime state and the host-entry dispatch.
 *
 * Two VMCSs per CPU (SDM Vol. 3C 32.15):
 *   - the SMI-transfer VMCS (the "SMM-transfer VMCS" of the SDM) holds the
 *     executive monitor's state; its host RIP is stm_rt_host_smi (hostentry.S),
 *     which calls stm_rt_smi_exit() on every SMM VM exit: VMCALL (18) from
 *     the executive monitor -> stm_rt_exec_vmcall() (vmcall.c); SMI (5/6)
 *     -> stm_rt_smi() (the SMI path);
 *   - the SMM-guest VMCS runs the firmware's SMI handler ("entry to SMM");
 *     its host RIP is stm_rt_host_smm, which calls stm_rt_smm_exit().
 *
 * The stubs save the guest GPRs in a struct stm_rt_regs on the CPU's host
 * stack, call the C function, and then enter the current VMCS with the
 * (possibly changed) registers: VMRESUME if the C function returned
 * STM_RT_RESUME, VMLAUNCH for STM_RT_LAUNCH (a VMCS made current by
 * VMPTRLD after VMCLEAR).  A failed VM entry calls stm_rt_entry_failed().
 *
 * Per-CPU memory (Documentation/stm-image.rst, "Memory layout in MSEG"):
 * the CPU with arrival index i owns its stack area [EspOffset +
 * i * STM_STACK_SIZE, + STM_STACK_SIZE) with struct stm_rt_cpu at
 * +STM_RT_CPU_OFF (CPU 0's arrival counter is below it) and the host stack
 * at the top, and the VMCS pair after all N stacks: the SMI-transfer VMCS
 * at EspOffset + N * STM_STACK_SIZE + 2i * V, the SMM-guest VMCS at
 * + (2i + 1) * V (V = VMCS size from IA32_VMX_BASIC[44:32], page rounded).
 * An arrival i >= N owns nothing there: it runs on the refusal stack
 * (STM_REFUSE_STACK_SIZE) with a refusal record (activate.c).
 */
#ifndef STM_RT_H
#define STM_RT_H

#include "stm_image.h"

#define STM_RT_CPU_OFF		0x40	/* below: CPU 0's arrival counter */

/* Return values of the exit handlers: how the stub enters the VMCS. */
#define STM_RT_RESUME		0	/* VMRESUME the current VMCS */
#define STM_RT_LAUNCH		1	/* VMLAUNCH the current VMCS */

/* Offsets for hostentry.S and entry.S (checked below). */
#define STM_RT_REGS_SIZE	120
/*
 * struct stm_rt_stack_top: the top 16 bytes of every CPU's stack, the
 * host RSP of its VMCSs; the activation frame (entry.S) lies below it.
 */
#define STM_RT_STACK_TOP_SIZE	16
/*
 * The one stack in the static image (entry.S, .bss) that an arrival the
 * launch does not admit runs on, under a lock, to return its refusal: its
 * computed area may be another CPU's VMCS pair or lie past MSEG. The
 * refusal path is short (no core call, no PSD read): 8 KiB.
 */
#define STM_REFUSE_STACK_SIZE	0x2000
/* frame->claim bit 63: the arrival runs on the refusal stack */
#define STM_RT_CLAIM_REFUSED	0x8000000000000000ull

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stm/vmcs.h>
#include <stm/core.h>
#include <stm/runtime.h>
#include <stm/smm_guest.h>

#pragma GCC visibility push(hidden)

/*
 * Guest GPRs as the host entry stubs push them, lowest address first (the
 * same order as struct stm_entry_frame, so the activation frame is one).
 * RSP, RIP and RFLAGS are in the VMCS.
 */
struct stm_rt_regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rbx, rdx, rcx, rax;
};

STM_STATIC_ASSERT(sizeof(struct stm_rt_regs) == STM_RT_REGS_SIZE,
		  "regs layout matches hostentry.S");

/* struct stm_rt_cpu.state */
enum stm_rt_cpu_state {
	STM_RT_CPU_OFF_STATE = 0,	/* no activation on this index */
	STM_RT_CPU_RUNNING,		/* in the executive monitor (SMI-transfer VMCS) */
	STM_RT_CPU_IN_SMM,		/* running the SMM guest */
	STM_RT_CPU_STOPPED,		/* STOP returned with "deactivate" */
};

struct stm_rt_cpu {
	uint32_t index;			/* arrival index (the core's cpu number) */
	uint32_t apic_id;		/* initial APIC id (CPUID.1:EBX[31:24]) */
	uint32_t state;			/* enum stm_rt_cpu_state */
	uint32_t smbase;		/* activation VMCS guest SMBASE */
	uint64_t smi_vmcs_pa;		/* SMI-transfer VMCS (our copy) */
	uint64_t smm_vmcs_pa;		/* SMM-guest VMCS */
	uint64_t host_rsp;		/* host RSP of both VMCSs */
	uint64_t activation_vmcs_pa;	/* the executive's VMCS at activation */
	uint64_t psd_pa;		/* SMBASE + 0xFB00 */
	struct stm_psd_info psd;	/* checked PSD of this CPU */
	uint32_t smm_launched;		/* SMM-guest VMCS launched once */
	uint32_t ept_gen;		/* rt->ept_gen this CPU last INVEPTed for */
	uint32_t last_status;		/* status of the last executive VMCALL */
	uint32_t pad;
	uint64_t vmcalls, smis;		/* counters, for the log and the bench */
};

/* At host RSP, the top of the CPU's stack (above the activation frame). */
struct stm_rt_stack_top {
	struct stm_rt_cpu *cpu;
	uint64_t pad;
};

STM_STATIC_ASSERT(sizeof(struct stm_rt_stack_top) == STM_RT_STACK_TOP_SIZE,
		  "stack top slot matches entry.S");

/* Global runtime state. */
struct stm_rt {
	uint64_t mseg_base, mseg_size;	/* IA32_SMM_MONITOR_CTL / SMRR */
	uint64_t tseg_base, tseg_size;	/* SMRR */
	uint64_t esp_base;		/* MSEG + EspOffset: per-CPU areas */
	uint32_t ncpus;			/* firmware's MADT count */
	uint32_t phys_bits;		/* CPUID 0x80000008 EAX[7:0] */
	uint32_t vmcs_rev;		/* IA32_VMX_BASIC[30:0] */
	uint32_t vmcs_size;		/* IA32_VMX_BASIC[44:32], page rounded */
	uint32_t pad;
	uint32_t active;		/* CPUs with an index (activations - stops) */
	uint32_t ept_gen;		/* bumped by protection changes (__atomic) */
	uint32_t lock;			/* serialises the core (spin lock) */
	struct stm_psd_info psd;	/* the first CPU's PSD */
	struct stm_core *core;		/* in the heap */
	uint64_t heap_base, heap_size;	/* what stm_rt_alloc() hands out */
	uint64_t heap_used;
	uint64_t host_cr3;		/* host paging (MSEG + Cr3Offset) */
};

extern struct stm_rt stm_rt;

/* Host-entry dispatch (hostentry.S calls these with the CPU and its regs). */
int stm_rt_smi_exit(struct stm_rt_cpu *cpu, struct stm_rt_regs *regs);
int stm_rt_smm_exit(struct stm_rt_cpu *cpu, struct stm_rt_regs *regs);
void stm_rt_entry_failed(struct stm_rt_cpu *cpu, struct stm_rt_regs *regs,
			 int launch);

/* stmrt2: the executive monitor's VMCALLs (exit reason 18, from root). */
int stm_rt_exec_vmcall(struct stm_rt_cpu *cpu, struct stm_rt_regs *regs);
/* stmrt3: an SMI (exit reason 5 or 6) on the SMI-transfer VMCS. */
int stm_rt_smi(struct stm_rt_cpu *cpu, struct stm_rt_regs *regs);

/*
 * stmrt3's hooks, called by stmrt2 with the core lock held (weak stubs in
 * hooks.c return STM_SUCCESS so this branch links alone):
 *   smm_init     once, on the first CPU's activation, after the core is up:
 *                EPT, I/O and MSR bitmaps
 *   smm_cpu_init per CPU at activation: build the SMM-guest VMCS
 *                (cpu->smm_vmcs_pa) from the PSD; the SMI-transfer VMCS
 *                is current when it returns
 *   protection_changed  after a successful PROTECT/UNPROTECT: bring EPT
 *                and bitmaps in line, bump stm_rt.ept_gen (each CPU
 *                INVEPTs on its next SMI); a failure status is returned
 *                to the executive monitor
 *   smm_cpu_stop per CPU at STOP
 */
uint32_t stm_rt_smm_init(void);
uint32_t stm_rt_smm_cpu_init(struct stm_rt_cpu *cpu);
uint32_t stm_rt_protection_changed(uint32_t api, uint64_t list_pa);
void stm_rt_smm_cpu_stop(struct stm_rt_cpu *cpu);

/* ---- VMCS construction (vmcs_build.c: pure C, unit-tested) ---- */

#define STM_RT_SNAP_MAX		64

/* Values of the activation VMCS fields the SMI-transfer VMCS takes over. */
struct stm_rt_vmcs_snap {
	uint64_t val[STM_RT_SNAP_MAX];
};

/*
 * The STM's host state (written by stm_rt_vmcs_host_write(), the same
 * for the SMM-guest VMCS but for RIP) and the CPU's VMX capability MSRs.
 */
struct stm_rt_host {
	struct stm_vmcs_host state;
	uint64_t rip;
	/* IA32_VMX_[TRUE_]PINBASED/PROCBASED/EXIT/ENTRY_CTLS */
	uint64_t pin_cap, proc_cap, exit_cap, entry_cap;
};

uint32_t stm_rt_snap_nfields(void);
uint32_t stm_rt_snap_field(uint32_t i);
void stm_rt_vmcs_snapshot(struct stm_rt_vmcs_snap *s);
uint64_t stm_rt_snap_get(const struct stm_rt_vmcs_snap *s, uint32_t field);
uint32_t stm_rt_ctl_adjust(uint64_t cap, uint32_t want);
int stm_rt_ctl_ok(uint64_t cap, uint32_t want);
uint32_t stm_rt_smi_vmcs_write(const struct stm_rt_vmcs_snap *s,
			       const struct stm_rt_host *h);
uint64_t stm_rt_vmcall_rflags(uint64_t rflags, uint32_t status);
void stm_rt_vmcall_complete(struct stm_rt_regs *regs, uint32_t status,
			    uint64_t insn_len);
void stm_rt_smrr_range(uint64_t physbase, uint64_t physmask,
		       uint32_t phys_bits, uint64_t *base, uint64_t *size);
int stm_rt_mseg_room(uint64_t mseg_base, uint64_t need, uint64_t tseg_base,
		     uint64_t tseg_size);

/* activate.c */
/*
 * How many arrivals own a stack area in this launch: 0 while arrival 0
 * sets the launch up, then the MADT count N (1 if the launch failed).
 * entry.S reads it; arrivals from it on take the refusal stack.
 */
extern uint32_t stm_rt_own_stacks;
extern uint8_t stm_refuse_stack_top[];
struct stm_rt_cpu *stm_rt_cpu_at(uint32_t index);
void stm_rt_release_index(struct stm_rt_cpu *cpu);
const struct stm_mem_ops *stm_rt_mem_ops(void);	/* identity, < 4 GiB, not MSEG */
void stm_rt_exception(struct stm_rt_regs *regs);

/* Runtime helpers (runtime.c, vmx.c) */
void stm_rt_lock(void);
void stm_rt_unlock(void);
void *stm_rt_alloc(uint64_t size);	/* page-aligned, zeroed; NULL if full */
/* __printf: defined by image/Makefile (and the tests' build) */
__printf(1, 2) void stm_rt_log(const char *fmt, ...);

/* hostentry.S */
extern const uint8_t stm_rt_host_smi[];
extern const uint8_t stm_rt_host_smm[];
extern const uint8_t stm_rt_exception_entry[];

#pragma GCC visibility pop
#endif /* !__ASSEMBLER__ */

#endif /* STM_RT_H */
