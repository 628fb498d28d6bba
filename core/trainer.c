#include "core/trainer.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/direct.h"
#include "core/fileio.h"
#include "core/idx.h"
#include "core/npz.h"
#include "core/s2s.h"
#include "core/superv.h"
#include "policies/mlp.h"
#include "tasks/mnist.h"
#include "opencl/philox.h"

#define TR_MAX_BD 16 /* most behaviour descriptor dimensions */

struct trainer {
	const exp_cfg *e;          /* borrowed */
	clrt *rt;                  /* borrowed */
	trainer_opts o;
	sim *sim;                  /* episodic tasks */
	direct *direct;            /* direct tasks */
	superv *superv;            /* supervised tasks (exactly one of the 4) */
	s2s *s2s;                  /* seq2seq tasks */
	idx_set train_set, test_set; /* supervised data, kept for the run */
	float *bd;                 /* (pop, n_bd) behaviour descriptors */
	noisedev *nd;              /* algorithm noise on the device, or NULL */
	void *algo;                /* e->algo state */
	size_t pop, P;
	float *params;             /* (pop, P) */
	float *returns;            /* (max(pop * n_repeats, n_test_episodes)) */
	float *fitness;            /* (pop) */
	FILE *log_txt, *metrics;   /* run directory files, NULL without out_dir */
	char dir[4096];
	double t_start, rollout_s, kernel_s, env_steps, last_progress;
	long iter_done;
	double best_score, final_score;
	long best_iter;
	bool has_best;
	sched sched[EXP_MAX_SCHED]; /* one per e->sched[] */
};

static size_t tr_obs_size(const trainer *t)
{
	return t->sim ? sim_obs_params_size(t->sim) : 0;
}

static double tr_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void tr_path(const trainer *t, char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", t->dir, name);
}

/* A human log line: log.txt always, log_out unless a progress line owns
 * the terminal (then it is printed above the progress line). */
