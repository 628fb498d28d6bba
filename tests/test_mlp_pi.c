/* test_mlp_pi - the permutation-invariant policy (policies/mlp_pi.*,
 * EvoJAX PermutationInvariantPolicy) and shuffled cartpole (tasks/
 * cartpole.*, task.shuffle_obs).
 *
 * Policy:
 *  - layout and sizes: EvoJAX's 993 parameters for the cartpole example,
 *    the Flax leaf offsets, state 2 N E + A;
 *  - EvoJAX's own actions (pinned, from tests/mlp_pi_ref.py with jax
 *    0.4.30, flax 0.8.5, evojax 0.2.17) over 5-6 steps with the state
 *    carried, two shapes: host and device within 5e-6 (measured: host
 *    5.4e-7, device 1.0e-6; `mlp_pi_ref.py --check` prints the host's);
 *  - device (tests/policy_probe.cl, VL 1) vs host over 12 steps with the
 *    state carried, three shapes: within 1e-5 + 1e-5 |ref| (measured
 *    max 2.0e-6; device exp/sin/cos and fma differ by ulps);
 *  - permuting the observation components leaves the actions unchanged:
 *    exactly (tolerance 0), on host and device, since the sum over the
 *    components is taken in sorted order (policies/mlp_pi.cl).
 * Shuffled cartpole:
 *  - the drawn order is a permutation, all 120 orders occur with
 *    uniform positions, it changes between repeats and iterations;
 *  - device episodes (mlp, lanes 16 and 1) vs the host reference with
 *    the permuted observations, every member's episodes keyed by member
 *    0 (common random numbers: the same orders for every member), within
 *    1e-2 + 1e-3 |ref| (as test_rollout.c; measured max 9.5e-6);
 *    identical members get identical returns;
 *  - mlp_pi episodes on the device vs the host (200 steps, lanes 16
 *    and 1), within 1e-2 + 1e-3 |ref| (measured max 1.7e-5);
 *  - end to end: an mlp_pi's returns on shuffled cartpole equal its
 *    returns on plain cartpole bit for bit (tolerance 0; 1000-step
 *    episodes, lanes 16 and 1), an mlp's differ;
 *  - shuffle_obs off keeps the plain task (state 4, no permutation).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/sim.h"
#include "opencl/clrt.h"
#include "opencl/clsrc.h"
#include "opencl/philox.h"
#include "policies/mlp.h"
#include "policies/mlp_pi.h"
#include "tasks/cartpole.h"

#define TU_OPENCL
#include "tests/testutil.h"

/* ---- pinned EvoJAX values (tests/mlp_pi_ref.py) ------------------------- */

/* cartpole: act 1, hidden 64, msg 32, pos_em 8, obs 5, 6 steps x 2, P 993: (batch, steps, act) */
static const float ref_cartpole[] = { 0.281798542, -0.505030453, 0.765096426, -0.401793927, 0.778355837, -0.0101828035, -0.241500005, 0.552588046, -0.626750708, 0.689226508, -0.468020201, 0.742208362 };
/* odd: act 2, hidden 20, msg 7, pos_em 5, obs 3, 5 steps x 2, P 306: (batch, steps, act) */
static const float ref_odd[] = { -0.479469836, -0.174235359, -0.274831682, 0.485017568, -0.454491884, -0.113154978, -0.210774273, 0.55982846, -0.396759421, 0.0227983706, -0.185731918, 0.58830297, -0.351360679, 0.227410108, -0.497547895, -0.184749752, -0.299513459, 0.421196073, -0.474128187, -0.150902525 };

/* The script's inputs: multiples of 2^-10 from a multiplicative hash. */
static float pin(uint32_t i, uint32_t salt)
{
	uint32_t h = (i + salt * 7919u) * 2654435761u;

	return (float)((int)(h >> 21) - 1024) / 1024.0f;
}

/* ---- running the policy: host and device (policy_probe_steps) ---------- */

typedef struct pi_case {
	mlp_pi_cfg cfg;
	int obs, act;
} pi_case;

static const pi_case pi_cartpole = { { 64, 32, 8 }, 5, 1 };
static const pi_case pi_odd = { { 20, 7, 5 }, 3, 2 };
static const pi_case pi_wide = { { 40, 16, 6 }, 11, 3 };

