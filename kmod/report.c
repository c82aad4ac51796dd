// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: the SMM isolation report.
 *
 * The report compares the BIOS resource list (what firmware claims) and the
 * active protections (what the module holds) with the isolation
 * requirements below. The level reached is the highest L such that every
 * requirement of levels 1..L holds; every descriptor that makes a
 * requirement fail is named. Definitions, the text format and the
 * canonical encoding are in Documentation/admin-guide/stmexec-policy.rst;
 * the tables here and there must agree.
 *
 * The report is recomputed under sx->lock after every change of the active
 * protections (enable, disable, PROTECT/UNPROTECT, a module coming or
 * going) and cached with its canonical encoding and SHA-256 digest, which
 * the attestation code measures. Readers copy the cache under sx->report->lock.
 *
 * The canonical encoding leaves out everything that differs between boots
 * of the same machine with the same inputs: no kernel or module addresses
 * (KASLR, allocation), only the sizes and deny bits of each policy class.
 * The BIOS list is encoded byte for byte; user ranges exactly.
 */
#include "stmexec.h"
#include "backend.h"
#include "features.h"
#include "report.h"

#include <linux/acpi.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <asm/msr-index.h>
#include <crypto/sha2.h>

/* ---- canonical encoding ---------------------------------------------------------- */

#define REP_MAGIC	"STMXREP1"
#define REP_VERSION	1

enum {
	TAG_STM = 1,
	TAG_BIOS = 2,
	TAG_POLICY = 3,
	TAG_CLASSES = 4,
	TAG_EXACT = 5,
	TAG_USER = 6,
	TAG_RESULT = 7,
};

#define REP_STM_SIMULATED	0x1
#define REP_STM_ON		0x2

struct enc {
	u8 *p;
	size_t len, cap;
	size_t sec;	/* offset of the open section's header */
	int err;
};

static void enc_put(struct enc *e, const void *d, size_t n)
{
	if (e->err)
		return;
	if (e->len + n > e->cap) {
		size_t cap = max(e->cap * 2, e->len + n + 4096);
		u8 *p = kvmalloc(cap, GFP_KERNEL);

		if (!p) {
			e->err = -ENOMEM;
			return;
		}
		if (e->len)
			memcpy(p, e->p, e->len);
		kvfree(e->p);
		e->p = p;
		e->cap = cap;
	}
	if (d)
		memcpy(e->p + e->len, d, n);
	else
		memset(e->p + e->len, 0, n);
	e->len += n;
}

static void enc_u8(struct enc *e, u8 v)
{
	enc_put(e, &v, 1);
}

static void enc_u32(struct enc *e, u32 v)
{
	__le32 x = cpu_to_le32(v);

	enc_put(e, &x, sizeof(x));
}

static void enc_u64(struct enc *e, u64 v)
{
	__le64 x = cpu_to_le64(v);

	enc_put(e, &x, sizeof(x));
}

static void sec_begin(struct enc *e, u32 tag)
{
	e->sec = e->len;
	enc_u32(e, tag);
	enc_u32(e, 0);		/* length, patched by sec_end() */
}

static void sec_end(struct enc *e)
{
	__le32 len;

	if (e->err)
		return;
	len = cpu_to_le32(e->len - e->sec - 8);
	memcpy(e->p + e->sec + 4, &len, sizeof(len));
	enc_put(e, NULL, ALIGN(e->len, 8) - e->len);
}

/* Bytes of the flattened BIOS list up to and including its END. */
static size_t bios_bytes(struct stmexec *sx)
{
	const u8 *p = sx->bios_list;
	size_t off = 0;

	if (!p)
		return 0;
	while (off + sizeof(struct stm_rsc_desc_header) <= sx->bios_list_len) {
		const struct stm_rsc_desc_header *h = (const void *)(p + off);

		if (h->rsc_type == STM_END_OF_RESOURCES)
			return min_t(size_t, off + STM_RSC_END_SIZE,
				     sx->bios_list_len);
		if (!h->length)
			break;
		off += h->length;
	}
	return min(off, sx->bios_list_len);
}

static void enc_bios(struct enc *e, struct stmexec *sx, bool on)
{
	size_t n = on ? bios_bytes(sx) : 0;

	sec_begin(e, TAG_BIOS);
	if (n) {
		size_t end = e->len + n - STM_RSC_END_SIZE;

		enc_put(e, sx->bios_list, n);
		/* A flattened list ends with a fresh END: no continuation. */
		if (!e->err && n >= STM_RSC_END_SIZE &&
		    ((struct stm_rsc_desc_header *)(e->p + end))->rsc_type ==
		    STM_END_OF_RESOURCES)
			memset(e->p + end + 8, 0, 8);
	}
	sec_end(e);
}

