// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Resource-list validation (sec. 5.3, 5.4). */
#include <stdlib.h>
#include "tests.h"

#define MAXA ((1ull << T_BITS) - 1)
#define MALF STM_ERROR_MALFORMED_RESOURCE_LIST
#define OK STM_SUCCESS

static struct stm_rsc_mem_desc *M(uint8_t *b) { return (struct stm_rsc_mem_desc *)b; }
static struct stm_rsc_io_desc *IO(uint8_t *b) { return (struct stm_rsc_io_desc *)b; }
static struct stm_rsc_msr_desc *MSR(uint8_t *b) { return (struct stm_rsc_msr_desc *)b; }
static struct stm_rsc_pci_cfg_desc *PCI(uint8_t *b) { return (struct stm_rsc_pci_cfg_desc *)b; }
static struct stm_rsc_trapped_io_desc *TIO(uint8_t *b) { return (struct stm_rsc_trapped_io_desc *)b; }
static struct stm_rsc_desc_header *H(uint8_t *b) { return (struct stm_rsc_desc_header *)b; }

static const uint8_t dev1f[] = { 0x1F, 0 };
static const uint8_t path2[] = { 0x1C, 0, 0, 0 };

enum { K_MEM, K_MMIO, K_IO, K_MSR, K_PCI, K_PCI2, K_TIO, K_ALL, K_RV, K_T9 };

struct vcase {
	const char *name;
	int kind;
	void (*mut)(uint8_t *b);
	uint32_t mle_want;
	uint32_t bios_want;
};

static void m_none(uint8_t *b) { (void)b; }
static void m_ignore(uint8_t *b) { H(b)->flags |= STM_RSC_IGNORE_RESOURCE; }
static void m_len31(uint8_t *b) { H(b)->length = 31; }
static void m_len16(uint8_t *b) { H(b)->length = 16; }
static void m_len33(uint8_t *b) { H(b)->length = 33; }
static void m_len15(uint8_t *b) { H(b)->length = 15; }
static void m_rwx8(uint8_t *b) { M(b)->rwx_attributes = 8; }
static void m_rwx_res(uint8_t *b) { M(b)->rwx_attributes = 0x80000001u; }
static void m_res2(uint8_t *b) { M(b)->reserved_2 = 1; }
static void m_len0(uint8_t *b) { M(b)->length = 0; }
static void m_base_max(uint8_t *b) { M(b)->base = MAXA + 1; }
static void m_end_max(uint8_t *b) { M(b)->base = MAXA + 1 - 0x1000; }
static void m_end_ok(uint8_t *b) { M(b)->base = MAXA + 1 - 0x2000; }
static void m_base_unal(uint8_t *b) { M(b)->base += 0x800; }
static void m_len_unal(uint8_t *b) { M(b)->length = 0x800; }
static void m_rwx0(uint8_t *b) { M(b)->rwx_attributes = 0; }
static void m_ign_bad(uint8_t *b) { M(b)->rwx_attributes = 0xFF; m_ignore(b); }
static void io_res(uint8_t *b) { IO(b)->reserved = 1; }
static void io_len0(uint8_t *b) { IO(b)->length = 0; }
static void io_wrap(uint8_t *b) { IO(b)->base = 0xFFFF; IO(b)->length = 2; }
static void msr_kmp(uint8_t *b) { MSR(b)->kernel_mode_processing = 1; }
static void msr_kmp_res(uint8_t *b) { MSR(b)->kernel_mode_processing = 2; }
static void msr_rpart(uint8_t *b) { MSR(b)->read_mask = 0xFF; }
static void msr_wpart(uint8_t *b) { MSR(b)->write_mask = 1; }
static void msr_zero(uint8_t *b) { MSR(b)->read_mask = 0; MSR(b)->write_mask = 0; }
static void pci_len(uint8_t *b) { H(b)->length = 28; }
static void pci_rw4(uint8_t *b) { PCI(b)->rw_attributes = 4; }
static void pci_res(uint8_t *b) { PCI(b)->rw_attributes = 0x8001; }
static void pci_len0(uint8_t *b) { PCI(b)->length = 0; }
static void pci_base1000(uint8_t *b) { PCI(b)->base = 0x1000; }
static void pci_type(uint8_t *b) { PCI(b)->pci_device_path[0].type = 2; }
static void pci_subtype(uint8_t *b) { PCI(b)->pci_device_path[0].subtype = 3; }
static void pci_nodelen(uint8_t *b) { PCI(b)->pci_device_path[0].length = 7; }
static void pci_dev(uint8_t *b) { PCI(b)->pci_device_path[0].pci_device = 0x20; }
static void pci_fn(uint8_t *b) { PCI(b)->pci_device_path[0].pci_function = 8; }
static void pci_bytes(uint8_t *b) { PCI(b)->base = 0x40; PCI(b)->length = 4; }
static void pci_half(uint8_t *b) { PCI(b)->length = 0x800; }
static void pci_last_fn(uint8_t *b) { PCI(b)->pci_device_path[1].pci_function = 9; }
static void tio_res(uint8_t *b) { TIO(b)->flags = 8; }
static void tio_res2(uint8_t *b) { TIO(b)->reserved2 = 1; }
static void tio_len0(uint8_t *b) { TIO(b)->length = 0; }

