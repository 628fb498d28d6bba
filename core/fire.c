/* fire.c - FIRE PBT statistics (fire.h): GP smoothing with LAPACKE,
 * best_score_diff, the binomial test, the evaluator rules, the fitness. */
#include "core/fire.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lapacke.h>

#include "core/linalg.h"

#define SQRT5 2.23606797749978969641
#define LOG_2PI 1.83787706640934548356
#define LN2 0.69314718055994530942

/* ---- curves ------------------------------------------------------------ */

static int curve_check(const fire_curve *c, ej_err *err)
{
	if (!c || !c->x || !c->y)
		return ej_fail(err, EJ_EXIT_RUN, "training curve is missing");
	if (c->n < 2)
		return ej_fail(err, EJ_EXIT_RUN,
			       "training curve has %zu point%s, needs at "
			       "least 2", c->n, c->n == 1 ? "" : "s");
	for (size_t i = 0; i < c->n; i++) {
		if (!isfinite(c->x[i]))
			return ej_fail(err, EJ_EXIT_RUN,
				       "training curve 'x[%zu]' is %g, steps "
				       "must be finite", i, c->x[i]);
		if (!isfinite(c->y[i]))
			return ej_fail(err, EJ_EXIT_RUN,
				       "training curve 'y[%zu]' is %g, values "
				       "must be finite", i, c->y[i]);
		if (i > 0 && !(c->x[i] > c->x[i - 1]))
			return ej_fail(err, EJ_EXIT_RUN,
				       "training curve 'x[%zu]' = %g does not "
				       "follow x[%zu] = %g, steps must increase",
				       i, c->x[i], i - 1, c->x[i - 1]);
	}
	return 0;
}

static double arr_min(const double *a, size_t n)
{
	double m = a[0];

	for (size_t i = 1; i < n; i++)
		m = a[i] < m ? a[i] : m;
	return m;
}

static double arr_max(const double *a, size_t n)
{
	double m = a[0];

	for (size_t i = 1; i < n; i++)
		m = a[i] > m ? a[i] : m;
	return m;
}

/* ---- GP ---------------------------------------------------------------- */

/* Scratch for one curve: the standardised y, K (then its Cholesky factor,
 * column-major lower triangle) and K^-1 ys. */
typedef struct gp_ws {
	const double *x; /* (n,) borrowed */
	size_t n;
	double mean, sd;
	double *ys;    /* (n,) standardised y */
	double *k;     /* (n, n) */
	double *alpha; /* (n,) */
} gp_ws;

static void gp_ws_free(gp_ws *w)
{
	free(w->ys);
	free(w->k);
	free(w->alpha);
}

static int gp_ws_init(gp_ws *w, const fire_curve *c, ej_err *err)
{
	size_t n = c->n;
	double m = 0, v = 0;

	memset(w, 0, sizeof(*w));
	if (curve_check(c, err) < 0)
		return -1;
	w->x = c->x;
	w->n = n;
	w->ys = malloc(n * sizeof(double));
	w->alpha = malloc(n * sizeof(double));
	w->k = n <= SIZE_MAX / sizeof(double) / n ?
		       malloc(n * n * sizeof(double)) : NULL;
	if (!w->ys || !w->alpha || !w->k) {
		gp_ws_free(w);
		return ej_fail(err, EJ_EXIT_RUN,
			       "out of memory smoothing a training curve of "
			       "%zu points", n);
	}
	for (size_t i = 0; i < n; i++)
		m += c->y[i];
	m /= (double)n;
	for (size_t i = 0; i < n; i++)
		v += (c->y[i] - m) * (c->y[i] - m);
	v = sqrt(v / (double)n);
	w->mean = m;
	w->sd = v == 0 ? 1 : v;
	for (size_t i = 0; i < n; i++)
		w->ys[i] = (c->y[i] - m) / w->sd;
	return 0;
}

/* The LML of ws at hp; leaves alpha = K^-1 ys.  Returns -1 when K is not
 * positive definite (info > 0) or LAPACKE reports an error. */
