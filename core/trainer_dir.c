/* trainer_dir.c - the trainer's run directory: config.yaml, log.txt,
 * metrics.jsonl, iter_N/best/final.npz, checkpoint.npz, summary.json
 * (core/trainer.h).  Everything here writes atomically or appends. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "core/jsonl.h"
#include "core/npz.h"
#include "core/trainer_int.h"

void tr_path(const trainer *t, char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", t->dir, name);
}

/* A human log line: log.txt always, log_out unless a progress line owns
 * the terminal (then it is printed above the progress line). */
void tr_log(trainer *t, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (t->log_txt) {
		fprintf(t->log_txt, "%s\n", line);
		fflush(t->log_txt);
	}
	if (t->o.log_out) {
		fprintf(t->o.log_out, "%s%s\n", t->o.progress ? "\r\033[K" : "",
			line);
		fflush(t->o.log_out);
	}
}

/* One machine-readable JSON line to metrics.jsonl and metrics_out.  Only
 * deterministic values: two runs with one seed give identical files. */
void tr_metric(trainer *t, const char *json)
{
	FILE *sinks[3] = { t->metrics, t->o.metrics_out, t->o.metrics_copy };
	char tagged[1200];

	/* A worker's lines say whose they are: {"worker": 3, "kind": ...}. */
	if (t->o.is_worker && json[0] == '{') {
		snprintf(tagged, sizeof(tagged), "{\"worker\": %d, %s",
			 t->o.worker, json + 1);
		json = tagged;
	}
	for (int i = 0; i < 3; i++)
		if (sinks[i]) {
			fprintf(sinks[i], "%s\n", json);
			fflush(sinks[i]);
		}
}

/* Keep the metrics lines of iterations before 'iter' (and no final test):
 * what a resumed run would otherwise write twice. */
int trainer_trim_jsonl(const char *path, long iter, ej_err *err)
{
	char *text, *line, *save = NULL, *out;
	size_t len, n = 0;
	int rc;

	if (fio_read_all(path, &text, &len, err) < 0)
		return -1;
	if (!(out = malloc(len + 1))) {
		free(text);
		return ej_fail(err, EJ_EXIT_RUN, "out of memory");
	}
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *it = strstr(line, "\"iter\": ");

		if (!it || strtol(it + 8, NULL, 10) >= iter ||
		    strstr(line, "\"final\": true"))
			continue;
		n += (size_t)sprintf(out + n, "%s\n", line);
	}
	rc = fio_write_atomic(path, out, n, err);
	free(text);
	free(out);
	return rc;
}

int tr_open_dir(trainer *t, ej_err *err)
{
	const char *mode = t->o.resume ? "a" : "w";
	char p[4200];
	FILE *f;

	if (fio_mkdirs(t->dir, err) < 0)
		return -1;
	tr_path(t, p, sizeof(p), "config.yaml");
	if (!(f = fopen(p, "w")))
		return ej_fail(err, EJ_EXIT_RUN, "cannot write '%s': %s", p,
			       strerror(errno));
	exp_emit(f, t->e);
	if (fclose(f) != 0)
		return ej_fail(err, EJ_EXIT_RUN, "cannot write '%s': %s", p,
			       strerror(errno));
	tr_path(t, p, sizeof(p), "log.txt");
	if (!(t->log_txt = fopen(p, mode)))
		return ej_fail(err, EJ_EXIT_RUN, "cannot write '%s': %s", p,
			       strerror(errno));
	tr_path(t, p, sizeof(p), "metrics.jsonl");
	if (t->o.resume && trainer_trim_jsonl(p, t->iter_done, err) < 0)
		return -1;
	if (!(t->metrics = fopen(p, mode)))
		return ej_fail(err, EJ_EXIT_RUN, "cannot write '%s': %s", p,
			       strerror(errno));
	return 0;
}

static int tr_scalar(const npz_file *f, const char *name, enum npz_dtype dt,
		     void *dst, size_t size, ej_err *err)
{
	const npz_array *a = npz_find(f, name);

	if (!a || a->dtype != dt || npz_count(a) != 1)
		return ej_fail(err, EJ_EXIT_RUN, "missing or malformed '%s'",
			       name);
	memcpy(dst, a->data, size);
	return 0;
}

