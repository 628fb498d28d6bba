/* iamalgam.c - iAMaLGaM, the incremental Adapted Maximum-Likelihood
 * Gaussian Model Iterated Density-Estimation Evolutionary Algorithm
 * (Bosman, Grahl & Thierens, "Benchmarking parameter-free AMaLGaM on
 * functions with and without noise", Evol. Comput. 21(3), 2013), as
 * EvoJAX 0.2.17 runs it: evojax/algo/iamalgam.py wrapping evosax 0.1.x
 * Full_iAMaLGaM (full_covariance: true) or Indep_iAMaLGaM (false, the
 * default; a diagonal covariance, "univariate").  evosax's update
 * equations are followed with their quirks (below); the covariance
 * multiplier c_mult scales only the anticipated mean shift, as in evosax.
 *
 * Keys (section 'algo', EvoJAX's wrapper names, its defaults): pop_size
 * (100, the benchmark's; EvoJAX has none), elite_ratio (0.35),
 * full_covariance (false), init_stdev (0.01), decay_stdev (0.999),
 * limit_stdev (0.001), eta_sigma and eta_shift (0: evosax's default
 * formulas below), w_decay (0); evosax's constants: eta_avs_inc (1/0.9),
 * eta_avs_dec (0.9), nis_max_gens (50), delta_ams (2), theta_sdr (1),
 * c_mult_init (1); init_mean (0: EvoJAX sets init_min = init_max = 0),
 * every coordinate of the initial mean, as cma_es.  No schedulable
 * hyperparameters (hparams NULL).
 *
 * Constants (n = P parameters, lambda = pop_size; int() truncates):
 *   n_e     = max(1, int(lambda elite_ratio))           (must be < lambda)
 *   n_ams   = int(0.5 elite_ratio lambda / (lambda - n_e) (lambda - 1))
 *             (must be <= lambda)
 *   eta_sigma = 1 - exp(-1.1 n_e^1.2 / n^1.6)
 *   eta_shift = 1 - exp(-1.2 n_e^0.31 / n^0.5)
 * One iteration g (maximized fitness f; evosax minimizes -f):
 *   ask:  z_k ~ N(0, I) (the shared noise layout, algos/algo_util.h)
 *         full:  y_k = L z_k,  L L^T = C + sigma^2 I (Cholesky)
 *         indep: y_k,j = (sqrt(C_j) + sigma) z_k,j   (evosax's sum of
 *                standard deviations, not sqrt(C_j + sigma^2))
 *         x_k = m + y_k, plus c_mult delta_ams shift for the AMS members
 *         k < n_ams (evosax draws a random subset of n_ams members; the
 *         z_k are i.i.d., so the first n_ams are the same in law),
 *         clipped to +-FLT_MAX, as float.
 *   tell: s_k = f_k - w_decay mean_j x_k,j^2 (EvoJAX's FitnessShaper)
 *         elite: the n_e largest s (ties: lower index first)
 *         improvement: some elite s_i > best_fitness (the largest s seen;
 *                      -inf before the first tell)
 *         if improvement: d = mean of the improving elites - m,
 *                 SDR = max_j |u_j|, full: U u = d with U = L^T upper,
 *                 C = U^T U (evosax's inv(cholesky(C)) @ d, scipy's
 *                 upper factor); indep: u_j = d_j / C_j (a variance)
 *         AVS (evosax adaptive_variance_scaling):
 *           improvement: nis = 0; c_mult = max(c_mult, 1);
 *                        c_mult *= eta_avs_inc if SDR > theta_sdr
 *           none:        nis += 1 if c_mult <= 1;
 *                        c_mult *= eta_avs_dec if c_mult > 1 or
 *                                                  nis >= nis_max_gens;
 *                        c_mult = 1 if nis < nis_max_gens, c_mult < 1
 *         m'    = mean of the elites
 *         shift = (1 - eta_shift) shift + eta_shift (m' - m)
 *         C     = (1 - eta_sigma) C + eta_sigma / n_e sum_i
 *                 (x_i - m')(x_i - m')^T        (indep: the diagonal)
 *         sigma = max(sigma decay_stdev, limit_stdev)
 *         best_fitness, best_params: the largest s of the iteration if
 *         above best_fitness (on s: with w_decay > 0 the penalized
 *         fitness, as evosax's best_member)
 *   All arithmetic in double (evosax: float32) but c_mult's, which is
 *   float32 as in evosax (see iam_avs: the AVS branches compare it with 1
 *   exactly).  The population of an iteration is built once (asking twice
 *   gives the same) and tell uses its float values, as evaluated.
 *
 * best_params is the mean m (EvoJAX's iAMaLGaM.best_params).
 *
 * Memory: indep 7 n doubles + 2 lambda n floats; full adds 2 n^2 doubles
 * (C and a Cholesky factor) and 2 lambda n doubles; full with 16 n^2
 * bytes > 7.5 GiB (n > 22,435) is refused at create.  Full cost per
 * iteration: one or two n^3/3 Cholesky factorizations (LAPACKE_dpotrf,
 * the second for SDR only when sigma > 0 and there is an improvement),
 * 2 lambda n^2 (ask) + 2 n_e n^2 (C) flops.  The full variant's bits
 * depend on the LAPACK library (OpenBLAS here).
 *
 * State (bit-exact resume): mean (n) f64, mean_shift (n) f64, C (n, n)
 * or (n) f64, sigma () f64, c_mult () f32, nis_counter () i64,
 * iteration () i64, best_params (n) f32, best_fitness () f64.  load is
 * all-or-nothing; it refuses a C whose diagonal is not > 0 (and a full C
 * that is not symmetric).
 * Errors (EJ_EXIT_RUN): non-finite fitness ("fitness of member 3 is nan",
 * nothing changed); a full C + sigma^2 I (or C) that is not positive
 * definite for LAPACK, at ask or tell (evosax would sample NaN).
 */
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "algos/algo.h"
#include "algos/algo_util.h"
#include "core/linalg.h"

