/* cma_es.c - CMA-ES with a full covariance matrix and active (negative)
 * weights, as in Hansen, "The CMA Evolution Strategy: A Tutorial"
 * (arXiv:1604.00772, 2016/2023 revision) and pycma 4.x; also the helpers
 * Sep-CMA-ES shares (cma_es.h).
 *
 * Keys (section 'algo'): pop_size lambda (0, the default: 4 + floor(3 ln n);
 * otherwise >= 2), init_stdev sigma0 (default 0.1, as EvoJAX), init_mean
 * (every coordinate of the initial mean; default 0, as EvoJAX).  Strategy
 * parameters: cma_es.h (the tutorial's table 1, c_m = 1).  No schedulable
 * hyperparameters (hparams NULL): the learning rates c_1, c_mu, c_c,
 * c_sigma are functions of n and lambda, and sigma is adapted state.
 *
 * One iteration g = 0, 1, ... (n = P parameters, all arithmetic in double):
 *   ask:  z_k ~ N(0, I) (cma_draw_z, member k), y_k = B D z_k,
 *         x_k = (float)(m + sigma y_k), k = 0..lambda-1; asking twice
 *         gives the same population (it depends on g only).
 *   tell: rank by fitness (largest first, ties by lower index), i:lambda
 *         the i-th best;
 *         <y>_w = sum_{i<=mu} w_i y_i:lambda,  <z>_w likewise
 *         m      += sigma <y>_w
 *         p_sigma = (1 - c_s) p_sigma + sqrt(c_s (2 - c_s) mueff) B <z>_w
 *                   (= C^-1/2 <y>_w for the B, D the samples came from)
 *         h_sigma = ||p_sigma|| / sqrt(1 - (1 - c_s)^(2 (g+1)))
 *                   < (1.4 + 2/(n+1)) chi_n
 *         p_c     = (1 - c_c) p_c + h_sigma sqrt(c_c (2 - c_c) mueff) <y>_w
 *         w°_i    = w_i, times n / ||C^-1/2 y_i:lambda||^2 = n / ||z_i||^2
 *                   when w_i < 0 (the tutorial's rescaling of negative
 *                   steps; 0 if ||z|| = 0)
 *         C       = (1 + c_1 (1 - h_sigma) c_c (2 - c_c) - c_1 - c_mu sum w) C
 *                   + c_1 p_c p_c^T + c_mu sum_i w°_i y_i y_i^T
 *                   (lower triangle by la_gemm in row blocks, mirrored)
 *         sigma  *= exp(c_s/d_s (||p_sigma|| / chi_n - 1))
 *   Lazy eigendecomposition (tutorial, B.2): B, D are recomputed from C by
 *   la_eigh (core/linalg.h) at the end of tell once g + 1 - g_eigen >=
 *   eigen_gap = max(1, floor(1 / (10 n (c_1 + c_mu)))); between times the
 *   samples use the older B, D (n = 4609, lambda = 256: every 3rd
 *   iteration; lambda 29: every 29th).  If the smallest eigenvalue is
 *   below 1e-14 times the largest, (1e-14 max - min) is added to the
 *   diagonal of C and to every eigenvalue (pycma bounds the condition
 *   number the same way); a largest eigenvalue <= 0 is an error.
 *
 * best_params is the mean m (as float), as EvoJAX reports CMA-ES's
 * solution: the mean is the algorithm's estimate of the optimum, it is
 * what the distribution converges to, and on noisy tasks a single lucky
 * sample over-states its quality.  The best-ever individual (raw fitness)
 * is kept too and saved in the state ('best_params', 'best_fitness') so
 * it is never lost.
 *
 * Memory: C, B and the eigensolver's two work matrices, 4 n^2 doubles,
 * plus 4 lambda n doubles of samples.  n with 32 n^2 bytes > 7.5 GiB
 * (n > 15864) is refused at create (EJ_EXIT_USAGE) with a hint to use
 * 'sep_cma_es'; the limit also keeps a checkpoint (C and B) under npz's
 * 4 GiB.  Cost per iteration: ask 2 lambda n^2 flops, tell lambda n^2
 * (+ the eigendecomposition, ~ 10/3 n^3, every eigen_gap iterations).
 *
 * State (bit-exact resume; the noise is a pure function of seed and g):
 * mean (n) f64, sigma () f64, C (n, n) f64, B (n, n) f64, D (n) f64,
 * p_c (n) f64, p_sigma (n) f64, iteration () i64, eigen_iteration () i64
 * (g at the last decomposition), best_params (n) f32, best_fitness () f64
 * (-inf before the first tell).  load is all-or-nothing.
 * Errors: non-finite fitness (EJ_EXIT_RUN, "fitness of member 3 is nan",
 * nothing changed); a step size that overflows or a covariance matrix
 * that turns non-finite (EJ_EXIT_RUN).
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
#include "core/linalg.h"
#include "opencl/philox.h"

/* ---- shared with sep_cma_es.c ----------------------------------------- */

