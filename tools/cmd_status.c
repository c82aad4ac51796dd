// SPDX-License-Identifier: GPL-2.0
/* stmexec CLI: status, check, version. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"

static void no_args(const char *cmd, int argc, char **argv)
{
	if (argc > 0)
		cli_usage_err("%s takes no arguments (got '%s')", cmd, argv[0]);
}

/*
 * sysfs stm_header: "key: value" lines (the field names of `stmimg info`),
 * "image: none" without an image. Calls fn for each field; false if none.
 */
typedef void (*hdr_fn)(void *arg, const char *key, const char *val);

static bool stm_header_each(char *hdr, hdr_fn fn, void *arg)
{
	char *line, *save = NULL, *colon;

	if (strncmp(hdr, "image: ", 7) || !strncmp(hdr, "image: none", 11))
		return false;
	for (line = strtok_r(hdr, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		colon = strstr(line, ": ");
		if (!colon)
			continue;
		*colon = '\0';
		fn(arg, line, colon + 2);
	}
	return true;
}

static void hdr_json(void *arg, const char *key, const char *val)
{
	json_str(arg, key, val);
}

static void hdr_text(void *arg, const char *key, const char *val)
{
	(void)arg;
	if (!strcmp(key, "image"))
		printf("stm image:        %s (verified; simulated STM)\n", val);
	else if (strcmp(key, "size"))
		printf("  %-30s %s\n", key, val);
}

/* A number from sysfs (relative to the device, or absolute); ~0 if none. */
static unsigned long long read_num(const char *attr)
{
	char buf[64];
	FILE *f;

	if (attr[0] != '/')
		return sysfs_read(attr, buf, sizeof(buf)) ? ~0ULL :
		       strtoull(buf, NULL, 0);
	f = fopen(attr, "r");
	if (!f)
		return ~0ULL;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return buf[0] ? strtoull(buf, NULL, 0) : ~0ULL;
}

#define PARAMS "/sys/module/stmexec/parameters/"

/* What 'status' shows: GET_STATUS and the sysfs attributes around it. */
struct status_info {
	struct stmexec_status st;
	char cpulist[256], last[512], hdr[2048], missing[256];
	unsigned long long nodes, heap, node_budget, heap_budget;
	unsigned int present, covered;
	bool cov_ok;
};

static void status_read(struct status_info *si)
{
	int fd;

	memset(si, 0, sizeof(*si));
	fd = dev_open(O_RDONLY);
	dev_ioctl(fd, STMEXEC_GET_STATUS, &si->st, "status (GET_STATUS)");
	close(fd);
	if (sysfs_read("cpus_active_list", si->cpulist, sizeof(si->cpulist)))
		si->cpulist[0] = '\0';
	if (sysfs_read("last_error", si->last, sizeof(si->last)))
		si->last[0] = '\0';
	if (sysfs_read("stm_header", si->hdr, sizeof(si->hdr)))
		si->hdr[0] = '\0';
	si->nodes = read_num("stm_nodes");
	si->heap = read_num("stm_heap_pages");
	si->node_budget = read_num(PARAMS "node_budget");
	si->heap_budget = read_num(PARAMS "heap_budget");
	si->cov_ok = !cpu_coverage(&si->present, &si->covered, si->missing,
				   sizeof(si->missing));
}

/* The counters of the JSON document: CPUs, STM usage, log. */
static void status_json_counts(struct json *j, struct status_info *si)
{
	json_u64(j, "cpus_online", si->st.cpus_online);
	json_u64(j, "cpus_active", si->st.cpus_active);
	json_str(j, "cpus_active_list", si->cpulist);
	if (si->cov_ok) {
		json_u64(j, "cpus_present", si->present);
		json_str(j, "cpus_not_covered_list", si->missing);
	}
	json_str(j, "launch_mode", launch_name(si->st.launch_mode));
	json_u64(j, "stm_caps", si->st.stm_caps);
	json_u64(j, "policy_level", si->st.policy_level);
	json_u64(j, "nr_ranges", si->st.nr_ranges);
	if (si->nodes != ~0ULL) {
		json_obj_begin(j, "stm_usage");
		json_u64(j, "nodes", si->nodes);
		json_u64(j, "node_budget", si->node_budget);
		json_u64(j, "heap_pages", si->heap);
		json_u64(j, "heap_budget", si->heap_budget);
		json_obj_end(j);
	}
	json_obj_begin(j, "log");
	json_u64(j, "records", si->st.log_records);
	json_u64(j, "dropped", si->st.log_dropped);
	json_u64(j, "wrapped", si->st.log_wrapped);
	json_obj_end(j);
}

static void status_json(struct status_info *si)
{
	struct json j;

	json_init(&j, stdout, true);
	json_obj_begin(&j, NULL);
	json_str(&j, "state", state_name(si->st.state));
	json_str(&j, "backend", backend_name(si->st.backend));
	json_bool(&j, "simulated", si->st.backend == STMEXEC_BACKEND_SIM);
	status_json_counts(&j, si);
	json_u64(&j, "last_errno", si->st.last_errno);
	if (si->st.last_errno)
		json_str(&j, "last_errno_name", errno_name((int)si->st.last_errno));
	else
		json_null(&j, "last_errno_name");
	json_str(&j, "last_error", si->last);
	if (strncmp(si->hdr, "image: ", 7) || !strncmp(si->hdr, "image: none", 11)) {
		json_null(&j, "stm_header");
	} else {
		json_obj_begin(&j, "stm_header");
		stm_header_each(si->hdr, hdr_json, &j);
		json_obj_end(&j);
	}
	json_obj_end(&j);
	json_end(&j);
}

/* The CPU lines of the text form: active CPUs and coverage. */
static void status_text_cpus(const struct status_info *si)
{
	const char *missing = si->missing;

	printf("cpus active:      %u of %u online%s%s%s\n", si->st.cpus_active,
	       si->st.cpus_online, si->cpulist[0] ? " (" : "", si->cpulist,
	       si->cpulist[0] ? ")" : "");
	/* Off: nothing is covered, and the line would only say so. */
	if (si->cov_ok && si->st.state != STMEXEC_STATE_OFF)
		printf("cpu coverage:     %u of %u present CPUs under the STM%s%s%s\n",
		       si->covered, si->present, missing[0] ? "; NOT covered: " : "",
		       missing, missing[0] ?
		       " (SMIs there bypass the STM)" : "");
}

static void status_text(struct status_info *si)
{
	const struct stmexec_status *st = &si->st;

	printf("state:            %s\n", state_name(st->state));
	printf("backend:          %s%s\n", backend_name(st->backend),
	       st->backend == STMEXEC_BACKEND_SIM ?
	       " (simulated STM: NO protection, kernel tainted)" : "");
	status_text_cpus(si);
	printf("launch mode:      %s\n", launch_name(st->launch_mode));
	printf("stm capabilities: 0x%08x\n", st->stm_caps);
	stm_header_each(si->hdr, hdr_text, NULL);
	printf("policy level:     %u\n", st->policy_level);
	printf("protected ranges: %llu\n", (unsigned long long)st->nr_ranges);
	if (si->nodes != ~0ULL)
		printf("stm nodes:        %llu of %llu (STM heap: about %llu of %llu pages)\n",
		       si->nodes, si->node_budget, si->heap, si->heap_budget);
	printf("log:              %llu delivered, %llu dropped, %llu wrapped\n",
	       (unsigned long long)st->log_records,
	       (unsigned long long)st->log_dropped,
	       (unsigned long long)st->log_wrapped);
	if (st->last_errno)
		printf("last error:       %s: %s\n", errno_name((int)st->last_errno),
		       si->last[0] ? si->last : strerror((int)st->last_errno));
	else
		printf("last error:       none\n");
	if (st->state == STMEXEC_STATE_FAILED)
		cli_err("the monitor is in state 'failed': see dmesg; 'stmexec disable' returns it to off");
}

int cmd_status(struct opts *o, int argc, char **argv)
{
	struct status_info si;

	no_args("status", argc, argv);
	status_read(&si);
	if (o->json)
		status_json(&si);
	else
		status_text(&si);
	return EX_OK;
}

/* ---- check ------------------------------------------------------------- */

struct kv {
	char key[64];
	char val[192];
};

static bool cpu_flag(const char *flag)
{
	static char flags[8192];
	static bool done;
	char line[8192], pat[64];

	if (!done) {
		FILE *f = fopen("/proc/cpuinfo", "r");

		done = true;
		while (f && fgets(line, sizeof(line), f)) {
			char *c = strchr(line, ':');

			if (strncmp(line, "flags", 5) || !c)
				continue;
			c[strcspn(c, "\n")] = '\0';
			snprintf(flags, sizeof(flags), "%s ", c + 1);
			break;
		}
		if (f)
			fclose(f);
	}
	snprintf(pat, sizeof(pat), " %s ", flag);
	return strstr(flags, pat);
}

/* "locked=1" style sub-field of a capability value; -1 if absent. */
static int subfield(const char *val, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = strstr(val, name); p; p = strstr(p + 1, name))
		if ((p == val || p[-1] == ' ') && p[n] == '=')
			return atoi(p + n + 1);
	return -1;
}