typedef struct iam_cfg {
	int pop_size;
	double elite_ratio;
	bool full_covariance;
	double init_stdev, decay_stdev, limit_stdev;
	double eta_sigma, eta_shift; /* 0: evosax's formulas */
	double w_decay;
	double eta_avs_inc, eta_avs_dec;
	int nis_max_gens;
	double delta_ams, theta_sdr, c_mult_init;
	double init_mean;
} iam_cfg;

#define IAM_OFF(m) offsetof(iam_cfg, m)

static const cfg_field iam_fields[] = {
	{ .key = "pop_size", .type = CFG_INT, .offset = IAM_OFF(pop_size),
	  .def = "100", .min = 2, .max = INFINITY,
	  .help = "population size lambda" },
	{ .key = "elite_ratio", .type = CFG_FLOAT,
	  .offset = IAM_OFF(elite_ratio), .def = "0.35", .min = 0, .max = 1,
	  .help = "elite fraction: max(1, int(pop_size elite_ratio)) "
		  "members fit the model" },
	{ .key = "full_covariance", .type = CFG_BOOL,
	  .offset = IAM_OFF(full_covariance), .def = "false",
	  .help = "full covariance (Full_iAMaLGaM), else diagonal "
		  "(Indep_iAMaLGaM)" },
	{ .key = "init_stdev", .type = CFG_FLOAT,
	  .offset = IAM_OFF(init_stdev), .def = "0.01", .min = 0,
	  .max = INFINITY,
	  .help = "initial isotropic stdev sigma, added to the model's (C = I)" },
	{ .key = "decay_stdev", .type = CFG_FLOAT,
	  .offset = IAM_OFF(decay_stdev), .def = "0.999", .min = 0,
	  .max = INFINITY, .help = "sigma *= decay_stdev each iteration" },
	{ .key = "limit_stdev", .type = CFG_FLOAT,
	  .offset = IAM_OFF(limit_stdev), .def = "0.001", .min = 0,
	  .max = INFINITY, .help = "sigma never decays below this" },
	{ .key = "eta_sigma", .type = CFG_FLOAT, .offset = IAM_OFF(eta_sigma),
	  .def = "0", .min = 0, .max = 1,
	  .help = "covariance learning rate (0: 1 - exp(-1.1 n_e^1.2 / "
		  "n^1.6))" },
	{ .key = "eta_shift", .type = CFG_FLOAT, .offset = IAM_OFF(eta_shift),
	  .def = "0", .min = 0, .max = 1,
	  .help = "mean-shift learning rate (0: 1 - exp(-1.2 n_e^0.31 / "
		  "n^0.5))" },
	{ .key = "w_decay", .type = CFG_FLOAT, .offset = IAM_OFF(w_decay),
	  .def = "0", .min = 0, .max = INFINITY,
	  .help = "fitness -= w_decay mean(x^2) (L2 penalty)" },
	{ .key = "eta_avs_inc", .type = CFG_FLOAT,
	  .offset = IAM_OFF(eta_avs_inc), .def = "1.1111111111111112",
	  .min = 0, .max = INFINITY, .flags = CFG_F_MIN_OPEN,
	  .help = "c_mult factor after an improvement with SDR > theta_sdr" },
	{ .key = "eta_avs_dec", .type = CFG_FLOAT,
	  .offset = IAM_OFF(eta_avs_dec), .def = "0.9", .min = 0,
	  .max = INFINITY, .flags = CFG_F_MIN_OPEN,
	  .help = "c_mult factor without improvement" },
	{ .key = "nis_max_gens", .type = CFG_INT,
	  .offset = IAM_OFF(nis_max_gens), .def = "50", .min = 0,
	  .max = INFINITY,
	  .help = "iterations without improvement before c_mult shrinks "
		  "below 1" },
	{ .key = "delta_ams", .type = CFG_FLOAT, .offset = IAM_OFF(delta_ams),
	  .def = "2", .min = 0, .max = INFINITY,
	  .help = "anticipated mean shift: AMS members move c_mult delta_ams "
		  "shift" },
	{ .key = "theta_sdr", .type = CFG_FLOAT, .offset = IAM_OFF(theta_sdr),
	  .def = "1", .min = 0, .max = INFINITY,
	  .help = "standard-deviation-ratio threshold for growing c_mult" },
	{ .key = "c_mult_init", .type = CFG_FLOAT,
	  .offset = IAM_OFF(c_mult_init), .def = "1", .min = 0,
	  .max = INFINITY, .flags = CFG_F_MIN_OPEN,
	  .help = "initial covariance multiplier c_mult" },
	{ .key = "init_mean", .type = CFG_FLOAT, .offset = IAM_OFF(init_mean),
	  .def = "0", .min = -INFINITY, .max = INFINITY,
	  .help = "initial value of every mean coordinate (EvoJAX: 0)" },
};

