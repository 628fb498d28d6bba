/* test_optim.c - optimizer trajectories, state round trip, config parsing.
 *
 * Expected trajectories were computed once in double precision with a
 * separate python3 script (the formulas of optim.h written out in plain
 * Python lists), printed with %.9g; the optimizer stores float parameters,
 * so comparisons allow 1e-6.  Inputs: theta0 = (1, -2), lr 0.1, gradients
 * g1 = (0.5, -1), g2 = (0.25, 2), g3 = (-1, 0).
 *
 * adamw and radam: the expected trajectories come from an independent
 * python3 script (the update rules of Loshchilov & Hutter and of Liu et
 * al. Algorithm 2 written out in plain Python, double precision, theta and
 * moments rounded to float32 after each step with struct.pack('f')), run
 * once and pasted as literals (%.9g).  RAdam uses 8 gradients (G8 below)
 * to cross the switch-over: with beta2 = 0.999 the script printed
 * rho_t = 1, 1.9995, 2.99867, 3.99750, 4.99600, 5.99416, 6.99200, 7.98949
 * for t = 1..8, so rho_t > 4 first holds at t = 5 (r_5 = 0.0173115032)
 * and rho_t > 5 at t = 6 (r_6 = 0.0258211128).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <math.h>

#include <cmocka.h>

#include "tests/testutil.h"

#include "core/cfg.h"
#include "core/npz.h"
#include "core/optim.h"

#define assert_near(a, b, tol)                                               \
	do {                                                                 \
		double a_ = (a), b_ = (b);                                   \
		if (!(fabs(a_ - b_) <= (tol)))                               \
			fail_msg("%s = %.9g, expected %.9g (tol %g)", #a, a_, \
				 b_, (double)(tol));                         \
	} while (0)

static const float grads[3][2] = { { 0.5f, -1.0f },
				   { 0.25f, 2.0f },
				   { -1.0f, 0.0f } };

static optim_cfg cfg_of(const char *name)
{
	optim_cfg c;
	const optim_info *info = optim_find(name);

	assert_non_null(info);
	memset(&c, 0, sizeof(c));
	cfg_defaults(info->fields, info->n_fields, &c);
	snprintf(c.name, sizeof(c.name), "%s", name);
	return c;
}

/* Run the 3 gradients from theta0 = (1, -2) and check each step. */
static void check_trajectory(const optim_cfg *c, const double want[3][2])
{
	ej_err err = { 0 };
	optim *o = optim_create(c, 2, &err);
	float theta[2] = { 1.0f, -2.0f };

	assert_non_null(o);
	for (int t = 0; t < 3; t++) {
		optim_step(o, theta, grads[t], 0.1);
		assert_int_equal(optim_steps(o), t + 1);
		assert_near(theta[0], want[t][0], 1e-6);
		assert_near(theta[1], want[t][1], 1e-6);
	}
	optim_free(o);
}

static void test_defaults(void **unused)
{
	optim_cfg sgd = cfg_of("sgd"), adam = cfg_of("adam"),
		  clip = cfg_of("clipup"), adamw = cfg_of("adamw"),
		  radam = cfg_of("radam");

	(void)unused;
	assert_true(sgd.momentum == 0.0 && !sgd.nesterov &&
		    sgd.weight_decay == 0.0);
	assert_true(adam.beta1 == 0.9 && adam.beta2 == 0.999 &&
		    adam.eps == 1e-8 && adam.weight_decay == 0.0);
	assert_true(clip.momentum == 0.9 && clip.max_speed == 0.15);
	assert_true(adamw.beta1 == 0.9 && adamw.beta2 == 0.999 &&
		    adamw.eps == 1e-8 && adamw.weight_decay == 0.01);
	assert_true(radam.beta1 == 0.9 && radam.beta2 == 0.999 &&
		    radam.eps == 1e-8 && radam.weight_decay == 0.0 &&
		    radam.threshold == 4.0);
	assert_null(optim_find("rmsprop"));
	assert_string_equal(optim_table[0].name, "sgd");
	assert_string_equal(optim_table[1].name, "adam");
	assert_string_equal(optim_table[2].name, "clipup");
	assert_string_equal(optim_table[3].name, "adamw");
	assert_string_equal(optim_table[4].name, "radam");
	assert_null(optim_table[5].name);
}