static size_t pi_params(const pi_case *c)
{
	return mlp_pi_ops.param_count(&c->cfg, c->obs, c->act);
}

/* Host actions (n, T, act) for observations (n, T, obs), each sample
 * from a reset state. */
static void host_steps(const pi_case *c, const float *w, const float *obs,
		       size_t n, int T, float *act)
{
	int sd = mlp_pi_ops.state_dim(&c->cfg, c->obs, c->act);
	float *ps = malloc((size_t)sd * sizeof(float));

	assert_non_null(ps);
	for (size_t b = 0; b < n; b++) {
		mlp_pi_ref_reset(&c->cfg, c->obs, c->act, ps);
		for (int t = 0; t < T; t++) {
			size_t row = b * (size_t)T + (size_t)t;

			assert_int_equal(mlp_pi_ref_forward(&c->cfg, c->obs, c->act, w, ps,
							    obs + row * (size_t)c->obs,
							    act + row * (size_t)c->act),
					 0);
		}
	}
	free(ps);
}

/* The same on the device, VL 1. */
static void device_steps(clrt *rt, const pi_case *c, const float *w,
			 const float *obs, size_t n, int T, float *act)
{
	const char *files[] = { "opencl/philox.h", "core/lanes.cl",
				"policies/mlp_pi.cl", "tests/policy_probe.cl" };
	size_t P = pi_params(c), no = n * (size_t)T * (size_t)c->obs;
	size_t na = n * (size_t)T * (size_t)c->act;
	char defs[4096], pdefs[2048];
	ej_err err = { 0 };
	cl_program prog;
	cl_kernel k;
	cl_mem bw, bo, ba;

	mlp_pi_ops.defines(&c->cfg, c->obs, c->act, pdefs, sizeof(pdefs));
	snprintf(defs, sizeof(defs),
		 "#define VL 1\n#define POLICY_PARAMS %zu\n"
		 "#define POLICY_STATE_DIM %d\n#define PROBE_OBS %d\n"
		 "#define PROBE_ACT %d\n%s",
		 P, mlp_pi_ops.state_dim(&c->cfg, c->obs, c->act), c->obs,
		 c->act, pdefs);
	prog = clsrc_build(rt, "policy_probe", defs, files, 4, "", &err);
	if (!prog)
		fail_msg("%s", err.msg);
	k = clrt_kernel(rt, prog, "policy_probe_steps", &err);
	assert_non_null(k);
	bw = clrt_alloc(rt, NULL, P * sizeof(float), CL_MEM_READ_ONLY, &err);
	bo = clrt_alloc(rt, NULL, no * sizeof(float), CL_MEM_READ_ONLY, &err);
	ba = clrt_alloc(rt, NULL, na * sizeof(float), CL_MEM_WRITE_ONLY, &err);
	assert_true(bw && bo && ba);
	assert_int_equal(clrt_write(rt, bw, 0, P * sizeof(float), w, &err), 0);
	assert_int_equal(clrt_write(rt, bo, 0, no * sizeof(float), obs, &err), 0);
	assert_int_equal(clrt_args(k, &err, "mmmu", bw, bo, ba, (unsigned)T), 0);
	assert_int_equal(clrt_launch(rt, k, n, 0, &err), 0);
	assert_int_equal(clrt_read(rt, ba, 0, na * sizeof(float), act, &err), 0);
	clReleaseMemObject(bw);
	clReleaseMemObject(bo);
	clReleaseMemObject(ba);
	clReleaseKernel(k);
}

/* max |a - b| over n values; fails past abs + rel |b|. */
static double check_near(const char *what, const float *a, const float *b,
			 size_t n, double abs, double rel)
{
	double worst = 0.0;

	for (size_t i = 0; i < n; i++) {
		double d = fabs((double)a[i] - b[i]);

		if (!(d <= abs + rel * fabs(b[i])))
			fail_msg("%s: value %zu: %.9g, want %.9g", what, i, a[i], b[i]);
		worst = d > worst ? d : worst;
	}
	return worst;
}

/* ---- policy tests ------------------------------------------------------- */

/* EvoJAX's cartpole example has 993 parameters; the leaves sit where
 * jax's sorted flattening puts them, whatever the number of components. */
