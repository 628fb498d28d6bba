/* test_cma_es.c - CMA-ES: the tutorial's constants (n = 20 vector of
 * DESIGN.md, n = 2 from pycma 4.x), one iteration on n = 2 recomputed
 * here from the tutorial's formulas, the lazy eigendecomposition,
 * convergence on 10-D sphere / ellipsoid / Rosenbrock within stated
 * budgets, determinism, the bit-exact state round trip, errors.
 *
 * The normals come from the documented Philox layout (z_at below), so the
 * expected populations and updates are computed independently of the
 * algorithm's code path.
 */
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
#include "algos/cma_es.h"
#include "core/cfg.h"
#include "core/npz.h"
#include "opencl/philox.h"

/* until algos/algo.h declares it */
extern const algo_ops cma_es_ops;

static const algo_ops *const ops = &cma_es_ops;

#define assert_near(a, b, tol)                                               \
	do {                                                                 \
		double a_ = (a), b_ = (b);                                   \
		if (!(fabs(a_ - b_) <= (tol)))                               \
			fail_msg("%s = %.17g, expected %.17g (tol %g)", #a,   \
				 a_, b_, (double)(tol));                     \
	} while (0)

/* An instance from YAML text with an 'algo' section. */
static void *mk(const char *yaml, size_t P, uint32_t seed, ej_err *err)
{
	static const char *const skip[] = { "name", NULL };
	cfg_doc *d = cfg_load_string(yaml, "t.yaml", err);
	void *cfg = calloc(1, ops->cfg_size), *state = NULL;
	algo_env env = { .param_size = P, .seed = seed };

	assert_non_null(d);
	assert_non_null(cfg);
	if (cfg_parse_section(cfg_get(cfg_root(d), "algo"), "algo",
			      ops->fields, ops->n_fields, cfg, skip, err) == 0)
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

/* z_k[j] of iteration 'it', from the documented layout. */
static double z_at(uint32_t seed, uint32_t it, uint32_t k, uint32_t j)
{
	ph_out w = ph_draw(seed, PH_PURPOSE_NOISE, it, k, 0, j / 4);
	float z[4];

	ph_normal2(w.v[0], w.v[1], &z[0], &z[1]);
	ph_normal2(w.v[2], w.v[3], &z[2], &z[3]);
	return z[j % 4];
}

/* The state array 'name' (must exist). */
static const npz_array *arr(const void *s, const char *name, npz_array *a,
			    char names[][64])
{
	size_t n = ops->state(s, a, ALGO_STATE_MAX, names);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(a[i].name, name))
			return &a[i];
	fail_msg("no state array '%s'", name);
	return NULL;
}

static const double *f64(const void *s, const char *name)
{
	static npz_array a[ALGO_STATE_MAX];
	static char names[ALGO_STATE_MAX][64];
	const npz_array *x = arr(s, name, a, names);

	assert_int_equal(x->dtype, NPZ_F64);
	return x->data;
}

static int64_t i64(const void *s, const char *name)
{
	npz_array a[ALGO_STATE_MAX];
	char names[ALGO_STATE_MAX][64];
	const npz_array *x = arr(s, name, a, names);

	assert_int_equal(x->dtype, NPZ_I64);
	return *(const int64_t *)x->data;
}

/* All state arrays concatenated (names and bytes). */
static size_t snapshot(const void *s, unsigned char **buf)
{
	npz_array a[ALGO_STATE_MAX];
	char names[ALGO_STATE_MAX][64];
	size_t n = ops->state(s, a, ALGO_STATE_MAX, names), len = 0;

	assert_true(n >= 11);
	*buf = NULL;
	for (size_t i = 0; i < n; i++) {
		size_t nb = npz_count(&a[i]) * npz_dtype_size(a[i].dtype);
		size_t nl = strlen(a[i].name) + 1;

		*buf = realloc(*buf, len + nl + nb);
		assert_non_null(*buf);
		memcpy(*buf + len, a[i].name, nl);
		memcpy(*buf + len + nl, a[i].data, nb);
		len += nl + nb;
	}
	return len;
}

