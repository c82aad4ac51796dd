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
 * the attestation code measures. Readers copy the cache under rep.lock.
 *
 * The canonical encoding leaves out everything that differs between boots
 * of the same machine with the same inputs: no kernel or module addresses
 * (KASLR, allocation), only the sizes and deny bits of each policy class.
 * The BIOS list is encoded byte for byte; user ranges exactly.
 */
#include "stmexec.h"

#include <linux/acpi.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <asm/msr-index.h>
#include <crypto/sha2.h>

/* ---- requirements ------------------------------------------------------------ */

enum {
	RQ_MONITOR,		/* R1.1 */
	RQ_KIMAGE,		/* R1.2 */
	RQ_MODULES,		/* R1.3 */
	RQ_BIOS_KWRITE,		/* R1.4 */
	RQ_BIOS_OSRAM,		/* R2.1 */
	RQ_OSRAM,		/* R2.2 */
	RQ_BIOS_MSR_W,		/* R3.1 */
	RQ_BIOS_MSR_R,		/* R3.2 */
	RQ_MSR,			/* R3.3 */
	RQ_BIOS_IO,		/* R4.1 */
	RQ_NR
};

static const struct {
	const char *id;
	const char *name;
	u8 level;
	u8 policy;	/* level of policy= that makes it hold, 0: BIOS only */
} rq[RQ_NR] = {
	[RQ_MONITOR] = { "R1.1", "monitor-memory-denied", 1,
			 STMEXEC_POLICY_MONITOR },
	[RQ_KIMAGE] = { "R1.2", "kernel-image-denied", 1,
			STMEXEC_POLICY_KERNEL },
	[RQ_MODULES] = { "R1.3", "modules-denied", 1, STMEXEC_POLICY_KERNEL },
	[RQ_BIOS_KWRITE] = { "R1.4", "bios-claims-no-kernel-write", 1, 0 },
	[RQ_BIOS_OSRAM] = { "R2.1", "bios-claims-no-os-ram", 2, 0 },
	[RQ_OSRAM] = { "R2.2", "os-ram-denied", 2, STMEXEC_POLICY_ISOLATED },
	[RQ_BIOS_MSR_W] = { "R3.1", "bios-claims-no-critical-msr-write", 3, 0 },
	[RQ_BIOS_MSR_R] = { "R3.2", "bios-claims-no-sensitive-msr-read", 3, 0 },
	[RQ_MSR] = { "R3.3", "critical-msrs-denied", 3, STMEXEC_POLICY_KERNEL },
	[RQ_BIOS_IO] = { "R4.1", "bios-io-within-named-set", 4, 0 },
};

#define RQ_MAX_LEVEL	4
#define NO_BIOS		0xffffffffU	/* blocker: the policy, not the BIOS */

/* R3.1: a BIOS write claim on one of these blocks level 3. */
static const u32 msr_critical[] = {
	MSR_IA32_SPEC_CTRL, MSR_IA32_FEAT_CTL, 0x9b /* SMM_MONITOR_CTL */,
	0x9e /* SMBASE */, MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP,
	MSR_IA32_SYSENTER_EIP, 0x1f2 /* SMRR_PHYSBASE */,
	0x1f3 /* SMRR_PHYSMASK */, MSR_IA32_CR_PAT,
	0x4e0 /* SMM_FEATURE_CONTROL */, MSR_EFER, MSR_STAR, MSR_LSTAR,
	MSR_CSTAR, MSR_SYSCALL_MASK, MSR_FS_BASE, MSR_GS_BASE,
	MSR_KERNEL_GS_BASE,
};

/* R3.2: a BIOS read claim on one of these blocks level 3. */
static const u32 msr_sensitive[] = {
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK, MSR_FS_BASE,
	MSR_GS_BASE, MSR_KERNEL_GS_BASE,
};

/* R3.3: the held set must deny writes of these (policy kernel). */
static const u32 msr_denied[] = {
	MSR_IA32_FEAT_CTL, 0x9b /* SMM_MONITOR_CTL */, MSR_STAR, MSR_LSTAR,
	MSR_CSTAR, MSR_SYSCALL_MASK, MSR_KERNEL_GS_BASE,
};