static void test_layout(void **state)
{
	mlp_pi_layout l;

	(void)state;
	assert_int_equal(pi_params(&pi_cartpole), 993);
	assert_int_equal(mlp_pi_ops.param_count(&pi_cartpole.cfg, 17, 1), 993);
	assert_int_equal(pi_params(&pi_odd), 306);
	mlp_pi_get_layout(&pi_cartpole.cfg, 1, &l);
	assert_int_equal(l.q_b, 0);
	assert_int_equal(l.q_k, 32);          /* Dense_0 kernel (8, 32) */
	assert_int_equal(l.k_b, 288);         /* Dense_1 */
	assert_int_equal(l.k_k, 320);
	assert_int_equal(l.o_b, 576);         /* Dense_2 bias (1) */
	assert_int_equal(l.o_k, 577);         /* Dense_2 kernel (64, 1) */
	assert_int_equal(l.hb[MLP_PI_GATE_F], 641); /* LSTMCell_0 hf */
	assert_int_equal(l.hk[MLP_PI_GATE_F], 649);
	assert_int_equal(l.hb[MLP_PI_GATE_G], 713);
	assert_int_equal(l.hb[MLP_PI_GATE_I], 785);
	assert_int_equal(l.hb[MLP_PI_GATE_O], 857);
	assert_int_equal(l.xk[MLP_PI_GATE_F], 929); /* if kernel (2, 8) */
	assert_int_equal(l.xk[MLP_PI_GATE_G], 945);
	assert_int_equal(l.xk[MLP_PI_GATE_I], 961);
	assert_int_equal(l.xk[MLP_PI_GATE_O], 977);
	assert_int_equal(l.P, 993);
	assert_int_equal(mlp_pi_ops.state_dim(&pi_cartpole.cfg, 5, 1), 81);
}

/* tests/mlp_pi_ref.py's cases: EvoJAX's actions over several steps. */
static void check_pinned(clrt *rt, const pi_case *c, int T, int B,
			 const float *ref)
{
	size_t P = pi_params(c), no = (size_t)(B * T * c->obs);
	size_t na = (size_t)(B * T * c->act);
	float *w = malloc(P * sizeof(float)), *obs = malloc(no * sizeof(float));
	float *host = malloc(na * sizeof(float)), *dev = malloc(na * sizeof(float));
	double eh, ed;

	assert_true(w && obs && host && dev);
	for (size_t i = 0; i < P; i++)
		w[i] = 0.5f * pin((uint32_t)i, 1);
	for (size_t i = 0; i < no; i++)
		obs[i] = 2.0f * pin((uint32_t)i, 2);
	host_steps(c, w, obs, (size_t)B, T, host);
	device_steps(rt, c, w, obs, (size_t)B, T, dev);
	eh = check_near("host vs EvoJAX", host, ref, na, 5e-6, 0.0);
	ed = check_near("device vs EvoJAX", dev, ref, na, 5e-6, 0.0);
	print_message("EvoJAX P %zu: max |host - EvoJAX| %.2g, |device - EvoJAX| %.2g\n",
		      P, eh, ed);
	free(w);
	free(obs);
	free(host);
	free(dev);
}

static void test_evojax_pinned(void **state)
{
	clrt *rt = tu_rt_open();

	(void)state;
	check_pinned(rt, &pi_cartpole, 6, 2, ref_cartpole);
	check_pinned(rt, &pi_odd, 5, 2, ref_odd);
	clrt_free(rt);
}

/* Random parameters and observation sequences, 12 steps, 33 samples. */
static void check_device_vs_host(clrt *rt, const pi_case *c, uint32_t seed)
{
	enum { N = 33, T = 12 };
	size_t P = pi_params(c), na = (size_t)(N * T * c->act);
	float *w = tu_random_params(P, 0.5f, seed);
	float *obs = tu_random_params((size_t)(N * T * c->obs), 2.0f, seed + 1);
	float *host = malloc(na * sizeof(float)), *dev = malloc(na * sizeof(float));
	double e;

	assert_true(host && dev);
	host_steps(c, w, obs, N, T, host);
	device_steps(rt, c, w, obs, N, T, dev);
	e = check_near("device vs host", dev, host, na, 1e-5, 1e-5);
	print_message("device vs host, obs %d act %d H %d M %d E %d: max %.2g\n",
		      c->obs, c->act, c->cfg.hidden_dim, c->cfg.msg_dim,
		      c->cfg.pos_em_dim, e);
	free(w);
	free(obs);
	free(host);
	free(dev);
}

