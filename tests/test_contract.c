/* test_contract - the episodic device contract (core/rollout.cl) with
 * small test-only tasks and policies (tests/contract_*.cl, embedded into
 * the test binaries only), each against the host reference of the rollout
 * loop in tests/contract_ref.h:
 *  a. recurrent policy state (contract_rnn.cl) over whole episodes;
 *  b. per-step draws (contract_walk.cl): exact where the task uses only
 *     uniforms, independent of lanes and of the population split;
 *  c. two agents per world (contract_duo.cl) in the three member ->
 *     agent maps, in closed form and against the host;
 *  d. sizes have one source, the C side. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/eval.h"
#include "core/sim.h"
#include "core/split.h"
#include "opencl/clrt.h"
#include "opencl/philox.h"
#include "policies/mlp.h"
#include "tasks/task.h"

#define TU_OPENCL
#include "tests/contract_ref.h"
#include "tests/testutil.h"

static void tc_no_defines(const void *cfg, char *buf, size_t size)
{
	(void)cfg;
	if (size)
		buf[0] = '\0';
}

static void tc_mlp_defaults(mlp_cfg *c)
{
	cfg_defaults(mlp_ops.fields, mlp_ops.n_fields, c);
}

/* ---- test policies: contract_rnn (recurrent), contract_lin ---------- */

typedef struct tc_pol {
	int h;        /* contract_rnn: state units (POLICY_STATE_DIM) */
	int obs, act; /* the task's, for the host reference */
} tc_pol;

static size_t rnn_param_count(const void *cfg, int obs_dim, int act_dim)
{
	const tc_pol *c = cfg;

	(void)act_dim;
	return (size_t)c->h * (size_t)(1 + obs_dim);
}

static int rnn_state_dim(const void *cfg, int obs_dim, int act_dim)
{
	const tc_pol *c = cfg;

	(void)obs_dim;
	(void)act_dim;
	return c->h;
}

static void tc_no_pdefines(const void *cfg, int obs_dim, int act_dim,
			   char *buf, size_t size)
{
	(void)obs_dim;
	(void)act_dim;
	tc_no_defines(cfg, buf, size);
}

static const policy_ops rnn_ops = {
	.name = "contract_rnn", .summary = "test", .cfg_size = sizeof(tc_pol),
	.cl_file = "tests/contract_rnn.cl", .param_count = rnn_param_count,
	.defines = tc_no_pdefines, .caps = POLICY_CAP_STEP,
	.state_dim = rnn_state_dim,
};

static void rnn_ref_reset(const void *cfg, float *ps)
{
	const tc_pol *c = cfg;

	for (int i = 0; i < c->h; i++)
		ps[i] = 0.5f;
}

static void rnn_ref_forward(const void *cfg, const float *w, float *ps,
			    const float *obs, float *act)
{
	const tc_pol *c = cfg;
	const float *W = w + c->h;
	float h[16];

	for (int i = 0; i < c->h; i++) {
		float x = w[i] * ps[(i + 1) % c->h];

		for (int k = 0; k < c->obs; k++)
			x += W[i * c->obs + k] * obs[k];
		h[i] = tanhf(x);
	}
	memcpy(ps, h, (size_t)c->h * sizeof(float));
	memcpy(act, h, (size_t)c->act * sizeof(float));
}

/* The same policy with its state forgotten every step: what a rollout
 * that drops the state would compute. */
static void rnn_ref_forward_forgetful(const void *cfg, const float *w,
				      float *ps, const float *obs, float *act)
{
	rnn_ref_reset(cfg, ps);
	rnn_ref_forward(cfg, w, ps, obs, act);
}

static size_t lin_param_count(const void *cfg, int obs_dim, int act_dim)
{
	(void)cfg;
	return (size_t)act_dim * (size_t)(1 + obs_dim);
}

static const policy_ops lin_ops = {
	.name = "contract_lin", .summary = "test", .cfg_size = sizeof(tc_pol),
	.cl_file = "tests/contract_lin.cl", .param_count = lin_param_count,
	.defines = tc_no_pdefines, .caps = POLICY_CAP_STEP,
};

static void lin_ref_reset(const void *cfg, float *ps)
{
	(void)cfg;
	(void)ps;
}

