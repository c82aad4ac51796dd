// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec error-record selftests (issue 18 item 4, ABI 1.1; sim backend):
 * the reason of a failed ioctl comes back in the caller's own struct
 * stmexec_error (err_ptr), so two callers failing at the same time for
 * different reasons each get their own; sysfs last_error is only "the last
 * failure of any caller" and may name the other one. Also: a caller of
 * ABI 1.0 (err_ptr 0) works as before, a success writes an empty record,
 * a bad err_ptr fails with EFAULT before anything changes, the record's
 * index is the entry err_index names, and STMEXEC_CONTROL; an enable
 * that fails names its own cause while others fail around it.
 *
 * The race tests check the reason each caller gets by the best means the
 * module offers: its own record (ABI >= 1.1), else last_error read right
 * after the failure, which is how the CLI did it on ABI 1.0 - there they
 * fail, as soon as one caller reads the other's reason (about 1% of the
 * rounds under TCG with 2 CPUs). The other tests need ABI 1.1.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "sx.h"
#include "sx_test.h"

#define ROUNDS		2000

/* Reason A: PROTECT with too many entries (refused before sx->lock). */
#define A_ERR		E2BIG
#define A_TEXT		"ranges in one request"
/* Reason B: LOG_SETUP with 0 pages (refused under sx->lock). */
#define B_ERR		EINVAL
#define B_TEXT		"LOG_SETUP: pages 0"

static int fail_a(int fd, struct stmexec_error *e)
{
	struct stmexec_range_array a;

	memset(&a, 0, sizeof(a));
	a.count = STMEXEC_MAX_RANGES + 1;
	a.err_ptr = (uintptr_t)e;	/* NULL: an ABI 1.0 caller */
	return __sx_ioctl(fd, STMEXEC_PROTECT, &a);
}

static int fail_b(int fd, struct stmexec_error *e)
{
	struct stmexec_log_setup ls;

	memset(&ls, 0, sizeof(ls));
	ls.pages = 0;
	ls.event_mask = 1;
	ls.err_ptr = (uintptr_t)e;
	return __sx_ioctl(fd, STMEXEC_LOG_SETUP, &ls);
}

struct racer {
	bool is_a;
	bool record;		/* ABI >= 1.1: pass err_ptr */
	int bad;		/* records that were not this caller's */
	int foreign_last;	/* last_error reads that named the other caller */
	char first_bad[STMEXEC_ERR_MSG_LEN + 64];
};

/*
 * ROUNDS failing requests of one kind, each checked against the reason the
 * caller gets: its record, or (ABI 1.0) last_error. With a record,
 * last_error is read too, for the log only (it is documented as anyone's).
 */
static void *race(void *arg)
{
	struct racer *r = arg;
	const char *want = r->is_a ? A_TEXT : B_TEXT;
	const char *other = r->is_a ? B_TEXT : A_TEXT;
	int werr = r->is_a ? A_ERR : B_ERR;
	struct stmexec_error e;
	char last[512];
	int i, fd, ret;

	fd = __sx_open();
	if (fd < 0) {
		r->bad = ROUNDS;
		snprintf(r->first_bad, sizeof(r->first_bad), "open: %s",
			 strerror(-fd));
		return NULL;
	}
	for (i = 0; i < ROUNDS; i++) {
		memset(&e, 0xa5, sizeof(e));
		ret = r->is_a ? fail_a(fd, r->record ? &e : NULL) :
				fail_b(fd, r->record ? &e : NULL);
		if (__sx_read("last_error", last, sizeof(last)))
			last[0] = '\0';
		if (strstr(last, other))
			r->foreign_last++;
		if (!r->record) {
			/* ABI 1.0: what the CLI printed as this call's reason */
			memset(&e, 0, sizeof(e));
			e.code = -ret;
			e.index = ~0u;
			snprintf(e.msg, sizeof(e.msg), "%s", last);
		}
		e.msg[sizeof(e.msg) - 1] = '\0';
		if (ret != -werr || e.code != (uint32_t)werr ||
		    !strstr(e.msg, want) || e.index != ~0u || e.flags) {
			if (!r->bad++)
				snprintf(r->first_bad, sizeof(r->first_bad),
					 "round %d: ret %d code %u index 0x%x flags 0x%x msg '%s'",
					 i, ret, e.code, e.index, e.flags, e.msg);
		}
	}
	close(fd);
	return NULL;
}

FIXTURE(er) {
	int fd;
	uint64_t mem;
	uint32_t abi_minor;
};

