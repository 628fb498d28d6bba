/* test_sep_cma_es.c - Sep-CMA-ES: Ros & Hansen's (n + 2)/3 learning rates
 * and the negative weights they imply, one iteration on n = 2 recomputed
 * from the formulas, convergence on sphere and ellipsoid within stated
 * budgets, a 100,000-parameter instance (where cma_es refuses),
 * determinism, the bit-exact state round trip, errors.
 */
#include "tests/algotest.h"

#include "algos/cma_es.h"

static const algo_ops *const ops = &sep_cma_es_ops;
/* mean, sigma, C, p_sigma, p_c, best_params, best_fitness, iteration */
static const at_algo algo = { &sep_cma_es_ops, 8, 8 };

static void test_slots_and_schema(void **unused)
{
	ej_err err = { 0 };
	void *s;

	(void)unused;
	assert_string_equal(ops->name, "sep_cma_es");
	assert_true(ops->create && ops->pop_size && ops->ask && ops->tell &&
		    ops->best_params && ops->state && ops->load && ops->free);
	assert_null(ops->hparams);
	assert_null(ops->set_hparam);
	s = at_mk_ok(&algo, "algo:\n  name: sep_cma_es\n", 10, 1);
	assert_int_equal(ops->pop_size(s), 10);
	assert_true(at_state_f64(&algo, s, "sigma")[0] == 0.1);
	assert_true(ops->best_params(s)[9] == 0.0f);
	ops->free(s);
	assert_null(at_mk(&algo, "algo:\n  pop_size: 1\n", 3, 1, &err));
	assert_string_equal(err.msg, "'pop_size' of 'sep_cma_es' must be 0 "
			    "(4 + floor(3 ln n)) or >= 2, got '1'");
	assert_null(at_mk(&algo, "algo: {}\n", 0, 1, &err));
	assert_string_equal(err.msg,
			    "'sep_cma_es' needs at least one parameter");
}

/* c_1, c_mu times (n + 2)/3; at n = 10 the positive-definiteness bound
 * (1 - c_1 - c_mu)/(n c_mu) = 0.8966 is the binding factor of the negative
 * weights (full CMA-ES at n = 10 has w_10 = -0.5497). */
static void test_constants(void **unused)
{
	cma_params p;

	(void)unused;
	assert_int_equal(cma_params_init(&p, 10, 10, 12.0 / 3, NULL), 0);
	at_assert_near(p.c1, 4 * 0.015283824524751714, 1e-15);
	at_assert_near(p.cmu, 4 * 0.023551776650417484, 1e-15);
	at_assert_near(p.w[0], 0.45627264690340597, 1e-15);
	at_assert_near(p.w[9], -0.29892059698252577, 1e-15);
	at_assert_near(p.cc, 0.29499038303562225, 1e-15); /* unscaled */
	cma_params_release(&p);
	assert_int_equal(cma_params_init(&p, 2, 6, 4.0 / 3, NULL), 0);
	at_assert_near(p.c1, 0.20642053319521814, 1e-15);
	at_assert_near(p.cmu, 0.11412370590221899, 1e-15);
	at_assert_near(p.w[5], -1.1559817781589212, 1e-15);
	cma_params_release(&p);
}

#define HW_SEED 19u

