// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: the default protection policy.
 *
 * At every enable (stmexec_policy_on_start(), after the BIOS resource list
 * is known and before any CPU STARTs) the level named by policy= is turned
 * into ranges owned by STMEXEC_RF_POLICY:
 *
 *   monitor   the monitor's own memory (stmexec_walk_regions(): VMXON
 *             regions, activation VMCSs, the BIOS-list buffer, the module
 *             text) and the module's rodata/ro_after_init: deny rwx
 *   kernel    + the kernel text and rodata (from the kernel image mapping,
 *             page-aligned) and, with policy_modules=on, the
 *             text/rodata/ro_after_init of every module from
 *             MODULE_STATE_COMING (always at isolated and above): deny wx;
 *             the syscall-entry MSRs, KERNEL_GS_BASE, FEATURE_CONTROL
 *             and SMM_MONITOR_CTL: deny w (never EFER: see msr_rules)
 *   isolated  + every page of System RAM the BIOS list does not claim:
 *             deny rwx; the save-state-sensitive MSRs: deny r as well,
 *             SPEC_CTRL: deny w
 *   strict    + the legacy reset and keyboard-controller ports 0xcf9,
 *             0x60, 0x64: deny rw
 *
 * A range the BIOS list claims is never dropped silently: the ranges code
 * refuses the whole request with -EADDRINUSE naming the descriptor, and
 * then either the level is lowered by one and tried again, with the reason
 * logged (policy_conflict=lower, the default), or the enable fails with
 * that error (policy_conflict=fail). The levels and the report are
 * documented in Documentation/admin-guide/stmexec-policy.rst.
 *
 * The kernel image sections come from the kernel image mapping
 * (stmexec_kernel_layout()): walk_iomem_res_desc(), the exported walker,
 * never reports the "Kernel code"/"Kernel rodata" children of System RAM,
 * and reading /proc/iomem from the module would depend on the caller's
 * namespace and credentials and follow a bind mount (kmod-review F10).
 *
 * Everything here runs under sx->lock.
 */
#include "stmexec.h"
#include "features.h"

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/ioport.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/vmalloc.h>
#include <asm/msr-index.h>
#include <asm/page.h>
#include <asm/pgtable.h>

/* ---- module parameters ---------------------------------------------------- */

static unsigned int param_policy = STMEXEC_POLICY_KERNEL;
static bool param_conflict_fail;
static bool param_modules;

/*
 * Per-module protection at the kernel level is opt-in: every live module
 * costs the STM a descriptor per physically contiguous run of its pages
 * (and an EPT split each), far beyond what a real STM's heap holds on a
 * distribution kernel (Documentation/admin-guide/stmexec-policy.rst, "The
 * STM node budget"). At isolated and above the OS-RAM ranges already deny
 * the modules' pages, so their ranges cost the STM nothing: always on.
 */
module_param_named(policy_modules, param_modules, bool, 0644);
MODULE_PARM_DESC(policy_modules,
		 "policy=kernel also protects every module's text/rodata (default N: each costs STM heap); applies at the next enable");

module_param_cb(policy, &stmexec_policy_param_ops, &param_policy, 0644);
MODULE_PARM_DESC(policy,
		 "default protection: none, monitor, kernel (default), isolated, strict; applies at the next enable");

module_param_cb(policy_conflict, &stmexec_conflict_param_ops, &param_conflict_fail, 0644);
MODULE_PARM_DESC(policy_conflict,
		 "when the BIOS list claims a policy range: lower (default: lower the level, logged) or fail (enable fails with EADDRINUSE)");

/* ---- building the item list -------------------------------------------------- */

struct pbuild {
	struct stmexec_pitem *it;
	u32 n, cap;
	int err;
};

static void pb_add(struct pbuild *b, u32 pclass, u32 type, u64 base,
		   u64 length, u32 deny)
{
	struct stmexec_pitem *it;

	if (b->err || !length)
		return;
	if (b->n == b->cap) {
		u32 cap = max(64U, b->cap * 2);

		it = kvmalloc_array(cap, sizeof(*it), GFP_KERNEL);
		if (!it) {
			b->err = -ENOMEM;
			return;
		}
		if (b->n)
			memcpy(it, b->it, b->n * sizeof(*it));
		kvfree(b->it);
		b->it = it;
		b->cap = cap;
	}
	it = &b->it[b->n++];
	memset(it, 0, sizeof(*it));
	it->pclass = pclass;
	it->r.type = type;
	it->r.base = base;
	it->r.length = length;
	it->r.access = deny;
}