FIXTURE_SETUP(er)
{
	struct stmexec_version v;

	self->fd = -1;
	sx_ensure_unloaded();
	sx_load(SX_SIM_BARE);
	self->fd = sx_open();
	memset(&v, 0, sizeof(v));
	sx_ioctl(self->fd, STMEXEC_GET_VERSION, &v);
	ASSERT_EQ(STMEXEC_ABI_MAJOR, v.abi_major);
	self->abi_minor = v.abi_minor;
	sx_ioctl(self->fd, STMEXEC_ENABLE, NULL);
	sx_find_free(self->fd, STMEXEC_RANGE_MEM, 0x2000, &self->mem);
}

FIXTURE_TEARDOWN(er)
{
	if (self->fd >= 0)
		close(self->fd);
	EXPECT_EQ(0, __sx_ensure_unloaded());
}

static void expect_own(struct __test_metadata *_metadata, struct racer *r)
{
	EXPECT_EQ(0, r->bad) {
		TH_LOG("caller %s: %d of %d records not its own; first: %s",
		       r->is_a ? "A (PROTECT, E2BIG)" : "B (LOG_SETUP, EINVAL)",
		       r->bad, ROUNDS, r->first_bad);
	}
	TH_LOG("caller %s: last_error named the other caller %d times of %d",
	       r->is_a ? "A" : "B", r->foreign_last, ROUNDS);
}

/* Two processes, each its own open file. */
TEST_F(er, concurrent_processes_own_reasons)
{
	struct racer r[2] = { { .is_a = true }, { .is_a = false } };
	pid_t pid[2];
	int i, st;

	r[0].record = self->abi_minor >= 1;
	r[1].record = r[0].record;

	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (!pid[i]) {
			race(&r[i]);
			if (r[i].bad)
				fprintf(stderr, "# child %c: %d bad; first: %s\n",
					'A' + i, r[i].bad, r[i].first_bad);
			else
				fprintf(stderr, "# child %c: last_error named the other caller %d of %d times\n",
					'A' + i, r[i].foreign_last,
					ROUNDS);
			_exit(r[i].bad ? 1 : 0);
		}
	}
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(pid[i], waitpid(pid[i], &st, 0));
		EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) {
			TH_LOG("child %c: status 0x%x", 'A' + i, st);
		}
	}
}

/* Two threads of one process: same mm, different tasks. */
TEST_F(er, concurrent_threads_own_reasons)
{
	struct racer r[2] = { { .is_a = true }, { .is_a = false } };
	pthread_t t[2];
	int i;

	r[0].record = self->abi_minor >= 1;
	r[1].record = r[0].record;

	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, race, &r[i]));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_join(t[i], NULL));
	expect_own(_metadata, &r[0]);
	expect_own(_metadata, &r[1]);
}

/* An ABI 1.0 caller: err_ptr 0, the reason only in last_error. */
TEST_F(er, old_binary_err_ptr_zero)
{
	struct stmexec_range_array a;
	struct stmexec_range r;
	char last[512];

	r = sx_range(STMEXEC_RANGE_MEM, self->mem + 0x800, 0x1000,
		     STMEXEC_ACC_W);
	memset(&a, 0, sizeof(a));
	a.ranges_ptr = (uintptr_t)&r;
	a.count = 1;
	EXPECT_EQ(-EINVAL, __sx_ioctl(self->fd, STMEXEC_PROTECT, &a));
	EXPECT_EQ(0, a.err_index);
	EXPECT_EQ(0, a.err_ptr);
	sx_read("last_error", last, sizeof(last));
	EXPECT_NE(NULL, strstr(last, "-EINVAL")) {
		TH_LOG("last_error: %s", last);
	}
	/* and the old commands without an argument still work */
	EXPECT_EQ(-EALREADY, __sx_ioctl(self->fd, STMEXEC_ENABLE, NULL));
	sx_ioctl(self->fd, STMEXEC_DISABLE, NULL);
	sx_ioctl(self->fd, STMEXEC_ENABLE, NULL);
	/* a valid request with err_ptr 0 succeeds */
	r = sx_range(STMEXEC_RANGE_MEM, self->mem, 0x1000, STMEXEC_ACC_W);
	sx_protect(self->fd, &r, 1, NULL, NULL);
	memset(&a, 0, sizeof(a));
	EXPECT_EQ(0, __sx_ioctl(self->fd, STMEXEC_LIST_RANGES, &a));
	EXPECT_EQ(1, a.count);
}

