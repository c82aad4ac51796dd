// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec CLI: log (read and decode violation records), log setup, start,
 * stop, clear.
 *
 * Each open file of /dev/stmexec has its own read cursor: 'stmexec log'
 * shows every record the module still holds, whatever another reader (a
 * logging daemon) took; after it, the records it read count as read for
 * the next 'stmexec log' when no other reader is open. read(2) fails with
 * ENXIO when there is no log (monitor off, or no LOG_SETUP): without
 * --follow that is the end of the records, as EAGAIN is.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

#define BATCH 64

static void describe(const struct stmexec_log_record *rec, char *buf, size_t len)
{
	unsigned long long addr = rec->addr, l = rec->len;

	buf[0] = '\0';
	if (rec->type == STMEXEC_EVT_INVALID_PARAMETER && rec->payload_len >= 4) {
		uint32_t eax;

		memcpy(&eax, rec->payload, 4);
		snprintf(buf, len, "failed vmcall 0x%08x", eax);
		return;
	}
	if (!rec->rsc_type)
		return;
	switch (rec->rsc_type) {
	case STMEXEC_RANGE_IO:
	case STMEXEC_RANGE_TRAPPED_IO:
		if (l <= 1)
			snprintf(buf, len, "%s 0x%llx", range_type_name(rec->rsc_type), addr);
		else
			snprintf(buf, len, "%s 0x%llx-0x%llx",
				 range_type_name(rec->rsc_type), addr, addr + l - 1);
		break;
	case STMEXEC_RANGE_MSR:
		snprintf(buf, len, "msr 0x%llx", addr);
		break;
	case STMEXEC_RANGE_PCI:
		/* addr is ECAM-style: bus << 20 | dev << 15 | fn << 12 | reg */
		snprintf(buf, len, "pci %02llx:%02llx.%llx reg 0x%llx+0x%llx",
			 (addr >> 20) & 0xff, (addr >> 15) & 0x1f, (addr >> 12) & 7,
			 addr & 0xfff, l);
		break;
#ifdef STMEXEC_RANGE_REGISTER
	case STMEXEC_RANGE_REGISTER:
		snprintf(buf, len, "register cr%llu", addr);
		break;
#endif
	case STMEXEC_RANGE_ALL:
		snprintf(buf, len, "all");
		break;
	default:
		snprintf(buf, len, "%s 0x%llx+0x%llx", range_type_name(rec->rsc_type),
			 addr, l);
	}
}

#define GAP_FMT "#%-6llu !!! GAP: %llu RECORD%s LOST (serial %llu-%llu): %s !!!\n"
#define GAP_WRAPPED "the STM overwrote them before they were read"
#define GAP_DROPPED "the kernel ring was full (reader too slow) or the log was cleared"
#define LOG_NOT_RUNNING \
	"the event log is not running: 'stmexec enable' starts it (or 'stmexec log setup' + 'stmexec log start')"

/* " access=rw" for records that carry access bits, else nothing. */
static void append_access(const struct stmexec_log_record *rec, char *buf, size_t len)
{
	size_t n = strlen(buf);
	char a[4];

	if (rec->access && n && n < len)
		snprintf(buf + n, len - n, " access=%s", access_str(rec->access, a));
}

static void print_record(const struct stmexec_log_record *rec)
{
	char what[160], cpu[16];
	unsigned long long ts = rec->timestamp_ns;

	if (rec->type == STMEXEC_REC_GAP) {
		printf(GAP_FMT,
		       (unsigned long long)rec->serial, (unsigned long long)rec->lost,
		       rec->lost == 1 ? "" : "S", (unsigned long long)rec->serial,
		       (unsigned long long)(rec->serial + (rec->lost ? rec->lost - 1 : 0)),
		       rec->flags & STMEXEC_LRF_WRAPPED ? GAP_WRAPPED : GAP_DROPPED);
		return;
	}
	if (rec->cpu == 0xffffffffu)
		snprintf(cpu, sizeof(cpu), "cpu?");
	else
		snprintf(cpu, sizeof(cpu), "cpu%u", rec->cpu);
	describe(rec, what, sizeof(what));
	append_access(rec, what, sizeof(what));
	printf("#%-6llu %5llu.%06llu %-5s %-*s%s%s%s%s\n",
	       (unsigned long long)rec->serial, ts / 1000000000ULL,
	       (ts % 1000000000ULL) / 1000ULL, cpu, what[0] ? 21 : 0,
	       event_name(rec->type), what,
	       rec->flags & STMEXEC_LRF_WRAPPED ? " [wrapped]" : "",
	       rec->flags & STMEXEC_LRF_TRUNCATED ? " [truncated]" : "",
	       rec->flags & STMEXEC_LRF_LATE ? " [late: not lost after all]" : "");
}

