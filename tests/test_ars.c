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
#include "tests/algotest.h"

static const algo_ops *const ops = &ars_ops;
/* theta, iteration */
static const at_algo algo = { &ars_ops, 2, ALGO_STATE_MAX };

/* ---- schema ------------------------------------------------------------ */

static void test_schema(void **unused)
{
	ej_err err = { 0 };
	void *s;

	(void)unused;
	/* defaults: 16 members (8 directions), theta 0 */
	s = at_mk_ok(&algo, "algo:\n  name: ars\n", 3, 1);
	assert_int_equal(ops->pop_size(s), 16);
	assert_true(ops->best_params(s)[0] == 0.0f &&
		    ops->best_params(s)[2] == 0.0f);
	ops->free(s);
	s = at_mk_ok(&algo, "algo:\n  version: v2\n  init_mean: -2\n", 2, 1);
	assert_true(ops->best_params(s)[1] == -2.0f);
	ops->free(s);
	assert_null(at_mk(&algo, "algo:\n  pop_size: 7\n", 3, 1, &err));
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "t.yaml:2:13: 'pop_size' must be an even "
			    "integer >= 2, got '7'");
	assert_null(at_mk(&algo, "algo:\n  version: v3\n", 3, 1, &err));
	assert_string_equal(err.msg, "t.yaml:2:12: 'version' must be one of "
			    "v1, v2, got 'v3' (did you mean 'v1'?)");
	assert_null(at_mk(&algo, "algo:\n  noise_std: 0\n", 3, 1, &err));
	assert_non_null(strstr(err.msg, "t.yaml:2:14: 'noise_std'"));
	assert_null(at_mk(&algo, "algo:\n  top_k: -1\n", 3, 1, &err));
	assert_non_null(strstr(err.msg, "t.yaml:2:10: 'top_k'"));
	/* top_k spans two keys: checked by create */
	assert_null(at_mk(&algo, "algo:\n  pop_size: 8\n  top_k: 5\n", 3, 1,
			  &err));
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "'top_k' must be in [0, pop_size/2 = 4], "
			    "got '5'");
	s = at_mk_ok(&algo, "algo:\n  pop_size: 8\n  top_k: 4\n", 3, 1);
	ops->free(s);
}

