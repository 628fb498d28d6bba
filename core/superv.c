/* superv.c - supervised image classification on the device: MLP forward
 * passes of a whole population as CLBlast strided-batched GEMMs.  See
 * superv.h for the API and semantics.
 *
 * Semantics follow EvoJAX's MNIST task (google/evojax, evojax/task/mnist.py
 * and DESIGN.md "ConvNet for MNIST"): each training iteration samples one
 * batch WITHOUT replacement (default size 1024, chosen by the caller),
 * shared by every member; the training reward is the mean log-likelihood
 * of the labels on that batch; the test score is the accuracy over the
 * full test set.  EvoJAX draws its batch with jax.random.choice(replace=
 * False); here it is a philox-driven partial Fisher-Yates shuffle on the
 * host (superv_sample_batch), so the batch is a pure function of (seed,
 * iteration), identical on every device.
 *
 * Layout of the device work (row-major throughout):
 *   x     (max(batch, chunk), in)        pixels / 255
 *   act   2 x (max(pop*batch, chunk), maxw) ping-pong activations
 *   layer 0: the input x is shared by all members, so the layer-0 kernels
 *     of all members are repacked side by side into wcat (in, pop*h0)
 *     and ONE CLBlastSgemm computes act (rows, pop*h0) = x (rows, in) x
 *     wcat; member m's activations sit at column m*h0 (ld pop*h0).
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
 *   inside the loss / argmax kernels.
 * The loss is accumulated in float by a fixed-order reduction (same
 * inputs => bit-identical fitness on one device).
 */
#include "core/superv.h"

#include <clblast_c.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opencl/clsrc.h"
#include "policies/convnet.h"
#include "opencl/philox.h"

#define SUPERV_WG 64 /* local size of superv_loss (power of two) */

struct superv {
	clrt *rt;            /* borrowed */
	uint32_t seed;
	size_t batch;
	size_t n_train, n_test;
	int in, classes;
	int n_layers;        /* hidden layers + 1 */
	int width[MLP_MAX_HIDDEN + 2]; /* width[0] = in ... width[L] = classes */
	size_t off[MLP_MAX_HIDDEN + 1]; /* start (bias) of layer l in P */
	size_t P;
	int conv;            /* 1: ConvNet policy (cs), 0: MLP */
	int fused;           /* conv net run by convnet_forward (one kernel) */
	convnet_shape cs;    /* conv shapes when conv */
	size_t maxw;         /* widest layer output (fused: the classes) */
	size_t chunk;        /* test images per pass */
	uint32_t *perm;      /* (n_train) host scratch for the shuffle */
	cl_kernel k_gather, k_gather_range, k_repack, k_bias_tanh, k_loss,
		k_argmax, k_conv, k_fused;
	cl_mem train_img;    /* (n_train, in) uchar */
	cl_mem train_lab;    /* (n_train) uchar */
	cl_mem test_img;     /* (n_test, in) uchar */
	cl_mem test_lab;     /* (n_test) uchar */
	cl_mem idx;          /* (batch) uint */
	cl_mem x;            /* (max(batch, chunk), in) float */
	cl_mem act[2];       /* (cap * batch or chunk, maxw) float each */
	cl_mem params;       /* (cap, P) float */
	cl_mem wcat;         /* (in, cap * width[1]) float: layer-0 kernels */
	cl_mem fitness;      /* (cap) float */
	cl_mem correct;      /* (chunk) uchar */
	uint8_t *correct_host; /* (chunk) */
	size_t cap;          /* population the buffers hold */
};

/* ---- batch sampling and host reference -------------------------------- */