/* Load checkpoint.npz into the algorithm, the trainer and the normalizer. */
/* The trainer_hp_<key> scalars: hyperparameters set during the run. */
static int tr_load_hparams(trainer *t, const npz_file *f, ej_err *err)
{
	size_t plen = strlen(TR_HP_PREFIX);

	for (size_t i = 0; i < npz_size(f); i++) {
		const npz_array *a = npz_at(f, i);
		const char *key = a->name + plen;
		double v;

		if (strncmp(a->name, TR_HP_PREFIX, plen))
			continue;
		if (a->dtype != NPZ_F64 || npz_count(a) != 1)
			return ej_fail(err, EJ_EXIT_RUN,
				       "'%s' must be one float64", a->name);
		memcpy(&v, a->data, sizeof(v));
		if (trainer_set_hparam(t, key, v, err) < 0)
			return ej_prefix(err, "'%s': ", a->name);
	}
	return 0;
}

/* timing.json beside checkpoint.npz: the run's seconds so far (wall, in
 * evaluations, in kernels), so summary.json counts every session of a
 * resumed run.  Kept out of checkpoint.npz, which stays deterministic. */
static int tr_save_timing(trainer *t, ej_err *err)
{
	char buf[256], p[4200];
	int n = snprintf(buf, sizeof(buf),
			 "{\"wall_s\": %.6f, \"rollout_s\": %.6f, \"kernel_s\": %.6f}\n",
			 t->wall_before + eval_now() - t->t_start, t->rollout_s,
			 t->kernel_s);

	tr_path(t, p, sizeof(p), "timing.json");
	return fio_write_atomic(p, buf, (size_t)n, err);
}

/* Missing or unreadable: the earlier sessions count as 0 s. */
static void tr_load_timing(trainer *t)
{
	char p[4200], *text = NULL;
	double w, r, k;
	size_t len;
	ej_err err = { 0 };

	tr_path(t, p, sizeof(p), "timing.json");
	if (fio_read_all(p, &text, &len, &err) == 0 &&
	    sscanf(text, "{\"wall_s\": %lf, \"rollout_s\": %lf, \"kernel_s\": %lf",
		   &w, &r, &k) == 3 && w >= 0 && r >= 0 && k >= 0 &&
	    isfinite(w + r + k)) {
		t->wall_before = w;
		t->rollout_s = r;
		t->kernel_s = k;
	}
	free(text);
}

int tr_load_checkpoint(trainer *t, ej_err *err)
{
	size_t no = t->n_obs;
	const npz_array *obs, *steps;
	int64_t iter, best_iter;
	double best;
	char p[4200];
	npz_file *f;
	int rc = -1;

	tr_path(t, p, sizeof(p), "checkpoint.npz");
	if (!(f = npz_read(p, err)))
		return ej_prefix(err, "cannot resume from '%s': ", p);
	obs = npz_find(f, "trainer_obs_params");
	if (tr_scalar(f, "trainer_iter", NPZ_I64, &iter, sizeof(iter), err) < 0 ||
	    tr_scalar(f, "trainer_best_iter", NPZ_I64, &best_iter,
		      sizeof(best_iter), err) < 0 ||
	    tr_scalar(f, "trainer_best_score", NPZ_F64, &best, sizeof(best),
		      err) < 0)
		goto out;
	if (!obs || obs->dtype != NPZ_F64 || npz_count(obs) != no) {
		ej_fail(err, EJ_EXIT_RUN, "missing or malformed 'trainer_obs_params'");
		goto out;
	}
	if (t->e->algo->load(t->algo, f, err) < 0)
		goto out;
	for (int i = 0; i < t->e->n_sched; i++) {
		char prefix[96];

		snprintf(prefix, sizeof(prefix), "sched_%s_", t->e->sched[i].hparam);
		if (sched_load(&t->sched[i], prefix, f, err) < 0)
			goto out;
	}
	/* Counters from a file are data: check them before they steer. */
	if (iter < 0 || iter > 1000000000 || best_iter < -1 ||
	    best_iter > iter || isnan(best)) {
		ej_fail(err, EJ_EXIT_RUN,
			"malformed counters: trainer_iter %lld, trainer_best_iter %lld",
			(long long)iter, (long long)best_iter);
		goto out;
	}
	if (iter > t->e->trainer.max_iter) {
		ej_fail(err, EJ_EXIT_USAGE,
			"the run has done %lld iterations, more than trainer.max_iter %d: resume with --set trainer.max_iter=N, N >= %lld",
			(long long)iter, t->e->trainer.max_iter, (long long)iter);
		goto out;
	}
	if (tr_load_hparams(t, f, err) < 0)
		goto out;
	steps = npz_find(f, "trainer_env_steps"); /* absent in older files */
	if (steps && (steps->dtype != NPZ_F64 || npz_count(steps) != 1 ||
		      !(*(const double *)steps->data >= 0))) {
		ej_fail(err, EJ_EXIT_RUN, "malformed 'trainer_env_steps'");
		goto out;
	}
	t->env_steps = steps ? *(const double *)steps->data : 0.0;
	tr_load_timing(t);
	memcpy(t->obs_params, obs->data, no * sizeof(double));
	t->iter_done = (long)iter;
	t->best_iter = (long)best_iter;
	t->best_score = best;
	t->has_best = isfinite(best);
	rc = 0;
out:
	if (rc < 0)
		ej_prefix(err, "cannot resume from '%s': ", p);
	npz_free(f);
	return rc;
}

