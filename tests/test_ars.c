/* test_ars.c - Augmented Random Search against hand-computed updates
 * (top-b selection, sigma_R), selection ties, the zero-spread case,
 * determinism, NaN fitness, the state round trip and two seeded benchmark
 * runs.
 *
 * The expected step is computed here from the population itself:
 * delta_k = (row 2k - row 2k+1) / (2 nu), with the kept directions and
 * sigma_R worked out by hand.
 *
 * Benchmarks (fitness = -f, best_params = theta, seed 42):
 *   sphere 10-D from x0 = 1, defaults (pop 16 = 8 directions, all used,
 *   step 0.02, nu 0.03):          f < 1e-6 within 5,000 evaluations
 *                                 (seed 42: 1,824; seeds 1-10:
 *                                 1,552-1,984)
 *   rastrigin 10-D from x0 = 3 (f = 90), pop 64 (32 directions, all
 *   used), nu 0.5, step 0.1:      f < 0.5 within 200,000 evaluations
 *                                 (seed 42: 90,048; seeds 1-10:
 *                                 34,560-108,096); f < 0.5 means every
 *                                 coordinate is in the global basin
 *                                 (a single coordinate near 1 costs ~1)
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

extern const algo_ops ars_ops; /* until algo.h declares it */

#define assert_near(a, b, tol)                                               \
	do {                                                                 \
		double a_ = (a), b_ = (b);                                   \
		if (!(fabs(a_ - b_) <= (tol)))                               \
			fail_msg("%s = %.9g, expected %.9g (tol %g)", #a, a_, \
				 b_, (double)(tol));                         \
	} while (0)

static const algo_ops *const ops = &ars_ops;

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

/* delta_k[j] for iteration 'it', written out from the documented layout. */
static float eps_at(uint32_t seed, uint32_t it, uint32_t k, uint32_t j)
{
	ph_out w = ph_draw(seed, PH_PURPOSE_NOISE, it, k, 0, j / 4);
	float z[4];

	ph_normal2(w.v[0], w.v[1], &z[0], &z[1]);
	ph_normal2(w.v[2], w.v[3], &z[2], &z[3]);
	return z[j % 4];
}

/* All state arrays concatenated (names and bytes), for equality checks. */
static size_t snapshot(const void *s, unsigned char *buf, size_t size)
{
	npz_array a[ALGO_STATE_MAX];
	char names[ALGO_STATE_MAX][64];
	size_t n = ops->state(s, a, ALGO_STATE_MAX, names), len = 0;

	assert_true(n >= 2);
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

	assert_true(n >= 2);
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

static double f_rastrigin(const float *x, size_t n)
{
	double f = 10.0 * (double)n;

	for (size_t i = 0; i < n; i++)
		f += (double)x[i] * x[i] -
		     10 * cos(6.283185307179586 * (double)x[i]);
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
	/* defaults: 16 members (8 directions), theta 0 */
	s = mk_ok("algo:\n  name: ars\n", 3, 1);
	assert_int_equal(ops->pop_size(s), 16);
	assert_true(ops->best_params(s)[0] == 0.0f &&
		    ops->best_params(s)[2] == 0.0f);
	ops->free(s);
	s = mk_ok("algo:\n  version: v2\n  init_mean: -2\n", 2, 1);
	assert_true(ops->best_params(s)[1] == -2.0f);
	ops->free(s);
	assert_null(mk("algo:\n  pop_size: 7\n", 3, 1, &err));
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "t.yaml:2:13: 'pop_size' must be an even "
			    "integer >= 2, got '7'");
	assert_null(mk("algo:\n  version: v3\n", 3, 1, &err));
	assert_string_equal(err.msg, "t.yaml:2:12: 'version' must be one of "
			    "v1, v2, got 'v3' (did you mean 'v1'?)");
	assert_null(mk("algo:\n  noise_std: 0\n", 3, 1, &err));
	assert_non_null(strstr(err.msg, "t.yaml:2:14: 'noise_std'"));
	assert_null(mk("algo:\n  top_k: -1\n", 3, 1, &err));
	assert_non_null(strstr(err.msg, "t.yaml:2:10: 'top_k'"));
	/* top_k spans two keys: checked by create */
	assert_null(mk("algo:\n  pop_size: 8\n  top_k: 5\n", 3, 1, &err));
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "'top_k' must be in [0, pop_size/2 = 4], "
			    "got '5'");
	s = mk_ok("algo:\n  pop_size: 8\n  top_k: 4\n", 3, 1);
	ops->free(s);
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
	assert_string_equal(err.msg, "'ars' needs at least one parameter");
	env.param_size = 2; /* no optimizer needed */
	assert_int_equal(ops->create(&state, cfg, &env, &err), 0);
	assert_int_equal(ops->pop_size(state), 16);
	ops->free(state);
	free(cfg);
}

