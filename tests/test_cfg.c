/* test_cfg.c - YAML config tree and the schema validator (core/cfg.c):
 * loading (positions, malformed and refused YAML, duplicate keys, the
 * nesting limit) and parsing a section against the schema (defaults,
 * types, bounds, even, enums, lists, unknown keys).
 *
 * File-based cases write YAML into a mkdtemp() directory (group fixture)
 * and pin the exact messages, file:line:col included.  --set, emit and
 * the schema table are in test_cfg_set.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/cfgtest.h"
#include "tests/testutil.h"

#include "core/cfg.h"

/* In expected messages "F:<digit>" stands for the temp file's path. */
static void assert_msg(const tu_tmp *fx, const ej_err *err,
		       const char *expected)
{
	char want[EJ_ERR_MSG_MAX];
	size_t n = 0;
	const char *p;

	for (p = expected; *p && n + 1 < sizeof(want); p++) {
		if (p[0] == 'F' && p[1] == ':' && p[2] >= '0' && p[2] <= '9')
			n += (size_t)snprintf(want + n, sizeof(want) - n, "%s",
					      fx->path);
		else
			want[n++] = *p;
	}
	want[n] = '\0';
	assert_string_equal(err->msg, want);
	assert_int_equal(err->code, EJ_EXIT_USAGE);
}

static void assert_load_fails(const tu_tmp *fx, const char *text,
			      const char *expected)
{
	ej_err err;
	cfg_doc *d = ct_load_yaml(fx, text, &err);

	assert_null(d);
	assert_msg(fx, &err, expected);
}

static void assert_parse_fails(const tu_tmp *fx, const char *text,
			       const char *expected)
{
	ct_cfg c;
	ej_err err;

	assert_int_equal(ct_parse_yaml(fx, text, &c, &err), -1);
	assert_msg(fx, &err, expected);
}

/* ---- loading ---------------------------------------------------------- */

static void test_load_positions(void **state)
{
	const tu_tmp *fx = *state;
	ej_err err;
	char where[256], want[256];
	cfg_doc *d = ct_load_yaml(fx,
				  "# comment\n"
				  "algo:\n"
				  "  pop_size: 63\n"
				  "  name: 'pgpe'\n"
				  "task:\n"
				  "  hidden: [64, 32]\n"
				  "  list:\n"
				  "    - 1\n"
				  "    -   two\n",
				  &err);
	const cfg_node *root, *n, *item;

	assert_non_null(d);
	root = cfg_root(d);
	assert_int_equal(root->kind, CFG_MAP);

	n = cfg_path(root, "algo.pop_size");
	assert_non_null(n);
	assert_int_equal(n->kind, CFG_SCALAR);
	assert_string_equal(n->key, "pop_size");
	assert_string_equal(n->value, "63");
	assert_int_equal(n->line, 3);
	assert_int_equal(n->col, 13); /* the value's column */
	assert_int_equal(n->key_line, 3);
	assert_int_equal(n->key_col, 3);
	assert_false(n->quoted);
	assert_string_equal(n->origin, fx->path);
	cfg_where(n, where, sizeof(where));
	snprintf(want, sizeof(want), "%s:3:13", fx->path);
	assert_string_equal(where, want);

	n = cfg_get(root, "algo");
	assert_int_equal(n->kind, CFG_MAP);
	assert_int_equal(n->key_line, 2);
	assert_int_equal(n->key_col, 1);
	assert_int_equal(n->line, 3); /* a block map starts at its first key */
	assert_int_equal(n->col, 3);

	n = cfg_path(root, "algo.name");
	assert_string_equal(n->value, "pgpe");
	assert_true(n->quoted);

	n = cfg_path(root, "task.hidden");
	assert_int_equal(n->kind, CFG_SEQ);
	assert_int_equal(n->col, 11);
	item = n->child;
	assert_string_equal(item->value, "64");
	assert_null(item->key);
	assert_int_equal(item->line, 6);
	assert_int_equal(item->col, 12);
	assert_string_equal(item->next->value, "32");
	assert_int_equal(item->next->col, 16);
	assert_null(item->next->next);

	n = cfg_path(root, "task.list");
	item = n->child->next;
	assert_string_equal(item->value, "two");
	assert_int_equal(item->line, 9);
	assert_int_equal(item->col, 9);

	/* document order is kept */
	assert_string_equal(root->child->key, "algo");
	assert_string_equal(root->child->next->key, "task");
	assert_null(root->child->next->next);

	assert_null(cfg_get(root, "nope"));
	assert_null(cfg_path(root, "algo.pop_size.x"));
	assert_null(cfg_path(root, "algo..pop_size"));
	assert_null(cfg_get(cfg_path(root, "algo.pop_size"), "x"));
	cfg_free(d);
}

