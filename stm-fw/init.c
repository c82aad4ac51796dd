// SPDX-License-Identifier: GPL-2.0
/*
 * stmfw init, 32-bit freestanding C (TEST firmware, never for real
 * machines). Called once by rom.S in flat protected mode, paging off, on
 * the BSP, after Bochs' rombios finished its POST. It:
 *
 *  1. opens SMRAM (i440FX SMRAMC, PCI 0:0.0 reg 0x72, D_OPEN);
 *  2. copies the SMI handler (smi.c + smm.S) into SMRAM and builds its
 *     4 GiB identity page tables there;
 *  3. checks the STM image Bochs preloaded at STMFW_STAGE (optramimage)
 *     against the size and hash fixed at build time, and its MSEG header
 *     (SDM 3C 32.15.6.1); zeroes MSEG, copies the image, builds the 4 GiB
 *     page tables at MSEG + Cr3Offset (PML4, PDPT, 4 PDs of 2 MiB pages);
 *  4. relocates SMBASE on every CPU (SDM 3C 32.11): CPU 0 through port
 *     0xB2, the others through a LAPIC SMI IPI; the relocation stub writes
 *     IA32_SMM_MONITOR_CTL (MSR 0x9B) = MSEG | valid and SMRR in SMM;
 *  5. installs the SMI entry at SMBASE + 0x8000 and a
 *     TXT_PROCESSOR_SMM_DESCRIPTOR at SMBASE + 0xFB00 per CPU, the BIOS
 *     resource list and a private ACPI table set (RSDP, RSDT, MADT, MCFG);
 *  6. runs its self-test SMIs, prints KTAP and a dump of what it built on
 *     COM1 ("stmfw: ..." lines) for mk/stmfw/check-stmfw.sh to verify;
 *  7. closes and locks SMRAM.
 */
#include "stmfw.h"
#include "stm/wire.h"

#ifndef STMFW_IMAGE_SIZE
#error "STMFW_IMAGE_SIZE: the build binds the STM image"
#endif

#define MSR_APIC_BASE	0x1Bu

/* CPUs present: rombios' MADT (bios_cpu_count()), at most STMFW_MAX_CPUS */
static uint32_t ncpus;
#define NCPUS		ncpus

/*
 * make -C stm-fw MADT_CPUS=N: the private MADT the STM reads lists only N
 * of the CPUs (0: all), so that more CPUs arrive at the STM than the
 * firmware's tables announce (check-stm.sh --madt-cpus).
 */
#ifndef STMFW_MADT_CPUS
#define STMFW_MADT_CPUS	0
#endif
#define MADT_CPUS	(STMFW_MADT_CPUS && STMFW_MADT_CPUS < NCPUS ? STMFW_MADT_CPUS : NCPUS)

extern const uint8_t smm_blob[], smm_blob_end[];

static inline void outb(uint8_t v, uint16_t port)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(uint32_t v, uint16_t port)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

void *memset(void *d, int c, uint32_t n);
void *memset(void *d, int c, uint32_t n)
{
	uint8_t *p = d;

	while (n--)
		*p++ = (uint8_t)c;
	return d;
}

