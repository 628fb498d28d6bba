#include "core/compat.h"

#include <stdio.h>
#include <string.h>

/* One renamed key: EvoJAX's name (relative to es_config, or to
 * es_config.optimizer_config for optimizer keys) -> native dotted path. */
typedef struct compat_key {
	const char *from;
	const char *to;
} compat_key;

typedef struct compat_algo {
	const char *es_name;      /* EvoJAX Strategies name */
	const char *algo;         /* native algorithm */
	const compat_key *keys;   /* es_config renames, NULL-terminated */
	const compat_key *optim;  /* optimizer_config renames */
	const char *const *defaults; /* EvoJAX defaults that differ from ours */
} compat_algo;

static const compat_key compat_pgpe_keys[] = {
	{ "pop_size", "algo.pop_size" },
	{ "center_learning_rate", "algo.center_lr" },
	{ "stdev_learning_rate", "algo.stdev_lr" },
	{ "init_stdev", "algo.init_stdev" },
	{ "stdev_max_change", "algo.stdev_max_change" },
	{ "solution_ranking", "algo.solution_ranking" },
	{ "optimizer", "optimizer.name" },
	{ NULL, NULL },
};

static const compat_key compat_optim_keys[] = {
	{ "beta1", "optimizer.beta1" },
	{ "beta2", "optimizer.beta2" },
	{ "epsilon", "optimizer.eps" },
	{ "momentum", "optimizer.momentum" },
	{ "max_speed", "optimizer.max_speed" },
	{ NULL, NULL },
};

/* EvoJAX's PGPE uses plain SGD when no optimizer is named. */
static const char *const compat_pgpe_defaults[] = { "optimizer.name=sgd",
						    NULL };

/* To add an EvoJAX algorithm: one line here (plus its key table). */
static const compat_algo compat_algos[] = {
	{ "PGPE", "pgpe", compat_pgpe_keys, compat_optim_keys,
	  compat_pgpe_defaults },
};

typedef struct compat_problem {
	const char *problem_type;
	const char *const *sets; /* native --set lines */
} compat_problem;

static const char *const compat_cartpole_easy[] = {
	"task.name=cartpole", "task.hard=false", "policy.name=mlp",
	"policy.output=tanh", NULL,
};
static const char *const compat_cartpole_hard[] = {
	"task.name=cartpole", "task.hard=true", "policy.name=mlp",
	"policy.output=tanh", NULL,
};

static const compat_problem compat_problems[] = {
	{ "cartpole_easy", compat_cartpole_easy },
	{ "cartpole_hard", compat_cartpole_hard },
};

#define COMPAT_N(a) (sizeof(a) / sizeof((a)[0]))

/* Top-level renames (EvoJAX train.py keys). */
static const compat_key compat_top_keys[] = {
	{ "normalize", "trainer.normalize_obs" },
	{ "num_tests", "trainer.n_evaluations" },
	{ "n_repeats", "trainer.n_repeats" },
	{ "max_iter", "trainer.max_iter" },
	{ "test_interval", "trainer.test_interval" },
	{ "log_interval", "trainer.log_interval" },
	{ NULL, NULL },
};

bool compat_is_evojax(cfg_doc *doc)
{
	return cfg_get(cfg_root(doc), "es_name") != NULL;
}

static int compat_scalar(const cfg_node *n, const char *key, ej_err *err)
{
	char where[512];

	if (n && n->kind == CFG_SCALAR && n->value && n->value[0])
		return 0;
	if (!n)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "EvoJAX config: missing '%s'", key);
	cfg_where(n, where, sizeof(where));
	return ej_fail(err, EJ_EXIT_USAGE, "%s: '%s' must be a string", where,
		       key);
}

static int compat_unsupported(const cfg_node *n, const char *what,
			      const char *known, ej_err *err)
{
	char where[512];

	cfg_where(n, where, sizeof(where));
	return ej_fail(err, EJ_EXIT_USAGE,
		       "%s: %s '%s' is not supported; supported: %s", where,
		       what, n->value, known);
}

/* Move every key of 'table' found under 'base' (e.g. "es_config"). */
static int compat_move_keys(cfg_doc *doc, const char *base,
			    const compat_key *table, ej_err *err)
{
	char from[256];

	for (const compat_key *k = table; k->from; k++) {
		if (base)
			snprintf(from, sizeof(from), "%s.%s", base, k->from);
		else
			snprintf(from, sizeof(from), "%s", k->from);
		if (cfg_move(doc, from, k->to, err) < 0)
			return -1;
	}
	return 0;
}