static void tr_log(trainer *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void tr_log(trainer *t, const char *fmt, ...)
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
static void tr_metric(trainer *t, const char *json)
{
	if (t->metrics) {
		fprintf(t->metrics, "%s\n", json);
		fflush(t->metrics);
	}
	if (t->o.metrics_out) {
		fprintf(t->o.metrics_out, "%s\n", json);
		fflush(t->o.metrics_out);
	}
}

static void tr_stats(const float *x, size_t n, test_stats *s)
{
	double sum = 0.0, sq = 0.0;

	s->n = (int)n;
	s->max = -INFINITY;
	s->min = INFINITY;
	for (size_t i = 0; i < n; i++) {
		sum += x[i];
		s->max = fmax(s->max, x[i]);
		s->min = fmin(s->min, x[i]);
	}
	s->avg = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		sq += (x[i] - s->avg) * (x[i] - s->avg);
	s->std = sqrt(sq / (double)n);
}

/* Keep the metrics lines of iterations before 'iter' (and no final test):
 * what a resumed run would otherwise write twice. */
static int tr_trim_metrics(const char *path, long iter, ej_err *err)
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

static int tr_open_dir(trainer *t, ej_err *err)
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
	if (t->o.resume && tr_trim_metrics(p, t->iter_done, err) < 0)
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
static int tr_load_checkpoint(trainer *t, ej_err *err)
{
	size_t no = tr_obs_size(t);
	const npz_array *obs;
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
	if (t->sim)
		sim_set_obs_params(t->sim, obs->data);
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

/* Load the IDX train/test sets and upload them once (core/superv.h). */
static int tr_open_supervised(trainer *t, clrt *rt, ej_err *err)
{
	const mnist_cfg *c = t->e->task_cfg;

	if (idx_load_pair(c->data_dir, c->train_split, &t->train_set, err) < 0 ||
	    idx_load_pair(c->data_dir, c->test_split, &t->test_set, err) < 0)
		return -1;
	if (t->test_set.rows != t->train_set.rows ||
	    t->test_set.cols != t->train_set.cols)
		return ej_fail(err, EJ_EXIT_RUN,
			       "'%s' holds %zux%zu images but '%s' holds %zux%zu",
			       t->test_set.images_path, t->test_set.rows,
			       t->test_set.cols, t->train_set.images_path,
			       t->train_set.rows, t->train_set.cols);
	if ((size_t)c->batch_size > t->train_set.n)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'batch_size' %d is larger than the training set (%zu images)",
			       c->batch_size, t->train_set.n);
	t->superv = superv_create_policy(rt, &t->train_set, &t->test_set,
					 t->e->policy, t->e->policy_cfg,
					 (size_t)c->batch_size,
					 (uint32_t)t->e->seed, err);
	return t->superv ? 0 : -1;
}

trainer *trainer_create(const exp_cfg *e, clrt *rt, const trainer_opts *o,
			ej_err *err)
{
	trainer *t = calloc(1, sizeof(*t));
	float bd_lo[TR_MAX_BD], bd_hi[TR_MAX_BD];
	algo_env env;
	size_t n_ret;

	if (!t) {
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
		return NULL;
	}
	t->e = e;
	t->rt = rt;
	t->o = *o;
	t->best_score = -INFINITY;
	if (o->out_dir)
		snprintf(t->dir, sizeof(t->dir), "%s", o->out_dir);
	memset(&env, 0, sizeof(env));
	if (e->task->kind == TASK_SEQ2SEQ) {
		if (e->policy != &seq2seq_policy_ops) {
			ej_fail(err, EJ_EXIT_USAGE, "task '%s' needs policy 'seq2seq', got '%s'",
				e->task->name, e->policy->name);
			goto fail;
		}
		if (!(t->s2s = s2s_create(rt, e->task_cfg, e->policy_cfg,
					  e->device.lanes, (uint32_t)e->seed,
					  err)))
			goto fail;
		t->P = s2s_param_count(t->s2s);
	} else if (e->task->kind == TASK_SUPERVISED) {
		if (tr_open_supervised(t, rt, err) < 0)
			goto fail;
		t->P = superv_param_count(t->superv);
	} else if (e->task->kind == TASK_DIRECT) {
		if (!(t->direct = direct_create(rt, e->task, e->task_cfg, err)))
			goto fail;
		t->P = direct_param_count(t->direct);
		env.n_bd = e->task->n_bd;
		if (env.n_bd > 0) {
			e->task->bd_bounds(e->task_cfg, bd_lo, bd_hi);
			env.bd_lo = bd_lo;
			env.bd_hi = bd_hi;
		}
	} else {
		t->sim = sim_create(rt, e->task, e->task_cfg, e->policy,
				    e->policy_cfg, e->device.lanes,
				    e->trainer.normalize_obs, err);
		if (!t->sim)
			goto fail;
		t->P = sim_param_count(t->sim);
	}
	env.param_size = t->P;
	env.seed = (uint32_t)e->seed;
	env.optim = &e->optim;
	if (nd_create(rt, e->device.noise, &t->nd, err) < 0)
		goto fail;
	env.noise_dev = t->nd;
	if (e->algo->create(&t->algo, e->algo_cfg, &env, err) < 0)
		goto fail;
	for (int i = 0; i < e->n_sched; i++)
		sched_init(&t->sched[i], &e->sched[i].cfg, e->trainer.max_iter);
	if (o->resume && tr_load_checkpoint(t, err) < 0)
		goto fail;
	if (o->out_dir && tr_open_dir(t, err) < 0)
		goto fail;
	t->pop = e->algo->pop_size(t->algo);
	n_ret = t->pop * (size_t)e->trainer.n_repeats;
	if (n_ret < (size_t)e->trainer.n_evaluations * e->trainer.test_n_repeats)
		n_ret = (size_t)e->trainer.n_evaluations * e->trainer.test_n_repeats;
	if (e->task->n_bd > TR_MAX_BD) {
		ej_fail(err, EJ_EXIT_USAGE, "task '%s' has %d behaviour descriptors, at most %d are supported",
			e->task->name, e->task->n_bd, TR_MAX_BD);
		goto fail;
	}
	if (e->task->n_bd > 0 &&
	    !(t->bd = malloc(t->pop * (size_t)e->task->n_bd * sizeof(float)))) {
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
		goto fail;
	}
	t->params = malloc(t->pop * t->P * sizeof(float));
	t->returns = malloc(n_ret * sizeof(float));
	t->fitness = malloc(t->pop * sizeof(float));
	if (!t->params || !t->returns || !t->fitness) {
		ej_fail(err, EJ_EXIT_RUN,
			"out of memory: the population needs %.1f GiB of host memory (%zu members x %zu parameters)",
			(double)t->pop * (double)t->P * 4.0 / (1 << 30), t->pop,
			t->P);
		goto fail;
	}
	return t;
fail:
	trainer_free(t);
	return NULL;
}

void trainer_free(trainer *t)
{
	if (!t)
		return;
	if (t->algo)
		t->e->algo->free(t->algo);
	sim_free(t->sim);
	direct_free(t->direct);
	superv_free(t->superv);
	s2s_free(t->s2s);
	idx_free(&t->train_set);
	idx_free(&t->test_set);
	nd_free(t->nd);
	free(t->bd);
	if (t->log_txt)
		fclose(t->log_txt);
	if (t->metrics)
		fclose(t->metrics);
	free(t->params);
	free(t->returns);
	free(t->fitness);
	free(t);
}

size_t trainer_param_count(const trainer *t) { return t->P; }
double trainer_env_steps(const trainer *t) { return t->env_steps; }

void trainer_timing(const trainer *t, double *wall, double *rollout,
		    double *kernel)
{
	*wall = tr_now() - t->t_start;
	*rollout = t->rollout_s;
	*kernel = t->kernel_s;
}
size_t trainer_obs_params_size(const trainer *t) { return tr_obs_size(t); }
double trainer_final_score(const trainer *t) { return t->final_score; }
double trainer_best_score(const trainer *t) { return t->best_score; }
const char *trainer_out_dir(const trainer *t) { return t->dir; }

int trainer_test(trainer *t, const float *params, const double *obs_params,
		 unsigned iter, test_stats *out, ej_err *err)
{
	const trainer_cfg *c = &t->e->trainer;
	size_t n_eval = (size_t)c->n_evaluations, rep = (size_t)c->test_n_repeats;

	if (t->s2s) {
		double acc;

		if (s2s_test_accuracy(t->s2s, params, &acc, err) < 0)
			return -1;
		t->returns[0] = (float)acc;
		tr_stats(t->returns, 1, out);
		return 0;
	}
	if (t->superv) {
		double acc;

		if (superv_test_accuracy(t->superv, params, &acc, err) < 0)
			return -1;
		t->returns[0] = (float)acc;
		tr_stats(t->returns, 1, out);
		return 0;
	}
	if (t->direct) {
		/* Deterministic: one evaluation is the test. */
		if (direct_eval(t->direct, params, 1, t->returns, NULL, err) < 0)
			return -1;
		tr_stats(t->returns, 1, out);
		return 0;
	}
	if (obs_params)
		sim_set_obs_params(t->sim, obs_params);
	if (sim_rollout(t->sim, params, 1, (uint32_t)t->e->seed,
			PH_PURPOSE_TEST_RESET, iter, 0, n_eval * rep, false,
			t->returns, err) < 0)
		return -1;
	/* Average the repeats of each evaluation (EvoJAX test_n_repeats). */
	for (size_t i = 0; i < n_eval; i++) {
		double s = 0.0;

		for (size_t r = 0; r < rep; r++)
			s += t->returns[i * rep + r];
		t->returns[i] = (float)(s / (double)rep);
	}
	tr_stats(t->returns, n_eval, out);
	return 0;
}

/* npz with keys params (P) and obs_params (1 + 2 obs), as EvoJAX saves. */
static int tr_save_params(trainer *t, const char *name, const float *params,
			  ej_err *err)
{
	size_t no = tr_obs_size(t);
	float obs[1 + 2 * 256];
	char p[4200];
	npz_array a[2] = {
		{ .name = "params", .dtype = NPZ_F32, .ndim = 1,
		  .shape = { t->P }, .data = params },
		{ .name = "obs_params", .dtype = NPZ_F32, .ndim = 1,
		  .shape = { no }, .data = obs },
	};

	if (no > sizeof(obs) / sizeof(obs[0]))
		return ej_fail(err, EJ_EXIT_RUN, "observation too large to save");
	for (size_t i = 0; i < no; i++)
		obs[i] = (float)sim_obs_params(t->sim)[i];
	if (no == 0)
		obs[0] = 0.0f; /* direct tasks: an empty obs_params array */
	tr_path(t, p, sizeof(p), name);
	return npz_write(p, a, 2, err);
}

/* checkpoint.npz: everything needed to resume bit-exactly. */
static int tr_checkpoint(trainer *t, ej_err *err)
{
	npz_array a[ALGO_STATE_MAX + 4 + 3 * EXP_MAX_SCHED];
	char names[ALGO_STATE_MAX + 3 * EXP_MAX_SCHED][64], tnames[4][64];
	char prefix[96];
	char p[4200];
	int64_t iter = t->iter_done, best_iter = t->best_iter;
	double best = t->best_score;
	static const double no_obs = 0.0; /* direct tasks: an empty array */
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
		     tr_obs_size(t), t->sim ? sim_obs_params(t->sim) : &no_obs);
	a[n].ndim = 1; /* (0,) for direct tasks, not a scalar */
	n++;
	for (int i = 0; i < t->e->n_sched; i++) {
		size_t k = n_algo + 3 * (size_t)i; /* names[] after the algo's */

		snprintf(prefix, sizeof(prefix), "sched_%s_", t->e->sched[i].hparam);
		n += sched_state(&t->sched[i], prefix, a + n,
				 ALGO_STATE_MAX + 4 + 3 * EXP_MAX_SCHED - n,
				 names + k);
	}
	tr_path(t, p, sizeof(p), "checkpoint.npz");
	return npz_write(p, a, n, err);
}