void *memcpy(void *d, const void *s, uint32_t n);
void *memcpy(void *d, const void *s, uint32_t n)
{
	uint8_t *p = d;
	const uint8_t *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

/* ---- COM1 ---- */
static void sputc(char c)
{
	uint32_t i;

	for (i = 0; i < 100000 && !(inb(0x3FD) & 0x20); i++)
		;
	outb((uint8_t)c, 0x3F8);
}

static void sputs(const char *s)
{
	while (*s)
		sputc(*s++);
}

static void puthex(uint64_t v, int digits)
{
	while (digits--)
		sputc("0123456789abcdef"[(v >> (4 * digits)) & 0xF]);
}

static void putdec(uint32_t v)
{
	char b[11];
	int i = 10;

	b[i] = 0;
	do {
		b[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	sputs(&b[i]);
}

/* ---- KTAP on COM1 ---- */
static uint32_t t_num, t_fail;

static void test(int ok, const char *name, const char *why)
{
	t_num++;
	sputs("stmfw: ");
	if (!ok) {
		t_fail++;
		sputs("not ");
	}
	sputs("ok ");
	putdec(t_num);
	sputc(' ');
	sputs(name);
	sputc('\n');
	if (!ok && why) {
		sputs("stmfw: # ");
		sputs(name);
		sputs(": ");
		sputs(why);
		sputc('\n');
	}
}

static void dump(const char *what, uint32_t pa, uint32_t len)
{
	const uint8_t *p = (const uint8_t *)pa;
	uint32_t i;

	for (i = 0; i < len; i++) {
		if (i % 32 == 0) {
			if (i)
				sputc('\n');
			sputs("stmfw-dump ");
			sputs(what);
			sputc(' ');
			puthex(pa + i, 8);
			sputc(' ');
		}
		puthex(p[i], 2);
	}
	sputc('\n');
}

/* ---- PCI configuration, mechanism #1 ---- */
static uint32_t pci_addr(uint32_t dev, uint32_t fn, uint32_t reg)
{
	return 0x80000000u | (dev << 11) | (fn << 8) | (reg & 0xFCu);
}

static uint8_t pci_read8(uint32_t dev, uint32_t fn, uint32_t reg)
{
	outl(pci_addr(dev, fn, reg), 0xCF8);
	return inb((uint16_t)(0xCFC + (reg & 3)));
}

static void pci_write8(uint32_t dev, uint32_t fn, uint32_t reg, uint8_t v)
{
	outl(pci_addr(dev, fn, reg), 0xCF8);
	outb(v, (uint16_t)(0xCFC + (reg & 3)));
}

static uint32_t pci_read32(uint32_t dev, uint32_t fn, uint32_t reg)
{
	outl(pci_addr(dev, fn, reg), 0xCF8);
	return inl(0xCFC);
}

/*
 * i440FX SMRAMC (reg 0x72): D_OPEN 0x40, D_CLS 0x20, D_LCK 0x10,
 * G_SMRAME 0x08, C_BASE_SEG 0x02 (A/B segment).
 */
#define SMRAMC		0x72u
#define SMRAM_OPEN	0x4Au
#define SMRAM_CLOSED	0x0Au
#define SMRAM_LOCKED	0x1Au

/* ---- page tables: PML4, PDPT, 4 PDs of 2 MiB pages, identity 0-4 GiB ---- */
static void build_4g_tables(uint32_t base)
{
	uint64_t *pml4 = (uint64_t *)base;
	uint64_t *pdpt = (uint64_t *)(base + 0x1000);
	uint32_t i;

	memset((void *)base, 0, 6 * 0x1000);
	pml4[0] = (base + 0x1000) | 0x3u;		/* P | RW */
	for (i = 0; i < 4; i++) {
		uint64_t *pd = (uint64_t *)(base + 0x2000 + i * 0x1000);
		uint32_t j;

		pdpt[i] = (base + 0x2000 + i * 0x1000) | 0x3u;
		for (j = 0; j < 512; j++)
			pd[j] = ((uint64_t)i << 30) + ((uint64_t)j << 21) + 0x83u; /* P|RW|PS */
	}
}

static int check_4g_tables(uint32_t base)
{
	const uint64_t *pml4 = (const uint64_t *)base;
	const uint64_t *pdpt = (const uint64_t *)(base + 0x1000);
	uint32_t i, j;

	if ((pml4[0] & ~0xFFFull) != base + 0x1000)
		return 0;
	for (i = 0; i < 4; i++) {
		const uint64_t *pd = (const uint64_t *)(uint32_t)(pdpt[i] & ~0xFFFull);

		for (j = 0; j < 512; j++)
			if ((pd[j] & ~0xFFFull) != ((uint64_t)i << 30) + ((uint64_t)j << 21) ||
			    !(pd[j] & 0x80))
				return 0;
	}
	return 1;
}

/* FNV-1a, the build-time binding of the staged image (mk/stmfw/Makefile) */
static uint32_t fnv1a(const uint8_t *p, uint32_t n)
{
	uint32_t h = 0x811C9DC5u;

	while (n--) {
		h ^= *p++;
		h *= 0x01000193u;
	}
	return h;
}

static uint8_t acpi_sum(const void *p, uint32_t n)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *b++);
	return s;
}

/* ---- the STM image ---- */
static const char *load_stm(struct stmfw_mailbox *mb)
{
	const struct stm_header *h = (const struct stm_header *)STMFW_STAGE;
	const struct stm_sw_header *sw = &h->sw_stm_hdr;
	uint32_t need;

	if (fnv1a((const uint8_t *)STMFW_STAGE, STMFW_IMAGE_SIZE) != STMFW_IMAGE_FNV)
		return "the staged STM image is not the one this ROM was built for (optramimage?)";
	if (h->hw_stm_hdr.stm_header_revision != 0)
		return "MSEG header revision is not 0 (Bochs' VMX_MISC[63:32])";
	if (h->hw_stm_hdr.monitor_features & ~STM_FEATURES_IA32E)
		return "MSEG header monitor features: reserved bits set (VMfail 24)";
	/*
	 * The loaders' minimum (EDK II StmCheckStmImage, coreboot): static
	 * pages + additional + per-CPU, and room for the page tables.
	 */
	need = ((sw->static_image_size + 0xFFFu) & ~0xFFFu) +
	       sw->additional_dynamic_memory_size +
	       NCPUS * (sw->per_proc_dynamic_memory_size + 2 * 0x1000u);
	if (need > STMFW_MSEG_SIZE || STMFW_IMAGE_SIZE > STMFW_MSEG_SIZE ||
	    h->hw_stm_hdr.cr3_offset + 6 * 0x1000u > STMFW_MSEG_SIZE)
		return "the STM image needs more than the 2 MiB MSEG for this many CPUs";
	if (h->hw_stm_hdr.cr3_offset & 0xFFFu)
		return "Cr3Offset is not page aligned";
	memset((void *)STMFW_MSEG, 0, STMFW_MSEG_SIZE);
	memcpy((void *)STMFW_MSEG, (const void *)STMFW_STAGE, STMFW_IMAGE_SIZE);
	build_4g_tables(STMFW_MSEG + h->hw_stm_hdr.cr3_offset);
	mb->mseg_base = STMFW_MSEG;
	mb->image_size = STMFW_IMAGE_SIZE;
	return 0;
}

/*
 * ---- how many CPUs: rombios' own MADT (it counted the APs that answered
 * its INIT-SIPI-SIPI), found through its RSDP in 0xE0000-0xFFFFF (ACPI
 * 6.5 5.2.5.1); enabled Local APIC (type 0) and x2APIC (type 9) entries.
 * 0 when there is no valid table.
 */
static int sig_is(const void *p, const char *sig, uint32_t n)
{
	const char *a = p;
	uint32_t i;

	for (i = 0; i < n; i++)
		if (a[i] != sig[i])
			return 0;
	return 1;
}

static uint32_t bios_cpu_count(void)
{
	uint32_t pa, rsdt = 0, i, n = 0, len, off;

	for (pa = 0xE0000; pa < 0x100000; pa += 16) {
		if (sig_is((const void *)pa, "RSD PTR ", 8) &&
		    acpi_sum((const void *)pa, 20) == 0) {
			rsdt = *(const uint32_t *)(pa + 16);
			break;
		}
	}
	if (!rsdt || !sig_is((const void *)rsdt, "RSDT", 4))
		return 0;
	len = *(const uint32_t *)(rsdt + 4);
	for (i = 36; i + 4 <= len; i += 4) {
		const uint8_t *m = (const uint8_t *)*(const uint32_t *)(rsdt + i);
		uint32_t mlen = *(const uint32_t *)(m + 4);

		if (!sig_is(m, "APIC", 4) || acpi_sum(m, mlen) != 0)
			continue;
		for (off = 44; off + 2 <= mlen && m[off + 1] >= 2; off += m[off + 1]) {
			if (m[off] == 0 && m[off + 1] >= 8 && (m[off + 4] & 1))
				n++;
			else if (m[off] == 9 && m[off + 1] >= 16 && (m[off + 8] & 1))
				n++;
		}
		break;
	}
	return n;
}

/* ---- ACPI: RSDP -> RSDT -> {MADT, MCFG}, private to the STM ---- */
struct acpi_hdr {
	char sig[4];
	uint32_t len;
	uint8_t rev;
	uint8_t sum;
	char oem[6];
	char oem_table[8];
	uint32_t oem_rev;
	char creator[4];
	uint32_t creator_rev;
} __attribute__((packed));

static void acpi_hdr(struct acpi_hdr *h, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(h->sig, sig, 4);
	h->len = len;
	h->rev = rev;
	memcpy(h->oem, "STMFW ", 6);
	memcpy(h->oem_table, "STMFWTST", 8);
	h->oem_rev = 1;
	memcpy(h->creator, "STMF", 4);
	h->creator_rev = 1;
	h->sum = 0;
	h->sum = (uint8_t)-acpi_sum(h, len);
}

static uint32_t build_acpi(void)
{
	uint8_t *p = (uint8_t *)STMFW_ACPI;
	uint32_t rsdt = STMFW_ACPI + 0x40, madt = STMFW_ACPI + 0x80;
	uint32_t mcfg = STMFW_ACPI + 0x100, i, mlen;
	uint8_t *m;

	memset(p, 0, 0x1000);
	/* RSDP, ACPI 1.0 (20 bytes) */
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, "STMFW ", 6);
	p[15] = 0;
	*(uint32_t *)(p + 16) = rsdt;
	p[8] = (uint8_t)-acpi_sum(p, 20);
	/* MADT: header, LAPIC address, flags, one LAPIC entry per CPU, IOAPIC */
	m = (uint8_t *)madt;
	*(uint32_t *)(m + 36) = 0xFEE00000u;
	*(uint32_t *)(m + 40) = 1;		/* PCAT_COMPAT */
	mlen = 44;
	for (i = 0; i < MADT_CPUS; i++) {
		m[mlen] = 0;			/* processor local APIC */
		m[mlen + 1] = 8;
		m[mlen + 2] = (uint8_t)i;	/* ACPI processor id */
		m[mlen + 3] = (uint8_t)i;	/* APIC id */
		*(uint32_t *)(m + mlen + 4) = 1;	/* enabled */
		mlen += 8;
	}
	m[mlen] = 1;				/* I/O APIC */
	m[mlen + 1] = 12;
	m[mlen + 2] = NCPUS;
	*(uint32_t *)(m + mlen + 4) = 0xFEC00000u;
	mlen += 12;
	acpi_hdr((struct acpi_hdr *)m, "APIC", mlen, 1);
	/*
	 * MCFG: one allocation, segment 0, buses 0-0 at a non-zero base (the
	 * reference STM dead-loops when the PCIe base is 0)
	 */
	m = (uint8_t *)mcfg;
	*(uint64_t *)(m + 44) = STMFW_MCFG_BASE;
	*(uint16_t *)(m + 52) = 0;
	m[54] = 0;
	m[55] = 0;
	acpi_hdr((struct acpi_hdr *)m, "MCFG", 60, 1);
	*(uint32_t *)(rsdt + 36) = madt;
	*(uint32_t *)(rsdt + 40) = mcfg;
	acpi_hdr((struct acpi_hdr *)rsdt, "RSDT", 44, 1);
	return STMFW_ACPI;
}

