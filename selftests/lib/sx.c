// SPDX-License-Identifier: GPL-2.0
/* The stmexec selftest library: module, device, sysfs, processes (sx.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* pipe2(), strcasecmp(), strtok_r() */
#endif
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include "sx.h"
#include "sx_fileio.h"
#include "sx_errptr.h"

/* Does the loaded module write error records: 1, 0, -1 not asked yet */
static int sx_errrec = -1;

const char *sx_ko_path(void)
{
	const char *p = getenv("STMEXEC_KO");

	return p && *p ? p : "/lib/stmexec/stmexec.ko";
}

bool sx_loaded(void)
{
	struct stat st;

	return stat("/sys/module/stmexec", &st) == 0;
}

int __sx_load(const char *params)
{
	int fd, ret, err = 0;

	sx_errrec = -1;		/* another build may answer GET_VERSION */
	fd = open(sx_ko_path(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = (int)syscall(SYS_finit_module, fd, params ? params : "", 0);
	if (ret)
		err = -errno;
	close(fd);
	return err;
}

int __sx_unload(void)
{
	if (syscall(SYS_delete_module, "stmexec", O_NONBLOCK))
		return -errno;
	return 0;
}

uint64_t sx_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

double sx_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int __sx_ensure_unloaded(void)
{
	uint64_t deadline = sx_now_ms() + 5000;
	int fd, ret;

	if (!sx_loaded())
		return 0;
	/* disable stops the log too; when off it is a no-op */
	fd = __sx_open();
	if (fd >= 0) {
		__sx_ioctl(fd, STMEXEC_DISABLE, NULL);
		close(fd);
	}
	/* bounded poll: a just-exited child may still hold a reference */
	for (;;) {
		ret = __sx_unload();
		if (!ret || ret == -ENOENT)
			return 0;
		if (sx_now_ms() > deadline)
			return ret;
		usleep(10000);
	}
}

bool sx_cpu_has(const char *flag)
{
	char line[8192], pat[64];
	bool found = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return false;
	snprintf(pat, sizeof(pat), " %s", flag);
	while (fgets(line, sizeof(line), f)) {
		char *p;
		size_t n = strlen(pat);

		if (strncmp(line, "flags", 5))
			continue;
		line[strcspn(line, "\n")] = ' ';
		for (p = strstr(line, pat); p; p = strstr(p + 1, pat))
			if (p[n] == ' ')
				found = true;
		break;
	}
	fclose(f);
	return found;
}

int sx_online_cpus(void)
{
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

int __sx_online_list(char *buf, size_t len)
{
	return __sx_read("/sys/devices/system/cpu/online", buf, len);
}

int __sx_open(void)
{
	int fd = open(SX_DEV, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/*
 * The request's own error record (ABI 1.1) for the asserting helpers:
 * between sx_record_arm() and sx_record_disarm() (SX_ASSERT_OK), a request
 * that carries err_ptr and was given 0 gets this thread's record instead
 * (its err_ptr is 0 again on return), so that a failure is reported with
 * the kernel's reason for it, not with last_error, which is anyone's.
 */
static __thread struct stmexec_error sx_rec;
static __thread bool sx_rec_armed, sx_rec_valid;

void sx_record_arm(void)
{
	sx_rec_armed = true;
	sx_rec_valid = false;
}

void sx_record_disarm(void)
{
	sx_rec_armed = false;
}

const struct stmexec_error *sx_last_record(void)
{
	return sx_rec_valid ? &sx_rec : NULL;
}

/* Asked once per load; a failed GET_VERSION is asked again next time. */
static bool sx_has_records(int fd)
{
	int has;

	if (sx_errrec < 0) {
		has = sx_errrec_probe(fd);
		if (has < 0)
			return false;
		sx_errrec = has;
	}
	return sx_errrec;
}

int __sx_ioctl(int fd, unsigned long cmd, void *arg)
{
	__u64 *ep = sx_rec_armed ? sx_err_ptr_of(cmd, arg) : NULL;
	bool lend = ep && !*ep && sx_has_records(fd);
	int ret;

	if (lend) {
		*ep = (uintptr_t)&sx_rec;
		sx_rec_valid = false;
	}
	ret = ioctl(fd, cmd, arg) ? -errno : 0;
	if (lend) {
		*ep = 0;
		sx_rec.msg[sizeof(sx_rec.msg) - 1] = '\0';
		sx_rec_valid = true;
	}
	return ret;
}

int __sx_status(int fd, struct stmexec_status *st)
{
	memset(st, 0, sizeof(*st));
	return __sx_ioctl(fd, STMEXEC_GET_STATUS, st);
}

static void path_of(const char *attr, char *path, size_t len)
{
	if (attr[0] == '/')
		snprintf(path, len, "%s", attr);
	else
		snprintf(path, len, "%s/%s", SX_SYSFS, attr);
}

static int write_path(const char *path, const char *val)
{
	return __sx_path_write(path, val, strlen(val));
}

int __sx_read(const char *attr, char *buf, size_t len)
{
	char path[512];

	path_of(attr, path, sizeof(path));
	return __sx_path_read(path, buf, len);
}

int __sx_read_u64(const char *attr, uint64_t *v)
{
	char buf[64], *end;
	int ret = __sx_read(attr, buf, sizeof(buf));

	if (ret)
		return ret;
	errno = 0;
	*v = strtoull(buf, &end, 0);
	if (errno || end == buf || *end)
		return -EINVAL;
	return 0;
}

int __sx_write(const char *attr, const char *val)
{
	char path[512];

	path_of(attr, path, sizeof(path));
	return write_path(path, val);
}

int __sx_write_len(const char *attr, const char *val, size_t len)
{
	char path[512];

	path_of(attr, path, sizeof(path));
	return __sx_path_write(path, val, len);
}

int __sx_dbg_read(const char *file, char *buf, size_t len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", SX_DEBUGFS, file);
	return __sx_path_read(path, buf, len);
}

int __sx_dbg_write(const char *file, const char *val)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", SX_DEBUGFS, file);
	return write_path(path, val);
}

bool sx_dbg_available(void)
{
	struct stat st;

	return stat(SX_DEBUGFS, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *sx_state(void)
{
	static char buf[32];

	if (__sx_read("state", buf, sizeof(buf)))
		buf[0] = '\0';
	return buf;
}

static int drop_to_nobody(void)
{
	if (setgroups(0, NULL) || setgid(SX_GID_NOGROUP) || setuid(SX_UID_NOBODY))
		return -1;
	return getuid() == SX_UID_NOBODY && geteuid() == SX_UID_NOBODY ? 0 : -1;
}

static int drop_cap_sys_admin(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	int i;

	if (syscall(SYS_capget, &h, d))
		return -1;
	for (i = 0; i < 2; i++) {
		if (CAP_SYS_ADMIN / 32 != i)
			continue;
		d[i].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
		d[i].permitted &= ~(1u << (CAP_SYS_ADMIN % 32));
		d[i].inheritable &= ~(1u << (CAP_SYS_ADMIN % 32));
	}
	if (syscall(SYS_capset, &h, d))
		return -1;
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d))
		return -1;
	return d[CAP_SYS_ADMIN / 32].effective & (1u << (CAP_SYS_ADMIN % 32)) ? -1 : 0;
}

static int run_child(int (*drop)(void), int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (drop())
			_exit(100);
		_exit(fn(arg) & 0xff);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int sx_run_as_nobody(int (*fn)(void *arg), void *arg)
{
	return run_child(drop_to_nobody, fn, arg);
}

int sx_run_without_cap_sys_admin(int (*fn)(void *arg), void *arg)
{
	return run_child(drop_cap_sys_admin, fn, arg);
}

int __sx_klog_mark(char *marker, size_t len)
{
	static unsigned int seq;
	char line[160];

	snprintf(marker, len, "stmexec-selftest-mark-%d-%u-%llu", (int)getpid(),
		 ++seq, (unsigned long long)sx_now_ms());
	snprintf(line, sizeof(line), "<6>%s\n", marker);
	return write_path("/dev/kmsg", line);
}

static bool contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return true;
	return false;
}

bool sx_klog_since(const char *marker, const char *needle1, const char *needle2)
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *buf, *p, *line, *save = NULL;
	bool found = false;
	int n;

	if (size <= 0)
		size = 1 << 20;
	buf = calloc(1, (size_t)size + 1);
	if (!buf)
		return false;
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size);
	if (n > 0) {
		buf[n] = '\0';
		p = strstr(buf, marker);
		if (p) {
			for (line = strtok_r(p, "\n", &save); line;
			     line = strtok_r(NULL, "\n", &save)) {
				if (contains_ci(line, needle1) &&
				    (!needle2 || contains_ci(line, needle2))) {
					found = true;
					break;
				}
			}
		}
	}
	free(buf);
	return found;
}

static int get_list(int fd, unsigned long cmd, struct stmexec_range **out,
		    uint32_t *n)
{
	struct stmexec_range_array a;
	struct stmexec_range *r = NULL;
	uint32_t cap = 256;
	int tries, ret;

	for (tries = 0; tries < 6; tries++) {
		free(r);
		r = calloc(cap, sizeof(*r));
		if (!r)
			return -ENOMEM;
		memset(&a, 0, sizeof(a));
		a.ranges_ptr = (uintptr_t)r;
		a.count = cap;
		ret = __sx_ioctl(fd, cmd, &a);
		if (ret) {
			free(r);
			return ret;
		}
		if (a.count <= cap) {
			*out = r;
			*n = a.count;
			return 0;
		}
		cap = a.count;
	}
	free(r);
	return -EAGAIN;
}

int __sx_list(int fd, struct stmexec_range **out, uint32_t *n)
{
	return get_list(fd, STMEXEC_LIST_RANGES, out, n);
}

int __sx_bios(int fd, struct stmexec_range **out, uint32_t *n)
{
	return get_list(fd, STMEXEC_GET_BIOS_RESOURCES, out, n);
}

static int change(int fd, unsigned long cmd, const struct stmexec_range *r,
		  uint32_t n, uint32_t *err_index, uint32_t *bios_index)
{
	struct stmexec_range_array a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.ranges_ptr = (uintptr_t)r;
	a.count = n;
	ret = __sx_ioctl(fd, cmd, &a);
	if (err_index)
		*err_index = a.err_index;
	if (bios_index)
		*bios_index = a.bios_index;
	return ret;
}

int __sx_protect(int fd, const struct stmexec_range *r, uint32_t n,
	       uint32_t *err_index, uint32_t *bios_index)
{
	return change(fd, STMEXEC_PROTECT, r, n, err_index, bios_index);
}

int __sx_unprotect(int fd, const struct stmexec_range *r, uint32_t n,
		 uint32_t *err_index)
{
	return change(fd, STMEXEC_UNPROTECT, r, n, err_index, NULL);
}

int __sx_run(char *const argv[], char *out, size_t outlen, char *err,
	   size_t errlen, int *exit_code)
{
	return __sx_run_as(0, argv, out, outlen, err, errlen, exit_code);
}

int __sx_run_as(uid_t uid, char *const argv[], char *out, size_t outlen,
	      char *err, size_t errlen, int *exit_code)
{
	int po[2], pe[2], status;
	size_t got[2] = { 0, 0 };
	char *buf[2] = { out, err };
	size_t cap[2] = { outlen, errlen };
	struct pollfd p[2];
	int open_fds = 2, i;
	pid_t pid;

	if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		if (uid && (setgroups(0, NULL) || setgid(uid) || setuid(uid)))
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	p[0].fd = po[0];
	p[1].fd = pe[0];
	p[0].events = p[1].events = POLLIN;
	while (open_fds) {
		if (poll(p, 2, 20000) <= 0)
			break;	/* 20 s without output: give up, reap below */
		for (i = 0; i < 2; i++) {
			char tmp[4096];
			ssize_t n;

			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(p[i].fd, tmp, sizeof(tmp));
			if (n <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
				open_fds--;
				continue;
			}
			if (buf[i] && cap[i] > 1 && got[i] < cap[i] - 1) {
				size_t room = cap[i] - 1 - got[i];
				size_t c = (size_t)n < room ? (size_t)n : room;

				memcpy(buf[i] + got[i], tmp, c);
				got[i] += c;
			}
		}
	}
	for (i = 0; i < 2; i++) {
		if (p[i].fd >= 0)
			close(p[i].fd);
		if (buf[i] && cap[i])
			buf[i][got[i]] = '\0';
	}
	if (open_fds)
		kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) != pid)
		return -ECHILD;
	*exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return 0;
}

