// SPDX-License-Identifier: GPL-2.0
/*
 * Inputs for tests/golden_test.sh: what the module and the kernel would
 * give 'stmexec log', 'report' and 'attest', as files in a directory so
 * that the CLI reads them through STMEXEC_DEV, STMEXEC_SYSFS,
 * STMEXEC_IMA_DIR and STMEXEC_PCR10 on the host, without the module.
 *
 *   log.bin       log records of every type, flag, resource and a gap
 *   log-bad.bin   a read that is not a whole number of records
 *   rep-VARIANT/  isolation_report{,_canonical}, attestation, ima/, pcr,
 *                 pcr-bad: a canonical report with BIOS descriptors of
 *                 every type, blockers, classes, and an IMA log with
 *                 stmexec entries (formats: stmexec-policy.rst and
 *                 stmexec-attestation.rst in Documentation/admin-guide/)
 *
 * usage: cli_fixtures DIR
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"

#define NR_RECORDS	40
#define REP_MAX		4096
#define IMA_MAX		4096

struct buf {
	uint8_t b[REP_MAX];
	size_t n;
};

static const char *dir;

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->n + n > sizeof(b->b)) {
		fprintf(stderr, "cli_fixtures: buffer too small\n");
		exit(1);
	}
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void put8(struct buf *b, uint8_t v)
{
	put(b, &v, 1);
}

static void put16(struct buf *b, uint16_t v)
{
	put8(b, (uint8_t)v);
	put8(b, (uint8_t)(v >> 8));
}

static void put32(struct buf *b, uint32_t v)
{
	put16(b, (uint16_t)v);
	put16(b, (uint16_t)(v >> 16));
}

static void put64(struct buf *b, uint64_t v)
{
	put32(b, (uint32_t)v);
	put32(b, (uint32_t)(v >> 32));
}

static void write_file(const char *sub, const char *name, const void *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s%s%s", dir, sub, *sub ? "/" : "", name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f)) {
		fprintf(stderr, "cli_fixtures: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void make_dir(const char *sub)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if (mkdir(path, 0755) && errno != EEXIST) {
		fprintf(stderr, "cli_fixtures: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void make_log(void)
{
	struct stmexec_log_record r[NR_RECORDS];
	unsigned int i;

	memset(r, 0, sizeof(r));
	for (i = 0; i < NR_RECORDS; i++) {
		r[i].serial = i + 1;
		r[i].timestamp_ns = 1234567890123ULL * i;
		r[i].type = i % 12;
		r[i].cpu = i % 7 == 3 ? 0xffffffffu : i % 4;
		r[i].flags = i % 8;
		r[i].payload_len = i % 20;
		if (i % 13 == 5) {
			r[i].type = STMEXEC_REC_GAP;
			r[i].lost = i % 3;
		}
		r[i].rsc_type = i % 9;
		r[i].access = i % 8;
		r[i].addr = 0x1000ULL * i + (i % 3 ? 0x12345 : 0);
		r[i].len = i % 5;
		memset(r[i].payload, (int)i, sizeof(r[i].payload));
	}
	write_file("", "log.bin", r, sizeof(r));
	write_file("", "log-bad.bin", "abc", 3);
}

/* A BIOS descriptor: type, length, flags, then @body. */
static void desc(struct buf *b, uint32_t type, uint16_t flags, const struct buf *body)
{
	put32(b, type);
	put16(b, (uint16_t)(8 + body->n));
	put16(b, flags);
	put(b, body->b, body->n);
}

