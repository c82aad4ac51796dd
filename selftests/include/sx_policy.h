/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The selftest library, policy part (lib/policy.c, on top of sx.h): load
 * the module with a corpus list and a policy, read the isolation report,
 * the digest, the kernel image sections of /proc/iomem. __pol_foo()
 * returns 0 or -errno; pol_foo() (sx_test.h) asserts.
 */
#ifndef SX_POLICY_H
#define SX_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sx.h"

#define POL_REPORT_MAX	(256 * 1024)
#define POL_SFS_DIR	"/sys/kernel/security/stmexec"	/* the report */

/*
 * Unload, then load backend=sim sim_bios=@list policy=@policy plus @extra
 * (may be NULL) with attest_delay_ms=0; 0 or -errno. Every other
 * parameter at the product default: policy_modules off, node_budget=64.
 */
int __pol_load(const char *list, const char *policy, const char *extra);
/* Enable through sysfs "enabled"; 0 or -errno of the write. */
int __pol_enable(void);
/* Disable and unload. */
void pol_unload(void);
/* The text report into a malloc'ed string (free it), NULL on error. */
char *pol_report(void);
/* The "digest: sha256:HEX" of the text report into @hex[65]; 0 or -errno. */
int __pol_digest(char hex[65]);
/* Does @report contain the line @line exactly? */
bool pol_has_line(const char *report, const char *line);
/* Number of lines of @report starting with @prefix. */
int pol_count_prefix(const char *report, const char *prefix);
/* "Kernel code"/"Kernel rodata" of /proc/iomem, end exclusive; 0 or -ENOENT. */
int __pol_iomem(const char *name, uint64_t *start, uint64_t *end);
/* LIST_RANGES, only the ranges with (flags & STMEXEC_RF_POLICY) == @policy. */
int __pol_list(int fd, bool policy, struct stmexec_range **out, uint32_t *n);
/* Path of the dummy module for the running kernel. */
const char *pol_dummy_path(void);

#endif /* SX_POLICY_H */