unsigned int sx_phys_bits(void)
{
	char line[512];
	unsigned int bits = 0;
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');

		if (!strncmp(line, "address sizes", 13) && c &&
		    sscanf(c + 1, "%u bits physical", &bits) == 1)
			break;
	}
	if (f)
		fclose(f);
	return bits ? bits : 36;
}

static bool same_space(uint32_t a, uint32_t b)
{
	bool pa = a == STMEXEC_RANGE_MEM || a == STMEXEC_RANGE_MMIO;
	bool pb = b == STMEXEC_RANGE_MEM || b == STMEXEC_RANGE_MMIO;
	bool ia = a == STMEXEC_RANGE_IO || a == STMEXEC_RANGE_TRAPPED_IO;
	bool ib = b == STMEXEC_RANGE_IO || b == STMEXEC_RANGE_TRAPPED_IO;

	return (pa && pb) || (ia && ib) || a == b;
}

bool sx_bios_overlap(const struct stmexec_range *bios, uint32_t n,
		     uint32_t type, uint64_t base, uint64_t len)
{
	uint64_t last = base + len - 1;
	uint32_t i;

	for (i = 0; i < n; i++) {
		const struct stmexec_range *b = &bios[i];
		uint64_t bs, bl;

		if (b->type == STMEXEC_RANGE_ALL && !(b->flags & STMEXEC_RF_IGNORED))
			return true;
		if (!same_space(type, b->type))
			continue;
		if (type == STMEXEC_RANGE_PCI) {
			uint64_t key = ((uint64_t)b->pci_bus << 8) |
				       ((uint64_t)b->pci_dev << 3) | b->pci_fn;

			if (key == base)
				return true;
			continue;
		}
		if (type == STMEXEC_RANGE_MSR) {
			if (b->base == base)
				return true;
			continue;
		}
		bs = b->base;
		bl = b->length ? b->base + b->length - 1 : b->base;
		if (bl < bs)
			bl = UINT64_MAX;
		if (base <= bl && bs <= last)
			return true;
	}
	return false;
}

