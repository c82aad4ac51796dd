// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: validation of a PROTECT/UNPROTECT request before any VMCALL:
 * the format of each entry, EPT validity, overlap with the BIOS list, and
 * duplicates within the request and against the held set. See ranges.c.
 */
#include "stmexec.h"
#include "backend.h"
#include "features.h"
#include "ranges.h"

#include <linux/moduleparam.h>
#include <linux/pci_regs.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/sysfs.h>
#include <asm/processor.h>

/* ---- validation (no VMCALL) --------------------------------------------- */

static u32 valid_access(u32 type)
{
	switch (type) {
	case STMEXEC_RANGE_MEM:
	case STMEXEC_RANGE_MMIO:
		return STMEXEC_ACC_R | STMEXEC_ACC_W | STMEXEC_ACC_X;
	default:
		return STMEXEC_ACC_R | STMEXEC_ACC_W;
	}
}

/*
 * MEM/MMIO deny sets the real STMs turn into an invalid EPT entry
 * (real-stm-interop.md 4.4): J ANDs the deny bits into the SMM EPT entry,
 * so what stays allowed must be a valid EPT permission (SDM Vol. 3C
 * 29.3.3.1): write without read is an EPT misconfiguration (J dead-loops,
 * E silently keeps read), and execute-only needs EPT execute-only support.
 */
static int ept_check(struct stmexec *sx, const struct stmexec_range *r, u32 i)
{
	u32 deny = r->access;

	if ((deny & STMEXEC_ACC_R) && !(deny & STMEXEC_ACC_W))
		return stmexec_fail(sx, -EINVAL,
				    "range %u: deny=%s leaves write without read, an invalid EPT entry on the real STMs (EPT rule: a page writable by SMM must be readable); deny w as well",
				    i, deny & STMEXEC_ACC_X ? "rx" : "r");
	if (deny == (STMEXEC_ACC_R | STMEXEC_ACC_W) && !stmexec_ept_exec_only(sx))
		return stmexec_fail(sx, -EINVAL,
				    "range %u: deny=rw leaves execute-only, and this CPU's EPT has no execute-only pages (EPT rule); use deny=rwx",
				    i);
	return 0;
}

/* Format checks of one request entry; sets last_error. */
/* The x86 I/O port space: ports 0..0xffff. */
#define SX_IO_PORTS	0x10000ULL

/* What every PROTECT/UNPROTECT entry needs: zero fields, type, deny bits. */
static int check_header(struct stmexec *sx, const struct stmexec_range *r,
			u32 i)
{
	if (r->pad || r->reserved || r->flags)
		return stmexec_fail(sx, -EINVAL,
				    "range %u: flags, pad and reserved must be zero",
				    i);
	switch (r->type) {
	case STMEXEC_RANGE_MEM:
	case STMEXEC_RANGE_MMIO:
	case STMEXEC_RANGE_IO:
	case STMEXEC_RANGE_MSR:
	case STMEXEC_RANGE_PCI:
		break;
	case STMEXEC_RANGE_TRAPPED_IO:
	case STMEXEC_RANGE_ALL:
		return stmexec_fail(sx, -EINVAL,
				    "range %u: type %s exists only in the BIOS list; protect io, mem, mmio, msr or pci",
				    i, sx_type_name(r->type));
	default:
		return stmexec_fail(sx, -EINVAL,
				    "range %u: unknown type %u (1 mem, 2 io, 3 mmio, 4 msr, 5 pci)",
				    i, r->type);
	}
	if (!r->access || (r->access & ~valid_access(r->type)))
		return stmexec_fail(sx, -EINVAL,
				    "range %u: deny bits 0x%x invalid for %s (allowed: %s, at least one)",
				    i, r->access, sx_type_name(r->type),
				    valid_access(r->type) & STMEXEC_ACC_X ?
				    "r, w, x" : "r, w");
	if (r->type != STMEXEC_RANGE_PCI &&
	    (r->pci_bus || r->pci_dev || r->pci_fn))
		return stmexec_fail(sx, -EINVAL,
				    "range %u: pci_* must be zero for %s",
				    i, sx_type_name(r->type));
	if (r->type != STMEXEC_RANGE_PCI && r->type != STMEXEC_RANGE_MSR &&
	    !r->length)
		return stmexec_fail(sx, -EINVAL, "range %u: zero length", i);
	return 0;
}

static int check_mem(struct stmexec *sx, const struct stmexec_range *r, u32 i)
{
	u64 max_pa = 1ULL << boot_cpu_data.x86_phys_bits;
	u64 end;

	if (!IS_ALIGNED(r->base, PAGE_SIZE) ||
	    !IS_ALIGNED(r->length, PAGE_SIZE))
		return stmexec_fail(sx, -EINVAL,
				    "range %u: %s base 0x%llx and length 0x%llx must be multiples of 4 KiB (the STM is page-granular)",
				    i, sx_type_name(r->type), r->base,
				    r->length);
	if (check_add_overflow(r->base, r->length, &end))
		return stmexec_fail(sx, -ERANGE,
				    "range %u: 0x%llx+0x%llx wraps around",
				    i, r->base, r->length);
	if (end > max_pa)
		return stmexec_fail(sx, -ERANGE,
				    "range %u: ends at 0x%llx, beyond the %u-bit physical address width",
				    i, end, boot_cpu_data.x86_phys_bits);
	/* J and E check Base + Length <= 2^N - 1 (MALFORMED) */
	if (end == max_pa)
		return stmexec_fail(sx, -ERANGE,
				    "range %u: ends exactly at 2^%u, which the real STMs refuse; the last page of the physical address space cannot be protected",
				    i, boot_cpu_data.x86_phys_bits);
	return ept_check(sx, r, i);
}

