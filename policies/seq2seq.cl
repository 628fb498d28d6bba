/* seq2seq.cl - the LSTM encoder-decoder of policies/seq2seq.h on VL
 * queries at once (VF lanes, core/lanes.cl): one LSTMCell step and the
 * decoder's output Dense; the evaluator's kernel (tasks/s2s.cl) runs them
 * over the steps of a population's queries.
 *
 * The state h, c of the VL queries lives in private arrays (H, VL); the
 * member's weights are read as scalars and broadcast over the lanes.
 * Each gate is computed for S2S_UB = 4 output units at a time (4 VL-wide
 * accumulators; one pass reads H rows of 4 consecutive weights, 8 KiB for
 * H = 128, which stays in L1 across the 4 passes that share the cache
 * lines).  VL == 1 (GPUs) runs one query per work-item.
 *
 * Measured on PoCL (2-core AMD EPYC, AVX2 code: float16 = 2 ymm), pop 256
 * x 128 queries, H 128, while another job used part of the CPU: all four
 * gates at once (16 accumulators, 4 weight rows per i) 1.44-2.46
 * s/iteration over VL 4/8/16 and blocks 1-4; one gate at a time: VL 16 x
 * 4 units 0.90-0.97 s, VL 16 x 6 units 0.97 s, VL 8 x 8 units 1.07 s,
 * larger blocks slower (register spills).  A polynomial exp instead of
 * the built-in and splitting the 15 logits into 3 passes changed < 5%.
 *
 * Options (prepended #defines): VL, S2S_H (hidden, seq2seq_policy_ops.
 * defines), S2S_UB (units per gate pass, 1 or more, default 4); S2S_V
 * (the vocabulary) from tasks/seq2seq.cl.  A cell step with 'first' set
 * starts from h = 0 and skips the W_h h product.
 */
#ifndef S2S_UB
#define S2S_UB 4
#endif

/* Flat layout (policies/seq2seq.h): Dense bias (15), kernel (H, 15), then
 * the decoder cell, then the encoder cell; in a cell the sorted Flax keys
 * hf hg hi ho ({bias (H), kernel (H, H)} each), if ig ii io (kernel
 * (15, H) each). */
#define S2S_DENSE (S2S_H + S2S_H * S2S_H)
#define S2S_XK (S2S_V * S2S_H)
#define S2S_CELL (4 * S2S_DENSE + 4 * S2S_XK)
#define S2S_DEC (S2S_V + S2S_V * S2S_H)
#define S2S_ENC (S2S_DEC + S2S_CELL)
#define S2S_P (S2S_ENC + S2S_CELL)

inline VF s2s_sigmoid(VF x)
{
	return 1.0f / (1.0f + exp(-x));
}

inline VF s2s_tanh(VF x)
{
	return 1.0f - 2.0f / (exp(2.0f * x) + 1.0f);
}

/* Row j of an input kernel (15, H) picked per lane by the token offsets
 * toff[l] = token * H (one-hot input). */
inline VF s2s_row(const __global float *k, const int *toff, int j)
{
#if VL == 1
	return k[toff[0] + j];
#else
	float g[VL];

	for (int l = 0; l < VL; l++)
		g[l] = k[toff[l] + j];
	return EJ_VLOAD(g);
#endif
}

inline void s2s_update(VF ai, VF af, VF ag, VF ao, VF *c, VF *hn)
{
	VF cn = s2s_sigmoid(af) * *c + s2s_sigmoid(ai) * s2s_tanh(ag);

	*c = cn;
	*hn = s2s_sigmoid(ao) * s2s_tanh(cn);
}

/* Gate pointers of one cell: hidden bias / kernel and input kernel per
 * gate, from the sorted key order. */
