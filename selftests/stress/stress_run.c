// SPDX-License-Identifier: GPL-2.0
/*
 * stress_run: concurrent stress of stmexec (in the guest, as root, module
 * loaded, normally backend=sim). Everything runs at once:
 *
 *   - W range workers: PROTECT / UNPROTECT / LIST_RANGES ioctls and, when the
 *     module has them, sysfs `protect`/`unprotect` writes. Each worker owns
 *     its own slots (disjoint ranges), keeps a model of which are protected
 *     and checks every answer against it: valid requests succeed (or fail
 *     with ENXIO/EBUSY while the monitor is off/in transition), requests
 *     with a duplicate fail with EEXIST at the right err_index and change
 *     nothing, LIST_RANGES shows exactly the worker's protected slots.
 *   - one log reader: LOG_SETUP + LOG_START, then poll(2) + read(2),
 *     checking the record framing.
 *   - one injector of simulated SMM violations (debugfs `inject`).
 *   - one CPU hotplug thread: offline/online cycles on cpu1..N-1, while the
 *     monitor is off (offline is refused while on, enable while a CPU is
 *     offline: the two threads alternate through hp_lock; the enable
 *     thread checks the refusal in every fourth on-window).
 *   - one enable/disable thread: ENABLE/DISABLE cycles.
 *   - with -P N: one thread doing N suspend cycles through the PM test
 *     modes (/sys/power/pm_test: mem with freezer..core, freeze with
 *     freezer/devices; pm_test_delay 0), i.e. the module's PM notifier,
 *     syscore and CPU-hotplug paths while everything else runs.
 *
 * The workers, reader and injector run until both cycle threads are done
 * (the workers at least -o operations each). Then, quiescent: every CPU
 * online, enable, cpus_active == online CPUs (ioctl and sysfs), the held
 * protection set == the union of the workers' models, clean up, disable.
 * A watchdog (-T) dumps blocked tasks and held locks (sysrq w, d) and fails
 * if anything hangs. Output: KTAP with a Totals line; exit 0 pass, 1 fail,
 * 4 skip (no /dev/stmexec).
 *
 * usage: stress_run [-s seed] [-w workers] [-o min-ops-per-worker]
 *        [-e enable-cycles] [-c cpu-cycles] [-i max-injections]
 *        [-k slots-per-worker] [-r mem|io|mix] [-p sysfs-percent]
 *        [-T timeout-s] [-d changes-per-enabled-period] [-P suspend-cycles]
 *        [-v]
 *
 * -d: after each ENABLE the monitor stays on until the workers applied that
 * many changes (default 8 x workers) or 250 ms passed; a worker whose
 * PROTECT got ENXIO waits up to 50 ms for the next ENABLE.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "kselftest.h"
#include "sx_stress.h"

#define MAX_WORKERS	64
#define NTESTS		9
#define MAX_FAIL_PRINT	12
/* Where the slots live: chosen at start, clear of the BIOS resource list. */
static uint64_t mem_region = 0x40000000ULL;
static uint64_t io_region = 0x300;

struct cfg {
	uint64_t seed;
	unsigned int workers, min_ops, slots;
	unsigned int enable_cycles, cpu_cycles, injections;
	unsigned int timeout, sysfs_pct;
	unsigned int dwell;	/* worker changes per enabled period */
	unsigned int pm_cycles;
	int rtype;	/* 0 mem, 1 io, 2 mix */
	int verbose;
};

static struct cfg cfg = {
	.seed = 1, .workers = 4, .min_ops = 500, .slots = 32,
	.enable_cycles = 1000, .cpu_cycles = 1000, .injections = 100000,
	.timeout = 3600, .sysfs_pct = 25, .rtype = 2, .dwell = 0,
};

static int ncpus;
static atomic_int cycles_left;	/* cycle threads still running */
static atomic_int stop_all;	/* set once the cycle threads and workers end */
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static int have_sysfs_protect;

/*
 * PROTECT needs the monitor on. The enable/disable thread keeps it on until
 * the workers have applied cfg.dwell changes (or 250 ms passed), so that
 * ranges are added and removed while CPUs come and go, not only refused;
 * workers refused with ENXIO wait (bounded) for the next ENABLE instead of
 * spinning.
 */
static atomic_ulong applied;
static pthread_mutex_t dwell_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t dwell_cond = PTHREAD_COND_INITIALIZER;

static atomic_ulong enable_epoch;
/*
 * Odd while the suspend thread is inside a write to /sys/power/state. The
 * PM notifier stops the monitor before the freeze and relaunches it only
 * after the thaw, so user space can see it off between the two.
 */
static atomic_ulong pm_seq;

/* One slice of a wait on dwell_cond (dwell_lock held): at most @ms. */
static void dwell_wait_slice(long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += ms * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(&dwell_cond, &dwell_lock, &ts);
}

/* A worker that got ENXIO waits (<= 50 ms) for the next ENABLE. */
static void wait_enabled(void)
{
	unsigned long ep = atomic_load(&enable_epoch);
	double end = sx_now_s() + 0.05;

	pthread_mutex_lock(&dwell_lock);
	while (atomic_load(&enable_epoch) == ep && sx_now_s() < end &&
	       atomic_load(&cycles_left) > 0)
		dwell_wait_slice(5);
	pthread_mutex_unlock(&dwell_lock);
}

static void applied_one(void)
{
	atomic_fetch_add(&applied, 1);
	pthread_cond_broadcast(&dwell_cond);
}

static void dwell_on(void)
{
	unsigned long a0 = atomic_load(&applied);
	double end = sx_now_s() + 0.25;

	pthread_mutex_lock(&dwell_lock);
	while (atomic_load(&applied) - a0 < cfg.dwell && sx_now_s() < end)
		dwell_wait_slice(10);
	pthread_mutex_unlock(&dwell_lock);
}

/* ---- per-thread bookkeeping ------------------------------------------------- */

struct tstat {
	const char *name;
	atomic_int done;
	unsigned int fails;
	unsigned int skipped;	/* 1: the feature is absent (ENOTTY/no file) */
	char skip_why[96];
	/* counters, meaning depends on the thread */
	unsigned long ops, ok, busy, enxio, neg_ok, lists, sysfs, extra;
	unsigned long eintr;	/* EINTR although no signal was sent */
	double secs;	/* how long the thread ran */
};

