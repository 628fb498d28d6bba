/* test_slimevolley - the SlimeVolley task (tasks/slimevolley.{c,h,cl}).
 *
 * a. Known values: the host reference (the game of tasks/slimevolley.cl
 *    compiled as C) against numbers made outside it, in
 *    tests/slimevolley_ref.h (written by tests/slimevolley_ref.py):
 *    - the baseline policy's 7 outputs and 3 buttons for three inputs,
 *      float64 numpy from the published weights: outputs within 1e-6
 *      (measured 6e-8), buttons exact;
 *    - one step of EvoJAX's own jitted task from 14 hand-made states
 *      (walls, ceiling, both sides of the fence, the fence stub, the ball
 *      on a still and on a jumping agent, deep in an agent (EvoJAX's
 *      crosswise first overlap test leaves 14 of the 15 nudges; the
 *      straight test would give x 10.494, not 10.468), a point for each
 *      side with the lives, the new serve and the end of a test episode,
 *      agents held on their half and in the air, the ball's speed
 *      limit): state and both observation rows within 1e-5 + 1e-6 |x|
 *      (measured 3.8e-6, 2 ulp of a velocity of 29 after a bounce;
 *      EvoJAX's jit also turns x / 10 into x * 0.1), lives, reward and
 *      done exact;
 *    - EvoJAX's task from four serves up to the first point (50 to 168
 *      steps with collisions on both agents and the walls; the right agent
 *      presses a fixed pattern, the baseline plays): state every 8 steps
 *      within 1e-3 + 1e-4 |x| (measured 2.8e-4: ulp differences grow
 *      through each bounce, 1e-6 before the first), the point's step,
 *      reward and lives exact, the observation returned at the point (the
 *      ball where it landed, not the new serve) within 1e-5 + 1e-5 |x|;
 *    - by hand: a reset's serve from its Philox uniform, agents at +-12
 *      with 5 lives, the test flag from the reset purpose; a point's new
 *      serve from draw 0 of its step; training episodes never end; each
 *      side's observation is the other side's, mirrored.
 * b. The device (the fused rollout with TASK_AGENTS_OPPONENT) against the
 *    host reference over whole episodes (tests/contract_ref.h), VL 1 and
 *    16, training (3000 steps) and test resets (until a side has no lives
 *    left), common and own reset keys:
 *    - a button-pattern policy (tests/slimevolley_pat.cl, blind to the
 *      observation, exact arithmetic): returns and env steps equal to the
 *      bit;
 *    - a random MLP 12-16-3 on the observations: its device tanh differs
 *      from tanhf by ulps, which changes a button only when an output is
 *      within ulps of 0; returns and env steps were equal to the bit in
 *      every run measured (102 episodes, 3000 steps or to the end of the
 *      test game); the test allows 1 episode in 17 to differ, by at most
 *      2 points.
 * c. The 'task' section's schema: defaults, bounds with the located
 *    message and exit code 2, a misspelt key.
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
#include "opencl/philox.h"
#include "policies/mlp.h"
#include "tasks/slimevolley.h"

#define TU_OPENCL
#include "tests/contract_ref.h"
#include "tests/slimevolley_pat.h"
#include "tests/slimevolley_ref.h"
#include "tests/testutil.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* The largest |got - want| that sv_near saw since the last reset. */
static double sv_err_max;

/* |got - want| <= abs + rel |want|, else fail naming what and where. */
static void sv_near(const char *what, int i, double got, double want,
		    double abs, double rel)
{
	double e = fabs(got - want);

	if (!(e <= abs + rel * fabs(want)))
		fail_msg("%s [%d]: %.9g, want %.9g (tolerance %g + %g |x|)",
			 what, i, got, want, abs, rel);
	if (e > sv_err_max)
		sv_err_max = e;
}

/* A world from a reference case's ball (x, y, vx, vy, prev_x, prev_y),
 * agents (x, y, vx, vy) and lives; agent 0 sees the ball. */
