/* test_cma_es.c - CMA-ES: the tutorial's constants (n = 20 vector of
 * DESIGN.md, n = 2 from pycma 4.x), one iteration on n = 2 recomputed
 * here from the tutorial's formulas, the lazy eigendecomposition,
 * convergence on 10-D sphere / ellipsoid / Rosenbrock within stated
 * budgets, determinism, the bit-exact state round trip, errors.
 *
 * The normals come from the documented Philox layout (at_eps in
 * tests/algotest.h), so the expected populations and updates are computed
 * independently of the algorithm's code path.
 */
#include "tests/algotest.h"

#include "algos/cma_es.h"

static const algo_ops *const ops = &cma_es_ops;
/* mean, sigma, C, B, D, p_sigma, p_c, best_params, best_fitness,
 * iteration, eigen_iteration */
static const at_algo algo = { &cma_es_ops, 11, 11 };

/* ---- slots, schema, constants ------------------------------------------ */

static void test_slots_and_schema(void **unused)
{
	ej_err err = { 0 };
	void *s;

	(void)unused;
	assert_string_equal(ops->name, "cma_es");
	assert_non_null(ops->summary);
	assert_true(ops->create && ops->pop_size && ops->ask && ops->tell &&
		    ops->best_params && ops->state && ops->load && ops->free);
	assert_null(ops->hparams);
	assert_null(ops->set_hparam);
	assert_null(ops->tell_bd);
	/* defaults: lambda 4 + floor(3 ln 10) = 10, mean 0 */
	s = at_mk_ok(&algo, "algo:\n  name: cma_es\n", 10, 1);
	assert_int_equal(ops->pop_size(s), 10);
	for (size_t j = 0; j < 10; j++)
		assert_true(ops->best_params(s)[j] == 0.0f);
	assert_true(at_state_f64(&algo, s, "sigma")[0] == 0.1);
	ops->free(s);
	s = at_mk_ok(&algo, "algo:\n  pop_size: 7\n  init_mean: 2.5\n", 3, 1);
	assert_int_equal(ops->pop_size(s), 7);
	assert_true(ops->best_params(s)[1] == 2.5f);
	ops->free(s);
	assert_null(at_mk(&algo, "algo:\n  pop_size: 1\n", 3, 1, &err));
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "'pop_size' of 'cma_es' must be 0 "
			    "(4 + floor(3 ln n)) or >= 2, got '1'");
	assert_null(at_mk(&algo, "algo:\n  pop_size: -2\n", 3, 1, &err));
	assert_non_null(strstr(err.msg, "t.yaml:2:13: 'pop_size'"));
	assert_null(at_mk(&algo, "algo:\n  init_stdev: 0\n", 3, 1, &err));
	assert_non_null(strstr(err.msg, "t.yaml:2:15: 'init_stdev'"));
	assert_null(at_mk(&algo, "algo:\n  sigma: 1\n", 3, 1, &err));
	assert_non_null(strstr(err.msg, "unknown key 'sigma' in 'algo'"));
	assert_null(at_mk(&algo, "algo: {}\n", 0, 1, &err));
	assert_string_equal(err.msg, "'cma_es' needs at least one parameter");
}

/* DESIGN.md's n = 20 vector (pycma prints the same), the negative weight
 * scaling, and n = 2 values printed by pycma 4.x (CMAParameters). */
