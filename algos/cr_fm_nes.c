/* cr_fm_nes.c - CR-FM-NES (Nomura & Ono, "Fast Moving Natural Evolution
 * Strategy for High-Dimensional Problems", IEEE CEC 2022, arXiv:2201.11422).
 *
 * Sources.  Every constant and update step below follows the authors'
 * reference implementation nomuramasahir0/crfmnes, crfmnes/alg.py at v1.0.0
 * (commit 356da01 "IEEE CEC 2022 version" plus cc179dd, which only moves
 * the h_inv solver's start point); the README of that repository ties it to
 * the paper.  The paper's own text was not available to us, so the
 * equation references are to alg.py.  google/evojax algo/crfmnes.py and
 * fast-cma-es crfmnes.py are ports of the same file and agree with it.
 *
 * Model.  n parameters, lambda = pop_size (even), h = lambda/2.  The search
 * distribution is N(m, sigma^2 D (I + v v^T) D) with diagonal D and one
 * vector v.  Sampling (antithetic, as in alg.py):
 *   z_k ~ N(0, I) for k < h,   z_{k+h} = -z_k
 *   y_i = z_i + (sqrt(1 + |v|^2) - 1) vbar (vbar . z_i),   vbar = v/|v|
 *   x_i = m + sigma D y_i
 * so rows k and k+h of the population are mirror images about m.
 * z_k = row k of the iteration's shared noise layout (algo_util.h, as in
 * pgpe.c).  v starts as N(0, I)/sqrt(n) (the same layout with purpose
 * ALGO, iteration 0, member 0), D = I, m = init_mean, sigma = init_stdev,
 * pc = ps = 0.
 *
 * Constants (alg.py __init__; lambda_F = lambda, see "constraints" below):
 *   w_hat_i   = max(0, ln(lambda/2 + 1) - ln i),  i = 1..lambda (by rank)
 *   w_rank_i  = w_hat_i / sum(w_hat) - 1/lambda   (au_log_rank_weights)
 *   mu_eff    = 1 / sum_i (w_rank_i + 1/lambda)^2
 *   c_s       = (mu_eff + 2) / (n + mu_eff + 5)
 *   c_c       = (4 + mu_eff/n) / (n + 4 + 2 mu_eff/n)
 *   c1_cma    = 2 / ((n + 1.3)^2 + mu_eff)
 *   c_1       = c1_cma (n - 5)/6 * lambda_F/lambda   (<= 0 for n <= 5, as
 *               in alg.py: the method is meant for large n)
 *   chi_n     = sqrt(n) (1 - 1/(4n) + 1/(21 n^2))
 *   h_inv     : the a > 0 with (1 + a^2) exp(a^2/2) / 0.24 = 10 + n
 *               (alg.py solves it by damped Newton; we bisect to the last
 *               bit, which gives the same root)
 *   alpha_dist = h_inv min(1, sqrt(lambda/n)) sqrt(lambda_F/lambda)
 *   eta_m = 1, eta_move_sigma = 1
 *   eta_stag_sigma = tanh((0.024 lambda_F + 0.7 n + 20) / (n + 12))
 *   eta_conv_sigma = 2 tanh((0.025 lambda_F + 0.75 n + 10) / (n + 4))
 *   eta_B = tanh((min(0.02 lambda_F, 3 ln n) + 5) / (0.23 n + 25))
 * Default lambda (pop_size 0): 4 + floor(3 ln n), plus one if odd.  alg.py
 * takes lambda from the caller (its tests use 16 for n = 40, which is this
 * rule); the rule is the CMA-ES default (Hansen's tutorial) made even.
 *
 * One tell (alg.py one_iteration, fitness MAXIMIZED: rank 1 = highest
 * fitness; ties go to the lower member index):
 *   1. p_s  = (1 - c_s) p_s + sqrt(c_s (2 - c_s) mu_eff) sum_i w_rank_i z_i
 *   2. if |p_s| >= chi_n ("fast moving"): weights = distance weights
 *        w_i = w_hat_i exp(alpha_dist |z_i|) / sum(..) - 1/lambda
 *      else weights = w_rank.  (We subtract max_i alpha_dist |z_i| inside
 *      the exponent; it cancels in the ratio and keeps exp finite for any
 *      n, where evojax clamps the exponent at 100.)
 *      eta_sigma = eta_move if |p_s| >= chi_n, else eta_stag if
 *      |p_s| >= 0.1 chi_n, else eta_conv.
 *   3. p_c = (1 - c_c) p_c + sqrt(c_c (2 - c_c) mu_eff) sum_i w_i (x_i - m)
 *      / sigma;   m += eta_m sum_i w_i (x_i - m)
 *      (x_i - m = sigma D y_i is used exactly, in double, not the float
 *      rows handed out by ask)
 *   4. The restricted-Fisher natural gradient of (v, D): for each of the
 *      lambda + 1 columns Y = y_i (ranked) and Y = p_c / D (old D) the
 *      vectors s(Y), t(Y) of alg.py "calculate s, t" (with gamma = 1+|v|^2,
 *      alpha_vd = min(1, sqrt(|v|^4 + (2 gamma - sqrt(gamma)) / max vbar^2)
 *      / (2 + |v|^2)), b, H, ...), combined with the weights
 *      e = (eta_B w_1..lambda, c_1):
 *        v += (sum_c e_c t_c) / |v|,   D *= 1 + sum_c e_c s_c
 *      then D /= (det A)^(1/n), (det A)^(1/n) = exp(sum ln D_j / n +
 *      ln(1 + |v|^2) / (2n)) with the new v and D.
 *   5. G_s = sum_i w_i (|z_i|^2 - n) / n;  sigma *= exp(eta_sigma/2 G_s).
 * Cost: alg.py forms the n x (lambda+1) matrices of step 4.  Every one of
 * its column operations is elementwise with per-column scalars or an inner
 * product with a fixed vector, so the weighted sums over columns reduce to
 * three accumulations over the columns (sum e y^2, sum e (vbar.y) y and
 * sum w y) plus O(n) vector algebra; mirrored columns share y^2 and
 * (vbar.y) y.  A tell is two passes over the h noise rows and an ask one:
 * O(lambda n) time, O(lambda n / 2) floats of noise and O(n) doubles
 * otherwise.  tests/test_cr_fm_nes.c checks this against a direct
 * transcription of alg.py's matrix formulas.
 *
 * Constraints.  alg.py treats +inf objective values (infeasible points) by
 * ranking them by |z| and shrinking lambda_F; here non-finite fitness is an
 * error (algo.h), so lambda_F = lambda always and that branch is absent.
 *
 * Precision and errors.  m, sigma, v, D, p_c, p_s are doubles; z is float
 * (as drawn); ask writes float rows.  tell refuses non-finite fitness
 * ("fitness of member 3 is nan", EJ_EXIT_RUN) and an update that would
 * make D non-positive or any value non-finite ("'cr_fm_nes' update
 * diverged: ..."), in both cases before changing any state.  ask does not
 * advance anything: asking twice gives the same population.
 *
 * best_params is the mean m (as float), like PGPE's center; evojax's
 * wrapper returns the best sample seen instead.
 *
 * State (bit-exact resume; the noise is a pure function of seed and
 * iteration): mean, v, D, pc, ps (n) f64, sigma () f64, iteration () i64.
 * load accepts f32 or f64 arrays, checks sizes and values (sigma > 0,
 * D > 0, |v| > 0, all finite) and is all-or-nothing.
 */
