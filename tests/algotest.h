/* algotest.h - scaffolding shared by the algorithm tests (test_pgpe.c,
 * test_open_es.c, test_ars.c, test_snes.c, test_simple_ga.c,
 * test_cr_fm_nes.c, test_map_elites.c, test_cma_es.c, test_sep_cma_es.c).
 *
 * A test file names the algorithm it is about once, with the number of
 * arrays its state() gives:
 *
 *   static const algo_ops *const ops = &pgpe_ops;
 *   static const at_algo algo = { &pgpe_ops, 3, ALGO_STATE_MAX };
 *
 * and passes &algo to the helpers here:
 *   building:   at_mk / at_mk_ok (YAML 'algo' and 'optimizer' sections),
 *               at_mk_env / at_mk_env_ok (any algo_env, e.g. descriptors)
 *   asserting:  at_assert_near (|a - b| <= tol)
 *   noise:      at_eps / at_normal (one normal of the documented Philox
 *               layout: draw (seed, purpose, it, k, 0, j / 4), ph_normal2
 *               of words (v0, v1) and (v2, v3), element j % 4)
 *   state:      at_state (ops->state with the count checked), at_find,
 *               at_state_array, at_state_f64, at_state_i64,
 *               at_snapshot / at_snapshot_alloc (every array's name and
 *               bytes, for bit-exact comparisons), at_assert_same_state,
 *               at_assert_unchanged, at_save, at_load, at_load_rc,
 *               at_copy_state, at_load_other_rc,
 *               at_expect_load_fails, at_expect_other_size_fails
 *   benchmarks: at_sphere, at_rosenbrock, at_rastrigin, at_ellipsoid
 *               (minimised; fitness = -f)
 *   running:    at_batch (a population and its fitness), at_step (one
 *               ask / evaluate / tell), at_run, at_run_to_target(_sched),
 *               at_expect_target, at_evals_to_sample_target,
 *               at_run_lockstep
 *   checks:     at_check_create_errors, at_check_nonfinite_fitness,
 *               at_check_mirrored_noise, at_check_determinism,
 *               at_check_resume
 *
 * Everything is static inline: each test binary is one translation unit.
 * Helpers fail the running cmocka test (fail_msg / assert_*) instead of
 * returning errors.
 */
#ifndef EJ_ALGOTEST_H
#define EJ_ALGOTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "tests/testutil.h"

#include "algos/algo.h"
#include "core/cfg.h"
#include "core/npz.h"
#include "core/optim.h"
#include "opencl/philox.h"

#define at_assert_near(a, b, tol)                                            \
	do {                                                                 \
		double a_ = (a), b_ = (b);                                   \
		if (!(fabs(a_ - b_) <= (tol)))                               \
			fail_msg("%s = %.17g, expected %.17g (tol %g)", #a,   \
				 a_, b_, (double)(tol));                     \
	} while (0)

/* The algorithm under test: its ops and the number of arrays its state()
 * gives (snapshots and saves check n_state_min <= n <= n_state_max). */
typedef struct at_algo {
	const algo_ops *ops;
	size_t n_state_min, n_state_max;
} at_algo;

/* A minimised benchmark function of x (n). */
typedef double at_fn(const float *x, size_t n);

/* ---- building ---------------------------------------------------------- */

/* An instance from YAML text: the 'algo' section ('name' skipped) and the
 * 'optimizer' section (defaults when absent) fill the config; env gives
 * the rest (its optim is replaced by the parsed section).  NULL with err
 * set when parsing or create fails. */
static inline void *at_mk_env(const at_algo *t, const char *yaml,
			      const algo_env *env, ej_err *err)
{
	static const char *const skip[] = { "name", NULL };
	const algo_ops *ops = t->ops;
	cfg_doc *d = cfg_load_string(yaml, "t.yaml", err);
	void *cfg = calloc(1, ops->cfg_size), *state = NULL;
	optim_cfg ocfg;
	algo_env e = *env;

	e.optim = &ocfg;
	assert_non_null(d);
	assert_non_null(cfg);
	if (cfg_parse_section(cfg_get(cfg_root(d), "algo"), "algo",
			      ops->fields, ops->n_fields, cfg, skip,
			      err) == 0 &&
	    optim_parse(cfg_get(cfg_root(d), "optimizer"), &ocfg, err) == 0)
		ops->create(&state, cfg, &e, err);
	cfg_free(d);
	free(cfg);
	return state;
}

