#include "core/pbt_int.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "core/jsonl.h"
#include "core/npz.h"
#include "opencl/philox.h"

/* One line to a file of the run directory and to a stream, flushed. */
static void pbt_put(FILE *file, FILE *stream, const char *prefix,
		    const char *line)
{
	if (file) {
		fprintf(file, "%s\n", line);
		fflush(file);
	}
	if (stream) {
		fprintf(stream, "%s%s\n", prefix, line);
		fflush(stream);
	}
}

/* A human line: log.txt and the log stream (above the progress line). */
void pbt_log(pbt *p, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	pbt_put(p->log_txt, p->o.log_out, p->o.progress ? "\r\033[K" : "",
		line);
}

/* One pbt.jsonl line (and stdout): {"event": ..., "iter": ..., ...}. */
void pbt_event(pbt *p, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	pbt_put(p->events, p->o.metrics_out, "", line);
}

/* '"center_lr": 0.05, "stdev_lr": 0.1' for worker w (or values v). */
void pbt_hp_json(const pbt *p, const double *v, char *buf,
			size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int h = 0; h < p->H && n < size; h++)
		n += (size_t)snprintf(buf + n, size - n, "%s\"%s\": %.9g",
				      h ? ", " : "", p->c->hp[h].key, v[h]);
}

static double pbt_u(uint32_t w) { return (double)ph_uniform(w); }

/* A draw from hyperparameter h's init distribution, u in [0, 1). */
static double pbt_sample(const pbt_hp *h, double u)
{
	int k;

	switch (h->init) {
	case PBT_INIT_UNIFORM:
		return h->lo + u * (h->hi - h->lo);
	case PBT_INIT_CHOICE:
		k = (int)(u * h->values.n);
		return h->values.v[k < h->values.n ? k : h->values.n - 1];
	default:
		return exp(log(h->lo) + u * (log(h->hi) - log(h->lo)));
	}
}

int pbt_apply(pbt *p, int w, ej_err *err)
{
	for (int h = 0; h < p->H; h++)
		if (p->c->hp[h].runtime &&
		    trainer_set_hparam(p->w[w], p->c->hp[h].key,
				       p->hp[w * p->H + h], err) < 0)
			return -1;
	return 0;
}

void pbt_lineage_push(pbt *p, int w, int from)
{
	pbt_seg *s = &p->lin[(size_t)w * p->S + (size_t)p->n_lin[w]];

	if ((size_t)p->n_lin[w] >= p->S)
		return; /* cannot happen: S covers every ready point */
	s->iter = p->iter;
	s->from = from;
	memcpy(s->v, p->hp + w * p->H, (size_t)p->H * sizeof(double));
	p->n_lin[w]++;
}

static FILE *pbt_open(pbt *p, const char *name, ej_err *err)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", p->dir, name);
	if (p->o.resume && trainer_trim_jsonl(path, p->iter, err) < 0)
		return NULL;
	if (!(f = fopen(path, p->o.resume ? "a" : "w")))
		ej_fail(err, EJ_EXIT_RUN, "cannot write '%s': %s", path,
			strerror(errno));
	return f;
}

/* The run's wall seconds over all its sessions. */
static double pbt_wall(const pbt *p)
{
	return p->wall_before + eval_now() - p->t_start;
}

/* timing.json beside pbt_state.npz: the wall seconds so far, so that
 * summary.json counts every session of a resumed run (pbt_state.npz
 * stays deterministic). */
static int pbt_save_timing(const pbt *p, ej_err *err)
{
	char buf[64], path[4200];
	int n = snprintf(buf, sizeof(buf), "{\"wall_s\": %.6f}\n", pbt_wall(p));

	snprintf(path, sizeof(path), "%s/timing.json", p->dir);
	return fio_write_atomic(path, buf, (size_t)n, err);
}

/* Missing or unreadable: the earlier sessions count as 0 s. */
static void pbt_load_timing(pbt *p)
{
	char path[4200], *text = NULL;
	size_t len;
	double w;
	ej_err err = { 0 };

	snprintf(path, sizeof(path), "%s/timing.json", p->dir);
	if (fio_read_all(path, &text, &len, &err) == 0 &&
	    sscanf(text, "{\"wall_s\": %lf", &w) == 1 && w >= 0 &&
	    isfinite(w))
		p->wall_before = w;
	free(text);
}

