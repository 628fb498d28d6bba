/* optim.h - first-order optimizers used by gradient-estimating algorithms.
 *
 * Convention: ASCENT.  optim_step moves theta along +grad (fitness is
 * maximized everywhere in evojax).  The learning rate is passed per step so
 * that schedules can drive it.
 *
 *   sgd     v = momentum v + g;  theta += lr v   (momentum 0 = plain SGD)
 *           nesterov: theta += lr (g + momentum v), with the new v
 *           defaults momentum 0, nesterov false, weight_decay 0
 *   adam    m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
 *           theta += lr (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps)
 *           correct bias correction with the true step count t = 1, 2, ...
 *           (EvoJAX passes floor(t/1000) instead: a quirk we do not copy)
 *           defaults beta1 0.9, beta2 0.999 (both must be < 1), eps 1e-8,
 *           weight_decay 0
 *   adamw   adam plus decoupled weight decay (Loshchilov & Hutter 2019):
 *           theta += lr adam_direction - lr weight_decay theta
 *           (the decay uses the theta before the step, as torch AdamW);
 *           defaults as adam, weight_decay 0.01
 *   radam   rectified adam (Liu et al. 2020, Algorithm 2); see optim.c
 *           for the exact step, the threshold and eps; defaults as adam,
 *           threshold 4, weight_decay 0
 *   clipup  v = m v + lr g/|g|;  if |v| > max_speed: v *= max_speed/|v|;
 *           theta += v   (Toklu et al. 2020; EvoJAX defaults m 0.9,
 *           max_speed 0.15); a zero gradient is used as is (no 0/0);
 *           no weight decay
 *
 * weight_decay on sgd, adam and radam is the coupled L2 penalty: the step
 * uses g - weight_decay theta in place of g (ascent: the penalty pulls
 * theta towards 0), before momentum and moments see it.
 *
 * Each step is computed in double; theta, moments and velocities are
 * stored as float, so a saved and reloaded optimizer continues bit-exactly.
 */
#ifndef EJ_OPTIM_H
#define EJ_OPTIM_H

#include <stdbool.h>
#include <stddef.h>

#include "core/cfg.h"
#include "core/err.h"
#include "core/npz.h"

typedef struct optim_cfg {
	char name[CFG_STR_MAX]; /* sgd | adam | clipup | adamw | radam */
	double momentum;        /* sgd, clipup */
	bool nesterov;          /* sgd */
	double beta1, beta2, eps; /* adam, adamw, radam */
	double max_speed;       /* clipup */
	double weight_decay;    /* sgd, adam, radam (L2); adamw (decoupled) */
	double threshold;       /* radam: adaptive step once rho_t > this */
} optim_cfg;

typedef struct optim_info {
	const char *name;
	const char *summary;
	const cfg_field *fields; /* keys valid for this optimizer (no "name") */
	size_t n_fields;
} optim_info;

/* Registry of optimizers, terminated by { NULL }. */
extern const optim_info optim_table[];
const optim_info *optim_find(const char *name); /* NULL if unknown */

/* Parse the top-level 'optimizer' section (may be NULL: adam defaults).
 * Its 'name' (default adam) picks the optimizer, then the other keys are
 * checked against that optimizer's schema, so keys of other optimizers are
 * errors.  Errors (EJ_EXIT_USAGE), 'out' untouched:
 *   FILE:L:C: unknown optimizer 'adamm' (did you mean 'adam'?); known: sgd,
 *   adam, clipup, adamw, radam
 *   FILE:L:C: unknown key 'max_speed' in 'optimizer'
 *   FILE:L:C: 'beta1' must be a number in [0, 1), got '1' */
int optim_parse(const cfg_node *section, optim_cfg *out, ej_err *err);
/* Resolved section as YAML ("optimizer:\n  name: adam\n  beta1: 0.9\n"). */
void optim_emit(FILE *out, const optim_cfg *cfg);

typedef struct optim optim;

/* n >= 1 parameters, zero moments.  NULL on error (unknown name, n == 0:
 * EJ_EXIT_USAGE; out of memory: EJ_EXIT_RUN). */
optim *optim_create(const optim_cfg *cfg, size_t n, ej_err *err);
void optim_free(optim *o);
/* theta (n) moves along +grad (n); the step count goes up by one. */
void optim_step(optim *o, float *theta, const float *grad, double lr);
long optim_steps(const optim *o); /* steps taken so far */
/* Momentum in use: sgd/clipup momentum, or beta1 of adam, adamw and radam
 * (schedules such as onecycle cycle it).  Values outside [0, 1) are clamped. */
void optim_set_momentum(optim *o, double momentum);

/* Full state (moments, step count) as npz arrays: adam, adamw and radam
 * prefix+"m", prefix+"v" (n) f32; sgd and clipup prefix+"velocity" (n)
 * f32; all prefix+"t" () i64.  The arrays point into 'o' (valid until the
 * next step); 'names' is scratch space for the generated names.  Returns the
 * count, 0 if 'max' is too small (3 always suffices).  optim_load reads
 * the same arrays (f64 converted, t may be i32) and is all-or-nothing: on
 * error (EJ_EXIT_RUN: missing array, wrong size or type) 'o' is
 * unchanged. */
size_t optim_state(const optim *o, const char *prefix, npz_array *out,
		   size_t max, char names[][64]);
int optim_load(optim *o, const char *prefix, const npz_file *f, ej_err *err);

#endif
