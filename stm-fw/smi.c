// SPDX-License-Identifier: GPL-2.0
/*
 * stmfw SMI handler, 64-bit C (TEST firmware, never for real machines).
 *
 * Runs in SMM on the CPU that took the SMI, either in the default
 * treatment (entered through smm.S's 16-bit stub) or as the STM's SMM
 * guest (entered at the PSD's SmmSmiHandlerRip). What it does is what the
 * test wrote into this CPU's mailbox slot (stmfw.h): nothing, a write or
 * read of a physical address, OUT/IN of a port, WRMSR/RDMSR, or a LAPIC
 * SMI IPI; with STMFW_CMD_F_ALL, first an SMI to every other CPU, and it
 * stays in SMM until they are done. It also answers rombios' ACPI
 * enable/disable SMI commands.
 */
#include "stmfw.h"

#define MSR_EFER	0xC0000080u
#define EFER_NXE	(1u << 11)
#define MSR_APIC_BASE	0x1Bu
#define APIC_BASE_X2APIC (1u << 10)

extern uint32_t pm_base, mailbox_pa;

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outb(uint8_t v, uint16_t port)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t v, uint16_t port)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
		     "d"((uint32_t)(v >> 32)) : "memory");
}

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *d)
{
	uint32_t b, c;

	asm volatile("cpuid" : "=a"(*a), "=b"(b), "=c"(c), "=d"(*d) : "a"(leaf), "c"(0));
}

/* ICR: delivery mode SMI (010b), level assert; SDM 3A 11.6.1 */
#define ICR_SMI			0x4200u
#define ICR_ALL_BUT_SELF	(3u << 18)	/* destination shorthand 11b */

static void smi_ipi_icr(uint32_t apic_id, uint32_t lo)
{
	if (rdmsr(MSR_APIC_BASE) & APIC_BASE_X2APIC) {
		wrmsr(0x830, ((uint64_t)apic_id << 32) | lo);
	} else {
		volatile uint32_t *icr = (volatile uint32_t *)0xFEE00300ul;

		icr[4] = apic_id << 24;		/* ICR high, 0xFEE00310 */
		icr[0] = lo;
	}
}

static void smi_ipi(uint32_t apic_id)
{
	smi_ipi_icr(apic_id, ICR_SMI);
}

/*
 * STMFW_CMD_F_ALL (stmfw.h): the other CPUs' slots that were done while
 * this CPU stayed in SMM, waiting for them by a bounded spin (no clock in
 * SMM: a count, several emulated seconds at Bochs' 100 MIPS).
 */
static uint32_t smi_all_wait(const struct stmfw_mailbox *mb, uint32_t self)
{
	uint32_t i, n = 0, ncpus = mb->ncpus;
	uint64_t spin;

	if (ncpus > STMFW_MAX_CPUS)
		ncpus = STMFW_MAX_CPUS;
	for (i = 0; i < ncpus; i++) {
		if (i == self)
			continue;
		for (spin = 0; spin < 200000000ull; spin++) {
			if (__atomic_load_n(&mb->slot[i].status, __ATOMIC_ACQUIRE) != STMFW_ST_IDLE)
				break;
			asm volatile("pause");
		}
		n += mb->slot[i].status == STMFW_ST_DONE;
	}
	return n;
}

static void run_cmd(struct stmfw_mailbox *mb, uint32_t cpu, struct stmfw_slot *s)
{
	uint32_t cmd = s->cmd & ~STMFW_CMD_F_ALL;
	uint32_t all = s->cmd & STMFW_CMD_F_ALL;

	if (cmd == STMFW_CMD_NONE)
		return;
	s->result = 0;
	if (all)
		smi_ipi_icr(0, ICR_SMI | ICR_ALL_BUT_SELF);
	switch (cmd) {
	case STMFW_CMD_NOP:
		break;
	case STMFW_CMD_WRITE32:
		*(volatile uint32_t *)(uintptr_t)s->arg = (uint32_t)s->val;
		break;
	case STMFW_CMD_READ32:
		s->result = *(volatile uint32_t *)(uintptr_t)s->arg;
		break;
	case STMFW_CMD_OUTB:
		outb((uint8_t)s->val, (uint16_t)s->arg);
		break;
	case STMFW_CMD_INB:
		s->result = inb((uint16_t)s->arg);
		break;
	case STMFW_CMD_WRMSR:
		wrmsr((uint32_t)s->arg, s->val);
		break;
	case STMFW_CMD_RDMSR:
		s->result = rdmsr((uint32_t)s->arg);
		break;
	case STMFW_CMD_SMI_IPI:
		smi_ipi((uint32_t)s->arg);
		break;
	case STMFW_CMD_IO_STATE: {	/* this SMI's save map (stmfw.h) */
		uintptr_t map = s->smbase;

		s->result = *(volatile uint32_t *)(map + STMFW_SSA_IO_MISC) |
			    (uint64_t)*(volatile uint16_t *)(map + STMFW_SSA_IO_RESTART) << 32;
		s->val = *(volatile uint64_t *)(map + STMFW_SSA_IO_RIP);
		break;
	}
	default:
		s->cmd = STMFW_CMD_NONE;
		s->status = STMFW_ST_BAD_CMD;
		return;
	}
	if (all)
		s->result = smi_all_wait(mb, cpu);
	s->cmds_done++;
	s->cmd = STMFW_CMD_NONE;
	__atomic_store_n(&s->status, STMFW_ST_DONE, __ATOMIC_RELEASE);
}