#include "algos/algo.h"
#include "algos/algo_util.h"

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opencl/philox.h"

typedef struct crfm_cfg {
	int pop_size;
	double init_stdev;
	double init_mean;
} crfm_cfg;

#define CRFM_OFF(m) offsetof(crfm_cfg, m)

static const cfg_field crfm_fields[] = {
	{ .key = "pop_size", .type = CFG_INT, .offset = CRFM_OFF(pop_size),
	  .def = "0", .min = 0, .max = INFINITY, .flags = CFG_F_EVEN,
	  .help = "population size lambda (even; 0: 4 + floor(3 ln n), "
		  "made even)" },
	{ .key = "init_stdev", .type = CFG_FLOAT,
	  .offset = CRFM_OFF(init_stdev), .def = "0.1", .min = 0,
	  .max = INFINITY, .flags = CFG_F_MIN_OPEN,
	  .help = "initial step size sigma0 (EvoJAX default 0.1)" },
	{ .key = "init_mean", .type = CFG_FLOAT, .offset = CRFM_OFF(init_mean),
	  .def = "0", .min = -INFINITY, .max = INFINITY,
	  .help = "initial value of every mean parameter" },
};

/* Constants that depend on n and lambda only. */
typedef struct crfm_const {
	double mueff, cs, cc, c1, chi_n, alpha_dist;
	double eta_stag, eta_conv, eta_b;
} crfm_const;