static void test_sgd_plain(void **unused)
{
	/* theta += 0.1 g */
	static const double want[3][2] = { { 1.05, -2.1 },
					   { 1.075, -1.9 },
					   { 0.975, -1.9 } };
	optim_cfg c = cfg_of("sgd");

	(void)unused;
	check_trajectory(&c, want);
}

static void test_sgd_momentum(void **unused)
{
	/* v = 0.9 v + g: v = (0.5,-1), (0.7,1.1), (-0.37,0.99) */
	static const double want[3][2] = { { 1.05, -2.1 },
					   { 1.12, -1.99 },
					   { 1.083, -1.891 } };
	optim_cfg c = cfg_of("sgd");

	(void)unused;
	c.momentum = 0.9;
	check_trajectory(&c, want);
}

static void test_sgd_nesterov(void **unused)
{
	/* step = g + 0.9 v: (0.95,-1.9), (0.88,2.99), (-1.333,0.891) */
	static const double want[3][2] = { { 1.095, -2.19 },
					   { 1.183, -1.891 },
					   { 1.0497, -1.8019 } };
	optim_cfg c = cfg_of("sgd");

	(void)unused;
	c.momentum = 0.9;
	c.nesterov = true;
	check_trajectory(&c, want);
}

static void test_adam(void **unused)
{
	/* Step 1: mhat = g, vhat = g^2, so the step is lr*sign(g).  Steps
	 * 2, 3 use 1 - beta^t with t = 2, 3 (EvoJAX's floor(t/1000) quirk
	 * would give 1.1 + 0.1*(0.475/0.1)/sqrt(...) instead). */
	static const double want[3][2] = { { 1.1, -2.1 },
					   { 1.19321796, -2.06338965 },
					   { 1.17258226, -2.03508974 } };
	optim_cfg c = cfg_of("adam");

	(void)unused;
	check_trajectory(&c, want);
}

/* Tiny gradients pin where eps goes: step 1 is lr g / (|g| + eps), so
 * |g| = 1e-6 moves by 0.1 * 1e-6 / (1e-6 + 1e-8) = 0.0990099 and |g| = 1e-9
 * (below eps) by 0.1 * 1e-9 / 1.1e-8 = 0.00909091.  With eps inside the
 * square root (sqrt(vhat + eps)) the first would move by 0.001 and the
 * second by 1e-6; with eps dropped both by 0.1. */
static void test_adam_tiny_gradients(void **unused)
{
	static const float g[2] = { 1e-6f, -1e-9f };
	optim_cfg c = cfg_of("adam");
	ej_err err = { 0 };
	optim *o = optim_create(&c, 2, &err);
	float theta[2] = { 1.0f, -2.0f };

	(void)unused;
	assert_non_null(o);
	assert_near(c.eps, 1e-8, 1e-20);
	optim_step(o, theta, g, 0.1);
	assert_near(theta[0], 1.0 + 0.1 * 1e-6 / (1e-6 + 1e-8), 1e-6);
	assert_near(theta[1], -2.0 - 0.1 * 1e-9 / (1e-9 + 1e-8), 1e-6);
	/* a constant gradient keeps mhat = g, vhat = g^2: the same step */
	optim_step(o, theta, g, 0.1);
	assert_near(theta[0], 1.0 + 0.2 * 1e-6 / (1e-6 + 1e-8), 2e-6);
	assert_near(theta[1], -2.0 - 0.2 * 1e-9 / (1e-9 + 1e-8), 2e-6);
	optim_free(o);
}

static void test_adamw(void **unused)
{
	/* default weight_decay 0.01: adam's step plus -0.1*0.01*theta;
	 * step 1 by hand: (1.1, -2.1) - 0.001 (1, -2) = (1.099, -2.098) */
	static const double want[3][2] = { { 1.09899998, -2.09800005 },
					   { 1.19111896, -2.0592916 },
					   { 1.16929209, -2.02893233 } };
	static const double want_wd[3][2] = { { 1.04999995, -2 },
					      { 1.09071791, -1.86338961 },
					      { 1.01554632, -1.74192023 } };
	optim_cfg c = cfg_of("adamw");

	(void)unused;
	check_trajectory(&c, want);
	c.weight_decay = 0.5;
	check_trajectory(&c, want_wd);
}

