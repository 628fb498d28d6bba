/* split.c - a population over several parts (core/split.h): the plan,
 * the statistics rows, and the split over the devices of one process. */
#include "core/split.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/obsnorm.h"

/* ---- the plan ----------------------------------------------------------- */

void split_plan(size_t n, size_t granule, const double *w, size_t k,
		bool min_one, size_t *first)
{
	size_t units = n / (granule ? granule : 1), left, given = 0;
	size_t base = min_one && units >= k ? 1 : 0;
	double sum = 0.0;

	for (size_t p = 0; p < k; p++)
		sum += w[p];
	left = units - base * k;
	/* floor shares first, then the leftover units one each to the
	 * largest remainders */
	first[0] = 0;
	for (size_t p = 0; p < k; p++) {
		size_t u = (size_t)floor((double)left * w[p] / sum);

		first[p + 1] = base + (u < left ? u : left);
		given += first[p + 1] - base;
	}
	while (given < left) {
		size_t best = 0;
		double best_r = -1.0;

		for (size_t p = 0; p < k; p++) {
			double r = (double)left * w[p] / sum -
				   (double)(first[p + 1] - base);

			if (r > best_r) {
				best_r = r;
				best = p;
			}
		}
		first[best + 1]++;
		given++;
	}
	/* counts -> boundaries, in members */
	for (size_t p = 0; p < k; p++)
		first[p + 1] = first[p] + first[p + 1] * (granule ? granule : 1);
}

void split_rates(double *rate, size_t k, const size_t *first,
		 const double *secs)
{
	for (size_t p = 0; p < k; p++) {
		double m = (double)(first[p + 1] - first[p]), r;

		if (m <= 0.0 || !(secs[p] > 0.0))
			continue;
		r = m / secs[p];
		rate[p] = rate[p] > 0.0 ? 0.5 * rate[p] + 0.5 * r : r;
	}
}

void split_weights(const double *rate, size_t k, double *w)
{
	double sum = 0.0;
	size_t known = 0;

	for (size_t p = 0; p < k; p++)
		if (rate[p] > 0.0) {
			sum += rate[p];
			known++;
		}
	for (size_t p = 0; p < k; p++)
		w[p] = rate[p] > 0.0 ? rate[p] : known ? sum / (double)known : 1.0;
}

size_t split_clip(const eval_norm *norms, size_t n_norms, size_t lo,
		  size_t hi, eval_norm *out, size_t *g0)
{
	size_t start = 0, n = 0;

	*g0 = 0;
	for (size_t g = 0; g < n_norms; start += norms[g].n, g++) {
		size_t a = start > lo ? start : lo;
		size_t b = start + norms[g].n < hi ? start + norms[g].n : hi;

		if (a >= b)
			continue;
		if (n == 0)
			*g0 = g;
		out[n++] = (eval_norm){ .n = b - a,
					.obs_params = norms[g].obs_params,
					.defer = true };
	}
	return n;
}

/* ---- statistics rows ------------------------------------------------------ */

int split_rows_begin(split_rows *r, size_t n_groups, size_t width,
		     ej_err *err)
{
	if (r->cap_off < n_groups + 1) {
		size_t *o = realloc(r->off, (n_groups + 1) * sizeof(size_t));

		if (!o)
			return ej_fail(err, EJ_EXIT_RUN, "out of memory");
		r->off = o;
		r->cap_off = n_groups + 1;
	}
	r->n_groups = n_groups;
	r->width = width;
	r->cur = 0;
	r->total = 0;
	r->off[0] = 0;
	return 0;
}

int split_rows_add(split_rows *r, size_t g, const float *rows, size_t count,
		   ej_err *err)
{
	size_t need = (r->total + count) * r->width;

	for (; r->cur < g; r->cur++)
		r->off[r->cur + 1] = r->total;
	if (count == 0)
		return 0;
	if (need > r->cap) {
		size_t cap = need > 2 * r->cap ? need : 2 * r->cap;
		float *v = realloc(r->v, cap * sizeof(float));

		if (!v)
			return ej_fail(err, EJ_EXIT_RUN, "out of memory");
		r->v = v;
		r->cap = cap;
	}
	memcpy(r->v + r->total * r->width, rows, count * r->width * sizeof(float));
	r->total += count;
	return 0;
}

