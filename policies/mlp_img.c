/* mlp_img.c - the MLP policy's forward pass of a whole population on image
 * batches as CLBlast GEMMs (mlp_ops.images, core/superv.h).  See
 * mlp_img.h for the network and its layout.
 *
 * Layout of the device work (row-major throughout), for a pass of pop
 * members on 'rows' images x (rows, in) (superv's gather):
 *   layer 0: the input x is shared by all members, so the layer-0 kernels
 *     of all members are repacked side by side into wcat (in, pop*h0)
 *     (superv's scratch buffer) and ONE CLBlastSgemm computes act
 *     (rows, pop*h0) = x (rows, in) x wcat; member m's activations sit at
 *     column m*h0 (ld pop*h0).
 *     Measured on PoCL (2-core EPYC, pop 64, batch 1024, 784 -> 64):
 *     12.0-14.5 GFLOP/s against 9.7-10.8 for a strided-batched GEMM with
 *     a_stride 0 (which CLBlast 1.5.3 accepts and computes correctly) and
 *     7 for one GEMM per member.
 *   layer l >= 1 of member m: C_m (rows, out) = A_m (rows, in_l) x W_m
 *     (in_l, out) by CLBlastSgemmStridedBatched over the population, W_m
 *     at params + m*P + off_l + out (kernel after bias), b_ld = out,
 *     b_stride = P; A_1 at m*h0 with ld pop*h0 (a_stride h0), later A_l
 *     at m*rows*in_l (ld in_l); C is (pop, rows, out).
 *   hidden layers: bias + tanh kernel; last layer: the bias is added
 *   inside superv's loss / argmax kernels.
 */
#include "policies/mlp_img.h"

#include <clblast_c.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "opencl/clsrc.h"

typedef struct mlp_img {
	clrt *rt;            /* borrowed */
	int n_layers;        /* hidden layers + 1 */
	int width[MLP_MAX_HIDDEN + 2]; /* width[0] = in ... width[L] = classes */
	size_t off[MLP_MAX_HIDDEN + 1]; /* start (bias) of layer l in P */
	size_t P;
	cl_kernel k_repack, k_bias_tanh;
} mlp_img;

double mlp_img_ref_loglik(const mlp_cfg *mlp, int in, int classes,
			  const float *w, const uint8_t *images,
			  const uint8_t *labels, const uint32_t *idx,
			  size_t batch)
{
	mlp_cfg lin = *mlp;
	float *x = malloc((size_t)in * sizeof(float));
	float z[256];
	double sum = 0.0;

	if (!x)
		return NAN;
	snprintf(lin.output, sizeof(lin.output), "linear");
	for (size_t b = 0; b < batch; b++) {
		const uint8_t *img = images + (size_t)idx[b] * (size_t)in;
		double mx, s = 0.0;

		for (int p = 0; p < in; p++)
			x[p] = (float)img[p] / 255.0f;
		mlp_ref_forward(&lin, in, classes, w, x, z);
		mx = z[0];
		for (int j = 1; j < classes; j++)
			mx = fmax(mx, z[j]);
		for (int j = 0; j < classes; j++)
			s += exp(z[j] - mx);
		sum += z[labels[idx[b]]] - mx - log(s);
	}
	free(x);
	return sum / (double)batch;
}

/* ---- creation ---------------------------------------------------------- */

static int mlp_img_check(const mlp_cfg *mlp, ej_err *err)
{
	if (mlp->hidden.n < 0 || mlp->hidden.n > MLP_MAX_HIDDEN)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "too many hidden layers: %d (at most %d)",
			       mlp->hidden.n, MLP_MAX_HIDDEN);
	for (int l = 0; l < mlp->hidden.n; l++)
		if (mlp->hidden.v[l] < 1)
			return ej_fail(err, EJ_EXIT_USAGE,
				       "hidden layer %d has width %d", l,
				       mlp->hidden.v[l]);
	return 0;
}

static void mlp_img_shape(mlp_img *s, const superv_dims *d,
			  const mlp_cfg *mlp, superv_shape *sh)
{
	s->n_layers = mlp->hidden.n + 1;
	s->width[0] = d->rows * d->cols;
	for (int l = 0; l < mlp->hidden.n; l++)
		s->width[l + 1] = mlp->hidden.v[l];
	s->width[s->n_layers] = d->classes;
	s->P = 0;
	sh->act_width = 1;
	for (int l = 0; l < s->n_layers; l++) {
		size_t a = (size_t)s->width[l], b = (size_t)s->width[l + 1];

		s->off[l] = s->P;
		s->P += b + a * b;
		if (b > sh->act_width)
			sh->act_width = b;
	}
	sh->P = s->P;
	sh->out_bias = s->off[s->n_layers - 1];
	/* wcat (in, pop*h0): the layer-0 kernels of every member */
	sh->scratch = (size_t)s->width[0] * (size_t)s->width[1];
	sh->needs_x = 1;
}

static void mlp_img_free(void *state)
{
	mlp_img *s = state;

	if (!s)
		return;
	if (s->k_repack)
		clReleaseKernel(s->k_repack);
	if (s->k_bias_tanh)
		clReleaseKernel(s->k_bias_tanh);
	free(s);
}

