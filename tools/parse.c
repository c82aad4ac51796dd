// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec CLI: parsing and formatting of ranges, sizes, PCI addresses and
 * access bits. Pure functions, no I/O: unit-tested by tests/parse_test.c.
 *
 * Range text form (the same one sysfs "protect"/"unprotect" accept):
 *   mem|mmio BASE[+SIZE|-LAST] [deny=ACC]   SIZE default 4K (one page)
 *   io PORT[+COUNT|-LAST] [deny=ACC]         COUNT default 1
 *   msr INDEX [deny=ACC]
 *   pci [0000:][BB:]DD.F [deny=ACC]          hex, as lspci prints it
 * Numbers are 0x-prefixed hex or decimal; BASE and SIZE take a K/M/G/T
 * suffix (binary: K = 1024, optionally written KiB). LAST is inclusive.
 * ACC is a set of r, w, x (x only for mem/mmio); the default is "rwx" for
 * mem/mmio and "rw" for the others, as in the kernel's sysfs parser
 * (kmod/range_text.c). format_range() and format_bios() print exactly the
 * kernel's canonical form, so CLI output and sysfs "ranges" agree.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

/* Messages of parse_range() and friends. */
#define E_WRAPS "'%s': wraps past the end of the address space"
#define E_LAST_BELOW "'%s': last address is below the base"
#define E_WHOLE "'%s': covers the whole address space (length does not fit in 64 bits)"
#define E_TYPE "unknown range type '%s' (expected mem, mmio, io, msr or pci)"
#define E_PORTS "'%s': I/O ports go from 0 to 0xffff"
#define E_PCI_RANGE "'%s': out of range (segment must be 0000, device 00-1f, function 0-7)"
#define E_PCI_FORMAT "'%s': bad PCI address (expected [0000:]BB:DD.F in hex, e.g. 00:1f.0)"
#define E_POLICY "policy ranges belong to the module's default policy (policy= parameter), not to protect/unprotect"
#define E_DENY "'%s': deny= takes a set of r, w, x (e.g. deny=w)"
#define E_EPT "deny=%s leaves write without read, an invalid EPT entry on the real STMs (EPT rule: a page SMM may write must stay readable); deny w as well"

#define DENY_RW		(STMEXEC_ACC_R | STMEXEC_ACC_W)
#define DENY_RWX	(STMEXEC_ACC_R | STMEXEC_ACC_W | STMEXEC_ACC_X)
#define PAGE_SIZE_4K	4096ULL

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Parse the numeric prefix of @s; *end points past it. */
static int parse_num_prefix(const char *s, uint64_t *out, const char **end)
{
	uint64_t v = 0;
	unsigned int base = 10;
	const char *p = s;
	int d, n = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (;; p++, n++) {
		d = base == 16 ? hexval(*p) : (isdigit((unsigned char)*p) ? *p - '0' : -1);
		if (d < 0)
			break;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return -ERANGE;
		v = v * base + (uint64_t)d;
	}
	if (n == 0)
		return -EINVAL;
	*out = v;
	*end = p;
	return 0;
}

int parse_u64(const char *s, uint64_t *out)
{
	const char *end;
	int ret;

	if (!s)
		return -EINVAL;
	ret = parse_num_prefix(s, out, &end);
	if (ret)
		return ret;
	return *end ? -EINVAL : 0;
}

int parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGT";
	const char *end, *u;
	uint64_t v, mul = 1;
	int ret;

	if (!s)
		return -EINVAL;
	ret = parse_num_prefix(s, &v, &end);
	if (ret)
		return ret;
	if (*end) {
		u = strchr(units, toupper((unsigned char)*end));
		if (!u)
			return -EINVAL;
		mul = 1ULL << (10 * (u - units + 1));
		end++;
		/* optional "iB" */
		if (tolower((unsigned char)end[0]) == 'i' &&
		    tolower((unsigned char)end[1]) == 'b')
			end += 2;
		if (*end)
			return -EINVAL;
	}
	if (v > UINT64_MAX / mul)
		return -ERANGE;
	*out = v * mul;
	return 0;
}

static int parse_hex_field(const char *s, size_t n, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > 4)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		int d = hexval(s[i]);

		if (d < 0)
			return -EINVAL;
		v = v * 16 + (unsigned long)d;
	}
	*out = v;
	return 0;
}

