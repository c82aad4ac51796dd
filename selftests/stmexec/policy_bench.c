// SPDX-License-Identifier: GPL-2.0
/*
 * policy_bench: what the default policy costs a real STM (issue 14): the
 * STM descriptors ("nodes") and the estimated STM heap pages the module
 * counts (sysfs stm_nodes, stm_heap_pages), against the goal of 16 nodes
 * and coreboot's 70-page STM heap.
 *
 *  1. the default policy (policy=kernel, policy_modules off) in this guest,
 *     under sim_profile=intel and =coreboot;
 *  2. a kernel with 150 modules, from a synthetic module list: for each
 *     module the text, rodata and ro_after_init pages a typical
 *     distribution module has (sizes drawn deterministically from 8 KiB
 *     to 400 KiB of text), placed as vmalloc places them (runs of 1 to 4
 *     physically contiguous pages, scattered), protected deny=wx as
 *     policy_modules=on would, through the real PROTECT path; then the
 *     same kernel at the default (policy_modules off: no module ranges).
 *
 * usage: policy_bench [NMODULES]   (default 150)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sx.h"

static int fail(const char *what, int err)
{
	printf("# policy_bench: %s: %s\n", what, strerror(err < 0 ? -err : err));
	__sx_ensure_unloaded();
	return 1;
}

static int usage(uint64_t *nodes, uint64_t *heap)
{
	return __sx_read_u64("stm_nodes", nodes) ?: __sx_read_u64("stm_heap_pages", heap);
}

static int param_set(const char *name, unsigned long v)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/stmexec/parameters/%s", name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "%lu\n", v);
	return fclose(f) ? -errno : 0;
}

/* xorshift: the same synthetic module list on every run */
static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/*
 * The monitor class of the policy in force: its deny=rwx MEM ranges in
 * sysfs "ranges" (the per-CPU pages are one of them, whatever the CPU
 * count); -errno if unreadable.
 */
static int monitor_ranges(void)
{
	static char buf[1 << 20];
	int n = 0, ret;
	char *l;

	ret = __sx_read("ranges", buf, sizeof(buf));
	if (ret < 0)
		return ret;
	for (l = strtok(buf, "\n"); l; l = strtok(NULL, "\n"))
		if (!strncmp(l, "mem ", 4) && strstr(l, " deny=rwx policy"))
			n++;
	return n;
}

static int default_policy(const char *profile)
{
	char params[128];
	uint64_t nodes, heap;
	int fd, ret, mon;

	snprintf(params, sizeof(params), "backend=sim sim_profile=%s", profile);
	ret = __sx_ensure_unloaded() ?: __sx_load(params);
	if (ret)
		return fail(params, ret);
	fd = __sx_open();
	if (fd < 0)
		return fail("open", fd);
	ret = __sx_ioctl(fd, STMEXEC_ENABLE, NULL);
	if (ret)
		return fail("ENABLE with the default policy", ret);
	ret = usage(&nodes, &heap);
	if (ret)
		return fail("stm_nodes", ret);
	mon = monitor_ranges();
	if (mon < 0)
		return fail("ranges", mon);
	printf("# policy_bench: default policy (kernel, modules off), sim_profile=%-8s %4llu nodes (goal <= 16), %3llu STM heap pages (goal <= 70), %ld CPUs: %d monitor-class ranges\n",
	       profile, (unsigned long long)nodes, (unsigned long long)heap,
	       sysconf(_SC_NPROCESSORS_CONF), mon);
	close(fd);
	return 0;
}

static int synthetic(unsigned int nmod)
{
	uint64_t nodes0, heap0, nodes, heap, base, at, pages = 0;
	struct stmexec_range *r = NULL, *nr;
	unsigned int m, n = 0, cap = 0;
	uint32_t seed = 0x5eed;
	int fd, ret;

	ret = __sx_ensure_unloaded() ?:
	      __sx_load("backend=sim sim_profile=intel node_budget=1000000 heap_budget=1000000");
	if (ret)
		return fail("load", ret);
	fd = __sx_open();
	if (fd < 0)
		return fail("open", fd);
	ret = __sx_ioctl(fd, STMEXEC_ENABLE, NULL) ?: usage(&nodes0, &heap0);
	if (ret)
		return fail("ENABLE", ret);
	/* vmalloc scatters module pages: leave a page between runs */
	ret = __sx_find_free(fd, STMEXEC_RANGE_MEM, 256ULL << 20, &base);
	if (ret)
		return fail("no free 256 MiB extent", ret);
	at = base;
	for (m = 0; m < nmod; m++) {
		/* text 8-400 KiB, rodata a third of it, ro_after_init a page */
		unsigned int text = 2 + rnd(&seed) % 99;
		unsigned int left = text + text / 3 + 1;

		while (left) {
			unsigned int run = 1 + rnd(&seed) % 4;

			if (run > left)
				run = left;
			if (n == cap) {
				cap = cap ? 2 * cap : 1024;
				nr = realloc(r, cap * sizeof(*r));
				if (!nr)
					return fail("malloc", ENOMEM);
				r = nr;
			}
			r[n++] = sx_range(STMEXEC_RANGE_MEM, at, run * 0x1000ULL,
					  STMEXEC_ACC_W | STMEXEC_ACC_X);
			at += (run + 1 + rnd(&seed) % 4) * 0x1000ULL;
			pages += run;
			left -= run;
		}
	}
	if (at - base > (256ULL << 20))
		return fail("synthetic list larger than its extent", ERANGE);
	ret = __sx_protect(fd, r, n, NULL, NULL) ?: usage(&nodes, &heap);
	if (ret)
		return fail("PROTECT of the synthetic module list", ret);
	printf("# policy_bench: %u modules (%llu pages, %u runs), policy_modules=on:     %5llu nodes, %5llu STM heap pages: %s\n",
	       nmod, (unsigned long long)pages, n, (unsigned long long)nodes,
	       (unsigned long long)heap,
	       nodes <= 64 && heap <= 70 ? "fits" : "beyond the default budget (EDQUOT at enable)");
	printf("# policy_bench: %u modules, default (policy_modules off):             %5llu nodes, %5llu STM heap pages: %s\n",
	       nmod, (unsigned long long)nodes0, (unsigned long long)heap0,
	       nodes0 <= 16 && heap0 <= 70 ? "within the goal" : "beyond the goal");
	__sx_unprotect(fd, r, n, NULL);
	param_set("node_budget", 64);
	param_set("heap_budget", 32);
	free(r);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int nmod = argc > 1 ? (unsigned int)atoi(argv[1]) : 150;
	int ret;

	if (nmod == 0 || nmod > 2000)
		nmod = 150;
	ret = default_policy("intel") ?: default_policy("coreboot") ?: synthetic(nmod);
	__sx_ensure_unloaded();
	return ret;
}