/* Whole pages covering [pa, pa + len). */
static void pb_add_pages(struct pbuild *b, u32 pclass, u64 pa, u64 len,
			 u32 deny)
{
	u64 s = round_down(pa, PAGE_SIZE), e = round_up(pa + len, PAGE_SIZE);

	pb_add(b, pclass, STMEXEC_RANGE_MEM, s, e - s, deny);
}

#define DENY_RWX	(STMEXEC_ACC_R | STMEXEC_ACC_W | STMEXEC_ACC_X)
#define DENY_WX		(STMEXEC_ACC_W | STMEXEC_ACC_X)
#define DENY_RW		(STMEXEC_ACC_R | STMEXEC_ACC_W)

/*
 * The module's own text, rodata and ro_after_init are vmalloc pages, one
 * descriptor per physically contiguous run: anything from 1 to 60 STM
 * nodes, different at every load. At kernel and above they follow the
 * rule of every other module (policy_modules=on at kernel, always at
 * isolated): while the other modules' code is SMM-writable, SMM can
 * rewrite this module from ring 0 through them anyway. At monitor they are
 * always protected. Documentation/admin-guide/stmexec-policy.rst, "The STM
 * node budget".
 */
struct mon_build {
	struct pbuild *b;
	bool self;
};

static int monitor_region(void *arg, u64 pa, u64 len, const char *what)
{
	struct mon_build *mb = arg;

	if (mb->self || strcmp(what, "module text"))
		pb_add_pages(mb->b, STMEXEC_PC_MONITOR, pa, len, DENY_RWX);
	return 0;
}

/* The module's own rodata and ro_after_init (the text is a region). */
static void add_self_ro(struct pbuild *b)
{
	unsigned long size, off;
	unsigned int part;
	void *base;
	bool text;

	for (part = 0; part < STMEXEC_MOD_RO_PARTS; part++) {
		stmexec_module_ro_part(THIS_MODULE, part, &base, &size, &text);
		if (text)
			continue;
		for (off = 0; off < size; off += PAGE_SIZE)
			pb_add(b, STMEXEC_PC_MONITOR, STMEXEC_RANGE_MEM,
			       PFN_PHYS(vmalloc_to_pfn(base + off)), PAGE_SIZE,
			       DENY_RWX);
	}
}

/*
 * Pages the module shares with the STM that the STM reads but SMM has no
 * business with (kmod-review F7): the PROTECT/UNPROTECT list page and the
 * log request page, deny rwx. Not here: the log pages (the STM writes them
 * through its own page tables, so deny would be possible, but LOG_SETUP
 * replaces them while the monitor is on), the VMCS-database request page,
 * and the module's .data, .bss and heap; the OS-RAM ranges of isolated and
 * above cover them all (Documentation/admin-guide/stmexec-policy.rst).
 */
static void add_shared_pages(struct stmexec *sx, struct pbuild *b)
{
	u64 pa = stmexec_rsc_page_pa(sx);

	if (pa)
		pb_add_pages(b, STMEXEC_PC_MONITOR, pa, PAGE_SIZE, DENY_RWX);
	pa = stmexec_log_req_pa(sx);
	if (pa)
		pb_add_pages(b, STMEXEC_PC_MONITOR, pa, PAGE_SIZE, DENY_RWX);
}

struct msr_rule {
	u32 msr;
	u8 level;
	u8 deny;
};