static int gp_eval(gp_ws *w, const fire_gp_hp *hp, double *lml)
{
	size_t n = w->n;
	double *k = w->k, quad = 0, logdet = 0;
	lapack_int info;

	for (size_t j = 0; j < n; j++) {
		k[j * n + j] = hp->s2 + hp->noise;
		for (size_t i = j + 1; i < n; i++) {
			double d = SQRT5 * fabs(w->x[i] - w->x[j]) / hp->ls;

			k[j * n + i] = hp->s2 * (1 + d + d * d / 3) * exp(-d);
		}
	}
	la_single_thread();
	info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', (lapack_int)n, k,
			      (lapack_int)n);
	if (info != 0)
		return -1;
	memcpy(w->alpha, w->ys, n * sizeof(double));
	info = LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'L', (lapack_int)n, 1, k,
			      (lapack_int)n, w->alpha, (lapack_int)n);
	if (info != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		quad += w->ys[i] * w->alpha[i];
		logdet += log(k[i * n + i]);
	}
	*lml = -0.5 * quad - logdet - 0.5 * (double)n * LOG_2PI;
	return isfinite(*lml) ? 0 : -1;
}

static int hp_check(const fire_gp_hp *hp, ej_err *err)
{
	if (!hp || !(hp->s2 > 0) || !(hp->ls > 0) || !(hp->noise >= 0) ||
	    !isfinite(hp->s2) || !isfinite(hp->ls) || !isfinite(hp->noise))
		return ej_fail(err, EJ_EXIT_RUN,
			       "GP hyperparameters s2=%g ls=%g noise=%g must "
			       "be finite, s2 and ls positive, noise >= 0",
			       hp ? hp->s2 : NAN, hp ? hp->ls : NAN,
			       hp ? hp->noise : NAN);
	return 0;
}

static int gp_eval_checked(gp_ws *w, const fire_gp_hp *hp, double *lml,
			   ej_err *err)
{
	if (gp_eval(w, hp, lml) < 0)
		return ej_fail(err, EJ_EXIT_RUN,
			       "GP kernel matrix with s2=%g ls=%g noise=%g is "
			       "not positive definite", hp->s2, hp->ls,
			       hp->noise);
	return 0;
}

/* mu = mean + sd (ys - noise alpha): K alpha = ys, so s2 M alpha =
 * ys - noise alpha without forming M again. */
static void gp_mean_out(const gp_ws *w, double noise, double *mu)
{
	for (size_t i = 0; i < w->n; i++)
		mu[i] = w->mean + w->sd * (w->ys[i] - noise * w->alpha[i]);
}

int fire_gp_lml(const fire_curve *c, const fire_gp_hp *hp, double *lml,
		ej_err *err)
{
	gp_ws w;
	int rc;

	if (hp_check(hp, err) < 0 || gp_ws_init(&w, c, err) < 0)
		return -1;
	rc = gp_eval_checked(&w, hp, lml, err);
	gp_ws_free(&w);
	return rc;
}

int fire_gp_mean(const fire_curve *c, const fire_gp_hp *hp, double *mu,
		 fire_gp_fit *fit, ej_err *err)
{
	gp_ws w;
	double lml;

	if (hp_check(hp, err) < 0 || gp_ws_init(&w, c, err) < 0)
		return -1;
	if (gp_eval_checked(&w, hp, &lml, err) < 0) {
		gp_ws_free(&w);
		return -1;
	}
	gp_mean_out(&w, hp->noise, mu);
	if (fit)
		*fit = (fire_gp_fit){ *hp, w.mean, w.sd, lml };
	gp_ws_free(&w);
	return 0;
}

/* ---- empirical Bayes: Nelder-Mead in log space on a box --------------- */

#define NM_DIM 3
#define NM_MAX_EVALS 400

typedef struct nm_box {
	gp_ws *w;
	double lo[NM_DIM], hi[NM_DIM]; /* log-space bounds */
} nm_box;