static void assert_same_state(const void *x, const void *y)
{
	unsigned char *a, *b;
	size_t na = snapshot(x, &a), nb = snapshot(y, &b);

	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na);
	free(a);
	free(b);
}

/* ---- test functions (minimised; fitness = -f) -------------------------- */

static double f_sphere(const float *x, size_t n)
{
	double f = 0;

	for (size_t i = 0; i < n; i++)
		f += (double)x[i] * x[i];
	return f;
}

/* condition 1e6: sum 10^(6 i/(n-1)) x_i^2 */
static double f_ellipsoid(const float *x, size_t n)
{
	double f = 0;

	for (size_t i = 0; i < n; i++)
		f += pow(1e6, (double)i / (double)(n - 1)) * (double)x[i] * x[i];
	return f;
}

static double f_rosenbrock(const float *x, size_t n)
{
	double f = 0;

	for (size_t i = 0; i + 1 < n; i++) {
		double a = (double)x[i + 1] - (double)x[i] * x[i];
		double b = 1 - (double)x[i];

		f += 100 * a * a + b * b;
	}
	return f;
}

/* Iterate until the best f seen is below 'target' or 'budget' evaluations
 * are spent; returns the evaluations used (budget + 1: not reached). */
static long minimise(void *s, double (*f)(const float *, size_t), size_t n,
		     double target, long budget)
{
	const size_t lam = ops->pop_size(s);
	float *pop = malloc(lam * n * sizeof(float)), *fit = malloc(lam * 4);
	ej_err err = { 0 };
	long evals = 0;

	assert_non_null(pop);
	assert_non_null(fit);
	while (evals < budget) {
		assert_int_equal(ops->ask(s, pop, &err), 0);
		for (size_t k = 0; k < lam; k++) {
			double v = f(pop + k * n, n);

			evals++;
			if (v < target) {
				free(pop);
				free(fit);
				return evals;
			}
			fit[k] = (float)-v;
		}
		if (ops->tell(s, fit, &err) < 0)
			fail_msg("tell: %s", err.msg);
	}
	free(pop);
	free(fit);
	return budget + 1;
}

