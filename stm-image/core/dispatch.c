// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * MLE VMCALL dispatch and the per-CPU state machine (sec. 2, 3.1-3.3).
 *
 * Per CPU: OFF -> (activating INITIALIZE_PROTECTION) JOINED -> (START)
 * ACTIVE; an activating START goes straight to ACTIVE; STOP from JOINED or
 * ACTIVE -> OFF.  The first activation on the platform (no CPU joined)
 * runs the global ("BSP") initialisation; when the last CPU stops, all
 * global state is discarded, like the reference's final teardown, so the
 * STM can be launched again from scratch.
 *
 * Registers: EAX = status and CF = (status != 0) always; EBX = 0 on an
 * activating call (no byte-granular capabilities); EDX only by
 * GET_BIOS_RESOURCES.  Every failed call on a joined CPU is logged as
 * EvtLogInvalidParameterDetected with the caller's EAX.
 */
#include "core_priv.h"

static int stm_platform_valid(const struct stm_platform *p)
{
	return p && p->mem && p->mem->map && p->ncpus >= 1 &&
	       p->ncpus <= STM_CORE_MAX_CPUS && p->phys_addr_bits >= 32 &&
	       p->phys_addr_bits <= 52 &&
	       p->vmcsdb_capacity <= STM_CORE_MAX_VMCSDB &&
	       p->profile < STM_PROFILE_NR;
}

/* Reference capacity: CpuNum pages of 20-byte records minus the terminator. */
static uint32_t stm_vmcsdb_capacity(const struct stm_platform *p)
{
	uint64_t cap;

	if (p->vmcsdb_capacity)
		return p->vmcsdb_capacity;
	cap = (uint64_t)p->ncpus * STM_PAGE_SIZE / 20u - 1u;
	return cap > STM_CORE_MAX_VMCSDB ? STM_CORE_MAX_VMCSDB : (uint32_t)cap;
}

static uint64_t stm_cpu_bytes(uint32_t ncpus)
{
	return ((uint64_t)ncpus * sizeof(struct stm_cpu) + 7u) & ~7ull;
}

uint64_t stm_core_size(const struct stm_platform *p)
{
	if (!stm_platform_valid(p))
		return 0;
	return sizeof(struct stm_core) + stm_cpu_bytes(p->ncpus) +
	       (uint64_t)stm_vmcsdb_capacity(p) * sizeof(struct stm_vmcs_rec);
}

/* Discard all global state (reference: final teardown zeroes its globals). */
void stm_core_global_reset(struct stm_core *c)
{
	uint32_t i;

	stm_protdb_reset(&c->db);
	stm_heap_reset(c);
	c->bios.loaded = 0;
	c->bios.len = 0;
	stm_evlog_reset(c);
	stm_vmcsdb_reset(c);
	for (i = 0; i < c->ncpus; i++) {
		c->cpu[i].config = 0;
		c->cpu[i].had_index = 0;
		c->cpu[i].rdv_wait = 0;
	}
	c->arrivals = 0;
	c->rdv_arrived = 0;
}

/* Does the core model a real STM (INTEL, COREBOOT or STRICT)? */
static int stm_models_real(const struct stm_core *c)
{
	return stm_models(c, STM_PROFILE_INTEL) ||
	       stm_models(c, STM_PROFILE_COREBOOT);
}

uint32_t stm_core_fw_cpus(const struct stm_core *c)
{
	return c->plat.fw_cpus && c->plat.fw_cpus < c->ncpus ?
	       c->plat.fw_cpus : c->ncpus;
}

/* E: the first START of a CPU in a launch enters CpuReadySync. */
static void stm_rendezvous_enter(struct stm_core *c, struct stm_cpu *st)
{
	if (!stm_models(c, STM_PROFILE_COREBOOT) || st->rdv_wait)
		return;
	st->rdv_wait = 1;
	c->rdv_arrived++;
}

int stm_core_start_waiting(const struct stm_core *c, uint32_t cpu)
{
	if (cpu >= c->ncpus || !stm_models(c, STM_PROFILE_COREBOOT))
		return 0;
	return c->cpu[cpu].rdv_wait && c->rdv_arrived < stm_core_fw_cpus(c);
}

