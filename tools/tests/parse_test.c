// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the stmexec CLI's parsers and JSON writer (parse.c,
 * json.c), and of the error-record test it shares with the selftest
 * library (selftests/include/sx_errptr.h). Host-only, built with ASan+UBSan by `make -C tools check`.
 * Output is KTAP; the last line is the kselftest "# Totals:" line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "jsonv.h"
#include "sx_errptr.h"

static int n_pass, n_fail, n_test;
static int cur_fail;
static const char *cur_name;

__attribute__((format(printf, 3, 4)))
static void check(bool ok, int line, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return;
	cur_fail++;
	printf("# %s:%d: FAIL: ", cur_name, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

#define CHECK(cond, ...) check((cond), __LINE__, __VA_ARGS__)

static void begin(const char *name)
{
	cur_name = name;
	cur_fail = 0;
}

static void end(void)
{
	n_test++;
	if (cur_fail)
		n_fail++;
	else
		n_pass++;
	printf("%s %d %s\n", cur_fail ? "not ok" : "ok", n_test, cur_name);
}

/* ---- numbers ----------------------------------------------------------- */

static void test_u64(void)
{
	static const struct {
		const char *s;
		int ret;
		uint64_t v;
	} t[] = {
		{ "0", 0, 0 }, { "42", 0, 42 }, { "0x1A0", 0, 0x1a0 },
		{ "0X10", 0, 16 }, { "010", 0, 10 },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "0xffffffffffffffff", 0, UINT64_MAX },
		{ "", -EINVAL, 0 }, { "x", -EINVAL, 0 }, { "0x", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 }, { "12a", -EINVAL, 0 }, { " 1", -EINVAL, 0 },
		{ "1 ", -EINVAL, 0 }, { "+1", -EINVAL, 0 },
		{ "18446744073709551616", -ERANGE, 0 },
		{ "0x10000000000000000", -ERANGE, 0 },
	};
	size_t i;

	begin("parse_u64");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t v = 0xdead;
		int ret = parse_u64(t[i].s, &v);

		CHECK(ret == t[i].ret, "'%s': ret %d, want %d", t[i].s, ret, t[i].ret);
		if (!ret && !t[i].ret)
			CHECK(v == t[i].v, "'%s': %llx", t[i].s, (unsigned long long)v);
	}
	CHECK(parse_u64(NULL, NULL) == -EINVAL, "NULL");
	end();
}

static void test_size(void)
{
	static const struct {
		const char *s;
		int ret;
		uint64_t v;
	} t[] = {
		{ "0", 0, 0 }, { "4096", 0, 4096 }, { "4K", 0, 4096 },
		{ "4k", 0, 4096 }, { "2M", 0, 2 << 20 }, { "2MiB", 0, 2 << 20 },
		{ "2mib", 0, 2 << 20 }, { "1G", 0, 1ULL << 30 },
		{ "3T", 0, 3ULL << 40 }, { "0x10K", 0, 0x4000 },
		{ "0x100000", 0, 0x100000 },
		{ "16777215T", 0, 16777215ULL << 40 },
		{ "16777216T", -ERANGE, 0 }, { "17179869184G", -ERANGE, 0 },
		{ "1Q", -EINVAL, 0 }, { "1KB", -EINVAL, 0 }, { "K", -EINVAL, 0 },
		{ "1Ki", -EINVAL, 0 }, { "1K ", -EINVAL, 0 }, { "1E", -EINVAL, 0 },
		{ "", -EINVAL, 0 }, { "0xK", -EINVAL, 0 },
	};
	size_t i;

	begin("parse_size");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t v = 0xdead;
		int ret = parse_size(t[i].s, &v);

		CHECK(ret == t[i].ret, "'%s': ret %d, want %d", t[i].s, ret, t[i].ret);
		if (!ret && !t[i].ret)
			CHECK(v == t[i].v, "'%s': %llx want %llx", t[i].s,
			      (unsigned long long)v, (unsigned long long)t[i].v);
	}
	end();
}

