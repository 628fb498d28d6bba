/* ars.c - Augmented Random Search (Mania, Guy & Recht 2018, "Simple random
 * search provides a competitive approach to reinforcement learning",
 * arXiv:1803.07055), Algorithm 2: V1, V1-t, V2, V2-t.
 *
 * pop_size = 2N (even), N directions, b = top_k (0: b = N), P parameters.
 * In iteration it (0, 1, ...):
 *   delta_k ~ N(0, I): row k of iteration it in the shared noise layout
 *             (algo_util.h; PGPE's)
 *   rows 2k = theta + nu delta_k,  2k+1 = theta - nu delta_k   (float)
 *   (nu = max(noise_limit, noise_std noise_decay^it): fixed by default,
 *   decaying as EvoJAX's decay_stdev/limit_stdev when set;
 *   r+_k = fitness[2k], r-_k = fitness[2k+1])
 * tell:
 *   order directions by max(r+_k, r-_k), largest first (ties: lower k
 *   first), keep the first b
 *   sigma_R = population standard deviation (ddof 0, as np.std) of the 2b
 *             returns r+, r- of the kept directions
 *   theta  += step_size / (b sigma_R) sum_{kept k} (r+_k - r-_k) delta_k
 *             (in double, stored as float; delta is the unit-variance
 *             direction, not nu delta, as in the paper and the authors'
 *             code)
 *   sigma_R == 0 means the 2b returns are all equal, so every r+ - r- is 0:
 *   the step is then 0 (theta unchanged) instead of 0/0.
 *   it += 1
 * The step is the paper's plain one: ARS uses no optimizer, so the
 * 'optimizer' section does not apply and set_hparam("momentum") returns -1.
 * ask does not advance anything.  tell refuses non-finite fitness ("fitness
 * of member 3 is nan", EJ_EXIT_RUN) before touching any state.  best_params
 * is theta (the mean, as EvoJAX returns it).
 *
 * version: v1 = Algorithm 2 without state normalisation, v2 = with it.
 * The ARS update is the same code for both; V2's difference is that the
 * policy sees observations normalised by the running mean and standard
 * deviation of all states seen in training, which in evojax is the
 * trainer's running observation normaliser (trainer.normalize_obs, Welford
 * statistics updated from training rollouts only, EvoJAX semantics).  So
 * 'version: v2' REQUIRES trainer.normalize_obs: true (config validation
 * enforces it, core/exp.c) and 'v1' works either way.  Remaining
 * differences from the authors' filter are the normaliser's: it clips
 * normalised observations to [-5, 5] and bounds the variance to
 * [1e-6, 1e6] (core/obsnorm.h).  The authors' per-step reward shift (for
 * survival bonuses) is a task matter and not done here.
 *
 * Defaults and their sources (the authors' code/ars.py argparse defaults,
 * github.com/modestyachts/ARS):
 *   pop_size 16      n_directions 8 (2 rollouts each)
 *   top_k 0 (= all)  deltas_used 8 = n_directions
 *   step_size 0.02   step_size
 *   noise_std 0.03   delta_std
 *   version v1       EvoJAX's ARS_native default version=1 (the authors'
 *                    default filter MeanStdFilter is V2, which needs
 *                    trainer.normalize_obs)
 *   init_mean 0      M_0 = 0 in the paper
 * Differences from EvoJAX: its ARS wrappers (evosax's ARS and EvoJAX's
 * ARS_native) add 1e-5 to sigma_R and feed the step to an optimizer (clipup, sgd or adam); here it is the paper's
 * algorithm with a plain step.  The
 * authors' code keeps every direction whose max reward reaches the
 * (1 - b/N) percentile, which may keep more than b on ties; here exactly b
 * are kept.
 *
 * State: theta (P) f32, iteration () i64 (the noise is a pure function of
 * seed and iteration).  load is all-or-nothing.
 */
