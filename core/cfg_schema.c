/* cfg_schema.c - the schema validator: did-you-mean hints, conversions
 * and bounds, cfg_defaults, cfg_parse_section and cfg_print_schema (see
 * cfg.h). */
#include "core/cfg.h"

#include <assert.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/cfg_int.h"

#define CFG_UNBOUNDED 1e300  /* |bound| >= this: no bound (cfg.h) */
#define CFG_DYM_MAX 255      /* longest word cfg_did_you_mean compares */

/* ---- did you mean ----------------------------------------------------- */

/* Levenshtein distance; SIZE_MAX when a word is too long to compare. */
static size_t lev_distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t row[CFG_DYM_MAX + 1];
	size_t i, j;

	if (la > CFG_DYM_MAX || lb > CFG_DYM_MAX)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

typedef struct dym {
	const char *word;
	size_t word_len;
	const char *best;
	size_t best_len, best_dist;
} dym;

static void dym_init(dym *d, const char *word)
{
	d->word = word;
	d->word_len = strlen(word);
	d->best = NULL;
	d->best_len = 0;
	d->best_dist = SIZE_MAX;
}

static void dym_consider(dym *d, const char *name, size_t len)
{
	size_t dist = lev_distance(d->word, d->word_len, name, len);
	size_t limit = d->word_len / 3 > 2 ? d->word_len / 3 : 2;

	if (dist <= limit && dist < d->best_dist) {
		d->best = name;
		d->best_len = len;
		d->best_dist = dist;
	}
}

const char *cfg_did_you_mean(const char *word, const char *const *names)
{
	dym d;

	if (!word || !names)
		return NULL;
	dym_init(&d, word);
	for (; *names; names++)
		dym_consider(&d, *names, strlen(*names));
	return d.best;
}

/* ---- schema: descriptions --------------------------------------------- */

static bool field_is_list(const cfg_field *f)
{
	return f->type == CFG_INT_LIST || f->type == CFG_FLOAT_LIST;
}

static bool field_is_int(const cfg_field *f)
{
	return f->type == CFG_INT || f->type == CFG_INT_LIST;
}

static bool field_unbounded(const cfg_field *f)
{
	return f->min == 0 && f->max == 0;
}

static bool has_min(const cfg_field *f)
{
	return !field_unbounded(f) && f->min > -CFG_UNBOUNDED;
}

static bool has_max(const cfg_field *f)
{
	return !field_unbounded(f) && f->max < CFG_UNBOUNDED;
}

static bool in_bounds(const cfg_field *f, double v)
{
	bool open = f->flags & CFG_F_MIN_OPEN;

	if (has_min(f) && (open ? !(v > f->min) : !(v >= f->min)))
		return false;
	return !has_max(f) || v <= f->max;
}

/* A bound as people write it: whole numbers in full (1000000,
 * 2147483647, not 1e+06), others with %g (0.001, 1e-08). */
static void fmt_num(double v, char *buf, size_t size)
{
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, size, "%.0f", v);
	else
		snprintf(buf, size, "%g", v);
}

/* "in [1, 10]", "in (0, 1]", ">= 2", "> 0", "<= 5" or "". */
static void fmt_bounds(const cfg_field *f, bool with_in, char *buf,
		       size_t size)
{
	bool open = f->flags & CFG_F_MIN_OPEN;
	char lo[32], hi[32];

	fmt_num(f->min, lo, sizeof(lo));
	fmt_num(f->max, hi, sizeof(hi));
	if (has_min(f) && has_max(f))
		snprintf(buf, size, "%s%c%s, %s]", with_in ? "in " : "",
			 open ? '(' : '[', lo, hi);
	else if (has_min(f))
		snprintf(buf, size, "%s %s", open ? ">" : ">=", lo);
	else if (has_max(f))
		snprintf(buf, size, "<= %s", hi);
	else if (size)
		buf[0] = '\0';
}

/* Calls fn for each choice of "a|b|c"; stops when fn returns true. */
static bool choices_each(const char *choices,
			 bool (*fn)(void *ctx, const char *s, size_t len),
			 void *ctx)
{
	const char *s = choices;

	for (;;) {
		const char *bar = strchr(s, '|');
		size_t len = bar ? (size_t)(bar - s) : strlen(s);

		if (fn(ctx, s, len))
			return true;
		if (!bar)
			return false;
		s = bar + 1;
	}
}

static bool choice_equal(void *ctx, const char *s, size_t len)
{
	const char *word = ctx;

	return strlen(word) == len && !memcmp(word, s, len);
}