void superv_sample_batch(uint32_t seed, uint32_t iter, uint32_t *perm,
			 size_t n, size_t batch)
{
	for (size_t i = 0; i < n; i++)
		perm[i] = (uint32_t)i;
	for (size_t i = 0; i < batch; i++) {
		ph_out w = ph_draw(seed, PH_PURPOSE_DATA, iter, 0, 0,
				   (uint32_t)i);
		size_t j = i + (size_t)(((uint64_t)w.v[0] * (n - i)) >> 32);
		uint32_t t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
}

double superv_ref_loglik(const mlp_cfg *mlp, int in, int classes,
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

static int superv_check(const idx_set *train, const idx_set *test,
			size_t batch, ej_err *err)
{
	if (!train || !test || train->n == 0 || test->n == 0)
		return ej_fail(err, EJ_EXIT_USAGE, "empty dataset");
	if (batch < 1 || batch > train->n)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "batch size %zu out of range: must be in "
			       "[1, %zu] (the training set size)",
			       batch, train->n);
	if (train->n > UINT32_MAX || test->n > UINT32_MAX)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "too many images: at most %u", UINT32_MAX);
	if (train->rows != test->rows || train->cols != test->cols)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "test images are %zux%zu but training images "
			       "are %zux%zu",
			       test->rows, test->cols, train->rows,
			       train->cols);
	if (train->n_classes < 2 || train->n_classes > 256)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "training set has %d classes: must be in "
			       "[2, 256]",
			       train->n_classes);
	if (test->n_classes > train->n_classes)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "test set has %d classes but the training set "
			       "has %d",
			       test->n_classes, train->n_classes);
	return 0;
}

static int superv_check_mlp(const mlp_cfg *mlp, ej_err *err)
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

static void superv_shape(superv *s, const idx_set *train,
			 const mlp_cfg *mlp)
{
	s->in = (int)(train->rows * train->cols);
	s->classes = train->n_classes;
	s->n_layers = mlp->hidden.n + 1;
	s->width[0] = s->in;
	for (int l = 0; l < mlp->hidden.n; l++)
		s->width[l + 1] = mlp->hidden.v[l];
	s->width[s->n_layers] = s->classes;
	s->P = 0;
	s->maxw = 1;
	for (int l = 0; l < s->n_layers; l++) {
		size_t a = (size_t)s->width[l], b = (size_t)s->width[l + 1];

		s->off[l] = s->P;
		s->P += b + a * b;
		if (b > s->maxw)
			s->maxw = b;
	}
}

/* The fused two-block ConvNet kernel, its shape compiled in. */
static int superv_build_fused(superv *s, ej_err *err)
{
	const char *files[] = { "policies/convnet.cl" };
	const convnet_shape *c = &s->cs;
	char defs[256];
	cl_program prog;

	snprintf(defs, sizeof(defs),
		 "#define CN_H %d\n#define CN_W %d\n#define CN_K %d\n"
		 "#define CN_C1 %d\n#define CN_C2 %d\n#define CN_CLS %d\n",
		 c->h[0], c->w[0], c->k, c->c[1], c->c[2], c->classes);
	prog = clsrc_build(s->rt, "convnet", defs, files, 1, NULL, err);
	if (!prog ||
	    !(s->k_fused = clrt_kernel(s->rt, prog, "convnet_forward", err)))
		return -1;
	return 0;
}

static int superv_build(superv *s, ej_err *err)
{
	const char *files[] = { "core/superv.cl" };
	char defs[64];
	cl_program prog;

	snprintf(defs, sizeof(defs), "#define SUPERV_WG %d\n", SUPERV_WG);
	prog = clsrc_build(s->rt, "superv", defs, files, 1, NULL, err);
	if (!prog ||
	    !(s->k_gather = clrt_kernel(s->rt, prog, "superv_gather", err)) ||
	    !(s->k_gather_range =
		      clrt_kernel(s->rt, prog, "superv_gather_range", err)) ||
	    !(s->k_repack = clrt_kernel(s->rt, prog, "superv_repack", err)) ||
	    !(s->k_bias_tanh =
		      clrt_kernel(s->rt, prog, "superv_bias_tanh", err)) ||
	    !(s->k_loss = clrt_kernel(s->rt, prog, "superv_loss", err)) ||
	    !(s->k_argmax = clrt_kernel(s->rt, prog, "superv_argmax", err)) ||
	    !(s->k_conv = clrt_kernel(s->rt, prog, "superv_conv_pool", err)))
		return -1;
	return s->fused ? superv_build_fused(s, err) : 0;
}

