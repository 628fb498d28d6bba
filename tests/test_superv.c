/* test_superv - supervised classification evaluator (core/superv.c) on
 * small generated data: 6x6 images, 3 classes, class c lights up rows
 * 2c and 2c+1 (plus philox noise everywhere).  Checks the batch sampler,
 * device train fitness vs the host reference (three MLP shapes), test
 * accuracy vs a host argmax, end-to-end learning by a tiny hill-climb,
 * usage errors, and prints the throughput of pop 64 x batch 1024 of a
 * 784 -> [64] -> 10 MLP. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/superv.h"
#include "policies/convnet.h"
#include "policies/mlp_img.h"
#include "opencl/clrt.h"
#include "opencl/philox.h"

#define TU_OPENCL
#include "tests/testutil.h"

#define SIDE 6
#define N_TRAIN 300
#define N_TEST 150
#define SEED 7u

/* n images of side x side; label = index % classes; class c brightens
 * rows 2c, 2c+1 (when they exist) by 150 over noise in [0, 100). */
static idx_set make_set(size_t n, size_t side, int classes, uint32_t salt)
{
	idx_set s = { 0 };

	s.n = n;
	s.rows = s.cols = side;
	s.n_classes = classes;
	s.images = malloc(n * side * side);
	s.labels = malloc(n);
	assert_true(s.images && s.labels);
	for (size_t i = 0; i < n; i++) {
		int c = (int)(i % (size_t)classes);

		s.labels[i] = (uint8_t)c;
		for (size_t p = 0; p < side * side; p++) {
			ph_out w = ph_draw(salt, PH_PURPOSE_TASK, (uint32_t)i,
					   0, 0, (uint32_t)p);
			unsigned v = w.v[0] % 100u;
			size_t r = p / side;

			if (r / 2 == (size_t)c)
				v += 150u;
			s.images[i * side * side + p] = (uint8_t)v;
		}
	}
	return s;
}

static void free_set(idx_set *s)
{
	free(s->images);
	free(s->labels);
}

static mlp_cfg make_mlp(int n, const int *h)
{
	mlp_cfg c = { 0 };

	c.hidden.n = n;
	for (int i = 0; i < n; i++)
		c.hidden.v[i] = h[i];
	snprintf(c.output, sizeof(c.output), "tanh"); /* ignored: logits */
	return c;
}

static size_t expected_P(int in, int n, const int *h, int classes)
{
	size_t P = 0;
	int prev = in;

	for (int i = 0; i <= n; i++) {
		int out = i < n ? h[i] : classes;

		P += (size_t)out + (size_t)prev * (size_t)out;
		prev = out;
	}
	return P;
}

/* ---- batch sampling ---------------------------------------------------- */

static void test_batch_indices(void **state)
{
	uint32_t *a = malloc(N_TRAIN * sizeof(uint32_t));
	uint32_t *b = malloc(N_TRAIN * sizeof(uint32_t));
	unsigned char seen[N_TRAIN];
	size_t same = 0;
	ph_out w0 = ph_draw(SEED, PH_PURPOSE_DATA, 3, 0, 0, 0);

	(void)state;
	superv_sample_batch(SEED, 3, a, N_TRAIN, 64);
	memset(seen, 0, sizeof(seen));
	for (size_t i = 0; i < 64; i++) {
		assert_true(a[i] < N_TRAIN);
		assert_int_equal(seen[a[i]], 0); /* without replacement */
		seen[a[i]] = 1;
	}
	/* the first step by hand: j = (w * 300) >> 32, perm[0] = j */
	assert_int_equal(a[0], (uint32_t)(((uint64_t)w0.v[0] * N_TRAIN) >> 32));
	/* the whole array stays a permutation */
	memset(seen, 0, sizeof(seen));
	for (size_t i = 0; i < N_TRAIN; i++)
		seen[a[i]]++;
	for (size_t i = 0; i < N_TRAIN; i++)
		assert_int_equal(seen[i], 1);
	/* deterministic for (seed, iter) */
	superv_sample_batch(SEED, 3, b, N_TRAIN, 64);
	assert_memory_equal(a, b, 64 * sizeof(uint32_t));
	/* other iteration, other seed: different batches */
	superv_sample_batch(SEED, 4, b, N_TRAIN, 64);
	for (size_t i = 0; i < 64; i++)
		same += a[i] == b[i];
	assert_true(same < 8);
	superv_sample_batch(SEED + 1, 3, b, N_TRAIN, 64);
	same = 0;
	for (size_t i = 0; i < 64; i++)
		same += a[i] == b[i];
	assert_true(same < 8);
	/* batch == n: a full permutation, every index exactly once */
	superv_sample_batch(SEED, 9, b, N_TRAIN, N_TRAIN);
	memset(seen, 0, sizeof(seen));
	for (size_t i = 0; i < N_TRAIN; i++)
		seen[b[i]]++;
	for (size_t i = 0; i < N_TRAIN; i++)
		assert_int_equal(seen[i], 1);
	free(a);
	free(b);
}