/* k iterations on the 'f' landscape. */
static void run(void *s, double (*f)(const float *, size_t), size_t n, int k)
{
	const size_t lam = ops->pop_size(s);
	float *pop = malloc(lam * n * sizeof(float)), *fit = malloc(lam * 4);
	ej_err err = { 0 };

	assert_non_null(pop);
	assert_non_null(fit);
	for (int it = 0; it < k; it++) {
		assert_int_equal(ops->ask(s, pop, &err), 0);
		for (size_t i = 0; i < lam; i++)
			fit[i] = (float)-f(pop + i * n, n);
		assert_int_equal(ops->tell(s, fit, &err), 0);
	}
	free(pop);
	free(fit);
}

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
	s = mk_ok("algo:\n  name: cma_es\n", 10, 1);
	assert_int_equal(ops->pop_size(s), 10);
	for (size_t j = 0; j < 10; j++)
		assert_true(ops->best_params(s)[j] == 0.0f);
	assert_true(f64(s, "sigma")[0] == 0.1);
	ops->free(s);
	s = mk_ok("algo:\n  pop_size: 7\n  init_mean: 2.5\n", 3, 1);
	assert_int_equal(ops->pop_size(s), 7);
	assert_true(ops->best_params(s)[1] == 2.5f);
	ops->free(s);
	assert_null(mk("algo:\n  pop_size: 1\n", 3, 1, &err));
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "'pop_size' of 'cma_es' must be 0 "
			    "(4 + floor(3 ln n)) or >= 2, got '1'");
	assert_null(mk("algo:\n  pop_size: -2\n", 3, 1, &err));
	assert_non_null(strstr(err.msg, "t.yaml:2:13: 'pop_size'"));
	assert_null(mk("algo:\n  init_stdev: 0\n", 3, 1, &err));
	assert_non_null(strstr(err.msg, "t.yaml:2:15: 'init_stdev'"));
	assert_null(mk("algo:\n  sigma: 1\n", 3, 1, &err));
	assert_non_null(strstr(err.msg, "unknown key 'sigma' in 'algo'"));
	assert_null(mk("algo: {}\n", 0, 1, &err));
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
	assert_near(p.mueff, 3.72946, 5e-6);
	assert_near(p.c1, 0.00437235, 5e-9);
	assert_near(p.cc, 0.171767, 5e-7);
	assert_near(p.cmu, 0.00921656, 5e-9);
	assert_near(p.cs, 0.199428, 5e-7);
	assert_near(p.damps, 1.199428, 5e-7);
	assert_near(p.w[0], 0.40240294, 5e-9);
	assert_near(p.w[11], -0.41520442, 5e-9);
	for (size_t i = 0; i < 6; i++)
		spos += p.w[i];
	assert_near(spos, 1, 1e-15);
	assert_int_equal(p.eigen_gap, 1);
	assert_near(p.chi_n, sqrt(20) * (1 - 1 / 80.0 + 1 / 8400.0), 1e-15);
	cma_params_release(&p);

	assert_int_equal(cma_default_lambda(2), 6);
	assert_int_equal(cma_params_init(&p, 2, 6, 1, NULL), 0);
	assert_near(p.mueff, 2.0286114646100617, 1e-15);
	assert_near(p.c1, 0.1548153998964136, 1e-15);
	assert_near(p.cc, 0.6245545390268264, 1e-15);
	assert_near(p.cmu, 0.08559277942666424, 1e-15);
	assert_near(p.w[0], 0.6370425712412168, 1e-15);
	assert_near(p.w[5], -1.1559817781589212, 1e-15);
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
	void *s = mk_ok("algo:\n  init_mean: 0.5\n  init_stdev: 0.3\n", 2,
			HW_SEED);
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
			z[k][j] = z_at(HW_SEED, 0, k, j);
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
		assert_near(f64(s, "mean")[j], m[j], 1e-15);
		assert_near(f64(s, "p_sigma")[j], ps[j], 1e-14);
		assert_near(f64(s, "p_c")[j], pc[j], 1e-14);
		assert_true(ops->best_params(s)[j] == (float)m[j]);
	}
	assert_true(fabs(m[0] - 0.5) > 1e-3 && hsig == 1);
	assert_near(f64(s, "sigma")[0], sig, 1e-15);
	Cs = f64(s, "C");
	for (size_t i = 0; i < 4; i++)
		assert_near(Cs[i], C[i], 1e-14);
	assert_true(Cs[1] == Cs[2] && fabs(C[1]) > 1e-4);

	/* eigen_gap 1: B, D of C right away, C = B diag(D^2) B^T */
	assert_int_equal(i64(s, "iteration"), 1);
	assert_int_equal(i64(s, "eigen_iteration"), 1);
	B = f64(s, "B");
	D = f64(s, "D");
	assert_true(D[0] <= D[1]);
	for (size_t r = 0; r < 2; r++)
		for (size_t c = 0; c < 2; c++) {
			double v = 0, o = 0;

			for (size_t k = 0; k < 2; k++) {
				v += B[r * 2 + k] * D[k] * D[k] * B[c * 2 + k];
				o += B[k * 2 + r] * B[k * 2 + c];
			}
			assert_near(v, C[r * 2 + c], 1e-14);
			assert_near(o, r == c, 1e-15);
		}

	/* iteration 1 samples x = m + sigma B D z */
	assert_int_equal(ops->ask(s, pop, &err), 0);
	for (uint32_t k = 0; k < 6; k++) {
		double zz[2] = { z_at(HW_SEED, 1, k, 0), z_at(HW_SEED, 1, k, 1) };

		for (size_t r = 0; r < 2; r++) {
			double y = B[r * 2] * D[0] * zz[0] +
				   B[r * 2 + 1] * D[1] * zz[1];

			assert_near(pop[k * 2 + r], m[r] + sig * y, 1e-7);
		}
	}
	/* best-ever: member 2 of iteration 0 */
	assert_true(f64(s, "best_fitness")[0] == 7);
	{
		npz_array a[ALGO_STATE_MAX];
		char names[ALGO_STATE_MAX][64];
		const float *bx = arr(s, "best_params", a, names)->data;

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
	void *s = mk_ok("algo:\n  init_mean: 1\n  init_stdev: 0.5\n", N, 3);
	const double *B, *D, *C;
	double *b1 = malloc(N * N * sizeof(double)), maxerr = 0;

	(void)unused;
	assert_non_null(b1);
	run(s, f_ellipsoid, N, 1);
	assert_int_equal(i64(s, "eigen_iteration"), 0);
	B = f64(s, "B");
	for (size_t i = 0; i < N; i++)
		for (size_t j = 0; j < N; j++)
			assert_true(B[i * N + j] == (i == j));
	run(s, f_ellipsoid, N, 1);
	assert_int_equal(i64(s, "eigen_iteration"), 2);
	B = f64(s, "B");
	D = f64(s, "D");
	C = f64(s, "C");
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
	run(s, f_ellipsoid, N, 1);
	assert_int_equal(i64(s, "iteration"), 3);
	assert_int_equal(i64(s, "eigen_iteration"), 2);
	assert_memory_equal(f64(s, "B"), b1, N * N * sizeof(double));
	run(s, f_ellipsoid, N, 1);
	assert_int_equal(i64(s, "eigen_iteration"), 4);
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
		  f_sphere, 2000 },
		{ "ellipsoid", "algo:\n  init_mean: 1\n  init_stdev: 1\n",
		  f_ellipsoid, 6000 },
		{ "rosenbrock", "algo:\n  init_mean: 0\n  init_stdev: 0.5\n",
		  f_rosenbrock, 8000 },
	};

	(void)unused;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		void *s = mk_ok(cases[c].yaml, 10, 1);
		long used = minimise(s, cases[c].f, 10, 1e-8, cases[c].budget);

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
	void *a = mk_ok(yaml, 12, 5), *b = mk_ok(yaml, 12, 5);
	void *c = mk_ok(yaml, 12, 6);
	float pa[16 * 12], pc[16 * 12];
	ej_err err = { 0 };

	(void)unused;
	run(a, f_rosenbrock, 12, 20);
	run(b, f_rosenbrock, 12, 20);
	assert_same_state(a, b);
	assert_int_equal(ops->ask(a, pa, &err), 0);
	assert_int_equal(ops->ask(c, pc, &err), 0);
	assert_true(memcmp(pa, pc, ops->pop_size(a) * 12 * sizeof(float)));
	ops->free(a);
	ops->free(b);
	ops->free(c);
}

