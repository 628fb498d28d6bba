/* sched.c - learning-rate schedules as profile x sampling rate; see
 * sched.h.  Source: Chen, Wolfe & Kyrillidis, "REX: revisiting budgeted
 * training with an improved schedule", MLSys 2022 (papers/rex-lr-
 * schedule-mlsys2022.txt), section 4.1, which lists every profile below.
 *
 * Time.  T = max_iter, t = 0..T-1 the iteration.  A warmup of W =
 * round(warmup T) iterations (clamped to T-1) comes first; the profile
 * then runs over the REMAINING budget B = T - W with its own clock
 * u = t - W, x = u/B in [0, 1].  That is the paper's convention: its one
 * warmup (YOLO, section 4.2) "is not counted as part of the allocated
 * training budget", and "the learning rate schedule is concerned only with
 * the total epochs for that run".  With warmup 0 (the default): u = t,
 * x = t/T.
 *
 * Warmup.  For t < W: factor = p0 (t+1)/(W+1), where p0 is the profile's
 * value at u = 0 (1 for every profile but onecycle, whose p0 is
 * min_ratio): a straight line from 0 (at t = -1) to p0 (at t = W), so the
 * first step is not wasted at a zero rate and the line joins the profile
 * without a jump.  Warmup ignores the sampling rate.
 *
 * Profiles p(x), x = u/B (the factor; the paper's eta_t / eta_0):
 *   constant        1
 *   step            factor^k, k = number of milestones reached; default
 *                   x0.1 at 1/2 and 3/4 of the budget (He et al. 2016, the
 *                   paper's setting).  A milestone m is reached at the
 *                   first iteration u >= m B (see "points" below).
 *   linear          1 - x
 *   cosine          (1 + cos(pi x)) / 2         (Loshchilov & Hutter 2017)
 *   exponential     e^(gamma x), gamma -3 ("setting gamma = -3 yields the
 *                   best performance")
 *   onecycle        r + (1-r) 2x      for x < 1/2
 *                   r + (1-r) (2-2x)  for x >= 1/2,  r = min_ratio 0.1
 *                   momentum (a value, not a factor):
 *                   lo + (hi-lo)(1-2x) for x < 1/2, lo + (hi-lo)(2x-1)
 *                   after, lo = momentum_min 0.85, hi = momentum_max 0.95.
 *                   The base value is eta_max.  This is the symmetric
 *                   1cycle of Smith 2018 with the paper's settings
 *                   (eta_min = 0.1 eta_max, beta 0.85..0.95) and without
 *                   Smith's final annihilation phase, as the paper uses
 *                   it; the paper's printed formulas lost a factor 2 (as
 *                   printed, eta never reaches eta_max and beta goes below
 *                   beta_min), so we use the triangle they describe:
 *                   eta_min -> eta_max at T/2 -> eta_min at T, momentum
 *                   the mirror image.
 *   rex             (1 - x) / (1/2 + (1 - x)/2)  (the paper's REX; 2/3 at
 *                   x = 1/2, 0 at x = 1)
 *   delayed_linear  1 for x <= hold, then (1 - x)/(1 - hold): the paper's
 *                   "Linear Delayed X%" (section 3, figure 2); hold 0.5
 *   plateau         the product of the reductions so far: each time
 *                   'patience' consecutive tests (sched_observe) fail to
 *                   beat the best test score so far (strictly greater;
 *                   NaN never improves), the factor is multiplied by
 *                   'factor' and the count restarts.  Defaults factor 0.1
 *                   (torch ReduceLROnPlateau), patience 3 (tests are
 *                   sparse in evolution runs: 10 per 1000 iterations by
 *                   default).  Unlike torch, which reduces after patience+1
 *                   bad epochs, we reduce at the patience-th.  Tests during
 *                   the warmup are ignored.  The paper's "decay on
 *                   plateau" tunes the patience; it is not sampled.
 *
 * Sampling rate (all profiles but constant and plateau).  The value is
 * re-computed only at sample points and held until the next; u = 0 is
 * always one, so the value starts at p(0):
 *   iteration  every iteration (default; the paper's best for REX)
 *   at         at the fractions 'at' of the budget (the paper's "50-75":
 *              at: [0.5, 0.75])
 *   every      every 'every' of the budget (the paper's "10-10": every:
 *              0.1), i.e. at 0, every, 2 every, ...
 * The value at a sample point u_s is p(u_s / B), exactly the per-iteration
 * schedule's value there.  Points: fraction f gives iteration ceil(f B),
 * except that f B within 1e-9 B of an integer counts as that integer (so
 * 0.3 x 1000 is 300, not 301).  onecycle's momentum is sampled alike.
 *
 * t > T is taken as T, t < 0 as 0; x never exceeds 1.
 */
