/* test_split.c - a population split over several OpenCL devices
 * (core/split.h): the plan, the normalizer statistics gathered in member
 * order, and the device split against one device.
 *
 * Tolerance: none.  Fitness, normalizer parameters, statistics rows and
 * environment steps of the split must be bit-identical (memcmp) to one
 * device of the same kind (two PoCL pthread devices: POCL_DEVICES is set
 * to "pthread pthread" here unless the caller set it), whatever the
 * weights and wherever a boundary cuts a normalizer group.  Measured
 * difference: 0 bits.  The device tests skip when fewer than two CPU
 * devices exist. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/cfg.h"
#include "core/eval.h"
#include "core/exp.h"
#include "core/obsnorm.h"
#include "core/split.h"
#include "opencl/clrt.h"
#define TU_OPENCL
#include "tests/testutil.h"

/* ---- the plan --------------------------------------------------------- */

static void test_plan(void **state)
{
	size_t f[4];
	const double one_three[2] = { 1, 3 }, even[3] = { 1, 1, 1 };
	const double heavy[2] = { 1000, 1 }, three_one[2] = { 3, 1 };

	(void)state;
	split_plan(16, 1, one_three, 2, false, f);
	assert_true(f[0] == 0 && f[1] == 4 && f[2] == 16);
	/* 8 / 3 = 2.67 each: the leftover 2 go to the lower parts */
	split_plan(8, 1, even, 3, false, f);
	assert_true(f[0] == 0 && f[1] == 3 && f[2] == 6 && f[3] == 8);
	/* whole granules: 10 members = 5 worlds of 2 */
	split_plan(10, 2, three_one, 2, false, f);
	assert_true(f[1] == 8 && f[2] == 10);
	split_plan(10, 2, even, 2, false, f);
	assert_true(f[1] == 6 && f[2] == 10);
	/* without min_one a slow part may get nothing; with it one granule */
	split_plan(4, 1, heavy, 2, false, f);
	assert_true(f[1] == 4 && f[2] == 4);
	split_plan(4, 1, heavy, 2, true, f);
	assert_true(f[1] == 3 && f[2] == 4);
	split_plan(3, 1, even, 3, true, f);
	assert_true(f[1] == 1 && f[2] == 2 && f[3] == 3);
}

static void test_rates_and_weights(void **state)
{
	double rate[3] = { 0, 0, 0 }, w[3];
	const size_t first[4] = { 0, 10, 30, 30 };
	const double secs[3] = { 1.0, 1.0, 0.0 };

	(void)state;
	split_weights(rate, 3, w);
	assert_true(w[0] == 1.0 && w[1] == 1.0 && w[2] == 1.0);
	split_rates(rate, 3, first, secs);
	assert_true(rate[0] == 10.0 && rate[1] == 20.0 && rate[2] == 0.0);
	/* the part that ran nothing weighs the mean of the others */
	split_weights(rate, 3, w);
	assert_true(w[0] == 10.0 && w[1] == 20.0 && w[2] == 15.0);
	split_rates(rate, 3, first, (const double[3]){ 0.5, 1.0, 0.0 });
	assert_true(rate[0] == 15.0 && rate[1] == 20.0);
}

static void test_clip(void **state)
{
	double a[1], b[1], c[1];
	const eval_norm g[3] = { { .n = 3, .obs_params = a },
				 { .n = 5, .obs_params = b },
				 { .n = 4, .obs_params = c } };
	eval_norm out[3];
	size_t g0, n;

	(void)state;
	n = split_clip(g, 3, 2, 6, out, &g0);
	assert_int_equal(n, 2);
	assert_int_equal(g0, 0);
	assert_true(out[0].n == 1 && out[0].obs_params == a && out[0].defer);
	assert_true(out[1].n == 3 && out[1].obs_params == b && out[1].defer);
	n = split_clip(g, 3, 8, 12, out, &g0);
	assert_true(n == 1 && g0 == 2 && out[0].n == 4 && out[0].obs_params == c);
	assert_int_equal(split_clip(g, 3, 12, 12, out, &g0), 0);
}

