#include "core/compat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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
	/* Translations that are not renames (run before the renames). */
	int (*special)(cfg_doc *doc, ej_err *err);
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

static const compat_key compat_open_es_keys[] = {
	{ "pop_size", "algo.pop_size" },
	{ "init_stdev", "algo.sigma_init" },
	{ "decay_stdev", "algo.sigma_decay" },
	{ "limit_stdev", "algo.sigma_limit" },
	{ "optimizer", "optimizer.name" },
	{ NULL, NULL },
};

static const compat_key compat_open_es_optim[] = {
	{ "lrate_init", "algo.lr" },
	{ "beta1", "optimizer.beta1" },
	{ "beta2", "optimizer.beta2" },
	{ "epsilon", "optimizer.eps" },
	{ "eps", "optimizer.eps" },
	{ NULL, NULL },
};

static const compat_key compat_ars_keys[] = {
	{ "pop_size", "algo.pop_size" },
	{ "init_stdev", "algo.noise_std" },
	{ "decay_stdev", "algo.noise_decay" },
	{ "limit_stdev", "algo.noise_limit" },
	{ NULL, NULL },
};

static const compat_key compat_ars_optim[] = {
	{ "lrate_init", "algo.step_size" },
	{ NULL, NULL },
};

static const compat_key compat_dist_keys[] = { /* CMA-ES family, CR-FM-NES */
	{ "pop_size", "algo.pop_size" },
	{ "init_stdev", "algo.init_stdev" },
	{ NULL, NULL },
};

static const compat_key compat_none[] = { { NULL, NULL } };

/* ---- translations that are not renames --------------------------------- */

static const cfg_node *compat_node(cfg_doc *doc, const char *path)
{
	return cfg_path(cfg_root(doc), path);
}

/* evosax-style optimizers decay the learning rate by lrate_decay per
 * iteration down to lrate_limit: decay^t = exp(T ln(decay) t/T), the
 * exponential profile with gamma = T ln(decay).  The floor is dropped (at
 * EvoJAX's settings it is never reached within max_iter). */
static int compat_lr_decay(cfg_doc *doc, const char *hparam, ej_err *err)
{
	const cfg_node *d = compat_node(doc, "es_config.optimizer_config.lrate_decay");
	const cfg_node *t = compat_node(doc, "max_iter");
	char set[256], *end;
	double decay, T;

	if (d && d->kind == CFG_SCALAR && d->value) {
		decay = strtod(d->value, &end);
		T = t && t->value ? strtod(t->value, NULL) : 1000.0;
		if (*end || !(decay > 0 && decay <= 1)) {
			char where[512];

			cfg_where(d, where, sizeof(where));
			return ej_fail(err, EJ_EXIT_USAGE,
				       "%s: 'lrate_decay' must be a number in (0, 1], got '%s'",
				       where, d->value);
		}
		if (decay < 1) {
			snprintf(set, sizeof(set),
				 "schedule.%s={profile: exponential, gamma: %.17g}",
				 hparam, T * log(decay));
			if (cfg_set_like(doc, set, d, err) < 0)
				return -1;
		}
	}
	cfg_remove(doc, "es_config.optimizer_config.lrate_decay");
	cfg_remove(doc, "es_config.optimizer_config.lrate_limit");
	return 0;
}

/* evosax's optimizer_config carries 'momentum' for every optimizer; only
 * sgd has one here. */
static void compat_drop_momentum_unless_sgd(cfg_doc *doc)
{
	const cfg_node *o = compat_node(doc, "es_config.optimizer");

	if (!o || !o->value || strcmp(o->value, "sgd"))
		cfg_remove(doc, "es_config.optimizer_config.momentum");
	else
		cfg_move(doc, "es_config.optimizer_config.momentum",
			 "optimizer.momentum", NULL);
}

static int compat_open_es(cfg_doc *doc, ej_err *err)
{
	compat_drop_momentum_unless_sgd(doc);
	return compat_lr_decay(doc, "lr", err);
}

/* elite_ratio of N members -> top_k = round(ratio N/2) directions. */
static int compat_ars(cfg_doc *doc, ej_err *err)
{
	const cfg_node *r = compat_node(doc, "es_config.elite_ratio");
	const cfg_node *n = compat_node(doc, "es_config.pop_size");
	char set[128];

	if (r && r->value) {
		double ratio = strtod(r->value, NULL);
		long pop = n && n->value ? strtol(n->value, NULL, 10) : 16;
		long k = lround(ratio * (double)pop / 2.0);

		snprintf(set, sizeof(set), "algo.top_k=%ld", k < 1 ? 1 : k);
		if (cfg_set_like(doc, set, r, err) < 0)
			return -1;
		cfg_remove(doc, "es_config.elite_ratio");
	}
	/* ARS takes a plain step; EvoJAX names sgd for it. */
	cfg_remove(doc, "es_config.optimizer");
	cfg_remove(doc, "es_config.optimizer_config.momentum");
	return compat_lr_decay(doc, "step_size", err);
}