#include "core/sched.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define SCHED_PI 3.14159265358979323846

enum sched_profile {
	SCHED_CONSTANT,
	SCHED_STEP,
	SCHED_LINEAR,
	SCHED_COSINE,
	SCHED_EXPONENTIAL,
	SCHED_ONECYCLE,
	SCHED_REX,
	SCHED_DELAYED_LINEAR,
	SCHED_PLATEAU,
};

enum sched_sampling { SCHED_SAMPLE_ITERATION, SCHED_SAMPLE_AT,
		      SCHED_SAMPLE_EVERY };

/* ---- schemas ----------------------------------------------------------- */

#define SCH_OFF(m) offsetof(sched_cfg, m)

#define SCHED_WARMUP_FIELD                                                    \
	{ .key = "warmup", .type = CFG_FLOAT, .offset = SCH_OFF(warmup),      \
	  .def = "0", .min = 0, .max = 1,                                     \
	  .help = "linear warmup over this fraction of T (< 1); the profile " \
		  "then runs over the rest" }

#define SCHED_SAMPLING_FIELDS                                                 \
	{ .key = "sampling", .type = CFG_ENUM, .offset = SCH_OFF(sampling),   \
	  .def = "iteration", .choices = "iteration|at|every",                \
	  .help = "re-compute the value every iteration, at 'at' or every "  \
		  "'every' (held in between)" },                              \
	{ .key = "at", .type = CFG_FLOAT_LIST, .offset = SCH_OFF(at),         \
	  .def = "[0.5, 0.75]", .min = 0, .max = 1, .flags = CFG_F_NONEMPTY,  \
	  .help = "sampling at: fractions of the budget (paper: 50-75)" },    \
	{ .key = "every", .type = CFG_FLOAT, .offset = SCH_OFF(every),        \
	  .def = "0.1", .min = 0, .max = 1, .flags = CFG_F_MIN_OPEN,          \
	  .help = "sampling every: this fraction of the budget (paper: "     \
		  "10-10)" }

#define SCHED_FACTOR_FIELD(def_, help_)                                       \
	{ .key = "factor", .type = CFG_FLOAT, .offset = SCH_OFF(factor),      \
	  .def = def_, .min = 0, .max = 1, .flags = CFG_F_MIN_OPEN,           \
	  .help = help_ }

static const cfg_field sched_constant_fields[] = {
	SCHED_WARMUP_FIELD,
};

static const cfg_field sched_step_fields[] = {
	SCHED_WARMUP_FIELD,
	{ .key = "milestones", .type = CFG_FLOAT_LIST,
	  .offset = SCH_OFF(milestones), .def = "[0.5, 0.75]", .min = 0,
	  .max = 1, .flags = CFG_F_NONEMPTY,
	  .help = "fractions of the budget where the factor is applied" },
	SCHED_FACTOR_FIELD("0.1", "multiplier at each milestone"),
	SCHED_SAMPLING_FIELDS,
};

static const cfg_field sched_plain_fields[] = { /* linear, cosine, rex */
	SCHED_WARMUP_FIELD,
	SCHED_SAMPLING_FIELDS,
};