static void make_bios(struct buf *bios, bool bad)
{
	static const uint8_t pci_bridged[] = {
		3, 0, 0x10, 0, 0x40, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0x1f,
	};
	static const uint8_t pci[] = { 1, 0, 4, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 3, 2 };
	struct buf d;

	d.n = 0;
	put64(&d, 0xa0000); put64(&d, 0x20000); put32(&d, 3); put32(&d, 0);
	desc(bios, STMEXEC_RANGE_MEM, 0, &d);
	d.n = 0;
	put64(&d, 0xfed00000); put64(&d, 0x1000); put32(&d, 7); put32(&d, 0);
	desc(bios, STMEXEC_RANGE_MMIO, 0x8000, &d);	/* ignored */
	d.n = 0;
	put16(&d, 0x60); put16(&d, 5); put32(&d, 0);
	desc(bios, STMEXEC_RANGE_IO, 0, &d);
	d.n = 0;
	put16(&d, 0xb2); put16(&d, 2); put8(&d, 7); put8(&d, 0); put16(&d, 0);
	desc(bios, STMEXEC_RANGE_TRAPPED_IO, 0, &d);
	d.n = 0;
	put32(&d, 0x1a0); put32(&d, 1); put64(&d, 1); put64(&d, 0);
	desc(bios, STMEXEC_RANGE_MSR, 0, &d);
	d.n = 0;
	put(&d, pci_bridged, sizeof(pci_bridged));
	desc(bios, STMEXEC_RANGE_PCI, 0, &d);
	d.n = 0;
	put(&d, pci, sizeof(pci));
	desc(bios, STMEXEC_RANGE_PCI, 0, &d);
	d.n = 0;
	put64(&d, 0);
	desc(bios, 9, 0, &d);				/* unknown type */
	if (bad)
		desc(bios, STMEXEC_RANGE_MEM, 0, &d);	/* too short */
}

static void section(struct buf *rep, uint32_t tag, const struct buf *s)
{
	static const uint8_t pad[8];

	put32(rep, tag);
	put32(rep, (uint32_t)s->n);
	put(rep, s->b, s->n);
	put(rep, pad, (8 - s->n % 8) % 8);
}

static void make_report(struct buf *rep, const char *v)
{
	static const uint32_t blk[][2] = {
		{ 0, 0xffffffffu }, { 3, 0 }, { 3, 4 }, { 4, 1 }, { 8, 5 }, { 8, 6 },
		{ 9, 2 }, { 9, 3 }, { 9, 7 }, { 9, 8 }, { 2, 99 },
	};
	struct buf s;
	uint32_t k;

	rep->n = 0;
	put(rep, strcmp(v, "badmagic") ? "STMXREP1" : "STMXREP2", 8);
	put32(rep, 1);
	put32(rep, 0);				/* length, below */
	s.n = 0;
	put32(&s, 1); put32(&s, 2); put32(&s, 3); put32(&s, strcmp(v, "off") ? 2 : 0);
	section(rep, 1, &s);			/* STM */
	s.n = 0;
	make_bios(&s, !strcmp(v, "badbios"));
	section(rep, 2, &s);			/* BIOS */
	s.n = 0;
	put32(&s, 4); put32(&s, 2); put32(&s, !strcmp(v, "fail"));
	put32(&s, strcmp(v, "low") ? 0xffffffffu : 3);
	section(rep, 3, &s);			/* policy */
	s.n = 0;
	for (k = 0; k < 8; k++) {
		put32(&s, k); put32(&s, 1 + k % 5); put32(&s, k % 8); put32(&s, k * 3);
		put64(&s, k * 4096ULL);
	}
	section(rep, 4, &s);			/* classes */
	s.n = 0;
	put(&s, "\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1"
		"\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1", 64);
	section(rep, 6, &s);			/* user ranges */
	s.n = 0;
	put32(&s, 2); put32(&s, 0x2a5); put32(&s, ARRAY_SIZE(blk)); put32(&s, 0);
	for (k = 0; k < ARRAY_SIZE(blk); k++) {
		put32(&s, blk[k][0]);
		put32(&s, blk[k][1]);
	}
	section(rep, 7, &s);			/* result */
	rep->b[12] = (uint8_t)rep->n;
	rep->b[13] = (uint8_t)(rep->n >> 8);
}

/* An IMA event; @viol: an all-zero template digest (a violation). */
static void ima_event(struct buf *log, uint8_t pcr[SHA256_LEN], uint32_t pcrno,
		      const char *tmpl, const struct buf *data, bool viol)
{
	uint8_t tdig[20], d[SHA256_LEN];
	struct sha256_ctx c;

	memset(tdig, viol ? 0 : 0x5a, sizeof(tdig));
	put32(log, pcrno);
	put(log, tdig, sizeof(tdig));
	put32(log, (uint32_t)strlen(tmpl));
	put(log, tmpl, strlen(tmpl));
	put32(log, (uint32_t)data->n);
	put(log, data->b, data->n);
	if (pcrno != 10)
		return;
	if (viol)
		memset(d, 0xff, sizeof(d));
	else
		sha256(data->b, data->n, d);
	sha256_init(&c);
	sha256_update(&c, pcr, SHA256_LEN);
	sha256_update(&c, d, SHA256_LEN);
	sha256_final(&c, pcr);
}