/* Success: code 0, index ~0, empty message (stale contents overwritten). */
TEST_F(er, success_writes_empty_record)
{
	struct stmexec_range_array a;
	struct stmexec_error e;
	struct stmexec_range r;

	ASSERT_LE(1, self->abi_minor);	/* error records: ABI 1.1 */
	r = sx_range(STMEXEC_RANGE_MEM, self->mem, 0x1000, STMEXEC_ACC_W);
	memset(&a, 0, sizeof(a));
	a.ranges_ptr = (uintptr_t)&r;
	a.count = 1;
	a.err_ptr = (uintptr_t)&e;
	memset(&e, 0x5a, sizeof(e));
	sx_ioctl(self->fd, STMEXEC_PROTECT, &a);
	EXPECT_EQ(0, e.code);
	EXPECT_EQ(~0u, e.index);
	EXPECT_EQ(0, e.flags);
	EXPECT_EQ(0, e.reserved);
	EXPECT_EQ('\0', e.msg[0]);
	EXPECT_EQ('\0', e.msg[sizeof(e.msg) - 1]);
}

/* The record's index is the entry err_index names; the reason names it. */
TEST_F(er, index_names_the_entry)
{
	struct stmexec_range_array a;
	struct stmexec_range r[3];
	struct stmexec_error e;

	ASSERT_LE(1, self->abi_minor);	/* error records: ABI 1.1 */
	r[0] = sx_range(STMEXEC_RANGE_MEM, self->mem, 0x1000, STMEXEC_ACC_W);
	r[1] = sx_range(STMEXEC_RANGE_MEM, self->mem + 0x1000, 0x1000,
			STMEXEC_ACC_W);
	r[2] = r[1];
	r[2].type = 99;
	memset(&a, 0, sizeof(a));
	a.ranges_ptr = (uintptr_t)r;
	a.count = 3;
	a.err_ptr = (uintptr_t)&e;
	EXPECT_EQ(-EINVAL, __sx_ioctl(self->fd, STMEXEC_PROTECT, &a));
	EXPECT_EQ(EINVAL, e.code);
	EXPECT_EQ(2, a.err_index);
	EXPECT_EQ(2, e.index);
	EXPECT_NE(NULL, strstr(e.msg, "range 2")) {
		TH_LOG("msg: %s", e.msg);
	}
	/* the request is all or nothing */
	memset(&a, 0, sizeof(a));
	sx_ioctl(self->fd, STMEXEC_LIST_RANGES, &a);
	EXPECT_EQ(0, a.count);
}

/* A bad err_ptr: EFAULT, and the valid request is not applied. */
TEST_F(er, bad_err_ptr_changes_nothing)
{
	struct stmexec_range_array a;
	struct stmexec_control c;
	struct stmexec_range r;
	struct stmexec_status st;

	ASSERT_LE(1, self->abi_minor);	/* error records: ABI 1.1 */
	r = sx_range(STMEXEC_RANGE_MEM, self->mem, 0x1000, STMEXEC_ACC_W);
	memset(&a, 0, sizeof(a));
	a.ranges_ptr = (uintptr_t)&r;
	a.count = 1;
	a.err_ptr = 8;
	EXPECT_EQ(-EFAULT, __sx_ioctl(self->fd, STMEXEC_PROTECT, &a));
	memset(&a, 0, sizeof(a));
	sx_ioctl(self->fd, STMEXEC_LIST_RANGES, &a);
	EXPECT_EQ(0, a.count);

	memset(&c, 0, sizeof(c));
	c.op = STMEXEC_CTL_DISABLE;
	c.err_ptr = 8;
	EXPECT_EQ(-EFAULT, __sx_ioctl(self->fd, STMEXEC_CONTROL, &c));
	sx_status(self->fd, &st);
	EXPECT_EQ(STMEXEC_STATE_ON, st.state);
}