int parse_bdf(const char *s, uint8_t *bus, uint8_t *dev, uint8_t *fn)
{
	const char *f[3] = { NULL, NULL, NULL };	/* domain, bus, dev.fn */
	size_t flen[3] = { 0, 0, 0 };
	unsigned long dom = 0, b = 0, d, fu;
	const char *p, *dot, *c1, *c2;

	if (!s || !*s)
		return -EINVAL;
	c1 = strchr(s, ':');
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (c2 && strchr(c2 + 1, ':'))
		return -EINVAL;
	if (c2) {
		f[0] = s; flen[0] = (size_t)(c1 - s);
		f[1] = c1 + 1; flen[1] = (size_t)(c2 - c1 - 1);
		p = c2 + 1;
	} else if (c1) {
		f[1] = s; flen[1] = (size_t)(c1 - s);
		p = c1 + 1;
	} else {
		p = s;
	}
	dot = strchr(p, '.');
	if (!dot || strchr(dot + 1, '.'))
		return -EINVAL;
	if (f[0] && parse_hex_field(f[0], flen[0], &dom))
		return -EINVAL;
	if (f[1] && (flen[1] > 2 || parse_hex_field(f[1], flen[1], &b)))
		return -EINVAL;
	if ((size_t)(dot - p) > 2 || parse_hex_field(p, (size_t)(dot - p), &d))
		return -EINVAL;
	if (strlen(dot + 1) != 1 || parse_hex_field(dot + 1, 1, &fu))
		return -EINVAL;
	if (dom != 0 || d > 0x1f || fu > 7)
		return -ERANGE;
	*bus = (uint8_t)b;
	*dev = (uint8_t)d;
	*fn = (uint8_t)fu;
	return 0;
}

int parse_access(const char *s, uint32_t *acc)
{
	uint32_t a = 0;

	if (!s || !*s)
		return -EINVAL;
	if (!strcmp(s, "none") || !strcmp(s, "-")) {
		*acc = 0;
		return 0;
	}
	for (; *s; s++) {
		switch (tolower((unsigned char)*s)) {
		case 'r':
			a |= STMEXEC_ACC_R;
			break;
		case 'w':
			a |= STMEXEC_ACC_W;
			break;
		case 'x':
			a |= STMEXEC_ACC_X;
			break;
		case '-':
			break;
		default:
			return -EINVAL;
		}
	}
	*acc = a;
	return 0;
}

static const struct {
	const char *name;
	uint32_t type;
} type_names[] = {
	{ "mem", STMEXEC_RANGE_MEM },
	{ "mmio", STMEXEC_RANGE_MMIO },
	{ "io", STMEXEC_RANGE_IO },
	{ "msr", STMEXEC_RANGE_MSR },
	{ "pci", STMEXEC_RANGE_PCI },
};

int parse_range_type(const char *s, uint32_t *type)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(type_names); i++) {
		if (!strcmp(s, type_names[i].name)) {
			*type = type_names[i].type;
			return 0;
		}
	}
	return -EINVAL;
}

const char *range_type_name(uint32_t type)
{
	switch (type) {
	case STMEXEC_RANGE_MEM: return "mem";
	case STMEXEC_RANGE_IO: return "io";
	case STMEXEC_RANGE_MMIO: return "mmio";
	case STMEXEC_RANGE_MSR: return "msr";
	case STMEXEC_RANGE_PCI: return "pci";
	case STMEXEC_RANGE_TRAPPED_IO: return "trapped-io";
	case STMEXEC_RANGE_ALL: return "all";
#ifdef STMEXEC_RANGE_REGISTER
	case STMEXEC_RANGE_REGISTER: return "register";
#endif
	}
	return "?";
}

