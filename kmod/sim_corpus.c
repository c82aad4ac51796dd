// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: a corpus of BIOS resource lists for the simulated STM.
 *
 * backend=sim normally gives the simulated STM a minimal BIOS list. With
 * sim_bios=NAME it gives it one of the lists below instead, encoded with
 * the wire.h descriptors exactly as firmware would place it behind the PSD
 * BiosHwResourceRequirementsPtr. The good lists follow the shapes that the
 * reference platforms build (stm-interface.md 5.6: coreboot's and the
 * EDK II STM package's StmPlatformResource.c): TSEG, flash, the ACPI PM
 * I/O block, the PCIe ECAM window, the local APIC page, the software-SMI
 * port 0xb2 as trapped I/O, the LPC bridge's configuration space and the
 * SMRR MSRs read-only. The bad ones add one descriptor (always the last,
 * index 9 on the coreboot shape) that breaks an isolation requirement.
 *
 * Addresses are fixed (TSEG below 2 GiB: the test guest has 1 GiB of RAM)
 * except two that real firmware takes from the machine as well: the ACPI
 * PM base is the FADT's PM1a event block (0x1800, the PCH default, without
 * ACPI), and bad-kernel-text claims the page of an exported kernel
 * function. The expected isolation levels are in
 * Documentation/admin-guide/stmexec-policy.rst.
 */
#include "stmexec.h"
#include "backend.h"

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <asm/msr-index.h>
#include <asm/page.h>

static char *sim_bios = "";
module_param(sim_bios, charp, 0444);
MODULE_PARM_DESC(sim_bios,
		 "backend=sim: BIOS resource list from the test corpus (coreboot, coreboot-16m-tseg, edk2, legacy-kbc, bad-all-ram, bad-kernel-text, bad-efer, bad-lstar); empty: the backend's own");

#define U64_ALL		(~0ULL)

struct lb {
	u8 *p;
	size_t cap, len;
	int err;
	u16 pmbase;	/* the machine's ACPI PM base, or the usual 0x1800 */
};

static void *lb_node(struct lb *b, u32 type, u16 len)
{
	struct stm_rsc_desc_header *h;

	if (b->err || b->len + len > b->cap) {
		b->err = -ENOSPC;
		return NULL;
	}
	h = (void *)(b->p + b->len);
	memset(h, 0, len);
	h->rsc_type = type;
	h->length = len;
	b->len += len;
	return h;
}

static void lb_mem(struct lb *b, u32 type, u64 base, u64 len, u32 rwx)
{
	struct stm_rsc_mem_desc *d = lb_node(b, type, STM_RSC_MEM_SIZE);

	if (!d)
		return;
	d->base = base;
	d->length = len;
	d->rwx_attributes = rwx;
}

static void lb_io(struct lb *b, u16 base, u16 len)
{
	struct stm_rsc_io_desc *d = lb_node(b, STM_IO_RANGE, STM_RSC_IO_SIZE);

	if (!d)
		return;
	d->base = base;
	d->length = len;
}

static void lb_trapped(struct lb *b, u16 base, u16 len, u16 flags)
{
	struct stm_rsc_trapped_io_desc *d =
		lb_node(b, STM_TRAPPED_IO_RANGE, STM_RSC_TRAPPED_IO_SIZE);

	if (!d)
		return;
	d->base = base;
	d->length = len;
	d->flags = flags;
}

static void lb_msr(struct lb *b, u32 msr, bool kmp, u64 rmask, u64 wmask)
{
	struct stm_rsc_msr_desc *d =
		lb_node(b, STM_MACHINE_SPECIFIC_REG, STM_RSC_MSR_SIZE);

	if (!d)
		return;
	d->msr_index = msr;
	d->kernel_mode_processing = kmp ? STM_RSC_MSR_KERNEL_MODE_PROCESSING : 0;
	d->read_mask = rmask;
	d->write_mask = wmask;
}

/* Whole function; @path: (device, function) pairs from @bus, last = target. */
static void lb_pci(struct lb *b, u8 bus, const u8 (*path)[2], u8 nodes)
{
	struct stm_rsc_pci_cfg_desc *d =
		lb_node(b, STM_PCI_CFG_RANGE, STM_RSC_PCI_CFG_LEN(nodes - 1));
	u8 i;

	if (!d)
		return;
	d->rw_attributes = STM_RSC_PCI_CFG_R | STM_RSC_PCI_CFG_W;
	d->base = 0;
	d->length = 0x1000;
	d->originating_bus_number = bus;
	d->last_node_index = nodes - 1;
	for (i = 0; i < nodes; i++) {
		d->pci_device_path[i].type = STM_PCI_DEVICE_PATH_TYPE_HW;
		d->pci_device_path[i].subtype = STM_PCI_DEVICE_PATH_SUBTYPE_PCI;
		d->pci_device_path[i].length = sizeof(d->pci_device_path[i]);
		d->pci_device_path[i].pci_device = path[i][0];
		d->pci_device_path[i].pci_function = path[i][1];
	}
}

static void lb_end(struct lb *b)
{
	lb_node(b, STM_END_OF_RESOURCES, STM_RSC_END_SIZE);
}

#define RWX	(STM_RSC_MEM_R | STM_RSC_MEM_W | STM_RSC_MEM_X)
#define RW	(STM_RSC_MEM_R | STM_RSC_MEM_W)

static const u8 lpc[][2] = { { 0x1f, 0 } };

