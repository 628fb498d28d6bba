/* bench_peak - the device's fp32 FMA peak through OpenCL (make bench): the
 * ceiling the rollout, ConvNet and LSTM figures are measured against.
 * Work-items = 64 per compute unit, each 8 independent float16 FMA chains
 * (tests/bench_peak.cl); 2 FLOP per lane per FMA; best of 5 launches. */
#include <stdio.h>
#include <stdlib.h>

#include "core/eval.h"
#include "opencl/clrt.h"
#include "opencl/clsrc.h"

int main(void)
{
	enum { ITERS = 400000, ROUNDS = 5 };
	ej_err err = { 0 };
	clrt *rt = clrt_create("auto", &err);
	const char *files[] = { "tests/bench_peak.cl" };
	cl_program prog;
	cl_kernel k = NULL;
	cl_mem out = NULL;
	size_t items;
	double best = 1e30;
	int rc = 1;

	if (!rt)
		goto fail;
	items = 64 * (size_t)clrt_compute_units(rt);
	if (!(prog = clsrc_build(rt, "peak", NULL, files, 1, NULL, &err)) ||
	    !(k = clrt_kernel(rt, prog, "peak", &err)) ||
	    !(out = clrt_alloc(rt, NULL, items * sizeof(float), CL_MEM_WRITE_ONLY,
			       &err)) ||
	    clrt_args(k, &err, "muff", out, (unsigned)ITERS, 0.999f,
		      1e-3f) < 0)
		goto fail;
	for (int r = 0; r < ROUNDS; r++) {
		double t0 = eval_now(), dt;

		if (clrt_launch(rt, k, items, 0, &err) < 0 ||
		    clrt_finish(rt, &err) < 0)
			goto fail;
		dt = eval_now() - t0;
		best = dt < best ? dt : best;
	}
	printf("device: %s\n", clrt_device_name(rt));
	printf("fp32 FMA peak (OpenCL, %zu work-items x 8 float16 chains): %.1f GFLOP/s\n",
	       items, (double)items * ITERS * 8 * 16 * 2 / best / 1e9);
	rc = 0;
fail:
	if (rc)
		fprintf(stderr, "bench_peak: %s\n", err.msg);
	if (out)
		clReleaseMemObject(out);
	if (k)
		clReleaseKernel(k);
	clrt_free(rt);
	return rc;
}
