/* episode.h - one episode of an episodic task on the host, driven by the
 * task's and the policy's host references (task_ops.host,
 * policy_ops.host) in core/rollout.cl's order: observe, the opponents act
 * on their raw rows, the driven agents' rows are normalized (when the
 * experiment normalizes, with the saved obs_params, as the device does),
 * the policy acts, the task steps; rewards are summed in float up to and
 * including the step that ends the episode (done, or max_steps).
 *
 * Keys: world k of seed S is the evaluator's test world k
 * (core/sim.c sim_eval_test): resets (S, PH_PURPOSE_TEST_RESET, iter 0,
 * member 0, repeat k), step draws keyed likewise, as `evojax test` runs
 * them.  With test_n_repeats 1 (the default) world k is test episode k.
 * Every driven agent runs the one parameter vector (the evaluator's test
 * gives each agent of a TASK_AGENTS_DISTINCT world a copy); the return is
 * the evaluator's per world: agent 0's reward sum for one agent or
 * TASK_AGENTS_OPPONENT, the mean over agents otherwise.
 *
 * The host reference is the device code's arithmetic up to libm: the
 * return equals the evaluator's to the bit where the task and policy
 * make no libm calls whose last bit matters, and within the tolerances
 * of tests/test_render.c otherwise (cartpole's swing-up is chaotic).
 */
#ifndef EJ_EPISODE_H
#define EJ_EPISODE_H

#include <stdbool.h>

#include "core/err.h"
#include "core/exp.h"

typedef struct episode episode;

/* Can the experiment's episodes run on the host (and, with 'draw', be
 * drawn)?  0, or -1 with an EJ_EXIT_USAGE message naming what is
 * missing and the tasks that can be rendered. */
int episode_check(const exp_cfg *e, bool draw, ej_err *err);

/* The sizes of what episode_create takes for e: the policy's parameter
 * count and the normalizer's (1 + 2 obs_dim, as in npz files). */
void episode_sizes(const exp_cfg *e, size_t *n_params, size_t *n_obs_params);

/* An episode runner for params (the policy's P floats, copied) and
 * obs_params (the normalizer, 1 + 2 obs_dim doubles as saved in npz
 * files; NULL: zeros, as `evojax test` without them).  e is borrowed. */
episode *episode_create(const exp_cfg *e, const float *params,
			const double *obs_params, ej_err *err);
void episode_free(episode *ep);

/* Start test world k of 'seed' at iteration 'iter' (the reset; no step
 * yet): the evaluator's test episode k of that iteration. */
void episode_reset(episode *ep, unsigned seed, unsigned iter, unsigned k);
/* One step.  1 when the episode is over (done or max_steps; no further
 * step is taken), 0 when it goes on, -1 on error (out of memory). */
int episode_step(episode *ep, ej_err *err);

const float *episode_state(const episode *ep); /* (state_dim) */
int episode_steps(const episode *ep);          /* steps taken */
double episode_return(const episode *ep);      /* so far */
bool episode_over(const episode *ep);
const task_dims *episode_dims(const episode *ep);

#endif
