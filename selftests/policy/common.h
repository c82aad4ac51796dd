/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the policy and attestation selftests (on top of
 * selftests/stmexec/sx.h): load the module with a corpus list and a
 * policy, read the isolation report, the digest, the kernel image
 * sections of /proc/iomem.
 */
#ifndef POLICY_COMMON_H
#define POLICY_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sx.h"

#define POL_REPORT_MAX	(256 * 1024)
#define POL_SFS_DIR	"/sys/kernel/security/stmexec"	/* the report */

/*
 * Unload, then load backend=sim sim_bios=@list policy=@policy plus @extra
 * (may be NULL) with attest_delay_ms=0; 0 or -errno.
 */
int pol_load(const char *list, const char *policy, const char *extra);
/* Enable through sysfs "enabled"; 0 or -errno of the write. */
int pol_enable(void);
/* Disable and unload. */
void pol_unload(void);
/* The text report into a malloc'ed string (free it), NULL on error. */
char *pol_report(void);
/* The "digest: sha256:HEX" of the text report into @hex[65]; 0 or -1. */
int pol_digest(char hex[65]);
/* Does @report contain the line @line exactly? */
bool pol_has_line(const char *report, const char *line);
/* Number of lines of @report starting with @prefix. */
int pol_count_prefix(const char *report, const char *prefix);
/* "Kernel code"/"Kernel rodata" of /proc/iomem, end exclusive; 0 or -1. */
int pol_iomem(const char *name, uint64_t *start, uint64_t *end);
/* LIST_RANGES, only the ranges with (flags & STMEXEC_RF_POLICY) == @policy. */
int pol_list(int fd, bool policy, struct stmexec_range **out, uint32_t *n);
/* Path of the dummy module for the running kernel. */
const char *pol_dummy_path(void);

#endif /* POLICY_COMMON_H */