static void sv_state(float *s, const float ball[6], const float agent[2][4],
		     const float lives[2], bool test)
{
	slimevolley_ref_init(s, 0.0f, 0.0f, test);
	for (int k = 0; k < 6; k++)
		s[SV_BALL + k] = ball[k];
	for (int a = 0; a < 2; a++) {
		for (int k = 0; k < 4; k++)
			s[SV_AGENT + 4 * a + k] = agent[a][k];
		s[SV_LIFE + a] = lives[a];
	}
	for (int k = 0; k < 4; k++)
		s[SV_SEEN + k] = ball[k];
}

static void sv_near_agents(const char *what, const float *s,
			   const float want[2][4], double abs, double rel)
{
	for (int a = 0; a < 2; a++)
		for (int k = 0; k < 4; k++)
			sv_near(what, 4 * a + k, s[SV_AGENT + 4 * a + k],
				want[a][k], abs, rel);
}

/* The counter of the one-step cases' new serves. */
static const ph_step_ctr sv_ctr = { 7, PH_PURPOSE_TEST_RESET, 3, 0, 5, 11 };

/* ---- a: known values ------------------------------------------------ */

static void test_baseline_policy(void **state)
{
	float h[SV_OPP_DIM], act[3];

	(void)state;
	sv_err_max = 0.0;
	for (size_t c = 0; c < N_OF(sv_base_cases); c++) {
		const sv_base_case *k = &sv_base_cases[c];

		memcpy(h, k->state, sizeof(h));
		slimevolley_ref_opponent(h, k->obs, act);
		for (int i = 0; i < SV_OPP_DIM; i++)
			sv_near("baseline output", (int)c * 10 + i, h[i],
				k->out[i], 1e-6, 0.0);
		for (int i = 0; i < 3; i++)
			assert_true(act[i] == k->act[i]);
	}
	printf("baseline policy vs numpy: max |error| %.2g\n", sv_err_max);
	slimevolley_ref_opponent_reset(h);
	for (int i = 0; i < SV_OPP_DIM; i++)
		assert_true(h[i] == 0.0f);
}

static void test_one_step_vs_evojax(void **state)
{
	(void)state;
	sv_err_max = 0.0;
	for (size_t c = 0; c < N_OF(sv_cases); c++) {
		const sv_case *k = &sv_cases[c];
		float s[SV_STATE_DIM], rew[2], done, obs[24];

		sv_state(s, k->ball, k->agent, k->lives, true);
		slimevolley_ref_step(s, k->act, rew, &done, &sv_ctr);
		if (k->reward != 0.0f) {
			/* a new serve, from draw 0 of the step (EvoJAX: its
			 * own key; both serve vy = 0.375 vx + 17.5) */
			float v = cref_uniform(&sv_ctr, 0) * 2.0f - 1.0f;
			const float serve[6] = { 0.0f, 12.0f, v * 20.0f,
						 v * 7.5f + 17.5f, 0.0f, 12.0f };

			assert_memory_equal(s + SV_BALL, serve, sizeof(serve));
			sv_near("EvoJAX serve vy", (int)c, k->ball1[3],
				0.375 * k->ball1[2] + 17.5, 1e-5, 0.0);
		} else {
			for (int i = 0; i < 6; i++)
				sv_near(k->name, i, s[SV_BALL + i], k->ball1[i],
					1e-5, 1e-6);
		}
		sv_near_agents(k->name, s, k->agent1, 1e-5, 1e-6);
		if (rew[0] != k->reward || rew[1] != -k->reward ||
		    done != k->done || s[SV_LIFE] != k->lives1[0] ||
		    s[SV_LIFE + 1] != k->lives1[1])
			fail_msg("%s: reward %g %g done %g lives %g %g", k->name,
				 rew[0], rew[1], done, s[SV_LIFE], s[SV_LIFE + 1]);
		slimevolley_ref_obs(s, obs);
		for (int i = 0; i < 24; i++) {
			/* the left sees the new serve's velocity: ours */
			float want = k->reward == 0.0f || (i != 18 && i != 19)
				     ? k->obs1[i]
				     : i == 18 ? -s[SV_BALL + 2] / 10.0f
					       : s[SV_BALL + 3] / 10.0f;

			sv_near(k->name, 100 + i, obs[i], want, 1e-5, 1e-6);
		}
	}
	printf("one step vs EvoJAX: max |error| %.2g\n", sv_err_max);
}

