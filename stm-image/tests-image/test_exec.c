// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Runs the built stm.bin in this process: the image is copied into an
 * MSEG-sized mapping below 4 GiB at a base the linker never saw, RSP is set
 * to MSEG + EspOffset and every other register to a known value, and
 * control jumps to MSEG + EipOffset, as an activating VMCALL does.  The
 * entry stub and the C runtime run unmodified (64-bit code, flat segments,
 * nothing privileged) until the runtime's first VMX instruction, the
 * VMPTRST of the activation VMCS in stm_vmptrst(), which faults at CPL 3
 * outside VMX operation: the signal handler records RIP and RAX and jumps
 * back.  This checks position independence, the per-CPU stack claim, the
 * register frame, the relocation of data pointers, the TSS fix-up, and
 * that nothing outside the claimed areas was written before it.  (The
 * statuses themselves are the policy core's, tested in stm-image/tests,
 * and the VMX path is tested end to end by make check-stm STM=ours.)
 *
 *   test_exec STM_BIN STM_SYM     (STM_SYM: `nm -P` of build/stm.elf)
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "../tools/mseg_verify.h"

#define NCPUS		4
#define PATTERN		0xA5

struct regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};

/* Frame layout pushed by entry.S (struct stm_entry_frame). */
struct frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rbx, rdx, rcx, rax;
	uint64_t claim;
};

void stm_test_enter(const struct regs *r, uint64_t rip, uint64_t rsp)
	__attribute__((noreturn));

__asm__(
	".text\n"
	".globl stm_test_enter\n"
	"stm_test_enter:\n"
	"	movq %rsi, enter_rip(%rip)\n"
	"	movq %rdx, enter_rsp(%rip)\n"
	"	movq %rdi, %rax\n"
	"	movq 8(%rax), %rbx\n"
	"	movq 16(%rax), %rcx\n"
	"	movq 24(%rax), %rdx\n"
	"	movq 32(%rax), %rsi\n"
	"	movq 40(%rax), %rdi\n"
	"	movq 48(%rax), %rbp\n"
	"	movq 56(%rax), %r8\n"
	"	movq 64(%rax), %r9\n"
	"	movq 72(%rax), %r10\n"
	"	movq 80(%rax), %r11\n"
	"	movq 88(%rax), %r12\n"
	"	movq 96(%rax), %r13\n"
	"	movq 104(%rax), %r14\n"
	"	movq 112(%rax), %r15\n"
	"	movq 0(%rax), %rax\n"
	"	movq enter_rsp(%rip), %rsp\n"
	"	jmp *enter_rip(%rip)\n"
	".data\n"
	"enter_rip: .quad 0\n"
	"enter_rsp: .quad 0\n"
	".text\n");

static sigjmp_buf back;
static volatile uint64_t fault_rip, fault_rax;
static int failures;

static void on_fault(int sig, siginfo_t *si, void *uc_)
{
	ucontext_t *uc = uc_;

	(void)sig;
	(void)si;
	fault_rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	fault_rax = (uint64_t)uc->uc_mcontext.gregs[REG_RAX];
	siglongjmp(back, 1);
}

static void result(int ok, const char *name)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", name);
	if (!ok)
		failures++;
}

#define CHECK(cond, name) do { \
	int ok_ = !!(cond); \
	if (!ok_) \
		printf("# %s:%d: %s failed\n", __FILE__, __LINE__, #cond); \
	result(ok_, name); \
} while (0)

struct syms {
	uint64_t halt, reloc_base, tss, max_cpus;
	uint64_t vmx, vmx_size;		/* stm_vmptrst: the first VMX instruction */
	/*
	 * Optional (0 if absent, an image before the refusal stack): how many
	 * arrivals own an area (arrival 0's launch publishes it), the
	 * refusal stack's lock and top.
	 */
	uint64_t own_stacks, refuse_lock, refuse_top;
};

