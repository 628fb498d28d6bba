/* mlp_pi.c - the permutation-invariant policy (EvoJAX
 * PermutationInvariantPolicy, google/evojax evojax/policy/mlp_pi.py):
 * schema, parameter count and layout, device options, and the host
 * reference used by tests.  Model, layout and state: policies/mlp_pi.h;
 * device code: policies/mlp_pi.cl.
 *
 * Defaults: hidden_dim 64 (EvoJAX examples/train_cartpole.py --pi; the
 * class has no default), msg_dim 32 and pos_em_dim 8 (the class
 * defaults).  Flax LSTMCell defaults: gate_fn sigmoid, activation tanh,
 * zero initial carry; EvoJAX resets the previous action to zero.
 */
#include "policies/mlp_pi.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static const cfg_field mlp_pi_fields[] = {
	{ .key = "hidden_dim", .type = CFG_INT,
	  .offset = offsetof(mlp_pi_cfg, hidden_dim), .def = "64", .min = 1,
	  .max = MLP_PI_MAX_HIDDEN,
	  .help = "queries (rows of the positional table) = the MLP's hidden layer" },
	{ .key = "msg_dim", .type = CFG_INT,
	  .offset = offsetof(mlp_pi_cfg, msg_dim), .def = "32", .min = 1,
	  .max = MLP_PI_MAX_MSG, .help = "width of the queries and keys" },
	{ .key = "pos_em_dim", .type = CFG_INT,
	  .offset = offsetof(mlp_pi_cfg, pos_em_dim), .def = "8", .min = 1,
	  .max = MLP_PI_MAX_POS_EM,
	  .help = "positional table width = LSTM features per component" },
};

void mlp_pi_get_layout(const mlp_pi_cfg *c, int act_dim, mlp_pi_layout *out)
{
	size_t E = (size_t)c->pos_em_dim, M = (size_t)c->msg_dim;
	size_t H = (size_t)c->hidden_dim, A = (size_t)act_dim;
	size_t hd = E + E * E, xd = (1 + A) * E, lstm;

	memset(out, 0, sizeof(*out));
	out->q_b = 0;
	out->q_k = M;
	out->k_b = M + E * M;
	out->k_k = out->k_b + M;
	out->o_b = 2 * (M + E * M);
	out->o_k = out->o_b + A;
	lstm = out->o_k + H * A;
	/* Sorted keys: hf hg hi ho if ig ii io. */
	out->hb[MLP_PI_GATE_F] = lstm;
	out->hb[MLP_PI_GATE_G] = lstm + hd;
	out->hb[MLP_PI_GATE_I] = lstm + 2 * hd;
	out->hb[MLP_PI_GATE_O] = lstm + 3 * hd;
	for (int g = 0; g < 4; g++)
		out->hk[g] = out->hb[g] + E;
	out->xk[MLP_PI_GATE_F] = lstm + 4 * hd;
	out->xk[MLP_PI_GATE_G] = lstm + 4 * hd + xd;
	out->xk[MLP_PI_GATE_I] = lstm + 4 * hd + 2 * xd;
	out->xk[MLP_PI_GATE_O] = lstm + 4 * hd + 3 * xd;
	out->P = lstm + 4 * hd + 4 * xd;
}

static size_t mlp_pi_param_count(const void *cfg, int obs_dim, int act_dim)
{
	mlp_pi_layout l;

	(void)obs_dim;
	mlp_pi_get_layout(cfg, act_dim, &l);
	return l.P;
}

static int mlp_pi_state_dim(const void *cfg, int obs_dim, int act_dim)
{
	const mlp_pi_cfg *c = cfg;

	return 2 * obs_dim * c->pos_em_dim + act_dim;
}

/* 10000^(2k / E): columns 2k and 2k + 1 of the positional table hold
 * sin and cos of (row / it) (EvoJAX pos_table). */
static double mlp_pi_wavelength(int k, int E)
{
	return pow(10000.0, 2.0 * k / E);
}

