/* bench_seq2seq - population evaluation of the seq2seq LSTM encoder-decoder
 * (tasks/s2s.c): pop 256 x batch 128 queries of d = 3 digits, hidden 128
 * (149,391 parameters), random weights.  Prints s/iteration (best of 3),
 * queries/s (member-queries per second) and GFLOP/s counted two ways:
 *   model:    2 x the multiply-adds of EvoJAX's forward per query:
 *             (2d+1) encoder + (d+2) decoder LSTM steps of 4*H*H hidden
 *             MACs each, + (d+2) x 15*H for the output dense
 *             (one-hot input rows, biases, gates, softmax not counted);
 *   executed: what the kernel runs: the encoder's first step has h = 0
 *             (no hidden product) and the masked last decoder step is
 *             skipped: (2d) + (d+1) steps of 4*H*H, (d+1) x 15*H.
 * Optional argument: lanes (0 auto, 1, 2, 4, 8, 16). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tasks/s2s.h"
#include "opencl/clrt.h"
#include "opencl/philox.h"

enum { POP = 256, BATCH = 128, H = 128, D = 3, ROUNDS = 3 };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	ej_err err = { 0 };
	clrt *rt = clrt_create("auto", &err);
	seq2seq_task_cfg tc = { D, BATCH, 1000 };
	seq2seq_policy_cfg pc = { H };
	int lanes = argc > 1 ? atoi(argv[1]) : 0;
	const double hh = 4.0 * H * H, dense = 15.0 * H;
	const double model = 2.0 * ((2 * D + 1 + D + 2) * hh + (D + 2) * dense);
	const double exec = 2.0 * ((2 * D + D + 1) * hh + (D + 1) * dense);
	double best = 1e30, kbest = 1e30;
	float *params, fit[POP];
	size_t P;
	s2s *s;

	if (!rt) {
		fprintf(stderr, "bench_seq2seq: %s\n", err.msg);
		return 3;
	}
	if (!(s = s2s_create(rt, &tc, &pc, lanes, 1, &err))) {
		fprintf(stderr, "bench_seq2seq: %s\n", err.msg);
		clrt_free(rt);
		return 3;
	}
	P = s2s_param_count(s);
	params = malloc((size_t)POP * P * sizeof(float));
	for (size_t i = 0; i < (size_t)POP * P; i++) {
		ph_out w = ph_draw(3, PH_PURPOSE_INIT, 0, 0, 0, (unsigned)i);

		params[i] = (ph_uniform(w.v[0]) - 0.5f) * 0.2f;
	}
	for (int r = 0; r < ROUNDS; r++) {
		double t0 = now(), t;

		if (s2s_train_eval(s, params, POP, (unsigned)r, fit, &err) < 0) {
			fprintf(stderr, "bench_seq2seq: %s\n", err.msg);
			break;
		}
		t = now() - t0;
		best = t < best ? t : best;
		if (s2s_last_kernel_seconds(s) < kbest)
			kbest = s2s_last_kernel_seconds(s);
	}
	printf("seq2seq LSTM (H=%d, P=%zu, d=%d), pop %d x %d queries, lanes %d: "
	       "%.3f s/iteration (kernel %.3f s), %.0f queries/s, "
	       "%.1f GFLOP/s model (%.2f MFLOP/query), %.1f GFLOP/s executed (%.2f MFLOP/query)\n",
	       H, P, D, POP, BATCH, s2s_lanes(s), best, kbest,
	       (double)POP * BATCH / best, model * POP * BATCH / best / 1e9,
	       model / 1e6, exec * POP * BATCH / best / 1e9, exec / 1e6);
	free(params);
	s2s_free(s);
	clrt_free(rt);
	return 0;
}
