/* pbt_cfg.h - the 'pbt' section of an experiment: population-based
 * training over W workers (core/pbt.h runs it).
 *
 *   pbt:
 *     method: pbt          # random | pbt
 *     workers: 8
 *     eval_interval: 20    # iterations between measurements of Q, the
 *                          # worker's test score (its trainer's test)
 *     ready: 40            # pbt: iterations between exploit/explore
 *                          # rounds, a multiple of eval_interval
 *     truncation: 0.25     # bottom fraction copies the top fraction
 *     hparams:             # dotted keys of numbers a trainer may change
 *       algo.center_lr: {init: loguniform, range: [0.005, 0.2]}
 *       algo.stdev_lr: {init: uniform, range: [0.05, 0.3],
 *                       factors: [0.8, 1.25], resample: 0.1}
 *       algo.x: {init: choice, values: [0.1, 0.2, 0.4]}
 *
 *
 * FIRE PBT (method: fire; Dalibard and Jaderberg 2021, sections 3-4):
 *     subpops: 2           # P1 (PBT on Q) .. Pn (parents: improvement
 *     subpop_size: 4       # rate of their evaluators' curves)
 *     evaluators: 3        # default 3/4 of the parents' members
 *     max_eval_steps: 150  # iterations; default 3 ready
 *     p_stat: 0.01
 *     min_steps_before_eval: [0]   # per parent sub-population
 * 'workers' is then subpops x subpop_size + evaluators.
 *
 * Per hyperparameter: init (loguniform | uniform on range, or choice
 * among values) draws each worker's starting value; explore multiplies by
 * one of 'factors' (default [0.5, 0.8, 1.25, 2.0] for keys with "lr" in
 * their name, [0.8, 0.95, 1.05, 1.2] otherwise: the FIRE PBT paper's), or,
 * with probability 'resample', draws anew from init.  Tunable keys are
 * those the algorithm can change during a run (algo_ops.hparams, e.g.
 * pgpe's center_lr and stdev_lr).
 */
#ifndef EJ_PBT_CFG_H
#define EJ_PBT_CFG_H

#include <stdbool.h>

#include "algos/algo.h"
#include "core/cfg.h"
#include "core/err.h"

#define PBT_MAX_HP 8       /* tuned hyperparameters */
#define PBT_MAX_WORKERS 1024

enum pbt_init { PBT_INIT_LOGUNIFORM, PBT_INIT_UNIFORM, PBT_INIT_CHOICE };
enum pbt_method { PBT_RANDOM, PBT_PBT, PBT_FIRE };

typedef struct pbt_hp {
	char key[64];        /* the algo key, "center_lr" ("algo.center_lr") */
	bool runtime;        /* one of algo_ops.hparams (changes during a
				run); else a float key set when a worker is
				created (algo.init_stdev): sampled per worker,
				inherited by exploit, not explored */
	size_t offset;       /* init-time keys: its place in the algo config */
	enum pbt_init init;
	double lo, hi;       /* range (loguniform, uniform) */
	cfg_flist values;    /* choice */
	cfg_flist factors;   /* explore multipliers */
	double resample;     /* probability of a fresh draw instead */
} pbt_hp;

typedef struct pbt_cfg {
	bool on;             /* the section is present */
	enum pbt_method method;
	int workers;
	int eval_interval;
	int ready;
	double truncation;
	int n_hp;
	pbt_hp hp[PBT_MAX_HP];
	/* fire: sub-populations P1 (greedy on Q) .. Pn of subpop_size
	 * members each, then the evaluators; workers = n m + E */
	int subpops, subpop_size, evaluators;
	int max_eval_steps;  /* iterations */
	double p_stat;
	cfg_ilist min_steps; /* min_steps_before_eval of P2 .. Pn */
} pbt_cfg;

/* Parse the 'pbt' section (NULL or null: off) for algorithm 'algo' whose
 * 'algo' section resolved to algo_cfg; test_interval is the trainer's (the
 * default eval_interval).  EJ_EXIT_USAGE errors with file:line:col. */
int pbt_cfg_parse(const cfg_node *sec, const algo_ops *algo,
		  int test_interval, pbt_cfg *out, ej_err *err);

/* The resolved section as YAML lines (nothing when off). */
void pbt_cfg_emit(FILE *out, const pbt_cfg *c);

#endif