/* ---- train fitness vs the host reference ------------------------------ */

static void check_train(int nh, const int *h, size_t pop, size_t batch)
{
	idx_set tr = make_set(N_TRAIN, SIDE, 3, 1), te = make_set(N_TEST, SIDE, 3, 2);
	mlp_cfg mlp = make_mlp(nh, h);
	ej_err err = { 0 };
	clrt *rt = tu_rt_open();
	superv *s = superv_create(rt, &tr, &te, &mlp_ops, &mlp, batch, SEED,
				  &err);
	uint32_t *perm = malloc(N_TRAIN * sizeof(uint32_t));
	size_t P;
	float *params, fit[8];
	uint32_t iters[2] = { 0, 5 };

	if (!s)
		fail_msg("%s", err.msg);
	P = superv_param_count(s);
	assert_int_equal(P, expected_P(SIDE * SIDE, nh, h, 3));
	params = tu_random_params(pop * P, 0.5f, 11);
	/* a smaller population first: the buffers must grow correctly */
	assert_int_equal(superv_train_eval(s, params, 2, 0, fit, &err), 0);
	for (int t = 0; t < 2; t++) {
		if (superv_train_eval(s, params, pop, iters[t], fit, &err) < 0)
			fail_msg("%s", err.msg);
		superv_sample_batch(SEED, iters[t], perm, N_TRAIN, batch);
		for (size_t m = 0; m < pop; m++) {
			double ref = mlp_img_ref_loglik(&mlp, SIDE * SIDE, 3,
							params + m * P, tr.images,
							tr.labels, perm, batch);

			assert_true(ref < 0.0);
			if (fabs(fit[m] - ref) > 1e-4 + 1e-4 * fabs(ref))
				fail_msg("iter %u member %zu: device %.7f host %.7f",
					 iters[t], m, fit[m], ref);
		}
		/* members really differ (each uses its own weights) */
		assert_true(fabsf(fit[0] - fit[1]) > 1e-4f);
	}
	free(params);
	free(perm);
	superv_free(s);
	clrt_free(rt);
	free_set(&tr);
	free_set(&te);
}

static void test_train_two_hidden(void **state)
{
	const int h[] = { 16, 8 };

	(void)state;
	check_train(2, h, 5, 64);
}

static void test_train_linear(void **state)
{
	(void)state;
	check_train(0, NULL, 5, 64);
}

static void test_train_one_hidden(void **state)
{
	const int h[] = { 32 };

	(void)state;
	check_train(1, h, 5, 64);
}

/* ---- test accuracy ------------------------------------------------------ */

/* Host argmax accuracy (ties: lowest index). */
static size_t host_correct(const mlp_cfg *mlp, const float *w,
			   const idx_set *te)
{
	mlp_cfg lin = *mlp;
	size_t in = te->rows * te->cols, correct = 0;
	float x[SIDE * SIDE], z[3];

	snprintf(lin.output, sizeof(lin.output), "linear");
	for (size_t i = 0; i < te->n; i++) {
		int arg = 0;

		for (size_t p = 0; p < in; p++)
			x[p] = (float)te->images[i * in + p] / 255.0f;
		mlp_ref_forward(&lin, (int)in, 3, w, x, z);
		for (int j = 1; j < 3; j++)
			if (z[j] > z[arg])
				arg = j;
		correct += arg == te->labels[i];
	}
	return correct;
}

