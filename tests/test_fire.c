/* test_fire.c - FIRE PBT statistics (core/fire.c): the GP log marginal
 * likelihood, posterior mean and empirical-Bayes fit against scikit-learn,
 * best_score_diff on constructed curves (overlap, the minimum length, the
 * penalised search, identity, antisymmetry), the parent fitness, binomial
 * p-values against scipy, the evaluator rules at their boundaries and bad
 * input.
 *
 * Reference values come from tests/fire_ref.py (scikit-learn 1.9.1,
 * scipy 1.17.1), whose output is pasted below next to each number.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/fire.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* |got - want| <= tol |want| (tol absolute when want == 0) */
static void assert_rel(double got, double want, double tol)
{
	double bound = want == 0 ? tol : tol * fabs(want);

	if (!(fabs(got - want) <= bound))
		fail_msg("got %.17g, want %.17g (rel tol %g)", got, want, tol);
}

/* ---- the reference curves (tests/fire_ref.py) ------------------------- */

static const double rise_y[] = {
	-0.0034, 0.116, 0.1336, 0.4784, 0.4411, 0.5629, 0.5897, 0.6033,
	0.7138, 0.6388, 0.7721, 0.8148, 0.7808, 0.8038, 0.8875, 0.9064,
	0.8526, 0.8542, 1.0073, 0.9543, 0.9437, 0.9035, 0.9213, 0.9403,
	0.9452,
};
static const double slow_y[] = {
	-0.0287, 0.3108, 0.3585, 0.345, 0.5062, 0.4399, 0.5408, 0.6047,
	0.7034, 0.6283, 0.7146, 0.75, 0.6943, 0.7697, 0.8565, 0.8313,
	0.812, 0.8539, 0.8972, 0.8579, 0.8243, 0.9773, 0.9362, 0.9341,
	0.9479, 1.0342, 0.9942, 1.063, 1.1025, 0.9427,
};
static const double bumpy_y[] = {
	2.0285, 2.2854, 2.6443, 2.5444, 2.5828, 2.1853, 2.0976, 1.8488,
	1.685, 1.4098, 1.449, 1.5879,
};

typedef struct ref_curve {
	const char *name;
	double x[32];
	const double *y;
	size_t n;
	fire_gp_hp hp;      /* fixed hyperparameters */
	double lml;         /* sklearn's LML at hp */
	double mu0, mu5, mu_last; /* sklearn's predict() at hp */
	fire_gp_hp fit;     /* sklearn's fitted hyperparameters */
	double fit_lml;     /* and LML */
} ref_curve;

/* x: rise 100 i, slow 50 + 25 i, bumpy i (filled by ref_init) */
static ref_curve refs[] = {
	/* rise: fixed hp (1.5, 400.0, 0.05): lml = -12.509861720140144
	 * mu[0] = 0.024638138867207116, mu[-1] = 0.939368045066586,
	 * mu[5] = 0.549975381288885
	 * fit: s2 = 8.252384541545272, ls = 1875.6635432688179,
	 * noise = 0.040432500955098406, lml = -7.682345037048565 */
	{ "rise", { 0 }, rise_y, LEN(rise_y), { 1.5, 400.0, 0.05 },
	  -12.509861720140144, 0.024638138867207116, 0.549975381288885,
	  0.939368045066586,
	  { 8.252384541545272, 1875.6635432688179, 0.040432500955098406 },
	  -7.682345037048565 },
	/* slow: fixed hp (0.8, 120.0, 0.2): lml = -21.008781239964982
	 * mu[0] = 0.197342535330841, mu[-1] = 0.9875422014031681,
	 * mu[5] = 0.502146732774838
	 * fit: s2 = 10.716491720761878, ls = 679.6766122611991,
	 * noise = 0.05798345568562484, lml = -11.2038497760146 */
	{ "slow", { 0 }, slow_y, LEN(slow_y), { 0.8, 120.0, 0.2 },
	  -21.008781239964982, 0.197342535330841, 0.502146732774838,
	  0.9875422014031681,
	  { 10.716491720761878, 679.6766122611991, 0.05798345568562484 },
	  -11.2038497760146 },
	/* bumpy: fixed hp (2.0, 3.0, 0.001): lml = -17.871490781521615
	 * mu[0] = 2.027256856910797, mu[-1] = 1.5884066130277368,
	 * mu[5] = 2.197373035442057
	 * fit: s2 = 1.0332146519165308, ls = 3.360134186819503,
	 * noise = 0.03869655208804524, lml = -7.712717660597476 */
	{ "bumpy", { 0 }, bumpy_y, LEN(bumpy_y), { 2.0, 3.0, 0.001 },
	  -17.871490781521615, 2.027256856910797, 2.197373035442057,
	  1.5884066130277368,
	  { 1.0332146519165308, 3.360134186819503, 0.03869655208804524 },
	  -7.712717660597476 },
};

