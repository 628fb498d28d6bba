/* superv.h - supervised image classification evaluated as batched GEMMs
 * over the population (the "layered path" of DESIGN.md, for policies too
 * big for the fused rollout kernel), EvoJAX semantics:
 *
 *   train fitness of member m at iteration t = mean over a batch of
 *     log softmax(MLP_m(x_b))[y_b]   (maximized; <= 0)
 *   where the batch (same for every member) is drawn WITHOUT replacement
 *   from the training set; test = argmax accuracy over the whole test set.
 *
 * The policy is an MLP with in = rows*cols inputs (pixel / 255 as float),
 * tanh hidden layers mlp->hidden and out = train->n_classes LINEAR outputs
 * (logits): mlp->output is ignored (log_softmax is taken inside the loss).
 * Parameters use the Flax flat layout of policies/mlp.h: per layer
 * bias[out] then kernel[in][out] (row = input).
 *
 * Device work per call (OpenCL + CLBlast 1.5, one in-order queue):
 *   train: batch indices (host, superv_sample_batch) -> gather kernel
 *          X (batch, in) -> layer 0 of every member as ONE CLBlastSgemm
 *          (X shared; the members' layer-0 kernels repacked side by side)
 *          -> later layers as CLBlastSgemmStridedBatched over the
 *          population (b_stride = P); bias + tanh kernel after each hidden
 *          layer -> loss kernel (one work-group per member, fixed-order
 *          tree reduction: deterministic).
 *   test:  the test set in chunks of SUPERV_TEST_CHUNK images, population
 *          of one, argmax kernel (ties: the LOWEST class index wins).
 * Both image sets are uploaded once at creation as uint8; params are
 * uploaded once per call into a (pop, P) buffer that grows as needed;
 * nothing else is allocated after creation.
 *
 * Errors: EJ_EXIT_USAGE for bad arguments (batch 0 or > train->n, pop 0,
 * image sizes of train and test differ, test labels >= n_classes, more
 * than 2^32-1 images, a population whose buffers exceed 2^32-1 floats), EJ_EXIT_DEVICE for OpenCL failures and for every
 * CLBlast status != CLBlastSuccess ("CLBlastSgemmStridedBatched failed:
 * status -1017 (layer 1)").
 */
#ifndef EJ_SUPERV_H
#define EJ_SUPERV_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/idx.h"
#include "opencl/clrt.h"
#include "policies/mlp.h"
#include "policies/policy.h"

#define SUPERV_TEST_CHUNK 2048 /* test images per device pass */

typedef struct superv superv;

/* Borrow rt (must outlive the evaluator); train/test are copied to the
 * device and not kept.  batch in [1, train->n].  seed drives the batch
 * sampling (PH_PURPOSE_DATA). */
superv *superv_create(clrt *rt, const idx_set *train, const idx_set *test,
		      const mlp_cfg *mlp, size_t batch, uint32_t seed,
		      ej_err *err);
/* The same for any policy: 'mlp' (pol_cfg a mlp_cfg, as superv_create)
 * or 'convnet' (pol_cfg a convnet_cfg, policies/convnet.h).  ConvNets of
 * two blocks on single-channel images with channel counts that are
 * multiples of 8 (EvoJAX's [8, 16] among them) run fused: one kernel
 * (policies/convnet.cl) computes the whole forward pass of one (member,
 * image) pair per work-item straight from the uint8 images, output
 * channels in float8 vectors; measured on PoCL (2-core EPYC, pop 64 x
 * 1024 MNIST images): 72-85 GFLOP/s on a quiet machine, against 3.1 for
 * the layered path and 3-4 for CLBlast's im2col+GEMM (CLBlastSconvgemm on
 * one layer, bench_superv).
 * Other ConvNets run layered: each conv block as one direct-convolution
 * kernel (conv + bias + relu + 2x2 max-pool fused, one work-item per
 * pooled output, the image batch shared by all members), the dense layer
 * as a CLBlastSgemmStridedBatched over the population.  Both end in the
 * shared loss / argmax kernels.  Images are (rows, cols, 1).  Other
 * policies: EJ_EXIT_USAGE "policy '<name>' cannot classify images: use
 * 'mlp' or 'convnet'"; a convnet that does not fit the image size: the
 * message of convnet_shape_of. */
superv *superv_create_policy(clrt *rt, const idx_set *train,
			     const idx_set *test, const policy_ops *pol,
			     const void *pol_cfg, size_t batch,
			     uint32_t seed, ej_err *err);
void superv_free(superv *s);

/* MLP: P = sum over layers of out + in*out; convnet: convnet_shape_of. */
size_t superv_param_count(const superv *s);

/* fitness[m] = mean log p(label) of member m (params (pop, P), host) on
 * the batch of iteration iter.  Same (seed, iter) => same batch. */
int superv_train_eval(superv *s, const float *params, size_t pop,
		      uint32_t iter, float *fitness, ej_err *err);

/* *accuracy = fraction of test images with argmax(logits) == label for
 * the single parameter vector params (P). */
int superv_test_accuracy(superv *s, const float *params, double *accuracy,
			 ej_err *err);

/* The batch of iteration iter: a partial Fisher-Yates shuffle of 0..n-1.
 * perm (n entries, scratch) is set to the identity, then for
 * i = 0 .. batch-1: w = ph_draw(seed, PH_PURPOSE_DATA, iter, 0, 0, i).v[0],
 * j = i + (w * (n - i)) >> 32 (64-bit product), swap perm[i], perm[j].
 * The batch is perm[0 .. batch-1]: distinct indices < n.  Requires
 * 1 <= batch <= n <= 2^32 - 1. */
void superv_sample_batch(uint32_t seed, uint32_t iter, uint32_t *perm,
			 size_t n, size_t batch);

/* Host reference: mean over b < batch of log_softmax(logits)[labels[j]],
 * j = idx[b], logits = mlp_ref_forward (output forced to linear) of
 * images[j * in ...] / 255.  Accumulated in double; NAN if out of
 * memory.  classes <= 256, hidden widths <= 4096 (mlp_ref_forward). */
double superv_ref_loglik(const mlp_cfg *mlp, int in, int classes,
			 const float *w, const uint8_t *images,
			 const uint8_t *labels, const uint32_t *idx,
			 size_t batch);

#endif
