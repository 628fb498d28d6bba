#include "core/pbt_cfg.h"

#include <stdarg.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

typedef struct pbt_raw {
	char method[CFG_STR_MAX];
	int workers, eval_interval, ready;
	double truncation;
	int subpops, subpop_size, evaluators, max_eval_steps;
	double p_stat;
	cfg_ilist min_steps;
} pbt_raw;

static const cfg_field pbt_fields[] = {
	{ .key = "method", .type = CFG_ENUM, .offset = offsetof(pbt_raw, method),
	  .def = "pbt", .choices = "random|pbt|fire",
	  .help = "random: independent workers with sampled hyperparameters; pbt: exploit and explore; fire: FIRE PBT" },
	{ .key = "workers", .type = CFG_INT, .offset = offsetof(pbt_raw, workers),
	  .def = "0", .min = 0, .max = PBT_MAX_WORKERS,
	  .help = "trainers evaluated together, one device launch per iteration; 0: 8 (fire: subpops x subpop_size + evaluators)" },
	{ .key = "eval_interval", .type = CFG_INT,
	  .offset = offsetof(pbt_raw, eval_interval), .def = "0", .min = 0,
	  .max = 1e9,
	  .help = "iterations between measurements of Q (the test score); 0: trainer.test_interval" },
	{ .key = "ready", .type = CFG_INT, .offset = offsetof(pbt_raw, ready),
	  .def = "0", .min = 0, .max = 1e9,
	  .help = "iterations between exploit/explore rounds, a multiple of eval_interval; 0: eval_interval" },
	{ .key = "truncation", .type = CFG_FLOAT,
	  .offset = offsetof(pbt_raw, truncation), .def = "0.25", .min = 0,
	  .max = 0.5, .flags = CFG_F_MIN_OPEN,
	  .help = "fraction of workers in the bottom (they copy) and the top (copied)" },
	{ .key = "subpops", .type = CFG_INT, .offset = offsetof(pbt_raw, subpops),
	  .def = "2", .min = 2, .max = 64,
	  .help = "fire: sub-populations P1 (greedy) .. Pn" },
	{ .key = "subpop_size", .type = CFG_INT,
	  .offset = offsetof(pbt_raw, subpop_size), .def = "4", .min = 2,
	  .max = PBT_MAX_WORKERS, .help = "fire: members per sub-population" },
	{ .key = "evaluators", .type = CFG_INT,
	  .offset = offsetof(pbt_raw, evaluators), .def = "-1", .min = -1,
	  .max = PBT_MAX_WORKERS,
	  .help = "fire: evaluator workers; -1: 3/4 of the parent sub-populations' members" },
	{ .key = "max_eval_steps", .type = CFG_INT,
	  .offset = offsetof(pbt_raw, max_eval_steps), .def = "0", .min = 0,
	  .max = 1e9, .help = "fire: iterations an evaluator may run without overlapping its target; 0: 3 ready" },
	{ .key = "p_stat", .type = CFG_FLOAT, .offset = offsetof(pbt_raw, p_stat),
	  .def = "0.01", .min = 0, .max = 1,
	  .help = "fire: significance of the evaluators' binomial test" },
	{ .key = "min_steps_before_eval", .type = CFG_INT_LIST,
	  .offset = offsetof(pbt_raw, min_steps), .def = "[]", .min = 0,
	  .max = 1e9,
	  .help = "fire: per parent sub-population P2..Pn, iterations before its members are evaluated (missing: 0)" },
};

typedef struct pbt_hp_raw {
	char init[CFG_STR_MAX];
	cfg_flist range, values, factors;
	double resample;
} pbt_hp_raw;

static const cfg_field pbt_hp_fields[] = {
	{ .key = "init", .type = CFG_ENUM, .offset = offsetof(pbt_hp_raw, init),
	  .def = "loguniform", .choices = "loguniform|uniform|choice",
	  .help = "the starting value's distribution" },
	{ .key = "range", .type = CFG_FLOAT_LIST,
	  .offset = offsetof(pbt_hp_raw, range), .def = "[]",
	  .help = "[low, high] of loguniform and uniform" },
	{ .key = "values", .type = CFG_FLOAT_LIST,
	  .offset = offsetof(pbt_hp_raw, values), .def = "[]",
	  .help = "the choices of 'choice'" },
	{ .key = "factors", .type = CFG_FLOAT_LIST,
	  .offset = offsetof(pbt_hp_raw, factors), .def = "[]",
	  .help = "explore multipliers; default [0.5, 0.8, 1.25, 2.0] for learning rates, [0.8, 0.95, 1.05, 1.2] otherwise" },
	{ .key = "resample", .type = CFG_FLOAT,
	  .offset = offsetof(pbt_hp_raw, resample), .def = "0", .min = 0,
	  .max = 1, .help = "probability that explore draws anew from init" },
};