#define IAM_N_FIELDS (sizeof(iam_fields) / sizeof(iam_fields[0]))
#define IAM_MAX_BYTES (7.5 * 1024 * 1024 * 1024) /* 2 n^2 doubles */

typedef struct iam {
	iam_cfg cfg;
	size_t n, lam, n_elite, n_ams;
	bool full;
	uint32_t seed;
	noisedev *nd;
	double eta_sigma, eta_shift;
	int64_t iteration;   /* tells done: g */
	int64_t nis_counter; /* iterations without improvement (AVS) */
	int64_t noise_iter;  /* g the normals Z belong to; -1: none */
	int64_t pop_iter;    /* g the population X belongs to; -1: none */
	double sigma;
	float c_mult;        /* float32, as evosax: see iam_avs */
	double best_f;       /* largest s seen; -inf: none yet */
	double *mean, *shift; /* (n) */
	double *C;           /* full: (n, n) both triangles; indep: (n) */
	double *L;           /* full: (n, n) Cholesky factor (lower), scratch */
	double *Zd, *Yd;     /* full: (lam, n) z_k as double, L z_k */
	double *S;           /* (n_elite, n) x_i - m' of the elites */
	double *newm, *d, *s; /* (n), (n), (lam) */
	float *Z;            /* (lam, n) z_k of iteration noise_iter */
	float *X;            /* (lam, n) population of iteration pop_iter */
	float *mean_f, *best_x; /* (n) */
	struct iam_rank { double s; size_t i; } *order; /* (lam) ranking */
} iam;

