/* pgpe.c - PGPE (Sehnke et al. 2010) exactly as EvoJAX 0.2.17 runs it,
 * except for the optimizer's bias correction (see optim.h).
 *
 * N = pop_size (even), K = N/2 directions, P parameters, sigma per
 * parameter.  In iteration it (0, 1, ...):
 *   eps_k   ~ N(0, I): row k of iteration it in the shared noise layout
 *             (algo_util.h: ph_draw(seed, NOISE, it, member = k, repeat 0,
 *             index j/4), 4 normals per draw)
 *   delta_k = sigma * eps_k
 *   rows    2k = center + delta_k,  2k+1 = center - delta_k
 * tell:
 *   u = centered ranks rank/(N-1) - 0.5 (ties: lower index, lower rank),
 *       or the raw fitness if solution_ranking is false
 *   grad_center = (1/K) sum_k delta_k (u[2k] - u[2k+1])/2
 *   grad_sigma  = (1/K) sum_k ((u[2k] + u[2k+1])/2 - mean(u))
 *                             (delta_k^2 - sigma^2)/sigma
 *   center += optimizer step on grad_center with lr center_lr (ascent)
 *   sigma   = clip(sigma + stdev_lr grad_sigma, sigma -+ |sigma| max_change)
 *   it     += 1
 * ask does not advance anything: asking twice gives the same population.
 * tell refuses non-finite fitness ("fitness of member 3 is nan",
 * EJ_EXIT_RUN) before touching any state.  best_params is the center.
 *
 * State (what a bit-exact resume needs; the noise is a pure function of
 * seed and iteration): center (P) f32, stdev (P) f32, iteration () i64,
 * and the optimizer's arrays prefixed "optim_" (see optim.h).  load is
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

typedef struct pgpe_cfg {
	int pop_size;
	double center_lr;
	double stdev_lr;
	double init_stdev;
	double stdev_max_change;
	bool solution_ranking;
	double center_init;
} pgpe_cfg;

#define PGPE_OFF(m) offsetof(pgpe_cfg, m)

static const cfg_field pgpe_fields[] = {
	{ .key = "pop_size", .type = CFG_INT, .offset = PGPE_OFF(pop_size),
	  .def = "64", .min = 2, .max = INFINITY, .flags = CFG_F_EVEN,
	  .help = "population size N (even: N/2 antithetic pairs)" },
	{ .key = "center_lr", .type = CFG_FLOAT, .offset = PGPE_OFF(center_lr),
	  .def = "0.15", .min = 0, .max = INFINITY, .flags = CFG_F_MIN_OPEN,
	  .help = "optimizer learning rate for the center" },
	{ .key = "stdev_lr", .type = CFG_FLOAT, .offset = PGPE_OFF(stdev_lr),
	  .def = "0.1", .min = 0, .max = INFINITY,
	  .help = "learning rate for sigma (0 keeps sigma fixed)" },
	{ .key = "init_stdev", .type = CFG_FLOAT,
	  .offset = PGPE_OFF(init_stdev), .def = "0.1", .min = 0,
	  .max = INFINITY, .flags = CFG_F_MIN_OPEN,
	  .help = "initial sigma of every parameter" },
	{ .key = "stdev_max_change", .type = CFG_FLOAT,
	  .offset = PGPE_OFF(stdev_max_change), .def = "0.2", .min = 0,
	  .max = INFINITY,
	  .help = "sigma moves at most this fraction of itself per iteration" },
	{ .key = "solution_ranking", .type = CFG_BOOL,
	  .offset = PGPE_OFF(solution_ranking), .def = "true",
	  .help = "shape fitness to centered ranks in [-0.5, 0.5]" },
	{ .key = "center_init", .type = CFG_FLOAT,
	  .offset = PGPE_OFF(center_init), .def = "0", .min = -INFINITY,
	  .max = INFINITY,
	  .help = "initial value of every center parameter (EvoJAX: 0)" },
};

typedef struct pgpe {
	pgpe_cfg cfg;
	size_t P, N, K;
	uint32_t seed;
	int64_t iteration;  /* tells done so far; names the noise */
	int64_t noise_iter; /* iteration 'noise' was drawn for, -1: none */
	noisedev *nd;       /* device noise or NULL (borrowed) */
	float *center;      /* (P) */
	float *stdev;       /* (P) */
	float *noise;       /* (K, P) eps_k */
	float *grad;        /* (P) grad_center */
	double *acc_c;      /* (P) sum_k delta_k (u+ - u-)/2 */
	double *acc_s;      /* (P) sum_k (.. - b)(delta_k^2 - sigma^2)/sigma */
	double *wa, *wb;    /* (K) weights for device noise sums */
	double *u;          /* (N) shaped fitness */
	au_rank *order;     /* (N) sort scratch */
	optim *opt;
} pgpe;