__attribute__((format(printf, 2, 3)))
static void fail(struct tstat *t, const char *fmt, ...)
{
	char le[200] = "";
	va_list ap;

	t->fails++;
	if (t->fails > MAX_FAIL_PRINT)
		return;
	__sx_read(SX_SYSFS "/last_error", le, sizeof(le));
	pthread_mutex_lock(&out_lock);
	printf("# FAIL [%s] ", t->name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (last_error: \"%s\")\n", le);
	if (t->fails == MAX_FAIL_PRINT)
		printf("# [%s] further failures counted, not printed\n", t->name);
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

static void dump_blocked(void);

static int open_dev(int flags)
{
	int fd = open(SX_DEV, flags | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "stress_run: open %s: %s\n", SX_DEV, strerror(errno));
		exit(1);
	}
	return fd;
}

static int get_status(int fd, struct stmexec_status *st)
{
	memset(st, 0, sizeof(*st));
	return -__sx_ioctl(fd, STMEXEC_GET_STATUS, st);
}

/* ---- range workers ------------------------------------------------------- */

struct worker {
	struct tstat t;
	unsigned int id;
	struct rng rng;
	unsigned char *prot;	/* model: slot protected? */
	struct range_set snap;
	int fd;
};

static struct worker workers[MAX_WORKERS];

static void slot_range(unsigned int w, unsigned int k, struct stmexec_range *r)
{
	unsigned int idx = w * cfg.slots + k;
	int io = cfg.rtype == 1 || (cfg.rtype == 2 && (k & 1));

	memset(r, 0, sizeof(*r));
	if (io) {
		r->type = STMEXEC_RANGE_IO;
		r->base = io_region + idx * 4;
		r->length = 2;
		r->access = STMEXEC_ACC_R | STMEXEC_ACC_W;
	} else {
		/* 8 KiB apart: never adjacent, whatever the module merges */
		r->type = STMEXEC_RANGE_MEM;
		r->base = mem_region + (uint64_t)idx * 0x2000;
		r->length = 0x1000;
		/*
		 * deny=w or deny=rwx: a MEM deny set that leaves an
		 * execute-only EPT entry (r, rx, rw) is refused with EINVAL
		 * on CPUs without EPT execute-only (HACKING.md, errno map)
		 */
		r->access = (k & 2) ? STMEXEC_ACC_W :
				      STMEXEC_ACC_R | STMEXEC_ACC_W | STMEXEC_ACC_X;
	}
}

/*
 * The sysfs `protect`/`unprotect` line for one range, in the range text
 * form (kmod/range_text.c, tools/parse.c): "mem|io BASE+SIZE deny=ACC".
 * Returns 0, or -1 if this range cannot be written through sysfs.
 */
static int sysfs_range_line(const struct stmexec_range *r, char *buf,
			    size_t len)
{
	static const char *const tn[] = { [STMEXEC_RANGE_MEM] = "mem",
					   [STMEXEC_RANGE_IO] = "io" };
	char acc[4];
	int n = 0;

	if (r->type != STMEXEC_RANGE_MEM && r->type != STMEXEC_RANGE_IO)
		return -1;
	if (r->access & STMEXEC_ACC_R)
		acc[n++] = 'r';
	if (r->access & STMEXEC_ACC_W)
		acc[n++] = 'w';
	if (r->access & STMEXEC_ACC_X)
		acc[n++] = 'x';
	acc[n] = 0;
	snprintf(buf, len, "%s 0x%llx+0x%llx deny=%s\n", tn[r->type],
		 (unsigned long long)r->base, (unsigned long long)r->length,
		 acc);
	return 0;
}

/* Compare the worker's slots in a fresh LIST_RANGES with its model. */
static int worker_check_list(struct worker *w, const char *after)
{
	struct stmexec_range r;
	unsigned int k, bad = 0;
	char s[160];
	int e;

	e = -__sx_range_set_list(w->fd, &w->snap);
	w->t.lists++;
	if (e) {
		if (e == EINTR)
			w->t.eintr++;
		if (e == ENXIO || e == EBUSY || e == EINTR)
			return 0;
		fail(&w->t, "LIST_RANGES after %s: %s", after, sx_errname(e));
		return -1;
	}
	for (k = 0; k < cfg.slots; k++) {
		int held;

		slot_range(w->id, k, &r);
		held = sx_range_set_has(&w->snap, &r);
		if (held == !!w->prot[k])
			continue;
		sx_range_str(&r, s, sizeof(s));
		fail(&w->t, "after %s: slot %u (%s) is %s in LIST_RANGES but the model says %s",
		     after, k, s, held ? "present" : "absent",
		     w->prot[k] ? "protected" : "unprotected");
		w->prot[k] = held; /* resync: report each divergence once */
		bad++;
	}
	return bad ? -1 : 0;
}

/*
 * One PROTECT or UNPROTECT of @n slots. @neg >= 0: index in the request of
 * the entry that must make it fail (EEXIST for PROTECT of a held slot,
 * ENOENT for UNPROTECT of a free one). Returns the errno.
 */
static int worker_call(struct worker *w, int protect, const unsigned int *slots,
		       unsigned int n, int neg)
{
	struct stmexec_range req[8];
	struct stmexec_range_array a;
	const char *op = protect ? "PROTECT" : "UNPROTECT";
	int via_sysfs = 0, e, want = protect ? EEXIST : ENOENT;
	unsigned int i;
	char line[128], s[160];

	for (i = 0; i < n; i++)
		slot_range(w->id, slots[i], &req[i]);

	if (n == 1 && have_sysfs_protect && rng_pct(&w->rng, cfg.sysfs_pct) &&
	    !sysfs_range_line(&req[0], line, sizeof(line))) {
		via_sysfs = 1;
		e = -__sx_write(protect ? SX_SYSFS "/protect" : SX_SYSFS "/unprotect",
			       line);
		w->t.sysfs++;
	} else {
		memset(&a, 0, sizeof(a));
		a.ranges_ptr = (uintptr_t)req;
		a.count = n;
		e = -__sx_ioctl(w->fd, protect ? STMEXEC_PROTECT : STMEXEC_UNPROTECT,
			     &a);
	}
	w->t.ops++;

	if (e == EINTR) {
		/* see eintr_report(): nothing may have changed */
		w->t.eintr++;
		return e;
	}
	if (e == ENXIO || e == EBUSY) {
		/* monitor off or in transition: nothing may have changed */
		if (e == ENXIO) {
			w->t.enxio++;
			if (protect)
				wait_enabled();
		} else {
			w->t.busy++;
		}
		return e;
	}
	if (neg >= 0) {
		sx_range_str(&req[neg], s, sizeof(s));
		if (e == want) {
			w->t.neg_ok++;
			if (!via_sysfs && a.err_index != (uint32_t)neg)
				fail(&w->t, "%s of %u ranges failed with %s as expected but err_index %u, want %d",
				     op, n, sx_errname(e), a.err_index, neg);
		} else if (e == 0) {
			fail(&w->t, "%s of %u ranges succeeded although entry %d (%s) must fail with %s",
			     op, n, neg, s, sx_errname(want));
		} else {
			fail(&w->t, "%s of %u ranges: %s, want %s for entry %d (%s)%s",
			     op, n, sx_errname(e), sx_errname(want), neg, s,
			     via_sysfs ? " [sysfs]" : "");
		}
		/* all or nothing: the list must still match the model */
		if (e)
			worker_check_list(w, protect ? "a refused PROTECT" :
					  "a refused UNPROTECT");
		return e;
	}
	if (e == 0) {
		w->t.ok++;
		for (i = 0; i < n; i++)
			w->prot[slots[i]] = protect;
		applied_one();
		return 0;
	}
	sx_range_str(&req[0], s, sizeof(s));
	fail(&w->t, "%s of %u valid ranges (first: %s)%s: %s%s", op, n, s,
	     via_sysfs ? " via sysfs" : "", sx_errname(e),
	     e == EADDRINUSE ? " - the test ranges overlap the sim BIOS list: pick another region (-r)" : "");
	worker_check_list(w, "a failed valid request");
	return e;
}

static void worker_op(struct worker *w)
{
	unsigned int free_s[64], held_s[64], nf = 0, nh = 0, k, n, i;
	unsigned int req[8];
	int protect, neg = -1;
	uint64_t dice = rng_below(&w->rng, 100);

	if (dice >= 85) {
		worker_check_list(w, "concurrent traffic");
		return;
	}
	for (k = 0; k < cfg.slots; k++) {
		if (w->prot[k])
			held_s[nh++] = k;
		else
			free_s[nf++] = k;
	}
	protect = dice < 45 ? 1 : 0;
	if (protect && !nf)
		protect = 0;
	if (!protect && !nh)
		protect = 1;

	n = 1 + rng_below(&w->rng, 4);
	if (protect) {
		if (n > nf)
			n = nf;
		for (i = 0; i < n; i++) { /* distinct free slots */
			unsigned int j = i + rng_below(&w->rng, nf - i);
			unsigned int t = free_s[i];

			free_s[i] = free_s[j];
			free_s[j] = t;
			req[i] = free_s[i];
		}
		if (nh && rng_pct(&w->rng, 12)) { /* plus one already held */
			neg = rng_below(&w->rng, n + 1);
			memmove(&req[neg + 1], &req[neg], (n - neg) * sizeof(req[0]));
			req[neg] = held_s[rng_below(&w->rng, nh)];
			n++;
		}
	} else {
		if (n > nh)
			n = nh;
		for (i = 0; i < n; i++) {
			unsigned int j = i + rng_below(&w->rng, nh - i);
			unsigned int t = held_s[i];

			held_s[i] = held_s[j];
			held_s[j] = t;
			req[i] = held_s[i];
		}
		if (nf && rng_pct(&w->rng, 12)) { /* plus one not held */
			neg = rng_below(&w->rng, n + 1);
			memmove(&req[neg + 1], &req[neg], (n - neg) * sizeof(req[0]));
			req[neg] = free_s[rng_below(&w->rng, nf)];
			n++;
		}
	}
	worker_call(w, protect, req, n, neg);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	struct stmexec_range r;
	unsigned int k;

	w->fd = open_dev(O_RDWR);
	/* start from what the module holds (normally nothing of ours) */
	if (!__sx_range_set_list(w->fd, &w->snap))
		for (k = 0; k < cfg.slots; k++) {
			slot_range(w->id, k, &r);
			w->prot[k] = sx_range_set_has(&w->snap, &r);
		}
	while (!atomic_load(&stop_all) &&
	       (w->t.ops < cfg.min_ops || atomic_load(&cycles_left) > 0))
		worker_op(w);
	atomic_store(&w->t.done, 1);
	return NULL;
}

/* ---- enable/disable cycles ------------------------------------------------- */

/* A suspend ran, or runs, since pm_seq was @pm0. */
static bool suspend_since(unsigned long pm0)
{
	unsigned long now = atomic_load(&pm_seq);

	return now != pm0 || (now & 1);
}

/*
 * ENABLE said EBUSY: if a suspend ran or runs since @pm0 (the module
 * refuses enables between the PM notifier's PREPARE and POST), wait for
 * its end (at most 60 s) and return true: the cycle is retried. False: an
 * EBUSY without a suspend.
 */
static bool wait_suspend_over(struct tstat *t, unsigned long pm0)
{
	double end = sx_now_s() + 60;
	unsigned long seq;

	if (!suspend_since(pm0))
		return false;
	/*
	 * Judge the value the loop ended on: the next suspend may start
	 * right after this one ended.
	 */
	pthread_mutex_lock(&dwell_lock);
	while (((seq = atomic_load(&pm_seq)) & 1) && sx_now_s() < end)
		dwell_wait_slice(5);
	pthread_mutex_unlock(&dwell_lock);
	if (seq & 1) {
		fail(t, "a suspend cycle did not end within 60 s");
		return false;
	}
	return true;
}

static struct tstat t_enable = { .name = "enable-disable" };

/*
 * CPU offline is refused while the monitor is on, and enable while a
 * present CPU is offline (issue 13): the enable/disable thread holds this
 * from ENABLE to DISABLE and the hotplug thread from offline to online, so
 * the two alternate. Inside each on-window the enable thread checks that an
 * offline is refused (EBUSY) and changes nothing.
 */
static pthread_mutex_t hp_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_ulong offline_refused;

/* In an on-window: an offline must be refused (EBUSY). */
static void offline_while_on(struct tstat *t, unsigned int i, unsigned long pm0)
{
	char path[96];
	int cpu = 1 + (int)(i % (unsigned int)(ncpus - 1)), e;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	e = -__sx_write(path, "0");
	if (e == EBUSY) {
		atomic_fetch_add(&offline_refused, 1);
		return;
	}
	if (!e) {
		__sx_write(path, "1");
		if (suspend_since(pm0))
			return;	/* a suspend stopped the monitor meanwhile */
	}
	fail(t, "cycle %u: offline cpu%d while on: %s, want EBUSY", i, cpu,
	     e ? sx_errname(e) : "succeeded");
}

static void *enable_main(void *arg)
{
	struct tstat *t = &t_enable;
	struct stmexec_status st;
	unsigned int i;
	int fd = open_dev(O_RDWR), e;
	bool held = false;

	double t0 = sx_now_s();

	(void)arg;
	for (i = 0; i < cfg.enable_cycles; i++) {
		unsigned long pm0 = atomic_load(&pm_seq);

		if (held)
			pthread_mutex_unlock(&hp_lock);
		pthread_mutex_lock(&hp_lock);
		held = true;
		e = -__sx_ioctl(fd, STMEXEC_ENABLE, NULL);
		if (e == EALREADY)	/* left on by an earlier run */
			e = 0;
		if (e == ENOTTY || (e == ENODEV && i == 0)) {
			t->skipped = 1;
			snprintf(t->skip_why, sizeof(t->skip_why),
				 "ENABLE: %s", sx_errname(e));
			break;
		}
		if (e == EBUSY) {
			t->busy++;
			if (wait_suspend_over(t, pm0))
				i--;	/* refused during a suspend: retry */
			continue;
		}
		if (e == EINTR) {
			t->eintr++;
			continue;
		}
		if (e) {
			fail(t, "cycle %u: ENABLE: %s", i, sx_errname(e));
			continue;
		}
		t->ops++;
		e = get_status(fd, &st);
		if (!e && st.state == STMEXEC_STATE_OFF && !st.cpus_active &&
		    suspend_since(pm0))
			t->extra++;	/* stopped by a suspend in between */
		else if (e || st.state != STMEXEC_STATE_ON || !st.cpus_active ||
			 (int)st.cpus_active > ncpus)
			fail(t, "cycle %u: after ENABLE: GET_STATUS %s, state %u, cpus_active %u",
			     i, sx_errname(e), st.state, st.cpus_active);
		atomic_fetch_add(&enable_epoch, 1);
		pthread_cond_broadcast(&dwell_cond);
		if (ncpus >= 2 && !(i % 4))
			offline_while_on(t, i, pm0);
		dwell_on();
		do {
			e = -__sx_ioctl(fd, STMEXEC_DISABLE, NULL);
		} while (e == EINTR && ++t->eintr);
		if (e) {
			fail(t, "cycle %u: DISABLE: %s", i, sx_errname(e));
			continue;
		}
		e = get_status(fd, &st);
		if (e || st.state != STMEXEC_STATE_OFF || st.cpus_active)
			fail(t, "cycle %u: after DISABLE: GET_STATUS %s, state %u, cpus_active %u",
			     i, sx_errname(e), st.state, st.cpus_active);
		else
			t->ok++;
	}
	if (held)
		pthread_mutex_unlock(&hp_lock);
	close(fd);
	t->secs = sx_now_s() - t0;
	atomic_fetch_sub(&cycles_left, 1);
	atomic_store(&t->done, 1);
	return NULL;
}

/* ---- CPU offline/online cycles -------------------------------------------- */

static struct tstat t_cpu = { .name = "cpu-hotplug" };

static int cpu_set(int cpu, int on)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	return -__sx_write(path, on ? "1" : "0");
}

