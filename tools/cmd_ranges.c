// SPDX-License-Identifier: GPL-2.0
/* stmexec CLI: protect, unprotect, ranges, bios. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

static const struct {
	uint32_t bit;
	const char *name;
} rflags[] = {
	{ STMEXEC_RF_IGNORED, "ignored" },
	{ STMEXEC_RF_KERNEL_MODE, "kernel-mode" },
	{ STMEXEC_RF_TRAP_IN, "trap-in" },
	{ STMEXEC_RF_TRAP_OUT, "trap-out" },
	{ STMEXEC_RF_TRAP_API, "trap-api" },
	{ STMEXEC_RF_PCI_BRIDGED, "bridged" },
	{ STMEXEC_RF_POLICY, "policy" },
};

static void json_range(struct json *j, const struct stmexec_range *r,
		       bool bios)
{
	char text[160], a[4];
	size_t i;

	json_obj_begin(j, NULL);
	if (bios)
		json_u64(j, "index", r->index);
	json_str(j, "type", range_type_name(r->type));
	json_u64(j, "type_id", r->type);
	if (r->type == STMEXEC_RANGE_PCI) {
		snprintf(text, sizeof(text), "%02x:%02x.%x", r->pci_bus,
			 r->pci_dev, r->pci_fn);
		json_str(j, "pci", text);
	} else {
		json_hex(j, "base", r->base);
		json_hex(j, "length", r->length);
		if (r->length)
			json_hex(j, "last", r->base + r->length - 1);
	}
	json_str(j, bios ? "claim" : "deny", r->access ? access_str(r->access, a) : "");
	json_arr_begin(j, "flags");
	for (i = 0; i < ARRAY_SIZE(rflags); i++)
		if (r->flags & rflags[i].bit)
			json_str(j, NULL, rflags[i].name);
	json_arr_end(j);
	if (bios)
		format_bios(r, text, sizeof(text));
	else
		format_range(r, text, sizeof(text));
	json_str(j, "text", text);
	json_obj_end(j);
}

#define ALL_OR_NOTHING " (nothing was changed: all or nothing)"

/* protect and unprotect: the same request with another ioctl and words. */
struct change_op {
	const char *what;	/* the command, in messages */
	const char *done;	/* the output line's prefix */
	unsigned long cmd;
};

static const struct change_op op_protect = {
	"protect", "protected", STMEXEC_PROTECT,
};

static const struct change_op op_unprotect = {
	"unprotect", "unprotected", STMEXEC_UNPROTECT,
};

/*
 * "; it overlaps firmware descriptor [N] TEXT" at @off of @extra, naming
 * the descriptor if GET_BIOS_RESOURCES can (best effort).
 */
static void name_bios(int fd, uint32_t idx, char *extra, size_t len, size_t off)
{
	struct stmexec_range_array b;
	struct stmexec_range *bios;
	unsigned int cnt = 0;
	char text[160];

	bios = calloc(idx + 1, sizeof(*bios));
	memset(&b, 0, sizeof(b));
	b.ranges_ptr = (uintptr_t)bios;
	b.count = idx + 1;
	if (bios && !dev_ioctl_try(fd, STMEXEC_GET_BIOS_RESOURCES, &b)) {
		cnt = b.count < idx + 1 ? b.count : idx + 1;
		if (idx < cnt) {
			format_bios(&bios[idx], text, sizeof(text));
			snprintf(extra + off, len - off,
				 "%sit overlaps firmware descriptor [%u] %s",
				 off ? "; " : "", idx, text);
		}
	}
	if (!cnt)
		snprintf(extra + off, len - off,
			 "%sit overlaps firmware descriptor [%u] (see 'stmexec bios')",
			 off ? "; " : "", idx);
	free(bios);
}