typedef struct crfm {
	crfm_cfg cfg;
	crfm_const k;
	size_t n, lam, half;
	uint32_t seed;
	int64_t iteration;  /* tells done so far; names the noise */
	int64_t noise_iter; /* iteration 'z' was drawn for, -1: none */
	noisedev *nd;       /* device noise or NULL (borrowed) */
	double sigma;
	double *m, *v, *d, *pc, *ps;            /* (n) the state */
	double *m2, *v2, *d2, *pc2, *ps2;       /* (n) next state, swapped in */
	float *mean_f;   /* (n) m as float, for best_params */
	float *z;        /* (half, n) noise rows z_k */
	double *w_hat;   /* (lambda) by rank */
	double *w_rank;  /* (lambda) by rank */
	double *ipz;     /* (half) vbar . z_k */
	double *zz;      /* (half) |z_k|^2 */
	double *wm;      /* (lambda) weight of each member (by index) */
	double *acc_y2;  /* (n) sum_c e_c y_c^2 */
	double *acc_py;  /* (n) sum_c e_c (vbar.y_c) y_c */
	double *acc_wy;  /* (n) sum_i w_i y_i */
	double *acc_z;   /* (n) sum_i w_rank_i z_i */
	double *vbar;    /* (n) v/|v| of the current v */
	size_t *rank;    /* (lambda) rank of each member, 0 = best */
	au_rank *order;  /* (lambda) sort scratch */
} crfm;

static void crfm_free(void *state)
{
	crfm *s = state;

	if (!s)
		return;
	free(s->m);
	free(s->v);
	free(s->d);
	free(s->pc);
	free(s->ps);
	free(s->m2);
	free(s->v2);
	free(s->d2);
	free(s->pc2);
	free(s->ps2);
	free(s->mean_f);
	free(s->z);
	free(s->w_hat);
	free(s->w_rank);
	free(s->ipz);
	free(s->zz);
	free(s->wm);
	free(s->acc_y2);
	free(s->acc_py);
	free(s->acc_wy);
	free(s->acc_z);
	free(s->vbar);
	free(s->rank);
	free(s->order);
	free(s);
}

/* ---- constants ------------------------------------------------------- */

/* (1 + a^2) exp(a^2/2) / 0.24 - 10 - n, increasing in a > 0. */
static double crfm_h_fn(double a, double n)
{
	return (1 + a * a) * exp(a * a / 2) / 0.24 - 10 - n;
}

/* The root of crfm_h_fn by bisection: f(0) < 0, and the bracket is
 * doubled until f(hi) > 0; 200 halvings reach the last bit. */
static double crfm_h_inv(size_t n)
{
	double lo = 0, hi = 1;

	while (crfm_h_fn(hi, (double)n) < 0)
		hi *= 2;
	for (int i = 0; i < 200; i++) {
		double mid = lo + (hi - lo) / 2;

		if (mid <= lo || mid >= hi)
			break;
		if (crfm_h_fn(mid, (double)n) < 0)
			lo = mid;
		else
			hi = mid;
	}
	return lo + (hi - lo) / 2;
}

/* Weights by rank and the learning rates of the header. */
static void crfm_constants(crfm *s)
{
	const double n = (double)s->n, lam = (double)s->lam;
	crfm_const *k = &s->k;
	double sq = 0;

	au_log_rank_weights(s->w_hat, s->w_rank, s->lam);
	for (size_t i = 0; i < s->lam; i++)
		sq += (s->w_rank[i] + 1 / lam) * (s->w_rank[i] + 1 / lam);
	k->mueff = 1 / sq;
	k->cs = (k->mueff + 2) / (n + k->mueff + 5);
	k->cc = (4 + k->mueff / n) / (n + 4 + 2 * k->mueff / n);
	k->c1 = 2 / ((n + 1.3) * (n + 1.3) + k->mueff) * (n - 5) / 6;
	k->chi_n = sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
	k->alpha_dist = crfm_h_inv(s->n) * fmin(1, sqrt(lam / n));
	k->eta_stag = tanh((0.024 * lam + 0.7 * n + 20) / (n + 12));
	k->eta_conv = 2 * tanh((0.025 * lam + 0.75 * n + 10) / (n + 4));
	k->eta_b = tanh((fmin(0.02 * lam, 3 * log(n)) + 5) / (0.23 * n + 25));
}

/* ---- create ---------------------------------------------------------- */

