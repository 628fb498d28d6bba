/* test_plot - `evojax plot`'s pieces: the JSON-lines reader
 * (core/jsonl.c), loading run directories (core/plot.c) and writing the
 * pictures (core/plot_draw.c).
 *
 * a. jsonl (json-c underneath): wanted keys of either type, null as NaN,
 *    nested values skipped and escapes decoded, duplicates (the last
 *    counts), the edges of the number ranges, strings cut at a character
 *    boundary, the nesting limit, what strict json-c still accepts
 *    (pinned, so that a json-c that changes it is noticed); lines that are
 *    not one object (malformed, trailing characters, another type) with
 *    their column and message, wanted keys of the wrong type, NaN or out
 *    of range with their message (pinned); a file: blank lines skipped,
 *    the last line without newline skipped, "path:LINE:COL: ..." and
 *    "path:LINE: 'key' ..." with exit code 2.
 * b. plot_load: a single run (train/test points sorted by iteration,
 *    null values NaN, other kinds of lines ignored, the title from
 *    config.yaml), a population-based training run (one series per
 *    worker, exploit events (pbt) and success events (FIRE) on the
 *    receiving worker), and the errors: no metrics.jsonl, no train or
 *    test line, a train line without 'min'.
 * c. plot_write: a PNG of the stated size (its IHDR), an SVG with one
 *    2-pixel path per series with a point per train line (its colour
 *    from plot_colors), the name's extension checked.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/fileio.h"
#include "core/jsonl.h"
#include "core/plot.h"
#include "core/render.h"
#include "tests/testutil.h"

enum { K_KIND, K_ITER, K_AVG, K_N };

static void keys_init(jsonl_key *k)
{
	k[K_KIND] = (jsonl_key){ .key = "kind", .type = JSONL_STRING };
	k[K_ITER] = (jsonl_key){ .key = "iter", .type = JSONL_NUMBER };
	k[K_AVG] = (jsonl_key){ .key = "avg", .type = JSONL_NUMBER };
}

/* {"x": [[...]]}: levels objects and arrays in all */
static void nest(char *out, int levels)
{
	int n = 6 + levels - 1;

	memcpy(out, "{\"x\": ", 6);
	memset(out + 6, '[', (size_t)levels - 1);
	memset(out + n, ']', (size_t)levels - 1);
	strcpy(out + n + levels - 1, "}");
}