static void save(const void *s, const char *path)
{
	npz_array a[ALGO_STATE_MAX];
	char names[ALGO_STATE_MAX][64];
	size_t n = ops->state(s, a, ALGO_STATE_MAX, names);
	ej_err err = { 0 };

	assert_int_equal(n, 11);
	if (npz_write(path, a, n, &err) < 0)
		fail_msg("%s", err.msg);
}

static void load(void *s, const char *path)
{
	ej_err err = { 0 };
	npz_file *f = npz_read(path, &err);

	assert_non_null(f);
	if (ops->load(s, f, &err) < 0)
		fail_msg("load: %s", err.msg);
	npz_free(f);
}

/* Save at iteration 5 (B, D from iteration 4: the lazy counter matters),
 * load into a fresh instance, continue 4 iterations: bit-identical to the
 * uninterrupted run, including the populations asked for. */
static void test_state_round_trip(void **state)
{
	enum { N = 300 };
	static const char *yaml = "algo:\n  init_mean: 1\n  init_stdev: 0.5\n";
	const char *path = ((tu_tmp *)*state)->path;
	void *a = mk_ok(yaml, N, 11), *b = mk_ok(yaml, N, 11);
	size_t lam = ops->pop_size(a);
	float *pa = malloc(lam * N * 4), *pb = malloc(lam * N * 4);
	ej_err err = { 0 };

	assert_non_null(pa);
	assert_non_null(pb);
	run(a, f_ellipsoid, N, 5);
	assert_int_equal(i64(a, "eigen_iteration"), 4);
	save(a, path);
	load(b, path);
	assert_same_state(a, b);
	for (int it = 0; it < 4; it++) {
		assert_int_equal(ops->ask(a, pa, &err), 0);
		assert_int_equal(ops->ask(b, pb, &err), 0);
		assert_memory_equal(pa, pb, lam * N * sizeof(float));
		run(a, f_ellipsoid, N, 1);
		run(b, f_ellipsoid, N, 1);
	}
	assert_same_state(a, b);
	assert_memory_equal(ops->best_params(a), ops->best_params(b),
			    N * sizeof(float));
	free(pa);
	free(pb);
	ops->free(a);
	ops->free(b);
}

