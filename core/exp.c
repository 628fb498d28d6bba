#include "core/exp.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

const cfg_field exp_trainer_fields[] = {
	{ .key = "max_iter", .type = CFG_INT,
	  .offset = offsetof(trainer_cfg, max_iter), .def = "1000", .min = 1,
	  .max = 1e9, .help = "training iterations" },
	{ .key = "log_interval", .type = CFG_INT,
	  .offset = offsetof(trainer_cfg, log_interval), .def = "20",
	  .min = 1, .max = 1e9, .help = "iterations between metrics lines" },
	{ .key = "test_interval", .type = CFG_INT,
	  .offset = offsetof(trainer_cfg, test_interval), .def = "100",
	  .min = 1, .max = 1e9,
	  .help = "iterations between tests of the best parameters (and checkpoints)" },
	{ .key = "n_repeats", .type = CFG_INT,
	  .offset = offsetof(trainer_cfg, n_repeats), .def = "1", .min = 1,
	  .max = 1e6, .help = "episodes per member per iteration (common reset seeds)" },
	{ .key = "n_evaluations", .type = CFG_INT,
	  .offset = offsetof(trainer_cfg, n_evaluations), .def = "100",
	  .min = 1, .max = 1e6, .help = "test episodes, each on its own seed" },
	{ .key = "test_n_repeats", .type = CFG_INT,
	  .offset = offsetof(trainer_cfg, test_n_repeats), .def = "1",
	  .min = 1, .max = 1e6, .help = "repeats averaged per test evaluation" },
	{ .key = "normalize_obs", .type = CFG_BOOL,
	  .offset = offsetof(trainer_cfg, normalize_obs), .def = "false",
	  .help = "running observation normalization (EvoJAX ObsNormalizer)" },
};
const size_t exp_n_trainer_fields =
	sizeof(exp_trainer_fields) / sizeof(exp_trainer_fields[0]);

const cfg_field exp_device_fields[] = {
	{ .key = "spec", .type = CFG_STR, .offset = offsetof(device_cfg, spec),
	  .def = "auto",
	  .help = "auto | N (index in `evojax devices`) | P:D | name substring | all | gpu:* | cpu:* | a comma list of those (several devices: the population is split)" },
	{ .key = "weights", .type = CFG_FLOAT_LIST,
	  .offset = offsetof(device_cfg, weights), .def = "[]", .min = 0,
	  .max = 1e300, .flags = CFG_F_MIN_OPEN,
	  .help = "share of the population per device of 'spec', in its order; [] = measured speed (results never depend on it)" },
	{ .key = "lanes", .type = CFG_INT, .offset = offsetof(device_cfg, lanes),
	  .def = "0", .min = 0, .max = 16, .choices = "0|1|2|4|8|16",
	  .help = "environments per work-item: 0 auto (16 on CPUs, 1 on GPUs), 1, 2, 4, 8, 16" },
	{ .key = "noise", .type = CFG_ENUM, .offset = offsetof(device_cfg, noise),
	  .def = "auto", .choices = "auto|on|off",
	  .help = "draw evolution-strategy noise on the device: auto = on non-CPU devices when pop x params >= 2^20" },
};
const size_t exp_n_device_fields =
	sizeof(exp_device_fields) / sizeof(exp_device_fields[0]);

typedef struct exp_root {
	int seed;
} exp_root;

static const cfg_field exp_root_fields[] = {
	{ .key = "seed", .type = CFG_INT, .offset = offsetof(exp_root, seed),
	  .def = "42", .min = 0, .max = 2147483647,
	  .help = "seed of every random stream" },
};

static const char *const exp_sections[] = { "task", "policy", "algo",
					    "optimizer", "schedule", "trainer",
					    "device", "pbt", NULL };

