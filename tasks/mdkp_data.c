/* mdkp_data.c - instances of the "mdkp" task: EvoJAX's synthesized one and
 * CSV files (declarations in tasks/mdkp.h).
 *
 * CSV format (EvoJAX's MDKP docstring; pandas.read_csv(header=None)):
 *   capacity_csv: B rows of S numbers, bin b's capacity per attribute
 *   items_csv:    M rows of S + 1 numbers, item i's S attributes then its
 *                 value
 * Cells are separated by ',' and hold decimal numbers (an optional sign,
 * digits with an optional '.', an optional exponent: "3", "-2.5", "1e3");
 * blanks around a cell, '\r' before the newline and blank lines are
 * ignored; there is no header row and no quoting.  Negative numbers are
 * accepted as EvoJAX accepts them.  Values are stored as float32, as
 * EvoJAX's jnp arrays hold them.  Errors (EJ_EXIT_USAGE), located where
 * they are (1-based line, column in bytes):
 *   cannot read items_csv 'PATH': No such file or directory
 *   PATH: empty file, no rows
 *   PATH:L:C: 'abc' is not a number  (+ "; the files have no header row"
 *             in the first row; also "nan", "inf", "0x10", "1e39")
 *   PATH:L:C: empty cell
 *   PATH:L: 3 cells, expected 4 as on line 1
 *   PATH:L: more than 4 cells, expected 4 as on line 1
 *   PATH:L: more than 1000000 rows       (items; bins: 100000)
 *   PATH:L: more than 1024 columns       (items; capacities: 1023)
 *   PATH:L: 5 columns, expected 4: the 3 attributes of capacity_csv 'C' and a value
 *   an instance of M items x S attributes and B bins is larger than the
 *     134217728 numbers allowed
 *   'items_csv' is set but 'capacity_csv' is not: give both CSV files, or
 *     neither for the synthesized instance (and the converse)
 * Files must be regular files of at most 256 MiB; reading them is the
 * only I/O, once, when the evaluator is created.
 */
#include "tasks/mdkp.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/fileio.h"
#include "core/nprand.h"

void mdkp_inst_release(mdkp_inst *in)
{
	free(in->data);
	memset(in, 0, sizeof(*in));
}

int mdkp_inst_alloc(mdkp_inst *out, size_t M, size_t S, size_t B,
		    ej_err *err)
{
	if (M * (S + 1) + B * S + B + 1 > MDKP_MAX_FLOATS)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "an instance of %zu items x %zu attributes and %zu bins is larger than the %d numbers allowed",
			       M, S, B, MDKP_MAX_FLOATS);
	memset(out, 0, sizeof(*out));
	out->M = M;
	out->S = S;
	out->B = B;
	out->n_data = M * (S + 1) + B * S + B + 1;
	out->data = malloc(out->n_data * sizeof(float));
	if (!out->data)
		return ej_fail(err, EJ_EXIT_RUN,
			       "out of memory for an instance of %zu items and %zu bins",
			       M, B);
	out->items = out->data;
	out->caps = out->items + M * (S + 1);
	out->thresholds = out->caps + B * S;
	mdkp_thresholds(B, out->thresholds);
	return 0;
}

/* ---- synthesized (EvoJAX's MDKP(use_synthesized_data=True)) ---------- */

int mdkp_synthesize(int num_items, int num_attrs, int num_bins,
		    int upper_bound, uint32_t seed, mdkp_inst *out,
		    ej_err *err)
{
	const size_t M = (size_t)num_items, S = (size_t)num_attrs;
	const size_t B = (size_t)num_bins, C = S + 1;
	/* int(num_items * 0.5 / num_bins), in Python's doubles */
	const size_t per = (size_t)((double)num_items * 0.5 / (double)num_bins);
	int64_t *items, *ix;
	nprand *r;
	int rc = -1;

	if (num_items < 1 || num_attrs < 1 || num_bins < 1 || upper_bound < 1)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "cannot synthesize an instance of %d items, %d attributes, %d bins, values below %d",
			       num_items, num_attrs, num_bins, upper_bound);
	if (mdkp_inst_alloc(out, M, S, B, err) < 0)
		return -1;
	items = malloc(M * C * sizeof(*items));
	ix = malloc(M * sizeof(*ix));
	r = malloc(sizeof(*r));
	if (!items || !ix || !r) {
		ej_fail(err, EJ_EXIT_RUN, "out of memory synthesizing %zu items",
			M);
		goto out;
	}
	nprand_seed(r, seed);
	for (size_t k = 0; k < M * C; k++) {
		items[k] = nprand_randint(r, 0, upper_bound);
		out->items[k] = (float)items[k];
	}
	for (size_t i = 0; i < M; i++)
		ix[i] = (int64_t)i;
	nprand_shuffle(r, ix, M);
	for (size_t b = 0; b < B; b++)
		for (size_t s = 0; s < S; s++) {
			int64_t cap = 0;

			for (size_t k = b * per; k < (b + 1) * per; k++)
				cap += items[(size_t)ix[k] * C + s];
			out->caps[b * S + s] = (float)cap;
		}
	snprintf(out->source, sizeof(out->source),
		 "synthesized (seed %u, values below %d)", seed, upper_bound);
	rc = 0;