static void test_create_errors(void **unused)
{
	(void)unused;
	/* P = 2: no optimizer needed */
	at_check_create_errors(&algo, "'ars' needs at least one parameter", 2,
			       16);
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
	void *s = at_mk_ok(&algo, yaml, HP, 5);
	float pop[HN * HP], pop2[HN * HP];
	ej_err err = { 0 };

	assert_int_equal(ops->ask(s, pop, &err), 0);
	for (uint32_t k = 0; k < 3; k++)
		for (uint32_t j = 0; j < HP; j++) {
			float d = 0.1f * at_eps(5, 0, k, j);

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
		at_assert_near(ops->best_params(s)[j], 0.5 + step, 2e-6);
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
	void *s = at_mk_ok(&algo, HW_YAML("0"), HP, 5);
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
	void *s = at_mk_ok(&algo, "algo:\n  pop_size: 6\n  noise_std: 1\n"
			   "  step_size: 0.01\n", 6, 99);

	(void)unused;
	at_check_mirrored_noise(&algo, s, 6, 99, 3, NULL);
	ops->free(s);
}

/* nu decays as max(noise_limit, noise_std noise_decay^it) (EvoJAX's
 * decay_stdev / limit_stdev): 0.4, 0.2, 0.1, then the floor 0.08. */
static void test_noise_decay(void **unused)
{
	enum { P = 3, N = 4 };
	static const float want[5] = { 0.4f, 0.2f, 0.1f, 0.08f, 0.08f };
	void *s = at_mk_ok(&algo, "algo:\n  pop_size: 4\n  noise_std: 0.4\n"
			   "  noise_decay: 0.5\n  noise_limit: 0.08\n", P, 5);
	float pop[N * P];
	static const float fit[N] = { 1, 1, 1, 1 };
	ej_err err = { 0 };

	(void)unused;
	for (uint32_t it = 0; it < 5; it++) {
		assert_int_equal(ops->ask(s, pop, &err), 0);
		for (uint32_t k = 0; k < N / 2; k++)
			for (uint32_t j = 0; j < P; j++)
				at_assert_near((pop[2 * k * P + j] -
						pop[(2 * k + 1) * P + j]) / 2,
					       want[it] * at_eps(5, it, k, j),
					       1e-6);
		assert_int_equal(ops->tell(s, fit, &err), 0);
	}
	ops->free(s);
}

/* v1 and v2 run the same update (v2's normalisation is the trainer's). */
static void test_versions_same_update(void **unused)
{
	void *a = at_mk_ok(&algo, "algo:\n  version: v1\n  init_mean: 1\n",
			   6, 8);
	void *b = at_mk_ok(&algo, "algo:\n  version: v2\n  init_mean: 1\n",
			   6, 8);

	(void)unused;
	at_run(&algo, a, at_sphere, 6, 5);
	at_run(&algo, b, at_sphere, 6, 5);
	assert_memory_equal(ops->best_params(a), ops->best_params(b),
			    6 * sizeof(float));
	assert_true(ops->best_params(a)[0] != 1.0f);
	ops->free(a);
	ops->free(b);
}

static void test_set_hparam(void **unused)
{
	static const float fit[HN] = { 1, 4, 2, 0, 5, 3 };
	void *a = at_mk_ok(&algo, HW_YAML("2"), HP, 5);
	void *b = at_mk_ok(&algo, HW_YAML("2"), HP, 5);
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
		at_assert_near(ops->best_params(b)[j] - 0.5,
			       (ops->best_params(a)[j] - 0.5) / 2, 1e-6);
	ops->free(a);
	ops->free(b);
}

/* ---- determinism, errors and state ------------------------------------- */

static void test_determinism(void **unused)
{
	(void)unused;
	at_check_determinism(&algo, "algo:\n  pop_size: 8\n  init_mean: 1\n"
			     "  top_k: 2\n", 7, 42, 43, 10);
}

static void test_nan_fitness(void **unused)
{
	void *s = at_mk_ok(&algo, "algo:\n  pop_size: 4\n", 3, 3);

	(void)unused;
	at_check_nonfinite_fitness(&algo, s, 3, 3, "fitness of member 3 is nan",
				   0, -INFINITY, "fitness of member 0 is -inf");
	ops->free(s);
}

static void test_state_round_trip(void **state)
{
	static const char *yaml = "algo:\n  pop_size: 8\n  top_k: 3\n"
				  "  init_mean: 1\n";
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
	static const float t[3] = { 1, NAN, 3 };
	static const int64_t it = 2;
	npz_array arr[2] = {
		{ .name = "theta", .dtype = NPZ_F32, .ndim = 1, .shape = { 3 },
		  .data = t },
		{ .name = "iteration", .dtype = NPZ_I64, .ndim = 0,
		  .data = &it },
	};

	/* only 'theta'; a NaN in theta; a state of another size */
	at_expect_load_fails(&algo, s, path, arr, 1,
			     "missing array 'iteration'");
	at_expect_load_fails(&algo, s, path, arr, 2,
			     "array 'theta' has a bad value at 1");
	at_expect_other_size_fails(&algo, s, "algo:\n  pop_size: 4\n", path,
				   "theta");
	ops->free(s);
}

/* ---- benchmarks -------------------------------------------------------- */

/* sphere 10-D from x0 = 1, defaults: f < 1e-6 within 5,000 evaluations */
static void test_sphere_10d_1e6_in_5000_evals(void **unused)
{
	void *s = at_mk_ok(&algo, "algo:\n  init_mean: 1\n", 10, 42);

	(void)unused;
	at_expect_target(&algo, s, at_sphere, 10, 5000, 1e-6, NULL, "sphere");
	ops->free(s);
}

/* rastrigin 10-D from x0 = 3, pop 64, nu 0.5, step 0.1: f < 0.5 within
 * 200,000 evaluations */
static void test_rastrigin_10d_05_in_200000_evals(void **unused)
{
	void *s = at_mk_ok(&algo, "algo:\n  init_mean: 3\n  pop_size: 64\n"
			   "  noise_std: 0.5\n  step_size: 0.1\n", 10, 42);

	(void)unused;
	at_assert_near(at_rastrigin(ops->best_params(s), 10), 90, 1e-9);
	at_expect_target(&algo, s, at_rastrigin, 10, 200000, 0.5, NULL,
			 "rastrigin");
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