static void mlp_pi_defines(const void *cfg, int obs_dim, int act_dim,
			   char *buf, size_t size)
{
	const mlp_pi_cfg *c = cfg;
	int n = snprintf(buf, size,
			 "#define MLPPI_OBS %d\n#define MLPPI_ACT %d\n"
			 "#define MLPPI_H %d\n#define MLPPI_M %d\n"
			 "#define MLPPI_E %d\n#define MLPPI_INV_FREQ {",
			 obs_dim, act_dim, c->hidden_dim, c->msg_dim,
			 c->pos_em_dim);

	/* float literals (suffix f): OpenCL C without fp64 has no double */
	for (int k = 0; k < (c->pos_em_dim + 1) / 2 && n > 0 && (size_t)n < size; k++)
		n += snprintf(buf + n, size - (size_t)n, "%s%.9ef", k ? ", " : "",
			      (double)(float)(1.0 / mlp_pi_wavelength(k, c->pos_em_dim)));
	if (n > 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, "}\n");
}

static void mlp_pi_host_reset(const void *cfg, int obs_dim, int act_dim,
			      float *ps)
{
	mlp_pi_ref_reset(cfg, obs_dim, act_dim, ps);
}

static int mlp_pi_host_forward(const void *cfg, int obs_dim, int act_dim,
			       const float *w, float *ps, const float *obs,
			       float *act)
{
	return mlp_pi_ref_forward(cfg, obs_dim, act_dim, w, ps, obs, act);
}

static const policy_host_ops mlp_pi_host = {
	.reset = mlp_pi_host_reset,
	.forward = mlp_pi_host_forward,
};

const policy_ops mlp_pi_ops = {
	.name = "mlp_pi",
	.summary = "permutation-invariant AttentionNeuron + MLP, LSTM per observation component (EvoJAX PermutationInvariantPolicy)",
	.fields = mlp_pi_fields,
	.n_fields = sizeof(mlp_pi_fields) / sizeof(mlp_pi_fields[0]),
	.cfg_size = sizeof(mlp_pi_cfg),
	.cl_file = "policies/mlp_pi.cl",
	.param_count = mlp_pi_param_count,
	.defines = mlp_pi_defines,
	.caps = POLICY_CAP_STEP,
	.state_dim = mlp_pi_state_dim,
	.host = &mlp_pi_host,
};

/* ---- host reference (mirrors policies/mlp_pi.cl) ---------------------- */

static float mlp_pi_sigmoid(float x)
{
	return 1.0f / (1.0f + expf(-x));
}

static float mlp_pi_tanh(float x)
{
	return 1.0f - 2.0f / (expf(2.0f * x) + 1.0f);
}

/* Pre-activation of one gate for unit e: bias, input rows, hidden rows. */
static float mlp_pi_gate(const float *w, size_t hb, size_t xk, int E, int I,
			 const float *x, const float *h, int e)
{
	float a = w[hb + (size_t)e];

	for (int i = 0; i < I; i++)
		a = fmaf(x[i], w[xk + (size_t)(i * E + e)], a);
	for (int k = 0; k < E; k++)
		a = fmaf(h[k], w[hb + (size_t)(E + k * E + e)], a);
	return a;
}

/* t (n) in ascending order by compare-exchange (odd-even transposition),
 * as the device does it: the sum that follows is then the same for any
 * order of the components. */
static void mlp_pi_sort(float *t, int n)
{
	for (int round = 0; round < n; round++)
		for (int j = round & 1; j + 1 < n; j += 2) {
			float a = t[j], b = t[j + 1];

			t[j] = b < a ? b : a;
			t[j + 1] = b < a ? a : b;
		}
}

void mlp_pi_ref_reset(const mlp_pi_cfg *c, int obs_dim, int act_dim,
		      float *ps)
{
	memset(ps, 0, (size_t)mlp_pi_state_dim(c, obs_dim, act_dim) *
			      sizeof(float));
}

