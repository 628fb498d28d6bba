/* mlp.cl - MLP policy device code for the fused rollout path.
 *
 * Policy device contract: core/rollout.cl.  Feed-forward: no state
 * (POLICY_STATE_DIM 0), policy_reset does nothing and ps is unused, so the
 * compiled rollout is the stateless one.  VL environments share one
 * parameter vector w.
 *
 * Options: MLP_IN, MLP_OUT, MLP_N_HIDDEN (0..4), MLP_H0..MLP_H3,
 * MLP_MAXW (widest layer), MLP_OUT_ACT (0 tanh, 1 softmax, 2 linear).
 * Flat layout (Flax order, DESIGN.md): per dense layer, bias[out] then
 * kernel[in][out] (row = input).
 */
#define MLP_ACT_TANH 0
#define MLP_ACT_SOFTMAX 1
#define MLP_ACT_LINEAR 2

/* tanh through exp: 1 - 2 / (exp(2x) + 1); exact limits at +-inf. */
inline VF mlp_tanh(VF x)
{
	return 1.0f - 2.0f / (exp(2.0f * x) + 1.0f);
}

/* out[j] = act(bias[j] + sum_i in[i] * kernel[i][j]); returns the next
 * layer's parameters.  Outputs go in blocks of 4 so each loaded input
 * feeds four independent FMA chains. */
inline const __global float *mlp_dense(const __global float *w, const VF *in,
				       VF *out, const int n_in,
				       const int n_out, const int tanh_act)
{
	const __global float *bias = w;
	const __global float *kern = w + n_out;
	int j = 0;

	for (; j + 4 <= n_out; j += 4) {
		VF a0 = bias[j], a1 = bias[j + 1], a2 = bias[j + 2],
		   a3 = bias[j + 3];

		for (int i = 0; i < n_in; i++) {
			const __global float *k = kern + i * n_out + j;
			VF x = in[i];

			a0 = fma(x, (VF)k[0], a0);
			a1 = fma(x, (VF)k[1], a1);
			a2 = fma(x, (VF)k[2], a2);
			a3 = fma(x, (VF)k[3], a3);
		}
		if (tanh_act) {
			a0 = mlp_tanh(a0);
			a1 = mlp_tanh(a1);
			a2 = mlp_tanh(a2);
			a3 = mlp_tanh(a3);
		}
		out[j] = a0;
		out[j + 1] = a1;
		out[j + 2] = a2;
		out[j + 3] = a3;
	}
	for (; j < n_out; j++) {
		VF a = bias[j];

		for (int i = 0; i < n_in; i++)
			a = fma(in[i], (VF)kern[i * n_out + j], a);
		out[j] = tanh_act ? mlp_tanh(a) : a;
	}
	return kern + n_in * n_out;
}

void policy_reset(VF *ps) { (void)ps; }

void policy_forward(const __global float *w, VF *ps, const VF *obs, VF *act)
{
	const int out_tanh = MLP_OUT_ACT == MLP_ACT_TANH;
#if MLP_N_HIDDEN == 0
	w = mlp_dense(w, obs, act, MLP_IN, MLP_OUT, out_tanh);
#else
	VF ha[MLP_MAXW], hb[MLP_MAXW];

	w = mlp_dense(w, obs, ha, MLP_IN, MLP_H0, 1);
#if MLP_N_HIDDEN == 1
	w = mlp_dense(w, ha, act, MLP_H0, MLP_OUT, out_tanh);
#else
	w = mlp_dense(w, ha, hb, MLP_H0, MLP_H1, 1);
#if MLP_N_HIDDEN == 2
	w = mlp_dense(w, hb, act, MLP_H1, MLP_OUT, out_tanh);
#else
	w = mlp_dense(w, hb, ha, MLP_H1, MLP_H2, 1);
#if MLP_N_HIDDEN == 3
	w = mlp_dense(w, ha, act, MLP_H2, MLP_OUT, out_tanh);
#else
	w = mlp_dense(w, ha, hb, MLP_H2, MLP_H3, 1);
	w = mlp_dense(w, hb, act, MLP_H3, MLP_OUT, out_tanh);
#endif
#endif
#endif
#endif
#if MLP_OUT_ACT == MLP_ACT_SOFTMAX
	{
		VF m = act[0], sum = 0.0f;

		for (int j = 1; j < MLP_OUT; j++)
			m = fmax(m, act[j]);
		for (int j = 0; j < MLP_OUT; j++) {
			act[j] = exp(act[j] - m);
			sum += act[j];
		}
		for (int j = 0; j < MLP_OUT; j++)
			act[j] /= sum;
	}
#endif
	(void)w;
	(void)ps;
}
