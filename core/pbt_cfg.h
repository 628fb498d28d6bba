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

/* Where an init-time key lives in a worker's experiment. */
enum pbt_where { PBT_IN_ALGO, PBT_IN_OPTIM, PBT_IN_SCHED };

typedef struct pbt_hp {
	char key[96];        /* algo keys without "algo." ("center_lr");
				others dotted ("optimizer.beta1",
				"schedule.center_lr.warmup") */
	bool runtime;        /* one of algo_ops.hparams (changes during a
				run); else a float key set when a worker is
				created (algo.init_stdev, optimizer.*,
				schedule.*.*): sampled per worker, inherited
				by exploit, not explored */
	enum pbt_where where; /* init-time keys: the section ... */
	int sched;           /* ... (PBT_IN_SCHED: which schedule) ... */
	size_t offset;       /* ... and the offset in its config struct */
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

/* The keys a 'pbt' section may tune, from the resolved experiment: the
 * algorithm, the optimizer's schema, and each schedule's hparam and its
 * profile's schema. */
#define PBT_MAX_SCHED 8
typedef struct pbt_keys {
	const algo_ops *algo;
	const cfg_field *optim_fields;
	size_t n_optim_fields;
	int n_sched;
	const char *sched_hparam[PBT_MAX_SCHED];
	const cfg_field *sched_fields[PBT_MAX_SCHED];
	size_t n_sched_fields[PBT_MAX_SCHED];
} pbt_keys;

/* Parse the 'pbt' section (NULL or null: off); test_interval is the
 * trainer's (the default eval_interval).  EJ_EXIT_USAGE errors with
 * file:line:col. */
int pbt_cfg_parse(const cfg_node *sec, const pbt_keys *keys,
		  int test_interval, pbt_cfg *out, ej_err *err);

/* The resolved section as YAML lines (nothing when off). */
void pbt_cfg_emit(FILE *out, const pbt_cfg *c);

#endif