/* ---- BIOS resource list: what the SMI handler itself touches ---- */
static uint32_t build_rsc(uint32_t pm_base)
{
	uint8_t *p = (uint8_t *)STMFW_RSC_LIST;
	struct stm_rsc_mem_desc *mem;
	struct stm_rsc_io_desc *io;
	struct stm_rsc_end *end;
	uint32_t off = 0;

	memset(p, 0, 0x1000);
	mem = (struct stm_rsc_mem_desc *)(p + off);	/* SMRAM */
	mem->hdr.rsc_type = STM_MEM_RANGE;
	mem->hdr.length = sizeof(*mem);
	mem->base = STMFW_SMRAM_BASE;
	mem->length = STMFW_SMRAM_SIZE;
	mem->rwx_attributes = STM_RSC_MEM_RWX_MASK;
	off += sizeof(*mem);
	mem = (struct stm_rsc_mem_desc *)(p + off);	/* mailbox */
	mem->hdr.rsc_type = STM_MEM_RANGE;
	mem->hdr.length = sizeof(*mem);
	mem->base = STMFW_MAILBOX;
	mem->length = 0x1000;
	mem->rwx_attributes = STM_RSC_MEM_R | STM_RSC_MEM_W;
	off += sizeof(*mem);
	io = (struct stm_rsc_io_desc *)(p + off);	/* APM ports */
	io->hdr.rsc_type = STM_IO_RANGE;
	io->hdr.length = sizeof(*io);
	io->base = 0xB2;
	io->length = 2;
	off += sizeof(*io);
	io = (struct stm_rsc_io_desc *)(p + off);	/* ACPI PM block */
	io->hdr.rsc_type = STM_IO_RANGE;
	io->hdr.length = sizeof(*io);
	io->base = (uint16_t)pm_base;
	io->length = 0x40;
	off += sizeof(*io);
	end = (struct stm_rsc_end *)(p + off);
	end->hdr.rsc_type = STM_END_OF_RESOURCES;
	end->hdr.length = sizeof(*end);
	end->resource_list_continuation = 0;
	return STMFW_RSC_LIST;
}

