/* slimevolley.c - SlimeVolley (EvoJAX 0.2.17): task registration, the host
 * reference (tasks/slimevolley.cl's game compiled as C) and the task's
 * evaluator, which adds self-play to core/sim.c's episodic one. */
#include "tasks/slimevolley.h"

#include "core/eval.h"
#include "core/sim.h"
#include "policies/policy.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opencl/philox.h"
#include "tasks/slimevolley.cl"

static const cfg_field slimevolley_fields[] = {
	{ .key = "max_steps", .type = CFG_INT,
	  .offset = offsetof(slimevolley_cfg, max_steps), .def = "3000",
	  .min = 1, .max = 1000000,
	  .help = "steps per episode (training episodes always run them all; "
		  "test episodes end earlier when a side has no lives left)" },
	{ .key = "opponent", .type = CFG_ENUM,
	  .offset = offsetof(slimevolley_cfg, opponent), .def = "baseline",
	  .choices = "baseline|selfplay",
	  .help = "whom members train against: slimevolleygym's baseline "
		  "(EvoJAX), or each other (selfplay: random pairs each "
		  "iteration, sides alternate by repeat); tests always play "
		  "the baseline" },
};

static bool slimevolley_selfplay(const slimevolley_cfg *c)
{
	return strcmp(c->opponent, "selfplay") == 0;
}

/* Tests (and renders) play the built-in baseline whatever the training
 * opponent (task_ops.test_cfg). */
static void slimevolley_test_cfg(const void *cfg, void *out)
{
	slimevolley_cfg *c = out;

	*c = *(const slimevolley_cfg *)cfg;
	snprintf(c->opponent, sizeof(c->opponent), "baseline");
}

static void slimevolley_dims(const void *cfg, task_dims *out)
{
	const slimevolley_cfg *c = cfg;

	out->obs_dim = 12;
	out->act_dim = 3;
	out->state_dim = SV_STATE_DIM;
	out->max_steps = c->max_steps;
	out->n_agents = 2;
	out->agent_map = slimevolley_selfplay(c) ? TASK_AGENTS_DISTINCT
						 : TASK_AGENTS_OPPONENT;
	out->opp_state_dim = SV_OPP_DIM;
}

static void slimevolley_defines(const void *cfg, char *buf, size_t size)
{
	snprintf(buf, size, "#define SV_SELFPLAY %d\n",
		 slimevolley_selfplay(cfg) ? 1 : 0);
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
	.summary = "SlimeVolley (EvoJAX): volleyball against slimevolleygym's built-in baseline, or self-play",
	.fields = slimevolley_fields,
	.n_fields = sizeof(slimevolley_fields) / sizeof(slimevolley_fields[0]),
	.cfg_size = sizeof(slimevolley_cfg),
	.cl_file = "tasks/slimevolley.cl",
	.dims = slimevolley_dims,
	.defines = slimevolley_defines,
	.eval = &slimevolley_eval_ops,
	.policy_caps = POLICY_CAP_STEP,
	.direct_dim = NULL,
	.n_bd = 0,
	.bd_bounds = NULL,
	.host = &slimevolley_host,
	.test_cfg = slimevolley_test_cfg,
};

/* ---- host reference ------------------------------------------------------ */

void slimevolley_ref_init(float *s, float ball_vx, float ball_vy, bool test)
{
	sv_init(s, ball_vx, ball_vy, test ? 1.0f : 0.0f);
}

