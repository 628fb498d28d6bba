/* sep_cma_es.c - Sep-CMA-ES: CMA-ES restricted to a diagonal covariance
 * matrix (Ros & Hansen, "A Simple Modification in CMA-ES Achieving Linear
 * Time and Space Complexity", PPSN 2008), O(lambda n) time and O(n) memory
 * per iteration, so it runs where the full cma_es cannot (n = 10^5+).
 *
 * Keys, weights, c_c, c_sigma, d_sigma and chi_n: as cma_es (cma_es.h);
 * the covariance learning rates are Ros & Hansen's, c_1 and c_mu of the
 * tutorial times (n + 2)/3 (c_mu capped at 1 - c_1), and the negative
 * weights are scaled with those rates.  (pycma's CMA_diagonal uses other
 * rates; CyberAgent's cmaes SepCMA scales c_mu only and has no negative
 * weights.)  No schedulable hyperparameters (hparams NULL).
 *
 * One iteration g (C = diag(c), D = sqrt(c), computed after each update):
 *   ask:  z_k ~ N(0, I) (cma_draw_z, member k), x_k = (float)(m + sigma D z_k)
 *   tell: rank (largest fitness first, ties by lower index);
 *         <z>_w = sum_{i<=mu} w_i z_i:lambda,  <y>_w = D <z>_w
 *         m      += sigma <y>_w
 *         p_sigma = (1 - c_s) p_sigma + sqrt(c_s (2 - c_s) mueff) <z>_w
 *         h_sigma, p_c as cma_es
 *         w°_i    = w_i, times n / ||z_i||^2 when w_i < 0
 *         c_j     = (1 + c_1 (1 - h_sigma) c_c (2 - c_c) - c_1 - c_mu sum w) c_j
 *                   + c_1 p_c,j^2 + c_mu c_j sum_i w°_i z_i,j^2
 *         sigma  *= exp(c_s/d_s (||p_sigma|| / chi_n - 1))
 *   A diagonal entry that is not finite and > 0 afterwards is an error
 *   (EJ_EXIT_RUN); with these weights it stays positive.
 *
 * best_params is the mean, as cma_es (the best-ever individual is in the
 * state).  State (bit-exact resume): mean (n) f64, sigma () f64, C (n) f64
 * (the diagonal), p_c (n) f64, p_sigma (n) f64, iteration () i64,
 * best_params (n) f32, best_fitness () f64.  load is all-or-nothing.
 * Memory: 7 n doubles + lambda n floats (the normals of one iteration).
 */
#include "algos/cma_es.h"

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "algos/algo.h"
#include "algos/algo_util.h"

typedef struct sep {
	cma_cfg cfg;
	cma_params p;
	size_t n, lam;
	uint32_t seed;
	int64_t iteration;  /* tells done: g */
	int64_t noise_iter; /* g the normals Z belong to; -1: none */
	double sigma;
	double best_f;      /* -inf: none yet */
	double *mean, *pc, *ps; /* (n) */
	double *C, *D;      /* (n) diagonal covariance, its square root */
	double *zw, *acc, *zbuf; /* (n) */
	float *Z;           /* (lam, n) z_k of iteration noise_iter */
	double *zn2;        /* (lam) ||z_k||^2 */
	float *mean_f, *best_x; /* (n) */
	cma_rank_item *rank; /* (lam) */
	size_t *order;      /* (lam) */
} sep;

static void sep_free(void *state)
{
	sep *s = state;

	if (!s)
		return;
	cma_params_release(&s->p);
	free(s->mean);
	free(s->pc);
	free(s->ps);
	free(s->C);
	free(s->D);
	free(s->zw);
	free(s->acc);
	free(s->zbuf);
	free(s->Z);
	free(s->zn2);
	free(s->mean_f);
	free(s->best_x);
	free(s->rank);
	free(s->order);
	free(s);
}

static sep *sep_alloc(size_t n, size_t lam)
{
	sep *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->mean = malloc(n * sizeof(double));
	s->pc = malloc(n * sizeof(double));
	s->ps = malloc(n * sizeof(double));
	s->C = malloc(n * sizeof(double));
	s->D = malloc(n * sizeof(double));
	s->zw = malloc(n * sizeof(double));
	s->acc = malloc(n * sizeof(double));
	s->zbuf = malloc(n * sizeof(double));
	if (lam <= SIZE_MAX / sizeof(float) / n)
		s->Z = malloc(lam * n * sizeof(float));
	s->zn2 = malloc(lam * sizeof(double));
	s->mean_f = malloc(n * sizeof(float));
	s->best_x = malloc(n * sizeof(float));
	s->rank = malloc(lam * sizeof(cma_rank_item));
	s->order = malloc(lam * sizeof(size_t));
	if (!s->mean || !s->pc || !s->ps || !s->C || !s->D || !s->zw ||
	    !s->acc || !s->zbuf || !s->Z || !s->zn2 || !s->mean_f ||
	    !s->best_x || !s->rank || !s->order) {
		sep_free(s);
		return NULL;
	}
	return s;
}