/* Exit for a refused request: the offending range, the firmware's. */
__noreturn
static void change_fail(int fd, const struct change_op *op, int err,
			const struct stmexec_range_array *arr,
			const struct stmexec_range *rs, int n)
{
	char text[160], extra[512];
	size_t off = 0;

	extra[0] = '\0';
	if (arr->err_index < (uint32_t)n) {
		format_range(&rs[arr->err_index], text, sizeof(text));
		off += (size_t)snprintf(extra, sizeof(extra),
					"offending range %u: %s%s",
					arr->err_index, text,
					n > 1 ? ALL_OR_NOTHING : "");
	}
	if (err == EADDRINUSE && arr->bios_index != ~0u && off < sizeof(extra))
		name_bios(fd, arr->bios_index, extra, sizeof(extra), off);
	ioctl_fail(err, op->what, extra);
}

static int change(const struct change_op *op, int argc, char **argv)
{
	const char *what = op->what;
	char err[PARSE_ERR_LEN], text[160];
	struct stmexec_range_array arr;
	struct stmexec_range *rs;
	int n, fd, ret, i;

	if (argc == 0)
		cli_usage_err("%s needs a range, e.g. '%s mem 0x100000+2M deny=w'", what, what);
	n = parse_range_list(argc, argv, &rs, err, sizeof(err));
	if (n == PARSE_EINVAL) {
		/* refused as the kernel would refuse it, without asking it */
		cli_err("%s failed: %s (%s)", what, errno_name(EINVAL),
			strerror(EINVAL));
		cli_fatal_err(EX_FAIL, "%s: %s", what, err);
	}
	if (n < 0)
		cli_usage_err("%s: %s", what, err);

	fd = dev_open(O_RDONLY);
	memset(&arr, 0, sizeof(arr));
	arr.ranges_ptr = (uintptr_t)rs;
	arr.count = (uint32_t)n;
	arr.err_index = ~0u;
	arr.bios_index = ~0u;
	ret = dev_ioctl_try(fd, op->cmd, &arr);
	if (ret)
		change_fail(fd, op, -ret, &arr, rs, n);
	close(fd);
	for (i = 0; i < n; i++) {
		format_range(&rs[i], text, sizeof(text));
		printf("%s: %s\n", op->done, text);
	}
	free(rs);
	return EX_OK;
}

int cmd_protect(struct opts *o, int argc, char **argv)
{
	(void)o;
	return change(&op_protect, argc, argv);
}

int cmd_unprotect(struct opts *o, int argc, char **argv)
{
	(void)o;
	return change(&op_unprotect, argc, argv);
}

static int list(struct opts *o, int argc, char **argv, bool bios)
{
	const char *cmd = bios ? "bios" : "ranges";
	struct stmexec_range *r;
	unsigned int n, i;
	char text[160];
	int fd;

	if (argc > 0)
		cli_usage_err("%s takes no arguments (got '%s')", cmd, argv[0]);
	fd = dev_open(O_RDONLY);
	r = dev_get_ranges(fd, bios ? STMEXEC_GET_BIOS_RESOURCES : STMEXEC_LIST_RANGES,
			   &n, bios ? "bios (GET_BIOS_RESOURCES)" : "ranges (LIST_RANGES)");
	close(fd);

	if (o->json) {
		struct json j;

		json_init(&j, stdout, true);
		json_obj_begin(&j, NULL);
		json_u64(&j, "count", n);
		json_arr_begin(&j, bios ? "resources" : "ranges");
		for (i = 0; i < n; i++)
			json_range(&j, &r[i], bios);
		json_arr_end(&j);
		json_obj_end(&j);
		json_end(&j);
		free(r);
		return EX_OK;
	}
	if (n == 0)
		printf("%s\n", bios ? "the firmware lists no resources" : "no protected ranges");
	for (i = 0; i < n; i++) {
		if (bios) {
			format_bios(&r[i], text, sizeof(text));
			printf("%u: %s\n", r[i].index, text);
		} else {
			format_range(&r[i], text, sizeof(text));
			/* the kernel's form: flags after the range */
			printf("%s%s\n", text, r[i].flags & STMEXEC_RF_POLICY ? " policy" : "");
		}
	}
	free(r);
	return EX_OK;
}

int cmd_ranges(struct opts *o, int argc, char **argv)
{
	return list(o, argc, argv, false);
}

int cmd_bios(struct opts *o, int argc, char **argv)
{
	return list(o, argc, argv, true);
}
