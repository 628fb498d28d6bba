/* test_cfg_values.c - config values at the edges (core/cfg*.c): integers
 * with a set of allowed values, --set values that must read as they do
 * in a file (a BOM, "---" or "..." at their start), and locations in a
 * config under a very long path.  The rest of the config tests are in
 * test_cfg.c and test_cfg_set.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/cfg.h"

typedef struct vcfg {
	int pop_size;
	int seed;
	int lanes;
} vcfg;

static const cfg_field vfields[] = {
	{ .key = "pop_size", .type = CFG_INT, .offset = offsetof(vcfg, pop_size),
	  .def = "64", .min = 2, .max = 1e300, .flags = CFG_F_EVEN },
	{ .key = "seed", .type = CFG_INT, .offset = offsetof(vcfg, seed),
	  .def = "42" },
	{ .key = "lanes", .type = CFG_INT, .offset = offsetof(vcfg, lanes),
	  .def = "0", .min = 0, .max = 16, .choices = "0|1|2|4|8|16" },
};

/* Parse section 's' of d. */
static int parse_s(const cfg_doc *d, vcfg *out, ej_err *err)
{
	ej_err_clear(err);
	return cfg_parse_section(cfg_get(cfg_root((cfg_doc *)d), "s"), "s",
				 vfields, 3, out, NULL, err);
}

/* An int with choices: within the bounds, one of the choices (compared
 * as numbers); an error has the node's location, from a file or --set. */
static void test_int_choices(void **state)
{
	vcfg v;
	ej_err err;
	cfg_doc *d = cfg_load_string("s: {lanes: 3}\n", "x.yaml", &err);

	(void)state;
	assert_non_null(d);
	assert_int_equal(parse_s(d, &v, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "x.yaml:1:12: 'lanes' must be one of 0, "
				     "1, 2, 4, 8, 16, got '3'");
	assert_int_equal(cfg_set(d, "s.lanes=17", &err), 0);
	assert_int_equal(parse_s(d, &v, &err), -1);
	assert_string_equal(err.msg, "--set 's.lanes=17': 'lanes' must be an "
				     "integer in [0, 16], got '17'");
	assert_int_equal(cfg_set(d, "s.lanes=5", &err), 0);
	assert_int_equal(parse_s(d, &v, &err), -1);
	assert_string_equal(err.msg, "--set 's.lanes=5': 'lanes' must be one of "
				     "0, 1, 2, 4, 8, 16, got '5'");
	assert_int_equal(cfg_set(d, "s.lanes=+08", &err), 0);
	assert_int_equal(parse_s(d, &v, &err), 0);
	assert_int_equal(v.lanes, 8);
	cfg_defaults(vfields, 3, &v);
	assert_int_equal(v.lanes, 0);
	cfg_free(d);
}

/* A --set value reads as the value of "key: value" in a file: a BOM,
 * "---" or "..." at its start is text (a file's line start would take
 * them for an encoding mark or document markers: the value was null).
 * Same outcome, same message after the location. */
static void test_set_like_file(void **state)
{
	static const char *const vals[] = { "\xef\xbb\xbf", "\xef\xbb\xbf" "5",
					     "---", "...", "%x", "", "#c",
					     " 5", "'5'", "[5]" };
	char yaml[64], assign[64], set[96], bad[96];
	vcfg c, cf;
	ej_err err, ferr;

	(void)state;
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		cfg_doc *d = cfg_load_string("s: {seed: 1}\n", "F", &err);
		cfg_doc *f;
		const char *rest;
		int rc, frc;

		snprintf(yaml, sizeof(yaml), "s:\n  seed: %s\n", vals[i]);
		snprintf(assign, sizeof(assign), "s.seed=%s", vals[i]);
		snprintf(set, sizeof(set), "--set '%s': ", assign);
		snprintf(bad, sizeof(bad), "invalid --set '%s': ", assign);
		f = cfg_load_string(yaml, "F", &ferr);
		assert_non_null(d);
		rc = cfg_set(d, assign, &err) < 0 ? -1 : parse_s(d, &c, &err);
		frc = f ? parse_s(f, &cf, &ferr) : -1;
		if (rc != frc)
			fail_msg("'%s': --set gives %d (%s), a file %d (%s)",
				 vals[i], rc, rc ? err.msg : "", frc,
				 frc ? ferr.msg : "");
		if (rc == 0) {
			assert_int_equal(c.seed, cf.seed);
		} else { /* "F:2:9: " against "[invalid ]--set '...': " */
			rest = !strncmp(err.msg, set, strlen(set))
				       ? err.msg + strlen(set)
				       : err.msg + strlen(bad);
			assert_non_null(strstr(ferr.msg, ": "));
			assert_string_equal(rest, strstr(ferr.msg, ": ") + 2);
		}
		cfg_free(f);
		cfg_free(d);
	}
}

/* A config under a very long path: the location loses the middle of the
 * path, never its line and column, nor the message after it. */
static void test_long_origin(void **state)
{
	static const char want[] = "/x.yaml:2:13: 'pop_size' must be an even "
				   "integer >= 2, got '63'";
	char name[3100];
	size_t n = 0, len;
	vcfg c;
	ej_err err;
	cfg_doc *d;

	(void)state;
	n += (size_t)sprintf(name, "/tmp");
	while (n < 3000)
		n += (size_t)sprintf(name + n, "/a-long-directory-name");
	sprintf(name + n, "/x.yaml");
	d = cfg_load_string("s:\n  pop_size: 63\n", name, &err);
	assert_non_null(d);
	assert_int_equal(parse_s(d, &c, &err), -1);
	len = strlen(err.msg);
	assert_true(len > strlen(want));
	assert_string_equal(err.msg + len - strlen(want), want);
	assert_non_null(strstr(err.msg, "/.../a-long-directory-name/"));
	assert_int_equal(strncmp(err.msg, "/tmp/a-long-directory-name/", 27), 0);
	cfg_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_int_choices),
		cmocka_unit_test(test_set_like_file),
		cmocka_unit_test(test_long_origin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
