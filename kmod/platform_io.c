// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: platform facts the features and the simulated STM share, read
 * once: the machine's named legacy I/O blocks (the APM port and the FADT's
 * ACPI PM, GPE and timer blocks: the named I/O set of the isolation
 * report's requirement R4.1, and the ACPI PM base the simulated BIOS lists
 * use), and the EPT capability the range checks need; read at load by
 * the probe into sx->probe (probe.h).
 */
#include "stmexec.h"
#include "backend.h"
#include "probe.h"

#include <linux/acpi.h>
#include <linux/kernel.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>

static void ioset_add(struct sx_ioset *s, u64 base, u32 len, const char *name)
{
	if (!base || !len || base > 0xffff || s->n == SX_IOSET_MAX)
		return;
	s->r[s->n].first = base;
	s->r[s->n].last = min_t(u64, base + len - 1, 0xffff);
	s->r[s->n].name = name;
	s->n++;
}

#ifdef CONFIG_ACPI
/* FADT block address: the 32-bit field, else the extended GAS if it is I/O. */
static u64 fadt_io(u32 legacy, const struct acpi_generic_address *x)
{
	if (legacy)
		return legacy;
	if (x->space_id == ACPI_ADR_SPACE_SYSTEM_IO)
		return x->address;
	return 0;
}

static void fadt_blocks(struct sx_ioset *s, u16 *pmbase)
{
	struct acpi_table_header *h;
	struct acpi_table_fadt *f;
	u64 pm1a;

	if (acpi_disabled || ACPI_FAILURE(acpi_get_table(ACPI_SIG_FADT, 0, &h)))
		return;
	f = (struct acpi_table_fadt *)h;
	if (h->length < offsetof(struct acpi_table_fadt, gpe1_base)) {
		acpi_put_table(h);
		return;
	}
	pm1a = fadt_io(f->pm1a_event_block, &f->xpm1a_event_block);
	if (pm1a && pm1a <= 0xffff)
		*pmbase = pm1a;
	/* The chipset's PMBASE block: PM1, timer, GPE0, TCO (128 ports). */
	ioset_add(s, pm1a, 0x80, "acpi-pm");
	ioset_add(s, fadt_io(f->pm1b_event_block, &f->xpm1b_event_block),
		  f->pm1_event_length, "acpi-pm1b-evt");
	ioset_add(s, fadt_io(f->pm1a_control_block, &f->xpm1a_control_block),
		  f->pm1_control_length, "acpi-pm1a-cnt");
	ioset_add(s, fadt_io(f->pm1b_control_block, &f->xpm1b_control_block),
		  f->pm1_control_length, "acpi-pm1b-cnt");
	ioset_add(s, fadt_io(f->pm2_control_block, &f->xpm2_control_block),
		  f->pm2_control_length, "acpi-pm2-cnt");
	ioset_add(s, fadt_io(f->pm_timer_block, &f->xpm_timer_block),
		  f->pm_timer_length, "acpi-pm-tmr");
	ioset_add(s, fadt_io(f->gpe0_block, &f->xgpe0_block),
		  f->gpe0_block_length, "acpi-gpe0");
	ioset_add(s, fadt_io(f->gpe1_block, &f->xgpe1_block),
		  f->gpe1_block_length, "acpi-gpe1");
	acpi_put_table(h);
}
#else
static void fadt_blocks(struct sx_ioset *s, u16 *pmbase)
{
}
#endif

/* The ACPI PM I/O base of this machine (FADT PM1a event block), or 0. */
u16 stmexec_acpi_pmbase(const struct stmexec *sx)
{
	return sx->probe->acpi_pmbase;
}

bool stmexec_io_in_named_set(const struct stmexec *sx, u64 base, u64 len)
{
	const struct sx_ioset *named_io = &sx->probe->named_io;
	u64 p = base, last = base + len - 1;
	u32 i;
	bool moved = true;

	/* Walk forward through the (possibly touching) named blocks. */
	while (moved && p <= last) {
		moved = false;
		for (i = 0; i < named_io->n; i++) {
			if (p >= named_io->r[i].first && p <= named_io->r[i].last) {
				p = (u64)named_io->r[i].last + 1;
				moved = true;
			}
		}
	}
	return p > last;
}

/*
 * Does this CPU's EPT support execute-only pages (IA32_VMX_EPT_VPID_CAP
 * bit 0, SDM Vol. 3D A.10)? Read once at load; false without VMX.
 */
bool stmexec_ept_exec_only(const struct stmexec *sx)
{
	return sx->probe->ept_exec_only;
}

/* At load (probe.c), before any of the functions above is called. */
void stmexec_platform_probe(struct stmexec_probe *p)
{
	u64 cap;

	ioset_add(&p->named_io, 0xb2, 2, "apm");
	fadt_blocks(&p->named_io, &p->acpi_pmbase);
	if (boot_cpu_has(X86_FEATURE_VMX) &&
	    !rdmsrl_safe(MSR_IA32_VMX_EPT_VPID_CAP, &cap))
		p->ept_exec_only = cap & BIT_ULL(0);
}
