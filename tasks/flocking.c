/* flocking.c - Flocking (EvoJAX 0.2.17): task registration and the host
 * reference (rules in tasks/flocking.cl). */
#include "tasks/flocking.h"

#include "core/sim.h"
#include "policies/policy.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>

static const cfg_field flocking_fields[] = {
	{ .key = "max_steps", .type = CFG_INT,
	  .offset = offsetof(flocking_cfg, max_steps), .def = "150",
	  .min = 1, .max = 1000000, .help = "steps per episode" },
	{ .key = "reward_type", .type = CFG_INT,
	  .offset = offsetof(flocking_cfg, reward_type), .def = "0",
	  .min = 0, .max = 1,
	  .help = "0: reward -energy; 1: -energy (t / max_steps)^2, late steps weigh more" },
	{ .key = "action_type", .type = CFG_INT,
	  .offset = offsetof(flocking_cfg, action_type), .def = "0",
	  .min = 0, .max = 1,
	  .help = "0: one action per boid (turn); 1: two (turn, speed 0.8..1.2)" },
};

static void flocking_dims(const void *cfg, task_dims *out)
{
	const flocking_cfg *c = cfg;

	out->obs_dim = FLOCK_OBS_DIM;
	out->act_dim = c->action_type + 1;
	out->state_dim = FLOCK_STATE_DIM;
	out->max_steps = c->max_steps;
	out->n_agents = FLOCK_BOIDS;
	out->agent_map = TASK_AGENTS_SHARED;
}

static void flocking_defines(const void *cfg, char *buf, size_t size)
{
	const flocking_cfg *c = cfg;

	snprintf(buf, size,
		 "#define FLOCK_NEIGHBORS %d\n#define FLOCK_MAX_STEPS %d\n"
		 "#define FLOCK_REWARD_TYPE %d\n#define FLOCK_ACTION_TYPE %d\n",
		 FLOCK_NEIGHBORS, c->max_steps, c->reward_type, c->action_type);
}

const task_ops flocking_ops = {
	.name = "flocking",
	.summary = "Flocking (EvoJAX): 30 boids on a torus steered by one policy, reward -energy",
	.fields = flocking_fields,
	.n_fields = sizeof(flocking_fields) / sizeof(flocking_fields[0]),
	.cfg_size = sizeof(flocking_cfg),
	.cl_file = "tasks/flocking.cl",
	.dims = flocking_dims,
	.defines = flocking_defines,
	.eval = &sim_eval_ops,
	.policy_caps = POLICY_CAP_STEP,
	.direct_dim = NULL,
	.n_bd = 0,
	.bd_bounds = NULL,
};

/* ---- host reference ------------------------------------------------------ */

void flocking_ref_reset(float *s, unsigned seed, unsigned purpose,
			unsigned iter, unsigned member, unsigned repeat)
{
	for (int b = 0; b < FLOCK_BOIDS; b++) {
		ph_out w = ph_draw(seed, purpose, iter, member, repeat,
				   (unsigned)b);

		s[3 * b] = ph_uniform(w.v[0]);
		s[3 * b + 1] = ph_uniform(w.v[1]);
		s[3 * b + 2] = ph_uniform(w.v[2]) * 6.2831855f;
	}
}

/* cos and sin in double, rounded: as tasks/flocking.cl on devices with
 * doubles. */
static float fl_cos(float x) { return (float)cos((double)x); }
static float fl_sin(float x) { return (float)sin((double)x); }

/* jnp.mod(x, 1): the truncated remainder, plus 1 when it is negative. */
static float fl_mod1(float x)
{
	float r = fmodf(x, 1.0f);

	return r < 0.0f ? r + 1.0f : r;
}

float flocking_ref_wrap(float d)
{
	return fl_mod1(d + 0.5f) - 0.5f;
}

static float fl_disp(const float *s, int i, int j, float *dx, float *dy)
{
	*dx = flocking_ref_wrap(s[3 * j] - s[3 * i]);
	*dy = flocking_ref_wrap(s[3 * j + 1] - s[3 * i + 1]);
	return sqrtf(*dx * *dx + *dy * *dy);
}

float flocking_ref_dist(const float *s, int i, int j)
{
	float dx, dy;

	return fl_disp(s, i, j, &dx, &dy);
}