/* coreboot src/security/intel/stm/StmPlatformResource.c shape: 9 entries. */
static void coreboot(struct lb *b, u64 tseg, u64 tseg_len)
{
	lb_mem(b, STM_MEM_RANGE, tseg, tseg_len, RWX);		/* 0 TSEG */
	lb_mem(b, STM_MMIO_RANGE, 0xff000000, 0x1000000, RWX);	/* 1 flash */
	lb_io(b, b->pmbase, 0x80);				/* 2 ACPI PM */
	lb_mem(b, STM_MMIO_RANGE, 0xf0000000, 0x4000000, RW);	/* 3 ECAM */
	lb_mem(b, STM_MMIO_RANGE, 0xfee00000, 0x400, RW);	/* 4 LAPIC */
	lb_trapped(b, 0xb2, 2, STM_RSC_TRAPPED_IO_IN |
		   STM_RSC_TRAPPED_IO_OUT);			/* 5 SW SMI */
	lb_pci(b, 0, lpc, 1);					/* 6 LPC */
	lb_msr(b, MSR_IA32_SMRR_PHYSBASE, false, U64_ALL, 0); /* 7 */
	lb_msr(b, MSR_IA32_SMRR_PHYSMASK, false, U64_ALL, 0); /* 8 */
}

/* EDK II STM package (StmPlatformResource.c) shape, with a bridged device. */
static void edk2(struct lb *b)
{
	static const u8 rp[][2] = { { 0x1c, 0 }, { 0, 0 } };

	lb_mem(b, STM_MEM_RANGE, 0x7f000000, 0x1000000, RWX);	/* 0 TSEG */
	lb_mem(b, STM_MMIO_RANGE, 0xfe000000, 0x1000000, RWX);	/* 1 flash */
	lb_io(b, b->pmbase, 0x80);				/* 2 ACPI PM */
	lb_mem(b, STM_MMIO_RANGE, 0xe0000000, 0x10000000, RW);	/* 3 ECAM */
	lb_mem(b, STM_MMIO_RANGE, 0xfee00000, 0x1000, RW);	/* 4 LAPIC */
	lb_trapped(b, 0xb2, 2, STM_RSC_TRAPPED_IO_OUT |
		   STM_RSC_TRAPPED_IO_API);			/* 5 SW SMI */
	lb_pci(b, 0, lpc, 1);					/* 6 LPC */
	lb_pci(b, 0, rp, 2);					/* 7 NIC behind 00:1c.0 */
	lb_msr(b, MSR_IA32_SMRR_PHYSBASE, false, U64_ALL, 0); /* 8 */
	lb_msr(b, MSR_IA32_SMRR_PHYSMASK, false, U64_ALL, 0); /* 9 */
	lb_msr(b, MSR_IA32_UCODE_WRITE, true, 0, U64_ALL); /* 10 */
}

static int build(const char *name, struct lb *b)
{
	if (!strcmp(name, "coreboot")) {
		coreboot(b, 0x7f800000, 0x800000);
	} else if (!strcmp(name, "coreboot-16m-tseg")) {
		coreboot(b, 0x7f000000, 0x1000000);
	} else if (!strcmp(name, "edk2")) {
		edk2(b);
	} else if (!strcmp(name, "legacy-kbc")) {
		/* USB legacy keyboard emulation traps the KBC ports. */
		coreboot(b, 0x7f800000, 0x800000);
		lb_io(b, 0x60, 1);				/* 9 */
		lb_io(b, 0x64, 1);				/* 10 */
		lb_trapped(b, 0x60, 1, STM_RSC_TRAPPED_IO_IN |
			   STM_RSC_TRAPPED_IO_OUT);		/* 11 */
		lb_trapped(b, 0x64, 1, STM_RSC_TRAPPED_IO_IN |
			   STM_RSC_TRAPPED_IO_OUT);		/* 12 */
	} else if (!strcmp(name, "bad-all-ram")) {
		coreboot(b, 0x7f800000, 0x800000);
		lb_mem(b, STM_MEM_RANGE, 0, 0x100000000ULL, RWX); /* 9 */
	} else if (!strcmp(name, "bad-kernel-text")) {
		/* A "communication buffer" in the middle of the kernel text. */
		coreboot(b, 0x7f800000, 0x800000);
		lb_mem(b, STM_MEM_RANGE,
		       round_down(__pa_symbol(&_printk), PAGE_SIZE),
		       2 * PAGE_SIZE, RW);			/* 9 */
	} else if (!strcmp(name, "bad-efer")) {
		/* firmware owns EFER (its SMM entry writes it): not a conflict */
		coreboot(b, 0x7f800000, 0x800000);
		lb_msr(b, MSR_EFER, true, U64_ALL, U64_ALL);	/* 9 */
	} else if (!strcmp(name, "bad-lstar")) {
		coreboot(b, 0x7f800000, 0x800000);
		lb_msr(b, MSR_LSTAR, true, U64_ALL, U64_ALL);	/* 9 */
	} else {
		return -EINVAL;
	}
	lb_end(b);
	return b->err;
}

const char *stmexec_sim_corpus_name(void)
{
	return sim_bios && *sim_bios ? sim_bios : NULL;
}

int stmexec_sim_corpus_build(struct stmexec *sx, void *buf, size_t cap,
			     size_t *len)
{
	struct lb b = {
		.p = buf,
		.cap = cap,
		.pmbase = stmexec_acpi_pmbase(sx) ?: 0x1800,
	};
	int ret;

	if (!stmexec_sim_corpus_name())
		return -ENOENT;
	ret = build(sim_bios, &b);
	if (ret == -EINVAL)
		pr_err("sim_bios=%s: unknown list (coreboot, coreboot-16m-tseg, edk2, legacy-kbc, bad-all-ram, bad-kernel-text, bad-efer, bad-lstar)\n",
		       sim_bios);
	*len = b.len;
	return ret;
}
