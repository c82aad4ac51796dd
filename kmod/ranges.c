// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: the set of protected ranges held by the module.
 *
 * The module keeps every range it was asked to protect ("held ranges") in
 * one interval tree per resource space: physical addresses (MEM and MMIO
 * share the EPT of the SMM guest), I/O ports, MSR indices and PCI
 * functions. The STM itself has no reference counting: UNPROTECT of a node
 * re-grants its accesses unconditionally, whatever other node still covers
 * them. So the module never sends the STM the requested ranges as such but
 * the *difference* of the effective deny bits a request makes:
 *
 *   PROTECT:   for every unit (page, port, MSR, function) of the request,
 *              deny bits after & ~before  -> STM_API_PROTECT_RESOURCE
 *   UNPROTECT: deny bits before & ~after  -> STM_API_UNPROTECT_RESOURCE
 *
 * where "before" and "after" are the OR of the deny bits of the held ranges
 * covering the unit. Runs of units with the same difference are coalesced
 * into one descriptor. An UNPROTECT therefore only re-opens what no other
 * held range still denies, and never opens a window (no UNPROTECT followed
 * by a re-PROTECT).
 *
 * The STM deletes a node from its database only on UNPROTECT of a
 * byte-identical descriptor. The module mirrors the descriptors it sent
 * with PROTECT; an UNPROTECT also carries, verbatim, every mirrored
 * descriptor none of whose accesses a remaining range denies, so the STM's
 * database shrinks back. A descriptor still partly needed stays in the STM
 * (splitting it would open a window); its dead part is re-granted all the
 * same, and the database is rebuilt exactly at the next enable.
 *
 * A request is sent as one VMCALL per page-contained piece (rsc_encode.c:
 * the real STMs mis-size multi-piece lists); a refused piece rolls back the
 * pieces already applied, so the STM accepts or rejects the request whole.
 * The held set is changed only after the STM said yes.
 */
#include "stmexec.h"

#include <linux/interval_tree_generic.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/sysfs.h>
#include <asm/msr.h>
#include <asm/processor.h>

enum { SP_PHYS, SP_IO, SP_MSR, SP_PCI, SP_NR };

struct sx_held {
	struct rb_node rb;
	u64 start;
	u64 last;
	u64 subtree_last;
	u32 gen;
	bool removing;
	struct stmexec_range r;		/* r.flags: owner (0 or RF_POLICY) */
};

#define HELD_START(h) ((h)->start)
#define HELD_LAST(h) ((h)->last)
INTERVAL_TREE_DEFINE(struct sx_held, rb, u64, subtree_last, HELD_START,
		     HELD_LAST, static, held_it)

/*
 * A descriptor the STM holds in its node database because the module sent
 * it with PROTECT (its "mirror"). UNPROTECT of a byte-identical descriptor
 * is the only way to delete it there, so when none of its accesses is
 * denied by a held range any more the module sends it verbatim.
 */
struct sx_node {
	struct rb_node rb;
	u64 start;
	u64 last;
	u64 subtree_last;
	u32 gen;
	struct stmexec_seg seg;
};

#define NODE_START(nd) ((nd)->start)
#define NODE_LAST(nd) ((nd)->last)
INTERVAL_TREE_DEFINE(struct sx_node, rb, u64, subtree_last, NODE_START,
		     NODE_LAST, static, node_it)

/*
 * ndesc/nbytes: STM descriptors (and their bytes) of the mirror nodes, i.e.
 * what the STM keeps in its database for the module. frames: the sorted,
 * distinct EPT large pages the STM has split for the module since it
 * started (key: 2 MiB frame << 1, or 1 GiB frame << 1 | 1). The real STMs
 * never free a split page, so this only grows until the next enable.
 */
struct stmexec_ranges {
	struct rb_root_cached tree[SP_NR];
	struct rb_root_cached nodes[SP_NR];
	u32 count;
	u32 nnodes;
	u32 gen;
	u32 ndesc;
	u32 nbytes;
	u64 *frames;
	u32 nframes;
	bool quiet;
};

static int range_space(u32 type)
{
	switch (type) {
	case STMEXEC_RANGE_MEM:
	case STMEXEC_RANGE_MMIO:
		return SP_PHYS;
	case STMEXEC_RANGE_IO:
		return SP_IO;
	case STMEXEC_RANGE_MSR:
		return SP_MSR;
	default:
		return SP_PCI;
	}
}

static u64 pci_key(const struct stmexec_range *r)
{
	return ((u64)r->pci_bus << 8) | (r->pci_dev << 3) | r->pci_fn;
}

/* The interval a (validated) range covers in its space, last inclusive. */
static void range_key(const struct stmexec_range *r, u64 *start, u64 *last)
{
	switch (r->type) {
	case STMEXEC_RANGE_MSR:
		*start = r->base;
		*last = r->base;
		break;
	case STMEXEC_RANGE_PCI:
		*start = pci_key(r);
		*last = *start;
		break;
	default:
		*start = r->base;
		*last = r->base + r->length - 1;
		break;
	}
}

static const char *type_name(u32 type)
{
	static const char * const names[] = {
		[STMEXEC_RANGE_MEM] = "mem", [STMEXEC_RANGE_IO] = "io",
		[STMEXEC_RANGE_MMIO] = "mmio", [STMEXEC_RANGE_MSR] = "msr",
		[STMEXEC_RANGE_PCI] = "pci",
		[STMEXEC_RANGE_TRAPPED_IO] = "trapped-io",
		[STMEXEC_RANGE_ALL] = "all",
	};

	return type < ARRAY_SIZE(names) && names[type] ? names[type] : "?";
}

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
	if (deny == (STMEXEC_ACC_R | STMEXEC_ACC_W) && !stmexec_ept_exec_only())
		return stmexec_fail(sx, -EINVAL,
				    "range %u: deny=rw leaves execute-only, and this CPU's EPT has no execute-only pages (EPT rule); use deny=rwx",
				    i);
	return 0;
}

