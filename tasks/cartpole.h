/* cartpole.h - CartPoleSwingUp (EvoJAX): host side and host reference. */
#ifndef EJ_CARTPOLE_H
#define EJ_CARTPOLE_H

#include <stdbool.h>

#include "tasks/task.h"

typedef struct cartpole_cfg {
	bool hard;     /* hard reset distribution */
	int max_steps;
} cartpole_cfg;

extern const task_ops cartpole_ops;

/* Host reference, same float arithmetic as tasks/cartpole.cl.
 * s: [x, x_dot, theta, theta_dot]. */
void cartpole_ref_reset(float s[4], bool hard, unsigned seed,
			unsigned purpose, unsigned iter, unsigned member,
			unsigned repeat);
void cartpole_ref_obs(const float s[4], float obs[5]);
void cartpole_ref_step(float s[4], float action, float *reward, float *done);

#endif
