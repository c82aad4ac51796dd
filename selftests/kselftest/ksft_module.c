// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest layout only: before the harness starts, point the suites at the
 * module they load (sx_ko_path(): $STMEXEC_KO, else /lib/stmexec/stmexec.ko,
 * the QEMU harness's path) and skip the whole suite with KSFT_SKIP when
 * there is no module to load and none loaded. The installed module is
 * looked for where DKMS and `make modules_install` put it.
 */
#include <stdio.h>
#include <stdlib.h>
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
			if (exists(path)) {
				setenv("STMEXEC_KO", path, 1);
				return;
			}
		}
	}
	printf("TAP version 13\n1..0 # SKIP %s\n", NO_MODULE);
	exit(KSFT_SKIP);
}
