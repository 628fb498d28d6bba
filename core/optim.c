/* optim.c - sgd (momentum, nesterov), adam, adamw, radam and clipup; see
 * optim.h.
 *
 * Moments and velocities are kept as float (that is what a checkpoint
 * holds, so a resumed run continues bit-exactly); each step is computed in
 * double and rounded once when stored.
 *
 * RAdam (Liu et al. 2020, "On the variance of the adaptive learning rate
 * and beyond", Algorithm 2), ascent form, t = 1, 2, ...:
 *   m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2   (the paper's "1/beta2 v"
 *                                                  is a typesetting slip)
 *   mhat     = m / (1 - b1^t)
 *   rho_inf  = 2/(1-b2) - 1
 *   rho_t    = rho_inf - 2 t b2^t / (1 - b2^t)
 *   if rho_t > threshold:
 *     r_t    = sqrt(((rho_t-4)(rho_t-2) rho_inf) /
 *                   ((rho_inf-4)(rho_inf-2) rho_t))
 *     theta += lr r_t mhat / (sqrt(v/(1-b2^t)) + eps)
 *   else:
 *     theta += lr mhat                      (un-adapted momentum step)
 * eps: the paper's l_t = sqrt((1-b2^t)/v_t) has none; we use
 * 1/(sqrt(vhat) + eps) for l_t, eps added exactly where adam adds it (a
 * zero second moment then gives a finite step).  torch.optim.RAdam adds
 * eps to sqrt(v) before the bias correction instead; the two differ only
 * while eps is not negligible against sqrt(v).
 * Threshold: default 4, Algorithm 2's "rho_t > 4" -- the exact condition
 * under which r_t is real (for rho_t <= 4 the variance of the adaptive
 * rate is infinite).  With b2 = 0.999, rho_t = 1, 1.9995, 2.9987, 3.9975,
 * 4.9960, 5.9942, 6.9920, 7.9895 for t = 1..8, so the first adaptive step
 * is t = 5 (r_5 = 0.0173, a small, safe step).  The authors' code
 * (N_sma >= 5) and torch.optim.RAdam (rho_t > 5) switch at t = 6; set
 * 'threshold: 5' to reproduce them.  The key must be >= 4 so that r_t
 * stays real.  If b2 <= 0.6, rho_inf <= 4 and every step is the momentum
 * step, as the paper notes.
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

#define OPT_L2_FIELD                                                          \
	{ .key = "weight_decay", .type = CFG_FLOAT,                           \
	  .offset = OPT_OFF(weight_decay), .def = "0", .min = 0,              \
	  .max = INFINITY,                                                    \
	  .help = "L2 penalty: the step uses g - weight_decay theta" }

#define OPT_ADAM_FIELDS                                                       \
	{ .key = "beta1", .type = CFG_FLOAT, .offset = OPT_OFF(beta1),        \
	  .def = "0.9", .min = 0, .max = 1,                                   \
	  .help = "decay of the first moment, < 1" },                         \
	{ .key = "beta2", .type = CFG_FLOAT, .offset = OPT_OFF(beta2),        \
	  .def = "0.999", .min = 0, .max = 1,                                 \
	  .help = "decay of the second moment, < 1" },                        \
	{ .key = "eps", .type = CFG_FLOAT, .offset = OPT_OFF(eps),            \
	  .def = "1e-08", .min = 0, .max = INFINITY,                          \
	  .flags = CFG_F_MIN_OPEN,                                            \
	  .help = "added to sqrt(vhat) in the denominator" }

static const cfg_field optim_sgd_fields[] = {
	{ .key = "momentum", .type = CFG_FLOAT, .offset = OPT_OFF(momentum),
	  .def = "0", .min = 0, .max = 1,
	  .help = "velocity decay mu: v = mu v + g (0 = plain sgd)" },
	{ .key = "nesterov", .type = CFG_BOOL, .offset = OPT_OFF(nesterov),
	  .def = "false",
	  .help = "nesterov momentum: step along g + mu v" },
	OPT_L2_FIELD,
};

static const cfg_field optim_adam_fields[] = {
	OPT_ADAM_FIELDS,
	OPT_L2_FIELD,
};

static const cfg_field optim_adamw_fields[] = {
	OPT_ADAM_FIELDS,
	{ .key = "weight_decay", .type = CFG_FLOAT,
	  .offset = OPT_OFF(weight_decay), .def = "0.01", .min = 0,
	  .max = INFINITY,
	  .help = "decoupled decay: theta -= lr weight_decay theta per step" },
};

static const cfg_field optim_radam_fields[] = {
	OPT_ADAM_FIELDS,
	OPT_L2_FIELD,
	{ .key = "threshold", .type = CFG_FLOAT, .offset = OPT_OFF(threshold),
	  .def = "4", .min = 4, .max = INFINITY,
	  .help = "adaptive step once rho_t > this (paper 4; torch uses 5)" },
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

/* To add an optimizer: a schema above, a line here, an enum value and a
 * name in optim_kind_of below, a case in optim_step (and in
 * optim_has_moments if it keeps adam's m and v, else see optim_state). */
const optim_info optim_table[] = {
	{ "sgd", "stochastic gradient ascent with optional (nesterov) momentum",
	  optim_sgd_fields, OPT_N(optim_sgd_fields) },
	{ "adam", "adam (Kingma & Ba 2015) with true bias correction",
	  optim_adam_fields, OPT_N(optim_adam_fields) },
	{ "clipup", "clipup (Toklu et al. 2020): normalised gradient, clipped "
	  "velocity", optim_clipup_fields, OPT_N(optim_clipup_fields) },
	{ "adamw", "adam with decoupled weight decay (Loshchilov & Hutter "
	  "2019)", optim_adamw_fields, OPT_N(optim_adamw_fields) },
	{ "radam", "rectified adam (Liu et al. 2020, Algorithm 2)",
	  optim_radam_fields, OPT_N(optim_radam_fields) },
	{ NULL, NULL, NULL, 0 },
};