#define PBT_N(a) (sizeof(a) / sizeof((a)[0]))

/* A config error located at node n: "file:line:col: <message>". */
__attribute__((format(printf, 3, 4)))
static int pbt_at(const cfg_node *n, ej_err *err, const char *fmt, ...)
{
	char where[512], msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cfg_where(n, where, sizeof(where));
	return ej_fail(err, EJ_EXIT_USAGE, "%s: %s", where, msg);
}

/* The float field 'key' of a schema, or NULL. */
static const cfg_field *pbt_float_field(const cfg_field *f, size_t n,
					const char *key)
{
	for (size_t i = 0; f && i < n; i++)
		if (!strcmp(f[i].key, key) && f[i].type == CFG_FLOAT)
			return &f[i];
	return NULL;
}

/* 'algo.<key>': one of the algorithm's run-time hyperparameters, or
 * another float of its section; 'optimizer.<key>'; 'schedule.<hp>.<key>'
 * (these set at the workers' creation).  *field: the schema entry of an
 * init-time key. */
static int pbt_hp_key(const cfg_node *c, const pbt_keys *ks, pbt_hp *h,
		      const cfg_field **field, ej_err *err)
{
	const algo_ops *algo = ks->algo;
	const char *const *hp = algo->hparams;
	const char *none[] = { NULL }, *key = c->key;
	char known[512] = "", where[512];

	for (const char *const *p = hp ? hp : none; *p; p++)
		snprintf(known + strlen(known), sizeof(known) - strlen(known),
			 "%s%s", p == hp ? "" : ", ", *p);
	cfg_where(c, where, sizeof(where));
	snprintf(h->key, sizeof(h->key), "%s", key);
	if (!strncmp(key, "algo.", 5)) {
		snprintf(h->key, sizeof(h->key), "%s", key + 5);
		for (const char *const *p = hp ? hp : none; *p; p++)
			if (!strcmp(*p, key + 5)) {
				h->runtime = true;
				return 0;
			}
		h->where = PBT_IN_ALGO;
		*field = pbt_float_field(algo->fields, algo->n_fields, key + 5);
		if (!*field)
			return ej_fail(err, EJ_EXIT_USAGE,
				       "%s: algorithm '%s' has no float key '%s' to tune (run-time: %s)",
				       where, algo->name, key + 5,
				       known[0] ? known : "none");
	} else if (!strncmp(key, "optimizer.", 10)) {
		h->where = PBT_IN_OPTIM;
		*field = pbt_float_field(ks->optim_fields, ks->n_optim_fields,
					 key + 10);
		if (!*field)
			return ej_fail(err, EJ_EXIT_USAGE,
				       "%s: the optimizer has no float key '%s' to tune",
				       where, key + 10);
	} else if (!strncmp(key, "schedule.", 9)) {
		const char *dot = strchr(key + 9, '.');

		h->where = PBT_IN_SCHED;
		for (h->sched = 0; dot && h->sched < ks->n_sched; h->sched++)
			if (strlen(ks->sched_hparam[h->sched]) ==
				    (size_t)(dot - key - 9) &&
			    !strncmp(ks->sched_hparam[h->sched], key + 9,
				     (size_t)(dot - key - 9)))
				break;
		if (!dot || h->sched == ks->n_sched ||
		    !(*field = pbt_float_field(ks->sched_fields[h->sched],
					      ks->n_sched_fields[h->sched],
					      dot + 1)))
			return ej_fail(err, EJ_EXIT_USAGE,
				       "%s: cannot tune '%s': no such float key of a schedule of the 'schedule' section",
				       where, key);
	} else {
		return ej_fail(err, EJ_EXIT_USAGE,
			       "%s: cannot tune '%s': tunable keys are algo.<key> (run-time: %s), optimizer.<key> and schedule.<hparam>.<key>",
			       where, key, known[0] ? known : "none");
	}
	h->offset = (*field)->offset;
	return 0;
}

