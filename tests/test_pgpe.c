/* test_pgpe.c - PGPE against hand-derived updates, the registry, a sphere
 * run, NaN fitness and the state round trip.
 *
 * The noise eps comes from the same Philox draws the algorithm uses (the
 * layout test pins which draw feeds which parameter); the expected center
 * and sigma updates are computed here in double, with the centered ranks
 * written out by hand.
 */
#include "tests/algotest.h"

static const algo_ops *const ops = &pgpe_ops;
/* center, stdev, iteration, then the optimizer's arrays */
static const at_algo algo = { &pgpe_ops, 3, ALGO_STATE_MAX };

/* ---- registry and schema ----------------------------------------------- */

static void test_registry(void **unused)
{
	size_t n = 0;

	(void)unused;
	assert_ptr_equal(algo_find("pgpe"), &pgpe_ops);
	assert_null(algo_find("pgpe2"));
	assert_null(algo_find(NULL));
	for (size_t i = 0; algo_registry[i]; i++, n++) {
		const algo_ops *o = algo_registry[i];

		assert_non_null(o->name);
		assert_non_null(o->summary);
		assert_non_null(o->fields);
		assert_true(o->n_fields > 0 && o->cfg_size > 0);
		assert_true(o->create && o->pop_size && o->ask && o->tell &&
			    o->best_params && o->state && o->load && o->free);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(algo_registry[j]->name,
						o->name);
		assert_ptr_equal(algo_find(o->name), o);
	}
	assert_true(n >= 1);
}

static void test_schema(void **unused)
{
	ej_err err = { 0 };
	void *s;

	(void)unused;
	/* defaults: P = 3, center 0, sigma 0.1, 64 members */
	s = at_mk_ok(&algo, "algo:\n  name: pgpe\n", 3, 1);
	assert_int_equal(ops->pop_size(s), 64);
	assert_true(ops->best_params(s)[0] == 0.0f &&
		    ops->best_params(s)[2] == 0.0f);
	ops->free(s);
	assert_null(at_mk(&algo, "algo:\n  pop_size: 63\n", 3, 1, &err));
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "t.yaml:2:13: 'pop_size' must be an even "
			    "integer >= 2, got '63'");
	assert_null(at_mk(&algo, "algo:\n  center_lr: 0\n", 3, 1, &err));
	assert_non_null(strstr(err.msg, "t.yaml:2:14: 'center_lr'"));
	assert_null(at_mk(&algo, "algo:\n  stdev_lr: -1\n", 3, 1, &err));
	assert_non_null(strstr(err.msg, "t.yaml:2:13: 'stdev_lr'"));
	assert_null(at_mk(&algo, "algo:\n  pop_sise: 8\n", 3, 1, &err));
	assert_string_equal(err.msg, "t.yaml:2:3: unknown key 'pop_sise' in "
			    "'algo' (did you mean 'pop_size'?)");
}

static void test_create_errors(void **unused)
{
	(void)unused;
	/* P = 2 with optim NULL: adam defaults */
	at_check_create_errors(&algo, "'pgpe' needs at least one parameter", 2,
			       64);
}

/* ---- the hand-worked case ---------------------------------------------- */

#define HW_YAML(extra)                                                      \
	"algo:\n  name: pgpe\n  pop_size: 4\n  center_init: 0.5\n"           \
	"  init_stdev: 0.1\n  center_lr: 1\n" extra                          \
	"optimizer:\n  name: sgd\n"

/* Expected center and sigma after one tell with shaped fitness u (N = 4,
 * K = 2, P = 2, center 0.5, sigma 0.1, sgd lr 1), written from the PGPE
 * formulas in double. */
static void hw_expect(const double u[4], double stdev_lr, double center[2],
		      double sigma[2], int *clipped)
{
	const double s = 0.1, b = (u[0] + u[1] + u[2] + u[3]) / 4;

	*clipped = 0;
	for (uint32_t j = 0; j < 2; j++) {
		double d0 = s * at_eps(5, 0, 0, j), d1 = s * at_eps(5, 0, 1, j);
		double gc = (d0 * (u[0] - u[1]) / 2 + d1 * (u[2] - u[3]) / 2) / 2;
		double gs = (((u[0] + u[1]) / 2 - b) * (d0 * d0 - s * s) / s +
			     ((u[2] + u[3]) / 2 - b) * (d1 * d1 - s * s) / s) /
			    2;
		double next = s + stdev_lr * gs;

		assert_true(gs != 0);
		center[j] = 0.5 + gc;
		if (next < 0.08 || next > 0.12) {
			next = next < 0.08 ? 0.08 : 0.12;
			(*clipped)++;
		}
		sigma[j] = next;
	}
}