static void nm_project(const nm_box *b, double *t)
{
	for (int d = 0; d < NM_DIM; d++)
		t[d] = t[d] < b->lo[d] ? b->lo[d] :
		       t[d] > b->hi[d] ? b->hi[d] : t[d];
}

/* -LML at theta = (log s2, log ls, log noise); +inf where K fails. */
static double nm_f(const nm_box *b, const double *t)
{
	fire_gp_hp hp = { exp(t[0]), exp(t[1]), exp(t[2]) };
	double lml;

	return gp_eval(b->w, &hp, &lml) < 0 ? HUGE_VAL : -lml;
}

/* One Nelder-Mead run (coefficients 1, 2, 1/2, 1/2) from t with initial
 * steps 'step' along each axis (backwards where the box stops a step).
 * t gets the best point; returns its value. */
static double nm_run(const nm_box *b, double *t, double step)
{
	double p[NM_DIM + 1][NM_DIM], f[NM_DIM + 1];
	int evals = 0;

	for (int i = 0; i <= NM_DIM; i++) {
		memcpy(p[i], t, sizeof(p[i]));
		if (i > 0) {
			int d = i - 1;

			p[i][d] += p[i][d] + step <= b->hi[d] ? step : -step;
			nm_project(b, p[i]);
		}
		f[i] = nm_f(b, p[i]);
		evals++;
	}
	for (;;) {
		double c[NM_DIM], xr[NM_DIM], xe[NM_DIM], xc[NM_DIM];
		double fr, fe, fc, ext = 0;
		const int h = NM_DIM;

		/* sort the vertices by f, best first (insertion sort) */
		for (int i = 1; i <= NM_DIM; i++)
			for (int j = i; j > 0 && f[j] < f[j - 1]; j--) {
				double tf = f[j], tp[NM_DIM];

				memcpy(tp, p[j], sizeof(tp));
				memcpy(p[j], p[j - 1], sizeof(tp));
				memcpy(p[j - 1], tp, sizeof(tp));
				f[j] = f[j - 1];
				f[j - 1] = tf;
			}
		for (int i = 1; i <= NM_DIM; i++)
			for (int d = 0; d < NM_DIM; d++)
				ext = fmax(ext, fabs(p[i][d] - p[0][d]));
		if ((f[h] - f[0] <= 1e-11 * (1 + fabs(f[0])) && ext <= 1e-7) ||
		    evals >= NM_MAX_EVALS)
			break;
		for (int d = 0; d < NM_DIM; d++) {
			c[d] = 0;
			for (int i = 0; i < h; i++)
				c[d] += p[i][d] / h;
			xr[d] = c[d] + (c[d] - p[h][d]);
		}
		nm_project(b, xr);
		fr = nm_f(b, xr);
		evals++;
		if (fr < f[0]) {
			for (int d = 0; d < NM_DIM; d++)
				xe[d] = c[d] + 2 * (c[d] - p[h][d]);
			nm_project(b, xe);
			fe = nm_f(b, xe);
			evals++;
			memcpy(p[h], fe < fr ? xe : xr, sizeof(xr));
			f[h] = fe < fr ? fe : fr;
			continue;
		}
		if (fr < f[h - 1]) {
			memcpy(p[h], xr, sizeof(xr));
			f[h] = fr;
			continue;
		}
		/* contract outside (towards xr) or inside (towards p[h]) */
		for (int d = 0; d < NM_DIM; d++)
			xc[d] = c[d] + 0.5 * ((fr < f[h] ? xr[d] : p[h][d]) -
					      c[d]);
		fc = nm_f(b, xc);
		evals++;
		if (fc < fmin(fr, f[h])) {
			memcpy(p[h], xc, sizeof(xc));
			f[h] = fc;
			continue;
		}
		for (int i = 1; i <= NM_DIM; i++) { /* shrink towards p[0] */
			for (int d = 0; d < NM_DIM; d++)
				p[i][d] = p[0][d] + 0.5 * (p[i][d] - p[0][d]);
			f[i] = nm_f(b, p[i]);
			evals++;
		}
	}
	memcpy(t, p[0], sizeof(p[0]));
	return f[0];
}

