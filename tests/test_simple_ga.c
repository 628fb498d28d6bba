/* test_simple_ga.c - the genetic algorithm: the first generation, the
 * truncation selection, elitism, the uniform parent choice, the best ever
 * seen, determinism, NaN fitness, the state round trip and two seeded
 * benchmark runs.
 *
 * Where a row of a generation came from is recovered from the row itself:
 * row - sigma eps_i (eps from the documented Philox layout) must be one of
 * the parents, which the test picks by sorting the previous fitness.
 *
 * Benchmarks (fitness = -f, best_params = the best individual ever
 * evaluated, seed 42, pop 64):
 *   sphere 10-D from x0 = 1, elite_ratio 0.5, n_elites 1, sigma driven by
 *   set_hparam as 0.1 x 0.98^generation (what a schedule does):
 *                                     f < 1e-6 within 30,000 evaluations
 *                                     (seed 42: 16,896; seeds 1-10:
 *                                     16,704-18,176)
 *   rosenbrock 10-D from x0 = 0 (f = 9), elite_ratio 0.2, n_elites 1,
 *   fixed sigma 0.02:                 f < 1 within 80,000 evaluations
 *                                     (seed 42: 40,832; seeds 1-10:
 *                                     25,792-50,752)
 */
#include "tests/algotest.h"

static const algo_ops *const ops = &simple_ga_ops;
/* parents, best, best_fitness, iteration */
static const at_algo algo = { &simple_ga_ops, 4, ALGO_STATE_MAX };

/* The state arrays: parents (keep, P), best, best_fitness, iteration. */
static const npz_array *arrays(const void *s, npz_array *a, char names[][64])
{
	assert_int_equal(ops->state(s, a, ALGO_STATE_MAX, names), 4);
	assert_string_equal(a[0].name, "parents");
	assert_int_equal(a[0].ndim, 2);
	assert_string_equal(a[1].name, "best");
	assert_string_equal(a[2].name, "best_fitness");
	assert_string_equal(a[3].name, "iteration");
	return a;
}

static size_t kept_rows(const void *s)
{
	npz_array a[ALGO_STATE_MAX];
	char names[ALGO_STATE_MAX][64];

	return arrays(s, a, names)[0].shape[0];
}

static float best_fitness(const void *s)
{
	npz_array a[ALGO_STATE_MAX];
	char names[ALGO_STATE_MAX][64];

	return *(const float *)arrays(s, a, names)[2].data;
}

/* Indices of fit[0..N) sorted best first (ties: lower index first). */
static void sort_best_first(const float *fit, size_t N, size_t *idx)
{
	for (size_t i = 0; i < N; i++)
		idx[i] = i;
	for (size_t i = 1; i < N; i++)
		for (size_t k = i; k > 0 && fit[idx[k]] > fit[idx[k - 1]];
		     k--) {
			size_t t = idx[k];

			idx[k] = idx[k - 1];
			idx[k - 1] = t;
		}
}

/* Which of the 'np' candidate rows 'row' was mutated from (row - sigma eps
 * equals it), or -1. */
static int parent_of(const float *row, uint32_t seed, uint32_t it,
		     uint32_t member, float sigma, const float *cand,
		     size_t np, size_t P)
{
	for (size_t c = 0; c < np; c++) {
		size_t j;

		for (j = 0; j < P; j++)
			if (row[j] != cand[c * P + j] +
				      sigma * at_eps(seed, it, member,
						     (uint32_t)j))
				break;
		if (j == P)
			return (int)c;
	}
	return -1;
}

/* ---- schema ------------------------------------------------------------ */

