/* mlp_img.cl - the non-GEMM kernels of the MLP on image batches
 * (policies/mlp_img.c): the layer-0 kernels repacked for one GEMM, and
 * bias + tanh after each hidden layer.  Activations of layer 0 are
 * (rows, pop, width), of later layers (pop, rows, width), row-major;
 * params are (pop, P) in Flax layout. */

/* wcat[i][m*width + j] = params[m*P + koff + i*width + j]: the layer-0
 * kernels of all members side by side, (in, pop*width), for one GEMM.
 * global size pop * in * width. */
__kernel void mlp_img_repack(__global const float *params, /* (pop, P) */
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
__kernel void mlp_img_bias_tanh(__global float *a,
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