static const cfg_field sched_exponential_fields[] = {
	SCHED_WARMUP_FIELD,
	{ .key = "gamma", .type = CFG_FLOAT, .offset = SCH_OFF(gamma),
	  .def = "-3", .min = -100, .max = 100,
	  .help = "factor e^(gamma t/T) (paper: -3 is best)" },
	SCHED_SAMPLING_FIELDS,
};

static const cfg_field sched_onecycle_fields[] = {
	SCHED_WARMUP_FIELD,
	{ .key = "min_ratio", .type = CFG_FLOAT, .offset = SCH_OFF(min_ratio),
	  .def = "0.1", .min = 0, .max = 1,
	  .help = "eta_min / eta_max (the base value is eta_max)" },
	{ .key = "momentum_min", .type = CFG_FLOAT,
	  .offset = SCH_OFF(momentum_min), .def = "0.85", .min = 0, .max = 1,
	  .help = "momentum at T/2" },
	{ .key = "momentum_max", .type = CFG_FLOAT,
	  .offset = SCH_OFF(momentum_max), .def = "0.95", .min = 0, .max = 1,
	  .help = "momentum at 0 and T" },
	SCHED_SAMPLING_FIELDS,
};

static const cfg_field sched_delayed_linear_fields[] = {
	SCHED_WARMUP_FIELD,
	{ .key = "hold", .type = CFG_FLOAT, .offset = SCH_OFF(hold),
	  .def = "0.5", .min = 0, .max = 1,
	  .help = "hold 1 until this fraction of the budget (< 1), then "
		  "linear to 0" },
	SCHED_SAMPLING_FIELDS,
};

static const cfg_field sched_plateau_fields[] = {
	SCHED_WARMUP_FIELD,
	SCHED_FACTOR_FIELD("0.1", "multiplier at each plateau"),
	{ .key = "patience", .type = CFG_INT, .offset = SCH_OFF(patience),
	  .def = "3", .min = 1, .max = INFINITY,
	  .help = "reduce after this many tests without a new best" },
};

#define SCHED_N(a) (sizeof(a) / sizeof((a)[0]))
#define SCHED_FIELDS_MAX 8

/* To add a profile: a schema above (or a shared one), a line here, an
 * enum value and a line in sched_profile_of, a case in sched_profile_at. */
const sched_info sched_table[] = {
	{ "constant", "factor 1 (after the warmup, if any)",
	  sched_constant_fields, SCHED_N(sched_constant_fields) },
	{ "step", "x factor at each milestone (default x0.1 at 50% and 75%)",
	  sched_step_fields, SCHED_N(sched_step_fields) },
	{ "linear", "1 - t/T", sched_plain_fields,
	  SCHED_N(sched_plain_fields) },
	{ "cosine", "(1 + cos(pi t/T))/2", sched_plain_fields,
	  SCHED_N(sched_plain_fields) },
	{ "exponential", "e^(gamma t/T)", sched_exponential_fields,
	  SCHED_N(sched_exponential_fields) },
	{ "onecycle", "triangle min_ratio -> 1 (T/2) -> min_ratio, momentum "
	  "max -> min -> max (Smith 2018)", sched_onecycle_fields,
	  SCHED_N(sched_onecycle_fields) },
	{ "rex", "(1 - t/T) / (1/2 + (1 - t/T)/2) (Chen et al. 2022)",
	  sched_plain_fields, SCHED_N(sched_plain_fields) },
	{ "delayed_linear", "1 until 'hold', then linear to 0",
	  sched_delayed_linear_fields, SCHED_N(sched_delayed_linear_fields) },
	{ "plateau", "x factor after 'patience' tests without a new best",
	  sched_plateau_fields, SCHED_N(sched_plateau_fields) },
	{ NULL, NULL, NULL, 0 },
};

#define SCHED_NAMES_MAX 16