/* ---- the driver's state: pbt_state.npz -------------------------------- */

static int pbt_save(pbt *p, ej_err *err)
{
	size_t W = (size_t)p->W, WS = W * p->S;
	int64_t iter = p->iter, *it = malloc(WS * sizeof(int64_t));
	int32_t *from = malloc(WS * sizeof(int32_t));
	double *val = malloc(WS * (size_t)PBT_MAX_HP * sizeof(double));
	char path[4200];
	int rc = -1;

	if (!p->o.out_dir) { /* a reader (MPI rank > 0) writes nothing */
		rc = 0;
		goto out;
	}
	if (!it || !from || !val) {
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < WS; i++) {
		it[i] = p->lin[i].iter;
		from[i] = p->lin[i].from;
		memcpy(val + i * PBT_MAX_HP, p->lin[i].v, sizeof(p->lin[i].v));
	}
	{
		npz_array a[16] = {
			{ .name = "iter", .dtype = NPZ_I64, .data = &iter },
			{ .name = "q", .dtype = NPZ_F64, .ndim = 1,
			  .shape = { W }, .data = p->q },
			{ .name = "hparams", .dtype = NPZ_F64, .ndim = 2,
			  .shape = { W, (size_t)p->H }, .data = p->hp },
			{ .name = "lineage_n", .dtype = NPZ_I64, .ndim = 1,
			  .shape = { W }, .data = p->n_lin },
			{ .name = "lineage_iter", .dtype = NPZ_I64, .ndim = 2,
			  .shape = { W, p->S }, .data = it },
			{ .name = "lineage_from", .dtype = NPZ_I32, .ndim = 2,
			  .shape = { W, p->S }, .data = from },
			{ .name = "lineage_values", .dtype = NPZ_F64, .ndim = 3,
			  .shape = { W, p->S, PBT_MAX_HP }, .data = val },
		};
		size_t n = 7;

		if (p->sub)
			n += pbt_fire_state(p, a + n);
		snprintf(path, sizeof(path), "%s/pbt_state.npz", p->dir);
		rc = npz_write(path, a, n, err);
		if (rc == 0)
			rc = pbt_save_timing(p, err);
	}
out:
	free(it);
	free(from);
	free(val);
	return rc;
}

/* Array 'name' of npz f with exactly n elements of dtype dt, or an error. */
const void *pbt_get(const npz_file *f, const char *name,
			   enum npz_dtype dt, size_t n, ej_err *err)
{
	const npz_array *a = npz_find(f, name);

	if (!a || a->dtype != dt || npz_count(a) != n) {
		ej_fail(err, EJ_EXIT_RUN,
			"missing or malformed '%s' (%zu values expected)", name, n);
		return NULL;
	}
	return a->data;
}

/* Read pbt_state.npz: *f keeps it, p->iter is its iteration. */
static int pbt_read_state(pbt *p, npz_file **f, ej_err *err)
{
	char path[4200];
	const int64_t *iter;

	snprintf(path, sizeof(path), "%s/pbt_state.npz", p->dir);
	if (!(*f = npz_read(path, err)))
		return ej_prefix(err, "cannot resume: ");
	if (!(iter = pbt_get(*f, "iter", NPZ_I64, 1, err)))
		return ej_prefix(err, "cannot resume from '%s': ", path);
	p->iter = (long)*iter;
	return 0;
}

/* Lineage array 'name' of f: (W, S_saved[, PBT_MAX_HP]) with S_saved <=
 * p->S (a resumed run may run longer, never shorter). */
static const void *pbt_get_lineage(const pbt *p, const npz_file *f,
				   const char *name, enum npz_dtype dt,
				   size_t inner, size_t *s_saved, ej_err *err)
{
	const npz_array *a = npz_find(f, name);

	if (!a || a->dtype != dt || a->ndim < 2 ||
	    a->shape[0] != (size_t)p->W || a->shape[1] > p->S ||
	    npz_count(a) != (size_t)p->W * a->shape[1] * inner) {
		ej_fail(err, EJ_EXIT_RUN, "missing or malformed '%s'", name);
		return NULL;
	}
	*s_saved = a->shape[1];
	return a->data;
}

