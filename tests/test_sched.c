/* test_sched.c - learning-rate schedules: profile values, warmup, sampling,
 * onecycle momentum, plateau feedback, state round trip, config parsing.
 *
 * Expected profile values were computed once with a separate python3
 * script that writes out the REX paper's section 4.1 formulas (x = t/T;
 * onecycle with its factor 2 restored, see sched.c) and prints %.17g; the
 * sampling points for T = 37 were computed there with exact fractions
 * (fractions.Fraction, ceil).  Values are compared to 1e-12.
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

#include "core/cfg.h"
#include "core/npz.h"
#include "core/sched.h"

#define assert_near(a, b, tol)                                               \
	do {                                                                 \
		double a_ = (a), b_ = (b);                                   \
		if (!(fabs(a_ - b_) <= (tol)))                               \
			fail_msg("%s = %.17g, expected %.17g (tol %g)", #a,  \
				 a_, b_, (double)(tol));                     \
	} while (0)

/* The defaults of 'profile', as sched_parse would give for "profile". */
static sched_cfg cfg_of(const char *profile)
{
	sched_cfg c;
	const sched_info *info = sched_find(profile);

	assert_non_null(info);
	memset(&c, 0, sizeof(c));
	cfg_defaults(info->fields, info->n_fields, &c);
	snprintf(c.profile, sizeof(c.profile), "%s", profile);
	return c;
}

static sched make(const sched_cfg *c, long T)
{
	sched s;

	sched_init(&s, c, T);
	return s;
}

/* ---- profiles ---------------------------------------------------------- */

struct expect {
	const char *name;
	double v[5]; /* at t = 0, T/4, T/2, 3T/4, T */
};

static void check_profiles(long T, const long ts[5],
			   const struct expect *e, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		sched_cfg c = cfg_of(e[k].name);
		sched s = make(&c, T);

		for (int i = 0; i < 5; i++) {
			double f = sched_factor(&s, ts[i]);

			if (!(fabs(f - e[k].v[i]) <= 1e-12))
				fail_msg("%s T=%ld t=%ld: %.17g, expected %.17g",
					 e[k].name, T, ts[i], f, e[k].v[i]);
		}
	}
}

static void test_profiles_1000(void **unused)
{
	static const struct expect e[] = {
		{ "constant", { 1, 1, 1, 1, 1 } },
		{ "step", { 1, 1, 0.1, 0.01, 0.01 } },
		{ "linear", { 1, 0.75, 0.5, 0.25, 0 } },
		{ "cosine", { 1, 0.85355339059327373, 0.5,
			      0.14644660940672627, 0 } },
		{ "exponential", { 1, 0.47236655274101469,
				   0.22313016014842982,
				   0.10539922456186433,
				   0.049787068367863944 } },
		{ "onecycle", { 0.1, 0.55, 1, 0.55, 0.1 } },
		/* REX at T/2: (1/2) / (1/2 + 1/4) = 2/3 */
		{ "rex", { 1, 0.8571428571428571, 2.0 / 3.0, 0.4, 0 } },
		{ "delayed_linear", { 1, 1, 1, 0.5, 0 } },
		{ "plateau", { 1, 1, 1, 1, 1 } }, /* no feedback yet */
	};
	static const long ts[5] = { 0, 250, 500, 750, 1000 };

	(void)unused;
	check_profiles(1000, ts, e, sizeof(e) / sizeof(e[0]));
}

/* T = 37: t/T is not a round fraction, and the step milestones fall
 * between iterations (0.5 T = 18.5 -> 19, 0.75 T = 27.75 -> 28). */
