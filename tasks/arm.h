/* arm.h - planar robotic arm as a direct task ("arm") for MAP-Elites:
 * parameters = joint angles, fitness = -variance of the angles, behaviour
 * descriptor = end-effector position in [0,1]^2.  Definitions atop
 * tasks/arm.c. */
#ifndef EJ_ARM_H
#define EJ_ARM_H

#include "tasks/task.h"

typedef struct arm_cfg {
	int joints; /* degrees of freedom = parameter count */
} arm_cfg;

extern const task_ops arm_ops;

/* Host reference in double: returns the fitness (-variance of the angles)
 * of the c->joints parameters x and writes the descriptor to bd. */
double arm_ref(const arm_cfg *c, const float *x, float bd[2]);

#endif
