/* cli.h - what the evojax subcommands share: the parsed command line,
 * the experiment loader (EvoJAX format, --smoke, --set, --seed,
 * --device), saved parameters, and the two ways to fail (cli_die,
 * cli_usage).  Only cmd/ prints errors and chooses exit codes. */
#ifndef EJ_CMD_CLI_H
#define EJ_CMD_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "core/cfg.h"
#include "core/err.h"
#include "core/exp.h"

#define MAX_SETS 64

typedef struct cli {
	const char *config;
	const char *sets[MAX_SETS];
	int n_sets;
	const char *seed, *out, *device, *params, *resume, *iter;
	const char *episodes, *every, *size; /* render */
	char resume_config[4200];
	char note[512]; /* set when CONFIG was translated from EvoJAX's format */
	bool smoke, quiet, json, help, scores;
} cli;

/* Print "evojax: error: MSG" and return its exit code (EJ_EXIT_RUN when
 * it has none). */
int cli_die(const ej_err *err);

/* Print "evojax CMD: " fmt (with arg) and a --help hint; EJ_EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, const char *arg);

/* Parse the flags of a subcommand; 'allowed' lists the flags it takes
 * (space-separated).  0, or an exit code after printing why. */
int cli_parse(const char *cmd, int argc, char **argv, const char *allowed,
	      cli *c);

/* Load CONFIG (translating EvoJAX's benchmark format), apply --smoke,
 * --set, --seed, --device (in that order), validate.  NULL with err. */
cfg_doc *cli_load_experiment(cli *c, exp_cfg *e, ej_err *err);

/* Saved parameters (n floats, finite) and the normalizer (n_obs doubles,
 * left as they are when the file has none) from an npz such as
 * best.npz. */
int cli_load_params(const char *path, size_t n, size_t n_obs, float *params,
		    double *obs, ej_err *err);

/* A whole number in [lo, hi] for 'flag' (0), or a usage error. */
int cli_parse_count(const char *cmd, const char *flag, const char *v, long lo,
		    long hi, int *out);

/* --size WxH in pixels (0), or a usage error. */
int cli_parse_size(const char *cmd, const char *v, int *w, int *h);

/* The picture commands (cmd/pictures.c). */
int cmd_render(int argc, char **argv);
int cmd_plot(int argc, char **argv);

#endif
