/* mdkp.cl - multi-dimensional knapsack, device side of the "mdkp" direct
 * task (definitions atop tasks/mdkp.c).  Built with TASK_DIRECT_DATA and,
 * from tasks/mdkp.c, MDKP_ITEMS (M), MDKP_ATTRS (S), MDKP_BINS (B) and
 * MDKP_BLOCK (bins summed per pass, BLOCK (S + 1) <= 1024 floats of
 * private accumulators).  data = items (M, S + 1), caps (B, S), thresholds
 * (B + 1), floats.  Per member: each item's bin by EvoJAX's MDKPPolicy,
 * per-bin sums in item order, reward = sum of the bins' value sums in bin
 * order, 0 when a bin's attribute sum exceeds its capacity: the same float
 * operations in the same order as mdkp_ref_fitness. */
#define TASK_N_BD 0
#define MDKP_COLS (MDKP_ATTRS + 1)
/* MDKPPolicy with one bin selects an item when sigmoid(x) < 0.5 in
 * float32: x <= -0x1.7ffffep-23 or NaN (tasks/mdkp.c). */
#define MDKP_SIGMOID_EDGE (-0x1.7ffffep-23f)

/* The item's bin, -1 when not selected.  The thresholds t_0 = 0 <= t_1
 * <= ... <= t_B are sorted, so count(c - t_k >= 0) is found by bisection;
 * a NaN c counts 0 and lands in the last bin, as in EvoJAX. */
static int mdkp_bin(float x, const __global float *thr)
{
#if MDKP_BINS == 1
	(void)thr;
	return x > MDKP_SIGMOID_EDGE ? -1 : 0;
#else
	float c = x - 0.04f;
	int lo = 0, hi = MDKP_BINS + 1; /* count in [lo, hi] */

	c = c < 0.0f ? 0.0f : c > 1.0f ? 1.0f : c; /* NaN stays NaN */
	if (isnan(c))
		return MDKP_BINS - 1;
	while (lo < hi) { /* the first k with t_k > c */
		int mid = (lo + hi) / 2;

		if (c >= thr[mid])
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - 2; /* row count - 1 of act, minus the "none" row */
#endif
}

float task_direct(const __global float *x, uint n, float *bd,
		  const __global float *data)
{
	const __global float *items = data;
	const __global float *caps = items + (size_t)MDKP_ITEMS * MDKP_COLS;
	const __global float *thr = caps + (size_t)MDKP_BINS * MDKP_ATTRS;
	float acc[MDKP_BLOCK * MDKP_COLS];
	float reward = 0.0f;
	int ok = 1;

	(void)bd;
	for (int b0 = 0; b0 < MDKP_BINS; b0 += MDKP_BLOCK) {
		const int nb = min(MDKP_BLOCK, MDKP_BINS - b0);

		for (int k = 0; k < nb * MDKP_COLS; k++)
			acc[k] = 0.0f;
		for (uint i = 0; i < n; i++) {
			const int b = mdkp_bin(x[i], thr) - b0;

			if (b < 0 || b >= nb)
				continue;
			for (int s = 0; s < MDKP_COLS; s++)
				acc[b * MDKP_COLS + s] +=
					items[(size_t)i * MDKP_COLS + s];
		}
		for (int b = 0; b < nb; b++) {
			reward += acc[b * MDKP_COLS + MDKP_ATTRS];
			for (int s = 0; s < MDKP_ATTRS; s++)
				ok &= !(acc[b * MDKP_COLS + s] >
					caps[(size_t)(b0 + b) * MDKP_ATTRS + s]);
		}
	}
	return ok ? reward : 0.0f;
}