static void test_bdf(void)
{
	static const struct {
		const char *s;
		int ret;
		uint8_t b, d, f;
	} t[] = {
		{ "00:1f.0", 0, 0, 0x1f, 0 }, { "1f.7", 0, 0, 0x1f, 7 },
		{ "0000:03:00.1", 0, 3, 0, 1 }, { "ff:1f.7", 0, 0xff, 0x1f, 7 },
		{ "0:0.0", 0, 0, 0, 0 }, { "0:00:02.0", 0, 0, 2, 0 },
		{ "AB:0C.3", 0, 0xab, 0xc, 3 },
		{ "00:20.0", -ERANGE }, { "00:1f.8", -ERANGE },
		{ "0001:00:00.0", -ERANGE },
		{ "00:1f", -EINVAL }, { "001:00.0", -EINVAL }, { "00:1f.0.1", -EINVAL },
		{ "", -EINVAL }, { "g0:00.0", -EINVAL }, { "00:00:00:00.0", -EINVAL },
		{ "00:1f.", -EINVAL }, { "00:.0", -EINVAL }, { ":1f.0", -EINVAL },
		{ "00:1f.10", -EINVAL }, { "00000:00:00.0", -EINVAL },
		{ "00:123.0", -EINVAL },
	};
	size_t i;

	begin("parse_bdf");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint8_t b = 0xee, d = 0xee, f = 0xee;
		int ret = parse_bdf(t[i].s, &b, &d, &f);

		CHECK(ret == t[i].ret, "'%s': ret %d, want %d", t[i].s, ret, t[i].ret);
		if (!ret && !t[i].ret)
			CHECK(b == t[i].b && d == t[i].d && f == t[i].f,
			      "'%s': %x:%x.%x", t[i].s, b, d, f);
		if (ret)
			CHECK(b == 0xee && d == 0xee && f == 0xee,
			      "'%s': outputs written on failure", t[i].s);
	}
	end();
}

static void test_access(void)
{
	uint32_t a;

	begin("parse_access");
	CHECK(!parse_access("rw", &a) && a == (STMEXEC_ACC_R | STMEXEC_ACC_W), "rw");
	CHECK(!parse_access("wr", &a) && a == (STMEXEC_ACC_R | STMEXEC_ACC_W), "wr");
	CHECK(!parse_access("w", &a) && a == STMEXEC_ACC_W, "w");
	CHECK(!parse_access("RWX", &a) && a == 7, "RWX");
	CHECK(!parse_access("r-x", &a) && a == 5, "r-x");
	CHECK(!parse_access("none", &a) && a == 0, "none");
	CHECK(parse_access("q", &a) == -EINVAL, "q");
	CHECK(parse_access("", &a) == -EINVAL, "empty");
	CHECK(parse_access("read", &a) == -EINVAL, "read");
	end();
}

/* ---- ranges ------------------------------------------------------------ */

static int split(char *line, char **w)
{
	int n = 0;

	for (char *t = strtok(line, " "); t; t = strtok(NULL, " "))
		w[n++] = t;
	return n;
}

struct rcase {
	const char *in;
	int used;
	uint32_t type, acc;
	uint64_t base, len;
	uint8_t bus, dev, fn;
	const char *canon;
};