static inline void *at_mk(const at_algo *t, const char *yaml, size_t P,
			  uint32_t seed, ej_err *err)
{
	algo_env env = { .param_size = P, .seed = seed };

	return at_mk_env(t, yaml, &env, err);
}

/* As at_mk_env, failing the test when the instance cannot be made. */
static inline void *at_mk_env_ok(const at_algo *t, const char *yaml,
				 const algo_env *env)
{
	ej_err err = { 0 };
	void *s = at_mk_env(t, yaml, env, &err);

	if (!s)
		fail_msg("create failed: %s", err.msg);
	return s;
}

static inline void *at_mk_ok(const at_algo *t, const char *yaml, size_t P,
			     uint32_t seed)
{
	algo_env env = { .param_size = P, .seed = seed };

	return at_mk_env_ok(t, yaml, &env);
}

/* ---- noise ------------------------------------------------------------- */

/* Normal j of member k in iteration 'it' for 'purpose', from the
 * documented layout. */
static inline float at_normal(uint32_t seed, uint32_t purpose, uint32_t it,
			      uint32_t k, uint32_t j)
{
	ph_out w = ph_draw(seed, purpose, it, k, 0, j / 4);
	float z[4];

	ph_normal2(w.v[0], w.v[1], &z[0], &z[1]);
	ph_normal2(w.v[2], w.v[3], &z[2], &z[3]);
	return z[j % 4];
}

/* The sampling noise eps_k[j] of iteration 'it'. */
static inline float at_eps(uint32_t seed, uint32_t it, uint32_t k, uint32_t j)
{
	return at_normal(seed, PH_PURPOSE_NOISE, it, k, j);
}

/* ---- state ------------------------------------------------------------- */

/* The array called 'name' among a[0..n) (must exist). */
static inline const npz_array *at_find(const npz_array *a, size_t n,
				       const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(a[i].name, name))
			return &a[i];
	fail_msg("no state array '%s'", name);
	return NULL;
}

/* The state array called 'name' (must exist); a and names hold the state
 * arrays. */
static inline const npz_array *at_state_array(const at_algo *t,
					      const void *s, const char *name,
					      npz_array *a, char names[][64])
{
	return at_find(a, t->ops->state(s, a, ALGO_STATE_MAX, names), name);
}

/* The data of the float64 state array 'name', valid until the next call. */
static inline const double *at_state_f64(const at_algo *t, const void *s,
					 const char *name)
{
	static npz_array a[ALGO_STATE_MAX];
	static char names[ALGO_STATE_MAX][64];
	const npz_array *x = at_state_array(t, s, name, a, names);

	assert_int_equal(x->dtype, NPZ_F64);
	return x->data;
}

/* The int64 scalar state array 'name'. */
static inline int64_t at_state_i64(const at_algo *t, const void *s,
				   const char *name)
{
	npz_array a[ALGO_STATE_MAX];
	char names[ALGO_STATE_MAX][64];
	const npz_array *x = at_state_array(t, s, name, a, names);

	assert_int_equal(x->dtype, NPZ_I64);
	return *(const int64_t *)x->data;
}

/* ops->state, with the number of arrays checked against t. */
static inline size_t at_state(const at_algo *t, const void *s, npz_array *a,
			      char names[][64])
{
	size_t n = t->ops->state(s, a, ALGO_STATE_MAX, names);

	assert_in_range(n, t->n_state_min, t->n_state_max);
	return n;
}

/* Bytes of a[0..n) packed as name, NUL, data, one array after another. */
static inline size_t at_packed_size(const npz_array *a, size_t n)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		len += strlen(a[i].name) + 1 +
		       npz_count(&a[i]) * npz_dtype_size(a[i].dtype);
	return len;
}

static inline void at_pack(const npz_array *a, size_t n, unsigned char *buf)
{
	for (size_t i = 0; i < n; i++) {
		size_t nb = npz_count(&a[i]) * npz_dtype_size(a[i].dtype);
		size_t nl = strlen(a[i].name) + 1;

		memcpy(buf, a[i].name, nl);
		if (nb) /* an empty array may have no data */
			memcpy(buf + nl, a[i].data, nb);
		buf += nl + nb;
	}
}

/* All state arrays (names and bytes) into buf (size bytes); returns the
 * length, for equality checks. */
