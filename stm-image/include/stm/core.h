/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The STM policy core: one freestanding implementation of everything an STM
 * decides (resource lists, protection database, event log, VMCS database,
 * MLE VMCALL dispatch, SMM-side access verdicts), plus the helpers an
 * executive monitor needs (resource-list packer, event-log reader).
 *
 * Freestanding: no libc, no kernel headers; memory is reached only through
 * struct stm_mem_ops.  The core is NOT internally locked: callers serialise
 * every call that takes a struct stm_core.  No dynamic allocation: all
 * state lives in the caller-allocated, zeroed struct stm_core of
 * stm_core_size() bytes.  See Documentation/stm-core.rst.
 */
#ifndef STM_CORE_H
#define STM_CORE_H

#include <stm/wire.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Capacities (fixed; see Documentation/stm-core.rst)                 */
/* ------------------------------------------------------------------ */

/*
 * The STM image (stm-image/image/Makefile) builds the core with smaller
 * capacities so that its state fits in MSEG; everything else uses these.
 */
#define STM_CORE_MAX_CPUS		4096u	/* stm_platform.ncpus limit */
#ifndef STM_CORE_MAX_PROT_NODES
#define STM_CORE_MAX_PROT_NODES		16384u	/* live MLE-protected nodes */
#endif
#define STM_CORE_PROT_ARENA_BYTES	(STM_CORE_MAX_PROT_NODES * 32u)
#ifndef STM_CORE_MAX_MEM_INTERVALS
#define STM_CORE_MAX_MEM_INTERVALS	65536u	/* EPT-view boundaries */
#endif
#define STM_CORE_MAX_OTHER_MSRS		256u	/* MSRs outside the bitmaps */
#ifndef STM_CORE_MAX_LIST_PAGES
#define STM_CORE_MAX_LIST_PAGES		128u	/* pieces of one MLE list */
#endif
#ifndef STM_CORE_MAX_BIOS_LIST
#define STM_CORE_MAX_BIOS_LIST		65536u	/* flattened BIOS list bytes */
#endif
#define STM_CORE_MAX_VMCSDB		65536u	/* explicit vmcsdb_capacity */

/* ------------------------------------------------------------------ */
/* Platform                                                           */
/* ------------------------------------------------------------------ */

/* Physical memory accessor. */
struct stm_mem_ops {
	/* Map [pa, pa + len) for access; NULL = not accessible. */
	void *(*map)(void *ctx, uint64_t pa, uint64_t len);
	void (*unmap)(void *ctx, void *va, uint64_t len);
};

/*
 * Behaviour profiles of the real STMs the core can model, on top of its own
 * well-defined answers.  A profile decides which caller actions count as
 * reference-compatibility violations (and, where a real STM differs in what
 * it answers, what the core answers): see Documentation/stm-core.rst.
 *   LENIENT   only the violations every real STM shares (the old default)
 *   INTEL     jyao1/STM ("J"): heap 0x140000 bump allocator, dead loops
 *   COREBOOT  EugeneDMyers/STM stmpe ("E"): START rendezvous, MADT CPU
 *             count, 70-page heap with silent partial success
 *   STRICT    the union of INTEL and COREBOOT (the test default)
 */
enum stm_profile {
	STM_PROFILE_LENIENT = 0,
	STM_PROFILE_INTEL,
	STM_PROFILE_COREBOOT,
	STM_PROFILE_STRICT,
	STM_PROFILE_NR
};

const char *stm_profile_name(enum stm_profile p);	/* "intel", ... */
/* STM_PROFILE_NR if `name` names no profile. */
enum stm_profile stm_profile_parse(const char *name);

struct stm_platform {
	const struct stm_mem_ops *mem;
	void *mem_ctx;
	uint32_t ncpus;			/* logical CPUs the STM expects */
	uint32_t phys_addr_bits;	/* 32..52 */
	uint64_t mseg_base, mseg_size;	/* address checks (sec. 4.3) */
	uint64_t tseg_base, tseg_size;
	uint64_t bios_list_pa;		/* PSD BiosHwResourceRequirementsPtr; 0 = empty */
	uint32_t vmcsdb_capacity;	/* 0 = reference formula ncpus*4096/20 - 1 */
	uint32_t profile;		/* enum stm_profile */
	uint32_t ept_exec_only;		/* CPU has EPT execute-only pages */
	/*
	 * CPUs the firmware counts (E: enabled MADT LAPIC/x2APIC entries,
	 * Init/StmInit.c:382-413); 0 = ncpus.  Arrival indices at or above
	 * it dead-loop (J StmInit.c:860-862, E :1034-1036), and E's START
	 * rendezvous waits for this many CPUs.
	 */
	uint32_t fw_cpus;
};