static const struct rcase good[] = {
	{ "mem 0x100000+2M deny=w", 3, STMEXEC_RANGE_MEM, STMEXEC_ACC_W, 0x100000, 0x200000, 0, 0, 0,
	  "mem 0x100000+0x200000 deny=w" },
	{ "mem 0x100000-0x2fffff", 2, STMEXEC_RANGE_MEM, 7, 0x100000, 0x200000, 0, 0, 0,
	  "mem 0x100000+0x200000 deny=rwx" },
	{ "mem 1M+4K deny=rwx", 3, STMEXEC_RANGE_MEM, 7, 0x100000, 0x1000, 0, 0, 0,
	  "mem 0x100000+0x1000 deny=rwx" },
	{ "mem 0x1000", 2, STMEXEC_RANGE_MEM, 7, 0x1000, 0x1000, 0, 0, 0,
	  "mem 0x1000+0x1000 deny=rwx" },
	{ "mmio 0xfed00000+4K deny=x", 3, STMEXEC_RANGE_MMIO, 4, 0xfed00000, 0x1000, 0, 0, 0,
	  "mmio 0xfed00000+0x1000 deny=x" },
	{ "io 0x60-0x64", 2, STMEXEC_RANGE_IO, 3, 0x60, 5, 0, 0, 0, "io 0x60-0x64 deny=rw" },
	{ "io 0x60", 2, STMEXEC_RANGE_IO, 3, 0x60, 1, 0, 0, 0, "io 0x60-0x60 deny=rw" },
	{ "io 0xcf8+8 deny=w", 3, STMEXEC_RANGE_IO, 2, 0xcf8, 8, 0, 0, 0, "io 0xcf8-0xcff deny=w" },
	{ "io 0xffff", 2, STMEXEC_RANGE_IO, 3, 0xffff, 1, 0, 0, 0, "io 0xffff-0xffff deny=rw" },
	{ "io 0-0xffff", 2, STMEXEC_RANGE_IO, 3, 0, 0x10000, 0, 0, 0, "io 0x0-0xffff deny=rw" },
	{ "msr 0x1a0 deny=rw", 3, STMEXEC_RANGE_MSR, 3, 0x1a0, 1, 0, 0, 0, "msr 0x1a0 deny=rw" },
	{ "msr 0xc0000080 deny=w", 3, STMEXEC_RANGE_MSR, 2, 0xc0000080, 1, 0, 0, 0,
	  "msr 0xc0000080 deny=w" },
	{ "pci 00:1f.0", 2, STMEXEC_RANGE_PCI, 3, 0, 0x1000, 0, 0x1f, 0, "pci 00:1f.0 deny=rw" },
	{ "pci 0000:03:00.1 deny=w", 3, STMEXEC_RANGE_PCI, 2, 0, 0x1000, 3, 0, 1,
	  "pci 03:00.1 deny=w" },
	{ "mem 0xfffffffffffff000+4K", 2, STMEXEC_RANGE_MEM, 7, 0xfffffffffffff000ULL, 0x1000, 0, 0, 0,
	  "mem 0xfffffffffffff000+0x1000 deny=rwx" },
	{ "mem 0x1000+4K deny=w", 3, STMEXEC_RANGE_MEM, 2, 0x1000, 0x1000, 0, 0, 0,
	  "mem 0x1000+0x1000 deny=w" },
};

static const char *const bad[] = {
	"mem 0x1000+0", "mem 0x2000-0x1000", "mem 0xffffffffffff0000+1M",
	"mem 0-0xffffffffffffffff", "mem 0xfffffffffffff001", "io 0xffff+2",
	"io 0x10000", "io 0x60 deny=x", "msr 0x100000000", "msr 0x1a0+1",
	"mem 0x1000 deny=", "mem 0x1000 deny=none", "mem 0x1000 deny=q",
	"disk 0", "mem", "mem deny=w", "pci 00:20.0", "pci 1f", "mem 0x1000 foo=bar",
	"mem 0x1000+2Q", "mem zz", "", "MEM 0x1000", "mem io", "mem 0x1000 policy",
	"mem 0x1000+4K deny=w policy",
};

/* Split @in into words and parse one range; parse_range()'s result. */
static int parse_line(const char *in, struct stmexec_range *r, char *err)
{
	char line[128], *w[8];
	int n;

	snprintf(line, sizeof(line), "%s", in);
	n = split(line, w);
	err[0] = '\0';
	return parse_range(n, w, r, err, PARSE_ERR_LEN);
}

static void test_range_good(void)
{
	char err[PARSE_ERR_LEN], out[160];
	size_t i;

	begin("parse_range valid forms");
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct rcase *c = &good[i];
		struct stmexec_range r;
		int used;

		used = parse_line(c->in, &r, err);
		CHECK(used == c->used, "'%s': used %d want %d (%s)", c->in, used, c->used, err);
		if (used < 0)
			continue;
		CHECK(r.type == c->type && r.access == c->acc && r.base == c->base &&
		      r.length == c->len && r.pci_bus == c->bus && r.pci_dev == c->dev &&
		      r.pci_fn == c->fn, "'%s': type %u acc %u base %llx len %llx %x:%x.%x",
		      c->in, r.type, r.access, (unsigned long long)r.base,
		      (unsigned long long)r.length, r.pci_bus, r.pci_dev, r.pci_fn);
		CHECK(r.flags == 0 && r.pad == 0 && r.index == 0 && r.reserved == 0,
		      "'%s': input-zero fields set", c->in);
		format_range(&r, out, sizeof(out));
		CHECK(!strcmp(out, c->canon), "'%s': formatted '%s' want '%s'", c->in, out, c->canon);
	}
	end();
}

static void test_range_bad(void)
{
	char err[PARSE_ERR_LEN];
	struct stmexec_range r;
	size_t i;
	int used;

	begin("parse_range errors");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		used = parse_line(bad[i], &r, err);
		CHECK(used < 0, "'%s' accepted (used %d)", bad[i], used);
		CHECK(used >= 0 || err[0], "'%s': no error message", bad[i]);
	}
	end();
}

