// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec CLI: apply (a site policy from files, one all-or-nothing PROTECT).
 *
 * Each FILE holds one range per line in the syntax 'protect' takes
 * ("mem 0x100000+2M deny=w"); '#' starts a comment, blank lines are
 * ignored. A DIRECTORY stands for its *.conf files in C-locale order (what
 * stmexec.service passes: /etc/stmexec/ranges.d). Every file is parsed
 * before the device is touched: a bad line changes nothing. Ranges the
 * monitor already holds exactly as written are left alone, so applying the
 * same policy twice succeeds (a restarted unit); all the others go to the
 * module in one STMEXEC_PROTECT request, which the module applies whole or
 * not at all.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"

#define APPLY_MAX_WORDS 8
#define BIOS_HINT "; it overlaps a firmware resource (see 'stmexec bios')"

struct apply_src {
	char *file;
	unsigned int line;
};

struct apply_set {
	struct stmexec_range *r;
	struct apply_src *src;
	unsigned int n, cap;
};

static void apply_add(struct apply_set *s, const struct stmexec_range *r,
		      const char *file, unsigned int line)
{
	if (s->n == s->cap) {
		unsigned int cap = s->cap ? 2 * s->cap : 16;
		struct stmexec_range *nr = realloc(s->r, cap * sizeof(*nr));
		struct apply_src *ns;

		if (!nr)
			cli_fatal_err(EX_FAIL, "out of memory");
		s->r = nr;
		ns = realloc(s->src, cap * sizeof(*ns));
		if (!ns)
			cli_fatal_err(EX_FAIL, "out of memory");
		s->src = ns;
		s->cap = cap;
	}
	s->r[s->n] = *r;
	s->src[s->n].file = strdup(file);
	if (!s->src[s->n].file)
		cli_fatal_err(EX_FAIL, "out of memory");
	s->src[s->n].line = line;
	s->n++;
}

/* Parse one file; a bad line exits with EX_USAGE and FILE:LINE. */
static void apply_file(struct apply_set *s, const char *file)
{
	char *line = NULL, *words[APPLY_MAX_WORDS + 1], err[PARSE_ERR_LEN];
	struct stmexec_range r;
	unsigned int lineno = 0;
	size_t cap = 0;
	FILE *f;

	f = fopen(file, "r");
	if (!f)
		cli_fatal_err(EX_USAGE, "apply: cannot read %s: %s", file, strerror(errno));
	while (getline(&line, &cap, f) >= 0) {
		int nw = 0, used;
		char *c, *t;

		lineno++;
		c = strchr(line, '#');
		if (c)
			*c = '\0';
		for (t = strtok(line, " \t\r\n"); t; t = strtok(NULL, " \t\r\n")) {
			if (nw == APPLY_MAX_WORDS)
				cli_fatal_err(EX_USAGE, "apply: %s:%u: too many words (one range per line, e.g. 'mem 0x100000+2M deny=w')",
					      file, lineno);
			words[nw++] = t;
		}
		if (!nw)
			continue;
		used = parse_range(nw, words, &r, err, sizeof(err));
		if (used < 0)
			cli_fatal_err(EX_USAGE, "apply: %s:%u: %s (nothing was changed)",
				      file, lineno, err);
		if (used != nw)
			cli_fatal_err(EX_USAGE, "apply: %s:%u: one range per line: '%s' starts a second one (nothing was changed)",
				      file, lineno, words[used]);
		apply_add(s, &r, file, lineno);
	}
	if (ferror(f))
		cli_fatal_err(EX_USAGE, "apply: error reading %s: %s", file, strerror(errno));
	free(line);
	fclose(f);
}

static int conf_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && !strcmp(d->d_name + n - 5, ".conf");
}

static void apply_path(struct apply_set *s, const char *path)
{
	struct dirent **ents;
	struct stat st;
	int n, i;

	if (stat(path, &st))
		cli_fatal_err(EX_USAGE, "apply: %s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		apply_file(s, path);
		return;
	}
	n = scandir(path, &ents, conf_filter, alphasort);
	if (n < 0)
		cli_fatal_err(EX_USAGE, "apply: cannot list %s: %s", path, strerror(errno));
	for (i = 0; i < n; i++) {
		size_t len = strlen(path) + strlen(ents[i]->d_name) + 2;
		char *f = malloc(len);

		if (!f)
			cli_fatal_err(EX_FAIL, "out of memory");
		snprintf(f, len, "%s/%s", path, ents[i]->d_name);
		apply_file(s, f);
		free(f);
		free(ents[i]);
	}
	free(ents);
}

