/* s2s.c - seq2seq addition with the LSTM encoder-decoder, evaluated for a
 * population on the device (tasks/s2s.cl composed with the task's tokens,
 * tasks/seq2seq.cl, and the policy's cell, policies/seq2seq.cl).  API and
 * semantics: s2s.h; task: tasks/seq2seq.h; model and layout:
 * policies/seq2seq.h.
 *
 * Design (measured on PoCL, 2-core AVX-512 EPYC, tests/bench_seq2seq.c):
 * one work-item per (member, VL = 16 queries), queries in the lanes of
 * float16 vectors, weights broadcast as scalars, gates blocked over 4
 * output units (16 accumulators); local size 1 on CPUs as core/sim.c.
 * The loss and accuracy per query are written by the kernel and summed on
 * the host in query order in double: deterministic, independent of VL.
 */
#include "tasks/s2s.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opencl/clsrc.h"
#include "opencl/philox.h"

struct s2s {
	clrt *rt;             /* borrowed */
	uint32_t seed;
	int d, H, lanes;
	size_t P;
	size_t batch, n_test;
	cl_kernel k;
	cl_mem params;        /* (cap_pop, P) float */
	size_t cap_pop;
	cl_mem in, lab;       /* work queries: (2d+1, cap), (d+1, cap) uchar */
	size_t cap_in, cap_lab; /* query columns each holds */
	cl_mem test_in, test_lab; /* the test set, same layout, nq_test columns */
	size_t nq_test;
	cl_mem ll;            /* (cap_out) float: (pop, nq) per call */
	cl_mem ok;            /* (cap_out) uchar */
	size_t cap_out;
	float *ll_host;       /* (cap_out) */
	uint8_t *ok_host;     /* (cap_out) */
	uint8_t *q_in, *q_lab; /* host queries (batch, 2d+1), (batch, d+2) */
	uint8_t *tm;          /* time-major scratch ((2d+1) * cap_nq) */
	size_t cap_tm;
	double kernel_s;
};

static size_t s2s_round_up(size_t n, size_t m)
{
	return (n + m - 1) / m * m;
}

static int s2s_build(s2s *s, ej_err *err)
{
	const char *files[] = { "core/lanes.cl", seq2seq_task_ops.cl_file,
				seq2seq_policy_ops.cl_file, "tasks/s2s.cl" };
	char defs[256];
	cl_program prog;

	snprintf(defs, sizeof(defs),
		 "#define VL %d\n#define S2S_H %d\n#define S2S_DIGITS %d\n",
		 s->lanes, s->H, s->d);
	prog = clsrc_build(s->rt, "s2s", defs, files, 4, NULL, err);
	if (!prog || !(s->k = clrt_kernel(s->rt, prog, "s2s_eval", err)))
		return -1;
	return 0;
}

static int s2s_reserve_host(s2s *s, size_t need, ej_err *err)
{
	size_t li = (size_t)seq2seq_task_in_len(s->d);

	if (s->cap_tm < need * li) {
		uint8_t *g = realloc(s->tm, need * li);

		if (!g)
			return ej_fail(err, EJ_EXIT_RUN, "out of memory");
		s->tm = g;
		s->cap_tm = need * li;
	}
	return 0;
}

/* Upload n queries (row-major as seq2seq_task_make writes them) into
 * time-major device buffers in (2d+1, nq), lab (d+1, nq); columns n..nq-1
 * are token 0. */
static int s2s_upload(s2s *s, const uint8_t *in, const uint8_t *labels,
		      size_t n, size_t nq, cl_mem din, cl_mem dlab,
		      ej_err *err)
{
	size_t li = (size_t)seq2seq_task_in_len(s->d);
	size_t lo = (size_t)seq2seq_task_steps(s->d), nl = (size_t)s->d + 1;

	if (s2s_reserve_host(s, nq, err) < 0)
		return -1;
	memset(s->tm, 0, li * nq);
	for (size_t t = 0; t < li; t++)
		for (size_t q = 0; q < n; q++)
			s->tm[t * nq + q] = in[q * li + t];
	if (clrt_write(s->rt, din, 0, li * nq, s->tm, err) < 0)
		return -1;
	memset(s->tm, 0, nl * nq);
	for (size_t t = 0; t < nl; t++)
		for (size_t q = 0; q < n; q++)
			s->tm[t * nq + q] = labels[q * lo + t];
	return clrt_write(s->rt, dlab, 0, nl * nq, s->tm, err);
}