static int cmp_range(const void *a, const void *b)
{
	const struct stmexec_range *x = a, *y = b;

	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->base != y->base)
		return x->base < y->base ? -1 : 1;
	if (x->length != y->length)
		return x->length < y->length ? -1 : 1;
	if (x->access != y->access)
		return x->access < y->access ? -1 : 1;
	if (x->pci_bus != y->pci_bus)
		return x->pci_bus < y->pci_bus ? -1 : 1;
	if (x->pci_dev != y->pci_dev)
		return x->pci_dev < y->pci_dev ? -1 : 1;
	return x->pci_fn < y->pci_fn ? -1 : x->pci_fn > y->pci_fn;
}

static void enc_classes(struct enc *e, const struct stmexec_policy *pol)
{
	struct stmexec_pmod *pm;
	u32 c, i;

	sec_begin(e, TAG_CLASSES);
	for (c = 0; c < STMEXEC_PC_NR; c++) {
		u32 type = 0, deny = 0, count = 0;
		u64 units = 0;

		if (c == STMEXEC_PC_MODULE) {
			list_for_each_entry(pm, &pol->mods, node) {
				type = STMEXEC_RANGE_MEM;
				deny = STMEXEC_ACC_W | STMEXEC_ACC_X;
				count++;
				units += pm->bytes;
			}
		}
		for (i = 0; i < pol->nitems; i++) {
			const struct stmexec_pitem *it = &pol->items[i];

			if (it->pclass != c)
				continue;
			type = it->r.type;
			deny |= it->r.access;
			if (it->r.type == STMEXEC_RANGE_MSR ||
			    it->r.type == STMEXEC_RANGE_IO)
				count++;
			units += it->r.length;
		}
		enc_u32(e, c);
		enc_u32(e, type);
		enc_u32(e, deny);
		enc_u32(e, count);
		enc_u64(e, units);
	}
	sec_end(e);
}

/* The policy's MSR and I/O items, exactly (already sorted by class/type). */
static void enc_exact(struct enc *e, const struct stmexec_policy *pol)
{
	u32 i;

	sec_begin(e, TAG_EXACT);
	for (i = 0; i < pol->nitems; i++) {
		const struct stmexec_range *r = &pol->items[i].r;

		if (r->type != STMEXEC_RANGE_MSR && r->type != STMEXEC_RANGE_IO)
			continue;
		enc_u32(e, r->type);
		enc_u32(e, r->access);
		enc_u64(e, r->base);
		enc_u64(e, r->length);
	}
	sec_end(e);
}

static void enc_user(struct enc *e, struct stmexec_range *user, u32 nu)
{
	u32 i;

	sort(user, nu, sizeof(*user), cmp_range, NULL);
	sec_begin(e, TAG_USER);
	for (i = 0; i < nu; i++) {
		enc_u32(e, user[i].type);
		enc_u32(e, user[i].access);
		enc_u64(e, user[i].base);
		enc_u64(e, user[i].length);
		enc_u8(e, user[i].pci_bus);
		enc_u8(e, user[i].pci_dev);
		enc_u8(e, user[i].pci_fn);
		enc_u8(e, 0);
		enc_u32(e, 0);
	}
	sec_end(e);
}

static int cmp_blocker(const void *a, const void *b)
{
	const struct blocker *x = a, *y = b;

	if (x->rq != y->rq)
		return x->rq < y->rq ? -1 : 1;
	if (x->bios != y->bios)
		return x->bios < y->bios ? -1 : 1;
	return 0;
}

static void encode(struct enc *e, struct stmexec *sx, struct eval *ev,
		   struct stmexec_range *user, u32 nu)
{
	struct stmexec_policy *pol = sx->pol;
	u32 i;

	enc_put(e, REP_MAGIC, 8);
	enc_u32(e, REP_VERSION);
	enc_u32(e, 0);		/* total length, patched below */

	sec_begin(e, TAG_STM);
	enc_u32(e, sx->ops ? sx->ops->id : 0);
	enc_u32(e, ev->on ? sx->launch_mode : 0);
	enc_u32(e, ev->on ? sx->stm_caps : 0);
	enc_u32(e, (sx->sim_stm ? REP_STM_SIMULATED : 0) |
		   (ev->on ? REP_STM_ON : 0));
	sec_end(e);

	enc_bios(e, sx, ev->on);