static void fill_psd(uint32_t cpu, const struct stmfw_blob_head *bh, uint32_t rsdp,
		     uint32_t rsc)
{
	struct stm_psd *psd = (struct stm_psd *)(STMFW_SMBASE(cpu) + STMFW_PSD_OFFSET);
	uint32_t a, b, c, d;

	memset(psd, 0, sizeof(*psd));
	memcpy(psd->signature, STM_PSD_SIGNATURE, 8);
	psd->size = sizeof(*psd);
	psd->smm_descriptor_ver_major = 1;
	psd->smm_descriptor_ver_minor = 0;
	psd->local_apic_id = cpu;		/* Bochs: APIC ID = CPU index */
	/* IA-32e SMM guest with PAE paging, as EDK II's PSD template */
	psd->smm_entry_state = STM_PSD_ENTRY_INTEL64_MODE | STM_PSD_ENTRY_CR4_PAE;
	psd->smm_cs = STMFW_SEL_CODE64;
	psd->smm_ds = STMFW_SEL_DATA64;
	psd->smm_ss = STMFW_SEL_DATA64;
	psd->smm_other_segment = STMFW_SEL_DATA64;
	psd->smm_tr = STMFW_SEL_TSS;
	psd->smm_cr3 = STMFW_SMM_PT;
	psd->smm_smi_handler_rip = bh->stm_entry[cpu];
	psd->smm_smi_handler_rsp = STMFW_SMI_STACKS + (cpu + 1) * STMFW_STACK_SIZE;
	psd->smm_gdt_ptr = bh->gdt;
	psd->smm_gdt_size = bh->gdt_size;
	psd->required_stm_smm_rev_id = STM_SMM_REV_ID;
	psd->stm_protection_exception_handler.spe_rip = bh->spe_entry;
	psd->stm_protection_exception_handler.spe_rsp =
		STMFW_SPE_STACKS + (cpu + 1) * STMFW_STACK_SIZE;
	psd->stm_protection_exception_handler.spe_ss = STMFW_SEL_DATA64;
	psd->stm_protection_exception_handler.filter =
		STM_PSD_SPE_PAGE_VIOLATION | STM_PSD_SPE_MSR_VIOLATION |
		STM_PSD_SPE_REGISTER_VIOLATION | STM_PSD_SPE_IO_VIOLATION |
		STM_PSD_SPE_PCI_VIOLATION;
	psd->bios_hw_resource_requirements_ptr = rsc;
	psd->acpi_rsdp = rsdp;
	/*
	 * The STM takes min(PSD, CPUID) and maps that whole space in its own
	 * page tables from its heap. With CPUID's 40 bits and no 1 GiB pages
	 * (Bochs' Sandy Bridge) that is 512 page directories, more than
	 * Intel's STM heap (1.25 MiB): it stops at "AllocatePages(1) fail" in
	 * its BSP init (seen in make check-stm). The guest has 512 MiB and
	 * every device below 4 GiB, so 32 bits describe the platform.
	 */
	asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000008u), "c"(0));
	psd->physical_address_bits = (uint8_t)a < 32 ? (uint8_t)a : 32;
}

