/* snes.c - separable natural evolution strategies (SNES: Schaul, Glasmachers
 * & Schmidhuber 2011, "High Dimensions and Heavy Tails for Natural
 * Evolution Strategies", GECCO; also Wierstra et al. 2014, "Natural
 * Evolution Strategies", JMLR 15, Algorithm 6): a Gaussian with mean mu and
 * one sigma per parameter, rank-based utilities, natural-gradient updates.
 *
 * N = pop_size, P parameters (n in the papers).  In iteration it:
 *   s_i ~ N(0, I): row i of iteration it in the shared noise layout
 *         (algo_util.h)
 *   row i = mu + sigma * s_i            (float, elementwise; no mirroring)
 * tell:
 *   sort members by fitness, best first (ties: lower index first); the
 *   member of rank r (1 = best) gets the utility
 *     u_r = max(0, ln(N/2 + 1) - ln r) / sum_q max(0, ln(N/2 + 1) - ln q)
 *           - 1/N
 *   grad_mu[j]    = sum_r u_r s_(r)[j]
 *   grad_sigma[j] = sum_r u_r (s_(r)[j]^2 - 1)
 *   mu[j]    += lr_mean sigma[j] grad_mu[j]
 *   sigma[j] *= exp(lr_sigma / 2 grad_sigma[j])
 *   (all in double, stored as float)
 * ask does not advance anything.  tell refuses non-finite fitness ("fitness
 * of member 3 is nan", EJ_EXIT_RUN) before touching any state.
 * best_params is the mean mu (as EvoJAX does for distribution-based
 * algorithms).  No optimizer is used ('optimizer' does not apply;
 * set_hparam("momentum") returns -1).
 *
 * Defaults and their sources:
 *   pop_size 0 -> 4 + floor(3 ln P)   Schaul et al. 2011 / Wierstra et al.
 *                                      2014 Table 1 (lambda)
 *   lr_mean 1                          same (eta_mu)
 *   lr_sigma 0 -> (3 + ln P) / (5 sqrt P)
 *                                      same (eta_sigma for SNES); evosax
 *                                      snes.py uses the same value
 *   sigma_init 1                       evosax SNES default sigma_init 1.0
 *   init_mean 0                        evosax init_min = init_max = 0
 *   utilities with baseline -1/N       the papers' fitness shaping;
 *                                      evosax get_snes_weights
 * Schedules: hparams lr_mean and lr_sigma.  The trainer passes "configured
 * value x factor"; with lr_sigma left at 0 (automatic) that product is 0
 * whatever the factor, so set_hparam("lr_sigma", v) is ignored (returns
 * 0) while lr_sigma is automatic: sigma then adapts at the automatic rate
 * throughout.  Give lr_sigma explicitly to have a schedule drive it.
 *
 * State: mean (P) f32, sigma (P) f32, iteration () i64 (the noise is a pure
 * function of seed and iteration).  load is all-or-nothing.
 */
#include "algos/algo.h"
#include "algos/algo_util.h"

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct snes_cfg {
	int pop_size;
	double lr_mean;
	double lr_sigma;
	double sigma_init;
	double init_mean;
} snes_cfg;

#define SNES_OFF(m) offsetof(snes_cfg, m)

static const cfg_field snes_fields[] = {
	{ .key = "pop_size", .type = CFG_INT, .offset = SNES_OFF(pop_size),
	  .def = "0", .min = 0, .max = INFINITY,
	  .help = "population size N (0: 4 + floor(3 ln P); else >= 2)" },
	{ .key = "lr_mean", .type = CFG_FLOAT, .offset = SNES_OFF(lr_mean),
	  .def = "1", .min = 0, .max = INFINITY, .flags = CFG_F_MIN_OPEN,
	  .help = "learning rate of the mean (eta_mu)" },
	{ .key = "lr_sigma", .type = CFG_FLOAT, .offset = SNES_OFF(lr_sigma),
	  .def = "0", .min = 0, .max = INFINITY,
	  .help = "learning rate of sigma (0: (3 + ln P) / (5 sqrt P))" },
	{ .key = "sigma_init", .type = CFG_FLOAT,
	  .offset = SNES_OFF(sigma_init), .def = "1", .min = 0,
	  .max = INFINITY, .flags = CFG_F_MIN_OPEN,
	  .help = "initial sigma of every parameter" },
	{ .key = "init_mean", .type = CFG_FLOAT, .offset = SNES_OFF(init_mean),
	  .def = "0", .min = -INFINITY, .max = INFINITY,
	  .help = "initial value of every mean parameter" },
};

