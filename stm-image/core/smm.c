// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * SMM-side access hooks (sec. 11): a platform reports an access by the
 * SMM guest (the BIOS SMI handler); the core answers with a verdict and
 * writes the log record the reference STM would:
 *   - MLE-protected            -> EvtHandledProtectionException with the
 *                                 protected node that was hit; DENY
 *   - not in the BIOS list     -> EvtBiosAccessToUnclaimedResource with a
 *                                 synthetic node describing the access;
 *                                 UNCLAIMED (the reference emulates I/O and
 *                                 MSR accesses and then continues)
 *   - otherwise                -> ALLOW
 * Accesses on a CPU where the STM is not ACTIVE are not the STM's business
 * (the reference drops SMIs there): ALLOW, nothing logged.
 */
#include "core_priv.h"

static int stm_smm_cpu_ok(const struct stm_core *c, uint32_t cpu)
{
	return cpu < c->ncpus && c->cpu[cpu].state == STM_CPU_ACTIVE;
}

static int stm_smm_bios(struct stm_core *c)
{
	/* an unusable BIOS list claims nothing */
	return stm_bios_snapshot(c) == STM_SUCCESS;
}

static void stm_log_mem(struct stm_core *c, uint32_t type, uint64_t pa,
			uint64_t len, uint32_t rwx)
{
	struct stm_rsc_mem_desc m;

	stm_memset(&m, 0, sizeof(m));
	m.hdr.rsc_type = STM_MEM_RANGE;
	m.hdr.length = sizeof(m);
	m.base = pa;
	m.length = len;
	m.rwx_attributes = rwx & STM_RSC_MEM_RWX_MASK;
	stm_evlog_add_rsc(c, type, (const uint8_t *)&m);
}

enum stm_verdict stm_core_smm_mem(struct stm_core *c, uint32_t cpu,
				  uint64_t pa, uint64_t len, uint32_t rwx)
{
	uint64_t hit = pa;
	uint32_t bits;

	rwx &= STM_RSC_MEM_RWX_MASK;
	if (!stm_smm_cpu_ok(c, cpu) || len == 0 || rwx == 0)
		return STM_VERDICT_ALLOW;
	/* MSEG is mapped with no access for the SMM guest */
	if (c->plat.mseg_size &&
	    stm_ranges_overlap(pa, len, c->plat.mseg_base, c->plat.mseg_size)) {
		stm_log_mem(c, STM_EVT_BIOS_ACCESS_TO_UNCLAIMED_RESOURCE,
			    pa > c->plat.mseg_base ? pa : c->plat.mseg_base, 1, rwx);
		return STM_VERDICT_DENY;
	}
	bits = (uint32_t)stm_protdb_mem_first_denied(&c->db, pa, len, rwx, &hit);
	if (bits) {
		const uint8_t *node = stm_protdb_find_mem(&c->db, hit, bits);

		if (node)
			stm_evlog_add_rsc(c, STM_EVT_HANDLED_PROTECTION_EXCEPTION, node);
		else	/* cannot happen: deny bits are backed by a node */
			stm_log_mem(c, STM_EVT_HANDLED_PROTECTION_EXCEPTION,
				    hit & ~STM_PAGE_MASK, STM_PAGE_SIZE, bits);
		return STM_VERDICT_DENY;
	}
	if (!stm_smm_bios(c) || !stm_bios_claims_mem(&c->bios, pa, len, rwx)) {
		/* reference payload: the address, Length 1, the access type */
		stm_log_mem(c, STM_EVT_BIOS_ACCESS_TO_UNCLAIMED_RESOURCE, pa, 1, rwx);
		return STM_VERDICT_UNCLAIMED;
	}
	return STM_VERDICT_ALLOW;
}

enum stm_verdict stm_core_smm_io(struct stm_core *c, uint32_t cpu,
				 uint16_t port, uint16_t size, int out)
{
	struct stm_rsc_io_desc io;
	uint32_t p, end;

	(void)out;	/* MLE I/O protection covers both directions */
	if (!stm_smm_cpu_ok(c, cpu))
		return STM_VERDICT_ALLOW;
	if (size == 0)
		size = 1;
	end = (uint32_t)port + size;
	if (end > 0x10000u)
		end = 0x10000u;
	for (p = port; p < end; p++) {
		if (stm_core_io_denied(c, (uint16_t)p)) {
			const uint8_t *node = stm_protdb_find_io(&c->db, p);

			if (node)
				stm_evlog_add_rsc(c, STM_EVT_HANDLED_PROTECTION_EXCEPTION,
						  node);
			return STM_VERDICT_DENY;
		}
	}
	if (!stm_smm_bios(c) || !stm_bios_claims_io(&c->bios, port, size)) {
		stm_memset(&io, 0, sizeof(io));
		io.hdr.rsc_type = STM_IO_RANGE;
		io.hdr.length = sizeof(io);
		io.base = port;
		io.length = size;
		stm_evlog_add_rsc(c, STM_EVT_BIOS_ACCESS_TO_UNCLAIMED_RESOURCE,
				  (const uint8_t *)&io);
		return STM_VERDICT_UNCLAIMED;
	}
	return STM_VERDICT_ALLOW;
}

