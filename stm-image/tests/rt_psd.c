// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* PSD checks: a valid descriptor, then one broken field at a time. */
#include <stdlib.h>
#include "rt_tests.h"

static void psd_good(struct stm_psd *d)
{
	memset(d, 0, sizeof(*d));
	memcpy(d->signature, STM_PSD_SIGNATURE, 8);
	d->size = STM_PSD_SIZE;
	d->smm_descriptor_ver_major = 1;
	d->smm_entry_state = STM_PSD_ENTRY_INTEL64_MODE | STM_PSD_ENTRY_CR4_PAE |
			     STM_PSD_ENTRY_CR4_PSE | STM_PSD_ENTRY_XD_OUTSIDE_SMRR;
	d->smm_cs = 0x38;
	d->smm_ds = 0x40;
	d->smm_ss = 0x40;
	d->smm_other_segment = 0x40;
	d->smm_tr = 0x68;
	d->smm_cr3 = 0x7F000000;
	d->smm_smi_handler_rip = 0x7F008000;
	d->smm_smi_handler_rsp = 0x7F100000;
	d->smm_gdt_ptr = 0x7F001000;
	d->smm_gdt_size = 0x78;
	d->required_stm_smm_rev_id = STM_SMM_REV_ID;
	d->stm_protection_exception_handler.spe_rip = 0x7F009000;
	d->stm_protection_exception_handler.spe_rsp = 0x7F101000;
	d->stm_protection_exception_handler.spe_ss = 0x40;
	d->stm_protection_exception_handler.filter = 0x1F;
	d->bios_hw_resource_requirements_ptr = 0x7F200000;
	d->acpi_rsdp = 0xF0000;
	d->physical_address_bits = 39;
}

struct psd_case {
	const char *what;
	void (*mut)(struct stm_psd *d);
	enum stm_psd_reason reason;
	uint32_t status;
};

#define MUT(name, body) static void name(struct stm_psd *d) { body; }
MUT(m_sig, d->signature[7] = 'X')
MUT(m_size, d->size = 136)
MUT(m_v099, d->size = STM_PSD_SIZE_V099)
MUT(m_ver, d->smm_descriptor_ver_major = 2)
MUT(m_rev, d->required_stm_smm_rev_id = 0x80010000)
MUT(m_entry_rsvd, d->smm_entry_state |= 0x10)
MUT(m_resume_rsvd, d->smm_resume_state = 0x04)
MUT(m_filter_rsvd, d->stm_protection_exception_handler.filter = 0x20)
MUT(m_spe_rsvd2, d->stm_protection_exception_handler.reserved2 = 1)
MUT(m_bits_low, d->physical_address_bits = 31)
MUT(m_bits_cpu, d->physical_address_bits = 46)
MUT(m_mode, d->smm_entry_state = STM_PSD_ENTRY_INTEL64_MODE)
MUT(m_gdt_zero, d->smm_gdt_size = 0)
MUT(m_gdt_big, d->smm_gdt_size = 0x10001)
MUT(m_gdt_unaligned, d->smm_gdt_ptr |= 4)
MUT(m_gdt_phys, d->smm_gdt_ptr = 1ull << 39)
MUT(m_gdt_end, d->smm_gdt_ptr = (1ull << 39) - 8)
MUT(m_cs_null, d->smm_cs = 0)
MUT(m_cs_rpl, d->smm_cs = 0x3B)
MUT(m_ss_ldt, d->smm_ss = 0x44)
MUT(m_ds_limit, d->smm_ds = 0x78)
MUT(m_tr_null, d->smm_tr = 0)
MUT(m_other_null, d->smm_other_segment = 3)
MUT(m_rip_zero, d->smm_smi_handler_rip = 0)
MUT(m_rip_noncanon, d->smm_smi_handler_rip = 0x0000800000000000ull)
MUT(m_rsp_zero, d->smm_smi_handler_rsp = 0)
MUT(m_setup_noncanon, d->smm_stm_setup_rip = 0x1234567800000000ull)
MUT(m_rip_32, d->smm_entry_state = 0; d->smm_smi_handler_rip = 0x100000000ull)
MUT(m_cr3_phys, d->smm_cr3 = 1ull << 39)
MUT(m_cr3_zero, d->smm_cr3 = 0)
MUT(m_bios_unaligned, d->bios_hw_resource_requirements_ptr |= 4)
MUT(m_bios_phys, d->bios_hw_resource_requirements_ptr = 1ull << 40)
MUT(m_rsdp_phys, d->acpi_rsdp = (1ull << 39) - 16)
MUT(m_spe_rsp, d->stm_protection_exception_handler.spe_rsp = 0)
MUT(m_spe_ss, d->stm_protection_exception_handler.spe_ss = 0)
MUT(m_spe_rip, d->stm_protection_exception_handler.spe_rip = 0xFFFF700000000000ull)
/* accepted variants */
MUT(m_none, (void)d)
MUT(m_no_spe, d->stm_protection_exception_handler.spe_rip = 0;
	d->stm_protection_exception_handler.spe_ss = 0)