static void test_device_vs_host(void **state)
{
	clrt *rt = tu_rt_open();

	(void)state;
	check_device_vs_host(rt, &pi_cartpole, 31);
	check_device_vs_host(rt, &pi_odd, 33);
	check_device_vs_host(rt, &pi_wide, 35);
	clrt_free(rt);
}

/* Each sample's observation components permuted by its own permutation
 * (the same at every step): the actions are the same floats.  Also the
 * actions do depend on the observations (so the test can fail). */
static void check_permutation(clrt *rt, const pi_case *c, uint32_t seed)
{
	enum { N = 16, T = 10 };
	size_t P = pi_params(c), no = (size_t)(N * T * c->obs);
	size_t na = (size_t)(N * T * c->act);
	float *w = tu_random_params(P, 0.5f, seed);
	float *obs = tu_random_params(no, 2.0f, seed + 1);
	float *perm_obs = malloc(no * sizeof(float));
	float *a = malloc(na * sizeof(float)), *b = malloc(na * sizeof(float));
	int perm[16];

	assert_true(perm_obs && a && b && c->obs <= 16);
	for (int s = 0; s < N; s++) {
		/* Fisher-Yates from philox; sample 0 reverses the order */
		for (int i = 0; i < c->obs; i++)
			perm[i] = s == 0 ? c->obs - 1 - i : i;
		for (int i = c->obs - 1; i > 0 && s > 0; i--) {
			ph_out d = ph_draw(seed, PH_PURPOSE_INIT, 1, (uint32_t)s,
					   0, (uint32_t)i);
			int j = (int)ph_mulhi(d.v[0], (ph_u32)i + 1), k = perm[i];

			perm[i] = perm[j];
			perm[j] = k;
		}
		for (int t = 0; t < T; t++) {
			size_t row = ((size_t)s * T + (size_t)t) * (size_t)c->obs;

			for (int i = 0; i < c->obs; i++)
				perm_obs[row + (size_t)i] = obs[row + (size_t)perm[i]];
		}
	}
	host_steps(c, w, obs, N, T, a);
	host_steps(c, w, perm_obs, N, T, b);
	assert_memory_equal(a, b, na * sizeof(float));
	assert_memory_not_equal(a, a + T * c->act, (size_t)(T * c->act) * sizeof(float));
	device_steps(rt, c, w, obs, N, T, a);
	device_steps(rt, c, w, perm_obs, N, T, b);
	assert_memory_equal(a, b, na * sizeof(float));
	free(w);
	free(obs);
	free(perm_obs);
	free(a);
	free(b);
}

static void test_permutation_invariance(void **state)
{
	clrt *rt = tu_rt_open();

	(void)state;
	check_permutation(rt, &pi_cartpole, 41);
	check_permutation(rt, &pi_odd, 43);
	check_permutation(rt, &pi_wide, 45);
	clrt_free(rt);
}

/* ---- shuffled cartpole -------------------------------------------------- */

/* Index of a permutation of 5 among the 120 (its Lehmer code). */
static int perm_index(const int p[5])
{
	int code = 0;

	for (int i = 0; i < 5; i++) {
		int smaller = 0;

		for (int j = i + 1; j < 5; j++)
			smaller += p[j] < p[i];
		code = code * (5 - i) + smaller;
	}
	return code;
}

/* 1000 episodes (10 iterations x 100 repeats): every order is a
 * permutation, all 120 occur, each position takes each value 200 +- 63
 * times (5 sigma), and the order changes between repeats and between
 * iterations (a repeat meets its predecessor's order, or the same repeat
 * of the previous iteration its order, about 1000 / 120 times). */
static void test_shuffle_orders(void **state)
{
	int seen[120] = { 0 }, pos[5][5] = { { 0 } }, distinct = 0;
	int same_rep = 0, same_iter = 0, last[100][5];

	(void)state;
	for (unsigned it = 0; it < 10; it++)
		for (unsigned r = 0; r < 100; r++) {
			int p[5], used = 0;

			cartpole_ref_perm(p, 9, PH_PURPOSE_RESET, it, 0, r);
			for (int i = 0; i < 5; i++) {
				assert_true(p[i] >= 0 && p[i] < 5);
				assert_false(used & (1 << p[i]));
				used |= 1 << p[i];
				pos[i][p[i]]++;
			}
			seen[perm_index(p)]++;
			if (r > 0)
				same_rep += memcmp(p, last[r - 1], sizeof(p)) == 0;
			if (it > 0)
				same_iter += memcmp(p, last[r], sizeof(p)) == 0;
			memcpy(last[r], p, sizeof(p));
		}
	for (int k = 0; k < 120; k++)
		distinct += seen[k] > 0;
	assert_int_equal(distinct, 120);
	for (int i = 0; i < 5; i++)
		for (int v = 0; v < 5; v++)
			assert_true(pos[i][v] >= 137 && pos[i][v] <= 263);
	assert_true(same_rep < 30 && same_iter < 30);
}