/* Allocate buffer *b of 'bytes' and fill it from src (may be NULL). */
static int superv_upload(superv *s, cl_mem *b, size_t bytes, const void *src,
			 cl_mem_flags flags, ej_err *err)
{
	if (!(*b = clrt_alloc(s->rt, bytes, flags, err)))
		return -1;
	return src ? clrt_write(s->rt, *b, 0, bytes, src, err) : 0;
}

static int superv_alloc_fixed(superv *s, const idx_set *train,
			      const idx_set *test, ej_err *err)
{
	size_t in = (size_t)s->in;
	/* x (pixels / 255) feeds the layered paths; the fused kernel reads
	 * the uint8 images itself. */
	size_t xrows = s->fused ? 1 : s->batch > s->chunk ? s->batch : s->chunk;

	if (!(s->perm = malloc(s->n_train * sizeof(uint32_t))) ||
	    !(s->correct_host = malloc(s->chunk)))
		return ej_fail(err, EJ_EXIT_RUN, "out of memory");
	if (superv_upload(s, &s->train_img, s->n_train * in, train->images,
			  CL_MEM_READ_ONLY, err) < 0 ||
	    superv_upload(s, &s->train_lab, s->n_train, train->labels,
			  CL_MEM_READ_ONLY, err) < 0 ||
	    superv_upload(s, &s->test_img, s->n_test * in, test->images,
			  CL_MEM_READ_ONLY, err) < 0 ||
	    superv_upload(s, &s->test_lab, s->n_test, test->labels,
			  CL_MEM_READ_ONLY, err) < 0 ||
	    superv_upload(s, &s->idx, s->batch * sizeof(uint32_t), NULL,
			  CL_MEM_READ_ONLY, err) < 0 ||
	    superv_upload(s, &s->x, xrows * in * sizeof(float), NULL,
			  CL_MEM_READ_WRITE, err) < 0 ||
	    superv_upload(s, &s->correct, s->chunk, NULL, CL_MEM_WRITE_ONLY,
			  err) < 0)
		return -1;
	return 0;
}

/* The fused kernel (policies/convnet.cl) serves two blocks on
 * single-channel images with output channels in whole float8 vectors
 * (EvoJAX's [8, 16]); its private maps must stay small (<= 64 KiB). */
static int superv_fusable(const convnet_shape *c)
{
	size_t pad0 = (size_t)(c->h[0] + c->k - 1) * (size_t)(c->w[0] + c->k - 1);
	size_t pad1 = (size_t)(c->h[1] + c->k - 1) *
		      (size_t)(c->w[1] + c->k - 1) * (size_t)c->c[1];

	return c->n_conv == 2 && c->c[0] == 1 && c->c[1] % 8 == 0 &&
	       c->c[2] % 8 == 0 && c->classes <= 256 &&
	       (pad0 + pad1 + c->dense_in) * sizeof(float) <= 65536;
}

/* Layer widths for the ConvNet: n_layers = n_conv + 1 so that the logits
 * land where superv_logits looks; width[l] (l >= 1) = floats per row of
 * block l-1's output, width[n_layers] = classes, off[n_layers-1] = the
 * dense layer (its bias is added by the loss / argmax kernels). */
static int superv_shape_conv(superv *s, const idx_set *train,
			     const convnet_cfg *cfg, ej_err *err)
{
	convnet_shape *c = &s->cs;

	if (convnet_shape_of(cfg, (int)train->rows, (int)train->cols, 1,
			     train->n_classes, c, err) < 0)
		return -1;
	s->conv = 1;
	s->in = (int)(train->rows * train->cols);
	s->classes = train->n_classes;
	s->n_layers = c->n_conv + 1;
	s->width[0] = s->in;
	s->maxw = (size_t)s->classes;
	for (int l = 1; l <= c->n_conv; l++) {
		size_t n = (size_t)c->h[l] * c->w[l] * c->c[l];

		s->width[l] = (int)n;
		s->off[l - 1] = c->off[l - 1];
		if (n > s->maxw)
			s->maxw = n;
	}
	s->width[s->n_layers] = s->classes;
	s->off[c->n_conv] = c->off[c->n_conv];
	s->P = c->P;
	s->fused = superv_fusable(c);
	if (s->fused) /* act holds the logits only; no block outputs */
		s->maxw = (size_t)s->classes;
	return 0;
}