static void test_schema(void **unused)
{
	ej_err err = { 0 };
	void *s;

	(void)unused;
	/* defaults: 64 members, 32 parents, no elites, best = init_mean */
	s = at_mk_ok(&algo, "algo:\n  name: simple_ga\n", 3, 1);
	assert_int_equal(ops->pop_size(s), 64);
	assert_int_equal(kept_rows(s), 32);
	assert_true(ops->best_params(s)[0] == 0.0f &&
		    ops->best_params(s)[2] == 0.0f);
	assert_true(best_fitness(s) == -INFINITY);
	ops->free(s);
	s = at_mk_ok(&algo, "algo:\n  pop_size: 5\n  init_mean: -1\n", 3, 1);
	assert_int_equal(ops->pop_size(s), 5); /* odd is fine */
	assert_int_equal(kept_rows(s), 2);
	assert_true(ops->best_params(s)[1] == -1.0f);
	ops->free(s);
	assert_null(at_mk(&algo, "algo:\n  pop_size: 1\n", 3, 1, &err));
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "t.yaml:2:13: 'pop_size' must be an "
			    "integer >= 2, got '1'");
	assert_null(at_mk(&algo, "algo:\n  elite_ratio: 0\n", 3, 1, &err));
	assert_string_equal(err.msg, "t.yaml:2:16: 'elite_ratio' must be a "
			    "number in (0, 1], got '0'");
	assert_null(at_mk(&algo, "algo:\n  sigma: 0\n", 3, 1, &err));
	assert_non_null(strstr(err.msg, "t.yaml:2:10: 'sigma'"));
	/* n_elites < pop_size spans two keys: checked by create */
	assert_null(at_mk(&algo, "algo:\n  pop_size: 8\n  n_elites: 8\n", 3,
			  1, &err));
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "'n_elites' must be in [0, pop_size - 1 "
			    "= 7], got '8'");
}

/* T = floor(elite_ratio N + 1e-9), at least 1; max(T, n_elites) kept. */
static void test_parent_count(void **unused)
{
	static const struct {
		const char *yaml;
		size_t keep;
	} c[] = {
		{ "algo:\n  pop_size: 100\n  elite_ratio: 0.57\n", 57 },
		{ "algo:\n  pop_size: 10\n  elite_ratio: 0.3\n", 3 },
		{ "algo:\n  pop_size: 10\n  elite_ratio: 0.05\n", 1 },
		{ "algo:\n  pop_size: 10\n  elite_ratio: 1\n", 10 },
		{ "algo:\n  pop_size: 4\n  elite_ratio: 0.25\n"
		  "  n_elites: 2\n", 2 },
	};

	(void)unused;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		void *s = at_mk_ok(&algo, c[i].yaml, 2, 1);

		assert_int_equal(kept_rows(s), c[i].keep);
		ops->free(s);
	}
}

static void test_create_errors(void **unused)
{
	(void)unused;
	/* P = 2: no optimizer needed */
	at_check_create_errors(&algo,
			       "'simple_ga' needs at least one parameter", 2,
			       64);
}

/* ---- the hand-worked case ---------------------------------------------- */

/* P = 5 (two philox blocks), N = 4, T = 2 parents, 1 elite, sigma 0.1. */
#define HW_YAML                                                             \
	"algo:\n  pop_size: 4\n  elite_ratio: 0.5\n  n_elites: 1\n"          \
	"  sigma: 0.1\n  init_mean: 0.5\n"
enum { HP = 5, HN = 4 };