static void test_range_ept(void)
{
	static const char *const ept[] = {
		"mem 0x1000+4K deny=r", "mem 0x1000 deny=rx",
		"mmio 0xfed00000 deny=xr", "mmio 0xfed00000 deny=r",
	};
	static const char *const ok[] = {
		"mem 0x1000 deny=w", "mem 0x1000 deny=x", "mem 0x1000 deny=wx",
		"mem 0x1000 deny=rwx", "mem 0x1000 deny=rw", "msr 0x10 deny=r",
		"io 0x60 deny=r", "pci 00:1f.0 deny=r",
	};
	char err[PARSE_ERR_LEN];
	struct stmexec_range r;
	size_t i;
	int used;

	begin("parse_range EPT rule (EINVAL)");
	for (i = 0; i < sizeof(ept) / sizeof(ept[0]); i++) {
		used = parse_line(ept[i], &r, err);
		CHECK(used == PARSE_EINVAL, "'%s': %d, want PARSE_EINVAL", ept[i], used);
		CHECK(strstr(err, "EPT rule") && strstr(err, "write without read"),
		      "'%s': message does not name the rule: %s", ept[i], err);
	}
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		CHECK(parse_line(ok[i], &r, err) == 3, "'%s': %s", ok[i], err);
	end();
}

static void test_range_round_trip(void)
{
	char err[PARSE_ERR_LEN], out[160];
	struct stmexec_range a, b;
	size_t i;

	begin("format_range/parse_range round trip");
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (parse_line(good[i].in, &a, err) < 0)
			continue;
		format_range(&a, out, sizeof(out));
		CHECK(parse_line(out, &b, err) == 3, "'%s': reparse: %s", out, err);
		CHECK(!memcmp(&a, &b, sizeof(a)), "'%s': round trip differs", out);
	}
	end();
}

static void test_range_list(void)
{
	char err[PARSE_ERR_LEN];
	struct stmexec_range *r = NULL;
	char *a1[] = { "mem", "0x1000+4K", "deny=w,", "io", "0x60-0x64;", "msr", "0x1a0" };
	char *a2[] = { "mem 0x1000+4K deny=w", "pci 00:1f.0", "mmio 0xfed00000" };
	char *a3[] = { "mem 0x1000 junk" };
	char *a4[] = { "mem 0x1000,io 0x60,msr 0x10 deny=r" };
	char *a5[] = { " , ; " };
	int n;

	begin("parse_range_list");
	n = parse_range_list(7, a1, &r, err, sizeof(err));
	CHECK(n == 3, "words: %d (%s)", n, err);
	if (n == 3)
		CHECK(r[0].type == STMEXEC_RANGE_MEM && r[0].access == STMEXEC_ACC_W &&
		      r[1].type == STMEXEC_RANGE_IO && r[1].length == 5 &&
		      r[2].type == STMEXEC_RANGE_MSR && r[2].base == 0x1a0, "words: values");
	free(r);
	r = NULL;
	n = parse_range_list(3, a2, &r, err, sizeof(err));
	CHECK(n == 3, "quoted: %d (%s)", n, err);
	if (n == 3)
		CHECK(r[1].type == STMEXEC_RANGE_PCI && r[1].pci_dev == 0x1f &&
		      r[2].type == STMEXEC_RANGE_MMIO && r[2].length == 4096, "quoted: values");
	free(r);
	r = NULL;
	n = parse_range_list(1, a4, &r, err, sizeof(err));
	CHECK(n == 3, "commas without spaces: %d (%s)", n, err);
	if (n == 3)
		CHECK(r[2].access == STMEXEC_ACC_R, "commas: deny=r kept");
	free(r);
	r = NULL;
	err[0] = '\0';
	n = parse_range_list(1, a3, &r, err, sizeof(err));
	CHECK(n < 0 && strstr(err, "range 1") && strstr(err, "junk"),
	      "junk: %d '%s'", n, err);
	{
		char *a6[] = { "mem 0x1000 deny=w, mem 0x3000 deny=r" };

		err[0] = '\0';
		n = parse_range_list(1, a6, &r, err, sizeof(err));
		CHECK(n == PARSE_EINVAL && strstr(err, "range 1") && strstr(err, "EPT rule"),
		      "EPT rule in a list: %d '%s'", n, err);
		if (n > 0)
			free(r);
		r = NULL;
	}
	n = parse_range_list(1, a5, &r, err, sizeof(err));
	CHECK(n < 0, "only separators accepted");
	n = parse_range_list(0, NULL, &r, err, sizeof(err));
	CHECK(n < 0, "nothing accepted");
	end();
}