/* Decoupled decay acts without any gradient; L2 decay goes through the
 * moments.  lr 0.1, weight_decay 0.5, zero gradient, theta0 = (1, -2)
 * (step 1 by hand, step 2 from the python script for adam and radam):
 *   adamw:      adam step 0 (m = 0), theta *= 1 - 0.05 -> (0.95, -1.9)
 *   adam (L2):  g = -0.5 theta = (-0.5, 1), step = lr sign(g) -> (0.9, -1.9)
 *   radam (L2): step = lr mhat = lr g -> (0.95, -1.9)
 *   sgd (L2):   theta *= 1 - lr wd = 0.95 each step */
static void test_weight_decay(void **unused)
{
	static const float zero[2] = { 0, 0 };
	static const struct {
		const char *name;
		double want[2][2];
	} cases[] = {
		{ "adamw", { { 0.95, -1.9 }, { 0.9025, -1.805 } } },
		{ "adam", { { 0.9, -1.9 }, { 0.800412178, -1.80016649 } } },
		{ "radam", { { 0.95, -1.9 }, { 0.901315749, -1.8026315 } } },
		{ "sgd", { { 0.95, -1.9 }, { 0.9025, -1.805 } } },
	};
	ej_err err = { 0 };

	(void)unused;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		optim_cfg c = cfg_of(cases[k].name);
		float theta[2] = { 1.0f, -2.0f };
		optim *o;

		c.weight_decay = 0.5;
		o = optim_create(&c, 2, &err);
		assert_non_null(o);
		for (int t = 0; t < 2; t++) {
			optim_step(o, theta, zero, 0.1);
			assert_near(theta[0], cases[k].want[t][0], 1e-6);
			assert_near(theta[1], cases[k].want[t][1], 1e-6);
		}
		optim_free(o);
	}
}

/* 8 gradients that carry RAdam across its switch-over (t = 5). */
static const float g8[8][2] = { { 0.5f, -1.0f }, { 0.25f, 2.0f },
				{ -1.0f, 0.0f }, { 0.75f, 0.5f },
				{ 0.1f, -0.3f }, { -0.4f, 1.5f },
				{ 0.6f, 0.2f },	 { 0.3f, -0.8f } };

static void check_trajectory8(const optim_cfg *c, const double want[8][2])
{
	ej_err err = { 0 };
	optim *o = optim_create(c, 2, &err);
	float theta[2] = { 1.0f, -2.0f };

	assert_non_null(o);
	for (int t = 0; t < 8; t++) {
		optim_step(o, theta, g8[t], 0.1);
		assert_near(theta[0], want[t][0], 1e-6);
		assert_near(theta[1], want[t][1], 1e-6);
	}
	optim_free(o);
}

static void test_radam(void **unused)
{
	/* t = 1..4: lr mhat (rho_t <= 4); t = 5..8: lr r_t mhat/(...) */
	static const double want[8][2] = {
		{ 1.04999995, -2.0999999 },  /* momentum */
		{ 1.08684206, -2.0421052 },  /* momentum */
		{ 1.0731889, -2.00557375 },  /* momentum */
		{ 1.08531451, -1.96512592 }, /* momentum, rho 3.9975 */
		{ 1.08564174, -1.96473634 }, /* adaptive, rho 4.9960 */
		{ 1.08566797, -1.96358144 }, /* adaptive */
		{ 1.08633721, -1.96218574 }, /* adaptive */
		{ 1.08738792, -1.96132302 }, /* adaptive */
	};
	/* threshold 5 (torch): t = 5 is still a momentum step */
	static const double want5[8][2] = {
		{ 1.04999995, -2.0999999 },  { 1.08684206, -2.0421052 },
		{ 1.0731889, -2.00557375 },  { 1.08531451, -1.96512592 },
		{ 1.09692109, -1.94188106 }, { 1.09694731, -1.94072616 },
		{ 1.09761655, -1.93933046 }, { 1.09866726, -1.93846774 },
	};
	/* weight_decay 0.1 (L2, through the moments) */
	static const double want_wd[8][2] = {
		{ 1.03999996, -2.07999992 }, { 1.06663156, -2.00168419 },
		{ 1.04259968, -1.94488096 }, { 1.04433286, -1.88440061 },
		{ 1.04436731, -1.88372374 }, { 1.04393637, -1.88224292 },
		{ 1.04402518, -1.88040268 }, { 1.04436195, -1.87890542 },
	};
	optim_cfg c = cfg_of("radam");

	(void)unused;
	check_trajectory8(&c, want);
	c.threshold = 5;
	check_trajectory8(&c, want5);
	c.threshold = 4;
	c.weight_decay = 0.1;
	check_trajectory8(&c, want_wd);
}

