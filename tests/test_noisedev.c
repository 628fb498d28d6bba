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

#include "algos/algo_util.h"
#include "core/noisedev.h"
#include "opencl/clrt.h"

static clrt *rt_open(void)
{
	ej_err err = { 0 };
	clrt *rt = clrt_create("auto", &err);

	if (!rt)
		fail_msg("%s", err.msg);
	return rt;
}

/* Device vs host normals: |d - h| <= 1e-5 (1 + |h|): the device's
 * log/sin/cos may differ from glibc's by a few ulps. */
static void test_rows_match_host(void **state)
{
	enum { ROWS = 7, P = 1001 }; /* P not a multiple of 4 */
	clrt *rt = rt_open();
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
	clrt *rt = rt_open();
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
	clrt *rt = rt_open();
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_match_host),
		cmocka_unit_test(test_mode_rule),
		cmocka_unit_test(test_drawn_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
