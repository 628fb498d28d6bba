#include "core/direct.h"

#include <stdio.h>
#include <stdlib.h>

#include "opencl/clsrc.h"

struct direct {
	clrt *rt;       /* borrowed */
	size_t P;
	int n_bd;
	cl_kernel kernel;
	cl_mem params;  /* (cap_params, P) */
	cl_mem fitness; /* (cap_fitness) */
	cl_mem bd;      /* (cap_bd, max(n_bd, 1)) */
	cl_mem data;    /* (n_data) the task's data (task_ops.direct_data),
			   uploaded once; NULL when it has none */
	char summary[256]; /* task_data.summary; "" when none */
	size_t cap_params, cap_fitness, cap_bd; /* in members */
};

static int direct_build(direct *d, const task_ops *task, const void *cfg,
			const task_data *td, ej_err *err)
{
	const char *files[] = { "opencl/philox.h", task->cl_file,
				"core/direct.cl" };
	char defs[2560], tdefs[1024];
	cl_program prog;

	task->defines(cfg, tdefs, sizeof(tdefs));
	snprintf(defs, sizeof(defs), "#define TASK_N_BD %d\n%s%s%s", d->n_bd,
		 tdefs, td ? "#define TASK_DIRECT_DATA 1\n" : "",
		 td ? td->defines : "");
	prog = clsrc_build(d->rt, task->name, defs, files,
			   sizeof(files) / sizeof(files[0]), "-w", err);
	if (!prog || !(d->kernel = clrt_kernel(d->rt, prog, "direct_eval", err)))
		return -1;
	return 0;
}

/* The task's data (task_ops.direct_data): loaded, built into the program's
 * defines and uploaded once. */
static int direct_load_data(direct *d, const task_ops *task, const void *cfg,
			    ej_err *err)
{
	task_data td = { 0 };
	int rc = -1;

	if (task->direct_data(cfg, &td, err) < 0)
		goto out;
	d->P = td.n_params;
	snprintf(d->summary, sizeof(d->summary), "%s", td.summary);
	if (direct_build(d, task, cfg, &td, err) < 0 ||
	    !(d->data = clrt_alloc(d->rt, "task data", td.n_data * sizeof(float),
				   CL_MEM_READ_ONLY, err)) ||
	    clrt_write(d->rt, d->data, 0, td.n_data * sizeof(float), td.data,
		       err) < 0)
		goto out;
	rc = 0;
out:
	free(td.data);
	return rc;
}

direct *direct_create(clrt *rt, const task_ops *task, const void *task_cfg,
		      ej_err *err)
{
	direct *d = calloc(1, sizeof(*d));

	if (!d) {
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
		return NULL;
	}
	d->rt = rt;
	d->n_bd = task->n_bd;
	if (task->direct_data) {
		if (direct_load_data(d, task, task_cfg, err) < 0) {
			direct_free(d);
			return NULL;
		}
		return d;
	}
	d->P = task->direct_dim(task_cfg);
	if (direct_build(d, task, task_cfg, NULL, err) < 0) {
		direct_free(d);
		return NULL;
	}
	return d;
}

void direct_free(direct *d)
{
	if (!d)
		return;
	if (d->kernel)
		clReleaseKernel(d->kernel);
	if (d->params)
		clReleaseMemObject(d->params);
	if (d->fitness)
		clReleaseMemObject(d->fitness);
	if (d->bd)
		clReleaseMemObject(d->bd);
	if (d->data)
		clReleaseMemObject(d->data);
	free(d);
}

size_t direct_param_count(const direct *d) { return d->P; }
int direct_n_bd(const direct *d) { return d->n_bd; }

