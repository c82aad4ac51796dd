// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Freestanding helpers: byte copies, hashing, sorting, the physical memory
 * accessor wrappers and the MLE address check of sec. 4.3.
 */
#include "core_priv.h"

void *stm_memcpy(void *dst, const void *src, uint64_t n)
{
	uint8_t *d = (uint8_t *)dst;
	const uint8_t *s = (const uint8_t *)src;

	while (n >= 8) {
		uint64_t v;

		__builtin_memcpy(&v, s, 8);
		__builtin_memcpy(d, &v, 8);
		d += 8;
		s += 8;
		n -= 8;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *stm_memmove(void *dst, const void *src, uint64_t n)
{
	uint8_t *d = (uint8_t *)dst;
	const uint8_t *s = (const uint8_t *)src;

	if (d == s || n == 0)
		return dst;
	if (d < s || d >= s + n)
		return stm_memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *stm_memset(void *dst, int v, uint64_t n)
{
	uint8_t *d = (uint8_t *)dst;
	uint64_t pat = 0x0101010101010101ull * (uint8_t)v;

	while (n >= 8) {
		__builtin_memcpy(d, &pat, 8);
		d += 8;
		n -= 8;
	}
	while (n--)
		*d++ = (uint8_t)v;
	return dst;
}

int stm_memcmp(const void *a, const void *b, uint64_t n)
{
	const uint8_t *x = (const uint8_t *)a;
	const uint8_t *y = (const uint8_t *)b;
	uint64_t i;

	for (i = 0; i < n; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	}
	return 0;
}

uint64_t stm_fnv1a(uint64_t h, const void *p, uint64_t n)
{
	const uint8_t *b = (const uint8_t *)p;
	uint64_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* FNV-1a over 64-bit words (n a multiple of 8; tail bytes hashed singly) */
uint64_t stm_fnv1a_words(uint64_t h, const void *p, uint64_t n)
{
	const uint8_t *b = (const uint8_t *)p;

	while (n >= 8) {
		uint64_t w;

		__builtin_memcpy(&w, b, 8);
		h ^= w;
		h *= 0x100000001b3ull;
		b += 8;
		n -= 8;
	}
	return stm_fnv1a(h, b, n);
}

static void stm_swap_bytes(uint8_t *a, uint8_t *b, uint32_t size)
{
	while (size >= 8) {
		uint64_t x, y;

		__builtin_memcpy(&x, a, 8);
		__builtin_memcpy(&y, b, 8);
		__builtin_memcpy(a, &y, 8);
		__builtin_memcpy(b, &x, 8);
		a += 8;
		b += 8;
		size -= 8;
	}
	while (size--) {
		uint8_t t = *a;

		*a++ = *b;
		*b++ = t;
	}
}

static void stm_sift_down(uint8_t *base, uint32_t root, uint32_t n,
			  uint32_t size, stm_cmp_fn cmp, const void *ctx)
{
	for (;;) {
		uint32_t child = 2 * root + 1;

		if (child >= n)
			return;
		if (child + 1 < n &&
		    cmp(base + (uint64_t)child * size,
			base + (uint64_t)(child + 1) * size, ctx) < 0)
			child++;
		if (cmp(base + (uint64_t)root * size,
			base + (uint64_t)child * size, ctx) >= 0)
			return;
		stm_swap_bytes(base + (uint64_t)root * size,
			       base + (uint64_t)child * size, size);
		root = child;
	}
}

/* Heap sort: O(n log n), no recursion, no scratch memory. */
void stm_sort(void *base, uint32_t n, uint32_t size, stm_cmp_fn cmp,
	      const void *ctx)
{
	uint8_t *b = (uint8_t *)base;
	uint32_t i;

	if (n < 2)
		return;
	for (i = n / 2; i-- > 0;)
		stm_sift_down(b, i, n, size, cmp, ctx);
	for (i = n - 1; i > 0; i--) {
		stm_swap_bytes(b, b + (uint64_t)i * size, size);
		stm_sift_down(b, 0, i, size, cmp, ctx);
	}
}

/*
 * LSD radix sort, 8 bits per pass, passes whose digit is the same for every
 * key skipped; tmp must hold n entries.  O(n) with a 1 KiB count table.
 */
void stm_radix_sort_u64(uint64_t *a, uint64_t *tmp, uint32_t n)
{
	uint64_t *src = a, *dst = tmp, *t;
	uint32_t shift, i;

	for (shift = 0; shift < 64; shift += 8) {
		uint32_t count[256];
		uint32_t sum = 0;

		stm_memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[(src[i] >> shift) & 0xFF]++;
		if (n == 0 || count[(src[0] >> shift) & 0xFF] == n)
			continue;	/* same digit everywhere */
		for (i = 0; i < 256; i++) {
			uint32_t c = count[i];

			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[count[(src[i] >> shift) & 0xFF]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		stm_memcpy(a, src, (uint64_t)n * sizeof(*a));
}

void *stm_map(struct stm_core *c, uint64_t pa, uint64_t len)
{
	if (!c->plat.mem || !c->plat.mem->map)
		return (void *)0;
	return c->plat.mem->map(c->plat.mem_ctx, pa, len);
}

void stm_unmap(struct stm_core *c, void *va, uint64_t len)
{
	if (va && c->plat.mem && c->plat.mem->unmap)
		c->plat.mem->unmap(c->plat.mem_ctx, va, len);
}

int stm_phys_read(struct stm_core *c, uint64_t pa, void *dst, uint64_t len)
{
	void *va;

	if (len == 0)
		return 0;
	va = stm_map(c, pa, len);
	if (!va)
		return -1;
	stm_memcpy(dst, va, len);
	stm_unmap(c, va, len);
	return 0;
}

int stm_phys_write(struct stm_core *c, uint64_t pa, const void *src,
		   uint64_t len)
{
	void *va;

	if (len == 0)
		return 0;
	va = stm_map(c, pa, len);
	if (!va)
		return -1;
	stm_memcpy(va, src, len);
	stm_unmap(c, va, len);
	return 0;
}

/* The reference's IsOverlap(), including its unsigned wrap-around. */
int stm_ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return (a + alen > b) && (a < b + blen);
}

/*
 * Address check for MLE buffers (reference IsGuestAddressValid with
 * FromProtectedDomain = TRUE): the range must lie below 2^bits and must not
 * overlap MSEG or TSEG.  A zero-sized MSEG/TSEG (platform without one) is
 * not checked.
 */
int stm_mle_addr_ok(const struct stm_core *c, uint64_t addr, uint64_t len)
{
	uint64_t max = c->max_addr;

	if (len > max || addr > max || (len != 0 && addr > max - (len - 1)))
		return 0;
	if (c->plat.mseg_size &&
	    stm_ranges_overlap(addr, len, c->plat.mseg_base, c->plat.mseg_size))
		return 0;
	if (c->plat.tseg_size &&
	    stm_ranges_overlap(addr, len, c->plat.tseg_base, c->plat.tseg_size))
		return 0;
	return 1;
}