/* The first four steps are exactly theta + lr mhat (no division by the
 * second moment): recompute mhat here from the float moments, bit for
 * bit, and check that step 5 is not a momentum step any more. */
static void test_radam_momentum_steps(void **unused)
{
	optim_cfg c = cfg_of("radam");
	ej_err err = { 0 };
	optim *o = optim_create(&c, 2, &err);
	float theta[2] = { 1.0f, -2.0f }, m[2] = { 0, 0 };

	(void)unused;
	assert_non_null(o);
	for (int t = 1; t <= 5; t++) {
		double bc1 = 1.0 - pow(0.9, (double)t);
		float want[2];

		for (int i = 0; i < 2; i++) {
			double mi = 0.9 * m[i] + (1.0 - 0.9) * g8[t - 1][i];

			m[i] = (float)mi;
			want[i] = (float)(theta[i] + 0.1 * (mi / bc1));
		}
		optim_step(o, theta, g8[t - 1], 0.1);
		if (t <= 4) {
			assert_true(theta[0] == want[0]);
			assert_true(theta[1] == want[1]);
		} else {
			/* adaptive: |step| <= lr r_5 (1 + tiny) << lr mhat */
			assert_true(fabs(theta[0] - want[0]) > 0.01);
		}
	}
	optim_free(o);
}

static void test_clipup(void **unused)
{
	/* lr 0.1, m 0.9, max_speed 0.12, gradients (3,4), (3,4), (0,0):
	 *   v1 = 0.1*(0.6,0.8) = (0.06,0.08), |v1| = 0.1: not clipped
	 *   v2 = 0.9 v1 + (0.06,0.08) = (0.114,0.152), |v2| = 0.19 > 0.12:
	 *        clipped to (0.072,0.096)
	 *   v3 = 0.9 v2 = (0.0648,0.0864): zero gradient, no normalisation */
	static const float g[3][2] = { { 3, 4 }, { 3, 4 }, { 0, 0 } };
	static const double want[3][2] = { { 1.06, -1.92 },
					   { 1.132, -1.824 },
					   { 1.1968, -1.7376 } };
	optim_cfg c = cfg_of("clipup");
	ej_err err = { 0 };
	float theta[2] = { 1.0f, -2.0f };
	optim *o;

	(void)unused;
	c.max_speed = 0.12;
	o = optim_create(&c, 2, &err);
	assert_non_null(o);
	for (int t = 0; t < 3; t++) {
		optim_step(o, theta, g[t], 0.1);
		assert_near(theta[0], want[t][0], 1e-6);
		assert_near(theta[1], want[t][1], 1e-6);
	}
	optim_free(o);
}

static void test_clipup_zero_first(void **unused)
{
	optim_cfg c = cfg_of("clipup");
	ej_err err = { 0 };
	float theta[3] = { 0.5f, -1.0f, 2.0f };
	static const float zero[3] = { 0, 0, 0 };
	optim *o = optim_create(&c, 3, &err);

	(void)unused;
	assert_non_null(o);
	optim_step(o, theta, zero, 0.075);
	assert_true(theta[0] == 0.5f && theta[1] == -1.0f && theta[2] == 2.0f);
	optim_free(o);
}

