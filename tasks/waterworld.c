/* waterworld.c - WaterWorld ("waterworld"), EvoJAX 0.2.17's
 * evojax/task/waterworld.py (after Karpathy's REINFORCEjs demo): host side
 * and host reference.  Device code: tasks/waterworld.cl, the same float
 * arithmetic (tests/test_waterworld.c checks them against each other).
 *
 * World: a 600 x 600 box (y grows downwards), bubbles of radius 10; an item
 * touches the agent when their centres are closer than 20.
 * Reset: the agent uniform in [20, 580)^2 with zero velocity; 'num_items'
 * items (EvoJAX: 50) uniform in [20, 580)^2, velocity uniform in
 * [-2.5, 2.5)^2, food when a uniform > 0.5, else poison.  Draws
 * ph_draw(seed, purpose, iter, member, repeat, i): i = 0 words 0, 1 the
 * agent's x, y; item k: i = 1 + 2k words 0..3 its x, y, vx, vy and
 * i = 2 + 2k word 0 its type.
 * Step (EvoJAX's order):
 *  1. the direction UP / DOWN / LEFT / RIGHT is sampled from the policy's
 *     output (softmax probabilities) with step draw 0 (ej_step_uniform);
 *  2. agent: that velocity component -1 / +1 (UP is -y), both x 0.95,
 *     position += velocity; then, west, east, north, south in turn, a
 *     position past 1 or 599 is set to the edge and BOTH velocity
 *     components become 0;
 *  3. items (eaten ones too) move: position += velocity, a component past
 *     1 or 599 is set to the edge and its velocity component negated;
 *  4. reward: every uneaten item whose centre is closer than 20 to the
 *     agent's gives +1 (food) or -1 (poison) and is eaten: it never comes
 *     back (EvoJAX has no respawn).  done stays 0; an episode is
 *     max_steps steps.
 * Observation (152 = 30 x 5 + 2): ray r (r = 0..29) goes from the agent to
 * agent + 120 (cos a, sin a), a = r * 2 * 3.14 / 30 (EvoJAX's 3.14).  Per
 * ray [wall, food, poison, vx, vy], the three distances divided by 120;
 * then the agent's vx, vy.  The sensing is EvoJAX's get_obs, quirks kept:
 *  - walls: segment intersection (ua, ub in (0, 1); none when the
 *    denominator is within 1e-8 of 0) with the four walls, the nearest;
 *  - items: d = distance from the centre to the ray's line; up = centre +
 *    n d with n the unit normal (dy, -dx) / 120; a hit when d <= 10 and up
 *    lies within the ray along its dominant axis (ua in (0, 1)); the
 *    distance is |up - agent|.  For items on the other side of the ray
 *    than n, up is the mirror image of the foot of the perpendicular, so
 *    they read sqrt(t^2 + 4 d^2) instead of t (up to ~121.7 > 120);
 *  - items not hit or eaten count 120; the nearest item (first on ties)
 *    is the one reported.  Nearest wall strictly nearer than it:
 *    [wall, 120, 120, 0, 0].  Otherwise, when that item is a geometric
 *    hit: food [120, dist, 120, vx, vy], poison [120, 120, dist, vx, vy];
 *    when it is not: [120, 120, 120, 0, 0].  When no live item is hit the
 *    reported one is the first reading 120 (usually item 0): if it is
 *    eaten but on the ray, its velocity shows with distances 120.
 * Deviations (float-level unless said):
 *  - sampling: EvoJAX's random.choice(replace=False, p) takes the Gumbel
 *    top-1; here one uniform through the inverse CDF (JAX's
 *    replace=True formula): the same distribution, other random numbers;
 *  - the ray vector is 120 (cos a, sin a) exactly; EvoJAX's
 *    (x + 120 cos a) - x rounds (< 3e-5);
 *  - divisions by per-ray constants (the ray's length, its dominant
 *    component, the wall denominators) are multiplications by their
 *    reciprocals; nearest items and walls are compared on squared
 *    distances (ties of the rounded square roots may break differently);
 *    the item distances use (up - centre) - (agent - centre).
 * Keys: num_items (50), max_steps (1000, EvoJAX's class default; its
 * benchmark and example train with 500, configs/waterworld.yaml).
 */