/* The rest of the state, once the workers are back. */
static int pbt_load(pbt *p, const npz_file *f, ej_err *err)
{
	size_t W = (size_t)p->W, S1 = 0, S2 = 0, S3 = 0;
	const int64_t *n_lin, *it;
	const int32_t *from;
	const double *q, *hp, *val;

	if (!(q = pbt_get(f, "q", NPZ_F64, W, err)) ||
	    !(hp = pbt_get(f, "hparams", NPZ_F64, W * (size_t)p->H, err)) ||
	    !(n_lin = pbt_get(f, "lineage_n", NPZ_I64, W, err)) ||
	    !(it = pbt_get_lineage(p, f, "lineage_iter", NPZ_I64, 1, &S1,
				   err)) ||
	    !(from = pbt_get_lineage(p, f, "lineage_from", NPZ_I32, 1, &S2,
				     err)) ||
	    !(val = pbt_get_lineage(p, f, "lineage_values", NPZ_F64,
				    PBT_MAX_HP, &S3, err)))
		return ej_prefix(err, "cannot resume from pbt_state.npz: ");
	for (size_t w = 0; w < W; w++)
		if (S1 != S2 || S1 != S3 || n_lin[w] < 1 ||
		    (size_t)n_lin[w] > S1)
			return ej_fail(err, EJ_EXIT_RUN,
				       "cannot resume from pbt_state.npz: the lineage of worker %zu is malformed",
				       w);
	memcpy(p->q, q, W * sizeof(double));
	memcpy(p->hp, hp, W * (size_t)p->H * sizeof(double));
	memcpy(p->n_lin, n_lin, W * sizeof(int64_t));
	for (size_t w = 0; w < W; w++)
		for (size_t i = 0; i < S1; i++) {
			pbt_seg *g = &p->lin[w * p->S + i];

			g->iter = it[w * S1 + i];
			g->from = from[w * S1 + i];
			memcpy(g->v, val + (w * S1 + i) * PBT_MAX_HP,
			       sizeof(g->v));
		}
	return 0;
}

/* ---- creation ----------------------------------------------------------- */

void pbt_free(pbt *p)
{
	if (!p)
		return;
	for (int i = 0; p->w && i < p->W; i++)
		trainer_free(p->w[i]);
	free(p->w);
	free(p->q);
	free(p->hp);
	free(p->lin);
	free(p->n_lin);
	free(p->wes);
	free(p->algo_cfgs);
	pbt_fire_free(p);
	if (p->log_txt)
		fclose(p->log_txt);
	if (p->metrics)
		fclose(p->metrics);
	if (p->events)
		fclose(p->events);
	free(p);
}