void split_rows_fold(split_rows *r, const eval_norm *norms, size_t n_norms)
{
	for (; r->cur < r->n_groups; r->cur++)
		r->off[r->cur + 1] = r->total;
	for (size_t g = 0; g < n_norms && g < r->n_groups; g++) {
		const float *rows;
		size_t count = split_rows_get(r, g, &rows);

		if (!norms[g].defer && count > 0)
			obsnorm_update(norms[g].obs_params,
				       (int)((r->width - 1) / 2), rows, count);
	}
}

size_t split_rows_get(const split_rows *r, size_t g, const float **rows)
{
	if (g >= r->n_groups || !r->v) {
		*rows = NULL;
		return 0;
	}
	*rows = r->v + r->off[g] * r->width;
	return r->off[g + 1] - r->off[g];
}

void split_rows_release(split_rows *r)
{
	free(r->v);
	free(r->off);
	memset(r, 0, sizeof(*r));
}

/* ---- what wrappers share -------------------------------------------------- */

int split_base_init(split_base *b, evaluator *first, size_t parts,
		    const char *what, ej_err *err)
{
	b->first = first;
	b->P = eval_param_count(first);
	b->n_obs = eval_obs_params_size(first);
	b->granule = eval_granule(first);
	if (b->granule == 0) { /* the members of a call stay together */
		if (parts > 1)
			return ej_fail(err, EJ_EXIT_USAGE,
				       "%s cannot be split over %zu %s: its members are paired across the whole population (run it on one)",
				       eval_name(first), parts, what);
		b->granule = 1;
	}
	b->n_bd = eval_n_bd(first);
	if (!(b->own = calloc(b->n_obs + 1, sizeof(double))))
		return ej_fail(err, EJ_EXIT_RUN, "out of memory");
	return 0;
}

void split_base_release(split_base *b)
{
	split_rows_release(&b->rows);
	free(b->own);
	b->own = NULL;
}

void split_base_norms(split_base *b, size_t n, const eval_norm **norms,
		      size_t *n_norms, eval_norm *own)
{
	if (*norms || b->n_obs == 0)
		return;
	*own = (eval_norm){ .n = n, .obs_params = b->own };
	*norms = own;
	*n_norms = 1;
}

int split_base_test(void *state, const float *params,
		    const double *obs_params, uint32_t iter, float *scores,
		    size_t *n, ej_err *err)
{
	split_base *b = state;
	const float *v;

	if (eval_test_scores(b->first, params, obs_params ? obs_params : b->own,
			     iter, &v, n, err) < 0)
		return -1;
	memcpy(scores, v, *n * sizeof(float));
	return 0;
}

size_t split_base_param_count(const void *state)
{
	return ((const split_base *)state)->P;
}

size_t split_base_test_count(const void *state)
{
	return eval_test_count(((const split_base *)state)->first);
}

int split_base_lanes(const void *state)
{
	return eval_lanes(((const split_base *)state)->first);
}

size_t split_base_obs_size(const void *state)
{
	return ((const split_base *)state)->n_obs;
}

size_t split_base_obs_rows(const void *state, size_t g, const float **rows)
{
	return split_rows_get(&((const split_base *)state)->rows, g, rows);
}

size_t split_base_granule(const void *state)
{
	return ((const split_base *)state)->granule;
}

const char *split_base_device_name(const void *state)
{
	return ((const split_base *)state)->name;
}

/* ---- the split over devices ---------------------------------------------- */

/* One device's share of a call, run on its own thread. */
typedef struct sd_job {
	evaluator *ev;
	const float *params;  /* (n, P) */
	size_t n;
	uint32_t iter;
	eval_norm *norms;     /* (n_norms) clipped, or NULL */
	size_t n_norms, g0;
	float *fitness, *bd;
	eval_stats st;
	ej_err err;
	int rc;
} sd_job;

typedef struct sd {
	split_base b;        /* first: the shared ops read it; b.first = ev[0] */
	size_t k;
	evaluator **ev;      /* (k) one per device, owned */
	double *weights;     /* (k) device.weights, or NULL: measured */
	double *rate;        /* (k) members per second */
	double *w, *secs;    /* (k) scratch */
	size_t *first;       /* (k + 1) the last plan */
	sd_job *job;         /* (k) */
	pthread_t *th;       /* (k) the threads of jobs 1 .. k-1 */
	bool *started;       /* (k) */
	eval_norm *clip;     /* (k, cap_norms) */
	size_t cap_norms;
	bool warm;           /* a first call has built every program */
} sd;

