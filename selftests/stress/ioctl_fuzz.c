// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl_fuzz: seedable fuzzer of the stmexec user interface (in the guest,
 * as root, module loaded). Bounded by iterations (-n) AND time (-t).
 *
 * Root phase, one call per iteration, chosen by the seed:
 *   - ioctls: the known commands with random structures (flags, reserved,
 *     counts, types, addresses, lengths, CONTROL ops), known numbers with
 *     the wrong size/direction, random numbers with the stmexec magic,
 *     random commands of other types; the argument or the embedded
 *     ranges_ptr is a valid buffer, NULL, an unmapped page, a kernel
 *     address (0xffffffff81000000, 0xffff888000000000), misaligned, or
 *     straddles an unmapped guard page; with ABI >= 1.1 the err_ptr of
 *     the requests that carry one is 0, a record between canaries (aligned
 *     or not), NULL-page, unmapped, read-only, a kernel address,
 *     straddling the guard page or random;
 *   - writes of random text (numbers, words, range text, binary, > 4 KiB)
 *     to every writable attribute under /sys/class/misc/stmexec/;
 *   - read(2) of the log with random sizes and pointers.
 * Checks: every failure is an errno of the documented set (HACKING.md
 * errno map, plus EFAULT/ENOMEM/EINTR); unknown commands give ENOTTY; bad
 * pointers give EFAULT and kernel pointers are never accepted; non-zero
 * flags/reserved give EINVAL; the protection set (LIST_RANGES, policy
 * ranges excluded) changes only after a successful PROTECT/UNPROTECT (ioctl
 * or sysfs), exactly as requested, and never after a refused one; an
 * err_ptr that cannot be written gives EFAULT (uapi: checked before
 * anything changes), a writable record is written exactly (no byte of the
 * canaries around it changes) and tells the outcome (code = the errno, 0
 * and an empty message on success), and an EPERM leaves it untouched.
 *
 * Unprivileged phase: a child with uid/gid 65534 (-u) must be refused
 * opening /dev/stmexec (EACCES), must get EPERM for every ioctl on the fd it
 * inherited from root, must not be able to open any attribute for writing,
 * and must change nothing (set, state, last_error).
 *
 * Then: the set and the monitor state are restored, writable attributes
 * get their old values back, and the kernel must not have become tainted
 * with D (oops) or W (warning) meanwhile. KTAP output with a Totals line;
 * exit 0 pass, 1 fail, 4 skip (no /dev/stmexec). A failure prints the
 * iteration: rerun with the same -s and -n to reproduce (choices depend only
 * on the seed, not on the kernel's answers).
 *
 * usage: ioctl_fuzz [-s seed] [-n iterations] [-t seconds] [-u uid]
 *                   [-U unprivileged-iterations] [-v]
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <grp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

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
#include "sx_errptr.h"

#define FUZZ_MEM	0x20000000ULL	/* not stress_run's region */
#define BIG_BYTES	(1u << 20)
#define MAX_ATTRS	64
#define MAX_FAIL_PRINT	25
#define KTEXT		0xffffffff81000000ULL
#define KDIRECT		0xffff888000000000ULL

static struct {
	uint64_t seed;
	unsigned long iters, unpriv_iters;
	unsigned int secs;
	uid_t uid;
	int verbose;
} cfg = { .seed = 1, .iters = 20000, .unpriv_iters = 0, .secs = 120,
	  .uid = 65534 };

static int fd_dev, fd_nb;
static unsigned long iter;
static unsigned int fails, fail_prints;
static int unpriv;		/* in the unprivileged child */
static int have_list;		/* LIST_RANGES implemented */
static struct range_set cur;	/* the set as last observed */

/* user memory: a big buffer, a page followed by a PROT_NONE guard page */
static unsigned char *big;
static unsigned char *guard_page;	/* accessible page; next one is not */
static uintptr_t unmapped;		/* was mapped, now unmapped */

/* ---- failure reporting and statistics ------------------------------------ */

__attribute__((format(printf, 1, 2)))
static void fail(const char *fmt, ...)
{
	va_list ap;

	fails++;
	if (++fail_prints > MAX_FAIL_PRINT)
		return;
	printf("# FAIL%s [iteration %lu, reproduce: -s %llu -n %lu] ",
	       unpriv ? " (uid 65534)" : "", iter,
	       (unsigned long long)cfg.seed, iter + 1);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (fail_prints == MAX_FAIL_PRINT)
		printf("# further failures counted, not printed\n");
	fflush(stdout);
}

struct cmdinfo {
	const char *name;
	unsigned long cmd;
	size_t size;		/* argument struct, 0 = no argument */
	unsigned long calls, ok;
	unsigned long err[134];
};

static struct cmdinfo cmds[] = {
	{ "GET_VERSION", STMEXEC_GET_VERSION, sizeof(struct stmexec_version) },
	{ "GET_STATUS", STMEXEC_GET_STATUS, sizeof(struct stmexec_status) },
	{ "ENABLE", STMEXEC_ENABLE, 0 },
	{ "DISABLE", STMEXEC_DISABLE, 0 },
	{ "PROTECT", STMEXEC_PROTECT, sizeof(struct stmexec_range_array) },
	{ "UNPROTECT", STMEXEC_UNPROTECT, sizeof(struct stmexec_range_array) },
	{ "LIST_RANGES", STMEXEC_LIST_RANGES, sizeof(struct stmexec_range_array) },
	{ "GET_BIOS_RESOURCES", STMEXEC_GET_BIOS_RESOURCES,
	  sizeof(struct stmexec_range_array) },
	{ "LOG_SETUP", STMEXEC_LOG_SETUP, sizeof(struct stmexec_log_setup) },
	{ "LOG_START", STMEXEC_LOG_START, 0 },
	{ "LOG_STOP", STMEXEC_LOG_STOP, 0 },
	{ "LOG_CLEAR", STMEXEC_LOG_CLEAR, 0 },
	{ "VMCS_DB", STMEXEC_VMCS_DB, sizeof(struct stmexec_vmcs_db) },
	{ "CONTROL", STMEXEC_CONTROL, sizeof(struct stmexec_control) },
	{ "(unknown)", 0, 0 },
};

enum { C_VERSION, C_STATUS, C_ENABLE, C_DISABLE, C_PROTECT, C_UNPROTECT,
       C_LIST, C_BIOS, C_LOG_SETUP, C_LOG_START, C_LOG_STOP, C_LOG_CLEAR,
       C_VMCS_DB, C_CONTROL, C_UNKNOWN, NR_CMDS };

static void account(struct cmdinfo *c, int e)
{
	c->calls++;
	if (!e)
		c->ok++;
	else if (e > 0 && e < (int)ARRAY_SIZE(c->err))
		c->err[e]++;
}

static void print_stats(const char *title, struct cmdinfo *tab, int n)
{
	char line[512];
	int i, e, len;

	printf("# %s\n", title);
	for (i = 0; i < n; i++) {
		if (!tab[i].calls)
			continue;
		len = snprintf(line, sizeof(line), "#   %-20s %7lu calls: ok %lu",
			       tab[i].name, tab[i].calls, tab[i].ok);
		for (e = 1; e < (int)ARRAY_SIZE(tab[i].err); e++)
			if (tab[i].err[e] && len < (int)sizeof(line) - 32)
				len += snprintf(line + len, sizeof(line) - len,
						", %s %lu", sx_errname(e),
						tab[i].err[e]);
		printf("%s\n", line);
	}
}

/* ---- pointers -------------------------------------------------------------- */

enum ptr_kind { P_VALID, P_NULL, P_UNMAPPED, P_KTEXT, P_KDIRECT,
		P_MISALIGNED, P_STRADDLE, P_LOW, NR_PTR };
static const char *const ptr_names[] = {
	"valid", "NULL", "unmapped", "kernel-text", "kernel-directmap",
	"misaligned", "straddling-guard-page", "0x1000",
};

static enum ptr_kind pick_ptr(struct rng *r)
{
	if (rng_pct(r, 70))
		return P_VALID;
	return (enum ptr_kind)(1 + rng_below(r, NR_PTR - 1));
}

/* A pointer of @kind to @len bytes; P_VALID/P_MISALIGNED point into big. */
static uint64_t make_ptr(enum ptr_kind kind, size_t len, unsigned int misalign)
{
	switch (kind) {
	case P_VALID: return (uintptr_t)big;
	case P_NULL: return 0;
	case P_UNMAPPED: return unmapped;
	case P_KTEXT: return sizeof(long) == 8 ? KTEXT : 0xc1000000;
	case P_KDIRECT: return sizeof(long) == 8 ? KDIRECT : 0xffffe000;
	case P_MISALIGNED: return (uintptr_t)big + 1 + misalign % 7;
	case P_STRADDLE:
		/* the last bytes of the accessible page, the rest beyond */
		return (uintptr_t)guard_page + 4096 - (len > 1 ? len / 2 : 1);
	case P_LOW: return 0x1000;
	default: return 0;
	}
}

/* Points at memory a correct kernel must refuse to touch (EFAULT). */
static int ptr_bad(enum ptr_kind k)
{
	return k == P_NULL || k == P_UNMAPPED || k == P_KTEXT ||
	       k == P_KDIRECT || k == P_STRADDLE || k == P_LOW;
}

static int ptr_kernel(enum ptr_kind k)
{
	return k == P_KTEXT || k == P_KDIRECT;
}

/* ---- error records (ABI 1.1) ----------------------------------------------- */

#define REC_OFF		1024	/* the record's place in rec_area */
#define REC_CANARY	0xcc
static int has_records;			/* the module's ABI is >= 1.1 */
static unsigned char *rec_area;		/* one page of canary, the record inside */
static unsigned char *ro_page;		/* mapped read-only */
static unsigned long recs_checked, recs_refused;	/* writable / EFAULT */

enum rec_kind { R_NONE, R_VALID, R_MISALIGNED, R_LOW, R_UNMAPPED,
		R_READONLY, R_KTEXT, R_KDIRECT, R_STRADDLE, R_RANDOM, NR_REC };
static const char *const rec_names[] = {
	"none", "valid", "misaligned", "0x1000", "unmapped", "read-only",
	"kernel-text", "kernel-directmap", "straddling-guard-page", "random",
};

/* Where the request of @c in @arg keeps err_ptr, or NULL. */
static __u64 *err_ptr_field(int c, void *arg)
{
	switch (c) {
	case C_PROTECT: case C_UNPROTECT: case C_LIST: case C_BIOS:
		return &((struct stmexec_range_array *)arg)->err_ptr;
	case C_LOG_SETUP:
		return &((struct stmexec_log_setup *)arg)->err_ptr;
	case C_VMCS_DB:
		return &((struct stmexec_vmcs_db *)arg)->err_ptr;
	case C_CONTROL:
		return &((struct stmexec_control *)arg)->err_ptr;
	}
	return NULL;
}

static unsigned char *rec_at(enum rec_kind k)
{
	return rec_area + REC_OFF + (k == R_MISALIGNED ? 3 : 0);
}

static uint64_t rec_ptr(struct rng *r, enum rec_kind k)
{
	switch (k) {
	case R_VALID: case R_MISALIGNED: return (uintptr_t)rec_at(k);
	case R_LOW: return 0x1000;
	case R_UNMAPPED: return unmapped;
	case R_READONLY: return (uintptr_t)ro_page;
	case R_KTEXT: return sizeof(long) == 8 ? KTEXT : 0xc1000000;
	case R_KDIRECT: return sizeof(long) == 8 ? KDIRECT : 0xffffe000;
	case R_STRADDLE:
		return (uintptr_t)guard_page + 4096 -
		       sizeof(struct stmexec_error) / 2;
	case R_RANDOM: return rng_next(r) | 1;
	default: return 0;
	}
}

/* The argument the kernel reads is big's contents (so its err_ptr). */
static int arg_copied(enum ptr_kind k)
{
	return k == P_VALID || k == P_MISALIGNED;
}

/* 1: the kernel cannot write there (EFAULT); 0: it can; -1: unknown. */
static int rec_bad(enum rec_kind k)
{
	if (k == R_NONE || k == R_VALID || k == R_MISALIGNED)
		return 0;
	return k == R_RANDOM ? -1 : 1;
}

/*
 * After a request with a record: bytes outside it never change; EPERM
 * (checked first) writes nothing; otherwise the record tells @e.
 */
static void check_record(const char *what, enum rec_kind k, int e)
{
	const struct stmexec_error *rec = (const void *)rec_at(k);
	size_t off = rec_at(k) - rec_area, i, len;

	for (i = 0; i < 4096; i++) {
		if (i >= off && i < off + sizeof(*rec) && e != EPERM)
			continue;
		if (rec_area[i] != REC_CANARY) {
			fail("%s, record %s: byte %zd from the record changed to 0x%02x",
			     what, rec_names[k], (ssize_t)(i - off), rec_area[i]);
			return;
		}
	}
	if (e == EPERM)
		return;
	len = strnlen(rec->msg, sizeof(rec->msg));
	if (len == sizeof(rec->msg) || rec->reserved ||
	    rec->flags & ~STMEXEC_ERRF_TRUNCATED)
		fail("%s, record %s: msg not terminated (%zu), reserved %u or flags 0x%x",
		     what, rec_names[k], len, rec->reserved, rec->flags);
	else if (!e && (rec->code || rec->index != ~0u || rec->flags || len))
		fail("%s, record %s: success but code %u index 0x%x flags 0x%x msg '%s'",
		     what, rec_names[k], rec->code, rec->index, rec->flags,
		     rec->msg);
	else if (e && rec->code != (__u32)e)
		fail("%s, record %s: %s but code %u ('%s')", what, rec_names[k],
		     sx_errname(e), rec->code, rec->msg);
}

/* ---- random content ------------------------------------------------------------ */

static uint64_t rnd_u64_interesting(struct rng *r)
{
	static const uint64_t v[] = {
		0, 1, 2, 0xfff, 0x1000, 0x1001, 0x7fffffff, 0x80000000,
		0xffffffff, 0x100000000ULL, 1ULL << 46, 1ULL << 52,
		(1ULL << 52) - 0x1000, 0x7fffffffffffffffULL,
		0x8000000000000000ULL, ~0ULL, ~0ULL - 0xfff, KTEXT,
	};

	if (rng_pct(r, 60))
		return v[rng_below(r, ARRAY_SIZE(v))];
	return rng_next(r);
}

/* A range that is often valid, sometimes subtly not. */
static void rnd_range(struct rng *r, struct stmexec_range *x)
{
	uint64_t d = rng_below(r, 100);

	memset(x, 0, sizeof(*x));
	if (d < 70)
		x->type = 1 + rng_below(r, 5);		/* MEM..PCI */
	else if (d < 80)
		x->type = 6 + rng_below(r, 2);		/* BIOS-only types */
	else if (d < 90)
		x->type = 0;
	else
		x->type = rng_next(r);
	x->access = rng_pct(r, 80) ? rng_below(r, 8) : (uint32_t)rng_next(r);

	switch (x->type) {
	case STMEXEC_RANGE_MEM:
	case STMEXEC_RANGE_MMIO:
		if (rng_pct(r, 65)) {
			x->base = FUZZ_MEM + 0x1000 * rng_below(r, 64);
			x->length = 0x1000 * (1 + rng_below(r, 4));
		} else {
			x->base = rng_pct(r, 30) ? FUZZ_MEM + rng_below(r, 0x40000) :
						   rnd_u64_interesting(r);
			x->length = rnd_u64_interesting(r);
		}
		break;
	case STMEXEC_RANGE_IO:
		x->base = rng_pct(r, 80) ? 0x6000 + rng_below(r, 256) :
					   rnd_u64_interesting(r);
		x->length = rng_pct(r, 80) ? 1 + rng_below(r, 8) :
					     rnd_u64_interesting(r);
		break;
	case STMEXEC_RANGE_MSR: {
		static const uint64_t msr[] = { 0x10, 0x1b, 0x3a, 0x9b, 0x480,
						0xc0000080, 0xc0000081,
						0xc0010000, 0x40000000 };

		x->base = rng_pct(r, 80) ? msr[rng_below(r, ARRAY_SIZE(msr))] :
					   rnd_u64_interesting(r);
		x->length = rng_pct(r, 80) ? 1 : rnd_u64_interesting(r);
		break;
	}
	case STMEXEC_RANGE_PCI:
		x->base = rng_pct(r, 80) ? 0 : rnd_u64_interesting(r);
		x->length = rng_pct(r, 80) ? 0x1000 : rnd_u64_interesting(r);
		x->pci_bus = rng_pct(r, 80) ? 0 : rng_next(r);
		x->pci_dev = rng_pct(r, 80) ? rng_below(r, 32) : rng_next(r);
		x->pci_fn = rng_pct(r, 80) ? rng_below(r, 8) : rng_next(r);
		break;
	default:
		x->base = rnd_u64_interesting(r);
		x->length = rnd_u64_interesting(r);
	}
	if (rng_pct(r, 4))
		x->pad = rng_next(r);
	if (rng_pct(r, 4))
		x->flags = rng_next(r);
	if (rng_pct(r, 4))
		x->index = rng_next(r);
	if (rng_pct(r, 4))
		x->reserved = rng_next(r);
}

/* A well-formed range in the fuzzer's windows (may still be held/refused). */
static void valid_range(struct rng *r, struct stmexec_range *x, unsigned int i)
{
	memset(x, 0, sizeof(*x));
	if (rng_pct(r, 70)) {
		x->type = rng_pct(r, 80) ? STMEXEC_RANGE_MEM : STMEXEC_RANGE_MMIO;
		/* MMIO in its own window: MEM/MMIO overlaps are EEXIST */
		x->base = FUZZ_MEM + (x->type == STMEXEC_RANGE_MMIO ? 0x100000 : 0) +
			  0x1000 * rng_below(r, 64);
		x->length = 0x1000 * (1 + rng_below(r, 3));
		x->access = 1 + rng_below(r, 7);
	} else {
		x->type = STMEXEC_RANGE_IO;
		x->base = 0x6000 + rng_below(r, 256);
		x->length = 1 + rng_below(r, 4);
		x->access = 1 + rng_below(r, 3);
	}
	(void)i;
}

static int range_input_clean(const struct stmexec_range *x)
{
	return !x->pad && !x->flags && !x->index && !x->reserved;
}

/* ---- the protection-set invariant ----------------------------------------------- */

static void set_refresh(const char *after)
{
	struct range_set now = { 0 };
	char s[160];
	uint32_t i;
	int e;

	if (!have_list)
		return;
	e = -__sx_range_set_list(fd_dev, &now);
	if (e) {
		fail("LIST_RANGES after %s: %s", after, sx_errname(e));
		sx_range_set_free(&now);
		return;
	}
	if (!sx_range_set_equal(&cur, &now)) {
		fail("protection set changed after %s (%u -> %u user ranges)",
		     after, cur.n, now.n);
		for (i = 0; i < now.n && i < 4; i++)
			if (!sx_range_set_has(&cur, &now.r[i])) {
				sx_range_str(&now.r[i], s, sizeof(s));
				printf("#   appeared: %s\n", s);
			}
		for (i = 0; i < cur.n && i < 4; i++)
			if (!sx_range_set_has(&now, &cur.r[i])) {
				sx_range_str(&cur.r[i], s, sizeof(s));
				printf("#   vanished: %s\n", s);
			}
	}
	sx_range_set_free(&cur);
	cur = now;
}

/*
 * After a successful change of @n ranges (@req, NULL if unknown): the new
 * set must be old +/- exactly those ranges.
 */
static void set_changed(int protect, const struct stmexec_range *req,
			uint32_t n, const char *what)
{
	struct range_set now = { 0 };
	uint32_t i;
	int e;

	if (!have_list)
		return;
	e = -__sx_range_set_list(fd_dev, &now);
	if (e) {
		fail("LIST_RANGES after %s: %s", what, sx_errname(e));
		sx_range_set_free(&now);
		return;
	}
	for (i = 0; i < cur.n; i++)
		if (protect ? !sx_range_set_has(&now, &cur.r[i]) : 0) {
			fail("%s: a range held before vanished", what);
			break;
		}
	for (i = 0; i < now.n; i++)
		if (!protect && !sx_range_set_has(&cur, &now.r[i])) {
			fail("%s: a range appeared", what);
			break;
		}
	if (req) {
		for (i = 0; i < n; i++)
			if (sx_range_set_has(&now, &req[i]) != protect) {
				fail("%s: requested entry %u is %s afterwards", what, i,
				     protect ? "not held" : "still held");
				break;
			}
		if (now.n != (protect ? cur.n + n : cur.n - n))
			fail("%s of %u ranges: %u -> %u user ranges", what, n,
			     cur.n, now.n);
	} else if (protect ? now.n <= cur.n : now.n >= cur.n) {
		fail("%s succeeded but the set went from %u to %u ranges", what,
		     cur.n, now.n);
	}
	sx_range_set_free(&cur);
	cur = now;
}

/* ---- one ioctl ------------------------------------------------------------------ */

static int excluded_type(unsigned int type)
{
	/*
	 * Types the VFS answers itself before the driver sees the command
	 * (do_vfs_ioctl): FIFREEZE/FITHAW ('X') would freeze devtmpfs,
	 * FIONBIO/FIOASYNC/FIOCLEX ('T'), FS_IOC_* ('f'), FICLONE* (0x94),
	 * FIBMAP/FIGETBSZ (0).
	 */
	return type == 0 || type == 'T' || type == 'X' || type == 'f' ||
	       type == 0x94;
}

static unsigned long random_cmd(struct rng *r, int *idx)
{
	uint64_t d = rng_below(r, 100);
	unsigned long cmd;
	unsigned int i, type;

	if (d < 65) {
		*idx = rng_below(r, C_UNKNOWN);
		return cmds[*idx].cmd;
	}
	if (d < 80) { /* known number, wrong size or direction */
		i = rng_below(r, C_UNKNOWN);
		cmd = _IOC(rng_below(r, 4), STMEXEC_IOCTL_MAGIC,
			   _IOC_NR(cmds[i].cmd),
			   rng_pct(r, 50) ? rng_below(r, 128) : _IOC_SIZE(cmds[i].cmd));
	} else if (d < 92) { /* our magic, any number */
		cmd = _IOC(rng_below(r, 4), STMEXEC_IOCTL_MAGIC,
			   rng_pct(r, 70) ? rng_below(r, 0x40) : rng_below(r, 256),
			   rng_below(r, 1 << 14));
	} else { /* anything else */
		do {
			cmd = (uint32_t)rng_next(r);
			type = _IOC_TYPE(cmd);
		} while (excluded_type(type));
	}
	for (i = 0; i < C_UNKNOWN; i++)
		if (cmds[i].cmd == cmd) {
			*idx = i;
			return cmd;
		}
	*idx = C_UNKNOWN;
	return cmd;
}

/* Fill a range array header in big[0..) and ranges after it. */
struct arr_plan {
	enum ptr_kind hdr_kind, data_kind;
	uint32_t count;
	int dirty;		/* flags/reserved non-zero */
	int clean_entries;	/* every entry has pad/flags/index/reserved zero */
	struct stmexec_range *entries;	/* in big, when data_kind == P_VALID */
};

static void plan_array(struct rng *r, int c, struct arr_plan *p)
{
	struct stmexec_range_array *a = (void *)big;
	struct stmexec_range *e = (void *)(big + 4096);
	uint64_t d = rng_below(r, 100);
	uint32_t i, fill;

	memset(a, 0, sizeof(*a));
	p->hdr_kind = pick_ptr(r);
	p->data_kind = rng_pct(r, 80) ? P_VALID : pick_ptr(r);
	if (d < 8)
		p->count = 0;
	else if (d < 80)
		p->count = 1 + rng_below(r, 4);
	else if (d < 88)
		p->count = rng_below(r, 20000);
	else if (d < 93)
		p->count = STMEXEC_MAX_RANGES + rng_below(r, 2);
	else
		p->count = rng_pct(r, 50) ? 0xffffffffu : (uint32_t)rng_next(r);
	p->dirty = 0;
	if (rng_pct(r, 5)) {
		a->flags = rng_next(r) | 1;
		p->dirty = 1;
	}
	if (rng_pct(r, 5)) {
		a->reserved = rng_next(r) | 1;
		p->dirty = 1;
	}
	a->err_index = rng_next(r);
	a->bios_index = rng_next(r);

	p->entries = e;
	p->clean_entries = 1;
	fill = p->count;
	if ((size_t)fill * sizeof(*e) > BIG_BYTES - 4096)
		fill = (BIG_BYTES - 4096) / sizeof(*e);
	if (c == C_PROTECT || c == C_UNPROTECT) {
		int valid = rng_pct(r, 40);

		for (i = 0; i < fill; i++) {
			if (valid && i < 8)
				valid_range(r, &e[i], i);
			else if (i < 8 || rng_pct(r, 1))
				rnd_range(r, &e[i]);
			else
				e[i] = e[i % 8];
		}
		/* UNPROTECT: often something that is held */
		if (c == C_UNPROTECT && cur.n && fill && rng_pct(r, 50)) {
			i = rng_below(r, fill);
			e[i] = cur.r[rng_below(r, cur.n)];
			e[i].flags = 0;	/* output-only fields */
			e[i].index = 0;
		}
		for (i = 0; i < fill; i++)
			if (!range_input_clean(&e[i]))
				p->clean_entries = 0;
	}
	/*
	 * A valid pointer with more entries than big holds only happens for
	 * count > STMEXEC_MAX_RANGES (16384 * 48 bytes fit): E2BIG first.
	 */
	if (p->data_kind == P_VALID)
		a->ranges_ptr = (uintptr_t)e;
	else
		a->ranges_ptr = make_ptr(p->data_kind, 48, rng_next(r));
	a->count = p->count;
}

static void check_version(const struct stmexec_version *v)
{
	if (v->abi_major != STMEXEC_ABI_MAJOR || v->reserved[0] || v->reserved[1])
		fail("GET_VERSION: abi %u.%u reserved %llx/%llx", v->abi_major,
		     v->abi_minor, (unsigned long long)v->reserved[0],
		     (unsigned long long)v->reserved[1]);
}

static void check_status(const struct stmexec_status *s)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(s->reserved); i++)
		if (s->reserved[i])
			fail("GET_STATUS: reserved[%u] = 0x%llx", i,
			     (unsigned long long)s->reserved[i]);
	if (s->state > STMEXEC_STATE_FAILED || s->cpus_active > s->cpus_online ||
	    s->backend > STMEXEC_BACKEND_SIM)
		fail("GET_STATUS: state %u backend %u cpus_active %u cpus_online %u",
		     s->state, s->backend, s->cpus_active, s->cpus_online);
	if (have_list && s->nr_ranges < cur.n)
		fail("GET_STATUS: nr_ranges %llu < %u user ranges listed",
		     (unsigned long long)s->nr_ranges, cur.n);
}

