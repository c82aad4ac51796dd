/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Tiny table-driven test runner (KTAP output) and a fake physical memory
 * with an identity-map accessor for the STM core.
 */
#ifndef STM_TEST_HARNESS_H
#define STM_TEST_HARNESS_H

#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "core_priv.h"
#include "rsc_build.h"	/* mk_mem() ... mk_end() */

/* ---- runner ---- */

struct stm_test {
	const char *name;
	void (*fn)(void);
};

extern int t_failed;
extern int t_skipped;
extern int t_filtered;
extern const struct stm_test stm_tests[];
extern const size_t stm_ntests;

#define CHECK(cond) do { \
	if (!(cond)) { \
		printf("#   %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
		t_failed++; \
	} \
} while (0)

#define CHECK_EQ(a, b) do { \
	unsigned long long _a = (unsigned long long)(a), _b = (unsigned long long)(b); \
	if (_a != _b) { \
		printf("#   %s:%d: %s == %s failed: 0x%llx != 0x%llx\n", __FILE__, \
		       __LINE__, #a, #b, _a, _b); \
		t_failed++; \
	} \
} while (0)

#define CHECK_ST(a, b) do { \
	uint32_t _a = (uint32_t)(a), _b = (uint32_t)(b); \
	if (_a != _b) { \
		printf("#   %s:%d: %s: got %s (0x%x), want %s (0x%x)\n", __FILE__, \
		       __LINE__, #a, stm_status_name(_a), _a, stm_status_name(_b), _b); \
		t_failed++; \
	} \
} while (0)

#define SKIP(why) do { printf("#   SKIP: %s\n", why); t_skipped = 1; return; } while (0)

/* ---- fake platform ---- */

#define T_MEM_SIZE	(32u << 20)		/* 32 MiB of fake physical memory */
#define T_TSEG_BASE	0x1000000ull		/* [16 MiB, 24 MiB) */
#define T_TSEG_SIZE	0x0800000ull
#define T_MSEG_BASE	0x1700000ull		/* inside TSEG */
#define T_MSEG_SIZE	0x0100000ull
#define T_BIOS_PA	0x1600000ull		/* BIOS list, inside TSEG */
#define T_LIST_PA	0x0100000ull		/* MLE buffers from here */
#define T_BUF_PA	0x0400000ull
#define T_LOG_PA	0x0800000ull
#define T_VMCS_PA	0x0010000ull
#define T_BITS		39u

struct tenv {
	uint8_t *mem;
	struct stm_platform p;
	struct stm_core *c;
	uint32_t ncpus;
};

extern const struct stm_mem_ops t_mem_ops;

void tenv_init(struct tenv *e, uint32_t ncpus);
void tenv_free(struct tenv *e);
/* BIOS list as one piece at T_BIOS_PA (nodes + END appended) */
void tenv_set_bios(struct tenv *e, const void *nodes, uint32_t len);
/* INIT on cpu 0 then START on all CPUs; checks success */
void tenv_launch(struct tenv *e);
struct stm_regs tcall(struct tenv *e, uint32_t cpu, uint32_t eax, uint64_t addr,
		      uint32_t edx);
/* write nodes + END(cont) at pa */
void twrite_list(struct tenv *e, uint64_t pa, const void *nodes, uint32_t len,
		 uint64_t cont);
uint32_t tprotect(struct tenv *e, const void *nodes, uint32_t len);
uint32_t tunprotect(struct tenv *e, const void *nodes, uint32_t len);
uint32_t tlog(struct tenv *e, uint32_t sub, uint32_t arg, const uint64_t *pages);
/* NEW(n pages at T_LOG_PA, zeroed) + CONFIGURE(bitmap) + START */
void tlog_start(struct tenv *e, uint32_t npages, uint32_t bitmap);
struct stm_log_entry *tlog_slot(struct tenv *e, uint32_t slot);


/* statuses seen from tcall(), for the coverage test */
extern uint32_t t_seen[64];
extern uint32_t t_nseen;

#endif
