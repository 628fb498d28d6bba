/* cartpole.h - CartPoleSwingUp (EvoJAX): host side and host reference. */
#ifndef EJ_CARTPOLE_H
#define EJ_CARTPOLE_H

#include <stdbool.h>

#include "tasks/task.h"

typedef struct cartpole_cfg {
	bool hard;        /* hard reset distribution */
	int max_steps;
	bool shuffle_obs; /* observation order permuted per episode */
} cartpole_cfg;

#define CARTPOLE_OBS_DIM 5

extern const task_ops cartpole_ops;

/* Host reference, same float arithmetic as tasks/cartpole.cl.
 * s: [x, x_dot, theta, theta_dot]. */
void cartpole_ref_reset(float s[4], bool hard, unsigned seed,
			unsigned purpose, unsigned iter, unsigned member,
			unsigned repeat);
void cartpole_ref_obs(const float s[4], float obs[5]);
void cartpole_ref_step(float s[4], float action, float *reward, float *done);
/* shuffle_obs: the episode's observation order, drawn at reset from the
 * episode's second reset draw (index 1; the state uses index 0) by
 * Fisher-Yates: the task shows obs_shuffled[i] = obs[perm[i]]. */
void cartpole_ref_perm(int perm[CARTPOLE_OBS_DIM], unsigned seed,
		       unsigned purpose, unsigned iter, unsigned member,
		       unsigned repeat);
/* Draw a world (s: state as above) on w x h pixels of cr
 * (task_host_ops.draw; tasks/cartpole_draw.c). */
void cartpole_draw(const void *cfg, cairo_t *cr, const float *s, int w,
		   int h);

#endif
