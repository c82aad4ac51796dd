// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest layout only: before the harness starts, point the suites at the
 * module they load (sx_ko_path(): $STMEXEC_KO, else /lib/stmexec/stmexec.ko,
 * the QEMU harness's path) and skip the whole suite with KSFT_SKIP when
 * there is no module to load and none loaded. The installed module is
 * looked for where DKMS and `make modules_install` put it, and skipped
 * when it is the production build (the suites need the simulated STM).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#define KSFT_SKIP 4
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NO_MODULE "no stmexec.ko to load (set STMEXEC_KO=, install stmexec-dkms or make modules_install)"

static int exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

/*
 * The suites need the test build (CONFIG_STMEXEC_SIM=y: backend=sim); the
 * production build (DKMS, the .deb) has no vmx_stm parameter in its
 * modinfo. 1 when @p is an uncompressed production module.
 */
static int production_build(const char *p)
{
	static const char key[] = "parmtype=vmx_stm:";
	char buf[65536 + sizeof(key)];
	size_t n, keep = 0;
	int found = 0;
	FILE *f;

	f = fopen(p, "rb");
	if (!f)
		return 0;
	while (!found && (n = fread(buf + keep, 1, sizeof(buf) - keep, f)) > 0) {
		size_t len = keep + n, i;

		for (i = 0; i + sizeof(key) - 1 <= len && !found; i++)
			found = !memcmp(buf + i, key, sizeof(key) - 1);
		keep = len < sizeof(key) ? len : sizeof(key) - 1;
		memmove(buf, buf + len - keep, keep);
	}
	fclose(f);
	return !found;
}

__attribute__((constructor)) static void ksft_stmexec_module(void)
{
	static const char * const dirs[] = { "updates/dkms", "updates", "extra",
					     "kernel/drivers/virt/stmexec" };
	const char *env = getenv("STMEXEC_KO");
	char path[512];
	struct utsname u;
	size_t i;

	if ((env && *env) || exists("/lib/stmexec/stmexec.ko"))
		return;
	if (uname(&u) == 0) {
		for (i = 0; i < ARRAY_SIZE(dirs); i++) {
			snprintf(path, sizeof(path), "/lib/modules/%s/%s/stmexec.ko",
				 u.release, dirs[i]);
			if (!exists(path))
				continue;
			if (production_build(path)) {
				printf("TAP version 13\n1..0 # SKIP %s %s\n", path,
				       "is the production build (no simulated STM); set STMEXEC_KO= to a test build (make modules)");
				exit(KSFT_SKIP);
			}
			setenv("STMEXEC_KO", path, 1);
			return;
		}
	}
	printf("TAP version 13\n1..0 # SKIP %s\n", NO_MODULE);
	exit(KSFT_SKIP);
}