__printf(3, 4)
static int parse_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* BASE[+SIZE|-LAST] into base/length; @dflt is the length of a bare BASE. */
static int parse_extent(const char *spec, uint64_t dflt, uint64_t *base,
			uint64_t *length, char *err, size_t errlen)
{
	char buf[128];
	char *sep;
	uint64_t a, b;
	int ret;

	if (strlen(spec) >= sizeof(buf))
		return parse_err(err, errlen, "'%s': too long", spec);
	strcpy(buf, spec);
	sep = strpbrk(buf, "+-");
	if (sep) {
		char op = *sep;

		*sep = '\0';
		ret = parse_size(buf, &a);
		if (ret)
			return parse_err(err, errlen, "'%s': bad base address '%s'%s",
				    spec, buf, ret == -ERANGE ? " (too large)" : "");
		ret = parse_size(sep + 1, &b);
		if (ret)
			return parse_err(err, errlen, "'%s': bad %s '%s'%s", spec,
				    op == '+' ? "size" : "last address", sep + 1,
				    ret == -ERANGE ? " (too large)" : "");
		if (op == '+') {
			if (b == 0)
				return parse_err(err, errlen, "'%s': zero size", spec);
			if (a + b - 1 < a)
				return parse_err(err, errlen, E_WRAPS, spec);
			*base = a;
			*length = b;
		} else {
			if (b < a)
				return parse_err(err, errlen, E_LAST_BELOW, spec);
			if (b - a == UINT64_MAX)
				return parse_err(err, errlen, E_WHOLE, spec);
			*base = a;
			*length = b - a + 1;
		}
		return 0;
	}
	ret = parse_size(buf, &a);
	if (ret)
		return parse_err(err, errlen, "'%s': bad address%s", spec,
			    ret == -ERANGE ? " (too large)" : "");
	if (a + dflt - 1 < a)
		return parse_err(err, errlen, E_WRAPS, spec);
	*base = a;
	*length = dflt;
	return 0;
}

static bool is_memory(uint32_t type)
{
	return type == STMEXEC_RANGE_MEM || type == STMEXEC_RANGE_MMIO;
}

/* TYPE and the presence of the address after it; 0 or -1. */
static int parse_range_head(int argc, char **argv, uint32_t *type,
			    char *err, size_t errlen)
{
	uint32_t other;

	if (argc < 1)
		return parse_err(err, errlen, "missing range type (mem, mmio, io, msr or pci)");
	if (parse_range_type(argv[0], type))
		return parse_err(err, errlen, E_TYPE, argv[0]);
	if (argc < 2 || parse_range_type(argv[1], &other) == 0 ||
	    !strncmp(argv[1], "deny=", 5))
		return parse_err(err, errlen, "'%s' needs an address (e.g. %s)", argv[0],
			    *type == STMEXEC_RANGE_PCI ? "pci 00:1f.0" :
			    *type == STMEXEC_RANGE_MSR ? "msr 0x1a0" :
			    *type == STMEXEC_RANGE_IO ? "io 0x60-0x64" :
			    "mem 0x100000+2M");
	return 0;
}

/* SPEC of a range of type r->type into r->base/length (and pci_*). */
static int parse_range_spec(const char *spec, struct stmexec_range *r,
			    char *err, size_t errlen)
{
	uint64_t v, base, length;
	int ret;

	switch (r->type) {
	case STMEXEC_RANGE_MEM:
	case STMEXEC_RANGE_MMIO:
		if (parse_extent(spec, PAGE_SIZE_4K, &base, &length, err, errlen))
			return -1;
		r->base = base;
		r->length = length;
		return 0;
	case STMEXEC_RANGE_IO:
		if (parse_extent(spec, 1, &base, &length, err, errlen))
			return -1;
		r->base = base;
		r->length = length;
		if (r->base > 0xffff || r->length > 0x10000 - r->base)
			return parse_err(err, errlen, E_PORTS, spec);
		return 0;
	case STMEXEC_RANGE_MSR:
		if (parse_u64(spec, &v))
			return parse_err(err, errlen, "'%s': bad MSR index (e.g. 0x1a0)", spec);
		if (v > 0xffffffffULL)
			return parse_err(err, errlen, "'%s': MSR indexes are 32-bit", spec);
		r->base = v;
		r->length = 1;
		return 0;
	case STMEXEC_RANGE_PCI:
		ret = parse_bdf(spec, &r->pci_bus, &r->pci_dev, &r->pci_fn);
		if (ret == -ERANGE)
			return parse_err(err, errlen, E_PCI_RANGE, spec);
		if (ret)
			return parse_err(err, errlen, E_PCI_FORMAT, spec);
		r->base = 0;
		r->length = 0x1000;
		return 0;
	}
	return 0;
}