out:
	free(items);
	free(ix);
	free(r);
	if (rc < 0)
		mdkp_inst_release(out);
	return rc;
}

/* ---- CSV ---------------------------------------------------------------- */

/* A parsed CSV file: rows x cols floats. */
typedef struct mdkp_csv {
	const char *path;
	float *v;     /* (rows, cols) */
	size_t rows, cols, cap;
	size_t line1; /* the line of the first row */
} mdkp_csv;

static bool mdkp_blank(char ch) { return ch == ' ' || ch == '\t'; }

/* Decimal numbers only: strtod alone would take "nan", "inf", "0x1p3". */
static bool mdkp_decimal(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789+-.eE", s[i]) || s[i] == '\0')
			return false;
	return n > 0;
}

static int mdkp_cell(mdkp_csv *f, const char *s, size_t n, size_t line,
		     size_t col, float *out, ej_err *err)
{
	char buf[256], *end;
	double v;

	if (n == 0)
		return ej_fail(err, EJ_EXIT_USAGE, "%s:%zu:%zu: empty cell",
			       f->path, line, col);
	if (mdkp_decimal(s, n) && n < sizeof(buf)) {
		memcpy(buf, s, n);
		buf[n] = '\0';
		v = strtod(buf, &end);
		if (end == buf + n && fabs(v) <= FLT_MAX) {
			*out = (float)v;
			return 0;
		}
	}
	return ej_fail(err, EJ_EXIT_USAGE, "%s:%zu:%zu: '%.*s%s' is not a number%s",
		       f->path, line, col, (int)(n < 40 ? n : 40), s,
		       n < 40 ? "" : "...",
		       f->rows == 0 ? "; the files have no header row" : "");
}

