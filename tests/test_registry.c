/* test_registry - every registry slot is filled, names are unique, lookups
 * find each entry and miss unknown names; every schema's defaults parse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "algos/algo.h"
#include "core/cfg.h"
#include "core/optim.h"
#include "policies/policy.h"
#include "core/direct.h"
#include "core/eval.h"
#include "core/sim.h"
#include "core/superv.h"
#include "tasks/task.h"

static void check_schema(const cfg_field *f, size_t n, size_t size)
{
	void *buf = calloc(1, size ? size : 1);

	assert_non_null(buf);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(f[i].key);
		assert_non_null(f[i].help);
		for (size_t j = i + 1; j < n; j++)
			assert_string_not_equal(f[i].key, f[j].key);
	}
	cfg_defaults(f, n, buf); /* asserts on a bad default */
	free(buf);
}

static void test_tasks(void **state)
{
	size_t n = 0;

	(void)state;
	for (const task_ops *const *t = task_registry; *t; t++, n++) {
		const task_ops *o = *t;

		assert_true(o->name && o->summary && o->dims && o->defines &&
			    o->cfg_size);
		/* cl_file: the task's own device code, NULL when it has none;
		 * the evaluators that compose it need it. */
		if (o->eval == &sim_eval_ops || o->eval == &direct_eval_ops)
			assert_non_null(o->cl_file);
		assert_ptr_equal(task_find(o->name), o);
		check_schema(o->fields, o->n_fields, o->cfg_size);
		/* Every task names a complete evaluator ... */
		assert_non_null(o->eval);
		assert_true(o->eval->name && o->eval->create &&
			    o->eval->param_count && o->eval->evaluate &&
			    o->eval->test && o->eval->describe &&
			    o->eval->free);
		/* ... and, when it takes a policy, some policy can drive it. */
		if (o->policy_caps) {
			bool served = false;

			for (const policy_ops *const *p = policy_registry; *p; p++)
				served |= ((*p)->caps & o->policy_caps) ==
					  o->policy_caps;
			assert_true(served);
		}
		/* the host side (render), when present: an episodic task's,
		 * complete; an opponent's pair together; a drawing with its
		 * size and step time */
		if (o->host) {
			const task_host_ops *h = o->host;

			/* episodic: sim_eval_ops or a task's own wrapper
			 * of it (slimevolley_eval_ops for self-play) */
			assert_true(o->policy_caps & POLICY_CAP_STEP);
			assert_true(h->reset && h->obs && h->step);
			assert_true(!h->opp_reset == !h->opponent);
			if (h->draw)
				assert_true(h->width > 0 && h->height > 0 &&
					    h->step_seconds > 0.0);
		}
		for (const task_ops *const *u = t + 1; *u; u++)
			assert_string_not_equal(o->name, (*u)->name);
	}
	assert_true(n >= 1);
	assert_null(task_find("no-such-task"));
}

static void test_policies(void **state)
{
	size_t n = 0;

	(void)state;
	for (const policy_ops *const *p = policy_registry; *p; p++, n++) {
		const policy_ops *o = *p;

		assert_true(o->name && o->summary && o->cl_file &&
			    o->param_count && o->defines && o->cfg_size &&
			    o->caps);
		/* image ops exactly with the images capability, complete */
		assert_true(!(o->caps & POLICY_CAP_IMAGES) == !o->images);
		if (o->images)
			assert_true(o->images->create && o->images->forward &&
				    o->images->free);
		/* a host forward pass only for episodic policies, complete */
		if (o->host)
			assert_true((o->caps & POLICY_CAP_STEP) && o->host->reset &&
				    o->host->forward);
		assert_ptr_equal(policy_find(o->name), o);
		check_schema(o->fields, o->n_fields, o->cfg_size);
		for (const policy_ops *const *u = p + 1; *u; u++)
			assert_string_not_equal(o->name, (*u)->name);
	}
	assert_true(n >= 1);
	assert_null(policy_find("no-such-policy"));
}

static void test_algos(void **state)
{
	size_t n = 0;

	(void)state;
	for (const algo_ops *const *a = algo_registry; *a; a++, n++) {
		const algo_ops *o = *a;

		assert_true(o->name && o->summary && o->create && o->pop_size &&
			    o->ask && o->tell && o->best_params && o->state &&
			    o->load && o->free && o->cfg_size);
		assert_ptr_equal(algo_find(o->name), o);
		check_schema(o->fields, o->n_fields, o->cfg_size);
		for (const algo_ops *const *u = a + 1; *u; u++)
			assert_string_not_equal(o->name, (*u)->name);
	}
	assert_true(n >= 1);
	assert_null(algo_find("no-such-algo"));
}

static void test_optimizers(void **state)
{
	(void)state;
	for (const optim_info *o = optim_table; o->name; o++) {
		assert_non_null(o->summary);
		assert_ptr_equal(optim_find(o->name), o);
		check_schema(o->fields, o->n_fields, sizeof(optim_cfg));
		for (const optim_info *u = o + 1; u->name; u++)
			assert_string_not_equal(o->name, u->name);
	}
	assert_null(optim_find("no-such-optimizer"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tasks),
		cmocka_unit_test(test_policies),
		cmocka_unit_test(test_algos),
		cmocka_unit_test(test_optimizers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