/* ---- SMIs ---- */
static void lapic_smi(uint32_t apic_id)
{
	volatile uint32_t *icr = (volatile uint32_t *)0xFEE00300u;

	icr[4] = apic_id << 24;
	icr[0] = 0x4200u;	/* SMI, assert (SDM 3A 11.6.1) */
}

static int wait_u32(volatile uint32_t *p, uint32_t want)
{
	uint32_t i;

	for (i = 0; i < 20000000u; i++)
		if (__atomic_load_n(p, __ATOMIC_ACQUIRE) == want)
			return 1;
	return 0;
}

static int relocate(uint32_t cpu, struct stmfw_mailbox *mb)
{
	volatile struct stmfw_reloc *r = (volatile struct stmfw_reloc *)STMFW_RELOC_AREA;
	uint32_t done = r->done;

	r->new_smbase = STMFW_SMBASE(cpu);
	if (cpu == 0)
		outb(0, 0xB2);
	else
		lapic_smi(cpu);
	if (!wait_u32(&r->done, done + 1))
		return 0;
	mb->smbase[cpu] = r->new_smbase;
	mb->reloc_from[cpu] = r->old_smbase;
	mb->msr9b[cpu] = r->msr9b_read;
	return 1;
}

static int smi_cmd(struct stmfw_mailbox *mb, uint32_t cpu, uint32_t cmd, uint64_t arg,
		   uint64_t val, int via_ipi)
{
	struct stmfw_slot *s = &mb->slot[cpu];

	s->status = STMFW_ST_IDLE;
	s->arg = arg;
	s->val = val;
	__atomic_store_n(&s->cmd, cmd, __ATOMIC_RELEASE);
	if (via_ipi)
		lapic_smi(cpu);
	else
		outb(STMFW_B2_CMD, 0xB2);
	return wait_u32(&s->status, STMFW_ST_DONE);
}

