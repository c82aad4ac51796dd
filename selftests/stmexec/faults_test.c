// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec lifecycle under faults (issue 9; sim backend, debugfs fault
 * injection, which is not ABI): a failure at every step of enable leaves
 * every CPU off, the state "off" (or "failed" until the next disable) and
 * the right errno with the CPU named; a STOP failure wedges the module
 * until a disable succeeds; a one-shot STM status fails exactly one
 * request; CPU offline while on is refused, and enable with a present CPU
 * offline too, under the intel and coreboot profiles (issue 13); suspend through the PM test mode stops and relaunches,
 * and no enable gets in between the PM notifier's PREPARE and POST;
 * 100 enable/disable cycles leak nothing measurable; a CPU that arrives
 * late at E's START rendezvous is waited for, not counted as never asked;
 * the STM core's
 * reference-compatibility counter stays 0 after every test.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "sx.h"
#include "sx_test.h"

#define STM_ERROR_UNSPECIFIED	"0x8001FFFF"
#define STM_ERROR_OUT_OF_RESOURCES "0x80010015"
#define STM_API_PROTECT		0x00010003u
#define STM_ERROR_UNPROTECTABLE	0x80010017u
#define MAXCPU			64

enum { C_START = 1, C_STOP = 2 };	/* columns of debugfs "calls" */

/* debugfs "calls": one row per CPU, columns other start stop ... */
static int calls(uint64_t out[MAXCPU][16])
{
	char buf[16384], *line, *save = NULL;
	int rows = 0;

	memset(out, 0, sizeof(uint64_t) * MAXCPU * 16);
	if (__sx_dbg_read("calls", buf, sizeof(buf)))
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *p = line, *end;
		unsigned long cpu = strtoul(p, &end, 10);
		int k;

		if (end == p || cpu >= MAXCPU)
			continue;	/* the header */
		for (k = 0, p = end; k < 16; k++, p = end) {
			out[cpu][k] = strtoull(p, &end, 10);
			if (end == p)
				break;
		}
		rows++;
	}
	return rows;
}

/* Every CPU in debugfs "cpu_states" is "off". */
static bool all_cpus_off(char *why, size_t len)
{
	char buf[4096], *line, *save = NULL;

	if (__sx_dbg_read("cpu_states", buf, sizeof(buf))) {
		snprintf(why, len, "cannot read cpu_states");
		return false;
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strstr(line, " off")) {
			snprintf(why, len, "cpu_states: '%s'", line);
			return false;
		}
	}
	return true;
}

static const char *last_error(void)
{
	static char buf[512];

	if (__sx_read("last_error", buf, sizeof(buf)))
		buf[0] = '\0';
	return buf;
}

FIXTURE(ft) {
	int fd;
	int ncpus;
};

FIXTURE_SETUP(ft)
{
	self->fd = -1;
	self->ncpus = sx_online_cpus();
	sx_ensure_unloaded();
	sx_load(SX_SIM_BARE);
	self->fd = sx_open();
	SX_REQUIRE(sx_dbg_available());
}

FIXTURE_TEARDOWN(ft)
{
	char buf[256];

	if (sx_dbg_available()) {
		/* disarm everything, then: the core saw only correct use */
		__sx_dbg_write("fail_init", "0");
		__sx_dbg_write("fail_start_cpu", "-1");
		__sx_dbg_write("fail_stop_cpu", "-1");
		__sx_dbg_write("start_deactivates", "0");
		__sx_dbg_write("fail_leave_cpu", "-1");
		__sx_dbg_write("delay_cpu", "-1");
		__sx_dbg_write("next_status", "none");
		EXPECT_EQ(0, __sx_dbg_read("compat_violations", buf, sizeof(buf)));
		EXPECT_EQ(0, strtoull(buf, NULL, 0)) {
			TH_LOG("compat_violations: %s", buf);
		}
	}
	if (self->fd >= 0) {
		__sx_ioctl(self->fd, STMEXEC_DISABLE, NULL);
		close(self->fd);
	}
	EXPECT_EQ(0, __sx_ensure_unloaded());
}

static void expect_all_off(struct __test_metadata *_metadata, int fd, const char *what)
{
	struct stmexec_status st;
	char why[128] = "";
	uint64_t v = ~0ULL;

	sx_status(fd, &st);
	EXPECT_EQ(0, st.cpus_active) {
		TH_LOG("%s: %u CPUs still active", what, st.cpus_active);
	}
	EXPECT_EQ(0, __sx_read_u64("cpus_active", &v));
	EXPECT_EQ(0, v);
	EXPECT_TRUE(all_cpus_off(why, sizeof(why))) {
		TH_LOG("%s: %s", what, why);
	}
}

TEST_F(ft, fail_init_rolls_back)
{
	SX_SETUP_SKIPPED();
	sx_dbg_write("fail_init", STM_ERROR_UNSPECIFIED);
	EXPECT_EQ(-EIO, __sx_ioctl(self->fd, STMEXEC_ENABLE, NULL));
	EXPECT_STREQ("off", sx_state());
	expect_all_off(_metadata, self->fd, "INITIALIZE_PROTECTION failed");
	EXPECT_STRNE("", last_error());
	/* the fault gone, enable works */
	sx_dbg_write("fail_init", "0");
	EXPECT_EQ(0, __sx_ioctl(self->fd, STMEXEC_ENABLE, NULL));
	EXPECT_STREQ("on", sx_state());
}

