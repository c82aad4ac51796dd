// SPDX-License-Identifier: GPL-2.0
/*
 * ranges_bench: PROTECT/UNPROTECT throughput for 10,000 ranges (sim
 * backend), once as one request of 10,000 and once as 10,000 requests of
 * one. The ranges are single pages with a free page between them, so the
 * module cannot coalesce them into fewer STM descriptors.
 *
 * usage: ranges_bench [N]   (default 10000)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "sx.h"

static int fail(const char *what, int err)
{
	printf("# ranges_bench: %s: %s\n", what, strerror(err < 0 ? -err : err));
	__sx_ensure_unloaded();
	return 1;
}

static void report(const char *what, unsigned int n, double s)
{
	printf("# ranges_bench: %-34s %6u ranges in %9.3f ms: %10.0f ranges/s\n",
	       what, n, s * 1e3, n / s);
}

int main(int argc, char **argv)
{
	unsigned int n = argc > 1 ? (unsigned int)atoi(argv[1]) : 10000, i;
	struct stmexec_range *r;
	uint64_t base;
	double t0;
	int fd, ret;

	if (n == 0 || n > STMEXEC_MAX_RANGES)
		n = 10000;
	r = calloc(n, sizeof(*r));
	if (!r)
		return 1;
	/* 10,000 scattered nodes: far beyond the STM node budget, on purpose */
	ret = __sx_ensure_unloaded() ?:
	      __sx_load(SX_SIM_BARE " node_budget=100000 heap_budget=1000000");
	if (ret)
		return fail("load backend=sim", ret);
	fd = __sx_open();
	if (fd < 0)
		return fail("open", fd);
	ret = __sx_ioctl(fd, STMEXEC_ENABLE, NULL);
	if (ret)
		return fail("ENABLE", ret);
	ret = __sx_find_free(fd, STMEXEC_RANGE_MEM, (uint64_t)n * 0x2000, &base);
	if (ret)
		return fail("no free extent", ret);
	for (i = 0; i < n; i++)
		r[i] = sx_range(STMEXEC_RANGE_MEM, base + (uint64_t)i * 0x2000, 0x1000,
				STMEXEC_ACC_W);

	t0 = sx_now_s();
	ret = __sx_protect(fd, r, n, NULL, NULL);
	if (ret)
		return fail("PROTECT (one request)", ret);
	report("PROTECT, one request:", n, sx_now_s() - t0);
	t0 = sx_now_s();
	ret = __sx_unprotect(fd, r, n, NULL);
	if (ret)
		return fail("UNPROTECT (one request)", ret);
	report("UNPROTECT, one request:", n, sx_now_s() - t0);

	t0 = sx_now_s();
	for (i = 0; i < n; i++) {
		ret = __sx_protect(fd, &r[i], 1, NULL, NULL);
		if (ret)
			return fail("PROTECT (one range per request)", ret);
	}
	report("PROTECT, one range per request:", n, sx_now_s() - t0);
	t0 = sx_now_s();
	for (i = 0; i < n; i++) {
		ret = __sx_unprotect(fd, &r[i], 1, NULL);
		if (ret)
			return fail("UNPROTECT (one range per request)", ret);
	}
	report("UNPROTECT, one range per request:", n, sx_now_s() - t0);

	close(fd);
	__sx_ensure_unloaded();
	free(r);
	return 0;
}
