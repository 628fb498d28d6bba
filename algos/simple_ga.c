/* simple_ga.c - a simple genetic algorithm: truncation selection, Gaussian
 * mutation, optional elitism (the deep-neuroevolution GA of Such et al.
 * 2017, arXiv:1712.06567, without crossover; EvoJAX's SimpleGA).
 *
 * N = pop_size, P parameters, T = floor(elite_ratio N + 1e-9) parents
 * (at least 1; the 1e-9 absorbs binary rounding such as 0.57 * 100 =
 * 56.99999...), E = n_elites (< N).
 * Iteration 0: row i = init_mean + sigma eps_i for every i.
 * Iteration it > 0, with the previous generation sorted by raw fitness,
 * best first (ties: lower row first):
 *   rows 0..E-1  = the E best of the previous generation, unchanged (they
 *                  are evaluated again, which also protects against lucky
 *                  noisy evaluations)
 *   rows E..N-1  = parent[c_i] + sigma eps_i, parent = the T best of the
 *                  previous generation, c_i uniform in [0, T):
 *                  c_i = (w T) >> 32 (64-bit product), w = word 0 of
 *                  ph_draw(seed, ALGO, it, member = i, 0, 0)
 *   eps_i ~ N(0, I): row i of iteration it in the shared noise layout
 *           (algo_util.h; PGPE's)
 * Only the last generation is selected from (comma selection); elitism
 * makes the best survive.  tell sorts, keeps the max(T, E) best rows,
 * updates the best and advances the iteration.
 * best_params = the best individual ever evaluated, on raw fitness (a
 * later one replaces it only when strictly better); init_mean everywhere
 * before the first tell.  ask does not advance anything.  tell refuses
 * non-finite fitness ("fitness of member 3 is nan", EJ_EXIT_RUN) before
 * touching any state.  No optimizer ('optimizer' does not apply;
 * set_hparam("momentum") returns -1); a schedule may drive sigma.
 *
 * Defaults and their sources (EvoJAX 0.2.17 evojax/algo/simple_ga.py):
 *   elite_ratio 0.5   truncation_divisor 2 (pop_size / 2 parents)
 *   sigma 0.01        sigma
 *   n_elites 0        EvoJAX mutates every member (no unchanged copies)
 *   init_mean 0       EvoJAX starts from zeros + sigma noise
 *   pop_size 64       as PGPE here (EvoJAX has no default)
 * Difference from EvoJAX: it repeats each parent truncation_divisor times
 * (a deterministic assignment) and reports the best of the LAST generation
 * as best_params; here parents are drawn uniformly (Such et al.) and
 * best_params is the best ever seen.
 *
 * State: parents (max(T, E), P) f32 (the kept rows, best first), best (P)
 * f32, best_fitness () f32 (-inf before the first tell), iteration () i64.
 * The population is a pure function of these, the seed and the
 * iteration.  load is all-or-nothing.
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

typedef struct simple_ga_cfg {
	int pop_size;
	double elite_ratio;
	double sigma;
	int n_elites;
	double init_mean;
} simple_ga_cfg;

#define SGA_OFF(m) offsetof(simple_ga_cfg, m)

static const cfg_field simple_ga_fields[] = {
	{ .key = "pop_size", .type = CFG_INT, .offset = SGA_OFF(pop_size),
	  .def = "64", .min = 2, .max = INFINITY,
	  .help = "population size N" },
	{ .key = "elite_ratio", .type = CFG_FLOAT,
	  .offset = SGA_OFF(elite_ratio), .def = "0.5", .min = 0, .max = 1,
	  .flags = CFG_F_MIN_OPEN,
	  .help = "fraction of the population kept as parents (truncation)" },
	{ .key = "sigma", .type = CFG_FLOAT, .offset = SGA_OFF(sigma),
	  .def = "0.01", .min = 0, .max = INFINITY, .flags = CFG_F_MIN_OPEN,
	  .help = "std of the Gaussian mutation" },
	{ .key = "n_elites", .type = CFG_INT, .offset = SGA_OFF(n_elites),
	  .def = "0", .min = 0, .max = INFINITY, .flags = CFG_F_PER_POP,
	  .help = "best members copied unchanged into the next generation "
		  "(< pop_size)" },
	{ .key = "init_mean", .type = CFG_FLOAT,
	  .offset = SGA_OFF(init_mean), .def = "0", .min = -INFINITY,
	  .max = INFINITY,
	  .help = "the first generation is init_mean + sigma noise" },
};

typedef struct simple_ga {
	simple_ga_cfg cfg;
	size_t P, N, T, E, keep; /* keep = max(T, E) rows of 'parents' */
	uint32_t seed;
	int64_t iteration;  /* tells done so far */
	int64_t pop_iter;   /* iteration 'pop' was built for, -1: none */
	float best_fitness; /* -inf before the first tell */
	float *parents;     /* (keep, P) best first */
	float *best;        /* (P) */
	float *pop;         /* (N, P) the current generation */
	au_rank *order;     /* (N) sort scratch */
} simple_ga;

