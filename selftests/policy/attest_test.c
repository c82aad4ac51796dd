// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec attestation (backend=sim), following the verifier procedure of
 * Documentation/admin-guide/stmexec-attestation.rst step by step:
 *
 *  - with IMA measuring critical data (ima_policy=critical_data) and a TPM
 *    (the swtpm guest of attest_swtpm.sh): enable, protect, unprotect each
 *    add one stmexec entry whose 32-byte buffer (hash=true) is the digest
 *    `stmexec report` recomputes; the ascii and binary logs agree;
 *    replaying the whole log gives /sys/class/tpm/tpm0/pcr-sha256/10; the
 *    canonical report of sysfs hashes to the last entry's buffer and
 *    decodes to the current level; `stmexec attest --json` agrees;
 *    attest_pcr=23 extends PCR 23 with each measured digest; attest_pcr=
 *    takes only 16 and 23;
 *  - without (the ordinary guest): attestation is "unavailable", said once
 *    in the kernel log, and everything else works.
 *
 * STMEXEC_ATTEST_EXPECT=ima|unavailable makes the environment mandatory
 * instead of detected (attest_swtpm.sh sets it).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "sx_policy.h"
#include "sx_test.h"
#include "cli.h"	/* tools/: SHA-256 */

#define IMA_ASCII	"/sys/kernel/security/ima/ascii_runtime_measurements"
#define IMA_BINARY	"/sys/kernel/security/ima/binary_runtime_measurements"
#define TPM_PCR		"/sys/class/tpm/tpm0/pcr-sha256/"
#define PREFIX		"stmexec-report-"
#define MAXE		256

static const char *expect(void)
{
	const char *e = getenv("STMEXEC_ATTEST_EXPECT");

	return e ? e : "";
}

/* ---- step 1: the IMA log ---------------------------------------------------- */

struct entry {
	char name[80];
	char hash[65];		/* data hash (sha256) from the log */
	char digest[65];	/* the buffer: the report digest (hash=true) */
	uint8_t *buf;		/* binary log: the event buffer */
	size_t len;
};

static uint8_t *slurp(const char *path, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	uint8_t *b = malloc(cap);
	ssize_t r;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || !b) {
		free(b);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	for (;;) {
		if (n == cap) {
			cap *= 2;
			b = realloc(b, cap);
			if (!b)
				break;
		}
		r = read(fd, b + n, cap - n);
		if (r <= 0)
			break;
		n += r;
	}
	close(fd);
	*len = n;
	return b;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* stmexec entries of the ascii log, in order; count or -1. */
static int ascii_entries(struct entry *e, int max)
{
	FILE *f = fopen(IMA_ASCII, "r");
	char line[1 << 16];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char pcr[8], th[64], tmpl[32], dh[80], name[96], buf[80] = "";

		if (sscanf(line, "%7s %63s %31s %79s %95s %79s", pcr, th, tmpl,
			   dh, name, buf) < 5 || strcmp(tmpl, "ima-buf") ||
		    strncmp(name, PREFIX, strlen(PREFIX)) ||
		    strncmp(dh, "sha256:", 7) || n == max)
			continue;
		snprintf(e[n].name, sizeof(e[n].name), "%.79s", name);
		snprintf(e[n].hash, sizeof(e[n].hash), "%.64s", dh + 7);
		snprintf(e[n].digest, sizeof(e[n].digest), "%.64s", buf);
		e[n].buf = NULL;
		n++;
	}
	fclose(f);
	return n;
}

/*
 * Step 2: replay PCR 10 (SHA-256 bank) over the binary log, and collect
 * the stmexec entries with their buffers. Count or -1.
 */