static inline size_t at_snapshot(const at_algo *t, const void *s,
				 unsigned char *buf, size_t size)
{
	npz_array a[ALGO_STATE_MAX];
	char names[ALGO_STATE_MAX][64];
	size_t n = at_state(t, s, a, names), len = at_packed_size(a, n);

	assert_true(len <= size);
	at_pack(a, n, buf);
	return len;
}

/* As at_snapshot into a new buffer *buf (released with free()). */
static inline size_t at_snapshot_alloc(const at_algo *t, const void *s,
				       unsigned char **buf)
{
	npz_array a[ALGO_STATE_MAX];
	char names[ALGO_STATE_MAX][64];
	size_t n = at_state(t, s, a, names), len = at_packed_size(a, n);

	*buf = malloc(len);
	assert_non_null(*buf);
	at_pack(a, n, *buf);
	return len;
}

/* The state of s is before[0..n) (an earlier at_snapshot), bit for bit. */
static inline void at_assert_unchanged(const at_algo *t, const void *s,
				       const unsigned char *before, size_t n)
{
	unsigned char *now;

	assert_int_equal(at_snapshot_alloc(t, s, &now), n);
	assert_memory_equal(before, now, n);
	free(now);
}

/* The states of x and y agree bit for bit. */
static inline void at_assert_same_state(const at_algo *t, const void *x,
					const void *y)
{
	unsigned char *a;
	size_t n = at_snapshot_alloc(t, x, &a);

	at_assert_unchanged(t, y, a, n);
	free(a);
}

/* The state of s written to the npz file 'path'. */
static inline void at_save(const at_algo *t, const void *s, const char *path)
{
	npz_array a[ALGO_STATE_MAX];
	char names[ALGO_STATE_MAX][64];
	size_t n = at_state(t, s, a, names);
	ej_err err = { 0 };

	if (npz_write(path, a, n, &err) < 0)
		fail_msg("%s", err.msg);
}

/* ops->load of the npz file 'path' (which must be readable); returns its
 * result, err as load left it. */
static inline int at_load_rc(const at_algo *t, void *s, const char *path,
			     ej_err *err)
{
	npz_file *f = npz_read(path, err);
	int rc;

	assert_non_null(f);
	rc = t->ops->load(s, f, err);
	npz_free(f);
	return rc;
}

/* The npz file 'path' loaded into s (must succeed). */
static inline void at_load(const at_algo *t, void *s, const char *path)
{
	ej_err err = { 0 };

	if (at_load_rc(t, s, path, &err) < 0)
		fail_msg("load: %s", err.msg);
}

/* from's state saved to 'path' and loaded into 'to'. */
static inline void at_copy_state(const at_algo *t, const void *from,
				 void *to, const char *path)
{
	at_save(t, from, path);
	at_load(t, to, path);
}

/* ops->load into s of the state of another instance ('yaml', P
 * parameters, 'seed'), saved to 'path'; returns load's result. */
static inline int at_load_other_rc(const at_algo *t, void *s,
				   const char *yaml, size_t P, uint32_t seed,
				   const char *path, ej_err *err)
{
	void *other = at_mk_ok(t, yaml, P, seed);
	int rc;

	at_save(t, other, path);
	rc = at_load_rc(t, s, path, err);
	t->ops->free(other);
	return rc;
}

/* Loading the arrays a[0..n) (written to 'path') into s fails with
 * EJ_EXIT_RUN and a message containing 'want' (the whole expected
 * message, or the name it must mention), and leaves s as it was, bit
 * for bit. */