static void test_create_errors(void **unused)
{
	optim_cfg c = cfg_of("adam");
	ej_err err = { 0 };

	(void)unused;
	assert_null(optim_create(&c, 0, &err));
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg,
			    "optimizer 'adam' needs at least one parameter");
	snprintf(c.name, sizeof(c.name), "lion");
	assert_null(optim_create(&c, 4, &err));
	assert_string_equal(err.msg, "unknown optimizer 'lion'");
}

/* ---- state round trip ------------------------------------------------ */



#define RT_N 5

static void rt_grad(int t, float *g)
{
	for (int i = 0; i < RT_N; i++)
		g[i] = (float)sin(0.7 * t + 1.3 * i) * (float)(i + 1);
}

static void round_trip(const char *path, const char *name, double momentum,
		       bool nesterov)
{
	optim_cfg c = cfg_of(name);
	ej_err err = { 0 };
	npz_array arrays[8];
	char names[8][64];
	float theta[RT_N] = { 0.1f, 0.2f, -0.3f, 0.4f, 1.0f }, theta2[RT_N];
	float g[RT_N];
	optim *a, *b;
	npz_file *f;
	size_t n;

	bool moments = !strcmp(name, "adam") || !strcmp(name, "adamw") ||
		       !strcmp(name, "radam");

	if (!moments) {
		c.momentum = momentum;
		c.nesterov = nesterov;
	}
	if (!strcmp(name, "radam"))
		c.weight_decay = 0.05; /* adamw keeps its default 0.01 */
	a = optim_create(&c, RT_N, &err);
	b = optim_create(&c, RT_N, &err);
	assert_non_null(a);
	assert_non_null(b);
	for (int t = 0; t < 4; t++) {
		rt_grad(t, g);
		optim_step(a, theta, g, 0.05);
	}
	n = optim_state(a, "opt_", arrays, 8, names);
	assert_int_equal(n, moments ? 3 : 2);
	assert_string_equal(arrays[n - 1].name, "opt_t");
	assert_int_equal(npz_write(path, arrays, n, &err), 0);
	f = npz_read(path, &err);
	assert_non_null(f);
	assert_int_equal(optim_load(b, "opt_", f, &err), 0);
	npz_free(f);
	assert_int_equal(optim_steps(b), 4);
	memcpy(theta2, theta, sizeof(theta));
	for (int t = 4; t < 9; t++) {
		rt_grad(t, g);
		optim_step(a, theta, g, 0.05);
		optim_step(b, theta2, g, 0.05);
	}
	assert_memory_equal(theta, theta2, sizeof(theta));
	/* (a load that left zero moments behind would diverge here) */
	optim_free(a);
	optim_free(b);
}

static void test_state_round_trip(void **state)
{
	const char *path = ((tu_tmp *)*state)->path;

	round_trip(path, "adam", 0, false);
	round_trip(path, "sgd", 0.9, true);
	round_trip(path, "clipup", 0.9, false);
	/* saved at t = 4, resumed across radam's switch-over at t = 5 */
	round_trip(path, "adamw", 0, false);
	round_trip(path, "radam", 0, false);
}

