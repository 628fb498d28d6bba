/* function.c - benchmark functions as a direct task ("function"): host side
 * (schema, device #defines) and the host reference.
 *
 * The parameter vector is the point x (n = 'dim' coordinates); the fitness
 * is -f(x), maximized; f >= 0 with f(x*) = 0 at the optimum x*.  No
 * behaviour descriptors.  With z = x - x* (coordinate-wise), 1-based index
 * i = 1..n in the sums and products:
 *
 *   sphere      f = sum z_i^2
 *   ellipsoid   f = sum cond^((i-1)/(n-1)) z_i^2        (weight 1 when n = 1;
 *               cond 1e6 as pycma's ff.elli and Hansen's benchmarks)
 *   rosenbrock  f = sum_{i<n} 100 (y_{i+1} - y_i^2)^2 + (1 - y_i)^2
 *               with y = z + 1 = x - x* + 1, so that the textbook optimum
 *               y = 1 sits at x = x*  (identically 0 when n = 1)
 *   rastrigin   f = 10 n + sum (z_i^2 - 10 cos(2 pi z_i))
 *   ackley      f = -20 exp(-0.2 sqrt(mean z^2)) - exp(mean cos(2 pi z))
 *                   + 20 + e
 *   griewank    f = 1 + sum z_i^2 / 4000 - prod cos(z_i / sqrt(i))
 *
 * (Rosenbrock 1960, Rastrigin 1974, Ackley 1987, Griewank 1981; the forms
 * above are those of the CEC/BBOB literature and evosax/pycma.)
 *
 * Optimum: x*_i = shift in every coordinate, or with shift_random
 *   x*_i = shift * u_i,  u_i = 2 ph_uniform(w) - 1 in [-1, 1),
 *   w = ph_draw(shift_seed, PH_PURPOSE_TASK, 0, 0, 0, i / 4).v[i % 4]
 * (0-based i), computed as one float multiply of exact operands, so host
 * and device hold the same floats: f(x*) is exactly 0 on both.
 *
 * Accuracy.  Every function is evaluated as a sum of non-negative terms,
 * using identities that avoid cancellation near the optimum:
 *   rastrigin   sum z^2 + 20 sin^2(pi z)         (10 (1 - cos 2t) = 20 sin^2 t)
 *   ackley      -20 expm1(-0.2 sqrt(A/n)) - e expm1(-2 B/n),
 *               A = sum z^2, B = sum sin^2(pi z)
 *   rosenbrock  with d = x - x*: y_{i+1} - y_i^2 = d_{i+1} - d_i (2 + d_i),
 *               1 - y_i = -d_i
 *   griewank    1 - prod cos t_i = -expm1(L) (even count of negative
 *               cosines) or 1 + exp(L) (odd), L = sum log|cos t_i| with
 *               log|cos t| = log1p(-2 sin^2(t/2)) when cos t >= 0,
 *               log1p(-2 cos^2(t/2)) when cos t < 0
 * so f keeps its relative accuracy down to the optimum (no 10n or 20 + e
 * offsets that float cannot resolve).  The host reference computes this in
 * double (plain summation of non-negative terms: relative error below
 * n * 2.3e-16 plus a few ulps per term);
 * tests/test_function.c checks it against the textbook forms in long
 * double.  The device (tasks/function.cl) computes it in float with
 * Neumaier-compensated sums (error independent of n) and sinpi; it agrees
 * with the host to relative 1e-5, near the optimum included (measured on
 * PoCL at dim 1000 and 2^20: <= 2.5e-7 for the ellipsoid, whose weights
 * go through a float exp, <= 1.1e-7 for the others; plain float sums
 * reach 1e-3 at dim 2^20).  dim stays below 2^24, so (float)i is exact.
 * An f beyond FLT_MAX (e.g. rosenbrock with |x| ~ 1e9) is +inf on the
 * device: fitness -inf, which PGPE refuses as it refuses NaN.
 *
 * Keys (defaults): fn sphere, dim 10 (1..10,000,000), shift 0
 * (|shift| <= 1e6), shift_random false, shift_seed 0, cond 1e6 (1..1e12).
 */
#include "tasks/function.h"

#include "core/direct.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "opencl/philox.h"

#define FN_PI 3.14159265358979323846
#define FN_E 2.71828182845904523536

static const cfg_field function_fields[] = {
	{ .key = "fn", .type = CFG_ENUM, .offset = offsetof(function_cfg, fn),
	  .def = "sphere",
	  .choices = "sphere|ellipsoid|rosenbrock|rastrigin|ackley|griewank",
	  .help = "the function f; fitness is -f, 0 at the optimum" },
	{ .key = "dim", .type = CFG_INT, .offset = offsetof(function_cfg, dim),
	  .def = "10", .min = 1, .max = 10000000,
	  .help = "problem dimension (the parameter count)" },
	{ .key = "shift", .type = CFG_FLOAT,
	  .offset = offsetof(function_cfg, shift), .def = "0",
	  .min = -1e6, .max = 1e6,
	  .help = "optimum at x_i = shift (scale of the random shift with shift_random)" },
	{ .key = "shift_random", .type = CFG_BOOL,
	  .offset = offsetof(function_cfg, shift_random), .def = "false",
	  .help = "optimum at x_i = shift * U(-1,1)_i (Philox, seed shift_seed)" },
	{ .key = "shift_seed", .type = CFG_INT,
	  .offset = offsetof(function_cfg, shift_seed), .def = "0",
	  .min = 0, .max = 2147483647,
	  .help = "seed of the random shift" },
	{ .key = "cond", .type = CFG_FLOAT,
	  .offset = offsetof(function_cfg, cond), .def = "1e6",
	  .min = 1, .max = 1e12,
	  .help = "ellipsoid condition number: weights cond^(i/(n-1))" },
};