static void test_accuracy_matches_host(void **state)
{
	const int h[] = { 16 };
	idx_set tr = make_set(N_TRAIN, SIDE, 3, 1), te = make_set(N_TEST, SIDE, 3, 2);
	mlp_cfg mlp = make_mlp(1, h);
	ej_err err = { 0 };
	clrt *rt = tu_rt_open();
	superv *s = superv_create(rt, &tr, &te, &mlp_ops, &mlp, 32, SEED, &err);
	int distinct = 0;
	double last = -1.0;

	(void)state;
	assert_non_null(s);
	for (uint32_t k = 0; k < 6; k++) {
		float *w = tu_random_params(superv_param_count(s), 1.0f, 100 + k);
		double acc;
		size_t ref = host_correct(&mlp, w, &te);

		if (superv_test_accuracy(s, w, &acc, &err) < 0)
			fail_msg("%s", err.msg);
		assert_true(acc == (double)ref / N_TEST);
		distinct += acc != last;
		last = acc;
		free(w);
	}
	assert_true(distinct >= 3); /* the parameters matter */
	superv_free(s);
	/* all-zero params: every logit ties and class 0 (the lowest index)
	 * wins; 100 test images hold 34 of class 0, 33 of classes 1 and 2 */
	{
		idx_set te2 = make_set(100, SIDE, 3, 2);
		float *z;
		double acc;

		s = superv_create(rt, &tr, &te2, &mlp_ops, &mlp, 32, SEED, &err);
		assert_non_null(s);
		z = calloc(superv_param_count(s), sizeof(float));
		assert_int_equal(superv_test_accuracy(s, z, &acc, &err), 0);
		assert_true(acc == 0.34);
		free(z);
		free_set(&te2);
	}
	superv_free(s);
	clrt_free(rt);
	free_set(&tr);
	free_set(&te);
}

/* ---- end to end learning ------------------------------------------------ */

/* 30 iterations: 8 candidates = best + N(0, 0.05^2) noise (philox), keep
 * the best of {incumbent, candidates} by train fitness on this
 * iteration's batch.  From all-zero weights (accuracy 1/3). */
static void test_hill_climb_learns(void **state)
{
	const int h[] = { 8 };
	idx_set tr = make_set(N_TRAIN, SIDE, 3, 1), te = make_set(N_TEST, SIDE, 3, 2);
	mlp_cfg mlp = make_mlp(1, h);
	ej_err err = { 0 };
	clrt *rt = tu_rt_open();
	superv *s = superv_create(rt, &tr, &te, &mlp_ops, &mlp, 64, SEED, &err);
	size_t P, K = 9;
	float *pop, fit[9];
	double acc0, acc;

	(void)state;
	assert_non_null(s);
	P = superv_param_count(s);
	pop = calloc(K * P, sizeof(float));
	assert_int_equal(superv_test_accuracy(s, pop, &acc0, &err), 0);
	for (uint32_t it = 0; it < 30; it++) {
		size_t best = 0;

		for (size_t k = 1; k < K; k++)
			for (size_t i = 0; i < P; i += 2) {
				ph_out w = ph_draw(SEED, PH_PURPOSE_NOISE, it,
						   (uint32_t)k, 0, (uint32_t)i);
				float z0, z1;

				ph_normal2(w.v[0], w.v[1], &z0, &z1);
				pop[k * P + i] = pop[i] + 0.05f * z0;
				if (i + 1 < P)
					pop[k * P + i + 1] = pop[i + 1] + 0.05f * z1;
			}
		if (superv_train_eval(s, pop, K, it, fit, &err) < 0)
			fail_msg("%s", err.msg);
		for (size_t k = 1; k < K; k++)
			if (fit[k] > fit[best])
				best = k;
		if (best)
			memcpy(pop, pop + best * P, P * sizeof(float));
	}
	assert_int_equal(superv_test_accuracy(s, pop, &acc, &err), 0);
	print_message("hill-climb: test accuracy %.3f -> %.3f (chance 0.333) "
		      "after 30 x 8 candidates\n", acc0, acc);
	assert_true(acc0 < 0.34);
	assert_true(acc >= 0.8);
	free(pop);
	superv_free(s);
	clrt_free(rt);
	free_set(&tr);
	free_set(&te);
}