static bool choice_consider(void *ctx, const char *s, size_t len)
{
	dym_consider(ctx, s, len);
	return false;
}

typedef struct strbuf_view {
	char *buf;
	size_t size, len;
} strbuf_view;

/* An int choice ("16") equal to *(long *)ctx. */
static bool choice_int_equal(void *ctx, const char *s, size_t len)
{
	char buf[32], *end;

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return strtol(buf, &end, 10) == *(const long *)ctx && !*end;
}

static bool choice_list(void *ctx, const char *s, size_t len)
{
	strbuf_view *b = ctx;
	int w;

	if (b->len >= b->size)
		return true;
	w = snprintf(b->buf + b->len, b->size - b->len, "%s%.*s",
		     b->len ? ", " : "", (int)len, s);
	b->len += w > 0 ? (size_t)w : 0;
	return false;
}

enum cfg_desc {
	DESC_TYPE,      /* "an integer": the text did not convert */
	DESC_RULE,      /* "an even integer >= 2": bounds or evenness */
	DESC_FINITE,    /* "a finite number" */
	DESC_INT_RANGE, /* the value does not fit an int: the bounds of
			   the field within int's */
	DESC_F32,       /* beyond float32: parameters are float32 */
	DESC_CHOICE,    /* "one of 0, 1, 2": an int not among its choices */
};

static void field_desc(const cfg_field *f, enum cfg_desc d, char *buf,
		       size_t size)
{
	const char *noun = field_is_int(f) ? "integer" : "number";
	char bounds[128] = "";

	if ((d == DESC_RULE || d == DESC_INT_RANGE) && field_is_int(f) &&
	    (f->flags & CFG_F_EVEN))
		noun = "even integer";
	if (d == DESC_FINITE)
		noun = "finite number";
	if (d == DESC_RULE)
		fmt_bounds(f, true, bounds, sizeof(bounds));
	if (d == DESC_INT_RANGE) {
		cfg_field g = *f;

		if (!has_min(f) || g.min < INT_MIN) {
			g.min = INT_MIN;
			g.flags &= ~(unsigned)CFG_F_MIN_OPEN;
		}
		if (!has_max(f) || g.max > INT_MAX)
			g.max = INT_MAX;
		fmt_bounds(&g, true, bounds, sizeof(bounds));
	}
	if (d == DESC_F32)
		snprintf(bounds, sizeof(bounds),
			 "within float32 range (|x| <= %.7g)", (double)FLT_MAX);
	if (d == DESC_CHOICE) {
		char list[192] = "";
		strbuf_view b = { list, sizeof(list), 0 };

		choices_each(f->choices, choice_list, &b);
		snprintf(buf, size, "one of %s", list);
		return;
	}
	if (field_is_list(f))
		snprintf(buf, size, "a list of %ss%s%s", noun,
			 *bounds ? " " : "", bounds);
	else
		snprintf(buf, size, "%s %s%s%s",
			 strchr("aeiou", noun[0]) ? "an" : "a", noun,
			 *bounds ? " " : "", bounds);
}

/* "WHERE: 'key' must be DESC, got 'TEXT' (item N)"; item 0: no item. */
static int value_fail(ej_err *err, const cfg_node *n, const cfg_field *f,
		      enum cfg_desc d, int item)
{
	char where[CFG_WHERE_MAX], desc[256], suffix[32] = "";

	cfg_where(n, where, sizeof(where));
	field_desc(f, d, desc, sizeof(desc));
	if (item)
		snprintf(suffix, sizeof(suffix), " (item %d)", item);
	if (n->kind != CFG_SCALAR)
		return ej_fail(err, EJ_EXIT_USAGE, "%s: '%s' must be %s, got %s%s",
			       where, f->key, desc, cfg_kind_name(n->kind),
			       suffix);
	return ej_fail(err, EJ_EXIT_USAGE, "%s: '%s' must be %s, got '%s'%s",
		       where, f->key, desc, n->value, suffix);
}

