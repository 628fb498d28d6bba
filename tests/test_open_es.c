/* test_open_es.c - OpenAI-ES against hand-derived updates, centered ranks,
 * sigma decay, the optimizer hookup, determinism, NaN fitness, the state
 * round trip and two seeded benchmark runs.
 *
 * The expected gradient is computed here from the population itself:
 * z_i = (x_i - mean) / sigma, g = 1/(N sigma) sum_i u_i z_i over all N
 * members, with the centered ranks written out by hand.
 *
 * Benchmarks (fitness = -f, best_params = the mean, seed 42, defaults:
 * pop 64, adam lr 0.01, sigma 0.01 x 0.999 down to 0.001):
 *   sphere 10-D from x0 = 1:       f < 1e-6 within 25,000 evaluations
 *                                  (seed 42: 12,928; seeds 1-10:
 *                                  12,224-16,512)
 *   rosenbrock 10-D from x0 = 0:   f < 1e-2 within 120,000 evaluations
 *                                  (seed 42: 51,008; seeds 1-10:
 *                                  32,064-75,840)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <math.h>

#include <cmocka.h>

#include "tests/testutil.h"

#include "algos/algo.h"
#include "core/cfg.h"
#include "core/npz.h"
#include "core/optim.h"
#include "opencl/philox.h"

extern const algo_ops open_es_ops; /* until algo.h declares it */

#define assert_near(a, b, tol)                                               \
	do {                                                                 \
		double a_ = (a), b_ = (b);                                   \
		if (!(fabs(a_ - b_) <= (tol)))                               \
			fail_msg("%s = %.9g, expected %.9g (tol %g)", #a, a_, \
				 b_, (double)(tol));                         \
	} while (0)

static const algo_ops *const ops = &open_es_ops;

/* An instance from YAML text with 'algo' and 'optimizer' sections. */
static void *mk(const char *yaml, size_t P, uint32_t seed, ej_err *err)
{
	static const char *const skip[] = { "name", NULL };
	cfg_doc *d = cfg_load_string(yaml, "t.yaml", err);
	void *cfg = calloc(1, ops->cfg_size), *state = NULL;
	optim_cfg ocfg;
	algo_env env = { .param_size = P, .seed = seed, .optim = &ocfg };

	assert_non_null(d);
	assert_non_null(cfg);
	if (cfg_parse_section(cfg_get(cfg_root(d), "algo"), "algo",
			      ops->fields, ops->n_fields, cfg, skip, err) == 0 &&
	    optim_parse(cfg_get(cfg_root(d), "optimizer"), &ocfg, err) == 0)
		ops->create(&state, cfg, &env, err);
	cfg_free(d);
	free(cfg);
	return state;
}

static void *mk_ok(const char *yaml, size_t P, uint32_t seed)
{
	ej_err err = { 0 };
	void *s = mk(yaml, P, seed, &err);

	if (!s)
		fail_msg("create failed: %s", err.msg);
	return s;
}

/* eps_k[j] for iteration 'it', written out from the documented layout. */
static float eps_at(uint32_t seed, uint32_t it, uint32_t k, uint32_t j)
{
	ph_out w = ph_draw(seed, PH_PURPOSE_NOISE, it, k, 0, j / 4);
	float z[4];

	ph_normal2(w.v[0], w.v[1], &z[0], &z[1]);
	ph_normal2(w.v[2], w.v[3], &z[2], &z[3]);
	return z[j % 4];
}

/* The state array called 'name'. */
static const npz_array *state_array(const void *s, npz_array *a,
				    char names[][64], const char *name)
{
	size_t n = ops->state(s, a, ALGO_STATE_MAX, names);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(a[i].name, name))
			return &a[i];
	fail_msg("no state array '%s'", name);
	return NULL;
}

static float sigma_of(const void *s)
{
	npz_array a[ALGO_STATE_MAX];
	char names[ALGO_STATE_MAX][64];

	return *(const float *)state_array(s, a, names, "sigma")->data;
}

