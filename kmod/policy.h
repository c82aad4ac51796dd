/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stmexec: the default policy, its module watch, the isolation report and the
 * attestation.
 */
#ifndef STMEXEC_POLICY_H
#define STMEXEC_POLICY_H

#include "stmexec.h"

#include <linux/moduleparam.h>

/* ---- policy, report, attestation ------------------------------------------
 * policy.c (default policy, policy= and policy_conflict=), modwatch.c
 * (module notifier), report.c (isolation report, canonical encoding,
 * SHA-256), attest.c (IMA critical data, optional TPM PCR extend). See
 * Documentation/admin-guide/stmexec-policy.rst and stmexec-attestation.rst.
 */
struct attribute_group;
struct module;

/* policy= levels; each includes the ones below it. */
#define STMEXEC_POLICY_NONE	0	/* no default protection */
#define STMEXEC_POLICY_MONITOR	1	/* the monitor's own memory */
#define STMEXEC_POLICY_KERNEL	2	/* + kernel/module text+rodata, MSRs */
#define STMEXEC_POLICY_ISOLATED	3	/* + all OS RAM the BIOS list does not claim */
#define STMEXEC_POLICY_STRICT	4	/* + legacy reset/keyboard ports */
#define STMEXEC_POLICY_NR	5

/* Classes of policy ranges (report section CLASSES, in this order). */
enum stmexec_pclass {
	STMEXEC_PC_MONITOR,	/* monitor regions + module rodata: deny rwx */
	STMEXEC_PC_KTEXT,	/* "Kernel code": deny wx */
	STMEXEC_PC_KRODATA,	/* "Kernel rodata": deny wx */
	STMEXEC_PC_MODULE,	/* live modules' text/rodata: deny wx */
	STMEXEC_PC_MSR,		/* kernel-critical MSRs */
	STMEXEC_PC_OSRAM,	/* System RAM minus BIOS claims: deny rwx */
	STMEXEC_PC_LEGACY_IO,	/* 0x60, 0x64, 0xcf9: deny rw */
	STMEXEC_PC_NR
};

/* One policy range and what it protects. */
struct stmexec_pitem {
	struct stmexec_range r;
	u32 pclass;
};

/* A module whose text/rodata the policy protects (modwatch.c). */
struct stmexec_pmod {
	struct list_head node;
	struct module *mod;		/* identity only, never dereferenced */
	char name[64];
	u32 n;				/* ranges in @r held by the policy */
	u32 skipped;			/* pages refused (BIOS claims) */
	u32 skipped_bios;		/* BIOS descriptor of last refusal or STMEXEC_NO_INDEX */
	u64 bytes;			/* bytes covered by @r */
	struct stmexec_range *r;
};

/* Byte extents [start, end) of the kernel image sections (/proc/iomem). */
struct stmexec_klayout {
	u64 code[2];
	u64 rodata[2];
	u64 data[2];
	u64 bss[2];
	bool valid;
};

/**
 * struct stmexec_policy - the default policy in force (policy.c), sx->lock
 * @requested: policy= at the last enable
 * @level: level in force (STMEXEC_POLICY_*), NONE while off
 * @conflict_fail: policy_conflict=fail at the last enable
 * @modules: policy_modules= at the last enable (modules at level kernel)
 * @lowered_by: BIOS descriptor that lowered the level, or STMEXEC_NO_INDEX
 * @active: the policy ranges are held (between on_start and on_stop)
 * @items: every policy range but the modules'
 * @nitems: entries in @items
 * @mods: struct stmexec_pmod list
 * @nmods: entries in @mods
 * @kl: kernel image sections
 * @sx: the device this policy belongs to
 * @modwatch_nb: the module notifier (modwatch.c), registered at load
 *
 * sx->pol, allocated by stmexec_policy_init() and freed by
 * stmexec_policy_fini(); every field but @sx and @modwatch_nb under sx->lock.
 */
struct stmexec_policy {
	u32 requested;
	u32 level;
	bool conflict_fail;
	bool modules;
	u32 lowered_by;
	bool active;
	struct stmexec_pitem *items;
	u32 nitems;
	struct list_head mods;
	u32 nmods;
	struct stmexec_klayout kl;
	struct stmexec *sx;
	struct notifier_block modwatch_nb;
};

int stmexec_policy_init(struct stmexec *sx);	/* at load, before the device */
void stmexec_policy_fini(struct stmexec *sx);
/* Level in force, for GET_STATUS.policy_level. */
u32 stmexec_policy_level(struct stmexec *sx);
u32 stmexec_policy_param(void);		/* policy= as set now */
/* The policy in force protects every live module (sx->lock held). */
bool stmexec_policy_protects_modules(struct stmexec *sx);
const char *stmexec_policy_name(u32 level);
/* The parsers of policy= and policy_conflict= (policy_layout.c). */
extern const struct kernel_param_ops stmexec_policy_param_ops;
extern const struct kernel_param_ops stmexec_conflict_param_ops;
const char *stmexec_pclass_name(u32 pclass);
int stmexec_kernel_layout(struct stmexec_klayout *kl);
/* System RAM extents into *@out (kvfree()); count or -errno. */
struct stmexec_extent {
	u64 start;
	u64 end;	/* exclusive */
};

int stmexec_system_ram(struct stmexec_extent **out);

/* modwatch.c: module notifier; sx->lock held for the _start/_stop calls. */
int stmexec_modwatch_init(struct stmexec *sx);
void stmexec_modwatch_fini(struct stmexec *sx);
/* pmod.c: ranges of every live module (enable); appended to @out. */
int stmexec_pmod_collect(struct stmexec *sx, struct list_head *out);
struct stmexec_pmod *stmexec_pmod_build(struct module *mod);
struct stmexec_pmod *stmexec_pmod_find(struct list_head *list,
				       struct module *mod);
void stmexec_pmod_free(struct stmexec_pmod *pm);

/*
 * report.c: after a change of the active protections (sx->lock held) the
 * report is stale; it is recomputed by the next reader (refresh takes
 * sx->lock) and the attestation work is armed.
 */
int stmexec_report_init(struct stmexec *sx);
int stmexec_report_refresh(struct stmexec *sx, bool intr);
void stmexec_report_fini(struct stmexec *sx);
extern const struct attribute_group stmexec_report_group;
/* Current level (0-4), or 0 while off. */
u32 stmexec_report_level(struct stmexec *sx);
/*
 * Copy of the canonical encoding and its SHA-256 (kvfree() it); the
 * generation lets the attestation work skip a report already measured.
 */
void *stmexec_report_copy(struct stmexec *sx, size_t *len, u8 digest[32],
			  u64 *gen);
void *stmexec_report_snapshot(struct stmexec *sx, bool canonical, size_t *len);

/* attest.c: measure the report (coalesced); "ima" or "unavailable". */
int stmexec_attest_init(struct stmexec *sx);
void stmexec_attest_fini(struct stmexec *sx);
bool stmexec_attest_measuring(struct stmexec *sx);
extern const struct attribute_group stmexec_attest_group;

#endif /* STMEXEC_POLICY_H */
