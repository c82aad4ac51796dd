// SPDX-License-Identifier: GPL-2.0
/* stmexec: /dev/stmexec (placeholder until the ioctl interface lands). */
#include "stmexec.h"

int stmexec_chardev_register(struct stmexec *sx)
{
	return 0;
}

void stmexec_chardev_unregister(struct stmexec *sx)
{
}
