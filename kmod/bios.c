// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: decoding STM resource descriptors (STM_RSC): the BIOS resource
 * list the STM returns at enable, decoded once and kept (sx->bios,
 * sx->bios_list) until the next enable or unload, and the payloads of log
 * entries. Part of the lifecycle layer: the lifecycle keeps the BIOS list
 * when it fetches it; the features above read sx->bios under sx->lock.
 */
#include "stmexec.h"
#include "lifecycle_api.h"

#include <linux/mm.h>
#include <linux/slab.h>

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

/* The descriptor's Length, or -EINVAL if its header is malformed. */
static int rsc_check_header(const union stm_rsc *rsc, size_t len)
{
	u32 type, dlen;

	if (len < sizeof(rsc->hdr))
		return -EINVAL;
	type = rsc->hdr.rsc_type;
	dlen = rsc->hdr.length;
	if (type > STM_MAX_DESC_TYPE || dlen < rsc_min_len(type) ||
	    dlen > len)
		return -EINVAL;
	if (type == STM_PCI_CFG_RANGE &&
	    dlen != STM_RSC_PCI_CFG_LEN(rsc->pci_cfg.last_node_index))
		return -EINVAL;
	return dlen;
}

static void rsc_decode_mem(const union stm_rsc *rsc, struct stmexec_range *out)
{
	out->base = rsc->mem.base;
	out->length = rsc->mem.length;
	out->access = rsc->mem.rwx_attributes & STM_RSC_MEM_RWX_MASK;
}

static void rsc_decode_io(const union stm_rsc *rsc, struct stmexec_range *out)
{
	out->base = rsc->io.base;
	out->length = rsc->io.length;
}

static void rsc_decode_trapped_io(const union stm_rsc *rsc,
				  struct stmexec_range *out)
{
	out->base = rsc->trapped_io.base;
	out->length = rsc->trapped_io.length;
	if (rsc->trapped_io.flags & STM_RSC_TRAPPED_IO_IN)
		out->flags |= STMEXEC_RF_TRAP_IN;
	if (rsc->trapped_io.flags & STM_RSC_TRAPPED_IO_OUT)
		out->flags |= STMEXEC_RF_TRAP_OUT;
	if (rsc->trapped_io.flags & STM_RSC_TRAPPED_IO_API)
		out->flags |= STMEXEC_RF_TRAP_API;
}

static void rsc_decode_msr(const union stm_rsc *rsc, struct stmexec_range *out)
{
	out->base = rsc->msr.msr_index;
	out->length = 1;
	if (rsc->msr.read_mask)
		out->access |= STMEXEC_ACC_R;
	if (rsc->msr.write_mask)
		out->access |= STMEXEC_ACC_W;
	if (rsc->msr.kernel_mode_processing &
	    STM_RSC_MSR_KERNEL_MODE_PROCESSING)
		out->flags |= STMEXEC_RF_KERNEL_MODE;
}

static void rsc_decode_pci(const union stm_rsc *rsc, struct stmexec_range *out)
{
	u32 lni = rsc->pci_cfg.last_node_index;

	out->base = rsc->pci_cfg.base;
	out->length = rsc->pci_cfg.length;
	out->access = rsc->pci_cfg.rw_attributes & STM_RSC_PCI_CFG_RW_MASK;
	out->pci_bus = rsc->pci_cfg.originating_bus_number;
	out->pci_dev = rsc->pci_cfg.pci_device_path[lni].pci_device;
	out->pci_fn = rsc->pci_cfg.pci_device_path[lni].pci_function;
	if (lni)
		out->flags |= STMEXEC_RF_PCI_BRIDGED;
}

static void rsc_decode_regviol(const union stm_rsc *rsc,
			       struct stmexec_range *out)
{
	out->base = rsc->register_violation.register_type;
	out->length = 1;
	if (rsc->register_violation.read_mask)
		out->access |= STMEXEC_ACC_R;
	if (rsc->register_violation.write_mask)
		out->access |= STMEXEC_ACC_W;
}

/* Per descriptor type; END and ALL carry nothing but their type. */
static void (*const rsc_decoders[STM_MAX_DESC_TYPE + 1])(const union stm_rsc *rsc,
							  struct stmexec_range *out) = {
	[STM_MEM_RANGE] = rsc_decode_mem,
	[STM_MMIO_RANGE] = rsc_decode_mem,
	[STM_IO_RANGE] = rsc_decode_io,
	[STM_TRAPPED_IO_RANGE] = rsc_decode_trapped_io,
	[STM_MACHINE_SPECIFIC_REG] = rsc_decode_msr,
	[STM_PCI_CFG_RANGE] = rsc_decode_pci,
	[STM_REGISTER_VIOLATION] = rsc_decode_regviol,
};

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
	int dlen;

	memset(out, 0, sizeof(*out));
	dlen = rsc_check_header(rsc, len);
	if (dlen < 0)
		return dlen;

	out->type = rsc->hdr.rsc_type;
	out->index = STMEXEC_NO_INDEX;
	if (rsc->hdr.flags & STM_RSC_IGNORE_RESOURCE)
		out->flags |= STMEXEC_RF_IGNORED;
	if (out->type == STM_END_OF_RESOURCES)
		return 0;
	if (rsc_decoders[out->type])
		rsc_decoders[out->type](rsc, out);
	return dlen;
}

/*
 * Decode the flattened list @p (@len bytes) into up to @cap entries of
 * @out (index = descriptor position). Returns the number of descriptors,
 * or -EIO (with last_error) if one is malformed or a log-only type.
 */
static int bios_walk(struct stmexec *sx, const u8 *p, size_t len,
		     struct stmexec_range *out, u32 cap)
{
	struct stmexec_range r;
	size_t off = 0;
	u32 n = 0;
	int dlen;

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

void stmexec_bios_forget(struct stmexec *sx)
{
	kvfree(sx->bios);
	sx->bios = NULL;
	sx->nbios = 0;
	kvfree(sx->bios_list);
	sx->bios_list = NULL;
	sx->bios_list_len = 0;
}

int stmexec_bios_keep(struct stmexec *sx, void *list, size_t len)
{
	struct stmexec_range *b;
	int n;

	stmexec_bios_forget(sx);
	n = bios_walk(sx, list, len, NULL, 0);
	if (n < 0)
		goto err_list;
	b = kvcalloc(max(n, 1), sizeof(*b), GFP_KERNEL);
	if (!b) {
		n = stmexec_fail(sx, -ENOMEM,
				 "no memory for the %d descriptors of the BIOS resource list",
				 n);
		goto err_list;
	}
	sx->bios = b;
	sx->nbios = bios_walk(sx, list, len, b, n);
	sx->bios_list = list;
	sx->bios_list_len = len;
	return 0;

err_list:
	kvfree(list);
	return n;
}
