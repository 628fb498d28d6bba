/* split.h - one population over several evaluators ("parts") with results
 * that do not depend on the split (DESIGN.md, scaling out):
 *
 *  - the population is cut into contiguous member ranges of whole
 *    granules (eval_granule: the members of a world of distinct agents),
 *    in proportion to weights: the user's (device.weights) or the parts'
 *    measured speeds (members per second of their calls, smoothed);
 *  - each part evaluates its range with the caller's normalizer groups
 *    clipped to it and deferred (core/eval.h): its statistics rows come
 *    back, are gathered per caller group in member order and folded once
 *    (core/obsnorm.h) - the very rows one evaluator would fold, summed in
 *    the same order;
 *  - fitness and behaviour descriptors land in member order, environment
 *    steps (integers, exact in double) are summed.
 * With every random number keyed by the member's index in the whole
 * population or shared by all members (the core/eval.h contract), the
 * fitness, metrics and files of a run are bit-identical to a one-part run
 * on parts of the same kind, whatever the weights.
 *
 * Two splits use these pieces: the OpenCL devices of one process
 * (split_create below: one evaluator and one thread per device, every
 * launch in flight at once, the calling thread waits for all) and the MPI
 * ranks of a job (core/mpi_eval.h).
 */
#ifndef EJ_SPLIT_H
#define EJ_SPLIT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/eval.h"

/* Cut n members into k ranges in proportion to the weights w (k values >
 * 0), in whole granules (n a multiple of granule): first (k + 1) with
 * first[0] = 0 <= first[1] <= ... <= first[k] = n.  Largest remainders
 * get the leftover granules (ties: the lower part).  min_one: each part
 * gets at least one granule first (needs n / granule >= k). */
void split_plan(size_t n, size_t granule, const double *w, size_t k,
		bool min_one, size_t *first);

/* Fold the speeds of a call into rate (k, members per second; 0 before
 * any measurement): part p ran first[p + 1] - first[p] members in secs[p]
 * seconds.  Parts that ran nothing keep their rate. */
void split_rates(double *rate, size_t k, const size_t *first,
		 const double *secs);

/* The weights of the next plan: rate, with parts never measured at the
 * mean of the measured ones (all 1 before any). */
void split_weights(const double *rate, size_t k, double *w);

/* The groups norms (n_norms) restricted to members [lo, hi) into out
 * (n_norms slots), deferred; returns how many, *g0 = the caller's index
 * of out[0]. */
size_t split_clip(const eval_norm *norms, size_t n_norms, size_t lo,
		  size_t hi, eval_norm *out, size_t *g0);

/* Statistics rows of the caller's groups gathered from the parts. */
typedef struct split_rows {
	float *v;         /* (cap) rows of all groups, group after group */
	size_t cap;       /* floats */
	size_t *off;      /* (n_groups + 1) first row of each group */
	size_t cap_off;
	size_t n_groups, width, cur, total;
} split_rows;

/* Start a gather of n_groups groups of width floats per row. */
int split_rows_begin(split_rows *r, size_t n_groups, size_t width,
		     ej_err *err);
/* Append count rows to group g; g never decreases between calls (parts
 * in member order within a group). */
int split_rows_add(split_rows *r, size_t g, const float *rows, size_t count,
		   ej_err *err);
/* Close the gather, then fold each group without .defer into its
 * obs_params; deferred groups keep their rows for split_rows_get. */
void split_rows_fold(split_rows *r, const eval_norm *norms, size_t n_norms);
size_t split_rows_get(const split_rows *r, size_t g, const float **rows);
void split_rows_release(split_rows *r);

/* What the evaluators that wrap others (the split over devices here, the
 * split over MPI ranks in core/ranks.c) share: the FIRST member of their
 * state, so that the ops of SPLIT_BASE_OPS serve both.  Tests score one
 * parameter vector on 'first' (no split); NULL normalizers are the
 * wrapper's own; obs_rows hands out the rows gathered by the last call. */
typedef struct split_base {
	evaluator *first;   /* an inner evaluator (the wrapper owns it) */
	size_t P, n_obs, granule;
	int n_bd;
	double *own;        /* (n_obs) the wrapper's own normalizer */
	split_rows rows;    /* statistics rows of the last call */
	char name[1100];    /* the devices, for eval_device_name */
} split_base;

/* Sizes from first; own allocated.  EJ_EXIT_RUN on out of memory. */
/* parts: devices or ranks the population is split over ('what' names
 * them in the error a call-indivisible evaluator (granule 0) gives when
 * parts > 1). */
int split_base_init(split_base *b, evaluator *first, size_t parts,
		    const char *what, ej_err *err);
void split_base_release(split_base *b);
/* NULL norms: one group of n members with the wrapper's own normalizer
 * (*own is its storage); otherwise unchanged. */
void split_base_norms(split_base *b, size_t n, const eval_norm **norms,
		      size_t *n_norms, eval_norm *own);

int split_base_test(void *state, const float *params,
		    const double *obs_params, uint32_t iter, float *scores,
		    size_t *n, ej_err *err);
size_t split_base_param_count(const void *state);
size_t split_base_test_count(const void *state);
int split_base_lanes(const void *state);
size_t split_base_obs_size(const void *state);
size_t split_base_obs_rows(const void *state, size_t g, const float **rows);
size_t split_base_granule(const void *state);
const char *split_base_device_name(const void *state);

#define SPLIT_BASE_OPS                                                      \
	.param_count = split_base_param_count, .test = split_base_test,     \
	.test_count = split_base_test_count, .lanes = split_base_lanes,     \
	.obs_params_size = split_base_obs_size,                             \
	.obs_rows = split_base_obs_rows, .granule = split_base_granule,     \
	.device_name = split_base_device_name

/* The evaluator of e over the k devices rts (borrowed, k >= 1; one
 * device gives the plain evaluator): one inner evaluator per device,
 * weights from e->device.weights (k of them, or none: measured). */
evaluator *split_create(const exp_cfg *e, clrt *const *rts, size_t k,
			ej_err *err);

#endif
