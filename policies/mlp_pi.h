/* mlp_pi.h - the permutation-invariant policy of EvoJAX (google/evojax
 * evojax/policy/mlp_pi.py, PermutationInvariantPolicy: the AttentionNeuron
 * of Tang & Ha 2021 in front of a one-layer MLP), for episodic tasks.
 *
 * Per step, with N = obs_dim components, A = act_dim, E = pos_em_dim,
 * M = msg_dim, H = hidden_dim:
 *   for each component j: x_j = [obs_j, prev_act (A)] (1 + A inputs) goes
 *     through ONE Flax LSTMCell (E features, weights shared by the
 *     components, a carry (c_j, h_j) per component):
 *       i = sigmoid(W_ii x + W_hi h + b_hi)  f = sigmoid(W_if x + W_hf h + b_hf)
 *       g = tanh(W_ig x + W_hg h + b_hg)     o = sigmoid(W_io x + W_ho h + b_ho)
 *       c' = f c + i g                        h' = o tanh(c')
 *     key k_j = Dense_1(h'_j) (M);
 *   queries Q = Dense_0(PE) (H, M), PE the fixed sinusoidal table (H, E):
 *     PE[r][p] = sin(r / 10000^(2 (p div 2) / E)) for even p, cos for odd p
 *     (EvoJAX pos_table, float64, used as float32);
 *   att = tanh(Q K^T) (H, N) (no 1/sqrt(M) scaling), x = tanh(att obs) (H),
 *   act = tanh(Dense_2(x)) (A); prev_act <- act.
 * The recurrent state (c, h per component, the previous action) starts at
 * zero each episode.  Permuting the observation components permutes the
 * LSTM carries and the keys alike and leaves att obs unchanged: the
 * actions do not depend on the order of the components (exactly here:
 * the sum over components is taken in sorted order, see mlp_pi.cl).
 *
 * Parameters (EvoJAX: 993 for the cartpole example, H 64, M 32, E 8,
 * A 1; they do not depend on N): the jax tree_flatten order of the Flax
 * tree (dict keys sorted), each leaf row-major, Dense kernels (in, out):
 *   Dense_0 (queries):  bias (M), kernel (E, M)
 *   Dense_1 (keys):     bias (M), kernel (E, M)
 *   Dense_2 (output):   bias (A), kernel (H, A)
 *   LSTMCell_0:         hf {bias (E), kernel (E, E)}, hg {..}, hi {..},
 *                       ho {..}, if {kernel (1 + A, E)}, ig, ii, io
 *                       (input row 0 is the component, rows 1.. prev_act)
 * so a params vector of a run loads into EvoJAX's policy and back.
 *
 * Recurrent state per agent (state_dim = 2 N E + A floats):
 *   c (N, E), then h (N, E), then prev_act (A).
 */
#ifndef EJ_MLP_PI_H
#define EJ_MLP_PI_H

#include <stddef.h>

#include "core/cfg.h"
#include "policies/policy.h"

#define MLP_PI_MAX_HIDDEN 4096
#define MLP_PI_MAX_MSG 256
#define MLP_PI_MAX_POS_EM 64

typedef struct mlp_pi_cfg {
	int hidden_dim; /* H: queries, rows of the positional table */
	int msg_dim;    /* M: query / key width */
	int pos_em_dim; /* E: positional table width = LSTM features */
} mlp_pi_cfg;

/* Gate order in mlp_pi_layout arrays. */
enum { MLP_PI_GATE_I, MLP_PI_GATE_F, MLP_PI_GATE_G, MLP_PI_GATE_O };

/* Offsets (floats) of every leaf in the flat vector. */
typedef struct mlp_pi_layout {
	size_t q_b, q_k;     /* Dense_0: bias (M), kernel (E, M) */
	size_t k_b, k_k;     /* Dense_1: bias (M), kernel (E, M) */
	size_t o_b, o_k;     /* Dense_2: bias (A), kernel (H, A) */
	size_t hb[4], hk[4]; /* LSTMCell_0 h?: bias (E), kernel (E, E) */
	size_t xk[4];        /* LSTMCell_0 i?: kernel (1 + A, E) */
	size_t P;
} mlp_pi_layout;

extern const policy_ops mlp_pi_ops;

void mlp_pi_get_layout(const mlp_pi_cfg *c, int act_dim, mlp_pi_layout *out);

/* Host reference, in policies/mlp_pi.cl's order of operations (sigmoid
 * 1/(1+exp(-x)), tanh 1 - 2/(exp(2x)+1)); the positional table in double
 * rounded to float (as EvoJAX).  ps: the state (layout above), reset sets
 * it to zero; forward does one step, updating ps, writing act (A).
 * Returns 0, or -1 when out of memory. */
void mlp_pi_ref_reset(const mlp_pi_cfg *c, int obs_dim, int act_dim,
		      float *ps);
int mlp_pi_ref_forward(const mlp_pi_cfg *c, int obs_dim, int act_dim,
		       const float *w, float *ps, const float *obs,
		       float *act);

#endif