static void test_hand_worked(void **unused)
{
	static const float fit0[HN] = { 3, 1, 2, 5 };
	static const float fit1[HN] = { 4, 1, 1, 1 };
	static const float fit2[HN] = { 1, 9, 1, 1 };
	static const float fit3[HN] = { 2, 2, 9, 2 };
	void *s = at_mk_ok(&algo, HW_YAML, HP, 7);
	float g0[HN * HP], g1[HN * HP], g2[HN * HP], again[HN * HP];
	float parents[2 * HP];
	ej_err err = { 0 };

	(void)unused;
	/* generation 0: init_mean + sigma eps_i, every row */
	assert_int_equal(ops->ask(s, g0, &err), 0);
	for (uint32_t i = 0; i < HN; i++)
		for (uint32_t j = 0; j < HP; j++)
			assert_true(g0[i * HP + j] ==
				    0.5f + 0.1f * at_eps(7, 0, i, j));
	assert_int_equal(ops->ask(s, again, &err), 0);
	assert_memory_equal(g0, again, sizeof(g0));
	/* fitness 3, 1, 2, 5: parents rows 3 and 0; best row 3 */
	assert_int_equal(ops->tell(s, fit0, &err), 0);
	assert_memory_equal(ops->best_params(s), g0 + 3 * HP,
			    HP * sizeof(float));
	assert_true(best_fitness(s) == 5);
	memcpy(parents, g0 + 3 * HP, HP * sizeof(float));
	memcpy(parents + HP, g0, HP * sizeof(float));
	/* generation 1: row 0 the elite (row 3, unchanged); rows 1-3 a
	 * parent chosen by (w T) >> 32 plus sigma eps_i */
	assert_int_equal(ops->ask(s, g1, &err), 0);
	assert_memory_equal(g1, g0 + 3 * HP, HP * sizeof(float));
	{
		int seen[2] = { 0, 0 };

		for (uint32_t i = 1; i < HN; i++) {
			uint32_t w = ph_draw(7, PH_PURPOSE_ALGO, 1, i, 0,
					     0).v[0];
			size_t c = (size_t)(((uint64_t)w * 2) >> 32);

			assert_int_equal(parent_of(g1 + i * HP, 7, 1, i, 0.1f,
						   parents, 2, HP), (int)c);
			seen[c]++;
		}
		/* with seed 7 both parents are used */
		assert_true(seen[0] > 0 && seen[1] > 0);
	}
	/* the elite scores 4 < 5: the best stays generation 0's row 3 */
	assert_int_equal(ops->tell(s, fit1, &err), 0);
	assert_memory_equal(ops->best_params(s), g0 + 3 * HP,
			    HP * sizeof(float));
	assert_true(best_fitness(s) == 5);
	/* generation 2: row 0 is the elite of generation 1 (its row 0) */
	assert_int_equal(ops->ask(s, g2, &err), 0);
	assert_memory_equal(g2, g1, HP * sizeof(float));
	assert_int_equal(ops->tell(s, fit2, &err), 0);
	assert_memory_equal(ops->best_params(s), g2 + HP, HP * sizeof(float));
	assert_true(best_fitness(s) == 9);
	/* a tie with the best does not replace it */
	assert_int_equal(ops->ask(s, again, &err), 0);
	assert_int_equal(ops->tell(s, fit3, &err), 0);
	assert_memory_equal(ops->best_params(s), g2 + HP, HP * sizeof(float));
	ops->free(s);
}

/* Truncation: every row of generation 1 descends from one of the 3 best
 * rows of generation 0 (no elites, N = 10, elite_ratio 0.3). */
static void test_truncation(void **unused)
{
	enum { P = 3, N = 10 };
	static const float fit[N] = { 0, 9, -4, 3, 8, 1, -2, 7, 5, 2 };
	void *s = at_mk_ok(&algo, "algo:\n  pop_size: 10\n  elite_ratio: 0.3\n"
			   "  sigma: 0.05\n", P, 17);
	float g0[N * P], g1[N * P], top[3 * P], rest[7 * P];
	size_t idx[N];
	ej_err err = { 0 };

	(void)unused;
	assert_int_equal(ops->ask(s, g0, &err), 0);
	assert_int_equal(ops->tell(s, fit, &err), 0);
	sort_best_first(fit, N, idx); /* 1, 4, 7 are the best three */
	assert_int_equal(idx[0], 1);
	assert_int_equal(idx[2], 7);
	for (size_t r = 0; r < N; r++)
		memcpy(r < 3 ? top + r * P : rest + (r - 3) * P,
		       g0 + idx[r] * P, P * sizeof(float));
	assert_int_equal(ops->ask(s, g1, &err), 0);
	for (uint32_t i = 0; i < N; i++) {
		assert_true(parent_of(g1 + i * P, 17, 1, i, 0.05f, top, 3, P) >=
			    0);
		assert_int_equal(parent_of(g1 + i * P, 17, 1, i, 0.05f, rest,
					   7, P), -1);
	}
	ops->free(s);
}

/* More elites than parents: N = 6, T = 1, E = 3: rows 0-2 are the three
 * best of generation 0 in order, rows 3-5 mutants of the best. */
static void test_elites(void **unused)
{
	enum { P = 2, N = 6 };
	static const float fit[N] = { 1, 6, 3, 5, 2, 4 };
	void *s = at_mk_ok(&algo, "algo:\n  pop_size: 6\n"
			   "  elite_ratio: 0.1666667\n  n_elites: 3\n"
			   "  sigma: 0.2\n", P, 23);
	float g0[N * P], g1[N * P];
	ej_err err = { 0 };

	(void)unused;
	assert_int_equal(kept_rows(s), 3);
	assert_int_equal(ops->ask(s, g0, &err), 0);
	assert_int_equal(ops->tell(s, fit, &err), 0);
	assert_int_equal(ops->ask(s, g1, &err), 0);
	assert_memory_equal(g1, g0 + 1 * P, P * sizeof(float));
	assert_memory_equal(g1 + P, g0 + 3 * P, P * sizeof(float));
	assert_memory_equal(g1 + 2 * P, g0 + 5 * P, P * sizeof(float));
	for (uint32_t i = 3; i < N; i++)
		assert_int_equal(parent_of(g1 + i * P, 23, 1, i, 0.2f,
					   g0 + 1 * P, 1, P), 0);
	ops->free(s);
}