static int sep_create(void **state, const void *cfgp, const algo_env *env,
		      ej_err *err)
{
	const cma_cfg *cfg = cfgp;
	const size_t n = env->param_size;
	const double dn = (double)n;
	long lam;
	sep *s;

	*state = NULL;
	if (cfg->pop_size == 1 || cfg->pop_size < 0)
		return ej_fail(err, EJ_EXIT_USAGE, "'pop_size' of 'sep_cma_es' "
			       "must be 0 (4 + floor(3 ln n)) or >= 2, got "
			       "'%d'", cfg->pop_size);
	if (!(cfg->init_stdev > 0) || !isfinite(cfg->init_stdev) ||
	    !isfinite(cfg->init_mean))
		return ej_fail(err, EJ_EXIT_USAGE, "'init_stdev' must be a "
			       "finite number > 0 and 'init_mean' finite");
	if (n == 0)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'sep_cma_es' needs at least one parameter");
	lam = cfg->pop_size ? cfg->pop_size : (long)cma_default_lambda(n);
	s = sep_alloc(n, (size_t)lam);
	if (!s)
		return ej_fail(err, EJ_EXIT_RUN, "out of memory for "
			       "'sep_cma_es' (%zu parameters, pop_size %ld)", n,
			       lam);
	if (cma_params_init(&s->p, n, (size_t)lam, (dn + 2) / 3, err) < 0) {
		sep_free(s);
		return -1;
	}
	s->cfg = *cfg;
	s->n = n;
	s->lam = (size_t)lam;
	s->seed = env->seed;
	s->noise_iter = -1;
	s->sigma = cfg->init_stdev;
	s->best_f = -INFINITY;
	for (size_t j = 0; j < n; j++) {
		s->mean[j] = cfg->init_mean;
		s->mean_f[j] = s->best_x[j] = (float)cfg->init_mean;
		s->pc[j] = s->ps[j] = 0;
		s->C[j] = s->D[j] = 1;
	}
	*state = s;
	return 0;
}

static size_t sep_pop_size(const void *state)
{
	return ((const sep *)state)->lam;
}

/* Z for the current iteration (once per iteration). */
static void sep_sample(sep *s)
{
	if (s->noise_iter == s->iteration)
		return;
	for (size_t k = 0; k < s->lam; k++) {
		float *z = s->Z + k * s->n;

		s->zn2[k] = cma_draw_z(s->seed, (uint32_t)s->iteration,
				       (uint32_t)k, s->n, s->zbuf);
		for (size_t j = 0; j < s->n; j++)
			z[j] = (float)s->zbuf[j]; /* exact: drawn as floats */
	}
	s->noise_iter = s->iteration;
}

static float sep_x(const sep *s, size_t k, size_t j)
{
	return (float)(s->mean[j] + s->sigma * (s->D[j] * s->Z[k * s->n + j]));
}

static int sep_ask(void *state, float *params, ej_err *err)
{
	sep *s = state;

	(void)err;
	sep_sample(s);
	for (size_t k = 0; k < s->lam; k++)
		for (size_t j = 0; j < s->n; j++)
			params[k * s->n + j] = sep_x(s, k, j);
	return 0;
}

