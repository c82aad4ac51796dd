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
#include "features.h"
#include "ranges.h"

#include <linux/interval_tree_generic.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/sysfs.h>
#include <asm/msr.h>
#include <asm/processor.h>

/* ---- protect / unprotect ------------------------------------------------- */

/* Each entry on its own, and the state: may this request be sent at all? */
static int protect_precheck(struct stmexec *sx,
			    const struct stmexec_range *req, u32 n, u32 owner,
			    u32 *err_index)
{
	u32 i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = sx_range_check(sx, &req[i], i);
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
	return 0;
}

/* The request against the limit, the BIOS list, itself and the held set. */
static int protect_conflicts(struct stmexec *sx,
			     const struct stmexec_range *req, u32 n, u32 owner,
			     u32 *err_index, u32 *bios_index)
{
	struct stmexec_ranges *rs = sx->ranges;
	int ret;

	if (n > STMEXEC_MAX_RANGES - rs->count)
		return stmexec_fail(sx, -E2BIG,
				    "%u ranges held and %u requested: at most %u in total",
				    rs->count, n, STMEXEC_MAX_RANGES);
	ret = sx_check_bios(sx, req, n, err_index, bios_index);
	if (ret)
		return ret;
	ret = sx_check_request_dups(sx, req, n, err_index);
	if (ret)
		return ret;
	return sx_check_held_dups(sx, req, n, owner, err_index);
}

/* @n empty held entries, or NULL. */
static struct sx_held **held_alloc(u32 n)
{
	struct sx_held **add;
	u32 i;

	add = kvmalloc_array(n, sizeof(*add), GFP_KERNEL);
	if (!add)
		return NULL;
	for (i = 0; i < n; i++) {
		add[i] = kzalloc(sizeof(**add), GFP_KERNEL);
		if (!add[i])
			goto err_free;
	}
	return add;

err_free:
	while (i--)
		kfree(add[i]);
	kvfree(add);
	return NULL;
}

/* The STM said yes: @req joins the held set, in the entries of @add. */
static void held_insert(struct stmexec *sx, const struct stmexec_range *req,
			u32 n, u32 owner, struct sx_held **add)
{
	struct stmexec_ranges *rs = sx->ranges;
	u32 i;

	for (i = 0; i < n; i++) {
		add[i]->r = req[i];
		add[i]->r.flags = owner;
		add[i]->r.index = STMEXEC_NO_INDEX;
		range_key(&req[i], &add[i]->start, &add[i]->last);
		held_it_insert(add[i], &rs->tree[range_space(req[i].type)]);
	}
	rs->count += n;
	kvfree(add);
	if (!rs->quiet)
		stmexec_protection_changed(sx);
}