typedef struct snes {
	snes_cfg cfg;
	size_t P, N;
	bool lr_sigma_auto; /* lr_sigma configured as 0 */
	double lr_sigma;    /* in use */
	uint32_t seed;
	int64_t iteration;  /* tells done so far; names the noise */
	int64_t noise_iter; /* iteration 'noise' was drawn for, -1: none */
	noisedev *nd;       /* device noise or NULL (borrowed) */
	float *mean;        /* (P) */
	float *sigma;       /* (P) */
	float *noise;       /* (N, P) s_i */
	double *util;       /* (N) u_r, r = 1..N at [r-1] */
	double *gm, *gs;    /* (P) grad_mu, grad_sigma */
	double *wa;         /* (N) weights for device noise sums */
	au_rank *order;     /* (N) sort scratch */
} snes;

static void snes_free(void *state)
{
	snes *s = state;

	if (!s)
		return;
	free(s->mean);
	free(s->sigma);
	free(s->noise);
	free(s->util);
	free(s->gm);
	free(s->gs);
	free(s->wa);
	free(s->order);
	free(s);
}

/* 4 + floor(3 ln P): 4 for P = 1, 10 for P = 10, 29 for P = 4609. */
static size_t snes_default_pop(size_t P)
{
	return 4 + (size_t)floor(3.0 * log((double)P));
}

static int snes_check_cfg(const snes_cfg *c, ej_err *err)
{
	if (c->pop_size == 1 || c->pop_size < 0)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'pop_size' must be 0 (automatic) or >= 2, got "
			       "'%d'", c->pop_size);
	if (!(c->lr_mean > 0) || !isfinite(c->lr_mean))
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'lr_mean' must be > 0, got '%g'", c->lr_mean);
	if (!(c->lr_sigma >= 0) || !isfinite(c->lr_sigma))
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'lr_sigma' must be >= 0, got '%g'",
			       c->lr_sigma);
	if (!(c->sigma_init > 0) || !isfinite(c->sigma_init))
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'sigma_init' must be > 0, got '%g'",
			       c->sigma_init);
	if (!isfinite(c->init_mean))
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'init_mean' must be finite");
	return 0;
}

static snes *snes_alloc(size_t P, size_t N)
{
	snes *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->P = P;
	s->N = N;
	s->mean = malloc(P * sizeof(*s->mean));
	s->sigma = malloc(P * sizeof(*s->sigma));
	s->gm = malloc(P * sizeof(*s->gm));
	s->gs = malloc(P * sizeof(*s->gs));
	s->wa = malloc(N * sizeof(*s->wa));
	s->util = malloc(N * sizeof(*s->util));
	s->order = malloc(N * sizeof(*s->order));
	if (N <= SIZE_MAX / sizeof(float) / P)
		s->noise = malloc(N * P * sizeof(*s->noise));
	if (!s->mean || !s->sigma || !s->gm || !s->gs || !s->util || !s->wa ||
	    !s->order || !s->noise) {
		snes_free(s);
		return NULL;
	}
	return s;
}

static int snes_create(void **state, const void *cfgp, const algo_env *env,
		       ej_err *err)
{
	const snes_cfg *cfg = cfgp;
	size_t N;
	snes *s;

	*state = NULL;
	if (snes_check_cfg(cfg, err) < 0)
		return -1;
	if (env->param_size == 0)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'snes' needs at least one parameter");
	N = cfg->pop_size ? (size_t)cfg->pop_size :
			    snes_default_pop(env->param_size);
	s = snes_alloc(env->param_size, N);
	if (!s)
		return ej_fail(err, EJ_EXIT_RUN, "out of memory for 'snes' "
			       "(pop_size %zu, %zu parameters)", N,
			       env->param_size);
	s->cfg = *cfg;
	s->lr_sigma_auto = cfg->lr_sigma == 0;
	s->lr_sigma = s->lr_sigma_auto ?
		      (3.0 + log((double)s->P)) / (5.0 * sqrt((double)s->P)) :
		      cfg->lr_sigma;
	s->seed = env->seed;
	s->noise_iter = -1;
	s->nd = env->noise_dev;
	au_log_rank_weights(s->util, s->util, N); /* u_r */
	for (size_t j = 0; j < s->P; j++) {
		s->mean[j] = (float)cfg->init_mean;
		s->sigma[j] = (float)cfg->sigma_init;
	}
	*state = s;
	return 0;
}

static size_t snes_pop_size(const void *state)
{
	return ((const snes *)state)->N;
}

