/* fire.h - the statistics of FIRE PBT (Dalibard & Jaderberg, "Faster
 * Improvement Rate Population Based Training", sections 3.1-3.2); so
 * far the GP smoothing of training curves (3.1.1 step 1).
 *
 * Pure host code: no OpenCL, no global state, nothing printed; errors
 * return -1 and fill an ej_err (code EJ_EXIT_RUN).  Functions that smooth
 * allocate O(n^2) scratch and free it before returning.
 */
#ifndef EJ_FIRE_H
#define EJ_FIRE_H

#include <stddef.h>

#include "core/err.h"

/* A training curve: objective Q measured at training steps x.  x strictly
 * increasing (regularly spaced in FIRE PBT, not required here), x and y
 * finite, n >= 2.  The arrays are borrowed, never freed or kept. */
typedef struct fire_curve {
	const double *x; /* (n,) training steps */
	const double *y; /* (n,) objective Q at x */
	size_t n;
} fire_curve;

/* ---- Gaussian-process smoothing (3.1.1 step 1) ------------------------
 *
 * Model, with y standardised first as scikit-learn's normalize_y=True does
 * (ys = (y - mean(y)) / sd(y), sd with ddof 0, sd == 0 taken as 1; the
 * constant prior mean is therefore mean(y), not a fitted parameter):
 *   ys ~ N(0, K),  K_ij = s2 m52(|x_i - x_j| / ls) + noise [i == j],
 *   m52(d) = (1 + sqrt5 d + 5 d^2 / 3) exp(-sqrt5 d).
 * This is sklearn's ConstantKernel(s2) * Matern(ls, nu=2.5) +
 * WhiteKernel(noise) with alpha=0.  The log marginal likelihood is that of
 * ys (what sklearn reports): -ys'K^-1 ys / 2 - log|K| / 2 - n log(2 pi) / 2.
 * K is factorised by LAPACKE_dpotrf and solved with LAPACKE_dpotrs.
 *
 * Empirical Bayes: (s2, ls, noise) maximise the LML inside the box
 *   s2    in [FIRE_GP_S2_MIN, FIRE_GP_S2_MAX]
 *   ls    in [h, FIRE_GP_LS_SPAN * (x[n-1] - x[0])], h = mean spacing
 *   noise in [FIRE_GP_NOISE_MIN, FIRE_GP_NOISE_MAX]
 * by Nelder-Mead in log space (points projected onto the box) from 6
 * fixed starts (s2 = 1, ls in {2h, span / 3, 2 span}, noise in {0.1,
 * 1e-3}, clamped to the box; at most 400 LMLs each), then restarted from
 * the best point (at most 8 times) until a restart gains less than 1e-9.
 * Deterministic: the same curve gives the same fit.  Each LML costs one
 * O(n^3 / 3) Cholesky; a fit typically a few hundred to a few thousand. */
#define FIRE_GP_S2_MIN 1e-2
#define FIRE_GP_S2_MAX 1e2
#define FIRE_GP_LS_SPAN 10.0
#define FIRE_GP_NOISE_MIN 1e-6
#define FIRE_GP_NOISE_MAX 10.0

typedef struct fire_gp_hp {
	double s2;    /* signal variance (standardised units) */
	double ls;    /* length scale (units of x) */
	double noise; /* white-noise variance (standardised units) */
} fire_gp_hp;

typedef struct fire_gp_fit {
	fire_gp_hp hp;
	double mean; /* mean(y): the constant prior mean */
	double sd;   /* sd(y), ddof 0 (1 when y is constant) */
	double lml;  /* log marginal likelihood of the standardised y at hp */
} fire_gp_fit;

/* The LML of c at fixed hyperparameters (no optimisation).  Fails on a bad
 * curve, non-positive or non-finite hp, or a K that is not positive
 * definite. */
int fire_gp_lml(const fire_curve *c, const fire_gp_hp *hp, double *lml,
		ej_err *err);

/* The posterior mean at the x_i under fixed hp, in units of y:
 * mu = mean + sd * s2 M (K^-1 ys), M the Matern matrix (no noise term).
 * mu: (c->n,).  fit (may be NULL) gets hp, mean, sd and the LML. */
int fire_gp_mean(const fire_curve *c, const fire_gp_hp *hp, double *mu,
		 fire_gp_fit *fit, ej_err *err);

/* Fit the hyperparameters (empirical Bayes, above) and return the smoothed
 * curve: mu (c->n,) as in fire_gp_mean at the fitted hp.  fit may be
 * NULL. */
int fire_gp_smooth(const fire_curve *c, double *mu, fire_gp_fit *fit,
		   ej_err *err);

#endif