static void pgpe_free(void *state)
{
	pgpe *s = state;

	if (!s)
		return;
	optim_free(s->opt);
	free(s->center);
	free(s->stdev);
	free(s->noise);
	free(s->grad);
	free(s->acc_c);
	free(s->acc_s);
	free(s->wa);
	free(s->wb);
	free(s->u);
	free(s->order);
	free(s);
}

/* The schema checks user input; this guards direct callers. */
static int pgpe_check_cfg(const pgpe_cfg *c, ej_err *err)
{
	if (c->pop_size < 2 || c->pop_size % 2)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'pop_size' must be an even integer >= 2, got "
			       "'%d'", c->pop_size);
	if (!(c->center_lr > 0))
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'center_lr' must be > 0, got '%g'",
			       c->center_lr);
	if (!(c->init_stdev > 0))
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'init_stdev' must be > 0, got '%g'",
			       c->init_stdev);
	if (!(c->stdev_lr >= 0) || !(c->stdev_max_change >= 0))
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'stdev_lr' and 'stdev_max_change' must be >= 0");
	return 0;
}

/* Buffers for P parameters and N members; NULL when out of memory. */
static pgpe *pgpe_alloc(size_t P, size_t N)
{
	pgpe *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->P = P;
	s->N = N;
	s->K = N / 2;
	s->center = malloc(P * sizeof(*s->center));
	s->stdev = malloc(P * sizeof(*s->stdev));
	s->grad = malloc(P * sizeof(*s->grad));
	s->acc_c = malloc(P * sizeof(*s->acc_c));
	s->acc_s = malloc(P * sizeof(*s->acc_s));
	s->wa = malloc(N / 2 * sizeof(*s->wa));
	s->wb = malloc(N / 2 * sizeof(*s->wb));
	s->u = malloc(N * sizeof(*s->u));
	s->order = malloc(N * sizeof(*s->order));
	if (s->K <= SIZE_MAX / sizeof(float) / P)
		s->noise = malloc(s->K * P * sizeof(*s->noise));
	if (!s->center || !s->stdev || !s->grad || !s->acc_c || !s->acc_s ||
	    !s->u || !s->order || !s->noise || !s->wa || !s->wb) {
		pgpe_free(s);
		return NULL;
	}
	return s;
}

static int pgpe_create(void **state, const void *cfgp, const algo_env *env,
		       ej_err *err)
{
	const pgpe_cfg *cfg = cfgp;
	pgpe *s;

	*state = NULL;
	if (pgpe_check_cfg(cfg, err) < 0)
		return -1;
	if (env->param_size == 0)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'pgpe' needs at least one parameter");
	s = pgpe_alloc(env->param_size, (size_t)cfg->pop_size);
	if (!s)
		return ej_fail(err, EJ_EXIT_RUN, "out of memory for 'pgpe' "
			       "(pop_size %d, %zu parameters)", cfg->pop_size,
			       env->param_size);
	s->cfg = *cfg;
	s->seed = env->seed;
	s->noise_iter = -1;
	s->nd = env->noise_dev;
	for (size_t j = 0; j < s->P; j++) {
		s->center[j] = (float)cfg->center_init;
		s->stdev[j] = (float)cfg->init_stdev;
	}
	s->opt = au_optim(env->optim, s->P, err);
	if (!s->opt) {
		pgpe_free(s);
		return -1;
	}
	*state = s;
	return 0;
}

static size_t pgpe_pop_size(const void *state)
{
	return ((const pgpe *)state)->N;
}

/* eps for the current iteration, drawn once per iteration. */
static int pgpe_draw_noise(pgpe *s, ej_err *err)
{
	return au_noise_rows(s->nd, s->noise, s->K, s->P, s->seed, s->iteration,
			     &s->noise_iter, err);
}

static int pgpe_ask(void *state, float *params, ej_err *err)
{
	pgpe *s = state;

	if (pgpe_draw_noise(s, err) < 0)
		return -1;
	au_mirror_rows(params, s->center, s->noise, s->stdev, 1, s->K, s->P);
	return 0;
}

/* u = rank/(N-1) - 0.5, rank = argsort(argsort(f)) with ties by index. */
static void pgpe_shape(pgpe *s, const float *fitness)
{
	if (!s->cfg.solution_ranking) {
		for (size_t i = 0; i < s->N; i++)
			s->u[i] = fitness[i];
		return;
	}
	au_centered_ranks(s->u, s->order, fitness, s->N);
}

/* The sums on the host, in double, k outermost so the noise is read row
 * by row. */
static void pgpe_host_sums(pgpe *s, double b)
{
	memset(s->acc_c, 0, s->P * sizeof(*s->acc_c));
	memset(s->acc_s, 0, s->P * sizeof(*s->acc_s));
	for (size_t k = 0; k < s->K; k++) {
		const double up = s->u[2 * k], um = s->u[2 * k + 1];
		const double wc = (up - um) / 2, ws = (up + um) / 2 - b;
		const float *eps = s->noise + k * s->P;

		for (size_t j = 0; j < s->P; j++) {
			const double sigma = s->stdev[j];
			const double d = (float)(s->stdev[j] * eps[j]);

			s->acc_c[j] += d * wc;
			/* a sigma that underflowed to 0 stays 0, not NaN */
			if (sigma > 0)
				s->acc_s[j] += ws * (d * d - sigma * sigma) /
					       sigma;
		}
	}
}