static size_t crfm_default_pop(size_t n)
{
	size_t lam = 4 + (size_t)floor(3 * log((double)n));

	return lam + lam % 2;
}

static int crfm_check_cfg(const crfm_cfg *c, ej_err *err)
{
	if (c->pop_size < 0 || c->pop_size % 2)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'pop_size' must be 0 or an even integer >= 2, "
			       "got '%d'", c->pop_size);
	if (!(c->init_stdev > 0) || !isfinite(c->init_stdev))
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'init_stdev' must be > 0, got '%g'",
			       c->init_stdev);
	if (!isfinite(c->init_mean))
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'init_mean' must be finite, got '%g'",
			       c->init_mean);
	return 0;
}

static double *crfm_vec(size_t n)
{
	return malloc(n * sizeof(double));
}

static crfm *crfm_alloc(size_t n, size_t lam)
{
	crfm *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->n = n;
	s->lam = lam;
	s->half = lam / 2;
	s->m = crfm_vec(n);
	s->v = crfm_vec(n);
	s->d = crfm_vec(n);
	s->pc = crfm_vec(n);
	s->ps = crfm_vec(n);
	s->m2 = crfm_vec(n);
	s->v2 = crfm_vec(n);
	s->d2 = crfm_vec(n);
	s->pc2 = crfm_vec(n);
	s->ps2 = crfm_vec(n);
	s->acc_y2 = crfm_vec(n);
	s->acc_py = crfm_vec(n);
	s->acc_wy = crfm_vec(n);
	s->acc_z = crfm_vec(n);
	s->vbar = crfm_vec(n);
	s->mean_f = malloc(n * sizeof(float));
	s->w_hat = crfm_vec(lam);
	s->w_rank = crfm_vec(lam);
	s->wm = crfm_vec(lam);
	s->ipz = crfm_vec(s->half);
	s->zz = crfm_vec(s->half);
	s->rank = malloc(lam * sizeof(*s->rank));
	s->order = malloc(lam * sizeof(*s->order));
	if (s->half <= SIZE_MAX / sizeof(float) / n)
		s->z = malloc(s->half * n * sizeof(float));
	if (!s->m || !s->v || !s->d || !s->pc || !s->ps || !s->m2 ||
	    !s->v2 || !s->d2 || !s->pc2 || !s->ps2 || !s->acc_y2 ||
	    !s->acc_py || !s->acc_wy || !s->acc_z || !s->vbar || !s->mean_f ||
	    !s->w_hat || !s->w_rank || !s->wm || !s->ipz || !s->zz ||
	    !s->rank || !s->order || !s->z) {
		crfm_free(s);
		return NULL;
	}
	return s;
}

/* v = N(0, I)/sqrt(n), D = I, m = init_mean, pc = ps = 0. */
static void crfm_init_state(crfm *s)
{
	for (size_t j = 0; j < s->n; j += 4) {
		float z[4];

		au_normal4(s->seed, PH_PURPOSE_ALGO, 0, 0, (uint32_t)(j / 4), z);
		for (size_t q = 0; q < 4 && j + q < s->n; q++)
			s->v[j + q] = z[q] / sqrt((double)s->n);
	}
	for (size_t j = 0; j < s->n; j++) {
		s->d[j] = 1;
		s->m[j] = s->cfg.init_mean;
		s->pc[j] = 0;
		s->ps[j] = 0;
		s->mean_f[j] = (float)s->m[j];
	}
	s->sigma = s->cfg.init_stdev;
}

static int crfm_create(void **state, const void *cfgp, const algo_env *env,
		       ej_err *err)
{
	const crfm_cfg *cfg = cfgp;
	size_t lam;
	crfm *s;

	*state = NULL;
	if (crfm_check_cfg(cfg, err) < 0)
		return -1;
	if (env->param_size == 0)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'cr_fm_nes' needs at least one parameter");
	if (env->param_size > UINT32_MAX)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'cr_fm_nes' supports at most %u parameters, "
			       "got %zu", (unsigned)UINT32_MAX,
			       env->param_size);
	lam = cfg->pop_size ? (size_t)cfg->pop_size :
			      crfm_default_pop(env->param_size);
	s = crfm_alloc(env->param_size, lam);
	if (!s)
		return ej_fail(err, EJ_EXIT_RUN, "out of memory for "
			       "'cr_fm_nes' (pop_size %zu, %zu parameters)",
			       lam, env->param_size);
	s->cfg = *cfg;
	s->seed = env->seed;
	s->noise_iter = -1;
	s->nd = env->noise_dev;
	crfm_constants(s);
	crfm_init_state(s);
	*state = s;
	return 0;
}