static void test_load_string_and_empty(void **state)
{
	const tu_tmp *fx = *state;
	ej_err err;
	cfg_doc *d;

	d = cfg_load_string("a:\n  b: [1, 2]\n", "inline.yaml", &err);
	assert_non_null(d);
	assert_string_equal(cfg_path(cfg_root(d), "a.b")->origin,
			    "inline.yaml");
	cfg_free(d);

	d = cfg_load_string("a: [1\n", "inline.yaml", &err);
	assert_null(d);
	assert_string_equal(err.msg,
			    "inline.yaml:2:1: invalid YAML: did not find "
			    "expected ',' or ']' (while parsing a flow sequence)");

	/* empty, comment-only and null documents give an empty root map */
	d = ct_load_yaml(fx, "", &err);
	assert_non_null(d);
	assert_int_equal(cfg_root(d)->kind, CFG_MAP);
	assert_null(cfg_root(d)->child);
	cfg_free(d);
	d = ct_load_yaml(fx, "# nothing here\n\n", &err);
	assert_non_null(d);
	assert_int_equal(cfg_root(d)->kind, CFG_MAP);
	assert_null(cfg_root(d)->child);
	cfg_free(d);
	d = ct_load_yaml(fx, "---\n...\n", &err);
	assert_non_null(d);
	assert_int_equal(cfg_root(d)->kind, CFG_MAP);
	assert_null(cfg_root(d)->child);
	cfg_free(d);
	cfg_free(NULL);
}

static void test_missing_file(void **state)
{
	const tu_tmp *fx = *state;
	char path[256], want[512];
	ej_err err;

	snprintf(path, sizeof(path), "%s/absent.yaml", fx->dir);
	ej_err_clear(&err);
	assert_null(cfg_load_file(path, &err));
	snprintf(want, sizeof(want),
		 "cannot open config '%s': No such file or directory", path);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.code, EJ_EXIT_USAGE);

	/* a directory opens but cannot be read */
	assert_null(cfg_load_file(fx->dir, &err));
	snprintf(want, sizeof(want), "cannot read config '%s': Is a directory",
		 fx->dir);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
}

static void test_malformed_yaml(void **state)
{
	const tu_tmp *fx = *state;

	assert_load_fails(fx, "a: 1\nb: [1, 2\n",
			  "F:3:1: invalid YAML: did not find expected ',' or "
			  "']' (while parsing a flow sequence)");
	assert_load_fails(fx, "a: 1\n  b: 2\n",
			  "F:2:4: invalid YAML: mapping values are not allowed "
			  "in this context");
	assert_load_fails(fx, "a:\n  b: 1\n c: 2\n",
			  "F:3:2: invalid YAML: did not find expected key "
			  "(while parsing a block mapping)");
	assert_load_fails(fx, "a: 1\nb: \"open\n",
			  "F:3:1: invalid YAML: found unexpected end of stream "
			  "(while scanning a quoted scalar)");
	/* reader errors only carry a byte offset: converted to line:col */
	assert_load_fails(fx, "a: 1\nbb: \xff\n",
			  "F:2:5: invalid YAML: invalid leading UTF-8 octet");
}