/* Look up the component named by section 'name' (required key). */
static const cfg_node *exp_component_name(const cfg_node *root,
					  const char *section,
					  ej_err *err)
{
	const cfg_node *sec = cfg_get(root, section);
	const cfg_node *name;
	char where[512];

	if (!sec) {
		cfg_where(root, where, sizeof(where));
		ej_fail(err, EJ_EXIT_USAGE, "%s: missing section '%s'", where,
			section);
		return NULL;
	}
	if (sec->kind != CFG_MAP) {
		cfg_where(sec, where, sizeof(where));
		ej_fail(err, EJ_EXIT_USAGE, "%s: '%s' must be a mapping", where,
			section);
		return NULL;
	}
	name = cfg_get(sec, "name");
	if (!name || name->kind != CFG_SCALAR || !name->value[0]) {
		cfg_where(sec, where, sizeof(where));
		ej_fail(err, EJ_EXIT_USAGE, "%s: '%s' needs a 'name'", where,
			section);
		return NULL;
	}
	return name;
}

static int exp_unknown(const cfg_node *name, const char *what,
		       const char *const *names, ej_err *err)
{
	char where[512], known[512] = "";
	const char *hint = cfg_did_you_mean(name->value, names);
	size_t n = 0;

	for (const char *const *p = names; *p; p++)
		n += (size_t)snprintf(known + n, n < sizeof(known) ? sizeof(known) - n : 0,
				      "%s%s", p == names ? "" : ", ", *p);
	cfg_where(name, where, sizeof(where));
	if (hint)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "%s: unknown %s '%s' (did you mean '%s'?); known: %s",
			       where, what, name->value, hint, known);
	return ej_fail(err, EJ_EXIT_USAGE, "%s: unknown %s '%s'; known: %s",
		       where, what, name->value, known);
}

/* Parse one registry-backed section into a freshly allocated struct. */
static int exp_component(const cfg_node *root, const char *section,
			 const cfg_field *fields,
			 size_t n_fields, size_t size, void **out,
			 ej_err *err)
{
	static const char *const skip[] = { "name", NULL };

	*out = calloc(1, size ? size : 1);
	if (!*out)
		return ej_fail(err, EJ_EXIT_RUN, "out of memory");
	return cfg_parse_section(cfg_get(root, section), section, fields,
				 n_fields, *out, skip, err);
}

#define EXP_NAMES(reg, arr)                                                  \
	do {                                                                 \
		size_t i_ = 0;                                               \
		for (; (reg)[i_] && i_ < 63; i_++)                           \
			(arr)[i_] = (reg)[i_]->name;                         \
		(arr)[i_] = NULL;                                            \
	} while (0)

int exp_algo_value(const exp_cfg *e, const char *key, double *out)
{
	for (size_t i = 0; i < e->algo->n_fields; i++) {
		const cfg_field *f = &e->algo->fields[i];

		if (!strcmp(f->key, key) && f->type == CFG_FLOAT) {
			memcpy(out, (const char *)e->algo_cfg + f->offset,
			       sizeof(*out));
			return 0;
		}
	}
	return -1;
}

/* schedule: {hparam: spec, ...}; each hparam must be one the algorithm
 * lets a schedule drive. */