static void iam_free(void *state)
{
	iam *s = state;

	if (!s)
		return;
	free(s->mean);
	free(s->shift);
	free(s->C);
	free(s->L);
	free(s->Zd);
	free(s->Yd);
	free(s->S);
	free(s->newm);
	free(s->d);
	free(s->s);
	free(s->Z);
	free(s->X);
	free(s->mean_f);
	free(s->best_x);
	free(s->order);
	free(s);
}

/* malloc(a * b * size) or NULL on overflow. */
static void *iam_alloc(size_t a, size_t b, size_t size)
{
	if (b && a > SIZE_MAX / b / size)
		return NULL;
	return malloc(a * b * size > 0 ? a * b * size : 1);
}

static iam *iam_alloc_state(size_t n, size_t lam, size_t ne, bool full)
{
	iam *s = calloc(1, sizeof(*s));
	bool ok;

	if (!s)
		return NULL;
	s->mean = iam_alloc(n, 1, sizeof(double));
	s->shift = iam_alloc(n, 1, sizeof(double));
	s->C = iam_alloc(n, full ? n : 1, sizeof(double));
	s->S = iam_alloc(ne, n, sizeof(double));
	s->newm = iam_alloc(n, 1, sizeof(double));
	s->d = iam_alloc(n, 1, sizeof(double));
	s->s = iam_alloc(lam, 1, sizeof(double));
	s->Z = iam_alloc(lam, n, sizeof(float));
	s->X = iam_alloc(lam, n, sizeof(float));
	s->mean_f = iam_alloc(n, 1, sizeof(float));
	s->best_x = iam_alloc(n, 1, sizeof(float));
	s->order = iam_alloc(lam, 1, sizeof(*s->order));
	ok = s->mean && s->shift && s->C && s->S && s->newm && s->d && s->s &&
	     s->Z && s->X && s->mean_f && s->best_x && s->order;
	if (full) {
		s->L = iam_alloc(n, n, sizeof(double));
		s->Zd = iam_alloc(lam, n, sizeof(double));
		s->Yd = iam_alloc(lam, n, sizeof(double));
		ok = ok && s->L && s->Zd && s->Yd;
	}
	if (!ok) {
		iam_free(s);
		return NULL;
	}
	return s;
}

/* n_e and n_ams from the config (see the header comment), or -1 with
 * EJ_EXIT_USAGE when evosax could not run this configuration. */
static int iam_counts(const iam_cfg *c, size_t *ne, size_t *nams,
		      ej_err *err)
{
	const double lam = (double)c->pop_size;
	double e = floor(lam * c->elite_ratio), alpha, ams;

	*ne = e < 1 ? 1 : (size_t)e;
	if (*ne >= (size_t)c->pop_size)
		return ej_fail(err, EJ_EXIT_USAGE, "'elite_ratio' %g of "
			       "'iamalgam' makes all %d members elite; it must "
			       "leave at least one out (evosax divides by "
			       "pop_size - elites)", c->elite_ratio,
			       c->pop_size);
	alpha = 0.5 * c->elite_ratio * lam / (lam - (double)*ne);
	ams = floor(alpha * (lam - 1));
	if (ams > lam)
		return ej_fail(err, EJ_EXIT_USAGE, "'elite_ratio' %g of "
			       "'iamalgam' asks the anticipated mean shift to "
			       "move %.0f of %d members (0.5 elite_ratio "
			       "pop_size / (pop_size - elites) (pop_size - 1)); "
			       "use a smaller elite_ratio", c->elite_ratio,
			       ams, c->pop_size);
	*nams = (size_t)ams;
	return 0;
}

