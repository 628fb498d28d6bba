/* eval.h - the evaluator interface: what turns a population of parameter
 * vectors into fitness, whatever the task is.  An ops table per kind of
 * evaluation (ggml backend style) plus a small wrapper object.
 *
 * Implementations (each beside the module that does the work; generic
 * ones in core/, those of one task beside the task):
 *   sim_eval_ops     core/sim.c     episodic tasks: fused rollout kernel
 *   direct_eval_ops  core/direct.c  fitness a function of the parameters
 *   mnist_eval_ops   tasks/mnist.c  image classification: IDX data, the
 *                                   policy's image ops (core/superv.h)
 *   s2s_eval_ops     tasks/s2s.c    seq2seq addition (LSTM enc-dec)
 *   slimevolley_eval_ops
 *                    tasks/slimevolley.c  sim_eval_ops, or self-play:
 *                                   members paired into worlds, tests
 *                                   against the baseline
 * A task names its evaluator in task_ops.eval (tasks/task.h); the trainer
 * and every driver above it (population-based training, splits over
 * devices) call only this interface.  Adding an evaluator = one ops table
 * beside the code it drives and one task_ops.eval line.
 *
 * Contract:
 *  - evaluate(params (n, P), n, iter) writes fitness (n), maximized: the
 *    mean over the configured n_repeats episodes (or the batch score) of
 *    training iteration 'iter'.  Every member of one call sees the same
 *    episodes / batch (common random numbers), so evaluating the
 *    populations of K trainers in ONE call of n = K * pop members gives
 *    each trainer exactly the fitness it would get alone.  Behaviour
 *    descriptors (n, n_bd) go to bd when the task has them (bd may be
 *    NULL).
 *  - Observation normalizers (trainer.normalize_obs) belong to the
 *    callers: obs_params_size() doubles each (EvoJAX layout, 1 + 2 obs;
 *    0 = the evaluator normalizes nothing).  evaluate() takes one per
 *    group of consecutive members (norms[g] covers norms[g].n members: a
 *    trainer's population), normalizes each group's observations with its
 *    own and folds the group's observations into it, so K trainers in one
 *    call keep K separate normalizers.  NULL norms: the evaluator's own
 *    (one for all members).
 *  - A group with .defer set is normalized with its obs_params but not
 *    updated: the evaluator keeps the statistics of the group's
 *    observations, obs_rows() hands them over until the next call, and
 *    the caller folds them (obsnorm_update) - a split over devices or
 *    MPI ranks (core/split.h) gathers the rows of all its parts in member
 *    order and folds once, so the normalizer does not depend on the split.
 *  - Results of a member do not depend on which other members share the
 *    call: every random number is keyed by the member's index in the
 *    whole population or by none (common random numbers), and reductions
 *    over members happen in member order on the host.  A split evaluator
 *    relies on this.
 *  - test(params (P), obs_params, iter) scores one parameter vector with
 *    that normalizer (NULL: the evaluator's own), updating nothing: n
 *    scores (test episodes with their own seeds, or one accuracy).
 */
#ifndef EJ_EVAL_H
#define EJ_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/exp.h"
#include "opencl/clrt.h"

typedef struct eval_stats {
	double env_steps; /* environment steps executed (episodic tasks) */
	double kernel_s;  /* seconds in device kernels, launch to finish
			     (the longest part of a split) */
	double wall_s;    /* seconds of the whole call (eval_population) */
	double comm_s;    /* seconds in MPI collectives (0 without MPI) */
	double comm_bytes;/* bytes this process received from them */
} eval_stats;

/* The observation normalizer of a group of consecutive members. */
typedef struct eval_norm {
	size_t n;           /* members of the group */
	double *obs_params; /* (obs_params_size), in/out */
	bool defer;         /* normalize, keep the statistics for obs_rows(),
			       update nothing (see the contract) */
} eval_norm;

typedef struct test_stats {
	int n;
	double max, avg, min, std;
} test_stats;

