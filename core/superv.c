/* superv.c - supervised image classification on the device: the common
 * part of every image policy (policies with superv_policy_ops): images,
 * batches, population buffers, loss and accuracy.  See superv.h for the
 * API and semantics.
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
 *   x       (max(batch, chunk), in)      pixels / 255 (policies that read it)
 *   act     2 x (max(pop*batch, chunk), act_width) activations, the
 *           policy's to use; the logits end in one of them
 *   scratch (pop, scratch)               the policy's
 * The loss is accumulated in float by a fixed-order reduction (same
 * inputs => bit-identical fitness on one device).
 */
#include "core/superv.h"

#include <clblast_c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opencl/clsrc.h"
#include "opencl/philox.h"

#define SUPERV_WG 64 /* local size of superv_loss (power of two) */

struct superv {
	clrt *rt;            /* borrowed */
	const superv_policy_ops *pol;
	void *ps;            /* the policy's state */
	superv_shape sh;     /* what the policy needs */
	uint32_t seed;
	size_t batch;
	size_t n_train, n_test;
	int in, classes;
	size_t chunk;        /* test images per pass */
	uint32_t *perm;      /* (n_train) host scratch for the shuffle */
	cl_kernel k_gather, k_gather_range, k_loss, k_argmax;
	cl_mem train_img;    /* (n_train, in) uchar */
	cl_mem train_lab;    /* (n_train) uchar */
	cl_mem test_img;     /* (n_test, in) uchar */
	cl_mem test_lab;     /* (n_test) uchar */
	cl_mem idx;          /* (batch) uint */
	cl_mem x;            /* (max(batch, chunk), in) float */
	cl_mem act[2];       /* (cap * batch or chunk, act_width) float each */
	cl_mem params;       /* (cap, P) float */
	cl_mem scratch;      /* (cap, sh.scratch) float, NULL when 0 */
	cl_mem fitness;      /* (cap) float */
	cl_mem correct;      /* (chunk) uchar */
	uint8_t *correct_host; /* (chunk) */
	size_t cap;          /* population the buffers hold */
};

/* ---- batch sampling ----------------------------------------------------- */

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
	    !(s->k_loss = clrt_kernel(s->rt, prog, "superv_loss", err)) ||
	    !(s->k_argmax = clrt_kernel(s->rt, prog, "superv_argmax", err)))
		return -1;
	return 0;
}

/* Allocate buffer *b ('name') of 'bytes' and fill it from src (may be
 * NULL). */
static int superv_upload(superv *s, const char *name, cl_mem *b, size_t bytes,
			 const void *src, cl_mem_flags flags, ej_err *err)
{
	if (!(*b = clrt_alloc(s->rt, name, bytes, flags, err)))
		return -1;
	return src ? clrt_write(s->rt, *b, 0, bytes, src, err) : 0;
}