static int read_syms(const char *path, struct syms *s)
{
	FILE *f = fopen(path, "r");
	char line[512], name[256], type[8];
	unsigned long long v;
	int n = 0;

	if (!f)
		return -1;
	memset(s, 0, sizeof(*s));
	while (fgets(line, sizeof(line), f)) {
		unsigned long long sz = 0;

		if (sscanf(line, "%255s %7s %llx %llx", name, type, &v, &sz) < 3)
			continue;
		if (!strcmp(name, "stm_halt"))
			s->halt = v, n++;
		else if (!strcmp(name, "stm_vmptrst"))
			s->vmx = v, s->vmx_size = sz, n++;
		else if (!strcmp(name, "stm_relocated_base"))
			s->reloc_base = v, n++;
		else if (!strcmp(name, "stm_tss"))
			s->tss = v, n++;
		else if (!strcmp(name, "stm_cfg_max_cpus"))
			s->max_cpus = v, n++;
		else if (!strcmp(name, "stm_rt_own_stacks"))
			s->own_stacks = v;
		else if (!strcmp(name, "stm_refuse_lock"))
			s->refuse_lock = v;
		else if (!strcmp(name, "stm_refuse_stack_top"))
			s->refuse_top = v;
	}
	fclose(f);
	return n == 5 ? 0 : -1;
}

static uint8_t *read_all(const char *path, uint32_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		exit(2);
	fclose(f);
	*size = (uint32_t)n;
	return buf;
}

struct mseg {
	uint8_t *base;
	uint64_t size;
	struct stm_mseg_info in;
};

