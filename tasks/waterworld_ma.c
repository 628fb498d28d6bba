/* waterworld_ma.c - multi-agent WaterWorld ("waterworld_ma"), EvoJAX
 * 0.2.17's evojax/task/ma_waterworld.py: host side and host reference.
 * Device code: tasks/waterworld_ma.cl, the same float arithmetic
 * (tests/test_waterworld_ma.c checks them against each other).  The
 * physics is WaterWorld's (tasks/waterworld.c, its rules and deviations
 * hold here), written once: host tasks/waterworld.c (waterworld_agent_move,
 * waterworld_item_move, waterworld_touch, waterworld_ray_*), device
 * tasks/waterworld_lib.cl.
 *
 * World: the 600 x 600 box; bubbles of radius 5; a contact is centres
 * closer than 10.  num_agents (16) agents, each driven by its own
 * population member (TASK_AGENTS_DISTINCT: members w*16 .. w*16+15 share
 * world w and each gets its own agent's reward; EvoJAX's pop_size is the
 * agent count); num_items (100) items.
 * Reset: agent a at 270 (cos t, sin t) + (300, 300), t uniform in
 * [0, 2 pi), at rest; item k at r (cos t, sin t) + (300, 300), r uniform
 * in [0, 200), t in [0, 2 pi), velocity uniform in [-2.5, 2.5)^2, food when
 * a uniform > 0.5, else poison.  Draws ph_draw(seed, purpose, iter,
 * member, repeat, i) with member the world's first: i = a word 0 the
 * agent's t; item k: i = A + 2k words 0..3 r, t, vx, vy, i = A + 2k + 1
 * word 0 its type.
 * Step (EvoJAX's order): every agent samples its direction from its own
 * softmax output with step draw a and moves as WaterWorld's agent; the
 * items move; every agent closer than 10 to a valid item gets +1 (food)
 * or -1 (poison) from it (two agents touching it in the same step both
 * do), and an item any agent touches is eaten (never comes back).  No
 * collisions between agents.  done stays 0: max_steps steps.
 * Observation (182 per agent): 30 rays (WaterWorld's angles) of range 60,
 * per ray [wall, food, poison, agent] distance / 60 and the seen bubble's
 * vx, vy, then the agent's vx, vy.  EvoJAX's get_obs, quirks kept: the
 * bubbles are the items then the agents (the agent itself is never hit:
 * its point lies at the ray's start); the nearest wall or the nearest
 * bubble (first on ties, not hit / eaten / at distance 0 count 60) as in
 * WaterWorld, with radius 5.  EvoJAX then reads the seen bubble's type
 * and velocity at its index in the items array, and JAX clamps the agent
 * indices 100.. to the last item: an agent seen reads as food or poison
 * (the last item's type, eaten or not) with the last item's velocity, and
 * the agent channel never fires.  agent_sensing: evojax keeps that
 * (default); fixed reads an agent in the agent channel with its own
 * velocity (beyond EvoJAX).
 * Test: every agent runs the tested parameters (EvoJAX's 16 copies of the
 * best) and an episode scores the mean over agents (core/sim.c).
 * Deviations: WaterWorld's (sampling by inverse CDF with one uniform per
 * agent, float-level sensing); cos and sin of the reset are the device's
 * own (the host reference uses the C library's: positions within a few
 * ulps).
 * Keys: num_agents (16), num_items (100), max_steps (1000, EvoJAX's class
 * default; its benchmark uses 500), agent_sensing (evojax).
 */
#include "tasks/waterworld_ma.h"

