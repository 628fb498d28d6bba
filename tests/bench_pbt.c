/* bench_pbt - population-based training's one-launch evaluation (make
 * bench): W trainers of configs/cartpole_easy.yaml (pop 64 x 16 repeats,
 * 64x64 MLP) stepped together by trainer_step_group, one evaluator call
 * (one rollout launch of W x 64 members) per iteration, against one
 * trainer stepped alone (after an unprinted warm-up run of one trainer).
 * Env steps/s over the evaluation calls.
 * Usage: bench_pbt [iterations] (default 3)
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/cfg.h"
#include "core/eval.h"
#include "core/exp.h"
#include "core/trainer.h"
#include "opencl/clrt.h"

/* Prints and returns the env steps/s of W workers (-1 on failure);
 * alone > 0: also the ratio to that rate. */
static double bench(const exp_cfg *e, evaluator *ev, int W, int iters,
		    double alone)
{
	trainer *ts[32] = { 0 };
	trainer_opts o = { 0 };
	double steps = 0, wall = 0, s, r, k;
	ej_err err = { 0 };
	int rc = 1;

	for (int i = 0; i < W; i++)
		if (!(ts[i] = trainer_create(e, ev, &o, &err)))
			goto out;
	for (int it = 0; it < iters; it++)
		if ((W == 1 ? trainer_step(ts[0], &err)
			    : trainer_step_group(ts, (size_t)W, ev, &err)) < 0)
			goto out;
	for (int i = 0; i < W; i++) {
		trainer_timing(ts[i], &s, &r, &k);
		steps += trainer_env_steps(ts[i]);
		wall += r;
	}
	printf("pbt one-launch evaluation, %2d worker%s x pop 64 x 16 repeats: %.3f s/iteration, %.3g env steps/s",
	       W, W == 1 ? " (alone)" : "s        ", wall / iters, steps / wall);
	if (alone > 0)
		printf(" (%.2fx one trainer's)", steps / wall / alone);
	printf("\n");
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "bench_pbt: %s\n", err.msg);
	for (int i = 0; i < W; i++)
		trainer_free(ts[i]);
	return rc ? -1 : steps / wall;
}

int main(int argc, char **argv)
{
	int iters = argc > 1 ? atoi(argv[1]) : 3, rc = 1;
	ej_err err = { 0 };
	cfg_doc *doc = cfg_load_file("configs/cartpole_easy.yaml", &err);
	exp_cfg e = { 0 };
	clrt *rt = NULL;
	evaluator *ev = NULL;
	trainer *one = NULL;
	double alone;

	if (!doc || cfg_set(doc, "trainer.test_interval=1000000", &err) < 0 ||
	    exp_load(doc, &e, &err) < 0)
		goto fail;
	if (!(rt = clrt_create(e.device.spec, &err)) ||
	    !(ev = eval_create(&e, rt, &err)))
		goto fail;
	{ /* warm-up: kernels built, buffers allocated */
		trainer_opts o = { 0 };

		if (!(one = trainer_create(&e, ev, &o, &err)))
			goto fail;
		for (int it = 0; it < iters; it++)
			if (trainer_step(one, &err) < 0)
				goto fail;
	}
	printf("device: %s\n", eval_device_name(ev));
	if ((alone = bench(&e, ev, 1, iters, 0)) < 0 ||
	    bench(&e, ev, 8, iters, alone) < 0 ||
	    bench(&e, ev, 32, iters, alone) < 0)
		goto out;
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "bench_pbt: %s\n", err.msg);
out:
	trainer_free(one);
	eval_free(ev);
	clrt_free(rt);
	if (doc)
		exp_release(&e);
	cfg_free(doc);
	return rc;
}