static void lin_ref_forward(const void *cfg, const float *w, float *ps,
			    const float *obs, float *act)
{
	const tc_pol *c = cfg;
	const float *K = w + c->act;

	(void)ps;
	for (int j = 0; j < c->act; j++) {
		float x = w[j];

		for (int k = 0; k < c->obs; k++)
			x += K[k * c->act + j] * obs[k];
		act[j] = x;
	}
}

/* The host side of a test policy for task dims d. */
static cref_policy tc_ref_policy(const policy_ops *ops, tc_pol *c,
				 const task_dims *d)
{
	bool rnn = ops == &rnn_ops;

	c->obs = d->obs_dim;
	c->act = d->act_dim;
	return (cref_policy){
		.cfg = c, .P = ops->param_count(c, d->obs_dim, d->act_dim),
		.state_dim = rnn ? c->h : 0,
		.reset = rnn ? rnn_ref_reset : lin_ref_reset,
		.forward = rnn ? rnn_ref_forward : lin_ref_forward,
	};
}

/* ---- test task: contract_walk ------------------------------------------- */

typedef struct walk_cfg {
	int exact; /* WALK_EXACT */
	int max_steps;
} walk_cfg;

static void walk_dims(const void *cfg, task_dims *out)
{
	const walk_cfg *c = cfg;

	out->obs_dim = 2;
	out->act_dim = 1;
	out->state_dim = 1;
	out->max_steps = c->max_steps;
}

static void walk_defines(const void *cfg, char *buf, size_t size)
{
	const walk_cfg *c = cfg;

	snprintf(buf, size, "#define WALK_EXACT %d\n", c->exact);
}

static const task_ops walk_ops = {
	.name = "contract_walk", .summary = "test", .cfg_size = sizeof(walk_cfg),
	.cl_file = "tests/contract_walk.cl", .dims = walk_dims,
	.defines = walk_defines, .eval = &sim_eval_ops, .policy_caps = POLICY_CAP_STEP,
};

static void walk_ref_reset(const void *cfg, float *s, unsigned seed,
			   unsigned purpose, unsigned iter, unsigned member,
			   unsigned repeat)
{
	(void)cfg;
	s[0] = ph_uniform(ph_draw(seed, purpose, iter, member, repeat, 0).v[0]) -
	       0.5f;
}

static void walk_ref_obs(const void *cfg, const float *s, float *obs)
{
	(void)cfg;
	obs[0] = s[0];
	obs[1] = 0.5f;
}

static void walk_ref_step(const void *cfg, float *s, const float *act,
			  float *reward, float *done, const ph_step_ctr *ctr)
{
	const walk_cfg *c = cfg;
	float u = cref_uniform(ctr, 0), v = cref_uniform(ctr, 1);
	float z = cref_normal(ctr, 2);

	s[0] = s[0] + 0.1f * act[0] + 0.5f * (u - 0.5f) + 0.1f * z;
	if (c->exact) {
		reward[0] = u + v;
		*done = v < 0.03125f ? 1.0f : 0.0f;
	} else {
		reward[0] = s[0];
		*done = fabsf(s[0]) > 2.0f ? 1.0f : 0.0f;
	}
}

static cref_task walk_ref(const walk_cfg *c)
{
	cref_task t = { .cfg = c, .reset = walk_ref_reset, .obs = walk_ref_obs,
			.step = walk_ref_step };

	task_get_dims(&walk_ops, c, &t.d);
	return t;
}

/* ---- test task: contract_duo (two agents) ------------------------------- */

typedef struct duo_cfg {
	enum task_agent_map map;
	int plain; /* DUO_PLAIN */
	int max_steps;
} duo_cfg;

static void duo_dims(const void *cfg, task_dims *out)
{
	const duo_cfg *c = cfg;

	out->obs_dim = 3;
	out->act_dim = 1;
	out->state_dim = 2;
	out->max_steps = c->max_steps;
	out->n_agents = 2;
	out->agent_map = c->map;
	out->opp_state_dim = 1;
}

static void duo_defines(const void *cfg, char *buf, size_t size)
{
	const duo_cfg *c = cfg;

	snprintf(buf, size, "#define DUO_PLAIN %d\n", c->plain);
}