/* All state arrays concatenated (names and bytes), for equality checks. */
static size_t snapshot(const void *s, unsigned char *buf, size_t size)
{
	npz_array a[ALGO_STATE_MAX];
	char names[ALGO_STATE_MAX][64];
	size_t n = ops->state(s, a, ALGO_STATE_MAX, names), len = 0;

	assert_true(n >= 3);
	for (size_t i = 0; i < n; i++) {
		size_t nb = npz_count(&a[i]) * npz_dtype_size(a[i].dtype);
		size_t nl = strlen(a[i].name) + 1;

		assert_true(len + nl + nb <= size);
		memcpy(buf + len, a[i].name, nl);
		memcpy(buf + len + nl, a[i].data, nb);
		len += nl + nb;
	}
	return len;
}

static void save(const void *s, const char *path)
{
	npz_array a[ALGO_STATE_MAX];
	char names[ALGO_STATE_MAX][64];
	size_t n = ops->state(s, a, ALGO_STATE_MAX, names);
	ej_err err = { 0 };

	assert_true(n >= 3);
	if (npz_write(path, a, n, &err) < 0)
		fail_msg("%s", err.msg);
}

/* ---- benchmark functions (minimised; fitness = -f) --------------------- */

static double f_sphere(const float *x, size_t n)
{
	double f = 0;

	for (size_t i = 0; i < n; i++)
		f += (double)x[i] * x[i];
	return f;
}

static double f_rosenbrock(const float *x, size_t n)
{
	double f = 0;

	for (size_t i = 0; i + 1 < n; i++) {
		double a = (double)x[i + 1] - (double)x[i] * x[i];
		double b = 1.0 - x[i];

		f += 100 * a * a + b * b;
	}
	return f;
}

/* Runs until f(best_params) < target or 'budget' evaluations are spent;
 * returns the evaluations used (or more than budget on failure). */
static long run_to_target(void *s, double (*f)(const float *, size_t),
			  size_t P, long budget, double target, double *fbest)
{
	const size_t N = ops->pop_size(s);
	float *pop = malloc(N * P * sizeof(float));
	float *fit = malloc(N * sizeof(float));
	ej_err err = { 0 };
	long evals = 0;

	assert_non_null(pop);
	assert_non_null(fit);
	*fbest = f(ops->best_params(s), P);
	while (evals < budget && !(*fbest < target)) {
		assert_int_equal(ops->ask(s, pop, &err), 0);
		for (size_t i = 0; i < N; i++)
			fit[i] = (float)-f(pop + i * P, P);
		evals += (long)N;
		assert_int_equal(ops->tell(s, fit, &err), 0);
		*fbest = f(ops->best_params(s), P);
	}
	free(pop);
	free(fit);
	return *fbest < target ? evals : budget + 1;
}

static void run_sphere(void *s, size_t P, int iters)
{
	double fb;

	(void)run_to_target(s, f_sphere, P, (long)iters *
			    (long)ops->pop_size(s), -1, &fb);
}

/* ---- schema ------------------------------------------------------------ */

static void test_schema(void **unused)
{
	ej_err err = { 0 };
	void *s;

	(void)unused;
	/* defaults: 64 members, mean 0, sigma 0.01 */
	s = mk_ok("algo:\n  name: open_es\n", 3, 1);
	assert_int_equal(ops->pop_size(s), 64);
	assert_true(ops->best_params(s)[0] == 0.0f &&
		    ops->best_params(s)[2] == 0.0f);
	assert_true(sigma_of(s) == 0.01f);
	ops->free(s);
	s = mk_ok("algo:\n  init_mean: 1.5\n  pop_size: 6\n", 2, 1);
	assert_int_equal(ops->pop_size(s), 6);
	assert_true(ops->best_params(s)[1] == 1.5f);
	ops->free(s);
	assert_null(mk("algo:\n  pop_size: 63\n", 3, 1, &err));
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "t.yaml:2:13: 'pop_size' must be an even "
			    "integer >= 2, got '63'");
	assert_null(mk("algo:\n  sigma_decay: 1.5\n", 3, 1, &err));
	assert_string_equal(err.msg, "t.yaml:2:16: 'sigma_decay' must be a "
			    "number in (0, 1], got '1.5'");
	assert_null(mk("algo:\n  lr: 0\n", 3, 1, &err));
	assert_non_null(strstr(err.msg, "t.yaml:2:7: 'lr'"));
	assert_null(mk("algo:\n  sigma_limit: 0\n", 3, 1, &err));
	assert_non_null(strstr(err.msg, "t.yaml:2:16: 'sigma_limit'"));
	assert_null(mk("algo:\n  sigma_int: 0.1\n", 3, 1, &err));
	assert_string_equal(err.msg, "t.yaml:2:3: unknown key 'sigma_int' in "
			    "'algo' (did you mean 'sigma_init'?)");
}