static void test_format_bios(void)
{
	struct stmexec_range r;
	char out[160];

	begin("format_bios");
	memset(&r, 0, sizeof(r));
	r.type = STMEXEC_RANGE_MEM;
	r.base = 0xa0000;
	r.length = 0x20000;
	r.access = 3;
	format_bios(&r, out, sizeof(out));
	CHECK(!strcmp(out, "mem 0xa0000+0x20000 claim=rw"), "mem: '%s'", out);
	r.type = STMEXEC_RANGE_TRAPPED_IO;
	r.base = 0xb2;
	r.length = 2;
	r.flags = STMEXEC_RF_TRAP_OUT | STMEXEC_RF_TRAP_API;
	format_bios(&r, out, sizeof(out));
	CHECK(!strcmp(out, "trapped-io 0xb2-0xb3 out api"), "trapped: '%s'", out);
	memset(&r, 0, sizeof(r));
	r.type = STMEXEC_RANGE_PCI;
	r.pci_bus = 0;
	r.pci_dev = 0x1f;
	r.pci_fn = 3;
	r.access = 1;
	r.flags = STMEXEC_RF_PCI_BRIDGED | STMEXEC_RF_IGNORED;
	format_bios(&r, out, sizeof(out));
	CHECK(!strcmp(out, "pci 00:1f.3 reg=0x0+0x0 claim=r bridged ignored"), "pci: '%s'", out);
	memset(&r, 0, sizeof(r));
	r.type = STMEXEC_RANGE_ALL;
	format_bios(&r, out, sizeof(out));
	CHECK(!strcmp(out, "all"), "all: '%s'", out);
	r.type = STMEXEC_RANGE_MSR;
	r.base = 0x79;
	r.length = 1;
	r.access = 2;
	r.flags = STMEXEC_RF_KERNEL_MODE;
	format_bios(&r, out, sizeof(out));
	CHECK(!strcmp(out, "msr 0x79 claim=w kernel-mode"), "msr: '%s'", out);
	/* truncation never overflows */
	CHECK(format_bios(&r, out, 5) > 4 && strlen(out) == 4, "truncated: '%s'", out);
	r.type = 99;
	format_range(&r, out, sizeof(out));
	CHECK(!strncmp(out, "type99 ", 7), "unknown type: '%s'", out);
	end();
}

static void test_cpu_coverage(void)
{
	static const struct {
		const char *present, *active;
		int ret;
		unsigned int np, nc;
		const char *missing;
	} c[] = {
		{ "0-1\n", "", 0, 2, 0, "0-1" },	/* monitor off */
		{ "0-1\n", "0-1", 0, 2, 2, "" },
		{ "0-7\n", "0,2-3", 0, 8, 3, "1,4-7" },
		{ "0-3,8-9\n", "1", 0, 6, 1, "0,2-3,8-9" },
		{ "0\n", "", 0, 1, 0, "0" },
		{ "0-3\n", "garbage", 0, 4, 0, "0-3" },	/* malformed active: none */
		{ "x\n", "", -1, 0, 0, "" },
		{ "3-1\n", "", -1, 0, 0, "" },
	};
	unsigned int np, nc;
	char missing[64];
	size_t i;
	int ret;

	begin("cpulist_coverage");
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		ret = cpulist_coverage(c[i].present, c[i].active, &np, &nc, missing,
				       sizeof(missing));
		CHECK(ret == c[i].ret && np == c[i].np && nc == c[i].nc &&
		      !strcmp(missing, c[i].missing),
		      "present '%.*s' active '%s': %d, %u present, %u covered, missing '%s'; want %d, %u, %u, '%s'",
		      (int)strcspn(c[i].present, "\n"), c[i].present, c[i].active, ret, np, nc, missing, c[i].ret,
		      c[i].np, c[i].nc, c[i].missing);
	}
	ret = cpulist_coverage("0-9", "", &np, &nc, missing, 4);
	CHECK(ret == 0 && np == 10 && !strcmp(missing, "0-9"),
	      "short buffer: %d %u '%s'", ret, np, missing);
	end();
}