static int mdkp_grow(mdkp_csv *f, size_t need, size_t line, ej_err *err)
{
	size_t cap = f->cap ? f->cap : 1024;
	float *p;

	if (need <= f->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if (!(p = realloc(f->v, cap * sizeof(float))))
		return ej_fail(err, EJ_EXIT_RUN, "%s:%zu: out of memory",
			       f->path, line);
	f->v = p;
	f->cap = cap;
	return 0;
}

/* Parse one non-blank line (len bytes, no newline) into row f->rows. */
static int mdkp_row(mdkp_csv *f, const char *s, size_t len, size_t line,
		    size_t max_rows, ej_err *err)
{
	const size_t base = f->rows * f->cols;
	size_t n = 0, pos = 0;

	if (f->rows == max_rows)
		return ej_fail(err, EJ_EXIT_USAGE, "%s:%zu: more than %zu rows",
			       f->path, line, max_rows);
	if (f->rows > 0 && mdkp_grow(f, base + f->cols, line, err) < 0)
		return -1;
	for (;;) {
		size_t start = pos, a = pos, b;

		while (pos < len && s[pos] != ',')
			pos++;
		b = pos;
		while (a < b && mdkp_blank(s[a]))
			a++;
		while (b > a && mdkp_blank(s[b - 1]))
			b--;
		if (f->rows > 0 && n == f->cols)
			return ej_fail(err, EJ_EXIT_USAGE,
				       "%s:%zu: more than %zu cells, expected %zu as on line %zu",
				       f->path, line, f->cols, f->cols,
				       f->line1);
		if (f->rows == 0 && n == MDKP_MAX_ATTRS + 1)
			return ej_fail(err, EJ_EXIT_USAGE,
				       "%s:%zu: more than %d columns", f->path,
				       line, MDKP_MAX_ATTRS + 1);
		/* an empty cell is reported where it starts */
		if ((f->rows == 0 && mdkp_grow(f, n + 1, line, err) < 0) ||
		    mdkp_cell(f, s + a, b - a, line, (a < b ? a : start) + 1,
			      &f->v[base + n], err) < 0)
			return -1;
		n++;
		if (pos == len)
			break;
		pos++; /* past ',' */
	}
	if (f->rows == 0) {
		f->cols = n;
		f->line1 = line;
	} else if (n != f->cols) {
		return ej_fail(err, EJ_EXIT_USAGE,
			       "%s:%zu: %zu cell%s, expected %zu as on line %zu",
			       f->path, line, n, n == 1 ? "" : "s", f->cols,
			       f->line1);
	}
	f->rows++;
	return 0;
}

/* Read and parse 'path' (the value of key 'key'). */
static int mdkp_csv_read(mdkp_csv *f, const char *key, const char *path,
			 size_t max_rows, ej_err *err)
{
	struct stat st;
	char *text;
	size_t len, line = 1;
	int rc = 0;

	memset(f, 0, sizeof(*f));
	f->path = path;
	if (stat(path, &st) < 0)
		return ej_fail(err, EJ_EXIT_USAGE, "cannot read %s '%s': %s",
			       key, path, strerror(errno));
	if (fio_check_regular(path, key, MDKP_MAX_CSV_BYTES, EJ_EXIT_USAGE,
			      err) < 0)
		return -1;
	if (fio_read_all(path, &text, &len, err) < 0) {
		err->code = EJ_EXIT_USAGE;
		return -1;
	}
	for (size_t a = 0; a < len && rc == 0; line++) {
		const char *nl = memchr(text + a, '\n', len - a);
		size_t b = nl ? (size_t)(nl - text) : len, e = b, k = a;

		if (e > a && text[e - 1] == '\r')
			e--;
		while (k < e && mdkp_blank(text[k]))
			k++;
		if (k < e) /* blank lines are skipped, as pandas does */
			rc = mdkp_row(f, text + a, e - a, line, max_rows, err);
		a = b + 1;
	}
	free(text);
	if (rc == 0 && f->rows == 0)
		rc = ej_fail(err, EJ_EXIT_USAGE, "%s: empty file, no rows",
			     path);
	if (rc < 0) {
		free(f->v);
		f->v = NULL;
	}
	return rc;
}

int mdkp_read_csv(const char *items_csv, const char *capacity_csv,
		  mdkp_inst *out, ej_err *err)
{
	mdkp_csv caps, items;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (mdkp_csv_read(&caps, "capacity_csv", capacity_csv, MDKP_MAX_BINS,
			  err) < 0)
		return -1;
	if (mdkp_csv_read(&items, "items_csv", items_csv, MDKP_MAX_ITEMS,
			  err) < 0)
		goto out;
	if (caps.cols > MDKP_MAX_ATTRS) {
		ej_fail(err, EJ_EXIT_USAGE, "%s:%zu: more than %d columns",
			capacity_csv, caps.line1, MDKP_MAX_ATTRS);
		goto out;
	}
	if (items.cols != caps.cols + 1) {
		ej_fail(err, EJ_EXIT_USAGE,
			"%s:%zu: %zu column%s, expected %zu: the %zu attribute%s of capacity_csv '%s' and a value",
			items_csv, items.line1, items.cols,
			items.cols == 1 ? "" : "s", caps.cols + 1, caps.cols,
			caps.cols == 1 ? "" : "s", capacity_csv);
		goto out;
	}
	if (mdkp_inst_alloc(out, items.rows, caps.cols, caps.rows, err) < 0)
		goto out;
	memcpy(out->items, items.v, items.rows * items.cols * sizeof(float));
	memcpy(out->caps, caps.v, caps.rows * caps.cols * sizeof(float));
	snprintf(out->source, sizeof(out->source), "from '%.280s' and '%.280s'",
		 items_csv, capacity_csv);
	rc = 0;
out:
	free(items.v);
	free(caps.v);
	return rc;
}

int mdkp_load(const mdkp_cfg *c, mdkp_inst *out, ej_err *err)
{
	bool have_items = c->items_csv[0], have_caps = c->capacity_csv[0];

	if (have_items != have_caps)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'%s' is set but '%s' is not: give both CSV files, or neither for the synthesized instance",
			       have_items ? "items_csv" : "capacity_csv",
			       have_items ? "capacity_csv" : "items_csv");
	if (have_items)
		return mdkp_read_csv(c->items_csv, c->capacity_csv, out, err);
	return mdkp_synthesize(c->num_items, c->num_attrs, c->num_bins,
			       c->upper_bound, (uint32_t)c->data_seed, out,
			       err);
}
