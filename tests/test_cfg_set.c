/* test_cfg_set.c - --set overrides, emit and the schema table
 * (core/cfg.c): --set replaces scalars in place, adds sections, takes
 * flow lists and maps and names itself in errors; a failed --set leaves
 * the tree as it was; emitted sections parse back to the same values;
 * cfg_print_schema's table and cfg_did_you_mean's hints.
 *
 * File-based cases write YAML into a mkdtemp() directory (group fixture)
 * and pin the exact messages.  Loading and the schema validator are in
 * test_cfg.c.
 */
#include <math.h>
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

/* ---- --set ------------------------------------------------------------ */

static void test_set_scalar(void **state)
{
	const tu_tmp *fx = *state;
	const cfg_node *n;
	char where[256];
	ct_cfg c;
	ej_err err;
	cfg_doc *d = ct_load_yaml(fx, "algo:\n  pop_size: 64\n  seed: 1\n",
				  &err);

	assert_non_null(d);
	assert_int_equal(cfg_set(d, "algo.pop_size=128", &err), 0);
	n = cfg_path(cfg_root(d), "algo.pop_size");
	assert_string_equal(n->value, "128");
	assert_string_equal(n->origin, "--set 'algo.pop_size=128'");
	assert_int_equal(n->line, 0);
	assert_int_equal(n->col, 0);
	cfg_where(n, where, sizeof(where));
	assert_string_equal(where, "--set 'algo.pop_size=128'");
	/* replaced in place: the order of keys is kept */
	assert_string_equal(cfg_get(cfg_root(d), "algo")->child->key,
			    "pop_size");
	assert_int_equal(ct_parse_doc(d, &c, &err), 0);
	assert_int_equal(c.pop_size, 128);
	assert_int_equal(c.seed, 1);

	/* later --set wins; errors name the --set */
	assert_int_equal(cfg_set(d, "algo.pop_size=63", &err), 0);
	assert_int_equal(ct_parse_doc(d, &c, &err), -1);
	assert_string_equal(err.msg,
			    "--set 'algo.pop_size=63': 'pop_size' must be an even "
			    "integer >= 2, got '63'");
	assert_int_equal(cfg_set(d, "algo.pop_size=", &err), 0); /* null */
	assert_int_equal(ct_parse_doc(d, &c, &err), 0);
	assert_int_equal(c.pop_size, 64);

	/* strings: '' is an empty string, "a b" a plain scalar */
	assert_int_equal(cfg_set(d, "algo.name=my run", &err), 0);
	assert_int_equal(ct_parse_doc(d, &c, &err), 0);
	assert_string_equal(c.name, "my run");
	assert_int_equal(cfg_set(d, "algo.name=''", &err), 0);
	assert_int_equal(ct_parse_doc(d, &c, &err), -1);
	assert_string_equal(err.msg,
			    "--set 'algo.name=''': 'name' must not be empty");
	assert_int_equal(cfg_set(d, "algo.name=a=b", &err), 0);
	assert_int_equal(ct_parse_doc(d, &c, &err), 0);
	assert_string_equal(c.name, "a=b");

	/* a --set key that the schema does not know */
	assert_int_equal(cfg_set(d, "algo.pop_sise=3", &err), 0);
	assert_int_equal(ct_parse_doc(d, &c, &err), -1);
	assert_string_equal(err.msg,
			    "--set 'algo.pop_sise=3': unknown key 'pop_sise' in "
			    "'algo' (did you mean 'pop_size'?)");
	cfg_free(d);
}

