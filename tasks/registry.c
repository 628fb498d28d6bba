/* Task registry.  To add a task: write tasks/<name>.c (a task_ops) and
 * tasks/<name>.cl (device code), declare its ops in its header and add one
 * line below.  tests/test_registry.c checks names are unique. */
#include <string.h>

#include "tasks/arm.h"
#include "tasks/cartpole.h"
#include "tasks/flocking.h"
#include "tasks/function.h"
#include "tasks/mdkp.h"
#include "tasks/mnist.h"
#include "tasks/seq2seq.h"
#include "tasks/slimevolley.h"
#include "tasks/waterworld.h"
#include "tasks/waterworld_ma.h"

const task_ops *const task_registry[] = {
	&cartpole_ops,
	&function_ops,
	&arm_ops,
	&mdkp_ops,
	&mnist_ops,
	&seq2seq_task_ops,
	&slimevolley_ops,
	&waterworld_ops,
	&flocking_ops,
	&waterworld_ma_ops,
	NULL,
};

const task_ops *task_find(const char *name)
{
	for (const task_ops *const *t = task_registry; *t; t++)
		if (strcmp((*t)->name, name) == 0)
			return *t;
	return NULL;
}