static const struct vcase vcases[] = {
	{ "MEM ok", K_MEM, m_none, OK, OK },
	{ "MEM RWX 0", K_MEM, m_rwx0, OK, OK },
	{ "MEM Length 31", K_MEM, m_len31, MALF, MALF },
	{ "MEM Length 33", K_MEM, m_len33, MALF, MALF },
	{ "MEM RWX bit 3", K_MEM, m_rwx8, MALF, MALF },
	{ "MEM reserved bits 31:3", K_MEM, m_rwx_res, MALF, MALF },
	{ "MEM Reserved_2", K_MEM, m_res2, MALF, MALF },
	{ "MEM length 0", K_MEM, m_len0, MALF, MALF },
	{ "MEM base > max", K_MEM, m_base_max, MALF, MALF },
	{ "MEM end > max", K_MEM, m_end_max, MALF, MALF },
	{ "MEM end just below max", K_MEM, m_end_ok, OK, OK },
	{ "MEM base not 4K", K_MEM, m_base_unal, MALF, OK },
	{ "MEM length not 4K", K_MEM, m_len_unal, MALF, OK },
	{ "MEM ignored garbage", K_MEM, m_ign_bad, OK, OK },
	{ "MMIO ok", K_MMIO, m_none, OK, OK },
	{ "MMIO Length 31", K_MMIO, m_len31, MALF, MALF },
	{ "MMIO RWX bit 3", K_MMIO, m_rwx8, MALF, MALF },
	{ "MMIO Reserved_2", K_MMIO, m_res2, MALF, MALF },
	{ "MMIO length 0", K_MMIO, m_len0, MALF, MALF },
	{ "MMIO end > max", K_MMIO, m_end_max, MALF, MALF },
	{ "MMIO base not 4K", K_MMIO, m_base_unal, MALF, OK },
	{ "MMIO length not 4K", K_MMIO, m_len_unal, MALF, OK },
	{ "IO ok", K_IO, m_none, OK, OK },
	{ "IO Length 15", K_IO, m_len15, MALF, MALF },
	{ "IO reserved", K_IO, io_res, MALF, MALF },
	{ "IO length 0", K_IO, io_len0, MALF, MALF },
	{ "IO beyond 0xFFFF (not checked)", K_IO, io_wrap, OK, OK },
	{ "MSR ok", K_MSR, m_none, OK, OK },
	{ "MSR masks 0", K_MSR, msr_zero, OK, OK },
	{ "MSR Length 31", K_MSR, m_len31, MALF, MALF },
	{ "MSR KernelModeProcessing", K_MSR, msr_kmp, OK, OK },
	{ "MSR reserved bits 31:1", K_MSR, msr_kmp_res, MALF, MALF },
	{ "MSR partial read mask", K_MSR, msr_rpart, MALF, OK },
	{ "MSR partial write mask", K_MSR, msr_wpart, MALF, OK },
	{ "PCI ok", K_PCI, m_none, OK, OK },
	{ "PCI 2-node path ok", K_PCI2, m_none, OK, OK },
	{ "PCI Length != 22+6n", K_PCI, pci_len, MALF, MALF },
	{ "PCI RW bit 2", K_PCI, pci_rw4, MALF, MALF },
	{ "PCI reserved 15:2", K_PCI, pci_res, MALF, MALF },
	{ "PCI length 0", K_PCI, pci_len0, MALF, MALF },
	{ "PCI base >= 0x1000", K_PCI, pci_base1000, MALF, MALF },
	{ "PCI path Type", K_PCI, pci_type, MALF, MALF },
	{ "PCI path Subtype", K_PCI, pci_subtype, MALF, MALF },
	{ "PCI path node Length", K_PCI, pci_nodelen, MALF, MALF },
	{ "PCI device > 0x1F", K_PCI, pci_dev, MALF, MALF },
	{ "PCI function > 7", K_PCI, pci_fn, MALF, MALF },
	{ "PCI last node function", K_PCI2, pci_last_fn, MALF, MALF },
	{ "PCI byte-granular", K_PCI, pci_bytes, MALF, OK },
	{ "PCI half function", K_PCI, pci_half, MALF, OK },
	{ "TRAPPED_IO ok", K_TIO, m_none, MALF, OK },
	{ "TRAPPED_IO reserved flags", K_TIO, tio_res, MALF, MALF },
	{ "TRAPPED_IO Reserved2", K_TIO, tio_res2, MALF, MALF },
	{ "TRAPPED_IO length 0", K_TIO, tio_len0, MALF, MALF },
	{ "TRAPPED_IO ignored", K_TIO, m_ignore, OK, OK },
	{ "ALL_RESOURCES ok", K_ALL, m_none, OK, OK },
	{ "ALL_RESOURCES Length 16", K_ALL, m_len16, MALF, MALF },
	{ "REGISTER_VIOLATION", K_RV, m_none, MALF, MALF },
	{ "REGISTER_VIOLATION ignored", K_RV, m_ignore, OK, OK },
	{ "type 9", K_T9, m_none, MALF, MALF },
	/* the MLE END search rejects a type > 8 even when ignored */
	{ "type 9 ignored", K_T9, m_ignore, MALF, OK },
};

