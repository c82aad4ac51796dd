// SPDX-License-Identifier: GPL-2.0
/* The selftest library: LIST_RANGES snapshots (sx_stress.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sx_stress.h"

bool sx_range_same(const struct stmexec_range *a, const struct stmexec_range *b)
{
	return a->type == b->type && a->access == b->access &&
	       a->base == b->base && a->length == b->length &&
	       a->pci_bus == b->pci_bus && a->pci_dev == b->pci_dev &&
	       a->pci_fn == b->pci_fn;
}

void sx_range_str(const struct stmexec_range *r, char *buf, size_t len)
{
	snprintf(buf, len, "type %u access 0x%x base 0x%llx length 0x%llx pci %02x:%02x.%x flags 0x%x",
		 r->type, r->access, (unsigned long long)r->base,
		 (unsigned long long)r->length, r->pci_bus, r->pci_dev,
		 r->pci_fn, r->flags);
}

int __sx_range_set_list(int fd, struct range_set *s)
{
	struct stmexec_range_array a;
	uint32_t i, j;
	int ret;

	for (;;) {
		memset(&a, 0, sizeof(a));
		a.ranges_ptr = (uintptr_t)s->r;
		a.count = s->cap;
		ret = __sx_ioctl(fd, STMEXEC_LIST_RANGES, &a);
		if (ret)
			return ret;
		if (a.count <= s->cap)
			break;
		free(s->r);
		s->cap = a.count + 64;
		s->r = calloc(s->cap, sizeof(*s->r));
		if (!s->r)
			return -ENOMEM;
	}
	for (i = 0, j = 0; i < a.count; i++)
		if (!(s->r[i].flags & STMEXEC_RF_POLICY))
			s->r[j++] = s->r[i];
	s->n = j;
	return 0;
}

bool sx_range_set_has(const struct range_set *s, const struct stmexec_range *r)
{
	uint32_t i;

	for (i = 0; i < s->n; i++)
		if (sx_range_same(&s->r[i], r))
			return true;
	return false;
}

bool sx_range_set_equal(const struct range_set *a, const struct range_set *b)
{
	uint32_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (!sx_range_set_has(b, &a->r[i]) || !sx_range_set_has(a, &b->r[i]))
			return false;
	return true;
}

void sx_range_set_free(struct range_set *s)
{
	free(s->r);
	s->r = NULL;
	s->n = s->cap = 0;
}

long sx_read_long(const char *attr, long dflt)
{
	char buf[64];

	if (__sx_read(attr, buf, sizeof(buf)))
		return dflt;
	return strtol(buf, NULL, 0);
}
