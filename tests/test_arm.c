/* test_arm - the planar arm direct task: schema and defaults, descriptor
 * bounds, fitness and descriptors worked out by hand for 1-, 2- and
 * 3-joint arms (host and device), and the device (core/direct.c) against
 * the host reference on random arms.
 *
 * Hand values (a = pi x, theta_i = a_0 + .. + a_i, links 1/n,
 * fitness -(1/n) sum (a - mean a)^2, bd = (p + 1)/2):
 *   1 joint  x = (0.5):  p = (0, 1)            bd (0.5, 1)    fit 0
 *   2 joints x = (0, 0): p = (1, 0)            bd (1, 0.5)    fit 0
 *            (0.5, 0.5): theta (pi/2, pi)      p (-1/2, 1/2)  bd (1/4, 3/4)  fit 0
 *            (0.5,-0.5): theta (pi/2, 0)       p (1/2, 1/2)   bd (3/4, 3/4)  fit -pi^2/4
 *   3 joints (0, 0.5, 0.5): theta (0, pi/2, pi) p (0, 1/3)    bd (1/2, 2/3)  fit -pi^2/18
 *            (1, -1, 1):   theta (pi, 0, pi)   p (-1/3, 0)    bd (1/3, 1/2)  fit -8 pi^2/9
 *
 * Device tolerance: fitness |dev - host| <= 1e-5 |host| + 1e-6, descriptor
 * 1e-5 absolute (measured on PoCL: 1e-7 relative, 6e-8 absolute).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cfg.h"
#include "core/direct.h"
#include "opencl/clrt.h"
#include "opencl/philox.h"
#include "tasks/arm.h"

#define PI 3.14159265358979323846

#define assert_near(a, b, tol)                                               \
	do {                                                                 \
		double a_ = (a), b_ = (b);                                   \
		if (!(fabs(a_ - b_) <= (tol)))                               \
			fail_msg("%s = %.17g, expected %.17g (tol %g)", #a,  \
				 a_, b_, (double)(tol));                     \
	} while (0)

typedef struct arm_case {
	int n;
	float x[3];
	double fit, bd0, bd1;
} arm_case;

static const arm_case cases[] = {
	{ 1, { 0.5f }, 0.0, 0.5, 1.0 },
	{ 1, { 0.0f }, 0.0, 1.0, 0.5 },
	{ 2, { 0.0f, 0.0f }, 0.0, 1.0, 0.5 },
	{ 2, { 0.5f, 0.5f }, 0.0, 0.25, 0.75 },
	{ 2, { 0.5f, -0.5f }, -PI * PI / 4, 0.75, 0.75 },
	{ 3, { 0.0f, 0.0f, 0.0f }, 0.0, 1.0, 0.5 },
	{ 3, { 0.0f, 0.5f, 0.5f }, -PI * PI / 18, 0.5, 2.0 / 3 },
	{ 3, { 1.0f, -1.0f, 1.0f }, -8 * PI * PI / 9, 1.0 / 3, 0.5 },
};
enum { N_CASES = sizeof(cases) / sizeof(cases[0]) };

static int parse(const char *yaml, arm_cfg *c, ej_err *err)
{
	static const char *const skip[] = { "name", NULL };
	cfg_doc *d = cfg_load_string(yaml, "t.yaml", err);
	int rc;

	assert_non_null(d);
	rc = cfg_parse_section(cfg_get(cfg_root(d), "task"), "task",
			       arm_ops.fields, arm_ops.n_fields, c, skip, err);
	cfg_free(d);
	return rc;
}

static void test_schema(void **state)
{
	arm_cfg c = { 0 };
	ej_err err = { 0 };
	float lo[2] = { -1, -1 }, hi[2] = { -1, -1 };

	(void)state;
	assert_int_equal(parse("task:\n  name: arm\n", &c, &err), 0);
	assert_int_equal(c.joints, 12); /* Vassiliades & Mouret 2018 */
	assert_int_equal(arm_ops.direct_dim(&c), 12);
	assert_int_equal(parse("task:\n  joints: 1000\n", &c, &err), 0);
	assert_int_equal(arm_ops.direct_dim(&c), 1000);
	assert_int_equal(parse("task:\n  joints: 0\n", &c, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "t.yaml:2:11: 'joints' must be an integer "
			    "in [1, 1000000], got '0'");
	assert_int_equal(parse("task:\n  joint: 3\n", &c, &err), -1);
	assert_non_null(strstr(err.msg, "(did you mean 'joints'?)"));

	assert_string_equal(arm_ops.name, "arm");
	assert_ptr_equal(arm_ops.eval, &direct_eval_ops);
	assert_int_equal(arm_ops.policy_caps, 0);
	assert_int_equal(arm_ops.n_bd, 2);
	arm_ops.bd_bounds(&c, lo, hi);
	assert_true(lo[0] == 0.0f && lo[1] == 0.0f);
	assert_true(hi[0] == 1.0f && hi[1] == 1.0f);
}

static void test_hand_values(void **state)
{
	(void)state;
	for (int k = 0; k < N_CASES; k++) {
		arm_cfg c = { cases[k].n };
		float bd[2] = { -1, -1 };
		double f = arm_ref(&c, cases[k].x, bd);

		assert_near(f, cases[k].fit, 1e-6);
		assert_near(bd[0], cases[k].bd0, 1e-7);
		assert_near(bd[1], cases[k].bd1, 1e-7);
	}
}