static uint32_t vbuild(int kind, uint8_t *b)
{
	memset(b, 0, 64);
	switch (kind) {
	case K_MEM: return mk_mem(b, STM_MEM_RANGE, 0x200000, 0x1000, 7);
	case K_MMIO: return mk_mem(b, STM_MMIO_RANGE, 0xFE000000, 0x1000, 3);
	case K_IO: return mk_io(b, 0x70, 2);
	case K_MSR: return mk_msr(b, 0x1A0, ~0ull, ~0ull, 0);
	case K_PCI: return mk_pci(b, 0, 3, 0, 0x1000, 1, dev1f);
	case K_PCI2: return mk_pci(b, 0, 3, 0, 0x1000, 2, path2);
	case K_TIO: return mk_tio(b, 0xB2, 2, 3);
	case K_ALL: return mk_all(b);
	case K_RV: {
		struct stm_register_violation_desc *d = (struct stm_register_violation_desc *)b;

		d->hdr.rsc_type = STM_REGISTER_VIOLATION;
		d->hdr.length = sizeof(*d);
		d->register_type = STM_REGISTER_CR0;
		d->read_mask = 1;
		return sizeof(*d);
	}
	default:
		H(b)->rsc_type = 9;
		H(b)->length = 16;
		return 16;
	}
}

void test_mle_validation_rules(void)
{
	size_t i;

	for (i = 0; i < sizeof(vcases) / sizeof(vcases[0]); i++) {
		struct tenv e;
		uint8_t b[64];
		uint32_t len, st;
		uint64_t d;

		tenv_init(&e, 1);
		tenv_launch(&e);
		len = vbuild(vcases[i].kind, b);
		vcases[i].mut(b);
		d = stm_core_digest(e.c);
		st = tprotect(&e, b, len);
		if (st != vcases[i].mle_want) {
			printf("#   MLE '%s': got %s want %s\n", vcases[i].name,
			       stm_status_name(st), stm_status_name(vcases[i].mle_want));
			t_failed++;
		}
		if (st != STM_SUCCESS)
			CHECK_EQ(stm_core_digest(e.c), d);
		CHECK_EQ(stm_core_check_invariants(e.c), 0);
		tenv_free(&e);
	}
}

void test_bios_validation_rules(void)
{
	size_t i;

	for (i = 0; i < sizeof(vcases) / sizeof(vcases[0]); i++) {
		struct tenv e;
		uint8_t b[64];
		uint32_t len, st;

		tenv_init(&e, 1);
		len = vbuild(vcases[i].kind, b);
		vcases[i].mut(b);
		/* a mutated header Length decides where the next node is */
		if (H(b)->length > len && H(b)->length <= 64)
			len = H(b)->length;
		tenv_set_bios(&e, b, len);
		st = tcall(&e, 0, STM_API_INITIALIZE_PROTECTION, 0, 0).eax;
		if (st != vcases[i].bios_want) {
			printf("#   BIOS '%s': got %s want %s\n", vcases[i].name,
			       stm_status_name(st), stm_status_name(vcases[i].bios_want));
			t_failed++;
		}
		tenv_free(&e);
	}
}

