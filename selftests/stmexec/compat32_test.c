// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec 32-bit compat selftest: built with -m32 and run on the 64-bit
 * guest kernel, it proves compat_ioctl and read(2) work for 32-bit
 * callers: GET_VERSION, GET_STATUS, ENABLE, PROTECT/LIST_RANGES/UNPROTECT,
 * LOG_SETUP/LOG_START and one record read, an error path (err_index
 * written back) and ENOTTY; and the ABI details of issue 14 item 6: an
 * unknown ioctl leaves last_error alone, a non-zero range index is
 * refused, the feature bits are true for this kernel and CPU.
 *
 * If the toolchain cannot link a static -m32 binary (no gcc-multilib),
 * the Makefile builds this file 64-bit with SX_COMPAT32_STUB and the suite
 * reports one skip saying so.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "sx.h"
#include "sx_test.h"

/* The ABI has one layout for 32- and 64-bit callers. */
_Static_assert(sizeof(struct stmexec_version) == 32, "version");
_Static_assert(sizeof(struct stmexec_status) == 96, "status");
_Static_assert(sizeof(struct stmexec_range) == 40, "range");
_Static_assert(sizeof(struct stmexec_range_array) == 40, "range_array");
_Static_assert(sizeof(struct stmexec_log_setup) == 32, "log_setup");
_Static_assert(sizeof(struct stmexec_log_record) == 320, "log_record");
_Static_assert(sizeof(struct stmexec_vmcs_db) == 40, "vmcs_db");

#ifdef SX_COMPAT32_STUB

TEST(compat32)
{
	SKIP(return, "built without -m32: the toolchain cannot link a static 32-bit binary (install gcc-multilib / libc6-dev-i386)");
}

#else

FIXTURE(c32) {
	int fd;
};

FIXTURE_SETUP(c32)
{
	int ret;

	self->fd = -1;
	ASSERT_EQ(4, (int)sizeof(long)) {
		TH_LOG("this binary is not 32-bit");
	}
	sx_ensure_unloaded();
	ret = __sx_load(SX_SIM_BARE);
	ASSERT_EQ(0, ret) {
		TH_LOG("finit_module from a 32-bit process: %s", strerror(-ret));
	}
	self->fd = sx_open();
}

FIXTURE_TEARDOWN(c32)
{
	if (self->fd >= 0)
		close(self->fd);
	EXPECT_EQ(0, __sx_ensure_unloaded());
}

TEST_F(c32, version_status_enable)
{
	struct stmexec_version v;
	struct stmexec_status st;

	memset(&v, 0xff, sizeof(v));
	sx_ioctl(self->fd, STMEXEC_GET_VERSION, &v);
	EXPECT_EQ(STMEXEC_ABI_MAJOR, v.abi_major);
	EXPECT_TRUE(v.features & STMEXEC_FEAT_RANGES);
	EXPECT_EQ(0, v.reserved[0] | v.reserved[1]);
	sx_ioctl(self->fd, STMEXEC_ENABLE, NULL);
	sx_status(self->fd, &st);
	EXPECT_EQ(STMEXEC_STATE_ON, st.state);
	EXPECT_EQ(STMEXEC_BACKEND_SIM, st.backend);
	EXPECT_EQ((uint32_t)sx_online_cpus(), st.cpus_active);
	EXPECT_EQ(-EALREADY, __sx_ioctl(self->fd, STMEXEC_ENABLE, NULL));
}