static int ref_init(void **state)
{
	(void)state;
	for (size_t i = 0; i < LEN(rise_y); i++)
		refs[0].x[i] = 100.0 * (double)i;
	for (size_t i = 0; i < LEN(slow_y); i++)
		refs[1].x[i] = 50.0 + 25.0 * (double)i;
	for (size_t i = 0; i < LEN(bumpy_y); i++)
		refs[2].x[i] = (double)i;
	return 0;
}

static fire_curve ref_c(const ref_curve *r)
{
	return (fire_curve){ r->x, r->y, r->n };
}

/* ---- GP ---------------------------------------------------------------- */

/* The formula: LML and posterior mean at fixed hp to 1e-10 relative. */
static void test_gp_lml_fixed(void **state)
{
	(void)state;
	for (size_t i = 0; i < LEN(refs); i++) {
		const ref_curve *r = &refs[i];
		fire_curve c = ref_c(r);
		double lml, mu[32];
		fire_gp_fit fit;
		ej_err err = { 0 };

		assert_int_equal(fire_gp_lml(&c, &r->hp, &lml, &err), 0);
		assert_rel(lml, r->lml, 1e-10);
		assert_int_equal(fire_gp_mean(&c, &r->hp, mu, &fit, &err), 0);
		assert_rel(fit.lml, r->lml, 1e-10);
		assert_rel(mu[0], r->mu0, 1e-10);
		assert_rel(mu[5], r->mu5, 1e-10);
		assert_rel(mu[r->n - 1], r->mu_last, 1e-10);
	}
}

/* Empirical Bayes: the same optimum as sklearn's L-BFGS-B with 30
 * restarts.  Measured here: LML within 4e-13 relative, hyperparameters
 * within 8e-7; pinned at 1e-9 (LML) and 1e-5 (hyperparameters: the LML is
 * flat near its optimum, so optimisers stop at slightly different points),
 * and never worse than sklearn's LML. */
static void test_gp_fit(void **state)
{
	(void)state;
	for (size_t i = 0; i < LEN(refs); i++) {
		const ref_curve *r = &refs[i];
		fire_curve c = ref_c(r);
		double mu[32], mu2[32], lml;
		fire_gp_fit fit;
		ej_err err = { 0 };

		assert_int_equal(fire_gp_smooth(&c, mu, &fit, &err), 0);
		assert_rel(fit.lml, r->fit_lml, 1e-9);
		assert_true(fit.lml >= r->fit_lml - 1e-12 * fabs(r->fit_lml));
		assert_rel(fit.hp.s2, r->fit.s2, 1e-5);
		assert_rel(fit.hp.ls, r->fit.ls, 1e-5);
		assert_rel(fit.hp.noise, r->fit.noise, 1e-5);
		/* the fit is what fire_gp_mean gives at the fitted hp */
		assert_int_equal(fire_gp_lml(&c, &fit.hp, &lml, &err), 0);
		assert_rel(lml, fit.lml, 1e-12);
		assert_int_equal(fire_gp_mean(&c, &fit.hp, mu2, NULL, &err), 0);
		for (size_t j = 0; j < r->n; j++)
			assert_rel(mu2[j], mu[j], 1e-12);
	}
}