MUT(m_no_bios, d->bios_hw_resource_requirements_ptr = 0)
MUT(m_no_bits, d->physical_address_bits = 0)
MUT(m_ia32, d->smm_entry_state = 0; d->smm_cr3 = 0)
MUT(m_rsvd456, d->reserved4 = 1; d->reserved5 = 2; d->reserved6 = 3)
MUT(m_high_rip, d->smm_smi_handler_rip = 0xFFFFFFFF80000000ull)

static const struct psd_case cases[] = {
	{ "valid", m_none, STM_PSD_OK, STM_SUCCESS },
	{ "no SPE handler", m_no_spe, STM_PSD_OK, STM_SUCCESS },
	{ "no BIOS list", m_no_bios, STM_PSD_OK, STM_SUCCESS },
	{ "no phys bits", m_no_bits, STM_PSD_OK, STM_SUCCESS },
	{ "IA-32 guest", m_ia32, STM_PSD_OK, STM_SUCCESS },
	{ "reserved bytes", m_rsvd456, STM_PSD_OK, STM_SUCCESS },
	{ "canonical high RIP", m_high_rip, STM_PSD_OK, STM_SUCCESS },
	{ "signature", m_sig, STM_PSD_BAD_SIGNATURE, STM_ERROR_INVALID_PARAMETER },
	{ "size", m_size, STM_PSD_BAD_SIZE, STM_ERROR_INVALID_PARAMETER },
	{ "v0.99 not allowed", m_v099, STM_PSD_BAD_SIZE, STM_ERROR_INVALID_PARAMETER },
	{ "version", m_ver, STM_PSD_BAD_VERSION, STM_ERROR_INVALID_PARAMETER },
	{ "rev id", m_rev, STM_PSD_BAD_REV_ID, STM_ERROR_FUNCTION_NOT_SUPPORTED },
	{ "entry reserved", m_entry_rsvd, STM_PSD_RESERVED_SET, STM_ERROR_RESERVED_BIT_SET },
	{ "resume reserved", m_resume_rsvd, STM_PSD_RESERVED_SET, STM_ERROR_RESERVED_BIT_SET },
	{ "filter reserved", m_filter_rsvd, STM_PSD_RESERVED_SET, STM_ERROR_RESERVED_BIT_SET },
	{ "SPE reserved2", m_spe_rsvd2, STM_PSD_RESERVED_SET, STM_ERROR_RESERVED_BIT_SET },
	{ "phys bits 31", m_bits_low, STM_PSD_BAD_PHYS_BITS, STM_ERROR_INVALID_PARAMETER },
	{ "phys bits > CPU", m_bits_cpu, STM_PSD_BAD_PHYS_BITS, STM_ERROR_INVALID_PARAMETER },
	{ "IA-32e without PAE", m_mode, STM_PSD_BAD_MODE, STM_ERROR_INVALID_PARAMETER },
	{ "GDT size 0", m_gdt_zero, STM_PSD_BAD_GDT, STM_ERROR_INVALID_PARAMETER },
	{ "GDT > 64 KiB", m_gdt_big, STM_PSD_BAD_GDT, STM_ERROR_INVALID_PARAMETER },
	{ "GDT unaligned", m_gdt_unaligned, STM_PSD_BAD_GDT, STM_ERROR_INVALID_PARAMETER },
	{ "GDT beyond phys", m_gdt_phys, STM_PSD_BAD_GDT, STM_ERROR_INVALID_PARAMETER },
	{ "GDT ends beyond phys", m_gdt_end, STM_PSD_BAD_GDT, STM_ERROR_INVALID_PARAMETER },
	{ "CS null", m_cs_null, STM_PSD_BAD_SELECTOR, STM_ERROR_INVALID_PARAMETER },
	{ "CS RPL 3", m_cs_rpl, STM_PSD_BAD_SELECTOR, STM_ERROR_INVALID_PARAMETER },
	{ "SS in LDT", m_ss_ldt, STM_PSD_BAD_SELECTOR, STM_ERROR_INVALID_PARAMETER },
	{ "DS beyond GDT", m_ds_limit, STM_PSD_BAD_SELECTOR, STM_ERROR_INVALID_PARAMETER },
	{ "TR null", m_tr_null, STM_PSD_BAD_SELECTOR, STM_ERROR_INVALID_PARAMETER },
	{ "ES/FS/GS null", m_other_null, STM_PSD_BAD_SELECTOR, STM_ERROR_INVALID_PARAMETER },
	{ "handler RIP 0", m_rip_zero, STM_PSD_BAD_RIP, STM_ERROR_INVALID_PARAMETER },
	{ "handler RIP non-canonical", m_rip_noncanon, STM_PSD_BAD_RIP, STM_ERROR_INVALID_PARAMETER },
	{ "handler RSP 0", m_rsp_zero, STM_PSD_BAD_RIP, STM_ERROR_INVALID_PARAMETER },
	{ "setup RIP non-canonical", m_setup_noncanon, STM_PSD_BAD_RIP, STM_ERROR_INVALID_PARAMETER },
	{ "IA-32 RIP >= 4 GiB", m_rip_32, STM_PSD_BAD_RIP, STM_ERROR_INVALID_PARAMETER },
	{ "CR3 beyond phys", m_cr3_phys, STM_PSD_BAD_CR3, STM_ERROR_BAD_CR3 },
	{ "CR3 0 in IA-32e", m_cr3_zero, STM_PSD_BAD_CR3, STM_ERROR_BAD_CR3 },
	{ "BIOS list unaligned", m_bios_unaligned, STM_PSD_BAD_BIOS_LIST, STM_ERROR_MALFORMED_RESOURCE_LIST },
	{ "BIOS list beyond phys", m_bios_phys, STM_PSD_BAD_BIOS_LIST, STM_ERROR_MALFORMED_RESOURCE_LIST },
	{ "RSDP at phys end", m_rsdp_phys, STM_PSD_BAD_RSDP, STM_ERROR_INVALID_PARAMETER },
	{ "SPE RSP 0", m_spe_rsp, STM_PSD_BAD_SPE, STM_ERROR_INVALID_PARAMETER },
	{ "SPE SS null", m_spe_ss, STM_PSD_BAD_SPE, STM_ERROR_INVALID_PARAMETER },
	{ "SPE RIP non-canonical", m_spe_rip, STM_PSD_BAD_SPE, STM_ERROR_INVALID_PARAMETER },
};

