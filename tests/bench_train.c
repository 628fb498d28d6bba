/* bench_train - time per training iteration of real configs and the share
 * of it spent outside the rollout kernel (ask/tell, transfers, host work).
 * Usage: bench_train [CONFIG [ITERATIONS]]
 *   default: the shipped configs below, each for a few iterations.
 * For a direct task (mdkp) an "env step" is one evaluation of a member.
 * Nothing is written to disk; tests are pushed past the end of the run. */
#include <stdio.h>
#include <stdlib.h>

#include "core/cfg.h"
#include "core/exp.h"
#include "core/trainer.h"
#include "opencl/clrt.h"

static int bench(const char *path, int iters)
{
	char set[64];
	ej_err err = { 0 };
	trainer_opts o = { 0 };
	cfg_doc *doc = cfg_load_file(path, &err);
	exp_cfg e;
	clrt *rt = NULL;
	evaluator *ev = NULL;
	trainer *t = NULL;
	double wall, roll, kern, steps;
	int rc = 1;

	if (!doc)
		goto out;
	snprintf(set, sizeof(set), "trainer.max_iter=%d", iters);
	if (cfg_set(doc, set, &err) < 0 ||
	    cfg_set(doc, "trainer.test_interval=1000000000", &err) < 0 ||
	    cfg_set(doc, "trainer.n_evaluations=1", &err) < 0 ||
	    exp_load(doc, &e, &err) < 0)
		goto out;
	if (!(rt = clrt_create(e.device.spec, &err)) ||
	    !(ev = eval_create(&e, rt, &err)) ||
	    !(t = trainer_create(&e, ev, &o, &err)) || trainer_run(t, &err) < 0)
		goto release;
	trainer_timing(t, &wall, &roll, &kern);
	steps = trainer_env_steps(t);
	printf("train %s: %d iterations, %.4f s/iteration (%.2f it/s), "
	       "%.3g %s/s overall; evaluation kernel %.1f%%, outside it %.1f%% "
	       "(%.2f ms/iteration)\n",
	       path, iters, wall / iters, iters / wall,
	       (steps > 0 ? steps : (double)iters * trainer_pop_size(t)) / wall,
	       steps > 0 ? "env steps" : "member evaluations",
	       100.0 * kern / wall, 100.0 * (wall - kern) / wall,
	       1e3 * (wall - kern) / iters);
	rc = 0;
release:
	trainer_free(t);
	eval_free(ev);
	clrt_free(rt);
	exp_release(&e);
out:
	if (rc)
		fprintf(stderr, "bench_train: %s\n", err.msg);
	cfg_free(doc);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *path;
		int iters;
	} runs[] = {
		{ "configs/cartpole_easy.yaml", 20 },
		{ "configs/mdkp.yaml", 100 },
		{ "configs/slimevolley.yaml", 3 },
		{ "configs/waterworld.yaml", 3 },
		{ "configs/flocking.yaml", 3 },
		{ "configs/waterworld_ma.yaml", 3 },
		{ "configs/cartpole_pi.yaml", 2 },
	};
	int rc = 0;

	if (argc > 1)
		return bench(argv[1], argc > 2 ? atoi(argv[2]) : 20);
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++)
		rc |= bench(runs[i].path, runs[i].iters);
	return rc;
}
