/* seq2seq.c - LSTM encoder-decoder policy (EvoJAX Seq2seqPolicy, google/
 * evojax evojax/policy/seq2seq.py): schema, parameter count and layout,
 * and the host reference forward used by tests.  Model, layout and the
 * EvoJAX/Flax correspondence: policies/seq2seq.h.  Device code (the LSTM
 * cell and the output dense): policies/seq2seq.cl; device evaluation:
 * tasks/s2s.h and tasks/s2s.cl.
 *
 * Defaults: hidden 128 (EvoJAX examples/train_seq2seq.py; the class default
 * is 256).  Flax LSTMCell defaults: gate_fn sigmoid, activation tanh,
 * initial carry zeros.
 */
#include "policies/seq2seq.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/seq2seq.h"
#include "tasks/task.h"

static const cfg_field seq2seq_policy_fields[] = {
	{ .key = "hidden", .type = CFG_INT,
	  .offset = offsetof(seq2seq_policy_cfg, hidden), .def = "128",
	  .min = 1, .max = SEQ2SEQ_POLICY_MAX_HIDDEN,
	  .help = "LSTM features of the encoder and the decoder" },
};

void seq2seq_policy_layout(int H, seq2seq_layout *out)
{
	size_t h = (size_t)H, dense = h + h * h, x = (size_t)SEQ2SEQ_VOCAB * h;
	seq2seq_cell_off *c = &out->cell;
	size_t xb = 4 * dense;

	memset(out, 0, sizeof(*out));
	out->H = H;
	out->dense_b = 0;
	out->dense_k = SEQ2SEQ_VOCAB;
	/* Sorted keys: hf hg hi ho if ig ii io. */
	c->hb[SEQ2SEQ_GATE_F] = 0 * dense;
	c->hb[SEQ2SEQ_GATE_G] = 1 * dense;
	c->hb[SEQ2SEQ_GATE_I] = 2 * dense;
	c->hb[SEQ2SEQ_GATE_O] = 3 * dense;
	for (int g = 0; g < 4; g++)
		c->hk[g] = c->hb[g] + h;
	c->xk[SEQ2SEQ_GATE_F] = xb + 0 * x;
	c->xk[SEQ2SEQ_GATE_G] = xb + 1 * x;
	c->xk[SEQ2SEQ_GATE_I] = xb + 2 * x;
	c->xk[SEQ2SEQ_GATE_O] = xb + 3 * x;
	c->size = xb + 4 * x;
	out->dec = SEQ2SEQ_VOCAB + h * SEQ2SEQ_VOCAB;
	out->enc = out->dec + c->size;
	out->P = out->enc + c->size;
}

static size_t seq2seq_policy_param_count(const void *cfg, int obs_dim,
					 int act_dim)
{
	const seq2seq_policy_cfg *c = cfg;
	seq2seq_layout l;

	(void)obs_dim;
	(void)act_dim;
	if (c->hidden < 1 || c->hidden > SEQ2SEQ_POLICY_MAX_HIDDEN)
		return 0;
	seq2seq_policy_layout(c->hidden, &l);
	return l.P;
}

static void seq2seq_policy_defines(const void *cfg, int obs_dim, int act_dim,
				   char *buf, size_t size)
{
	const seq2seq_policy_cfg *c = cfg;

	(void)obs_dim;
	(void)act_dim;
	snprintf(buf, size, "#define S2S_H %d\n", c->hidden);
}

const policy_ops seq2seq_policy_ops = {
	.name = "seq2seq",
	.summary = "LSTM encoder-decoder, greedy decoding (EvoJAX Seq2seqPolicy, seq2seq task)",
	.fields = seq2seq_policy_fields,
	.n_fields = sizeof(seq2seq_policy_fields) / sizeof(seq2seq_policy_fields[0]),
	.cfg_size = sizeof(seq2seq_policy_cfg),
	.cl_file = "policies/seq2seq.cl",
	.param_count = seq2seq_policy_param_count,
	.defines = seq2seq_policy_defines,
	.caps = POLICY_CAP_SEQ2SEQ,
};

static float seq2seq_policy_sigmoid(float x)
{
	return 1.0f / (1.0f + expf(-x));
}

static float seq2seq_policy_tanh(float x)
{
	return 1.0f - 2.0f / (expf(2.0f * x) + 1.0f);
}

/* One LSTMCell step: cell weights at w (relative offsets l->cell), token
 * tok, state (c, h) -> (c, hn). */
static void seq2seq_policy_cell(const seq2seq_layout *l, const float *w,
				int tok, float *c, const float *h, float *hn)
{
	const seq2seq_cell_off *o = &l->cell;
	size_t H = (size_t)l->H;

	for (size_t j = 0; j < H; j++) {
		float a[4];

		for (int g = 0; g < 4; g++) {
			const float *k = w + o->hk[g] + j;

			a[g] = w[o->hb[g] + j] + w[o->xk[g] + (size_t)tok * H + j];
			for (size_t i = 0; i < H; i++)
				a[g] = fmaf(h[i], k[i * H], a[g]);
		}
		float ig = seq2seq_policy_sigmoid(a[SEQ2SEQ_GATE_I]);
		float fg = seq2seq_policy_sigmoid(a[SEQ2SEQ_GATE_F]);
		float gg = seq2seq_policy_tanh(a[SEQ2SEQ_GATE_G]);
		float og = seq2seq_policy_sigmoid(a[SEQ2SEQ_GATE_O]);

		c[j] = fg * c[j] + ig * gg;
		hn[j] = og * seq2seq_policy_tanh(c[j]);
	}
}

int seq2seq_policy_ref_forward(int H, const float *w, const uint8_t *in,
			       int n_in, int T, float *logits, uint8_t *pred)
{
	seq2seq_layout l;
	float *c, *h, *hn, *tmp;
	int tok = SEQ2SEQ_TOK_EQ;

	if (H < 1 || H > SEQ2SEQ_POLICY_MAX_HIDDEN)
		return -1;
	for (int t = 0; t < n_in; t++)
		if (in[t] >= SEQ2SEQ_VOCAB)
			return -1;
	seq2seq_policy_layout(H, &l);
	c = calloc(3 * (size_t)H, sizeof(float));
	if (!c)
		return -1;
	h = c + H;
	hn = h + H;
	for (int t = 0; t < n_in; t++) {
		seq2seq_policy_cell(&l, w + l.enc, in[t], c, h, hn);
		tmp = h;
		h = hn;
		hn = tmp;
		if (in[t] == SEQ2SEQ_TOK_EOS)
			break; /* frozen after eos */
	}
	for (int t = 0; t < T; t++) {
		float *lg = logits + (size_t)t * SEQ2SEQ_VOCAB;
		int best = 0;

		seq2seq_policy_cell(&l, w + l.dec, tok, c, h, hn);
		tmp = h;
		h = hn;
		hn = tmp;
		for (int v = 0; v < SEQ2SEQ_VOCAB; v++) {
			float a = w[l.dense_b + (size_t)v];

			for (int i = 0; i < H; i++)
				a = fmaf(h[i], w[l.dense_k + (size_t)i * SEQ2SEQ_VOCAB + (size_t)v], a);
			lg[v] = a;
			if (a > lg[best])
				best = v;
		}
		tok = best;
		if (pred)
			pred[t] = (uint8_t)best;
	}
	free(c);
	return 0;
}
