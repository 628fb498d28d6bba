/* convnet.cl - the ConvNet of policies/convnet.c on image batches
 * (policies/convnet_img.c), two programs from one file:
 *
 * Fused (CN_H defined): the whole two-block network for one (member,
 * image) pair per work-item: conv kxk SAME + relu + maxpool 2, twice,
 * then the dense layer (without its bias: the loss / argmax kernels of
 * core/superv.cl add it).  Output channels live in float8 vectors, so
 * one fma serves 8 filters; the 2x2 conv outputs of one pooled pixel are
 * accumulated together (4 x CN_G float8 accumulators), which reuses each
 * weight load four times.  Inputs of each block are kept zero-padded in
 * private memory, so the tap loops have no bounds tests.
 *
 * Composed with (policies/convnet_img.c, convnet_img_build):
 *   CN_H, CN_W   image rows, cols (single channel, pixels / 255)
 *   CN_K         kernel side (SAME padding: CN_K-1 total, (CN_K-1)/2 first)
 *   CN_C1, CN_C2 output channels of the blocks, multiples of 8
 *   CN_CLS       classes
 * Accumulation order per output: bias, then taps (dy, dx, c) with fma, as
 * convnet_ref_logits; the padded taps add fma(0, w, a) == a for finite
 * weights, so results agree with the host reference up to float rounding
 * of exp/log in the loss.  Launched with local size 1 (the private maps
 * are ~17 KB for MNIST; on CPUs each work-group is one call).
 *
 * Layered (no CN_ defines): one kernel per conv block, convnet_conv_pool
 * below; the dense layer is a GEMM. */

#ifdef CN_H
#define CN_LO ((CN_K - 1) / 2)
#define CN_H1 (CN_H / 2)
#define CN_W1 (CN_W / 2)
#define CN_H2 (CN_H1 / 2)
#define CN_W2 (CN_W1 / 2)
#define CN_G1 (CN_C1 / 8)
#define CN_G2 (CN_C2 / 8)
#define CN_PH0 (CN_H + CN_K - 1) /* padded image */
#define CN_PW0 (CN_W + CN_K - 1)
#define CN_PH1 (CN_H1 + CN_K - 1) /* padded pooled map of block 1 */
#define CN_PW1 (CN_W1 + CN_K - 1)
#define CN_OFF2 (CN_C1 + CN_K * CN_K * CN_C1) /* block 2 in the params */
#define CN_OFFD (CN_OFF2 + CN_C2 + CN_K * CN_K * CN_C1 * CN_C2)
#define CN_DIN (CN_H2 * CN_W2 * CN_C2)

/* Block 1: img (padded, 1 channel) -> map1 (padded, CN_G1 float8 per
 * pixel, as floats).  The padding of map1 must already be zero. */
static void cn_block1(const float *img, __global const float *w,
		      float *map1)
{
	for (int py = 0; py < CN_H1; py++)
		for (int px = 0; px < CN_W1; px++)
			for (int g = 0; g < CN_G1; g++) {
				const float8 bias = vload8(g, w);
				float8 a0 = bias, a1 = bias, a2 = bias, a3 = bias;
				const float *r = img + 2 * py * CN_PW0 + 2 * px;

				for (int dy = 0; dy < CN_K; dy++)
					for (int dx = 0; dx < CN_K; dx++) {
						const float8 k = vload8(
							(dy * CN_K + dx) * CN_G1 + g,
							w + CN_C1);
						const float *t = r + dy * CN_PW0 + dx;

						a0 = fma((float8)t[0], k, a0);
						a1 = fma((float8)t[1], k, a1);
						a2 = fma((float8)t[CN_PW0], k, a2);
						a3 = fma((float8)t[CN_PW0 + 1], k, a3);
					}
				vstore8(fmax(fmax(fmax(a0, a1), fmax(a2, a3)),
					     (float8)0.0f),
					((py + CN_LO) * CN_PW1 + px + CN_LO) * CN_G1 + g,
					map1);
			}
}

/* Block 2: map1 -> map2 (CN_H2, CN_W2, CN_G2 float8), unpadded NHWC. */
static void cn_block2(const float *map1, __global const float *w,
		      float *map2)
{
	__global const float *kern = w + CN_C2;

	for (int py = 0; py < CN_H2; py++)
		for (int px = 0; px < CN_W2; px++)
			for (int g = 0; g < CN_G2; g++) {
				const float8 bias = vload8(g, w);
				float8 a0 = bias, a1 = bias, a2 = bias, a3 = bias;
				const float *r = map1 + (2 * py * CN_PW1 + 2 * px) * CN_C1;

				for (int dy = 0; dy < CN_K; dy++)
					for (int dx = 0; dx < CN_K; dx++) {
						const float *t = r + (dy * CN_PW1 + dx) * CN_C1;
						__global const float *kp =
							kern + (dy * CN_K + dx) * CN_C1 * CN_C2 + 8 * g;

						for (int c = 0; c < CN_C1; c++) {
							const float8 k = vload8(0, kp + c * CN_C2);

							a0 = fma((float8)t[c], k, a0);
							a1 = fma((float8)t[c + CN_C1], k, a1);
							a2 = fma((float8)t[c + CN_PW1 * CN_C1], k, a2);
							a3 = fma((float8)t[c + (CN_PW1 + 1) * CN_C1], k, a3);
						}
					}
				vstore8(fmax(fmax(fmax(a0, a1), fmax(a2, a3)),
					     (float8)0.0f),
					(py * CN_W2 + px) * CN_G2 + g, map2);
			}
}

