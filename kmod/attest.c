// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: measure the isolation report for remote attestation.
 *
 * Every change of the active protections recomputes the report
 * (report.c), which calls stmexec_attest_changed(). The measurement itself
 * runs from a delayed work item, outside sx->lock:
 *
 *  - coalescing: the first change arms the work attest_delay_ms later
 *    (default 1000); changes while it is armed are folded into it, and it
 *    measures the report as it is when it runs. So at most one measurement
 *    per attest_delay_ms, and always the latest state.
 *  - a report byte-identical to the last one measured is not measured
 *    again.
 *  - the measurement is IMA critical data: ima_measure_critical_data()
 *    with label "stmexec" and event name "stmexec-report-<ns>" (ns:
 *    CLOCK_BOOTTIME at measurement, so that the name is unique and IMA
 *    never drops an entry as a duplicate of an earlier, equal state) and
 *    hash=true: the entry's buffer (template ima-buf) is the hash of the
 *    canonical encoding with IMA's algorithm (with SHA-256, IMA's default,
 *    the report digest), not the encoding itself. The measurement list is
 *    never freed and is carried across kexec, and the encoding holds the
 *    BIOS list and every user range (up to megabytes), so each entry stays
 *    a few dozen bytes (kmod-review F11); the verifier reads the encoding
 *    itself from securityfs stmexec/isolation_report_canonical (below).
 *  - optionally (attest_pcr=N, off by default) the report is also
 *    extended into TPM PCR N directly: the digest in the SHA-256 bank, the
 *    report hashed with the bank's algorithm in the others.
 *
 * The report at load (monitor off) is measured synchronously, so that the
 * sysfs "attestation" answer ("ima" or "unavailable") is known from the
 * start. ima_measure_critical_data() returns -ENOENT both without
 * CONFIG_IMA and without a policy rule for critical data; either way the
 * module says so once and keeps working.
 */
#include "stmexec.h"
#include "features.h"

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/ima.h>
#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/tpm.h>
#include <linux/workqueue.h>
#include <crypto/hash.h>
#include <crypto/hash_info.h>
#include <crypto/sha2.h>

#define ATTEST_LABEL	"stmexec"

static unsigned int attest_delay_ms = 1000;
module_param(attest_delay_ms, uint, 0644);
MODULE_PARM_DESC(attest_delay_ms,
		 "coalescing window of the IMA measurements of the isolation report (ms, default 1000)");

/* attest_pcr= value: no PCR is extended (the default). */
#define ATTEST_PCR_OFF	(-1)

static int attest_pcr = ATTEST_PCR_OFF;

static int pcr_set(const char *val, const struct kernel_param *kp)
{
	int pcr, ret = kstrtoint(val, 0, &pcr);

	if (ret)
		return ret;
	/*
	 * 0-7 are the firmware's, 8-9 the boot loader's, 10 IMA's, 11-15
	 * systemd's (sealing policies, kernel-install), 17-22 the DRTM's
	 * (not extendable from locality 0): 16 (debug) and 23 (application
	 * support) are the ones left to the OS (kmod-review F11).
	 */
	if (pcr != ATTEST_PCR_OFF && pcr != 16 && pcr != 23) {
		pr_err("attest_pcr=%d: use -1 (off), 16 or 23 (the others belong to the firmware, the boot loader, IMA, systemd or DRTM)\n",
		       pcr);
		return -EINVAL;
	}
	*(int *)kp->arg = pcr;
	return 0;
}

static const struct kernel_param_ops pcr_ops = {
	.set = pcr_set,
	.get = param_get_int,
};
module_param_cb(attest_pcr, &pcr_ops, &attest_pcr, 0644);
MODULE_PARM_DESC(attest_pcr,
		 "also extend the report into TPM PCR 16 or 23 (-1: off, the default)");

/**
 * struct stmexec_attest - the attestation's state (sx->attest)
 * @sx: the device
 * @work: the coalesced measurement
 * @nb: subscription to sx->changed
 * @lock: @measured to @count (taken with no other lock held)
 * @measured: @digest is valid
 * @digest: the report digest last measured
 * @ima: 1 ima, 0 unknown, -errno unavailable
 * @said_ima: the IMA failure has been logged
 * @said_tpm: the PCR failure has been logged
 * @pcr_err: result of the last PCR extend
 * @count: IMA measurements made
 * @sfs_dir: securityfs stmexec/, or NULL/ERR_PTR
 * @sfs_text: stmexec/isolation_report
 * @sfs_canon: stmexec/isolation_report_canonical
 *
 * Allocated by stmexec_attest_init(), freed by stmexec_attest_fini().
 */
