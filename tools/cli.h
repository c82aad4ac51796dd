/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stmexec CLI: declarations shared by the command files.
 *
 * Files: main.c (argument parsing, dispatch, help), util.c (errors, exit
 * codes, errno hints), dev.c (device and sysfs access), parse.c (range,
 * size, PCI address and access parsing and formatting; no I/O), json.c
 * (JSON writer; no device access), cmd_*.c (one group of commands each).
 * parse.c and json.c are what `make check` unit-tests.
 */
#ifndef STMEXEC_CLI_H
#define STMEXEC_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/stmexec.h>

#define STMEXEC_CLI_VERSION "0.1.0"

/* Kernel-style helpers, so that the sources read (and lint) like kernel C. */
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __noreturn __attribute__((noreturn))

/* Exit codes (documented in stmexec.8 and the admin guide). */
enum {
	EX_OK = 0,		/* success */
	EX_FAIL = 1,		/* the operation failed (kernel errno) */
	EX_USAGE = 2,		/* bad command line */
	EX_NOMODULE = 3,	/* module not loaded / no /dev/stmexec */
	EX_PERM = 4,		/* permission denied (not root, EPERM/EACCES) */
};

/* ---- util.c ------------------------------------------------------------ */

extern const char *prog;

__printf(1, 2)
void cli_err(const char *fmt, ...);		/* "stmexec: ...\n" on stderr */
__printf(2, 3) __noreturn
void cli_fatal_err(int code, const char *fmt, ...);
__printf(1, 2) __noreturn
void cli_usage_err(const char *fmt, ...);	/* message + "try help", exit 2 */

const char *errno_name(int err);	/* "EBUSY", or "errno 123" */
const char *errno_hint(int err, const char *what);

/* ---- dev.c ------------------------------------------------------------- */

const char *dev_path(void);		/* $STMEXEC_DEV or /dev/stmexec */
const char *sysfs_dir(void);		/* $STMEXEC_SYSFS or /sys/class/misc/stmexec */
bool module_loaded(void);

/* Open the device or exit with a message and EX_NOMODULE/EX_PERM. */
int dev_open(int flags);
/*
 * ioctl that exits on failure with errno, last_error and a hint; EPERM and
 * EACCES exit EX_PERM, everything else EX_FAIL. @what names the operation.
 */
void dev_ioctl(int fd, unsigned long cmd, void *arg, const char *what);
/* Same but returns -errno instead of exiting (0 on success). */
int dev_ioctl_try(int fd, unsigned long cmd, void *arg);
/* Exit for a failed ioctl: message, sysfs last_error, hint. */
__noreturn
void ioctl_fail(int err, const char *what, const char *extra);

/* Read a sysfs attribute (relative to sysfs_dir()), newline stripped. */
int sysfs_read(const char *attr, char *buf, size_t len);
/*
 * CPU coverage: present CPUs (/sys/devices/system/cpu/present) against
 * sysfs cpus_active_list. *present, *covered counts; @missing gets the
 * cpulist of present CPUs the STM is not active on ("" if none).
 * 0, or -1 if the present list cannot be read.
 */
int cpu_coverage(unsigned int *present, unsigned int *covered, char *missing,
		 size_t len);
/* Write a sysfs attribute; returns 0 or -errno. */
int sysfs_write(const char *attr, const char *val);

/* LIST_RANGES / GET_BIOS_RESOURCES into a malloc'ed array; exits on error. */
struct stmexec_range *dev_get_ranges(int fd, unsigned long cmd,
				     unsigned int *count, const char *what);

/* ---- parse.c (pure functions) ------------------------------------------ */

#define PARSE_ERR_LEN 160

int parse_u64(const char *s, uint64_t *out);		/* 0x.. or decimal */
int parse_size(const char *s, uint64_t *out);		/* + K/M/G/T suffix */
int parse_bdf(const char *s, uint8_t *bus, uint8_t *dev, uint8_t *fn);
int parse_access(const char *s, uint32_t *acc);	/* "rw", "x", "none" */
int parse_range_type(const char *s, uint32_t *type);	/* "mem", "io", ... */
/*
 * Parse one range from words: TYPE SPEC [deny=ACC]. Consumes words from
 * @argv; returns the number consumed (>= 2) or -1 with a message in @err,
 * or PARSE_EINVAL for a well-formed range the kernel would refuse with
 * EINVAL (the EPT rule: mem/mmio deny=r or deny=rx).
 */