/*
 * An STM that refuses activation for want of room (the bundled STM when
 * its MSEG cannot hold the MADT's CPUs; Documentation/stm-image.rst):
 * INITIALIZE_PROTECTION answers ERROR_STM_OUT_OF_RESOURCES. enable fails
 * with ENOSPC, not the EIO of an unspecified error, names the status, and
 * leaves every CPU off.
 */
TEST_F(ft, fail_init_out_of_resources_is_enospc)
{
	SX_SETUP_SKIPPED();
	sx_dbg_write("fail_init", STM_ERROR_OUT_OF_RESOURCES);
	EXPECT_EQ(-ENOSPC, __sx_ioctl(self->fd, STMEXEC_ENABLE, NULL));
	EXPECT_STREQ("off", sx_state());
	expect_all_off(_metadata, self->fd, "INITIALIZE_PROTECTION out of resources");
	EXPECT_NE(NULL, strstr(last_error(), "ERROR_STM_OUT_OF_RESOURCES")) {
		TH_LOG("last_error does not name the status: %s", last_error());
	}
	sx_dbg_write("fail_init", "0");
	EXPECT_EQ(0, __sx_ioctl(self->fd, STMEXEC_ENABLE, NULL));
	EXPECT_STREQ("on", sx_state());
}

/*
 * The CPU-valued files share one parser (debugfs_sim.c): a CPU past the
 * last possible one is ERANGE, below -2 EINVAL, and the value stays.
 */
TEST_F(ft, cpu_files_refuse_out_of_range)
{
	static const char *const files[] = {
		"fail_start_cpu", "fail_stop_cpu", "delay_cpu",
	};
	char buf[32];
	unsigned int i;

	SX_SETUP_SKIPPED();
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		sx_dbg_write(files[i], "0");
		EXPECT_EQ(-ERANGE, __sx_dbg_write(files[i], "8192")) {
			TH_LOG("%s = 8192", files[i]);
		}
		EXPECT_EQ(-EINVAL, __sx_dbg_write(files[i], "-3")) {
			TH_LOG("%s = -3", files[i]);
		}
		sx_dbg_read(files[i], buf, sizeof(buf));
		EXPECT_EQ(0, strtol(buf, NULL, 0)) {
			TH_LOG("%s: %s", files[i], buf);
		}
		sx_dbg_write(files[i], "-2");
		sx_dbg_write(files[i], "-1");
	}
}

TEST_F(ft, fail_start_on_one_cpu_rolls_back)
{
	uint64_t before[MAXCPU][16], after[MAXCPU][16];
	int last = self->ncpus - 1;
	char cpu[16];

	SX_SETUP_SKIPPED();
	SX_REQUIRE(self->ncpus >= 2);
	snprintf(cpu, sizeof(cpu), "%d", last);
	ASSERT_LT(0, calls(before));
	sx_dbg_write("fail_start_cpu", cpu);
	EXPECT_EQ(-EIO, __sx_ioctl(self->fd, STMEXEC_ENABLE, NULL));
	EXPECT_STREQ("off", sx_state());
	expect_all_off(_metadata, self->fd, "START failed on one CPU");
	snprintf(cpu, sizeof(cpu), "CPU %d", last);
	EXPECT_NE(NULL, strstr(last_error(), cpu)) {
		TH_LOG("last_error does not name %s: %s", cpu, last_error());
	}
	/* CPU 0 had started: the rollback stopped it */
	ASSERT_LT(0, calls(after));
	EXPECT_LE(1, after[0][C_STOP] - before[0][C_STOP]);
	EXPECT_LE(1, after[last][C_START] - before[last][C_START]);
	sx_dbg_write("fail_start_cpu", "-1");
	EXPECT_EQ(0, __sx_ioctl(self->fd, STMEXEC_ENABLE, NULL));
	EXPECT_STREQ("on", sx_state());
}

TEST_F(ft, fail_start_everywhere_rolls_back)
{
	SX_SETUP_SKIPPED();
	sx_dbg_write("fail_start_cpu", "-2");
	EXPECT_EQ(-EIO, __sx_ioctl(self->fd, STMEXEC_ENABLE, NULL));
	EXPECT_STREQ("off", sx_state());
	expect_all_off(_metadata, self->fd, "START failed everywhere");
}

/*
 * The bundled STM refuses an arrival beyond the MADT's count at START with
 * ERROR_STM_OUT_OF_RESOURCES and leaves through the activation VMCS with
 * the dual-monitor treatment deactivated (check-stm --madt-cpus): the
 * rollback's STOP there is then an activation attempt that the CPU refuses
 * with VMfailValid 19. That means "the STM is not active on this CPU", not
 * a module bug: enable fails with the START's ENOSPC, every CPU ends off,
 * and the module is not wedged (enable works again, rmmod works).
 */
