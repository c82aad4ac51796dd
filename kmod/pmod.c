// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: the ranges of a module's text, rodata and ro_after_init (struct
 * stmexec_pmod), for the policy at enable (every live module, found
 * through the module kset) and for modwatch.c's notifier (one module).
 * See modwatch.c for why the kset walk is safe.
 */
#include "stmexec.h"
#include "policy.h"

#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>

#define DENY_WX		(STMEXEC_ACC_W | STMEXEC_ACC_X)

void stmexec_pmod_free(struct stmexec_pmod *pm)
{
	if (!pm)
		return;
	kvfree(pm->r);
	kfree(pm);
}

/* The ranges of @mod's text, rodata and ro_after_init; NULL if no memory. */
struct stmexec_pmod *stmexec_pmod_build(struct module *mod)
{
	struct stmexec_pmod *pm;
	unsigned long size, off, pages = 0;
	unsigned int part;
	void *base;
	bool text;

	for (part = 0; part < STMEXEC_MOD_RO_PARTS; part++) {
		stmexec_module_ro_part(mod, part, &base, &size, &text);
		pages += PAGE_ALIGN(size) >> PAGE_SHIFT;
	}
	pm = kzalloc(sizeof(*pm), GFP_KERNEL);
	if (!pm)
		return NULL;
	pm->r = kvcalloc(max(pages, 1UL), sizeof(*pm->r), GFP_KERNEL);
	if (!pm->r) {
		kfree(pm);
		return NULL;
	}
	pm->mod = mod;
	strscpy(pm->name, mod->name, sizeof(pm->name));
	pm->skipped_bios = STMEXEC_NO_INDEX;

	for (part = 0; part < STMEXEC_MOD_RO_PARTS; part++) {
		stmexec_module_ro_part(mod, part, &base, &size, &text);
		for (off = 0; off < size; off += PAGE_SIZE) {
			unsigned long pfn = vmalloc_to_pfn(base + off);
			struct stmexec_range *last = pm->n ? &pm->r[pm->n - 1] :
							     NULL;
			u64 pa = PFN_PHYS(pfn);

			if (!pfn)
				continue;
			pm->bytes += PAGE_SIZE;
			if (last && last->base + last->length == pa) {
				last->length += PAGE_SIZE;
				continue;
			}
			last = &pm->r[pm->n++];
			last->type = STMEXEC_RANGE_MEM;
			last->access = DENY_WX;
			last->base = pa;
			last->length = PAGE_SIZE;
		}
	}
	return pm;
}

struct stmexec_pmod *stmexec_pmod_find(struct list_head *list,
				       struct module *mod)
{
	struct stmexec_pmod *pm;

	list_for_each_entry(pm, list, node)
		if (pm->mod == mod)
			return pm;
	return NULL;
}

int stmexec_pmod_collect(struct stmexec *sx, struct list_head *out)
{
	struct kset *ks = THIS_MODULE->mkobj.kobj.kset;
	struct module **pin = NULL;
	struct kobject *k;
	u32 cap = 0, n = 0, i;
	int ret = 0;

	lockdep_assert_held(&sx->lock);
	if (!ks)
		return 0;
again:
	spin_lock(&ks->list_lock);
	list_for_each_entry(k, &ks->list, entry) {
		struct module_kobject *mk =
			container_of(k, struct module_kobject, kobj);
		struct module *m = mk->mod;

		if (!m || m == THIS_MODULE || m->state != MODULE_STATE_LIVE)
			continue;
		if (n < cap) {
			if (!try_module_get(m))
				continue;
			pin[n] = m;
		}
		n++;
	}
	spin_unlock(&ks->list_lock);
	if (n > cap) {
		for (i = 0; i < cap; i++)
			module_put(pin[i]);
		kfree(pin);
		cap = n + 16;
		n = 0;
		pin = kcalloc(cap, sizeof(*pin), GFP_KERNEL);
		if (!pin)
			return stmexec_fail(sx, -ENOMEM,
					    "policy: no memory to list the modules");
		goto again;
	}

	for (i = 0; i < n; i++) {
		struct stmexec_pmod *pm;

		if (!ret && !stmexec_pmod_find(out, pin[i])) {
			pm = stmexec_pmod_build(pin[i]);
			if (pm)
				list_add_tail(&pm->node, out);
			else
				ret = stmexec_fail(sx, -ENOMEM,
						   "policy: no memory for the ranges of module %s",
						   pin[i]->name);
		}
		module_put(pin[i]);
	}
	kfree(pin);
	return ret;
}