/* An init-time key's draws must lie within its schema's bounds. */
static int pbt_hp_bounds(const cfg_node *c, const cfg_field *f,
			 const pbt_hp *h, ej_err *err)
{
	double lo = h->init == PBT_INIT_CHOICE ? INFINITY : h->lo;
	double hi = h->init == PBT_INIT_CHOICE ? -INFINITY : h->hi;

	if (!f || (f->min == 0 && f->max == 0))
		return 0;
	for (int k = 0; k < h->values.n && h->init == PBT_INIT_CHOICE; k++) {
		lo = fmin(lo, h->values.v[k]);
		hi = fmax(hi, h->values.v[k]);
	}
	if (lo < f->min || hi > f->max ||
	    (lo == f->min && (f->flags & CFG_F_MIN_OPEN)))
		return pbt_at(c, err,
			      "'%s' draws values in [%g, %g], outside its bounds [%g, %g]",
			      c->key, lo, hi, f->min, f->max);
	return 0;
}

static int pbt_hp_parse(const cfg_node *c, const pbt_keys *ks, pbt_hp *h,
			ej_err *err)
{
	static const double lr_f[] = { 0.5, 0.8, 1.25, 2.0 };
	static const double other_f[] = { 0.8, 0.95, 1.05, 1.2 };
	const cfg_field *field = NULL;
	pbt_hp_raw r;

	if (pbt_hp_key(c, ks, h, &field, err) < 0 ||
	    cfg_parse_section(c, c->key, pbt_hp_fields, PBT_N(pbt_hp_fields),
			      &r, NULL, err) < 0)
		return -1;
	h->init = !strcmp(r.init, "choice")    ? PBT_INIT_CHOICE
		  : !strcmp(r.init, "uniform") ? PBT_INIT_UNIFORM
					       : PBT_INIT_LOGUNIFORM;
	h->values = r.values;
	h->resample = r.resample;
	if (h->init == PBT_INIT_CHOICE) {
		if (r.values.n < 1)
			return pbt_at(c, err, "'init: choice' of '%s' needs 'values' (a non-empty list)",
				      c->key);
	} else {
		const cfg_node *rn = cfg_get(c, "range");

		if (r.range.n != 2 || !(r.range.v[0] < r.range.v[1]))
			return pbt_at(rn ? rn : c, err,
				      "'%s' needs 'range: [low, high]' with low < high",
				      c->key);
		if (h->init == PBT_INIT_LOGUNIFORM && r.range.v[0] <= 0)
			return pbt_at(rn, err,
				      "'init: loguniform' of '%s' needs a range above 0",
				      c->key);
		h->lo = r.range.v[0];
		h->hi = r.range.v[1];
	}
	if (r.factors.n == 0) {
		const double *f = strstr(h->key, "lr") ? lr_f : other_f;

		r.factors.n = 4;
		memcpy(r.factors.v, f, 4 * sizeof(double));
	}
	for (int i = 0; i < r.factors.n; i++)
		if (!(r.factors.v[i] > 0))
			return pbt_at(cfg_get(c, "factors"), err,
				      "explore factors of '%s' must be > 0, got %g",
				      c->key, r.factors.v[i]);
	h->factors = r.factors;
	return pbt_hp_bounds(c, field, h, err);
}