/* Parents are drawn uniformly: 4000 children of 4 parents, each parent's
 * count within 5 standard deviations (~137) of 1000. */
static void test_uniform_parents(void **unused)
{
	enum { P = 1, N = 4000 };
	void *s = at_mk_ok(&algo, "algo:\n  pop_size: 4000\n"
			   "  elite_ratio: 0.001\n  sigma: 0.5\n", P, 31);
	float *g0 = malloc(N * sizeof(float)), *g1 = malloc(N * sizeof(float));
	float *fit = malloc(N * sizeof(float)), top[4];
	size_t *idx = malloc(N * sizeof(size_t));
	int count[4] = { 0, 0, 0, 0 };
	ej_err err = { 0 };

	(void)unused;
	assert_true(g0 && g1 && fit && idx);
	assert_int_equal(ops->ask(s, g0, &err), 0);
	for (size_t i = 0; i < N; i++)
		fit[i] = -fabsf(g0[i] - 0.3f);
	assert_int_equal(ops->tell(s, fit, &err), 0);
	sort_best_first(fit, N, idx);
	for (size_t r = 0; r < 4; r++)
		top[r] = g0[idx[r]];
	assert_int_equal(ops->ask(s, g1, &err), 0);
	for (uint32_t i = 0; i < N; i++) {
		int c = parent_of(g1 + i, 31, 1, i, 0.5f, top, 4, P);

		assert_true(c >= 0);
		count[c]++;
	}
	for (size_t c = 0; c < 4; c++)
		if (abs(count[c] - 1000) > 137)
			fail_msg("parent %zu chosen %d times of 4000", c,
				 count[c]);
	free(g0);
	free(g1);
	free(fit);
	free(idx);
	ops->free(s);
}

/* Which draw feeds which parameter in generation 0. */
static void test_noise_layout(void **unused)
{
	enum { P = 6, N = 3 };
	void *s = at_mk_ok(&algo, "algo:\n  pop_size: 3\n  sigma: 1\n", P, 99);
	float pop[N * P];
	ej_err err = { 0 };

	(void)unused;
	assert_int_equal(ops->ask(s, pop, &err), 0);
	for (uint32_t i = 0; i < N; i++)
		for (uint32_t j = 0; j < P; j++)
			assert_true(pop[i * P + j] == at_eps(99, 0, i, j));
	ops->free(s);
}

static void test_set_hparam(void **unused)
{
	static const float fit[HN] = { 3, 1, 2, 5 };
	void *s = at_mk_ok(&algo, HW_YAML, HP, 5);
	float g0[HN * HP], g1[HN * HP], parents[2 * HP];
	ej_err err = { 0 };

	(void)unused;
	assert_string_equal(ops->hparams[0], "sigma");
	assert_null(ops->hparams[1]);
	assert_int_equal(ops->set_hparam(s, "momentum", 0.9), -1);
	assert_int_equal(ops->set_hparam(s, "lr", 0.9), -1);
	assert_int_equal(ops->ask(s, g0, &err), 0);
	assert_int_equal(ops->tell(s, fit, &err), 0);
	memcpy(parents, g0 + 3 * HP, HP * sizeof(float));
	memcpy(parents + HP, g0, HP * sizeof(float));
	/* the next generation mutates with the new sigma */
	assert_int_equal(ops->set_hparam(s, "sigma", 0.25), 0);
	assert_int_equal(ops->ask(s, g1, &err), 0);
	for (uint32_t i = 1; i < HN; i++)
		assert_true(parent_of(g1 + i * HP, 5, 1, i, 0.25f, parents, 2,
				      HP) >= 0);
	ops->free(s);
}

/* ---- determinism, errors and state ------------------------------------- */

static void test_determinism(void **unused)
{
	(void)unused;
	at_check_determinism(&algo, "algo:\n  pop_size: 8\n  init_mean: 1\n"
			     "  n_elites: 1\n  sigma: 0.1\n", 7, 42, 43, 10);
}

