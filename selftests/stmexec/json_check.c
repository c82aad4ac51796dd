// SPDX-License-Identifier: GPL-2.0
/*
 * json_check - strict JSON validator for the stmexec tests.
 *
 * usage: json_check [--lines] [FILE...]   (stdin without FILE)
 *   --lines  JSON Lines: every non-empty line is one JSON text
 * Exit: 0 valid, 1 invalid (reason on stderr), 2 usage or I/O error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "jsonv.h"

static char *slurp(FILE *f, size_t *len)
{
	size_t cap = 65536, n = 0, r;
	char *buf = malloc(cap);

	while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
	}
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	int i = 1, rc = 0, files = 0;
	int lines = 0;

	if (argc > 1 && !strcmp(argv[1], "--lines")) {
		lines = 1;
		i++;
	}
	for (;; i++) {
		const char *name = i < argc ? argv[i] : "-";
		FILE *f;
		size_t len;
		char *buf, err[300];

		if (i >= argc && files)
			break;
		files++;
		f = strcmp(name, "-") ? fopen(name, "rb") : stdin;
		if (!f) {
			perror(name);
			return 2;
		}
		buf = slurp(f, &len);
		if (f != stdin)
			fclose(f);
		if (!buf) {
			fprintf(stderr, "%s: out of memory\n", name);
			return 2;
		}
		if ((lines ? jsonv_check_lines : jsonv_check)(buf, len, err, sizeof(err))) {
			fprintf(stderr, "%s: invalid JSON: %s\n", name, err);
			rc = 1;
		}
		free(buf);
		if (i >= argc)
			break;
	}
	return rc;
}
