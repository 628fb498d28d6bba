/* convnet.h - ConvNet policy for image classification (EvoJAX's MNIST
 * network): per entry c of 'channels': conv kxk SAME (c filters) + relu +
 * maxpool 2x2 stride 2 (VALID, odd sizes round down); then dense to the
 * classes (logits; log_softmax is taken by the loss).  Square
 * single-channel images only through policy_ops (obs_dim = side*side). */
#ifndef EJ_CONVNET_H
#define EJ_CONVNET_H

#include <stddef.h>

#include "core/cfg.h"
#include "policies/policy.h"

#define CONVNET_MAX_LAYERS 4 /* conv blocks */

typedef struct convnet_cfg {
	cfg_ilist channels; /* output channels of each conv block */
	int kernel;         /* kernel side (square) */
} convnet_cfg;

/* Shapes of one network on (H, W, C_in) images and n classes: layer l
 * reads (h[l], w[l], c[l]) and, after pooling, writes (h[l+1], w[l+1],
 * c[l+1]); off[l] is the start (bias) of conv l in the flat parameters,
 * off[n_conv] the start of the dense layer; P the total. */
typedef struct convnet_shape {
	int n_conv, k, classes;
	int h[CONVNET_MAX_LAYERS + 1], w[CONVNET_MAX_LAYERS + 1],
		c[CONVNET_MAX_LAYERS + 1];
	size_t off[CONVNET_MAX_LAYERS + 1];
	size_t dense_in; /* h[n]*w[n]*c[n] */
	size_t P;
} convnet_shape;

extern const policy_ops convnet_ops;

/* Fill *sh; -1 with an EJ_EXIT_USAGE message when the config is out of
 * range or a pooled map becomes empty (a side < 2 before a pool). */
int convnet_shape_of(const convnet_cfg *cfg, int H, int W, int C_in,
		     int classes, convnet_shape *sh, ej_err *err);

/* Host reference: logits (classes) of one uint8 image (H, W, 1) HWC,
 * pixels / 255, weights w in the Flax flat layout.  Float arithmetic,
 * accumulation in the device order (dy, dx, ci) with fmaf.  Returns -1
 * on a bad shape or out of memory (no message). */
int convnet_ref_logits(const convnet_cfg *cfg, int H, int W, int classes,
		       const float *w, const unsigned char *image,
		       float *logits);

#endif
