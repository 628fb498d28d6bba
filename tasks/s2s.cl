/* s2s.cl - the seq2seq evaluator (tasks/s2s.c): the LSTM encoder-decoder
 * (policies/seq2seq.cl) of a whole population on query batches
 * (tasks/seq2seq.cl), one kernel.  Composed after core/lanes.cl,
 * tasks/seq2seq.cl and policies/seq2seq.cl.
 *
 * One work-item = one member x VL queries held in the lanes of float
 * vectors (VF, core/lanes.cl).
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