static void test_serves_vs_evojax(void **state)
{
	(void)state;
	sv_err_max = 0.0;
	for (size_t k = 0; k < N_OF(sv_serves); k++) {
		const sv_serve *sv = &sv_serves[k];
		float v = sv->u * 2.0f - 1.0f, s[SV_STATE_DIM], h[SV_OPP_DIM];
		float obs[24], act[6], rew[2], done;
		int row = 0;

		slimevolley_ref_init(s, v * 20.0f, v * 7.5f + 17.5f, true);
		slimevolley_ref_opponent_reset(h);
		for (int t = 0; row < sv->n_rows; t++) {
			const sv_row *r = &sv->rows[row];

			slimevolley_ref_obs(s, obs);
			slimevolley_ref_opponent(h, obs + 12, act + 3);
			sv_pattern(t, act);
			slimevolley_ref_step(s, act, rew, &done, &sv_ctr);
			if (t + 1 != r->step) {
				if (rew[0] != 0.0f)
					fail_msg("serve %zu: point at step %d, EvoJAX's at %d",
						 k, t + 1, sv->rows[sv->n_rows - 1].step);
				continue;
			}
			assert_true(rew[0] == r->reward);
			sv_near_agents("serve agents", s, r->agent, 1e-3, 1e-4);
			if (r->reward == 0.0f) {
				for (int i = 0; i < 4; i++)
					sv_near("serve ball", r->step * 10 + i,
						s[SV_BALL + i], r->ball[i], 1e-3,
						1e-4);
			} else {
				slimevolley_ref_obs(s, obs);
				for (int i = 0; i < 12; i++)
					sv_near("obs at the point", i, obs[i],
						sv->obs[i], 1e-5, 1e-5);
				assert_true(s[SV_LIFE] == sv->lives[0] &&
					    s[SV_LIFE + 1] == sv->lives[1]);
				assert_true(done == 0.0f);
			}
			row++;
		}
	}
	printf("serves vs EvoJAX: max |error| %.2g\n", sv_err_max);
}

static void test_reset_by_hand(void **state)
{
	const unsigned purposes[] = { PH_PURPOSE_RESET, PH_PURPOSE_TEST_RESET };

	(void)state;
	for (int p = 0; p < 2; p++)
		for (unsigned r = 0; r < 20; r++) {
			float s[SV_STATE_DIM];
			float u = ph_uniform(ph_draw(7, purposes[p], 3, 2, r, 0).v[0]);
			float v = u * 2.0f - 1.0f;
			const float want[SV_STATE_DIM] = {
				0.0f, 12.0f, v * 20.0f, v * 7.5f + 17.5f, 0.0f, 12.0f,
				12.0f, 1.5f, 0.0f, 0.0f, -12.0f, 1.5f, 0.0f, 0.0f,
				5.0f, 5.0f,
				0.0f, 12.0f, v * 20.0f, v * 7.5f + 17.5f,
				p == 1 ? 1.0f : 0.0f,
			};

			slimevolley_ref_reset(s, 7, purposes[p], 3, 2, r);
			assert_memory_equal(s, want, sizeof(want));
			assert_true(s[SV_BALL + 2] >= -20.0f && s[SV_BALL + 2] < 20.0f);
			assert_true(s[SV_BALL + 3] >= 10.0f && s[SV_BALL + 3] < 25.0f);
		}
}