/* Keys left in a section were not recognised: move them to 'dest' so
 * that the native schema reports them (with did-you-mean and line:col). */
static int compat_move_rest(cfg_doc *doc, const char *section,
			    const char *dest, ej_err *err)
{
	const cfg_node *sec = cfg_path(cfg_root(doc), section), *c;
	char from[256], to[256];

	while (sec && sec->kind == CFG_MAP && (c = sec->child) != NULL) {
		snprintf(from, sizeof(from), "%s.%s", section, c->key);
		snprintf(to, sizeof(to), "%s.%s", dest, c->key);
		if (cfg_move(doc, from, to, err) <= 0)
			return -1;
	}
	cfg_remove(doc, section);
	return 0;
}

static int compat_problem_sets(cfg_doc *doc, const cfg_node *pt,
			       ej_err *err)
{
	char known[256] = "";

	for (size_t i = 0; i < COMPAT_N(compat_problems); i++) {
		const compat_problem *p = &compat_problems[i];

		if (strcmp(p->problem_type, pt->value) != 0)
			continue;
		for (const char *const *s = p->sets; *s; s++)
			if (cfg_set_like(doc, *s, pt, err) < 0)
				return -1;
		return 0;
	}
	for (size_t i = 0; i < COMPAT_N(compat_problems); i++)
		snprintf(known + strlen(known), sizeof(known) - strlen(known),
			 "%s%s", i ? ", " : "", compat_problems[i].problem_type);
	return compat_unsupported(pt, "problem_type", known, err);
}

static const compat_algo *compat_find_algo(const cfg_node *es, ej_err *err)
{
	char known[512] = "";

	for (size_t i = 0; i < COMPAT_N(compat_algos); i++)
		if (!strcmp(compat_algos[i].es_name, es->value))
			return &compat_algos[i];
	for (size_t i = 0; i < COMPAT_N(compat_algos); i++)
		snprintf(known + strlen(known), sizeof(known) - strlen(known),
			 "%s%s", i ? ", " : "", compat_algos[i].es_name);
	compat_unsupported(es, "es_name", known, err);
	return NULL;
}

int compat_translate(cfg_doc *doc, char *note, size_t note_size,
		     ej_err *err)
{
	const cfg_node *root = cfg_root(doc);
	const cfg_node *es = cfg_get(root, "es_name");
	const cfg_node *pt = cfg_get(root, "problem_type");
	const cfg_node *hidden = cfg_get(root, "hidden_size");
	const compat_algo *a;
	char set[256];

	if (compat_scalar(es, "es_name", err) < 0 ||
	    compat_scalar(pt, "problem_type", err) < 0 ||
	    !(a = compat_find_algo(es, err)))
		return -1;
	if (note)
		snprintf(note, note_size,
			 "translated from an EvoJAX benchmark config (es_name '%s', problem_type '%s')",
			 es->value, pt->value);
	if (compat_problem_sets(doc, pt, err) < 0)
		return -1;
	snprintf(set, sizeof(set), "algo.name=%s", a->algo);
	if (cfg_set_like(doc, set, es, err) < 0)
		return -1;
	for (const char *const *d = a->defaults; d && *d; d++)
		if (cfg_set_like(doc, *d, es, err) < 0)
			return -1;
	if (hidden) {
		if (compat_scalar(hidden, "hidden_size", err) < 0)
			return -1;
		snprintf(set, sizeof(set), "policy.hidden=[%s, %s]",
			 hidden->value, hidden->value);
		if (cfg_set_like(doc, set, hidden, err) < 0)
			return -1;
	}
	if (compat_move_keys(doc, NULL, compat_top_keys, err) < 0 ||
	    compat_move_keys(doc, "es_config", a->keys, err) < 0 ||
	    compat_move_keys(doc, "es_config.optimizer_config", a->optim,
			     err) < 0 ||
	    compat_move_rest(doc, "es_config.optimizer_config", "optimizer",
			     err) < 0 ||
	    compat_move_rest(doc, "es_config", "algo", err) < 0)
		return -1;
	cfg_remove(doc, "es_name");
	cfg_remove(doc, "problem_type");
	cfg_remove(doc, "hidden_size");
	cfg_remove(doc, "gpu_id");
	cfg_remove(doc, "debug");
	return 0;
}