static void test_constants(void **unused)
{
	cma_params p;
	double spos = 0;

	(void)unused;
	assert_int_equal(cma_default_lambda(20), 12);
	assert_int_equal(cma_params_init(&p, 20, 12, 1, NULL), 0);
	assert_int_equal(p.mu, 6);
	at_assert_near(p.mueff, 3.72946, 5e-6);
	at_assert_near(p.c1, 0.00437235, 5e-9);
	at_assert_near(p.cc, 0.171767, 5e-7);
	at_assert_near(p.cmu, 0.00921656, 5e-9);
	at_assert_near(p.cs, 0.199428, 5e-7);
	at_assert_near(p.damps, 1.199428, 5e-7);
	at_assert_near(p.w[0], 0.40240294, 5e-9);
	at_assert_near(p.w[11], -0.41520442, 5e-9);
	for (size_t i = 0; i < 6; i++)
		spos += p.w[i];
	at_assert_near(spos, 1, 1e-15);
	assert_int_equal(p.eigen_gap, 1);
	at_assert_near(p.chi_n, sqrt(20) * (1 - 1 / 80.0 + 1 / 8400.0), 1e-15);
	cma_params_release(&p);

	assert_int_equal(cma_default_lambda(2), 6);
	assert_int_equal(cma_params_init(&p, 2, 6, 1, NULL), 0);
	at_assert_near(p.mueff, 2.0286114646100617, 1e-15);
	at_assert_near(p.c1, 0.1548153998964136, 1e-15);
	at_assert_near(p.cc, 0.6245545390268264, 1e-15);
	at_assert_near(p.cmu, 0.08559277942666424, 1e-15);
	at_assert_near(p.w[0], 0.6370425712412168, 1e-15);
	at_assert_near(p.w[5], -1.1559817781589212, 1e-15);
	cma_params_release(&p);

	/* lazy eigendecomposition: n = 300, lambda 21 -> every 2nd;
	 * n = 4609, lambda 256 -> every 3rd */
	assert_int_equal(cma_params_init(&p, 300, cma_default_lambda(300), 1,
					 NULL), 0);
	assert_int_equal(p.lambda, 21);
	assert_int_equal(p.eigen_gap, 2);
	cma_params_release(&p);
	assert_int_equal(cma_params_init(&p, 4609, 256, 1, NULL), 0);
	assert_int_equal(p.eigen_gap, 3);
	cma_params_release(&p);
}

/* ---- one iteration by hand on n = 2 ------------------------------------ */

#define HW_SEED 77u

