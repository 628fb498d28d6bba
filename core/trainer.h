/* trainer.h - the training loop (EvoJAX Trainer semantics) as an object
 * with no global state, so that several trainers can later share one
 * device (population-based training).
 *
 * Per iteration: params = ask(); fitness = mean over n_repeats episode
 * returns; tell(fitness).  At iterations 0, log_interval, 2 log_interval,
 * ... a metrics line; every test_interval the algorithm's best
 * parameters are tested on n_evaluations episodes with their own seeds,
 * iter_N.npz / best.npz and checkpoint.npz are written.  At the end a final
 * test, final.npz and summary.json.  Direct tasks (task_ops.kind
 * TASK_DIRECT) are evaluated by core/direct.h instead of rollouts; their
 * test is one evaluation of the best parameters.  Behaviour descriptors go
 * to the algorithm's tell_bd, its report() joins the metrics lines and its
 * save_extra() writes artefacts (MAP-Elites: archive.npz) at each test.
 *
 * Run directory: config.yaml, log.txt, metrics.jsonl, best.npz, final.npz,
 * iter_<N>.npz, checkpoint.npz, summary.json.
 */
#ifndef EJ_TRAINER_H
#define EJ_TRAINER_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/exp.h"
#include "core/sim.h"
#include "opencl/clrt.h"

typedef struct trainer_opts {
	const char *out_dir;       /* NULL: write nothing (evojax test) */
	const char *config_path;   /* for summary.json */
	FILE *metrics_out;         /* machine-readable lines (stdout) or NULL */
	FILE *log_out;             /* human log lines (stderr) or NULL */
	bool progress;             /* in-place progress line on log_out */
	bool resume;               /* continue from out_dir/checkpoint.npz */
	const volatile sig_atomic_t *interrupted; /* may be NULL */
} trainer_opts;

typedef struct test_stats {
	int n;
	double max, avg, min, std;
} test_stats;

typedef struct trainer trainer;

/* Builds the simulator and the algorithm; writes config.yaml when out_dir
 * is set (the directory is created).  With o->resume, loads
 * out_dir/checkpoint.npz (algorithm state, iteration, best score,
 * observation normalizer) and keeps the lines of metrics.jsonl and log.txt
 * written before the checkpoint, so a resumed run's metrics.jsonl equals
 * an uninterrupted run's. */
trainer *trainer_create(const exp_cfg *e, clrt *rt, const trainer_opts *o,
			ej_err *err);
void trainer_free(trainer *t);

/* The whole run.  Returns 0, or -1 with err (EJ_EXIT_INTERRUPT after an
 * interrupt: a checkpoint was written first). */
int trainer_run(trainer *t, ej_err *err);

/* Test 'params' (P) with obs normalizer 'obs_params' (NULL: keep) on
 * n_evaluations episodes keyed by 'iter'. */
int trainer_test(trainer *t, const float *params, const double *obs_params,
		 unsigned iter, test_stats *out, ej_err *err);

/* Seconds since trainer_run started, in sim_rollout, and in the rollout
 * kernel itself (launch to finish), summed over training iterations. */
void trainer_timing(const trainer *t, double *wall, double *rollout,
		    double *kernel);
/* Environment steps executed by training rollouts so far. */
double trainer_env_steps(const trainer *t);

size_t trainer_param_count(const trainer *t);
size_t trainer_obs_params_size(const trainer *t);
double trainer_final_score(const trainer *t);
double trainer_best_score(const trainer *t);
const char *trainer_out_dir(const trainer *t);

#endif