static int binary_replay(uint8_t pcr[32], struct entry *e, int max)
{
	static const uint8_t zero[20];
	size_t len, off = 0;
	uint8_t *log = slurp(IMA_BINARY, &len), d[32];
	struct sha256_ctx c;
	int n = 0;

	memset(pcr, 0, 32);
	if (!log)
		return -1;
	while (off + 28 <= len) {
		uint32_t pcrno = le32(log + off), nl = le32(log + off + 24), dl;
		const uint8_t *tdig = log + off + 4, *tn = log + off + 28, *data;

		if (off + 32 + nl > len)
			break;
		dl = le32(log + off + 28 + nl);
		data = log + off + 32 + nl;
		if (dl > len - off - 32 - nl)
			break;
		off += 32 + nl + dl;
		if (pcrno != 10)
			continue;
		if (!memcmp(tdig, zero, 20))
			memset(d, 0xff, 32);		/* a violation */
		else
			sha256(data, dl, d);		/* template hash */
		sha256_init(&c);
		sha256_update(&c, pcr, 32);
		sha256_update(&c, d, 32);
		sha256_final(&c, pcr);
		if (nl == 7 && !memcmp(tn, "ima-buf", 7) && n < max) {
			uint32_t l1 = le32(data), l2 = le32(data + 4 + l1);
			uint32_t l3 = le32(data + 8 + l1 + l2);
			const char *name = (const char *)data + 8 + l1;

			if (l1 != 40 || strncmp(name, PREFIX, strlen(PREFIX)))
				continue;
			snprintf(e[n].name, sizeof(e[n].name), "%.*s", (int)l2, name);
			sha256_hex(data + 4 + 8, e[n].hash);
			e[n].len = l3;
			e[n].buf = malloc(l3);
			memcpy(e[n].buf, data + 12 + l1 + l2, l3);
			e[n].digest[0] = '\0';
			if (l3 == 32)
				sha256_hex(e[n].buf, e[n].digest);
			n++;
		}
	}
	free(log);
	return off == len ? n : -1;
}

