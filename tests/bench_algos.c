/* bench_algos - ask+tell time per iteration of every registered algorithm
 * at P = 4,609 (the cartpole MLP) and P = 100,000, population 256, with
 * synthetic fitness (and behaviour descriptors for MAP-Elites), so their
 * cost next to the rollout is visible.  Usage: bench_algos [P...] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "algos/algo.h"
#include "core/cfg.h"
#include "core/noisedev.h"
#include "core/optim.h"
#include "opencl/clrt.h"
#include "opencl/philox.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void bench(const algo_ops *a, size_t P, int iters, noisedev *nd)
{
	static const float lo[2] = { 0, 0 }, hi[2] = { 1, 1 };
	cfg_doc *doc = cfg_load_string("pop_size: 256\n", "bench", NULL);
	optim_cfg oc;
	algo_env env = { .param_size = P, .seed = 1, .optim = &oc, .n_bd = 2,
			 .bd_lo = lo, .bd_hi = hi, .noise_dev = nd };
	const char *where = nd ? "device noise" : "host";
	ej_err err = { 0 };
	void *cfg = calloc(1, a->cfg_size), *st = NULL;
	float *params = NULL, *fit = NULL, *bd = NULL;
	size_t pop;
	double t0, dt;

	optim_parse(NULL, &oc, NULL);
	if (!cfg || cfg_parse_section(cfg_root(doc), a->name, a->fields,
				      a->n_fields, cfg, NULL, &err) < 0 ||
	    a->create(&st, cfg, &env, &err) < 0) {
		printf("  %-12s P=%-7zu %s\n", a->name, P, err.msg);
		goto out;
	}
	pop = a->pop_size(st);
	params = malloc(pop * P * sizeof(float));
	fit = malloc(pop * sizeof(float));
	bd = malloc(pop * 2 * sizeof(float));
	if (!params || !fit || !bd) {
		printf("  %-12s P=%-7zu out of memory\n", a->name, P);
		goto out;
	}
	t0 = now();
	for (int it = 0; it < iters; it++) {
		if (a->ask(st, params, &err) < 0)
			break;
		for (size_t m = 0; m < pop; m++) {
			ph_out w = ph_draw(2, PH_PURPOSE_ALGO, (unsigned)it,
					   (unsigned)m, 0, 0);

			fit[m] = ph_uniform(w.v[0]) - params[m * P] * params[m * P];
			bd[2 * m] = ph_uniform(w.v[1]);
			bd[2 * m + 1] = ph_uniform(w.v[2]);
		}
		if ((a->tell_bd ? a->tell_bd(st, fit, bd, &err)
				: a->tell(st, fit, &err)) < 0)
			break;
	}
	dt = now() - t0;
	if (err.msg[0])
		printf("  %-12s P=%-7zu pop %zu: %s\n", a->name, P, pop, err.msg);
	else
		printf("  %-12s P=%-7zu pop %zu: ask+tell %8.2f ms/iteration (%s)\n",
		       a->name, P, pop, 1e3 * dt / iters, where);
out:
	if (st)
		a->free(st);
	free(cfg);
	free(params);
	free(fit);
	free(bd);
	cfg_free(doc);
}

int main(int argc, char **argv)
{
	size_t sizes[8] = { 4609, 100000 };
	int n = 2;

	if (argc > 1) {
		n = 0;
		for (int i = 1; i < argc && n < 8; i++)
			sizes[n++] = (size_t)atol(argv[i]);
	}
	ej_err err = { 0 };
	clrt *rt = clrt_create("auto", &err);
	noisedev *nd = NULL;

	if (rt && nd_create(rt, "on", &nd, &err) < 0)
		nd = NULL;

	printf("algorithms: ask+tell per iteration, population 256 (host; then\n"
	       "with the noise drawn on the device, device.noise: on)\n");
	for (int s = 0; s < n; s++)
		for (const algo_ops *const *a = algo_registry; *a; a++) {
			/* full CMA-ES: seconds per iteration at P = 4609 */
			int iters = !strcmp((*a)->name, "cma_es") ? 3
				    : sizes[s] > 20000		  ? 3
								  : 10;

			bench(*a, sizes[s], iters, NULL);
			if (nd && strcmp((*a)->name, "cma_es"))
				bench(*a, sizes[s], iters, nd);
		}
	nd_free(nd);
	clrt_free(rt);
	return 0;
}