const sched_info *sched_find(const char *name)
{
	if (!name)
		return NULL;
	for (const sched_info *i = sched_table; i->name; i++)
		if (!strcmp(i->name, name))
			return i;
	return NULL;
}

static int sched_profile_of(const char *name)
{
	static const struct {
		const char *name;
		enum sched_profile id;
	} ids[] = {
		{ "step", SCHED_STEP },
		{ "linear", SCHED_LINEAR },
		{ "cosine", SCHED_COSINE },
		{ "exponential", SCHED_EXPONENTIAL },
		{ "onecycle", SCHED_ONECYCLE },
		{ "rex", SCHED_REX },
		{ "delayed_linear", SCHED_DELAYED_LINEAR },
		{ "plateau", SCHED_PLATEAU },
	};

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (!strcmp(ids[i].name, name))
			return ids[i].id;
	return SCHED_CONSTANT;
}

static int sched_sampling_of(const char *name)
{
	if (!strcmp(name, "at"))
		return SCHED_SAMPLE_AT;
	if (!strcmp(name, "every"))
		return SCHED_SAMPLE_EVERY;
	return SCHED_SAMPLE_ITERATION;
}

static bool sched_has_key(const sched_info *info, const char *key)
{
	for (size_t i = 0; i < info->n_fields; i++)
		if (!strcmp(info->fields[i].key, key))
			return true;
	return false;
}

/* ---- parsing ----------------------------------------------------------- */

static void sched_known(char *buf, size_t size, const char **names)
{
	size_t len = 0, k = 0;

	buf[0] = '\0';
	for (const sched_info *i = sched_table; i->name; i++) {
		if (k + 1 < SCHED_NAMES_MAX)
			names[k++] = i->name;
		if (len < size)
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
						i == sched_table ? "" : ", ",
						i->name);
	}
	names[k] = NULL;
}

/* "FILE:L:C: <message>" for 'node'. */
static int sched_fail_at(const cfg_node *node, ej_err *err, const char *fmt,
			 ...) __attribute__((format(printf, 3, 4)));
static int sched_fail_at(const cfg_node *node, ej_err *err, const char *fmt,
			 ...)
{
	char where[512], msg[1024];
	va_list ap;

	cfg_where(node, where, sizeof(where));
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ej_fail(err, EJ_EXIT_USAGE, "%s: %s", where, msg);
}

static int sched_unknown(const cfg_node *node, const char *name, ej_err *err)
{
	const char *names[SCHED_NAMES_MAX];
	char where[512], known[512], hint[CFG_STR_MAX + 32] = "";
	const char *close;

	sched_known(known, sizeof(known), names);
	cfg_where(node, where, sizeof(where));
	close = cfg_did_you_mean(name, names);
	if (close)
		snprintf(hint, sizeof(hint), " (did you mean '%s'?)", close);
	return ej_fail(err, EJ_EXIT_USAGE,
		       "%s: unknown schedule profile '%s'%s; known: %s", where,
		       name, hint, known);
}

/* The profile's name node (NULL for an absent/null schedule). */
static int sched_profile_node(const cfg_node *node, const char *section,
			      const cfg_node **pnode, ej_err *err)
{
	const char *names[SCHED_NAMES_MAX];
	char known[512];

	*pnode = NULL;
	if (cfg_is_null(node))
		return 0;
	sched_known(known, sizeof(known), names);
	if (node->kind == CFG_SEQ)
		return sched_fail_at(node, err,
				     "'%s' must be a profile name or a "
				     "mapping", section);
	if (node->kind == CFG_SCALAR) {
		*pnode = node;
		return 0;
	}
	*pnode = cfg_get(node, "profile");
	if (cfg_is_null(*pnode))
		return sched_fail_at(*pnode ? *pnode : node, err,
				     "'%s' needs a 'profile' (one of %s)",
				     section, known);
	if ((*pnode)->kind != CFG_SCALAR)
		return sched_fail_at(*pnode, err,
				     "'profile' must be one of %s", known);
	return 0;
}