#define CMA_OFF(m) offsetof(cma_cfg, m)

const cfg_field cma_fields[CMA_N_FIELDS] = {
	{ .key = "pop_size", .type = CFG_INT, .offset = CMA_OFF(pop_size),
	  .def = "0", .min = 0, .max = INFINITY,
	  .help = "population size lambda (0: 4 + floor(3 ln n); else >= 2)" },
	{ .key = "init_stdev", .type = CFG_FLOAT,
	  .offset = CMA_OFF(init_stdev), .def = "0.1", .min = 0,
	  .max = INFINITY, .flags = CFG_F_MIN_OPEN,
	  .help = "initial step size sigma0" },
	{ .key = "init_mean", .type = CFG_FLOAT, .offset = CMA_OFF(init_mean),
	  .def = "0", .min = -INFINITY, .max = INFINITY,
	  .help = "initial value of every mean coordinate (EvoJAX: 0)" },
};

size_t cma_default_lambda(size_t n)
{
	return 4 + (size_t)floor(3 * log((double)n));
}

int cma_params_init(cma_params *p, size_t n, size_t lambda, double cov_scale,
		    ej_err *err)
{
	const double dn = (double)n;
	double spos = 0, spos2 = 0, sneg = 0, sneg2 = 0, cmu_raw, scale;

	memset(p, 0, sizeof(*p));
	p->w = malloc(lambda * sizeof(*p->w));
	if (!p->w)
		return ej_fail(err, EJ_EXIT_RUN, "out of memory for %zu "
			       "recombination weights", lambda);
	p->n = n;
	p->lambda = lambda;
	p->mu = lambda / 2;
	for (size_t i = 0; i < lambda; i++) {
		double w = log((double)(lambda + 1) / 2) - log((double)(i + 1));

		p->w[i] = w;
		if (w > 0) {
			spos += w;
			spos2 += w * w;
		} else if (w < 0) {
			sneg += -w;
			sneg2 += w * w;
		}
	}
	p->mueff = spos * spos / spos2;
	p->mueff_neg = sneg2 > 0 ? sneg * sneg / sneg2 : 0;
	p->cc = (4 + p->mueff / dn) / (dn + 4 + 2 * p->mueff / dn);
	p->cs = (p->mueff + 2) / (dn + p->mueff + 5);
	p->damps = 1 + 2 * fmax(0, sqrt((p->mueff - 1) / (dn + 1)) - 1) +
		   p->cs;
	p->c1 = cov_scale * 2 / ((dn + 1.3) * (dn + 1.3) + p->mueff);
	cmu_raw = 2 * (0.25 + p->mueff + 1 / p->mueff - 2) /
		  ((dn + 2) * (dn + 2) + p->mueff);
	p->cmu = fmin(1 - p->c1, cov_scale * cmu_raw);
	p->chi_n = sqrt(dn) * (1 - 1 / (4 * dn) + 1 / (21 * dn * dn));
	scale = fmin(fmin(1 + p->c1 / p->cmu,
			  1 + 2 * p->mueff_neg / (p->mueff + 2)),
		     (1 - p->c1 - p->cmu) / (dn * p->cmu));
	p->sum_w = 0;
	for (size_t i = 0; i < lambda; i++) {
		p->w[i] = p->w[i] >= 0 ? p->w[i] / spos
				       : p->w[i] * scale / sneg;
		p->sum_w += p->w[i];
	}
	p->eigen_gap = (int64_t)floor(1 / (10 * dn * (p->c1 + p->cmu)));
	if (p->eigen_gap < 1)
		p->eigen_gap = 1;
	return 0;
}

