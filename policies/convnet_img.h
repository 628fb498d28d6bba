/* convnet_img.h - the ConvNet policy (policies/convnet.h) on image
 * batches: its image ops for core/superv.h (convnet_ops.images).
 *
 * ConvNets of two blocks on single-channel images with channel counts
 * that are multiples of 8 (EvoJAX's [8, 16] among them) run fused: one
 * kernel (policies/convnet.cl) computes the whole forward pass of one
 * (member, image) pair per work-item straight from the uint8 images,
 * output channels in float8 vectors; measured on PoCL (2-core EPYC, pop
 * 64 x 1024 MNIST images): 72-85 GFLOP/s on a quiet machine, against 3.1
 * for the layered path and 3-4 for CLBlast's im2col+GEMM
 * (CLBlastSconvgemm on one layer, bench_superv).
 * Other ConvNets run layered: each conv block as one direct-convolution
 * kernel (conv + bias + relu + 2x2 max-pool fused, one work-item per
 * pooled output, the image batch shared by all members), the dense layer
 * as a CLBlastSgemmStridedBatched over the population.  Both leave the
 * logits to superv's loss / argmax kernels.  A convnet that does not fit
 * the image size: the message of convnet_shape_of.
 */
#ifndef EJ_CONVNET_IMG_H
#define EJ_CONVNET_IMG_H

#include "core/superv.h"

extern const superv_policy_ops convnet_img_ops;

#endif
