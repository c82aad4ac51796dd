// SPDX-License-Identifier: GPL-2.0
/*
 * stmexec: the bottom of the module, used by every other file: failure
 * reporting (last_errno/last_error, one dmesg line), the refusal of
 * malformed sysfs input, and the page allocator for what the STM reads.
 * It calls nothing of the module (see HACKING.md, "Layers").
 */
#include "stmexec.h"

#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/panic.h>
#include <linux/printk.h>
#include <linux/string.h>

int stmexec_fail(struct stmexec *sx, int err, const char *fmt, ...)
{
	char msg[sizeof(sx->last_error)];
	unsigned long flags;
	va_list ap;

	va_start(ap, fmt);
	vscnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	/* panic/shutdown paths: print only, the lock may be held below us */
	if (unlikely(oops_in_progress)) {
		pr_emerg("%s\n", msg);
		return err;
	}
	spin_lock_irqsave(&sx->err_lock, flags);
	sx->last_errno = err < 0 ? -err : err;
	strscpy(sx->last_error, msg, sizeof(sx->last_error));
	spin_unlock_irqrestore(&sx->err_lock, flags);
	pr_err_ratelimited("%s\n", msg);
	return err;
}

/*
 * A zeroed page below 4 GiB on @cpu's node, for what the STM reads (VMXON
 * region, activation VMCS): the reference STM's page tables cover only the
 * first 4 GiB. Free with free_page().
 */
void *stmexec_page_below_4g(unsigned int cpu, u64 *pa)
{
	struct page *pg;

	pg = alloc_pages_node(cpu_to_node(cpu),
			      GFP_KERNEL | __GFP_DMA32 | __GFP_ZERO, 0);
	if (!pg)
		return NULL;
	*pa = page_to_phys(pg);
	return page_address(pg);
}

void stmexec_clear_error(struct stmexec *sx)
{
	unsigned long flags;

	spin_lock_irqsave(&sx->err_lock, flags);
	sx->last_errno = 0;
	sx->last_error[0] = '\0';
	spin_unlock_irqrestore(&sx->err_lock, flags);
}

/**
 * stmexec_sysfs_input - refuse a sysfs write that is not one C string
 * @sx: the device
 * @attr: the attribute's name, for the message
 * @buf: what kernfs copied (NUL-terminated after @len bytes)
 * @len: bytes written
 *
 * The stores parse @buf as a C string, so whatever follows an embedded NUL
 * would be ignored silently ("1\0junk" would enable). One NUL as the last
 * byte is accepted. Return: 0, or -EINVAL with last_error set.
 */
int stmexec_sysfs_input(struct stmexec *sx, const char *attr, const char *buf,
			size_t len)
{
	if (strnlen(buf, len) + 1 >= len)
		return 0;
	return stmexec_fail(sx, -EINVAL,
			    "%s: %zu bytes follow a NUL byte in the value written: write the value alone, e.g. with echo",
			    attr, len - strnlen(buf, len) - 1);
}
