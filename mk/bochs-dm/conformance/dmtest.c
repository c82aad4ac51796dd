// SPDX-License-Identifier: GPL-2.0
/*
 * SDM conformance suite for Bochs' dual-monitor treatment of SMIs and SMM
 * (SDM Vol. 3C 32.15; 34.15 in older editions). A bare-metal 64-bit test
 * program booted as an option ROM: it is the executive monitor (VMX root),
 * installs its own default-treatment SMI handler (to write
 * IA32_SMM_MONITOR_CTL in SMM), builds an MSEG whose header points at a
 * tiny test STM inside this program, and checks one SDM rule per KTAP line
 * on COM1. Test program only: not firmware for any real machine.
 */
#include "dmtest.h"

#define NTESTS		40

/* memory map (identity mapped, below 32 MiB) */
#define MAILBOX		0x7000UL
#define MSEG		0x400000UL
#define MSEG_GDT	0x1000
#define MSEG_TRAMP	0x2000
#define MSEG_CR3	0x10000
#define MSEG_ESP	0x80000
#define PAGES		0x500000UL	/* VMXON region and VMCSs */
#define GUEST_STACK	0x600000UL

/* MSRs */
#define MSR_FEATURE_CONTROL	0x3a
#define MSR_SMM_MONITOR_CTL	0x9b
#define MSR_MTRRCAP		0xfe
#define MSR_SMRR_BASE		0x1f2
#define MSR_SMRR_MASK		0x1f3
#define MSR_VMX_BASIC		0x480
#define MSR_VMX_MISC		0x485

/* VMCS fields */
#define VMCS_VPID			0x0000
#define GUEST_ES_SEL			0x0800
#define GUEST_TR_SEL			0x080e
#define HOST_ES_SEL			0x0c00
#define HOST_CS_SEL			0x0c02
#define HOST_SS_SEL			0x0c04
#define HOST_DS_SEL			0x0c06
#define HOST_FS_SEL			0x0c08
#define HOST_GS_SEL			0x0c0a
#define HOST_TR_SEL			0x0c0c
#define EXECUTIVE_VMCS_PTR		0x200c
#define LINK_PTR			0x2800
#define PIN_CTLS			0x4000
#define PROC_CTLS			0x4002
#define EXC_BITMAP			0x4004
#define CR3_TARGET_COUNT		0x400a
#define EXIT_CTLS			0x400c
#define EXIT_MSR_STORE_COUNT		0x400e
#define EXIT_MSR_LOAD_COUNT		0x4010
#define ENTRY_CTLS			0x4012
#define ENTRY_MSR_LOAD_COUNT		0x4014
#define ENTRY_INTR_INFO			0x4016
#define VM_INSTRUCTION_ERROR		0x4400
#define EXIT_REASON			0x4402
#define EXIT_INSTR_LEN			0x440c
#define GUEST_ES_LIMIT			0x4800
#define GUEST_GDTR_LIMIT		0x4810
#define GUEST_IDTR_LIMIT		0x4812
#define GUEST_ES_AR			0x4814
#define GUEST_INTERRUPTIBILITY		0x4824
#define GUEST_ACTIVITY			0x4826
#define GUEST_SMBASE			0x4828
#define GUEST_SYSENTER_CS		0x482a
#define HOST_SYSENTER_CS		0x4c00
#define EXIT_QUALIFICATION		0x6400
#define IO_RCX				0x6402
#define IO_RSI				0x6404
#define IO_RDI				0x6406
#define IO_RIP				0x6408
#define GUEST_LINEAR_ADDR		0x640a
#define GUEST_CR0			0x6800
#define GUEST_CR3			0x6802
#define GUEST_CR4			0x6804
#define GUEST_ES_BASE			0x6806
#define GUEST_GDTR_BASE			0x6816
#define GUEST_IDTR_BASE			0x6818
#define GUEST_DR7			0x681a
#define GUEST_RSP			0x681c
#define GUEST_RIP			0x681e
#define GUEST_RFLAGS			0x6820
#define GUEST_PENDING_DBG		0x6822
#define GUEST_SYSENTER_ESP		0x6824
#define GUEST_SYSENTER_EIP		0x6826
#define HOST_CR0			0x6c00
#define HOST_CR3			0x6c02
#define HOST_CR4			0x6c04
#define HOST_FS_BASE			0x6c06
#define HOST_GS_BASE			0x6c08
#define HOST_TR_BASE			0x6c0a
#define HOST_GDTR_BASE			0x6c0c
#define HOST_IDTR_BASE			0x6c0e
#define HOST_SYSENTER_ESP		0x6c10
#define HOST_SYSENTER_EIP		0x6c12
#define HOST_RSP			0x6c14
#define HOST_RIP			0x6c16

#define EXIT_HOST_64		BIT(9)
#define ENTRY_IA32E		BIT(9)
#define ENTRY_SMM		BIT(10)
#define ENTRY_DEACTIVATE	BIT(11)
#define PROC_IO_EXIT		BIT(24)

#define RFLAGS_CF	1
#define RFLAGS_ZF	0x40

/* test STM services (EAX of the executive's VMCALL) */
#define SVC_PING		0x53540001u
#define SVC_DEACTIVATE		0x53540002u
#define SVC_SMM_GUEST		0x53540003u
#define SVC_SMI_INSIDE		0x53540004u
#define SVC_NMI_INSIDE		0x53540005u
#define SVC_BAD_RETURNS		0x53540006u
#define SVC_RAW_EXEC_CTLS	0x53540007u
#define SVC_FIX_EXEC_CTLS	0x53540008u
#define STM_PONG		0x600du

/* ---- globals (.bss, in RAM) ------------------------------------------ */
u64 stm_regs[15];
u8 stm_launch;
u64 exec_saved_rsp;

static u64 gdt[8] __aligned(16);
static u8 tss[104] __aligned(16);
static u64 idt[64] __aligned(16);
static struct __packed { u16 limit; u64 base; } idt_ptr;

/* shared with the exception handler (and the SMM code): volatile */
static volatile u64 fault_skip;	/* length of the instruction to skip */
static volatile u64 fault_count;
static volatile u64 fault_vector;
static volatile u64 nmi_count;	/* NMIs taken (vector 2) */
static u64 stm_nmi_seen;	/* NMIs taken while the test STM ran */

static u64 next_page;		/* set in dm_main(): .bss only, no .data */
static u64 vmxon_ptr;
static u32 vmcs_rev;
static int testno;
static int dm_active;		/* the activation test passed */