static void test_duplicate_key(void **state)
{
	const tu_tmp *fx = *state;

	assert_load_fails(fx, "a: 1\nb: 2\na: 3\n",
			  "F:3:1: duplicate key 'a' (first at F:1:1)");
	/* the same key in different maps is fine; nested duplicates not */
	assert_load_fails(fx, "a:\n  x: 1\nb:\n  x: 2\n  y: 3\n  x: 4\n",
			  "F:6:3: duplicate key 'x' (first at F:4:3)");
	/* past 16 keys a hash set finds duplicates (linear-time loading):
	 * around the switch and the set's growth (64, 128 slots), the first
	 * and the last key, and a map of unique keys that loads in order */
	static const int sizes[] = { 15, 16, 17, 31, 32, 33, 64, 65, 200 };
	char *text = malloc(200 * 16 + 64), want[128];

	assert_non_null(text);
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		int n = sizes[k], len = 0;

		for (int i = 0; i < n; i++)
			len += sprintf(text + len, "k%d: %d\n", i, i);
		for (int dup = 0; dup < n; dup += n - 1) {
			sprintf(text + len, "k%d: x\n", dup);
			snprintf(want, sizeof(want),
				 "F:%d:1: duplicate key 'k%d' (first at F:%d:1)",
				 n + 1, dup, dup + 1);
			assert_load_fails(fx, text, want);
		}
		text[len] = '\0';
		{
			ej_err err = { 0 };
			cfg_doc *d = cfg_load_string(text, "F", &err);
			const cfg_node *c;
			int i = 0;

			assert_non_null(d);
			for (c = cfg_root(d)->child; c; c = c->next, i++) {
				char key[16];

				snprintf(key, sizeof(key), "k%d", i);
				assert_string_equal(c->key, key);
				assert_ptr_equal(cfg_get(cfg_root(d), key), c);
			}
			assert_int_equal(i, n);
			cfg_free(d);
		}
	}
	free(text);
}

static void test_refused_yaml_features(void **state)
{
	const tu_tmp *fx = *state;
	ej_err err;
	cfg_doc *d;

	assert_load_fails(fx, "a: &x 1\nb: *x\n",
			  "F:1:4: anchors and aliases are not supported ('&x')");
	assert_load_fails(fx, "a: [1]\nb: *x\n",
			  "F:2:4: anchors and aliases are not supported ('*x')");
	assert_load_fails(fx, "a: 1\nb: !!int 3\n",
			  "F:2:4: unsupported tag '!!int'");
	assert_load_fails(fx, "a: !foo 3\n", "F:1:4: unsupported tag '!foo'");
	assert_load_fails(fx, "a: !!str [1]\n", "F:1:4: unsupported tag '!!str'");
	assert_load_fails(fx, "a: 1\n---\nb: 2\n",
			  "F:2:1: multiple YAML documents are not supported");
	assert_load_fails(fx, "- 1\n- 2\n",
			  "F:1:1: the top level must be a mapping, got a "
			  "sequence");
	assert_load_fails(fx, "just text\n",
			  "F:1:1: the top level must be a mapping, got a scalar");
	assert_load_fails(fx, "? [a, b]\n: 1\n",
			  "F:1:3: mapping keys must be scalars");
	assert_load_fails(fx, "a: \"x\\0y\"\n",
			  "F:1:4: NUL character in a scalar");

	/* !!str is a default tag: the scalar is a string, never null */
	d = ct_load_yaml(fx, "a: !!str null\nb: !!map {c: 1}\n", &err);
	assert_non_null(d);
	assert_true(cfg_get(cfg_root(d), "a")->quoted);
	assert_false(cfg_is_null(cfg_get(cfg_root(d), "a")));
	assert_int_equal(cfg_get(cfg_root(d), "b")->kind, CFG_MAP);
	cfg_free(d);
}

static void test_nesting_limit(void **state)
{
	const tu_tmp *fx = *state;
	char text[256];
	int i, n = 0;

	n += snprintf(text + n, sizeof(text) - (size_t)n, "a: ");
	for (i = 0; i < 70; i++)
		text[n++] = '[';
	for (i = 0; i < 70; i++)
		text[n++] = ']';
	text[n++] = '\n';
	text[n] = '\0';
	/* the root map is depth 0, 'a' depth 1: the 65th '[' is refused */
	assert_load_fails(fx, text, "F:1:68: nesting deeper than 64 levels");
}