static uint32_t n_mem(uint8_t *buf, uint32_t n, uint64_t base)
{
	uint32_t i, l = 0;

	for (i = 0; i < n; i++)
		l += mk_mem(buf + l, STM_MEM_RANGE, base + i * 0x1000ull, 0x1000, 7);
	return l;
}

void test_mle_list_addressing(void)
{
	struct tenv e;
	uint8_t *b = calloc(1, 8192);
	uint32_t l;
	struct stm_rsc_end *end;

	tenv_init(&e, 1);
	tenv_launch(&e);

	/* 127 MEM: END at 4064 is found */
	l = n_mem(b, 127, 0x200000);
	CHECK_ST(tprotect(&e, b, l), STM_SUCCESS);
	CHECK_EQ(stm_core_prot_nodes(e.c), 127);
	/* END at 4080 is not (the search stops below 4096 - 16) */
	l = n_mem(b, 127, 0x400000);
	l += mk_io(b + l, 0x80, 1);
	CHECK_ST(tprotect(&e, b, l), MALF);
	/* a descriptor running past the page end */
	l = n_mem(b, 128, 0x400000);
	CHECK_ST(tprotect(&e, b, l), MALF);
	CHECK_EQ(stm_core_prot_nodes(e.c), 127);
	CHECK_EQ(stm_core_compat_violations(e.c), 0);

	/* Length 0: the reference loops forever; here MALFORMED + compat */
	l = mk_mem(b, STM_MEM_RANGE, 0x600000, 0x1000, 7);
	H(b)->length = 0;
	CHECK_ST(tprotect(&e, b, l), MALF);
	CHECK_EQ(stm_core_compat_count(e.c, STM_COMPAT_ZERO_LENGTH_DESC), 1);

	/* all-zero page: an empty list (END of Length 0) -- accepted, compat */
	memset(e.mem + T_LIST_PA, 0, 4096);
	CHECK_ST(tcall(&e, 0, STM_API_PROTECT_RESOURCE, T_LIST_PA, 0).eax, STM_SUCCESS);
	CHECK_EQ(stm_core_compat_count(e.c, STM_COMPAT_END_LENGTH), 1);
	/* END Length 8 */
	l = mk_mem(b, STM_MEM_RANGE, 0x600000, 0x1000, 7);
	twrite_list(&e, T_LIST_PA, b, l, 0);
	end = (struct stm_rsc_end *)(e.mem + T_LIST_PA + l);
	end->hdr.length = 8;
	CHECK_ST(tcall(&e, 0, STM_API_PROTECT_RESOURCE, T_LIST_PA, 0).eax, STM_SUCCESS);
	CHECK_EQ(stm_core_compat_count(e.c, STM_COMPAT_END_LENGTH), 2);

	/* bad list addresses */
	CHECK_ST(tcall(&e, 0, STM_API_PROTECT_RESOURCE, 0, 0).eax, MALF);
	CHECK_ST(tcall(&e, 0, STM_API_PROTECT_RESOURCE, T_TSEG_BASE, 0).eax, MALF);
	CHECK_ST(tcall(&e, 0, STM_API_PROTECT_RESOURCE, T_MSEG_BASE - 0x800, 0).eax, MALF);
	CHECK_ST(tcall(&e, 0, STM_API_PROTECT_RESOURCE, 0x7000000000ull, 0).eax, MALF);
	CHECK_ST(tcall(&e, 0, STM_API_PROTECT_RESOURCE, 1ull << T_BITS, 0).eax, MALF);
	CHECK_ST(tcall(&e, 0, STM_API_UNPROTECT_RESOURCE, T_TSEG_BASE, 0).eax, MALF);

	/* unaligned list: works (as given), counted; crossing descriptor counted */
	l = n_mem(b, 2, 0x700000);
	twrite_list(&e, T_LIST_PA + 0x800, b, l, 0);
	CHECK_ST(tcall(&e, 0, STM_API_PROTECT_RESOURCE, T_LIST_PA + 0x800, 0).eax, STM_SUCCESS);
	/* 2: the MSEG - 0x800 attempt above was unaligned too */
	CHECK_EQ(stm_core_compat_count(e.c, STM_COMPAT_BUFFER_UNALIGNED), 2);
	CHECK_EQ(stm_core_compat_count(e.c, STM_COMPAT_DESC_CROSSES_PAGE), 0);
	twrite_list(&e, T_LIST_PA + 0xFF0, b, l, 0);
	l = n_mem(b, 2, 0x800000);
	twrite_list(&e, T_LIST_PA + 0xFF0, b, l, 0);
	CHECK_ST(tcall(&e, 0, STM_API_PROTECT_RESOURCE, T_LIST_PA + 0xFF0, 0).eax, STM_SUCCESS);
	CHECK_EQ(stm_core_compat_count(e.c, STM_COMPAT_DESC_CROSSES_PAGE), 1);

	/* ReturnStatus on input */
	l = mk_mem(b, STM_MEM_RANGE, 0x900000, 0x1000, 7);
	H(b)->flags = STM_RSC_RETURN_STATUS;
	CHECK_ST(tprotect(&e, b, l), STM_SUCCESS);
	CHECK_EQ(stm_core_compat_count(e.c, STM_COMPAT_RETURN_STATUS_SET), 1);
	CHECK_EQ(stm_core_check_invariants(e.c), 0);
	tenv_free(&e);
	free(b);
}