static int mlp_img_create(void **state, clrt *rt, const void *cfg,
			  const superv_dims *d, superv_shape *sh, ej_err *err)
{
	const char *files[] = { "policies/mlp_img.cl" };
	mlp_img *s;
	cl_program prog;

	*state = NULL;
	if (mlp_img_check(cfg, err) < 0)
		return -1;
	if (!(s = calloc(1, sizeof(*s))))
		return ej_fail(err, EJ_EXIT_RUN, "out of memory");
	s->rt = rt;
	mlp_img_shape(s, d, cfg, sh);
	prog = clsrc_build(rt, "mlp_img", NULL, files, 1, NULL, err);
	if (!prog ||
	    !(s->k_repack = clrt_kernel(rt, prog, "mlp_img_repack", err)) ||
	    !(s->k_bias_tanh = clrt_kernel(rt, prog, "mlp_img_bias_tanh",
					   err))) {
		mlp_img_free(s);
		return -1;
	}
	*state = s;
	return 0;
}

/* ---- forward pass ------------------------------------------------------ */

/* Layer 0 for all members at once: repack the kernels into wcat, then
 * act[0] (rows, pop*h0) = x (rows, in) x wcat (in, pop*h0). */
static int mlp_img_layer0(mlp_img *s, const superv_pass *p, ej_err *err)
{
	size_t a = (size_t)s->width[0], b = (size_t)s->width[1];
	size_t pop = p->pop, rows = p->rows, total = pop * a * b;
	cl_command_queue q = clrt_queue(s->rt);
	CLBlastStatusCode st;

	if (clrt_args(s->k_repack, err, "muuuuumu", p->params, (unsigned)s->P,
		      (unsigned)(s->off[0] + b), (unsigned)a, (unsigned)b,
		      (unsigned)pop, p->scratch, (unsigned)total) < 0 ||
	    superv_launch(s->rt, s->k_repack, total, err) < 0)
		return -1;
	st = CLBlastSgemm(CLBlastLayoutRowMajor, CLBlastTransposeNo,
			  CLBlastTransposeNo, rows, pop * b, a, 1.0f, p->x, 0,
			  a, p->scratch, 0, pop * b, 0.0f, p->act[0], 0,
			  pop * b, &q, NULL);
	if (st != CLBlastSuccess)
		return superv_blas_fail(s->rt, st, "CLBlastSgemm", 0, rows,
					pop * b, a, 1, err);
	return 0;
}

/* Layer l >= 1: C_m = A_m x W_m by a strided-batched GEMM; the input is
 * act[(l-1)&1] ((rows, pop, in_l) after layer 0, else (pop, rows, in_l)),
 * the output act[l&1] (pop, rows, out). */
static int mlp_img_layer_n(mlp_img *s, int l, const superv_pass *p,
			   ej_err *err)
{
	size_t a = (size_t)s->width[l], b = (size_t)s->width[l + 1];
	int shared = l == 1; /* (rows, pop, in_l) layer-0 output */

	return superv_gemm_pop(
		s->rt, p,
		&(superv_gemm){ .layer = l, .in = a, .out = b,
				.a = p->act[(l - 1) & 1],
				.a_ld = shared ? p->pop * a : a,
				.a_stride = shared ? a : p->rows * a,
				.koff = s->off[l] + b, .c = p->act[l & 1] },
		err);
}

/* Member stride of layer l's output in act (row stride: mlp_img_rstride). */
static size_t mlp_img_mstride(const mlp_img *s, int l, size_t rows)
{
	size_t b = (size_t)s->width[l + 1];

	return l == 0 ? b : rows * b;
}

static size_t mlp_img_rstride(const mlp_img *s, int l, size_t pop)
{
	size_t b = (size_t)s->width[l + 1];

	return l == 0 ? pop * b : b;
}

/* Layer l of the pass, plus bias + tanh for hidden layers (the output
 * layer's bias is added by the loss/argmax). */
static int mlp_img_layer(mlp_img *s, int l, const superv_pass *p,
			 ej_err *err)
{
	size_t b = (size_t)s->width[l + 1], total = p->pop * p->rows * b;
	int rc = l == 0 ? mlp_img_layer0(s, p, err)
			: mlp_img_layer_n(s, l, p, err);

	if (rc < 0 || l == s->n_layers - 1)
		return rc;
	if (clrt_args(s->k_bias_tanh, err, "mmuuuuuu", p->act[l & 1],
		      p->params, (unsigned)s->P, (unsigned)s->off[l],
		      (unsigned)b, (unsigned)mlp_img_mstride(s, l, p->rows),
		      (unsigned)p->pop, (unsigned)total) < 0)
		return -1;
	return superv_launch(s->rt, s->k_bias_tanh, total, err);
}

static int mlp_img_forward(void *state, const superv_pass *p,
			   superv_logits *out, ej_err *err)
{
	mlp_img *s = state;
	int last = s->n_layers - 1;

	for (int l = 0; l < s->n_layers; l++)
		if (mlp_img_layer(s, l, p, err) < 0)
			return -1;
	out->z = p->act[last & 1];
	out->mstride = mlp_img_mstride(s, last, p->rows);
	out->rstride = mlp_img_rstride(s, last, p->pop);
	return 0;
}

const superv_policy_ops mlp_img_ops = {
	.create = mlp_img_create,
	.forward = mlp_img_forward,
	.free = mlp_img_free,
};