static superv *superv_new(clrt *rt, const idx_set *train, const idx_set *test,
			  size_t batch, uint32_t seed, ej_err *err)
{
	superv *s;

	if (superv_check(train, test, batch, err) < 0)
		return NULL;
	if (!(s = calloc(1, sizeof(*s)))) {
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
		return NULL;
	}
	s->rt = rt;
	s->seed = seed;
	s->batch = batch;
	s->n_train = train->n;
	s->n_test = test->n;
	s->chunk = test->n < SUPERV_TEST_CHUNK ? test->n : SUPERV_TEST_CHUNK;
	return s;
}

static superv *superv_finish(superv *s, const idx_set *train,
			     const idx_set *test, ej_err *err)
{
	if (superv_build(s, err) < 0 ||
	    superv_alloc_fixed(s, train, test, err) < 0) {
		superv_free(s);
		return NULL;
	}
	return s;
}

superv *superv_create(clrt *rt, const idx_set *train, const idx_set *test,
		      const mlp_cfg *mlp, size_t batch, uint32_t seed,
		      ej_err *err)
{
	superv *s;

	if (superv_check_mlp(mlp, err) < 0 ||
	    !(s = superv_new(rt, train, test, batch, seed, err)))
		return NULL;
	superv_shape(s, train, mlp);
	return superv_finish(s, train, test, err);
}

superv *superv_create_policy(clrt *rt, const idx_set *train,
			     const idx_set *test, const policy_ops *pol,
			     const void *pol_cfg, size_t batch,
			     uint32_t seed, ej_err *err)
{
	superv *s;

	if (strcmp(pol->name, "mlp") == 0)
		return superv_create(rt, train, test, pol_cfg, batch, seed,
				     err);
	if (strcmp(pol->name, "convnet") != 0) {
		ej_fail(err, EJ_EXIT_USAGE,
			"policy '%s' cannot classify images: use 'mlp' or "
			"'convnet'",
			pol->name);
		return NULL;
	}
	if (!(s = superv_new(rt, train, test, batch, seed, err)))
		return NULL;
	if (superv_shape_conv(s, train, pol_cfg, err) < 0) {
		superv_free(s);
		return NULL;
	}
	return superv_finish(s, train, test, err);
}

static void superv_release(cl_mem *b)
{
	if (*b)
		clReleaseMemObject(*b);
	*b = NULL;
}

static void superv_release_pop(superv *s)
{
	superv_release(&s->params);
	superv_release(&s->wcat);
	superv_release(&s->fitness);
	superv_release(&s->act[0]);
	superv_release(&s->act[1]);
	s->cap = 0;
}

void superv_free(superv *s)
{
	if (!s)
		return;
	cl_kernel ks[] = { s->k_gather, s->k_gather_range, s->k_repack,
			   s->k_bias_tanh, s->k_loss, s->k_argmax, s->k_conv,
			   s->k_fused };

	for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++)
		if (ks[i])
			clReleaseKernel(ks[i]);
	superv_release_pop(s);
	superv_release(&s->train_img);
	superv_release(&s->train_lab);
	superv_release(&s->test_img);
	superv_release(&s->test_lab);
	superv_release(&s->idx);
	superv_release(&s->x);
	superv_release(&s->correct);
	free(s->perm);
	free(s->correct_host);
	free(s);
}

size_t superv_param_count(const superv *s) { return s->P; }