/* A present, non-null key of map 'node'; NULL otherwise. */
static const cfg_node *sched_given(const cfg_node *node, const char *key)
{
	const cfg_node *c;

	if (!node || node->kind != CFG_MAP)
		return NULL;
	c = cfg_get(node, key);
	return cfg_is_null(c) ? NULL : c;
}

/* warmup and hold must stay below 1 (the budget after warmup must not be
 * empty; delayed_linear divides by 1 - hold); the schema's inclusive
 * bounds cannot say so. */
static int sched_check_below_one(const cfg_node *node, const char *key,
				 double value, ej_err *err)
{
	const cfg_node *c = sched_given(node, key);

	if (value < 1 || !c)
		return 0;
	return sched_fail_at(c, err, "'%s' must be a number in [0, 1), got "
			     "'%s'", key, c->value ? c->value : "1");
}

/* Resolve 'sampling' from the keys given (see sched.h). */
static int sched_resolve_sampling(const cfg_node *node, sched_cfg *c,
				  ej_err *err)
{
	const cfg_node *sn = sched_given(node, "sampling");
	const cfg_node *an = sched_given(node, "at");
	const cfg_node *en = sched_given(node, "every");

	if (!sn) {
		if (an && en)
			return sched_fail_at(en, err, "'every' cannot be "
					     "combined with 'at'");
		if (an || en) {
			/* whole buffer rewritten: configs compare with memcmp */
			memset(c->sampling, 0, sizeof(c->sampling));
			strcpy(c->sampling, an ? "at" : "every");
		}
		return 0;
	}
	if (an && strcmp(c->sampling, "at"))
		return sched_fail_at(an, err, "'at' only applies with "
				     "'sampling: at'");
	if (en && strcmp(c->sampling, "every"))
		return sched_fail_at(en, err, "'every' only applies with "
				     "'sampling: every'");
	return 0;
}

int sched_parse(const cfg_node *node, const char *hparam, sched_cfg *out,
		ej_err *err)
{
	static const char *const skip[] = { "profile", NULL };
	char section[CFG_STR_MAX + 16];
	const cfg_node *pnode, *map;
	const sched_info *info;
	sched_cfg cfg;

	snprintf(section, sizeof(section), "schedule.%s", hparam);
	if (sched_profile_node(node, section, &pnode, err) < 0)
		return -1;
	info = sched_find(pnode ? pnode->value : "constant");
	if (!info)
		return sched_unknown(pnode, pnode->value, err);
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.profile, sizeof(cfg.profile), "%s", info->name);
	map = node && node->kind == CFG_MAP ? node : NULL;
	if (cfg_parse_section(map, section, info->fields, info->n_fields,
			      &cfg, skip, err) < 0)
		return -1;
	if (sched_check_below_one(map, "warmup", cfg.warmup, err) < 0 ||
	    sched_check_below_one(map, "hold", cfg.hold, err) < 0)
		return -1;
	if (sched_has_key(info, "sampling") &&
	    sched_resolve_sampling(map, &cfg, err) < 0)
		return -1;
	*out = cfg;
	return 0;
}

void sched_emit(FILE *out, int indent, const sched_cfg *c)
{
	const sched_info *info;
	cfg_field fields[SCHED_FIELDS_MAX];
	size_t n = 0;

	fprintf(out, "%*sprofile: %s\n", indent, "", c->profile);
	info = sched_find(c->profile);
	if (!info)
		return;
	for (size_t i = 0; i < info->n_fields && n < SCHED_FIELDS_MAX; i++) {
		const char *key = info->fields[i].key;

		if ((!strcmp(key, "at") || !strcmp(key, "every")) &&
		    strcmp(c->sampling, key))
			continue;
		fields[n++] = info->fields[i];
	}
	cfg_emit_section(out, indent, fields, n, c);
}