static void test_hand_iteration_n2(void **unused)
{
	/* lambda 6, mu 3; fitness ranks members 2, 5, 0, 4, 3, 1 */
	static const float fit[6] = { 3, -1, 7, 0, 2, 5 };
	static const size_t order[6] = { 2, 5, 0, 4, 3, 1 };
	void *s = at_mk_ok(&algo, "algo:\n  init_mean: 0.5\n"
			   "  init_stdev: 0.3\n", 2, HW_SEED);
	float pop[12];
	double z[6][2], w[6], yw[2] = { 0 }, m[2], ps[2], pc[2], C[4];
	double psn, hsig, a, sig, cs, ds, cc, c1, cmu, mueff, chi, sw = 0;
	const double *Cs, *B, *D;
	cma_params p;
	ej_err err = { 0 };

	(void)unused;
	assert_int_equal(cma_params_init(&p, 2, 6, 1, NULL), 0);
	memcpy(w, p.w, sizeof(w));
	cs = p.cs;
	ds = p.damps;
	cc = p.cc;
	c1 = p.c1;
	cmu = p.cmu;
	mueff = p.mueff;
	chi = p.chi_n;
	cma_params_release(&p);
	for (size_t i = 0; i < 6; i++)
		sw += w[i];

	/* ask: B = I, D = 1, so x_k = (float)(m + sigma z_k) exactly */
	assert_int_equal(ops->pop_size(s), 6);
	assert_int_equal(ops->ask(s, pop, &err), 0);
	for (uint32_t k = 0; k < 6; k++)
		for (uint32_t j = 0; j < 2; j++) {
			z[k][j] = at_eps(HW_SEED, 0, k, j);
			assert_true(pop[k * 2 + j] ==
				    (float)(0.5 + 0.3 * z[k][j]));
		}
	assert_int_equal(ops->tell(s, fit, &err), 0);

	/* the tutorial, written out for B = I, D = 1 (y = z) */
	for (size_t i = 0; i < 3; i++)
		for (size_t j = 0; j < 2; j++)
			yw[j] += w[i] * z[order[i]][j];
	psn = 0;
	for (size_t j = 0; j < 2; j++) {
		m[j] = 0.5 + 0.3 * yw[j];
		ps[j] = sqrt(cs * (2 - cs) * mueff) * yw[j];
		psn += ps[j] * ps[j];
	}
	psn = sqrt(psn);
	hsig = psn / sqrt(1 - (1 - cs) * (1 - cs)) < (1.4 + 2 / 3.0) * chi;
	a = 1 + c1 * (1 - hsig) * cc * (2 - cc) - c1 - cmu * sw;
	for (size_t j = 0; j < 2; j++)
		pc[j] = hsig * sqrt(cc * (2 - cc) * mueff) * yw[j];
	for (size_t r = 0; r < 2; r++)
		for (size_t c = 0; c < 2; c++) {
			double v = a * (r == c) + c1 * pc[r] * pc[c];

			for (size_t i = 0; i < 6; i++) {
				const double *y = z[order[i]];
				double wi = w[i];

				if (wi < 0)
					wi *= 2 / (y[0] * y[0] + y[1] * y[1]);
				v += cmu * wi * y[r] * y[c];
			}
			C[r * 2 + c] = v;
		}
	sig = 0.3 * exp(cs / ds * (psn / chi - 1));

	for (size_t j = 0; j < 2; j++) {
		at_assert_near(at_state_f64(&algo, s, "mean")[j], m[j], 1e-15);
		at_assert_near(at_state_f64(&algo, s, "p_sigma")[j], ps[j],
			       1e-14);
		at_assert_near(at_state_f64(&algo, s, "p_c")[j], pc[j], 1e-14);
		assert_true(ops->best_params(s)[j] == (float)m[j]);
	}
	assert_true(fabs(m[0] - 0.5) > 1e-3 && hsig == 1);
	at_assert_near(at_state_f64(&algo, s, "sigma")[0], sig, 1e-15);
	Cs = at_state_f64(&algo, s, "C");
	for (size_t i = 0; i < 4; i++)
		at_assert_near(Cs[i], C[i], 1e-14);
	assert_true(Cs[1] == Cs[2] && fabs(C[1]) > 1e-4);

	/* eigen_gap 1: B, D of C right away, C = B diag(D^2) B^T */
	assert_int_equal(at_state_i64(&algo, s, "iteration"), 1);
	assert_int_equal(at_state_i64(&algo, s, "eigen_iteration"), 1);
	B = at_state_f64(&algo, s, "B");
	D = at_state_f64(&algo, s, "D");
	assert_true(D[0] <= D[1]);
	for (size_t r = 0; r < 2; r++)
		for (size_t c = 0; c < 2; c++) {
			double v = 0, o = 0;

			for (size_t k = 0; k < 2; k++) {
				v += B[r * 2 + k] * D[k] * D[k] * B[c * 2 + k];
				o += B[k * 2 + r] * B[k * 2 + c];
			}
			at_assert_near(v, C[r * 2 + c], 1e-14);
			at_assert_near(o, r == c, 1e-15);
		}

	/* iteration 1 samples x = m + sigma B D z */
	assert_int_equal(ops->ask(s, pop, &err), 0);
	for (uint32_t k = 0; k < 6; k++) {
		double zz[2] = { at_eps(HW_SEED, 1, k, 0),
				 at_eps(HW_SEED, 1, k, 1) };

		for (size_t r = 0; r < 2; r++) {
			double y = B[r * 2] * D[0] * zz[0] +
				   B[r * 2 + 1] * D[1] * zz[1];

			at_assert_near(pop[k * 2 + r], m[r] + sig * y, 1e-7);
		}
	}
	/* best-ever: member 2 of iteration 0 */
	assert_true(at_state_f64(&algo, s, "best_fitness")[0] == 7);
	{
		npz_array a[ALGO_STATE_MAX];
		char names[ALGO_STATE_MAX][64];
		const float *bx = at_state_array(&algo, s, "best_params", a,
						 names)->data;

		assert_true(bx[0] == (float)(0.5 + 0.3 * z[2][0]));
		assert_true(bx[1] == (float)(0.5 + 0.3 * z[2][1]));
	}
	ops->free(s);
}

/* ---- lazy eigendecomposition ------------------------------------------- */

/* n = 300: B, D change at iterations 2, 4, ... only; in between the
 * samples keep using the old ones. */
