// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: the STM image the simulated STM "runs" (sim_image= and the sysfs
 * attributes stm_image and stm_header).
 *
 * The image (stm.bin, built by stm-image/) is loaded through the firmware
 * loader (a name under /lib/firmware, e.g. "stmexec/stm.bin") and checked by
 * stm_mseg_verify(), the same code as `stmimg verify`
 * (stm-image/tools/mseg_verify.c, compiled in through kmod/mseg_verify.c),
 * against the simulated MSEG. A bad image is refused with -ENOEXEC and
 * last_error naming the first failed check. The simulated STM itself does
 * not execute the image: this exercises the header path only. Without an
 * image the sim works as before and stm_header says "image: none".
 */
#include "stmexec.h"
#include "backend.h"
#include "../stm-image/tools/mseg_verify.h"

#include <linux/capability.h>
#include <linux/cpumask.h>
#include <linux/device.h>
#include <linux/firmware.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#define SX_IMG_NAME_MAX		64
#define SX_IMG_MAX_SIZE		(16U << 20)
#define SX_IMG_REV_IDS		8

static char *sim_image = "";
module_param(sim_image, charp, 0444);
MODULE_PARM_DESC(sim_image,
		 "backend=sim or vmx_stm=sim: firmware name of an STM image (e.g. stmexec/stm.bin under /lib/firmware) whose headers are verified at load and shown in stm_header");

struct stmexec_image {
	char name[SX_IMG_NAME_MAX];
	struct stm_mseg_info info;
	u32 rev_id[SX_IMG_REV_IDS];
	u32 nrev;		/* entries of @rev_id read */
};

static int sx_image_read(struct stmexec *sx, const char *name,
			 struct stmexec_image **out)
{
	struct stm_mseg_verify_opts opts = {
		.flags = STM_MSEG_OPT_SIZE,
		.mseg_size = STMEXEC_SIM_MSEG_SIZE,
		.cpus = num_possible_cpus(),
	};
	const struct firmware *fw;
	struct stmexec_image *img;
	u32 mask = 0, i, n, off;
	int ret, err;

	if (!sx->sim_stm)
		return stmexec_fail(sx, -EOPNOTSUPP,
				    "stm_image: only the simulated STM loads an image (backend=sim or vmx_stm=sim)");
	if (!*name || strlen(name) >= SX_IMG_NAME_MAX || name[0] == '/' ||
	    strstr(name, ".."))
		return stmexec_fail(sx, -EINVAL,
				    "stm_image: '%.*s' is not a firmware name (relative to /lib/firmware, no '..', under %d characters)",
				    SX_IMG_NAME_MAX, name, SX_IMG_NAME_MAX);
	/*
	 * Debian's firmware loader logs every failure against the device,
	 * nowarn or not: name ours (NULL while loading) in that line.
	 */
	ret = firmware_request_nowarn(&fw, name, sx->misc.this_device);
	if (ret)
		return stmexec_fail(sx, ret,
				    "stm_image %s: not loaded (%pe): place it under /lib/firmware",
				    name, ERR_PTR(ret));
	if (fw->size > SX_IMG_MAX_SIZE) {
		ret = stmexec_fail(sx, -EFBIG,
				   "stm_image %s: %zu bytes, more than the %u a simulated MSEG holds",
				   name, fw->size, SX_IMG_MAX_SIZE);
		goto out;
	}
	img = kzalloc(sizeof(*img), GFP_KERNEL);
	if (!img) {
		ret = -ENOMEM;
		goto out;
	}
	err = stm_mseg_verify(fw->data, fw->size, &opts, &img->info, &mask);
	if (err != STM_MSEG_OK) {
		kfree(img);
		ret = stmexec_fail(sx, -ENOEXEC,
				   "stm_image %s: verify failed [%s] %s (checks failed: 0x%x)",
				   name, stm_mseg_err_name(err),
				   stm_mseg_err_msg(err), mask);
		goto out;
	}
	strscpy(img->name, name, sizeof(img->name));
	off = STM_SW_HEADER_OFFSET +
	      STM_OFFSETOF(struct stm_sw_header, stm_smm_rev_id);
	n = min_t(u32, img->info.number_of_rev_ids, SX_IMG_REV_IDS);
	for (i = 0; i < n && off + 4 * (i + 1) <= img->info.sw_header_end; i++)
		img->rev_id[i] = stm_mseg_rd32(fw->data + off + 4 * i);
	img->nrev = i;
	*out = img;
	ret = 0;
out:
	release_firmware(fw);
	return ret;
}