/* "WHERE: <message>" at node 'n'. */
static int node_fail(ej_err *err, const cfg_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int node_fail(ej_err *err, const cfg_node *n, const char *fmt, ...)
{
	char where[CFG_WHERE_MAX], msg[EJ_ERR_MSG_MAX];
	va_list ap;

	cfg_where(n, where, sizeof(where));
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ej_fail(err, EJ_EXIT_USAGE, "%s: %s", where, msg);
}

/* ---- schema: conversions ---------------------------------------------- */

static int conv_int(const cfg_node *n, const cfg_field *f, int item,
		    int *out, ej_err *err)
{
	const char *s = n->value;
	const char *digits = (*s == '+' || *s == '-') ? s + 1 : s;
	char *end;
	long v;

	if (*digits < '0' || *digits > '9')
		return value_fail(err, n, f, DESC_TYPE, item);
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end)
		return value_fail(err, n, f, DESC_TYPE, item);
	/* before the rule: strtol's clamped LONG_MAX is odd */
	if (errno == ERANGE || v < INT_MIN || v > INT_MAX)
		return value_fail(err, n, f, DESC_INT_RANGE, item);
	if (!in_bounds(f, (double)v) ||
	    ((f->flags & CFG_F_EVEN) && v % 2 != 0))
		return value_fail(err, n, f, DESC_RULE, item);
	if (f->choices && !choices_each(f->choices, choice_int_equal, &v))
		return value_fail(err, n, f, DESC_CHOICE, item);
	*out = (int)v;
	return 0;
}

static bool is_yaml_nonfinite(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	return !strcmp(s, ".inf") || !strcmp(s, ".Inf") || !strcmp(s, ".INF") ||
	       !strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN");
}

static int conv_float(const cfg_node *n, const cfg_field *f, int item,
		      double *out, ej_err *err)
{
	const char *s = n->value;
	char *end;
	double v;

	if (is_yaml_nonfinite(s))
		return value_fail(err, n, f, DESC_FINITE, item);
	/* no leading blanks, no hex floats */
	if (!*s || strchr(" \t\n\r\f\v", *s) || strpbrk(s, "xX"))
		return value_fail(err, n, f, DESC_TYPE, item);
	v = strtod(s, &end);
	if (*end)
		return value_fail(err, n, f, DESC_TYPE, item);
	if (!isfinite(v))
		return value_fail(err, n, f, DESC_FINITE, item);
	/* parameters, noise and steps are float32 on the device: a value
	 * that overflows there would turn a run into NaN silently */
	if (fabs(v) > FLT_MAX)
		return value_fail(err, n, f, DESC_F32, item);
	if (!in_bounds(f, v))
		return value_fail(err, n, f, DESC_RULE, item);
	*out = v;
	return 0;
}

static int conv_bool(const cfg_node *n, const cfg_field *f, bool *out,
		     ej_err *err)
{
	static const char *const yes[] = { "true", "yes", "on" };
	static const char *const no[] = { "false", "no", "off" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(n->value, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(n->value, no[i])) {
			*out = false;
			return 0;
		}
	}
	return node_fail(err, n, "'%s' must be true or false, got '%s'",
			 f->key, n->value);
}

static int conv_str(const cfg_node *n, const cfg_field *f, char *out,
		    ej_err *err)
{
	size_t len = strlen(n->value);

	if (len >= CFG_STR_MAX)
		return node_fail(err, n,
				 "'%s' must be at most %d bytes long, got %zu",
				 f->key, CFG_STR_MAX - 1, len);
	if (len == 0 && (f->flags & CFG_F_NONEMPTY))
		return node_fail(err, n, "'%s' must not be empty", f->key);
	memset(out, 0, CFG_STR_MAX);
	memcpy(out, n->value, len);
	return 0;
}

static int conv_enum(const cfg_node *n, const cfg_field *f, char *out,
		     ej_err *err)
{
	char where[CFG_WHERE_MAX], list[1024] = "", hint[CFG_DYM_MAX + 32] = "";
	strbuf_view b = { list, sizeof(list), 0 };
	dym d;

	assert(f->choices && "CFG_ENUM field without choices");
	if (choices_each(f->choices, choice_equal, (void *)n->value))
		return conv_str(n, f, out, err);
	dym_init(&d, n->value);
	choices_each(f->choices, choice_consider, &d);
	if (d.best)
		snprintf(hint, sizeof(hint), " (did you mean '%.*s'?)",
			 (int)d.best_len, d.best);
	choices_each(f->choices, choice_list, &b);
	cfg_where(n, where, sizeof(where));
	return ej_fail(err, EJ_EXIT_USAGE, "%s: '%s' must be one of %s, got '%s'%s",
		       where, f->key, list, n->value, hint);
}