static void test_profiles_37(void **unused)
{
	static const struct expect e[] = {
		{ "constant", { 1, 1, 1, 1, 1 } },
		{ "step", { 1, 1, 1, 0.1, 0.01 } },
		{ "linear", { 1, 0.7567567567567568, 0.51351351351351349,
			      0.27027027027027029, 0 } },
		{ "cosine", { 1, 0.86097804697726221, 0.52122060159807415,
			      0.16966263830495937, 0 } },
		{ "exponential", { 1, 0.48203925336555209,
				   0.23236184178521896,
				   0.11200752872479154,
				   0.049787068367863944 } },
		{ "onecycle", { 0.1, 0.5378378378378379, 0.9756756756756757,
				0.58648648648648649, 0.1 } },
		{ "rex", { 1, 0.86153846153846159, 0.67857142857142849,
			   0.42553191489361708, 0 } },
		{ "delayed_linear", { 1, 1, 1, 0.54054054054054057, 0 } },
	};
	static const long ts[5] = { 0, 9, 18, 27, 37 };

	(void)unused;
	check_profiles(37, ts, e, sizeof(e) / sizeof(e[0]));
}

static void test_step_milestones(void **unused)
{
	sched_cfg c = cfg_of("step");
	sched s;

	(void)unused;
	/* default: x0.1 at exactly 500 and 750, not one iteration before */
	s = make(&c, 1000);
	assert_true(sched_factor(&s, 499) == 1.0);
	assert_near(sched_factor(&s, 500), 0.1, 1e-15);
	assert_near(sched_factor(&s, 749), 0.1, 1e-15);
	assert_near(sched_factor(&s, 750), 0.01, 1e-15);
	/* 30-60-90 style, factor 0.5: 0.3 T = 300.00000000000006 is 300 */
	c.milestones.n = 3;
	c.milestones.v[0] = 0.3;
	c.milestones.v[1] = 0.6;
	c.milestones.v[2] = 0.9;
	c.factor = 0.5;
	s = make(&c, 1000);
	assert_true(sched_factor(&s, 299) == 1.0);
	assert_true(sched_factor(&s, 300) == 0.5);
	assert_true(sched_factor(&s, 599) == 0.5);
	assert_true(sched_factor(&s, 600) == 0.25);
	assert_true(sched_factor(&s, 899) == 0.25);
	assert_true(sched_factor(&s, 900) == 0.125);
	assert_true(sched_factor(&s, 999) == 0.125);
}

static void test_other_parameters(void **unused)
{
	sched_cfg c = cfg_of("exponential");
	sched s;

	(void)unused;
	c.gamma = -1;
	s = make(&c, 200);
	assert_near(sched_factor(&s, 100), exp(-0.5), 1e-15);
	c = cfg_of("delayed_linear");
	c.hold = 0.8;
	s = make(&c, 1000);
	assert_true(sched_factor(&s, 800) == 1.0);
	assert_near(sched_factor(&s, 900), 0.5, 1e-12);
	c = cfg_of("onecycle");
	c.min_ratio = 0.25;
	s = make(&c, 1000);
	assert_near(sched_factor(&s, 0), 0.25, 1e-15);
	assert_near(sched_factor(&s, 250), 0.625, 1e-15);
	assert_near(sched_factor(&s, 500), 1.0, 1e-15);
	/* beyond T: the end value; before 0: the start value */
	c = cfg_of("linear");
	s = make(&c, 100);
	assert_true(sched_factor(&s, 150) == 0.0);
	assert_true(sched_factor(&s, -5) == 1.0);
}

/* ---- warmup ------------------------------------------------------------ */

static void test_warmup(void **unused)
{
	sched_cfg c = cfg_of("linear");
	sched s;

	(void)unused;
	/* T 1000, warmup 0.1: W = 100, factor (t+1)/101, then linear over
	 * the remaining B = 900 iterations: t = 550 is halfway */
	c.warmup = 0.1;
	s = make(&c, 1000);
	assert_near(sched_factor(&s, 0), 1.0 / 101, 1e-15);
	assert_near(sched_factor(&s, 49), 50.0 / 101, 1e-15);
	assert_near(sched_factor(&s, 99), 100.0 / 101, 1e-15);
	assert_true(sched_factor(&s, 100) == 1.0);
	assert_near(sched_factor(&s, 550), 0.5, 1e-15);
	assert_near(sched_factor(&s, 999), 1.0 / 900, 1e-15);
	assert_true(sched_factor(&s, 1000) == 0.0);
	/* strictly increasing during warmup */
	for (long t = 1; t <= 100; t++)
		assert_true(sched_factor(&s, t) > sched_factor(&s, t - 1));
	/* rex, T 40, warmup 0.2: W = 8, B = 32; 2/3 at t = 8 + 16 */
	c = cfg_of("rex");
	c.warmup = 0.2;
	s = make(&c, 40);
	assert_near(sched_factor(&s, 24), 2.0 / 3.0, 1e-15);
	assert_near(sched_factor(&s, 7), 8.0 / 9, 1e-15);
	/* onecycle ramps to its start value min_ratio */
	c = cfg_of("onecycle");
	c.warmup = 0.1;
	s = make(&c, 1000);
	assert_near(sched_factor(&s, 0), 0.1 / 101, 1e-15);
	assert_near(sched_factor(&s, 99), 0.1 * 100 / 101, 1e-15);
	assert_near(sched_factor(&s, 100), 0.1, 1e-15);
	assert_near(sched_factor(&s, 550), 1.0, 1e-15); /* peak at W + B/2 */
	assert_near(sched_momentum(&s, 50), 0.95, 1e-15);
	assert_near(sched_momentum(&s, 550), 0.85, 1e-15);
}