static void test_nan_fitness(void **unused)
{
	void *s = at_mk_ok(&algo, "algo:\n  pop_size: 4\n  n_elites: 1\n",
			   3, 3);

	(void)unused;
	at_check_nonfinite_fitness(&algo, s, 3, 0, "fitness of member 0 is nan",
				   2, INFINITY, "fitness of member 2 is inf");
	ops->free(s);
}

static void test_state_round_trip(void **state)
{
	static const char *yaml = "algo:\n  pop_size: 8\n  init_mean: 1\n"
				  "  n_elites: 2\n  elite_ratio: 0.25\n"
				  "  sigma: 0.1\n";
	const char *path = ((tu_tmp *)*state)->path;
	void *a = at_mk_ok(&algo, yaml, 10, 11);
	void *b = at_mk_ok(&algo, yaml, 10, 11);

	at_check_resume(&algo, a, b, at_sphere, 10, 5, 5, path);
	assert_memory_equal(ops->best_params(a), ops->best_params(b),
			    10 * sizeof(float));
	ops->free(a);
	ops->free(b);
}

static void test_load_errors(void **state)
{
	const char *path = ((tu_tmp *)*state)->path;
	void *s = at_mk_ok(&algo, "algo:\n  pop_size: 4\n", 3, 3);
	static const float par[6] = { 1, 2, 3, 4, 5, 6 };
	static const float best[3] = { 1, 2, 3 }, bad = NAN;
	static const int64_t it = 2;
	npz_array arr[4] = {
		{ .name = "parents", .dtype = NPZ_F32, .ndim = 2,
		  .shape = { 2, 3 }, .data = par },
		{ .name = "best", .dtype = NPZ_F32, .ndim = 1, .shape = { 3 },
		  .data = best },
		{ .name = "best_fitness", .dtype = NPZ_F32, .ndim = 0,
		  .data = &bad },
		{ .name = "iteration", .dtype = NPZ_I64, .ndim = 0,
		  .data = &it },
	};

	/* parents and best only; a NaN best fitness; another size */
	at_expect_load_fails(&algo, s, path, arr, 2, "best_fitness");
	at_expect_load_fails(&algo, s, path, arr, 4,
			     "array 'best_fitness' is nan");
	at_expect_other_size_fails(&algo, s, "algo:\n  pop_size: 4\n", path,
				   "parents");
	ops->free(s);
}

/* ---- benchmarks -------------------------------------------------------- */

/* sphere 10-D from x0 = 1, n_elites 1, sigma 0.1 x 0.98^generation:
 * f < 1e-6 within 30,000 evaluations */
static void test_sphere_10d_1e6_in_30000_evals(void **unused)
{
	static const at_sched sigma = { "sigma", 0.1, 0.98 };
	void *s = at_mk_ok(&algo, "algo:\n  init_mean: 1\n  n_elites: 1\n"
			   "  sigma: 0.1\n", 10, 42);

	(void)unused;
	at_expect_target(&algo, s, at_sphere, 10, 30000, 1e-6, &sigma,
			 "sphere");
	ops->free(s);
}

/* rosenbrock 10-D from x0 = 0, elite_ratio 0.2, n_elites 1, sigma 0.02:
 * f < 1 within 80,000 evaluations */
static void test_rosenbrock_10d_1_in_80000_evals(void **unused)
{
	void *s = at_mk_ok(&algo, "algo:\n  elite_ratio: 0.2\n  n_elites: 1\n"
			   "  sigma: 0.02\n", 10, 42);

	(void)unused;
	assert_true(at_rosenbrock(ops->best_params(s), 10) == 9.0);
	at_expect_target(&algo, s, at_rosenbrock, 10, 80000, 1, NULL,
			 "rosenbrock");
	ops->free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema),
		cmocka_unit_test(test_parent_count),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_hand_worked),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_elites),
		cmocka_unit_test(test_uniform_parents),
		cmocka_unit_test(test_noise_layout),
		cmocka_unit_test(test_set_hparam),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_nan_fitness),
		cmocka_unit_test_setup_teardown(test_state_round_trip,
						tu_tmp_setup, tu_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_load_errors, tu_tmp_setup,
						tu_tmp_teardown),
		cmocka_unit_test(test_sphere_10d_1e6_in_30000_evals),
		cmocka_unit_test(test_rosenbrock_10d_1_in_80000_evals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