static bool in_list(const u32 *list, size_t n, u32 v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i] == v)
			return true;
	return false;
}

/* ---- coverage by the held set ----------------------------------------------- */

/* Union of the held MEM/MMIO ranges denying at least some bits, merged. */
struct cover {
	u64 (*iv)[2];
	u32 n;
};

static int cmp_iv(const void *a, const void *b)
{
	const u64 *x = a, *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return 0;
}

static int cover_build(struct cover *c, const struct stmexec_range *held,
		       u32 nh, u32 bits)
{
	u32 i, n = 0;

	c->iv = kvcalloc(max(nh, 1U), sizeof(*c->iv), GFP_KERNEL);
	c->n = 0;
	if (!c->iv)
		return -ENOMEM;
	for (i = 0; i < nh; i++) {
		if ((held[i].type != STMEXEC_RANGE_MEM &&
		     held[i].type != STMEXEC_RANGE_MMIO) ||
		    (held[i].access & bits) != bits)
			continue;
		c->iv[n][0] = held[i].base;
		c->iv[n][1] = held[i].base + held[i].length;
		n++;
	}
	sort(c->iv, n, sizeof(*c->iv), cmp_iv, NULL);
	for (i = 0, c->n = 0; i < n; i++) {
		if (c->n && c->iv[i][0] <= c->iv[c->n - 1][1]) {
			c->iv[c->n - 1][1] = max(c->iv[c->n - 1][1], c->iv[i][1]);
			continue;
		}
		c->iv[c->n][0] = c->iv[i][0];
		c->iv[c->n][1] = c->iv[i][1];
		c->n++;
	}
	return 0;
}

/* Is every byte of [s, e) denied? */
static bool covered(const struct cover *c, u64 s, u64 e)
{
	u32 lo = 0, hi = c->n;

	if (s >= e)
		return true;
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (c->iv[mid][1] <= s)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->n && c->iv[lo][0] <= s && c->iv[lo][1] >= e;
}

static bool msr_held(const struct stmexec_range *held, u32 nh, u32 msr,
		     u32 bits)
{
	u32 i;

	for (i = 0; i < nh; i++)
		if (held[i].type == STMEXEC_RANGE_MSR && held[i].base == msr &&
		    (held[i].access & bits) == bits)
			return true;
	return false;
}

/* ---- evaluation ---------------------------------------------------------------- */

#define MAX_BLOCKERS	256

struct blocker {
	u32 rq;
	u32 bios;
};

struct eval {
	bool on;
	u32 held_mask;
	u32 level;
	u32 nblk;
	struct blocker blk[MAX_BLOCKERS];
	/* inputs */
	const struct stmexec_range *bios;
	u32 nb;
	const struct stmexec_range *held;
	u32 nh;
	struct stmexec_extent *ram;
	int nram;
	struct cover wx, rwx;
	/* monitor regions, for R1.1 and R1.4 */
	u64 (*mon)[2];
	u32 nmon, capmon;
};

static void blame(struct eval *ev, u32 r, u32 bios)
{
	u32 i;

	for (i = 0; i < ev->nblk; i++)
		if (ev->blk[i].rq == r && ev->blk[i].bios == bios)
			return;
	if (ev->nblk < MAX_BLOCKERS)
		ev->blk[ev->nblk++] = (struct blocker){ r, bios };
}

/* A requirement that the policy makes hold failed: who is to blame. */
static void blame_policy(struct eval *ev, u32 r)
{
	struct stmexec_policy *pol = &stmexec_pol;

	/* The descriptor that lowered the level, if the request sufficed. */
	blame(ev, r, pol->requested >= rq[r].policy ? pol->lowered_by :
						      NO_BIOS);
}

