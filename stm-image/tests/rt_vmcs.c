// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The SMI-transfer VMCS built from the activation VMCS and the return of
 * an executive VMCALL (image/vmcs_build.c), against a fake VMCS: an array
 * indexed by field encoding behind stm_vmread()/stm_vmwrite().
 */
#include "rt_tests.h"
#include "rt.h"
#include "rt_fakevmcs.h"

/* the fake VMCS of rt_fakevmcs.c (shared with the SMI-path tests) */
#define fake		rt_vmcs_val
#define written		rt_vmcs_wr
#define bad_writes	rt_vmcs_bad_writes()
#define fake_reset	rt_vmcs_reset

/* A plausible activation VMCS: a 64-bit executive at its VMCALL. */
static void fake_activation(void)
{
	uint32_t i;

	fake_reset();
	for (i = 0; i < stm_rt_snap_nfields(); i++) {
		uint32_t f = stm_rt_snap_field(i);

		fake[f] = 0x1000ull * (i + 1) + f;
	}
	fake[VMCS_GUEST_CS_AR] = 0xA09B;	/* 64-bit code, L = 1 */
	fake[VMCS_GUEST_INTERRUPTIBILITY] = VMX_INTR_BLOCK_SMI |
					    VMX_INTR_BLOCK_STI;
	fake[VMCS_GUEST_ACTIVITY] = 1;
	fake[VMCS_GUEST_RIP] = 0xffffffffc0001000ull;
	fake[VMCS_GUEST_RFLAGS] = 0x246;	/* IF, ZF, PF */
	fake[VMCS_EXIT_REASON] = VMX_REASON_VMCALL | VMX_EXIT_FROM_ROOT;
	fake[VMCS_EXIT_INSN_LEN] = 3;
	fake[VMCS_GUEST_SMBASE] = 0xA0000;
	fake[VMCS_EXECUTIVE_VMCS_PTR] = 0x7000;	/* the VMXON pointer */
	fake[VMCS_LINK_POINTER] = 0x8000;	/* the activation VMCS */
}

/* allowed-0 (must be 1) in bits 31:0, allowed-1 in bits 63:32 */
static uint64_t cap(uint32_t must, uint32_t may)
{
	return (uint64_t)(may | must) << 32 | must;
}

static void host_fill(struct stm_rt_host *h)
{
	memset(h, 0, sizeof(*h));
	h->state.cr0 = 0x80000031;
	h->state.cr3 = 0x10264000;
	h->state.cr4 = 0x2020;
	h->state.cs = 0x38;
	h->state.ss = 0x40;
	h->state.ds = 0x40;
	h->state.es = 0x40;
	h->state.fs = 0x40;
	h->state.gs = 0x40;
	h->state.tr = 0x28;
	h->state.tr_base = 0x10203000;
	h->state.gdtr_base = 0x10201000;
	h->state.idtr_base = 0x10208000;
	h->state.rsp = 0x10390F00;
	h->rip = 0x10202040;
	h->pin_cap = cap(0x16, 0x7F);
	h->proc_cap = cap(0x0401E172, 0xFFFFFFFF);
	h->exit_cap = cap(0x00036DFF, 0x003FFFFF);
	h->entry_cap = cap(0x000011FF, 0x0000FFFF);
}