void test_rt_psd_fields(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct stm_psd d;
		struct stm_psd_info info;
		enum stm_psd_reason r = STM_PSD_REASON_NR;
		uint32_t st;

		psd_good(&d);
		cases[i].mut(&d);
		memset(&info, 0xA5, sizeof(info));
		st = stm_rt_psd_check(&d, sizeof(d), 39, 0, &info, &r);
		if (st != cases[i].status || r != cases[i].reason)
			printf("#   case '%s': got %s / %s\n", cases[i].what,
			       stm_status_name(st), stm_psd_reason_name(r));
		CHECK_ST(st, cases[i].status);
		CHECK_EQ(r, cases[i].reason);
		CHECK(strcmp(stm_psd_reason_name(r), "unknown") != 0);
		if (r == STM_PSD_OK) {
			CHECK_EQ(info.handler_rip, d.smm_smi_handler_rip);
			CHECK_EQ(info.gdt_limit, d.smm_gdt_size - 1);
			CHECK_EQ(info.tr, d.smm_tr);
			CHECK_EQ(info.bios_list_pa, d.bios_hw_resource_requirements_ptr);
		} else {
			/* a refused PSD leaves *info untouched */
			CHECK_EQ(info.handler_rip, 0xA5A5A5A5A5A5A5A5ull);
		}
	}
}