static void test_names(void)
{
	char b[32];

	begin("names and human sizes");
	CHECK(!strcmp(human_size(0, b, sizeof(b)), "0 bytes"), "%s", b);
	CHECK(!strcmp(human_size(1, b, sizeof(b)), "1 byte"), "%s", b);
	CHECK(!strcmp(human_size(4096, b, sizeof(b)), "4 KiB"), "%s", b);
	CHECK(!strcmp(human_size(0x200000, b, sizeof(b)), "2 MiB"), "%s", b);
	CHECK(!strcmp(human_size(4097, b, sizeof(b)), "4097 bytes"), "%s", b);
	CHECK(!strcmp(human_size(1ULL << 40, b, sizeof(b)), "1 TiB"), "%s", b);
	CHECK(!strcmp(human_size(0x1800, b, sizeof(b)), "6 KiB"), "%s", b);
	CHECK(!strcmp(state_name(STMEXEC_STATE_FAILED), "failed"), "state");
	CHECK(!strcmp(state_name(77), "unknown"), "state 77");
	CHECK(!strcmp(event_name(STMEXEC_EVT_PROTECTION_EXCEPTION), "protection-exception"), "evt");
	CHECK(!strcmp(event_name(STMEXEC_REC_GAP), "gap"), "gap");
	CHECK(!strcmp(event_name(10), "unknown"), "evt 10");
	CHECK(!strcmp(launch_name(STMEXEC_LAUNCH_NON_TXT), "non-txt"), "launch");
	CHECK(!strcmp(backend_name(STMEXEC_BACKEND_SIM), "sim"), "backend");
	CHECK(!strcmp(errno_name(EADDRINUSE), "EADDRINUSE"), "errno");
	CHECK(!strcmp(errno_name(4095), "errno 4095"), "errno 4095");
	/* disable's EIO: a CPU could not be stopped or leave VMX operation */
	CHECK(strstr(errno_hint(EIO, "disable"), "'stmexec disable' again"),
	      "EIO hint of disable: %s", errno_hint(EIO, "disable"));
	CHECK(strstr(errno_hint(EIO, "enable"), "unexpected status"),
	      "EIO hint of enable: %s", errno_hint(EIO, "enable"));
	end();
}

/* ---- JSON -------------------------------------------------------------- */

