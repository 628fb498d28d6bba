/* mlp_pi.cl - the permutation-invariant policy (policies/mlp_pi.h) on VL
 * environments at once (VF lanes, core/lanes.cl), for the fused rollout.
 *
 * Policy device contract: core/rollout.cl; recurrent state per agent
 * (POLICY_STATE_DIM = 2 N E + A): c (N, E), h (N, E), prev_act (A), zero
 * at episode start.  Options (mlp_pi_ops.defines): MLPPI_OBS (N),
 * MLPPI_ACT (A), MLPPI_H, MLPPI_M, MLPPI_E, MLPPI_INV_FREQ (the
 * ceil(E/2) frequencies 1/10000^(2k/E) of the positional table).
 *
 * Order of operations (the host reference mlp_pi_ref_forward follows it):
 * each gate accumulates bias, input rows, hidden rows by fma; the
 * attention logits use Q K^T = PE (Wq k_j) + bq . k_j, so the (H, M)
 * queries are never formed (E + 1 dot products of length M per
 * component, then E per logit); the positional table is computed in
 * float per step (sin/cos of row * frequency; EvoJAX's is computed in
 * double and rounded: they differ by a few 1e-7).  The sum over the
 * components of att * obs is taken after sorting its terms (odd-even
 * transposition, compare-exchange per lane), so it is the same floats
 * in the same order whatever the order of the components: the actions
 * are exactly permutation invariant, not only up to rounding.
 */
#define MLPPI_I (1 + MLPPI_ACT)               /* LSTM inputs */
#define MLPPI_HD (MLPPI_E + MLPPI_E * MLPPI_E) /* one hidden dense */
#define MLPPI_XD (MLPPI_I * MLPPI_E)           /* one input kernel */
/* Flat layout (policies/mlp_pi.h): Dense_0, Dense_1, Dense_2, then the
 * LSTMCell's sorted keys hf hg hi ho if ig ii io. */
#define MLPPI_QB 0
#define MLPPI_QK MLPPI_M
#define MLPPI_KB (MLPPI_M + MLPPI_E * MLPPI_M)
#define MLPPI_KK (MLPPI_KB + MLPPI_M)
#define MLPPI_OB (2 * MLPPI_KB)
#define MLPPI_OK (MLPPI_OB + MLPPI_ACT)
#define MLPPI_HF (MLPPI_OK + MLPPI_H * MLPPI_ACT)
#define MLPPI_HG (MLPPI_HF + MLPPI_HD)
#define MLPPI_HI (MLPPI_HG + MLPPI_HD)
#define MLPPI_HO (MLPPI_HI + MLPPI_HD)
#define MLPPI_XF (MLPPI_HO + MLPPI_HD)
#define MLPPI_XG (MLPPI_XF + MLPPI_XD)
#define MLPPI_XI (MLPPI_XG + MLPPI_XD)
#define MLPPI_XO (MLPPI_XI + MLPPI_XD)
#define MLPPI_P (MLPPI_XO + MLPPI_XD)
#if defined(POLICY_PARAMS) && MLPPI_P != POLICY_PARAMS
#error "mlp_pi: the layout disagrees with param_count()"
#endif

__constant float mlppi_inv_freq[(MLPPI_E + 1) / 2] = MLPPI_INV_FREQ;

inline VF mlppi_sigmoid(VF x)
{
	return 1.0f / (1.0f + exp(-x));
}

inline VF mlppi_tanh(VF x)
{
	return 1.0f - 2.0f / (exp(2.0f * x) + 1.0f);
}

/* Pre-activation of one gate for unit e: bias, input rows, hidden rows. */
inline VF mlppi_gate(const __global float *w, const int hb, const int xk,
		     const VF *x, const VF *h, const int e)
{
	VF a = (VF)w[hb + e];

	for (int i = 0; i < MLPPI_I; i++)
		a = fma(x[i], (VF)w[xk + i * MLPPI_E + e], a);
	for (int k = 0; k < MLPPI_E; k++)
		a = fma(h[k], (VF)w[hb + MLPPI_E + k * MLPPI_E + e], a);
	return a;
}

/* Sum of t (N) in ascending order of its values (per lane). */
inline VF mlppi_sorted_sum(VF *t)
{
	VF s = 0.0f;

	for (int round = 0; round < MLPPI_OBS; round++)
		for (int j = round & 1; j + 1 < MLPPI_OBS; j += 2) {
			VF a = t[j], b = t[j + 1];

			t[j] = (b < a) ? b : a;
			t[j + 1] = (b < a) ? a : b;
		}
	for (int j = 0; j < MLPPI_OBS; j++)
		s += t[j];
	return s;
}

