/* test_fire.c - FIRE PBT statistics (core/fire.c): the GP log marginal
 * likelihood, posterior mean and empirical-Bayes fit against scikit-learn,
 * and bad input.
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

/* ---- bad input --------------------------------------------------------- */

static void test_gp_bad_input(void **state)
{
	const double x[] = { 0, 1, 2 }, y[] = { 0, NAN, 1 };
	const double xd[] = { 0, 1, 1 }, ok[] = { 0, 1, 2 };
	const double xi[] = { 0, INFINITY, 2 };
	fire_curve one = { x, ok, 1 }, nan = { x, y, 3 }, dup = { xd, ok, 3 };
	fire_curve inf = { xi, ok, 3 }, good = { x, ok, 3 };
	fire_gp_hp hp = { 1, 1, 0.1 }, bad = { 1, 0, 0.1 };
	double mu[3], lml;
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
	/* NULL err is allowed */
	assert_int_equal(fire_gp_smooth(&one, mu, NULL, NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gp_lml_fixed),
		cmocka_unit_test(test_gp_fit),
		cmocka_unit_test(test_gp_standardise),
		cmocka_unit_test(test_gp_bad_input),
	};

	return cmocka_run_group_tests(tests, ref_init, NULL);
}
