/* pbt_fire.c - FIRE PBT (Dalibard and Jaderberg 2021, section 3) on top of
 * the PBT driver (core/pbt.c), synchronous as the paper's experiments:
 * decisions at every 'ready' iteration.
 *
 * Workers 0 .. n m - 1 form sub-populations P1 .. Pn of m members (P1
 * first), the rest are evaluators.  Every eval_interval iterations each
 * worker's Q (its test score) joins its curve; a curve restarts when its
 * worker copies other weights.  At a ready iteration:
 *  1. fitness: Q in P1; in a parent Pi (i > 1) the sum of
 *     best_score_diff of its member's evaluator curve against those of the
 *     other members of Pi that have an evaluator (3.1.2, core/fire.h);
 *     members without one have no fitness and sit out;
 *  2. PBT inside each sub-population on that fitness (exploit and
 *     explore, core/pbt.c); a member that copies releases the evaluators
 *     assigned to it or targeting it;
 *  3. each assigned evaluator compares its curve with its target's:
 *     success (best_score_diff > 0 and binomial p < p_stat) makes the
 *     target copy the evaluator's weights (keeping its hyperparameters);
 *     the stopping rule of 3.2 releases it;
 *  4. each free evaluator takes the parent member (P2..Pn, none assigned,
 *     past its sub-population's min_steps_before_eval) least recently
 *     evaluated or copied into, copies its weights and the
 *     hyperparameters of the best member of the child sub-population,
 *     its target.
 * Curves need two points before a comparison; until then nothing is
 * decided on them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/fire.h"
#include "core/pbt_int.h"

int pbt_fire_init(pbt *p, ej_err *err)
{
	size_t W = (size_t)p->W;
	int nm = p->c->subpops * p->c->subpop_size;

	p->C = (size_t)(p->e->trainer.max_iter / p->c->eval_interval) + 2;
	p->sub = calloc(W, sizeof(*p->sub));
	p->cx = calloc(W * p->C, sizeof(double));
	p->cy = calloc(W * p->C, sizeof(double));
	p->cn = calloc(W, sizeof(*p->cn));
	p->last_eval = calloc(W, sizeof(*p->last_eval));
	p->parent = malloc(W * sizeof(*p->parent));
	p->target = malloc(W * sizeof(*p->target));
	p->assigned = calloc(W, sizeof(*p->assigned));
	if (!p->sub || !p->cx || !p->cy || !p->cn || !p->last_eval ||
	    !p->parent || !p->target || !p->assigned)
		return ej_fail(err, EJ_EXIT_RUN, "out of memory");
	for (int w = 0; w < p->W; w++) {
		p->sub[w] = w < nm ? w / p->c->subpop_size + 1 : 0;
		p->parent[w] = p->target[w] = -1;
	}
	return 0;
}

void pbt_fire_free(pbt *p)
{
	free(p->sub);
	free(p->cx);
	free(p->cy);
	free(p->cn);
	free(p->last_eval);
	free(p->parent);
	free(p->target);
	free(p->assigned);
}

static fire_curve pbt_curve(const pbt *p, int w)
{
	return (fire_curve){ .x = p->cx + (size_t)w * p->C,
			     .y = p->cy + (size_t)w * p->C,
			     .n = (size_t)p->cn[w] };
}

static void pbt_fire_release(pbt *p, int e, long t, const char *why)
{
	pbt_event(p, "{\"event\": \"release\", \"iter\": %ld, \"evaluator\": %d, \"parent\": %d, \"target\": %d, \"why\": \"%s\"}",
		  t, e, p->parent[e], p->target[e], why);
	p->parent[e] = p->target[e] = -1;
}

void pbt_fire_lost(pbt *p, int w, long t)
{
	p->cn[w] = 0;
	p->last_eval[w] = t;
	for (int e = 0; e < p->W; e++)
		if (p->sub[e] == 0 && p->parent[e] >= 0 &&
		    (p->parent[e] == w || p->target[e] == w))
			pbt_fire_release(p, e, t,
					 p->parent[e] == w ? "parent copied"
							   : "target copied");
}

/* The evaluator assigned to member j, or -1. */
static int pbt_fire_eval_of(const pbt *p, int j)
{
	for (int e = 0; e < p->W; e++)
		if (p->sub[e] == 0 && p->parent[e] == j)
			return e;
	return -1;
}

/* Fitness of the members of sub-population i (NAN: none). */
static int pbt_fire_fitness(pbt *p, int i, double *fit, ej_err *err)
{
	int m = p->c->subpop_size, base = (i - 1) * m, k = 0;
	fire_curve curves[PBT_MAX_WORKERS];
	int who[PBT_MAX_WORKERS];
	double f[PBT_MAX_WORKERS];

	for (int j = base; j < base + m; j++) {
		int e = pbt_fire_eval_of(p, j);

		fit[j] = i == 1 ? p->q[j] : NAN;
		if (i > 1 && e >= 0 && p->cn[e] >= 2) {
			who[k] = j;
			curves[k++] = pbt_curve(p, e);
		}
	}
	if (k < 2)
		return 0; /* nothing to compare yet */
	if (fire_fitness(curves, (size_t)k, f, err) < 0)
		return ej_prefix(err, "FIRE fitness of P%d: ", i);
	for (int j = 0; j < k; j++)
		fit[who[j]] = f[j];
	return 0;
}