enum stm_verdict stm_core_smm_msr(struct stm_core *c, uint32_t cpu,
				  uint32_t msr, int write)
{
	struct stm_rsc_msr_desc m;

	if (!stm_smm_cpu_ok(c, cpu))
		return STM_VERDICT_ALLOW;
	if (stm_core_msr_denied(c, msr, write)) {
		const uint8_t *node = stm_protdb_find_msr(&c->db, msr, write);

		if (node)
			stm_evlog_add_rsc(c, STM_EVT_HANDLED_PROTECTION_EXCEPTION, node);
		return STM_VERDICT_DENY;
	}
	if (!stm_smm_bios(c) || !stm_bios_claims_msr(&c->bios, msr, write)) {
		/* reference payload: the index, mask all-ones for the direction */
		stm_memset(&m, 0, sizeof(m));
		m.hdr.rsc_type = STM_MACHINE_SPECIFIC_REG;
		m.hdr.length = sizeof(m);
		m.msr_index = msr;
		if (write)
			m.write_mask = STM_U64_MAX;
		else
			m.read_mask = STM_U64_MAX;
		stm_evlog_add_rsc(c, STM_EVT_BIOS_ACCESS_TO_UNCLAIMED_RESOURCE,
				  (const uint8_t *)&m);
		return STM_VERDICT_UNCLAIMED;
	}
	return STM_VERDICT_ALLOW;
}

/*
 * MSRs the firmware's own SMI entry writes on every SMI, before any SMI
 * handler runs: IA32_EFER (coreboot's x86_64 smm_stub.S, entry64.inc;
 * EDK II's _StmSmiHandler, SmiEntry.nasm: sets EFER.NXE) and
 * IA32_MISC_ENABLE (EDK II: clears XD disable).  The real STMs check the
 * MLE list before anything else in their WRMSR handler and treat a denied
 * write as a protection exception; coreboot registers no handler (E dead-
 * loops, J resets the platform).
 */
#define STM_FW_ENTRY_NMSRS	2u
static const uint32_t stm_fw_entry_msrs[STM_FW_ENTRY_NMSRS] = {
	0xC0000080u,	/* IA32_EFER */
	0x1A0u,		/* IA32_MISC_ENABLE */
};

enum stm_verdict stm_core_smm_entry(struct stm_core *c, uint32_t cpu)
{
	enum stm_verdict v = STM_VERDICT_ALLOW;
	uint32_t i;

	if (!stm_smm_cpu_ok(c, cpu))
		return STM_VERDICT_ALLOW;
	for (i = 0; i < STM_FW_ENTRY_NMSRS; i++) {
		uint32_t msr = stm_fw_entry_msrs[i];
		const uint8_t *node;

		if (!stm_core_msr_denied(c, msr, 1))
			continue;
		node = stm_protdb_find_msr(&c->db, msr, 1);
		if (node)
			stm_evlog_add_rsc(c, STM_EVT_HANDLED_PROTECTION_EXCEPTION,
					  node);
		if (stm_models(c, STM_PROFILE_INTEL) ||
		    stm_models(c, STM_PROFILE_COREBOOT))
			stm_compat(c, STM_COMPAT_FW_MSR_DENIED);
		v = STM_VERDICT_DENY;
	}
	return v;
}

enum stm_verdict stm_core_smm_pci(struct stm_core *c, uint32_t cpu,
				  uint8_t bus, uint8_t dev, uint8_t fn,
				  uint16_t reg, int write)
{
	struct stm_rsc_pci_cfg_desc p;
	uint32_t need = write ? STM_RSC_PCI_CFG_W : STM_RSC_PCI_CFG_R;

	if (!stm_smm_cpu_ok(c, cpu))
		return STM_VERDICT_ALLOW;
	if (stm_core_pci_denied(c, bus, dev, fn) & need) {
		const uint8_t *node = stm_protdb_find_pci(&c->db, bus, dev, fn, write);

		if (node)
			stm_evlog_add_rsc(c, STM_EVT_HANDLED_PROTECTION_EXCEPTION, node);
		return STM_VERDICT_DENY;
	}
	if (!stm_smm_bios(c) ||
	    !stm_bios_claims_pci(&c->bios, bus, dev, fn, reg, write)) {
		/* reference payload: bus/dev/func/register, one path node */
		stm_memset(&p, 0, sizeof(p));
		p.hdr.rsc_type = STM_PCI_CFG_RANGE;
		p.hdr.length = sizeof(p);
		p.rw_attributes = (uint16_t)need;
		p.base = reg;
		p.length = 1;
		p.originating_bus_number = bus;
		p.last_node_index = 0;
		p.pci_device_path[0].type = STM_PCI_DEVICE_PATH_TYPE_HW;
		p.pci_device_path[0].subtype = STM_PCI_DEVICE_PATH_SUBTYPE_PCI;
		p.pci_device_path[0].length = sizeof(p.pci_device_path[0]);
		p.pci_device_path[0].pci_function = fn;
		p.pci_device_path[0].pci_device = dev;
		stm_evlog_add_rsc(c, STM_EVT_BIOS_ACCESS_TO_UNCLAIMED_RESOURCE,
				  (const uint8_t *)&p);
		return STM_VERDICT_UNCLAIMED;
	}
	return STM_VERDICT_ALLOW;
}