static void mseg_load(struct mseg *m, const uint8_t *img, uint32_t size,
		      uint64_t skew)
{
	stm_mseg_parse(img, size, &m->in);
	m->size = stm_mseg_min_size(&m->in, NCPUS, STM_MSEG_DEFAULT_VMCS_SIZE);
	/* Below 4 GiB (the MSEG base is 32 bits); skew moves the base. */
	m->base = mmap(NULL, m->size + skew, PROT_READ | PROT_WRITE | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (m->base == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	m->base += skew;
	/* The loader zeroes MSEG; fill the dynamic part with a pattern to see
	 * stray writes, except the claim counter, which must start at 0. */
	memset(m->base, PATTERN, m->size);
	memcpy(m->base, img, size);
	memset(m->base + m->in.esp_offset, 0, 4);
}

static uint64_t run(struct mseg *m, struct regs *r)
{
	fault_rip = fault_rax = 0;
	if (!sigsetjmp(back, 1))
		stm_test_enter(r, (uint64_t)(uintptr_t)m->base + m->in.eip_offset,
			       (uint64_t)(uintptr_t)m->base + m->in.esp_offset);
	return fault_rax;
}

static void fill_regs(struct regs *r, uint32_t eax, uint64_t seed)
{
	uint64_t *p = (uint64_t *)r;
	unsigned int i;

	for (i = 0; i < sizeof(*r) / 8; i++)
		p[i] = seed * 0x0101010101010101ull + i;
	r->rax = 0xDEADBEEF00000000ull | eax;
}

static int frame_matches(const struct frame *f, const struct regs *r)
{
	return f->rax == r->rax && f->rbx == r->rbx && f->rcx == r->rcx &&
	       f->rdx == r->rdx && f->rsi == r->rsi && f->rdi == r->rdi &&
	       f->rbp == r->rbp && f->r8 == r->r8 && f->r9 == r->r9 &&
	       f->r10 == r->r10 && f->r11 == r->r11 && f->r12 == r->r12 &&
	       f->r13 == r->r13 && f->r14 == r->r14 && f->r15 == r->r15;
}

static int untouched(const uint8_t *p, uint64_t len)
{
	uint64_t i;

	for (i = 0; i < len; i++)
		if (p[i] != PATTERN)
			return 0;
	return 1;
}

static void install_fault_handler(void)
{
	struct sigaction sa;
	stack_t ss;

	ss.ss_sp = malloc(65536);
	ss.ss_size = 65536;
	ss.ss_flags = 0;
	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

/*
 * What arrival 0's launch publishes when it has read the MADT (activate.c):
 * how many arrivals own a stack area.  Later arrivals wait for it in the
 * entry stub; this process never gets that far on arrival 0.
 */
static void publish_launch(struct mseg *m, const struct syms *sy,
			   uint32_t ncpus)
{
	if (sy->own_stacks)
		*(volatile uint32_t *)(m->base + sy->own_stacks) = ncpus;
}

/* NCPUS activating VMCALLs: each claims its stack and reaches VMPTRST. */
static void check_arrivals(struct mseg *m, const struct syms *sy)
{
	static const uint32_t calls[NCPUS] = {
		STM_API_INITIALIZE_PROTECTION, STM_API_START, STM_API_START,
		0x00010042,
	};
	struct regs r;
	char name[160];
	uint32_t i;

	for (i = 0; i < NCPUS; i++) {
		uint64_t stack = m->in.per_proc_dynamic_memory_size;
		uint8_t *top = m->base + m->in.esp_offset + (i + 1) * stack;
		/* below the 16-byte host-RSP slot (image/rt.h) */
		struct frame *f = (struct frame *)(top - 16 - sizeof(struct frame));
		uint64_t vmx = (uint64_t)(uintptr_t)m->base + sy->vmx;

		if (i == 1)
			publish_launch(m, sy, NCPUS);
		fill_regs(&r, calls[i], i + 1);
		run(m, &r);
		snprintf(name, sizeof(name),
			 "CPU %u (EAX 0x%x): runs to its first VMX instruction (VMPTRST)",
			 i, calls[i]);
		if (fault_rip < vmx || fault_rip >= vmx + sy->vmx_size)
			printf("# RIP %#llx (stm_vmptrst at %#llx)\n",
			       (unsigned long long)fault_rip,
			       (unsigned long long)vmx);
		CHECK(fault_rip >= vmx && fault_rip < vmx + sy->vmx_size, name);
		snprintf(name, sizeof(name),
			 "CPU %u: claim counter %u, stack %u, frame holds every caller register",
			 i, i + 1, i);
		CHECK(*(uint32_t *)(m->base + m->in.esp_offset) == i + 1 &&
		      f->claim == (i + 1) * stack && frame_matches(f, &r), name);
	}
}

/* The relocated base, every data pointer and the TSS descriptor. */
static void check_relocation(const struct mseg *m, const struct syms *sy)
{
	const uint8_t *d = m->base + m->in.gdtr_base_offset + 0x28;
	uint64_t b = d[2] | (uint64_t)d[3] << 8 | (uint64_t)d[4] << 16 |
		     (uint64_t)d[7] << 24 | (uint64_t)d[8] << 32 |
		     (uint64_t)d[9] << 40 | (uint64_t)d[10] << 48 |
		     (uint64_t)d[11] << 56;
	uint32_t i, rel_ok = 1;
	char name[160];

	CHECK(*(uint64_t *)(m->base + sy->reloc_base) == (uint64_t)(uintptr_t)m->base,
	      "relocated for the MSEG base it runs at");
	for (i = 0; i < m->in.note.reloc_count; i++) {
		const uint8_t *e = m->base + m->in.note.reloc_offset + 24 * i;
		uint64_t off, add, val;

		memcpy(&off, e, 8);
		memcpy(&add, e + 16, 8);
		memcpy(&val, m->base + off, 8);
		rel_ok &= val == (uint64_t)(uintptr_t)m->base + add;
	}
	snprintf(name, sizeof(name), "all %u data pointers point into this MSEG",
		 m->in.note.reloc_count);
	CHECK(rel_ok, name);
	CHECK(b == (uint64_t)(uintptr_t)m->base + sy->tss,
	      "TSS descriptor base = MSEG + offset of stm_tss");
}

/* Nothing outside the claimed areas was written. */
static void check_no_stray_writes(const struct mseg *m)
{
	uint64_t pt_end = m->in.cr3_offset + STM_MSEG_PT_SIZE;
	uint64_t stacks = m->in.esp_offset +
			  (uint64_t)NCPUS * m->in.per_proc_dynamic_memory_size;
	int ok = untouched(m->base + pt_end, m->in.esp_offset - pt_end) &&
		 untouched(m->base + stacks, m->size - stacks);
	uint32_t i;

	/* Inside each stack only the top frame may be written. */
	for (i = 0; i < NCPUS; i++)
		ok &= untouched(m->base + m->in.esp_offset +
				i * m->in.per_proc_dynamic_memory_size + (i ? 0 : 4),
				m->in.per_proc_dynamic_memory_size -
				(i ? 0 : 4) - 0x1000);
	CHECK(ok, "no write to the heap, the VMCS area or the stack bottoms");
}

/* A second MSEG at another base; then an arrival beyond the CPU limit. */
static void check_second_mseg(const uint8_t *img, uint32_t size,
			      const struct syms *sy)
{
	struct mseg m2;
	struct regs r;

	mseg_load(&m2, img, size, 0x7000);
	fill_regs(&r, STM_API_START, 9);
	run(&m2, &r);
	CHECK(fault_rip >= (uint64_t)(uintptr_t)m2.base + sy->vmx &&
	      fault_rip < (uint64_t)(uintptr_t)m2.base + sy->vmx + sy->vmx_size,
	      "second MSEG at another base: runs to its first VMX instruction");
	CHECK(*(uint64_t *)(m2.base + sy->reloc_base) == (uint64_t)(uintptr_t)m2.base,
	      "second MSEG relocated for its own base");

	/* Counter already at the CPU limit: refused before any stack use. */
	*(uint32_t *)(m2.base + m2.in.esp_offset) = (uint32_t)sy->max_cpus;
	fill_regs(&r, STM_API_START, 10);
	CHECK((uint32_t)run(&m2, &r) == STM_ERROR_OUT_OF_RESOURCES &&
	      fault_rip == (uint64_t)(uintptr_t)m2.base + sy->halt,
	      "arrival beyond STM_MAX_CPUS -> ERROR_STM_OUT_OF_RESOURCES, no stack");
}

/*
 * The firmware's MADT counts N = 2 CPUs and 4 arrive (check-stm
 * --madt-cpus 2): the VMCS pairs of the two admitted CPUs begin at
 * EspOffset + 2 * stack, and the MSEG the STM computed for them ends at
 * EspOffset + 2 * (stack + 2 * VMCS).  Arrivals 2 and 3 must run on the
 * refusal stack in the image and write nothing from EspOffset + 2 * stack
 * on: neither into those VMCS pairs nor past that MSEG.
 */
static void check_refused_arrivals(const uint8_t *img, uint32_t size,
				   const struct syms *sy)
{
	const uint32_t n = 2;
	struct mseg m;
	struct regs r;
	char name[160];
	uint64_t stack, pairs, vmx;
	uint32_t i;

	mseg_load(&m, img, size, 0x5000);
	stack = m.in.per_proc_dynamic_memory_size;
	pairs = m.in.esp_offset + n * stack;
	vmx = (uint64_t)(uintptr_t)m.base + sy->vmx;
	for (i = 0; i < NCPUS; i++) {
		struct frame *f = NULL;

		if (i == 1)
			publish_launch(&m, sy, n);
		if (sy->refuse_lock)	/* released at its VMLAUNCH */
			*(volatile uint32_t *)(m.base + sy->refuse_lock) = 0;
		fill_regs(&r, STM_API_START, 20 + i);
		run(&m, &r);
		snprintf(name, sizeof(name),
			 "MADT %u, arrival %u: runs to its first VMX instruction",
			 n, i);
		CHECK(fault_rip >= vmx && fault_rip < vmx + sy->vmx_size, name);
		if (i >= n && sy->refuse_top)
			f = (struct frame *)(m.base + sy->refuse_top - 16 -
					     sizeof(struct frame));
		snprintf(name, sizeof(name),
			 "MADT %u, arrival %u: its frame on the refusal stack, claim marked",
			 n, i);
		if (i >= n)
			CHECK(f && frame_matches(f, &r) &&
			      f->claim == ((i + 1) * stack | 1ull << 63), name);
	}
	snprintf(name, sizeof(name),
		 "MADT %u, %u arrivals: nothing written into the VMCS pairs or past the computed MSEG (0x%llx)",
		 n, NCPUS, (unsigned long long)(m.in.esp_offset +
						n * (stack + 2 * STM_MSEG_DEFAULT_VMCS_SIZE)));
	if (!untouched(m.base + pairs, m.size - pairs))
		printf("# first write at MSEG + 0x%llx\n", (unsigned long long)
		       (pairs + (uint64_t)(strspn((const char *)m.base + pairs,
						  "\xA5"))));
	CHECK(untouched(m.base + pairs, m.size - pairs), name);
}

int main(int argc, char **argv)
{
	struct syms sy;
	struct mseg m;
	uint8_t *img;
	uint32_t size;

	if (argc != 3 || read_syms(argv[2], &sy)) {
		fprintf(stderr, "usage: %s STM_BIN STM_SYM (with stm_halt, stm_vmptrst, stm_relocated_base, stm_tss, stm_cfg_max_cpus)\n",
			argv[0]);
		return 2;
	}
	img = read_all(argv[1], &size);
	if (!img)
		return 2;
	install_fault_handler();

	mseg_load(&m, img, size, 0x3000);
	printf("# MSEG at %p, 0x%llx bytes\n", (void *)m.base,
	       (unsigned long long)m.size);
	check_arrivals(&m, &sy);
	check_relocation(&m, &sy);
	check_no_stray_writes(&m);
	check_second_mseg(img, size, &sy);
	check_refused_arrivals(img, size, &sy);
	return failures ? 1 : 0;
}