/* ---- sampling ---------------------------------------------------------- */

static void test_sampling_at(void **unused)
{
	sched_cfg c = cfg_of("linear");
	sched s;
	int changes = 0;

	(void)unused;
	snprintf(c.sampling, sizeof(c.sampling), "at");
	s = make(&c, 1000); /* at [0.5, 0.75] by default */
	for (long t = 0; t < 1000; t++) {
		double want = t < 500 ? 1.0 : t < 750 ? 0.5 : 0.25;

		assert_near(sched_factor(&s, t), want, 1e-15);
		if (t && sched_factor(&s, t) != sched_factor(&s, t - 1))
			changes++;
	}
	assert_int_equal(changes, 2);
	/* T = 37: points ceil(18.5) = 19 and ceil(27.75) = 28 */
	c = cfg_of("rex");
	snprintf(c.sampling, sizeof(c.sampling), "at");
	s = make(&c, 37);
	for (long t = 0; t < 37; t++) {
		long p = t < 19 ? 0 : t < 28 ? 19 : 28;
		double x = p / 37.0;

		assert_near(sched_factor(&s, t), (1 - x) / (0.5 + 0.5 * (1 - x)),
			    1e-15);
	}
}

static void test_sampling_every(void **unused)
{
	/* every 10%, T = 37: points from the python script */
	static const long pts[] = { 0, 4, 8, 12, 15, 19, 23, 26, 30, 34, 37 };
	sched_cfg c = cfg_of("rex");
	sched s;
	size_t k = 0;

	(void)unused;
	snprintf(c.sampling, sizeof(c.sampling), "every");
	c.every = 0.1;
	s = make(&c, 1000);
	for (long t = 0; t < 1000; t++) {
		double x = (double)(t / 100 * 100) / 1000.0;
		double want = (1 - x) / (0.5 + 0.5 * (1 - x));

		assert_near(sched_factor(&s, t), want, 1e-15);
		/* changes exactly at multiples of 100 */
		if (t)
			assert_true((sched_factor(&s, t) !=
				     sched_factor(&s, t - 1)) == (t % 100 == 0));
	}
	s = make(&c, 37);
	for (long t = 0; t <= 37; t++) {
		double x;

		while (k + 1 < sizeof(pts) / sizeof(pts[0]) && pts[k + 1] <= t)
			k++;
		x = pts[k] / 37.0;
		assert_near(sched_factor(&s, t), (1 - x) / (0.5 + 0.5 * (1 - x)),
			    1e-15);
		if (t)
			assert_true((sched_factor(&s, t) !=
				     sched_factor(&s, t - 1)) ==
				    (pts[k] == t));
	}
}

/* Sampled values equal the per-iteration values at the sample points,
 * and onecycle's momentum is sampled alike. */
static void test_sampling_onecycle(void **unused)
{
	sched_cfg c = cfg_of("onecycle"), d = c;
	sched s, full;

	(void)unused;
	snprintf(c.sampling, sizeof(c.sampling), "every");
	c.every = 0.25;
	s = make(&c, 1000);
	full = make(&d, 1000);
	for (long t = 0; t < 1000; t++) {
		long p = t / 250 * 250;

		assert_true(sched_factor(&s, t) == sched_factor(&full, p));
		assert_true(sched_momentum(&s, t) == sched_momentum(&full, p));
	}
}