/* Step 3 for evaluator e: success, stop, or keep training. */
static int pbt_fire_judge(pbt *p, int e, long t, ej_err *err)
{
	int c = p->target[e];
	fire_curve ce = pbt_curve(p, e), cc = pbt_curve(p, c);
	double T = (double)(t - p->assigned[e]), pv = 1.0, diff = 0.0;
	double keep[PBT_MAX_HP];
	fire_overlap ov = { 0 };
	size_t k = 0;

	if (ce.n >= 2 && cc.n >= 2 &&
	    (fire_binom_test(&ce, &cc, &pv, &ov, &k, err) < 0 ||
	     fire_best_score_diff(&ce, &cc, &diff, &ov, err) < 0))
		return ej_prefix(err, "FIRE evaluator %d: ", e);
	if (ce.n >= 2 && cc.n >= 2 && fire_eval_succeeds(diff, pv, p->c->p_stat)) {
		pbt_event(p, "{\"event\": \"success\", \"iter\": %ld, \"evaluator\": %d, \"parent\": %d, \"target\": %d, \"p\": %.9g, \"best_score_diff\": %.9g, \"k\": %zu, \"n\": %zu}",
			  t, e, p->parent[e], c, pv, diff, k, ov.n);
		memcpy(keep, p->hp + c * p->H, (size_t)p->H * sizeof(double));
		if (trainer_copy_state(p->w[c], p->w[e], err) < 0)
			return ej_prefix(err, "FIRE success %d -> %d: ", e, c);
		memcpy(p->hp + c * p->H, keep, (size_t)p->H * sizeof(double));
		memcpy(p->lin + (size_t)c * p->S, p->lin + (size_t)e * p->S,
		       p->S * sizeof(pbt_seg));
		p->n_lin[c] = p->n_lin[e];
		p->q[c] = p->q[e];
		pbt_lineage_push(p, c, c);
		pbt_fire_lost(p, c, t); /* also releases e */
		return pbt_apply(p, c, err);
	}
	if (fire_eval_should_stop(ov.overlaps, T, p->c->max_eval_steps, pv,
				  p->c->p_stat)) {
		char why[128], d[32] = "null";

		if (ce.n >= 2 && cc.n >= 2) /* else nothing was compared */
			snprintf(d, sizeof(d), "%.9g", diff);
		pbt_event(p, "{\"event\": \"stop\", \"iter\": %ld, \"evaluator\": %d, \"parent\": %d, \"target\": %d, \"p\": %.9g, \"best_score_diff\": %s, \"overlap\": %s, \"k\": %zu, \"n\": %zu, \"steps\": %.0f}",
			  t, e, p->parent[e], c, pv, d,
			  ov.overlaps ? "true" : "false", k, ov.n, T);
		snprintf(why, sizeof(why), "stop (p %.3g, %s, %.0f iterations)",
			 pv, ov.overlaps ? "overlap" : "no overlap", T);
		pbt_fire_release(p, e, t, why);
	}
	return 0;
}

/* Step 4: the parent member least recently evaluated or copied into. */
static int pbt_fire_pick_parent(const pbt *p, long t)
{
	int m = p->c->subpop_size, best = -1;

	for (int j = m; j < p->c->subpops * m; j++) {
		int i = p->sub[j];
		long min = i - 2 < p->c->min_steps.n ? p->c->min_steps.v[i - 2] : 0;

		if (pbt_fire_eval_of(p, j) >= 0 || t - p->last_eval[j] < min)
			continue;
		if (best < 0 || p->last_eval[j] < p->last_eval[best])
			best = j;
	}
	return best;
}

static int pbt_fire_assign(pbt *p, int e, const double *fit, long t,
			   ej_err *err)
{
	int par = pbt_fire_pick_parent(p, t), m = p->c->subpop_size, c = -1;
	int base;

	if (par < 0)
		return 0;
	base = (p->sub[par] - 2) * m; /* the child sub-population */
	for (int j = base; j < base + m; j++) {
		double fj = isnan(fit[j]) ? -INFINITY : fit[j];
		double fc = c < 0 ? -INFINITY : isnan(fit[c]) ? -INFINITY : fit[c];

		if (c < 0 || fj > fc)
			c = j;
	}
	if (trainer_copy_state(p->w[e], p->w[par], err) < 0)
		return ej_prefix(err, "FIRE assignment %d -> %d: ", par, e);
	memcpy(p->hp + e * p->H, p->hp + c * p->H, (size_t)p->H * sizeof(double));
	memcpy(p->lin + (size_t)e * p->S, p->lin + (size_t)par * p->S,
	       p->S * sizeof(pbt_seg));
	p->n_lin[e] = p->n_lin[par];
	pbt_lineage_push(p, e, c);
	p->parent[e] = par;
	p->target[e] = c;
	p->assigned[e] = t;
	p->cn[e] = 0;
	p->last_eval[par] = t;
	pbt_event(p, "{\"event\": \"assign\", \"iter\": %ld, \"evaluator\": %d, \"parent\": %d, \"target\": %d}",
		  t, e, par, c);
	return pbt_apply(p, e, err);
}

