/* open_es.c - OpenAI-ES (Salimans, Ho, Chen, Sidor & Sutskever 2017,
 * "Evolution Strategies as a Scalable Alternative to Reinforcement
 * Learning", arXiv:1703.03864) with antithetic sampling, centered-rank
 * fitness shaping and the configured optimizer on the mean.
 *
 * N = pop_size (even), K = N/2 directions, P parameters, one scalar sigma.
 * In iteration it (0, 1, ...):
 *   eps_k ~ N(0, I): row k of iteration it in the shared noise layout
 *           (algo_util.h; PGPE's, so one device kernel serves both)
 *   rows 2k = mean + sigma eps_k,  2k+1 = mean - sigma eps_k   (float)
 * tell:
 *   u_i  = centered rank over ALL N returns: rank/(N-1) - 0.5, rank 0 the
 *          worst (ties: lower index, lower rank)
 *   g    = 1/(N sigma) sum_i u_i z_i,  z_2k = eps_k, z_2k+1 = -eps_k
 *        = 1/(N sigma) sum_k (u_2k - u_2k+1) eps_k           (in double)
 *   mean = optimizer step on g with learning rate lr (ascent, optim.h);
 *          weight decay, momentum, betas: the 'optimizer' section
 *   sigma = max(sigma sigma_decay, sigma_limit)
 *   it  += 1
 * ask does not advance anything: asking twice gives the same population.
 * tell refuses non-finite fitness ("fitness of member 3 is nan",
 * EJ_EXIT_RUN) before touching any state.  best_params is the mean (as
 * EvoJAX's OpenES wrapper returns it).
 *
 * Defaults and their sources (EvoJAX 0.2.17 evojax/algo/open_es.py, a
 * wrapper around evosax's OpenES):
 *   lr 0.01          EvoJAX optimizer_config lrate_init 0.01
 *   sigma_init 0.01, sigma_decay 0.999, sigma_limit 0.001
 *                    EvoJAX init_stdev, decay_stdev, limit_stdev
 *                    (evosax's own defaults are 0.04 / 0.999 / 0.01)
 *   init_mean 0      EvoJAX sets evosax init_min = init_max = 0
 *   pop_size 64      as PGPE here (EvoJAX has no default)
 * Differences from EvoJAX, on purpose:
 *   - EvoJAX decays the learning rate inside the optimizer (lrate_decay
 *     0.999 down to lrate_limit 0.001); here lr is constant unless a
 *     schedule drives it through set_hparam("lr").
 *   - EvoJAX z-scores the centered ranks.  For a fixed N the centered ranks
 *     are a permutation of fixed values with mean 0, so z-scoring only
 *     multiplies g by 1/std(u) = sqrt(12 (N-1)/(N+1)) (~3.46 for large N):
 *     no effect with adam up to eps, a different effective lr with sgd.
 *   - EvoJAX's adam defaults to beta1 0.99 for OpenES; here the optimizer
 *     section decides (adam default beta1 0.9) and the bias correction is
 *     the correct one (optim.h).
 *   - EvoJAX applies w_decay as an L2 penalty on the fitness; here weight
 *     decay belongs to the optimizer.
 * Salimans et al. kept sigma fixed (0.02 on MuJoCo): sigma_decay 1 does
 * that.  With sgd note that g scales as 1/sigma; adam (the default
 * optimizer) is insensitive to that scale.
 *
 * State (what a bit-exact resume needs; the noise is a pure function of
 * seed and iteration): mean (P) f32, sigma () f32, iteration () i64, and
 * the optimizer's arrays prefixed "optim_" (see optim.h).  load is
 * all-or-nothing.
 */
#include "algos/algo.h"
#include "algos/algo_util.h"

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct open_es_cfg {
	int pop_size;
	double lr;
	double sigma_init;
	double sigma_decay;
	double sigma_limit;
	double init_mean;
} open_es_cfg;

#define OES_OFF(m) offsetof(open_es_cfg, m)

