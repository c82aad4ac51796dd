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

static int change(int argc, char **argv, bool protect)
{
	const char *what = protect ? "protect" : "unprotect";
	char err[PARSE_ERR_LEN], text[160], extra[512];
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
	ret = dev_ioctl_try(fd, protect ? STMEXEC_PROTECT : STMEXEC_UNPROTECT, &arr);
	if (ret) {
		size_t off = 0;

		extra[0] = '\0';
		if (arr.err_index < (uint32_t)n) {
			format_range(&rs[arr.err_index], text, sizeof(text));
			off += (size_t)snprintf(extra, sizeof(extra),
						"offending range %u: %s%s",
						arr.err_index, text,
						n > 1 ? ALL_OR_NOTHING : "");
		}
		if (-ret == EADDRINUSE && arr.bios_index != ~0u && off < sizeof(extra)) {
			struct stmexec_range_array b;
			struct stmexec_range *bios;
			unsigned int cnt = 0;

			/* best effort: name the firmware descriptor */
			bios = calloc(arr.bios_index + 1, sizeof(*bios));
			memset(&b, 0, sizeof(b));
			b.ranges_ptr = (uintptr_t)bios;
			b.count = arr.bios_index + 1;
			if (bios && !dev_ioctl_try(fd, STMEXEC_GET_BIOS_RESOURCES, &b)) {
				cnt = b.count < arr.bios_index + 1 ? b.count : arr.bios_index + 1;
				if (arr.bios_index < cnt) {
					format_bios(&bios[arr.bios_index], text, sizeof(text));
					snprintf(extra + off, sizeof(extra) - off,
						 "%sit overlaps firmware descriptor [%u] %s",
						 off ? "; " : "", arr.bios_index, text);
				}
			}
			if (!cnt)
				snprintf(extra + off, sizeof(extra) - off,
					 "%sit overlaps firmware descriptor [%u] (see 'stmexec bios')",
					 off ? "; " : "", arr.bios_index);
			free(bios);
		}
		ioctl_fail(-ret, what, extra);
	}
	close(fd);
	for (i = 0; i < n; i++) {
		format_range(&rs[i], text, sizeof(text));
		printf("%s: %s\n", protect ? "protected" : "unprotected", text);
	}
	free(rs);
	return EX_OK;
}

int cmd_protect(struct opts *o, int argc, char **argv)
{
	(void)o;
	return change(argc, argv, true);
}

int cmd_unprotect(struct opts *o, int argc, char **argv)
{
	(void)o;
	return change(argc, argv, false);
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