static int mon_region(void *arg, u64 pa, u64 len, const char *what)
{
	struct eval *ev = arg;

	if (ev->nmon == ev->capmon) {
		u32 cap = max(32U, ev->capmon * 2);
		u64 (*n)[2] = kvcalloc(cap, sizeof(*n), GFP_KERNEL);

		if (!n)
			return -ENOMEM;
		if (ev->nmon)
			memcpy(n, ev->mon, ev->nmon * sizeof(*n));
		kvfree(ev->mon);
		ev->mon = n;
		ev->capmon = cap;
	}
	ev->mon[ev->nmon][0] = round_down(pa, PAGE_SIZE);
	ev->mon[ev->nmon][1] = round_up(pa + len, PAGE_SIZE);
	ev->nmon++;
	return 0;
}

static bool overlaps(u64 s1, u64 e1, u64 s2, u64 e2)
{
	return s1 < e2 && s2 < e1;
}

static u64 bios_end(const struct stmexec_range *b)
{
	u64 e;

	if (check_add_overflow(b->base, b->length, &e))
		return U64_MAX;
	return e;
}

/* Does BIOS memory descriptor @b touch kernel, module or monitor memory? */
static bool bios_touches_kernel(struct eval *ev, const struct stmexec_range *b)
{
	struct stmexec_klayout *kl = &stmexec_pol.kl;
	u64 s = b->base, e = bios_end(b);
	struct stmexec_pmod *pm;
	u32 i;

	if (kl->valid && (overlaps(s, e, kl->code[0], kl->code[1]) ||
			  overlaps(s, e, kl->rodata[0], kl->rodata[1])))
		return true;
	for (i = 0; i < ev->nmon; i++)
		if (overlaps(s, e, ev->mon[i][0], ev->mon[i][1]))
			return true;
	list_for_each_entry(pm, &stmexec_pol.mods, node)
		for (i = 0; i < pm->n; i++)
			if (overlaps(s, e, pm->r[i].base,
				     pm->r[i].base + pm->r[i].length))
				return true;
	return false;
}