/* ---- the hand-worked cases --------------------------------------------- */

/* P = 5 (two philox blocks), 3 directions, theta 0.5, nu 0.1, alpha 0.5. */
#define HW_YAML(topk)                                                       \
	"algo:\n  pop_size: 6\n  top_k: " topk "\n  init_mean: 0.5\n"        \
	"  noise_std: 0.1\n  step_size: 0.5\n"
enum { HP = 5, HN = 6 };

/* theta' = 0.5 + alpha/(b sigma_R) sum_{k in kept} (r+ - r-) delta_k,
 * delta from the population. */
static void hw_check(const char *yaml, const float fit[HN],
		     const int *kept, int b, double sigma_r)
{
	void *s = mk_ok(yaml, HP, 5);
	float pop[HN * HP], pop2[HN * HP];
	ej_err err = { 0 };

	assert_int_equal(ops->ask(s, pop, &err), 0);
	for (uint32_t k = 0; k < 3; k++)
		for (uint32_t j = 0; j < HP; j++) {
			float d = 0.1f * eps_at(5, 0, k, j);

			assert_true(pop[2 * k * HP + j] == 0.5f + d);
			assert_true(pop[(2 * k + 1) * HP + j] == 0.5f - d);
		}
	assert_int_equal(ops->ask(s, pop2, &err), 0);
	assert_memory_equal(pop, pop2, sizeof(pop));
	assert_int_equal(ops->tell(s, fit, &err), 0);
	for (size_t j = 0; j < HP; j++) {
		double step = 0;

		for (int r = 0; r < b; r++) {
			size_t k = (size_t)kept[r];
			double delta = ((double)pop[2 * k * HP + j] -
					pop[(2 * k + 1) * HP + j]) / 0.2;

			step += ((double)fit[2 * k] - fit[2 * k + 1]) * delta;
		}
		step *= 0.5 / (b * sigma_r);
		assert_true(fabs(step) > 1e-3);
		assert_near(ops->best_params(s)[j], 0.5 + step, 2e-6);
	}
	ops->free(s);
}

/* r+ / r- per direction: k0 1/4 (max 4), k1 2/0 (max 2), k2 5/3 (max 5).
 * b = 2 keeps k2 and k0; returns used 5, 3, 1, 4: mean 3.25,
 * sigma_R = sqrt(8.75 / 4) = 1.479019945774904. */
static void test_hand_worked_top2(void **unused)
{
	static const float fit[HN] = { 1, 4, 2, 0, 5, 3 };
	static const int kept[] = { 2, 0 };

	(void)unused;
	hw_check(HW_YAML("2"), fit, kept, 2, 1.479019945774904);
}

/* b = 0 (all 3): returns 1, 4, 2, 0, 5, 3: mean 2.5, population variance
 * (2.25 + 2.25 + 0.25 + 6.25 + 6.25 + 0.25) / 6 = 17.5 / 6. */
static void test_hand_worked_all(void **unused)
{
	static const float fit[HN] = { 1, 4, 2, 0, 5, 3 };
	static const int kept[] = { 0, 1, 2 };

	(void)unused;
	hw_check(HW_YAML("0"), fit, kept, 3, sqrt(17.5 / 6));
}

/* b = 1: k0 and k2 both reach 6; the lower index wins.  The returns used
 * are 6 and 1: sigma_R = 2.5. */
static void test_selection_ties(void **unused)
{
	static const float fit[HN] = { 6, 1, 2, 0, 5, 6 };
	static const int kept[] = { 0 };

	(void)unused;
	hw_check(HW_YAML("1"), fit, kept, 1, 2.5);
}

/* The selection ranks directions by max(r+, r-), not by the mean of the
 * pair nor by |r+ - r-|.  b = 1 keeps k1 both times: first k1 (-5, 3)
 * against k0 (2.5, 2.4), which has the larger mean (sigma_R of {-5, 3} is
 * 4); then k1 (3, 2) against k0 (2.9, -20), which has the larger
 * difference (sigma_R of {3, 2} is 0.5). */
static void test_selection_by_max(void **unused)
{
	static const float fit_mean[HN] = { 2.5f, 2.4f, -5, 3, -8, -7 };
	static const float fit_diff[HN] = { 2.9f, -20, 3, 2, -8, -7 };
	static const int kept[] = { 1 };

	(void)unused;
	hw_check(HW_YAML("1"), fit_mean, kept, 1, 4);
	hw_check(HW_YAML("1"), fit_diff, kept, 1, 0.5);
}