uint32_t stm_core_rendezvous_arrived(const struct stm_core *c)
{
	return c->rdv_arrived;
}

void stm_core_rendezvous_abandoned(struct stm_core *c, uint32_t cpu,
				   int offline)
{
	if (cpu >= c->ncpus || !stm_models(c, STM_PROFILE_COREBOOT))
		return;
	stm_compat(c, offline ? STM_COMPAT_CPU_COUNT :
		   STM_COMPAT_START_RENDEZVOUS);
}

void stm_core_activation_if(struct stm_core *c, uint32_t cpu, int if_was_set)
{
	if (cpu < c->ncpus && if_was_set && stm_models_real(c))
		stm_compat(c, STM_COMPAT_IF_RELIED);
}

int stm_core_init(struct stm_core *c, const struct stm_platform *p)
{
	uint32_t i;

	if (!c || !stm_platform_valid(p))
		return (int)STM_ERROR_INVALID_PARAMETER;
	/*
	 * Zero the bookkeeping, not the multi-megabyte buffers: staging,
	 * arena, scratch and the BIOS copy are always written before they
	 * are read; the bitmaps are cleared by the global reset below.
	 */
	stm_memset(c, 0, (uint64_t)((uint8_t *)&c->log - (uint8_t *)c));
	stm_memset(&c->log, 0, sizeof(c->log));
	stm_memset(&c->bios, 0, (uint64_t)((uint8_t *)c->bios.flat - (uint8_t *)&c->bios));
	stm_memset(&c->db, 0, (uint64_t)((uint8_t *)c->db.rec - (uint8_t *)&c->db));
	c->n_pieces = 0;
	stm_memset(c->tail, 0, stm_core_size(p) - sizeof(*c));
	c->magic = STM_CORE_MAGIC;
	c->plat = *p;
	c->ncpus = p->ncpus;
	c->max_addr = (1ull << p->phys_addr_bits) - 1u;
	c->vmcsdb_cap = stm_vmcsdb_capacity(p);
	c->cpu = (struct stm_cpu *)(void *)c->tail;
	c->vmcsdb = (struct stm_vmcs_rec *)(void *)((uint8_t *)c->tail +
						      stm_cpu_bytes(p->ncpus));
	for (i = 0; i < c->ncpus; i++)
		c->cpu[i].state = STM_CPU_OFF;
	c->log.state = STM_EVT_INVALID;
	stm_core_global_reset(c);
	return (int)STM_SUCCESS;
}

void stm_core_fini(struct stm_core *c)
{
	if (c && c->magic == STM_CORE_MAGIC)
		stm_evlog_reset(c);
}

static void stm_set_result(struct stm_regs *r, uint32_t status)
{
	r->eax = status;
	r->cf = status != STM_SUCCESS;
}

static uint32_t stm_do_protect(struct stm_core *c, uint64_t addr)
{
	uint32_t st, piece = 0, off = 0;
	const uint8_t *node;

	/* BIOS list validated and copied on the first PROTECT/GET_BIOS */
	st = stm_bios_snapshot(c);
	if (st != STM_SUCCESS)
		return st;
	st = stm_rsc_stage_mle_list(c, addr);
	if (st != STM_SUCCESS)
		return st;
	st = stm_rsc_validate_staged(c);
	if (st != STM_SUCCESS)
		return st;
	while ((node = stm_staged_next(c, &piece, &off)) != (const uint8_t *)0) {
		if (stm_overlap_node(&c->bios, node))
			return STM_ERROR_UNPROTECTABLE_RESOURCE;
	}
	return stm_protdb_protect(c);
}

static uint32_t stm_do_unprotect(struct stm_core *c, uint64_t addr)
{
	uint32_t st;

	st = stm_rsc_stage_mle_list(c, addr);
	if (st != STM_SUCCESS)
		return st;
	st = stm_rsc_validate_staged(c);
	if (st != STM_SUCCESS)
		return st;
	return stm_protdb_unprotect(c);
}