#define PARSE_EINVAL	(-2)
int parse_range(int argc, char **argv, struct stmexec_range *r,
		char *err, size_t errlen);
/*
 * Parse a list of ranges; words may also contain several space-separated
 * tokens (a quoted range) and ',' or ';' separate ranges. Returns the
 * number of ranges (malloc'ed into *out) or -1 (or PARSE_EINVAL) with a
 * message in @err.
 */
int parse_range_list(int argc, char **argv, struct stmexec_range **out,
		     char *err, size_t errlen);

const char *range_type_name(uint32_t type);		/* "mem", "?" */
const char *access_str(uint32_t acc, char buf[4]);	/* "rw", "-" */
/* The canonical text form (what protect accepts and sysfs prints). */
int format_range(const struct stmexec_range *r, char *buf, size_t len);
/* A BIOS descriptor: "mem 0xa0000+0x20000 claims=rw [flags]". */
int format_bios(const struct stmexec_range *r, char *buf, size_t len);
/* "2 MiB", "4 KiB", "4097 bytes" */
const char *human_size(uint64_t n, char *buf, size_t len);

/*
 * CPU coverage from two cpulists ("0-3,5"): @present, the present CPUs,
 * and @active, those the STM is active on (malformed: none). *npresent,
 * *ncovered counts; @missing gets the present CPUs not active as a cpulist
 * ("" if none). 0, or -1 if @present is malformed.
 */
int cpulist_coverage(const char *present, const char *active,
		     unsigned int *npresent, unsigned int *ncovered,
		     char *missing, size_t len);

const char *state_name(uint32_t state);
const char *backend_name(uint32_t backend);
const char *launch_name(uint32_t mode);
const char *event_name(uint32_t type);

/* ---- json.c ------------------------------------------------------------ */

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f;
	bool pretty;
	int depth;
	bool need_comma[JSON_MAX_DEPTH];
};

void json_init(struct json *j, FILE *f, bool pretty);
/* Escape @s as a JSON string (with quotes); invalid UTF-8 -> U+FFFD. */
void json_write_string(FILE *f, const char *s);
/* Same into a buffer; returns the length needed (like snprintf). */
size_t json_escape(const char *s, char *buf, size_t len);
void json_obj_begin(struct json *j, const char *key);	/* key NULL: value */
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *val);
void json_u64(struct json *j, const char *key, uint64_t val);
void json_i64(struct json *j, const char *key, int64_t val);
void json_hex(struct json *j, const char *key, uint64_t val); /* "0x.." */
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);
void json_end(struct json *j);		/* final newline */

/* ---- sha256.c ---------------------------------------------------------- */

#define SHA256_LEN 32

struct sha256_ctx {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
	size_t fill;
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t len);
void sha256_final(struct sha256_ctx *c, uint8_t out[SHA256_LEN]);
void sha256(const void *data, size_t len, uint8_t out[SHA256_LEN]);
void sha256_hex(const uint8_t d[SHA256_LEN], char out[2 * SHA256_LEN + 1]);

/* ---- commands ---------------------------------------------------------- */

struct opts {
	bool json;
	bool follow;
	long count;	/* log -n, -1 = unlimited */
};

int cmd_status(struct opts *o, int argc, char **argv);
int cmd_check(struct opts *o, int argc, char **argv);
int cmd_enable(struct opts *o, int argc, char **argv);
int cmd_disable(struct opts *o, int argc, char **argv);
int cmd_protect(struct opts *o, int argc, char **argv);
int cmd_unprotect(struct opts *o, int argc, char **argv);
int cmd_apply(struct opts *o, int argc, char **argv);	/* cmd_apply.c */
int cmd_ranges(struct opts *o, int argc, char **argv);
int cmd_bios(struct opts *o, int argc, char **argv);
int cmd_log(struct opts *o, int argc, char **argv);
int cmd_version(struct opts *o, int argc, char **argv);
int cmd_report(struct opts *o, int argc, char **argv);	/* cmd_report.c */
int cmd_attest(struct opts *o, int argc, char **argv);

#endif /* STMEXEC_CLI_H */