/* npz with keys params (P) and obs_params (1 + 2 obs, float32), as
 * EvoJAX saves. */
int tr_save_params(trainer *t, const char *name, const float *params,
			  ej_err *err)
{
	size_t no = t->n_obs;
	float *obs = malloc((no + 1) * sizeof(float));
	char p[4200];
	npz_array a[2] = {
		{ .name = "params", .dtype = NPZ_F32, .ndim = 1,
		  .shape = { t->P }, .data = params },
		{ .name = "obs_params", .dtype = NPZ_F32, .ndim = 1,
		  .shape = { no }, .data = obs },
	};
	int rc;

	if (!obs)
		return ej_fail(err, EJ_EXIT_RUN, "out of memory");
	for (size_t i = 0; i < no; i++)
		obs[i] = (float)t->obs_params[i];
	obs[no] = 0.0f; /* direct tasks: an empty obs_params array */
	tr_path(t, p, sizeof(p), name);
	rc = npz_write(p, a, 2, err);
	free(obs);
	return rc;
}

/* checkpoint.npz: everything needed to resume bit-exactly. */
int tr_checkpoint(trainer *t, ej_err *err)
{
	npz_array a[ALGO_STATE_MAX + 5 + 3 * EXP_MAX_SCHED + TR_MAX_HP];
	char names[ALGO_STATE_MAX + 3 * EXP_MAX_SCHED][64], tnames[5][64];
	double steps = t->env_steps; /* deterministic: the file stays so */
	char hnames[TR_MAX_HP][64];
	char prefix[96];
	char p[4200];
	int64_t iter = t->iter_done, best_iter = t->best_iter;
	double best = t->best_score;
	size_t n, n_algo;

	if (!t->o.out_dir)
		return 0;
	n = n_algo = t->e->algo->state(t->algo, a, ALGO_STATE_MAX, names);
	if (n == 0)
		return ej_fail(err, EJ_EXIT_RUN, "algorithm state too large to save");
	npz_describe(&a[n++], tnames[0], "", "trainer_iter", NPZ_I64, 0, &iter);
	npz_describe(&a[n++], tnames[1], "", "trainer_best_iter", NPZ_I64, 0,
		     &best_iter);
	npz_describe(&a[n++], tnames[2], "", "trainer_best_score", NPZ_F64, 0,
		     &best);
	npz_describe(&a[n], tnames[3], "", "trainer_obs_params", NPZ_F64,
		     t->n_obs, t->obs_params);
	a[n].ndim = 1; /* (0,) for direct tasks, not a scalar */
	n++;
	npz_describe(&a[n++], tnames[4], "", "trainer_env_steps", NPZ_F64, 0,
		     &steps);
	for (int i = 0; i < t->e->n_sched; i++) {
		size_t k = n_algo + 3 * (size_t)i; /* names[] after the algo's */

		snprintf(prefix, sizeof(prefix), "sched_%s_", t->e->sched[i].hparam);
		n += sched_state(&t->sched[i], prefix, a + n,
				 ALGO_STATE_MAX + 5 + 3 * EXP_MAX_SCHED - n,
				 names + k);
	}
	/* Hyperparameters set during the run (PBT's explore), if any. */
	for (int i = 0; i < t->n_hp; i++)
		npz_describe(&a[n++], hnames[i], TR_HP_PREFIX, t->hp[i].key,
			     NPZ_F64, 0, &t->hp[i].value);
	tr_path(t, p, sizeof(p), "checkpoint.npz");
	if (npz_write(p, a, n, err) < 0)
		return -1;
	return tr_save_timing(t, err);
}