/* Rows gathered in two pieces fold exactly as obsnorm_update of all rows
 * at once; a deferred group keeps its rows and its parameters. */
static void test_rows_fold(void **state)
{
	enum { D = 3, W = 2 * D + 1, R = 9 };
	float rows[R * W];
	double p1[1 + 2 * D] = { 4, 0.5, -1, 2, 3, 1, 2 }, p2[1 + 2 * D];
	double keep[1 + 2 * D], orig[1 + 2 * D];
	eval_norm g[2] = { { .n = 5, .obs_params = p1 },
			   { .n = 2, .obs_params = keep, .defer = true } };
	split_rows r = { 0 };
	const float *got;
	ej_err err = { 0 };

	(void)state;
	for (int i = 0; i < R * W; i++)
		rows[i] = (float)((i * 37) % 23) / 7.0f - 1.0f;
	for (int i = 0; i < R; i++)
		rows[i * W + 2 * D] = (float)(i + 1);
	memcpy(p2, p1, sizeof(p1));
	memcpy(keep, p1, sizeof(p1));
	memcpy(orig, p1, sizeof(p1));
	obsnorm_update(p2, D, rows, 6);
	assert_int_equal(split_rows_begin(&r, 2, W, &err), 0);
	assert_int_equal(split_rows_add(&r, 0, rows, 4, &err), 0);
	assert_int_equal(split_rows_add(&r, 0, rows + 4 * W, 2, &err), 0);
	assert_int_equal(split_rows_add(&r, 1, rows + 6 * W, 3, &err), 0);
	split_rows_fold(&r, g, 2);
	assert_memory_equal(p1, p2, sizeof(p1));
	assert_memory_equal(keep, orig, sizeof(keep));
	assert_int_equal(split_rows_get(&r, 0, &got), 6);
	assert_memory_equal(got, rows, 6 * W * sizeof(float));
	assert_int_equal(split_rows_get(&r, 1, &got), 3);
	assert_memory_equal(got, rows + 6 * W, 3 * W * sizeof(float));
	assert_int_equal(split_rows_get(&r, 2, &got), 0);
	split_rows_release(&r);
}

/* ---- the split over devices ------------------------------------------- */

static const char cfg_fmt[] =
	"seed: 5\n"
	"task: {name: cartpole, max_steps: 80}\n"
	"policy: {name: mlp, hidden: [6]}\n"
	"algo: {name: pgpe, pop_size: 16}\n"
	"trainer: {n_repeats: 5, n_evaluations: 3, normalize_obs: true}\n"
	"device: {weights: %s}\n";

typedef struct sp_exp {
	cfg_doc *doc;
	exp_cfg e;
} sp_exp;

static void sp_open(sp_exp *x, const char *weights)
{
	char text[1024];
	ej_err err = { 0 };

	snprintf(text, sizeof(text), cfg_fmt, weights);
	x->doc = cfg_load_string(text, "t.yaml", &err);
	if (!x->doc || exp_load(x->doc, &x->e, &err) < 0)
		fail_msg("%s", err.msg);
}

static void sp_close(sp_exp *x)
{
	exp_release(&x->e);
	cfg_free(x->doc);
}

/* Equal test statistics, bit for bit (the struct has padding). */
static void sp_same_test(const test_stats *a, const test_stats *b)
{
	assert_int_equal(a->n, b->n);
	assert_memory_equal(&a->max, &b->max, sizeof(double));
	assert_memory_equal(&a->avg, &b->avg, sizeof(double));
	assert_memory_equal(&a->min, &b->min, sizeof(double));
	assert_memory_equal(&a->std, &b->std, sizeof(double));
}

/* The tests of one and two with normalizers o1, o2 give the same
 * statistics bit for bit; then everything is released. */
static void sp_test_and_close(evaluator *one, evaluator *two, float *params,
			      const double *o1, const double *o2, sp_exp *x,
			      clrt **rts, size_t n_rt)
{
	test_stats t1, t2;
	ej_err err = { 0 };

	assert_int_equal(eval_test(one, params, o1, 4, &t1, &err), 0);
	assert_int_equal(eval_test(two, params, o2, 4, &t2, &err), 0);
	sp_same_test(&t1, &t2);
	free(params);
	eval_free(one);
	eval_free(two);
	sp_close(x);
	clrt_free_set(rts, n_rt);
}

