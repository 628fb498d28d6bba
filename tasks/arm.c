/* arm.c - planar robotic arm ("arm"), a direct task for MAP-Elites: host
 * side (schema, descriptor bounds) and the host reference.
 *
 * The arm of Cully & Demiris (2017) and Vassiliades & Mouret (GECCO 2018,
 * "Discovering the elite hypervolume by leveraging interspecies
 * correlation"): n = 'joints' revolute joints in a plane, links of length
 * 1/n, base at the origin, first link along +x at angle 0.  Default 12
 * joints as in Vassiliades & Mouret 2018 (their angles span [-pi, pi]).
 *
 * Parameters x_i, i = 0..n-1, map to joint angles a_i = pi * x_i (radians;
 * x in [-1, 1] covers [-pi, pi]; values outside are used as they are,
 * not clipped).  Joint angles are relative: link i points at
 * theta_i = a_0 + ... + a_i, and the end effector is
 *   p = (1/n) (sum_i cos theta_i, sum_i sin theta_i),  |p| <= 1.
 * Fitness (maximized) = -(1/n) sum_i (a_i - mean(a))^2, the negative
 * population variance of the angles in rad^2 (smooth arms win; 0 at best).
 * Vassiliades & Mouret's code uses the sum without the 1/n: same order.
 * Behaviour descriptor: bd = ((p_x + 1)/2, (p_y + 1)/2), clamped to
 * [0, 1] against rounding; bd_bounds [0,1] x [0,1].  All angles 0 gives
 * p = (1, 0), bd = (1, 0.5).
 *
 * Keys (defaults): joints 12 (1..1,000,000).
 *
 * The device (tasks/arm.cl) works in units of pi with Neumaier-compensated
 * float sums and cospi/sinpi, so theta needs no multiplication by pi; it
 * agrees with this double reference to 1e-5 relative on the fitness and
 * 1e-5 absolute on the descriptor (tests/test_arm.c).
 */
#include "tasks/arm.h"

#include "core/direct.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>

#define ARM_PI 3.14159265358979323846

static const cfg_field arm_fields[] = {
	{ .key = "joints", .type = CFG_INT, .offset = offsetof(arm_cfg, joints),
	  .def = "12", .min = 1, .max = 1000000,
	  .help = "joints (links of length 1/joints); the parameter count" },
};

static void arm_dims(const void *cfg, task_dims *out)
{
	(void)cfg;
	out->obs_dim = 0; /* no episodes: direct task */
	out->act_dim = 0;
	out->state_dim = 0;
	out->max_steps = 0;
}

static size_t arm_direct_dim(const void *cfg)
{
	const arm_cfg *c = cfg;

	return (size_t)c->joints;
}

static void arm_defines(const void *cfg, char *buf, size_t size)
{
	(void)cfg; /* the joint count is the kernel's n */
	if (size)
		buf[0] = '\0';
}

static void arm_bd_bounds(const void *cfg, float *lo, float *hi)
{
	(void)cfg;
	lo[0] = lo[1] = 0.0f;
	hi[0] = hi[1] = 1.0f;
}

const task_ops arm_ops = {
	.name = "arm",
	.summary = "planar arm (MAP-Elites): fitness -variance of the joint angles, descriptor the end-effector position",
	.fields = arm_fields,
	.n_fields = sizeof(arm_fields) / sizeof(arm_fields[0]),
	.cfg_size = sizeof(arm_cfg),
	.cl_file = "tasks/arm.cl",
	.dims = arm_dims,
	.defines = arm_defines,
	.eval = &direct_eval_ops,
	.policy_caps = 0,
	.direct_dim = arm_direct_dim,
	.n_bd = 2,
	.bd_bounds = arm_bd_bounds,
};

/* ---- host reference ---------------------------------------------------- */

static float arm_unit(double v)
{
	float f = (float)((v + 1.0) / 2.0);

	return f < 0.0f ? 0.0f : f > 1.0f ? 1.0f : f;
}

double arm_ref(const arm_cfg *c, const float *x, float bd[2])
{
	size_t n = (size_t)c->joints;
	double th = 0.0, px = 0.0, py = 0.0, sum = 0.0, mean, ss = 0.0;

	for (size_t i = 0; i < n; i++) {
		th += (double)x[i]; /* theta_i / pi */
		px += cos(ARM_PI * th);
		py += sin(ARM_PI * th);
		sum += (double)x[i];
	}
	mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		ss += ((double)x[i] - mean) * ((double)x[i] - mean);
	bd[0] = arm_unit(px / (double)n);
	bd[1] = arm_unit(py / (double)n);
	return -(ARM_PI * ARM_PI) * ss / (double)n;
}