/* ---- schema ----------------------------------------------------------- */

static void assert_defaults(const ct_cfg *c)
{
	assert_int_equal(c->pop_size, 64);
	assert_int_equal(c->max_iter, 1000);
	assert_int_equal(c->seed, 42);
	assert_true(c->center_lr == 0.01);
	assert_true(c->init_std == 0.1);
	assert_true(c->eps == 1e-8);
	assert_false(c->verbose);
	assert_string_equal(c->optimizer, "adam");
	assert_string_equal(c->name, "run");
	assert_int_equal(c->hidden.n, 2);
	assert_int_equal(c->hidden.v[0], 64);
	assert_int_equal(c->hidden.v[1], 64);
	assert_int_equal(c->hidden.v[2], 0);
	assert_int_equal(c->weights.n, 1);
	assert_true(c->weights.v[0] == 0.5);
}

static void test_defaults(void **state)
{
	const tu_tmp *fx = *state;
	ct_cfg c, c2;
	ej_err err;

	memset(&c, 0x5a, sizeof(c));
	cfg_defaults(ct_fields, CT_N_FIELDS, &c);
	assert_defaults(&c);

	/* NULL section, absent section, null section and empty map */
	memset(&c2, 0x5a, sizeof(c2));
	assert_int_equal(cfg_parse_section(NULL, "algo", ct_fields, CT_N_FIELDS,
					   &c2, NULL, &err), 0);
	assert_defaults(&c2);
	assert_int_equal(ct_parse_yaml(fx, "task: {}\n", &c, &err), 0);
	assert_defaults(&c);
	assert_int_equal(ct_parse_yaml(fx, "algo:\n", &c, &err), 0);
	assert_defaults(&c);
	assert_int_equal(ct_parse_yaml(fx, "algo: {}\n", &c, &err), 0);
	assert_defaults(&c);
}

static void test_null_means_default(void **state)
{
	const tu_tmp *fx = *state;
	ct_cfg c;
	ej_err err;

	assert_int_equal(ct_parse_yaml(fx,
				       "algo:\n"
				       "  pop_size:\n"
				       "  center_lr: ~\n"
				       "  optimizer: null\n"
				       "  hidden: Null\n"
				       "  name: NULL\n",
				       &c, &err), 0);
	assert_defaults(&c);
	/* a quoted empty string is a value, not null */
	assert_parse_fails(fx, "algo:\n  name: ''\n",
			   "F:2:9: 'name' must not be empty");
	assert_int_equal(ct_parse_yaml(fx, "algo:\n  name: 'null'\n", &c, &err), 0);
	assert_string_equal(c.name, "null");
	assert_true(cfg_is_null(NULL));
}

static void test_good_values(void **state)
{
	const tu_tmp *fx = *state;
	ct_cfg c;
	ej_err err;

	assert_int_equal(ct_parse_yaml(fx,
				       "algo:\n"
				       "  kind: whatever   # skipped key\n"
				       "  pop_size: +128\n"
				       "  max_iter: '7'\n"
				       "  seed: -3\n"
				       "  center_lr: 1.5e-1\n"
				       "  init_std: 2\n"
				       "  eps: -1e-300\n"
				       "  verbose: YES\n"
				       "  optimizer: clipup\n"
				       "  name: my run\n"
				       "  hidden:\n"
				       "    - 32\n"
				       "    - 16\n"
				       "    - 8\n"
				       "  weights: [0, 0.25, 1]\n",
				       &c, &err), 0);
	assert_int_equal(c.pop_size, 128);
	assert_int_equal(c.max_iter, 7);
	assert_int_equal(c.seed, -3);
	assert_true(c.center_lr == 0.15);
	assert_true(c.init_std == 2.0);
	assert_true(c.eps == -1e-300);
	assert_true(c.verbose);
	assert_string_equal(c.optimizer, "clipup");
	assert_string_equal(c.name, "my run");
	assert_int_equal(c.hidden.n, 3);
	assert_int_equal(c.hidden.v[0], 32);
	assert_int_equal(c.hidden.v[2], 8);
	assert_int_equal(c.hidden.v[3], 0);
	assert_int_equal(c.weights.n, 3);
	assert_true(c.weights.v[1] == 0.25);

	assert_int_equal(ct_parse_yaml(fx, "algo: {verbose: off}\n", &c,
				       &err), 0);
	assert_false(c.verbose);
	assert_int_equal(ct_parse_yaml(fx, "algo: {verbose: On}\n", &c,
				       &err), 0);
	assert_true(c.verbose);
	assert_int_equal(ct_parse_yaml(fx, "algo: {verbose: no}\n", &c,
				       &err), 0);
	assert_false(c.verbose);
	assert_int_equal(ct_parse_yaml(fx, "algo: {verbose: TRUE}\n", &c, &err), 0);
	assert_true(c.verbose);
}