/* Format checks of one request entry; sets last_error. */
static int range_check(struct stmexec *sx, const struct stmexec_range *r,
		       u32 i)
{
	u64 max_pa = 1ULL << boot_cpu_data.x86_phys_bits;
	u64 end;

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
				    i, type_name(r->type));
	default:
		return stmexec_fail(sx, -EINVAL,
				    "range %u: unknown type %u (1 mem, 2 io, 3 mmio, 4 msr, 5 pci)",
				    i, r->type);
	}
	if (!r->access || (r->access & ~valid_access(r->type)))
		return stmexec_fail(sx, -EINVAL,
				    "range %u: deny bits 0x%x invalid for %s (allowed: %s, at least one)",
				    i, r->access, type_name(r->type),
				    valid_access(r->type) & STMEXEC_ACC_X ?
				    "r, w, x" : "r, w");

	switch (r->type) {
	case STMEXEC_RANGE_MEM:
	case STMEXEC_RANGE_MMIO:
		if (r->pci_bus || r->pci_dev || r->pci_fn)
			return stmexec_fail(sx, -EINVAL,
					    "range %u: pci_* must be zero for %s",
					    i, type_name(r->type));
		if (!r->length)
			return stmexec_fail(sx, -EINVAL,
					    "range %u: zero length", i);
		if (!IS_ALIGNED(r->base, PAGE_SIZE) ||
		    !IS_ALIGNED(r->length, PAGE_SIZE))
			return stmexec_fail(sx, -EINVAL,
					    "range %u: %s base 0x%llx and length 0x%llx must be multiples of 4 KiB (the STM is page-granular)",
					    i, type_name(r->type), r->base,
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
	case STMEXEC_RANGE_IO:
		if (r->pci_bus || r->pci_dev || r->pci_fn)
			return stmexec_fail(sx, -EINVAL,
					    "range %u: pci_* must be zero for io",
					    i);
		if (!r->length)
			return stmexec_fail(sx, -EINVAL,
					    "range %u: zero length", i);
		if (r->base > 0xffff || r->length > 0x10000 ||
		    r->base + r->length > 0x10000)
			return stmexec_fail(sx, -ERANGE,
					    "range %u: ports 0x%llx+0x%llx exceed 0xffff",
					    i, r->base, r->length);
		break;
	case STMEXEC_RANGE_MSR:
		if (r->pci_bus || r->pci_dev || r->pci_fn)
			return stmexec_fail(sx, -EINVAL,
					    "range %u: pci_* must be zero for msr",
					    i);
		if (r->length != 1)
			return stmexec_fail(sx, -EINVAL,
					    "range %u: msr length must be 1 (one MSR per range), not %llu",
					    i, r->length);
		if (r->base > 0xffffffffULL)
			return stmexec_fail(sx, -ERANGE,
					    "range %u: MSR index 0x%llx is not 32-bit",
					    i, r->base);
		break;
	case STMEXEC_RANGE_PCI:
		if (r->pci_dev > 31 || r->pci_fn > 7)
			return stmexec_fail(sx, -EINVAL,
					    "range %u: pci device %u function %u out of range (0-31, 0-7)",
					    i, r->pci_dev, r->pci_fn);
		if (r->base != 0 || r->length != 0x1000)
			return stmexec_fail(sx, -EINVAL,
					    "range %u: pci protects a whole function: base 0, length 0x1000",
					    i);
		break;
	}
	return 0;
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

/* Decoded BIOS list for the overlap checks; NULL with *n = 0 if none. */
static struct stmexec_range *bios_get(struct stmexec *sx, u32 *n, int *err)
{
	struct stmexec_range *b;
	int total;

	*n = 0;
	*err = 0;
	if (!sx->bios_list)
		return NULL;
	total = stmexec_bios_decode(sx, NULL, 0);
	if (total <= 0) {
		*err = total;
		return NULL;
	}
	b = kvcalloc(total, sizeof(*b), GFP_KERNEL);
	if (!b) {
		*err = -ENOMEM;
		return NULL;
	}
	*n = stmexec_bios_decode(sx, b, total);
	return b;
}

static int check_bios(struct stmexec *sx, const struct stmexec_range *req,
		      u32 n, u32 *err_index, u32 *bios_index)
{
	struct stmexec_range *bios;
	char rtxt[96], btxt[96];
	u32 nb, i, j;
	int ret;

	bios = bios_get(sx, &nb, &ret);
	if (ret)
		return stmexec_fail(sx, ret,
				    "cannot decode the BIOS resource list: %pe",
				    ERR_PTR(ret));
	for (i = 0; i < n; i++) {
		for (j = 0; j < nb; j++) {
			if (!bios_conflict(&req[i], &bios[j]))
				continue;
			stmexec_range_format(rtxt, sizeof(rtxt), &req[i],
					     false);
			stmexec_range_format(btxt, sizeof(btxt), &bios[j],
					     true);
			*err_index = i;
			*bios_index = j;
			ret = stmexec_fail(sx, -EADDRINUSE,
					   "range %u (%s) overlaps BIOS resource %u (%s) that firmware needs; protect around it",
					   i, rtxt, j, btxt);
			goto out;
		}
	}
out:
	kvfree(bios);
	return ret;
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
static int check_request_dups(struct stmexec *sx,
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
					   type_name(r->type));
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
static int check_held_dups(struct stmexec *sx, const struct stmexec_range *req,
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

/* ---- effective-protection difference ------------------------------------ */

struct sx_ev {
	u64 pos;
	u8 space;
	u8 type;
	u8 bits;
	s8 before;
	s8 after;
};

struct sx_diff {
	struct sx_ev *ev;
	u32 nev;
	u32 cap;
};

static void ev_add(struct sx_diff *d, int space, u32 type, u64 s, u64 l,
		   u32 bits, int before, int after)
{
	d->ev[d->nev++] = (struct sx_ev){ .pos = s, .space = space,
		.type = type, .bits = bits, .before = before, .after = after };
	d->ev[d->nev++] = (struct sx_ev){ .pos = l + 1, .space = space,
		.type = type, .bits = bits, .before = -before, .after = -after };
}

static int cmp_ev(const void *a, const void *b)
{
	const struct sx_ev *x = a, *y = b;

	if (x->space != y->space)
		return x->space < y->space ? -1 : 1;
	if (x->pos != y->pos)
		return x->pos < y->pos ? -1 : 1;
	return 0;
}

/*
 * Sweep the events: for every elementary segment compute the deny bits
 * before and after, and emit (coalesced) the bits gained (@protect) or
 * lost. Returns the number of segments written to @seg (capacity nev).
 */
static u32 sweep(struct sx_diff *d, bool protect, struct stmexec_seg *seg)
{
	int cb[3] = { 0 }, ca[3] = { 0 }, ct[STMEXEC_RANGE_ALL + 1] = { 0 };
	u32 i = 0, j, k, nseg = 0;

	sort(d->ev, d->nev, sizeof(*d->ev), cmp_ev, NULL);
	while (i < d->nev) {
		const struct sx_ev *e = &d->ev[i];
		u32 before = 0, after = 0, diff, type = 0;
		u64 s = e->pos, l;

		for (j = i; j < d->nev && d->ev[j].space == e->space &&
		     d->ev[j].pos == s; j++) {
			for (k = 0; k < 3; k++) {
				if (d->ev[j].bits & BIT(k)) {
					cb[k] += d->ev[j].before;
					ca[k] += d->ev[j].after;
				}
			}
			ct[d->ev[j].type] += d->ev[j].before ?: d->ev[j].after;
		}
		i = j;
		if (i == d->nev || d->ev[i].space != e->space)
			continue;	/* nothing covers [s, next) */
		l = d->ev[i].pos - 1;
		for (k = 0; k < 3; k++) {
			if (cb[k] > 0)
				before |= BIT(k);
			if (ca[k] > 0)
				after |= BIT(k);
		}
		diff = protect ? after & ~before : before & ~after;
		if (!diff)
			continue;
		for (k = 1; k < ARRAY_SIZE(ct); k++)
			if (ct[k] > 0)
				type = k;
		if (nseg && seg[nseg - 1].space == e->space &&
		    seg[nseg - 1].type == type && seg[nseg - 1].bits == diff &&
		    seg[nseg - 1].last + 1 == s) {
			seg[nseg - 1].last = l;
			continue;
		}
		seg[nseg++] = (struct stmexec_seg){ .space = e->space,
			.type = type, .bits = diff, .start = s, .last = l };
	}
	return nseg;
}

/*
 * Add the held ranges overlapping [s, l] to @d, each once per pass (the
 * ones being removed are pre-marked); with @d NULL only count them.
 */
static u32 ev_add_held(struct sx_diff *d, struct stmexec_ranges *rs,
		       int space, u64 s, u64 l)
{
	struct sx_held *h;
	u32 n = 0;

	for (h = held_it_iter_first(&rs->tree[space], s, l); h;
	     h = held_it_iter_next(h, s, l)) {
		if (h->gen == rs->gen)
			continue;	/* seen, or being removed */
		h->gen = rs->gen;
		n++;
		if (!d)
			continue;
		if (WARN_ON_ONCE(d->nev + 2 > d->cap))
			break;
		ev_add(d, space, h->r.type, h->start, h->last, h->r.access,
		       1, 1);
	}
	return n;
}

/* Does a held range that stays deny some of @bits on [s, l]? */
static bool still_denied(struct stmexec_ranges *rs, int space, u64 s, u64 l,
			 u32 bits)
{
	struct sx_held *h;

	for (h = held_it_iter_first(&rs->tree[space], s, l); h;
	     h = held_it_iter_next(h, s, l))
		if (!h->removing && (h->r.access & bits))
			return true;
	return false;
}

/*
 * Mirror nodes that an UNPROTECT difference @seg kills: every access they
 * deny is denied by no remaining held range, so sending them verbatim
 * deletes them from the STM's database and re-grants only what the
 * difference re-grants anyway. Returns how many were put in @dead.
 */
static u32 mirror_dying(struct stmexec_ranges *rs,
			const struct stmexec_seg *seg, u32 nseg,
			struct sx_node **dead, u32 cap)
{
	struct sx_node *nd;
	u32 i, n = 0;

	rs->gen++;
	for (i = 0; i < nseg; i++) {
		struct rb_root_cached *t = &rs->nodes[seg[i].space];

		for (nd = node_it_iter_first(t, seg[i].start, seg[i].last); nd;
		     nd = node_it_iter_next(nd, seg[i].start, seg[i].last)) {
			if (nd->gen == rs->gen)
				continue;
			nd->gen = rs->gen;
			if (n < cap &&
			    !still_denied(rs, nd->seg.space, nd->start,
					  nd->last, nd->seg.bits))
				dead[n++] = nd;
		}
	}
	return n;
}

static void mirror_clear(struct stmexec_ranges *rs)
{
	struct rb_node *rb;
	int i;

	for (i = 0; i < SP_NR; i++) {
		while ((rb = rb_first_cached(&rs->nodes[i]))) {
			struct sx_node *nd = rb_entry(rb, struct sx_node, rb);

			node_it_remove(nd, &rs->nodes[i]);
			kfree(nd);
		}
	}
	rs->nnodes = 0;
	rs->ndesc = 0;
	rs->nbytes = 0;
	kvfree(rs->frames);
	rs->frames = NULL;
	rs->nframes = 0;
}

/*
 * Tell the STM the difference @req makes (adding when @protect, else the
 * held entries @rm go away), against the held set - or, when @fresh, against
 * nothing (the STM just started and holds nothing; @req is the held set).
 * 0 if the STM accepted or there was nothing to tell it.
 */
/* The request's entries (or the held entries being removed). */
static const struct stmexec_range *op_range(const struct stmexec_range *req,
					    struct sx_held **rm, u32 i)
{
	return req ? &req[i] : &rm[i]->r;
}

/* One pass over the held ranges the operation touches; see ev_add_held. */
static u32 held_pass(struct sx_diff *d, struct stmexec_ranges *rs,
		     const struct stmexec_range *req, struct sx_held **rm,
		     u32 n)
{
	u32 i, cnt = 0;
	u64 s, l;

	rs->gen++;
	for (i = 0; rm && i < n; i++)
		rm[i]->gen = rs->gen;
	for (i = 0; i < n; i++) {
		const struct stmexec_range *r = op_range(req, rm, i);

		range_key(r, &s, &l);
		cnt += ev_add_held(d, rs, range_space(r->type), s, l);
	}
	return cnt;
}

/* Mirror nodes overlapping the operation: a bound for mirror_dying(). */
static u32 mirror_count(struct stmexec_ranges *rs, struct sx_held **rm, u32 n)
{
	struct sx_node *nd;
	u32 i, cnt = 0;

	rs->gen++;
	for (i = 0; i < n; i++) {
		struct rb_root_cached *t = &rs->nodes[range_space(rm[i]->r.type)];
		u64 s = rm[i]->start, l = rm[i]->last;

		for (nd = node_it_iter_first(t, s, l); nd;
		     nd = node_it_iter_next(nd, s, l)) {
			if (nd->gen != rs->gen) {
				nd->gen = rs->gen;
				cnt++;
			}
		}
	}
	return cnt;
}

/* ---- the STM node budget ------------------------------------------------- */

/*
 * The real STMs keep every descriptor on a small heap (coreboot builds E
 * with 70 pages; J has 0x140000 bytes and dead-loops when it runs out; E
 * returns success with the pages left unprotected) and split an EPT large
 * page for every node boundary inside one (real-stm-interop.md 4.2). The
 * module refuses, before any VMCALL, a request that would take the STM
 * beyond node_budget descriptors or heap_budget estimated heap pages:
 *   heap pages = 1 (the STM's copy of the one-page list)
 *              + the database (the bytes of every descriptor held, in pages)
 *              + one page per 2 MiB EPT page split (a MEM/MMIO boundary not
 *                2 MiB aligned) and per 1 GiB page split (not 1 GiB
 *                aligned), counted since the STM started: never freed.
 * Documented in Documentation/admin-guide/stmexec-policy.rst.
 */
static unsigned int node_budget = 64;
module_param(node_budget, uint, 0644);
MODULE_PARM_DESC(node_budget,
		 "most STM descriptors the module keeps in the STM (default 64); more is refused with EDQUOT");

static unsigned int heap_budget = 32;
module_param(heap_budget, uint, 0644);
MODULE_PARM_DESC(heap_budget,
		 "most STM heap pages (estimate: list copy, database, EPT splits) the module may use (default 32 of coreboot's 70); more is refused with EDQUOT");

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* EPT frames a boundary at @pa splits (0, 1 or 2 keys into @k). */
static u32 split_keys(u64 pa, u64 *k)
{
	u32 n = 0;

	if (!IS_ALIGNED(pa, SZ_2M))
		k[n++] = (pa >> 21) << 1;
	if (!IS_ALIGNED(pa, SZ_1G))
		k[n++] = (pa >> 30) << 1 | 1;
	return n;
}

/*
 * The frames (sorted, distinct, not yet in rs->frames) the MEM/MMIO
 * segments @seg split. Returns how many; *out is kvfree()d by the caller.
 */
static int new_frames(struct stmexec_ranges *rs, const struct stmexec_seg *seg,
		      u32 nseg, u64 **out)
{
	u64 *k;
	u32 i, n = 0, m = 0, j = 0;

	*out = NULL;
	k = kvmalloc_array(4 * (size_t)nseg + 1, sizeof(*k), GFP_KERNEL);
	if (!k)
		return -ENOMEM;
	for (i = 0; i < nseg; i++) {
		if (seg[i].space != SP_PHYS)
			continue;
		n += split_keys(seg[i].start, k + n);
		if (seg[i].last != U64_MAX)
			n += split_keys(seg[i].last + 1, k + n);
	}
	sort(k, n, sizeof(*k), cmp_u64, NULL);
	for (i = 0; i < n; i++) {
		if (m && k[m - 1] == k[i])
			continue;
		while (j < rs->nframes && rs->frames[j] < k[i])
			j++;
		if (j < rs->nframes && rs->frames[j] == k[i])
			continue;
		k[m++] = k[i];
	}
	*out = k;
	return m;
}

/* Merge @k (sorted, distinct, new) into rs->frames, using @f (room for all). */
static void frames_merge(struct stmexec_ranges *rs, const u64 *k, u32 n,
			 u64 *f)
{
	u32 i = 0, j = 0, o = 0;

	while (i < rs->nframes || j < n)
		f[o++] = j == n || (i < rs->nframes && rs->frames[i] < k[j]) ?
			 rs->frames[i++] : k[j++];
	kvfree(rs->frames);
	rs->frames = f;
	rs->nframes = o;
}

static u32 heap_pages(u32 nbytes, u32 nframes)
{
	if (!nbytes && !nframes)
		return 0;
	return 1 + DIV_ROUND_UP(nbytes, PAGE_SIZE) + nframes;
}

void stmexec_ranges_usage(struct stmexec *sx, struct stmexec_stm_usage *u)
{
	struct stmexec_ranges *rs = sx->ranges;
	bool on = sx->state == STMEXEC_STATE_ON ||
		  sx->state == STMEXEC_STATE_STARTING;

	u->nodes = on ? rs->ndesc : 0;
	u->heap_pages = on ? heap_pages(rs->nbytes, rs->nframes) : 0;
	u->node_budget = READ_ONCE(node_budget);
	u->heap_budget = READ_ONCE(heap_budget);
}

/*
 * Would PROTECT of @seg take the STM beyond the budget? -EDQUOT (nothing
 * sent) if so; else 0 with the new split frames in *frames (*nfr).
 */
static int budget_check(struct stmexec *sx, const struct stmexec_seg *seg,
			u32 nseg, u64 **frames, u32 *nfr)
{
	struct stmexec_ranges *rs = sx->ranges;
	u32 nb = READ_ONCE(node_budget), hb = READ_ONCE(heap_budget);
	u64 desc = rs->ndesc, bytes = rs->nbytes;
	u32 i, heap;
	int n;

	for (i = 0; i < nseg; i++) {
		desc += stmexec_seg_descs(&seg[i]);
		bytes += (u64)stmexec_seg_descs(&seg[i]) *
			 stmexec_seg_desc_size(&seg[i]);
	}
	n = new_frames(rs, seg, nseg, frames);
	if (n < 0)
		return stmexec_fail(sx, n, "no memory to count EPT splits");
	*nfr = n;
	heap = heap_pages(min_t(u64, bytes, U32_MAX), rs->nframes + n);
	if (desc > nb)
		return stmexec_fail(sx, -EDQUOT,
				    "the STM would hold %llu descriptors (%u now, %llu more), beyond node_budget=%u: real STMs run out of heap; protect fewer or larger ranges, or raise node_budget= if the firmware's STM heap allows it",
				    desc, rs->ndesc, desc - rs->ndesc, nb);
	if (heap > hb)
		return stmexec_fail(sx, -EDQUOT,
				    "the STM would use about %u heap pages (%u now; database %llu bytes, %u EPT splits), beyond heap_budget=%u: real STMs run out of heap; protect 2 MiB-aligned ranges, or raise heap_budget= if the firmware's STM heap allows it",
				    heap, heap_pages(rs->nbytes, rs->nframes),
				    bytes, rs->nframes + n, hb);
	return 0;
}

static int apply_diff(struct stmexec *sx, bool protect, bool fresh,
		      const struct stmexec_range *req, u32 n,
		      struct sx_held **rm)
{
	struct stmexec_ranges *rs = sx->ranges;
	struct sx_node **dead = NULL, **add = NULL;
	struct stmexec_seg *seg = NULL;
	struct sx_diff d = { 0 };
	u64 *frames = NULL, *merged = NULL;
	u32 i, nseg, ndead = 0, nmirror = 0, nfr = 0;
	const struct stmexec_range *r;
	u64 s, l;
	int ret;

	if (protect)
		rm = NULL;
	else
		req = NULL;
	/* Size everything by what the operation touches, not the whole set. */
	d.cap = 2 * n;
	if (!fresh)
		d.cap += 2 * held_pass(NULL, rs, req, rm, n);
	if (!protect)
		nmirror = mirror_count(rs, rm, n);
	d.ev = kvmalloc_array(d.cap, sizeof(*d.ev), GFP_KERNEL);
	seg = kvmalloc_array(d.cap + nmirror, sizeof(*seg), GFP_KERNEL);
	if (!d.ev || !seg) {
		ret = stmexec_fail(sx, -ENOMEM, "no memory for %u ranges", n);
		goto out;
	}
	for (i = 0; i < n; i++) {
		r = op_range(req, rm, i);
		range_key(r, &s, &l);
		ev_add(&d, range_space(r->type), r->type, s, l, r->access,
		       !protect, protect);
	}
	if (!fresh)
		held_pass(&d, rs, req, rm, n);

	nseg = sweep(&d, protect, seg);
	if (!nseg) {
		ret = 0;
		goto out;
	}

	if (protect) {
		ret = budget_check(sx, seg, nseg, &frames, &nfr);
		if (ret)
			goto out;
		/* Allocated first: nothing may fail after the STM said yes. */
		if (nfr) {
			merged = kvmalloc_array(rs->nframes + nfr,
						sizeof(*merged), GFP_KERNEL);
			if (!merged) {
				ret = stmexec_fail(sx, -ENOMEM,
						   "no memory for %u ranges", n);
				goto out;
			}
		}
		add = kvcalloc(nseg, sizeof(*add), GFP_KERNEL);
		for (i = 0; add && i < nseg; i++) {
			add[i] = kzalloc(sizeof(**add), GFP_KERNEL);
			if (!add[i])
				break;
		}
		if (!add || i < nseg) {
			ret = stmexec_fail(sx, -ENOMEM,
					   "no memory for %u ranges", n);
			goto out;
		}
	} else if (nmirror) {
		dead = kvmalloc_array(nmirror, sizeof(*dead), GFP_KERNEL);
		if (!dead) {
			ret = stmexec_fail(sx, -ENOMEM,
					   "no memory for %u ranges", n);
			goto out;
		}
		ndead = mirror_dying(rs, seg, nseg, dead, nmirror);
		for (i = 0; i < ndead; i++)
			seg[nseg + i] = dead[i]->seg;
	}

	ret = stmexec_rsc_apply(sx, protect, seg, nseg + ndead);
	if (ret)
		goto out;

	for (i = 0; protect && i < nseg; i++) {
		add[i]->seg = seg[i];
		add[i]->start = seg[i].start;
		add[i]->last = seg[i].last;
		node_it_insert(add[i], &rs->nodes[seg[i].space]);
		add[i] = NULL;
		rs->nnodes++;
		rs->ndesc += stmexec_seg_descs(&seg[i]);
		rs->nbytes += stmexec_seg_descs(&seg[i]) *
			      stmexec_seg_desc_size(&seg[i]);
	}
	if (merged) {
		frames_merge(rs, frames, nfr, merged);
		merged = NULL;
	}
	for (i = 0; i < ndead; i++) {
		rs->ndesc -= stmexec_seg_descs(&dead[i]->seg);
		rs->nbytes -= stmexec_seg_descs(&dead[i]->seg) *
			      stmexec_seg_desc_size(&dead[i]->seg);
		node_it_remove(dead[i], &rs->nodes[dead[i]->seg.space]);
		kfree(dead[i]);
		rs->nnodes--;
	}
out:
	kvfree(merged);
	kvfree(frames);
	for (i = 0; add && i < nseg; i++)
		kfree(add[i]);
	kvfree(add);
	kvfree(dead);
	kvfree(seg);
	kvfree(d.ev);
	return ret;
}

/* ---- protect / unprotect ------------------------------------------------- */

int stmexec_ranges_protect(struct stmexec *sx, const struct stmexec_range *req,
			   u32 n, u32 owner, u32 *err_index, u32 *bios_index)
{
	struct stmexec_ranges *rs = sx->ranges;
	struct sx_held **add;
	u32 i;
	int ret;

	lockdep_assert_held(&sx->lock);
	*err_index = ~0U;
	*bios_index = ~0U;

	for (i = 0; i < n; i++) {
		ret = range_check(sx, &req[i], i);
		if (ret) {
			*err_index = i;
			return ret;
		}
	}
	/* The default policy is applied while starting (policy.c). */
	if (sx->state != STMEXEC_STATE_ON &&
	    !(owner && sx->state == STMEXEC_STATE_STARTING))
		return stmexec_fail(sx, -ENXIO,
				    "protecting needs the monitor on (state %s): enable it first",
				    stmexec_state_name(sx->state));
	if (!n)
		return 0;
	if (n > STMEXEC_MAX_RANGES - rs->count)
		return stmexec_fail(sx, -E2BIG,
				    "%u ranges held and %u requested: at most %u in total",
				    rs->count, n, STMEXEC_MAX_RANGES);
	ret = check_bios(sx, req, n, err_index, bios_index);
	if (ret)
		return ret;
	ret = check_request_dups(sx, req, n, err_index);
	if (ret)
		return ret;
	ret = check_held_dups(sx, req, n, owner, err_index);
	if (ret)
		return ret;

	/* Allocate before the VMCALL so that success cannot fail afterwards. */
	add = kvmalloc_array(n, sizeof(*add), GFP_KERNEL);
	if (!add)
		return stmexec_fail(sx, -ENOMEM, "no memory for %u ranges", n);
	for (i = 0; i < n; i++) {
		add[i] = kzalloc(sizeof(**add), GFP_KERNEL);
		if (!add[i]) {
			ret = stmexec_fail(sx, -ENOMEM,
					   "no memory for %u ranges", n);
			goto out_free;
		}
	}

	ret = apply_diff(sx, true, false, req, n, NULL);
	if (ret)
		goto out_free;

	for (i = 0; i < n; i++) {
		add[i]->r = req[i];
		add[i]->r.flags = owner;
		add[i]->r.index = ~0U;
		range_key(&req[i], &add[i]->start, &add[i]->last);
		held_it_insert(add[i], &rs->tree[range_space(req[i].type)]);
		add[i] = NULL;
	}
	rs->count += n;
	i = n;
	if (!rs->quiet)
		stmexec_protection_changed(sx);
out_free:
	while (i--)
		kfree(add[i]);
	kvfree(add);
	return ret;
}

static struct sx_held *held_find(struct stmexec_ranges *rs,
				 const struct stmexec_range *r, u32 owner,
				 struct sx_held **similar)
{
	struct rb_root_cached *t = &rs->tree[range_space(r->type)];
	struct sx_held *h;
	u64 s, l;

	*similar = NULL;
	range_key(r, &s, &l);
	for (h = held_it_iter_first(t, s, l); h; h = held_it_iter_next(h, s, l)) {
		if (h->start != s || h->last != l || h->r.type != r->type ||
		    h->r.flags != owner)
			continue;
		if (h->r.access == r->access)
			return h;
		*similar = h;
	}
	return NULL;
}

int stmexec_ranges_unprotect(struct stmexec *sx,
			     const struct stmexec_range *req, u32 n, u32 owner,
			     u32 *err_index)
{
	struct stmexec_ranges *rs = sx->ranges;
	struct sx_held **rm, *similar, *psim;
	char txt[96];
	u32 i;
	int ret = 0;

	lockdep_assert_held(&sx->lock);
	*err_index = ~0U;

	for (i = 0; i < n; i++) {
		ret = range_check(sx, &req[i], i);
		if (ret) {
			*err_index = i;
			return ret;
		}
	}
	/*
	 * ... and removed while stopping, or in the rollback of a failed
	 * enable: held set only (policy.c).
	 */
	if (sx->state != STMEXEC_STATE_ON && sx->state != STMEXEC_STATE_OFF &&
	    !(owner && (sx->state == STMEXEC_STATE_STOPPING ||
			sx->state == STMEXEC_STATE_STARTING)))
		return stmexec_fail(sx, -ENXIO,
				    "unprotecting needs the monitor on or off (state %s)",
				    stmexec_state_name(sx->state));
	if (!n)
		return 0;

	rm = kvcalloc(n, sizeof(*rm), GFP_KERNEL);
	if (!rm)
		return stmexec_fail(sx, -ENOMEM, "no memory for %u ranges", n);
	for (i = 0; i < n; i++) {
		rm[i] = held_find(rs, &req[i], owner, &similar);
		if (!rm[i]) {
			*err_index = i;
			stmexec_range_format(txt, sizeof(txt), &req[i], false);
			if (!owner &&
			    (held_find(rs, &req[i], STMEXEC_RF_POLICY, &psim) ||
			     psim)) {
				ret = stmexec_fail(sx, -EPERM,
						   "range %u (%s) belongs to the default policy: it goes away with disable, or with a lower policy= at the next enable",
						   i, txt);
			} else if (similar) {
				char held[96];

				stmexec_range_format(held, sizeof(held),
						     &similar->r, false);
				ret = stmexec_fail(sx, -ENOENT,
						   "range %u (%s) is not protected; it is held as '%s'",
						   i, txt, held);
			} else {
				ret = stmexec_fail(sx, -ENOENT,
						   "range %u (%s) is not protected: see the ranges file for what is",
						   i, txt);
			}
			goto out;
		}
		if (rm[i]->removing) {
			*err_index = i;
			ret = stmexec_fail(sx, -EEXIST,
					   "range %u is listed twice in the request; list it once",
					   i);
			goto out;
		}
		rm[i]->removing = true;
	}

	/* While off the STM holds nothing: only the held set changes. */
	if (sx->state == STMEXEC_STATE_ON) {
		ret = apply_diff(sx, false, false, NULL, n, rm);
		if (ret)
			goto out;
	}

	for (i = 0; i < n; i++) {
		held_it_remove(rm[i], &rs->tree[range_space(rm[i]->r.type)]);
		kfree(rm[i]);
		rm[i] = NULL;
	}
	rs->count -= n;
	if (!rs->quiet)
		stmexec_protection_changed(sx);
out:
	for (i = 0; i < n && rm[i]; i++)
		rm[i]->removing = false;
	kvfree(rm);
	return ret;
}

u32 stmexec_ranges_count(struct stmexec *sx)
{
	return sx->ranges ? sx->ranges->count : 0;
}

/* In-order walk of all held ranges: PHYS, IO, MSR, PCI, each by start. */
static struct sx_held *held_next(struct stmexec_ranges *rs, int *space,
				 struct sx_held *h)
{
	struct rb_node *nd;

	if (h) {
		nd = rb_next(&h->rb);
		if (nd)
			return rb_entry(nd, struct sx_held, rb);
		(*space)++;
	}
	for (; *space < SP_NR; (*space)++) {
		nd = rb_first_cached(&rs->tree[*space]);
		if (nd)
			return rb_entry(nd, struct sx_held, rb);
	}
	return NULL;
}

u32 stmexec_ranges_list(struct stmexec *sx, struct stmexec_range *out, u32 cap)
{
	struct stmexec_ranges *rs = sx->ranges;
	struct sx_held *h = NULL;
	int space = 0;
	u32 n = 0;

	lockdep_assert_held(&sx->lock);
	while ((h = held_next(rs, &space, h))) {
		if (n < cap)
			out[n] = h->r;
		n++;
	}
	return n;
}

/* ---- lifecycle hooks ------------------------------------------------------ */

static int stmexec_ranges_on_start(struct stmexec *sx)
{
	struct stmexec_ranges *rs = sx->ranges;
	struct stmexec_range *all;
	u32 n, err_index, bios_index;
	int ret;

	lockdep_assert_held(&sx->lock);
	mirror_clear(rs);	/* the STM starts with an empty database */
	if (!rs->count)
		return 0;
	all = kvmalloc_array(rs->count, sizeof(*all), GFP_KERNEL);
	if (!all)
		return stmexec_fail(sx, -ENOMEM,
				    "no memory to re-apply %u protected ranges",
				    rs->count);
	n = stmexec_ranges_list(sx, all, rs->count);

	/* The BIOS list may have changed since the ranges were added. */
	ret = check_bios(sx, all, n, &err_index, &bios_index);
	if (ret) {
		char txt[96];

		stmexec_range_format(txt, sizeof(txt), &all[err_index], false);
		ret = stmexec_fail(sx, ret,
				   "held range '%s' now overlaps BIOS resource %u; unprotect it (allowed while off) and enable again",
				   txt, bios_index);
		goto out;
	}
	ret = apply_diff(sx, true, true, all, n, NULL);
	if (ret)
		stmexec_fail(sx, ret,
			     "the STM refused to re-apply the %u protected ranges (%pe); enable failed",
			     n, ERR_PTR(ret));
out:
	kvfree(all);
	return ret;
}

static void stmexec_ranges_on_stop(struct stmexec *sx)
{
	/*
	 * The STM forgets its databases when its last CPU stops. The held
	 * ranges are kept (re-applied in on_start).
	 */
	mirror_clear(sx->ranges);
}

const struct stmexec_hook stmexec_ranges_hook = {
	.name = "ranges",
	.on_start = stmexec_ranges_on_start,
	.on_stop = stmexec_ranges_on_stop,
};

/* ---- sysfs ---------------------------------------------------------------- */

/*
 * "ranges" and "bios_resources" can exceed a page: binary attributes whose
 * whole text is regenerated and the window [off, off+count) copied out.
 */
static ssize_t text_window(char *buf, loff_t off, size_t count,
			   const char *line, size_t len, loff_t *pos)
{
	ssize_t done = 0;

	if (*pos + (loff_t)len > off && *pos < off + (loff_t)count) {
		loff_t from = max_t(loff_t, off, *pos);
		loff_t to = min_t(loff_t, off + count, *pos + len);

		memcpy(buf + (from - off), line + (from - *pos), to - from);
		done = to - from;
	}
	*pos += len;
	return done;
}

static ssize_t ranges_read(struct file *filp, struct kobject *kobj,
			   struct bin_attribute *attr, char *buf, loff_t off,
			   size_t count)
{
	struct stmexec *sx = stmexec_from_dev(kobj_to_dev(kobj));
	struct sx_held *h = NULL;
	ssize_t done = 0;
	char line[128];
	loff_t pos = 0;
	int space = 0, len;

	if (stmexec_lock_interruptible(sx))
		return -ERESTARTSYS;
	while ((h = held_next(sx->ranges, &space, h)) && pos < off + count) {
		len = stmexec_range_format(line, sizeof(line) - 1, &h->r,
					   false);
		line[len++] = '\n';
		done += text_window(buf, off, count, line, len, &pos);
	}
	mutex_unlock(&sx->lock);
	return done;
}

static ssize_t bios_resources_read(struct file *filp, struct kobject *kobj,
				   struct bin_attribute *attr, char *buf,
				   loff_t off, size_t count)
{
	struct stmexec *sx = stmexec_from_dev(kobj_to_dev(kobj));
	struct stmexec_range *b;
	ssize_t done = 0;
	char line[160];
	loff_t pos = 0;
	u32 n, i;
	int len, ret;

	if (stmexec_lock_interruptible(sx))
		return -ERESTARTSYS;
	b = bios_get(sx, &n, &ret);
	mutex_unlock(&sx->lock);
	if (ret)
		return ret;
	for (i = 0; i < n && pos < off + count; i++) {
		len = scnprintf(line, sizeof(line) - 1, "%u: ", i);
		len += stmexec_range_format(line + len,
					    sizeof(line) - 1 - len, &b[i],
					    true);
		line[len++] = '\n';
		done += text_window(buf, off, count, line, len, &pos);
	}
	kvfree(b);
	return done;
}

static ssize_t range_store(struct device *dev, const char *buf, size_t len,
			   bool protect)
{
	struct stmexec *sx = stmexec_from_dev(dev);
	struct stmexec_range r;
	u32 ei, bi;
	int ret;

	ret = stmexec_sysfs_input(sx, protect ? "protect" : "unprotect", buf,
				  len);
	if (ret)
		return ret;
	ret = stmexec_lock_interruptible(sx);
	if (ret)
		return ret;
	ret = stmexec_range_parse(sx, buf, &r);
	if (!ret && r.flags)
		ret = stmexec_fail(sx, -EPERM,
				   "policy ranges are managed by the policy= module parameter, not by hand");
	if (!ret && protect)
		ret = stmexec_ranges_protect(sx, &r, 1, 0, &ei, &bi);
	else if (!ret)
		ret = stmexec_ranges_unprotect(sx, &r, 1, 0, &ei);
	mutex_unlock(&sx->lock);
	return ret ?: len;
}

static ssize_t protect_store(struct device *dev, struct device_attribute *attr,
			     const char *buf, size_t len)
{
	return range_store(dev, buf, len, true);
}

static ssize_t unprotect_store(struct device *dev,
			       struct device_attribute *attr, const char *buf,
			       size_t len)
{
	return range_store(dev, buf, len, false);
}

/* What the module holds in the STM now: descriptors, estimated heap pages. */
static ssize_t usage_show(struct device *dev, char *buf, bool heap)
{
	struct stmexec *sx = stmexec_from_dev(dev);
	struct stmexec_stm_usage u;

	if (stmexec_lock_interruptible(sx))
		return -ERESTARTSYS;
	stmexec_ranges_usage(sx, &u);
	mutex_unlock(&sx->lock);
	return sysfs_emit(buf, "%u\n", heap ? u.heap_pages : u.nodes);
}

static ssize_t stm_nodes_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return usage_show(dev, buf, false);
}

static ssize_t stm_heap_pages_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	return usage_show(dev, buf, true);
}

static DEVICE_ATTR_WO(protect);
static DEVICE_ATTR_WO(unprotect);
static DEVICE_ATTR_RO(stm_nodes);
static DEVICE_ATTR_RO(stm_heap_pages);
static BIN_ATTR_ADMIN_RO(ranges, 0);
static BIN_ATTR_ADMIN_RO(bios_resources, 0);

static struct attribute *stmexec_ranges_attrs[] = {
	&dev_attr_protect.attr,
	&dev_attr_unprotect.attr,
	&dev_attr_stm_nodes.attr,
	&dev_attr_stm_heap_pages.attr,
	NULL,
};

static struct bin_attribute *stmexec_ranges_bin_attrs[] = {
	&bin_attr_ranges,
	&bin_attr_bios_resources,
	NULL,
};

const struct attribute_group stmexec_ranges_group = {
	.attrs = stmexec_ranges_attrs,
	.bin_attrs = stmexec_ranges_bin_attrs,
};

/* ---- init / fini ---------------------------------------------------------- */

/* ---- change notification -------------------------------------------------- */

/*
 * The features above ranges (the report, the attestation) subscribe to
 * sx->changed; every successful PROTECT/UNPROTECT, and every change of
 * what the policy says it holds, calls them under sx->lock.
 */
void stmexec_protection_changed(struct stmexec *sx)
{
	lockdep_assert_held(&sx->lock);
	raw_notifier_call_chain(&sx->changed, 0, sx);
}

/* Register or remove a subscriber (takes sx->lock). */
void stmexec_protection_notifier(struct stmexec *sx, struct notifier_block *nb,
				 bool add)
{
	mutex_lock(&sx->lock);
	if (add)
		raw_notifier_chain_register(&sx->changed, nb);
	else
		raw_notifier_chain_unregister(&sx->changed, nb);
	mutex_unlock(&sx->lock);
}

/*
 * A caller changing many ranges at once (the policy) announces the change
 * itself, once, at the end: no notification per call meanwhile.
 */
void stmexec_ranges_quiet(struct stmexec *sx, bool quiet)
{
	lockdep_assert_held(&sx->lock);
	sx->ranges->quiet = quiet;
}

int stmexec_ranges_init(struct stmexec *sx)
{
	struct stmexec_ranges *rs;
	int i;

	if (stmexec_rsc_init())
		return -ENOMEM;
	rs = kzalloc(sizeof(*rs), GFP_KERNEL);
	if (!rs) {
		stmexec_rsc_fini();
		return -ENOMEM;
	}
	for (i = 0; i < SP_NR; i++) {
		rs->tree[i] = RB_ROOT_CACHED;
		rs->nodes[i] = RB_ROOT_CACHED;
	}
	sx->ranges = rs;
	return 0;
}

void stmexec_ranges_fini(struct stmexec *sx)
{
	struct stmexec_ranges *rs = sx->ranges;
	struct rb_node *nd;
	int i;

	if (!rs)
		return;
	for (i = 0; i < SP_NR; i++) {
		while ((nd = rb_first_cached(&rs->tree[i]))) {
			struct sx_held *h = rb_entry(nd, struct sx_held, rb);

			held_it_remove(h, &rs->tree[i]);
			kfree(h);
		}
	}
	mirror_clear(rs);
	kfree(rs);
	sx->ranges = NULL;
	stmexec_rsc_fini();
}