#include "algos/algo.h"
#include "algos/algo_util.h"

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct ars_cfg {
	int pop_size;
	int top_k;
	double step_size;
	double noise_std;
	double noise_decay;
	double noise_limit;
	char version[CFG_STR_MAX];
	double init_mean;
} ars_cfg;

#define ARS_OFF(m) offsetof(ars_cfg, m)

static const cfg_field ars_fields[] = {
	{ .key = "pop_size", .type = CFG_INT, .offset = ARS_OFF(pop_size),
	  .def = "16", .min = 2, .max = INFINITY, .flags = CFG_F_EVEN,
	  .help = "population size 2N: N directions, each evaluated +/-" },
	{ .key = "top_k", .type = CFG_INT, .offset = ARS_OFF(top_k),
	  .def = "0", .min = 0, .max = INFINITY, .flags = CFG_F_PER_POP,
	  .help = "b: directions used per update, best by max(r+, r-) "
		  "(0: all N; at most pop_size/2)" },
	{ .key = "step_size", .type = CFG_FLOAT, .offset = ARS_OFF(step_size),
	  .def = "0.02", .min = 0, .max = INFINITY, .flags = CFG_F_MIN_OPEN,
	  .help = "alpha: theta += alpha/(b sigma_R) sum (r+ - r-) delta" },
	{ .key = "noise_std", .type = CFG_FLOAT, .offset = ARS_OFF(noise_std),
	  .def = "0.03", .min = 0, .max = INFINITY, .flags = CFG_F_MIN_OPEN,
	  .help = "nu: rows are theta +/- nu delta" },
	{ .key = "noise_decay", .type = CFG_FLOAT,
	  .offset = ARS_OFF(noise_decay), .def = "1", .min = 0, .max = 1,
	  .flags = CFG_F_MIN_OPEN,
	  .help = "nu at iteration t is max(noise_limit, noise_std noise_decay^t) "
		  "(EvoJAX decay_stdev; 1: fixed)" },
	{ .key = "noise_limit", .type = CFG_FLOAT,
	  .offset = ARS_OFF(noise_limit), .def = "0", .min = 0,
	  .max = INFINITY, .help = "floor of the decaying nu (EvoJAX limit_stdev)" },
	{ .key = "version", .type = CFG_ENUM, .offset = ARS_OFF(version),
	  .def = "v1", .choices = "v1|v2",
	  .help = "v2 = v1 + observation normalisation "
		  "(needs trainer.normalize_obs: true)" },
	{ .key = "init_mean", .type = CFG_FLOAT, .offset = ARS_OFF(init_mean),
	  .def = "0", .min = -INFINITY, .max = INFINITY,
	  .help = "initial value of every parameter (paper: 0)" },
};

typedef struct ars {
	ars_cfg cfg;
	size_t P, N, K, b;  /* N members, K = N/2 directions, b used */
	uint32_t seed;
	int64_t iteration;  /* tells done so far; names the noise */
	int64_t noise_iter; /* iteration 'noise' was drawn for, -1: none */
	noisedev *nd;       /* device noise or NULL (borrowed) */
	float *theta;       /* (P) */
	float *noise;       /* (K, P) delta_k */
	double *acc;        /* (P) sum (r+ - r-) delta */
	double *wa;         /* (K) weights for device noise sums */
	au_rank *order;     /* (K) sort scratch: f = max(r+, r-), i = k */
} ars;

static void ars_free(void *state)
{
	ars *s = state;

	if (!s)
		return;
	free(s->theta);
	free(s->noise);
	free(s->acc);
	free(s->wa);
	free(s->order);
	free(s);
}

