/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The selftest library, stress part: a seedable PRNG (header-only) and
 * LIST_RANGES snapshots (lib/range_set.c) for the stress tool and the
 * ioctl fuzzer (selftests/stress/). On top of sx.h; errors are -errno.
 */
#ifndef SX_STRESS_H
#define SX_STRESS_H

#include <stddef.h>
#include <stdint.h>
#include "sx.h"

/* ---- PRNG: xorshift64*, one state per thread ---------------------------- */

struct rng {
	uint64_t s;
};

static inline void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	r->s = seed ^ (0x9e3779b97f4a7c15ULL * (stream + 1));
	if (!r->s)
		r->s = 0x2545f4914f6cdd1dULL;
}

static inline uint64_t rng_next(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

/* Uniform in [0, n); n > 0. */
static inline uint64_t rng_below(struct rng *r, uint64_t n)
{
	return rng_next(r) % n;
}

/* True with probability pct/100. */
static inline int rng_pct(struct rng *r, unsigned int pct)
{
	return rng_below(r, 100) < pct;
}

/* ---- ranges ----------------------------------------------------------------- */

/* Same type, access, extent and BDF (flags ignored). */
bool sx_range_same(const struct stmexec_range *a, const struct stmexec_range *b);
/* "type T access A base B length L pci BB:DD.F flags F" into @buf. */
void sx_range_str(const struct stmexec_range *r, char *buf, size_t len);

struct range_set {
	struct stmexec_range *r;
	uint32_t n;	/* user ranges (STMEXEC_RF_POLICY entries dropped) */
	uint32_t cap;
};

/*
 * Snapshot LIST_RANGES into @s, without the default policy's ranges
 * (STMEXEC_RF_POLICY: not ours to compare). 0 or -errno.
 */
int __sx_range_set_list(int fd, struct range_set *s);
bool sx_range_set_has(const struct range_set *s, const struct stmexec_range *r);
/* Same multiset of ranges, order ignored. */
bool sx_range_set_equal(const struct range_set *a, const struct range_set *b);
void sx_range_set_free(struct range_set *s);

/* A decimal or 0x number in @attr (sx.h paths), @dflt if unreadable. */
long sx_read_long(const char *attr, long dflt);

/*
 * KTAP through kselftest.h (include it first): print the Totals line and
 * return the exit code, KSFT_FAIL if any test failed.
 */
#ifdef KSFT_PASS
static inline int sx_ksft_end(void)
{
	ksft_print_cnts();
	return ksft_get_fail_cnt() ? KSFT_FAIL : KSFT_PASS;
}
#endif

#endif /* SX_STRESS_H */