/* Grow the population buffers to hold pop members (never shrinks). */
static int superv_reserve(superv *s, size_t pop, ej_err *err)
{
	size_t rows, abytes, wcat;

	if (s->cap >= pop)
		return 0;
	rows = pop * s->batch > s->chunk ? pop * s->batch : s->chunk;
	wcat = s->conv ? 1 : pop * (size_t)s->width[1];
	if (pop > UINT32_MAX / s->P || rows > UINT32_MAX / s->maxw ||
	    wcat > UINT32_MAX / (size_t)s->in)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "population of %zu too large: its buffers "
			       "exceed 2^32-1 floats",
			       pop);
	superv_release_pop(s);
	abytes = rows * s->maxw * sizeof(float);
	if (superv_upload(s, &s->params, pop * s->P * sizeof(float), NULL,
			  CL_MEM_READ_ONLY, err) < 0 ||
	    superv_upload(s, &s->wcat, wcat * (size_t)s->in * sizeof(float),
			  NULL, CL_MEM_READ_WRITE, err) < 0 ||
	    superv_upload(s, &s->fitness, pop * sizeof(float), NULL,
			  CL_MEM_WRITE_ONLY, err) < 0 ||
	    superv_upload(s, &s->act[0], abytes, NULL, CL_MEM_READ_WRITE,
			  err) < 0 ||
	    superv_upload(s, &s->act[1], abytes, NULL, CL_MEM_READ_WRITE,
			  err) < 0)
		return -1;
	s->cap = pop;
	return 0;
}

/* ---- forward pass ------------------------------------------------------ */

static size_t superv_round_up(size_t n, size_t m) { return (n + m - 1) / m * m; }

static int superv_launch(superv *s, cl_kernel k, size_t total, ej_err *err)
{
	return clrt_launch(s->rt, k, superv_round_up(total, 64), 64, err);
}

static int superv_blas_fail(CLBlastStatusCode st, const char *call, int l,
			    size_t m, size_t n, size_t k, size_t count,
			    ej_err *err)
{
	return ej_fail(err, EJ_EXIT_DEVICE,
		       "%s failed: status %d (layer %d, %zu x %zu x %zu, "
		       "batch count %zu)",
		       call, (int)st, l, m, n, k, count);
}

/* Layer 0 for all members at once: repack the kernels into wcat, then
 * act[0] (rows, pop*h0) = x (rows, in) x wcat (in, pop*h0). */
static int superv_layer0(superv *s, size_t pop, size_t rows, ej_err *err)
{
	size_t a = (size_t)s->width[0], b = (size_t)s->width[1];
	size_t total = pop * a * b;
	cl_command_queue q = clrt_queue(s->rt);
	CLBlastStatusCode st;

	if (clrt_args(s->k_repack, err, "muuuuumu", s->params, (unsigned)s->P,
		      (unsigned)(s->off[0] + b), (unsigned)a, (unsigned)b,
		      (unsigned)pop, s->wcat, (unsigned)total) < 0 ||
	    superv_launch(s, s->k_repack, total, err) < 0)
		return -1;
	st = CLBlastSgemm(CLBlastLayoutRowMajor, CLBlastTransposeNo,
			  CLBlastTransposeNo, rows, pop * b, a, 1.0f, s->x, 0,
			  a, s->wcat, 0, pop * b, 0.0f, s->act[0], 0, pop * b,
			  &q, NULL);
	if (st != CLBlastSuccess)
		return superv_blas_fail(st, "CLBlastSgemm", 0, rows, pop * b, a,
					1, err);
	return 0;
}

/* Layer l >= 1: C_m = A_m x W_m by a strided-batched GEMM; the input is
 * act[(l-1)&1] ((rows, pop, in_l) after layer 0, else (pop, rows, in_l)),
 * the output act[l&1] (pop, rows, out). */
static int superv_layer_n(superv *s, int l, size_t pop, size_t rows,
			  ej_err *err)
{
	size_t a = (size_t)s->width[l], b = (size_t)s->width[l + 1];
	int shared = l == 1 && !s->conv; /* (rows, pop, in_l) layer-0 output */
	size_t a_ld = shared ? pop * a : a, a_stride = shared ? a : rows * a;
	cl_command_queue q = clrt_queue(s->rt);
	CLBlastStatusCode st;

	st = CLBlastSgemmStridedBatched(
		CLBlastLayoutRowMajor, CLBlastTransposeNo, CLBlastTransposeNo,
		rows, b, a, 1.0f, s->act[(l - 1) & 1], 0, a_ld, a_stride,
		s->params, s->off[l] + b, b, s->P, 0.0f, s->act[l & 1], 0, b,
		rows * b, pop, &q, NULL);
	if (st != CLBlastSuccess)
		return superv_blas_fail(st, "CLBlastSgemmStridedBatched", l,
					rows, b, a, pop, err);
	return 0;
}

