/* test_function - the "function" direct task: schema and defaults, the host
 * reference at its optima and at hand-computed points, against the
 * textbook formulas in long double, the random shift, and the device
 * (core/direct.c on the default OpenCL device) against the host reference.
 *
 * Hand values (textbook forms, computed by hand / mpmath at 30 digits):
 *   rastrigin (0.5) = 20.25, (1, 0.5) = 21.25, (0.25, -1.5, 3) = 41.3125
 *   ackley (1, 1) = 20 - 20 e^-0.2 = 3.62538493844036283
 *   ackley (0.5, -0.25, 2) = 19 + e - 20 exp(-0.2 sqrt(1.4375))
 *                          = 5.98244522548877954
 *   griewank (1, 2) = 0.916993262132670796, (3, 0) = 1.99224249660044554
 *            (3, 4, -5) = 1.92392397046196999
 *   rosenbrock, shift 0 (y = x + 1): (-1, -1) = 1, (1, 0) = 901
 *
 * Device tolerance: |device + f_host| <= 1e-5 |f_host| + 1e-30 (relative
 * only: every f is a sum of non-negative terms, evaluated without
 * cancellation; see tasks/function.c), on random points, next to the
 * optimum (1e-3 away) and at dim 2^20; at x* the device gives exactly 0.
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
#include "tasks/function.h"

#define assert_near(a, b, tol)                                               \
	do {                                                                 \
		double a_ = (a), b_ = (b);                                   \
		if (!(fabs(a_ - b_) <= (tol)))                               \
			fail_msg("%s = %.17g, expected %.17g (tol %g)", #a,  \
				 a_, b_, (double)(tol));                     \
	} while (0)

static const char *const fn_all[] = { "sphere", "ellipsoid", "rosenbrock",
				      "rastrigin", "ackley", "griewank" };
enum { N_FN = sizeof(fn_all) / sizeof(fn_all[0]) };

/* Parse 'task' of a YAML text into c; returns cfg_parse_section's rc. */
static int parse(const char *yaml, function_cfg *c, ej_err *err)
{
	static const char *const skip[] = { "name", NULL };
	cfg_doc *d = cfg_load_string(yaml, "t.yaml", err);
	int rc;

	assert_non_null(d);
	rc = cfg_parse_section(cfg_get(cfg_root(d), "task"), "task",
			       function_ops.fields, function_ops.n_fields, c,
			       skip, err);
	cfg_free(d);
	return rc;
}

static function_cfg mk(const char *fn, int dim, double shift)
{
	function_cfg c;

	cfg_defaults(function_ops.fields, function_ops.n_fields, &c);
	snprintf(c.fn, sizeof(c.fn), "%s", fn);
	c.dim = dim;
	c.shift = shift;
	return c;
}

/* U(-scale, scale) + offset, from Philox (PH_PURPOSE_INIT, 'seed'). */
static void fill(float *x, size_t n, float offset, float scale,
		 unsigned seed)
{
	for (size_t i = 0; i < n; i++) {
		ph_out w = ph_draw(seed, PH_PURPOSE_INIT, 0, 0, 0, (unsigned)i);

		x[i] = offset + (ph_uniform(w.v[0]) * 2.0f - 1.0f) * scale;
	}
}

/* ---- schema ------------------------------------------------------------ */