TEST_F(c32, protect_list_unprotect)
{
	struct stmexec_range r[2], *l = NULL;
	struct stmexec_range_array a;
	uint64_t mem, io;
	uint32_t n, ei, bi;

	sx_ioctl(self->fd, STMEXEC_ENABLE, NULL);
	sx_find_free(self->fd, STMEXEC_RANGE_MEM, 0x2000, &mem);
	sx_find_free(self->fd, STMEXEC_RANGE_IO, 2, &io);
	r[0] = sx_range(STMEXEC_RANGE_MEM, mem, 0x2000, STMEXEC_ACC_W);
	r[1] = sx_range(STMEXEC_RANGE_IO, io, 2, STMEXEC_ACC_R | STMEXEC_ACC_W);
	sx_protect(self->fd, r, 2, &ei, &bi);
	EXPECT_EQ(~0u, ei);
	EXPECT_EQ(~0u, bi);
	sx_list(self->fd, &l, &n);
	ASSERT_EQ(2, n);
	EXPECT_EQ(mem, l[0].base);
	EXPECT_EQ(0x2000, l[0].length);
	EXPECT_EQ(io, l[1].base);
	free(l);
	/* an error writes err_index back through the compat path */
	memset(&a, 0, sizeof(a));
	a.ranges_ptr = (uintptr_t)r;
	a.count = 2;
	EXPECT_EQ(-EEXIST, __sx_ioctl(self->fd, STMEXEC_PROTECT, &a));
	EXPECT_EQ(0, a.err_index);
	sx_unprotect(self->fd, r, 2, &ei);
	sx_list(self->fd, &l, &n);
	EXPECT_EQ(0, n);
	free(l);
	/* 64-bit pointer field: high bits set is a fault, not a truncation */
	memset(&a, 0, sizeof(a));
	a.ranges_ptr = 0xffffffff00000000ULL | (uintptr_t)r;
	a.count = 1;
	EXPECT_EQ(-EFAULT, __sx_ioctl(self->fd, STMEXEC_PROTECT, &a));
}

TEST_F(c32, log_read_one_record)
{
	struct stmexec_log_record rec[4];
	struct stmexec_range r;
	uint64_t mem;
	int n;

	SX_REQUIRE(sx_dbg_available());
	sx_ioctl(self->fd, STMEXEC_ENABLE, NULL);
	sx_find_free(self->fd, STMEXEC_RANGE_MEM, 0x1000, &mem);
	r = sx_range(STMEXEC_RANGE_MEM, mem, 0x1000, STMEXEC_ACC_W);
	sx_protect(self->fd, &r, 1, NULL, NULL);
	sx_log_start(self->fd, 1, 1u << STMEXEC_EVT_PROTECTION_EXCEPTION, 0);
	sx_inject("mem 0x%llx 8 w", (unsigned long long)mem);
	n = __sx_read_records(self->fd, rec, 4, 1, 5000);
	ASSERT_EQ(1, n);
	EXPECT_EQ(STMEXEC_EVT_PROTECTION_EXCEPTION, rec[0].type);
	EXPECT_EQ(STMEXEC_RANGE_MEM, rec[0].rsc_type);
	EXPECT_EQ(mem, rec[0].addr);
	EXPECT_EQ(0, rec[0].reserved);
}

TEST_F(c32, unknown_ioctl_enotty)
{
	EXPECT_EQ(-ENOTTY, __sx_ioctl(self->fd, _IO(STMEXEC_IOCTL_MAGIC, 0x3f), NULL));
	/* GET_VERSION's number with another size */
	EXPECT_EQ(-ENOTTY, __sx_ioctl(self->fd, _IOR(STMEXEC_IOCTL_MAGIC, 0x00, int), NULL));
}

/* ---- issue 14 item 6: ABI details (kmod-review F12) --------------------- */

/*
 * An unknown ioctl (TCGETS from isatty(), a foreign magic, a newer
 * command) is -ENOTTY and leaves last_error as the last real failure.
 */
TEST_F(c32, unknown_ioctl_leaves_last_error)
{
	struct stmexec_range_array a;
	char before[512], after[512];

	memset(&a, 0, sizeof(a));
	a.flags = 1;
	ASSERT_EQ(-EINVAL, __sx_ioctl(self->fd, STMEXEC_PROTECT, &a));
	sx_read("last_error", before, sizeof(before));
	ASSERT_STRNE("none", before);
	EXPECT_FALSE(isatty(self->fd));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-ENOTTY, __sx_ioctl(self->fd, _IO(STMEXEC_IOCTL_MAGIC, 0x3f), NULL));
	sx_read("last_error", after, sizeof(after));
	EXPECT_STREQ(before, after);
}