/* The left side wins the right's last life: a test episode ends there, a
 * training episode goes on with lives 0, then -1. */
static void test_lives_and_done(void **state)
{
	const sv_case *k = NULL;

	(void)state;
	for (size_t c = 0; c < N_OF(sv_cases); c++)
		if (strcmp(sv_cases[c].name, "point for the left, last life") == 0)
			k = &sv_cases[c];
	assert_non_null(k);
	for (int test = 0; test < 2; test++) {
		float s[SV_STATE_DIM], rew[2], done;

		sv_state(s, k->ball, k->agent, k->lives, test);
		slimevolley_ref_step(s, k->act, rew, &done, &sv_ctr);
		assert_true(rew[0] == -1.0f && rew[1] == 1.0f);
		assert_true(s[SV_LIFE] == 0.0f && s[SV_LIFE + 1] == 3.0f);
		assert_true(done == (test ? 1.0f : 0.0f));
		memcpy(s + SV_BALL, k->ball, 6 * sizeof(float));
		memcpy(s + SV_AGENT, k->agent, 8 * sizeof(float));
		slimevolley_ref_step(s, k->act, rew, &done, &sv_ctr);
		assert_true(rew[0] == -1.0f && s[SV_LIFE] == -1.0f);
		assert_true(done == (test ? 1.0f : 0.0f));
	}
}

/* Each side sees the game as the other side does in the mirrored world
 * (x and vx negated, the agents swapped), to the bit; and the layout of
 * the right agent's row, by hand. */
static void test_obs_mirror(void **state)
{
	(void)state;
	for (unsigned n = 0; n < 50; n++) {
		float s[SV_STATE_DIM], m[SV_STATE_DIM], os[24], om[24];

		slimevolley_ref_init(s, 0.0f, 0.0f, false);
		for (int i = 0; i < 14; i++)
			s[i] = (ph_uniform(ph_draw(3, PH_PURPOSE_INIT, n, 0, 0,
						   (unsigned)i).v[0]) - 0.5f) * 40.0f;
		memcpy(s + SV_SEEN, s + SV_BALL, 4 * sizeof(float));
		memcpy(m, s, sizeof(m));
		for (int k = 0; k < 6; k++)
			m[SV_BALL + k] = k % 2 == 0 ? -s[SV_BALL + k]
						   : s[SV_BALL + k];
		for (int a = 0; a < 2; a++)
			for (int k = 0; k < 4; k++)
				m[SV_AGENT + 4 * a + k] = k % 2 == 0
					? -s[SV_AGENT + 4 * (1 - a) + k]
					: s[SV_AGENT + 4 * (1 - a) + k];
		memcpy(m + SV_SEEN, m + SV_BALL, 4 * sizeof(float));
		slimevolley_ref_obs(s, os);
		slimevolley_ref_obs(m, om);
		assert_memory_equal(os, om + 12, 12 * sizeof(float));
		assert_memory_equal(os + 12, om, 12 * sizeof(float));
		{
			const float *b = s + SV_BALL, *r = s + SV_AGENT, *l = r + 4;
			const float want[12] = {
				r[0] / 10.0f, r[1] / 10.0f, r[2] / 10.0f, r[3] / 10.0f,
				b[0] / 10.0f, b[1] / 10.0f, b[2] / 10.0f, b[3] / 10.0f,
				-l[0] / 10.0f, l[1] / 10.0f, -l[2] / 10.0f, l[3] / 10.0f,
			};

			assert_memory_equal(os, want, sizeof(want));
		}
	}
}

/* ---- b: device against host ------------------------------------------ */

/* The task on the host for contract_ref.h, counting the steps taken. */
typedef struct sv_host {
	slimevolley_cfg c;
	double *steps;
} sv_host;

/* The task's host side (slimevolley_ops.host) for contract_ref.h, the
 * step counting the steps taken. */
