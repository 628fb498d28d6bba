/* fire.h - the statistics of FIRE PBT (Dalibard & Jaderberg, "Faster
 * Improvement Rate Population Based Training", sections 3.1-3.2): GP
 * smoothing of training curves, best_score_diff, the binomial test, the
 * evaluator stopping / success rules and the parent fitness.
 *
 * Pure host code: no OpenCL, no global state, nothing printed; errors
 * return -1 and fill an ej_err (code EJ_EXIT_RUN).  Functions that smooth
 * allocate O(n^2) scratch and free it before returning.
 *
 * Indices are 0-based.  An overlap (r, s, n) means the sections
 * y_eta[r .. r+n-1] and y_kappa[s .. s+n-1]: n = min(len_eta - r,
 * len_kappa - s) points each.  The paper writes n = max(len - r, len - s)
 * but its text asks for "the maximum number of steps for which both
 * curves have data past their starting point", and a max would index past
 * the end of the shorter curve: the minimum is implemented.
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

/* ---- best_score_diff (3.1.1) ------------------------------------------ */

typedef struct fire_overlap {
	int overlaps; /* 1: the sections below exist; 0: no overlap, r=s=n=0 */
	size_t r;     /* start in eta */
	size_t s;     /* start in kappa */
	size_t n;     /* points in each section, >= 1 when overlapping */
} fire_overlap;

/* Steps 2-3 from the smoothed curves mu_eta (n_eta,), mu_kappa (n_kappa,):
 * the curve with the higher mu[0] starts at 0 (both do on a tie); the other
 * at the first r with mu[r] >= that value.  No such r: no overlap. */
void fire_overlap_find(const double *mu_eta, size_t n_eta,
		       const double *mu_kappa, size_t n_kappa,
		       fire_overlap *ov);

/* Number of evenly spaced penalties delta tried (both ends included) when
 * one curve lies wholly above the other. */
#define FIRE_PENALTY_DELTAS 64

/* best_score_diff(eta, kappa) from already smoothed curves (mu_* as
 * fire_gp_smooth returns them), so a caller can smooth each curve once:
 *  - min(y_eta) > max(y_kappa): the penalised search: for delta evenly
 *    spaced over [min y_eta - max y_kappa, min y_eta - min y_kappa], eta
 *    becomes (x, y - delta) with smoothed curve mu_eta - delta (the GP fit
 *    of y - delta is the fit of y shifted); the result is the highest
 *    positive steps-2-4 score over the deltas whose curves overlap, else 0;
 *  - min(y_kappa) > max(y_eta): minus the same search with the roles
 *    swapped (so the result is <= 0);
 *  - otherwise steps 2-4: max y_eta[r..r+n-1] - max y_kappa[s..s+n-1] on
 *    the RAW y; 0 when the smoothed curves do not overlap.
 * Antisymmetric: swapping the curves negates the result exactly.  ov (may
 * be NULL) gets the steps-2-3 overlap of the unpenalised curves. */
int fire_score_diff(const fire_curve *eta, const double *mu_eta,
		    const fire_curve *kappa, const double *mu_kappa,
		    double *diff, fire_overlap *ov, ej_err *err);

/* best_score_diff(eta, kappa): smooth both curves, then fire_score_diff. */
int fire_best_score_diff(const fire_curve *eta, const fire_curve *kappa,
			 double *diff, fire_overlap *ov, ej_err *err);

/* ---- parent fitness (3.1.2) ------------------------------------------- */

/* fitness[j] = sum over k != j of best_score_diff(curves[j], curves[k])
 * for the m members that have an evaluator (curves[j] is the curve of
 * member j's evaluator; the k == j term is 0).  Each curve is smoothed
 * once and each pair compared once (antisymmetry).  fitness: (m,). */
int fire_fitness(const fire_curve *curves, size_t m, double *fitness,
		 ej_err *err);

/* ---- binomial test and evaluator rules (3.2) -------------------------- */

/* P(X >= k) for X ~ Binomial(n, 1/2): the one-sided (upper-tail) p-value,
 * scipy.stats.binomtest(k, n, 0.5, alternative='greater').pvalue; small
 * when k is significantly above n / 2.  1 when k == 0, 0 when k > n.
 * Exact up to rounding: terms walked from the largest by ratio. */
double fire_binom_sf(size_t k, size_t n);

/* binom_test(eta, child): smooth both curves, find their overlap (r, s, n),
 * count k = #{i < n : y_eta[r+i] > y_child[s+i]} and return
 * fire_binom_sf(k, n) in *p (1 without an overlap).  ov and k_out may be
 * NULL. */
int fire_binom_test(const fire_curve *eta, const fire_curve *child,
		    double *p, fire_overlap *ov, size_t *k_out, ej_err *err);

/* The same from smoothed curves, returning p (ov and k_out may be NULL).
 * Does not check the curves: pass ones fire_gp_smooth accepted. */
double fire_binom_test_smoothed(const fire_curve *eta, const double *mu_eta,
				const fire_curve *child,
				const double *mu_child, fire_overlap *ov,
				size_t *k_out);

/* Stop an evaluator that has trained t steps: 1 when
 *   !overlaps && t > max_eval_steps, or
 *   overlaps && p > p_stat + max(0, 1 - t / max_eval_steps),
 * else 0.  max_eval_steps == 0 makes the max(...) term 0. */
int fire_eval_should_stop(int overlaps, double t, double max_eval_steps,
			  double p, double p_stat);

/* The evaluator succeeded (its target copies its weights): diff > 0 &&
 * p < p_stat, diff = best_score_diff(eta, child), p = binom_test(eta,
 * child). */
int fire_eval_succeeds(double diff, double p, double p_stat);

#endif
