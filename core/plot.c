/* plot.c - `evojax plot`: loading the run directories (the drawing is
 * core/plot_draw.c). */
#include "core/plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/cfg.h"
#include "core/exp.h"
#include "core/jsonl.h"

/* Room for element n of *p (elem bytes each): the capacity doubles at
 * powers of two. */
static int plot_grow(void **p, size_t n, size_t elem, ej_err *err)
{
	void *g;

	if (n != 0 && (n & (n - 1)) != 0)
		return 0;
	if (!(g = realloc(*p, (n ? 2 * n : 1) * elem)))
		return ej_fail(err, EJ_EXIT_RUN, "out of memory");
	*p = g;
	return 0;
}

typedef struct plot_ctx {
	plot_data *d;
	int run;
	const char *path;  /* the file being read */
	char name[128];    /* the run directory's last component */
} plot_ctx;

/* The series of (run, worker), NULL when none (make: create it). */
static plot_series *plot_series_of(plot_ctx *c, int worker, bool make,
				   ej_err *err)
{
	plot_data *d = c->d;
	plot_series *s;

	for (size_t i = 0; i < d->n; i++)
		if (d->s[i].run == c->run && d->s[i].worker == worker)
			return &d->s[i];
	if (!make || plot_grow((void **)&d->s, d->n, sizeof(*d->s), err) < 0)
		return NULL;
	s = &d->s[d->n++];
	memset(s, 0, sizeof(*s));
	s->run = c->run;
	s->worker = worker;
	if (worker < 0)
		snprintf(s->label, sizeof(s->label), "%s", c->name);
	else
		snprintf(s->label, sizeof(s->label), "%s w%d", c->name, worker);
	return s;
}

enum { MK_KIND, MK_ITER, MK_MAX, MK_AVG, MK_MIN, MK_WORKER, MK_N };

/* One metrics.jsonl line: a train or test point of its series. */
static int plot_metric(void *ctx, const jsonl_key *k, size_t n, int line,
		       ej_err *err)
{
	plot_ctx *c = ctx;
	bool train = strcmp(k[MK_KIND].str, "train") == 0;
	int worker = k[MK_WORKER].found && !k[MK_WORKER].null
			     ? (int)k[MK_WORKER].num : -1;
	plot_series *s;

	(void)n;
	if (!train && strcmp(k[MK_KIND].str, "test") != 0)
		return 0; /* other kinds of lines: not plotted */
	for (int j = MK_ITER; j <= MK_MIN; j++)
		if (!k[j].found && (train || j == MK_ITER || j == MK_AVG))
			return ej_fail(err, EJ_EXIT_USAGE,
				       "%s:%d: a '%s' line without '%s'",
				       c->path, line, k[MK_KIND].str, k[j].key);
	if (k[MK_ITER].null || !isfinite(k[MK_ITER].num))
		return ej_fail(err, EJ_EXIT_USAGE, "%s:%d: 'iter' is not a number",
			       c->path, line);
	if (!(s = plot_series_of(c, worker, true, err)))
		return -1;
	if (train) {
		if (plot_grow((void **)&s->train, s->n_train, sizeof(*s->train),
			      err) < 0)
			return -1;
		s->train[s->n_train++] = (plot_train){ k[MK_ITER].num,
						       k[MK_MAX].num,
						       k[MK_AVG].num,
						       k[MK_MIN].num };
	} else {
		if (plot_grow((void **)&s->test, s->n_test, sizeof(*s->test),
			      err) < 0)
			return -1;
		s->test[s->n_test++] = (plot_test){ k[MK_ITER].num,
						    k[MK_AVG].num };
	}
	return 0;
}

enum { PK_EVENT, PK_ITER, PK_TO, PK_TARGET, PK_N };

/* One pbt.jsonl line: exploit (to) and FIRE success (target) events
 * mark the worker whose weights were replaced. */
static int plot_event(void *ctx, const jsonl_key *k, size_t n, int line,
		      ej_err *err)
{
	plot_ctx *c = ctx;
	const jsonl_key *who = strcmp(k[PK_EVENT].str, "exploit") == 0 ? &k[PK_TO]
			       : strcmp(k[PK_EVENT].str, "success") == 0 ? &k[PK_TARGET]
								     : NULL;
	plot_series *s;

	(void)n;
	if (!who)
		return 0;
	if (!k[PK_ITER].found || k[PK_ITER].null || !who->found || who->null)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "%s:%d: an '%s' event without 'iter' or '%s'",
			       c->path, line, k[PK_EVENT].str, who->key);
	if (!(s = plot_series_of(c, (int)who->num, false, err)))
		return 0; /* a worker without metrics */
	if (plot_grow((void **)&s->exploit, s->n_exploit, sizeof(double),
		      err) < 0)
		return -1;
	s->exploit[s->n_exploit++] = k[PK_ITER].num;
	return 0;
}