/*
 * GET_BIOS_RESOURCES: copy 4 KiB slice EDX of the flat BIOS list.  The
 * address check covers (EDX + 1) pages from the buffer, a reference quirk
 * kept as is (EDX + 1 wraps in 32 bits like the reference's).
 */
static uint32_t stm_do_get_bios(struct stm_core *c, uint64_t addr,
				struct stm_regs *r)
{
	uint32_t st, page = r->edx, npages, n;
	uint8_t *dst;

	st = stm_bios_snapshot(c);
	if (st != STM_SUCCESS)
		return st;
	if (addr & STM_PAGE_MASK)
		stm_compat(c, STM_COMPAT_BUFFER_UNALIGNED);
	if (!stm_mle_addr_ok(c, addr, (uint64_t)(uint32_t)(page + 1u) << 12))
		return STM_ERROR_SECURITY_VIOLATION;
	npages = (c->bios.len + STM_PAGE_SIZE - 1) / STM_PAGE_SIZE;
	if (page >= npages) {
		r->edx = 0;
		return STM_ERROR_PAGE_NOT_FOUND;
	}
	dst = (uint8_t *)stm_map(c, addr, STM_PAGE_SIZE);
	if (!dst)
		return STM_ERROR_SECURITY_VIOLATION;
	n = c->bios.len - page * STM_PAGE_SIZE;
	if (n > STM_PAGE_SIZE)
		n = STM_PAGE_SIZE;
	stm_memcpy(dst, c->bios.flat + (uint64_t)page * STM_PAGE_SIZE, n);
	stm_memset(dst + n, 0, STM_PAGE_SIZE - n);
	stm_unmap(c, dst, STM_PAGE_SIZE);
	page++;
	r->edx = page >= npages ? 0 : page;
	return STM_SUCCESS;
}

static int stm_is_mle_api(uint32_t eax)
{
	return eax >= STM_API_START && eax <= STM_API_MANAGE_EVENT_LOG;
}

static int stm_is_pe_api(uint32_t eax)
{
	return eax >= STM_API_ADD_TEMP_PE_VM && eax <= STM_API_ADD_PERM_PE_VM_NORUN;
}

/*
 * Why an activating VMCALL is refused (its status, the compat event
 * noted), or STM_SUCCESS; the compat events of an accepted one are noted
 * too, in the same order.
 */
static uint32_t stm_activate_refused(struct stm_core *c,
				     const struct stm_cpu *st,
				     uint64_t vmcs_pa, const struct stm_regs *r)
{
	uint32_t eax = r->eax;

	if (eax != STM_API_INITIALIZE_PROTECTION && eax != STM_API_START) {
		/* the reference entry stub accepts only these two: dead loop */
		if (!stm_is_mle_api(eax) && !stm_is_pe_api(eax)) {
			stm_compat(c, STM_COMPAT_UNKNOWN_EAX);
			return STM_ERROR_INVALID_API;
		}
		stm_compat(c, c->joined == 0 ? STM_COMPAT_FIRST_CALL_NOT_INIT :
			   STM_COMPAT_CALL_ON_INACTIVE_CPU);
		return STM_ERROR_STOPPED;
	}
	/* the reference hangs if the current VMCS overlaps TSEG */
	if (c->plat.tseg_size &&
	    stm_ranges_overlap(vmcs_pa, STM_PAGE_SIZE, c->plat.tseg_base,
			       c->plat.tseg_size)) {
		stm_compat(c, STM_COMPAT_VMCS_IN_TSEG);
		return STM_ERROR_SECURITY_VIOLATION;
	}
	if (vmcs_pa >= STM_4G)
		stm_compat(c, STM_COMPAT_VMCS_ABOVE_4G);
	if (r->edx & ~STM_CONFIG_SMI_UNBLOCKING_BY_VMX_OFF)
		stm_compat(c, STM_COMPAT_ACTIVATION_EDX);
	/*
	 * The arrival index (lock xadd at MSEG+EspOffset) is reset only when
	 * the last CPU stops: a CPU that already had one in this launch, or
	 * an index at or above the firmware's CPU count, dead-loops in J
	 * (Init/StmInit.c:860-862) and E (:1034-1036).
	 */
	if (stm_models_real(c) &&
	    (st->had_index || c->arrivals >= stm_core_fw_cpus(c))) {
		stm_compat(c, st->had_index ? STM_COMPAT_SECOND_ACTIVATION :
			   STM_COMPAT_TOO_MANY_CPUS);
		return STM_ERROR_OUT_OF_RESOURCES;
	}
	return STM_SUCCESS;
}

