// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: where the default policy finds what it protects: the kernel
 * image's sections (walking the kernel image mapping) and the System RAM
 * extents (the iomem resource tree); the names of its levels and classes,
 * and the parsers of policy= and policy_conflict= (policy.c owns the
 * parameters).
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

static const char * const pclass_names[STMEXEC_PC_NR] = {
	[STMEXEC_PC_MONITOR] = "monitor",
	[STMEXEC_PC_KTEXT] = "kernel-code",
	[STMEXEC_PC_KRODATA] = "kernel-rodata",
	[STMEXEC_PC_MODULE] = "modules",
	[STMEXEC_PC_MSR] = "msr",
	[STMEXEC_PC_OSRAM] = "os-ram",
	[STMEXEC_PC_LEGACY_IO] = "legacy-io",
};

const char *stmexec_pclass_name(u32 pclass)
{
	return pclass < STMEXEC_PC_NR ? pclass_names[pclass] : "?";
}

/* ---- kernel image sections (the kernel image mapping) ---------------------- */

/*
 * Page classes of the kernel image mapping [__START_KERNEL_map,
 * +KERNEL_IMAGE_SIZE) after mark_rodata_ro() (arch/x86/mm/init_64.c):
 * _text.._etext is present, read-only and executable; __start_rodata..
 * __end_rodata (with .data..ro_after_init) is present, read-only and NX.
 * The gaps mark_rodata_ro() frees around rodata may stay mapped read-only
 * and NX (without PTI), but their pages went back to the page allocator,
 * so only pages the boot reserved for the image (PageReserved) count.
 */
enum kpage { KPAGE_NONE, KPAGE_TEXT, KPAGE_RODATA };

static enum kpage kpage_class(unsigned long va)
{
	unsigned int level;
	unsigned long pfn;
	pteval_t f;
	pte_t *pte;

	if (va < __START_KERNEL_map ||
	    va >= __START_KERNEL_map + KERNEL_IMAGE_SIZE)
		return KPAGE_NONE;
	pte = lookup_address(va, &level);
	if (!pte)
		return KPAGE_NONE;
	f = pte_flags(*pte);
	if (!(f & _PAGE_PRESENT) || (f & _PAGE_RW))
		return KPAGE_NONE;
	pfn = slow_virt_to_phys((void *)va) >> PAGE_SHIFT;
	if (!pfn_valid(pfn) || !PageReserved(pfn_to_page(pfn)))
		return KPAGE_NONE;
	return f & _PAGE_NX ? KPAGE_RODATA : KPAGE_TEXT;
}

/*
 * The physical extent [start, end) of the run of pages of class @c around
 * the page of @anchor (an exported symbol of that section); 0 or -ENOENT.
 * The image is physically contiguous (setup_arch() reserves it whole).
 */
static int kimage_run(unsigned long anchor, enum kpage c, u64 *ext)
{
	unsigned long va = anchor & PAGE_MASK, lo, hi;

	if (kpage_class(va) != c)
		return -ENOENT;
	for (lo = va; kpage_class(lo - PAGE_SIZE) == c; lo -= PAGE_SIZE)
		;
	for (hi = va + PAGE_SIZE; kpage_class(hi) == c; hi += PAGE_SIZE)
		;
	ext[0] = slow_virt_to_phys((void *)lo);
	ext[1] = slow_virt_to_phys((void *)(hi - PAGE_SIZE)) + PAGE_SIZE;
	return ext[1] - ext[0] == hi - lo ? 0 : -EINVAL;
}

/*
 * The kernel text and rodata, as the page-aligned physical extents of
 * "Kernel code" and "Kernel rodata" in /proc/iomem, from the kernel's own
 * page tables: no file, no namespace, no credentials (a bind mount over
 * /proc/iomem changes nothing). An exported function anchors the text and
 * an exported constant the rodata.
 */
int stmexec_kernel_layout(struct stmexec_klayout *kl)
{
	int ret;

	memset(kl, 0, sizeof(*kl));
	ret = kimage_run((unsigned long)&_printk, KPAGE_TEXT, kl->code);
	if (!ret)
		ret = kimage_run((unsigned long)hex_asc, KPAGE_RODATA,
				 kl->rodata);
	if (ret) {
		memset(kl, 0, sizeof(*kl));
		return ret;
	}
	kl->valid = true;
	return 0;
}

struct ram_walk {
	struct stmexec_extent *ext;
	u32 n, cap;
};

static int ram_cb(struct resource *res, void *arg)
{
	struct ram_walk *w = arg;

	if (w->n < w->cap) {
		w->ext[w->n].start = res->start;
		w->ext[w->n].end = res->end + 1;
	}
	w->n++;
	return 0;
}

int stmexec_system_ram(struct stmexec_extent **out)
{
	struct ram_walk w = { NULL, 0, 0 };

	walk_iomem_res_desc(IORES_DESC_NONE, IORESOURCE_SYSTEM_RAM, 0, U64_MAX,
			    &w, ram_cb);
	w.cap = w.n + 8;	/* memory hotplug between the two walks */
	w.ext = kvcalloc(w.cap, sizeof(*w.ext), GFP_KERNEL);
	if (!w.ext)
		return -ENOMEM;
	w.n = 0;
	walk_iomem_res_desc(IORES_DESC_NONE, IORESOURCE_SYSTEM_RAM, 0, U64_MAX,
			    &w, ram_cb);
	*out = w.ext;
	return min(w.n, w.cap);
}

/* ---- policy levels, policy= and policy_conflict= ----------------------------- */

static const char * const policy_names[STMEXEC_POLICY_NR] = {
	[STMEXEC_POLICY_NONE] = "none",
	[STMEXEC_POLICY_MONITOR] = "monitor",
	[STMEXEC_POLICY_KERNEL] = "kernel",
	[STMEXEC_POLICY_ISOLATED] = "isolated",
	[STMEXEC_POLICY_STRICT] = "strict",
};

const char *stmexec_policy_name(u32 level)
{
	return level < STMEXEC_POLICY_NR ? policy_names[level] : "?";
}

static int policy_set(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(policy_names, val);

	if (i < 0) {
		pr_err("policy=%s: expected none, monitor, kernel, isolated or strict\n",
		       val);
		return -EINVAL;
	}
	*(unsigned int *)kp->arg = i;
	return 0;
}

static int policy_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%s\n",
			 stmexec_policy_name(*(unsigned int *)kp->arg));
}

const struct kernel_param_ops stmexec_policy_param_ops = {
	.set = policy_set,
	.get = policy_get,
};

static const char * const conflict_names[] = { "lower", "fail" };

static int conflict_set(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(conflict_names, val);

	if (i < 0) {
		pr_err("policy_conflict=%s: expected lower or fail\n", val);
		return -EINVAL;
	}
	*(bool *)kp->arg = i;
	return 0;
}

static int conflict_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%s\n",
			 conflict_names[*(bool *)kp->arg]);
}

const struct kernel_param_ops stmexec_conflict_param_ops = {
	.set = conflict_set,
	.get = conflict_get,
};