static int exp_schedules(const cfg_node *sec, exp_cfg *e, ej_err *err)
{
	const char *const *hp = e->algo->hparams;
	const char *none[] = { NULL };
	char where[512], known[512] = "";

	if (!sec || cfg_is_null(sec))
		return 0;
	cfg_where(sec, where, sizeof(where));
	if (sec->kind != CFG_MAP)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "%s: 'schedule' must be a mapping", where);
	for (const char *const *p = hp ? hp : none; *p; p++)
		snprintf(known + strlen(known), sizeof(known) - strlen(known),
			 "%s%s", p == hp ? "" : ", ", *p);
	for (const cfg_node *c = sec->child; c; c = c->next) {
		exp_sched *s = &e->sched[e->n_sched];
		const char *hint = cfg_did_you_mean(c->key, hp ? hp : none);
		bool ok = false;

		for (const char *const *p = hp ? hp : none; *p; p++)
			ok |= !strcmp(*p, c->key);
		cfg_where(c, where, sizeof(where));
		if (!ok)
			return ej_fail(err, EJ_EXIT_USAGE,
				       "%s: algorithm '%s' has no schedulable '%s'%s%s%s; schedulable: %s",
				       where, e->algo->name, c->key,
				       hint ? " (did you mean '" : "",
				       hint ? hint : "", hint ? "'?)" : "",
				       known[0] ? known : "none");
		if (e->n_sched == EXP_MAX_SCHED)
			return ej_fail(err, EJ_EXIT_USAGE,
				       "%s: at most %d schedules", where,
				       EXP_MAX_SCHED);
		snprintf(s->hparam, sizeof(s->hparam), "%s", c->key);
		if (exp_algo_value(e, c->key, &s->base) < 0)
			return ej_fail(err, EJ_EXIT_USAGE,
				       "%s: '%s' is not a number of the 'algo' section",
				       where, c->key);
		if (sched_parse(c, c->key, &s->cfg, err) < 0)
			return -1;
		e->n_sched++;
	}
	return 0;
}

_Static_assert(PBT_MAX_SCHED >= EXP_MAX_SCHED, "pbt_keys holds every schedule");

/* The 'pbt' section, whose keys name numbers of the other sections. */
static int exp_pbt(const cfg_node *sec, exp_cfg *e, ej_err *err)
{
	const optim_info *oi = optim_find(e->optim.name);
	pbt_keys ks = { .algo = e->algo, .n_sched = e->n_sched };

	if (oi) {
		ks.optim_fields = oi->fields;
		ks.n_optim_fields = oi->n_fields;
	}
	for (int i = 0; i < e->n_sched && i < PBT_MAX_SCHED; i++) {
		const sched_info *si = sched_find(e->sched[i].cfg.profile);

		ks.sched_hparam[i] = e->sched[i].hparam;
		ks.sched_fields[i] = si ? si->fields : NULL;
		ks.n_sched_fields[i] = si ? si->n_fields : 0;
	}
	return pbt_cfg_parse(sec, &ks, e->trainer.test_interval, &e->pbt, err);
}

/* Rules that span sections. */
static int exp_cross_checks(const cfg_node *root, const exp_cfg *e,
			    ej_err *err)
{
	const char *key = e->algo->needs_obs_norm
				  ? e->algo->needs_obs_norm(e->algo_cfg)
				  : NULL;
	const cfg_node *v;
	char where[512];

	if (key && !e->trainer.normalize_obs) {
		v = cfg_get(cfg_get(root, "algo"), key);
		if (v)
			cfg_where(v, where, sizeof(where));
		else
			snprintf(where, sizeof(where), "config");
		return ej_fail(err, EJ_EXIT_USAGE,
			       "%s: '%s: %s' of '%s' needs 'trainer.normalize_obs: true'",
			       where, key, v && v->value ? v->value : "(default)",
			       e->algo->name);
	}
	return 0;
}

