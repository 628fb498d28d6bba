/* convnet.c - ConvNet policy (EvoJAX's ConvNetPolicy for MNIST, google/
 * evojax evojax/policy/convnet.py): for each entry c of 'channels'
 *   Flax nn.Conv(c, (k, k), padding 'SAME') -> relu
 *   -> nn.max_pool(window (2, 2), strides (2, 2), padding 'VALID')
 * then flatten the NHWC map (h, w, c) row-major and nn.Dense(classes) ->
 * logits (log_softmax is part of the loss in core/superv.c).
 *
 * Defaults: channels [8, 16], kernel 5 (EvoJAX).  On 28x28x1 and 10
 * classes: 8 + 5*5*1*8 + 16 + 5*5*8*16 + 10 + 7*7*16*10 = 11,274
 * parameters.
 *
 * Flat layout (Flax, layer by layer): conv l bias (c_out) then kernel
 * (k, k, c_in, c_out) row-major; dense bias (classes) then kernel
 * (dense_in, classes), row = input index (y*w + x)*c + ch.
 *
 * SAME padding as XLA: total k-1, lo = (k-1)/2 before, the rest after,
 * zeros; the convolution is a cross-correlation (no kernel flip).  The
 * 2x2 VALID pool drops a trailing odd row/column (floor(h/2)); a map of
 * side < 2 before a pool is refused.
 *
 * policy_ops.param_count(cfg, obs_dim, act_dim) takes square
 * single-channel images: side = sqrt(obs_dim) (obs_dim must be a perfect
 * square, else 0 is returned); act_dim = classes.  Non-square or
 * multi-channel images go through convnet_shape_of.
 */
#include "policies/convnet.h"

#include "policies/convnet_img.h"
#include "tasks/task.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const cfg_field convnet_fields[] = {
	{ .key = "channels", .type = CFG_INT_LIST,
	  .offset = offsetof(convnet_cfg, channels), .def = "[8, 16]",
	  .min = 1, .max = 1024,
	  .help = "output channels of each conv block (at most 4), relu, maxpool 2" },
	{ .key = "kernel", .type = CFG_INT,
	  .offset = offsetof(convnet_cfg, kernel), .def = "5", .min = 1,
	  .max = 15, .help = "convolution kernel side, SAME padding" },
};

int convnet_shape_of(const convnet_cfg *cfg, int H, int W, int C_in,
		     int classes, convnet_shape *sh, ej_err *err)
{
	int n = cfg->channels.n;

	if (n < 1 || n > CONVNET_MAX_LAYERS)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'channels' must list 1 to %d conv blocks, "
			       "got %d",
			       CONVNET_MAX_LAYERS, n);
	if (cfg->kernel < 1 || H < 1 || W < 1 || C_in < 1 || classes < 1)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "bad convnet shape: kernel %d on %dx%dx%d "
			       "images, %d classes",
			       cfg->kernel, H, W, C_in, classes);
	memset(sh, 0, sizeof(*sh));
	sh->n_conv = n;
	sh->k = cfg->kernel;
	sh->classes = classes;
	sh->h[0] = H;
	sh->w[0] = W;
	sh->c[0] = C_in;
	for (int l = 0; l < n; l++) {
		size_t co = (size_t)cfg->channels.v[l];

		if (co < 1 || sh->h[l] < 2 || sh->w[l] < 2)
			return ej_fail(err, EJ_EXIT_USAGE,
				       "conv block %d gets a %dx%d map: "
				       "too small for a 2x2 max-pool",
				       l, sh->h[l], sh->w[l]);
		sh->off[l] = sh->P;
		sh->P += co + (size_t)sh->k * (size_t)sh->k *
				      (size_t)sh->c[l] * co;
		sh->h[l + 1] = sh->h[l] / 2;
		sh->w[l + 1] = sh->w[l] / 2;
		sh->c[l + 1] = (int)co;
	}
	sh->off[n] = sh->P;
	sh->dense_in = (size_t)sh->h[n] * (size_t)sh->w[n] * (size_t)sh->c[n];
	sh->P += (size_t)classes + sh->dense_in * (size_t)classes;
	return 0;
}

static int convnet_side(int obs_dim)
{
	int s = (int)lround(sqrt((double)obs_dim));

	return s > 0 && s * s == obs_dim ? s : 0;
}