TEST_F(ft, start_refusal_deactivating_rolls_back)
{
	uint64_t before[MAXCPU][16], after[MAXCPU][16];
	int last = self->ncpus - 1;
	unsigned int i;
	char cpu[16];

	SX_SETUP_SKIPPED();
	/* the last CPU, then every CPU ("-2", the enabling one included) */
	for (i = 0; i < 2; i++) {
		int first = i ? 0 : last;

		snprintf(cpu, sizeof(cpu), "%d", i ? -2 : last);
		ASSERT_LT(0, calls(before));
		sx_dbg_write("fail_status", STM_ERROR_OUT_OF_RESOURCES);
		sx_dbg_write("start_deactivates", "1");
		sx_dbg_write("fail_start_cpu", cpu);
		EXPECT_EQ(-ENOSPC, __sx_ioctl(self->fd, STMEXEC_ENABLE, NULL)) {
			TH_LOG("fail_start_cpu %s: %s", cpu, last_error());
		}
		EXPECT_STREQ("off", sx_state()) {
			TH_LOG("fail_start_cpu %s: %s", cpu, last_error());
		}
		expect_all_off(_metadata, self->fd, "START refused, deactivated");
		/* the START refusal, not the rollback's STOP (VMfailValid) */
		EXPECT_NE(NULL, strstr(last_error(), "ERROR_STM_OUT_OF_RESOURCES")) {
			TH_LOG("last_error is not the START refusal: %s",
			       last_error());
		}
		EXPECT_EQ(NULL, strstr(last_error(), "VMfailValid")) {
			TH_LOG("last_error: %s", last_error());
		}
		/* the refused CPU was STOPped (and the CPU refused that) */
		ASSERT_LT(0, calls(after));
		EXPECT_LE(1, after[first][C_STOP] - before[first][C_STOP]);
		sx_dbg_write("fail_start_cpu", "-1");
		sx_dbg_write("start_deactivates", "0");
		sx_dbg_write("fail_status", STM_ERROR_UNSPECIFIED);
		/* not wedged: enable and disable work again */
		EXPECT_EQ(0, __sx_ioctl(self->fd, STMEXEC_ENABLE, NULL));
		EXPECT_STREQ("on", sx_state());
		EXPECT_EQ(0, __sx_ioctl(self->fd, STMEXEC_DISABLE, NULL));
		EXPECT_STREQ("off", sx_state());
	}
	/* and the module unloads */
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(0, __sx_unload());
}

TEST_F(ft, fail_stop_wedges_until_disable_succeeds)
{
	struct stmexec_status st;
	int ret;

	SX_SETUP_SKIPPED();
	sx_ioctl(self->fd, STMEXEC_ENABLE, NULL);
	sx_dbg_write("fail_stop_cpu", "0");
	ret = __sx_ioctl(self->fd, STMEXEC_DISABLE, NULL);
	EXPECT_EQ(-EIO, ret);
	EXPECT_STREQ("failed", sx_state());
	sx_status(self->fd, &st);
	EXPECT_EQ(STMEXEC_STATE_FAILED, st.state);
	EXPECT_NE(0, st.last_errno);
	/* pinned, and enable refuses until the teardown completes */
	EXPECT_NE(0, __sx_unload());
	EXPECT_TRUE(sx_loaded());
	EXPECT_EQ(-EBUSY, __sx_ioctl(self->fd, STMEXEC_ENABLE, NULL));
	sx_dbg_write("fail_stop_cpu", "-1");
	EXPECT_EQ(0, __sx_ioctl(self->fd, STMEXEC_DISABLE, NULL));
	EXPECT_STREQ("off", sx_state());
	expect_all_off(_metadata, self->fd, "after the retried disable");
	EXPECT_EQ(0, __sx_ioctl(self->fd, STMEXEC_ENABLE, NULL));
}