static void test_jsonl_line(void **state)
{
	/* not one JSON object: -1, "COL: what" (json-c's words) */
	static const char *const bad[][2] = {
		{ "{\"iter\": 1,}", "12: unexpected character" },
		{ "{\"iter\" 1}", "9: object property name separator ':' expected" },
		{ "{\"iter\": 01}", "12: number expected" },
		{ "{\"iter\": .5}", "10: unexpected character" },
		{ "{\"iter\": tru}", "13: boolean expected" },
		{ "{\"iter\": nan}", "11: null expected" },
		{ "{\"iter\": 1", "11: unexpected end of data" },
		{ "{\"kind\": \"a\\q\"}", "13: invalid string sequence" },
		{ "{\"kind\": \"\\u12\"}", "15: invalid string sequence" },
		{ "{\"kind\": \"ab", "14: unexpected end of data" },
		{ "{\"kind\": 'ab'}", "10: unexpected character" },
		{ "{iter: 1}", "2: quoted object property name expected" },
		{ "{\"iter\": 1 /* c */}", "12: object value separator ',' expected" },
		{ "{\"iter\": 1\x01}", "11: number expected" },
		/* after the object, which json-c alone would accept */
		{ "{\"iter\": 1} x", "13: unexpected characters after the object" },
		{ "{\"iter\": 1}{}", "12: unexpected characters after the object" },
		/* JSON, but not an object */
		{ "[1]", "1: expected an object, got an array" },
		{ " \t3 ", "3: expected an object, got a number" },
		{ "\"s\"", "1: expected an object, got a string" },
		{ "null", "1: expected an object, got null" },
		{ "false", "1: expected an object, got a boolean" },
	};
	/* a wanted key's value: -2, "what" (no column) */
	static const char *const wrong[][2] = {
		{ "{\"iter\": \"3\"}", "'iter' must be a number, got a string" },
		{ "{\"kind\": 3}", "'kind' must be a string, got a number" },
		{ "{\"iter\": true}", "'iter' must be a number, got a boolean" },
		{ "{\"iter\": [1]}", "'iter' must be a number, got an array" },
		{ "{\"kind\": {}}", "'kind' must be a string, got an object" },
		{ "{\"avg\": NaN}", "'avg' must be a number or null, got NaN" },
		{ "{\"avg\": 1e400}", "'avg' is beyond a double's range" },
		{ "{\"avg\": -1e400}", "'avg' is beyond a double's range" },
		{ "{\"avg\": -Infinity}", "'avg' is beyond a double's range" },
		{ "{\"iter\": 18446744073709551616}", "'iter' is beyond 64-bit integers" },
		{ "{\"iter\": -9223372036854775809}", "'iter' is beyond 64-bit integers" },
		/* duplicates: the last value counts, the first is not looked at */
		{ "{\"iter\": 1, \"iter\": \"x\"}", "'iter' must be a number, got a string" },
	};
	jsonl_key k[K_N];
	char why[160], want[160], deep[2 * JSONL_DEPTH + 16];

	(void)state;
	keys_init(k);
	assert_int_equal(jsonl_parse("{\"kind\": \"train\", \"iter\": 3, "
				     "\"max\": 1.5e2, \"x\": {\"a\": [1, {\"b\": null}, \"s\\\"\"]}, "
				     "\"avg\": -0.25E1}", k, K_N, why, sizeof(why)), 0);
	assert_true(k[K_KIND].found && k[K_ITER].found && k[K_AVG].found);
	assert_string_equal(k[K_KIND].str, "train");
	assert_true(k[K_ITER].num == 3.0 && k[K_AVG].num == -2.5);
	/* null, a missing key, escapes decoded to UTF-8 */
	assert_int_equal(jsonl_parse("{ \"avg\" : null , \"kind\": \"a\\u0041\\u00e9\\t\" }",
				     k, K_N, why, sizeof(why)), 0);
	assert_true(k[K_AVG].found && k[K_AVG].null && isnan(k[K_AVG].num));
	assert_false(k[K_ITER].found);
	assert_string_equal(k[K_KIND].str, "aA\xc3\xa9\t");
	/* null for a string; duplicates: the last counts */
	assert_int_equal(jsonl_parse("{\"kind\": null, \"iter\": \"x\", \"iter\": 2}",
				     k, K_N, why, sizeof(why)), 0);
	assert_true(k[K_KIND].found && k[K_KIND].null && k[K_KIND].str[0] == '\0');
	assert_true(k[K_ITER].num == 2.0 && !k[K_ITER].null);
	/* the edges of the ranges; non-finite values in other keys pass */
	assert_int_equal(jsonl_parse("{\"avg\": -1.5e308, \"iter\": 18446744073709551614, "
				     "\"max\": NaN, \"min\": Infinity}", k, K_N, why, sizeof(why)), 0);
	assert_true(k[K_AVG].num == -1.5e308 && k[K_ITER].num == 18446744073709551614.0);
	assert_int_equal(jsonl_parse("{\"iter\": -9223372036854775807}", k, K_N, why,
				     sizeof(why)), 0);
	assert_true(k[K_ITER].num == -9223372036854775807.0);
	/* what json-c's strict mode lets through: a key in single quotes
	 * (not a value: see bad[]), "1.", raw control characters in strings */
	assert_int_equal(jsonl_parse("{'kind': \"x\ty\x01\", \"iter\": 1.}", k, K_N, why,
				     sizeof(why)), 0);
	assert_string_equal(k[K_KIND].str, "x\ty\x01");
	assert_true(k[K_ITER].num == 1.0);
	/* long strings cut to 63 bytes, before a split character (é: 2 bytes
	 * at 62 and 63) */
	assert_int_equal(jsonl_parse("{\"kind\": \"0123456789012345678901234567890123456789"
				     "0123456789012345678901\xc3\xa9xyz\"}", k, K_N, why, sizeof(why)), 0);
	assert_int_equal(strlen(k[K_KIND].str), 62);
	assert_int_equal(jsonl_parse("{\"kind\": \"0123456789012345678901234567890123456789"
				     "01234567890123456789012\xc3\xa9xyz\"}", k, K_N, why, sizeof(why)), 0);
	assert_int_equal(strlen(k[K_KIND].str), 63);
	assert_int_equal(jsonl_parse("  \t", k, K_N, why, sizeof(why)), 1);
	assert_int_equal(jsonl_parse("", k, K_N, why, sizeof(why)), 1);
	/* nesting: JSONL_DEPTH levels, the line's object included */
	nest(deep, JSONL_DEPTH);
	assert_int_equal(jsonl_parse(deep, k, K_N, why, sizeof(why)), 0);
	nest(deep, JSONL_DEPTH + 1);
	assert_int_equal(jsonl_parse(deep, k, K_N, why, sizeof(why)), -1);
	snprintf(want, sizeof(want), "%d: nesting too deep", 6 + JSONL_DEPTH);
	assert_string_equal(why, want);
	for (size_t j = 0; j < sizeof(bad) / sizeof(bad[0]); j++) {
		why[0] = '\0';
		assert_int_equal(jsonl_parse(bad[j][0], k, K_N, why, sizeof(why)), -1);
		assert_string_equal(why, bad[j][1]);
	}
	for (size_t j = 0; j < sizeof(wrong) / sizeof(wrong[0]); j++) {
		why[0] = '\0';
		assert_int_equal(jsonl_parse(wrong[j][0], k, K_N, why, sizeof(why)), -2);
		assert_string_equal(why, wrong[j][1]);
	}
}