/* Sep-CMA-ES/CMA-ES use mu = lambda/2, i.e. elite_ratio 0.5. */
static int compat_cma(cfg_doc *doc, ej_err *err)
{
	const cfg_node *r = compat_node(doc, "es_config.elite_ratio");
	char where[512];

	if (r && r->value && strtod(r->value, NULL) != 0.5) {
		cfg_where(r, where, sizeof(where));
		return ej_fail(err, EJ_EXIT_USAGE,
			       "%s: 'elite_ratio' %s is not supported: the CMA-ES family here selects the best half (0.5)",
			       where, r->value);
	}
	cfg_remove(doc, "es_config.elite_ratio");
	return 0;
}

static const compat_key compat_ga_keys[] = {
	{ "pop_size", "algo.pop_size" },
	{ "sigma", "algo.sigma" },
	{ NULL, NULL },
};

/* SimpleGA keeps pop_size / truncation_divisor parents: elite_ratio 1/d. */
static int compat_simple_ga(cfg_doc *doc, ej_err *err)
{
	const cfg_node *d = compat_node(doc, "es_config.truncation_divisor");
	char set[128], where[512];
	long div;

	if (!d)
		return 0;
	div = d->value ? strtol(d->value, NULL, 10) : 0;
	if (div < 1) {
		cfg_where(d, where, sizeof(where));
		return ej_fail(err, EJ_EXIT_USAGE,
			       "%s: 'truncation_divisor' must be an integer >= 1, got '%s'",
			       where, d->value ? d->value : "");
	}
	snprintf(set, sizeof(set), "algo.elite_ratio=%.17g", 1.0 / (double)div);
	if (cfg_set_like(doc, set, d, err) < 0)
		return -1;
	cfg_remove(doc, "es_config.truncation_divisor");
	return 0;
}

/* FPGPEC (fcmaes' C++ PGPE, which EvoJAX wraps) is PGPE with Adam always
 * (it refuses other optimizers); its optional centre learning-rate decay
 * (optimizer_config center_lr_decay_coef / center_lr_decay_steps) has no
 * native counterpart and is refused unless it is the identity (coef 1). */
static const char *const compat_fpgpec_defaults[] = { "optimizer.name=adam",
						      NULL };

static int compat_fpgpec(cfg_doc *doc, ej_err *err)
{
	const cfg_node *o = compat_node(doc, "es_config.optimizer");
	const cfg_node *c =
		compat_node(doc, "es_config.optimizer_config.center_lr_decay_coef");
	char where[512];

	if (o && (!o->value || strcmp(o->value, "adam") != 0)) {
		cfg_where(o, where, sizeof(where));
		return ej_fail(err, EJ_EXIT_USAGE,
			       "%s: FPGPEC supports optimizer 'adam' only, got '%s'",
			       where, o->value ? o->value : "");
	}
	if (c && (!c->value || strtod(c->value, NULL) != 1.0)) {
		cfg_where(c, where, sizeof(where));
		return ej_fail(err, EJ_EXIT_USAGE,
			       "%s: 'center_lr_decay_coef' %s is not supported (use a 'schedule' section)",
			       where, c->value ? c->value : "");
	}
	cfg_remove(doc, "es_config.optimizer_config.center_lr_decay_coef");
	cfg_remove(doc, "es_config.optimizer_config.center_lr_decay_steps");
	return 0;
}

/* To add an EvoJAX algorithm: one line here (plus its key table). */
static const compat_algo compat_algos[] = {
	{ "PGPE", "pgpe", compat_pgpe_keys, compat_optim_keys,
	  compat_pgpe_defaults, NULL },
	{ "OpenES", "open_es", compat_open_es_keys, compat_open_es_optim,
	  NULL, compat_open_es },
	{ "ARS", "ars", compat_ars_keys, compat_ars_optim, NULL, compat_ars },
	{ "ARS_native", "ars", compat_ars_keys, compat_ars_optim, NULL,
	  compat_ars },
	{ "CMA", "cma_es", compat_dist_keys, compat_none, NULL, compat_cma },
	{ "CMA_ES", "cma_es", compat_dist_keys, compat_none, NULL, compat_cma },
	{ "CMA_ES_JAX", "cma_es", compat_dist_keys, compat_none, NULL,
	  compat_cma },
	{ "Sep_CMA_ES", "sep_cma_es", compat_dist_keys, compat_none, NULL,
	  compat_cma },
	{ "CRFMNES", "cr_fm_nes", compat_dist_keys, compat_none, NULL, NULL },
	{ "FCRFMC", "cr_fm_nes", compat_dist_keys, compat_none, NULL, NULL },
	{ "FPGPEC", "pgpe", compat_pgpe_keys, compat_optim_keys,
	  compat_fpgpec_defaults, compat_fpgpec },
	{ "SimpleGA", "simple_ga", compat_ga_keys, compat_none, NULL,
	  compat_simple_ga },
	/* the wrapper's keys (pop_size, elite_ratio, full_covariance,
	 * init_stdev, decay_stdev, limit_stdev) are the native ones */
	{ "iAMaLGaM", "iamalgam", compat_none, compat_none, NULL, NULL },
};

