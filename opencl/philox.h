/* philox.h - Philox4x32-10 (Salmon et al., SC'11, Random123), written once
 * for both C (included) and OpenCL C 1.2 (embedded and prepended to
 * programs).
 *
 * Every random number in evojax is a pure function of
 *   key     = { seed, purpose }
 *   counter = { iteration, member, repeat, index }
 * so host and device, any device count and any work-group size draw the
 * same numbers.
 *
 * Host/device agreement: the raw words and ph_uniform() are bit-identical
 * everywhere (integer arithmetic and one exact float multiply).
 * ph_normal2() uses logf/sqrtf/cosf/sinf (log/sqrt/cos/sin on the device),
 * whose results may differ by a few ulps between libm and a device's
 * built-ins; tests allow 1e-5 absolute + 1e-5 relative.
 *
 * The text must stay valid in both dialects: no <stdint.h> or `uint` outside
 * the #ifdef below, no address-space qualifiers (pointer arguments are
 * private in OpenCL C), no double literals, no C library calls other than
 * the float math functions mapped below.
 */
#ifndef EJ_PHILOX_H
#define EJ_PHILOX_H

#ifdef __OPENCL_VERSION__
typedef uint ph_u32;
typedef ulong ph_u64;
/* OpenCL C 1.2 accepts `static` on functions (6.8); `static inline` avoids
 * the C99 rule that a plain `inline` definition needs an external one
 * elsewhere, which matters when the compiler does not inline
 * (-cl-opt-disable). */
#define PH_INLINE static inline
#define PH_LOG(x) log(x)
#define PH_SQRT(x) sqrt(x)
#define PH_COS(x) cos(x)
#define PH_SIN(x) sin(x)
#else
#include <math.h>
#include <stdint.h>
typedef uint32_t ph_u32;
typedef uint64_t ph_u64;
#define PH_INLINE static inline
#define PH_LOG(x) logf(x)
#define PH_SQRT(x) sqrtf(x)
#define PH_COS(x) cosf(x)
#define PH_SIN(x) sinf(x)
#endif

/* Purposes: each consumer of randomness has its own stream. */
#define PH_PURPOSE_RESET 1u      /* task resets during training */
#define PH_PURPOSE_TEST_RESET 2u /* task resets during test evaluation */
#define PH_PURPOSE_NOISE 3u      /* algorithm perturbations */
#define PH_PURPOSE_TASK 4u       /* task-internal randomness */
#define PH_PURPOSE_ALGO 5u       /* other algorithm randomness */
#define PH_PURPOSE_DATA 6u       /* dataset batch sampling */
#define PH_PURPOSE_INIT 7u       /* parameter initialisation */
#define PH_PURPOSE_STEP 8u       /* per-step draws of episodes: see below */
#define PH_PURPOSE_PBT 9u        /* population-based training: hyperparameter
				    draws, exploit partners (core/pbt.c) */

/* Random123 constants for Philox4x32: round multipliers and the Weyl
 * sequence that bumps the key between rounds. */
#define PH_M0 0xD2511F53u
#define PH_M1 0xCD9E8D57u
#define PH_W0 0x9E3779B9u
#define PH_W1 0xBB67AE85u

typedef struct ph_out { ph_u32 v[4]; } ph_out;

/* High and low 32 bits of the 64-bit product a * b. */
PH_INLINE ph_u32 ph_mulhi(ph_u32 a, ph_u32 b)
{
#ifdef __OPENCL_VERSION__
	return mul_hi(a, b);
#else
	return (ph_u32)(((ph_u64)a * (ph_u64)b) >> 32);
#endif
}

/* One Philox S-box/P-box round on counter c with round key (k0, k1). */
PH_INLINE ph_out ph_round(ph_out c, ph_u32 k0, ph_u32 k1)
{
	ph_u32 hi0 = ph_mulhi(PH_M0, c.v[0]), lo0 = PH_M0 * c.v[0];
	ph_u32 hi1 = ph_mulhi(PH_M1, c.v[2]), lo1 = PH_M1 * c.v[2];
	ph_out r;

	r.v[0] = hi1 ^ c.v[1] ^ k0;
	r.v[1] = lo1;
	r.v[2] = hi0 ^ c.v[3] ^ k1;
	r.v[3] = lo0;
	return r;
}