typedef struct seen {
	int lines[8];
	int n;
} seen;

static int count(void *ctx, const jsonl_key *k, size_t n, int line,
		 ej_err *err)
{
	seen *s = ctx;

	(void)k;
	(void)n;
	(void)err;
	s->lines[s->n++] = line;
	return 0;
}

static void put(const char *path, const char *text)
{
	ej_err err = { 0 };

	if (fio_write_atomic(path, text, strlen(text), &err) < 0)
		fail_msg("%s", err.msg);
}

/* 'text' as the file at 'path': jsonl_read stops with exit code 2 and
 * "path:" + msg after calling back for 'calls' lines. */
static void read_fails(const char *path, const char *text, const char *msg,
		       int calls)
{
	jsonl_key k[K_N];
	ej_err err = { 0 };
	seen s = { { 0 }, 0 };
	char want[256];

	keys_init(k);
	put(path, text);
	assert_int_equal(jsonl_read(path, k, K_N, count, &s, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	snprintf(want, sizeof(want), "%s:%s", path, msg);
	assert_string_equal(err.msg, want);
	assert_int_equal(s.n, calls);
}

/* jsonl_quote: escapes; the literal reads back through json-c to the
 * same bytes; a cut never splits an escape or a UTF-8 character. */
static void test_jsonl_quote(void **state)
{
	static const char *const in[] = {
		"", "plain/path.yaml", "q\"d/c\\x.yaml", "tab\tnl\n\x01",
		"caf\xc3\xa9 \xe2\x82\xac",
	};
	static const char *const want[] = {
		"\"\"", "\"plain/path.yaml\"", "\"q\\\"d/c\\\\x.yaml\"",
		"\"tab\\u0009nl\\u000a\\u0001\"", "\"caf\xc3\xa9 \xe2\x82\xac\"",
	};
	char out[64], line[128], why[64];
	jsonl_key k = { .key = "s", .type = JSONL_STRING };

	(void)state;
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		assert_string_equal(jsonl_quote(in[i], out, sizeof(out)), want[i]);
		snprintf(line, sizeof(line), "{\"s\": %s}", out);
		assert_int_equal(jsonl_parse(line, &k, 1, why, sizeof(why)), 0);
		assert_string_equal(k.str, in[i]);
	}
	/* cuts: cap 5 holds '"', 2 bytes, '"', NUL */
	assert_string_equal(jsonl_quote("abcdef", out, 5), "\"ab\"");
	assert_string_equal(jsonl_quote("a\"b", out, 5), "\"a\"");
	assert_string_equal(jsonl_quote("a\"b", out, 6), "\"a\\\"\"");
	assert_string_equal(jsonl_quote("a\xe2\x82\xac", out, 6), "\"a\"");
	assert_string_equal(jsonl_quote("a\xe2\x82\xac", out, 7), "\"a\xe2\x82\xac\"");
	assert_string_equal(jsonl_quote("\x01", out, 8), "\"\"");
	assert_string_equal(jsonl_quote("x", out, 3), "\"\"");
}

static void test_jsonl_file(void **state)
{
	tu_tmp *t = *state;
	jsonl_key k[K_N];
	ej_err err = { 0 };
	seen s = { { 0 }, 0 };

	keys_init(k);
	put(t->path, "{\"iter\": 0}\n\n{\"iter\": 1}\n{\"iter\": 2, \"av");
	assert_int_equal(jsonl_read(t->path, k, K_N, count, &s, &err), 0);
	assert_int_equal(s.n, 2);
	assert_true(s.lines[0] == 1 && s.lines[1] == 3);
	read_fails(t->path, "{\"iter\": 0}\n{\"iter\": 1}\n{\"iter\": 2, \"avg\": nan}\n",
		   "3:21: null expected", 2);
	read_fails(t->path, "{\"iter\": 0}\n[{\"iter\": 1}]\n", "2:1: expected an object, got an array", 1);
	/* a wanted key's value: no column */
	read_fails(t->path, "{\"iter\": 0}\n{\"iter\": 1e999}\n",
		   "2: 'iter' is beyond a double's range", 1);
}

/* ---- b: loading -------------------------------------------------------- */

static void run_dir(const char *dir, const char *metrics, const char *pbt,
		    const char *config)
{
	char path[256];
	ej_err err = { 0 };

	assert_int_equal(fio_mkdirs(dir, &err), 0);
	snprintf(path, sizeof(path), "%s/metrics.jsonl", dir);
	if (metrics)
		put(path, metrics);
	snprintf(path, sizeof(path), "%s/pbt.jsonl", dir);
	if (pbt)
		put(path, pbt);
	snprintf(path, sizeof(path), "%s/config.yaml", dir);
	if (config)
		put(path, config);
}

static const char one_run[] =
	"{\"kind\": \"train\", \"iter\": 1, \"size\": 8, \"max\": 5, \"avg\": 3, \"min\": 1, \"std\": 1}\n"
	"{\"kind\": \"train\", \"iter\": 0, \"size\": 8, \"max\": 4, \"avg\": 2, \"min\": 0, \"std\": 1}\n"
	"{\"kind\": \"test\", \"iter\": 2, \"final\": true, \"n\": 4, \"max\": 9, \"avg\": 7, \"min\": 5, \"std\": 1}\n"
	"{\"kind\": \"note\", \"iter\": 2}\n"
	"{\"kind\": \"train\", \"iter\": 2, \"size\": 8, \"max\": null, \"avg\": 5, \"min\": 2, \"std\": null}\n";

static void test_load_runs(void **state)
{
	tu_tmp *t = *state;
	char a[128], p[128], *dirs[2] = { a, p };
	plot_data d;
	ej_err err = { 0 };
	const plot_series *s;

	snprintf(a, sizeof(a), "%s/runs/a/", t->dir);
	snprintf(p, sizeof(p), "%s/pbt", t->dir);
	run_dir(a, one_run, NULL,
		"seed: 1\ntask: {name: cartpole}\npolicy: {name: mlp}\nalgo: {name: pgpe}\n");
	run_dir(p,
		"{\"worker\": 1, \"kind\": \"train\", \"iter\": 0, \"max\": 2, \"avg\": 1, \"min\": 0}\n"
		"{\"worker\": 0, \"kind\": \"train\", \"iter\": 0, \"max\": 3, \"avg\": 2, \"min\": 1}\n"
		"{\"worker\": 0, \"kind\": \"test\", \"iter\": 2, \"avg\": 6}\n"
		"{\"worker\": 1, \"kind\": \"test\", \"iter\": 2, \"avg\": 5}\n",
		"{\"event\": \"init\", \"iter\": 0, \"worker\": 0, \"hparams\": {\"center_lr\": 0.01}}\n"
		"{\"event\": \"exploit\", \"iter\": 2, \"from\": 0, \"to\": 1, \"q_from\": 6, \"q_to\": 5}\n"
		"{\"event\": \"success\", \"iter\": 4, \"evaluator\": 3, \"parent\": 0, \"target\": 0, \"p\": 0.01}\n"
		"{\"event\": \"exploit\", \"iter\": 4, \"from\": 1, \"to\": 7}\n", NULL);
	if (plot_load(&d, (const char *const *)dirs, 2, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(d.n, 3);
	assert_string_equal(d.title, "cartpole / mlp / pgpe");
	s = &d.s[0];
	assert_string_equal(s->label, "a");
	assert_true(s->run == 0 && s->worker == -1);
	assert_int_equal(s->n_train, 3);
	for (int i = 0; i < 3; i++)
		assert_true(s->train[i].iter == i && s->train[i].avg == (i < 2 ? 2 + i : 5));
	assert_true(isnan(s->train[2].max) && s->train[2].min == 2);
	assert_int_equal(s->n_test, 1);
	assert_true(s->test[0].iter == 2 && s->test[0].avg == 7);
	assert_int_equal(s->n_exploit, 0);
	for (int w = 0; w < 2; w++) {
		s = &d.s[1 + w];
		assert_true(s->run == 1 && s->worker == w);
		assert_string_equal(s->label, w ? "pbt w1" : "pbt w0");
		assert_true(s->n_train == 1 && s->n_test == 1);
		assert_int_equal(s->n_exploit, 1);
		assert_true(s->exploit[0] == (w ? 2.0 : 4.0));
	}
	plot_release(&d);
}

static void test_load_errors(void **state)
{
	tu_tmp *t = *state;
	char a[128], want[512];
	const char *dirs[1] = { a };
	plot_data d;
	ej_err err = { 0 };

	snprintf(a, sizeof(a), "%s/empty", t->dir);
	run_dir(a, NULL, NULL, NULL);
	assert_int_equal(plot_load(&d, dirs, 1, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	snprintf(want, sizeof(want), "'%s' is not a run directory: it has no metrics.jsonl", a);
	assert_string_equal(err.msg, want);
	plot_release(&d);

	run_dir(a, "{\"kind\": \"note\"}\n", NULL, NULL);
	assert_int_equal(plot_load(&d, dirs, 1, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	snprintf(want, sizeof(want), "'%s/metrics.jsonl' has no train or test lines", a);
	assert_string_equal(err.msg, want);
	plot_release(&d);

	run_dir(a, "{\"kind\": \"train\", \"iter\": 0, \"max\": 3, \"avg\": 2, \"min\": 1}\n"
		   "{\"kind\": \"train\", \"iter\": 1, \"max\": 3, \"avg\": 2}\n", NULL, NULL);
	assert_int_equal(plot_load(&d, dirs, 1, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	snprintf(want, sizeof(want), "%s/metrics.jsonl:2: a 'train' line without 'min'", a);
	assert_string_equal(err.msg, want);
	plot_release(&d);
}

/* ---- c: writing -------------------------------------------------------- */

static unsigned be32(const unsigned char *p)
{
	return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
}

static void test_write(void **state)
{
	tu_tmp *t = *state;
	char a[128], b[128], out[160], *text, *p;
	const char *dirs[2] = { a, b };
	plot_data d;
	ej_err err = { 0 };
	size_t len;
	int means = 0;

	snprintf(a, sizeof(a), "%s/a", t->dir);
	snprintf(b, sizeof(b), "%s/b", t->dir);
	run_dir(a, one_run, NULL, NULL);
	run_dir(b, "{\"kind\": \"train\", \"iter\": 0, \"max\": 3, \"avg\": 2, \"min\": 1}\n"
		   "{\"kind\": \"train\", \"iter\": 5, \"max\": 30, \"avg\": 20, \"min\": 10}\n", NULL, NULL);
	assert_int_equal(plot_load(&d, dirs, 2, &err), 0);
	assert_string_equal(d.title, "evojax");
	snprintf(out, sizeof(out), "%s/c.png", t->dir);
	assert_int_equal(plot_write(&d, out, 640, 400, &err), 0);
	assert_int_equal(fio_read_all(out, &text, &len, &err), 0);
	assert_true(len > 24 && !memcmp(text, "\x89PNG\r\n\x1a\n", 8) &&
		    !memcmp(text + 12, "IHDR", 4));
	assert_int_equal(be32((unsigned char *)text + 16), 640);
	assert_int_equal(be32((unsigned char *)text + 20), 400);
	free(text);
	snprintf(out, sizeof(out), "%s/c.svg", t->dir);
	assert_int_equal(plot_write(&d, out, 800, 500, &err), 0);
	assert_int_equal(fio_read_all(out, &text, &len, &err), 0);
	assert_non_null(strstr(text, "<svg"));
	assert_non_null(strstr(text, "width=\"800pt\""));
	/* the mean lines: stroke-width 2 in a series colour; run a has 3
	 * train points (one M, two L), run b 2 (cairo would merge three
	 * points on a line into two: the data have none) */
	for (p = text; (p = strstr(p, "<path style=\"fill:none;stroke-width:2;")); p++) {
		char *end = strchr(p, '>'), *rgb = strstr(p, "stroke:rgb(");
		unsigned c = plot_colors[means];
		int pts = 0;

		assert_non_null(end);
		if (!rgb || rgb > end ||
		    fabs(strtod(rgb + 11, NULL) - (c >> 16) * 100.0 / 255.0) > 1e-4)
			continue;
		for (char *q = strstr(p, " d=\""); q && q < end; q++)
			pts += (q[0] == 'M' || q[0] == 'L') && q[1] == ' ';
		assert_int_equal(pts, means == 0 ? 3 : 2);
		means++;
	}
	assert_int_equal(means, 2);
	free(text);
	snprintf(out, sizeof(out), "%s/c.jpg", t->dir);
	assert_int_equal(plot_write(&d, out, 800, 500, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_non_null(strstr(err.msg, "c.jpg': the picture's name must end in .svg or .png"));
	assert_int_equal(plot_write(&d, "x.png", 100, 100, &err), -1);
	assert_string_equal(err.msg, "a plot size of 100 x 100 is out of range (400 to 8192 wide, 240 to 8192 high)");
	plot_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jsonl_line),
		cmocka_unit_test(test_jsonl_quote),
		cmocka_unit_test_setup_teardown(test_jsonl_file, tu_tmp_setup, tu_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_load_runs, tu_tmp_setup, tu_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_load_errors, tu_tmp_setup, tu_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_write, tu_tmp_setup, tu_tmp_teardown),
	};

	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	render_release_fonts(); /* fontconfig's caches, for leak checkers */
	return rc;
}