void slimevolley_ref_reset(float *s, unsigned seed, unsigned purpose,
			   unsigned iter, unsigned member, unsigned repeat)
{
	sv_reset(s, seed, purpose, iter, member, repeat, 0);
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

void slimevolley_ref_selfplay_reset(float *s, unsigned seed, unsigned purpose,
				    unsigned iter, unsigned member,
				    unsigned repeat)
{
	sv_reset(s, seed, purpose, iter, member, repeat, 1);
}

void slimevolley_ref_selfplay_obs(const float *s, float obs[24])
{
	sv_obs(s, obs);
	sv_swap_rows(s, obs, 12);
}

void slimevolley_ref_selfplay_step(float *s, const float act[6],
				   float reward[2], float *done,
				   const ph_step_ctr *ctr)
{
	float side[6];

	memcpy(side, act, sizeof(side));
	sv_swap_rows(s, side, 3);
	sv_step(s, side, reward, done, ctr);
	sv_swap_rows(s, reward, 1);
}

/* ---- self-play pairing ---------------------------------------------------- */

void slimevolley_pairing(uint32_t seed, uint32_t iter, size_t n,
			 uint32_t *slot)
{
	for (size_t i = 0; i < n; i++)
		slot[i] = (uint32_t)i;
	for (size_t i = n; i-- > 1;) {
		size_t k = n - 1 - i, j;
		uint32_t u = ph_draw(seed, PH_PURPOSE_TASK, iter, 0, 0,
				     (uint32_t)(k / 4)).v[k % 4], t;

		j = (size_t)(((uint64_t)u * (uint64_t)(i + 1)) >> 32);
		t = slot[i];
		slot[i] = slot[j];
		slot[j] = t;
	}
}

/* ---- the evaluator ---------------------------------------------------------
 *
 * Against the baseline every call goes to core/sim.c's episodic evaluator
 * (sim_eval_ops) unchanged.  With opponent: selfplay that evaluator, built
 * on a copy of the experiment whose task section says baseline, runs the
 * tests only; training runs on a second program with DISTINCT worlds:
 * each group of members (a trainer's population, one normalizer) is
 * shuffled into slots by slimevolley_pairing(seed, iter, group size) -- a
 * world never mixes groups, and a group gets the pairing it would get
 * alone -- rolled out, and each member's fitness is the mean over the
 * repeats of its slot's return. */

typedef struct sv_eval {
	const exp_cfg *e;        /* borrowed */
	slimevolley_cfg base;    /* e's task section, against the baseline */
	exp_cfg e_base;          /* e with task_cfg = &base (a view, not owned) */
	void *tests;             /* sim_eval_ops state over e_base */
	sim *train;              /* self-play: DISTINCT worlds; NULL: baseline */
	float *slotted;          /* (cap, P) the members in slot order */
	float *returns;          /* (cap, n_repeats) */
	uint32_t *member_of;     /* (cap) the member in each slot */
	size_t cap;
	sim_norm *groups;        /* (cap_groups) */
	size_t cap_groups;
	double *own_norm;        /* (1 + 2 obs) the normalizer for NULL norms */
} sv_eval;

static void sv_eval_free(void *state)
{
	sv_eval *sv = state;

	if (sv->tests)
		sim_eval_ops.free(sv->tests);
	sim_free(sv->train);
	free(sv->slotted);
	free(sv->returns);
	free(sv->member_of);
	free(sv->groups);
	free(sv->own_norm);
	free(sv);
}

static int sv_eval_create(void **state, const exp_cfg *e, clrt *rt,
			  ej_err *err)
{
	sv_eval *sv = calloc(1, sizeof(*sv));

	if (!sv)
		return ej_fail(err, EJ_EXIT_RUN, "out of memory");
	sv->e = e;
	slimevolley_test_cfg(e->task_cfg, &sv->base);
	sv->e_base = *e;
	sv->e_base.task_cfg = &sv->base;
	if (sim_eval_ops.create(&sv->tests, &sv->e_base, rt, err) < 0)
		goto fail;
	if (slimevolley_selfplay(e->task_cfg)) {
		if (!(sv->train = sim_create(rt, e->task, e->task_cfg,
					     e->policy, e->policy_cfg,
					     e->device.lanes,
					     e->trainer.normalize_obs, err)))
			goto fail;
		if (!(sv->own_norm = calloc(sim_obs_params_size(sv->train),
					    sizeof(double)))) {
			ej_fail(err, EJ_EXIT_RUN, "out of memory");
			goto fail;
		}
	}
	*state = sv;
	return 0;
fail:
	sv_eval_free(sv);
	return -1;
}

/* Room for n members and n_groups groups. */
static int sv_eval_reserve(sv_eval *sv, size_t n, size_t n_groups,
			   ej_err *err)
{
	size_t P = sim_param_count(sv->train);
	size_t rep = (size_t)sv->e->trainer.n_repeats;
	float *w, *r;
	uint32_t *m;
	sim_norm *g;

	if (sv->cap < n) {
		if (!(w = realloc(sv->slotted, n * P * sizeof(float))))
			return ej_fail(err, EJ_EXIT_RUN, "out of memory");
		sv->slotted = w;
		if (!(r = realloc(sv->returns, n * rep * sizeof(float))))
			return ej_fail(err, EJ_EXIT_RUN, "out of memory");
		sv->returns = r;
		if (!(m = realloc(sv->member_of, n * sizeof(uint32_t))))
			return ej_fail(err, EJ_EXIT_RUN, "out of memory");
		sv->member_of = m;
		sv->cap = n;
	}
	if (sv->cap_groups < n_groups) {
		if (!(g = realloc(sv->groups, n_groups * sizeof(*g))))
			return ej_fail(err, EJ_EXIT_RUN, "out of memory");
		sv->groups = g;
		sv->cap_groups = n_groups;
	}
	return 0;
}

static int sv_eval_evaluate(void *state, const float *params, size_t n,
			    uint32_t iter, const eval_norm *norms,
			    size_t n_norms, float *fitness, float *bd,
			    eval_stats *st, ej_err *err)
{
	sv_eval *sv = state;
	const trainer_cfg *c = &sv->e->trainer;
	uint32_t seed = (uint32_t)sv->e->seed;
	size_t rep = (size_t)c->n_repeats, P, first = 0;
	eval_norm own = { .n = n, .obs_params = sv->own_norm };

	if (!sv->train)
		return sim_eval_ops.evaluate(sv->tests, params, n, iter, norms,
					     n_norms, fitness, bd, st, err);
	if (!norms) {
		norms = &own;
		n_norms = 1;
	}
	if (sv_eval_reserve(sv, n, n_norms, err) < 0)
		return -1;
	P = sim_param_count(sv->train);
	for (size_t g = 0; g < n_norms; g++) {
		size_t m = norms[g].n;
		uint32_t *slot = sv->member_of + first;

		if (m % 2 != 0)
			return ej_fail(err, EJ_EXIT_USAGE,
				       "self-play pairs the members of a population: %zu members is an odd number",
				       m);
		slimevolley_pairing(seed, iter, m, slot);
		for (size_t k = 0; k < m; k++) {
			slot[k] += (uint32_t)first;
			memcpy(sv->slotted + (first + k) * P,
			       params + (size_t)slot[k] * P, P * sizeof(float));
		}
		sv->groups[g] = (sim_norm){ .n = m,
					    .obs_params = norms[g].obs_params,
					    .update = c->normalize_obs };
		first += m;
	}
	if (sim_rollout_norm(sv->train, sv->slotted, n, seed, PH_PURPOSE_RESET,
			     iter, 0, rep, sv->groups, n_norms, sv->returns,
			     err) < 0)
		return -1;
	for (size_t k = 0; k < n; k++) {
		double sum = 0.0;

		for (size_t r = 0; r < rep; r++)
			sum += sv->returns[k * rep + r];
		fitness[sv->member_of[k]] = (float)(sum / (double)rep);
	}
	st->kernel_s = sim_last_kernel_seconds(sv->train);
	st->env_steps = sim_last_env_steps(sv->train);
	return 0;
}

static int sv_eval_test(void *state, const float *params,
			const double *obs_params, uint32_t iter, float *scores,
			size_t *n, ej_err *err)
{
	sv_eval *sv = state;

	if (sv->train && !obs_params)
		obs_params = sv->own_norm;
	return sim_eval_ops.test(sv->tests, params, obs_params, iter, scores,
				 n, err);
}

static size_t sv_eval_param_count(const void *state)
{
	return sim_eval_ops.param_count(((const sv_eval *)state)->tests);
}

static size_t sv_eval_test_count(const void *state)
{
	return sim_eval_ops.test_count(((const sv_eval *)state)->tests);
}

static int sv_eval_lanes(const void *state)
{
	return sim_eval_ops.lanes(((const sv_eval *)state)->tests);
}

static size_t sv_eval_obs_size(const void *state)
{
	return sim_eval_ops.obs_params_size(((const sv_eval *)state)->tests);
}

/* Against the baseline the episodic evaluator's statistics rows and
 * granule (splits over devices and ranks); self-play pairs members across
 * the whole population, so it is never split (granule 0) and folds its
 * statistics itself. */
static size_t sv_eval_obs_rows(const void *state, size_t g, const float **rows)
{
	const sv_eval *sv = state;

	*rows = NULL;
	return sv->train ? 0 : sim_eval_ops.obs_rows(sv->tests, g, rows);
}

static size_t sv_eval_granule(const void *state)
{
	const sv_eval *sv = state;

	if (sv->train)
		return 0;
	return sim_eval_ops.granule ? sim_eval_ops.granule(sv->tests) : 1;
}

static void sv_eval_describe(const void *state, char *buf, size_t size)
{
	const sv_eval *sv = state;

	if (!sv->train) {
		sim_eval_ops.describe(sv->tests, buf, size);
		return;
	}
	snprintf(buf, size,
		 "task slimevolley, self-play (random pairs, sides alternate by repeat; tests vs the baseline), policy %s (%zu parameters), %d repeats, lanes %d",
		 sv->e->policy->name, sim_param_count(sv->train),
		 sv->e->trainer.n_repeats, sim_lanes(sv->train));
}

const eval_ops slimevolley_eval_ops = {
	.name = "slimevolley",
	.create = sv_eval_create,
	.param_count = sv_eval_param_count,
	.test_count = sv_eval_test_count,
	.evaluate = sv_eval_evaluate,
	.test = sv_eval_test,
	.describe = sv_eval_describe,
	.lanes = sv_eval_lanes,
	.free = sv_eval_free,
	.obs_params_size = sv_eval_obs_size,
	.obs_rows = sv_eval_obs_rows,
	.granule = sv_eval_granule,
};
