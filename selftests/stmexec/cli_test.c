// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec CLI selftests: exit codes (0 ok, 1 failed, 2 usage, 3 module not
 * loaded, 4 permission denied) with messages that name the cause and the
 * fix; golden outputs of status, ranges and bios; identical text in the
 * CLI and in sysfs; --json output of every read command accepted by a
 * strict JSON validator (jsonv.c), also with hostile strings in
 * last_error; the decoded log including gap records.
 *
 * Environment: STMEXEC_CLI (default /usr/bin/stmexec), STMEXEC_GOLDEN
 * (default: the golden/ directory next to this binary).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "jsonv.h"
#include "sx.h"
#include "sx_test.h"

#define OUTLEN 65536

static const char *cli(void)
{
	const char *p = getenv("STMEXEC_CLI");

	return p && *p ? p : "/usr/bin/stmexec";
}

struct run {
	int rc;
	char out[OUTLEN];
	char err[OUTLEN];
};

/* Run the CLI with up to 15 arguments (NULL-terminated) as @uid. */
static int run_cli(struct run *r, uid_t uid, ...)
{
	char *argv[16];
	va_list ap;
	int n = 0, ret;

	argv[n++] = (char *)cli();
	va_start(ap, uid);
	while (n < 15 && (argv[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	ret = __sx_run_as(uid, argv, r->out, sizeof(r->out), r->err, sizeof(r->err), &r->rc);
	return ret ? ret : r->rc;
}

#define CLI(r, ...) run_cli((r), 0, __VA_ARGS__, NULL)
#define CLI_AS(r, uid, ...) run_cli((r), (uid), __VA_ARGS__, NULL)

static void golden_path(const char *name, char *path, size_t len)
{
	const char *g = getenv("STMEXEC_GOLDEN");
	char exe[512];
	ssize_t n;

	if (g && *g) {
		snprintf(path, len, "%s/%s", g, name);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	snprintf(path, len, "%s/golden/%s", dirname(exe), name);
}

/* Read golden file @name and replace @KEY@ placeholders from @subst. */
static int golden(const char *name, const char *const subst[][2], char *buf, size_t len)
{
	char path[600], raw[OUTLEN];
	size_t n, o = 0;
	const char *p;
	FILE *f;

	golden_path(name, path, sizeof(path));
	f = fopen(path, "r");
	if (!f)
		return -errno;
	n = fread(raw, 1, sizeof(raw) - 1, f);
	fclose(f);
	raw[n] = '\0';
	for (p = raw; *p && o < len - 1;) {
		size_t k;
		bool done = false;

		for (k = 0; subst && subst[k][0]; k++) {
			size_t kl = strlen(subst[k][0]);

			if (!strncmp(p, subst[k][0], kl)) {
				o += (size_t)snprintf(buf + o, len - o, "%s", subst[k][1]);
				p += kl;
				done = true;
				break;
			}
		}
		if (!done)
			buf[o++] = *p++;
	}
	buf[o < len ? o : len - 1] = '\0';
	return 0;
}

static bool json_ok(struct __test_metadata *_metadata, const char *what, const char *s, bool lines)
{
	char err[300];
	int ret = lines ? jsonv_check_lines(s, strlen(s), err, sizeof(err)) :
			  jsonv_check(s, strlen(s), err, sizeof(err));

	if (ret)
		TH_LOG("%s: invalid JSON: %s\n%s", what, err, s);
	return ret == 0;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* ---- the validator itself ------------------------------------------------- */

TEST(json_validator_self_test)
{
	static const char *const good[] = {
		"{}", "[]", "0", "-1.5e+3", "\"\\u00e9\\ud83d\\ude00\"", " {\"a\" : [true, false, null]} ",
		"\"caf\xc3\xa9\"",
	};
	static const char *const bad[] = {
		"", "{", "{\"a\":1,}", "[1,]", "01", "1.", "\"\\x\"", "\"\x01\"", "[1] 2",
		"{a:1}", "\"\xff\"", "\"\\ud800\"", "'a'", "NaN", "[1 2]", "\"\xed\xa0\x80\"",
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		EXPECT_EQ(0, jsonv_check(good[i], strlen(good[i]), NULL, 0)) {
			TH_LOG("rejected valid '%s'", good[i]);
		}
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, jsonv_check(bad[i], strlen(bad[i]), NULL, 0)) {
			TH_LOG("accepted invalid '%s'", bad[i]);
		}
	}
	EXPECT_EQ(0, jsonv_check_lines("{}\n[1]\n\n2\n", 10, NULL, 0));
	EXPECT_EQ(-1, jsonv_check_lines("{}\n[1,]\n", 8, NULL, 0));
	EXPECT_EQ(-1, jsonv_check("{}\0", 3, NULL, 0));
}

/* ---- without the module ------------------------------------------------- */

TEST(exit_3_module_not_loaded)
{
	static const char *const cmds[][3] = {
		{ "status" }, { "enable" }, { "disable" }, { "ranges" }, { "bios" },
		{ "log" }, { "protect", "mem 0x100000+4K" }, { "unprotect", "io 0x60" },
		{ "--json", "status" },
	};
	struct run *r = calloc(1, sizeof(*r));
	size_t i;

	ASSERT_NE(NULL, r);
	sx_ensure_unloaded();
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		EXPECT_EQ(3, CLI(r, cmds[i][0], cmds[i][1])) {
			TH_LOG("'stmexec %s %s': exit %d\n%s", cmds[i][0], cmds[i][1] ?: "", r->rc, r->err);
		}
		EXPECT_NE(NULL, strstr(r->err, "not loaded")) {
			TH_LOG("'stmexec %s': stderr does not say the module is not loaded: %s", cmds[i][0], r->err);
		}
		EXPECT_NE(NULL, strstr(r->err, "modprobe stmexec"));
		EXPECT_NE(NULL, strstr(r->err, "backend=sim"));
		EXPECT_STREQ("", r->out);
	}
	/* version and check still work and say what they can */
	EXPECT_EQ(0, CLI(r, "version"));
	EXPECT_NE(NULL, strstr(r->out, "module: unknown (module not loaded)"));
	CLI(r, "--json", "version");
	EXPECT_EQ(0, r->rc);
	EXPECT_TRUE(json_ok(_metadata, "version --json without module", r->out, false));
	CLI(r, "check");
	EXPECT_TRUE(r->rc == 0 || r->rc == 1);
	EXPECT_NE(NULL, strstr(r->out, "module is not loaded"));
	CLI(r, "--json", "check");
	EXPECT_TRUE(json_ok(_metadata, "check --json without module", r->out, false));
	EXPECT_NE(NULL, strstr(r->out, "\"module_loaded\": false"));
	free(r);
}

TEST(exit_2_usage)
{
	static const char *const cmds[][4] = {
		{ NULL }, { "bogus" }, { "--bogus", "status" }, { "protect" }, { "protect", "mem" },
		{ "protect", "disk", "0x1000" }, { "protect", "mem", "0x1000+0" },
		{ "protect", "io", "0x60", "deny=x" }, { "protect", "pci", "00:20.0" },
		{ "unprotect", "msr" }, { "enable", "now" }, { "status", "extra" },
		{ "--json", "enable" }, { "--json", "protect", "mem 0x1000" }, { "log", "-n" },
		{ "log", "-n", "many" }, { "log", "sideways" }, { "log", "setup", "pages=0" },
		{ "help", "bogus" },
	};
	struct run *r = calloc(1, sizeof(*r));
	size_t i;

	ASSERT_NE(NULL, r);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		EXPECT_EQ(2, CLI(r, cmds[i][0], cmds[i][1], cmds[i][2], cmds[i][3])) {
			TH_LOG("'stmexec %s %s %s': exit %d, want 2\n%s", cmds[i][0] ?: "",
			       cmds[i][0] ? cmds[i][1] ?: "" : "", "", r->rc, r->err);
		}
		EXPECT_NE(0, strlen(r->err)) {
			TH_LOG("usage error #%zu without a message", i);
		}
	}
	/* a usage error names the bad word and points at help */
	CLI(r, "protect", "disk", "0x1000");
	EXPECT_NE(NULL, strstr(r->err, "disk"));
	EXPECT_NE(NULL, strstr(r->err, "stmexec help"));
	EXPECT_EQ(0, CLI(r, "help"));
	EXPECT_NE(NULL, strstr(r->out, "exit status"));
	EXPECT_EQ(0, CLI(r, "help", "protect"));
	EXPECT_EQ(0, CLI(r, "--help"));
	EXPECT_EQ(0, CLI(r, "protect", "--help"));
	free(r);
}

/* ---- with the module (sim) ---------------------------------------------- */

FIXTURE(cli) {
	int fd;
	struct run *r;
	char ncpus[16];
	char cpulist[64];
	char mem[32], io[32], io3[32], msr[32];
	uint64_t memv, iov;
};

FIXTURE_SETUP(cli)
{
	uint64_t msrv;

	self->fd = -1;
	self->r = calloc(1, sizeof(*self->r));
	ASSERT_NE(NULL, self->r);
	snprintf(self->ncpus, sizeof(self->ncpus), "%d", sx_online_cpus());
	sx_online_list(self->cpulist, sizeof(self->cpulist));
	sx_ensure_unloaded();
	sx_load(SX_SIM_BARE);
	self->fd = sx_open();
	/* pick free extents with the monitor on (the BIOS list is known then) */
	sx_ioctl(self->fd, STMEXEC_ENABLE, NULL);
	sx_find_free(self->fd, STMEXEC_RANGE_MEM, 0x10000, &self->memv);
	sx_find_free(self->fd, STMEXEC_RANGE_IO, 4, &self->iov);
	sx_find_free(self->fd, STMEXEC_RANGE_MSR, 1, &msrv);
	sx_ioctl(self->fd, STMEXEC_DISABLE, NULL);
	snprintf(self->mem, sizeof(self->mem), "0x%llx", (unsigned long long)self->memv);
	snprintf(self->io, sizeof(self->io), "0x%llx", (unsigned long long)self->iov);
	snprintf(self->io3, sizeof(self->io3), "0x%llx", (unsigned long long)self->iov + 3);
	snprintf(self->msr, sizeof(self->msr), "0x%llx", (unsigned long long)msrv);
	/* back to a freshly loaded module: no last error, counters at 0 */
	close(self->fd);
	sx_ensure_unloaded();
	sx_load(SX_SIM_BARE);
	self->fd = sx_open();
}

FIXTURE_TEARDOWN(cli)
{
	if (self->fd >= 0)
		close(self->fd);
	free(self->r);
	EXPECT_EQ(0, __sx_ensure_unloaded());
}

static void expect_golden(struct __test_metadata *_metadata, FIXTURE_DATA(cli) *self,
			  const char *name, const char *got)
{
	const char *const subst[][2] = {
		{ "@NCPUS@", self->ncpus }, { "@CPULIST@", self->cpulist },
		{ "@MEM@", self->mem }, { "@IO@", self->io }, { "@IO3@", self->io3 },
		{ "@MSR@", self->msr }, { NULL, NULL },
	};
	char *want = malloc(OUTLEN);

	ASSERT_NE(NULL, want);
	ASSERT_EQ(0, golden(name, subst, want, OUTLEN)) {
		TH_LOG("cannot read golden file %s", name);
	}
	EXPECT_STREQ(want, got) {
		TH_LOG("output differs from golden/%s", name);
	}
	free(want);
}

TEST_F(cli, exit_4_not_root)
{
	static const char *const cmds[][2] = {
		{ "status" }, { "enable" }, { "disable" }, { "ranges" }, { "bios" }, { "log" },
		{ "protect", "mem 0x100000+4K" },
	};
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		EXPECT_EQ(4, CLI_AS(self->r, SX_UID_NOBODY, cmds[i][0], cmds[i][1])) {
			TH_LOG("'stmexec %s' as nobody: exit %d\n%s", cmds[i][0], self->r->rc, self->r->err);
		}
		EXPECT_NE(NULL, strstr(self->r->err, "permission denied"));
		EXPECT_NE(NULL, strstr(self->r->err, "run as root"));
	}
	EXPECT_STREQ("off", sx_state());
}

TEST_F(cli, enable_disable_exit_0)
{
	char want[160];

	EXPECT_EQ(0, CLI(self->r, "enable"));
	snprintf(want, sizeof(want), "monitor on: backend sim, %s of %s CPUs active\n",
		 self->ncpus, self->ncpus);
	EXPECT_STREQ(want, self->r->out);
	EXPECT_NE(NULL, strstr(self->r->err, "NO protection"));
	EXPECT_STREQ("on", sx_state());
	/* idempotent: already on is success, and says so */
	EXPECT_EQ(0, CLI(self->r, "enable"));
	EXPECT_NE(NULL, strstr(self->r->out, "already on"));
	EXPECT_EQ(0, CLI(self->r, "disable"));
	EXPECT_STREQ("monitor off\n", self->r->out);
	EXPECT_EQ(0, CLI(self->r, "disable"));
	EXPECT_STREQ("off", sx_state());
}

TEST_F(cli, golden_status)
{
	EXPECT_EQ(0, CLI(self->r, "status"));
	expect_golden(_metadata, self, "status-off.txt", self->r->out);
	ASSERT_EQ(0, CLI(self->r, "enable"));
	EXPECT_EQ(0, CLI(self->r, "status"));
	expect_golden(_metadata, self, "status-on.txt", self->r->out);
	EXPECT_STREQ("", self->r->err);
}

TEST_F(cli, golden_ranges_and_sysfs_agree)
{
	char range1[128], range2[160], sys[4096];

	ASSERT_EQ(0, CLI(self->r, "enable"));
	EXPECT_EQ(0, CLI(self->r, "ranges"));
	EXPECT_STREQ("no protected ranges\n", self->r->out);
	snprintf(range1, sizeof(range1), "mem %s+8K deny=w", self->mem);
	snprintf(range2, sizeof(range2), "io %s-%s, msr %s deny=r", self->io, self->io3, self->msr);
	EXPECT_EQ(0, CLI(self->r, "protect", range1, range2)) {
		TH_LOG("protect: %s", self->r->err);
	}
	expect_golden(_metadata, self, "protect.txt", self->r->out);
	EXPECT_EQ(0, CLI(self->r, "ranges"));
	expect_golden(_metadata, self, "ranges.txt", self->r->out);
	/* the CLI prints the kernel's canonical form: sysfs says the same */
	sx_read("ranges", sys, sizeof(sys));
	strcat(sys, "\n");
	EXPECT_STREQ(sys, self->r->out);
	/* and what it prints can be fed back */
	EXPECT_EQ(0, CLI(self->r, "unprotect", range1, range2));
	EXPECT_EQ(0, CLI(self->r, "ranges"));
	EXPECT_STREQ("no protected ranges\n", self->r->out);
}

/* With the module's default policy (policy=kernel) its ranges are listed too. */
TEST(ranges_with_default_policy_match_sysfs)
{
	struct run *r = calloc(1, sizeof(*r));
	char sys[65536], first[256], *nl;

	ASSERT_NE(NULL, r);
	sx_ensure_unloaded();
	sx_load("backend=sim");
	ASSERT_EQ(0, CLI(r, "enable"));
	EXPECT_EQ(0, CLI(r, "ranges"));
	sx_read("ranges", sys, sizeof(sys));
	if (!sys[0])
		strcpy(sys, "no protected ranges");
	strcat(sys, "\n");
	EXPECT_STREQ(sys, r->out);
	if (strstr(sys, " policy\n")) {
		CLI(r, "--json", "ranges");
		EXPECT_TRUE(json_ok(_metadata, "ranges --json with policy ranges", r->out, false));
		EXPECT_NE(NULL, strstr(r->out, "\"policy\""));
		/* a policy line cannot be fed back: usage error naming the policy */
		snprintf(first, sizeof(first), "%s", sys);
		nl = strstr(first, " policy");
		if (nl)
			nl[7] = '\0';
		EXPECT_EQ(2, CLI(r, "unprotect", first));
		EXPECT_NE(NULL, strstr(r->err, "policy="));
	} else {
		TH_LOG("the default policy added no ranges here: %s", sys);
	}
	EXPECT_EQ(0, CLI(r, "disable"));
	free(r);
	EXPECT_EQ(0, __sx_ensure_unloaded());
}

TEST_F(cli, golden_bios_and_sysfs_agree)
{
	char sys[16384];

	/* no BIOS list before the first enable */
	EXPECT_EQ(1, CLI(self->r, "bios"));
	EXPECT_NE(NULL, strstr(self->r->err, "ENXIO"));
	EXPECT_NE(NULL, strstr(self->r->err, "enable"));
	ASSERT_EQ(0, CLI(self->r, "enable"));
	EXPECT_EQ(0, CLI(self->r, "bios"));
	expect_golden(_metadata, self, "bios.txt", self->r->out);
	sx_read("bios_resources", sys, sizeof(sys));
	strcat(sys, "\n");
	EXPECT_STREQ(sys, self->r->out);
}

TEST_F(cli, errors_name_cause_and_fix)
{
	char range[128], bios_range[128];
	struct stmexec_range *b = NULL;
	uint32_t n = 0, i;

	snprintf(range, sizeof(range), "mem %s+8K deny=w", self->mem);
	/* off: ENXIO, says to enable */
	EXPECT_EQ(1, CLI(self->r, "protect", range));
	EXPECT_NE(NULL, strstr(self->r->err, "ENXIO"));
	EXPECT_NE(NULL, strstr(self->r->err, "stmexec enable"));
	EXPECT_NE(NULL, strstr(self->r->err, "kernel reason"));
	ASSERT_EQ(0, CLI(self->r, "enable"));
	/* misaligned: EINVAL with the kernel's reason and a hint */
	snprintf(bios_range, sizeof(bios_range), "mem %s+0x800", self->mem);
	EXPECT_EQ(1, CLI(self->r, "protect", bios_range));
	EXPECT_NE(NULL, strstr(self->r->err, "EINVAL"));
	EXPECT_NE(NULL, strstr(self->r->err, "4 KiB"));
	/* duplicate: EEXIST */
	EXPECT_EQ(0, CLI(self->r, "protect", range));
	EXPECT_EQ(1, CLI(self->r, "protect", range));
	EXPECT_NE(NULL, strstr(self->r->err, "EEXIST"));
	EXPECT_NE(NULL, strstr(self->r->err, "stmexec ranges"));
	/* not held: ENOENT */
	snprintf(bios_range, sizeof(bios_range), "io %s", self->io);
	EXPECT_EQ(1, CLI(self->r, "unprotect", bios_range));
	EXPECT_NE(NULL, strstr(self->r->err, "ENOENT"));
	/* BIOS overlap: EADDRINUSE naming the firmware descriptor */
	sx_bios(self->fd, &b, &n);
	for (i = 0; i < n; i++)
		if ((b[i].type == STMEXEC_RANGE_MEM || b[i].type == STMEXEC_RANGE_MMIO) &&
		    !(b[i].flags & STMEXEC_RF_IGNORED) && b[i].length >= 0x1000 &&
		    !(b[i].base & 0xfff))
			break;
	if (i < n) {
		snprintf(bios_range, sizeof(bios_range), "%s 0x%llx+4K",
			 b[i].type == STMEXEC_RANGE_MEM ? "mem" : "mmio",
			 (unsigned long long)b[i].base);
		EXPECT_EQ(1, CLI(self->r, "protect", range, bios_range));
		EXPECT_NE(NULL, strstr(self->r->err, "EADDRINUSE"));
		EXPECT_NE(NULL, strstr(self->r->err, "offending range 1"));
		EXPECT_NE(NULL, strstr(self->r->err, "firmware descriptor")) {
			TH_LOG("%s", self->r->err);
		}
	} else {
		TH_LOG("no aligned mem/mmio BIOS descriptor: EADDRINUSE message not checked");
	}
	free(b);
}

TEST_F(cli, json_every_read_command)
{
	static const char *const cmds[][3] = {
		{ "status" }, { "check" }, { "ranges" }, { "bios" }, { "version" }, { "log" },
		{ "log", "-n", "1" },
	};
	char range[128];
	size_t i;

	ASSERT_EQ(0, CLI(self->r, "enable"));
	snprintf(range, sizeof(range), "mem %s+8K deny=w", self->mem);
	ASSERT_EQ(0, CLI(self->r, "protect", range, "io", self->io));
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		CLI(self->r, "--json", cmds[i][0], cmds[i][1], cmds[i][2]);
		EXPECT_TRUE(self->r->rc == 0 || (self->r->rc == 1 && !strcmp(cmds[i][0], "check"))) {
			TH_LOG("--json %s: exit %d: %s", cmds[i][0], self->r->rc, self->r->err);
		}
		EXPECT_TRUE(json_ok(_metadata, cmds[i][0], self->r->out, false));
	}
	/* --json after the command works too */
	CLI(self->r, "status", "--json");
	EXPECT_TRUE(json_ok(_metadata, "status --json", self->r->out, false));
	EXPECT_NE(NULL, strstr(self->r->out, "\"state\": \"on\""));
	EXPECT_NE(NULL, strstr(self->r->out, "\"nr_ranges\": 2"));
	CLI(self->r, "--json", "ranges");
	EXPECT_NE(NULL, strstr(self->r->out, "\"count\": 2"));
	EXPECT_NE(NULL, strstr(self->r->out, "\"deny\": \"w\""));
	CLI(self->r, "--json", "check");
	EXPECT_NE(NULL, strstr(self->r->out, "\"module_loaded\": true"));
}