void test_mle_multi_piece(void)
{
	struct tenv e;
	uint8_t b[256];
	uint32_t l, i;
	uint64_t d;

	tenv_init(&e, 1);
	tenv_launch(&e);
	/* two pieces */
	l = mk_mem(b, STM_MEM_RANGE, 0x200000, 0x1000, 7);
	twrite_list(&e, T_LIST_PA, b, l, T_LIST_PA + 0x3000);
	l = mk_io(b, 0x300, 4);
	twrite_list(&e, T_LIST_PA + 0x3000, b, l, 0);
	CHECK_ST(tcall(&e, 0, STM_API_PROTECT_RESOURCE, T_LIST_PA, 0).eax, STM_SUCCESS);
	CHECK_EQ(stm_core_prot_nodes(e.c), 2);
	CHECK(stm_core_io_denied(e.c, 0x303));

	/* second piece malformed: nothing applied */
	d = stm_core_digest(e.c);
	l = mk_mem(b, STM_MEM_RANGE, 0x400000, 0x1000, 7);
	twrite_list(&e, T_LIST_PA, b, l, T_LIST_PA + 0x3000);
	l = mk_io(b, 0x400, 0);
	twrite_list(&e, T_LIST_PA + 0x3000, b, l, 0);
	CHECK_ST(tcall(&e, 0, STM_API_PROTECT_RESOURCE, T_LIST_PA, 0).eax, MALF);
	CHECK_EQ(stm_core_digest(e.c), d);
	/* continuation into TSEG */
	l = mk_mem(b, STM_MEM_RANGE, 0x400000, 0x1000, 7);
	twrite_list(&e, T_LIST_PA, b, l, T_TSEG_BASE + 0x1000);
	CHECK_ST(tcall(&e, 0, STM_API_PROTECT_RESOURCE, T_LIST_PA, 0).eax, MALF);
	CHECK_EQ(stm_core_digest(e.c), d);
	/* cycle */
	twrite_list(&e, T_LIST_PA, b, l, T_LIST_PA);
	CHECK_ST(tcall(&e, 0, STM_API_PROTECT_RESOURCE, T_LIST_PA, 0).eax,
		 STM_ERROR_OUT_OF_RESOURCES);
	CHECK_EQ(stm_core_compat_count(e.c, STM_COMPAT_LIST_TOO_LONG), 1);
	CHECK_EQ(stm_core_digest(e.c), d);
	/* 128 pieces are fine, 129 are not */
	for (i = 0; i < 129; i++) {
		l = mk_mem(b, STM_MEM_RANGE, 0x1000000000ull + i * 0x1000ull, 0x1000, 1);
		twrite_list(&e, T_LIST_PA + i * 0x1000ull, b, l,
			    i == 127 ? 0 : T_LIST_PA + (i + 1) * 0x1000ull);
	}
	CHECK_ST(tcall(&e, 0, STM_API_PROTECT_RESOURCE, T_LIST_PA, 0).eax, STM_SUCCESS);
	CHECK_EQ(stm_core_prot_nodes(e.c), 2 + 128);
	CHECK_ST(tcall(&e, 0, STM_API_UNPROTECT_RESOURCE, T_LIST_PA, 0).eax, STM_SUCCESS);
	CHECK_EQ(stm_core_prot_nodes(e.c), 2);
	mk_end(e.mem + T_LIST_PA + 127 * 0x1000ull + 32, T_LIST_PA + 128 * 0x1000ull);
	d = stm_core_digest(e.c);
	CHECK_ST(tcall(&e, 0, STM_API_PROTECT_RESOURCE, T_LIST_PA, 0).eax,
		 STM_ERROR_OUT_OF_RESOURCES);
	CHECK_EQ(stm_core_digest(e.c), d);
	CHECK_EQ(stm_core_check_invariants(e.c), 0);
	tenv_free(&e);
}