static int iam_create(void **state, const void *cfgp, const algo_env *env,
		      ej_err *err)
{
	const iam_cfg *cfg = cfgp;
	const size_t n = env->param_size;
	const double bytes = 16.0 * (double)n * (double)n;
	size_t ne = 0, nams = 0;
	iam *s;

	*state = NULL;
	if (n == 0)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'iamalgam' needs at least one parameter");
	if (iam_counts(cfg, &ne, &nams, err) < 0)
		return -1;
	if (cfg->full_covariance && bytes > IAM_MAX_BYTES)
		return ej_fail(err, EJ_EXIT_USAGE, "'iamalgam' with "
			       "full_covariance and %zu parameters needs %.1f "
			       "GiB for the covariance matrix and its Cholesky "
			       "factor (2 n x n doubles; limit 7.5 GiB, n <= "
			       "22435); use full_covariance: false for models "
			       "this large", n,
			       bytes / (1024.0 * 1024 * 1024));
	s = iam_alloc_state(n, (size_t)cfg->pop_size, ne,
			    cfg->full_covariance);
	if (!s)
		return ej_fail(err, EJ_EXIT_RUN, "out of memory for 'iamalgam' "
			       "(%zu parameters, pop_size %d)", n,
			       cfg->pop_size);
	s->cfg = *cfg;
	s->n = n;
	s->lam = (size_t)cfg->pop_size;
	s->n_elite = ne;
	s->n_ams = nams;
	s->full = cfg->full_covariance;
	s->seed = env->seed;
	s->nd = env->noise_dev;
	s->eta_sigma = cfg->eta_sigma > 0 ? cfg->eta_sigma :
		       1 - exp(-1.1 * pow((double)ne, 1.2) /
			       pow((double)n, 1.6));
	s->eta_shift = cfg->eta_shift > 0 ? cfg->eta_shift :
		       1 - exp(-1.2 * pow((double)ne, 0.31) /
			       pow((double)n, 0.5));
	s->noise_iter = s->pop_iter = -1;
	s->sigma = cfg->init_stdev;
	s->c_mult = (float)cfg->c_mult_init;
	s->best_f = -INFINITY;
	memset(s->C, 0, n * (s->full ? n : 1) * sizeof(*s->C));
	for (size_t j = 0; j < n; j++) {
		s->mean[j] = cfg->init_mean;
		s->shift[j] = 0;
		s->mean_f[j] = s->best_x[j] = (float)cfg->init_mean;
		s->C[s->full ? j * n + j : j] = 1;
	}
	*state = s;
	return 0;
}

static size_t iam_pop_size(const void *state)
{
	return ((const iam *)state)->lam;
}

/* s->L = the lower Cholesky factor of C + add I (strict upper triangle
 * zero).  C is symmetric: row-major C is column-major C, whose upper
 * factor U (C = U^T U) lies in the row-major lower triangle as L = U^T. */
static int iam_cholesky(iam *s, double add, ej_err *err)
{
	const size_t n = s->n;
	lapack_int info;

	memcpy(s->L, s->C, n * n * sizeof(*s->L));
	for (size_t j = 0; j < n; j++)
		s->L[j * n + j] += add;
	la_single_thread();
	info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', (lapack_int)n, s->L,
			      (lapack_int)n);
	if (info != 0)
		return ej_fail(err, EJ_EXIT_RUN, "covariance matrix of "
			       "'iamalgam' is not positive definite after "
			       "iteration %lld (Cholesky: info %d)",
			       (long long)s->iteration, (int)info);
	for (size_t i = 0; i < n; i++)
		memset(s->L + i * n + i + 1, 0, (n - 1 - i) * sizeof(*s->L));
	return 0;
}