/* The schema checks most of this; top_k <= pop_size/2 spans two keys. */
static int ars_check_cfg(const ars_cfg *c, ej_err *err)
{
	if (c->pop_size < 2 || c->pop_size % 2)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'pop_size' must be an even integer >= 2, got "
			       "'%d'", c->pop_size);
	if (c->top_k < 0 || c->top_k > c->pop_size / 2)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'top_k' must be in [0, pop_size/2 = %d], got "
			       "'%d'", c->pop_size / 2, c->top_k);
	if (!(c->step_size > 0) || !isfinite(c->step_size))
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'step_size' must be > 0, got '%g'",
			       c->step_size);
	if (!(c->noise_std > 0) || !isfinite(c->noise_std))
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'noise_std' must be > 0, got '%g'",
			       c->noise_std);
	if (strcmp(c->version, "v1") && strcmp(c->version, "v2"))
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'version' must be one of v1, v2, got '%s'",
			       c->version);
	if (!isfinite(c->init_mean))
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'init_mean' must be finite");
	return 0;
}

static ars *ars_alloc(size_t P, size_t N)
{
	ars *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->P = P;
	s->N = N;
	s->K = N / 2;
	s->theta = malloc(P * sizeof(*s->theta));
	s->acc = malloc(P * sizeof(*s->acc));
	s->wa = calloc(N / 2, sizeof(*s->wa));
	s->order = malloc(s->K * sizeof(*s->order));
	if (s->K <= SIZE_MAX / sizeof(float) / P)
		s->noise = malloc(s->K * P * sizeof(*s->noise));
	if (!s->theta || !s->acc || !s->order || !s->noise || !s->wa) {
		ars_free(s);
		return NULL;
	}
	return s;
}

static int ars_create(void **state, const void *cfgp, const algo_env *env,
		      ej_err *err)
{
	const ars_cfg *cfg = cfgp;
	ars *s;

	*state = NULL;
	if (ars_check_cfg(cfg, err) < 0)
		return -1;
	if (env->param_size == 0)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'ars' needs at least one parameter");
	s = ars_alloc(env->param_size, (size_t)cfg->pop_size);
	if (!s)
		return ej_fail(err, EJ_EXIT_RUN, "out of memory for 'ars' "
			       "(pop_size %d, %zu parameters)", cfg->pop_size,
			       env->param_size);
	s->cfg = *cfg;
	s->b = cfg->top_k ? (size_t)cfg->top_k : s->K;
	s->seed = env->seed;
	s->noise_iter = -1;
	s->nd = env->noise_dev;
	for (size_t j = 0; j < s->P; j++)
		s->theta[j] = (float)cfg->init_mean;
	*state = s;
	return 0;
}

static size_t ars_pop_size(const void *state)
{
	return ((const ars *)state)->N;
}

/* delta for the current iteration, drawn once per iteration. */
static int ars_draw_noise(ars *s, ej_err *err)
{
	return au_noise_rows(s->nd, s->noise, s->K, s->P, s->seed, s->iteration,
			     &s->noise_iter, err);
}

/* nu of the current iteration: a pure function of the iteration, so a
 * resumed run needs no extra state. */
static float ars_nu(const ars *s)
{
	double nu = s->cfg.noise_std *
		    pow(s->cfg.noise_decay, (double)s->iteration);

	return (float)(nu > s->cfg.noise_limit ? nu : s->cfg.noise_limit);
}

static int ars_ask(void *state, float *params, ej_err *err)
{
	ars *s = state;
	const float nu = ars_nu(s);

	if (ars_draw_noise(s, err) < 0)
		return -1;
	au_mirror_rows(params, s->theta, s->noise, &nu, 0, s->K, s->P);
	return 0;
}

/* s->order[0..b) = the kept directions (largest score first; ties: lower
 * direction index first); returns sigma_R. */
static double ars_select(ars *s, const float *fitness)
{
	double mean = 0, var = 0;

	for (size_t k = 0; k < s->K; k++) {
		float rp = fitness[2 * k], rm = fitness[2 * k + 1];

		s->order[k].f = rp > rm ? rp : rm;
		s->order[k].i = k;
	}
	au_rank_sort(s->order, s->K, AU_BEST_FIRST);
	for (size_t r = 0; r < s->b; r++) {
		size_t k = s->order[r].i;

		mean += (double)fitness[2 * k] + (double)fitness[2 * k + 1];
	}
	mean /= (double)(2 * s->b);
	for (size_t r = 0; r < s->b; r++) {
		size_t k = s->order[r].i;
		double dp = fitness[2 * k] - mean;
		double dm = fitness[2 * k + 1] - mean;

		var += dp * dp + dm * dm;
	}
	return sqrt(var / (double)(2 * s->b));
}