static inline void at_expect_load_fails(const at_algo *t, void *s,
					const char *path, const npz_array *a,
					size_t n, const char *want)
{
	unsigned char *before;
	size_t len = at_snapshot_alloc(t, s, &before);
	ej_err err = { 0 };

	assert_int_equal(npz_write(path, a, n, &err), 0);
	assert_int_equal(at_load_rc(t, s, path, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_RUN);
	if (!strstr(err.msg, want))
		fail_msg("load: '%s' lacks '%s'", err.msg, want);
	at_assert_unchanged(t, s, before, len);
	free(before);
}

/* s refuses the state of another instance ('yaml', 4 parameters, seed
 * 3) with EJ_EXIT_RUN and a message containing 'want', and is left as it
 * was, bit for bit. */
static inline void at_expect_other_size_fails(const at_algo *t, void *s,
					      const char *yaml,
					      const char *path,
					      const char *want)
{
	unsigned char *before;
	size_t len = at_snapshot_alloc(t, s, &before);
	ej_err err = { 0 };

	assert_int_equal(at_load_other_rc(t, s, yaml, 4, 3, path, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_RUN);
	if (!strstr(err.msg, want))
		fail_msg("load: '%s' lacks '%s'", err.msg, want);
	at_assert_unchanged(t, s, before, len);
	free(before);
}

/* ---- benchmark functions (minimised; fitness = -f) --------------------- */

static inline double at_sphere(const float *x, size_t n)
{
	double f = 0;

	for (size_t i = 0; i < n; i++)
		f += (double)x[i] * x[i];
	return f;
}

static inline double at_rosenbrock(const float *x, size_t n)
{
	double f = 0;

	for (size_t i = 0; i + 1 < n; i++) {
		double a = (double)x[i + 1] - (double)x[i] * x[i];
		double b = 1.0 - x[i];

		f += 100 * a * a + b * b;
	}
	return f;
}

static inline double at_rastrigin(const float *x, size_t n)
{
	double f = 10.0 * (double)n;

	for (size_t i = 0; i < n; i++)
		f += (double)x[i] * x[i] -
		     10 * cos(6.283185307179586 * (double)x[i]);
	return f;
}

/* condition 1e6: sum 1e6^(i/(n-1)) x_i^2 (n >= 2) */
static inline double at_ellipsoid(const float *x, size_t n)
{
	double f = 0;

	for (size_t i = 0; i < n; i++)
		f += pow(1e6, (double)i / (double)(n - 1)) * (double)x[i] *
		     x[i];
	return f;
}

/* ---- running ----------------------------------------------------------- */

/* A population (N, P) and its fitness (N) for an instance of N members. */
typedef struct at_batch {
	size_t N, P;
	float *pop; /* (N, P) */
	float *fit; /* (N) */
} at_batch;

static inline at_batch at_batch_new(const at_algo *t, const void *s,
				    size_t P)
{
	at_batch b = { .N = t->ops->pop_size(s), .P = P };

	b.pop = malloc(b.N * P * sizeof(float));
	b.fit = malloc(b.N * sizeof(float));
	assert_non_null(b.pop);
	assert_non_null(b.fit);
	return b;
}

static inline void at_batch_free(at_batch *b)
{
	free(b->pop);
	free(b->fit);
}

/* Fitness 1, 2, ..., N. */
static inline void at_fit_ascending(at_batch *b)
{
	for (size_t i = 0; i < b->N; i++)
		b->fit[i] = (float)(i + 1);
}

/* One iteration on f: ask, fitness -f of every member, tell. */
static inline void at_step(const at_algo *t, void *s, at_fn *f, at_batch *b)
{
	ej_err err = { 0 };

	assert_int_equal(t->ops->ask(s, b->pop, &err), 0);
	for (size_t i = 0; i < b->N; i++)
		b->fit[i] = (float)-f(b->pop + i * b->P, b->P);
	assert_int_equal(t->ops->tell(s, b->fit, &err), 0);
}

/* 'iters' iterations on f. */
static inline void at_run(const at_algo *t, void *s, at_fn *f, size_t P,
			  int iters)
{
	at_batch b = at_batch_new(t, s, P);

	for (int it = 0; it < iters; it++)
		at_step(t, s, f, &b);
	at_batch_free(&b);
}

/* A hyperparameter set through set_hparam before each ask:
 * value0 decay^generation (what a schedule does). */
typedef struct at_sched {
	const char *name;
	double value0, decay;
} at_sched;

/* Runs until f(best_params) < target or 'budget' evaluations are spent;
 * sched (may be NULL) drives a hyperparameter.  Returns the evaluations
 * used (budget + 1 on failure); *fbest is the last f(best_params). */
static inline long at_run_to_target_sched(const at_algo *t, void *s,
					  at_fn *f, size_t P, long budget,
					  double target, const at_sched *sched,
					  double *fbest)
{
	const algo_ops *ops = t->ops;
	at_batch b = at_batch_new(t, s, P);
	long evals = 0;

	*fbest = f(ops->best_params(s), P);
	for (int gen = 0; evals < budget && !(*fbest < target); gen++) {
		if (sched)
			assert_int_equal(ops->set_hparam(s, sched->name,
							 sched->value0 *
							 pow(sched->decay,
							     gen)), 0);
		at_step(t, s, f, &b);
		evals += (long)b.N;
		*fbest = f(ops->best_params(s), P);
	}
	at_batch_free(&b);
	return *fbest < target ? evals : budget + 1;
}

static inline long at_run_to_target(const at_algo *t, void *s, at_fn *f,
				    size_t P, long budget, double target,
				    double *fbest)
{
	return at_run_to_target_sched(t, s, f, P, budget, target, NULL, fbest);
}

/* f(best_params) < target within 'budget' evaluations, or the test fails
 * with "<name>: f = <f> after <budget> evaluations". */
static inline void at_expect_target(const at_algo *t, void *s, at_fn *f,
				    size_t P, long budget, double target,
				    const at_sched *sched, const char *name)
{
	double fb;

	if (at_run_to_target_sched(t, s, f, P, budget, target, sched, &fb) >
	    budget)
		fail_msg("%s: f = %g after %ld evaluations", name, fb, budget);
}

/* Iterates until a sample has f < target or 'budget' evaluations are
 * spent, counting every sample (the iteration that finds one is not
 * told); returns the evaluations used (budget + 1: not reached). */
static inline long at_evals_to_sample_target(const at_algo *t, void *s,
					     at_fn *f, size_t P, long budget,
					     double target)
{
	at_batch b = at_batch_new(t, s, P);
	ej_err err = { 0 };
	long evals = 0;

	while (evals < budget) {
		assert_int_equal(t->ops->ask(s, b.pop, &err), 0);
		for (size_t k = 0; k < b.N; k++) {
			double v = f(b.pop + k * P, P);

			evals++;
			if (v < target) {
				at_batch_free(&b);
				return evals;
			}
			b.fit[k] = (float)-v;
		}
		if (t->ops->tell(s, b.fit, &err) < 0)
			fail_msg("tell: %s", err.msg);
	}
	at_batch_free(&b);
	return budget + 1;
}

/* 'iters' iterations of a and b side by side on f: every population the
 * two ask for is the same, both are told the same fitness. */
static inline void at_run_lockstep(const at_algo *t, void *a, void *b,
				   at_fn *f, size_t P, int iters)
{
	const algo_ops *ops = t->ops;
	at_batch x = at_batch_new(t, a, P), y = at_batch_new(t, b, P);
	ej_err err = { 0 };

	for (int it = 0; it < iters; it++) {
		assert_int_equal(ops->ask(a, x.pop, &err), 0);
		assert_int_equal(ops->ask(b, y.pop, &err), 0);
		assert_memory_equal(x.pop, y.pop, x.N * P * sizeof(float));
		for (size_t i = 0; i < x.N; i++)
			x.fit[i] = (float)-f(x.pop + i * P, P);
		assert_int_equal(ops->tell(a, x.fit, &err), 0);
		assert_int_equal(ops->tell(b, x.fit, &err), 0);
	}
	at_batch_free(&x);
	at_batch_free(&y);
}

/* ---- checks several algorithms share ----------------------------------- */

/* create from the schema defaults: P = 0 is refused with 'msg'
 * (EJ_EXIT_USAGE) and *state set to NULL; P = 'P' works without an
 * optimizer config and gives 'pop_size' members. */
static inline void at_check_create_errors(const at_algo *t, const char *msg,
					  size_t P, size_t pop_size)
{
	const algo_ops *ops = t->ops;
	void *cfg = calloc(1, ops->cfg_size), *state = (void *)1;
	algo_env env = { .param_size = 0, .seed = 1, .optim = NULL };
	ej_err err = { 0 };

	assert_non_null(cfg);
	cfg_defaults(ops->fields, ops->n_fields, cfg);
	assert_int_equal(ops->create(&state, cfg, &env, &err), -1);
	assert_null(state);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, msg);
	env.param_size = P;
	assert_int_equal(ops->create(&state, cfg, &env, &err), 0);
	assert_int_equal(ops->pop_size(state), pop_size);
	ops->free(state);
	free(cfg);
}

/* s (P parameters) after one tell of fitness 1, 2, ...: a NaN for member
 * i_nan, then 'inf' (+-INFINITY) for member i_inf, make tell fail with
 * EJ_EXIT_RUN and nan_msg / inf_msg, the state stays bit for bit and the
 * next ask gives the same population as before. */
static inline void at_check_nonfinite_fitness(const at_algo *t, void *s,
					      size_t P, size_t i_nan,
					      const char *nan_msg,
					      size_t i_inf, float inf,
					      const char *inf_msg)
{
	const algo_ops *ops = t->ops;
	at_batch b = at_batch_new(t, s, P), again = at_batch_new(t, s, P);
	unsigned char *before;
	size_t nb;
	ej_err err = { 0 };

	at_fit_ascending(&b);
	assert_int_equal(ops->ask(s, b.pop, &err), 0);
	assert_int_equal(ops->tell(s, b.fit, &err), 0); /* iteration 1 */
	assert_int_equal(ops->ask(s, b.pop, &err), 0);
	nb = at_snapshot_alloc(t, s, &before);
	b.fit[i_nan] = NAN;
	assert_int_equal(ops->tell(s, b.fit, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_RUN);
	assert_string_equal(err.msg, nan_msg);
	b.fit[i_nan] = (float)(i_nan + 1);
	b.fit[i_inf] = inf;
	assert_int_equal(ops->tell(s, b.fit, &err), -1);
	assert_string_equal(err.msg, inf_msg);
	at_assert_unchanged(t, s, before, nb);
	assert_int_equal(ops->ask(s, again.pop, &err), 0);
	assert_memory_equal(b.pop, again.pop, b.N * P * sizeof(float));
	free(before);
	at_batch_free(&b);
	at_batch_free(&again);
}

/* Mirrored sampling by the documented layout: for 'iters' iterations of s
 * (P parameters; told fitness 1, 2, ...), rows 2k and 2k+1 of the
 * population are best_params +- sigma_j eps_k[j] of that iteration (seed
 * 'seed'), sigma the state array 'sigma_name' (P values, read after the
 * ask), or 1 when sigma_name is NULL. */
static inline void at_check_mirrored_noise(const at_algo *t, void *s,
					   size_t P, uint32_t seed,
					   uint32_t iters,
					   const char *sigma_name)
{
	const algo_ops *ops = t->ops;
	at_batch b = at_batch_new(t, s, P);
	npz_array a[ALGO_STATE_MAX];
	char names[ALGO_STATE_MAX][64];
	ej_err err = { 0 };

	at_fit_ascending(&b);
	for (uint32_t it = 0; it < iters; it++) {
		const float *c = ops->best_params(s), *sigma = NULL;

		assert_int_equal(ops->ask(s, b.pop, &err), 0);
		if (sigma_name)
			sigma = at_find(a, at_state(t, s, a, names),
					sigma_name)->data;
		for (uint32_t k = 0; k < b.N / 2; k++)
			for (uint32_t j = 0; j < P; j++) {
				const float *plus = b.pop + 2 * k * P;
				const float *minus = plus + P;
				float d = (plus[j] - minus[j]) / 2;

				if (sigma)
					d = d / sigma[j];
				at_assert_near(d, at_eps(seed, it, k, j), 1e-5);
				at_assert_near(plus[j] + minus[j], 2 * c[j],
					       1e-5);
			}
		assert_int_equal(ops->tell(s, b.fit, &err), 0);
	}
	at_batch_free(&b);
}

/* Three instances of 'yaml' (P parameters), two with 'seed' and one with
 * 'other_seed', 'iters' iterations on the sphere: the first two end with
 * the same best_params, the third with others. */
static inline void at_check_determinism(const at_algo *t, const char *yaml,
					size_t P, uint32_t seed,
					uint32_t other_seed, int iters)
{
	const algo_ops *ops = t->ops;
	void *a = at_mk_ok(t, yaml, P, seed), *b = at_mk_ok(t, yaml, P, seed);
	void *c = at_mk_ok(t, yaml, P, other_seed);

	at_run(t, a, at_sphere, P, iters);
	at_run(t, b, at_sphere, P, iters);
	at_run(t, c, at_sphere, P, iters);
	assert_memory_equal(ops->best_params(a), ops->best_params(b),
			    P * sizeof(float));
	assert_memory_not_equal(ops->best_params(a), ops->best_params(c),
				P * sizeof(float));
	ops->free(a);
	ops->free(b);
	ops->free(c);
}

/* Bit-exact resume: 'a' runs k1 iterations on f, is saved to 'path' and
 * loaded into 'b' (a fresh instance of the same config and seed): the
 * states agree; then both run k2 more in lock step (same populations) and
 * the states agree again. */
static inline void at_check_resume(const at_algo *t, void *a, void *b,
				   at_fn *f, size_t P, int k1, int k2,
				   const char *path)
{
	at_run(t, a, f, P, k1);
	at_copy_state(t, a, b, path);
	at_assert_same_state(t, a, b);
	at_run_lockstep(t, a, b, f, P, k2);
	at_assert_same_state(t, a, b);
}

#endif