static void test_defaults(void **state)
{
	function_cfg c;
	ej_err err = { 0 };

	(void)state;
	memset(&c, 0x55, sizeof(c));
	assert_int_equal(parse("task:\n  name: function\n", &c, &err), 0);
	assert_string_equal(c.fn, "sphere");
	assert_int_equal(c.dim, 10);
	assert_true(c.shift == 0.0);
	assert_false(c.shift_random);
	assert_int_equal(c.shift_seed, 0);
	assert_true(c.cond == 1e6);
	assert_int_equal(function_kind(&c), FUNCTION_SPHERE);
	assert_int_equal(function_ops.direct_dim(&c), 10);
	assert_ptr_equal(function_ops.eval, &direct_eval_ops);
	assert_int_equal(function_ops.policy_caps, 0);
	assert_int_equal(function_ops.n_bd, 0);
	assert_string_equal(function_ops.name, "function");
	assert_string_equal(function_ops.cl_file, "tasks/function.cl");

	assert_int_equal(parse("task:\n  name: function\n  fn: griewank\n"
			       "  dim: 10000000\n  shift: -2.5\n"
			       "  shift_random: true\n  shift_seed: 7\n"
			       "  cond: 100\n", &c, &err), 0);
	assert_int_equal(function_kind(&c), FUNCTION_GRIEWANK);
	assert_int_equal(function_ops.direct_dim(&c), 10000000);
	assert_true(c.shift == -2.5 && c.shift_random && c.shift_seed == 7 &&
		    c.cond == 100.0);
	for (int k = 0; k < N_FN; k++) {
		char y[128];

		snprintf(y, sizeof(y), "task:\n  fn: %s\n", fn_all[k]);
		assert_int_equal(parse(y, &c, &err), 0);
		assert_int_equal(function_kind(&c), k);
	}
}