TEST_F_TIMEOUT(ft, slow_cpu_times_out_and_is_named, 60)
{
	char cpu[16], name[16];
	int last = self->ncpus - 1, ret, tries;
	cpu_set_t set;

	SX_SETUP_SKIPPED();
	SX_REQUIRE(self->ncpus >= 2);
	/*
	 * Enable from CPU 0 and slow down another CPU: the enabling CPU runs
	 * its own START synchronously, so only a remote CPU can be waited for
	 * (and time out).
	 */
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
	/*
	 * The widest ratio the knobs allow (500 ms against 20 ms), so that a
	 * vCPU descheduled by a loaded host between sending the START IPIs
	 * and starting the bounded wait cannot let the slow CPU finish first.
	 */
	sx_dbg_write("timeout_ms", "20");
	sx_dbg_write("delay_us", "500000");
	snprintf(cpu, sizeof(cpu), "%d", last);
	sx_dbg_write("delay_cpu", cpu);
	/*
	 * A TCG vCPU thread descheduled by the host for longer than the delay
	 * between its own START and the bounded wait lets the slow CPU finish
	 * first, and the enable then succeeds (seen once in a clean-clone CI
	 * run on 6.1). Such an enable is undone and tried again, at most
	 * three times; a wait that never times out still fails the test.
	 */
	/*
	 * The other way round: the module names the first CPU it finds late,
	 * and on the KASAN kernel under a loaded host an undelayed CPU can
	 * miss the 20 ms as well ("CPU 2 did not answer START within 20 ms"
	 * with CPU 3 delayed, check-debug 2026-12-05). That timeout is real
	 * but names the wrong CPU for this test: finish the rollback and try
	 * again, within the same three tries.
	 */
	snprintf(name, sizeof(name), "CPU %d", last);
	for (tries = 0; tries < 3; tries++) {
		ret = __sx_ioctl(self->fd, STMEXEC_ENABLE, NULL);
		if (ret == -ETIMEDOUT && !strstr(last_error(), name))
			TH_LOG("another CPU was late too (host scheduling): %s; again",
			       last_error());
		else if (ret)
			break;
		else
			TH_LOG("enable beat the 20 ms bound (host scheduling): again");
		sx_dbg_write("delay_cpu", "-1");
		sx_dbg_write("timeout_ms", "1000");
		__sx_ioctl(self->fd, STMEXEC_DISABLE, NULL);
		ASSERT_STREQ("off", sx_state());
		sx_dbg_write("timeout_ms", "20");
		sx_dbg_write("delay_cpu", cpu);
	}
	EXPECT_EQ(-ETIMEDOUT, ret);
	snprintf(cpu, sizeof(cpu), "CPU %d", last);
	EXPECT_NE(NULL, strstr(last_error(), cpu)) {
		TH_LOG("last_error does not name %s: %s", cpu, last_error());
	}
	/* off, or failed until a disable finishes the rollback */
	EXPECT_TRUE(!strcmp(sx_state(), "off") || !strcmp(sx_state(), "failed")) {
		TH_LOG("state %s", sx_state());
	}
	sx_dbg_write("delay_cpu", "-1");
	sx_dbg_write("timeout_ms", "1000");
	EXPECT_EQ(0, __sx_ioctl(self->fd, STMEXEC_DISABLE, NULL));
	EXPECT_STREQ("off", sx_state());
	expect_all_off(_metadata, self->fd, "after the timeout");
	EXPECT_EQ(0, __sx_ioctl(self->fd, STMEXEC_ENABLE, NULL));
}

/*
 * A CPU that is asked to START but takes long to arrive at E's rendezvous
 * (a vCPU that a loaded host does not run; here its START reaches the
 * simulated STM 5 s late, past the sim's bound of 3.5 s for the default
 * timeout_ms): the other CPUs wait for it in "SMM", as E does, and the
 * enable succeeds on every CPU. Before the fix the simulated STM gave up
 * at its bound and counted "START waits for CPUs that were never asked"
 * although every CPU had been asked (compat_violations 1, seen once under
 * a loaded host), and the enable then timed out on the late CPU.
 */
TEST_F_TIMEOUT(ft, late_start_cpu_is_waited_for, 60)
{
	int last = self->ncpus - 1;
	char cpu[16], buf[256];
	uint64_t v = 0;
	cpu_set_t set;

	SX_SETUP_SKIPPED();
	SX_REQUIRE(self->ncpus >= 2);
	SX_REQUIRE(__sx_dbg_read("late_start_ms", buf, sizeof(buf)) == 0);
	/* enable from CPU 0, the late CPU is a remote one */
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
	snprintf(cpu, sizeof(cpu), "%d", last);
	sx_dbg_write("late_start_ms", "5000");
	sx_dbg_write("delay_cpu", cpu);
	EXPECT_EQ(0, __sx_ioctl(self->fd, STMEXEC_ENABLE, NULL)) {
		TH_LOG("enable with CPU %d late: %s", last, last_error());
	}
	sx_dbg_write("delay_cpu", "-1");
	sx_dbg_write("late_start_ms", "0");
	EXPECT_STREQ("on", sx_state());
	EXPECT_EQ(0, __sx_read_u64("cpus_active", &v));
	EXPECT_EQ((uint64_t)self->ncpus, v);
	ASSERT_EQ(0, __sx_dbg_read("compat_violations", buf, sizeof(buf)));
	EXPECT_EQ(0, strtoull(buf, NULL, 0)) {
		TH_LOG("compat_violations: %s", buf);
	}
	EXPECT_EQ(0, __sx_ioctl(self->fd, STMEXEC_DISABLE, NULL));
	expect_all_off(_metadata, self->fd, "after the late START");
}

TEST_F(ft, one_shot_status_fails_one_request)
{
	struct stmexec_range r, *l = NULL;
	uint64_t mem;
	uint32_t n = ~0u;
	char arm[64];

	SX_SETUP_SKIPPED();
	sx_ioctl(self->fd, STMEXEC_ENABLE, NULL);
	sx_find_free(self->fd, STMEXEC_RANGE_MEM, 0x1000, &mem);
	r = sx_range(STMEXEC_RANGE_MEM, mem, 0x1000, STMEXEC_ACC_W);
	snprintf(arm, sizeof(arm), "0x%x 0x%x", STM_API_PROTECT, STM_ERROR_UNPROTECTABLE);
	sx_dbg_write("next_status", arm);
	EXPECT_EQ(-EACCES, __sx_protect(self->fd, &r, 1, NULL, NULL));
	sx_list(self->fd, &l, &n);
	EXPECT_EQ(0, n);
	free(l);
	/* one shot: the same request now succeeds */
	EXPECT_EQ(0, __sx_protect(self->fd, &r, 1, NULL, NULL));
	EXPECT_STREQ("on", sx_state());
}

static int cpu_online(int cpu, int on)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	return __sx_write(path, on ? "1" : "0");
}

