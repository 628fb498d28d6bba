#include "core/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/obsnorm.h"
#include "opencl/philox.h"
#include "opencl/clsrc.h"
#include "opencl/philox.h"

struct sim {
	clrt *rt;                 /* borrowed */
	task_dims dims;
	size_t param_count;       /* P */
	int policy_state_dim;     /* recurrent state floats per agent */
	int lanes;
	bool normalize;
	cl_kernel kernel;
	cl_mem params;            /* (cap_members, P) */
	cl_mem returns;           /* (cap_envs) */
	cl_mem obs_stats;         /* (cap_items, 2 obs + 1) */
	cl_mem obs_norm;          /* (cap_groups, 2 obs) */
	cl_mem norm_of;           /* (cap_worlds) normalizer group per world */
	size_t cap_groups, cap_worlds;
	float *norm_host;         /* (cap_groups, 2 obs) */
	cl_uint *norm_of_host;    /* (cap_worlds) */
	cl_mem steps;             /* (cap_steps) steps run per work-item */
	unsigned *steps_host;     /* (cap_steps) */
	size_t cap_steps;
	double env_steps;         /* executed by the last rollout */
	size_t cap_members, cap_envs, cap_items;
	double *obs_params;       /* (1 + 2 obs) */
	float *stats_host;        /* (cap_items, 2 obs + 1) */
	size_t *group_row;        /* (cap_group_row) first stats row of each
				     group of the last rollout, + the end */
	size_t cap_group_row, last_groups;
	double kernel_seconds;
};

static int sim_build(sim *s, const task_ops *task, const void *task_cfg,
		     const policy_ops *policy, const void *policy_cfg,
		     ej_err *err)
{
	const char *files[6] = { "opencl/philox.h", "core/lanes.cl" };
	size_t nf = 2;
	char defs[4096], tdefs[1024], pdefs[2048];
	cl_program prog;

	task->defines(task_cfg, tdefs, sizeof(tdefs));
	policy->defines(policy_cfg, s->dims.obs_dim, s->dims.act_dim, pdefs,
			sizeof(pdefs));
	/* The contract's sizes come from the C side only, each as
	 * (n + EJ_DIM_PROBE): core/rollout.cl raises the probe to catch a
	 * .cl file that (re)defines one (contract item d). */
	snprintf(defs, sizeof(defs),
		 "#define VL %d\n#define NORMALIZE_OBS %d\n"
		 "#define EJ_DIM_PROBE 0\n"
		 "#define POLICY_PARAMS (%zu + EJ_DIM_PROBE)\n"
		 "#define TASK_OBS_DIM (%d + EJ_DIM_PROBE)\n"
		 "#define TASK_ACT_DIM (%d + EJ_DIM_PROBE)\n"
		 "#define POLICY_STATE_DIM (%d + EJ_DIM_PROBE)\n"
		 "#define TASK_STATE_DIM (%d + EJ_DIM_PROBE)\n"
		 "#define TASK_N_AGENTS (%d + EJ_DIM_PROBE)\n"
		 "#define TASK_AGENTS_SHARED %d\n"
		 "#define TASK_AGENTS_DISTINCT %d\n"
		 "#define TASK_AGENTS_OPPONENT %d\n"
		 "#define TASK_AGENT_MAP (%d + EJ_DIM_PROBE)\n"
		 "#define TASK_OPP_STATE_DIM (%d + EJ_DIM_PROBE)\n%s%s",
		 s->lanes, s->normalize ? 1 : 0, s->param_count,
		 s->dims.obs_dim, s->dims.act_dim, s->policy_state_dim,
		 s->dims.state_dim, s->dims.n_agents, TASK_AGENTS_SHARED,
		 TASK_AGENTS_DISTINCT, TASK_AGENTS_OPPONENT,
		 (int)s->dims.agent_map, s->dims.opp_state_dim, tdefs, pdefs);
	if (task->cl_lib)
		files[nf++] = task->cl_lib;
	files[nf++] = task->cl_file;
	files[nf++] = policy->cl_file;
	files[nf++] = "core/rollout.cl";
	/* -w: PoCL warns about the float16 ABI on AVX2 hosts, harmlessly. */
	prog = clsrc_build(s->rt, "rollout", defs, files, nf, "-w", err);
	if (!prog || !(s->kernel = clrt_kernel(s->rt, prog, "rollout", err)))
		return -1;
	return 0;
}

