// SPDX-License-Identifier: GPL-2.0
/* A strict RFC 8259 JSON validator (see jsonv.h). */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "jsonv.h"

struct p {
	const unsigned char *s;
	size_t len, pos;
	char *err;
	size_t errlen;
	bool failed;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct p *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->failed)
		return -1;
	p->failed = true;
	if (p->err && p->errlen) {
		n = snprintf(p->err, p->errlen, "offset %zu: ", p->pos);
		if (n >= 0 && (size_t)n < p->errlen) {
			va_start(ap, fmt);
			vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
			va_end(ap);
		}
	}
	return -1;
}

static int peek(struct p *p)
{
	return p->pos < p->len ? p->s[p->pos] : -1;
}

static void ws(struct p *p)
{
	while (p->pos < p->len) {
		unsigned char c = p->s[p->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->pos++;
	}
}

static int lit(struct p *p, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n))
		return fail(p, "invalid literal (expected '%s')", word);
	p->pos += n;
	return 0;
}

static bool isdig(int c)
{
	return c >= '0' && c <= '9';
}

static int number(struct p *p)
{
	if (peek(p) == '-')
		p->pos++;
	if (peek(p) == '0') {
		p->pos++;
		if (isdig(peek(p)))
			return fail(p, "leading zero in a number");
	} else if (isdig(peek(p))) {
		while (isdig(peek(p)))
			p->pos++;
	} else {
		return fail(p, "expected a digit");
	}
	if (peek(p) == '.') {
		p->pos++;
		if (!isdig(peek(p)))
			return fail(p, "expected a digit after '.'");
		while (isdig(peek(p)))
			p->pos++;
	}
	if (peek(p) == 'e' || peek(p) == 'E') {
		p->pos++;
		if (peek(p) == '+' || peek(p) == '-')
			p->pos++;
		if (!isdig(peek(p)))
			return fail(p, "expected a digit in the exponent");
		while (isdig(peek(p)))
			p->pos++;
	}
	return 0;
}

static int hex4(struct p *p, unsigned int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		int c = peek(p), d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return fail(p, "bad \\u escape");
		*v = *v * 16 + (unsigned int)d;
		p->pos++;
	}
	return 0;
}

/* One UTF-8 sequence starting at a byte >= 0x80. */
static int utf8(struct p *p)
{
	const unsigned char *s = p->s + p->pos;
	size_t left = p->len - p->pos, n;
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return fail(p, "invalid UTF-8 lead byte 0x%02x", c);
	if (c == 0xe0)
		lo = 0xa0;
	if (c == 0xed)
		hi = 0x9f;
	if (c == 0xf0)
		lo = 0x90;
	if (c == 0xf4)
		hi = 0x8f;
	if (left < n || s[1] < lo || s[1] > hi)
		return fail(p, "invalid UTF-8 sequence");
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return fail(p, "invalid UTF-8 continuation");
	p->pos += n;
	return 0;
}

static int string(struct p *p)
{
	p->pos++;	/* opening quote */
	for (;;) {
		int c = peek(p);
		unsigned int u, u2;

		if (c < 0)
			return fail(p, "unterminated string");
		if (c == '"') {
			p->pos++;
			return 0;
		}
		if (c < 0x20)
			return fail(p, "raw control character 0x%02x in a string", c);
		if (c >= 0x80) {
			if (utf8(p))
				return -1;
			continue;
		}
		if (c != '\\') {
			p->pos++;
			continue;
		}
		p->pos++;
		c = peek(p);
		switch (c) {
		case '"': case '\\': case '/': case 'b': case 'f':
		case 'n': case 'r': case 't':
			p->pos++;
			break;
		case 'u':
			p->pos++;
			if (hex4(p, &u))
				return -1;
			if (u >= 0xdc00 && u <= 0xdfff)
				return fail(p, "lone low surrogate \\u%04x", u);
			if (u >= 0xd800 && u <= 0xdbff) {
				if (peek(p) != '\\' || p->pos + 1 >= p->len || p->s[p->pos + 1] != 'u')
					return fail(p, "high surrogate \\u%04x not followed by a low one", u);
				p->pos += 2;
				if (hex4(p, &u2))
					return -1;
				if (u2 < 0xdc00 || u2 > 0xdfff)
					return fail(p, "high surrogate followed by \\u%04x", u2);
			}
			break;
		default:
			return fail(p, "invalid escape");
		}
	}
}

static int value(struct p *p, int depth);

static int container(struct p *p, int depth, bool obj)
{
	char close = obj ? '}' : ']';

	if (depth >= JSONV_MAX_DEPTH)
		return fail(p, "nesting deeper than %d", JSONV_MAX_DEPTH);
	p->pos++;
	ws(p);
	if (peek(p) == close) {
		p->pos++;
		return 0;
	}
	for (;;) {
		ws(p);
		if (obj) {
			if (peek(p) != '"')
				return fail(p, "expected a string key");
			if (string(p))
				return -1;
			ws(p);
			if (peek(p) != ':')
				return fail(p, "expected ':' after a key");
			p->pos++;
		}
		if (value(p, depth + 1))
			return -1;
		ws(p);
		if (peek(p) == ',') {
			p->pos++;
			ws(p);
			if (peek(p) == close)
				return fail(p, "trailing comma");
			continue;
		}
		if (peek(p) == close) {
			p->pos++;
			return 0;
		}
		return fail(p, "expected ',' or '%c'", close);
	}
}

static int value(struct p *p, int depth)
{
	ws(p);
	switch (peek(p)) {
	case '{':
		return container(p, depth, true);
	case '[':
		return container(p, depth, false);
	case '"':
		return string(p);
	case 't':
		return lit(p, "true");
	case 'f':
		return lit(p, "false");
	case 'n':
		return lit(p, "null");
	case -1:
		return fail(p, "unexpected end of input");
	default:
		if (peek(p) == '-' || isdig(peek(p)))
			return number(p);
		return fail(p, "unexpected character '%c'", peek(p));
	}
}

int jsonv_check(const char *buf, size_t len, char *err, size_t errlen)
{
	struct p p = { (const unsigned char *)buf, len, 0, err, errlen, false };

	if (err && errlen)
		err[0] = '\0';
	if (memchr(buf, '\0', len))
		return fail(&p, "NUL byte in the input");
	if (value(&p, 0))
		return -1;
	ws(&p);
	if (p.pos != len)
		return fail(&p, "trailing data after the value");
	return 0;
}

int jsonv_check_lines(const char *buf, size_t len, char *err, size_t errlen)
{
	size_t start = 0, lines = 0;

	while (start < len) {
		const char *nl = memchr(buf + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - buf) : len;

		lines++;
		if (end > start && jsonv_check(buf + start, end - start, err, errlen)) {
			if (err && errlen) {
				char tmp[256];

				snprintf(tmp, sizeof(tmp), "line %zu: %s", lines, err);
				snprintf(err, errlen, "%s", tmp);
			}
			return -1;
		}
		start = end + 1;
	}
	return 0;
}