int exp_load(const cfg_doc *doc, exp_cfg *e, ej_err *err)
{
	cfg_node *root = cfg_root((cfg_doc *)doc);
	const cfg_node *tname, *pname, *aname;
	const char *names[64];
	exp_root r;

	memset(e, 0, sizeof(*e));
	if (cfg_parse_section(root, "config", exp_root_fields,
			      sizeof(exp_root_fields) / sizeof(exp_root_fields[0]),
			      &r, exp_sections, err) < 0)
		return -1;
	e->seed = r.seed;

	if (!(tname = exp_component_name(root, "task", err)))
		return -1;
	if (!(e->task = task_find(tname->value))) {
		EXP_NAMES(task_registry, names);
		return exp_unknown(tname, "task", names, err);
	}
	if (e->task->policy_caps == 0) {
		const cfg_node *pol = cfg_get(root, "policy");
		char where[512];

		if (pol) {
			cfg_where(pol, where, sizeof(where));
			return ej_fail(err, EJ_EXIT_USAGE,
				       "%s: task '%s' evaluates the parameters directly and takes no 'policy' section",
				       where, e->task->name);
		}
	} else {
		if (!(pname = exp_component_name(root, "policy", err)))
			return -1;
		if (!(e->policy = policy_find(pname->value))) {
			EXP_NAMES(policy_registry, names);
			return exp_unknown(pname, "policy", names, err);
		}
		if ((e->policy->caps & e->task->policy_caps) !=
		    e->task->policy_caps) {
			char where[512];

			cfg_where(pname, where, sizeof(where));
			return ej_fail(err, EJ_EXIT_USAGE,
				       "%s: policy '%s' cannot drive task '%s'",
				       where, e->policy->name, e->task->name);
		}
	}
	if (!(aname = exp_component_name(root, "algo", err)))
		return -1;
	if (!(e->algo = algo_find(aname->value))) {
		EXP_NAMES(algo_registry, names);
		return exp_unknown(aname, "algorithm", names, err);
	}
	if (exp_component(root, "task", e->task->fields,
			  e->task->n_fields, e->task->cfg_size, &e->task_cfg,
			  err) < 0 ||
	    (e->policy &&
	     exp_component(root, "policy", e->policy->fields,
			   e->policy->n_fields, e->policy->cfg_size,
			   &e->policy_cfg, err) < 0) ||
	    exp_component(root, "algo", e->algo->fields,
			  e->algo->n_fields, e->algo->cfg_size, &e->algo_cfg,
			  err) < 0 ||
	    optim_parse(cfg_get(root, "optimizer"), &e->optim, err) < 0 ||
	    cfg_parse_section(cfg_get(root, "trainer"), "trainer",
			      exp_trainer_fields, exp_n_trainer_fields,
			      &e->trainer, NULL, err) < 0 ||
	    cfg_parse_section(cfg_get(root, "device"), "device",
			      exp_device_fields, exp_n_device_fields,
			      &e->device, NULL, err) < 0 ||
	    exp_schedules(cfg_get(root, "schedule"), e, err) < 0 ||
	    exp_pbt(cfg_get(root, "pbt"), e, err) < 0 ||
	    exp_cross_checks(root, e, err) < 0) {
		exp_release(e);
		return -1;
	}
	return 0;
}

void exp_release(exp_cfg *e)
{
	free(e->task_cfg);
	free(e->policy_cfg);
	free(e->algo_cfg);
	e->task_cfg = e->policy_cfg = e->algo_cfg = NULL;
}

static int exp_has_field(const cfg_field *f, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(f[i].key, key) == 0)
			return 1;
	return 0;
}

/* The algo's integer value of 'key' in doc, else its schema default. */
static long exp_algo_int(const cfg_node *root, const cfg_field *f)
{
	char path[96];
	const cfg_node *n;

	snprintf(path, sizeof(path), "algo.%s", f->key);
	n = cfg_path(root, path);
	return strtol(n && n->value ? n->value : f->def ? f->def : "0", NULL,
		      10);
}

/* The smoke population: 8, rounded up to a whole number of worlds for
 * tasks whose worlds hold distinct members (TASK_AGENTS_DISTINCT: 16 for
 * 16 agents).  A task section that does not parse keeps 8: the real parse
 * reports it. */
static long exp_smoke_pop(const cfg_node *root, const task_ops *t)
{
	void *tcfg = NULL;
	ej_err e = { 0 };
	task_dims d;
	long pop = 8;

	if (t && exp_component(root, "task", t->fields, t->n_fields,
			       t->cfg_size, &tcfg, &e) == 0) {
		task_get_dims(t, tcfg, &d);
		if (d.agent_map == TASK_AGENTS_DISTINCT && d.n_agents > 1)
			pop = (8 + d.n_agents - 1) / d.n_agents * d.n_agents;
	}
	free(tcfg);
	return pop;
}

/* Counts of members (CFG_F_PER_POP) shrink with the smoke population
 * 'smoke': v -> max(1, floor(v smoke / pop_size)), so they stay within
 * it. */