/* struct stmexec_range.index is output only: non-zero on input is EINVAL. */
TEST_F(c32, range_index_must_be_zero)
{
	struct stmexec_range r[2], *l = NULL;
	char last[512];
	uint32_t n, ei = 0;
	uint64_t mem;

	sx_ioctl(self->fd, STMEXEC_ENABLE, NULL);
	sx_find_free(self->fd, STMEXEC_RANGE_MEM, 0x2000, &mem);
	r[0] = sx_range(STMEXEC_RANGE_MEM, mem, 0x1000, STMEXEC_ACC_W);
	r[1] = sx_range(STMEXEC_RANGE_MEM, mem + 0x1000, 0x1000, STMEXEC_ACC_W);
	r[1].index = 7;
	EXPECT_EQ(-EINVAL, __sx_protect(self->fd, r, 2, &ei, NULL));
	EXPECT_EQ(1, ei);
	sx_read("last_error", last, sizeof(last));
	EXPECT_NE(NULL, strstr(last, "index")) TH_LOG("last_error: %s", last);
	sx_list(self->fd, &l, &n);
	EXPECT_EQ(0, n);	/* nothing applied */
	free(l);
	EXPECT_EQ(-EINVAL, __sx_unprotect(self->fd, r, 2, &ei));
	EXPECT_EQ(1, ei);
}

/*
 * GET_VERSION's feature bits are true for this kernel and CPU: the
 * guest's CPU has no VMX, so no VMX_BACKEND; ATTEST iff IMA measures.
 */
TEST_F(c32, version_features_are_true)
{
	struct stmexec_version v;
	char att[32] = "";

	sx_ioctl(self->fd, STMEXEC_GET_VERSION, &v);
	EXPECT_TRUE(v.features & STMEXEC_FEAT_SIM_BACKEND);
	EXPECT_EQ(sx_cpu_has("vmx"), !!(v.features & STMEXEC_FEAT_VMX_BACKEND));
	sx_read("attestation", att, sizeof(att));
	EXPECT_EQ(!strncmp(att, "ima", 3), !!(v.features & STMEXEC_FEAT_ATTEST)) {
		TH_LOG("attestation '%s', features 0x%llx", att,
		       (unsigned long long)v.features);
	}
}

/* write(2) of @len raw bytes to the sysfs attribute @attr; 0 or -errno. */
static int raw_write(const char *attr, const char *val, size_t len)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", SX_SYSFS, attr);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

/* A sysfs write with bytes after an embedded NUL is refused, changing nothing. */
TEST_F(c32, sysfs_write_with_bytes_after_nul_refused)
{
	struct stmexec_range *l = NULL;
	char last[512], val[96];
	uint64_t mem;
	uint32_t n;
	int len;

	EXPECT_EQ(-EINVAL, raw_write("enabled", "1\0junk", 6));
	EXPECT_STREQ("off", sx_state());
	sx_read("last_error", last, sizeof(last));
	EXPECT_NE(NULL, strstr(last, "NUL")) TH_LOG("last_error: %s", last);
	/* one trailing NUL is still a plain value */
	ASSERT_EQ(0, raw_write("enabled", "1\0", 2));
	EXPECT_STREQ("on", sx_state());
	sx_find_free(self->fd, STMEXEC_RANGE_MEM, 0x1000, &mem);
	len = snprintf(val, sizeof(val), "mem 0x%llx+4K deny=w", (unsigned long long)mem);
	memcpy(val + len + 1, "x", 2);
	EXPECT_EQ(-EINVAL, raw_write("protect", val, len + 3));
	sx_list(self->fd, &l, &n);
	EXPECT_EQ(0, n);
	free(l);
	sx_read("log/poll_interval_ms", val, sizeof(val));
	ASSERT_STRNE("7", val);
	EXPECT_EQ(-EINVAL, raw_write("log/poll_interval_ms", "7\0""0", 3));
	sx_read("log/poll_interval_ms", last, sizeof(last));
	EXPECT_STREQ(val, last);
}

#endif /* SX_COMPAT32_STUB */

TEST_HARNESS_MAIN
