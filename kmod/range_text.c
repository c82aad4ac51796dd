// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: the text form of a range, used by the sysfs files "ranges",
 * "protect", "unprotect" and "bios_resources" (grammar in
 * Documentation/userspace-api/stmexec.rst):
 *
 *   mem  BASE+SIZE | BASE-LAST   [deny=BITS]     BITS: r, w, x (default rwx)
 *   mmio BASE+SIZE | BASE-LAST   [deny=BITS]
 *   io   PORT | PORT+N | FIRST-LAST [deny=BITS]  BITS: r, w (default rw)
 *   msr  INDEX                   [deny=BITS]
 *   pci  [0000:]BB:DD.F          [deny=BITS]
 *
 * Numbers are decimal or 0x-prefixed hex; SIZE may end in K, M, G or T
 * (powers of 1024); LAST is inclusive. The canonical form written by the
 * kernel is the first alternative with hex numbers.
 */
#include "stmexec.h"
#include "features.h"

#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/string.h>

#define RANGE_TEXT_MAX	128

static const char *const type_names[] = {
	[STMEXEC_RANGE_MEM] = "mem",
	[STMEXEC_RANGE_IO] = "io",
	[STMEXEC_RANGE_MMIO] = "mmio",
	[STMEXEC_RANGE_MSR] = "msr",
	[STMEXEC_RANGE_PCI] = "pci",
	[STMEXEC_RANGE_TRAPPED_IO] = "trapped-io",
	[STMEXEC_RANGE_ALL] = "all",
};

static int parse_num(const char *s, u64 *v)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return kstrtoull(s + 2, 16, v);
	return kstrtoull(s, 10, v);
}

static int parse_size(char *s, u64 *v)
{
	size_t len = strlen(s);
	unsigned int shift = 0;
	u64 n;
	int ret;

	if (len > 1 && !(s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))) {
		switch (tolower(s[len - 1])) {
		case 'k':
			shift = 10;
			break;
		case 'm':
			shift = 20;
			break;
		case 'g':
			shift = 30;
			break;
		case 't':
			shift = 40;
			break;
		}
		if (shift)
			s[len - 1] = '\0';
	}
	ret = parse_num(s, &n);
	if (ret)
		return ret;
	if (shift && n > (U64_MAX >> shift))
		return -ERANGE;
	*v = n << shift;
	return 0;
}

static int parse_bits(const char *s, u32 *bits)
{
	*bits = 0;
	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		u32 b;

		switch (tolower(*s)) {
		case 'r':
			b = STMEXEC_ACC_R;
			break;
		case 'w':
			b = STMEXEC_ACC_W;
			break;
		case 'x':
			b = STMEXEC_ACC_X;
			break;
		default:
			return -EINVAL;
		}
		if (*bits & b)
			return -EINVAL;
		*bits |= b;
	}
	return 0;
}

/* BASE+SIZE, BASE-LAST or (when @single) BASE alone meaning one unit. */
static int parse_extent(char *s, bool single, u64 *base, u64 *len)
{
	char *sep = strpbrk(s, "+-");
	u64 last;
	int ret;

	if (!sep) {
		if (!single)
			return -EINVAL;
		*len = 1;
		return parse_num(s, base);
	}
	if (*sep == '+') {
		*sep = '\0';
		ret = parse_num(s, base);
		return ret ?: parse_size(sep + 1, len);
	}
	*sep = '\0';
	ret = parse_num(s, base) ?: parse_num(sep + 1, &last);
	if (ret)
		return ret;
	if (last < *base || (last == U64_MAX && *base == 0))
		return -ERANGE;
	*len = last - *base + 1;
	return 0;
}

static int parse_pci(const char *s, struct stmexec_range *r)
{
	unsigned int seg = 0, bus, dev, fn;
	char tail;

	if (sscanf(s, "%x:%x:%x.%x%c", &seg, &bus, &dev, &fn, &tail) != 4) {
		seg = 0;
		if (sscanf(s, "%x:%x.%x%c", &bus, &dev, &fn, &tail) != 3)
			return -EINVAL;
	}
	if (seg || bus > 0xff || dev > 31 || fn > 7)
		return -ERANGE;
	r->pci_bus = bus;
	r->pci_dev = dev;
	r->pci_fn = fn;
	r->base = 0;
	r->length = 0x1000;
	return 0;
}

static char *next_token(char **s)
{
	char *t;

	do {
		t = strsep(s, " \t\n");
	} while (t && !*t);
	return t;
}

static const char range_usage[] =
	"e.g. 'mem 0x100000+2M deny=w', 'io 0x60-0x64 deny=rw', 'msr 0x1a0', 'pci 00:1f.0'";

/* The first token: the range type. */
static int parse_type(struct stmexec *sx, const char *tok, u32 *type)
{
	u32 t;

	if (!tok)
		return stmexec_fail(sx, -EINVAL, "empty range: %s", range_usage);
	for (t = STMEXEC_RANGE_MEM; t <= STMEXEC_RANGE_PCI; t++) {
		if (!strcmp(tok, type_names[t])) {
			*type = t;
			return 0;
		}
	}
	return stmexec_fail(sx, -EINVAL,
			    "unknown range type '%s' (mem, mmio, io, msr, pci): %s",
			    tok, range_usage);
}

