/* test_waterworld - the WaterWorld task (tasks/waterworld.{c,cl}).
 *
 * a. Host reference, known values worked out by hand (agent at (300, 300),
 *    ray 0 along +x, the other items eaten and out of every ray's reach):
 *    an item on ray 0 at 50 reads 50/120; 5 off the ray on the normal's
 *    side still 50/120 (the foot of the perpendicular), on the other side
 *    sqrt(50^2 + 10^2)/120 (EvoJAX's mirrored point); 10.5 off: unseen;
 *    centre 115 ahead: 115/120, 125 ahead: unseen (the centre must
 *    project inside the ray); the nearer of a poison at 50 and a food at
 *    80 wins; an eaten item 0 on the ray shows its velocity with all
 *    distances 120 (EvoJAX quirk), also 135 away on ray 4 through the
 *    mirrored point; a wall strictly nearer than the item wins; no live
 *    item 139..250 away is ever seen.  Wall readings from 8 positions on
 *    all 30 rays against the exit distance of the box computed in
 *    double (1e-6 and 2e-6: float rounding).  Agent clamping at the four
 *    walls with both velocity components zeroed, item reflection, eating
 *    (+1 food, -1 poison, centres < 20 apart, eaten items never come
 *    back), action sampling from given probabilities and with Philox
 *    uniforms (frequencies within 0.005 of p over 10^5 draws: >= 3.2 sigma).
 *    These states were checked once against EvoJAX 0.2.17's get_obs
 *    (README: within 1.3e-6).
 * b. Device vs host, bit for bit (the task's device code is compiled
 *    without FMA contraction; PoCL's sqrt and division round correctly):
 *    - task_obs on 176 states (the hand cases, walls and corners, random
 *      states with a third of the items eaten, items on a ring 100..160
 *      from the agent across the device's 150 cut), VL 16 and 1;
 *    - tests/waterworld_probe.cl records each step's observation, policy
 *      output (the real MLP 152-100-4, softmax) and reward for VL 16 and
 *      1; the host replays every world with the device's policy outputs
 *      (so both sample the same direction): observations and rewards
 *      identical over 17 whole 200-step episodes; the host MLP on the
 *      same observation within 1e-5 + 1e-4 p of the device's output
 *      (measured: max 1.8e-7 absolute);
 *    - sim_rollout (core/rollout.cl) returns vs the contract's host
 *      reference with the host MLP (tests/contract_ref.h), 1, 64 and 70
 *      items: equal exactly (integer sums).  A direction could flip where
 *      the host and device softmax differ by an ulp across a sampling
 *      cut; measured: 0 of 120 episodes differ.  VL 1 and 16
 *      bit-identical.
 * c. Schema: defaults, dims, bounds with located messages, the defines
 *    fit core/sim.c's 1024-byte buffer and carry the host's ray bits.
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
#include "core/sim.h"
#include "opencl/clrt.h"
#include "opencl/clsrc.h"
#include "opencl/philox.h"
#include "policies/mlp.h"
#include "tasks/waterworld.h"

#define TU_OPENCL
#include "tests/contract_ref.h"
#include "tests/testutil.h"

enum { N = 50, S = WATERWORLD_STATE(N), OBS = WATERWORLD_OBS };

#define assert_near(a, b, tol)                                               \
	do {                                                                 \
		double a_ = (a), b_ = (b);                                   \
		if (!(fabs(a_ - b_) <= (tol)))                               \
			fail_msg("%s = %.9g, expected %.9g (tol %g)", #a,    \
				 a_, b_, (double)(tol));                     \
	} while (0)

/* ---- c: schema ------------------------------------------------------- */

static int parse(const char *yaml, waterworld_cfg *c, ej_err *err)
{
	static const char *const skip[] = { "name", NULL };
	cfg_doc *d = cfg_load_string(yaml, "t.yaml", err);
	int rc;

	assert_non_null(d);
	rc = cfg_parse_section(cfg_get(cfg_root(d), "task"), "task",
			       waterworld_ops.fields, waterworld_ops.n_fields,
			       c, skip, err);
	cfg_free(d);
	return rc;
}

