#include "core/noisedev.h"

#include <stdlib.h>
#include <string.h>

#include "opencl/clsrc.h"

struct noisedev {
	clrt *rt;        /* borrowed */
	bool always;
	cl_kernel kernel;
	cl_mem buf;      /* (cap) floats */
	size_t cap;
};

int nd_create(clrt *rt, const char *mode, noisedev **out, ej_err *err)
{
	static const char *const files[] = { "opencl/philox.h",
					     "opencl/noise.cl" };
	noisedev *nd;
	cl_program prog;

	/* On a CPU device the kernel runs on the very cores the host would
	 * use, and measured slower (make bench): auto keeps the host path. */
	*out = NULL;
	if (!strcmp(mode, "off") ||
	    (!strcmp(mode, "auto") &&
	     (clrt_device_type(rt) & CL_DEVICE_TYPE_CPU)))
		return 0;
	if (!(nd = calloc(1, sizeof(*nd))))
		return ej_fail(err, EJ_EXIT_RUN, "out of memory");
	nd->rt = rt;
	nd->always = !strcmp(mode, "on");
	prog = clsrc_build(rt, "noise", NULL, files, 2, "", err);
	if (!prog || !(nd->kernel = clrt_kernel(rt, prog, "noise_rows", err))) {
		nd_free(nd);
		return -1;
	}
	*out = nd;
	return 0;
}

void nd_free(noisedev *nd)
{
	if (!nd)
		return;
	if (nd->kernel)
		clReleaseKernel(nd->kernel);
	if (nd->buf)
		clReleaseMemObject(nd->buf);
	free(nd);
}

bool nd_wants(const noisedev *nd, size_t n)
{
	return nd && (nd->always || n >= ND_AUTO_MIN);
}

int nd_rows(noisedev *nd, float *out, size_t rows, size_t P, uint32_t seed,
	    uint32_t it, ej_err *err)
{
	size_t n = rows * P, items = rows * ((P + 3) / 4);

	if (n == 0)
		return 0;
	if (nd->cap < n) {
		if (nd->buf)
			clReleaseMemObject(nd->buf);
		nd->cap = 0;
		if (!(nd->buf = clrt_alloc(nd->rt, n * sizeof(float),
					   CL_MEM_WRITE_ONLY, err)))
			return -1;
		nd->cap = n;
	}
	if (clrt_args(nd->kernel, err, "muuuu", nd->buf, seed, it,
		      (unsigned)rows, (unsigned)P) < 0 ||
	    clrt_launch(nd->rt, nd->kernel, items, 0, err) < 0 ||
	    clrt_read(nd->rt, nd->buf, 0, n * sizeof(float), out, err) < 0)
		return -1;
	return 0;
}