/* First VMCALL of a CPU without the STM: activation of dual-monitor mode. */
static void stm_activate(struct stm_core *c, uint32_t cpu, uint64_t vmcs_pa,
			 struct stm_regs *r)
{
	struct stm_cpu *st = &c->cpu[cpu];
	uint32_t eax = r->eax, status;

	status = stm_activate_refused(c, st, vmcs_pa, r);
	if (status != STM_SUCCESS) {
		stm_set_result(r, status);
		return;
	}
	if (c->joined == 0) {
		/* first CPU in: global ("BSP") initialisation */
		if (eax == STM_API_START)
			stm_compat(c, STM_COMPAT_START_BEFORE_INIT);
		stm_core_global_reset(c);
		c->bsp_done = 1;
	} else if (eax == STM_API_INITIALIZE_PROTECTION) {
		stm_compat(c, STM_COMPAT_INIT_ON_AP);
	}
	st->config = r->edx;
	st->state = eax == STM_API_START ? STM_CPU_ACTIVE : STM_CPU_JOINED;
	st->had_index = 1;
	c->arrivals++;
	c->joined++;
	if (eax == STM_API_START)
		stm_rendezvous_enter(c, st);
	r->ebx = 0;
	/*
	 * The reference validates the live BIOS list on every activating
	 * call and reports MALFORMED, yet the STM stays active on this CPU.
	 */
	stm_set_result(r, stm_bios_check_live(c));
}

/* START on an activated CPU (joined by INITIALIZE_PROTECTION). */
static uint32_t stm_do_start(struct stm_core *c, struct stm_cpu *st)
{
	if (st->state == STM_CPU_ACTIVE)
		return STM_ERROR_ALREADY_STARTED;
	st->state = STM_CPU_ACTIVE;
	stm_rendezvous_enter(c, st);
	return STM_SUCCESS;
}

/* STOP: does not check that START was done; always succeeds. */
static void stm_do_stop(struct stm_core *c, struct stm_cpu *st)
{
	st->state = STM_CPU_OFF;
	st->config = 0;
	c->joined--;
	if (c->joined == 0) {
		stm_core_global_reset(c);
		c->bsp_done = 0;
	}
}

/* An EAX no API of this STM answers. */
static uint32_t stm_do_unknown(struct stm_core *c, uint32_t eax)
{
	if (stm_is_pe_api(eax)) {
		/* STM/PE: coreboot port only */
		stm_compat(c, STM_COMPAT_PE_CALL);
		return STM_ERROR_FUNCTION_NOT_SUPPORTED;
	}
	/* reference J dead-loops; the coreboot port returns this */
	stm_compat(c, STM_COMPAT_UNKNOWN_EAX);
	return STM_ERROR_INVALID_API;
}

/* A VMCALL of an activated CPU other than STOP: its status. */
static uint32_t stm_api_call(struct stm_core *c, struct stm_cpu *st,
			     uint32_t eax, uint64_t addr, struct stm_regs *r)
{
	switch (eax) {
	case STM_API_START:
		return stm_do_start(c, st);
	case STM_API_PROTECT_RESOURCE:
		return stm_do_protect(c, addr);
	case STM_API_UNPROTECT_RESOURCE:
		return stm_do_unprotect(c, addr);
	case STM_API_GET_BIOS_RESOURCES:
		return stm_do_get_bios(c, addr, r);
	case STM_API_MANAGE_VMCS_DATABASE:
		return stm_vmcsdb_manage(c, addr);
	case STM_API_INITIALIZE_PROTECTION:
		return STM_ERROR_ALREADY_STARTED;
	case STM_API_MANAGE_EVENT_LOG:
		return stm_evlog_manage(c, addr);
	default:
		return stm_do_unknown(c, eax);
	}
}