/* The population X of the current iteration (once per iteration). */
static int iam_build(iam *s, ej_err *err)
{
	const size_t n = s->n;

	if (s->pop_iter == s->iteration)
		return 0;
	if (au_noise_rows(s->nd, s->Z, s->lam, n, s->seed, s->iteration,
			  &s->noise_iter, err) < 0)
		return -1;
	if (s->full) {
		if (iam_cholesky(s, s->sigma * s->sigma, err) < 0)
			return -1;
		for (size_t i = 0; i < s->lam * n; i++)
			s->Zd[i] = s->Z[i];
		/* Yd[k][i] = sum_j Zd[k][j] L[i][j] */
		la_gemm(s->lam, n, n, 1, s->Zd, n, 1, s->L, 1, n, 0, s->Yd, n);
	}
	for (size_t k = 0; k < s->lam; k++) {
		const double ams = k < s->n_ams ? (double)s->c_mult *
						  s->cfg.delta_ams : 0;

		for (size_t j = 0; j < n; j++) {
			double y = s->full ? s->Yd[k * n + j] :
				   (sqrt(s->C[j]) + s->sigma) *
				   (double)s->Z[k * n + j];
			double x = s->mean[j] + y + ams * s->shift[j];

			/* jnp.clip: a NaN stays NaN */
			x = x > FLT_MAX ? FLT_MAX : x < -FLT_MAX ? -FLT_MAX : x;
			s->X[k * n + j] = (float)x;
		}
	}
	s->pop_iter = s->iteration;
	return 0;
}

static int iam_ask(void *state, float *params, ej_err *err)
{
	iam *s = state;

	if (iam_build(s, err) < 0)
		return -1;
	memcpy(params, s->X, s->lam * s->n * sizeof(*params));
	return 0;
}

/* SDR of the improving elites (order[0..n_elite) with s > best_f): the
 * largest |u_j| (header comment); L may be overwritten. */
static int iam_sdr(iam *s, double *sdr, ej_err *err)
{
	const size_t n = s->n;
	size_t cnt = 0;

	memset(s->d, 0, n * sizeof(*s->d));
	for (size_t i = 0; i < s->n_elite; i++) {
		const size_t k = s->order[i].i;

		if (!(s->s[k] > s->best_f))
			continue;
		cnt++;
		for (size_t j = 0; j < n; j++)
			s->d[j] += s->X[k * n + j];
	}
	for (size_t j = 0; j < n; j++)
		s->d[j] = s->d[j] / (double)cnt - s->mean[j];
	if (s->full) {
		/* L from ask is C's factor when sigma == 0 (C + 0 I) */
		if (s->sigma != 0 && iam_cholesky(s, 0, err) < 0)
			return -1;
		/* L^T u = d, back substitution (u overwrites d) */
		for (size_t i = n; i-- > 0;) {
			double v = s->d[i];

			for (size_t j = i + 1; j < n; j++)
				v -= s->L[j * n + i] * s->d[j];
			s->d[i] = v / s->L[i * n + i];
		}
	} else {
		for (size_t j = 0; j < n; j++)
			s->d[j] /= s->C[j];
	}
	*sdr = 0;
	for (size_t j = 0; j < n; j++)
		*sdr = fmax(*sdr, fabs(s->d[j]));
	return 0;
}

/* Adaptive variance scaling (evosax adaptive_variance_scaling).  c_mult
 * and its factors are float32 products, as in evosax: the rule compares
 * c_mult with 1 exactly, and k increases by 1/0.9 followed by k decreases
 * by 0.9 give 1 in float32 for k <= 5 but 1 + 2^-52 in double, which
 * would take the other branch. */
static void iam_avs(iam *s, bool improved, double sdr)
{
	const iam_cfg *c = &s->cfg;
	float cm = s->c_mult;

	if (improved) {
		s->nis_counter = 0;
		if (cm < 1)
			cm = 1;
		if (sdr > c->theta_sdr)
			cm = cm * (float)c->eta_avs_inc;
	} else {
		if (cm <= 1)
			s->nis_counter++;
		if (cm > 1 || s->nis_counter >= c->nis_max_gens)
			cm = cm * (float)c->eta_avs_dec;
		if (s->nis_counter < c->nis_max_gens && cm < 1)
			cm = 1;
	}
	s->c_mult = cm;
}