/* One VMCALL: in eax..edx; out eax, ebx, edx, cf (unchanged if not written). */
struct stm_regs {
	uint32_t eax, ebx, ecx, edx;
	uint32_t cf;
};

struct stm_core;	/* opaque */

/* Bytes the caller allocates (zeroed) for the core; 0 if *p is invalid. */
uint64_t stm_core_size(const struct stm_platform *p);
/* 0 (STM_SUCCESS) or STM_ERROR_INVALID_PARAMETER. */
int stm_core_init(struct stm_core *c, const struct stm_platform *p);
/* Release mappings the core holds (event-log pages).  Safe to call twice. */
void stm_core_fini(struct stm_core *c);

/*
 * One MLE VMCALL on logical CPU `cpu` (0 <= cpu < ncpus); vmcs_pa is the
 * activation/current VMCS (checked on activating calls: TSEG overlap is
 * refused, above 4 GiB is a compatibility violation).
 */
void stm_core_vmcall(struct stm_core *c, uint32_t cpu, uint64_t vmcs_pa,
		     struct stm_regs *r);

/*
 * Lifecycle behaviours of the real STMs that a single-threaded core cannot
 * act out by itself; the caller (the simulated STM) asks and reports.
 *
 * E's START rendezvous (E Runtime/SmiVmcallHandler.c:69-80, Init/StmInit.c
 * 1241-1245, CpuReadySync :1321-1347): the first START of every CPU in a
 * launch waits in SMM until fw_cpus CPUs have arrived.  Returns 1 while
 * `cpu` would still be waiting there (COREBOOT/STRICT profiles only).
 */
int stm_core_start_waiting(const struct stm_core *c, uint32_t cpu);
/* CPUs that have reached the START rendezvous in this launch. */
uint32_t stm_core_rendezvous_arrived(const struct stm_core *c);
/* CPUs the firmware counts (stm_platform.fw_cpus, or ncpus). */
uint32_t stm_core_fw_cpus(const struct stm_core *c);
/*
 * The caller gave up on a START rendezvous that a real E would never
 * leave: `offline` = some counted CPU cannot arrive at all (CPU_COUNT),
 * else the counted CPUs were not all asked (START_RENDEZVOUS).  Clears
 * the wait of `cpu`.  Counted under COREBOOT/STRICT only.
 */
void stm_core_rendezvous_abandoned(struct stm_core *c, uint32_t cpu,
				   int offline);
/*
 * An activating VMCALL returned on `cpu`; `if_was_set` = the caller made it
 * with RFLAGS.IF = 1.  J and E return with RFLAGS = 0x2 (J Init/VmcsInit.c
 * 113, E :123), so a caller with interrupts on relied on IF surviving.
 */
void stm_core_activation_if(struct stm_core *c, uint32_t cpu, int if_was_set);

/* ------------------------------------------------------------------ */
/* SMM-side access hooks: verdict + log records                       */
/* ------------------------------------------------------------------ */

enum stm_verdict {
	STM_VERDICT_ALLOW,	/* claimed by the BIOS list, not MLE-protected */
	STM_VERDICT_UNCLAIMED,	/* not in the BIOS list: logged, then performed */
	STM_VERDICT_DENY,	/* MLE-protected (or MSEG): protection exception */
};

#define STM_ACCESS_R	0x1u	/* rwx argument of stm_core_smm_mem */
#define STM_ACCESS_W	0x2u
#define STM_ACCESS_X	0x4u

enum stm_verdict stm_core_smm_mem(struct stm_core *c, uint32_t cpu,
				  uint64_t pa, uint64_t len, uint32_t rwx);
enum stm_verdict stm_core_smm_io(struct stm_core *c, uint32_t cpu,
				 uint16_t port, uint16_t size, int out);
enum stm_verdict stm_core_smm_msr(struct stm_core *c, uint32_t cpu,
				  uint32_t msr, int write);
/*
 * The firmware's SMI entry on `cpu` (before the SMI handler): the MSR
 * writes real firmware makes on every SMI (IA32_EFER, IA32_MISC_ENABLE).
 * DENY (logged; a compatibility violation under the intel, coreboot and
 * strict profiles) if the MLE protected one of them against writes.
 */
