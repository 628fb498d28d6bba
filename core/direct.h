/* direct.h - evaluator for direct tasks (task_ops.eval == &direct_eval_ops):
 * fitness = task_direct(params) per member on the device (core/direct.cl),
 * plus behaviour descriptors when the task has them.  The counterpart of
 * core/sim.h for tasks without episodes or policies. */
#ifndef EJ_DIRECT_H
#define EJ_DIRECT_H

#include <stddef.h>

#include "core/err.h"
#include "core/eval.h"
#include "opencl/clrt.h"
#include "tasks/task.h"

typedef struct direct direct;

direct *direct_create(clrt *rt, const task_ops *task, const void *task_cfg,
		      ej_err *err);
void direct_free(direct *d);

size_t direct_param_count(const direct *d);
int direct_n_bd(const direct *d);

/* params: (n, P); fitness: (n); bd: (n, n_bd) or NULL. */
int direct_eval(direct *d, const float *params, size_t n, float *fitness,
		float *bd, ej_err *err);

/* The evaluator of direct tasks (core/eval.h): fitness and behaviour
 * descriptors as direct_eval; the test is one evaluation. */
extern const eval_ops direct_eval_ops;

#endif