/*
 * MSRs the policy denies to SMM, and the level that does it. The reason
 * for each, and for the MSRs left out, is in the admin guide's table
 * (Documentation/admin-guide/stmexec-policy.rst, "Default MSRs"). In short:
 * deny only what VMX does not switch for the SMM guest anyway and what no
 * firmware SMI entry/exit path writes. The real STMs turn a denied write
 * into a protection exception, and coreboot registers no handler for it
 * (hang or platform reset), so never deny a write the firmware makes:
 *  - IA32_EFER: coreboot's x86_64 smm_stub.S and EDK II's _StmSmiHandler
 *    (SmiEntry.nasm) write it on every SMI; it is switched through the
 *    VMCS as well. Never denied.
 *  - IA32_MISC_ENABLE: EDK II's SMI entry writes it (XD disable). Never
 *    denied.
 *  - SYSENTER_CS/ESP/EIP and PAT: guest-state fields of the SMM VMCS
 *    (SDM Vol. 3C 25.4.1, 28.3.1), restored when the STM resumes the
 *    executive monitor: a write by SMM does not reach the OS. SYSENTER_*
 *    are only read-denied (isolated and above: they hold kernel text
 *    addresses).
 * Left out because a deny would cost an STM node and protect nothing
 * (the node budget):
 *  - IA32_FEATURE_CONTROL: VMXON requires its lock bit (SDM Vol. 3C 24.7),
 *    so while the monitor is on it is locked, and WRMSR to a locked
 *    FEATURE_CONTROL #GPs until reset, in SMM too (SDM Vol. 4, 0x3a).
 *  - CSTAR: the STM is Intel-only, and Intel CPUs have no SYSCALL in
 *    compatibility mode; the MSR has no effect there (Linux does not even
 *    write it on Intel: wrmsrl_cstar() in arch/x86/kernel/cpu/common.c).
 */
static const struct msr_rule msr_rules[] = {
	/* not VMCS-switched: SMM could turn off the OS's mitigations */
	{ MSR_IA32_SPEC_CTRL, STMEXEC_POLICY_ISOLATED, STMEXEC_ACC_W },
	/* the dual-monitor activation itself (SDM 34.15.5) */
	{ MSR_IA32_SMM_MONITOR_CTL, STMEXEC_POLICY_KERNEL,
	  STMEXEC_ACC_W },
	{ MSR_IA32_SYSENTER_CS, STMEXEC_POLICY_ISOLATED, STMEXEC_ACC_R },
	{ MSR_IA32_SYSENTER_ESP, STMEXEC_POLICY_ISOLATED, STMEXEC_ACC_R },
	{ MSR_IA32_SYSENTER_EIP, STMEXEC_POLICY_ISOLATED, STMEXEC_ACC_R },
	/* syscall entry points: not in the VMCS, a write is kernel control */
	{ MSR_STAR, STMEXEC_POLICY_KERNEL, STMEXEC_ACC_W },
	{ MSR_LSTAR, STMEXEC_POLICY_KERNEL, STMEXEC_ACC_W },
	{ MSR_SYSCALL_MASK, STMEXEC_POLICY_KERNEL, STMEXEC_ACC_W },
	/* swapgs target: not in the VMCS, a write redirects per-CPU data */
	{ MSR_KERNEL_GS_BASE, STMEXEC_POLICY_KERNEL, STMEXEC_ACC_W },
};

/* Save-state-sensitive MSRs: at isolated and above also deny reads. */
static bool msr_read_sensitive(u32 msr)
{
	switch (msr) {
	case MSR_STAR:
	case MSR_LSTAR:
	case MSR_SYSCALL_MASK:
	case MSR_KERNEL_GS_BASE:
	case MSR_IA32_SYSENTER_CS:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		return true;
	}
	return false;
}

static void add_msrs(struct pbuild *b, u32 level)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(msr_rules); i++) {
		u32 deny = msr_rules[i].deny;

		if (level < msr_rules[i].level)
			continue;
		if (level >= STMEXEC_POLICY_ISOLATED &&
		    msr_read_sensitive(msr_rules[i].msr))
			deny |= STMEXEC_ACC_R;
		pb_add(b, STMEXEC_PC_MSR, STMEXEC_RANGE_MSR, msr_rules[i].msr, 1,
		       deny);
	}
}

/* System RAM extents (top-level, locked walk). */
static int cmp_u64pair(const void *a, const void *b)
{
	const u64 *x = a, *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return 0;
}

/*
 * All System RAM pages that no (non-ignored) BIOS MEM/MMIO descriptor
 * touches; an ALL_RESOURCES descriptor leaves nothing.
 */
