/* bench_cma - CMA-ES costs: la_eigh at n = 1000 and 4609, and ask + tell
 * time per iteration of cma_es and sep_cma_es at P = 4,609 (the cartpole
 * MLP) and P = 100,000 with pop_size 256.  Full CMA-ES at P = 100,000 is
 * refused (its covariance alone would be 80 GB); the message is printed.
 * Usage: bench_cma [ITERATIONS]  (default 3 for cma_es, 10 for sep_cma_es;
 * the cma_es iterations include the lazy eigendecomposition, every 3rd at
 * P = 4609 and pop 256).  Fitness is the sphere, outside the timings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "algos/algo.h"
#include "algos/cma_es.h"
#include "core/linalg.h"
#include "opencl/philox.h"

/* until algos/algo.h declares them */
extern const algo_ops cma_es_ops, sep_cma_es_ops;

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int bench_eigh(size_t n)
{
	double *a = malloc(n * n * sizeof(double)), *v = malloc(n * n * 8);
	double *w = malloc(n * sizeof(double)), t;
	ej_err err = { 0 };
	int rc = -1;

	if (!a || !v || !w) {
		fprintf(stderr, "bench_cma: out of memory\n");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j <= i; j++) {
			ph_out o = ph_draw(1, PH_PURPOSE_ALGO, 0, (uint32_t)i,
					   (uint32_t)j, 0);

			a[i * n + j] = 2.0 * ph_uniform(o.v[0]) - 1.0;
		}
	t = now();
	if (la_eigh(n, a, w, v, NULL, &err) < 0) {
		fprintf(stderr, "bench_cma: %s\n", err.msg);
		goto out;
	}
	printf("la_eigh n=%zu: %.2f s (random symmetric, eigenvectors "
	       "included)\n", n, now() - t);
	rc = 0;
out:
	free(a);
	free(v);
	free(w);
	return rc;
}

/* ask + tell of 'ops' for P parameters and pop 256; iters iterations. */
static int bench_algo(const algo_ops *ops, size_t P, int iters)
{
	void *cfg = calloc(1, ops->cfg_size), *s = NULL;
	algo_env env = { .param_size = P, .seed = 1 };
	float *pop = NULL, *fit = NULL;
	double ask = 0, tell = 0, tmax = 0;
	ej_err err = { 0 };
	int rc = -1;

	if (!cfg)
		return -1;
	cfg_defaults(ops->fields, ops->n_fields, cfg);
	((cma_cfg *)cfg)->pop_size = 256;
	if (ops->create(&s, cfg, &env, &err) < 0) {
		printf("%s P=%zu pop=256: refused: %s\n", ops->name, P,
		       err.msg);
		free(cfg);
		return 0;
	}
	pop = malloc((size_t)256 * P * sizeof(float));
	fit = malloc(256 * sizeof(float));
	if (!pop || !fit) {
		fprintf(stderr, "bench_cma: out of memory\n");
		goto out;
	}
	for (int it = 0; it < iters; it++) {
		double t0 = now(), t1, t2;

		if (ops->ask(s, pop, &err) < 0)
			goto fail;
		t1 = now();
		for (size_t k = 0; k < 256; k++) {
			double f = 0;

			for (size_t j = 0; j < P; j++)
				f += (double)pop[k * P + j] * pop[k * P + j];
			fit[k] = (float)-f;
		}
		t2 = now();
		if (ops->tell(s, fit, &err) < 0)
			goto fail;
		ask += t1 - t0;
		tell += now() - t2;
		if (now() - t2 > tmax)
			tmax = now() - t2;
	}
	printf("%s P=%zu pop=256: ask %.3f s + tell %.3f s = %.3f s per "
	       "iteration over %d iterations (slowest tell %.2f s)\n",
	       ops->name, P, ask / iters, tell / iters, (ask + tell) / iters,
	       iters, tmax);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "bench_cma: %s\n", err.msg);
out:
	free(pop);
	free(fit);
	free(cfg);
	ops->free(s);
	return rc;
}

int main(int argc, char **argv)
{
	int iters = argc > 1 ? atoi(argv[1]) : 0;
	char blas[128];

	la_reexec_for_cpu(argv);
	la_describe(blas, sizeof(blas));
	printf("%s\n", blas);

	if (bench_eigh(1000) < 0 || bench_eigh(4609) < 0 ||
	    bench_algo(&cma_es_ops, 4609, iters > 0 ? iters : 3) < 0 ||
	    bench_algo(&cma_es_ops, 100000, 1) < 0 ||
	    bench_algo(&sep_cma_es_ops, 4609, iters > 0 ? iters : 10) < 0 ||
	    bench_algo(&sep_cma_es_ops, 100000, iters > 0 ? iters : 10) < 0)
		return 1;
	return 0;
}
