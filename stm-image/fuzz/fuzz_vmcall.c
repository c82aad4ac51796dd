// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * VMCALL sequences: the input is a program of operations on a fresh core
 * with 3 CPUs and a 96-page physical memory (TSEG, MSEG and the BIOS list
 * inside it): write bytes or well-formed descriptors into memory, issue
 * MLE VMCALLs (any CPU, any EAX, interesting or raw addresses and EDX),
 * report SMM-side accesses.  After every step:
 *   - the core's invariants hold (protection DB vs enforcement view, CPU
 *     and log bookkeeping);
 *   - CF == (EAX != 0); EBX only changes on an activating call, EDX only
 *     on GET_BIOS_RESOURCES;
 *   - a rejected call changed nothing: same digest of the protection DB,
 *     enforcement view, VMCS DB and log configuration, same CPU state
 *     (except an activating call reporting a bad BIOS list, after which
 *     the reference STM is active anyway).
 */
#include "fuzz_common.h"

static struct fenv env;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct rd {
	const uint8_t *p;
	size_t n;
};

static uint32_t get(struct rd *r, uint32_t bytes)
{
	uint32_t v = 0, i;

	for (i = 0; i < bytes; i++) {
		v |= (uint32_t)(r->n ? *r->p : 0) << (8 * i);
		if (r->n) {
			r->p++;
			r->n--;
		}
	}
	return v;
}

static const uint32_t apis[] = {
	STM_API_START, STM_API_STOP, STM_API_PROTECT_RESOURCE,
	STM_API_UNPROTECT_RESOURCE, STM_API_GET_BIOS_RESOURCES,
	STM_API_MANAGE_VMCS_DATABASE, STM_API_INITIALIZE_PROTECTION,
	STM_API_MANAGE_EVENT_LOG, STM_API_ADD_TEMP_PE_VM, 0x00010000, 0x00000001,
};

static uint64_t pick_addr(struct rd *r)
{
	uint32_t k = get(r, 1);

	switch (k % 8) {
	case 0:
	case 1:
	case 2:
	case 3:	/* an MLE page */
		return F_MEM_BASE + (uint64_t)(k % 64) * 4096;
	case 4:
		return F_MEM_BASE + get(r, 2) % F_MEM_SIZE;	/* anywhere, unaligned */
	case 5:
		return F_TSEG_BASE + (k % 4) * 4096;
	case 6:
		return F_MSEG_BASE;
	default:
		return (uint64_t)get(r, 4) | ((uint64_t)get(r, 1) << 32);
	}
}

/* a well-formed descriptor (fuzzed fields) at pa */
static void put_desc(struct rd *r, uint64_t pa)
{
	uint8_t buf[64];
	uint32_t kind = get(r, 1), len;
	union stm_rsc *d = (union stm_rsc *)buf;

	memset(buf, 0, sizeof(buf));
	switch (kind % 6) {
	case 0:
	case 1:
		d->hdr.rsc_type = kind % 6 ? STM_MMIO_RANGE : STM_MEM_RANGE;
		d->hdr.length = 32;
		d->mem.base = (uint64_t)(get(r, 1) % 64) << 12;
		d->mem.length = (uint64_t)(1 + get(r, 1) % 8) << 12;
		d->mem.rwx_attributes = get(r, 1) % 8;
		break;
	case 2:
		d->hdr.rsc_type = STM_IO_RANGE;
		d->hdr.length = 16;
		d->io.base = (uint16_t)(get(r, 1) % 128);
		d->io.length = (uint16_t)(1 + get(r, 1) % 16);
		break;
	case 3:
		d->hdr.rsc_type = STM_MACHINE_SPECIFIC_REG;
		d->hdr.length = 32;
		d->msr.msr_index = get(r, 1) % 4 == 0 ? 0xC0000080u : 0x1A0u + get(r, 1) % 4;
		d->msr.read_mask = get(r, 1) & 1 ? ~0ull : 0;
		d->msr.write_mask = get(r, 1) & 1 ? ~0ull : 0;
		break;
	case 4:
		d->hdr.rsc_type = STM_PCI_CFG_RANGE;
		d->hdr.length = 22;
		d->pci_cfg.rw_attributes = (uint16_t)(get(r, 1) % 4);
		d->pci_cfg.length = 0x1000;
		d->pci_cfg.originating_bus_number = (uint8_t)(get(r, 1) % 3);
		d->pci_cfg.pci_device_path[0].type = 1;
		d->pci_cfg.pci_device_path[0].subtype = 1;
		d->pci_cfg.pci_device_path[0].length = 6;
		d->pci_cfg.pci_device_path[0].pci_device = (uint8_t)(get(r, 1) % 4);
		break;
	default:
		d->hdr.rsc_type = STM_ALL_RESOURCES;
		d->hdr.length = 8;
		break;
	}
	if (get(r, 1) % 16 == 0)
		d->hdr.flags = STM_RSC_IGNORE_RESOURCE;
	len = d->hdr.length;
	if (pa - F_MEM_BASE + len + 16 <= F_MEM_SIZE) {
		memcpy(f_va(&env, pa), buf, len);
		mk_end(f_va(&env, pa + len), get(r, 1) % 4 == 0 ? pa + 4096 : 0);
	}
}