sim *sim_create(clrt *rt, const task_ops *task, const void *task_cfg,
		const policy_ops *policy, const void *policy_cfg, int lanes,
		bool normalize_obs, ej_err *err)
{
	sim *s = calloc(1, sizeof(*s));

	if (!s) {
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
		return NULL;
	}
	s->rt = rt;
	task_get_dims(task, task_cfg, &s->dims);
	s->param_count = policy->param_count(policy_cfg, s->dims.obs_dim,
					     s->dims.act_dim);
	s->policy_state_dim = policy->state_dim
		? policy->state_dim(policy_cfg, s->dims.obs_dim,
				    s->dims.act_dim) : 0;
	s->normalize = normalize_obs;
	s->obs_params = calloc(obsnorm_size(s->dims.obs_dim), sizeof(double));
	if (!s->obs_params) {
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
		goto fail;
	}
	if (s->dims.n_agents < 1 || s->dims.opp_state_dim < 0 ||
	    s->dims.agent_map < TASK_AGENTS_SHARED ||
	    s->dims.agent_map > TASK_AGENTS_OPPONENT) {
		ej_fail(err, EJ_EXIT_USAGE,
			"task '%s': bad agent layout (%d agents, map %d, opponent state %d)",
			task->name, s->dims.n_agents, (int)s->dims.agent_map,
			s->dims.opp_state_dim);
		goto fail;
	}
	if ((unsigned)s->dims.max_steps > PH_STEP_MAX) {
		ej_fail(err, EJ_EXIT_USAGE,
			"task '%s': max_steps %d exceeds the %u steps the per-step counters allow",
			task->name, s->dims.max_steps, PH_STEP_MAX);
		goto fail;
	}
	s->lanes = clrt_pick_lanes(rt, lanes, err);
	if (s->lanes < 0 || sim_build(s, task, task_cfg, policy, policy_cfg,
				      err) < 0)
		goto fail;
	return s;
fail:
	sim_free(s);
	return NULL;
}

void sim_free(sim *s)
{
	if (!s)
		return;
	if (s->kernel)
		clReleaseKernel(s->kernel);
	if (s->params)
		clReleaseMemObject(s->params);
	if (s->returns)
		clReleaseMemObject(s->returns);
	if (s->obs_stats)
		clReleaseMemObject(s->obs_stats);
	if (s->obs_norm)
		clReleaseMemObject(s->obs_norm);
	if (s->norm_of)
		clReleaseMemObject(s->norm_of);
	free(s->norm_host);
	free(s->norm_of_host);
	if (s->steps)
		clReleaseMemObject(s->steps);
	free(s->steps_host);
	free(s->obs_params);
	free(s->stats_host);
	free(s->group_row);
	free(s);
}

size_t sim_param_count(const sim *s) { return s->param_count; }
int sim_lanes(const sim *s) { return s->lanes; }
const task_dims *sim_task_dims(const sim *s) { return &s->dims; }
size_t sim_obs_params_size(const sim *s) { return obsnorm_size(s->dims.obs_dim); }
const double *sim_obs_params(const sim *s) { return s->obs_params; }
bool sim_normalizes(const sim *s) { return s->normalize; }
double sim_last_kernel_seconds(const sim *s) { return s->kernel_seconds; }
double sim_last_env_steps(const sim *s) { return s->env_steps; }

size_t sim_last_obs_rows(const sim *s, size_t g, const float **rows)
{
	if (g >= s->last_groups) {
		*rows = NULL;
		return 0;
	}
	*rows = s->stats_host + s->group_row[g] * (2 * (size_t)s->dims.obs_dim + 1);
	return s->group_row[g + 1] - s->group_row[g];
}

void sim_set_obs_params(sim *s, const double *p)
{
	memcpy(s->obs_params, p, sim_obs_params_size(s) * sizeof(double));
}

