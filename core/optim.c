/* optim.c - sgd (momentum, nesterov), adam and clipup; see optim.h.
 *
 * Moments and velocities are kept as float (that is what a checkpoint
 * holds, so a resumed run continues bit-exactly); each step is computed in
 * double and rounded once when stored.
 */
#include "core/optim.h"

#include <math.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- schemas ----------------------------------------------------------- */

#define OPT_OFF(m) offsetof(optim_cfg, m)

static const cfg_field optim_sgd_fields[] = {
	{ .key = "momentum", .type = CFG_FLOAT, .offset = OPT_OFF(momentum),
	  .def = "0", .min = 0, .max = 1,
	  .help = "velocity decay mu: v = mu v + g (0 = plain sgd)" },
	{ .key = "nesterov", .type = CFG_BOOL, .offset = OPT_OFF(nesterov),
	  .def = "false",
	  .help = "nesterov momentum: step along g + mu v" },
};

static const cfg_field optim_adam_fields[] = {
	{ .key = "beta1", .type = CFG_FLOAT, .offset = OPT_OFF(beta1),
	  .def = "0.9", .min = 0, .max = 1,
	  .help = "decay of the first moment, < 1" },
	{ .key = "beta2", .type = CFG_FLOAT, .offset = OPT_OFF(beta2),
	  .def = "0.999", .min = 0, .max = 1,
	  .help = "decay of the second moment, < 1" },
	{ .key = "eps", .type = CFG_FLOAT, .offset = OPT_OFF(eps),
	  .def = "1e-08", .min = 0, .max = INFINITY, .flags = CFG_F_MIN_OPEN,
	  .help = "added to sqrt(vhat) in the denominator" },
};

static const cfg_field optim_clipup_fields[] = {
	{ .key = "momentum", .type = CFG_FLOAT, .offset = OPT_OFF(momentum),
	  .def = "0.9", .min = 0, .max = 1,
	  .help = "velocity decay m: v = m v + lr g/|g|" },
	{ .key = "max_speed", .type = CFG_FLOAT, .offset = OPT_OFF(max_speed),
	  .def = "0.15", .min = 0, .max = INFINITY, .flags = CFG_F_MIN_OPEN,
	  .help = "velocity norm is clipped to this (lr = max_speed/2 is usual)" },
};

#define OPT_N(a) (sizeof(a) / sizeof((a)[0]))

/* To add an optimizer: a schema above, a line here, an enum value below and
 * a case in optim_step / optim_state / optim_load. */
const optim_info optim_table[] = {
	{ "sgd", "stochastic gradient ascent with optional (nesterov) momentum",
	  optim_sgd_fields, OPT_N(optim_sgd_fields) },
	{ "adam", "adam (Kingma & Ba 2015) with true bias correction",
	  optim_adam_fields, OPT_N(optim_adam_fields) },
	{ "clipup", "clipup (Toklu et al. 2020): normalised gradient, clipped "
	  "velocity", optim_clipup_fields, OPT_N(optim_clipup_fields) },
	{ NULL, NULL, NULL, 0 },
};

enum optim_kind { OPTIM_SGD, OPTIM_ADAM, OPTIM_CLIPUP };

#define OPTIM_NAMES_MAX 8

const optim_info *optim_find(const char *name)
{
	if (!name)
		return NULL;
	for (const optim_info *i = optim_table; i->name; i++)
		if (!strcmp(i->name, name))
			return i;
	return NULL;
}

/* ---- parsing ----------------------------------------------------------- */

static void optim_known(char *buf, size_t size, const char **names,
			size_t max_names)
{
	size_t len = 0, k = 0;

	buf[0] = '\0';
	for (const optim_info *i = optim_table; i->name; i++) {
		if (k + 1 < max_names)
			names[k++] = i->name;
		if (len < size)
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
						i == optim_table ? "" : ", ",
						i->name);
	}
	names[k] = NULL;
}