/* CONTROL: the five operations with a record; bad op/flags refused. */
TEST_F(er, control)
{
	struct stmexec_control c;
	struct stmexec_status st;
	struct stmexec_error e;

	ASSERT_LE(1, self->abi_minor);	/* error records: ABI 1.1 */
	memset(&c, 0, sizeof(c));
	c.err_ptr = (uintptr_t)&e;
	c.op = STMEXEC_CTL_ENABLE;
	EXPECT_EQ(-EALREADY, __sx_ioctl(self->fd, STMEXEC_CONTROL, &c));
	EXPECT_EQ(EALREADY, e.code);
	EXPECT_NE('\0', e.msg[0]);

	c.op = STMEXEC_CTL_LOG_START;
	EXPECT_EQ(-ENOENT, __sx_ioctl(self->fd, STMEXEC_CONTROL, &c));
	EXPECT_EQ(ENOENT, e.code);

	c.op = 6;
	EXPECT_EQ(-EINVAL, __sx_ioctl(self->fd, STMEXEC_CONTROL, &c));
	EXPECT_NE(NULL, strstr(e.msg, "unknown op 6")) {
		TH_LOG("msg: %s", e.msg);
	}
	c.op = STMEXEC_CTL_DISABLE;
	c.flags = 1;
	EXPECT_EQ(-EINVAL, __sx_ioctl(self->fd, STMEXEC_CONTROL, &c));
	EXPECT_NE(NULL, strstr(e.msg, "flags and reserved")) {
		TH_LOG("msg: %s", e.msg);
	}
	sx_status(self->fd, &st);
	EXPECT_EQ(STMEXEC_STATE_ON, st.state);

	c.flags = 0;
	sx_ioctl(self->fd, STMEXEC_CONTROL, &c);
	EXPECT_EQ(0, e.code);
	sx_status(self->fd, &st);
	EXPECT_EQ(STMEXEC_STATE_OFF, st.state);
	c.op = STMEXEC_CTL_ENABLE;
	sx_ioctl(self->fd, STMEXEC_CONTROL, &c);
	sx_status(self->fd, &st);
	EXPECT_EQ(STMEXEC_STATE_ON, st.state);
}

/* LOG_SETUP and VMCS_DB carry a record too; reserved stays reserved. */
TEST_F(er, log_setup_vmcs_db_records)
{
	struct stmexec_log_setup ls;
	struct stmexec_vmcs_db v;
	struct stmexec_error e;

	ASSERT_LE(1, self->abi_minor);	/* error records: ABI 1.1 */
	memset(&e, 0, sizeof(e));
	EXPECT_EQ(-EINVAL, fail_b(self->fd, &e));
	EXPECT_NE(NULL, strstr(e.msg, B_TEXT));

	memset(&ls, 0, sizeof(ls));
	ls.pages = 1;
	ls.event_mask = 1;
	ls.reserved = 1;
	ls.err_ptr = (uintptr_t)&e;
	EXPECT_EQ(-EINVAL, __sx_ioctl(self->fd, STMEXEC_LOG_SETUP, &ls));
	EXPECT_NE(NULL, strstr(e.msg, "flags and reserved")) {
		TH_LOG("msg: %s", e.msg);
	}

	memset(&v, 0, sizeof(v));
	v.op = 7;
	v.err_ptr = (uintptr_t)&e;
	EXPECT_EQ(-EINVAL, __sx_ioctl(self->fd, STMEXEC_VMCS_DB, &v));
	EXPECT_EQ(EINVAL, e.code);
	EXPECT_NE('\0', e.msg[0]);
	EXPECT_EQ(~0u, e.index);
}

/*
 * The asserting helpers (sx_test.h) report the request's own reason: a
 * LOG_SETUP fails, then another caller's PROTECT fails (last_error is now
 * the PROTECT's); the context still names the LOG_SETUP.
 */
TEST_F(er, helper_context_is_the_record)
{
	struct stmexec_log_setup ls;
	char ctx[384], last[512];
	int ret;

	ASSERT_LE(1, self->abi_minor);	/* error records: ABI 1.1 */
	memset(&ls, 0, sizeof(ls));
	ls.event_mask = 1;
	sx_record_arm();
	ret = __sx_ioctl(self->fd, STMEXEC_LOG_SETUP, &ls);
	sx_record_disarm();
	EXPECT_EQ(-B_ERR, ret);
	EXPECT_EQ(0, ls.err_ptr);	/* the library's record, lent */
	EXPECT_EQ(-A_ERR, fail_a(self->fd, NULL));
	/* __sx_read: an asserting sx_read() would start a new record */
	EXPECT_EQ(0, __sx_read("last_error", last, sizeof(last)));
	EXPECT_NE(NULL, strstr(last, A_TEXT));
	sx_error_context(ret, ctx, sizeof(ctx));
	EXPECT_NE(NULL, strstr(ctx, "kernel reason: ")) {
		TH_LOG("context: %s", ctx);
	}
	EXPECT_NE(NULL, strstr(ctx, B_TEXT)) {
		TH_LOG("context: %s", ctx);
	}
	EXPECT_EQ(NULL, strstr(ctx, A_TEXT)) {
		TH_LOG("context: %s", ctx);
	}
	/* no record for this call (a sysfs read): last_error */
	sx_record_arm();
	ret = __sx_read("no_such_attribute", last, sizeof(last));
	sx_record_disarm();
	sx_error_context(ret, ctx, sizeof(ctx));
	EXPECT_NE(NULL, strstr(ctx, "last_error: ")) {
		TH_LOG("context: %s", ctx);
	}
}

