/* test_waterworld_device - the WaterWorld device code (tasks/waterworld.cl)
 * against its host reference (tasks/waterworld.c, tested by
 * tests/test_waterworld.c), bit for bit: the task's device code is
 * compiled without FMA contraction and PoCL's sqrt and division round
 * correctly.
 *  - task_obs on 176 states (the hand cases, walls and corners, random
 *    states with a third of the items eaten, items on a ring 100..160
 *    from the agent across the device's 150 cut), VL 16, 8 and 1;
 *  - tests/waterworld_probe.cl records each step's observation, policy
 *    output (the real MLP 152-100-4, softmax) and reward for VL 16 and 1;
 *    the host replays every world with the device's policy outputs (so
 *    both sample the same direction): observations and rewards identical
 *    over 17 whole 200-step episodes; the host MLP on the same
 *    observation within 1e-5 + 1e-4 p of the device's output (measured:
 *    max 1.8e-7 absolute);
 *  - sim_rollout (core/rollout.cl) returns vs the contract's host
 *    reference with the host MLP (tests/contract_ref.h), 1, 64 and 70
 *    items: equal exactly (integer sums).  A direction could flip where
 *    the host and device softmax differ by an ulp across a sampling cut;
 *    measured: 0 of 120 episodes differ.  VL 1 and 16 bit-identical.
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
#include "tasks/waterworld.h"

#define TU_OPENCL
#include "tests/contract_ref.h"
#include "tests/testutil.h"
#include "tests/waterworld_states.h"

static const mlp_cfg ww_mlp = { .hidden = { 1, { 100 } }, .output = "softmax" };

static size_t ww_mlp_params(void)
{
	return mlp_ops.param_count(&ww_mlp, OBS, WATERWORLD_ACT);
}

/* tests/waterworld_probe.cl for VL lanes, 50 items, the softmax MLP. */
static cl_program ww_probe_program(clrt *rt, int vl)
{
	const char *files[] = { "opencl/philox.h", "core/lanes.cl",
				"tasks/waterworld_lib.cl", "tasks/waterworld.cl",
				"policies/mlp.cl", "tests/waterworld_probe.cl" };
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
	prog = clsrc_build(rt, "ww_probe", defs, files, 6, "-w", &err);
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
	bw = clrt_alloc(rt, NULL, P * sizeof(float), CL_MEM_READ_ONLY, &err);
	bo = clrt_alloc(rt, NULL, no * sizeof(float), CL_MEM_WRITE_ONLY, &err);
	ba = clrt_alloc(rt, NULL, na * sizeof(float), CL_MEM_WRITE_ONLY, &err);
	br = clrt_alloc(rt, NULL, nr * sizeof(float), CL_MEM_WRITE_ONLY, &err);
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
	bs = clrt_alloc(rt, NULL, n * S * sizeof(float), CL_MEM_READ_ONLY, &err);
	bo = clrt_alloc(rt, NULL, n * OBS * sizeof(float), CL_MEM_WRITE_ONLY, &err);
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
 * VL 16 (rays 16 wide, transposed by shuffles), 8 (rays 16 wide) and 1
 * (one ray at a time). */
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
	for (int v = 0; v < 3; v++) {
		const int vl = v == 0 ? 16 : v == 1 ? 8 : 1;

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
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_device_obs_states),
		cmocka_unit_test(test_device_probe_steps),
		cmocka_unit_test(test_device_rollout),
	};

	return cmocka_run_group_tests_name("waterworld device", tests, NULL, NULL);
}