/* The standardisation: mean and ddof-0 sd; a constant curve (sd 0, taken
 * as 1) smooths to itself. */
static void test_gp_standardise(void **state)
{
	const double x[] = { 0, 1, 2, 3 }, y[] = { 1, 2, 2, 3 };
	const double yc[] = { 0.7, 0.7, 0.7, 0.7 };
	fire_curve c = { x, y, 4 }, cc = { x, yc, 4 };
	double mu[4];
	fire_gp_fit fit;
	ej_err err = { 0 };

	(void)state;
	assert_int_equal(fire_gp_smooth(&c, mu, &fit, &err), 0);
	assert_rel(fit.mean, 2, 1e-15);
	assert_rel(fit.sd, sqrt(0.5), 1e-15);
	assert_int_equal(fire_gp_smooth(&cc, mu, &fit, &err), 0);
	assert_rel(fit.mean, 0.7, 1e-15);
	assert_rel(fit.sd, 1, 0);
	for (int i = 0; i < 4; i++)
		assert_rel(mu[i], 0.7, 1e-15);
}

/* ---- overlap and best_score_diff --------------------------------------- */

/* fire_overlap_find(e, ne, k, nk) gives (overlaps, r, s, n) */
static void expect_overlap(const double *e, size_t ne, const double *k,
			   size_t nk, int overlaps, size_t r, size_t s,
			   size_t n)
{
	fire_overlap ov;

	fire_overlap_find(e, ne, k, nk, &ov);
	assert_int_equal(ov.overlaps, overlaps);
	assert_int_equal(ov.r, r);
	assert_int_equal(ov.s, s);
	assert_int_equal(ov.n, n);
}

static void test_overlap_find(void **state)
{
	const double e[] = { 0, 0.2, 0.4, 0.6 }, k[] = { 0.3, 0.5, 0.7 };
	const double k4[] = { 0.4, 0.5 }, lo[] = { -1, -0.5 };

	(void)state;
	/* kappa starts higher: eta first reaches 0.3 at r = 2; n = min(4 - 2,
	 * 3 - 0); swapped, the same section */
	expect_overlap(e, 4, k, 3, 1, 2, 0, 2);
	expect_overlap(k, 3, e, 4, 1, 0, 2, 2);
	/* reaching exactly the start counts (>=) */
	expect_overlap(e, 4, k4, 2, 1, 2, 0, 2);
	/* a tie at the start: both from 0, n = the shorter length */
	expect_overlap(e, 4, e, 3, 1, 0, 0, 3);
	/* never reached */
	expect_overlap(lo, 2, k, 3, 0, 0, 0, 0);
	expect_overlap(k, 3, lo, 2, 0, 0, 0, 0);
}

/* Lines a + b i at x = 0..n-1 (noise-free: the GP reproduces them to far
 * better than the 0.05 gaps below). */
static void line(double *x, double *y, size_t n, double a, double b)
{
	for (size_t i = 0; i < n; i++) {
		x[i] = (double)i;
		y[i] = a + b * (double)i;
	}
}

/* Two 10-point lines: eta = ae + be i, kappa = ak + bk i. */
typedef struct two_lines {
	double xe[10], ye[10], xk[10], yk[10];
	fire_curve e, k;
} two_lines;

static void two_lines_init(two_lines *t, double ae, double be, double ak,
			   double bk)
{
	line(t->xe, t->ye, 10, ae, be);
	line(t->xk, t->yk, 10, ak, bk);
	t->e = (fire_curve){ t->xe, t->ye, 10 };
	t->k = (fire_curve){ t->xk, t->yk, 10 };
}

/* eta = 0.1 i (10 points) starts below kappa = 0.35 + 0.05 i (10): eta
 * reaches 0.35 at r = 4 (0.4), s = 0, n = min(10 - 4, 10) = 6; max
 * eta[4..9] - max kappa[0..5] = 0.9 - 0.6.  With 8 eta points n = min(4,
 * 10) = 4 (a max would run past eta's end): 0.7 - 0.5. */