static void host_step(const void *cfg, float *s, const float *act,
		      float *reward, float *done, const ph_step_ctr *ctr)
{
	const sv_host *h = cfg;

	slimevolley_ops.host->step(cfg, s, act, reward, done, ctr);
	*h->steps += 1.0;
}

enum { POP = 3, REP = 17, N = POP * REP, STEPS = 3000 };

typedef struct sv_run {
	const policy_ops *ops;  /* device */
	const void *pcfg;
	cref_policy host;
	const float *w;         /* (POP, P) */
} sv_run;

/* Device and host returns (N) and env steps of POP members x REP
 * episodes; device VL 1 and 16 must agree with each other to the bit. */
static void sv_both(const sv_run *run, unsigned purpose,
		    unsigned reset_member, float *dev, double *dev_steps,
		    float *ref, double *ref_steps)
{
	slimevolley_cfg c = { .max_steps = STEPS };
	sv_host hc = { c, ref_steps };
	const task_host_ops *th = slimevolley_ops.host;
	cref_task t = { .cfg = &hc, .reset = th->reset, .obs = th->obs,
			.step = host_step, .opp_reset = th->opp_reset,
			.opponent = th->opponent };
	float other[N];
	clrt *rt = tu_rt_open();

	task_get_dims(&slimevolley_ops, &c, &t.d);
	*ref_steps = 0.0;
	cref_rollout(&t, &run->host, run->w, POP, 7, purpose, 4, reset_member,
		     REP, ref);
	for (int lanes = 1; lanes <= 16; lanes += 15) {
		ej_err err = { 0 };
		sim *s = sim_create(rt, &slimevolley_ops, &c, run->ops,
				    run->pcfg, lanes, false, &err);

		if (!s)
			fail_msg("%s", err.msg);
		if (sim_rollout(s, run->w, POP, 7, purpose, 4, reset_member,
				REP, false, lanes == 1 ? dev : other, &err) < 0)
			fail_msg("%s", err.msg);
		*dev_steps = sim_last_env_steps(s);
		sim_free(s);
	}
	clrt_free(rt);
	assert_memory_equal(dev, other, sizeof(other));
}

static const unsigned sv_purposes[] = { PH_PURPOSE_RESET, PH_PURPOSE_TEST_RESET };
static const unsigned sv_resets[] = { 0, SIM_OWN_RESETS };

static void test_device_pattern_exact(void **state)
{
	float w[POP * 9], dev[N], ref[N];
	int pc = 0;
	sv_run run = { .ops = &pat_ops, .pcfg = &pc,
		       .host = { .cfg = &pc, .P = 9, .state_dim = 1,
				 .reset = pat_ref_reset,
				 .forward = pat_ref_forward },
		       .w = w };

	(void)state;
	pat_params(w, POP);
	for (int p = 0; p < 2; p++)
		for (int r = 0; r < 2; r++) {
			double ds, hs;
			float lo = 0.0f, hi = 0.0f;

			sv_both(&run, sv_purposes[p], sv_resets[r], dev,
				&ds, ref, &hs);
			assert_memory_equal(dev, ref, sizeof(ref));
			assert_true(ds == hs);
			for (int i = 0; i < N; i++) {
				lo = fminf(lo, ref[i]);
				hi = fmaxf(hi, ref[i]);
			}
			printf("pattern, purpose %u, resets %s: returns in [%g, %g], %.0f env steps\n",
			       sv_purposes[p], r ? "own" : "common", lo, hi, hs);
			if (p == 0) {
				assert_true(hs == (double)N * STEPS);
			} else {
				assert_true(hs < (double)N * STEPS);
				assert_true(lo >= -5.0f && hi <= 5.0f);
			}
		}
}