static void sd_free(void *state)
{
	sd *s = state;

	for (size_t p = 0; s->ev && p < s->k; p++)
		eval_free(s->ev[p]);
	free(s->ev);
	free(s->weights);
	free(s->rate);
	free(s->w);
	free(s->secs);
	free(s->first);
	free(s->job);
	free(s->th);
	free(s->started);
	free(s->clip);
	split_base_release(&s->b);
	free(s);
}

static void *sd_run(void *arg)
{
	sd_job *j = arg;

	j->rc = eval_population(j->ev, j->params, j->n, j->iter, j->norms,
				j->n_norms, j->fitness, j->bd, &j->st, &j->err);
	return NULL;
}

/* Run the jobs with members: one thread each but the first, which runs
 * on the caller's (a thread that cannot start runs here too).  The first
 * call runs the devices one after another: it builds the programs, and
 * CLBlast before July 2023 (CLBlast PR #495; Debian 12 has 1.5.3) fails
 * when two threads store the same compiled program in its process-wide
 * cache at once ("Cache::Store: object already in cache"), which two
 * devices of one name do on their first GEMM.  Later calls find them. */
static void sd_run_all(sd *s)
{
	if (!s->warm) {
		for (size_t p = 0; p < s->k; p++)
			if (s->job[p].n > 0)
				sd_run(&s->job[p]);
		s->warm = true;
		return;
	}
	for (size_t p = 1; p < s->k; p++)
		s->started[p] = s->job[p].n > 0 &&
				pthread_create(&s->th[p], NULL, sd_run,
					       &s->job[p]) == 0;
	if (s->job[0].n > 0)
		sd_run(&s->job[0]);
	for (size_t p = 1; p < s->k; p++) {
		if (s->started[p])
			pthread_join(s->th[p], NULL);
		else if (s->job[p].n > 0)
			sd_run(&s->job[p]);
	}
}

/* The clipped groups and the share of each device. */
static int sd_prepare(sd *s, const float *params, size_t n, uint32_t iter,
		      const eval_norm *norms, size_t n_norms, float *fitness,
		      float *bd, ej_err *err)
{
	if (norms && s->cap_norms < n_norms) {
		eval_norm *c = realloc(s->clip, s->k * n_norms * sizeof(*c));

		if (!c)
			return ej_fail(err, EJ_EXIT_RUN, "out of memory");
		s->clip = c;
		s->cap_norms = n_norms;
	}
	if (s->weights)
		memcpy(s->w, s->weights, s->k * sizeof(double));
	else
		split_weights(s->rate, s->k, s->w);
	split_plan(n, s->b.granule, s->w, s->k, false, s->first);
	for (size_t p = 0; p < s->k; p++) {
		sd_job *j = &s->job[p];
		size_t lo = s->first[p];

		*j = (sd_job){ .ev = s->ev[p], .params = params + lo * s->b.P,
			       .n = s->first[p + 1] - lo, .iter = iter,
			       .fitness = fitness + lo,
			       .bd = bd ? bd + lo * (size_t)s->b.n_bd : NULL };
		if (norms) {
			j->norms = s->clip + p * s->cap_norms;
			j->n_norms = split_clip(norms, n_norms, lo,
						s->first[p + 1], j->norms,
						&j->g0);
		}
	}
	return 0;
}

/* Gather every device's rows per caller group in member order, fold. */
static int sd_gather_rows(sd *s, const eval_norm *norms, size_t n_norms,
			  ej_err *err)
{
	if (split_rows_begin(&s->b.rows, n_norms, s->b.n_obs, err) < 0)
		return -1;
	for (size_t g = 0; g < n_norms; g++)
		for (size_t p = 0; p < s->k; p++) {
			sd_job *j = &s->job[p];
			const float *rows;
			size_t count;

			if (j->n == 0 || g < j->g0 || g >= j->g0 + j->n_norms)
				continue;
			count = eval_obs_rows(j->ev, g - j->g0, &rows);
			if (split_rows_add(&s->b.rows, g, rows, count, err) < 0)
				return -1;
		}
	split_rows_fold(&s->b.rows, norms, n_norms);
	return 0;
}

