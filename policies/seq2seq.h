/* seq2seq.h - LSTM encoder-decoder policy of EvoJAX (google/evojax
 * evojax/policy/seq2seq.py, Flax seq2seq example) for the seq2seq task
 * (tasks/seq2seq.h), Flax LSTMCell semantics with H = 'hidden':
 *
 *   i = sigmoid(W_ii x + W_hi h + b_hi)   f = sigmoid(W_if x + W_hf h + b_hf)
 *   g = tanh(W_ig x + W_hg h + b_hg)      o = sigmoid(W_io x + W_ho h + b_ho)
 *   c' = f*c + i*g                         h' = o*tanh(c')
 * (input denses without bias, hidden denses with bias; x one-hot over the
 * 15 tokens, so W_?? x is the row of the token).
 *
 *   Encoder: its own LSTMCell from (c, h) = 0 over the input tokens; once
 *     eos has been INPUT the state is frozen (the eos step is processed,
 *     later steps are not).
 *   Decoder: its own LSTMCell from the encoder's final state, T steps;
 *     step input = one-hot of the previous prediction, the first one '='
 *     (token 11) (teacher_force False, EvoJAX's default); logits =
 *     Dense(15)(h') (with bias); prediction = argmax(logits), the lowest
 *     index on ties (jnp.argmax).
 *
 * Parameters: 2 * (4*15*H + 4*(H*H + H)) + (H*15 + 15); 149,391 for
 * H = 128.  Flat layout = jax tree_flatten order of the Flax tree (dict
 * keys sorted), each leaf row-major, Dense kernels (in, out):
 *   Decoder_0 / Dense_0:    bias (15), kernel (H, 15)
 *   Decoder_0 / LSTMCell_0: hf {bias (H), kernel (H, H)}, hg {..}, hi {..},
 *                           ho {..}, if {kernel (15, H)}, ig {..},
 *                           ii {..}, io {..}
 *   Encoder_0 / LSTMCell_0: the same key order
 * so parameters trained here load into EvoJAX's Seq2seqPolicy (its
 * format_params_fn unflattens in this order) and vice versa.
 */
#ifndef EJ_SEQ2SEQ_POLICY_H
#define EJ_SEQ2SEQ_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "core/cfg.h"
#include "policies/policy.h"

#define SEQ2SEQ_POLICY_MAX_HIDDEN 1024

typedef struct seq2seq_policy_cfg {
	int hidden; /* H, LSTM features (EvoJAX example: 128) */
} seq2seq_policy_cfg;

/* Offsets (floats) inside one LSTMCell block, starting at its 'hf'. */
typedef struct seq2seq_cell_off {
	size_t hb[4], hk[4]; /* hidden dense bias, kernel of gate i, f, g, o */
	size_t xk[4];        /* input dense kernel (15, H) of gate i, f, g, o */
	size_t size;         /* floats of one cell */
} seq2seq_cell_off;

/* The whole vector: dense bias / kernel, decoder and encoder cells. */
typedef struct seq2seq_layout {
	int H;
	size_t dense_b, dense_k; /* 0 and 15 */
	size_t dec, enc;         /* start of each LSTMCell block */
	seq2seq_cell_off cell;   /* offsets relative to dec or enc */
	size_t P;
} seq2seq_layout;

/* Gate order in seq2seq_cell_off arrays. */
enum { SEQ2SEQ_GATE_I, SEQ2SEQ_GATE_F, SEQ2SEQ_GATE_G, SEQ2SEQ_GATE_O };

extern const policy_ops seq2seq_policy_ops;

/* Layout for hidden size H >= 1. */
void seq2seq_policy_layout(int H, seq2seq_layout *out);

/* Host reference: run the model on one query with weights w (layout
 * above): in (n_in tokens < 15, with the eos freeze), T decoder steps;
 * writes logits (T, 15) and, if pred is not NULL, the argmax tokens (T).
 * Float arithmetic in the device's order: each gate accumulator starts
 * as bias + input row, then fmaf over h in index order; sigmoid(x) =
 * 1 / (1 + exp(-x)), tanh(x) = 1 - 2 / (exp(2x) + 1).  Returns -1 on a
 * bad hidden size, a token >= 15 or out of memory. */
int seq2seq_policy_ref_forward(int H, const float *w, const uint8_t *in,
			       int n_in, int T, float *logits, uint8_t *pred);

#endif
