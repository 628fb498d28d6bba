/* bench_superv - population evaluation on image batches (the image task):
 * pop 64 x 1024 images of 28x28 per iteration, MLP 784-64-10 (CLBlast
 * GEMMs) and the EvoJAX MNIST ConvNet (conv 5x5x8, pool, conv 5x5x16,
 * pool, dense 10), on random images.  Prints images/s (member-images per
 * second) and GFLOP/s (2 x multiply-adds of the forward pass). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

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
	superv *s = superv_create_policy(rt, set, set, pol, cfg, BATCH, 1, &err);
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
	free(set.images);
	free(set.labels);
	clrt_free(rt);
	return 0;
}