struct stmexec_attest {
	struct stmexec *sx;
	struct delayed_work work;
	struct notifier_block nb;
	struct mutex lock;		/* see the kernel-doc above */
	bool measured;
	u8 digest[SHA256_DIGEST_SIZE];
	int ima;
	bool said_ima, said_tpm;
	int pcr_err;
	u64 count;
	struct dentry *sfs_dir, *sfs_text, *sfs_canon;
};

/* Extend attest_pcr with the report, in every allocated bank. */
static int pcr_extend(int pcr, const void *buf, size_t len, const u8 *sha256d)
{
	struct tpm_chip *chip = tpm_default_chip();
	struct tpm_digest *d;
	int i, ret = 0;

	if (!chip)
		return -ENODEV;
	d = kcalloc(chip->nr_allocated_banks, sizeof(*d), GFP_KERNEL);
	if (!d) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < chip->nr_allocated_banks && !ret; i++) {
		const struct tpm_bank_info *bank = &chip->allocated_banks[i];
		struct crypto_shash *tfm;

		d[i].alg_id = bank->alg_id;
		if (bank->crypto_id == HASH_ALGO_SHA256) {
			memcpy(d[i].digest, sha256d, SHA256_DIGEST_SIZE);
			continue;
		}
		if (bank->crypto_id >= HASH_ALGO__LAST)
			continue;	/* unknown to the kernel: zeros */
		tfm = crypto_alloc_shash(hash_algo_name[bank->crypto_id], 0, 0);
		if (IS_ERR(tfm)) {
			ret = PTR_ERR(tfm);
			break;
		}
		ret = crypto_shash_tfm_digest(tfm, buf, len, d[i].digest);
		crypto_free_shash(tfm);
	}
	if (!ret)
		ret = tpm_pcr_extend(chip, pcr, d);
	kfree(d);
out:
	put_device(&chip->dev);
	return ret;
}

static bool tpm_present(void)
{
	struct tpm_chip *chip = tpm_default_chip();

	if (!chip)
		return false;
	put_device(&chip->dev);
	return true;
}

static void attest_work(struct work_struct *w)
{
	struct stmexec_attest *at = container_of(to_delayed_work(w),
						 struct stmexec_attest, work);
	u8 digest[SHA256_DIGEST_SIZE];
	char name[48];
	size_t len = 0;
	void *buf;
	u64 gen;
	int ret, pcr;

	if (stmexec_report_refresh(at->sx, false))
		return;
	buf = stmexec_report_copy(at->sx, &len, digest, &gen);
	if (!buf)
		return;
	mutex_lock(&at->lock);
	if (at->measured && !memcmp(at->digest, digest, sizeof(digest)))
		goto out;

	/* The PCR first: once the IMA entry is visible, both are done. */
	pcr = READ_ONCE(attest_pcr);
	if (pcr != ATTEST_PCR_OFF) {
		ret = pcr_extend(pcr, buf, len, digest);
		if (ret && !at->said_tpm)
			pr_warn("attest_pcr=%d: TPM PCR extend failed (%pe)\n",
				pcr, ERR_PTR(ret));
		at->said_tpm = ret != 0;
		at->pcr_err = ret;
	}

	snprintf(name, sizeof(name), "stmexec-report-%llu",
		 ktime_get_boottime_ns());
	ret = ima_measure_critical_data(ATTEST_LABEL, name, buf, len, true,
					NULL, 0);
	if (!ret) {
		at->count++;
		if (at->ima <= 0)
			pr_info("isolation report measured into IMA (label \"%s\")%s\n",
				ATTEST_LABEL,
				tpm_present() ? "" :
				"; no TPM: PCR 10 is not extended");
		at->ima = 1;
	} else {
		if (!at->said_ima)
			pr_info("IMA measurement unavailable (%pe: IMA not built in, or no policy rule for critical data, e.g. ima_policy=critical_data); the isolation report is not measured\n",
				ERR_PTR(ret));
		at->said_ima = true;
		at->ima = ret;
	}

	memcpy(at->digest, digest, sizeof(digest));
	at->measured = true;
out:
	mutex_unlock(&at->lock);
	kvfree(buf);
}

/* sx->changed: measure the report again, coalesced; sx->lock held. */
static int attest_changed(struct notifier_block *nb, unsigned long action,
			  void *data)
{
	struct stmexec_attest *at = container_of(nb, struct stmexec_attest,
						 nb);

	schedule_delayed_work(&at->work,
			      msecs_to_jiffies(READ_ONCE(attest_delay_ms)));
	return NOTIFY_OK;
}

/* Whether IMA accepted the last measurement (GET_VERSION's FEAT_ATTEST). */
bool stmexec_attest_measuring(struct stmexec *sx)
{
	return READ_ONCE(sx->attest->ima) > 0;
}

