/* philox_test.cl - device side of the host-vs-device Philox test
 * (tests/test_philox.c).  Built with opencl/philox.h prepended. */

/* Work-item g draws ph_draw(seed, purpose, iteration, g, repeat, index):
 * words[4g..4g+3] the raw words, unif[4g..] ph_uniform of each word,
 * norm[4g..] ph_normal2 of (w0, w1) then (w2, w3).  words/unif/norm: (n, 4) */
kernel void ph_test_draw(global uint *words, global float *unif,
			 global float *norm, uint seed, uint purpose,
			 uint iteration, uint repeat, uint index, uint n)
{
	uint g = get_global_id(0);
	ph_out o;
	float z0, z1, z2, z3;
	int k;

	if (g >= n)
		return;
	o = ph_draw(seed, purpose, iteration, g, repeat, index);
	for (k = 0; k < 4; k++) {
		words[4 * g + k] = o.v[k];
		unif[4 * g + k] = ph_uniform(o.v[k]);
	}
	ph_normal2(o.v[0], o.v[1], &z0, &z1);
	ph_normal2(o.v[2], o.v[3], &z2, &z3);
	norm[4 * g + 0] = z0;
	norm[4 * g + 1] = z1;
	norm[4 * g + 2] = z2;
	norm[4 * g + 3] = z3;
}

/* The transforms on given words (edge cases): unif[i] = ph_uniform(in[i]),
 * (norm[2i], norm[2i+1]) = ph_normal2(in[2i], in[2i+1]).  in/unif/norm: (n) */
kernel void ph_test_map(global const uint *in, global float *unif,
			global float *norm, uint n)
{
	uint i = get_global_id(0);
	float z0, z1;

	if (i >= n)
		return;
	unif[i] = ph_uniform(in[i]);
	if (i % 2 == 0 && i + 1 < n) {
		ph_normal2(in[i], in[i + 1], &z0, &z1);
		norm[i] = z0;
		norm[i + 1] = z1;
	}
}