static void test_create_errors(void **unused)
{
	void *cfg = calloc(1, ops->cfg_size), *state = (void *)1;
	algo_env env = { .param_size = 0, .seed = 1, .optim = NULL };
	ej_err err = { 0 };

	(void)unused;
	assert_non_null(cfg);
	cfg_defaults(ops->fields, ops->n_fields, cfg);
	assert_int_equal(ops->create(&state, cfg, &env, &err), -1);
	assert_null(state);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "'open_es' needs at least one parameter");
	/* optim NULL: adam defaults */
	env.param_size = 2;
	assert_int_equal(ops->create(&state, cfg, &env, &err), 0);
	assert_int_equal(ops->pop_size(state), 64);
	ops->free(state);
	free(cfg);
}

/* ---- the hand-worked case ---------------------------------------------- */

/* P = 5 (two philox blocks), N = 4, mean 0.5, sigma 0.1 halved per tell
 * down to 0.01, sgd with lr 1 (so mean' = mean + g). */
#define HW_YAML(opt)                                                        \
	"algo:\n  pop_size: 4\n  init_mean: 0.5\n  sigma_init: 0.1\n"        \
	"  sigma_decay: 0.5\n  sigma_limit: 0.01\n  lr: 1\n"                 \
	"optimizer:\n  name: " opt "\n"
enum { HP = 5, HN = 4 };

/* g from the population: u written by hand, z_i = (x_i - mean)/sigma. */
static void hw_grad(const float *pop, const double u[HN], double g[HP])
{
	for (size_t j = 0; j < HP; j++) {
		g[j] = 0;
		for (size_t i = 0; i < HN; i++)
			g[j] += u[i] * (((double)pop[i * HP + j] - 0.5) / 0.1);
		g[j] /= HN * 0.1;
	}
}

static void hw_check(const float fit[HN], const double u[HN])
{
	void *s = mk_ok(HW_YAML("sgd"), HP, 5);
	float pop[HN * HP], pop2[HN * HP];
	double g[HP];
	ej_err err = { 0 };

	assert_int_equal(ops->pop_size(s), HN);
	assert_int_equal(ops->ask(s, pop, &err), 0);
	/* rows 2k = mean + sigma eps_k, 2k+1 = mean - sigma eps_k */
	for (uint32_t k = 0; k < 2; k++)
		for (uint32_t j = 0; j < HP; j++) {
			float d = 0.1f * eps_at(5, 0, k, j);

			assert_true(pop[2 * k * HP + j] == 0.5f + d);
			assert_true(pop[(2 * k + 1) * HP + j] == 0.5f - d);
			assert_true(fabsf(d) > 1e-4f);
		}
	assert_int_equal(ops->ask(s, pop2, &err), 0);
	assert_memory_equal(pop, pop2, sizeof(pop));

	assert_int_equal(ops->tell(s, fit, &err), 0);
	hw_grad(pop, u, g);
	for (size_t j = 0; j < HP; j++) {
		assert_true(fabs(g[j]) > 1e-3);
		assert_near(ops->best_params(s)[j], 0.5 + g[j], 2e-6);
	}
	assert_true(sigma_of(s) == 0.05f);
	ops->free(s);
}

static void test_hand_worked_ranks(void **unused)
{
	/* fitness 3, 1, 2, 5 -> ranks 2, 0, 1, 3 -> u = r/3 - 1/2 */
	static const float fit[HN] = { 3, 1, 2, 5 };
	static const double u[HN] = { 1.0 / 6, -0.5, -1.0 / 6, 0.5 };

	(void)unused;
	hw_check(fit, u);
}

static void test_hand_worked_ties(void **unused)
{
	/* equal fitness: ranks by index 0, 1, 2, 3 */
	static const float fit[HN] = { 7, 7, 7, 7 };
	static const double u[HN] = { -0.5, -1.0 / 6, 1.0 / 6, 0.5 };

	(void)unused;
	hw_check(fit, u);
}