enum optim_kind { OPTIM_SGD, OPTIM_ADAM, OPTIM_CLIPUP, OPTIM_ADAMW,
		  OPTIM_RADAM };

#define OPTIM_NAMES_MAX 8

static int optim_kind_of(const char *name, enum optim_kind *kind)
{
	if (!strcmp(name, "sgd"))
		*kind = OPTIM_SGD;
	else if (!strcmp(name, "adam"))
		*kind = OPTIM_ADAM;
	else if (!strcmp(name, "clipup"))
		*kind = OPTIM_CLIPUP;
	else if (!strcmp(name, "adamw"))
		*kind = OPTIM_ADAMW;
	else if (!strcmp(name, "radam"))
		*kind = OPTIM_RADAM;
	else
		return -1;
	return 0;
}

/* adam, adamw and radam share the moments m, v and their state arrays. */
static bool optim_has_moments(enum optim_kind kind)
{
	return kind == OPTIM_ADAM || kind == OPTIM_ADAMW ||
	       kind == OPTIM_RADAM;
}

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
	enum optim_kind kind;
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
	if (optim_kind_of(info->name, &kind) == 0 && optim_has_moments(kind) &&
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
	float *m;        /* (n) adam/adamw/radam first moment; else NULL */
	float *v;        /* (n) second moment / sgd, clipup velocity */
	double *scratch; /* (n) clipup: the new velocity before clipping */
	int64_t t;       /* steps taken */
};

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
	if (optim_has_moments(kind) && !(o->m = calloc(n, sizeof(*o->m))))
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
		double g = grad[i] - o->cfg.weight_decay * theta[i];
		double v = mu * o->v[i] + g;
		double step = o->cfg.nesterov ? g + mu * v : v;

		o->v[i] = (float)v;
		theta[i] = (float)(theta[i] + lr * step);
	}
}

/* RAdam's rectification (see the top of this file): 1 and r_t in *r once
 * the adaptive step is on (rho_t > threshold), else 0. */
static int optim_radam_rect(const optim *o, double *r)
{
	const double b2 = o->cfg.beta2, t = (double)o->t;
	const double b2t = pow(b2, t);
	const double rho_inf = 2.0 / (1.0 - b2) - 1.0;
	const double rho_t = rho_inf - 2.0 * t * b2t / (1.0 - b2t);

	if (!(rho_t > o->cfg.threshold))
		return 0;
	/* rho_inf > rho_t > 4: every factor is positive */
	*r = sqrt((rho_t - 4.0) * (rho_t - 2.0) * rho_inf /
		  ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t));
	return 1;
}

/* adam, adamw (decoupled decay) and radam (rectified) in one loop. */
static void optim_step_adam(optim *o, float *theta, const float *grad,
			    double lr)
{
	const double b1 = o->cfg.beta1, b2 = o->cfg.beta2;
	const double bc1 = 1.0 - pow(b1, (double)o->t);
	const double bc2 = 1.0 - pow(b2, (double)o->t);
	const bool decoupled = o->kind == OPTIM_ADAMW;
	const double l2 = decoupled ? 0.0 : o->cfg.weight_decay;
	const double decay = decoupled ? lr * o->cfg.weight_decay : 0.0;
	double r = 1.0;
	int adaptive = o->kind == OPTIM_RADAM ? optim_radam_rect(o, &r) : 1;

	for (size_t i = 0; i < o->n; i++) {
		double g = grad[i] - l2 * theta[i];
		double m = b1 * o->m[i] + (1.0 - b1) * g;
		double v = b2 * o->v[i] + (1.0 - b2) * g * g;
		double mhat = m / bc1, vhat = v / bc2;
		/* (lr r mhat)/(...) with r = 1 rounds exactly like plain adam */
		double delta = adaptive ? lr * r * mhat / (sqrt(vhat) +
							  o->cfg.eps)
					: lr * mhat;

		o->m[i] = (float)m;
		o->v[i] = (float)v;
		theta[i] = (float)(theta[i] + delta - decay * theta[i]);
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
	case OPTIM_ADAMW:
	case OPTIM_RADAM:
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
	if (optim_has_moments(o->kind))
		return which == 0 ? "m" : "v";
	return which == 0 ? "velocity" : NULL;
}

size_t optim_state(const optim *o, const char *prefix, npz_array *out,
		   size_t max, char names[][64])
{
	size_t k = 0, need = optim_has_moments(o->kind) ? 3 : 2;

	if (max < need)
		return 0;
	if (optim_has_moments(o->kind)) {
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
		for (size_t j = 0; j < o->n; j++)
			if (!isfinite(tmp[w][j]) ||
			    (optim_has_moments(o->kind) && w == 1 &&
			     tmp[w][j] < 0.0f)) {
				ej_fail(err, EJ_EXIT_RUN,
					"array '%s' has a bad value at %zu",
					name, j);
				goto out;
			}
	}
	if (optim_load_t(prefix, f, &t, err) < 0)
		goto out;
	if (optim_has_moments(o->kind)) {
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
	if (optim_has_moments(o->kind))
		o->cfg.beta1 = momentum;
	else
		o->cfg.momentum = momentum;
}