static void test_set_new_section(void **state)
{
	const tu_tmp *fx = *state;
	const cfg_node *n;
	ct_cfg c;
	ej_err err;
	cfg_doc *d = ct_load_yaml(fx, "task:\n  name: cartpole\nnull_sec:\n", &err);

	assert_non_null(d);
	assert_int_equal(cfg_set(d, "algo.optimizer=sgd", &err), 0);
	assert_int_equal(cfg_set(d, "deep.a.b.c=x", &err), 0);
	assert_int_equal(cfg_set(d, "null_sec.k=1", &err), 0);

	n = cfg_get(cfg_root(d), "algo");
	assert_int_equal(n->kind, CFG_MAP);
	assert_string_equal(n->origin, "--set 'algo.optimizer=sgd'");
	assert_int_equal(n->line, 0);
	assert_int_equal(ct_parse_doc(d, &c, &err), 0);
	assert_string_equal(c.optimizer, "sgd");
	assert_int_equal(c.pop_size, 64);

	n = cfg_path(cfg_root(d), "deep.a.b.c");
	assert_non_null(n);
	assert_string_equal(n->value, "x");
	assert_int_equal(cfg_path(cfg_root(d), "deep.a")->kind, CFG_MAP);

	/* a null section becomes a map */
	n = cfg_get(cfg_root(d), "null_sec");
	assert_int_equal(n->kind, CFG_MAP);
	assert_string_equal(n->child->value, "1");

	/* new sections go last, in order */
	n = cfg_root(d)->child;
	assert_string_equal(n->key, "task");
	assert_string_equal(n->next->key, "null_sec");
	assert_string_equal(n->next->next->key, "algo");
	assert_string_equal(n->next->next->next->key, "deep");
	assert_null(n->next->next->next->next);
	cfg_free(d);
}

static void test_set_flow_list(void **state)
{
	const tu_tmp *fx = *state;
	const cfg_node *n;
	ct_cfg c;
	ej_err err;
	cfg_doc *d = ct_load_yaml(fx, "algo:\n  hidden: [8]\n", &err);

	assert_non_null(d);
	assert_int_equal(cfg_set(d, "algo.hidden=[64, 32]", &err), 0);
	n = cfg_path(cfg_root(d), "algo.hidden");
	assert_int_equal(n->kind, CFG_SEQ);
	assert_string_equal(n->child->value, "64");
	assert_string_equal(n->child->origin, "--set 'algo.hidden=[64, 32]'");
	assert_int_equal(n->child->line, 0);
	assert_int_equal(ct_parse_doc(d, &c, &err), 0);
	assert_int_equal(c.hidden.n, 2);
	assert_int_equal(c.hidden.v[0], 64);
	assert_int_equal(c.hidden.v[1], 32);

	assert_int_equal(cfg_set(d, "algo.hidden=[64, 0]", &err), 0);
	assert_int_equal(ct_parse_doc(d, &c, &err), -1);
	assert_string_equal(err.msg,
			    "--set 'algo.hidden=[64, 0]': 'hidden' must be a list "
			    "of integers >= 1, got '0' (item 2)");

	/* a whole section as a flow map */
	assert_int_equal(cfg_set(d, "algo={pop_size: 8, weights: [0.1, 0.2]}",
				 &err), 0);
	assert_int_equal(ct_parse_doc(d, &c, &err), 0);
	assert_int_equal(c.pop_size, 8);
	assert_int_equal(c.weights.n, 2);
	assert_true(c.weights.v[1] == 0.2);
	assert_int_equal(c.hidden.n, 2); /* the old value went with the map */
	assert_int_equal(c.hidden.v[0], 64);
	cfg_free(d);
}

static void assert_set_fails(cfg_doc *d, const char *assign,
			     const char *expected)
{
	ej_err err;

	ej_err_clear(&err);
	assert_int_equal(cfg_set(d, assign, &err), -1);
	assert_string_equal(err.msg, expected);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
}