#include "tasks/waterworld.h"

#include "core/sim.h"
#include "policies/policy.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const cfg_field waterworld_fields[] = {
	{ .key = "num_items", .type = CFG_INT,
	  .offset = offsetof(waterworld_cfg, num_items), .def = "50",
	  .min = 1, .max = 200, .help = "food and poison items (EvoJAX 50)" },
	{ .key = "max_steps", .type = CFG_INT,
	  .offset = offsetof(waterworld_cfg, max_steps), .def = "1000",
	  .min = 1, .max = 1000000,
	  .help = "steps per episode (EvoJAX's benchmark: 500)" },
};

static void waterworld_dims(const void *cfg, task_dims *out)
{
	const waterworld_cfg *c = cfg;

	out->obs_dim = WATERWORLD_OBS;
	out->act_dim = WATERWORLD_ACT;
	out->state_dim = WATERWORLD_STATE(c->num_items);
	out->max_steps = c->max_steps;
}

void waterworld_ray_defines(char *buf, size_t size)
{
	float cs[2 * WATERWORLD_RAYS];
	size_t n;

	waterworld_ray_dirs(cs);
	n = (size_t)snprintf(buf, size, "#define WW_RAY_BITS");
	for (int i = 0; i < 2 * WATERWORLD_RAYS && n < size; i++) {
		unsigned bits;

		memcpy(&bits, &cs[i], sizeof(bits));
		n += (size_t)snprintf(buf + n, size - n, "%s0x%08xu",
				      i ? "," : " ", bits);
	}
	if (n < size)
		snprintf(buf + n, size - n, "\n");
}

static void waterworld_defines(const void *cfg, char *buf, size_t size)
{
	(void)cfg;
	waterworld_ray_defines(buf, size);
}

const task_ops waterworld_ops = {
	.name = "waterworld",
	.summary = "WaterWorld (EvoJAX): eat food, avoid poison, 30 range sensors",
	.fields = waterworld_fields,
	.n_fields = sizeof(waterworld_fields) / sizeof(waterworld_fields[0]),
	.cfg_size = sizeof(waterworld_cfg),
	.cl_file = "tasks/waterworld.cl",
	.cl_lib = "tasks/waterworld_lib.cl",
	.dims = waterworld_dims,
	.defines = waterworld_defines,
	.eval = &sim_eval_ops,
	.policy_caps = POLICY_CAP_STEP,
	.direct_dim = NULL,
	.n_bd = 0,
	.bd_bounds = NULL,
};

/* ---- host reference (mirrors tasks/waterworld.cl) -------------------- */

#define WW_LO 1.0f
#define WW_HI 599.0f
#define WW_RANGE 120.0f
#define WW_RANGE2 14400.0f

void waterworld_ray_dirs(float cs[2 * WATERWORLD_RAYS])
{
	const float delta = (float)(2.0 * 3.14 / WATERWORLD_RAYS);

	for (int i = 0; i < WATERWORLD_RAYS; i++) {
		float a = (float)i * delta;

		cs[2 * i] = (float)cos((double)a);
		cs[2 * i + 1] = (float)sin((double)a);
	}
}

void waterworld_ref_reset(float *s, int n_items, unsigned seed,
			  unsigned purpose, unsigned iter, unsigned member,
			  unsigned repeat)
{
	ph_out w = ph_draw(seed, purpose, iter, member, repeat, 0);

	s[0] = ph_uniform(w.v[0]) * 560.0f + 20.0f;
	s[1] = ph_uniform(w.v[1]) * 560.0f + 20.0f;
	s[2] = 0.0f;
	s[3] = 0.0f;
	for (int k = 0; k < n_items; k++) {
		float *it = s + 4 + 5 * k;
		unsigned i = 1u + 2u * (unsigned)k;
		ph_out p = ph_draw(seed, purpose, iter, member, repeat, i);
		ph_out t = ph_draw(seed, purpose, iter, member, repeat, i + 1u);

		it[0] = ph_uniform(p.v[0]) * 560.0f + 20.0f;
		it[1] = ph_uniform(p.v[1]) * 560.0f + 20.0f;
		it[2] = ph_uniform(p.v[2]) * 5.0f - 2.5f;
		it[3] = ph_uniform(p.v[3]) * 5.0f - 2.5f;
		it[4] = ph_uniform(t.v[0]) > 0.5f ? 1.0f : -1.0f;
	}
}