int pbt_cfg_parse(const cfg_node *sec, const pbt_keys *ks,
		  int test_interval, pbt_cfg *out, ej_err *err)
{
	static const char *const skip[] = { "hparams", NULL };
	const cfg_node *hps;
	pbt_raw r;

	memset(out, 0, sizeof(*out));
	if (!sec || cfg_is_null(sec))
		return 0;
	if (cfg_parse_section(sec, "pbt", pbt_fields, PBT_N(pbt_fields), &r,
			      skip, err) < 0)
		return -1;
	out->on = true;
	out->method = !strcmp(r.method, "random") ? PBT_RANDOM
		      : !strcmp(r.method, "fire") ? PBT_FIRE
						  : PBT_PBT;
	out->eval_interval = r.eval_interval ? r.eval_interval : test_interval;
	out->ready = r.ready ? r.ready : out->eval_interval;
	out->truncation = r.truncation;
	out->subpops = r.subpops;
	out->subpop_size = r.subpop_size;
	out->p_stat = r.p_stat;
	out->max_eval_steps = r.max_eval_steps ? r.max_eval_steps : 3 * out->ready;
	out->min_steps = r.min_steps;
	if (out->ready % out->eval_interval != 0)
		return pbt_at(cfg_get(sec, "ready"), err,
			      "'ready' (%d) must be a multiple of 'eval_interval' (%d)",
			      out->ready, out->eval_interval);
	if (out->method != PBT_FIRE) {
		out->workers = r.workers ? r.workers : 8;
		if (out->workers < 2)
			return pbt_at(cfg_get(sec, "workers"), err,
				      "'workers' must be an integer in [2, %d], got '%d'",
				      PBT_MAX_WORKERS, out->workers);
	} else {
		int parents = (r.subpops - 1) * r.subpop_size;

		out->evaluators = r.evaluators >= 0 ? r.evaluators
						    : (3 * parents + 3) / 4;
		out->workers = r.subpops * r.subpop_size + out->evaluators;
		if (out->evaluators < 1)
			return pbt_at(cfg_get(sec, "evaluators"), err,
				      "FIRE PBT needs at least one evaluator for its %d parent members",
				      parents);
		if (r.workers && r.workers != out->workers)
			return pbt_at(cfg_get(sec, "workers"), err,
				      "'workers' (%d) must be subpops x subpop_size + evaluators = %d (or left out)",
				      r.workers, out->workers);
		if (out->workers > PBT_MAX_WORKERS)
			return pbt_at(sec, err, "FIRE PBT with %d workers: at most %d",
				      out->workers, PBT_MAX_WORKERS);
		if (r.min_steps.n > r.subpops - 1)
			return pbt_at(cfg_get(sec, "min_steps_before_eval"), err,
				      "'min_steps_before_eval' has %d values for %d parent sub-populations",
				      r.min_steps.n, r.subpops - 1);
	}
	hps = cfg_get(sec, "hparams");
	if (!hps || hps->kind != CFG_MAP || !hps->child)
		return pbt_at(hps ? hps : sec, err,
			      "'pbt' needs 'hparams': a mapping of algo.<key> to its distribution");
	for (const cfg_node *c = hps->child; c; c = c->next) {
		if (out->n_hp == PBT_MAX_HP)
			return pbt_at(c, err, "at most %d tuned hyperparameters",
				      PBT_MAX_HP);
		if (pbt_hp_parse(c, ks, &out->hp[out->n_hp], err) < 0)
			return -1;
		out->n_hp++;
	}
	return 0;
}

void pbt_cfg_emit(FILE *f, const pbt_cfg *c)
{
	static const char *const inits[] = { "loguniform", "uniform", "choice" };
	pbt_raw r = { .workers = c->workers, .eval_interval = c->eval_interval,
		      .ready = c->ready, .truncation = c->truncation };

	if (!c->on)
		return;
	static const char *const methods[] = { "random", "pbt", "fire" };

	r.subpops = c->subpops;
	r.subpop_size = c->subpop_size;
	r.evaluators = c->method == PBT_FIRE ? c->evaluators : -1;
	r.max_eval_steps = c->max_eval_steps;
	r.p_stat = c->p_stat;
	r.min_steps = c->min_steps;
	snprintf(r.method, sizeof(r.method), "%s", methods[c->method]);
	fprintf(f, "pbt:\n");
	cfg_emit_section(f, 2, pbt_fields, PBT_N(pbt_fields), &r);
	fprintf(f, "  hparams:\n");
	for (int i = 0; i < c->n_hp; i++) {
		const pbt_hp *h = &c->hp[i];
		pbt_hp_raw hr = { .values = h->values, .factors = h->factors,
				  .resample = h->resample };

		snprintf(hr.init, sizeof(hr.init), "%s", inits[h->init]);
		if (h->init != PBT_INIT_CHOICE) {
			hr.range.n = 2;
			hr.range.v[0] = h->lo;
			hr.range.v[1] = h->hi;
		}
		fprintf(f, "    %s%s:\n", h->runtime || h->where == PBT_IN_ALGO ? "algo." : "",
			h->key);
		cfg_emit_section(f, 6, pbt_hp_fields, PBT_N(pbt_hp_fields), &hr);
	}
}