static int pbt_open_dir(pbt *p, ej_err *err)
{
	char path[4200];
	FILE *f;

	if (!p->o.out_dir)
		return 0;
	if (fio_mkdirs(p->dir, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/config.yaml", p->dir);
	if (!(f = fopen(path, "w")))
		return ej_fail(err, EJ_EXIT_RUN, "cannot write '%s': %s", path,
			       strerror(errno));
	exp_emit(f, p->e);
	if (fclose(f) != 0)
		return ej_fail(err, EJ_EXIT_RUN, "cannot write '%s'", path);
	snprintf(path, sizeof(path), "%s/log.txt", p->dir);
	if (!(p->log_txt = fopen(path, p->o.resume ? "a" : "w")))
		return ej_fail(err, EJ_EXIT_RUN, "cannot write '%s': %s", path,
			       strerror(errno));
	return 0;
}

/* Worker w's trainer in worker_<w>/, its lines tagged and copied. */
static int pbt_open_worker(pbt *p, int w, ej_err *err)
{
	char dir[4200];
	trainer_opts o = { .out_dir = p->o.out_dir ? dir : NULL, .read_dir = dir,
			   .config_path = p->o.config_path,
			   .metrics_out = p->o.metrics_out, .resume = p->o.resume,
			   .is_worker = true, .worker = w,
			   .metrics_copy = p->metrics };

	snprintf(dir, sizeof(dir), "%s/worker_%d", p->dir, w);
	if (!(p->w[w] = trainer_create(p->wes ? &p->wes[w] : &p->we, p->ev,
				       &o, err)))
		return ej_prefix(err, "worker %d: ", w);
	return 0;
}

/* Workers' own experiments when init-time keys are tuned: each with its
 * own copy of the algo section holding its values. */
static int pbt_worker_exps(pbt *p, ej_err *err)
{
	size_t sz = p->e->algo->cfg_size;
	bool any = false;

	for (int h = 0; h < p->H; h++)
		any |= !p->c->hp[h].runtime;
	if (!any)
		return 0;
	p->wes = calloc((size_t)p->W, sizeof(*p->wes));
	p->algo_cfgs = calloc((size_t)p->W, sz ? sz : 1);
	if (!p->wes || !p->algo_cfgs)
		return ej_fail(err, EJ_EXIT_RUN, "out of memory");
	for (int w = 0; w < p->W; w++) {
		char *cfg = p->algo_cfgs + (size_t)w * sz;

		p->wes[w] = p->we;
		memcpy(cfg, p->e->algo_cfg, sz);
		p->wes[w].algo_cfg = cfg;
		for (int h = 0; h < p->H; h++) {
			const pbt_hp *hp = &p->c->hp[h];
			char *base = hp->where == PBT_IN_ALGO ? cfg
				     : hp->where == PBT_IN_OPTIM
					     ? (char *)&p->wes[w].optim
					     : (char *)&p->wes[w].sched[hp->sched].cfg;

			if (!hp->runtime)
				memcpy(base + hp->offset, &p->hp[w * p->H + h],
				       sizeof(double));
		}
	}
	return 0;
}

pbt *pbt_create(const exp_cfg *e, evaluator *ev, const trainer_opts *o,
		ej_err *err)
{
	pbt *p = calloc(1, sizeof(*p));
	npz_file *state = NULL;
	char hj[512];

	if (!p) {
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
		return NULL;
	}
	p->e = e;
	p->we = *e;
	p->c = &e->pbt;
	p->we.trainer.test_interval = p->c->eval_interval;
	p->ev = ev;
	p->o = *o;
	p->W = p->c->workers;
	p->H = p->c->n_hp;
	/* each ready point adds at most two segments (FIRE: an evaluator's
	 * assignment, then its target's success) */
	p->S = 2 * (size_t)(e->trainer.max_iter / p->c->ready) + 3;
	p->best = -1;
	snprintf(p->dir, sizeof(p->dir), "%s",
		 o->out_dir ? o->out_dir : o->read_dir ? o->read_dir : ".");
	p->w = calloc((size_t)p->W, sizeof(*p->w));
	p->q = malloc((size_t)p->W * sizeof(double));
	p->hp = calloc((size_t)p->W * (size_t)p->H, sizeof(double));
	p->lin = calloc((size_t)p->W * p->S, sizeof(pbt_seg));
	p->n_lin = calloc((size_t)p->W, sizeof(int64_t));
	if (!p->w || !p->q || !p->hp || !p->lin || !p->n_lin) {
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
		goto fail;
	}
	for (int w = 0; w < p->W; w++)
		p->q[w] = -INFINITY;
	if (p->c->method == PBT_FIRE && pbt_fire_init(p, err) < 0)
		goto fail;
	if (pbt_open_dir(p, err) < 0)
		goto fail;
	if (o->resume) {
		if (pbt_read_state(p, &state, err) < 0 ||
		    pbt_load(p, state, err) < 0 ||
		    (p->sub && pbt_fire_load(p, state, err) < 0))
			goto fail;
	} else {
		for (int w = 0; w < p->W; w++)
			for (int h = 0; h < p->H; h++) {
				ph_out d = ph_draw((uint32_t)e->seed,
						   PH_PURPOSE_PBT, 0,
						   (uint32_t)w, 0, (uint32_t)h);

				p->hp[w * p->H + h] =
					pbt_sample(&p->c->hp[h], pbt_u(d.v[0]));
			}
	}
	if (pbt_worker_exps(p, err) < 0 ||
	    (o->out_dir &&
	     (!(p->metrics = pbt_open(p, "metrics.jsonl", err)) ||
	      !(p->events = pbt_open(p, "pbt.jsonl", err)))))
		goto fail;
	for (int w = 0; w < p->W; w++) {
		if (pbt_open_worker(p, w, err) < 0 || pbt_apply(p, w, err) < 0)
			goto fail;
		if (o->resume && trainer_iter(p->w[w]) != p->iter) {
			ej_fail(err, EJ_EXIT_RUN,
				"cannot resume: worker %d is at iteration %ld, pbt_state.npz at %ld",
				w, trainer_iter(p->w[w]), p->iter);
			goto fail;
		}
		if (o->resume)
			continue;
		pbt_lineage_push(p, w, w);
		pbt_hp_json(p, p->hp + w * p->H, hj, sizeof(hj));
		pbt_event(p, "{\"event\": \"init\", \"iter\": 0, \"worker\": %d, \"hparams\": {%s}}",
			  w, hj);
	}
	npz_free(state);
	if (o->resume)
		pbt_load_timing(p);
	p->iter0 = p->iter;
	p->t_start = eval_now();
	pbt_log(p, "evojax pbt: %s, %d workers, %d tuned hyperparameters, Q every %d iterations%s",
		p->c->method == PBT_RANDOM ? "random search"
		: p->c->method == PBT_FIRE ? "FIRE PBT" : "PBT", p->W,
		p->H, p->c->eval_interval,
		p->c->method == PBT_RANDOM ? "" : ", decisions when ready");
	return p;
fail:
	npz_free(state);
	pbt_free(p);
	return NULL;
}

trainer *pbt_worker(const pbt *p, int w) { return p->w[w]; }

int pbt_best_worker(const pbt *p, double *score)
{
	*score = p->best_score;
	return p->best;
}

/* ---- the run ------------------------------------------------------------ */

void pbt_sort(int *idx, int n, const double *key)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0; j--) {
			int a = idx[j - 1], b = idx[j];

			if (key[b] > key[a] || (key[b] == key[a] && b < a)) {
				idx[j - 1] = b;
				idx[j] = a;
			}
		}
}

