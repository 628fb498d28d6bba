/* pbt.h - population-based training: W workers, each a whole trainer
 * (core/trainer.h) on the same task and policy with its own
 * hyperparameters, evaluated together in ONE evaluator call per iteration
 * (trainer_step_group: one device launch for W x pop members).
 *
 * Methods (the experiment's 'pbt' section, core/pbt_cfg.h):
 *   random  independent workers with sampled hyperparameters (random
 *           search, the baseline);
 *   pbt     (Jaderberg et al. 2017) every 'ready' iterations the workers
 *           are ranked by Q, their last test score; each of the bottom
 *           truncation fraction copies the whole state and hyperparameters
 *           of a random top-fraction worker (exploit, trainer_copy_state)
 *           and then perturbs each tuned hyperparameter (explore):
 *           multiplies it by a factor drawn from its list, or with
 *           probability 'resample' draws it anew from its init
 *           distribution.
 *   fire    FIRE PBT (core/pbt_fire.c): sub-populations whose parents
 *           are ranked by their evaluators' curves, evaluators that carry
 *           weights into the child sub-population.
 * Q is measured every eval_interval iterations (the workers' trainers
 * test their best parameters then).  All draws are Philox keyed by (seed,
 * PH_PURPOSE_PBT, iteration, worker, ...): same config and seed, same run.
 *
 * Run directory: config.yaml, log.txt (the driver's log), metrics.jsonl
 * (every worker's lines, tagged "worker"), pbt.jsonl (one line per event:
 * init, ready, exploit from -> to, explore old -> new), pbt_state.npz (the
 * driver's state: Q, hyperparameters, lineages), worker_<w>/ (each
 * worker's own trainer directory: npz files, checkpoint, log), best.npz
 * (the final parameters of the worker with the best final test score) and
 * summary.json (that worker, its score and the hyperparameter schedule
 * its lineage followed).  --resume continues from the last measurement
 * point with the results of an uninterrupted run.
 */
#ifndef EJ_PBT_H
#define EJ_PBT_H

#include "core/eval.h"
#include "core/exp.h"
#include "core/trainer.h"

typedef struct pbt pbt;

/* e->pbt.on must be set; e and ev are borrowed.  o as for a trainer:
 * out_dir, or read_dir alone to run (and resume) writing nothing. */
pbt *pbt_create(const exp_cfg *e, evaluator *ev, const trainer_opts *o,
		ej_err *err);
void pbt_free(pbt *p);

/* The whole run; EJ_EXIT_INTERRUPT after an interrupt (checkpoints of every
 * worker and the driver written first). */
int pbt_run(pbt *p, ej_err *err);

/* After pbt_run: the best worker and its final test score. */
int pbt_best_worker(const pbt *p, double *score);

/* Worker w's trainer (tests). */
trainer *pbt_worker(const pbt *p, int w);

#endif
