/* test_waterworld_ma - multi-agent WaterWorld (tasks/waterworld_ma.{c,cl}).
 *  - schema and dims: 182 observations and 4 actions per agent, 16 agents
 *    of DISTINCT members, state 4 x 16 + 6 x 100;
 *  - host reset: agents on the circle of radius 270 (within 1e-3), items
 *    within 200 of the centre, velocities in [-2.5, 2.5), all valid;
 *  - known sensing values (host): an item 30 ahead reads 0.5 in its
 *    channel with its velocity; the agent itself is never seen; another
 *    agent 30 ahead reads, with agent_sensing evojax, in the channel of
 *    the LAST item's type with the last item's velocity (EvoJAX's clamped
 *    lookup; agent channel 1) and, with fixed, 0.5 in the agent channel
 *    with its own velocity; a wall 29 away reads 29/60 (within 1e-5);
 *  - consumption: an item touched by any agent is eaten; two agents
 *    touching it in the same step both get its reward, later steps none;
 *  - device vs host: task_obs and task_step (tests/flocking_probe.cl, a
 *    generic probe) on 16 random states (agents and items anywhere, a
 *    third of the items eaten, clusters of agents): observations, rewards
 *    and next states bit-identical, VL 1 and 16, both sensings; task_reset
 *    within 1e-4 (measured: max 6.1e-5; cos/sin of the device and of the C
 *    library);
 *  - the DISTINCT map through sim_rollout (core/rollout.cl): 2 worlds x 16
 *    members with their own blind policies (linear MLP with a zero kernel:
 *    act = bias exactly) drifting in different directions vs the contract's
 *    host reference (tests/contract_ref.h): returns equal exactly
 *    (measured; integer sums), members' returns differ, VL 1 and 8.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/sim.h"
#include "opencl/clrt.h"
#include "opencl/clsrc.h"
#include "opencl/philox.h"
#include "policies/mlp.h"
#include "tasks/waterworld_ma.h"

#define TU_OPENCL
#include "tests/contract_ref.h"
#include "tests/testutil.h"

#define A 16
#define N 100
#define S WWMA_STATE(A, N)
#define NO (A * WWMA_OBS)

static waterworld_ma_cfg wm_cfg(int agents, int items, const char *sensing)
{
	waterworld_ma_cfg c = { agents, items, 1000, "" };

	snprintf(c.agent_sensing, sizeof(c.agent_sensing), "%s", sensing);
	return c;
}

static void test_dims(void **state)
{
	waterworld_ma_cfg c = wm_cfg(A, N, "evojax");
	task_dims d;

	(void)state;
	task_get_dims(&waterworld_ma_ops, &c, &d);
	assert_int_equal(d.obs_dim, 182);
	assert_int_equal(d.act_dim, 4);
	assert_int_equal(d.n_agents, 16);
	assert_int_equal(d.agent_map, TASK_AGENTS_DISTINCT);
	assert_int_equal(d.state_dim, 4 * 16 + 6 * 100);
	assert_int_equal(d.max_steps, 1000);
}

static void test_reset(void **state)
{
	waterworld_ma_cfg c = wm_cfg(A, N, "evojax");
	float s[S];
	int food = 0;

	(void)state;
	for (unsigned r = 0; r < 8; r++) {
		waterworld_ma_ref_reset(&c, s, 3, PH_PURPOSE_RESET, 1, 16, r);
		for (int a = 0; a < A; a++) {
			float dx = s[4 * a] - 300.0f, dy = s[4 * a + 1] - 300.0f;

			assert_true(fabsf(sqrtf(dx * dx + dy * dy) - 270.0f) < 1e-3f);
			assert_true(s[4 * a + 2] == 0.0f && s[4 * a + 3] == 0.0f);
		}
		for (int k = 0; k < N; k++) {
			const float *it = s + 4 * A + 6 * k;
			float dx = it[0] - 300.0f, dy = it[1] - 300.0f;

			assert_true(sqrtf(dx * dx + dy * dy) < 200.001f);
			assert_true(fabsf(it[2]) <= 2.5f && fabsf(it[3]) <= 2.5f);
			assert_true(it[4] == 1.0f || it[4] == -1.0f);
			assert_true(it[5] == 1.0f);
			food += it[4] > 0.0f;
		}
	}
	assert_true(food > 300 && food < 500);
}

/* A small world: agents 0 and 1, items 0..2 parked in the far corner
 * unless placed. */