void cma_params_release(cma_params *p)
{
	free(p->w);
	p->w = NULL;
}

double cma_draw_z(uint32_t seed, uint32_t it, uint32_t member, size_t n,
		  double *z)
{
	double s = 0;

	for (size_t j = 0; j < n; j += 4) {
		ph_out w = ph_draw(seed, PH_PURPOSE_NOISE, it, member, 0,
				   (uint32_t)(j / 4));
		float v[4];

		ph_normal2(w.v[0], w.v[1], &v[0], &v[1]);
		ph_normal2(w.v[2], w.v[3], &v[2], &v[3]);
		for (size_t q = 0; q < 4 && j + q < n; q++) {
			z[j + q] = v[q];
			s += (double)v[q] * v[q];
		}
	}
	return s;
}

int cma_check_fitness(const float *fitness, size_t lambda, ej_err *err)
{
	for (size_t i = 0; i < lambda; i++)
		if (!isfinite(fitness[i]))
			return ej_fail(err, EJ_EXIT_RUN,
				       "fitness of member %zu is %s", i,
				       isnan(fitness[i]) ? "nan" :
				       fitness[i] > 0 ? "inf" : "-inf");
	return 0;
}

static int cma_rank_cmp(const void *a, const void *b)
{
	const cma_rank_item *x = a, *y = b;

	if (x->f != y->f)
		return x->f > y->f ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

void cma_rank(const float *fitness, size_t lambda, cma_rank_item *scratch,
	      size_t *order)
{
	for (size_t i = 0; i < lambda; i++) {
		scratch[i].f = fitness[i];
		scratch[i].i = i;
	}
	qsort(scratch, lambda, sizeof(*scratch), cma_rank_cmp);
	for (size_t i = 0; i < lambda; i++)
		order[i] = scratch[i].i;
}

/* ---- CMA-ES ------------------------------------------------------------ */

#define CMA_MAX_BYTES (7.5 * 1024 * 1024 * 1024) /* 4 n^2 doubles */
#define CMA_COND_MAX 1e14
enum { CMA_ROWS = 256 }; /* row block of the covariance update */

typedef struct cma {
	cma_cfg cfg;
	cma_params p;
	size_t n, lam;
	uint32_t seed;
	int64_t iteration;  /* tells done: g */
	int64_t eigen_iter; /* g when B, D were computed */
	int64_t noise_iter; /* g the samples Z, Y belong to; -1: none */
	double sigma;
	double best_f;      /* -inf: none yet */
	double *mean, *pc, *ps; /* (n) */
	double *C;          /* (n, n) symmetric, both triangles */
	double *B;          /* (n, n) column j = eigenvector j */
	double *D;          /* (n) sqrt(eigenvalue j) */
	double *Z;          /* (lam, n) z_k of iteration noise_iter */
	double *zn2;        /* (lam) ||z_k||^2 */
	double *Y;          /* (lam, n) y_k = B D z_k */
	double *Ys;         /* (lam + 1, n) D z (ask); sorted y, p_c (tell) */
	double *YW;         /* (lam + 1, n) Ys rows times their weights */
	double *zw, *yw, *tmp; /* (n) */
	float *mean_f;      /* (n) best_params */
	float *best_x;      /* (n) best-ever individual */
	cma_rank_item *rank; /* (lam) */
	size_t *order;      /* (lam) */
	double *eig_work;   /* la_eigh_work_size(n) */
} cma;

static void cma_free(void *state)
{
	cma *s = state;

	if (!s)
		return;
	cma_params_release(&s->p);
	free(s->mean);
	free(s->pc);
	free(s->ps);
	free(s->C);
	free(s->B);
	free(s->D);
	free(s->Z);
	free(s->zn2);
	free(s->Y);
	free(s->Ys);
	free(s->YW);
	free(s->zw);
	free(s->yw);
	free(s->tmp);
	free(s->mean_f);
	free(s->best_x);
	free(s->rank);
	free(s->order);
	free(s->eig_work);
	free(s);
}

/* malloc(a * b * size) or NULL on overflow. */
static void *cma_alloc(size_t a, size_t b, size_t size)
{
	size_t bytes;

	if (b && a > SIZE_MAX / b / size)
		return NULL;
	bytes = a * b * size;
	return malloc(bytes > 0 ? bytes : 1);
}

static cma *cma_alloc_state(size_t n, size_t lam)
{
	cma *s = calloc(1, sizeof(*s));
	size_t ew = la_eigh_work_size(n);

	if (!s)
		return NULL;
	s->mean = cma_alloc(n, 1, sizeof(double));
	s->pc = cma_alloc(n, 1, sizeof(double));
	s->ps = cma_alloc(n, 1, sizeof(double));
	s->C = cma_alloc(n, n, sizeof(double));
	s->B = cma_alloc(n, n, sizeof(double));
	s->D = cma_alloc(n, 1, sizeof(double));
	s->Z = cma_alloc(lam, n, sizeof(double));
	s->zn2 = cma_alloc(lam, 1, sizeof(double));
	s->Y = cma_alloc(lam, n, sizeof(double));
	s->Ys = cma_alloc(lam + 1, n, sizeof(double));
	s->YW = cma_alloc(lam + 1, n, sizeof(double));
	s->zw = cma_alloc(n, 1, sizeof(double));
	s->yw = cma_alloc(n, 1, sizeof(double));
	s->tmp = cma_alloc(n, 1, sizeof(double));
	s->mean_f = cma_alloc(n, 1, sizeof(float));
	s->best_x = cma_alloc(n, 1, sizeof(float));
	s->rank = cma_alloc(lam, 1, sizeof(cma_rank_item));
	s->order = cma_alloc(lam, 1, sizeof(size_t));
	s->eig_work = ew ? cma_alloc(ew, 1, sizeof(double)) : NULL;
	if (!s->mean || !s->pc || !s->ps || !s->C || !s->B || !s->D ||
	    !s->Z || !s->zn2 || !s->Y || !s->Ys || !s->YW || !s->zw ||
	    !s->yw || !s->tmp || !s->mean_f || !s->best_x || !s->rank ||
	    !s->order || !s->eig_work) {
		cma_free(s);
		return NULL;
	}
	return s;
}

/* lambda from the config, or -1 (EJ_EXIT_USAGE) for pop_size 1 or < 0. */
static long cma_lambda(const cma_cfg *c, size_t n, const char *name,
		       ej_err *err)
{
	if (c->pop_size == 1 || c->pop_size < 0)
		return ej_fail(err, EJ_EXIT_USAGE, "'pop_size' of '%s' must be "
			       "0 (4 + floor(3 ln n)) or >= 2, got '%d'", name,
			       c->pop_size);
	if (!(c->init_stdev > 0) || !isfinite(c->init_stdev) ||
	    !isfinite(c->init_mean))
		return ej_fail(err, EJ_EXIT_USAGE, "'init_stdev' must be a "
			       "finite number > 0 and 'init_mean' finite");
	if (n == 0)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'%s' needs at least one parameter", name);
	return c->pop_size ? c->pop_size : (long)cma_default_lambda(n);
}

static int cma_create(void **state, const void *cfgp, const algo_env *env,
		      ej_err *err)
{
	const cma_cfg *cfg = cfgp;
	const size_t n = env->param_size;
	const double bytes = 32.0 * (double)n * (double)n;
	long lam;
	cma *s;

	*state = NULL;
	lam = cma_lambda(cfg, n, "cma_es", err);
	if (lam < 0)
		return -1;
	if (bytes > CMA_MAX_BYTES)
		return ej_fail(err, EJ_EXIT_USAGE, "'cma_es' with %zu "
			       "parameters needs %.1f GiB for the covariance "
			       "matrix and its eigendecomposition (4 n x n "
			       "doubles; limit 7.5 GiB, n <= 15864); use "
			       "'sep_cma_es' (diagonal covariance) for models "
			       "this large", n, bytes / (1024.0 * 1024 * 1024));
	s = cma_alloc_state(n, (size_t)lam);
	if (!s)
		return ej_fail(err, EJ_EXIT_RUN, "out of memory for 'cma_es' "
			       "(%zu parameters, pop_size %ld)", n, lam);
	if (cma_params_init(&s->p, n, (size_t)lam, 1, err) < 0) {
		cma_free(s);
		return -1;
	}
	s->cfg = *cfg;
	s->n = n;
	s->lam = (size_t)lam;
	s->seed = env->seed;
	s->noise_iter = -1;
	s->sigma = cfg->init_stdev;
	s->best_f = -INFINITY;
	memset(s->C, 0, n * n * sizeof(*s->C));
	memset(s->B, 0, n * n * sizeof(*s->B));
	for (size_t j = 0; j < n; j++) {
		s->mean[j] = cfg->init_mean;
		s->mean_f[j] = (float)cfg->init_mean;
		s->best_x[j] = (float)cfg->init_mean;
		s->pc[j] = s->ps[j] = 0;
		s->C[j * n + j] = s->B[j * n + j] = s->D[j] = 1;
	}
	*state = s;
	return 0;
}

static size_t cma_pop_size(const void *state)
{
	return ((const cma *)state)->lam;
}

/* Z, Y for the current iteration (once per iteration). */
static void cma_sample(cma *s)
{
	const size_t n = s->n;

	if (s->noise_iter == s->iteration)
		return;
	for (size_t k = 0; k < s->lam; k++) {
		double *z = s->Z + k * n, *dz = s->Ys + k * n;

		s->zn2[k] = cma_draw_z(s->seed, (uint32_t)s->iteration,
				       (uint32_t)k, n, z);
		for (size_t j = 0; j < n; j++)
			dz[j] = s->D[j] * z[j];
	}
	/* Y[k][i] = sum_j B[i][j] (D z_k)[j] */
	la_gemm(s->lam, n, n, 1, s->Ys, n, 1, s->B, 1, n, 0, s->Y, n);
	s->noise_iter = s->iteration;
}

static int cma_ask(void *state, float *params, ej_err *err)
{
	cma *s = state;

	(void)err;
	cma_sample(s);
	for (size_t k = 0; k < s->lam; k++) {
		const double *y = s->Y + k * s->n;

		for (size_t j = 0; j < s->n; j++)
			params[k * s->n + j] = (float)(s->mean[j] +
						       s->sigma * y[j]);
	}
	return 0;
}

/* B, D from C (see the header comment). */
static int cma_decompose(cma *s, ej_err *err)
{
	const size_t n = s->n;
	double *ev = s->tmp, lo, hi;

	if (la_eigh(n, s->C, ev, s->B, s->eig_work, err) < 0)
		return ej_prefix(err, "covariance matrix of 'cma_es': ");
	lo = ev[0];
	hi = ev[n - 1];
	if (!(hi > 0))
		return ej_fail(err, EJ_EXIT_RUN, "covariance matrix of 'cma_es' "
			       "is not positive definite (largest eigenvalue "
			       "%g)", hi);
	if (!(lo > hi / CMA_COND_MAX)) {
		const double add = hi / CMA_COND_MAX - lo;

		for (size_t j = 0; j < n; j++) {
			s->C[j * n + j] += add;
			ev[j] += add;
		}
	}
	for (size_t j = 0; j < n; j++)
		s->D[j] = sqrt(ev[j]);
	s->eigen_iter = s->iteration;
	return 0;
}

/* The best-ever individual, from the member ranked first. */
static void cma_track_best(cma *s, const float *fitness)
{
	const size_t k = s->order[0];

	if (!(fitness[k] > s->best_f))
		return;
	s->best_f = fitness[k];
	for (size_t j = 0; j < s->n; j++)
		s->best_x[j] = (float)(s->mean[j] + s->sigma * s->Y[k * s->n + j]);
}

/* C = a C + sum_r YW[r] Ys[r]^T over lambda + 1 rows, lower triangle in
 * row blocks, then mirrored. */
static void cma_update_cov(cma *s, double a)
{
	const size_t n = s->n, rows = s->lam + 1;

	for (size_t r0 = 0; r0 < n; r0 += CMA_ROWS) {
		size_t r1 = n - r0 < CMA_ROWS ? n : r0 + CMA_ROWS;

		la_gemm(r1 - r0, r1, rows, 1, s->YW + r0, 1, n, s->Ys, n, 1, a,
			s->C + r0 * n, n);
	}
	la_mirror_lower(n, s->C);
}

static int cma_tell(void *state, const float *fitness, ej_err *err)
{
	cma *s = state;
	const cma_params *p = &s->p;
	const size_t n = s->n;
	double psn = 0, hsig, a;

	if (cma_check_fitness(fitness, s->lam, err) < 0)
		return -1;
	cma_sample(s);
	cma_rank(fitness, s->lam, s->rank, s->order);
	cma_track_best(s, fitness);
	/* weighted means of the mu best */
	memset(s->yw, 0, n * sizeof(*s->yw));
	memset(s->zw, 0, n * sizeof(*s->zw));
	for (size_t i = 0; i < p->mu; i++) {
		const double *y = s->Y + s->order[i] * n;
		const double *z = s->Z + s->order[i] * n;

		for (size_t j = 0; j < n; j++) {
			s->yw[j] += p->w[i] * y[j];
			s->zw[j] += p->w[i] * z[j];
		}
	}
	for (size_t j = 0; j < n; j++)
		s->mean[j] += s->sigma * s->yw[j];
	/* p_sigma with C^-1/2 <y>_w = B <z>_w */
	for (size_t i = 0; i < n; i++) {
		const double *b = s->B + i * n;
		double bz = 0;

		for (size_t j = 0; j < n; j++)
			bz += b[j] * s->zw[j];
		s->ps[i] = (1 - p->cs) * s->ps[i] +
			   sqrt(p->cs * (2 - p->cs) * p->mueff) * bz;
		psn += s->ps[i] * s->ps[i];
	}
	psn = sqrt(psn);
	hsig = psn / sqrt(1 - pow(1 - p->cs, 2.0 * (double)(s->iteration + 1)))
	       < (1.4 + 2 / ((double)n + 1)) * p->chi_n ? 1 : 0;
	for (size_t j = 0; j < n; j++)
		s->pc[j] = (1 - p->cc) * s->pc[j] +
			   hsig * sqrt(p->cc * (2 - p->cc) * p->mueff) *
			   s->yw[j];
	/* rows for C: sorted y_i with c_mu w°_i, then p_c with c_1 */
	for (size_t i = 0; i < s->lam; i++) {
		const size_t k = s->order[i];
		const double *y = s->Y + k * n;
		double *ys = s->Ys + i * n, *yw = s->YW + i * n;
		double wi = p->w[i];

		if (wi < 0)
			wi = s->zn2[k] > 0 ? wi * (double)n / s->zn2[k] : 0;
		for (size_t j = 0; j < n; j++) {
			ys[j] = y[j];
			yw[j] = p->cmu * wi * y[j];
		}
	}
	for (size_t j = 0; j < n; j++) {
		s->Ys[s->lam * n + j] = s->pc[j];
		s->YW[s->lam * n + j] = p->c1 * s->pc[j];
	}
	a = 1 + p->c1 * (1 - hsig) * p->cc * (2 - p->cc) - p->c1 -
	    p->cmu * p->sum_w;
	cma_update_cov(s, a);
	s->sigma *= exp(p->cs / p->damps * (psn / p->chi_n - 1));
	s->iteration++;
	for (size_t j = 0; j < n; j++)
		s->mean_f[j] = (float)s->mean[j];
	if (!(s->sigma > 0) || !isfinite(s->sigma))
		return ej_fail(err, EJ_EXIT_RUN, "step size of 'cma_es' is %g "
			       "after iteration %lld", s->sigma,
			       (long long)s->iteration);
	if (s->iteration - s->eigen_iter >= p->eigen_gap)
		return cma_decompose(s, err);
	return 0;
}

static const float *cma_best_params(const void *state)
{
	return ((const cma *)state)->mean_f;
}

enum { CMA_MEAN, CMA_SIGMA, CMA_C, CMA_B, CMA_D, CMA_PC, CMA_PS, CMA_IT,
       CMA_EIT, CMA_BEST_X, CMA_BEST_F, CMA_N_ARRAYS };

static const au_array cma_arrays[CMA_N_ARRAYS] = {
	[CMA_MEAN] = AU_VEC("mean", NPZ_F64, cma, mean, n,
			    AU_EXACT | AU_FINITE),
	[CMA_SIGMA] = AU_SCALAR("sigma", NPZ_F64, cma, sigma,
				AU_EXACT | AU_POSITIVE),
	[CMA_C] = AU_MAT("C", NPZ_F64, cma, C, n, n, AU_EXACT | AU_FINITE),
	[CMA_B] = AU_MAT("B", NPZ_F64, cma, B, n, n, AU_EXACT | AU_FINITE),
	[CMA_D] = AU_VEC("D", NPZ_F64, cma, D, n, AU_EXACT | AU_POSITIVE),
	[CMA_PC] = AU_VEC("p_c", NPZ_F64, cma, pc, n, AU_EXACT | AU_FINITE),
	[CMA_PS] = AU_VEC("p_sigma", NPZ_F64, cma, ps, n, AU_EXACT | AU_FINITE),
	[CMA_IT] = AU_SCALAR("iteration", NPZ_I64, cma, iteration,
			     AU_ITERATION),
	[CMA_EIT] = AU_SCALAR("eigen_iteration", NPZ_I64, cma, eigen_iter, 0),
	[CMA_BEST_X] = AU_VEC("best_params", NPZ_F32, cma, best_x, n, AU_EXACT),
	[CMA_BEST_F] = AU_SCALAR("best_fitness", NPZ_F64, cma, best_f,
				 AU_EXACT | AU_BEST),
};

/* B and D were computed at an iteration not after the current one. */
static int cma_check(void *state, const npz_file *f, const void *const *val,
		     ej_err *err)
{
	const int64_t it = *(const int64_t *)val[CMA_IT];
	const int64_t eit = *(const int64_t *)val[CMA_EIT];

	(void)state;
	(void)f;
	if (eit < 0 || eit > it)
		return ej_fail(err, EJ_EXIT_RUN, "arrays 'iteration' (%lld) "
			       "and 'eigen_iteration' (%lld) are out of range",
			       (long long)it, (long long)eit);
	return 0;
}

static void cma_commit(void *state, const npz_file *f)
{
	cma *s = state;

	(void)f;
	for (size_t j = 0; j < s->n; j++)
		s->mean_f[j] = (float)s->mean[j];
}

static const au_state_desc cma_state_desc = {
	.algo = "cma_es",
	.arrays = cma_arrays,
	.n_arrays = CMA_N_ARRAYS,
	.drawn_at = offsetof(cma, noise_iter),
	.check = cma_check,
	.commit = cma_commit,
};

AU_STATE_FNS(cma, cma_state_desc)

const algo_ops cma_es_ops = {
	.name = "cma_es",
	.summary = "CMA-ES, full covariance with active weights "
	           "(Hansen's tutorial defaults)",
	.fields = cma_fields,
	.n_fields = CMA_N_FIELDS,
	.cfg_size = sizeof(cma_cfg),
	.create = cma_create,
	.pop_size = cma_pop_size,
	.ask = cma_ask,
	.tell = cma_tell,
	.best_params = cma_best_params,
	.state = cma_state,
	.load = cma_load,
	.free = cma_free,
};