/* s_i for the current iteration, drawn once per iteration. */
static int snes_draw_noise(snes *s, ej_err *err)
{
	return au_noise_rows(s->nd, s->noise, s->N, s->P, s->seed, s->iteration,
			     &s->noise_iter, err);
}

static int snes_ask(void *state, float *params, ej_err *err)
{
	snes *s = state;

	if (snes_draw_noise(s, err) < 0)
		return -1;
	for (size_t i = 0; i < s->N; i++) {
		const float *z = s->noise + i * s->P;
		float *row = params + i * s->P;

		for (size_t j = 0; j < s->P; j++)
			row[j] = s->mean[j] + s->sigma[j] * z[j];
	}
	return 0;
}

/* gm, gs on the host, in double, in rank order. */
static void snes_host_sums(snes *s)
{
	memset(s->gm, 0, s->P * sizeof(*s->gm));
	memset(s->gs, 0, s->P * sizeof(*s->gs));
	for (size_t r = 0; r < s->N; r++) {
		const double u = s->util[r];
		const float *z = s->noise + s->order[r].i * s->P;

		for (size_t j = 0; j < s->P; j++) {
			double zj = z[j];

			s->gm[j] += u * zj;
			s->gs[j] += u * (zj * zj - 1.0);
		}
	}
}

static int snes_tell(void *state, const float *fitness, ej_err *err)
{
	snes *s = state;

	if (au_check_fitness(fitness, s->N, err) < 0)
		return -1;
	if (snes_draw_noise(s, err) < 0)
		return -1;
	au_rank_members(s->order, fitness, s->N, AU_BEST_FIRST);
	if (nd_wants(s->nd, s->N * s->P)) {
		/* gm = sum_i u_i z_i, gs = sum_i u_i z_i^2 - sum_i u_i. */
		double usum = 0;

		for (size_t r = 0; r < s->N; r++) {
			s->wa[s->order[r].i] = s->util[r];
			usum += s->util[r];
		}
		if (nd_sums(s->nd, s->wa, s->wa, s->N, s->P, s->gm, s->gs,
			    err) < 0)
			return -1;
		for (size_t j = 0; j < s->P; j++)
			s->gs[j] -= usum;
	} else {
		snes_host_sums(s);
	}
	for (size_t j = 0; j < s->P; j++) {
		double sig = s->sigma[j];

		s->mean[j] = (float)(s->mean[j] +
				     s->cfg.lr_mean * sig * s->gm[j]);
		s->sigma[j] = (float)(sig * exp(s->lr_sigma / 2 * s->gs[j]));
	}
	s->iteration++;
	return 0;
}

static const float *snes_best_params(const void *state)
{
	return ((const snes *)state)->mean;
}

/* mean (P) f32, sigma (P) f32, iteration () i64. */
static const au_array snes_arrays[] = {
	AU_VEC("mean", NPZ_F32, snes, mean, P, AU_FINITE),
	AU_VEC("sigma", NPZ_F32, snes, sigma, P, AU_NONNEG),
	AU_SCALAR("iteration", NPZ_I64, snes, iteration, AU_ITERATION),
};

static const au_state_desc snes_state_desc = {
	.algo = "snes",
	.arrays = snes_arrays,
	.n_arrays = sizeof(snes_arrays) / sizeof(snes_arrays[0]),
	.drawn_at = offsetof(snes, noise_iter),
};

AU_STATE_FNS(snes, snes_state_desc)

static const char *const snes_hparams[] = { "lr_mean", "lr_sigma", NULL };

/* No optimizer: "momentum" is unknown here (-1).  lr_sigma is ignored
 * while it is automatic (see the header comment). */
static int snes_set_hparam(void *state, const char *name, double value)
{
	snes *s = state;

	if (!strcmp(name, "lr_mean"))
		s->cfg.lr_mean = value;
	else if (!strcmp(name, "lr_sigma")) {
		if (!s->lr_sigma_auto)
			s->lr_sigma = value;
	} else
		return -1;
	return 0;
}

const algo_ops snes_ops = {
	.name = "snes",
	.summary = "separable NES (Schaul et al. 2011): per-"
	           "parameter sigma, rank utilities, natural "
	           "gradient",
	.fields = snes_fields,
	.n_fields = sizeof(snes_fields) / sizeof(snes_fields[0]),
	.cfg_size = sizeof(snes_cfg),
	.create = snes_create,
	.pop_size = snes_pop_size,
	.ask = snes_ask,
	.tell = snes_tell,
	.best_params = snes_best_params,
	.state = snes_state,
	.load = snes_load,
	.free = snes_free,
	.hparams = snes_hparams,
	.set_hparam = snes_set_hparam,
};