s2s *s2s_create(clrt *rt, const seq2seq_task_cfg *task,
		const seq2seq_policy_cfg *pol, int lanes, uint32_t seed,
		ej_err *err)
{
	s2s *s;
	seq2seq_layout lay;
	size_t li, lo;
	int vl;

	if (task->digits < 1 || task->digits > SEQ2SEQ_MAX_DIGITS) {
		ej_fail(err, EJ_EXIT_USAGE, "'digits' must be in [1, %d], got %d",
			SEQ2SEQ_MAX_DIGITS, task->digits);
		return NULL;
	}
	if (pol->hidden < 1 || pol->hidden > SEQ2SEQ_POLICY_MAX_HIDDEN) {
		ej_fail(err, EJ_EXIT_USAGE, "'hidden' must be in [1, %d], got %d",
			SEQ2SEQ_POLICY_MAX_HIDDEN, pol->hidden);
		return NULL;
	}
	if (task->batch_size < 1 || task->test_size < 1) {
		ej_fail(err, EJ_EXIT_USAGE,
			"'batch_size' and 'test_size' must be >= 1, got %d and %d",
			task->batch_size, task->test_size);
		return NULL;
	}
	if ((vl = clrt_pick_lanes(rt, lanes, err)) < 0)
		return NULL;
	if (!(s = calloc(1, sizeof(*s)))) {
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
		return NULL;
	}
	seq2seq_policy_layout(pol->hidden, &lay);
	s->rt = rt;
	s->seed = seed;
	s->d = task->digits;
	s->H = pol->hidden;
	s->lanes = vl;
	s->P = lay.P;
	s->batch = (size_t)task->batch_size;
	s->n_test = (size_t)task->test_size;
	li = (size_t)seq2seq_task_in_len(s->d);
	lo = (size_t)seq2seq_task_steps(s->d);
	s->nq_test = s2s_round_up(s->n_test, (size_t)vl);
	{
		size_t nb = s->batch > s->n_test ? s->batch : s->n_test;

		s->q_in = malloc(nb * li);
		s->q_lab = malloc(nb * lo);
	}
	if (!s->q_in || !s->q_lab) {
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
		goto fail;
	}
	if (s2s_build(s, err) < 0 ||
	    !(s->test_in = clrt_alloc(rt, "test queries", li * s->nq_test, CL_MEM_READ_ONLY,
				      err)) ||
	    !(s->test_lab = clrt_alloc(rt, "test labels", (size_t)(s->d + 1) * s->nq_test,
				       CL_MEM_READ_ONLY, err)))
		goto fail;
	seq2seq_task_make(s->d, seed, PH_PURPOSE_TEST_RESET, 0, s->n_test,
			  s->q_in, s->q_lab, NULL, NULL);
	if (s2s_upload(s, s->q_in, s->q_lab, s->n_test, s->nq_test,
		       s->test_in, s->test_lab, err) < 0)
		goto fail;
	return s;
fail:
	s2s_free(s);
	return NULL;
}

void s2s_free(s2s *s)
{
	if (!s)
		return;

	cl_mem bufs[] = { s->params, s->in, s->lab, s->test_in, s->test_lab,
			  s->ll, s->ok };

	for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
		if (bufs[i])
			clReleaseMemObject(bufs[i]);
	if (s->k)
		clReleaseKernel(s->k);
	free(s->ll_host);
	free(s->ok_host);
	free(s->q_in);
	free(s->q_lab);
	free(s->tm);
	free(s);
}

size_t s2s_param_count(const s2s *s) { return s->P; }
int s2s_lanes(const s2s *s) { return s->lanes; }
double s2s_last_kernel_seconds(const s2s *s) { return s->kernel_s; }

/* Evaluate pop members (params already on the device) on nq query columns
 * (n real) of din/dlab: fitness and correct counts per member. */