/* Upload the groups' normalizers and each world's group. */
static int sim_put_norms(sim *s, const sim_norm *groups, size_t n_groups,
			 size_t worlds, ej_err *err)
{
	size_t d = (size_t)s->dims.obs_dim, w = 0;
	size_t per = s->dims.agent_map == TASK_AGENTS_DISTINCT
			     ? (size_t)s->dims.n_agents : 1;

	if (s->cap_groups < n_groups) {
		float *g = realloc(s->norm_host, n_groups * 2 * d * sizeof(float));

		if (!g)
			return ej_fail(err, EJ_EXIT_RUN, "out of memory");
		s->norm_host = g;
	}
	if (s->cap_worlds < worlds) {
		cl_uint *g = realloc(s->norm_of_host, worlds * sizeof(cl_uint));

		if (!g)
			return ej_fail(err, EJ_EXIT_RUN, "out of memory");
		s->norm_of_host = g;
	}
	if (clrt_reserve(s->rt, "observation normalizer", &s->obs_norm,
			 &s->cap_groups, n_groups,
			 2 * d * sizeof(float), CL_MEM_READ_ONLY, err) < 0 ||
	    clrt_reserve(s->rt, "normalizer of each world", &s->norm_of,
			 &s->cap_worlds, worlds,
			 sizeof(cl_uint), CL_MEM_READ_ONLY, err) < 0)
		return -1;
	for (size_t g = 0; g < n_groups; g++) {
		if (groups[g].n % per != 0)
			return ej_fail(err, EJ_EXIT_USAGE,
				       "normalizer group %zu holds %zu members, not a multiple of the task's %zu agents per world",
				       g, groups[g].n, per);
		obsnorm_device(groups[g].obs_params, (int)d,
			       s->norm_host + g * 2 * d);
		for (size_t k = 0; k < groups[g].n / per; k++)
			s->norm_of_host[w++] = (cl_uint)g;
	}
	if (w != worlds)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "normalizer groups cover %zu members, the population has %zu",
			       w * per, worlds * per);
	return clrt_write(s->rt, s->obs_norm, 0, n_groups * 2 * d * sizeof(float),
			  s->norm_host, err) < 0 ||
			       clrt_write(s->rt, s->norm_of, 0,
					  worlds * sizeof(cl_uint),
					  s->norm_of_host, err) < 0
		       ? -1
		       : 0;
}

