// SPDX-License-Identifier: GPL-2.0
/* stmexec: violation log (placeholder until the log work lands). */
#include "stmexec.h"

static struct attribute *stmexec_log_attrs[] = {
	NULL,
};

const struct attribute_group stmexec_log_group = {
	.name = "log",
	.attrs = stmexec_log_attrs,
};

int stmexec_log_init(struct stmexec *sx)
{
	return 0;
}

void stmexec_log_fini(struct stmexec *sx)
{
}

int stmexec_log_on_start(struct stmexec *sx)
{
	return 0;
}

void stmexec_log_on_stop(struct stmexec *sx)
{
}