/* ima-buf data: d-ng "sha256:\0" + @hash (sha256(@b) if NULL), n-ng, buf. */
static void ima_buf(struct buf *data, const char *name, const void *b, size_t n,
		    const uint8_t *hash)
{
	uint8_t h[SHA256_LEN];

	if (!hash)
		sha256(b, n, h);
	data->n = 0;
	put32(data, 8 + SHA256_LEN);
	put(data, "sha256:", 8);
	put(data, hash ? hash : h, SHA256_LEN);
	put32(data, (uint32_t)strlen(name));
	put(data, name, strlen(name));
	put32(data, (uint32_t)n);
	put(data, b, n);
}

static void make_ima(const char *sub, const char *v, const struct buf *rep)
{
	uint8_t dg[SHA256_LEN], rev[SHA256_LEN], ones[SHA256_LEN], pcr[SHA256_LEN] = { 0 };
	char hex[2 * SHA256_LEN + 2], ima[512];
	struct buf log = { .n = 0 }, data;
	unsigned int i;

	sha256(rep->b, rep->n, dg);
	for (i = 0; i < SHA256_LEN; i++)
		rev[i] = dg[SHA256_LEN - 1 - i];
	memset(ones, 1, sizeof(ones));
	data.n = 0;
	put(&data, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 50);
	ima_event(&log, pcr, 10, "ima-ng", &data, false);
	ima_buf(&data, "stmexec-report-boot", dg, SHA256_LEN, NULL);
	ima_event(&log, pcr, 11, "ima-buf", &data, false);
	data.n = 0;
	put(&data, "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", 30);
	ima_event(&log, pcr, 10, "ima-ng", &data, true);
	ima_buf(&data, "other-event", dg, SHA256_LEN, NULL);
	ima_event(&log, pcr, 10, "ima-buf", &data, false);
	ima_buf(&data, "stmexec-report-1", "short buffer", 12, NULL);
	ima_event(&log, pcr, 10, "ima-buf", &data, false);
	ima_buf(&data, "stmexec-report-2", rev, SHA256_LEN, ones);
	ima_event(&log, pcr, 10, "ima-buf", &data, false);
	if (!strcmp(v, "stale"))
		sha256("old", 3, dg);
	ima_buf(&data, "stmexec-report-3", dg, SHA256_LEN, NULL);
	ima_event(&log, pcr, 10, "ima-buf", &data, false);
	snprintf(ima, sizeof(ima), "%s/ima", sub);
	make_dir(ima);
	write_file(ima, "binary_runtime_measurements", log.b,
		   log.n - (strcmp(v, "trunc") ? 0 : 5));
	sha256_hex(pcr, hex);
	for (i = 0; hex[i]; i++)
		hex[i] = (char)(hex[i] >= 'a' ? hex[i] - 'a' + 'A' : hex[i]);
	strcat(hex, "\n");
	write_file(sub, "pcr", hex, strlen(hex));
	memset(hex, '0', 2 * SHA256_LEN);
	write_file(sub, "pcr-bad", hex, strlen(hex));
}

static void make_variant(const char *v)
{
	uint8_t dg[SHA256_LEN];
	char sub[64], hex[2 * SHA256_LEN + 1], text[256];
	struct buf rep;

	snprintf(sub, sizeof(sub), "rep-%s", v);
	make_dir(sub);
	make_report(&rep, v);
	write_file(sub, "isolation_report_canonical", rep.b, rep.n);
	sha256(rep.b, rep.n, dg);
	sha256_hex(dg, hex);
	if (!strcmp(v, "mismatch"))
		memset(hex, '0', 2 * SHA256_LEN);
	snprintf(text, sizeof(text),
		 "SMM isolation report (fixture %s)\nlevel: 2\ndigest: sha256:%s\n", v, hex);
	write_file(sub, "isolation_report", text, strlen(text));
	write_file(sub, "attestation", "measured\n", 9);
	make_ima(sub, v, &rep);
}

int main(int argc, char **argv)
{
	static const char *const variants[] = {
		"ok", "fail", "low", "off", "badbios", "badmagic", "stale", "trunc",
		"mismatch",
	};
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: cli_fixtures DIR\n");
		return 2;
	}
	dir = argv[1];
	make_dir("");
	make_log();
	for (i = 0; i < ARRAY_SIZE(variants); i++)
		make_variant(variants[i]);
	return 0;
}