enum stm_verdict stm_core_smm_entry(struct stm_core *c, uint32_t cpu);
enum stm_verdict stm_core_smm_pci(struct stm_core *c, uint32_t cpu,
				  uint8_t bus, uint8_t dev, uint8_t fn,
				  uint16_t reg, int write);

/* Pure enforcement queries (no logging, no CPU state). */
uint32_t stm_core_mem_denied(const struct stm_core *c, uint64_t pa); /* RWX bits */
int stm_core_io_denied(const struct stm_core *c, uint16_t port);
int stm_core_msr_denied(const struct stm_core *c, uint32_t msr, int write);
uint32_t stm_core_pci_denied(const struct stm_core *c, uint8_t bus,
			     uint8_t dev, uint8_t fn); /* R/W bits */

/* ------------------------------------------------------------------ */
/* State inspection                                                   */
/* ------------------------------------------------------------------ */

#define STM_CPU_OFF	0	/* dual-monitor treatment not active */
#define STM_CPU_JOINED	1	/* activated (INITIALIZE_PROTECTION), no START yet */
#define STM_CPU_ACTIVE	2	/* START done: SMIs serviced */

int stm_core_cpu_active(const struct stm_core *c, uint32_t cpu); /* 1 if ACTIVE */
int stm_core_cpu_state(const struct stm_core *c, uint32_t cpu);
uint32_t stm_core_cpus_joined(const struct stm_core *c);
uint32_t stm_core_prot_nodes(const struct stm_core *c);
/* FNV-1a digest of the protection DB, enforcement view, VMCS DB, log config. */
uint64_t stm_core_digest(const struct stm_core *c);
/* 0 if the protection DB and its enforcement view are consistent. */
int stm_core_check_invariants(const struct stm_core *c);

/* VMCS database lookup (sec. 7.3); returns 1 if a record exists. */
int stm_core_vmcs_lookup(const struct stm_core *c, uint64_t vmcs_pa,
			 uint32_t *domain_type, uint32_t *xstate_policy,
			 uint32_t *degradation_policy);

/* Event-log state: STM_EVT_INVALID (no log), STM_EVT_LOG_STOPPED, STM_EVT_LOG_STARTED. */
uint32_t stm_core_log_state(const struct stm_core *c);
uint32_t stm_core_log_serial(const struct stm_core *c);	/* next serial */
uint64_t stm_core_log_dropped(const struct stm_core *c);	/* writer found no slot */

/* ------------------------------------------------------------------ */
/* Reference-compatibility checker                                    */
/* ------------------------------------------------------------------ */

enum stm_compat_reason {
	STM_COMPAT_NONE = 0,
	STM_COMPAT_UNKNOWN_EAX,		/* unknown MLE VMCALL number */
	STM_COMPAT_PE_CALL,		/* STM/PE VMCALL (reference J hangs) */
	STM_COMPAT_ZERO_LENGTH_DESC,	/* non-END descriptor with Length 0 */
	STM_COMPAT_DESC_CROSSES_PAGE,	/* descriptor crossing a 4 KiB page */
	STM_COMPAT_BUFFER_UNALIGNED,	/* list/log/GET_BIOS buffer not page-aligned */
	STM_COMPAT_END_LENGTH,		/* END Length != 16 */
	STM_COMPAT_LIST_TOO_LONG,	/* > STM_CORE_MAX_LIST_PAGES pieces or a cycle */
	STM_COMPAT_UNKNOWN_LOG_SUBFUNC,	/* unknown MANAGE_EVENT_LOG sub-function */
	STM_COMPAT_VMCS_ABOVE_4G,	/* activation VMCS at or above 4 GiB */
	STM_COMPAT_VMCS_IN_TSEG,	/* activation VMCS overlaps TSEG */
	STM_COMPAT_FIRST_CALL_NOT_INIT,	/* first VMCALL on the platform not INIT/START */
	STM_COMPAT_START_BEFORE_INIT,	/* START before the BSP's INITIALIZE_PROTECTION */
	STM_COMPAT_CALL_ON_INACTIVE_CPU, /* non-activating VMCALL on an OFF CPU */
	STM_COMPAT_TOO_MANY_CPUS,	/* cpu >= ncpus */
	STM_COMPAT_INIT_ON_AP,		/* INITIALIZE_PROTECTION as a second activation */
	STM_COMPAT_ACTIVATION_EDX,	/* reserved EDX bits set on an activating call */
	STM_COMPAT_VMCSDB_UNALIGNED,	/* VMCS DB pointer bits 11:0 not 0 */
	STM_COMPAT_VMCSDB_DUPLICATE,	/* VMCS DB ADD of a pointer already present */
	STM_COMPAT_RETURN_STATUS_SET,	/* ReturnStatus set in an MLE list on input */
	/* Behaviours of the real STMs, by profile (Documentation/stm-core.rst) */
	STM_COMPAT_SECOND_ACTIVATION,	/* activating call on a CPU that has an index */
	STM_COMPAT_START_RENDEZVOUS,	/* E: START would wait forever for other CPUs */
	STM_COMPAT_CPU_COUNT,		/* fewer CPUs activated than the firmware counts */
	STM_COMPAT_IF_RELIED,		/* caller relied on IF surviving an activation */
	STM_COMPAT_FW_MSR_DENIED,	/* firmware SMM entry writes a protected MSR */
	STM_COMPAT_HEAP_EXHAUSTED,	/* J dead-loops / E silently skips nodes */
	STM_COMPAT_MULTI_PIECE_LIST,	/* J/E GetSizeFromResource under-allocates */
	STM_COMPAT_EPT_INVALID,		/* MEM deny set leaves an invalid EPT entry */
	STM_COMPAT_MEM_AT_PHYS_LIMIT,	/* MEM range ending at 2^phys_bits */
	STM_COMPAT_NR
};

