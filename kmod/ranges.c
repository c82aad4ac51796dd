// SPDX-License-Identifier: GPL-2.0
/* stmexec: protected ranges (placeholder until the ranges work lands). */
#include "stmexec.h"

static struct attribute *stmexec_ranges_attrs[] = {
	NULL,
};

const struct attribute_group stmexec_ranges_group = {
	.attrs = stmexec_ranges_attrs,
};

int stmexec_ranges_init(struct stmexec *sx)
{
	return 0;
}

void stmexec_ranges_fini(struct stmexec *sx)
{
}

int stmexec_ranges_on_start(struct stmexec *sx)
{
	return 0;
}

void stmexec_ranges_on_stop(struct stmexec *sx)
{
}
