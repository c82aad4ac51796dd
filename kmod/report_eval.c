// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: what the isolation report says: the requirements R1.1-R4.1 and
 * their levels, their evaluation against the held ranges, the policy and
 * the BIOS list (who blocks which level), and the report's text form.
 * See report.c and Documentation/admin-guide/stmexec-policy.rst.
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

/* ---- requirements ------------------------------------------------------------ */

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

/* R3.1: a BIOS write claim on one of these blocks level 3. */
static const u32 msr_critical[] = {
	MSR_IA32_SPEC_CTRL, MSR_IA32_FEAT_CTL, MSR_IA32_SMM_MONITOR_CTL,
	MSR_IA32_SMBASE, MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP,
	MSR_IA32_SYSENTER_EIP, MSR_IA32_SMRR_PHYSBASE, MSR_IA32_SMRR_PHYSMASK,
	MSR_IA32_CR_PAT, MSR_SMM_FEATURE_CONTROL, MSR_EFER, MSR_STAR,
	MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK, MSR_FS_BASE, MSR_GS_BASE,
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
	MSR_IA32_SMM_MONITOR_CTL, MSR_STAR, MSR_LSTAR, MSR_SYSCALL_MASK,
	MSR_KERNEL_GS_BASE,
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
	const struct stmexec_policy *pol = ev->pol;

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
	if (strcmp(what, "module text"))
		ev->nmon_core = ev->nmon;
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
	const struct stmexec_klayout *kl = &ev->pol->kl;
	u64 s = b->base, e = bios_end(b);
	struct stmexec_pmod *pm;
	u32 i;

	if (kl->valid && (overlaps(s, e, kl->code[0], kl->code[1]) ||
			  overlaps(s, e, kl->rodata[0], kl->rodata[1])))
		return true;
	for (i = 0; i < ev->nmon; i++)
		if (overlaps(s, e, ev->mon[i][0], ev->mon[i][1]))
			return true;
	list_for_each_entry(pm, &ev->pol->mods, node)
		for (i = 0; i < pm->n; i++)
			if (overlaps(s, e, pm->r[i].base,
				     pm->r[i].base + pm->r[i].length))
				return true;
	return false;
}

/*
 * The requirements the policy makes hold (rq[].policy != 0), each true if
 * the held set denies what it names.
 */

/*
 * R1.1: the monitor's own memory, deny rwx. At kernel and above the
 * module's own text follows the other modules (R1.3, policy.c).
 */
static bool monitor_denied(struct stmexec *sx, struct eval *ev)
{
	u32 i, nmon = ev->nmon;

	if (ev->pol->level >= STMEXEC_POLICY_KERNEL &&
	    !stmexec_policy_protects_modules(sx))
		nmon = ev->nmon_core;
	for (i = 0; i < nmon; i++)
		if (!covered(&ev->rwx, ev->mon[i][0], ev->mon[i][1]))
			return false;
	return true;
}

/* R1.2: the kernel image, deny wx. */
static bool kimage_denied(struct stmexec *sx, struct eval *ev)
{
	const struct stmexec_klayout *kl = &ev->pol->kl;

	return kl->valid &&
	       covered(&ev->wx, round_down(kl->code[0], PAGE_SIZE),
		       round_up(kl->code[1], PAGE_SIZE)) &&
	       covered(&ev->wx, round_down(kl->rodata[0], PAGE_SIZE),
		       round_up(kl->rodata[1], PAGE_SIZE));
}

/*
 * R1.3: every live module, deny wx, nothing left out. A module the BIOS
 * list kept out blames that descriptor.
 */
static bool modules_denied(struct stmexec *sx, struct eval *ev)
{
	bool ok = stmexec_policy_protects_modules(sx);
	struct stmexec_pmod *pm;
	u32 j;

	list_for_each_entry(pm, &ev->pol->mods, node) {
		if (pm->skipped) {
			ok = false;
			if (pm->skipped_bios != NO_BIOS)
				blame(ev, RQ_MODULES, pm->skipped_bios);
		}
		for (j = 0; j < pm->n; j++)
			if (!covered(&ev->wx, pm->r[j].base,
				     pm->r[j].base + pm->r[j].length))
				ok = false;
	}
	return ok;
}

/* R2.2: all System RAM, deny rwx. */
static bool osram_denied(struct stmexec *sx, struct eval *ev)
{
	u32 i;

	for (i = 0; i < (u32)ev->nram; i++)
		if (!covered(&ev->rwx, round_up(ev->ram[i].start, PAGE_SIZE),
			     round_down(ev->ram[i].end, PAGE_SIZE)))
			return false;
	return true;
}

/* R3.3: the kernel-critical MSRs, deny w. */
static bool msrs_denied(struct stmexec *sx, struct eval *ev)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(msr_denied); i++)
		if (!msr_held(ev->held, ev->nh, msr_denied[i], STMEXEC_ACC_W))
			return false;
	return true;
}

static const struct {
	u32 rq;
	bool (*holds)(struct stmexec *sx, struct eval *ev);
} policy_reqs[] = {
	{ RQ_MONITOR, monitor_denied },
	{ RQ_KIMAGE, kimage_denied },
	{ RQ_MODULES, modules_denied },
	{ RQ_OSRAM, osram_denied },
	{ RQ_MSR, msrs_denied },
};

