// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Benchmark: validation + overlap of 10,000 MLE nodes against 1,000 BIOS
 * nodes, indexed (the core) vs naive (the reference's double loop), in the
 * same run, median of repeated runs.  Also: a whole PROTECT VMCALL of the
 * same list, and the log reader's throughput.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core_priv.h"
#include "naive.h"
#include "rsc_build.h"

#define MEM_SIZE	(8u << 20)
#define LIST_PA		0x100000ull
#define N_MLE		10000u
#define N_BIOS		1000u
#define REPS		15

static uint8_t *mem;

static void *b_map(void *ctx, uint64_t pa, uint64_t len)
{
	(void)ctx;
	if (pa >= MEM_SIZE || len > MEM_SIZE - pa)
		return NULL;
	return mem + pa;
}

static void b_unmap(void *ctx, void *va, uint64_t len)
{
	(void)ctx;
	(void)va;
	(void)len;
}

static const struct stm_mem_ops ops = { b_map, b_unmap };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), dcmp);
	return v[n / 2];
}

static uint64_t rs = 88172645463325252ull;

static uint32_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (uint32_t)rs;
}

/*
 * BIOS: 1000 nodes: MEM/MMIO ranges in the low 4 GiB (even 1 MiB slots),
 * I/O ranges, MSRs.  MLE: 10,000 nodes that do not overlap (odd slots,
 * other ports/MSRs), so the naive loop scans the whole BIOS list for each.
 */
static uint32_t make_bios(uint8_t *b)
{
	uint32_t i, l = 0;

	for (i = 0; i < N_BIOS; i++) {
		uint32_t k = rnd() % 10;

		if (k < 7)
			l += mk_mem(b + l, k < 5 ? STM_MEM_RANGE : STM_MMIO_RANGE,
				     (uint64_t)(2 * (rnd() % 2048)) << 20, 0x100000, 3);
		else if (k < 9)
			l += mk_io(b + l, (uint16_t)(rnd() % 0x8000), 8);
		else
			l += mk_msr(b + l, rnd() % 0x1000, ~0ull, 0, 0);
	}
	return l;
}

static uint32_t make_mle(uint8_t *b)
{
	uint32_t i, l = 0;

	for (i = 0; i < N_MLE; i++) {
		uint32_t k = rnd() % 10;

		if (k < 8)
			l += mk_mem(b + l, k < 6 ? STM_MEM_RANGE : STM_MMIO_RANGE,
				     ((uint64_t)(2 * (rnd() % 2048) + 1) << 20) +
				     ((uint64_t)(rnd() % 255) << 12), 0x1000, 7);
		else if (k < 9)
			l += mk_io(b + l, (uint16_t)(0x8000 + rnd() % 0x7000), 4);
		else
			l += mk_msr(b + l, 0x1000 + rnd() % 0x1000, ~0ull, ~0ull, 0);
	}
	return l;
}

