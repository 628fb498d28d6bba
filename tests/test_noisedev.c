/* test_noisedev - algorithm noise drawn on the device matches the host
 * layout (algos/algo_util.h) to float tolerance, the mode rule picks the
 * path deterministically, and an algorithm fed device noise stays within
 * tolerance of the host-fed one. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "algos/algo.h"
#include "algos/algo_util.h"
#include "core/cfg.h"
#include "core/optim.h"
#include "core/noisedev.h"
#include "opencl/clrt.h"

#define TU_OPENCL
#include "tests/testutil.h"

/* Device vs host normals: |d - h| <= 1e-5 (1 + |h|): the device's
 * log/sin/cos may differ from glibc's by a few ulps. */
static void test_rows_match_host(void **state)
{
	enum { ROWS = 7, P = 1001 }; /* P not a multiple of 4 */
	clrt *rt = tu_rt_open();
	ej_err err = { 0 };
	noisedev *nd = NULL;
	float *dev = malloc(ROWS * P * sizeof(float));
	float *host = malloc(ROWS * P * sizeof(float));
	int64_t drawn_d = -1, drawn_h = -1;
	double sum = 0, sq = 0;

	(void)state;
	assert_int_equal(nd_create(rt, "on", &nd, &err), 0);
	assert_non_null(nd);
	assert_int_equal(au_noise_rows(nd, dev, ROWS, P, 42, 3, &drawn_d, &err), 0);
	assert_int_equal(au_noise_rows(NULL, host, ROWS, P, 42, 3, &drawn_h, &err), 0);
	assert_int_equal(drawn_d, 3);
	for (size_t i = 0; i < ROWS * P; i++) {
		if (fabsf(dev[i] - host[i]) > 1e-5f * (1.0f + fabsf(host[i])))
			fail_msg("element %zu: device %.9g host %.9g", i, dev[i],
				 host[i]);
		sum += dev[i];
		sq += (double)dev[i] * dev[i];
	}
	/* Standard normals: mean ~ 0, variance ~ 1 over 7007 draws. */
	assert_true(fabs(sum / (ROWS * P)) < 0.05);
	assert_true(fabs(sq / (ROWS * P) - 1.0) < 0.08);
	free(dev);
	free(host);
	nd_free(nd);
	clrt_free(rt);
}

static void test_mode_rule(void **state)
{
	clrt *rt = tu_rt_open();
	ej_err err = { 0 };
	noisedev *aut = NULL, *on = NULL, *off = (noisedev *)&err;

	(void)state;
	assert_int_equal(nd_create(rt, "auto", &aut, &err), 0);
	assert_int_equal(nd_create(rt, "on", &on, &err), 0);
	assert_int_equal(nd_create(rt, "off", &off, &err), 0);
	assert_null(off);
	assert_int_equal(err.code, 0);
	assert_false(nd_wants(NULL, ND_AUTO_MIN));
	if (clrt_device_type(rt) & CL_DEVICE_TYPE_CPU) {
		/* auto keeps the host path on CPU devices. */
		assert_null(aut);
	} else {
		assert_false(nd_wants(aut, ND_AUTO_MIN - 1));
		assert_true(nd_wants(aut, ND_AUTO_MIN));
	}
	assert_true(nd_wants(on, 1));
	nd_free(aut);
	nd_free(on);
	clrt_free(rt);
}

/* A drawn iteration is not drawn again (the algorithms ask and tell on
 * the same noise): the buffer is left untouched. */
static void test_drawn_once(void **state)
{
	clrt *rt = tu_rt_open();
	ej_err err = { 0 };
	noisedev *nd = NULL;
	float buf[8] = { 0 };
	int64_t drawn = 5;

	(void)state;
	assert_int_equal(nd_create(rt, "on", &nd, &err), 0);
	assert_int_equal(au_noise_rows(nd, buf, 2, 4, 1, 5, &drawn, &err), 0);
	for (int i = 0; i < 8; i++)
		assert_true(buf[i] == 0.0f);
	assert_int_equal(au_noise_rows(nd, buf, 2, 4, 1, 6, &drawn, &err), 0);
	assert_int_equal(drawn, 6);
	assert_true(buf[0] != 0.0f);
	nd_free(nd);
	clrt_free(rt);
}

