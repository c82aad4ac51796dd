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
 * One request in flight: the ranges it adds (@req: PROTECT, enable) or the
 * held entries it removes (@rm: UNPROTECT), the difference it makes
 * (@seg[0..@nseg), the bits gained or lost), and what the mirror gains or
 * loses once the STM said yes. Everything is freed by change_free().
 */
struct sx_change {
	const struct stmexec_range *req;
	struct sx_held **rm;
	u32 n;
	struct sx_diff d;
	struct stmexec_seg *seg;	/* the difference, then @dead's segs */
	u32 nseg;
	/* PROTECT: allocated before the VMCALL (nothing may fail after it) */
	struct sx_node **add;
	u64 *frames, *merged;
	u32 nfr;
	/* UNPROTECT: mirror nodes the difference deletes */
	struct sx_node **dead;
	u32 ndead;
};

static bool change_protects(const struct sx_change *c)
{
	return c->req;
}

/* The request's entries (or the held entries being removed). */
static const struct stmexec_range *change_range(const struct sx_change *c,
						u32 i)
{
	return c->req ? &c->req[i] : &c->rm[i]->r;
}

/* One pass over the held ranges @c touches; see ev_add_held. */
static u32 held_pass(struct sx_diff *d, struct stmexec_ranges *rs,
		     const struct sx_change *c)
{
	u32 i, cnt = 0;
	u64 s, l;

	rs->gen++;
	for (i = 0; c->rm && i < c->n; i++)
		c->rm[i]->gen = rs->gen;
	for (i = 0; i < c->n; i++) {
		const struct stmexec_range *r = change_range(c, i);

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

/*
 * Room for the difference of @c: its own ranges, @nheld held ranges it
 * touches and @nmirror mirror nodes it may delete (sized by what the
 * operation touches, not by the whole set).
 */
static int diff_alloc(struct stmexec *sx, struct sx_change *c, u32 nheld,
		      u32 nmirror)
{
	c->d.cap = 2 * c->n + 2 * nheld;
	c->d.ev = kvmalloc_array(c->d.cap, sizeof(*c->d.ev), GFP_KERNEL);
	if (!c->d.ev)
		goto err;
	c->seg = kvmalloc_array(c->d.cap + nmirror, sizeof(*c->seg),
				GFP_KERNEL);
	if (!c->seg)
		goto err_ev;
	return 0;

err_ev:
	kvfree(c->d.ev);
	c->d.ev = NULL;
err:
	return stmexec_fail(sx, -ENOMEM, "no memory for %u ranges", c->n);
}

/* The events of @c's own ranges: denied after (PROTECT) or before. */
static void diff_add_request(struct sx_change *c)
{
	bool protect = change_protects(c);
	const struct stmexec_range *r;
	u32 i;
	u64 s, l;

	for (i = 0; i < c->n; i++) {
		r = change_range(c, i);
		range_key(r, &s, &l);
		ev_add(&c->d, range_space(r->type), r->type, s, l, r->access,
		       !protect, protect);
	}
}

/*
 * The difference @c makes against the held set: the bits PROTECT adds or
 * UNPROTECT re-grants, in c->seg[0..c->nseg).
 */
static int diff_held(struct stmexec *sx, struct sx_change *c, u32 nmirror)
{
	int ret;

	ret = diff_alloc(sx, c, held_pass(NULL, sx->ranges, c), nmirror);
	if (ret)
		return ret;
	diff_add_request(c);
	held_pass(&c->d, sx->ranges, c);
	c->nseg = sweep(&c->d, change_protects(c), c->seg);
	return 0;
}

/* The difference @c makes against nothing (the STM just started). */
static int diff_fresh(struct stmexec *sx, struct sx_change *c)
{
	int ret;

	ret = diff_alloc(sx, c, 0, 0);
	if (ret)
		return ret;
	diff_add_request(c);
	c->nseg = sweep(&c->d, true, c->seg);
	return 0;
}

/*
 * PROTECT's budget and the mirror's new nodes and frames, all before the
 * VMCALL: nothing may fail after the STM said yes.
 */
static int protect_prepare(struct stmexec *sx, struct sx_change *c)
{
	struct stmexec_ranges *rs = sx->ranges;
	u32 i;
	int ret;

	ret = budget_check(sx, c->seg, c->nseg, &c->frames, &c->nfr);
	if (ret)
		return ret;
	if (c->nfr) {
		c->merged = kvmalloc_array(rs->nframes + c->nfr,
					   sizeof(*c->merged), GFP_KERNEL);
		if (!c->merged)
			goto err;
	}
	c->add = kvcalloc(c->nseg, sizeof(*c->add), GFP_KERNEL);
	if (!c->add)
		goto err_merged;
	for (i = 0; i < c->nseg; i++) {
		c->add[i] = kzalloc(sizeof(**c->add), GFP_KERNEL);
		if (!c->add[i])
			goto err_add;
	}
	return 0;

err_add:
	while (i--)
		kfree(c->add[i]);
	kvfree(c->add);
	c->add = NULL;
err_merged:
	kvfree(c->merged);
	c->merged = NULL;
err:
	return stmexec_fail(sx, -ENOMEM, "no memory for %u ranges", c->n);
}

/* The STM accepted PROTECT of c->seg: the mirror gains the nodes. */
static void protect_commit(struct stmexec_ranges *rs, struct sx_change *c)
{
	const struct stmexec_seg *sg;
	u32 i;

	for (i = 0; i < c->nseg; i++) {
		sg = &c->seg[i];
		c->add[i]->seg = *sg;
		c->add[i]->start = sg->start;
		c->add[i]->last = sg->last;
		node_it_insert(c->add[i], &rs->nodes[sg->space]);
		c->add[i] = NULL;
		rs->nnodes++;
		rs->ndesc += stmexec_seg_descs(sg);
		rs->nbytes += stmexec_seg_descs(sg) * stmexec_seg_desc_size(sg);
	}
	if (c->merged) {
		frames_merge(rs, c->frames, c->nfr, c->merged);
		c->merged = NULL;
	}
}

/*
 * UNPROTECT also sends the mirror nodes the difference kills, after
 * c->seg[0..c->nseg); see mirror_dying().
 */
static int unprotect_prepare(struct stmexec *sx, struct sx_change *c,
			     u32 nmirror)
{
	u32 i;

	if (!nmirror)
		return 0;
	c->dead = kvmalloc_array(nmirror, sizeof(*c->dead), GFP_KERNEL);
	if (!c->dead)
		return stmexec_fail(sx, -ENOMEM, "no memory for %u ranges",
				    c->n);
	c->ndead = mirror_dying(sx->ranges, c->seg, c->nseg, c->dead,
				nmirror);
	for (i = 0; i < c->ndead; i++)
		c->seg[c->nseg + i] = c->dead[i]->seg;
	return 0;
}

/* The STM accepted UNPROTECT: the mirror loses the dead nodes. */
static void unprotect_commit(struct stmexec_ranges *rs, struct sx_change *c)
{
	struct sx_node *nd;
	u32 i;

	for (i = 0; i < c->ndead; i++) {
		nd = c->dead[i];
		rs->ndesc -= stmexec_seg_descs(&nd->seg);
		rs->nbytes -= stmexec_seg_descs(&nd->seg) *
			      stmexec_seg_desc_size(&nd->seg);
		node_it_remove(nd, &rs->nodes[nd->seg.space]);
		kfree(nd);
		rs->nnodes--;
	}
}

static void change_free(struct sx_change *c)
{
	u32 i;

	kvfree(c->merged);
	kvfree(c->frames);
	for (i = 0; c->add && i < c->nseg; i++)
		kfree(c->add[i]);
	kvfree(c->add);
	kvfree(c->dead);
	kvfree(c->seg);
	kvfree(c->d.ev);
}

/*
 * PROTECT @c (its difference in c->seg) in the STM and the mirror; 0 if
 * the STM accepted or there was nothing to tell it.
 */
static int protect_send(struct stmexec *sx, struct sx_change *c)
{
	int ret;

	if (!c->nseg)
		return 0;
	ret = protect_prepare(sx, c);
	if (ret)
		return ret;
	ret = stmexec_rsc_apply(sx, true, c->seg, c->nseg);
	if (ret)
		return ret;
	protect_commit(sx->ranges, c);
	return 0;
}

/* Send the STM what adding @req[0..@n) to the held set denies. */
int sx_diff_protect(struct stmexec *sx, const struct stmexec_range *req, u32 n)
{
	struct sx_change c = { .req = req, .n = n };
	int ret;

	ret = diff_held(sx, &c, 0);
	if (ret)
		goto out;
	ret = protect_send(sx, &c);
out:
	change_free(&c);
	return ret;
}

/* Enable: send every held range @all[0..@n) to an STM that holds none. */
int sx_diff_reapply(struct stmexec *sx, const struct stmexec_range *all, u32 n)
{
	struct sx_change c = { .req = all, .n = n };
	int ret;

	ret = diff_fresh(sx, &c);
	if (ret)
		goto out;
	ret = protect_send(sx, &c);
out:
	change_free(&c);
	return ret;
}

/* Send the STM what removing the held ranges @rm[0..@n) re-grants. */
int sx_diff_unprotect(struct stmexec *sx, struct sx_held **rm, u32 n)
{
	struct sx_change c = { .rm = rm, .n = n };
	u32 nmirror = mirror_count(sx->ranges, rm, n);
	int ret;

	ret = diff_held(sx, &c, nmirror);
	if (ret || !c.nseg)
		goto out;
	ret = unprotect_prepare(sx, &c, nmirror);
	if (ret)
		goto out;
	ret = stmexec_rsc_apply(sx, false, c.seg, c.nseg + c.ndead);
	if (ret)
		goto out;
	unprotect_commit(sx->ranges, &c);
out:
	change_free(&c);
	return ret;
}