static void wm_small(float *s, int agents, int items)
{
	memset(s, 0, WWMA_STATE(agents, items) * sizeof(float));
	for (int a = 0; a < agents; a++) {
		s[4 * a] = 100.0f + 200.0f * (float)a;
		s[4 * a + 1] = 500.0f;
	}
	for (int k = 0; k < items; k++) {
		float *it = s + 4 * agents + 6 * k;

		it[0] = 560.0f;
		it[1] = 40.0f + 3.0f * (float)k;
		it[4] = k % 2 ? -1.0f : 1.0f;
		it[5] = 1.0f;
	}
}

static void test_known_sensing(void **state)
{
	waterworld_ma_cfg ev = wm_cfg(2, 3, "evojax");
	waterworld_ma_cfg fx = wm_cfg(2, 3, "fixed");
	float s[WWMA_STATE(2, 3)], o[2 * WWMA_OBS];
	float *it0 = s + 8, *it2 = s + 8 + 12;

	(void)state;
	/* alone: nothing but walls, never itself */
	wm_small(s, 2, 3);
	s[0] = 300.0f;
	s[1] = 300.0f;
	waterworld_ma_ref_obs(&ev, s, o);
	for (int k = 0; k < 6 * WWMA_RAYS; k++)
		assert_true(o[k] == (k % 6 < 4 ? 1.0f : 0.0f));
	/* food item 0 30 ahead on ray 0 (+x) */
	it0[0] = 330.0f;
	it0[1] = 300.0f;
	it0[2] = 0.25f;
	it0[3] = -0.75f;
	waterworld_ma_ref_obs(&ev, s, o);
	assert_true(o[0] == 1.0f && o[1] == 0.5f && o[2] == 1.0f &&
		    o[3] == 1.0f && o[4] == 0.25f && o[5] == -0.75f);
	/* eaten: reads 60, but its velocity still shows (EvoJAX: the
	 * geometric hit of the argmin, item 0) */
	it0[5] = 0.0f;
	waterworld_ma_ref_obs(&ev, s, o);
	assert_true(o[1] == 1.0f && o[4] == 0.25f && o[5] == -0.75f);
	it0[0] = 560.0f;
	it0[1] = 40.0f;
	/* agent 1 30 ahead; the last item (2) is poison moving (1.5, -0.5) */
	s[4] = 330.0f;
	s[5] = 300.0f;
	s[6] = 0.125f;
	s[7] = 0.5f;
	it2[2] = 1.5f;
	it2[3] = -0.5f;
	it2[4] = -1.0f;
	waterworld_ma_ref_obs(&ev, s, o);
	assert_true(o[0] == 1.0f && o[1] == 1.0f && o[2] == 0.5f &&
		    o[3] == 1.0f && o[4] == 1.5f && o[5] == -0.5f);
	it2[4] = 1.0f; /* food now: agent 1 reads as food */
	waterworld_ma_ref_obs(&ev, s, o);
	assert_true(o[1] == 0.5f && o[2] == 1.0f && o[3] == 1.0f);
	waterworld_ma_ref_obs(&fx, s, o);
	assert_true(o[0] == 1.0f && o[1] == 1.0f && o[2] == 1.0f &&
		    o[3] == 0.5f && o[4] == 0.125f && o[5] == 0.5f);
	/* agent 1 sees agent 0 on ray 15 (angle 3.14, a hair off -x) */
	assert_true(fabsf(o[WWMA_OBS + 6 * 15 + 3] - 0.5f) < 1e-4f);
	assert_true(o[WWMA_OBS + 6 * 15 + 4] == 0.0f);
	/* the agents' velocities close their rows */
	assert_true(o[180] == 0.0f && o[WWMA_OBS + 180] == 0.125f &&
		    o[WWMA_OBS + 181] == 0.5f);
	/* a wall 29 away on ray 15 (west) */
	wm_small(s, 2, 3);
	s[0] = 29.0f;
	s[1] = 300.0f;
	waterworld_ma_ref_obs(&ev, s, o);
	assert_true(fabsf(o[6 * 15] - 29.0f / 60.0f) < 1e-5f);
	assert_true(o[6 * 15 + 1] == 1.0f && o[6 * 15 + 4] == 0.0f);
}