void sched_print_help(FILE *out)
{
	for (const sched_info *i = sched_table; i->name; i++) {
		fprintf(out, "  %s - %s\n", i->name, i->summary);
		cfg_print_schema(out, 4, i->fields, i->n_fields);
	}
}

/* ---- evaluation -------------------------------------------------------- */

void sched_init(sched *s, const sched_cfg *c, long T)
{
	long w;

	memset(s, 0, sizeof(*s));
	s->cfg = *c;
	s->profile = sched_profile_of(c->profile);
	s->sampling = sched_sampling_of(c->sampling);
	if (s->sampling == SCHED_SAMPLE_EVERY && !(c->every > 0))
		s->sampling = SCHED_SAMPLE_ITERATION; /* never from parse */
	s->T = T < 1 ? 1 : T;
	w = (long)floor(c->warmup * (double)s->T + 0.5);
	s->warmup_iters = w < 0 ? 0 : w > s->T - 1 ? s->T - 1 : w;
	s->budget = s->T - s->warmup_iters;
	s->best = -INFINITY;
	s->bad = 0;
	s->scale = 1.0;
}

/* The first iteration u >= f B; f B within 1e-9 B of an integer counts as
 * that integer. */
static long sched_point(double f, long budget)
{
	double x = f * (double)budget, r = floor(x + 0.5);

	if (fabs(x - r) <= 1e-9 * (double)budget)
		return (long)r;
	return (long)ceil(x);
}

/* The sample point in force at profile time u (0 <= u <= B). */
static long sched_sampled(const sched *s, long u)
{
	const sched_cfg *c = &s->cfg;
	long best = 0, j;

	switch (s->sampling) {
	case SCHED_SAMPLE_AT:
		for (int k = 0; k < c->at.n; k++) {
			long p = sched_point(c->at.v[k], s->budget);

			if (p <= u && p > best)
				best = p;
		}
		return best;
	case SCHED_SAMPLE_EVERY:
		/* estimate, then settle on the last point <= u */
		j = (long)floor((double)u / (c->every * (double)s->budget));
		while (j > 0 && sched_point((double)j * c->every, s->budget) > u)
			j--;
		while (sched_point((double)(j + 1) * c->every, s->budget) <= u)
			j++;
		return sched_point((double)j * c->every, s->budget);
	default:
		return u;
	}
}

/* The profile's factor at (sampled) profile time u. */
static double sched_profile_at(const sched *s, long u)
{
	const sched_cfg *c = &s->cfg;
	const double x = (double)u / (double)s->budget;
	const double r = c->min_ratio;
	double f = 1.0;

	switch (s->profile) {
	case SCHED_STEP:
		for (int k = 0; k < c->milestones.n; k++)
			if (u >= sched_point(c->milestones.v[k], s->budget))
				f *= c->factor;
		return f;
	case SCHED_LINEAR:
		return 1.0 - x;
	case SCHED_COSINE:
		return 0.5 * (1.0 + cos(SCHED_PI * x));
	case SCHED_EXPONENTIAL:
		return exp(c->gamma * x);
	case SCHED_ONECYCLE:
		return x < 0.5 ? r + (1.0 - r) * 2.0 * x
			       : r + (1.0 - r) * (2.0 - 2.0 * x);
	case SCHED_REX:
		return (1.0 - x) / (0.5 + 0.5 * (1.0 - x));
	case SCHED_DELAYED_LINEAR:
		return x <= c->hold ? 1.0 : (1.0 - x) / (1.0 - c->hold);
	case SCHED_PLATEAU:
		return s->scale;
	default:
		return 1.0;
	}
}

/* Profile time of iteration t (warmup iterations map to 0). */
static long sched_profile_time(const sched *s, long t)
{
	if (t < s->warmup_iters)
		return 0;
	t -= s->warmup_iters;
	return t > s->budget ? s->budget : t;
}

