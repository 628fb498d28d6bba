#include "tasks/cartpole.h"

#include "core/sim.h"
#include "policies/policy.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>

#include "opencl/philox.h"

static const cfg_field cartpole_fields[] = {
	{ .key = "hard", .type = CFG_BOOL,
	  .offset = offsetof(cartpole_cfg, hard), .def = "false",
	  .help = "hard resets: U(-1,1)*[2.4, 10, pi/2, 10] instead of N(0, 0.2^2)" },
	{ .key = "max_steps", .type = CFG_INT,
	  .offset = offsetof(cartpole_cfg, max_steps), .def = "1000",
	  .min = 1, .max = 1000000, .help = "steps per episode" },
	{ .key = "shuffle_obs", .type = CFG_BOOL,
	  .offset = offsetof(cartpole_cfg, shuffle_obs), .def = "false",
	  .help = "permute the 5 observation components, a new order each episode" },
};

static void cartpole_dims(const void *cfg, task_dims *out)
{
	const cartpole_cfg *c = cfg;

	out->obs_dim = CARTPOLE_OBS_DIM;
	out->act_dim = 1;
	/* shuffled: the episode's order (5 indices as floats) after the state */
	out->state_dim = 4 + (c->shuffle_obs ? CARTPOLE_OBS_DIM : 0);
	out->max_steps = c->max_steps;
}

static void cartpole_defines(const void *cfg, char *buf, size_t size)
{
	const cartpole_cfg *c = cfg;

	snprintf(buf, size, "#define CARTPOLE_HARD %d\n#define CARTPOLE_SHUFFLE %d\n",
		 c->hard ? 1 : 0, c->shuffle_obs ? 1 : 0);
}

/* ---- the host side (task_host_ops): the reference below, on the
 * configured variant (hard resets, shuffled observations) ---------------- */

static void cartpole_host_reset(const void *cfg, float *s, unsigned seed,
				unsigned purpose, unsigned iter,
				unsigned member, unsigned repeat)
{
	const cartpole_cfg *c = cfg;

	cartpole_ref_reset(s, c->hard, seed, purpose, iter, member, repeat);
	if (c->shuffle_obs) {
		int perm[CARTPOLE_OBS_DIM];

		cartpole_ref_perm(perm, seed, purpose, iter, member, repeat);
		for (int i = 0; i < CARTPOLE_OBS_DIM; i++)
			s[4 + i] = (float)perm[i];
	}
}

static void cartpole_host_obs(const void *cfg, const float *s, float *obs)
{
	const cartpole_cfg *c = cfg;
	float raw[CARTPOLE_OBS_DIM];

	cartpole_ref_obs(s, raw);
	for (int i = 0; i < CARTPOLE_OBS_DIM; i++)
		obs[i] = c->shuffle_obs ? raw[(int)s[4 + i]] : raw[i];
}

static void cartpole_host_step(const void *cfg, float *s, const float *act,
			       float *reward, float *done,
			       const ph_step_ctr *ctr)
{
	(void)cfg;
	(void)ctr;
	cartpole_ref_step(s, act[0], reward, done);
}

static const task_host_ops cartpole_host = {
	.reset = cartpole_host_reset,
	.obs = cartpole_host_obs,
	.step = cartpole_host_step,
	.draw = cartpole_draw,
	.step_seconds = 0.01,
	.width = 480,
	.height = 240,
};

const task_ops cartpole_ops = {
	.name = "cartpole",
	.summary = "CartPoleSwingUp (EvoJAX): swing the pole up and balance it",
	.fields = cartpole_fields,
	.n_fields = sizeof(cartpole_fields) / sizeof(cartpole_fields[0]),
	.cfg_size = sizeof(cartpole_cfg),
	.cl_file = "tasks/cartpole.cl",
	.dims = cartpole_dims,
	.defines = cartpole_defines,
	.eval = &sim_eval_ops,
	.policy_caps = POLICY_CAP_STEP,
	.direct_dim = NULL,
	.n_bd = 0,
	.bd_bounds = NULL,
	.host = &cartpole_host,
};

