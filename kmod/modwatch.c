// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: protect the text and read-only data of every live module.
 *
 * While the policy in force is "kernel" or above, a module notifier
 * protects a module's text, rodata and ro_after_init (deny wx, owner
 * STMEXEC_RF_POLICY) when it goes MODULE_STATE_COMING, before its init
 * function runs, and removes exactly those ranges when it goes
 * MODULE_STATE_GOING (also after a failed init), before its memory is
 * freed. Module memory is vmalloc memory: each section becomes one range
 * per physically contiguous run of pages.
 *
 * The modules that are already live at enable are found through the
 * module kset (/sys/module): THIS_MODULE->mkobj.kobj.kset is that kset, its
 * list is walked under its own list_lock and every LIVE module is pinned
 * with try_module_get() while its pages are looked up, so it cannot be
 * unloaded meanwhile (a module that is still COMING is left to its
 * COMING or LIVE notification, which waits for sx->lock). No module list or lock that
 * the kernel does not export is touched.
 *
 * A module range that a BIOS descriptor claims cannot be protected; that
 * page is left out, logged with the descriptor, and counted in the
 * report (requirement R1.3 then names the descriptor). The module is not
 * refused: its load goes on with that page unprotected.
 */
#include "stmexec.h"
#include "error.h"
#include "features.h"

#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/slab.h>

/*
 * Protect @pm's ranges; pages the BIOS list claims are left out, logged.
 * The reasons logged are this task's (@why, error.c), never a concurrent
 * caller's last_error.
 */
static void pmod_protect(struct stmexec *sx, struct stmexec_pmod *pm)
{
	struct stmexec_req why;
	u32 ei, bi, i, k = 0;
	int ret;

	stmexec_req_begin(sx, &why);
	ret = stmexec_ranges_protect(sx, pm->r, pm->n, STMEXEC_RF_POLICY, &ei,
				     &bi);
	if (!ret)
		goto out;
	if (ret != -EADDRINUSE) {
		pr_err("module %s: its text/rodata could not be protected (%pe): %s\n",
		       pm->name, ERR_PTR(ret), stmexec_req_reason(&why));
		pm->skipped += pm->n;
		pm->n = 0;
		goto out;
	}
	/* One by one: keep what can be protected, name what cannot. */
	for (i = 0; i < pm->n; i++) {
		ret = stmexec_ranges_protect(sx, &pm->r[i], 1,
					     STMEXEC_RF_POLICY, &ei, &bi);
		if (!ret) {
			pm->r[k++] = pm->r[i];
			continue;
		}
		pm->skipped++;
		if (ret == -EADDRINUSE)
			pm->skipped_bios = bi;
		pr_warn("module %s: range 0x%llx+0x%llx not protected: %s\n",
			pm->name, pm->r[i].base, pm->r[i].length,
			stmexec_req_reason(&why));
	}
	pm->n = k;
out:
	stmexec_req_end(sx, &why);
}

static void module_live(struct stmexec *sx, struct module *mod)
{
	struct stmexec_policy *pol = sx->pol;
	struct stmexec_pmod *pm;

	if (stmexec_pmod_find(&pol->mods, mod))
		return;		/* found by the walk at enable */
	pm = stmexec_pmod_build(mod);
	if (!pm) {
		pr_err("module %s: no memory to protect it\n", mod->name);
		return;
	}
	stmexec_ranges_quiet(sx, true);
	pmod_protect(sx, pm);
	stmexec_ranges_quiet(sx, false);
	list_add_tail(&pm->node, &pol->mods);
	pol->nmods++;
	stmexec_protection_changed(sx);
}

static void module_going(struct stmexec *sx, struct module *mod)
{
	struct stmexec_policy *pol = sx->pol;
	struct stmexec_req why;
	struct stmexec_pmod *pm;
	u32 ei;
	int ret;

	pm = stmexec_pmod_find(&pol->mods, mod);
	if (!pm)
		return;
	stmexec_req_begin(sx, &why);
	stmexec_ranges_quiet(sx, true);
	ret = pm->n ? stmexec_ranges_unprotect(sx, pm->r, pm->n,
					       STMEXEC_RF_POLICY, &ei) : 0;
	stmexec_ranges_quiet(sx, false);
	stmexec_req_end(sx, &why);
	if (ret)
		pr_err("module %s: its ranges could not be unprotected (%pe): %s\n",
		       pm->name, ERR_PTR(ret), stmexec_req_reason(&why));
	list_del(&pm->node);
	pol->nmods--;
	stmexec_pmod_free(pm);
	stmexec_protection_changed(sx);
}

static int modwatch_notify(struct notifier_block *nb, unsigned long action,
			   void *data)
{
	struct stmexec_policy *pol = container_of(nb, struct stmexec_policy,
						  modwatch_nb);
	struct stmexec *sx = pol->sx;
	struct module *mod = data;

	/*
	 * COMING: complete_formation() has made the text and rodata
	 * read-only, and mod->init() has not run yet (kmod-review F19). LIVE
	 * stays for a module that was COMING when the policy came on; it
	 * finds the module already protected otherwise.
	 */
	if (mod == THIS_MODULE ||
	    (action != MODULE_STATE_COMING && action != MODULE_STATE_LIVE &&
	     action != MODULE_STATE_GOING))
		return NOTIFY_DONE;
	/* Not interruptible: a missed GOING would leave stale ranges. */
	mutex_lock(&sx->lock);
	if (stmexec_policy_protects_modules(sx)) {
		if (action != MODULE_STATE_GOING)
			module_live(sx, mod);
		else
			module_going(sx, mod);
	}
	mutex_unlock(&sx->lock);
	return NOTIFY_OK;
}

/* The notifier block lives in sx->pol (stmexec_policy_init() first). */
int stmexec_modwatch_init(struct stmexec *sx)
{
	sx->pol->modwatch_nb.notifier_call = modwatch_notify;
	return register_module_notifier(&sx->pol->modwatch_nb);
}

void stmexec_modwatch_fini(struct stmexec *sx)
{
	unregister_module_notifier(&sx->pol->modwatch_nb);
}