/* ---- errors ------------------------------------------------------------- */

static void test_usage_errors(void **state)
{
	idx_set tr = make_set(N_TRAIN, SIDE, 3, 1), te = make_set(N_TEST, SIDE, 3, 2);
	idx_set big = make_set(10, SIDE + 1, 3, 3);
	mlp_cfg mlp = make_mlp(0, NULL);
	ej_err err = { 0 };
	clrt *rt = tu_rt_open();

	(void)state;
	assert_null(superv_create(rt, &tr, &te, &mlp_ops, &mlp, 0, SEED, &err));
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "batch size 0 out of range: must be in "
				     "[1, 300] (the training set size)");
	ej_err_clear(&err);
	assert_null(superv_create(rt, &tr, &te, &mlp_ops, &mlp, N_TRAIN + 1,
				  SEED, &err));
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "batch size 301 out of range: must be in "
				     "[1, 300] (the training set size)");
	ej_err_clear(&err);
	assert_null(superv_create(rt, &tr, &big, &mlp_ops, &mlp, 10, SEED, &err));
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "test images are 7x7 but training images "
				     "are 6x6");
	/* batch == n is allowed */
	ej_err_clear(&err);
	{
		superv *s = superv_create(rt, &tr, &te, &mlp_ops, &mlp, N_TRAIN,
					  SEED, &err);
		float *w = tu_random_params(superv_param_count(s), 0.5f, 3), fit;
		uint32_t *perm = malloc(N_TRAIN * sizeof(uint32_t));
		double ref;

		assert_non_null(s);
		assert_int_equal(superv_train_eval(s, w, 0, 0, &fit, &err), -1);
		assert_int_equal(err.code, EJ_EXIT_USAGE);
		assert_int_equal(superv_train_eval(s, w, 1, 2, &fit, &err), 0);
		superv_sample_batch(SEED, 2, perm, N_TRAIN, N_TRAIN);
		ref = mlp_img_ref_loglik(&mlp, SIDE * SIDE, 3, w, tr.images,
					 tr.labels, perm, N_TRAIN);
		assert_true(fabs(fit - ref) <= 1e-4 + 1e-4 * fabs(ref));
		free(perm);
		free(w);
		superv_free(s);
	}
	clrt_free(rt);
	free_set(&tr);
	free_set(&te);
	free_set(&big);
}

/* A CLBlast status that is OpenCL's out-of-memory code reads as every
 * device out of memory (clrt_fail_on); CLBlast's own codes keep theirs. */