/* The four walls (x3, y3, x4, y4) in EvoJAX's order: W, S, E, N. */
static const float ww_walls[4][4] = {
	{ 0.0f, 0.0f, 0.0f, 600.0f },
	{ 0.0f, 600.0f, 600.0f, 600.0f },
	{ 600.0f, 600.0f, 600.0f, 0.0f },
	{ 600.0f, 0.0f, 0.0f, 0.0f },
};

void waterworld_ray_init(waterworld_ray *R, float ax, float ay, float range,
			 float c, float sn)
{
	R->ax = ax;
	R->ay = ay;
	R->range2 = range * range;
	R->dx = range * c;
	R->dy = range * sn;
	{
		const float len = sqrtf(R->dy * R->dy + R->dx * R->dx);

		R->inv_len = 1.0f / len;
		R->nx = R->dy / len;
		R->ny = -R->dx / len;
	}
	R->dom = fabsf(R->dx) > fabsf(R->dy);
	R->inv_dom = 1.0f / (R->dom ? R->dx : R->dy);
}

void waterworld_ray_walls(const waterworld_ray *R, float *wq, int *wh)
{
	const float ax = R->ax, ay = R->ay, dx = R->dx, dy = R->dy;

	for (int w = 0; w < 4; w++) {
		const float *W = ww_walls[w];
		const float ex4 = W[2] - W[0], ey4 = W[3] - W[1];
		const float den = ey4 * dx - ex4 * dy;
		const float inv = fabsf(den) <= 1e-8f ? 0.0f : 1.0f / den;
		float ua = (ex4 * (ay - W[1]) - ey4 * (ax - W[0])) * inv;
		float ub = (dx * (ay - W[1]) - dy * (ax - W[0])) * inv;
		int hit = ua > 0.0f && ua < 1.0f && ub > 0.0f && ub < 1.0f;
		float ix = ax + ua * dx, iy = ay + ua * dy;
		float q = hit ? (iy - ay) * (iy - ay) + (ix - ax) * (ix - ax)
			      : R->range2;

		if (w == 0 || q < *wq) {
			*wq = q;
			*wh = hit;
		}
	}
}

int waterworld_ray_bubble(const waterworld_ray *R, float cx, float cy,
			  float radius, float *q)
{
	float rx = R->ax - cx, ry = R->ay - cy;
	float d = fabsf(R->dx * ry - rx * R->dy) * R->inv_len;
	float ex = R->nx * d - rx, ey = R->ny * d - ry;
	float ua = (R->dom ? ex : ey) * R->inv_dom;

	*q = ey * ey + ex * ex;
	return ua > 0.0f && ua < 1.0f && d <= radius;
}

/* One ray's five readings (before the division by 120). */
static void ww_ray(const float *s, int n_items, float c, float sn,
		   float out[5])
{
	waterworld_ray R;
	float wq = 0.0f, bq = 0.0f, bvx = 0.0f, bvy = 0.0f, bk = 0.0f;
	int wh = 0, bh = 0;

	waterworld_ray_init(&R, s[0], s[1], WW_RANGE, c, sn);
	waterworld_ray_walls(&R, &wq, &wh);
	for (int k = 0; k < n_items; k++) {
		const float *it = s + 4 + 5 * k;
		float q;
		int hit = waterworld_ray_bubble(&R, it[0], it[1], 10.0f, &q);

		q = hit && it[4] != 0.0f ? q : WW_RANGE2;
		if (k == 0 || q < bq) {
			bq = q;
			bvx = it[2];
			bvy = it[3];
			bk = it[4];
			bh = hit;
		}
	}
	{
		float wd = sqrtf(wq), id = sqrtf(bq);
		int wall = wd < id, item = !wall && bh;

		out[0] = wall && wh ? wd : WW_RANGE;
		out[1] = item && bk > 0.0f ? id : WW_RANGE;
		out[2] = item && !(bk > 0.0f) ? id : WW_RANGE;
		out[3] = item ? bvx : 0.0f;
		out[4] = item ? bvy : 0.0f;
	}
}