static const task_ops duo_ops = {
	.name = "contract_duo", .summary = "test", .cfg_size = sizeof(duo_cfg),
	.cl_file = "tests/contract_duo.cl", .dims = duo_dims,
	.defines = duo_defines, .eval = &sim_eval_ops, .policy_caps = POLICY_CAP_STEP,
};

static void duo_ref_reset(const void *cfg, float *s, unsigned seed,
			  unsigned purpose, unsigned iter, unsigned member,
			  unsigned repeat)
{
	ph_out w = ph_draw(seed, purpose, iter, member, repeat, 0);

	(void)cfg;
	s[0] = ph_uniform(w.v[0]) - 0.5f;
	s[1] = ph_uniform(w.v[1]) - 0.5f;
}

static void duo_ref_obs(const void *cfg, const float *s, float *obs)
{
	(void)cfg;
	for (int a = 0; a < 2; a++) {
		obs[a * 3] = s[a];
		obs[a * 3 + 1] = s[1 - a];
		obs[a * 3 + 2] = (float)a;
	}
}

static void duo_ref_step(const void *cfg, float *s, const float *act,
			 float *reward, float *done, const ph_step_ctr *ctr)
{
	const duo_cfg *c = cfg;

	if (c->plain) {
		reward[0] = act[0];
		reward[1] = 2.0f * act[1];
		*done = 0.0f;
		return;
	}
	reward[0] = act[0] + 0.01f * s[1];
	reward[1] = 2.0f * act[1] + 0.01f * s[0];
	s[0] += 0.1f * act[0] + 0.05f * (cref_uniform(ctr, 0) - 0.5f);
	s[1] += 0.1f * act[1];
	*done = fabsf(s[0] - s[1]) > 1.5f ? 1.0f : 0.0f;
}

static void duo_ref_opp_reset(const void *cfg, float *os, int agent)
{
	(void)cfg;
	os[0] = 0.25f * (float)agent;
}

static void duo_ref_opponent(const void *cfg, float *os, const float *obs,
			     float *act, int agent, const ph_step_ctr *ctr)
{
	(void)cfg;
	(void)agent;
	(void)ctr;
	act[0] = os[0] + 0.5f * obs[1];
	os[0] += 0.125f;
}

static cref_task duo_ref(const duo_cfg *c)
{
	cref_task t = { .cfg = c, .reset = duo_ref_reset, .obs = duo_ref_obs,
			.step = duo_ref_step, .opp_reset = duo_ref_opp_reset,
			.opponent = duo_ref_opponent };

	task_get_dims(&duo_ops, c, &t.d);
	return t;
}

/* ---- running both sides ------------------------------------------------- */

/* Device returns (n, rep) of a test task and policy. */
static void tc_device(const task_ops *task, const void *tcfg,
		      const policy_ops *pol, const tc_pol *pcfg, int lanes,
		      const float *w, size_t n, unsigned purpose,
		      unsigned reset_member, size_t rep, float *ret,
		      double *obs_count)
{
	clrt *rt = tu_rt_open();
	ej_err err = { 0 };
	sim *s = sim_create(rt, task, tcfg, pol, pcfg, lanes, obs_count != NULL,
			    &err);

	if (!s)
		fail_msg("%s", err.msg);
	assert_int_equal(sim_lanes(s), lanes);
	if (sim_rollout(s, w, n, 7, purpose, 4, reset_member, rep,
			obs_count != NULL, ret, &err) < 0)
		fail_msg("%s", err.msg);
	if (obs_count)
		*obs_count = sim_obs_params(s)[0];
	sim_free(s);
	clrt_free(rt);
}

/* |dev - ref| <= abs + rel |ref| for every return. */
static void tc_near(const float *dev, const float *ref, size_t n, double abs,
		    double rel)
{
	for (size_t i = 0; i < n; i++)
		if (!(fabs((double)dev[i] - ref[i]) <= abs + rel * fabs(ref[i])))
			fail_msg("return %zu: device %.9g host %.9g", i, dev[i],
				 ref[i]);
}

/* ---- a: recurrent policy state ------------------------------------------ */