static void check_reqs(struct stmexec *sx, struct eval *ev)
{
	struct stmexec_policy *pol = &stmexec_pol;
	struct stmexec_klayout *kl = &pol->kl;
	struct stmexec_pmod *pm;
	bool ok[RQ_NR];
	u32 i, j, lvl;

	memset(ok, 1, sizeof(ok));

	/* R1.1: the monitor's own memory, deny rwx. */
	for (i = 0; i < ev->nmon; i++)
		if (!covered(&ev->rwx, ev->mon[i][0], ev->mon[i][1]))
			ok[RQ_MONITOR] = false;
	/* R1.2: the kernel image, deny wx. */
	if (!kl->valid ||
	    !covered(&ev->wx, round_down(kl->code[0], PAGE_SIZE),
		     round_up(kl->code[1], PAGE_SIZE)) ||
	    !covered(&ev->wx, round_down(kl->rodata[0], PAGE_SIZE),
		     round_up(kl->rodata[1], PAGE_SIZE)))
		ok[RQ_KIMAGE] = false;
	/* R1.3: every live module, deny wx, nothing left out. */
	if (!stmexec_policy_protects_modules())
		ok[RQ_MODULES] = false;
	list_for_each_entry(pm, &pol->mods, node) {
		if (pm->skipped) {
			ok[RQ_MODULES] = false;
			if (pm->skipped_bios != ~0U)
				blame(ev, RQ_MODULES, pm->skipped_bios);
		}
		for (j = 0; j < pm->n; j++)
			if (!covered(&ev->wx, pm->r[j].base,
				     pm->r[j].base + pm->r[j].length))
				ok[RQ_MODULES] = false;
	}
	/* R2.2: all System RAM, deny rwx. */
	for (i = 0; i < (u32)ev->nram; i++)
		if (!covered(&ev->rwx, round_up(ev->ram[i].start, PAGE_SIZE),
			     round_down(ev->ram[i].end, PAGE_SIZE)))
			ok[RQ_OSRAM] = false;
	/* R3.3: the kernel-critical MSRs, deny w. */
	for (i = 0; i < ARRAY_SIZE(msr_denied); i++)
		if (!msr_held(ev->held, ev->nh, msr_denied[i], STMEXEC_ACC_W))
			ok[RQ_MSR] = false;
	for (i = 0; i < RQ_NR; i++)
		if (!ok[i] && rq[i].policy)
			blame_policy(ev, i);

	/* The BIOS list. */
	for (i = 0; i < ev->nb; i++) {
		const struct stmexec_range *b = &ev->bios[i];

		if (b->flags & STMEXEC_RF_IGNORED)
			continue;
		switch (b->type) {
		case STMEXEC_RANGE_ALL:
			ok[RQ_BIOS_KWRITE] = false;
			blame(ev, RQ_BIOS_KWRITE, i);
			ok[RQ_BIOS_OSRAM] = false;
			blame(ev, RQ_BIOS_OSRAM, i);
			ok[RQ_BIOS_MSR_W] = false;
			blame(ev, RQ_BIOS_MSR_W, i);
			ok[RQ_BIOS_MSR_R] = false;
			blame(ev, RQ_BIOS_MSR_R, i);
			ok[RQ_BIOS_IO] = false;
			blame(ev, RQ_BIOS_IO, i);
			break;
		case STMEXEC_RANGE_MEM:
		case STMEXEC_RANGE_MMIO:
			if (!b->length)
				break;
			if ((b->access & (STMEXEC_ACC_W | STMEXEC_ACC_X)) &&
			    bios_touches_kernel(ev, b)) {
				ok[RQ_BIOS_KWRITE] = false;
				blame(ev, RQ_BIOS_KWRITE, i);
			}
			for (j = 0; j < (u32)ev->nram; j++) {
				if (overlaps(b->base, bios_end(b),
					     ev->ram[j].start,
					     ev->ram[j].end)) {
					ok[RQ_BIOS_OSRAM] = false;
					blame(ev, RQ_BIOS_OSRAM, i);
					break;
				}
			}
			break;
		case STMEXEC_RANGE_MSR:
			if ((b->access & STMEXEC_ACC_W) &&
			    in_list(msr_critical, ARRAY_SIZE(msr_critical),
				    b->base)) {
				ok[RQ_BIOS_MSR_W] = false;
				blame(ev, RQ_BIOS_MSR_W, i);
			}
			if ((b->access & STMEXEC_ACC_R) &&
			    in_list(msr_sensitive, ARRAY_SIZE(msr_sensitive),
				    b->base)) {
				ok[RQ_BIOS_MSR_R] = false;
				blame(ev, RQ_BIOS_MSR_R, i);
			}
			break;
		case STMEXEC_RANGE_IO:
		case STMEXEC_RANGE_TRAPPED_IO:
			if (b->length && !stmexec_io_in_named_set(b->base, b->length)) {
				ok[RQ_BIOS_IO] = false;
				blame(ev, RQ_BIOS_IO, i);
			}
			break;
		}
	}

	ev->held_mask = 0;
	for (i = 0; i < RQ_NR; i++)
		if (ok[i])
			ev->held_mask |= BIT(i);
	for (lvl = 1; lvl <= RQ_MAX_LEVEL; lvl++) {
		for (i = 0; i < RQ_NR; i++)
			if (rq[i].level == lvl && !ok[i])
				break;
		if (i < RQ_NR)
			break;
	}
	ev->level = lvl - 1;
}

static int evaluate(struct stmexec *sx, struct eval *ev)
{
	int ret;

	ev->on = stmexec_pol.active;
	if (!ev->on)
		return 0;
	ret = cover_build(&ev->wx, ev->held, ev->nh,
			  STMEXEC_ACC_W | STMEXEC_ACC_X);
	if (!ret)
		ret = cover_build(&ev->rwx, ev->held, ev->nh,
				  STMEXEC_ACC_R | STMEXEC_ACC_W | STMEXEC_ACC_X);
	if (ret)
		return ret;
	ev->nram = stmexec_system_ram(&ev->ram);
	if (ev->nram < 0)
		return ev->nram;
	ret = stmexec_for_each_region(sx, mon_region, ev);
	if (ret)
		return ret;
	check_reqs(sx, ev);
	return 0;
}

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