static void test_score_overlap(void **state)
{
	two_lines t;
	fire_curve *e = &t.e, *k = &t.k;
	double *ye = t.ye, *yk = t.yk, d, d2;
	fire_overlap ov;
	ej_err err = { 0 };

	(void)state;
	two_lines_init(&t, 0, 0.1, 0.35, 0.05);
	assert_int_equal(fire_best_score_diff(e, k, &d, &ov, &err), 0);
	assert_int_equal(ov.overlaps, 1);
	assert_int_equal(ov.r, 4);
	assert_int_equal(ov.s, 0);
	assert_int_equal(ov.n, 6);
	assert_rel(d, ye[9] - yk[5], 1e-15);
	assert_rel(d, 0.3, 1e-12);
	assert_int_equal(fire_best_score_diff(k, e, &d2, &ov, &err), 0);
	assert_true(d2 == -d);
	assert_int_equal(ov.r, 0);
	assert_int_equal(ov.s, 4);

	e->n = 8;
	assert_int_equal(fire_best_score_diff(e, k, &d, &ov, &err), 0);
	assert_int_equal(ov.r, 4);
	assert_int_equal(ov.n, 4);
	assert_rel(d, ye[7] - yk[3], 1e-15);
	assert_rel(d, 0.2, 1e-12);
}

/* eta wholly above kappa (min y_eta > max y_kappa), kappa = 0.125 i.
 *
 * Rising faster, eta = 5 + 0.5 i.  With the raw curves as the smoothed
 * ones (mu = y) the answer is exact: delta runs over [5 - 1.125, 5] in 63
 * steps of 1/56; the best is delta = 5, where eta - delta = 0.5 i ties
 * kappa's start, r = s = 0, n = 10: 4.5 - 1.125.  Through the GP a tie
 * can fall either way by ~1e-7, which moves a start by one point: the
 * result stays within [4.0 - 1.125, 4.5 - 1.0] (s = 1 or r = 1, n = 9).
 * Swapping the curves negates the result.
 *
 * Barely rising, eta = 5 + 2^-7 i: every penalised overlap scores <= 0
 * (the section of eta - delta gains at most 9 / 128 while kappa's gains
 * 0.125 a point), so 0, both ways round. */
static void test_score_penalised(void **state)
{
	two_lines t;
	fire_curve *e = &t.e, *k = &t.k;
	double *ye = t.ye, *yk = t.yk, d, d2;
	fire_overlap ov;
	ej_err err = { 0 };

	(void)state;
	two_lines_init(&t, 5, 0.5, 0, 0.125);
	assert_int_equal(fire_score_diff(e, ye, k, yk, &d, &ov, &err), 0);
	assert_int_equal(ov.overlaps, 0); /* kappa never reaches 5 */
	assert_true(d == 4.5 - 1.125);
	assert_int_equal(fire_score_diff(k, yk, e, ye, &d2, NULL, &err), 0);
	assert_true(d2 == -d);
	assert_int_equal(fire_best_score_diff(e, k, &d, &ov, &err), 0);
	assert_int_equal(ov.overlaps, 0);
	assert_true(d >= 4.0 - 1.125 && d <= 4.5 - 1.0);
	assert_int_equal(fire_best_score_diff(k, e, &d2, NULL, &err), 0);
	assert_true(d2 == -d);

	two_lines_init(&t, 5, 0.0078125, 0, 0.125);
	assert_int_equal(fire_score_diff(e, ye, k, yk, &d, NULL, &err), 0);
	assert_true(d == 0);
	assert_int_equal(fire_best_score_diff(e, k, &d, NULL, &err), 0);
	assert_true(d == 0);
	assert_int_equal(fire_best_score_diff(k, e, &d, NULL, &err), 0);
	assert_true(d == 0);
}

/* Identical curves give 0; different ones antisymmetric, bit for bit; the
 * smoothed entry point gives what the smoothing one does. */
