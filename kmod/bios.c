// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: decoding STM resource descriptors (STM_RSC): the BIOS resource
 * list the STM returns at enable (sx->bios_list, kept while on) and the
 * payloads of log entries. Part of the lifecycle layer: the lifecycle
 * checks the BIOS list when it fetches it; the features above read it.
 */
#include "stmexec.h"
#include "lifecycle_api.h"

static u32 rsc_min_len(u32 type)
{
	switch (type) {
	case STM_MEM_RANGE:
	case STM_MMIO_RANGE:
	case STM_MACHINE_SPECIFIC_REG:
	case STM_REGISTER_VIOLATION:
		return STM_RSC_MEM_SIZE;
	case STM_IO_RANGE:
	case STM_TRAPPED_IO_RANGE:
	case STM_END_OF_RESOURCES:
		return STM_RSC_IO_SIZE;
	case STM_PCI_CFG_RANGE:
		return STM_RSC_PCI_CFG_SIZE;
	case STM_ALL_RESOURCES:
		return STM_RSC_ALL_RESOURCES_SIZE;
	default:
		return U32_MAX;
	}
}

/*
 * Decode one descriptor of at most @len bytes into @out. Returns the
 * descriptor's Length, 0 for END, or -EINVAL if it is malformed. For PCI,
 * pci_bus is the originating bus and dev/fn the last path node; base/length
 * are the config-space register range. For REGISTER_VIOLATION (log only)
 * base is the register number.
 */
int stmexec_rsc_decode(const void *p, size_t len, struct stmexec_range *out)
{
	const union stm_rsc *rsc = p;
	u32 type, dlen, lni;

	memset(out, 0, sizeof(*out));
	if (len < sizeof(rsc->hdr))
		return -EINVAL;
	type = rsc->hdr.rsc_type;
	dlen = rsc->hdr.length;
	if (type > STM_MAX_DESC_TYPE || dlen < rsc_min_len(type) ||
	    dlen > len)
		return -EINVAL;
	if (type == STM_PCI_CFG_RANGE) {
		lni = rsc->pci_cfg.last_node_index;
		if (dlen != STM_RSC_PCI_CFG_LEN(lni))
			return -EINVAL;
	}

	out->type = type;
	out->index = ~0U;
	if (rsc->hdr.flags & STM_RSC_IGNORE_RESOURCE)
		out->flags |= STMEXEC_RF_IGNORED;

	switch (type) {
	case STM_END_OF_RESOURCES:
		return 0;
	case STM_MEM_RANGE:
	case STM_MMIO_RANGE:
		out->base = rsc->mem.base;
		out->length = rsc->mem.length;
		out->access = rsc->mem.rwx_attributes & STM_RSC_MEM_RWX_MASK;
		break;
	case STM_IO_RANGE:
		out->base = rsc->io.base;
		out->length = rsc->io.length;
		break;
	case STM_TRAPPED_IO_RANGE:
		out->base = rsc->trapped_io.base;
		out->length = rsc->trapped_io.length;
		if (rsc->trapped_io.flags & STM_RSC_TRAPPED_IO_IN)
			out->flags |= STMEXEC_RF_TRAP_IN;
		if (rsc->trapped_io.flags & STM_RSC_TRAPPED_IO_OUT)
			out->flags |= STMEXEC_RF_TRAP_OUT;
		if (rsc->trapped_io.flags & STM_RSC_TRAPPED_IO_API)
			out->flags |= STMEXEC_RF_TRAP_API;
		break;
	case STM_MACHINE_SPECIFIC_REG:
		out->base = rsc->msr.msr_index;
		out->length = 1;
		if (rsc->msr.read_mask)
			out->access |= STMEXEC_ACC_R;
		if (rsc->msr.write_mask)
			out->access |= STMEXEC_ACC_W;
		if (rsc->msr.kernel_mode_processing &
		    STM_RSC_MSR_KERNEL_MODE_PROCESSING)
			out->flags |= STMEXEC_RF_KERNEL_MODE;
		break;
	case STM_PCI_CFG_RANGE:
		out->base = rsc->pci_cfg.base;
		out->length = rsc->pci_cfg.length;
		out->access = rsc->pci_cfg.rw_attributes &
			      STM_RSC_PCI_CFG_RW_MASK;
		out->pci_bus = rsc->pci_cfg.originating_bus_number;
		out->pci_dev = rsc->pci_cfg.pci_device_path[lni].pci_device;
		out->pci_fn = rsc->pci_cfg.pci_device_path[lni].pci_function;
		if (lni)
			out->flags |= STMEXEC_RF_PCI_BRIDGED;
		break;
	case STM_REGISTER_VIOLATION:
		out->base = rsc->register_violation.register_type;
		out->length = 1;
		if (rsc->register_violation.read_mask)
			out->access |= STMEXEC_ACC_R;
		if (rsc->register_violation.write_mask)
			out->access |= STMEXEC_ACC_W;
		break;
	}
	return dlen;
}

int stmexec_bios_decode(struct stmexec *sx, struct stmexec_range *out,
			u32 cap)
{
	const u8 *p = sx->bios_list;
	size_t off = 0, len = sx->bios_list_len;
	struct stmexec_range r;
	u32 n = 0;
	int dlen;

	if (!p)
		return 0;
	while (off < len) {
		dlen = stmexec_rsc_decode(p + off, len - off, &r);
		if (dlen < 0 || r.type == STM_REGISTER_VIOLATION)
			return stmexec_fail(sx, -EIO,
					    "BIOS resource list malformed at byte %zu (descriptor %u); firmware bug, report it to the vendor",
					    off, n);
		if (!dlen)
			break;		/* END: the flattened list has one */
		if (n < cap) {
			r.index = n;
			out[n] = r;
		}
		n++;
		off += dlen;
	}
	return n;
}
