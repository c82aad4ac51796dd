// SPDX-License-Identifier: GPL-2.0
/*
 * stmfw-smi: make the stmfw TEST firmware's SMI handler do something, from
 * a Linux guest booted with memmap=4M$0x10000000 (stm-fw/stmfw.h).
 *
 *   stmfw-smi [--cpu N] [--io] nop | write32 PA VAL | read32 PA |
 *             outb PORT VAL | inb PORT | wrmsr MSR VAL | rdmsr MSR | io-state
 *   stmfw-smi all [--rounds R] CMD [ARGS]
 *                           concurrent SMIs: every CPU runs CMD in the same
 *                           SMI round, R rounds (default 1)
 *   stmfw-smi info          the mailbox: SMBASEs, MSR 0x9B, SMI and
 *                           protection-exception counts
 *   stmfw-smi peek PA | poke PA VAL
 *                           a word of the reserved region through /dev/mem
 *
 * CPU 0's SMI is raised with OUT 0xB2 (APMC, PIIX4) on CPU 0 (the tool
 * pins itself there); for another CPU the tool fills that CPU's slot and
 * asks CPU 0's handler to send it a LAPIC SMI IPI. With --io the tool runs
 * on CPU N and its own OUT 0xB2 raises CPU N's SMI, an I/O SMI (only the
 * dual-monitor Bochs, mk/bochs-dm patch 0008, sends the APMC SMI to the
 * CPU that wrote the port; Debian's Bochs sends it to CPU 0). io-state:
 * the handler reads the I/O state of that SMI's save map (IOMisc,
 * IORestart, I/O RIP); the tool prints them with the address of its OUT.
 * It waits for the slot's status by polling, bounded by 10 s.
 * "all" arms every CPU's slot with CMD, and CPU 0's with CMD |
 * STMFW_CMD_F_ALL: its handler sends an SMI IPI to all other CPUs and stays
 * in SMM until they are done; one line per round, "round R: together=K/M"
 * (K of the M other CPUs were done while CPU 0 was in SMM).
 * Prints the result (hex) on stdout; exit 0 done, 1 no answer, 2 usage or
 * access error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "../../stm-fw/stmfw.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static volatile struct stmfw_mailbox *mb;

static void usage(void)
{
	fprintf(stderr,
		"usage: stmfw-smi [--cpu N] [--io] nop | write32 PA VAL | read32 PA |\n"
		"                 outb PORT VAL | inb PORT | wrmsr MSR VAL | rdmsr MSR | io-state\n"
		"       stmfw-smi all [--rounds R] CMD [ARGS]\n"
		"       stmfw-smi info | peek PA | poke PA VAL\n");
	exit(2);
}

static uint64_t num(const char *s)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || end == s) {
		fprintf(stderr, "stmfw-smi: '%s' is not a number\n", s);
		exit(2);
	}
	return v;
}

static int map_mailbox(void)
{
	int fd = open("/dev/mem", O_RDWR | O_SYNC);
	void *p;

	if (fd < 0) {
		perror("stmfw-smi: /dev/mem");
		return -1;
	}
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, STMFW_MAILBOX);
	close(fd);
	if (p == MAP_FAILED) {
		perror("stmfw-smi: mmap of the mailbox (boot with memmap=4M$0x10000000)");
		return -1;
	}
	mb = p;
	if (memcmp((const void *)mb->magic, STMFW_MB_MAGIC, 8)) {
		fprintf(stderr, "stmfw-smi: no stmfw mailbox at 0x%x (not booted with stmfw?)\n",
			STMFW_MAILBOX);
		return -1;
	}
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int wait_done(volatile struct stmfw_slot *s)
{
	double t0 = now();

	while (__atomic_load_n(&s->status, __ATOMIC_ACQUIRE) != STMFW_ST_DONE) {
		if (s->status == STMFW_ST_BAD_CMD || now() - t0 > 10.0)
			return -1;
	}
	return 0;
}

static unsigned int ncpus(void)
{
	return mb->ncpus < STMFW_MAX_CPUS ? mb->ncpus : STMFW_MAX_CPUS;
}

/* "all": R rounds of CMD on every CPU at once (stmfw.h, STMFW_CMD_F_ALL) */
static int smi_all(unsigned int rounds, uint32_t cmd, uint64_t arg, uint64_t val)
{
	unsigned int n = ncpus(), r, i, bad = 0;
	volatile struct stmfw_slot *s;

	for (r = 0; r < rounds; r++) {
		for (i = 0; i < n; i++) {
			s = &mb->slot[i];
			s->status = STMFW_ST_IDLE;
			s->arg = arg;
			s->val = val;
			__atomic_store_n(&s->cmd, i ? cmd : cmd | STMFW_CMD_F_ALL,
					 __ATOMIC_RELEASE);
		}
		outb(STMFW_B2_CMD, 0xB2);
		for (i = 0; i < n; i++) {
			s = &mb->slot[i];
			if (wait_done(s)) {
				fprintf(stderr,
					"stmfw-smi: round %u: no answer from CPU %u (status 0x%x, smis %u)\n",
					r, i, s->status, s->smis);
				return 1;
			}
		}
		printf("round %u: together=%lu/%u\n", r, mb->slot[0].result, n - 1);
		bad |= mb->slot[0].result != n - 1;
	}
	return bad;
}