/*
 * F18: a CPU that could not leave VMX operation keeps the hotplug callbacks
 * (phase WEDGED): it may not go offline (on hardware: VMX on, INIT blocked,
 * the online would hang) until a disable finishes the leave. Before the fix
 * the callbacks were removed and the offline went through.
 */
TEST_F(ft, failed_leave_keeps_hotplug_callbacks)
{
	char cpu[16];
	int last = self->ncpus - 1, ret;

	SX_SETUP_SKIPPED();
	SX_REQUIRE(self->ncpus >= 2);
	sx_ioctl(self->fd, STMEXEC_ENABLE, NULL);
	snprintf(cpu, sizeof(cpu), "%d", last);
	sx_dbg_write("fail_leave_cpu", cpu);
	EXPECT_EQ(-EIO, __sx_ioctl(self->fd, STMEXEC_DISABLE, NULL));
	EXPECT_STREQ("failed", sx_state());
	EXPECT_EQ(-EBUSY, __sx_ioctl(self->fd, STMEXEC_ENABLE, NULL));
	ret = cpu_online(last, 0);
	EXPECT_EQ(-EBUSY, ret);
	if (!ret)
		cpu_online(last, 1);
	sx_dbg_write("fail_leave_cpu", "-1");
	EXPECT_EQ(0, __sx_ioctl(self->fd, STMEXEC_DISABLE, NULL)) {
		TH_LOG("disable retry: %s", last_error());
	}
	EXPECT_STREQ("off", sx_state());
	EXPECT_EQ(0, cpu_online(last, 0));
	EXPECT_EQ(0, cpu_online(last, 1));
	expect_all_off(_metadata, self->fd, "after the retried leave");
}

/*
 * Issue 13: the lifecycle as the real STMs behave, under each profile of the
 * simulated STM. The fixture's teardown fails the test if the core saw a
 * reference-compatibility violation (a real STM would have hung).
 */
FIXTURE(prof) {
	int fd;
	int ncpus;
	int last;		/* a CPU that can go offline, or -1 */
};

FIXTURE_VARIANT(prof) {
	const char *params;
};

FIXTURE_VARIANT_ADD(prof, intel) {
	.params = SX_SIM_BARE " sim_profile=intel",
};

FIXTURE_VARIANT_ADD(prof, coreboot) {
	.params = SX_SIM_BARE " sim_profile=coreboot",
};

FIXTURE_SETUP(prof)
{
	char path[96];
	struct stat st;

	self->fd = -1;
	self->ncpus = sx_online_cpus();
	self->last = self->ncpus - 1;
	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online",
		 self->last);
	if (self->ncpus < 2 || stat(path, &st))
		self->last = -1;
	sx_ensure_unloaded();
	sx_load(variant->params);
	self->fd = sx_open();
	SX_REQUIRE(sx_dbg_available());
}

FIXTURE_TEARDOWN(prof)
{
	char buf[256];
	cpu_set_t set;

	if (self->last > 0)
		cpu_online(self->last, 1);
	if (sx_dbg_available()) {
		EXPECT_EQ(0, __sx_dbg_read("compat_violations", buf, sizeof(buf)));
		EXPECT_EQ(0, strtoull(buf, NULL, 0)) {
			TH_LOG("compat_violations: %s", buf);
		}
	}
	if (self->fd >= 0) {
		__sx_ioctl(self->fd, STMEXEC_DISABLE, NULL);
		close(self->fd);
	}
	CPU_ZERO(&set);
	for (int c = 0; c < self->ncpus && c < CPU_SETSIZE; c++)
		CPU_SET(c, &set);
	sched_setaffinity(0, sizeof(set), &set);
	EXPECT_EQ(0, __sx_ensure_unloaded());
}

static int pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/*
 * E's START is a rendezvous of every CPU: the enabling CPU's own START must
 * come after every other CPU was asked, wherever the enabling task runs
 * (before the fix, enabling from CPU 0 left CPU 0 waiting in "SMM" for
 * CPUs not yet asked: START_RENDEZVOUS).
 */
TEST_F_TIMEOUT(prof, enable_from_each_cpu_clean, 120)
{
	uint64_t v = 0;
	int cpu;

	SX_SETUP_SKIPPED();
	for (cpu = 0; cpu < self->ncpus; cpu++) {
		ASSERT_EQ(0, pin_to(cpu));
		ASSERT_EQ(0, __sx_ioctl(self->fd, STMEXEC_ENABLE, NULL)) {
			TH_LOG("enable from CPU %d: %s", cpu, last_error());
		}
		EXPECT_EQ(0, __sx_read_u64("cpus_active", &v));
		EXPECT_EQ((uint64_t)self->ncpus, v);
		sx_ioctl(self->fd, STMEXEC_DISABLE, NULL);
	}
}

static uint64_t compat_count(void)
{
	char buf[256];

	if (__sx_dbg_read("compat_violations", buf, sizeof(buf)))
		return ~0ULL;
	return strtoull(buf, NULL, 0);
}

/*
 * Issue 13's "done when" bar in one test, under each profile (coreboot is
 * the one the issue names): enable on every CPU with compat_violations 0;
 * with the last CPU offline, enable refused (EHOSTDOWN); while on, that
 * CPU's offline refused (EBUSY) and the monitor still on every CPU; its
 * online again a no-op; compat_violations still 0 (the teardown checks it
 * once more).
 */
