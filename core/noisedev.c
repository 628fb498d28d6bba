#include "core/noisedev.h"

#include <stdlib.h>
#include <string.h>

#include "opencl/clsrc.h"

struct noisedev {
	clrt *rt;        /* borrowed */
	bool always;
	cl_kernel kernel;  /* noise_rows */
	cl_kernel sums;    /* noise_sums */
	cl_mem buf;        /* (cap) floats: the rows last drawn */
	size_t cap;
	size_t rows, P;    /* shape of the last draw */
	cl_mem w[2];       /* (wcap[i]) weights a, b */
	cl_mem out[2];     /* (ocap[i]) sums s1, s2 */
	size_t wcap[2], ocap[2];
	float *hw, *ho;    /* host staging: (2, hwcap), (2, hocap) */
	size_t hwcap, hocap;
};

int nd_create(clrt *rt, const char *mode, noisedev **out, ej_err *err)
{
	static const char *const files[] = { "opencl/philox.h",
					     "core/noisedev.cl" };
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
	if (!prog || !(nd->kernel = clrt_kernel(rt, prog, "noise_rows", err)) ||
	    !(nd->sums = clrt_kernel(rt, prog, "noise_sums", err))) {
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
	if (nd->sums)
		clReleaseKernel(nd->sums);
	if (nd->buf)
		clReleaseMemObject(nd->buf);
	for (int i = 0; i < 2; i++) {
		if (nd->w[i])
			clReleaseMemObject(nd->w[i]);
		if (nd->out[i])
			clReleaseMemObject(nd->out[i]);
	}
	free(nd->hw);
	free(nd->ho);
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
	if (clrt_reserve(nd->rt, "noise", &nd->buf, &nd->cap, n, sizeof(float),
			 CL_MEM_WRITE_ONLY, err) < 0 ||
	    clrt_args(nd->kernel, err, "muuuu", nd->buf, seed, it,
		      (unsigned)rows, (unsigned)P) < 0 ||
	    clrt_launch(nd->rt, nd->kernel, items, 0, err) < 0 ||
	    clrt_read(nd->rt, nd->buf, 0, n * sizeof(float), out, err) < 0)
		return -1;
	nd->rows = rows;
	nd->P = P;
	return 0;
}

/* Grow the host staging *h (2 x n floats, *cap of them). */
static int nd_reserve_host(float **h, size_t *cap, size_t n, ej_err *err)
{
	float *g;

	if (*cap >= n)
		return 0;
	if (!(g = realloc(*h, 2 * n * sizeof(float))))
		return ej_fail(err, EJ_EXIT_RUN, "out of memory");
	*h = g;
	*cap = n;
	return 0;
}

/* Grow the weight (2 x rows) and sum (2 x P) buffers. */
static int nd_reserve(noisedev *nd, size_t rows, size_t P, ej_err *err)
{
	if (nd_reserve_host(&nd->hw, &nd->hwcap, rows, err) < 0 ||
	    nd_reserve_host(&nd->ho, &nd->hocap, P, err) < 0)
		return -1;
	for (int i = 0; i < 2; i++)
		if (clrt_reserve(nd->rt, "noise weights", &nd->w[i], &nd->wcap[i], rows,
				 sizeof(float), CL_MEM_READ_ONLY, err) < 0 ||
		    clrt_reserve(nd->rt, "noise sums", &nd->out[i], &nd->ocap[i], P,
				 sizeof(float), CL_MEM_WRITE_ONLY, err) < 0)
			return -1;
	return 0;
}

int nd_sums(noisedev *nd, const double *a, const double *b, size_t rows,
	    size_t P, double *s1, double *s2, ej_err *err)
{
	const bool with_b = b && s2;

	if (rows != nd->rows || P != nd->P)
		return ej_fail(err, EJ_EXIT_RUN,
			       "noise sums over %zu x %zu, but %zu x %zu rows were drawn",
			       rows, P, nd->rows, nd->P);
	if (nd_reserve(nd, rows, P, err) < 0)
		return -1;
	for (size_t k = 0; k < rows; k++) {
		nd->hw[k] = (float)a[k];
		nd->hw[rows + k] = with_b ? (float)b[k] : 0.0f;
	}
	if (clrt_write(nd->rt, nd->w[0], 0, rows * sizeof(float), nd->hw,
		       err) < 0 ||
	    clrt_write(nd->rt, nd->w[1], 0, rows * sizeof(float),
		       nd->hw + rows, err) < 0 ||
	    clrt_args(nd->sums, err, "mmmmmuuu", nd->buf, nd->w[0], nd->w[1],
		      nd->out[0], nd->out[1], (unsigned)rows, (unsigned)P,
		      with_b ? 1u : 0u) < 0 ||
	    clrt_launch(nd->rt, nd->sums, P, 0, err) < 0 ||
	    clrt_read(nd->rt, nd->out[0], 0, P * sizeof(float), nd->ho,
		      err) < 0 ||
	    (with_b && clrt_read(nd->rt, nd->out[1], 0, P * sizeof(float),
				 nd->ho + P, err) < 0))
		return -1;
	for (size_t j = 0; j < P; j++) {
		s1[j] = nd->ho[j];
		if (with_b)
			s2[j] = nd->ho[P + j];
	}
	return 0;
}
