// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: what a request changes in the STM: the difference of the
 * effective deny bits (a sweep over the held ranges), the mirror of the
 * descriptors the STM holds, and the STM node budget checked before any
 * VMCALL. See ranges.c for why the module sends a difference.
 */
#include "stmexec.h"
#include "features.h"
#include "ranges.h"

#include <linux/moduleparam.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/sysfs.h>
#include <asm/processor.h>

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

void sx_mirror_clear(struct stmexec_ranges *rs)
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

/* Send the STM what adding @req[0..@n) to the held set denies. */
int sx_diff_protect(struct stmexec *sx, const struct stmexec_range *req, u32 n)
{
	return apply_diff(sx, true, false, req, n, NULL);
}

/* Enable: send every held range @all[0..@n) to an STM that holds none. */
int sx_diff_reapply(struct stmexec *sx, const struct stmexec_range *all, u32 n)
{
	return apply_diff(sx, true, true, all, n, NULL);
}

/* Send the STM what removing the held ranges @rm[0..@n) re-grants. */
int sx_diff_unprotect(struct stmexec *sx, struct sx_held **rm, u32 n)
{
	return apply_diff(sx, false, false, NULL, n, rm);
}