static size_t convnet_param_count(const void *cfg, int obs_dim, int act_dim)
{
	convnet_shape sh;
	ej_err err = { 0 };
	int s = convnet_side(obs_dim);

	if (!s || convnet_shape_of(cfg, s, s, 1, act_dim, &sh, &err) < 0)
		return 0;
	return sh.P;
}

static void convnet_defines(const void *cfg, int obs_dim, int act_dim,
			    char *buf, size_t size)
{
	(void)cfg;
	(void)obs_dim;
	(void)act_dim;
	if (size)
		buf[0] = '\0';
}

const policy_ops convnet_ops = {
	.name = "convnet",
	.summary = "conv+relu+maxpool blocks, dense logits (EvoJAX ConvNetPolicy, MNIST)",
	.fields = convnet_fields,
	.n_fields = sizeof(convnet_fields) / sizeof(convnet_fields[0]),
	.cfg_size = sizeof(convnet_cfg),
	.cl_file = "policies/convnet.cl",
	.param_count = convnet_param_count,
	.defines = convnet_defines,
	.caps = POLICY_CAP_IMAGES,
	.images = &convnet_img_ops,
};

/* One conv block: out (h/2, w/2, co) = maxpool(relu(conv(in) + bias)). */
static void convnet_ref_block(const convnet_shape *sh, int l, const float *w,
			      const float *in, float *out)
{
	int h = sh->h[l], wd = sh->w[l], ci = sh->c[l], co = sh->c[l + 1];
	int k = sh->k, lo = (k - 1) / 2;
	const float *bias = w + sh->off[l], *kern = bias + co;

	for (int py = 0; py < sh->h[l + 1]; py++)
		for (int px = 0; px < sh->w[l + 1]; px++)
			for (int o = 0; o < co; o++) {
				float best = 0.0f; /* relu floor */

				for (int q = 0; q < 4; q++) {
					int y = 2 * py + q / 2, x = 2 * px + q % 2;
					float a = bias[o];

					for (int dy = 0; dy < k; dy++)
						for (int dx = 0; dx < k; dx++) {
							int iy = y + dy - lo, ix = x + dx - lo;

							if (iy < 0 || iy >= h || ix < 0 || ix >= wd)
								continue;
							for (int c = 0; c < ci; c++)
								a = fmaf(in[((size_t)iy * wd + ix) * ci + c],
									 kern[(((size_t)dy * k + dx) * ci + c) * co + o],
									 a);
						}
					best = fmaxf(best, a);
				}
				out[((size_t)py * sh->w[l + 1] + px) * co + o] = best;
			}
}

int convnet_ref_logits(const convnet_cfg *cfg, int H, int W, int classes,
		       const float *w, const unsigned char *image,
		       float *logits)
{
	convnet_shape sh;
	ej_err err = { 0 };
	size_t maxn = (size_t)H * W;
	float *buf[2];
	const float *bias, *kern, *x;
	int n;

	if (convnet_shape_of(cfg, H, W, 1, classes, &sh, &err) < 0)
		return -1;
	n = sh.n_conv;
	for (int l = 1; l <= n; l++)
		if ((size_t)sh.h[l] * sh.w[l] * sh.c[l] > maxn)
			maxn = (size_t)sh.h[l] * sh.w[l] * sh.c[l];
	buf[0] = malloc(maxn * sizeof(float));
	buf[1] = malloc(maxn * sizeof(float));
	if (!buf[0] || !buf[1]) {
		free(buf[0]);
		free(buf[1]);
		return -1;
	}
	for (size_t p = 0; p < (size_t)H * W; p++)
		buf[0][p] = (float)image[p] / 255.0f;
	for (int l = 0; l < n; l++)
		convnet_ref_block(&sh, l, w, buf[l & 1], buf[(l + 1) & 1]);
	x = buf[n & 1];
	bias = w + sh.off[n];
	kern = bias + classes;
	for (int j = 0; j < classes; j++) {
		float a = 0.0f;

		for (size_t i = 0; i < sh.dense_in; i++)
			a = fmaf(x[i], kern[i * (size_t)classes + j], a);
		logits[j] = a + bias[j];
	}
	free(buf[0]);
	free(buf[1]);
	return 0;
}
