/* policy.h - the policy interface: an ops table per policy network.  Adding
 * a policy = one .c/.cl pair in policies/ and one line in
 * policies/registry.c.
 *
 * Episodic device code (cl_file) follows the contract at the top of
 * core/rollout.cl, on VL lanes (VF, core/lanes.cl):
 *   void policy_reset(VF *ps)                          at episode start
 *   void policy_forward(const __global float *w, VF *ps, const VF *obs,
 *                       VF *act)                       once per step
 * ps is the policy's recurrent state, POLICY_STATE_DIM values per agent
 * (state_dim() below; 0 for a feed-forward policy, whose ps is then a
 * dummy it must not touch).  The sizes POLICY_PARAMS and POLICY_STATE_DIM
 * are defined by core/sim.c from param_count() and state_dim(), never in
 * the .cl file.  Parameters use the Flax flat layout: for each layer in
 * order, bias then kernel[in][out].
 */
#ifndef EJ_POLICY_H
#define EJ_POLICY_H

#include <stddef.h>

#include "core/cfg.h"
#include "core/err.h"

struct superv_policy_ops;

/* Capabilities a task may need of its policy (plain data). */
enum policy_cap {
	POLICY_CAP_STEP = 1u << 0,    /* policy_forward in cl_file: episodic
					 rollouts (core/rollout.cl) */
	POLICY_CAP_IMAGES = 1u << 1,  /* classifies image batches
					 (core/superv.h) */
	POLICY_CAP_SEQ2SEQ = 1u << 2, /* encodes and decodes token sequences
					 (tasks/s2s.h) */
};

/* The host forward of an episodic policy (policy_ops.host; optional):
 * its host reference, the device code's arithmetic up to libm rounding,
 * for `evojax render` (core/episode.c).  ps holds state_dim() floats (a
 * 1-float dummy for a feed-forward policy); reset clears it at episode
 * start, forward does one step: obs (obs_dim) -> act (act_dim), updating
 * ps.  forward returns 0, or -1 when out of memory. */
typedef struct policy_host_ops {
	void (*reset)(const void *cfg, int obs_dim, int act_dim, float *ps);
	int (*forward)(const void *cfg, int obs_dim, int act_dim,
		       const float *w, float *ps, const float *obs,
		       float *act);
} policy_host_ops;

typedef struct policy_ops {
	const char *name;
	const char *summary;
	const cfg_field *fields; /* schema of the 'policy' section, minus "name" */
	size_t n_fields;
	size_t cfg_size;
	const char *cl_file;
	size_t (*param_count)(const void *cfg, int obs_dim, int act_dim);
	void (*defines)(const void *cfg, int obs_dim, int act_dim, char *buf,
			size_t size);
	/* What the policy can do, a mask of enum policy_cap; a task runs
	 * with it when it has every capability in task_ops.policy_caps. */
	unsigned caps;
	/* Recurrent state per agent (floats) for an episode, emitted as
	 * POLICY_STATE_DIM; NULL: none (0), as for the MLP. */
	int (*state_dim)(const void *cfg, int obs_dim, int act_dim);
	/* Image classification (core/superv.h): set exactly when caps has
	 * POLICY_CAP_IMAGES, else NULL. */
	const struct superv_policy_ops *images;
	/* POLICY_CAP_STEP policies, optional: the host forward (above);
	 * NULL: episodes with this policy cannot be rendered. */
	const policy_host_ops *host;
} policy_ops;

extern const policy_ops *const policy_registry[]; /* NULL-terminated */
const policy_ops *policy_find(const char *name);

#endif