static void test_set_errors(void **state)
{
	const tu_tmp *fx = *state;
	char want[512];
	ej_err err;
	cfg_doc *d = ct_load_yaml(fx, "algo:\n  pop_size: 64\n  list: [1]\n", &err);

	assert_non_null(d);
	assert_set_fails(d, "algo.pop_size",
			 "invalid --set 'algo.pop_size': missing '=' (expected "
			 "'key.path=value')");
	assert_set_fails(d, "=3", "invalid --set '=3': empty key path");
	assert_set_fails(d, "algo..pop_size=3",
			 "invalid --set 'algo..pop_size=3': empty key in "
			 "'algo..pop_size'");
	assert_set_fails(d, ".algo=3",
			 "invalid --set '.algo=3': empty key in '.algo'");
	assert_set_fails(d, "algo.=3",
			 "invalid --set 'algo.=3': empty key in 'algo.'");
	snprintf(want, sizeof(want),
		 "invalid --set 'algo.pop_size.x=1': 'algo.pop_size' is a "
		 "scalar (%s:2:13), not a mapping", fx->path);
	assert_set_fails(d, "algo.pop_size.x=1", want);
	snprintf(want, sizeof(want),
		 "invalid --set 'algo.list.x.y=1': 'algo.list' is a sequence "
		 "(%s:3:9), not a mapping", fx->path);
	assert_set_fails(d, "algo.list.x.y=1", want);
	assert_set_fails(d, "algo.hidden=[1,",
			 "invalid --set 'algo.hidden=[1,': invalid YAML: did not "
			 "find expected node content (while parsing a flow node)");
	assert_set_fails(d, "algo.name=a: b",
			 "invalid --set 'algo.name=a: b': the value must be a "
			 "scalar or a flow collection ('[a, b]', '{k: v}'); "
			 "quote it");
	assert_set_fails(d, "algo.x=&a 1",
			 "invalid --set 'algo.x=&a 1': anchors and aliases are "
			 "not supported ('&a')");
	assert_set_fails(d, "algo.x={a: 1, a: 2}",
			 "invalid --set 'algo.x={a: 1, a: 2}': duplicate key 'a'");

	/* the tree is unchanged by failed --set */
	assert_string_equal(cfg_path(cfg_root(d), "algo.pop_size")->value, "64");
	assert_null(cfg_path(cfg_root(d), "algo.x"));
	assert_null(cfg_path(cfg_root(d), "algo.hidden"));
	assert_null(cfg_path(cfg_root(d), "algo.name"));
	assert_null(cfg_get(cfg_root(d), ""));
	cfg_free(d);
}

/* ---- emit ------------------------------------------------------------- */

static char *emit_to_string(const ct_cfg *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fputs("algo:\n", f);
	cfg_emit_section(f, 2, ct_fields, CT_N_FIELDS, c);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void assert_round_trip(const tu_tmp *fx, const ct_cfg *c)
{
	char *text = emit_to_string(c);
	ct_cfg back;
	ej_err err;

	assert_int_equal(ct_parse_yaml(fx, text, &back, &err), 0);
	free(text);
	assert_memory_equal(&back, c, sizeof(back));
}

static void test_emit_round_trip(void **state)
{
	const tu_tmp *fx = *state;
	static const char *const names[] = {
		"yes", "123", "1e5", "null", "~", "a: b", "# not a comment",
		"with \"quotes\" and \\ back\nslash\t", "-dash", "[x]",
		"/usr/share/datasets/fashion-mnist", "cartpole_easy", "inf",
		" padded ", "caf\xc3\xa9", "ctl\x01", "x'y",
	};
	ct_cfg c;
	char *text;
	size_t i;

	memset(&c, 0x5a, sizeof(c)); /* padding as ct_parse_doc leaves it */
	cfg_defaults(ct_fields, CT_N_FIELDS, &c);
	text = emit_to_string(&c);
	assert_string_equal(text,
			    "algo:\n"
			    "  pop_size: 64\n"
			    "  max_iter: 1000\n"
			    "  seed: 42\n"
			    "  center_lr: 0.01\n"
			    "  init_std: 0.1\n"
			    "  eps: 1e-08\n"
			    "  verbose: false\n"
			    "  optimizer: adam\n"
			    "  name: run\n"
			    "  hidden: [64, 64]\n"
			    "  weights: [0.5]\n");
	free(text);
	assert_round_trip(fx, &c);

	c.center_lr = 1.0 / 3.0;
	c.init_std = 0.1 + 0.2; /* needs 17 digits */
	c.eps = 5e-324;
	c.seed = INT32_MIN;
	c.verbose = true;
	c.hidden.n = 0;
	c.hidden.v[0] = c.hidden.v[1] = 0;
	c.weights.n = 3;
	c.weights.v[0] = 0.1;
	c.weights.v[1] = 1e-8;
	c.weights.v[2] = 1;
	text = emit_to_string(&c);
	assert_non_null(strstr(text, "  center_lr: 0.3333333333333333\n"));
	assert_non_null(strstr(text, "  init_std: 0.30000000000000004\n"));
	assert_non_null(strstr(text, "  eps: 4.94065645841247e-324\n"));
	assert_non_null(strstr(text, "  seed: -2147483648\n"));
	assert_non_null(strstr(text, "  hidden: []\n"));
	assert_non_null(strstr(text, "  weights: [0.1, 1e-08, 1]\n"));
	free(text);
	assert_round_trip(fx, &c);

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		memset(c.name, 0, sizeof(c.name));
		strcpy(c.name, names[i]);
		assert_round_trip(fx, &c);
	}
	strcpy(c.name, "yes");
	text = emit_to_string(&c);
	assert_non_null(strstr(text, "  name: \"yes\"\n"));
	free(text);
	strcpy(c.name, "/usr/share/x.y-z");
	text = emit_to_string(&c);
	assert_non_null(strstr(text, "  name: /usr/share/x.y-z\n"));
	free(text);
}