/* The raw block function: 10 rounds, Random123 constants.  Matches the
 * Random123 known-answer vectors (kat_vectors, "philox4x32 10"). */
PH_INLINE ph_out ph_philox4x32_10(ph_u32 c0, ph_u32 c1, ph_u32 c2, ph_u32 c3,
				  ph_u32 k0, ph_u32 k1)
{
	ph_out c;
	int i;

	c.v[0] = c0;
	c.v[1] = c1;
	c.v[2] = c2;
	c.v[3] = c3;
	for (i = 0; i < 10; i++) {
		if (i > 0) {
			k0 += PH_W0;
			k1 += PH_W1;
		}
		c = ph_round(c, k0, k1);
	}
	return c;
}

/* 4 words for (seed, purpose, iteration, member, repeat, index):
 * counter = { iteration, member, repeat, index }, key = { seed, purpose }. */
PH_INLINE ph_out ph_draw(ph_u32 seed, ph_u32 purpose, ph_u32 iteration,
			 ph_u32 member, ph_u32 repeat, ph_u32 index)
{
	return ph_philox4x32_10(iteration, member, repeat, index, seed,
				purpose);
}

/* Per-step random numbers of episodic tasks (core/rollout.cl, contract
 * item b).  The draws of step 'step' of the episode whose reset was keyed
 * (seed, purpose, iter, member, repeat) are
 *   key     = { seed, PH_PURPOSE_STEP | purpose << 8 }
 *   counter = { iter, member, repeat, step << 8 | k },  k = 0..255
 * so training (PH_PURPOSE_RESET) and test (PH_PURPOSE_TEST_RESET) episodes
 * have separate step streams, none equal to a plain purpose (< 256), and
 * 'member' is the member keying the resets: common random numbers extend
 * from resets to dynamics.  Steps < 2^24 (core/sim.c checks max_steps).
 * 'repeat' is the repeat of lane 0: lane l of a VL-lane work-item is
 * repeat + l, so a draw does not depend on VL. */
#define PH_STEP_DRAWS 256u
#define PH_STEP_MAX (1u << 24)

typedef struct ph_step_ctr {
	ph_u32 seed, purpose, iter, member, repeat, step;
} ph_step_ctr;

/* The 4 words of draw k (< PH_STEP_DRAWS) of lane 'lane' at this step. */
PH_INLINE ph_out ph_step_draw(const ph_step_ctr *c, ph_u32 lane, ph_u32 k)
{
	return ph_draw(c->seed, PH_PURPOSE_STEP | (c->purpose << 8), c->iter,
		       c->member, c->repeat + lane, (c->step << 8) | k);
}

/* uint32 -> float in [0, 1): (x >> 8) * 2^-24, exact on host and device
 * (24 bits fit a float mantissa).  Largest value 1 - 2^-24. */
PH_INLINE float ph_uniform(ph_u32 x)
{
	return (float)(x >> 8) * 0x1.0p-24f;
}

/* Two standard normals from two words (Box-Muller, in float):
 *   u1 = ((a >> 8) + 1) * 2^-24 in (0, 1]   (never 0: log stays finite)
 *   u2 = (b >> 8) * 2^-24       in [0, 1)
 *   r = sqrt(-2 log u1), z0 = r cos(2 pi u2), z1 = r sin(2 pi u2).
 * |z| <= sqrt(48 log 2) ~ 5.77. */
PH_INLINE void ph_normal2(ph_u32 a, ph_u32 b, float *z0, float *z1)
{
	float u1 = (float)((a >> 8) + 1u) * 0x1.0p-24f;
	float u2 = (float)(b >> 8) * 0x1.0p-24f;
	float r = PH_SQRT(-2.0f * PH_LOG(u1));
	float t = 6.28318530717958647692f * u2;

	*z0 = r * PH_COS(t);
	*z1 = r * PH_SIN(t);
}

#endif
