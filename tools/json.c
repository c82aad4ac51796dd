// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec CLI: a small streaming JSON writer. Strings are escaped per
 * RFC 8259: '"', '\\' and control characters are escaped, valid UTF-8 is
 * copied, every byte of an invalid UTF-8 sequence becomes U+FFFD, so the
 * output is always valid JSON whatever the kernel or the user handed us.
 */
#include <string.h>
#include "cli.h"

struct sink {
	FILE *f;
	char *buf;
	size_t len;
	size_t pos;	/* bytes produced (may exceed len for buffers) */
};

static void put(struct sink *s, const char *p, size_t n)
{
	if (s->f) {
		fwrite(p, 1, n, s->f);
	} else if (s->buf && s->pos < s->len) {
		size_t room = s->len - s->pos - 1;	/* keep the NUL */

		memcpy(s->buf + s->pos, p, n < room ? n : room);
	}
	s->pos += n;
}

/* Length of the valid UTF-8 sequence at @p (1..4), or 0 if invalid. */
static size_t utf8_len(const unsigned char *p)
{
	unsigned char c = p[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		unsigned char lo = 0x80, hi = 0xbf;

		if (c == 0xe0)
			lo = 0xa0;	/* overlong */
		if (c == 0xed)
			hi = 0x9f;	/* surrogates */
		if (p[1] < lo || p[1] > hi || (p[2] & 0xc0) != 0x80)
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		unsigned char lo = 0x80, hi = 0xbf;

		if (c == 0xf0)
			lo = 0x90;	/* overlong */
		if (c == 0xf4)
			hi = 0x8f;	/* > U+10FFFF */
		if (p[1] < lo || p[1] > hi || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80)
			return 0;
		return 4;
	}
	return 0;
}

/* The two-character escape of @c ('n' for a newline), or 0 if none. */
static char short_escape(unsigned char c)
{
	switch (c) {
	case '"':
		return '"';
	case '\\':
		return '\\';
	case '\b':
		return 'b';
	case '\f':
		return 'f';
	case '\n':
		return 'n';
	case '\r':
		return 'r';
	case '\t':
		return 't';
	}
	return 0;
}

static void escape(struct sink *s, const char *str)
{
	const unsigned char *p = (const unsigned char *)(str ? str : "");
	char esc[8];

	put(s, "\"", 1);
	while (*p) {
		size_t n = utf8_len(p);

		if (n == 0) {
			put(s, "\\ufffd", 6);
			p++;
			continue;
		}
		if (n > 1) {
			put(s, (const char *)p, n);
			p += n;
			continue;
		}
		esc[0] = '\\';
		esc[1] = short_escape(*p);
		if (esc[1]) {
			put(s, esc, 2);
		} else if (*p < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			put(s, esc, 6);
		} else {
			put(s, (const char *)p, 1);
		}
		p++;
	}
	put(s, "\"", 1);
}

void json_write_string(FILE *f, const char *str)
{
	struct sink s = { .f = f };

	escape(&s, str);
}

size_t json_escape(const char *str, char *buf, size_t len)
{
	struct sink s = { .buf = buf, .len = len };

	escape(&s, str);
	if (buf && len)
		buf[s.pos < len ? s.pos : len - 1] = '\0';
	return s.pos;
}

void json_init(struct json *j, FILE *f, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->pretty = pretty;
}

static void indent(struct json *j)
{
	int i;

	if (!j->pretty)
		return;
	fputc('\n', j->f);
	for (i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Separator, indentation and key before a value. */
static void prefix(struct json *j, const char *key)
{
	if (j->need_comma[j->depth])
		fputc(',', j->f);
	if (j->depth > 0)
		indent(j);
	j->need_comma[j->depth] = true;
	if (key) {
		json_write_string(j->f, key);
		fputs(j->pretty ? ": " : ":", j->f);
	}
}

static void open_c(struct json *j, const char *key, char c)
{
	prefix(j, key);
	fputc(c, j->f);
	if (j->depth < JSON_MAX_DEPTH - 1)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void close_c(struct json *j, char c)
{
	bool had = j->need_comma[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (had)
		indent(j);
	fputc(c, j->f);
}

void json_obj_begin(struct json *j, const char *key) { open_c(j, key, '{'); }
void json_obj_end(struct json *j) { close_c(j, '}'); }
void json_arr_begin(struct json *j, const char *key) { open_c(j, key, '['); }
void json_arr_end(struct json *j) { close_c(j, ']'); }

void json_str(struct json *j, const char *key, const char *val)
{
	prefix(j, key);
	json_write_string(j->f, val);
}

void json_u64(struct json *j, const char *key, uint64_t val)
{
	prefix(j, key);
	fprintf(j->f, "%llu", (unsigned long long)val);
}

void json_i64(struct json *j, const char *key, int64_t val)
{
	prefix(j, key);
	fprintf(j->f, "%lld", (long long)val);
}

void json_hex(struct json *j, const char *key, uint64_t val)
{
	prefix(j, key);
	fprintf(j->f, "\"0x%llx\"", (unsigned long long)val);
}

void json_bool(struct json *j, const char *key, bool val)
{
	prefix(j, key);
	fputs(val ? "true" : "false", j->f);
}

void json_null(struct json *j, const char *key)
{
	prefix(j, key);
	fputs("null", j->f);
}

void json_end(struct json *j)
{
	fputc('\n', j->f);
	fflush(j->f);
	j->depth = 0;
	j->need_comma[0] = false;
}