static int optim_unknown(const cfg_node *node, const char *name, ej_err *err)
{
	const char *names[OPTIM_NAMES_MAX];
	char where[512], known[256], hint[CFG_STR_MAX + 32] = "";
	const char *close;

	optim_known(known, sizeof(known), names, OPTIM_NAMES_MAX);
	cfg_where(node, where, sizeof(where));
	close = cfg_did_you_mean(name, names);
	if (close)
		snprintf(hint, sizeof(hint), " (did you mean '%s'?)", close);
	return ej_fail(err, EJ_EXIT_USAGE,
		       "%s: unknown optimizer '%s'%s; known: %s", where, name,
		       hint, known);
}

/* The betas must stay below 1 (bias correction divides by 1 - beta^t); the
 * schema's inclusive bounds cannot say so. */
static int optim_check_beta(const cfg_node *section, const char *key,
			    double value, ej_err *err)
{
	const cfg_node *node;
	char where[512];

	if (value < 1)
		return 0;
	node = cfg_get(section, key);
	cfg_where(node ? node : section, where, sizeof(where));
	return ej_fail(err, EJ_EXIT_USAGE,
		       "%s: '%s' must be a number in [0, 1), got '%s'", where,
		       key, node && node->value ? node->value : "1");
}

int optim_parse(const cfg_node *section, optim_cfg *out, ej_err *err)
{
	static const char *const skip[] = { "name", NULL };
	const cfg_node *name_node = cfg_get(section, "name");
	const char *name = "adam";
	const optim_info *info;
	optim_cfg cfg;

	memset(&cfg, 0, sizeof(cfg));
	if (name_node) {
		if (name_node->kind != CFG_SCALAR || !name_node->value) {
			char where[512], known[256];
			const char *names[OPTIM_NAMES_MAX];

			optim_known(known, sizeof(known), names,
				    OPTIM_NAMES_MAX);
			cfg_where(name_node, where, sizeof(where));
			return ej_fail(err, EJ_EXIT_USAGE,
				       "%s: 'name' must be one of %s", where,
				       known);
		}
		name = name_node->value;
	}
	info = optim_find(name);
	if (!info)
		return optim_unknown(name_node, name, err);
	snprintf(cfg.name, sizeof(cfg.name), "%s", info->name);
	if (cfg_parse_section(section, "optimizer", info->fields,
			      info->n_fields, &cfg, skip, err) < 0)
		return -1;
	if (!strcmp(info->name, "adam") &&
	    (optim_check_beta(section, "beta1", cfg.beta1, err) < 0 ||
	     optim_check_beta(section, "beta2", cfg.beta2, err) < 0))
		return -1;
	*out = cfg;
	return 0;
}

void optim_emit(FILE *out, const optim_cfg *cfg)
{
	const optim_info *info;

	fprintf(out, "optimizer:\n  name: %s\n", cfg->name);
	info = optim_find(cfg->name);
	if (info)
		cfg_emit_section(out, 2, info->fields, info->n_fields, cfg);
}

/* ---- state ------------------------------------------------------------- */

struct optim {
	optim_cfg cfg;
	enum optim_kind kind;
	size_t n;
	float *m;        /* (n) adam first moment; NULL otherwise */
	float *v;        /* (n) adam second moment / sgd, clipup velocity */
	double *scratch; /* (n) clipup: the new velocity before clipping */
	int64_t t;       /* steps taken */
};

static int optim_kind_of(const char *name, enum optim_kind *kind)
{
	if (!strcmp(name, "sgd"))
		*kind = OPTIM_SGD;
	else if (!strcmp(name, "adam"))
		*kind = OPTIM_ADAM;
	else if (!strcmp(name, "clipup"))
		*kind = OPTIM_CLIPUP;
	else
		return -1;
	return 0;
}