/* Explore worker w's hyperparameters after it copied another's at the
 * measurement of iteration t. */
static int pbt_explore(pbt *p, int w, long t, ej_err *err)
{
	for (int h = 0; h < p->H; h++) {
		const pbt_hp *hp = &p->c->hp[h];
		ph_out d = ph_draw((uint32_t)p->e->seed, PH_PURPOSE_PBT,
				   (uint32_t)t, (uint32_t)w, 1, (uint32_t)h);
		double old = p->hp[w * p->H + h], v;
		char how[64];

		if (!hp->runtime)
			continue; /* set at creation: a new value would not act */
		if (pbt_u(d.v[0]) < hp->resample) {
			v = pbt_sample(hp, pbt_u(d.v[1]));
			snprintf(how, sizeof(how), "resample");
		} else {
			int k = (int)(pbt_u(d.v[2]) * hp->factors.n);

			k = k < hp->factors.n ? k : hp->factors.n - 1;
			v = old * hp->factors.v[k];
			snprintf(how, sizeof(how), "factor %g", hp->factors.v[k]);
		}
		p->hp[w * p->H + h] = v;
		pbt_event(p, "{\"event\": \"explore\", \"iter\": %ld, \"worker\": %d, \"key\": \"%s\", \"old\": %.9g, \"new\": %.9g, \"how\": \"%s\"}",
			  t, w, hp->key, old, v, how);
	}
	return pbt_apply(p, w, err);
}

/* Exploit and explore: each of the bottom fraction copies a random
 * worker of the top fraction, then explores. */