/* A policy for cartpole episodes: mlp or mlp_pi with its config. */
typedef struct ep_policy {
	const policy_ops *ops;
	const void *cfg;
} ep_policy;

/* Host reference of one training episode (common resets: member 0's
 * keys), the observation shown through the episode's order when the task
 * shuffles; the return summed in float, as the device does. */
static float host_episode(const ep_policy *p, const float *w,
			  const cartpole_cfg *tc, unsigned seed,
			  unsigned iter, unsigned repeat)
{
	float s[4], raw[5], obs[5], act[1], reward, done, total = 0.0f;
	float ps[2 * 5 * MLP_PI_MAX_POS_EM + 1];
	int perm[5] = { 0, 1, 2, 3, 4 };

	cartpole_ref_reset(s, tc->hard, seed, PH_PURPOSE_RESET, iter, 0, repeat);
	if (tc->shuffle_obs)
		cartpole_ref_perm(perm, seed, PH_PURPOSE_RESET, iter, 0, repeat);
	if (p->ops == &mlp_pi_ops)
		mlp_pi_ref_reset(p->cfg, 5, 1, ps);
	for (int t = 0; t < tc->max_steps; t++) {
		cartpole_ref_obs(s, raw);
		for (int i = 0; i < 5; i++)
			obs[i] = raw[perm[i]];
		if (p->ops == &mlp_pi_ops)
			assert_int_equal(mlp_pi_ref_forward(p->cfg, 5, 1, w, ps, obs, act), 0);
		else
			mlp_ref_forward(p->cfg, 5, 1, w, obs, act);
		cartpole_ref_step(s, act[0], &reward, &done);
		total += reward;
		if (done > 0.0f)
			break;
	}
	return total;
}

/* Device returns (n, rep) of training episodes, iteration 3, seed 5. */
static void device_returns(const ep_policy *p, const cartpole_cfg *tc,
			   int lanes, const float *w, size_t n, size_t rep,
			   float *ret)
{
	clrt *rt = tu_rt_open();
	ej_err err = { 0 };
	sim *s = sim_create(rt, &cartpole_ops, tc, p->ops, p->cfg, lanes, false,
			    &err);

	if (!s)
		fail_msg("%s", err.msg);
	if (sim_rollout(s, w, n, 5, PH_PURPOSE_RESET, 3, 0, rep, false, ret,
			&err) < 0)
		fail_msg("%s", err.msg);
	sim_free(s);
	clrt_free(rt);
}

/* Device episodes on shuffled cartpole vs the host, lanes 16 and 1, for
 * POP members of which the last copies the first; returns the largest
 * difference. */
static double check_shuffled_episodes(const ep_policy *p, int max_steps,
				      float scale, uint32_t seed)
{
	enum { POP = 3, REP = 16 };
	cartpole_cfg tc = { .hard = false, .max_steps = max_steps,
			    .shuffle_obs = true };
	size_t P = p->ops->param_count(p->cfg, 5, 1);
	float *w = tu_random_params(POP * P, scale, seed), ret[POP * REP];
	double worst = 0.0;
	int early = 0;

	memcpy(w + (POP - 1) * P, w, P * sizeof(float));
	for (int lanes = 16; lanes >= 1; lanes -= 15) {
		device_returns(p, &tc, lanes, w, POP, REP, ret);
		for (int m = 0; m < POP; m++)
			for (int r = 0; r < REP; r++) {
				float h = host_episode(p, w + (size_t)m * P, &tc, 5, 3,
						       (unsigned)r);
				double d = fabs((double)ret[m * REP + r] - h);

				if (!(d <= 1e-2 + 1e-3 * fabs(h)))
					fail_msg("lanes %d member %d repeat %d: device %.6f host %.6f",
						 lanes, m, r, ret[m * REP + r], h);
				worst = d > worst ? d : worst;
				early += h < 0.25f * (float)max_steps;
			}
		/* common random numbers: the copy meets the same episodes */
		assert_memory_equal(ret, ret + (POP - 1) * REP, REP * sizeof(float));
	}
	assert_true(ret[0] != ret[1] || ret[1] != ret[2]);
	free(w);
	return worst;
}