static int exp_smoke_per_pop(cfg_doc *doc, const algo_ops *a, long smoke,
			     ej_err *err)
{
	const cfg_node *root = cfg_root(doc);
	long pop = 0;

	for (size_t i = 0; i < a->n_fields; i++)
		if (!strcmp(a->fields[i].key, "pop_size"))
			pop = exp_algo_int(root, &a->fields[i]);
	for (size_t i = 0; i < a->n_fields && pop > smoke; i++) {
		const cfg_field *f = &a->fields[i];
		long v = f->flags & CFG_F_PER_POP ? exp_algo_int(root, f) : 0;
		char set[128];

		if (v <= 0)
			continue;
		v = v * smoke / pop;
		snprintf(set, sizeof(set), "algo.%s=%ld", f->key, v < 1 ? 1 : v);
		if (cfg_set(doc, set, err) < 0)
			return -1;
	}
	return 0;
}

int exp_apply_smoke(cfg_doc *doc, ej_err *err)
{
	static const char *const sets[] = {
		"trainer.max_iter=4",      "trainer.log_interval=1",
		"trainer.test_interval=2", "trainer.n_repeats=2",
		"trainer.n_evaluations=4", "trainer.test_n_repeats=1",
	};
	const cfg_node *root = cfg_root(doc), *n;
	const task_ops *t;
	const algo_ops *a;

	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		if (cfg_set(doc, sets[i], err) < 0)
			return -1;
	n = cfg_path(root, "task.name");
	t = n && n->value ? task_find(n->value) : NULL;
	if (t && exp_has_field(t->fields, t->n_fields, "max_steps") &&
	    cfg_set(doc, "task.max_steps=100", err) < 0)
		return -1;
	if (t && exp_has_field(t->fields, t->n_fields, "batch_size") &&
	    cfg_set(doc, "task.batch_size=64", err) < 0)
		return -1;
	n = cfg_path(root, "algo.name");
	a = n && n->value ? algo_find(n->value) : NULL;
	if (a && exp_has_field(a->fields, a->n_fields, "pop_size")) {
		long smoke = exp_smoke_pop(root, t);
		char set[64];

		snprintf(set, sizeof(set), "algo.pop_size=%ld", smoke);
		if (exp_smoke_per_pop(doc, a, smoke, err) < 0 ||
		    cfg_set(doc, set, err) < 0)
			return -1;
	}
	/* population-based training: 2 workers (FIRE: 2 + 2 members and one
	 * evaluator), a measurement and a decision at iteration 2 */
	n = cfg_path(root, "pbt.method");
	if (cfg_get(root, "pbt") && !cfg_is_null(cfg_get(root, "pbt")) &&
	    ((n && n->value && !strcmp(n->value, "fire")
		      ? cfg_set(doc, "pbt.subpop_size=2", err) < 0 ||
				cfg_set(doc, "pbt.evaluators=1", err) < 0 ||
				cfg_remove(doc, "pbt.workers") < 0
		      : cfg_set(doc, "pbt.workers=2", err) < 0) ||
	     cfg_set(doc, "pbt.eval_interval=2", err) < 0 ||
	     cfg_set(doc, "pbt.ready=2", err) < 0))
		return -1;
	return 0;
}

static void exp_emit_component(FILE *out, const char *section,
			       const char *name, const cfg_field *fields,
			       size_t n, const void *cfg)
{
	fprintf(out, "%s:\n  name: %s\n", section, name);
	cfg_emit_section(out, 2, fields, n, cfg);
}