static size_t crfm_pop_size(const void *state)
{
	return ((const crfm *)state)->lam;
}

/* ---- sampling -------------------------------------------------------- */

/* z for the current iteration, drawn once per iteration. */
static int crfm_draw_noise(crfm *s, ej_err *err)
{
	return au_noise_rows(s->nd, s->z, s->half, s->n, s->seed, s->iteration,
			     &s->noise_iter, err);
}

/* |x|^2. */
static double crfm_norm2(const double *x, size_t n)
{
	double a = 0;

	for (size_t j = 0; j < n; j++)
		a += x[j] * x[j];
	return a;
}

/* Scalars of the current v that sampling and the update share; fills
 * s->vbar.  kappa and g2 are set by crfm_update_shape. */
typedef struct crfm_geo {
	double normv, n2, gam, cv, vb2, alpha, b, kappa, g2;
} crfm_geo;

static void crfm_geometry(crfm *s, crfm_geo *g)
{
	double vvmax = 0;

	g->n2 = crfm_norm2(s->v, s->n);
	g->normv = sqrt(g->n2);
	g->gam = 1 + g->n2;
	g->cv = sqrt(g->gam) - 1;
	g->vb2 = 0;
	for (size_t j = 0; j < s->n; j++) {
		double vb = s->v[j] / g->normv;

		s->vbar[j] = vb;
		g->vb2 += vb * vb;
		vvmax = fmax(vvmax, vb * vb);
	}
	g->alpha = fmin(1, sqrt(g->n2 * g->n2 + (2 * g->gam - sqrt(g->gam)) /
				vvmax) / (2 + g->n2));
	g->b = -(1 - g->alpha * g->alpha) * g->n2 * g->n2 / g->gam +
	       2 * g->alpha * g->alpha;
	g->kappa = 0;
	g->g2 = 0;
}

/* ipz[k] = vbar . z_k and zz[k] = |z_k|^2 for every noise row. */
static void crfm_row_products(crfm *s)
{
	for (size_t k = 0; k < s->half; k++) {
		const float *zk = s->z + k * s->n;
		double ip = 0, zz = 0;

		for (size_t j = 0; j < s->n; j++) {
			ip += s->vbar[j] * zk[j];
			zz += (double)zk[j] * zk[j];
		}
		s->ipz[k] = ip;
		s->zz[k] = zz;
	}
}

static int crfm_ask(void *state, float *params, ej_err *err)
{
	crfm *s = state;
	crfm_geo g;

	if (crfm_draw_noise(s, err) < 0)
		return -1;
	crfm_geometry(s, &g);
	crfm_row_products(s);
	for (size_t k = 0; k < s->half; k++) {
		const float *zk = s->z + k * s->n;
		float *plus = params + k * s->n;
		float *minus = params + (k + s->half) * s->n;
		const double c = g.cv * s->ipz[k];

		for (size_t j = 0; j < s->n; j++) {
			double y = zk[j] + c * s->vbar[j];
			double dx = s->sigma * s->d[j] * y;

			plus[j] = (float)(s->m[j] + dx);
			minus[j] = (float)(s->m[j] - dx);
		}
	}
	return 0;
}

/* ---- tell ------------------------------------------------------------ */

/* s->rank[i] = rank of member i, 0 = the highest fitness. */
static void crfm_rank_members(crfm *s, const float *fitness)
{
	au_rank_members(s->order, fitness, s->lam, AU_BEST_FIRST);
	for (size_t r = 0; r < s->lam; r++)
		s->rank[s->order[r].i] = r;
}

/* Step 1: ps2 = (1 - cs) ps + sqrt(cs (2 - cs) mueff) sum_i w_rank_i z_i;
 * returns |ps2|. */
static double crfm_update_ps(crfm *s)
{
	const double c = sqrt(s->k.cs * (2 - s->k.cs) * s->k.mueff);

	memset(s->acc_z, 0, s->n * sizeof(double));
	for (size_t k = 0; k < s->half; k++) {
		const double a = s->w_rank[s->rank[k]] -
				 s->w_rank[s->rank[k + s->half]];
		const float *zk = s->z + k * s->n;

		for (size_t j = 0; j < s->n; j++)
			s->acc_z[j] += a * zk[j];
	}
	for (size_t j = 0; j < s->n; j++)
		s->ps2[j] = (1 - s->k.cs) * s->ps[j] + c * s->acc_z[j];
	return sqrt(crfm_norm2(s->ps2, s->n));
}