static void test_schema(void **state)
{
	waterworld_cfg c = { 0 };
	ej_err err = { 0 };
	task_dims d;

	(void)state;
	assert_int_equal(parse("task:\n  name: waterworld\n", &c, &err), 0);
	assert_int_equal(c.num_items, 50);
	assert_int_equal(c.max_steps, 1000); /* EvoJAX's class default */
	task_get_dims(&waterworld_ops, &c, &d);
	assert_int_equal(d.obs_dim, 152);
	assert_int_equal(d.act_dim, 4);
	assert_int_equal(d.state_dim, 4 + 5 * 50);
	assert_int_equal(d.max_steps, 1000);
	assert_int_equal(d.n_agents, 1);
	assert_int_equal(parse("task:\n  name: waterworld\n  max_steps: 500\n  num_items: 7\n",
			       &c, &err), 0);
	task_get_dims(&waterworld_ops, &c, &d);
	assert_int_equal(d.state_dim, 4 + 5 * 7);
	assert_int_equal(d.max_steps, 500);

	assert_int_equal(parse("task:\n  name: waterworld\n  max_steps: 0\n", &c, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "t.yaml:3:14: 'max_steps' must be an "
			    "integer in [1, 1e+06], got '0'");
	assert_int_equal(parse("task:\n  num_items: 201\n", &c, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "t.yaml:2:14: 'num_items' must be an "
			    "integer in [1, 200], got '201'");
	assert_int_equal(parse("task:\n  num_item: 3\n", &c, &err), -1);
	assert_non_null(strstr(err.msg, "(did you mean 'num_items'?)"));

	assert_string_equal(waterworld_ops.name, "waterworld");
	assert_ptr_equal(waterworld_ops.eval, &sim_eval_ops);
	assert_int_equal(waterworld_ops.policy_caps, POLICY_CAP_STEP);
}

/* The ray bits: ray 0 is (1, 0) and ray 15 points at 3.14 rad, not pi;
 * defines() carries exactly these bits in under 1024 bytes. */
static void test_rays_and_defines(void **state)
{
	float cs[2 * WATERWORLD_RAYS];
	char buf[1024];
	const char *p;
	waterworld_cfg c = { 50, 500 };

	(void)state;
	waterworld_ray_dirs(cs);
	assert_true(cs[0] == 1.0f && cs[1] == 0.0f);
	assert_near(cs[30], cos(3.14), 1e-7);
	/* 0.00159, not 0; the float angle is 3.1400001 */
	assert_near(cs[31], sin(3.14), 2e-7);
	assert_near(cs[2 * 7 + 1], sin(7 * 2 * 3.14 / 30), 1e-7);
	waterworld_ops.defines(&c, buf, sizeof(buf));
	assert_true(strlen(buf) < sizeof(buf) - 1);
	assert_true(strncmp(buf, "#define WW_RAY_BITS ", 20) == 0);
	assert_true(buf[strlen(buf) - 1] == '\n');
	p = buf + 20;
	for (int i = 0; i < 2 * WATERWORLD_RAYS; i++) {
		char *end;
		unsigned bits = (unsigned)strtoul(p, &end, 16);
		float f;

		memcpy(&f, &bits, sizeof(f));
		assert_true(f == cs[i]);
		assert_true(*end == 'u');
		p = end + 2; /* "u," */
	}
}

/* ---- a: host reference, hand values ----------------------------------- */

/* Agent at (x, y) at rest; every item eaten, parked in the far corner
 * (beyond any ray's reach). */
static void ww_empty(float *s, float x, float y)
{
	s[0] = x;
	s[1] = y;
	s[2] = 0.0f;
	s[3] = 0.0f;
	for (int k = 0; k < N; k++) {
		float *it = s + 4 + 5 * k;

		it[0] = x < 300.0f ? 580.0f : 20.0f;
		it[1] = y < 300.0f ? 580.0f : 20.0f;
		it[2] = 0.25f;
		it[3] = -0.75f;
		it[4] = 0.0f;
	}
}

static void ww_item(float *s, int k, float x, float y, float vx, float vy,
		    float kind)
{
	float *it = s + 4 + 5 * k;

	it[0] = x;
	it[1] = y;
	it[2] = vx;
	it[3] = vy;
	it[4] = kind;
}

/* obs ray 0 is r0[5] (1e-6); with 'alone', every other ray reads
 * nothing. */
static void check_ray0(const float *s, const float r0[5], int alone)
{
	float obs[OBS];

	waterworld_ref_obs(s, N, obs);
	for (int i = 0; i < 5; i++)
		if (!(fabsf(obs[i] - r0[i]) <= 1e-6f))
			fail_msg("ray 0 value %d: %.9g, expected %.9g", i,
				 obs[i], r0[i]);
	for (int r = 1; alone && r < WATERWORLD_RAYS; r++)
		for (int i = 0; i < 5; i++)
			if (obs[5 * r + i] != (i < 3 ? 1.0f : 0.0f))
				fail_msg("ray %d value %d: %.9g, expected nothing",
					 r, i, obs[5 * r + i]);
	assert_true(obs[150] == s[2] && obs[151] == s[3]);
}

static void test_sense_items(void **state)
{
	const float none[5] = { 1, 1, 1, 0, 0 };
	float s[S];

	(void)state;
	ww_empty(s, 300, 300);
	s[2] = 0.5f;
	s[3] = -0.25f;
	check_ray0(s, none, 1);
	ww_item(s, 0, 350, 300, 1.5f, -0.5f, 1);
	check_ray0(s, (const float[5]){ 1, 50.0f / 120, 1, 1.5f, -0.5f }, 1);
	/* 5 off the ray (rays 1 and 29 see these too) */
	ww_item(s, 0, 350, 305, 1.5f, -0.5f, -1); /* poison, foot side */
	check_ray0(s, (const float[5]){ 1, 1, 50.0f / 120, 1.5f, -0.5f }, 0);
	ww_item(s, 0, 350, 295, 1.5f, -0.5f, 1); /* mirrored side */
	check_ray0(s, (const float[5]){ 1, sqrtf(2600.0f) / 120, 1, 1.5f, -0.5f }, 0);
	ww_item(s, 0, 415, 300, 1.5f, -0.5f, 1);
	check_ray0(s, (const float[5]){ 1, 115.0f / 120, 1, 1.5f, -0.5f }, 1);
	ww_item(s, 0, 425, 300, 1.5f, -0.5f, 1); /* centre beyond the ray */
	check_ray0(s, none, 1);
	/* 10.5 off the ray, between rays 0 and 29 (-12.2 degrees) */
	ww_item(s, 0, 350, 310.5f, 1.5f, -0.5f, 1);
	{
		float obs[OBS];

		waterworld_ref_obs(s, N, obs);
		assert_true(obs[1] == 1.0f && obs[3] == 0.0f);
	}
	/* the nearer of two wins: poison at 50 (item 1), food at 80
	 * (nearer than 50 the neighbouring rays would see them too) */
	ww_item(s, 0, 380, 300, 1, 1, 1);
	ww_item(s, 1, 350, 300, -1, 2, -1);
	check_ray0(s, (const float[5]){ 1, 1, 50.0f / 120, -1, 2 }, 1);
	/* an eaten item 0 on the ray: its velocity, distances 120 */
	ww_empty(s, 300, 300);
	ww_item(s, 0, 350, 300, 1.5f, -0.5f, 0);
	check_ray0(s, (const float[5]){ 1, 1, 1, 1.5f, -0.5f }, 1);
	/* ... not an eaten item 3 (the first item reading 120 is item 0) */
	ww_empty(s, 300, 300);
	ww_item(s, 3, 350, 300, 1.5f, -0.5f, 0);
	check_ray0(s, none, 1);
	/* wall at 40 vs items 9 off ray 0 near the east wall */
	ww_empty(s, 560, 300);
	ww_item(s, 0, 599, 291, 1, 1, 1); /* mirrored: sqrt(39^2 + 18^2) */
	{
		float obs[OBS];

		waterworld_ref_obs(s, N, obs);
		assert_near(obs[0], 40.0 / 120, 1e-6);
		assert_true(obs[1] == 1.0f && obs[2] == 1.0f && obs[3] == 0.0f);
		ww_item(s, 0, 599, 309, 1, 1, 1); /* foot: 39 < 40 */
		waterworld_ref_obs(s, N, obs);
		assert_true(obs[0] == 1.0f);
		assert_near(obs[1], 39.0 / 120, 1e-6);
		assert_true(obs[3] == 1.0f && obs[4] == 1.0f);
	}
}

/* Wall readings on every ray: the distance to the box's boundary along
 * the float ray direction, in double, when under 120. */
static void test_sense_walls(void **state)
{
	static const float pos[][2] = {
		{ 50, 300 }, { 300, 590 }, { 5, 5 }, { 598, 3 },
		{ 1, 599 }, { 599, 599 }, { 60, 80 }, { 300, 300 },
	};
	float cs[2 * WATERWORLD_RAYS], s[S], obs[OBS];
	int seen = 0;

	(void)state;
	waterworld_ray_dirs(cs);
	for (size_t p = 0; p < sizeof(pos) / sizeof(pos[0]); p++) {
		double x = pos[p][0], y = pos[p][1];

		ww_empty(s, pos[p][0], pos[p][1]);
		waterworld_ref_obs(s, N, obs);
		for (int r = 0; r < WATERWORLD_RAYS; r++) {
			double c = cs[2 * r], sn = cs[2 * r + 1], t = INFINITY;

			if (c > 0)
				t = fmin(t, (600 - x) / c);
			if (c < 0)
				t = fmin(t, -x / c);
			if (sn > 0)
				t = fmin(t, (600 - y) / sn);
			if (sn < 0)
				t = fmin(t, -y / sn);
			t = t < 120 ? t / 120 : 1.0;
			seen += t < 1;
			if (!(fabs(obs[5 * r] - t) <= 2e-6))
				fail_msg("agent (%g, %g) ray %d: wall %.9g, expected %.9g",
					 x, y, r, obs[5 * r], t);
			for (int i = 1; i < 5; i++)
				assert_true(obs[5 * r + i] == (i < 3 ? 1.0f : 0.0f));
		}
	}
	assert_true(seen > 40);
	/* (50, 300), ray 15 at 3.14 rad: 50 / |cos 3.14| */
	ww_empty(s, 50, 300);
	waterworld_ref_obs(s, N, obs);
	assert_near(obs[75], 50 / -cos(3.14) / 120, 1e-6);
}

/* Item 0 eaten, 135 along ray 4 (48 degrees) and 9 to the side of its
 * normal: EvoJAX's mirrored point still lies on the ray, so the eaten item
 * shows its velocity with distances 120 (checked in EvoJAX); the centre is
 * 135.3 from the agent.  No item reads beyond 141 (the device skips items
 * beyond 150): random live items 139..250 away are never seen. */
static void ww_far_mirror(float *s)
{
	float cs[2 * WATERWORLD_RAYS];
	double c, sn;

	waterworld_ray_dirs(cs);
	c = cs[8];
	sn = cs[9];
	ww_empty(s, 300, 300);
	ww_item(s, 0, (float)(300 + 135 * c + 9 * sn),
		(float)(300 + 135 * sn - 9 * c), 0.5f, 0.25f, 0);
}

static void test_sense_reach(void **state)
{
	float s[S], obs[OBS];

	(void)state;
	ww_far_mirror(s);
	waterworld_ref_obs(s, N, obs);
	for (int r = 0; r < WATERWORLD_RAYS; r++)
		for (int i = 0; i < 5; i++)
			assert_true(obs[5 * r + i] ==
				    (i < 3 ? 1.0f : r != 4 ? 0.0f : i == 3 ? 0.5f : 0.25f));
	for (unsigned t = 0; t < 2000; t++) {
		ph_out w = ph_draw(5, PH_PURPOSE_INIT, 0, 0, 0, t);
		double a = ph_uniform(w.v[0]) * 6.283185307179586;
		double rho = 139 + ph_uniform(w.v[1]) * 111;

		ww_empty(s, 300, 300);
		ww_item(s, 0, (float)(300 + rho * cos(a)), (float)(300 + rho * sin(a)),
			1, 1, w.v[2] & 1 ? 1.0f : -1.0f);
		waterworld_ref_obs(s, N, obs);
		for (int r = 0; r < WATERWORLD_RAYS; r++)
			assert_true(obs[5 * r + 1] == 1.0f && obs[5 * r + 2] == 1.0f &&
				    obs[5 * r + 3] == 0.0f);
	}
}

static void ww_step(float *s, int dir, float *reward)
{
	float p[4] = { 0, 0, 0, 0 };
	ph_step_ctr c = { 1, PH_PURPOSE_RESET, 0, 0, 0, 0 };

	p[dir] = 1.0f;
	waterworld_ref_step(s, N, p, reward, &c);
}

enum { UP, DOWN, LEFT, RIGHT };

static void test_agent_moves_and_walls(void **state)
{
	float s[S], r;

	(void)state;
	ww_empty(s, 300, 300);
	s[2] = 1;
	s[3] = 1;
	ww_step(s, DOWN, &r); /* v = (0.95, 1.9) */
	assert_true(s[2] == 0.95f && s[3] == 2.0f * 0.95f);
	assert_true(s[0] == 300.0f + 0.95f && s[1] == 300.0f + 2.0f * 0.95f);
	assert_true(r == 0.0f);
	/* west: x = 1.5 - 3.8 < 1 -> 1, both components zeroed, y moved */
	ww_empty(s, 1.5f, 300);
	s[2] = -3;
	s[3] = 2;
	ww_step(s, LEFT, &r);
	assert_true(s[0] == 1.0f && s[1] == 300.0f + 2.0f * 0.95f);
	assert_true(s[2] == 0.0f && s[3] == 0.0f);
	/* east */
	ww_empty(s, 598, 300);
	s[2] = 2;
	s[3] = -1;
	ww_step(s, RIGHT, &r);
	assert_true(s[0] == 599.0f && s[1] == 300.0f - 0.95f);
	assert_true(s[2] == 0.0f && s[3] == 0.0f);
	/* north (UP is -y) and south */
	ww_empty(s, 300, 1.2f);
	ww_step(s, UP, &r);
	assert_true(s[0] == 300.0f && s[1] == 1.0f && s[2] == 0.0f && s[3] == 0.0f);
	ww_empty(s, 300, 598.5f);
	s[2] = 0.5f;
	ww_step(s, DOWN, &r);
	assert_true(s[0] == 300.0f + 0.5f * 0.95f && s[1] == 599.0f);
	assert_true(s[2] == 0.0f && s[3] == 0.0f);
	/* inside: no clamping, velocity kept */
	ww_empty(s, 2, 300);
	s[2] = -1;
	ww_step(s, RIGHT, &r);
	assert_true(s[0] == 2.0f && s[2] == 0.0f); /* (-1 + 1) * 0.95 */
}

static void test_items_reflect(void **state)
{
	float s[S], r;
	const float *a = s + 4, *b = s + 9;

	(void)state;
	ww_empty(s, 300, 300);
	ww_item(s, 0, 598.5f, 100, 2, -1.5f, 1);
	ww_item(s, 1, 2, 1.5f, -1.5f, -1, -1);
	ww_step(s, UP, &r);
	assert_true(a[0] == 599.0f && a[1] == 98.5f && a[2] == -2.0f && a[3] == -1.5f);
	assert_true(b[0] == 1.0f && b[1] == 1.0f && b[2] == 1.5f && b[3] == 1.0f);
	assert_true(a[4] == 1.0f && b[4] == -1.0f);
	ww_step(s, UP, &r);
	assert_true(a[0] == 597.0f && a[1] == 97.0f);
	assert_true(b[0] == 2.5f && b[1] == 2.0f);
	/* eaten items keep moving */
	assert_true(s[4 + 5 * 7] == 20.0f + 2 * 0.25f);
}

static void test_eating(void **state)
{
	float s[S], r;
	int live = 0;

	(void)state;
	/* agent at rest at (300, 300) moves UP to (300, 299.05) */
	ww_empty(s, 300, 300);
	ww_item(s, 0, 310, 300 - 0.95f, 0, 0, 1);  /* 10 away: +1 */
	ww_item(s, 1, 300, 280, 0, 0, -1);         /* 19.05: -1 */
	ww_item(s, 2, 320, 300 - 0.95f, 0, 0, 1);  /* exactly 20: no */
	ww_item(s, 3, 330, 300 - 0.95f, 0, 0, -1); /* 30: no */
	ww_step(s, UP, &r);
	assert_true(s[1] == 300.0f - 0.95f);
	assert_true(r == 0.0f);
	assert_true(s[4 + 4] == 0.0f && s[9 + 4] == 0.0f);
	assert_true(s[14 + 4] == 1.0f && s[19 + 4] == -1.0f);
	/* eaten items stay eaten: no reward next to them again */
	s[2] = s[3] = 0.0f;
	ww_step(s, DOWN, &r); /* back to 299.05 + 0.95 = 300 */
	assert_true(r == 0.0f);
	/* food alone */
	ww_empty(s, 300, 300);
	ww_item(s, 5, 305, 300, 0, 0, 1);
	ww_step(s, LEFT, &r);
	assert_true(r == 1.0f && s[4 + 25 + 4] == 0.0f);
	ww_empty(s, 300, 300);
	ww_item(s, 5, 305, 300, 0, 0, -1);
	ww_item(s, 6, 295, 300, 0, 0, -1);
	ww_step(s, LEFT, &r);
	assert_true(r == -2.0f);
	/* no respawn: random episode, the live items never increase */
	waterworld_ref_reset(s, N, 3, PH_PURPOSE_RESET, 0, 0, 0);
	for (int k = 0; k < N; k++)
		live += s[4 + 5 * k + 4] != 0.0f;
	assert_int_equal(live, N);
	for (int t = 0; t < 300; t++) {
		const float p[4] = { 0.25f, 0.25f, 0.25f, 0.25f };
		ph_step_ctr c = { 3, PH_PURPOSE_RESET, 0, 0, 0, (unsigned)t };
		int now = 0, eaten;

		waterworld_ref_step(s, N, p, &r, &c);
		for (int k = 0; k < N; k++)
			now += s[4 + 5 * k + 4] != 0.0f;
		eaten = live - now;
		assert_true(eaten >= 0 && fabsf(r) <= (float)eaten);
		live = now;
	}
}

static void test_action_sampling(void **state)
{
	const float p[4] = { 0.1f, 0.2f, 0.3f, 0.4f };
	const float half[4] = { 0.5f, 0.0f, 0.5f, 0.0f };
	const float twice[4] = { 0.2f, 0.4f, 0.6f, 0.8f };
	enum { D = 100000 };
	int count[4] = { 0 };

	(void)state;
	/* cut = sum(p) (1 - u); direction = #{cumsum < cut} */
	assert_int_equal(waterworld_ref_action(p, 0.95f), 0);
	assert_int_equal(waterworld_ref_action(p, 0.85f), 1);
	assert_int_equal(waterworld_ref_action(p, 0.5f), 2);
	assert_int_equal(waterworld_ref_action(p, 0.1f), 3);
	assert_int_equal(waterworld_ref_action(p, 0.0f), 3);
	assert_int_equal(waterworld_ref_action(half, 0.75f), 0);
	assert_int_equal(waterworld_ref_action(half, 0.25f), 2);
	for (int i = 0; i < 1000; i++) {
		float u = (float)i / 1000.0f;
		float one[4] = { 0, 0, 0, 0 };

		assert_true(waterworld_ref_action(half, u) % 2 == 0);
		assert_int_equal(waterworld_ref_action(p, u),
				 waterworld_ref_action(twice, u));
		one[i % 4] = 1.0f;
		assert_int_equal(waterworld_ref_action(one, u), i % 4);
	}
	assert_int_equal(waterworld_ref_action(p, 1.0f - 0x1p-24f), 0);
	for (unsigned i = 0; i < D; i++)
		count[waterworld_ref_action(p, ph_uniform(ph_draw(9, PH_PURPOSE_STEP, 0, 0, 0, i).v[0]))]++;
	for (int a = 0; a < 4; a++)
		assert_near((double)count[a] / D, p[a], 0.005);
	/* the step samples with its draw 0 */
	for (unsigned t = 0; t < 64; t++) {
		ph_step_ctr c = { 4, PH_PURPOSE_TEST_RESET, 2, 1, 3, t };
		int a = waterworld_ref_action(p, cref_uniform(&c, 0));
		float s[S], r;

		ww_empty(s, 300, 300);
		waterworld_ref_step(s, N, p, &r, &c);
		assert_true(s[2] == (a == 3 ? 0.95f : a == 2 ? -0.95f : 0.0f));
		assert_true(s[3] == (a == 1 ? 0.95f : a == 0 ? -0.95f : 0.0f));
	}
}

/* Resets: positions in [20, 580), velocities in [-2.5, 2.5), both kinds,
 * reproducible, and different per repeat. */
static void test_reset(void **state)
{
	float s[S], s2[S];
	int food = 0;

	(void)state;
	waterworld_ref_reset(s, N, 42, PH_PURPOSE_RESET, 1, 0, 5);
	waterworld_ref_reset(s2, N, 42, PH_PURPOSE_RESET, 1, 0, 5);
	assert_memory_equal(s, s2, sizeof(s));
	assert_true(s[2] == 0.0f && s[3] == 0.0f);
	for (int i = 0; i < 2; i++)
		assert_true(s[i] >= 20.0f && s[i] < 580.0f);
	for (int k = 0; k < N; k++) {
		const float *it = s + 4 + 5 * k;

		assert_true(it[0] >= 20.0f && it[0] < 580.0f);
		assert_true(it[1] >= 20.0f && it[1] < 580.0f);
		assert_true(fabsf(it[2]) <= 2.5f && fabsf(it[3]) <= 2.5f);
		assert_true(it[4] == 1.0f || it[4] == -1.0f);
		food += it[4] > 0.0f;
	}
	assert_true(food > 10 && food < 40);
	waterworld_ref_reset(s2, N, 42, PH_PURPOSE_RESET, 1, 0, 6);
	assert_memory_not_equal(s, s2, sizeof(s));
}

/* ---- b: device vs host ------------------------------------------------- */

static const mlp_cfg ww_mlp = { .hidden = { 1, { 100 } }, .output = "softmax" };

static size_t ww_mlp_params(void)
{
	return mlp_ops.param_count(&ww_mlp, OBS, WATERWORLD_ACT);
}

/* tests/waterworld_probe.cl for VL lanes, 50 items, the softmax MLP. */
static cl_program ww_probe_program(clrt *rt, int vl)
{
	const char *files[] = { "opencl/philox.h", "core/lanes.cl",
				"tasks/waterworld.cl", "policies/mlp.cl",
				"tests/waterworld_probe.cl" };
	waterworld_cfg c = { N, 1000 };
	char defs[4096], tdefs[1024], pdefs[1024];
	ej_err err = { 0 };
	cl_program prog;

	waterworld_ops.defines(&c, tdefs, sizeof(tdefs));
	mlp_ops.defines(&ww_mlp, OBS, WATERWORLD_ACT, pdefs, sizeof(pdefs));
	snprintf(defs, sizeof(defs),
		 "#define VL %d\n#define TASK_STATE_DIM %d\n"
		 "#define POLICY_STATE_DIM 0\n#define PROBE_OBS %d\n"
		 "#define PROBE_ACT %d\n%s%s",
		 vl, S, OBS, WATERWORLD_ACT, tdefs, pdefs);
	prog = clsrc_build(rt, "ww_probe", defs, files, 5, "-w", &err);
	if (!prog)
		fail_msg("%s", err.msg);
	return prog;
}

/* Runs ww_probe: VL worlds (repeats r0..) for T steps. */
static void ww_probe(clrt *rt, int vl, const float *w, unsigned member,
		     unsigned r0, unsigned T, float *obs, float *act,
		     float *rew)
{
	size_t P = ww_mlp_params(), no = (size_t)T * OBS * vl;
	size_t na = (size_t)T * WATERWORLD_ACT * vl, nr = (size_t)T * vl;
	ej_err err = { 0 };
	cl_kernel k = clrt_kernel(rt, ww_probe_program(rt, vl), "ww_probe", &err);
	cl_mem bw, bo, ba, br;

	assert_non_null(k);
	bw = clrt_alloc(rt, P * sizeof(float), CL_MEM_READ_ONLY, &err);
	bo = clrt_alloc(rt, no * sizeof(float), CL_MEM_WRITE_ONLY, &err);
	ba = clrt_alloc(rt, na * sizeof(float), CL_MEM_WRITE_ONLY, &err);
	br = clrt_alloc(rt, nr * sizeof(float), CL_MEM_WRITE_ONLY, &err);
	assert_true(bw && bo && ba && br);
	assert_int_equal(clrt_write(rt, bw, 0, P * sizeof(float), w, &err), 0);
	assert_int_equal(clrt_args(k, &err, "mmmmuuuuuu", bw, bo, ba, br, 7u,
				   (unsigned)PH_PURPOSE_RESET, 2u, member, r0,
				   T), 0);
	assert_int_equal(clrt_launch(rt, k, 1, 0, &err), 0);
	assert_int_equal(clrt_read(rt, bo, 0, no * sizeof(float), obs, &err), 0);
	assert_int_equal(clrt_read(rt, ba, 0, na * sizeof(float), act, &err), 0);
	assert_int_equal(clrt_read(rt, br, 0, nr * sizeof(float), rew, &err), 0);
	clReleaseMemObject(bw);
	clReleaseMemObject(bo);
	clReleaseMemObject(ba);
	clReleaseMemObject(br);
	clReleaseKernel(k);
}

/* Runs ww_obs_probe on n states (n a multiple of vl). */
static void ww_obs_probe(clrt *rt, int vl, const float *st, size_t n,
			 float *obs)
{
	ej_err err = { 0 };
	cl_kernel k = clrt_kernel(rt, ww_probe_program(rt, vl), "ww_obs_probe",
				  &err);
	cl_mem bs, bo;

	assert_non_null(k);
	bs = clrt_alloc(rt, n * S * sizeof(float), CL_MEM_READ_ONLY, &err);
	bo = clrt_alloc(rt, n * OBS * sizeof(float), CL_MEM_WRITE_ONLY, &err);
	assert_true(bs && bo);
	assert_int_equal(clrt_write(rt, bs, 0, n * S * sizeof(float), st, &err), 0);
	assert_int_equal(clrt_args(k, &err, "mm", bs, bo), 0);
	assert_int_equal(clrt_launch(rt, k, n / (size_t)vl, 0, &err), 0);
	assert_int_equal(clrt_read(rt, bo, 0, n * OBS * sizeof(float), obs, &err), 0);
	clReleaseMemObject(bs);
	clReleaseMemObject(bo);
	clReleaseKernel(k);
}

/* States that exercise the sensing: the hand cases above, an agent at
 * walls and corners, random states (a third of the items eaten) and
 * items on a ring 100..160 from the agent (across the device's 150 cut).
 * Returns the count, a multiple of 16. */
static size_t ww_test_states(float (*st)[S], size_t cap)
{
	static const float pos[][2] = {
		{ 50, 300 }, { 300, 590 }, { 5, 5 }, { 598, 3 },
		{ 1, 599 }, { 599, 599 }, { 60, 80 }, { 560, 300 },
	};
	size_t n = 0;

	ww_far_mirror(st[n++]);
	ww_empty(st[n], 300, 300);
	ww_item(st[n++], 0, 350, 295, 1.5f, -0.5f, 1);
	ww_empty(st[n], 300, 300);
	ww_item(st[n++], 0, 350, 300, 1.5f, -0.5f, 0);
	ww_empty(st[n], 300, 300);
	ww_item(st[n++], 3, 350, 300, 1.5f, -0.5f, 0);
	ww_empty(st[n], 560, 300);
	ww_item(st[n++], 0, 599, 291, 1, 1, 1);
	for (size_t p = 0; p < sizeof(pos) / sizeof(pos[0]); p++)
		ww_empty(st[n++], pos[p][0], pos[p][1]);
	for (unsigned t = 0; n < cap; t++, n++) {
		ph_out a = ph_draw(6, PH_PURPOSE_INIT, t, 0, 0, 0);
		float *s = st[n];

		s[0] = 1 + ph_uniform(a.v[0]) * 598;
		s[1] = 1 + ph_uniform(a.v[1]) * 598;
		s[2] = ph_uniform(a.v[2]) * 4 - 2;
		s[3] = ph_uniform(a.v[3]) * 4 - 2;
		for (unsigned k = 0; k < N; k++) {
			ph_out w = ph_draw(6, PH_PURPOSE_INIT, t, 1, 0, k);
			double ang = ph_uniform(w.v[0]) * 6.283185307179586;
			double rho = 100 + ph_uniform(w.v[1]) * 60;
			float x = 1 + ph_uniform(w.v[0]) * 598;
			float y = 1 + ph_uniform(w.v[1]) * 598;

			if (t % 2) { /* ring */
				x = fminf(fmaxf((float)(s[0] + rho * cos(ang)), 1), 599);
				y = fminf(fmaxf((float)(s[1] + rho * sin(ang)), 1), 599);
			}
			ww_item(s, (int)k, x, y, ph_uniform(w.v[2]) * 5 - 2.5f,
				ph_uniform(w.v[3]) * 5 - 2.5f,
				(float)((int)(w.v[3] % 3) - 1));
		}
	}
	return n;
}

/* Device task_obs on the test states equals the host bit for bit,
 * VL 16 and 1. */
static void test_device_obs_states(void **state)
{
	enum { NS = 176 };
	clrt *rt = tu_rt_open();
	float (*st)[S] = malloc(NS * sizeof(*st));
	float *ref = malloc(NS * OBS * sizeof(float));
	float *dev = malloc(NS * OBS * sizeof(float));
	int items = 0, quirks = 0;

	(void)state;
	assert_true(st && ref && dev);
	assert_int_equal(ww_test_states(st, NS), NS);
	for (size_t i = 0; i < NS; i++) {
		waterworld_ref_obs(st[i], N, ref + i * OBS);
		for (int r = 0; r < WATERWORLD_RAYS; r++) {
			const float *o = ref + i * OBS + 5 * r;

			items += o[1] < 1.0f || o[2] < 1.0f;
			quirks += o[1] == 1.0f && o[2] == 1.0f && o[3] != 0.0f;
		}
	}
	assert_true(items > 500 && quirks >= 3);
	for (int vl = 16; vl >= 1; vl -= 15) {
		ww_obs_probe(rt, vl, st[0], NS, dev);
		for (size_t i = 0; i < NS * OBS; i++)
			if (dev[i] != ref[i])
				fail_msg("VL %d state %zu obs %zu: device %.9g host %.9g",
					 vl, i / OBS, i % OBS, dev[i], ref[i]);
	}
	free(st);
	free(ref);
	free(dev);
	clrt_free(rt);
}

/* The host replays each probed world with the device's policy outputs:
 * observations and rewards bit-identical at every step; the host MLP on
 * the same observation within 1e-5 + 1e-4 |p| of the device's output. */
static void test_device_probe_steps(void **state)
{
	enum { T = 200 };
	clrt *rt = tu_rt_open();
	size_t P = ww_mlp_params();
	float *w = tu_random_params(P, 0.2f, 31);
	float *obs = malloc((size_t)T * OBS * 16 * sizeof(float));
	float *act = malloc((size_t)T * WATERWORLD_ACT * 16 * sizeof(float));
	float rew[T * 16];
	double worst = 0.0, ret = 0.0;
	int moves[4] = { 0 };

	(void)state;
	assert_true(obs && act);
	for (int vl = 16; vl >= 1; vl -= 15) {
		unsigned r0 = vl == 16 ? 0 : 21;

		ww_probe(rt, vl, w, 3, r0, T, obs, act, rew);
		for (int l = 0; l < vl; l++) {
			ph_step_ctr c = { 7, PH_PURPOSE_RESET, 2, 3, r0 + (unsigned)l, 0 };
			float s[S], o[OBS], p[4], pd[4], r;

			waterworld_ref_reset(s, N, 7, PH_PURPOSE_RESET, 2, 3,
					     r0 + (unsigned)l);
			for (unsigned t = 0; t < T; t++) {
				c.step = t;
				waterworld_ref_obs(s, N, o);
				for (int i = 0; i < OBS; i++)
					if (o[i] != obs[((size_t)t * OBS + i) * vl + l])
						fail_msg("VL %d lane %d step %u obs %d: device %.9g host %.9g",
							 vl, l, t, i,
							 obs[((size_t)t * OBS + i) * vl + l], o[i]);
				mlp_ref_forward(&ww_mlp, OBS, WATERWORLD_ACT, w, o, p);
				for (int j = 0; j < 4; j++) {
					pd[j] = act[((size_t)t * 4 + j) * vl + l];
					worst = fmax(worst, fabs(pd[j] - p[j]));
					if (!(fabsf(pd[j] - p[j]) <= 1e-5f + 1e-4f * p[j]))
						fail_msg("step %u p[%d]: device %.9g host %.9g",
							 t, j, pd[j], p[j]);
				}
				moves[waterworld_ref_action(pd, cref_uniform(&c, 0))]++;
				waterworld_ref_step(s, N, pd, &r, &c);
				if (r != rew[t * vl + l])
					fail_msg("VL %d lane %d step %u reward: device %g host %g",
						 vl, l, t, rew[t * vl + l], r);
				ret += fabsf(r);
			}
		}
	}
	/* the episodes saw rewards and all four directions */
	assert_true(ret > 10);
	for (int a = 0; a < 4; a++)
		assert_true(moves[a] > 100);
	printf("waterworld probe: 17 worlds x %d steps equal; MLP max |dev - host| %.3g\n",
	       T, worst);
	free(w);
	free(obs);
	free(act);
	clrt_free(rt);
}

/* cref adaptors: the task's host reference with its config. */
static void wr_reset(const void *cfg, float *s, unsigned seed,
		     unsigned purpose, unsigned iter, unsigned member,
		     unsigned repeat)
{
	const waterworld_cfg *c = cfg;

	waterworld_ref_reset(s, c->num_items, seed, purpose, iter, member,
			     repeat);
}

static void wr_obs(const void *cfg, const float *s, float *obs)
{
	const waterworld_cfg *c = cfg;

	waterworld_ref_obs(s, c->num_items, obs);
}

static void wr_step(const void *cfg, float *s, const float *act,
		    float *reward, float *done, const ph_step_ctr *ctr)
{
	const waterworld_cfg *c = cfg;

	waterworld_ref_step(s, c->num_items, act, reward, ctr);
	*done = 0.0f;
}

static void wr_mlp_reset(const void *cfg, float *ps)
{
	(void)cfg;
	(void)ps;
}

static void wr_mlp_forward(const void *cfg, const float *w, float *ps,
			   const float *obs, float *act)
{
	(void)ps;
	mlp_ref_forward(cfg, OBS, WATERWORLD_ACT, w, obs, act);
}

/* sim_rollout vs the host rollout loop: returns equal exactly, VL 16 and
 * 1 bit-identical, with 1, 64 and 70 items (the item count follows
 * dims(); one full and two words of near-item bits). */
static void test_device_rollout(void **state)
{
	enum { POP = 2, REP = 20, NR = POP * REP };
	static const int items[] = { 1, 64, 70 };
	clrt *rt = tu_rt_open();
	cref_policy p = { .cfg = &ww_mlp, .P = ww_mlp_params(),
			  .reset = wr_mlp_reset, .forward = wr_mlp_forward };
	float *w = tu_random_params(POP * p.P, 0.2f, 32);

	(void)state;
	for (int n = 0; n < 3; n++) {
		waterworld_cfg wc = { items[n], 150 };
		cref_task t = { .cfg = &wc, .reset = wr_reset, .obs = wr_obs,
				.step = wr_step };
		float ref[NR], dev[2][NR];
		int differ = 0, nonzero = 0;

		task_get_dims(&waterworld_ops, &wc, &t.d);
		cref_rollout(&t, &p, w, POP, 7, PH_PURPOSE_TEST_RESET, 4,
			     SIM_OWN_RESETS, REP, ref);
		for (int i = 0; i < 2; i++) {
			ej_err err = { 0 };
			sim *s = sim_create(rt, &waterworld_ops, &wc, &mlp_ops,
					    &ww_mlp, i ? 1 : 16, false, &err);

			if (!s)
				fail_msg("%s", err.msg);
			if (sim_rollout(s, w, POP, 7, PH_PURPOSE_TEST_RESET, 4,
					SIM_OWN_RESETS, REP, false, dev[i], &err) < 0)
				fail_msg("%s", err.msg);
			sim_free(s);
		}
		assert_memory_equal(dev[0], dev[1], sizeof(dev[0]));
		for (int i = 0; i < NR; i++) {
			differ += dev[0][i] != ref[i];
			nonzero += ref[i] != 0.0f;
		}
		if (differ)
			fail_msg("%d items: %d of %d returns differ", items[n],
				 differ, NR);
		if (items[n] > 1)
			assert_true(nonzero > NR / 4);
	}
	free(w);
	clrt_free(rt);
}

int main(void)
{
	const struct CMUnitTest host[] = {
		cmocka_unit_test(test_schema),
		cmocka_unit_test(test_rays_and_defines),
		cmocka_unit_test(test_sense_items),
		cmocka_unit_test(test_sense_walls),
		cmocka_unit_test(test_sense_reach),
		cmocka_unit_test(test_agent_moves_and_walls),
		cmocka_unit_test(test_items_reflect),
		cmocka_unit_test(test_eating),
		cmocka_unit_test(test_action_sampling),
		cmocka_unit_test(test_reset),
	};
	const struct CMUnitTest device[] = {
		cmocka_unit_test(test_device_obs_states),
		cmocka_unit_test(test_device_probe_steps),
		cmocka_unit_test(test_device_rollout),
	};
	int rc = cmocka_run_group_tests_name("waterworld host", host, NULL, NULL);

	return rc | cmocka_run_group_tests_name("waterworld device", device,
						NULL, NULL);
}