int __sx_find_free(int fd, uint32_t type, uint64_t len, uint64_t *base)
{
	/*
	 * Never IA32_MISC_ENABLE (0x1a0) or EFER (0xc0000080): the simulated
	 * firmware's SMM entry writes them on every injected SMI.
	 */
	static const uint64_t msrs[] = { 0x10, 0x3a, 0x1b, 0x277, 0xc0000081,
					 0x8b, 0x600, 0x1d9 };
	struct stmexec_range *bios = NULL, *held = NULL;
	uint32_t nb = 0, nh = 0, i;
	uint64_t b, max;
	int ret = -ENOSPC;
	size_t k;

	if (__sx_bios(fd, &bios, &nb))
		nb = 0;
	if (__sx_list(fd, &held, &nh))
		nh = 0;
#define FREE(t, x, l) (!sx_bios_overlap(bios, nb, t, x, l) && !sx_bios_overlap(held, nh, t, x, l))
	switch (type) {
	case STMEXEC_RANGE_MEM:
	case STMEXEC_RANGE_MMIO:
		max = 1ULL << sx_phys_bits();
		/* above the guest's RAM and below 4 GiB first, then higher */
		for (b = 0x40000000ULL; b + len <= max; b += 0x1000000ULL) {
			if (FREE(type, b, len)) {
				*base = b;
				ret = 0;
				break;
			}
		}
		break;
	case STMEXEC_RANGE_IO:
		for (b = 0x300; b + len <= 0x10000; b += 0x10) {
			if (FREE(type, b, len)) {
				*base = b;
				ret = 0;
				break;
			}
		}
		break;
	case STMEXEC_RANGE_MSR:
		for (k = 0; k < sizeof(msrs) / sizeof(msrs[0]); k++) {
			if (FREE(type, msrs[k], 1)) {
				*base = msrs[k];
				ret = 0;
				break;
			}
		}
		break;
	case STMEXEC_RANGE_PCI:
		for (i = 0; i < 0x100 * 32; i++) {
			b = ((uint64_t)(0x40 + i / 32) & 0xff) << 8 | (uint64_t)(i % 32) << 3;
			if (FREE(type, b, 1)) {
				*base = b;
				ret = 0;
				break;
			}
		}
		break;
	}
#undef FREE
	free(bios);
	free(held);
	return ret;
}