static void test_ranks_ignore_scale(void **unused)
{
	/* same order, wildly different values: the same update */
	static const float fit[HN] = { -1e-3f, -1e9f, -2e8f, 1e30f };
	static const double u[HN] = { 1.0 / 6, -0.5, -1.0 / 6, 0.5 };

	(void)unused;
	hw_check(fit, u);
}

/* adam's first step is lr * g / (|g| + eps) per coordinate: lr sign(g). */
static void test_uses_optimizer(void **unused)
{
	static const float fit[HN] = { 3, 1, 2, 5 };
	static const double u[HN] = { 1.0 / 6, -0.5, -1.0 / 6, 0.5 };
	void *s = mk_ok(HW_YAML("adam"), HP, 5);
	float pop[HN * HP];
	double g[HP];
	ej_err err = { 0 };

	(void)unused;
	assert_int_equal(ops->ask(s, pop, &err), 0);
	assert_int_equal(ops->set_hparam(s, "lr", 0.25), 0);
	assert_int_equal(ops->tell(s, fit, &err), 0);
	hw_grad(pop, u, g);
	for (size_t j = 0; j < HP; j++)
		assert_near(ops->best_params(s)[j],
			    0.5 + (g[j] > 0 ? 0.25 : -0.25), 1e-6);
	ops->free(s);
}

/* sigma: 0.1, 0.05, 0.025, 0.0125, then held at the limit 0.01. */
static void test_sigma_decay(void **unused)
{
	static const float fit[HN] = { 1, 2, 3, 4 };
	static const float want[] = { 0.1f, 0.05f, 0.025f, 0.0125f, 0.01f,
				      0.01f };
	void *s = mk_ok(HW_YAML("sgd"), HP, 5);
	ej_err err = { 0 };

	(void)unused;
	for (size_t t = 0; t < sizeof(want) / sizeof(want[0]); t++) {
		assert_true(sigma_of(s) == want[t]);
		assert_int_equal(ops->tell(s, fit, &err), 0);
	}
	ops->free(s);
}

/* Which draw feeds which parameter, and the iteration in the counter. */
static void test_noise_layout(void **unused)
{
	enum { P = 6, N = 6 };
	void *s = mk_ok("algo:\n  pop_size: 6\n  sigma_init: 1\n"
			"  sigma_decay: 1\n  lr: 0.01\n", P, 99);
	float pop[N * P];
	static const float fit[N] = { 1, 2, 3, 4, 5, 6 };
	ej_err err = { 0 };

	(void)unused;
	for (uint32_t it = 0; it < 3; it++) {
		const float *c = ops->best_params(s);

		assert_int_equal(ops->ask(s, pop, &err), 0);
		for (uint32_t k = 0; k < N / 2; k++)
			for (uint32_t j = 0; j < P; j++) {
				const float *plus = pop + 2 * k * P;
				const float *minus = plus + P;

				assert_near((plus[j] - minus[j]) / 2,
					    eps_at(99, it, k, j), 1e-5);
				assert_near(plus[j] + minus[j], 2 * c[j],
					    1e-5);
			}
		assert_int_equal(ops->tell(s, fit, &err), 0);
	}
	ops->free(s);
}

/* ---- hyperparameters --------------------------------------------------- */

static void test_set_hparam(void **unused)
{
	static const char *plain = "algo:\n  pop_size: 8\n  lr: 0.05\n"
				   "optimizer:\n  name: sgd\n";
	static const char *mom = "algo:\n  pop_size: 8\n  lr: 0.05\n"
				 "optimizer:\n  name: sgd\n  momentum: 0.9\n";
	void *a = mk_ok(plain, 4, 3), *b = mk_ok(mom, 4, 3);

	(void)unused;
	assert_string_equal(ops->hparams[0], "lr");
	assert_null(ops->hparams[1]);
	assert_int_equal(ops->set_hparam(a, "bogus", 1), -1);
	/* momentum set at run time == momentum configured */
	assert_int_equal(ops->set_hparam(a, "momentum", 0.9), 0);
	run_sphere(a, 4, 4);
	run_sphere(b, 4, 4);
	assert_memory_equal(ops->best_params(a), ops->best_params(b),
			    4 * sizeof(float));
	/* lr 0 freezes the mean */
	assert_int_equal(ops->set_hparam(a, "lr", 0), 0);
	assert_int_equal(ops->set_hparam(a, "momentum", 0), 0);
	{
		float before[4];

		memcpy(before, ops->best_params(a), sizeof(before));
		run_sphere(a, 4, 2);
		assert_memory_equal(before, ops->best_params(a),
				    sizeof(before));
	}
	ops->free(a);
	ops->free(b);
}

