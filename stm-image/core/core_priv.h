/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Internal layout of struct stm_core and the prototypes shared between the
 * core's files (and its tests, fuzzers and benchmark).  Not an API: only
 * stm/core.h is.  Freestanding: includes nothing but stm/core.h.
 */
#ifndef STM_CORE_PRIV_H
#define STM_CORE_PRIV_H

#include <stm/core.h>

#define STM_CORE_MAGIC		0x53544d43u	/* "STMC" */
#define STM_U64_MAX		0xFFFFFFFFFFFFFFFFull
#define STM_4G			0x100000000ull
#define STM_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- BIOS list snapshot and overlap index (rsc.c, overlap.c) ---- */

/* A half-open interval [start, end) of class cls (type, bit, key). */
struct stm_ivl {
	uint64_t cls;
	uint64_t start;
	uint64_t end;
};

struct stm_msr_ent {
	uint32_t index;
	uint32_t pad;
	uint64_t rmask;		/* OR of the read masks of the nodes */
	uint64_t wmask;
};

/* worst case: MEM/MMIO nodes (32 bytes) -> 3 overlap + 3 claim intervals */
#define STM_BIOS_MAX_IVL	(STM_CORE_MAX_BIOS_LIST / 32u * 6u)
#define STM_BIOS_MAX_MSR	(STM_CORE_MAX_BIOS_LIST / 32u)
#define STM_BIOS_MAX_PCI	(STM_CORE_MAX_BIOS_LIST / 22u + 1u)

/* interval classes */
#define STM_CLS(type, sub)	(((uint64_t)(type) << 56) | (uint64_t)(sub))
#define STM_CLS_CLAIM_MEM	0xF0u	/* MEM or MMIO node with bit b: claims */

struct stm_bios {
	uint32_t loaded;	/* snapshot + index valid */
	uint32_t len;		/* flat length, final END included */
	uint32_t n_ivl;
	uint32_t n_msr;
	uint32_t n_pci;		/* distinct PCI keys */
	uint32_t has_all;	/* a non-ignored ALL_RESOURCES node */
	uint8_t flat[STM_CORE_MAX_BIOS_LIST];
	struct stm_ivl ivl[STM_BIOS_MAX_IVL];
	struct stm_msr_ent msr[STM_BIOS_MAX_MSR];
	uint32_t pci_key[STM_BIOS_MAX_PCI];	/* flat offsets, sorted by key */
};

/* ---- protection database (protdb.c) ---- */

#ifndef STM_PROT_HASH_BUCKETS
#define STM_PROT_HASH_BUCKETS	32768u
#endif

struct stm_prot_rec {
	uint32_t off;		/* in arena */
	uint16_t len;
	uint8_t live;
	uint8_t type;
	uint32_t hnext;		/* 1-based record index, 0 = end of chain */
	uint32_t hash;
};

struct stm_other_msr {
	uint32_t index;
	uint32_t deny;		/* bit 0 read, bit 1 write */
};

/* Request event for the memory-interval sweep: pos | bits | STM_EVT_END. */
#define STM_MEVT_END		0x8ull
#define STM_MAX_REQ_MEM		(STM_CORE_MAX_LIST_PAGES * 127u)

struct stm_protdb {
	uint32_t n_rec;
	uint32_t n_live;
	uint32_t arena_used;
	uint32_t live_bytes;
	uint32_t n_ivl;
	uint32_t n_other_msr;
	struct stm_prot_rec rec[STM_CORE_MAX_PROT_NODES];
	uint32_t bucket[STM_PROT_HASH_BUCKETS];	/* chain heads, ascending index */
	uint32_t btail[STM_PROT_HASH_BUCKETS];	/* chain tails */
	uint8_t arena[STM_CORE_PROT_ARENA_BYTES];
	/* EPT view: sorted boundaries; entry = start (4 KiB aligned) | deny RWX */
	uint64_t ivl[STM_CORE_MAX_MEM_INTERVALS];
	uint64_t ivl_tmp[STM_CORE_MAX_MEM_INTERVALS];
	uint64_t mevt[2u * STM_MAX_REQ_MEM];
	uint8_t io_deny[65536u / 8u];
	uint8_t msr_deny[4][0x2000u / 8u];	/* rd-low, rd-high, wr-low, wr-high */
	struct stm_other_msr other_msr[STM_CORE_MAX_OTHER_MSRS];
	uint8_t pci_deny[65536];		/* [bus << 8 | dev << 3 | fn] */
	uint8_t pci_deny_any[256];		/* multi-hop paths: [dev << 3 | fn] */
};