void test_rt_vmcs_smi_from_activation(void)
{
	struct stm_rt_vmcs_snap snap;
	struct stm_rt_host h;
	uint32_t i, entry, exit_ctls;

	fake_activation();
	stm_rt_vmcs_snapshot(&snap);
	CHECK_EQ(stm_rt_snap_get(&snap, VMCS_GUEST_SMBASE), 0xA0000);
	CHECK_EQ(stm_rt_snap_get(&snap, VMCS_EXIT_INSN_LEN), 3);
	CHECK_EQ(stm_rt_snap_get(&snap, 0x1234), 0);	/* not in the list */

	/* the fresh SMI-transfer VMCS */
	fake_reset();
	host_fill(&h);
	CHECK_EQ(stm_rt_smi_vmcs_write(&snap, &h), STM_SUCCESS);
	CHECK_EQ(bad_writes, 0);

	/* every guest field of the executive is taken over */
	for (i = 0; i < stm_rt_snap_nfields(); i++) {
		uint32_t f = stm_rt_snap_field(i);

		if (((f >> 10) & 3u) == 1u) {
			CHECK(!written[f]);	/* exit information: read-only */
			continue;
		}
		if (f == VMCS_GUEST_INTERRUPTIBILITY || f == VMCS_GUEST_ACTIVITY)
			continue;
		CHECK(written[f]);
		CHECK_EQ(fake[f], snap.val[i]);
	}
	CHECK_EQ(fake[VMCS_EXECUTIVE_VMCS_PTR], 0x7000);
	CHECK_EQ(fake[VMCS_LINK_POINTER], 0x8000);
	CHECK_EQ(fake[VMCS_GUEST_SMBASE], 0xA0000);
	/* SMIs unblocked on the return to root (32.15.4.9), CPU active */
	CHECK_EQ(fake[VMCS_GUEST_INTERRUPTIBILITY], VMX_INTR_BLOCK_STI);
	CHECK_EQ(fake[VMCS_GUEST_ACTIVITY], 0);
	CHECK(written[VMCS_ENTRY_INTR_INFO] && fake[VMCS_ENTRY_INTR_INFO] == 0);

	/* controls: allowed-0 bits set, allowed-1 respected, what we want */
	entry = (uint32_t)fake[VMCS_ENTRY_CONTROLS];
	exit_ctls = (uint32_t)fake[VMCS_EXIT_CONTROLS];
	CHECK(entry & VMX_ENTRY_IA32E_GUEST);
	CHECK(!(entry & (VMX_ENTRY_TO_SMM | VMX_ENTRY_DEACTIVATE_DM |
			 VMX_ENTRY_LOAD_EFER | VMX_ENTRY_LOAD_PAT)));
	CHECK_EQ(entry & 0x1FFu & ~0u, 0x1FF & 0x1FFu);	/* allowed-0 */
	CHECK(exit_ctls & VMX_EXIT_HOST_64);
	CHECK(!(exit_ctls & (VMX_EXIT_LOAD_EFER | VMX_EXIT_SAVE_EFER |
			     VMX_EXIT_ACK_INTR)));
	CHECK_EQ(exit_ctls & ~(uint32_t)(h.exit_cap >> 32), 0);
	CHECK_EQ(fake[VMCS_PIN_CONTROLS], 0x16);
	CHECK_EQ(fake[VMCS_PROC_CONTROLS], 0x0401E172);

	/* the STM's host state */
	CHECK_EQ(fake[VMCS_HOST_CR0], h.state.cr0);
	CHECK_EQ(fake[VMCS_HOST_CR3], h.state.cr3);
	CHECK_EQ(fake[VMCS_HOST_CR4], h.state.cr4);
	CHECK_EQ(fake[VMCS_HOST_CS_SEL], 0x38);
	CHECK_EQ(fake[VMCS_HOST_SS_SEL], 0x40);
	CHECK_EQ(fake[VMCS_HOST_GS_SEL], 0x40);
	CHECK_EQ(fake[VMCS_HOST_TR_SEL], 0x28);
	CHECK_EQ(fake[VMCS_HOST_TR_BASE], h.state.tr_base);
	CHECK_EQ(fake[VMCS_HOST_GDTR_BASE], h.state.gdtr_base);
	CHECK_EQ(fake[VMCS_HOST_IDTR_BASE], h.state.idtr_base);
	CHECK_EQ(fake[VMCS_HOST_RSP], h.state.rsp);
	CHECK_EQ(fake[VMCS_HOST_RIP], h.rip);
	CHECK(written[VMCS_HOST_FS_BASE] && written[VMCS_HOST_SYSENTER_EIP]);
}

void test_rt_vmcs_refusals(void)
{
	struct stm_rt_vmcs_snap snap;
	struct stm_rt_host h;

	fake_activation();
	stm_rt_vmcs_snapshot(&snap);
	host_fill(&h);
	/* no 64-bit host possible */
	h.exit_cap = cap(0x00036DFF, 0x003FFFFF & ~VMX_EXIT_HOST_64);
	CHECK_EQ(stm_rt_smi_vmcs_write(&snap, &h), STM_ERROR_UNSPECIFIED);
	/* a 64-bit executive on a CPU without IA-32e guests */
	host_fill(&h);
	h.entry_cap = cap(0x000011FF, 0x0000FFFF & ~VMX_ENTRY_IA32E_GUEST);
	CHECK_EQ(stm_rt_smi_vmcs_write(&snap, &h), STM_ERROR_UNSPECIFIED);
	/* a 32-bit executive does not need it */
	fake_activation();
	fake[VMCS_GUEST_CS_AR] = 0xC09B;
	stm_rt_vmcs_snapshot(&snap);
	fake_reset();
	CHECK_EQ(stm_rt_smi_vmcs_write(&snap, &h), STM_SUCCESS);
	CHECK(!(fake[VMCS_ENTRY_CONTROLS] & VMX_ENTRY_IA32E_GUEST));
	/* control arithmetic */
	CHECK_EQ(stm_rt_ctl_adjust(cap(0x5, 0xF0), 0x102), 0x5);
	CHECK_EQ(stm_rt_ctl_adjust(cap(0x5, 0xF0), 0x10), 0x15);
	CHECK(stm_rt_ctl_ok(cap(0x5, 0xF0), 0x14));
	CHECK(!stm_rt_ctl_ok(cap(0x5, 0xF0), 0x100));
}