/* CPU hotplug is disabled while a suspend cycle runs: EBUSY, retry. */
static int cpu_set_retry(struct tstat *t, int cpu, int on)
{
	int e, n;

	for (n = 0; n < 600; n++) {
		e = cpu_set(cpu, on);
		if (e != EBUSY)
			return e;
		t->busy++;
		poll(NULL, 0, 50); /* bounded back-off, at most 30 s */
	}
	return e;
}

static void *cpu_main(void *arg)
{
	struct tstat *t = &t_cpu;
	struct rng rng;
	unsigned int i;
	int cpu, e, tries, stuck = 0;
	double t0 = sx_now_s();

	(void)arg;
	rng_seed(&rng, cfg.seed, 1000);
	if (ncpus < 2) {
		t->skipped = 1;
		snprintf(t->skip_why, sizeof(t->skip_why), "one CPU");
	}
	for (i = 0; !t->skipped && i < cfg.cpu_cycles; i++) {
		cpu = 1 + rng_below(&rng, ncpus - 1);
		pthread_mutex_lock(&hp_lock);
		e = cpu_set_retry(t, cpu, 0);
		if (e == ENOENT || e == EACCES) {
			pthread_mutex_unlock(&hp_lock);
			t->skipped = 1;
			snprintf(t->skip_why, sizeof(t->skip_why),
				 "cpu%d/online: %s", cpu, sx_errname(e));
			break;
		}
		if (e) {
			char onl[64] = "?";

			__sx_read("/sys/devices/system/cpu/online", onl, sizeof(onl));
			fail(t, "cycle %u: offline cpu%d: %s%s (online CPUs: %s)", i, cpu,
			     sx_errname(e), e == EBUSY ? " for 30 s" : "", onl);
			if (e == EBUSY && ++stuck == 1) {
				printf("# cpu-hotplug: dumping blocked tasks and held locks (sysrq w, d)\n");
				dump_blocked();
			}
			pthread_mutex_unlock(&hp_lock);
			if (stuck >= 3)
				break;
			continue;
		}
		for (tries = 0; tries < 5; tries++) {
			e = cpu_set_retry(t, cpu, 1);
			if (!e)
				break;
			fail(t, "cycle %u: online cpu%d (try %d): %s", i, cpu,
			     tries + 1, sx_errname(e));
		}
		pthread_mutex_unlock(&hp_lock);
		if (!e) {
			t->ops++;
			t->ok++;
		}
	}
	t->secs = sx_now_s() - t0;
	atomic_fetch_sub(&cycles_left, 1);
	atomic_store(&t->done, 1);
	return NULL;
}