struct stmexec_range sx_range(uint32_t type, uint64_t base, uint64_t len,
			      uint32_t deny)
{
	struct stmexec_range r;

	memset(&r, 0, sizeof(r));
	r.type = type;
	r.access = deny;
	if (type == STMEXEC_RANGE_PCI) {
		r.pci_bus = (uint8_t)(base >> 8);
		r.pci_dev = (uint8_t)((base >> 3) & 0x1f);
		r.pci_fn = (uint8_t)(base & 7);
		r.base = 0;
		r.length = 0x1000;
	} else {
		r.base = base;
		r.length = type == STMEXEC_RANGE_MSR ? 1 : len;
	}
	return r;
}

int __sx_log_start(int fd, uint32_t pages, uint32_t mask, uint32_t ring)
{
	struct stmexec_log_setup ls;
	int ret;

	memset(&ls, 0, sizeof(ls));
	ls.pages = pages;
	ls.event_mask = mask;
	ls.ring_records = ring;
	ret = __sx_ioctl(fd, STMEXEC_LOG_SETUP, &ls);
	if (ret)
		return ret;
	return __sx_ioctl(fd, STMEXEC_LOG_START, NULL);
}

int __sx_read_records(int fd, struct stmexec_log_record *out, int max,
		    int want, int timeout_ms)
{
	uint64_t deadline = sx_now_ms() + (uint64_t)timeout_ms;
	int got = 0, fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	if (!(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK))
		return -errno;
	while (got < want && got < max) {
		ssize_t n = read(fd, out + got, (size_t)(max - got) * sizeof(*out));

		if (n > 0) {
			if (n % (ssize_t)sizeof(*out)) {
				got = -EPROTO;
				break;
			}
			got += (int)(n / (ssize_t)sizeof(*out));
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			got = -errno;
			break;
		}
		if (n == 0)
			break;
		{
			struct pollfd p = { .fd = fd, .events = POLLIN };
			int64_t left = (int64_t)(deadline - sx_now_ms());

			if (left <= 0 || (int64_t)deadline < (int64_t)sx_now_ms())
				break;
			poll(&p, 1, (int)(left > 100 ? 100 : left));
		}
		if (sx_now_ms() >= deadline)
			break;
	}
	if (!(fl & O_NONBLOCK))
		fcntl(fd, F_SETFL, fl);
	return got;
}