static void selftest(struct stmfw_mailbox *mb)
{
	volatile uint32_t *word = (volatile uint32_t *)(STMFW_RES_BASE + 0x3000);
	struct stmfw_slot *s0 = &mb->slot[0], *s1 = &mb->slot[1];
	uint32_t n;

	test(smi_cmd(mb, 0, STMFW_CMD_NOP, 0, 0, 0) && s0->smbase == STMFW_SMBASE(0) &&
	     s0->last_b2 == STMFW_B2_CMD && s0->last_mode == 0,
	     "smi_nop_cpu0_port_b2", "no answer, or not at SMBASE 0xA0000");
	test(smi_cmd(mb, 1, STMFW_CMD_NOP, 0, 0, 1) && s1->smbase == STMFW_SMBASE(1),
	     "smi_nop_cpu1_lapic_ipi", "no answer, or not at SMBASE 0xA2000");
	test(s0->efer_writes > 0 && s1->efer_writes > 0 && (s0->efer_in & 0x900) == 0x900,
	     "smi_entry_writes_efer", "EFER.LME|NXE not written by the entry code");
	*word = 0;
	test(smi_cmd(mb, 0, STMFW_CMD_WRITE32, (uint32_t)word, 0x5EC0DE01u, 0) &&
	     *word == 0x5EC0DE01u, "smi_write_phys", "the word was not written");
	*word = 0xC0FFEE02u;
	test(smi_cmd(mb, 0, STMFW_CMD_READ32, (uint32_t)word, 0, 0) && s0->result == 0xC0FFEE02u,
	     "smi_read_phys", "wrong value read");
	test(smi_cmd(mb, 0, STMFW_CMD_OUTB, 0xB3, 0xA5, 0) &&
	     smi_cmd(mb, 0, STMFW_CMD_INB, 0xB3, 0, 0) && s0->result == 0xA5,
	     "smi_out_in_port", "OUT 0xB3 then IN 0xB3 differ");
	test(smi_cmd(mb, 0, STMFW_CMD_WRMSR, 0x174, 0x1234, 0) &&
	     smi_cmd(mb, 0, STMFW_CMD_RDMSR, 0x174, 0, 0) && s0->result == 0x1234 &&
	     smi_cmd(mb, 0, STMFW_CMD_WRMSR, 0x174, 0, 0),
	     "smi_wrmsr_rdmsr", "IA32_SYSENTER_CS did not read back");
	/* CPU 0's handler sends the SMI IPI that makes CPU 1 run its slot */
	n = s1->cmds_done;
	s1->status = STMFW_ST_IDLE;
	s1->arg = (uint32_t)word;
	__atomic_store_n(&s1->cmd, STMFW_CMD_READ32, __ATOMIC_RELEASE);
	test(smi_cmd(mb, 0, STMFW_CMD_SMI_IPI, 1, 0, 0) && wait_u32(&s1->status, STMFW_ST_DONE) &&
	     s1->cmds_done == n + 1 && s1->result == 0xC0FFEE02u,
	     "smi_ipi_from_smm_to_cpu1", "CPU 1 did not run its slot");
	/*
	 * every CPU in SMM at once: CPU 0's handler sends an SMI IPI to all
	 * the others (shorthand) and waits in SMM until each ran its slot
	 */
	for (n = 1; n < NCPUS; n++) {
		mb->slot[n].status = STMFW_ST_IDLE;
		__atomic_store_n(&mb->slot[n].cmd, STMFW_CMD_NOP, __ATOMIC_RELEASE);
	}
	test(smi_cmd(mb, 0, STMFW_CMD_NOP | STMFW_CMD_F_ALL, 0, 0, 0) &&
	     s0->result == NCPUS - 1, "smi_all_cpus_at_once",
	     "not every other CPU ran its slot while CPU 0 was in SMM");
}