static void test_score_identity_antisymmetry(void **state)
{
	(void)state;
	for (size_t i = 0; i < LEN(refs); i++) {
		fire_curve a = ref_c(&refs[i]);
		double d;
		fire_overlap ov;
		ej_err err = { 0 };

		assert_int_equal(fire_best_score_diff(&a, &a, &d, &ov, &err),
				 0);
		assert_true(d == 0);
		assert_int_equal(ov.r, 0);
		assert_int_equal(ov.s, 0);
		assert_int_equal(ov.n, a.n);
		for (size_t j = 0; j < LEN(refs); j++) {
			fire_curve b = ref_c(&refs[j]);
			double ab, ba, mua[32], mub[32], s;

			assert_int_equal(fire_best_score_diff(&a, &b, &ab,
							      NULL, &err), 0);
			assert_int_equal(fire_best_score_diff(&b, &a, &ba,
							      NULL, &err), 0);
			assert_true(ab == -ba);
			assert_int_equal(fire_gp_smooth(&a, mua, NULL, &err),
					 0);
			assert_int_equal(fire_gp_smooth(&b, mub, NULL, &err),
					 0);
			assert_int_equal(fire_score_diff(&a, mua, &b, mub, &s,
							 NULL, &err), 0);
			assert_true(s == ab);
		}
	}
	/* rise and slow overlap and differ: the sign test means something */
	{
		fire_curve a = ref_c(&refs[0]), b = ref_c(&refs[1]);
		double d;
		ej_err err = { 0 };

		assert_int_equal(fire_best_score_diff(&a, &b, &d, NULL, &err),
				 0);
		assert_true(d != 0);
	}
}

/* fitness[j] = sum_k best_score_diff(j, k); they sum to 0; of three
 * lines from one start the steepest is fittest. */
static void test_fitness(void **state)
{
	double x[3][10], y[3][10], f[3];
	fire_curve c[3];
	ej_err err = { 0 };

	(void)state;
	for (int j = 0; j < 3; j++) {
		line(x[j], y[j], 10, 0, 0.1 * (j + 1));
		c[j] = (fire_curve){ x[j], y[j], 10 };
	}
	c[1] = ref_c(&refs[0]); /* a noisy curve in the middle */
	assert_int_equal(fire_fitness(c, 3, f, &err), 0);
	for (int j = 0; j < 3; j++) {
		double want = 0;

		for (int k = 0; k < 3; k++) {
			double d;

			assert_int_equal(fire_best_score_diff(&c[j], &c[k], &d,
							      NULL, &err), 0);
			want += d;
		}
		assert_rel(f[j], want, 1e-12);
	}
	assert_rel(f[0] + f[1] + f[2], 0, 1e-12);
	c[1] = (fire_curve){ x[1], y[1], 10 };
	assert_int_equal(fire_fitness(c, 3, f, &err), 0);
	assert_true(f[2] > f[1] && f[1] > f[0]);
	assert_true(f[2] > 0 && f[0] < 0);
	assert_int_equal(fire_fitness(c, 1, f, &err), 0);
	assert_true(f[0] == 0);
	assert_int_equal(fire_fitness(c, 0, f, &err), 0);
}

/* ---- binomial test ----------------------------------------------------- */

/* scipy.stats.binomtest(k, n, 0.5, alternative='greater').pvalue */
static void test_binom_sf(void **state)
{
	static const struct {
		size_t k, n;
		double p;
	} ref[] = {
		{ 0, 1, 1.0 },
		{ 1, 1, 0.5 },
		{ 0, 10, 1.0 },
		{ 3, 10, 0.9453125 },
		{ 7, 10, 0.171875 },
		{ 10, 10, 0.0009765625 },
		{ 5, 9, 0.5 },
		{ 120, 200, 0.002842577998375153 },
		{ 150, 200, 4.1965104378023877e-13 },
		{ 200, 200, 6.223015277861142e-61 },
		{ 60, 200, 0.9999999968460092 },
		{ 0, 200, 1.0 },
	};

	(void)state;
	for (size_t i = 0; i < LEN(ref); i++)
		assert_rel(fire_binom_sf(ref[i].k, ref[i].n), ref[i].p, 1e-12);
	assert_true(fire_binom_sf(2, 1) == 0);
	assert_true(fire_binom_sf(0, 0) == 1);
	/* no overflow far past n = 1030, where C(n, n/2) > DBL_MAX */
	assert_rel(fire_binom_sf(2000, 4000) + fire_binom_sf(2001, 4000), 1,
		   1e-12);
}