static void fuzz_ioctl(struct rng *r)
{
	unsigned char save[64];
	struct arr_plan plan = { 0 };
	enum ptr_kind kind = P_VALID;
	enum rec_kind rk = R_NONE;
	unsigned long cmd;
	uint64_t arg;
	__u64 *ep;
	int c, e, want = -1;	/* want: exact errno expected, -1 any */
	char what[200];

	cmd = random_cmd(r, &c);
	memset(big, 0, 4096);

	switch (c) {
	case C_PROTECT: case C_UNPROTECT: case C_LIST: case C_BIOS:
		plan_array(r, c, &plan);
		kind = plan.hdr_kind;
		break;
	case C_LOG_SETUP: {
		struct stmexec_log_setup *ls = (void *)big;

		kind = pick_ptr(r);
		ls->pages = rng_pct(r, 70) ? rng_below(r, 520) : rng_next(r);
		ls->event_mask = rng_pct(r, 70) ? rng_below(r, 0x500) : rng_next(r);
		ls->ring_records = rng_pct(r, 50) ? 0 : rnd_u64_interesting(r);
		if (rng_pct(r, 5))
			ls->flags = rng_next(r) | 1;
		if (rng_pct(r, 5))
			ls->reserved = rng_next(r) | 1;
		if (kind == P_VALID && (ls->flags || ls->reserved))
			want = EINVAL;
		break;
	}
	case C_VMCS_DB: {
		struct stmexec_vmcs_db *v = (void *)big;

		kind = pick_ptr(r);
		v->op = rng_below(r, rng_pct(r, 80) ? 2 : 5);
		v->domain_type = rng_below(r, rng_pct(r, 80) ? 16 : 64);
		v->xstate_policy = rng_below(r, 5);
		v->degradation_policy = rng_below(r, rng_pct(r, 80) ? 16 : 64);
		if (rng_pct(r, 5))
			v->flags = rng_next(r) | 1;
		if (rng_pct(r, 5))
			v->pad = rng_next(r) | 1;
		if (rng_pct(r, 5))
			v->reserved = rng_next(r) | 1;
		if (kind == P_VALID && (v->flags || v->pad || v->reserved))
			want = EINVAL;
		break;
	}
	case C_CONTROL: {
		struct stmexec_control *ct = (void *)big;

		kind = pick_ptr(r);
		ct->op = rng_below(r, rng_pct(r, 90) ? 6 : 16);
		/* ENABLE/DISABLE are slow on a debug TCG guest */
		if ((ct->op == STMEXEC_CTL_ENABLE ||
		     ct->op == STMEXEC_CTL_DISABLE) && !rng_pct(r, 30))
			ct->op = STMEXEC_CTL_LOG_START + rng_below(r, 3);
		if (rng_pct(r, 5))
			ct->flags = rng_next(r) | 1;
		if (rng_pct(r, 5))
			ct->reserved[rng_below(r, 2)] = rng_next(r) | 1;
		if (kind == P_VALID &&
		    (ct->flags || ct->reserved[0] || ct->reserved[1] ||
		     ct->op < STMEXEC_CTL_ENABLE || ct->op > STMEXEC_CTL_LOG_CLEAR))
			want = EINVAL;
		break;
	}
	case C_ENABLE: case C_DISABLE:
		/* slow on a debug TCG guest: keep them to a few percent */
		if (!rng_pct(r, 30))
			return;
		/* fall through */
	default:
		kind = pick_ptr(r);
		if (rng_pct(r, 10))
			memset(big, 0xa5, 64); /* output structs must be overwritten */
	}
	/* the error record: only where the argument itself is readable */
	ep = err_ptr_field(c, big);
	if (ep && has_records && rng_pct(r, 60)) {
		rk = (enum rec_kind)(1 + rng_below(r, NR_REC - 1));
		*ep = rec_ptr(r, rk);
		memset(rec_area, REC_CANARY, 4096);
	}
	arg = make_ptr(kind, cmds[c].size ? cmds[c].size : 8, rng_next(r));
	if (kind == P_MISALIGNED)
		memmove((void *)(uintptr_t)arg, big, 64);
	if (kind == P_STRADDLE && cmds[c].size && cmds[c].size <= 64) {
		memcpy(save, big, cmds[c].size);
		memcpy((void *)(uintptr_t)arg, save,
		       (uintptr_t)guard_page + 4096 - (uintptr_t)arg);
	}

	/* expectations that do not depend on the module's state */
	if (unpriv)
		want = EPERM;
	else if (c == C_UNKNOWN)
		want = ENOTTY;
	else if (cmds[c].size && ptr_bad(kind))
		want = EFAULT;
	else if (arg_copied(kind) && rec_bad(rk) == 1)
		want = EFAULT;	/* the record first: before anything changes */
	else if (arg_copied(kind) && rec_bad(rk) < 0)
		want = -1;
	else if (plan.dirty && kind != P_STRADDLE)
		want = EINVAL;
	else if ((c == C_PROTECT || c == C_UNPROTECT) &&
		 plan.count > STMEXEC_MAX_RANGES && kind != P_STRADDLE)
		want = E2BIG;
	else if ((c == C_PROTECT || c == C_UNPROTECT) && plan.count &&
		 ptr_bad(plan.data_kind))
		want = EFAULT;

	e = ioctl(fd_dev, cmd, (void *)(uintptr_t)arg) < 0 ? errno : 0;
	account(&cmds[c], e);

	snprintf(what, sizeof(what), "ioctl %s (cmd 0x%08lx) arg %s%s%s count %u",
		 cmds[c].name, cmd, ptr_names[kind],
		 plan.count || c == C_PROTECT ? ", ranges " : "",
		 plan.count || c == C_PROTECT ? ptr_names[plan.data_kind] : "",
		 plan.count);
	if (rk != R_NONE)
		snprintf(what + strlen(what), sizeof(what) - strlen(what),
			 ", record %s", rec_names[rk]);
	if (e && !sx_errno_documented(e))
		fail("%s: undocumented errno %s", what, sx_errname(e));
	else if (want >= 0 && e != want && !(want == E2BIG && e == EINVAL))
		fail("%s: %s, want %s", what, sx_errname(e), sx_errname(want));
	if (!e && ptr_kernel(kind) && cmds[c].size)
		fail("%s: SUCCEEDED with a kernel pointer", what);
	if (arg_copied(kind) && !rec_bad(rk) && rk != R_NONE) {
		check_record(what, rk, e);
		recs_checked++;
	}
	if (arg_copied(kind) && rec_bad(rk) == 1 && e == EFAULT)
		recs_refused++;
	if (!e && arg_copied(kind) && rec_bad(rk) == 1)
		fail("%s: SUCCEEDED with an unwritable record", what);
	if (!e && (c == C_LIST || c == C_BIOS) && plan.count &&
	    ptr_kernel(plan.data_kind) && ((struct stmexec_range_array *)big)->count &&
	    kind == P_VALID)
		fail("%s: LIST copied %u ranges to a kernel address", what,
		     ((struct stmexec_range_array *)big)->count);
	if (unpriv)
		return;

	if (!e && kind == P_VALID && c == C_VERSION)
		check_version((void *)big);
	if (!e && kind == P_VALID && c == C_STATUS)
		check_status((void *)big);

	/* entries with pad/flags/index/reserved set are malformed (EINVAL,
	 * or ERANGE if an earlier entry is out of range): never accepted */
	if (!e && (c == C_PROTECT || c == C_UNPROTECT) && kind == P_VALID &&
	    plan.data_kind == P_VALID && plan.count && !plan.clean_entries)
		fail("%s: accepted entries with non-zero pad/flags/reserved", what);

	/* the protection set; count 0 is a successful no-op */
	if ((c == C_PROTECT || c == C_UNPROTECT) && !e && plan.count)
		set_changed(c == C_PROTECT,
			    kind == P_VALID && plan.data_kind == P_VALID &&
			    plan.clean_entries ? plan.entries : NULL,
			    plan.count, cmds[c].name);
	else if (c == C_PROTECT || c == C_UNPROTECT || c == C_ENABLE ||
		 c == C_DISABLE || c == C_VMCS_DB || iter % 16 == 0)
		set_refresh(what);
}