/*
 * The entry's IA32_EFER write, as EDK II's SMI entry does on every SMI
 * (EFER.NXE when the CPU has XD); coreboot's x86_64 entry writes EFER.LME
 * (smm.S). Under an STM that protects IA32_EFER this is a protection
 * exception: exactly what real firmware does to the executive's policy.
 */
static uint64_t efer_entry_write(struct stmfw_slot *s)
{
	uint32_t a, d;
	uint64_t efer = rdmsr(MSR_EFER);

	cpuid(0x80000000u, &a, &d);
	if (a >= 0x80000001u) {
		cpuid(0x80000001u, &a, &d);
		if (d & (1u << 20)) {
			efer |= EFER_NXE;
			wrmsr(MSR_EFER, efer);
			s->efer_writes++;
		}
	}
	return efer;
}

void smi_main(uint32_t smbase, uint32_t mode);
void smi_main(uint32_t smbase, uint32_t mode)
{
	struct stmfw_mailbox *mb = (struct stmfw_mailbox *)(uintptr_t)mailbox_pa;
	uint32_t cpu = (smbase - STMFW_SMRAM_BASE) / 0x2000u;
	struct stmfw_slot *s;
	uint8_t b2;

	if (cpu >= STMFW_MAX_CPUS)
		return;
	s = &mb->slot[cpu];
	s->efer_in = efer_entry_write(s);
	b2 = inb(0xB2);
	s->smis++;
	s->last_b2 = b2;
	s->last_mode = mode;
	s->smbase = smbase;
	/*
	 * rombios' FADT names port 0xB2 as SMI_CMD: SCI_EN is PMCNTRL bit 0.
	 * On any CPU: the dual-monitor Bochs sends the APMC SMI to the CPU
	 * whose OUT wrote the port (Debian's Bochs: always CPU 0).
	 */
	if (pm_base && (b2 == STMFW_B2_ACPI_ENABLE || b2 == STMFW_B2_ACPI_DISABLE)) {
		uint16_t v = inw((uint16_t)(pm_base + 4));

		v = b2 == STMFW_B2_ACPI_ENABLE ? (v | 1u) : (v & ~1u);
		outw(v, (uint16_t)(pm_base + 4));
		outb(0, 0xB2);	/* consumed */
	}
	run_cmd(mb, cpu, s);
}

/* offsets in STM_PROTECTION_EXCEPTION_STACK_FRAME_X64 (stm/wire.h) */
#define SPE_INSN_LEN	0xA0
#define SPE_QUAL	0xA8
#define SPE_ERROR	0xB0
#define SPE_RIP		0xB8

uint32_t spe_main(uint8_t *frame);
uint32_t spe_main(uint8_t *frame)
{
	struct stmfw_mailbox *mb = (struct stmfw_mailbox *)(uintptr_t)mailbox_pa;
	uint64_t *rip = (uint64_t *)(frame + SPE_RIP);

	mb->spe_qual = *(uint64_t *)(frame + SPE_QUAL);
	mb->spe_error = *(uint64_t *)(frame + SPE_ERROR);
	mb->spe_rip = *rip;
	__atomic_add_fetch(&mb->spe_count, 1, __ATOMIC_RELAXED);
	/* skip the instruction the STM refused, as EDK II's handler does */
	*rip += *(uint64_t *)(frame + SPE_INSN_LEN);
	return 0;
}
