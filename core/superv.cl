/* superv.cl - the kernels of core/superv.c (supervised image
 * classification) common to every image policy: the pixel gathers, the
 * loss and the argmax.  Composed as: #define SUPERV_WG <local size of
 * superv_loss, a power of two>, then this file.  Logits are read where
 * the policy's forward pass left them (superv_logits), params are
 * (pop, P) in Flax layout. */

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