static int sep_tell(void *state, const float *fitness, ej_err *err)
{
	sep *s = state;
	const cma_params *p = &s->p;
	const size_t n = s->n;
	double psn = 0, hsig, a;

	if (cma_check_fitness(fitness, s->lam, err) < 0)
		return -1;
	sep_sample(s);
	cma_rank(fitness, s->lam, s->rank, s->order);
	if (fitness[s->order[0]] > s->best_f) {
		s->best_f = fitness[s->order[0]];
		for (size_t j = 0; j < n; j++)
			s->best_x[j] = sep_x(s, s->order[0], j);
	}
	/* <z>_w; sum_i w°_i z_i^2 over all lambda */
	memset(s->zw, 0, n * sizeof(*s->zw));
	memset(s->acc, 0, n * sizeof(*s->acc));
	for (size_t i = 0; i < s->lam; i++) {
		const size_t k = s->order[i];
		const float *z = s->Z + k * n;
		double wi = p->w[i];

		if (i < p->mu)
			for (size_t j = 0; j < n; j++)
				s->zw[j] += p->w[i] * z[j];
		if (wi < 0)
			wi = s->zn2[k] > 0 ? wi * (double)n / s->zn2[k] : 0;
		for (size_t j = 0; j < n; j++)
			s->acc[j] += wi * ((double)z[j] * z[j]);
	}
	for (size_t j = 0; j < n; j++) {
		const double yw = s->D[j] * s->zw[j];

		s->mean[j] += s->sigma * yw;
		s->ps[j] = (1 - p->cs) * s->ps[j] +
			   sqrt(p->cs * (2 - p->cs) * p->mueff) * s->zw[j];
		psn += s->ps[j] * s->ps[j];
	}
	psn = sqrt(psn);
	hsig = psn / sqrt(1 - pow(1 - p->cs, 2.0 * (double)(s->iteration + 1)))
	       < (1.4 + 2 / ((double)n + 1)) * p->chi_n ? 1 : 0;
	a = 1 + p->c1 * (1 - hsig) * p->cc * (2 - p->cc) - p->c1 -
	    p->cmu * p->sum_w;
	for (size_t j = 0; j < n; j++) {
		s->pc[j] = (1 - p->cc) * s->pc[j] +
			   hsig * sqrt(p->cc * (2 - p->cc) * p->mueff) *
			   (s->D[j] * s->zw[j]);
		s->C[j] = a * s->C[j] + p->c1 * s->pc[j] * s->pc[j] +
			  p->cmu * s->C[j] * s->acc[j];
	}
	s->sigma *= exp(p->cs / p->damps * (psn / p->chi_n - 1));
	s->iteration++;
	for (size_t j = 0; j < n; j++) {
		if (!(s->C[j] > 0) || !isfinite(s->C[j]))
			return ej_fail(err, EJ_EXIT_RUN, "variance %zu of "
				       "'sep_cma_es' is %g after iteration "
				       "%lld", j, s->C[j],
				       (long long)s->iteration);
		s->D[j] = sqrt(s->C[j]);
		s->mean_f[j] = (float)s->mean[j];
	}
	if (!(s->sigma > 0) || !isfinite(s->sigma))
		return ej_fail(err, EJ_EXIT_RUN, "step size of 'sep_cma_es' is "
			       "%g after iteration %lld", s->sigma,
			       (long long)s->iteration);
	return 0;
}

static const float *sep_best_params(const void *state)
{
	return ((const sep *)state)->mean_f;
}

enum { SEP_MEAN, SEP_SIGMA, SEP_C, SEP_PC, SEP_PS, SEP_IT, SEP_BEST_X,
       SEP_BEST_F, SEP_N_ARRAYS };

static const au_array sep_arrays[SEP_N_ARRAYS] = {
	[SEP_MEAN] = AU_VEC("mean", NPZ_F64, sep, mean, n,
			    AU_EXACT | AU_FINITE),
	[SEP_SIGMA] = AU_SCALAR("sigma", NPZ_F64, sep, sigma,
				AU_EXACT | AU_POSITIVE),
	[SEP_C] = AU_VEC("C", NPZ_F64, sep, C, n, AU_EXACT | AU_FINITE),
	[SEP_PC] = AU_VEC("p_c", NPZ_F64, sep, pc, n, AU_EXACT | AU_FINITE),
	[SEP_PS] = AU_VEC("p_sigma", NPZ_F64, sep, ps, n, AU_EXACT | AU_FINITE),
	[SEP_IT] = AU_SCALAR("iteration", NPZ_I64, sep, iteration,
			     AU_ITERATION),
	[SEP_BEST_X] = AU_VEC("best_params", NPZ_F32, sep, best_x, n, AU_EXACT),
	[SEP_BEST_F] = AU_SCALAR("best_fitness", NPZ_F64, sep, best_f,
				 AU_EXACT | AU_BEST),
};

/* Every variance > 0. */
static int sep_check(void *state, const npz_file *f, const void *const *val,
		     ej_err *err)
{
	const double *C = val[SEP_C];

	(void)f;
	for (size_t j = 0; j < ((sep *)state)->n; j++)
		if (!(C[j] > 0))
			return ej_fail(err, EJ_EXIT_RUN, "array 'C' has a "
				       "value <= 0 at %zu", j);
	return 0;
}

static void sep_commit(void *state, const npz_file *f)
{
	sep *s = state;

	(void)f;
	for (size_t j = 0; j < s->n; j++) {
		s->D[j] = sqrt(s->C[j]);
		s->mean_f[j] = (float)s->mean[j];
	}
}

static const au_state_desc sep_state_desc = {
	.algo = "sep_cma_es",
	.arrays = sep_arrays,
	.n_arrays = SEP_N_ARRAYS,
	.drawn_at = offsetof(sep, noise_iter),
	.check = sep_check,
	.commit = sep_commit,
};

AU_STATE_FNS(sep, sep_state_desc)

const algo_ops sep_cma_es_ops = {
	.name = "sep_cma_es",
	.summary = "Sep-CMA-ES, diagonal covariance, linear time "
	           "and memory (Ros & Hansen 2008)",
	.fields = cma_fields,
	.n_fields = CMA_N_FIELDS,
	.cfg_size = sizeof(cma_cfg),
	.create = sep_create,
	.pop_size = sep_pop_size,
	.ask = sep_ask,
	.tell = sep_tell,
	.best_params = sep_best_params,
	.state = sep_state,
	.load = sep_load,
	.free = sep_free,
};
