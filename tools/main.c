// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec - control the STM executive monitor (/dev/stmexec).
 *
 * usage: stmexec [--json] COMMAND [ARGS]   (see print_usage() or stmexec(8))
 */
#include <stdlib.h>
#include <string.h>
#include "cli.h"

struct command {
	const char *name;
	int (*fn)(struct opts *o, int argc, char **argv);
	bool json;	/* accepts --json */
	const char *args;
	const char *what;
};

static int cmd_help(struct opts *o, int argc, char **argv);

static const struct command commands[] = {
	{ "status", cmd_status, true, "", "state, backend, CPUs, counters, last error" },
	{ "check", cmd_check, true, "", "what the CPU and firmware offer, with hints" },
	{ "enable", cmd_enable, false, "", "start the monitor on every online CPU" },
	{ "disable", cmd_disable, false, "", "stop the monitor on every CPU" },
	{ "protect", cmd_protect, false, "RANGE...", "deny SMM access (all or nothing)" },
	{ "unprotect", cmd_unprotect, false, "RANGE...", "remove ranges as 'ranges' lists them" },
	{ "apply", cmd_apply, false, "[--check] FILE|DIR...",
	  "protect the ranges of policy files, one per line (all or nothing)" },
	{ "ranges", cmd_ranges, true, "", "list the protected ranges" },
	{ "bios", cmd_bios, true, "", "list the resources the firmware claims" },
	{ "log", cmd_log, true, "[-f] [-n N] | setup|start|stop|clear",
	  "read violation records (each reader sees every record)" },
	{ "version", cmd_version, true, "", "CLI and module ABI versions, features" },
	{ "report", cmd_report, true, "[--save FILE|-]",
	  "SMM isolation report, level and verified SHA-256 digest" },
	{ "attest", cmd_attest, true, "[REPORT_FILE]",
	  "the report's IMA entries, PCR 10 replay, digest checks" },
	{ "help", cmd_help, false, "[COMMAND]", "this text" },
};

#define NCMDS (ARRAY_SIZE(commands))

static const struct command *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < NCMDS; i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

static void print_usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"usage: stmexec [--json] COMMAND [ARGS]\n"
		"\n"
		"Control the STM executive monitor through /dev/stmexec (needs root).\n"
		"\n"
		"commands:\n");
	for (i = 0; i < NCMDS; i++) {
		char head[64];

		snprintf(head, sizeof(head), "%s %s", commands[i].name, commands[i].args);
		fprintf(f, "  %-42s %s\n", head, commands[i].what);
	}
	fprintf(f,
		"\n"
		"RANGE (several may follow each other; all are applied or none):\n"
		"  mem|mmio BASE[+SIZE|-LAST] [deny=ACC]  e.g. mem 0x100000+2M deny=w\n"
		"                                         (bare BASE: one 4 KiB page)\n"
		"  io PORT[+COUNT|-LAST] [deny=ACC]       e.g. io 0x60-0x64\n"
		"  msr INDEX [deny=ACC]                   e.g. msr 0x1a0 deny=rw\n"
		"  pci [0000:][BB:]DD.F [deny=ACC]        e.g. pci 00:1f.0\n"
		"  numbers: 0x hex or decimal; BASE/SIZE take K, M, G, T (x1024);\n"
		"  LAST is inclusive; ACC: r, w, x (x: mem/mmio only);\n"
		"  default deny=rwx for mem/mmio, deny=rw for io, msr and pci\n"
		"\n"
		"options:\n"
		"  -j, --json      JSON output (status, check, ranges, bios, log, version)\n"
		"  -f, --follow    log: wait for new records (JSON: one object per line)\n"
		"  -n, --count N   log: stop after N records\n"
		"  -h, --help      this text\n"
		"\n"
		"exit status: 0 ok, 1 the operation failed (kernel errno), 2 usage error,\n"
		"             3 module not loaded / no /dev/stmexec, 4 permission denied\n"
		"\n"
		"See stmexec(8).\n");
}

#define RANGE_HELP \
	"\n  RANGE: mem|mmio BASE[+SIZE|-LAST], io PORT[+COUNT|-LAST],\n" \
	"         msr INDEX, pci [0000:][BB:]DD.F; each optionally deny=r|w|x\n" \
	"         (default deny=rwx for mem/mmio, rw otherwise).\n" \
	"         Example: protect mem 0x100000+2M deny=w\n"

static int cmd_help(struct opts *o, int argc, char **argv)
{
	size_t i;

	(void)o;
	if (argc > 1)
		cli_usage_err("help takes at most one command name");
	if (argc == 1) {
		for (i = 0; i < NCMDS; i++) {
			if (!strcmp(argv[0], commands[i].name)) {
				printf("usage: stmexec%s %s %s\n  %s\n",
				       commands[i].json ? " [--json]" : "",
				       commands[i].name, commands[i].args,
				       commands[i].what);
				if (!strcmp(argv[0], "protect") || !strcmp(argv[0], "unprotect"))
					fputs(RANGE_HELP, stdout);
				return EX_OK;
			}
		}
		cli_usage_err("help: unknown command '%s'", argv[0]);
	}
	print_usage(stdout);
	return EX_OK;
}

int main(int argc, char **argv)
{
	struct opts o = { .count = -1 };
	const struct command *cmd = NULL;
	char **rest;
	int nrest = 0, i;
	bool dashdash = false;

	rest = calloc((size_t)argc + 1, sizeof(*rest));
	if (!rest)
		cli_fatal_err(EX_FAIL, "out of memory");

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!dashdash && !strcmp(a, "--")) {
			dashdash = true;
			continue;
		}
		if (!dashdash && (!strcmp(a, "--json") || !strcmp(a, "-j"))) {
			o.json = true;
			continue;
		}
		if (!dashdash && (!strcmp(a, "--help") || !strcmp(a, "-h"))) {
			if (cmd && cmd->fn != cmd_help) {
				rest[0] = (char *)cmd->name;
				return cmd_help(&o, 1, rest);
			}
			print_usage(stdout);
			return EX_OK;
		}
		if (!dashdash && (!strcmp(a, "--version") || !strcmp(a, "-V")) && !cmd) {
			cmd = find_cmd("version");
			continue;
		}
		if (!cmd) {
			if (a[0] == '-' && !dashdash)
				cli_usage_err("unknown option '%s' before the command", a);
			cmd = find_cmd(a);
			if (!cmd)
				cli_usage_err("unknown command '%s'", a);
			continue;
		}
		rest[nrest++] = argv[i];
	}
	if (!cmd) {
		print_usage(stderr);
		return EX_USAGE;
	}
	if (o.json && !cmd->json)
		cli_usage_err("--json applies to the read commands (status, check, ranges, bios, log, version, report, attest), not to '%s'",
			      cmd->name);
	return cmd->fn(&o, nrest, rest);
}
