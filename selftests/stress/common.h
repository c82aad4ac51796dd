/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by stress_run.c and ioctl_fuzz.c: a seedable PRNG, the
 * documented errno set of /dev/stmexec, sysfs/debugfs access, range-list
 * snapshots and KTAP output. Header-only (static functions), libc only.
 */
#ifndef STMEXEC_STRESS_COMMON_H
#define STMEXEC_STRESS_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/stmexec.h>

#define SX_DEV		"/dev/stmexec"
#define SX_SYSFS	"/sys/class/misc/stmexec"
#define SX_DEBUGFS	"/sys/kernel/debug/stmexec"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- PRNG: xorshift64*, one state per thread ---------------------------- */

struct rng {
	uint64_t s;
};

static inline void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	r->s = seed ^ (0x9e3779b97f4a7c15ULL * (stream + 1));
	if (!r->s)
		r->s = 0x2545f4914f6cdd1dULL;
}

static inline uint64_t rng_next(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

/* Uniform in [0, n); n > 0. */
static inline uint64_t rng_below(struct rng *r, uint64_t n)
{
	return rng_next(r) % n;
}

/* True with probability pct/100. */
static inline int rng_pct(struct rng *r, unsigned int pct)
{
	return rng_below(r, 100) < pct;
}

/* ---- errno --------------------------------------------------------------- */

/*
 * The errno values HACKING.md ("Errno map") and
 * Documentation/userspace-api/stmexec.rst ("Errors") allow /dev/stmexec and the sysfs
 * attributes to return, plus the generic ones every syscall can return with
 * user memory and allocation involved (EFAULT, ENOMEM, EINTR).
 */
static const int sx_documented_errnos[] = {
	ENODEV, EBUSY, EALREADY, ENXIO, EINVAL, ERANGE, EADDRINUSE, EEXIST,
	ENOENT, E2BIG, EIO, ETIMEDOUT, EPERM, ENOTTY,
	ENOSPC, EFAULT, ENOMEM, EINTR,
};

static inline int sx_errno_documented(int e)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sx_documented_errnos); i++)
		if (sx_documented_errnos[i] == e)
			return 1;
	return 0;
}

static inline const char *sx_errname(int e)
{
	static __thread char buf[16];

	switch (e) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case ENXIO: return "ENXIO";
	case E2BIG: return "E2BIG";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case ENOTTY: return "ENOTTY";
	case ENOSYS: return "ENOSYS";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EADDRINUSE: return "EADDRINUSE";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EALREADY: return "EALREADY";
	case EOVERFLOW: return "EOVERFLOW";
	}
	snprintf(buf, sizeof(buf), "errno %d", e);
	return buf;
}

/* ioctl() returning 0 or a positive errno. */
static inline int sx_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? errno : 0;
}

/* ---- time ----------------------------------------------------------------- */

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- sysfs ----------------------------------------------------------------- */

/* Read a small file into buf (NUL-terminated, trailing newline cut); -errno. */
static inline int read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	return 0;
}

/* One write(2) of len bytes; 0 on a complete write, else a positive errno. */
static inline int write_file_len(const char *path, const char *s, size_t len)
{
	ssize_t n;
	int fd, e;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	n = write(fd, s, len);
	e = n < 0 ? errno : ((size_t)n == len ? 0 : EIO);
	close(fd);
	return e;
}

static inline int write_file(const char *path, const char *s)
{
	return write_file_len(path, s, strlen(s));
}

static inline long read_long(const char *path, long dflt)
{
	char buf[64];

	if (read_file(path, buf, sizeof(buf)))
		return dflt;
	return strtol(buf, NULL, 0);
}

/* ---- ranges ----------------------------------------------------------------- */

static inline int range_same(const struct stmexec_range *a,
			     const struct stmexec_range *b)
{
	return a->type == b->type && a->access == b->access &&
	       a->base == b->base && a->length == b->length &&
	       a->pci_bus == b->pci_bus && a->pci_dev == b->pci_dev &&
	       a->pci_fn == b->pci_fn;
}

static inline void range_str(const struct stmexec_range *r, char *buf,
			     size_t len)
{
	snprintf(buf, len, "type %u access 0x%x base 0x%llx length 0x%llx pci %02x:%02x.%x flags 0x%x",
		 r->type, r->access, (unsigned long long)r->base,
		 (unsigned long long)r->length, r->pci_bus, r->pci_dev,
		 r->pci_fn, r->flags);
}

struct range_set {
	struct stmexec_range *r;
	uint32_t n;	/* user ranges (STMEXEC_RF_POLICY entries dropped) */
	uint32_t cap;
};

/*
 * Snapshot LIST_RANGES into @s, without the default policy's ranges
 * (STMEXEC_RF_POLICY: not ours to compare). Returns 0 or a positive errno.
 */
static inline int range_set_list(int fd, struct range_set *s)
{
	struct stmexec_range_array a;
	uint32_t i, j;
	int e;

	for (;;) {
		memset(&a, 0, sizeof(a));
		a.ranges_ptr = (uintptr_t)s->r;
		a.count = s->cap;
		e = sx_ioctl(fd, STMEXEC_LIST_RANGES, &a);
		if (e)
			return e;
		if (a.count <= s->cap)
			break;
		free(s->r);
		s->cap = a.count + 64;
		s->r = calloc(s->cap, sizeof(*s->r));
		if (!s->r)
			return ENOMEM;
	}
	for (i = 0, j = 0; i < a.count; i++)
		if (!(s->r[i].flags & STMEXEC_RF_POLICY))
			s->r[j++] = s->r[i];
	s->n = j;
	return 0;
}

static inline int range_set_has(const struct range_set *s,
				const struct stmexec_range *r)
{
	uint32_t i;

	for (i = 0; i < s->n; i++)
		if (range_same(&s->r[i], r))
			return 1;
	return 0;
}

/* Same multiset of ranges, order ignored. */
static inline int range_set_equal(const struct range_set *a,
				  const struct range_set *b)
{
	uint32_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (!range_set_has(b, &a->r[i]) || !range_set_has(a, &b->r[i]))
			return 0;
	return 1;
}

static inline void range_set_free(struct range_set *s)
{
	free(s->r);
	s->r = NULL;
	s->n = s->cap = 0;
}

/* ---- KTAP ------------------------------------------------------------------ */

struct ktap {
	unsigned int n, pass, fail, skip;
};

static inline void ktap_begin(struct ktap *k, unsigned int planned)
{
	memset(k, 0, sizeof(*k));
	printf("KTAP version 1\n1..%u\n", planned);
	fflush(stdout);
}

__attribute__((format(printf, 3, 4)))
static inline void ktap_result(struct ktap *k, int result, const char *fmt,
			       ...)
{
	/* result: 1 pass, 0 fail, -1 skip */
	va_list ap;

	k->n++;
	if (result > 0)
		k->pass++;
	else if (result == 0)
		k->fail++;
	else
		k->skip++;
	printf("%s %u ", result ? "ok" : "not ok", k->n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("%s\n", result < 0 ? " # SKIP" : "");
	fflush(stdout);
}

static inline int ktap_end(struct ktap *k)
{
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:%u error:0\n",
	       k->pass, k->fail, k->skip);
	fflush(stdout);
	return k->fail ? 1 : 0;
}

#endif /* STMEXEC_STRESS_COMMON_H */
