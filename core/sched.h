/* sched.h - learning-rate schedules: a profile sampled at a rate (Chen,
 * Wolfe & Kyrillidis, "REX: revisiting budgeted training with an improved
 * schedule", MLSys 2022, section 4.1), with an optional linear warmup.
 *
 * A schedule gives a FACTOR that multiplies a configured base value, so it
 * can drive any learning-rate-like hyperparameter (center_lr, stdev_lr...);
 * onecycle also gives a momentum VALUE.  T is the run's max_iter and t the
 * 0-based iteration (0..T-1; T gives the end value).  See sched.c for every
 * formula, default and source.
 *
 * Config: the map under 'schedule: <hparam>:', e.g.
 *     schedule:
 *       center_lr: {profile: rex, warmup: 0.05}
 *       stdev_lr: cosine                  # shorthand for {profile: cosine}
 * Each profile has its own keys (sched_table); keys of other profiles are
 * errors, as for optimizers.
 *
 * Usage (the trainer):
 *     sched s;  sched_init(&s, &cfg, max_iter);
 *     each iteration t:   lr = base * sched_factor(&s, t);
 *                         m = sched_momentum(&s, t);  (onecycle: not NAN)
 *     each test at t:     sched_observe(&s, t, test_score);  (plateau)
 *     checkpoint:         sched_state / sched_load
 * A sched is a plain value (no pointers, no allocation): copy it with '='
 * (PBT exploit) and free nothing.
 */
#ifndef EJ_SCHED_H
#define EJ_SCHED_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/cfg.h"
#include "core/err.h"
#include "core/npz.h"

typedef struct sched_cfg {
	char profile[CFG_STR_MAX];  /* constant | step | linear | cosine |
	                               exponential | onecycle | rex |
	                               delayed_linear | plateau */
	double warmup;              /* all: fraction of T, in [0, 1) */
	cfg_flist milestones;       /* step: fractions of the budget */
	double factor;              /* step, plateau: multiplier per event */
	double gamma;               /* exponential: e^(gamma t/T) */
	double hold;                /* delayed_linear: 1 until this fraction */
	double min_ratio;           /* onecycle: eta_min / eta_max */
	double momentum_min, momentum_max; /* onecycle */
	int patience;               /* plateau: non-improving tests */
	char sampling[CFG_STR_MAX]; /* iteration | at | every (not constant,
	                               plateau) */
	cfg_flist at;               /* sampling at: fractions of the budget */
	double every;               /* sampling every: fraction of the budget */
} sched_cfg;

typedef struct sched_info {
	const char *name;
	const char *summary;
	const cfg_field *fields; /* keys valid for this profile (no "profile") */
	size_t n_fields;
} sched_info;

/* Registry of profiles, terminated by { NULL }. */
extern const sched_info sched_table[];
const sched_info *sched_find(const char *name); /* NULL if unknown */

/* Parse the node under 'schedule: <hparam>:'.  A mapping must have a
 * 'profile'; a plain scalar "rex" is short for {profile: rex}; NULL or a
 * null node gives {profile: constant}.  'hparam' only names the section in
 * messages ('schedule.<hparam>').  Errors (EJ_EXIT_USAGE), 'out' untouched:
 *   FILE:L:C: unknown schedule profile 'rexx' (did you mean 'rex'?);
 *   known: constant, step, linear, cosine, exponential, onecycle, rex,
 *   delayed_linear, plateau
 *   FILE:L:C: 'schedule.center_lr' needs a 'profile' (one of constant, ...)
 *   FILE:L:C: 'schedule.center_lr' must be a profile name or a mapping
 *   FILE:L:C: unknown key 'gamma' in 'schedule.center_lr'   (not rex's)
 *   FILE:L:C: 'hold' must be a number in [0, 1), got '1'
 *   FILE:L:C: 'at' only applies with 'sampling: at'
 *   FILE:L:C: 'every' cannot be combined with 'at'
 * Sampling: 'sampling' defaults to 'at' when an 'at' list is given, to
 * 'every' when 'every' is given, else to 'iteration'. */
int sched_parse(const cfg_node *node, const char *hparam, sched_cfg *out,
		ej_err *err);

/* Resolved keys as YAML block-map lines indented by 'indent' spaces,
 * "profile: rex" first; at/every only with their sampling mode.  The
 * output parses back (sched_parse) to the same config.  The caller writes
 * the enclosing "schedule:\n  center_lr:\n" lines (then indent 4). */
void sched_emit(FILE *out, int indent, const sched_cfg *c);

/* For `evojax list`: one "  name - summary" line per profile, its keys
 * below (cfg_print_schema, indent 4). */
void sched_print_help(FILE *out);

/* A schedule in use.  Fields are private to sched.c but exposed so that
 * callers can embed it by value. */
typedef struct sched {
	sched_cfg cfg;
	int profile;         /* enum sched_profile of sched.c */
	int sampling;        /* enum sched_sampling of sched.c */
	long T;              /* run length (>= 1) */
	long warmup_iters;   /* W = round(warmup T), <= T-1 */
	long budget;         /* B = T - W >= 1: the profile's own length */
	/* plateau feedback, saved by sched_state */
	double best;         /* best test score seen; -inf before any */
	int64_t bad;         /* consecutive non-improving tests */
	double scale;        /* product of the reductions so far */
} sched;

/* T < 1 is taken as 1. */
void sched_init(sched *s, const sched_cfg *c, long T);
/* The multiplier at iteration t (t < 0 is taken as 0, t > T as T). */
double sched_factor(const sched *s, long t);
/* onecycle: the momentum value at iteration t; NAN for other profiles. */
double sched_momentum(const sched *s, long t);
/* plateau: the test score (maximized) measured at iteration t; other
 * profiles ignore it.  The reduction, if any, applies from the next
 * sched_factor call on. */
void sched_observe(sched *s, long t, double test_score);

/* Feedback state as npz arrays: prefix+"best" () f64, prefix+"bad" () i64,
 * prefix+"scale" () f64 (written for every profile, so a checkpoint's
 * layout does not depend on it).  The arrays point into 's'; 'names' is
 * scratch space.  Returns 3, or 0 if 'max' < 3.  sched_load reads them
 * back (bad may be i32) all-or-nothing: on error (EJ_EXIT_RUN: missing
 * array, wrong type or size, bad < 0, scale not finite and > 0) 's' is
 * unchanged.  Profile values are a pure function of t: nothing else needs
 * saving. */
size_t sched_state(const sched *s, const char *prefix, npz_array *out,
		   size_t max, char names[][64]);
int sched_load(sched *s, const char *prefix, const npz_file *f, ej_err *err);

#endif