/*
 * The words after SPEC: an optional deny=ACC into *@acc. Returns the words
 * of the range (2 or 3) or -1.
 */
static int parse_range_opts(int argc, char **argv, uint32_t *acc,
			    char *err, size_t errlen)
{
	int used = 2;

	if (argc > 2 && !strncmp(argv[2], "deny=", 5)) {
		if (parse_access(argv[2] + 5, acc))
			return parse_err(err, errlen, E_DENY, argv[2]);
		used = 3;
	} else if (argc > 2 && !strcmp(argv[2], "policy")) {
		return parse_err(err, errlen, E_POLICY);
	} else if (argc > 2 && strchr(argv[2], '=')) {
		return parse_err(err, errlen, "'%s': unknown option (only deny=ACC)", argv[2]);
	}
	if (argc > used && !strcmp(argv[used], "policy"))
		return parse_err(err, errlen, E_POLICY);
	return used;
}

/* The deny bits @acc for @type: 0, -1, or PARSE_EINVAL (the EPT rule). */
static int check_access(uint32_t type, uint32_t acc, char *err, size_t errlen)
{
	if (acc == 0)
		return parse_err(err, errlen, "deny= must name at least one of r, w%s",
			    is_memory(type) ? ", x" : "");
	if ((acc & STMEXEC_ACC_X) && !is_memory(type))
		return parse_err(err, errlen, "deny=x applies only to mem and mmio ranges");
	/*
	 * The EPT rule (kmod/ranges.c ept_check): what stays allowed must be a
	 * valid EPT permission on the real STMs; write without read is not.
	 * deny=rw (execute-only) depends on the CPU: the kernel decides.
	 */
	if (is_memory(type) && (acc & STMEXEC_ACC_R) && !(acc & STMEXEC_ACC_W)) {
		parse_err(err, errlen, E_EPT, acc & STMEXEC_ACC_X ? "rx" : "r");
		return PARSE_EINVAL;
	}
	return 0;
}

int parse_range(int argc, char **argv, struct stmexec_range *r,
		char *err, size_t errlen)
{
	uint32_t type = 0, acc;
	int used, ret;

	memset(r, 0, sizeof(*r));
	if (parse_range_head(argc, argv, &type, err, errlen))
		return -1;
	r->type = type;
	acc = is_memory(type) ? DENY_RWX : DENY_RW;
	if (parse_range_spec(argv[1], r, err, errlen))
		return -1;
	used = parse_range_opts(argc, argv, &acc, err, errlen);
	if (used < 0)
		return -1;
	ret = check_access(type, acc, err, errlen);
	if (ret)
		return ret;
	r->access = acc;
	return used;
}

#define MAX_TOKENS 65536

int parse_range_list(int argc, char **argv, struct stmexec_range **out,
		     char *err, size_t errlen)
{
	char **tok = NULL, *copy = NULL;
	size_t total = 0, ntok = 0;
	struct stmexec_range *rs = NULL;
	int i, n = 0, pos = 0, ret = -1;
	char *p;

	for (i = 0; i < argc; i++)
		total += strlen(argv[i]) + 1;
	copy = malloc(total + 1);
	tok = calloc(total / 2 + 2, sizeof(*tok));
	rs = calloc(total / 2 + 2, sizeof(*rs));
	if (!copy || !tok || !rs) {
		parse_err(err, errlen, "out of memory");
		goto out;
	}
	p = copy;
	for (i = 0; i < argc; i++) {
		strcpy(p, argv[i]);
		for (char *t = strtok(p, " \t\n,;"); t; t = strtok(NULL, " \t\n,;")) {
			if (ntok >= MAX_TOKENS) {
				parse_err(err, errlen, "too many words");
				goto out;
			}
			tok[ntok++] = t;
		}
		p += strlen(argv[i]) + 1;
	}
	if (ntok == 0) {
		parse_err(err, errlen, "no range given (e.g. mem 0x100000+2M deny=w)");
		goto out;
	}
	while ((size_t)pos < ntok) {
		char e[PARSE_ERR_LEN];
		int used = parse_range((int)(ntok - (size_t)pos), tok + pos, &rs[n], e, sizeof(e));

		if (used < 0) {
			parse_err(err, errlen, "range %d: %s", n, e);
			ret = used;
			goto out;
		}
		pos += used;
		n++;
	}
	*out = rs;
	rs = NULL;
	ret = n;
out:
	free(rs);
	free(tok);
	free(copy);
	return ret;
}