static void enc_classes(struct enc *e)
{
	struct stmexec_policy *pol = &stmexec_pol;
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
static void enc_exact(struct enc *e)
{
	struct stmexec_policy *pol = &stmexec_pol;
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
	struct stmexec_policy *pol = &stmexec_pol;
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

	enc_classes(e);
	enc_exact(e);
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

/* ---- text ------------------------------------------------------------------------ */

struct txt {
	char *p;
	size_t len, cap;
	int err;
};

static __printf(2, 3) void tx(struct txt *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->err)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->p ? t->p + t->len : NULL,
			      t->p ? t->cap - t->len : 0, fmt, ap);
		va_end(ap);
		if (t->p && t->len + n < t->cap) {
			t->len += n;
			return;
		}
		{
			size_t cap = max(t->cap * 2, t->len + n + 4096);
			char *p = kvmalloc(cap, GFP_KERNEL);

			if (!p) {
				t->err = -ENOMEM;
				return;
			}
			if (t->len)
				memcpy(p, t->p, t->len);
			kvfree(t->p);
			t->p = p;
			t->cap = cap;
		}
	}
}

static void tx_blocker(struct txt *t, struct eval *ev, u32 bios,
		       const char *lead)
{
	char btxt[128];

	if (bios == NO_BIOS) {
		tx(t, "%spolicy %s in force", lead,
		   stmexec_policy_name(stmexec_pol.level));
		return;
	}
	if (bios < ev->nb)
		stmexec_range_format(btxt, sizeof(btxt), &ev->bios[bios], true);
	else
		strscpy(btxt, "?", sizeof(btxt));
	tx(t, "%sBIOS resource %u: %s", lead, bios, btxt);
}

static void text(struct txt *t, struct stmexec *sx, struct eval *ev,
		 const u8 *digest)
{
	struct stmexec_policy *pol = &stmexec_pol;
	u32 i, k, next = ev->level + 1;

	tx(t, "state: %s\n", ev->on ? "on" : "off");
	if (ev->on) {
		tx(t, "policy: %s (requested %s, policy_conflict=%s",
		   stmexec_policy_name(pol->level),
		   stmexec_policy_name(pol->requested),
		   pol->conflict_fail ? "fail" : "lower");
		if (pol->lowered_by != ~0U)
			tx(t, ", lowered by BIOS resource %u", pol->lowered_by);
		tx(t, ")\n");
	} else {
		tx(t, "policy: %s (applies at the next enable)\n",
		   stmexec_policy_name(stmexec_policy_param()));
	}
	tx(t, "level: %u\n", ev->level);
	tx(t, "digest: sha256:%*phN\n", SHA256_DIGEST_SIZE, digest);
	if (!ev->on)
		return;
	for (i = 0; i < RQ_NR; i++) {
		bool held = ev->held_mask & BIT(i);

		tx(t, "%s L%u %s: %s\n", rq[i].id, rq[i].level, rq[i].name,
		   held ? "held" : "violated");
		if (held)
			continue;
		for (k = 0; k < ev->nblk; k++) {
			if (ev->blk[k].rq != i)
				continue;
			tx_blocker(t, ev, ev->blk[k].bios, "  ");
			if (ev->blk[k].bios == NO_BIOS && rq[i].policy)
				tx(t, ", needs policy %s",
				   stmexec_policy_name(rq[i].policy));
			tx(t, "\n");
		}
	}
	/*
	 * What R1.2/R1.3 do not claim (kmod-review F19): only text, rodata
	 * and ro_after_init of the image and of modules are denied.
	 */
	tx(t, "%s",
	   "not covered by R1.2/R1.3: BPF JIT images, ftrace/kprobe/static-call trampolines, page tables, kernel and module data (.data, .bss, heap: function pointers, the IDT)\n");
	if (next > RQ_MAX_LEVEL)
		return;
	for (k = 0; k < ev->nblk; k++) {
		if (rq[ev->blk[k].rq].level != next)
			continue;
		tx(t, "blocks L%u: %s ", next, rq[ev->blk[k].rq].id);
		tx_blocker(t, ev, ev->blk[k].bios, "");
		tx(t, "\n");
	}
}

