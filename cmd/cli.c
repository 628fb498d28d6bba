/* cli.c - what the subcommands share (cli.h): flags, the experiment
 * loader, saved parameters, error reporting. */
#include "cmd/cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/compat.h"
#include "core/npz.h"

int cli_die(const ej_err *err)
{
	fprintf(stderr, "evojax: error: %s\n", err->msg);
	return err->code ? err->code : EJ_EXIT_RUN;
}

int cli_usage(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "evojax%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nsee 'evojax %s%s--help'\n", cmd ? cmd : "",
		cmd ? " " : "");
	return EJ_EXIT_USAGE;
}

/* Is 'flag' one of the space-separated words of 'allowed'? */
static bool cli_flag_allowed(const char *allowed, const char *flag)
{
	size_t n = strlen(flag);

	for (const char *p = allowed; (p = strstr(p, flag)); p += n)
		if ((p == allowed || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

/* Parse flags common to train/validate/test.  'allowed' lists the flags
 * this subcommand takes. */
int cli_parse(const char *cmd, int argc, char **argv, const char *allowed,
	      cli *c)
{
	memset(c, 0, sizeof(*c));
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = NULL;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			c->help = true;
			continue;
		}
		if (a[0] != '-') {
			if (c->config)
				return cli_usage(cmd, "unexpected argument '%s'", a);
			c->config = a;
			continue;
		}
		if (!cli_flag_allowed(allowed, a))
			return cli_usage(cmd, "unknown option '%s'", a);
		if (strcmp(a, "--smoke") == 0) {
			c->smoke = true;
			continue;
		}
		if (strcmp(a, "--quiet") == 0) {
			c->quiet = true;
			continue;
		}
		if (strcmp(a, "--json") == 0) {
			c->json = true;
			continue;
		}
		if (strcmp(a, "--scores") == 0) {
			c->scores = true;
			continue;
		}
		if (i + 1 >= argc)
			return cli_usage(cmd, "option '%s' needs a value", a);
		if (strcmp(a, "--set") == 0) {
			if (c->n_sets == MAX_SETS)
				return cli_usage(cmd, "too many '%s' options", a);
			c->sets[c->n_sets++] = argv[++i];
			continue;
		}
		if (strcmp(a, "--seed") == 0)
			slot = &c->seed;
		else if (strcmp(a, "--out") == 0)
			slot = &c->out;
		else if (strcmp(a, "--device") == 0)
			slot = &c->device;
		else if (strcmp(a, "--params") == 0)
			slot = &c->params;
		else if (strcmp(a, "--resume") == 0)
			slot = &c->resume;
		else if (strcmp(a, "--iter") == 0)
			slot = &c->iter;
		else if (strcmp(a, "--episodes") == 0)
			slot = &c->episodes;
		else if (strcmp(a, "--every") == 0)
			slot = &c->every;
		else if (strcmp(a, "--size") == 0)
			slot = &c->size;
		else
			return cli_usage(cmd, "unknown option '%s'", a);
		*slot = argv[++i];
	}
	if (c->resume && !c->config) {
		snprintf(c->resume_config, sizeof(c->resume_config),
			 "%s/config.yaml", c->resume);
		c->config = c->resume_config;
	}
	if (c->resume && c->out)
		return cli_usage(cmd, "--resume DIR writes into DIR; drop '%s'",
				   "--out");
	if (!c->help && !c->config)
		return cli_usage(cmd, "missing CONFIG%s", "");
	return 0;
}

/* Load CONFIG (translating EvoJAX's benchmark format), apply --smoke,
 * --set, --seed, --device (in that order), validate. */
cfg_doc *cli_load_experiment(cli *c, exp_cfg *e, ej_err *err)
{
	cfg_doc *doc = cfg_load_file(c->config, err);
	char buf[CFG_STR_MAX + 32];

	if (!doc)
		return NULL;
	if (compat_is_evojax(doc) &&
	    compat_translate(doc, c->note, sizeof(c->note), err) < 0)
		goto fail;
	/* Smoke values first, so explicit --set overrides win. */
	if (c->smoke && exp_apply_smoke(doc, err) < 0)
		goto fail;
	for (int i = 0; i < c->n_sets; i++)
		if (cfg_set(doc, c->sets[i], err) < 0)
			goto fail;
	if (c->seed) {
		snprintf(buf, sizeof(buf), "seed=%s", c->seed);
		if (cfg_set(doc, buf, err) < 0)
			goto fail;
	}
	if (c->device) {
		snprintf(buf, sizeof(buf), "device.spec=%s", c->device);
		if (cfg_set(doc, buf, err) < 0)
			goto fail;
	}
	if (exp_load(doc, e, err) < 0)
		goto fail;
	return doc;
fail:
	cfg_free(doc);
	return NULL;
}

/* Saved parameters must be numbers: NaN or inf is a corrupt file. */
static int cli_check_finite(const char *path, const char *name,
			    const float *x, size_t n, ej_err *err)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return ej_fail(err, EJ_EXIT_RUN,
				       "'%s': '%s' element %zu is %s", path, name,
				       i, isnan(x[i]) ? "nan" : "inf");
	return 0;
}

/* Saved parameters (n floats) and the normalizer (n_obs doubles, left
 * as they are when the file has none) from an npz such as best.npz. */
int cli_load_params(const char *path, size_t n, size_t n_obs, float *params,
		    double *obs, ej_err *err)
{
	npz_file *f = npz_read(path, err);
	float *tmp = NULL;
	int rc = -1;

	if (!f)
		return -1;
	if (npz_get_f32(f, "params", params, n, err) < 0 ||
	    cli_check_finite(path, "params", params, n, err) < 0)
		goto out;
	if (npz_find(f, "obs_params") && n_obs > 0) {
		if (!(tmp = malloc(n_obs * sizeof(float)))) {
			ej_fail(err, EJ_EXIT_RUN, "out of memory");
			goto out;
		}
		if (npz_get_f32(f, "obs_params", tmp, n_obs, err) < 0 ||
		    cli_check_finite(path, "obs_params", tmp, n_obs, err) < 0)
			goto out;
		for (size_t i = 0; i < n_obs; i++)
			obs[i] = tmp[i];
	}
	rc = 0;
out:
	free(tmp);
	npz_free(f);
	return rc;
}

/* A whole number in [lo, hi] for 'flag'. */
int cli_parse_count(const char *cmd, const char *flag, const char *v, long lo,
		    long hi, int *out)
{
	char *end, msg[160];
	long x = strtol(v, &end, 10);

	if (*v && !*end && x >= lo && x <= hi) {
		*out = (int)x;
		return 0;
	}
	snprintf(msg, sizeof(msg), "%s must be a whole number from %ld to %ld, got '%%s'",
		 flag, lo, hi);
	return cli_usage(cmd, msg, v);
}

/* --size WxH */
int cli_parse_size(const char *cmd, const char *v, int *w, int *h)
{
	char *end, *end2;
	long x = strtol(v, &end, 10), y = 0;

	if (end != v && (*end == 'x' || *end == 'X'))
		y = strtol(end + 1, &end2, 10);
	if (end == v || (*end != 'x' && *end != 'X') || end2 == end + 1 ||
	    *end2 || x < 1 || y < 1 || x > 100000 || y > 100000)
		return cli_usage(cmd, "--size must be WIDTHxHEIGHT in pixels, got '%s'", v);
	*w = (int)x;
	*h = (int)y;
	return 0;
}
