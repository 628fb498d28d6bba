/* trainer.h - the training loop (EvoJAX Trainer semantics) as an object
 * with no global state, stepped one iteration at a time so that an outer
 * driver (population-based training) can advance several trainers and
 * evaluate all their populations in one evaluator call.
 *
 * A trainer owns the algorithm, its optimizer moments, the schedules, the
 * counters and the run directory; it borrows an evaluator (core/eval.h)
 * and never names a task, policy or evaluator.  Per iteration:
 *   trainer_ask   -> the population (pop, P)
 *   (the caller evaluates it: eval_population, iteration trainer_iter)
 *   trainer_tell  -> schedules, algorithm tell, metrics line at iterations
 *                    0, log_interval, ...; every test_interval the best
 *                    parameters are tested (eval_test), iter_N.npz /
 *                    best.npz and checkpoint.npz are written.
 * trainer_step = ask + eval_population + tell; trainer_run = steps until
 * max_iter, then trainer_finish (final test, final.npz, summary.json).
 * Behaviour descriptors go to the algorithm's tell_bd, its report() joins
 * the metrics lines and its save_extra() writes artefacts (MAP-Elites:
 * archive.npz) at each test.
 *
 * Run directory: config.yaml, log.txt, metrics.jsonl, best.npz, final.npz,
 * iter_<N>.npz, checkpoint.npz, summary.json.
 */
#ifndef EJ_TRAINER_H
#define EJ_TRAINER_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/eval.h"
#include "core/exp.h"

typedef struct trainer_opts {
	const char *out_dir;       /* NULL: write nothing (evojax test) */
	const char *read_dir;      /* with out_dir NULL: the run directory
				      to resume from, writing nothing (MPI
				      ranks other than 0) */
	const char *config_path;   /* for summary.json */
	FILE *metrics_out;         /* machine-readable lines (stdout) or NULL */
	FILE *log_out;             /* human log lines (stderr) or NULL */
	bool progress;             /* in-place progress line on log_out */
	bool resume;               /* continue from out_dir/checkpoint.npz */
	const volatile sig_atomic_t *interrupted; /* may be NULL */
	/* Population-based training (core/pbt.h): worker 'worker' of a run
	 * tags its metrics lines {"worker": w, ...}, copies them to
	 * metrics_copy (the run's metrics.jsonl) and draws its algorithm's
	 * random numbers from seed + 0x9E3779B9 (w + 1) (mod 2^32). */
	bool is_worker;
	int worker;
	FILE *metrics_copy;
} trainer_opts;

typedef struct trainer trainer;

/* Builds the algorithm for the evaluator 'ev' (borrowed; it must have been
 * made from the same task and policy as 'e'); writes config.yaml when
 * out_dir is set (the directory is created).  With o->resume, loads
 * out_dir/checkpoint.npz (algorithm state, iteration, best score, the
 * evaluator's observation normalizer) and keeps the lines of metrics.jsonl
 * and log.txt written before the checkpoint, so a resumed run's
 * metrics.jsonl equals an uninterrupted run's. */
trainer *trainer_create(const exp_cfg *e, evaluator *ev,
			const trainer_opts *o, ej_err *err);
void trainer_free(trainer *t);

/* The whole run: steps until max_iter, then trainer_finish.  Returns 0, or
 * -1 with err (EJ_EXIT_INTERRUPT after an interrupt: a checkpoint was
 * written first). */
int trainer_run(trainer *t, ej_err *err);

/* ---- stepwise ------------------------------------------------------- */

/* The population of iteration trainer_iter(t): (pop, P), owned by the
 * trainer, valid until the next ask.  EJ_EXIT_USAGE once the run is done. */
int trainer_ask(trainer *t, const float **params, ej_err *err);
/* fitness (pop) of that population (and bd (pop, n_bd) when the task has
 * behaviour descriptors, else NULL); st: the evaluation's figures for
 * the timing totals.  Non-finite fitness is an error (EJ_EXIT_RUN). */
int trainer_tell(trainer *t, const float *fitness, const float *bd,
		 const eval_stats *st, ej_err *err);
/* ask + eval_population + tell. */
int trainer_step(trainer *t, ej_err *err);
/* One iteration of k trainers that share 'ev' and are at the same
 * iteration: their populations are evaluated in ONE eval_population call
 * (k x pop members), then each is told its slice; each gets exactly the
 * fitness it would get alone.  Timing figures are shared in proportion
 * to the population sizes. */
int trainer_step_group(trainer *const *ts, size_t k, evaluator *ev,
		       ej_err *err);
/* The final test, final.npz, checkpoint.npz and summary.json. */
int trainer_finish(trainer *t, ej_err *err);
/* Write checkpoint.npz now (no-op without out_dir). */
int trainer_checkpoint(trainer *t, ej_err *err);
bool trainer_done(const trainer *t);  /* iterations done >= max_iter */
long trainer_iter(const trainer *t);  /* iterations done */

/* ---- population-based training: exploit and explore ----------------- */

/* Copy src's whole state into dst (same algorithm, parameter count and
 * population): algorithm state (mean, step sizes, optimizer moments,
 * iteration and so RNG position), schedules, the hyperparameters set
 * with trainer_set_hparam, iteration and best-score counters, the
 * observation normalizer and the last test.  The run directory, its files,
 * the evaluator and the algorithm's seed stay dst's: after the copy both
 * continue identically when they share the seed. */
int trainer_copy_state(trainer *dst, const trainer *src, ej_err *err);
/* Change hyperparameter 'key' (one of the algorithm's hparams, e.g.
 * pgpe's center_lr) to 'value' from the next tell on; when a schedule
 * drives the key, 'value' becomes the value the schedule scales.
 * EJ_EXIT_USAGE for a key the algorithm cannot change during a run. */
int trainer_set_hparam(trainer *t, const char *key, double value,
		       ej_err *err);
/* The value last set by trainer_set_hparam; -1 if never set. */
int trainer_hparam(const trainer *t, const char *key, double *value);

/* The average score of the last test of the best parameters (taken every
 * test_interval iterations) and its iteration; -1 before any test. */
int trainer_last_test(const trainer *t, double *score, long *iter);

/* Keep the lines of a JSONL file whose "iter" is below 'iter' and that
 * are not a final test: what a resumed run would otherwise write twice. */
int trainer_trim_jsonl(const char *path, long iter, ej_err *err);

/* ---- figures ---------------------------------------------------------- */

/* Seconds of the run (its earlier sessions included when resumed), in
 * evaluations, and in the evaluation kernels themselves (launch to
 * finish), over training iterations. */
void trainer_timing(const trainer *t, double *wall, double *rollout,
		    double *kernel);
/* Environment steps executed by training rollouts so far (across
 * resumes). */
double trainer_env_steps(const trainer *t);

size_t trainer_param_count(const trainer *t);
size_t trainer_pop_size(const trainer *t);
const float *trainer_best_params(const trainer *t); /* (P) */
double trainer_final_score(const trainer *t);
double trainer_best_score(const trainer *t);
const char *trainer_out_dir(const trainer *t);

#endif