void test_rt_psd_v099_and_read(void)
{
	struct tenv e;
	struct stm_psd d;
	struct stm_psd_info info;
	enum stm_psd_reason r;
	const uint64_t smbase = 0x1000000;	/* PSD at SMBASE + 0xFB00, inside TSEG */

	/* v0.99: 128 bytes; the extend area is ignored even if garbage */
	psd_good(&d);
	d.size = STM_PSD_SIZE_V099;
	d.smm_descriptor_ver_major = 0;
	d.acpi_rsdp = ~0ull;
	d.physical_address_bits = 0xFF;
	CHECK_ST(stm_rt_psd_check(&d, STM_PSD_SIZE_V099, 39, STM_PSD_ALLOW_V099, &info, &r),
		 STM_SUCCESS);
	CHECK(info.v099);
	CHECK_EQ(info.acpi_rsdp, 0);
	CHECK_EQ(info.phys_addr_bits, 0);
	/* short buffers */
	psd_good(&d);
	CHECK_ST(stm_rt_psd_check(&d, 100, 39, 0, &info, &r), STM_ERROR_PAGE_NOT_FOUND);
	CHECK_EQ(r, STM_PSD_UNREADABLE);
	CHECK_ST(stm_rt_psd_check(&d, 130, 39, 0, &info, &r), STM_ERROR_PAGE_NOT_FOUND);
	CHECK_ST(stm_rt_psd_check(NULL, 137, 39, 0, &info, &r), STM_ERROR_PAGE_NOT_FOUND);
	CHECK_ST(stm_rt_psd_check(&d, 137, 60, 0, &info, &r), STM_ERROR_INVALID_PARAMETER);
	CHECK_EQ(r, STM_PSD_BAD_PHYS_BITS);
	CHECK_EQ(stm_psd_reason_name(STM_PSD_REASON_NR)[0], 'u');

	/* through the memory accessor */
	tenv_init(&e, 1);
	memcpy(e.mem + smbase + STM_PSD_OFFSET, &d, sizeof(d));
	CHECK_ST(stm_rt_psd_read(&t_mem_ops, &e, smbase, 39, 0, &info, &r), STM_SUCCESS);
	CHECK_EQ(info.cs, 0x38);
	CHECK_ST(stm_rt_psd_read(&t_mem_ops, &e, T_MEM_SIZE - 0xFB00 + 0x10, 39, 0, &info, &r),
		 STM_ERROR_PAGE_NOT_FOUND);
	CHECK_ST(stm_rt_psd_read(&t_mem_ops, &e, ~0ull - 0x100, 39, 0, &info, &r),
		 STM_ERROR_PAGE_NOT_FOUND);
	tenv_free(&e);
}

/* an EDK2-like SMM GDT: 0x38 64-bit code, 0x40 flat data, 0x68 64-bit TSS */
static void gdt_good(uint8_t *g)
{
	uint64_t code = 0x00AF9B000000FFFFull, data = 0x00CF93000000FFFFull;
	/* TSS: base 0xFFFFFFFF7F002000 (upper dword in the next 8 bytes), limit 0x67, type 9 */
	uint64_t tss = 0x7F00890020000067ull, tss_hi = 0xFFFFFFFFull;

	memset(g, 0, 0x78);
	memcpy(g + 0x38, &code, 8);
	memcpy(g + 0x40, &data, 8);
	memcpy(g + 0x68, &tss, 8);
	memcpy(g + 0x70, &tss_hi, 8);
}