optim *optim_create(const optim_cfg *cfg, size_t n, ej_err *err)
{
	enum optim_kind kind;
	optim *o;

	if (optim_kind_of(cfg->name, &kind) < 0) {
		ej_fail(err, EJ_EXIT_USAGE, "unknown optimizer '%s'",
			cfg->name);
		return NULL;
	}
	if (n == 0) {
		ej_fail(err, EJ_EXIT_USAGE,
			"optimizer '%s' needs at least one parameter",
			cfg->name);
		return NULL;
	}
	o = calloc(1, sizeof(*o));
	if (!o)
		goto oom;
	o->cfg = *cfg;
	o->kind = kind;
	o->n = n;
	o->v = calloc(n, sizeof(*o->v));
	if (!o->v)
		goto oom;
	if (kind == OPTIM_ADAM && !(o->m = calloc(n, sizeof(*o->m))))
		goto oom;
	if (kind == OPTIM_CLIPUP &&
	    !(o->scratch = calloc(n, sizeof(*o->scratch))))
		goto oom;
	return o;
oom:
	optim_free(o);
	ej_fail(err, EJ_EXIT_RUN, "out of memory for optimizer '%s' (%zu "
		"parameters)", cfg->name, n);
	return NULL;
}

void optim_free(optim *o)
{
	if (!o)
		return;
	free(o->m);
	free(o->v);
	free(o->scratch);
	free(o);
}

long optim_steps(const optim *o)
{
	return (long)o->t;
}

/* ---- steps ------------------------------------------------------------- */

static void optim_step_sgd(optim *o, float *theta, const float *grad,
			   double lr)
{
	const double mu = o->cfg.momentum;

	for (size_t i = 0; i < o->n; i++) {
		double g = grad[i];
		double v = mu * o->v[i] + g;
		double step = o->cfg.nesterov ? g + mu * v : v;

		o->v[i] = (float)v;
		theta[i] = (float)(theta[i] + lr * step);
	}
}

static void optim_step_adam(optim *o, float *theta, const float *grad,
			    double lr)
{
	const double b1 = o->cfg.beta1, b2 = o->cfg.beta2;
	const double bc1 = 1.0 - pow(b1, (double)o->t);
	const double bc2 = 1.0 - pow(b2, (double)o->t);

	for (size_t i = 0; i < o->n; i++) {
		double g = grad[i];
		double m = b1 * o->m[i] + (1.0 - b1) * g;
		double v = b2 * o->v[i] + (1.0 - b2) * g * g;
		double mhat = m / bc1, vhat = v / bc2;

		o->m[i] = (float)m;
		o->v[i] = (float)v;
		theta[i] = (float)(theta[i] +
				   lr * mhat / (sqrt(vhat) + o->cfg.eps));
	}
}

static double optim_norm(const double *x, size_t n)
{
	double s = 0;

	for (size_t i = 0; i < n; i++)
		s += x[i] * x[i];
	return sqrt(s);
}

static void optim_step_clipup(optim *o, float *theta, const float *grad,
			      double lr)
{
	double gnorm = 0, vnorm, scale;

	for (size_t i = 0; i < o->n; i++)
		gnorm += (double)grad[i] * grad[i];
	gnorm = sqrt(gnorm);
	/* A zero gradient is not normalised (no 0/0). */
	scale = gnorm > 0 ? lr / gnorm : lr;
	for (size_t i = 0; i < o->n; i++)
		o->scratch[i] = o->cfg.momentum * o->v[i] + scale * grad[i];
	vnorm = optim_norm(o->scratch, o->n);
	scale = vnorm > o->cfg.max_speed ? o->cfg.max_speed / vnorm : 1.0;
	for (size_t i = 0; i < o->n; i++) {
		double v = o->scratch[i] * scale;

		o->v[i] = (float)v;
		theta[i] = (float)(theta[i] + v);
	}
}

void optim_step(optim *o, float *theta, const float *grad, double lr)
{
	o->t++;
	switch (o->kind) {
	case OPTIM_SGD:
		optim_step_sgd(o, theta, grad, lr);
		break;
	case OPTIM_ADAM:
		optim_step_adam(o, theta, grad, lr);
		break;
	case OPTIM_CLIPUP:
		optim_step_clipup(o, theta, grad, lr);
		break;
	}
}