/* logits (pop, rows, CN_CLS): member m = gid / rows, row b = gid % rows,
 * image images[idx[b]] when use_idx, else images[first + b]. */
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void convnet_forward(__global const uchar *images,
		     __global const uint *idx, uint use_idx, uint first,
		     uint rows, __global const float *params, uint P,
		     __global float *logits)
{
	const uint gid = get_global_id(0);
	const uint b = gid % rows, m = gid / rows;
	__global const float *w = params + (size_t)m * P;
	__global const uchar *src;
	float img[CN_PH0 * CN_PW0];
	float map1[CN_PH1 * CN_PW1 * CN_C1];
	float map2[CN_DIN];
	__global const float *dk = w + CN_OFFD + CN_CLS;
	float z[CN_CLS];

	src = images + (size_t)(use_idx ? idx[b] : first + b) * (CN_H * CN_W);
	for (int i = 0; i < CN_PH0 * CN_PW0; i++)
		img[i] = 0.0f;
	for (int y = 0; y < CN_H; y++)
		for (int xx = 0; xx < CN_W; xx++)
			img[(y + CN_LO) * CN_PW0 + xx + CN_LO] =
				(float)src[y * CN_W + xx] / 255.0f;
	for (int i = 0; i < CN_PH1 * CN_PW1 * CN_C1; i++)
		map1[i] = 0.0f;
	cn_block1(img, w, map1);
	cn_block2(map1, w + CN_OFF2, map2);
	for (int j = 0; j < CN_CLS; j++)
		z[j] = 0.0f;
	for (int i = 0; i < CN_DIN; i++)
		for (int j = 0; j < CN_CLS; j++)
			z[j] = fma(map2[i], dk[i * CN_CLS + j], z[j]);
	for (int j = 0; j < CN_CLS; j++)
		logits[(size_t)gid * CN_CLS + j] = z[j];
}

#else /* layered */

/* One ConvNet block for a population (the layered path): out (pop,
 * rows, h/2, w/2, co) = maxpool2x2(relu(conv_kxk_SAME(in) + bias)), the
 * input of member m at in + m*in_mstride, (rows, h, w, ci) NHWC
 * (in_mstride 0: the image batch shared by every member).  Kernel at
 * params + m*P + off + co, (k, k, ci, co); bias at params + m*P + off.
 * One work-item per pooled output; accumulation order (dy, dx, c) with
 * fma, as convnet_ref_logits.  global size = total = pop*rows*ho*wo*co. */
__kernel void convnet_conv_pool(__global const float *in, uint in_mstride,
				uint h, uint w, uint ci,
				__global const float *params, /* (pop, P) */
				uint P, uint off, uint co, uint k, uint rows,
				__global float *out, uint total)
{
	const uint g = get_global_id(0);
	const uint ho = h / 2, wo = w / 2;
	const int lo = ((int)k - 1) / 2;
	uint t, o, px, py, b, m;
	__global const float *inb, *bias, *kern;
	float best = 0.0f; /* relu: max(0, max of the four) */

	if (g >= total)
		return;
	o = g % co;
	t = g / co;
	px = t % wo;
	t /= wo;
	py = t % ho;
	t /= ho;
	b = t % rows;
	m = t / rows;
	inb = in + (size_t)m * in_mstride + (size_t)b * h * w * ci;
	bias = params + (size_t)m * P + off;
	kern = bias + co;
	for (uint q = 0; q < 4; q++) {
		const int y = (int)(2 * py + q / 2), x = (int)(2 * px + q % 2);
		float a = bias[o];

		for (int dy = 0; dy < (int)k; dy++) {
			const int iy = y + dy - lo;

			if (iy < 0 || iy >= (int)h)
				continue;
			for (int dx = 0; dx < (int)k; dx++) {
				const int ix = x + dx - lo;
				__global const float *ip, *kp;

				if (ix < 0 || ix >= (int)w)
					continue;
				ip = inb + ((size_t)iy * w + ix) * ci;
				kp = kern + ((size_t)dy * k + dx) * ci * co + o;
				for (uint c = 0; c < ci; c++)
					a = fma(ip[c], kp[(size_t)c * co], a);
			}
		}
		best = fmax(best, a);
	}
	out[g] = best;
}

#endif
