// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* SMM-side access hooks: verdicts and log records. */
#include <stdlib.h>
#include "tests.h"

static uint32_t bios(uint8_t *b)
{
	static const uint8_t lpc[] = { 0x1F, 0 };
	uint32_t l = 0;

	l += mk_mem(b + l, STM_MEM_RANGE, T_TSEG_BASE, T_TSEG_SIZE, 7);
	l += mk_mem(b + l, STM_MMIO_RANGE, 0xFED00000, 0x1000, 3);
	l += mk_mem(b + l, STM_MEM_RANGE, 0x500000, 0x3000, 1);	/* read only */
	l += mk_io(b + l, 0xB2, 2);
	l += mk_msr(b + l, 0x1F2, ~0ull, 0, 0);
	l += mk_pci(b + l, 0, 3, 0, 0x100, 1, lpc);
	return l;
}

static struct stm_log_entry *last(struct tenv *e)
{
	uint32_t s = stm_core_log_serial(e->c) - 1, i;

	for (i = 0; i < 32; i++)
		if (tlog_slot(e, i)->hdr.event_serial_number == s &&
		    (tlog_slot(e, i)->hdr.flags & STM_LOG_VALID))
			return tlog_slot(e, i);
	return tlog_slot(e, 31);
}

void test_smm_mem(void)
{
	struct tenv e;
	uint8_t b[512], n[64];
	uint32_t l;
	const struct stm_rsc_mem_desc *m;

	tenv_init(&e, 2);
	tenv_set_bios(&e, b, bios(b));
	tenv_launch(&e);
	tlog_start(&e, 2, STM_EVT_ENABLE_ALL);
	l = mk_mem(n, STM_MEM_RANGE, 0x300000, 0x2000, STM_RSC_MEM_W);
	CHECK_ST(tprotect(&e, n, l), STM_SUCCESS);

	/* SMM guest writes into the protected range: denied + HPE record */
	CHECK_EQ(stm_core_smm_mem(e.c, 0, 0x2FF000, 0x2000, STM_ACCESS_W), STM_VERDICT_DENY);
	CHECK_EQ(last(&e)->hdr.type, STM_EVT_HANDLED_PROTECTION_EXCEPTION);
	CHECK(!memcmp(last(&e)->data, n, l));
	/* reading it is fine as far as the MLE is concerned, but unclaimed */
	CHECK_EQ(stm_core_smm_mem(e.c, 0, 0x300000, 8, STM_ACCESS_R), STM_VERDICT_UNCLAIMED);
	m = (const struct stm_rsc_mem_desc *)last(&e)->data;
	CHECK_EQ(last(&e)->hdr.type, STM_EVT_BIOS_ACCESS_TO_UNCLAIMED_RESOURCE);
	CHECK_EQ(m->hdr.rsc_type, STM_MEM_RANGE);
	CHECK_EQ(m->base, 0x300000);
	CHECK_EQ(m->length, 1);
	CHECK_EQ(m->rwx_attributes, STM_RSC_MEM_R);
	/* claimed by the BIOS list */
	CHECK_EQ(stm_core_smm_mem(e.c, 0, T_TSEG_BASE, 0x1000, 7), STM_VERDICT_ALLOW);
	CHECK_EQ(stm_core_smm_mem(e.c, 0, 0xFED00010, 4, STM_ACCESS_W), STM_VERDICT_ALLOW);
	CHECK_EQ(stm_core_smm_mem(e.c, 0, 0x501000, 0x2000, STM_ACCESS_R), STM_VERDICT_ALLOW);
	/* BIOS node is read-only: a write is not claimed; range partly outside */
	CHECK_EQ(stm_core_smm_mem(e.c, 0, 0x501000, 4, STM_ACCESS_W), STM_VERDICT_UNCLAIMED);
	CHECK_EQ(stm_core_smm_mem(e.c, 0, 0x502000, 0x2000, STM_ACCESS_R),
		 STM_VERDICT_UNCLAIMED);
	/* MSEG is never accessible to the SMM guest */
	CHECK_EQ(stm_core_smm_mem(e.c, 0, T_MSEG_BASE, 4, STM_ACCESS_R), STM_VERDICT_DENY);
	/* not the STM's business on a CPU where it is not active */
	CHECK_ST(tcall(&e, 1, STM_API_STOP, 0, 0).eax, STM_SUCCESS);
	CHECK_EQ(stm_core_smm_mem(e.c, 1, 0x300000, 8, STM_ACCESS_W), STM_VERDICT_ALLOW);
	CHECK_EQ(stm_core_smm_mem(e.c, 7, 0x300000, 8, STM_ACCESS_W), STM_VERDICT_ALLOW);
	/* unprotect re-opens */
	CHECK_ST(tunprotect(&e, n, l), STM_SUCCESS);
	CHECK_EQ(stm_core_smm_mem(e.c, 0, 0x300000, 8, STM_ACCESS_W), STM_VERDICT_UNCLAIMED);
	tenv_free(&e);
}