uint64_t stm_core_compat_violations(const struct stm_core *c);
const char *stm_core_compat_last(const struct stm_core *c); /* "" if none */
uint64_t stm_core_compat_count(const struct stm_core *c, enum stm_compat_reason r);
enum stm_compat_reason stm_core_compat_last_reason(const struct stm_core *c);
const char *stm_compat_reason_name(enum stm_compat_reason r);
void stm_core_compat_reset(struct stm_core *c);

/* ------------------------------------------------------------------ */
/* STM status codes: names and errnos (core/status.c, the one table)   */
/* ------------------------------------------------------------------ */

/*
 * Linux errno numbers (include/uapi/asm-generic/errno-base.h, errno.h: one
 * numbering for the kernel and userspace on x86) for the freestanding
 * core; kmod/lifecycle_cpu.c and tests/test_dispatch.c assert that they
 * equal <linux/errno.h>'s and <errno.h>'s.
 */
#define STM_ENOENT	2u
#define STM_EIO		5u
#define STM_ENXIO	6u
#define STM_EACCES	13u
#define STM_EBUSY	16u
#define STM_EINVAL	22u
#define STM_ENOSPC	28u
#define STM_ERANGE	34u
#define STM_EOPNOTSUPP	95u
#define STM_EADDRINUSE	98u
#define STM_EALREADY	114u

/* The kind of call a status came back from: the columns of the table. */
enum stm_call {
	STM_CALL_ANY = 0,		/* any VMCALL */
	STM_CALL_LOG,			/* MANAGE_EVENT_LOG */
	STM_CALL_RSC,			/* PROTECT_RESOURCE, UNPROTECT_RESOURCE */
	STM_CALL_VMCS_DB_ADD,		/* MANAGE_VMCS_DATABASE, ADD */
	STM_CALL_VMCS_DB_REMOVE,	/* MANAGE_VMCS_DATABASE, REMOVE */
	STM_CALL_NR
};

const char *stm_status_name(uint32_t status);	/* "ERROR_STM_..." */
int stm_status_known(uint32_t status);		/* has a row in the table */
/* The errno (positive; 0 for STM_SUCCESS, STM_EIO if unknown) of @status. */
uint32_t stm_status_errno(uint32_t status, enum stm_call call);
/* Only @call's own refinement of @status, 0 if its column has none. */
uint32_t stm_status_errno_refined(uint32_t status, enum stm_call call);

/* ------------------------------------------------------------------ */
/* MLE-side helper: resource-list packer                              */
/* ------------------------------------------------------------------ */

/*
 * Descriptor bytes that fit before the END node of one 4 KiB piece: the
 * reference STM only finds an END that starts below offset 4096 - 16, so
 * descriptors may occupy at most 4079 bytes: 127 MEM/MMIO/MSR (4064 bytes,
 * END at 4064, 16 spare), 254 IO, 185 single-node PCI descriptors.
 */
#define STM_PACK_PAGE_PAYLOAD	(STM_PAGE_SIZE - STM_RSC_END_SIZE - 1u)
#define STM_PACK_MAX_MEM_PER_PAGE (STM_PACK_PAGE_PAYLOAD / STM_RSC_MEM_SIZE)