static void test_blas_fail(void **state)
{
	ej_err err = { 0 };
	clrt *rt = tu_rt_open();
	char want[512];

	(void)state;
	assert_int_equal(superv_blas_fail(rt, CL_MEM_OBJECT_ALLOCATION_FAILURE,
					  "CLBlastSgemm", 0, 100, 640, 784, 1,
					  &err), -1);
	assert_int_equal(err.code, EJ_EXIT_DEVICE);
	snprintf(want, sizeof(want),
		 "device out of memory: GEMM of layer 0 (100 x 640 x 784, "
		 "batch count 1) on device '%s' (", clrt_device_name(rt));
	assert_int_equal(strncmp(err.msg, want, strlen(want)), 0);
	assert_non_null(strstr(err.msg, " per buffer): "
					"CL_MEM_OBJECT_ALLOCATION_FAILURE "
					"(CLBlastSgemm, core/superv.c:"));
	ej_err_clear(&err);
	assert_int_equal(superv_blas_fail(rt, -1017, "CLBlastSgemmStridedBatched",
					  1, 100, 10, 64, 32, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_DEVICE);
	assert_string_equal(err.msg, "CLBlastSgemmStridedBatched failed: status "
				     "-1017 (layer 1, 100 x 10 x 64, batch "
				     "count 32)");
	clrt_free(rt);
}

/* ---- throughput ----------------------------------------------------------- */

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* pop 64, batch 1024, 784 -> [64] -> 10 on random 28x28 images; member 0
 * is checked against the host reference, the rate is printed. */
static void test_throughput_mnist_shape(void **state)
{
	const int h[] = { 64 };
	const size_t pop = 64, batch = 1024;
	idx_set tr = make_set(2048, 28, 10, 4), te = make_set(512, 28, 10, 5);
	mlp_cfg mlp = make_mlp(1, h);
	ej_err err = { 0 };
	clrt *rt = tu_rt_open();
	superv *s = superv_create(rt, &tr, &te, &mlp_ops, &mlp, batch, SEED,
				  &err);
	uint32_t *perm = malloc(tr.n * sizeof(uint32_t));
	float *w, fit[64];
	double t0, t, ref;
	int reps = 3;

	(void)state;
	if (!s)
		fail_msg("%s", err.msg);
	assert_int_equal(superv_param_count(s), 784 * 64 + 64 + 64 * 10 + 10);
	w = tu_random_params(pop * superv_param_count(s), 0.05f, 9);
	assert_int_equal(superv_train_eval(s, w, pop, 0, fit, &err), 0); /* warm-up */
	t0 = now_s();
	for (int r = 0; r < reps; r++)
		if (superv_train_eval(s, w, pop, (uint32_t)r + 1, fit, &err) < 0)
			fail_msg("%s", err.msg);
	t = (now_s() - t0) / reps;
	superv_sample_batch(SEED, (uint32_t)reps, perm, tr.n, batch);
	ref = mlp_img_ref_loglik(&mlp, 784, 10, w, tr.images, tr.labels, perm,
				 batch);
	assert_true(fabs(fit[0] - ref) <= 1e-4 + 1e-4 * fabs(ref));
	print_message("superv_train_eval pop 64 x batch 1024, 784-64-10 on '%s': "
		      "%.1f ms/iter, %.0f images/s, %.2f GFLOP/s\n",
		      clrt_device_name(rt), 1e3 * t, (double)(pop * batch) / t,
		      2.0 * pop * batch * (784.0 * 64 + 64.0 * 10) / t * 1e-9);
	free(w);
	free(perm);
	superv_free(s);
	clrt_free(rt);
	free_set(&tr);
	free_set(&te);
}

/* ---- ConvNet policy ---------------------------------------------------- */

static convnet_cfg make_conv(int n, const int *ch, int k)
{
	convnet_cfg c = { 0 };

	c.channels.n = n;
	for (int i = 0; i < n; i++)
		c.channels.v[i] = ch[i];
	c.kernel = k;
	return c;
}

/* Host mean log p(label) of a convnet on the batch idx. */
static double conv_ref_loglik(const convnet_cfg *c, int side, int classes,
			      const float *w, const idx_set *set,
			      const uint32_t *idx, size_t batch)
{
	double sum = 0.0;
	float z[16];

	for (size_t b = 0; b < batch; b++) {
		double mx, e = 0.0;

		assert_int_equal(convnet_ref_logits(c, side, side, classes, w,
						    set->images + (size_t)idx[b] * side * side,
						    z), 0);
		mx = z[0];
		for (int j = 1; j < classes; j++)
			mx = fmax(mx, z[j]);
		for (int j = 0; j < classes; j++)
			e += exp(z[j] - mx);
		sum += z[set->labels[idx[b]]] - mx - log(e);
	}
	return sum / (double)batch;
}

static superv *conv_open(clrt *rt, const idx_set *tr, const idx_set *te,
			 const convnet_cfg *c, size_t batch)
{
	ej_err err = { 0 };
	superv *s = superv_create(rt, tr, te, &convnet_ops, c, batch, SEED,
				  &err);

	if (!s)
		fail_msg("%s", err.msg);
	return s;
}

/* pop 3, batch 16, 12x12 images, EvoJAX channels [8, 16] kernel 5
 * (12 -> 6 -> 3) and a 3-block kernel-3 net on odd 11x11 maps (11 -> 5
 * -> 2 -> 1): device fitness vs host, 1e-4 rel + 1e-4 abs. */
static void check_conv_train(const convnet_cfg *c, size_t side)
{
	const size_t pop = 3, batch = 16;
	idx_set tr = make_set(N_TRAIN, side, 3, 1), te = make_set(N_TEST, side, 3, 2);
	clrt *rt = tu_rt_open();
	superv *s = conv_open(rt, &tr, &te, c, batch);
	uint32_t *perm = malloc(N_TRAIN * sizeof(uint32_t));
	ej_err err = { 0 };
	float *params, fit[3];
	size_t P = superv_param_count(s);

	assert_int_equal(P, convnet_ops.param_count(c, (int)(side * side), 3));
	params = tu_random_params(pop * P, 0.3f, 12);
	assert_int_equal(superv_train_eval(s, params, 1, 0, fit, &err), 0);
	for (uint32_t it = 0; it < 2; it++) {
		if (superv_train_eval(s, params, pop, it * 3, fit, &err) < 0)
			fail_msg("%s", err.msg);
		superv_sample_batch(SEED, it * 3, perm, N_TRAIN, batch);
		for (size_t m = 0; m < pop; m++) {
			double ref = conv_ref_loglik(c, (int)side, 3, params + m * P,
						     &tr, perm, batch);

			if (fabs(fit[m] - ref) > 1e-4 + 1e-4 * fabs(ref))
				fail_msg("iter %u member %zu: device %.7f host %.7f",
					 it * 3, m, fit[m], ref);
		}
		assert_true(fabsf(fit[0] - fit[1]) > 1e-4f);
	}
	free(params);
	free(perm);
	superv_free(s);
	clrt_free(rt);
	free_set(&tr);
	free_set(&te);
}

/* Fused kernel: [8, 16] k5 on 12x12, [16, 8] k3 on odd 13x13 (13 -> 6 ->
 * 3, the pools drop a row and column); layered: 3 blocks. */
static void test_conv_train_matches_host(void **state)
{
	const int ch[] = { 8, 16 }, ch2[] = { 16, 8 }, ch3[] = { 4, 6, 5 };
	convnet_cfg c = make_conv(2, ch, 5), c2 = make_conv(2, ch2, 3),
		    c3 = make_conv(3, ch3, 3);

	(void)state;
	check_conv_train(&c, 12);
	check_conv_train(&c2, 13);
	check_conv_train(&c3, 11);
}

/* Test accuracy vs a host argmax (lowest index wins ties); host top-2
 * gaps under 1e-4 may flip and are allowed to. */
static void test_conv_accuracy_matches_host(void **state)
{
	const int ch[] = { 8, 16 };
	convnet_cfg c = make_conv(2, ch, 5);
	idx_set tr = make_set(N_TRAIN, 12, 3, 1), te = make_set(N_TEST, 12, 3, 2);
	clrt *rt = tu_rt_open();
	superv *s = conv_open(rt, &tr, &te, &c, 16);
	size_t P = superv_param_count(s), correct = 0, close = 0;
	float *w = tu_random_params(P, 0.3f, 21), z[3];
	ej_err err = { 0 };
	double acc;

	(void)state;
	for (size_t i = 0; i < N_TEST; i++) {
		int arg = 0;
		float second = -INFINITY;

		assert_int_equal(convnet_ref_logits(&c, 12, 12, 3, w,
						    te.images + i * 144, z), 0);
		for (int j = 1; j < 3; j++)
			if (z[j] > z[arg])
				arg = j;
		for (int j = 0; j < 3; j++)
			if (j != arg && z[j] > second)
				second = z[j];
		close += z[arg] - second < 1e-4f;
		correct += arg == te.labels[i];
	}
	if (superv_test_accuracy(s, w, &acc, &err) < 0)
		fail_msg("%s", err.msg);
	assert_true(fabs(acc * N_TEST - (double)correct) <= (double)close + 1e-9);
	assert_true(correct > 0 && correct < N_TEST); /* not degenerate */
	free(w);
	superv_free(s);
	clrt_free(rt);
	free_set(&tr);
	free_set(&te);
}

static void test_conv_errors(void **state)
{
	const int ch[] = { 8, 16 };
	convnet_cfg c = make_conv(2, ch, 5);
	idx_set tr = make_set(20, 3, 3, 1), te = make_set(10, 3, 3, 2);
	ej_err err = { 0 };
	clrt *rt = tu_rt_open();
	policy_ops other = convnet_ops;

	(void)state;
	assert_null(superv_create(rt, &tr, &te, &convnet_ops, &c, 8, SEED,
				  &err));
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "conv block 1 gets a 1x1 map: too small "
				     "for a 2x2 max-pool");
	other.name = "lstm";
	other.images = NULL;
	assert_null(superv_create(rt, &tr, &te, &other, &c, 8, SEED, &err));
	assert_string_equal(err.msg, "policy 'lstm' cannot classify images: "
				     "use 'mlp' or 'convnet'");
	clrt_free(rt);
	free_set(&tr);
	free_set(&te);
}