/* ---- suspend cycles through the PM test modes ------------------------------------ */

static struct tstat t_pm = { .name = "pm-test" };

static void *pm_main(void *arg)
{
	static const char *const lv[] = { "core", "processors", "platform",
					  "devices", "freezer" };
	struct tstat *t = &t_pm;
	char delay[16] = "5";
	const char *level, *state;
	struct rng rng;
	unsigned int i;
	double t0 = sx_now_s();
	int e;

	(void)arg;
	rng_seed(&rng, cfg.seed, 3000);
	if (!cfg.pm_cycles) {
		t->skipped = 1;
		snprintf(t->skip_why, sizeof(t->skip_why), "not requested (-P)");
		goto out;
	}
	if (access("/sys/power/pm_test", W_OK)) {
		t->skipped = 1;
		snprintf(t->skip_why, sizeof(t->skip_why),
			 "no /sys/power/pm_test (CONFIG_PM_DEBUG)");
		goto out;
	}
	__sx_read("/sys/module/suspend/parameters/pm_test_delay", delay,
		  sizeof(delay));
	__sx_write("/sys/module/suspend/parameters/pm_test_delay", "0");
	for (i = 0; i < cfg.pm_cycles; i++) {
		level = lv[rng_below(&rng, ARRAY_SIZE(lv))];
		state = rng_below(&rng, 3) == 0 && (!strcmp(level, "devices") ||
						    !strcmp(level, "freezer")) ?
			"freeze" : "mem";
		e = -__sx_write("/sys/power/pm_test", level);
		if (e) {
			fail(t, "pm_test %s: %s", level, sx_errname(e));
			continue;
		}
		atomic_fetch_add(&pm_seq, 1);
		e = -__sx_write("/sys/power/state", state);
		atomic_fetch_add(&pm_seq, 1);
		pthread_cond_broadcast(&dwell_cond);
		t->ops++;
		if (!e)
			t->ok++;
		else if (e == EBUSY) /* a task could not be frozen in time */
			t->busy++;
		else
			fail(t, "cycle %u: %s with pm_test %s: %s", i, state, level,
			     sx_errname(e));
	}
	__sx_write("/sys/power/pm_test", "none");
	__sx_write("/sys/module/suspend/parameters/pm_test_delay", delay);
	if (!t->ok && !t->fails)
		fail(t, "no suspend cycle completed (%lu EBUSY)", t->busy);
out:
	t->secs = sx_now_s() - t0;
	atomic_fetch_sub(&cycles_left, 1);
	atomic_store(&t->done, 1);
	return NULL;
}

/* ---- violation injector ------------------------------------------------------ */

static struct tstat t_inject = { .name = "inject" };

static void *inject_main(void *arg)
{
	struct tstat *t = &t_inject;
	struct stmexec_range r;
	struct rng rng;
	char line[128];
	int e;

	(void)arg;
	rng_seed(&rng, cfg.seed, 2000);
	if (access(SX_DEBUGFS "/inject", W_OK)) {
		t->skipped = 1;
		snprintf(t->skip_why, sizeof(t->skip_why),
			 "no " SX_DEBUGFS "/inject");
		goto out;
	}
	while (!atomic_load(&stop_all) && atomic_load(&cycles_left) > 0 &&
	       t->ops < cfg.injections) {
		/*
		 * A simulated SMM access to one of the workers' slots
		 * (debugfs, not ABI: "mem ADDR LEN r|w|x", "io PORT LEN
		 * in|out"), protected or not at that moment.
		 */
		slot_range(rng_below(&rng, cfg.workers),
			   rng_below(&rng, cfg.slots), &r);
		if (r.type == STMEXEC_RANGE_IO)
			snprintf(line, sizeof(line), "io 0x%llx 1 %s\n",
				 (unsigned long long)r.base,
				 rng_pct(&rng, 50) ? "in" : "out");
		else
			snprintf(line, sizeof(line), "mem 0x%llx 8 %c\n",
				 (unsigned long long)r.base + 8 * rng_below(&rng, 512),
				 "rwx"[rng_below(&rng, 3)]);
		e = -__sx_write(SX_DEBUGFS "/inject", line);
		t->ops++;
		if (!e)
			t->ok++;
		else if (e == ENXIO)
			t->enxio++;
		else if (e == EBUSY)
			t->busy++;
		else
			fail(t, "inject \"%.*s\": %s", (int)strcspn(line, "\n"),
			     line, sx_errname(e));
		if (t->fails > 3 * MAX_FAIL_PRINT)
			break;
	}
out:
	atomic_store(&t->done, 1);
	return NULL;
}

