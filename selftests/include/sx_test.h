/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The asserting half of the selftest library, for kselftest-harness tests
 * (include it after kselftest_harness.h and sx.h / sx_policy.h). Each
 * sx_foo() here calls __sx_foo() (sx.h), and when that returns -errno
 * fails the test at the caller's file:line with the call, the errno name
 * and the request's own reason (its error record: "kernel reason: ...";
 * last_error only when there is none), the way KVM's kvm_ioctl() wraps
 * __kvm_ioctl(). The value is __sx_foo()'s (an fd, a count, or 0), so
 *
 *	fd = sx_open();
 *	sx_ioctl(fd, STMEXEC_ENABLE, NULL);
 *
 * replaces ASSERT_LE(0, fd) and ASSERT_EQ(0, ...) { TH_LOG(...); }.
 * Tests that expect an error call __sx_foo() and compare.
 *
 * They need _metadata in scope: a TEST()/TEST_F() body, a FIXTURE_SETUP,
 * or a helper that takes struct __test_metadata *_metadata.
 */
#ifndef SX_TEST_H
#define SX_TEST_H

#include "sx.h"

/*
 * Evaluate @call (an __sx_*() expression returning >= 0 or -errno) once;
 * assert it is >= 0, else log @what and the error context and end the test.
 */
#define SX_ASSERT_OK(call, what) ({					\
	int __sx_ret;							\
	char __sx_ctx[384];						\
	sx_record_arm();						\
	__sx_ret = (call);						\
	sx_record_disarm();						\
	ASSERT_LE(0, __sx_ret) {					\
		TH_LOG("%s failed: %s", what,				\
		       sx_error_context(__sx_ret, __sx_ctx,		\
					sizeof(__sx_ctx)));		\
	}								\
	__sx_ret;							\
})

/*
 * One-line skip with the condition as its reason, KVM's TEST_REQUIRE():
 *	SX_REQUIRE(sx_online_cpus() >= 2);
 * prints "SKIP Requirement not met: sx_online_cpus() >= 2" and returns.
 */
#define SX_REQUIRE(cond) do {						\
	if (!(cond))							\
		SKIP(return, "Requirement not met: %s", #cond);		\
} while (0)

#define sx_load(params)							\
	SX_ASSERT_OK(__sx_load(params), "load stmexec.ko")
#define sx_unload()	SX_ASSERT_OK(__sx_unload(), "unload stmexec")
#define sx_ensure_unloaded()						\
	SX_ASSERT_OK(__sx_ensure_unloaded(), "disable and unload stmexec")
#define sx_open()	SX_ASSERT_OK(__sx_open(), "open " SX_DEV)
#define sx_ioctl(fd, cmd, arg)						\
	SX_ASSERT_OK(__sx_ioctl(fd, cmd, arg), #cmd)
#define sx_status(fd, st)						\
	SX_ASSERT_OK(__sx_status(fd, st), "GET_STATUS")
#define sx_read(attr, buf, len)						\
	SX_ASSERT_OK(__sx_read(attr, buf, len), "read " #attr)
#define sx_read_u64(attr, v)						\
	SX_ASSERT_OK(__sx_read_u64(attr, v), "read " #attr)
#define sx_write(attr, val)						\
	SX_ASSERT_OK(__sx_write(attr, val), "write " #attr " = " #val)
#define sx_dbg_read(file, buf, len)					\
	SX_ASSERT_OK(__sx_dbg_read(file, buf, len), "read debugfs " #file)
#define sx_dbg_write(file, val)						\
	SX_ASSERT_OK(__sx_dbg_write(file, val), "write debugfs " #file " = " #val)
#define sx_list(fd, out, n)						\
	SX_ASSERT_OK(__sx_list(fd, out, n), "LIST_RANGES")
#define sx_bios(fd, out, n)						\
	SX_ASSERT_OK(__sx_bios(fd, out, n), "GET_BIOS_RESOURCES")
#define sx_protect(fd, r, n, err_index, bios_index)			\
	SX_ASSERT_OK(__sx_protect(fd, r, n, err_index, bios_index), "PROTECT")
#define sx_unprotect(fd, r, n, err_index)				\
	SX_ASSERT_OK(__sx_unprotect(fd, r, n, err_index), "UNPROTECT")
#define sx_find_free(fd, type, len, base)				\
	SX_ASSERT_OK(__sx_find_free(fd, type, len, base),		\
		     "find a free range of type " #type)
#define sx_log_start(fd, pages, mask, ring)				\
	SX_ASSERT_OK(__sx_log_start(fd, pages, mask, ring), "LOG_SETUP+LOG_START")
#define sx_inject(fmt, ...)						\
	SX_ASSERT_OK(__sx_inject(fmt, ##__VA_ARGS__), "debugfs inject " #fmt)
#define sx_online_list(buf, len)					\
	SX_ASSERT_OK(__sx_online_list(buf, len), "read the online CPU list")
#define sx_run(argv, out, outlen, err, errlen, code)			\
	SX_ASSERT_OK(__sx_run(argv, out, outlen, err, errlen, code),	\
		     "run " #argv)
#define sx_klog_mark(marker, len)					\
	SX_ASSERT_OK(__sx_klog_mark(marker, len), "write /dev/kmsg")

/* sx_policy.h */
#define pol_load(list, policy, extra)					\
	SX_ASSERT_OK(__pol_load(list, policy, extra), "load policy=" #policy)
#define pol_enable()	SX_ASSERT_OK(__pol_enable(), "enable (sysfs enabled=1)")
#define pol_digest(hex)							\
	SX_ASSERT_OK(__pol_digest(hex), "digest of isolation_report")
#define pol_iomem(name, start, end)					\
	SX_ASSERT_OK(__pol_iomem(name, start, end), "/proc/iomem " #name)
#define pol_list(fd, policy, out, n)					\
	SX_ASSERT_OK(__pol_list(fd, policy, out, n), "LIST_RANGES (policy)")

#endif /* SX_TEST_H */