/* what the test STM saw; written in SMM by stm_handler() */
#define STM_LOG 32
static struct stm_event {
	u32 reason;
	u64 executive;
	u64 link;
	u64 current;
	u32 smbase;
	u64 rip;
	u32 intr;	/* guest interruptibility of an SMM-guest exit */
	u64 qual;
	u64 io_rcx, io_rsi, io_rdi, io_rip, laddr;	/* I/O SMIs (reason 5) */
} stm_log[STM_LOG];
static volatile int stm_nlog;
static int stm_activated;
static int stm_in_smm_guest;
static u64 stm_transfer;	/* the SMM-transfer VMCS (VMPTRST at activation) */
static u64 stm_saved_regs[15];
static int stm_wrmsr_ok, stm_cr4_ok;
/* SVC_BAD_RETURNS: failed returns from SMM, then a good one */
static u64 stm_bad_exec;	/* a clear (never launched) VMCS, from the executive */
static u64 stm_saved_exec;
static int stm_bad_phase;
static u32 stm_entry_errors[4];
static int stm_nerrors;
static u64 stm_saved_exit_ctls;

/* ---- port I/O, serial, helpers ---------------------------------------- */
static inline void outb(u16 port, u8 v) { asm volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline u8 inb(u16 port)
{
	u8 v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(u16 port, u32 v) { asm volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }

static void putc_serial(char c)
{
	while (!(inb(0x3fd) & 0x20))
		;
	outb(0x3f8, c);
}

static void puts_serial(const char *s)
{
	while (*s) {
		if (*s == '\n')
			putc_serial('\r');
		putc_serial(*s++);
	}
}

static void put_hex(u64 v)
{
	char buf[19];
	int i;

	buf[0] = '0';
	buf[1] = 'x';
	for (i = 0; i < 16; i++)
		buf[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 0xf];
	buf[18] = 0;
	i = 2;
	while (i < 17 && buf[i] == '0')
		i++;
	buf[i - 1] = 'x';
	buf[i - 2] = '0';
	puts_serial(buf + i - 2);
}

static void put_dec(u64 v)
{
	char buf[21];
	int i = 20;

	buf[i] = 0;
	do {
		buf[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	puts_serial(buf + i);
}

static void *memcpy_(void *d, const void *s, size_t n)
{
	u8 *dd = d;
	const u8 *ss = s;

	while (n--)
		*dd++ = *ss++;
	return d;
}

static void memset_(void *d, int c, size_t n)
{
	u8 *dd = d;

	while (n--)
		*dd++ = c;
}

static void shutdown(void)
{
	const char *s = "Shutdown";

	while (*s)
		outb(0x8900, *s++);
	for (;;)
		asm volatile("cli; hlt");
}

/*
 * One KTAP line: "ok N name # SDM x.y" or "not ok N name # SDM x.y: why".
 */
static int result(int ok, const char *name, const char *sdm, const char *why, u64 got)
{
	testno++;
	puts_serial(ok ? "ok " : "not ok ");
	put_dec(testno);
	puts_serial(" ");
	puts_serial(name);
	puts_serial(" # SDM ");
	puts_serial(sdm);
	if (!ok && why) {
		puts_serial(": ");
		puts_serial(why);
		puts_serial(" (got ");
		put_hex(got);
		puts_serial(")");
	}
	puts_serial("\n");
	return ok;
}

/* ---- CPU helpers ---------------------------------------------------------- */
static inline u64 rdmsr(u32 idx)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(idx));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 idx, u64 v)
{
	asm volatile("wrmsr" :: "c"(idx), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

/* WRMSR expecting a possible #GP: returns the number of faults (0 or 1) */
static u64 wrmsr_faults(u32 idx, u64 v)
{
	u64 before = fault_count;

	fault_skip = 2;
	wrmsr(idx, v);
	fault_skip = 0;
	return fault_count - before;
}

static inline u64 read_cr0(void) { u64 v; asm volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline u64 read_cr3(void) { u64 v; asm volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline u64 read_cr4(void) { u64 v; asm volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr4(u64 v) { asm volatile("mov %0, %%cr4" :: "r"(v)); }
static inline void write_cr0(u64 v) { asm volatile("mov %0, %%cr0" :: "r"(v)); }

struct exc_frame {
	u64 r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;
	u64 vector, error, rip, cs, rflags, rsp, ss;
};

void exc_handler(struct exc_frame *f)
{
	if (f->vector == 2) {
		nmi_count++;
		return;
	}
	if (fault_skip && (f->vector == 13 || f->vector == 6)) {
		fault_count++;
		fault_vector = f->vector;
		f->rip += fault_skip;
		return;
	}
	puts_serial("# FATAL: exception ");
	put_dec(f->vector);
	puts_serial(" error ");
	put_hex(f->error);
	puts_serial(" at rip ");
	put_hex(f->rip);
	puts_serial("\n");
	shutdown();
}

/* ---- VMX instruction wrappers: return RFLAGS (CF/ZF = VMfail) ---------- */
static inline u64 flags_of_vmxon(u64 *p)
{
	u64 fl;

	asm volatile("vmxon %1; pushfq; pop %0" : "=r"(fl) : "m"(*p) : "cc", "memory");
	return fl;
}

static inline u64 vmclear(u64 p)
{
	u64 fl;

	asm volatile("vmclear %1; pushfq; pop %0" : "=r"(fl) : "m"(p) : "cc", "memory");
	return fl;
}

static inline u64 vmptrld(u64 p)
{
	u64 fl;

	asm volatile("vmptrld %1; pushfq; pop %0" : "=r"(fl) : "m"(p) : "cc", "memory");
	return fl;
}

static inline u64 vmptrst(void)
{
	u64 p;

	asm volatile("vmptrst %0" : "=m"(p) :: "memory");
	return p;
}

static inline u64 vmread(u64 field)
{
	u64 v = 0;

	asm volatile("vmread %1, %0" : "=r"(v) : "r"(field) : "cc");
	return v;
}

static inline void vmwrite(u64 field, u64 v)
{
	asm volatile("vmwrite %1, %0" :: "r"(field), "r"(v) : "cc", "memory");
}

/* VMCALL in VMX root: EAX in, EAX out; RFLAGS returned */
static inline u64 vmcall(u32 *eax)
{
	u64 fl, a = *eax;

	asm volatile("vmcall; pushfq; pop %1" : "+a"(a), "=r"(fl) :: "cc", "memory");
	*eax = (u32)a;
	return fl;
}

static inline u64 vmxoff(void)
{
	u64 fl;

	asm volatile("vmxoff; pushfq; pop %0" : "=r"(fl) :: "cc", "memory");
	return fl;
}

static u32 vm_error(void)
{
	return (u32)vmread(VM_INSTRUCTION_ERROR);
}

static u64 alloc_page(void)
{
	u64 p = next_page;

	next_page += 4096;
	memset_((void *)p, 0, 4096);
	return p;
}

static u64 new_vmcs(void)
{
	u64 p = alloc_page();

	*(u32 *)p = vmcs_rev;
	vmclear(p);
	return p;
}

static u32 adjust(u32 want, u32 msr)
{
	u64 cap = rdmsr(msr);

	want |= (u32)cap;		/* allowed-0 settings that must be 1 */
	want &= (u32)(cap >> 32);	/* allowed-1 settings */
	return want;
}

static int true_ctls(void)
{
	return (rdmsr(MSR_VMX_BASIC) >> 55) & 1;
}

static u32 pin_ctls(u32 w) { return adjust(w, true_ctls() ? 0x48d : 0x481); }
static u32 proc_ctls(u32 w) { return adjust(w, true_ctls() ? 0x48e : 0x482); }
static u32 exit_ctls(u32 w) { return adjust(w, true_ctls() ? 0x48f : 0x483); }
static u32 entry_ctls(u32 w) { return adjust(w, true_ctls() ? 0x490 : 0x484); }

static struct __packed { u16 limit; u64 base; } cur_gdtr;

/* host state of the current VMCS: this program, 64-bit, flat */
static void vmcs_host(u64 cr3, u64 gdt_base, u64 rsp, u64 rip)
{
	vmwrite(HOST_CR0, read_cr0());
	vmwrite(HOST_CR3, cr3);
	vmwrite(HOST_CR4, read_cr4());
	vmwrite(HOST_ES_SEL, 0x10);
	vmwrite(HOST_CS_SEL, 0x08);
	vmwrite(HOST_SS_SEL, 0x10);
	vmwrite(HOST_DS_SEL, 0x10);
	vmwrite(HOST_FS_SEL, 0x10);
	vmwrite(HOST_GS_SEL, 0x10);
	vmwrite(HOST_TR_SEL, 0x18);
	vmwrite(HOST_FS_BASE, 0);
	vmwrite(HOST_GS_BASE, 0);
	vmwrite(HOST_TR_BASE, (u64)tss);
	vmwrite(HOST_GDTR_BASE, gdt_base);
	vmwrite(HOST_IDTR_BASE, (u64)idt);
	vmwrite(HOST_SYSENTER_CS, 0);
	vmwrite(HOST_SYSENTER_ESP, 0);
	vmwrite(HOST_SYSENTER_EIP, 0);
	vmwrite(HOST_RSP, rsp);
	vmwrite(HOST_RIP, rip);
}

/* guest state: a 64-bit guest on this program's paging and GDT */
static void vmcs_guest(u64 rip, u64 rsp, u32 interruptibility)
{
	int i;

	for (i = 0; i < 6; i++) {
		vmwrite(GUEST_ES_SEL + 2 * i, i == 1 ? 0x08 : 0x10);
		vmwrite(GUEST_ES_BASE + 2 * i, 0);
		vmwrite(GUEST_ES_LIMIT + 2 * i, 0xffffffff);
		vmwrite(GUEST_ES_AR + 2 * i, i == 1 ? 0xa09b : 0xc093);
	}
	vmwrite(GUEST_ES_SEL + 12, 0);		/* LDTR */
	vmwrite(GUEST_ES_BASE + 12, 0);
	vmwrite(GUEST_ES_LIMIT + 12, 0);
	vmwrite(GUEST_ES_AR + 12, 0x10000);	/* unusable */
	vmwrite(GUEST_TR_SEL, 0x18);
	vmwrite(GUEST_ES_BASE + 14, (u64)tss);
	vmwrite(GUEST_ES_LIMIT + 14, 0x67);
	vmwrite(GUEST_ES_AR + 14, 0x8b);
	vmwrite(GUEST_GDTR_BASE, (u64)gdt);
	vmwrite(GUEST_GDTR_LIMIT, sizeof(gdt) - 1);
	vmwrite(GUEST_IDTR_BASE, (u64)idt);
	vmwrite(GUEST_IDTR_LIMIT, sizeof(idt) - 1);
	vmwrite(GUEST_CR0, read_cr0());
	vmwrite(GUEST_CR3, read_cr3());
	vmwrite(GUEST_CR4, read_cr4());
	vmwrite(GUEST_DR7, 0x400);
	vmwrite(GUEST_RSP, rsp);
	vmwrite(GUEST_RIP, rip);
	vmwrite(GUEST_RFLAGS, 2);
	vmwrite(GUEST_PENDING_DBG, 0);
	vmwrite(GUEST_SYSENTER_CS, 0);
	vmwrite(GUEST_SYSENTER_ESP, 0);
	vmwrite(GUEST_SYSENTER_EIP, 0);
	vmwrite(LINK_PTR, ~0ULL);
	vmwrite(GUEST_ACTIVITY, 0);
	vmwrite(GUEST_INTERRUPTIBILITY, interruptibility);
}

static void vmcs_controls(u32 proc, u32 entry)
{
	vmwrite(PIN_CTLS, pin_ctls(0));
	vmwrite(PROC_CTLS, proc_ctls(proc));
	vmwrite(EXC_BITMAP, 0);
	vmwrite(CR3_TARGET_COUNT, 0);
	vmwrite(EXIT_CTLS, exit_ctls(EXIT_HOST_64));
	vmwrite(EXIT_MSR_STORE_COUNT, 0);
	vmwrite(EXIT_MSR_LOAD_COUNT, 0);
	vmwrite(ENTRY_CTLS, entry_ctls(entry));
	vmwrite(ENTRY_MSR_LOAD_COUNT, 0);
	vmwrite(ENTRY_INTR_INFO, 0);
}

/* an executive guest VMCS: current afterwards */
static u64 guest_vmcs(void *rip)
{
	u64 v = new_vmcs();

	vmptrld(v);
	vmcs_controls(0, ENTRY_IA32E);
	vmcs_host(read_cr3(), (u64)gdt, 0, 0);	/* RSP/RIP: vm_run() */
	vmcs_guest((u64)rip, GUEST_STACK, 0);
	return v;
}

/* ---- SMIs of the default treatment ----------------------------------------- */
static volatile u32 *const mbox = (volatile u32 *)MAILBOX;

static void raise_smi(void)
{
	outb(0xb2, 0x5a);	/* APMC: SMI on CPU 0 (the BIOS enabled APMC_EN) */
	asm volatile("nop" ::: "memory");
}

static void smm_wrmsr(u32 idx, u64 v)
{
	mbox[1] = idx;
	mbox[2] = (u32)v;
	mbox[3] = (u32)(v >> 32);
	mbox[0] = 1;
	raise_smi();
}

/* install smi_handler at SMBASE 0xA0000 + 0x8000 (i440FX SMRAM, reg 0x72) */
static void install_smi_handler(void)
{
	outl(0xcf8, 0x80000070);
	outb(0xcfe, 0x4a);	/* D_OPEN | G_SMRAME | C_BASE_SEG */
	memcpy_((void *)0xa8000, smi_handler, smi_handler_end - smi_handler);
	outl(0xcf8, 0x80000070);
	outb(0xcfe, 0x0a);	/* closed */
}

/* ---- MSEG and the test STM ---------------------------------------------- */
static void build_mseg(void)
{
	u32 *h = (u32 *)MSEG;
	u64 *pml4 = (u64 *)(MSEG + MSEG_CR3);
	u8 *t = (u8 *)(MSEG + MSEG_TRAMP);
	u64 entry = (u64)stm_entry;
	int i;

	memset_((void *)MSEG, 0, 0x20000);
	h[0] = 0;			/* MSEG revision (IA32_VMX_MISC[63:32]) */
	h[1] = 1;			/* features: IA-32e STM */
	h[2] = sizeof(gdt) - 1;		/* GDTR limit */
	h[3] = MSEG_GDT;		/* GDTR base offset */
	h[4] = 0x08;			/* CS selector */
	h[5] = MSEG_TRAMP;		/* EIP offset */
	h[6] = MSEG_ESP;		/* ESP offset */
	h[7] = MSEG_CR3;		/* CR3 offset */
	memcpy_((void *)(MSEG + MSEG_GDT), gdt, sizeof(gdt));
	/* movabs $stm_entry, %rax; jmp *%rax */
	t[0] = 0x48;
	t[1] = 0xb8;
	memcpy_(t + 2, &entry, 8);
	t[10] = 0xff;
	t[11] = 0xe0;
	/* 4 GiB identity map at MSEG + CR3 offset (PML4, PDPT, 4 PDs) */
	pml4[0] = (MSEG + MSEG_CR3 + 0x1000) | 3;
	for (i = 0; i < 4; i++)
		pml4[512 + i] = (MSEG + MSEG_CR3 + 0x2000 + i * 0x1000) | 3;
	for (i = 0; i < 2048; i++)
		pml4[1024 + i] = ((u64)i << 21) | 0x83;
}

static void stm_record(u32 intr)
{
	struct stm_event *e;

	if (stm_nlog >= STM_LOG)
		return;
	e = &stm_log[stm_nlog++];
	e->reason = (u32)vmread(EXIT_REASON);
	e->executive = vmread(EXECUTIVE_VMCS_PTR);
	e->link = vmread(LINK_PTR);
	e->current = vmptrst();
	e->smbase = (u32)vmread(GUEST_SMBASE);
	e->rip = vmread(GUEST_RIP);
	e->intr = intr;
	e->qual = vmread(EXIT_QUALIFICATION);
	if ((e->reason & 0xffff) == 5) {	/* 32.15.2.3: I/O SMI fields */
		e->io_rcx = vmread(IO_RCX);
		e->io_rsi = vmread(IO_RSI);
		e->io_rdi = vmread(IO_RDI);
		e->io_rip = vmread(IO_RIP);
		e->laddr = vmread(GUEST_LINEAR_ADDR);
	}
}

static void stm_skip_instruction(void)
{
	vmwrite(GUEST_RIP, vmread(GUEST_RIP) + vmread(EXIT_INSTR_LEN));
}

/* VMCALL result for the executive: EAX, CF = ZF = 0 */
static void stm_return_ok(u32 eax)
{
	stm_regs[0] = eax;
	vmwrite(GUEST_RFLAGS, vmread(GUEST_RFLAGS) & ~(u64)(RFLAGS_CF | RFLAGS_ZF));
	stm_skip_instruction();
}

static void stm_enter_smm_guest(void)
{
	u64 v = new_vmcs();

	memcpy_(stm_saved_regs, stm_regs, sizeof(stm_regs));
	vmptrld(v);
	vmcs_controls(PROC_IO_EXIT, ENTRY_IA32E | ENTRY_SMM);
	vmcs_host(MSEG + MSEG_CR3, MSEG + MSEG_GDT, MSEG + MSEG_ESP, (u64)stm_entry);
	/* 32.15.3 / 26.3.1.5: an entry to SMM needs blocking by SMI */
	vmcs_guest((u64)smm_guest_code, GUEST_STACK - 0x1000, 4);
	stm_in_smm_guest = 1;
	stm_launch = 1;
}

void stm_handler(void)
{
	u32 reason;

	asm volatile("lidt %0" :: "m"(idt_ptr));
	stm_launch = 0;
	reason = (u32)vmread(EXIT_REASON);

	if (stm_in_smm_guest) {
		/* exits of the SMM guest: MSR read (31), I/O (30), RSM (17) */
		stm_record((u32)vmread(GUEST_INTERRUPTIBILITY));
		if ((reason & 0xffff) == 17) {
			stm_in_smm_guest = 0;
			memcpy_(stm_regs, stm_saved_regs, sizeof(stm_regs));
			vmptrld(stm_transfer);
			return;
		}
		stm_skip_instruction();
		return;
	}

	stm_record(0);

	if (!stm_activated) {
		u64 fl, v;

		/*
		 * the activating SMM VM exit (32.15.6): the current VMCS is the
		 * SMM-transfer VMCS; give it our host state and controls
		 */
		stm_activated = 1;
		stm_transfer = vmptrst();
		/* in SMM: IA32_SMM_MONITOR_CTL is writable (32.15.5) */
		fault_skip = 2;
		fl = fault_count;
		wrmsr(MSR_SMM_MONITOR_CTL, rdmsr(MSR_SMM_MONITOR_CTL));
		fault_skip = 0;
		stm_wrmsr_ok = fault_count == fl;
		/*
		 * CR4.VMXE stays set in SMM under the dual-monitor treatment
		 * (32.14.3): writing CR4 with VMXE=1 must not fault
		 */
		v = read_cr4();
		fault_skip = 3;
		write_cr4(v | (1 << 13));
		fault_skip = 0;
		stm_cr4_ok = fault_count == fl;

		vmwrite(PIN_CTLS, pin_ctls(0));
		vmwrite(PROC_CTLS, proc_ctls(0));
		vmwrite(EXC_BITMAP, 0);
		vmwrite(CR3_TARGET_COUNT, 0);
		vmwrite(ENTRY_CTLS, entry_ctls(ENTRY_IA32E));
		vmwrite(ENTRY_MSR_LOAD_COUNT, 0);
		vmwrite(ENTRY_INTR_INFO, 0);
		vmcs_host(MSEG + MSEG_CR3, MSEG + MSEG_GDT, MSEG + MSEG_ESP, (u64)stm_entry);
		stm_return_ok(STM_PONG);
		stm_launch = 1;	/* the activation VMCS is clear */
		return;
	}

	switch (reason & 0xffff) {
	case 18:	/* VMCALL from the executive */
		switch ((u32)stm_regs[0]) {
		case SVC_PING:
			stm_return_ok(STM_PONG);
			break;
		case SVC_DEACTIVATE:
			/* 32.15.7: the deactivating VM entry */
			vmwrite(ENTRY_CTLS, vmread(ENTRY_CTLS) | ENTRY_DEACTIVATE);
			stm_return_ok(STM_PONG);
			break;
		case SVC_SMM_GUEST:
			stm_return_ok(STM_PONG);
			stm_enter_smm_guest();
			break;
		case SVC_NMI_INSIDE: {
			/* an NMI sent to itself in SMM stays pending (32.15.2.5) */
			volatile u32 *apic = (volatile u32 *)0xfee00000UL;
			u64 before = nmi_count;
			int i;

			apic[0x310 / 4] = (apic[0x20 / 4] >> 24) << 24;
			apic[0x300 / 4] = 0x4400;	/* delivery mode NMI */
			for (i = 0; i < 100; i++)
				asm volatile("pause" ::: "memory");
			stm_nmi_seen = nmi_count - before;
			stm_return_ok(STM_PONG);
			break;
		}
		case SVC_BAD_RETURNS:
			/*
			 * 32.15.4.1: the executive-VMCS pointer must be aligned
			 * (else VMfail 16); with "deactivate" it must be the VMXON
			 * pointer (18); otherwise it must reference a launched
			 * VMCS (17). stm_entry_failed() steps through them.
			 */
			stm_saved_exec = vmread(EXECUTIVE_VMCS_PTR);
			vmwrite(EXECUTIVE_VMCS_PTR, stm_saved_exec | 0x800);
			stm_bad_phase = 1;
			stm_nerrors = 0;
			stm_return_ok(STM_PONG);
			break;
		case SVC_RAW_EXEC_CTLS:
			/*
			 * 32.15.4.2: a VM entry that returns from SMM does not
			 * check the current VMCS's VM-execution controls. Leave
			 * them as Intel's STM does in its own VMCS: pin-based and
			 * processor-based 0 (below the allowed-0 settings) with
			 * "save VMX-preemption timer" (VM-exit control bit 22)
			 * set; the return and later SMM VM exits must work.
			 */
			stm_saved_exit_ctls = vmread(EXIT_CTLS);
			vmwrite(PIN_CTLS, 0);
			vmwrite(PROC_CTLS, 0);
			vmwrite(EXIT_CTLS, stm_saved_exit_ctls | (1u << 22));
			stm_return_ok(STM_PONG);
			break;
		case SVC_FIX_EXEC_CTLS:
			vmwrite(PIN_CTLS, pin_ctls(0));
			vmwrite(PROC_CTLS, proc_ctls(0));
			vmwrite(EXIT_CTLS, stm_saved_exit_ctls);
			stm_return_ok(STM_PONG);
			break;
		case SVC_SMI_INSIDE:
			/* an SMI raised in SMM stays pending (32.15.2.5) */
			outb(0xb2, 0x5a);
			stm_return_ok(STM_PONG);
			break;
		default:
			stm_regs[0] = 0x80000000u;
			vmwrite(GUEST_RFLAGS, vmread(GUEST_RFLAGS) | RFLAGS_CF);
			stm_skip_instruction();
		}
		break;
	default:	/* SMIs (5, 6): nothing to do */
		break;
	}
}

void stm_entry_failed(u64 rflags)
{
	if (stm_bad_phase && stm_nerrors < 4) {
		stm_entry_errors[stm_nerrors++] = (rflags & RFLAGS_ZF) ? vm_error() : 0xffff;
		switch (stm_bad_phase++) {
		case 1:		/* a VMCS that is not the VMXON one + deactivate */
			vmwrite(EXECUTIVE_VMCS_PTR, stm_bad_exec);
			vmwrite(ENTRY_CTLS, vmread(ENTRY_CTLS) | ENTRY_DEACTIVATE);
			return;
		case 2:		/* the same, not launched, without deactivate */
			vmwrite(ENTRY_CTLS, vmread(ENTRY_CTLS) & ~ENTRY_DEACTIVATE);
			return;
		default:	/* the real executive: the return succeeds */
			vmwrite(EXECUTIVE_VMCS_PTR, stm_saved_exec);
			stm_bad_phase = 0;
			return;
		}
	}
	puts_serial("# FATAL: the test STM's VM entry failed, rflags ");
	put_hex(rflags);
	puts_serial(" error ");
	put_dec(vm_error());
	puts_serial("\n");
	shutdown();
}

/* ---- setup ---------------------------------------------------------------- */
static void setup_cpu(void)
{
	u64 tb = (u64)tss;
	int i;

	memcpy_(gdt, gdt_rom, gdt_rom_end - gdt_rom);
	gdt[3] = 0x67 | ((tb & 0xffffff) << 16) | (0x89ULL << 40) | (((tb >> 24) & 0xff) << 56);
	gdt[4] = tb >> 32;
	cur_gdtr.limit = sizeof(gdt) - 1;
	cur_gdtr.base = (u64)gdt;
	asm volatile("lgdt %0" :: "m"(cur_gdtr));
	asm volatile("ltr %w0" :: "r"(0x18));
	for (i = 0; i < 32; i++) {
		u64 h = (u64)exc_stubs + 16 * i;

		idt[2 * i] = (h & 0xffff) | (0x08 << 16) | (0x8eULL << 40) | ((h >> 16) << 48);
		idt[2 * i + 1] = h >> 32;
	}
	idt_ptr.limit = sizeof(idt) - 1;
	idt_ptr.base = (u64)idt;
	asm volatile("lidt %0" :: "m"(idt_ptr));
	outb(0x3fb, 0x03);	/* COM1 8N1 */
}

#define CHECK(cond, name, sdm, why, got) result((cond), name, sdm, why, (u64)(got))

void dm_main(void)
{
	u64 fl, vmcs_a, vmcs_b, vmcs_c, vmcs_d, vmcs_e, v, r;
	u32 eax, smis;
	int n0;

	next_page = PAGES;
	setup_cpu();
	puts_serial("KTAP version 1\n1..");
	put_dec(NTESTS);
	puts_serial("\n# bochs-dm conformance: SDM Vol. 3C 32.15 dual-monitor treatment\n");

	/* -- capabilities ------------------------------------------------------ */
	v = rdmsr(MSR_VMX_BASIC);
	CHECK((v >> 49) & 1,
	      "vmx_basic_dual_monitor_bit49", "Vol. 3D A.1",
	      "IA32_VMX_BASIC[49] clear", v);
	vmcs_rev = (u32)v & 0x7fffffff;
	v = rdmsr(MSR_VMX_MISC);
	CHECK((v >> 32) == 0,
	      "vmx_misc_mseg_revision", "Vol. 3D A.6",
	      "IA32_VMX_MISC[63:32] is not 0", v >> 32);
	v = rdmsr(MSR_MTRRCAP);
	CHECK((v >> 11) & 1,
	      "mtrrcap_smrr_bit11", "Vol. 3A 11.11.2.4",
	      "IA32_MTRRCAP[11] clear", v);

	/* -- IA32_SMM_MONITOR_CTL and SMRR ------------------------------------- */
	install_smi_handler();
	smis = mbox[4];
	raise_smi();
	CHECK(mbox[4] == smis + 1,
	      "default_treatment_smi", "Vol. 3C 32.5",
	      "our SMI handler did not run", mbox[4] - smis);
	r = wrmsr_faults(MSR_SMM_MONITOR_CTL, MSEG | 1);
	CHECK(r == 1 && rdmsr(MSR_SMM_MONITOR_CTL) == 0,
	      "smm_monitor_ctl_wrmsr_outside_smm_gp", "Vol. 3C 32.15.5",
	      "WRMSR 0x9B outside SMM did not #GP", r);
	smm_wrmsr(MSR_SMRR_BASE, 0xa0006);
	smm_wrmsr(MSR_SMRR_MASK, 0xfffe0800);
	r = wrmsr_faults(MSR_SMRR_BASE, 0);
	CHECK(rdmsr(MSR_SMRR_BASE) == 0xa0006 && rdmsr(MSR_SMRR_MASK) == 0xfffe0800 && r == 1,
	      "smrr_written_in_smm_only", "Vol. 3A 11.11.2.4",
	      "SMRR not stored in SMM or writable outside", rdmsr(MSR_SMRR_BASE));

	/* -- VMX on ------------------------------------------------------------- */
	v = rdmsr(MSR_FEATURE_CONTROL);
	if (!(v & 1))
		wrmsr(MSR_FEATURE_CONTROL, v | 5);
	write_cr4(read_cr4() | (1 << 13));
	build_mseg();
	vmxon_ptr = alloc_page();
	*(u32 *)vmxon_ptr = vmcs_rev;
	fl = flags_of_vmxon(&vmxon_ptr);
	CHECK(!(fl & (RFLAGS_CF | RFLAGS_ZF)),
	      "vmxon", "Vol. 3C 24.11.5",
	      "VMXON failed", fl);

	/* VMCALL in VMX root, IA32_SMM_MONITOR_CTL.valid = 0: VMfail(1) */
	vmcs_a = new_vmcs();
	vmptrld(vmcs_a);
	vmcs_controls(0, ENTRY_IA32E);
	eax = 0;
	fl = vmcall(&eax);
	CHECK((fl & RFLAGS_ZF) && vm_error() == 1,
	      "vmcall_valid_bit_clear_vmfail_1", "Vol. 3C 32.15.5, Vol. 2 VMCALL",
	      "not VMfailValid(1)", (fl & RFLAGS_ZF) ? vm_error() : fl);

	smm_wrmsr(MSR_SMM_MONITOR_CTL, MSEG | 1);
	CHECK(rdmsr(MSR_SMM_MONITOR_CTL) == (MSEG | 1),
	      "smm_monitor_ctl_written_in_smm", "Vol. 3C 32.15.5",
	      "IA32_SMM_MONITOR_CTL not MSEG|1 after the SMM write", rdmsr(MSR_SMM_MONITOR_CTL));

	/* no current VMCS: VMfailInvalid */
	vmclear(vmcs_a);
	eax = 0;
	fl = vmcall(&eax);
	CHECK((fl & RFLAGS_CF) && !(fl & RFLAGS_ZF),
	      "vmcall_no_current_vmcs_vmfailinvalid", "Vol. 2 VMCALL",
	      "not VMfailInvalid", fl);

	/* launched VMCS: VMfail(19) */
	vmcs_b = guest_vmcs(guest_vmcall);
	r = vm_run(1);
	CHECK(r == 0 && (vmread(EXIT_REASON) & 0xffff) == 18,
	      "ordinary_vmcall_exit_before_activation", "Vol. 3C 25.1.3",
	      "guest VMCALL did not exit with reason 18", r ? r : vmread(EXIT_REASON));
	eax = 0;
	fl = vmcall(&eax);
	CHECK((fl & RFLAGS_ZF) && vm_error() == 19,
	      "vmcall_launched_vmcs_vmfail_19", "Vol. 3C 32.15.6.1",
	      "not VMfailValid(19)", (fl & RFLAGS_ZF) ? vm_error() : fl);

	/* invalid VM-exit controls: VMfail(20) */
	vmcs_c = new_vmcs();
	vmptrld(vmcs_c);
	vmwrite(EXIT_CTLS, 0);
	eax = 0;
	fl = vmcall(&eax);
	CHECK((fl & RFLAGS_ZF) && vm_error() == 20,
	      "vmcall_invalid_exit_controls_vmfail_20", "Vol. 3C 32.15.6.1",
	      "not VMfailValid(20)", (fl & RFLAGS_ZF) ? vm_error() : fl);
	vmwrite(EXIT_CTLS, exit_ctls(EXIT_HOST_64));

	/* MSEG revision mismatch: VMfail(22) */
	((u32 *)MSEG)[0] = 1;
	eax = 0;
	fl = vmcall(&eax);
	CHECK((fl & RFLAGS_ZF) && vm_error() == 22,
	      "vmcall_mseg_revision_vmfail_22", "Vol. 3C 32.15.6.2",
	      "not VMfailValid(22)", (fl & RFLAGS_ZF) ? vm_error() : fl);
	((u32 *)MSEG)[0] = 0;

	/* invalid SMM-monitor features: VMfail(24) */
	((u32 *)MSEG)[1] = 2;
	eax = 0;
	fl = vmcall(&eax);
	CHECK((fl & RFLAGS_ZF) && vm_error() == 24,
	      "vmcall_mseg_features_vmfail_24", "Vol. 3C 32.15.6.2",
	      "not VMfailValid(24)", (fl & RFLAGS_ZF) ? vm_error() : fl);
	((u32 *)MSEG)[1] = 1;

	/* -- activation ------------------------------------------------------- */
	eax = SVC_PING;
	n0 = stm_nlog;
	fl = vmcall(&eax);
	dm_active = stm_nlog == n0 + 1 && eax == STM_PONG && !(fl & (RFLAGS_CF | RFLAGS_ZF));
	CHECK(dm_active,
	      "vmcall_activates_dual_monitor", "Vol. 3C 32.15.6",
	      "the test STM did not answer", stm_nlog - n0);
	CHECK(dm_active && stm_log[n0].reason == ((1u << 29) | 18),
	      "activation_exit_reason_18_bit29", "Vol. 3C 32.15.2.3, 32.15.6",
	      "wrong exit reason", stm_log[n0].reason);
	CHECK(dm_active && stm_log[n0].executive == vmxon_ptr && stm_log[n0].current == vmcs_c,
	      "activation_executive_ptr_vmxon_current_transfer", "Vol. 3C 32.15.2.2, 32.15.6",
	      "executive-VMCS pointer not VMXON pointer or SMM-transfer VMCS not the activation VMCS",
	      stm_log[n0].executive);
	CHECK(dm_active && stm_log[n0].smbase == 0xa0000,
	      "activation_saves_smbase", "Vol. 3C 32.15.2.4",
	      "guest SMBASE field", stm_log[n0].smbase);
	CHECK(dm_active && stm_wrmsr_ok && stm_cr4_ok,
	      "stm_runs_in_smm_with_cr4_vmxe", "Vol. 3C 32.15.5, 32.14.3",
	      "WRMSR 0x9B or MOV CR4 (VMXE=1) faulted in the STM",
	      stm_wrmsr_ok | (stm_cr4_ok << 1));
	CHECK(dm_active && vmptrst() == vmcs_c,
	      "return_to_root_current_vmcs_from_link", "Vol. 3C 32.15.4.7",
	      "current VMCS after the return", vmptrst());

	/* -- VMCALL while active: SMM VM exit, link-pointer bookkeeping --------- */
	vmcs_d = new_vmcs();
	vmptrld(vmcs_d);
	n0 = stm_nlog;
	eax = SVC_PING;
	fl = vmcall(&eax);
	CHECK(stm_nlog == n0 + 1 && stm_log[n0].reason == ((1u << 29) | 18) &&
	      stm_log[n0].link == vmcs_d && stm_log[n0].current == vmcs_c && eax == STM_PONG &&
	      vmptrst() == vmcs_d,
	      "vmcall_smm_vm_exit_keeps_current_vmcs", "Vol. 3C 32.15.2.2, 32.15.4.7",
	      "reason/link/current VMCS wrong", stm_nlog > n0 ? stm_log[n0].link : 0);

	/* -- failed returns from SMM: VMfail 16, 18, 17 in the STM ---------- */
	stm_bad_exec = new_vmcs();
	eax = SVC_BAD_RETURNS;
	fl = vmcall(&eax);
	CHECK(eax == STM_PONG && stm_nerrors == 3 && stm_entry_errors[0] == 16 &&
	      stm_entry_errors[1] == 18 && stm_entry_errors[2] == 17 && vmptrst() == vmcs_d,
	      "return_from_smm_executive_ptr_vmfail_16_18_17", "Vol. 3C 32.15.4.1",
	      "VM-instruction errors of the failed returns",
	      ((u64)stm_entry_errors[0] << 32) | (stm_entry_errors[1] << 16) | stm_entry_errors[2]);

	/*
	 * -- I/O SMI in VMX root: the SMI raised by OUT 0xB2 arrives right after
	 *    the OUT retires: reason 5 with bit 29 (an SMI not caused by an I/O
	 *    instruction, reason 6, is the LAPIC SMI IPI test below)
	 */
	n0 = stm_nlog;
	smis = mbox[4];
	{
		u64 out_rip;

		asm volatile("lea 1f(%%rip), %0\n\t"
			     "mov $0x10c5, %%ecx\n"
			     "1:\toutb %%al, $0xb2\n\t"
			     "nop"
			     : "=&r"(out_rip) : "a"(0x5a) : "rcx", "memory");
		CHECK(stm_nlog == n0 + 1 && stm_log[n0].reason == ((1u << 29) | 5) &&
		      mbox[4] == smis && stm_log[n0].executive == vmxon_ptr,
		      "io_smi_in_root_smm_vm_exit_reason_5", "Vol. 3C 32.15.2, 32.15.2.3, App. C",
		      "no SMM VM exit, not reason 5 (or the default treatment ran)",
		      stm_nlog > n0 ? stm_log[n0].reason : 0xdead);
		/*
		 * Table 28-5 (I/O instructions): size 0 (1 byte), OUT, not
		 * string, not REP, immediate operand (bit 6), port 0xB2 in
		 * 31:16; I/O RIP addresses the OUT, RCX as before it; the guest
		 * RIP is the next instruction (OUT imm8 is 2 bytes)
		 */
		CHECK(stm_nlog == n0 + 1 && stm_log[n0].qual == 0x00b20040 &&
		      stm_log[n0].io_rip == out_rip && stm_log[n0].io_rcx == 0x10c5 &&
		      stm_log[n0].rip == out_rip + 2,
		      "io_smi_qualification_io_rip_rcx", "Vol. 3C 32.15.2.3, Table 28-5",
		      "qualification (got) or I/O RIP/RCX or guest RIP",
		      stm_nlog > n0 ? stm_log[n0].qual : 0xdead);
	}

	/* -- I/O SMI by REP OUTSB: string, REP, DX operand, I/O RSI/RDI ------- */
	n0 = stm_nlog;
	{
		static u8 outs_buf[4];
		u64 out_rip, rsi = (u64)outs_buf;

		outs_buf[0] = 0x5a;
		asm volatile("lea 1f(%%rip), %0\n\t"
			     "mov $1, %%ecx\n\t"
			     "mov $0xb2, %%edx\n\t"
			     "mov $0x7d1, %%edi\n"
			     "1:\trep outsb\n\t"
			     "nop"
			     : "=&r"(out_rip), "+S"(rsi)
			     : : "rcx", "rdx", "rdi", "memory");
		CHECK(stm_nlog == n0 + 1 && stm_log[n0].reason == ((1u << 29) | 5) &&
		      stm_log[n0].qual == 0x00b20030 && stm_log[n0].io_rip == out_rip &&
		      stm_log[n0].io_rcx == 1 && stm_log[n0].io_rsi == (u64)outs_buf &&
		      stm_log[n0].io_rdi == 0x7d1 && stm_log[n0].laddr == (u64)outs_buf &&
		      stm_log[n0].rip == out_rip + 2,
		      "io_smi_rep_outsb_string_fields", "Vol. 3C 32.15.2.3, Table 28-5",
		      "reason/qualification (got), I/O RCX/RSI/RDI/RIP or linear address",
		      stm_nlog > n0 ? stm_log[n0].qual : 0xdead);
	}

	/* -- returns from SMM skip the VM-execution control checks ----------- */
	{
		u32 a1 = SVC_RAW_EXEC_CTLS, a2 = SVC_PING, a3 = SVC_FIX_EXEC_CTLS;
		u64 f1, f2, f3;

		n0 = stm_nlog;
		f1 = vmcall(&a1);	/* returns with the raw controls */
		raise_smi();		/* SMM VM exit through that VMCS */
		f2 = vmcall(&a2);
		f3 = vmcall(&a3);
		CHECK(a1 == STM_PONG && a2 == STM_PONG && a3 == STM_PONG &&
		      !((f1 | f2 | f3) & (RFLAGS_CF | RFLAGS_ZF)) && stm_nlog == n0 + 4 &&
		      (stm_log[n0 + 1].reason & 0xffff) == 5,	/* OUT 0xB2: I/O SMI */
		      "return_from_smm_skips_exec_ctl_checks", "Vol. 3C 32.15.4.2",
		      "a return with pin/proc controls 0 + save-preemption-timer failed",
		      (a1 == STM_PONG) | (a2 == STM_PONG) << 1 | (a3 == STM_PONG) << 2 |
		      (u64)(stm_nlog - n0) << 8);
	}

	/*
	 * -- SMIs are blocked in the STM, delivered after the return; raised
	 *    by the STM's OUT 0xB2 in SMM it arrives later, not right after an
	 *    I/O instruction: reason 6, not 5
	 */
	n0 = stm_nlog;
	eax = SVC_SMI_INSIDE;
	fl = vmcall(&eax);
	CHECK(stm_nlog == n0 + 2 && (stm_log[n0 + 1].reason & 0xffff) == 6,
	      "smi_blocked_in_smm_unblocked_by_return", "Vol. 3C 32.15.2.5, 32.15.4.9",
	      "expected the VMCALL exit then one SMI exit", stm_nlog - n0);

	/* -- NMIs are blocked in the STM, delivered after the return --------- */
	v = nmi_count;
	eax = SVC_NMI_INSIDE;
	fl = vmcall(&eax);
	asm volatile("nop; nop" ::: "memory");
	CHECK(eax == STM_PONG && stm_nmi_seen == 0 && nmi_count == v + 1,
	      "nmi_blocked_in_smm_unblocked_by_return", "Vol. 3C 32.15.2.5, 32.15.4.4",
	      "NMI taken in the STM or not after the return", stm_nmi_seen * 16 + nmi_count - v);

	/* -- LAPIC SMI IPI (self, physical destination) -------------------------- */
	n0 = stm_nlog;
	{
		volatile u32 *apic = (volatile u32 *)0xfee00000UL;
		u32 id = apic[0x20 / 4] >> 24;

		apic[0x310 / 4] = id << 24;
		apic[0x300 / 4] = 0x4200;	/* delivery mode SMI, assert */
		asm volatile("nop; nop" ::: "memory");
	}
	CHECK(stm_nlog == n0 + 1 && stm_log[n0].reason == ((1u << 29) | 6),
	      "lapic_smi_ipi_smm_vm_exit", "Vol. 3A 10.6.1, Vol. 3C 32.15.2",
	      "no SMM VM exit for the SMI IPI", stm_nlog - n0);

	/*
	 * -- SMI in VMX non-root: reason 5 (an OUT 0xB2), no bit 29, executive = guest VMCS;
	 *    the return enters VMX non-root with the executive VMCS
	 */
	vmcs_e = guest_vmcs(guest_smi);
	n0 = stm_nlog;
	r = vm_run(1);
	/* guest_smi: movb $0x5a, %al (2 bytes); outb %al, $0xb2 (2): an I/O SMI */
	CHECK(stm_nlog == n0 + 1 && stm_log[n0].reason == 5 && stm_log[n0].executive == vmcs_e &&
	      stm_log[n0].io_rip == (u64)guest_smi + 2 && stm_log[n0].rip == (u64)guest_smi + 4,
	      "smi_in_non_root_smm_vm_exit", "Vol. 3C 32.15.2.2, 32.15.2.3",
	      "reason/executive-VMCS pointer/I/O RIP", stm_nlog > n0 ? stm_log[n0].reason : 0xdead);
	/*
	 * (the guest's VMCALL also exits under the default treatment: only
	 * after the SMM VM exit above does this check the return)
	 */
	CHECK(stm_nlog == n0 + 1 && r == 0 && vmptrst() == vmcs_e &&
	      (vmread(EXIT_REASON) & 0xffff) == 18,
	      "return_to_non_root_uses_executive_vmcs", "Vol. 3C 32.15.4.2, 32.15.4.7",
	      "the guest's VMCALL did not exit to the executive", r ? r : vmread(EXIT_REASON));

	/* -- the SMM guest: entry to SMM, exits 31/30/17 stay in SMM ------------- */
	vmptrld(vmcs_c);
	n0 = stm_nlog;
	eax = SVC_SMM_GUEST;
	fl = vmcall(&eax);
	CHECK(stm_nlog == n0 + 4 && (stm_log[n0 + 1].reason & 0xffff) == 31 &&
	      (stm_log[n0 + 2].reason & 0xffff) == 30 && (stm_log[n0 + 3].reason & 0xffff) == 17 &&
	      eax == STM_PONG,
	      "smm_guest_exits_msr_io_rsm", "Vol. 3C 32.15.3, 26.2.1.3",
	      "exit sequence", stm_nlog - n0 >= 4 ? stm_log[n0 + 3].reason : (u64)(stm_nlog - n0));
	CHECK(stm_nlog == n0 + 4 && (stm_log[n0 + 3].intr & 4) &&
	      (stm_log[n0 + 2].qual >> 16) == 0x80,
	      "smm_guest_exit_saves_smi_blocking", "Vol. 3C 27.3.4, 32.15.3",
	      "blocking by SMI not saved (or wrong I/O qualification)",
	      stm_nlog >= n0 + 4 ? stm_log[n0 + 3].intr : 0);
	CHECK(dm_active && vmptrst() == vmcs_c,
	      "return_after_smm_guest", "Vol. 3C 32.15.4.7",
	      "current VMCS after the return", vmptrst());

	/* -- VMXOFF while active: VMfail(23) ------------------------------------- */
	fl = vmxoff();
	CHECK((fl & RFLAGS_ZF) && vm_error() == 23,
	      "vmxoff_dual_monitor_vmfail_23", "Vol. 3C 32.15.7, Vol. 2 VMXOFF",
	      "not VMfailValid(23)", (fl & RFLAGS_ZF) ? vm_error() : fl);

	/* -- deactivation -------------------------------------------------------- */
	n0 = stm_nlog;
	eax = SVC_DEACTIVATE;
	fl = vmcall(&eax);
	CHECK(stm_nlog == n0 + 1 && eax == STM_PONG && vmptrst() == vmcs_c,
	      "deactivate_returns_to_root", "Vol. 3C 32.15.7",
	      "the deactivating VMCALL", stm_nlog - n0);
	n0 = stm_nlog;
	smis = mbox[4];
	raise_smi();
	CHECK(stm_nlog == n0 && mbox[4] == smis + 1,
	      "smi_after_deactivation_default_treatment", "Vol. 3C 32.15.7, 32.15.4.9",
	      "SMI not handled by the default treatment", stm_nlog - n0);
	eax = 0;
	fl = vmcall(&eax);
	CHECK((fl & RFLAGS_ZF) && vm_error() == 19 && stm_nlog == n0,
	      "vmcall_after_deactivation_tries_activation", "Vol. 3C 32.15.6.1",
	      "not VMfailValid(19) on the launched VMCS", (fl & RFLAGS_ZF) ? vm_error() : fl);
	fl = vmxoff();
	CHECK(!(fl & (RFLAGS_CF | RFLAGS_ZF)),
	      "vmxoff_after_deactivation", "Vol. 3C 32.15.7",
	      "VMXOFF failed", fl);

	if (testno != NTESTS) {
		puts_serial("# BUG: ");
		put_dec(testno);
		puts_serial(" results for a plan of ");
		put_dec(NTESTS);
		puts_serial("\n");
	}
	puts_serial("# done\n");
	(void)vmcs_a;
	(void)vmcs_b;
	shutdown();
}