/* ---- log reader -------------------------------------------------------------- */

static struct tstat t_reader = { .name = "log-reader" };

/* Serials seen (duplicate detection), for the first SEEN_MAX serials. */
#define SEEN_MAX	(1u << 22)
static unsigned char *seen;
static uint64_t last_serial;
static unsigned long late;	/* delivered after a gap declared them lost */
static int had_gap, any_serial;

static void check_record(struct tstat *t, const struct stmexec_log_record *rec)
{
	if (rec->payload_len > STMEXEC_LOG_PAYLOAD || rec->reserved ||
	    (rec->type > STMEXEC_EVT_DOMAIN_DEGRADED &&
	     rec->type != STMEXEC_REC_GAP) ||
	    (rec->type == STMEXEC_REC_GAP && !rec->lost) ||
	    (rec->type != STMEXEC_REC_GAP && rec->lost))
		fail(t, "malformed record: serial %llu type 0x%x payload_len %u lost %llu reserved %llu",
		     (unsigned long long)rec->serial, rec->type,
		     rec->payload_len, (unsigned long long)rec->lost,
		     (unsigned long long)rec->reserved);
	if (rec->type == STMEXEC_REC_GAP) {
		t->extra += rec->lost;
		had_gap = 1;
		return;
	}
	/* every record reaches exactly one reader, once */
	if (seen && rec->serial < SEEN_MAX) {
		if (seen[rec->serial / 8] & (1u << (rec->serial % 8)))
			fail(t, "serial %llu delivered twice",
			     (unsigned long long)rec->serial);
		seen[rec->serial / 8] |= 1u << (rec->serial % 8);
	}
	/* strictly increasing, except a late entry after a gap */
	if (any_serial && rec->serial <= last_serial) {
		if (had_gap)
			late++;
		else
			fail(t, "serial %llu after %llu without a gap record",
			     (unsigned long long)rec->serial,
			     (unsigned long long)last_serial);
	} else {
		last_serial = rec->serial;
	}
	any_serial = 1;
}

static void *reader_main(void *arg)
{
	static struct stmexec_log_record recs[16];
	struct tstat *t = &t_reader;
	struct stmexec_log_setup ls = { .pages = 4, .event_mask = 0x3ff };
	struct pollfd pfd;
	int fd = open_dev(O_RDONLY | O_NONBLOCK), started = 0, e;
	unsigned int polls = 0;
	ssize_t n, i;

	(void)arg;
	seen = calloc(SEEN_MAX / 8, 1);
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (!atomic_load(&stop_all)) {
		if (!started && polls++ % 20 == 0) {
			/* needs the monitor on (ENXIO) and the log stopped
			 * (EBUSY); the log then survives disable/enable */
			e = -__sx_ioctl(fd, STMEXEC_LOG_SETUP, &ls);
			if (!e || e == EBUSY)
				e = -__sx_ioctl(fd, STMEXEC_LOG_START, NULL);
			if (e == ENOTTY) {
				t->skipped = 1;
				snprintf(t->skip_why, sizeof(t->skip_why),
					 "LOG_SETUP/LOG_START: ENOTTY");
				break;
			}
			if (!e || e == EALREADY)
				started = 1;
			else if (e == EINTR)
				t->eintr++;
			else if (e != ENXIO && e != EBUSY && e != ENOENT)
				fail(t, "LOG_SETUP/LOG_START: %s", sx_errname(e));
		}
		/* bounded wait for data; also the loop's pacing */
		e = poll(&pfd, 1, 50);
		if (e < 0) {
			fail(t, "poll: %s", sx_errname(errno));
			break;
		}
		if (e == 0)
			continue;
		if (pfd.revents & (POLLERR | POLLNVAL)) {
			fail(t, "poll revents 0x%x", pfd.revents);
			break;
		}
		n = read(fd, recs, sizeof(recs));
		t->ops++;
		if (n < 0) {
			if (errno == EAGAIN)
				continue;
			if (errno == EINTR) {
				t->eintr++;
				continue;
			}
			if (errno == ENXIO) {
				t->enxio++;
				started = 0;
				/* no log (monitor off): poll(2) reports POLLHUP
				 * at once, so pace the loop here */
				poll(NULL, 0, 50);
				continue;
			}
			fail(t, "read: %s", sx_errname(errno));
			continue;
		}
		if (n % sizeof(recs[0])) {
			fail(t, "read returned %zd bytes, not a multiple of %zu",
			     n, sizeof(recs[0]));
			continue;
		}
		for (i = 0; i < n / (ssize_t)sizeof(recs[0]); i++) {
			check_record(t, &recs[i]);
			t->ok++;
		}
		if (t->fails > 3 * MAX_FAIL_PRINT)
			break;
	}
	if (started)
		__sx_ioctl(fd, STMEXEC_LOG_STOP, NULL);
	close(fd);
	atomic_store(&t->done, 1);
	return NULL;
}

/* ---- where to put the slots ------------------------------------------------------ */

static int overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* Headroom for STM nodes the module adds while we run (log request page). */
#define NODE_MARGIN	4

/*
 * Every protected slot is one STM descriptor, and the module refuses, with
 * EDQUOT and nothing changed, a request that would take the STM beyond
 * node_budget= descriptors (default 64: real STMs run out of heap;
 * Documentation/admin-guide/stmexec-policy.rst, "The STM node budget").
 * The workers' model treats any refusal of a valid request as a failure,
 * so all their slots held at once must fit beside what the monitor holds
 * at enable (the default policy: up to 12 + 2 x CPUs; stm_nodes), less a
 * margin for the log request page the reader adds. 4 workers x 32 slots
 * asked for 128 + 20 nodes on the 4-CPU check-debug guest, and every run
 * failed with EDQUOT. The slots per worker shrink to fit (-k is a
 * maximum); the budget is left alone, it is what the product enforces.
 * Called with the monitor on.
 */
static int fit_node_budget(void)
{
	uint64_t budget, held, room;
	int e;

	e = -__sx_read_u64("/sys/module/stmexec/parameters/node_budget", &budget);
	if (e == ENOENT)
		return 0;	/* a module without the budget */
	if (!e)
		e = -__sx_read_u64("stm_nodes", &held);
	if (e) {
		printf("# reading node_budget/stm_nodes: %s\n", sx_errname(e));
		return e;
	}
	room = budget > held + NODE_MARGIN ? budget - held - NODE_MARGIN : 0;
	if (room / cfg.workers < 1) {
		printf("# node_budget=%llu, %llu STM nodes held at enable: no room for %u workers' slots; raise node_budget= or run fewer workers (-w)\n",
		       (unsigned long long)budget, (unsigned long long)held,
		       cfg.workers);
		return EDQUOT;
	}
	if (room / cfg.workers < cfg.slots) {
		printf("# slots: %llu per worker, not %u: node_budget=%llu, %llu STM nodes held at enable, %u kept free\n",
		       (unsigned long long)(room / cfg.workers), cfg.slots,
		       (unsigned long long)budget, (unsigned long long)held,
		       NODE_MARGIN);
		cfg.slots = room / cfg.workers;
	}
	return 0;
}

/*
 * Choose mem_region and io_region clear of the BIOS resource list (a
 * conflict would make every PROTECT fail with EADDRINUSE), and the number
 * of slots that fits the node budget. The list exists after the first
 * enable; the monitor is left as it was found.
 */