void policy_reset(VF *ps)
{
	for (int i = 0; i < POLICY_STATE_DIM; i++)
		ps[i] = 0.0f;
}

void policy_forward(const __global float *w, VF *ps, const VF *obs, VF *act)
{
	VF *cs = ps, *hs = ps + MLPPI_OBS * MLPPI_E;
	VF *prev = ps + 2 * MLPPI_OBS * MLPPI_E;
	VF u[MLPPI_OBS * MLPPI_E], sb[MLPPI_OBS], x[MLPPI_I];

	for (int a = 0; a < MLPPI_ACT; a++)
		x[1 + a] = prev[a];
	for (int j = 0; j < MLPPI_OBS; j++) {
		VF *c = cs + j * MLPPI_E, *h = hs + j * MLPPI_E;
		VF hn[MLPPI_E], key[MLPPI_M];

		x[0] = obs[j];
		for (int e = 0; e < MLPPI_E; e++) {
			VF gi = mlppi_gate(w, MLPPI_HI, MLPPI_XI, x, h, e);
			VF gf = mlppi_gate(w, MLPPI_HF, MLPPI_XF, x, h, e);
			VF gg = mlppi_gate(w, MLPPI_HG, MLPPI_XG, x, h, e);
			VF go = mlppi_gate(w, MLPPI_HO, MLPPI_XO, x, h, e);

			c[e] = fma(mlppi_sigmoid(gf), c[e],
				   mlppi_sigmoid(gi) * mlppi_tanh(gg));
			hn[e] = mlppi_sigmoid(go) * mlppi_tanh(c[e]);
		}
		for (int e = 0; e < MLPPI_E; e++)
			h[e] = hn[e];
		for (int m = 0; m < MLPPI_M; m++) {
			VF a = (VF)w[MLPPI_KB + m];

			for (int p = 0; p < MLPPI_E; p++)
				a = fma(hn[p], (VF)w[MLPPI_KK + p * MLPPI_M + m], a);
			key[m] = a;
		}
		for (int p = 0; p < MLPPI_E; p++) {
			VF a = 0.0f;

			for (int m = 0; m < MLPPI_M; m++)
				a = fma(key[m], (VF)w[MLPPI_QK + p * MLPPI_M + m], a);
			u[j * MLPPI_E + p] = a;
		}
		sb[j] = 0.0f;
		for (int m = 0; m < MLPPI_M; m++)
			sb[j] = fma(key[m], (VF)w[MLPPI_QB + m], sb[j]);
	}
	for (int a = 0; a < MLPPI_ACT; a++)
		act[a] = (VF)w[MLPPI_OB + a];
	/* Rows of the positional table in blocks of 16 (float16 sin/cos). */
	for (int r0 = 0; r0 < MLPPI_H; r0 += 16) {
		const float16 rows = (float16)(0.0f, 1.0f, 2.0f, 3.0f, 4.0f,
					       5.0f, 6.0f, 7.0f, 8.0f, 9.0f,
					       10.0f, 11.0f, 12.0f, 13.0f,
					       14.0f, 15.0f) + (float)r0;
		float pe[MLPPI_E * 16]; /* (E, 16): column p of rows r0.. */

		for (int p = 0; p < MLPPI_E; p += 2) {
			float16 ang = rows * mlppi_inv_freq[p >> 1];

			vstore16(sin(ang), 0, pe + p * 16);
			if (p + 1 < MLPPI_E)
				vstore16(cos(ang), 0, pe + (p + 1) * 16);
		}
		for (int i = 0; i < 16 && r0 + i < MLPPI_H; i++) {
			const int r = r0 + i;
			VF t[MLPPI_OBS], s;

			for (int j = 0; j < MLPPI_OBS; j++) {
				VF lg = sb[j];

				for (int p = 0; p < MLPPI_E; p++)
					lg = fma((VF)pe[p * 16 + i],
						 u[j * MLPPI_E + p], lg);
				t[j] = mlppi_tanh(lg) * obs[j];
			}
			s = mlppi_tanh(mlppi_sorted_sum(t));
			for (int a = 0; a < MLPPI_ACT; a++)
				act[a] = fma(s, (VF)w[MLPPI_OK + r * MLPPI_ACT + a],
					     act[a]);
		}
	}
	for (int a = 0; a < MLPPI_ACT; a++) {
		act[a] = mlppi_tanh(act[a]);
		prev[a] = act[a];
	}
}