void flocking_ref_neighbors(const float *s, int n, int i,
			    int idx[FLOCK_NEIGHBORS])
{
	int order[FLOCK_BOIDS];
	float d[FLOCK_BOIDS];

	/* insertion sort by (distance, index): stable */
	for (int j = 0; j < n && j < FLOCK_BOIDS; j++) {
		int k = j;

		d[j] = flocking_ref_dist(s, i, j);
		while (k > 0 && d[j] < d[order[k - 1]]) {
			order[k] = order[k - 1];
			k--;
		}
		order[k] = j;
	}
	for (int k = 0; k < FLOCK_NEIGHBORS; k++)
		idx[k] = order[k];
}

void flocking_ref_obs(const float *s, float *obs)
{
	for (int i = 0; i < FLOCK_BOIDS; i++) {
		int idx[FLOCK_NEIGHBORS];

		flocking_ref_neighbors(s, FLOCK_BOIDS, i, idx);
		for (int k = 0; k < FLOCK_NEIGHBORS; k++)
			for (int m = 0; m < 3; m++)
				obs[i * FLOCK_OBS_DIM + 3 * k + m] = s[3 * idx[k] + m];
	}
}

float flocking_ref_energy(const float *s, int n, float parts[3])
{
	const float inv_align = 1.0f / 0.15f, inv_avoid = 1.0f / 0.12f;
	float pair = 0.0f, coh = 0.0f, align = 0.0f, avoid = 0.0f;
	float nx[FLOCK_BOIDS], ny[FLOCK_BOIDS];

	for (int b = 0; b < n; b++) {
		nx[b] = fl_cos(s[3 * b + 2]);
		ny[b] = fl_sin(s[3 * b + 2]);
	}
	for (int i = 0; i < n; i++) {
		float cx = 0.0f, cy = 0.0f, cnt = 0.0f;

		for (int j = 0; j < n; j++) {
			float dx, dy, r = fl_disp(s, i, j, &dx, &dy);
			float ra = r * inv_align, rv = r * inv_avoid;
			float ua = 1.0f - ra, uv = 1.0f - rv;
			float v = 1.0f - (nx[i] * nx[j] + ny[i] * ny[j]);
			float ea = ra < 1.0f ? (0.06666667f * (ua * (ua * ua))) * (v * v) : 0.0f;
			float ev = rv < 1.0f ? 0.033333335f * (uv * (uv * uv)) : 0.0f;

			pair += ea + ev;
			align += ea;
			avoid += ev;
			if (r > 0.0f && r < 0.3f) {
				float ct = (dx / r) * nx[i] + (dy / r) * ny[i];

				if (ct > 0.49999997f && ct < 1.0f) {
					cx += dx;
					cy += dy;
					cnt += 1.0f;
				}
			}
		}
		{
			float mx = cx / (cnt + 1e-7f), my = cy / (cnt + 1e-7f);
			float ex = mx + 1e-7f, ey = my + 1e-7f;
			float len = sqrtf(ex * ex + ey * ey);
			float w = 1.0f - ((mx / len) * nx[i] + (my / len) * ny[i]);

			coh += 0.15f * (w * w);
		}
	}
	if (parts) {
		parts[0] = align;
		parts[1] = avoid;
		parts[2] = coh;
	}
	return 0.5f * pair + coh;
}

void flocking_ref_step(const flocking_cfg *c, float *s, const float *act,
		       unsigned t, float *reward, float *done)
{
	const int na = c->action_type + 1;
	float r = -flocking_ref_energy(s, FLOCK_BOIDS, NULL);

	if (c->reward_type == 1) {
		float q = (float)t * (1.0f / (float)c->max_steps);

		r = r * (q * q);
	}
	for (int b = 0; b < FLOCK_BOIDS; b++) {
		const float *a = act + b * na;
		float th = s[3 * b + 2];
		float speed = c->action_type == 1
			? ((a[1] + 1.0f) * 0.5f) * 0.4f + 0.8f : 1.0f;

		s[3 * b] = fl_mod1(s[3 * b] + (0.024f * fl_cos(th)) * speed);
		s[3 * b + 1] = fl_mod1(s[3 * b + 1] + (0.024f * fl_sin(th)) * speed);
		s[3 * b + 2] = fmaf(0.2f, a[0], th);
		reward[b] = r;
	}
	*done = t + 1u >= (unsigned)c->max_steps ? 1.0f : 0.0f;
}