int __sx_drain_records(int fd, struct stmexec_log_record *out, int max)
{
	return __sx_read_records(fd, out, max, max, 0);
}

int __sx_inject(const char *fmt, ...)
{
	char buf[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return __sx_dbg_write("inject", buf);
}

const char *sx_errname(int err)
{
	static __thread char buf[24];
	int e = err < 0 ? -err : err;

	switch (e) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case ENXIO: return "ENXIO";
	case E2BIG: return "E2BIG";
	case ENOEXEC: return "ENOEXEC";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case EFBIG: return "EFBIG";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case ENOTTY: return "ENOTTY";
	case ENOSYS: return "ENOSYS";
	case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EADDRINUSE: return "EADDRINUSE";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EHOSTDOWN: return "EHOSTDOWN";
	case EALREADY: return "EALREADY";
	case EOVERFLOW: return "EOVERFLOW";
	case EDQUOT: return "EDQUOT";
	}
	snprintf(buf, sizeof(buf), "errno %d", e);
	return buf;
}

/*
 * The errnos HACKING.md ("Errno map") and
 * Documentation/userspace-api/stmexec.rst ("Errors") allow /dev/stmexec and
 * the sysfs attributes to return, plus the generic ones every syscall can
 * return with user memory and allocation involved (EFAULT, ENOMEM, EINTR).
 */
static const int documented_errnos[] = {
	ENODEV, EBUSY, EALREADY, ENXIO, EINVAL, ERANGE, EADDRINUSE, EEXIST,
	ENOENT, E2BIG, EIO, ETIMEDOUT, EPERM, ENOTTY,
	ENOSPC, EFAULT, ENOMEM, EINTR,
};

bool sx_errno_documented(int err)
{
	int e = err < 0 ? -err : err;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(documented_errnos); i++)
		if (documented_errnos[i] == e)
			return true;
	return false;
}

const char *sx_error_context(int ret, char *buf, size_t len)
{
	const struct stmexec_error *rec = sx_last_record();
	char last[256];

	if (rec && rec->code && rec->code == (__u32)(ret < 0 ? -ret : ret) &&
	    rec->msg[0]) {
		snprintf(buf, len, "%d %s (%s); kernel reason: %s%s", ret,
			 sx_errname(ret), strerror(ret < 0 ? -ret : ret),
			 rec->msg,
			 rec->flags & STMEXEC_ERRF_TRUNCATED ? " [...]" : "");
		return buf;
	}
	if (!sx_loaded())
		snprintf(last, sizeof(last), "(module not loaded)");
	else if (__sx_read("last_error", last, sizeof(last)))
		snprintf(last, sizeof(last), "(unreadable)");
	snprintf(buf, len, "%d %s (%s); last_error: %s", ret, sx_errname(ret),
		 strerror(ret < 0 ? -ret : ret), last);
	return buf;
}