/* m' and C from the elites (order[0..n_elite)); shift from m' - m. */
static void iam_fit(iam *s)
{
	const size_t n = s->n, ne = s->n_elite;
	const double es = s->eta_sigma;

	memset(s->newm, 0, n * sizeof(*s->newm));
	for (size_t i = 0; i < ne; i++)
		for (size_t j = 0; j < n; j++)
			s->newm[j] += s->X[s->order[i].i * n + j];
	for (size_t j = 0; j < n; j++)
		s->newm[j] /= (double)ne;
	for (size_t i = 0; i < ne; i++)
		for (size_t j = 0; j < n; j++)
			s->S[i * n + j] = s->X[s->order[i].i * n + j] -
					  s->newm[j];
	if (s->full) {
		/* C = (1 - es) C + es/ne S^T S (symmetric bit for bit: each
		 * (i, j) and (j, i) sum the same products in the same order) */
		la_gemm(n, n, ne, es / (double)ne, s->S, 1, n, s->S, n, 1,
			1 - es, s->C, n);
	} else {
		for (size_t j = 0; j < n; j++) {
			double v = 0;

			for (size_t i = 0; i < ne; i++)
				v += s->S[i * n + j] * s->S[i * n + j];
			s->C[j] = (1 - es) * s->C[j] + es * v / (double)ne;
		}
	}
	for (size_t j = 0; j < n; j++) {
		s->shift[j] = (1 - s->eta_shift) * s->shift[j] +
			      s->eta_shift * (s->newm[j] - s->mean[j]);
		s->mean[j] = s->newm[j];
		s->mean_f[j] = (float)s->mean[j];
	}
}

