/* evojax - command line.  The only place that prints errors and exits.
 *
 * Subcommands are a static table; to add one, write a cmd_<name>() and add
 * a line to commands[].  Exit codes (DESIGN.md): 0 ok, 1 run failed,
 * 2 usage or config error, 3 device/OpenCL error, 130 interrupted.
 */
#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "algos/algo.h"
#include "core/cfg.h"
#include "core/compat.h"
#include "core/episode.h"
#include "core/exp.h"
#include "core/npz.h"
#include "core/optim.h"
#include "core/pbt.h"
#include "core/plot.h"
#include "core/render.h"
#include "core/ranks.h"
#include "core/sched.h"
#include "core/split.h"
#include "core/trainer.h"
#include "opencl/clrt.h"
#include "policies/policy.h"
#include "tasks/task.h"

#define EVOJAX_VERSION "0.1.0"
#define MAX_SETS 64

/* Set by the SIGINT/SIGTERM handler; the trainer polls it between
 * iterations.  A signal flag is the one piece of process state C offers
 * for this. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

typedef struct cli {
	const char *config;
	const char *sets[MAX_SETS];
	int n_sets;
	const char *seed, *out, *device, *params, *resume;
	const char *episodes, *every, *size; /* render */
	char resume_config[4200];
	char note[512]; /* set when CONFIG was translated from EvoJAX's format */
	bool smoke, quiet, json, help;
} cli;

static int die(const ej_err *err)
{
	fprintf(stderr, "evojax: error: %s\n", err->msg);
	return err->code ? err->code : EJ_EXIT_RUN;
}

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "evojax%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nsee 'evojax %s%s--help'\n", cmd ? cmd : "",
		cmd ? " " : "");
	return EJ_EXIT_USAGE;
}

