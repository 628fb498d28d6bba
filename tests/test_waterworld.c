/* test_waterworld - the WaterWorld task (tasks/waterworld.{c,cl}): its
 * host reference and schema; the device against it is
 * tests/test_waterworld_device.c.
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
 * b. Schema: defaults, dims, bounds with located messages, the defines
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
#include "opencl/philox.h"
#include "tasks/waterworld.h"
#include "tests/contract_ref.h"
#include "tests/waterworld_states.h"

#define assert_near(a, b, tol)                                               \
	do {                                                                 \
		double a_ = (a), b_ = (b);                                   \
		if (!(fabs(a_ - b_) <= (tol)))                               \
			fail_msg("%s = %.9g, expected %.9g (tol %g)", #a,    \
				 a_, b_, (double)(tol));                     \
	} while (0)

/* ---- b: schema ------------------------------------------------------- */

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
			    "integer in [1, 1000000], got '0'");
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

/* The eaten item 0 of ww_far_mirror shows on ray 4 only, 135 away; no
 * item reads beyond ~138 (the device skips items beyond 150): random
 * live items 139..250 away are never seen. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
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

	return cmocka_run_group_tests_name("waterworld host", tests, NULL, NULL);
}