/* Same order as enum function_kind. */
static const char *const function_names[] = {
	"sphere", "ellipsoid", "rosenbrock", "rastrigin", "ackley", "griewank",
};

enum function_kind function_kind(const function_cfg *c)
{
	for (size_t k = 0; k < sizeof(function_names) / sizeof(function_names[0]); k++)
		if (strcmp(c->fn, function_names[k]) == 0)
			return (enum function_kind)k;
	assert(!"function_cfg.fn names no function");
	return FUNCTION_SPHERE;
}

static void function_dims(const void *cfg, task_dims *out)
{
	(void)cfg;
	out->obs_dim = 0; /* no episodes: direct task */
	out->act_dim = 0;
	out->state_dim = 0;
	out->max_steps = 0;
}

static size_t function_direct_dim(const void *cfg)
{
	const function_cfg *c = cfg;

	return (size_t)c->dim;
}

/* "%.9e" of a float reads back as the same float. */
static void function_defines(const void *cfg, char *buf, size_t size)
{
	const function_cfg *c = cfg;

	snprintf(buf, size,
		 "#define FN_KIND %d\n"
		 "#define FN_SHIFT (%.9ef)\n"
		 "#define FN_SHIFT_RANDOM %d\n"
		 "#define FN_SHIFT_SEED %uu\n"
		 "#define FN_LOG_COND (%.9ef)\n",
		 (int)function_kind(c), (double)(float)c->shift,
		 c->shift_random ? 1 : 0, (unsigned)c->shift_seed,
		 (double)(float)log(c->cond));
}

const task_ops function_ops = {
	.name = "function",
	.summary = "benchmark functions (sphere, ellipsoid, rosenbrock, rastrigin, ackley, griewank): fitness -f(x)",
	.fields = function_fields,
	.n_fields = sizeof(function_fields) / sizeof(function_fields[0]),
	.cfg_size = sizeof(function_cfg),
	.cl_file = "tasks/function.cl",
	.dims = function_dims,
	.defines = function_defines,
	.eval = &direct_eval_ops,
	.policy_caps = 0,
	.direct_dim = function_direct_dim,
	.n_bd = 0,
	.bd_bounds = NULL,
};

/* ---- host reference (same identities as tasks/function.cl, in double) -- */

float function_shift(const function_cfg *c, size_t i)
{
	ph_out w;
	float u, s;

	if (!c->shift_random)
		return (float)c->shift;
	w = ph_draw((ph_u32)c->shift_seed, PH_PURPOSE_TASK, 0, 0, 0,
		    (ph_u32)(i >> 2));
	u = ph_uniform(w.v[i & 3]) * 2.0f - 1.0f; /* exact */
	s = (float)c->shift * u;                   /* one rounding */
	return s;
}

void function_optimum(const function_cfg *c, float *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		x[i] = function_shift(c, i);
}

/* d_i = x_i - x*_i, exact in double. */
static double fn_d(const function_cfg *c, const float *x, size_t i)
{
	return (double)x[i] - (double)function_shift(c, i);
}

static double fn_sq(double v) { return v * v; }

static double fn_ellipsoid(const function_cfg *c, const float *x, size_t n)
{
	double f = 0.0;

	for (size_t i = 0; i < n; i++) {
		double w = n > 1 ? pow(c->cond, (double)i / (double)(n - 1)) : 1.0;

		f += w * fn_sq(fn_d(c, x, i));
	}
	return f;
}

static double fn_rosenbrock(const function_cfg *c, const float *x, size_t n)
{
	double f = 0.0, dp = n > 0 ? fn_d(c, x, 0) : 0.0;

	for (size_t i = 1; i < n; i++) {
		double d = fn_d(c, x, i);

		f += 100.0 * fn_sq(d - dp * (2.0 + dp)) + dp * dp;
		dp = d;
	}
	return f;
}

static double fn_griewank(const function_cfg *c, const float *x, size_t n)
{
	double s2 = 0.0, L = 0.0;
	int neg = 0;

	for (size_t i = 0; i < n; i++) {
		double d = fn_d(c, x, i), t = d / sqrt((double)(i + 1));
		double sh = sin(0.5 * t), ch = cos(0.5 * t);

		s2 += d * d;
		if (fabs(ch) >= fabs(sh)) {          /* cos t >= 0 */
			L += log1p(-fmin(2.0 * sh * sh, 1.0));
		} else {                             /* cos t < 0 */
			L += log1p(-fmin(2.0 * ch * ch, 1.0));
			neg ^= 1;
		}
	}
	return s2 / 4000.0 + (neg ? 1.0 + exp(L) : -expm1(L));
}

double function_ref(const function_cfg *c, const float *x, size_t n)
{
	enum function_kind k = function_kind(c);
	double a = 0.0, b = 0.0;

	switch (k) {
	case FUNCTION_ELLIPSOID:
		return fn_ellipsoid(c, x, n);
	case FUNCTION_ROSENBROCK:
		return fn_rosenbrock(c, x, n);
	case FUNCTION_GRIEWANK:
		return fn_griewank(c, x, n);
	default:
		break;
	}
	for (size_t i = 0; i < n; i++) {
		double d = fn_d(c, x, i);

		a += d * d;
		if (k != FUNCTION_SPHERE)
			b += fn_sq(sin(FN_PI * d));
	}
	if (k == FUNCTION_RASTRIGIN)
		return a + 20.0 * b;
	if (k == FUNCTION_ACKLEY && n > 0)
		return -20.0 * expm1(-0.2 * sqrt(a / (double)n)) -
		       FN_E * expm1(-2.0 * b / (double)n);
	return a; /* sphere (and ackley with n = 0) */
}