static void json_record(struct json *j, const struct stmexec_log_record *rec)
{
	static const char hex[] = "0123456789abcdef";
	char payload[2 * STMEXEC_LOG_PAYLOAD + 1];
	uint32_t i, n = rec->payload_len;

	if (n > STMEXEC_LOG_PAYLOAD)
		n = STMEXEC_LOG_PAYLOAD;
	json_obj_begin(j, NULL);
	json_u64(j, "serial", rec->serial);
	json_u64(j, "timestamp_ns", rec->timestamp_ns);
	json_str(j, "type", event_name(rec->type));
	json_u64(j, "type_id", rec->type);
	if (rec->cpu == 0xffffffffu)
		json_null(j, "cpu");
	else
		json_u64(j, "cpu", rec->cpu);
	json_arr_begin(j, "flags");
	if (rec->flags & STMEXEC_LRF_WRAPPED)
		json_str(j, NULL, "wrapped");
	if (rec->flags & STMEXEC_LRF_TRUNCATED)
		json_str(j, NULL, "truncated");
	if (rec->flags & STMEXEC_LRF_LATE)
		json_str(j, NULL, "late");
	json_arr_end(j);
	json_u64(j, "lost", rec->lost);
	if (rec->rsc_type) {
		char a[4];

		json_obj_begin(j, "resource");
		json_str(j, "type", range_type_name(rec->rsc_type));
		json_hex(j, "addr", rec->addr);
		json_hex(j, "len", rec->len);
		json_obj_end(j);
		json_str(j, "access", rec->access ? access_str(rec->access, a) : "");
	} else {
		json_null(j, "resource");
		json_null(j, "access");
	}
	for (i = 0; i < n; i++) {
		payload[2 * i] = hex[rec->payload[i] >> 4];
		payload[2 * i + 1] = hex[rec->payload[i] & 15];
	}
	payload[2 * n] = '\0';
	json_str(j, "payload", payload);
	json_obj_end(j);
}

static int parse_count(const char *s, long *out)
{
	uint64_t v;

	if (parse_u64(s, &v) || v > 0x7fffffff)
		return -1;
	*out = (long)v;
	return 0;
}

static int log_ctl(const char *sub, int argc, char **argv)
{
	static const struct {
		const char *name;
		unsigned long cmd;
	} ctl[] = {
		{ "start", STMEXEC_LOG_START },
		{ "stop", STMEXEC_LOG_STOP },
		{ "clear", STMEXEC_LOG_CLEAR },
	};
	char what[32];
	size_t i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(ctl); i++) {
		if (strcmp(sub, ctl[i].name))
			continue;
		if (argc > 0)
			cli_usage_err("log %s takes no arguments (got '%s')", sub, argv[0]);
		fd = dev_open(O_RDONLY);
		snprintf(what, sizeof(what), "log %s", sub);
		dev_ioctl(fd, ctl[i].cmd, NULL, what);
		close(fd);
		printf("log %s: done\n", sub);
		return EX_OK;
	}
	return -1;
}

static int parse_events(const char *s, uint32_t *mask)
{
	uint64_t v;
	char buf[256], *t, *save = NULL;
	uint32_t m = 0, i;

	if (!parse_u64(s, &v)) {
		if (v > 0xffffffffULL)
			return -1;
		*mask = (uint32_t)v;
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	for (t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!strcmp(t, "all")) {
			m |= 0x3ff;
			continue;
		}
		for (i = 0; i < 10; i++)
			if (!strcmp(t, event_name(i)))
				break;
		if (i == 10)
			return -1;
		m |= 1u << i;
	}
	*mask = m;
	return 0;
}