void test_rt_psd_segments(void)
{
	struct stm_psd d;
	struct stm_psd_info info;
	struct stm_seg seg[STM_SEG_NR];
	enum stm_psd_reason r;
	uint8_t g[0x78];
	uint64_t v;
	struct tenv e;

	psd_good(&d);
	CHECK_ST(stm_rt_psd_check(&d, sizeof(d), 39, 0, &info, &r), STM_SUCCESS);
	gdt_good(g);
	memset(seg, 0xEE, sizeof(seg));
	CHECK_ST(stm_rt_gdt_segments(g, sizeof(g), &info, seg, &r), STM_SUCCESS);
	CHECK_EQ(r, STM_PSD_OK);
	CHECK_EQ(seg[STM_SEG_CS].sel, 0x38);
	CHECK_EQ(seg[STM_SEG_CS].ar, 0xA09B);
	CHECK_EQ(seg[STM_SEG_CS].limit, 0xFFFFFFFF);
	CHECK_EQ(seg[STM_SEG_CS].base, 0);
	CHECK_EQ(seg[STM_SEG_SS].ar, 0xC093);
	CHECK_EQ(seg[STM_SEG_DS].ar, 0xC093);
	CHECK_EQ(seg[STM_SEG_GS].sel, 0x40);
	CHECK_EQ(seg[STM_SEG_TR].ar, 0x8B);		/* busy */
	CHECK_EQ(seg[STM_SEG_TR].limit, 0x67);
	CHECK_EQ(seg[STM_SEG_TR].base, 0xFFFFFFFF7F002000ull);
	CHECK_EQ(seg[STM_SEG_LDTR].ar, STM_AR_UNUSABLE);

	/* one broken descriptor at a time */
#define BAD(off, val) do { \
		gdt_good(g); \
		v = (val); \
		memcpy(g + (off), &v, 8); \
		CHECK_ST(stm_rt_gdt_segments(g, sizeof(g), &info, seg, &r), \
			 STM_ERROR_INVALID_PARAMETER); \
		CHECK_EQ(r, STM_PSD_BAD_SEGMENT); \
	} while (0)
	BAD(0x38, 0x00AF1B000000FFFFull);	/* CS not present */
	BAD(0x38, 0x00CF93000000FFFFull);	/* CS is data */
	BAD(0x38, 0x00CF9B000000FFFFull);	/* CS 32-bit for an IA-32e guest */
	BAD(0x38, 0x00EF9B000000FFFFull);	/* CS L and D both set */
	BAD(0x38, 0x00AFBB000000FFFFull);	/* CS DPL 1, non-conforming */
	BAD(0x40, 0x00CF91000000FFFFull);	/* SS/DS read-only data */
	BAD(0x40, 0x00CF98000000FFFFull);	/* execute-only code as SS/DS */
	BAD(0x40, 0x00CF13000000FFFFull);	/* not present */
	BAD(0x68, 0x7F00830020000067ull);	/* TR: 16-bit busy TSS in IA-32e */
	BAD(0x68, 0x7F00930020000067ull);	/* TR: a code/data descriptor */
#undef BAD
	/* a 16-byte TSS that does not fit in the GDT */
	gdt_good(g);
	info.gdt_limit = 0x6F;
	CHECK_ST(stm_rt_gdt_segments(g, sizeof(g), &info, seg, &r), STM_ERROR_INVALID_PARAMETER);
	CHECK_EQ(r, STM_PSD_BAD_SEGMENT);
	info.gdt_limit = 0x77;
	/* DS with RPL 3 and DPL 0 */
	info.ds = 0x43;
	CHECK_ST(stm_rt_gdt_segments(g, sizeof(g), &info, seg, &r), STM_ERROR_INVALID_PARAMETER);
	info.ds = 0x40;
	/* a short GDT buffer */
	CHECK_ST(stm_rt_gdt_segments(g, 0x40, &info, seg, &r), STM_ERROR_INVALID_PARAMETER);
	CHECK_EQ(r, STM_PSD_BAD_GDT);
	/* IA-32 guest: 32-bit code accepted, 64-bit refused, 32-bit TSS accepted */
	info.intel64 = 0;
	v = 0x00CF9B000000FFFFull;
	memcpy(g + 0x38, &v, 8);
	CHECK_ST(stm_rt_gdt_segments(g, sizeof(g), &info, seg, &r), STM_SUCCESS);
	CHECK_EQ(seg[STM_SEG_TR].base, 0x7F002000ull);
	gdt_good(g);
	CHECK_ST(stm_rt_gdt_segments(g, sizeof(g), &info, seg, &r), STM_ERROR_INVALID_PARAMETER);
	info.intel64 = 1;

	/* through the accessor: the GDT at SmmGdtPtr */
	tenv_init(&e, 1);
	info.gdt_base = 0x200000;
	gdt_good(g);
	memcpy(e.mem + info.gdt_base, g, sizeof(g));
	CHECK_ST(stm_rt_psd_segments(&t_mem_ops, &e, &info, seg, &r), STM_SUCCESS);
	CHECK_EQ(seg[STM_SEG_CS].ar, 0xA09B);
	info.gdt_base = T_MEM_SIZE - 0x10;
	CHECK_ST(stm_rt_psd_segments(&t_mem_ops, &e, &info, seg, &r), STM_ERROR_PAGE_NOT_FOUND);
	CHECK_EQ(r, STM_PSD_UNREADABLE);
	tenv_free(&e);
}