static int check_io(struct stmexec *sx, const struct stmexec_range *r, u32 i)
{
	if (r->base >= SX_IO_PORTS || r->length > SX_IO_PORTS ||
	    r->base + r->length > SX_IO_PORTS)
		return stmexec_fail(sx, -ERANGE,
				    "range %u: ports 0x%llx+0x%llx exceed 0xffff",
				    i, r->base, r->length);
	return 0;
}

static int check_msr(struct stmexec *sx, const struct stmexec_range *r, u32 i)
{
	if (r->length != 1)
		return stmexec_fail(sx, -EINVAL,
				    "range %u: msr length must be 1 (one MSR per range), not %llu",
				    i, r->length);
	if (r->base > U32_MAX)
		return stmexec_fail(sx, -ERANGE,
				    "range %u: MSR index 0x%llx is not 32-bit",
				    i, r->base);
	return 0;
}

static int check_pci(struct stmexec *sx, const struct stmexec_range *r, u32 i)
{
	if (r->pci_dev > 31 || r->pci_fn > 7)
		return stmexec_fail(sx, -EINVAL,
				    "range %u: pci device %u function %u out of range (0-31, 0-7)",
				    i, r->pci_dev, r->pci_fn);
	if (r->base != 0 || r->length != PCI_CFG_SPACE_EXP_SIZE)
		return stmexec_fail(sx, -EINVAL,
				    "range %u: pci protects a whole function: base 0, length 0x1000",
				    i);
	return 0;
}

int sx_range_check(struct stmexec *sx, const struct stmexec_range *r,
		   u32 i)
{
	int ret;

	ret = check_header(sx, r, i);
	if (ret)
		return ret;
	switch (r->type) {
	case STMEXEC_RANGE_MEM:
	case STMEXEC_RANGE_MMIO:
		return check_mem(sx, r, i);
	case STMEXEC_RANGE_IO:
		return check_io(sx, r, i);
	case STMEXEC_RANGE_MSR:
		return check_msr(sx, r, i);
	default:	/* STMEXEC_RANGE_PCI: check_header() let no other in */
		return check_pci(sx, r, i);
	}
}

/*
 * Does request @r conflict with BIOS descriptor @b? The STM's rule (same
 * type; extents intersect; access sets intersect where the type has them),
 * made stricter where the STM would let the request break firmware: MEM and
 * MMIO are one address space (one EPT), and I/O ports the BIOS traps are
 * I/O ports the SMI handler uses.
 */
static bool bios_conflict(const struct stmexec_range *r,
			  const struct stmexec_range *b)
{
	u64 rs, rl, bs, bl;

	if (b->flags & STMEXEC_RF_IGNORED)
		return false;
	if (b->type == STMEXEC_RANGE_ALL)
		return true;
	if (range_space(r->type) != range_space(b->type) &&
	    !(r->type == STMEXEC_RANGE_IO &&
	      b->type == STMEXEC_RANGE_TRAPPED_IO))
		return false;

	switch (r->type) {
	case STMEXEC_RANGE_MEM:
	case STMEXEC_RANGE_MMIO:
		if (b->type != STMEXEC_RANGE_MEM &&
		    b->type != STMEXEC_RANGE_MMIO)
			return false;
		if (!b->length)
			return false;
		rs = r->base;
		rl = r->base + r->length - 1;
		bs = b->base;
		bl = b->base + b->length - 1;
		if (bl < bs)
			bl = U64_MAX;
		return rs <= bl && bs <= rl && (r->access & b->access);
	case STMEXEC_RANGE_IO:
		if (!b->length)
			return false;
		return r->base <= b->base + b->length - 1 &&
		       b->base <= r->base + r->length - 1;
	case STMEXEC_RANGE_MSR:
		return b->type == STMEXEC_RANGE_MSR && b->base == r->base &&
		       (r->access & b->access);
	case STMEXEC_RANGE_PCI:
		/* A bridged BIOS path cannot be compared without config reads. */
		return b->type == STMEXEC_RANGE_PCI &&
		       !(b->flags & STMEXEC_RF_PCI_BRIDGED) &&
		       b->pci_bus == r->pci_bus && b->pci_dev == r->pci_dev &&
		       b->pci_fn == r->pci_fn && (r->access & b->access);
	}
	return false;
}