/* Is 'flag' one of the space-separated words of 'allowed'? */
static bool flag_allowed(const char *allowed, const char *flag)
{
	size_t n = strlen(flag);

	for (const char *p = allowed; (p = strstr(p, flag)); p += n)
		if ((p == allowed || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

/* Parse flags common to train/validate/test.  'allowed' lists the flags
 * this subcommand takes. */
static int parse_cli(const char *cmd, int argc, char **argv, const char *allowed,
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
				return usage_error(cmd, "unexpected argument '%s'", a);
			c->config = a;
			continue;
		}
		if (!flag_allowed(allowed, a))
			return usage_error(cmd, "unknown option '%s'", a);
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
		if (i + 1 >= argc)
			return usage_error(cmd, "option '%s' needs a value", a);
		if (strcmp(a, "--set") == 0) {
			if (c->n_sets == MAX_SETS)
				return usage_error(cmd, "too many '%s' options", a);
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
		else if (strcmp(a, "--episodes") == 0)
			slot = &c->episodes;
		else if (strcmp(a, "--every") == 0)
			slot = &c->every;
		else if (strcmp(a, "--size") == 0)
			slot = &c->size;
		else
			return usage_error(cmd, "unknown option '%s'", a);
		*slot = argv[++i];
	}
	if (c->resume && !c->config) {
		snprintf(c->resume_config, sizeof(c->resume_config),
			 "%s/config.yaml", c->resume);
		c->config = c->resume_config;
	}
	if (c->resume && c->out)
		return usage_error(cmd, "--resume DIR writes into DIR; drop '%s'",
				   "--out");
	if (!c->help && !c->config)
		return usage_error(cmd, "missing CONFIG%s", "");
	return 0;
}

/* Load CONFIG (translating EvoJAX's benchmark format), apply --smoke,
 * --set, --seed, --device (in that order), validate. */
static cfg_doc *load_experiment(cli *c, exp_cfg *e, ej_err *err)
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

static void default_out_dir(const char *config, char *buf, size_t size)
{
	const char *base = strrchr(config, '/');
	char stem[256], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	char *dot;

	snprintf(stem, sizeof(stem), "%s", base ? base + 1 : config);
	if ((dot = strrchr(stem, '.')))
		*dot = '\0';
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	snprintf(buf, size, "runs/%s-%s", stem, stamp);
}

static const char train_help[] =
	"usage: evojax train CONFIG [--set key.path=value]... [--seed N] [--out DIR]\n"
	"                    [--device SPEC] [--smoke] [--quiet] [--json]\n"
	"       evojax train --resume DIR [CONFIG] [--set key.path=value]...\n\n"
	"Train the experiment described by CONFIG (YAML).\n\n"
	"  --set k.p=v    override a config value (validated like the file)\n"
	"  --seed N       same as --set seed=N\n"
	"  --out DIR      run directory (default runs/<config>-<date>-<time>)\n"
	"  --device SPEC  auto | N | P:D | name substring (see 'evojax devices'),\n"
	"                 or several: all | gpu:* | cpu:* | a comma list (\"0,1\"):\n"
	"                 the population is split over them (device.weights)\n"
	"  --smoke        tiny run (4 iterations, population 8) to check a config\n"
	"  --quiet        no human log on stderr (metrics still go to stdout)\n"
	"  --json         JSON lines on stdout even when it is a terminal\n"
	"  --resume DIR   continue the run in DIR from its checkpoint.npz, with\n"
	"                 DIR/config.yaml unless CONFIG is given (e.g. raise\n"
	"                 trainer.max_iter with --set); bit-exact continuation\n\n"
	"stdout (a pipe or file, or with --json): one JSON object per logged\n"
	"iteration and test; on a terminal only the human log and progress line\n"
	"(stderr) show.  metrics.jsonl in the run directory has the JSON always.\n"
	"Writes config.yaml, log.txt, metrics.jsonl, iter_N.npz, best.npz,\n"
	"final.npz, checkpoint.npz and summary.json into the run directory.\n\n"
	"With MPI ('evojax --version' says 'built with MPI'): mpirun -np N evojax train ... splits\n"
	"each population over N ranks (the results do not depend on N); rank 0\n"
	"writes the run directory, every rank reads it for --resume; JSON lines on\n"
	"stdout only with --json (mpirun gives the ranks a terminal).\n";

/* A new run never writes into another run's directory: 'dir' must be
 * missing or empty (a run is continued with --resume). */
static int check_new_out_dir(const char *dir, ej_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool empty = true;

	if (!d)
		return 0;
	while (empty && (de = readdir(d)))
		empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
	closedir(d);
	if (empty)
		return 0;
	return ej_fail(err, EJ_EXIT_USAGE,
		       "'%s' exists and is not empty: continue that run with 'evojax train --resume %s', or choose another --out",
		       dir, dir);
}

/* One training job on this process: with MPI one rank of several. */
typedef struct train_job {
	cli c;
	exp_cfg e;
	cfg_doc *doc;
	clrt **rts;
	size_t n_rt;
	evaluator *ev;
	trainer *t;
	pbt *pb;
	ranks *rk;
	char out[4096];
	trainer_opts o;
} train_job;

/* Read only: the experiment, the run directory's name, --resume's check. */
static int train_config(train_job *j, ej_err *err)
{
	cli *c = &j->c;

	if (!(j->doc = load_experiment(c, &j->e, err)))
		return -1;
	if (c->resume)
		snprintf(j->out, sizeof(j->out), "%s", c->resume);
	else if (c->out)
		snprintf(j->out, sizeof(j->out), "%s", c->out);
	else
		default_out_dir(c->config, j->out, sizeof(j->out));
	if (!c->resume)
		return check_new_out_dir(j->out, err);
	return exp_check_resume(&j->e, j->out, err);
}

/* A probe trainer that writes nothing gives the population: refuse more
 * MPI ranks than members before the run directory exists. */
static int train_check_ranks(train_job *j, ej_err *err)
{
	trainer_opts none = { 0 };
	trainer *probe;
	size_t members;

	if (ranks_size(j->rk) == 1)
		return 0;
	if (!(probe = trainer_create(&j->e, j->ev, &none, err)))
		return -1;
	members = trainer_pop_size(probe) *
		  (size_t)(j->e.pbt.on ? j->e.pbt.workers : 1);
	trainer_free(probe);
	return ranks_check_members(j->rk, members, eval_granule(j->ev), err);
}

/* Devices, the evaluator (over the ranks), the trainer or PBT driver.
 * Rank 0 alone writes the run directory; the others read it to resume. */
static int train_open(train_job *j, ej_err *err)
{
	cli *c = &j->c;
	bool writer = ranks_rank(j->rk) == 0;
	trainer_opts *o = &j->o;
	evaluator *local;

	o->out_dir = writer ? j->out : NULL;
	o->read_dir = j->out;
	o->config_path = c->config;
	/* On a terminal the human log says it all; JSON for pipes, files and
	 * --json (metrics.jsonl has it regardless).  mpirun hands the ranks
	 * a terminal whatever its own stdout is: there only --json counts. */
	o->metrics_out = writer && (c->json || (ranks_size(j->rk) == 1 &&
						 !isatty(STDOUT_FILENO)))
				 ? stdout : NULL;
	o->log_out = writer && !c->quiet ? stderr : NULL;
	o->progress = writer && !c->quiet && isatty(STDERR_FILENO);
	ranks_watch_interrupt(j->rk, &interrupted);
	o->interrupted = ranks_interrupted(j->rk);
	o->resume = c->resume != NULL;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (clrt_create_set(j->e.device.spec, &j->rts, &j->n_rt, err) < 0 ||
	    !(local = split_create(&j->e, j->rts, j->n_rt, err)) ||
	    !(j->ev = ranks_eval(j->rk, local, err)) ||
	    train_check_ranks(j, err) < 0)
		return -1;
	if (j->e.pbt.on)
		return (j->pb = pbt_create(&j->e, j->ev, o, err)) ? 0 : -1;
	return (j->t = trainer_create(&j->e, j->ev, o, err)) ? 0 : -1;
}

static int train_run(train_job *j, ej_err *err)
{
	double best;
	int w;

	if (j->pb) {
		if (pbt_run(j->pb, err) < 0)
			return -1;
		if (j->o.log_out && (w = pbt_best_worker(j->pb, &best)) >= 0)
			fprintf(stderr, "results: %s (best worker %d, final test score %.2f)\n",
				j->out, w, best);
		return 0;
	}
	if (trainer_run(j->t, err) < 0)
		return -1;
	if (j->o.log_out)
		fprintf(stderr, "results: %s (final test score %.2f)\n", j->out,
			trainer_final_score(j->t));
	return 0;
}

/* All ranks agree on a phase's outcome; the lowest failing rank prints
 * its error.  Returns the exit code (0: every rank succeeded). */
static int train_agree(train_job *j, int failed, const ej_err *err)
{
	int me = ranks_rank(j->rk), who, code;
	ej_err aerr = { 0 };

	code = ranks_agree(j->rk, failed ? (err->code ? err->code : EJ_EXIT_RUN) : 0,
			   &who, &aerr);
	if (aerr.code)
		err = &aerr; /* the agreement itself failed on this rank */
	else if (who != me)
		return code;
	if (code && me > 0 && !aerr.code)
		fprintf(stderr, "evojax: error: MPI rank %d of %d: %s\n", me,
			ranks_size(j->rk), err->msg);
	else if (code)
		die(err);
	return code;
}

static void train_release(train_job *j)
{
	trainer_free(j->t);
	pbt_free(j->pb);
	eval_free(j->ev);
	clrt_free_set(j->rts, j->n_rt);
	if (j->doc)
		exp_release(&j->e);
	cfg_free(j->doc);
}

/* Seconds the ranks wait for each other at the end before the job is
 * aborted (one rank failed alone, e.g. rank 0 writing the run directory,
 * or one was lost). */
#define TRAIN_END_WAIT_S 30.0

static int cmd_train(int argc, char **argv)
{
	train_job j = { 0 };
	ej_err err = { 0 };
	int rc;

	if ((rc = parse_cli("train", argc, argv,
			    "--set --seed --out --device --smoke --quiet --json --resume",
			    &j.c)))
		return rc;
	if (j.c.help) {
		fputs(train_help, stdout);
		return 0;
	}
	if (!(j.rk = ranks_open(&err)))
		return die(&err);
	rc = train_agree(&j, train_config(&j, &err) < 0, &err);
	if (!rc)
		rc = train_agree(&j, train_open(&j, &err) < 0, &err);
	if (!rc && train_run(&j, &err) < 0) {
		/* a rank's own MPI failure is its news; the rest every rank
		 * shares, and rank 0 tells */
		if (ranks_rank(j.rk) == 0 || ranks_local_error(j.rk))
			rc = die(&err);
		else
			rc = err.code ? err.code : EJ_EXIT_RUN;
	}
	train_release(&j);
	if (ranks_wait_all(j.rk, TRAIN_END_WAIT_S) < 0) {
		fprintf(stderr,
			"evojax: error: MPI rank %d of %d: the other ranks did not finish within %.0f s (a rank failed alone or was lost); aborting the job\n",
			ranks_rank(j.rk), ranks_size(j.rk), TRAIN_END_WAIT_S);
		ranks_abort(j.rk, rc ? rc : EJ_EXIT_RUN);
	}
	ranks_close(j.rk);
	return rc;
}

static const char validate_help[] =
	"usage: evojax validate CONFIG [--set key.path=value]... [--seed N] [--device SPEC] [--smoke]\n\n"
	"Check CONFIG without running it and print the resolved configuration\n"
	"(defaults filled in, overrides applied) as YAML on stdout.  EvoJAX\n"
	"benchmark configs (es_name, problem_type, es_config, ...) are accepted\n"
	"by every command and shown here as their native translation.\n";

static int cmd_validate(int argc, char **argv)
{
	ej_err err = { 0 };
	exp_cfg e;
	cli c;
	cfg_doc *doc;
	int rc;

	if ((rc = parse_cli("validate", argc, argv,
			    "--set --seed --device --smoke", &c)))
		return rc;
	if (c.help) {
		fputs(validate_help, stdout);
		return 0;
	}
	if (!(doc = load_experiment(&c, &e, &err)))
		return die(&err);
	if (c.note[0])
		printf("# %s\n", c.note);
	exp_emit(stdout, &e);
	exp_release(&e);
	cfg_free(doc);
	return 0;
}

static const char test_help[] =
	"usage: evojax test CONFIG --params FILE.npz [--set key.path=value]... [--device SPEC] [--smoke]\n\n"
	"Evaluate saved parameters (an npz with 'params' and optionally\n"
	"'obs_params', e.g. best.npz) on trainer.n_evaluations test episodes and\n"
	"print one JSON line with the scores.\n";

/* Saved parameters must be numbers: NaN or inf is a corrupt file. */
static int check_finite(const char *path, const char *name, const float *x,
			size_t n, ej_err *err)
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
static int load_params(const char *path, size_t n, size_t n_obs,
		       float *params, double *obs, ej_err *err)
{
	npz_file *f = npz_read(path, err);
	float *tmp = NULL;
	int rc = -1;

	if (!f)
		return -1;
	if (npz_get_f32(f, "params", params, n, err) < 0 ||
	    check_finite(path, "params", params, n, err) < 0)
		goto out;
	if (npz_find(f, "obs_params") && n_obs > 0) {
		if (!(tmp = malloc(n_obs * sizeof(float)))) {
			ej_fail(err, EJ_EXIT_RUN, "out of memory");
			goto out;
		}
		if (npz_get_f32(f, "obs_params", tmp, n_obs, err) < 0 ||
		    check_finite(path, "obs_params", tmp, n_obs, err) < 0)
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

static int test_params(const exp_cfg *e, const char *path, clrt **rts,
		       size_t n_rt, ej_err *err)
{
	evaluator *ev = split_create(e, rts, n_rt, err);
	float *params = NULL;
	double *obs = NULL;
	test_stats s;
	int rc = -1;

	if (!ev)
		return -1;
	params = malloc(eval_param_count(ev) * sizeof(float));
	obs = calloc(eval_obs_params_size(ev) + 1, sizeof(double));
	if (!params || !obs) {
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
		goto out;
	}
	if (load_params(path, eval_param_count(ev), eval_obs_params_size(ev),
			params, obs, err) < 0 ||
	    eval_test(ev, params, obs, 0, &s, err) < 0)
		goto out;
	/* JSON has no nan or inf: a non-finite score is null. */
	{
		double v[4] = { s.max, s.avg, s.min, s.std };
		char t[4][32];

		for (int i = 0; i < 4; i++)
			snprintf(t[i], sizeof(t[i]), isfinite(v[i]) ? "%.9g" : "null",
				 v[i]);
		printf("{\"kind\": \"test\", \"params\": \"%s\", \"n\": %d, \"max\": %s, "
		       "\"avg\": %s, \"min\": %s, \"std\": %s}\n",
		       path, s.n, t[0], t[1], t[2], t[3]);
	}
	rc = 0;
out:
	free(params);
	free(obs);
	eval_free(ev);
	return rc;
}

static int cmd_test(int argc, char **argv)
{
	ej_err err = { 0 };
	exp_cfg e;
	cli c;
	cfg_doc *doc;
	clrt **rts = NULL;
	size_t n_rt = 0;
	int rc;

	if ((rc = parse_cli("test", argc, argv, "--set --device --params --seed --smoke",
			    &c)))
		return rc;
	if (c.help) {
		fputs(test_help, stdout);
		return 0;
	}
	if (!c.params)
		return usage_error("test", "missing --params FILE.npz%s", "");
	if (!(doc = load_experiment(&c, &e, &err)))
		return die(&err);
	rc = 0;
	if (clrt_create_set(e.device.spec, &rts, &n_rt, &err) < 0 ||
	    test_params(&e, c.params, rts, n_rt, &err) < 0)
		rc = die(&err);
	clrt_free_set(rts, n_rt);
	exp_release(&e);
	cfg_free(doc);
	return rc;
}

/* A whole number in [lo, hi] for 'flag'. */
static int parse_count(const char *cmd, const char *flag, const char *v,
		       long lo, long hi, int *out)
{
	char *end, msg[160];
	long x = strtol(v, &end, 10);

	if (*v && !*end && x >= lo && x <= hi) {
		*out = (int)x;
		return 0;
	}
	snprintf(msg, sizeof(msg), "%s must be a whole number from %ld to %ld, got '%%s'",
		 flag, lo, hi);
	return usage_error(cmd, msg, v);
}

/* --size WxH */
static int parse_size(const char *cmd, const char *v, int *w, int *h)
{
	char *end, *end2;
	long x = strtol(v, &end, 10), y = 0;

	if (end != v && (*end == 'x' || *end == 'X'))
		y = strtol(end + 1, &end2, 10);
	if (end == v || (*end != 'x' && *end != 'X') || end2 == end + 1 ||
	    *end2 || x < 1 || y < 1 || x > 100000 || y > 100000)
		return usage_error(cmd, "--size must be WIDTHxHEIGHT in pixels, got '%s'", v);
	*w = (int)x;
	*h = (int)y;
	return 0;
}

static const char render_help[] =
	"usage: evojax render CONFIG --params FILE.npz [--out episode.gif] [--episodes N]\n"
	"                     [--seed S] [--every K] [--size WxH] [--set key.path=value]... [--smoke]\n\n"
	"Draw test episodes of saved parameters (e.g. best.npz) as an animated GIF.\n"
	"The host reference of the task and the policy runs the evaluator's test\n"
	"episodes: episode k of seed S is test episode k of 'evojax test CONFIG\n"
	"--seed S' (test_n_repeats 1), and its return is printed, one JSON line per\n"
	"episode.  Tasks that can be drawn are marked [render] by 'evojax list'.\n\n"
	"  --out FILE     the GIF (default episode.gif)\n"
	"  --episodes N   episodes 0 .. N-1 (default 1)\n"
	"  --seed S       same as --set seed=S (the evaluator's seed)\n"
	"  --every K      draw every K-th step (default: real time at about 25 frames/s)\n"
	"  --size WxH     picture size (default: the task's, 480x260 for cartpole)\n";

static int render_params(const exp_cfg *e, const cli *c, render_opts *o,
			 const char *out, ej_err *err)
{
	size_t P, n_obs;
	float *params = NULL;
	double *obs = NULL, sum = 0.0;
	render_episode *eps = NULL;
	int rc = -1, frames = 0;

	if (episode_check(e, true, err) < 0)
		return -1;
	episode_sizes(e, &P, &n_obs);
	params = malloc(P * sizeof(float));
	obs = calloc(n_obs, sizeof(double));
	eps = calloc((size_t)o->episodes, sizeof(*eps));
	if (!params || !obs || !eps) {
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
		goto out;
	}
	if (load_params(c->params, P, n_obs, params, obs, err) < 0 ||
	    render_gif(e, params, obs, o, out, eps, err) < 0)
		goto out;
	for (int k = 0; k < o->episodes; k++) {
		printf("{\"kind\": \"render\", \"episode\": %d, \"seed\": %u, \"return\": %.9g, \"steps\": %d, \"frames\": %d}\n",
		       k, o->seed, eps[k].ret, eps[k].steps, eps[k].frames);
		sum += eps[k].ret;
		frames += eps[k].frames;
	}
	fprintf(stderr, "%s: %d episode%s, %d frames, every %d steps; mean return %.4f\n",
		out, o->episodes, o->episodes > 1 ? "s" : "", frames,
		render_every(e, o), sum / o->episodes);
	rc = 0;
out:
	free(params);
	free(obs);
	free(eps);
	return rc;
}

static int cmd_render(int argc, char **argv)
{
	ej_err err = { 0 };
	render_opts o = { .episodes = 1 };
	exp_cfg e;
	cli c;
	cfg_doc *doc;
	int rc;

	if ((rc = parse_cli("render", argc, argv,
			    "--set --seed --params --out --episodes --every --size --smoke",
			    &c)))
		return rc;
	if (c.help) {
		fputs(render_help, stdout);
		return 0;
	}
	if (!c.params)
		return usage_error("render", "missing --params FILE.npz%s", "");
	if ((c.episodes && (rc = parse_count("render", "--episodes", c.episodes,
					     1, 100000, &o.episodes))) ||
	    (c.every && (rc = parse_count("render", "--every", c.every, 1,
					  1000000, &o.every))) ||
	    (c.size && (rc = parse_size("render", c.size, &o.width, &o.height))))
		return rc;
	if (!(doc = load_experiment(&c, &e, &err)))
		return die(&err);
	o.seed = (unsigned)e.seed;
	if (render_params(&e, &c, &o, c.out ? c.out : "episode.gif", &err) < 0)
		rc = die(&err);
	render_release_fonts();
	exp_release(&e);
	cfg_free(doc);
	return rc;
}

static const char plot_help[] =
	"usage: evojax plot RUN_DIR... [--out curves.svg|curves.png] [--size WxH]\n\n"
	"Draw the learning curves of run directories (metrics.jsonl): per run the\n"
	"train fitness (mean, max and the min-max band of the population) and the\n"
	"test scores against iterations, one colour per run; a population-based\n"
	"training run gives one colour per worker, with its exploit events\n"
	"marked (pbt.jsonl).  The title comes from the runs' config.yaml.\n\n"
	"  --out FILE     curves.svg (default) or a .png: the same drawing\n"
	"  --size WxH     picture size (default 800x500)\n";

static int cmd_plot(int argc, char **argv)
{
	ej_err err = { 0 };
	const char *out = "curves.svg", **dirs;
	int n = 0, w = 800, h = 500, rc = 0;
	plot_data d;

	if (!(dirs = calloc((size_t)argc + 1, sizeof(*dirs))))
		return EJ_EXIT_RUN;
	for (int i = 0; i < argc && rc == 0; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(plot_help, stdout);
			free(dirs);
			return 0;
		}
		if (argv[i][0] != '-')
			dirs[n++] = argv[i];
		else if (strcmp(argv[i], "--out") && strcmp(argv[i], "--size"))
			rc = usage_error("plot", "unknown option '%s'", argv[i]);
		else if (i + 1 >= argc)
			rc = usage_error("plot", "option '%s' needs a value", argv[i]);
		else if (!strcmp(argv[i++], "--out"))
			out = argv[i];
		else
			rc = parse_size("plot", argv[i], &w, &h);
	}
	if (rc == 0 && n == 0)
		rc = usage_error("plot", "missing RUN_DIR%s", "");
	if (rc == 0) {
		if (plot_load(&d, dirs, (size_t)n, &err) < 0 ||
		    plot_write(&d, out, w, h, &err) < 0)
			rc = die(&err);
		else
			fprintf(stderr, "%s: %d run%s, %zu series\n", out, n,
				n > 1 ? "s" : "", d.n);
		plot_release(&d);
		render_release_fonts();
	}
	free(dirs);
	return rc;
}

static int cmd_list(int argc, char **argv)
{
	(void)argv;
	if (argc > 0) {
		puts("usage: evojax list\n\nList registered tasks, policies, algorithms and optimizers\nwith their config keys, types, defaults and bounds.");
		return argc == 1 && (strcmp(argv[0], "--help") == 0 ||
				     strcmp(argv[0], "-h") == 0)
			       ? 0
			       : EJ_EXIT_USAGE;
	}
	puts("tasks (section 'task'):");
	for (const task_ops *const *t = task_registry; *t; t++) {
		printf("  %s - %s%s\n", (*t)->name, (*t)->summary,
		       (*t)->host && (*t)->host->draw ? " [render]" : "");
		cfg_print_schema(stdout, 4, (*t)->fields, (*t)->n_fields);
	}
	puts("\npolicies (section 'policy'):");
	for (const policy_ops *const *p = policy_registry; *p; p++) {
		printf("  %s - %s\n", (*p)->name, (*p)->summary);
		cfg_print_schema(stdout, 4, (*p)->fields, (*p)->n_fields);
	}
	puts("\nalgorithms (section 'algo'):");
	for (const algo_ops *const *a = algo_registry; *a; a++) {
		printf("  %s - %s\n", (*a)->name, (*a)->summary);
		cfg_print_schema(stdout, 4, (*a)->fields, (*a)->n_fields);
	}
	puts("\noptimizers (section 'optimizer'):");
	for (const optim_info *o = optim_table; o->name; o++) {
		printf("  %s - %s\n", o->name, o->summary);
		cfg_print_schema(stdout, 4, o->fields, o->n_fields);
	}
	puts("\nschedules (section 'schedule', per hyperparameter, e.g. schedule: {center_lr: {profile: rex}}):");
	sched_print_help(stdout);
	puts("\ntrainer (section 'trainer'):");
	cfg_print_schema(stdout, 4, exp_trainer_fields, exp_n_trainer_fields);
	puts("\ndevice (section 'device'):");
	cfg_print_schema(stdout, 4, exp_device_fields, exp_n_device_fields);
	return 0;
}

static int cmd_devices(int argc, char **argv)
{
	ej_err err = { 0 };

	(void)argv;
	if (argc > 0) {
		puts("usage: evojax devices\n\nList OpenCL platforms and devices; use the index with --device.");
		return argc == 1 && (strcmp(argv[0], "--help") == 0 ||
				     strcmp(argv[0], "-h") == 0)
			       ? 0
			       : EJ_EXIT_USAGE;
	}
	if (clrt_list(stdout, &err) < 0)
		return die(&err);
	return 0;
}

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "train", cmd_train, "train an experiment from a YAML config" },
	{ "validate", cmd_validate, "check a config and print it resolved" },
	{ "test", cmd_test, "evaluate saved parameters on the test task" },
	{ "render", cmd_render, "draw test episodes of saved parameters as a GIF" },
	{ "plot", cmd_plot, "draw learning curves of run directories (SVG, PNG)" },
	{ "list", cmd_list, "registered tasks, policies, algorithms, optimizers" },
	{ "devices", cmd_devices, "OpenCL platforms and devices" },
};

static void main_help(FILE *f)
{
	fprintf(f, "usage: evojax [--version] [--help] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n'evojax COMMAND --help' describes a command.\n"
		   "exit codes: 0 ok, 1 run failed, 2 usage/config error, 3 device error, 130 interrupted\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		main_help(stderr);
		return EJ_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		main_help(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		char lib[128];

		printf("evojax %s\n", EVOJAX_VERSION);
		if (ranks_built(lib, sizeof(lib)))
			printf("built with MPI: %s\n", lib);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 2, argv + 2);
	fprintf(stderr, "evojax: '%s' is not a command; see 'evojax --help'\n",
		argv[1]);
	return EJ_EXIT_USAGE;
}