void exp_emit(FILE *out, const exp_cfg *e)
{
	fprintf(out, "seed: %d\n", e->seed);
	exp_emit_component(out, "task", e->task->name, e->task->fields,
			   e->task->n_fields, e->task_cfg);
	if (e->policy)
		exp_emit_component(out, "policy", e->policy->name,
				   e->policy->fields, e->policy->n_fields,
				   e->policy_cfg);
	exp_emit_component(out, "algo", e->algo->name, e->algo->fields,
			   e->algo->n_fields, e->algo_cfg);
	optim_emit(out, &e->optim);
	if (e->n_sched > 0)
		fprintf(out, "schedule:\n");
	for (int i = 0; i < e->n_sched; i++) {
		fprintf(out, "  %s:\n", e->sched[i].hparam);
		sched_emit(out, 4, &e->sched[i].cfg);
	}
	fprintf(out, "trainer:\n");
	cfg_emit_section(out, 2, exp_trainer_fields, exp_n_trainer_fields,
			 &e->trainer);
	fprintf(out, "device:\n");
	cfg_emit_section(out, 2, exp_device_fields, exp_n_device_fields,
			 &e->device);
	pbt_cfg_emit(out, &e->pbt);
}

/* e emitted into a new string (NULL: out of memory). */
static char *exp_emit_string(const exp_cfg *e)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	exp_emit(f, e);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* The dotted key and the value of the line at offset 'at' of an emitted
 * config (2 spaces per level), from the keys of the lines above it;
 * "" for both past the end. */
static void exp_line_key(const char *text, size_t at, char *key,
			 size_t ksize, char *val, size_t vsize)
{
	char parts[8][64] = { { 0 } };
	size_t pos = 0, depth = 0;

	key[0] = val[0] = '\0';
	if (!text[at])
		return;
	for (;;) {
		const char *l = text + pos;
		size_t len = strcspn(l, "\n"), ind = strspn(l, " ");
		const char *colon = memchr(l, ':', len);

		depth = ind / 2 < 8 ? ind / 2 : 7;
		if (colon)
			snprintf(parts[depth], sizeof(parts[0]), "%.*s",
				 (int)(colon - l - (long)ind), l + ind);
		if (pos >= at) {
			const char *v = colon ? colon + 1 : l + ind;

			v += strspn(v, " ");
			snprintf(val, vsize, "%.*s", (int)(l + len - v), v);
			break;
		}
		if (!l[len])
			return;
		pos += len + 1;
	}
	for (size_t i = 0; i <= depth; i++) {
		size_t n = strlen(key);

		snprintf(key + n, ksize - n, "%s%s", i ? "." : "", parts[i]);
	}
}

int exp_check_resume(const exp_cfg *e, const char *dir, ej_err *err)
{
	char path[4200], key[2][512], was[256], now[256];
	cfg_doc *doc;
	exp_cfg old, cur = *e;
	char *a = NULL, *b = NULL;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/config.yaml", dir);
	if (!(doc = cfg_load_file(path, err)))
		return ej_prefix(err, "cannot resume from '%s': ", dir);
	if (exp_load(doc, &old, err) < 0) {
		cfg_free(doc);
		return ej_prefix(err, "cannot resume from '%s': ", dir);
	}
	/* what may change: the iterations to run to and the devices */
	cur.trainer.max_iter = old.trainer.max_iter;
	cur.device = old.device;
	a = exp_emit_string(&old);
	b = exp_emit_string(&cur);
	if (!a || !b) {
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
	} else if (strcmp(a, b) == 0) {
		rc = 0;
	} else {
		size_t i = 0, line = 0;

		for (; a[i] && a[i] == b[i]; i++)
			if (a[i] == '\n')
				line = i + 1;
		exp_line_key(a, line, key[0], sizeof(key[0]), was, sizeof(was));
		exp_line_key(b, line, key[1], sizeof(key[1]), now, sizeof(now));
		ej_fail(err, EJ_EXIT_USAGE,
			"cannot resume from '%s': it was written by another config ('%s' is %s there, %s here); only trainer.max_iter and the device section may change",
			dir, key[0][0] ? key[0] : key[1], was[0] ? was : "(absent)",
			now[0] ? now : "(absent)");
	}
	free(a);
	free(b);
	exp_release(&old);
	cfg_free(doc);
	return rc;
}
