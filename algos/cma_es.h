/* cma_es.h - what cma_es.c shares with sep_cma_es.c: the 'algo' schema,
 * Hansen's default strategy parameters, sampling and ranking.  The
 * algorithms themselves are cma_es_ops and sep_cma_es_ops.
 */
#ifndef EJ_CMA_ES_H
#define EJ_CMA_ES_H

#include <stddef.h>
#include <stdint.h>

#include "core/cfg.h"
#include "core/err.h"

/* The 'algo' section of both algorithms. */
typedef struct cma_cfg {
	int pop_size;      /* lambda; 0: 4 + floor(3 ln n) */
	double init_stdev; /* sigma0 */
	double init_mean;  /* every coordinate of the initial mean */
} cma_cfg;

#define CMA_N_FIELDS 3
extern const cfg_field cma_fields[CMA_N_FIELDS];

/* Strategy parameters (Hansen, "The CMA Evolution Strategy: A Tutorial",
 * arXiv:1604.00772, 2016/2023, table 1; pycma 4.x gives the same values
 * for lambda >= 6):
 *   mu      = floor(lambda / 2)
 *   w'_i    = ln((lambda + 1)/2) - ln i,  i = 1..lambda
 *   mueff   = (sum w'+)^2 / sum w'+^2,   mueff- likewise for w' < 0
 *   c_c     = (4 + mueff/n) / (n + 4 + 2 mueff/n)
 *   c_sigma = (mueff + 2) / (n + mueff + 5)
 *   d_sigma = 1 + 2 max(0, sqrt((mueff - 1)/(n + 1)) - 1) + c_sigma
 *   c_1     = 2 / ((n + 1.3)^2 + mueff)                     times cov_scale
 *   c_mu    = min(1 - c_1, 2 (1/4 + mueff + 1/mueff - 2) / ((n + 2)^2 + mueff)
 *                                                           times cov_scale)
 *   w_i     = w'_i / sum w'+                      for w'_i >= 0
 *           = w'_i min(1 + c_1/c_mu, 1 + 2 mueff-/(mueff + 2),
 *                      (1 - c_1 - c_mu)/(n c_mu)) / sum |w'-|   otherwise
 *   chi_n   = E||N(0, I)|| ~ sqrt(n) (1 - 1/(4n) + 1/(21 n^2))
 *   eigen_gap = max(1, floor(1 / (10 n (c_1 + c_mu))))  (lazy B, D update)
 * cov_scale is 1 for CMA-ES and (n + 2)/3 for Sep-CMA-ES (Ros & Hansen
 * 2008); the negative weights use the scaled c_1 and c_mu. */
typedef struct cma_params {
	size_t n, lambda, mu;
	double mueff, mueff_neg;
	double cc, cs, damps, c1, cmu, chi_n;
	double sum_w;      /* sum of all lambda weights */
	int64_t eigen_gap;
	double *w;         /* (lambda), malloc'd */
} cma_params;

/* lambda = 4 + floor(3 ln n). */
size_t cma_default_lambda(size_t n);

/* n >= 1, lambda >= 2.  Fills p (p->w allocated; EJ_EXIT_RUN when out of
 * memory). */
int cma_params_init(cma_params *p, size_t n, size_t lambda, double cov_scale,
		    ej_err *err);
void cma_params_release(cma_params *p);

/* z (n) ~ N(0, I) for (iteration, member): ph_draw(seed, NOISE, it, member,
 * repeat 0, index j/4) gives 4 words, ph_normal2 on words (0,1) and (2,3)
 * gives 4 float normals, j%4 picks one (PGPE's layout).  Returns ||z||^2. */
double cma_draw_z(uint32_t seed, uint32_t it, uint32_t member, size_t n,
		  double *z);

/* 0, or -1 with "fitness of member 3 is nan" (EJ_EXIT_RUN). */
int cma_check_fitness(const float *fitness, size_t lambda, ej_err *err);

typedef struct cma_rank_item {
	float f;
	size_t i;
} cma_rank_item;

/* order[0..lambda) = members by fitness, best (largest) first, ties by
 * the lower index first.  scratch: lambda items. */
void cma_rank(const float *fitness, size_t lambda, cma_rank_item *scratch,
	      size_t *order);

#endif
