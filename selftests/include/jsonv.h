/* SPDX-License-Identifier: GPL-2.0 */
/* A strict RFC 8259 JSON validator (no allocation, bounded depth). */
#ifndef JSONV_H
#define JSONV_H

#include <stddef.h>

#define JSONV_MAX_DEPTH 256

/*
 * Validate exactly one JSON text in @buf[0..len): one value with optional
 * surrounding whitespace. Strict: no trailing commas, no comments, no
 * leading zeros, no raw control characters or invalid UTF-8 in strings,
 * only the escapes RFC 8259 lists, surrogate escapes paired, NUL bytes
 * rejected. Returns 0 if valid, else -1 with "offset N: reason" in @err.
 */
int jsonv_check(const char *buf, size_t len, char *err, size_t errlen);

/* Each non-empty line must be one JSON text (JSON Lines). */
int jsonv_check_lines(const char *buf, size_t len, char *err, size_t errlen);

#endif /* JSONV_H */