/* EvoJAX's MNIST net (11,274 parameters, the fused kernel) on random
 * 28x28 images, pop CONV_BENCH_POP x batch 1024 (the full pop 64 is
 * measured by bench_superv); member 0 checked against the host. */
#define CONV_BENCH_POP 2
static void test_conv_throughput_mnist(void **state)
{
	const int ch[] = { 8, 16 };
	const size_t pop = CONV_BENCH_POP, batch = 1024;
	convnet_cfg c = make_conv(2, ch, 5);
	idx_set tr = make_set(2048, 28, 10, 4), te = make_set(512, 28, 10, 5);
	clrt *rt = tu_rt_open();
	superv *s = conv_open(rt, &tr, &te, &c, batch);
	uint32_t *perm = malloc(tr.n * sizeof(uint32_t));
	float *w, fit[CONV_BENCH_POP];
	ej_err err = { 0 };
	double t0, t, ref;
	/* FLOPs per image: 2 * (28*28*8*25 + 14*14*16*200 + 784*10) */
	const double flop = 2.0 * (28 * 28 * 8 * 25 + 14 * 14 * 16 * 200 + 784 * 10);

	(void)state;
	assert_int_equal(superv_param_count(s), 11274);
	w = tu_random_params(pop * 11274, 0.1f, 9);
	assert_int_equal(superv_train_eval(s, w, 1, 0, fit, &err), 0); /* warm-up */
	t0 = now_s();
	if (superv_train_eval(s, w, pop, 1, fit, &err) < 0)
		fail_msg("%s", err.msg);
	t = now_s() - t0;
	superv_sample_batch(SEED, 1, perm, tr.n, batch);
	ref = conv_ref_loglik(&c, 28, 10, w, &tr, perm, batch);
	assert_true(fabs(fit[0] - ref) <= 1e-4 + 1e-4 * fabs(ref));
	print_message("superv_train_eval convnet pop %zu x batch 1024, 28x28 "
		      "on '%s': %.1f ms/iter, %.0f images/s, %.2f GFLOP/s\n",
		      pop, clrt_device_name(rt), 1e3 * t,
		      (double)(pop * batch) / t, flop * pop * batch / t * 1e-9);
	free(w);
	free(perm);
	superv_free(s);
	clrt_free(rt);
	free_set(&tr);
	free_set(&te);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch_indices),
		cmocka_unit_test(test_train_two_hidden),
		cmocka_unit_test(test_train_linear),
		cmocka_unit_test(test_train_one_hidden),
		cmocka_unit_test(test_accuracy_matches_host),
		cmocka_unit_test(test_hill_climb_learns),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_blas_fail),
		cmocka_unit_test(test_throughput_mnist_shape),
		cmocka_unit_test(test_conv_train_matches_host),
		cmocka_unit_test(test_conv_accuracy_matches_host),
		cmocka_unit_test(test_conv_errors),
		cmocka_unit_test(test_conv_throughput_mnist),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