/* ---- the cache ---------------------------------------------------------------------- */

static struct {
	struct mutex lock;	/* the fields below */
	void *enc;
	size_t enc_len;
	char *text;
	size_t text_len;
	u8 digest[SHA256_DIGEST_SIZE];
	u32 level;
	u64 gen;
} rep = { .lock = __MUTEX_INITIALIZER(rep.lock) };

/* Under sx->lock: the cache is stale from now on (recomputed when read). */
static bool rep_dirty = true;

/* sx->changed: the active protections changed; sx->lock held. */
static int report_changed(struct notifier_block *nb, unsigned long action,
			  void *data)
{
	rep_dirty = true;
	return NOTIFY_OK;
}

static struct notifier_block report_nb = {
	.notifier_call = report_changed,
	.priority = 1,		/* before the attestation's */
};

static int report_update(struct stmexec *sx)
{
	struct stmexec_range *held = NULL, *user = NULL, *bios = NULL;
	struct eval *ev;
	struct enc e = { 0 };
	struct txt t = { 0 };
	u8 digest[SHA256_DIGEST_SIZE];
	u32 nh = 0, nu = 0, i;
	int ret, nb;

	lockdep_assert_held(&sx->lock);
	ev = kvzalloc(sizeof(*ev), GFP_KERNEL);
	if (!ev)
		return -ENOMEM;
	if (stmexec_pol.active) {
		nb = stmexec_bios_decode(sx, NULL, 0);
		if (nb > 0) {
			bios = kvcalloc(nb, sizeof(*bios), GFP_KERNEL);
			if (!bios) {
				ret = -ENOMEM;
				goto out;
			}
			ev->nb = stmexec_bios_decode(sx, bios, nb);
		}
		nh = stmexec_ranges_count(sx);
		held = kvcalloc(max(nh, 1U), sizeof(*held), GFP_KERNEL);
		user = kvcalloc(max(nh, 1U), sizeof(*user), GFP_KERNEL);
		if (!held || !user) {
			ret = -ENOMEM;
			goto out;
		}
		nh = min(stmexec_ranges_list(sx, held, nh), nh);
		for (i = 0; i < nh; i++)
			if (!(held[i].flags & STMEXEC_RF_POLICY))
				user[nu++] = held[i];
	}
	ev->bios = bios;
	ev->held = held;
	ev->nh = nh;
	ret = evaluate(sx, ev);
	if (ret)
		goto out;
	encode(&e, sx, ev, user, nu);
	ret = e.err;
	if (ret)
		goto out;
	sha256(e.p, e.len, digest);
	text(&t, sx, ev, digest);
	ret = t.err;
	if (ret)
		goto out;

	mutex_lock(&rep.lock);
	swap(rep.enc, e.p);
	rep.enc_len = e.len;
	swap(rep.text, t.p);
	rep.text_len = t.len;
	memcpy(rep.digest, digest, sizeof(digest));
	rep.level = ev->level;
	rep.gen++;
	mutex_unlock(&rep.lock);
	rep_dirty = false;
out:
	if (ret)
		pr_err("isolation report not updated: %pe\n", ERR_PTR(ret));
	kvfree(e.p);
	kvfree(t.p);
	kvfree(ev->wx.iv);
	kvfree(ev->rwx.iv);
	kvfree(ev->ram);
	kvfree(ev->mon);
	kvfree(ev);
	kvfree(bios);
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
	if (rep_dirty)
		ret = report_update(sx);
	mutex_unlock(&sx->lock);
	return ret;
}

int stmexec_report_init(struct stmexec *sx)
{
	stmexec_protection_notifier(sx, &report_nb, true);
	return 0;
}