void test_smm_io_msr_pci(void)
{
	static const uint8_t nic[] = { 3, 0 }, lpc[] = { 0x1F, 0 };
	struct tenv e;
	uint8_t b[512], n[256];
	uint32_t l = 0;
	const struct stm_rsc_msr_desc *msr;
	const struct stm_rsc_pci_cfg_desc *pci;
	const struct stm_rsc_io_desc *io;

	tenv_init(&e, 1);
	tenv_set_bios(&e, b, bios(b));
	tenv_launch(&e);
	tlog_start(&e, 2, STM_EVT_ENABLE_ALL);
	l += mk_io(n + l, 0x3F8, 8);
	l += mk_msr(n + l, 0x3A, 0, ~0ull, 0);
	l += mk_pci(n + l, 1, STM_RSC_PCI_CFG_W, 0, 0x1000, 1, nic);
	CHECK_ST(tprotect(&e, n, l), STM_SUCCESS);

	CHECK_EQ(stm_core_smm_io(e.c, 0, 0x3F6, 4, 1), STM_VERDICT_DENY);
	CHECK_EQ(last(&e)->hdr.type, STM_EVT_HANDLED_PROTECTION_EXCEPTION);
	CHECK(!memcmp(last(&e)->data, n, 16));
	CHECK_EQ(stm_core_smm_io(e.c, 0, 0xB2, 1, 1), STM_VERDICT_ALLOW);
	CHECK_EQ(stm_core_smm_io(e.c, 0, 0xB3, 2, 0), STM_VERDICT_UNCLAIMED);
	io = (const struct stm_rsc_io_desc *)last(&e)->data;
	CHECK_EQ(io->base, 0xB3);
	CHECK_EQ(io->length, 2);

	CHECK_EQ(stm_core_smm_msr(e.c, 0, 0x3A, 1), STM_VERDICT_DENY);
	CHECK(!memcmp(last(&e)->data, n + 16, 32));
	CHECK_EQ(stm_core_smm_msr(e.c, 0, 0x3A, 0), STM_VERDICT_UNCLAIMED);
	msr = (const struct stm_rsc_msr_desc *)last(&e)->data;
	CHECK_EQ(msr->msr_index, 0x3A);
	CHECK_EQ(msr->read_mask, ~0ull);
	CHECK_EQ(msr->write_mask, 0);
	CHECK_EQ(stm_core_smm_msr(e.c, 0, 0x1F2, 0), STM_VERDICT_ALLOW);
	CHECK_EQ(stm_core_smm_msr(e.c, 0, 0x1F2, 1), STM_VERDICT_UNCLAIMED);

	CHECK_EQ(stm_core_smm_pci(e.c, 0, 1, 3, 0, 0x10, 1), STM_VERDICT_DENY);
	CHECK(!memcmp(last(&e)->data, n + 48, 22));
	CHECK_EQ(stm_core_smm_pci(e.c, 0, 1, 3, 0, 0x10, 0), STM_VERDICT_UNCLAIMED);
	CHECK_EQ(stm_core_smm_pci(e.c, 0, 0, 0x1F, 0, 0x40, 1), STM_VERDICT_ALLOW);
	CHECK_EQ(stm_core_smm_pci(e.c, 0, 0, 0x1F, 0, 0x100, 0), STM_VERDICT_UNCLAIMED);
	pci = (const struct stm_rsc_pci_cfg_desc *)last(&e)->data;
	CHECK_EQ(last(&e)->hdr.type, STM_EVT_BIOS_ACCESS_TO_UNCLAIMED_RESOURCE);
	CHECK_EQ(pci->hdr.length, 22);
	CHECK_EQ(pci->base, 0x100);
	CHECK_EQ(pci->originating_bus_number, 0);
	CHECK_EQ(pci->pci_device_path[0].pci_device, 0x1F);
	CHECK_EQ(pci->rw_attributes, STM_RSC_PCI_CFG_R);
	(void)lpc;
	tenv_free(&e);
}
