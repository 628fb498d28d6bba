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

typedef struct task_dims {
	int obs_dim;
	int act_dim;
	int state_dim;
	int max_steps;
} task_dims;

enum task_kind {
	TASK_EPISODIC, /* episodes of a policy: task .cl per the cartpole contract */
	TASK_DIRECT,   /* fitness is a function of the parameter vector itself;
			  no policy ('policy' section not used) */
	TASK_SUPERVISED, /* image classification on an IDX data set: the
			    policy is evaluated on image batches as batched
			    GEMMs (core/superv.h); cl_file unused */
	TASK_SEQ2SEQ,    /* token sequence to token sequence (tasks/seq2seq.h):
			    an encoder-decoder policy evaluated on query
			    batches by core/s2s.h; cl_file unused */
};

typedef struct task_ops {
	const char *name;
	const char *summary;
	const cfg_field *fields; /* schema of the 'task' section, minus "name" */
	size_t n_fields;
	size_t cfg_size;
	const char *cl_file;     /* "tasks/cartpole.cl" */
	void (*dims)(const void *cfg, task_dims *out);
	/* Extra "#define X v\n" lines for the device code. */
	void (*defines)(const void *cfg, char *buf, size_t size);

	enum task_kind kind;
	/* TASK_DIRECT only: the parameter count (the problem dimension).
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
