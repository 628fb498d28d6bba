/* algo_util.h - small helpers the algorithms in algos/ share: the noise
 * layout, fitness checks, rank sorting and state loading.  Each helper is
 * the one copy of logic that several algorithms used to carry privately;
 * behaviour (numbers and messages) is exactly theirs.
 *
 * The shared noise layout.  Standard normal number j of row (member) k in
 * iteration it, for purpose NOISE (or ALGO where an algorithm says so):
 *   w = ph_draw(seed, purpose, it, member = k, repeat = 0, index = j/4)
 *   ph_normal2(w0, w1) and ph_normal2(w2, w3) give 4 normals z[0..3]
 *   value = z[j % 4]   (a row of P values uses ceil(P/4) draws)
 * au_normal4 is one draw (4 normals), au_noise_rows fills whole rows.  One
 * device kernel can produce the same numbers for every algorithm that uses
 * it (PGPE, OpenAI-ES, ARS, SNES, SimpleGA, CR-FM-NES, MAP-Elites).
 */
#ifndef EJ_ALGO_UTIL_H
#define EJ_ALGO_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/noisedev.h"
#include "core/npz.h"
#include "core/optim.h"

/* ---- noise ------------------------------------------------------------ */

/* The 4 normals of ph_draw(seed, purpose, it, member, 0, quad) (quad = j/4
 * of the layout above). */
void au_normal4(uint32_t seed, uint32_t purpose, uint32_t it,
		uint32_t member, uint32_t quad, float z[4]);

/* noise (rows, P) = rows 0..rows-1 of the NOISE layout of iteration 'it',
 * unless *drawn_for == it already (then nothing is done); sets *drawn_for
 * = it.  Callers keep *drawn_for = -1 while noise holds nothing.  When
 * nd_wants(nd, rows * P) the device draws them (core/noisedev.h); a
 * device failure returns -1 with err (EJ_EXIT_DEVICE). */
int au_noise_rows(noisedev *nd, float *noise, size_t rows, size_t P,
		  uint32_t seed, int64_t it, int64_t *drawn_for, ej_err *err);

/* Antithetic pairs: for k < K, with d[j] = sigma[j * sigma_stride] *
 * noise[k][j] (float), row 2k = center + d and row 2k+1 = center - d of
 * params (2K, P).  sigma_stride 1: one sigma per parameter; 0: a scalar
 * at *sigma. */
void au_mirror_rows(float *params, const float *center, const float *noise,
		    const float *sigma, size_t sigma_stride, size_t K,
		    size_t P);

/* ---- fitness ---------------------------------------------------------- */

/* "nan", "inf" or "-inf" for a non-finite x. */
const char *au_nonfinite_name(float x);

/* Every fitness[0..n) finite, else EJ_EXIT_RUN "fitness of member 3 is
 * nan" (inf, -inf) naming the first bad member; returns 0 or -1. */
int au_check_fitness(const float *fitness, size_t n, ej_err *err);

/* ---- ranks ------------------------------------------------------------ */

typedef struct au_rank {
	float f;  /* the sort key (fitness, or a score) */
	size_t i; /* member (or direction) index */
} au_rank;

typedef enum au_order {
	AU_WORST_FIRST, /* ascending f */
	AU_BEST_FIRST,  /* descending f */
} au_order;

/* Sort order[0..n) by f in 'how' order; ties: lower i first (a total
 * order for finite f, so the result does not depend on qsort). */
void au_rank_sort(au_rank *order, size_t n, au_order how);

/* order[r] = (fitness[i], i) sorted as au_rank_sort does. */
void au_rank_members(au_rank *order, const float *fitness, size_t n,
		     au_order how);

/* Centered ranks u[i] = rank_i/(n-1) - 0.5, rank 0 the lowest fitness
 * (ties: lower index, lower rank); order (n) is scratch.  n >= 2. */
void au_centered_ranks(double *u, au_rank *order, const float *fitness,
		       size_t n);

/* The NES log-rank weights for ranks r = 1..n (best first) at [r-1]:
 *   w_hat_r = max(0, ln(n/2 + 1) - ln r)
 *   w_r     = w_hat_r / sum_q w_hat_q - 1/n
 * (SNES utilities, CR-FM-NES w_rank).  w_hat may be the same array as w. */
void au_log_rank_weights(double *w_hat, double *w, size_t n);

/* ---- state ------------------------------------------------------------ */

/* The scalar int64 array 'iteration' of f into *it, in [0, UINT32_MAX];
 * EJ_EXIT_RUN errors "missing array 'iteration'", "array 'iteration' must
 * be one int64", "array 'iteration' out of range, got -1". */
int au_load_iteration(const npz_file *f, int64_t *it, ej_err *err);

/* Every x[0..n) finite, else EJ_EXIT_RUN "array 'name' has a bad value at
 * 3" naming the first bad element. */
int au_check_finite(const float *x, size_t n, const char *name, ej_err *err);

/* mean finite and sigma finite and >= 0, element by element: the first j
 * where either is bad gives "array 'mean_name' has a bad value at j" if
 * mean[j] is not finite, else the same naming sigma_name. */
int au_check_mean_sigma(const float *mean, const float *sigma, size_t n,
			const char *mean_name, const char *sigma_name,
			ej_err *err);

/* ---- optimizer --------------------------------------------------------- */

/* The optimizer of a gradient-estimating algorithm for P parameters: the
 * resolved 'optimizer' section 'given', or the schema defaults when the
 * experiment has none (given NULL).  NULL with err filled on failure. */
optim *au_optim(const optim_cfg *given, size_t P, ej_err *err);

#endif
