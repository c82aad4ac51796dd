// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec CLI: report (the SMM isolation report, its canonical encoding and
 * SHA-256 digest) and attest (the IMA entries of the report, PCR 10 replay).
 * Formats: Documentation/admin-guide/stmexec-policy.rst ("Canonical
 * encoding") and stmexec-attestation.rst (the verifier procedure).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

#define REP_MAGIC	"STMXREP1"
#define IMA_DIR		"/sys/kernel/security/ima"
#define PCR10		"/sys/class/tpm/tpm0/pcr-sha256/10"
#define SECURITYFS_DIR	"/sys/kernel/security/stmexec"
#define EVENT_PREFIX	"stmexec-report-"

enum {
	TAG_STM = 1, TAG_BIOS, TAG_POLICY, TAG_CLASSES, TAG_EXACT, TAG_USER,
	TAG_RESULT, TAG_NR
};

/* The requirement table of the kernel (kmod/report.c), in bit order. */
static const struct {
	const char *id, *name;
	unsigned int level;
} reqs[] = {
	{ "R1.1", "monitor-memory-denied", 1 },
	{ "R1.2", "kernel-image-denied", 1 },
	{ "R1.3", "modules-denied", 1 },
	{ "R1.4", "bios-claims-no-kernel-write", 1 },
	{ "R2.1", "bios-claims-no-os-ram", 2 },
	{ "R2.2", "os-ram-denied", 2 },
	{ "R3.1", "bios-claims-no-critical-msr-write", 3 },
	{ "R3.2", "bios-claims-no-sensitive-msr-read", 3 },
	{ "R3.3", "critical-msrs-denied", 3 },
	{ "R4.1", "bios-io-within-named-set", 4 },
};

static const char *const policy_names[] = {
	"none", "monitor", "kernel", "isolated", "strict",
};

static const char *const class_names[] = {
	"monitor", "kernel-code", "kernel-rodata", "modules", "msr", "os-ram",
	"legacy-io",
};

struct rep {
	uint8_t *buf;
	size_t len;
	const uint8_t *sec[TAG_NR];
	uint32_t seclen[TAG_NR];
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Read a whole file (sysfs binary attributes included); NULL on error. */
static uint8_t *slurp(const char *path, size_t *len)
{
	size_t cap = 65536, n = 0;
	uint8_t *buf = malloc(cap);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	for (;;) {
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap * 2);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	*len = n;
	return buf;
}

/*
 * Where the report is read: securityfs stmexec/ (each open a consistent
 * snapshot) if the module provides it, else the sysfs attribute (older
 * modules, no securityfs, or STMEXEC_SYSFS pointing elsewhere).
 */
static char *sysfs_path(const char *attr, char *buf, size_t len)
{
	const char *p = getenv("STMEXEC_SYSFS");

	snprintf(buf, len, "%s/%s", SECURITYFS_DIR, attr);
	if ((p && *p) || access(buf, F_OK))
		snprintf(buf, len, "%s/%s", sysfs_dir(), attr);
	return buf;
}

/* Split the encoding into sections; -1 with a message if malformed. */
static int rep_parse(struct rep *r, const char **why)
{
	size_t off = 16;
	uint32_t tag, len;

	memset(r->sec, 0, sizeof(r->sec));
	if (r->len < 16 || memcmp(r->buf, REP_MAGIC, 8)) {
		*why = "no STMXREP1 magic";
		return -1;
	}
	if (le32(r->buf + 8) != 1) {
		*why = "unknown format version";
		return -1;
	}
	if (le32(r->buf + 12) != r->len) {
		*why = "length field does not match the size";
		return -1;
	}
	while (off + 8 <= r->len) {
		tag = le32(r->buf + off);
		len = le32(r->buf + off + 4);
		if (len > r->len - off - 8 || tag == 0 || tag >= TAG_NR) {
			*why = "bad section";
			return -1;
		}
		r->sec[tag] = r->buf + off + 8;
		r->seclen[tag] = len;
		off += 8 + ((len + 7) & ~7u);
	}
	if (!r->sec[TAG_POLICY] || r->seclen[TAG_POLICY] < 16 ||
	    !r->sec[TAG_RESULT] || r->seclen[TAG_RESULT] < 16) {
		*why = "missing section";
		return -1;
	}
	return 0;
}

/*
 * The BIOS descriptors are those of the STM's resource list (the report
 * copies them; Documentation/admin-guide/stmexec-policy.rst, "Canonical
 * encoding"): a 32-bit type, a 16-bit length and 16-bit flags (bit 15:
 * ignored), then the type's fields. One decoder per type; each checks the
 * length it reads and returns 0 or -1.
 */
static int bios_mem(const uint8_t *d, uint32_t dl, struct stmexec_range *out)
{
	if (dl < 32)
		return -1;
	out->base = le64(d + 8);
	out->length = le64(d + 16);
	out->access = le32(d + 24) & 7;
	return 0;
}

static int bios_io(const uint8_t *d, uint32_t dl, struct stmexec_range *out)
{
	if (dl < 16)
		return -1;
	out->base = d[8] | d[9] << 8;
	out->length = d[10] | d[11] << 8;
	if (out->type == STMEXEC_RANGE_TRAPPED_IO) {
		if (d[12] & 1)
			out->flags |= STMEXEC_RF_TRAP_IN;
		if (d[12] & 2)
			out->flags |= STMEXEC_RF_TRAP_OUT;
		if (d[12] & 4)
			out->flags |= STMEXEC_RF_TRAP_API;
	}
	return 0;
}

static int bios_msr(const uint8_t *d, uint32_t dl, struct stmexec_range *out)
{
	if (dl < 32)
		return -1;
	out->base = le32(d + 8);
	out->length = 1;
	if (le32(d + 12) & 1)
		out->flags |= STMEXEC_RF_KERNEL_MODE;
	if (le64(d + 16))
		out->access |= STMEXEC_ACC_R;
	if (le64(d + 24))
		out->access |= STMEXEC_ACC_W;
	return 0;
}

/* A PCI descriptor ends with its path: 6 bytes per bridge, then the device. */
static int bios_pci(const uint8_t *d, uint32_t dl, struct stmexec_range *out)
{
	uint8_t lni;

	if (dl < 22)
		return -1;
	lni = d[15];
	if (dl < 22u + 6u * lni)
		return -1;
	out->access = d[8] & 3;
	out->base = d[10] | d[11] << 8;
	out->length = d[12] | d[13] << 8;
	out->pci_bus = d[14];
	out->pci_fn = d[16 + 6 * lni + 4];
	out->pci_dev = d[16 + 6 * lni + 5];
	if (lni)
		out->flags |= STMEXEC_RF_PCI_BRIDGED;
	return 0;
}

/* One descriptor @d of @dl bytes as range @idx; 0 or -1. */
static int bios_decode(const uint8_t *d, uint32_t dl, uint32_t idx,
		       struct stmexec_range *out)
{
	uint16_t fl = (uint16_t)(d[6] | d[7] << 8);

	memset(out, 0, sizeof(*out));
	out->type = le32(d);
	out->index = idx;
	if (fl & 0x8000)
		out->flags |= STMEXEC_RF_IGNORED;
	switch (out->type) {
	case STMEXEC_RANGE_MEM:
	case STMEXEC_RANGE_MMIO:
		return bios_mem(d, dl, out);
	case STMEXEC_RANGE_IO:
	case STMEXEC_RANGE_TRAPPED_IO:
		return bios_io(d, dl, out);
	case STMEXEC_RANGE_MSR:
		return bios_msr(d, dl, out);
	case STMEXEC_RANGE_PCI:
		return bios_pci(d, dl, out);
	}
	return 0;
}

/* Descriptor @idx of the BIOS section as a range; 0 or -1. */
static int bios_desc(const struct rep *r, uint32_t idx, struct stmexec_range *out)
{
	const uint8_t *p = r->sec[TAG_BIOS];
	uint32_t off = 0, n = 0, len = r->seclen[TAG_BIOS];

	while (p && off + 8 <= len) {
		uint32_t type = le32(p + off), dl = p[off + 4] | p[off + 5] << 8;

		if (type == 0 || dl < 8 || off + dl > len)
			return -1;
		if (n++ == idx)
			return bios_decode(p + off, dl, idx, out);
		off += dl;
	}
	return -1;
}

static uint32_t bios_count(const struct rep *r)
{
	const uint8_t *p = r->sec[TAG_BIOS];
	uint32_t off = 0, n = 0, len = r->seclen[TAG_BIOS];

	while (p && off + 8 <= len) {
		uint32_t dl = p[off + 4] | p[off + 5] << 8;

		if (le32(p + off) == 0 || dl < 8)
			break;
		n++;
		off += dl;
	}
	return n;
}

static const char *pname(uint32_t lvl)
{
	return lvl < ARRAY_SIZE(policy_names) ? policy_names[lvl] : "?";
}

static void blocker_text(const struct rep *r, uint32_t bios, char *buf,
			 size_t len)
{
	struct stmexec_range d;
	char t[160];

	if (bios == 0xffffffffu) {
		snprintf(buf, len, "policy %s in force",
			 pname(le32(r->sec[TAG_POLICY] + 4)));
		return;
	}
	if (bios_desc(r, bios, &d) == 0)
		format_bios(&d, t, sizeof(t));
	else
		snprintf(t, sizeof(t), "?");
	snprintf(buf, len, "BIOS resource %u: %s", bios, t);
}

/* The canonical encoding from sysfs and its digest; exits on failure. */
static void load_report(struct rep *r, uint8_t digest[SHA256_LEN])
{
	char path[512];

	if (!module_loaded())
		cli_fatal_err(EX_NOMODULE, "the stmexec module is not loaded");
	r->buf = slurp(sysfs_path("isolation_report_canonical", path, sizeof(path)),
		       &r->len);
	if (!r->buf)
		cli_fatal_err(errno == EACCES ? EX_PERM : EX_FAIL,
			      "cannot read %s: %s", path, strerror(errno));
	sha256(r->buf, r->len, digest);
}

/* The "digest: sha256:HEX" line of the text report; 0 or -1. */
static int text_digest(const char *text, char hex[2 * SHA256_LEN + 1])
{
	const char *p = strstr(text, "\ndigest: sha256:");

	if (!p)
		return -1;
	p += strlen("\ndigest: sha256:");
	if (strspn(p, "0123456789abcdef") < 2 * SHA256_LEN)
		return -1;
	memcpy(hex, p, 2 * SHA256_LEN);
	hex[2 * SHA256_LEN] = '\0';
	return 0;
}

/* The blockers of requirement @req (result section: pairs req, bios). */
static void json_blockers(struct json *j, const struct rep *r, uint32_t req)
{
	const uint8_t *res = r->sec[TAG_RESULT];
	uint32_t nblk = le32(res + 8), k;
	char t[256];

	json_arr_begin(j, "blockers");
	for (k = 0; k < nblk && 16 + 8 * (k + 1) <= r->seclen[TAG_RESULT]; k++) {
		uint32_t rq = le32(res + 16 + 8 * k), b = le32(res + 20 + 8 * k);

		if (rq != req)
			continue;
		json_obj_begin(j, NULL);
		if (b == 0xffffffffu)
			json_null(j, "bios");
		else
			json_u64(j, "bios", b);
		blocker_text(r, b, t, sizeof(t));
		json_str(j, "text", t);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void json_requirements(struct json *j, const struct rep *r)
{
	uint32_t held = le32(r->sec[TAG_RESULT] + 4), i;

	json_arr_begin(j, "requirements");
	for (i = 0; i < ARRAY_SIZE(reqs); i++) {
		json_obj_begin(j, NULL);
		json_str(j, "id", reqs[i].id);
		json_str(j, "name", reqs[i].name);
		json_u64(j, "level", reqs[i].level);
		json_bool(j, "held", held & (1u << i));
		json_blockers(j, r, i);
		json_obj_end(j);
	}
	json_arr_end(j);
}

/* The classes section: 24-byte entries class, type, deny, count, units. */
static void json_classes(struct json *j, const struct rep *r)
{
	uint32_t k;
	char a[4];

	json_arr_begin(j, "classes");
	for (k = 0; r->sec[TAG_CLASSES] && 24 * (k + 1) <= r->seclen[TAG_CLASSES]; k++) {
		const uint8_t *c = r->sec[TAG_CLASSES] + 24 * k;
		uint32_t cl = le32(c);

		json_obj_begin(j, NULL);
		json_str(j, "class", cl < ARRAY_SIZE(class_names) ? class_names[cl] : "?");
		json_str(j, "type", range_type_name(le32(c + 4)));
		json_str(j, "deny", le32(c + 8) ? access_str(le32(c + 8), a) : "");
		json_u64(j, "count", le32(c + 12));
		json_u64(j, "units", le64(c + 16));
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void json_report(struct json *j, const struct rep *r, const char *hex,
			bool verified)
{
	const uint8_t *pol = r->sec[TAG_POLICY];
	uint32_t lowered = le32(pol + 12);

	json_str(j, "state", r->sec[TAG_STM] && r->seclen[TAG_STM] >= 16 &&
		 (le32(r->sec[TAG_STM] + 12) & 2) ? "on" : "off");
	json_str(j, "digest", hex);
	json_bool(j, "digest_verified", verified);
	json_u64(j, "canonical_bytes", r->len);
	json_u64(j, "level", le32(r->sec[TAG_RESULT]));
	json_obj_begin(j, "policy");
	json_str(j, "requested", pname(le32(pol)));
	json_str(j, "in_force", pname(le32(pol + 4)));
	json_str(j, "conflict", le32(pol + 8) ? "fail" : "lower");
	if (lowered == 0xffffffffu)
		json_null(j, "lowered_by");
	else
		json_u64(j, "lowered_by", lowered);
	json_obj_end(j);
	json_u64(j, "bios_descriptors", bios_count(r));
	json_requirements(j, r);
	json_classes(j, r);
	json_u64(j, "user_ranges", r->sec[TAG_USER] ? r->seclen[TAG_USER] / 32 : 0);
}

static void write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "wb") : stdout;

	if (!f || fwrite(buf, 1, len, f) != len || (f != stdout && fclose(f)))
		cli_fatal_err(EX_FAIL, "cannot write %s: %s", path, strerror(errno));
	if (f == stdout)
		fflush(f);
}

#define H_UNCOVERED " (SMIs there run outside the STM: this report does not hold for them)"

/* The report covers what the STM confines: the CPUs it is active on. */
static void print_coverage(void)
{
	unsigned int present, covered;
	char missing[256];

	if (cpu_coverage(&present, &covered, missing, sizeof(missing)))
		return;
	printf("cpu coverage: %u of %u present CPUs under the STM%s%s%s\n",
	       covered, present, missing[0] ? "; NOT covered: " : "", missing,
	       missing[0] ? H_UNCOVERED : "");
}

int cmd_report(struct opts *o, int argc, char **argv)
{
	char hex[2 * SHA256_LEN + 1], khex[2 * SHA256_LEN + 1], path[512];
	uint8_t digest[SHA256_LEN];
	const char *save = NULL, *why = "";
	struct rep r;
	char *text;
	size_t tlen;
	bool ok;
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--save") && i + 1 < argc)
			save = argv[++i];
		else
			cli_usage_err("report: unexpected '%s' (report [--json] [--save FILE|-])",
				      argv[i]);
	}
	load_report(&r, digest);
	sha256_hex(digest, hex);
	text = (char *)slurp(sysfs_path("isolation_report", path, sizeof(path)), &tlen);
	if (!text)
		cli_fatal_err(EX_FAIL, "cannot read %s: %s", path, strerror(errno));
	text = realloc(text, tlen + 1);
	if (!text)
		cli_fatal_err(EX_FAIL, "out of memory");
	text[tlen] = '\0';
	/* The two files are read one after the other: a change in between. */
	ok = !text_digest(text, khex) && !strcmp(hex, khex);
	if (rep_parse(&r, &why))
		cli_fatal_err(EX_FAIL, "isolation_report_canonical is malformed: %s", why);

	if (save && !strcmp(save, "-")) {
		write_file(save, r.buf, r.len);
	} else if (o->json) {
		struct json j;

		json_init(&j, stdout, true);
		json_obj_begin(&j, NULL);
		json_report(&j, &r, hex, ok);
		json_obj_end(&j);
		json_end(&j);
	} else {
		fputs(text, stdout);
		printf("digest check: %s (SHA-256 of isolation_report_canonical, %zu bytes)\n",
		       ok ? "ok" : "MISMATCH", r.len);
		print_coverage();
	}
	if (save && strcmp(save, "-"))
		write_file(save, r.buf, r.len);
	free(text);
	free(r.buf);
	if (!ok)
		cli_err("the digest in isolation_report (%s) is not the SHA-256 of isolation_report_canonical (%s): the report changed while it was read, retry",
			khex, hex);
	return ok ? EX_OK : EX_FAIL;
}

/* ---- attest ---------------------------------------------------------------- */

struct ima_entry {
	char hash[2 * SHA256_LEN + 1];	/* the entry's data hash (sha256) */
	char digest[2 * SHA256_LEN + 1]; /* its buffer: the report digest */
	char name[80];
	bool buf_ok;			/* sha256(buf) == data hash */
};

static void extend(uint8_t pcr[SHA256_LEN], const uint8_t d[SHA256_LEN])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, pcr, SHA256_LEN);
	sha256_update(&c, d, SHA256_LEN);
	sha256_final(&c, pcr);
}

/* One event of the binary IMA log (the fields this CLI reads). */
struct ima_event {
	uint32_t pcr;
	const uint8_t *tdig;		/* template digest (SHA-1, 20 bytes) */
	const uint8_t *tname;		/* template name, @nl bytes */
	const uint8_t *data;		/* template data, @dl bytes */
	uint32_t nl, dl;
};

/*
 * The event at *@off of @log (@len bytes): pcr, digest[20], name length,
 * name, data length, data. Advances *@off; 0, or -1 if it overruns @len.
 */
static int ima_event_at(const uint8_t *log, size_t len, size_t *off,
			struct ima_event *ev)
{
	size_t o = *off;

	ev->pcr = le32(log + o);
	ev->tdig = log + o + 4;
	ev->nl = le32(log + o + 24);
	if (ev->nl > 255 || o + 28 + ev->nl + 4 > len)
		return -1;
	ev->tname = log + o + 28;
	ev->dl = le32(log + o + 28 + ev->nl);
	ev->data = log + o + 32 + ev->nl;
	if (ev->dl > len - (o + 32 + ev->nl))
		return -1;
	*off = o + 32 + ev->nl + ev->dl;
	return 0;
}

/*
 * An ima-buf event of stmexec into @out: d-ng "sha256:\0" + digest, n-ng
 * name, buf. True if it is one (a well-formed event named EVENT_PREFIX*).
 */
static bool ima_stmexec_event(const struct ima_event *ev, struct ima_entry *out)
{
	const uint8_t *data = ev->data, *dng, *nng, *buf;
	uint32_t dl = ev->dl, l1, l2, l3, p = 4;
	uint8_t bd[SHA256_LEN];

	if (ev->nl != 7 || memcmp(ev->tname, "ima-buf", 7) || dl < 4)
		return false;
	l1 = le32(data);
	dng = data + p;
	if (l1 != 8 + SHA256_LEN || p + l1 + 4 > dl || memcmp(dng, "sha256:", 8))
		return false;
	p += l1;
	l2 = le32(data + p);
	p += 4;
	nng = data + p;
	if (l2 > dl - p || p + l2 + 4 > dl)
		return false;
	p += l2;
	l3 = le32(data + p);
	p += 4;
	buf = data + p;
	if (l3 > dl - p || strncmp((const char *)nng, EVENT_PREFIX, strlen(EVENT_PREFIX)))
		return false;
	sha256_hex(dng + 8, out->hash);
	snprintf(out->name, sizeof(out->name), "%.*s", (int)l2, nng);
	sha256(buf, l3, bd);
	out->buf_ok = !memcmp(bd, dng + 8, SHA256_LEN);
	/* hash=true: the buffer is sha256(canonical report) */
	if (l3 == SHA256_LEN)
		sha256_hex(buf, out->digest);
	else
		out->digest[0] = '\0';
	return true;
}

/* Extend @pcr with the event as IMA did (a violation extends 0xff...). */
static void ima_replay(uint8_t pcr[SHA256_LEN], const struct ima_event *ev)
{
	static const uint8_t zero[20];
	uint8_t d[SHA256_LEN];

	if (!memcmp(ev->tdig, zero, sizeof(zero)))
		memset(d, 0xff, sizeof(d));	/* violation */
	else
		sha256(ev->data, ev->dl, d);
	extend(pcr, d);
}

/*
 * Walk the binary IMA log: replay the SHA-256 bank of PCR 10 into @pcr and
 * collect the stmexec entries (template ima-buf). Returns the number of
 * stmexec entries, or -1 if the log cannot be read or parsed.
 */
static int ima_walk(const char *path, uint8_t pcr[SHA256_LEN],
		    struct ima_entry **out, uint32_t *nentries)
{
	size_t len, off = 0;
	uint8_t *log = slurp(path, &len);
	struct ima_entry *e = NULL, *ne, one;
	struct ima_event ev;
	int n = 0;

	memset(pcr, 0, SHA256_LEN);
	*nentries = 0;
	if (!log)
		return -1;
	while (off + 28 <= len) {
		if (ima_event_at(log, len, &off, &ev))
			goto bad;
		(*nentries)++;
		if (ev.pcr != 10)
			continue;
		ima_replay(pcr, &ev);
		if (!ima_stmexec_event(&ev, &one))
			continue;
		ne = realloc(e, (size_t)(n + 1) * sizeof(*e));
		if (!ne)
			goto bad;
		e = ne;
		e[n++] = one;
	}
	if (off != len)
		goto bad;
	free(log);
	*out = e;
	return n;
bad:
	free(log);
	free(e);
	return -1;
}

/* PCR value from sysfs (hex, upper or lower case); 0 or -1. */
static int read_pcr(uint8_t pcr[SHA256_LEN])
{
	char hex[128];
	size_t len;
	uint8_t *b = slurp(getenv("STMEXEC_PCR10") ?: PCR10, &len);
	int i;

	if (!b)
		return -1;
	len = len < sizeof(hex) - 1 ? len : sizeof(hex) - 1;
	memcpy(hex, b, len);
	hex[len] = '\0';
	free(b);
	for (i = 0; i < SHA256_LEN; i++) {
		unsigned int v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		pcr[i] = (uint8_t)v;
	}
	return 0;
}

#define HEX_LEN (2 * SHA256_LEN + 1)

/* What 'attest' compares: the report, the IMA log, PCR 10, a saved file. */
struct attest {
	const char *file;		/* REPORT_FILE or NULL */
	char hex[HEX_LEN], fhex[HEX_LEN];	/* current report, file */
	char replay_hex[HEX_LEN], pcr_hex[HEX_LEN];
	char state[32], logpath[512];
	struct ima_entry *e;
	int n;				/* stmexec entries, -1: no IMA log */
	uint32_t nentries;		/* all IMA entries */
	bool have_pcr, measured, replay_ok, file_ok, bufs_ok, bad;
};

/* SHA-256 of the saved report @file as hex; exits if it cannot be read. */
static void attest_file_digest(const char *file, char fhex[HEX_LEN])
{
	uint8_t *fb, fd[SHA256_LEN];
	size_t flen;

	fb = slurp(file, &flen);
	if (!fb)
		cli_fatal_err(EX_FAIL, "cannot read %s: %s", file, strerror(errno));
	sha256(fb, flen, fd);
	sha256_hex(fd, fhex);
	free(fb);
}

/* Replay the IMA log against PCR 10 and check the entries. */
static void attest_check(struct attest *at)
{
	const char *dir = getenv("STMEXEC_IMA_DIR") ?: IMA_DIR;
	uint8_t replay[SHA256_LEN], pcr[SHA256_LEN];
	int i;

	snprintf(at->logpath, sizeof(at->logpath), "%s/binary_runtime_measurements", dir);
	at->n = ima_walk(at->logpath, replay, &at->e, &at->nentries);
	sha256_hex(replay, at->replay_hex);
	at->have_pcr = at->n >= 0 && !read_pcr(pcr);
	if (at->have_pcr) {
		sha256_hex(pcr, at->pcr_hex);
		at->replay_ok = !memcmp(pcr, replay, SHA256_LEN);
	}
	at->bufs_ok = true;
	for (i = 0; i < at->n; i++)
		at->bufs_ok &= at->e[i].buf_ok;
	at->measured = at->n > 0 && !strcmp(at->e[at->n - 1].digest, at->hex);
	if (at->file)
		at->file_ok = at->n > 0 && !strcmp(at->e[at->n - 1].digest, at->fhex);
	at->bad = at->n < 0 || !at->measured || !at->bufs_ok ||
		  (at->have_pcr && !at->replay_ok) || (at->file && !at->file_ok);
}

static void attest_json(const struct attest *at)
{
	struct json j;
	int i;

	json_init(&j, stdout, true);
	json_obj_begin(&j, NULL);
	json_str(&j, "digest", at->hex);
	json_str(&j, "attestation", at->state);
	json_bool(&j, "ima_log_readable", at->n >= 0);
	json_u64(&j, "ima_entries", at->nentries);
	json_arr_begin(&j, "stmexec_entries");
	for (i = 0; i < at->n; i++) {
		json_obj_begin(&j, NULL);
		json_str(&j, "event", at->e[i].name);
		json_str(&j, "data_hash", at->e[i].hash);
		json_str(&j, "report_digest", at->e[i].digest);
		json_bool(&j, "buffer_matches_hash", at->e[i].buf_ok);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_bool(&j, "current_report_measured", at->measured);
	if (at->file) {
		json_str(&j, "report_file_digest", at->fhex);
		json_bool(&j, "report_file_matches_last_entry", at->file_ok);
	}
	json_str(&j, "pcr10_replay", at->replay_hex);
	if (at->have_pcr) {
		json_str(&j, "pcr10_tpm", at->pcr_hex);
		json_bool(&j, "pcr10_replay_matches", at->replay_ok);
	} else {
		json_null(&j, "pcr10_tpm");
	}
	json_bool(&j, "ok", !at->bad);
	json_obj_end(&j);
	json_end(&j);
}

static void attest_text_ima(const struct attest *at)
{
	int i;

	if (at->n < 0) {
		printf("IMA log: cannot read %s (securityfs mounted? root?)\n", at->logpath);
		return;
	}
	printf("IMA log: %u entries, %d from stmexec\n", at->nentries, at->n);
	for (i = 0; i < at->n; i++)
		printf("  %s sha256:%s%s\n", at->e[i].name, at->e[i].digest,
		       at->e[i].buf_ok ? "" : " (BUFFER DOES NOT MATCH)");
	printf("current report measured: %s\n", at->measured ? "yes (last entry)" :
	       "NO (a change not measured yet, or IMA unavailable)");
}

static void attest_text(const struct attest *at)
{
	printf("report digest: sha256:%s\n", at->hex);
	printf("attestation: %s\n", at->state[0] ? at->state : "?");
	attest_text_ima(at);
	if (at->file)
		printf("%s: sha256:%s %s the last entry\n", at->file, at->fhex,
		       at->file_ok ? "matches" : "DOES NOT MATCH");
	if (at->have_pcr)
		printf("PCR 10 (sha256): replay %s the TPM (%s)\n",
		       at->replay_ok ? "matches" : "DOES NOT MATCH", at->pcr_hex);
	else if (at->n >= 0)
		printf("PCR 10 (sha256): replay %s (no %s to compare)\n", at->replay_hex,
		       getenv("STMEXEC_PCR10") ?: PCR10);
}

int cmd_attest(struct opts *o, int argc, char **argv)
{
	struct attest at = { 0 };
	uint8_t digest[SHA256_LEN];
	struct rep r;
	int i;

	for (i = 0; i < argc; i++) {
		if (at.file || argv[i][0] == '-')
			cli_usage_err("attest: unexpected '%s' (attest [--json] [REPORT_FILE])",
				      argv[i]);
		at.file = argv[i];
	}
	load_report(&r, digest);
	sha256_hex(digest, at.hex);
	sysfs_read("attestation", at.state, sizeof(at.state));
	if (at.file)
		attest_file_digest(at.file, at.fhex);
	attest_check(&at);
	if (o->json)
		attest_json(&at);
	else
		attest_text(&at);
	free(at.e);
	free(r.buf);
	return at.bad ? EX_FAIL : EX_OK;
}