const char *access_str(uint32_t acc, char buf[4])
{
	int i = 0;

	if (acc & STMEXEC_ACC_R)
		buf[i++] = 'r';
	if (acc & STMEXEC_ACC_W)
		buf[i++] = 'w';
	if (acc & STMEXEC_ACC_X)
		buf[i++] = 'x';
	buf[i] = '\0';
	return i ? buf : "none";
}

/* snprintf at offset @n of @buf; returns the total length, like snprintf. */
__printf(4, 5)
static int appendf(char *buf, size_t len, int n, const char *fmt, ...)
{
	va_list ap;
	int m;

	if (n < 0)
		return n;
	va_start(ap, fmt);
	if ((size_t)n < len)
		m = vsnprintf(buf + n, len - (size_t)n, fmt, ap);
	else
		m = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	return m < 0 ? m : n + m;
}

static int format_extent(const struct stmexec_range *r, char *buf, size_t len)
{
	unsigned long long b = r->base, l = r->length;

	switch (r->type) {
	case STMEXEC_RANGE_MEM:
	case STMEXEC_RANGE_MMIO:
		return snprintf(buf, len, "%s 0x%llx+0x%llx", range_type_name(r->type), b, l);
	case STMEXEC_RANGE_IO:
	case STMEXEC_RANGE_TRAPPED_IO:
		return snprintf(buf, len, "%s 0x%llx-0x%llx", range_type_name(r->type), b,
				l ? b + l - 1 : b);
	case STMEXEC_RANGE_MSR:
		if (l <= 1)
			return snprintf(buf, len, "msr 0x%llx", b);
		return snprintf(buf, len, "msr 0x%llx-0x%llx", b, b + l - 1);
	case STMEXEC_RANGE_PCI:
		return snprintf(buf, len, "pci %02x:%02x.%x", r->pci_bus, r->pci_dev, r->pci_fn);
	case STMEXEC_RANGE_ALL:
		return snprintf(buf, len, "all");
	}
	return snprintf(buf, len, "type%u 0x%llx+0x%llx", r->type, b, l);
}

int format_range(const struct stmexec_range *r, char *buf, size_t len)
{
	char a[4];
	int n = format_extent(r, buf, len);

	return appendf(buf, len, n, " deny=%s", access_str(r->access, a));
}

int format_bios(const struct stmexec_range *r, char *buf, size_t len)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} fl[] = {	/* the kernel's order */
		{ STMEXEC_RF_KERNEL_MODE, "kernel-mode" },
		{ STMEXEC_RF_TRAP_IN, "in" },
		{ STMEXEC_RF_TRAP_OUT, "out" },
		{ STMEXEC_RF_TRAP_API, "api" },
		{ STMEXEC_RF_PCI_BRIDGED, "bridged" },
		{ STMEXEC_RF_IGNORED, "ignored" },
		{ STMEXEC_RF_POLICY, "policy" },
	};
	char a[4];
	size_t i;
	int n = format_extent(r, buf, len);

	if (r->type == STMEXEC_RANGE_PCI)
		n = appendf(buf, len, n, " reg=0x%llx+0x%llx",
			    (unsigned long long)r->base,
			    (unsigned long long)r->length);
	if (r->type != STMEXEC_RANGE_ALL && r->type != STMEXEC_RANGE_TRAPPED_IO &&
	    r->type != STMEXEC_RANGE_IO)
		n = appendf(buf, len, n, " claim=%s", access_str(r->access, a));
	for (i = 0; i < ARRAY_SIZE(fl); i++)
		if (r->flags & fl[i].bit)
			n = appendf(buf, len, n, " %s", fl[i].name);
	return n;
}

const char *human_size(uint64_t n, char *buf, size_t len)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	int u = -1;
	uint64_t v = n;

	while (v >= 1024 && (v & 1023) == 0 && u < 5) {
		v >>= 10;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu byte%s", (unsigned long long)n, n == 1 ? "" : "s");
	else
		snprintf(buf, len, "%llu %s", (unsigned long long)v, unit[u]);
	return buf;
}