void stm_core_vmcall(struct stm_core *c, uint32_t cpu, uint64_t vmcs_pa,
		     struct stm_regs *r)
{
	uint64_t addr = (uint64_t)r->ebx | ((uint64_t)r->ecx << 32);
	uint32_t eax = r->eax, status;
	struct stm_log_data_invalid_param inv;
	struct stm_cpu *st;

	if (cpu >= c->ncpus) {
		/* more CPUs than the STM counted: the reference hangs */
		stm_compat(c, STM_COMPAT_TOO_MANY_CPUS);
		stm_set_result(r, STM_ERROR_OUT_OF_RESOURCES);
		return;
	}
	st = &c->cpu[cpu];
	if (st->state == STM_CPU_OFF) {
		stm_activate(c, cpu, vmcs_pa, r);
		return;
	}
	if (eax == STM_API_STOP) {
		stm_do_stop(c, st);
		stm_set_result(r, STM_SUCCESS);
		return;
	}
	status = stm_api_call(c, st, eax, addr, r);
	stm_set_result(r, status);
	if (status != STM_SUCCESS) {
		inv.vmcall_api_number = eax;
		stm_evlog_add(c, STM_EVT_LOG_INVALID_PARAMETER_DETECTED, &inv,
			      sizeof(inv));
	}
}

int stm_core_cpu_state(const struct stm_core *c, uint32_t cpu)
{
	if (cpu >= c->ncpus)
		return STM_CPU_OFF;
	return (int)c->cpu[cpu].state;
}

int stm_core_cpu_active(const struct stm_core *c, uint32_t cpu)
{
	return stm_core_cpu_state(c, cpu) == STM_CPU_ACTIVE;
}

uint32_t stm_core_cpus_joined(const struct stm_core *c)
{
	return c->joined;
}

uint64_t stm_core_digest(const struct stm_core *c)
{
	uint64_t h = stm_protdb_digest(&c->db, STM_FNV_INIT);
	uint32_t i;

	for (i = 0; i < c->vmcsdb_cap; i++) {
		if (c->vmcsdb[i].occupied) {
			h = stm_fnv1a(h, &i, sizeof(i));
			h = stm_fnv1a(h, &c->vmcsdb[i].ptr, sizeof(c->vmcsdb[i].ptr));
			h = stm_fnv1a(h, &c->vmcsdb[i].policy,
				      sizeof(c->vmcsdb[i].policy));
		}
	}
	h = stm_fnv1a(h, &c->log.state, sizeof(c->log.state));
	h = stm_fnv1a(h, &c->log.bitmap, sizeof(c->log.bitmap));
	h = stm_fnv1a(h, &c->log.npages, sizeof(c->log.npages));
	h = stm_fnv1a(h, c->log.pa, (uint64_t)c->log.npages * sizeof(c->log.pa[0]));
	return h;
}

int stm_core_check_invariants(const struct stm_core *c)
{
	uint32_t i, joined = 0, used = 0;
	int r;

	if (c->magic != STM_CORE_MAGIC)
		return 100;
	r = stm_protdb_check(&c->db);
	if (r)
		return r;
	for (i = 0; i < c->ncpus; i++) {
		if (c->cpu[i].state > STM_CPU_ACTIVE)
			return 101;
		if (c->cpu[i].state != STM_CPU_OFF)
			joined++;
	}
	if (joined != c->joined)
		return 102;
	for (i = 0; i < c->vmcsdb_cap; i++)
		used += c->vmcsdb[i].occupied != 0;
	if (used != c->vmcsdb_used)
		return 103;
	if (c->log.npages > STM_LOG_MAX_PAGES ||
	    c->log.bitmap >= (1u << STM_EVT_MLE_MAX))
		return 104;
	if (c->log.state == STM_EVT_INVALID) {
		if (c->log.npages != 0)
			return 104;
	} else if (c->log.npages == 0 ||
		   (c->log.state != STM_EVT_LOG_STOPPED &&
		    c->log.state != STM_EVT_LOG_STARTED)) {
		return 104;
	}
	if (c->joined == 0 && (c->db.n_live || c->log.npages || c->vmcsdb_used))
		return 105;
	return 0;
}
