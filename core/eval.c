#include "core/eval.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct evaluator {
	const eval_ops *ops;
	void *state;
	clrt *rt;      /* borrowed */
	int n_bd;
	float *scores; /* (ops->test_count) */
};

double eval_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Finish an evaluator whose ops and state are set: the test scores. */
static evaluator *eval_finish(evaluator *ev, ej_err *err)
{
	if (!(ev->scores = malloc(eval_test_count(ev) * sizeof(float)))) {
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
		eval_free(ev);
		return NULL;
	}
	return ev;
}

evaluator *eval_create(const exp_cfg *e, clrt *rt, ej_err *err)
{
	evaluator *ev;

	if (!e->task->eval) {
		ej_fail(err, EJ_EXIT_USAGE, "task '%s' names no evaluator",
			e->task->name);
		return NULL;
	}
	if (!(ev = calloc(1, sizeof(*ev)))) {
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
		return NULL;
	}
	ev->ops = e->task->eval;
	ev->rt = rt;
	ev->n_bd = e->task->n_bd;
	if (ev->ops->create(&ev->state, e, rt, err) < 0) {
		eval_free(ev);
		return NULL;
	}
	return eval_finish(ev, err);
}

evaluator *eval_wrap(const eval_ops *ops, void *state, clrt *rt, int n_bd,
		     ej_err *err)
{
	evaluator *ev = calloc(1, sizeof(*ev));

	if (!ev) {
		ops->free(state);
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
		return NULL;
	}
	ev->ops = ops;
	ev->state = state;
	ev->rt = rt;
	ev->n_bd = n_bd;
	return eval_finish(ev, err);
}

void eval_free(evaluator *ev)
{
	if (!ev)
		return;
	if (ev->state)
		ev->ops->free(ev->state);
	free(ev->scores);
	free(ev);
}

size_t eval_param_count(const evaluator *ev)
{
	return ev->ops->param_count(ev->state);
}

int eval_n_bd(const evaluator *ev) { return ev->n_bd; }
int eval_lanes(const evaluator *ev)
{
	return ev->ops->lanes ? ev->ops->lanes(ev->state) : 0;
}
clrt *eval_rt(const evaluator *ev) { return ev->rt; }

const char *eval_device_name(const evaluator *ev)
{
	return ev->ops->device_name ? ev->ops->device_name(ev->state)
				    : clrt_device_name(ev->rt);
}

void eval_describe(const evaluator *ev, char *buf, size_t size)
{
	ev->ops->describe(ev->state, buf, size);
}

int eval_population(evaluator *ev, const float *params, size_t n,
		    uint32_t iter, const eval_norm *norms, size_t n_norms,
		    float *fitness, float *bd, eval_stats *st, ej_err *err)
{
	eval_stats local = { 0 };
	double t0 = eval_now();
	size_t covered = 0;

	if (n == 0)
		return ej_fail(err, EJ_EXIT_USAGE, "nothing to evaluate");
	for (size_t g = 0; norms && g < n_norms; g++)
		covered += norms[g].n;
	if (norms && covered != n)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "normalizer groups cover %zu members, the population has %zu",
			       covered, n);
	if (ev->ops->evaluate(ev->state, params, n, iter,
			      norms, norms ? n_norms : 0,
			      fitness, ev->n_bd > 0 ? bd : NULL, &local,
			      err) < 0)
		return -1;
	local.wall_s = eval_now() - t0;
	if (st)
		*st = local;
	return 0;
}

int eval_test_scores(evaluator *ev, const float *params,
		     const double *obs_params, uint32_t iter,
		     const float **scores, size_t *n, ej_err *err)
{
	*n = 0;
	*scores = ev->scores;
	return ev->ops->test(ev->state, params, obs_params, iter, ev->scores, n,
			     err);
}

size_t eval_test_count(const evaluator *ev)
{
	return ev->ops->test_count ? ev->ops->test_count(ev->state) : 1;
}

int eval_test(evaluator *ev, const float *params, const double *obs_params,
	      uint32_t iter, test_stats *out, ej_err *err)
{
	const float *scores;
	size_t n;

	if (eval_test_scores(ev, params, obs_params, iter, &scores, &n,
			     err) < 0)
		return -1;
	eval_stats_of(scores, n, out);
	return 0;
}

size_t eval_obs_params_size(const evaluator *ev)
{
	return ev->ops->obs_params_size ? ev->ops->obs_params_size(ev->state)
					: 0;
}

size_t eval_obs_rows(const evaluator *ev, size_t g, const float **rows)
{
	*rows = NULL;
	return ev->ops->obs_rows ? ev->ops->obs_rows(ev->state, g, rows) : 0;
}

const char *eval_name(const evaluator *ev)
{
	return ev->ops->name;
}

size_t eval_granule(const evaluator *ev)
{
	return ev->ops->granule ? ev->ops->granule(ev->state) : 1;
}

void eval_stats_of(const float *x, size_t n, test_stats *s)
{
	double sum = 0.0, sq = 0.0;

	s->n = (int)n;
	s->max = -INFINITY;
	s->min = INFINITY;
	for (size_t i = 0; i < n; i++) {
		sum += x[i];
		s->max = fmax(s->max, x[i]);
		s->min = fmin(s->min, x[i]);
	}
	s->avg = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		sq += (x[i] - s->avg) * (x[i] - s->avg);
	s->std = sqrt(sq / (double)n);
}