#define H_NO_VMX "the CPU does not offer VMX (or a hypervisor hides it): the vmx backend cannot work here; backend=sim is for testing only"
#define H_ANOTHER_HYPERVISOR_OWNS "another hypervisor owns VMX (CR4.VMXE is set; KVM?): unload kvm_intel, or on 6.12+ boot with kvm.enable_virt_at_load=0"
#define H_VMX_OUTSIDE_SMX "VMX outside SMX is disabled in IA32_FEATURE_CONTROL: enable VT-x in the firmware setup (or launch with TXT)"
#define H_NO_DUAL_MONITOR "IA32_VMX_BASIC bit 49 is clear: the CPU has no dual-monitor treatment, so no STM can run"
#define H_NO_STM_LOADED "IA32_SMM_MONITOR_CTL is not valid: the firmware loaded no STM (it needs a coreboot or EDK II build with STM support)"
#define H_MSR_9B_UNREADABLE "IA32_SMM_MONITOR_CTL (MSR 0x9B) cannot be read: no dual-monitor support on this CPU or hypervisor"
#define H_RUNNING_UNDER_HYPERVISOR "running under a hypervisor: a real STM needs bare metal (no hypervisor emulates the dual-monitor treatment)"
#define H_KVM_INTEL_LOADED "kvm_intel is loaded and may own VMX: 'modprobe -r kvm_intel' before enabling (or on 6.12+ boot with kvm.enable_virt_at_load=0)"
#define H_LA57 "the kernel runs with 5-level paging (CR4.LA57), which an STM inherits and cannot run with: boot with no5lvl"
#define H_KERNEL_IBT "the kernel enforces IBT (CR4.CET), which an STM inherits and cannot run with: boot with ibt=off"
#define H_NO_CAPS_ATTR "the module does not provide 'capabilities' in sysfs (older module?)"
#define H_NOT_LOADED "the stmexec module is not loaded: this is only what userspace can see; 'modprobe stmexec' for the full probe (it refuses to load with ENODEV on a CPU without VMX; backend=sim loads anywhere)"

