/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stmexec: the error record of one request (error.c), for the files that
 * run a request on behalf of a task and return its reason in the request
 * (ABI 1.1, struct stmexec_error): the chardev, the lifecycle's enable and
 * disable, the module watcher. stmexec_fail() itself is in stmexec.h.
 */
#ifndef STMEXEC_ERROR_H
#define STMEXEC_ERROR_H

#include <linux/list.h>
#include <linux/types.h>
#include <linux/stmexec.h>

struct stmexec;
struct task_struct;

/*
 * The error record of one ioctl in progress (error.c): stmexec_fail()
 * called by @task while it is on sx->reqs formats into it too. @cause:
 * a step's record nested in it, also fed by stmexec_req_relay().
 */
struct stmexec_req {
	struct list_head node;
	struct task_struct *task;
	int code;
	bool truncated;
	bool cause;
	char msg[STMEXEC_ERR_MSG_LEN];
};

void stmexec_req_begin(struct stmexec *sx, struct stmexec_req *req);
void stmexec_req_begin_cause(struct stmexec *sx, struct stmexec_req *req);
void stmexec_req_relay(struct stmexec *sx, const struct stmexec_req *from);
void stmexec_req_end(struct stmexec *sx, struct stmexec_req *req);
const char *stmexec_req_reason(const struct stmexec_req *req);

#endif /* STMEXEC_ERROR_H */