static void test_hand_iteration_n2(void **unused)
{
	static const float fit[6] = { -4, 1, 0.5, 9, -2, 3 };
	static const size_t order[6] = { 3, 5, 1, 2, 4, 0 };
	void *s = at_mk_ok(&algo, "algo:\n  init_mean: -1\n  init_stdev: 2\n",
			   2, HW_SEED);
	float pop[12];
	double z[6][2], zw[2] = { 0 }, m[2], ps[2], pc[2], c[2], sw = 0;
	double psn = 0, hsig, a, sig;
	cma_params p;
	ej_err err = { 0 };

	(void)unused;
	assert_int_equal(cma_params_init(&p, 2, 6, 4.0 / 3, NULL), 0);
	for (size_t i = 0; i < 6; i++)
		sw += p.w[i];
	assert_int_equal(ops->ask(s, pop, &err), 0);
	for (uint32_t k = 0; k < 6; k++)
		for (uint32_t j = 0; j < 2; j++) {
			z[k][j] = at_eps(HW_SEED, 0, k, j);
			assert_true(pop[k * 2 + j] ==
				    (float)(-1 + 2 * (1 * z[k][j])));
		}
	assert_int_equal(ops->tell(s, fit, &err), 0);
	for (size_t i = 0; i < 3; i++)
		for (size_t j = 0; j < 2; j++)
			zw[j] += p.w[i] * z[order[i]][j];
	for (size_t j = 0; j < 2; j++) {
		m[j] = -1 + 2 * zw[j];
		ps[j] = sqrt(p.cs * (2 - p.cs) * p.mueff) * zw[j];
		psn += ps[j] * ps[j];
	}
	psn = sqrt(psn);
	hsig = psn / sqrt(1 - (1 - p.cs) * (1 - p.cs)) <
	       (1.4 + 2 / 3.0) * p.chi_n;
	a = 1 + p.c1 * (1 - hsig) * p.cc * (2 - p.cc) - p.c1 - p.cmu * sw;
	for (size_t j = 0; j < 2; j++) {
		double acc = 0;

		pc[j] = hsig * sqrt(p.cc * (2 - p.cc) * p.mueff) * zw[j];
		for (size_t i = 0; i < 6; i++) {
			const double *y = z[order[i]];
			double wi = p.w[i];

			if (wi < 0)
				wi *= 2 / (y[0] * y[0] + y[1] * y[1]);
			acc += wi * y[j] * y[j];
		}
		c[j] = a + p.c1 * pc[j] * pc[j] + p.cmu * acc;
	}
	sig = 2 * exp(p.cs / p.damps * (psn / p.chi_n - 1));
	for (size_t j = 0; j < 2; j++) {
		at_assert_near(at_state_f64(&algo, s, "mean")[j], m[j], 1e-15);
		at_assert_near(at_state_f64(&algo, s, "p_sigma")[j], ps[j],
			       1e-14);
		at_assert_near(at_state_f64(&algo, s, "p_c")[j], pc[j], 1e-14);
		at_assert_near(at_state_f64(&algo, s, "C")[j], c[j], 1e-14);
		assert_true(fabs(c[j] - 1) > 1e-3);
	}
	at_assert_near(at_state_f64(&algo, s, "sigma")[0], sig, 1e-14);
	/* iteration 1: x = m + sigma sqrt(c) z */
	assert_int_equal(ops->ask(s, pop, &err), 0);
	for (uint32_t k = 0; k < 6; k++)
		for (uint32_t j = 0; j < 2; j++)
			at_assert_near(pop[k * 2 + j], m[j] + sig * sqrt(c[j]) *
				       at_eps(HW_SEED, 1, k, j), 2e-6);
	assert_true(at_state_f64(&algo, s, "best_fitness")[0] == 9);
	{
		npz_array arrs[ALGO_STATE_MAX];
		char names[ALGO_STATE_MAX][64];
		const float *bx = at_state_array(&algo, s, "best_params", arrs,
						 names)->data;

		assert_true(bx[1] == (float)(-1 + 2 * z[3][1]));
	}
	cma_params_release(&p);
	ops->free(s);
}

/* Seed 1, default lambda; best f below the target within the budget. */
static void test_convergence(void **unused)
{
	static const struct {
		const char *name;
		size_t n;
		double (*f)(const float *, size_t);
		long budget;
	} cases[] = {
		{ "10-D sphere", 10, at_sphere, 1500 },
		{ "10-D ellipsoid", 10, at_ellipsoid, 3000 },
		{ "100-D ellipsoid", 100, at_ellipsoid, 35000 },
	};

	(void)unused;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		void *s = at_mk_ok(&algo, "algo:\n  init_mean: 1\n"
				   "  init_stdev: 1\n", cases[c].n, 1);
		long used = at_evals_to_sample_target(&algo, s, cases[c].f,
						      cases[c].n,
						      cases[c].budget, 1e-8);

		print_message("sep_cma_es %s: f < 1e-8 after %ld evaluations "
			      "(budget %ld)\n", cases[c].name, used,
			      cases[c].budget);
		if (used > cases[c].budget)
			fail_msg("%s: no f < 1e-8 within %ld evaluations",
				 cases[c].name, cases[c].budget);
		ops->free(s);
	}
}

