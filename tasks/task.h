/* task.h - the task interface: an ops table per vectorized task.  Adding a
 * task = one .c/.cl pair in tasks/ and one line in tasks/registry.c.
 *
 * Device code (the .cl file named by cl_file) follows the contract at the
 * top of tasks/cartpole.cl: task_reset / task_obs / task_step on VL lanes.
 */
#ifndef EJ_TASK_H
#define EJ_TASK_H

#include <stddef.h>

#include "core/cfg.h"
#include "core/err.h"

struct eval_ops;

typedef struct task_dims {
	int obs_dim;
	int act_dim;
	int state_dim;
	int max_steps;
} task_dims;


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
	/* Behaviour descriptors (MAP-Elites): count and bounds; n_bd 0 and
	 * NULL when the task has none. */
	int n_bd;
	void (*bd_bounds)(const void *cfg, float *lo, float *hi);
} task_ops;

extern const task_ops *const task_registry[]; /* NULL-terminated */
const task_ops *task_find(const char *name);

#endif
