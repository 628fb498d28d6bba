/* task.h - the task interface: an ops table per vectorized task.  Adding a
 * task = one .c/.cl pair in tasks/ and one line in tasks/registry.c.
 *
 * Episodic device code (the .cl file named by cl_file) follows the
 * contract at the top of core/rollout.cl, on VL lanes (VF, core/lanes.cl):
 *   void task_reset(float *s, uint seed, uint purpose, uint iter,
 *                   uint member, uint repeat)         scalar, one environment
 *   void task_obs(const VF *s, VF *obs)               obs (N_AGENTS, OBS)
 *   void task_step(VF *s, const VF *act, VF *reward, VF *done,
 *                  const ph_step_ctr *ctr)            act (N_AGENTS, ACT),
 *                                                     reward (N_AGENTS)
 * plus, for TASK_AGENTS_OPPONENT, task_opponent_reset / task_opponent.
 * Its sizes come from dims() alone: core/sim.c defines TASK_OBS_DIM,
 * TASK_ACT_DIM, TASK_STATE_DIM, TASK_N_AGENTS, TASK_AGENT_MAP and
 * TASK_OPP_STATE_DIM from them; the .cl file must not define them (the
 * build fails if it does).
 */
#ifndef EJ_TASK_H
#define EJ_TASK_H

#include <stddef.h>

#include "core/cfg.h"
#include "core/err.h"
#include "opencl/philox.h"

struct eval_ops;
typedef struct _cairo cairo_t; /* <cairo.h>; only draw() functions use it */

/* Which members drive the agents of a multi-agent environment ("world";
 * core/rollout.cl, contract item c).  All coincide for one agent. */
enum task_agent_map {
	TASK_AGENTS_SHARED,   /* one member drives every agent of its world;
				 its return is the mean over the agents of
				 their reward sums (default) */
	TASK_AGENTS_DISTINCT, /* n_agents consecutive members share a world,
				 member w*n_agents + a drives agent a and
				 gets agent a's reward sum; the population
				 must be a multiple of n_agents */
	TASK_AGENTS_OPPONENT, /* the member drives agent 0 and gets its
				 reward sum; the task's own opponent policy
				 (task_opponent) drives agents 1.. */
};

typedef struct task_dims {
	int obs_dim;       /* per agent */
	int act_dim;       /* per agent */
	int state_dim;     /* per environment (all its agents) */
	int max_steps;
	int n_agents;      /* agents per environment, >= 1 */
	enum task_agent_map agent_map;
	int opp_state_dim; /* TASK_AGENTS_OPPONENT: state floats per opponent */
} task_dims;


/* Data a direct task loads once (task_ops.direct_data): core/direct.c
 * uploads 'data' to the device once and passes it to task_direct. */
typedef struct task_data {
	size_t n_params;    /* the parameter count (direct_dim is not used) */
	float *data;        /* (n_data), n_data >= 1; malloc'd, the caller
			       frees it */
	size_t n_data;
	char defines[1024]; /* "#define X v\n" lines the device code needs */
	char summary[256];  /* one line for the run banner ("2000 items, ...") */
} task_data;

/* The host side of an episodic task (task_ops.host; optional): its host
 * reference, the same arithmetic as its device code on one world, and a
 * drawing of a world.  `evojax render` (core/render.c) runs the
 * evaluator's test episodes with it (core/episode.c, in core/rollout.cl's
 * order) and draws every K-th state; a task without it, or without draw,
 * cannot be rendered (exit 2).  The shapes are the device contract's
 * (task_dims): s (state_dim), obs (n_agents, obs_dim), act (n_agents,
 * act_dim), reward (n_agents), os (opp_state_dim).
 *
 * To make a task renderable: point .host at a task_host_ops with its host
 * reference in these slots and a draw function in tasks/<name>_draw.c,
 * the one file of the task that includes <cairo.h> (tasks/cartpole_draw.c
 * is the example).  draw paints the whole w x h rectangle at the origin
 * of cr (y down, in pixels): background, then the world s; the renderer
 * writes the caption (episode, step, return) above it and sets nothing
 * else on cr.  Colours are best kept few and flat: frames are quantized
 * to a fixed 256-colour palette (core/gif.h). */