/* one VMCALL with every per-call invariant checked */
static void do_call(uint32_t cpu, uint32_t eax, uint64_t addr, uint32_t edx,
		    uint64_t vmcs)
{
	struct stm_regs in, out;
	uint64_t d0 = stm_core_digest(env.c);
	int st0 = stm_core_cpu_state(env.c, cpu);
	uint32_t joined0 = stm_core_cpus_joined(env.c);

	in.eax = eax;
	in.ebx = (uint32_t)addr;
	in.ecx = (uint32_t)(addr >> 32);
	in.edx = edx;
	in.cf = 5;
	out = in;
	stm_core_vmcall(env.c, cpu, vmcs, &out);
	F_CHECK(out.cf == (out.eax != 0));
	F_CHECK(out.ecx == in.ecx);
	if (out.ebx != in.ebx)
		F_CHECK(st0 == STM_CPU_OFF && out.ebx == 0);
	if (out.edx != in.edx)
		F_CHECK(in.eax == STM_API_GET_BIOS_RESOURCES);
	F_CHECK(stm_core_check_invariants(env.c) == 0);
	if (out.eax != STM_SUCCESS) {
		int activated = st0 == STM_CPU_OFF &&
				stm_core_cpu_state(env.c, cpu) != STM_CPU_OFF;

		F_CHECK(stm_core_digest(env.c) == d0);
		if (!activated) {
			F_CHECK(stm_core_cpu_state(env.c, cpu) == st0);
			F_CHECK(stm_core_cpus_joined(env.c) == joined0);
		} else {
			F_CHECK(out.eax == STM_ERROR_MALFORMED_RESOURCE_LIST ||
				out.eax == STM_ERROR_OUT_OF_RESOURCES);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd r = { data, size };
	uint32_t steps = 0;

	fenv_setup(&env);
	f_std_bios(&env);
	while (r.n && steps++ < 200) {
		uint32_t op = get(&r, 1);

		switch (op % 8) {
		case 0: {	/* raw bytes into memory */
			uint32_t off = get(&r, 2) % F_MEM_SIZE, len = get(&r, 1) % 64, i;

			for (i = 0; i < len && off + i < F_MEM_SIZE; i++)
				env.mem[off + i] = (uint8_t)get(&r, 1);
			break;
		}
		case 1:		/* a descriptor (+ END) */
			put_desc(&r, F_MEM_BASE + (uint64_t)(get(&r, 1) % 64) * 4096 +
				     (get(&r, 1) % 4) * 32);
			break;
		case 2:
		case 3:
		case 4:
		case 5: {	/* an MLE VMCALL */
			uint32_t cpu = get(&r, 1) % (F_NCPUS + 1);
			uint32_t sel = get(&r, 1), eax, edx;
			uint64_t addr = pick_addr(&r);

			eax = sel < 240 ? apis[sel % (sizeof(apis) / sizeof(apis[0]))] :
					  get(&r, 4);
			edx = get(&r, 1) < 200 ? get(&r, 1) % 4 : get(&r, 4);
			do_call(cpu, eax, addr, edx, (get(&r, 1) % 16 == 0) ?
				F_TSEG_BASE : 0x2000 + cpu * 0x1000ull);
			break;
		}
		case 6: {	/* SMM-side accesses */
			uint32_t cpu = get(&r, 1) % F_NCPUS, w = get(&r, 1);
			uint64_t d0 = stm_core_digest(env.c);

			switch (w % 4) {
			case 0:
				(void)stm_core_smm_mem(env.c, cpu, pick_addr(&r),
						       1 + get(&r, 2), w >> 2);
				break;
			case 1:
				(void)stm_core_smm_io(env.c, cpu, (uint16_t)get(&r, 2),
						      (uint16_t)(get(&r, 1) % 5), w & 4);
				break;
			case 2:
				(void)stm_core_smm_msr(env.c, cpu, get(&r, 1) % 2 ?
						       0x1A0u + get(&r, 1) % 4 : get(&r, 4),
						       w & 4);
				break;
			default:
				(void)stm_core_smm_pci(env.c, cpu, (uint8_t)(get(&r, 1) % 3),
						       (uint8_t)(get(&r, 1) % 4),
						       (uint8_t)(get(&r, 1) % 8),
						       (uint16_t)get(&r, 2), w & 4);
				break;
			}
			F_CHECK(stm_core_digest(env.c) == d0);
			break;
		}
		default: {	/* a well-formed event-log request */
			struct stm_event_log_management_request *q =
				(struct stm_event_log_management_request *)f_va(&env,
						F_MEM_BASE + 63 * 4096ull);
			uint32_t i;

			q->sub_function_index = 1 + get(&r, 1) % 6;
			q->page_count = q->sub_function_index == STM_NEW_LOG ?
					1 + get(&r, 1) % 3 : get(&r, 2) % 0x500;
			for (i = 0; i < 3; i++)
				q->pages[i] = F_MEM_BASE + (uint64_t)(56 + i) * 4096;
			do_call(get(&r, 1) % F_NCPUS, STM_API_MANAGE_EVENT_LOG,
				F_MEM_BASE + 63 * 4096ull, 0, 0x2000);
			break;
		}
		}
	}
	stm_core_fini(env.c);
	return 0;
}