TEST_F(prof, issue13_bar)
{
	uint64_t v = 0;

	SX_SETUP_SKIPPED();
	if (self->last <= 0)
		SKIP(return, "needs a second CPU that can go offline");
	ASSERT_EQ(0, __sx_ioctl(self->fd, STMEXEC_ENABLE, NULL)) {
		TH_LOG("enable: %s", last_error());
	}
	EXPECT_EQ(0, __sx_read_u64("cpus_active", &v));
	EXPECT_EQ((uint64_t)self->ncpus, v);
	EXPECT_EQ(0, compat_count());
	sx_ioctl(self->fd, STMEXEC_DISABLE, NULL);

	ASSERT_EQ(0, cpu_online(self->last, 0));
	EXPECT_EQ(-EHOSTDOWN, __sx_ioctl(self->fd, STMEXEC_ENABLE, NULL));
	EXPECT_STREQ("off", sx_state());
	ASSERT_EQ(0, cpu_online(self->last, 1));

	ASSERT_EQ(0, __sx_ioctl(self->fd, STMEXEC_ENABLE, NULL)) {
		TH_LOG("enable after onlining: %s", last_error());
	}
	EXPECT_EQ(-EBUSY, cpu_online(self->last, 0));
	EXPECT_EQ(0, cpu_online(self->last, 1));
	EXPECT_STREQ("on", sx_state());
	EXPECT_EQ(0, __sx_read_u64("cpus_active", &v));
	EXPECT_EQ((uint64_t)self->ncpus, v);
	EXPECT_EQ(0, compat_count());
	EXPECT_EQ(0, __sx_ioctl(self->fd, STMEXEC_DISABLE, NULL));
	EXPECT_EQ(0, compat_count());
}

/* Every VMCALL with interrupts off: IF never relied on (RFLAGS 0x2). */
TEST_F(prof, activation_with_interrupts_off)
{
	char buf[256];

	SX_SETUP_SKIPPED();
	sx_ioctl(self->fd, STMEXEC_ENABLE, NULL);
	sx_dbg_read("compat_violations", buf, sizeof(buf));
	EXPECT_EQ(NULL, strstr(buf, "IF")) {
		TH_LOG("compat_violations: %s", buf);
	}
}

/* The BSP's SMI-blocked window (INIT to its START) is measured and short. */
TEST_F(prof, smi_window_measured_and_short)
{
	unsigned long long last = 0, max = 0;
	char buf[128];

	SX_SETUP_SKIPPED();
	sx_ioctl(self->fd, STMEXEC_ENABLE, NULL);
	sx_dbg_read("smi_window", buf, sizeof(buf));
	ASSERT_EQ(2, sscanf(buf, "last_ns %llu max_ns %llu", &last, &max)) {
		TH_LOG("smi_window: %s", buf);
	}
	EXPECT_LT(0, last);
	EXPECT_LE(last, max);
	/* VMCALLs only in the window; generous for a loaded TCG guest */
	EXPECT_GT(1000000000ULL, last) {
		TH_LOG("SMI-blocked window %llu ns", last);
	}
	TH_LOG("SMI-blocked window: %llu ns", last);
}

/* A present CPU offline: enable refused, EHOSTDOWN, CPU named, no VMCALL. */
TEST_F(prof, enable_refused_with_cpu_offline)
{
	uint64_t before[MAXCPU][16], after[MAXCPU][16];
	char want[32];
	int c, k;

	SX_SETUP_SKIPPED();
	if (self->last <= 0)
		SKIP(return, "needs a second CPU that can go offline");
	ASSERT_LT(0, calls(before));
	ASSERT_EQ(0, cpu_online(self->last, 0));
	EXPECT_EQ(-EHOSTDOWN, __sx_ioctl(self->fd, STMEXEC_ENABLE, NULL));
	snprintf(want, sizeof(want), "CPU(s) %d ", self->last);
	EXPECT_NE(NULL, strstr(last_error(), want)) {
		TH_LOG("last_error does not name CPU %d: %s", self->last,
		       last_error());
	}
	EXPECT_STREQ("off", sx_state());
	ASSERT_LT(0, calls(after));
	for (c = 0; c < MAXCPU; c++)
		for (k = 0; k < 16; k++)
			EXPECT_EQ(before[c][k], after[c][k]);
	/* the sysfs path gives the same answer */
	EXPECT_EQ(-EHOSTDOWN, __sx_write("enabled", "1"));
	ASSERT_EQ(0, cpu_online(self->last, 1));
	EXPECT_EQ(0, __sx_ioctl(self->fd, STMEXEC_ENABLE, NULL)) {
		TH_LOG("enable after onlining: %s", last_error());
	}
}

/*
 * CPU offline while on: refused (the CPU would take SMIs outside the STM,
 * and its return would be a second activation); nothing changes. Before
 * the fix, the CPU STOPped and its online START was a second activation.
 */
