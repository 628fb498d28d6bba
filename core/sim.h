/* sim.h - the rollout manager: composes a task's and a policy's device code
 * with the fused rollout kernel (core/rollout.cl, which documents the
 * device contract) into one OpenCL program and evaluates populations with
 * EvoJAX semantics (DESIGN.md):
 *  - every member runs the same n_repeats episodes (common reset keys; the
 *    per-step draws are keyed like the resets),
 *  - fixed max_steps with done-masking, return = sum of unmasked rewards,
 *  - multi-agent tasks map members to agents by the task's agent_map
 *    (tasks/task.h): a member's return is its agent's reward sum, or the
 *    mean over its world's agents (TASK_AGENTS_SHARED),
 *  - optional running observation normalization (core/obsnorm.h), updated
 *    from training rollouts only.
 */
#ifndef EJ_SIM_H
#define EJ_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/eval.h"
#include "opencl/clrt.h"
#include "policies/policy.h"
#include "tasks/task.h"

typedef struct sim sim;

/* lanes: environments per work-item (1, 2, 4, 8, 16), 0 = auto (16 on
 * CPU devices, 1 otherwise).  Builds the program (EJ_EXIT_DEVICE on a build
 * failure, with the build log). */
sim *sim_create(clrt *rt, const task_ops *task, const void *task_cfg,
		const policy_ops *policy, const void *policy_cfg, int lanes,
		bool normalize_obs, ej_err *err);
void sim_free(sim *s);

size_t sim_param_count(const sim *s);
int sim_lanes(const sim *s);
const task_dims *sim_task_dims(const sim *s);

/* Run n members x n_repeats episodes.  params: (n, P).  returns: (n,
 * n_repeats) episode returns.  Reset keys: (seed, purpose, iter,
 * reset_member or the member itself if reset_member == SIM_OWN_RESETS,
 * repeat); with TASK_AGENTS_DISTINCT, n must be a multiple of the task's
 * n_agents (EJ_EXIT_USAGE otherwise) and own keys are those of the world's
 * first member.  update_obs: fold the observations seen into the
 * normalizer. */
#define SIM_OWN_RESETS 0xffffffffu
int sim_rollout(sim *s, const float *params, size_t n, uint32_t seed,
		uint32_t purpose, uint32_t iter, uint32_t reset_member,
		size_t n_repeats, bool update_obs, float *returns,
		ej_err *err);

/* The same with one observation normalizer per group of members:
 * groups[g] covers the next groups[g].n members (a whole number of worlds;
 * the n's add up to n), normalizes their observations with its
 * obs_params (EvoJAX layout, 1 + 2 obs_dim) and, when .update, folds the
 * observations its members saw into them.  Ignored (may be NULL, 0) when
 * the rollout does not normalize.  sim_rollout is this with one group:
 * the sim's own normalizer below. */
typedef struct sim_norm {
	size_t n;            /* members */
	double *obs_params;  /* (1 + 2 obs_dim), in/out */
	bool update;
	bool keep;           /* keep the statistics rows: sim_last_obs_rows */
} sim_norm;
int sim_rollout_norm(sim *s, const float *params, size_t n, uint32_t seed,
		     uint32_t purpose, uint32_t iter, uint32_t reset_member,
		     size_t n_repeats, const sim_norm *groups, size_t n_groups,
		     float *returns, ej_err *err);

/* The statistics rows (1 + 2 obs_dim floats each: core/obsnorm.h) of
 * group g of the last sim_rollout_norm, in member order, when that group
 * had .keep set (or .update); 0 rows otherwise.  Valid until the next
 * rollout. */
size_t sim_last_obs_rows(const sim *s, size_t g, const float **rows);

/* The sim's own observation normalizer (EvoJAX layout, 1 + 2 obs_dim),
 * used by sim_rollout. */
size_t sim_obs_params_size(const sim *s);
const double *sim_obs_params(const sim *s);
void sim_set_obs_params(sim *s, const double *p);
bool sim_normalizes(const sim *s);

/* Seconds spent in the last sim_rollout's kernel (launch to finish). */
double sim_last_kernel_seconds(const sim *s);
/* Environment steps the last rollout took (steps of live episodes; lanes
 * that keep computing after their episode ended do not count). */
double sim_last_env_steps(const sim *s);

/* The evaluator of episodic tasks (core/eval.h): training fitness = mean
 * over trainer.n_repeats episodes with the common reset keys of member 0;
 * test = trainer.n_evaluations episodes (PH_PURPOSE_TEST_RESET), each the
 * mean of test_n_repeats. */
extern const eval_ops sim_eval_ops;

#endif