struct stm_list_page {
	void *va;	/* 4 KiB writable */
	uint64_t pa;	/* 4 KiB aligned physical address */
};

/*
 * Lay out `nodes` (concatenated encoded descriptors, no END) into pages;
 * each page ends with an END (Length 16) chaining to the next page used
 * (0 on the last); the rest of each page is zeroed.  No descriptor crosses
 * a page.  Returns STM_SUCCESS, STM_ERROR_MALFORMED_RESOURCE_LIST (bad
 * node length, END inside, node too large for a page),
 * STM_ERROR_BUFFER_TOO_SMALL (more pages needed: *pages_used tells how many),
 * STM_ERROR_INVALID_PARAMETER (page not aligned / NULL).
 */
uint32_t stm_pack_resource_list(const void *nodes, uint32_t nodes_len,
				const struct stm_list_page *pages,
				uint32_t npages, uint32_t *pages_used);
/* Pages stm_pack_resource_list() needs; 0 if the node stream is malformed. */
uint32_t stm_pack_pages_needed(const void *nodes, uint32_t nodes_len);

/* ------------------------------------------------------------------ */
/* MLE-side helper: event-log reader / drainer                        */
/* ------------------------------------------------------------------ */

#define STM_LOG_MAX_SLOTS	(STM_LOG_MAX_PAGES * STM_LOG_ENTRIES_PER_PAGE)

struct stm_log_reader {
	uint32_t next_serial;	/* serial expected next */
	uint32_t deferrals;	/* consecutive drains that postponed a gap */
	uint64_t delivered;	/* records delivered */
	uint64_t lost;		/* serials declared lost (gaps) */
	uint64_t recovered;	/* late records delivered after a declared gap */
	uint64_t wrapped;	/* delivered records with Wrapped = 1 */
	uint64_t locked_skips;	/* slots skipped because Lock = 1 */
	uint64_t races;		/* header changed while copying */
};

struct stm_log_drain_result {
	uint32_t count;		/* records written to out[] */
	uint32_t lost;		/* serials newly declared lost by this drain */
	uint32_t recovered;	/* late records in out[] (were declared lost) */
	uint32_t wrapped;	/* records in out[] with Wrapped = 1 */
	uint32_t pending;	/* unread records left (out[] full or deferred) */
};

/* Caller-provided sort scratch (about 128 KiB). */
struct stm_log_scratch {
	struct {
		uint64_t hdr;
		int32_t key;
		uint32_t slot;
	} c[STM_LOG_MAX_SLOTS];
};

void stm_log_reader_init(struct stm_log_reader *rd, uint32_t first_serial);
/*
 * Drain the log whose pages are mapped at pages[0..npages) (the same pages,
 * in the same order, as given to NEW_LOG): collect Valid && !ReadByMle
 * entries (skipping Lock = 1 slots), deliver up to `max` in serial order into
 * out[], mark each ReadByMle (atomic compare-and-swap of the 8-byte header,
 * so an entry rewritten meanwhile is never marked), and account gaps in the
 * serials as lost.  Returns STM_SUCCESS or STM_ERROR_INVALID_PARAMETER.
 */
uint32_t stm_log_drain(struct stm_log_reader *rd, void *const *pages,
		       uint32_t npages, struct stm_log_entry *out, uint32_t max,
		       struct stm_log_scratch *scratch,
		       struct stm_log_drain_result *res);

/* ------------------------------------------------------------------ */
/* Enforcement-view accessors for the STM runtime (core/rtview.c)     */
/* ------------------------------------------------------------------ */

/*
 * Deny RWX bits of the memory interval containing pa, and in *next the
 * first address after pa where they may change (0 if they never do).
 */
uint32_t stm_core_mem_span(const struct stm_core *c, uint64_t pa,
			   uint64_t *next);
/* The I/O deny bitmap: 8 KiB, bit n = port n (the VMX I/O bitmap A|B layout). */
const uint8_t *stm_core_io_deny_map(const struct stm_core *c);
/*
 * The MSR deny bitmaps: 4 KiB, read 0-0x1FFF, read 0xC0000000-0xC0001FFF,
 * write low, write high (the VMX MSR bitmap layout, SDM 25.6.9).
 */
const uint8_t *stm_core_msr_deny_map(const struct stm_core *c);
/* 1 if any PCI configuration range is MLE-protected. */
int stm_core_pci_any_denied(const struct stm_core *c);

#ifdef __cplusplus
}
#endif

#endif /* STM_CORE_H */