/* ---- onecycle momentum ------------------------------------------------- */

static void test_onecycle_momentum(void **unused)
{
	sched_cfg c = cfg_of("onecycle");
	sched s = make(&c, 1000);

	(void)unused;
	assert_near(sched_momentum(&s, 0), 0.95, 1e-15);
	assert_near(sched_momentum(&s, 250), 0.90, 1e-15);
	assert_near(sched_momentum(&s, 500), 0.85, 1e-15);
	assert_near(sched_momentum(&s, 750), 0.90, 1e-15);
	assert_near(sched_momentum(&s, 1000), 0.95, 1e-15);
	s = make(&c, 37);
	assert_near(sched_momentum(&s, 9), 0.90135135135135136, 1e-15);
	/* learning rate up while momentum goes down, and back */
	s = make(&c, 1000);
	for (long t = 1; t <= 1000; t++) {
		double df = sched_factor(&s, t) - sched_factor(&s, t - 1);
		double dm = sched_momentum(&s, t) - sched_momentum(&s, t - 1);

		assert_true(df * dm < 0);
	}
	c = cfg_of("rex");
	s = make(&c, 1000);
	assert_true(isnan(sched_momentum(&s, 10)));
}

/* ---- plateau ----------------------------------------------------------- */

static void test_plateau(void **unused)
{
	sched_cfg c = cfg_of("plateau"); /* patience 3, factor 0.1 */
	sched s;

	(void)unused;
	assert_int_equal(c.patience, 3);
	s = make(&c, 1000);
	sched_observe(&s, 100, 1.0);  /* new best */
	sched_observe(&s, 200, 0.5);  /* bad 1 */
	sched_observe(&s, 300, 1.0);  /* bad 2: equal is no improvement */
	assert_true(sched_factor(&s, 301) == 1.0);
	sched_observe(&s, 400, 0.9);  /* bad 3: reduce */
	assert_near(sched_factor(&s, 401), 0.1, 1e-15);
	sched_observe(&s, 500, 0.95); /* bad 1 again (best stays 1.0) */
	sched_observe(&s, 600, 2.0);  /* new best: count restarts */
	sched_observe(&s, 700, 1.0);  /* bad 1 */
	sched_observe(&s, 800, NAN);  /* bad 2: NaN never improves */
	assert_near(sched_factor(&s, 801), 0.1, 1e-15);
	sched_observe(&s, 900, 1.5);  /* bad 3: reduce */
	assert_near(sched_factor(&s, 901), 0.01, 1e-15);

	/* patience 1, factor 0.5: every non-improving test halves */
	c.patience = 1;
	c.factor = 0.5;
	s = make(&c, 100);
	sched_observe(&s, 10, -3.0);
	assert_true(sched_factor(&s, 11) == 1.0);
	sched_observe(&s, 20, -3.0);
	assert_true(sched_factor(&s, 21) == 0.5);
	sched_observe(&s, 30, -4.0);
	assert_true(sched_factor(&s, 31) == 0.25);
	sched_observe(&s, 40, -2.0);
	assert_true(sched_factor(&s, 41) == 0.25);

	/* tests during the warmup are ignored */
	c.warmup = 0.5;
	s = make(&c, 100);
	sched_observe(&s, 10, 5.0);
	sched_observe(&s, 20, 1.0);
	assert_near(sched_factor(&s, 49), 1.0 * 50 / 51, 1e-15);
	sched_observe(&s, 50, 1.0);  /* the first counted: new best */
	sched_observe(&s, 60, 1.0);  /* bad 1 = patience */
	assert_true(sched_factor(&s, 61) == 0.5);

	/* other profiles ignore feedback */
	c = cfg_of("linear");
	s = make(&c, 100);
	for (int i = 0; i < 10; i++)
		sched_observe(&s, 10 * i, -1.0);
	assert_true(sched_factor(&s, 50) == 0.5);
}

/* ---- state ------------------------------------------------------------- */