static void test_lazy_eigen(void **unused)
{
	enum { N = 300 };
	void *s = at_mk_ok(&algo, "algo:\n  init_mean: 1\n  init_stdev: 0.5\n",
			   N, 3);
	const double *B, *D, *C;
	double *b1 = malloc(N * N * sizeof(double)), maxerr = 0;

	(void)unused;
	assert_non_null(b1);
	at_run(&algo, s, at_ellipsoid, N, 1);
	assert_int_equal(at_state_i64(&algo, s, "eigen_iteration"), 0);
	B = at_state_f64(&algo, s, "B");
	for (size_t i = 0; i < N; i++)
		for (size_t j = 0; j < N; j++)
			assert_true(B[i * N + j] == (i == j));
	at_run(&algo, s, at_ellipsoid, N, 1);
	assert_int_equal(at_state_i64(&algo, s, "eigen_iteration"), 2);
	B = at_state_f64(&algo, s, "B");
	D = at_state_f64(&algo, s, "D");
	C = at_state_f64(&algo, s, "C");
	memcpy(b1, B, N * N * sizeof(double));
	/* C = B diag(D^2) B^T for the C of iteration 2 */
	for (size_t r = 0; r < N; r += 7)
		for (size_t c = 0; c < N; c += 5) {
			double v = 0;

			for (size_t k = 0; k < N; k++)
				v += B[r * N + k] * D[k] * D[k] * B[c * N + k];
			maxerr = fmax(maxerr, fabs(v - C[r * N + c]));
		}
	assert_true(maxerr < 1e-13);
	assert_true(fabs(B[1]) > 1e-6); /* no longer the identity */
	at_run(&algo, s, at_ellipsoid, N, 1);
	assert_int_equal(at_state_i64(&algo, s, "iteration"), 3);
	assert_int_equal(at_state_i64(&algo, s, "eigen_iteration"), 2);
	assert_memory_equal(at_state_f64(&algo, s, "B"), b1,
			    N * N * sizeof(double));
	at_run(&algo, s, at_ellipsoid, N, 1);
	assert_int_equal(at_state_i64(&algo, s, "eigen_iteration"), 4);
	free(b1);
	ops->free(s);
}

/* ---- convergence -------------------------------------------------------- */

/* 10-D, default lambda 10, seed 1; best f < 1e-8.  pycma 4.x needs
 * 1250-1470 (sphere), 3840-4400 (ellipsoid), 4540-5350 (Rosenbrock)
 * evaluations over seeds 1-5 from the same starts. */
static void test_convergence(void **unused)
{
	static const struct {
		const char *name, *yaml;
		double (*f)(const float *, size_t);
		long budget;
	} cases[] = {
		{ "sphere", "algo:\n  init_mean: 1\n  init_stdev: 1\n",
		  at_sphere, 2000 },
		{ "ellipsoid", "algo:\n  init_mean: 1\n  init_stdev: 1\n",
		  at_ellipsoid, 6000 },
		{ "rosenbrock", "algo:\n  init_mean: 0\n  init_stdev: 0.5\n",
		  at_rosenbrock, 8000 },
	};

	(void)unused;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		void *s = at_mk_ok(&algo, cases[c].yaml, 10, 1);
		long used = at_evals_to_sample_target(&algo, s, cases[c].f, 10,
						      cases[c].budget, 1e-8);

		print_message("cma_es 10-D %s: f < 1e-8 after %ld evaluations "
			      "(budget %ld)\n", cases[c].name, used,
			      cases[c].budget);
		if (used > cases[c].budget)
			fail_msg("%s: no f < 1e-8 within %ld evaluations",
				 cases[c].name, cases[c].budget);
		/* the mean (best_params) is close behind the best sample */
		assert_true(cases[c].f(ops->best_params(s), 10) < 1e-6);
		ops->free(s);
	}
}

/* ---- determinism, state, errors ---------------------------------------- */

static void test_determinism(void **unused)
{
	static const char *yaml = "algo:\n  init_mean: 1\n";
	void *a = at_mk_ok(&algo, yaml, 12, 5);
	void *b = at_mk_ok(&algo, yaml, 12, 5);
	void *c = at_mk_ok(&algo, yaml, 12, 6);
	float pa[16 * 12], pc[16 * 12];
	ej_err err = { 0 };

	(void)unused;
	at_run(&algo, a, at_rosenbrock, 12, 20);
	at_run(&algo, b, at_rosenbrock, 12, 20);
	at_assert_same_state(&algo, a, b);
	assert_int_equal(ops->ask(a, pa, &err), 0);
	assert_int_equal(ops->ask(c, pc, &err), 0);
	assert_true(memcmp(pa, pc, ops->pop_size(a) * 12 * sizeof(float)));
	ops->free(a);
	ops->free(b);
	ops->free(c);
}