/* contract_rnn (3 state units) on the noisy walk, 60-step episodes, VL 1
 * and 16 (20 repeats: one full and one partial 16-lane block): device
 * returns equal the host reference within 1e-3 + 1e-4 |ref| (device tanh,
 * log, cos and fused multiply-adds differ from libm by ulps; returns are
 * sums of up to 60 values |x| <= 2).  A reference that forgets the state
 * each step misses by far more, so the test sees the state. */
static void test_recurrent_policy(void **state)
{
	enum { POP = 3, REP = 20 };
	walk_cfg wc = { .exact = 0, .max_steps = 60 };
	tc_pol pc = { .h = 3 };
	cref_task t = walk_ref(&wc);
	cref_policy p = tc_ref_policy(&rnn_ops, &pc, &t.d);
	float *w = tu_random_params(POP * p.P, 1.5f, 21);
	float ref[POP * REP], forgetful[POP * REP], dev[POP * REP];
	int far = 0;

	(void)state;
	cref_rollout(&t, &p, w, POP, 7, PH_PURPOSE_RESET, 4, 0, REP, ref);
	for (int lanes = 1; lanes <= 16; lanes += 15) {
		tc_device(&walk_ops, &wc, &rnn_ops, &pc, lanes, w, POP,
			  PH_PURPOSE_RESET, 0, REP, dev, NULL);
		tc_near(dev, ref, POP * REP, 1e-3, 1e-4);
	}
	p.forward = rnn_ref_forward_forgetful;
	cref_rollout(&t, &p, w, POP, 7, PH_PURPOSE_RESET, 4, 0, REP, forgetful);
	for (int i = 0; i < POP * REP; i++)
		far += fabsf(forgetful[i] - dev[i]) > 0.1f;
	assert_true(far > POP * REP / 2);
	free(w);
}

/* ---- b: per-step draws --------------------------------------------------- */

/* The walk with rewards and dones from uniform draws alone: device and
 * host agree exactly, for common and for own resets, training and test
 * purposes; VL 1 and 16 agree exactly; evaluating the population in two
 * halves gives the same returns (common resets); with common resets every
 * member sees the same dynamics (CRN), with own resets not; repeats and
 * purposes have different streams. */
static void test_step_draws_exact(void **state)
{
	enum { POP = 4, REP = 19, N = POP * REP };
	walk_cfg wc = { .exact = 1, .max_steps = 40 };
	tc_pol pc = { 0 };
	cref_task t = walk_ref(&wc);
	cref_policy p = tc_ref_policy(&lin_ops, &pc, &t.d);
	float *w = tu_random_params(POP * p.P, 1.0f, 22);
	const unsigned purposes[] = { PH_PURPOSE_RESET, PH_PURPOSE_TEST_RESET };
	const unsigned resets[] = { 0, SIM_OWN_RESETS };
	float ref[2][2][N], dev[N], half[N];

	(void)state;
	for (int pi = 0; pi < 2; pi++)
		for (int ri = 0; ri < 2; ri++) {
			cref_rollout(&t, &p, w, POP, 7, purposes[pi], 4,
				     resets[ri], REP, ref[pi][ri]);
			for (int lanes = 1; lanes <= 16; lanes += 15) {
				tc_device(&walk_ops, &wc, &lin_ops, &pc, lanes,
					  w, POP, purposes[pi], resets[ri],
					  REP, dev, NULL);
				assert_memory_equal(dev, ref[pi][ri], sizeof(dev));
			}
		}
	/* Population split: two calls of two members, common resets. */
	tc_device(&walk_ops, &wc, &lin_ops, &pc, 16, w, 2, PH_PURPOSE_RESET, 0,
		  REP, half, NULL);
	tc_device(&walk_ops, &wc, &lin_ops, &pc, 16, w + 2 * p.P, 2,
		  PH_PURPOSE_RESET, 0, REP, half + 2 * REP, NULL);
	assert_memory_equal(half, ref[0][0], sizeof(half));
	for (int m = 1; m < POP; m++) {
		assert_memory_equal(ref[0][0] + m * REP, ref[0][0], REP * sizeof(float));
		assert_memory_not_equal(ref[0][1] + m * REP, ref[0][1],
					REP * sizeof(float));
	}
	assert_memory_not_equal(ref[0][0], ref[1][0], REP * sizeof(float));
	for (int r = 1; r < REP; r++)
		assert_true(ref[0][0][r] != ref[0][0][0]);
	free(w);
}

