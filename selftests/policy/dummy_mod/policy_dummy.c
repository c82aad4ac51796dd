// SPDX-License-Identifier: GPL-2.0
/*
 * policy_dummy: a module with text, rodata and ro_after_init of a few pages,
 * loaded and unloaded by policy_test to check that the default policy
 * protects a module's read-only memory while it is live and releases it
 * when it goes away; with fail_init=1 its init fails (the policy must
 * have protected it before init ran, and release it after).
 */
#include <linux/cache.h>
#include <linux/errno.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

/* More than one page of read-only data. */
static const u8 policy_dummy_table[3 * 4096] = { 1, 2, 3 };
static int policy_dummy_seed __ro_after_init;

/* fail_init=1: init fails, so the module never goes MODULE_STATE_LIVE. */
static bool fail_init;
module_param(fail_init, bool, 0444);
MODULE_PARM_DESC(fail_init, "make the init function fail (-ECANCELED)");

static noinline int policy_dummy_sum(void)
{
	int i, s = policy_dummy_seed;

	for (i = 0; i < ARRAY_SIZE(policy_dummy_table); i += 512)
		s += READ_ONCE(policy_dummy_table[i]);
	return s;
}

static int __init policy_dummy_init(void)
{
	policy_dummy_seed = 7;
	if (fail_init)
		return -ECANCELED;
	pr_info("policy_dummy: loaded (%d)\n", policy_dummy_sum());
	return 0;
}

static void __exit policy_dummy_exit(void)
{
	pr_info("policy_dummy: unloaded\n");
}

module_init(policy_dummy_init);
module_exit(policy_dummy_exit);
MODULE_DESCRIPTION("stmexec policy selftest: a module to protect");
MODULE_LICENSE("GPL");