/* The first two CPU devices, or a skip. */
static size_t sp_devices(clrt ***rts)
{
	ej_err err = { 0 };
	size_t n = 0;

	if (clrt_create_set("cpu:*", rts, &n, &err) < 0 || n < 2) {
		clrt_free_set(*rts, n);
		skip();
	}
	return n;
}

#define POP 16
#define OBS (1 + 2 * 5)

/* Three iterations of three normalizer groups (5, 6, 5 members: the
 * boundaries cut them) on one device and on two with 'weights'. */
static void split_equals_one(const char *weights)
{
	clrt **rts = NULL;
	size_t n_rt = sp_devices(&rts);
	sp_exp x;
	evaluator *one, *two;
	float *params, f1[POP], f2[POP];
	double n1[3][OBS] = { { 0 } }, n2[3][OBS] = { { 0 } };
	const size_t sizes[3] = { 5, 6, 5 };
	eval_norm g1[3], g2[3];
	eval_stats s1, s2;
	ej_err err = { 0 };

	sp_open(&x, weights);
	one = split_create(&x.e, rts, 1, &err);
	two = split_create(&x.e, rts, 2, &err);
	if (!one || !two)
		fail_msg("%s", err.msg);
	assert_int_equal(eval_obs_params_size(two), OBS);
	assert_int_equal(eval_param_count(two), eval_param_count(one));
	params = tu_random_params(POP * eval_param_count(one), 0.6f, 11);
	for (int g = 0; g < 3; g++) {
		g1[g] = (eval_norm){ .n = sizes[g], .obs_params = n1[g] };
		g2[g] = (eval_norm){ .n = sizes[g], .obs_params = n2[g] };
	}
	for (uint32_t it = 0; it < 3; it++) {
		assert_int_equal(eval_population(one, params, POP, it, g1, 3, f1,
						 NULL, &s1, &err), 0);
		if (eval_population(two, params, POP, it, g2, 3, f2, NULL, &s2,
				    &err) < 0)
			fail_msg("%s", err.msg);
		assert_memory_equal(f1, f2, sizeof(f1));
		assert_memory_equal(n1, n2, sizeof(n1));
		assert_true(s1.env_steps == s2.env_steps && s1.env_steps > 0);
	}
	/* the normalizers did move: the test compares something */
	assert_true(n1[0][0] > 0 && n1[1][1] != 0.0 && n1[2][0] > 0);
	sp_test_and_close(one, two, params, n1[1], n2[1], &x, rts, n_rt);
}

static void test_split_measured(void **state)
{
	(void)state;
	split_equals_one("[]");
}

static void test_split_weights_1_3(void **state)
{
	(void)state;
	split_equals_one("[1, 3]");
}

/* A split asked to defer (an MPI rank's part) folds nothing and hands
 * back the rows one device gives; NULL norms use its own normalizer. */
