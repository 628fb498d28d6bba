/* nprand.h - the parts of numpy's legacy RandomState (MT19937) that
 * EvoJAX's synthesized data uses, bit for bit: RandomState(seed) with an
 * integer seed, randint(low, high) with the default int64 dtype, and
 * shuffle of a 1-D array.  Used where EvoJAX draws a problem instance with
 * numpy (tasks/mdkp_data.c); training randomness is Philox
 * (opencl/philox.h).
 *
 * Facts (numpy >= 1.17, numpy/random/src/mt19937 and distributions.c):
 *  - seeding: key[0] = seed, key[i] = 1812433253 (key[i-1] ^ (key[i-1] >>
 *    30)) + i (mod 2^32), i = 1..623; the first draw regenerates the
 *    624-word block; outputs are tempered (Matsumoto & Nishimura 1998).
 *  - randint(low, high) (int64, legacy: masked rejection): rng = high - 1 -
 *    low; rng 0 gives low without a draw; for rng < 2^32 - 1 each value
 *    takes 32-bit draws v & mask until <= rng, mask = the smallest
 *    2^k - 1 >= rng; the array is filled in C order.
 *  - shuffle (1-D): for i = n-1 down to 1: j = random_interval(i) (32-bit
 *    draws & mask until <= i, as above), swap x[i] and x[j].
 * tests/test_mdkp.c checks a generated instance against numpy.
 */
#ifndef EJ_NPRAND_H
#define EJ_NPRAND_H

#include <stddef.h>
#include <stdint.h>

#define NPRAND_N 624

typedef struct nprand {
	uint32_t key[NPRAND_N];
	int pos;
} nprand;

/* RandomState(seed=seed). */
void nprand_seed(nprand *r, uint32_t seed);
/* The next tempered 32-bit output (random_uint32 / genrand_int32). */
uint32_t nprand_next_u32(nprand *r);
/* One value of randint(low, high) (int64 dtype), low < high,
 * high - low <= 2^32 - 1. */
int64_t nprand_randint(nprand *r, int64_t low, int64_t high);
/* shuffle(x) of a 1-D array of n values. */
void nprand_shuffle(nprand *r, int64_t *x, size_t n);

#endif