/* The requirements the policy does not make hold; each blamed. */
static u32 check_policy_reqs(struct stmexec *sx, struct eval *ev)
{
	u32 i, failed = 0;

	for (i = 0; i < ARRAY_SIZE(policy_reqs); i++)
		if (!policy_reqs[i].holds(sx, ev))
			failed |= BIT(policy_reqs[i].rq);
	for (i = 0; i < RQ_NR; i++)
		if ((failed & BIT(i)) && rq[i].policy)
			blame_policy(ev, i);
	return failed;
}

/* R1.4, R2.1: a BIOS memory descriptor. */
static u32 bios_mem_blocks(struct eval *ev, const struct stmexec_range *b)
{
	u32 j, blocks = 0;

	if (!b->length)
		return 0;
	if ((b->access & (STMEXEC_ACC_W | STMEXEC_ACC_X)) &&
	    bios_touches_kernel(ev, b))
		blocks |= BIT(RQ_BIOS_KWRITE);
	for (j = 0; j < (u32)ev->nram; j++) {
		if (overlaps(b->base, bios_end(b), ev->ram[j].start,
			     ev->ram[j].end)) {
			blocks |= BIT(RQ_BIOS_OSRAM);
			break;
		}
	}
	return blocks;
}

/* R3.1, R3.2: a BIOS MSR descriptor. */
static u32 bios_msr_blocks(const struct stmexec_range *b)
{
	u32 blocks = 0;

	if ((b->access & STMEXEC_ACC_W) &&
	    in_list(msr_critical, ARRAY_SIZE(msr_critical), b->base))
		blocks |= BIT(RQ_BIOS_MSR_W);
	if ((b->access & STMEXEC_ACC_R) &&
	    in_list(msr_sensitive, ARRAY_SIZE(msr_sensitive), b->base))
		blocks |= BIT(RQ_BIOS_MSR_R);
	return blocks;
}

/* The requirements BIOS descriptor @b blocks, as a mask of BIT(RQ_*). */
static u32 bios_blocks(struct stmexec *sx, struct eval *ev,
		       const struct stmexec_range *b)
{
	if (b->flags & STMEXEC_RF_IGNORED)
		return 0;
	switch (b->type) {
	case STMEXEC_RANGE_ALL:
		return BIT(RQ_BIOS_KWRITE) | BIT(RQ_BIOS_OSRAM) |
		       BIT(RQ_BIOS_MSR_W) | BIT(RQ_BIOS_MSR_R) |
		       BIT(RQ_BIOS_IO);
	case STMEXEC_RANGE_MEM:
	case STMEXEC_RANGE_MMIO:
		return bios_mem_blocks(ev, b);
	case STMEXEC_RANGE_MSR:
		return bios_msr_blocks(b);
	case STMEXEC_RANGE_IO:
	case STMEXEC_RANGE_TRAPPED_IO:
		/* R4.1 */
		if (b->length &&
		    !stmexec_io_in_named_set(sx, b->base, b->length))
			return BIT(RQ_BIOS_IO);
		return 0;
	}
	return 0;
}

/*
 * The requirements the BIOS list blocks, each blamed on its descriptors
 * (in requirement order per descriptor: the RQ_* order is the report's).
 */
static u32 check_bios_list(struct stmexec *sx, struct eval *ev)
{
	u32 i, r, failed = 0;

	for (i = 0; i < ev->nb; i++) {
		u32 blocks = bios_blocks(sx, ev, &ev->bios[i]);

		for (r = 0; r < RQ_NR; r++)
			if (blocks & BIT(r))
				blame(ev, r, i);
		failed |= blocks;
	}
	return failed;
}

/* The highest level whose requirements, and those of every level below, hold. */
static u32 held_level(u32 held_mask)
{
	u32 i, lvl;

	for (lvl = 1; lvl <= RQ_MAX_LEVEL; lvl++)
		for (i = 0; i < RQ_NR; i++)
			if (rq[i].level == lvl && !(held_mask & BIT(i)))
				return lvl - 1;
	return RQ_MAX_LEVEL;
}

static void check_reqs(struct stmexec *sx, struct eval *ev)
{
	u32 failed;

	failed = check_policy_reqs(sx, ev);
	failed |= check_bios_list(sx, ev);
	ev->held_mask = GENMASK(RQ_NR - 1, 0) & ~failed;
	ev->level = held_level(ev->held_mask);
}

int sx_report_evaluate(struct stmexec *sx, struct eval *ev)
{
	int ret;

	ev->pol = sx->pol;
	ev->on = sx->pol->active;
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
	ret = stmexec_walk_regions(sx, mon_region, ev);
	if (ret)
		return ret;
	check_reqs(sx, ev);
	return 0;
}

/* ---- text ------------------------------------------------------------------------ */

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
		   stmexec_policy_name(ev->pol->level));
		return;
	}
	if (bios < ev->nb)
		stmexec_range_format(btxt, sizeof(btxt), &ev->bios[bios], true);
	else
		strscpy(btxt, "?", sizeof(btxt));
	tx(t, "%sBIOS resource %u: %s", lead, bios, btxt);
}

void sx_report_text(struct txt *t, struct stmexec *sx, struct eval *ev,
		    const u8 *digest)
{
	struct stmexec_policy *pol = sx->pol;
	u32 i, k, next = ev->level + 1;

	tx(t, "state: %s\n", ev->on ? "on" : "off");
	if (ev->on) {
		tx(t, "policy: %s (requested %s, policy_conflict=%s",
		   stmexec_policy_name(pol->level),
		   stmexec_policy_name(pol->requested),
		   pol->conflict_fail ? "fail" : "lower");
		if (pol->lowered_by != STMEXEC_NO_INDEX)
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