int pbt_exploit(pbt *p, const int *order, int n, long t, ej_err *err)
{
	int k = (int)floor(n * p->c->truncation);

	if (n < 2)
		return 0;
	if (k < 1)
		k = 1;
	for (int i = n - k; i < n; i++) {
		int b = order[i];
		ph_out d = ph_draw((uint32_t)p->e->seed, PH_PURPOSE_PBT,
				   (uint32_t)t, (uint32_t)b, 2, 0);
		int pick = (int)(pbt_u(d.v[0]) * k), src;

		src = order[pick < k ? pick : k - 1];
		pbt_event(p, "{\"event\": \"exploit\", \"iter\": %ld, \"from\": %d, \"to\": %d, \"q_from\": %.9g, \"q_to\": %.9g}",
			  t, src, b, p->q[src], p->q[b]);
		if (trainer_copy_state(p->w[b], p->w[src], err) < 0)
			return ej_prefix(err, "exploit %d -> %d: ", src, b);
		memcpy(p->hp + b * p->H, p->hp + src * p->H,
		       (size_t)p->H * sizeof(double));
		memcpy(p->lin + (size_t)b * p->S, p->lin + (size_t)src * p->S,
		       p->S * sizeof(pbt_seg));
		p->n_lin[b] = p->n_lin[src];
		p->q[b] = p->q[src];
		if (p->sub)
			pbt_fire_lost(p, b, t);
		if (pbt_explore(p, b, t, err) < 0)
			return -1;
		pbt_lineage_push(p, b, src);
	}
	return 0;
}

/* Every worker's checkpoint and the driver's state, all at p->iter. */
static int pbt_checkpoint(pbt *p, ej_err *err)
{
	for (int w = 0; w < p->W; w++)
		if (trainer_checkpoint(p->w[w], err) < 0)
			return -1;
	return pbt_save(p, err);
}

/* After iteration p->iter - 1 = t, a multiple of eval_interval: read Q,
 * rank, exploit and explore when ready, checkpoint. */
static int pbt_measure(pbt *p, long t, ej_err *err)
{
	int order[PBT_MAX_WORKERS] = { 0 }, n_copy = 0;
	double mean = 0.0, worst;
	long it;

	for (int w = 0; w < p->W; w++) {
		if (trainer_last_test(p->w[w], &p->q[w], &it) < 0 || it != t)
			return ej_fail(err, EJ_EXIT_RUN,
				       "worker %d has no test at iteration %ld", w, t);
		mean += p->q[w] / p->W;
	}
	for (int w = 0; w < p->W; w++)
		order[w] = w;
	pbt_sort(order, p->W, p->q);
	worst = p->q[order[p->W - 1]];
	for (int r = 0; r < p->W; r++)
		pbt_event(p, "{\"event\": \"ready\", \"iter\": %ld, \"worker\": %d, \"q\": %.9g, \"rank\": %d}",
			  t, order[r], p->q[order[r]], r);
	if (p->c->method == PBT_FIRE) {
		if (pbt_fire_measure(p, t, err) < 0)
			return -1;
	} else if (p->c->method == PBT_PBT && t % p->c->ready == 0) {
		if (pbt_exploit(p, order, p->W, t, err) < 0)
			return -1;
		n_copy = (int)fmax(1.0, floor(p->W * p->c->truncation));
	}
	pbt_log(p, "[PBT] Iter=%ld, Q best %.4f (worker %d), mean %.4f, worst %.4f%s",
		t, p->q[order[0]], order[0], mean, worst,
		n_copy ? ", exploit/explore of the bottom workers" : "");
	return pbt_checkpoint(p, err);
}

static void pbt_progress(pbt *p)
{
	double el = eval_now() - p->t_start;
	long max_iter = p->e->trainer.max_iter;

	if (!p->o.progress || !p->o.log_out)
		return;
	fprintf(p->o.log_out, "\r\033[K[%ld/%ld] %d workers | %.2f it/s",
		p->iter, max_iter, p->W,
		(double)(p->iter - p->iter0) / (el > 0 ? el : 1e-9));
	fflush(p->o.log_out);
}