int sim_rollout_norm(sim *s, const float *params, size_t n, uint32_t seed,
		     uint32_t purpose, uint32_t iter, uint32_t reset_member,
		     size_t n_repeats, const sim_norm *groups, size_t n_groups,
		     float *returns, ej_err *err)
{
	size_t d = (size_t)s->dims.obs_dim, row = 2 * d + 1;
	size_t agents = (size_t)s->dims.n_agents;
	size_t worlds = s->dims.agent_map == TASK_AGENTS_DISTINCT ? n / agents : n;
	size_t blocks = (n_repeats + (size_t)s->lanes - 1) / (size_t)s->lanes;
	size_t items = worlds * blocks, envs = n * n_repeats;
	bool need_stats = false;
	double t0;

	if (n == 0 || n_repeats == 0)
		return ej_fail(err, EJ_EXIT_USAGE, "nothing to evaluate");
	if (n % agents != 0 && s->dims.agent_map == TASK_AGENTS_DISTINCT)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "population %zu is not a multiple of the task's %zu agents per world (distinct members per agent)",
			       n, agents);
	if (s->normalize && n_groups == 0)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "the rollout normalizes observations but was given no normalizer");
	if (clrt_reserve(s->rt, "population parameters", &s->params,
			 &s->cap_members, n,
			 s->param_count * sizeof(float), CL_MEM_READ_ONLY,
			 err) < 0 ||
	    clrt_reserve(s->rt, "rollout returns", &s->returns,
			 &s->cap_envs, envs, sizeof(float),
			 CL_MEM_WRITE_ONLY, err) < 0 ||
	    clrt_reserve(s->rt, "observation statistics", &s->obs_stats,
			 &s->cap_items, items,
			 row * sizeof(float), CL_MEM_READ_WRITE, err) < 0)
		return -1;
	if (!s->steps || s->cap_steps < items) {
		unsigned *grown = realloc(s->steps_host, items * sizeof(unsigned));

		if (!grown)
			return ej_fail(err, EJ_EXIT_RUN, "out of memory");
		s->steps_host = grown;
	}
	if (clrt_reserve(s->rt, "episode steps", &s->steps, &s->cap_steps,
			 items, sizeof(cl_uint),
			 CL_MEM_WRITE_ONLY, err) < 0)
		return -1;
	if (s->normalize) {
		float *grown = realloc(s->stats_host, items * row * sizeof(float));

		if (!grown)
			return ej_fail(err, EJ_EXIT_RUN, "out of memory");
		s->stats_host = grown;
		if (sim_put_norms(s, groups, n_groups, worlds, err) < 0)
			return -1;
		for (size_t g = 0; g < n_groups; g++)
			need_stats |= groups[g].update || groups[g].keep;
		if (s->cap_group_row < n_groups + 1) {
			size_t *gr = realloc(s->group_row,
					     (n_groups + 1) * sizeof(size_t));

			if (!gr)
				return ej_fail(err, EJ_EXIT_RUN, "out of memory");
			s->group_row = gr;
			s->cap_group_row = n_groups + 1;
		}
	} else if (clrt_reserve(s->rt, "observation normalizer",
				&s->obs_norm, &s->cap_groups, 1,
				sizeof(float), CL_MEM_READ_ONLY, err) < 0 ||
		   clrt_reserve(s->rt, "normalizer of each world",
				&s->norm_of, &s->cap_worlds, 1,
				sizeof(cl_uint), CL_MEM_READ_ONLY, err) < 0) {
		return -1; /* unused by the kernel, but set as arguments */
	}
	if (clrt_write(s->rt, s->params, 0, n * s->param_count * sizeof(float),
		       params, err) < 0 ||
	    clrt_args(s->kernel, err, "mmmmmmuuuuuu", s->params, s->obs_norm,
		      s->norm_of, s->returns, s->obs_stats, s->steps, seed,
		      purpose, iter, reset_member, (unsigned)n_repeats,
		      (unsigned)s->dims.max_steps) < 0)
		return -1;
	t0 = eval_now();
	if (clrt_launch(s->rt, s->kernel, items, s->lanes > 1 ? 1 : 0,
			err) < 0 ||
	    clrt_finish(s->rt, err) < 0)
		return -1;
	s->kernel_seconds = eval_now() - t0;
	if (clrt_read(s->rt, s->returns, 0, envs * sizeof(float), returns,
		      err) < 0 ||
	    clrt_read(s->rt, s->steps, 0, items * sizeof(cl_uint),
		      s->steps_host, err) < 0)
		return -1;
	s->env_steps = 0.0;
	for (size_t i = 0; i < items; i++)
		s->env_steps += s->steps_host[i];
	s->last_groups = 0;
	if (s->normalize && need_stats) {
		size_t per = worlds ? n / worlds : 1;

		if (clrt_read(s->rt, s->obs_stats, 0,
			      items * row * sizeof(float), s->stats_host,
			      err) < 0)
			return -1;
		s->group_row[0] = 0;
		for (size_t g = 0; g < n_groups; g++)
			s->group_row[g + 1] = s->group_row[g] +
					      groups[g].n / per * blocks;
		s->last_groups = n_groups;
		/* Each group folds the statistics of its own worlds. */
		for (size_t g = 0; g < n_groups; g++)
			if (groups[g].update)
				obsnorm_update(groups[g].obs_params, (int)d,
					       s->stats_host + s->group_row[g] * row,
					       s->group_row[g + 1] - s->group_row[g]);
	}
	return 0;
}

int sim_rollout(sim *s, const float *params, size_t n, uint32_t seed,
		uint32_t purpose, uint32_t iter, uint32_t reset_member,
		size_t n_repeats, bool update_obs, float *returns, ej_err *err)
{
	sim_norm one = { .n = n, .obs_params = s->obs_params,
			 .update = update_obs };

	return sim_rollout_norm(s, params, n, seed, purpose, iter,
				reset_member, n_repeats, &one, 1, returns,
				err);
}

