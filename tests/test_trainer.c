/* test_trainer.c - the stepwise trainer (core/trainer.h) over the evaluator
 * interface (core/eval.h): K trainers evaluated in one call per iteration
 * give exactly the metrics of K separate runs; a trainer's state copied
 * into another makes both continue identically; hyperparameters change
 * between iterations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/cfg.h"
#include "core/eval.h"
#include "core/exp.h"
#include "core/fileio.h"
#include "core/trainer.h"
#include "opencl/clrt.h"
#define TU_OPENCL
#include "tests/testutil.h"

/* A small cartpole experiment; center_lr and the schedule vary. */
static const char cfg_fmt[] =
	"seed: 7\n"
	"task: {name: cartpole, max_steps: 60}\n"
	"policy: {name: mlp, hidden: [6]}\n"
	"algo: {name: pgpe, pop_size: 8, center_lr: %g, stdev_lr: 0.1, init_stdev: 0.1}\n"
	"optimizer: {name: adam}\n"
	"trainer: {max_iter: 7, log_interval: 1, test_interval: 3, n_repeats: 3, n_evaluations: 4, normalize_obs: %s}\n"
	"%s";

typedef struct tr_exp {
	cfg_doc *doc;
	exp_cfg e;
} tr_exp;

static void exp_open(tr_exp *x, double center_lr, bool normalize,
		     const char *extra)
{
	char text[2048];
	ej_err err = { 0 };

	snprintf(text, sizeof(text), cfg_fmt, center_lr,
		 normalize ? "true" : "false", extra);
	x->doc = cfg_load_string(text, "t.yaml", &err);
	if (!x->doc || exp_load(x->doc, &x->e, &err) < 0)
		fail_msg("%s", err.msg);
}

static void exp_close(tr_exp *x)
{
	exp_release(&x->e);
	cfg_free(x->doc);
}

static char *slurp(const char *dir, const char *name)
{
	char p[512];
	char *text;
	size_t len;
	ej_err err = { 0 };

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (fio_read_all(p, &text, &len, &err) < 0)
		fail_msg("%s", err.msg);
	return text;
}

static trainer *open_trainer(tr_exp *x, evaluator *ev, const char *dir)
{
	trainer_opts o = { .out_dir = dir };
	ej_err err = { 0 };
	trainer *t = trainer_create(&x->e, ev, &o, &err);

	if (!t)
		fail_msg("%s", err.msg);
	return t;
}

/* Three trainers with different center_lr (one with a schedule) stepped
 * together, one evaluator call per iteration, against three runs; with
 * normalized observations each keeps its own normalizer. */
