/* trainer.c - the training loop as a stepwise object (core/trainer.h):
 * creation, ask/tell, steps of one or several trainers, exploit/explore.
 * The run directory's files: core/trainer_dir.c. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/npz.h"
#include "core/trainer_int.h"

static void tr_banner(trainer *t)
{
	char what[512];

	eval_describe(t->ev, what, sizeof(what));
	tr_log(t, "evojax: %s, algo %s (population %zu%s)", what,
	       t->e->algo->name, t->pop,
	       t->nd ? ", noise drawn on the device" : "");
}

trainer *trainer_create(const exp_cfg *e, evaluator *ev,
			const trainer_opts *o, ej_err *err)
{
	trainer *t = calloc(1, sizeof(*t));
	float bd_lo[TR_MAX_BD], bd_hi[TR_MAX_BD];
	algo_env env;

	if (!t) {
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
		return NULL;
	}
	t->e = e;
	t->ev = ev;
	t->o = *o;
	t->best_score = -INFINITY;
	t->last_test_iter = -1;
	if (o->out_dir || o->read_dir)
		snprintf(t->dir, sizeof(t->dir), "%s",
			 o->out_dir ? o->out_dir : o->read_dir);
	memset(&env, 0, sizeof(env));
	t->P = eval_param_count(ev);
	t->n_bd = eval_n_bd(ev);
	t->n_obs = eval_obs_params_size(ev);
	if (!(t->obs_params = calloc(t->n_obs + 1, sizeof(double)))) {
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
		goto fail;
	}
	if (t->n_bd > TR_MAX_BD) {
		ej_fail(err, EJ_EXIT_USAGE, "task '%s' has %d behaviour descriptors, at most %d are supported",
			e->task->name, t->n_bd, TR_MAX_BD);
		goto fail;
	}
	if (t->n_bd > 0) {
		env.n_bd = t->n_bd;
		e->task->bd_bounds(e->task_cfg, bd_lo, bd_hi);
		env.bd_lo = bd_lo;
		env.bd_hi = bd_hi;
	}
	env.param_size = t->P;
	env.seed = (uint32_t)e->seed;
	if (o->is_worker)
		env.seed += 0x9E3779B9u * (uint32_t)(o->worker + 1);
	env.optim = &e->optim;
	if (nd_create(eval_rt(ev), e->device.noise, &t->nd, err) < 0)
		goto fail;
	env.noise_dev = t->nd;
	if (e->algo->create(&t->algo, e->algo_cfg, &env, err) < 0)
		goto fail;
	for (int i = 0; i < e->n_sched; i++) {
		sched_init(&t->sched[i], &e->sched[i].cfg, e->trainer.max_iter);
		t->sched_base[i] = e->sched[i].base;
	}
	if (o->resume && tr_load_checkpoint(t, err) < 0)
		goto fail;
	if (o->out_dir && tr_open_dir(t, err) < 0)
		goto fail;
	t->pop = e->algo->pop_size(t->algo);
	if (t->n_bd > 0 &&
	    !(t->bd = malloc(t->pop * (size_t)t->n_bd * sizeof(float)))) {
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
		goto fail;
	}
	t->params = malloc(t->pop * t->P * sizeof(float));
	t->fitness = malloc(t->pop * sizeof(float));
	if (!t->params || !t->fitness) {
		ej_fail(err, EJ_EXIT_RUN,
			"out of memory: the population needs %.1f GiB of host memory (%zu members x %zu parameters)",
			(double)t->pop * (double)t->P * 4.0 / (1 << 30), t->pop,
			t->P);
		goto fail;
	}
	t->t_start = eval_now();
	t->iter_start = t->iter_done;
	tr_banner(t);
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
	nd_free(t->nd);
	free(t->bd);
	if (t->log_txt)
		fclose(t->log_txt);
	if (t->metrics)
		fclose(t->metrics);
	free(t->params);
	free(t->fitness);
	free(t->obs_params);
	free(t);
}

size_t trainer_param_count(const trainer *t) { return t->P; }

int trainer_last_test(const trainer *t, double *score, long *iter)
{
	*score = t->last_test;
	*iter = t->last_test_iter;
	return t->last_test_iter < 0 ? -1 : 0;
}
size_t trainer_pop_size(const trainer *t) { return t->pop; }
long trainer_iter(const trainer *t) { return t->iter_done; }
bool trainer_done(const trainer *t)
{
	return t->iter_done >= t->e->trainer.max_iter;
}
double trainer_env_steps(const trainer *t) { return t->env_steps; }

void trainer_timing(const trainer *t, double *wall, double *rollout,
		    double *kernel)
{
	*wall = t->wall_before + eval_now() - t->t_start;
	*rollout = t->rollout_s;
	*kernel = t->kernel_s;
}
double trainer_final_score(const trainer *t) { return t->final_score; }
double trainer_best_score(const trainer *t) { return t->best_score; }
const char *trainer_out_dir(const trainer *t) { return t->dir; }
const float *trainer_best_params(const trainer *t)
{
	return t->e->algo->best_params(t->algo);
}

static int tr_test_and_save(trainer *t, long iter, bool final, ej_err *err)
{
	const float *best = t->e->algo->best_params(t->algo);
	char json[512], name[64];
	test_stats s;

	if (eval_test(t->ev, best, t->obs_params, (uint32_t)iter, &s, err) < 0)
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
	t->last_test = s.avg;
	t->last_test_iter = iter;
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
				       t->sched_base[i] *
				       sched_factor(&t->sched[i], iter));
		if (!isnan(m))
			t->e->algo->set_hparam(t->algo, "momentum", m);
	}
}

int trainer_ask(trainer *t, const float **params, ej_err *err)
{
	if (trainer_done(t))
		return ej_fail(err, EJ_EXIT_USAGE,
			       "the run is complete: %ld of %d iterations done",
			       t->iter_done, t->e->trainer.max_iter);
	if (t->e->algo->ask(t->algo, t->params, err) < 0)
		return -1;
	*params = t->params;
	return 0;
}

/* A non-finite number in iteration 'iter' before the algorithm saw it:
 * the algorithm's state is still the last good one, so it is written to
 * checkpoint.npz (with out_dir) before the run fails. */