/* ---- the evaluator for episodic tasks (core/eval.h) ------------------ */

typedef struct sim_eval {
	sim *sim;
	const exp_cfg *e;  /* borrowed */
	float *returns;    /* (cap) episode returns of a call */
	size_t cap;
	sim_norm *groups;  /* (cap_groups) a call's normalizer groups */
	size_t cap_groups;
	double *test_norm; /* (1 + 2 obs) the normalizer a test uses */
} sim_eval;

static void sim_eval_free(void *state)
{
	sim_eval *se = state;

	sim_free(se->sim);
	free(se->returns);
	free(se->groups);
	free(se->test_norm);
	free(se);
}

static int sim_eval_create(void **state, const exp_cfg *e, clrt *rt,
			   ej_err *err)
{
	sim_eval *se = calloc(1, sizeof(*se));

	if (!se)
		return ej_fail(err, EJ_EXIT_RUN, "out of memory");
	se->e = e;
	if (!(se->sim = sim_create(rt, e->task, e->task_cfg, e->policy,
				   e->policy_cfg, e->device.lanes,
				   e->trainer.normalize_obs, err))) {
		sim_eval_free(se);
		return -1;
	}
	if (!(se->test_norm = calloc(sim_obs_params_size(se->sim),
				     sizeof(double)))) {
		sim_eval_free(se);
		return ej_fail(err, EJ_EXIT_RUN, "out of memory");
	}
	*state = se;
	return 0;
}

/* Room for 'need' returns. */
static int sim_eval_reserve(sim_eval *se, size_t need, ej_err *err)
{
	float *grown;

	if (se->returns && se->cap >= need)
		return 0;
	if (!(grown = realloc(se->returns, need * sizeof(float))))
		return ej_fail(err, EJ_EXIT_RUN, "out of memory");
	se->returns = grown;
	se->cap = need;
	return 0;
}

/* out[i] = mean of the rep values x[i * rep ...] (summed in double). */
static void sim_eval_mean(const float *x, size_t n, size_t rep, float *out)
{
	for (size_t i = 0; i < n; i++) {
		double sum = 0.0;

		for (size_t r = 0; r < rep; r++)
			sum += x[i * rep + r];
		out[i] = (float)(sum / (double)rep);
	}
}

/* The caller's normalizer groups as the sim's, updated when the
 * experiment normalizes; NULL norms: the sim's own normalizer. */
static int sim_eval_groups(sim_eval *se, const eval_norm *norms,
			   size_t n_norms, size_t n, bool update, ej_err *err)
{
	eval_norm own = { .n = n, .obs_params = se->sim->obs_params };

	if (!norms) {
		norms = &own;
		n_norms = 1;
	}
	if (se->cap_groups < n_norms) {
		sim_norm *g = realloc(se->groups, n_norms * sizeof(*g));

		if (!g)
			return ej_fail(err, EJ_EXIT_RUN, "out of memory");
		se->groups = g;
		se->cap_groups = n_norms;
	}
	for (size_t g = 0; g < n_norms; g++)
		se->groups[g] = (sim_norm){ .n = norms[g].n,
					    .obs_params = norms[g].obs_params,
					    .update = update && !norms[g].defer,
					    .keep = update && norms[g].defer };
	return (int)n_norms;
}

static int sim_eval_evaluate(void *state, const float *params, size_t n,
			     uint32_t iter, const eval_norm *norms,
			     size_t n_norms, float *fitness, float *bd,
			     eval_stats *st, ej_err *err)
{
	sim_eval *se = state;
	const trainer_cfg *c = &se->e->trainer;
	size_t rep = (size_t)c->n_repeats;
	int ng = sim_eval_groups(se, norms, n_norms, n, c->normalize_obs, err);

	(void)bd;
	if (ng < 0 || sim_eval_reserve(se, n * rep, err) < 0 ||
	    sim_rollout_norm(se->sim, params, n, (uint32_t)se->e->seed,
			     PH_PURPOSE_RESET, iter, 0, rep, se->groups,
			     (size_t)ng, se->returns, err) < 0)
		return -1;
	sim_eval_mean(se->returns, n, rep, fitness);
	st->kernel_s = se->sim->kernel_seconds;
	st->env_steps = se->sim->env_steps;
	return 0;
}