/* ---- event log (evlog.c) ---- */

struct stm_evlog {
	uint32_t state;		/* STM_EVT_INVALID / _LOG_STOPPED / _LOG_STARTED */
	uint32_t serial;
	uint32_t bitmap;
	uint32_t npages;
	uint64_t dropped;
	uint64_t pa[STM_LOG_MAX_PAGES];
	void *va[STM_LOG_MAX_PAGES];
};

/* ---- VMCS database (vmcsdb.c) ---- */

struct stm_vmcs_rec {
	uint64_t ptr;
	uint32_t policy;
	uint32_t occupied;
};

/* ---- per CPU ---- */

struct stm_cpu {
	uint32_t state;		/* STM_CPU_OFF / _JOINED / _ACTIVE */
	uint32_t config;	/* EDX of the activating VMCALL */
	uint32_t had_index;	/* got an arrival index in this launch */
	uint32_t rdv_wait;	/* first START done, in E's rendezvous */
};

/*
 * The real STMs' heaps (profiles intel/coreboot/strict; protdb.c): pages
 * in use by the MLE's requests, and the EPT large pages split so far.
 */
#define STM_HEAP_MAX_FRAMES	4096u

struct stm_heap {
	uint32_t leaked;	/* J: list copies below the top, never freed */
	uint32_t nframes;
	uint64_t frame[STM_HEAP_MAX_FRAMES];	/* sorted split-frame keys */
};

struct stm_core {
	uint32_t magic;
	uint32_t ncpus;
	struct stm_platform plat;
	uint64_t max_addr;	/* 2^phys_addr_bits - 1 */
	uint32_t joined;	/* CPUs JOINED or ACTIVE */
	uint32_t bsp_done;	/* global init done since the last full teardown */
	uint32_t vmcsdb_cap;
	uint32_t vmcsdb_used;
	uint64_t compat_total;
	uint32_t compat_last;
	uint32_t pad0;
	uint64_t compat_cnt[STM_COMPAT_NR];
	struct stm_cpu *cpu;		/* ncpus, in tail[] */
	struct stm_vmcs_rec *vmcsdb;	/* vmcsdb_cap, in tail[] */
	/*
	 * The arrival counter at MSEG+EspOffset (J/E: lock xadd per
	 * activating VMCALL, zeroed only when the last CPU stops,
	 * Runtime/StmTearDown.c:78-90), and E's CpuReadyCount.
	 */
	uint32_t arrivals;
	uint32_t rdv_arrived;
	struct stm_evlog log;
	struct stm_bios bios;
	struct stm_protdb db;
	struct stm_heap heap;
	uint32_t n_pieces;
	uint32_t pad1;
	uint64_t piece_pa[STM_CORE_MAX_LIST_PAGES];
	uint8_t staging[STM_CORE_MAX_LIST_PAGES][STM_PAGE_SIZE];
	uint64_t tail[];
};

/* ---- util.c ---- */
void *stm_memcpy(void *dst, const void *src, uint64_t n);
void *stm_memmove(void *dst, const void *src, uint64_t n);
/*
 * Does the core model real STM `which` (STM_PROFILE_INTEL or _COREBOOT)?
 * STRICT models both.
 */
static inline int stm_models(const struct stm_core *c, enum stm_profile which)
{
	return c->plat.profile == (uint32_t)which ||
	       c->plat.profile == (uint32_t)STM_PROFILE_STRICT;
}

void *stm_memset(void *dst, int v, uint64_t n);
int stm_memcmp(const void *a, const void *b, uint64_t n);
uint64_t stm_fnv1a(uint64_t h, const void *p, uint64_t n);
uint64_t stm_fnv1a_words(uint64_t h, const void *p, uint64_t n);
#define STM_FNV_INIT	0xcbf29ce484222325ull
typedef int (*stm_cmp_fn)(const void *a, const void *b, const void *ctx);
void stm_sort(void *base, uint32_t n, uint32_t size, stm_cmp_fn cmp,
	      const void *ctx);
