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
#include "tests/algotest.h"

static const algo_ops *const ops = &open_es_ops;
/* mean, sigma, iteration, then the optimizer's arrays */
static const at_algo algo = { &open_es_ops, 3, ALGO_STATE_MAX };

static float sigma_of(const void *s)
{
	npz_array a[ALGO_STATE_MAX];
	char names[ALGO_STATE_MAX][64];

	return *(const float *)at_state_array(&algo, s, "sigma", a,
					      names)->data;
}

/* ---- schema ------------------------------------------------------------ */

static void test_schema(void **unused)
{
	ej_err err = { 0 };
	void *s;

	(void)unused;
	/* defaults: 64 members, mean 0, sigma 0.01 */
	s = at_mk_ok(&algo, "algo:\n  name: open_es\n", 3, 1);
	assert_int_equal(ops->pop_size(s), 64);
	assert_true(ops->best_params(s)[0] == 0.0f &&
		    ops->best_params(s)[2] == 0.0f);
	assert_true(sigma_of(s) == 0.01f);
	ops->free(s);
	s = at_mk_ok(&algo, "algo:\n  init_mean: 1.5\n  pop_size: 6\n", 2, 1);
	assert_int_equal(ops->pop_size(s), 6);
	assert_true(ops->best_params(s)[1] == 1.5f);
	ops->free(s);
	assert_null(at_mk(&algo, "algo:\n  pop_size: 63\n", 3, 1, &err));
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "t.yaml:2:13: 'pop_size' must be an even "
			    "integer >= 2, got '63'");
	assert_null(at_mk(&algo, "algo:\n  sigma_decay: 1.5\n", 3, 1, &err));
	assert_string_equal(err.msg, "t.yaml:2:16: 'sigma_decay' must be a "
			    "number in (0, 1], got '1.5'");
	assert_null(at_mk(&algo, "algo:\n  lr: 0\n", 3, 1, &err));
	assert_non_null(strstr(err.msg, "t.yaml:2:7: 'lr'"));
	assert_null(at_mk(&algo, "algo:\n  sigma_limit: 0\n", 3, 1, &err));
	assert_non_null(strstr(err.msg, "t.yaml:2:16: 'sigma_limit'"));
	assert_null(at_mk(&algo, "algo:\n  sigma_int: 0.1\n", 3, 1, &err));
	assert_string_equal(err.msg, "t.yaml:2:3: unknown key 'sigma_int' in "
			    "'algo' (did you mean 'sigma_init'?)");
}