static void simple_ga_free(void *state)
{
	simple_ga *s = state;

	if (!s)
		return;
	free(s->parents);
	free(s->best);
	free(s->pop);
	free(s->order);
	free(s);
}

/* floor(ratio N + 1e-9), at least 1. */
static size_t simple_ga_parents(double ratio, size_t N)
{
	double t = floor(ratio * (double)N + 1e-9);

	return t < 1 ? 1 : t > (double)N ? N : (size_t)t;
}

static int simple_ga_check_cfg(const simple_ga_cfg *c, ej_err *err)
{
	if (c->pop_size < 2)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'pop_size' must be an integer >= 2, got '%d'",
			       c->pop_size);
	if (!(c->elite_ratio > 0 && c->elite_ratio <= 1))
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'elite_ratio' must be in (0, 1], got '%g'",
			       c->elite_ratio);
	if (!(c->sigma > 0) || !isfinite(c->sigma))
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'sigma' must be > 0, got '%g'", c->sigma);
	if (c->n_elites < 0 || c->n_elites >= c->pop_size)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'n_elites' must be in [0, pop_size - 1 = %d], "
			       "got '%d'", c->pop_size - 1, c->n_elites);
	if (!isfinite(c->init_mean))
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'init_mean' must be finite");
	return 0;
}

static simple_ga *simple_ga_alloc(size_t P, size_t N, size_t keep)
{
	simple_ga *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->P = P;
	s->N = N;
	s->keep = keep;
	s->best = malloc(P * sizeof(*s->best));
	s->order = malloc(N * sizeof(*s->order));
	if (N <= SIZE_MAX / sizeof(float) / P) {
		s->parents = malloc(keep * P * sizeof(*s->parents));
		s->pop = malloc(N * P * sizeof(*s->pop));
	}
	if (!s->best || !s->order || !s->parents || !s->pop) {
		simple_ga_free(s);
		return NULL;
	}
	return s;
}

static int simple_ga_create(void **state, const void *cfgp,
			    const algo_env *env, ej_err *err)
{
	const simple_ga_cfg *cfg = cfgp;
	size_t N, T, E;
	simple_ga *s;

	*state = NULL;
	if (simple_ga_check_cfg(cfg, err) < 0)
		return -1;
	if (env->param_size == 0)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'simple_ga' needs at least one parameter");
	N = (size_t)cfg->pop_size;
	T = simple_ga_parents(cfg->elite_ratio, N);
	E = (size_t)cfg->n_elites;
	s = simple_ga_alloc(env->param_size, N, T > E ? T : E);
	if (!s)
		return ej_fail(err, EJ_EXIT_RUN, "out of memory for "
			       "'simple_ga' (pop_size %d, %zu parameters)",
			       cfg->pop_size, env->param_size);
	s->cfg = *cfg;
	s->T = T;
	s->E = E;
	s->seed = env->seed;
	s->pop_iter = -1;
	s->best_fitness = -INFINITY;
	for (size_t j = 0; j < s->P; j++)
		s->best[j] = (float)cfg->init_mean;
	for (size_t q = 0; q < s->keep * s->P; q++)
		s->parents[q] = (float)cfg->init_mean;
	*state = s;
	return 0;
}

static size_t simple_ga_pop_size(const void *state)
{
	return ((const simple_ga *)state)->N;
}

/* row = base + sigma eps_i(it) */
static void simple_ga_mutate(const simple_ga *s, uint32_t it, size_t i,
			     const float *base, float *row)
{
	const float sigma = (float)s->cfg.sigma;

	for (size_t j = 0; j < s->P; j += 4) {
		float z[4];

		au_normal4(s->seed, PH_PURPOSE_NOISE, it, (uint32_t)i,
			   (uint32_t)(j / 4), z);
		for (size_t q = 0; q < 4 && j + q < s->P; q++)
			row[j + q] = base == NULL ?
				     (float)s->cfg.init_mean + sigma * z[q] :
				     base[j + q] + sigma * z[q];
	}
}