/* ---- sysfs --------------------------------------------------------------------- */

struct attr {
	char path[300];
	char name[64];
	char saved[256];
	int readable;
	struct cmdinfo st;
};

static struct attr attrs[MAX_ATTRS];
static unsigned int nattrs;

static int attr_cmp(const void *a, const void *b)
{
	return strcmp(((const struct attr *)a)->path, ((const struct attr *)b)->path);
}

static void scan_dir(const char *dir, const char *prefix)
{
	struct dirent *de;
	struct stat sb;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d)) && nattrs < MAX_ATTRS) {
		struct attr *a = &attrs[nattrs];

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "uevent"))
			continue;
		snprintf(a->path, sizeof(a->path), "%.40s/%.250s", dir, de->d_name);
		if (lstat(a->path, &sb) || !S_ISREG(sb.st_mode) ||
		    !(sb.st_mode & 0222))
			continue;
		snprintf(a->name, sizeof(a->name), "%.8s%.50s", prefix, de->d_name);
		a->readable = !!(sb.st_mode & 0444);
		nattrs++;
	}
	closedir(d);
}

static size_t rnd_text(struct rng *r, char *buf, size_t cap)
{
	static const char *const words[] = {
		"0", "1", "-1", "on", "off", "y", "n", "enable", "disable",
		"sim", "vmx", "4294967296", "18446744073709551616", "0x",
		"1e9", "+", "-", "deny=", "deny=rwx", "deny=q", "mem", "mmio",
		"io", "msr", "pci", "0000:00:1f.3", "ff:1f.7", "1G", "16T",
		"0x1000", "4K", "KiB", "\n", " ", "\t", "\\", "%s%n",
	};
	static const char *const types[] = { "mem", "mmio", "io", "msr", "pci",
					     "all", "", "MEM" };
	uint64_t d = rng_below(r, 100);
	size_t n = 0, i, len;

	if (d < 35) { /* range text, often valid */
		const char *t = types[rng_below(r, ARRAY_SIZE(types))];
		uint64_t base = rng_pct(r, 60) ? FUZZ_MEM + 0x1000 * rng_below(r, 64) :
						 rnd_u64_interesting(r);

		if (!strcmp(t, "io"))
			base = rng_pct(r, 70) ? 0x6000 + rng_below(r, 256) : base;
		n = snprintf(buf, cap, "%s 0x%llx", t, (unsigned long long)base);
		if (rng_pct(r, 60))
			n += snprintf(buf + n, cap - n, "%c0x%llx",
				      rng_pct(r, 80) ? '+' : '-',
				      rng_pct(r, 70) ? 0x1000ULL * (1 + rng_below(r, 4)) :
						       (unsigned long long)rnd_u64_interesting(r));
		if (rng_pct(r, 60))
			n += snprintf(buf + n, cap - n, " deny=%s",
				      (const char *[]){ "r", "w", "x", "rw", "rwx",
							"", "wr", "rr", "z" }[rng_below(r, 9)]);
		if (rng_pct(r, 70))
			n += snprintf(buf + n, cap - n, "\n");
		if (rng_pct(r, 5)) /* a second line */
			n += snprintf(buf + n, cap - n, "mem 0x%llx\n",
				      (unsigned long long)FUZZ_MEM);
	} else if (d < 65) { /* words */
		len = 1 + rng_below(r, 5);
		for (i = 0; i < len && n < cap - 32; i++)
			n += snprintf(buf + n, cap - n, "%s%s", i ? " " : "",
				      words[rng_below(r, ARRAY_SIZE(words))]);
	} else if (d < 85) { /* binary */
		len = rng_below(r, 64);
		for (i = 0; i < len; i++)
			buf[n++] = rng_next(r);
	} else if (d < 95) { /* long */
		len = (const size_t[]){ 4095, 4096, 4097, 8192 }[rng_below(r, 4)];
		if (len > cap)
			len = cap;
		memset(buf, rng_pct(r, 50) ? '9' : 'A', len);
		n = len;
	} else {
		n = 0; /* empty */
	}
	return n > cap ? cap : n;
}