static int sd_evaluate(void *state, const float *params, size_t n,
		       uint32_t iter, const eval_norm *norms, size_t n_norms,
		       float *fitness, float *bd, eval_stats *st, ej_err *err)
{
	sd *s = state;
	eval_norm own;

	split_base_norms(&s->b, n, &norms, &n_norms, &own);
	if (sd_prepare(s, params, n, iter, norms, n_norms, fitness, bd,
		       err) < 0)
		return -1;
	sd_run_all(s);
	for (size_t p = 0; p < s->k; p++)
		if (s->job[p].n > 0 && s->job[p].rc < 0) {
			if (err)
				*err = s->job[p].err;
			return ej_prefix(err, "device %zu ('%s'): ", p,
					 eval_device_name(s->ev[p]));
		}
	if (norms && s->b.n_obs > 0 && sd_gather_rows(s, norms, n_norms, err) < 0)
		return -1;
	for (size_t p = 0; p < s->k; p++) {
		const eval_stats *j = &s->job[p].st;

		if (s->job[p].n == 0) {
			s->secs[p] = 0.0;
			continue;
		}
		st->env_steps += j->env_steps;
		st->kernel_s = fmax(st->kernel_s, j->kernel_s);
		s->secs[p] = j->wall_s;
	}
	split_rates(s->rate, s->k, s->first, s->secs);
	return 0;
}

static void sd_describe(const void *state, char *buf, size_t size)
{
	const sd *s = state;
	size_t len;

	eval_describe(s->ev[0], buf, size);
	len = strlen(buf);
	snprintf(buf + len, size - len, ", split over %zu devices (%s)", s->k,
		 s->weights ? "weights of device.weights" : "weights measured");
}

static const eval_ops sd_ops = {
	.name = "split",
	.create = NULL, /* split_create */
	.evaluate = sd_evaluate,
	.describe = sd_describe,
	.free = sd_free,
	SPLIT_BASE_OPS,
};

/* The state's arrays, the weights checked. */
static int sd_alloc(sd *s, const exp_cfg *e, ej_err *err)
{
	const cfg_flist *wl = &e->device.weights;
	size_t k = s->k;

	if (wl->n > 0 && (size_t)wl->n != k)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'device.weights' has %d values but 'device.spec' '%s' names %zu devices",
			       wl->n, e->device.spec, k);
	s->ev = calloc(k, sizeof(*s->ev));
	s->rate = calloc(k, sizeof(double));
	s->w = calloc(k, sizeof(double));
	s->secs = calloc(k, sizeof(double));
	s->first = calloc(k + 1, sizeof(size_t));
	s->job = calloc(k, sizeof(*s->job));
	s->th = calloc(k, sizeof(*s->th));
	s->started = calloc(k, sizeof(bool));
	if (wl->n > 0 && (s->weights = malloc(k * sizeof(double))))
		memcpy(s->weights, wl->v, k * sizeof(double));
	if (!s->ev || !s->rate || !s->w || !s->secs || !s->first || !s->job ||
	    !s->th || !s->started || (wl->n > 0 && !s->weights))
		return ej_fail(err, EJ_EXIT_RUN, "out of memory");
	return 0;
}

evaluator *split_create(const exp_cfg *e, clrt *const *rts, size_t k,
			ej_err *err)
{
	sd *s;
	size_t len = 0;

	if (k == 1)
		return eval_create(e, rts[0], err);
	if (!(s = calloc(1, sizeof(*s)))) {
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
		return NULL;
	}
	s->k = k;
	if (sd_alloc(s, e, err) < 0)
		goto fail;
	for (size_t p = 0; p < k; p++) {
		if (!(s->ev[p] = eval_create(e, rts[p], err))) {
			ej_prefix(err, "device %zu ('%s'): ", p,
				  clrt_device_name(rts[p]));
			goto fail;
		}
		len += (size_t)snprintf(s->b.name + len, sizeof(s->b.name) - len,
					"%s%s", p ? " + " : "",
					clrt_device_name(rts[p]));
		if (len >= sizeof(s->b.name))
			len = sizeof(s->b.name) - 1;
	}
	if (split_base_init(&s->b, s->ev[0], k, "devices", err) < 0)
		goto fail;
	return eval_wrap(&sd_ops, s, rts[0], s->b.n_bd, err);
fail:
	sd_free(s);
	return NULL;
}