int fire_gp_smooth(const fire_curve *c, double *mu, fire_gp_fit *fit,
		   ej_err *err)
{
	/* the starts: s2 = 1, ls in {2h, span / 3, 2 span}, noise in
	 * {1e-1, 1e-3} (clamped to the box) */
	static const double ls_start[3][2] = { { 2, 0 }, { 0, 1.0 / 3 },
					       { 0, 2 } };
	static const double noise_start[2] = { 1e-1, 1e-3 };
	double best[NM_DIM], fbest = HUGE_VAL, span, h, lml;
	nm_box b;
	gp_ws w;
	fire_gp_hp hp;

	if (gp_ws_init(&w, c, err) < 0)
		return -1;
	span = c->x[c->n - 1] - c->x[0];
	h = span / (double)(c->n - 1);
	b = (nm_box){ &w,
		      { log(FIRE_GP_S2_MIN), log(h), log(FIRE_GP_NOISE_MIN) },
		      { log(FIRE_GP_S2_MAX), log(FIRE_GP_LS_SPAN * span),
			log(FIRE_GP_NOISE_MAX) } };
	for (int i = 0; i < 6; i++) {
		const double *ls = ls_start[i / 2];
		double t[NM_DIM] = { 0, log(ls[0] * h + ls[1] * span),
				     log(noise_start[i % 2]) };
		double ft;

		nm_project(&b, t);
		ft = nm_run(&b, t, 1.0);
		if (ft < fbest) {
			fbest = ft;
			memcpy(best, t, sizeof(best));
		}
	}
	/* restart from the best until it stops paying (NM can stall) */
	for (int i = 0; i < 8 && isfinite(fbest); i++) {
		double t[NM_DIM], ft;

		memcpy(t, best, sizeof(t));
		ft = nm_run(&b, t, 0.25);
		if (!(ft < fbest))
			break;
		memcpy(best, t, sizeof(best));
		if (fbest - ft < 1e-9) {
			fbest = ft;
			break;
		}
		fbest = ft;
	}
	if (!isfinite(fbest)) {
		gp_ws_free(&w);
		return ej_fail(err, EJ_EXIT_RUN,
			       "GP fit found no positive definite kernel "
			       "matrix for a curve of %zu points", c->n);
	}
	hp = (fire_gp_hp){ exp(best[0]), exp(best[1]), exp(best[2]) };
	if (gp_eval_checked(&w, &hp, &lml, err) < 0) {
		gp_ws_free(&w);
		return -1;
	}
	gp_mean_out(&w, hp.noise, mu);
	if (fit)
		*fit = (fire_gp_fit){ hp, w.mean, w.sd, lml };
	gp_ws_free(&w);
	return 0;
}

/* ---- best_score_diff --------------------------------------------------- */

/* fire_overlap_find with mu_eta shifted down by pen (the penalised eta). */
static void overlap_find(const double *mu_e, size_t n_e, double pen,
			 const double *mu_k, size_t n_k, fire_overlap *ov)
{
	size_t r = 0, s = 0;

	*ov = (fire_overlap){ 0, 0, 0, 0 };
	if (mu_e[0] - pen > mu_k[0]) {
		while (s < n_k && !(mu_k[s] >= mu_e[0] - pen))
			s++;
		if (s == n_k)
			return;
	} else {
		while (r < n_e && !(mu_e[r] - pen >= mu_k[0]))
			r++;
		if (r == n_e)
			return;
	}
	ov->overlaps = 1;
	ov->r = r;
	ov->s = s;
	ov->n = n_e - r < n_k - s ? n_e - r : n_k - s;
}

void fire_overlap_find(const double *mu_eta, size_t n_eta,
		       const double *mu_kappa, size_t n_kappa,
		       fire_overlap *ov)
{
	if (!n_eta || !n_kappa) {
		*ov = (fire_overlap){ 0, 0, 0, 0 };
		return;
	}
	overlap_find(mu_eta, n_eta, 0, mu_kappa, n_kappa, ov);
}

