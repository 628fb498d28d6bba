/* mlp.h - MLP policy: tanh hidden layers, tanh/softmax/linear output. */
#ifndef EJ_MLP_H
#define EJ_MLP_H

#include <stddef.h>

#include "core/cfg.h"
#include "policies/policy.h"

#define MLP_MAX_HIDDEN 4

typedef struct mlp_cfg {
	cfg_ilist hidden;          /* hidden layer widths */
	char output[CFG_STR_MAX];  /* tanh | softmax | linear */
} mlp_cfg;

extern const policy_ops mlp_ops;

/* Host reference forward pass (float, same order of operations as
 * policies/mlp.cl up to the tanh formula).  w in Flax flat layout. */
void mlp_ref_forward(const mlp_cfg *cfg, int obs_dim, int act_dim,
		     const float *w, const float *obs, float *act);

#endif