TEST_F(cli, json_escapes_hostile_last_error)
{
	/* the kernel quotes the bad token in last_error: quotes, backslash,
	 * control characters and invalid UTF-8 must come out as valid JSON */
	static const char *const evil[] = {
		"\"q\\b\"", "\x01\x02\x1f", "caf\xc3\xa9", "\xff\xfe", "\xed\xa0\x80", "tab\there",
	};
	size_t i;

	for (i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
		char text[64];

		snprintf(text, sizeof(text), "%s 0x1000+4K", evil[i]);
		EXPECT_NE(0, __sx_write("protect", text));
		CLI(self->r, "--json", "status");
		EXPECT_EQ(0, self->r->rc);
		EXPECT_TRUE(json_ok(_metadata, "status with a hostile last_error", self->r->out, false)) {
			TH_LOG("last_error case %zu", i);
		}
	}
}

TEST_F(cli, log_decoded_with_gap)
{
	char range[128], addr[128];
	int i;

	SX_REQUIRE(sx_dbg_available());
	ASSERT_EQ(0, CLI(self->r, "enable"));
	snprintf(range, sizeof(range), "mem %s+4K deny=w", self->mem);
	ASSERT_EQ(0, CLI(self->r, "protect", range));
	EXPECT_EQ(0, CLI(self->r, "log"));
	EXPECT_STREQ("no new log records\n", self->r->out);
	EXPECT_NE(NULL, strstr(self->r->err, "log setup"));
	sx_write("log/poll_interval_ms", "10000");
	EXPECT_EQ(0, CLI(self->r, "log", "setup", "pages=1", "events=protection-exception"));
	EXPECT_EQ(0, CLI(self->r, "log", "start"));
	for (i = 0; i < 2; i++) {
		sx_inject("mem 0x%llx 8 w", (unsigned long long)self->memv + 8 * (unsigned int)i);
	}
	EXPECT_EQ(0, CLI(self->r, "log"));
	snprintf(addr, sizeof(addr), "mem %s+0x1000", self->mem);
	EXPECT_NE(NULL, strstr(self->r->out, "protection-exception")) {
		TH_LOG("%s", self->r->out);
	}
	EXPECT_NE(NULL, strstr(self->r->out, addr));
	EXPECT_EQ(2, count_lines(self->r->out)) {
		TH_LOG("%s", self->r->out);
	}
	/* 40 violations into a 16-entry log: a loud gap */
	for (i = 0; i < 40; i++) {
		sx_inject("mem 0x%llx 8 w", (unsigned long long)self->memv);
	}
	EXPECT_EQ(0, CLI(self->r, "log"));
	EXPECT_NE(NULL, strstr(self->r->out, "!!! GAP:")) {
		TH_LOG("%s", self->r->out);
	}
	EXPECT_NE(NULL, strstr(self->r->err, "WARNING"));
	/* JSON: array form and JSON Lines with -f -n */
	for (i = 0; i < 3; i++) {
		sx_inject("mem 0x%llx 8 w", (unsigned long long)self->memv);
	}
	EXPECT_EQ(0, CLI(self->r, "--json", "log", "-n", "1"));
	EXPECT_TRUE(json_ok(_metadata, "log --json -n 1", self->r->out, false));
	EXPECT_NE(NULL, strstr(self->r->out, "\"count\": 1"));
	EXPECT_EQ(0, CLI(self->r, "--json", "log", "-f", "-n", "2"));
	EXPECT_TRUE(json_ok(_metadata, "log --json -f -n 2", self->r->out, true));
	EXPECT_NE(NULL, strstr(self->r->out, "\"type\":\"protection-exception\""));
}

TEST_HARNESS_MAIN
