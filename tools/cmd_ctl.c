// SPDX-License-Identifier: GPL-2.0
/* stmexec CLI: enable, disable. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

static void get_status(int fd, struct stmexec_status *st)
{
	memset(st, 0, sizeof(*st));
	if (dev_ioctl_try(fd, STMEXEC_GET_STATUS, st))
		st->state = ~0u;
}

int cmd_enable(struct opts *o, int argc, char **argv)
{
	struct stmexec_status st;
	int fd, ret;

	(void)o;
	if (argc > 0)
		cli_usage_err("enable takes no arguments (got '%s')", argv[0]);
	fd = dev_open(O_RDONLY);
	ret = dev_ioctl_try(fd, STMEXEC_ENABLE, NULL);
	if (ret == -EALREADY) {
		get_status(fd, &st);
		printf("monitor already on: backend %s, %u of %u CPUs active (nothing changed)\n",
		       backend_name(st.backend), st.cpus_active, st.cpus_online);
		close(fd);
		return EX_OK;
	}
	if (ret)
		ioctl_fail(-ret, "enable", NULL);
	get_status(fd, &st);
	close(fd);
	printf("monitor on: backend %s, %u of %u CPUs active\n",
	       backend_name(st.backend), st.cpus_active, st.cpus_online);
	if (st.backend == STMEXEC_BACKEND_SIM)
		cli_err("note: backend=sim is a simulated STM for testing: it provides NO protection");
	return EX_OK;
}

int cmd_disable(struct opts *o, int argc, char **argv)
{
	struct stmexec_status st;
	int fd, ret;

	(void)o;
	if (argc > 0)
		cli_usage_err("disable takes no arguments (got '%s')", argv[0]);
	fd = dev_open(O_RDONLY);
	get_status(fd, &st);
	ret = dev_ioctl_try(fd, STMEXEC_DISABLE, NULL);
	if (ret == -ENXIO && st.state == STMEXEC_STATE_OFF) {
		printf("monitor already off (nothing changed)\n");
		close(fd);
		return EX_OK;
	}
	if (ret)
		ioctl_fail(-ret, "disable", NULL);
	close(fd);
	if (st.state == STMEXEC_STATE_OFF)
		printf("monitor already off (nothing changed)\n");
	else
		printf("monitor off\n");
	return EX_OK;
}