const char *state_name(uint32_t state)
{
	switch (state) {
	case STMEXEC_STATE_OFF: return "off";
	case STMEXEC_STATE_STARTING: return "starting";
	case STMEXEC_STATE_ON: return "on";
	case STMEXEC_STATE_STOPPING: return "stopping";
	case STMEXEC_STATE_FAILED: return "failed";
	}
	return "unknown";
}

const char *backend_name(uint32_t backend)
{
	switch (backend) {
	case STMEXEC_BACKEND_VMX: return "vmx";
	case STMEXEC_BACKEND_SIM: return "sim";
	}
	return "unknown";
}

const char *launch_name(uint32_t mode)
{
	switch (mode) {
	case STMEXEC_LAUNCH_NONE: return "none";
	case STMEXEC_LAUNCH_NON_TXT: return "non-txt";
	case STMEXEC_LAUNCH_TXT: return "txt";
	case STMEXEC_LAUNCH_SIM: return "sim";
	}
	return "unknown";
}

const char *event_name(uint32_t type)
{
	static const char *const names[] = {
		[STMEXEC_EVT_LOG_STARTED] = "log-started",
		[STMEXEC_EVT_LOG_STOPPED] = "log-stopped",
		[STMEXEC_EVT_INVALID_PARAMETER] = "invalid-parameter",
		[STMEXEC_EVT_PROTECTION_EXCEPTION] = "protection-exception",
		[STMEXEC_EVT_UNCLAIMED_RESOURCE] = "unclaimed-resource",
		[STMEXEC_EVT_PROTECTION_GRANTED] = "protection-granted",
		[STMEXEC_EVT_PROTECTION_DENIED] = "protection-denied",
		[STMEXEC_EVT_UNPROTECT] = "unprotect",
		[STMEXEC_EVT_UNPROTECT_ERROR] = "unprotect-error",
		[STMEXEC_EVT_DOMAIN_DEGRADED] = "domain-degraded",
	};

	if (type == STMEXEC_REC_GAP)
		return "gap";
	if (type < ARRAY_SIZE(names) && names[type])
		return names[type];
	return "unknown";
}

/* ---- CPU lists ------------------------------------------------------------- */

#define CPU_MAX	8192

/* "0-3,5" into @set (CPU_MAX bits); -1 on a malformed list. */
static int cpulist_parse(const char *s, unsigned char *set)
{
	char *end;

	memset(set, 0, CPU_MAX / 8);
	while (*s && *s != '\n') {
		unsigned long a = strtoul(s, &end, 10), b = a;

		if (end == s)
			return -1;
		s = end;
		if (*s == '-') {
			b = strtoul(s + 1, &end, 10);
			if (end == s + 1)
				return -1;
			s = end;
		}
		if (a > b || b >= CPU_MAX)
			return -1;
		for (; a <= b; a++)
			set[a / 8] |= 1u << (a % 8);
		if (*s == ',')
			s++;
	}
	return 0;
}

static bool cpu_in(const unsigned char *set, unsigned int c)
{
	return set[c / 8] & (1u << (c % 8));
}

int cpulist_coverage(const char *present, const char *active,
		     unsigned int *npresent, unsigned int *ncovered,
		     char *missing, size_t len)
{
	static unsigned char pres[CPU_MAX / 8], act[CPU_MAX / 8];
	size_t at = 0;
	unsigned int c, run;

	*npresent = *ncovered = 0;
	if (len)
		missing[0] = '\0';
	if (cpulist_parse(present, pres))
		return -1;
	if (cpulist_parse(active, act))
		memset(act, 0, sizeof(act));
	for (c = 0; c < CPU_MAX; c++) {
		bool p = cpu_in(pres, c), a = cpu_in(act, c);

		*npresent += p;
		*ncovered += p && a;
		if (!p || a)
			continue;
		for (run = c; run + 1 < CPU_MAX && cpu_in(pres, run + 1) &&
		     !cpu_in(act, run + 1); run++)
			;
		if (at < len)
			at += (size_t)snprintf(missing + at, len - at,
					       run > c ? "%s%u-%u" : "%s%u",
					       at ? "," : "", c, run);
		/* the run's other CPUs are present too: count them */
		*npresent += run - c;
		c = run;
	}
	if (at >= len && len)
		missing[len - 1] = '\0';
	return 0;
}