static void test_unknown_key(void **state)
{
	const tu_tmp *fx = *state;

	assert_parse_fails(fx, "algo:\n  pop_size: 64\n  pop_sise: 64\n",
			   "F:3:3: unknown key 'pop_sise' in 'algo' (did you "
			   "mean 'pop_size'?)");
	assert_parse_fails(fx, "algo:\n    zzzzzz: 1\n",
			   "F:2:5: unknown key 'zzzzzz' in 'algo'");
	/* skip keys take part in the suggestion */
	assert_parse_fails(fx, "algo: {knd: x}\n",
			   "F:1:8: unknown key 'knd' in 'algo' (did you mean "
			   "'kind'?)");
}

static void test_wrong_type(void **state)
{
	const tu_tmp *fx = *state;

	assert_parse_fails(fx, "algo:\n  pop_size: abc\n",
			   "F:2:13: 'pop_size' must be an integer, got 'abc'");
	assert_parse_fails(fx, "algo:\n  max_iter: 1e3\n",
			   "F:2:13: 'max_iter' must be an integer, got '1e3'");
	assert_parse_fails(fx, "algo:\n  max_iter: 64.0\n",
			   "F:2:13: 'max_iter' must be an integer, got '64.0'");
	assert_parse_fails(fx, "algo:\n  max_iter: 0x10\n",
			   "F:2:13: 'max_iter' must be an integer, got '0x10'");
	assert_parse_fails(fx, "algo:\n  max_iter: ' 5'\n",
			   "F:2:13: 'max_iter' must be an integer, got ' 5'");
	assert_parse_fails(fx, "algo:\n  center_lr: fast\n",
			   "F:2:14: 'center_lr' must be a number, got 'fast'");
	assert_parse_fails(fx, "algo:\n  center_lr: 1.0.0\n",
			   "F:2:14: 'center_lr' must be a number, got '1.0.0'");
	assert_parse_fails(fx, "algo:\n  eps: .inf\n",
			   "F:2:8: 'eps' must be a finite number, got '.inf'");
	assert_parse_fails(fx, "algo:\n  eps: -.inf\n",
			   "F:2:8: 'eps' must be a finite number, got '-.inf'");
	assert_parse_fails(fx, "algo:\n  eps: .NaN\n",
			   "F:2:8: 'eps' must be a finite number, got '.NaN'");
	assert_parse_fails(fx, "algo:\n  eps: nan\n",
			   "F:2:8: 'eps' must be a finite number, got 'nan'");
	assert_parse_fails(fx, "algo:\n  eps: 1e999\n",
			   "F:2:8: 'eps' must be a finite number, got '1e999'");
	assert_parse_fails(fx, "algo:\n  verbose: maybe\n",
			   "F:2:12: 'verbose' must be true or false, got 'maybe'");
	assert_parse_fails(fx, "algo:\n  pop_size: {a: 1}\n",
			   "F:2:13: 'pop_size' must be a scalar");
	assert_parse_fails(fx, "algo:\n  name: [a, b]\n",
			   "F:2:9: 'name' must be a scalar");
	assert_parse_fails(fx, "algo: 3\n", "F:1:7: 'algo' must be a mapping");
	assert_parse_fails(fx, "algo: [1]\n", "F:1:7: 'algo' must be a mapping");
}