static void tr_progress(trainer *t, long iter, const test_stats *fit)
{
	double now = tr_now(), el = now - t->t_start;
	long max_iter = t->e->trainer.max_iter;
	double ips = (double)(iter + 1) / (el > 0 ? el : 1e-9);
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

static int tr_test_and_save(trainer *t, long iter, bool final, ej_err *err)
{
	const float *best = t->e->algo->best_params(t->algo);
	char json[512], name[64];
	test_stats s;

	if (trainer_test(t, best, NULL, (unsigned)iter, &s, err) < 0)
		return -1;
	tr_log(t, "[TEST] Iter=%ld, #tests=%d, max=%.4f, avg=%.4f, min=%.4f, std=%.4f",
	       iter, s.n, s.max, s.avg, s.min, s.std);
	snprintf(json, sizeof(json),
		 "{\"kind\": \"test\", \"iter\": %ld, \"final\": %s, \"n\": %d, "
		 "\"max\": %.9g, \"avg\": %.9g, \"min\": %.9g, \"std\": %.9g}",
		 iter, final ? "true" : "false", s.n, s.max, s.avg, s.min,
		 s.std);
	tr_metric(t, json);
	if (final)
		t->final_score = s.avg;
	/* The final test ends the run: it feeds no schedule, so a run that
	 * is later resumed with a larger max_iter continues exactly. */
	for (int i = 0; i < t->e->n_sched && !final; i++)
		sched_observe(&t->sched[i], iter, s.avg);
	if (!t->o.out_dir)
		goto out;
	snprintf(name, sizeof(name), final ? "final.npz" : "iter_%ld.npz",
		 iter);
	if (tr_save_params(t, name, best, err) < 0)
		return -1;
	if (t->e->algo->save_extra &&
	    t->e->algo->save_extra(t->algo, t->dir, err) < 0)
		return -1;
	if (!t->has_best || s.avg > t->best_score) {
		if (tr_save_params(t, "best.npz", best, err) < 0)
			return -1;
	}
out:
	if (!t->has_best || s.avg > t->best_score) {
		t->best_score = s.avg;
		t->best_iter = iter;
		t->has_best = true;
	}
	return 0;
}

/* Scheduled hyperparameters for the update of iteration 'iter'. */
static void tr_apply_schedules(trainer *t, long iter)
{
	for (int i = 0; i < t->e->n_sched; i++) {
		const exp_sched *es = &t->e->sched[i];
		double m = sched_momentum(&t->sched[i], iter);

		t->e->algo->set_hparam(t->algo, es->hparam,
				       es->base * sched_factor(&t->sched[i], iter));
		if (!isnan(m))
			t->e->algo->set_hparam(t->algo, "momentum", m);
	}
}

static int tr_iteration(trainer *t, long iter, ej_err *err)
{
	const trainer_cfg *c = &t->e->trainer;
	size_t rep = (size_t)c->n_repeats;
	double t0;
	test_stats s;

	if (t->e->algo->ask(t->algo, t->params, err) < 0)
		return -1;
	t0 = tr_now();
	if (t->s2s) {
		rep = 1;
		if (s2s_train_eval(t->s2s, t->params, t->pop, (uint32_t)iter,
				   t->returns, err) < 0)
			return -1;
		t->kernel_s += s2s_last_kernel_seconds(t->s2s);
	} else if (t->superv) {
		rep = 1;
		if (superv_train_eval(t->superv, t->params, t->pop,
				      (uint32_t)iter, t->returns, err) < 0)
			return -1;
		t->kernel_s += tr_now() - t0;
	} else if (t->direct) {
		rep = 1;
		if (direct_eval(t->direct, t->params, t->pop, t->returns, t->bd,
				err) < 0)
			return -1;
		t->kernel_s += tr_now() - t0;
	} else {
		if (sim_rollout(t->sim, t->params, t->pop, (uint32_t)t->e->seed,
				PH_PURPOSE_RESET, (uint32_t)iter, 0, rep,
				c->normalize_obs, t->returns, err) < 0)
			return -1;
		t->kernel_s += sim_last_kernel_seconds(t->sim);
		t->env_steps += sim_last_env_steps(t->sim);
	}
	t->rollout_s += tr_now() - t0;
	for (size_t m = 0; m < t->pop; m++) {
		double sum = 0.0;

		for (size_t r = 0; r < rep; r++)
			sum += t->returns[m * rep + r];
		t->fitness[m] = (float)(sum / (double)rep);
		if (!isfinite(t->fitness[m]))
			return ej_fail(err, EJ_EXIT_RUN,
				       "fitness of member %zu is %s at iteration %ld; a checkpoint of the last good state is in '%s'",
				       m, isnan(t->fitness[m]) ? "nan" : "inf",
				       iter, t->o.out_dir ? t->dir : "(no output directory)");
	}
	tr_apply_schedules(t, iter);
	if ((t->bd && t->e->algo->tell_bd ? t->e->algo->tell_bd(t->algo, t->fitness, t->bd, err)
		   : t->e->algo->tell(t->algo, t->fitness, err)) < 0)
		return -1;
	t->iter_done = iter + 1;
	tr_stats(t->fitness, t->pop, &s);
	if (iter % c->log_interval == 0) {
		char json[1100];

		tr_log(t, "Iter=%ld, size=%zu, max=%.4f, avg=%.4f, min=%.4f, std=%.4f",
		       iter, t->pop, s.max, s.avg, s.min, s.std);
		char extra[512] = "";

		if (t->e->algo->report)
			t->e->algo->report(t->algo, extra, sizeof(extra));
		snprintf(json, sizeof(json),
			 "{\"kind\": \"train\", \"iter\": %ld, \"size\": %zu, "
			 "\"max\": %.9g, \"avg\": %.9g, \"min\": %.9g, \"std\": %.9g%s%s}",
			 iter, t->pop, s.max, s.avg, s.min, s.std,
			 extra[0] ? ", " : "", extra);
		tr_metric(t, json);
	}
	if (iter > 0 && iter % c->test_interval == 0) {
		if (tr_test_and_save(t, iter, false, err) < 0 ||
		    tr_checkpoint(t, err) < 0)
			return -1;
	}
	tr_progress(t, iter, &s);
	return 0;
}

static int tr_summary(trainer *t, double wall, ej_err *err)
{
	const trainer_cfg *c = &t->e->trainer;
	char buf[4096], p[4200];
	double episodes = (double)t->iter_done * (double)t->pop * c->n_repeats;
	int n;

	n = snprintf(buf, sizeof(buf),
		     "{\n  \"config\": \"%s\",\n  \"task\": \"%s\",\n  \"policy\": \"%s\",\n"
		     "  \"algo\": \"%s\",\n  \"seed\": %d,\n  \"iterations\": %ld,\n"
		     "  \"pop_size\": %zu,\n  \"param_count\": %zu,\n"
		     "  \"final_test_score\": %.9g,\n  \"best_test_score\": %.9g,\n"
		     "  \"best_iter\": %ld,\n  \"wall_time_s\": %.3f,\n"
		     "  \"rollout_time_s\": %.3f,\n  \"iter_per_s\": %.4f,\n"
		     "  \"episodes_per_s\": %.2f,\n  \"env_steps\": %.0f,\n"
		     "  \"env_steps_per_s\": %.0f,\n  \"device\": \"%s\",\n  \"lanes\": %d\n}\n",
		     t->o.config_path ? t->o.config_path : "", t->e->task->name,
		     t->e->policy ? t->e->policy->name : "none",
		     t->e->algo->name, t->e->seed,
		     t->iter_done, t->pop, t->P, t->final_score, t->best_score,
		     t->best_iter, wall, t->rollout_s,
		     (double)t->iter_done / (wall > 0 ? wall : 1e-9),
		     episodes / (t->rollout_s > 0 ? t->rollout_s : 1e-9),
		     t->env_steps,
		     t->env_steps / (t->rollout_s > 0 ? t->rollout_s : 1e-9),
		     clrt_device_name(t->rt),
		     t->sim ? sim_lanes(t->sim) : t->s2s ? s2s_lanes(t->s2s) : 0);
	tr_path(t, p, sizeof(p), "summary.json");
	return fio_write_atomic(p, buf, (size_t)n, err);
}

int trainer_run(trainer *t, ej_err *err)
{
	const trainer_cfg *c = &t->e->trainer;
	double wall;

	t->t_start = tr_now();
	if (t->sim)
		tr_log(t, "evojax: task %s, policy %s (%zu parameters), algo %s (population %zu), %d repeats, lanes %d",
		       t->e->task->name, t->e->policy->name, t->P,
		       t->e->algo->name, t->pop, c->n_repeats,
		       sim_lanes(t->sim));
	else if (t->s2s)
		tr_log(t, "evojax: task %s (%d-digit addition, batch %d, %d test queries), policy %s (%zu parameters), algo %s (population %zu), lanes %d",
		       t->e->task->name,
		       ((const seq2seq_task_cfg *)t->e->task_cfg)->digits,
		       ((const seq2seq_task_cfg *)t->e->task_cfg)->batch_size,
		       ((const seq2seq_task_cfg *)t->e->task_cfg)->test_size,
		       t->e->policy->name, t->P, t->e->algo->name, t->pop,
		       s2s_lanes(t->s2s));
	else if (t->superv)
		tr_log(t, "evojax: task %s (%zu training images, %zu test images), policy %s (%zu parameters), algo %s (population %zu)",
		       t->e->task->name, t->train_set.n, t->test_set.n,
		       t->e->policy->name, t->P, t->e->algo->name, t->pop);
	else
		tr_log(t, "evojax: task %s (%zu parameters, evaluated directly), algo %s (population %zu)",
		       t->e->task->name, t->P, t->e->algo->name, t->pop);
	for (long iter = t->iter_done; iter < c->max_iter; iter++) {
		if (t->o.interrupted && *t->o.interrupted) {
			if (tr_checkpoint(t, err) < 0)
				return -1;
			return ej_fail(err, EJ_EXIT_INTERRUPT,
				       "interrupted at iteration %ld; checkpoint written to '%s/checkpoint.npz'",
				       iter, t->o.out_dir ? t->dir : "(none)");
		}
		if (tr_iteration(t, iter, err) < 0)
			return -1;
	}
	if (tr_test_and_save(t, c->max_iter, true, err) < 0 ||
	    tr_checkpoint(t, err) < 0)
		return -1;
	wall = tr_now() - t->t_start;
	tr_log(t, "done: final test score %.4f, best %.4f (iter %ld), %ld iterations in %.1f s (%.2f it/s, rollout %.0f%%)",
	       t->final_score, t->best_score, t->best_iter, t->iter_done, wall,
	       (double)t->iter_done / (wall > 0 ? wall : 1e-9),
	       100.0 * t->rollout_s / (wall > 0 ? wall : 1e-9));
	if (t->o.out_dir && tr_summary(t, wall, err) < 0)
		return -1;
	return 0;
}
