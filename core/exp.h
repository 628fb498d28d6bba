/* exp.h - an experiment: the whole validated configuration, assembled from
 * the registries.  Top-level keys:
 *   seed, task, policy, algo, optimizer, schedule, trainer, device, pbt
 * Each component validates its own section against its schema; unknown
 * keys anywhere are errors with a did-you-mean hint.
 */
#ifndef EJ_EXP_H
#define EJ_EXP_H

#include <stdbool.h>
#include <stdio.h>

#include "algos/algo.h"
#include "core/cfg.h"
#include "core/optim.h"
#include "core/pbt_cfg.h"
#include "core/sched.h"
#include "policies/policy.h"
#include "tasks/task.h"

typedef struct trainer_cfg {
	int max_iter;
	int log_interval;
	int test_interval;
	int n_repeats;      /* episodes per member per iteration */
	int n_evaluations;  /* test episodes (distinct seeds) */
	int test_n_repeats; /* repeats per test evaluation (averaged) */
	bool normalize_obs;
} trainer_cfg;

typedef struct device_cfg {
	char spec[CFG_STR_MAX]; /* auto | N | P:D | name substring | all |
				   gpu:* | cpu:* | comma list (opencl/clrt.h) */
	cfg_flist weights;      /* per device of spec; n = 0: measured */
	int lanes;              /* 0 = auto */
	char noise[CFG_STR_MAX];/* auto | on | off: algorithm noise on the device */
} device_cfg;

#define EXP_MAX_SCHED 8 /* scheduled hyperparameters per experiment */

typedef struct exp_sched {
	char hparam[64];    /* key of the algo section it drives */
	double base;        /* the configured value of that key */
	sched_cfg cfg;
} exp_sched;

typedef struct exp_cfg {
	int seed;
	const task_ops *task;
	void *task_cfg;     /* owned */
	const policy_ops *policy;
	void *policy_cfg;   /* owned */
	const algo_ops *algo;
	void *algo_cfg;     /* owned */
	optim_cfg optim;
	trainer_cfg trainer;
	device_cfg device;
	int n_sched;
	exp_sched sched[EXP_MAX_SCHED]; /* 'schedule' section */
	pbt_cfg pbt;        /* 'pbt' section (pbt.on false without one) */
} exp_cfg;

extern const cfg_field exp_trainer_fields[];
extern const size_t exp_n_trainer_fields;
extern const cfg_field exp_device_fields[];
extern const size_t exp_n_device_fields;

/* A run directory 'dir' (its config.yaml) may be continued under e only
 * when both resolve to the same experiment but for trainer.max_iter and
 * the device section: otherwise EJ_EXIT_USAGE naming the first key that
 * differs and both values. */
int exp_check_resume(const exp_cfg *e, const char *dir, ej_err *err);

/* Validate the whole document.  EJ_EXIT_USAGE errors with file:line:col. */
int exp_load(const cfg_doc *doc, exp_cfg *out, ej_err *err);
void exp_release(exp_cfg *e);

/* The configured value of the algo section's float key 'key'; -1 if the
 * algorithm has no such float key. */
int exp_algo_value(const exp_cfg *e, const char *key, double *out);

/* Shrink a document for a smoke run (few iterations, small population:
 * 8, or a whole number of worlds for tasks of distinct members per agent):
 * applied as --set overrides, so the values go through validation. */
int exp_apply_smoke(cfg_doc *doc, ej_err *err);

/* The resolved configuration as YAML, loadable again. */
void exp_emit(FILE *out, const exp_cfg *e);

#endif
