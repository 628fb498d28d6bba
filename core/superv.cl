/* superv.cl - the non-GEMM kernels of core/superv.c (supervised image
 * classification).  Composed as: #define SUPERV_WG <local size of
 * superv_loss, a power of two>, then this file.  Activations of layer 0
 * are (rows, pop, width), of later layers (pop, rows, width), row-major;
 * params are (pop, P) in Flax layout. */

/* X[b][p] = images[idx[b]][p] / 255: global size rows * in. */
__kernel void superv_gather(__global const uchar *images, /* (n, in) */
			    __global const uint *idx,     /* (rows) */
			    __global float *x,            /* (rows, in) */
			    uint in, uint total)
{
	const uint g = get_global_id(0);

	if (g >= total)
		return;
	x[g] = (float)images[(size_t)idx[g / in] * in + g % in] / 255.0f;
}

/* X[b][p] = images[first + b][p] / 255: global size rows * in. */
__kernel void superv_gather_range(__global const uchar *images,
				  uint first,
				  __global float *x, /* (rows, in) */
				  uint in, uint total)
{
	const uint g = get_global_id(0);

	if (g >= total)
		return;
	x[g] = (float)images[(size_t)first * in + g] / 255.0f;
}

/* wcat[i][m*width + j] = params[m*P + koff + i*width + j]: the layer-0
 * kernels of all members side by side, (in, pop*width), for one GEMM.
 * global size pop * in * width. */
__kernel void superv_repack(__global const float *params, /* (pop, P) */
			    uint P, uint koff, uint in, uint width, uint pop,
			    __global float *wcat, uint total)
{
	const uint g = get_global_id(0);
	uint i, m, j;

	if (g >= total)
		return;
	j = g % width;
	m = (g / width) % pop;
	i = g / (width * pop);
	wcat[g] = params[(size_t)m * P + koff + (size_t)i * width + j];
}

/* a[g] = tanh(a[g] + params[m*P + boff + j]) with j = g % width and
 * member m = (g / mdiv) % pop: mdiv = width for the (rows, pop, width)
 * layout of layer 0, rows*width for (pop, rows, width).
 * global size pop * rows * width. */
__kernel void superv_bias_tanh(__global float *a,
			       __global const float *params, /* (pop, P) */
			       uint P, uint boff, uint width, uint mdiv,
			       uint pop, uint total)
{
	const uint g = get_global_id(0);
	uint m, j;

	if (g >= total)
		return;
	m = (g / mdiv) % pop;
	j = g % width;
	a[g] = tanh(a[g] + params[(size_t)m * P + boff + j]);
}

/* log softmax(z + bias)[label] for one row of logits z (width classes). */
static float superv_logp(__global const float *z, __global const float *bias,
			 uint width, uint label)
{
	float mx = z[0] + bias[0], s = 0.0f;

	for (uint j = 1; j < width; j++)
		mx = fmax(mx, z[j] + bias[j]);
	for (uint j = 0; j < width; j++)
		s += exp(z[j] + bias[j] - mx);
	return z[label] + bias[label] - mx - log(s);
}

/* One work-group (SUPERV_WG items) per member: fitness[m] = mean over the
 * batch of log softmax(logits + bias)[labels[idx[b]]], the logits of
 * (m, b) at z + m*mstride + b*rstride.  Each item sums a strided share of
 * the rows, then a fixed-order tree reduction. */
__kernel void superv_loss(__global const float *z,
			  uint mstride, uint rstride,
			  __global const float *params, /* (pop, P) */
			  uint P, uint boff, uint width, uint rows,
			  __global const uint *idx,     /* (rows) */
			  __global const uchar *labels, /* (n) */
			  __global float *fitness)      /* (pop) */
{
	__local float part[SUPERV_WG];
	const uint m = get_group_id(0), t = get_local_id(0);
	__global const float *bias = params + (size_t)m * P + boff;
	__global const float *zm = z + (size_t)m * mstride;
	float acc = 0.0f;

	for (uint b = t; b < rows; b += SUPERV_WG)
		acc += superv_logp(zm + (size_t)b * rstride, bias, width,
				   labels[idx[b]]);
	part[t] = acc;
	barrier(CLK_LOCAL_MEM_FENCE);
	for (uint h = SUPERV_WG / 2; h > 0; h /= 2) {
		if (t < h)
			part[t] += part[t + h];
		barrier(CLK_LOCAL_MEM_FENCE);
	}
	if (t == 0)
		fitness[m] = part[0] / (float)rows;
}

/* correct[b] = (argmax_j (z[b][j] + bias[j]) == labels[first + b]), the
 * lowest index winning ties (strict >): global size rows. */
__kernel void superv_argmax(__global const float *z, /* (rows, width) */
			    __global const float *params, /* (P), pop 1 */
			    uint boff, uint width, uint rows,
			    __global const uchar *labels, uint first,
			    __global uchar *correct) /* (rows) */
{
	const uint b = get_global_id(0);
	__global const float *zb = z + (size_t)b * width;
	float best;
	uint arg = 0;

	if (b >= rows)
		return;
	best = zb[0] + params[boff];
	for (uint j = 1; j < width; j++) {
		float v = zb[j] + params[boff + j];

		if (v > best) {
			best = v;
			arg = j;
		}
	}
	correct[b] = arg == labels[first + b];
}

/* One ConvNet block for a population (policies/convnet.c): out (pop,
 * rows, h/2, w/2, co) = maxpool2x2(relu(conv_kxk_SAME(in) + bias)), the
 * input of member m at in + m*in_mstride, (rows, h, w, ci) NHWC
 * (in_mstride 0: the image batch shared by every member).  Kernel at
 * params + m*P + off + co, (k, k, ci, co); bias at params + m*P + off.
 * One work-item per pooled output; accumulation order (dy, dx, c) with
 * fma, as convnet_ref_logits.  global size = total = pop*rows*ho*wo*co. */
__kernel void superv_conv_pool(__global const float *in, uint in_mstride,
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