/* ---- c: agents ----------------------------------------------------------- */

static const enum task_agent_map duo_maps[] = {
	TASK_AGENTS_SHARED, TASK_AGENTS_DISTINCT, TASK_AGENTS_OPPONENT,
};

/* Which member drives which agent, in closed form: member m outputs the
 * constant b_m = (m + 1)/8 (contract_lin, zero kernel), the plain duo
 * pays agent a (a + 1) act_a per step, so over 8 steps (exact in float)
 *   DISTINCT  member m drives agent m mod 2:  8 (m mod 2 + 1) b_m
 *   SHARED    mean of 8 b_m and 16 b_m:       12 b_m
 *   OPPONENT  agent 0:                        8 b_m
 * for every repeat, VL 1 and 16.  The normalizer counts the observations
 * of the agents the members drive: worlds x repeats x 8 x (2, 2, 1). */
static void test_agent_maps_closed_form(void **state)
{
	enum { POP = 4, REP = 5, T = 8 };
	tc_pol pc = { 0 };
	float w[POP * 4] = { 0 }, dev[POP * REP];

	(void)state;
	for (int m = 0; m < POP; m++)
		w[m * 4] = (float)(m + 1) / 8.0f; /* bias; kernel (3x1) zero */
	for (int mi = 0; mi < 3; mi++) {
		duo_cfg dc = { .map = duo_maps[mi], .plain = 1, .max_steps = T };
		int distinct = dc.map == TASK_AGENTS_DISTINCT;
		double count, worlds = distinct ? POP / 2 : POP;
		double driven = dc.map == TASK_AGENTS_OPPONENT ? 1 : 2;

		for (int lanes = 1; lanes <= 16; lanes += 15) {
			tc_device(&duo_ops, &dc, &lin_ops, &pc, lanes, w, POP,
				  PH_PURPOSE_RESET, 0, REP, dev, &count);
			for (int m = 0; m < POP; m++) {
				float b = w[m * 4];
				float want = distinct ? T * (float)(m % 2 + 1) * b
					     : dc.map == TASK_AGENTS_SHARED ? 12.0f * b
									    : T * b;

				for (int r = 0; r < REP; r++)
					if (dev[m * REP + r] != want)
						fail_msg("map %d lanes %d member %d repeat %d: %g, want %g",
							 mi, lanes, m, r,
							 dev[m * REP + r], want);
			}
			assert_float_equal(count, worlds * REP * T * driven, 0.0);
		}
	}
}

/* The full duo (obs wiring, interacting rewards, a step draw, the
 * opponent, done-masking) with random linear policies: device returns
 * equal the host reference within 1e-4 + 1e-5 |ref| (fused multiply-adds
 * may round differently) for the three maps, VL 1 and 16, common resets
 * and (DISTINCT: keyed by the world's first member) own resets. */
static void test_agent_maps_vs_host(void **state)
{
	enum { POP = 4, REP = 17, N = POP * REP };
	tc_pol pc = { 0 };
	float ref[N], dev[N];
	float *w = NULL;

	(void)state;
	for (int mi = 0; mi < 3; mi++)
		for (int own = 0; own < 2; own++) {
			duo_cfg dc = { .map = duo_maps[mi], .plain = 0,
				       .max_steps = 30 };
			cref_task t = duo_ref(&dc);
			cref_policy p = tc_ref_policy(&lin_ops, &pc, &t.d);
			unsigned rm = own ? SIM_OWN_RESETS : 0;

			if (!w)
				w = tu_random_params(POP * p.P, 1.0f, 23);
			cref_rollout(&t, &p, w, POP, 7, PH_PURPOSE_RESET, 4, rm,
				     REP, ref);
			for (int lanes = 1; lanes <= 16; lanes += 15) {
				tc_device(&duo_ops, &dc, &lin_ops, &pc, lanes,
					  w, POP, PH_PURPOSE_RESET, rm, REP,
					  dev, NULL);
				tc_near(dev, ref, N, 1e-4, 1e-5);
			}
		}
	free(w);
}