/* Write @len bytes; 0 or positive errno; *partial set on a short write. */
static int attr_write(const char *path, const char *buf, size_t len,
		      int *partial)
{
	ssize_t n;
	int fd, e;

	*partial = 0;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	n = write(fd, buf, len);
	e = n < 0 ? errno : 0;
	if (n >= 0 && (size_t)n < len)
		*partial = 1;
	close(fd);
	return e;
}

static void fuzz_sysfs(struct rng *r)
{
	static char buf[8200];
	struct attr *a;
	size_t len;
	int e, partial, is_protect, is_unprotect;

	if (!nattrs)
		return;
	a = &attrs[rng_below(r, nattrs)];
	len = rnd_text(r, buf, sizeof(buf) - 1);
	buf[len] = 0;
	e = attr_write(a->path, buf, len, &partial);
	account(&a->st, e);
	if (unpriv) {
		if (e != EACCES)
			fail("write %s as uid %u: %s, want EACCES", a->name,
			     (unsigned int)cfg.uid, e ? sx_errname(e) : "success");
		return;
	}
	if (e && !sx_errno_documented(e))
		fail("write \"%.40s\"%s (%zu bytes) to %s: undocumented errno %s",
		     len && buf[0] >= ' ' ? buf : "<binary>", len > 40 ? "..." : "",
		     len, a->name, sx_errname(e));
	is_protect = !strcmp(a->name, "protect");
	is_unprotect = !strcmp(a->name, "unprotect");
	if (!e && len && (is_protect || is_unprotect) && !partial)
		set_changed(is_protect, NULL, 0, is_protect ? "sysfs protect" :
							       "sysfs unprotect");
	else
		set_refresh(a->name);
}