/* ---- save / load ------------------------------------------------------- */

/* Names of the float arrays of each kind: adam m, v; sgd/clipup velocity. */
static const char *optim_vec_key(const optim *o, int which)
{
	if (o->kind == OPTIM_ADAM)
		return which == 0 ? "m" : "v";
	return which == 0 ? "velocity" : NULL;
}

size_t optim_state(const optim *o, const char *prefix, npz_array *out,
		   size_t max, char names[][64])
{
	size_t k = 0, need = o->kind == OPTIM_ADAM ? 3 : 2;

	if (max < need)
		return 0;
	if (o->kind == OPTIM_ADAM) {
		npz_describe(&out[k], names[k], prefix, "m", NPZ_F32, o->n, o->m);
		k++;
		npz_describe(&out[k], names[k], prefix, "v", NPZ_F32, o->n, o->v);
		k++;
	} else {
		npz_describe(&out[k], names[k], prefix, "velocity", NPZ_F32, o->n,
			  o->v);
		k++;
	}
	npz_describe(&out[k], names[k], prefix, "t", NPZ_I64, 0, &o->t);
	return k + 1;
}

static int optim_load_t(const char *prefix, const npz_file *f, int64_t *t,
			ej_err *err)
{
	char name[64];
	const npz_array *a;

	snprintf(name, sizeof(name), "%st", prefix);
	a = npz_find(f, name);
	if (!a)
		return ej_fail(err, EJ_EXIT_RUN, "missing array '%s'", name);
	if (npz_count(a) != 1 || (a->dtype != NPZ_I64 && a->dtype != NPZ_I32))
		return ej_fail(err, EJ_EXIT_RUN,
			       "array '%s' must be one int64, got %zu "
			       "element(s) of another type", name,
			       npz_count(a));
	if (a->dtype == NPZ_I64)
		memcpy(t, a->data, sizeof(*t));
	else {
		int32_t t32;

		memcpy(&t32, a->data, sizeof(t32));
		*t = t32;
	}
	if (*t < 0)
		return ej_fail(err, EJ_EXIT_RUN,
			       "array '%s' must be >= 0, got %lld", name,
			       (long long)*t);
	return 0;
}

/* All-or-nothing: on error the optimizer is unchanged. */
int optim_load(optim *o, const char *prefix, const npz_file *f, ej_err *err)
{
	float *tmp[2] = { NULL, NULL };
	int64_t t = 0;
	int rc = -1;

	for (int w = 0; w < 2; w++) {
		const char *key = optim_vec_key(o, w);
		char name[64];

		if (!key)
			break;
		tmp[w] = malloc(o->n * sizeof(float));
		if (!tmp[w]) {
			ej_fail(err, EJ_EXIT_RUN,
				"out of memory loading optimizer state");
			goto out;
		}
		snprintf(name, sizeof(name), "%s%s", prefix, key);
		if (npz_get_f32(f, name, tmp[w], o->n, err) < 0)
			goto out;
	}
	if (optim_load_t(prefix, f, &t, err) < 0)
		goto out;
	if (o->kind == OPTIM_ADAM) {
		memcpy(o->m, tmp[0], o->n * sizeof(float));
		memcpy(o->v, tmp[1], o->n * sizeof(float));
	} else {
		memcpy(o->v, tmp[0], o->n * sizeof(float));
	}
	o->t = t;
	rc = 0;
out:
	free(tmp[0]);
	free(tmp[1]);
	return rc;
}

void optim_set_momentum(optim *o, double momentum)
{
	momentum = momentum < 0.0 ? 0.0 : momentum > 0.999999 ? 0.999999 : momentum;
	if (o->kind == OPTIM_ADAM)
		o->cfg.beta1 = momentum;
	else
		o->cfg.momentum = momentum;
}