int sx_check_bios(struct stmexec *sx, const struct stmexec_range *req,
		  u32 n, u32 *err_index, u32 *bios_index)
{
	const struct stmexec_range *bios = sx->bios;
	char rtxt[96], btxt[96];
	u32 i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < sx->nbios; j++) {
			if (!bios_conflict(&req[i], &bios[j]))
				continue;
			stmexec_range_format(rtxt, sizeof(rtxt), &req[i],
					     false);
			stmexec_range_format(btxt, sizeof(btxt), &bios[j],
					     true);
			*err_index = i;
			*bios_index = j;
			return stmexec_fail(sx, -EADDRINUSE,
					    "range %u (%s) overlaps BIOS resource %u (%s) that firmware needs; protect around it",
					    i, rtxt, j, btxt);
		}
	}
	return 0;
}

static int cmp_u32_by_key(const void *a, const void *b, const void *priv)
{
	const struct stmexec_range *req = priv;
	const struct stmexec_range *x = &req[*(const u32 *)a];
	const struct stmexec_range *y = &req[*(const u32 *)b];
	int sx_ = range_space(x->type), sy = range_space(y->type);
	u64 xs, xl, ys, yl;

	if (sx_ != sy)
		return sx_ < sy ? -1 : 1;
	range_key(x, &xs, &xl);
	range_key(y, &ys, &yl);
	if (xs != ys)
		return xs < ys ? -1 : 1;
	if (xl != yl)
		return xl < yl ? -1 : 1;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return *(const u32 *)a < *(const u32 *)b ? -1 : 1;
}

/*
 * Duplicates inside the request (same type and extent) and MEM/MMIO
 * overlaps inside it: -EEXIST naming both entries.
 */
int sx_check_request_dups(struct stmexec *sx,
			  const struct stmexec_range *req, u32 n,
			  u32 *err_index)
{
	u64 max_last[2] = { 0, 0 }, s, l, ps = 0, pl = 0;
	bool seen[2] = { false, false };
	u32 *idx, i, prev = 0, who[2] = { 0, 0 };
	int ret = 0;

	if (n < 2)
		return 0;
	idx = kvmalloc_array(n, sizeof(*idx), GFP_KERNEL);
	if (!idx)
		return stmexec_fail(sx, -ENOMEM, "no memory to sort the request");
	for (i = 0; i < n; i++)
		idx[i] = i;
	sort_r(idx, n, sizeof(*idx), cmp_u32_by_key, NULL, req);

	for (i = 0; i < n; i++) {
		const struct stmexec_range *r = &req[idx[i]];

		range_key(r, &s, &l);
		if (i && range_space(req[prev].type) == range_space(r->type) &&
		    req[prev].type == r->type && ps == s && pl == l) {
			*err_index = max(prev, idx[i]);
			ret = stmexec_fail(sx, -EEXIST,
					   "ranges %u and %u of the request are the same %s range; list it once",
					   min(prev, idx[i]), max(prev, idx[i]),
					   sx_type_name(r->type));
			break;
		}
		if (range_space(r->type) == SP_PHYS) {
			int me = r->type == STMEXEC_RANGE_MMIO;

			if (seen[!me] && s <= max_last[!me]) {
				*err_index = max(who[!me], idx[i]);
				ret = stmexec_fail(sx, -EEXIST,
						   "ranges %u and %u of the request overlap as mem and mmio; a page is either memory or MMIO",
						   min(who[!me], idx[i]),
						   max(who[!me], idx[i]));
				break;
			}
			if (!seen[me] || l > max_last[me]) {
				max_last[me] = l;
				who[me] = idx[i];
			}
			seen[me] = true;
		}
		prev = idx[i];
		ps = s;
		pl = l;
	}
	kvfree(idx);
	return ret;
}

/* Duplicates with the held set (same owner, type, extent) and MEM/MMIO. */
int sx_check_held_dups(struct stmexec *sx, const struct stmexec_range *req,
		       u32 n, u32 owner, u32 *err_index)
{
	struct stmexec_ranges *rs = sx->ranges;
	struct sx_held *h;
	char txt[96];
	u64 s, l;
	u32 i;

	for (i = 0; i < n; i++) {
		const struct stmexec_range *r = &req[i];
		struct rb_root_cached *t = &rs->tree[range_space(r->type)];

		range_key(r, &s, &l);
		for (h = held_it_iter_first(t, s, l); h;
		     h = held_it_iter_next(h, s, l)) {
			if (h->r.type != r->type) {
				stmexec_range_format(txt, sizeof(txt), &h->r,
						     false);
				*err_index = i;
				return stmexec_fail(sx, -EEXIST,
						    "range %u overlaps the held range '%s' of the other kind; a page is either memory or MMIO",
						    i, txt);
			}
			if (h->start == s && h->last == l &&
			    h->r.flags == owner) {
				stmexec_range_format(txt, sizeof(txt), &h->r,
						     false);
				*err_index = i;
				return stmexec_fail(sx, -EEXIST,
						    "range %u is already protected as '%s'; unprotect it first to change its deny bits",
						    i, txt);
			}
		}
	}
	return 0;
}
