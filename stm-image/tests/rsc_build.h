/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Resource-descriptor builders (STM_RSC, include/stm/wire.h) for the unit
 * tests, the benchmark and the fuzzers: each writes one descriptor at buf
 * (unaligned is fine) and returns its length, so that lists are built as
 * l += mk_x(buf + l, ...); ... mk_end(buf + l, 0).
 */
#ifndef STM_TEST_RSC_BUILD_H
#define STM_TEST_RSC_BUILD_H

#include <stdint.h>
#include <string.h>
#include <stm/wire.h>

static inline uint32_t mk_mem(void *buf, uint32_t type, uint64_t base,
			      uint64_t len, uint32_t rwx)
{
	struct stm_rsc_mem_desc m;

	memset(&m, 0, sizeof(m));
	m.hdr.rsc_type = type;
	m.hdr.length = sizeof(m);
	m.base = base;
	m.length = len;
	m.rwx_attributes = rwx;
	memcpy(buf, &m, sizeof(m));
	return sizeof(m);
}

static inline uint32_t mk_io(void *buf, uint16_t base, uint16_t len)
{
	struct stm_rsc_io_desc d;

	memset(&d, 0, sizeof(d));
	d.hdr.rsc_type = STM_IO_RANGE;
	d.hdr.length = sizeof(d);
	d.base = base;
	d.length = len;
	memcpy(buf, &d, sizeof(d));
	return sizeof(d);
}

static inline uint32_t mk_tio(void *buf, uint16_t base, uint16_t len,
			      uint16_t flags)
{
	struct stm_rsc_trapped_io_desc d;

	memset(&d, 0, sizeof(d));
	d.hdr.rsc_type = STM_TRAPPED_IO_RANGE;
	d.hdr.length = sizeof(d);
	d.base = base;
	d.length = len;
	d.flags = flags;
	memcpy(buf, &d, sizeof(d));
	return sizeof(d);
}

static inline uint32_t mk_msr(void *buf, uint32_t idx, uint64_t rmask,
			      uint64_t wmask, uint32_t kmp)
{
	struct stm_rsc_msr_desc d;

	memset(&d, 0, sizeof(d));
	d.hdr.rsc_type = STM_MACHINE_SPECIFIC_REG;
	d.hdr.length = sizeof(d);
	d.msr_index = idx;
	d.kernel_mode_processing = kmp;
	d.read_mask = rmask;
	d.write_mask = wmask;
	memcpy(buf, &d, sizeof(d));
	return sizeof(d);
}

static inline uint32_t mk_pci(void *buf, uint8_t bus, uint16_t rw,
			      uint16_t base, uint16_t len, uint32_t nnodes,
			      const uint8_t *devfn_pairs)
{
	uint8_t tmp[2048];
	struct stm_rsc_pci_cfg_desc *p = (struct stm_rsc_pci_cfg_desc *)tmp;
	uint32_t i, l = STM_RSC_PCI_CFG_LEN(nnodes - 1);

	memset(tmp, 0, sizeof(tmp));
	p->hdr.rsc_type = STM_PCI_CFG_RANGE;
	p->hdr.length = (uint16_t)l;
	p->rw_attributes = rw;
	p->base = base;
	p->length = len;
	p->originating_bus_number = bus;
	p->last_node_index = (uint8_t)(nnodes - 1);
	for (i = 0; i < nnodes; i++) {
		p->pci_device_path[i].type = 1;
		p->pci_device_path[i].subtype = 1;
		p->pci_device_path[i].length = 6;
		p->pci_device_path[i].pci_device = devfn_pairs[2 * i];
		p->pci_device_path[i].pci_function = devfn_pairs[2 * i + 1];
	}
	memcpy(buf, tmp, l);
	return l;
}

static inline uint32_t mk_all(void *buf)
{
	struct stm_rsc_all_resources_desc d;

	memset(&d, 0, sizeof(d));
	d.hdr.rsc_type = STM_ALL_RESOURCES;
	d.hdr.length = sizeof(d);
	memcpy(buf, &d, sizeof(d));
	return sizeof(d);
}

static inline uint32_t mk_end(void *buf, uint64_t cont)
{
	struct stm_rsc_end d;

	memset(&d, 0, sizeof(d));
	d.hdr.rsc_type = STM_END_OF_RESOURCES;
	d.hdr.length = sizeof(d);
	d.resource_list_continuation = cont;
	memcpy(buf, &d, sizeof(d));
	return sizeof(d);
}

#endif /* STM_TEST_RSC_BUILD_H */