static int tr_bad_number(trainer *t, const char *what, size_t member,
			 float v, long iter, ej_err *err)
{
	ej_err cerr = { 0 };
	bool saved = t->o.out_dir && tr_checkpoint(t, &cerr) == 0;

	return ej_fail(err, EJ_EXIT_RUN,
		       "%s of member %zu is %s at iteration %ld; %s%s%s",
		       what, member, isnan(v) ? "nan" : "inf", iter,
		       saved ? "the last good state is checkpointed in '"
			     : "no checkpoint written",
		       saved ? t->dir : "", saved ? "/checkpoint.npz'" : "");
}

int trainer_tell(trainer *t, const float *fitness, const float *bd,
		 const eval_stats *st, ej_err *err)
{
	const trainer_cfg *c = &t->e->trainer;
	long iter = t->iter_done;
	test_stats s;

	t->rollout_s += st->wall_s;
	t->kernel_s += st->kernel_s;
	t->env_steps += st->env_steps;
	t->comm_s += st->comm_s;
	t->comm_bytes += st->comm_bytes;
	for (size_t m = 0; m < t->pop; m++) {
		t->fitness[m] = fitness[m];
		if (!isfinite(fitness[m]))
			return tr_bad_number(t, "fitness", m, fitness[m], iter,
					     err);
	}
	/* Actions may clamp NaN parameters into finite fitness: check the
	 * population itself too (pop x P, cheap beside a rollout). */
	for (size_t i = 0; i < t->pop * t->P; i++)
		if (!isfinite(t->params[i]))
			return tr_bad_number(t, "a parameter", i / t->P,
					     t->params[i], iter, err);
	tr_apply_schedules(t, iter);
	if ((t->bd && bd && t->e->algo->tell_bd
		     ? t->e->algo->tell_bd(t->algo, t->fitness, bd, err)
		     : t->e->algo->tell(t->algo, t->fitness, err)) < 0)
		return -1;
	t->iter_done = iter + 1;
	eval_stats_of(t->fitness, t->pop, &s);
	if (iter % c->log_interval == 0) {
		char json[1100], extra[512] = "";

		tr_log(t, "Iter=%ld, size=%zu, max=%.4f, avg=%.4f, min=%.4f, std=%.4f",
		       iter, t->pop, s.max, s.avg, s.min, s.std);
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

int trainer_step(trainer *t, ej_err *err)
{
	const float *params;
	eval_stats st;

	eval_norm norm = { .n = t->pop, .obs_params = t->obs_params };

	if (trainer_ask(t, &params, err) < 0 ||
	    eval_population(t->ev, params, t->pop, (uint32_t)t->iter_done,
			    &norm, 1, t->fitness, t->bd, &st, err) < 0)
		return -1;
	return trainer_tell(t, t->fitness, t->bd, &st, err);
}

int trainer_step_group(trainer *const *ts, size_t k, evaluator *ev,
		       ej_err *err)
{
	size_t n = 0, P = eval_param_count(ev), off = 0;
	int nb = eval_n_bd(ev), rc = -1;
	float *params = NULL, *fit = NULL, *bd = NULL;
	eval_norm *norms = NULL;
	eval_stats st, share;

	for (size_t i = 0; i < k; i++) {
		if (ts[i]->ev != ev || ts[i]->iter_done != ts[0]->iter_done)
			return ej_fail(err, EJ_EXIT_USAGE,
				       "trainers stepped together must share the evaluator and the iteration (trainer %zu is at %ld, trainer 0 at %ld)",
				       i, ts[i]->iter_done, ts[0]->iter_done);
		n += ts[i]->pop;
	}
	params = malloc(n * P * sizeof(float));
	fit = malloc(n * sizeof(float));
	bd = nb > 0 ? malloc(n * (size_t)nb * sizeof(float)) : NULL;
	norms = malloc(k * sizeof(*norms));
	if (!params || !fit || (nb > 0 && !bd) || !norms) {
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < k; i++) {
		const float *p;

		if (trainer_ask(ts[i], &p, err) < 0)
			goto out;
		memcpy(params + off * P, p, ts[i]->pop * P * sizeof(float));
		off += ts[i]->pop;
		/* each trainer keeps its own observation normalizer */
		norms[i] = (eval_norm){ .n = ts[i]->pop,
					.obs_params = ts[i]->obs_params };
	}
	if (eval_population(ev, params, n, (uint32_t)ts[0]->iter_done, norms,
			    k, fit, bd, &st, err) < 0)
		goto out;
	off = 0;
	for (size_t i = 0; i < k; i++) {
		double f = (double)ts[i]->pop / (double)n;

		share.wall_s = st.wall_s * f;
		share.kernel_s = st.kernel_s * f;
		share.env_steps = st.env_steps * f;
		share.comm_s = st.comm_s * f;
		share.comm_bytes = st.comm_bytes * f;
		if (trainer_tell(ts[i], fit + off, bd ? bd + off * (size_t)nb : NULL,
				 &share, err) < 0)
			goto out;
		off += ts[i]->pop;
	}
	rc = 0;
out:
	free(params);
	free(fit);
	free(bd);
	free(norms);
	return rc;
}

static int tr_hparam_index(const trainer *t, const char *key)
{
	const char *const *h = t->e->algo->hparams;

	for (int i = 0; h && h[i]; i++)
		if (!strcmp(h[i], key))
			return i;
	return -1;
}

/* Set without checks or bookkeeping (key is one of algo->hparams). */
void tr_put_hparam(trainer *t, const char *key, double value)
{
	for (int i = 0; i < t->e->n_sched; i++)
		if (!strcmp(t->e->sched[i].hparam, key)) {
			t->sched_base[i] = value; /* applied at the next tell */
			return;
		}
	t->e->algo->set_hparam(t->algo, key, value);
}

int trainer_set_hparam(trainer *t, const char *key, double value,
		       ej_err *err)
{
	int i;

	if (tr_hparam_index(t, key) < 0)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "algorithm '%s' has no hyperparameter '%s' that can change during a run",
			       t->e->algo->name, key);
	if (!isfinite(value))
		return ej_fail(err, EJ_EXIT_USAGE, "'%s' must be finite", key);
	for (i = 0; i < t->n_hp && strcmp(t->hp[i].key, key); i++)
		;
	if (i == t->n_hp) {
		if (t->n_hp == TR_MAX_HP)
			return ej_fail(err, EJ_EXIT_USAGE,
				       "at most %d hyperparameters can be set",
				       TR_MAX_HP);
		snprintf(t->hp[t->n_hp++].key, sizeof(t->hp[0].key), "%s", key);
	}
	t->hp[i].value = value;
	tr_put_hparam(t, key, value);
	return 0;
}

int trainer_hparam(const trainer *t, const char *key, double *value)
{
	for (int i = 0; i < t->n_hp; i++)
		if (!strcmp(t->hp[i].key, key)) {
			*value = t->hp[i].value;
			return 0;
		}
	return -1;
}

int trainer_copy_state(trainer *dst, const trainer *src, ej_err *err)
{
	npz_array a[ALGO_STATE_MAX];
	char names[ALGO_STATE_MAX][64];
	npz_file *f;
	size_t n;
	int rc;

	if (dst->e->algo != src->e->algo || dst->P != src->P ||
	    dst->pop != src->pop || dst->e->n_sched != src->e->n_sched)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "cannot copy a trainer's state into one of another shape (algo %s/%s, %zu/%zu parameters, population %zu/%zu)",
			       src->e->algo->name, dst->e->algo->name, src->P,
			       dst->P, src->pop, dst->pop);
	n = src->e->algo->state(src->algo, a, ALGO_STATE_MAX, names);
	if (n == 0)
		return ej_fail(err, EJ_EXIT_RUN, "algorithm state too large to copy");
	if (!(f = npz_from_arrays(a, n, err)))
		return -1;
	rc = dst->e->algo->load(dst->algo, f, err);
	npz_free(f);
	if (rc < 0)
		return -1;
	memcpy(dst->sched, src->sched, sizeof(dst->sched));
	memcpy(dst->sched_base, src->sched_base, sizeof(dst->sched_base));
	/* The source's hyperparameters: those it set, its configured
	 * values for the others. */
	dst->n_hp = src->n_hp;
	memcpy(dst->hp, src->hp, sizeof(dst->hp));
	for (const char *const *h = src->e->algo->hparams; h && *h; h++) {
		double v;

		if (trainer_hparam(src, *h, &v) == 0 ||
		    exp_algo_value(src->e, *h, &v) == 0)
			tr_put_hparam(dst, *h, v);
	}
	memcpy(dst->obs_params, src->obs_params, dst->n_obs * sizeof(double));
	dst->iter_done = src->iter_done;
	dst->last_test = src->last_test;
	dst->last_test_iter = src->last_test_iter;
	dst->best_score = src->best_score;
	dst->best_iter = src->best_iter;
	dst->has_best = src->has_best;
	return 0;
}