static void test_state_round_trip(void **state)
{
	const char *path = ((tu_tmp *)*state)->path;
	static const double scores[] = { 1, 0.5, 0.7, 0.2, 3, 1, 1, 2, 2.5,
					 0, 0, 0, 0, 0 };
	sched_cfg c = cfg_of("plateau");
	ej_err err = { 0 };
	npz_array arrays[4];
	char names[4][64];
	sched a, b;
	npz_file *f;

	(void)state;
	c.patience = 2;
	a = make(&c, 1000);
	b = make(&c, 1000);
	for (int i = 0; i < 6; i++)
		sched_observe(&a, 100 * i, scores[i]);
	assert_int_equal(sched_state(&a, "sched_lr_", arrays, 2, names), 0);
	assert_int_equal(sched_state(&a, "sched_lr_", arrays, 4, names), 3);
	assert_string_equal(arrays[0].name, "sched_lr_best");
	assert_string_equal(arrays[1].name, "sched_lr_bad");
	assert_string_equal(arrays[2].name, "sched_lr_scale");
	assert_int_equal(npz_write(path, arrays, 3, &err), 0);
	f = npz_read(path, &err);
	assert_non_null(f);
	assert_int_equal(sched_load(&b, "sched_lr_", f, &err), 0);
	npz_free(f);
	/* mid-count state (bad 1 after the 6th test) continues identically */
	for (int i = 6; i < 14; i++) {
		sched_observe(&a, 100 * i, scores[i]);
		sched_observe(&b, 100 * i, scores[i]);
		assert_memory_equal(&a.scale, &b.scale, sizeof(a.scale));
		assert_true(sched_factor(&a, 100 * i + 1) ==
			    sched_factor(&b, 100 * i + 1));
	}
	assert_true(a.best == 3 && b.best == 3);
	assert_true(a.scale < 0.01); /* several reductions happened */
}

