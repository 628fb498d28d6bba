/* cfgtest.h - the schema and the YAML helpers shared by the config tests
 * (test_cfg.c, test_cfg_set.c).  Tests run in a group fixture, the temp
 * directory of testutil.h's tu_tmp; YAML goes into its file tu_tmp.path:
 *   YAML:    ct_write_yaml (text into the file), ct_load_yaml (write and
 *            load it)
 *   schema:  ct_cfg, ct_fields / CT_N_FIELDS (one field of each type,
 *            with bounds, flags and choices), ct_skip
 *   parsing: ct_parse_doc (a doc's 'algo' section into a ct_cfg filled
 *            with 0x5a first, so defaults must overwrite it),
 *            ct_parse_yaml (load text and parse it; the doc is freed)
 *
 * Everything is static inline: each test binary is one translation unit.
 * Helpers fail the running cmocka test (assert_*) instead of returning
 * errors.
 */
#ifndef EJ_CFGTEST_H
#define EJ_CFGTEST_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/testutil.h"

#include "core/cfg.h"

/* ---- YAML in the fixture file ------------------------------------------- */

static inline void ct_write_yaml(const tu_tmp *fx, const char *text)
{
	FILE *f = fopen(fx->path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

static inline cfg_doc *ct_load_yaml(const tu_tmp *fx, const char *text,
				    ej_err *err)
{
	ct_write_yaml(fx, text);
	ej_err_clear(err);
	return cfg_load_file(fx->path, err);
}

/* ---- the schema used by the tests ------------------------------------- */

typedef struct ct_cfg {
	int pop_size;
	int max_iter;
	int seed;
	double center_lr;
	double init_std;
	double eps;
	bool verbose;
	char optimizer[CFG_STR_MAX];
	char name[CFG_STR_MAX];
	cfg_ilist hidden;
	cfg_flist weights;
} ct_cfg;

static const cfg_field ct_fields[] = {
	{ .key = "pop_size", .type = CFG_INT,
	  .offset = offsetof(ct_cfg, pop_size), .def = "64", .min = 2,
	  .max = INFINITY, .flags = CFG_F_EVEN, .help = "population size" },
	{ .key = "max_iter", .type = CFG_INT,
	  .offset = offsetof(ct_cfg, max_iter), .def = "1000", .min = 1,
	  .max = 1000000, .help = "iterations" },
	{ .key = "seed", .type = CFG_INT, .offset = offsetof(ct_cfg, seed),
	  .def = "42" }, /* min = max = 0: unbounded */
	{ .key = "center_lr", .type = CFG_FLOAT,
	  .offset = offsetof(ct_cfg, center_lr), .def = "0.01", .min = 0,
	  .max = 10 },
	{ .key = "init_std", .type = CFG_FLOAT,
	  .offset = offsetof(ct_cfg, init_std), .def = "0.1", .min = 0,
	  .max = 1e300, .flags = CFG_F_MIN_OPEN },
	{ .key = "eps", .type = CFG_FLOAT, .offset = offsetof(ct_cfg, eps),
	  .def = "1e-8" },
	{ .key = "verbose", .type = CFG_BOOL,
	  .offset = offsetof(ct_cfg, verbose), .def = "false" },
	{ .key = "optimizer", .type = CFG_ENUM,
	  .offset = offsetof(ct_cfg, optimizer), .def = "adam",
	  .choices = "sgd|adam|clipup" },
	{ .key = "name", .type = CFG_STR, .offset = offsetof(ct_cfg, name),
	  .def = "run", .flags = CFG_F_NONEMPTY },
	{ .key = "hidden", .type = CFG_INT_LIST,
	  .offset = offsetof(ct_cfg, hidden), .def = "[64, 64]", .min = 1,
	  .max = INFINITY },
	{ .key = "weights", .type = CFG_FLOAT_LIST,
	  .offset = offsetof(ct_cfg, weights), .def = "0.5", .min = 0,
	  .max = 1 },
};
#define CT_N_FIELDS (sizeof(ct_fields) / sizeof(ct_fields[0]))

static const char *const ct_skip[] = { "kind", NULL };

static inline int ct_parse_doc(cfg_doc *d, ct_cfg *out, ej_err *err)
{
	memset(out, 0x5a, sizeof(*out)); /* defaults must overwrite this */
	ej_err_clear(err);
	return cfg_parse_section(cfg_get(cfg_root(d), "algo"), "algo",
				 ct_fields, CT_N_FIELDS, out, ct_skip, err);
}

/* Load 'text' and parse its 'algo' section; the doc is freed. */
static inline int ct_parse_yaml(const tu_tmp *fx, const char *text, ct_cfg *out,
				ej_err *err)
{
	cfg_doc *d = ct_load_yaml(fx, text, err);
	int rc;

	assert_non_null(d);
	rc = ct_parse_doc(d, out, err);
	cfg_free(d);
	return rc;
}

#endif
