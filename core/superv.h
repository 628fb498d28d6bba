/* superv.h - supervised image classification of a whole population on
 * the device (the "layered path" of DESIGN.md, for policies too big for
 * the fused rollout kernel), EvoJAX semantics:
 *
 *   train fitness of member m at iteration t = mean over a batch of
 *     log softmax(logits_m(x_b))[y_b]   (maximized; <= 0)
 *   where the batch (same for every member) is drawn WITHOUT replacement
 *   from the training set; test = argmax accuracy over the whole test set.
 *
 * The network is the policy's: a policy that classifies images says so
 * with its image ops (policy_ops.images, superv_policy_ops below) and
 * computes the logits of a population on a batch into buffers this
 * module owns; images are (rows, cols, 1), pixels / 255 as float, the
 * classes = train->n_classes.  Implementations: policies/mlp_img.c (MLP
 * layers as CLBlast GEMMs), policies/convnet_img.c (ConvNet, fused or
 * layered).
 *
 * Device work per call (OpenCL + CLBlast 1.5, one in-order queue):
 *   train: batch indices (host, superv_sample_batch) -> gather kernel
 *          X (batch, in) (when the policy reads X) -> the policy's forward
 *          pass -> loss kernel (one work-group per member, fixed-order
 *          tree reduction: deterministic).
 *   test:  the test set in chunks of SUPERV_TEST_CHUNK images, population
 *          of one, argmax kernel (ties: the LOWEST class index wins).
 * Both image sets are uploaded once at creation as uint8; params are
 * uploaded once per call into a (pop, P) buffer that grows as needed;
 * nothing else is allocated after creation.
 *
 * Errors: EJ_EXIT_USAGE for bad arguments (batch 0 or > train->n, pop 0,
 * image sizes of train and test differ, test labels >= n_classes, more
 * than 2^32-1 images, a population whose buffers exceed 2^32-1 floats),
 * EJ_EXIT_DEVICE for OpenCL failures and for every CLBlast status !=
 * CLBlastSuccess ("CLBlastSgemmStridedBatched failed: status -1017
 * (layer 1)").
 */
#ifndef EJ_SUPERV_H
#define EJ_SUPERV_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/idx.h"
#include "opencl/clrt.h"
#include "policies/policy.h"

#define SUPERV_TEST_CHUNK 2048 /* test images per device pass */

typedef struct superv superv;

/* ---- what an image policy brings (policy_ops.images) ------------------ */

/* The images a policy is created for: (rows, cols, 1), 'classes' logits. */
typedef struct superv_dims {
	int rows, cols, classes;
} superv_dims;

/* What the policy needs of this module, filled by its create. */
typedef struct superv_shape {
	size_t P;         /* parameters per member */
	size_t out_bias;  /* offset in P of the output layer's bias: the loss
			     and argmax kernels add it to the logits */
	size_t act_width; /* floats per (member, image) in each act buffer */
	size_t scratch;   /* floats per member in the scratch buffer (0: none) */
	int needs_x;      /* 1: the pass reads x (gathered pixels / 255);
			     0: it reads the uint8 images itself */
} superv_shape;

/* One forward pass: pop members on 'rows' images.  Buffers are owned by
 * this module and sized from superv_shape. */
typedef struct superv_pass {
	size_t pop, rows;
	size_t P;       /* superv_shape.P */
	cl_mem params;  /* (pop, P) float */
	cl_mem x;       /* (rows, in) float, when needs_x; in = d.rows*d.cols */
	cl_mem images;  /* (n, in) uchar: the set of the pass */
	cl_mem idx;     /* (rows) uint: the training batch */
	int use_idx;    /* image b = images[idx[b]], else images[first + b] */
	size_t first;
	cl_mem act[2];  /* (pop * rows, act_width) float each, at least */
	cl_mem scratch; /* (pop, scratch) float, NULL when scratch is 0 */
} superv_pass;

/* Where a pass left the logits (classes floats, without the output bias)
 * of member m, image b: z + m*mstride + b*rstride.  With pop 1, rstride
 * must be the classes (the argmax kernel reads rows of logits). */
typedef struct superv_logits {
	cl_mem z;
	size_t mstride, rstride;
} superv_logits;

typedef struct superv_policy_ops {
	/* Device state of policy config cfg on images d: -1 with an
	 * EJ_EXIT_USAGE message when the config does not fit them.  rt is
	 * borrowed and outlives the state. */
	int (*create)(void **state, clrt *rt, const void *cfg,
		      const superv_dims *d, superv_shape *shape, ej_err *err);
	/* Enqueue the logits of p->pop members on p->rows images. */
	int (*forward)(void *state, const superv_pass *p, superv_logits *out,
		       ej_err *err);
	void (*free)(void *state);
} superv_policy_ops;

/* ---- the evaluator ----------------------------------------------------- */

/* Borrow rt (must outlive the evaluator); train/test are copied to the
 * device and not kept.  pol_cfg is a config of policy pol, borrowed for
 * the call.  batch in [1, train->n].  seed drives the batch sampling
 * (PH_PURPOSE_DATA).  A policy without image ops: EJ_EXIT_USAGE "policy
 * '<name>' cannot classify images: use 'mlp' or 'convnet'" (the policies
 * of the registry that can); a config that does not fit the images: the
 * policy's message. */
superv *superv_create(clrt *rt, const idx_set *train, const idx_set *test,
		      const policy_ops *pol, const void *pol_cfg, size_t batch,
		      uint32_t seed, ej_err *err);
void superv_free(superv *s);

/* The policy's parameter count (superv_shape.P). */
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

/* ---- helpers for image policies ---------------------------------------- */

/* Launch 1-D kernel k on 'total' work-items (rounded up to 64, local size
 * 64): the kernel ignores items >= total. */
int superv_launch(clrt *rt, cl_kernel k, size_t total, ej_err *err);

/* EJ_EXIT_DEVICE "<call> failed: status <st> (layer l, m x n x k, batch
 * count c)" for a CLBlast status != CLBlastSuccess; a device out of
 * memory (clrt_is_oom) as clrt_fail_on's "device out of memory: GEMM of
 * layer l (m x n x k, batch count c) on device ...". */
int superv_blas_fail(const clrt *rt, int st, const char *call, int l,
		     size_t m, size_t n, size_t k, size_t count, ej_err *err);

/* One dense layer of every member: C_m (rows, out) = A_m (rows, in) x W_m
 * (in, out) by one CLBlastSgemmStridedBatched over the p->pop members on
 * p->rows rows, A_m at a + m*a_stride (ld a_ld), W_m at p->params +
 * m*P + koff (ld out, so koff
 * = the layer's start + out: the kernel after its bias), C_m at
 * c + m*rows*out (ld out). */
typedef struct superv_gemm {
	int layer; /* for the error message */
	size_t in, out;
	cl_mem a;
	size_t a_ld, a_stride;
	size_t koff;
	cl_mem c;
} superv_gemm;
int superv_gemm_pop(clrt *rt, const superv_pass *p, const superv_gemm *g,
		    ej_err *err);

#endif