static void test_json_escape(void)
{
	static const struct {
		const char *in, *out;
	} t[] = {
		{ "abc", "\"abc\"" },
		{ "", "\"\"" },
		{ "a\"b\\c", "\"a\\\"b\\\\c\"" },
		{ "\n\t\r\b\f", "\"\\n\\t\\r\\b\\f\"" },
		{ "\x01\x1f", "\"\\u0001\\u001f\"" },
		{ "\x7f/", "\"\x7f/\"" },
		{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" },
		{ "\xe2\x82\xac", "\"\xe2\x82\xac\"" },
		{ "\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"" },
		{ "\xff", "\"\\ufffd\"" },
		{ "a\xc3", "\"a\\ufffd\"" },
		{ "\xc0\xaf", "\"\\ufffd\\ufffd\"" },
		{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },
		{ "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
		{ "\xe0\x80\x80", "\"\\ufffd\\ufffd\\ufffd\"" },
		{ "\xe2\x82", "\"\\ufffd\\ufffd\"" },
	};
	char buf[128];
	size_t i, n;

	begin("json_escape");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *want = t[i].out ? t[i].out : "";

		n = json_escape(t[i].in, buf, sizeof(buf));
		CHECK(!strcmp(buf, want), "case %zu: got '%s' want '%s'", i, buf, want);
		CHECK(n == strlen(want), "case %zu: length %zu", i, n);
	}
	n = json_escape("hello", buf, 4);
	CHECK(n == 7 && !strcmp(buf, "\"he"), "truncation: %zu '%s'", n, buf);
	n = json_escape(NULL, buf, sizeof(buf));
	CHECK(n == 2 && !strcmp(buf, "\"\""), "NULL: '%s'", buf);
	end();
}

static void test_json_writer(void)
{
	char *s = NULL;
	size_t len = 0;
	struct json j;
	FILE *f;

	begin("json writer");
	f = open_memstream(&s, &len);
	json_init(&j, f, false);
	json_obj_begin(&j, NULL);
	json_u64(&j, "a", 1);
	json_arr_begin(&j, "b");
	json_bool(&j, NULL, true);
	json_null(&j, NULL);
	json_str(&j, NULL, "x\"");
	json_arr_end(&j);
	json_obj_begin(&j, "c");
	json_obj_end(&j);
	json_hex(&j, "d", 0x1a0);
	json_i64(&j, "e", -5);
	json_arr_begin(&j, "f");
	json_arr_end(&j);
	json_u64(&j, "g", UINT64_MAX);
	json_obj_end(&j);
	json_end(&j);
	fclose(f);
	CHECK(!strcmp(s, "{\"a\":1,\"b\":[true,null,\"x\\\"\"],\"c\":{},\"d\":\"0x1a0\",\"e\":-5,\"f\":[],\"g\":18446744073709551615}\n"),
	      "compact: %s", s);
	free(s);

	s = NULL;
	f = open_memstream(&s, &len);
	json_init(&j, f, true);
	json_obj_begin(&j, NULL);
	json_str(&j, "k", "v");
	json_arr_begin(&j, "l");
	json_u64(&j, NULL, 1);
	json_obj_begin(&j, NULL);
	json_obj_end(&j);
	json_arr_end(&j);
	json_obj_end(&j);
	json_end(&j);
	fclose(f);
	CHECK(!strcmp(s, "{\n  \"k\": \"v\",\n  \"l\": [\n    1,\n    {}\n  ]\n}\n"),
	      "pretty: %s", s);
	free(s);
	end();
}

/* Property: whatever bytes go in, the escaped string is valid JSON. */
static void test_json_escape_fuzz(void)
{
	char in[64], out[64 * 6 + 3], err[128];
	unsigned int seed = 12345;
	int i, j, nbad = 0;

	begin("json_escape output always valid (20000 random byte strings)");
	for (i = 0; i < 20000 && nbad < 5; i++) {
		int n = (int)(rand_r(&seed) % 63);

		for (j = 0; j < n; j++) {
			int r = rand_r(&seed);

			/* bias towards the interesting bytes */
			in[j] = (char)(r & 1 ? (r >> 1) % 256 : "\"\\\x01\x7f\xc3\xa9\xed\xa0\xf0\x9f"[(r >> 1) % 10]);
			if (!in[j])
				in[j] = 'a';
		}
		in[n] = '\0';
		json_escape(in, out, sizeof(out));
		if (jsonv_check(out, strlen(out), err, sizeof(err))) {
			nbad++;
			CHECK(false, "escaped '%s' invalid: %s", out, err);
		}
	}
	end();
}

/* ---- error records (sx_errptr.h) ---------------------------------------- */

/* Which module ABIs write struct stmexec_error, and the probe's failure. */
static void test_errrec(void)
{
	static const struct {
		__u32 major, minor;
		bool has;
	} t[] = {
		{ STMEXEC_ABI_MAJOR, 0, false }, { STMEXEC_ABI_MAJOR, 1, true },
		{ STMEXEC_ABI_MAJOR, 7, true }, { STMEXEC_ABI_MAJOR + 1, 1, false },
		{ 0, 1, false },
	};
	struct stmexec_version v;
	size_t i;
	int fd, r;

	begin("errrec");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&v, 0, sizeof(v));
		v.abi_major = t[i].major;
		v.abi_minor = t[i].minor;
		CHECK(sx_abi_has_errrec(&v) == t[i].has, "ABI %u.%u: %d",
		      t[i].major, t[i].minor, !t[i].has);
	}
	/* Not /dev/stmexec: GET_VERSION fails with ENOTTY, no guess. */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0, "open /dev/null: %s", strerror(errno));
	if (fd >= 0) {
		r = sx_errrec_probe(fd);
		CHECK(r == -ENOTTY, "probe of /dev/null: %d", r);
		close(fd);
	}
	end();
}

int main(void)
{
	printf("TAP version 13\n");
	printf("1..16\n");
	test_u64();
	test_size();
	test_bdf();
	test_access();
	test_range_good();
	test_range_bad();
	test_range_ept();
	test_range_round_trip();
	test_range_list();
	test_format_bios();
	test_cpu_coverage();
	test_names();
	test_json_escape();
	test_json_writer();
	test_json_escape_fuzz();
	test_errrec();
	if (n_test != 16)
		printf("# plan mismatch: ran %d tests\n", n_test);
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0\n",
	       n_pass, n_fail);
	return n_fail || n_test != 16 ? 1 : 0;
}