/* Member stride of layer l's output in act (row stride: superv_rstride). */
static size_t superv_mstride(const superv *s, int l, size_t rows)
{
	size_t b = (size_t)s->width[l + 1];

	return l == 0 ? b : rows * b;
}

static size_t superv_rstride(const superv *s, int l, size_t pop)
{
	size_t b = (size_t)s->width[l + 1];

	return l == 0 ? pop * b : b;
}

/* Layer l of pop members on 'rows' inputs each, plus bias + tanh for
 * hidden layers (the output layer's bias is added by the loss/argmax). */
static int superv_layer(superv *s, int l, size_t pop, size_t rows,
			ej_err *err)
{
	size_t b = (size_t)s->width[l + 1], total = pop * rows * b;
	int rc = l == 0 ? superv_layer0(s, pop, rows, err)
			: superv_layer_n(s, l, pop, rows, err);

	if (rc < 0 || l == s->n_layers - 1)
		return rc;
	if (clrt_args(s->k_bias_tanh, err, "mmuuuuuu", s->act[l & 1],
		      s->params, (unsigned)s->P, (unsigned)s->off[l],
		      (unsigned)b, (unsigned)superv_mstride(s, l, rows),
		      (unsigned)pop, (unsigned)total) < 0)
		return -1;
	return superv_launch(s, s->k_bias_tanh, total, err);
}

/* ConvNet block l for pop members on 'rows' images: act[l&1] (pop,
 * rows, width[l+1]) from x (shared) or act[(l-1)&1]. */
static int superv_conv_block(superv *s, int l, size_t pop, size_t rows,
			     ej_err *err)
{
	const convnet_shape *c = &s->cs;
	size_t total = pop * rows * (size_t)s->width[l + 1];
	cl_mem in = l == 0 ? s->x : s->act[(l - 1) & 1];
	size_t mstride = l == 0 ? 0 : rows * (size_t)s->width[l];

	if (clrt_args(s->k_conv, err, "muuuumuuuuumu", in, (unsigned)mstride,
		      (unsigned)c->h[l], (unsigned)c->w[l], (unsigned)c->c[l],
		      s->params, (unsigned)s->P, (unsigned)c->off[l],
		      (unsigned)c->c[l + 1], (unsigned)c->k, (unsigned)rows,
		      s->act[l & 1], (unsigned)total) < 0)
		return -1;
	return superv_launch(s, s->k_conv, total, err);
}

static int superv_conv_forward(superv *s, size_t pop, size_t rows,
			       ej_err *err)
{
	for (int l = 0; l < s->cs.n_conv; l++)
		if (superv_conv_block(s, l, pop, rows, err) < 0)
			return -1;
	return superv_layer_n(s, s->cs.n_conv, pop, rows, err);
}

static cl_mem superv_logits(const superv *s)
{
	return s->act[(s->n_layers - 1) & 1];
}

/* The images of one forward pass: the training batch (s->idx) or the
 * test images first .. first+rows-1. */
typedef struct superv_src {
	int train;
	size_t first;
} superv_src;

/* Whole ConvNet in one launch, reading the uint8 images directly. */
static int superv_fused_forward(superv *s, size_t pop, size_t rows,
				superv_src src, ej_err *err)
{
	if (clrt_args(s->k_fused, err, "mmuuumum",
		      src.train ? s->train_img : s->test_img, s->idx,
		      (unsigned)src.train, (unsigned)src.first,
		      (unsigned)rows, s->params, (unsigned)s->P,
		      superv_logits(s)) < 0)
		return -1;
	return clrt_launch(s->rt, s->k_fused, pop * rows, 1, err);
}