static int conv_list(const cfg_node *n, const cfg_field *f, void *dst,
		     ej_err *err)
{
	bool is_seq = n->kind == CFG_SEQ;
	const cfg_node *first = is_seq ? n->child : n, *it;
	cfg_ilist il;
	cfg_flist fl;
	long count = 0;
	int i;

	if (n->kind == CFG_MAP)
		return value_fail(err, n, f, DESC_TYPE, 0);
	for (it = first; it; it = is_seq ? it->next : NULL)
		count++;
	if (count > CFG_LIST_MAX)
		return node_fail(err, n, "'%s' must have at most %d items, got %ld",
				 f->key, CFG_LIST_MAX, count);
	if (count == 0 && (f->flags & CFG_F_NONEMPTY))
		return node_fail(err, n, "'%s' must not be empty", f->key);
	memset(&il, 0, sizeof(il));
	memset(&fl, 0, sizeof(fl));
	for (i = 0, it = first; it; i++, it = is_seq ? it->next : NULL) {
		int item = is_seq ? i + 1 : 0;
		int rc;

		if (it->kind != CFG_SCALAR)
			return value_fail(err, it, f, DESC_TYPE, item);
		if (f->type == CFG_INT_LIST)
			rc = conv_int(it, f, item, &il.v[i], err);
		else
			rc = conv_float(it, f, item, &fl.v[i], err);
		if (rc)
			return -1;
	}
	il.n = fl.n = (int)count;
	if (f->type == CFG_INT_LIST)
		memcpy(dst, &il, sizeof(il));
	else
		memcpy(dst, &fl, sizeof(fl));
	return 0;
}

/* Convert non-null node 'n' into the field's slot of 'out'. */
static int field_convert(const cfg_node *n, const cfg_field *f, void *out,
			 ej_err *err)
{
	void *dst = (char *)out + f->offset;
	int iv;
	double dv;
	bool bv = false;

	if (field_is_list(f))
		return conv_list(n, f, dst, err);
	if (n->kind != CFG_SCALAR)
		return node_fail(err, n, "'%s' must be a scalar", f->key);
	switch (f->type) {
	case CFG_INT:
		if (conv_int(n, f, 0, &iv, err))
			return -1;
		memcpy(dst, &iv, sizeof(iv));
		return 0;
	case CFG_FLOAT:
		if (conv_float(n, f, 0, &dv, err))
			return -1;
		memcpy(dst, &dv, sizeof(dv));
		return 0;
	case CFG_BOOL:
		if (conv_bool(n, f, &bv, err))
			return -1;
		memcpy(dst, &bv, sizeof(bv));
		return 0;
	case CFG_STR:
		return conv_str(n, f, dst, err);
	case CFG_ENUM:
		return conv_enum(n, f, dst, err);
	default:
		break;
	}
	assert(!"unknown cfg_type");
	return -1;
}

static void field_zero(const cfg_field *f, void *out)
{
	void *dst = (char *)out + f->offset;

	switch (f->type) {
	case CFG_INT: memset(dst, 0, sizeof(int)); break;
	case CFG_FLOAT: { double z = 0; memcpy(dst, &z, sizeof(z)); break; }
	case CFG_BOOL: { bool z = false; memcpy(dst, &z, sizeof(z)); break; }
	case CFG_STR:
	case CFG_ENUM: memset(dst, 0, CFG_STR_MAX); break;
	case CFG_INT_LIST: memset(dst, 0, sizeof(cfg_ilist)); break;
	case CFG_FLOAT_LIST: memset(dst, 0, sizeof(cfg_flist)); break;
	}
}

/* ---- schema: public --------------------------------------------------- */

void cfg_defaults(const cfg_field *fields, size_t n_fields, void *out)
{
	cfg_doc *tmp = cfg_doc_new();
	size_t i;

	assert(tmp && "out of memory");
	for (i = 0; i < n_fields; i++) {
		const cfg_field *f = &fields[i];
		cfg_node *node = NULL;
		ej_err err = { 0, "" };
		int rc = 0;

		field_zero(f, out);
		if (!f->def || !tmp)
			continue;
		rc = cfg_parse_yaml(tmp, "default", "invalid default",
				    (const unsigned char *)f->def,
				    strlen(f->def), &node, &err);
		if (!rc && node && !cfg_is_null(node))
			rc = field_convert(node, f, out, &err);
		assert(rc == 0 && "invalid default in a cfg_field schema");
		if (rc)
			field_zero(f, out);
	}
	cfg_free(tmp);
}

static const cfg_field *field_find(const cfg_field *fields, size_t n,
				   const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(fields[i].key, key))
			return &fields[i];
	return NULL;
}

static bool skip_has(const char *const *skip, const char *key)
{
	for (; skip && *skip; skip++)
		if (!strcmp(*skip, key))
			return true;
	return false;
}