void stmfw_init(void);
void stmfw_init(void)
{
	struct stmfw_mailbox *mb = (struct stmfw_mailbox *)STMFW_MAILBOX;
	const struct stmfw_blob_head *bh = (const struct stmfw_blob_head *)STMFW_BLOB;
	uint32_t blob_size = (uint32_t)(smm_blob_end - smm_blob);
	uint32_t pm_base, rsdp, rsc, cpu, i, ok;
	const char *why;
	uint8_t save[0x200], save_map[0x200];

	/* COM1: 115200 8N1 (rombios leaves the UART at its reset state) */
	outb(0x80, 0x3FB);
	outb(1, 0x3F8);
	outb(0, 0x3F9);
	outb(0x03, 0x3FB);
	outb(0, 0x3F9);
	sputs("\nstmfw: TEST firmware (never for real machines): SMBASE relocation, MSEG, PSD\n");
	sputs("stmfw: KTAP version 1\n");
	memset(mb, 0, sizeof(*mb));
	memcpy(mb->magic, STMFW_MB_MAGIC, 8);
	ncpus = bios_cpu_count();
	sputs("stmfw: # ");
	putdec(ncpus);
	sputs(" CPU(s) in rombios' MADT\n");
	test(ncpus >= 1 && ncpus <= STMFW_MAX_CPUS, "cpus_in_bios_madt",
	     "no rombios MADT, or more CPUs than STMFW_MAX_CPUS (bochsrc cpu: count)");
	if (ncpus < 1 || ncpus > STMFW_MAX_CPUS)
		ncpus = ncpus ? STMFW_MAX_CPUS : 1;
	mb->ncpus = NCPUS;
	mb->init_status = 1;

	pci_write8(0, 0, SMRAMC, SMRAM_OPEN);
	test(pci_read8(0, 0, SMRAMC) == SMRAM_OPEN, "smram_open",
	     "i440FX SMRAMC did not take D_OPEN (locked by the BIOS?)");
	if (blob_size > STMFW_BLOB_MAX)
		goto out;
	memcpy((void *)STMFW_BLOB, smm_blob, blob_size);
	test(bh->magic == STMFW_BLOB_MAGIC, "smm_handler_in_smram", "blob magic");
	build_4g_tables(STMFW_SMM_PT);
	/* the TSS descriptor of the SMM guest's GDT (busy 64-bit TSS) */
	{
		uint32_t *g = (uint32_t *)(bh->gdt + STMFW_SEL_TSS);

		g[0] = (bh->tss << 16) | 0x67u;
		g[1] = (bh->tss & 0xFF000000u) | 0x8B00u | ((bh->tss >> 16) & 0xFFu);
		g[2] = 0;
		g[3] = 0;
	}
	pm_base = pci_read32(1, 3, 0x40) & 0xFFC0u;
	*(volatile uint32_t *)bh->pm_base_var = pm_base;

	why = load_stm(mb);
	test(!why, "stm_image_in_mseg", why);
	mb->init_status = 2;
	i = STMFW_MSEG + ((const struct stm_header *)STMFW_MSEG)->hw_stm_hdr.cr3_offset;
	test(check_4g_tables(i) &&
	     check_4g_tables(STMFW_SMM_PT), "page_tables_4g", "identity map check failed");

	/*
	 * SMBASE relocation: CPU 0 from 0xA0000 (rombios put it there),
	 * the others from the reset value 0x30000
	 */
	{
		volatile struct stmfw_reloc *r = (volatile struct stmfw_reloc *)STMFW_RELOC_AREA;

		r->msr9b = STMFW_MSEG | 1u;
		r->smrr_base = STMFW_SMRAM_BASE | 6u;			/* WB */
		r->smrr_mask = (~(STMFW_SMRAM_SIZE - 1)) | 0x800u;	/* valid */
		r->done = 0;
		mb->smrr_base = r->smrr_base;
		mb->smrr_mask = r->smrr_mask;
	}
	memcpy(save, (void *)0x38000, sizeof(save));
	memcpy(save_map, (void *)0x3FE00, sizeof(save_map));
	memcpy((void *)(STMFW_SMBASE(0) + 0x8000), (void *)bh->reloc16, bh->reloc16_size);
	memcpy((void *)0x38000, (void *)bh->reloc16, bh->reloc16_size);
	ok = 1;
	for (cpu = 0; cpu < NCPUS; cpu++) {
		int r = relocate(cpu, mb);

		ok &= r;
		sputs("stmfw: # cpu");
		putdec(cpu);
		sputs(r ? " SMBASE 0x" : " did not answer the relocation SMI; SMBASE 0x");
		puthex(mb->reloc_from[cpu], 5);
		sputs(" -> 0x");
		puthex(mb->smbase[cpu], 5);
		sputs(", MSR 0x9B 0x");
		puthex(mb->msr9b[cpu], 8);
		sputc('\n');
	}
	memcpy((void *)0x38000, save, sizeof(save));
	memcpy((void *)0x3FE00, save_map, sizeof(save_map));
	test(ok, "smbase_relocated_all_cpus", "a CPU did not answer its relocation SMI");
	for (cpu = 0, ok = 1; cpu < NCPUS; cpu++)
		ok &= mb->msr9b[cpu] == (STMFW_MSEG | 1u);
	test(ok, "msr_9b_written_in_smm", "MSR 0x9B did not read back as MSEG | valid");

	rsdp = build_acpi();
	rsc = build_rsc(pm_base);
	for (cpu = 0; cpu < NCPUS; cpu++) {
		memcpy((void *)(STMFW_SMBASE(cpu) + 0x8000), (void *)bh->smi16, bh->smi16_size);
		fill_psd(cpu, bh, rsdp, rsc);
	}
	mb->init_status = 3;
	selftest(mb);

	/* what the verifier checks independently (check-stmfw.sh) */
	for (cpu = 0; cpu < NCPUS; cpu++) {
		char name[] = "psd0";

		name[3] = (char)('0' + cpu);
		dump(name, STMFW_SMBASE(cpu) + STMFW_PSD_OFFSET, sizeof(struct stm_psd));
	}
	dump("gdt", bh->gdt, bh->gdt_size);
	dump("mseg", STMFW_MSEG, 0x20);
	dump("msegsw", STMFW_MSEG + 0x800, 0x20);
	i = STMFW_MSEG + ((const struct stm_header *)STMFW_MSEG)->hw_stm_hdr.cr3_offset;
	dump("pml4", i, 8);
	dump("pdpt", i + 0x1000, 32);
	dump("pd3", i + 0x5000 + 511 * 8, 8);
	dump("smmpt", STMFW_SMM_PT, 8);
	dump("acpi", STMFW_ACPI, 0x140);
	dump("rsc", STMFW_RSC_LIST, 0x80);
	dump("mailbox", STMFW_MAILBOX, sizeof(*mb));
	if (t_fail == 0)
		mb->init_status = STMFW_INIT_OK;
out:
	/* SMRAM closed and locked, as firmware leaves it for the OS */
	pci_write8(0, 0, SMRAMC, SMRAM_CLOSED);
	pci_write8(0, 0, SMRAMC, SMRAM_LOCKED);
	test(pci_read8(0, 0, SMRAMC) == SMRAM_LOCKED, "smram_closed_locked", "SMRAMC");
	sputs("stmfw: 1..");
	putdec(t_num);
	sputs("\nstmfw: done ");
	putdec(t_num - t_fail);
	sputs(" passed, ");
	putdec(t_fail);
	sputs(" failed\n");
}
