// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Runtime helpers of the STM image: the global state, a spin lock around
 * the policy core, a page allocator over the MSEG heap and a serial log
 * on COM1 (port 0x3F8, polled; the firmware set the UART up).
 */
#include <stdarg.h>
#include <stddef.h>
#include "rt.h"

struct stm_rt stm_rt;

static inline void stm_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t stm_inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

void stm_rt_lock(void)
{
	while (__atomic_exchange_n(&stm_rt.lock, 1, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
}

void stm_rt_unlock(void)
{
	__atomic_store_n(&stm_rt.lock, 0, __ATOMIC_RELEASE);
}

/* Page-aligned, zeroed, never freed (the heap is reset on re-activation). */
void *stm_rt_alloc(uint64_t size)
{
	uint64_t sz = (size + 0xFFF) & ~0xFFFull;
	void *p;

	if (sz < size || stm_rt.heap_size - stm_rt.heap_used < sz)
		return NULL;
	p = (void *)(uintptr_t)(stm_rt.heap_base + stm_rt.heap_used);
	stm_rt.heap_used += sz;
	memset(p, 0, sz);
	return p;
}

#define COM1		0x3F8
#define COM1_LSR	(COM1 + 5)

static uint32_t stm_log_lock;

static void stm_putc(char c)
{
	uint32_t n;

	if (c == '\n')
		stm_putc('\r');
	/* bounded wait for THR empty: a missing UART never hangs the STM */
	for (n = 0; n < 100000 && !(stm_inb(COM1_LSR) & 0x20); n++)
		__builtin_ia32_pause();
	stm_outb(COM1, (uint8_t)c);
}

static void stm_putnum(uint64_t v, unsigned int base, int width, char pad)
{
	char buf[24];
	int n = 0;

	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v && n < (int)sizeof(buf));
	while (width > n) {
		stm_putc(pad);
		width--;
	}
	while (n)
		stm_putc(buf[--n]);
}

/* %s %c %d %u %x %p with l/ll and a 0-padded width; nothing else. */
static void stm_vlog(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		int lng = 0, width = 0;
		char pad = ' ';
		uint64_t v;

		if (*fmt != '%') {
			stm_putc(*fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);

			while (s && *s)
				stm_putc(*s++);
			break;
		}
		case 'c':
			stm_putc((char)va_arg(ap, int));
			break;
		case 'd': {
			int64_t d = lng ? va_arg(ap, int64_t) : va_arg(ap, int);

			if (d < 0) {
				stm_putc('-');
				d = -d;
			}
			stm_putnum((uint64_t)d, 10, width, pad);
			break;
		}
		case 'u':
		case 'x':
			v = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
			stm_putnum(v, *fmt == 'u' ? 10 : 16, width, pad);
			break;
		case 'p':
			stm_putnum((uint64_t)(uintptr_t)va_arg(ap, void *), 16,
				   16, '0');
			break;
		case '\0':
			return;
		default:
			stm_putc('%');
			stm_putc(*fmt);
		}
	}
}

void stm_rt_log(const char *fmt, ...)
{
	va_list ap;

	while (__atomic_exchange_n(&stm_log_lock, 1, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
	va_start(ap, fmt);
	stm_vlog(fmt, ap);
	va_end(ap);
	__atomic_store_n(&stm_log_lock, 0, __ATOMIC_RELEASE);
}

/* SMM VM exit on the SMI-transfer VMCS (hostentry.S, stm_rt_host_smi). */
int stm_rt_smi_exit(struct stm_rt_cpu *cpu, struct stm_rt_regs *regs)
{
	uint32_t reason = (uint32_t)stm_vmread(VMCS_EXIT_REASON);

	switch (reason & VMX_EXIT_REASON_MASK) {
	case VMX_REASON_VMCALL:
		return stm_rt_exec_vmcall(cpu, regs);
	case VMX_REASON_IO_SMI:
	case VMX_REASON_OTHER_SMI:
		return stm_rt_smi(cpu, regs);
	default:
		stm_rt_log("stm: cpu %u: unexpected SMM VM exit reason 0x%x, resuming\n",
			   cpu->index, reason);
		return STM_RT_RESUME;
	}
}