static void add_os_ram(struct pbuild *b, const struct stmexec_range *bios,
		       u32 nb)
{
	struct stmexec_extent *ram = NULL;
	u64 (*claim)[2] = NULL;
	u32 i, j, nc = 0;
	int nr;

	for (i = 0; i < nb; i++)
		if (!(bios[i].flags & STMEXEC_RF_IGNORED) &&
		    bios[i].type == STMEXEC_RANGE_ALL)
			return;
	nr = stmexec_system_ram(&ram);
	if (nr < 0) {
		b->err = nr;
		return;
	}
	claim = kvcalloc(max(nb, 1U), sizeof(*claim), GFP_KERNEL);
	if (!claim) {
		b->err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nb; i++) {
		const struct stmexec_range *r = &bios[i];
		u64 end;

		if ((r->flags & STMEXEC_RF_IGNORED) || !r->length ||
		    (r->type != STMEXEC_RANGE_MEM &&
		     r->type != STMEXEC_RANGE_MMIO))
			continue;
		if (check_add_overflow(r->base, r->length, &end))
			end = U64_MAX;
		claim[nc][0] = round_down(r->base, PAGE_SIZE);
		claim[nc][1] = end > U64_MAX - PAGE_SIZE ? U64_MAX :
			       round_up(end, PAGE_SIZE);
		nc++;
	}
	sort(claim, nc, sizeof(*claim), cmp_u64pair, NULL);

	for (i = 0; i < (u32)nr; i++) {
		u64 s = round_up(ram[i].start, PAGE_SIZE);
		u64 e = round_down(ram[i].end, PAGE_SIZE);

		for (j = 0; j < nc && s < e; j++) {
			if (claim[j][1] <= s || claim[j][0] >= e)
				continue;
			if (claim[j][0] > s)
				pb_add(b, STMEXEC_PC_OSRAM, STMEXEC_RANGE_MEM, s,
				       claim[j][0] - s, DENY_RWX);
			s = max(s, claim[j][1]);
		}
		if (s < e)
			pb_add(b, STMEXEC_PC_OSRAM, STMEXEC_RANGE_MEM, s, e - s,
			       DENY_RWX);
	}
out:
	kvfree(claim);
	kvfree(ram);
}

static int cmp_item(const void *a, const void *b)
{
	const struct stmexec_pitem *x = a, *y = b;

	if (x->pclass != y->pclass)
		return x->pclass < y->pclass ? -1 : 1;
	if (x->r.type != y->r.type)
		return x->r.type < y->r.type ? -1 : 1;
	if (x->r.base != y->r.base)
		return x->r.base < y->r.base ? -1 : 1;
	return 0;
}

/* Sort and merge overlapping or adjacent items of one class and type. */
static void pb_normalize(struct pbuild *b)
{
	u32 i, n = 0;

	if (b->err || !b->n)
		return;
	sort(b->it, b->n, sizeof(*b->it), cmp_item, NULL);
	for (i = 0; i < b->n; i++) {
		struct stmexec_pitem *last = n ? &b->it[n - 1] : NULL;
		struct stmexec_pitem *cur = &b->it[i];

		if (last && last->pclass == cur->pclass &&
		    last->r.type == cur->r.type &&
		    last->r.type != STMEXEC_RANGE_MSR &&
		    last->r.access == cur->r.access &&
		    cur->r.base <= last->r.base + last->r.length) {
			u64 end = max(last->r.base + last->r.length,
				      cur->r.base + cur->r.length);

			last->r.length = end - last->r.base;
			continue;
		}
		b->it[n++] = *cur;
	}
	b->n = n;
}

/* The items of @level (modules apart); BIOS list for the OS RAM carve-out. */
static int build_level(struct stmexec *sx, u32 level,
		       const struct stmexec_range *bios, u32 nb,
		       struct pbuild *b)
{
	struct stmexec_klayout *kl = &sx->pol->kl;
	int ret;