static int superv_alloc_fixed(superv *s, const idx_set *train,
			      const idx_set *test, ej_err *err)
{
	size_t in = (size_t)s->in;
	/* x (pixels / 255) feeds policies that read it; others read the
	 * uint8 images themselves. */
	size_t xrows = !s->sh.needs_x ? 1 : s->batch > s->chunk ? s->batch : s->chunk;

	if (!(s->perm = malloc(s->n_train * sizeof(uint32_t))) ||
	    !(s->correct_host = malloc(s->chunk)))
		return ej_fail(err, EJ_EXIT_RUN, "out of memory");
	if (superv_upload(s, "training images", &s->train_img,
			  s->n_train * in, train->images, CL_MEM_READ_ONLY,
			  err) < 0 ||
	    superv_upload(s, "training labels", &s->train_lab, s->n_train,
			  train->labels, CL_MEM_READ_ONLY, err) < 0 ||
	    superv_upload(s, "test images", &s->test_img, s->n_test * in,
			  test->images, CL_MEM_READ_ONLY, err) < 0 ||
	    superv_upload(s, "test labels", &s->test_lab, s->n_test,
			  test->labels, CL_MEM_READ_ONLY, err) < 0 ||
	    superv_upload(s, "batch indices", &s->idx,
			  s->batch * sizeof(uint32_t), NULL, CL_MEM_READ_ONLY,
			  err) < 0 ||
	    superv_upload(s, "batch inputs", &s->x,
			  xrows * in * sizeof(float), NULL, CL_MEM_READ_WRITE,
			  err) < 0 ||
	    superv_upload(s, "correct answers", &s->correct, s->chunk, NULL,
			  CL_MEM_WRITE_ONLY, err) < 0)
		return -1;
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

/* "'mlp' or 'convnet'": the registry's policies with image ops. */
static void superv_image_policies(char *buf, size_t size)
{
	const char *names[64];
	size_t n = 0, len = 0;

	for (const policy_ops *const *p = policy_registry; *p && n < 64; p++)
		if ((*p)->images)
			names[n++] = (*p)->name;
	buf[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s'%s'",
					i == 0 ? "" : i + 1 == n ? " or " : ", ",
					names[i]);
}

superv *superv_create(clrt *rt, const idx_set *train, const idx_set *test,
		      const policy_ops *pol, const void *pol_cfg, size_t batch,
		      uint32_t seed, ej_err *err)
{
	superv_dims d;
	superv *s;

	if (!pol->images) {
		char names[256];

		superv_image_policies(names, sizeof(names));
		ej_fail(err, EJ_EXIT_USAGE,
			"policy '%s' cannot classify images: use %s",
			pol->name, names);
		return NULL;
	}
	if (!(s = superv_new(rt, train, test, batch, seed, err)))
		return NULL;
	d = (superv_dims){ .rows = (int)train->rows, .cols = (int)train->cols,
			   .classes = train->n_classes };
	s->in = (int)(train->rows * train->cols);
	s->classes = train->n_classes;
	if (pol->images->create(&s->ps, rt, pol_cfg, &d, &s->sh, err) < 0) {
		superv_free(s);
		return NULL;
	}
	s->pol = pol->images;
	if (superv_build(s, err) < 0 ||
	    superv_alloc_fixed(s, train, test, err) < 0) {
		superv_free(s);
		return NULL;
	}
	return s;
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
	superv_release(&s->scratch);
	superv_release(&s->fitness);
	superv_release(&s->act[0]);
	superv_release(&s->act[1]);
	s->cap = 0;
}

void superv_free(superv *s)
{
	if (!s)
		return;
	cl_kernel ks[] = { s->k_gather, s->k_gather_range, s->k_loss,
			   s->k_argmax };

	for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++)
		if (ks[i])
			clReleaseKernel(ks[i]);
	if (s->pol)
		s->pol->free(s->ps);
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

size_t superv_param_count(const superv *s) { return s->sh.P; }

/* Grow the population buffers to hold pop members (never shrinks). */
static int superv_reserve(superv *s, size_t pop, ej_err *err)
{
	const superv_shape *sh = &s->sh;
	size_t rows, abytes;

	if (s->cap >= pop)
		return 0;
	rows = pop * s->batch > s->chunk ? pop * s->batch : s->chunk;
	if (pop > UINT32_MAX / sh->P || rows > UINT32_MAX / sh->act_width ||
	    (sh->scratch && pop > UINT32_MAX / sh->scratch))
		return ej_fail(err, EJ_EXIT_USAGE,
			       "population of %zu too large: its buffers "
			       "exceed 2^32-1 floats",
			       pop);
	superv_release_pop(s);
	abytes = rows * sh->act_width * sizeof(float);
	if (superv_upload(s, "population parameters", &s->params,
			  pop * sh->P * sizeof(float), NULL, CL_MEM_READ_ONLY,
			  err) < 0 ||
	    (sh->scratch &&
	     superv_upload(s, "per-member scratch", &s->scratch,
			   pop * sh->scratch * sizeof(float), NULL,
			   CL_MEM_READ_WRITE, err) < 0) ||
	    superv_upload(s, "fitness", &s->fitness, pop * sizeof(float), NULL,
			  CL_MEM_WRITE_ONLY, err) < 0 ||
	    superv_upload(s, "activations", &s->act[0], abytes, NULL,
			  CL_MEM_READ_WRITE, err) < 0 ||
	    superv_upload(s, "activations", &s->act[1], abytes, NULL,
			  CL_MEM_READ_WRITE, err) < 0)
		return -1;
	s->cap = pop;
	return 0;
}

/* ---- forward pass ------------------------------------------------------ */

static size_t superv_round_up(size_t n, size_t m) { return (n + m - 1) / m * m; }

int superv_launch(clrt *rt, cl_kernel k, size_t total, ej_err *err)
{
	return clrt_launch(rt, k, superv_round_up(total, 64), 64, err);
}

int superv_blas_fail(const clrt *rt, int st, const char *call, int l,
		     size_t m, size_t n, size_t k, size_t count, ej_err *err)
{
	char what[160];

	snprintf(what, sizeof(what), "GEMM of layer %d (%zu x %zu x %zu, "
		 "batch count %zu)", l, m, n, k, count);
	if (clrt_is_oom(st)) /* CLBlast returns OpenCL's own codes */
		return clrt_fail_on(err, rt, st, call, what, __FILE__,
				    __LINE__);
	return ej_fail(err, EJ_EXIT_DEVICE,
		       "%s failed: status %d (layer %d, %zu x %zu x %zu, "
		       "batch count %zu)",
		       call, st, l, m, n, k, count);
}

int superv_gemm_pop(clrt *rt, const superv_pass *p, const superv_gemm *g,
		    ej_err *err)
{
	cl_command_queue q = clrt_queue(rt);
	CLBlastStatusCode st;

	st = CLBlastSgemmStridedBatched(
		CLBlastLayoutRowMajor, CLBlastTransposeNo, CLBlastTransposeNo,
		p->rows, g->out, g->in, 1.0f, g->a, 0, g->a_ld, g->a_stride,
		p->params, g->koff, g->out, p->P, 0.0f, g->c, 0, g->out,
		p->rows * g->out, p->pop, &q, NULL);
	if (st != CLBlastSuccess)
		return superv_blas_fail(rt, st, "CLBlastSgemmStridedBatched",
					g->layer, p->rows, g->out, g->in,
					p->pop, err);
	return 0;
}

/* The images of one forward pass: the training batch (s->idx) or the
 * test images first .. first+rows-1. */
typedef struct superv_src {
	int train;
	size_t first;
} superv_src;

/* x = the pass's images / 255 (for policies that read x). */
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
	return superv_launch(s->rt,
			     src.train ? s->k_gather : s->k_gather_range,
			     total, err);
}