static void test_consumption(void **state)
{
	waterworld_ma_cfg c = wm_cfg(2, 3, "evojax");
	float s[WWMA_STATE(2, 3)], rew[2], done;
	float act[8] = { 1, 0, 0, 0, 1, 0, 0, 0 }; /* both UP */
	float *it1 = s + 8 + 6;
	ph_step_ctr ctr = { 1u, 1u, 0u, 0u, 0u, 0u };

	(void)state;
	/* poison item 1 at rest between agents 0 (300, 300) and 1 (314, 300) */
	wm_small(s, 2, 3);
	s[0] = 300.0f;
	s[1] = 300.0f;
	s[4] = 400.0f;
	s[5] = 300.0f;
	it1[0] = 307.0f;
	it1[1] = 300.0f;
	waterworld_ma_ref_step(&c, s, act, rew, &done, &ctr);
	/* only agent 0 touches it (7 < 10); eaten for both */
	assert_true(rew[0] == -1.0f && rew[1] == 0.0f && done == 0.0f);
	assert_true(it1[5] == 0.0f);
	/* later contact: nothing */
	s[4] = it1[0];
	s[5] = it1[1];
	ctr.step = 1;
	waterworld_ma_ref_step(&c, s, act, rew, &done, &ctr);
	assert_true(rew[0] == 0.0f && rew[1] == 0.0f);
	/* both touch a live food item in the same step: both get +1 */
	it1[5] = 1.0f;
	it1[4] = 1.0f;
	s[0] = it1[0] - 4.0f;
	s[1] = it1[1];
	s[2] = s[3] = 0.0f;
	s[4] = it1[0] + 4.0f;
	s[5] = it1[1];
	s[6] = s[7] = 0.0f;
	ctr.step = 2;
	waterworld_ma_ref_step(&c, s, act, rew, &done, &ctr);
	assert_true(rew[0] == 1.0f && rew[1] == 1.0f && it1[5] == 0.0f);
}

/* ---- device against host ------------------------------------------- */

static cl_program wm_program(clrt *rt, const waterworld_ma_cfg *c, int vl,
			     const char *probe)
{
	const char *files[] = { "opencl/philox.h", "core/lanes.cl",
				"tasks/waterworld_lib.cl",
				"tasks/waterworld_ma.cl", probe };
	char defs[4096], tdefs[2048];
	ej_err err = { 0 };
	cl_program prog;

	waterworld_ma_ops.defines(c, tdefs, sizeof(tdefs));
	snprintf(defs, sizeof(defs),
		 "#define VL %d\n#define TASK_N_AGENTS %d\n#define TASK_OBS_DIM %d\n"
		 "#define TASK_ACT_DIM %d\n#define TASK_STATE_DIM %d\n%s",
		 vl, c->num_agents, WWMA_OBS, WWMA_ACT,
		 WWMA_STATE(c->num_agents, c->num_items), tdefs);
	prog = clsrc_build(rt, "wwma_probe", defs, files, 5, "-w", &err);
	if (!prog)
		fail_msg("%s", err.msg);
	return prog;
}

enum { PN = 16 };

/* 16 random worlds: agents and items anywhere (world w clusters its
 * agents within 60 w / 16 + 20 of the first), a third of the items
 * eaten, velocities as at reset. */
static void wm_random(float *st)
{
	for (int w = 0; w < PN; w++) {
		float *s = st + (size_t)w * S;
		float spread = 60.0f * (float)w / PN + 20.0f;

		for (int a = 0; a < A; a++) {
			ph_out d = ph_draw(5, 1, (unsigned)w, 0, 0, (unsigned)a);

			s[4 * a] = a == 0 || w % 2 ? ph_uniform(d.v[0]) * 598.0f + 1.0f
				   : s[0] + (ph_uniform(d.v[0]) - 0.5f) * spread;
			s[4 * a + 1] = a == 0 || w % 2 ? ph_uniform(d.v[1]) * 598.0f + 1.0f
				       : s[1] + (ph_uniform(d.v[1]) - 0.5f) * spread;
			s[4 * a + 2] = ph_uniform(d.v[2]) * 6.0f - 3.0f;
			s[4 * a + 3] = ph_uniform(d.v[3]) * 6.0f - 3.0f;
		}
		for (int k = 0; k < N; k++) {
			float *it = s + 4 * A + 6 * k;
			ph_out d = ph_draw(5, 2, (unsigned)w, 0, 0, (unsigned)k);

			it[0] = ph_uniform(d.v[0]) * 598.0f + 1.0f;
			it[1] = ph_uniform(d.v[1]) * 598.0f + 1.0f;
			it[2] = ph_uniform(d.v[2]) * 5.0f - 2.5f;
			it[3] = ph_uniform(d.v[3]) * 5.0f - 2.5f;
			it[4] = d.v[0] % 2 ? 1.0f : -1.0f;
			it[5] = d.v[1] % 3 ? 1.0f : 0.0f;
		}
	}
}