static int log_setup(int argc, char **argv)
{
	struct stmexec_log_setup ls;
	uint64_t v;
	int i, fd;

	memset(&ls, 0, sizeof(ls));
	ls.pages = 1;
	ls.event_mask = 0x3ff;
	for (i = 0; i < argc; i++) {
		const char *arg = argv[i], *val = strchr(arg, '=');
		char key[16];

		if (!val) {
			if (i + 1 >= argc)
				cli_usage_err("log setup: '%s' needs a value", arg);
			val = argv[++i];
			snprintf(key, sizeof(key), "%s", arg);
		} else {
			snprintf(key, sizeof(key), "%.*s", (int)(val - arg), arg);
			val++;
		}
		if (!strcmp(key, "--pages") || !strcmp(key, "pages")) {
			if (parse_u64(val, &v) || v < 1 || v > 510)
				cli_usage_err("log setup: pages must be 1..510 (got '%s')", val);
			ls.pages = (uint32_t)v;
		} else if (!strcmp(key, "--events") || !strcmp(key, "events")) {
			if (parse_events(val, &ls.event_mask))
				cli_usage_err("log setup: events is a mask (e.g. 0x3ff) or a comma list of event names or 'all' (got '%s')",
					      val);
		} else if (!strcmp(key, "--ring") || !strcmp(key, "ring")) {
			if (parse_u64(val, &v) || v > 0xffffffffULL)
				cli_usage_err("log setup: ring is a number of records (got '%s')",
					      val);
			ls.ring_records = (uint32_t)v;
		} else {
			cli_usage_err("log setup: unknown option '%s' (pages=N, events=MASK, ring=N)",
				      arg);
		}
	}
	fd = dev_open(O_RDONLY);
	dev_ioctl(fd, STMEXEC_LOG_SETUP, &ls, "log setup");
	close(fd);
	printf("log setup: %u page%s, events 0x%x, ring %u%s\n", ls.pages,
	       ls.pages == 1 ? "" : "s", ls.event_mask, ls.ring_records,
	       ls.ring_records ? " records" : " (default)");
	return EX_OK;
}

/* The options of 'log' itself: -f, -n N (also -nN, --count=N). */
static void log_read_opts(struct opts *o, int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-f") || !strcmp(a, "--follow")) {
			o->follow = true;
		} else if (!strcmp(a, "-n") || !strcmp(a, "--count")) {
			if (i + 1 >= argc || parse_count(argv[i + 1], &o->count))
				cli_usage_err("log: %s needs a number of records", a);
			i++;
		} else if (!strncmp(a, "-n", 2) && a[2]) {
			if (parse_count(a + 2, &o->count))
				cli_usage_err("log: bad count '%s'", a + 2);
		} else if (!strncmp(a, "--count=", 8)) {
			if (parse_count(a + 8, &o->count))
				cli_usage_err("log: bad count '%s'", a + 8);
		} else {
			cli_usage_err("log: unknown argument '%s'", a);
		}
	}
}

/* One 'log' read: the options, the output and what has been seen. */
struct log_reader {
	const struct opts *o;
	int fd;
	struct json j;			/* the document without --follow */
	unsigned long long got, lost;
};

/*
 * The next batch of at most @want records into @buf: their number, or 0
 * at the end of the records (none left without --follow). With --follow
 * it waits in poll(2). Exits on a read error.
 */
static size_t log_read_batch(struct log_reader *lr,
			     struct stmexec_log_record *buf, size_t want)
{
	struct pollfd p = { .fd = lr->fd, .events = POLLIN };
	bool follow = lr->o->follow;
	ssize_t n;
	int err;

	for (;;) {
		n = read(lr->fd, buf, want * sizeof(*buf));
		if (n >= 0)
			break;
		err = errno;
		if (err == EINTR)
			continue;
		if ((err == ENXIO || err == EAGAIN) && !follow)
			return 0;
		if (err != EAGAIN)
			ioctl_fail(err, "log read", err == ENXIO ? LOG_NOT_RUNNING : NULL);
		fflush(stdout);
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			cli_fatal_err(EX_FAIL, "poll on %s failed: %s",
				      dev_path(), strerror(errno));
	}
	if ((size_t)n % sizeof(*buf))
		cli_fatal_err(EX_FAIL, "read %zd bytes from %s, not a multiple of the %zu-byte record: CLI and module disagree on the ABI (see 'stmexec version')",
			      n, dev_path(), sizeof(*buf));
	return (size_t)n / sizeof(*buf);
}