static void hw_check(const char *yaml, const float fit[4], const double u[4],
		     double stdev_lr, int want_clipped)
{
	void *s = at_mk_ok(&algo, yaml, 2, 5);
	float pop[8], pop2[8];
	double center[2], sigma[2];
	ej_err err = { 0 };
	npz_array a[ALGO_STATE_MAX];
	char names[ALGO_STATE_MAX][64];
	int clipped;

	assert_int_equal(ops->pop_size(s), 4);
	assert_int_equal(ops->ask(s, pop, &err), 0);
	/* rows interleaved: 2k = c + sigma eps_k, 2k+1 = c - sigma eps_k */
	for (uint32_t k = 0; k < 2; k++)
		for (uint32_t j = 0; j < 2; j++) {
			float d = 0.1f * at_eps(5, 0, k, j);

			at_assert_near(pop[2 * k * 2 + j], 0.5f + d, 1e-7);
			at_assert_near(pop[(2 * k + 1) * 2 + j], 0.5f - d,
				       1e-7);
			assert_true(fabsf(d) > 1e-4f);
		}
	/* asking twice without a tell gives the same population */
	assert_int_equal(ops->ask(s, pop2, &err), 0);
	assert_memory_equal(pop, pop2, sizeof(pop));

	assert_int_equal(ops->tell(s, fit, &err), 0);
	hw_expect(u, stdev_lr, center, sigma, &clipped);
	assert_int_equal(clipped, want_clipped);
	at_assert_near(ops->best_params(s)[0], center[0], 1e-6);
	at_assert_near(ops->best_params(s)[1], center[1], 1e-6);
	assert_true(fabs(center[0] - 0.5) > 1e-3 || fabs(center[1] - 0.5) > 1e-3);
	assert_true(ops->state(s, a, ALGO_STATE_MAX, names) >= 3);
	assert_string_equal(a[1].name, "stdev");
	at_assert_near(((const float *)a[1].data)[0], sigma[0], 1e-7);
	at_assert_near(((const float *)a[1].data)[1], sigma[1], 1e-7);
	assert_string_equal(a[2].name, "iteration");
	assert_int_equal(*(const int64_t *)a[2].data, 1);
	ops->free(s);
}

static void test_hand_worked_ranks(void **unused)
{
	/* fitness 3, 1, 2, 5 -> ranks 2, 0, 1, 3 -> u = r/3 - 1/2 */
	static const float fit[4] = { 3, 1, 2, 5 };
	static const double u[4] = { 1.0 / 6, -0.5, -1.0 / 6, 0.5 };

	(void)unused;
	hw_check(HW_YAML(""), fit, u, 0.1, 0);
}

static void test_hand_worked_ties(void **unused)
{
	/* equal fitness: ranks by index 0, 1, 2, 3 */
	static const float fit[4] = { 2, 2, 2, 2 };
	static const double u[4] = { -0.5, -1.0 / 6, 1.0 / 6, 0.5 };

	(void)unused;
	hw_check(HW_YAML(""), fit, u, 0.1, 0);
}

static void test_hand_worked_raw(void **unused)
{
	/* solution_ranking false: u is the raw fitness, baseline 11/4 */
	static const float fit[4] = { 3, 1, 2, 5 };
	static const double u[4] = { 3, 1, 2, 5 };

	(void)unused;
	hw_check(HW_YAML("  solution_ranking: false\n  stdev_lr: 0.01\n"), fit,
		 u, 0.01, 0);
}