/* "cartpole / mlp / pgpe, pbt with 8 workers" from dir/config.yaml;
 * empty when there is none. */
static int plot_describe(const char *dir, char *buf, size_t size,
			 ej_err *err)
{
	static const char *const methods[] = { "random search", "pbt", "fire pbt" };
	char path[4200];
	struct stat st;
	cfg_doc *doc;
	exp_cfg e;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/config.yaml", dir);
	if (stat(path, &st) != 0)
		return 0;
	if (!(doc = cfg_load_file(path, err)) || exp_load(doc, &e, err) < 0) {
		cfg_free(doc);
		return -1;
	}
	snprintf(buf, size, "%s / %s / %s", e.task->name,
		 e.policy ? e.policy->name : "direct", e.algo->name);
	if (e.pbt.on)
		snprintf(buf + strlen(buf), size - strlen(buf),
			 ", %s with %d workers",
			 methods[e.pbt.method <= PBT_FIRE ? e.pbt.method : 0],
			 e.pbt.workers);
	exp_release(&e);
	cfg_free(doc);
	return 0;
}

static int plot_by_iter(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int plot_by_run(const void *a, const void *b)
{
	const plot_series *x = a, *y = b;

	return x->run != y->run ? (x->run > y->run) - (x->run < y->run)
				: (x->worker > y->worker) - (x->worker < y->worker);
}

/* The title: the distinct descriptions of the runs, " | " between. */
static void plot_title_add(plot_data *d, const char *desc)
{
	size_t len = strlen(d->title);

	if (!desc[0] || strstr(d->title, desc))
		return;
	snprintf(d->title + len, sizeof(d->title) - len, "%s%s",
		 len ? " | " : "", desc);
}

static int plot_load_run(plot_data *d, const char *dir, int run,
			 ej_err *err)
{
	jsonl_key mk[MK_N] = {
		{ .key = "kind", .type = JSONL_STRING },
		{ .key = "iter", .type = JSONL_NUMBER },
		{ .key = "max", .type = JSONL_NUMBER },
		{ .key = "avg", .type = JSONL_NUMBER },
		{ .key = "min", .type = JSONL_NUMBER },
		{ .key = "worker", .type = JSONL_NUMBER },
	};
	jsonl_key pk[PK_N] = {
		{ .key = "event", .type = JSONL_STRING },
		{ .key = "iter", .type = JSONL_NUMBER },
		{ .key = "to", .type = JSONL_NUMBER },
		{ .key = "target", .type = JSONL_NUMBER },
	};
	plot_ctx c = { .d = d, .run = run };
	char path[4200], desc[256];
	size_t first = d->n, len = strlen(dir);
	const char *base;
	struct stat st;

	while (len > 1 && dir[len - 1] == '/')
		len--;
	base = dir + len;
	while (base > dir && base[-1] != '/')
		base--;
	snprintf(c.name, sizeof(c.name), "%.*s", (int)(dir + len - base), base);
	snprintf(path, sizeof(path), "%s/metrics.jsonl", dir);
	c.path = path;
	if (stat(path, &st) != 0)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'%s' is not a run directory: it has no metrics.jsonl",
			       dir);
	if (jsonl_read(path, mk, MK_N, plot_metric, &c, err) < 0)
		return -1;
	if (d->n == first)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'%s' has no train or test lines", path);
	snprintf(path, sizeof(path), "%s/pbt.jsonl", dir);
	if (stat(path, &st) == 0 &&
	    jsonl_read(path, pk, PK_N, plot_event, &c, err) < 0)
		return -1;
	for (size_t i = first; i < d->n; i++) {
		plot_series *s = &d->s[i];

		/* the first member of each point is its iteration */
		if (s->n_train)
			qsort(s->train, s->n_train, sizeof(*s->train), plot_by_iter);
		if (s->n_test)
			qsort(s->test, s->n_test, sizeof(*s->test), plot_by_iter);
		if (s->n_exploit)
			qsort(s->exploit, s->n_exploit, sizeof(double), plot_by_iter);
	}
	qsort(d->s + first, d->n - first, sizeof(*d->s), plot_by_run);
	if (plot_describe(dir, desc, sizeof(desc), err) < 0)
		return -1;
	plot_title_add(d, desc);
	return 0;
}

int plot_load(plot_data *d, const char *const *dirs, size_t n, ej_err *err)
{
	memset(d, 0, sizeof(*d));
	if (n == 0)
		return ej_fail(err, EJ_EXIT_USAGE, "no run directory given");
	for (size_t i = 0; i < n; i++)
		if (plot_load_run(d, dirs[i], (int)i, err) < 0)
			return -1;
	if (!d->title[0])
		snprintf(d->title, sizeof(d->title), "evojax");
	return 0;
}

void plot_release(plot_data *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->s[i].train);
		free(d->s[i].test);
		free(d->s[i].exploit);
	}
	free(d->s);
	memset(d, 0, sizeof(*d));
}