static void test_device_obs_step(void **state)
{
	static float st[PN * S], st1[PN * S], act[PN * A * 4], obs[PN * NO];
	static float ref_obs[NO], ref_s[S], rew[PN * A], done[PN];
	clrt *rt = tu_rt_open();
	const char *sens[2] = { "evojax", "fixed" };
	float ref_rew[A], ref_done;

	(void)state;
	wm_random(st);
	for (size_t i = 0; i < PN * A * 4; i++)
		act[i] = ph_uniform(ph_draw(9, 1, 0, 0, 0, (unsigned)i).v[0]);
	for (int v = 0; v < 2; v++)
		for (int vl = 1; vl <= 16; vl += 15) {
			waterworld_ma_cfg c = wm_cfg(A, N, sens[v]);
			cl_program prog = wm_program(rt, &c, vl,
						     "tests/flocking_probe.cl");
			ej_err err = { 0 };
			cl_kernel k = clrt_kernel(rt, prog, "flocking_probe", &err);
			cl_mem b[6];
			const size_t sz[6] = { S, A * 4, NO, A, S, 1 };
			float *host[6] = { st, act, obs, rew, st1, done };

			assert_non_null(k);
			for (int i = 0; i < 6; i++) {
				b[i] = clrt_alloc(rt, NULL, PN * sz[i] * sizeof(float),
						  CL_MEM_READ_WRITE, &err);
				assert_non_null(b[i]);
			}
			for (int i = 0; i < 2; i++)
				assert_int_equal(clrt_write(rt, b[i], 0, PN * sz[i] * sizeof(float),
							    host[i], &err), 0);
			assert_int_equal(clrt_args(k, &err, "mmummmm", b[0], b[1], 3u,
						   b[2], b[3], b[4], b[5]), 0);
			assert_int_equal(clrt_launch(rt, k, PN / (size_t)vl, 0, &err), 0);
			for (int i = 2; i < 6; i++)
				assert_int_equal(clrt_read(rt, b[i], 0, PN * sz[i] * sizeof(float),
							   host[i], &err), 0);
			for (int i = 0; i < 6; i++)
				clReleaseMemObject(b[i]);
			clReleaseKernel(k);
			for (int w = 0; w < PN; w++) {
				/* the probe counts repeats per work-item: lane l is repeat l */
				ph_step_ctr ctr = { 1u, 1u, 0u, 0u, (unsigned)(w % vl), 3u };

				waterworld_ma_ref_obs(&c, st + (size_t)w * S, ref_obs);
				assert_memory_equal(obs + (size_t)w * NO, ref_obs,
						    sizeof(ref_obs));
				memcpy(ref_s, st + (size_t)w * S, sizeof(ref_s));
				waterworld_ma_ref_step(&c, ref_s, act + (size_t)w * A * 4,
						       ref_rew, &ref_done, &ctr);
				assert_memory_equal(st1 + (size_t)w * S, ref_s,
						    sizeof(ref_s));
				assert_memory_equal(rew + (size_t)w * A, ref_rew,
						    sizeof(ref_rew));
				assert_true(done[w] == 0.0f);
			}
		}
	clrt_free(rt);
}