#include "core/sim.h"
#include "policies/policy.h"
#include "tasks/waterworld.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const cfg_field waterworld_ma_fields[] = {
	{ .key = "num_agents", .type = CFG_INT,
	  .offset = offsetof(waterworld_ma_cfg, num_agents), .def = "16",
	  .min = 1, .max = 64,
	  .help = "agents per world, each its own member (EvoJAX 16)" },
	{ .key = "num_items", .type = CFG_INT,
	  .offset = offsetof(waterworld_ma_cfg, num_items), .def = "100",
	  .min = 1, .max = 200, .help = "food and poison items (EvoJAX 100)" },
	{ .key = "max_steps", .type = CFG_INT,
	  .offset = offsetof(waterworld_ma_cfg, max_steps), .def = "1000",
	  .min = 1, .max = 1000000,
	  .help = "steps per episode (EvoJAX's benchmark: 500)" },
	{ .key = "agent_sensing", .type = CFG_ENUM,
	  .offset = offsetof(waterworld_ma_cfg, agent_sensing),
	  .def = "evojax", .choices = "evojax|fixed",
	  .help = "evojax: a seen agent reads as the last item (EvoJAX's "
		  "clamped lookup); fixed: in the agent channel" },
};

static void waterworld_ma_dims(const void *cfg, task_dims *out)
{
	const waterworld_ma_cfg *c = cfg;

	out->obs_dim = WWMA_OBS;
	out->act_dim = WWMA_ACT;
	out->state_dim = WWMA_STATE(c->num_agents, c->num_items);
	out->max_steps = c->max_steps;
	out->n_agents = c->num_agents;
	out->agent_map = TASK_AGENTS_DISTINCT;
}

static int wwma_fixed(const waterworld_ma_cfg *c)
{
	return !strcmp(c->agent_sensing, "fixed");
}

static void waterworld_ma_defines(const void *cfg, char *buf, size_t size)
{
	size_t n = (size_t)snprintf(buf, size, "#define WWM_FIXED %d\n",
				    wwma_fixed(cfg));

	if (n < size)
		waterworld_ray_defines(buf + n, size - n);
}

const task_ops waterworld_ma_ops = {
	.name = "waterworld_ma",
	.summary = "multi-agent WaterWorld (EvoJAX): 16 agents, each its own member, eat food, avoid poison",
	.fields = waterworld_ma_fields,
	.n_fields = sizeof(waterworld_ma_fields) / sizeof(waterworld_ma_fields[0]),
	.cfg_size = sizeof(waterworld_ma_cfg),
	.cl_file = "tasks/waterworld_ma.cl",
	.cl_lib = "tasks/waterworld_lib.cl",
	.dims = waterworld_ma_dims,
	.defines = waterworld_ma_defines,
	.eval = &sim_eval_ops,
	.policy_caps = POLICY_CAP_STEP,
	.direct_dim = NULL,
	.n_bd = 0,
	.bd_bounds = NULL,
};

/* ---- host reference (mirrors tasks/waterworld_ma.cl) ----------------- */

#define WWMA_RANGE 60.0f
#define WWMA_RANGE2 3600.0f

void waterworld_ma_ref_reset(const void *cfg, float *s, unsigned seed,
			     unsigned purpose, unsigned iter, unsigned member,
			     unsigned repeat)
{
	const waterworld_ma_cfg *c = cfg;
	const int A = c->num_agents;
	const float two_pi = 6.2831855f;

	for (int a = 0; a < A; a++) {
		ph_out w = ph_draw(seed, purpose, iter, member, repeat,
				   (unsigned)a);
		const float th = ph_uniform(w.v[0]) * two_pi;

		s[4 * a] = 270.0f * cosf(th) + 300.0f;
		s[4 * a + 1] = 270.0f * sinf(th) + 300.0f;
		s[4 * a + 2] = 0.0f;
		s[4 * a + 3] = 0.0f;
	}
	for (int k = 0; k < c->num_items; k++) {
		float *it = s + 4 * A + 6 * k;
		unsigned i = (unsigned)A + 2u * (unsigned)k;
		ph_out p = ph_draw(seed, purpose, iter, member, repeat, i);
		ph_out t = ph_draw(seed, purpose, iter, member, repeat, i + 1u);
		const float r = ph_uniform(p.v[0]) * 200.0f;
		const float th = ph_uniform(p.v[1]) * two_pi;

		it[0] = r * cosf(th) + 300.0f;
		it[1] = r * sinf(th) + 300.0f;
		it[2] = ph_uniform(p.v[2]) * 5.0f - 2.5f;
		it[3] = ph_uniform(p.v[3]) * 5.0f - 2.5f;
		it[4] = ph_uniform(t.v[0]) > 0.5f ? 1.0f : -1.0f;
		it[5] = 1.0f;
	}
}