	sec_begin(e, TAG_POLICY);
	enc_u32(e, ev->on ? pol->requested : 0);
	enc_u32(e, ev->on ? pol->level : 0);
	enc_u32(e, ev->on ? pol->conflict_fail : 0);
	enc_u32(e, ev->on ? pol->lowered_by : NO_BIOS);
	sec_end(e);

	enc_classes(e, pol);
	enc_exact(e, pol);
	enc_user(e, user, ev->on ? nu : 0);

	sort(ev->blk, ev->nblk, sizeof(ev->blk[0]), cmp_blocker, NULL);
	sec_begin(e, TAG_RESULT);
	enc_u32(e, ev->level);
	enc_u32(e, ev->held_mask);
	enc_u32(e, ev->nblk);
	enc_u32(e, RQ_NR);
	for (i = 0; i < ev->nblk; i++) {
		enc_u32(e, ev->blk[i].rq);
		enc_u32(e, ev->blk[i].bios);
	}
	sec_end(e);

	if (!e->err) {
		__le32 len = cpu_to_le32(e->len);

		memcpy(e->p + 12, &len, sizeof(len));
	}
}

/* ---- the cache ---------------------------------------------------------------------- */

/**
 * struct stmexec_report - the cached report (sx->report)
 * @lock: @enc to @gen (readers copy under it; taken inside sx->lock)
 * @enc: canonical encoding, or NULL before the first update
 * @enc_len: bytes in @enc
 * @text: text form, or NULL
 * @text_len: bytes in @text
 * @digest: SHA-256 of @enc
 * @level: isolation level reached
 * @gen: updates so far
 * @dirty: the cache is stale, recomputed by the next reader (sx->lock)
 * @nb: subscription to sx->changed
 *
 * Allocated by stmexec_report_init(), freed by stmexec_report_fini().
 */
struct stmexec_report {
	struct mutex lock;	/* see the kernel-doc above */
	void *enc;
	size_t enc_len;
	char *text;
	size_t text_len;
	u8 digest[SHA256_DIGEST_SIZE];
	u32 level;
	u64 gen;
	bool dirty;
	struct notifier_block nb;
};

/* sx->changed: the active protections changed; sx->lock held. */
static int report_changed(struct notifier_block *nb, unsigned long action,
			  void *data)
{
	struct stmexec_report *rep = container_of(nb, struct stmexec_report,
						  nb);

	rep->dirty = true;
	return NOTIFY_OK;
}

/*
 * With a policy active: the held ranges into ev->held (@held) and the
 * user's among them (not the policy's) into @user.
 */
static int report_collect(struct stmexec *sx, struct eval *ev,
			  struct stmexec_range **held,
			  struct stmexec_range **user, u32 *nu)
{
	u32 nh, i;

	if (!sx->pol->active)
		return 0;
	ev->bios = sx->bios;
	ev->nb = sx->nbios;
	nh = stmexec_ranges_count(sx);
	*held = kvcalloc(max(nh, 1U), sizeof(**held), GFP_KERNEL);
	*user = kvcalloc(max(nh, 1U), sizeof(**user), GFP_KERNEL);
	if (!*held || !*user)
		return -ENOMEM;
	nh = min(stmexec_ranges_list(sx, *held, nh), nh);
	for (i = 0; i < nh; i++)
		if (!((*held)[i].flags & STMEXEC_RF_POLICY))
			(*user)[(*nu)++] = (*held)[i];
	ev->held = *held;
	ev->nh = nh;
	return 0;
}

/* Evaluate, encode, digest and write the text of the report. */
static int report_build(struct stmexec *sx, struct eval *ev,
			struct stmexec_range *user, u32 nu, struct enc *e,
			struct txt *t, u8 *digest)
{
	int ret;

	ret = sx_report_evaluate(sx, ev);
	if (ret)
		return ret;
	encode(e, sx, ev, user, nu);
	if (e->err)
		return e->err;
	sha256(e->p, e->len, digest);
	sx_report_text(t, sx, ev, digest);
	return t->err;
}

/* The new report replaces the cached one; the old buffers end in @e, @t. */
static void report_publish(struct stmexec_report *rep, struct enc *e,
			   struct txt *t, const u8 *digest, u32 level)
{
	mutex_lock(&rep->lock);
	swap(rep->enc, e->p);
	rep->enc_len = e->len;
	swap(rep->text, t->p);
	rep->text_len = t->len;
	memcpy(rep->digest, digest, sizeof(rep->digest));
	rep->level = level;
	rep->gen++;
	mutex_unlock(&rep->lock);
	rep->dirty = false;
}