/* All kept returns equal: sigma_R = 0, theta stays, iteration advances. */
static void test_zero_spread(void **unused)
{
	static const float fit[HN] = { 2, 2, 2, 2, 2, 2 };
	void *s = mk_ok(HW_YAML("0"), HP, 5);
	float pop[HN * HP], pop1[HN * HP];
	npz_array a[ALGO_STATE_MAX];
	char names[ALGO_STATE_MAX][64];
	ej_err err = { 0 };

	(void)unused;
	assert_int_equal(ops->ask(s, pop, &err), 0);
	assert_int_equal(ops->tell(s, fit, &err), 0);
	for (size_t j = 0; j < HP; j++)
		assert_true(ops->best_params(s)[j] == 0.5f);
	assert_int_equal(ops->state(s, a, ALGO_STATE_MAX, names), 2);
	assert_string_equal(a[1].name, "iteration");
	assert_int_equal(*(const int64_t *)a[1].data, 1);
	assert_int_equal(ops->ask(s, pop1, &err), 0);
	assert_memory_not_equal(pop, pop1, sizeof(pop));
	ops->free(s);
}

/* Which draw feeds which parameter, and the iteration in the counter. */
static void test_noise_layout(void **unused)
{
	enum { P = 6, N = 6 };
	void *s = mk_ok("algo:\n  pop_size: 6\n  noise_std: 1\n"
			"  step_size: 0.01\n", P, 99);
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

/* nu decays as max(noise_limit, noise_std noise_decay^it) (EvoJAX's
 * decay_stdev / limit_stdev): 0.4, 0.2, 0.1, then the floor 0.08. */
static void test_noise_decay(void **unused)
{
	enum { P = 3, N = 4 };
	static const float want[5] = { 0.4f, 0.2f, 0.1f, 0.08f, 0.08f };
	void *s = mk_ok("algo:\n  pop_size: 4\n  noise_std: 0.4\n"
			"  noise_decay: 0.5\n  noise_limit: 0.08\n", P, 5);
	float pop[N * P];
	static const float fit[N] = { 1, 1, 1, 1 };
	ej_err err = { 0 };

	(void)unused;
	for (uint32_t it = 0; it < 5; it++) {
		assert_int_equal(ops->ask(s, pop, &err), 0);
		for (uint32_t k = 0; k < N / 2; k++)
			for (uint32_t j = 0; j < P; j++)
				assert_near((pop[2 * k * P + j] -
					     pop[(2 * k + 1) * P + j]) / 2,
					    want[it] * eps_at(5, it, k, j),
					    1e-6);
		assert_int_equal(ops->tell(s, fit, &err), 0);
	}
	ops->free(s);
}

/* v1 and v2 run the same update (v2's normalisation is the trainer's). */
static void test_versions_same_update(void **unused)
{
	void *a = mk_ok("algo:\n  version: v1\n  init_mean: 1\n", 6, 8);
	void *b = mk_ok("algo:\n  version: v2\n  init_mean: 1\n", 6, 8);

	(void)unused;
	run_sphere(a, 6, 5);
	run_sphere(b, 6, 5);
	assert_memory_equal(ops->best_params(a), ops->best_params(b),
			    6 * sizeof(float));
	assert_true(ops->best_params(a)[0] != 1.0f);
	ops->free(a);
	ops->free(b);
}

static void test_set_hparam(void **unused)
{
	static const float fit[HN] = { 1, 4, 2, 0, 5, 3 };
	void *a = mk_ok(HW_YAML("2"), HP, 5), *b = mk_ok(HW_YAML("2"), HP, 5);
	float pop[HN * HP];
	ej_err err = { 0 };

	(void)unused;
	assert_string_equal(ops->hparams[0], "step_size");
	assert_null(ops->hparams[1]);
	assert_int_equal(ops->set_hparam(a, "momentum", 0.9), -1);
	assert_int_equal(ops->set_hparam(a, "lr", 0.9), -1);
	/* half the step size: half the move */
	assert_int_equal(ops->set_hparam(b, "step_size", 0.25), 0);
	assert_int_equal(ops->ask(a, pop, &err), 0);
	assert_int_equal(ops->tell(a, fit, &err), 0);
	assert_int_equal(ops->tell(b, fit, &err), 0);
	for (size_t j = 0; j < HP; j++)
		assert_near(ops->best_params(b)[j] - 0.5,
			    (ops->best_params(a)[j] - 0.5) / 2, 1e-6);
	ops->free(a);
	ops->free(b);
}

/* ---- determinism, errors and state ------------------------------------- */

static void test_determinism(void **unused)
{
	static const char *yaml = "algo:\n  pop_size: 8\n  init_mean: 1\n"
				  "  top_k: 2\n";
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
	fit[3] = NAN;
	assert_int_equal(ops->tell(s, fit, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_RUN);
	assert_string_equal(err.msg, "fitness of member 3 is nan");
	fit[3] = 4;
	fit[0] = -INFINITY;
	assert_int_equal(ops->tell(s, fit, &err), -1);
	assert_string_equal(err.msg, "fitness of member 0 is -inf");
	na = snapshot(s, after, sizeof(after));
	assert_int_equal(na, nb);
	assert_memory_equal(before, after, nb);
	assert_int_equal(ops->ask(s, pop2, &err), 0);
	assert_memory_equal(pop, pop2, sizeof(pop));
	ops->free(s);
}

static void test_state_round_trip(void **state)
{
	static const char *yaml = "algo:\n  pop_size: 8\n  top_k: 3\n"
				  "  init_mean: 1\n";
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
	static const float t[3] = { 1, NAN, 3 };
	static const int64_t it = 2;
	npz_array arr[2] = {
		{ .name = "theta", .dtype = NPZ_F32, .ndim = 1, .shape = { 3 },
		  .data = t },
		{ .name = "iteration", .dtype = NPZ_I64, .ndim = 0,
		  .data = &it },
	};
	ej_err err = { 0 };
	npz_file *f;
	size_t n;

	n = snapshot(s, before, sizeof(before));
	/* only 'theta': nothing may change */
	assert_int_equal(npz_write(path, arr, 1, &err), 0);
	f = npz_read(path, &err);
	assert_non_null(f);
	assert_int_equal(ops->load(s, f, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_RUN);
	assert_string_equal(err.msg, "missing array 'iteration'");
	npz_free(f);
	/* a NaN in theta */
	assert_int_equal(npz_write(path, arr, 2, &err), 0);
	f = npz_read(path, &err);
	assert_non_null(f);
	assert_int_equal(ops->load(s, f, &err), -1);
	assert_string_equal(err.msg, "array 'theta' has a bad value at 1");
	npz_free(f);
	assert_int_equal(snapshot(s, after, sizeof(after)), n);
	assert_memory_equal(before, after, n);
	/* a state of another size */
	other = mk_ok("algo:\n  pop_size: 4\n", 4, 3);
	save(other, path);
	f = npz_read(path, &err);
	assert_non_null(f);
	assert_int_equal(ops->load(s, f, &err), -1);
	assert_non_null(strstr(err.msg, "theta"));
	npz_free(f);
	assert_int_equal(snapshot(s, after, sizeof(after)), n);
	assert_memory_equal(before, after, n);
	ops->free(other);
	ops->free(s);
}

/* ---- benchmarks -------------------------------------------------------- */

/* sphere 10-D from x0 = 1, defaults: f < 1e-6 within 5,000 evaluations */
static void test_sphere_10d_1e6_in_5000_evals(void **unused)
{
	void *s = mk_ok("algo:\n  init_mean: 1\n", 10, 42);
	double fb;
	long evals;

	(void)unused;
	evals = run_to_target(s, f_sphere, 10, 5000, 1e-6, &fb);
	if (evals > 5000)
		fail_msg("sphere: f = %g after 5000 evaluations", fb);
	ops->free(s);
}

/* rastrigin 10-D from x0 = 3, pop 64, nu 0.5, step 0.1: f < 0.5 within
 * 200,000 evaluations */
static void test_rastrigin_10d_05_in_200000_evals(void **unused)
{
	void *s = mk_ok("algo:\n  init_mean: 3\n  pop_size: 64\n"
			"  noise_std: 0.5\n  step_size: 0.1\n", 10, 42);
	double fb;
	long evals;

	(void)unused;
	assert_near(f_rastrigin(ops->best_params(s), 10), 90, 1e-9);
	evals = run_to_target(s, f_rastrigin, 10, 200000, 0.5, &fb);
	if (evals > 200000)
		fail_msg("rastrigin: f = %g after 200000 evaluations", fb);
	ops->free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_hand_worked_top2),
		cmocka_unit_test(test_hand_worked_all),
		cmocka_unit_test(test_selection_ties),
		cmocka_unit_test(test_selection_by_max),
		cmocka_unit_test(test_zero_spread),
		cmocka_unit_test(test_noise_layout),
		cmocka_unit_test(test_noise_decay),
		cmocka_unit_test(test_versions_same_update),
		cmocka_unit_test(test_set_hparam),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_nan_fitness),
		cmocka_unit_test_setup_teardown(test_state_round_trip,
						tu_tmp_setup, tu_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_load_errors, tu_tmp_setup,
						tu_tmp_teardown),
		cmocka_unit_test(test_sphere_10d_1e6_in_5000_evals),
		cmocka_unit_test(test_rastrigin_10d_05_in_200000_evals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
