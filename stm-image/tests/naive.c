// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Naive overlap, rule for rule as the reference IsResourceNodeOverlap() /
 * IsResourceListOverlapWithNode() (sec. 5.5).  Test/benchmark oracle only.
 */
#include "naive.h"
#include <stm/wire.h>

static int naive_range(uint64_t a1, uint64_t l1, uint64_t a2, uint64_t l2)
{
	return (a1 + l1 > a2) && (a1 < a2 + l2);
}

int naive_nodes_overlap(const uint8_t *n1, const uint8_t *n2)
{
	const union stm_rsc *r1 = (const union stm_rsc *)n1;
	const union stm_rsc *r2 = (const union stm_rsc *)n2;
	uint32_t i;

	if ((r1->hdr.flags & STM_RSC_IGNORE_RESOURCE) ||
	    (r2->hdr.flags & STM_RSC_IGNORE_RESOURCE))
		return 0;
	if (r1->hdr.rsc_type != r2->hdr.rsc_type)
		return 0;
	switch (r1->hdr.rsc_type) {
	case STM_MEM_RANGE:
	case STM_MMIO_RANGE:
		return naive_range(r1->mem.base, r1->mem.length, r2->mem.base,
				   r2->mem.length) &&
		       (r1->mem.rwx_attributes & r2->mem.rwx_attributes);
	case STM_IO_RANGE:
		return naive_range(r1->io.base, r1->io.length, r2->io.base,
				   r2->io.length);
	case STM_TRAPPED_IO_RANGE:
		return naive_range(r1->trapped_io.base, r1->trapped_io.length,
				   r2->trapped_io.base, r2->trapped_io.length);
	case STM_MACHINE_SPECIFIC_REG:
		return r1->msr.msr_index == r2->msr.msr_index &&
		       ((r1->msr.read_mask & r2->msr.read_mask) ||
			(r1->msr.write_mask & r2->msr.write_mask));
	case STM_PCI_CFG_RANGE:
		if (r1->pci_cfg.originating_bus_number !=
		    r2->pci_cfg.originating_bus_number ||
		    r1->pci_cfg.last_node_index != r2->pci_cfg.last_node_index)
			return 0;
		for (i = 0; i <= r1->pci_cfg.last_node_index; i++) {
			if (r1->pci_cfg.pci_device_path[i].pci_device !=
			    r2->pci_cfg.pci_device_path[i].pci_device ||
			    r1->pci_cfg.pci_device_path[i].pci_function !=
			    r2->pci_cfg.pci_device_path[i].pci_function)
				return 0;
		}
		return naive_range(r1->pci_cfg.base, r1->pci_cfg.length,
				   r2->pci_cfg.base, r2->pci_cfg.length) &&
		       (r1->pci_cfg.rw_attributes & r2->pci_cfg.rw_attributes);
	case STM_ALL_RESOURCES:
		return 1;
	case STM_REGISTER_VIOLATION:
		return r1->register_violation.register_type ==
			       r2->register_violation.register_type &&
		       ((r1->register_violation.read_mask &
			 r2->register_violation.read_mask) ||
			(r1->register_violation.write_mask &
			 r2->register_violation.write_mask));
	default:
		return 0;
	}
}

int naive_overlap_node(const uint8_t *bios_flat, const uint8_t *node)
{
	const struct stm_rsc_desc_header *h;

	for (;;) {
		h = (const struct stm_rsc_desc_header *)bios_flat;
		if (h->rsc_type == STM_END_OF_RESOURCES)
			return 0;
		if (naive_nodes_overlap(node, bios_flat))
			return 1;
		bios_flat += h->length;
	}
}