/* Logits (without the output bias) of pop members on rows images. */
static int superv_forward(superv *s, size_t pop, size_t rows,
			  superv_src src, superv_logits *z, ej_err *err)
{
	superv_pass p = {
		.pop = pop, .rows = rows, .P = s->sh.P, .params = s->params,
		.x = s->x, .images = src.train ? s->train_img : s->test_img,
		.idx = s->idx, .use_idx = src.train, .first = src.first,
		.act = { s->act[0], s->act[1] }, .scratch = s->scratch,
	};

	if (s->sh.needs_x && superv_gather_src(s, rows, src, err) < 0)
		return -1;
	return s->pol->forward(s->ps, &p, z, err);
}

int superv_train_eval(superv *s, const float *params, size_t pop,
		      uint32_t iter, float *fitness, ej_err *err)
{
	superv_src src = { 1, 0 };
	superv_logits z;

	if (pop == 0)
		return ej_fail(err, EJ_EXIT_USAGE, "nothing to evaluate");
	superv_sample_batch(s->seed, iter, s->perm, s->n_train, s->batch);
	if (superv_reserve(s, pop, err) < 0 ||
	    clrt_write(s->rt, s->params, 0, pop * s->sh.P * sizeof(float),
		       params, err) < 0 ||
	    clrt_write(s->rt, s->idx, 0, s->batch * sizeof(uint32_t),
		       s->perm, err) < 0 ||
	    superv_forward(s, pop, s->batch, src, &z, err) < 0 ||
	    clrt_args(s->k_loss, err, "muumuuuummm", z.z,
		      (unsigned)z.mstride, (unsigned)z.rstride, s->params,
		      (unsigned)s->sh.P, (unsigned)s->sh.out_bias,
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
	superv_logits z;

	if (superv_forward(s, 1, rows, src, &z, err) < 0 ||
	    clrt_args(s->k_argmax, err, "mmuuumum", z.z, s->params,
		      (unsigned)s->sh.out_bias,
		      (unsigned)s->classes, (unsigned)rows, s->test_lab,
		      (unsigned)first, s->correct) < 0 ||
	    superv_launch(s->rt, s->k_argmax, rows, err) < 0 ||
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
	    clrt_write(s->rt, s->params, 0, s->sh.P * sizeof(float), params,
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