static void test_load_errors(void **state)
{
	const char *path = ((tu_tmp *)*state)->path;
	sched_cfg c = cfg_of("plateau");
	sched s = make(&c, 100), before;
	ej_err err = { 0 };
	double best = 1.5, scale = -1;
	int64_t bad = 2, neg = -1;
	npz_array arr[3] = {
		{ .name = "p_best", .dtype = NPZ_F64, .ndim = 0, .data = &best },
		{ .name = "p_bad", .dtype = NPZ_I64, .ndim = 0, .data = &bad },
		{ .name = "p_scale", .dtype = NPZ_F64, .ndim = 0,
		  .data = &scale },
	};
	npz_file *f;

	(void)state;
	sched_observe(&s, 1, 4.0);
	before = s;
	/* scale <= 0 */
	assert_int_equal(npz_write(path, arr, 3, &err), 0);
	f = npz_read(path, &err);
	assert_int_equal(sched_load(&s, "p_", f, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_RUN);
	assert_string_equal(err.msg, "array 'p_scale' must be a finite number "
			    "> 0, got -1");
	npz_free(f);
	/* negative count */
	scale = 0.5;
	arr[1].data = &neg;
	assert_int_equal(npz_write(path, arr, 3, &err), 0);
	f = npz_read(path, &err);
	assert_int_equal(sched_load(&s, "p_", f, &err), -1);
	assert_string_equal(err.msg, "array 'p_bad' must be >= 0, got -1");
	npz_free(f);
	/* missing array */
	arr[1].data = &bad;
	assert_int_equal(npz_write(path, arr, 2, &err), 0);
	f = npz_read(path, &err);
	assert_int_equal(sched_load(&s, "p_", f, &err), -1);
	assert_string_equal(err.msg, "missing array 'p_scale'");
	npz_free(f);
	/* wrong type */
	arr[2].dtype = NPZ_F32;
	assert_int_equal(npz_write(path, arr, 3, &err), 0);
	f = npz_read(path, &err);
	assert_int_equal(sched_load(&s, "p_", f, &err), -1);
	assert_non_null(strstr(err.msg, "'p_scale' must be one float64"));
	npz_free(f);
	assert_memory_equal(&s, &before, sizeof(s));
}

/* ---- config ------------------------------------------------------------ */

/* Parse 'text' (a whole YAML file named t.yaml), schedule.center_lr. */
static int parse(const char *text, sched_cfg *out, ej_err *err)
{
	cfg_doc *d = cfg_load_string(text, "t.yaml", err);
	int rc;

	assert_non_null(d);
	rc = sched_parse(cfg_path(cfg_root(d), "schedule.center_lr"),
			 "center_lr", out, err);
	cfg_free(d);
	return rc;
}

static void expect_error(const char *text, const char *msg)
{
	ej_err err = { 0 };
	sched_cfg c;

	memset(&c, 0x5a, sizeof(c));
	assert_int_equal(parse(text, &c, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, msg);
	assert_int_equal(((unsigned char *)&c)[0], 0x5a); /* untouched */
}

#define KNOWN "known: constant, step, linear, cosine, exponential, " \
	      "onecycle, rex, delayed_linear, plateau"

static void test_parse_ok(void **unused)
{
	ej_err err = { 0 };
	sched_cfg c;

	(void)unused;
	assert_int_equal(parse("schedule:\n  center_lr: rex\n", &c, &err), 0);
	assert_string_equal(c.profile, "rex");
	assert_string_equal(c.sampling, "iteration");
	assert_true(c.warmup == 0);
	assert_int_equal(parse("schedule:\n  center_lr:\n    profile: step\n"
			       "    milestones: [0.3, 0.6, 0.9]\n"
			       "    factor: 0.5\n    warmup: 0.05\n", &c, &err),
			 0);
	assert_string_equal(c.profile, "step");
	assert_int_equal(c.milestones.n, 3);
	assert_true(c.milestones.v[2] == 0.9 && c.factor == 0.5 &&
		    c.warmup == 0.05);
	/* defaults */
	assert_int_equal(parse("schedule:\n  center_lr: {profile: step}\n",
			       &c, &err), 0);
	assert_true(c.milestones.n == 2 && c.milestones.v[0] == 0.5 &&
		    c.milestones.v[1] == 0.75 && c.factor == 0.1);
	assert_int_equal(parse("schedule:\n  center_lr: exponential\n", &c,
			       &err), 0);
	assert_true(c.gamma == -3);
	assert_int_equal(parse("schedule:\n  center_lr: onecycle\n", &c,
			       &err), 0);
	assert_true(c.min_ratio == 0.1 && c.momentum_min == 0.85 &&
		    c.momentum_max == 0.95);
	assert_int_equal(parse("schedule:\n  center_lr: plateau\n", &c, &err),
			 0);
	assert_true(c.patience == 3 && c.factor == 0.1);
	assert_int_equal(parse("schedule:\n  center_lr: delayed_linear\n", &c,
			       &err), 0);
	assert_true(c.hold == 0.5);
	/* sampling inferred from 'at' / 'every', or given */
	assert_int_equal(parse("schedule:\n  center_lr: {profile: linear, "
			       "at: [0.5, 0.75]}\n", &c, &err), 0);
	assert_string_equal(c.sampling, "at");
	assert_int_equal(c.at.n, 2);
	assert_int_equal(parse("schedule:\n  center_lr: {profile: linear, "
			       "every: 0.05}\n", &c, &err), 0);
	assert_string_equal(c.sampling, "every");
	assert_true(c.every == 0.05);
	assert_int_equal(parse("schedule:\n  center_lr: {profile: linear, "
			       "sampling: at}\n", &c, &err), 0);
	assert_true(c.at.n == 2 && c.at.v[0] == 0.5 && c.at.v[1] == 0.75);
	/* absent or null: constant */
	assert_int_equal(parse("schedule:\n  center_lr:\n", &c, &err), 0);
	assert_string_equal(c.profile, "constant");
	assert_int_equal(sched_parse(NULL, "center_lr", &c, &err), 0);
	assert_string_equal(c.profile, "constant");
}

static void test_parse_errors(void **unused)
{
	(void)unused;
	expect_error("schedule:\n  center_lr:\n    profile: rexx\n",
		     "t.yaml:3:14: unknown schedule profile 'rexx' (did you "
		     "mean 'rex'?); " KNOWN);
	expect_error("schedule:\n  center_lr: cosin\n",
		     "t.yaml:2:14: unknown schedule profile 'cosin' (did you "
		     "mean 'cosine'?); " KNOWN);
	expect_error("schedule:\n  center_lr: warmup_cosine_restarts\n",
		     "t.yaml:2:14: unknown schedule profile "
		     "'warmup_cosine_restarts'; " KNOWN);
	expect_error("schedule:\n  center_lr:\n    warmup: 0.1\n",
		     "t.yaml:3:5: 'schedule.center_lr' needs a 'profile' (one "
		     "of constant, step, linear, cosine, exponential, onecycle, "
		     "rex, delayed_linear, plateau)");
	expect_error("schedule:\n  center_lr: [rex]\n",
		     "t.yaml:2:14: 'schedule.center_lr' must be a profile "
		     "name or a mapping");
	expect_error("schedule:\n  center_lr:\n    profile: [rex]\n",
		     "t.yaml:3:14: 'profile' must be one of constant, step, "
		     "linear, cosine, exponential, onecycle, rex, "
		     "delayed_linear, plateau");
	/* keys of other profiles */
	expect_error("schedule:\n  center_lr:\n    profile: rex\n"
		     "    gamma: -2\n",
		     "t.yaml:4:5: unknown key 'gamma' in 'schedule.center_lr'");
	expect_error("schedule:\n  center_lr:\n    profile: plateau\n"
		     "    sampling: every\n",
		     "t.yaml:4:5: unknown key 'sampling' in "
		     "'schedule.center_lr'");
	expect_error("schedule:\n  center_lr:\n    profile: linear\n"
		     "    patience: 3\n",
		     "t.yaml:4:5: unknown key 'patience' in "
		     "'schedule.center_lr'");
	expect_error("schedule:\n  center_lr:\n    profile: step\n"
		     "    milestone: [0.5]\n",
		     "t.yaml:4:5: unknown key 'milestone' in "
		     "'schedule.center_lr' (did you mean 'milestones'?)");
	/* values */
	expect_error("schedule:\n  center_lr:\n    profile: delayed_linear\n"
		     "    hold: 1\n",
		     "t.yaml:4:11: 'hold' must be a number in [0, 1), got '1'");
	expect_error("schedule:\n  center_lr:\n    profile: cosine\n"
		     "    warmup: 1.0\n",
		     "t.yaml:4:13: 'warmup' must be a number in [0, 1), got "
		     "'1.0'");
	expect_error("schedule:\n  center_lr:\n    profile: plateau\n"
		     "    patience: 0\n",
		     "t.yaml:4:15: 'patience' must be an integer >= 1, got "
		     "'0'");
	expect_error("schedule:\n  center_lr:\n    profile: step\n"
		     "    factor: 0\n",
		     "t.yaml:4:13: 'factor' must be a number in (0, 1], got "
		     "'0'");
	expect_error("schedule:\n  center_lr:\n    profile: step\n"
		     "    milestones: [0.5, 1.5]\n",
		     "t.yaml:4:23: 'milestones' must be a list of numbers in "
		     "[0, 1], got '1.5' (item 2)");
	expect_error("schedule:\n  center_lr:\n    profile: rex\n"
		     "    sampling: sometimes\n",
		     "t.yaml:4:15: 'sampling' must be one of iteration, at, "
		     "every, got 'sometimes'");
	/* sampling keys that do not go together */
	expect_error("schedule:\n  center_lr:\n    profile: rex\n"
		     "    sampling: every\n    at: [0.5]\n",
		     "t.yaml:5:9: 'at' only applies with 'sampling: at'");
	expect_error("schedule:\n  center_lr:\n    profile: rex\n"
		     "    sampling: iteration\n    every: 0.1\n",
		     "t.yaml:5:12: 'every' only applies with 'sampling: "
		     "every'");
	expect_error("schedule:\n  center_lr:\n    profile: rex\n"
		     "    at: [0.5]\n    every: 0.1\n",
		     "t.yaml:5:12: 'every' cannot be combined with 'at'");
	expect_error("schedule:\n  center_lr:\n    profile: rex\n"
		     "    every: 0\n",
		     "t.yaml:4:12: 'every' must be a number in (0, 1], got "
		     "'0'");
}

static char *emit(const sched_cfg *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	sched_emit(f, 4, c);
	fclose(f);
	return buf;
}

static void test_emit(void **unused)
{
	static const char *const inputs[] = {
		"rex",
		"{profile: rex, warmup: 0.05}",
		"{profile: step, milestones: [0.3, 0.6, 0.9], factor: 0.5}",
		"{profile: linear, at: [0.25, 0.5, 0.75]}",
		"{profile: cosine, every: 0.05}",
		"{profile: exponential, gamma: -2.5, sampling: every}",
		"{profile: onecycle, min_ratio: 0.2, momentum_min: 0.8}",
		"{profile: delayed_linear, hold: 0.7}",
		"{profile: plateau, patience: 2, factor: 0.5}",
		"constant",
	};
	ej_err err = { 0 };
	sched_cfg c, back;
	char text[512], *buf;

	(void)unused;
	assert_int_equal(parse("schedule:\n  center_lr: {profile: rex, "
			       "warmup: 0.05}\n", &c, &err), 0);
	buf = emit(&c);
	assert_string_equal(buf, "    profile: rex\n    warmup: 0.05\n"
			    "    sampling: iteration\n");
	free(buf);
	assert_int_equal(parse("schedule:\n  center_lr: {profile: linear, "
			       "at: [0.5]}\n", &c, &err), 0);
	buf = emit(&c);
	assert_string_equal(buf, "    profile: linear\n    warmup: 0\n"
			    "    sampling: at\n    at: [0.5]\n");
	free(buf);
	/* every profile: emitted text parses back to the same config */
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		snprintf(text, sizeof(text), "schedule:\n  center_lr: %s\n",
			 inputs[i]);
		assert_int_equal(parse(text, &c, &err), 0);
		buf = emit(&c);
		snprintf(text, sizeof(text), "schedule:\n  center_lr:\n%s",
			 buf);
		free(buf);
		if (parse(text, &back, &err) < 0)
			fail_msg("%s: %s", text, err.msg);
		if (memcmp(&c, &back, sizeof(c)))
			fail_msg("%zu: %s", i, inputs[i]);
	}
}

static void test_table(void **unused)
{
	size_t n = 0;

	(void)unused;
	for (const sched_info *i = sched_table; i->name; i++, n++) {
		sched_cfg c;

		assert_non_null(i->summary);
		assert_ptr_equal(sched_find(i->name), i);
		for (size_t k = 0; k < i->n_fields; k++) {
			assert_non_null(i->fields[k].help);
			for (size_t j = k + 1; j < i->n_fields; j++)
				assert_string_not_equal(i->fields[k].key,
							i->fields[j].key);
		}
		cfg_defaults(i->fields, i->n_fields, &c); /* asserts if bad */
		for (const sched_info *u = i + 1; u->name; u++)
			assert_string_not_equal(i->name, u->name);
	}
	assert_int_equal(n, 9);
	assert_null(sched_find("warm_restarts"));
}

static void test_help(void **unused)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)unused;
	sched_print_help(f);
	fclose(f);
	assert_non_null(strstr(buf, "  rex - (1 - t/T) / (1/2 + (1 - t/T)/2)"));
	assert_non_null(strstr(buf, "\n    gamma "));
	assert_non_null(strstr(buf, "\n  plateau - "));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profiles_1000),
		cmocka_unit_test(test_profiles_37),
		cmocka_unit_test(test_step_milestones),
		cmocka_unit_test(test_other_parameters),
		cmocka_unit_test(test_warmup),
		cmocka_unit_test(test_sampling_at),
		cmocka_unit_test(test_sampling_every),
		cmocka_unit_test(test_sampling_onecycle),
		cmocka_unit_test(test_onecycle_momentum),
		cmocka_unit_test(test_plateau),
		cmocka_unit_test_setup_teardown(test_state_round_trip,
						tu_tmp_setup, tu_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_load_errors, tu_tmp_setup,
						tu_tmp_teardown),
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_emit),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_help),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