int mlp_pi_ref_forward(const mlp_pi_cfg *c, int obs_dim, int act_dim,
		       const float *w, float *ps, const float *obs,
		       float *act)
{
	const int N = obs_dim, A = act_dim, E = c->pos_em_dim, M = c->msg_dim;
	const int I = 1 + A;
	mlp_pi_layout l;
	float *cs = ps, *hs = ps + N * E, *prev = ps + 2 * N * E;
	/* scratch: u (N, E), sb (N), t (N), x (I), hn (E), key (M), pe (E) */
	float *u = malloc((size_t)(N * E + 2 * N + I + 2 * E + M) * sizeof(float));
	float *sb, *t, *x, *hn, *key, *pe;

	if (!u)
		return -1;
	sb = u + N * E;
	t = sb + N;
	x = t + N;
	hn = x + I;
	key = hn + E;
	pe = key + M;
	mlp_pi_get_layout(c, A, &l);
	memcpy(x + 1, prev, (size_t)A * sizeof(float));
	for (int j = 0; j < N; j++) {
		float *cj = cs + j * E, *hj = hs + j * E;

		x[0] = obs[j];
		for (int e = 0; e < E; e++) {
			float gi = mlp_pi_gate(w, l.hb[MLP_PI_GATE_I], l.xk[MLP_PI_GATE_I], E, I, x, hj, e);
			float gf = mlp_pi_gate(w, l.hb[MLP_PI_GATE_F], l.xk[MLP_PI_GATE_F], E, I, x, hj, e);
			float gg = mlp_pi_gate(w, l.hb[MLP_PI_GATE_G], l.xk[MLP_PI_GATE_G], E, I, x, hj, e);
			float go = mlp_pi_gate(w, l.hb[MLP_PI_GATE_O], l.xk[MLP_PI_GATE_O], E, I, x, hj, e);

			cj[e] = fmaf(mlp_pi_sigmoid(gf), cj[e],
				     mlp_pi_sigmoid(gi) * mlp_pi_tanh(gg));
			hn[e] = mlp_pi_sigmoid(go) * mlp_pi_tanh(cj[e]);
		}
		memcpy(hj, hn, (size_t)E * sizeof(float));
		for (int m = 0; m < M; m++) {
			float a = w[l.k_b + (size_t)m];

			for (int p = 0; p < E; p++)
				a = fmaf(hn[p], w[l.k_k + (size_t)(p * M + m)], a);
			key[m] = a;
		}
		/* Q K^T = PE (Wq k_j) + bq . k_j: u_j = Wq k_j, sb_j = bq . k_j */
		for (int p = 0; p < E; p++) {
			float a = 0.0f;

			for (int m = 0; m < M; m++)
				a = fmaf(key[m], w[l.q_k + (size_t)(p * M + m)], a);
			u[j * E + p] = a;
		}
		sb[j] = 0.0f;
		for (int m = 0; m < M; m++)
			sb[j] = fmaf(key[m], w[l.q_b + (size_t)m], sb[j]);
	}
	for (int a = 0; a < A; a++)
		act[a] = w[l.o_b + (size_t)a];
	for (int r = 0; r < c->hidden_dim; r++) {
		float s;

		for (int p = 0; p < E; p++) {
			double ang = (double)r / mlp_pi_wavelength(p / 2, E);

			pe[p] = (float)(p % 2 ? cos(ang) : sin(ang));
		}
		for (int j = 0; j < N; j++) {
			float lg = sb[j];

			for (int p = 0; p < E; p++)
				lg = fmaf(pe[p], u[j * E + p], lg);
			t[j] = mlp_pi_tanh(lg) * obs[j];
		}
		mlp_pi_sort(t, N);
		s = 0.0f;
		for (int j = 0; j < N; j++)
			s += t[j];
		s = mlp_pi_tanh(s);
		for (int a = 0; a < A; a++)
			act[a] = fmaf(s, w[l.o_k + (size_t)(r * A + a)], act[a]);
	}
	for (int a = 0; a < A; a++) {
		act[a] = mlp_pi_tanh(act[a]);
		prev[a] = act[a];
	}
	free(u);
	return 0;
}