/* Step 2: the weight of each member (s->wm) and eta_sigma. */
static double crfm_weights(crfm *s, double ps_norm)
{
	const double lam = (double)s->lam;

	if (ps_norm >= s->k.chi_n) {
		double top = -INFINITY, sum = 0;

		for (size_t k = 0; k < s->half; k++)
			top = fmax(top, s->k.alpha_dist * sqrt(s->zz[k]));
		for (size_t i = 0; i < s->lam; i++) {
			size_t k = i % s->half;

			s->wm[i] = s->w_hat[s->rank[i]] *
				   exp(s->k.alpha_dist * sqrt(s->zz[k]) - top);
			sum += s->wm[i];
		}
		for (size_t i = 0; i < s->lam; i++)
			s->wm[i] = s->wm[i] / sum - 1 / lam;
		return 1; /* eta_move_sigma */
	}
	for (size_t i = 0; i < s->lam; i++)
		s->wm[i] = s->w_rank[s->rank[i]];
	return ps_norm >= 0.1 * s->k.chi_n ? s->k.eta_stag : s->k.eta_conv;
}

/* The passes of steps 3-4 over the noise rows: acc_wy = sum_i w_i y_i,
 * acc_y2 = sum_c e_c y_c^2 and acc_py = sum_c e_c p_c y_c over the lambda
 * sample columns (p_c = vbar . y_c; the p_c column comes later), with
 * e_c = eta_B w_c.  Mirrored columns share y^2 and p y.  sums[0] =
 * sum_c e_c, sums[1] = sum_c e_c p_c^2. */
static void crfm_accumulate(crfm *s, const crfm_geo *g, double sums[2])
{
	const double eta_b = s->k.eta_b;

	memset(s->acc_wy, 0, s->n * sizeof(double));
	memset(s->acc_y2, 0, s->n * sizeof(double));
	memset(s->acc_py, 0, s->n * sizeof(double));
	sums[0] = sums[1] = 0;
	for (size_t k = 0; k < s->half; k++) {
		const float *zk = s->z + k * s->n;
		const double bw = s->wm[k] - s->wm[k + s->half];
		const double e = eta_b * (s->wm[k] + s->wm[k + s->half]);
		const double c = g->cv * s->ipz[k];
		const double p = s->ipz[k] * (1 + g->cv * g->vb2);

		for (size_t j = 0; j < s->n; j++) {
			double y = zk[j] + c * s->vbar[j];

			s->acc_wy[j] += bw * y;
			s->acc_y2[j] += e * y * y;
			s->acc_py[j] += e * p * y;
		}
		sums[0] += e;
		sums[1] += e * p * p;
	}
}

/* The s/t algebra of alg.py for the weighted column sums; writes the new
 * v (v2) and D (d2) before normalisation.  Per column c with p = vbar.Y:
 *   s2 = Y^2 - 1 + A p vbar Y + B(p) vv,  A = -(|v|^2 + alpha(2+|v|^2))/gam
 *   B(p) = alpha/gam ((2+|v|^2)(p^2+gam)/2 + |v|^2 (p^2 - vb2 (p^2+gam)/2))
 *   s  = s2/H - kappa g (g.s2),   g = vv/H,  kappa = b/(1 + b vv.g)
 *   t  = Y p - vbar (p^2+gam)/2 - alpha((2+|v|^2) s vbar - vbar (vv.s))
 * and vv.s = (g.s2)(1 - kappa vv.g).  'sp2' is sum_c e_c p_c^2 and 'se'
 * sum_c e_c over all lambda + 1 columns. */