/* ---- schema table, did you mean --------------------------------------- */

static void test_print_schema(void **state)
{
	static const cfg_field f[] = {
		{ .key = "pop_size", .type = CFG_INT, .def = "64", .min = 2,
		  .max = INFINITY, .flags = CFG_F_EVEN, .help = "population" },
		{ .key = "lr", .type = CFG_FLOAT, .def = "0.01", .min = 0,
		  .max = 1, .flags = CFG_F_MIN_OPEN, .help = "learning rate" },
		{ .key = "opt", .type = CFG_ENUM, .def = "adam",
		  .choices = "sgd|adam", .help = "optimizer" },
		{ .key = "hidden", .type = CFG_INT_LIST, .def = "[64, 64]",
		  .min = 1, .max = 1e300, .flags = CFG_F_NONEMPTY },
		{ .key = "lanes", .type = CFG_INT, .def = "0", .min = 0,
		  .max = 16, .choices = "0|1|2|4|8|16" },
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(out);
	cfg_print_schema(out, 2, f, 5);
	assert_int_equal(fclose(out), 0);
	assert_string_equal(buf,
			    "  pop_size  int    64        even, >= 2       population\n"
			    "  lr        float  0.01      (0, 1]           learning rate\n"
			    "  opt       enum   adam      sgd|adam         optimizer\n"
			    "  hidden    int[]  [64, 64]  >= 1, non-empty\n"
			    "  lanes     int    0         0|1|2|4|8|16\n");
	free(buf);
}

static void test_did_you_mean(void **state)
{
	static const char *const names[] = { "pop_size", "center_lr",
					     "stdev_lr", NULL };

	(void)state;
	assert_string_equal(cfg_did_you_mean("pop_sise", names), "pop_size");
	assert_string_equal(cfg_did_you_mean("popsize", names), "pop_size");
	assert_string_equal(cfg_did_you_mean("centre_lr", names), "center_lr");
	assert_string_equal(cfg_did_you_mean("stdev-lr", names), "stdev_lr");
	assert_null(cfg_did_you_mean("seed", names));
	assert_null(cfg_did_you_mean("xxxxxxxx", names));
	/* close means distance <= max(2, strlen(word) / 3) */
	assert_string_equal(cfg_did_you_mean("cntr_lr", names), "center_lr");
	assert_null(cfg_did_you_mean("cntr_lrr", names)); /* 3 > 2 */
	assert_string_equal(cfg_did_you_mean("centerr_lrate", names),
			    "center_lr"); /* 4 <= 13 / 3 */
	assert_null(cfg_did_you_mean("p_psiz", names));
	assert_null(cfg_did_you_mean("pop_size", (const char *const[]){ NULL }));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_scalar),
		cmocka_unit_test(test_set_new_section),
		cmocka_unit_test(test_set_flow_list),
		cmocka_unit_test(test_set_errors),
		cmocka_unit_test(test_emit_round_trip),
		cmocka_unit_test(test_print_schema),
		cmocka_unit_test(test_did_you_mean),
	};

	return cmocka_run_group_tests(tests, tu_tmp_setup, tu_tmp_teardown);
}