typedef struct task_host_ops {
	void (*reset)(const void *cfg, float *s, unsigned seed,
		      unsigned purpose, unsigned iter, unsigned member,
		      unsigned repeat);
	void (*obs)(const void *cfg, const float *s, float *obs);
	void (*step)(const void *cfg, float *s, const float *act,
		     float *reward, float *done, const ph_step_ctr *ctr);
	/* TASK_AGENTS_OPPONENT only (else NULL): the opponent of agent
	 * 'agent' (>= 1) on its raw observation row */
	void (*opp_reset)(const void *cfg, float *os, int agent);
	void (*opponent)(const void *cfg, float *os, const float *obs,
			 float *act, int agent, const ph_step_ctr *ctr);
	void (*draw)(const void *cfg, cairo_t *cr, const float *s, int w,
		     int h);
	double step_seconds; /* simulated seconds per step (frame timing) */
	int width, height;   /* default size of draw's picture, pixels */
} task_host_ops;

typedef struct task_ops {
	const char *name;
	const char *summary;
	const cfg_field *fields; /* schema of the 'task' section, minus "name" */
	size_t n_fields;
	size_t cfg_size;
	const char *cl_file;     /* the task's own device code,
				    "tasks/cartpole.cl"; NULL when it has
				    none (sim_eval_ops and direct_eval_ops
				    need one) */
	const char *cl_lib;      /* device code cl_file builds on, loaded
				    just before it (code shared by
				    tasks), or NULL */
	/* Sizes; called through task_get_dims, which fills the defaults
	 * (one agent, TASK_AGENTS_SHARED) first, so single-agent tasks set
	 * obs_dim, act_dim, state_dim and max_steps only. */
	void (*dims)(const void *cfg, task_dims *out);
	/* Extra "#define X v\n" lines for the device code. */
	void (*defines)(const void *cfg, char *buf, size_t size);

	/* The evaluator that runs the task (core/eval.h): sim_eval_ops for
	 * episodic tasks (cl_file per the cartpole contract),
	 * direct_eval_ops for functions of the parameter vector, or the
	 * task's own. */
	const struct eval_ops *eval;
	/* What the task needs of its policy, a mask of enum policy_cap
	 * (policies/policy.h); 0: the task takes no policy. */
	unsigned policy_caps;
	/* direct_eval_ops only: the parameter count (the problem dimension).
	 * Device code (cl_file) defines
	 *   float task_direct(const __global float *x, uint n, float *bd)
	 * returning the fitness (maximized) of one parameter vector and
	 * writing TASK_N_BD behaviour descriptors to bd. */
	size_t (*direct_dim)(const void *cfg);
	/* direct_eval_ops only, optional (NULL: the task has no data and its
	 * parameter count is direct_dim): load the task's data (a problem
	 * instance) when the evaluator is created; errors as the task's
	 * config errors.  The device code is then built with
	 * TASK_DIRECT_DATA defined and out->defines appended, and defines
	 *   float task_direct(const __global float *x, uint n, float *bd,
	 *                     const __global float *data)
	 * instead. */
	int (*direct_data)(const void *cfg, task_data *out, ej_err *err);
	/* Behaviour descriptors (MAP-Elites): count and bounds; n_bd 0 and
	 * NULL when the task has none. */
	int n_bd;
	void (*bd_bounds)(const void *cfg, float *lo, float *hi);
	/* Episodic tasks, optional: the host reference and drawing (above);
	 * NULL: the task cannot be rendered. */
	const task_host_ops *host;
	/* The task configuration of its test episodes where it differs from
	 * the training one (NULL: the same): out (cfg_size bytes) receives
	 * cfg, changed.  SlimeVolley's self-play trains members against each
	 * other but tests, and renders, against the built-in baseline. */
	void (*test_cfg)(const void *cfg, void *out);
} task_ops;

static inline void task_get_dims(const task_ops *t, const void *cfg,
				 task_dims *out)
{
	*out = (task_dims){ .n_agents = 1, .agent_map = TASK_AGENTS_SHARED };
	t->dims(cfg, out);
}

extern const task_ops *const task_registry[]; /* NULL-terminated */
const task_ops *task_find(const char *name);

#endif