static void test_device_reset(void **state)
{
	waterworld_ma_cfg c = wm_cfg(A, N, "evojax");
	static float dev[PN * S], ref[S];
	clrt *rt = tu_rt_open();
	cl_program prog = wm_program(rt, &c, 1, "tests/task_reset_probe.cl");
	ej_err err = { 0 };
	cl_kernel k = clrt_kernel(rt, prog, "task_reset_probe", &err);
	cl_mem b = clrt_alloc(rt, NULL, sizeof(dev), CL_MEM_READ_WRITE, &err);
	float worst = 0.0f;

	(void)state;
	assert_non_null(k);
	assert_non_null(b);
	assert_int_equal(clrt_args(k, &err, "muuuu", b, 7u, PH_PURPOSE_RESET,
				   2u, 32u), 0);
	assert_int_equal(clrt_launch(rt, k, PN, 0, &err), 0);
	assert_int_equal(clrt_read(rt, b, 0, sizeof(dev), dev, &err), 0);
	for (unsigned r = 0; r < PN; r++) {
		waterworld_ma_ref_reset(&c, ref, 7, PH_PURPOSE_RESET, 2, 32, r);
		for (int i = 0; i < S; i++) {
			float e = fabsf(dev[r * S + i] - ref[i]);

			worst = e > worst ? e : worst;
		}
	}
	print_message("device reset: max |device - host| %.3g\n", (double)worst);
	assert_true(worst < 1e-4f);
	clReleaseMemObject(b);
	clReleaseKernel(k);
	clrt_free(rt);
}

/* ---- the DISTINCT map through the rollout -------------------------- */

static void host_reset(const void *cfg, float *s, unsigned seed,
		       unsigned purpose, unsigned iter, unsigned member,
		       unsigned repeat)
{
	waterworld_ma_ref_reset(cfg, s, seed, purpose, iter, member, repeat);
}

static void blind_forward(const void *cfg, const float *w, float *ps,
			  const float *obs, float *act)
{
	(void)ps;
	mlp_ref_forward(cfg, WWMA_OBS, WWMA_ACT, w, obs, act);
}

static void blind_reset(const void *cfg, float *ps)
{
	(void)cfg;
	(void)ps;
}

static void test_distinct_rollout(void **state)
{
	enum { POP = 32, REP = 3, STEPS = 150 };
	mlp_cfg mc = { .hidden = { 0, { 0 } }, .output = "linear" };
	waterworld_ma_cfg c = wm_cfg(A, N, "evojax");
	size_t P = mlp_ops.param_count(&mc, WWMA_OBS, WWMA_ACT);
	cref_policy host = { .cfg = &mc, .P = P, .state_dim = 0,
			     .reset = blind_reset, .forward = blind_forward };
	cref_task t = { .cfg = &c, .reset = host_reset,
			.obs = waterworld_ma_ref_obs,
			.step = waterworld_ma_ref_step };
	float *w = calloc(POP * P, sizeof(float));
	float ref[POP * REP], dev[POP * REP];
	clrt *rt = tu_rt_open();
	int differ = 0;

	(void)state;
	c.max_steps = STEPS;
	assert_int_equal(P, WWMA_OBS * WWMA_ACT + WWMA_ACT);
	/* member m: the bias (the action probabilities) favours direction
	 * m % 4, more so for larger m */
	for (int m = 0; m < POP; m++)
		for (int j = 0; j < WWMA_ACT; j++)
			w[(size_t)m * P + P - WWMA_ACT + (size_t)j] =
				j == m % 4 ? 1.0f + (float)m : 1.0f;
	task_get_dims(&waterworld_ma_ops, &c, &t.d);
	cref_rollout(&t, &host, w, POP, 7, PH_PURPOSE_RESET, 4, 0xffffffffu,
		     REP, ref);
	for (int i = 1; i < POP * REP; i++)
		differ += ref[i] != ref[0];
	assert_true(differ > POP);
	for (int lanes = 1; lanes <= 8; lanes += 7) {
		ej_err err = { 0 };
		sim *s = sim_create(rt, &waterworld_ma_ops, &c, &mlp_ops, &mc,
				    lanes, false, &err);

		if (!s)
			fail_msg("%s", err.msg);
		if (sim_rollout(s, w, POP, 7, PH_PURPOSE_RESET, 4, 0xffffffffu,
				REP, false, dev, &err) < 0)
			fail_msg("%s", err.msg);
		assert_memory_equal(dev, ref, sizeof(ref));
		/* not a multiple of 16 members */
		assert_int_equal(sim_rollout(s, w, 24, 7, PH_PURPOSE_RESET, 4,
					     0xffffffffu, REP, false, dev, &err),
				 -1);
		assert_int_equal(err.code, EJ_EXIT_USAGE);
		sim_free(s);
	}
	free(w);
	clrt_free(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dims),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_known_sensing),
		cmocka_unit_test(test_consumption),
		cmocka_unit_test(test_device_obs_step),
		cmocka_unit_test(test_device_reset),
		cmocka_unit_test(test_distinct_rollout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