static void test_hand_worked_clip(void **unused)
{
	/* a huge stdev_lr: sigma moves by exactly 20% either way */
	static const float fit[4] = { 3, 1, 2, 5 };
	static const double u[4] = { 1.0 / 6, -0.5, -1.0 / 6, 0.5 };

	(void)unused;
	hw_check(HW_YAML("  stdev_lr: 1000\n"), fit, u, 1000, 2);
}

/* Which draw feeds which parameter, and the iteration in the counter:
 * (row 2k - row 2k+1) / (2 sigma_j) must be eps_k[j] of that iteration. */
static void test_noise_layout(void **unused)
{
	void *s = at_mk_ok(&algo, "algo:\n  pop_size: 6\n  init_stdev: 1\n"
			   "  center_lr: 0.01\n", 6, 99);

	(void)unused;
	at_check_mirrored_noise(&algo, s, 6, 99, 3, "stdev");
	ops->free(s);
}

/* ---- sphere ------------------------------------------------------------ */

static double sphere(const float *x, size_t P)
{
	double f = 0;

	for (size_t j = 0; j < P; j++)
		f -= ((double)x[j] - 1) * ((double)x[j] - 1);
	return f;
}

/* The minimised form the at_ runners take (fitness = -f): -sphere. */
static double f_sphere1(const float *x, size_t P)
{
	return -sphere(x, P);
}

static void test_sphere(void **unused)
{
	static const char *yaml = "algo:\n  name: pgpe\n  pop_size: 64\n"
				  "  center_lr: 0.05\n";
	void *a = at_mk_ok(&algo, yaml, 10, 42);
	void *b = at_mk_ok(&algo, yaml, 10, 42);

	(void)unused;
	assert_true(sphere(ops->best_params(a), 10) == -10.0);
	at_run(&algo, a, f_sphere1, 10, 300);
	at_run(&algo, b, f_sphere1, 10, 300);
	/* brief: better than -0.5; this run reaches ~-2e-8, so ask -1e-3 */
	if (!(sphere(ops->best_params(a), 10) > -1e-3))
		fail_msg("f(center) = %g after 300 iterations",
			 sphere(ops->best_params(a), 10));
	assert_memory_equal(ops->best_params(a), ops->best_params(b),
			    10 * sizeof(float));
	ops->free(a);
	ops->free(b);
}

/* ---- errors and state -------------------------------------------------- */

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
	static const char *yaml = "algo:\n  pop_size: 8\n  center_lr: 0.05\n";
	const char *path = ((tu_tmp *)*state)->path;
	void *a = at_mk_ok(&algo, yaml, 10, 11);
	void *b = at_mk_ok(&algo, yaml, 10, 11);
	unsigned char sa[2048], sb[2048];

	at_run(&algo, a, f_sphere1, 10, 5);
	at_copy_state(&algo, a, b, path);
	assert_int_equal(at_snapshot(&algo, a, sa, sizeof(sa)),
			 at_snapshot(&algo, b, sb, sizeof(sb)));
	at_run_lockstep(&algo, a, b, f_sphere1, 10, 5);
	at_assert_same_state(&algo, a, b);
	ops->free(a);
	ops->free(b);
}

static void test_load_errors(void **state)
{
	const char *path = ((tu_tmp *)*state)->path;
	void *s = at_mk_ok(&algo, "algo:\n  pop_size: 4\n", 3, 3);
	static const float c[3] = { 1, 2, 3 };
	npz_array one = { .name = "center", .dtype = NPZ_F32, .ndim = 1,
			  .shape = { 3 }, .data = c };

	/* only 'center'; a state of another size */
	at_expect_load_fails(&algo, s, path, &one, 1, "stdev");
	at_expect_other_size_fails(&algo, s, "algo:\n  pop_size: 4\n", path,
				   "center");
	ops->free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_schema),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_hand_worked_ranks),
		cmocka_unit_test(test_hand_worked_ties),
		cmocka_unit_test(test_hand_worked_raw),
		cmocka_unit_test(test_hand_worked_clip),
		cmocka_unit_test(test_noise_layout),
		cmocka_unit_test(test_sphere),
		cmocka_unit_test(test_nan_fitness),
		cmocka_unit_test_setup_teardown(test_state_round_trip,
						tu_tmp_setup, tu_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_load_errors, tu_tmp_setup,
						tu_tmp_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
