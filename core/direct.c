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
	size_t cap_params, cap_fitness, cap_bd; /* in members */
};

static int direct_build(direct *d, const task_ops *task, const void *cfg,
			ej_err *err)
{
	const char *files[] = { "opencl/philox.h", task->cl_file,
				"core/direct.cl" };
	char defs[2048], tdefs[1024];
	cl_program prog;

	task->defines(cfg, tdefs, sizeof(tdefs));
	snprintf(defs, sizeof(defs), "#define TASK_N_BD %d\n%s", d->n_bd,
		 tdefs);
	prog = clsrc_build(d->rt, task->name, defs, files,
			   sizeof(files) / sizeof(files[0]), "-w", err);
	if (!prog || !(d->kernel = clrt_kernel(d->rt, prog, "direct_eval", err)))
		return -1;
	return 0;
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
	d->P = task->direct_dim(task_cfg);
	d->n_bd = task->n_bd;
	if (direct_build(d, task, task_cfg, err) < 0) {
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
	free(d);
}

size_t direct_param_count(const direct *d) { return d->P; }
int direct_n_bd(const direct *d) { return d->n_bd; }

static int direct_reserve(direct *d, size_t n, ej_err *err)
{
	size_t nb = d->n_bd > 0 ? (size_t)d->n_bd : 1;

	if (clrt_reserve(d->rt, &d->params, &d->cap_params, n,
			 d->P * sizeof(float), CL_MEM_READ_ONLY, err) < 0 ||
	    clrt_reserve(d->rt, &d->fitness, &d->cap_fitness, n, sizeof(float),
			 CL_MEM_WRITE_ONLY, err) < 0 ||
	    clrt_reserve(d->rt, &d->bd, &d->cap_bd, n, nb * sizeof(float),
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
	    clrt_args(d->kernel, err, "mumm", d->params, (unsigned)d->P,
		      d->fitness, d->bd) < 0 ||
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