void stmexec_report_fini(struct stmexec *sx)
{
	stmexec_protection_notifier(sx, &report_nb, false);
	mutex_lock(&rep.lock);
	kvfree(rep.enc);
	rep.enc = NULL;
	kvfree(rep.text);
	rep.text = NULL;
	mutex_unlock(&rep.lock);
}

u32 stmexec_report_level(void)
{
	u32 level;

	mutex_lock(&rep.lock);
	level = rep.level;
	mutex_unlock(&rep.lock);
	return level;
}

void *stmexec_report_copy(size_t *len, u8 digest[32], u64 *gen)
{
	void *p = NULL;

	mutex_lock(&rep.lock);
	if (rep.enc) {
		p = kvmalloc(rep.enc_len, GFP_KERNEL);
		if (p) {
			memcpy(p, rep.enc, rep.enc_len);
			*len = rep.enc_len;
			memcpy(digest, rep.digest, SHA256_DIGEST_SIZE);
			*gen = rep.gen;
		}
	}
	mutex_unlock(&rep.lock);
	return p;
}

/* A copy of the text (@canonical false) or the encoding, or NULL. */
void *stmexec_report_snapshot(bool canonical, size_t *len)
{
	const void *src;
	void *p = NULL;

	mutex_lock(&rep.lock);
	src = canonical ? rep.enc : rep.text;
	*len = canonical ? rep.enc_len : rep.text_len;
	if (src) {
		p = kvmalloc(*len, GFP_KERNEL);
		if (p)
			memcpy(p, src, *len);
	}
	mutex_unlock(&rep.lock);
	return p;
}

static ssize_t window(const void *src, size_t len, char *buf, loff_t off,
		      size_t count)
{
	if (!src || off >= len)
		return 0;
	count = min_t(size_t, count, len - off);
	memcpy(buf, src + off, count);
	return count;
}

ssize_t stmexec_report_text(char *buf, loff_t off, size_t count)
{
	ssize_t n;

	mutex_lock(&rep.lock);
	n = window(rep.text, rep.text_len, buf, off, count);
	mutex_unlock(&rep.lock);
	return n;
}

ssize_t stmexec_report_canonical(char *buf, loff_t off, size_t count)
{
	ssize_t n;

	mutex_lock(&rep.lock);
	n = window(rep.enc, rep.enc_len, buf, off, count);
	mutex_unlock(&rep.lock);
	return n;
}

/* ---- sysfs -------------------------------------------------------------------- */

static ssize_t isolation_level_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	struct stmexec *sx = stmexec_from_dev(dev);
	int ret = stmexec_report_refresh(sx, true);

	if (ret)
		return ret;
	return sysfs_emit(buf, "%u\n", stmexec_report_level());
}

static ssize_t isolation_report_read(struct file *filp, struct kobject *kobj,
				     struct bin_attribute *attr, char *buf,
				     loff_t off, size_t count)
{
	int ret = off ? 0 : stmexec_report_refresh(stmexec_from_dev(kobj_to_dev(kobj)),
						   true);

	return ret ?: stmexec_report_text(buf, off, count);
}

static ssize_t isolation_report_canonical_read(struct file *filp,
					       struct kobject *kobj,
					       struct bin_attribute *attr,
					       char *buf, loff_t off,
					       size_t count)
{
	int ret = off ? 0 : stmexec_report_refresh(stmexec_from_dev(kobj_to_dev(kobj)),
						   true);

	return ret ?: stmexec_report_canonical(buf, off, count);
}

static DEVICE_ATTR_RO(isolation_level);
static BIN_ATTR_ADMIN_RO(isolation_report, 0);
static BIN_ATTR_ADMIN_RO(isolation_report_canonical, 0);

static struct attribute *report_attrs[] = {
	&dev_attr_isolation_level.attr,
	NULL,
};

static struct bin_attribute *report_bin_attrs[] = {
	&bin_attr_isolation_report,
	&bin_attr_isolation_report_canonical,
	NULL,
};

const struct attribute_group stmexec_report_group = {
	.attrs = report_attrs,
	.bin_attrs = report_bin_attrs,
};