static void info(void)
{
	unsigned int i;

	printf("init_status=0x%x ncpus=%u mseg=0x%lx smrr=0x%lx/0x%lx\n",
	       mb->init_status, mb->ncpus, mb->mseg_base, mb->smrr_base, mb->smrr_mask);
	for (i = 0; i < ncpus(); i++) {
		printf("cpu%u smbase=0x%x msr9b=0x%lx smis=%u", i, mb->smbase[i],
		       mb->msr9b[i], mb->slot[i].smis);
		printf(" cmds=%u last_mode=%u efer_writes=%u\n", mb->slot[i].cmds_done,
		       mb->slot[i].last_mode, mb->slot[i].efer_writes);
	}
	printf("spe_count=%u spe_qual=0x%lx spe_rip=0x%lx spe_error=0x%lx\n",
	       mb->spe_count, mb->spe_qual, mb->spe_rip, mb->spe_error);
}

/* OUT 0xB2 on this CPU; returns the address of the OUT (its I/O RIP) */
static uint64_t apmc_smi(void)
{
	uint64_t rip;

	asm volatile("lea 1f(%%rip), %0\n1:\toutb %%al, $0xb2"
		     : "=&r"(rip) : "a"((uint8_t)STMFW_B2_CMD) : "memory");
	return rip;
}

static int pin_to(unsigned int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "stmfw-smi: cannot run on CPU %u: %s\n", cpu, strerror(errno));
		return -1;
	}
	return 0;
}

