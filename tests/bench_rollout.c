/* bench_rollout - cartpole policy-evaluation throughput (make bench).
 *
 * pop 64 x 16 repeats x 1000 steps with the 4609-parameter MLP (5-64-64-1);
 * 9218 FLOP per environment step (2 per parameter).  Parameters are small
 * random weights so episodes run their full length (the cart stays in
 * bounds); the figure counts the steps the kernel actually executed.
 * Usage: bench_rollout [lanes...]   (default: auto (16 on CPUs), 8, 1)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/sim.h"
#include "opencl/clrt.h"
#include "opencl/philox.h"
#include "policies/mlp.h"
#include "tasks/cartpole.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int bench(clrt *rt, int lanes)
{
	cartpole_cfg task = { .hard = false, .max_steps = 1000 };
	mlp_cfg pol = { .hidden = { 2, { 64, 64 } }, .output = "tanh" };
	enum { POP = 64, REP = 16, ROUNDS = 3 };
	ej_err err = { 0 };
	sim *s = sim_create(rt, &cartpole_ops, &task, &mlp_ops, &pol, lanes,
			    false, &err);
	float *params, *ret;
	size_t P;
	double best = 1e30, steps = 0, t0, dt;

	if (!s) {
		fprintf(stderr, "bench_rollout: %s\n", err.msg);
		return 1;
	}
	P = sim_param_count(s);
	params = malloc(POP * P * sizeof(float));
	ret = malloc(POP * REP * sizeof(float));
	for (size_t i = 0; i < POP * P; i++) {
		ph_out w = ph_draw(1, PH_PURPOSE_INIT, 0, 0, 0, (unsigned)i);

		params[i] = (ph_uniform(w.v[0]) - 0.5f) * 0.02f;
	}
	for (int r = 0; r < ROUNDS; r++) {
		t0 = now();
		if (sim_rollout(s, params, POP, 1, PH_PURPOSE_RESET, (unsigned)r,
				0, REP, false, ret, &err) < 0) {
			fprintf(stderr, "bench_rollout: %s\n", err.msg);
			return 1;
		}
		dt = now() - t0;
		if (dt < best) {
			best = dt;
			steps = sim_last_env_steps(s);
		}
	}
	printf("rollout cartpole pop %d x %d repeats x 1000 steps, P=%zu, lanes %2d: "
	       "%.3f s, %.3g env steps/s, %.2f GFLOP/s (%.0f%% of full episodes)\n",
	       POP, REP, P, sim_lanes(s), best, steps / best,
	       steps * 2.0 * (double)P / best / 1e9,
	       100.0 * steps / (POP * REP * 1000.0));
	free(params);
	free(ret);
	sim_free(s);
	return 0;
}

int main(int argc, char **argv)
{
	ej_err err = { 0 };
	clrt *rt = clrt_create("auto", &err);
	int rc = 0;

	if (!rt) {
		fprintf(stderr, "bench_rollout: %s\n", err.msg);
		return 3;
	}
	printf("device: %s\n", clrt_device_name(rt));
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			rc |= bench(rt, atoi(argv[i]));
	} else {
		int lanes[] = { 0, 8, 1 };

		for (size_t i = 0; i < sizeof(lanes) / sizeof(lanes[0]); i++)
			rc |= bench(rt, lanes[i]);
	}
	clrt_free(rt);
	return rc;
}
