#include "tasks/mnist.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/eval.h"
#include "core/idx.h"
#include "core/superv.h"
#include "policies/policy.h"

static const cfg_field mnist_fields[] = {
	{ .key = "data_dir", .type = CFG_STR,
	  .offset = offsetof(mnist_cfg, data_dir),
	  .def = "/usr/share/datasets/fashion-mnist", .flags = CFG_F_NONEMPTY,
	  .help = "directory with <split>-images-idx3-ubyte[.gz] and <split>-labels-idx1-ubyte[.gz]" },
	{ .key = "train_split", .type = CFG_STR,
	  .offset = offsetof(mnist_cfg, train_split), .def = "train",
	  .flags = CFG_F_NONEMPTY, .help = "file prefix of the training set" },
	{ .key = "test_split", .type = CFG_STR,
	  .offset = offsetof(mnist_cfg, test_split), .def = "t10k",
	  .flags = CFG_F_NONEMPTY, .help = "file prefix of the test set" },
	{ .key = "batch_size", .type = CFG_INT,
	  .offset = offsetof(mnist_cfg, batch_size), .def = "1024", .min = 1,
	  .max = 1000000,
	  .help = "training images per iteration, sampled without replacement, shared by all members" },
};

static void mnist_dims(const void *cfg, task_dims *out)
{
	(void)cfg;
	/* Known once the data is loaded (core/superv.h). */
	out->obs_dim = out->act_dim = out->state_dim = out->max_steps = 0;
}

static void mnist_defines(const void *cfg, char *buf, size_t size)
{
	(void)cfg;
	snprintf(buf, size, "%s", "");
}

/* ---- the evaluator (core/eval.h): IDX data loaded here, evaluated by
 * core/superv.h with the configured policy --------------------------- */

typedef struct mnist_ev {
	superv *s;
	idx_set train, test;
	const exp_cfg *e; /* borrowed */
} mnist_ev;

static void mnist_ev_free(void *state)
{
	mnist_ev *me = state;

	superv_free(me->s);
	idx_free(&me->train);
	idx_free(&me->test);
	free(me);
}

/* Load the train/test sets; superv uploads them once. */
static int mnist_ev_open(mnist_ev *me, clrt *rt, ej_err *err)
{
	const mnist_cfg *c = me->e->task_cfg;

	if (idx_load_pair(c->data_dir, c->train_split, &me->train, err) < 0 ||
	    idx_load_pair(c->data_dir, c->test_split, &me->test, err) < 0)
		return -1;
	if (me->test.rows != me->train.rows || me->test.cols != me->train.cols)
		return ej_fail(err, EJ_EXIT_RUN,
			       "'%s' holds %zux%zu images but '%s' holds %zux%zu",
			       me->test.images_path, me->test.rows,
			       me->test.cols, me->train.images_path,
			       me->train.rows, me->train.cols);
	if ((size_t)c->batch_size > me->train.n)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'batch_size' %d is larger than the training set (%zu images)",
			       c->batch_size, me->train.n);
	me->s = superv_create(rt, &me->train, &me->test, me->e->policy,
			      me->e->policy_cfg, (size_t)c->batch_size,
			      (uint32_t)me->e->seed, err);
	return me->s ? 0 : -1;
}

static int mnist_ev_create(void **state, const exp_cfg *e, clrt *rt,
			   ej_err *err)
{
	mnist_ev *me = calloc(1, sizeof(*me));

	if (!me)
		return ej_fail(err, EJ_EXIT_RUN, "out of memory");
	me->e = e;
	if (mnist_ev_open(me, rt, err) < 0) {
		mnist_ev_free(me);
		return -1;
	}
	*state = me;
	return 0;
}

static int mnist_ev_evaluate(void *state, const float *params, size_t n,
			      uint32_t iter, const eval_norm *norms,
			      size_t n_norms, float *fitness, float *bd,
			      eval_stats *st, ej_err *err)
{
	mnist_ev *me = state;
	double t0 = eval_now();

	(void)norms;
	(void)n_norms;
	(void)bd;
	if (superv_train_eval(me->s, params, n, iter, fitness, err) < 0)
		return -1;
	st->kernel_s = eval_now() - t0;
	return 0;
}

static int mnist_ev_test(void *state, const float *params,
		const double *obs_params, uint32_t iter, float *scores,
		size_t *n, ej_err *err)
{
	double acc;

	(void)obs_params;
	(void)iter;
	if (superv_test_accuracy(((mnist_ev *)state)->s, params, &acc,
				 err) < 0)
		return -1;
	scores[0] = (float)acc;
	*n = 1;
	return 0;
}

static size_t mnist_ev_param_count(const void *state)
{
	return superv_param_count(((const mnist_ev *)state)->s);
}

static void mnist_ev_describe(const void *state, char *buf, size_t size)
{
	const mnist_ev *me = state;

	snprintf(buf, size,
		 "task %s (%zu training images, %zu test images), policy %s (%zu parameters)",
		 me->e->task->name, me->train.n, me->test.n,
		 me->e->policy->name, superv_param_count(me->s));
}

const eval_ops mnist_eval_ops = {
	.name = "images",
	.create = mnist_ev_create,
	.param_count = mnist_ev_param_count,
	.evaluate = mnist_ev_evaluate,
	.test = mnist_ev_test,
	.describe = mnist_ev_describe,
	.free = mnist_ev_free,
};

const task_ops mnist_ops = {
	.name = "mnist",
	.summary = "image classification on IDX files (MNIST, Fashion-MNIST, ...): fitness mean log p(label), test accuracy",
	.fields = mnist_fields,
	.n_fields = sizeof(mnist_fields) / sizeof(mnist_fields[0]),
	.cfg_size = sizeof(mnist_cfg),
	.cl_file = NULL, /* no device code of its own: core/superv.cl */
	.dims = mnist_dims,
	.defines = mnist_defines,
	.eval = &mnist_eval_ops,
	.policy_caps = POLICY_CAP_IMAGES,
	.direct_dim = NULL,
	.n_bd = 0,
	.bd_bounds = NULL,
};