int main(void)
{
	struct stm_platform p;
	struct stm_core *c;
	uint8_t *nodes = malloc(N_MLE * 32), *bios = malloc(N_BIOS * 32 + 16);
	struct stm_list_page pages[STM_CORE_MAX_LIST_PAGES];
	double t_idx[REPS], t_naive[REPS], t_build[REPS], t_prot[REPS], t_read[REPS];
	double o_idx[REPS], o_naive[REPS];
	uint32_t i, l, bl, used, rep, hits_i = 0, hits_n = 0;
	struct stm_regs r;

	mem = calloc(1, MEM_SIZE);
	memset(&p, 0, sizeof(p));
	p.mem = &ops;
	p.ncpus = 1;
	p.phys_addr_bits = 39;
	p.bios_list_pa = 0x10000;
	c = calloc(1, stm_core_size(&p));
	if (!mem || !c || !nodes || !bios || stm_core_init(c, &p))
		return 1;

	bl = make_bios(bios);
	memcpy(mem + p.bios_list_pa, bios, bl);
	memset(mem + p.bios_list_pa + bl, 0, 16);
	((struct stm_rsc_end *)(mem + p.bios_list_pa + bl))->hdr.length = 16;
	l = make_mle(nodes);
	for (i = 0; i < STM_CORE_MAX_LIST_PAGES; i++) {
		pages[i].pa = LIST_PA + i * 0x1000ull;
		pages[i].va = mem + pages[i].pa;
	}
	if (stm_pack_resource_list(nodes, l, pages, STM_CORE_MAX_LIST_PAGES, &used))
		return 1;
	r.eax = STM_API_INITIALIZE_PROTECTION;
	r.ebx = r.ecx = r.edx = 0;
	stm_core_vmcall(c, 0, 0x1000, &r);
	if (r.eax || stm_bios_snapshot(c))
		return 1;
	printf("# bench: %u MLE nodes (%u pages) vs %u BIOS nodes (%u bytes)\n",
	       N_MLE, used, N_BIOS, bl);

	for (rep = 0; rep < REPS; rep++) {
		const uint8_t *node;
		uint32_t piece, off;
		double t0;

		/* indexed: stage + validate + index build + lookups */
		t0 = now();
		if (stm_rsc_stage_mle_list(c, LIST_PA) || stm_rsc_validate_staged(c))
			return 1;
		{
			double tb = now();

			stm_overlap_build(&c->bios);
			t_build[rep] = now() - tb;
		}
		hits_i = 0;
		piece = off = 0;
		{
			double to = now();

			while ((node = stm_staged_next(c, &piece, &off)))
				hits_i += stm_overlap_node(&c->bios, node);
			o_idx[rep] = now() - to + t_build[rep];
		}
		t_idx[rep] = now() - t0;

		/* naive: stage + validate + double loop */
		t0 = now();
		if (stm_rsc_stage_mle_list(c, LIST_PA) || stm_rsc_validate_staged(c))
			return 1;
		hits_n = 0;
		piece = off = 0;
		{
			double to = now();

			while ((node = stm_staged_next(c, &piece, &off)))
				hits_n += naive_overlap_node(c->bios.flat, node);
			o_naive[rep] = now() - to;
		}
		t_naive[rep] = now() - t0;
	}
	if (hits_i != hits_n) {
		printf("# MISMATCH indexed %u naive %u\n", hits_i, hits_n);
		return 1;
	}

	/* whole PROTECT + UNPROTECT VMCALLs (DB insert, EPT-view sweep) */
	for (rep = 0; rep < REPS; rep++) {
		double t0 = now();

		r.eax = STM_API_PROTECT_RESOURCE;
		r.ebx = (uint32_t)LIST_PA;
		r.ecx = 0;
		stm_core_vmcall(c, 0, 0x1000, &r);
		t_prot[rep] = now() - t0;
		if (r.eax) {
			printf("# PROTECT failed: %s\n", stm_status_name(r.eax));
			return 1;
		}
		r.eax = STM_API_UNPROTECT_RESOURCE;
		r.ebx = (uint32_t)LIST_PA;
		stm_core_vmcall(c, 0, 0x1000, &r);
	}

	/* log reader: 510 full pages */
	{
		static struct stm_log_scratch scratch;
		static struct stm_log_entry out[STM_LOG_MAX_SLOTS];
		void *pg[STM_LOG_MAX_PAGES];
		struct stm_log_reader rd;
		struct stm_log_drain_result res;
		uint8_t *log = aligned_alloc(4096, STM_LOG_MAX_PAGES * 4096ull);
		uint32_t s, serial = 0;

		for (i = 0; i < STM_LOG_MAX_PAGES; i++)
			pg[i] = log + i * 4096ull;
		stm_log_reader_init(&rd, 0);
		for (rep = 0; rep < REPS; rep++) {
			double t0;

			/* a rotated ring, as the writer leaves it */
			for (s = 0; s < STM_LOG_MAX_SLOTS; s++) {
				struct stm_log_entry *e = (struct stm_log_entry *)(log + s * 256ull);
				uint32_t k = (s + STM_LOG_MAX_SLOTS - 1000) % STM_LOG_MAX_SLOTS;

				e->hdr.event_serial_number = serial + k;
				e->hdr.type = 2;
				e->hdr.flags = STM_LOG_VALID;
			}
			serial += STM_LOG_MAX_SLOTS;
			t0 = now();
			stm_log_drain(&rd, pg, STM_LOG_MAX_PAGES, out, STM_LOG_MAX_SLOTS,
				      &scratch, &res);
			t_read[rep] = now() - t0;
			if (res.count != STM_LOG_MAX_SLOTS || res.lost)
				return 1;
		}
		free(log);
	}

	{
		double mi = median(t_idx, REPS), mn = median(t_naive, REPS);
		double mb = median(t_build, REPS), mp = median(t_prot, REPS);
		double mr = median(t_read, REPS);

		printf("# validation+overlap, indexed (incl. index build %.3f ms): %.3f ms\n",
		       mb * 1e3, mi * 1e3);
		printf("# validation+overlap, naive O(n*m):                    %.3f ms\n",
		       mn * 1e3);
		printf("# ratio naive/indexed: %.1fx (median of %d, %u overlapping nodes)\n",
		       mn / mi, REPS, hits_i);
		printf("# overlap step alone (index build + lookups vs double loop): "
		       "%.3f ms vs %.3f ms, ratio %.1fx\n", median(o_idx, REPS) * 1e3,
		       median(o_naive, REPS) * 1e3, median(o_naive, REPS) / median(o_idx, REPS));
		printf("# whole PROTECT_RESOURCE VMCALL, 10,000 nodes: %.3f ms\n", mp * 1e3);
		printf("# log reader: %u records in %.3f ms = %.1f M records/s\n",
		       STM_LOG_MAX_SLOTS, mr * 1e3, STM_LOG_MAX_SLOTS / mr / 1e6);
	}
	stm_core_fini(c);
	free(c);
	free(mem);
	free(nodes);
	free(bios);
	return 0;
}