/* n_evaluations episodes with their own reset keys, each the mean of
 * test_n_repeats repeats (EvoJAX test_n_repeats).  In worlds of DISTINCT
 * agents every agent runs the tested parameters (EvoJAX's multi-agent
 * test: copies of the best) and an episode scores the mean over agents. */
static int sim_eval_test(void *state, const float *params,
			 const double *obs_params, uint32_t iter,
			 float *scores, size_t *n, ej_err *err)
{
	sim_eval *se = state;
	const trainer_cfg *c = &se->e->trainer;
	const task_dims *d = &se->sim->dims;
	size_t n_eval = (size_t)c->n_evaluations;
	size_t rep = (size_t)c->test_n_repeats, len = n_eval * rep;
	size_t A = d->agent_map == TASK_AGENTS_DISTINCT ? (size_t)d->n_agents : 1;
	size_t P = se->sim->param_count;
	float *copies = NULL;
	const float *w = params;
	int rc;

	if (A > 1) {
		if (!(copies = malloc(A * P * sizeof(float))))
			return ej_fail(err, EJ_EXIT_RUN, "out of memory");
		for (size_t a = 0; a < A; a++)
			memcpy(copies + a * P, params, P * sizeof(float));
		w = copies;
	}
	memcpy(se->test_norm, obs_params ? obs_params : se->sim->obs_params,
	       sim_obs_params_size(se->sim) * sizeof(double));
	rc = sim_eval_reserve(se, A * len, err);
	if (rc == 0) {
		sim_norm one = { .n = A, .obs_params = se->test_norm };

		rc = sim_rollout_norm(se->sim, w, A, (uint32_t)se->e->seed,
				      PH_PURPOSE_TEST_RESET, iter, 0, len,
				      &one, 1, se->returns, err);
	}
	free(copies);
	if (rc < 0)
		return -1;
	for (size_t i = 0; i < n_eval; i++) {
		double sum = 0.0;

		for (size_t a = 0; a < A; a++)
			for (size_t r = 0; r < rep; r++)
				sum += se->returns[a * len + i * rep + r];
		scores[i] = (float)(sum / (double)(rep * A));
	}
	*n = n_eval;
	return 0;
}

static size_t sim_eval_param_count(const void *state)
{
	return ((const sim_eval *)state)->sim->param_count;
}

static size_t sim_eval_test_count(const void *state)
{
	return (size_t)((const sim_eval *)state)->e->trainer.n_evaluations;
}

static void sim_eval_describe(const void *state, char *buf, size_t size)
{
	const sim_eval *se = state;

	snprintf(buf, size, "task %s, policy %s (%zu parameters), %d repeats, lanes %d",
		 se->e->task->name, se->e->policy->name, se->sim->param_count,
		 se->e->trainer.n_repeats, se->sim->lanes);
}

static int sim_eval_lanes(const void *state)
{
	return ((const sim_eval *)state)->sim->lanes;
}

static size_t sim_eval_obs_size(const void *state)
{
	return sim_obs_params_size(((const sim_eval *)state)->sim);
}

static size_t sim_eval_obs_rows(const void *state, size_t g,
				const float **rows)
{
	return sim_last_obs_rows(((const sim_eval *)state)->sim, g, rows);
}

/* The members of a world of distinct agents share one call. */
static size_t sim_eval_granule(const void *state)
{
	const task_dims *d = &((const sim_eval *)state)->sim->dims;

	return d->agent_map == TASK_AGENTS_DISTINCT ? (size_t)d->n_agents : 1;
}

const eval_ops sim_eval_ops = {
	.name = "rollout",
	.create = sim_eval_create,
	.param_count = sim_eval_param_count,
	.test_count = sim_eval_test_count,
	.evaluate = sim_eval_evaluate,
	.test = sim_eval_test,
	.describe = sim_eval_describe,
	.lanes = sim_eval_lanes,
	.free = sim_eval_free,
	.obs_params_size = sim_eval_obs_size,
	.obs_rows = sim_eval_obs_rows,
	.granule = sim_eval_granule,
};