/* On test_score_overlap's lines the overlap eta[4..9] vs kappa[0..5] has
 * eta higher 6 times out of 6; with kappa[3] raised to 0.75, 5 of 6: p =
 * (6 + 1) / 64; swapped 1 of 6: p = 63 / 64; no overlap: p = 1, overlaps
 * 0. */
static void test_binom_test(void **state)
{
	two_lines t;
	fire_curve *e = &t.e, *k = &t.k;
	double *ye = t.ye, *yk = t.yk, p;
	fire_overlap ov;
	size_t hits;
	ej_err err = { 0 };

	(void)state;
	two_lines_init(&t, 0, 0.1, 0.35, 0.05);
	yk[3] = 0.75; /* one point where kappa is higher: k = 5 */
	assert_int_equal(fire_binom_test(e, k, &p, &ov, &hits, &err), 0);
	assert_int_equal(ov.n, 6);
	assert_int_equal(hits, 5);
	assert_rel(p, 7.0 / 64, 1e-14);
	assert_int_equal(fire_binom_test(k, e, &p, &ov, &hits, &err), 0);
	assert_int_equal(hits, 1);
	assert_rel(p, 63.0 / 64, 1e-14);
	/* a tie is no success either way (mu = y: the overlap stays r = 4):
	 * eta[5] = kappa[1] = 0.5, so 4 of 6 and 1 of 6 */
	yk[1] = ye[5];
	p = fire_binom_test_smoothed(e, ye, k, yk, &ov, &hits);
	assert_int_equal(ov.r, 4);
	assert_int_equal(ov.n, 6);
	assert_int_equal(hits, 4);
	assert_rel(p, 22.0 / 64, 1e-14);
	p = fire_binom_test_smoothed(k, yk, e, ye, &ov, &hits);
	assert_int_equal(hits, 1);
	assert_rel(p, 63.0 / 64, 1e-14);
	two_lines_init(&t, 5, 0.1, 0.35, 0.05);
	assert_int_equal(fire_binom_test(e, k, &p, &ov, &hits, &err), 0);
	assert_int_equal(ov.overlaps, 0);
	assert_int_equal(hits, 0);
	assert_true(p == 1);
}

/* ---- evaluator rules --------------------------------------------------- */

static void test_should_stop(void **state)
{
	(void)state;
	/* no overlap: T > max_eval_steps, whatever p */
	assert_int_equal(fire_eval_should_stop(0, 100, 100, 1, 0.01), 0);
	assert_int_equal(fire_eval_should_stop(0, 101, 100, 1, 0.01), 1);
	assert_int_equal(fire_eval_should_stop(0, 101, 100, 0, 0.01), 1);
	/* overlap, T >= max: p > p_stat */
	assert_int_equal(fire_eval_should_stop(1, 100, 100, 0.25, 0.25), 0);
	assert_int_equal(fire_eval_should_stop(1, 100, 100,
					       nextafter(0.25, 1), 0.25), 1);
	assert_int_equal(fire_eval_should_stop(1, 500, 100, 0.2, 0.25), 0);
	/* overlap, T = max/2: p > p_stat + 0.5 */
	assert_int_equal(fire_eval_should_stop(1, 50, 100, 0.75, 0.25), 0);
	assert_int_equal(fire_eval_should_stop(1, 50, 100,
					       nextafter(0.75, 1), 0.25), 1);
	/* overlap, T = 0: the threshold is above 1, never */
	assert_int_equal(fire_eval_should_stop(1, 0, 100, 1, 0.01), 0);
	/* max_eval_steps = 0: no slack */
	assert_int_equal(fire_eval_should_stop(1, 0, 0, 0.02, 0.01), 1);
	assert_int_equal(fire_eval_should_stop(1, 0, 0, 0.01, 0.01), 0);
}