	memset(b, 0, sizeof(*b));
	if (level >= STMEXEC_POLICY_MONITOR) {
		struct mon_build mb = {
			.b = b,
			.self = level == STMEXEC_POLICY_MONITOR ||
				level >= STMEXEC_POLICY_ISOLATED ||
				sx->pol->modules,
		};

		ret = stmexec_walk_regions(sx, monitor_region, &mb);
		if (ret)
			return ret;
		if (mb.self)
			add_self_ro(b);
		add_shared_pages(sx, b);
	}
	if (level >= STMEXEC_POLICY_KERNEL) {
		pb_add_pages(b, STMEXEC_PC_KTEXT, kl->code[0],
			     kl->code[1] - kl->code[0], DENY_WX);
		pb_add_pages(b, STMEXEC_PC_KRODATA, kl->rodata[0],
			     kl->rodata[1] - kl->rodata[0], DENY_WX);
		add_msrs(b, level);
	}
	if (level >= STMEXEC_POLICY_ISOLATED)
		add_os_ram(b, bios, nb);
	if (level >= STMEXEC_POLICY_STRICT) {
		pb_add(b, STMEXEC_PC_LEGACY_IO, STMEXEC_RANGE_IO, 0x60, 1,
		       DENY_RW);
		pb_add(b, STMEXEC_PC_LEGACY_IO, STMEXEC_RANGE_IO, 0x64, 1,
		       DENY_RW);
		pb_add(b, STMEXEC_PC_LEGACY_IO, STMEXEC_RANGE_IO, 0xcf9, 1,
		       DENY_RW);
	}
	pb_normalize(b);
	return b->err;
}

/* ---- applying ---------------------------------------------------------------- */

/* The request: items, then every module range. */
static struct stmexec_range *request_of(const struct pbuild *b,
					struct list_head *mods, u32 *n)
{
	struct stmexec_pmod *pm;
	struct stmexec_range *req;
	u32 total = b->n, i = 0, k;

	list_for_each_entry(pm, mods, node)
		total += pm->n;
	*n = total;
	req = kvcalloc(max(total, 1U), sizeof(*req), GFP_KERNEL);
	if (!req)
		return NULL;
	for (k = 0; k < b->n; k++)
		req[i++] = b->it[k].r;
	list_for_each_entry(pm, mods, node)
		for (k = 0; k < pm->n; k++)
			req[i++] = pm->r[k];
	return req;
}

/* Text of request entry @idx: the item's class, or the module's name. */
static void describe_req(const struct pbuild *b, struct list_head *mods,
			 u32 idx, char *buf, size_t len)
{
	struct stmexec_pmod *pm;
	char txt[96];

	if (idx < b->n) {
		stmexec_range_format(txt, sizeof(txt), &b->it[idx].r, false);
		scnprintf(buf, len, "%s range '%s'",
			  stmexec_pclass_name(b->it[idx].pclass), txt);
		return;
	}
	idx -= b->n;
	list_for_each_entry(pm, mods, node) {
		if (idx < pm->n) {
			stmexec_range_format(txt, sizeof(txt), &pm->r[idx],
					     false);
			scnprintf(buf, len, "module %s range '%s'", pm->name,
				  txt);
			return;
		}
		idx -= pm->n;
	}
	scnprintf(buf, len, "range %u", idx);
}

static void free_mods(struct list_head *mods)
{
	struct stmexec_pmod *pm, *tmp;

	list_for_each_entry_safe(pm, tmp, mods, node) {
		list_del(&pm->node);
		stmexec_pmod_free(pm);
	}
}

/*
 * Apply @level (and the modules when it is kernel or above). On a BIOS
 * conflict *@bios_index names the descriptor and -EADDRINUSE is returned
 * with nothing applied.
 */