static const cfg_field open_es_fields[] = {
	{ .key = "pop_size", .type = CFG_INT, .offset = OES_OFF(pop_size),
	  .def = "64", .min = 2, .max = INFINITY, .flags = CFG_F_EVEN,
	  .help = "population size N (even: N/2 antithetic pairs)" },
	{ .key = "lr", .type = CFG_FLOAT, .offset = OES_OFF(lr),
	  .def = "0.01", .min = 0, .max = INFINITY, .flags = CFG_F_MIN_OPEN,
	  .help = "optimizer learning rate for the mean (EvoJAX: 0.01)" },
	{ .key = "sigma_init", .type = CFG_FLOAT, .offset = OES_OFF(sigma_init),
	  .def = "0.01", .min = 0, .max = INFINITY, .flags = CFG_F_MIN_OPEN,
	  .help = "initial noise std sigma (EvoJAX: 0.01)" },
	{ .key = "sigma_decay", .type = CFG_FLOAT,
	  .offset = OES_OFF(sigma_decay), .def = "0.999", .min = 0, .max = 1,
	  .flags = CFG_F_MIN_OPEN,
	  .help = "sigma is multiplied by this after each tell (1: fixed)" },
	{ .key = "sigma_limit", .type = CFG_FLOAT,
	  .offset = OES_OFF(sigma_limit), .def = "0.001", .min = 0,
	  .max = INFINITY, .flags = CFG_F_MIN_OPEN,
	  .help = "sigma never decays below this" },
	{ .key = "init_mean", .type = CFG_FLOAT, .offset = OES_OFF(init_mean),
	  .def = "0", .min = -INFINITY, .max = INFINITY,
	  .help = "initial value of every mean parameter (EvoJAX: 0)" },
};

typedef struct open_es {
	open_es_cfg cfg;
	size_t P, N, K;
	uint32_t seed;
	int64_t iteration;  /* tells done so far; names the noise */
	int64_t noise_iter; /* iteration 'noise' was drawn for, -1: none */
	noisedev *nd;       /* device noise or NULL (borrowed) */
	float sigma;
	float *mean;        /* (P) */
	float *noise;       /* (K, P) eps_k */
	float *grad;        /* (P) g */
	double *acc;        /* (P) sum_k (u_2k - u_2k+1) eps_k */
	double *wa;         /* (K) weights for device noise sums */
	double *u;          /* (N) centered ranks */
	au_rank *order;     /* (N) sort scratch */
	optim *opt;
} open_es;

static void open_es_free(void *state)
{
	open_es *s = state;

	if (!s)
		return;
	optim_free(s->opt);
	free(s->mean);
	free(s->noise);
	free(s->grad);
	free(s->acc);
	free(s->wa);
	free(s->u);
	free(s->order);
	free(s);
}

/* The schema checks user input; this guards direct callers. */
static int open_es_check_cfg(const open_es_cfg *c, ej_err *err)
{
	if (c->pop_size < 2 || c->pop_size % 2)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'pop_size' must be an even integer >= 2, got "
			       "'%d'", c->pop_size);
	if (!(c->lr > 0) || !isfinite(c->lr))
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'lr' must be > 0, got '%g'", c->lr);
	if (!(c->sigma_init > 0) || !isfinite(c->sigma_init))
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'sigma_init' must be > 0, got '%g'",
			       c->sigma_init);
	if (!(c->sigma_decay > 0 && c->sigma_decay <= 1))
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'sigma_decay' must be in (0, 1], got '%g'",
			       c->sigma_decay);
	if (!(c->sigma_limit > 0) || !isfinite(c->sigma_limit))
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'sigma_limit' must be > 0, got '%g'",
			       c->sigma_limit);
	if (!isfinite(c->init_mean))
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'init_mean' must be finite");
	return 0;
}

/* Buffers for P parameters and N members; NULL when out of memory. */
static open_es *open_es_alloc(size_t P, size_t N)
{
	open_es *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->P = P;
	s->N = N;
	s->K = N / 2;
	s->mean = malloc(P * sizeof(*s->mean));
	s->grad = malloc(P * sizeof(*s->grad));
	s->acc = malloc(P * sizeof(*s->acc));
	s->wa = malloc(N / 2 * sizeof(*s->wa));
	s->u = malloc(N * sizeof(*s->u));
	s->order = malloc(N * sizeof(*s->order));
	if (s->K <= SIZE_MAX / sizeof(float) / P)
		s->noise = malloc(s->K * P * sizeof(*s->noise));
	if (!s->mean || !s->grad || !s->acc || !s->u || !s->order || !s->wa ||
	    !s->noise) {
		open_es_free(s);
		return NULL;
	}
	return s;
}

static int open_es_create(void **state, const void *cfgp,
			  const algo_env *env, ej_err *err)
{
	const open_es_cfg *cfg = cfgp;
	open_es *s;

	*state = NULL;
	if (open_es_check_cfg(cfg, err) < 0)
		return -1;
	if (env->param_size == 0)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'open_es' needs at least one parameter");
	s = open_es_alloc(env->param_size, (size_t)cfg->pop_size);
	if (!s)
		return ej_fail(err, EJ_EXIT_RUN, "out of memory for 'open_es' "
			       "(pop_size %d, %zu parameters)", cfg->pop_size,
			       env->param_size);
	s->cfg = *cfg;
	s->seed = env->seed;
	s->noise_iter = -1;
	s->nd = env->noise_dev;
	s->sigma = (float)cfg->sigma_init;
	for (size_t j = 0; j < s->P; j++)
		s->mean[j] = (float)cfg->init_mean;
	s->opt = au_optim(env->optim, s->P, err);
	if (!s->opt) {
		open_es_free(s);
		return -1;
	}
	*state = s;
	return 0;
}