static void eval_free(struct eval *ev)
{
	kvfree(ev->wx.iv);
	kvfree(ev->rwx.iv);
	kvfree(ev->ram);
	kvfree(ev->mon);
	kvfree(ev);
}

static int report_update(struct stmexec *sx)
{
	struct stmexec_range *held = NULL, *user = NULL;
	struct eval *ev;
	struct enc e = { 0 };
	struct txt t = { 0 };
	u8 digest[SHA256_DIGEST_SIZE];
	u32 nu = 0;
	int ret;

	lockdep_assert_held(&sx->lock);
	ev = kvzalloc(sizeof(*ev), GFP_KERNEL);
	if (!ev)
		return -ENOMEM;
	ret = report_collect(sx, ev, &held, &user, &nu);
	if (!ret)
		ret = report_build(sx, ev, user, nu, &e, &t, digest);
	if (!ret)
		report_publish(sx->report, &e, &t, digest, ev->level);
	else
		pr_err("isolation report not updated: %pe\n", ERR_PTR(ret));
	kvfree(e.p);
	kvfree(t.p);
	eval_free(ev);
	kvfree(held);
	kvfree(user);
	return ret;
}

int stmexec_report_refresh(struct stmexec *sx, bool intr)
{
	int ret = 0;

	if (intr) {
		if (stmexec_lock_interruptible(sx))
			return -ERESTARTSYS;
	} else {
		mutex_lock(&sx->lock);
	}
	if (sx->report->dirty)
		ret = report_update(sx);
	mutex_unlock(&sx->lock);
	return ret;
}

int stmexec_report_init(struct stmexec *sx)
{
	struct stmexec_report *rep;

	rep = kzalloc(sizeof(*rep), GFP_KERNEL);
	if (!rep)
		return -ENOMEM;
	mutex_init(&rep->lock);
	rep->dirty = true;
	rep->nb.notifier_call = report_changed;
	rep->nb.priority = 1;		/* before the attestation's */
	sx->report = rep;
	stmexec_protection_notifier(sx, &rep->nb, true);
	return 0;
}

void stmexec_report_fini(struct stmexec *sx)
{
	struct stmexec_report *rep = sx->report;

	if (!rep)
		return;
	stmexec_protection_notifier(sx, &rep->nb, false);
	kvfree(rep->enc);
	kvfree(rep->text);
	mutex_destroy(&rep->lock);
	kfree(rep);
	sx->report = NULL;
}

u32 stmexec_report_level(struct stmexec *sx)
{
	struct stmexec_report *rep = sx->report;
	u32 level;

	mutex_lock(&rep->lock);
	level = rep->level;
	mutex_unlock(&rep->lock);
	return level;
}

void *stmexec_report_copy(struct stmexec *sx, size_t *len, u8 digest[32],
			  u64 *gen)
{
	struct stmexec_report *rep = sx->report;
	void *p = NULL;

	mutex_lock(&rep->lock);
	if (rep->enc) {
		p = kvmalloc(rep->enc_len, GFP_KERNEL);
		if (p) {
			memcpy(p, rep->enc, rep->enc_len);
			*len = rep->enc_len;
			memcpy(digest, rep->digest, SHA256_DIGEST_SIZE);
			*gen = rep->gen;
		}
	}
	mutex_unlock(&rep->lock);
	return p;
}

/* A copy of the text (@canonical false) or the encoding, or NULL. */
void *stmexec_report_snapshot(struct stmexec *sx, bool canonical, size_t *len)
{
	struct stmexec_report *rep = sx->report;
	const void *src;
	void *p = NULL;

	mutex_lock(&rep->lock);
	src = canonical ? rep->enc : rep->text;
	*len = canonical ? rep->enc_len : rep->text_len;
	if (src) {
		p = kvmalloc(*len, GFP_KERNEL);
		if (p)
			memcpy(p, src, *len);
	}
	mutex_unlock(&rep->lock);
	return p;
}

/* ---- sysfs -------------------------------------------------------------------- */

static ssize_t isolation_level_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	struct stmexec *sx = stmexec_from_dev(dev);
	int ret = stmexec_report_refresh(sx, true);

	if (ret)
		return ret;
	return sysfs_emit(buf, "%u\n", stmexec_report_level(sx));
}

/*
 * The report itself (text and canonical encoding, many lines and binary)
 * is not a sysfs value: it is served from securityfs stmexec/ (attest.c),
 * as the kernel's other measurement logs are.
 */
static DEVICE_ATTR_RO(isolation_level);

static struct attribute *report_attrs[] = {
	&dev_attr_isolation_level.attr,
	NULL,
};

const struct attribute_group stmexec_report_group = {
	.attrs = report_attrs,
};