static int pbt_summary(pbt *p, ej_err *err)
{
	const pbt_seg *lin = p->lin + (size_t)p->best * p->S;
	double wall = pbt_wall(p), env = 0.0;
	char *buf, path[4200], src[4200], cfg[8192], dev[512];
	size_t cap = 16384 + (size_t)p->n_lin[p->best] * 512, n;
	int rc;

	if (!p->o.out_dir)
		return 0;

	for (int w = 0; w < p->W; w++)
		env += trainer_env_steps(p->w[w]);
	if (!(buf = malloc(cap)))
		return ej_fail(err, EJ_EXIT_RUN, "out of memory");
	n = (size_t)snprintf(buf, cap,
			     "{\n  \"config\": %s,\n  \"method\": \"%s\",\n  \"workers\": %d,\n"
			     "  \"iterations\": %ld,\n  \"best_worker\": %d,\n"
			     "  \"final_test_score\": %.9g,\n  \"wall_time_s\": %.3f,\n"
			     "  \"iter_per_s\": %.4f,\n  \"env_steps\": %.0f,\n"
			     "  \"env_steps_per_s\": %.0f,\n  \"device\": %s,\n"
			     "  \"schedule\": [",
			     jsonl_quote(p->o.config_path ? p->o.config_path : "",
					 cfg, sizeof(cfg)),
			     p->c->method == PBT_RANDOM ? "random"
			     : p->c->method == PBT_FIRE ? "fire" : "pbt", p->W,
			     p->iter, p->best, p->best_score, wall,
			     (double)p->iter / (wall > 0 ? wall : 1e-9), env,
			     env / (wall > 0 ? wall : 1e-9),
			     jsonl_quote(eval_device_name(p->ev), dev, sizeof(dev)));
	for (int64_t i = 0; i < p->n_lin[p->best] && n < cap; i++) {
		char hj[512];

		pbt_hp_json(p, lin[i].v, hj, sizeof(hj));
		n += (size_t)snprintf(buf + n, cap - n,
				      "%s\n    {\"iter\": %lld, \"from\": %d, %s}",
				      i ? "," : "", (long long)lin[i].iter,
				      lin[i].from, hj);
	}
	if (n < cap)
		n += (size_t)snprintf(buf + n, cap - n, "\n  ]\n}\n");
	snprintf(path, sizeof(path), "%s/summary.json", p->dir);
	rc = fio_write_atomic(path, buf, n < cap ? n : cap - 1, err);
	free(buf);
	if (rc < 0)
		return -1;
	/* best.npz: the best worker's final parameters */
	snprintf(src, sizeof(src), "%s/worker_%d/final.npz", p->dir, p->best);
	snprintf(path, sizeof(path), "%s/best.npz", p->dir);
	if (fio_read_all(src, &buf, &n, err) < 0)
		return -1;
	rc = fio_write_atomic(path, buf, n, err);
	free(buf);
	return rc;
}

int pbt_run(pbt *p, ej_err *err)
{
	long max_iter = p->e->trainer.max_iter;

	while (p->iter < max_iter) {
		long t = p->iter;

		if (p->o.interrupted && *p->o.interrupted) {
			if (pbt_checkpoint(p, err) < 0)
				return -1;
			return ej_fail(err, EJ_EXIT_INTERRUPT,
				       "interrupted at iteration %ld; checkpoints written to '%s'",
				       t, p->dir);
		}
		if (trainer_step_group(p->w, (size_t)p->W, p->ev, err) < 0)
			return -1;
		p->iter = t + 1;
		if (t > 0 && t % p->c->eval_interval == 0 &&
		    pbt_measure(p, t, err) < 0)
			return -1;
		pbt_progress(p);
	}
	p->best_score = -INFINITY;
	for (int w = 0; w < p->W; w++) {
		if (trainer_finish(p->w[w], err) < 0)
			return ej_prefix(err, "worker %d: ", w);
		if (p->sub && p->sub[w] == 0)
			continue; /* FIRE: the best among the members */
		if (p->best < 0 || trainer_final_score(p->w[w]) > p->best_score) {
			p->best = w;
			p->best_score = trainer_final_score(p->w[w]);
		}
	}
	if (pbt_save(p, err) < 0)
		return -1;
	pbt_log(p, "done: best worker %d, final test score %.4f, %ld iterations in %.1f s",
		p->best, p->best_score, p->iter, pbt_wall(p));
	return pbt_summary(p, err);
}