static void test_out_of_range(void **state)
{
	const tu_tmp *fx = *state;

	assert_parse_fails(fx, "algo:\n  center_lr: -1\n",
			   "F:2:14: 'center_lr' must be a number in [0, 10], "
			   "got '-1'");
	assert_parse_fails(fx, "algo:\n  center_lr: 10.000001\n",
			   "F:2:14: 'center_lr' must be a number in [0, 10], "
			   "got '10.000001'");
	assert_parse_fails(fx, "algo:\n  init_std: 0\n",
			   "F:2:13: 'init_std' must be a number > 0, got '0'");
	assert_parse_fails(fx, "algo:\n  max_iter: 0\n",
			   "F:2:13: 'max_iter' must be an integer in [1, 1000000], "
			   "got '0'");
	assert_parse_fails(fx, "algo:\n  seed: 99999999999\n",
			   "F:2:9: 'seed' must be an integer in [-2147483648, "
			   "2147483647], got '99999999999'");
	assert_parse_fails(fx, "algo:\n  max_iter: 99999999999999999999999\n",
			   "F:2:13: 'max_iter' must be an integer in [1, 1000000], "
			   "got '99999999999999999999999'");
	/* beyond long (strtol clamps to the odd LONG_MAX) or int: out of
	 * range, with the field's bounds within int's, not "even" */
	assert_parse_fails(fx, "algo:\n  pop_size: 99999999999999999999\n",
			   "F:2:13: 'pop_size' must be an even integer in [2, "
			   "2147483647], got '99999999999999999999'");
	assert_parse_fails(fx, "algo:\n  pop_size: -99999999999999999999\n",
			   "F:2:13: 'pop_size' must be an even integer in [2, "
			   "2147483647], got '-99999999999999999999'");
	assert_parse_fails(fx, "algo:\n  pop_size: 3000000000\n",
			   "F:2:13: 'pop_size' must be an even integer in [2, "
			   "2147483647], got '3000000000'");
	assert_parse_fails(fx, "algo:\n  seed: -99999999999999999999\n",
			   "F:2:9: 'seed' must be an integer in [-2147483648, "
			   "2147483647], got '-99999999999999999999'");
	assert_parse_fails(fx, "algo:\n  name: \"" /* 256 x 'n' */
			   "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
			   "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
			   "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
			   "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
			   "\"\n",
			   "F:2:9: 'name' must be at most 255 bytes long, got 256");
}

static void test_even(void **state)
{
	const tu_tmp *fx = *state;
	ct_cfg c;
	ej_err err;

	assert_parse_fails(fx, "algo:\n  pop_size: 63\n",
			   "F:2:13: 'pop_size' must be an even integer >= 2, "
			   "got '63'");
	assert_parse_fails(fx, "algo:\n  pop_size: 0\n",
			   "F:2:13: 'pop_size' must be an even integer >= 2, "
			   "got '0'");
	assert_parse_fails(fx, "algo:\n  pop_size: -4\n",
			   "F:2:13: 'pop_size' must be an even integer >= 2, "
			   "got '-4'");
	assert_int_equal(ct_parse_yaml(fx, "algo:\n  pop_size: 2\n", &c,
				       &err), 0);
	assert_int_equal(c.pop_size, 2);
}

static void test_enum(void **state)
{
	const tu_tmp *fx = *state;

	assert_parse_fails(fx, "algo:\n  optimizer: adamm\n",
			   "F:2:14: 'optimizer' must be one of sgd, adam, "
			   "clipup, got 'adamm' (did you mean 'adam'?)");
	assert_parse_fails(fx, "algo:\n  optimizer: clipupp\n",
			   "F:2:14: 'optimizer' must be one of sgd, adam, "
			   "clipup, got 'clipupp' (did you mean 'clipup'?)");
	assert_parse_fails(fx, "algo:\n  optimizer: newton\n",
			   "F:2:14: 'optimizer' must be one of sgd, adam, "
			   "clipup, got 'newton'");
	/* exact match only */
	assert_parse_fails(fx, "algo:\n  optimizer: Adam\n",
			   "F:2:14: 'optimizer' must be one of sgd, adam, "
			   "clipup, got 'Adam' (did you mean 'adam'?)");
}

