/* pbt_int.h - what core/pbt.c (the driver: workers, PBT, state, summary)
 * and core/pbt_fire.c (FIRE PBT's sub-populations and evaluators) share.
 * Private to the pbt module. */
#ifndef EJ_PBT_INT_H
#define EJ_PBT_INT_H

#include <stdint.h>
#include <stdio.h>

#include "core/npz.h"
#include "core/pbt.h"

/* One piece of a worker's lineage: from iteration 'iter' on, the values
 * v, inherited from worker 'from' (its own index when not copied). */
typedef struct pbt_seg {
	int64_t iter;
	int32_t from;
	double v[PBT_MAX_HP];
} pbt_seg;

struct pbt {
	const exp_cfg *e;   /* borrowed */
	exp_cfg we;         /* the workers' experiment: test_interval =
			       eval_interval (owned pointers are e's) */
	exp_cfg *wes;       /* (W) per worker, when init-time keys are tuned
			       (algo_cfg: its row of algo_cfgs), or NULL */
	char *algo_cfgs;    /* (W, algo cfg_size) */
	const pbt_cfg *c;
	evaluator *ev;      /* borrowed */
	trainer_opts o;
	int W, H;
	trainer **w;        /* (W) */
	double *q;          /* (W) the last measured Q; -inf before one */
	double *hp;         /* (W, H) values in use */
	pbt_seg *lin;       /* (W, S) lineages */
	int64_t *n_lin;     /* (W) segments in use */
	size_t S;           /* segments per worker */
	long iter;          /* iterations done */
	FILE *log_txt, *metrics, *events;
	char dir[4096];
	double t_start;
	double wall_before; /* seconds of earlier sessions (timing.json) */
	long iter0;         /* iterations done when this session started */
	int best;           /* after the run: the best worker */
	double best_score;
	/* FIRE PBT (core/pbt_fire.c); NULL arrays for other methods.  Worker
	 * w is a member of sub-population sub[w] (1 = P1, greedy) or, with
	 * sub[w] == 0, an evaluator. */
	int32_t *sub;       /* (W) */
	double *cx, *cy;    /* (W, C) each worker's curve: iteration, Q */
	int64_t *cn;        /* (W) points in the curve (since its last copy) */
	size_t C;           /* curve capacity */
	int64_t *last_eval; /* (W) members: when last evaluated or copied into */
	int32_t *parent;    /* (W) evaluators: assigned member, -1 none */
	int32_t *target;    /* (W) evaluators: target in the child sub-pop */
	int64_t *assigned;  /* (W) evaluators: iteration of the assignment */
};

/* A human line (log.txt, stderr) and one pbt.jsonl event line. */
void pbt_log(pbt *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pbt_event(pbt *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* '"center_lr": 0.05, ...' of the values v. */
void pbt_hp_json(const pbt *p, const double *v, char *buf, size_t size);
/* Set worker w's trainer to its values p->hp[w]. */
int pbt_apply(pbt *p, int w, ej_err *err);
/* Append (p->iter, values of w, from) to w's lineage. */
void pbt_lineage_push(pbt *p, int w, int from);
/* Order 'idx' (n workers) by key[] descending, ties by index. */
void pbt_sort(int *idx, int n, const double *key);
/* Exploit and explore among the workers 'order' (best first, n of
 * them) at the measurement of iteration t. */
int pbt_exploit(pbt *p, const int *order, int n, long t, ej_err *err);
/* Array 'name' of f with n elements of dtype dt, or NULL and an error. */
const void *pbt_get(const npz_file *f, const char *name, enum npz_dtype dt,
		    size_t n, ej_err *err);

/* ---- core/pbt_fire.c -------------------------------------------------- */

int pbt_fire_init(pbt *p, ej_err *err);
void pbt_fire_free(pbt *p);
/* Record Q of every worker; at ready points: sub-population PBT with
 * FIRE's fitness, evaluator stop/success and assignment. */
int pbt_fire_measure(pbt *p, long t, ej_err *err);
/* Worker w copied other weights (exploit or success): its curve restarts
 * and evaluators tied to it are released. */
void pbt_fire_lost(pbt *p, int w, long t);
/* The FIRE arrays for pbt_state.npz (up to 8) and back. */
size_t pbt_fire_state(pbt *p, npz_array *a);
int pbt_fire_load(pbt *p, const npz_file *f, ej_err *err);

#endif