#define S2S_GATES(w)                                                         \
	const __global float *bf = (w), *bg = (w) + S2S_DENSE,               \
			     *bi = (w) + 2 * S2S_DENSE,                      \
			     *bo = (w) + 3 * S2S_DENSE;                      \
	const __global float *kf = bf + S2S_H, *kg = bg + S2S_H,             \
			     *ki = bi + S2S_H, *ko = bo + S2S_H;             \
	const __global float *xf = (w) + 4 * S2S_DENSE, *xg = xf + S2S_XK,   \
			     *xi = xg + S2S_XK, *xo = xi + S2S_XK

/* One gate for output units j .. j+NU-1: a[u] = b[j+u] + x row (one-hot
 * input) + sum_i h[i] k[i][j+u], the sum in index order.  NU accumulators
 * stay in registers; one pass reads H rows of NU consecutive weights. */
#define S2S_GATE_FN(name, NU)                                                \
	inline void name(const __global float *b, const __global float *k,   \
			 const __global float *x, const int *toff,           \
			 const VF *h, const int j, const int first, VF *out) \
	{                                                                    \
		VF a[NU];                                                    \
                                                                             \
		_Pragma("unroll") for (int u = 0; u < NU; u++)               \
			a[u] = b[j + u] + s2s_row(x, toff, j + u);           \
		if (!first)                                                  \
			for (int i = 0; i < S2S_H; i++) {                    \
				const VF hv = h[i];                          \
				const __global float *r = k + i * S2S_H + j; \
                                                                             \
				_Pragma("unroll") for (int u = 0; u < NU; u++) \
					a[u] = fma(hv, (VF)r[u], a[u]);      \
			}                                                    \
		_Pragma("unroll") for (int u = 0; u < NU; u++)               \
			out[u] = a[u];                                       \
	}
S2S_GATE_FN(s2s_gate, S2S_UB)
S2S_GATE_FN(s2s_gate1, 1)

/* One LSTMCell step on VL lanes: (c, h) -> (c, hn); first: h == 0.
 * Output units go in blocks of S2S_UB, one gate at a time. */
inline void s2s_cell(const __global float *w, const int *toff, const VF *h,
		     VF *hn, VF *c, const int first)
{
	S2S_GATES(w);
	int j = 0;

	for (; j + S2S_UB <= S2S_H; j += S2S_UB) {
		VF gi[S2S_UB], gf[S2S_UB], gg[S2S_UB], go[S2S_UB];

		s2s_gate(bi, ki, xi, toff, h, j, first, gi);
		s2s_gate(bf, kf, xf, toff, h, j, first, gf);
		s2s_gate(bg, kg, xg, toff, h, j, first, gg);
		s2s_gate(bo, ko, xo, toff, h, j, first, go);
		for (int u = 0; u < S2S_UB; u++)
			s2s_update(gi[u], gf[u], gg[u], go[u], c + j + u,
				   hn + j + u);
	}
	for (; j < S2S_H; j++) {
		VF gi, gf, gg, go;

		s2s_gate1(bi, ki, xi, toff, h, j, first, &gi);
		s2s_gate1(bf, kf, xf, toff, h, j, first, &gf);
		s2s_gate1(bg, kg, xg, toff, h, j, first, &gg);
		s2s_gate1(bo, ko, xo, toff, h, j, first, &go);
		s2s_update(gi, gf, gg, go, c + j, hn + j);
	}
}

/* Logits (15) of the decoder's Dense_0 on h, in 3 passes of 5 outputs
 * (15 VL-wide accumulators would not fit the registers). */
inline void s2s_logits(const __global float *w, const VF *h, VF *lg)
{
	const __global float *k = w + S2S_V;

	for (int v0 = 0; v0 < S2S_V; v0 += 5) {
		VF a[5];

#pragma unroll
		for (int v = 0; v < 5; v++)
			a[v] = (VF)w[v0 + v];
		for (int i = 0; i < S2S_H; i++) {
			const VF x = h[i];
			const __global float *r = k + i * S2S_V + v0;

#pragma unroll
			for (int v = 0; v < 5; v++)
				a[v] = fma(x, (VF)r[v], a[v]);
		}
#pragma unroll
		for (int v = 0; v < 5; v++)
			lg[v0 + v] = a[v];
	}
}