static size_t open_es_pop_size(const void *state)
{
	return ((const open_es *)state)->N;
}

/* eps for the current iteration, drawn once per iteration. */
static int open_es_draw_noise(open_es *s, ej_err *err)
{
	return au_noise_rows(s->nd, s->noise, s->K, s->P, s->seed, s->iteration,
			     &s->noise_iter, err);
}

static int open_es_ask(void *state, float *params, ej_err *err)
{
	open_es *s = state;

	if (open_es_draw_noise(s, err) < 0)
		return -1;
	au_mirror_rows(params, s->mean, s->noise, &s->sigma, 0, s->K, s->P);
	return 0;
}

/* g into s->grad; sums over k in order 0..K-1 in double. */
static int open_es_grad(open_es *s, ej_err *err)
{
	const double scale = 1.0 / ((double)s->N * (double)s->sigma);

	if (nd_wants(s->nd, s->K * s->P)) {
		for (size_t k = 0; k < s->K; k++)
			s->wa[k] = s->u[2 * k] - s->u[2 * k + 1];
		if (nd_sums(s->nd, s->wa, NULL, s->K, s->P, s->acc, NULL,
			    err) < 0)
			return -1;
	} else {
		memset(s->acc, 0, s->P * sizeof(*s->acc));
		for (size_t k = 0; k < s->K; k++) {
			const double w = s->u[2 * k] - s->u[2 * k + 1];
			const float *eps = s->noise + k * s->P;

			for (size_t j = 0; j < s->P; j++)
				s->acc[j] += w * eps[j];
		}
	}
	for (size_t j = 0; j < s->P; j++)
		s->grad[j] = (float)(s->acc[j] * scale);
	return 0;
}

static int open_es_tell(void *state, const float *fitness, ej_err *err)
{
	open_es *s = state;
	double sigma;

	if (au_check_fitness(fitness, s->N, err) < 0)
		return -1;
	if (open_es_draw_noise(s, err) < 0)
		return -1;
	au_centered_ranks(s->u, s->order, fitness, s->N);
	if (open_es_grad(s, err) < 0)
		return -1;
	optim_step(s->opt, s->mean, s->grad, s->cfg.lr);
	sigma = (double)s->sigma * s->cfg.sigma_decay;
	s->sigma = (float)(sigma < s->cfg.sigma_limit ? s->cfg.sigma_limit :
			   sigma);
	s->iteration++;
	return 0;
}

static const float *open_es_best_params(const void *state)
{
	return ((const open_es *)state)->mean;
}

/* mean (P) f32, sigma () f32, iteration () i64, optim_* (optimizer). */
static const au_array open_es_arrays[] = {
	AU_VEC("mean", NPZ_F32, open_es, mean, P, AU_FINITE),
	AU_SCALAR("sigma", NPZ_F32, open_es, sigma, AU_POSITIVE),
	AU_SCALAR("iteration", NPZ_I64, open_es, iteration, AU_ITERATION),
};

static const au_state_desc open_es_state_desc = {
	.algo = "open_es",
	.arrays = open_es_arrays,
	.n_arrays = sizeof(open_es_arrays) / sizeof(open_es_arrays[0]),
	.optim_prefix = "optim_",
	.optim_at = offsetof(open_es, opt),
	.drawn_at = offsetof(open_es, noise_iter),
};

AU_STATE_FNS(open_es, open_es_state_desc)

static const char *const open_es_hparams[] = { "lr", NULL };

static int open_es_set_hparam(void *state, const char *name, double value)
{
	open_es *s = state;

	if (!strcmp(name, "lr"))
		s->cfg.lr = value;
	else if (!strcmp(name, "momentum"))
		optim_set_momentum(s->opt, value);
	else
		return -1;
	return 0;
}

const algo_ops open_es_ops = {
	.name = "open_es",
	.summary = "OpenAI-ES: antithetic sampling, centered ranks, "
	           "optimizer on the mean, decaying scalar sigma",
	.fields = open_es_fields,
	.n_fields = sizeof(open_es_fields) / sizeof(open_es_fields[0]),
	.cfg_size = sizeof(open_es_cfg),
	.create = open_es_create,
	.pop_size = open_es_pop_size,
	.ask = open_es_ask,
	.tell = open_es_tell,
	.best_params = open_es_best_params,
	.state = open_es_state,
	.load = open_es_load,
	.free = open_es_free,
	.hparams = open_es_hparams,
	.set_hparam = open_es_set_hparam,
};