static void test_split_defer_and_own(void **state)
{
	clrt **rts = NULL;
	size_t n_rt = sp_devices(&rts);
	sp_exp x;
	evaluator *one, *two;
	float *params, f1[POP], f2[POP];
	double n1[OBS] = { 3, 0.1, 0.2, 0.3, 0.4, 0.5, 1, 1, 1, 1, 1 };
	double n2[OBS], before[OBS];
	eval_norm g1 = { .n = POP, .obs_params = n1, .defer = true };
	eval_norm g2 = { .n = POP, .obs_params = n2, .defer = true };
	const float *r1, *r2;
	size_t c1, c2;
	ej_err err = { 0 };

	(void)state;
	memcpy(n2, n1, sizeof(n1));
	memcpy(before, n1, sizeof(n1));
	sp_open(&x, "[3, 1]");
	one = split_create(&x.e, rts, 1, &err);
	two = split_create(&x.e, rts, 2, &err);
	assert_true(one && two);
	params = tu_random_params(POP * eval_param_count(one), 0.6f, 12);
	assert_int_equal(eval_population(one, params, POP, 2, &g1, 1, f1, NULL,
					 NULL, &err), 0);
	assert_int_equal(eval_population(two, params, POP, 2, &g2, 1, f2, NULL,
					 NULL, &err), 0);
	assert_memory_equal(f1, f2, sizeof(f1));
	assert_memory_equal(n1, before, sizeof(n1));
	assert_memory_equal(n2, before, sizeof(n2));
	c1 = eval_obs_rows(one, 0, &r1);
	c2 = eval_obs_rows(two, 0, &r2);
	assert_true(c1 == c2 && c1 == POP); /* 5 repeats in one 16-lane block */
	assert_memory_equal(r1, r2, c1 * OBS * sizeof(float));
	/* own normalizers: both start at zero and fold the same rows */
	assert_int_equal(eval_population(one, params, POP, 3, NULL, 0, f1, NULL,
					 NULL, &err), 0);
	assert_int_equal(eval_population(two, params, POP, 3, NULL, 0, f2, NULL,
					 NULL, &err), 0);
	assert_memory_equal(f1, f2, sizeof(f1));
	sp_test_and_close(one, two, params, NULL, NULL, &x, rts, n_rt);
}

/* device.weights must name one weight per device. */
static void test_weights_count(void **state)
{
	clrt **rts = NULL;
	size_t n_rt = sp_devices(&rts);
	sp_exp x;
	ej_err err = { 0 };

	(void)state;
	sp_open(&x, "[1, 2, 3]");
	snprintf(x.e.device.spec, sizeof(x.e.device.spec), "cpu:*");
	assert_null(split_create(&x.e, rts, 2, &err));
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg,
			    "'device.weights' has 3 values but 'device.spec' 'cpu:*' names 2 devices");
	sp_close(&x);
	clrt_free_set(rts, n_rt);
}

/* Device set specs: every form and the errors. */
static void test_spec_forms(void **state)
{
	clrt **rts = NULL, **all = NULL;
	size_t n = 0, n_all = 0;
	ej_err err = { 0 };

	(void)state;
	assert_int_equal(clrt_create_set("all", &all, &n_all, &err), 0);
	assert_true(n_all >= 1);
	assert_int_equal(clrt_create_set("auto", &rts, &n, &err), 0);
	assert_int_equal(n, 1);
	clrt_free_set(rts, n);
	if (n_all >= 2) {
		assert_int_equal(clrt_create_set(" 1 , 0 ", &rts, &n, &err), 0);
		assert_int_equal(n, 2);
		assert_ptr_equal(clrt_device(rts[0]), clrt_device(all[1]));
		assert_ptr_equal(clrt_device(rts[1]), clrt_device(all[0]));
		clrt_free_set(rts, n);
	}
	assert_int_equal(clrt_create_set("0,0", &rts, &n, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_DEVICE);
	assert_true(!strncmp(err.msg, "the device spec names device 0 twice; available devices", 55));
	assert_true(rts == NULL && n == 0);
	assert_int_equal(clrt_create_set("0,", &rts, &n, &err), -1);
	assert_string_equal(err.msg, "empty item in the device spec '0,'");
	assert_int_equal(clrt_create_set("0,no-such-device-xyz", &rts, &n, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_DEVICE);
	assert_true(!strncmp(err.msg, "no OpenCL device matches 'no-such-device-xyz'", 45));
	clrt_free_set(all, n_all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_rates_and_weights),
		cmocka_unit_test(test_clip),
		cmocka_unit_test(test_rows_fold),
		cmocka_unit_test(test_split_measured),
		cmocka_unit_test(test_split_weights_1_3),
		cmocka_unit_test(test_split_defer_and_own),
		cmocka_unit_test(test_weights_count),
		cmocka_unit_test(test_spec_forms),
	};

	/* two PoCL CPU devices (before the first OpenCL call) */
	setenv("POCL_DEVICES", "pthread pthread", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
