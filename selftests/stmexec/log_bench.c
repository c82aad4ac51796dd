// SPDX-License-Identifier: GPL-2.0
/*
 * log_bench: drain rate of violation-log records from the STM's log pages
 * to a userspace reader (sim backend; the SMM accesses are injected through
 * debugfs beforehand and not timed), side by side with a plain memcpy of
 * the same bytes as the ceiling. Goal (issue 5): >= 1 M records/s and
 * within 10x of the memcpy ceiling.
 *
 * usage: log_bench [ROUNDS]   (default 8; 8000 records per round)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "sx.h"

#define PER_ROUND	8000	/* < 510 pages * 16 entries */
#define BATCH		512

static int fail(const char *what, int err)
{
	printf("# log_bench: %s: %s\n", what, strerror(err < 0 ? -err : err));
	__sx_ensure_unloaded();
	return 1;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 8;
	struct stmexec_log_record *buf, *src, *dst;
	double t_drain = 0, t_copy = 0, t0;
	uint64_t page, total = 0;
	struct stmexec_range r;
	int fd, ret, round, i;
	volatile uint64_t sink = 0;

	buf = calloc(BATCH, sizeof(*buf));
	src = calloc(PER_ROUND, sizeof(*src));
	dst = calloc(PER_ROUND, sizeof(*dst));
	if (!buf || !src || !dst)
		return 1;
	/* fault every page in now: the ceiling is the copy, not page faults */
	memset(buf, 0, BATCH * sizeof(*buf));
	memset(dst, 0, PER_ROUND * sizeof(*dst));
	ret = __sx_ensure_unloaded() ?: __sx_load(SX_SIM_BARE);
	if (ret)
		return fail("load backend=sim", ret);
	if (!sx_dbg_available()) {
		printf("# log_bench: SKIP: no %s (debugfs) to inject SMM accesses\n", SX_DEBUGFS);
		__sx_ensure_unloaded();
		return 4;
	}
	fd = __sx_open();
	if (fd < 0)
		return fail("open", fd);
	ret = __sx_ioctl(fd, STMEXEC_ENABLE, NULL);
	if (ret)
		return fail("ENABLE", ret);
	ret = __sx_find_free(fd, STMEXEC_RANGE_MEM, 0x1000, &page);
	if (ret)
		return fail("no free page", ret);
	r = sx_range(STMEXEC_RANGE_MEM, page, 0x1000, STMEXEC_ACC_W);
	ret = __sx_protect(fd, &r, 1, NULL, NULL);
	if (ret)
		return fail("PROTECT", ret);
	/* the poller stays out of the way: the reader drains */
	__sx_write("log/poll_interval_ms", "10000");
	ret = __sx_log_start(fd, 510, 1u << STMEXEC_EVT_PROTECTION_EXCEPTION, 65536);
	if (ret)
		return fail("LOG_SETUP/START", ret);
	fcntl(fd, F_SETFL, O_NONBLOCK);

	for (round = 0; round < rounds; round++) {
		uint64_t got = 0;

		for (i = 0; i < PER_ROUND; i++) {
			ret = __sx_inject("mem 0x%llx 8 w", (unsigned long long)page);
			if (ret)
				return fail("inject", ret);
		}
		t0 = sx_now_s();
		while (got < PER_ROUND) {
			ssize_t n = read(fd, buf, BATCH * sizeof(*buf));

			if (n < 0 && errno == EAGAIN)
				break;	/* nothing more: a loss would show below */
			if (n <= 0)
				return fail("read", n < 0 ? errno : EIO);
			got += (uint64_t)n / sizeof(*buf);
		}
		t_drain += sx_now_s() - t0;
		total += got;
		if (got != PER_ROUND)
			printf("# log_bench: round %d: %llu of %d records\n", round,
			       (unsigned long long)got, PER_ROUND);

		/* the ceiling: the same bytes, userspace to userspace */
		memset(src, round, PER_ROUND * sizeof(*src));
		t0 = sx_now_s();
		memcpy(dst, src, got * sizeof(*src));
		sink += dst[got ? got - 1 : 0].serial;
		t_copy += sx_now_s() - t0;
	}
	close(fd);
	__sx_ensure_unloaded();

	{
		double rate = total / t_drain, ceil = total / (t_copy > 0 ? t_copy : 1e-9);

		printf("# log_bench: drained %llu records (%zu bytes each) in %.3f ms: %.0f records/s (%.1f MB/s)\n",
		       (unsigned long long)total, sizeof(*buf), t_drain * 1e3, rate,
		       rate * sizeof(*buf) / 1e6);
		printf("# log_bench: memcpy of the same bytes: %.3f ms: %.0f records/s (%.1f MB/s)\n",
		       t_copy * 1e3, ceil, ceil * sizeof(*buf) / 1e6);
		printf("# log_bench: drain is %.1fx slower than memcpy; goal >= 1000000 records/s and <= 10x: %s\n",
		       ceil / rate, rate >= 1e6 && ceil / rate <= 10 ? "met" : "NOT met");
	}
	(void)sink;
	return 0;
}