/* Ray (c, sn) of agent i: its six readings (distances / 60). */
static void wwma_ray(const waterworld_ma_cfg *c, const float *s, int i,
		     float cs, float sn, float o[6])
{
	const int A = c->num_agents, N = c->num_items, fixed = wwma_fixed(c);
	const float *items = s + 4 * A;
	waterworld_ray R;
	float wq = 0.0f, bq = 0.0f, bvx = 0.0f, bvy = 0.0f, bt = 0.0f;
	int wh = 0, bh = 0;

	waterworld_ray_init(&R, s[4 * i], s[4 * i + 1], WWMA_RANGE, cs, sn);
	waterworld_ray_walls(&R, &wq, &wh);
	for (int b = 0; b < N + A; b++) {
		const int item = b < N;
		const float *at = item ? items + 6 * b : s + 4 * (b - N);
		/* EvoJAX's lookup at index b, clamped to the items */
		const float *src = item ? at : fixed ? at : items + 6 * (N - 1);
		const float type = item || !fixed ? src[4] : 2.0f;
		const float valid = item ? at[5] : 1.0f;
		float q;
		int hit = waterworld_ray_bubble(&R, at[0], at[1], 5.0f, &q);

		q = hit && valid > 0.0f && q != 0.0f ? q : WWMA_RANGE2;
		if (b == 0 || q < bq) {
			bq = q;
			bvx = src[2];
			bvy = src[3];
			bt = type;
			bh = hit;
		}
	}
	{
		float wd = sqrtf(wq), id = sqrtf(bq);
		int wall = wd < id, seen = !wall && bh;

		o[0] = (wall && wh ? wd : WWMA_RANGE) / WWMA_RANGE;
		o[1] = (seen && bt == 1.0f ? id : WWMA_RANGE) / WWMA_RANGE;
		o[2] = (seen && bt == -1.0f ? id : WWMA_RANGE) / WWMA_RANGE;
		o[3] = (seen && bt == 2.0f ? id : WWMA_RANGE) / WWMA_RANGE;
		o[4] = seen ? bvx : 0.0f;
		o[5] = seen ? bvy : 0.0f;
	}
}

void waterworld_ma_ref_obs(const void *cfg, const float *s, float *obs)
{
	const waterworld_ma_cfg *c = cfg;
	float cs[2 * WATERWORLD_RAYS];

	waterworld_ray_dirs(cs);
	for (int i = 0; i < c->num_agents; i++) {
		float *o = obs + (size_t)i * WWMA_OBS;

		for (int r = 0; r < WWMA_RAYS; r++)
			wwma_ray(c, s, i, cs[2 * r], cs[2 * r + 1], o + 6 * r);
		o[6 * WWMA_RAYS] = s[4 * i + 2];
		o[6 * WWMA_RAYS + 1] = s[4 * i + 3];
	}
}

void waterworld_ma_ref_step(const void *cfg, float *s, const float *act,
			    float *reward, float *done,
			    const ph_step_ctr *ctr)
{
	const waterworld_ma_cfg *c = cfg;
	const int A = c->num_agents;

	for (int a = 0; a < A; a++) {
		float u = ph_uniform(ph_step_draw(ctr, 0, (unsigned)a).v[0]);

		waterworld_agent_move(s + 4 * a,
				      waterworld_ref_action(act + 4 * a, u));
		reward[a] = 0.0f;
	}
	for (int k = 0; k < c->num_items; k++) {
		float *it = s + 4 * A + 6 * k;
		const int valid = it[5] > 0.0f;
		int eaten = 0;

		waterworld_item_move(it);
		for (int a = 0; a < A; a++) {
			int t = waterworld_touch(s[4 * a], s[4 * a + 1], it[0],
						 it[1], 10.0f);

			reward[a] += t && valid ? it[4] : 0.0f;
			eaten |= t;
		}
		it[5] = eaten ? 0.0f : it[5];
	}
	*done = 0.0f;
}