TEST_F(prof, cpu_offline_refused_while_on)
{
	uint64_t before[MAXCPU][16], after[MAXCPU][16];
	char list[64], want[64];
	uint64_t v = 0;
	int ret;

	SX_SETUP_SKIPPED();
	if (self->last <= 0)
		SKIP(return, "needs a second CPU that can go offline");
	sx_ioctl(self->fd, STMEXEC_ENABLE, NULL);
	ASSERT_LT(0, calls(before));
	ret = cpu_online(self->last, 0);
	EXPECT_EQ(-EBUSY, ret);
	if (!ret)
		cpu_online(self->last, 1);	/* the old module: relaunch */
	EXPECT_NE(NULL, strstr(last_error(), "cannot go offline")) {
		TH_LOG("last_error: %s", last_error());
	}
	EXPECT_STREQ("on", sx_state());
	EXPECT_EQ(0, __sx_read_u64("cpus_active", &v));
	EXPECT_EQ((uint64_t)self->ncpus, v);
	ASSERT_LT(0, calls(after));
	EXPECT_EQ(before[self->last][C_STOP], after[self->last][C_STOP]);
	EXPECT_EQ(before[self->last][C_START], after[self->last][C_START]);
	sx_online_list(want, sizeof(want));
	sx_read("cpus_active_list", list, sizeof(list));
	EXPECT_STREQ(want, list);
	/* off again: the CPU may go and come back, then enable works */
	sx_ioctl(self->fd, STMEXEC_DISABLE, NULL);
	ASSERT_EQ(0, cpu_online(self->last, 0));
	ASSERT_EQ(0, cpu_online(self->last, 1));
	EXPECT_EQ(0, __sx_ioctl(self->fd, STMEXEC_ENABLE, NULL));
	EXPECT_EQ(0, __sx_read_u64("cpus_active", &v));
	EXPECT_EQ((uint64_t)self->ncpus, v);
}

TEST_F_TIMEOUT(ft, suspend_pm_test_stops_and_relaunches, 60)
{
	uint64_t before[MAXCPU][16], after[MAXCPU][16];
	char states[128], tests[256];
	int c, ret;
	uint64_t v = 0;

	SX_SETUP_SKIPPED();
	if (__sx_read("/sys/power/state", states, sizeof(states)) || !strstr(states, "freeze"))
		SKIP(return, "no suspend-to-idle (/sys/power/state: '%s')", states);
	if (__sx_read("/sys/power/pm_test", tests, sizeof(tests)) || !strstr(tests, "freezer"))
		SKIP(return, "no PM test mode (CONFIG_PM_DEBUG) in this kernel");
	__sx_write("/sys/module/suspend/parameters/pm_test_delay", "0");
	sx_ioctl(self->fd, STMEXEC_ENABLE, NULL);
	ASSERT_LT(0, calls(before));
	sx_write("/sys/power/pm_test", "freezer");
	ret = __sx_write("/sys/power/state", "freeze");
	__sx_write("/sys/power/pm_test", "none");
	ASSERT_EQ(0, ret) {
		TH_LOG("echo freeze > /sys/power/state (pm_test=freezer): %s", strerror(-ret));
	}
	EXPECT_STREQ("on", sx_state());
	EXPECT_EQ(0, __sx_read_u64("cpus_active", &v));
	EXPECT_EQ((uint64_t)self->ncpus, v);
	ASSERT_LT(0, calls(after));
	for (c = 0; c < self->ncpus && c < MAXCPU; c++) {
		EXPECT_LE(1, after[c][C_STOP] - before[c][C_STOP]) {
			TH_LOG("CPU %d: no STOP around the suspend", c);
		}
		EXPECT_LE(1, after[c][C_START] - before[c][C_START]) {
			TH_LOG("CPU %d: no START after the resume", c);
		}
	}
}

/*
 * Regression: an enable between the PM notifier's PREPARE and POST (user
 * space is frozen only after the notifiers) went into suspend with every
 * CPU in VMX operation; found by the stress run (stress_run -P) on the
 * debug kernel (WARN in policy.c at the next START).
 */
TEST_F(ft, enable_refused_between_suspend_prepare_and_post)
{
	SX_SETUP_SKIPPED();
	sx_ioctl(self->fd, STMEXEC_ENABLE, NULL);
	sx_dbg_write("pm_event", "prepare");
	EXPECT_STREQ("off", sx_state());
	EXPECT_EQ(-EBUSY, __sx_ioctl(self->fd, STMEXEC_ENABLE, NULL));
	EXPECT_NE(NULL, strstr(last_error(), "suspend")) {
		TH_LOG("last_error: %s", last_error());
	}
	EXPECT_EQ(-EBUSY, __sx_write("enabled", "1"));
	EXPECT_STREQ("off", sx_state());
	expect_all_off(_metadata, self->fd, "enable while suspending");
	/* POST relaunches what PREPARE stopped */
	sx_dbg_write("pm_event", "post");
	EXPECT_STREQ("on", sx_state());
	EXPECT_EQ(0, __sx_ioctl(self->fd, STMEXEC_DISABLE, NULL));
	expect_all_off(_metadata, self->fd, "disable after the relaunch");
}

