/* noisedev.cl - the shared noise layout of algos/algo_util.h on the device:
 * out[k][j] = normal number j of row k of iteration 'it' (purpose NOISE),
 * from ph_draw(seed, NOISE, it, member = k, 0, j/4) and two ph_normal2.
 * One work-item per (row, quad).  Composed after opencl/philox.h. */
__kernel void noise_rows(__global float *out, /* (rows, P) */
			 uint seed, uint it, uint rows, uint P)
{
	const uint quads = (P + 3) / 4;
	const size_t g = get_global_id(0);
	const uint k = (uint)(g / quads), q = (uint)(g % quads);
	ph_out w;
	float z[4];

	if (k >= rows)
		return;
	w = ph_draw(seed, PH_PURPOSE_NOISE, it, k, 0, q);
	ph_normal2(w.v[0], w.v[1], &z[0], &z[1]);
	ph_normal2(w.v[2], w.v[3], &z[2], &z[3]);
	for (uint i = 0; i < 4 && 4 * q + i < P; i++)
		out[(size_t)k * P + 4 * q + i] = z[i];
}

/* Weighted sums over the rows of the noise buffer, one work-item per
 * parameter j (rows read with stride P: coalesced across work-items):
 *   s1[j] = sum_k a[k] z[k][j]        s2[j] = sum_k b[k] z[k][j]^2
 * (s2 only when with_b).  The gradient estimates of the mirrored-sampling
 * evolution strategies are such sums. */
__kernel void noise_sums(__global const float *z, /* (rows, P) */
			 __global const float *a,  /* (rows) */
			 __global const float *b,  /* (rows) */
			 __global float *s1,       /* (P) */
			 __global float *s2,       /* (P) */
			 uint rows, uint P, uint with_b)
{
	const size_t j = get_global_id(0);
	float acc1 = 0.0f, acc2 = 0.0f;

	if (j >= P)
		return;
	for (uint k = 0; k < rows; k++) {
		const float x = z[(size_t)k * P + j];

		acc1 = fma(a[k], x, acc1);
		if (with_b)
			acc2 = fma(b[k], x * x, acc2);
	}
	s1[j] = acc1;
	if (with_b)
		s2[j] = acc2;
}