/* A gap record: count the lost records and warn on stderr. */
static void log_warn_gap(struct log_reader *lr,
			 const struct stmexec_log_record *rec)
{
	lr->lost += rec->lost;
	if (!lr->o->json || lr->o->follow)
		fflush(stdout);
	cli_err("WARNING: %llu log record%s lost before serial %llu: %s",
		(unsigned long long)rec->lost, rec->lost == 1 ? "" : "s",
		(unsigned long long)(rec->serial + rec->lost),
		rec->flags & STMEXEC_LRF_WRAPPED ? GAP_WRAPPED : GAP_DROPPED);
}

/* One record in the output: text, a JSON line (--follow) or an element. */
static void log_emit(struct log_reader *lr, const struct stmexec_log_record *rec)
{
	struct json line;

	if (rec->type == STMEXEC_REC_GAP)
		log_warn_gap(lr, rec);
	if (lr->o->json && lr->o->follow) {
		json_init(&line, stdout, false);
		json_record(&line, rec);
		json_end(&line);
	} else if (lr->o->json) {
		json_record(&lr->j, rec);
	} else {
		print_record(rec);
	}
}

static void log_output_begin(struct log_reader *lr)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (lr->o->json && !lr->o->follow) {
		json_init(&lr->j, stdout, true);
		json_obj_begin(&lr->j, NULL);
		json_arr_begin(&lr->j, "records");
	}
}

static void log_output_end(struct log_reader *lr)
{
	char ev[32];

	if (lr->o->json && !lr->o->follow) {
		json_arr_end(&lr->j);
		json_u64(&lr->j, "count", lr->got);
		json_u64(&lr->j, "lost", lr->lost);
		json_obj_end(&lr->j);
		json_end(&lr->j);
	} else if (!lr->o->json && lr->got == 0 && !lr->o->follow) {
		printf("no new log records\n");
		if (sysfs_read("log/events_enabled", ev, sizeof(ev)) == 0 &&
		    (!strcmp(ev, "0x0") || !strcmp(ev, "0")))
			cli_err("note: the event log is not set up: 'stmexec log setup' then 'stmexec log start' (the monitor must be on)");
	}
}

/* Read records until the end (or -n N of them, or forever with -f). */
static void log_read_all(struct log_reader *lr)
{
	struct stmexec_log_record *buf;
	unsigned long long count = (unsigned long long)lr->o->count;
	size_t want, k, cnt;

	buf = calloc(BATCH, sizeof(*buf));
	if (!buf)
		cli_fatal_err(EX_FAIL, "out of memory");
	lr->fd = dev_open(O_RDONLY | O_NONBLOCK);
	log_output_begin(lr);
	for (;;) {
		want = BATCH;
		if (lr->o->count > 0 && count - lr->got < want)
			want = (size_t)(count - lr->got);
		cnt = log_read_batch(lr, buf, want);
		if (!cnt)
			break;
		for (k = 0; k < cnt; k++)
			log_emit(lr, &buf[k]);
		lr->got += cnt;
		if (lr->o->count > 0 && lr->got >= count)
			break;
	}
	close(lr->fd);
	log_output_end(lr);
	free(buf);
}

int cmd_log(struct opts *o, int argc, char **argv)
{
	struct log_reader lr = { .o = o };

	if (argc > 0 && argv[0][0] != '-') {
		int ret;

		if (!strcmp(argv[0], "setup"))
			return log_setup(argc - 1, argv + 1);
		ret = log_ctl(argv[0], argc - 1, argv + 1);
		if (ret >= 0)
			return ret;
		cli_usage_err("log: unknown argument '%s' (log [-f] [-n N], log setup|start|stop|clear)",
			      argv[0]);
	}
	log_read_opts(o, argc, argv);
	if (o->count == 0)
		return EX_OK;
	log_read_all(&lr);
	return EX_OK;
}