static void test_nan_fitness(void **unused)
{
	void *s = mk_ok("algo:\n  pop_size: 4\n", 3, 3);
	float pop[12], pop2[12], fit[4] = { 1, 2, 3, 4 };
	unsigned char *before, *after;
	size_t nb, na;
	ej_err err = { 0 };

	(void)unused;
	assert_int_equal(ops->ask(s, pop, &err), 0);
	assert_int_equal(ops->tell(s, fit, &err), 0);
	assert_int_equal(ops->ask(s, pop, &err), 0);
	nb = snapshot(s, &before);
	fit[3] = NAN;
	assert_int_equal(ops->tell(s, fit, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_RUN);
	assert_string_equal(err.msg, "fitness of member 3 is nan");
	fit[3] = 4;
	fit[0] = INFINITY;
	assert_int_equal(ops->tell(s, fit, &err), -1);
	assert_string_equal(err.msg, "fitness of member 0 is inf");
	na = snapshot(s, &after);
	assert_int_equal(na, nb);
	assert_memory_equal(before, after, nb);
	assert_int_equal(ops->ask(s, pop2, &err), 0);
	assert_memory_equal(pop, pop2, sizeof(pop));
	free(before);
	free(after);
	ops->free(s);
}

static void test_load_errors(void **state)
{
	const char *path = ((tu_tmp *)*state)->path;
	void *s = mk_ok("algo:\n  pop_size: 4\n", 3, 3), *other;
	static const double m[3] = { 1, 2, 3 };
	npz_array one = { .name = "mean", .dtype = NPZ_F64, .ndim = 1,
			  .shape = { 3 }, .data = m };
	unsigned char *before, *after;
	ej_err err = { 0 };
	npz_file *f;
	size_t n;

	(void)state;
	run(s, f_sphere, 3, 2);
	n = snapshot(s, &before);
	assert_int_equal(npz_write(path, &one, 1, &err), 0);
	f = npz_read(path, &err);
	assert_non_null(f);
	assert_int_equal(ops->load(s, f, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_RUN);
	assert_string_equal(err.msg, "missing array 'sigma'");
	npz_free(f);
	other = mk_ok("algo:\n  pop_size: 4\n", 4, 3);
	save(other, path);
	f = npz_read(path, &err);
	assert_non_null(f);
	assert_int_equal(ops->load(s, f, &err), -1);
	assert_string_equal(err.msg, "array 'mean' must be float64 with 3 "
			    "elements");
	npz_free(f);
	assert_int_equal(snapshot(s, &after), n);
	assert_memory_equal(before, after, n);
	free(before);
	free(after);
	ops->free(other);
	ops->free(s);
}

/* P = 100,000 would need 298 GiB: refused with a pointer to sep_cma_es. */
static void test_too_large(void **unused)
{
	ej_err err = { 0 };

	(void)unused;
	assert_null(mk("algo: {}\n", 100000, 1, &err));
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "'cma_es' with 100000 parameters needs "
			    "298.0 GiB for the covariance matrix and its "
			    "eigendecomposition (4 n x n doubles; limit 7.5 "
			    "GiB, n <= 15864); use 'sep_cma_es' (diagonal "
			    "covariance) for models this large");
	assert_null(mk("algo: {}\n", 15865, 1, &err));
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