static int read_pcr(int idx, uint8_t out[32])
{
	char path[96], buf[160];
	int i;
	unsigned int v;

	snprintf(path, sizeof(path), TPM_PCR "%d", idx);
	if (__sx_read(path, buf, sizeof(buf)))
		return -1;
	for (i = 0; i < 32; i++) {
		if (sscanf(buf + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = v;
	}
	return 0;
}

/* Wait (bounded) until the ascii log holds @want stmexec entries. */
static int wait_entries(int want, struct entry *e)
{
	uint64_t end = sx_now_ms() + 10000;
	int n;

	do {
		n = ascii_entries(e, MAXE);
		if (n >= want)
			return n;
		usleep(20000);	/* polling a condition, with a deadline */
	} while (sx_now_ms() < end);
	return n;
}

/* The digest `stmexec report` recomputes (and verifies). */
static int cli_digest(char hex[65])
{
	char *argv[] = { "/usr/bin/stmexec", "report", "--json", NULL };
	char *out = malloc(1 << 20), err[1024], *p;
	int code = -1, ret = -1;

	if (out && !__sx_run(argv, out, 1 << 20, err, sizeof(err), &code) &&
	    !code && strstr(out, "\"digest_verified\": true") &&
	    (p = strstr(out, "\"digest\": \""))) {
		memcpy(hex, p + 11, 64);
		hex[64] = '\0';
		ret = 0;
	}
	free(out);
	return ret;
}

/* ---- with IMA ------------------------------------------------------------------ */

FIXTURE(ima) {
	int fd;
	char state[32];
};

FIXTURE_SETUP(ima)
{
	self->fd = -1;
	pol_load("coreboot", "kernel", NULL);
	sx_read("attestation", self->state, sizeof(self->state));
	if (strcmp(self->state, "ima")) {
		ASSERT_STRNE("ima", expect()) {
			TH_LOG("STMEXEC_ATTEST_EXPECT=ima but attestation is '%s'",
			       self->state);
		}
		SKIP(return, "IMA does not measure critical data here (attestation '%s'); boot with ima_policy=critical_data (attest_swtpm.sh)",
		     self->state);
	}
	self->fd = sx_open();
}

FIXTURE_TEARDOWN(ima)
{
	if (self->fd >= 0)
		close(self->fd);
	pol_unload();
}

TEST_F(ima, enable_protect_unprotect_each_measured_and_pcr10_replays)
{
	static struct entry asc[MAXE], bin[MAXE];
	char d_on[65], d_prot[65], d_unprot[65], cur[65];
	struct stmexec_range r;
	uint8_t replay[32], pcr[32], *canon;
	uint64_t base, level;
	size_t clen = 0;
	int n0, n, nb, i;

	SX_SETUP_SKIPPED();
	n0 = ascii_entries(asc, MAXE);
	ASSERT_LE(1, n0);	/* the report at load */

	pol_enable();
	ASSERT_EQ(n0 + 1, wait_entries(n0 + 1, asc));
	ASSERT_EQ(0, cli_digest(d_on));
	EXPECT_STREQ(d_on, asc[n0].digest);

	sx_find_free(self->fd, STMEXEC_RANGE_MEM, 0x2000, &base);
	r = sx_range(STMEXEC_RANGE_MEM, base, 0x2000, STMEXEC_ACC_W);
	sx_protect(self->fd, &r, 1, NULL, NULL);
	ASSERT_EQ(n0 + 2, wait_entries(n0 + 2, asc));
	ASSERT_EQ(0, cli_digest(d_prot));
	EXPECT_STREQ(d_prot, asc[n0 + 1].digest);
	EXPECT_STRNE(d_on, d_prot);

	sx_unprotect(self->fd, &r, 1, NULL);
	ASSERT_EQ(n0 + 3, wait_entries(n0 + 3, asc));
	ASSERT_EQ(0, cli_digest(d_unprot));
	EXPECT_STREQ(d_unprot, asc[n0 + 2].digest);
	/* the same state as after enable: the same digest, a new entry */
	EXPECT_STREQ(d_on, d_unprot);
	EXPECT_STRNE(asc[n0].name, asc[n0 + 2].name);

	/* Verifier step 2: replay the whole log against PCR 10. */
	nb = binary_replay(replay, bin, MAXE);
	ASSERT_EQ(n0 + 3, nb);
	for (i = 0; i < nb; i++) {
		uint8_t d[32];
		char hex[65];

		/* step 3: each buffer hashes to its data hash */
		sha256(bin[i].buf, bin[i].len, d);
		sha256_hex(d, hex);
		EXPECT_STREQ(bin[i].hash, hex);
		EXPECT_STREQ(asc[i].hash, bin[i].hash);
		/* hash=true: 32 bytes, however big the report (F11) */
		EXPECT_EQ(32, bin[i].len);
		EXPECT_STREQ(asc[i].digest, bin[i].digest);
		EXPECT_STREQ(asc[i].name, bin[i].name);
	}
	if (read_pcr(10, pcr)) {
		ASSERT_STRNE("ima", expect()) TH_LOG("no " TPM_PCR "10");
	} else {
		EXPECT_EQ(0, memcmp(pcr, replay, 32)) {
			char a[65], b[65];

			sha256_hex(pcr, a);
			sha256_hex(replay, b);
			TH_LOG("PCR 10 %s, replay %s", a, b);
		}
	}
	/*
	 * step 4: the last entry is the current report: the canonical
	 * encoding from securityfs hashes to its buffer; decode it
	 */
	n = nb - 1;
	ASSERT_EQ(0, cli_digest(cur));
	EXPECT_STREQ(cur, bin[n].digest);
	canon = slurp(POL_SFS_DIR "/isolation_report_canonical", &clen);
	ASSERT_NE(NULL, canon);

	{
		uint8_t d[32];
		char hex[65];

		sha256(canon, clen, d);
		sha256_hex(d, hex);
		EXPECT_STREQ(bin[n].digest, hex);
	}
	ASSERT_LE(16 + 8, clen);
	EXPECT_EQ(0, memcmp(canon, "STMXREP1", 8));
	EXPECT_EQ(clen, le32(canon + 12));
	sx_read_u64("isolation_level", &level);
	{
		/* RESULT is the last section: tag 7, then the level */
		size_t off = 16;
		uint32_t lvl = ~0u;

		while (off + 8 <= clen) {
			uint32_t tag = le32(canon + off);
			uint32_t len = le32(canon + off + 4);

			if (tag == 7)
				lvl = le32(canon + off + 8);
			off += 8 + ((len + 7) & ~7u);
		}
		EXPECT_EQ(level, lvl);
	}
	free(canon);
	for (i = 0; i < nb; i++)
		free(bin[i].buf);
}

TEST_F(ima, cli_attest_agrees)
{
	char *argv[] = { "/usr/bin/stmexec", "attest", "--json", NULL };
	char *save[] = { "/usr/bin/stmexec", "report", "--save", "/tmp/rep.bin", NULL };
	char *argf[] = { "/usr/bin/stmexec", "attest", "/tmp/rep.bin", NULL };
	static struct entry asc[MAXE];
	char *out = malloc(1 << 20), err[2048];
	int code = -1, n0;

	SX_SETUP_SKIPPED();
	ASSERT_NE(NULL, out);
	n0 = ascii_entries(asc, MAXE);
	pol_enable();
	ASSERT_EQ(n0 + 1, wait_entries(n0 + 1, asc));
	sx_run(argv, out, 1 << 20, err, sizeof(err), &code);
	EXPECT_EQ(0, code) TH_LOG("%s\n%s", out, err);
	EXPECT_NE(NULL, strstr(out, "\"current_report_measured\": true"));
	EXPECT_NE(NULL, strstr(out, "\"ok\": true"));
	if (!read_pcr(10, (uint8_t[32]){ 0 }))
		EXPECT_NE(NULL, strstr(out, "\"pcr10_replay_matches\": true"));
	sx_run(save, out, 1 << 20, err, sizeof(err), &code);
	ASSERT_EQ(0, code);
	sx_run(argf, out, 1 << 20, err, sizeof(err), &code);
	EXPECT_EQ(0, code) TH_LOG("%s\n%s", out, err);
	EXPECT_NE(NULL, strstr(out, "/tmp/rep.bin: sha256:"));
	EXPECT_NE(NULL, strstr(out, "matches the last entry"));
	free(out);
}

TEST(attest_pcr_extends_the_digest)
{
	static struct entry asc[MAXE];
	uint8_t before[32], after[32], want[32], d[32];
	struct sha256_ctx c;
	char state[32];
	unsigned int v;
	int n0, i;

	if (read_pcr(23, before))
		SKIP(return, "no TPM (" TPM_PCR "23)");
	pol_load("coreboot", "kernel", "attest_pcr=23");
	sx_read("attestation", state, sizeof(state));
	if (strcmp(state, "ima")) {
		pol_unload();
		SKIP(return, "IMA does not measure critical data here");
	}
	/* the load measured (and extended) once; now enable */
	ASSERT_EQ(0, read_pcr(23, before));
	n0 = ascii_entries(asc, MAXE);
	pol_enable();
	ASSERT_EQ(n0 + 1, wait_entries(n0 + 1, asc));
	ASSERT_EQ(0, read_pcr(23, after));
	for (i = 0; i < 32; i++) {
		ASSERT_EQ(1, sscanf(asc[n0].digest + 2 * i, "%2x", &v));
		d[i] = v;
	}
	sha256_init(&c);
	sha256_update(&c, before, 32);
	sha256_update(&c, d, 32);
	sha256_final(&c, want);
	EXPECT_EQ(0, memcmp(want, after, 32));
	pol_unload();
}

/* attest_pcr= is 16 or 23 only (F11): systemd's and DRTM PCRs are refused. */
TEST(attest_pcr_only_16_or_23)
{
	static const char *const bad[] = { "attest_pcr=11", "attest_pcr=15",
					   "attest_pcr=17", "attest_pcr=22",
					   "attest_pcr=10", "attest_pcr=7" };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, __pol_load("coreboot", "kernel", bad[i])) {
			TH_LOG("%s was accepted", bad[i]);
		}
		pol_unload();
	}
	EXPECT_EQ(0, __pol_load("coreboot", "kernel", "attest_pcr=16"));
	pol_unload();
	EXPECT_EQ(0, __pol_load("coreboot", "kernel", "attest_pcr=-1"));
	pol_unload();
}