static struct cmdinfo read_st = { .name = "read(2)" };

static void fuzz_read(struct rng *r)
{
	struct cmdinfo *st = &read_st;
	size_t rec = sizeof(struct stmexec_log_record);
	size_t len = (const size_t[]){ 0, 1, rec - 1, rec, rec + 1, 3 * rec,
				       4096 }[rng_below(r, 7)];
	enum ptr_kind kind = pick_ptr(r);
	uint64_t p = make_ptr(kind, len, rng_next(r));
	ssize_t n;
	int e;

	n = read(fd_nb, (void *)(uintptr_t)p, len);
	e = n < 0 ? errno : 0;
	account(st, e);
	if (n > 0 && n % rec)
		fail("read(%zu) returned %zd, not a multiple of %zu", len, n, rec);
	if (n > 0 && ptr_kernel(kind))
		fail("read(%zu) into a kernel address returned %zd", len, n);
	if (e && e != EAGAIN && !sx_errno_documented(e))
		fail("read(%zu, %s pointer): undocumented errno %s", len,
		     ptr_names[kind], sx_errname(e));
}

/* ---- phases ---------------------------------------------------------------------- */

static void run_loop(struct rng *r, unsigned long n, double deadline)
{
	unsigned long i;
	uint64_t d;

	for (i = 0; i < n && sx_now_s() < deadline; i++, iter++) {
		d = rng_below(r, 100);
		if (d < 80)
			fuzz_ioctl(r);
		else if (d < 95)
			fuzz_sysfs(r);
		else if (!unpriv)
			fuzz_read(r);
		if (fail_prints > 4 * MAX_FAIL_PRINT)
			break;
	}
}