static void crfm_update_shape(crfm *s, crfm_geo *g, double se, double sp2)
{
	const double n2 = g->n2, gam = g->gam, al = g->alpha;
	const double a_coef = -(n2 + al * (2 + n2)) / gam;
	/* sum_c e_c B(p_c) and sum_c e_c (p_c^2 + gam)/2 */
	const double eq = (sp2 + gam * se) / 2;
	const double eb = al / gam * ((2 + n2) * eq +
				      n2 * (sp2 - g->vb2 * eq));
	double r = 0, uu;

	g->g2 = 0;
	for (size_t j = 0; j < s->n; j++) {
		double vb = s->vbar[j], vv = vb * vb;
		double h = 2 - (g->b + 2 * al * al) * vv;

		g->g2 += vv * (vv / h);
	}
	g->kappa = g->b / (1 + g->b * g->g2);
	/* S2 = sum_c e_c s2_c, kept in d2 for now; R = g . S2 */
	for (size_t j = 0; j < s->n; j++) {
		double vb = s->vbar[j], vv = vb * vb;
		double h = 2 - (g->b + 2 * al * al) * vv;
		double s2 = s->acc_y2[j] - se + a_coef * vb * s->acc_py[j] +
			    eb * vv;

		s->d2[j] = s2;
		r += (vv / h) * s2;
	}
	uu = r * (1 - g->kappa * g->g2);
	for (size_t j = 0; j < s->n; j++) {
		double vb = s->vbar[j], vv = vb * vb;
		double h = 2 - (g->b + 2 * al * al) * vv;
		double sj = s->d2[j] / h - g->kappa * (vv / h) * r;
		double tj = s->acc_py[j] - vb * eq -
			    al * ((2 + n2) * sj * vb - vb * uu);

		s->v2[j] = s->v[j] + tj / g->normv;
		s->d2[j] = s->d[j] * (1 + sj);
	}
}

/* Step 3 (mean, pc) into m2, pc2, then the p_c column's share of the
 * step-4 accumulations. Returns e_pc p_pc^2. */
static double crfm_update_mean(crfm *s)
{
	const double c = sqrt(s->k.cc * (2 - s->k.cc) * s->k.mueff);
	const double e = s->k.c1;
	double p = 0;

	for (size_t j = 0; j < s->n; j++) {
		double dwy = s->d[j] * s->acc_wy[j];

		s->m2[j] = s->m[j] + s->sigma * dwy;
		s->pc2[j] = (1 - s->k.cc) * s->pc[j] + c * dwy;
		p += s->vbar[j] * (s->pc2[j] / s->d[j]);
	}
	for (size_t j = 0; j < s->n; j++) {
		double y = s->pc2[j] / s->d[j];

		s->acc_y2[j] += e * y * y;
		s->acc_py[j] += e * p * y;
	}
	return e * p * p;
}

/* Step 4's normalisation by (det A)^(1/n); -1 if D or v went bad. */
static int crfm_normalise(crfm *s, ej_err *err)
{
	double logd = 0, nv2, root;

	for (size_t j = 0; j < s->n; j++) {
		if (!(s->d2[j] > 0) || !isfinite(s->d2[j]) ||
		    !isfinite(s->v2[j]))
			return ej_fail(err, EJ_EXIT_RUN,
				       "'cr_fm_nes' update diverged: %s[%zu] "
				       "would be %g", isfinite(s->v2[j]) ?
				       "D" : "v", j, isfinite(s->v2[j]) ?
				       s->d2[j] : s->v2[j]);
		logd += log(s->d2[j]);
	}
	nv2 = crfm_norm2(s->v2, s->n);
	if (!(nv2 > 0) || !isfinite(nv2))
		return ej_fail(err, EJ_EXIT_RUN, "'cr_fm_nes' update "
			       "diverged: |v|^2 would be %g", nv2);
	root = exp(logd / (double)s->n + log(1 + nv2) / (2 * (double)s->n));
	for (size_t j = 0; j < s->n; j++)
		s->d2[j] /= root;
	return 0;
}

/* Step 5: the new sigma, or -1 if it or the mean went bad. */
static int crfm_update_sigma(crfm *s, double eta_sigma, double *sigma,
			     ej_err *err)
{
	const double n = (double)s->n;
	double gs = 0;

	for (size_t k = 0; k < s->half; k++)
		gs += (s->wm[k] + s->wm[k + s->half]) * (s->zz[k] - n);
	gs /= n;
	*sigma = s->sigma * exp(eta_sigma / 2 * gs);
	if (!(*sigma > 0) || !isfinite(*sigma))
		return ej_fail(err, EJ_EXIT_RUN, "'cr_fm_nes' update "
			       "diverged: sigma would be %g", *sigma);
	for (size_t j = 0; j < s->n; j++)
		if (!isfinite(s->m2[j]) || !isfinite(s->pc2[j]) ||
		    !isfinite(s->ps2[j]))
			return ej_fail(err, EJ_EXIT_RUN, "'cr_fm_nes' update "
				       "diverged: mean[%zu] would be %g", j,
				       s->m2[j]);
	return 0;
}

static void crfm_swap(double **a, double **b)
{
	double *t = *a;

	*a = *b;
	*b = t;
}