int stmexec_ranges_protect(struct stmexec *sx, const struct stmexec_range *req,
			   u32 n, u32 owner, u32 *err_index, u32 *bios_index)
{
	struct sx_held **add;
	u32 i;
	int ret;

	lockdep_assert_held(&sx->lock);
	*err_index = STMEXEC_NO_INDEX;
	*bios_index = STMEXEC_NO_INDEX;

	ret = protect_precheck(sx, req, n, owner, err_index);
	if (ret || !n)
		return ret;
	ret = protect_conflicts(sx, req, n, owner, err_index, bios_index);
	if (ret)
		return ret;

	/* Allocate before the VMCALL so that success cannot fail afterwards. */
	add = held_alloc(n);
	if (!add)
		return stmexec_fail(sx, -ENOMEM, "no memory for %u ranges", n);
	ret = sx_diff_protect(sx, req, n);
	if (ret)
		goto err_free;
	held_insert(sx, req, n, owner, add);
	return 0;

err_free:
	for (i = 0; i < n; i++)
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

/*
 * Where UNPROTECT may run: with the monitor on or off; the policy (@owner)
 * also removes its ranges while stopping and in the rollback of a failed
 * enable, from the held set only (policy.c).
 */
static int unprotect_state_check(struct stmexec *sx, u32 owner)
{
	if (sx->state == STMEXEC_STATE_ON || sx->state == STMEXEC_STATE_OFF)
		return 0;
	if (owner && (sx->state == STMEXEC_STATE_STOPPING ||
		      sx->state == STMEXEC_STATE_STARTING))
		return 0;
	return stmexec_fail(sx, -ENXIO,
			    "unprotecting needs the monitor on or off (state %s)",
			    stmexec_state_name(sx->state));
}

/* Why entry @i (@r) is not held by @owner; @similar is a near match. */
static int unprotect_not_held(struct stmexec *sx, const struct stmexec_range *r,
			      u32 i, u32 owner, struct sx_held *similar)
{
	struct sx_held *psim;
	char txt[96], held[96];

	stmexec_range_format(txt, sizeof(txt), r, false);
	if (!owner &&
	    (held_find(sx->ranges, r, STMEXEC_RF_POLICY, &psim) || psim))
		return stmexec_fail(sx, -EPERM,
				    "range %u (%s) belongs to the default policy: it goes away with disable, or with a lower policy= at the next enable",
				    i, txt);
	if (similar) {
		stmexec_range_format(held, sizeof(held), &similar->r, false);
		return stmexec_fail(sx, -ENOENT,
				    "range %u (%s) is not protected; it is held as '%s'",
				    i, txt, held);
	}
	return stmexec_fail(sx, -ENOENT,
			    "range %u (%s) is not protected: see the ranges file for what is",
			    i, txt);
}

/*
 * The held entries of @owner that @req[0..@n) names, into @rm, each marked
 * removing (the caller unmarks them on failure); a failure names the entry
 * in *@err_index.
 */
static int unprotect_find(struct stmexec *sx, const struct stmexec_range *req,
			  u32 n, u32 owner, struct sx_held **rm,
			  u32 *err_index)
{
	struct sx_held *similar;
	u32 i;

	for (i = 0; i < n; i++) {
		rm[i] = held_find(sx->ranges, &req[i], owner, &similar);
		if (!rm[i]) {
			*err_index = i;
			return unprotect_not_held(sx, &req[i], i, owner,
						  similar);
		}
		if (rm[i]->removing) {
			*err_index = i;
			return stmexec_fail(sx, -EEXIST,
					    "range %u is listed twice in the request; list it once",
					    i);
		}
		rm[i]->removing = true;
	}
	return 0;
}

int stmexec_ranges_unprotect(struct stmexec *sx,
			     const struct stmexec_range *req, u32 n, u32 owner,
			     u32 *err_index)
{
	struct stmexec_ranges *rs = sx->ranges;
	struct sx_held **rm;
	u32 i;
	int ret;

	lockdep_assert_held(&sx->lock);
	*err_index = STMEXEC_NO_INDEX;

	for (i = 0; i < n; i++) {
		ret = sx_range_check(sx, &req[i], i);
		if (ret) {
			*err_index = i;
			return ret;
		}
	}
	ret = unprotect_state_check(sx, owner);
	if (ret || !n)
		return ret;

	rm = kvcalloc(n, sizeof(*rm), GFP_KERNEL);
	if (!rm)
		return stmexec_fail(sx, -ENOMEM, "no memory for %u ranges", n);
	ret = unprotect_find(sx, req, n, owner, rm, err_index);
	if (ret)
		goto out_unmark;
	/* While off the STM holds nothing: only the held set changes. */
	if (sx->state == STMEXEC_STATE_ON) {
		ret = sx_diff_unprotect(sx, rm, n);
		if (ret)
			goto out_unmark;
	}

	for (i = 0; i < n; i++) {
		held_it_remove(rm[i], &rs->tree[range_space(rm[i]->r.type)]);
		kfree(rm[i]);
	}
	rs->count -= n;
	if (!rs->quiet)
		stmexec_protection_changed(sx);
	kvfree(rm);
	return 0;

out_unmark:
	for (i = 0; i < n && rm[i]; i++)
		rm[i]->removing = false;
	kvfree(rm);
	return ret;
}

u32 stmexec_ranges_count(struct stmexec *sx)
{
	return sx->ranges ? sx->ranges->count : 0;
}

u32 stmexec_ranges_list(struct stmexec *sx, struct stmexec_range *out, u32 cap)
{
	struct stmexec_ranges *rs = sx->ranges;
	struct sx_held *h = NULL;
	int space = 0;
	u32 n = 0;

	lockdep_assert_held(&sx->lock);
	while ((h = sx_held_next(rs, &space, h))) {
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
	sx_mirror_clear(rs);	/* the STM starts with an empty database */
	if (!rs->count)
		return 0;
	all = kvmalloc_array(rs->count, sizeof(*all), GFP_KERNEL);
	if (!all)
		return stmexec_fail(sx, -ENOMEM,
				    "no memory to re-apply %u protected ranges",
				    rs->count);
	n = stmexec_ranges_list(sx, all, rs->count);

	/* The BIOS list may have changed since the ranges were added. */
	ret = sx_check_bios(sx, all, n, &err_index, &bios_index);
	if (ret) {
		char txt[96];

		stmexec_range_format(txt, sizeof(txt), &all[err_index], false);
		ret = stmexec_fail(sx, ret,
				   "held range '%s' now overlaps BIOS resource %u; unprotect it (allowed while off) and enable again",
				   txt, bios_index);
		goto out;
	}
	ret = sx_diff_reapply(sx, all, n);
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
	sx_mirror_clear(sx->ranges);
}

const struct stmexec_hook stmexec_ranges_hook = {
	.name = "ranges",
	.on_start = stmexec_ranges_on_start,
	.on_stop = stmexec_ranges_on_stop,
};

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

/* ---- init / fini ---------------------------------------------------------- */

int stmexec_ranges_init(struct stmexec *sx)
{
	struct stmexec_ranges *rs;
	int i;

	rs = kzalloc(sizeof(*rs), GFP_KERNEL);
	if (!rs)
		return -ENOMEM;
	if (stmexec_rsc_init(&rs->rsc_page)) {
		kfree(rs);
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
	sx_mirror_clear(rs);
	stmexec_rsc_fini(&rs->rsc_page);
	kfree(rs);
	sx->ranges = NULL;
}