/* The second token: the extent of @r->type, and its default access. */
static int parse_type_extent(char *tok, struct stmexec_range *r)
{
	switch (r->type) {
	case STMEXEC_RANGE_MEM:
	case STMEXEC_RANGE_MMIO:
		r->access = STMEXEC_ACC_R | STMEXEC_ACC_W | STMEXEC_ACC_X;
		return parse_extent(tok, false, &r->base, &r->length);
	case STMEXEC_RANGE_IO:
		r->access = STMEXEC_ACC_R | STMEXEC_ACC_W;
		return parse_extent(tok, true, &r->base, &r->length);
	case STMEXEC_RANGE_MSR:
		r->length = 1;
		r->access = STMEXEC_ACC_R | STMEXEC_ACC_W;
		return parse_num(tok, &r->base);
	default:
		r->access = STMEXEC_ACC_R | STMEXEC_ACC_W;
		return parse_pci(tok, r);
	}
}

/* The tokens after the extent: deny= and policy, each at most once. */
static int parse_options(struct stmexec *sx, char **s, struct stmexec_range *r)
{
	bool have_deny = false;
	char *tok;

	while ((tok = next_token(s))) {
		if (!strncmp(tok, "deny=", 5) && !have_deny) {
			if (parse_bits(tok + 5, &r->access))
				return stmexec_fail(sx, -EINVAL,
						    "bad '%s': deny= takes r, w and x, each at most once",
						    tok);
			have_deny = true;
		} else if (!strcmp(tok, "policy") && !r->flags) {
			r->flags = STMEXEC_RF_POLICY;
		} else {
			return stmexec_fail(sx, -EINVAL,
					    "unexpected '%s' after the extent: %s",
					    tok, range_usage);
		}
	}
	return 0;
}

int stmexec_range_parse(struct stmexec *sx, const char *buf,
			struct stmexec_range *r)
{
	char copy[RANGE_TEXT_MAX], *s = copy, *tok;
	int ret;

	memset(r, 0, sizeof(*r));
	if (strscpy(copy, buf, sizeof(copy)) < 0)
		return stmexec_fail(sx, -EINVAL, "range text longer than %d bytes",
				    RANGE_TEXT_MAX - 1);

	ret = parse_type(sx, next_token(&s), &r->type);
	if (ret)
		return ret;
	tok = next_token(&s);
	if (!tok)
		return stmexec_fail(sx, -EINVAL, "%s range without extent: %s",
				    type_names[r->type], range_usage);
	ret = parse_type_extent(tok, r);
	if (ret)
		return stmexec_fail(sx, ret == -ERANGE ? -ERANGE : -EINVAL,
				    "cannot parse %s extent '%s': %s",
				    type_names[r->type], tok, range_usage);
	return parse_options(sx, &s, r);
}

static const char *bits_str(u32 bits, char *buf)
{
	char *p = buf;

	if (bits & STMEXEC_ACC_R)
		*p++ = 'r';
	if (bits & STMEXEC_ACC_W)
		*p++ = 'w';
	if (bits & STMEXEC_ACC_X)
		*p++ = 'x';
	if (p == buf)
		return "none";
	*p = '\0';
	return buf;
}

/* Canonical text of @r (no newline); returns the length written. */
int stmexec_range_format(char *buf, size_t size,
			 const struct stmexec_range *r, bool bios)
{
	const char *tn = r->type < ARRAY_SIZE(type_names) && type_names[r->type] ?
		type_names[r->type] : "unknown";
	const char *acc = bios ? "claim" : "deny";
	char bits[4];
	int n = 0;

	switch (r->type) {
	case STMEXEC_RANGE_MEM:
	case STMEXEC_RANGE_MMIO:
		n = scnprintf(buf, size, "%s 0x%llx+0x%llx %s=%s", tn, r->base,
			      r->length, acc, bits_str(r->access, bits));
		break;
	case STMEXEC_RANGE_IO:
	case STMEXEC_RANGE_TRAPPED_IO:
		n = scnprintf(buf, size, "%s 0x%llx-0x%llx", tn, r->base,
			      r->base + r->length - 1);
		if (!bios)
			n += scnprintf(buf + n, size - n, " deny=%s",
				       bits_str(r->access, bits));
		break;
	case STMEXEC_RANGE_MSR:
		n = scnprintf(buf, size, "msr 0x%llx %s=%s", r->base, acc,
			      bits_str(r->access, bits));
		break;
	case STMEXEC_RANGE_PCI:
		n = scnprintf(buf, size, "pci %02x:%02x.%x", r->pci_bus,
			      r->pci_dev, r->pci_fn);
		if (bios)
			n += scnprintf(buf + n, size - n, " reg=0x%llx+0x%llx",
				       r->base, r->length);
		n += scnprintf(buf + n, size - n, " %s=%s", acc,
			       bits_str(r->access, bits));
		break;
	case STMEXEC_RANGE_ALL:
		n = scnprintf(buf, size, "all");
		break;
	default:
		n = scnprintf(buf, size, "type%u 0x%llx+0x%llx", r->type,
			      r->base, r->length);
		break;
	}
	if (r->flags & STMEXEC_RF_KERNEL_MODE)
		n += scnprintf(buf + n, size - n, " kernel-mode");
	if (r->flags & STMEXEC_RF_TRAP_IN)
		n += scnprintf(buf + n, size - n, " in");
	if (r->flags & STMEXEC_RF_TRAP_OUT)
		n += scnprintf(buf + n, size - n, " out");
	if (r->flags & STMEXEC_RF_TRAP_API)
		n += scnprintf(buf + n, size - n, " api");
	if (r->flags & STMEXEC_RF_PCI_BRIDGED)
		n += scnprintf(buf + n, size - n, " bridged");
	if (r->flags & STMEXEC_RF_IGNORED)
		n += scnprintf(buf + n, size - n, " ignored");
	if (r->flags & STMEXEC_RF_POLICY)
		n += scnprintf(buf + n, size - n, " policy");
	return n;
}