static int pick_regions(int fd)
{
	uint64_t need_mem, need_io;
	struct stmexec_range *b = NULL;
	struct stmexec_range_array a;
	struct stmexec_status st;
	uint32_t cap = 0, i;
	uint64_t m, p;
	int e, was_on, clash;

	get_status(fd, &st);
	was_on = st.state == STMEXEC_STATE_ON;
	if (!was_on) {
		e = -__sx_ioctl(fd, STMEXEC_ENABLE, NULL);
		if (e)
			return e;
	}
	for (;;) {
		memset(&a, 0, sizeof(a));
		a.ranges_ptr = (uintptr_t)b;
		a.count = cap;
		e = -__sx_ioctl(fd, STMEXEC_GET_BIOS_RESOURCES, &a);
		if (e || a.count <= cap)
			break;
		cap = a.count;
		free(b);
		b = calloc(cap, sizeof(*b));
		if (!b) {
			e = ENOMEM;
			break;
		}
	}
	if (!e)
		e = fit_node_budget();
	if (!was_on)
		__sx_ioctl(fd, STMEXEC_DISABLE, NULL);
	if (e)
		goto out;
	need_mem = (uint64_t)cfg.workers * cfg.slots * 0x2000;
	need_io = (uint64_t)cfg.workers * cfg.slots * 4;
	for (i = 0; i < a.count; i++)
		if (b[i].type == STMEXEC_RANGE_ALL) {
			printf("# the BIOS list claims all resources: nothing is protectable\n");
			e = EADDRINUSE;
			goto out;
		}
	for (m = 0x40000000ULL; m < (1ULL << 36); m += 0x1000000ULL) {
		for (clash = 0, i = 0; i < a.count && !clash; i++)
			clash = (b[i].type == STMEXEC_RANGE_MEM ||
				 b[i].type == STMEXEC_RANGE_MMIO) &&
				overlaps(m, need_mem, b[i].base, b[i].length);
		if (!clash)
			break;
	}
	for (p = 0x300; p + need_io <= 0x10000; p += 0x10) {
		for (clash = 0, i = 0; i < a.count && !clash; i++)
			clash = (b[i].type == STMEXEC_RANGE_IO ||
				 b[i].type == STMEXEC_RANGE_TRAPPED_IO) &&
				overlaps(p, need_io, b[i].base, b[i].length);
		if (!clash)
			break;
	}
	if (m >= (1ULL << 36) || p + need_io > 0x10000) {
		printf("# no free MEM/IO window for %u x %u slots clear of the %u BIOS descriptors\n",
		       cfg.workers, cfg.slots, a.count);
		e = EADDRINUSE;
		goto out;
	}
	mem_region = m;
	io_region = p;
	printf("# slots: mem 0x%llx+0x%llx, io 0x%llx+0x%llx (clear of %u BIOS descriptors)\n",
	       (unsigned long long)m, (unsigned long long)need_mem,
	       (unsigned long long)p, (unsigned long long)need_io, a.count);
out:
	free(b);
	return e;
}

/* ---- watchdog and final checks ---------------------------------------------------- */

static void dump_blocked(void)
{
	/* sysrq w: blocked tasks; d: locks held (lockdep) */
	__sx_write("/proc/sysrq-trigger", "w");
	__sx_write("/proc/sysrq-trigger", "d");
}

static int join_by(pthread_t th, struct tstat *t, double deadline)
{
	struct timespec ts;
	double d;

	for (;;) {
		if (atomic_load(&t->done)) {
			pthread_join(th, NULL);
			return 0;
		}
		d = deadline - sx_now_s();
		if (d <= 0)
			return -1;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		if (!pthread_timedjoin_np(th, NULL, &ts))
			return 0;
	}
}

static void usage(void)
{
	fprintf(stderr,
		"usage: stress_run [-s seed] [-w workers] [-o min-ops-per-worker]\n"
		"       [-e enable-cycles] [-c cpu-cycles] [-i max-injections]\n"
		"       [-k slots-per-worker] [-r mem|io|mix] [-p sysfs-percent]\n"
		"       [-T timeout-s] [-d changes-per-enabled-period] [-P suspend-cycles] [-v]\n");
	exit(2);
}

static unsigned long num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (!*s || *end)
		usage();
	return v;
}

static void report(struct tstat *t, const char *what,
		   const char *detail)
{
	if (t->skipped)
		ksft_test_result_skip("%s: %s\n", what, t->skip_why);
	else
		ksft_test_result(!t->fails, "%s: %s%s\n", what, detail,
			    t->fails ? " (failures above)" : "");
}