typedef struct eval_ops {
	const char *name;
	/* Everything a run needs: device programs built, data loaded and
	 * uploaded.  e and rt are borrowed and outlive the state. */
	int (*create)(void **state, const exp_cfg *e, clrt *rt, ej_err *err);
	size_t (*param_count)(const void *state);
	/* See the contract above.  st: env_steps and kernel_s of the call. */
	int (*evaluate)(void *state, const float *params, size_t n,
			uint32_t iter, const eval_norm *norms, size_t n_norms,
			float *fitness, float *bd, eval_stats *st,
			ej_err *err);
	int (*test)(void *state, const float *params,
		    const double *obs_params, uint32_t iter, float *scores,
		    size_t *n, ej_err *err);
	/* One human line about the task and policy for the run banner
	 * ("task cartpole, policy mlp (4609 parameters), 16 repeats"). */
	void (*describe)(const void *state, char *buf, size_t size);
	void (*free)(void *state);

	/* ---- optional slots (NULL when not supported) ---------------- */
	/* Scores test() writes at most (NULL: 1). */
	size_t (*test_count)(const void *state);
	/* Environments per work-item (NULL: 0, not lane-based). */
	int (*lanes)(const void *state);
	/* Doubles of one observation normalizer (NULL: 0, none). */
	size_t (*obs_params_size)(const void *state);
	/* The observation statistics of group g of the last evaluate()
	 * (required with obs_params_size > 0): *rows points at n rows of
	 * obs_params_size floats (core/obsnorm.h), in member order. */
	size_t (*obs_rows)(const void *state, size_t g, const float **rows);
	/* Consecutive members that must stay in one call (the members of a
	 * world of distinct agents); NULL: 1.  0: none may be split off (a
	 * self-play evaluator pairs members across the whole call): splits
	 * over several devices or ranks refuse it. */
	size_t (*granule)(const void *state);
	/* The devices it runs on, for the run banner and summary.json
	 * (NULL: the device of its rt). */
	const char *(*device_name)(const void *state);
} eval_ops;

typedef struct evaluator evaluator;

/* The evaluator e->task names (task_ops.eval).  e and rt are borrowed. */
evaluator *eval_create(const exp_cfg *e, clrt *rt, ej_err *err);
/* An evaluator of 'ops' around an existing state (a wrapper such as the
 * split over devices or MPI ranks), which it owns from now on (freed with
 * ops->free, also on failure).  rt: the device eval_rt() names. */
evaluator *eval_wrap(const eval_ops *ops, void *state, clrt *rt, int n_bd,
		     ej_err *err);
void eval_free(evaluator *ev);

size_t eval_param_count(const evaluator *ev);
int eval_n_bd(const evaluator *ev);
int eval_lanes(const evaluator *ev);
clrt *eval_rt(const evaluator *ev); /* the device it runs on */
const char *eval_device_name(const evaluator *ev);
const char *eval_name(const evaluator *ev); /* its ops' name */
void eval_describe(const evaluator *ev, char *buf, size_t size);

/* fitness (n), bd (n, n_bd) or NULL; norms (n_norms groups covering the
 * n members) or NULL, 0 (see the contract); st (may be NULL) gets the
 * call's figures, wall_s included. */
int eval_population(evaluator *ev, const float *params, size_t n,
		    uint32_t iter, const eval_norm *norms, size_t n_norms,
		    float *fitness, float *bd, eval_stats *st, ej_err *err);
/* Test one parameter vector with normalizer obs_params (NULL: the
 * evaluator's own); out: statistics of the scores. */
int eval_test(evaluator *ev, const float *params, const double *obs_params,
	      uint32_t iter, test_stats *out, ej_err *err);

/* The raw scores of eval_test: *scores (n of them, at most
 * eval_test_count) stay valid until the next test. */
int eval_test_scores(evaluator *ev, const float *params,
		     const double *obs_params, uint32_t iter,
		     const float **scores, size_t *n, ej_err *err);
size_t eval_test_count(const evaluator *ev);

/* Doubles of one observation normalizer; 0 when the evaluator has none.
 * A fresh normalizer is all zeros. */
size_t eval_obs_params_size(const evaluator *ev);
/* After eval_population with norms[g].defer: group g's statistics rows
 * (obs_params_size floats each, member order); 0 rows without any. */
size_t eval_obs_rows(const evaluator *ev, size_t g, const float **rows);
/* Members that must share one call (1 for most tasks). */
size_t eval_granule(const evaluator *ev);

/* Seconds on a monotonic clock (for the figures of eval_stats). */
double eval_now(void);

/* max, mean, min and population std of x (n >= 1), in double. */
void eval_stats_of(const float *x, size_t n, test_stats *s);

#endif
