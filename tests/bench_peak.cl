/* bench_peak.cl - the device's fp32 FMA peak as an OpenCL kernel sees it
 * (tests/bench_peak.c): 8 independent float16 FMA chains per work-item,
 * 'iters' rounds, one result per work-item so nothing is optimized away. */
__kernel void peak(__global float *out, uint iters, float a, float b)
{
	float16 x0 = (float16)(get_global_id(0) * 1e-9f), x1 = x0 + 1e-9f;
	float16 x2 = x0 + 2e-9f, x3 = x0 + 3e-9f, x4 = x0 + 4e-9f;
	float16 x5 = x0 + 5e-9f, x6 = x0 + 6e-9f, x7 = x0 + 7e-9f;

	for (uint i = 0; i < iters; i++) {
		x0 = fma(x0, a, b);
		x1 = fma(x1, a, b);
		x2 = fma(x2, a, b);
		x3 = fma(x3, a, b);
		x4 = fma(x4, a, b);
		x5 = fma(x5, a, b);
		x6 = fma(x6, a, b);
		x7 = fma(x7, a, b);
	}
	x0 = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
	out[get_global_id(0)] = x0.s0 + x0.s1 + x0.s2 + x0.s3 + x0.s4 + x0.s5 +
				x0.s6 + x0.s7 + x0.s8 + x0.s9 + x0.sa + x0.sb +
				x0.sc + x0.sd + x0.se + x0.sf;
}