static bool held(const struct stmexec_range *r, const struct stmexec_range *cur,
		 unsigned int ncur)
{
	char a[160], b[160];
	unsigned int i;

	format_range(r, a, sizeof(a));
	for (i = 0; i < ncur; i++) {
		if (cur[i].flags & STMEXEC_RF_POLICY)
			continue;
		format_range(&cur[i], b, sizeof(b));
		if (!strcmp(a, b))
			return true;
	}
	return false;
}

/* What goes to the module: the ranges not held yet, and where each is from. */
struct apply_plan {
	struct stmexec_range *cur;	/* LIST_RANGES before the request */
	struct stmexec_range *todo;
	unsigned int *map;		/* todo[i] is s->r[map[i]] */
	unsigned int ncur, ntodo;
};

static void apply_free(struct apply_set *s, struct apply_plan *p)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		free(s->src[i].file);
	free(s->src);
	free(s->r);
	free(p->cur);
	free(p->todo);
	free(p->map);
}

/* --check: the ranges as parsed, with their file and line. */
static void apply_show(const struct apply_set *s)
{
	char text[160];
	unsigned int i;

	for (i = 0; i < s->n; i++) {
		format_range(&s->r[i], text, sizeof(text));
		printf("%s:%u: %s\n", s->src[i].file, s->src[i].line, text);
	}
	printf("apply --check: %u range%s, syntax ok (nothing applied)\n",
	       s->n, s->n == 1 ? "" : "s");
}

/* The ranges of @s the monitor does not hold exactly as written. */
static void apply_plan(int fd, const struct apply_set *s, struct apply_plan *p)
{
	unsigned int i;

	if (s->n)
		p->cur = dev_get_ranges(fd, STMEXEC_LIST_RANGES, &p->ncur,
					"apply (LIST_RANGES)");
	p->todo = calloc(s->n + 1, sizeof(*p->todo));
	p->map = calloc(s->n + 1, sizeof(*p->map));
	if (!p->todo || !p->map)
		cli_fatal_err(EX_FAIL, "out of memory");
	for (i = 0; i < s->n; i++) {
		if (held(&s->r[i], p->cur, p->ncur))
			continue;
		p->map[p->ntodo] = i;
		p->todo[p->ntodo++] = s->r[i];
	}
}

/* One PROTECT for the whole plan; exits naming FILE:LINE if refused. */
static void apply_protect(int fd, const struct apply_set *s,
			  const struct apply_plan *p)
{
	struct stmexec_range_array arr;
	char text[160], extra[640];
	unsigned int i;
	int ret;

	memset(&arr, 0, sizeof(arr));
	arr.ranges_ptr = (uintptr_t)p->todo;
	arr.count = p->ntodo;
	arr.err_index = ~0u;
	arr.bios_index = ~0u;
	ret = dev_ioctl_try(fd, STMEXEC_PROTECT, &arr);
	if (!ret)
		return;
	if (arr.err_index < p->ntodo) {
		i = p->map[arr.err_index];
		format_range(&s->r[i], text, sizeof(text));
		snprintf(extra, sizeof(extra),
			 "offending range: %s:%u: %s%s (nothing was changed: all or nothing)",
			 s->src[i].file, s->src[i].line, text,
			 arr.bios_index != ~0u ? BIOS_HINT : "");
	} else {
		snprintf(extra, sizeof(extra), "nothing was changed: all or nothing");
	}
	ioctl_fail(-ret, "apply", extra);
}

static void apply_done(const struct apply_set *s, const struct apply_plan *p)
{
	char text[160];
	unsigned int i;

	for (i = 0; i < p->ntodo; i++) {
		format_range(&p->todo[i], text, sizeof(text));
		printf("protected: %s (%s:%u)\n", text, s->src[p->map[i]].file,
		       s->src[p->map[i]].line);
	}
	printf("apply: %u range%s protected, %u already held\n", p->ntodo,
	       p->ntodo == 1 ? "" : "s", s->n - p->ntodo);
}

int cmd_apply(struct opts *o, int argc, char **argv)
{
	struct apply_set s = { 0 };
	struct apply_plan p = { 0 };
	bool check = false;
	int fd, a;

	(void)o;
	if (argc > 0 && (!strcmp(argv[0], "--check") || !strcmp(argv[0], "-n"))) {
		check = true;
		argc--;
		argv++;
	}
	if (argc == 0)
		cli_usage_err("apply needs a file or directory, e.g. 'apply /etc/stmexec/ranges.d'");
	for (a = 0; a < argc; a++)
		apply_path(&s, argv[a]);

	if (check) {
		apply_show(&s);
		goto out;
	}
	fd = dev_open(O_RDONLY);
	apply_plan(fd, &s, &p);
	if (p.ntodo)
		apply_protect(fd, &s, &p);
	close(fd);
	apply_done(&s, &p);
out:
	apply_free(&s, &p);
	return EX_OK;
}