typedef struct compat_problem {
	const char *problem_type;
	const char *const *sets; /* native --set lines */
	int mlp_layers;          /* hidden layers of hidden_size units (0:
				    hidden_size unused) */
} compat_problem;

static const char *const compat_cartpole_easy[] = {
	"task.name=cartpole", "task.hard=false", "policy.name=mlp",
	"policy.output=tanh", NULL,
};
static const char *const compat_cartpole_hard[] = {
	"task.name=cartpole", "task.hard=true", "policy.name=mlp",
	"policy.output=tanh", NULL,
};

/* EvoJAX's MNIST benchmark: ConvNetPolicy (hidden_size unused), MNIST
 * digits, which Debian does not ship: the directory of configs/mnist.yaml,
 * to be overridden with --set task.data_dir=... */
static const char *const compat_mnist[] = {
	"task.name=mnist", "task.data_dir=./data/mnist", "policy.name=convnet",
	NULL,
};

/* scripts/benchmarks/problems.py: MLP [hidden_size], softmax output,
 * 500-step episodes. */
static const char *const compat_waterworld[] = {
	"task.name=waterworld", "task.max_steps=500", "policy.name=mlp",
	"policy.output=softmax", NULL,
};

/* problems.py's setup_waterworld_ma: 16 agents, MLP [hidden_size],
 * softmax output, 500-step episodes. */
static const char *const compat_waterworld_ma[] = {
	"task.name=waterworld_ma", "task.max_steps=500", "policy.name=mlp",
	"policy.output=softmax", NULL,
};

/* problems.py has no slimevolley; the configs that name it follow
 * examples/train_slimevolley.py: MLP [hidden_size], tanh output, 3000-step
 * episodes against the built-in baseline. */
static const char *const compat_slimevolley[] = {
	"task.name=slimevolley", "task.max_steps=3000", "policy.name=mlp",
	"policy.output=tanh", NULL,
};

static const compat_problem compat_problems[] = {
	{ "cartpole_easy", compat_cartpole_easy, 2 },
	{ "cartpole_hard", compat_cartpole_hard, 2 },
	{ "mnist", compat_mnist, 0 },
	{ "waterworld", compat_waterworld, 1 },
	{ "slimevolley", compat_slimevolley, 1 },
	{ "waterworld_ma", compat_waterworld_ma, 1 },
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
	{ "batch_size", "task.batch_size" },
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

static const compat_problem *compat_problem_sets(cfg_doc *doc,
						 const cfg_node *pt,
						 ej_err *err)
{
	char known[256] = "";

	for (size_t i = 0; i < COMPAT_N(compat_problems); i++) {
		const compat_problem *p = &compat_problems[i];

		if (strcmp(p->problem_type, pt->value) != 0)
			continue;
		for (const char *const *s = p->sets; *s; s++)
			if (cfg_set_like(doc, *s, pt, err) < 0)
				return NULL;
		return p;
	}
	for (size_t i = 0; i < COMPAT_N(compat_problems); i++)
		snprintf(known + strlen(known), sizeof(known) - strlen(known),
			 "%s%s", i ? ", " : "", compat_problems[i].problem_type);
	compat_unsupported(pt, "problem_type", known, err);
	return NULL;
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
	const compat_problem *prob;
	char set[256];

	if (compat_scalar(es, "es_name", err) < 0 ||
	    compat_scalar(pt, "problem_type", err) < 0 ||
	    !(a = compat_find_algo(es, err)))
		return -1;
	if (note)
		snprintf(note, note_size,
			 "translated from an EvoJAX benchmark config (es_name '%s', problem_type '%s')",
			 es->value, pt->value);
	if (!(prob = compat_problem_sets(doc, pt, err)))
		return -1;
	snprintf(set, sizeof(set), "algo.name=%s", a->algo);
	if (cfg_set_like(doc, set, es, err) < 0)
		return -1;
	for (const char *const *d = a->defaults; d && *d; d++)
		if (cfg_set_like(doc, *d, es, err) < 0)
			return -1;
	if (a->special && a->special(doc, err) < 0)
		return -1;
	if (hidden && prob->mlp_layers) {
		if (compat_scalar(hidden, "hidden_size", err) < 0)
			return -1;
		if (prob->mlp_layers == 1)
			snprintf(set, sizeof(set), "policy.hidden=[%s]",
				 hidden->value);
		else
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
	cfg_remove(doc, "env_name"); /* brax only, which is not supported */
	cfg_remove(doc, "debug");
	return 0;
}