double sched_factor(const sched *s, long t)
{
	double p;

	if (t < 0)
		t = 0;
	p = sched_profile_at(s, sched_sampled(s, sched_profile_time(s, t)));
	if (t < s->warmup_iters)
		return p * (double)(t + 1) / (double)(s->warmup_iters + 1);
	return p;
}

double sched_momentum(const sched *s, long t)
{
	const double lo = s->cfg.momentum_min, hi = s->cfg.momentum_max;
	double x;

	if (s->profile != SCHED_ONECYCLE)
		return NAN;
	if (t < 0)
		t = 0;
	x = (double)sched_sampled(s, sched_profile_time(s, t)) /
	    (double)s->budget;
	return x < 0.5 ? lo + (hi - lo) * (1.0 - 2.0 * x)
		       : lo + (hi - lo) * (2.0 * x - 1.0);
}

void sched_observe(sched *s, long t, double test_score)
{
	if (s->profile != SCHED_PLATEAU || t < s->warmup_iters)
		return;
	if (test_score > s->best) {
		s->best = test_score;
		s->bad = 0;
		return;
	}
	if (++s->bad >= s->cfg.patience) {
		s->scale *= s->cfg.factor;
		s->bad = 0;
	}
}

/* ---- save / load ------------------------------------------------------- */

size_t sched_state(const sched *s, const char *prefix, npz_array *out,
		   size_t max, char names[][64])
{
	if (max < 3)
		return 0;
	npz_describe(&out[0], names[0], prefix, "best", NPZ_F64, 0, &s->best);
	npz_describe(&out[1], names[1], prefix, "bad", NPZ_I64, 0, &s->bad);
	npz_describe(&out[2], names[2], prefix, "scale", NPZ_F64, 0,
		     &s->scale);
	return 3;
}

static const npz_array *sched_scalar(const npz_file *f, const char *prefix,
				     const char *key, bool is_int,
				     char *name, ej_err *err)
{
	const npz_array *a;

	snprintf(name, 64, "%s%s", prefix, key);
	a = npz_find(f, name);
	if (!a) {
		ej_fail(err, EJ_EXIT_RUN, "missing array '%s'", name);
		return NULL;
	}
	if (npz_count(a) != 1 ||
	    (is_int ? a->dtype != NPZ_I64 && a->dtype != NPZ_I32
		    : a->dtype != NPZ_F64)) {
		ej_fail(err, EJ_EXIT_RUN, "array '%s' must be one %s, got %zu "
			"element(s) of another type", name,
			is_int ? "int64" : "float64", npz_count(a));
		return NULL;
	}
	return a;
}

/* All-or-nothing: on error 's' is unchanged. */
int sched_load(sched *s, const char *prefix, const npz_file *f, ej_err *err)
{
	char name[3][64];
	const npz_array *best = sched_scalar(f, prefix, "best", false,
					     name[0], err);
	const npz_array *bad = best ? sched_scalar(f, prefix, "bad", true,
						   name[1], err) : NULL;
	const npz_array *scale = bad ? sched_scalar(f, prefix, "scale", false,
						    name[2], err) : NULL;
	double b, sc;
	int64_t n;

	if (!scale)
		return -1;
	memcpy(&b, best->data, sizeof(b));
	memcpy(&sc, scale->data, sizeof(sc));
	if (bad->dtype == NPZ_I64) {
		memcpy(&n, bad->data, sizeof(n));
	} else {
		int32_t n32;

		memcpy(&n32, bad->data, sizeof(n32));
		n = n32;
	}
	if (n < 0)
		return ej_fail(err, EJ_EXIT_RUN, "array '%s' must be >= 0, "
			       "got %lld", name[1], (long long)n);
	if (!(sc > 0) || !isfinite(sc))
		return ej_fail(err, EJ_EXIT_RUN, "array '%s' must be a finite "
			       "number > 0, got %g", name[2], sc);
	s->best = b;
	s->bad = n;
	s->scale = sc;
	return 0;
}