/* ---- host reference (mirrors tasks/cartpole.cl) ---------------------- */

#define CP_PI 3.14159265358979f

void cartpole_ref_reset(float s[4], bool hard, unsigned seed,
			unsigned purpose, unsigned iter, unsigned member,
			unsigned repeat)
{
	ph_out w = ph_draw(seed, purpose, iter, member, repeat, 0);

	if (hard) {
		s[0] = (ph_uniform(w.v[0]) * 2.0f - 1.0f) * 2.4f;
		s[1] = (ph_uniform(w.v[1]) * 2.0f - 1.0f) * 10.0f;
		s[2] = (ph_uniform(w.v[2]) * 2.0f - 1.0f) * (CP_PI / 2.0f) + CP_PI;
		s[3] = (ph_uniform(w.v[3]) * 2.0f - 1.0f) * 10.0f;
	} else {
		float z0, z1, z2, z3;

		ph_normal2(w.v[0], w.v[1], &z0, &z1);
		ph_normal2(w.v[2], w.v[3], &z2, &z3);
		s[0] = z0 * 0.2f;
		s[1] = z1 * 0.2f;
		s[2] = z2 * 0.2f + CP_PI;
		s[3] = z3 * 0.2f;
	}
}

void cartpole_ref_perm(int perm[CARTPOLE_OBS_DIM], unsigned seed,
		       unsigned purpose, unsigned iter, unsigned member,
		       unsigned repeat)
{
	ph_out w = ph_draw(seed, purpose, iter, member, repeat, 1);

	for (int i = 0; i < CARTPOLE_OBS_DIM; i++)
		perm[i] = i;
	for (int i = CARTPOLE_OBS_DIM - 1; i > 0; i--) {
		int j = (int)ph_mulhi(w.v[CARTPOLE_OBS_DIM - 1 - i], (ph_u32)i + 1);
		int k = perm[i];

		perm[i] = perm[j];
		perm[j] = k;
	}
}

void cartpole_ref_obs(const float s[4], float obs[5])
{
	obs[0] = s[0];
	obs[1] = s[1];
	obs[2] = cosf(s[2]);
	obs[3] = sinf(s[2]);
	obs[4] = s[3];
}

void cartpole_ref_step(float s[4], float action, float *reward, float *done)
{
	const float total_m = 0.5f + 0.5f, m_p_l = 0.5f * 0.6f;
	float a = fminf(fmaxf(action, -1.0f), 1.0f) * 10.0f;
	float x = s[0], x_dot = s[1], th = s[2], th_dot = s[3];
	float sn = sinf(th), c = cosf(th);
	float x_acc = (-2.0f * m_p_l * (th_dot * th_dot) * sn +
		       3.0f * 0.5f * 9.82f * sn * c + 4.0f * a -
		       4.0f * 0.1f * x_dot) /
		      (4.0f * total_m - 3.0f * 0.5f * c * c);
	float th_acc = (-3.0f * m_p_l * (th_dot * th_dot) * sn * c +
			6.0f * total_m * 9.82f * sn +
			6.0f * (a - 0.1f * x_dot) * c) /
		       (4.0f * 0.6f * total_m - 3.0f * m_p_l * c * c);

	x = x + x_dot * 0.01f;
	th = th + th_dot * 0.01f;
	x_dot = x_dot + x_acc * 0.01f;
	th_dot = th_dot + th_acc * 0.01f;
	s[0] = x;
	s[1] = x_dot;
	s[2] = th;
	s[3] = th_dot;
	*reward = (cosf(th) + 1.0f) / 2.0f * cosf((x / 2.4f) * (CP_PI / 2.0f));
	*done = fabsf(x) > 2.4f ? 1.0f : 0.0f;
}
