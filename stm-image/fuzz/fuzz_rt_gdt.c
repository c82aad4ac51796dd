// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * SMM-guest segments from arbitrary SMM GDT bytes.  Byte 0 bit 0 selects
 * an IA-32e guest; bytes 1-10 are the PSD's CS, SS, DS, ES/FS/GS and TR
 * selectors; the rest is the GDT (exactly that long: ASan sees any read
 * past it).  Invariants: no crash; on success every segment is one a VM
 * entry accepts (SDM Vol. 3C 26.3.1.2: present, accessed, CS code with
 * L/D matching the mode, SS writable data, TR a busy TSS, G consistent
 * with the limit) and LDTR is unusable.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "rt_priv.h"

#define F_CHECK(cond) do { if (!(cond)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint16_t ld16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static int g_ok(const struct stm_seg *s)
{
	if (s->ar & STM_AR_G)
		return (s->limit & 0xFFFu) == 0xFFFu;
	return s->limit <= 0xFFFFFu;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stm_psd_info info;
	struct stm_seg seg[STM_SEG_NR];
	enum stm_psd_reason r;
	uint8_t *gdt;
	size_t len;
	uint32_t st, i;

	if (size < 11 + 16)
		return 0;
	len = size - 11 > 0x10000 ? 0x10000 : size - 11;
	memset(&info, 0, sizeof(info));
	info.intel64 = data[0] & 1;
	info.cs = ld16(data + 1);
	info.ss = ld16(data + 3);
	info.ds = ld16(data + 5);
	info.other = ld16(data + 7);
	info.tr = ld16(data + 9);
	info.gdt_limit = (uint32_t)len - 1;
	gdt = (uint8_t *)malloc(len);
	memcpy(gdt, data + 11, len);
	st = stm_rt_gdt_segments(gdt, (uint32_t)len, &info, seg, &r);
	F_CHECK((st == STM_SUCCESS) == (r == STM_PSD_OK));
	F_CHECK(st == STM_SUCCESS || r == STM_PSD_BAD_SEGMENT);
	if (st == STM_SUCCESS) {
		for (i = 0; i < STM_SEG_NR; i++) {
			if (i == STM_SEG_LDTR) {
				F_CHECK(seg[i].ar == STM_AR_UNUSABLE);
				continue;
			}
			F_CHECK((seg[i].ar & STM_AR_P) && !(seg[i].ar & STM_AR_UNUSABLE));
			F_CHECK(g_ok(&seg[i]));
			F_CHECK(i == STM_SEG_TR || (seg[i].ar & (STM_AR_S | STM_AR_ACCESSED)) ==
						   (STM_AR_S | STM_AR_ACCESSED));
		}
		F_CHECK(seg[STM_SEG_CS].ar & 8u);
		F_CHECK(!info.intel64 || ((seg[STM_SEG_CS].ar & STM_AR_L) &&
					  !(seg[STM_SEG_CS].ar & STM_AR_DB)));
		F_CHECK((seg[STM_SEG_SS].ar & 0xAu) == 2u);
		F_CHECK(!(seg[STM_SEG_TR].ar & STM_AR_S) &&
			((seg[STM_SEG_TR].ar & 0xFu) == 11u || (seg[STM_SEG_TR].ar & 0xFu) == 3u));
		F_CHECK(seg[STM_SEG_CS].sel == info.cs && seg[STM_SEG_TR].sel == info.tr);
	}
	free(gdt);
	return 0;
}
