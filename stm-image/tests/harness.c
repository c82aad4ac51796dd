// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdlib.h>
#include "harness.h"

int t_failed;
int t_skipped;
int t_filtered;
uint32_t t_seen[64];
uint32_t t_nseen;

static void *t_map(void *ctx, uint64_t pa, uint64_t len)
{
	struct tenv *e = (struct tenv *)ctx;

	if (pa >= T_MEM_SIZE || len > T_MEM_SIZE - pa)
		return NULL;
	return e->mem + pa;
}

static void t_unmap(void *ctx, void *va, uint64_t len)
{
	(void)ctx;
	(void)va;
	(void)len;
}

const struct stm_mem_ops t_mem_ops = { t_map, t_unmap };

void tenv_init(struct tenv *e, uint32_t ncpus)
{
	uint64_t sz;

	memset(e, 0, sizeof(*e));
	e->ncpus = ncpus;
	e->mem = calloc(1, T_MEM_SIZE);
	e->p.mem = &t_mem_ops;
	e->p.mem_ctx = e;
	e->p.ncpus = ncpus;
	e->p.phys_addr_bits = T_BITS;
	e->p.mseg_base = T_MSEG_BASE;
	e->p.mseg_size = T_MSEG_SIZE;
	e->p.tseg_base = T_TSEG_BASE;
	e->p.tseg_size = T_TSEG_SIZE;
	e->p.bios_list_pa = T_BIOS_PA;
	sz = stm_core_size(&e->p);
	e->c = calloc(1, sz);
	if (!e->mem || !e->c || stm_core_init(e->c, &e->p) != 0) {
		printf("# tenv_init failed\n");
		exit(2);
	}
	tenv_set_bios(e, NULL, 0);
}

void tenv_free(struct tenv *e)
{
	stm_core_fini(e->c);
	free(e->c);
	free(e->mem);
	e->c = NULL;
	e->mem = NULL;
}

void twrite_list(struct tenv *e, uint64_t pa, const void *nodes, uint32_t len,
		 uint64_t cont)
{
	memset(e->mem + (pa & ~0xFFFull), 0, 4096 + ((len + 16 + (pa & 0xFFF)) & ~0xFFFull));
	if (len)
		memcpy(e->mem + pa, nodes, len);
	mk_end(e->mem + pa + len, cont);
}

void tenv_set_bios(struct tenv *e, const void *nodes, uint32_t len)
{
	twrite_list(e, T_BIOS_PA, nodes, len, 0);
}

static void t_note_status(uint32_t st)
{
	uint32_t i;

	for (i = 0; i < t_nseen; i++)
		if (t_seen[i] == st)
			return;
	if (t_nseen < 64)
		t_seen[t_nseen++] = st;
}

struct stm_regs tcall(struct tenv *e, uint32_t cpu, uint32_t eax, uint64_t addr,
		      uint32_t edx)
{
	struct stm_regs r;

	r.eax = eax;
	r.ebx = (uint32_t)addr;
	r.ecx = (uint32_t)(addr >> 32);
	r.edx = edx;
	r.cf = 0xdead;
	stm_core_vmcall(e->c, cpu, T_VMCS_PA + cpu * 0x1000ull, &r);
	if (r.cf != (r.eax != 0))
		printf("#   CF %u inconsistent with EAX 0x%x\n", r.cf, r.eax), t_failed++;
	t_note_status(r.eax);
	return r;
}

void tenv_launch(struct tenv *e)
{
	struct stm_regs r;
	uint32_t i;

	r = tcall(e, 0, STM_API_INITIALIZE_PROTECTION, 0, 0);
	CHECK_ST(r.eax, STM_SUCCESS);
	for (i = 0; i < e->ncpus; i++) {
		r = tcall(e, i, STM_API_START, 0, 0);
		CHECK_ST(r.eax, STM_SUCCESS);
	}
}

uint32_t tprotect(struct tenv *e, const void *nodes, uint32_t len)
{
	twrite_list(e, T_LIST_PA, nodes, len, 0);
	return tcall(e, 0, STM_API_PROTECT_RESOURCE, T_LIST_PA, 0).eax;
}

uint32_t tunprotect(struct tenv *e, const void *nodes, uint32_t len)
{
	twrite_list(e, T_LIST_PA, nodes, len, 0);
	return tcall(e, 0, STM_API_UNPROTECT_RESOURCE, T_LIST_PA, 0).eax;
}

uint32_t tlog(struct tenv *e, uint32_t sub, uint32_t arg, const uint64_t *pages)
{
	struct stm_event_log_management_request *req =
		(struct stm_event_log_management_request *)(e->mem + T_BUF_PA);
	uint32_t i;

	memset(req, 0, 4096);
	req->sub_function_index = sub;
	req->page_count = arg;
	if (pages)
		for (i = 0; i < arg && i < STM_LOG_MAX_PAGES; i++)
			req->pages[i] = pages[i];
	return tcall(e, 0, STM_API_MANAGE_EVENT_LOG, T_BUF_PA, 0).eax;
}

void tlog_start(struct tenv *e, uint32_t npages, uint32_t bitmap)
{
	uint64_t pages[STM_LOG_MAX_PAGES];
	uint32_t i;

	for (i = 0; i < npages; i++)
		pages[i] = T_LOG_PA + i * 4096ull;
	memset(e->mem + T_LOG_PA, 0, npages * 4096ull);
	CHECK_ST(tlog(e, STM_NEW_LOG, npages, pages), STM_SUCCESS);
	CHECK_ST(tlog(e, STM_CONFIGURE_LOG, bitmap, NULL), STM_SUCCESS);
	CHECK_ST(tlog(e, STM_START_LOG, 0, NULL), STM_SUCCESS);
}

struct stm_log_entry *tlog_slot(struct tenv *e, uint32_t slot)
{
	return (struct stm_log_entry *)(e->mem + T_LOG_PA + slot * 256ull);
}

int main(int argc, char **argv)
{
	size_t i;
	int pass = 0, fail = 0, skip = 0;
	const char *only = argc > 1 ? argv[1] : NULL;

	t_filtered = only != NULL;

	printf("TAP version 13\n");
	printf("# Subtest: stm-core\n");
	printf("1..%zu\n", stm_ntests);
	for (i = 0; i < stm_ntests; i++) {
		if (only && !strstr(stm_tests[i].name, only)) {
			printf("ok %zu %s # SKIP filtered\n", i + 1, stm_tests[i].name);
			skip++;
			continue;
		}
		t_failed = 0;
		t_skipped = 0;
		stm_tests[i].fn();
		if (t_skipped && !t_failed) {
			printf("ok %zu %s # SKIP\n", i + 1, stm_tests[i].name);
			skip++;
		} else if (t_failed) {
			printf("not ok %zu %s\n", i + 1, stm_tests[i].name);
			fail++;
		} else {
			printf("ok %zu %s\n", i + 1, stm_tests[i].name);
			pass++;
		}
		fflush(stdout);
	}
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n",
	       pass, fail, skip);
	return fail ? 1 : 0;
}