/* Save at iteration 5 (B, D from iteration 4: the lazy counter matters),
 * load into a fresh instance, continue 4 iterations: bit-identical to the
 * uninterrupted run, including the populations asked for. */
static void test_state_round_trip(void **state)
{
	enum { N = 300 };
	static const char *yaml = "algo:\n  init_mean: 1\n  init_stdev: 0.5\n";
	const char *path = ((tu_tmp *)*state)->path;
	void *a = at_mk_ok(&algo, yaml, N, 11);
	void *b = at_mk_ok(&algo, yaml, N, 11);
	size_t lam = ops->pop_size(a);
	float *pa = malloc(lam * N * 4), *pb = malloc(lam * N * 4);
	ej_err err = { 0 };

	assert_non_null(pa);
	assert_non_null(pb);
	at_run(&algo, a, at_ellipsoid, N, 5);
	assert_int_equal(at_state_i64(&algo, a, "eigen_iteration"), 4);
	at_copy_state(&algo, a, b, path);
	at_assert_same_state(&algo, a, b);
	for (int it = 0; it < 4; it++) {
		assert_int_equal(ops->ask(a, pa, &err), 0);
		assert_int_equal(ops->ask(b, pb, &err), 0);
		assert_memory_equal(pa, pb, lam * N * sizeof(float));
		at_run(&algo, a, at_ellipsoid, N, 1);
		at_run(&algo, b, at_ellipsoid, N, 1);
	}
	at_assert_same_state(&algo, a, b);
	assert_memory_equal(ops->best_params(a), ops->best_params(b),
			    N * sizeof(float));
	free(pa);
	free(pb);
	ops->free(a);
	ops->free(b);
}

static void test_nan_fitness(void **unused)
{
	void *s = at_mk_ok(&algo, "algo:\n  pop_size: 4\n", 3, 3);

	(void)unused;
	at_check_nonfinite_fitness(&algo, s, 3, 3, "fitness of member 3 is nan",
				   0, INFINITY, "fitness of member 0 is inf");
	ops->free(s);
}

static void test_load_errors(void **state)
{
	const char *path = ((tu_tmp *)*state)->path;
	void *s = at_mk_ok(&algo, "algo:\n  pop_size: 4\n", 3, 3);
	static const double m[3] = { 1, 2, 3 };
	npz_array one = { .name = "mean", .dtype = NPZ_F64, .ndim = 1,
			  .shape = { 3 }, .data = m };

	at_run(&algo, s, at_sphere, 3, 2);
	at_expect_load_fails(&algo, s, path, &one, 1, "missing array 'sigma'");
	at_expect_other_size_fails(&algo, s, "algo:\n  pop_size: 4\n", path,
				   "array 'mean' must be float64 with 3 "
				   "elements");
	ops->free(s);
}

/* P = 100,000 would need 298 GiB: refused with a pointer to sep_cma_es. */
static void test_too_large(void **unused)
{
	ej_err err = { 0 };

	(void)unused;
	assert_null(at_mk(&algo, "algo: {}\n", 100000, 1, &err));
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "'cma_es' with 100000 parameters needs "
			    "298.0 GiB for the covariance matrix and its "
			    "eigendecomposition (4 n x n doubles; limit 7.5 "
			    "GiB, n <= 15864); use 'sep_cma_es' (diagonal "
			    "covariance) for models this large");
	assert_null(at_mk(&algo, "algo: {}\n", 15865, 1, &err));
	assert_non_null(strstr(err.msg, "'sep_cma_es'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slots_and_schema),
		cmocka_unit_test(test_constants),
		cmocka_unit_test(test_hand_iteration_n2),
		cmocka_unit_test(test_lazy_eigen),
		cmocka_unit_test(test_convergence),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test_setup_teardown(test_state_round_trip,
						tu_tmp_setup, tu_tmp_teardown),
		cmocka_unit_test(test_nan_fitness),
		cmocka_unit_test_setup_teardown(test_load_errors, tu_tmp_setup,
						tu_tmp_teardown),
		cmocka_unit_test(test_too_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