static void test_shuffled_episodes_mlp(void **state)
{
	mlp_cfg mc = { .hidden = { 1, { 16 } }, .output = "tanh" };
	ep_policy p = { &mlp_ops, &mc };

	(void)state;
	print_message("shuffled cartpole, mlp: max |device - host| %.2g\n",
		      check_shuffled_episodes(&p, 1000, 0.5f, 51));
}

static void test_shuffled_episodes_mlp_pi(void **state)
{
	ep_policy p = { &mlp_pi_ops, &pi_cartpole.cfg };

	(void)state;
	print_message("shuffled cartpole, mlp_pi: max |device - host| %.2g\n",
		      check_shuffled_episodes(&p, 200, 0.5f, 53));
}

/* End to end: on the device, an mlp_pi's returns (hard resets, 1000-step
 * episodes, lanes 16 and 1) on shuffled cartpole are the same floats as
 * on plain cartpole; an mlp's are not. */
static void test_invariance_end_to_end(void **state)
{
	enum { POP = 4, REP = 16, N = POP * REP };
	cartpole_cfg plain = { .hard = true, .max_steps = 1000 };
	cartpole_cfg shuf = { .hard = true, .max_steps = 1000,
			      .shuffle_obs = true };
	mlp_cfg mc = { .hidden = { 2, { 16, 16 } }, .output = "tanh" };
	ep_policy pi = { &mlp_pi_ops, &pi_cartpole.cfg }, mlp = { &mlp_ops, &mc };
	float a[N], b[N];
	float *w = tu_random_params(POP * pi_params(&pi_cartpole), 0.5f, 61);
	int differ = 0;

	(void)state;
	for (int lanes = 16; lanes >= 1; lanes -= 15) {
		device_returns(&pi, &plain, lanes, w, POP, REP, a);
		device_returns(&pi, &shuf, lanes, w, POP, REP, b);
		assert_memory_equal(a, b, sizeof(a));
	}
	for (int i = 1; i < N; i++)
		differ += a[i] != a[0];
	assert_true(differ > N / 2); /* the episodes are not all alike */
	free(w);
	w = tu_random_params(POP * mlp_ops.param_count(&mc, 5, 1), 0.5f, 63);
	device_returns(&mlp, &plain, 16, w, POP, REP, a);
	device_returns(&mlp, &shuf, 16, w, POP, REP, b);
	differ = 0;
	for (int i = 0; i < N; i++)
		differ += fabsf(a[i] - b[i]) > 1e-3f;
	assert_true(differ > N / 2);
	free(w);
}

/* shuffle_obs defaults to off: the plain task's state and device code. */
static void test_shuffle_off_by_default(void **state)
{
	cartpole_cfg c;
	task_dims d;
	char defs[256];

	(void)state;
	cfg_defaults(cartpole_ops.fields, cartpole_ops.n_fields, &c);
	assert_false(c.shuffle_obs);
	task_get_dims(&cartpole_ops, &c, &d);
	assert_int_equal(d.state_dim, 4);
	cartpole_ops.defines(&c, defs, sizeof(defs));
	assert_string_equal(defs, "#define CARTPOLE_HARD 0\n#define CARTPOLE_SHUFFLE 0\n");
	c.shuffle_obs = true;
	task_get_dims(&cartpole_ops, &c, &d);
	assert_int_equal(d.state_dim, 9);
	assert_int_equal(d.obs_dim, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_evojax_pinned),
		cmocka_unit_test(test_device_vs_host),
		cmocka_unit_test(test_permutation_invariance),
		cmocka_unit_test(test_shuffle_orders),
		cmocka_unit_test(test_shuffled_episodes_mlp),
		cmocka_unit_test(test_shuffled_episodes_mlp_pi),
		cmocka_unit_test(test_invariance_end_to_end),
		cmocka_unit_test(test_shuffle_off_by_default),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