/* At load (sim_image=); sx->lock not needed yet (no device). */
int stmexec_image_init(struct stmexec *sx)
{
	struct stmexec_image *img;
	int ret;

	if (!sim_image || !*sim_image)
		return 0;
	ret = sx_image_read(sx, sim_image, &img);
	if (ret)
		return ret;
	sx->image = img;
	pr_info("sim: STM image %s verified (%u bytes)\n", img->name,
		img->info.image_size);
	return 0;
}

void stmexec_image_fini(struct stmexec *sx)
{
	kfree(sx->image);
	sx->image = NULL;
}

static ssize_t stm_image_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct stmexec *sx = stmexec_from_dev(dev);
	ssize_t n;

	mutex_lock(&sx->lock);
	n = sysfs_emit(buf, "%s\n", sx->image ? sx->image->name : "none");
	mutex_unlock(&sx->lock);
	return n;
}

/* Write a firmware name to load and verify an image, "none" to drop it. */
static ssize_t stm_image_store(struct device *dev,
			       struct device_attribute *attr, const char *buf,
			       size_t len)
{
	struct stmexec *sx = stmexec_from_dev(dev);
	struct stmexec_image *img = NULL;
	char name[SX_IMG_NAME_MAX + 1];
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = stmexec_sysfs_input(sx, "stm_image", buf, len);
	if (ret)
		return ret;
	strscpy(name, buf, sizeof(name));
	strim(name);
	if (strcmp(name, "none")) {
		ret = sx_image_read(sx, name, &img);
		if (ret)
			return ret;
	}
	ret = stmexec_lock_interruptible(sx);
	if (ret) {
		kfree(img);
		return ret;
	}
	if (sx->state != STMEXEC_STATE_OFF) {
		ret = stmexec_fail(sx, -EBUSY,
				   "stm_image: the monitor is not off: disable it first");
		kfree(img);
	} else {
		swap(img, sx->image);
		kfree(img);
	}
	mutex_unlock(&sx->lock);
	return ret ? ret : len;
}
DEVICE_ATTR_RW(stm_image);

/* The header fields, named and formatted as `stmimg info` prints them. */
static ssize_t stm_header_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	static const char *const hw[] = {
		"StmHeaderRevision", "MonitorFeatures", "GdtrLimit",
		"GdtrBaseOffset", "CsSelector", "EipOffset", "EspOffset",
		"Cr3Offset",
	};
	struct stmexec *sx = stmexec_from_dev(dev);
	const struct stm_mseg_info *in;
	u32 hv[ARRAY_SIZE(hw)];
	unsigned int i;
	int at;

	mutex_lock(&sx->lock);
	if (!sx->image) {
		at = sysfs_emit(buf, "image: none\n");
		goto out;
	}
	in = &sx->image->info;
	hv[0] = in->revision;
	hv[1] = in->monitor_features;
	hv[2] = in->gdtr_limit;
	hv[3] = in->gdtr_base_offset;
	hv[4] = in->cs_selector;
	hv[5] = in->eip_offset;
	hv[6] = in->esp_offset;
	hv[7] = in->cr3_offset;
	at = sysfs_emit(buf, "image: %s\nsize: %u\n", sx->image->name,
			in->image_size);
	for (i = 0; i < ARRAY_SIZE(hw); i++)
		at += sysfs_emit_at(buf, at, "%s: 0x%08x\n", hw[i], hv[i]);
	at += sysfs_emit_at(buf, at, "StmSpecVer: %u.%u\n",
			    in->spec_ver_major, in->spec_ver_minor);
	at += sysfs_emit_at(buf, at,
			    "StaticImageSize: 0x%08x\nPerProcDynamicMemorySize: 0x%08x\nAdditionalDynamicMemorySize: 0x%08x\nStmFeatures: 0x%08x\nNumberOfRevIDs: %u\n",
			    in->static_image_size,
			    in->per_proc_dynamic_memory_size,
			    in->additional_dynamic_memory_size,
			    in->stm_features, in->number_of_rev_ids);
	for (i = 0; i < sx->image->nrev; i++)
		at += sysfs_emit_at(buf, at, "StmSmmRevID[%u]: 0x%08x\n", i,
				    sx->image->rev_id[i]);
out:
	mutex_unlock(&sx->lock);
	return at;
}
DEVICE_ATTR_RO(stm_header);