/*
 * The enable's reason is its own (lifecycle.c, error.c "cause" records):
 * INITIALIZE_PROTECTION fails (debugfs fail_init) while other threads
 * fail PROTECT in a loop without sx->lock. The enable wraps the inner
 * reason ("enable: INITIALIZE_PROTECTION on CPU n failed: ...; every CPU
 * rolled back"); when it took that from last_error, a PROTECT failure
 * landing in between made the enable's record say "enable: ... ranges in
 * one request ...".
 */
#define ENABLE_ROUNDS	400
#define ENABLE_SECONDS	60	/* at most; TCG does ~10 rounds a second */
#define NOISE_THREADS	2
#define INIT_TEXT	"INITIALIZE_PROTECTION on CPU"

struct noise {
	volatile bool *stop;
	int rounds;
};

static void *protect_noise(void *arg)
{
	struct noise *n = arg;
	struct stmexec_error e;
	int fd = __sx_open();

	if (fd < 0)
		return NULL;
	while (!*n->stop) {
		fail_a(fd, &e);
		n->rounds++;
	}
	close(fd);
	return NULL;
}

TEST_F_TIMEOUT(er, enable_reason_is_its_own, 2 * ENABLE_SECONDS)
{
	struct noise n[NOISE_THREADS];
	pthread_t t[NOISE_THREADS];
	volatile bool stop = false;
	struct stmexec_control c;
	struct stmexec_error e;
	char first[STMEXEC_ERR_MSG_LEN + 64] = "";
	char other[sizeof(first)] = "";
	int i, ret, rounds, bad = 0, foreign = 0;
	time_t end;

	ASSERT_LE(1, self->abi_minor);	/* error records: ABI 1.1 */
	SX_REQUIRE(sx_dbg_available());
	sx_ioctl(self->fd, STMEXEC_DISABLE, NULL);
	sx_dbg_write("fail_init", "0x8001FFFF");
	for (i = 0; i < NOISE_THREADS; i++) {
		n[i].stop = &stop;
		n[i].rounds = 0;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, protect_noise, &n[i]));
	}
	memset(&c, 0, sizeof(c));
	c.op = STMEXEC_CTL_ENABLE;
	c.err_ptr = (uintptr_t)&e;
	end = time(NULL) + ENABLE_SECONDS;
	for (rounds = 0; rounds < ENABLE_ROUNDS && time(NULL) < end; rounds++) {
		memset(&e, 0xa5, sizeof(e));
		ret = __sx_ioctl(self->fd, STMEXEC_CONTROL, &c);
		e.msg[sizeof(e.msg) - 1] = '\0';
		if (strstr(e.msg, A_TEXT))
			foreign++;
		if (ret != -EIO || e.code != EIO || !strstr(e.msg, INIT_TEXT) ||
		    strstr(e.msg, A_TEXT)) {
			if (!bad++ || (!strstr(e.msg, A_TEXT) && !other[0]))
				snprintf(bad == 1 ? first : other,
					 sizeof(first),
					 "round %d: ret %d code %u msg '%s'",
					 rounds, ret, e.code, e.msg);
		}
	}
	stop = true;
	for (i = 0; i < NOISE_THREADS; i++)
		ASSERT_EQ(0, pthread_join(t[i], NULL));
	sx_dbg_write("fail_init", "0");
	EXPECT_EQ(0, bad) {
		TH_LOG("%d of %d enable records not the enable's reason (%d named the PROTECT); first: %s",
		       bad, rounds, foreign, first);
		if (other[0])
			TH_LOG("first not naming the PROTECT: %s", other);
	}
	TH_LOG("%d failed enables; PROTECT failures meanwhile: %d, %d", rounds,
	       n[0].rounds, n[1].rounds);
	EXPECT_STREQ("off", sx_state());
	/* the fault gone, the enable works */
	sx_ioctl(self->fd, STMEXEC_CONTROL, &c);
	EXPECT_EQ(0, e.code);
}

TEST_HARNESS_MAIN