static ssize_t attestation_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct stmexec *sx = stmexec_from_dev(dev);

	return sysfs_emit(buf, "%s\n",
			  stmexec_attest_measuring(sx) ? "ima" : "unavailable");
}
static DEVICE_ATTR_RO(attestation);

static struct attribute *attest_attrs[] = {
	&dev_attr_attestation.attr,
	NULL,
};

const struct attribute_group stmexec_attest_group = {
	.attrs = attest_attrs,
};

/* ---- securityfs: the report for the verifier --------------------------- */

/*
 * /sys/kernel/security/stmexec/isolation_report (text) and
 * isolation_report_canonical (the encoding the IMA entries hash), as
 * measurement logs are published (ima/binary_runtime_measurements). Each
 * open takes a snapshot, so one open file reads one consistent report
 * however it is split into reads. Root only (0400 and CAP_SYS_ADMIN).
 */
struct sfs_snap {
	void *buf;
	size_t len;
};

/* i_private: the stmexec_attest; which file: the fops. */
static int sfs_open(struct inode *inode, struct file *file, bool canonical)
{
	struct stmexec_attest *at = inode->i_private;
	struct sfs_snap *s;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = stmexec_report_refresh(at->sx, true);
	if (ret)
		return ret;
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	s->buf = stmexec_report_snapshot(at->sx, canonical, &s->len);
	if (!s->buf) {
		kfree(s);
		return -ENOMEM;
	}
	file->private_data = s;
	return 0;
}

static ssize_t sfs_read(struct file *file, char __user *ubuf, size_t count,
			loff_t *ppos)
{
	struct sfs_snap *s = file->private_data;

	return simple_read_from_buffer(ubuf, count, ppos, s->buf, s->len);
}

static int sfs_release(struct inode *inode, struct file *file)
{
	struct sfs_snap *s = file->private_data;

	kvfree(s->buf);
	kfree(s);
	return 0;
}

static int sfs_open_text(struct inode *inode, struct file *file)
{
	return sfs_open(inode, file, false);
}

static int sfs_open_canon(struct inode *inode, struct file *file)
{
	return sfs_open(inode, file, true);
}

static const struct file_operations sfs_text_fops = {
	.owner = THIS_MODULE,
	.open = sfs_open_text,
	.read = sfs_read,
	.release = sfs_release,
	.llseek = default_llseek,
};

static const struct file_operations sfs_canon_fops = {
	.owner = THIS_MODULE,
	.open = sfs_open_canon,
	.read = sfs_read,
	.release = sfs_release,
	.llseek = default_llseek,
};

/* Without securityfs the report is not served (IMA needs it anyway). */
static void sfs_init(struct stmexec_attest *at)
{
	struct dentry *d;

	d = securityfs_create_dir("stmexec", NULL);
	if (IS_ERR(d)) {
		pr_info("no securityfs (%pe): the isolation report is not served\n",
			d);
		return;
	}
	at->sfs_dir = d;
	at->sfs_text = securityfs_create_file("isolation_report", 0400, d, at,
					      &sfs_text_fops);
	at->sfs_canon = securityfs_create_file("isolation_report_canonical",
					       0400, d, at, &sfs_canon_fops);
	if (IS_ERR(at->sfs_text) || IS_ERR(at->sfs_canon))
		pr_info("securityfs: cannot create the report files\n");
}

static void sfs_fini(struct stmexec_attest *at)
{
	if (!IS_ERR_OR_NULL(at->sfs_canon))
		securityfs_remove(at->sfs_canon);
	if (!IS_ERR_OR_NULL(at->sfs_text))
		securityfs_remove(at->sfs_text);
	if (!IS_ERR_OR_NULL(at->sfs_dir))
		securityfs_remove(at->sfs_dir);
}

int stmexec_attest_init(struct stmexec *sx)
{
	struct stmexec_attest *at;

	at = kzalloc(sizeof(*at), GFP_KERNEL);
	if (!at)
		return -ENOMEM;
	at->sx = sx;
	mutex_init(&at->lock);
	INIT_DELAYED_WORK(&at->work, attest_work);
	at->nb.notifier_call = attest_changed;
	sx->attest = at;
	sfs_init(at);
	stmexec_protection_notifier(sx, &at->nb, true);
	/* Measure the report at load now. */
	mutex_lock(&sx->lock);
	stmexec_protection_changed(sx);
	mutex_unlock(&sx->lock);
	flush_delayed_work(&at->work);
	return 0;
}

void stmexec_attest_fini(struct stmexec *sx)
{
	struct stmexec_attest *at = sx->attest;

	if (!at)
		return;
	stmexec_protection_notifier(sx, &at->nb, false);
	sfs_fini(at);
	cancel_delayed_work_sync(&at->work);
	mutex_destroy(&at->lock);
	kfree(at);
	sx->attest = NULL;
}