static void test_device_mlp(void **state)
{
	mlp_cfg mc = { .hidden = { 1, { 16 } }, .output = "tanh" };
	size_t P = mlp_ops.param_count(&mc, 12, 3);
	float *w = tu_random_params(POP * P, 0.5f, 31), dev[N], ref[N];

	(void)state;
	sv_run run = { .ops = &mlp_ops, .pcfg = &mc,
		       .host = { .cfg = &mc, .P = P, .state_dim = 0,
				 .reset = mlp_ref_reset,
				 .forward = mlp_ref_step },
		       .w = w };

	for (int p = 0; p < 2; p++) {
		double ds, hs;
		int differ = 0;

		sv_both(&run, sv_purposes[p], 0, dev, &ds, ref, &hs);
		for (int i = 0; i < N; i++)
			if (dev[i] != ref[i]) {
				differ++;
				if (fabsf(dev[i] - ref[i]) > 2.0f)
					fail_msg("episode %d: device %g host %g",
						 i, dev[i], ref[i]);
			}
		printf("MLP, purpose %u: %d of %d returns differ, env steps %.0f / %.0f\n",
		       sv_purposes[p], differ, N, ds, hs);
		assert_true(differ <= N / 17);
	}
	free(w);
}

/* ---- c: schema ---------------------------------------------------------- */

static int parse(const char *yaml, slimevolley_cfg *c, ej_err *err)
{
	static const char *const skip[] = { "name", NULL };
	cfg_doc *d = cfg_load_string(yaml, "t.yaml", err);
	int rc;

	assert_non_null(d);
	rc = cfg_parse_section(cfg_get(cfg_root(d), "task"), "task",
			       slimevolley_ops.fields, slimevolley_ops.n_fields,
			       c, skip, err);
	cfg_free(d);
	return rc;
}

static void test_schema(void **state)
{
	slimevolley_cfg c = { 0 };
	task_dims d;
	ej_err err = { 0 };

	(void)state;
	assert_int_equal(parse("task:\n  name: slimevolley\n", &c, &err), 0);
	assert_int_equal(c.max_steps, 3000);
	task_get_dims(&slimevolley_ops, &c, &d);
	assert_int_equal(d.obs_dim, 12);
	assert_int_equal(d.act_dim, 3);
	assert_int_equal(d.state_dim, SV_STATE_DIM);
	assert_int_equal(d.max_steps, 3000);
	assert_int_equal(d.n_agents, 2);
	assert_int_equal(d.agent_map, TASK_AGENTS_OPPONENT);
	assert_int_equal(d.opp_state_dim, SV_OPP_DIM);
	assert_ptr_equal(slimevolley_ops.eval, &slimevolley_eval_ops);
	assert_string_equal(c.opponent, "baseline");
	assert_int_equal(slimevolley_ops.policy_caps, POLICY_CAP_STEP);
	assert_ptr_equal(task_find("slimevolley"), &slimevolley_ops);

	assert_int_equal(parse("task:\n  max_steps: 100\n", &c, &err), 0);
	assert_int_equal(c.max_steps, 100);
	assert_int_equal(parse("task:\n  max_steps: 0\n", &c, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "t.yaml:2:14: 'max_steps' must be an "
			    "integer in [1, 1000000], got '0'");
	assert_int_equal(parse("task:\n  max_steps: 2.5\n", &c, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_int_equal(parse("task:\n  max_step: 30\n", &c, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_non_null(strstr(err.msg, "t.yaml:2:3:"));
	assert_non_null(strstr(err.msg, "(did you mean 'max_steps'?)"));
}

/* ---- main --------------------------------------------------------------- */

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema),
		cmocka_unit_test(test_baseline_policy),
		cmocka_unit_test(test_one_step_vs_evojax),
		cmocka_unit_test(test_serves_vs_evojax),
		cmocka_unit_test(test_reset_by_hand),
		cmocka_unit_test(test_lives_and_done),
		cmocka_unit_test(test_obs_mirror),
		cmocka_unit_test(test_device_pattern_exact),
		cmocka_unit_test(test_device_mlp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