static void test_lists(void **state)
{
	const tu_tmp *fx = *state;
	ct_cfg c;
	ej_err err;

	/* a single scalar is a one-element list; [] is an empty list */
	assert_int_equal(ct_parse_yaml(fx, "algo: {hidden: 32, weights: []}\n",
				       &c, &err), 0);
	assert_int_equal(c.hidden.n, 1);
	assert_int_equal(c.hidden.v[0], 32);
	assert_int_equal(c.hidden.v[1], 0);
	assert_int_equal(c.weights.n, 0);

	/* per-item bounds at the item's location */
	assert_parse_fails(fx, "algo:\n  hidden: [64, 0, 3]\n",
			   "F:2:16: 'hidden' must be a list of integers >= 1, "
			   "got '0' (item 2)");
	assert_parse_fails(fx, "algo:\n  hidden:\n    - 4\n    - 5\n    - -1\n",
			   "F:5:7: 'hidden' must be a list of integers >= 1, "
			   "got '-1' (item 3)");
	assert_parse_fails(fx, "algo:\n  hidden: 0\n",
			   "F:2:11: 'hidden' must be a list of integers >= 1, "
			   "got '0'");
	assert_parse_fails(fx, "algo:\n  hidden: [1, x]\n",
			   "F:2:15: 'hidden' must be a list of integers, got "
			   "'x' (item 2)");
	assert_parse_fails(fx, "algo:\n  hidden: [1, [2]]\n",
			   "F:2:15: 'hidden' must be a list of integers, got a "
			   "sequence (item 2)");
	assert_parse_fails(fx, "algo:\n  hidden: {a: 1}\n",
			   "F:2:11: 'hidden' must be a list of integers, got a "
			   "mapping");
	assert_parse_fails(fx, "algo:\n  weights: [0.5, 1.5]\n",
			   "F:2:18: 'weights' must be a list of numbers in "
			   "[0, 1], got '1.5' (item 2)");
	assert_parse_fails(fx, "algo:\n  weights: [.nan]\n",
			   "F:2:13: 'weights' must be a list of finite numbers, "
			   "got '.nan' (item 1)");
	assert_parse_fails(fx, "algo:\n  hidden: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, "
			   "11, 12, 13, 14, 15, 16, 17]\n",
			   "F:2:11: 'hidden' must have at most 16 items, got 17");
}

static void test_list_nonempty(void **state)
{
	static const cfg_field f[] = {
		{ .key = "layers", .type = CFG_INT_LIST, .offset = 0,
		  .def = "[2]", .min = 1, .max = 8,
		  .flags = CFG_F_NONEMPTY | CFG_F_EVEN },
	};
	cfg_ilist l;
	ej_err err;
	cfg_doc *d = cfg_load_string("s: {layers: []}\nt: {layers: [2, 3]}\n",
				     "x.yaml", &err);

	(void)state;
	assert_non_null(d);
	assert_int_equal(cfg_parse_section(cfg_get(cfg_root(d), "s"), "s", f, 1,
					   &l, NULL, &err), -1);
	assert_string_equal(err.msg, "x.yaml:1:13: 'layers' must not be empty");
	assert_int_equal(cfg_parse_section(cfg_get(cfg_root(d), "t"), "t", f, 1,
					   &l, NULL, &err), -1);
	assert_string_equal(err.msg,
			    "x.yaml:2:17: 'layers' must be a list of even "
			    "integers in [1, 8], got '3' (item 2)");
	cfg_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_positions),
		cmocka_unit_test(test_load_string_and_empty),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_malformed_yaml),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_refused_yaml_features),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_null_means_default),
		cmocka_unit_test(test_good_values),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_even),
		cmocka_unit_test(test_enum),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_list_nonempty),
	};

	return cmocka_run_group_tests(tests, tu_tmp_setup, tu_tmp_teardown);
}