static int apply_level(struct stmexec *sx, u32 level,
		       const struct stmexec_range *bios, u32 nb,
		       struct pbuild *b, struct list_head *mods,
		       u32 *bios_index, char *what, size_t what_len)
{
	struct stmexec_range *req;
	u32 n, ei;
	int ret;

	*bios_index = STMEXEC_NO_INDEX;
	ret = build_level(sx, level, bios, nb, b);
	if (ret)
		return stmexec_fail(sx, ret,
				    "policy %s: cannot collect its ranges (%pe)",
				    stmexec_policy_name(level), ERR_PTR(ret));
	if (level >= STMEXEC_POLICY_ISOLATED ||
	    (level >= STMEXEC_POLICY_KERNEL && sx->pol->modules)) {
		ret = stmexec_pmod_collect(sx, mods);
		if (ret)
			return ret;
	}
	req = request_of(b, mods, &n);
	if (!req)
		return stmexec_fail(sx, -ENOMEM, "policy: out of memory");
	ret = stmexec_ranges_protect(sx, req, n, STMEXEC_RF_POLICY, &ei,
				     bios_index);
	if (ret && ei != STMEXEC_NO_INDEX)
		describe_req(b, mods, ei, what, what_len);
	kvfree(req);
	return ret;
}

static void stmexec_policy_on_stop(struct stmexec *sx);

/* The parameters this start uses; the kernel layout for kernel and above. */
static int policy_prepare(struct stmexec *sx)
{
	struct stmexec_policy *pol = sx->pol;
	int ret;

	pol->requested = READ_ONCE(param_policy);
	pol->conflict_fail = READ_ONCE(param_conflict_fail);
	pol->modules = READ_ONCE(param_modules);
	pol->lowered_by = STMEXEC_NO_INDEX;
	if (pol->requested < STMEXEC_POLICY_KERNEL || pol->kl.valid)
		return 0;
	ret = stmexec_kernel_layout(&pol->kl);
	if (ret)
		return stmexec_fail(sx, ret,
				    "policy %s: cannot find the kernel text and rodata in the kernel image mapping (%pe); use policy=monitor or none",
				    stmexec_policy_name(pol->requested),
				    ERR_PTR(ret));
	return 0;
}

/*
 * BIOS descriptor @bi claims @what of @level: refuse (policy_conflict=fail,
 * -EADDRINUSE) or allow the level below.
 */
static int policy_lower(struct stmexec *sx, u32 level, u32 bi,
			const char *what)
{
	struct stmexec_policy *pol = sx->pol;
	char btxt[96];

	stmexec_range_format(btxt, sizeof(btxt), &sx->bios[bi], true);
	if (pol->conflict_fail)
		return stmexec_fail(sx, -EADDRINUSE,
				    "policy %s: BIOS resource %u (%s) claims %s; enable refused (policy_conflict=fail)",
				    stmexec_policy_name(level), bi, btxt, what);
	pr_warn("policy lowered from %s to %s: BIOS resource %u (%s) claims %s\n",
		stmexec_policy_name(level), stmexec_policy_name(level - 1), bi,
		btxt, what);
	if (pol->lowered_by == STMEXEC_NO_INDEX)
		pol->lowered_by = bi;
	return 0;
}

/*
 * Apply the highest level from *@level down that the BIOS list allows;
 * *@level is the one applied (its ranges in @b and @mods), NONE if none.
 */
static int policy_fit_level(struct stmexec *sx, u32 *level,
			    struct pbuild *b, struct list_head *mods)
{
	char what[160] = "";
	u32 bi;
	int ret;

	for (; *level != STMEXEC_POLICY_NONE; (*level)--) {
		ret = apply_level(sx, *level, sx->bios, sx->nbios, b, mods,
				  &bi, what, sizeof(what));
		if (!ret)
			return 0;
		kvfree(b->it);
		b->it = NULL;
		b->n = 0;
		free_mods(mods);
		if (ret != -EADDRINUSE || bi >= sx->nbios)
			return ret;
		ret = policy_lower(sx, *level, bi, what);
		if (ret)
			return ret;
	}
	return 0;
}

/* Keep what policy_fit_level() applied at @level. */
static void policy_commit(struct stmexec *sx, u32 level, struct pbuild *b,
			  struct list_head *mods)
{
	struct stmexec_policy *pol = sx->pol;
	struct stmexec_pmod *pm;

	pol->level = level;
	pol->items = b->it;
	pol->nitems = b->n;
	list_splice_init(mods, &pol->mods);
	pol->nmods = 0;
	list_for_each_entry(pm, &pol->mods, node)
		pol->nmods++;
	pol->active = true;
	if (level != pol->requested)
		pr_info("policy %s in force (requested %s)\n",
			stmexec_policy_name(level),
			stmexec_policy_name(pol->requested));
}

