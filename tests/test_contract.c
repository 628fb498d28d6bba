/* test_contract - the episodic device contract (core/rollout.cl) with
 * small test-only tasks and policies (tests/contract_*.cl, embedded into
 * the test binaries only): sizes have one source, the C side. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/sim.h"
#include "opencl/clrt.h"
#include "opencl/philox.h"
#include "policies/mlp.h"
#include "tasks/task.h"

#define TU_OPENCL
#include "tests/testutil.h"

static void tc_no_defines(const void *cfg, char *buf, size_t size)
{
	(void)cfg;
	if (size)
		buf[0] = '\0';
}

static void tc_mlp_defaults(mlp_cfg *c)
{
	cfg_defaults(mlp_ops.fields, mlp_ops.n_fields, c);
}

/* ---- d: sizes have one source ------------------------------------------ */

/* Every registered episodic task builds with the default MLP, its sizes
 * coming from its dims() alone, and runs a short rollout. */
static void test_registered_tasks_build(void **state)
{
	clrt *rt = tu_rt_open();
	mlp_cfg pol;
	int n = 0;

	(void)state;
	tc_mlp_defaults(&pol);
	for (const task_ops *const *t = task_registry; *t; t++) {
		void *tcfg;
		ej_err err = { 0 };
		float *w, ret[2 * 2];
		sim *s;

		if ((*t)->kind != TASK_EPISODIC)
			continue;
		tcfg = calloc(1, (*t)->cfg_size);
		assert_non_null(tcfg);
		cfg_defaults((*t)->fields, (*t)->n_fields, tcfg);
		s = sim_create(rt, *t, tcfg, &mlp_ops, &pol, 0, false, &err);
		if (!s)
			fail_msg("task '%s': %s", (*t)->name, err.msg);
		w = tu_random_params(2 * sim_param_count(s), 0.1f, 1);
		assert_int_equal(sim_rollout(s, w, 2, 1, PH_PURPOSE_RESET, 0, 0,
					     2, false, ret, &err), 0);
		for (int i = 0; i < 4; i++)
			assert_true(isfinite(ret[i]));
		free(w);
		sim_free(s);
		free(tcfg);
		n++;
	}
	assert_true(n >= 1);
	clrt_free(rt);
}

static void redef_dims(const void *cfg, task_dims *out)
{
	(void)cfg;
	out->obs_dim = out->act_dim = out->state_dim = 1;
	out->max_steps = 4;
}

/* A task .cl that defines TASK_OBS_DIM itself does not build, and the
 * message says why. */
static void test_redefined_size_rejected(void **state)
{
	const task_ops redef = {
		.name = "contract_redef", .summary = "test", .cfg_size = 1,
		.cl_file = "tests/contract_redef.cl", .dims = redef_dims,
		.defines = tc_no_defines, .kind = TASK_EPISODIC,
	};
	clrt *rt = tu_rt_open();
	mlp_cfg pol;
	ej_err err = { 0 };
	sim *s;

	(void)state;
	tc_mlp_defaults(&pol);
	s = sim_create(rt, &redef, NULL, &mlp_ops, &pol, 1, false, &err);
	assert_null(s);
	assert_int_equal(err.code, EJ_EXIT_DEVICE);
	if (!strstr(err.msg, "TASK_OBS_DIM missing or defined in a .cl file"))
		fail_msg("unexpected message: %s", err.msg);
	clrt_free(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registered_tasks_build),
		cmocka_unit_test(test_redefined_size_rejected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
