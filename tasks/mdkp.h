/* mdkp.h - the multi-dimensional knapsack problem ("mdkp"): EvoJAX's
 * evojax/task/mdkp.py with the policy of its examples/train_mdkp.py
 * (MDKPPolicy), as a direct task: one parameter per item, mapped to a bin
 * (or none) by thresholds; fitness = the total value of the selected
 * items, 0 when a bin is over capacity.  Definitions atop tasks/mdkp.c;
 * the instance (synthesized as EvoJAX does, or read from CSV files):
 * tasks/mdkp_data.c. */
#ifndef EJ_MDKP_H
#define EJ_MDKP_H

#include <stddef.h>
#include <stdint.h>

#include "core/cfg.h"
#include "core/err.h"
#include "tasks/task.h"

/* Limits of an instance (CSV files and synthesized alike). */
#define MDKP_MAX_ITEMS 1000000
#define MDKP_MAX_BINS 100000
#define MDKP_MAX_ATTRS 1023          /* columns of items_csv <= 1024 */
#define MDKP_MAX_CSV_BYTES 268435456.0 /* 256 MiB per CSV file */
#define MDKP_ACC_FLOATS 1024         /* private accumulators per member */
#define MDKP_MAX_FLOATS 134217728    /* numbers in an instance, 512 MiB */

typedef struct mdkp_cfg {
	char items_csv[CFG_STR_MAX];    /* "" with capacity_csv "": synthesize */
	char capacity_csv[CFG_STR_MAX];
	int num_items;   /* synthesized instance: M */
	int num_attrs;   /* S */
	int num_bins;    /* B */
	int upper_bound; /* attributes and values in [0, upper_bound) */
	int data_seed;   /* numpy RandomState seed */
} mdkp_cfg;

/* A problem instance: M items of S attributes and a value, B bins of S
 * capacities.  One block 'data' holds items, caps and thresholds in this
 * order, as the device reads them. */
typedef struct mdkp_inst {
	size_t M, S, B;
	float *data;       /* (n_data) owned */
	size_t n_data;     /* M (S + 1) + B S + B + 1 */
	float *items;      /* (M, S + 1) S attributes, then the value */
	float *caps;       /* (B, S) */
	float *thresholds; /* (B + 1) MDKPPolicy's, t_0 = 0 */
	char source[600];  /* "synthesized (seed 0)" or the two paths */
} mdkp_inst;

extern const task_ops mdkp_ops;

/* ---- instances (tasks/mdkp_data.c) ----------------------------------- */

/* The instance c describes: the CSV files when both paths are set,
 * otherwise synthesized.  Errors EJ_EXIT_USAGE (see tasks/mdkp.c). */
int mdkp_load(const mdkp_cfg *c, mdkp_inst *out, ej_err *err);
/* EvoJAX's synthesized instance (numpy RandomState(seed)); EvoJAX's own
 * is mdkp_synthesize(2000, 3, 5, 100, 0). */
int mdkp_synthesize(int num_items, int num_attrs, int num_bins,
		    int upper_bound, uint32_t seed, mdkp_inst *out,
		    ej_err *err);
/* Read items_csv (M rows of S + 1 numbers) and capacity_csv (B rows of S
 * numbers). */
int mdkp_read_csv(const char *items_csv, const char *capacity_csv,
		  mdkp_inst *out, ej_err *err);
void mdkp_inst_release(mdkp_inst *in);
/* Allocate out's block for M, S, B and fill the thresholds (used by the
 * loaders). */
int mdkp_inst_alloc(mdkp_inst *out, size_t M, size_t S, size_t B,
		    ej_err *err);

/* ---- host reference (tasks/mdkp.c) ----------------------------------- */

/* MDKPPolicy's thresholds for B bins (B + 1 values). */
void mdkp_thresholds(size_t B, float *t);
/* MDKPPolicy: the bin of an item with parameter x, -1 when not selected. */
int mdkp_ref_bin(const mdkp_inst *in, float x);
/* MDKPPolicy's action: act (B, M), 1 where item i goes to bin b. */
void mdkp_ref_action(const mdkp_inst *in, const float *params, float *act);
/* MDKP.step's reward for an action act (B, M) (selected: act > 0.5). */
float mdkp_ref_reward(const mdkp_inst *in, const float *act);
/* reward(action(params)); act: (B, M) scratch. */
float mdkp_ref_fitness(const mdkp_inst *in, const float *params, float *act);

#endif
