/* s2s.cl - the seq2seq LSTM encoder-decoder (policies/seq2seq.h) of a
 * whole population on query batches (tasks/seq2seq.h), one kernel.
 *
 * One work-item = one member x VL queries held in the lanes of float
 * vectors (VF, core/lanes.cl): the state h, c of the VL queries lives in
 * private arrays (H, VL); the member's weights are read as scalars and
 * broadcast over the lanes.  Each gate is computed for S2S_UB = 4 output
 * units at a time (4 VL-wide accumulators; one pass reads H rows of 4
 * consecutive weights, 8 KiB for H = 128, which stays in L1 across the
 * 4 passes that share the cache lines).  VL == 1 (GPUs) runs one query
 * per work-item.
 *
 * Measured on PoCL (2-core AMD EPYC, AVX2 code: float16 = 2 ymm), pop 256
 * x 128 queries, H 128, while another job used part of the CPU: all four
 * gates at once (16 accumulators, 4 weight rows per i) 1.44-2.46
 * s/iteration over VL 4/8/16 and blocks 1-4; one gate at a time: VL 16 x
 * 4 units 0.90-0.97 s, VL 16 x 6 units 0.97 s, VL 8 x 8 units 1.07 s,
 * larger blocks slower (register spills).  A polynomial exp instead of
 * the built-in and splitting the 15 logits into 3 passes changed < 5%.
 *
 * Options (prepended #defines): VL, S2S_H (hidden), S2S_DIGITS, S2S_UB
 * (units per gate pass, 1 or more, default 4).
 * Work the kernel skips because it cannot change the results:
 *   - the encoder's first step starts from h = 0: no W_h h product;
 *   - the decoder's last step (position d+1) is masked out of the loss and
 *     the accuracy: only d+1 decoder steps run;
 *   - the eos freeze: the generated inputs end with their only eos, so the
 *     encoder runs exactly 2d+1 steps.
 *
 * Token buffers are time-major so the VL tokens of one step are
 * contiguous: in (2d+1, nq) and labels (d+1, nq), uchar, nq a multiple
 * of VL.  Outputs per (member, query): ll (pop, nq) = sum over the d+1
 * counted steps of log_softmax(logits)[label]; ok (pop, nq) != 0 when
 * every counted step's argmax equals the label.
 */
#ifndef S2S_UB
#define S2S_UB 4
#endif
#define S2S_V 15
#define S2S_EQ 11
#define S2S_IN (2 * S2S_DIGITS + 1)
#define S2S_STEPS (S2S_DIGITS + 1)

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

#if VL == 1
#define VI int
#define S2S_LOAD_TOK(p) ((int)*(p))
#define S2S_STORE_INT(v, p) (*(p) = (v))
#define S2S_STORE_OK(v, p) (*(p) = (uchar)((v) != 0))
#else
#define VI EJ_CAT(int, VL)
#define S2S_LOAD_TOK(p) EJ_CAT(convert_int, VL)(EJ_CAT(vload, VL)(0, (p)))
#define S2S_STORE_INT(v, p) EJ_CAT(vstore, VL)((v), 0, (p))
#define S2S_STORE_OK(v, p) \
	EJ_CAT(vstore, VL)(EJ_CAT(convert_uchar, VL)(((v) != 0) & 1), 0, (p))
#endif

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

/* params (pop, S2S_P); in (S2S_IN, nq); lab (S2S_STEPS, nq); groups =
 * nq / VL; ll, ok (pop, nq).  Work-item gid: member gid / groups, queries
 * (gid % groups) * VL ... + VL - 1. */
__kernel void s2s_eval(const __global float *params,
		       const __global uchar *in, const __global uchar *lab,
		       const uint nq, const uint groups, const uint pop,
		       __global float *ll, __global uchar *ok)
{
	const uint gid = get_global_id(0);
	const uint m = gid / groups, q0 = (gid % groups) * VL;
	const __global float *w = params + (size_t)m * S2S_P;
	VF cs[S2S_H], ha[S2S_H], hb[S2S_H];
	VF *h = ha, *hn = hb, *tmp;
	int toff[VL];
	VF acc = 0.0f;
	VI good = (VI)(-1);

	if (m >= pop)
		return;
	for (int j = 0; j < S2S_H; j++)
		cs[j] = ha[j] = 0.0f;
	/* Encoder. */
	for (int t = 0; t < S2S_IN; t++) {
		S2S_STORE_INT(S2S_LOAD_TOK(in + (size_t)t * nq + q0) * S2S_H,
			      toff);
		s2s_cell(w + S2S_ENC, toff, h, hn, cs, t == 0);
		tmp = h;
		h = hn;
		hn = tmp;
	}
	/* Decoder: greedy, the first input '='. */
	for (int l = 0; l < VL; l++)
		toff[l] = S2S_EQ * S2S_H;
	for (int t = 0; t < S2S_STEPS; t++) {
		VF lg[S2S_V], mx, se = 0.0f, pick = 0.0f;
		VI arg = 0, y = S2S_LOAD_TOK(lab + (size_t)t * nq + q0);

		s2s_cell(w + S2S_DEC, toff, h, hn, cs, 0);
		tmp = h;
		h = hn;
		hn = tmp;
		s2s_logits(w, h, lg);
		mx = lg[0];
		for (int v = 1; v < S2S_V; v++) {
			VI better = lg[v] > mx; /* strict: lowest index on ties */

			mx = select(mx, lg[v], better);
			arg = select(arg, (VI)v, better);
		}
		for (int v = 0; v < S2S_V; v++) {
			se += exp(lg[v] - mx);
			pick = select(pick, lg[v], y == (VI)v);
		}
		acc += pick - (mx + log(se));
		good = good & (arg == y);
		S2S_STORE_INT(arg * S2S_H, toff);
	}
	EJ_VSTORE(acc, ll + (size_t)m * nq + q0);
	S2S_STORE_OK(good, ok + (size_t)m * nq + q0);
}