static int s2s_run(s2s *s, size_t pop, cl_mem din, cl_mem dlab, size_t n,
		   size_t nq, float *fitness, size_t *correct, ej_err *err)
{
	size_t groups = nq / (size_t)s->lanes, items = pop * groups;
	size_t out = pop * nq;
	double denom = (double)n * (double)seq2seq_task_steps(s->d), t0;

	if (items > UINT32_MAX || out > UINT32_MAX)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "population %zu x %zu queries is too large for one launch",
			       pop, n);
	if (s->cap_out < out) {
		float *g = realloc(s->ll_host, out * sizeof(float));
		uint8_t *o;

		if (!g)
			return ej_fail(err, EJ_EXIT_RUN, "out of memory");
		s->ll_host = g;
		if (!(o = realloc(s->ok_host, out)))
			return ej_fail(err, EJ_EXIT_RUN, "out of memory");
		s->ok_host = o;
		if (s->ok)
			clReleaseMemObject(s->ok);
		s->ok = NULL;
		if (clrt_reserve(s->rt, "log-likelihoods", &s->ll, &s->cap_out, out,
				sizeof(float),
				CL_MEM_WRITE_ONLY, err) < 0 ||
		    !(s->ok = clrt_alloc(s->rt, "correct answers", out,
					      CL_MEM_WRITE_ONLY, err)))
			return -1;
	}
	if (clrt_args(s->k, err, "mmmuuumm", s->params, din, dlab,
		      (unsigned)nq, (unsigned)groups, (unsigned)pop, s->ll,
		      s->ok) < 0)
		return -1;
	t0 = eval_now();
	if (clrt_launch(s->rt, s->k, items, s->lanes > 1 ? 1 : 0, err) < 0 ||
	    clrt_finish(s->rt, err) < 0)
		return -1;
	s->kernel_s = eval_now() - t0;
	if (clrt_read(s->rt, s->ll, 0, out * sizeof(float), s->ll_host,
		      err) < 0 ||
	    clrt_read(s->rt, s->ok, 0, out, s->ok_host, err) < 0)
		return -1;
	for (size_t m = 0; m < pop; m++) {
		const float *l = s->ll_host + m * nq;
		const uint8_t *o = s->ok_host + m * nq;
		double sum = 0.0;
		size_t c = 0;

		for (size_t q = 0; q < n; q++) {
			sum += (double)l[q];
			c += o[q] != 0;
		}
		if (fitness)
			fitness[m] = (float)(sum / denom);
		if (correct)
			correct[m] = c;
	}
	return 0;
}

static int s2s_put_params(s2s *s, const float *params, size_t pop,
			  ej_err *err)
{
	if (pop == 0)
		return ej_fail(err, EJ_EXIT_USAGE, "nothing to evaluate: population 0");
	if (clrt_reserve(s->rt, "population parameters", &s->params,
			 &s->cap_pop, pop, s->P * sizeof(float),
			CL_MEM_READ_ONLY, err) < 0)
		return -1;
	return clrt_write(s->rt, s->params, 0, pop * s->P * sizeof(float),
			  params, err);
}

int s2s_eval_queries(s2s *s, const float *params, size_t pop,
		     const uint8_t *in, const uint8_t *labels, size_t n,
		     float *fitness, size_t *correct, ej_err *err)
{
	size_t nq = s2s_round_up(n, (size_t)s->lanes);
	size_t li = (size_t)seq2seq_task_in_len(s->d);

	if (n == 0)
		return ej_fail(err, EJ_EXIT_USAGE, "nothing to evaluate: no queries");
	if (s2s_put_params(s, params, pop, err) < 0 ||
	    clrt_reserve(s->rt, "queries", &s->in, &s->cap_in, nq, li,
			CL_MEM_READ_ONLY,
			err) < 0 ||
	    clrt_reserve(s->rt, "labels", &s->lab, &s->cap_lab, nq,
			(size_t)s->d + 1,
			CL_MEM_READ_ONLY, err) < 0)
		return -1;
	if (s2s_upload(s, in, labels, n, nq, s->in, s->lab, err) < 0)
		return -1;
	return s2s_run(s, pop, s->in, s->lab, n, nq, fitness, correct, err);
}

int s2s_train_eval(s2s *s, const float *params, size_t pop, uint32_t iter,
		   float *fitness, ej_err *err)
{
	seq2seq_task_make(s->d, s->seed, PH_PURPOSE_DATA, iter, s->batch,
			  s->q_in, s->q_lab, NULL, NULL);
	return s2s_eval_queries(s, params, pop, s->q_in, s->q_lab, s->batch,
				fitness, NULL, err);
}

int s2s_test_accuracy(s2s *s, const float *params, double *accuracy,
		      ej_err *err)
{
	size_t c;

	if (s2s_put_params(s, params, 1, err) < 0 ||
	    s2s_run(s, 1, s->test_in, s->test_lab, s->n_test, s->nq_test, NULL,
		    &c, err) < 0)
		return -1;
	*accuracy = (double)c / (double)s->n_test;
	return 0;
}