void waterworld_ref_obs(const float *s, int n_items,
			float obs[WATERWORLD_OBS])
{
	float cs[2 * WATERWORLD_RAYS];

	waterworld_ray_dirs(cs);
	for (int r = 0; r < WATERWORLD_RAYS; r++) {
		float *o = obs + 5 * r;

		ww_ray(s, n_items, cs[2 * r], cs[2 * r + 1], o);
		o[0] = o[0] / WW_RANGE;
		o[1] = o[1] / WW_RANGE;
		o[2] = o[2] / WW_RANGE;
	}
	obs[5 * WATERWORLD_RAYS] = s[2];
	obs[5 * WATERWORLD_RAYS + 1] = s[3];
}

int waterworld_ref_action(const float p[WATERWORLD_ACT], float u)
{
	float c0 = p[0], c1 = c0 + p[1], c2 = c1 + p[2], c3 = c2 + p[3];
	float r = c3 * (1.0f - u);

	return (c0 < r) + (c1 < r) + (c2 < r);
}

/* Sets *x to the edge when past it (below: x < edge, else x > edge);
 * returns whether it was. */
static int ww_clip(float *x, float edge, int below)
{
	if (below ? *x < edge : *x > edge) {
		*x = edge;
		return 1;
	}
	return 0;
}

void waterworld_agent_move(float *ag, int a)
{
	float vx = ag[2], vy = ag[3], x, y;

	vx = a == 3 ? vx + 1.0f : vx;
	vx = a == 2 ? vx - 1.0f : vx;
	vx = vx * 0.95f;
	vy = a == 0 ? vy - 1.0f : vy;
	vy = a == 1 ? vy + 1.0f : vy;
	vy = vy * 0.95f;
	x = ag[0] + vx;
	y = ag[1] + vy;
	if (ww_clip(&x, WW_LO, 1) | ww_clip(&x, WW_HI, 0) |
	    ww_clip(&y, WW_LO, 1) | ww_clip(&y, WW_HI, 0))
		vx = vy = 0.0f;
	ag[0] = x;
	ag[1] = y;
	ag[2] = vx;
	ag[3] = vy;
}

void waterworld_item_move(float *it)
{
	float ix = it[0] + it[2], iy = it[1] + it[3];

	if (ww_clip(&ix, WW_LO, 1) | ww_clip(&ix, WW_HI, 0))
		it[2] = -it[2];
	if (ww_clip(&iy, WW_LO, 1) | ww_clip(&iy, WW_HI, 0))
		it[3] = -it[3];
	it[0] = ix;
	it[1] = iy;
}

int waterworld_touch(float x, float y, float ix, float iy, float touch)
{
	float dxa = x - ix, dya = y - iy;

	return sqrtf(dxa * dxa + dya * dya) < touch;
}

void waterworld_ref_step(float *s, int n_items,
			 const float p[WATERWORLD_ACT], float *reward,
			 const ph_step_ctr *ctr)
{
	int a = waterworld_ref_action(p, ph_uniform(ph_step_draw(ctr, 0, 0).v[0]));
	float r = 0.0f;

	waterworld_agent_move(s, a);
	for (int k = 0; k < n_items; k++) {
		float *it = s + 4 + 5 * k;

		waterworld_item_move(it);
		if (waterworld_touch(s[0], s[1], it[0], it[1], 20.0f)) {
			r += it[4];
			it[4] = 0.0f;
		}
	}
	*reward = r;
}