static int stmexec_policy_on_start(struct stmexec *sx)
{
	struct stmexec_policy *pol = sx->pol;
	struct pbuild b = { 0 };
	LIST_HEAD(mods);
	u32 level;
	int ret;

	lockdep_assert_held(&sx->lock);
	if (WARN_ON_ONCE(pol->active))
		stmexec_policy_on_stop(sx);

	ret = policy_prepare(sx);
	if (ret)
		return ret;
	level = pol->requested;
	stmexec_ranges_quiet(sx, true);
	ret = policy_fit_level(sx, &level, &b, &mods);
	if (!ret)
		policy_commit(sx, level, &b, &mods);
	stmexec_ranges_quiet(sx, false);
	if (!ret)
		stmexec_protection_changed(sx);
	return ret;
}

static void stmexec_policy_on_stop(struct stmexec *sx)
{
	struct stmexec_policy *pol = sx->pol;
	struct stmexec_range *all;
	u32 n, i, k = 0, ei;
	int ret;

	lockdep_assert_held(&sx->lock);
	if (!pol->active)
		return;
	stmexec_ranges_quiet(sx, true);
	n = stmexec_ranges_count(sx);
	all = kvcalloc(max(n, 1U), sizeof(*all), GFP_KERNEL);
	if (all) {
		n = min(stmexec_ranges_list(sx, all, n), n);
		for (i = 0; i < n; i++) {
			if (!(all[i].flags & STMEXEC_RF_POLICY))
				continue;
			all[k] = all[i];
			all[k].flags = 0;
			all[k].index = 0;
			k++;
		}
		ret = k ? stmexec_ranges_unprotect(sx, all, k,
						   STMEXEC_RF_POLICY, &ei) : 0;
		if (ret)
			pr_err("policy: %u policy ranges could not be removed (%pe)\n",
			       k, ERR_PTR(ret));
		kvfree(all);
	} else {
		pr_err("policy: out of memory removing the policy ranges\n");
	}
	stmexec_ranges_quiet(sx, false);
	kvfree(pol->items);
	pol->items = NULL;
	pol->nitems = 0;
	free_mods(&pol->mods);
	pol->nmods = 0;
	pol->level = STMEXEC_POLICY_NONE;
	pol->active = false;
	stmexec_protection_changed(sx);
}

const struct stmexec_hook stmexec_policy_hook = {
	.name = "policy",
	.on_start = stmexec_policy_on_start,
	.on_stop = stmexec_policy_on_stop,
};

bool stmexec_policy_protects_modules(struct stmexec *sx)
{
	struct stmexec_policy *pol = sx->pol;

	return pol->active && (pol->level >= STMEXEC_POLICY_ISOLATED ||
			       (pol->level >= STMEXEC_POLICY_KERNEL &&
				pol->modules));
}

u32 stmexec_policy_param(void)
{
	return READ_ONCE(param_policy);
}

u32 stmexec_policy_level(struct stmexec *sx)
{
	struct stmexec_policy *pol = sx->pol;

	return pol->active ? pol->level : STMEXEC_POLICY_NONE;
}

/* ---- init / fini --------------------------------------------------------------- */

int stmexec_policy_init(struct stmexec *sx)
{
	struct stmexec_policy *pol;
	int ret;

	pol = kzalloc(sizeof(*pol), GFP_KERNEL);
	if (!pol)
		return -ENOMEM;
	pol->sx = sx;
	pol->lowered_by = STMEXEC_NO_INDEX;
	INIT_LIST_HEAD(&pol->mods);
	/*
	 * Best effort at load (insmod runs as root): kept for every enable.
	 * A failure is retried at the next enable that needs it.
	 */
	ret = stmexec_kernel_layout(&pol->kl);
	if (ret)
		pr_debug("kernel image not found in its mapping (%d)\n",
			 ret);
	sx->pol = pol;
	return 0;
}

void stmexec_policy_fini(struct stmexec *sx)
{
	struct stmexec_policy *pol = sx->pol;

	if (!pol)
		return;
	free_mods(&pol->mods);
	kvfree(pol->items);
	kfree(pol);
	sx->pol = NULL;
}
