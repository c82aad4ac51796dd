// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The four functions GCC may emit calls to even with -ffreestanding.
 * String instructions, so the compiler cannot turn them back into calls
 * to themselves.  DF = 0 on entry (entry.S clears it).  Weak: a core file
 * that brings its own wins.
 */
#include "stm_image.h"

__weak void *memcpy(void *d, const void *s, __SIZE_TYPE__ n)
{
	void *ret = d;

	__asm__ volatile("rep movsb"
			 : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	return ret;
}

__weak void *memset(void *d, int c, __SIZE_TYPE__ n)
{
	void *ret = d;

	__asm__ volatile("rep stosb"
			 : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return ret;
}

__weak void *memmove(void *d, const void *s, __SIZE_TYPE__ n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	if (dp <= sp || dp >= sp + n)
		return memcpy(d, s, n);
	while (n--)
		dp[n] = sp[n];
	return d;
}

__weak int memcmp(const void *a, const void *b, __SIZE_TYPE__ n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}