/* Step 4 for an overlap of (eta - pen, kappa). */
static double section_diff(const fire_curve *e, double pen,
			   const fire_curve *k, const fire_overlap *ov)
{
	return (arr_max(e->y + ov->r, ov->n) - pen) -
	       arr_max(k->y + ov->s, ov->n);
}

/* The penalised search for e wholly above k: >= 0. */
static double penalised(const fire_curve *e, const double *mu_e,
			const fire_curve *k, const double *mu_k)
{
	double lo = arr_min(e->y, e->n) - arr_max(k->y, k->n);
	double hi = arr_min(e->y, e->n) - arr_min(k->y, k->n);
	double best = 0;

	for (int i = 0; i < FIRE_PENALTY_DELTAS; i++) {
		double delta = i == FIRE_PENALTY_DELTAS - 1 ? hi :
			       lo + (hi - lo) * i / (FIRE_PENALTY_DELTAS - 1);
		fire_overlap ov;

		overlap_find(mu_e, e->n, delta, mu_k, k->n, &ov);
		if (ov.overlaps)
			best = fmax(best, section_diff(e, delta, k, &ov));
	}
	return best;
}

int fire_score_diff(const fire_curve *eta, const double *mu_eta,
		    const fire_curve *kappa, const double *mu_kappa,
		    double *diff, fire_overlap *ov, ej_err *err)
{
	fire_overlap o;

	if (curve_check(eta, err) < 0)
		return ej_prefix(err, "eta: ");
	if (curve_check(kappa, err) < 0)
		return ej_prefix(err, "kappa: ");
	overlap_find(mu_eta, eta->n, 0, mu_kappa, kappa->n, &o);
	if (ov)
		*ov = o;
	if (arr_min(eta->y, eta->n) > arr_max(kappa->y, kappa->n))
		*diff = penalised(eta, mu_eta, kappa, mu_kappa);
	else if (arr_min(kappa->y, kappa->n) > arr_max(eta->y, eta->n))
		*diff = -penalised(kappa, mu_kappa, eta, mu_eta);
	else
		*diff = o.overlaps ? section_diff(eta, 0, kappa, &o) : 0;
	return 0;
}

/* Smooth a and b into one buffer: *mu_a (a->n,), *mu_b (b->n,). */
static int smooth_pair(const fire_curve *a, const char *name_a,
		       const fire_curve *b, const char *name_b, double **mu_a,
		       double **mu_b, ej_err *err)
{
	double *buf;

	if (curve_check(a, err) < 0)
		return ej_prefix(err, "%s: ", name_a);
	if (curve_check(b, err) < 0)
		return ej_prefix(err, "%s: ", name_b);
	buf = malloc((a->n + b->n) * sizeof(double));
	if (!buf)
		return ej_fail(err, EJ_EXIT_RUN,
			       "out of memory smoothing training curves");
	if (fire_gp_smooth(a, buf, NULL, err) < 0) {
		free(buf);
		return ej_prefix(err, "%s: ", name_a);
	}
	if (fire_gp_smooth(b, buf + a->n, NULL, err) < 0) {
		free(buf);
		return ej_prefix(err, "%s: ", name_b);
	}
	*mu_a = buf;
	*mu_b = buf + a->n;
	return 0;
}

int fire_best_score_diff(const fire_curve *eta, const fire_curve *kappa,
			 double *diff, fire_overlap *ov, ej_err *err)
{
	double *mu_e, *mu_k;
	int rc;

	if (smooth_pair(eta, "eta", kappa, "kappa", &mu_e, &mu_k, err) < 0)
		return -1;
	rc = fire_score_diff(eta, mu_e, kappa, mu_k, diff, ov, err);
	free(mu_e);
	return rc;
}

/* ---- fitness ----------------------------------------------------------- */