/* peek/poke: a word of the reserved region, through /dev/mem */
static int peek_poke(int argc, char **argv)
{
	uint64_t pa = num(argv[2]);
	volatile uint32_t *w;
	int fd;

	if (pa < STMFW_RES_BASE || pa + 4 > STMFW_RES_BASE + STMFW_RES_SIZE || (pa & 3)) {
		fprintf(stderr, "stmfw-smi: %s 0x%lx: not a word of the reserved RAM\n",
			argv[1], pa);
		return 2;
	}
	fd = open("/dev/mem", O_RDWR | O_SYNC);
	if (fd < 0) {
		perror("stmfw-smi: /dev/mem");
		return 2;
	}
	w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, pa & ~0xFFFull);
	close(fd);
	if (w == MAP_FAILED) {
		perror("stmfw-smi: mmap");
		return 2;
	}
	w += (pa & 0xFFF) / 4;
	if (argc > 3)
		*w = (uint32_t)num(argv[3]);
	else
		printf("0x%x\n", *w);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct { const char *name; uint32_t cmd; int nargs; } cmds[] = {
		{ "nop", STMFW_CMD_NOP, 0 }, { "write32", STMFW_CMD_WRITE32, 2 },
		{ "read32", STMFW_CMD_READ32, 1 }, { "outb", STMFW_CMD_OUTB, 2 },
		{ "inb", STMFW_CMD_INB, 1 }, { "wrmsr", STMFW_CMD_WRMSR, 2 },
		{ "rdmsr", STMFW_CMD_RDMSR, 1 }, { "io-state", STMFW_CMD_IO_STATE, 0 },
	};
	volatile struct stmfw_slot *s, *s0;
	unsigned int cpu = 0, i, rounds = 0;
	uint64_t out_rip;
	int io = 0;

	if (argc > 2 && !strcmp(argv[1], "--cpu")) {
		cpu = (unsigned int)num(argv[2]);
		argc -= 2;
		argv += 2;
	}
	if (argc > 1 && !strcmp(argv[1], "--io")) {
		io = 1;
		argc--;
		argv++;
	}
	if (argc > 1 && !strcmp(argv[1], "all")) {
		rounds = 1;
		argc--;
		argv++;
		if (argc > 2 && !strcmp(argv[1], "--rounds")) {
			rounds = (unsigned int)num(argv[2]);
			argc -= 2;
			argv += 2;
		}
	}
	if (argc < 2)
		usage();
	if ((!strcmp(argv[1], "peek") && argc == 3) || (!strcmp(argv[1], "poke") && argc == 4))
		return peek_poke(argc, argv);
	if (map_mailbox())
		return 2;
	if (!strcmp(argv[1], "info")) {
		info();
		return 0;
	}
	if (cpu >= ncpus()) {
		fprintf(stderr, "stmfw-smi: --cpu %u: the firmware handles CPUs 0-%u\n",
			cpu, ncpus() - 1);
		return 2;
	}
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(argv[1], cmds[i].name))
			break;
	if (i == ARRAY_SIZE(cmds) || argc != 2 + cmds[i].nargs)
		usage();
	if (ioperm(0xB2, 1, 1)) {
		perror("stmfw-smi: ioperm 0xB2");
		return 2;
	}
	if (pin_to(io ? cpu : 0))
		return 2;
	if (rounds)
		return smi_all(rounds, cmds[i].cmd, cmds[i].nargs > 0 ? num(argv[2]) : 0,
			       cmds[i].nargs > 1 ? num(argv[3]) : 0);
	s = &mb->slot[cpu];
	s->status = STMFW_ST_IDLE;
	s->arg = cmds[i].nargs > 0 ? num(argv[2]) : 0;
	s->val = cmds[i].nargs > 1 ? num(argv[3]) : 0;
	__atomic_store_n(&s->cmd, cmds[i].cmd, __ATOMIC_RELEASE);
	if (cpu && !io) {
		s0 = &mb->slot[0];
		s0->status = STMFW_ST_IDLE;
		s0->arg = cpu;	/* Bochs: APIC ID = CPU index */
		__atomic_store_n(&s0->cmd, STMFW_CMD_SMI_IPI, __ATOMIC_RELEASE);
	}
	out_rip = apmc_smi();
	if (wait_done(s)) {
		fprintf(stderr, "stmfw-smi: no answer from CPU %u (status 0x%x, smis %u)\n",
			cpu, s->status, s->smis);
		return 1;
	}
	if (cmds[i].cmd == STMFW_CMD_IO_STATE)
		printf("iomisc=0x%x iorestart=0x%x io_rip=0x%lx out_rip=0x%lx\n",
		       (uint32_t)s->result, (uint32_t)(s->result >> 32), s->val, out_rip);
	else
		printf("0x%lx\n", s->result);
	return 0;
}