/*
 * A hint for one capability line (keys from kmod/probe.c), or NULL.
 * *blocking is set when the line means the vmx backend cannot work.
 */
static const char *cap_hint(const char *key, const char *val, bool *blocking)
{
	const char *k = strchr(key, '.');

	k = k && !strncmp(key, "cpu", 3) ? k + 1 : key;	/* cpuN.x -> x */
	if (!strcmp(k, "vmx") && !strcmp(val, "no")) {
		*blocking = true;
		return H_NO_VMX;
	}
	if (!strcmp(k, "vmx") && strstr(val, "disabled")) {
		*blocking = true;
		return "VMX is disabled by the firmware: enable Intel VT-x in the firmware setup";
	}
	if (!strcmp(k, "cr4_vmxe") && !strcmp(val, "1")) {
		*blocking = true;
		return H_ANOTHER_HYPERVISOR_OWNS;
	}
	if (!strcmp(k, "feature_control") && subfield(val, "locked") == 0) {
		*blocking = true;
		return "IA32_FEATURE_CONTROL is not locked: the firmware did not configure VMX";
	}
	if (!strcmp(k, "feature_control") && subfield(val, "vmx_outside_smx") == 0) {
		*blocking = true;
		return H_VMX_OUTSIDE_SMX;
	}
	if (!strcmp(k, "vmx_basic") && subfield(val, "dual_monitor") == 0) {
		*blocking = true;
		return H_NO_DUAL_MONITOR;
	}
	if (!strcmp(k, "smm_monitor_ctl") && subfield(val, "valid") == 0) {
		*blocking = true;
		return H_NO_STM_LOADED;
	}
	if (!strcmp(k, "smm_monitor_ctl") && !strcmp(val, "unreadable")) {
		*blocking = true;
		return H_MSR_9B_UNREADABLE;
	}
	if (!strcmp(k, "vmx_backend") && !strncmp(val, "refused", 7)) {
		*blocking = true;
		return "the module refuses backend=vmx for the reason shown in vmx_backend";
	}
	if (!strcmp(k, "la57") && !strcmp(val, "yes")) {
		*blocking = true;
		return H_LA57;
	}
	if (!strcmp(k, "kernel_ibt") && !strcmp(val, "yes")) {
		*blocking = true;
		return H_KERNEL_IBT;
	}
	if (!strcmp(k, "hypervisor") && !strcmp(val, "yes"))
		return H_RUNNING_UNDER_HYPERVISOR;
	if (!strcmp(k, "stm") && strstr(val, "simulated"))
		return "the loaded module uses a SIMULATED STM: it gives no protection";
	return NULL;
}