int s2s_ref_eval(int hidden, int digits, const float *w, const uint8_t *in,
		 const uint8_t *labels, size_t n, double *reward,
		 size_t *correct)
{
	int li = seq2seq_task_in_len(digits), T = seq2seq_task_steps(digits);
	float lg[(SEQ2SEQ_MAX_DIGITS + 2) * SEQ2SEQ_VOCAB];
	uint8_t pred[SEQ2SEQ_MAX_DIGITS + 2];
	double sum = 0.0;
	size_t c = 0;

	if (digits < 1 || digits > SEQ2SEQ_MAX_DIGITS || n == 0)
		return -1;
	for (size_t q = 0; q < n; q++) {
		const uint8_t *y = labels + q * (size_t)T;
		int good = 1;

		if (seq2seq_policy_ref_forward(hidden, w, in + q * (size_t)li,
					       li, T, lg, pred) < 0)
			return -1;
		for (int t = 0; t < digits + 1; t++) {
			const float *l = lg + t * SEQ2SEQ_VOCAB;
			double mx = l[0], se = 0.0;

			for (int v = 1; v < SEQ2SEQ_VOCAB; v++)
				if (l[v] > mx)
					mx = l[v];
			for (int v = 0; v < SEQ2SEQ_VOCAB; v++)
				se += exp((double)l[v] - mx);
			sum += (double)l[y[t]] - mx - log(se);
			good &= pred[t] == y[t];
		}
		c += (size_t)good;
	}
	*reward = sum / ((double)n * (double)T);
	if (correct)
		*correct = c;
	return 0;
}

/* ---- the evaluator of the seq2seq task (core/eval.h) ----------------- */

typedef struct s2s_ev {
	s2s *s;
	const exp_cfg *e; /* borrowed */
} s2s_ev;

static void s2s_ev_free(void *state)
{
	s2s_ev *se = state;

	s2s_free(se->s);
	free(se);
}

static int s2s_ev_create(void **state, const exp_cfg *e, clrt *rt,
			 ej_err *err)
{
	s2s_ev *se = calloc(1, sizeof(*se));

	if (!se)
		return ej_fail(err, EJ_EXIT_RUN, "out of memory");
	se->e = e;
	if (!(se->s = s2s_create(rt, e->task_cfg, e->policy_cfg,
				 e->device.lanes, (uint32_t)e->seed, err))) {
		s2s_ev_free(se);
		return -1;
	}
	*state = se;
	return 0;
}

static int s2s_ev_evaluate(void *state, const float *params, size_t n,
			      uint32_t iter, const eval_norm *norms,
			      size_t n_norms, float *fitness, float *bd,
			      eval_stats *st, ej_err *err)
{
	s2s_ev *se = state;

	(void)norms;
	(void)n_norms;
	(void)bd;
	if (s2s_train_eval(se->s, params, n, iter, fitness, err) < 0)
		return -1;
	st->kernel_s = se->s->kernel_s;
	return 0;
}

static int s2s_ev_test(void *state, const float *params,
		const double *obs_params, uint32_t iter, float *scores,
		size_t *n, ej_err *err)
{
	double acc;

	(void)obs_params;
	(void)iter;
	if (s2s_test_accuracy(((s2s_ev *)state)->s, params, &acc, err) < 0)
		return -1;
	scores[0] = (float)acc;
	*n = 1;
	return 0;
}

static size_t s2s_ev_param_count(const void *state)
{
	return ((const s2s_ev *)state)->s->P;
}

static void s2s_ev_describe(const void *state, char *buf, size_t size)
{
	const s2s_ev *se = state;

	snprintf(buf, size,
		 "task %s (%d-digit addition, batch %zu, %zu test queries), policy %s (%zu parameters), lanes %d",
		 se->e->task->name, se->s->d, se->s->batch, se->s->n_test,
		 se->e->policy->name, se->s->P, se->s->lanes);
}

static int s2s_ev_lanes(const void *state)
{
	return ((const s2s_ev *)state)->s->lanes;
}

const eval_ops s2s_eval_ops = {
	.name = "seq2seq",
	.create = s2s_ev_create,
	.param_count = s2s_ev_param_count,
	.evaluate = s2s_ev_evaluate,
	.test = s2s_ev_test,
	.describe = s2s_ev_describe,
	.lanes = s2s_ev_lanes,
	.free = s2s_ev_free,
};