/* Weighted sums on the device vs the host in double: 1e-4 relative. */
static void test_sums_match_host(void **state)
{
	enum { ROWS = 9, P = 777 };
	clrt *rt = tu_rt_open();
	ej_err err = { 0 };
	noisedev *nd = NULL;
	float *z = malloc(ROWS * P * sizeof(float));
	double a[ROWS], b[ROWS], s1[P], s2[P];
	int64_t drawn = -1;

	(void)state;
	assert_int_equal(nd_create(rt, "on", &nd, &err), 0);
	assert_int_equal(au_noise_rows(nd, z, ROWS, P, 7, 1, &drawn, &err), 0);
	for (int k = 0; k < ROWS; k++) {
		a[k] = 0.5 - 0.1 * k;
		b[k] = 0.03 * k - 0.1;
	}
	assert_int_equal(nd_sums(nd, a, b, ROWS, P, s1, s2, &err), 0);
	for (int j = 0; j < P; j++) {
		double r1 = 0, r2 = 0;

		for (int k = 0; k < ROWS; k++) {
			r1 += a[k] * z[k * P + j];
			r2 += b[k] * (double)z[k * P + j] * z[k * P + j];
		}
		assert_true(fabs(s1[j] - r1) <= 1e-4 * (1 + fabs(r1)));
		assert_true(fabs(s2[j] - r2) <= 1e-4 * (1 + fabs(r2)));
	}
	/* Shape mismatch with the last draw is an error. */
	assert_int_equal(nd_sums(nd, a, b, ROWS - 1, P, s1, s2, &err), -1);
	assert_non_null(strstr(err.msg, "rows were drawn"));
	free(z);
	nd_free(nd);
	clrt_free(rt);
}

/* Each mirrored-sampling algorithm takes its noise and gradient sums from
 * the device with device.noise on: after 5 iterations on a sphere its
 * parameters agree with the host-only run to float tolerance. */
static void run_algo(const char *name, noisedev *nd, size_t P, float *out)
{
	const algo_ops *a = algo_find(name);
	cfg_doc *doc = cfg_load_string("pop_size: 16\n", "t", NULL);
	optim_cfg oc;
	algo_env env = { .param_size = P, .seed = 3, .optim = &oc,
			 .noise_dev = nd };
	void *cfg = calloc(1, a->cfg_size), *st = NULL;
	float *pop, fit[16];
	ej_err err = { 0 };

	optim_parse(NULL, &oc, NULL);
	assert_int_equal(cfg_parse_section(cfg_root(doc), name, a->fields,
					   a->n_fields, cfg, NULL, &err), 0);
	if (a->create(&st, cfg, &env, &err) < 0)
		fail_msg("%s: %s", name, err.msg);
	pop = malloc(a->pop_size(st) * P * sizeof(float));
	for (int it = 0; it < 5; it++) {
		assert_int_equal(a->ask(st, pop, &err), 0);
		for (size_t m = 0; m < a->pop_size(st); m++) {
			double f = 0;

			for (size_t j = 0; j < P; j++)
				f += (pop[m * P + j] - 1.0) * (pop[m * P + j] - 1.0);
			fit[m] = (float)-f;
		}
		if (a->tell(st, fit, &err) < 0)
			fail_msg("%s: %s", name, err.msg);
	}
	memcpy(out, a->best_params(st), P * sizeof(float));
	a->free(st);
	free(pop);
	free(cfg);
	cfg_free(doc);
}

static void test_algorithms_on_device_noise(void **state)
{
	static const char *const names[] = { "pgpe", "open_es", "ars", "snes" };
	enum { P = 300 };
	clrt *rt = tu_rt_open();
	ej_err err = { 0 };
	noisedev *nd = NULL;
	float host[P], dev[P];

	(void)state;
	assert_int_equal(nd_create(rt, "on", &nd, &err), 0);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		double moved = 0;

		run_algo(names[i], NULL, P, host);
		run_algo(names[i], nd, P, dev);
		for (int j = 0; j < P; j++) {
			if (fabsf(dev[j] - host[j]) > 1e-3f * (1 + fabsf(host[j])))
				fail_msg("%s: parameter %d device %.9g host %.9g",
					 names[i], j, dev[j], host[j]);
			moved += fabsf(host[j]);
		}
		assert_true(moved > 0); /* the runs did update something */
	}
	nd_free(nd);
	clrt_free(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_match_host),
		cmocka_unit_test(test_mode_rule),
		cmocka_unit_test(test_drawn_once),
		cmocka_unit_test(test_sums_match_host),
		cmocka_unit_test(test_algorithms_on_device_noise),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