void stm_radix_sort_u64(uint64_t *a, uint64_t *tmp, uint32_t n);
void *stm_map(struct stm_core *c, uint64_t pa, uint64_t len);
void stm_unmap(struct stm_core *c, void *va, uint64_t len);
int stm_phys_read(struct stm_core *c, uint64_t pa, void *dst, uint64_t len);
int stm_phys_write(struct stm_core *c, uint64_t pa, const void *src,
		   uint64_t len);
int stm_ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen);
int stm_mle_addr_ok(const struct stm_core *c, uint64_t addr, uint64_t len);

/* ---- compat.c ---- */
void stm_compat(struct stm_core *c, enum stm_compat_reason r);

/* ---- rsc.c ---- */
#define STM_LIST_MLE	1
#define STM_LIST_BIOS	0
int stm_rsc_node_valid(const void *node, int from_mle, uint64_t max_addr);
const uint8_t *stm_rsc_find_end(const uint8_t *piece, uint32_t *end_off,
				int *zero_len);
uint32_t stm_rsc_stage_mle_list(struct stm_core *c, uint64_t pa);
uint32_t stm_rsc_validate_staged(struct stm_core *c);
uint32_t stm_rsc_validate_buffer(const uint8_t *buf, uint32_t len,
				 int from_mle, uint64_t max_addr);
uint32_t stm_bios_read(struct stm_core *c, uint8_t *dst, uint32_t cap,
		       uint32_t *len);
uint32_t stm_bios_snapshot(struct stm_core *c);
uint32_t stm_bios_check_live(struct stm_core *c);
int stm_rsc_staged_empty_piece(const struct stm_core *c);
/* iterate the staged MLE list: returns next node or NULL at the end */
const uint8_t *stm_staged_next(const struct stm_core *c, uint32_t *piece,
			       uint32_t *off);

/* ---- overlap.c ---- */
uint32_t stm_overlap_build(struct stm_bios *b);
int stm_overlap_node(const struct stm_bios *b, const uint8_t *node);
int stm_bios_claims_mem(const struct stm_bios *b, uint64_t pa, uint64_t len,
			uint32_t rwx);
int stm_bios_claims_io(const struct stm_bios *b, uint32_t port, uint32_t size);
int stm_bios_claims_msr(const struct stm_bios *b, uint32_t msr, int write);
int stm_bios_claims_pci(const struct stm_bios *b, uint8_t bus, uint8_t dev,
			uint8_t fn, uint16_t reg, int write);

/* ---- protdb.c ---- */
void stm_protdb_reset(struct stm_protdb *db);
uint32_t stm_protdb_protect(struct stm_core *c);
void stm_heap_reset(struct stm_core *c);
uint32_t stm_protdb_unprotect(struct stm_core *c);
const uint8_t *stm_protdb_find_mem(const struct stm_protdb *db, uint64_t pa,
				   uint32_t rwx);
const uint8_t *stm_protdb_find_io(const struct stm_protdb *db, uint32_t port);
const uint8_t *stm_protdb_find_msr(const struct stm_protdb *db, uint32_t msr,
				   int write);
const uint8_t *stm_protdb_find_pci(const struct stm_protdb *db, uint8_t bus,
				   uint8_t dev, uint8_t fn, int write);
uint64_t stm_protdb_mem_first_denied(const struct stm_protdb *db, uint64_t pa,
				     uint64_t len, uint32_t rwx,
				     uint64_t *hit);
uint64_t stm_protdb_digest(const struct stm_protdb *db, uint64_t h);
int stm_protdb_check(const struct stm_protdb *db);

/* ---- evlog.c ---- */
void stm_evlog_reset(struct stm_core *c);
void stm_evlog_add(struct stm_core *c, uint32_t type, const void *data,
		   uint32_t len);
void stm_evlog_add_rsc(struct stm_core *c, uint32_t type, const uint8_t *node);
uint32_t stm_evlog_manage(struct stm_core *c, uint64_t req_pa);

/* ---- vmcsdb.c ---- */
void stm_vmcsdb_reset(struct stm_core *c);
uint32_t stm_vmcsdb_manage(struct stm_core *c, uint64_t req_pa);

/* ---- dispatch.c ---- */
void stm_core_global_reset(struct stm_core *c);

#endif /* STM_CORE_PRIV_H */