int main(int argc, char **argv)
{
	pthread_t th_w[MAX_WORKERS], th_en, th_cpu, th_inj, th_rd, th_pm;
	struct tstat fin = { .name = "final" };
	struct range_set want = { 0 }, held = { 0 };
	struct stmexec_status st, st0;
	struct stmexec_range_array a;
	unsigned long w_ops = 0, w_ok = 0, w_neg = 0, w_lists = 0, w_sysfs = 0,
		      w_enxio = 0, w_busy = 0;
	unsigned int i, k, w_fails = 0;
	double t0, deadline, secs;
	char buf[256], expect[64];
	int opt, fd, e, hung = 0;

	while ((opt = getopt(argc, argv, "s:w:o:e:c:i:k:r:p:T:d:P:v")) != -1) {
		switch (opt) {
		case 's': cfg.seed = num(optarg); break;
		case 'w': cfg.workers = num(optarg); break;
		case 'o': cfg.min_ops = num(optarg); break;
		case 'e': cfg.enable_cycles = num(optarg); break;
		case 'c': cfg.cpu_cycles = num(optarg); break;
		case 'i': cfg.injections = num(optarg); break;
		case 'k': cfg.slots = num(optarg); break;
		case 'p': cfg.sysfs_pct = num(optarg); break;
		case 'T': cfg.timeout = num(optarg); break;
		case 'd': cfg.dwell = num(optarg); break;
		case 'P': cfg.pm_cycles = num(optarg); break;
		case 'v': cfg.verbose = 1; break;
		case 'r':
			if (!strcmp(optarg, "mem"))
				cfg.rtype = 0;
			else if (!strcmp(optarg, "io"))
				cfg.rtype = 1;
			else if (!strcmp(optarg, "mix"))
				cfg.rtype = 2;
			else
				usage();
			break;
		default: usage();
		}
	}
	if (!cfg.workers || cfg.workers > MAX_WORKERS || !cfg.slots ||
	    cfg.slots > 64 || !cfg.timeout)
		usage();
	if (!cfg.dwell)
		cfg.dwell = 8 * cfg.workers;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);

	ksft_print_header();
	ksft_set_plan(NTESTS);
	printf("# stress_run: seed %llu, %u workers x %u slots (min %u ops), %u enable/disable cycles, %u CPU offline/online cycles, timeout %us\n",
	       (unsigned long long)cfg.seed, cfg.workers, cfg.slots,
	       cfg.min_ops, cfg.enable_cycles, cfg.cpu_cycles, cfg.timeout);
	if (access(SX_DEV, R_OK | W_OK)) {
		printf("# %s: %s (module not loaded?)\n", SX_DEV, strerror(errno));
		for (i = 0; i < NTESTS; i++)
			ksft_test_result_skip("no %s\n", SX_DEV);
		sx_ksft_end();
		return 4;
	}
	ncpus = sysconf(_SC_NPROCESSORS_CONF);
	have_sysfs_protect = !access(SX_SYSFS "/protect", W_OK) &&
			     !access(SX_SYSFS "/unprotect", W_OK);
	if (!have_sysfs_protect)
		printf("# no %s/protect: range changes through ioctls only\n", SX_SYSFS);
	fd = open_dev(O_RDWR);

	e = pick_regions(fd);
	if (e && e != ENOTTY && e != ENODEV) {
		printf("# choosing the slot regions: %s\n", sx_errname(e));
		for (i = 0; i < NTESTS; i++)
			ksft_test_result(0, "setup failed: %s\n", sx_errname(e));
		return sx_ksft_end();
	}
	e = -__sx_range_set_list(fd, &held);
	if (e == ENOTTY)
		printf("# LIST_RANGES: ENOTTY (ranges not implemented yet)\n");
	get_status(fd, &st0);

	t0 = sx_now_s();
	deadline = t0 + cfg.timeout;
	atomic_store(&cycles_left, 3);
	for (i = 0; i < cfg.workers; i++) {
		struct worker *w = &workers[i];

		w->id = i;
		w->t.name = "range-worker";
		rng_seed(&w->rng, cfg.seed, i);
		w->prot = calloc(cfg.slots, 1);
		if (!w->prot)
			return 1;
		pthread_create(&th_w[i], NULL, worker_main, w);
	}
	pthread_create(&th_rd, NULL, reader_main, NULL);
	pthread_create(&th_inj, NULL, inject_main, NULL);
	pthread_create(&th_cpu, NULL, cpu_main, NULL);
	pthread_create(&th_en, NULL, enable_main, NULL);
	pthread_create(&th_pm, NULL, pm_main, NULL);

	if (join_by(th_en, &t_enable, deadline) ||
	    join_by(th_cpu, &t_cpu, deadline) ||
	    join_by(th_pm, &t_pm, deadline))
		hung = 1;
	for (i = 0; !hung && i < cfg.workers; i++)
		if (join_by(th_w[i], &workers[i].t, deadline))
			hung = 1;
	atomic_store(&stop_all, 1);
	if (!hung && (join_by(th_inj, &t_inject, deadline) ||
		      join_by(th_rd, &t_reader, deadline + 30)))
		hung = 1;
	secs = sx_now_s() - t0;
	if (hung) {
		printf("# TIMEOUT after %.0fs: still running:%s%s%s%s%s", secs,
		       atomic_load(&t_enable.done) ? "" : " enable-disable",
		       atomic_load(&t_cpu.done) ? "" : " cpu-hotplug",
		       atomic_load(&t_pm.done) ? "" : " pm-test",
		       atomic_load(&t_inject.done) ? "" : " inject",
		       atomic_load(&t_reader.done) ? "" : " log-reader");
		for (i = 0; i < cfg.workers; i++)
			if (!atomic_load(&workers[i].t.done))
				printf(" worker%u", i);
		printf("\n# dumping blocked tasks and held locks to the kernel log (sysrq w, d)\n");
		dump_blocked();
		ksft_test_result(0, "no thread hangs (deadlock?)\n");
		sx_ksft_end();
		fflush(stdout);
		_exit(1);
	}

	for (i = 0; i < cfg.workers; i++) {
		struct worker *w = &workers[i];

		w_ops += w->t.ops;
		w_ok += w->t.ok;
		w_neg += w->t.neg_ok;
		w_lists += w->t.lists;
		w_sysfs += w->t.sysfs;
		w_enxio += w->t.enxio;
		w_busy += w->t.busy;
		w_fails += w->t.fails;
	}
	/*
	 * Nobody sends this process a signal. An EINTR can only come from
	 * the freezer's fake signal during a suspend cycle: the module should
	 * return -ERESTARTSYS from mutex_lock_interruptible() so that the
	 * call restarts transparently after the resume.
	 */
	{
		unsigned long n_eintr = t_enable.eintr + t_reader.eintr;

		for (i = 0; i < cfg.workers; i++)
			n_eintr += workers[i].t.eintr;
		if (n_eintr)
			fail(&t_pm, "%lu calls failed with EINTR although no signal was sent (the freezer's fake signal during suspend: -EINTR from mutex_lock_interruptible() should be -ERESTARTSYS)",
			     n_eintr);
	}
	printf("# %.1fs concurrent phase\n", secs);
	snprintf(buf, sizeof(buf),
		 "%lu requests (%lu via sysfs), %lu applied, %lu refused as expected, %lu ENXIO, %lu EBUSY, %lu list checks",
		 w_ops, w_sysfs, w_ok, w_neg, w_enxio, w_busy, w_lists);
	{
		struct tstat agg = { .fails = w_fails };

		if (e == ENOTTY) {
			agg.skipped = 1;
			snprintf(agg.skip_why, sizeof(agg.skip_why),
				 "LIST_RANGES: ENOTTY");
		}
		report(&agg, "range workers", buf);
	}
	/* a cycle that did not complete is a failure, whatever refused it */
	if (!t_enable.skipped && t_enable.ok < cfg.enable_cycles)
		fail(&t_enable, "only %lu of %u enable/disable cycles completed",
		     t_enable.ok, cfg.enable_cycles);
	if (!t_cpu.skipped && t_cpu.ok < cfg.cpu_cycles)
		fail(&t_cpu, "only %lu of %u offline/online cycles completed",
		     t_cpu.ok, cfg.cpu_cycles);
	snprintf(buf, sizeof(buf), "%lu of %u cycles completed, %lu EBUSY (retried after a suspend), %lu stopped by a suspend right after ENABLE, %.1fs (%.0f ms/cycle with the dwell)",
		 t_enable.ok, cfg.enable_cycles, t_enable.busy, t_enable.extra, t_enable.secs,
		 t_enable.ok ? 1000 * t_enable.secs / t_enable.ok : 0.0);
	report(&t_enable, "enable/disable cycles", buf);
	snprintf(buf, sizeof(buf), "%lu of %u offline/online cycles on cpu1..%d while off, %.1fs (%.0f ms/cycle), %lu EBUSY retries (suspend), %lu offlines refused while on",
		 t_cpu.ok, cfg.cpu_cycles, ncpus - 1, t_cpu.secs,
		 t_cpu.ok ? 1000 * t_cpu.secs / t_cpu.ok : 0.0, t_cpu.busy,
		 (unsigned long)atomic_load(&offline_refused));
	report(&t_cpu, "CPU hotplug cycles", buf);
	snprintf(buf, sizeof(buf), "%lu injected, %lu accepted, %lu ENXIO",
		 t_inject.ops, t_inject.ok, t_inject.enxio);
	report(&t_inject, "violation injection", buf);
	snprintf(buf, sizeof(buf), "%lu of %u suspend cycles (pm_test) completed, %lu refused with EBUSY (tasks not freezable), %.1fs",
		 t_pm.ok, cfg.pm_cycles, t_pm.busy, t_pm.secs);
	report(&t_pm, "suspend cycles", buf);
	/*
	 * The reader was the only one: the module's delivered counter must
	 * match what it got, and every loss the counters know of must have
	 * been announced by gap records (a late entry makes a gap over-count
	 * by one, never under-count).
	 */
	get_status(fd, &st);
	if (!t_reader.skipped) {
		uint64_t delivered = st.log_records - st0.log_records;
		uint64_t lost = (st.log_wrapped - st0.log_wrapped) +
				(st.log_dropped - st0.log_dropped);

		if (delivered != t_reader.ok)
			fail(&t_reader, "GET_STATUS log_records grew by %llu, the reader got %lu records",
			     (unsigned long long)delivered, t_reader.ok);
		if (t_reader.extra < lost)
			fail(&t_reader, "silent loss: gap records announce %lu lost, the counters %llu (wrapped %llu, dropped %llu)",
			     t_reader.extra, (unsigned long long)lost,
			     (unsigned long long)(st.log_wrapped - st0.log_wrapped),
			     (unsigned long long)(st.log_dropped - st0.log_dropped));
	}
	snprintf(buf, sizeof(buf), "%lu reads, %lu records (== log_records delta), %lu announced lost by gap records (wrapped+dropped %llu), %lu late, no duplicates",
		 t_reader.ops, t_reader.ok, t_reader.extra,
		 (unsigned long long)((st.log_wrapped - st0.log_wrapped) +
				      (st.log_dropped - st0.log_dropped)), late);
	report(&t_reader, "log reader", buf);

	/* ---- quiescent checks ---- */
	/*
	 * Every CPU online again. The kernel's mask is the truth: when a CPU
	 * fails to come back in a resume (an online callback failed), its
	 * cpuN/online file still reads 1 and writing 1 does nothing.
	 */
	for (i = 1; i < (unsigned int)ncpus; i++) {
		snprintf(buf, sizeof(buf), "/sys/devices/system/cpu/cpu%u/online", i);
		if (sx_read_long(buf, 1) != 1 && cpu_set(i, 1))
			fail(&fin, "cpu%u stays offline", i);
	}
	snprintf(expect, sizeof(expect), ncpus > 1 ? "0-%d" : "0", ncpus - 1);
	if (__sx_read("/sys/devices/system/cpu/online", buf, sizeof(buf)) ||
	    strcmp(buf, expect))
		fail(&fin, "online CPUs \"%s\", want \"%s\" (a CPU that failed to come back from a suspend reads 1 in cpuN/online and cannot be onlined again)",
		     buf, expect);
	/*
	 * A non-trivial final set: UNPROTECT works while the monitor is off,
	 * so the workers may have emptied their slots in the last off period.
	 * Protect every third slot, then disable and enable: the module must
	 * re-apply the held set (and keep it) across the cycle.
	 */
	e = -__sx_ioctl(fd, STMEXEC_ENABLE, NULL);
	if (!e || e == EALREADY) {
		struct stmexec_range r;

		for (i = 0; i < cfg.workers; i++)
			for (k = 0; k < cfg.slots; k += 3) {
				if (workers[i].prot[k])
					continue;
				slot_range(i, k, &r);
				memset(&a, 0, sizeof(a));
				a.ranges_ptr = (uintptr_t)&r;
				a.count = 1;
				e = -__sx_ioctl(fd, STMEXEC_PROTECT, &a);
				if (e)
					fail(&fin, "final fill: PROTECT worker %u slot %u: %s",
					     i, k, sx_errname(e));
				else
					workers[i].prot[k] = 1;
			}
		e = -__sx_ioctl(fd, STMEXEC_DISABLE, NULL);
		if (e)
			fail(&fin, "final DISABLE: %s", sx_errname(e));
	}
	e = -__sx_ioctl(fd, STMEXEC_ENABLE, NULL);
	if (e == ENOTTY || e == ENODEV) {
		ksft_test_result_skip("final cpus_active: ENABLE %s\n", sx_errname(e));
	} else {
		if (e && e != EALREADY)
			fail(&fin, "final ENABLE: %s", sx_errname(e));
		e = get_status(fd, &st);
		if (e || st.state != STMEXEC_STATE_ON ||
		    (int)st.cpus_active != ncpus || (int)st.cpus_online != ncpus)
			fail(&fin, "final GET_STATUS %s: state %u, cpus_active %u, cpus_online %u, want on/%d/%d",
			     sx_errname(e), st.state, st.cpus_active,
			     st.cpus_online, ncpus, ncpus);
		if (__sx_read(SX_SYSFS "/cpus_active", buf, sizeof(buf)) ||
		    strtol(buf, NULL, 0) != ncpus)
			fail(&fin, "sysfs cpus_active \"%s\", want %d", buf, ncpus);
		snprintf(expect, sizeof(expect), ncpus > 1 ? "0-%d" : "0",
			 ncpus - 1);
		if (__sx_read(SX_SYSFS "/cpus_active_list", buf, sizeof(buf)) ||
		    strcmp(buf, expect))
			fail(&fin, "sysfs cpus_active_list \"%s\", want \"%s\"",
			     buf, expect);
		ksft_test_result(!fin.fails, "final cpus_active == %d online CPUs\n",
			    ncpus);
	}

	/* the held set == the union of the workers' models */
	fin.fails = 0;
	want.cap = cfg.workers * cfg.slots;
	want.r = calloc(want.cap, sizeof(*want.r));
	for (i = 0; i < cfg.workers; i++)
		for (k = 0; k < cfg.slots; k++)
			if (workers[i].prot[k])
				slot_range(i, k, &want.r[want.n++]);
	e = -__sx_range_set_list(fd, &held);
	if (e == ENOTTY) {
		ksft_test_result_skip("final protection set: LIST_RANGES ENOTTY\n");
		ksft_test_result_skip("cleanup: LIST_RANGES ENOTTY\n");
	} else {
		if (e)
			fail(&fin, "final LIST_RANGES: %s", sx_errname(e));
		else if (!sx_range_set_equal(&want, &held)) {
			fail(&fin, "held set (%u user ranges) != the workers' models (%u ranges)",
			     held.n, want.n);
			for (i = 0; i < held.n && i < 8; i++)
				if (!sx_range_set_has(&want, &held.r[i])) {
					sx_range_str(&held.r[i], buf, sizeof(buf));
					printf("#   unexpected: %s\n", buf);
				}
			for (i = 0; i < want.n && i < 8; i++)
				if (!sx_range_set_has(&held, &want.r[i])) {
					sx_range_str(&want.r[i], buf, sizeof(buf));
					printf("#   missing: %s\n", buf);
				}
		}
		ksft_test_result(!fin.fails, "final protection set == models (%u ranges, held across a disable/enable)\n",
			    want.n);

		/* cleanup: unprotect what the workers left, then disable */
		fin.fails = 0;
		if (want.n) {
			memset(&a, 0, sizeof(a));
			a.ranges_ptr = (uintptr_t)want.r;
			a.count = want.n;
			e = -__sx_ioctl(fd, STMEXEC_UNPROTECT, &a);
			if (e)
				fail(&fin, "cleanup UNPROTECT of %u ranges: %s (err_index %u)",
				     want.n, sx_errname(e), a.err_index);
		}
		e = -__sx_range_set_list(fd, &held);
		if (e || held.n)
			fail(&fin, "after cleanup: LIST_RANGES %s, %u user ranges left",
			     sx_errname(e), held.n);
		e = -__sx_ioctl(fd, STMEXEC_DISABLE, NULL);
		if (e && e != ENXIO && e != EALREADY)
			fail(&fin, "cleanup DISABLE: %s", sx_errname(e));
		ksft_test_result(!fin.fails, "cleanup: ranges unprotected, monitor disabled\n");
	}
	sx_range_set_free(&want);
	sx_range_set_free(&held);
	close(fd);
	printf("# stress_run: %.1fs total\n", sx_now_s() - t0);
	return sx_ksft_end();
}