/* ---- without IMA ------------------------------------------------------------- */

TEST(unavailable_degrades_cleanly)
{
	char state[32], marker[96];
	uint64_t level;
	int fd;

	sx_ensure_unloaded();
	sx_klog_mark(marker, sizeof(marker));
	pol_load("coreboot", "kernel", NULL);
	sx_read("attestation", state, sizeof(state));
	if (!strcmp(state, "ima")) {
		pol_unload();
		ASSERT_STRNE("unavailable", expect());
		SKIP(return, "IMA measures critical data here");
	}
	EXPECT_STREQ("unavailable", state);
	EXPECT_TRUE(sx_klog_since(marker, "stmexec", "IMA measurement unavailable"));
	/* everything else works: enable, report, protect */
	pol_enable();
	sx_read_u64("isolation_level", &level);
	/* policy=kernel, policy_modules off (the default): R1.3 fails */
	EXPECT_EQ(0, level);
	fd = sx_open();
	{
		struct stmexec_range r;
		uint64_t base;

		sx_find_free(fd, STMEXEC_RANGE_MEM, 0x1000, &base);
		r = sx_range(STMEXEC_RANGE_MEM, base, 0x1000, STMEXEC_ACC_W);
		EXPECT_EQ(0, __sx_protect(fd, &r, 1, NULL, NULL));
		EXPECT_EQ(0, __sx_unprotect(fd, &r, 1, NULL));
	}
	close(fd);
	sx_read("attestation", state, sizeof(state));
	EXPECT_STREQ("unavailable", state);
	pol_unload();
}

TEST_HARNESS_MAIN