int trainer_finish(trainer *t, ej_err *err)
{
	double wall;

	if (tr_test_and_save(t, t->e->trainer.max_iter, true, err) < 0 ||
	    tr_checkpoint(t, err) < 0)
		return -1;
	wall = t->wall_before + eval_now() - t->t_start; /* across resumes */
	tr_log(t, "done: final test score %.4f, best %.4f (iter %ld), %ld iterations in %.1f s (%.2f it/s, rollout %.0f%%)",
	       t->final_score, t->best_score, t->best_iter, t->iter_done, wall,
	       (double)t->iter_done / (wall > 0 ? wall : 1e-9),
	       100.0 * t->rollout_s / (wall > 0 ? wall : 1e-9));
	if (t->o.out_dir && tr_summary(t, wall, err) < 0)
		return -1;
	return 0;
}

int trainer_checkpoint(trainer *t, ej_err *err)
{
	return tr_checkpoint(t, err);
}

int trainer_run(trainer *t, ej_err *err)
{
	while (!trainer_done(t)) {
		if (t->o.interrupted && *t->o.interrupted) {
			if (tr_checkpoint(t, err) < 0)
				return -1;
			return ej_fail(err, EJ_EXIT_INTERRUPT,
				       "interrupted at iteration %ld; checkpoint written to '%s/checkpoint.npz'",
				       t->iter_done, t->o.out_dir ? t->dir : "(none)");
		}
		if (trainer_step(t, err) < 0)
			return -1;
	}
	return trainer_finish(t, err);
}
