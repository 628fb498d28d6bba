/* nprand.c - numpy's legacy RandomState draws EvoJAX's data generators
 * use (definitions in core/nprand.h). */
#include "core/nprand.h"

#define NPRAND_M 397
#define NPRAND_MATRIX_A 0x9908b0dfu
#define NPRAND_UPPER 0x80000000u
#define NPRAND_LOWER 0x7fffffffu

void nprand_seed(nprand *r, uint32_t seed)
{
	r->key[0] = seed;
	for (int i = 1; i < NPRAND_N; i++) {
		uint32_t p = r->key[i - 1];

		r->key[i] = 1812433253u * (p ^ (p >> 30)) + (uint32_t)i;
	}
	r->pos = NPRAND_N;
}

static uint32_t nprand_twist(uint32_t a, uint32_t b, uint32_t c)
{
	uint32_t y = (a & NPRAND_UPPER) | (b & NPRAND_LOWER);

	return c ^ (y >> 1) ^ ((y & 1u) ? NPRAND_MATRIX_A : 0u);
}

static void nprand_gen(nprand *r)
{
	int i;

	for (i = 0; i < NPRAND_N - NPRAND_M; i++)
		r->key[i] = nprand_twist(r->key[i], r->key[i + 1],
					 r->key[i + NPRAND_M]);
	for (; i < NPRAND_N - 1; i++)
		r->key[i] = nprand_twist(r->key[i], r->key[i + 1],
					 r->key[i + NPRAND_M - NPRAND_N]);
	r->key[NPRAND_N - 1] = nprand_twist(r->key[NPRAND_N - 1], r->key[0],
					    r->key[NPRAND_M - 1]);
	r->pos = 0;
}

uint32_t nprand_next_u32(nprand *r)
{
	uint32_t y;

	if (r->pos >= NPRAND_N)
		nprand_gen(r);
	y = r->key[r->pos++];
	y ^= y >> 11;
	y ^= (y << 7) & 0x9d2c5680u;
	y ^= (y << 15) & 0xefc60000u;
	y ^= y >> 18;
	return y;
}

/* The smallest 2^k - 1 >= v. */
static uint32_t nprand_mask(uint32_t v)
{
	v |= v >> 1;
	v |= v >> 2;
	v |= v >> 4;
	v |= v >> 8;
	v |= v >> 16;
	return v;
}

/* A value in [0, max] by masked rejection of 32-bit draws. */
static uint32_t nprand_masked(nprand *r, uint32_t max)
{
	uint32_t mask = nprand_mask(max), v;

	if (max == 0)
		return 0;
	while ((v = nprand_next_u32(r) & mask) > max)
		;
	return v;
}

int64_t nprand_randint(nprand *r, int64_t low, int64_t high)
{
	uint64_t rng = (uint64_t)(high - low) - 1u;

	if (rng == 0xffffffffu) /* numpy: the whole 32-bit range, no mask */
		return low + (int64_t)nprand_next_u32(r);
	return low + (int64_t)nprand_masked(r, (uint32_t)rng);
}

void nprand_shuffle(nprand *r, int64_t *x, size_t n)
{
	for (size_t i = n; i-- > 1;) {
		size_t j = nprand_masked(r, (uint32_t)i);
		int64_t t = x[i];

		x[i] = x[j];
		x[j] = t;
	}
}