/* 100,000 parameters (cma_es refuses these), lambda 38: one iteration on
 * the sphere moves the mean against the gradient 2m.  Selection acts
 * almost only on m.z, so the step's projection m.(m' - m) is sigma |m|
 * times a weighted mean of top order statistics of N(0, 1) (seed 2:
 * -55 = -1.75 sigma |m|); ask for -0.5 sigma |m|. */
static void test_large(void **unused)
{
	enum { N = 100000 };
	void *s = at_mk_ok(&algo, "algo:\n  init_mean: 1\n  init_stdev: 0.1\n",
			   N, 2);
	float *m0 = malloc(N * sizeof(float));
	double dot = 0;

	(void)unused;
	assert_non_null(m0);
	assert_int_equal(ops->pop_size(s), 38);
	memcpy(m0, ops->best_params(s), N * sizeof(float));
	at_run(&algo, s, at_sphere, N, 1);
	for (size_t j = 0; j < N; j++)
		dot += (double)m0[j] * ((double)ops->best_params(s)[j] - m0[j]);
	if (!(dot < -0.5 * 0.1 * sqrt((double)N)))
		fail_msg("m . (m' - m) = %g", dot);
	free(m0);
	ops->free(s);
}

static void test_determinism(void **unused)
{
	void *a = at_mk_ok(&algo, "algo:\n  init_mean: 1\n", 12, 5);
	void *b = at_mk_ok(&algo, "algo:\n  init_mean: 1\n", 12, 5);

	(void)unused;
	at_run(&algo, a, at_ellipsoid, 12, 30);
	at_run(&algo, b, at_ellipsoid, 12, 30);
	at_assert_same_state(&algo, a, b);
	ops->free(a);
	ops->free(b);
}

static void test_state_round_trip(void **state)
{
	static const char *yaml = "algo:\n  init_mean: 1\n  pop_size: 9\n";
	const char *path = ((tu_tmp *)*state)->path;
	void *a = at_mk_ok(&algo, yaml, 40, 11);
	void *b = at_mk_ok(&algo, yaml, 40, 11);
	float pa[9 * 40], pb[9 * 40];
	ej_err err = { 0 };

	at_run(&algo, a, at_ellipsoid, 40, 6);
	at_copy_state(&algo, a, b, path);
	at_assert_same_state(&algo, a, b);
	for (int it = 0; it < 5; it++) {
		assert_int_equal(ops->ask(a, pa, &err), 0);
		assert_int_equal(ops->ask(b, pb, &err), 0);
		assert_memory_equal(pa, pb, sizeof(pa));
		at_run(&algo, a, at_ellipsoid, 40, 1);
		at_run(&algo, b, at_ellipsoid, 40, 1);
	}
	at_assert_same_state(&algo, a, b);
	ops->free(a);
	ops->free(b);
}

static void test_errors(void **state)
{
	const char *path = ((tu_tmp *)*state)->path;
	void *s = at_mk_ok(&algo, "algo:\n  pop_size: 4\n", 3, 3);
	float pop[12], fit[4] = { 1, 2, -INFINITY, 4 };
	static const double bad[3] = { 1, 0, 1 };
	npz_array arrs[ALGO_STATE_MAX];
	char names[ALGO_STATE_MAX][64];
	unsigned char *before;
	size_t n, na;
	ej_err err = { 0 };

	assert_int_equal(ops->ask(s, pop, &err), 0);
	n = at_snapshot_alloc(&algo, s, &before);
	assert_int_equal(ops->tell(s, fit, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_RUN);
	assert_string_equal(err.msg, "fitness of member 2 is -inf");
	/* a state whose variance 1 is 0 */
	na = ops->state(s, arrs, ALGO_STATE_MAX, names);
	assert_string_equal(arrs[2].name, "C");
	arrs[2].data = bad;
	assert_int_equal(npz_write(path, arrs, na, &err), 0);
	assert_int_equal(at_load_rc(&algo, s, path, &err), -1);
	assert_string_equal(err.msg, "array 'C' has a value <= 0 at 1");
	at_assert_unchanged(&algo, s, before, n);
	free(before);
	ops->free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slots_and_schema),
		cmocka_unit_test(test_constants),
		cmocka_unit_test(test_hand_iteration_n2),
		cmocka_unit_test(test_convergence),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test_setup_teardown(test_state_round_trip,
						tu_tmp_setup, tu_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_errors, tu_tmp_setup,
						tu_tmp_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