/* ---- determinism, errors and state ------------------------------------- */

static void test_determinism(void **unused)
{
	static const char *yaml = "algo:\n  pop_size: 8\n  init_mean: 1\n";
	void *a = mk_ok(yaml, 7, 42), *b = mk_ok(yaml, 7, 42);
	void *c = mk_ok(yaml, 7, 43);

	(void)unused;
	run_sphere(a, 7, 10);
	run_sphere(b, 7, 10);
	run_sphere(c, 7, 10);
	assert_memory_equal(ops->best_params(a), ops->best_params(b),
			    7 * sizeof(float));
	assert_memory_not_equal(ops->best_params(a), ops->best_params(c),
				7 * sizeof(float));
	ops->free(a);
	ops->free(b);
	ops->free(c);
}

static void test_nan_fitness(void **unused)
{
	void *s = mk_ok("algo:\n  pop_size: 4\n", 3, 3);
	float pop[12], pop2[12], fit[4] = { 1, 2, 3, 4 };
	unsigned char before[1024], after[1024];
	size_t nb, na;
	ej_err err = { 0 };

	(void)unused;
	assert_int_equal(ops->ask(s, pop, &err), 0);
	assert_int_equal(ops->tell(s, fit, &err), 0); /* iteration 1 */
	assert_int_equal(ops->ask(s, pop, &err), 0);
	nb = snapshot(s, before, sizeof(before));
	fit[2] = NAN;
	assert_int_equal(ops->tell(s, fit, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_RUN);
	assert_string_equal(err.msg, "fitness of member 2 is nan");
	fit[2] = 3;
	fit[1] = INFINITY;
	assert_int_equal(ops->tell(s, fit, &err), -1);
	assert_string_equal(err.msg, "fitness of member 1 is inf");
	na = snapshot(s, after, sizeof(after));
	assert_int_equal(na, nb);
	assert_memory_equal(before, after, nb);
	assert_int_equal(ops->ask(s, pop2, &err), 0);
	assert_memory_equal(pop, pop2, sizeof(pop));
	ops->free(s);
}

/* save after 5 iterations, load into a fresh instance, run both 5 more:
 * populations and states agree bit for bit (adam moments included). */
static void test_state_round_trip(void **state)
{
	static const char *yaml = "algo:\n  pop_size: 8\n  init_mean: 1\n"
				  "  sigma_decay: 0.9\n";
	const char *path = ((tu_tmp *)*state)->path;
	void *a = mk_ok(yaml, 10, 11), *b = mk_ok(yaml, 10, 11);
	float pa[80], pb[80], fit[8];
	unsigned char sa[2048], sb[2048];
	ej_err err = { 0 };
	npz_file *f;
	size_t n;

	run_sphere(a, 10, 5);
	save(a, path);
	f = npz_read(path, &err);
	assert_non_null(f);
	assert_int_equal(ops->load(b, f, &err), 0);
	npz_free(f);
	n = snapshot(a, sa, sizeof(sa));
	assert_int_equal(snapshot(b, sb, sizeof(sb)), n);
	assert_memory_equal(sa, sb, n);
	for (int it = 0; it < 5; it++) {
		assert_int_equal(ops->ask(a, pa, &err), 0);
		assert_int_equal(ops->ask(b, pb, &err), 0);
		assert_memory_equal(pa, pb, sizeof(pa));
		for (size_t i = 0; i < 8; i++)
			fit[i] = (float)-f_sphere(pa + i * 10, 10);
		assert_int_equal(ops->tell(a, fit, &err), 0);
		assert_int_equal(ops->tell(b, fit, &err), 0);
	}
	n = snapshot(a, sa, sizeof(sa));
	assert_int_equal(snapshot(b, sb, sizeof(sb)), n);
	assert_memory_equal(sa, sb, n);
	ops->free(a);
	ops->free(b);
}

static void test_load_errors(void **state)
{
	const char *path = ((tu_tmp *)*state)->path;
	void *s = mk_ok("algo:\n  pop_size: 4\n", 3, 3), *other;
	unsigned char before[1024], after[1024];
	static const float m[3] = { 1, 2, 3 };
	static const float bad_sigma = -1;
	static const int64_t it = 2;
	npz_array arr[3] = {
		{ .name = "mean", .dtype = NPZ_F32, .ndim = 1, .shape = { 3 },
		  .data = m },
		{ .name = "sigma", .dtype = NPZ_F32, .ndim = 0,
		  .data = &bad_sigma },
		{ .name = "iteration", .dtype = NPZ_I64, .ndim = 0,
		  .data = &it },
	};
	ej_err err = { 0 };
	npz_file *f;
	size_t n;

	n = snapshot(s, before, sizeof(before));
	/* only 'mean': nothing may change */
	assert_int_equal(npz_write(path, arr, 1, &err), 0);
	f = npz_read(path, &err);
	assert_non_null(f);
	assert_int_equal(ops->load(s, f, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_RUN);
	assert_non_null(strstr(err.msg, "sigma"));
	npz_free(f);
	/* a negative sigma */
	assert_int_equal(npz_write(path, arr, 3, &err), 0);
	f = npz_read(path, &err);
	assert_non_null(f);
	assert_int_equal(ops->load(s, f, &err), -1);
	assert_string_equal(err.msg, "array 'sigma' must be > 0, got -1");
	npz_free(f);
	assert_int_equal(snapshot(s, after, sizeof(after)), n);
	assert_memory_equal(before, after, n);
	/* a state of another size */
	other = mk_ok("algo:\n  pop_size: 4\n", 4, 3);
	save(other, path);
	f = npz_read(path, &err);
	assert_non_null(f);
	assert_int_equal(ops->load(s, f, &err), -1);
	assert_non_null(strstr(err.msg, "mean"));
	npz_free(f);
	assert_int_equal(snapshot(s, after, sizeof(after)), n);
	assert_memory_equal(before, after, n);
	ops->free(other);
	ops->free(s);
}

/* ---- benchmarks -------------------------------------------------------- */

/* sphere 10-D from x0 = 1, defaults: f < 1e-6 within 25,000 evaluations */
static void test_sphere_10d_1e6_in_25000_evals(void **unused)
{
	void *s = mk_ok("algo:\n  init_mean: 1\n", 10, 42);
	double fb;
	long evals;

	(void)unused;
	assert_true(f_sphere(ops->best_params(s), 10) == 10.0);
	evals = run_to_target(s, f_sphere, 10, 25000, 1e-6, &fb);
	if (evals > 25000)
		fail_msg("sphere: f = %g after 25000 evaluations", fb);
	ops->free(s);
}

/* rosenbrock 10-D from x0 = 0 (f = 9), defaults: f < 1e-2 within 120,000
 * evaluations */
static void test_rosenbrock_10d_1e2_in_120000_evals(void **unused)
{
	void *s = mk_ok("algo:\n  init_mean: 0\n", 10, 42);
	double fb;
	long evals;

	(void)unused;
	assert_true(f_rosenbrock(ops->best_params(s), 10) == 9.0);
	evals = run_to_target(s, f_rosenbrock, 10, 120000, 1e-2, &fb);
	if (evals > 120000)
		fail_msg("rosenbrock: f = %g after 120000 evaluations", fb);
	ops->free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_hand_worked_ranks),
		cmocka_unit_test(test_hand_worked_ties),
		cmocka_unit_test(test_ranks_ignore_scale),
		cmocka_unit_test(test_uses_optimizer),
		cmocka_unit_test(test_sigma_decay),
		cmocka_unit_test(test_noise_layout),
		cmocka_unit_test(test_set_hparam),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_nan_fitness),
		cmocka_unit_test_setup_teardown(test_state_round_trip,
						tu_tmp_setup, tu_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_load_errors, tu_tmp_setup,
						tu_tmp_teardown),
		cmocka_unit_test(test_sphere_10d_1e6_in_25000_evals),
		cmocka_unit_test(test_rosenbrock_10d_1e2_in_120000_evals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
