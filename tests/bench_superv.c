/* bench_superv - population evaluation on image batches (the image task):
 * pop 64 x 1024 images of 28x28 per iteration, MLP 784-64-10 (CLBlast
 * GEMMs) and the EvoJAX MNIST ConvNet (conv 5x5x8, pool, conv 5x5x16,
 * pool, dense 10), on random images.  Prints images/s (member-images per
 * second) and GFLOP/s (2 x multiply-adds of the forward pass). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <clblast_c.h>

#include "core/superv.h"
#include "opencl/clrt.h"
#include "opencl/philox.h"
#include "policies/convnet.h"
#include "policies/mlp.h"

enum { N = 4096, SIDE = 28, CLASSES = 10, POP = 64, BATCH = 1024 };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void bench(clrt *rt, const idx_set *set, const policy_ops *pol,
		  const void *cfg, double flop_per_image, int rounds)
{
	ej_err err = { 0 };
	superv *s = superv_create(rt, set, set, pol, cfg, BATCH, 1, &err);
	float *params, fit[POP];
	size_t P;
	double best = 1e30;

	if (!s) {
		printf("  %s: %s\n", pol->name, err.msg);
		return;
	}
	P = superv_param_count(s);
	params = malloc(POP * P * sizeof(float));
	for (size_t i = 0; i < POP * P; i++) {
		ph_out w = ph_draw(3, PH_PURPOSE_INIT, 0, 0, 0, (unsigned)i);

		params[i] = (ph_uniform(w.v[0]) - 0.5f) * 0.1f;
	}
	for (int r = 0; r < rounds; r++) {
		double t0 = now();

		if (superv_train_eval(s, params, POP, (unsigned)r, fit, &err) < 0) {
			printf("  %s: %s\n", pol->name, err.msg);
			break;
		}
		if (now() - t0 < best)
			best = now() - t0;
	}
	printf("image task, %s (P=%zu), pop %d x %d images of %dx%d: %.3f s/iteration, "
	       "%.0f images/s, %.2f GFLOP/s\n",
	       pol->name, P, POP, BATCH, SIDE, SIDE, best,
	       (double)POP * BATCH / best,
	       flop_per_image * POP * BATCH / best / 1e9);
	free(params);
	superv_free(s);
}

/* The alternative measured for the ConvNet: CLBlast's im2col + GEMM
 * (Sconvgemm) on the second conv layer of ONE member (the weights are
 * shared across its batch): 1024 images 8x14x14 (NCHW), 16 kernels 5x5,
 * SAME padding.  The fused kernel does all layers of 64 members. */
static void bench_convgemm(clrt *rt)
{
	const size_t n = BATCH, c = 8, h = 14, k = 5, co = 16;
	const double flop = 2.0 * n * h * h * co * c * k * k;
	size_t nim = n * c * h * h, nk = co * c * k * k, nout = n * co * h * h;
	float *buf = calloc(nim, sizeof(float));
	cl_mem im = NULL, kern = NULL, out = NULL;
	cl_command_queue q = clrt_queue(rt);
	ej_err err = { 0 };
	double best = 1e30;

	for (size_t i = 0; buf && i < nim; i++)
		buf[i] = (float)(i % 13) * 0.01f;
	if (!buf || !(im = clrt_alloc(rt, NULL, nim * sizeof(float), CL_MEM_READ_ONLY, &err)) ||
	    !(kern = clrt_alloc(rt, NULL, nk * sizeof(float), CL_MEM_READ_ONLY, &err)) ||
	    !(out = clrt_alloc(rt, NULL, nout * sizeof(float), CL_MEM_READ_WRITE, &err)) ||
	    clrt_write(rt, im, 0, nim * sizeof(float), buf, &err) < 0 ||
	    clrt_write(rt, kern, 0, nk * sizeof(float), buf, &err) < 0) {
		printf("  convgemm: %s\n", err.msg);
		goto out;
	}
	for (int r = 0; r < 3; r++) { /* round 0 compiles CLBlast's kernels */
		double t0 = now();
		CLBlastStatusCode st = CLBlastSconvgemm(
			CLBlastKernelModeCrossCorrelation, c, h, h, k, k, 2, 2, 1, 1,
			1, 1, co, n, im, 0, kern, 0, out, 0, &q, NULL);

		if (st != CLBlastSuccess || clrt_finish(rt, &err) < 0) {
			printf("  convgemm: CLBlastSconvgemm failed: status %d\n", (int)st);
			goto out;
		}
		if (r > 0 && now() - t0 < best)
			best = now() - t0;
	}
	printf("CLBlast Sconvgemm, conv 5x5 8->16 on %zu images 14x14 (one member): "
	       "%.3f s, %.2f GFLOP/s\n", n, best, flop / best / 1e9);
out:
	if (im)
		clReleaseMemObject(im);
	if (kern)
		clReleaseMemObject(kern);
	if (out)
		clReleaseMemObject(out);
	free(buf);
}

int main(void)
{
	ej_err err = { 0 };
	clrt *rt = clrt_create("auto", &err);
	idx_set set = { .n = N, .rows = SIDE, .cols = SIDE, .n_classes = CLASSES };
	mlp_cfg mlp = { .hidden = { 1, { 64 } }, .output = "linear" };
	convnet_cfg conv = { .channels = { 2, { 8, 16 } }, .kernel = 5 };
	/* conv1 28x28x8x25, conv2 14x14x16x(25x8), dense 784x10 (MACs x 2) */
	const double conv_flop = 2.0 * (28 * 28 * 8 * 25 + 14 * 14 * 16 * 200 + 784 * 10);
	const double mlp_flop = 2.0 * (784 * 64 + 64 * 10);

	if (!rt) {
		fprintf(stderr, "bench_superv: %s\n", err.msg);
		return 3;
	}
	set.images = malloc((size_t)N * SIDE * SIDE);
	set.labels = malloc(N);
	for (size_t i = 0; i < (size_t)N * SIDE * SIDE; i++)
		set.images[i] = (uint8_t)(ph_draw(4, PH_PURPOSE_DATA, 0, 0, 0,
						  (unsigned)i).v[0] & 255);
	for (size_t i = 0; i < N; i++)
		set.labels[i] = (uint8_t)(i % CLASSES);
	bench(rt, &set, &mlp_ops, &mlp, mlp_flop, 3);
	bench(rt, &set, &convnet_ops, &conv, conv_flop, 1);
	bench_convgemm(rt);
	free(set.images);
	free(set.labels);
	clrt_free(rt);
	return 0;
}
