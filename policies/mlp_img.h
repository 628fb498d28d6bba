/* mlp_img.h - the MLP policy (policies/mlp.h) on image batches: its image
 * ops for core/superv.h (mlp_ops.images) and a host reference.
 *
 * The network has in = rows*cols inputs (pixel / 255 as float), tanh
 * hidden layers mlp->hidden and out = classes LINEAR outputs (logits):
 * mlp->output is ignored (log_softmax is taken inside the loss).
 * Parameters use the Flax flat layout of policies/mlp.h: per layer
 * bias[out] then kernel[in][out] (row = input); P = sum over layers of
 * out + in*out.
 *
 * Device work per pass: layer 0 of every member as ONE CLBlastSgemm (X
 * shared; the members' layer-0 kernels repacked side by side) -> later
 * layers as CLBlastSgemmStridedBatched over the population (b_stride =
 * P); bias + tanh kernel after each hidden layer (policies/mlp_img.cl).
 * Errors: EJ_EXIT_USAGE for more than MLP_MAX_HIDDEN hidden layers or a
 * width < 1.
 */
#ifndef EJ_MLP_IMG_H
#define EJ_MLP_IMG_H

#include <stddef.h>
#include <stdint.h>

#include "core/superv.h"
#include "policies/mlp.h"

extern const superv_policy_ops mlp_img_ops;

/* Host reference: mean over b < batch of log_softmax(logits)[labels[j]],
 * j = idx[b], logits = mlp_ref_forward (output forced to linear) of
 * images[j * in ...] / 255.  Accumulated in double; NAN if out of
 * memory.  classes <= 256, hidden widths <= 4096 (mlp_ref_forward). */
double mlp_img_ref_loglik(const mlp_cfg *mlp, int in, int classes,
			  const float *w, const uint8_t *images,
			  const uint8_t *labels, const uint32_t *idx,
			  size_t batch);

#endif