void test_rt_vmcall_return(void)
{
	struct stm_rt_regs regs;

	/* RFLAGS: arithmetic flags cleared, CF = error, IF and others kept */
	CHECK_EQ(stm_rt_vmcall_rflags(0x2C7, STM_SUCCESS), 0x202);
	CHECK_EQ(stm_rt_vmcall_rflags(0x2C7, STM_ERROR_INVALID_PARAMETER), 0x203);
	CHECK_EQ(stm_rt_vmcall_rflags(0x0, STM_SUCCESS), 0x2);
	CHECK_EQ(stm_rt_vmcall_rflags(0x40000 | 0x100, STM_ERROR_STOPPED),
		 0x40000 | 0x100 | 0x3);

	fake_reset();
	fake[VMCS_GUEST_RIP] = 0xffffffffc0001000ull;
	fake[VMCS_GUEST_RFLAGS] = 0x246;
	memset(&regs, 0xA5, sizeof(regs));
	stm_rt_vmcall_complete(&regs, STM_ERROR_ALREADY_STARTED, 3);
	CHECK_EQ(fake[VMCS_GUEST_RIP], 0xffffffffc0001003ull);
	CHECK_EQ(fake[VMCS_GUEST_RFLAGS], 0x203);
	CHECK_EQ(regs.rax, STM_ERROR_ALREADY_STARTED);
	CHECK_EQ(regs.rbx, 0xA5A5A5A5A5A5A5A5ull);	/* untouched */
	stm_rt_vmcall_complete(&regs, STM_SUCCESS, 3);
	CHECK_EQ(fake[VMCS_GUEST_RIP], 0xffffffffc0001006ull);
	CHECK_EQ(fake[VMCS_GUEST_RFLAGS], 0x202);
	CHECK_EQ(regs.rax, 0);
}

void test_rt_smrr_range(void)
{
	uint64_t b, sz;

	/* the stmfw firmware: 128 KiB at 0xA0000, 32-bit mask, 40-bit CPU */
	stm_rt_smrr_range(0xA0006, 0xFFFE0800, 40, &b, &sz);
	CHECK_EQ(b, 0xA0000);
	CHECK_EQ(sz, 0x20000);
	/* the same with the full-width mask */
	stm_rt_smrr_range(0xA0006, 0xFFFFFE0800ull, 40, &b, &sz);
	CHECK_EQ(b, 0xA0000);
	CHECK_EQ(sz, 0x20000);
	/* 8 MiB TSEG at 0x7F800000 */
	stm_rt_smrr_range(0x7F800006, 0xFF800800, 36, &b, &sz);
	CHECK_EQ(b, 0x7F800000);
	CHECK_EQ(sz, 0x800000);
	/* invalid (bit 11 clear) or empty mask: no TSEG */
	stm_rt_smrr_range(0xA0006, 0xFFFE0000, 40, &b, &sz);
	CHECK_EQ(sz, 0);
	CHECK_EQ(b, 0);
	stm_rt_smrr_range(0xA0006, 0x800, 40, &b, &sz);
	CHECK_EQ(sz, 0);
}

/* MSEG inside TSEG must hold the CPUs' share; outside, nothing is known */
void test_rt_mseg_room(void)
{
	/* 8 MiB TSEG at 0x7F800000, 2 MiB MSEG at its top */
	CHECK_EQ(stm_rt_mseg_room(0x7FE00000, 0x16E000, 0x7F800000, 0x800000), 1);
	CHECK_EQ(stm_rt_mseg_room(0x7FE00000, 0x200000, 0x7F800000, 0x800000), 1);
	CHECK_EQ(stm_rt_mseg_room(0x7FE00000, 0x201000, 0x7F800000, 0x800000), 0);
	/* 1 MiB MSEG: 2 CPUs of the default image (0x16E000) do not fit */
	CHECK_EQ(stm_rt_mseg_room(0x7FF00000, 0x16E000, 0x7F800000, 0x800000), 0);
	/* MSEG at the TSEG base: the whole TSEG */
	CHECK_EQ(stm_rt_mseg_room(0x7F800000, 0x800000, 0x7F800000, 0x800000), 1);
	CHECK_EQ(stm_rt_mseg_room(0x7F800000, 0x800001, 0x7F800000, 0x800000), 0);
	/* no SMRR, or MSEG outside TSEG (stmfw): cannot tell, not refused */
	CHECK_EQ(stm_rt_mseg_room(0x10200000, ~0ull, 0, 0), 1);
	CHECK_EQ(stm_rt_mseg_room(0x10200000, ~0ull, 0xA0000, 0x20000), 1);
	CHECK_EQ(stm_rt_mseg_room(0x7F000000, ~0ull, 0x7F800000, 0x800000), 1);
	CHECK_EQ(stm_rt_mseg_room(0x80000000, ~0ull, 0x7F800000, 0x800000), 1);
}
