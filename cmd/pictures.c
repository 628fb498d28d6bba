/* pictures.c - `evojax render` (episodes as a GIF, core/render.h) and
 * `evojax plot` (learning curves as SVG or PNG, core/plot.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "core/episode.h"
#include "core/plot.h"
#include "core/render.h"

static const char render_help[] =
	"usage: evojax render CONFIG --params FILE.npz [--out episode.gif] [--episodes N]\n"
	"                     [--seed S] [--iter N] [--every K] [--size WxH] [--set key.path=value]...\n"
	"                     [--smoke]\n\n"
	"Draw test episodes of saved parameters (e.g. best.npz) as an animated GIF.\n"
	"The host reference of the task and the policy runs the evaluator's test\n"
	"episodes: episode k of seed S is test episode k of 'evojax test CONFIG\n"
	"--seed S --iter N --scores' (test_n_repeats 1), and its return is printed,\n"
	"one JSON line per episode.  Tasks that can be drawn are marked [render] by\n"
	"'evojax list'.\n\n"
	"  --out FILE     the GIF (default episode.gif)\n"
	"  --episodes N   episodes 0 .. N-1 (default 1)\n"
	"  --seed S       same as --set seed=S (the evaluator's seed)\n"
	"  --iter N       the episodes of a run's test at iteration N (default 0)\n"
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
	if (cli_load_params(c->params, P, n_obs, params, obs, err) < 0 ||
	    render_gif(e, params, obs, o, out, eps, err) < 0)
		goto out;
	for (int k = 0; k < o->episodes; k++) {
		printf("{\"kind\": \"render\", \"episode\": %d, \"seed\": %u, \"iter\": %u, \"return\": %.9g, \"steps\": %d, \"frames\": %d}\n",
		       k, o->seed, o->iter, eps[k].ret, eps[k].steps,
		       eps[k].frames);
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

int cmd_render(int argc, char **argv)
{
	ej_err err = { 0 };
	render_opts o = { .episodes = 1 };
	exp_cfg e;
	cli c;
	cfg_doc *doc;
	int rc, iter = 0;

	if ((rc = cli_parse("render", argc, argv,
			    "--set --seed --params --out --episodes --every --size --smoke --iter",
			    &c)))
		return rc;
	if (c.help) {
		fputs(render_help, stdout);
		return 0;
	}
	if (!c.params)
		return cli_usage("render", "missing --params FILE.npz%s", "");
	if ((c.episodes && (rc = cli_parse_count("render", "--episodes", c.episodes,
					     1, 100000, &o.episodes))) ||
	    (c.every && (rc = cli_parse_count("render", "--every", c.every, 1,
					  1000000, &o.every))) ||
	    (c.iter && (rc = cli_parse_count("render", "--iter", c.iter, 0,
					 INT32_MAX, &iter))) ||
	    (c.size && (rc = cli_parse_size("render", c.size, &o.width, &o.height))))
		return rc;
	if (!(doc = cli_load_experiment(&c, &e, &err)))
		return cli_die(&err);
	o.seed = (unsigned)e.seed;
	o.iter = (unsigned)iter;
	if (render_params(&e, &c, &o, c.out ? c.out : "episode.gif", &err) < 0)
		rc = cli_die(&err);
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

int cmd_plot(int argc, char **argv)
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
			rc = cli_usage("plot", "unknown option '%s'", argv[i]);
		else if (i + 1 >= argc)
			rc = cli_usage("plot", "option '%s' needs a value", argv[i]);
		else if (!strcmp(argv[i++], "--out"))
			out = argv[i];
		else
			rc = cli_parse_size("plot", argv[i], &w, &h);
	}
	if (rc == 0 && n == 0)
		rc = cli_usage("plot", "missing RUN_DIR%s", "");
	if (rc == 0) {
		if (plot_load(&d, dirs, (size_t)n, &err) < 0 ||
		    plot_write(&d, out, w, h, &err) < 0)
			rc = cli_die(&err);
		else
			fprintf(stderr, "%s: %d run%s, %zu series\n", out, n,
				n > 1 ? "s" : "", d.n);
		plot_release(&d);
		render_release_fonts();
	}
	free(dirs);
	return rc;
}