int pbt_fire_measure(pbt *p, long t, ej_err *err)
{
	double fit[PBT_MAX_WORKERS];
	int order[PBT_MAX_WORKERS];

	for (int w = 0; w < p->W; w++) {
		size_t at = (size_t)w * p->C + (size_t)p->cn[w];

		if ((size_t)p->cn[w] < p->C) {
			p->cx[at] = (double)t;
			p->cy[at] = p->q[w];
			p->cn[w]++;
		}
	}
	if (t % p->c->ready != 0)
		return 0;
	for (int i = 1; i <= p->c->subpops; i++)
		if (pbt_fire_fitness(p, i, fit, err) < 0)
			return -1;
	for (int i = 1; i <= p->c->subpops; i++) {
		int n = 0, base = (i - 1) * p->c->subpop_size;

		for (int j = base; j < base + p->c->subpop_size; j++)
			if (!isnan(fit[j]))
				order[n++] = j;
		pbt_sort(order, n, fit);
		if (pbt_exploit(p, order, n, t, err) < 0)
			return -1;
	}
	for (int e = 0; e < p->W; e++)
		if (p->sub[e] == 0 && p->parent[e] >= 0 &&
		    pbt_fire_judge(p, e, t, err) < 0)
			return -1;
	for (int e = 0; e < p->W; e++)
		if (p->sub[e] == 0 && p->parent[e] < 0 &&
		    pbt_fire_assign(p, e, fit, t, err) < 0)
			return -1;
	return 0;
}

size_t pbt_fire_state(pbt *p, npz_array *a)
{
	size_t W = (size_t)p->W, n = 0;
	const struct { const char *name; enum npz_dtype dt; int ndim;
		       const void *data; } rows[] = {
		{ "fire_curve_x", NPZ_F64, 2, p->cx },
		{ "fire_curve_y", NPZ_F64, 2, p->cy },
		{ "fire_curve_n", NPZ_I64, 1, p->cn },
		{ "fire_last_eval", NPZ_I64, 1, p->last_eval },
		{ "fire_parent", NPZ_I32, 1, p->parent },
		{ "fire_target", NPZ_I32, 1, p->target },
		{ "fire_assigned", NPZ_I64, 1, p->assigned },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++, n++)
		a[n] = (npz_array){ .name = rows[i].name, .dtype = rows[i].dt,
				    .ndim = rows[i].ndim,
				    .shape = { W, rows[i].ndim == 2 ? p->C : 0 },
				    .data = rows[i].data };
	return n;
}

int pbt_fire_load(pbt *p, const npz_file *f, ej_err *err)
{
	size_t W = (size_t)p->W, C;
	const npz_array *ax = npz_find(f, "fire_curve_x");
	const npz_array *ay = npz_find(f, "fire_curve_y");
	const int64_t *cn, *le, *as;
	const int32_t *par, *tg;

	if (!ax || !ay || ax->dtype != NPZ_F64 || ay->dtype != NPZ_F64 ||
	    ax->ndim != 2 || ax->shape[0] != W || ax->shape[1] > p->C ||
	    npz_count(ay) != npz_count(ax))
		return ej_fail(err, EJ_EXIT_RUN,
			       "cannot resume from pbt_state.npz: missing or malformed FIRE curves");
	C = ax->shape[1];
	if (!(cn = pbt_get(f, "fire_curve_n", NPZ_I64, W, err)) ||
	    !(le = pbt_get(f, "fire_last_eval", NPZ_I64, W, err)) ||
	    !(par = pbt_get(f, "fire_parent", NPZ_I32, W, err)) ||
	    !(tg = pbt_get(f, "fire_target", NPZ_I32, W, err)) ||
	    !(as = pbt_get(f, "fire_assigned", NPZ_I64, W, err)))
		return ej_prefix(err, "cannot resume from pbt_state.npz: ");
	for (size_t w = 0; w < W; w++) {
		if (cn[w] < 0 || (size_t)cn[w] > C || par[w] < -1 ||
		    par[w] >= p->W || tg[w] < -1 || tg[w] >= p->W)
			return ej_fail(err, EJ_EXIT_RUN,
				       "cannot resume from pbt_state.npz: malformed FIRE state of worker %zu",
				       w);
		memcpy(p->cx + w * p->C, (const double *)ax->data + w * C,
		       C * sizeof(double));
		memcpy(p->cy + w * p->C, (const double *)ay->data + w * C,
		       C * sizeof(double));
	}
	memcpy(p->cn, cn, W * sizeof(*cn));
	memcpy(p->last_eval, le, W * sizeof(*le));
	memcpy(p->parent, par, W * sizeof(*par));
	memcpy(p->target, tg, W * sizeof(*tg));
	memcpy(p->assigned, as, W * sizeof(*as));
	return 0;
}