/* A disable between PREPARE and POST is kept: no relaunch at resume. */
TEST_F(ft, disable_while_suspending_stays_off_after_resume)
{
	SX_SETUP_SKIPPED();
	sx_ioctl(self->fd, STMEXEC_ENABLE, NULL);
	sx_dbg_write("pm_event", "prepare");
	EXPECT_EQ(0, __sx_ioctl(self->fd, STMEXEC_DISABLE, NULL));
	sx_dbg_write("pm_event", "post");
	EXPECT_STREQ("off", sx_state());
	expect_all_off(_metadata, self->fd, "after resume");
	/* and enables work again */
	EXPECT_EQ(0, __sx_ioctl(self->fd, STMEXEC_ENABLE, NULL));
	EXPECT_EQ(0, __sx_ioctl(self->fd, STMEXEC_DISABLE, NULL));
}

/*
 * Regression: a CPU that missed the load-time probe's 2 s bound ran its IPI
 * after the failed load had freed the probe data and the module (KASAN
 * use-after-free; a panic under Bochs). The load must fail with ETIMEDOUT,
 * naming the CPU, and leave nothing behind: the next load works. The
 * use-after-free itself is silent on the stock kernels (freed module
 * memory stays mapped until a lazy purge): on the KASAN kernel of make
 * check-debug the late IPI's write to the freed probe data is reported,
 * and the run fails on that line.
 */
TEST(probe_timeout_fails_load_cleanly)
{
	char buf[256];
	cpu_set_t set, old;
	int ret;

	SX_REQUIRE(sx_online_cpus() >= 2);
	sx_ensure_unloaded();
	/*
	 * The delayed CPU is the last one; the loading CPU runs its own probe
	 * synchronously, so load from CPU 0 (as slow_cpu_times_out_and_is_named
	 * enables from it).
	 */
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(old), &old));
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
	ret = __sx_load(SX_SIM_BARE " sim_probe_delay_ms=3000");
	sched_setaffinity(0, sizeof(old), &old);
	EXPECT_EQ(-ETIMEDOUT, ret) {
		TH_LOG("load with a 3 s probe delay: %s", strerror(-ret));
	}
	EXPECT_FALSE(sx_loaded());
	sx_load(SX_SIM_BARE);
	sx_read("state", buf, sizeof(buf));
	EXPECT_STREQ("off", buf);
	EXPECT_EQ(0, __sx_ensure_unloaded());
}

static long meminfo(const char *key)
{
	char line[256];
	long v = -1;
	size_t n = strlen(key);
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

/*
 * Let freed memory show as free: drop the page cache. On the debug kernel
 * (the one with kmemleak) also shrink every slab cache, which empties
 * KASAN's quarantine of that cache (freed objects held back to catch
 * use-after-free); elsewhere shrinking only adds noise (the caches refill
 * their slabs during the batch).
 */
static void settle_memory(void)
{
	char path[512];
	struct dirent *de;
	DIR *d = NULL;

	sync();
	__sx_write("/proc/sys/vm/drop_caches", "3");
	if (!access("/sys/kernel/debug/kmemleak", F_OK))
		d = opendir("/sys/kernel/slab");
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", de->d_name);
		__sx_write(path, "1");
	}
	if (d)
		closedir(d);
}

/* 100 enable/disable cycles; the growth of Slab and the drop of MemFree, kB. */
static int leak_batch(struct __test_metadata *_metadata, int fd, long *slab,
		      long *mem)
{
	long slab0, free0;
	int i;

	settle_memory();
	slab0 = meminfo("Slab");
	free0 = meminfo("MemFree");
	for (i = 0; i < 100; i++) {
		if (__sx_ioctl(fd, STMEXEC_ENABLE, NULL) ||
		    __sx_ioctl(fd, STMEXEC_DISABLE, NULL)) {
			TH_LOG("cycle %d failed: %s", i, last_error());
			return -1;
		}
	}
	settle_memory();
	*slab = meminfo("Slab") - slab0;
	*mem = free0 - meminfo("MemFree");
	TH_LOG("100 cycles: Slab %+ld kB, MemFree %+ld kB", *slab, -*mem);
	return 0;
}

/*
 * One page per CPU per cycle would be 800 kB on 2 CPUs. MemFree also moves
 * with the per-CPU free page lists and, on the debug kernel, KASAN's stack
 * depot and quarantine (settle_memory() empties the latter): when the
 * first batch is over the bound, a second one decides (a leak repeats,
 * that noise does not). kmemleak is the exact check, in make check-debug.
 */
TEST_F_TIMEOUT(ft, cycles_leak_nothing, 300)
{
	long slab, mem;
	int i;

	SX_SETUP_SKIPPED();
	for (i = 0; i < 5; i++) {	/* warm up caches */
		sx_ioctl(self->fd, STMEXEC_ENABLE, NULL);
		sx_ioctl(self->fd, STMEXEC_DISABLE, NULL);
	}
	ASSERT_EQ(0, leak_batch(_metadata, self->fd, &slab, &mem));
	if (slab >= 256 || mem >= 512) {
		TH_LOG("over the bound (Slab 256 kB, MemFree 512 kB): a second batch decides");
		ASSERT_EQ(0, leak_batch(_metadata, self->fd, &slab, &mem));
	}
	EXPECT_GT(256, slab);
	EXPECT_GT(512, mem);
	expect_all_off(_metadata, self->fd, "after the cycles");
}

TEST_HARNESS_MAIN