void tr_progress(trainer *t, long iter, const test_stats *fit)
{
	double now = eval_now(), el = now - t->t_start;
	long max_iter = t->e->trainer.max_iter;
	double ips = (double)(iter + 1 - t->iter_start) / (el > 0 ? el : 1e-9);
	double eta = (double)(max_iter - iter - 1) / (ips > 0 ? ips : 1e-9);
	char best[32];

	if (!t->o.progress || !t->o.log_out ||
	    (now - t->last_progress < 0.1 && iter + 1 < max_iter))
		return;
	t->last_progress = now;
	if (t->has_best)
		snprintf(best, sizeof(best), "%.2f", t->best_score);
	else
		snprintf(best, sizeof(best), "-");
	fprintf(t->o.log_out,
		"\r\033[K[%ld/%ld] fitness max %.2f avg %.2f | best test %s | %.2f it/s | ETA %dm%02ds",
		iter + 1, max_iter, fit->max, fit->avg, best, ips,
		(int)(eta / 60), (int)eta % 60);
	fflush(t->o.log_out);
}

int tr_summary(trainer *t, double wall, ej_err *err)
{
	const trainer_cfg *c = &t->e->trainer;
	char buf[12288], p[4200], cfg[8192], dev[512];
	double episodes = (double)t->iter_done * (double)t->pop * c->n_repeats;
	int n;

	n = snprintf(buf, sizeof(buf),
		     "{\n  \"config\": %s,\n  \"task\": \"%s\",\n  \"policy\": \"%s\",\n"
		     "  \"algo\": \"%s\",\n  \"seed\": %d,\n  \"iterations\": %ld,\n"
		     "  \"pop_size\": %zu,\n  \"param_count\": %zu,\n"
		     "  \"final_test_score\": %.9g,\n  \"best_test_score\": %.9g,\n"
		     "  \"best_iter\": %ld,\n  \"wall_time_s\": %.3f,\n"
		     "  \"rollout_time_s\": %.3f,\n  \"iter_per_s\": %.4f,\n"
		     "  \"episodes_per_s\": %.2f,\n  \"env_steps\": %.0f,\n"
		     "  \"env_steps_per_s\": %.0f,\n  \"comm_time_s\": %.3f,\n"
		     "  \"comm_bytes\": %.0f,\n  \"device\": %s,\n  \"lanes\": %d\n}\n",
		     jsonl_quote(t->o.config_path ? t->o.config_path : "", cfg,
				 sizeof(cfg)),
		     t->e->task->name,
		     t->e->policy ? t->e->policy->name : "none",
		     t->e->algo->name, t->e->seed,
		     t->iter_done, t->pop, t->P, t->final_score, t->best_score,
		     t->best_iter, wall, t->rollout_s,
		     (double)t->iter_done / (wall > 0 ? wall : 1e-9),
		     episodes / (t->rollout_s > 0 ? t->rollout_s : 1e-9),
		     t->env_steps,
		     t->env_steps / (t->rollout_s > 0 ? t->rollout_s : 1e-9),
		     t->comm_s, t->comm_bytes,
		     jsonl_quote(eval_device_name(t->ev), dev, sizeof(dev)),
		     eval_lanes(t->ev));
	if (n < 0 || (size_t)n >= sizeof(buf))
		return ej_fail(err, EJ_EXIT_RUN, "summary.json: too long");
	tr_path(t, p, sizeof(p), "summary.json");
	return fio_write_atomic(p, buf, (size_t)n, err);
}