int fire_fitness(const fire_curve *curves, size_t m, double *fitness,
		 ej_err *err)
{
	size_t total = 0, *off;
	double *mu;
	int rc = 0;

	for (size_t j = 0; j < m; j++) {
		if (curve_check(&curves[j], err) < 0)
			return ej_prefix(err, "curve %zu: ", j);
		total += curves[j].n;
	}
	mu = malloc((total ? total : 1) * sizeof(double));
	off = malloc((m ? m : 1) * sizeof(size_t));
	if (!mu || !off) {
		free(mu);
		free(off);
		return ej_fail(err, EJ_EXIT_RUN,
			       "out of memory computing the fitness of %zu "
			       "members", m);
	}
	total = 0;
	for (size_t j = 0; j < m && rc == 0; j++) {
		off[j] = total;
		total += curves[j].n;
		fitness[j] = 0;
		if (fire_gp_smooth(&curves[j], mu + off[j], NULL, err) < 0)
			rc = ej_prefix(err, "curve %zu: ", j);
	}
	for (size_t j = 0; j < m && rc == 0; j++)
		for (size_t k = j + 1; k < m && rc == 0; k++) {
			double d;

			rc = fire_score_diff(&curves[j], mu + off[j],
					     &curves[k], mu + off[k], &d, NULL,
					     err);
			fitness[j] += d;
			fitness[k] -= d;
		}
	free(mu);
	free(off);
	return rc;
}

/* ---- binomial test ----------------------------------------------------- */

double fire_binom_sf(size_t k, size_t n)
{
	size_t m;
	double logt = 0, sum = 1, t;

	if (k == 0)
		return 1;
	if (k > n)
		return 0;
	/* t_j = C(n, j) / 2^n is largest at j = n/2: walk from the largest
	 * term among j >= k, m, by ratios <= 1 so nothing overflows */
	m = k > n / 2 ? k : n / 2;
	for (size_t i = 1; i <= m; i++)
		logt += log((double)(n - m + i) / (double)i);
	logt -= (double)n * LN2;
	t = 1;
	for (size_t j = m; j > k; j--) { /* t_{j-1} / t_j = j / (n - j + 1) */
		t *= (double)j / (double)(n - j + 1);
		sum += t;
	}
	t = 1;
	for (size_t j = m; j < n; j++) { /* t_{j+1} / t_j = (n - j) / (j + 1) */
		t *= (double)(n - j) / (double)(j + 1);
		sum += t;
	}
	return fmin(1, exp(logt) * sum);
}

double fire_binom_test_smoothed(const fire_curve *eta, const double *mu_eta,
				const fire_curve *child,
				const double *mu_child, fire_overlap *ov,
				size_t *k_out)
{
	fire_overlap o;
	size_t k = 0;

	overlap_find(mu_eta, eta->n, 0, mu_child, child->n, &o);
	for (size_t i = 0; i < o.n; i++)
		k += eta->y[o.r + i] > child->y[o.s + i];
	if (ov)
		*ov = o;
	if (k_out)
		*k_out = k;
	return fire_binom_sf(k, o.n);
}

int fire_binom_test(const fire_curve *eta, const fire_curve *child,
		    double *p, fire_overlap *ov, size_t *k_out, ej_err *err)
{
	double *mu_e, *mu_c;

	if (smooth_pair(eta, "eta", child, "child", &mu_e, &mu_c, err) < 0)
		return -1;
	*p = fire_binom_test_smoothed(eta, mu_e, child, mu_c, ov, k_out);
	free(mu_e);
	return 0;
}

/* ---- evaluator rules --------------------------------------------------- */

int fire_eval_should_stop(int overlaps, double t, double max_eval_steps,
			  double p, double p_stat)
{
	double slack = 0;

	if (!overlaps)
		return t > max_eval_steps;
	if (max_eval_steps > 0)
		slack = fmax(0, 1 - t / max_eval_steps);
	return p > p_stat + slack;
}

int fire_eval_succeeds(double diff, double p, double p_stat)
{
	return diff > 0 && p < p_stat;
}