static void test_load_missing(void **state)
{
	const char *path = ((tu_tmp *)*state)->path;
	optim_cfg c = cfg_of("adam");
	ej_err err = { 0 };
	float theta[2] = { 1, 2 };
	static const float g[2] = { 1, -1 };
	static const float vel[2] = { 0.5f, 0.25f };
	npz_array arr = { .name = "opt_m", .dtype = NPZ_F32, .ndim = 1,
			  .shape = { 2 }, .data = vel };
	npz_array st[4];
	char names[4][64];
	float m_before[2];
	optim *o = optim_create(&c, 2, &err);
	npz_file *f;

	assert_non_null(o);
	optim_step(o, theta, g, 0.1);
	assert_int_equal(optim_state(o, "opt_", st, 4, names), 3);
	memcpy(m_before, st[0].data, sizeof(m_before));
	assert_int_equal(npz_write(path, &arr, 1, &err), 0);
	f = npz_read(path, &err);
	assert_non_null(f);
	assert_int_equal(optim_load(o, "opt_", f, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_RUN);
	assert_non_null(strstr(err.msg, "opt_v"));
	/* unchanged: m, step count */
	assert_memory_equal(st[0].data, m_before, sizeof(m_before));
	assert_int_equal(optim_steps(o), 1);
	npz_free(f);
	optim_free(o);
}

/* Non-finite or negative second moments in a file are refused. */
static void test_load_bad_values(void **state)
{
	const char *path = ((tu_tmp *)*state)->path;
	optim_cfg c = cfg_of("adam");
	ej_err err = { 0 };
	static const float m[2] = { 0.1f, 0.2f };
	const float v_nan[2] = { 0.1f, NAN }, v_neg[2] = { -1.0f, 0.1f };
	static const int64_t t = 3;
	const float *bad[2] = { v_nan, v_neg };
	optim *o = optim_create(&c, 2, &err);

	assert_non_null(o);
	for (int i = 0; i < 2; i++) {
		npz_array arr[3] = {
			{ .name = "opt_m", .dtype = NPZ_F32, .ndim = 1,
			  .shape = { 2 }, .data = m },
			{ .name = "opt_v", .dtype = NPZ_F32, .ndim = 1,
			  .shape = { 2 }, .data = bad[i] },
			{ .name = "opt_t", .dtype = NPZ_I64, .ndim = 0,
			  .data = &t },
		};
		npz_file *f;

		assert_int_equal(npz_write(path, arr, 3, &err), 0);
		f = npz_read(path, &err);
		assert_non_null(f);
		assert_int_equal(optim_load(o, "opt_", f, &err), -1);
		assert_string_equal(err.msg, i == 0
			? "array 'opt_v' has a bad value at 1"
			: "array 'opt_v' has a bad value at 0");
		assert_int_equal(optim_steps(o), 0);
		npz_free(f);
	}
	optim_free(o);
}

/* ---- config ------------------------------------------------------------ */

/* Parse 'text' (a whole YAML file named t.yaml) and its 'optimizer'. */
static int parse(const char *text, optim_cfg *out, ej_err *err)
{
	cfg_doc *d = cfg_load_string(text, "t.yaml", err);
	int rc;

	assert_non_null(d);
	rc = optim_parse(cfg_get(cfg_root(d), "optimizer"), out, err);
	cfg_free(d);
	return rc;
}

static void expect_error(const char *text, const char *msg)
{
	ej_err err = { 0 };
	optim_cfg c;

	assert_int_equal(parse(text, &c, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, msg);
}

static void test_parse_ok(void **unused)
{
	ej_err err = { 0 };
	optim_cfg c;

	(void)unused;
	assert_int_equal(optim_parse(NULL, &c, &err), 0);
	assert_string_equal(c.name, "adam");
	assert_true(c.beta1 == 0.9 && c.beta2 == 0.999 && c.eps == 1e-8);
	assert_int_equal(parse("optimizer:\n  name: clipup\n"
			       "  max_speed: 0.3\n", &c, &err), 0);
	assert_string_equal(c.name, "clipup");
	assert_true(c.momentum == 0.9 && c.max_speed == 0.3);
	assert_int_equal(parse("optimizer:\n  name: sgd\n  momentum: 0.5\n"
			       "  nesterov: true\n", &c, &err), 0);
	assert_string_equal(c.name, "sgd");
	assert_true(c.momentum == 0.5 && c.nesterov);
	assert_int_equal(parse("optimizer:\n  beta2: 0.99\n", &c, &err), 0);
	assert_string_equal(c.name, "adam");
	assert_true(c.beta1 == 0.9 && c.beta2 == 0.99);
}

static void test_parse_errors(void **unused)
{
	(void)unused;
	expect_error("optimizer:\n  name: adamm\n",
		     "t.yaml:2:9: unknown optimizer 'adamm' (did you mean "
		     "'adam'?); known: sgd, adam, clipup, adamw, radam");
	expect_error("optimizer:\n  name: rmsprop\n",
		     "t.yaml:2:9: unknown optimizer 'rmsprop'; known: sgd, "
		     "adam, clipup, adamw, radam");
	expect_error("optimizer:\n  name: radamm\n",
		     "t.yaml:2:9: unknown optimizer 'radamm' (did you mean "
		     "'radam'?); known: sgd, adam, clipup, adamw, radam");
	/* clipup has no weight decay; threshold is radam's only */
	expect_error("optimizer:\n  name: clipup\n  weight_decay: 0.1\n",
		     "t.yaml:3:3: unknown key 'weight_decay' in 'optimizer'");
	expect_error("optimizer:\n  name: adam\n  threshold: 5\n",
		     "t.yaml:3:3: unknown key 'threshold' in 'optimizer'");
	expect_error("optimizer:\n  name: radam\n  threshold: 3\n",
		     "t.yaml:3:14: 'threshold' must be a number >= 4, got '3'");
	expect_error("optimizer:\n  name: adamw\n  weight_decay: -0.1\n",
		     "t.yaml:3:17: 'weight_decay' must be a number >= 0, got "
		     "'-0.1'");
	expect_error("optimizer:\n  name: radam\n  beta2: 1\n",
		     "t.yaml:3:10: 'beta2' must be a number in [0, 1), got '1'");
	expect_error("optimizer:\n  name: adamw\n  beta1: 1.0\n",
		     "t.yaml:3:10: 'beta1' must be a number in [0, 1), got "
		     "'1.0'");
	/* a key of another optimizer */
	expect_error("optimizer:\n  name: adam\n  max_speed: 0.2\n",
		     "t.yaml:3:3: unknown key 'max_speed' in 'optimizer'");
	expect_error("optimizer:\n  max_speed: 0.2\n",
		     "t.yaml:2:3: unknown key 'max_speed' in 'optimizer'");
	expect_error("optimizer:\n  name: sgd\n  nesterov: maybe\n",
		     "t.yaml:3:13: 'nesterov' must be true or false, got 'maybe'");
	expect_error("optimizer:\n  beta1: 1\n",
		     "t.yaml:2:10: 'beta1' must be a number in [0, 1), got '1'");
	expect_error("optimizer:\n  name: [adam]\n",
		     "t.yaml:2:9: 'name' must be one of sgd, adam, clipup, "
		     "adamw, radam");
}

static void test_emit(void **unused)
{
	ej_err err = { 0 };
	optim_cfg c, back;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)unused;
	assert_int_equal(parse("optimizer:\n  name: sgd\n  momentum: 0.5\n",
			       &c, &err), 0);
	optim_emit(f, &c);
	fclose(f);
	assert_string_equal(buf, "optimizer:\n  name: sgd\n  momentum: 0.5\n"
			    "  nesterov: false\n  weight_decay: 0\n");
	/* what is emitted parses back to the same config */
	assert_int_equal(parse(buf, &back, &err), 0);
	assert_string_equal(back.name, "sgd");
	assert_true(back.momentum == 0.5 && !back.nesterov);
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_int_equal(parse("optimizer:\n  name: radam\n  threshold: 5\n"
			       "  weight_decay: 0.001\n", &c, &err), 0);
	optim_emit(f, &c);
	fclose(f);
	assert_string_equal(buf, "optimizer:\n  name: radam\n  beta1: 0.9\n"
			    "  beta2: 0.999\n  eps: 1e-08\n"
			    "  weight_decay: 0.001\n  threshold: 5\n");
	assert_int_equal(parse(buf, &back, &err), 0);
	assert_string_equal(back.name, "radam");
	assert_true(back.threshold == 5 && back.weight_decay == 0.001);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_sgd_plain),
		cmocka_unit_test(test_sgd_momentum),
		cmocka_unit_test(test_sgd_nesterov),
		cmocka_unit_test(test_adam),
		cmocka_unit_test(test_adam_tiny_gradients),
		cmocka_unit_test(test_adamw),
		cmocka_unit_test(test_weight_decay),
		cmocka_unit_test(test_radam),
		cmocka_unit_test(test_radam_momentum_steps),
		cmocka_unit_test(test_clipup),
		cmocka_unit_test(test_clipup_zero_first),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test_setup_teardown(test_state_round_trip,
						tu_tmp_setup, tu_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_load_bad_values, tu_tmp_setup,
						tu_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_load_missing, tu_tmp_setup,
						tu_tmp_teardown),
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_emit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