static void test_create_errors(void **unused)
{
	(void)unused;
	/* P = 2 with optim NULL: adam defaults */
	at_check_create_errors(&algo, "'open_es' needs at least one parameter",
			       2, 64);
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
	void *s = at_mk_ok(&algo, HW_YAML("sgd"), HP, 5);
	float pop[HN * HP], pop2[HN * HP];
	double g[HP];
	ej_err err = { 0 };

	assert_int_equal(ops->pop_size(s), HN);
	assert_int_equal(ops->ask(s, pop, &err), 0);
	/* rows 2k = mean + sigma eps_k, 2k+1 = mean - sigma eps_k */
	for (uint32_t k = 0; k < 2; k++)
		for (uint32_t j = 0; j < HP; j++) {
			float d = 0.1f * at_eps(5, 0, k, j);

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
		at_assert_near(ops->best_params(s)[j], 0.5 + g[j], 2e-6);
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
	void *s = at_mk_ok(&algo, HW_YAML("adam"), HP, 5);
	float pop[HN * HP];
	double g[HP];
	ej_err err = { 0 };

	(void)unused;
	assert_int_equal(ops->ask(s, pop, &err), 0);
	assert_int_equal(ops->set_hparam(s, "lr", 0.25), 0);
	assert_int_equal(ops->tell(s, fit, &err), 0);
	hw_grad(pop, u, g);
	for (size_t j = 0; j < HP; j++)
		at_assert_near(ops->best_params(s)[j],
			       0.5 + (g[j] > 0 ? 0.25 : -0.25), 1e-6);
	ops->free(s);
}

/* sigma: 0.1, 0.05, 0.025, 0.0125, then held at the limit 0.01. */
static void test_sigma_decay(void **unused)
{
	static const float fit[HN] = { 1, 2, 3, 4 };
	static const float want[] = { 0.1f, 0.05f, 0.025f, 0.0125f, 0.01f,
				      0.01f };
	void *s = at_mk_ok(&algo, HW_YAML("sgd"), HP, 5);
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
	void *s = at_mk_ok(&algo, "algo:\n  pop_size: 6\n  sigma_init: 1\n"
			   "  sigma_decay: 1\n  lr: 0.01\n", 6, 99);

	(void)unused;
	at_check_mirrored_noise(&algo, s, 6, 99, 3, NULL);
	ops->free(s);
}

/* ---- hyperparameters --------------------------------------------------- */

static void test_set_hparam(void **unused)
{
	static const char *plain = "algo:\n  pop_size: 8\n  lr: 0.05\n"
				   "optimizer:\n  name: sgd\n";
	static const char *mom = "algo:\n  pop_size: 8\n  lr: 0.05\n"
				 "optimizer:\n  name: sgd\n  momentum: 0.9\n";
	void *a = at_mk_ok(&algo, plain, 4, 3), *b = at_mk_ok(&algo, mom, 4, 3);

	(void)unused;
	assert_string_equal(ops->hparams[0], "lr");
	assert_null(ops->hparams[1]);
	assert_int_equal(ops->set_hparam(a, "bogus", 1), -1);
	/* momentum set at run time == momentum configured */
	assert_int_equal(ops->set_hparam(a, "momentum", 0.9), 0);
	at_run(&algo, a, at_sphere, 4, 4);
	at_run(&algo, b, at_sphere, 4, 4);
	assert_memory_equal(ops->best_params(a), ops->best_params(b),
			    4 * sizeof(float));
	/* lr 0 freezes the mean */
	assert_int_equal(ops->set_hparam(a, "lr", 0), 0);
	assert_int_equal(ops->set_hparam(a, "momentum", 0), 0);
	{
		float before[4];

		memcpy(before, ops->best_params(a), sizeof(before));
		at_run(&algo, a, at_sphere, 4, 2);
		assert_memory_equal(before, ops->best_params(a),
				    sizeof(before));
	}
	ops->free(a);
	ops->free(b);
}

/* ---- determinism, errors and state ------------------------------------- */

static void test_determinism(void **unused)
{
	(void)unused;
	at_check_determinism(&algo, "algo:\n  pop_size: 8\n  init_mean: 1\n",
			     7, 42, 43, 10);
}

static void test_nan_fitness(void **unused)
{
	void *s = at_mk_ok(&algo, "algo:\n  pop_size: 4\n", 3, 3);

	(void)unused;
	at_check_nonfinite_fitness(&algo, s, 3, 2, "fitness of member 2 is nan",
				   1, INFINITY, "fitness of member 1 is inf");
	ops->free(s);
}

/* save after 5 iterations, load into a fresh instance, run both 5 more:
 * populations and states agree bit for bit (adam moments included). */
static void test_state_round_trip(void **state)
{
	static const char *yaml = "algo:\n  pop_size: 8\n  init_mean: 1\n"
				  "  sigma_decay: 0.9\n";
	const char *path = ((tu_tmp *)*state)->path;
	void *a = at_mk_ok(&algo, yaml, 10, 11);
	void *b = at_mk_ok(&algo, yaml, 10, 11);

	at_check_resume(&algo, a, b, at_sphere, 10, 5, 5, path);
	ops->free(a);
	ops->free(b);
}

static void test_load_errors(void **state)
{
	const char *path = ((tu_tmp *)*state)->path;
	void *s = at_mk_ok(&algo, "algo:\n  pop_size: 4\n", 3, 3);
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

	/* only 'mean'; a negative sigma; a state of another size */
	at_expect_load_fails(&algo, s, path, arr, 1, "sigma");
	at_expect_load_fails(&algo, s, path, arr, 3,
			     "array 'sigma' must be > 0, got -1");
	at_expect_other_size_fails(&algo, s, "algo:\n  pop_size: 4\n", path,
				   "mean");
	ops->free(s);
}

/* ---- benchmarks -------------------------------------------------------- */

/* sphere 10-D from x0 = 1, defaults: f < 1e-6 within 25,000 evaluations */
static void test_sphere_10d_1e6_in_25000_evals(void **unused)
{
	void *s = at_mk_ok(&algo, "algo:\n  init_mean: 1\n", 10, 42);

	(void)unused;
	assert_true(at_sphere(ops->best_params(s), 10) == 10.0);
	at_expect_target(&algo, s, at_sphere, 10, 25000, 1e-6, NULL, "sphere");
	ops->free(s);
}

/* rosenbrock 10-D from x0 = 0 (f = 9), defaults: f < 1e-2 within 120,000
 * evaluations */
static void test_rosenbrock_10d_1e2_in_120000_evals(void **unused)
{
	void *s = at_mk_ok(&algo, "algo:\n  init_mean: 0\n", 10, 42);

	(void)unused;
	assert_true(at_rosenbrock(ops->best_params(s), 10) == 9.0);
	at_expect_target(&algo, s, at_rosenbrock, 10, 120000, 1e-2, NULL,
			 "rosenbrock");
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
