/* bench_rollout - episodic rollout throughput of every task (make bench).
 *
 * One row per case below: a population of small random parameter vectors
 * evaluated for whole episodes, best of three rounds.  Figures: world
 * steps the kernel executed per second (a world is one environment with
 * all its agents: 16 members share one in waterworld_ma), and the policy's
 * GFLOP/s counted as 2 FLOP per parameter per driven agent per step (an MLP's multiply-adds;
 * a case may give its own count when that rule does not fit).  Parameters
 * are small so episodes mostly run their full length; the last column says
 * how much of the full length ran.
 *
 * Usage: bench_rollout [case-substring] [lanes...]
 *   default: every case at auto lanes, and cartpole also at lanes 8 and 1.
 * To add a task: one row in 'cases' (a YAML experiment: task + policy).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/cfg.h"
#include "core/exp.h"
#include "core/sim.h"
#include "opencl/clrt.h"
#include "opencl/philox.h"

typedef struct bench_case {
	const char *label;
	const char *yaml;  /* task + policy sections (an algo for validation) */
	int pop, repeats;
	double flop_step;  /* policy FLOP per agent step; 0: 2 x params */
} bench_case;

#define BENCH_ALGO "algo:\n  name: pgpe\n  pop_size: 64\n"

static const bench_case cases[] = {
	{ "cartpole",
	  "task:\n  name: cartpole\n  max_steps: 1000\n"
	  "policy:\n  name: mlp\n  hidden: [64, 64]\n  output: tanh\n" BENCH_ALGO,
	  64, 16, 0 },
	/* configs/cartpole_pi.yaml's mlp_pi on shuffled cartpole (easy resets:
	 * random weights keep the cart on the track).  FLOP per step counted
	 * by hand for 5 components, act 1, pos_em_dim 8, msg_dim 32, hidden 64:
	 * LSTM 5 x 2 x (2 + 8) x 32 = 3200, keys 5 x 2 x 8 x 32 = 2560, logits
	 * 5 x 2 x (8 x 32 + 64 x 8) = 7680, att obs 2 x 64 x 5 = 640, output
	 * 2 x 64 = 128; plus ~600 sigmoid/tanh not counted. */
	{ "cartpole_pi",
	  "task:\n  name: cartpole\n  shuffle_obs: true\n"
	  "policy:\n  name: mlp_pi\n" BENCH_ALGO,
	  64, 16, 14208 },
	{ "waterworld", /* configs/waterworld.yaml's policy: 152-100-4 softmax */
	  "task:\n  name: waterworld\n  max_steps: 500\n"
	  "policy:\n  name: mlp\n  hidden: [100]\n  output: softmax\n" BENCH_ALGO,
	  64, 32, 0 },
	{ "waterworld_ma", /* configs/waterworld_ma.yaml: 16 members a world */
	  "task:\n  name: waterworld_ma\n  max_steps: 500\n"
	  "policy:\n  name: mlp\n  hidden: [100]\n  output: softmax\n" BENCH_ALGO,
	  64, 16, 0 },
	{ "flocking", /* configs/flocking.yaml: 30 boids, MLP 15-60-60-1 each */
	  "task:\n  name: flocking\n"
	  "policy:\n  name: mlp\n  hidden: [60, 60]\n  output: tanh\n" BENCH_ALGO,
	  64, 16, 0 },
	{ "slimevolley", /* configs/slimevolley.yaml's policy, vs the baseline */
	  "task:\n  name: slimevolley\n"
	  "policy:\n  name: mlp\n  hidden: [100]\n  output: tanh\n" BENCH_ALGO,
	  64, 16, 0 },
};
enum { N_CASES = sizeof(cases) / sizeof(cases[0]) };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int bench(clrt *rt, const bench_case *bc, int lanes)
{
	enum { ROUNDS = 3 };
	ej_err err = { 0 };
	cfg_doc *doc = cfg_load_string(bc->yaml, bc->label, &err);
	exp_cfg e = { 0 };
	sim *s = NULL;
	float *params = NULL, *ret = NULL;
	const task_dims *d;
	size_t P, n = (size_t)bc->pop, r = (size_t)bc->repeats;
	double best = 1e30, steps = 0, t0, dt, flop, agents, worlds;
	int rc = 1;

	if (!doc || exp_load(doc, &e, &err) < 0 ||
	    !(s = sim_create(rt, e.task, e.task_cfg, e.policy, e.policy_cfg,
			     lanes, false, &err)))
		goto out;
	P = sim_param_count(s);
	d = sim_task_dims(s);
	params = malloc(n * P * sizeof(float));
	ret = malloc(n * r * sizeof(float));
	if (!params || !ret) {
		ej_fail(&err, 1, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n * P; i++) {
		ph_out w = ph_draw(1, PH_PURPOSE_INIT, 0, 0, 0, (unsigned)i);

		params[i] = (ph_uniform(w.v[0]) - 0.5f) * 0.02f;
	}
	for (int k = 0; k < ROUNDS; k++) {
		t0 = now();
		if (sim_rollout(s, params, n, 1, PH_PURPOSE_RESET, (unsigned)k,
				0, r, false, ret, &err) < 0)
			goto out;
		dt = now() - t0;
		if (dt < best) {
			best = dt;
			steps = sim_last_env_steps(s);
		}
	}
	/* steps count worlds; the policy runs once per driven agent */
	agents = d->agent_map == TASK_AGENTS_OPPONENT ? 1.0 : d->n_agents;
	worlds = d->agent_map == TASK_AGENTS_DISTINCT
		? (double)n / d->n_agents : (double)n;
	flop = bc->flop_step > 0 ? bc->flop_step : 2.0 * (double)P;
	printf("rollout %-12s pop %d x %d repeats x %d steps, P=%zu, lanes %2d: "
	       "%.3f s, %.3g world steps/s, %.2f GFLOP/s (%.0f%% of full episodes)\n",
	       bc->label, bc->pop, bc->repeats, d->max_steps, P, sim_lanes(s),
	       best, steps / best, steps * agents * flop / best / 1e9,
	       100.0 * steps / (worlds * (double)r * d->max_steps));
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "bench_rollout: %s: %s\n", bc->label, err.msg);
	free(params);
	free(ret);
	sim_free(s);
	exp_release(&e);
	cfg_free(doc);
	return rc;
}

int main(int argc, char **argv)
{
	ej_err err = { 0 };
	clrt *rt = clrt_create("auto", &err);
	const char *only = argc > 1 ? argv[1] : NULL;
	int rc = 0;

	if (!rt) {
		fprintf(stderr, "bench_rollout: %s\n", err.msg);
		return 3;
	}
	printf("device: %s\n", clrt_device_name(rt));
	for (int c = 0; c < N_CASES; c++) {
		if (only && !strstr(cases[c].label, only))
			continue;
		if (argc > 2) {
			for (int i = 2; i < argc; i++)
				rc |= bench(rt, &cases[c], atoi(argv[i]));
		} else {
			rc |= bench(rt, &cases[c], 0);
			if (c == 0) { /* the lane sweep on the reference case */
				rc |= bench(rt, &cases[c], 8);
				rc |= bench(rt, &cases[c], 1);
			}
		}
	}
	clrt_free(rt);
	return rc;
}
