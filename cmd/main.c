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
#include "cmd/cli.h"
#include "core/cfg.h"
#include "core/exp.h"
#include "core/jsonl.h"
#include "core/linalg.h"
#include "core/optim.h"
#include "core/pbt.h"
#include "core/ranks.h"
#include "core/sched.h"
#include "core/split.h"
#include "core/trainer.h"
#include "opencl/clrt.h"
#include "policies/policy.h"
#include "tasks/task.h"

#define EVOJAX_VERSION "0.1.0"

/* Set by the SIGINT/SIGTERM handler; the trainer polls it between
 * iterations.  A signal flag is the one piece of process state C offers
 * for this. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
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

	if (!(j->doc = cli_load_experiment(c, &j->e, err)))
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
		cli_die(err);
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

	if ((rc = cli_parse("train", argc, argv,
			    "--set --seed --out --device --smoke --quiet --json --resume",
			    &j.c)))
		return rc;
	if (j.c.help) {
		fputs(train_help, stdout);
		return 0;
	}
	if (!(j.rk = ranks_open(&err)))
		return cli_die(&err);
	rc = train_agree(&j, train_config(&j, &err) < 0, &err);
	if (!rc)
		rc = train_agree(&j, train_open(&j, &err) < 0, &err);
	if (!rc && train_run(&j, &err) < 0) {
		/* a rank's own MPI failure is its news; the rest every rank
		 * shares, and rank 0 tells */
		if (ranks_rank(j.rk) == 0 || ranks_local_error(j.rk))
			rc = cli_die(&err);
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

	if ((rc = cli_parse("validate", argc, argv,
			    "--set --seed --device --smoke", &c)))
		return rc;
	if (c.help) {
		fputs(validate_help, stdout);
		return 0;
	}
	if (!(doc = cli_load_experiment(&c, &e, &err)))
		return cli_die(&err);
	if (c.note[0])
		printf("# %s\n", c.note);
	exp_emit(stdout, &e);
	exp_release(&e);
	cfg_free(doc);
	return 0;
}

static const char test_help[] =
	"usage: evojax test CONFIG --params FILE.npz [--set key.path=value]... [--device SPEC] [--smoke]\n"
	"                   [--seed N] [--iter N] [--scores]\n\n"
	"Evaluate saved parameters (an npz with 'params' and optionally\n"
	"'obs_params', e.g. best.npz) on trainer.n_evaluations test episodes and\n"
	"print one JSON line with the scores: n, max, avg, min, std (over the\n"
	"episodes, 1/n); --scores adds \"scores\", every episode's return in\n"
	"order.  The episodes are those of a run's test at iteration --iter\n"
	"(default 0) with the same seed: a run's final test score is\n"
	"  evojax test RUN/config.yaml --params RUN/final.npz --iter MAX_ITER\n"
	"and iter_N.npz's is --iter N.\n";

/* A JSON number, or null for nan and inf (JSON has neither). */
static void test_number(double v)
{
	if (isfinite(v))
		printf("%.9g", v);
	else
		fputs("null", stdout);
}

static int test_params(const exp_cfg *e, const char *path, int iter,
		       bool scores, clrt **rts, size_t n_rt, ej_err *err)
{
	evaluator *ev = split_create(e, rts, n_rt, err);
	float *params = NULL;
	double *obs = NULL;
	const float *x;
	size_t n;
	char q[8192];
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
	if (cli_load_params(path, eval_param_count(ev), eval_obs_params_size(ev),
			params, obs, err) < 0 ||
	    eval_test_scores(ev, params, obs, (uint32_t)iter, &x, &n, err) < 0)
		goto out;
	eval_stats_of(x, n, &s);
	{
		static const char *const key[4] = { "max", "avg", "min", "std" };
		const double v[4] = { s.max, s.avg, s.min, s.std };

		printf("{\"kind\": \"test\", \"params\": %s, \"iter\": %d, "
		       "\"n\": %d", jsonl_quote(path, q, sizeof(q)), iter, s.n);
		for (int i = 0; i < 4; i++) {
			printf(", \"%s\": ", key[i]);
			test_number(v[i]);
		}
		if (scores) {
			fputs(", \"scores\": [", stdout);
			for (size_t i = 0; i < n; i++) {
				fputs(i ? ", " : "", stdout);
				test_number(x[i]);
			}
			putchar(']');
		}
		puts("}");
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
	int rc, iter = 0;

	if ((rc = cli_parse("test", argc, argv, "--set --device --params --seed --smoke --scores --iter",
			    &c)))
		return rc;
	if (c.help) {
		fputs(test_help, stdout);
		return 0;
	}
	if (!c.params)
		return cli_usage("test", "missing --params FILE.npz%s", "");
	if (c.iter && (rc = cli_parse_count("test", "--iter", c.iter, 0,
					    INT32_MAX, &iter)))
		return rc;
	if (!(doc = cli_load_experiment(&c, &e, &err)))
		return cli_die(&err);
	rc = 0;
	if (clrt_create_set(e.device.spec, &rts, &n_rt, &err) < 0 ||
	    test_params(&e, c.params, iter, c.scores, rts, n_rt, &err) < 0)
		rc = cli_die(&err);
	clrt_free_set(rts, n_rt);
	exp_release(&e);
	cfg_free(doc);
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
		return cli_die(&err);
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
	la_reexec_for_cpu(argv);
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
		la_describe(lib, sizeof(lib));
		printf("linear algebra: %s\n", lib);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 2, argv + 2);
	fprintf(stderr, "evojax: '%s' is not a command; see 'evojax --help'\n",
		argv[1]);
	return EJ_EXIT_USAGE;
}