static void test_config_errors(void **state)
{
	function_cfg c;
	ej_err err = { 0 };

	(void)state;
	assert_int_equal(parse("task:\n  dim: 0\n", &c, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "t.yaml:2:8: 'dim' must be an integer in "
			    "[1, 10000000], got '0'");
	assert_int_equal(parse("task:\n  dim: 10000001\n", &c, &err), -1);
	assert_string_equal(err.msg, "t.yaml:2:8: 'dim' must be an integer in "
			    "[1, 10000000], got '10000001'");
	assert_int_equal(parse("task:\n  fn: rastrigni\n", &c, &err), -1);
	assert_string_equal(err.msg, "t.yaml:2:7: 'fn' must be one of sphere, "
			    "ellipsoid, rosenbrock, rastrigin, ackley, "
			    "griewank, got 'rastrigni' (did you mean "
			    "'rastrigin'?)");
	assert_int_equal(parse("task:\n  cond: 0.5\n", &c, &err), -1);
	assert_non_null(strstr(err.msg, "t.yaml:2:9: 'cond' must be a number"));
	assert_int_equal(parse("task:\n  dims: 3\n", &c, &err), -1);
	assert_non_null(strstr(err.msg, "unknown key 'dims' in 'task' (did you "
				"mean 'dim'?)"));
}

/* The device options carry the float shift exactly and the kind. */
static void test_defines(void **state)
{
	function_cfg c = mk("ackley", 3, 0.1);
	char buf[1024];
	float s;

	(void)state;
	function_ops.defines(&c, buf, sizeof(buf));
	assert_non_null(strstr(buf, "#define FN_KIND 4\n"));
	assert_non_null(strstr(buf, "#define FN_SHIFT_RANDOM 0\n"));
	assert_int_equal(sscanf(strstr(buf, "FN_SHIFT (") + 10, "%f", &s), 1);
	assert_true(s == 0.1f);
}

/* ---- host reference ---------------------------------------------------- */

static void test_optimum_is_zero(void **state)
{
	static const double shifts[] = { 0.0, 1.7, -3.25 };
	float x[33];

	(void)state;
	for (int k = 0; k < N_FN; k++)
		for (int s = 0; s < 3; s++)
			for (int r = 0; r < 2; r++) {
				function_cfg c = mk(fn_all[k], 33, shifts[s]);

				c.shift_random = r;
				c.shift_seed = 11;
				function_optimum(&c, x, 33);
				if (!r)
					assert_true(x[32] == (float)shifts[s]);
				/* ackley: the brief allows 1e-12; it is 0 */
				assert_near(function_ref(&c, x, 33), 0.0, 1e-12);
				assert_true(function_ref(&c, x, 33) == 0.0);
			}
}

static void test_hand_values(void **state)
{
	function_cfg c;
	const float sph[] = { 1, 2, 3 }, one[] = { 1, 1, 1 };
	const float r1[] = { 0.5f }, r2[] = { 1, 0.5f },
		    r3[] = { 0.25f, -1.5f, 3 };
	const float a3[] = { 0.5f, -0.25f, 2 };
	const float g2[] = { 1, 2 }, g2b[] = { 3, 0 }, g3[] = { 3, 4, -5 };
	const float rb1[] = { -1, -1 }, rb2[] = { 1, 0 }, rb3[] = { 2, 1 };

	(void)state;
	c = mk("sphere", 3, 0);
	assert_near(function_ref(&c, sph, 3), 14.0, 1e-13);
	c.shift = 1; /* z = (0, 1, 2) */
	assert_near(function_ref(&c, sph, 3), 5.0, 1e-13);
	c = mk("ellipsoid", 3, 0);
	c.cond = 100; /* weights 1, 10, 100 */
	assert_near(function_ref(&c, one, 3), 111.0, 1e-12);
	c = mk("rastrigin", 1, 0);
	assert_near(function_ref(&c, r1, 1), 20.25, 1e-13);
	assert_near(function_ref(&c, r2, 2), 21.25, 1e-13);
	assert_near(function_ref(&c, r3, 3), 41.3125, 1e-12);
	c = mk("ackley", 2, 0);
	assert_near(function_ref(&c, one, 2), 3.62538493844036283, 1e-13);
	assert_near(function_ref(&c, a3, 3), 5.98244522548877954, 1e-13);
	c = mk("griewank", 2, 0);
	assert_near(function_ref(&c, g2, 2), 0.916993262132670796, 1e-14);
	assert_near(function_ref(&c, g2b, 2), 1.99224249660044554, 1e-14);
	assert_near(function_ref(&c, g3, 3), 1.92392397046196999, 1e-14);
	c = mk("rosenbrock", 2, 0); /* y = x + 1 */
	assert_near(function_ref(&c, rb1, 2), 1.0, 1e-13);
	assert_near(function_ref(&c, rb2, 2), 901.0, 1e-11);
	c.shift = 1; /* y = x: the textbook Rosenbrock */
	assert_near(function_ref(&c, rb3, 2), 901.0, 1e-11);
	assert_near(function_ref(&c, one, 3), 0.0, 0.0);
	assert_near(function_ref(&c, rb1, 1), 0.0, 0.0); /* n = 1: empty sum */
}

/* Ellipsoid weights: cond^(i/(n-1)) -- 1 at i = 0, cond at i = n-1. */
static void test_ellipsoid_weights(void **state)
{
	function_cfg c = mk("ellipsoid", 5, 0);
	float x[5];

	(void)state;
	for (int i = 0; i < 5; i++) {
		memset(x, 0, sizeof(x));
		x[i] = 2.0f;
		assert_near(function_ref(&c, x, 5),
			    4.0 * pow(1e6, i / 4.0), 1e-9 * pow(1e6, i / 4.0));
	}
	x[0] = 3;
	assert_near(function_ref(&c, x, 1), 9.0, 1e-13); /* n = 1: weight 1 */
}

/* The textbook formulas, in long double. */
static long double textbook(const char *fn, const float *x, size_t n,
			    const function_cfg *c)
{
	const long double pi = 3.141592653589793238462643383279503L;
	long double s1 = 0, s2 = 0, prod = 1;

	for (size_t i = 0; i < n; i++) {
		long double z = (long double)x[i] - function_shift(c, i);

		if (!strcmp(fn, "sphere"))
			s1 += z * z;
		else if (!strcmp(fn, "ellipsoid"))
			s1 += powl((long double)c->cond,
				   (long double)i / (long double)(n - 1)) * z * z;
		else if (!strcmp(fn, "rastrigin"))
			s1 += z * z - 10 * cosl(2 * pi * z);
		else if (!strcmp(fn, "ackley")) {
			s1 += z * z;
			s2 += cosl(2 * pi * z);
		} else if (!strcmp(fn, "griewank")) {
			s1 += z * z;
			prod *= cosl(z / sqrtl((long double)(i + 1)));
		} else if (i + 1 < n) { /* rosenbrock, y = z + 1 */
			long double y = z + 1, y1 = (long double)x[i + 1] -
				function_shift(c, i + 1) + 1;

			s1 += 100 * (y1 - y * y) * (y1 - y * y) +
			      (1 - y) * (1 - y);
		}
	}
	if (!strcmp(fn, "rastrigin"))
		return 10.0L * (long double)n + s1;
	if (!strcmp(fn, "ackley"))
		return -20 * expl(-0.2L * sqrtl(s1 / n)) - expl(s2 / n) + 20 +
		       expl(1.0L);
	if (!strcmp(fn, "griewank"))
		return 1 + s1 / 4000 - prod;
	return s1;
}

static void test_ref_vs_textbook(void **state)
{
	enum { N = 50 };
	float x[N];

	(void)state;
	for (int k = 0; k < N_FN; k++)
		for (int r = 0; r < 2; r++)
			for (unsigned seed = 1; seed <= 5; seed++) {
				function_cfg c = mk(fn_all[k], N, 0.7);
				double f;
				long double t;

				c.shift_random = r;
				c.shift_seed = 3;
				fill(x, N, 0.7f, 4.0f, seed);
				f = function_ref(&c, x, N);
				t = textbook(fn_all[k], x, N, &c);
				if (!(fabsl(f - t) <= 1e-12L * fabsl(t)))
					fail_msg("%s: ref %.17g textbook %.17Lg",
						 fn_all[k], f, t);
			}
}

/* The random shift: the documented Philox layout, a spread over
 * [-shift, shift), a function of the seed. */
static void test_shift_random(void **state)
{
	function_cfg c = mk("sphere", 1000, 2.0);
	double mean = 0, lo = 1e9, hi = -1e9;
	float a[1000], b[1000];
	int same = 0;

	(void)state;
	c.shift_random = true;
	c.shift_seed = 9;
	for (unsigned i = 0; i < 8; i++) {
		ph_out w = ph_draw(9, PH_PURPOSE_TASK, 0, 0, 0, i / 4);
		float u = (float)(w.v[i % 4] >> 8) / 8388608.0f - 1.0f;

		assert_true(function_shift(&c, i) == 2.0f * u);
	}
	function_optimum(&c, a, 1000);
	for (int i = 0; i < 1000; i++) {
		mean += a[i] / 1000.0;
		lo = fmin(lo, a[i]);
		hi = fmax(hi, a[i]);
	}
	assert_true(lo >= -2.0 && hi < 2.0);
	assert_true(lo < -1.9 && hi > 1.9);
	assert_near(mean, 0.0, 0.2); /* sd of the mean 2/sqrt(3000) ~ 0.037 */
	c.shift_seed = 10;
	function_optimum(&c, b, 1000);
	for (int i = 0; i < 1000; i++)
		same += a[i] == b[i];
	assert_true(same < 5);
	/* f(x* + e_0) = 1: the shift of the reference is this shift */
	a[0] += 1.0f;
	c.shift_seed = 9;
	assert_near(function_ref(&c, a, 1000), 1.0, 1e-6);
}

/* ---- device vs host ---------------------------------------------------- */

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

/* Evaluate n members (n x dim) on the device and compare with the host. */
static void check_device(clrt *rt, const function_cfg *c, const float *x,
			 size_t n, double rel)
{
	ej_err err = { 0 };
	direct *d = direct_create(rt, &function_ops, c, &err);
	size_t P = (size_t)c->dim;
	float *fit = malloc(n * sizeof(float));

	if (!d)
		fail_msg("%s", err.msg);
	assert_non_null(fit);
	assert_int_equal(direct_param_count(d), P);
	assert_int_equal(direct_n_bd(d), 0);
	if (direct_eval(d, x, n, fit, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	for (size_t m = 0; m < n; m++) {
		double f = function_ref(c, x + m * P, P);

		if (!(fabs((double)fit[m] + f) <= rel * f + 1e-30))
			fail_msg("%s dim %zu shift %g%s member %zu: device %.9g, "
				 "host %.17g (rel err %.3g)", c->fn, P,
				 c->shift, c->shift_random ? " (random)" : "",
				 m, (double)fit[m], -f,
				 fabs((double)fit[m] + f) / f);
	}
	direct_free(d);
	free(fit);
}

static void test_device_vs_host(void **state)
{
	enum { DIM = 1000, POP = 8 };
	float *x = malloc(POP * DIM * sizeof(float));

	assert_non_null(x);
	for (int k = 0; k < N_FN; k++)
		for (int r = 0; r < 2; r++) {
			function_cfg c = mk(fn_all[k], DIM, 0.5);

			c.shift_random = r;
			c.shift_seed = 5;
			/* members 0..3 random in [-3.5, 4.5], 4..7 within
			 * 1e-3 of the optimum */
			for (int m = 0; m < POP; m++) {
				float *xm = x + m * DIM;

				if (m < POP / 2) {
					fill(xm, DIM, 0.5f, 4.0f, 100 + m);
				} else {
					fill(xm, DIM, 0.0f, 1e-3f, 100 + m);
					for (int i = 0; i < DIM; i++)
						xm[i] += function_shift(&c, i);
				}
			}
			check_device(*state, &c, x, POP, 1e-5);
		}
	free(x);
}

/* At x* the device gives exactly 0: host and device shifts are equal. */
static void test_device_optimum(void **state)
{
	enum { DIM = 777 };
	float x[DIM], fit[1];
	ej_err err = { 0 };

	for (int k = 0; k < N_FN; k++) {
		function_cfg c = mk(fn_all[k], DIM, 0.5);
		direct *d;

		c.shift_random = true; /* the programs of test_device_vs_host */
		c.shift_seed = 5;
		function_optimum(&c, x, DIM);
		if (!(d = direct_create(*state, &function_ops, &c, &err)))
			fail_msg("%s", err.msg);
		assert_int_equal(direct_eval(d, x, 1, fit, NULL, &err), 0);
		if (fit[0] != 0.0f)
			fail_msg("%s: device f(x*) = %g", fn_all[k], -fit[0]);
		direct_free(d);
	}
}

/* dim 2^20: compensated float sums keep the relative error small. */
static void test_device_large_dim(void **state)
{
	static const char *const fns[] = { "sphere", "rastrigin", "ackley" };
	enum { DIM = 1 << 20, POP = 2 };
	float *x = malloc((size_t)POP * DIM * sizeof(float));

	assert_non_null(x);
	for (int m = 0; m < POP; m++)
		fill(x + (size_t)m * DIM, DIM, 0.0f, 2.0f, 500 + m);
	for (int k = 0; k < 3; k++) {
		function_cfg c = mk(fns[k], DIM, 0.5);

		check_device(*state, &c, x, POP, 1e-5);
	}
	free(x);
}

int main(void)
{
	const struct CMUnitTest host[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_defines),
		cmocka_unit_test(test_optimum_is_zero),
		cmocka_unit_test(test_hand_values),
		cmocka_unit_test(test_ellipsoid_weights),
		cmocka_unit_test(test_ref_vs_textbook),
		cmocka_unit_test(test_shift_random),
	};
	const struct CMUnitTest device[] = {
		cmocka_unit_test(test_device_vs_host),
		cmocka_unit_test(test_device_optimum),
		cmocka_unit_test(test_device_large_dim),
	};
	int rc = cmocka_run_group_tests_name("function host", host, NULL, NULL);

	return rc | cmocka_run_group_tests_name("function device", device,
						rt_setup, rt_teardown);
}