/* The current generation, built once per iteration. */
static void simple_ga_build(simple_ga *s)
{
	const uint32_t it = (uint32_t)s->iteration;

	if (s->pop_iter == s->iteration)
		return;
	for (size_t i = 0; i < s->N; i++) {
		float *row = s->pop + i * s->P;

		if (it == 0) {
			simple_ga_mutate(s, it, i, NULL, row);
		} else if (i < s->E) {
			memcpy(row, s->parents + i * s->P,
			       s->P * sizeof(*row));
		} else {
			ph_out w = ph_draw(s->seed, PH_PURPOSE_ALGO, it,
					   (uint32_t)i, 0, 0);
			size_t c = (size_t)(((uint64_t)w.v[0] * s->T) >> 32);

			simple_ga_mutate(s, it, i, s->parents + c * s->P, row);
		}
	}
	s->pop_iter = s->iteration;
}

static int simple_ga_ask(void *state, float *params, ej_err *err)
{
	simple_ga *s = state;

	(void)err;
	simple_ga_build(s);
	memcpy(params, s->pop, s->N * s->P * sizeof(*params));
	return 0;
}

static int simple_ga_tell(void *state, const float *fitness, ej_err *err)
{
	simple_ga *s = state;
	const float *top;

	if (au_check_fitness(fitness, s->N, err) < 0)
		return -1;
	simple_ga_build(s);
	au_rank_members(s->order, fitness, s->N, AU_BEST_FIRST);
	for (size_t r = 0; r < s->keep; r++)
		memcpy(s->parents + r * s->P, s->pop + s->order[r].i * s->P,
		       s->P * sizeof(*s->parents));
	top = s->pop + s->order[0].i * s->P;
	if (s->order[0].f > s->best_fitness) {
		s->best_fitness = s->order[0].f;
		memcpy(s->best, top, s->P * sizeof(*s->best));
	}
	s->iteration++;
	return 0;
}

static const float *simple_ga_best_params(const void *state)
{
	return ((const simple_ga *)state)->best;
}

/* parents (keep, P) f32, best (P) f32, best_fitness () f32,
 * iteration () i64. */
static const au_array simple_ga_arrays[] = {
	AU_MAT("parents", NPZ_F32, simple_ga, parents, keep, P, AU_FINITE),
	AU_VEC("best", NPZ_F32, simple_ga, best, P, AU_FINITE),
	AU_SCALAR("best_fitness", NPZ_F32, simple_ga, best_fitness, AU_BEST),
	AU_SCALAR("iteration", NPZ_I64, simple_ga, iteration, AU_ITERATION),
};

static const au_state_desc simple_ga_state_desc = {
	.algo = "simple_ga",
	.arrays = simple_ga_arrays,
	.n_arrays = sizeof(simple_ga_arrays) / sizeof(simple_ga_arrays[0]),
	.drawn_at = offsetof(simple_ga, pop_iter),
};

AU_STATE_FNS(simple_ga, simple_ga_state_desc)

static const char *const simple_ga_hparams[] = { "sigma", NULL };

/* No optimizer: "momentum" is unknown here (-1). */
static int simple_ga_set_hparam(void *state, const char *name, double value)
{
	simple_ga *s = state;

	if (strcmp(name, "sigma"))
		return -1;
	s->cfg.sigma = value;
	return 0;
}

const algo_ops simple_ga_ops = {
	.name = "simple_ga",
	.summary = "genetic algorithm: truncation selection, "
	           "Gaussian mutation, optional elitism",
	.fields = simple_ga_fields,
	.n_fields = sizeof(simple_ga_fields) / sizeof(simple_ga_fields[0]),
	.cfg_size = sizeof(simple_ga_cfg),
	.create = simple_ga_create,
	.pop_size = simple_ga_pop_size,
	.ask = simple_ga_ask,
	.tell = simple_ga_tell,
	.best_params = simple_ga_best_params,
	.state = simple_ga_state,
	.load = simple_ga_load,
	.free = simple_ga_free,
	.hparams = simple_ga_hparams,
	.set_hparam = simple_ga_set_hparam,
};