/* The episodic evaluator (core/eval.h) over DISTINCT worlds: training
 * fitness per member as in the closed form above; the test runs every
 * agent with the tested parameters (EvoJAX's copies of the best) and
 * scores each episode by the mean over agents, (8 b + 16 b) / 2 = 12 b. */
static void test_distinct_evaluator(void **state)
{
	duo_cfg dc = { .map = TASK_AGENTS_DISTINCT, .plain = 1, .max_steps = 8 };
	tc_pol pc = { 0 };
	clrt *rt = tu_rt_open();
	ej_err err = { 0 };
	exp_cfg e = { .seed = 7, .task = &duo_ops, .task_cfg = &dc,
		      .policy = &lin_ops, .policy_cfg = &pc,
		      .trainer = { .n_repeats = 3, .n_evaluations = 5,
				   .test_n_repeats = 2 },
		      .device = { .lanes = 16 } };
	float w[4 * 4] = { 0 }, fit[4];
	evaluator *ev = eval_create(&e, rt, &err);
	test_stats ts;

	(void)state;
	assert_non_null(ev);
	for (int m = 0; m < 4; m++)
		w[m * 4] = (float)(m + 1) / 8.0f;
	assert_int_equal(eval_population(ev, w, 4, 0, NULL, 0, fit, NULL, NULL, &err), 0);
	for (int m = 0; m < 4; m++)
		assert_true(fit[m] == 8.0f * (float)(m % 2 + 1) * w[m * 4]);
	assert_int_equal(eval_test(ev, w + 4, NULL, 0, &ts, &err), 0);
	assert_int_equal(ts.n, 5);
	assert_true(ts.min == 12.0 * w[4] && ts.max == 12.0 * w[4]);
	eval_free(ev);
	clrt_free(rt);
}

/* Split over two devices (core/split.h), DISTINCT worlds stay whole: the
 * granule is the world's 2 members and the fitness equals one device's
 * bit for bit (tolerance none, measured 0) for even and uneven weights.
 * Skips without two CPU devices (POCL_DEVICES is set in main). */
static void test_distinct_split(void **state)
{
	duo_cfg dc = { .map = TASK_AGENTS_DISTINCT, .plain = 0, .max_steps = 8 };
	tc_pol pc = { 0 };
	exp_cfg e = { .seed = 7, .task = &duo_ops, .task_cfg = &dc,
		      .policy = &lin_ops, .policy_cfg = &pc,
		      .trainer = { .n_repeats = 3, .n_evaluations = 5,
				   .test_n_repeats = 2 },
		      .device = { .lanes = 4 } };
	const double w[2][2] = { { 1, 1 }, { 1, 2 } };
	float *params = tu_random_params(6 * 4, 1.0f, 5), one[6], two[6];
	ej_err err = { 0 };
	clrt **rts = NULL;
	size_t n = 0;
	evaluator *ev1, *ev2;

	(void)state;
	if (clrt_create_set("cpu:*", &rts, &n, &err) < 0 || n < 2) {
		clrt_free_set(rts, n);
		free(params);
		skip();
	}
	ev1 = split_create(&e, rts, 1, &err);
	assert_non_null(ev1);
	assert_int_equal(eval_granule(ev1), 2);
	assert_int_equal(eval_population(ev1, params, 6, 1, NULL, 0, one, NULL,
					 NULL, &err), 0);
	for (int k = 0; k < 2; k++) {
		e.device.weights = (cfg_flist){ .n = 2, .v = { w[k][0], w[k][1] } };
		ev2 = split_create(&e, rts, 2, &err);
		assert_non_null(ev2);
		assert_int_equal(eval_granule(ev2), 2);
		if (eval_population(ev2, params, 6, 1, NULL, 0, two, NULL, NULL,
				    &err) < 0)
			fail_msg("%s", err.msg);
		assert_memory_equal(one, two, sizeof(one));
		eval_free(ev2);
	}
	eval_free(ev1);
	free(params);
	clrt_free_set(rts, n);
}

/* DISTINCT needs whole worlds: 3 members for 2-agent worlds is a usage
 * error naming the numbers. */