static void test_succeeds(void **state)
{
	(void)state;
	assert_int_equal(fire_eval_succeeds(1e-300, 0.005, 0.01), 1);
	assert_int_equal(fire_eval_succeeds(0, 0.005, 0.01), 0);
	assert_int_equal(fire_eval_succeeds(-1, 0.005, 0.01), 0);
	assert_int_equal(fire_eval_succeeds(1, 0.01, 0.01), 0);
	assert_int_equal(fire_eval_succeeds(1, nextafter(0.01, 0), 0.01), 1);
}

/* ---- bad input --------------------------------------------------------- */

static void test_bad_input(void **state)
{
	const double x[] = { 0, 1, 2 }, y[] = { 0, NAN, 1 };
	const double xd[] = { 0, 1, 1 }, ok[] = { 0, 1, 2 };
	const double xi[] = { 0, INFINITY, 2 };
	fire_curve one = { x, ok, 1 }, nan = { x, y, 3 }, dup = { xd, ok, 3 };
	fire_curve inf = { xi, ok, 3 }, good = { x, ok, 3 };
	fire_curve many[3] = { good, good, nan };
	fire_gp_hp hp = { 1, 1, 0.1 }, bad = { 1, 0, 0.1 };
	double mu[3], d, p, f[3], lml;
	ej_err err = { 0 };

	(void)state;
	assert_int_equal(fire_gp_smooth(&one, mu, NULL, &err), -1);
	assert_string_equal(err.msg,
			    "training curve has 1 point, needs at least 2");
	assert_int_equal(err.code, EJ_EXIT_RUN);
	assert_int_equal(fire_gp_lml(&nan, &hp, &lml, &err), -1);
	assert_string_equal(err.msg, "training curve 'y[1]' is nan, values "
				     "must be finite");
	assert_int_equal(fire_gp_mean(&dup, &hp, mu, NULL, &err), -1);
	assert_string_equal(err.msg, "training curve 'x[2]' = 1 does not "
				     "follow x[1] = 1, steps must increase");
	assert_int_equal(fire_gp_smooth(&inf, mu, NULL, &err), -1);
	assert_string_equal(err.msg, "training curve 'x[1]' is inf, steps "
				     "must be finite");
	assert_int_equal(fire_gp_lml(&good, &bad, &lml, &err), -1);
	assert_string_equal(err.msg, "GP hyperparameters s2=1 ls=0 "
				     "noise=0.1 must be finite, s2 and ls "
				     "positive, noise >= 0");
	assert_int_equal(fire_best_score_diff(&good, &nan, &d, NULL, &err),
			 -1);
	assert_string_equal(err.msg, "kappa: training curve 'y[1]' is nan, "
				     "values must be finite");
	assert_int_equal(fire_score_diff(&one, ok, &good, ok, &d, NULL, &err),
			 -1);
	assert_string_equal(err.msg, "eta: training curve has 1 point, needs "
				     "at least 2");
	assert_int_equal(fire_binom_test(&good, &one, &p, NULL, NULL, &err),
			 -1);
	assert_string_equal(err.msg, "child: training curve has 1 point, "
				     "needs at least 2");
	assert_int_equal(fire_fitness(many, 3, f, &err), -1);
	assert_string_equal(err.msg, "curve 2: training curve 'y[1]' is nan, "
				     "values must be finite");
	/* NULL err is allowed */
	assert_int_equal(fire_gp_smooth(&one, mu, NULL, NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gp_lml_fixed),
		cmocka_unit_test(test_gp_fit),
		cmocka_unit_test(test_gp_standardise),
		cmocka_unit_test(test_overlap_find),
		cmocka_unit_test(test_score_overlap),
		cmocka_unit_test(test_score_penalised),
		cmocka_unit_test(test_score_identity_antisymmetry),
		cmocka_unit_test(test_fitness),
		cmocka_unit_test(test_binom_sf),
		cmocka_unit_test(test_binom_test),
		cmocka_unit_test(test_should_stop),
		cmocka_unit_test(test_succeeds),
		cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests(tests, ref_init, NULL);
}