static int direct_reserve(direct *d, size_t n, ej_err *err)
{
	size_t nb = d->n_bd > 0 ? (size_t)d->n_bd : 1;

	if (clrt_reserve(d->rt, "population parameters", &d->params,
			 &d->cap_params, n,
			 d->P * sizeof(float), CL_MEM_READ_ONLY, err) < 0 ||
	    clrt_reserve(d->rt, "fitness", &d->fitness, &d->cap_fitness, n,
			 sizeof(float),
			 CL_MEM_WRITE_ONLY, err) < 0 ||
	    clrt_reserve(d->rt, "behaviour descriptors", &d->bd, &d->cap_bd,
			 n, nb * sizeof(float),
			 CL_MEM_WRITE_ONLY, err) < 0)
		return -1;
	return 0;
}

int direct_eval(direct *d, const float *params, size_t n, float *fitness,
		float *bd, ej_err *err)
{
	if (n == 0)
		return ej_fail(err, EJ_EXIT_USAGE, "nothing to evaluate");
	if (direct_reserve(d, n, err) < 0 ||
	    clrt_write(d->rt, d->params, 0, n * d->P * sizeof(float), params,
		       err) < 0 ||
	    clrt_args(d->kernel, err, d->data ? "mummm" : "mumm", d->params,
		      (unsigned)d->P, d->fitness, d->bd, d->data) < 0 ||
	    clrt_launch(d->rt, d->kernel, n, 0, err) < 0 ||
	    clrt_read(d->rt, d->fitness, 0, n * sizeof(float), fitness,
		      err) < 0)
		return -1;
	if (bd && d->n_bd > 0 &&
	    clrt_read(d->rt, d->bd, 0, n * (size_t)d->n_bd * sizeof(float), bd,
		      err) < 0)
		return -1;
	return 0;
}

/* ---- the evaluator of direct tasks (core/eval.h) --------------------- */

typedef struct direct_ev {
	direct *d;
	const char *task; /* borrowed name */
} direct_ev;

static void direct_ev_free(void *state)
{
	direct_ev *de = state;

	direct_free(de->d);
	free(de);
}

static int direct_ev_create(void **state, const exp_cfg *e, clrt *rt,
			    ej_err *err)
{
	direct_ev *de = calloc(1, sizeof(*de));

	if (!de)
		return ej_fail(err, EJ_EXIT_RUN, "out of memory");
	de->task = e->task->name;
	if (!(de->d = direct_create(rt, e->task, e->task_cfg, err))) {
		direct_ev_free(de);
		return -1;
	}
	*state = de;
	return 0;
}

static int direct_ev_evaluate(void *state, const float *params, size_t n,
			      uint32_t iter, const eval_norm *norms,
			      size_t n_norms, float *fitness, float *bd,
			      eval_stats *st, ej_err *err)
{
	direct_ev *de = state;
	double t0 = eval_now();

	(void)norms;
	(void)n_norms;
	(void)iter;
	if (direct_eval(de->d, params, n, fitness, bd, err) < 0)
		return -1;
	st->kernel_s = eval_now() - t0;
	return 0;
}

/* Deterministic: one evaluation is the test. */
static int direct_ev_test(void *state, const float *params,
		const double *obs_params, uint32_t iter, float *scores,
		size_t *n, ej_err *err)
{
	(void)obs_params;
	(void)iter;
	*n = 1;
	return direct_eval(((direct_ev *)state)->d, params, 1, scores, NULL,
			   err);
}

static size_t direct_ev_param_count(const void *state)
{
	return ((const direct_ev *)state)->d->P;
}

static void direct_ev_describe(const void *state, char *buf, size_t size)
{
	const direct_ev *de = state;

	snprintf(buf, size, "task %s (%zu parameters, evaluated directly%s%s)",
		 de->task, de->d->P, de->d->summary[0] ? "; " : "",
		 de->d->summary);
}

const eval_ops direct_eval_ops = {
	.name = "direct",
	.create = direct_ev_create,
	.param_count = direct_ev_param_count,
	.evaluate = direct_ev_evaluate,
	.test = direct_ev_test,
	.describe = direct_ev_describe,
	.free = direct_ev_free,
};
