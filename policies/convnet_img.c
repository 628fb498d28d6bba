/* convnet_img.c - the ConvNet policy's forward pass of a whole population
 * on image batches (convnet_ops.images, core/superv.h): the fused kernel
 * or the layered path of convnet_img.h, device code policies/convnet.cl.
 *
 * Layered layout: block l writes act[l&1] (pop, rows, h[l+1], w[l+1],
 * c[l+1]) from x (shared by all members) or act[(l-1)&1]; the dense
 * layer reads block n-1's output (pop, rows, dense_in) and writes the
 * logits to act[n&1] (pop, rows, classes), n = n_conv.  The fused kernel
 * writes the same logits from the uint8 images.
 */
#include "policies/convnet_img.h"

#include <stdio.h>
#include <stdlib.h>

#include "opencl/clsrc.h"
#include "policies/convnet.h"

typedef struct convnet_img {
	clrt *rt;          /* borrowed */
	convnet_shape cs;
	int fused;         /* run by convnet_forward (one kernel) */
	cl_kernel k;       /* convnet_forward or convnet_conv_pool */
} convnet_img;

/* Floats per image of block l's input (l = n_conv: the dense layer's). */
static size_t convnet_img_map(const convnet_shape *c, int l)
{
	return (size_t)c->h[l] * c->w[l] * c->c[l];
}

/* The fused kernel (policies/convnet.cl) serves two blocks on
 * single-channel images with output channels in whole float8 vectors
 * (EvoJAX's [8, 16]); its private maps must stay small (<= 64 KiB). */
static int convnet_img_fusable(const convnet_shape *c)
{
	size_t pad0 = (size_t)(c->h[0] + c->k - 1) * (size_t)(c->w[0] + c->k - 1);
	size_t pad1 = (size_t)(c->h[1] + c->k - 1) *
		      (size_t)(c->w[1] + c->k - 1) * (size_t)c->c[1];

	return c->n_conv == 2 && c->c[0] == 1 && c->c[1] % 8 == 0 &&
	       c->c[2] % 8 == 0 && c->classes <= 256 &&
	       (pad0 + pad1 + c->dense_in) * sizeof(float) <= 65536;
}

/* The fused kernel with its shape compiled in, or the layered block
 * kernel. */
static int convnet_img_build(convnet_img *s, ej_err *err)
{
	const char *files[] = { "policies/convnet.cl" };
	const convnet_shape *c = &s->cs;
	char defs[256];
	cl_program prog;

	defs[0] = '\0';
	if (s->fused)
		snprintf(defs, sizeof(defs),
			 "#define CN_H %d\n#define CN_W %d\n#define CN_K %d\n"
			 "#define CN_C1 %d\n#define CN_C2 %d\n#define CN_CLS %d\n",
			 c->h[0], c->w[0], c->k, c->c[1], c->c[2], c->classes);
	prog = clsrc_build(s->rt, "convnet", defs, files, 1, NULL, err);
	if (!prog ||
	    !(s->k = clrt_kernel(s->rt, prog,
				 s->fused ? "convnet_forward"
					  : "convnet_conv_pool",
				 err)))
		return -1;
	return 0;
}

static void convnet_img_free(void *state)
{
	convnet_img *s = state;

	if (!s)
		return;
	if (s->k)
		clReleaseKernel(s->k);
	free(s);
}

static int convnet_img_create(void **state, clrt *rt, const void *cfg,
			      const superv_dims *d, superv_shape *sh,
			      ej_err *err)
{
	convnet_img *s;
	const convnet_shape *c;

	*state = NULL;
	if (!(s = calloc(1, sizeof(*s))))
		return ej_fail(err, EJ_EXIT_RUN, "out of memory");
	s->rt = rt;
	c = &s->cs;
	if (convnet_shape_of(cfg, d->rows, d->cols, 1, d->classes, &s->cs,
			     err) < 0) {
		convnet_img_free(s);
		return -1;
	}
	s->fused = convnet_img_fusable(c);
	sh->P = c->P;
	sh->out_bias = c->off[c->n_conv];
	sh->act_width = (size_t)d->classes;
	if (!s->fused) /* act also holds the block outputs */
		for (int l = 1; l <= c->n_conv; l++)
			if (convnet_img_map(c, l) > sh->act_width)
				sh->act_width = convnet_img_map(c, l);
	sh->scratch = 0;
	sh->needs_x = !s->fused;
	if (convnet_img_build(s, err) < 0) {
		convnet_img_free(s);
		return -1;
	}
	*state = s;
	return 0;
}

/* ConvNet block l of the pass: act[l&1] (pop, rows, map l+1) from x
 * (shared) or act[(l-1)&1]. */
static int convnet_img_block(convnet_img *s, int l, const superv_pass *p,
			     ej_err *err)
{
	const convnet_shape *c = &s->cs;
	size_t rows = p->rows, total = p->pop * rows * convnet_img_map(c, l + 1);
	cl_mem in = l == 0 ? p->x : p->act[(l - 1) & 1];
	size_t mstride = l == 0 ? 0 : rows * convnet_img_map(c, l);

	if (clrt_args(s->k, err, "muuuumuuuuumu", in, (unsigned)mstride,
		      (unsigned)c->h[l], (unsigned)c->w[l], (unsigned)c->c[l],
		      p->params, (unsigned)p->P, (unsigned)c->off[l],
		      (unsigned)c->c[l + 1], (unsigned)c->k, (unsigned)rows,
		      p->act[l & 1], (unsigned)total) < 0)
		return -1;
	return superv_launch(s->rt, s->k, total, err);
}

static int convnet_img_layered(convnet_img *s, const superv_pass *p,
			       ej_err *err)
{
	const convnet_shape *c = &s->cs;
	int n = c->n_conv;
	size_t a = c->dense_in, b = (size_t)c->classes;

	for (int l = 0; l < n; l++)
		if (convnet_img_block(s, l, p, err) < 0)
			return -1;
	return superv_gemm_pop(
		s->rt, p,
		&(superv_gemm){ .layer = n, .in = a, .out = b,
				.a = p->act[(n - 1) & 1], .a_ld = a,
				.a_stride = p->rows * a,
				.koff = c->off[n] + b, .c = p->act[n & 1] },
		err);
}

/* Whole ConvNet in one launch, reading the uint8 images directly. */
static int convnet_img_fused(convnet_img *s, const superv_pass *p,
			     ej_err *err)
{
	if (clrt_args(s->k, err, "mmuuumum", p->images, p->idx,
		      (unsigned)p->use_idx, (unsigned)p->first,
		      (unsigned)p->rows, p->params, (unsigned)p->P,
		      p->act[s->cs.n_conv & 1]) < 0)
		return -1;
	return clrt_launch(s->rt, s->k, p->pop * p->rows, 1, err);
}

static int convnet_img_forward(void *state, const superv_pass *p,
			       superv_logits *out, ej_err *err)
{
	convnet_img *s = state;
	int rc = s->fused ? convnet_img_fused(s, p, err)
			  : convnet_img_layered(s, p, err);

	out->z = p->act[s->cs.n_conv & 1];
	out->mstride = p->rows * (size_t)s->cs.classes;
	out->rstride = (size_t)s->cs.classes;
	return rc;
}

const superv_policy_ops convnet_img_ops = {
	.create = convnet_img_create,
	.forward = convnet_img_forward,
	.free = convnet_img_free,
};