static unsigned long taint(void)
{
	return (unsigned long)sx_read_long("/proc/sys/kernel/tainted", 0);
}

static void usage(void)
{
	fprintf(stderr, "usage: ioctl_fuzz [-s seed] [-n iterations] [-t seconds] [-u uid] [-U unprivileged-iterations] [-v]\n");
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

int main(int argc, char **argv)
{
	struct stmexec_status st_init, st0, st1;
	struct range_set initial = { 0 };
	unsigned long taint0, taint1, root_iters, i;
	unsigned int f0;
	char le0[200] = "", le1[200] = "";
	double t0, deadline;
	struct rng rng;
	pid_t pid;
	int opt, e, status;

	while ((opt = getopt(argc, argv, "s:n:t:u:U:v")) != -1) {
		switch (opt) {
		case 's': cfg.seed = num(optarg); break;
		case 'n': cfg.iters = num(optarg); break;
		case 't': cfg.secs = num(optarg); break;
		case 'u': cfg.uid = num(optarg); break;
		case 'U': cfg.unpriv_iters = num(optarg); break;
		case 'v': cfg.verbose = 1; break;
		default: usage();
		}
	}
	if (!cfg.unpriv_iters)
		cfg.unpriv_iters = cfg.iters / 5 + 1;
	setvbuf(stdout, NULL, _IOLBF, 0);

	ksft_print_header();
	ksft_set_plan(5);
	printf("# ioctl_fuzz: seed %llu, at most %lu iterations (+%lu unprivileged) and %us\n",
	       (unsigned long long)cfg.seed, cfg.iters, cfg.unpriv_iters, cfg.secs);
	fd_dev = open(SX_DEV, O_RDWR | O_CLOEXEC);
	if (fd_dev < 0) {
		printf("# %s: %s (module not loaded?)\n", SX_DEV, strerror(errno));
		for (i = 0; i < 5; i++)
			ksft_test_result_skip("no %s\n", SX_DEV);
		sx_ksft_end();
		return 4;
	}
	fd_nb = open(SX_DEV, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	/* memory: big buffer; an accessible page + PROT_NONE guard; a hole */
	big = mmap(NULL, BIG_BYTES, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	guard_page = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (big == MAP_FAILED || guard_page == MAP_FAILED ||
	    mprotect(guard_page + 4096, 4096, PROT_NONE))
		return 1;
	rec_area = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rec_area == MAP_FAILED || ro_page == MAP_FAILED)
		return 1;
	{
		struct stmexec_version v;

		memset(&v, 0, sizeof(v));
		has_records = !__sx_ioctl(fd_dev, STMEXEC_GET_VERSION, &v) &&
			      sx_abi_has_errrec(&v);
		printf("# ABI %u.%u: error records %s\n", v.abi_major,
		       v.abi_minor, has_records ? "fuzzed" : "not fuzzed");
	}
	{
		void *hole = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		unmapped = (uintptr_t)hole;
		munmap(hole, 4096);
	}

	scan_dir(SX_SYSFS, "");
	scan_dir(SX_SYSFS "/log", "log/");
	qsort(attrs, nattrs, sizeof(attrs[0]), attr_cmp);
	for (i = 0; i < nattrs; i++)
		attrs[i].st.name = attrs[i].name; /* after the sort moved them */
	printf("# %u writable attributes:", nattrs);
	for (i = 0; i < nattrs; i++) {
		printf(" %s", attrs[i].name);
		if (attrs[i].readable &&
		    __sx_read(attrs[i].path, attrs[i].saved, sizeof(attrs[i].saved)))
			attrs[i].readable = 0;
	}
	printf("\n");

	e = -__sx_range_set_list(fd_dev, &cur);
	have_list = !e;
	if (e)
		printf("# LIST_RANGES: %s: protection-set checks off\n", sx_errname(e));
	else
		__sx_range_set_list(fd_dev, &initial);
	memset(&st_init, 0, sizeof(st_init));
	__sx_ioctl(fd_dev, STMEXEC_GET_STATUS, &st_init);
	taint0 = taint();

	/* ---- root phase ---- */
	rng_seed(&rng, cfg.seed, 0);
	t0 = sx_now_s();
	deadline = t0 + cfg.secs * 0.8;
	run_loop(&rng, cfg.iters, deadline);
	root_iters = iter;
	printf("# root phase: %lu iterations in %.1fs\n", root_iters, sx_now_s() - t0);
	printf("# error records: %lu written and checked, %lu unwritable ones refused (EFAULT)\n",
	       recs_checked, recs_refused);
	print_stats("ioctl results (root)", cmds, NR_CMDS);
	{
		struct cmdinfo tab[MAX_ATTRS];

		for (i = 0; i < nattrs; i++)
			tab[i] = attrs[i].st;
		print_stats("sysfs write results (root)", tab, nattrs);
	}
	print_stats("log read results (root, O_NONBLOCK)", &read_st, 1);
	f0 = fails;
	ksft_test_result(!fails, "root: %lu calls, every answer documented and as expected\n",
		    root_iters);

	/* the set must be exactly what the successful calls made of it */
	if (have_list) {
		f0 = fails;
		set_refresh("the root phase");
		ksft_test_result(fails == f0, "protection set changed only through successful PROTECT/UNPROTECT\n");
	} else {
		ksft_test_result_skip("protection set: LIST_RANGES not implemented\n");
	}

	/* ---- unprivileged phase ---- */
	f0 = fails;
	memset(&st0, 0, sizeof(st0));
	memset(&st1, 0, sizeof(st1));
	__sx_ioctl(fd_dev, STMEXEC_GET_STATUS, &st0);
	__sx_read(SX_SYSFS "/last_error", le0, sizeof(le0));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int dfd;

		unpriv = 1;
		fails = 0;
		fail_prints = 0;
		if (setgroups(0, NULL) || setgid(cfg.uid) || setuid(cfg.uid)) {
			printf("# cannot drop to uid %u: %s\n", (unsigned int)cfg.uid,
			       strerror(errno));
			_exit(3);
		}
		dfd = open(SX_DEV, O_RDWR | O_CLOEXEC);
		if (dfd >= 0 || errno != EACCES)
			fail("open %s as uid %u: %s, want EACCES", SX_DEV,
			     (unsigned int)cfg.uid, dfd >= 0 ? "success" : sx_errname(errno));
		for (i = 0; i < NR_CMDS; i++) {
			cmds[i].calls = cmds[i].ok = 0;
			memset(cmds[i].err, 0, sizeof(cmds[i].err));
		}
		rng_seed(&rng, cfg.seed, 1);
		run_loop(&rng, cfg.unpriv_iters, t0 + cfg.secs);
		print_stats("ioctl results (uid 65534, fd opened by root)", cmds, NR_CMDS);
		fflush(stdout);
		_exit(fails ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		fail("fork/wait: %s", strerror(errno));
	} else if (WIFSIGNALED(status)) {
		fail("the unprivileged child died of signal %d (an oops in an ioctl?)",
		     WTERMSIG(status));
	} else if (WEXITSTATUS(status) == 3) {
		status = -1;
	} else if (WEXITSTATUS(status)) {
		fails++;
	}
	__sx_ioctl(fd_dev, STMEXEC_GET_STATUS, &st1);
	__sx_read(SX_SYSFS "/last_error", le1, sizeof(le1));
	if (st0.state != st1.state || st0.nr_ranges != st1.nr_ranges ||
	    st0.last_errno != st1.last_errno || strcmp(le0, le1))
		fail("the unprivileged phase changed state %u->%u, nr_ranges %llu->%llu, last_errno %u->%u, last_error \"%s\" -> \"%s\"",
		     st0.state, st1.state, (unsigned long long)st0.nr_ranges,
		     (unsigned long long)st1.nr_ranges, st0.last_errno,
		     st1.last_errno, le0, le1);
	set_refresh("the unprivileged phase");
	if (status == -1)
		ksft_test_result_skip("unprivileged: cannot setuid\n");
	else
		ksft_test_result(fails == f0, "unprivileged (uid %u): open refused, every ioctl EPERM, no attribute writable, nothing changed\n",
			    (unsigned int)cfg.uid);

	/* ---- restore ---- */
	f0 = fails;
	if (have_list && cur.n) {
		struct range_set extra = { 0 };
		struct stmexec_range_array a;

		extra.r = calloc(cur.n, sizeof(*extra.r));
		for (i = 0; i < cur.n; i++)
			if (!sx_range_set_has(&initial, &cur.r[i])) {
				extra.r[extra.n] = cur.r[i];
				extra.r[extra.n].flags = 0;
				extra.r[extra.n].index = 0;
				extra.n++;
			}
		if (extra.n) {
			memset(&a, 0, sizeof(a));
			a.ranges_ptr = (uintptr_t)extra.r;
			a.count = extra.n;
			e = -__sx_ioctl(fd_dev, STMEXEC_UNPROTECT, &a);
			if (e == ENXIO) { /* needs the monitor on */
				__sx_ioctl(fd_dev, STMEXEC_ENABLE, NULL);
				e = -__sx_ioctl(fd_dev, STMEXEC_UNPROTECT, &a);
			}
			if (e)
				fail("restore: UNPROTECT of the %u ranges the fuzzer left: %s (err_index %u)",
				     extra.n, sx_errname(e), a.err_index);
		}
		sx_range_set_free(&extra);
		sx_range_set_free(&cur);
		__sx_range_set_list(fd_dev, &cur);
		if (!sx_range_set_equal(&cur, &initial))
			fail("restore: %u user ranges held, %u at the start", cur.n,
			     initial.n);
	}
	for (i = 0; i < nattrs; i++)
		if (attrs[i].readable && strcmp(attrs[i].name, "protect") &&
		    strcmp(attrs[i].name, "unprotect"))
			__sx_write(attrs[i].path, attrs[i].saved);
	__sx_ioctl(fd_dev, STMEXEC_LOG_STOP, NULL);
	__sx_ioctl(fd_dev, st_init.state == STMEXEC_STATE_ON ? STMEXEC_ENABLE :
			 STMEXEC_DISABLE, NULL);
	__sx_ioctl(fd_dev, STMEXEC_GET_STATUS, &st1);
	if ((st_init.state == STMEXEC_STATE_ON) != (st1.state == STMEXEC_STATE_ON))
		fail("restore: state %u, at the start %u", st1.state, st_init.state);
	ksft_test_result(fails == f0, "restored: protection set, attributes, monitor state\n");

	taint1 = taint();
	/* D: oops/BUG, W: WARN, B: bad page, L: soft lockup */
	{
		unsigned long bad = (1UL << 7) | (1UL << 9) | (1UL << 5) | (1UL << 14);

		ksft_test_result(!((taint1 & ~taint0) & bad),
			    "kernel not newly tainted D/W/B/L (tainted %lu -> %lu)\n",
			    taint0, taint1);
	}
	printf("# ioctl_fuzz: %lu iterations, %.1fs, %u failures\n", iter,
	       sx_now_s() - t0, fails);
	sx_range_set_free(&initial);
	sx_range_set_free(&cur);
	return sx_ksft_end();
}