/* Largest s first, ties by the lower index (JAX's stable argsort of -s). */
static int iam_rank_cmp(const void *a, const void *b)
{
	const struct iam_rank *x = a, *y = b;

	if (x->s != y->s)
		return x->s > y->s ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

static int iam_tell(void *state, const float *fitness, ej_err *err)
{
	iam *s = state;
	const size_t n = s->n;
	size_t best;
	double sdr = 0;
	bool improved = false;

	if (au_check_fitness(fitness, s->lam, err) < 0 ||
	    iam_build(s, err) < 0)
		return -1;
	for (size_t k = 0; k < s->lam; k++) {
		double l2 = 0;

		if (s->cfg.w_decay > 0) {
			for (size_t j = 0; j < n; j++)
				l2 += (double)s->X[k * n + j] * s->X[k * n + j];
			l2 /= (double)n;
		}
		s->s[k] = (double)fitness[k] - s->cfg.w_decay * l2;
		s->order[k].s = s->s[k];
		s->order[k].i = k;
	}
	qsort(s->order, s->lam, sizeof(*s->order), iam_rank_cmp);
	for (size_t i = 0; i < s->n_elite; i++)
		improved = improved || s->s[s->order[i].i] > s->best_f;
	if (improved && iam_sdr(s, &sdr, err) < 0)
		return -1;
	/* nothing fails from here on */
	iam_avs(s, improved, sdr);
	iam_fit(s);
	s->sigma = fmax(s->sigma * s->cfg.decay_stdev, s->cfg.limit_stdev);
	best = s->order[0].i;
	if (s->s[best] > s->best_f) {
		s->best_f = s->s[best];
		memcpy(s->best_x, s->X + best * n, n * sizeof(*s->best_x));
	}
	s->iteration++;
	return 0;
}

static const float *iam_best_params(const void *state)
{
	return ((const iam *)state)->mean_f;
}

enum { IAM_MEAN, IAM_SHIFT, IAM_C, IAM_SIGMA, IAM_CMULT, IAM_NIS, IAM_IT,
       IAM_BEST_X, IAM_BEST_F, IAM_N_ARRAYS };

/* The table with C's row (full: (n, n); indep: (n)). */
#define IAM_ARRAYS(c_row)                                                    \
	{                                                                    \
		[IAM_MEAN] = AU_VEC("mean", NPZ_F64, iam, mean, n,           \
				    AU_EXACT | AU_FINITE),                   \
		[IAM_SHIFT] = AU_VEC("mean_shift", NPZ_F64, iam, shift, n,   \
				     AU_EXACT | AU_FINITE),                  \
		[IAM_C] = c_row,                                             \
		[IAM_SIGMA] = AU_SCALAR("sigma", NPZ_F64, iam, sigma,        \
					AU_EXACT | AU_NONNEG),               \
		[IAM_CMULT] = AU_SCALAR("c_mult", NPZ_F32, iam, c_mult,      \
					AU_EXACT | AU_POSITIVE),             \
		[IAM_NIS] = AU_SCALAR("nis_counter", NPZ_I64, iam,           \
				      nis_counter, AU_ITERATION),            \
		[IAM_IT] = AU_SCALAR("iteration", NPZ_I64, iam, iteration,   \
				     AU_ITERATION),                          \
		[IAM_BEST_X] = AU_VEC("best_params", NPZ_F32, iam, best_x,   \
				      n, AU_EXACT),                          \
		[IAM_BEST_F] = AU_SCALAR("best_fitness", NPZ_F64, iam,       \
					 best_f, AU_EXACT | AU_BEST),        \
	}

static const au_array iam_full_arrays[IAM_N_ARRAYS] = IAM_ARRAYS(
	AU_MAT("C", NPZ_F64, iam, C, n, n, AU_EXACT | AU_FINITE));
static const au_array iam_indep_arrays[IAM_N_ARRAYS] = IAM_ARRAYS(
	AU_VEC("C", NPZ_F64, iam, C, n, AU_EXACT | AU_FINITE));

/* The diagonal of C > 0; a full C symmetric. */
static int iam_check(void *state, const npz_file *f, const void *const *val,
		     ej_err *err)
{
	const iam *s = state;
	const double *C = val[IAM_C];
	const size_t n = s->n;

	(void)f;
	for (size_t i = 0; i < n; i++) {
		if (!(C[s->full ? i * n + i : i] > 0))
			return ej_fail(err, EJ_EXIT_RUN, "array 'C' has a "
				       "diagonal value <= 0 at %zu", i);
		for (size_t j = 0; s->full && j < i; j++)
			if (C[i * n + j] != C[j * n + i])
				return ej_fail(err, EJ_EXIT_RUN, "array 'C' "
					       "is not symmetric at (%zu, "
					       "%zu)", i, j);
	}
	return 0;
}

static void iam_commit(void *state, const npz_file *f)
{
	iam *s = state;

	(void)f;
	for (size_t j = 0; j < s->n; j++)
		s->mean_f[j] = (float)s->mean[j];
}

#define IAM_DESC(table)                                                      \
	{                                                                    \
		.algo = "iamalgam", .arrays = (table),                       \
		.n_arrays = IAM_N_ARRAYS,                                    \
		.drawn_at = offsetof(iam, pop_iter), .check = iam_check,     \
		.commit = iam_commit,                                        \
	}

static const au_state_desc iam_full_desc = IAM_DESC(iam_full_arrays);
static const au_state_desc iam_indep_desc = IAM_DESC(iam_indep_arrays);

static size_t iam_state(const void *state, npz_array *out, size_t max,
			char names[][64])
{
	const iam *s = state;

	return au_state(s->full ? &iam_full_desc : &iam_indep_desc, s, out,
			max, names);
}

static int iam_load(void *state, const npz_file *f, ej_err *err)
{
	iam *s = state;

	return au_load(s->full ? &iam_full_desc : &iam_indep_desc, s, f, err);
}

const algo_ops iamalgam_ops = {
	.name = "iamalgam",
	.summary = "iAMaLGaM, full or diagonal Gaussian model with adaptive "
	           "variance scaling and anticipated mean shift (evosax)",
	.fields = iam_fields,
	.n_fields = IAM_N_FIELDS,
	.cfg_size = sizeof(iam_cfg),
	.create = iam_create,
	.pop_size = iam_pop_size,
	.ask = iam_ask,
	.tell = iam_tell,
	.best_params = iam_best_params,
	.state = iam_state,
	.load = iam_load,
	.free = iam_free,
};