#define CHECK_MAX_KV	128
#define CHECK_MAX_HINTS	64
#define CAPS_LEN	16384

/* What 'check' found: capability lines, hints and the verdict. */
struct check_info {
	struct kv *kv;
	int nkv, nh;
	const char *hints[CHECK_MAX_HINTS];
	bool loaded, have_caps, blocked;
};

static void check_add(struct check_info *ci, const char *key, const char *val)
{
	snprintf(ci->kv[ci->nkv].key, sizeof(ci->kv[0].key), "%s", key);
	snprintf(ci->kv[ci->nkv].val, sizeof(ci->kv[0].val), "%s", val);
	ci->nkv++;
}

/* The module's sysfs capabilities ("key: value" lines), in @buf. */
static void check_module_caps(struct check_info *ci, char *buf)
{
	char *save = NULL, *line, *c, *v;

	for (line = strtok_r(buf, "\n", &save); line && ci->nkv < CHECK_MAX_KV;
	     line = strtok_r(NULL, "\n", &save)) {
		c = strchr(line, ':');
		if (!c)
			continue;
		*c = '\0';
		v = c + 1;
		while (isspace((unsigned char)*v))
			v++;
		check_add(ci, line, v);
	}
}

/* What userspace can see without the module. */
static void check_user_caps(struct check_info *ci)
{
	struct stat st;

	check_add(ci, "vmx", cpu_flag("vmx") ? "yes" : "no");
	check_add(ci, "smx", cpu_flag("smx") ? "yes" : "no");
	check_add(ci, "hypervisor", cpu_flag("hypervisor") ? "yes" : "no");
	if (stat("/sys/module/kvm_intel", &st) == 0)
		check_add(ci, "kvm_intel", "loaded");
}

/* One hint per kind (not one per CPU), and the verdict. */
static void check_hints(struct check_info *ci)
{
	struct stat st;
	int i, k;

	for (i = 0; i < ci->nkv && ci->nh < 60; i++) {
		const char *h = cap_hint(ci->kv[i].key, ci->kv[i].val, &ci->blocked);

		for (k = 0; h && k < ci->nh; k++)
			if (ci->hints[k] == h)
				h = NULL;	/* once, not once per CPU */
		if (h)
			ci->hints[ci->nh++] = h;
	}
	if (stat("/sys/module/kvm_intel", &st) == 0)
		ci->hints[ci->nh++] = H_KVM_INTEL_LOADED;
	if (!ci->loaded)
		ci->hints[ci->nh++] = H_NOT_LOADED;
	else if (!ci->have_caps)
		ci->hints[ci->nh++] = H_NO_CAPS_ATTR;
}

static void check_json(const struct check_info *ci)
{
	struct json j;
	int i;

	json_init(&j, stdout, true);
	json_obj_begin(&j, NULL);
	json_bool(&j, "module_loaded", ci->loaded);
	json_bool(&j, "vmx_backend_possible", !ci->blocked);
	json_str(&j, "source", ci->have_caps ? "module" : "userspace");
	json_obj_begin(&j, "capabilities");
	for (i = 0; i < ci->nkv; i++)
		json_str(&j, ci->kv[i].key, ci->kv[i].val);
	json_obj_end(&j);
	json_arr_begin(&j, "hints");
	for (i = 0; i < ci->nh; i++)
		json_str(&j, NULL, ci->hints[i]);
	json_arr_end(&j);
	json_obj_end(&j);
	json_end(&j);
}