static void group_equals_separate(const tu_tmp *tmp, bool normalize)
{
	const double lr[3] = { 0.02, 0.05, 0.2 };
	const char *extra[3] = { "", "schedule: {center_lr: {profile: rex}}\n",
				 "" };
	clrt *rt = tu_rt_open();
	tr_exp x[3];
	trainer *ts[3];
	evaluator *ev;
	char dir[3][2][256];
	ej_err err = { 0 };

	for (int i = 0; i < 3; i++) {
		exp_open(&x[i], lr[i], normalize, extra[i]);
		snprintf(dir[i][0], sizeof(dir[i][0]), "%s/alone%d%d", tmp->dir,
			 normalize, i);
		snprintf(dir[i][1], sizeof(dir[i][1]), "%s/group%d%d", tmp->dir,
			 normalize, i);
		/* alone: its own evaluator and trainer_run */
		ev = eval_create(&x[i].e, rt, &err);
		assert_non_null(ev);
		ts[i] = open_trainer(&x[i], ev, dir[i][0]);
		if (trainer_run(ts[i], &err) < 0)
			fail_msg("%s", err.msg);
		trainer_free(ts[i]);
		eval_free(ev);
	}
	ev = eval_create(&x[0].e, rt, &err);
	assert_non_null(ev);
	for (int i = 0; i < 3; i++)
		ts[i] = open_trainer(&x[i], ev, dir[i][1]);
	while (!trainer_done(ts[0]))
		if (trainer_step_group(ts, 3, ev, &err) < 0)
			fail_msg("%s", err.msg);
	for (int i = 0; i < 3; i++) {
		assert_true(trainer_done(ts[i]));
		if (trainer_finish(ts[i], &err) < 0)
			fail_msg("%s", err.msg);
	}
	for (int i = 0; i < 3; i++) {
		char *a = slurp(dir[i][0], "metrics.jsonl");
		char *b = slurp(dir[i][1], "metrics.jsonl");
		char *c = slurp(dir[(i + 1) % 3][0], "metrics.jsonl");

		assert_string_equal(a, b);
		/* 7 train lines, tests at 3 and 6 and the final one */
		assert_non_null(strstr(a, "\"iter\": 6, \"size\": 8"));
		assert_non_null(strstr(a, "\"final\": true"));
		/* the hyperparameters matter: runs differ */
		assert_string_not_equal(a, c);
		free(a);
		free(b);
		free(c);
	}
	/* Trainers at different iterations cannot share a call. */
	for (int i = 0; i < 3; i++)
		trainer_free(ts[i]);
	ts[0] = open_trainer(&x[0], ev, NULL);
	ts[1] = open_trainer(&x[1], ev, NULL);
	if (trainer_step(ts[0], &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(trainer_step_group(ts, 2, ev, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_non_null(strstr(err.msg, "trainer 1 is at 0, trainer 0 at 1"));
	trainer_free(ts[0]);
	trainer_free(ts[1]);
	eval_free(ev);
	for (int i = 0; i < 3; i++)
		exp_close(&x[i]);
	clrt_free(rt);
}

static void test_group_equals_separate(void **state)
{
	group_equals_separate(*state, false);
}

static void test_group_equals_separate_normalized(void **state)
{
	const tu_tmp *tmp = *state;
	char a[256], b[256];
	char *npz_a, *npz_b;
	size_t la, lb;
	ej_err err = { 0 };

	group_equals_separate(tmp, true);
	/* the normalizer is saved with the parameters: same bytes too */
	snprintf(a, sizeof(a), "%s/alone11/final.npz", tmp->dir);
	snprintf(b, sizeof(b), "%s/group11/final.npz", tmp->dir);
	assert_int_equal(fio_read_all(a, &npz_a, &la, &err), 0);
	assert_int_equal(fio_read_all(b, &npz_b, &lb, &err), 0);
	assert_int_equal(la, lb);
	assert_memory_equal(npz_a, npz_b, la);
	free(npz_a);
	free(npz_b);
}

static void step(trainer *t, int n)
{
	ej_err err = { 0 };

	for (int i = 0; i < n; i++)
		if (trainer_step(t, &err) < 0)
			fail_msg("%s", err.msg);
}

static int same_params(const trainer *a, const trainer *b)
{
	return !memcmp(trainer_best_params(a), trainer_best_params(b),
		       trainer_param_count(a) * sizeof(float));
}

/* Exploit: B (another center_lr, fewer iterations) takes A's state and
 * both continue identically; explore: a changed center_lr diverges. */
static void test_copy_state(void **state)
{
	clrt *rt = tu_rt_open();
	tr_exp xa, xb;
	evaluator *ev;
	trainer *a, *b;
	double v;
	ej_err err = { 0 };

	(void)state;
	/* normalized observations: the normalizer is part of the state */
	exp_open(&xa, 0.05, true, "");
	exp_open(&xb, 0.3, true, "");
	ev = eval_create(&xa.e, rt, &err);
	assert_non_null(ev);
	a = open_trainer(&xa, ev, NULL);
	b = open_trainer(&xb, ev, NULL);
	step(a, 3);
	step(b, 1);
	assert_int_equal(trainer_set_hparam(b, "stdev_lr", 0.3, &err), 0);
	assert_false(same_params(a, b));
	assert_int_equal(trainer_copy_state(b, a, &err), 0);
	assert_int_equal(trainer_iter(b), 3);
	assert_true(same_params(a, b));
	/* B's own stdev_lr went with the copy: it has A's (configured). */
	assert_int_equal(trainer_hparam(b, "stdev_lr", &v), -1);
	for (int i = 0; i < 3; i++) {
		step(a, 1);
		step(b, 1);
		assert_true(same_params(a, b));
	}
	/* explore: a different center_lr from the next iteration on */
	assert_int_equal(trainer_set_hparam(b, "center_lr", 0.5, &err), 0);
	assert_int_equal(trainer_hparam(b, "center_lr", &v), 0);
	assert_true(v == 0.5);
	step(a, 1);
	step(b, 1);
	assert_false(same_params(a, b));
	/* errors */
	assert_int_equal(trainer_set_hparam(b, "pop_size", 16, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "algorithm 'pgpe' has no hyperparameter 'pop_size' that can change during a run");
	assert_int_equal(trainer_ask(a, &(const float *){ NULL }, &err), -1);
	assert_string_equal(err.msg, "the run is complete: 7 of 7 iterations done");
	trainer_free(a);
	trainer_free(b);
	eval_free(ev);
	exp_close(&xa);
	exp_close(&xb);
	clrt_free(rt);
}

/* Hyperparameters set during a run are part of its checkpoint: a run
 * explored at iteration 2, checkpointed at 4 and resumed writes the
 * metrics of an uninterrupted one. */
static void test_resume_keeps_hparams(void **state)
{
	const tu_tmp *tmp = *state;
	clrt *rt = tu_rt_open();
	tr_exp x;
	evaluator *ev;
	trainer *t;
	char d1[256], d2[256], *m1, *m2;
	trainer_opts resume;
	double v;
	ej_err err = { 0 };

	exp_open(&x, 0.05, true, "");
	ev = eval_create(&x.e, rt, &err);
	assert_non_null(ev);
	snprintf(d1, sizeof(d1), "%s/whole", tmp->dir);
	snprintf(d2, sizeof(d2), "%s/resumed", tmp->dir);
	for (int run = 0; run < 2; run++) {
		t = open_trainer(&x, ev, run ? d2 : d1);
		step(t, 2);
		assert_int_equal(trainer_set_hparam(t, "center_lr", 0.2, &err), 0);
		step(t, 2);
		if (run) { /* stop here, as after an interrupt */
			assert_int_equal(trainer_checkpoint(t, &err), 0);
			trainer_free(t);
			resume = (trainer_opts){ .out_dir = d2, .resume = true };
			t = trainer_create(&x.e, ev, &resume, &err);
			if (!t)
				fail_msg("%s", err.msg);
			assert_int_equal(trainer_iter(t), 4);
			assert_int_equal(trainer_hparam(t, "center_lr", &v), 0);
			assert_true(v == 0.2);
		}
		if (trainer_run(t, &err) < 0)
			fail_msg("%s", err.msg);
		trainer_free(t);
	}
	m1 = slurp(d1, "metrics.jsonl");
	m2 = slurp(d2, "metrics.jsonl");
	assert_string_equal(m1, m2);
	free(m1);
	free(m2);
	eval_free(ev);
	exp_close(&x);
	clrt_free(rt);
}

/* The evaluator alone: fitness of a population evaluated in one call
 * equals the fitness of its halves evaluated apart (common random numbers
 * per call), and the test statistics are those of its scores. */
static void test_eval_split_invariance(void **state)
{
	clrt *rt = tu_rt_open();
	tr_exp x;
	evaluator *ev;
	float *params, whole[8], half[8];
	size_t P;
	test_stats s;
	ej_err err = { 0 };

	(void)state;
	exp_open(&x, 0.05, false, "");
	ev = eval_create(&x.e, rt, &err);
	assert_non_null(ev);
	P = eval_param_count(ev);
	assert_int_equal(P, 6 + 5 * 6 + 1 + 6);
	params = tu_random_params(8 * P, 0.5f, 3);
	assert_int_equal(eval_population(ev, params, 8, 2, NULL, 0, whole, NULL, NULL,
					 &err), 0);
	assert_int_equal(eval_population(ev, params, 5, 2, NULL, 0, half, NULL, NULL,
					 &err), 0);
	assert_int_equal(eval_population(ev, params + 5 * P, 3, 2, NULL, 0, half + 5,
					 NULL, NULL, &err), 0);
	assert_memory_equal(whole, half, sizeof(whole));
	/* another iteration, other episodes */
	assert_int_equal(eval_population(ev, params, 8, 3, NULL, 0, half, NULL, NULL,
					 &err), 0);
	assert_memory_not_equal(whole, half, sizeof(whole));
	assert_int_equal(eval_test(ev, params, NULL, 0, &s, &err), 0);
	assert_int_equal(s.n, 4);
	assert_true(s.min <= s.avg && s.avg <= s.max && s.std >= 0.0);
	assert_int_equal(eval_population(ev, params, 0, 2, NULL, 0, whole, NULL, NULL,
					 &err), -1);
	assert_string_equal(err.msg, "nothing to evaluate");
	free(params);
	eval_free(ev);
	exp_close(&x);
	clrt_free(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_group_equals_separate,
						tu_tmp_setup, tu_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_group_equals_separate_normalized,
						tu_tmp_setup, tu_tmp_teardown),
		cmocka_unit_test(test_copy_state),
		cmocka_unit_test_setup_teardown(test_resume_keeps_hparams,
						tu_tmp_setup, tu_tmp_teardown),
		cmocka_unit_test(test_eval_split_invariance),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
