/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stmexec: private header of the isolation report (report.c: cache,
 * canonical encoding, API, sysfs; report_eval.c: the requirements, their
 * evaluation against the held set and the BIOS list, and the text form).
 */
#ifndef STMEXEC_REPORT_H
#define STMEXEC_REPORT_H

#include "stmexec.h"
#include "features.h"

/* The requirements (report_eval.c), in report order. */
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

#define MAX_BLOCKERS	256
#define NO_BIOS		STMEXEC_NO_INDEX	/* blocker: the policy, not the BIOS */

/* Union of the held MEM/MMIO ranges denying at least some bits, merged. */
struct cover {
	u64 (*iv)[2];
	u32 n;
};

struct blocker {
	u32 rq;
	u32 bios;
};

struct eval {
	const struct stmexec_policy *pol;	/* sx->pol */
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
	u32 nmon_core;	/* entries up to the last one not "module text" */
};

struct txt {
	char *p;
	size_t len, cap;
	int err;
};

/* report_eval.c; sx->lock held. */
int sx_report_evaluate(struct stmexec *sx, struct eval *ev);
void sx_report_text(struct txt *t, struct stmexec *sx, struct eval *ev,
		    const u8 *digest);

#endif /* STMEXEC_REPORT_H */
