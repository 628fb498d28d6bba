/* slimevolley.c - SlimeVolley (EvoJAX 0.2.17): task registration and the
 * host reference, which is tasks/slimevolley.cl's game compiled as C. */
#include "tasks/slimevolley.h"

#include "core/sim.h"
#include "policies/policy.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>

#include "opencl/philox.h"
#include "tasks/slimevolley.cl"

static const cfg_field slimevolley_fields[] = {
	{ .key = "max_steps", .type = CFG_INT,
	  .offset = offsetof(slimevolley_cfg, max_steps), .def = "3000",
	  .min = 1, .max = 1000000,
	  .help = "steps per episode (training episodes always run them all; "
		  "test episodes end earlier when a side has no lives left)" },
};

static void slimevolley_dims(const void *cfg, task_dims *out)
{
	const slimevolley_cfg *c = cfg;

	out->obs_dim = 12;
	out->act_dim = 3;
	out->state_dim = SV_STATE_DIM;
	out->max_steps = c->max_steps;
	out->n_agents = 2;
	out->agent_map = TASK_AGENTS_OPPONENT;
	out->opp_state_dim = SV_OPP_DIM;
}

static void slimevolley_defines(const void *cfg, char *buf, size_t size)
{
	(void)cfg;
	if (size)
		buf[0] = '\0';
}

/* ---- the host side (task_host_ops): the reference below --------------- */

static void sv_host_reset(const void *cfg, float *s, unsigned seed,
			  unsigned purpose, unsigned iter, unsigned member,
			  unsigned repeat)
{
	(void)cfg;
	slimevolley_ref_reset(s, seed, purpose, iter, member, repeat);
}

static void sv_host_obs(const void *cfg, const float *s, float *obs)
{
	(void)cfg;
	sv_obs(s, obs);
}

static void sv_host_step(const void *cfg, float *s, const float *act,
			 float *reward, float *done, const ph_step_ctr *ctr)
{
	(void)cfg;
	sv_step(s, act, reward, done, ctr);
}

static void sv_host_opp_reset(const void *cfg, float *os, int agent)
{
	(void)cfg;
	(void)agent;
	slimevolley_ref_opponent_reset(os);
}

static void sv_host_opponent(const void *cfg, float *os, const float *obs,
			     float *act, int agent, const ph_step_ctr *ctr)
{
	(void)cfg;
	(void)agent;
	(void)ctr;
	sv_baseline(os, obs, act);
}

static const task_host_ops slimevolley_host = {
	.reset = sv_host_reset,
	.obs = sv_host_obs,
	.step = sv_host_step,
	.opp_reset = sv_host_opp_reset,
	.opponent = sv_host_opponent,
	.draw = slimevolley_draw,
	.step_seconds = 1.0 / 30.0,
	.width = 480,
	.height = 240,
};

const task_ops slimevolley_ops = {
	.name = "slimevolley",
	.summary = "SlimeVolley (EvoJAX): volleyball against slimevolleygym's built-in baseline",
	.fields = slimevolley_fields,
	.n_fields = sizeof(slimevolley_fields) / sizeof(slimevolley_fields[0]),
	.cfg_size = sizeof(slimevolley_cfg),
	.cl_file = "tasks/slimevolley.cl",
	.dims = slimevolley_dims,
	.defines = slimevolley_defines,
	.eval = &sim_eval_ops,
	.policy_caps = POLICY_CAP_STEP,
	.direct_dim = NULL,
	.n_bd = 0,
	.bd_bounds = NULL,
	.host = &slimevolley_host,
};

/* ---- host reference ------------------------------------------------------ */

void slimevolley_ref_init(float *s, float ball_vx, float ball_vy, bool test)
{
	sv_init(s, ball_vx, ball_vy, test ? 1.0f : 0.0f);
}

void slimevolley_ref_reset(float *s, unsigned seed, unsigned purpose,
			   unsigned iter, unsigned member, unsigned repeat)
{
	float u = ph_uniform(ph_draw(seed, purpose, iter, member, repeat, 0).v[0]);

	sv_init(s, SV_SERVE_VX(u), SV_SERVE_VY(u),
		purpose == PH_PURPOSE_TEST_RESET ? 1.0f : 0.0f);
}

void slimevolley_ref_obs(const float *s, float obs[24])
{
	sv_obs(s, obs);
}

void slimevolley_ref_step(float *s, const float act[6], float reward[2],
			  float *done, const ph_step_ctr *ctr)
{
	sv_step(s, act, reward, done, ctr);
}

void slimevolley_ref_opponent_reset(float *h)
{
	for (int i = 0; i < SV_OPP_DIM; i++)
		h[i] = 0.0f;
}

void slimevolley_ref_opponent(float *h, const float obs[12], float act[3])
{
	sv_baseline(h, obs, act);
}