static void crfm_commit(crfm *s, double sigma)
{
	crfm_swap(&s->m, &s->m2);
	crfm_swap(&s->v, &s->v2);
	crfm_swap(&s->d, &s->d2);
	crfm_swap(&s->pc, &s->pc2);
	crfm_swap(&s->ps, &s->ps2);
	s->sigma = sigma;
	for (size_t j = 0; j < s->n; j++)
		s->mean_f[j] = (float)s->m[j];
	s->iteration++;
}

static int crfm_tell(void *state, const float *fitness, ej_err *err)
{
	crfm *s = state;
	double sums[2], eta_sigma, sigma, ps_norm, sp2, se;
	crfm_geo g;

	if (au_check_fitness(fitness, s->lam, err) < 0)
		return -1;
	if (crfm_draw_noise(s, err) < 0)
		return -1;
	crfm_geometry(s, &g);
	crfm_row_products(s);
	crfm_rank_members(s, fitness);
	ps_norm = crfm_update_ps(s);
	eta_sigma = crfm_weights(s, ps_norm);
	crfm_accumulate(s, &g, sums);
	sp2 = sums[1] + crfm_update_mean(s);
	se = sums[0] + s->k.c1;
	crfm_update_shape(s, &g, se, sp2);
	if (crfm_normalise(s, err) < 0 ||
	    crfm_update_sigma(s, eta_sigma, &sigma, err) < 0)
		return -1;
	crfm_commit(s, sigma);
	return 0;
}

static const float *crfm_best_params(const void *state)
{
	return ((const crfm *)state)->mean_f;
}

/* ---- state ----------------------------------------------------------- */

enum { CRFM_MEAN, CRFM_SIGMA, CRFM_V, CRFM_D, CRFM_PC, CRFM_PS, CRFM_IT,
       CRFM_N_ARRAYS };

/* f32 arrays convert; every value finite, sigma and D > 0. */
static const au_array crfm_arrays[CRFM_N_ARRAYS] = {
	[CRFM_MEAN] = AU_VEC("mean", NPZ_F64, crfm, m, n, AU_FINITE),
	[CRFM_SIGMA] = AU_SCALAR("sigma", NPZ_F64, crfm, sigma,
				 AU_FINITE | AU_POSITIVE),
	[CRFM_V] = AU_VEC("v", NPZ_F64, crfm, v, n, AU_FINITE),
	[CRFM_D] = AU_VEC("D", NPZ_F64, crfm, d, n, AU_FINITE | AU_POSITIVE),
	[CRFM_PC] = AU_VEC("pc", NPZ_F64, crfm, pc, n, AU_FINITE),
	[CRFM_PS] = AU_VEC("ps", NPZ_F64, crfm, ps, n, AU_FINITE),
	[CRFM_IT] = AU_SCALAR("iteration", NPZ_I64, crfm, iteration,
			      AU_ITERATION),
};

/* v gives a direction. */
static int crfm_check(void *state, const npz_file *f, const void *const *val,
		      ej_err *err)
{
	(void)f;
	if (!(crfm_norm2(val[CRFM_V], ((crfm *)state)->n) > 0))
		return ej_fail(err, EJ_EXIT_RUN, "array 'v' must not be zero");
	return 0;
}

static void crfm_commit_load(void *state, const npz_file *f)
{
	crfm *s = state;

	(void)f;
	for (size_t j = 0; j < s->n; j++)
		s->mean_f[j] = (float)s->m[j];
}

static const au_state_desc crfm_state_desc = {
	.algo = "cr_fm_nes",
	.arrays = crfm_arrays,
	.n_arrays = CRFM_N_ARRAYS,
	.drawn_at = offsetof(crfm, noise_iter),
	.check = crfm_check,
	.commit = crfm_commit_load,
};

AU_STATE_FNS(crfm, crfm_state_desc)

const algo_ops cr_fm_nes_ops = {
	.name = "cr_fm_nes",
	.summary = "CR-FM-NES: natural evolution strategy with "
	           "covariance D(I + vv^T)D, O(pop n) per "
	           "iteration (Nomura & Ono 2022)",
	.fields = crfm_fields,
	.n_fields = sizeof(crfm_fields) / sizeof(crfm_fields[0]),
	.cfg_size = sizeof(crfm_cfg),
	.create = crfm_create,
	.pop_size = crfm_pop_size,
	.ask = crfm_ask,
	.tell = crfm_tell,
	.best_params = crfm_best_params,
	.state = crfm_state,
	.load = crfm_load,
	.free = crfm_free,
};
