// SPDX-License-Identifier: GPL-2.0
/* The selftest library: the default policy and the isolation report (sx_policy.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "sx_policy.h"

int __pol_load(const char *list, const char *policy, const char *extra)
{
	char params[512];
	int ret;

	ret = __sx_ensure_unloaded();
	if (ret)
		return ret;
	/*
	 * The product default for everything else (policy_modules off):
	 * the tests about module protection ask for it in @extra.
	 */
	snprintf(params, sizeof(params),
		 "backend=sim sim_bios=%s policy=%s attest_delay_ms=0 %s",
		 list, policy, extra ? extra : "");
	return __sx_load(params);
}

int __pol_enable(void)
{
	return __sx_write("enabled", "1");
}

void pol_unload(void)
{
	__sx_ensure_unloaded();
}

/* The text report, from securityfs (the only place that serves it). */
char *pol_report(void)
{
	char *buf = malloc(POL_REPORT_MAX);
	FILE *f = fopen(POL_SFS_DIR "/isolation_report", "r");
	size_t n = 0;

	if (buf && f) {
		n = fread(buf, 1, POL_REPORT_MAX - 1, f);
		buf[n] = '\0';
	}
	if (f)
		fclose(f);
	if (!f || !n) {
		free(buf);
		return NULL;
	}
	return buf;
}

int __pol_digest(char hex[65])
{
	char *rep = pol_report(), *p;
	int ret = -ENOENT;

	if (!rep)
		return -EIO;
	p = strstr(rep, "digest: sha256:");
	if (p && strlen(p) >= 15 + 64) {
		memcpy(hex, p + 15, 64);
		hex[64] = '\0';
		ret = 0;
	}
	free(rep);
	return ret;
}

bool pol_has_line(const char *report, const char *line)
{
	size_t n = strlen(line);
	const char *p = report;

	while ((p = strstr(p, line))) {
		if ((p == report || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
			return true;
		p++;
	}
	return false;
}

int pol_count_prefix(const char *report, const char *prefix)
{
	size_t n = strlen(prefix);
	const char *p = report;
	int count = 0;

	while (p && *p) {
		if (!strncmp(p, prefix, n))
			count++;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return count;
}

int __pol_iomem(const char *name, uint64_t *start, uint64_t *end)
{
	FILE *f = fopen("/proc/iomem", "r");
	char line[256];
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s, e;
		char n[128];

		if (sscanf(line, " %llx-%llx : %127[^\n]", &s, &e, n) == 3 &&
		    !strcmp(n, name)) {
			*start = s;
			*end = e + 1;
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

int __pol_list(int fd, bool policy, struct stmexec_range **out, uint32_t *n)
{
	struct stmexec_range *all;
	uint32_t total, i, k = 0;
	int ret = __sx_list(fd, &all, &total);

	if (ret)
		return ret;
	for (i = 0; i < total; i++)
		if (!!(all[i].flags & STMEXEC_RF_POLICY) == policy)
			all[k++] = all[i];
	*out = all;
	*n = k;
	return 0;
}

const char *pol_dummy_path(void)
{
	static char path[256];
	struct utsname u;

	uname(&u);
	snprintf(path, sizeof(path), "/tests/policy_dummy/%s/policy_dummy.ko",
		 u.release);
	return path;
}