static void check_text(const struct check_info *ci)
{
	int i;

	printf("%s\n", ci->have_caps ? "capabilities (probed by the module):" :
	       "capabilities (seen from userspace; the module is not loaded):");
	for (i = 0; i < ci->nkv; i++)
		printf("  %-28s %s\n", ci->kv[i].key, ci->kv[i].val);
	if (ci->nh) {
		printf("hints:\n");
		for (i = 0; i < ci->nh; i++)
			printf("  - %s\n", ci->hints[i]);
	}
	printf("verdict: %s\n", ci->blocked ?
	       "the vmx backend (real STM protection) cannot work here" :
	       "nothing found that prevents the vmx backend");
}

int cmd_check(struct opts *o, int argc, char **argv)
{
	struct check_info ci = { .loaded = module_loaded() };
	char *buf;

	no_args("check", argc, argv);
	buf = calloc(1, CAPS_LEN);
	ci.kv = calloc(CHECK_MAX_KV, sizeof(*ci.kv));
	if (!buf || !ci.kv)
		cli_fatal_err(EX_FAIL, "out of memory");

	if (ci.loaded && sysfs_read("capabilities", buf, CAPS_LEN) == 0) {
		ci.have_caps = true;
		check_module_caps(&ci, buf);
	} else {
		check_user_caps(&ci);
	}
	check_hints(&ci);
	if (o->json)
		check_json(&ci);
	else
		check_text(&ci);
	free(buf);
	free(ci.kv);
	return ci.blocked ? EX_FAIL : EX_OK;
}

/* ---- version ----------------------------------------------------------- */

static const char *const feat_names[] = {
	"sim_backend", "vmx_backend", "ranges", "event_log", "vmcs_db",
	"policy", "attest",
};

/* GET_VERSION; NULL, or why the module's version is unknown. */
static const char *version_query(struct stmexec_version *v)
{
	int fd, ret;

	memset(v, 0, sizeof(*v));
	fd = open(dev_path(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == EACCES || errno == EPERM ? "needs root" :
		       module_loaded() ? "no device node" : "module not loaded";
	ret = dev_ioctl_try(fd, STMEXEC_GET_VERSION, v);
	close(fd);
	if (ret)
		return ret == -EPERM ? "needs root" : strerror(-ret);
	return NULL;
}

static void version_json(const struct stmexec_version *v, const char *why)
{
	struct json j;
	unsigned int i;

	json_init(&j, stdout, true);
	json_obj_begin(&j, NULL);
	json_str(&j, "cli_version", STMEXEC_CLI_VERSION);
	json_obj_begin(&j, "cli_abi");
	json_u64(&j, "major", STMEXEC_ABI_MAJOR);
	json_u64(&j, "minor", STMEXEC_ABI_MINOR);
	json_obj_end(&j);
	if (why) {
		json_null(&j, "module_abi");
		json_str(&j, "module_unavailable", why);
	} else {
		json_obj_begin(&j, "module_abi");
		json_u64(&j, "major", v->abi_major);
		json_u64(&j, "minor", v->abi_minor);
		json_u64(&j, "features_mask", v->features);
		json_arr_begin(&j, "features");
		for (i = 0; i < ARRAY_SIZE(feat_names); i++)
			if (v->features & (1ULL << i))
				json_str(&j, NULL, feat_names[i]);
		json_arr_end(&j);
		json_obj_end(&j);
	}
	json_obj_end(&j);
	json_end(&j);
}

static void version_text(const struct stmexec_version *v, const char *why)
{
	unsigned int i;

	printf("stmexec CLI %s (ABI %u.%u)\n", STMEXEC_CLI_VERSION,
	       STMEXEC_ABI_MAJOR, STMEXEC_ABI_MINOR);
	if (why) {
		printf("module: unknown (%s)\n", why);
		return;
	}
	printf("module ABI %u.%u, features:", v->abi_major, v->abi_minor);
	for (i = 0; i < ARRAY_SIZE(feat_names); i++)
		if (v->features & (1ULL << i))
			printf(" %s", feat_names[i]);
	if (v->features >> i)
		printf(" unknown:0x%llx", (unsigned long long)(v->features >> i) << i);
	printf("\n");
	if (v->abi_major != STMEXEC_ABI_MAJOR)
		cli_err("warning: the module's ABI major %u differs from the CLI's %u: update one of them",
			v->abi_major, STMEXEC_ABI_MAJOR);
}

int cmd_version(struct opts *o, int argc, char **argv)
{
	struct stmexec_version v;
	const char *why;

	no_args("version", argc, argv);
	why = version_query(&v);
	if (o->json)
		version_json(&v, why);
	else
		version_text(&v, why);
	return EX_OK;
}