/* acc = sum over the kept directions of (r+ - r-) delta, on the host. */
static void ars_host_sums(ars *s, const float *fitness)
{
	memset(s->acc, 0, s->P * sizeof(*s->acc));
	for (size_t r = 0; r < s->b; r++) {
		size_t k = s->order[r].i;
		double w = (double)fitness[2 * k] - fitness[2 * k + 1];
		const float *d = s->noise + k * s->P;

		for (size_t j = 0; j < s->P; j++)
			s->acc[j] += w * d[j];
	}
}

static int ars_tell(void *state, const float *fitness, ej_err *err)
{
	ars *s = state;
	double sigma_r;

	if (au_check_fitness(fitness, s->N, err) < 0)
		return -1;
	if (ars_draw_noise(s, err) < 0)
		return -1;
	sigma_r = ars_select(s, fitness);
	if (sigma_r > 0) {
		const double scale = s->cfg.step_size /
				     ((double)s->b * sigma_r);

		if (nd_wants(s->nd, s->K * s->P)) {
			memset(s->wa, 0, s->K * sizeof(*s->wa));
			for (size_t r = 0; r < s->b; r++) {
				size_t k = s->order[r].i;

				s->wa[k] = (double)fitness[2 * k] -
					   fitness[2 * k + 1];
			}
			if (nd_sums(s->nd, s->wa, NULL, s->K, s->P, s->acc,
				    NULL, err) < 0)
				return -1;
		} else {
			ars_host_sums(s, fitness);
		}
		for (size_t j = 0; j < s->P; j++)
			s->theta[j] = (float)(s->theta[j] + scale * s->acc[j]);
	}
	s->iteration++;
	return 0;
}

static const float *ars_best_params(const void *state)
{
	return ((const ars *)state)->theta;
}

/* theta (P) f32, iteration () i64. */
static const au_array ars_arrays[] = {
	AU_VEC("theta", NPZ_F32, ars, theta, P, AU_FINITE),
	AU_SCALAR("iteration", NPZ_I64, ars, iteration, AU_ITERATION),
};

static const au_state_desc ars_state_desc = {
	.algo = "ars",
	.arrays = ars_arrays,
	.n_arrays = sizeof(ars_arrays) / sizeof(ars_arrays[0]),
	.drawn_at = offsetof(ars, noise_iter),
};

AU_STATE_FNS(ars, ars_state_desc)

static const char *const ars_hparams[] = { "step_size", NULL };

/* No optimizer: "momentum" is unknown here (-1). */
static int ars_set_hparam(void *state, const char *name, double value)
{
	ars *s = state;

	if (strcmp(name, "step_size"))
		return -1;
	s->cfg.step_size = value;
	return 0;
}

/* V2 is V1 with observation normalization, which the trainer provides. */
static const char *ars_needs_obs_norm(const void *cfg)
{
	return strcmp(((const ars_cfg *)cfg)->version, "v2") ? NULL : "version";
}

const algo_ops ars_ops = {
	.name = "ars",
	.summary = "Augmented Random Search (Mania et al. 2018): "
	           "top-b antithetic directions, reward-std step",
	.fields = ars_fields,
	.n_fields = sizeof(ars_fields) / sizeof(ars_fields[0]),
	.cfg_size = sizeof(ars_cfg),
	.create = ars_create,
	.pop_size = ars_pop_size,
	.ask = ars_ask,
	.tell = ars_tell,
	.best_params = ars_best_params,
	.state = ars_state,
	.load = ars_load,
	.free = ars_free,
	.hparams = ars_hparams,
	.set_hparam = ars_set_hparam,
	.needs_obs_norm = ars_needs_obs_norm,
};