/* grad_center into s->grad; sigma updated in place.  The sums over the
 * directions run on the device when the noise was drawn there. */
static int pgpe_update_stdev_and_grad(pgpe *s, ej_err *err)
{
	double b = 0;

	for (size_t i = 0; i < s->N; i++)
		b += s->u[i];
	b /= (double)s->N;
	if (nd_wants(s->nd, s->K * s->P)) {
		/* On the device: acc_c = sigma sum_k wc eps_k and, since
		 * (d^2 - sigma^2)/sigma = sigma (eps^2 - 1),
		 * acc_s = sigma (sum_k ws eps_k^2 - sum_k ws). */
		double wsum = 0;

		for (size_t k = 0; k < s->K; k++) {
			const double up = s->u[2 * k], um = s->u[2 * k + 1];

			s->wa[k] = (up - um) / 2;
			s->wb[k] = (up + um) / 2 - b;
			wsum += s->wb[k];
		}
		if (nd_sums(s->nd, s->wa, s->wb, s->K, s->P, s->acc_c,
			    s->acc_s, err) < 0)
			return -1;
		for (size_t j = 0; j < s->P; j++) {
			const double sigma = s->stdev[j];

			s->acc_c[j] *= sigma;
			s->acc_s[j] = sigma > 0 ? sigma * (s->acc_s[j] - wsum) : 0;
		}
	} else {
		pgpe_host_sums(s, b);
	}
	for (size_t j = 0; j < s->P; j++) {
		const double sigma = s->stdev[j];
		const double lo = sigma - fabs(sigma) * s->cfg.stdev_max_change;
		const double hi = sigma + fabs(sigma) * s->cfg.stdev_max_change;
		double next = sigma + s->cfg.stdev_lr * s->acc_s[j] /
				      (double)s->K;

		s->grad[j] = (float)(s->acc_c[j] / (double)s->K);
		s->stdev[j] = (float)(next < lo ? lo : next > hi ? hi : next);
	}
	return 0;
}

static int pgpe_tell(void *state, const float *fitness, ej_err *err)
{
	pgpe *s = state;

	if (au_check_fitness(fitness, s->N, err) < 0)
		return -1;
	if (pgpe_draw_noise(s, err) < 0)
		return -1;
	pgpe_shape(s, fitness);
	if (pgpe_update_stdev_and_grad(s, err) < 0)
		return -1;
	optim_step(s->opt, s->center, s->grad, s->cfg.center_lr);
	s->iteration++;
	return 0;
}

static const float *pgpe_best_params(const void *state)
{
	return ((const pgpe *)state)->center;
}

/* center (P) f32, stdev (P) f32, iteration () i64, optim_* (optimizer). */
static const au_array pgpe_arrays[] = {
	AU_VEC("center", NPZ_F32, pgpe, center, P, AU_FINITE),
	AU_VEC("stdev", NPZ_F32, pgpe, stdev, P, AU_NONNEG),
	AU_SCALAR("iteration", NPZ_I64, pgpe, iteration, AU_ITERATION),
};

static const au_state_desc pgpe_state_desc = {
	.algo = "pgpe",
	.arrays = pgpe_arrays,
	.n_arrays = sizeof(pgpe_arrays) / sizeof(pgpe_arrays[0]),
	.optim_prefix = "optim_",
	.optim_at = offsetof(pgpe, opt),
	.drawn_at = offsetof(pgpe, noise_iter),
};

AU_STATE_FNS(pgpe, pgpe_state_desc)

static const char *const pgpe_hparams[] = { "center_lr", "stdev_lr", NULL };

static int pgpe_set_hparam(void *state, const char *name, double value)
{
	pgpe *s = state;

	if (!strcmp(name, "center_lr"))
		s->cfg.center_lr = value;
	else if (!strcmp(name, "stdev_lr"))
		s->cfg.stdev_lr = value;
	else if (!strcmp(name, "momentum"))
		optim_set_momentum(s->opt, value);
	else
		return -1;
	return 0;
}

const algo_ops pgpe_ops = {
	.name = "pgpe",
	.summary = "PGPE with antithetic sampling and per-parameter "
	           "sigma (EvoJAX default)",
	.fields = pgpe_fields,
	.n_fields = sizeof(pgpe_fields) / sizeof(pgpe_fields[0]),
	.cfg_size = sizeof(pgpe_cfg),
	.create = pgpe_create,
	.pop_size = pgpe_pop_size,
	.ask = pgpe_ask,
	.tell = pgpe_tell,
	.best_params = pgpe_best_params,
	.state = pgpe_state,
	.load = pgpe_load,
	.free = pgpe_free,
	.hparams = pgpe_hparams,
	.set_hparam = pgpe_set_hparam,
};