/* x = the pass's images / 255 (layered paths only). */
static int superv_gather_src(superv *s, size_t rows, superv_src src,
			     ej_err *err)
{
	size_t in = (size_t)s->in, total = rows * in;
	int rc = src.train
			 ? clrt_args(s->k_gather, err, "mmmuu", s->train_img,
				     s->idx, s->x, (unsigned)in, (unsigned)total)
			 : clrt_args(s->k_gather_range, err, "mumuu",
				     s->test_img, (unsigned)src.first, s->x,
				     (unsigned)in, (unsigned)total);

	if (rc < 0)
		return -1;
	return superv_launch(s, src.train ? s->k_gather : s->k_gather_range,
			     total, err);
}

/* Logits (without the output bias) of pop members on rows images. */
static int superv_forward(superv *s, size_t pop, size_t rows,
			  superv_src src, ej_err *err)
{
	if (s->fused)
		return superv_fused_forward(s, pop, rows, src, err);
	if (superv_gather_src(s, rows, src, err) < 0)
		return -1;
	if (s->conv)
		return superv_conv_forward(s, pop, rows, err);
	for (int l = 0; l < s->n_layers; l++)
		if (superv_layer(s, l, pop, rows, err) < 0)
			return -1;
	return 0;
}

int superv_train_eval(superv *s, const float *params, size_t pop,
		      uint32_t iter, float *fitness, ej_err *err)
{
	size_t last = (size_t)s->n_layers - 1;
	superv_src src = { 1, 0 };

	if (pop == 0)
		return ej_fail(err, EJ_EXIT_USAGE, "nothing to evaluate");
	superv_sample_batch(s->seed, iter, s->perm, s->n_train, s->batch);
	if (superv_reserve(s, pop, err) < 0 ||
	    clrt_write(s->rt, s->params, 0, pop * s->P * sizeof(float),
		       params, err) < 0 ||
	    clrt_write(s->rt, s->idx, 0, s->batch * sizeof(uint32_t),
		       s->perm, err) < 0 ||
	    superv_forward(s, pop, s->batch, src, err) < 0 ||
	    clrt_args(s->k_loss, err, "muumuuuummm", superv_logits(s),
		      (unsigned)superv_mstride(s, (int)last, s->batch),
		      (unsigned)superv_rstride(s, (int)last, pop), s->params, (unsigned)s->P, (unsigned)s->off[last],
		      (unsigned)s->classes, (unsigned)s->batch, s->idx,
		      s->train_lab, s->fitness) < 0 ||
	    clrt_launch(s->rt, s->k_loss, pop * SUPERV_WG, SUPERV_WG,
			err) < 0 ||
	    clrt_read(s->rt, s->fitness, 0, pop * sizeof(float), fitness,
		      err) < 0)
		return -1;
	return 0;
}

/* Correct predictions among test images first .. first+rows-1. */
static int superv_test_chunk(superv *s, size_t first, size_t rows,
			     size_t *correct, ej_err *err)
{
	superv_src src = { 0, first };

	if (superv_forward(s, 1, rows, src, err) < 0 ||
	    clrt_args(s->k_argmax, err, "mmuuumum", superv_logits(s),
		      s->params, (unsigned)s->off[s->n_layers - 1],
		      (unsigned)s->classes, (unsigned)rows, s->test_lab,
		      (unsigned)first, s->correct) < 0 ||
	    superv_launch(s, s->k_argmax, rows, err) < 0 ||
	    clrt_read(s->rt, s->correct, 0, rows, s->correct_host, err) < 0)
		return -1;
	for (size_t b = 0; b < rows; b++)
		*correct += s->correct_host[b];
	return 0;
}

int superv_test_accuracy(superv *s, const float *params, double *accuracy,
			 ej_err *err)
{
	size_t correct = 0;

	if (superv_reserve(s, 1, err) < 0 ||
	    clrt_write(s->rt, s->params, 0, s->P * sizeof(float), params,
		       err) < 0)
		return -1;
	for (size_t first = 0; first < s->n_test; first += s->chunk) {
		size_t rows = s->n_test - first < s->chunk ? s->n_test - first
							   : s->chunk;

		if (superv_test_chunk(s, first, rows, &correct, err) < 0)
			return -1;
	}
	*accuracy = (double)correct / (double)s->n_test;
	return 0;
}