/* Stretched straight (all angles 0) the tip is at (1, 0) exactly; the
 * fitness only sees the spread of the angles, not their mean. */
static void test_invariants(void **state)
{
	enum { J = 12 };
	arm_cfg c = { J };
	float x[J], y[J], bd[2], bd2[2];
	double f1, f2;

	(void)state;
	memset(x, 0, sizeof(x));
	assert_true(arm_ref(&c, x, bd) == 0.0);
	assert_true(bd[0] == 1.0f && bd[1] == 0.5f);
	for (int i = 0; i < J; i++) {
		ph_out w = ph_draw(1, PH_PURPOSE_INIT, 0, 0, 0, (unsigned)i);

		x[i] = ph_uniform(w.v[0]) * 2.0f - 1.0f;
		y[i] = x[i] + 0.25f;
	}
	f1 = arm_ref(&c, x, bd);
	f2 = arm_ref(&c, y, bd2);
	assert_true(f1 < -0.1);
	assert_near(f1, f2, 1e-6);
	for (int i = 0; i < 2; i++)
		assert_true(bd[i] >= 0.0f && bd[i] <= 1.0f);
	/* a first joint turned by pi/2 rotates the whole arm by 90 degrees */
	y[0] = x[0] + 0.5f;
	for (int i = 1; i < J; i++)
		y[i] = x[i];
	arm_ref(&c, y, bd2);
	assert_near(bd2[0] - 0.5, -(bd[1] - 0.5), 1e-6);
	assert_near(bd2[1] - 0.5, bd[0] - 0.5, 1e-6);
}

/* ---- device ------------------------------------------------------------ */

static int rt_setup(void **state)
{
	ej_err err = { 0 };

	*state = clrt_create("auto", &err);
	if (!*state)
		fprintf(stderr, "no OpenCL device: %s\n", err.msg);
	return *state ? 0 : -1;
}

static int rt_teardown(void **state)
{
	clrt_free(*state);
	return 0;
}

static direct *mk_direct(clrt *rt, const arm_cfg *c)
{
	ej_err err = { 0 };
	direct *d = direct_create(rt, &arm_ops, c, &err);

	if (!d)
		fail_msg("%s", err.msg);
	assert_int_equal(direct_param_count(d), (size_t)c->joints);
	assert_int_equal(direct_n_bd(d), 2);
	return d;
}

static void test_device_hand_values(void **state)
{
	for (int n = 1; n <= 3; n++) {
		arm_cfg c = { n };
		direct *d = mk_direct(*state, &c);
		ej_err err = { 0 };

		for (int k = 0; k < N_CASES; k++) {
			float fit, bd[2];

			if (cases[k].n != n)
				continue;
			assert_int_equal(direct_eval(d, cases[k].x, 1, &fit, bd,
						     &err), 0);
			assert_near(fit, cases[k].fit, 1e-5);
			assert_near(bd[0], cases[k].bd0, 1e-6);
			assert_near(bd[1], cases[k].bd1, 1e-6);
			if (cases[k].fit == 0.0 && cases[k].bd1 == 0.5)
				assert_true(fit == 0.0f && bd[0] == 1.0f &&
					    bd[1] == 0.5f);
		}
		direct_free(d);
	}
}

static void test_device_vs_host(void **state)
{
	static const int joints[] = { 12, 1000 };
	enum { POP = 16 };

	for (int j = 0; j < 2; j++) {
		arm_cfg c = { joints[j] };
		size_t J = (size_t)c.joints;
		float *x = malloc(POP * J * sizeof(float)), fit[POP], bd[2 * POP];
		direct *d = mk_direct(*state, &c);
		ej_err err = { 0 };

		assert_non_null(x);
		for (size_t i = 0; i < POP * J; i++) {
			ph_out w = ph_draw(2, PH_PURPOSE_INIT, 0, 0, 0, (unsigned)i);

			/* members 0..7 in [-1, 1], 8..15 in [-0.1, 0.1] */
			x[i] = (ph_uniform(w.v[0]) * 2.0f - 1.0f) *
			       (i < POP / 2 * J ? 1.0f : 0.1f);
		}
		assert_int_equal(direct_eval(d, x, POP, fit, bd, &err), 0);
		for (size_t m = 0; m < POP; m++) {
			float hb[2];
			double f = arm_ref(&c, x + m * J, hb);

			assert_near(fit[m], f, 1e-5 * fabs(f) + 1e-6);
			assert_near(bd[2 * m], hb[0], 1e-5);
			assert_near(bd[2 * m + 1], hb[1], 1e-5);
		}
		direct_free(d);
		free(x);
	}
}

int main(void)
{
	const struct CMUnitTest host[] = {
		cmocka_unit_test(test_schema),
		cmocka_unit_test(test_hand_values),
		cmocka_unit_test(test_invariants),
	};
	const struct CMUnitTest device[] = {
		cmocka_unit_test(test_device_hand_values),
		cmocka_unit_test(test_device_vs_host),
	};
	int rc = cmocka_run_group_tests_name("arm host", host, NULL, NULL);

	return rc | cmocka_run_group_tests_name("arm device", device,
						rt_setup, rt_teardown);
}
