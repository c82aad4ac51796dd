/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stmexec selftest library (selftests/lib/, selftests/include/), used by
 * every suite (selftests/stmexec, selftests/policy), the benchmarks, the
 * stress tool and the ioctl fuzzer (selftests/stress). The model is KVM's
 * selftest library (tools/testing/selftests/kvm/{lib,include}):
 *
 *   __sx_foo()  returns 0 (or a count, an fd) on success and -errno on
 *               failure, never exits: for tests that expect a failure and
 *               for programs outside the kselftest harness;
 *   sx_foo()    (sx_test.h, harness tests only) asserts that __sx_foo()
 *               succeeded; on failure it logs file:line, the call, the
 *               errno name and the request's own reason (its error
 *               record; last_error only without one), and ends the test.
 *
 * Functions without the pair (sx_loaded(), sx_state(), sx_range(), ...)
 * cannot fail or report failure in their value, as documented below.
 * Every errno is negative in this library; a program that keeps positive
 * errno values (the stress tool's tables) negates at the call.
 *
 * Environment: STMEXEC_KO (default /lib/stmexec/stmexec.ko),
 * STMEXEC_CLI (default /usr/bin/stmexec), STMEXEC_GOLDEN (default
 * the "golden" directory next to the test binary).
 */
#ifndef SX_H
#define SX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/stmexec.h>

#define SX_DEV		"/dev/stmexec"
#define SX_SYSFS	"/sys/class/misc/stmexec"
#define SX_DEBUGFS	"/sys/kernel/debug/stmexec"
/*
 * Parameters for suites that own the protection set: the simulator without
 * the module's default policy (policy=kernel adds its own ranges at enable).
 */
#define SX_SIM_BARE	"backend=sim policy=none"

#define SX_UID_NOBODY	65534
#define SX_GID_NOGROUP	65534

/*
 * kselftest_harness.h of 6.1 still runs the test body after SKIP() in the
 * fixture setup; every TEST_F whose setup can skip starts with this.
 */
#define SX_SETUP_SKIPPED() do { if (_metadata->skip) return; } while (0)

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

const char *sx_ko_path(void);
bool sx_loaded(void);
int __sx_load(const char *params);		/* finit_module */
int __sx_unload(void);				/* delete_module, bounded retry */
/* Disable (if loaded) and unload; 0 if the module is gone afterwards. */
int __sx_ensure_unloaded(void);
bool sx_cpu_has(const char *flag);		/* /proc/cpuinfo flags */
int sx_online_cpus(void);
int __sx_online_list(char *buf, size_t len);	/* /sys/devices/system/cpu/online */

int __sx_open(void);				/* O_RDWR|O_CLOEXEC or -errno */
int __sx_ioctl(int fd, unsigned long cmd, void *arg);	/* 0 or -errno */
int __sx_status(int fd, struct stmexec_status *st);

/* Paths are relative to SX_SYSFS (or absolute). Newlines stripped. */
int __sx_read(const char *attr, char *buf, size_t len);
int __sx_read_u64(const char *attr, uint64_t *v);
int __sx_write(const char *attr, const char *val);	/* -errno of write */
/* One write(2) of exactly @len bytes (may hold NULs); short write -EIO. */
int __sx_write_len(const char *attr, const char *val, size_t len);
int __sx_dbg_read(const char *file, char *buf, size_t len);
int __sx_dbg_write(const char *file, const char *val);
bool sx_dbg_available(void);

/* State name via sysfs, "" on error. */
const char *sx_state(void);

/*
 * Run @fn in a child with uid/gid 65534 and no supplementary groups
 * (@arg passed through). Returns the child's exit code, or -1 if it died.
 */
int sx_run_as_nobody(int (*fn)(void *arg), void *arg);
/* Run @fn in a child as root without CAP_SYS_ADMIN in any set. */
int sx_run_without_cap_sys_admin(int (*fn)(void *arg), void *arg);

/* Write a marker into the kernel log; sx_klog_since() finds text after it. */
int __sx_klog_mark(char *marker, size_t len);
bool sx_klog_since(const char *marker, const char *needle1, const char *needle2);

/* LIST_RANGES into a malloc'ed array (*n entries); 0 or -errno. */
int __sx_list(int fd, struct stmexec_range **out, uint32_t *n);
int __sx_bios(int fd, struct stmexec_range **out, uint32_t *n);
/* PROTECT/UNPROTECT @n ranges; err_index and bios_index out (may be NULL). */
int __sx_protect(int fd, const struct stmexec_range *r, uint32_t n,
	       uint32_t *err_index, uint32_t *bios_index);
int __sx_unprotect(int fd, const struct stmexec_range *r, uint32_t n,
		 uint32_t *err_index);

/*
 * Run a command with argv, capture stdout and stderr (each up to len-1,
 * NUL-terminated; either buffer may be NULL). __sx_run_as() runs it as
 * uid/gid @uid (65534: nobody) with no supplementary groups. Returns 0
 * and the exit code (128 + signal if killed), or -errno.
 */
int __sx_run(char *const argv[], char *out, size_t outlen, char *err,
	   size_t errlen, int *exit_code);
int __sx_run_as(uid_t uid, char *const argv[], char *out, size_t outlen,
	      char *err, size_t errlen, int *exit_code);

uint64_t sx_now_ms(void);
double sx_now_s(void);		/* CLOCK_MONOTONIC in seconds */

/*
 * "EBUSY" for 16 or -16, "errno N" for a value without a name (thread-local
 * buffer); "0" for 0.
 */
const char *sx_errname(int err);
/*
 * Is |err| one of the errnos /dev/stmexec and its sysfs files may return
 * (HACKING.md "Errno map", Documentation/userspace-api/stmexec.rst
 * "Errors"), or a generic one (EFAULT, ENOMEM, EINTR)?
 */
bool sx_errno_documented(int err);
/*
 * What an asserting helper logs when __sx_foo() returned @ret, into @buf:
 * "-22 EINVAL (Invalid argument); kernel reason: ..." from the request's
 * own error record (sx_last_record()), else, when there is none (no
 * err_ptr in that request, an ABI 1.0 module, an empty reason),
 * "...; last_error: ..." (the last failure of any caller).
 */
const char *sx_error_context(int ret, char *buf, size_t len);
/*
 * Between sx_record_arm() and sx_record_disarm() (SX_ASSERT_OK does it),
 * __sx_ioctl() passes this thread's record as the err_ptr of a request
 * that carries one and was given 0 (ABI >= 1.1; err_ptr reads 0 again
 * afterwards); sx_last_record() is what the last such request wrote, or
 * NULL.
 */
void sx_record_arm(void);
void sx_record_disarm(void);
const struct stmexec_error *sx_last_record(void);

/* CPU physical address width (/proc/cpuinfo "address sizes"), 36 if unknown. */
unsigned int sx_phys_bits(void);

/*
 * Does a request of @type over [base, base+len) touch a BIOS descriptor
 * (any access)? Conservative version of the kernel's rule (kmod/ranges.c):
 * same space, extents intersect, or an "all" descriptor.
 */
bool sx_bios_overlap(const struct stmexec_range *bios, uint32_t n,
		     uint32_t type, uint64_t base, uint64_t len);
/*
 * Find a free extent of @len for @type (mem/mmio: bytes, io: ports,
 * msr: 1, pci: BDF in *base as bus << 8 | dev << 3 | fn) that no BIOS
 * descriptor and no held range touches. 0 or -ENOSPC.
 */
int __sx_find_free(int fd, uint32_t type, uint64_t len, uint64_t *base);

/* A range, filled in: mem/mmio/io/msr base+len, pci from a BDF key. */
struct stmexec_range sx_range(uint32_t type, uint64_t base, uint64_t len,
			      uint32_t deny);

/* LOG_SETUP(pages, mask, ring) + LOG_START; 0 or -errno. */
int __sx_log_start(int fd, uint32_t pages, uint32_t mask, uint32_t ring);
/*
 * Read records until @want arrived or @timeout_ms passed (poll(2) with a
 * timeout; @fd may be blocking or not). Returns the number read (<= max)
 * or -errno.
 */
int __sx_read_records(int fd, struct stmexec_log_record *out, int max,
		    int want, int timeout_ms);
/* Read everything available now (non-blocking drain). */
int __sx_drain_records(int fd, struct stmexec_log_record *out, int max);

/* Write to debugfs "inject", e.g. "mem 0x1000 8 w"; 0 or -errno. */
__attribute__((format(printf, 1, 2)))
int __sx_inject(const char *fmt, ...);

#endif /* SX_H */
