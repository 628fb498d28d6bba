/* trainer_int.h - what core/trainer.c (the loop, steps, exploit/explore)
 * and core/trainer_dir.c (the run directory: logs, metrics, npz files,
 * checkpoint, summary) share.  Private to the trainer module. */
#ifndef EJ_TRAINER_INT_H
#define EJ_TRAINER_INT_H

#include <stdbool.h>
#include <stdio.h>

#include "core/trainer.h"

#define TR_MAX_BD 16 /* most behaviour descriptor dimensions */
#define TR_MAX_HP 16 /* hyperparameters set through trainer_set_hparam */
#define TR_HP_PREFIX "trainer_hp_" /* their checkpoint arrays */

struct trainer {
	const exp_cfg *e;          /* borrowed */
	evaluator *ev;             /* borrowed */
	trainer_opts o;
	noisedev *nd;              /* algorithm noise on the device, or NULL */
	void *algo;                /* e->algo state */
	size_t pop, P;
	int n_bd;
	float *params;             /* (pop, P) */
	float *fitness;            /* (pop) */
	float *bd;                 /* (pop, n_bd) behaviour descriptors */
	double *obs_params;        /* (n_obs) observation normalizer */
	size_t n_obs;              /* eval_obs_params_size */
	FILE *log_txt, *metrics;   /* run directory files, NULL without out_dir */
	char dir[4096];
	double t_start, rollout_s, kernel_s, env_steps, last_progress;
	double comm_s, comm_bytes; /* MPI collectives of this session */
	double wall_before;        /* wall seconds of the run before a resume */
	long iter_start;           /* iterations done when this session began */
	long iter_done;
	double best_score, final_score;
	double last_test;          /* avg of the last test, at last_test_iter */
	long last_test_iter;       /* -1: none yet */
	long best_iter;
	bool has_best;
	sched sched[EXP_MAX_SCHED]; /* one per e->sched[] */
	double sched_base[EXP_MAX_SCHED]; /* value each schedule scales */
	int n_hp;                  /* hyperparameters set since creation */
	struct { char key[64]; double value; } hp[TR_MAX_HP];
};

/* ---- core/trainer_dir.c ----------------------------------------------- */

void tr_path(const trainer *t, char *buf, size_t size, const char *name);
/* A human log line: log.txt always, log_out unless a progress line owns
 * the terminal (then it is printed above the progress line). */
void tr_log(trainer *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* One machine-readable JSON line to metrics.jsonl and metrics_out. */
void tr_metric(trainer *t, const char *json);
/* Create the directory, write config.yaml, open log.txt and metrics.jsonl
 * (resuming: keep what was written before the checkpoint). */
int tr_open_dir(trainer *t, ej_err *err);
/* checkpoint.npz into the algorithm, schedules, normalizer, counters and
 * set hyperparameters. */
int tr_load_checkpoint(trainer *t, ej_err *err);
/* params (P) and the normalizer as an EvoJAX-style npz 'name'. */
int tr_save_params(trainer *t, const char *name, const float *params,
		   ej_err *err);
int tr_checkpoint(trainer *t, ej_err *err);
/* The in-place progress line after iteration 'iter'. */
void tr_progress(trainer *t, long iter, const test_stats *fit);
int tr_summary(trainer *t, double wall, ej_err *err);
/* Apply a set hyperparameter without checks (trainer.c). */
void tr_put_hparam(trainer *t, const char *key, double value);

#endif