static int unknown_key(const cfg_node *c, const char *section_name,
		       const cfg_field *fields, size_t n,
		       const char *const *skip, ej_err *err)
{
	char where[CFG_WHERE_MAX];
	dym d;
	size_t i;

	dym_init(&d, c->key);
	for (i = 0; i < n; i++)
		dym_consider(&d, fields[i].key, strlen(fields[i].key));
	for (; skip && *skip; skip++)
		dym_consider(&d, *skip, strlen(*skip));
	cfg_where_key(c, where, sizeof(where));
	if (d.best)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "%s: unknown key '%s' in '%s' (did you mean "
			       "'%.*s'?)", where, c->key, section_name,
			       (int)d.best_len, d.best);
	return ej_fail(err, EJ_EXIT_USAGE, "%s: unknown key '%s' in '%s'",
		       where, c->key, section_name);
}

int cfg_parse_section(const cfg_node *section, const char *section_name,
		      const cfg_field *fields, size_t n_fields, void *out,
		      const char *const *skip, ej_err *err)
{
	const cfg_node *c;

	cfg_defaults(fields, n_fields, out);
	if (cfg_is_null(section))
		return 0;
	if (section->kind != CFG_MAP)
		return node_fail(err, section, "'%s' must be a mapping",
				 section_name);
	for (c = section->child; c; c = c->next) {
		const cfg_field *f;

		if (skip_has(skip, c->key))
			continue;
		f = field_find(fields, n_fields, c->key);
		if (!f)
			return unknown_key(c, section_name, fields, n_fields,
					   skip, err);
		if (!cfg_is_null(c) && field_convert(c, f, out, err))
			return -1;
	}
	return 0;
}

/* ---- schema table ----------------------------------------------------- */

static const char *type_name(enum cfg_type t)
{
	switch (t) {
	case CFG_INT: return "int";
	case CFG_FLOAT: return "float";
	case CFG_BOOL: return "bool";
	case CFG_STR: return "string";
	case CFG_ENUM: return "enum";
	case CFG_INT_LIST: return "int[]";
	case CFG_FLOAT_LIST: return "float[]";
	}
	return "?";
}

static void fmt_rule(const cfg_field *f, char *buf, size_t size)
{
	char bounds[128] = "";
	bool even = field_is_int(f) && (f->flags & CFG_F_EVEN);
	bool nonempty = (f->flags & CFG_F_NONEMPTY) &&
			(field_is_list(f) || f->type == CFG_STR);

	if (f->type == CFG_ENUM || f->choices) {
		snprintf(buf, size, "%s", f->choices ? f->choices : "-");
		return;
	}
	if (f->type != CFG_BOOL && f->type != CFG_STR)
		fmt_bounds(f, false, bounds, sizeof(bounds));
	snprintf(buf, size, "%s%s%s%s%s", even ? "even" : "",
		 even && *bounds ? ", " : "", bounds,
		 nonempty && (even || *bounds) ? ", " : "",
		 nonempty ? "non-empty" : "");
	if (!*buf)
		snprintf(buf, size, "-");
}

static const char *fmt_default(const cfg_field *f)
{
	if (!f->def)
		return "-";
	return *f->def ? f->def : "\"\"";
}

void cfg_print_schema(FILE *out, int indent, const cfg_field *fields,
		      size_t n_fields)
{
	int wkey = 0, wtype = 0, wdef = 0, wrule = 0;
	char rule[1024];
	size_t i;

	for (i = 0; i < n_fields; i++) {
		const cfg_field *f = &fields[i];
		int l;

		fmt_rule(f, rule, sizeof(rule));
		if ((l = (int)strlen(f->key)) > wkey)
			wkey = l;
		if ((l = (int)strlen(type_name(f->type))) > wtype)
			wtype = l;
		if ((l = (int)strlen(fmt_default(f))) > wdef)
			wdef = l;
		if ((l = (int)strlen(rule)) > wrule)
			wrule = l;
	}
	for (i = 0; i < n_fields; i++) {
		const cfg_field *f = &fields[i];
		bool help = f->help && *f->help;

		fmt_rule(f, rule, sizeof(rule));
		fprintf(out, "%*s%-*s  %-*s  %-*s  %-*s%s%s\n", indent, "",
			wkey, f->key, wtype, type_name(f->type), wdef,
			fmt_default(f), help ? wrule : 0, rule,
			help ? "  " : "", help ? f->help : "");
	}
}