static void test_distinct_needs_whole_worlds(void **state)
{
	duo_cfg dc = { .map = TASK_AGENTS_DISTINCT, .plain = 1, .max_steps = 4 };
	tc_pol pc = { 0 };
	clrt *rt = tu_rt_open();
	ej_err err = { 0 };
	sim *s = sim_create(rt, &duo_ops, &dc, &lin_ops, &pc, 1, false, &err);
	float w[3 * 4] = { 0 }, ret[3];

	(void)state;
	assert_non_null(s);
	assert_int_equal(sim_rollout(s, w, 3, 7, PH_PURPOSE_RESET, 0, 0, 1,
				     false, ret, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg,
			    "population 3 is not a multiple of the task's 2 agents per world (distinct members per agent)");
	sim_free(s);
	clrt_free(rt);
}

/* ---- d: sizes have one source ------------------------------------------ */

/* Every registered episodic task builds with the default MLP, its sizes
 * coming from its dims() alone, and runs a short rollout. */
static void test_registered_tasks_build(void **state)
{
	clrt *rt = tu_rt_open();
	mlp_cfg pol;
	int n = 0;

	(void)state;
	tc_mlp_defaults(&pol);
	for (const task_ops *const *t = task_registry; *t; t++) {
		void *tcfg;
		ej_err err = { 0 };
		float *w, *ret;
		task_dims d;
		size_t pop;
		sim *s;

		if ((*t)->eval != &sim_eval_ops)
			continue;
		tcfg = calloc(1, (*t)->cfg_size);
		assert_non_null(tcfg);
		cfg_defaults((*t)->fields, (*t)->n_fields, tcfg);
		/* 2 members, or one world of distinct members */
		task_get_dims(*t, tcfg, &d);
		pop = d.agent_map == TASK_AGENTS_DISTINCT ? (size_t)d.n_agents : 2;
		s = sim_create(rt, *t, tcfg, &mlp_ops, &pol, 0, false, &err);
		if (!s)
			fail_msg("task '%s': %s", (*t)->name, err.msg);
		w = tu_random_params(pop * sim_param_count(s), 0.1f, 1);
		ret = calloc(pop * 2, sizeof(float));
		assert_non_null(ret);
		assert_int_equal(sim_rollout(s, w, pop, 1, PH_PURPOSE_RESET, 0, 0,
					     2, false, ret, &err), 0);
		for (size_t i = 0; i < pop * 2; i++)
			assert_true(isfinite(ret[i]));
		free(ret);
		free(w);
		sim_free(s);
		free(tcfg);
		n++;
	}
	assert_true(n >= 1);
	clrt_free(rt);
}

static void redef_dims(const void *cfg, task_dims *out)
{
	(void)cfg;
	out->obs_dim = out->act_dim = out->state_dim = 1;
	out->max_steps = 4;
}

/* A task .cl that defines TASK_OBS_DIM itself does not build, and the
 * message says why. */
static void test_redefined_size_rejected(void **state)
{
	const task_ops redef = {
		.name = "contract_redef", .summary = "test", .cfg_size = 1,
		.cl_file = "tests/contract_redef.cl", .dims = redef_dims,
		.defines = tc_no_defines, .eval = &sim_eval_ops, .policy_caps = POLICY_CAP_STEP,
	};
	clrt *rt = tu_rt_open();
	mlp_cfg pol;
	ej_err err = { 0 };
	sim *s;

	(void)state;
	tc_mlp_defaults(&pol);
	s = sim_create(rt, &redef, NULL, &mlp_ops, &pol, 1, false, &err);
	assert_null(s);
	assert_int_equal(err.code, EJ_EXIT_DEVICE);
	if (!strstr(err.msg, "TASK_OBS_DIM missing or defined in a .cl file"))
		fail_msg("unexpected message: %s", err.msg);
	clrt_free(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recurrent_policy),
		cmocka_unit_test(test_step_draws_exact),
		cmocka_unit_test(test_agent_maps_closed_form),
		cmocka_unit_test(test_agent_maps_vs_host),
		cmocka_unit_test(test_distinct_evaluator),
		cmocka_unit_test(test_distinct_needs_whole_worlds),
		cmocka_unit_test(test_distinct_split),
		cmocka_unit_test(test_registered_tasks_build),
		cmocka_unit_test(test_redefined_size_rejected),
	};

	/* two PoCL CPU devices for test_distinct_split */
	setenv("POCL_DEVICES", "pthread pthread", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
