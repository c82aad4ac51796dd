// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Reference-compatibility checker: counts every caller action that would
 * hang or misbehave on the reference STM (jyao1/STM) or its coreboot port
 * (EugeneDMyers/STM), with a reason.  The core itself always answers such
 * actions with a defined status; the counter exists so the sim backend and
 * the tests can prove the executive monitor never relies on that.
 */
#include "core_priv.h"

static const char *const stm_compat_names[STM_COMPAT_NR] = {
	[STM_COMPAT_NONE] = "",
	[STM_COMPAT_UNKNOWN_EAX] =
		"unknown MLE VMCALL number (reference J hangs)",
	[STM_COMPAT_PE_CALL] =
		"STM/PE VMCALL (only in the coreboot port; reference J hangs)",
	[STM_COMPAT_ZERO_LENGTH_DESC] =
		"descriptor with Length 0 (reference END search loops forever)",
	[STM_COMPAT_DESC_CROSSES_PAGE] =
		"descriptor crosses a 4 KiB page boundary",
	[STM_COMPAT_BUFFER_UNALIGNED] =
		"buffer not 4 KiB aligned (K masks bits 11:0, J uses them)",
	[STM_COMPAT_END_LENGTH] =
		"END descriptor Length != 16",
	[STM_COMPAT_LIST_TOO_LONG] =
		"resource list chain too long or cyclic (reference allocates until exhausted)",
	[STM_COMPAT_UNKNOWN_LOG_SUBFUNC] =
		"unknown MANAGE_EVENT_LOG sub-function (reference hangs)",
	[STM_COMPAT_VMCS_ABOVE_4G] =
		"activation VMCS at or above 4 GiB (coreboot port page-faults and hangs)",
	[STM_COMPAT_VMCS_IN_TSEG] =
		"activation VMCS overlaps TSEG (reference hangs)",
	[STM_COMPAT_FIRST_CALL_NOT_INIT] =
		"first VMCALL is neither INITIALIZE_PROTECTION nor START (reference entry hangs)",
	[STM_COMPAT_START_BEFORE_INIT] =
		"START before the BSP's INITIALIZE_PROTECTION (reference makes this CPU the BSP)",
	[STM_COMPAT_CALL_ON_INACTIVE_CPU] =
		"non-activating VMCALL on a CPU without the STM (reference entry hangs)",
	[STM_COMPAT_TOO_MANY_CPUS] =
		"more CPUs than the STM counted (reference hangs)",
	[STM_COMPAT_INIT_ON_AP] =
		"INITIALIZE_PROTECTION as an AP's activating call (must be once, BSP only)",
	[STM_COMPAT_ACTIVATION_EDX] =
		"reserved EDX bits set on an activating VMCALL",
	[STM_COMPAT_VMCSDB_UNALIGNED] =
		"VMCS database pointer bits 11:0 not zero",
	[STM_COMPAT_VMCSDB_DUPLICATE] =
		"VMCS database ADD of a pointer already present (reference adds a duplicate)",
	[STM_COMPAT_RETURN_STATUS_SET] =
		"ReturnStatus flag set in an MLE resource list on input",
	[STM_COMPAT_SECOND_ACTIVATION] =
		"activating VMCALL on a CPU that already has an index (J and E dead-loop)",
	[STM_COMPAT_START_RENDEZVOUS] =
		"START waits for CPUs that were never asked (E's rendezvous hangs)",
	[STM_COMPAT_CPU_COUNT] =
		"fewer CPUs activated than the firmware counts (E's rendezvous hangs)",
	[STM_COMPAT_IF_RELIED] =
		"caller relied on IF surviving an activation (J and E return RFLAGS 0x2)",
	[STM_COMPAT_FW_MSR_DENIED] =
		"firmware SMM entry writes a protected MSR (E hangs, J resets)",
	[STM_COMPAT_HEAP_EXHAUSTED] =
		"STM heap exhausted (J dead-loops, E leaves nodes unprotected)",
	[STM_COMPAT_MULTI_PIECE_LIST] =
		"list of more than one 4 KiB piece (J and E under-allocate its copy)",
	[STM_COMPAT_EPT_INVALID] =
		"MEM deny set leaves an invalid EPT entry (J dead-loops, E ignores it)",
	[STM_COMPAT_MEM_AT_PHYS_LIMIT] =
		"MEM range ending at 2^phys_bits (J and E reject it)",
};

static const char *const stm_profile_names[STM_PROFILE_NR] = {
	[STM_PROFILE_LENIENT] = "lenient",
	[STM_PROFILE_INTEL] = "intel",
	[STM_PROFILE_COREBOOT] = "coreboot",
	[STM_PROFILE_STRICT] = "strict",
};

const char *stm_profile_name(enum stm_profile p)
{
	if ((unsigned int)p >= STM_PROFILE_NR)
		return "";
	return stm_profile_names[p];
}

static int stm_name_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

enum stm_profile stm_profile_parse(const char *name)
{
	unsigned int i;

	for (i = 0; i < STM_PROFILE_NR; i++)
		if (stm_name_eq(name, stm_profile_names[i]))
			return (enum stm_profile)i;
	return STM_PROFILE_NR;
}

void stm_compat(struct stm_core *c, enum stm_compat_reason r)
{
	if ((unsigned int)r == STM_COMPAT_NONE ||
	    (unsigned int)r >= STM_COMPAT_NR)
		return;
	c->compat_total++;
	c->compat_cnt[r]++;
	c->compat_last = (uint32_t)r;
}

uint64_t stm_core_compat_violations(const struct stm_core *c)
{
	return c->compat_total;
}

const char *stm_core_compat_last(const struct stm_core *c)
{
	return stm_compat_names[c->compat_last < STM_COMPAT_NR ?
				c->compat_last : 0];
}

enum stm_compat_reason stm_core_compat_last_reason(const struct stm_core *c)
{
	return (enum stm_compat_reason)c->compat_last;
}

uint64_t stm_core_compat_count(const struct stm_core *c,
			       enum stm_compat_reason r)
{
	if ((unsigned int)r >= STM_COMPAT_NR)
		return 0;
	return c->compat_cnt[r];
}

const char *stm_compat_reason_name(enum stm_compat_reason r)
{
	if ((unsigned int)r >= STM_COMPAT_NR)
		return "";
	return stm_compat_names[r];
}

void stm_core_compat_reset(struct stm_core *c)
{
	c->compat_total = 0;
	c->compat_last = STM_COMPAT_NONE;
	stm_memset(c->compat_cnt, 0, sizeof(c->compat_cnt));
}
